//! The sales handoff: a lead's lifecycle from MQL through SAL, SQL and 商談 to 受注 / 失注, with
//! the detours リサイクル (back to nurturing) and 対象外 (disqualified).
//!
//! Invariants:
//! * a lead's stage changes only through [`move_in`] (the user, the CLI, a bulk move) or
//!   [`after_rescore_in`] (automatic MQL entry); both write one `lifecycle_history` row with
//!   who, when, from, to and why, in the same transaction as the stage;
//! * a refused move (unknown stage, missing or unlisted reason, a deleted or merged lead,
//!   SQL without complete BANT unconfirmed) writes nothing;
//! * automatic entry into MQL happens only from `subscriber`, `lead` or `recycled`, and only
//!   on the rescore where the lead starts to meet the MQL rule. A recycled lead that still
//!   meets the rule therefore stays recycled until it meets it *again* (falls below and
//!   crosses back up, or joins the MQL segment on an activity) after the recycle date.
//!
//! The board's settings (stage names, SLA days, reason lists, the MQL rule, when a lead is
//! dormant) are one JSON value, [`BoardConfig`], in `settings` under `board.config`.

mod board;
mod sheet;

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

pub use board::{
    board, column, column_ids, reactivation, Board, BoardCard, BoardColumn, BoardEvent,
    BoardFilter, ColumnPage, ReactivationKind, ReactivationPage, ReactivationRow, SlaState,
};
pub use sheet::{handoff_csv, handoff_sheets, write_handoff_csv, HandoffSheet, SheetActivity};

use crate::time::format;
use crate::{Error, FieldIssue, Result, Sodate, StageChange};

/// The stages a board shows, in column order: every lifecycle stage from MQL on.
pub const BOARD_STAGES: &[&str] = crate::model::LIFECYCLE_STAGES.split_at(2).1;

/// Stages a move into needs a reason from the stage's list.
pub const REASON_STAGES: &[&str] = &["lost", "recycled", "disqualified"];

/// Stages from which a lead that meets the MQL rule enters MQL by itself.
pub const NURTURING_STAGES: &[&str] = &["subscriber", "lead", "recycled"];

/// Who automatic moves are recorded as.
pub const SYSTEM_ACTOR: &str = "system";

const CONFIG_KEY: &str = "board.config";
const MAX_NOTE_CHARS: usize = 2000;
const MAX_REASON_CHARS: usize = 200;
const MAX_ANSWER_CHARS: usize = 2000;

/// One board column's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct StageSettings {
    /// The stage code (`mql`, `sal` … see [`BOARD_STAGES`]).
    pub stage: String,
    /// The user's names for the column; empty = the built-in name of the language.
    #[serde(default)]
    pub label_ja: String,
    #[serde(default)]
    pub label_en: String,
    /// Days a lead may stay in the stage before it is overdue; 0 = no SLA.
    #[serde(default)]
    pub sla_days: u32,
    /// The reasons offered (and required) when moving into the stage; empty for stages that
    /// need none.
    #[serde(default)]
    pub reasons: Vec<String>,
}

/// The board's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct BoardConfig {
    /// One entry per board stage, in [`BOARD_STAGES`] order.
    pub stages: Vec<StageSettings>,
    /// "Nurturing complete": `null` = the scoring model's MQL threshold; a segment id = being
    /// a member of that saved segment.
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Number>))]
    pub mql_segment: Option<i64>,
    /// A lead on the board with no activity for this many days is dormant (reactivation).
    pub dormant_days: u32,
}

impl Default for BoardConfig {
    fn default() -> Self {
        let s = |stage: &str, sla_days: u32, reasons: &[&str]| StageSettings {
            stage: stage.into(),
            label_ja: String::new(),
            label_en: String::new(),
            sla_days,
            reasons: reasons.iter().map(|r| r.to_string()).collect(),
        };
        Self {
            stages: vec![
                s("mql", 2, &[]),
                s("sal", 3, &[]),
                s("sql", 14, &[]),
                s("opportunity", 45, &[]),
                s("won", 0, &[]),
                s(
                    "lost",
                    0,
                    &[
                        "予算が合わない",
                        "競合に決定",
                        "時期が合わない",
                        "連絡が取れない",
                        "その他",
                    ],
                ),
                s(
                    "recycled",
                    0,
                    &[
                        "検討時期が先",
                        "情報収集の段階",
                        "担当者の異動・不在",
                        "その他",
                    ],
                ),
                s(
                    "disqualified",
                    0,
                    &[
                        "対象外の業種・規模",
                        "競合・同業",
                        "学生・個人",
                        "重複・テスト",
                        "その他",
                    ],
                ),
            ],
            mql_segment: None,
            dormant_days: 90,
        }
    }
}

