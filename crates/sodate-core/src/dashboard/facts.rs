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
//! Validity: like the lead list's sort positions (`leads::ranks`), the facts are used only
//! while the database is exactly as it was read — `data_version` (other connections'
//! commits) and the connection's `total_changes` (its own writes) unchanged. The next
//! dashboard after any change reads them again (measured in docs/BENCHMARKS.md).

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use rusqlite::Connection;

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
}

impl Facts {
    pub fn source_code(&self, source: &str) -> Option<u8> {
        self.sources
            .iter()
            .position(|s| s == source)
            .and_then(|p| u8::try_from(p).ok())
    }

    pub fn owner_code(&self, owner: &str) -> Option<u16> {
        self.owners
            .iter()
            .position(|s| s == owner)
            .and_then(|p| u16::try_from(p).ok())
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

/// The facts of one open database (see the module documentation).
#[derive(Default)]
pub struct FactsCache {
    inner: RefCell<Option<(Stamp, Arc<Facts>)>>,
}

impl FactsCache {
    /// The facts for the database as it is now, read again if anything changed; and
    /// whether they had to be read.
    pub(crate) fn current(
        &self,
        conn: &Connection,
        file: &crate::db::DbFile,
    ) -> Result<(Arc<Facts>, bool)> {
        let stamp = Stamp::of(conn)?;
        if let Some((s, facts)) = &*self.inner.borrow() {
            if *s == stamp {
                return Ok((facts.clone(), false));
            }
        }
        // The activities on the second core while the leads are read; on one connection
        // when something was committed meanwhile.
        let (facts, stamp) = match read_on_two_cores(conn, file, read_activities, read_leads)? {
            Some((leads, activities, stamp)) => (leads.with(activities), stamp),
            None => {
                let stamp = Stamp::of(conn)?;
                (read_leads(conn)?.with(read_activities(conn)?), stamp)
            }
        };
        let facts = Arc::new(facts);
        *self.inner.borrow_mut() = Some((stamp, facts.clone()));
        Ok((facts, true))
    }
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
            if let Some(slot) = usize::try_from(id).ok().and_then(|i| self.leads.get_mut(i)) {
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
    let mut leads = vec![EMPTY; usize::try_from(max_id).unwrap_or(0) + 1];
    let mut sources: Vec<String> = Vec::new();
    let mut owners: Vec<String> = vec![String::new()];
    let mut source_codes: HashMap<String, u8> = HashMap::new();
    let mut owner_codes: HashMap<String, u16> = HashMap::from([(String::new(), 0)]);
    let mut met: Vec<(u32, u32)> = Vec::new();

    let mut stmt = conn.prepare(
        "SELECT id, lifecycle_stage, source, coalesce(first_event_id, 0), owner, created_at
         FROM leads",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let Some(slot) = usize::try_from(id).ok().and_then(|i| leads.get_mut(i)) else {
            continue;
        };
        let stage = r.get_ref(1)?.as_str().unwrap_or("");
        let source = r.get_ref(2)?.as_str().unwrap_or("");
        let owner = r.get_ref(4)?.as_str().unwrap_or("");
        let source = match source_codes.get(source) {
            Some(c) => *c,
            None => {
                // More than 254 distinct sources fold into the last code (never seen).
                let code = u8::try_from(sources.len()).unwrap_or(u8::MAX - 1);
                if sources.len() < usize::from(u8::MAX - 1) {
                    sources.push(source.to_string());
                }
                source_codes.insert(source.to_string(), code);
                code
            }
        };
        let owner = match owner_codes.get(owner) {
            Some(c) => *c,
            None => {
                let code = u16::try_from(owners.len()).unwrap_or(u16::MAX);
                owners.push(owner.to_string());
                owner_codes.insert(owner.to_string(), code);
                code
            }
        };
        let created_day = day_of(r.get_ref(5)?.as_str().unwrap_or("")).unwrap_or(0);
        let first_event: i64 = r.get(3)?;
        if first_event > 0 {
            met.push(pair(first_event, id));
        }
        *slot = LeadFacts {
            stage: stage_index(stage).map_or(1, |s| s as u8),
            source,
            owner,
            created_day,
            entered: [NEVER; STAGE_COUNT],
            last_activity: NO_ACTIVITY,
        };
    }

    let mut stmt = conn.prepare("SELECT lead_id, to_stage, changed_at FROM lifecycle_history")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let Some(slot) = usize::try_from(id).ok().and_then(|i| leads.get_mut(i)) else {
            continue;
        };
        let (Some(stage), Some(day)) = (
            stage_index(r.get_ref(1)?.as_str().unwrap_or("")),
            day_of(r.get_ref(2)?.as_str().unwrap_or("")),
        ) else {
            continue;
        };
        slot.entered[stage] = slot.entered[stage].min(day);
    }
    // A lead without a recorded entry into its current stage (history predating the
    // journal) entered it no later than its registration.
    for lead in leads.iter_mut().filter(|l| l.stage != ABSENT) {
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

    Ok(Facts {
        leads,
        sources,
        owners,
        met,
        email: Vec::new(),
    })
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

fn read_email(conn: &Connection) -> Result<Vec<EmailFact>> {
    let kinds: Vec<(i64, EmailKind)> = conn
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
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::new();
    // One range of activities_by_type_time (type_id, occurred_at, lead_id) per kind: the
    // index covers both columns read.
    let mut stmt = conn.prepare_cached(
        "SELECT lead_id, occurred_at FROM activities WHERE type_id = ?1 AND occurred_at IS NOT NULL",
    )?;
    for (type_id, kind) in kinds {
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
