//! "Export what can be read" from a damaged database: every lead whose row can still be read
//! goes into a CSV (UTF-8 with BOM, the headers Sodate's importer maps by itself), and the
//! people who must never be mailed (opted out, bounced, erased) into a suppression list beside
//! it, so that re-importing the leads elsewhere cannot make them mailable again.
//!
//! The file is opened read-only and never changed. Leads are read in id order, a batch at a
//! time; a batch that meets a damaged page is read again lead by lead, and the leads that
//! still fail are counted, not guessed. Without the company table the company column is left
//! empty rather than losing the lead.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

use crate::db::DbFile;
use crate::export::write::{CsvSink, Sink};
use crate::import::TextEncoding;
use crate::{Error, Result};

/// The columns written, as (header, SQL over `leads l` and `companies c`).
const COLUMNS: &[(&str, &str)] = &[
    ("姓", "l.family_name"),
    ("名", "l.given_name"),
    ("セイ", "l.family_reading"),
    ("メイ", "l.given_reading"),
    ("会社名", "c.name"),
    ("部署", "l.department"),
    ("役職", "l.title"),
    ("メールアドレス", "l.email"),
    ("電話番号", "l.phone"),
    ("携帯電話", "l.mobile"),
    ("郵便番号", "l.postal_code"),
    ("都道府県", "l.prefecture"),
    ("住所", "l.address"),
    ("URL", "l.website"),
    ("メモ", "l.notes"),
    ("流入元", "l.source"),
    ("担当者", "l.owner"),
    ("ライフサイクル", "l.lifecycle_stage"),
    ("配信同意", "l.consent_state"),
    ("登録日時", "l.created_at"),
];

/// Leads read per query while the pages are healthy.
const BATCH: i64 = 1_000;

/// Batches in a row with no readable lead after which reading stops when the highest id is
/// unknown (a million ids).
const MAX_EMPTY_STRETCHES: u32 = 1_000;

/// The consent states whose email goes to the suppression list.
const SUPPRESSED: &[&str] = &["opted_out", "bounced", "erased"];

/// What a salvage wrote.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SalvageReport {
    /// The leads CSV.
    pub path: String,
    /// The suppression list beside it (emails that must not be mailed), when there were any.
    pub suppression_path: Option<String>,
    pub leads: u32,
    pub suppressed: u32,
    /// Lead ids below the last lead read (or the highest id, when it is known) whose row could
    /// not be read; ids never used count too, so this is an upper bound of the leads lost.
    pub unreadable: u32,
    /// Whether the end of the table was reached. When not, the highest ids were unreadable and
    /// leads may be missing beyond the last one written.
    pub reached_end: bool,
    /// Whether the company names could be read (else the company column is empty).
    pub companies_read: bool,
    pub seconds: f64,
}

/// The suppression list written beside `out` (`leads.csv` → `leads-suppression.csv`).
pub fn suppression_path_for(out: &Path) -> PathBuf {
    let stem = out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "sodate".into());
    out.with_file_name(format!("{stem}-suppression.csv"))
}