impl BoardConfig {
    /// The settings of `stage` (every board stage has one after validation).
    pub fn stage(&self, stage: &str) -> Option<&StageSettings> {
        self.stages.iter().find(|s| s.stage == stage)
    }

    fn sla_days(&self, stage: &str) -> u32 {
        self.stage(stage).map_or(0, |s| s.sla_days)
    }

    /// Checks and tidies the settings: every board stage once, in order; names, reasons
    /// trimmed; the stages that need a reason have at least one.
    fn validated(mut self) -> Result<Self> {
        let mut issues = Vec::new();
        let mut stages = Vec::with_capacity(BOARD_STAGES.len());
        for (i, code) in BOARD_STAGES.iter().enumerate() {
            let Some(mut s) = self.stages.iter().find(|s| s.stage == *code).cloned() else {
                issues.push(FieldIssue::new(
                    &format!("stages[{i}]"),
                    "missing_stage",
                    format!("the settings of the stage {code} are missing"),
                ));
                continue;
            };
            s.label_ja = s.label_ja.trim().to_string();
            s.label_en = s.label_en.trim().to_string();
            if s.sla_days > 3650 {
                issues.push(FieldIssue::new(
                    &format!("stages[{i}].slaDays"),
                    "out_of_range",
                    "an SLA is at most 3650 days",
                ));
            }
            let mut reasons: Vec<String> = Vec::new();
            for r in &s.reasons {
                let r = r.trim().to_string();
                if !r.is_empty() && !reasons.contains(&r) {
                    reasons.push(r);
                }
            }
            if REASON_STAGES.contains(code) && reasons.is_empty() {
                issues.push(FieldIssue::new(
                    &format!("stages[{i}].reasons"),
                    "required",
                    format!("the stage {code} needs at least one reason to choose from"),
                ));
            }
            s.reasons = reasons;
            stages.push(s);
        }
        if let Some(extra) = self
            .stages
            .iter()
            .find(|s| !BOARD_STAGES.contains(&s.stage.as_str()))
        {
            issues.push(FieldIssue::new(
                "stages",
                "unknown_stage",
                format!("{} is not a board stage", extra.stage),
            ));
        }
        if self.dormant_days == 0 || self.dormant_days > 3650 {
            issues.push(FieldIssue::new(
                "dormantDays",
                "out_of_range",
                "dormant days are between 1 and 3650",
            ));
        }
        if !issues.is_empty() {
            return Err(Error::Invalid { issues });
        }
        self.stages = stages;
        Ok(self)
    }
}

/// The board settings in force.
pub fn config(db: &Sodate) -> Result<BoardConfig> {
    db.read(config_in)
}

pub(crate) fn config_in(conn: &Connection) -> Result<BoardConfig> {
    let stored: Option<String> = conn
        .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
        .query_row([CONFIG_KEY], |r| r.get(0))
        .optional()?;
    match stored {
        Some(json) => Ok(serde_json::from_str(&json)?),
        None => Ok(BoardConfig::default()),
    }
}

/// Saves the board settings. When the MQL rule changes, the leads in a nurturing stage that
/// meet the new rule enter MQL (recorded as automatic moves); returns how many did.
pub fn save_config(db: &Sodate, config: BoardConfig, now: DateTime<Utc>) -> Result<u32> {
    let config = config.validated()?;
    db.write(|tx| {
        if let Some(id) = config.mql_segment {
            crate::segments::segment_ids_filter(tx, id).map_err(|e| match e {
                Error::NotFound { .. } => Error::invalid(
                    "mqlSegment",
                    "not_found",
                    format!("segment {id} does not exist"),
                ),
                other => other,
            })?;
        }
        let before = config_in(tx)?;
        tx.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![CONFIG_KEY, serde_json::to_string(&config)?],
        )?;
        crate::leads::audit_in(
            tx,
            "board.config",
            "settings",
            None,
            &serde_json::to_value(&before)?,
        )?;
        if before.mql_segment != config.mql_segment {
            sync_mql_in(tx, &config, now)
        } else {
            Ok(0)
        }
    })
}

