//! Person requests: everything held about one person in one file (JSON or CSV), and erasure
//! that leaves only a hashed suppression entry.
//!
//! Invariants of erasure: one transaction; the lead and everything that names them (their
//! activities, consents, contacts, tags, stage and score history, list memberships, the
//! import and merge journal entries and the audit entries about them) are deleted; each of
//! their emails stays only as a SHA-256 on the suppression list (reason `erased`), so that a
//! later import of the same email creates an opted-out lead and no export includes it.

use std::path::Path;

use rusqlite::{params, Connection};
use serde::Serialize;

use crate::{Error, Result, Sodate};

use super::suppression;

/// What a person export wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PersonExportReport {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub lead_id: i64,
    /// `json` or `csv`.
    pub format: String,
    pub activities: u32,
    pub consents: u32,
}

/// Everything held about one person.
pub fn dossier(db: &Sodate, lead_id: i64) -> Result<serde_json::Value> {
    db.read(|conn| dossier_in(conn, lead_id))
}

fn strings(conn: &Connection, sql: &str, id: i64) -> Result<Vec<serde_json::Value>> {
    let mut stmt = conn.prepare(sql)?;
    let names: Vec<String> = stmt.column_names().iter().map(|s| s.to_string()).collect();
    let rows = stmt
        .query_map([id], |r| {
            let mut m = serde_json::Map::new();
            for (i, n) in names.iter().enumerate() {
                let v = match r.get_ref(i)? {
                    rusqlite::types::ValueRef::Null => serde_json::Value::Null,
                    rusqlite::types::ValueRef::Integer(x) => x.into(),
                    rusqlite::types::ValueRef::Real(x) => x.into(),
                    rusqlite::types::ValueRef::Text(t) => {
                        String::from_utf8_lossy(t).into_owned().into()
                    }
                    rusqlite::types::ValueRef::Blob(_) => serde_json::Value::Null,
                };
                m.insert(n.clone(), v);
            }
            Ok(serde_json::Value::Object(m))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

fn dossier_in(conn: &Connection, lead_id: i64) -> Result<serde_json::Value> {
    let detail = crate::leads::get_in(conn, lead_id)?;
    let (_, activities) = crate::activities::page_in(conn, lead_id, 0, u32::MAX)?;
    let consents = crate::consent::list_in(conn, lead_id)?;
    let contacts = strings(
        conn,
        "SELECT kind, value FROM lead_contacts WHERE lead_id = ?1 ORDER BY id",
        lead_id,
    )?;
    let scores = strings(
        conn,
        "SELECT at, engagement, fit, grade, to_mql AS mql, reason FROM score_history WHERE lead_id = ?1 ORDER BY at, id",
        lead_id,
    )?;
    let audit = strings(
        conn,
        "SELECT at, action, detail FROM audit_log WHERE entity = 'lead' AND entity_id = ?1 ORDER BY id",
        lead_id,
    )?;
    let key: String = conn.query_row(
        "SELECT email_key FROM leads WHERE id = ?1",
        [lead_id],
        |r| r.get(0),
    )?;
    let suppressed = suppression::reason_in(conn, &key)?;
    Ok(serde_json::json!({
        "exportedAt": crate::time::now(),
        "lead": detail.lead,
        "tags": detail.tags,
        "customFields": detail.custom_fields,
        "furtherContacts": contacts,
        "activities": activities,
        "consents": consents,
        "suppression": suppressed,
        "stageHistory": detail.stage_history,
        "scoreHistory": scores,
        "auditLog": audit,
    }))
}

fn flatten(prefix: &str, v: &serde_json::Value, out: &mut Vec<(String, String)>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&p, x, out);
            }
        }
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                flatten(&format!("{prefix}[{}]", i + 1), x, out);
            }
        }
        serde_json::Value::Null => out.push((prefix.to_string(), String::new())),
        serde_json::Value::String(s) => out.push((prefix.to_string(), s.clone())),
        other => out.push((prefix.to_string(), other.to_string())),
    }
}

/// Writes everything held about the lead to `out`: JSON, or with `.csv` a UTF-8 (BOM) CSV of
/// `item,value` lines (`activities[3].kind`, …) that Excel opens; every cell protected.
pub fn export(db: &Sodate, lead_id: i64, out: &Path) -> Result<PersonExportReport> {
    let d = dossier(db, lead_id)?;
    let csv = out
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let text = if csv {
        let mut lines = vec![("item".to_string(), "value".to_string())];
        flatten("", &d, &mut lines);
        let mut t = String::from("\u{feff}");
        for (k, v) in lines {
            t.push_str(&super::write::csv_field(&super::cells::protect(&k)));
            t.push(',');
            t.push_str(&super::write::csv_field(&super::cells::protect(&v)));
            t.push_str("\r\n");
        }
        t
    } else {
        serde_json::to_string_pretty(&d)?
    };
    let part = crate::files::PartFile::new(out)?;
    std::fs::write(part.path(), text).map_err(|e| part.error(e))?;
    part.commit()?;
    let count = |k: &str| {
        d.get(k)
            .and_then(|v| v.as_array())
            .map_or(0, |a| a.len() as u32)
    };
    Ok(PersonExportReport {
        lead_id,
        format: if csv { "csv" } else { "json" }.into(),
        activities: count("activities"),
        consents: count("consents"),
    })
}

/// What an erasure removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct EraseReport {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub lead_id: i64,
    pub activities: u32,
    pub consents: u32,
    /// Emails kept as hashes on the suppression list.
    pub hashes: u32,
}

/// Erases a person (see the module documentation).
pub fn erase(db: &Sodate, lead_id: i64) -> Result<EraseReport> {
    db.write(|tx| {
        let key: Option<String> = tx
            .query_row("SELECT email_key FROM leads WHERE id = ?1", [lead_id], |r| r.get(0))
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(e),
            })?;
        let Some(key) = key else {
            return Err(Error::NotFound { entity: "lead", id: lead_id });
        };
        let mut keys: Vec<String> = tx
            .prepare("SELECT value_key FROM lead_contacts WHERE lead_id = ?1 AND kind = 'email' AND value_key <> ''")?
            .query_map([lead_id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        if !key.is_empty() {
            keys.insert(0, key);
        }
        keys.dedup();
        for k in &keys {
            suppression::add_in(tx, k, "erased")?;
        }
        let count = |sql: &str| -> Result<u32> { Ok(tx.query_row(sql, [lead_id], |r| r.get(0))?) };
        let activities = count("SELECT count(*) FROM activities WHERE lead_id = ?1")?;
        let consents = count("SELECT count(*) FROM consents WHERE lead_id = ?1")?;
        for sql in [
            "DELETE FROM import_changes WHERE lead_id = ?1",
            "DELETE FROM merges WHERE survivor_id = ?1 OR merged_id = ?1",
            "DELETE FROM not_duplicates WHERE lead_a = ?1 OR lead_b = ?1",
            "DELETE FROM demo_duplicates WHERE lead_id = ?1 OR original_id = ?1",
            "DELETE FROM audit_log WHERE entity = 'lead' AND entity_id = ?1",
            "DELETE FROM leads WHERE id = ?1",
        ] {
            tx.execute(sql, params![lead_id])?;
        }
        // The erasure itself is recorded without anything that names the person.
        crate::leads::audit_in(tx, "person.erase", "erasure", None, &serde_json::json!({ "hashes": keys.len() }))?;
        Ok(EraseReport {
            lead_id,
            activities,
            consents,
            hashes: keys.len() as u32,
        })
    })
}
