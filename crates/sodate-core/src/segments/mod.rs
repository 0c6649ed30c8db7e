//! Segments: "who" for segment mails, step mails, exports and bulk actions — a filter tree
//! of nested `all` / `any` / `not` groups over lead and company fields, custom fields, tags,
//! events, activities and other segments (docs/SEGMENTS.md has the JSON with examples).
//!
//! A filter is parsed by hand from JSON ([`SegmentFilter::parse`]: every error names its node
//! by path, e.g. `all[2].any[0].op`), compiled to one parameterised SQL condition (values are
//! always bound, never written into the SQL), and counted live while the user edits. A
//! segment is saved *dynamic* (its filter, evaluated on each use) or frozen into a *static*
//! list (a snapshot of member ids). Text compares by the normalised keys the leads store
//! (name → `name_key`, so 髙橋 finds 高橋; company name → `companies.name_key`, so (株)
//! finds 株式会社), other text ASCII case-insensitively after NFKC.
//!
//! Invariants: a saved filter always parses and compiles (save and update validate, and a
//! segment another one refers to cannot be deleted); references never form a cycle.
//! Relative dates (`within_days`) count back from the moment the filter is evaluated.
//!
//! Cost (1M leads, 10M activities; docs/BENCHMARKS.md): a typed activity condition reads one
//! range of `activities_by_type_time`; untyped activity conditions probe each lead's
//! activities and scale with the number of leads they are evaluated on.

mod compile;
mod fields;
mod filter;
mod memory;
#[cfg(test)]
mod tests;

use std::time::Instant;

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;

pub use compile::MAX_REFERENCE_DEPTH;
pub use fields::{
    fields, ops_of, FieldInfo, FieldType, Op, CONSENT_STATES, EMPLOYEE_BANDS, SOURCES,
};
pub use filter::{
    ActivityCondition, FieldCondition, JourneyCondition, SegmentFilter, MAX_DAYS, MAX_DEPTH,
    MAX_NODES, MAX_TEXT, MAX_VALUES,
};

pub(crate) use compile::Compiled;
pub use memory::SegmentCache;

use crate::leads::{self, audit_in, SearchFilter};
use crate::time::now;
use crate::{Error, LeadPage, LeadQuery, LeadSort, Result, Sodate};

/// The longest segment name, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// A live count.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SegmentCount {
    pub count: u32,
    /// How long the count took, in milliseconds.
    pub ms: f64,
}

/// Dynamic (a filter, evaluated on each use) or static (a frozen list of leads).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum SegmentKind {
    Dynamic,
    Static,
}

/// A saved segment.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Segment {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub id: i64,
    pub name: String,
    pub kind: SegmentKind,
    /// Dynamic: the filter. Static: the filter it was frozen from, if any (for reference).
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Unknown>))]
    pub filter: Option<serde_json::Value>,
    /// Static: the number of leads frozen (leads deleted since have left the list).
    pub member_count: Option<u32>,
    /// Static: the segment it was frozen from.
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Number>))]
    pub frozen_from: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

/// Parses a filter's JSON (syntax, fields, operators, values; see [`SegmentFilter::parse`]).
pub fn parse(value: &serde_json::Value) -> Result<SegmentFilter> {
    SegmentFilter::parse(value)
}

/// Parses and checks a filter against the database too: activity types exist, referenced
/// segments exist and form no cycle. What the editor calls before it offers to save.
pub fn validate(db: &Sodate, value: &serde_json::Value) -> Result<SegmentFilter> {
    let filter = SegmentFilter::parse(value)?;
    db.read(|conn| compile::compile(conn, &filter, Utc::now(), &[]).map(|_| ()))?;
    Ok(filter)
}

/// The journey maps whose stages `filter` reads, directly or through the segments it refers
/// to (it must be valid).
pub(crate) fn journey_maps_read(db: &Sodate, filter: &SegmentFilter) -> Result<Vec<i64>> {
    db.read(|conn| compile::compile(conn, filter, Utc::now(), &[]).map(|c| c.journey_maps))
}

/// The built-in fields plus the custom fields defined in this database.
pub fn fields_of(db: &Sodate) -> Result<Vec<FieldInfo>> {
    let mut out = fields();
    db.read(|conn| {
        let names = conn
            .prepare_cached("SELECT name FROM custom_fields ORDER BY position, id")?
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        out.extend(names.iter().map(|n| fields::custom_info(n)));
        Ok(())
    })?;
    Ok(out)
}

