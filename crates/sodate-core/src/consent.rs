//! Consent records per lead and channel (特定電子メール法: the sender keeps how and when each
//! person agreed to receive mail, and honours every opt-out).
//!
//! Invariants:
//! * a lead's `consent_state` is the state of its latest email record (by date, then entry
//!   order), or `unknown` without one; `erased` leads no longer exist;
//! * an email opt-out (or bounce) also puts the email on the suppression list, and a later
//!   opt-in lifts an opt-out entry (never a bounce), so exports follow the records.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

use crate::export::suppression;
use crate::{Error, FieldIssue, Result, Sodate};

pub const CHANNELS: &[&str] = &["email", "phone", "post"];
pub const STATES: &[&str] = &["opted_in", "opted_out", "unknown", "bounced"];
/// 名刺交換 at an event, web form, seminar sign-up, import from a file, a mail tool's result,
/// entered by hand, other.
pub const METHODS: &[&str] = &[
    "card_exchange",
    "web_form",
    "seminar",
    "import",
    "mail_result",
    "manual",
    "other",
];
/// The longest evidence text, in characters.
pub const MAX_EVIDENCE_CHARS: usize = 2_000;

/// One consent record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ConsentRecord {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub id: i64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub lead_id: i64,
    pub channel: String,
    pub state: String,
    pub method: String,
    /// When consent was given or withdrawn (UTC, ISO-8601).
    pub recorded_at: String,
    pub evidence: String,
    pub event_name: Option<String>,
    pub updated_at: Option<String>,
}

/// A record as the user enters it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", default)]
pub struct ConsentInput {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub lead_id: i64,
    /// Default `email`.
    pub channel: String,
    pub state: String,
    pub method: String,
    /// A date (2026-11-20) or date and time; empty: now.
    pub recorded_at: String,
    pub evidence: String,
}

struct Valid {
    channel: String,
    state: String,
    method: String,
    recorded_at: String,
    evidence: String,
}

fn validate(input: &ConsentInput, now: DateTime<Utc>) -> Result<Valid> {
    let mut issues = Vec::new();
    let channel = if input.channel.trim().is_empty() {
        "email".to_string()
    } else {
        input.channel.trim().to_string()
    };
    if !CHANNELS.contains(&channel.as_str()) {
        issues.push(FieldIssue::new(
            "channel",
            "unknown_channel",
            format!("{channel:?} is not a channel ({})", CHANNELS.join(", ")),
        ));
    }
    let state = input.state.trim().to_string();
    if !STATES.contains(&state.as_str()) {
        issues.push(FieldIssue::new(
            "state",
            "unknown_state",
            format!("{state:?} is not a consent state ({})", STATES.join(", ")),
        ));
    }
    let method = if input.method.trim().is_empty() {
        "manual".to_string()
    } else {
        input.method.trim().to_string()
    };
    if !METHODS.contains(&method.as_str()) {
        issues.push(FieldIssue::new(
            "method",
            "unknown_method",
            format!("{method:?} is not a method ({})", METHODS.join(", ")),
        ));
    }
    let text = input.recorded_at.trim();
    let at = if text.is_empty() {
        Some(now)
    } else {
        crate::activities::parse_time(text).or_else(|| {
            NaiveDate::parse_from_str(text, "%Y/%m/%d")
                .ok()
                .and_then(|d| crate::activities::parse_time(&d.format("%Y-%m-%d").to_string()))
        })
    };
    let recorded_at = match at {
        Some(t) if t <= now + chrono::Duration::days(1) => crate::time::format(t),
        Some(_) => {
            issues.push(FieldIssue::new(
                "recordedAt",
                "out_of_range",
                "the date is in the future",
            ));
            String::new()
        }
        None => {
            issues.push(FieldIssue::new(
                "recordedAt",
                "invalid_time",
                format!("{text:?} is not a date (2026-11-20)"),
            ));
            String::new()
        }
    };
    let evidence: String = input.evidence.trim().to_string();
    if evidence.chars().count() > MAX_EVIDENCE_CHARS {
        issues.push(FieldIssue::new(
            "evidence",
            "too_long",
            format!("the evidence has at most {MAX_EVIDENCE_CHARS} characters"),
        ));
    }
    if !issues.is_empty() {
        return Err(Error::Invalid { issues });
    }
    Ok(Valid {
        channel,
        state,
        method,
        recorded_at,
        evidence,
    })
}

fn lead_email_key(conn: &Connection, lead_id: i64) -> Result<String> {
    conn.prepare_cached("SELECT email_key FROM leads WHERE id = ?1")?
        .query_row([lead_id], |r| r.get(0))
        .optional()?
        .ok_or(Error::NotFound {
            entity: "lead",
            id: lead_id,
        })
}

