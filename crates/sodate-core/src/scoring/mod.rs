//! Lead scoring: an **engagement** score from behaviour (activities, decaying with age), a
//! **fit** score from attributes (lead and company fields), a grade (fit A–D × engagement
//! 1–4) and the MQL state, under one user-editable [`ScoringModel`].
//!
//! Invariants:
//! * every lead's stored scores are those of the stored model as of the day recorded in the
//!   setting `scoring.scored_day` (UTC days: ages are counted in whole days, so scores change
//!   only when a day passes; [`apply_decay`] brings them to today);
//! * the lines of [`explain`] add up exactly to the scores (see [`engine`] for the integer
//!   arithmetic that guarantees it), and the full recompute, the incremental update, the impact
//!   preview and the demo generator compute with the same code;
//! * a model that fails validation is never stored: the previous one stays;
//! * every crossing of the MQL threshold is recorded in `score_history` with its cause.
//!
//! Contract for other modules: whoever writes a lead's fields or activities calls
//! [`recompute_leads`] with those leads inside the same transaction (activities here do; a
//! new or edited lead that is not rescored keeps its old scores until the next full recompute).
//!
//! Cost (1M leads, 10M activities): a full recompute reads the counted activities, one index
//! range per activity type (`activities_by_type_time`, or `activities_by_type_detail` for
//! types whose rules read the detail; on the second core when outside a write) into per-lead,
//! per-rule integer weights (4 bytes × rules × leads), then the leads and companies in id
//! order from their narrow covering indexes (`leads_scoring`, `companies_scoring`) with the
//! stored scores (`lead_scores`, a narrow table of their own: a rescore of most leads
//! rewrites ~30 bytes a lead, not the lead rows), and writes only the rows whose scores
//! changed. A model the indexes do not cover (custom
//! fields, a detail condition an empty detail meets) reads the tables instead. That read is
//! kept in memory ([`ScoreCache`], ~100 MB at 1M leads) so impact previews while editing cost
//! ~0.3 s; the app makes it in the background after start ([`preview_read_for`]). One lead is
//! rescored from its activities through `activities_by_lead` (~0.1 ms).

pub(crate) mod engine;
pub mod model;
#[cfg(test)]
mod proptests;
mod snapshot;

use std::collections::HashMap;
use std::time::Instant;

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;

pub use model::{
    BehaviourRule, Decay, DetailCondition, FitField, FitRule, GradeGrid, Label, MqlRule, Repeat,
    ScoringModel, TextOp, FIT_FIELDS,
};

use crate::{Error, FieldIssue, LeadRow, Result, Sodate};
use engine::{Compiled, FieldRef, FitMemo, LeadScore, RawLine};
pub use snapshot::ScoreCache;
use snapshot::{Rescored, Snapshot};

/// The setting holding the UTC day (`YYYY-MM-DD`) the stored scores are computed for.
const SCORED_DAY: &str = "scoring.scored_day";

/// Why scores were recomputed (recorded with each MQL crossing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    ActivityAdded,
    ActivityEdited,
    ActivityRemoved,
    ActivitiesImported,
    LeadChanged,
    /// Two leads merged: the survivor is rescored, and an unmerge must give back exactly
    /// what was there, so no stage move follows (see `handoff`).
    Merged,
    ModelSaved,
    Decay,
    Recompute,
    Demo,
}

impl Cause {
    pub fn code(self) -> &'static str {
        match self {
            Cause::ActivityAdded => "activity_added",
            Cause::ActivityEdited => "activity_edited",
            Cause::ActivityRemoved => "activity_removed",
            Cause::ActivitiesImported => "activities_imported",
            Cause::LeadChanged => "lead_changed",
            Cause::Merged => "merged",
            Cause::ModelSaved => "model_saved",
            Cause::Decay => "decay",
            Cause::Recompute => "recompute",
            Cause::Demo => "demo",
        }
    }
}

/// How far a model save has come: the backup taken first, then the rescored leads written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SaveProgress {
    pub phase: SavePhase,
    /// Pages copied (backup) or leads written (rescoring), of `total`.
    pub done: u32,
    pub total: u32,
}

/// The part of a model save under way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum SavePhase {
    Backup,
    Rescoring,
}

/// Leads written between two progress reports of a rescore.
const PROGRESS_EVERY: usize = 8_192;

/// What a full recompute did.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RecomputeReport {
    pub leads: u32,
    /// Leads whose engagement, fit, grade or MQL state changed (the rows written).
    pub changed: u32,
    /// Leads that are MQL now.
    pub mql: u32,
    pub became_mql: u32,
    pub left_mql: u32,
    /// The UTC day the scores are computed for.
    pub scored_day: String,
    pub seconds: f64,
}

/// One line of a score's explanation.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ExplainLine {
    /// The rule's label (Japanese; `ruleEn` in English), or what a cap line is.
    pub rule: String,
    pub rule_en: String,
    /// The rule's id (`cap.engagement`, `floor.engagement`, `cap.fit` for the cap lines).
    pub rule_id: String,
    /// `engagement` or `fit`.
    pub score: String,
    /// Points after decay and caps, to 0.1; the lines of a score add up to it.
    pub points: f64,
    /// What the points come from: the activity (date, type, detail) or the field value.
    pub source: String,
    /// The activities behind a behaviour line, newest first (at most 20).
    #[cfg_attr(feature = "specta", specta(type = Vec<specta_typescript::Number>))]
    pub activity_ids: Vec<i64>,
    /// The parts of `source`, for the UI to word in either language: the activity type code,
    /// how many activities counted, the newest one's UTC time and detail (behaviour lines);
    /// the field code and the lead's value (fit lines); whether the rule's cap cut it.
    pub activity_type: Option<String>,
    pub count: u32,
    pub latest_at: Option<String>,
    pub detail: Option<String>,
    pub field: Option<String>,
    pub value: Option<String>,
    pub capped: bool,
}

