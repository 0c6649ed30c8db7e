//! The suppression list: emails that are never written to a mail export, whatever a segment
//! says. Each entry holds the SHA-256 of the normalised email (lowercase hex) and, unless the
//! person was erased, the normalised email itself.
//!
//! Invariants:
//! * an entry is never removed by an import; only a new opt-in recorded for the person
//!   removes an `opted_out`/`manual` entry ([`crate::consent`]);
//! * a lead created with a suppressed email is created opted out (or bounced), so a later
//!   import cannot bring an erased or unsubscribed person back into mailings.

use std::collections::HashMap;
use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::{Error, FieldIssue, Result, Sodate};

/// Why an email is suppressed.
pub const REASONS: &[&str] = &["opted_out", "bounced", "erased", "manual"];

/// SHA-256 of a normalised email key, as lowercase hex (what `suppressions.email_hash` holds
/// and the hashed list export carries).
pub fn hash_key(email_key: &str) -> String {
    let digest = Sha256::digest(email_key.as_bytes());
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push(char::from_digit(u32::from(b >> 4), 16).unwrap_or('0'));
        out.push(char::from_digit(u32::from(b & 0xf), 16).unwrap_or('0'));
    }
    out
}

fn raw_hash(email_key: &str) -> [u8; 32] {
    Sha256::digest(email_key.as_bytes()).into()
}

fn parse_hex(hex: &str) -> Option<[u8; 32]> {
    if hex.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, chunk) in hex.as_bytes().chunks(2).enumerate() {
        let s = std::str::from_utf8(chunk).ok()?;
        out[i] = u8::from_str_radix(s, 16).ok()?;
    }
    Some(out)
}

/// The whole list in memory, for checking many emails (an export).
#[derive(Default)]
pub(crate) struct SuppressionSet {
    by_hash: HashMap<[u8; 32], String>,
}

impl SuppressionSet {
    pub(crate) fn load(conn: &Connection) -> Result<Self> {
        let mut by_hash = HashMap::new();
        let mut stmt = conn.prepare("SELECT email_hash, reason FROM suppressions")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let hex: String = r.get(0)?;
            if let Some(h) = parse_hex(&hex) {
                by_hash.insert(h, r.get(1)?);
            }
        }
        Ok(Self { by_hash })
    }

    /// The reason `email_key` is suppressed, if it is.
    pub(crate) fn reason(&self, email_key: &str) -> Option<&str> {
        if self.by_hash.is_empty() || email_key.is_empty() {
            return None;
        }
        self.by_hash.get(&raw_hash(email_key)).map(String::as_str)
    }
}

/// The reason an email key is suppressed, if it is (one indexed lookup).
pub(crate) fn reason_in(conn: &Connection, email_key: &str) -> Result<Option<String>> {
    if email_key.is_empty() {
        return Ok(None);
    }
    Ok(conn
        .prepare_cached("SELECT reason FROM suppressions WHERE email_hash = ?1")?
        .query_row([hash_key(email_key)], |r| r.get(0))
        .optional()?)
}

/// Adds (or strengthens) the entry of `email_key`. `erased` entries lose their email;
/// an existing entry keeps the strongest reason (erased > bounced > opted_out > manual).
/// True when the list changed.
pub(crate) fn add_in(tx: &Transaction, email_key: &str, reason: &str) -> Result<bool> {
    add_hash_in(tx, &hash_key(email_key), Some(email_key), reason)
}

fn rank(reason: &str) -> u8 {
    match reason {
        "erased" => 4,
        "bounced" => 3,
        "opted_out" => 2,
        _ => 1,
    }
}

