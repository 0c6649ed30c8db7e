//! The live warning shown while a lead is created or edited: existing leads that look like
//! the values typed so far.
//!
//! The values need not be valid yet: an e-mail or phone number that does not parse simply
//! takes no part. Candidates come from the indexed keys only (e-mail, phone and mobile,
//! main and secondary, and the name key, at most [`NAME_CANDIDATES`] leads sharing it), so
//! the check costs a few index lookups whatever the size of the database. Each candidate is
//! then compared exactly as a scan would (same reasons, same points).

use std::collections::BTreeSet;

use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

use super::score::{self, Facts};
use super::Reason;
use crate::leads::LeadKeys;
use crate::{normalize, LeadInput, Result, Sodate};

/// Leads reported at and above this confidence: lower than the scan's default, since the
/// user is asked to look, not to merge.
pub const WARNING_MIN_CONFIDENCE: u8 = 40;
/// At most this many leads sharing the name key are compared.
pub const NAME_CANDIDATES: i64 = 200;
/// At most this many similar leads are reported.
pub const MAX_SIMILAR: usize = 5;

/// An existing lead that looks like the one being typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SimilarLead {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub id: i64,
    pub name: String,
    pub company_name: String,
    pub email: String,
    pub confidence: u8,
    pub reasons: Vec<Reason>,
}

fn lenient_facts(conn: &Connection, input: &LeadInput, id: i64) -> Result<Facts> {
    let email_key = normalize::email(&input.email).unwrap_or_default();
    let phone = |s: &str| normalize::phone(s).map(|p| p.e164).unwrap_or_default();
    let (phone_key, mobile_key) = (phone(&input.phone), phone(&input.mobile));
    let keys = LeadKeys::compute(
        input.family_name.trim(),
        input.given_name.trim(),
        input.family_reading.trim(),
        input.given_reading.trim(),
        input.company_name.trim(),
        input.company_reading.trim(),
        &email_key,
        &phone_key,
        &mobile_key,
    );
    let company_name = input.company_name.trim().to_string();
    let company_key = if company_name.is_empty() {
        String::new()
    } else {
        normalize::company_key(&company_name)
    };
    let company: Option<(i64, String)> = if company_key.is_empty() {
        None
    } else {
        conn.prepare_cached("SELECT id, coalesce(domain, '') FROM companies WHERE name_key = ?1 ORDER BY id LIMIT 1")?
            .query_row([&company_key], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
    };
    let phones: Vec<String> = [&phone_key, &mobile_key]
        .into_iter()
        .filter(|p| !p.is_empty())
        .cloned()
        .collect();
    Ok(Facts {
        id,
        family_name: input.family_name.trim().to_string(),
        given_name: input.given_name.trim().to_string(),
        family_reading: input.family_reading.trim().to_string(),
        given_reading: input.given_reading.trim().to_string(),
        name_key: keys.name_key,
        reading_key: keys.reading_key,
        emails: if email_key.is_empty() {
            Vec::new()
        } else {
            vec![email_key]
        },
        phone_key,
        mobile_key,
        phones,
        company_id: company.as_ref().map(|c| c.0),
        company_name,
        company_key,
        company_domain: company.map(|c| c.1).unwrap_or_default(),
    })
}

/// Lead ids sharing an e-mail, a phone number or the name key with `facts`.
fn candidates(conn: &Connection, facts: &Facts) -> Result<BTreeSet<i64>> {
    let mut ids = BTreeSet::new();
    let mut collect = |sql: &str, key: &str| -> Result<()> {
        if key.is_empty() {
            return Ok(());
        }
        let mut stmt = conn.prepare_cached(sql)?;
        for id in stmt.query_map([key], |r| r.get::<_, i64>(0))? {
            ids.insert(id?);
        }
        Ok(())
    };
    for email in &facts.emails {
        collect("SELECT id FROM leads WHERE email_key = ?1", email)?;
        collect(
            "SELECT lead_id FROM lead_contacts WHERE kind = 'email' AND value_key = ?1",
            email,
        )?;
    }
    for phone in &facts.phones {
        collect(
            "SELECT id FROM leads WHERE phone_key = ?1 AND phone_key <> ''",
            phone,
        )?;
        collect(
            "SELECT id FROM leads WHERE mobile_key = ?1 AND mobile_key <> ''",
            phone,
        )?;
        collect(
            "SELECT lead_id FROM lead_contacts WHERE kind IN ('phone', 'mobile') AND value_key = ?1",
            phone,
        )?;
    }
    let name_sql = format!("SELECT id FROM leads WHERE name_key = ?1 LIMIT {NAME_CANDIDATES}");
    collect(&name_sql, &facts.name_key)?;
    Ok(ids)
}

/// Existing leads that look like `input` (most alike first, at most [`MAX_SIMILAR`]).
/// `editing` is the lead being edited: it is left out, and so are the leads marked "not a
/// duplicate" of it. Reads only.
pub fn similar_to(
    db: &Sodate,
    input: &LeadInput,
    editing: Option<i64>,
) -> Result<Vec<SimilarLead>> {
    db.read(|conn| {
        let facts = lenient_facts(conn, input, editing.unwrap_or(0))?;
        let mut ids = candidates(conn, &facts)?;
        if let Some(own) = editing {
            ids.remove(&own);
            let mut stmt = conn.prepare_cached(
                "SELECT lead_b FROM not_duplicates WHERE lead_a = ?1
                 UNION SELECT lead_a FROM not_duplicates WHERE lead_b = ?1",
            )?;
            for other in stmt.query_map([own], |r| r.get::<_, i64>(0))? {
                ids.remove(&other?);
            }
        }
        let mut out = Vec::new();
        for id in ids {
            let other = score::load(conn, id, None)?;
            let pair = score::compare(&facts, &other);
            if pair.confidence < WARNING_MIN_CONFIDENCE {
                continue;
            }
            let email: String = conn
                .prepare_cached("SELECT email FROM leads WHERE id = ?1")?
                .query_row([id], |r| r.get(0))?;
            out.push(SimilarLead {
                id,
                name: other.display_name(),
                company_name: other.company_name.clone(),
                email,
                confidence: pair.confidence,
                reasons: pair.reasons,
            });
        }
        out.sort_by(|x, y| y.confidence.cmp(&x.confidence).then(x.id.cmp(&y.id)));
        out.truncate(MAX_SIMILAR);
        Ok(out)
    })
}