/// A lead's scores with every line behind them.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Explanation {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub lead_id: i64,
    pub engagement: f64,
    pub fit: f64,
    pub grade: String,
    pub is_mql: bool,
    /// The UTC day the decay is computed for.
    pub as_of: String,
    pub lines: Vec<ExplainLine>,
}

/// How a lead's state would change under a candidate model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ImpactKind {
    BecomingMql,
    LeavingMql,
    GradeChange,
}

/// Counts of what a candidate model would change, against the scores stored now.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ImpactPreview {
    pub leads: u32,
    pub mql_now: u32,
    pub mql_after: u32,
    pub becoming_mql: u32,
    pub leaving_mql: u32,
    pub grade_changes: u32,
    /// Leads whose engagement or fit would change.
    pub score_changes: u32,
    pub seconds: f64,
}

/// One lead of an impact list: as it is, and what the candidate model would make it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ImpactLead {
    pub lead: LeadRow,
    pub engagement_after: f64,
    pub fit_after: f64,
    pub grade_after: String,
    pub mql_after: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ImpactPage {
    pub total: u32,
    pub offset: u32,
    pub rows: Vec<ImpactLead>,
}

/// One recorded MQL crossing.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ScoreHistoryEntry {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub lead_id: i64,
    pub at: String,
    pub became_mql: bool,
    pub engagement: f64,
    pub fit: f64,
    pub grade: String,
    pub reason: String,
}

/// The stored model and its revision (0 = the built-in default, never saved).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct StoredModel {
    pub revision: u32,
    pub updated_at: Option<String>,
    pub model: ScoringModel,
}

fn day_of(now: DateTime<Utc>) -> i64 {
    now.timestamp().div_euclid(86_400)
}

fn day_text(day: i64) -> String {
    DateTime::<Utc>::from_timestamp(day * 86_400, 0)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

fn points(tenths: i64) -> f64 {
    tenths as f64 / 10.0
}

/// The current model.
pub fn load_model(db: &Sodate) -> Result<StoredModel> {
    db.read(load_in)
}

pub(crate) fn load_in(conn: &Connection) -> Result<StoredModel> {
    let row: Option<(u32, String, String)> = conn
        .prepare_cached("SELECT revision, model, updated_at FROM scoring_model WHERE id = 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    Ok(match row {
        None => StoredModel {
            revision: 0,
            updated_at: None,
            model: ScoringModel::default(),
        },
        Some((revision, json, updated_at)) => StoredModel {
            revision,
            updated_at: Some(updated_at),
            model: serde_json::from_str(&json)?,
        },
    })
}

fn type_ids(conn: &Connection) -> Result<HashMap<String, i64>> {
    Ok(conn
        .prepare_cached("SELECT code, id FROM activity_types")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?)
}

pub(crate) fn compile_in(conn: &Connection, model: ScoringModel) -> Result<Compiled> {
    Ok(Compiled::new(model, &type_ids(conn)?))
}

/// Checks a model against the database: its activity types and custom fields must exist.
pub fn validate_in(conn: &Connection, model: &ScoringModel) -> Result<()> {
    model.validate()?;
    let types = type_ids(conn)?;
    let mut issues = Vec::new();
    for (i, r) in model.behaviour_rules.iter().enumerate() {
        if !types.contains_key(&r.activity_type) {
            issues.push(FieldIssue::new(
                &format!("behaviourRules[{i}].activityType"),
                "unknown_activity_type",
                format!(
                    "rule {:?} counts activities of type {:?}, which does not exist",
                    r.id, r.activity_type
                ),
            ));
        }
    }
    for (i, r) in model.fit_rules.iter().enumerate() {
        let Some(name) = model::custom_name(&r.field) else {
            continue;
        };
        let defined: bool = conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM custom_fields WHERE name = ?1)")?
            .query_row([name], |row| row.get(0))?;
        let used = defined
            || conn
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM leads WHERE json_type(custom, ?1) IS NOT NULL)",
                )?
                .query_row([json_path(name)], |row| row.get(0))?;
        if !used {
            issues.push(FieldIssue::new(
                &format!("fitRules[{i}].field"),
                "unknown_field",
                format!(
                    "rule {:?} tests the custom field {name:?}, which no lead has and which is not defined",
                    r.id
                ),
            ));
        }
    }
    if issues.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid { issues })
    }
}

fn json_path(name: &str) -> String {
    format!("$.\"{}\"", name.replace('"', "\\\""))
}

/// Validates and stores `model` as the current model, then recomputes every lead's scores
/// with it — all in one transaction. A model that fails validation changes nothing.
pub fn save_model(
    db: &Sodate,
    model: &ScoringModel,
    now: DateTime<Utc>,
) -> Result<RecomputeReport> {
    save_model_with_progress(db, model, now, &mut |_| {})
}

