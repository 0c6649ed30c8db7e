//! Live data of a map: which lead is in which stage (the furthest stage whose binding it
//! matches), the history of entries and exits, metrics from that history, and the nurture
//! steps due.
//!
//! Refresh: every bound stage's members are read through the public segments API
//! (`segments::member_ids_once_at`: the snapshot when current, else SQL), each lead is
//! assigned the furthest stage it matches, and the open intervals of the map are compared
//! with that assignment: a lead whose stage changed gets its interval closed (with the stage
//! it moved to) and a new one opened, in one transaction. A map with a broken binding (a deleted segment …) is not refreshed — its
//! history would record moves that did not happen — and says so.
//!
//! Metrics per stage: `count` = open intervals; `conversion` = of the intervals ever opened
//! in the stage, the share closed by a move to a stage further on; `median_days` = the
//! median length of closed intervals (none closed yet: no median).
//!
//! A map's figures and due list refresh it first, unless this handle's last refresh of the
//! map is under an hour old and nothing was written to the database since, by anyone
//! ([`RefreshCache`]): then the history is already what a refresh would leave.
//!
//! Due: per stage, each lead's next step is its scenario's first step not yet sent during
//! this visit of the stage; it is due on the Japan calendar day the lead entered plus the
//! step's offset, and listed on that day and after until it is marked sent. Suppressed leads
//! (opted out, bounced, erased, or an email on the suppression list) are never due.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::time::Instant;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, TimeZone, Utc};
use rusqlite::{params, Connection, Transaction};
use serde::Serialize;

use super::doc::{sub_path, JourneyDoc, StepChannel};
use super::stored_in;
use crate::activities::{self, ActivityInput};
use crate::db::Stamp;
use crate::segments::{self, SegmentFilter};
use crate::{Error, FieldIssue, Result, Sodate};

const NONE: u8 = u8::MAX;

/// What a refresh changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RefreshReport {
    /// False when a broken binding kept the history as it was.
    pub refreshed: bool,
    pub entered: u32,
    pub exited: u32,
    /// Per stage, how many leads its binding matches (before the furthest-stage rule).
    pub matched: Vec<Option<u32>>,
    pub ms: f64,
}

/// One stage's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct StageMetrics {
    pub id: String,
    pub name: String,
    pub bound: bool,
    /// Leads in the stage now (none when unbound).
    pub count: Option<u32>,
    /// Leads that ever entered the stage.
    pub entered: u32,
    /// Of those, the share that moved on to a further stage (0..1); none before any entry.
    pub conversion: Option<f64>,
    /// Median days spent in the stage by leads that left it; none before any left.
    pub median_days: Option<f64>,
}

/// A map's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct JourneyMetrics {
    pub stages: Vec<StageMetrics>,
    /// Problems of the bindings, each at its path; the figures of the other stages stand.
    pub issues: Vec<FieldIssue>,
    pub refresh: RefreshReport,
    pub ms: f64,
}

/// A lead due for a step.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct DueRow {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub lead_id: i64,
    pub name: String,
    pub company: String,
    pub email: String,
    pub stage_id: String,
    pub stage_name: String,
    pub step_id: String,
    /// 1-based position of the step in its stage's scenario.
    pub step_number: u32,
    pub day_offset: i32,
    pub channel: StepChannel,
    pub content: String,
    /// The Japan calendar days (YYYY-MM-DD) the lead entered the stage and the step fell due.
    pub entered_on: String,
    pub due_on: String,
}

/// Who is due on a day: the total and the first rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct DueList {
    pub date: String,
    pub total: u32,
    /// Due per stage id, in stage order.
    pub per_stage: Vec<(String, u32)>,
    pub rows: Vec<DueRow>,
}

/// What confirming a send wrote.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SentReport {
    /// Activities recorded (one per lead and step).
    pub activities: u32,
}

fn japan() -> FixedOffset {
    #[allow(clippy::expect_used)] // invariant: +09:00 is well inside the ±24 h an offset allows
    FixedOffset::east_opt(9 * 3600).expect("+09:00 is a valid offset")
}

/// The Japan calendar day of Unix seconds `t`.
pub(crate) fn japan_day(t: i64) -> NaiveDate {
    DateTime::from_timestamp(t, 0)
        .unwrap_or_default()
        .with_timezone(&japan())
        .date_naive()
}

