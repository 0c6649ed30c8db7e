//! Import batches after the fact: the history, undo, the failed rows as a CSV, and the
//! mappings users save as presets.
//!
//! Undo is exact and safe: leads the import created are removed, and each field it updated
//! goes back to its value before the import *if it still holds the value the import wrote*
//! (a field changed since is kept, and the report says so). Leads merged with another lead
//! since, or updated by a later import, are kept and named in the report.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;

use super::mapping::{ColumnMapping, Field, Preset};
use super::TextEncoding;
use crate::leads::{self, field_of, load_input, set_field, tags_of, Provenance};
use crate::time::now;
use crate::{Error, LeadInput, Result, Sodate};

/// Notes listed in an undo report at most (the counts are complete).
pub const UNDO_NOTES: usize = 200;

/// The lead fields an import writes, with their codes.
pub(crate) const LEAD_FIELDS: [(Field, &str); 16] = [
    (Field::FamilyName, "family_name"),
    (Field::GivenName, "given_name"),
    (Field::FamilyReading, "family_reading"),
    (Field::GivenReading, "given_reading"),
    (Field::CompanyName, "company_name"),
    (Field::CompanyReading, "company_reading"),
    (Field::Department, "department"),
    (Field::Title, "title"),
    (Field::Email, "email"),
    (Field::Phone, "phone"),
    (Field::Mobile, "mobile"),
    (Field::PostalCode, "postal_code"),
    (Field::Prefecture, "prefecture"),
    (Field::Address, "address"),
    (Field::Website, "website"),
    (Field::Notes, "notes"),
];

/// One import in the history.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ImportBatch {
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub id: i64,
    pub file_name: String,
    pub format: String,
    pub encoding: String,
    pub mode: String,
    /// `applied` or `undone`.
    pub status: String,
    pub rows: u32,
    pub created: u32,
    pub updated: u32,
    pub skipped: u32,
    pub failed: u32,
    pub created_at: String,
    pub undone_at: Option<String>,
    /// What the undo did, once undone.
    pub undo: Option<UndoReport>,
}

/// Why a lead was left as it is by an undo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct UndoNote {
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub lead_id: i64,
    pub name: String,
    /// `merged_since`, `merged_into`, `updated_by_later_import`, `deleted_since`, `changed_since`.
    pub code: String,
    pub message: String,
}

/// What an undo did.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct UndoReport {
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub batch: i64,
    /// Leads the import created, now removed.
    pub removed: u32,
    /// Leads the import updated, now restored (wholly or in part).
    pub restored: u32,
    /// Leads kept as they are, or fields kept, with the reason (the first ones).
    pub notes: Vec<UndoNote>,
    pub notes_total: u32,
}

impl UndoReport {
    fn note(&mut self, lead_id: i64, name: String, code: &str, message: String) {
        self.notes_total += 1;
        if self.notes.len() < UNDO_NOTES {
            self.notes.push(UndoNote {
                lead_id,
                name,
                code: code.into(),
                message,
            });
        }
    }
}