/// [`save_model`], reporting the backup's and the rescore's progress (seconds at 1M leads).
pub fn save_model_with_progress(
    db: &Sodate,
    model: &ScoringModel,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(SaveProgress),
) -> Result<RecomputeReport> {
    let started = Instant::now();
    let cache = db.score_cache();
    let cached = db.read(|c| {
        validate_in(c, model)?;
        let compiled = compile_in(c, model.clone())?;
        cache.take_or_scan(c, db.file(), &compiled, day_of(now))
    })?;
    // The model it replaces stays restorable (a valid model only: checked above).
    crate::backup::take_with_progress(db, crate::backup::BackupReason::ScoringModel, &mut |p| {
        progress(SaveProgress {
            phase: SavePhase::Backup,
            done: p.pages_done,
            total: p.pages_total,
        })
    })?;
    let mut written = |done: usize, total: usize| {
        progress(SaveProgress {
            phase: SavePhase::Rescoring,
            done: done as u32,
            total: total as u32,
        })
    };
    let (mut report, snap) = db.write(|tx| save_in(tx, model, now, cached, &mut written))?;
    cache.put(snap);
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

fn save_in(
    tx: &Transaction,
    model: &ScoringModel,
    now: DateTime<Utc>,
    cached: Option<Snapshot>,
    written: &mut dyn FnMut(usize, usize),
) -> Result<(RecomputeReport, Snapshot)> {
    // Checked before anything is written: valid if nothing changed since it was read.
    let cached = snapshot::still_valid(cached, tx)?;
    validate_in(tx, model)?;
    let at = crate::time::format(now);
    tx.execute(
        "INSERT INTO scoring_model (id, revision, model, updated_at) VALUES (1, 1, ?1, ?2)
         ON CONFLICT (id) DO UPDATE SET revision = revision + 1, model = excluded.model,
             updated_at = excluded.updated_at",
        params![serde_json::to_string(model)?, at],
    )?;
    crate::leads::audit_in(
        tx,
        "scoring.save_model",
        "scoring_model",
        Some(1),
        &serde_json::json!({}),
    )?;
    recompute_with(tx, now, Cause::ModelSaved, cached, written)
}

/// Writes the current model as JSON to `path` (what `sodate scoring export` and the app's
/// export write).
pub fn export_to(db: &Sodate, path: &std::path::Path) -> Result<()> {
    crate::files::write_text(path, &export_json(db)?)
}

/// Reads a model from a JSON file and checks what needs no database (nothing is saved).
pub fn read_model(path: &std::path::Path) -> Result<ScoringModel> {
    ScoringModel::from_json(&crate::files::read_text(path, "file")?)
}

/// The current model as JSON (what `sodate scoring export` writes).
pub fn export_json(db: &Sodate) -> Result<String> {
    load_model(db)?.model.to_json()
}

/// Reads a model from JSON, validates it and saves it (recomputing every lead). Invalid JSON
/// or an invalid model changes nothing.
pub fn import_json(db: &Sodate, json: &str, now: DateTime<Utc>) -> Result<RecomputeReport> {
    let model = ScoringModel::from_json(json)?;
    save_model(db, &model, now)
}

/// Recomputes every lead's scores with the current model as of `now`, in one transaction.
pub fn recompute_all(db: &Sodate, now: DateTime<Utc>) -> Result<RecomputeReport> {
    recompute_cached(db, now, Cause::Recompute)
}

/// A full recompute that starts from the cached snapshot when the database has not changed
/// since it was read, and leaves the snapshot of what it wrote in the cache.
fn recompute_cached(db: &Sodate, now: DateTime<Utc>, cause: Cause) -> Result<RecomputeReport> {
    let started = Instant::now();
    let cache = db.score_cache();
    // An asked-for recompute reads everything again (what a user runs when in doubt); decay
    // starts from what is kept, brought up to date.
    let cached = db.read(|c| {
        let compiled = compile_in(c, load_in(c)?.model)?;
        if cause == Cause::Recompute {
            return snapshot::Snapshot::scan_parallel(c, db.file(), &compiled, day_of(now));
        }
        cache.take_or_scan(c, db.file(), &compiled, day_of(now))
    })?;
    let (mut report, snap) = db.write(|tx| {
        let cached = snapshot::still_valid(cached, tx)?;
        recompute_with(tx, now, cause, cached, &mut |_, _| {})
    })?;
    cache.put(snap);
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Brings the scores to today when they were computed for an earlier day (decay): call it
/// when the app starts and once a day. `None` when they are current.
pub fn apply_decay(db: &Sodate, now: DateTime<Utc>) -> Result<Option<RecomputeReport>> {
    let today = day_text(day_of(now));
    let scored: Option<String> = db.read(scored_day_in)?;
    if scored.as_deref() == Some(today.as_str()) {
        return Ok(None);
    }
    recompute_cached(db, now, Cause::Decay).map(Some)
}

/// The UTC day (`YYYY-MM-DD`) the stored scores are computed for (`None`: never computed).
pub fn scored_day(db: &Sodate) -> Result<Option<String>> {
    db.read(scored_day_in)
}

fn scored_day_in(conn: &Connection) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
        .query_row([SCORED_DAY], |r| r.get(0))
        .optional()?)
}

pub(crate) fn set_scored_day_in(conn: &Connection, day: i64) -> Result<()> {
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![SCORED_DAY, day_text(day)],
    )?;
    Ok(())
}

/// `SELECT id, engagement, fit, grade, is_mql, <fit fields…> FROM leads …` (+ `where`),
/// with the custom-field paths as parameters.
/// With `join` false, company fields are read as NULL and `l.company_id` is added last.
fn lead_select(compiled: &Compiled, where_clause: &str, join: bool) -> (String, Vec<String>) {
    lead_select_from(compiled, where_clause, join, "leads l")
}