/// Unix seconds of the start of Japan day `d`.
fn day_start(d: NaiveDate) -> i64 {
    japan()
        .from_local_datetime(&d.and_time(chrono::NaiveTime::MIN))
        .single()
        .map_or(0, |t| t.timestamp())
}

/// Today in Japan.
pub fn today(now: DateTime<Utc>) -> NaiveDate {
    japan_day(now.timestamp())
}

/// A stage's binding checked against the database.
pub(crate) struct StageCheck {
    pub filter: Option<SegmentFilter>,
    /// The binding cannot be evaluated (invalid, or refers to what is gone).
    pub broken: bool,
    pub issues: Vec<FieldIssue>,
}

/// Checks every stage's binding: can it be evaluated, does it match everyone or no one, is it
/// the same rule as another stage's.
pub(crate) fn binding_issues(db: &Sodate, doc: &JourneyDoc) -> Result<Vec<StageCheck>> {
    let mut out = Vec::with_capacity(doc.stages.len());
    for (i, stage) in doc.stages.iter().enumerate() {
        let path = format!("stages[{i}].binding");
        let mut check = StageCheck {
            filter: None,
            broken: false,
            issues: Vec::new(),
        };
        if let Some(binding) = &stage.binding {
            match segments::validate(db, binding) {
                Ok(filter) if !segments::journey_maps_read(db, &filter)?.is_empty() => {
                    check.broken = true;
                    check.issues.push(FieldIssue::new(
                        &path,
                        "reads_journey",
                        format!(
                            "the rule of {} refers to journey stages (itself or through a segment): a stage's rule cannot depend on where leads are in a journey",
                            stage.name
                        ),
                    ));
                }
                Ok(filter) => {
                    match &filter {
                        SegmentFilter::All(c) if c.is_empty() => {
                            check.issues.push(FieldIssue::new(
                                &path,
                                "matches_everyone",
                                format!(
                                    "the rule of {} is empty: every lead matches it",
                                    stage.name
                                ),
                            ))
                        }
                        SegmentFilter::Any(c) if c.is_empty() => {
                            check.issues.push(FieldIssue::new(
                                &path,
                                "matches_no_one",
                                format!(
                                    "the rule of {} is an empty choice: no lead matches it",
                                    stage.name
                                ),
                            ))
                        }
                        _ => {}
                    }
                    if let Some(j) = doc.stages[..i]
                        .iter()
                        .position(|s| s.binding.as_ref() == Some(binding))
                    {
                        check.issues.push(FieldIssue::new(
                            &path,
                            "same_rule",
                            format!(
                                "{} has the same rule as {}: its leads are all counted in {}, the further stage",
                                doc.stages[j].name, stage.name, stage.name
                            ),
                        ));
                    }
                    check.filter = Some(filter);
                }
                Err(Error::Invalid { issues }) => {
                    check.broken = true;
                    check.issues.extend(issues.into_iter().map(|f| FieldIssue {
                        field: format!("{path}{}", sub_path(&f.field)),
                        message: format!("{}: {}", stage.name, f.message),
                        ..f
                    }));
                }
                Err(e) => return Err(e),
            }
        }
        out.push(check);
    }
    Ok(out)
}

fn ms_since(t: Instant) -> f64 {
    (t.elapsed().as_secs_f64() * 10_000.0).round() / 10.0
}

/// How long a refresh stands while nothing is written: relative-date rules ("in the last
/// 90 days") move with the clock alone.
const FRESH_SECONDS: i64 = 3600;

/// Each map's last refresh on this handle: the database state right after it, when, and
/// what it found.
#[derive(Default)]
pub(crate) struct RefreshCache {
    last: RefCell<HashMap<i64, (Stamp, i64, RefreshReport)>>,
    assigned: RefCell<HashMap<i64, Assigned>>,
}

/// The open intervals a refresh on this handle left: each lead's stage position, for the
/// map's stages at the time, with the map's `refreshed_at` and the number of open
/// intervals. The next refresh compares the new positions with these instead of reading
/// every open interval back (a million rows at 1M leads), when the map still has the same
/// stages, `refreshed_at` and count (no other handle refreshed it meanwhile).
struct Assigned {
    stages: Vec<String>,
    refreshed_at: i64,
    open: i64,
    assign: Vec<u8>,
}