/// Sets the lead's state from its latest email record and keeps the suppression list in step.
pub(crate) fn sync_lead_in(tx: &Transaction, lead_id: i64) -> Result<String> {
    let key = lead_email_key(tx, lead_id)?;
    let latest: Option<String> = tx
        .prepare_cached(
            "SELECT state FROM consents WHERE lead_id = ?1 AND channel = 'email'
              ORDER BY recorded_at DESC, id DESC LIMIT 1",
        )?
        .query_row([lead_id], |r| r.get(0))
        .optional()?;
    let mut state = latest.unwrap_or_else(|| "unknown".into());
    if !key.is_empty() {
        match state.as_str() {
            "opted_out" => {
                suppression::add_in(tx, &key, "opted_out")?;
            }
            "bounced" => {
                suppression::add_in(tx, &key, "bounced")?;
            }
            "opted_in" => {
                suppression::lift_opt_out_in(tx, &key)?;
                // A bounce stays on the list: the address does not receive mail.
                if let Some(reason) = suppression::reason_in(tx, &key)? {
                    state = suppression::lead_state_for(&reason).to_string();
                }
            }
            _ => {
                if let Some(reason) = suppression::reason_in(tx, &key)? {
                    state = suppression::lead_state_for(&reason).to_string();
                }
            }
        }
    }
    tx.prepare_cached("UPDATE leads SET consent_state = ?2, updated_at = ?3 WHERE id = ?1 AND consent_state <> ?2")?
        .execute(params![lead_id, state, crate::time::now()])?;
    Ok(state)
}

fn record_in(conn: &Connection, id: i64) -> Result<ConsentRecord> {
    conn.prepare_cached(
        "SELECT c.id, c.lead_id, c.channel, c.state, c.method, c.recorded_at, c.evidence, e.name, c.updated_at
           FROM consents c LEFT JOIN events e ON e.id = c.event_id WHERE c.id = ?1",
    )?
    .query_row([id], row)
    .optional()?
    .ok_or(Error::NotFound { entity: "consent", id })
}

fn row(r: &rusqlite::Row) -> rusqlite::Result<ConsentRecord> {
    Ok(ConsentRecord {
        id: r.get(0)?,
        lead_id: r.get(1)?,
        channel: r.get(2)?,
        state: r.get(3)?,
        method: r.get(4)?,
        recorded_at: r.get(5)?,
        evidence: r.get(6)?,
        event_name: r.get(7)?,
        updated_at: r.get(8)?,
    })
}

/// A lead's records, newest first.
pub fn list(db: &Sodate, lead_id: i64) -> Result<Vec<ConsentRecord>> {
    db.read(|conn| list_in(conn, lead_id))
}

pub(crate) fn list_in(conn: &Connection, lead_id: i64) -> Result<Vec<ConsentRecord>> {
    lead_email_key(conn, lead_id)?;
    Ok(conn
        .prepare_cached(
            "SELECT c.id, c.lead_id, c.channel, c.state, c.method, c.recorded_at, c.evidence, e.name, c.updated_at
               FROM consents c LEFT JOIN events e ON e.id = c.event_id
              WHERE c.lead_id = ?1 ORDER BY c.recorded_at DESC, c.id DESC",
        )?
        .query_map([lead_id], row)?
        .collect::<rusqlite::Result<_>>()?)
}

/// Records consent; the lead's state follows (and the suppression list).
pub fn add(db: &Sodate, input: &ConsentInput, now: DateTime<Utc>) -> Result<ConsentRecord> {
    let v = validate(input, now)?;
    db.write(|tx| {
        let id = add_in(
            tx,
            input.lead_id,
            &v.channel,
            &v.state,
            &v.method,
            &v.recorded_at,
            &v.evidence,
            None,
        )?;
        record_in(tx, id)
    })
}

#[allow(clippy::too_many_arguments)] // one consent record's columns, each named at the call
pub(crate) fn add_in(
    tx: &Transaction,
    lead_id: i64,
    channel: &str,
    state: &str,
    method: &str,
    recorded_at: &str,
    evidence: &str,
    event_id: Option<i64>,
) -> Result<i64> {
    lead_email_key(tx, lead_id)?;
    tx.prepare_cached(
        "INSERT INTO consents (lead_id, channel, state, method, recorded_at, evidence, event_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![lead_id, channel, state, method, recorded_at, evidence, event_id])?;
    let id = tx.last_insert_rowid();
    sync_lead_in(tx, lead_id)?;
    crate::leads::audit_in(
        tx,
        "consent.add",
        "lead",
        Some(lead_id),
        &serde_json::json!({ "consent": id, "state": state, "channel": channel }),
    )?;
    Ok(id)
}

/// Corrects a record (its lead cannot change).
pub fn edit(
    db: &Sodate,
    id: i64,
    input: &ConsentInput,
    now: DateTime<Utc>,
) -> Result<ConsentRecord> {
    let v = validate(input, now)?;
    db.write(|tx| {
        let old = record_in(tx, id)?;
        tx.prepare_cached(
            "UPDATE consents SET channel = ?2, state = ?3, method = ?4, recorded_at = ?5, evidence = ?6, updated_at = ?7 WHERE id = ?1",
        )?
        .execute(params![id, v.channel, v.state, v.method, v.recorded_at, v.evidence, crate::time::now()])?;
        sync_lead_in(tx, old.lead_id)?;
        crate::leads::audit_in(tx, "consent.edit", "lead", Some(old.lead_id), &serde_json::json!({ "consent": id, "before": old.state, "after": v.state }))?;
        record_in(tx, id)
    })
}
