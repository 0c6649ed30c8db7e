//! Activities (touchpoints): logged by hand, imported from a CSV, listed on a lead's
//! timeline; and the activity types, built-in and the user's own.
//!
//! Invariants: every write rescores the leads it touches in the same transaction (see
//! [`crate::scoring`]), so scores are never stale; an import is one transaction and, unless
//! told to skip bad rows, writes nothing when any row is bad (each bad row is reported with its
//! row number and column).
//!
//! Times: stored as Unix seconds (UTC). Input with a zone (`2026-11-20T10:00:00Z`,
//! `…+09:00`) is taken as is; input without one (`2026/11/20 10:00`, `2026-11-20`) is Japan
//! time (UTC+9), as Japanese tools write it; Unix seconds are accepted too. Times before 1990
//! or more than a day ahead are refused.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

use crate::scoring::{self, Cause};
use crate::{ActivityItem, Error, FieldIssue, Result, Sodate};

/// The longest detail (URL, content name, memo) an activity may have, in characters.
pub const MAX_DETAIL_CHARS: usize = 2_000;
/// Timeline rows per page at most.
pub const MAX_PAGE: u32 = 500;
/// Bad rows an import reports at most (it counts them all).
pub const MAX_REPORTED_ISSUES: usize = 200;

/// An activity type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ActivityType {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub id: i64,
    pub code: String,
    pub label_ja: String,
    pub label_en: String,
    pub builtin: bool,
}

/// A new user activity type. An empty code is made from the id (`custom_7`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", default)]
pub struct NewActivityType {
    pub code: String,
    pub label_ja: String,
    pub label_en: String,
}

/// An activity as the user logs or edits it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", default)]
pub struct ActivityInput {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub lead_id: i64,
    /// A type code (`seminar_attended`) or label (セミナー参加, Seminar attended).
    pub activity_type: String,
    /// When it happened (see the module documentation); `None` or empty: now.
    pub occurred_at: Option<String>,
    pub detail: String,
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Number>))]
    pub event_id: Option<i64>,
}

/// A lead's scores after a write.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ActivityWritten {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub id: i64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub lead_id: i64,
    pub engagement: f64,
    pub fit: f64,
    pub grade: String,
    pub is_mql: bool,
}

/// One page of a lead's timeline, newest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ActivityPage {
    pub total: u32,
    pub offset: u32,
    pub rows: Vec<ActivityItem>,
}

/// What an activity import did.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ActivityImportReport {
    pub rows: u32,
    pub imported: u32,
    pub failed: u32,
    /// The bad rows (at most [`MAX_REPORTED_ISSUES`]), each with its row number.
    pub failures: Vec<FieldIssue>,
    pub leads_rescored: u32,
    pub encoding: Option<String>,
    pub seconds: f64,
}

/// All activity types, built-in first.
pub fn types(db: &Sodate) -> Result<Vec<ActivityType>> {
    db.read(types_in)
}

