//! What the dashboard counts, one compact row per lead, kept in memory.
//!
//! Every figure of the dashboard is an aggregate over the leads of a cohort (a period of
//! registration, an event, a source, an owner, a segment): with the facts below in memory,
//! a whole dashboard is one pass over a million small rows (milliseconds) instead of a dozen
//! grouped scans of the leads, their stage history and ten million activities (seconds).
//!
//! Per lead: the current stage, source, owner, the day it was registered, the
//! first day it entered each stage (from `lifecycle_history`), and the time of its latest
//! activity. Besides, the events each lead was met at and the email results (sent, opened, clicked) as (lead, day, kind).
//! Memory at 1M leads / 10M activities: ~60 MB for the leads plus 8 bytes per email result.
//!
//! Validity: the facts stand for one state of the database. While the connection sees no
//! change (`data_version` for other connections' commits, `total_changes` for its own
//! writes) they are used as they are. After a change, the changed-leads journal
//! (`db::changes`, migration 0011) names the leads written since they were read, and only
//! those leads are read again (a few milliseconds for an edit, an import of a few thousand
//! rows, a board move); a bulk load or more than [`REFRESH_LIMIT`] changed leads read
//! everything again. The app reads them on connections of its own soon after it starts
//! ([`prefetch`], [`adopt`]), so that the first dashboard does not wait for that read.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use rusqlite::Connection;

use crate::db::changes::{self, Changed, Position};
use crate::db::parallel::read_on_two_cores;
use crate::db::Stamp;
use crate::model::LIFECYCLE_STAGES;
use crate::Result;

/// No day (a stage never entered).
pub(crate) const NEVER: i32 = i32::MAX;
/// No activity ever.
pub(crate) const NO_ACTIVITY: i64 = i64::MIN;

/// One lead's facts. `stage == ABSENT` marks ids without a lead.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LeadFacts {
    pub stage: u8,
    pub source: u8,
    pub owner: u16,
    /// Days since 1970-01-01 (UTC) of registration.
    pub created_day: i32,
    /// Per stage of `LIFECYCLE_STAGES`: the first day the lead entered it, or `NEVER`. For
    /// the funnel's stages, the first day it entered that stage or a later one of the
    /// funnel: a lead moved from MQL straight to SQL passed SAL (on the day of SQL).
    pub entered: [i32; STAGE_COUNT],
    /// Unix seconds of the latest activity, or `NO_ACTIVITY`.
    pub last_activity: i64,
}

pub(crate) const STAGE_COUNT: usize = 10;
/// The funnel's stages, in order (indices into `LIFECYCLE_STAGES`): lead, MQL, SAL, SQL,
/// 商談, 受注.
pub(crate) const FUNNEL: [usize; 6] = [1, 2, 3, 4, 5, 6];
pub(crate) const ABSENT: u8 = u8::MAX;

const EMPTY: LeadFacts = LeadFacts {
    stage: ABSENT,
    source: 0,
    owner: 0,
    created_day: 0,
    entered: [NEVER; STAGE_COUNT],
    last_activity: NO_ACTIVITY,
};

/// The kinds of email result the dashboard rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EmailKind {
    Sent = 0,
    Opened = 1,
    Clicked = 2,
}

/// One email result: the lead, the day, the kind.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EmailFact {
    pub lead: u32,
    pub day: i32,
    pub kind: EmailKind,
}

/// The facts of every lead (indexed by lead id) and the dictionaries their codes use.
#[derive(Clone)]
pub(crate) struct Facts {
    pub leads: Vec<LeadFacts>,
    /// Source codes (`leads.source`), by `LeadFacts::source`.
    pub sources: Vec<String>,
    /// Owners, by `LeadFacts::owner` (0 = no owner: "").
    pub owners: Vec<String>,
    /// (event id, lead id) of every lead met at an event — its first event, or an
    /// activity there (what the segment field `event` means) — sorted, distinct.
    pub met: Vec<(u32, u32)>,
    pub email: Vec<EmailFact>,
    /// The activity types counted as email results.
    email_types: Vec<(i64, EmailKind)>,
    source_codes: HashMap<String, u8>,
    owner_codes: HashMap<String, u16>,
}

