//! Capture at trade shows ("event mode"): a card typed, scanned (QR) or read (OCR) at an
//! event becomes a lead — or a further visit of a lead that exists — in one transaction.
//!
//! What one capture records, all or nothing:
//! * the lead (source `trade_show`, first event = the event), or nothing new when the card
//!   is a visit of an existing lead;
//! * a `booth_visit` activity at the event (source `capture`) whose detail names the
//!   interest level, the products of interest and the memo;
//! * an email consent record, method `card_exchange` (名刺交換), with the event and date as
//!   evidence — `opted_in`, except for an address on the suppression list: a capture never
//!   lifts an opt-out, so the exchange is then recorded as `unknown`;
//! * a `captures` row (interest, products, memo, incomplete) that the counts read;
//! * the card's pending photos moved to the lead, the event's draft removed.
//!
//! Never blocking a save: a value that does not validate (an email without `@`, a phone
//! number with too few digits) is kept in the lead's notes marked 要確認 and the lead is
//! tagged [`INCOMPLETE_TAG`], as is a card without a family name, a company or any contact.
//! The tag is how such leads are found later (lead detail, segments by tag).
//!
//! Readings are stored in full-width katakana (what imports and card apps store); the keys
//! fold them to hiragana, so either script typed compares equal.

pub mod events;
pub mod photos;
pub mod qr;

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

pub use events::{CaptureCounts, EventSummary, NewEvent};
pub use photos::PhotoInfo;
pub use qr::QrReading;

use crate::activities::ActivityInput;
use crate::card_fields::CardFields;
use crate::dedupe::SimilarLead;
use crate::leads::Provenance;
use crate::{normalize, Error, FieldIssue, LeadInput, Result, Sodate};

/// The tag of leads captured with fields still to complete.
pub const INCOMPLETE_TAG: &str = "要補完";
/// The lead source of captured cards (展示会).
pub const SOURCE: &str = "trade_show";
/// Interest levels, hottest first.
pub const INTEREST_LEVELS: &[&str] = &["hot", "warm", "cold"];
/// At most this many products per card, each at most [`MAX_PRODUCT_CHARS`] long.
pub const MAX_PRODUCTS: usize = 20;
pub const MAX_PRODUCT_CHARS: usize = 60;
/// The longest memo, in characters.
pub const MAX_MEMO_CHARS: usize = 5_000;
/// The largest draft, in bytes of JSON.
pub const MAX_DRAFT_BYTES: usize = 64 * 1024;

/// The capture form as the user filled it in.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", default)]
pub struct CaptureInput {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub event_id: i64,
    pub card: CardFields,
    /// `hot`, `warm` or `cold`.
    pub interest: String,
    pub products: Vec<String>,
    pub memo: String,
    /// Record the card as a visit of this lead instead of creating a lead (the answer to the
    /// duplicate warning). 0: create a lead.
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub existing_lead_id: i64,
}

/// What a saved capture did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CaptureSaved {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub lead_id: i64,
    /// True: a new lead; false: a visit added to an existing lead.
    pub created_lead: bool,
    /// The lead was tagged [`INCOMPLETE_TAG`].
    pub incomplete: bool,
    /// The form fields (camelCase) that are missing or were kept in the notes to check.
    pub to_complete: Vec<String>,
    pub counts: CaptureCounts,
}

/// A card left unsaved at an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CaptureDraft {
    pub event_name: String,
    pub updated_at: String,
    pub form: CaptureInput,
    pub photos: Vec<PhotoInfo>,
}

/// The lead fields whose value may fail to parse: the field a validation issue names, the
/// lead input's field code, and the label written beside a value kept in the notes.
const VALUE_FIELDS: &[(&str, &str, &str)] = &[
    ("email", "email", "メール"),
    ("phone", "phone", "電話"),
    ("mobile", "mobile", "携帯"),
    ("postalCode", "postal_code", "郵便番号"),
    ("website", "website", "URL"),
    ("prefecture", "prefecture", "都道府県"),
];