fn add_hash_in(
    tx: &Transaction,
    hash: &str,
    email_key: Option<&str>,
    reason: &str,
) -> Result<bool> {
    let key = if reason == "erased" { None } else { email_key };
    let existing: Option<(Option<String>, String)> = tx
        .prepare_cached("SELECT email_key, reason FROM suppressions WHERE email_hash = ?1")?
        .query_row([hash], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match existing {
        None => {
            tx.prepare_cached(
                "INSERT INTO suppressions (email_key, email_hash, reason, created_at)
                 VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![key, hash, reason, crate::time::now()])?;
            Ok(true)
        }
        Some((old_key, old_reason)) => {
            let stronger = rank(reason) > rank(&old_reason);
            let new_reason = if stronger {
                reason
            } else {
                old_reason.as_str()
            };
            let new_key = if new_reason == "erased" {
                None
            } else {
                old_key.clone().or_else(|| key.map(str::to_string))
            };
            if new_reason != old_reason || new_key != old_key {
                tx.prepare_cached(
                    "UPDATE suppressions SET reason = ?2, email_key = ?3 WHERE email_hash = ?1",
                )?
                .execute(params![hash, new_reason, new_key])?;
                return Ok(true);
            }
            Ok(false)
        }
    }
}

/// Removes the opt-out entry of `email_key` (a new opt-in); bounces and erasures stay.
pub(crate) fn lift_opt_out_in(tx: &Transaction, email_key: &str) -> Result<bool> {
    Ok(tx
        .prepare_cached(
            "DELETE FROM suppressions WHERE email_hash = ?1 AND reason IN ('opted_out', 'manual')",
        )?
        .execute([hash_key(email_key)])?
        > 0)
}

/// The consent state a lead with a suppressed email gets.
pub(crate) fn lead_state_for(reason: &str) -> &'static str {
    if reason == "bounced" {
        "bounced"
    } else {
        "opted_out"
    }
}

/// Marks the leads whose email (or a further email) is `email_key` as suppressed.
pub(crate) fn mark_leads_in(tx: &Transaction, email_key: &str, reason: &str) -> Result<u32> {
    let state = lead_state_for(reason);
    let n = tx
        .prepare_cached(
            "UPDATE leads SET consent_state = ?2, updated_at = ?3
              WHERE consent_state NOT IN ('opted_out', 'erased', ?2)
                AND (email_key = ?1
                     OR id IN (SELECT lead_id FROM lead_contacts WHERE kind = 'email' AND value_key = ?1))",
        )?
        .execute(params![email_key, state, crate::time::now()])?;
    Ok(n as u32)
}

/// One entry as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SuppressionEntry {
    pub email: Option<String>,
    pub email_hash: String,
    pub reason: String,
    pub created_at: String,
}

