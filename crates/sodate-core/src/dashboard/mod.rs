//! The dashboard: what nurturing produced — the funnel, which events and channels brought
//! the leads that went on, who sits dormant, and the trend over time — for a cohort of leads
//! (registered in a period, met at an event, from a source, of an owner, in a segment).
//!
//! Every figure is computed from the per-lead facts of [`facts`] in one pass; every figure
//! can be opened as the list of the leads behind it ([`drill`]), counted by the same
//! predicate, so the list always has as many rows as the number clicked.
//!
//! Definitions (also shown in the app):
//! - a lead **reached** a funnel stage (lead → MQL → SAL → SQL → 商談 → 受注) when it entered
//!   that stage or a later one of the funnel (a lead moved straight from MQL to SQL passed
//!   SAL); the other stages (subscriber, lost, recycled, disqualified) count the leads that
//!   ever entered them;
//! - **conversion** to the next stage: reached next / reached this; **median days**: between
//!   the first entries into the two stages, over the leads that reached both;
//! - **met at an event**: the lead's first event, or an activity at the event (as the
//!   segment field `event`);
//! - **dormant**: no activity of any kind in the last N days (as the segment condition
//!   `{"activity": {"within_days": N, "max_count": 0}}`).

mod facts;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

pub use facts::{adopt, prefetch, FactsCache, FactsRead, PrefetchedFacts};
use facts::{day_of, stage_index, Facts, LeadFacts, ABSENT, FUNNEL, NEVER, NO_ACTIVITY};

use crate::model::LIFECYCLE_STAGES;
use crate::segments::SegmentFilter;
use crate::{Error, LeadPage, Result, Sodate};

const MQL: usize = 2;
const SQL: usize = 4;
const OPPORTUNITY: usize = 5;
const WON: usize = 6;
/// The stages outside the funnel: subscriber, lost, recycled, disqualified.
const OTHER: [usize; 4] = [0, 7, 8, 9];
const DEFAULT_DORMANT_DAYS: u32 = 180;
const MAX_DORMANT_DAYS: u32 = 3_650;
const MAX_BUCKETS: i64 = 260;