/// The lead input a card makes (readings in katakana, FAX and the card's note in the notes).
pub fn lead_input_of(card: &CardFields, memo: &str) -> LeadInput {
    let mut notes: Vec<String> = Vec::new();
    if !memo.trim().is_empty() {
        notes.push(memo.trim().to_string());
    }
    if !card.note.trim().is_empty() {
        notes.push(card.note.trim().to_string());
    }
    if !card.fax.trim().is_empty() {
        notes.push(format!("FAX: {}", card.fax.trim()));
    }
    LeadInput {
        family_name: card.family_name.trim().to_string(),
        given_name: card.given_name.trim().to_string(),
        family_reading: normalize::reading_as_katakana(card.family_reading.trim()),
        given_reading: normalize::reading_as_katakana(card.given_reading.trim()),
        company_name: card.company.trim().to_string(),
        company_reading: normalize::reading_as_katakana(card.company_reading.trim()),
        department: card.department.trim().to_string(),
        title: card.title.trim().to_string(),
        email: card.email.trim().to_string(),
        phone: card.phone.trim().to_string(),
        mobile: card.mobile.trim().to_string(),
        postal_code: card.postal_code.trim().to_string(),
        prefecture: String::new(),
        address: card.address.trim().to_string(),
        website: card.url.trim().to_string(),
        notes: notes.join("\n"),
        source: SOURCE.to_string(),
        tags: Vec::new(),
    }
}

/// Existing leads that look like the card typed so far (the live duplicate warning): the
/// same normalised email or phone, or the same name (and reading and company raise the
/// confidence). A few index lookups whatever the size of the database.
pub fn similar(db: &Sodate, card: &CardFields) -> Result<Vec<SimilarLead>> {
    if card.is_empty() {
        return Ok(Vec::new());
    }
    crate::dedupe::similar_to(db, &lead_input_of(card, ""), None)
}

/// Checks the parts of a capture that are not lead fields.
fn validate_extras(input: &CaptureInput) -> Result<(String, Vec<String>, String)> {
    let mut issues = Vec::new();
    let interest = input.interest.trim().to_string();
    if !INTEREST_LEVELS.contains(&interest.as_str()) {
        issues.push(FieldIssue::new(
            "interest",
            "unknown_interest",
            format!("{interest:?} is not an interest level (hot, warm, cold)"),
        ));
    }
    let mut products: Vec<String> = Vec::new();
    for p in &input.products {
        let p = normalize::nfkc(p.trim());
        if p.is_empty() || products.contains(&p) {
            continue;
        }
        if p.chars().count() > MAX_PRODUCT_CHARS {
            issues.push(FieldIssue::new(
                "products",
                "too_long",
                format!("a product name has at most {MAX_PRODUCT_CHARS} characters"),
            ));
        }
        products.push(p);
    }
    if products.len() > MAX_PRODUCTS {
        issues.push(FieldIssue::new(
            "products",
            "too_many",
            format!("at most {MAX_PRODUCTS} products per card"),
        ));
    }
    let memo = input.memo.trim().to_string();
    if memo.chars().count() > MAX_MEMO_CHARS {
        issues.push(FieldIssue::new(
            "memo",
            "too_long",
            format!("the memo has at most {MAX_MEMO_CHARS} characters"),
        ));
    }
    if memo.contains('\0') {
        issues.push(FieldIssue::new(
            "memo",
            "invalid_text",
            "the memo contains a NUL character",
        ));
    }
    if issues.is_empty() {
        Ok((interest, products, memo))
    } else {
        Err(Error::Invalid { issues })
    }
}

/// Validates the card as a lead without ever refusing a value that merely does not parse:
/// such a value moves to the notes (marked 要確認) and its field is reported to complete.
fn lenient_lead(card: &CardFields, memo: &str) -> Result<(crate::leads::ValidLead, Vec<String>)> {
    let mut input = lead_input_of(card, memo);
    let mut moved: Vec<String> = Vec::new();
    let valid = match crate::leads::validate(&input) {
        Ok(v) => v,
        Err(Error::Invalid { issues }) => {
            let mut kept = Vec::new();
            for issue in &issues {
                let Some((field, code, label)) =
                    VALUE_FIELDS.iter().find(|(f, _, _)| *f == issue.field)
                else {
                    continue;
                };
                let value = crate::leads::field_of(&input, code).to_string();
                if value.is_empty() || moved.iter().any(|m| m == field) {
                    continue;
                }
                kept.push(format!("{label}（要確認）: {value}"));
                crate::leads::set_field(&mut input, code, "");
                moved.push((*field).to_string());
            }
            if !kept.is_empty() {
                if !input.notes.is_empty() {
                    input.notes.push('\n');
                }
                input.notes.push_str(&kept.join("\n"));
            }
            match crate::leads::validate(&input) {
                Ok(v) => v,
                Err(Error::Invalid { issues }) if issues.iter().any(|i| i.code == "required") => {
                    return Err(Error::invalid(
                        "card",
                        "empty_card",
                        "the card has no name, company or email to save; type at least one",
                    ))
                }
                Err(e) => return Err(e),
            }
        }
        Err(e) => return Err(e),
    };
    let mut to_complete = moved;
    for (field, value) in [
        ("familyName", &valid.family_name),
        ("companyName", &valid.company_name),
    ] {
        if value.is_empty() && !to_complete.iter().any(|f| f == field) {
            to_complete.push(field.to_string());
        }
    }
    if valid.email.is_empty()
        && valid.phone.is_empty()
        && valid.mobile.is_empty()
        && !to_complete.iter().any(|f| f == "email")
    {
        to_complete.push("email".to_string());
    }
    Ok((valid, to_complete))
}