/// How many leads match `filter` now.
pub fn count(db: &Sodate, filter: &SegmentFilter) -> Result<SegmentCount> {
    count_at(db, filter, Utc::now())
}

/// How many leads match `filter` as of `now` (relative dates count back from it).
///
/// Evaluated in memory over the attribute snapshot ([`SegmentCache`]; built on the first
/// count after a change), with SQL only for the conditions it does not hold.
pub fn count_at(db: &Sodate, filter: &SegmentFilter, now: DateTime<Utc>) -> Result<SegmentCount> {
    let started = Instant::now();
    let count = db.read(
        |conn| match matching_in(conn, db.segment_cache(), filter, now)? {
            Some(bits) => Ok(bits.count()),
            None => count_in(conn, filter, now),
        },
    )?;
    Ok(SegmentCount {
        count,
        ms: (started.elapsed().as_secs_f64() * 10_000.0).round() / 10.0,
    })
}

/// The leads matching `filter` from the snapshot (`None`: this database is left to SQL).
/// The filter is compiled first: that validates it against the database (types, segments,
/// cycles) with the errors the SQL path gives.
fn matching_in(
    conn: &Connection,
    cache: &SegmentCache,
    filter: &SegmentFilter,
    now: DateTime<Utc>,
) -> Result<Option<memory::Bits>> {
    compile::compile(conn, filter, now, &[])?;
    cache.matching(conn, filter, now)
}

/// The count by the compiled SQL alone.
pub(crate) fn count_in(
    conn: &Connection,
    filter: &SegmentFilter,
    now: DateTime<Utc>,
) -> Result<u32> {
    let c = compile::compile(conn, filter, now, &[])?;
    let count = || -> Result<u32> {
        Ok(conn
            .prepare_cached(&format!("SELECT count(*) FROM leads l WHERE {}", c.sql))?
            .query_row(rusqlite::params_from_iter(c.params.iter()), |r| r.get(0))?)
    };
    if probes_every_lead(filter) {
        crate::db::parallel::mapped(conn, count)
    } else {
        count()
    }
}

/// Bytes the segment snapshot holds now (`None`: none built), for the benchmark.
pub fn snapshot_bytes(db: &Sodate) -> Option<usize> {
    db.segment_cache().held_bytes()
}

/// Whether the filter has an activity condition of any type, which is answered by probing
/// each lead's activities (dormancy: a million index probes at 1M leads).
fn probes_every_lead(filter: &SegmentFilter) -> bool {
    match filter {
        SegmentFilter::All(c) | SegmentFilter::Any(c) => c.iter().any(probes_every_lead),
        SegmentFilter::Not(c) => probes_every_lead(c),
        SegmentFilter::Activity(a) => a.kind.is_none(),
        _ => false,
    }
}

/// The ids of the leads matching `filter` as of `now`, ascending.
pub fn member_ids_at(db: &Sodate, filter: &SegmentFilter, now: DateTime<Utc>) -> Result<Vec<i64>> {
    db.read(
        |conn| match matching_in(conn, db.segment_cache(), filter, now)? {
            Some(bits) => Ok(bits.ids()),
            None => member_ids_in(conn, &compile::compile(conn, filter, now, &[])?),
        },
    )
}

/// [`member_ids_at`] for a one-off question (a journey refresh): from the snapshot when it is
/// current, else by SQL when the filter's conditions have index paths — building a snapshot
/// of every lead (seconds at 1M) only pays off for many counts in a row, or for untyped
/// activity conditions, which SQL answers by probing every lead.
pub fn member_ids_once_at(
    db: &Sodate,
    filter: &SegmentFilter,
    now: DateTime<Utc>,
) -> Result<Vec<i64>> {
    if probes_every_lead(filter) || db.read(|conn| db.segment_cache().is_current(conn))? {
        member_ids_at(db, filter, now)
    } else {
        member_ids_by_sql_at(db, filter, now)
    }
}