/// Which leads the dashboard counts. Every part is optional; none = every lead.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", default)]
pub struct DashboardQuery {
    /// Registered on or after this day (`YYYY-MM-DD`).
    pub from: Option<String>,
    /// Registered on or before this day.
    pub to: Option<String>,
    /// Members of this saved segment.
    #[cfg_attr(feature = "specta", specta(optional, type = Option<specta_typescript::Number>))]
    pub segment: Option<i64>,
    /// Met at this event.
    #[cfg_attr(feature = "specta", specta(optional, type = Option<specta_typescript::Number>))]
    pub event: Option<i64>,
    pub source: Option<String>,
    pub owner: Option<String>,
    /// No activity for this many days counts as dormant (default 180).
    pub dormant_days: Option<u32>,
    /// Trend buckets: weeks (Monday first) or months (default).
    pub bucket: Option<TrendBucket>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum TrendBucket {
    Week,
    #[default]
    Month,
}

/// Everything the dashboard shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Dashboard {
    /// Leads in the cohort (all leads when nothing is filtered).
    pub cohort: u32,
    pub funnel: Vec<FunnelStep>,
    pub other_stages: Vec<StageFigure>,
    pub by_event: Vec<ChannelRow>,
    pub by_source: Vec<ChannelRow>,
    pub dormant: DormantFigures,
    pub trends: Vec<TrendPoint>,
    pub email: Vec<EmailMonth>,
    /// The day "now" was (UTC), for dormancy and the trend's end.
    pub as_of: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct FunnelStep {
    pub stage: String,
    /// Leads that reached this stage (or a later one of the funnel).
    pub reached: u32,
    /// Leads in this stage now.
    pub current: u32,
    /// Reached the next stage / reached this one (none for the last stage or 0 leads).
    pub conversion: Option<f64>,
    /// Median days from entering this stage to entering the next.
    pub median_days: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct StageFigure {
    pub stage: String,
    pub reached: u32,
    pub current: u32,
}

/// One event or source channel: the leads it brought and how far they went.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ChannelRow {
    /// The event id (by event) or the source code (by source).
    pub key: String,
    /// The event's name, or the source code (the UI translates it).
    pub name: String,
    /// The event's first day.
    pub starts_on: Option<String>,
    pub leads: u32,
    pub mql: u32,
    pub sql: u32,
    pub opportunity: u32,
    pub won: u32,
    /// MQL / leads.
    pub mql_rate: Option<f64>,
    /// 受注 / leads.
    pub win_rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct DormantFigures {
    pub days: u32,
    pub total: u32,
    /// Per stage (every stage, funnel order), dormant leads in it now.
    pub by_stage: Vec<StageCount>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct StageCount {
    pub stage: String,
    pub count: u32,
}

/// One week or month of the trend.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct TrendPoint {
    /// First day of the bucket (`YYYY-MM-DD`).
    pub start: String,
    /// Last day of the bucket.
    pub end: String,
    pub new_leads: u32,
    /// Leads that first entered MQL in the bucket.
    pub mqls: u32,
    /// Leads that first entered 受注 in the bucket.
    pub wins: u32,
}

/// Email results of one month (from imported mail-tool results).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct EmailMonth {
    /// `YYYY-MM`.
    pub month: String,
    pub sent: u32,
    pub opened: u32,
    pub clicked: u32,
    /// Opened / sent.
    pub open_rate: Option<f64>,
    /// Clicked / sent.
    pub click_rate: Option<f64>,
}

/// A number of the dashboard, as the leads behind it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", default)]
pub struct DrillQuery {
    pub dashboard: DashboardQuery,
    /// Leads that reached this stage (funnel, by event, by source), or entered it in the
    /// trend bucket `day_from..=day_to`; with `current`, leads in it now.
    pub stage: Option<String>,
    pub current: bool,
    /// The by-event row.
    #[cfg_attr(feature = "specta", specta(optional, type = Option<specta_typescript::Number>))]
    pub event: Option<i64>,
    /// The by-source row.
    pub source: Option<String>,
    /// Dormant leads (with `current` and `stage`: of that stage).
    pub dormant: bool,
    /// A trend bucket: with `stage`, leads that first entered it in these days; without,
    /// leads registered in them.
    pub day_from: Option<String>,
    pub day_to: Option<String>,
    pub offset: u32,
    /// At most 500.
    pub limit: u32,
}

/// The cohort and the instant the figures are computed for.
struct Scope {
    today: i32,
    cutoff: i64,
    dormant_days: u32,
    from: i32,
    to: i32,
    source: Option<u8>,
    owner: Option<u16>,
    /// Some filter names a value no lead has: the cohort is empty.
    nobody: bool,
    /// Membership by lead id (segment and/or event), when filtered.
    members: Option<Vec<bool>>,
}

impl Scope {
    fn includes(&self, id: usize, lead: &LeadFacts, check_period: bool) -> bool {
        lead.stage != ABSENT
            && !self.nobody
            && (!check_period || (lead.created_day >= self.from && lead.created_day <= self.to))
            && self.source.is_none_or(|s| s == lead.source)
            && self.owner.is_none_or(|o| o == lead.owner)
            && self
                .members
                .as_ref()
                .is_none_or(|m| m.get(id).copied().unwrap_or(false))
    }

