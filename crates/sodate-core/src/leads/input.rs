//! A lead's editable values as a `LeadInput`: reading them from the database, field by
//! field access by code, and the values a validated lead is stored with. Shared by imports
//! (updates and undo) and merges.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension};

use super::ValidLead;
use crate::{Error, LeadInput, Result};

pub(crate) fn field_of<'a>(input: &'a LeadInput, code: &str) -> &'a str {
    match code {
        "family_name" => &input.family_name,
        "given_name" => &input.given_name,
        "family_reading" => &input.family_reading,
        "given_reading" => &input.given_reading,
        "company_name" => &input.company_name,
        "company_reading" => &input.company_reading,
        "department" => &input.department,
        "title" => &input.title,
        "email" => &input.email,
        "phone" => &input.phone,
        "mobile" => &input.mobile,
        "postal_code" => &input.postal_code,
        "prefecture" => &input.prefecture,
        "address" => &input.address,
        "website" => &input.website,
        "notes" => &input.notes,
        _ => "",
    }
}

pub(crate) fn set_field(input: &mut LeadInput, code: &str, value: &str) {
    let slot = match code {
        "family_name" => &mut input.family_name,
        "given_name" => &mut input.given_name,
        "family_reading" => &mut input.family_reading,
        "given_reading" => &mut input.given_reading,
        "company_name" => &mut input.company_name,
        "company_reading" => &mut input.company_reading,
        "department" => &mut input.department,
        "title" => &mut input.title,
        "email" => &mut input.email,
        "phone" => &mut input.phone,
        "mobile" => &mut input.mobile,
        "postal_code" => &mut input.postal_code,
        "prefecture" => &mut input.prefecture,
        "address" => &mut input.address,
        "website" => &mut input.website,
        "notes" => &mut input.notes,
        _ => return,
    };
    *slot = value.to_string();
}

/// The values a validated lead is stored with.
pub(crate) fn input_of_valid(v: &ValidLead) -> LeadInput {
    LeadInput {
        family_name: v.family_name.clone(),
        given_name: v.given_name.clone(),
        family_reading: v.family_reading.clone(),
        given_reading: v.given_reading.clone(),
        company_name: v.company_name.clone(),
        company_reading: v.company_reading.clone(),
        department: v.department.clone(),
        title: v.title.clone(),
        email: v.email.clone(),
        phone: v.phone.clone(),
        mobile: v.mobile.clone(),
        postal_code: v.postal_code.clone(),
        prefecture: v.prefecture.clone(),
        address: v.address.clone(),
        website: v.website.clone(),
        notes: v.notes.clone(),
        source: v.source.clone(),
        tags: v.tags.clone(),
    }
}

/// A lead's stored values (tags aside), custom fields and source.
pub(crate) fn load_input(
    conn: &Connection,
    id: i64,
) -> Result<(LeadInput, BTreeMap<String, String>, String)> {
    let (input, custom, source): (LeadInput, String, String) = conn
        .prepare_cached(
            "SELECT l.family_name, l.given_name, l.family_reading, l.given_reading,
                    coalesce(c.name, ''), coalesce(c.reading, ''), l.department, l.title,
                    l.email, l.phone, l.mobile, l.postal_code, l.prefecture, l.address,
                    l.website, l.notes, l.custom, l.source
             FROM leads l LEFT JOIN companies c ON c.id = l.company_id WHERE l.id = ?1",
        )?
        .query_row([id], |r| {
            Ok((
                LeadInput {
                    family_name: r.get(0)?,
                    given_name: r.get(1)?,
                    family_reading: r.get(2)?,
                    given_reading: r.get(3)?,
                    company_name: r.get(4)?,
                    company_reading: r.get(5)?,
                    department: r.get(6)?,
                    title: r.get(7)?,
                    email: r.get(8)?,
                    phone: r.get(9)?,
                    mobile: r.get(10)?,
                    postal_code: r.get(11)?,
                    prefecture: r.get(12)?,
                    address: r.get(13)?,
                    website: r.get(14)?,
                    notes: r.get(15)?,
                    source: String::new(),
                    tags: Vec::new(),
                },
                r.get(16)?,
                r.get(17)?,
            ))
        })
        .optional()?
        .ok_or(Error::NotFound { entity: "lead", id })?;
    let custom: BTreeMap<String, serde_json::Value> = serde_json::from_str(&custom)?;
    let custom = custom
        .into_iter()
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => (k, s),
            other => (k, other.to_string()),
        })
        .collect();
    Ok((input, custom, source))
}

pub(crate) fn tags_of(conn: &Connection, id: i64) -> Result<Vec<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT t.name FROM lead_tags lt JOIN tags t ON t.id = lt.tag_id
             WHERE lt.lead_id = ?1 ORDER BY t.name",
        )?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}