/// [`lead_select`] from `from` (the leads table as `l`, possibly `INDEXED BY` an index).
fn lead_select_from(
    compiled: &Compiled,
    where_clause: &str,
    join: bool,
    from: &str,
) -> (String, Vec<String>) {
    let mut cols = String::from("l.id, s.engagement_score, s.fit_score, s.grade, s.is_mql");
    let mut params = Vec::new();
    for f in &compiled.fields {
        if let FieldRef::Custom(name) = f {
            params.push(json_path(name));
        }
        cols.push_str(", ");
        if f.is_company() && !join {
            cols.push_str("NULL");
        } else {
            cols.push_str(&f.sql(params.len().max(1)));
        }
    }
    if !join {
        cols.push_str(", l.company_id");
    }
    let join = if join && compiled.fields.iter().any(FieldRef::is_company) {
        " JOIN lead_scores s ON s.id = l.id LEFT JOIN companies c ON c.id = l.company_id"
    } else {
        " JOIN lead_scores s ON s.id = l.id"
    };
    let where_clause = if where_clause.is_empty() {
        String::new()
    } else {
        format!(" WHERE {where_clause}")
    };
    (
        format!("SELECT {cols} FROM {from}{join}{where_clause} ORDER BY l.id"),
        params,
    )
}

/// The statement reading one lead's scores and fit fields, with its parameters.
fn one_lead_select<'c>(
    conn: &'c Connection,
    compiled: &Compiled,
    id: i64,
) -> Result<(rusqlite::CachedStatement<'c>, Vec<String>)> {
    let customs = compiled
        .fields
        .iter()
        .filter(|f| matches!(f, FieldRef::Custom(_)))
        .count();
    let (sql, mut params) = lead_select_joined(
        compiled,
        &format!("l.id = CAST(?{} AS INTEGER)", customs + 1),
    );
    params.push(id.to_string());
    Ok((conn.prepare_cached(&sql)?, params))
}

fn stored_score(r: &rusqlite::Row) -> rusqlite::Result<LeadScore> {
    let engagement: f64 = r.get(1)?;
    let fit: f64 = r.get(2)?;
    let grade = r.get_ref(3)?.as_str().unwrap_or("");
    let mut g = [b' ', b' '];
    for (slot, b) in g.iter_mut().zip(grade.bytes()) {
        *slot = b;
    }
    if grade.len() != 2 {
        g = [b'?', b'?'];
    }
    Ok(LeadScore {
        engagement: engine::tenths(engagement),
        fit: engine::tenths(fit),
        grade: g,
        is_mql: r.get(4)?,
    })
}

fn lead_select_joined(compiled: &Compiled, where_clause: &str) -> (String, Vec<String>) {
    lead_select(compiled, where_clause, true)
}

/// The fit field values of a lead row (columns from 5), as text.
fn read_values(r: &rusqlite::Row, n: usize, out: &mut Vec<String>) -> rusqlite::Result<()> {
    read_values_from(r, 5, n, out)
}

fn read_values_from(
    r: &rusqlite::Row,
    first: usize,
    n: usize,
    out: &mut Vec<String>,
) -> rusqlite::Result<()> {
    out.resize(n, String::new());
    for (k, v) in out.iter_mut().enumerate() {
        v.clear();
        match r.get_ref(first + k)? {
            rusqlite::types::ValueRef::Text(t) => v.push_str(std::str::from_utf8(t).unwrap_or("")),
            rusqlite::types::ValueRef::Integer(i) => v.push_str(&i.to_string()),
            rusqlite::types::ValueRef::Real(f) => v.push_str(&f.to_string()),
            _ => {}
        }
    }
    Ok(())
}

/// A writer of changed scores and MQL crossings.
struct ScoreWriter<'a> {
    tx: &'a Connection,
    at: String,
    cause: Cause,
    revision: u32,
    compiled: &'a Compiled,
    /// Leads that started to meet the MQL rule, with the reason (for the handoff board).
    crossed: std::cell::RefCell<Vec<(i64, String)>>,
    /// Whether each rewritten lead goes into the changed-leads journal (a few leads
    /// rescored); a full rescore advances the score generation instead.
    journal: bool,
}

impl ScoreWriter<'_> {
    /// Writes `s.new` when it differs from `s.old`; true when a row was written.
    fn write(&self, s: &Rescored) -> Result<bool> {
        if s.new == s.old {
            return Ok(false);
        }
        self.tx
            .prepare_cached(
                "UPDATE lead_scores SET engagement_score = ?2, fit_score = ?3, grade = ?4, is_mql = ?5,
                    mql_since = CASE WHEN ?5 = is_mql THEN mql_since WHEN ?5 THEN ?6 ELSE NULL END
                 WHERE id = ?1",
            )?
            .execute(params![
                s.id,
                points(s.new.engagement),
                points(s.new.fit),
                s.new.grade_str(),
                s.new.is_mql,
                self.at
            ])?;
        if self.journal {
            self.tx
                .prepare_cached("INSERT INTO lead_changes (lead_id) VALUES (?1)")?
                .execute([s.id])?;
        }
        if s.new.is_mql != s.old.is_mql {
            let m = &self.compiled.model.mql;
            let reason = format!(
                "{}: engagement {} (MQL at {}), fit {} (MQL at {})",
                self.cause.code(),
                points(s.new.engagement),
                m.engagement,
                points(s.new.fit),
                m.fit
            );
            self.tx
                .prepare_cached(
                    "INSERT INTO score_history (lead_id, at, from_mql, to_mql, engagement, fit, grade, reason, model_revision)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                )?
                .execute(params![
                    s.id,
                    self.at,
                    s.old.is_mql,
                    s.new.is_mql,
                    points(s.new.engagement),
                    points(s.new.fit),
                    s.new.grade_str(),
                    reason,
                    self.revision
                ])?;
            if s.new.is_mql && !matches!(self.cause, Cause::Merged | Cause::Demo) {
                self.crossed.borrow_mut().push((s.id, reason));
            }
        }
        Ok(true)
    }
}