    fn dormant(&self, lead: &LeadFacts) -> bool {
        lead.last_activity == NO_ACTIVITY || lead.last_activity < self.cutoff
    }
}

/// The whole dashboard for `query`, as of now.
pub fn compute(db: &Sodate, query: &DashboardQuery) -> Result<Dashboard> {
    compute_at(db, query, Utc::now())
}

/// The dashboard as of `now`.
pub fn compute_at(db: &Sodate, query: &DashboardQuery, now: DateTime<Utc>) -> Result<Dashboard> {
    let (facts, _) = db.read(|conn| db.dashboard_facts().current(conn, db.file()))?;
    let scope = scope_of(db, &facts, query, now)?;
    let events = event_names(db)?;
    let trend = buckets(&scope, query.bucket.unwrap_or_default())?;
    let months = buckets(&scope, TrendBucket::Month)?;
    let pass = Pass::over(&facts, &scope, &trend, &months);
    Ok(Dashboard {
        cohort: pass.cohort,
        funnel: pass.funnel(),
        other_stages: pass.other_stages(),
        by_event: pass.by_event(&events),
        by_source: pass.by_source(&facts),
        dormant: pass.dormant(scope.dormant_days),
        trends: pass.trends(&trend),
        email: pass.email(&months),
        as_of: now.date_naive().format("%Y-%m-%d").to_string(),
    })
}

/// Brings the dashboard's facts up to date now; how they were read.
pub fn warm(db: &Sodate) -> Result<FactsRead> {
    db.read(|conn| Ok(db.dashboard_facts().current(conn, db.file())?.1))
}

/// The leads behind one number of the dashboard, a page at a time (by id).
pub fn drill(db: &Sodate, query: &DrillQuery) -> Result<LeadPage> {
    drill_at(db, query, Utc::now())
}

pub fn drill_at(db: &Sodate, query: &DrillQuery, now: DateTime<Utc>) -> Result<LeadPage> {
    if query.limit == 0 || query.limit > 500 {
        return Err(Error::invalid(
            "limit",
            "out_of_range",
            "a page has 1 to 500 leads",
        ));
    }
    let (facts, _) = db.read(|conn| db.dashboard_facts().current(conn, db.file()))?;
    let scope = scope_of(db, &facts, &query.dashboard, now)?;
    let ids = drill_ids(&facts, &scope, query)?;
    let total = ids.len() as u32;
    let page: Vec<i64> = ids
        .into_iter()
        .skip(query.offset as usize)
        .take(query.limit as usize)
        .collect();
    let rows = db.read(|conn| crate::leads::rows_by_id(conn, &page))?;
    Ok(LeadPage {
        total,
        offset: query.offset,
        rows,
    })
}

/// Saves the dormant leads of the dashboard's cohort as a dynamic segment (it stays
/// current: a lead that becomes active leaves it); its id.
pub fn save_dormant_segment(db: &Sodate, query: &DashboardQuery, name: &str) -> Result<i64> {
    let days = dormant_days(query)?;
    let mut all = vec![json!({"activity": {"within_days": days, "max_count": 0}})];
    match (&query.from, &query.to) {
        (Some(from), Some(to)) => {
            all.push(json!({"field": "created_at", "op": "between", "value": [from, to]}))
        }
        (Some(from), None) => all.push(json!({"field": "created_at", "op": "gte", "value": from})),
        (None, Some(to)) => all.push(json!({"field": "created_at", "op": "lte", "value": to})),
        (None, None) => {}
    }
    if let Some(event) = query.event {
        all.push(json!({"field": "event", "op": "eq", "value": event}));
    }
    if let Some(source) = &query.source {
        all.push(json!({"field": "source", "op": "eq", "value": source}));
    }
    if let Some(owner) = &query.owner {
        all.push(json!({"field": "owner", "op": "eq", "value": owner}));
    }
    if let Some(segment) = query.segment {
        all.push(json!({"segment": segment}));
    }
    let filter = crate::segments::validate(db, &json!({ "all": all }))?;
    crate::segments::save(db, name, &filter)
}

fn dormant_days(query: &DashboardQuery) -> Result<u32> {
    let days = query.dormant_days.unwrap_or(DEFAULT_DORMANT_DAYS);
    if days == 0 || days > MAX_DORMANT_DAYS {
        return Err(Error::invalid(
            "dormantDays",
            "out_of_range",
            format!("dormancy is 1 to {MAX_DORMANT_DAYS} days without activity, not {days}"),
        ));
    }
    Ok(days)
}

fn parse_day(field: &str, text: &str) -> Result<i32> {
    match NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
        Ok(_) => day_of(text.trim()).ok_or_else(|| bad_day(field, text)),
        Err(_) => Err(bad_day(field, text)),
    }
}

fn bad_day(field: &str, text: &str) -> Error {
    Error::invalid(
        field,
        "invalid_date",
        format!("{text:?} is not a date (YYYY-MM-DD)"),
    )
}

