//! Reading the board: column counts, overdue counts and pages of cards, under the filters
//! (owner, event, segment, overdue only); and the reactivation list (失注 and dormant leads).
//!
//! Cost: a column page walks `leads_by_stage` (stage, stage_changed_at) in order, so the
//! first page of a 10,000-card column reads its first rows only; counts are index ranges.

use chrono::{DateTime, Duration, Utc};
use rusqlite::types::Value;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::{config_in, qualification_in, BoardConfig, BOARD_STAGES};
use crate::time::format;
use crate::{Error, Result, Sodate};

/// The most cards one page holds.
pub const MAX_PAGE: u32 = 500;

/// What the board shows.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", default)]
pub struct BoardFilter {
    /// Only leads of this owner (`""` = leads without an owner; `null` = everyone).
    pub owner: Option<String>,
    /// Only leads first met at this event.
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Number>))]
    pub event: Option<i64>,
    /// Only members of this saved segment.
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Number>))]
    pub segment: Option<i64>,
    /// Only leads past their stage's SLA.
    pub overdue_only: bool,
}

/// On time, due soon (the last quarter of the SLA) or overdue; `none` without an SLA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum SlaState {
    None,
    OnTime,
    DueSoon,
    Overdue,
}

impl SlaState {
    pub fn of(days_in_stage: u32, sla_days: u32) -> Self {
        if sla_days == 0 {
            SlaState::None
        } else if days_in_stage >= sla_days {
            SlaState::Overdue
        } else if days_in_stage * 4 >= sla_days * 3 {
            SlaState::DueSoon
        } else {
            SlaState::OnTime
        }
    }
}

/// One card.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct BoardCard {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub id: i64,
    pub family_name: String,
    pub given_name: String,
    pub company_name: Option<String>,
    pub grade: String,
    pub engagement_score: f64,
    pub stage: String,
    pub stage_changed_at: Option<String>,
    /// Whole days since the lead entered its stage.
    pub days_in_stage: u32,
    pub sla: SlaState,
    pub owner: String,
    /// BANT and CHAMP questions answered (of 4 each).
    pub bant: u32,
    pub champ: u32,
}

/// A page of one column's cards, longest in the stage first.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ColumnPage {
    pub stage: String,
    /// Cards in the column under the filters.
    pub total: u32,
    pub offset: u32,
    pub cards: Vec<BoardCard>,
}

/// One column: its counts and first page.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct BoardColumn {
    pub stage: String,
    pub sla_days: u32,
    pub count: u32,
    /// Leads past the SLA (under the filters, whether or not `overdueOnly` is set).
    pub overdue: u32,
    pub page: ColumnPage,
}

/// The whole board.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Board {
    pub config: BoardConfig,
    pub columns: Vec<BoardColumn>,
    /// The owners of leads on the board (for the owner filter).
    pub owners: Vec<String>,
    /// Events leads were first met at (id, name), newest first (for the event filter).
    pub events: Vec<BoardEvent>,
}

/// An event for the event filter.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct BoardEvent {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub id: i64,
    pub name: String,
}

/// The filter as SQL over `leads l` (`AND …`) with its positional parameters.
struct Where {
    sql: String,
    params: Vec<Value>,
}

fn where_of(conn: &Connection, f: &BoardFilter) -> Result<Where> {
    let mut w = Where {
        sql: String::new(),
        params: Vec::new(),
    };
    if let Some(owner) = &f.owner {
        w.sql.push_str(" AND l.owner = ?");
        w.params.push(Value::Text(owner.trim().to_string()));
    }
    if let Some(event) = f.event {
        w.sql.push_str(" AND l.first_event_id = ?");
        w.params.push(Value::Integer(event));
    }
    if let Some(segment) = f.segment {
        let s = crate::segments::segment_ids_filter(conn, segment)?;
        w.sql.push_str(&format!(" AND l.id IN ({})", s.ids_sql));
        w.params.extend(s.params);
    }
    Ok(w)
}

/// The moment before which a lead entered `stage` to be overdue now.
fn overdue_cutoff(sla_days: u32, now: DateTime<Utc>) -> String {
    format(now - Duration::days(i64::from(sla_days)))
}

fn days_between(from: Option<&str>, now: DateTime<Utc>) -> u32 {
    from.and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| (now - t.with_timezone(&Utc)).num_days().max(0) as u32)
        .unwrap_or(0)
}