impl Facts {
    pub fn source_code(&self, source: &str) -> Option<u8> {
        self.source_codes.get(source).copied()
    }

    pub fn owner_code(&self, owner: &str) -> Option<u16> {
        self.owner_codes.get(owner).copied()
    }

    fn empty(max_id: i64, email_types: Vec<(i64, EmailKind)>) -> Self {
        Self {
            leads: vec![EMPTY; usize::try_from(max_id).unwrap_or(0) + 1],
            sources: Vec::new(),
            owners: vec![String::new()],
            met: Vec::new(),
            email: Vec::new(),
            email_types,
            source_codes: HashMap::new(),
            owner_codes: HashMap::from([(String::new(), 0)]),
        }
    }

    /// The code of `source`, added to the dictionary when new. More than 254 distinct
    /// sources fold into the last code (never seen).
    fn code_source(&mut self, source: &str) -> u8 {
        if let Some(code) = self.source_codes.get(source) {
            return *code;
        }
        let code = u8::try_from(self.sources.len()).unwrap_or(u8::MAX - 1);
        if self.sources.len() < usize::from(u8::MAX - 1) {
            self.sources.push(source.to_string());
        }
        self.source_codes.insert(source.to_string(), code);
        code
    }

    fn code_owner(&mut self, owner: &str) -> u16 {
        if let Some(code) = self.owner_codes.get(owner) {
            return *code;
        }
        let code = u16::try_from(self.owners.len()).unwrap_or(u16::MAX);
        self.owners.push(owner.to_string());
        self.owner_codes.insert(owner.to_string(), code);
        code
    }

    /// One lead's facts from a row of [`LEAD_COLUMNS`], and its first event (0: none).
    fn lead_of(&mut self, r: &rusqlite::Row) -> rusqlite::Result<(LeadFacts, i64)> {
        let stage = stage_index(r.get_ref(1)?.as_str().unwrap_or("")).map_or(1, |s| s as u8);
        let source = self.code_source(r.get_ref(2)?.as_str().unwrap_or(""));
        let owner = self.code_owner(r.get_ref(4)?.as_str().unwrap_or(""));
        let created_day = day_of(r.get_ref(5)?.as_str().unwrap_or("")).unwrap_or(0);
        let lead = LeadFacts {
            stage,
            source,
            owner,
            created_day,
            entered: [NEVER; STAGE_COUNT],
            last_activity: NO_ACTIVITY,
        };
        Ok((lead, r.get(3)?))
    }

    fn email_kind(&self, type_id: i64) -> Option<EmailKind> {
        self.email_types
            .iter()
            .find(|(id, _)| *id == type_id)
            .map(|(_, kind)| *kind)
    }

    fn slot(&mut self, id: i64) -> Option<&mut LeadFacts> {
        usize::try_from(id).ok().and_then(|i| self.leads.get_mut(i))
    }

    /// Reads again the facts of the leads `ids` (sorted, distinct; deleted ones become
    /// absent), leaving every other lead's as it is.
    fn refresh(&mut self, conn: &Connection, ids: &[i64]) -> Result<()> {
        let Some(&max_id) = ids.last() else {
            return Ok(());
        };
        let needed = usize::try_from(max_id).unwrap_or(0) + 1;
        if self.leads.len() < needed {
            self.leads.resize(needed, EMPTY);
        }
        let mut changed = vec![false; self.leads.len()];
        for &id in ids {
            if let Some(c) = usize::try_from(id).ok().and_then(|i| changed.get_mut(i)) {
                *c = true;
            }
        }
        let is_changed = |lead: u32| changed.get(lead as usize).copied().unwrap_or(false);
        self.met.retain(|&(_, lead)| !is_changed(lead));
        self.email.retain(|e| !is_changed(e.lead));

        let mut lead_row =
            conn.prepare_cached(&format!("SELECT {LEAD_COLUMNS} FROM leads WHERE id = ?1"))?;
        let mut history = conn.prepare_cached(
            "SELECT to_stage, changed_at FROM lifecycle_history WHERE lead_id = ?1",
        )?;
        let mut activities = conn.prepare_cached(
            "SELECT occurred_at, event_id, type_id FROM activities WHERE lead_id = ?1",
        )?;
        for &id in ids {
            let mut rows = lead_row.query([id])?;
            let Some((mut lead, first_event)) =
                rows.next()?.map(|r| self.lead_of(r)).transpose()?
            else {
                if let Some(slot) = self.slot(id) {
                    *slot = EMPTY;
                }
                continue;
            };
            if first_event > 0 {
                self.met.push(pair(first_event, id));
            }
            let mut rows = history.query([id])?;
            while let Some(r) = rows.next()? {
                enter(
                    &mut lead,
                    r.get_ref(0)?.as_str().unwrap_or(""),
                    r.get_ref(1)?.as_str().unwrap_or(""),
                );
            }
            settle(&mut lead);
            let mut rows = activities.query([id])?;
            while let Some(r) = rows.next()? {
                let at: i64 = r.get(0)?;
                lead.last_activity = lead.last_activity.max(at);
                if let Some(event) = r.get::<_, Option<i64>>(1)? {
                    self.met.push(pair(event, id));
                }
                if let Some(kind) = self.email_kind(r.get(2)?) {
                    self.email.push(EmailFact {
                        lead: u32::try_from(id).unwrap_or(0),
                        day: day_of_unix(at),
                        kind,
                    });
                }
            }
            if let Some(slot) = self.slot(id) {
                *slot = lead;
            }
        }
        // A sorted run with a few pairs after it: the stable sort finds the run and merges.
        self.met.sort();
        self.met.dedup();
        Ok(())
    }
}