/// Leads in a nurturing stage that meet the MQL rule now enter MQL (after the rule changed).
fn sync_mql_in(tx: &Transaction, config: &BoardConfig, now: DateTime<Utc>) -> Result<u32> {
    let ids: Vec<(i64, String)> = match config.mql_segment {
        None => tx
            .prepare(
                "SELECT l.id, 'MQL rule changed: meets the score threshold'
                 FROM lead_scores s JOIN leads l ON l.id = s.id
                 WHERE s.is_mql = 1 AND l.lifecycle_stage IN ('subscriber', 'lead')",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?,
        Some(segment) => {
            let f = crate::segments::segment_ids_filter(tx, segment)?;
            let reason = format!(
                "MQL rule changed: member of segment {}",
                segment_name(tx, segment)?
            );
            let sql = format!(
                "SELECT id FROM leads WHERE lifecycle_stage IN ('subscriber', 'lead')
                 AND id IN ({})",
                f.ids_sql
            );
            tx.prepare(&sql)?
                .query_map(rusqlite::params_from_iter(f.params.iter()), |r| {
                    Ok((r.get(0)?, reason.clone()))
                })?
                .collect::<rusqlite::Result<_>>()?
        }
    };
    let at = format(now);
    for (id, reason) in &ids {
        record_in(tx, *id, "mql", &at, SYSTEM_ACTOR, reason, "", true)?;
    }
    Ok(ids.len() as u32)
}

fn segment_name(conn: &Connection, id: i64) -> Result<String> {
    Ok(conn
        .prepare_cached("SELECT name FROM segments WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?
        .unwrap_or_else(|| id.to_string()))
}

/// A stage move the user asks for.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", default)]
pub struct MoveRequest {
    pub stage: String,
    /// Required (one of the stage's reasons) for 失注, リサイクル and 対象外.
    pub reason: String,
    /// Free text beside the reason.
    pub note: String,
    /// The user confirmed moving to SQL although the BANT answers are incomplete.
    pub confirm_incomplete_bant: bool,
}

/// What a move did.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct MoveOutcome {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub lead_id: i64,
    pub from_stage: String,
    pub to_stage: String,
    pub changed_at: String,
    pub actor: String,
    pub reason: String,
    pub note: String,
}

/// Moves a lead to `req.stage` as `actor`, recording the move.
pub fn move_lead(
    db: &Sodate,
    lead_id: i64,
    req: &MoveRequest,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<MoveOutcome> {
    db.write(|tx| {
        let config = config_in(tx)?;
        move_in(tx, &config, lead_id, req, actor, now)
    })
}

/// What a bulk move did.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct BulkMoveReport {
    pub moved: u32,
    /// Leads already in the stage (nothing recorded for them).
    pub unchanged: u32,
}

/// Moves every lead of `lead_ids` to `req.stage` in one transaction. A lead that cannot be
/// moved (deleted, merged) refuses the whole call: nothing is recorded.
pub fn move_many(
    db: &Sodate,
    lead_ids: &[i64],
    req: &MoveRequest,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<BulkMoveReport> {
    db.write(|tx| {
        let config = config_in(tx)?;
        let mut report = BulkMoveReport {
            moved: 0,
            unchanged: 0,
        };
        for &id in lead_ids {
            match move_in(tx, &config, id, req, actor, now) {
                Ok(_) => report.moved += 1,
                Err(Error::Conflict(_)) if stage_of(tx, id)?.as_deref() == Some(&req.stage) => {
                    report.unchanged += 1
                }
                Err(e) => return Err(e),
            }
        }
        Ok(report)
    })
}

fn stage_of(conn: &Connection, id: i64) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT lifecycle_stage FROM leads WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?)
}