fn scope_of(
    db: &Sodate,
    facts: &Facts,
    query: &DashboardQuery,
    now: DateTime<Utc>,
) -> Result<Scope> {
    let dormant_days = dormant_days(query)?;
    let from = query
        .from
        .as_deref()
        .map(|d| parse_day("from", d))
        .transpose()?
        .unwrap_or(i32::MIN);
    let to = query
        .to
        .as_deref()
        .map(|d| parse_day("to", d))
        .transpose()?
        .unwrap_or(i32::MAX);
    if from > to {
        return Err(Error::invalid(
            "to",
            "invalid_range",
            "the period's first day must not be after its last day",
        ));
    }
    let source = query.source.as_deref().map(|s| facts.source_code(s));
    let owner = query.owner.as_deref().map(|o| facts.owner_code(o));
    let nobody = matches!(source, Some(None)) || matches!(owner, Some(None));
    let mut members: Option<Vec<bool>> = None;
    if let Some(event) = query.event {
        let exists: bool = db.read(|conn| {
            Ok(conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM events WHERE id = ?1)",
                [event],
                |r| r.get(0),
            )?)
        })?;
        if !exists {
            return Err(Error::NotFound {
                entity: "event",
                id: event,
            });
        }
        let mut m = vec![false; facts.leads.len()];
        let event = u32::try_from(event).unwrap_or(0);
        let start = facts.met.partition_point(|(e, _)| *e < event);
        for (_, lead) in facts.met[start..].iter().take_while(|(e, _)| *e == event) {
            if let Some(slot) = m.get_mut(*lead as usize) {
                *slot = true;
            }
        }
        members = Some(m);
    }
    if let Some(segment) = query.segment {
        let filter = SegmentFilter::Segment {
            id: segment,
            path: "segment".into(),
        };
        let ids = crate::segments::member_ids_at(db, &filter, now)?;
        let mut m = vec![false; facts.leads.len()];
        for id in ids {
            if let Some(slot) = usize::try_from(id).ok().and_then(|i| m.get_mut(i)) {
                *slot = true;
            }
        }
        members = Some(match members {
            Some(e) => e.iter().zip(&m).map(|(a, b)| *a && *b).collect(),
            None => m,
        });
    }
    Ok(Scope {
        today: facts::day_of_unix(now.timestamp()),
        cutoff: now.timestamp() - i64::from(dormant_days) * 86_400,
        dormant_days,
        from,
        to,
        source: source.flatten(),
        owner: owner.flatten(),
        nobody,
        members,
    })
}

fn rate(part: u32, whole: u32) -> Option<f64> {
    (whole > 0).then(|| f64::from(part) / f64::from(whole))
}

/// Days between two stage entries, counted per number of days (a histogram: a million
/// leads cost no allocation, and the median is a walk over it).
#[derive(Clone, Default)]
struct DayCounts {
    counts: Vec<u32>,
    total: u64,
}

impl DayCounts {
    fn add(&mut self, days: i32) {
        let d = usize::try_from(days.max(0)).unwrap_or(0);
        if d >= self.counts.len() {
            self.counts.resize(d + 1, 0);
        }
        self.counts[d] += 1;
        self.total += 1;
    }

    /// The value at 0-based rank `rank` in ascending order.
    fn at(&self, rank: u64) -> f64 {
        let mut seen = 0u64;
        for (days, n) in self.counts.iter().enumerate() {
            seen += u64::from(*n);
            if seen > rank {
                return days as f64;
            }
        }
        0.0
    }

    fn median(&self) -> Option<f64> {
        match self.total {
            0 => None,
            n if n % 2 == 1 => Some(self.at(n / 2)),
            n => Some((self.at(n / 2 - 1) + self.at(n / 2)) / 2.0),
        }
    }
}

/// Per-row counts of leads and of those that reached MQL, SQL, 商談 and 受注.
#[derive(Default, Clone, Copy)]
struct Tally([u32; 5]);

impl Tally {
    fn add(&mut self, lead: &LeadFacts) {
        self.0[0] += 1;
        for (i, s) in [MQL, SQL, OPPORTUNITY, WON].iter().enumerate() {
            self.0[i + 1] += u32::from(lead.entered[*s] != NEVER);
        }
    }