/// The columns [`Facts::lead_of`] reads, in its order.
const LEAD_COLUMNS: &str =
    "id, lifecycle_stage, source, coalesce(first_event_id, 0), owner, created_at";

/// Records an entry into the stage `to_stage` on the day of `changed_at`.
fn enter(lead: &mut LeadFacts, to_stage: &str, changed_at: &str) {
    if let (Some(stage), Some(day)) = (stage_index(to_stage), day_of(changed_at)) {
        lead.entered[stage] = lead.entered[stage].min(day);
    }
}

/// Completes a lead's stage entries once its history is read: a lead without a recorded
/// entry into its current stage (history predating the journal) entered it no later than
/// its registration; the funnel's entries are made cumulative.
fn settle(lead: &mut LeadFacts) {
    let s = usize::from(lead.stage);
    if lead.entered[s] == NEVER {
        lead.entered[s] = lead.created_day;
    }
    for k in (0..FUNNEL.len() - 1).rev() {
        let later = lead.entered[FUNNEL[k + 1]];
        let here = &mut lead.entered[FUNNEL[k]];
        *here = (*here).min(later);
    }
}

fn pair(event: i64, lead: i64) -> (u32, u32) {
    (
        u32::try_from(event).unwrap_or(0),
        u32::try_from(lead).unwrap_or(0),
    )
}

pub(crate) fn stage_index(code: &str) -> Option<usize> {
    LIFECYCLE_STAGES.iter().position(|s| *s == code)
}

/// Days since 1970-01-01 of a stored timestamp or date (`2026-11-22T09:00:00Z`,
/// `2026-11-22`); `None` when it is not one.
pub(crate) fn day_of(text: &str) -> Option<i32> {
    let date = NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()?;
    i32::try_from(date.signed_duration_since(NaiveDate::default()).num_days()).ok()
}

pub(crate) fn day_of_unix(seconds: i64) -> i32 {
    i32::try_from(seconds.div_euclid(86_400)).unwrap_or(i32::MIN)
}

/// Leads re-read one by one after a change, at most; more changed leads are one full read
/// (about 20 µs a lead against ~3 s for a full read at 1M leads / 10M activities).
const REFRESH_LIMIT: usize = 100_000;

/// The facts of one open database (see the module documentation).
#[derive(Default)]
pub struct FactsCache {
    inner: RefCell<Option<Cached>>,
}

struct Cached {
    facts: Arc<Facts>,
    /// The connection's state they stand for (`None`: read on other connections).
    stamp: Option<Stamp>,
    /// The changed-leads journal's position they stand for.
    position: Position,
}

/// How [`FactsCache::current`] got its facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactsRead {
    /// Nothing changed since they were read.
    Unchanged,
    /// The leads changed since were read again.
    Refreshed(usize),
    /// Every lead was read.
    Full,
}