/// The whole list, oldest first.
pub fn list(db: &Sodate) -> Result<Vec<SuppressionEntry>> {
    db.read(|conn| {
        Ok(conn
            .prepare(
                "SELECT email_key, email_hash, reason, created_at FROM suppressions ORDER BY id",
            )?
            .query_map([], |r| {
                Ok(SuppressionEntry {
                    email: r.get(0)?,
                    email_hash: r.get(1)?,
                    reason: r.get(2)?,
                    created_at: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?)
    })
}

/// What a list export wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SuppressionExportReport {
    pub entries: u32,
    /// Entries written with their email (plain export; erased people only as a hash).
    pub with_email: u32,
}

/// Writes the list as a UTF-8 CSV: `email_hash,reason,created_at`, or with `plain` also
/// `email` first (empty for erased people, who are kept only as a hash).
pub fn export_list(db: &Sodate, out: &Path, plain: bool) -> Result<SuppressionExportReport> {
    let entries = list(db)?;
    let mut text = String::new();
    if plain {
        text.push_str("email,email_hash,reason,created_at\r\n");
    } else {
        text.push_str("email_hash,reason,created_at\r\n");
    }
    let mut with_email = 0;
    for e in &entries {
        if plain {
            let email = e.email.as_deref().unwrap_or("");
            if !email.is_empty() {
                with_email += 1;
            }
            text.push_str(&super::write::csv_field(&super::cells::protect(email)));
            text.push(',');
        }
        text.push_str(&format!(
            "{},{},{}\r\n",
            e.email_hash, e.reason, e.created_at
        ));
    }
    crate::files::write_text(out, &text)?;
    Ok(SuppressionExportReport {
        entries: entries.len() as u32,
        with_email,
    })
}

/// What a list import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SuppressionImportReport {
    pub rows: u32,
    pub added: u32,
    pub already: u32,
    pub leads_marked: u32,
}

/// Reads a suppression list (CSV/TSV/Excel with an `email` and/or `email_hash` column and an
/// optional `reason`) and adds every entry. Any bad row (not an email, not a 64-digit hex
/// hash, unknown reason) fails the import with every bad row listed; nothing is written.
pub fn import_list(db: &Sodate, path: &Path) -> Result<SuppressionImportReport> {
    let mut reader = crate::import::open(path, &crate::import::Options::default())?;
    let find = |names: &[&str]| {
        reader.headers().iter().position(|h| {
            let h = crate::normalize::nfkc(h)
                .trim()
                .to_lowercase()
                .replace([' ', '-'], "_");
            names.contains(&h.as_str())
        })
    };
    let email_col = find(&[
        "email",
        "email_address",
        "e_mail",
        "メールアドレス",
        "メール",
    ]);
    let hash_col = find(&["email_hash", "hash", "sha256", "ハッシュ"]);
    let reason_col = find(&["reason", "理由"]);
    if email_col.is_none() && hash_col.is_none() {
        return Err(Error::invalid(
            "file",
            "missing_column",
            format!(
                "{} has neither an email nor an email_hash column (found: {})",
                path.display(),
                reader.headers().join(", ")
            ),
        ));
    }
    let mut wanted: Vec<(String, Option<String>, String)> = Vec::new();
    let mut issues: Vec<FieldIssue> = Vec::new();
    let mut row = crate::import::SourceRow::default();
    let mut rows = 0u32;
    loop {
        match reader.read_row(&mut row) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) if e.is_row_error() => {
                rows += 1;
                issues.push(FieldIssue {
                    row: e.row(),
                    ..FieldIssue::new("file", e.code(), e.to_string())
                });
                continue;
            }
            Err(e) => return Err(e.into()),
        }
        rows += 1;
        let n = row.number;
        let issue = |field: &str, code: &str, msg: String| FieldIssue {
            row: Some(n),
            ..FieldIssue::new(field, code, format!("row {n}: {msg}"))
        };
        let reason = reason_col
            .map(|c| row.cell(c).trim().to_lowercase())
            .filter(|r| !r.is_empty())
            .unwrap_or_else(|| "opted_out".into());
        if !REASONS.contains(&reason.as_str()) {
            issues.push(issue(
                "reason",
                "unknown_reason",
                format!("{reason:?} is not a reason ({})", REASONS.join(", ")),
            ));
            continue;
        }
        let email = email_col.map_or("", |c| row.cell(c)).trim();
        let hash = hash_col.map_or("", |c| row.cell(c)).trim().to_lowercase();
        if !email.is_empty() {
            match crate::normalize::email(email) {
                Ok(key) => {
                    let h = hash_key(&key);
                    if !hash.is_empty() && hash != h {
                        issues.push(issue(
                            "emailHash",
                            "hash_mismatch",
                            format!("the hash is not the SHA-256 of {email}"),
                        ));
                        continue;
                    }
                    wanted.push((h, Some(key), reason));
                }
                Err(e) => issues.push(issue(
                    "email",
                    "invalid_email",
                    format!("{email:?}: {}", e.message),
                )),
            }
        } else if !hash.is_empty() {
            if parse_hex(&hash).is_none() {
                issues.push(issue(
                    "emailHash",
                    "invalid_hash",
                    format!("{hash:?} is not a SHA-256 hash (64 hexadecimal digits)"),
                ));
                continue;
            }
            wanted.push((hash, None, reason));
        } else if !row.cells.iter().all(|c| c.trim().is_empty()) {
            issues.push(issue("email", "required", "no email and no hash".into()));
        }
    }
    if !issues.is_empty() {
        issues.truncate(crate::activities::MAX_REPORTED_ISSUES);
        return Err(Error::Invalid { issues });
    }
    db.write(|tx| {
        let mut report = SuppressionImportReport {
            rows,
            added: 0,
            already: 0,
            leads_marked: 0,
        };
        let mut hash_only: HashMap<String, String> = HashMap::new();
        for (hash, key, reason) in &wanted {
            let existed = tx
                .prepare_cached("SELECT 1 FROM suppressions WHERE email_hash = ?1")?
                .query_row([hash], |_| Ok(()))
                .optional()?
                .is_some();
            add_hash_in(tx, hash, key.as_deref(), reason)?;
            if existed {
                report.already += 1;
            } else {
                report.added += 1;
            }
            match key {
                Some(k) => report.leads_marked += mark_leads_in(tx, k, reason)?,
                None => {
                    hash_only.insert(hash.clone(), reason.clone());
                }
            }
        }
        if !hash_only.is_empty() {
            // Only hashes: find the leads by hashing every lead's email key once.
            let keys: Vec<String> = tx
                .prepare("SELECT DISTINCT email_key FROM leads WHERE email_key <> ''")?
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            for k in keys {
                if let Some(reason) = hash_only.get(&hash_key(&k)) {
                    report.leads_marked += mark_leads_in(tx, &k, reason)?;
                }
            }
        }
        crate::leads::audit_in(
            tx,
            "suppression.import",
            "suppression",
            None,
            &serde_json::json!({ "rows": report.rows, "added": report.added }),
        )?;
        Ok(report)
    })
}