fn check_stage(stage: &str) -> Result<()> {
    if BOARD_STAGES.contains(&stage) {
        Ok(())
    } else {
        Err(Error::invalid(
            "stage",
            "unknown_stage",
            format!(
                "{stage:?} is not a board column; the columns are {}",
                BOARD_STAGES.join(", ")
            ),
        ))
    }
}

/// Which of a column's leads a count reads, by when they entered the stage.
#[derive(Clone, Copy)]
enum Entered<'a> {
    Any,
    Before(&'a str),
    Since(&'a str),
    Unknown,
}

fn count_in(conn: &Connection, stage: &str, w: &Where, entered: Entered) -> Result<u32> {
    let mut params = vec![Value::Text(stage.into())];
    let mut sql = String::from("SELECT count(*) FROM leads l WHERE l.lifecycle_stage = ?");
    match entered {
        Entered::Any => {}
        Entered::Before(cutoff) | Entered::Since(cutoff) => {
            let op = if matches!(entered, Entered::Before(_)) {
                "<"
            } else {
                ">="
            };
            sql.push_str(&format!(" AND l.stage_changed_at {op} ?"));
            params.push(Value::Text(cutoff.into()));
        }
        Entered::Unknown => sql.push_str(" AND l.stage_changed_at IS NULL"),
    }
    sql.push_str(&w.sql);
    params.extend(w.params.iter().cloned());
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(rusqlite::params_from_iter(params.iter()), |r| r.get(0))?)
}

/// Leads of a column of `count` past its SLA, counted from the other end: those that entered
/// recently (and those without an entry time) are few, the overdue ones may be most of a
/// long column (each count walks its range of leads_by_stage).
fn overdue_in(conn: &Connection, stage: &str, w: &Where, count: u32, cutoff: &str) -> Result<u32> {
    let recent = count_in(conn, stage, w, Entered::Since(cutoff))?;
    let unknown = count_in(conn, stage, w, Entered::Unknown)?;
    Ok(count.saturating_sub(recent).saturating_sub(unknown))
}