/// [`member_ids_once_at`] for several filters at once. When the snapshot is not current
/// (the usual case right after a write) the filters are run as SQL on both cores, half on a
/// second read-only connection; if the database changed meanwhile, one after the other.
pub fn member_ids_of_each_at(
    db: &Sodate,
    filters: &[&SegmentFilter],
    now: DateTime<Utc>,
) -> Result<Vec<Vec<i64>>> {
    let by_sql = filters.len() > 1
        && !filters.iter().any(|f| probes_every_lead(f))
        && !db.read(|conn| db.segment_cache().is_current(conn))?;
    if by_sql {
        let (first, second) = filters.split_at(filters.len() / 2);
        let each = |conn: &Connection, part: &[&SegmentFilter]| -> Result<Vec<Vec<i64>>> {
            part.iter()
                .map(|f| member_ids_in(conn, &compile::compile(conn, f, now, &[])?))
                .collect()
        };
        let read = db.read(|conn| {
            crate::db::parallel::read_on_two_cores(
                conn,
                db.file(),
                |other| each(other, second),
                |conn| each(conn, first),
            )
        })?;
        if let Some((mut mine, theirs, _)) = read {
            mine.extend(theirs);
            return Ok(mine);
        }
    }
    filters
        .iter()
        .map(|f| member_ids_once_at(db, f, now))
        .collect()
}

/// [`member_ids_at`] by the compiled SQL alone (the property test compares both).
pub fn member_ids_by_sql_at(
    db: &Sodate,
    filter: &SegmentFilter,
    now: DateTime<Utc>,
) -> Result<Vec<i64>> {
    db.read(|conn| member_ids_in(conn, &compile::compile(conn, filter, now, &[])?))
}