fn types_in(conn: &Connection) -> Result<Vec<ActivityType>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, code, label_ja, label_en, builtin FROM activity_types ORDER BY builtin DESC, id",
        )?
        .query_map([], |r| {
            Ok(ActivityType {
                id: r.get(0)?,
                code: r.get(1)?,
                label_ja: r.get(2)?,
                label_en: r.get(3)?,
                builtin: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?)
}

/// Adds a user activity type (labels required in at least one language, unique).
pub fn add_type(db: &Sodate, new: &NewActivityType) -> Result<ActivityType> {
    let code = new.code.trim();
    let ja = new.label_ja.trim();
    let en = new.label_en.trim();
    let mut issues = Vec::new();
    if ja.is_empty() && en.is_empty() {
        issues.push(FieldIssue::new(
            "labelJa",
            "required",
            "a type needs a label",
        ));
    }
    for (field, label) in [("labelJa", ja), ("labelEn", en)] {
        if label.chars().count() > 100 {
            issues.push(FieldIssue::new(field, "too_long", "at most 100 characters"));
        }
    }
    let code_ok = code.is_empty()
        || (code.len() <= 40
            && code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'));
    if !code_ok {
        issues.push(FieldIssue::new(
            "code",
            "invalid_code",
            "a code is up to 40 characters a-z, 0-9 and _",
        ));
    }
    if !issues.is_empty() {
        return Err(Error::Invalid { issues });
    }
    db.write(|tx| {
        let existing = types_in(tx)?;
        let taken = existing.iter().find(|t| {
            (!code.is_empty() && t.code == code)
                || (!ja.is_empty() && t.label_ja == ja)
                || (!en.is_empty() && t.label_en.eq_ignore_ascii_case(en))
        });
        if let Some(t) = taken {
            return Err(Error::invalid(
                if !code.is_empty() && t.code == code {
                    "code"
                } else {
                    "labelJa"
                },
                "duplicate",
                format!(
                    "the activity type {} ({} / {}) exists already",
                    t.code, t.label_ja, t.label_en
                ),
            ));
        }
        tx.execute(
            "INSERT INTO activity_types (code, label_ja, label_en, builtin) VALUES (?1, ?2, ?3, 0)",
            params![
                if code.is_empty() {
                    format!("pending_{}", crate::time::now())
                } else {
                    code.to_string()
                },
                if ja.is_empty() { en } else { ja },
                if en.is_empty() { ja } else { en }
            ],
        )?;
        let id = tx.last_insert_rowid();
        if code.is_empty() {
            tx.execute(
                "UPDATE activity_types SET code = ?2 WHERE id = ?1",
                params![id, format!("custom_{id}")],
            )?;
        }
        crate::leads::audit_in(
            tx,
            "activity_type.create",
            "activity_type",
            Some(id),
            &serde_json::json!({}),
        )?;
        types_in(tx)?
            .into_iter()
            .find(|t| t.id == id)
            .ok_or(Error::NotFound {
                entity: "activity type",
                id,
            })
    })
}

/// Type lookup by code or label (labels case-insensitive).
struct TypeIndex(HashMap<String, i64>);

impl TypeIndex {
    fn load(conn: &Connection) -> Result<Self> {
        let mut map = HashMap::new();
        for t in types_in(conn)? {
            map.insert(t.label_en.to_lowercase(), t.id);
            map.insert(t.label_ja.clone(), t.id);
            map.insert(t.code.clone(), t.id);
        }
        Ok(Self(map))
    }

    fn find(&self, text: &str) -> Option<i64> {
        let t = crate::normalize::nfkc(text.trim());
        self.0
            .get(&t)
            .or_else(|| self.0.get(&t.to_lowercase()))
            .copied()
    }
}

/// Parses a time as the module documentation says; `None` when it is not one.
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let t = crate::normalize::nfkc(text.trim());
    if t.is_empty() {
        return None;
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(&t) {
        return Some(d.with_timezone(&Utc));
    }
    if t.len() >= 9 && t.len() <= 10 && t.bytes().all(|b| b.is_ascii_digit()) {
        return t.parse().ok().and_then(|s| DateTime::from_timestamp(s, 0));
    }
    let japan = FixedOffset::east_opt(9 * 3600)?;
    let t = t.replace('/', "-").replace('T', " ");
    for format in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(n) = NaiveDateTime::parse_from_str(&t, format) {
            return japan
                .from_local_datetime(&n)
                .single()
                .map(|d| d.with_timezone(&Utc));
        }
    }
    let n = NaiveDate::parse_from_str(&t, "%Y-%m-%d").ok()?;
    japan
        .from_local_datetime(&n.and_hms_opt(0, 0, 0)?)
        .single()
        .map(|d| d.with_timezone(&Utc))
}

/// Unix seconds of a valid activity time, or the issue with it.
pub(crate) fn checked_time(
    text: Option<&str>,
    now: DateTime<Utc>,
) -> std::result::Result<i64, FieldIssue> {
    let text = text.map(str::trim).unwrap_or("");
    if text.is_empty() {
        return Ok(now.timestamp());
    }
    let Some(t) = parse_time(text) else {
        return Err(FieldIssue::new(
            "occurredAt",
            "invalid_time",
            format!("{text:?} is not a date and time (2026-11-20 14:30, 2026-11-20T05:30:00Z …)"),
        ));
    };
    let earliest = 631_152_000; // 1990-01-01
    if t.timestamp() < earliest || t > now + chrono::Duration::days(1) {
        return Err(FieldIssue::new(
            "occurredAt",
            "out_of_range",
            format!("{text:?} is before 1990 or in the future"),
        ));
    }
    Ok(t.timestamp())
}

fn checked_detail(detail: &str) -> std::result::Result<&str, FieldIssue> {
    let d = detail.trim();
    if d.chars().count() > MAX_DETAIL_CHARS {
        return Err(FieldIssue::new(
            "detail",
            "too_long",
            format!("the detail is longer than {MAX_DETAIL_CHARS} characters"),
        ));
    }
    if d.contains('\0') {
        return Err(FieldIssue::new(
            "detail",
            "invalid_text",
            "the detail contains a NUL character",
        ));
    }
    Ok(d)
}

fn lead_exists(conn: &Connection, id: i64) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM leads WHERE id = ?1)")?
        .query_row([id], |r| r.get(0))?)
}