impl RefreshCache {
    /// The last refresh's report when it still stands at `now` (same database state,
    /// under an hour old), with nothing entered or exited since.
    fn standing(
        &self,
        conn: &Connection,
        map: i64,
        now: DateTime<Utc>,
    ) -> Result<Option<RefreshReport>> {
        let last = self.last.borrow();
        let Some((stamp, at, report)) = last.get(&map) else {
            return Ok(None);
        };
        let age = now.timestamp() - at;
        if !(0..FRESH_SECONDS).contains(&age) || *stamp != Stamp::of(conn)? {
            return Ok(None);
        }
        Ok(Some(RefreshReport {
            entered: 0,
            exited: 0,
            ms: 0.0,
            ..report.clone()
        }))
    }

    /// The positions the last refresh on this handle left, if they still describe the map.
    fn assigned_for(
        &self,
        tx: &Transaction,
        map: i64,
        doc: &JourneyDoc,
    ) -> Result<Option<Vec<u8>>> {
        let mut cache = self.assigned.borrow_mut();
        let Some(last) = cache.remove(&map) else {
            return Ok(None);
        };
        let same_stages = last.stages.len() == doc.stages.len()
            && last.stages.iter().zip(&doc.stages).all(|(a, b)| *a == b.id);
        if !same_stages {
            return Ok(None);
        }
        let (refreshed_at, open): (Option<i64>, i64) = tx.query_row(
            "SELECT (SELECT refreshed_at FROM journey_maps WHERE id = ?1),
                    (SELECT count(*) FROM journey_stage_members WHERE map_id = ?1 AND exited_at IS NULL)",
            [map],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok((refreshed_at == Some(last.refreshed_at) && open == last.open).then_some(last.assign))
    }

    fn remember_assigned(&self, map: i64, doc: &JourneyDoc, refreshed_at: i64, assign: Vec<u8>) {
        let open = assign.iter().filter(|&&s| s != NONE).count() as i64;
        self.assigned.borrow_mut().insert(
            map,
            Assigned {
                stages: doc.stages.iter().map(|s| s.id.clone()).collect(),
                refreshed_at,
                open,
                assign,
            },
        );
    }

    fn remember(
        &self,
        conn: &Connection,
        map: i64,
        now: DateTime<Utc>,
        report: &RefreshReport,
    ) -> Result<()> {
        let stamp = Stamp::of(conn)?;
        self.last
            .borrow_mut()
            .insert(map, (stamp, now.timestamp(), report.clone()));
        Ok(())
    }
}

/// Refreshes the map unless its last refresh still stands (see the module documentation).
fn refresh_unless_standing(
    db: &Sodate,
    id: i64,
    doc: &JourneyDoc,
    checks: &[StageCheck],
    now: DateTime<Utc>,
) -> Result<RefreshReport> {
    let started = Instant::now();
    if checks.iter().all(|c| !c.broken) {
        if let Some(report) = db.read(|conn| db.journey_refreshes().standing(conn, id, now))? {
            return Ok(RefreshReport {
                ms: ms_since(started),
                ..report
            });
        }
    }
    refresh_checked(db, id, doc, checks, now, started)
}

/// Brings the map's stage history up to date with the leads as they are `now`.
pub fn refresh(db: &Sodate, id: i64, now: DateTime<Utc>) -> Result<RefreshReport> {
    let started = Instant::now();
    let doc = db.read(|conn| stored_in(conn, id))?.doc;
    let checks = binding_issues(db, &doc)?;
    refresh_checked(db, id, &doc, &checks, now, started)
}

fn refresh_checked(
    db: &Sodate,
    id: i64,
    doc: &JourneyDoc,
    checks: &[StageCheck],
    now: DateTime<Utc>,
    started: Instant,
) -> Result<RefreshReport> {
    if checks.iter().any(|c| c.broken) {
        return Ok(RefreshReport {
            refreshed: false,
            entered: 0,
            exited: 0,
            matched: vec![None; doc.stages.len()],
            ms: ms_since(started),
        });
    }
    // The members of every bound stage, read before the write (on both cores when they
    // must be read by SQL).
    let filters: Vec<&SegmentFilter> = checks.iter().filter_map(|c| c.filter.as_ref()).collect();
    let mut members = segments::member_ids_of_each_at(db, &filters, now)?.into_iter();
    let report = db.write(|tx| {
        // The furthest stage of each lead, by lead id (ids are dense rowids).
        let mut assign: Vec<u8> = Vec::new();
        let mut matched = Vec::with_capacity(checks.len());
        for (i, check) in checks.iter().enumerate() {
            if check.filter.is_none() {
                matched.push(None);
                continue;
            }
            let ids = members.next().unwrap_or_default();
            matched.push(Some(ids.len() as u32));
            if let Some(&max) = ids.last() {
                let need = usize::try_from(max).unwrap_or(0) + 1;
                if assign.len() < need {
                    assign.resize(need, NONE);
                }
            }
            for lead in ids {
                if let Ok(l) = usize::try_from(lead) {
                    assign[l] = i as u8;
                }
            }
        }
        let cache = db.journey_refreshes();
        let (entered, exited) = match cache.assigned_for(tx, id, doc)? {
            Some(before) => apply_changes(tx, id, doc, &before, &assign, now.timestamp())?,
            None => apply_assignment(tx, id, doc, &assign, now.timestamp())?,
        };
        tx.execute(
            "UPDATE journey_maps SET refreshed_at = ?2 WHERE id = ?1",
            params![id, now.timestamp()],
        )?;
        cache.remember_assigned(id, doc, now.timestamp(), assign);
        Ok(RefreshReport {
            refreshed: true,
            entered,
            exited,
            matched,
            ms: ms_since(started),
        })
    })?;
    db.read(|conn| db.journey_refreshes().remember(conn, id, now, &report))?;
    Ok(report)
}

/// Closes and opens intervals so that the open ones say `assign` (stage position per lead id,
/// [`NONE`] for no stage). Returns (entered, exited).
fn apply_assignment(
    tx: &Transaction,
    map: i64,
    doc: &JourneyDoc,
    assign: &[u8],
    at: i64,
) -> Result<(u32, u32)> {
    let position: HashMap<&str, u8> = doc
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i as u8))
        .collect();
    let mut has_open = vec![false; assign.len()];
    let mut close = tx.prepare_cached(
        "UPDATE journey_stage_members SET exited_at = ?2, exit_to = ?3 WHERE id = ?1",
    )?;
    let mut open = tx.prepare_cached(
        "INSERT INTO journey_stage_members (map_id, stage_id, lead_id, entered_at)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    let mut entered = 0u32;
    let mut exited = 0u32;
    // (interval, lead, stage position or None for a stage no longer in the map); the stage
    // id is compared in place, not copied out for each of a million rows.
    let current: Vec<(i64, i64, Option<u8>)> = tx
        .prepare_cached(
            "SELECT id, lead_id, stage_id FROM journey_stage_members
             WHERE map_id = ?1 AND exited_at IS NULL",
        )?
        .query_map([map], |r| {
            let stage = r.get_ref(2)?.as_str()?;
            Ok((r.get(0)?, r.get(1)?, position.get(stage).copied()))
        })?
        .collect::<rusqlite::Result<_>>()?;
    for (member, lead, was) in current {
        let now_in = usize::try_from(lead)
            .ok()
            .and_then(|l| assign.get(l).copied())
            .unwrap_or(NONE);
        if was == Some(now_in) {
            if let Ok(l) = usize::try_from(lead) {
                has_open[l] = true;
            }
            continue;
        }
        let to = (now_in != NONE).then(|| doc.stages[now_in as usize].id.as_str());
        close.execute(params![member, at, to])?;
        exited += 1;
    }
    for (lead, &stage) in assign.iter().enumerate() {
        if stage != NONE && !has_open[lead] {
            open.execute(params![map, doc.stages[stage as usize].id, lead as i64, at])?;
            entered += 1;
        }
    }
    Ok((entered, exited))
}