impl FactsCache {
    /// The facts for the database as it is now: kept when nothing changed, brought up to
    /// date lead by lead after a few changes, read again after many (or the first time).
    pub(crate) fn current(
        &self,
        conn: &Connection,
        file: &crate::db::DbFile,
    ) -> Result<(Arc<Facts>, FactsRead)> {
        let stamp = Stamp::of(conn)?;
        let mut inner = self.inner.borrow_mut();
        if let Some(cached) = inner.as_mut() {
            if cached.stamp == Some(stamp) {
                return Ok((cached.facts.clone(), FactsRead::Unchanged));
            }
            // The journal, the leads re-read and the stamp, all in one read transaction.
            let read = in_read_transaction(conn, || {
                let (changed, position) = changes::since(conn, cached.position, REFRESH_LIMIT)?;
                let read = match changed {
                    Changed::Nothing => FactsRead::Unchanged,
                    Changed::Leads(ids) => {
                        Arc::make_mut(&mut cached.facts).refresh(conn, &ids)?;
                        FactsRead::Refreshed(ids.len())
                    }
                    Changed::Everything => return Ok(None),
                };
                cached.position = position;
                cached.stamp = Some(Stamp::of(conn)?);
                Ok(Some(read))
            })?;
            if let Some(read) = read {
                return Ok((cached.facts.clone(), read));
            }
        }
        let (facts, position, stamp) = read_all(conn, file)?;
        let facts = Arc::new(facts);
        *inner = Some(Cached {
            facts: facts.clone(),
            stamp: Some(stamp),
            position,
        });
        Ok((facts, FactsRead::Full))
    }

    /// Takes facts read on connections of their own, unless this cache already has some.
    fn adopt(&self, prefetched: PrefetchedFacts) -> bool {
        let mut inner = self.inner.borrow_mut();
        if inner.is_some() {
            return false;
        }
        *inner = Some(Cached {
            facts: Arc::new(prefetched.facts),
            stamp: None,
            position: prefetched.position,
        });
        true
    }
}

/// Runs `f` in a read transaction (one state of the database throughout), unless the
/// connection is already in a transaction.
fn in_read_transaction<T>(conn: &Connection, f: impl FnOnce() -> Result<T>) -> Result<T> {
    if !conn.is_autocommit() {
        return f();
    }
    conn.execute_batch("BEGIN DEFERRED")?;
    let result = f();
    conn.execute_batch("COMMIT")?;
    result
}

/// Every lead's facts, with the journal position and the connection state they stand for:
/// the activities on the second core while the leads are read; on one connection when
/// something was committed meanwhile.
fn read_all(conn: &Connection, file: &crate::db::DbFile) -> Result<(Facts, Position, Stamp)> {
    let leads_and_position = |c: &Connection| -> Result<(Facts, Position)> {
        Ok((read_leads(c)?, changes::position(c)?))
    };
    if let Some(((leads, position), activities, stamp)) =
        read_on_two_cores(conn, file, read_activities, leads_and_position)?
    {
        return Ok((leads.with(activities), position, stamp));
    }
    in_read_transaction(conn, || {
        let (leads, position) = leads_and_position(conn)?;
        let facts = leads.with(read_activities(conn)?);
        Ok((facts, position, Stamp::of(conn)?))
    })
}

/// Facts read away from the handle that will use them (the app reads them on connections
/// of its own soon after start, so that the first dashboard does not wait for them).
pub struct PrefetchedFacts {
    facts: Facts,
    position: Position,
}

/// Reads every lead's facts on a connection of its own to `file`, on one core: it runs
/// while the user works, and the other core stays free for what they do.
pub fn prefetch(file: &crate::db::DbFile) -> Result<PrefetchedFacts> {
    let conn = file.open_read_only()?;
    conn.busy_timeout(std::time::Duration::from_millis(1500))?;
    let (facts, position) = crate::db::parallel::mapped(&conn, || {
        in_read_transaction(&conn, || {
            let leads = read_leads(&conn)?;
            let position = changes::position(&conn)?;
            Ok((leads.with(read_activities(&conn)?), position))
        })
    })?;
    Ok(PrefetchedFacts { facts, position })
}