    fn row(self, key: String, name: String, starts_on: Option<String>) -> ChannelRow {
        let [leads, mql, sql, opportunity, won] = self.0;
        ChannelRow {
            key,
            name,
            starts_on,
            leads,
            mql,
            sql,
            opportunity,
            won,
            mql_rate: rate(mql, leads),
            win_rate: rate(won, leads),
        }
    }
}

/// Every figure, accumulated in one pass over the leads (and one over the events met and
/// the email results).
struct Pass {
    cohort: u32,
    reached: [u32; STAGES],
    current: [u32; STAGES],
    /// Per funnel step k → k+1: days between the two entries, per lead that made both.
    gaps: Vec<DayCounts>,
    sources: Vec<Tally>,
    /// By event id.
    events: Vec<Tally>,
    dormant: [u32; STAGES],
    /// Per trend bucket: new leads, MQLs, wins.
    trend: Vec<[u32; 3]>,
    /// Per month: sent, opened, clicked.
    email: Vec<[u32; 3]>,
}

const STAGES: usize = LIFECYCLE_STAGES.len();

/// Bucket of each day from `buckets[0].0` on (`u16::MAX`: none), for a lookup per day.
fn day_table(buckets: &[(i32, i32)]) -> (i32, Vec<u16>) {
    let (Some(first), Some(last)) = (buckets.first(), buckets.last()) else {
        return (0, Vec::new());
    };
    let mut table = vec![u16::MAX; (last.1 - first.0 + 1).max(0) as usize];
    for (i, (a, b)) in buckets.iter().enumerate() {
        for day in *a..=*b {
            table[(day - first.0) as usize] = i as u16;
        }
    }
    (first.0, table)
}

fn lookup(table: &(i32, Vec<u16>), day: i32) -> Option<usize> {
    if day == NEVER || day < table.0 {
        return None;
    }
    match table.1.get((day - table.0) as usize) {
        Some(b) if *b != u16::MAX => Some(usize::from(*b)),
        _ => None,
    }
}

impl Pass {
    fn over(facts: &Facts, scope: &Scope, trend: &[(i32, i32)], months: &[(i32, i32)]) -> Self {
        let mut pass = Pass {
            cohort: 0,
            reached: [0; STAGES],
            current: [0; STAGES],
            gaps: vec![DayCounts::default(); FUNNEL.len() - 1],
            sources: vec![Tally::default(); facts.sources.len()],
            events: vec![Tally::default(); facts.met.last().map_or(0, |(e, _)| *e as usize + 1)],
            dormant: [0; STAGES],
            trend: vec![[0; 3]; trend.len()],
            email: vec![[0; 3]; months.len()],
        };
        let trend_days = day_table(trend);
        // The trend and the email rates span their own axis, so they count leads of every
        // registration day: `in_scope` keeps who passes the other filters.
        let mut in_scope = vec![false; facts.leads.len()];
        for (id, lead) in facts.leads.iter().enumerate() {
            if !scope.includes(id, lead, false) {
                continue;
            }
            in_scope[id] = true;
            for (i, day) in [lead.created_day, lead.entered[MQL], lead.entered[WON]]
                .into_iter()
                .enumerate()
            {
                if let Some(b) = lookup(&trend_days, day) {
                    pass.trend[b][i] += 1;
                }
            }
            if lead.created_day < scope.from || lead.created_day > scope.to {
                continue;
            }
            pass.cohort += 1;
            let stage = usize::from(lead.stage);
            pass.current[stage] += 1;
            for (s, day) in lead.entered.iter().enumerate() {
                pass.reached[s] += u32::from(*day != NEVER);
            }
            for k in 0..FUNNEL.len() - 1 {
                let (a, b) = (lead.entered[FUNNEL[k]], lead.entered[FUNNEL[k + 1]]);
                if a != NEVER && b != NEVER {
                    pass.gaps[k].add(b - a);
                }
            }
            if let Some(t) = pass.sources.get_mut(usize::from(lead.source)) {
                t.add(lead);
            }
            if scope.dormant(lead) {
                pass.dormant[stage] += 1;
            }
        }
        for (event, lead) in &facts.met {
            let id = *lead as usize;
            if let Some(l) = facts.leads.get(id).filter(|l| {
                in_scope[id] && l.created_day >= scope.from && l.created_day <= scope.to
            }) {
                if let Some(t) = pass.events.get_mut(*event as usize) {
                    t.add(l);
                }
            }
        }
        let month_days = day_table(months);
        for e in &facts.email {
            if in_scope.get(e.lead as usize).copied().unwrap_or(false) {
                if let Some(b) = lookup(&month_days, e.day) {
                    pass.email[b][e.kind as usize] += 1;
                }
            }
        }
        pass
    }