/// A validated activity: (lead, type, time, detail, event).
struct ValidActivity<'a> {
    lead_id: i64,
    type_id: i64,
    at: i64,
    detail: &'a str,
    event_id: Option<i64>,
}

fn validate_in<'a>(
    conn: &Connection,
    types: &TypeIndex,
    input: &'a ActivityInput,
    now: DateTime<Utc>,
) -> Result<ValidActivity<'a>> {
    let mut issues = Vec::new();
    if !lead_exists(conn, input.lead_id)? {
        issues.push(FieldIssue::new(
            "leadId",
            "unknown_lead",
            format!("lead {} does not exist", input.lead_id),
        ));
    }
    let type_id = types.find(&input.activity_type);
    if type_id.is_none() {
        issues.push(FieldIssue::new(
            "activityType",
            "unknown_activity_type",
            format!(
                "{:?} is not an activity type (see the list of types)",
                input.activity_type
            ),
        ));
    }
    let at = checked_time(input.occurred_at.as_deref(), now)
        .map_err(|i| issues.push(i))
        .ok();
    let detail = checked_detail(&input.detail)
        .map_err(|i| issues.push(i))
        .ok();
    if let Some(e) = input.event_id {
        let exists: bool = conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM events WHERE id = ?1)")?
            .query_row([e], |r| r.get(0))?;
        if !exists {
            issues.push(FieldIssue::new(
                "eventId",
                "unknown_event",
                format!("event {e} does not exist"),
            ));
        }
    }
    match (type_id, at, detail) {
        (Some(type_id), Some(at), Some(detail)) if issues.is_empty() => Ok(ValidActivity {
            lead_id: input.lead_id,
            type_id,
            at,
            detail,
            event_id: input.event_id,
        }),
        _ => Err(Error::Invalid { issues }),
    }
}

fn written_in(tx: &Connection, id: i64, lead_id: i64) -> Result<ActivityWritten> {
    Ok(tx
        .prepare_cached(
            "SELECT engagement_score, fit_score, grade, is_mql FROM lead_scores WHERE id = ?1",
        )?
        .query_row([lead_id], |r| {
            Ok(ActivityWritten {
                id,
                lead_id,
                engagement: r.get(0)?,
                fit: r.get(1)?,
                grade: r.get(2)?,
                is_mql: r.get(3)?,
            })
        })?)
}

/// Logs an activity by hand and rescores its lead.
pub fn add(db: &Sodate, input: &ActivityInput, now: DateTime<Utc>) -> Result<ActivityWritten> {
    db.write(|tx| add_in(tx, input, now))
}

pub(crate) fn add_in(
    tx: &Transaction,
    input: &ActivityInput,
    now: DateTime<Utc>,
) -> Result<ActivityWritten> {
    add_from_in(tx, input, "manual", now)
}

/// [`add_in`] recording where the activity came from (`manual`, `capture` …).
pub(crate) fn add_from_in(
    tx: &Transaction,
    input: &ActivityInput,
    source: &str,
    now: DateTime<Utc>,
) -> Result<ActivityWritten> {
    let types = TypeIndex::load(tx)?;
    let v = validate_in(tx, &types, input, now)?;
    tx.prepare_cached(
        "INSERT INTO activities (lead_id, type_id, occurred_at, detail, event_id, source)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        v.lead_id, v.type_id, v.at, v.detail, v.event_id, source
    ])?;
    let id = tx.last_insert_rowid();
    scoring::recompute_leads_because(tx, &[v.lead_id], now, Cause::ActivityAdded)?;
    written_in(tx, id, v.lead_id)
}

/// Logs the same activity on each of `lead_ids` (a selection) in one transaction, rescoring
/// them; `input.lead_id` is ignored. Any lead that does not exist fails the whole call.
/// Returns the number of activities written.
pub fn add_to_leads(
    db: &Sodate,
    lead_ids: &[i64],
    input: &ActivityInput,
    now: DateTime<Utc>,
) -> Result<u32> {
    db.write(|tx| add_to_leads_in(tx, lead_ids, input, now))
}