/// [`apply_assignment`] knowing the positions the open intervals say (`before`, from this
/// handle's last refresh): only the leads whose position changed are touched. Returns
/// (entered, exited).
fn apply_changes(
    tx: &Transaction,
    map: i64,
    doc: &JourneyDoc,
    before: &[u8],
    assign: &[u8],
    at: i64,
) -> Result<(u32, u32)> {
    let mut close = tx.prepare_cached(
        "UPDATE journey_stage_members SET exited_at = ?3, exit_to = ?4
         WHERE map_id = ?1 AND lead_id = ?2 AND exited_at IS NULL",
    )?;
    let mut open = tx.prepare_cached(
        "INSERT INTO journey_stage_members (map_id, stage_id, lead_id, entered_at)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    let mut entered = 0u32;
    let mut exited = 0u32;
    for lead in 0..before.len().max(assign.len()) {
        let was = before.get(lead).copied().unwrap_or(NONE);
        let now_in = assign.get(lead).copied().unwrap_or(NONE);
        if was == now_in {
            continue;
        }
        let to = (now_in != NONE).then(|| doc.stages[now_in as usize].id.as_str());
        if was != NONE {
            exited += u32::try_from(close.execute(params![map, lead as i64, at, to])?).unwrap_or(0);
        }
        if now_in != NONE {
            open.execute(params![
                map,
                doc.stages[now_in as usize].id,
                lead as i64,
                at
            ])?;
            entered += 1;
        }
    }
    Ok((entered, exited))
}

fn median(values: &mut [i64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let n = values.len();
    let m = if n % 2 == 1 {
        values[n / 2] as f64
    } else {
        (values[n / 2 - 1] as f64 + values[n / 2] as f64) / 2.0
    };
    Some(m)
}

/// Refreshes the map's history (unless the last refresh still stands), then its figures
/// per stage.
pub fn metrics(db: &Sodate, id: i64, now: DateTime<Utc>) -> Result<JourneyMetrics> {
    let started = Instant::now();
    let doc = db.read(|conn| stored_in(conn, id))?.doc;
    let checks = binding_issues(db, &doc)?;
    let refresh = refresh_unless_standing(db, id, &doc, &checks, now)?;
    let mut issues: Vec<FieldIssue> = checks.iter().flat_map(|c| c.issues.clone()).collect();
    if checks.iter().any(|c| c.broken) {
        issues.push(FieldIssue::new(
            "stages",
            "not_refreshed",
            "the stage figures are from the last refresh: fix the stage rules above to update them",
        ));
    }
    let stages = db.read(|conn| stage_figures(conn, id, &doc))?;
    for (i, (s, m)) in stages.iter().zip(&refresh.matched).enumerate() {
        if let (Some(0), Some(matched)) = (s.count, *m) {
            if matched > 0 {
                issues.push(FieldIssue::new(
                    &format!("stages[{i}].binding"),
                    "overlapped",
                    format!(
                        "all {matched} leads matching the rule of {} also match a further stage, where they are counted",
                        s.name
                    ),
                ));
            }
        }
    }
    Ok(JourneyMetrics {
        stages,
        issues,
        refresh,
        ms: ms_since(started),
    })
}

/// A map's figures as of its last refresh (no refresh: what the dashboard shows beside the
/// funnel without paying one per map).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct JourneyFigures {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub id: i64,
    pub name: String,
    pub persona_name: String,
    /// Unix seconds of the last refresh; none: never refreshed (no figures yet).
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Number>))]
    pub refreshed_at: Option<i64>,
    pub stages: Vec<StageMetrics>,
}

