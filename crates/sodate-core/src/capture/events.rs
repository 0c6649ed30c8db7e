//! Events (trade shows, seminars, webinars) as the capture screen picks them, with how many
//! cards were captured at each: today and in all.

use chrono::{DateTime, Local, NaiveDate, TimeZone, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::{Error, FieldIssue, Result, Sodate};

/// The kinds of event, as stored.
pub const EVENT_KINDS: &[&str] = &["trade_show", "seminar", "webinar", "other"];
/// The longest event name and place, in characters.
pub const MAX_EVENT_TEXT: usize = 200;

/// An event with its capture counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct EventSummary {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub id: i64,
    pub name: String,
    pub kind: String,
    /// 'YYYY-MM-DD', or `None` when not known.
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub place: String,
    /// Distinct leads captured at the event (new leads and visits).
    pub captured_leads: u32,
    /// Cards captured at the event (each visit counts).
    pub captured_cards: u32,
    /// Cards captured at the event today (local day).
    pub captured_today: u32,
}

/// A new event as the user enters it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", default)]
pub struct NewEvent {
    pub name: String,
    /// One of [`EVENT_KINDS`]; empty: `trade_show`.
    pub kind: String,
    /// 'YYYY-MM-DD' (or 2026/11/20); empty: not known.
    pub starts_on: String,
    pub ends_on: String,
    pub place: String,
}

/// How many cards were captured today: at one event and at all events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CaptureCounts {
    pub event_today: u32,
    pub all_today: u32,
    pub event_total: u32,
}

/// The start of the local day containing `now`, as stored UTC text (captured_at compares
/// as text).
pub(crate) fn local_day_start(now: DateTime<Utc>) -> String {
    let local = now.with_timezone(&Local).date_naive();
    let start = local
        .and_hms_opt(0, 0, 0)
        .and_then(|t| Local.from_local_datetime(&t).earliest())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(now);
    crate::time::format(start)
}

fn parse_day(field: &str, text: &str, issues: &mut Vec<FieldIssue>) -> Option<String> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    match NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(t, "%Y/%m/%d"))
    {
        Ok(d) => Some(d.format("%Y-%m-%d").to_string()),
        Err(_) => {
            issues.push(FieldIssue::new(
                field,
                "invalid_date",
                format!("{t:?} is not a date (2026-11-20)"),
            ));
            None
        }
    }
}

fn row(r: &rusqlite::Row) -> rusqlite::Result<EventSummary> {
    Ok(EventSummary {
        id: r.get(0)?,
        name: r.get(1)?,
        kind: r.get(2)?,
        starts_on: r.get(3)?,
        ends_on: r.get(4)?,
        place: r.get(5)?,
        captured_leads: r.get(6)?,
        captured_cards: r.get(7)?,
        captured_today: r.get(8)?,
    })
}

const SUMMARY_SQL: &str = "SELECT e.id, e.name, e.kind, e.starts_on, e.ends_on, e.place,
        (SELECT count(DISTINCT lead_id) FROM captures c WHERE c.event_id = e.id),
        (SELECT count(*) FROM captures c WHERE c.event_id = e.id),
        (SELECT count(*) FROM captures c WHERE c.event_id = e.id AND c.captured_at >= ?1)
   FROM events e";