/// Writes every readable lead of the database `file` (damaged or not) to the CSV `out`.
pub fn export_readable_leads(file: &DbFile, out: &Path) -> Result<SalvageReport> {
    let started = std::time::Instant::now();
    let conn = crate::db::open_file_read_only(&file.path, file.key.as_ref())?;
    let readable = |e: rusqlite::Error| -> Error {
        Error::DatabaseCorrupt {
            path: file.path.clone(),
            detail: format!("not even the list of tables can be read: {e}"),
        }
    };
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
        r.get::<_, i64>(0)
    })
    .map_err(readable)?;
    // The highest id, where reading may stop; unknown when the table's last pages are
    // damaged (reading then stops after a long stretch with nothing readable).
    let last_id: Option<i64> = conn
        .query_row("SELECT max(id) FROM leads", [], |r| {
            r.get::<_, Option<i64>>(0)
        })
        .ok()
        .map(|id| id.unwrap_or(0));
    let companies_read = conn
        .query_row("SELECT count(*) FROM companies", [], |r| r.get::<_, i64>(0))
        .is_ok();
    let select = |with_companies: bool, filter: &str| {
        let columns: Vec<&str> = COLUMNS
            .iter()
            .map(|(_, sql)| {
                if !with_companies && sql.starts_with("c.") {
                    "''"
                } else {
                    sql
                }
            })
            .collect();
        let join = if with_companies {
            "LEFT JOIN companies c ON c.id = l.company_id"
        } else {
            ""
        };
        format!(
            "SELECT l.id, {} FROM leads l {join} WHERE {filter} ORDER BY l.id",
            columns.join(", ")
        )
    };
    let batch_sql = select(companies_read, &format!("l.id >= ?1 LIMIT {BATCH}"));
    let one_sql = select(companies_read, "l.id = ?1");
    let one_without_company_sql = select(false, "l.id = ?1");

    let mut leads = csv_file(out, COLUMNS.iter().map(|(h, _)| *h))?;
    let suppression_out = suppression_path_for(out);
    let mut suppression = csv_file(&suppression_out, ["email", "reason"])?;
    let consent_at = COLUMNS
        .iter()
        .position(|(h, _)| *h == "配信同意")
        .unwrap_or(0);
    let email_at = COLUMNS
        .iter()
        .position(|(h, _)| *h == "メールアドレス")
        .unwrap_or(0);
    let mut report = SalvageReport {
        path: out.to_string_lossy().into_owned(),
        suppression_path: None,
        leads: 0,
        suppressed: 0,
        unreadable: 0,
        reached_end: false,
        companies_read,
        seconds: 0.0,
    };
    let mut write = |row: &[String], report: &mut SalvageReport| -> Result<()> {
        leads.text_row(row)?;
        report.leads += 1;
        let (consent, email) = (&row[consent_at], &row[email_at]);
        if SUPPRESSED.contains(&consent.as_str()) && !email.is_empty() {
            suppression.text_row(&[email.clone(), consent.clone()])?;
            report.suppressed += 1;
        }
        Ok(())
    };

    // Ids that failed since the last lead read: lost leads only if a lead follows them
    // (or the highest id is known to be above them).
    let mut pending_unreadable = 0u32;
    let mut empty_stretches = 0u32;
    let mut next = i64::MIN;
    loop {
        match read_rows(&conn, &batch_sql, next) {
            Ok(rows) => {
                let Some((last, _)) = rows.last() else {
                    report.reached_end = true;
                    break;
                };
                let last = *last;
                for (_, row) in &rows {
                    write(row, &mut report)?;
                }
                report.unreadable += std::mem::take(&mut pending_unreadable);
                empty_stretches = 0;
                next = last.saturating_add(1);
            }
            Err(_) => {
                // A damaged page in this stretch: lead by lead up to the next batch.
                let from = if next == i64::MIN { 1 } else { next };
                let to = match last_id {
                    Some(last) => from.saturating_add(BATCH).min(last.saturating_add(1)),
                    None => from.saturating_add(BATCH),
                };
                let mut found = false;
                for id in from..to {
                    let row = read_one(&conn, &one_sql, id)
                        .or_else(|_| read_one(&conn, &one_without_company_sql, id));
                    match row {
                        Ok(Some(row)) => {
                            write(&row, &mut report)?;
                            report.unreadable += std::mem::take(&mut pending_unreadable);
                            found = true;
                        }
                        Ok(None) => {}
                        Err(_) => pending_unreadable += 1,
                    }
                }
                empty_stretches = if found { 0 } else { empty_stretches + 1 };
                if last_id.is_some_and(|last| to > last) {
                    report.unreadable += std::mem::take(&mut pending_unreadable);
                    report.reached_end = true;
                    break;
                }
                if empty_stretches >= MAX_EMPTY_STRETCHES {
                    break;
                }
                next = to;
            }
        }
    }
    Box::new(leads).finish()?;
    if report.suppressed > 0 {
        Box::new(suppression).finish()?;
        report.suppression_path = Some(suppression_out.to_string_lossy().into_owned());
    }
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

fn read_rows(conn: &Connection, sql: &str, from: i64) -> rusqlite::Result<Vec<(i64, Vec<String>)>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([from], row_of)?;
    rows.collect()
}

fn read_one(conn: &Connection, sql: &str, id: i64) -> rusqlite::Result<Option<Vec<String>>> {
    let mut stmt = conn.prepare_cached(sql)?;
    Ok(stmt.query_row([id], row_of).optional()?.map(|(_, row)| row))
}

fn row_of(r: &rusqlite::Row) -> rusqlite::Result<(i64, Vec<String>)> {
    let id: i64 = r.get(0)?;
    let mut row = Vec::with_capacity(COLUMNS.len());
    for i in 0..COLUMNS.len() {
        let value: Option<String> = r.get(i + 1).unwrap_or(None);
        row.push(value.unwrap_or_default());
    }
    Ok((id, row))
}

/// A CSV file (UTF-8 with BOM, as Excel opens it) with its header row written; finished
/// files appear whole, through a part file.
fn csv_file<'a>(dest: &Path, headers: impl IntoIterator<Item = &'a str>) -> Result<CsvSink> {
    let mut sink = CsvSink::new(dest, TextEncoding::Utf8Bom)?;
    let headers: Vec<String> = headers.into_iter().map(str::to_string).collect();
    sink.header(&headers)?;
    Ok(sink)
}