/// [`add_to_leads`] inside the caller's transaction (journeys record "sent" steps this way).
pub(crate) fn add_to_leads_in(
    tx: &Transaction,
    lead_ids: &[i64],
    input: &ActivityInput,
    now: DateTime<Utc>,
) -> Result<u32> {
    let types = TypeIndex::load(tx)?;
    let ids: Vec<i64> = lead_ids
        .iter()
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    for &lead in &ids {
        let one = ActivityInput {
            lead_id: lead,
            ..input.clone()
        };
        let v = validate_in(tx, &types, &one, now)?;
        tx.prepare_cached(
            "INSERT INTO activities (lead_id, type_id, occurred_at, detail, event_id, source)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'manual')",
        )?
        .execute(params![v.lead_id, v.type_id, v.at, v.detail, v.event_id])?;
    }
    scoring::recompute_leads_because(tx, &ids, now, Cause::ActivityAdded)?;
    Ok(ids.len() as u32)
}

fn lead_of(conn: &Connection, id: i64) -> Result<i64> {
    conn.prepare_cached("SELECT lead_id FROM activities WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?
        .ok_or(Error::NotFound {
            entity: "activity",
            id,
        })
}

/// Replaces an activity's lead, type, time, detail and event; rescores the lead(s).
pub fn edit(
    db: &Sodate,
    id: i64,
    input: &ActivityInput,
    now: DateTime<Utc>,
) -> Result<ActivityWritten> {
    db.write(|tx| {
        let before = lead_of(tx, id)?;
        let types = TypeIndex::load(tx)?;
        let v = validate_in(tx, &types, input, now)?;
        tx.execute(
            "UPDATE activities SET lead_id = ?2, type_id = ?3, occurred_at = ?4, detail = ?5, event_id = ?6
             WHERE id = ?1",
            params![id, v.lead_id, v.type_id, v.at, v.detail, v.event_id],
        )?;
        let leads: Vec<i64> = BTreeSet::from([before, v.lead_id]).into_iter().collect();
        scoring::recompute_leads_because(tx, &leads, now, Cause::ActivityEdited)?;
        written_in(tx, id, v.lead_id)
    })
}

/// Removes an activity; rescores its lead. Returns the lead's new scores.
pub fn remove(db: &Sodate, id: i64, now: DateTime<Utc>) -> Result<ActivityWritten> {
    db.write(|tx| {
        let lead = lead_of(tx, id)?;
        tx.execute("DELETE FROM activities WHERE id = ?1", [id])?;
        crate::leads::audit_in(
            tx,
            "activity.delete",
            "activity",
            Some(id),
            &serde_json::json!({ "lead": lead }),
        )?;
        scoring::recompute_leads_because(tx, &[lead], now, Cause::ActivityRemoved)?;
        written_in(tx, id, lead)
    })
}

/// One page of a lead's timeline, newest first.
pub fn timeline(db: &Sodate, lead_id: i64, offset: u32, limit: u32) -> Result<ActivityPage> {
    let limit = limit.clamp(1, MAX_PAGE);
    db.read(|conn| {
        if !lead_exists(conn, lead_id)? {
            return Err(Error::NotFound {
                entity: "lead",
                id: lead_id,
            });
        }
        let (total, rows) = page_in(conn, lead_id, offset, limit)?;
        Ok(ActivityPage {
            total,
            offset,
            rows,
        })
    })
}

/// How many activities a lead has, and `limit` of them from `offset`, newest first (the
/// timeline and the lead's detail).
pub(crate) fn page_in(
    conn: &Connection,
    lead_id: i64,
    offset: u32,
    limit: u32,
) -> Result<(u32, Vec<ActivityItem>)> {
    let total: u32 = conn
        .prepare_cached("SELECT count(*) FROM activities WHERE lead_id = ?1")?
        .query_row([lead_id], |r| r.get(0))?;
    let rows = conn
        .prepare_cached(
            "SELECT a.id, t.code, t.label_en, strftime('%Y-%m-%dT%H:%M:%SZ', a.occurred_at, 'unixepoch'),
                    a.detail, e.name
             FROM activities a
             JOIN activity_types t ON t.id = a.type_id
             LEFT JOIN events e ON e.id = a.event_id
             WHERE a.lead_id = ?1
             ORDER BY a.occurred_at DESC, a.id DESC
             LIMIT ?2 OFFSET ?3",
        )?
        .query_map(params![lead_id, limit, offset], |r| {
            Ok(ActivityItem {
                id: r.get(0)?,
                kind: r.get(1)?,
                kind_label: r.get(2)?,
                occurred_at: r.get(3)?,
                detail: r.get(4)?,
                event_name: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok((total, rows))
}

/// The columns of an activity file, found by their headers.
struct Columns {
    lead: Option<usize>,
    email: Option<usize>,
    kind: usize,
    time: usize,
    detail: Option<usize>,
}

pub(crate) fn header_key(h: &str) -> String {
    crate::normalize::nfkc(h)
        .to_lowercase()
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-' | '　'))
        .collect()
}

fn find_columns(headers: &[String]) -> Result<Columns> {
    let keys: Vec<String> = headers.iter().map(|h| header_key(h)).collect();
    let find = |names: &[&str]| keys.iter().position(|k| names.contains(&k.as_str()));
    let lead = find(&["leadid", "lead", "id", "リードid", "リード"]);
    let email = find(&[
        "email",
        "e-mail",
        "emailaddress",
        "mail",
        "メールアドレス",
        "メール",
        "eメール",
    ]);
    let kind = find(&[
        "type",
        "activitytype",
        "activity",
        "kind",
        "種別",
        "種類",
        "活動",
        "活動種別",
        "アクティビティ",
    ]);
    let time = find(&[
        "occurredat",
        "timestamp",
        "datetime",
        "date",
        "time",
        "日時",
        "日付",
        "発生日時",
        "実施日",
    ]);
    let detail = find(&[
        "detail", "details", "url", "content", "subject", "詳細", "内容", "件名", "メモ",
    ]);
    let mut issues = Vec::new();
    if lead.is_none() && email.is_none() {
        issues.push(FieldIssue::new(
            "file",
            "missing_column",
            "the file needs a column naming the lead: email (メールアドレス) or lead_id",
        ));
    }
    if kind.is_none() {
        issues.push(FieldIssue::new(
            "file",
            "missing_column",
            "the file needs a type column (type / 種別)",
        ));
    }
    if time.is_none() {
        issues.push(FieldIssue::new(
            "file",
            "missing_column",
            "the file needs a time column (occurred_at / 日時)",
        ));
    }
    match (kind, time) {
        (Some(kind), Some(time)) if issues.is_empty() => Ok(Columns {
            lead,
            email,
            kind,
            time,
            detail,
        }),
        _ => Err(Error::Invalid { issues }),
    }
}

/// Imports activities from a CSV/TSV/Excel file with columns for the lead (email or lead id),
/// type (code or label), time and detail (optional), in one transaction, and rescores the
/// leads it touches. With `skip_invalid` false (the default), any bad row fails the import
/// and nothing is written; the error lists the bad rows. With it true, the good rows are
/// imported and the bad ones reported.
pub fn import(
    db: &Sodate,
    path: &Path,
    skip_invalid: bool,
    now: DateTime<Utc>,
) -> Result<ActivityImportReport> {
    let started = std::time::Instant::now();
    let mut reader = crate::import::open(path, &crate::import::Options::default())?;
    let columns = find_columns(reader.headers())?;
    let encoding = reader.encoding().map(|e| e.code().to_string());
    // A readable activity file: the database as it was before stays restorable.
    crate::backup::take(db, crate::backup::BackupReason::Import)?;
    db.write(|tx| {
        let types = TypeIndex::load(tx)?;
        let mut failures: Vec<FieldIssue> = Vec::new();
        let mut failed = 0u32;
        let mut rows = 0u32;
        let mut imported = 0u32;
        let mut leads: BTreeSet<i64> = BTreeSet::new();
        let mut row = crate::import::SourceRow::default();
        let mut fail = |failures: &mut Vec<FieldIssue>, issue: FieldIssue, number: u64| {
            failed += 1;
            if failures.len() < MAX_REPORTED_ISSUES {
                failures.push(FieldIssue { row: Some(number), ..issue });
            }
        };
        loop {
            match reader.read_row(&mut row) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) if e.is_row_error() => {
                    rows += 1;
                    let number = e.row().unwrap_or(0);
                    fail(&mut failures, FieldIssue::new("file", e.code(), e.to_string()), number);
                    continue;
                }
                Err(e) => return Err(e.into()),
            }
            rows += 1;
            let n = row.number;
            let lead = match resolve_lead(tx, &columns, &row)? {
                Ok(id) => id,
                Err(issue) => {
                    fail(&mut failures, issue, n);
                    continue;
                }
            };
            let Some(type_id) = types.find(row.cell(columns.kind)) else {
                fail(
                    &mut failures,
                    FieldIssue::new(
                        "activityType",
                        "unknown_activity_type",
                        format!("row {n}: {:?} is not an activity type", row.cell(columns.kind)),
                    ),
                    n,
                );
                continue;
            };
            let at = match checked_time(Some(row.cell(columns.time)).filter(|t| !t.trim().is_empty()).or(Some("?")), now) {
                Ok(at) => at,
                Err(i) => {
                    fail(&mut failures, FieldIssue { message: format!("row {n}: {}", i.message), ..i }, n);
                    continue;
                }
            };
            let detail = match checked_detail(columns.detail.map_or("", |c| row.cell(c))) {
                Ok(d) => d,
                Err(i) => {
                    fail(&mut failures, FieldIssue { message: format!("row {n}: {}", i.message), ..i }, n);
                    continue;
                }
            };
            tx.prepare_cached(
                "INSERT INTO activities (lead_id, type_id, occurred_at, detail, source)
                 VALUES (?1, ?2, ?3, ?4, 'import')",
            )?
            .execute(params![lead, type_id, at, detail])?;
            imported += 1;
            leads.insert(lead);
        }
        if failed > 0 && !skip_invalid {
            return Err(Error::Invalid { issues: failures });
        }
        let ids: Vec<i64> = leads.into_iter().collect();
        let leads_rescored = if ids.len() > 20_000 {
            scoring::recompute_all_in(tx, now, Cause::ActivitiesImported)?;
            ids.len() as u32
        } else {
            scoring::recompute_leads_because(tx, &ids, now, Cause::ActivitiesImported)?;
            ids.len() as u32
        };
        crate::leads::audit_in(
            tx,
            "activity.import",
            "activity",
            None,
            &serde_json::json!({ "file": path.to_string_lossy(), "imported": imported, "failed": failed }),
        )?;
        Ok(ActivityImportReport {
            rows,
            imported,
            failed,
            failures,
            leads_rescored,
            encoding: encoding.clone(),
            seconds: started.elapsed().as_secs_f64(),
        })
    })
}

/// The lead a row names (by id, else by email), or the issue with it.
fn resolve_lead(
    conn: &Connection,
    columns: &Columns,
    row: &crate::import::SourceRow,
) -> Result<std::result::Result<i64, FieldIssue>> {
    let n = row.number;
    if let Some(c) = columns.lead {
        let text = crate::normalize::nfkc(row.cell(c).trim());
        if !text.is_empty() {
            return Ok(match text.parse::<i64>() {
                Ok(id) if lead_exists(conn, id)? => Ok(id),
                _ => Err(FieldIssue::new(
                    "leadId",
                    "unknown_lead",
                    format!("row {n}: lead {text:?} does not exist"),
                )),
            });
        }
    }
    let email = columns.email.map_or("", |c| row.cell(c)).trim();
    if email.is_empty() {
        return Ok(Err(FieldIssue::new(
            "email",
            "required",
            format!("row {n}: no email or lead id"),
        )));
    }
    let Ok(key) = crate::normalize::email(email) else {
        return Ok(Err(FieldIssue::new(
            "email",
            "invalid_email",
            format!("row {n}: {email:?} is not an email address"),
        )));
    };
    let id = lead_by_email_key(conn, &key)?;
    Ok(id.ok_or_else(|| {
        FieldIssue::new(
            "email",
            "unknown_lead",
            format!("row {n}: no lead has the email {email}"),
        )
    }))
}

/// The lead (lowest id) whose email or further email has the normalised `key`.
pub(crate) fn lead_by_email_key(conn: &Connection, key: &str) -> Result<Option<i64>> {
    let id: Option<i64> = conn
        .prepare_cached("SELECT min(id) FROM leads WHERE email_key = ?1")?
        .query_row([key], |r| r.get(0))?;
    Ok(match id {
        Some(id) => Some(id),
        None => conn
            .prepare_cached(
                "SELECT min(lead_id) FROM lead_contacts WHERE kind = 'email' AND value_key = ?1",
            )?
            .query_row([key], |r| r.get(0))?,
    })
}