/// Validates and records one move inside the caller's transaction.
pub(crate) fn move_in(
    tx: &Transaction,
    config: &BoardConfig,
    lead_id: i64,
    req: &MoveRequest,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<MoveOutcome> {
    let to = req.stage.trim();
    if !crate::LIFECYCLE_STAGES.contains(&to) {
        return Err(Error::invalid(
            "stage",
            "unknown_stage",
            format!(
                "{to:?} is not a stage; the stages are {}",
                crate::LIFECYCLE_STAGES.join(", ")
            ),
        ));
    }
    let from = existing_stage(tx, lead_id)?;
    if from == to {
        return Err(Error::Conflict(format!(
            "lead {lead_id} is already in the stage {to}"
        )));
    }
    let reason = req.reason.trim();
    let note = req.note.trim();
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(Error::invalid(
            "note",
            "too_long",
            format!("a note has at most {MAX_NOTE_CHARS} characters"),
        ));
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(Error::invalid(
            "reason",
            "too_long",
            format!("a reason has at most {MAX_REASON_CHARS} characters"),
        ));
    }
    if REASON_STAGES.contains(&to) {
        let listed = config
            .stage(to)
            .map(|s| s.reasons.as_slice())
            .unwrap_or(&[]);
        if reason.is_empty() {
            return Err(Error::invalid(
                "reason",
                "required",
                format!(
                    "moving to {to} needs a reason: one of {}",
                    listed.join(", ")
                ),
            ));
        }
        if !listed.iter().any(|r| r == reason) {
            return Err(Error::invalid(
                "reason",
                "unknown_reason",
                format!(
                    "{reason:?} is not a reason for {to}; choose one of {}",
                    listed.join(", ")
                ),
            ));
        }
    }
    if to == "sql" && !req.confirm_incomplete_bant {
        let q = qualification_in(tx, lead_id)?;
        if q.bant_answered() < 4 {
            return Err(Error::invalid(
                "bant",
                "bant_incomplete",
                format!(
                    "lead {lead_id} has {} of 4 BANT answers; confirm to move it to sql anyway",
                    q.bant_answered()
                ),
            ));
        }
    }
    let at = format(now);
    let actor = if actor.trim().is_empty() {
        "user"
    } else {
        actor.trim()
    };
    record_in(tx, lead_id, to, &at, actor, reason, note, false)?;
    Ok(MoveOutcome {
        lead_id,
        from_stage: from,
        to_stage: to.to_string(),
        changed_at: at,
        actor: actor.to_string(),
        reason: reason.to_string(),
        note: note.to_string(),
    })
}

/// The lead's stage; a clear refusal when it was deleted or merged away.
fn existing_stage(conn: &Connection, lead_id: i64) -> Result<String> {
    if let Some(stage) = stage_of(conn, lead_id)? {
        return Ok(stage);
    }
    let survivor: Option<i64> = conn
        .prepare_cached(
            "SELECT survivor_id FROM merges WHERE merged_id = ?1 AND undone_at IS NULL
             ORDER BY id DESC LIMIT 1",
        )?
        .query_row([lead_id], |r| r.get(0))
        .optional()?;
    match survivor {
        Some(s) => Err(Error::Conflict(format!(
            "lead {lead_id} was merged into lead {s}; move lead {s} instead"
        ))),
        None => Err(Error::NotFound {
            entity: "lead",
            id: lead_id,
        }),
    }
}

/// Writes the stage and its history row.
#[allow(clippy::too_many_arguments)]
fn record_in(
    tx: &Connection,
    lead_id: i64,
    to: &str,
    at: &str,
    actor: &str,
    reason: &str,
    note: &str,
    automatic: bool,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO lifecycle_history (lead_id, from_stage, to_stage, changed_at, actor, reason, note, automatic)
         SELECT id, lifecycle_stage, ?2, ?3, ?4, ?5, ?6, ?7 FROM leads WHERE id = ?1",
    )?
    .execute(params![lead_id, to, at, actor, reason, note, automatic])?;
    tx.prepare_cached(
        "UPDATE leads SET lifecycle_stage = ?2, stage_changed_at = ?3, updated_at = ?3 WHERE id = ?1",
    )?
    .execute(params![lead_id, to, at])?;
    Ok(())
}