// One page of a column; the caller computes the filter's SQL once for all columns, and may
// know the column's total under the filters already (`total`).
#[allow(clippy::too_many_arguments)]
fn page_in(
    conn: &Connection,
    config: &BoardConfig,
    stage: &str,
    filter: &BoardFilter,
    w: &Where,
    offset: u32,
    limit: u32,
    total: Option<u32>,
    now: DateTime<Utc>,
) -> Result<ColumnPage> {
    let sla_days = config.sla_days(stage);
    let cutoff = (filter.overdue_only && sla_days > 0).then(|| overdue_cutoff(sla_days, now));
    if filter.overdue_only && sla_days == 0 {
        return Ok(ColumnPage {
            stage: stage.into(),
            total: 0,
            offset,
            cards: Vec::new(),
        });
    }
    let total = match (total, &cutoff) {
        (Some(total), _) => total,
        (None, Some(cutoff)) => count_in(conn, stage, w, Entered::Before(cutoff))?,
        (None, None) => count_in(conn, stage, w, Entered::Any)?,
    };
    let mut params = vec![Value::Text(stage.into())];
    let mut sql = String::from(
        "SELECT l.id, l.family_name, l.given_name, c.name, s.grade, s.engagement_score,
                l.stage_changed_at, l.owner
         FROM leads l JOIN lead_scores s ON s.id = l.id
         LEFT JOIN companies c ON c.id = l.company_id
         WHERE l.lifecycle_stage = ?",
    );
    if let Some(cutoff) = &cutoff {
        sql.push_str(" AND l.stage_changed_at < ?");
        params.push(Value::Text(cutoff.clone()));
    }
    sql.push_str(&w.sql);
    params.extend(w.params.iter().cloned());
    sql.push_str(" ORDER BY l.stage_changed_at, l.id LIMIT ? OFFSET ?");
    params.push(Value::Integer(i64::from(limit.min(MAX_PAGE))));
    params.push(Value::Integer(i64::from(offset)));
    let mut cards = conn
        .prepare_cached(&sql)?
        .query_map(rusqlite::params_from_iter(params.iter()), |r| {
            let changed: Option<String> = r.get(6)?;
            let days = days_between(changed.as_deref(), now);
            Ok(BoardCard {
                id: r.get(0)?,
                family_name: r.get(1)?,
                given_name: r.get(2)?,
                company_name: r.get(3)?,
                grade: r.get(4)?,
                engagement_score: r.get(5)?,
                stage: stage.into(),
                stage_changed_at: changed,
                days_in_stage: days,
                sla: SlaState::of(days, sla_days),
                owner: r.get(7)?,
                bant: 0,
                champ: 0,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for card in &mut cards {
        let q = qualification_in(conn, card.id)?;
        card.bant = q.bant_answered();
        card.champ = q.champ_answered();
    }
    Ok(ColumnPage {
        stage: stage.into(),
        total,
        offset,
        cards,
    })
}

/// The board: every column's counts and first `limit` cards under `filter`.
pub fn board(db: &Sodate, filter: &BoardFilter, limit: u32, now: DateTime<Utc>) -> Result<Board> {
    db.read(|conn| {
        let config = config_in(conn)?;
        let w = where_of(conn, filter)?;
        let mut columns = Vec::with_capacity(BOARD_STAGES.len());
        for stage in BOARD_STAGES {
            let sla_days = config.sla_days(stage);
            let count = count_in(conn, stage, &w, Entered::Any)?;
            let overdue = if sla_days > 0 {
                overdue_in(conn, stage, &w, count, &overdue_cutoff(sla_days, now))?
            } else {
                0
            };
            // The page's total is one of the counts just made.
            let total = if filter.overdue_only { overdue } else { count };
            let page = page_in(conn, &config, stage, filter, &w, 0, limit, Some(total), now)?;
            columns.push(BoardColumn {
                stage: stage.to_string(),
                sla_days,
                count,
                overdue,
                page,
            });
        }
        // A skip scan of leads_by_owner (0012): each owner once, kept when one of their
        // leads is on the board. `owner <> ''` in every step lets SQLite use that index.
        let owners = conn
            .prepare_cached(
                "WITH RECURSIVE o(owner) AS (
                     SELECT min(owner) FROM leads WHERE owner <> ''
                     UNION ALL
                     SELECT (SELECT min(owner) FROM leads WHERE owner <> '' AND owner > o.owner)
                     FROM o WHERE o.owner IS NOT NULL
                 )
                 SELECT owner FROM o
                 WHERE owner IS NOT NULL AND EXISTS (
                     SELECT 1 FROM leads l
                     WHERE l.owner = o.owner AND l.owner <> ''
                       AND l.lifecycle_stage IN ('mql', 'sal', 'sql', 'opportunity', 'won',
                                                 'lost', 'recycled', 'disqualified'))",
            )?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let events = conn
            .prepare_cached("SELECT id, name FROM events ORDER BY starts_on DESC, id DESC")?
            .query_map([], |r| {
                Ok(BoardEvent {
                    id: r.get(0)?,
                    name: r.get(1)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(Board {
            config,
            columns,
            owners,
            events,
        })
    })
}

/// A page of one column's cards under `filter`.
pub fn column(
    db: &Sodate,
    stage: &str,
    filter: &BoardFilter,
    offset: u32,
    limit: u32,
    now: DateTime<Utc>,
) -> Result<ColumnPage> {
    check_stage(stage)?;
    db.read(|conn| {
        let config = config_in(conn)?;
        let w = where_of(conn, filter)?;
        page_in(conn, &config, stage, filter, &w, offset, limit, None, now)
    })
}

/// Which leads the reactivation view lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ReactivationKind {
    /// 失注 leads.
    Lost,
    /// Leads in MQL, SAL, SQL, 商談 or リサイクル with no activity for the dormant days.
    Dormant,
}

/// A lead to reactivate.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ReactivationRow {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub id: i64,
    pub family_name: String,
    pub given_name: String,
    pub company_name: Option<String>,
    pub stage: String,
    pub grade: String,
    pub owner: String,
    /// The last activity (UTC), if any.
    pub last_activity_at: Option<String>,
    /// Days since the last activity (since the lead was created when it has none).
    pub days_silent: u32,
    /// The reason of the move into the current stage (the lost reason).
    pub stage_reason: String,
}

/// A page of the reactivation list, the longest silent first.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ReactivationPage {
    pub total: u32,
    pub offset: u32,
    pub dormant_days: u32,
    pub rows: Vec<ReactivationRow>,
}

/// Lost or dormant leads, the longest silent first.
pub fn reactivation(
    db: &Sodate,
    kind: ReactivationKind,
    offset: u32,
    limit: u32,
    now: DateTime<Utc>,
) -> Result<ReactivationPage> {
    db.read(|conn| {
        let config = config_in(conn)?;
        let stages = match kind {
            ReactivationKind::Lost => "('lost')",
            ReactivationKind::Dormant => "('mql', 'sal', 'sql', 'opportunity', 'recycled')",
        };
        // Silence is measured from the last activity, else from the lead's creation.
        let cutoff = match kind {
            ReactivationKind::Lost => i64::MAX,
            ReactivationKind::Dormant => (now - Duration::days(i64::from(config.dormant_days))).timestamp(),
        };
        let base = format!(
            "WITH cand AS (
                SELECT l.id,
                       (SELECT max(a.occurred_at) FROM activities a WHERE a.lead_id = l.id) AS last_at,
                       CAST(strftime('%s', l.created_at) AS INTEGER) AS created
                FROM leads l WHERE l.lifecycle_stage IN {stages}),
             silent AS (SELECT id, last_at, coalesce(last_at, created) AS quiet FROM cand
                        WHERE coalesce(last_at, created) < ?1)"
        );
        let total: u32 = conn
            .prepare_cached(&format!("{base} SELECT count(*) FROM silent"))?
            .query_row([cutoff], |r| r.get(0))?;
        let sql = format!(
            "{base}
             SELECT l.id, l.family_name, l.given_name, c.name, l.lifecycle_stage, sc.grade, l.owner,
                    s.last_at, s.quiet,
                    (SELECT h.reason FROM lifecycle_history h WHERE h.lead_id = l.id
                     ORDER BY h.changed_at DESC, h.id DESC LIMIT 1)
             FROM silent s JOIN leads l ON l.id = s.id JOIN lead_scores sc ON sc.id = l.id
             LEFT JOIN companies c ON c.id = l.company_id
             ORDER BY s.quiet, l.id LIMIT ?2 OFFSET ?3"
        );
        let now_ts = now.timestamp();
        let rows = conn
            .prepare_cached(&sql)?
            .query_map(
                rusqlite::params![cutoff, limit.min(MAX_PAGE), offset],
                |r| {
                    let last: Option<i64> = r.get(7)?;
                    let quiet: i64 = r.get(8)?;
                    Ok(ReactivationRow {
                        id: r.get(0)?,
                        family_name: r.get(1)?,
                        given_name: r.get(2)?,
                        company_name: r.get(3)?,
                        stage: r.get(4)?,
                        grade: r.get(5)?,
                        owner: r.get(6)?,
                        last_activity_at: last
                            .and_then(|t| DateTime::from_timestamp(t, 0))
                            .map(format),
                        days_silent: ((now_ts - quiet).max(0) / 86_400) as u32,
                        stage_reason: r.get::<_, Option<String>>(9)?.unwrap_or_default(),
                    })
                },
            )?
            .collect::<rusqlite::Result<_>>()?;
        Ok(ReactivationPage {
            total,
            offset,
            dormant_days: config.dormant_days,
            rows,
        })
    })
}

/// The ids of a column's leads under `filter`, in card order (at most
/// [`super::sheet::MAX_SHEET_LEADS`]: what one handoff sheet holds).
pub fn column_ids(
    db: &Sodate,
    stage: &str,
    filter: &BoardFilter,
    now: DateTime<Utc>,
) -> Result<Vec<i64>> {
    check_stage(stage)?;
    db.read(|conn| {
        let config = config_in(conn)?;
        let w = where_of(conn, filter)?;
        let sla_days = config.sla_days(stage);
        let mut params = vec![Value::Text(stage.into())];
        let mut sql = String::from("SELECT l.id FROM leads l WHERE l.lifecycle_stage = ?");
        if filter.overdue_only {
            if sla_days == 0 {
                return Ok(Vec::new());
            }
            sql.push_str(" AND l.stage_changed_at < ?");
            params.push(Value::Text(overdue_cutoff(sla_days, now)));
        }
        sql.push_str(&w.sql);
        params.extend(w.params.iter().cloned());
        sql.push_str(&format!(
            " ORDER BY l.stage_changed_at, l.id LIMIT {}",
            super::sheet::MAX_SHEET_LEADS
        ));
        Ok(conn
            .prepare_cached(&sql)?
            .query_map(rusqlite::params_from_iter(params.iter()), |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?)
    })
}