/// Every map's figures as of its last refresh, most recently edited first.
pub fn last_figures(db: &Sodate) -> Result<Vec<JourneyFigures>> {
    db.read(|conn| {
        let maps = conn
            .prepare_cached(
                "SELECT m.id, m.name, p.name, m.refreshed_at FROM journey_maps m
                 JOIN personas p ON p.id = m.persona_id
                 ORDER BY m.updated_at DESC, m.id DESC",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<rusqlite::Result<Vec<(i64, String, String, Option<i64>)>>>()?;
        maps.into_iter()
            .map(|(id, name, persona_name, refreshed_at)| {
                let doc = stored_in(conn, id)?.doc;
                Ok(JourneyFigures {
                    id,
                    name,
                    persona_name,
                    refreshed_at,
                    stages: stage_figures(conn, id, &doc)?,
                })
            })
            .collect()
    })
}

fn stage_figures(conn: &Connection, map: i64, doc: &JourneyDoc) -> Result<Vec<StageMetrics>> {
    let mut out = Vec::with_capacity(doc.stages.len());
    for (i, stage) in doc.stages.iter().enumerate() {
        let bound = stage.binding.is_some();
        let count: u32 = conn
            .prepare_cached(
                "SELECT count(*) FROM journey_stage_members
                 WHERE map_id = ?1 AND stage_id = ?2 AND exited_at IS NULL",
            )?
            .query_row(params![map, stage.id], |r| r.get(0))?;
        let mut entered = count;
        let mut converted = 0u32;
        let exits: Vec<(Option<String>, u32)> = conn
            .prepare_cached(
                "SELECT exit_to, count(*) FROM journey_stage_members
                 WHERE map_id = ?1 AND stage_id = ?2 AND exited_at IS NOT NULL GROUP BY exit_to",
            )?
            .query_map(params![map, stage.id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (to, n) in exits {
            entered += n;
            if to
                .and_then(|t| doc.stage(&t).map(|(p, _)| p))
                .is_some_and(|p| p > i)
            {
                converted += n;
            }
        }
        let mut durations: Vec<i64> = conn
            .prepare_cached(
                "SELECT exited_at - entered_at FROM journey_stage_members
                 WHERE map_id = ?1 AND stage_id = ?2 AND exited_at IS NOT NULL",
            )?
            .query_map(params![map, stage.id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        out.push(StageMetrics {
            id: stage.id.clone(),
            name: stage.name.clone(),
            bound,
            count: bound.then_some(count),
            entered,
            conversion: (entered > 0).then(|| f64::from(converted) / f64::from(entered)),
            median_days: median(&mut durations).map(|s| (s / 8_640.0).round() / 10.0),
        });
    }
    Ok(out)
}

/// One due (lead, step) before names are read.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Due {
    pub member: i64,
    pub lead: i64,
    pub stage: usize,
    pub step: usize,
    pub entered_on: NaiveDate,
    pub due_on: NaiveDate,
}

/// The next step of one stage visit: the first step (in offset order) not sent, if due by
/// `date`. `order` is the stage's step positions sorted by offset.
pub(crate) fn next_due(
    doc: &JourneyDoc,
    stage: usize,
    order: &[usize],
    entered_on: NaiveDate,
    sent: impl Fn(&str) -> bool,
    date: NaiveDate,
) -> Option<(usize, NaiveDate)> {
    let steps = &doc.stages[stage].steps;
    let next = order.iter().copied().find(|&j| !sent(&steps[j].id))?;
    let due_on = entered_on + Duration::days(i64::from(steps[next].day_offset));
    (due_on <= date).then_some((next, due_on))
}

/// The leads no mail may reach: opted out, bounced or erased (the partial index
/// `leads_suppressed`), or whose email is on the suppression list.
fn suppressed_leads(conn: &Connection) -> Result<HashSet<i64>> {
    let mut out = HashSet::new();
    for sql in [
        "SELECT id FROM leads WHERE consent_state IN ('opted_out', 'bounced', 'erased')",
        "SELECT l.id FROM suppressions s JOIN leads l ON l.email_key = s.email_key
         WHERE s.email_key IS NOT NULL AND s.email_key <> ''",
    ] {
        let mut stmt = conn.prepare_cached(sql)?;
        let ids = stmt.query_map([], |r| r.get::<_, i64>(0))?;
        for id in ids {
            out.insert(id?);
        }
    }
    Ok(out)
}

/// Every (lead, step) due on `date`, in stage order, then due day, then lead.
pub(crate) fn due_in(
    conn: &Connection,
    map: i64,
    doc: &JourneyDoc,
    date: NaiveDate,
) -> Result<Vec<Due>> {
    let suppressed = suppressed_leads(conn)?;
    let mut sent: HashSet<(i64, String)> = HashSet::new();
    {
        let mut stmt =
            conn.prepare_cached("SELECT member_id, step_id FROM journey_sends WHERE map_id = ?1")?;
        let rows = stmt.query_map([map], |r| Ok((r.get(0)?, r.get(1)?)))?;
        for row in rows {
            sent.insert(row?);
        }
    }
    let mut out = Vec::new();
    for (i, stage) in doc.stages.iter().enumerate() {
        if stage.steps.is_empty() {
            continue;
        }
        let mut order: Vec<usize> = (0..stage.steps.len()).collect();
        order.sort_by_key(|&j| (stage.steps[j].day_offset, j));
        let first = stage.steps[order[0]].day_offset;
        // Entered by the end of (date − the first offset): no later visit has anything due.
        let cutoff = day_start(date - Duration::days(i64::from(first)) + Duration::days(1));
        let mut stmt = conn.prepare_cached(
            "SELECT m.id, m.lead_id, m.entered_at FROM journey_stage_members m
             WHERE m.map_id = ?1 AND m.stage_id = ?2 AND m.exited_at IS NULL AND m.entered_at < ?3",
        )?;
        let mut rows = stmt.query(params![map, stage.id, cutoff])?;
        let mut stage_due = Vec::new();
        while let Some(r) = rows.next()? {
            let lead: i64 = r.get(1)?;
            if suppressed.contains(&lead) {
                continue;
            }
            let member: i64 = r.get(0)?;
            let entered_on = japan_day(r.get(2)?);
            let is_sent =
                |step: &str| !sent.is_empty() && sent.contains(&(member, step.to_string()));
            if let Some((step, due_on)) = next_due(doc, i, &order, entered_on, is_sent, date) {
                stage_due.push(Due {
                    member,
                    lead,
                    stage: i,
                    step,
                    entered_on,
                    due_on,
                });
            }
        }
        stage_due.sort_by_key(|d| (d.due_on, d.lead));
        out.extend(stage_due);
    }
    Ok(out)
}

fn day_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn due_rows(conn: &Connection, doc: &JourneyDoc, due: &[Due]) -> Result<Vec<DueRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT trim(l.family_name || ' ' || l.given_name), coalesce(c.name, ''), l.email
         FROM leads l LEFT JOIN companies c ON c.id = l.company_id WHERE l.id = ?1",
    )?;
    due.iter()
        .map(|d| {
            let (name, company, email) = stmt.query_row([d.lead], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?;
            let stage = &doc.stages[d.stage];
            let step = &stage.steps[d.step];
            Ok(DueRow {
                lead_id: d.lead,
                name,
                company,
                email,
                stage_id: stage.id.clone(),
                stage_name: stage.name.clone(),
                step_id: step.id.clone(),
                step_number: d.step as u32 + 1,
                day_offset: step.day_offset,
                channel: step.channel,
                content: step.content.clone(),
                entered_on: day_text(d.entered_on),
                due_on: day_text(d.due_on),
            })
        })
        .collect()
}

/// Refreshes the map's history (unless the last refresh still stands), then lists who is
/// due on `date` (default: today in
/// Japan): the total and the first `limit` rows (all when `None`).
pub fn due(
    db: &Sodate,
    id: i64,
    date: Option<NaiveDate>,
    limit: Option<u32>,
    now: DateTime<Utc>,
) -> Result<DueList> {
    let date = date.unwrap_or_else(|| today(now));
    let doc = db.read(|conn| stored_in(conn, id))?.doc;
    let checks = binding_issues(db, &doc)?;
    refresh_unless_standing(db, id, &doc, &checks, now)?;
    db.read(|conn| {
        let doc = stored_in(conn, id)?.doc;
        let due = due_in(conn, id, &doc, date)?;
        let per_stage = doc
            .stages
            .iter()
            .enumerate()
            .map(|(i, s)| {
                (
                    s.id.clone(),
                    due.iter().filter(|d| d.stage == i).count() as u32,
                )
            })
            .collect();
        let shown = limit.map_or(due.len(), |l| due.len().min(l as usize));
        Ok(DueList {
            date: day_text(date),
            total: due.len() as u32,
            per_stage,
            rows: due_rows(conn, &doc, &due[..shown])?,
        })
    })
}

/// The leads due on `date` (default: today in Japan) in stage `stage` (a stage id; every
/// stage when `None`), for its step `step` (a step id of that stage; every step when
/// `None`), after a refresh unless the last one stands: what a mail-tool export of the due
/// list writes. An unknown stage or step, or a step without its stage, is an `invalid` error.
pub fn due_lead_ids(
    db: &Sodate,
    id: i64,
    date: Option<NaiveDate>,
    stage: Option<&str>,
    step: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Vec<i64>> {
    let date = date.unwrap_or_else(|| today(now));
    let doc = db.read(|conn| stored_in(conn, id))?.doc;
    let stage_at = match stage {
        Some(s) => Some(doc.stage(s).map(|(i, _)| i).ok_or_else(|| {
            Error::invalid(
                "stage",
                "unknown_stage",
                format!("the map has no stage \"{s}\""),
            )
        })?),
        None => None,
    };
    match (stage_at, step) {
        (None, Some(_)) => {
            return Err(Error::invalid(
                "step",
                "stage_needed",
                "a step is named within its stage: give the stage too",
            ))
        }
        (Some(i), Some(step)) if !doc.stages[i].steps.iter().any(|x| x.id == step) => {
            return Err(Error::invalid(
                "step",
                "unknown_step",
                format!("{} has no scenario step \"{step}\"", doc.stages[i].name),
            ))
        }
        _ => {}
    }
    let checks = binding_issues(db, &doc)?;
    refresh_unless_standing(db, id, &doc, &checks, now)?;
    db.read(|conn| {
        let mut ids: Vec<i64> = due_in(conn, id, &doc, date)?
            .into_iter()
            .filter(|d| stage_at.is_none_or(|i| d.stage == i))
            .filter(|d| step.is_none_or(|s| doc.stages[d.stage].steps[d.step].id == s))
            .map(|d| d.lead)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        Ok(ids)
    })
}

/// Cells that a spreadsheet would run as a formula are prefixed with an apostrophe.
fn csv_cell(text: &str) -> String {
    let guarded = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// The due list of `date` as a CSV for the mail tool (UTF-8 with BOM, Japanese headers);
/// suppressed leads are never in it. Returns the number of rows written.
pub fn due_csv(
    db: &Sodate,
    id: i64,
    date: Option<NaiveDate>,
    path: &std::path::Path,
    now: DateTime<Utc>,
) -> Result<u32> {
    let list = due(db, id, date, None, now)?;
    let mut text = String::from("\u{feff}lead_id,氏名,会社名,メールアドレス,ステージ,ステップ,日数,チャネル,コンテンツ,予定日\r\n");
    for r in &list.rows {
        let cells = [
            r.lead_id.to_string(),
            r.name.clone(),
            r.company.clone(),
            r.email.clone(),
            r.stage_name.clone(),
            r.step_number.to_string(),
            r.day_offset.to_string(),
            r.channel.code().to_string(),
            r.content.clone(),
            r.due_on.clone(),
        ];
        text.push_str(
            &cells
                .iter()
                .map(|c| csv_cell(c))
                .collect::<Vec<_>>()
                .join(","),
        );
        text.push_str("\r\n");
    }
    crate::files::write_text(path, &text)?;
    Ok(list.total)
}

/// Confirms that the due list of `date` was sent (optionally one stage's part of it): each
/// (lead, step) is marked sent for this visit of the stage and recorded as an activity of
/// the step's channel (email → メール送信) with the content as detail, in one transaction.
/// The history is not refreshed first, so what is marked is the list the user saw.
pub fn mark_sent(
    db: &Sodate,
    id: i64,
    date: Option<NaiveDate>,
    stage: Option<&str>,
    now: DateTime<Utc>,
) -> Result<SentReport> {
    let date = date.unwrap_or_else(|| today(now));
    db.write(|tx| {
        let doc = stored_in(tx, id)?.doc;
        let only = match stage {
            Some(s) => Some(doc.stage(s).map(|(p, _)| p).ok_or_else(|| {
                Error::invalid(
                    "stage",
                    "unknown_stage",
                    format!("the map has no stage {s:?}"),
                )
            })?),
            None => None,
        };
        let due: Vec<Due> = due_in(tx, id, &doc, date)?
            .into_iter()
            .filter(|d| only.is_none_or(|p| d.stage == p))
            .collect();
        let mut by_step: HashMap<(usize, usize), Vec<i64>> = HashMap::new();
        {
            let mut mark = tx.prepare_cached(
                "INSERT OR IGNORE INTO journey_sends (member_id, step_id, map_id, sent_at)
                 VALUES (?1, ?2, ?3, ?4)",
            )?;
            for d in &due {
                mark.execute(params![
                    d.member,
                    doc.stages[d.stage].steps[d.step].id,
                    id,
                    now.timestamp()
                ])?;
                by_step.entry((d.stage, d.step)).or_default().push(d.lead);
            }
        }
        let mut groups: Vec<_> = by_step.into_iter().collect();
        groups.sort_by_key(|(k, _)| *k);
        let mut activities_written = 0;
        for ((stage, step), leads) in groups {
            let step = &doc.stages[stage].steps[step];
            activities_written += activities::add_to_leads_in(
                tx,
                &leads,
                &ActivityInput {
                    lead_id: 0,
                    activity_type: step.channel.activity_type().to_string(),
                    occurred_at: None,
                    detail: step.content.clone(),
                    event_id: None,
                },
                now,
            )?;
        }
        crate::leads::audit_in(
            tx,
            "journey.sent",
            "journey",
            Some(id),
            &serde_json::json!({ "date": day_text(date), "activities": activities_written }),
        )?;
        Ok(SentReport {
            activities: activities_written,
        })
    })
}

/// Reads a day `YYYY-MM-DD` (as the due list's date); empty: none (today).
pub fn parse_day(text: &str) -> Result<Option<NaiveDate>> {
    let t = crate::normalize::nfkc(text.trim()).replace('/', "-");
    if t.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(&t, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| {
            Error::invalid(
                "date",
                "invalid_date",
                format!("{text:?} is not a day (2026-11-20)"),
            )
        })
}