/// Every import, the newest first.
pub fn history(db: &Sodate) -> Result<Vec<ImportBatch>> {
    db.read(|conn| {
        let rows = conn
            .prepare(
                "SELECT id, file_name, format, encoding, mode, status, rows_total, rows_created,
                        rows_updated, rows_skipped, rows_failed, created_at, undone_at, undo_report
                 FROM import_batches ORDER BY id DESC",
            )?
            .query_map([], |r| {
                Ok((
                    ImportBatch {
                        id: r.get(0)?,
                        file_name: r.get(1)?,
                        format: r.get(2)?,
                        encoding: r.get(3)?,
                        mode: r.get(4)?,
                        status: r.get(5)?,
                        rows: r.get(6)?,
                        created: r.get(7)?,
                        updated: r.get(8)?,
                        skipped: r.get(9)?,
                        failed: r.get(10)?,
                        created_at: r.get(11)?,
                        undone_at: r.get(12)?,
                        undo: None,
                    },
                    r.get::<_, Option<String>>(13)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(mut b, undo)| {
                b.undo = undo.map(|u| serde_json::from_str(&u)).transpose()?;
                Ok(b)
            })
            .collect()
    })
}

fn display_name(input: &LeadInput) -> String {
    format!("{} {}", input.family_name, input.given_name)
        .trim()
        .to_string()
}

/// Undoes an import; see the module documentation.
pub fn undo(db: &Sodate, batch: i64) -> Result<UndoReport> {
    db.write(|tx| {
        // The fields it restores are written lead by lead: their search index writes are
        // made once at the end (row by row, each lead became an FTS5 segment to merge).
        let held = crate::leads::HeldSearchWrites::start(tx, crate::leads::NewLeads::Noted)?;
        let report = undo_in(tx, batch)?;
        held.finish_in(tx)?;
        Ok(report)
    })
}

fn undo_in(tx: &Transaction, batch: i64) -> Result<UndoReport> {
    let status: String = tx
        .query_row(
            "SELECT status FROM import_batches WHERE id = ?1",
            [batch],
            |r| r.get(0),
        )
        .optional()?
        .ok_or(Error::NotFound {
            entity: "import batch",
            id: batch,
        })?;
    if status != "applied" {
        return Err(Error::Conflict(format!("import {batch} is already undone")));
    }
    let mut report = UndoReport {
        batch,
        ..UndoReport::default()
    };

    // Leads it created: kept when merged with another lead since, or updated by a later
    // import (undo that one first); the others removed in one statement.
    tx.execute_batch("CREATE TEMP TABLE IF NOT EXISTS undo_keep (id INTEGER PRIMARY KEY); DELETE FROM undo_keep;")?;
    let kept: Vec<(i64, String, String, String)> = tx
        .prepare(
            "SELECT l.id, l.family_name || ' ' || l.given_name, 'merged_since', m.merged_id
             FROM leads l JOIN merges m ON m.survivor_id = l.id AND m.undone_at IS NULL
             WHERE l.import_batch_id = ?1
             UNION ALL
             SELECT m.merged_id,
                    coalesce(json_extract(m.snapshot, '$.merged.family_name'), '') || ' ' ||
                    coalesce(json_extract(m.snapshot, '$.merged.given_name'), ''),
                    'merged_into', m.survivor_id
             FROM merges m
             WHERE m.undone_at IS NULL AND json_extract(m.snapshot, '$.merged.import_batch_id') = ?1
             UNION ALL
             SELECT l.id, l.family_name || ' ' || l.given_name, 'updated_by_later_import', b.id
             FROM leads l JOIN import_changes ic ON ic.lead_id = l.id
                  JOIN import_batches b ON b.id = ic.batch_id AND b.status = 'applied'
             WHERE l.import_batch_id = ?1 AND ic.batch_id > ?1",
        )?
        .query_map([batch], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get::<_, i64>(3)?.to_string(),
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    for (id, name, code, other) in kept {
        let fresh = tx
            .prepare_cached("INSERT OR IGNORE INTO undo_keep (id) VALUES (?1)")?
            .execute([id])?
            > 0;
        if fresh {
            let message = if code == "merged_since" {
                format!("kept: lead {other} was merged into it since the import")
            } else if code == "merged_into" {
                format!(
                    "kept: it was merged into lead {other} since the import; its values live on there, \
                     and unmerging brings it back as it was"
                )
            } else {
                format!("kept: import {other} updated it since; undo that import first")
            };
            report.note(id, name.trim().to_string(), &code, message);
        }
    }
    report.removed = u32::try_from(tx.execute(
        "DELETE FROM leads WHERE import_batch_id = ?1 AND id NOT IN (SELECT id FROM undo_keep)",
        [batch],
    )?)
    .unwrap_or(u32::MAX);

    // Leads it updated: each field back, where it still holds what the import wrote.
    let changes: Vec<(i64, String)> = tx
        .prepare(
            "SELECT lead_id, before FROM import_changes
             WHERE batch_id = ?1 AND change = 'updated' ORDER BY id DESC",
        )?
        .query_map([batch], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (id, diff) in changes {
        let diff: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&diff)?;
        match load_input(tx, id) {
            Err(Error::NotFound { .. }) => {
                let merged_into: Option<i64> = tx
                    .query_row(
                        "SELECT survivor_id FROM merges WHERE merged_id = ?1 AND undone_at IS NULL",
                        [id],
                        |r| r.get(0),
                    )
                    .optional()?;
                let (code, message) = match merged_into {
                    Some(s) => (
                        "merged_since",
                        format!("not restored: merged into lead {s} since the import"),
                    ),
                    None => (
                        "deleted_since",
                        "not restored: deleted since the import".to_string(),
                    ),
                };
                report.note(id, String::new(), code, message);
            }
            Err(e) => return Err(e),
            Ok((current, mut custom, source)) => {
                restore_lead(tx, id, current, &mut custom, &source, &diff, &mut report)?;
            }
        }
    }
    // Leads given back their values are scored on them again (ids no longer there are skipped).
    let restored: Vec<i64> = tx
        .prepare("SELECT DISTINCT lead_id FROM import_changes WHERE batch_id = ?1 AND change = 'updated'")?
        .query_map([batch], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    crate::scoring::recompute_leads(tx, &restored, chrono::Utc::now())?;
    tx.execute(
        "UPDATE import_batches SET status = 'undone', undone_at = ?2, undo_report = ?3 WHERE id = ?1",
        params![batch, now(), serde_json::to_string(&report)?],
    )?;
    leads::audit_in(
        tx,
        "import.undo",
        "import_batch",
        Some(batch),
        &serde_json::json!({ "removed": report.removed, "restored": report.restored, "notes": report.notes_total }),
    )?;
    Ok(report)
}

fn restore_lead(
    tx: &Transaction,
    id: i64,
    current: LeadInput,
    custom: &mut BTreeMap<String, String>,
    source: &str,
    diff: &serde_json::Map<String, serde_json::Value>,
    report: &mut UndoReport,
) -> Result<()> {
    let name = display_name(&current);
    let mut restored = current.clone();
    let mut changed_since = Vec::new();
    let pair = |v: &serde_json::Value| -> (String, String) {
        let s = |i: usize| v.get(i).and_then(|x| x.as_str()).unwrap_or("").to_string();
        (s(0), s(1))
    };
    for (key, value) in diff {
        if key == "+tags" {
            continue;
        }
        let (before, after) = pair(value);
        if let Some(name) = key.strip_prefix("custom:") {
            let now_value = custom.get(name).cloned().unwrap_or_default();
            if now_value == after {
                if before.is_empty() {
                    custom.remove(name);
                } else {
                    custom.insert(name.to_string(), before);
                }
            } else {
                changed_since.push(name.to_string());
            }
        } else if field_of(&current, key) == after {
            set_field(&mut restored, key, &before);
        } else {
            changed_since.push(key.clone());
        }
    }
    restored.tags = tags_of(tx, id)?;
    if let Some(added) = diff.get("+tags").and_then(|t| t.as_array()) {
        let added: Vec<&str> = added.iter().filter_map(|t| t.as_str()).collect();
        restored.tags.retain(|t| !added.contains(&t.as_str()));
    }
    let valid = leads::validate(&restored)?;
    let custom_json = serde_json::to_string(custom)?;
    leads::rewrite_in(
        tx,
        id,
        &valid,
        source,
        &Provenance {
            custom: Some(&custom_json),
            ..Provenance::default()
        },
    )?;
    leads::set_tags_in(tx, id, &valid.tags)?;
    report.restored += 1;
    if !changed_since.is_empty() {
        report.note(
            id,
            name,
            "changed_since",
            format!(
                "kept the values changed since the import: {}",
                changed_since.join(", ")
            ),
        );
    }
    Ok(())
}

/// Writes the rows a batch could not import to `out` as a CSV in the file's own encoding
/// (UTF-8 with BOM for workbooks and vCards), with the reason in a last column. Returns
/// the number of rows written.
pub fn write_failures(db: &Sodate, batch: i64, out: &Path) -> Result<u32> {
    let (encoding, options): (String, String) = db.read(|conn| {
        conn.query_row(
            "SELECT encoding, options FROM import_batches WHERE id = ?1",
            [batch],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .ok_or(Error::NotFound {
            entity: "import batch",
            id: batch,
        })
    })?;
    let options: serde_json::Value = serde_json::from_str(&options)?;
    let headers: Vec<String> = options
        .get("headers")
        .and_then(|h| serde_json::from_value(h.clone()).ok())
        .unwrap_or_default();
    let rows: Vec<(i64, String, String)> = db.read(|conn| {
        Ok(conn
            .prepare(
                "SELECT row_number, reason, cells FROM import_failures
                 WHERE batch_id = ?1 ORDER BY row_number",
            )?
            .query_map([batch], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?)
    })?;
    let mut text = String::new();
    let mut header_line: Vec<String> = headers.clone();
    header_line.push("行".into());
    header_line.push("エラー理由".into());
    push_csv_line(&mut text, &header_line);
    for (row, reason, cells) in &rows {
        let mut cells: Vec<String> = serde_json::from_str(cells)?;
        cells.resize(headers.len().max(cells.len()), String::new());
        cells.push(row.to_string());
        cells.push(reason.clone());
        push_csv_line(&mut text, &cells);
    }
    let bytes = match encoding.parse::<TextEncoding>() {
        Ok(e) if !e.is_utf16() && e != TextEncoding::Utf8 && e != TextEncoding::Utf8Bom => {
            e.encoding().encode(&text).0.into_owned()
        }
        Ok(TextEncoding::Utf8) => text.into_bytes(),
        _ => {
            let mut b = "\u{feff}".as_bytes().to_vec();
            b.extend_from_slice(text.as_bytes());
            b
        }
    };
    let mut file = std::fs::File::create(out).map_err(|e| Error::FileWrite {
        path: out.to_path_buf(),
        detail: e.to_string(),
    })?;
    file.write_all(&bytes).map_err(|e| Error::FileWrite {
        path: out.to_path_buf(),
        detail: e.to_string(),
    })?;
    Ok(u32::try_from(rows.len()).unwrap_or(u32::MAX))
}

/// One CSV line (CRLF, as Excel writes), quoting cells that need it.
fn push_csv_line(out: &mut String, cells: &[String]) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if cell.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&cell.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(cell);
        }
    }
    out.push_str("\r\n");
}

/// Saves a mapping as a preset under `name`; returns it.
pub fn save_preset(db: &Sodate, name: &str, mapping: &[ColumnMapping]) -> Result<Preset> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::invalid("name", "required", "a preset needs a name"));
    }
    let id = format!("user:{name}");
    let preset = Preset::from_mappings(&id, name, name, mapping);
    db.write(|tx| {
        tx.execute(
            "INSERT OR REPLACE INTO import_presets (id, name, preset, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![id, name, serde_json::to_string(&preset)?, now()],
        )?;
        Ok(())
    })?;
    Ok(preset)
}

/// The presets users saved.
pub fn saved_presets(db: &Sodate) -> Result<Vec<Preset>> {
    db.read(|conn| {
        let texts: Vec<String> = conn
            .prepare("SELECT preset FROM import_presets ORDER BY name")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        texts.iter().map(|t| Ok(serde_json::from_str(t)?)).collect()
    })
}

pub(crate) fn saved_preset(db: &Sodate, id: &str) -> Result<Option<Preset>> {
    Ok(saved_presets(db)?.into_iter().find(|p| p.id == id))
}

/// Deletes a saved preset.
pub fn delete_preset(db: &Sodate, id: &str) -> Result<()> {
    db.write(|tx| {
        tx.execute("DELETE FROM import_presets WHERE id = ?1", [id])?;
        Ok(())
    })
}