pub(crate) fn recompute_all_in(
    tx: &Transaction,
    now: DateTime<Utc>,
    cause: Cause,
) -> Result<RecomputeReport> {
    Ok(recompute_with(tx, now, cause, None, &mut |_, _| {})?.0)
}

/// The full recompute, from `cached` when it fits the model (else from a new scan). Returns
/// the snapshot with the scores as written. `written(done, total)` follows the rows written.
fn recompute_with(
    tx: &Transaction,
    now: DateTime<Utc>,
    cause: Cause,
    cached: Option<Snapshot>,
    written: &mut dyn FnMut(usize, usize),
) -> Result<(RecomputeReport, Snapshot)> {
    let started = Instant::now();
    let stored = load_in(tx)?;
    let compiled = compile_in(tx, stored.model)?;
    let today = day_of(now);
    let mut changed: Vec<Rescored> = Vec::new();
    let mut mql = 0u32;
    let mut visit = |s: Rescored| {
        mql += u32::from(s.new.is_mql);
        if s.new != s.old {
            changed.push(s);
        }
        Ok(())
    };
    let mut snap = match cached {
        Some(snap) if snap.evaluate(&compiled, &mut visit)?.is_some() => snap,
        _ => {
            let snap = Snapshot::scan(tx, &compiled, today)?;
            snap.evaluate(&compiled, &mut visit)?;
            snap
        }
    };
    let writer = ScoreWriter {
        tx,
        at: crate::time::format(now),
        cause,
        revision: stored.revision,
        compiled: &compiled,
        crossed: Default::default(),
        journal: false,
    };
    let (mut became, mut left) = (0, 0);
    // Most rows rewritten: the indexes led by a score column are rebuilt once (one sort)
    // rather than updated row by row (random B-tree writes). Each rebuild reads the whole
    // table: at 1M leads, rebuilding for 269k changed rows cost more than the updates
    // (measured: see docs/BENCHMARKS.md).
    let rebuilt = if changed.len() as u64 * 2 >= u64::from(snap.leads()) && changed.len() > 10_000 {
        Some(ScoreIndexes::drop_in(tx)?)
    } else {
        None
    };
    written(0, changed.len());
    for (i, s) in changed.iter().enumerate() {
        if i > 0 && i % PROGRESS_EVERY == 0 {
            written(i, changed.len());
        }
        writer.write(s)?;
        if s.new.is_mql && !s.old.is_mql {
            became += 1;
        } else if !s.new.is_mql && s.old.is_mql {
            left += 1;
        }
    }
    written(changed.len(), changed.len());
    if let Some(indexes) = rebuilt {
        indexes.restore_in(tx)?;
    }
    crate::handoff::after_rescore_in(tx, &writer.crossed.take(), &[], &writer.at)?;
    set_scored_day_in(tx, today)?;
    snap.set_stored(
        &changed.iter().map(|s| (s.id, s.new)).collect(),
        snapshot::next_generation(tx)?,
    );
    // The next process previews from it (written with the scores, in this transaction).
    snap.store_in(tx)?;
    let report = RecomputeReport {
        leads: snap.leads(),
        changed: changed.len() as u32,
        mql,
        became_mql: became,
        left_mql: left,
        scored_day: day_text(today),
        seconds: started.elapsed().as_secs_f64(),
    };
    Ok((report, snap))
}

/// The indexes on the scores, dropped for a large rewrite and recreated from their own
/// stored SQL.
struct ScoreIndexes(Vec<String>);

impl ScoreIndexes {
    fn drop_in(tx: &Transaction) -> Result<Self> {
        let indexes: Vec<(String, String)> = tx
            .prepare(
                "SELECT name, sql FROM sqlite_schema
                 WHERE type = 'index' AND tbl_name = 'lead_scores' AND sql IS NOT NULL",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (name, _) in &indexes {
            tx.execute_batch(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))?;
        }
        Ok(Self(indexes.into_iter().map(|(_, sql)| sql).collect()))
    }

    fn restore_in(self, tx: &Transaction) -> Result<()> {
        for sql in &self.0 {
            tx.execute_batch(sql)?;
        }
        Ok(())
    }
}

/// Rescores `lead_ids` (after their activities or fields changed) with the current model as
/// of `now`, inside the caller's transaction. Ids of leads that no longer exist are skipped.
pub fn recompute_leads(tx: &Transaction, lead_ids: &[i64], now: DateTime<Utc>) -> Result<u32> {
    recompute_leads_because(tx, lead_ids, now, Cause::LeadChanged)
}