    fn funnel(&self) -> Vec<FunnelStep> {
        let mut gaps = self.gaps.iter();
        FUNNEL
            .iter()
            .enumerate()
            .map(|(k, s)| FunnelStep {
                stage: LIFECYCLE_STAGES[*s].to_string(),
                reached: self.reached[*s],
                current: self.current[*s],
                conversion: FUNNEL
                    .get(k + 1)
                    .and_then(|next| rate(self.reached[*next], self.reached[*s])),
                median_days: gaps.next().and_then(DayCounts::median),
            })
            .collect()
    }

    fn other_stages(&self) -> Vec<StageFigure> {
        OTHER
            .iter()
            .map(|s| StageFigure {
                stage: LIFECYCLE_STAGES[*s].to_string(),
                reached: self.reached[*s],
                current: self.current[*s],
            })
            .collect()
    }

    fn by_event(&self, events: &[(i64, String, Option<String>)]) -> Vec<ChannelRow> {
        events
            .iter()
            .filter_map(|(id, name, starts_on)| {
                let tally = self.events.get(usize::try_from(*id).ok()?)?;
                (tally.0[0] > 0).then(|| tally.row(id.to_string(), name.clone(), starts_on.clone()))
            })
            .collect()
    }

    fn by_source(&self, facts: &Facts) -> Vec<ChannelRow> {
        let mut rows: Vec<ChannelRow> = self
            .sources
            .iter()
            .zip(&facts.sources)
            .filter(|(t, _)| t.0[0] > 0)
            .map(|(t, code)| t.row(code.clone(), code.clone(), None))
            .collect();
        rows.sort_by(|a, b| b.leads.cmp(&a.leads).then_with(|| a.key.cmp(&b.key)));
        rows
    }

    fn dormant(&self, days: u32) -> DormantFigures {
        DormantFigures {
            days,
            total: self.dormant.iter().sum(),
            by_stage: LIFECYCLE_STAGES
                .iter()
                .zip(self.dormant)
                .map(|(s, count)| StageCount {
                    stage: s.to_string(),
                    count,
                })
                .collect(),
        }
    }

    fn trends(&self, buckets: &[(i32, i32)]) -> Vec<TrendPoint> {
        buckets
            .iter()
            .zip(&self.trend)
            .map(|((first, last), [new_leads, mqls, wins])| TrendPoint {
                start: date_of(*first).format("%Y-%m-%d").to_string(),
                end: date_of(*last).format("%Y-%m-%d").to_string(),
                new_leads: *new_leads,
                mqls: *mqls,
                wins: *wins,
            })
            .collect()
    }

    fn email(&self, months: &[(i32, i32)]) -> Vec<EmailMonth> {
        months
            .iter()
            .zip(&self.email)
            .map(|((first, _), [sent, opened, clicked])| EmailMonth {
                month: date_of(*first).format("%Y-%m").to_string(),
                sent: *sent,
                opened: *opened,
                clicked: *clicked,
                open_rate: rate(*opened, *sent),
                click_rate: rate(*clicked, *sent),
            })
            .collect()
    }
}

/// (id, name, first day) of every event, latest first.
fn event_names(db: &Sodate) -> Result<Vec<(i64, String, Option<String>)>> {
    db.read(|conn| {
        Ok(conn
            .prepare("SELECT id, name, starts_on FROM events ORDER BY starts_on DESC, id DESC")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?)
    })
}

fn date_of(day: i32) -> NaiveDate {
    NaiveDate::default() + Duration::days(i64::from(day))
}

fn day_from_date(date: NaiveDate) -> i32 {
    i32::try_from(date.signed_duration_since(NaiveDate::default()).num_days()).unwrap_or(0)
}