fn interest_label(interest: &str) -> &'static str {
    match interest {
        "hot" => "高",
        "warm" => "中",
        _ => "低",
    }
}

/// Saves a captured card (see the module documentation for everything it records).
pub fn save(db: &Sodate, input: &CaptureInput, now: DateTime<Utc>) -> Result<CaptureSaved> {
    let (interest, products, memo) = validate_extras(input)?;
    let new_lead = if input.existing_lead_id == 0 {
        Some(lenient_lead(&input.card, &memo)?)
    } else {
        None
    };
    db.write(|tx| {
        let event = events::get_in(tx, input.event_id, now)?;
        let (lead_id, incomplete, to_complete) = match &new_lead {
            Some((valid, to_complete)) => {
                let mut valid = valid.clone();
                let incomplete = !to_complete.is_empty();
                if incomplete {
                    valid.tags.push(INCOMPLETE_TAG.to_string());
                }
                let id = crate::leads::insert_in(
                    tx,
                    &valid,
                    &Provenance {
                        first_event_id: Some(event.id),
                        ..Provenance::default()
                    },
                )?;
                crate::leads::set_tags_in(tx, id, &valid.tags)?;
                crate::leads::audit_in(
                    tx,
                    "lead.create",
                    "lead",
                    Some(id),
                    &serde_json::json!({ "capture": event.id }),
                )?;
                (id, incomplete, to_complete.clone())
            }
            None => {
                let exists: bool = tx
                    .prepare_cached("SELECT EXISTS (SELECT 1 FROM leads WHERE id = ?1)")?
                    .query_row([input.existing_lead_id], |r| r.get(0))?;
                if !exists {
                    return Err(Error::NotFound {
                        entity: "lead",
                        id: input.existing_lead_id,
                    });
                }
                (input.existing_lead_id, false, Vec::new())
            }
        };
        record_visit_in(tx, lead_id, &event, &interest, &products, &memo, now)?;
        tx.prepare_cached(
            "INSERT INTO captures (lead_id, event_id, captured_at, interest, products, memo, created_lead, incomplete)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![
            lead_id,
            event.id,
            crate::time::format(now),
            interest,
            serde_json::to_string(&products)?,
            memo,
            new_lead.is_some(),
            incomplete
        ])?;
        for p in &products {
            tx.prepare_cached(
                "INSERT INTO capture_products (name, last_used_at) VALUES (?1, ?2)
                 ON CONFLICT (name) DO UPDATE SET last_used_at = excluded.last_used_at",
            )?
            .execute(params![p, crate::time::format(now)])?;
        }
        photos::adopt_pending_in(tx, event.id, lead_id)?;
        tx.prepare_cached("DELETE FROM capture_drafts WHERE event_id = ?1")?
            .execute([event.id])?;
        Ok(CaptureSaved {
            lead_id,
            created_lead: new_lead.is_some(),
            incomplete,
            to_complete,
            counts: events::counts_in(tx, event.id, now)?,
        })
    })
}