pub(crate) fn recompute_leads_because(
    tx: &Transaction,
    lead_ids: &[i64],
    now: DateTime<Utc>,
    cause: Cause,
) -> Result<u32> {
    if lead_ids.is_empty() {
        return Ok(0);
    }
    let stored = load_in(tx)?;
    let compiled = compile_in(tx, stored.model)?;
    let writer = ScoreWriter {
        tx,
        at: crate::time::format(now),
        cause,
        revision: stored.revision,
        compiled: &compiled,
        crossed: Default::default(),
        journal: true,
    };
    let today = day_of(now);
    let mut changed = 0;
    for &id in lead_ids {
        if let Some(s) = rescore_one(tx, &compiled, id, today)? {
            changed += u32::from(writer.write(&s)?);
        }
    }
    let rescored: &[i64] = match cause {
        Cause::ActivityAdded | Cause::ActivityEdited | Cause::ActivitiesImported => lead_ids,
        _ => &[],
    };
    crate::handoff::after_rescore_in(tx, &writer.crossed.take(), rescored, &writer.at)?;
    Ok(changed)
}

/// One lead's stored and new scores (`None` when there is no such lead).
fn rescore_one(
    conn: &Connection,
    compiled: &Compiled,
    id: i64,
    today: i64,
) -> Result<Option<Rescored>> {
    let mut slots = vec![0u32; compiled.slots()];
    let mut buf = String::new();
    {
        let mut stmt = conn.prepare_cached(
            "SELECT type_id, occurred_at, detail FROM activities WHERE lead_id = ?1",
        )?;
        let mut rows = stmt.query([id])?;
        while let Some(r) = rows.next()? {
            compiled.add_activity(
                &mut slots,
                (r.get(0)?, r.get(1)?, r.get_ref(2)?.as_str().unwrap_or("")),
                today,
                &mut buf,
                |_, _| {},
            );
        }
    }
    let (mut stmt, params) = one_lead_select(conn, compiled, id)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
    let Some(r) = rows.next()? else {
        return Ok(None);
    };
    let old = stored_score(r)?;
    let mut values = Vec::new();
    read_values(r, compiled.fields.len(), &mut values)?;
    let refs: Vec<&str> = values.iter().map(String::as_str).collect();
    let new = compiled.score(&slots, compiled.fit_mask(&refs, &mut FitMemo::default()));
    Ok(Some(Rescored { id, old, new }))
}

/// Every line behind a lead's scores under the current model as of `now`.
pub fn explain(db: &Sodate, lead_id: i64, now: DateTime<Utc>) -> Result<Explanation> {
    db.read(|conn| {
        let compiled = compile_in(conn, load_in(conn)?.model)?;
        explain_in(conn, &compiled, lead_id, now)
    })
}

/// What one behaviour rule collected from a lead's activities.
#[derive(Default)]
struct RuleEvidence {
    count: u32,
    /// (occurred_at, activity id, detail) of the newest matching activities.
    newest: Vec<(i64, i64, String)>,
}

fn explain_in(
    conn: &Connection,
    compiled: &Compiled,
    lead_id: i64,
    now: DateTime<Utc>,
) -> Result<Explanation> {
    let today = day_of(now);
    let mut slots = vec![0u32; compiled.slots()];
    let mut evidence: Vec<RuleEvidence> = (0..compiled.slots())
        .map(|_| RuleEvidence::default())
        .collect();
    let mut buf = String::new();
    {
        let mut stmt = conn.prepare_cached(
            "SELECT id, type_id, occurred_at, detail FROM activities WHERE lead_id = ?1
             ORDER BY occurred_at DESC, id DESC",
        )?;
        let mut rows = stmt.query([lead_id])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let at: i64 = r.get(2)?;
            let detail = r.get_ref(3)?.as_str().unwrap_or("").to_string();
            compiled.add_activity(
                &mut slots,
                (r.get(1)?, at, &detail),
                today,
                &mut buf,
                |rule, w| {
                    let e = &mut evidence[rule];
                    if w > 0 {
                        e.count += 1;
                        if e.newest.len() < 20 {
                            e.newest.push((at, id, detail.clone()));
                        }
                    }
                },
            );
        }
    }
    let (mut stmt, params) = one_lead_select(conn, compiled, lead_id)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
    let r = rows.next()?.ok_or(Error::NotFound {
        entity: "lead",
        id: lead_id,
    })?;
    let mut values = Vec::new();
    read_values(r, compiled.fields.len(), &mut values)?;
    let refs: Vec<&str> = values.iter().map(String::as_str).collect();
    let mask = compiled.fit_mask(&refs, &mut FitMemo::default());
    let fit_matched = Compiled::fit_indices(mask);
    let score = compiled.score(&slots, mask);
    let lines = compiled
        .lines(&slots, &fit_matched)
        .into_iter()
        .map(|l| line_words(compiled, &l, &evidence, &refs))
        .collect();
    Ok(Explanation {
        lead_id,
        engagement: points(score.engagement),
        fit: points(score.fit),
        grade: score.grade_str().to_string(),
        is_mql: score.is_mql,
        as_of: day_text(today),
        lines,
    })
}