/// The trend's buckets as (first day, last day): the period when one is given, else the
/// last 12 months or 26 weeks up to today.
fn buckets(scope: &Scope, bucket: TrendBucket) -> Result<Vec<(i32, i32)>> {
    let end = if scope.to == i32::MAX {
        scope.today
    } else {
        scope.to
    };
    let start = if scope.from == i32::MIN {
        match bucket {
            TrendBucket::Week => end - 7 * 25,
            TrendBucket::Month => {
                let d = date_of(end);
                let months_back = d.year() * 12 + d.month0() as i32 - 11;
                day_from_date(
                    NaiveDate::from_ymd_opt(
                        months_back.div_euclid(12),
                        months_back.rem_euclid(12) as u32 + 1,
                        1,
                    )
                    .unwrap_or(d),
                )
            }
        }
    } else {
        scope.from
    };
    let mut out = Vec::new();
    let mut first = match bucket {
        TrendBucket::Week => start - date_of(start).weekday().num_days_from_monday() as i32,
        TrendBucket::Month => {
            let d = date_of(start);
            day_from_date(d.with_day(1).unwrap_or(d))
        }
    };
    while first <= end {
        let next = match bucket {
            TrendBucket::Week => first + 7,
            TrendBucket::Month => {
                let d = date_of(first);
                let (y, m) = if d.month() == 12 {
                    (d.year() + 1, 1)
                } else {
                    (d.year(), d.month() + 1)
                };
                day_from_date(NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(d))
            }
        };
        out.push((first, next - 1));
        if out.len() as i64 > MAX_BUCKETS {
            return Err(Error::invalid(
                "bucket",
                "too_many",
                format!("a trend has at most {MAX_BUCKETS} weeks or months: choose a shorter period or months"),
            ));
        }
        first = next;
    }
    Ok(out)
}

fn drill_ids(facts: &Facts, scope: &Scope, q: &DrillQuery) -> Result<Vec<i64>> {
    let stage = q
        .stage
        .as_deref()
        .map(|s| {
            stage_index(s).ok_or_else(|| {
                Error::invalid(
                    "stage",
                    "unknown",
                    format!("{s:?} is not a lifecycle stage"),
                )
            })
        })
        .transpose()?;
    let days = match (&q.day_from, &q.day_to) {
        (Some(a), Some(b)) => Some((parse_day("dayFrom", a)?, parse_day("dayTo", b)?)),
        (None, None) => None,
        _ => {
            return Err(Error::invalid(
                "dayTo",
                "required",
                "a trend bucket needs its first and last day",
            ))
        }
    };
    let source = match &q.source {
        Some(s) => match facts.source_code(s) {
            Some(c) => Some(c),
            None => return Ok(Vec::new()),
        },
        None => None,
    };
    let event_members: Option<Vec<u32>> = q.event.map(|event| {
        let event = u32::try_from(event).unwrap_or(0);
        let start = facts.met.partition_point(|(e, _)| *e < event);
        facts.met[start..]
            .iter()
            .take_while(|(e, _)| *e == event)
            .map(|(_, l)| *l)
            .collect()
    });
    let matches = |id: usize, lead: &LeadFacts| -> bool {
        // Trend buckets span the axis, not the registration period.
        if !scope.includes(id, lead, days.is_none()) {
            return false;
        }
        if source.is_some_and(|s| s != lead.source) {
            return false;
        }
        if q.dormant && !scope.dormant(lead) {
            return false;
        }
        match (stage, days) {
            (Some(s), Some((a, b))) => {
                let d = lead.entered[s];
                d != NEVER && d >= a && d <= b
            }
            (None, Some((a, b))) => lead.created_day >= a && lead.created_day <= b,
            (Some(s), None) if q.current => usize::from(lead.stage) == s,
            (Some(s), None) => lead.entered[s] != NEVER,
            (None, None) => true,
        }
    };
    Ok(match event_members {
        Some(members) => members
            .into_iter()
            .filter(|id| {
                let id = *id as usize;
                facts.leads.get(id).is_some_and(|l| matches(id, l))
            })
            .map(i64::from)
            .collect(),
        None => facts
            .leads
            .iter()
            .enumerate()
            .filter(|(id, l)| matches(*id, l))
            .map(|(id, _)| id as i64)
            .collect(),
    })
}