/// Gives `db` the prefetched facts (brought up to date by its next dashboard); false when
/// it had read its own meanwhile.
pub fn adopt(db: &crate::Sodate, prefetched: PrefetchedFacts) -> bool {
    db.dashboard_facts().adopt(prefetched)
}

/// What the activities add to the leads' facts.
struct ActivityFacts {
    /// (lead id, unix seconds of its latest activity).
    latest: Vec<(i64, i64)>,
    met: Vec<(u32, u32)>,
    email: Vec<EmailFact>,
}

impl Facts {
    fn with(mut self, a: ActivityFacts) -> Self {
        for (id, at) in a.latest {
            if let Some(slot) = self.slot(id) {
                slot.last_activity = at;
            }
        }
        self.met.extend(a.met);
        self.met.sort_unstable();
        self.met.dedup();
        self.email = a.email;
        self
    }
}

/// The leads' own facts and their stage history (the first-event pairs in `met`).
fn read_leads(conn: &Connection) -> Result<Facts> {
    let max_id: i64 = conn.query_row("SELECT coalesce(max(id), 0) FROM leads", [], |r| r.get(0))?;
    let mut facts = Facts::empty(max_id, email_types(conn)?);
    let mut stmt = conn.prepare(&format!("SELECT {LEAD_COLUMNS} FROM leads"))?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let (lead, first_event) = facts.lead_of(r)?;
        let Some(slot) = facts.slot(id) else {
            continue;
        };
        *slot = lead;
        if first_event > 0 {
            facts.met.push(pair(first_event, id));
        }
    }

    let mut stmt = conn.prepare("SELECT lead_id, to_stage, changed_at FROM lifecycle_history")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        if let Some(slot) = facts.slot(r.get(0)?) {
            enter(
                slot,
                r.get_ref(1)?.as_str().unwrap_or(""),
                r.get_ref(2)?.as_str().unwrap_or(""),
            );
        }
    }
    for lead in facts.leads.iter_mut().filter(|l| l.stage != ABSENT) {
        settle(lead);
    }
    Ok(facts)
}

/// The latest activity of each lead, the events leads were met at through an activity, and
/// the email results.
fn read_activities(conn: &Connection) -> Result<ActivityFacts> {
    // The last entry of each lead's range of activities_by_lead (lead_id, occurred_at), in
    // one pass of that index.
    let latest = conn
        .prepare(
            "SELECT lead_id, max(occurred_at) FROM activities INDEXED BY activities_by_lead
             GROUP BY lead_id",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    // activities_by_event covers both columns, in event order.
    let met = conn
        .prepare("SELECT DISTINCT event_id, lead_id FROM activities WHERE event_id IS NOT NULL")?
        .query_map([], |r| Ok(pair(r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ActivityFacts {
        latest,
        met,
        email: read_email(conn)?,
    })
}

/// The activity types that are email results, with their kind.
fn email_types(conn: &Connection) -> Result<Vec<(i64, EmailKind)>> {
    Ok(conn
        .prepare(
            "SELECT id, code FROM activity_types
             WHERE code IN ('email_sent', 'email_opened', 'email_clicked')",
        )?
        .query_map([], |r| {
            let code: String = r.get(1)?;
            Ok((
                r.get(0)?,
                match code.as_str() {
                    "email_sent" => EmailKind::Sent,
                    "email_opened" => EmailKind::Opened,
                    _ => EmailKind::Clicked,
                },
            ))
        })?
        .collect::<rusqlite::Result<_>>()?)
}

fn read_email(conn: &Connection) -> Result<Vec<EmailFact>> {
    let mut out = Vec::new();
    // One range of activities_by_type_time (type_id, occurred_at, lead_id) per kind: the
    // index covers both columns read.
    let mut stmt = conn.prepare_cached(
        "SELECT lead_id, occurred_at FROM activities WHERE type_id = ?1 AND occurred_at IS NOT NULL",
    )?;
    for (type_id, kind) in email_types(conn)? {
        let mut rows = stmt.query([type_id])?;
        while let Some(r) = rows.next()? {
            let lead: i64 = r.get(0)?;
            out.push(EmailFact {
                lead: u32::try_from(lead).unwrap_or(0),
                day: day_of_unix(r.get(1)?),
                kind,
            });
        }
    }
    Ok(out)
}