fn date_of(ts: i64) -> String {
    DateTime::<Utc>::from_timestamp(ts, 0)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

fn line_words(
    compiled: &Compiled,
    line: &RawLine,
    evidence: &[RuleEvidence],
    values: &[&str],
) -> ExplainLine {
    let cap_line =
        |id: &str, ja: &str, en: &str, score: &str, p: i64, source: String| ExplainLine {
            rule: ja.into(),
            rule_en: en.into(),
            rule_id: id.into(),
            score: score.into(),
            points: points(p),
            source,
            activity_ids: Vec::new(),
            activity_type: None,
            count: 0,
            latest_at: None,
            detail: None,
            field: None,
            value: None,
            capped: false,
        };
    let m = &compiled.model;
    match line {
        RawLine::Behaviour {
            rule,
            points: p,
            capped,
        } => {
            let r = compiled.behaviour_rule(*rule);
            let e = &evidence[*rule];
            let newest = e.newest.first();
            let mut source = match (e.count, newest, r.repeat) {
                (_, Some((at, _, detail)), Repeat::Once) | (1, Some((at, _, detail)), _) => {
                    let detail = if detail.is_empty() {
                        String::new()
                    } else {
                        format!(" {detail}")
                    };
                    format!("{} {}{}", date_of(*at), r.activity_type, detail)
                }
                (n, Some((at, _, _)), _) => {
                    format!("{n} × {}, latest {}", r.activity_type, date_of(*at))
                }
                _ => r.activity_type.clone(),
            };
            if *capped {
                source.push_str(&format!(" (cap {})", r.cap.unwrap_or_default()));
            }
            let ids = match r.repeat {
                Repeat::Once => e.newest.iter().take(1).map(|n| n.1).collect(),
                Repeat::Repeatable => e.newest.iter().map(|n| n.1).collect(),
            };
            ExplainLine {
                rule: r.label.text().to_string(),
                rule_en: r.label.en.clone(),
                rule_id: r.id.clone(),
                score: "engagement".into(),
                points: points(*p),
                source,
                activity_ids: ids,
                activity_type: Some(r.activity_type.clone()),
                count: if r.repeat == Repeat::Once {
                    e.count.min(1)
                } else {
                    e.count
                },
                latest_at: newest
                    .and_then(|n| DateTime::<Utc>::from_timestamp(n.0, 0).map(crate::time::format)),
                detail: newest.map(|n| n.2.clone()).filter(|d| !d.is_empty()),
                field: None,
                value: None,
                capped: *capped,
            }
        }
        RawLine::Fit { rule, points: p } => {
            let field = compiled.fit_field_of(*rule);
            let k = compiled.fields.iter().position(|f| f == field).unwrap_or(0);
            let (id, label, en, code) = compiled
                .fit_rule(*rule)
                .map(|r| {
                    (
                        r.id.clone(),
                        r.label.text().to_string(),
                        r.label.en.clone(),
                        r.field.clone(),
                    )
                })
                .unwrap_or_default();
            let value = values.get(k).copied().unwrap_or("");
            let value = if *field == FieldRef::EmailDomain {
                engine::email_domain(value)
            } else {
                value
            };
            ExplainLine {
                rule: label,
                rule_en: en,
                rule_id: id,
                score: "fit".into(),
                points: points(*p),
                source: format!("{code} = {value}"),
                activity_ids: Vec::new(),
                activity_type: None,
                count: 0,
                latest_at: None,
                detail: None,
                field: Some(code.clone()),
                value: Some(value.to_string()),
                capped: false,
            }
        }
        RawLine::EngagementCap(p) => cap_line(
            "cap.engagement",
            "エンゲージメント上限",
            "Engagement cap",
            "engagement",
            *p,
            format!("cap {}", m.engagement_cap.unwrap_or_default()),
        ),
        RawLine::EngagementFloor(p) => cap_line(
            "floor.engagement",
            "エンゲージメント下限 (0)",
            "Engagement floor (0)",
            "engagement",
            *p,
            "floor 0".into(),
        ),
        RawLine::FitCap(p) => cap_line(
            "cap.fit",
            "フィット上限",
            "Fit cap",
            "fit",
            *p,
            format!("cap {}", m.fit_cap.unwrap_or_default()),
        ),
    }
}

/// Scores every lead under `candidate` from the cached snapshot when it is valid and fits,
/// else from a new scan (which is then cached).
fn with_candidate(
    db: &Sodate,
    candidate: &ScoringModel,
    now: DateTime<Utc>,
    visit: impl FnMut(Rescored) -> Result<()>,
) -> Result<u32> {
    let cache = db.score_cache();
    db.read(|conn| {
        validate_in(conn, candidate)?;
        let compiled = compile_in(conn, candidate.clone())?;
        let today = day_of(now);
        let mut visit = visit;
        if let Some(snap) = cache.take_or_scan(conn, db.file(), &compiled, today)? {
            if let Some(n) = snap.evaluate(&compiled, &mut visit)? {
                cache.put(snap);
                return Ok(n);
            }
        }
        // (The cached read did not fit the candidate: read again, for it.)
        let snap = match Snapshot::scan_parallel(conn, db.file(), &compiled, today)? {
            Some(snap) => snap,
            None => Snapshot::scan(conn, &compiled, today)?,
        };
        let n = snap.evaluate(&compiled, &mut visit)?.unwrap_or(0);
        cache.put(snap);
        Ok(n)
    })
}

/// What `candidate` would change against the scores stored now (nothing is written).
/// The first preview reads every lead and activity (seconds at 1M leads); later ones, while
/// the database does not change and the candidate reads the same activities and fields,
/// are computed in memory.
pub fn impact_preview(
    db: &Sodate,
    candidate: &ScoringModel,
    now: DateTime<Utc>,
) -> Result<ImpactPreview> {
    let started = Instant::now();
    let mut p = ImpactPreview {
        leads: 0,
        mql_now: 0,
        mql_after: 0,
        becoming_mql: 0,
        leaving_mql: 0,
        grade_changes: 0,
        score_changes: 0,
        seconds: 0.0,
    };
    p.leads = with_candidate(db, candidate, now, |s| {
        p.mql_now += u32::from(s.old.is_mql);
        p.mql_after += u32::from(s.new.is_mql);
        p.becoming_mql += u32::from(s.new.is_mql && !s.old.is_mql);
        p.leaving_mql += u32::from(!s.new.is_mql && s.old.is_mql);
        p.grade_changes += u32::from(s.new.grade != s.old.grade);
        p.score_changes +=
            u32::from(s.new.engagement != s.old.engagement || s.new.fit != s.old.fit);
        Ok(())
    })?;
    p.seconds = started.elapsed().as_secs_f64();
    Ok(p)
}

/// The full read of the stored model, made in the background so that the user's first impact
/// preview is served from memory (the app starts it shortly after start). Three steps, so
/// that the open database is held only for the first and the last, each a few
/// milliseconds: [`preview_read_for`] (what to read; `None` when the cache already holds it),
/// [`PreviewRead::read`] (seconds at 1M leads, on two read-only connections of its own: it
/// blocks neither writes nor other reads), [`keep_preview_read`] (kept only if nothing was
/// written meanwhile).
pub struct PreviewRead {
    file: crate::db::DbFile,
    compiled: Compiled,
    today: i64,
    stamp: crate::db::Stamp,
}

/// What [`PreviewRead::read`] read, for [`keep_preview_read`].
pub struct PreviewSnapshot {
    snap: Snapshot,
    stamp: crate::db::Stamp,
}

/// The read that would let the first impact preview of the stored model be served from
/// memory, or `None` when the cache already holds it.
pub fn preview_read_for(db: &Sodate, now: DateTime<Utc>) -> Result<Option<PreviewRead>> {
    let today = day_of(now);
    db.read(|conn| {
        if db.score_cache().holds_valid(conn, today)? {
            return Ok(None);
        }
        Ok(Some(PreviewRead {
            file: db.file().clone(),
            compiled: compile_in(conn, load_in(conn)?.model)?,
            today,
            stamp: snapshot::stamp(conn)?,
        }))
    })
}

impl PreviewRead {
    /// Reads every lead and activity (without the open database).
    pub fn read(self) -> Result<PreviewSnapshot> {
        Ok(PreviewSnapshot {
            snap: Snapshot::scan_detached(&self.file, &self.compiled, self.today)?,
            stamp: self.stamp,
        })
    }
}

/// Keeps `read` for the impact previews when the database is still as it was when the read
/// was planned (and the cache holds nothing newer); true when kept.
pub fn keep_preview_read(db: &Sodate, read: PreviewSnapshot) -> Result<bool> {
    let cache = db.score_cache();
    db.read(|conn| {
        if snapshot::stamp(conn)? != read.stamp || cache.holds_valid(conn, read.snap.today())? {
            return Ok(false);
        }
        cache.put(read.snap);
        Ok(true)
    })
}

/// A page of the leads `candidate` would change in the way `kind` says, in id order.
pub fn impact_leads(
    db: &Sodate,
    candidate: &ScoringModel,
    now: DateTime<Utc>,
    kind: ImpactKind,
    offset: u32,
    limit: u32,
) -> Result<ImpactPage> {
    let limit = limit.clamp(1, crate::leads::MAX_PAGE);
    let mut total = 0u32;
    let mut picked: Vec<(i64, LeadScore)> = Vec::new();
    with_candidate(db, candidate, now, |s| {
        let hit = match kind {
            ImpactKind::BecomingMql => s.new.is_mql && !s.old.is_mql,
            ImpactKind::LeavingMql => !s.new.is_mql && s.old.is_mql,
            ImpactKind::GradeChange => s.new.grade != s.old.grade,
        };
        if hit {
            if total >= offset && picked.len() < limit as usize {
                picked.push((s.id, s.new));
            }
            total += 1;
        }
        Ok(())
    })?;
    db.read(|conn| {
        let ids: Vec<i64> = picked.iter().map(|p| p.0).collect();
        let rows = crate::leads::rows_by_id(conn, &ids)?;
        Ok(ImpactPage {
            total,
            offset,
            rows: rows
                .into_iter()
                .zip(picked)
                .map(|(lead, (_, s))| ImpactLead {
                    lead,
                    engagement_after: points(s.engagement),
                    fit_after: points(s.fit),
                    grade_after: s.grade_str().to_string(),
                    mql_after: s.is_mql,
                })
                .collect(),
        })
    })
}

/// The MQL crossings of one lead, newest first.
pub fn history(db: &Sodate, lead_id: i64) -> Result<Vec<ScoreHistoryEntry>> {
    db.read(|conn| {
        Ok(conn
            .prepare_cached(
                "SELECT lead_id, at, to_mql, engagement, fit, grade, reason FROM score_history
                 WHERE lead_id = ?1 ORDER BY at DESC, id DESC",
            )?
            .query_map([lead_id], |r| {
                Ok(ScoreHistoryEntry {
                    lead_id: r.get(0)?,
                    at: r.get(1)?,
                    became_mql: r.get(2)?,
                    engagement: r.get(3)?,
                    fit: r.get(4)?,
                    grade: r.get(5)?,
                    reason: r.get(6)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?)
    })
}