/// Every event, the latest first (by start date, then entry order).
pub fn list(db: &Sodate, now: DateTime<Utc>) -> Result<Vec<EventSummary>> {
    db.read(|conn| {
        let sql = format!("{SUMMARY_SQL} ORDER BY coalesce(e.starts_on, '') DESC, e.id DESC");
        let rows = conn
            .prepare_cached(&sql)?
            .query_map([local_day_start(now)], row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    })
}

/// One event with its counts.
pub fn get(db: &Sodate, id: i64, now: DateTime<Utc>) -> Result<EventSummary> {
    db.read(|conn| get_in(conn, id, now))
}

pub(crate) fn get_in(conn: &Connection, id: i64, now: DateTime<Utc>) -> Result<EventSummary> {
    let sql = format!("{SUMMARY_SQL} WHERE e.id = ?2");
    conn.prepare_cached(&sql)?
        .query_row(params![local_day_start(now), id], row)
        .optional()?
        .ok_or(Error::NotFound {
            entity: "event",
            id,
        })
}

/// Creates an event. The name is required and unique among events (case and width aside).
pub fn create(db: &Sodate, new: &NewEvent, now: DateTime<Utc>) -> Result<EventSummary> {
    let mut issues = Vec::new();
    let name = new.name.trim().to_string();
    if name.is_empty() {
        issues.push(FieldIssue::new(
            "name",
            "required",
            "the event needs a name",
        ));
    } else if name.chars().count() > MAX_EVENT_TEXT {
        issues.push(FieldIssue::new(
            "name",
            "too_long",
            format!("at most {MAX_EVENT_TEXT} characters"),
        ));
    }
    let kind = if new.kind.trim().is_empty() {
        "trade_show".to_string()
    } else {
        new.kind.trim().to_string()
    };
    if !EVENT_KINDS.contains(&kind.as_str()) {
        issues.push(FieldIssue::new(
            "kind",
            "unknown_kind",
            format!(
                "{kind:?} is not a kind of event ({})",
                EVENT_KINDS.join(", ")
            ),
        ));
    }
    let starts_on = parse_day("startsOn", &new.starts_on, &mut issues);
    let ends_on = parse_day("endsOn", &new.ends_on, &mut issues);
    if let (Some(s), Some(e)) = (&starts_on, &ends_on) {
        if e < s {
            issues.push(FieldIssue::new(
                "endsOn",
                "before_start",
                "the last day is before the first day",
            ));
        }
    }
    let place = new.place.trim().to_string();
    if place.chars().count() > MAX_EVENT_TEXT {
        issues.push(FieldIssue::new(
            "place",
            "too_long",
            format!("at most {MAX_EVENT_TEXT} characters"),
        ));
    }
    if !issues.is_empty() {
        return Err(Error::Invalid { issues });
    }
    db.write(|tx| {
        let key = crate::normalize::search_key(&name);
        let mut same = tx.prepare_cached("SELECT name FROM events")?;
        let names = same.query_map([], |r| r.get::<_, String>(0))?;
        for existing in names {
            if crate::normalize::search_key(&existing?) == key {
                return Err(Error::invalid(
                    "name",
                    "duplicate",
                    format!("an event named {name:?} exists already"),
                ));
            }
        }
        tx.prepare_cached(
            "INSERT INTO events (name, kind, starts_on, ends_on, place, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![name, kind, starts_on, ends_on, place, crate::time::format(now)])?;
        let id = tx.last_insert_rowid();
        crate::leads::audit_in(tx, "event.create", "event", Some(id), &serde_json::json!({ "name": name }))?;
        get_in(tx, id, now)
    })
}

/// Today's capture counts for `event_id`.
pub(crate) fn counts_in(
    conn: &Connection,
    event_id: i64,
    now: DateTime<Utc>,
) -> Result<CaptureCounts> {
    let day = local_day_start(now);
    let (event_today, event_total): (u32, u32) = conn
        .prepare_cached(
            "SELECT count(*) FILTER (WHERE captured_at >= ?2), count(*) FROM captures WHERE event_id = ?1",
        )?
        .query_row(params![event_id, day], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let all_today: u32 = conn
        .prepare_cached("SELECT count(*) FROM captures WHERE captured_at >= ?1")?
        .query_row([day], |r| r.get(0))?;
    Ok(CaptureCounts {
        event_today,
        all_today,
        event_total,
    })
}

/// Today's capture counts for `event_id` (the capture screen's running count).
pub fn counts(db: &Sodate, event_id: i64, now: DateTime<Utc>) -> Result<CaptureCounts> {
    db.read(|conn| {
        get_in(conn, event_id, now)?;
        counts_in(conn, event_id, now)
    })
}