/// After leads were rescored: those that started to meet the MQL rule and are in a
/// nurturing stage enter MQL, recorded as automatic with the reason. `crossed` holds the
/// leads whose score crossed the threshold upwards with the crossing's explanation;
/// `rescored` every lead rescored after an activity (for a segment rule).
pub(crate) fn after_rescore_in(
    tx: &Transaction,
    crossed: &[(i64, String)],
    rescored: &[i64],
    at: &str,
) -> Result<()> {
    if crossed.is_empty() && rescored.is_empty() {
        return Ok(());
    }
    let config = config_in(tx)?;
    match config.mql_segment {
        None => {
            for (id, why) in crossed {
                if in_nurturing(tx, *id)? {
                    let reason = format!("meets the MQL score threshold ({why})");
                    record_in(tx, *id, "mql", at, SYSTEM_ACTOR, &reason, "", true)?;
                }
            }
        }
        Some(segment) => {
            if rescored.is_empty() {
                return Ok(());
            }
            let Ok(f) = crate::segments::segment_ids_filter(tx, segment) else {
                // The segment was deleted: no lead meets the rule until it is set again.
                return Ok(());
            };
            let reason = format!("member of the MQL segment {}", segment_name(tx, segment)?);
            let member_sql = format!(
                "SELECT EXISTS (SELECT 1 FROM ({}) m WHERE m.id = ?)",
                f.ids_sql
            );
            for &id in rescored {
                if !in_nurturing(tx, id)? {
                    continue;
                }
                let mut params = f.params.clone();
                params.push(id.into());
                let member: bool = tx
                    .prepare_cached(&member_sql)?
                    .query_row(rusqlite::params_from_iter(params.iter()), |r| r.get(0))?;
                if member {
                    record_in(tx, id, "mql", at, SYSTEM_ACTOR, &reason, "", true)?;
                }
            }
        }
    }
    Ok(())
}

fn in_nurturing(conn: &Connection, id: i64) -> Result<bool> {
    Ok(stage_of(conn, id)?.is_some_and(|s| NURTURING_STAGES.contains(&s.as_str())))
}

/// A lead's stage history, newest first.
pub fn history(db: &Sodate, lead_id: i64) -> Result<Vec<StageChange>> {
    db.read(|conn| {
        existing_stage(conn, lead_id)?;
        history_in(conn, lead_id)
    })
}