/// The booth visit and the card-exchange consent of one capture.
fn record_visit_in(
    tx: &Transaction,
    lead_id: i64,
    event: &EventSummary,
    interest: &str,
    products: &[String],
    memo: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut detail = format!("関心度: {}", interest_label(interest));
    if !products.is_empty() {
        detail.push_str(&format!(" / 関心製品: {}", products.join("、")));
    }
    if !memo.is_empty() {
        detail.push_str(&format!(" / メモ: {memo}"));
    }
    let detail: String = detail
        .chars()
        .take(crate::activities::MAX_DETAIL_CHARS)
        .collect();
    crate::activities::add_from_in(
        tx,
        &ActivityInput {
            lead_id,
            activity_type: "booth_visit".into(),
            occurred_at: Some(crate::time::format(now)),
            detail,
            event_id: Some(event.id),
        },
        "capture",
        now,
    )?;
    let email_key: String = tx
        .prepare_cached("SELECT email_key FROM leads WHERE id = ?1")?
        .query_row([lead_id], |r| r.get(0))?;
    let suppressed = crate::export::suppression::reason_in(tx, &email_key)?.is_some();
    let day = now.with_timezone(&chrono::Local).format("%Y-%m-%d");
    let evidence = format!("名刺交換: {}（{day}）", event.name);
    crate::consent::add_in(
        tx,
        lead_id,
        "email",
        if suppressed { "unknown" } else { "opted_in" },
        "card_exchange",
        &crate::time::format(now),
        &evidence,
        Some(event.id),
    )?;
    Ok(())
}

/// Products offered as chips, the most recently used first.
pub fn products(db: &Sodate) -> Result<Vec<String>> {
    db.read(|conn| {
        Ok(conn
            .prepare_cached(
                "SELECT name FROM capture_products ORDER BY last_used_at DESC, name LIMIT 200",
            )?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?)
    })
}

/// Keeps the card being typed at `input.event_id` (called, debounced, as the user types).
pub fn save_draft(db: &Sodate, input: &CaptureInput, now: DateTime<Utc>) -> Result<()> {
    let json = serde_json::to_string(input)?;
    if json.len() > MAX_DRAFT_BYTES {
        return Err(Error::invalid(
            "draft",
            "too_large",
            format!("the card is longer than {} KB", MAX_DRAFT_BYTES / 1024),
        ));
    }
    db.write(|tx| {
        events::get_in(tx, input.event_id, now)?;
        tx.prepare_cached(
            "INSERT INTO capture_drafts (event_id, form, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (event_id) DO UPDATE SET form = excluded.form, updated_at = excluded.updated_at",
        )?
        .execute(params![input.event_id, json, crate::time::format(now)])?;
        Ok(())
    })
}

/// Unsaved cards (the newest first), offered when the capture screen opens.
pub fn drafts(db: &Sodate) -> Result<Vec<CaptureDraft>> {
    db.read(|conn| {
        let rows: Vec<(i64, String, String, String)> = conn
            .prepare_cached(
                "SELECT d.event_id, e.name, d.updated_at, d.form FROM capture_drafts d
                   JOIN events e ON e.id = d.event_id ORDER BY d.updated_at DESC",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut out = Vec::new();
        for (event_id, event_name, updated_at, form) in rows {
            // A draft this version cannot read is offered empty rather than failing the screen.
            let mut form: CaptureInput = serde_json::from_str(&form).unwrap_or_default();
            form.event_id = event_id;
            out.push(CaptureDraft {
                event_name,
                updated_at,
                form,
                photos: photos::pending_in(conn, event_id)?,
            });
        }
        Ok(out)
    })
}

/// Throws away the card being typed at `event_id` and its pending photos.
pub fn discard_draft(db: &Sodate, event_id: i64) -> Result<()> {
    db.write(|tx| {
        tx.prepare_cached("DELETE FROM capture_drafts WHERE event_id = ?1")?
            .execute([event_id])?;
        photos::discard_pending_in(tx, event_id)
    })
}

/// The draft of one event, if any.
pub fn draft_of(db: &Sodate, event_id: i64) -> Result<Option<CaptureDraft>> {
    Ok(drafts(db)?
        .into_iter()
        .find(|d| d.form.event_id == event_id))
}

/// How many leads carry [`INCOMPLETE_TAG`].
pub fn incomplete_count(db: &Sodate) -> Result<u32> {
    db.read(|conn| {
        Ok(conn
            .prepare_cached(
                "SELECT count(*) FROM lead_tags lt JOIN tags t ON t.id = lt.tag_id WHERE t.name = ?1",
            )?
            .query_row([INCOMPLETE_TAG], |r| r.get(0))
            .optional()?
            .unwrap_or(0))
    })
}