fn member_ids_in(conn: &Connection, c: &Compiled) -> Result<Vec<i64>> {
    Ok(conn
        .prepare_cached(&format!("{} ORDER BY l.id", c.ids_sql()))?
        .query_map(rusqlite::params_from_iter(c.params.iter()), |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// A page of the leads matching `filter` (a preview while editing), last updated first.
pub fn members(db: &Sodate, filter: &SegmentFilter, offset: u32, limit: u32) -> Result<LeadPage> {
    members_sorted(
        db,
        filter,
        &LeadQuery {
            sort: LeadSort::UpdatedAt,
            descending: true,
            offset,
            limit,
            ..Default::default()
        },
    )
}

/// A page of the leads matching `filter`, in the order and with the search of `query`
/// (`query.segment` is combined with the filter when set).
pub fn members_sorted(db: &Sodate, filter: &SegmentFilter, query: &LeadQuery) -> Result<LeadPage> {
    db.read(|conn| {
        let c = compile::compile(conn, filter, Utc::now(), &[])?;
        leads::list_matching_in(conn, db.lead_ranks(), query, Some(as_ids_filter(&c)))
    })
}

fn as_ids_filter(c: &Compiled) -> SearchFilter {
    SearchFilter {
        ids_sql: c.ids_sql(),
        params: c.params.clone(),
    }
}

/// The ids filter of a saved segment, for the lead list (`LeadQuery::segment`).
pub(crate) fn segment_ids_filter(conn: &Connection, id: i64) -> Result<SearchFilter> {
    exists_in(conn, id)?;
    let filter = SegmentFilter::Segment {
        id,
        path: "segment".into(),
    };
    let c = compile::compile(conn, &filter, Utc::now(), &[])?;
    Ok(as_ids_filter(&c))
}

fn clean_name(name: &str) -> Result<String> {
    let name: String = name.trim().chars().filter(|c| !c.is_control()).collect();
    if name.is_empty() {
        return Err(Error::invalid("name", "required", "a segment needs a name"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(Error::invalid(
            "name",
            "too_long",
            format!("a segment name has at most {MAX_NAME_CHARS} characters"),
        ));
    }
    Ok(name)
}

/// Saves `filter` as a new dynamic segment; its id. An invalid filter saves nothing.
pub fn save(db: &Sodate, name: &str, filter: &SegmentFilter) -> Result<i64> {
    let name = clean_name(name)?;
    db.write(|tx| save_in(tx, &name, filter))
}

pub(crate) fn save_in(tx: &Transaction, name: &str, filter: &SegmentFilter) -> Result<i64> {
    compile::compile(tx, filter, Utc::now(), &[])?;
    let at = now();
    tx.execute(
        "INSERT INTO segments (name, kind, filter, created_at, updated_at)
         VALUES (?1, 'dynamic', ?2, ?3, ?3)",
        params![name, filter.to_json().to_string(), at],
    )?;
    let id = tx.last_insert_rowid();
    audit_in(
        tx,
        "segment.create",
        "segment",
        Some(id),
        &serde_json::json!({ "name": name }),
    )?;
    Ok(id)
}

const SEGMENT_COLUMNS: &str =
    "id, name, kind, filter, member_count, frozen_from, created_at, updated_at";

fn segment_from(r: &rusqlite::Row) -> rusqlite::Result<(Segment, Option<String>)> {
    let kind: String = r.get(2)?;
    let filter: Option<String> = r.get(3)?;
    Ok((
        Segment {
            id: r.get(0)?,
            name: r.get(1)?,
            kind: if kind == "static" {
                SegmentKind::Static
            } else {
                SegmentKind::Dynamic
            },
            filter: None,
            member_count: r.get(4)?,
            frozen_from: r.get(5)?,
            created_at: r.get(6)?,
            updated_at: r.get(7)?,
        },
        filter,
    ))
}

fn with_filter((mut s, filter): (Segment, Option<String>)) -> Result<Segment> {
    s.filter = filter.map(|f| serde_json::from_str(&f)).transpose()?;
    Ok(s)
}

/// Every saved segment, by name.
pub fn list(db: &Sodate) -> Result<Vec<Segment>> {
    db.read(|conn| {
        conn.prepare_cached(&format!(
            "SELECT {SEGMENT_COLUMNS} FROM segments ORDER BY name, id"
        ))?
        .query_map([], segment_from)?
        .map(|r| with_filter(r?))
        .collect()
    })
}

/// One saved segment.
pub fn get(db: &Sodate, id: i64) -> Result<Segment> {
    db.read(|conn| get_in(conn, id))
}

fn get_in(conn: &Connection, id: i64) -> Result<Segment> {
    let row = conn
        .prepare_cached(&format!(
            "SELECT {SEGMENT_COLUMNS} FROM segments WHERE id = ?1"
        ))?
        .query_row([id], segment_from)
        .optional()?
        .ok_or(Error::NotFound {
            entity: "segment",
            id,
        })?;
    with_filter(row)
}

fn exists_in(conn: &Connection, id: i64) -> Result<()> {
    let found: Option<i64> = conn
        .prepare_cached("SELECT id FROM segments WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    found.map(|_| ()).ok_or(Error::NotFound {
        entity: "segment",
        id,
    })
}

/// Renames a segment and, for a dynamic one, replaces its filter (validated: a reference
/// back to the segment itself, directly or through others, is refused). A static list
/// keeps its members; giving it a filter is refused.
pub fn update(db: &Sodate, id: i64, name: &str, filter: Option<&SegmentFilter>) -> Result<Segment> {
    let name = clean_name(name)?;
    db.write(|tx| {
        let before = get_in(tx, id)?;
        if let Some(f) = filter {
            if before.kind == SegmentKind::Static {
                return Err(Error::invalid(
                    "filter",
                    "static_segment",
                    "a frozen (static) list has no filter to change; save the filter as a new segment",
                ));
            }
            compile::compile(tx, f, Utc::now(), &[id])?;
            tx.execute(
                "UPDATE segments SET filter = ?2 WHERE id = ?1",
                params![id, f.to_json().to_string()],
            )?;
        }
        tx.execute(
            "UPDATE segments SET name = ?2, updated_at = ?3 WHERE id = ?1",
            params![id, name, now()],
        )?;
        audit_in(
            tx,
            "segment.update",
            "segment",
            Some(id),
            &serde_json::json!({ "before": serde_json::to_value(&before)? }),
        )?;
        get_in(tx, id)
    })
}

/// A copy of a segment (a static list with its members), named "… (copy)"; its id.
pub fn duplicate(db: &Sodate, id: i64) -> Result<i64> {
    db.write(|tx| {
        let s = get_in(tx, id)?;
        let name: String = format!("{} (copy)", s.name)
            .chars()
            .take(MAX_NAME_CHARS)
            .collect();
        let at = now();
        tx.execute(
            "INSERT INTO segments (name, kind, filter, frozen_from, member_count, created_at, updated_at)
             SELECT ?2, kind, filter, frozen_from, member_count, ?3, ?3 FROM segments WHERE id = ?1",
            params![id, name, at],
        )?;
        let new_id = tx.last_insert_rowid();
        tx.execute(
            "INSERT INTO segment_members (segment_id, lead_id)
             SELECT ?2, lead_id FROM segment_members WHERE segment_id = ?1",
            params![id, new_id],
        )?;
        audit_in(
            tx,
            "segment.create",
            "segment",
            Some(new_id),
            &serde_json::json!({ "name": name, "duplicateOf": id }),
        )?;
        Ok(new_id)
    })
}

/// The dynamic segments whose filters refer to segment `id` directly: (id, name).
fn referrers_in(conn: &Connection, id: i64) -> Result<Vec<(i64, String)>> {
    dynamic_segments_where_in(conn, |other, f| {
        other != id && f.referenced_segments().contains(&id)
    })
}

/// The dynamic segments whose filters read the stages of journey map `map` directly: (id,
/// name). A map in use by a segment cannot be deleted (`journeys::delete`).
pub(crate) fn segments_using_journey_in(conn: &Connection, map: i64) -> Result<Vec<(i64, String)>> {
    dynamic_segments_where_in(conn, |_, f| f.referenced_journeys().contains(&map))
}

/// The dynamic segments (id, name) whose parsed filter satisfies `pred(id, filter)`.
fn dynamic_segments_where_in(
    conn: &Connection,
    pred: impl Fn(i64, &SegmentFilter) -> bool,
) -> Result<Vec<(i64, String)>> {
    let rows = conn
        .prepare_cached("SELECT id, name, filter FROM segments WHERE kind = 'dynamic' ORDER BY id")?
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out = Vec::new();
    for (id, name, filter) in rows {
        let value: serde_json::Value = serde_json::from_str(filter.as_deref().unwrap_or("{}"))?;
        if SegmentFilter::parse(&value).is_ok_and(|f| pred(id, &f)) {
            out.push((id, name));
        }
    }
    Ok(out)
}

/// Deletes a segment. Refused (`conflict`, nothing deleted) while another segment or a
/// journey map's stage refers to it; the message names them.
pub fn delete(db: &Sodate, id: i64) -> Result<()> {
    db.write(|tx| {
        let before = get_in(tx, id)?;
        let users: Vec<String> = referrers_in(tx, id)?
            .into_iter()
            .map(|(i, n)| format!("segment {i} 「{n}」"))
            .chain(
                crate::journeys::maps_using_segment_in(tx, id)?
                    .into_iter()
                    .map(|(i, n)| format!("journey map {i} 「{n}」")),
            )
            .collect();
        if !users.is_empty() {
            return Err(Error::Conflict(format!(
                "the segment 「{}」 is used by {}; remove it from there first",
                before.name,
                users.join(", ")
            )));
        }
        tx.execute("DELETE FROM segments WHERE id = ?1", [id])?;
        audit_in(
            tx,
            "segment.delete",
            "segment",
            Some(id),
            &serde_json::to_value(&before)?,
        )
    })
}

/// Freezes the current members of segment `id` into a new static list (the segment itself
/// stays as it is), named `name` or "<name> (YYYY-MM-DD)". Returns the new list.
pub fn freeze(db: &Sodate, id: i64, name: Option<&str>) -> Result<Segment> {
    let now_utc = Utc::now();
    db.write(|tx| {
        let source = get_in(tx, id)?;
        let name = match name {
            Some(n) => clean_name(n)?,
            None => format!(
                "{} ({})",
                source.name,
                // The day in Japan (UTC+9).
                (now_utc + chrono::Duration::hours(9)).format("%Y-%m-%d")
            )
            .chars()
            .take(MAX_NAME_CHARS)
            .collect(),
        };
        let filter = SegmentFilter::Segment {
            id,
            path: "segment".into(),
        };
        let c = compile::compile(tx, &filter, now_utc, &[])?;
        let at = now();
        tx.execute(
            "INSERT INTO segments (name, kind, filter, frozen_from, member_count, created_at, updated_at)
             VALUES (?1, 'static', ?2, ?3, 0, ?4, ?4)",
            params![
                name,
                source.filter.as_ref().map(|f| f.to_string()),
                id,
                at
            ],
        )?;
        let new_id = tx.last_insert_rowid();
        let mut params_list: Vec<rusqlite::types::Value> = vec![new_id.into()];
        params_list.extend(c.params.iter().cloned());
        let frozen = tx.execute(
            &format!(
                "INSERT INTO segment_members (segment_id, lead_id) SELECT ?1, id FROM ({})",
                // The member query's own parameters follow ?1.
                c.ids_sql()
            ),
            rusqlite::params_from_iter(params_list.iter()),
        )?;
        tx.execute(
            "UPDATE segments SET member_count = ?2 WHERE id = ?1",
            params![new_id, i64::try_from(frozen).unwrap_or(i64::MAX)],
        )?;
        audit_in(
            tx,
            "segment.freeze",
            "segment",
            Some(new_id),
            &serde_json::json!({ "from": id, "members": frozen }),
        )?;
        get_in(tx, new_id)
    })
}