pub(crate) fn history_in(conn: &Connection, lead_id: i64) -> Result<Vec<StageChange>> {
    Ok(conn
        .prepare_cached(
            "SELECT from_stage, to_stage, changed_at, actor, reason, note, automatic
             FROM lifecycle_history WHERE lead_id = ?1 ORDER BY changed_at DESC, id DESC",
        )?
        .query_map([lead_id], |r| {
            Ok(StageChange {
                from_stage: r.get(0)?,
                to_stage: r.get(1)?,
                changed_at: r.get(2)?,
                actor: r.get(3)?,
                reason: r.get(4)?,
                note: r.get(5)?,
                automatic: r.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?)
}

/// A lead's BANT and CHAMP answers (empty text = not answered).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", default)]
pub struct Qualification {
    pub budget: String,
    pub authority: String,
    pub need: String,
    pub timeline: String,
    pub challenges: String,
    pub champ_authority: String,
    pub money: String,
    pub prioritisation: String,
}

impl Qualification {
    /// How many of the four BANT questions are answered.
    pub fn bant_answered(&self) -> u32 {
        [&self.budget, &self.authority, &self.need, &self.timeline]
            .iter()
            .filter(|a| !a.trim().is_empty())
            .count() as u32
    }

    /// How many of the four CHAMP questions are answered.
    pub fn champ_answered(&self) -> u32 {
        [
            &self.challenges,
            &self.champ_authority,
            &self.money,
            &self.prioritisation,
        ]
        .iter()
        .filter(|a| !a.trim().is_empty())
        .count() as u32
    }

    fn answers_mut(&mut self) -> [(&'static str, &mut String); 8] {
        [
            ("budget", &mut self.budget),
            ("authority", &mut self.authority),
            ("need", &mut self.need),
            ("timeline", &mut self.timeline),
            ("challenges", &mut self.challenges),
            ("champAuthority", &mut self.champ_authority),
            ("money", &mut self.money),
            ("prioritisation", &mut self.prioritisation),
        ]
    }
}

/// A lead's qualification answers.
pub fn qualification(db: &Sodate, lead_id: i64) -> Result<Qualification> {
    db.read(|conn| {
        existing_stage(conn, lead_id)?;
        qualification_in(conn, lead_id)
    })
}

pub(crate) fn qualification_in(conn: &Connection, lead_id: i64) -> Result<Qualification> {
    Ok(conn
        .prepare_cached(
            "SELECT budget, authority, need, timeline, challenges, champ_authority, money,
                    prioritisation
             FROM lead_qualification WHERE lead_id = ?1",
        )?
        .query_row([lead_id], |r| {
            Ok(Qualification {
                budget: r.get(0)?,
                authority: r.get(1)?,
                need: r.get(2)?,
                timeline: r.get(3)?,
                challenges: r.get(4)?,
                champ_authority: r.get(5)?,
                money: r.get(6)?,
                prioritisation: r.get(7)?,
            })
        })
        .optional()?
        .unwrap_or_default())
}

/// Replaces a lead's qualification answers (trimmed); returns them as stored.
pub fn set_qualification(
    db: &Sodate,
    lead_id: i64,
    answers: &Qualification,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Qualification> {
    let mut q = answers.clone();
    let mut issues = Vec::new();
    for (field, value) in q.answers_mut() {
        *value = value.trim().to_string();
        if value.chars().count() > MAX_ANSWER_CHARS {
            issues.push(FieldIssue::new(
                field,
                "too_long",
                format!("an answer has at most {MAX_ANSWER_CHARS} characters"),
            ));
        }
    }
    if !issues.is_empty() {
        return Err(Error::Invalid { issues });
    }
    db.write(|tx| {
        existing_stage(tx, lead_id)?;
        tx.prepare_cached(
            "INSERT INTO lead_qualification (lead_id, budget, authority, need, timeline,
                challenges, champ_authority, money, prioritisation, updated_at, updated_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
             ON CONFLICT (lead_id) DO UPDATE SET budget = excluded.budget,
                authority = excluded.authority, need = excluded.need,
                timeline = excluded.timeline, challenges = excluded.challenges,
                champ_authority = excluded.champ_authority, money = excluded.money,
                prioritisation = excluded.prioritisation, updated_at = excluded.updated_at,
                updated_by = excluded.updated_by",
        )?
        .execute(params![
            lead_id,
            q.budget,
            q.authority,
            q.need,
            q.timeline,
            q.challenges,
            q.champ_authority,
            q.money,
            q.prioritisation,
            format(now),
            actor
        ])?;
        Ok(())
    })?;
    Ok(q)
}

/// The longest owner name, in characters.
pub const MAX_OWNER_CHARS: usize = 100;

/// Assigns the lead to `owner` (a sales person's name; empty = nobody). Recorded in the audit
/// log with the previous owner.
pub fn set_owner(db: &Sodate, lead_id: i64, owner: &str) -> Result<()> {
    let owner: String = owner.trim().chars().filter(|c| !c.is_control()).collect();
    if owner.chars().count() > MAX_OWNER_CHARS {
        return Err(Error::invalid(
            "owner",
            "too_long",
            format!("an owner's name has at most {MAX_OWNER_CHARS} characters"),
        ));
    }
    db.write(|tx| {
        existing_stage(tx, lead_id)?;
        let before: String =
            tx.query_row("SELECT owner FROM leads WHERE id = ?1", [lead_id], |r| {
                r.get(0)
            })?;
        tx.execute(
            "UPDATE leads SET owner = ?2, updated_at = ?3 WHERE id = ?1",
            params![lead_id, owner, crate::time::now()],
        )?;
        crate::leads::audit_in(
            tx,
            "lead.owner",
            "lead",
            Some(lead_id),
            &serde_json::json!({ "before": before, "after": owner }),
        )
    })
}
