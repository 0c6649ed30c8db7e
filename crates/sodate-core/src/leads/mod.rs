//! Leads: the list (paged, sorted, searched), the detail, and create/edit/delete.
//!
//! Search: the query goes through `normalize::search_key`, the same function that built
//! `leads.search_text`. Queries of three or more characters use the FTS5 trigram index;
//! shorter ones (田中, 佐藤 — the common case for surnames) cannot use trigrams and match
//! the *start* of the indexed name, reading, company and email keys instead.

pub mod bulk;
mod input;
mod ranks;
mod search_build;
mod search_held;
mod validate;

use rusqlite::{params, Connection, OptionalExtension, Row, ToSql, Transaction};

pub(crate) use input::{field_of, input_of_valid, load_input, set_field, tags_of};
pub use ranks::RankCache;
pub(crate) use search_build::{create_search_table, SearchIndexBuild, SEARCH_BUFFER_BYTES};
pub(crate) use search_held::{HeldSearchWrites, NewLeads};
pub use validate::{prefecture_of_address, validate, LeadKeys, ValidLead, PREFECTURES};

use crate::normalize;
use crate::time::now;
use crate::{
    CustomFieldValue, Error, Lead, LeadDetail, LeadInput, LeadListing, LeadPage, LeadQuery,
    LeadRow, LeadSort, Result, Sodate,
};

/// Rows per page at most.
pub const MAX_PAGE: u32 = 500;
/// Activities shown on a lead detail at most.
pub const TIMELINE_LIMIT: u32 = 200;

pub(crate) const ROW_COLUMNS: &str = "l.id, l.family_name, l.given_name, l.family_reading, \
    l.given_reading, l.company_id, c.name, l.department, l.title, l.email, \
    CASE WHEN l.phone <> '' THEN l.phone ELSE l.mobile END, l.prefecture, l.lifecycle_stage, \
    s.engagement_score, s.fit_score, s.grade, l.created_at, l.updated_at";
/// The tables [`ROW_COLUMNS`] reads.
pub(crate) const ROW_TABLES: &str =
    "leads l JOIN lead_scores s ON s.id = l.id LEFT JOIN companies c ON c.id = l.company_id";

pub(crate) fn row_from(r: &Row) -> rusqlite::Result<LeadRow> {
    Ok(LeadRow {
        id: r.get(0)?,
        family_name: r.get(1)?,
        given_name: r.get(2)?,
        family_reading: r.get(3)?,
        given_reading: r.get(4)?,
        company_id: r.get(5)?,
        company_name: r.get(6)?,
        department: r.get(7)?,
        title: r.get(8)?,
        email: r.get(9)?,
        phone: r.get(10)?,
        prefecture: r.get(11)?,
        lifecycle_stage: r.get(12)?,
        engagement_score: r.get(13)?,
        fit_score: r.get(14)?,
        grade: r.get(15)?,
        created_at: r.get(16)?,
        updated_at: r.get(17)?,
    })
}

/// The leads a free-text search (or a segment) matches, as a query returning their ids,
/// plus its parameters.
pub(crate) struct SearchFilter {
    /// `SELECT … AS id …`: the matching lead ids, in no particular order.
    pub ids_sql: String,
    pub params: Vec<rusqlite::types::Value>,
}

impl SearchFilter {
    /// The leads both filters match. `self`'s SQL comes first: a segment's plain `?`
    /// parameters are numbered after the search's `?1`…`?4` (SQLite numbers a bare `?` one
    /// past the largest number assigned before it).
    fn and(self, other: SearchFilter) -> SearchFilter {
        let mut params = self.params;
        params.extend(other.params);
        SearchFilter {
            ids_sql: format!(
                "SELECT id FROM ({}) WHERE id IN ({})",
                self.ids_sql, other.ids_sql
            ),
            params,
        }
    }
}

/// Builds the id set of a free-text search (None: no condition).
pub(crate) fn search_filter(search: Option<&str>) -> Option<SearchFilter> {
    let key = normalize::search_key(search.unwrap_or(""));
    if key.is_empty() {
        return None;
    }
    if key.chars().count() >= 3 {
        // An FTS5 string literal: the whole key as one phrase, quotes doubled.
        let phrase = format!("\"{}\"", key.replace('"', "\"\""));
        return Some(SearchFilter {
            ids_sql: "SELECT rowid AS id FROM lead_search WHERE lead_search MATCH ?1".into(),
            params: vec![phrase.into()],
        });
    }
    // Prefix ranges over indexed keys: [key, key + U+10FFFF). SQLite answers the OR with
    // one index range per term (MULTI-INDEX OR).
    let upper = format!("{key}\u{10FFFF}");
    let company_key = normalize::company_key(search.unwrap_or(""));
    let company_upper = format!("{company_key}\u{10FFFF}");
    Some(SearchFilter {
        ids_sql: "SELECT id FROM leads WHERE (name_key >= ?1 AND name_key < ?2) \
              OR (sort_name_key >= ?1 AND sort_name_key < ?2) \
              OR (email_key >= ?1 AND email_key < ?2) \
              OR company_id IN (SELECT id FROM companies \
                   WHERE (name_key >= ?3 AND name_key < ?4) OR (reading_key >= ?1 AND reading_key < ?2))"
            .into(),
        params: vec![key.into(), upper.into(), company_key.into(), company_upper.into()],
    })
}

/// A sort order of the list: the table that holds its column (as `l`, whose `l.id` is the
/// lead id), the ORDER BY, and the index that serves it (ids are the tie-breaker).
pub(crate) struct SortOrder {
    pub table: &'static str,
    pub order: String,
    pub index: Option<&'static str>,
}

/// The order of a sort. The order of registration is the id order itself: leads are
/// numbered as they arrive. Scores live in `lead_scores` (same ids).
pub(crate) fn order_by(sort: LeadSort, descending: bool) -> SortOrder {
    let dir = if descending { "DESC" } else { "ASC" };
    let (table, column, index) = match sort {
        LeadSort::Name => ("leads", "l.sort_name_key", "leads_by_name"),
        LeadSort::Company => ("leads", "l.company_sort_key", "leads_by_company_name"),
        LeadSort::Email => ("leads", "l.email_key", "leads_by_email"),
        LeadSort::CreatedAt => {
            return SortOrder {
                table: "leads",
                order: format!("l.id {dir}"),
                index: None,
            }
        }
        LeadSort::UpdatedAt => ("leads", "l.updated_at", "leads_by_updated"),
        LeadSort::EngagementScore => (
            "lead_scores",
            "l.engagement_score",
            "lead_scores_by_engagement",
        ),
    };
    SortOrder {
        table,
        order: format!("{column} {dir}, l.id {dir}"),
        index: Some(index),
    }
}

/// One page of the lead list.
pub fn list(db: &Sodate, query: &LeadQuery) -> Result<LeadPage> {
    db.read(|conn| list_in(conn, db.lead_ranks(), query))
}

/// Match sets this small are sorted by SQLite directly (a row read each, a few ms).
const SMALL_MATCH_SET: u32 = 2_000;

/// Whether matches of a text search cluster in this order (all たなか together in the kana
/// order), so that walking the order to find a page of them can take half the index.
fn clusters_matches(sort: LeadSort) -> bool {
    matches!(sort, LeadSort::Name | LeadSort::Company | LeadSort::Email)
}

/// Paging in two steps, so that a page deep in a million rows costs an index walk, not a
/// million row reads: (1) the ids of the page, from the covering sort index; (2) the rows
/// of those ids. With a search, step 1 picks the cheapest of three plans: few matches are
/// read and sorted by SQLite; in the orders where matches are spread (dates, scores) the
/// sort index is walked in order keeping matches, when that is cheap; otherwise the match
/// ids are ordered by each lead's position in the sort order, held in memory ([`RankCache`]).
pub(crate) fn list_in(conn: &Connection, ranks: &RankCache, query: &LeadQuery) -> Result<LeadPage> {
    list_matching_in(conn, ranks, query, None)
}

/// [`list_in`] restricted to the leads `extra` matches too (a segment's filter); a segment
/// named by `query.segment` restricts it as well.
pub(crate) fn list_matching_in(
    conn: &Connection,
    ranks: &RankCache,
    query: &LeadQuery,
    extra: Option<SearchFilter>,
) -> Result<LeadPage> {
    let limit = query.limit.clamp(1, MAX_PAGE);
    let offset = query.offset;
    let SortOrder {
        table,
        order,
        index: sort_index,
    } = order_by(query.sort, query.descending);
    let segment = match query.segment {
        Some(id) => Some(crate::segments::segment_ids_filter(conn, id)?),
        None => None,
    };
    let segmented = segment.is_some() || extra.is_some();
    let filter = [segment, extra].into_iter().flatten().fold(
        search_filter(query.search.as_deref()),
        |acc, f| {
            Some(match acc {
                Some(a) => a.and(f),
                None => f,
            })
        },
    );
    let all: u32 = conn.query_row("SELECT count(*) FROM leads", [], |r| r.get(0))?;
    let (total, ids): (u32, Vec<i64>) = match &filter {
        None => {
            let ids = conn
                .prepare_cached(&format!(
                    "SELECT l.id FROM {table} l ORDER BY {order} LIMIT ?1 OFFSET ?2"
                ))?
                .query_map(params![limit, offset], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            (all, ids)
        }
        Some(f) if segmented => {
            // A segment's filter can cost a scan: evaluated once, its ids give the total
            // and are ordered here (few: by SQLite over the id list; many: by position).
            let matches: Vec<i64> = conn
                .prepare_cached(&f.ids_sql)?
                .query_map(rusqlite::params_from_iter(f.params.iter()), |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            let total = u32::try_from(matches.len()).unwrap_or(u32::MAX);
            let ids = if total <= SMALL_MATCH_SET {
                conn.prepare(&format!(
                    "SELECT l.id FROM {table} l WHERE l.id IN ({}) \
                     ORDER BY {order} LIMIT {limit} OFFSET {offset}",
                    id_list(matches.iter().copied())
                ))?
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?
            } else {
                ranks.page(conn, query.sort, query.descending, &matches, offset, limit)?
            };
            (total, ids)
        }
        Some(f) => {
            let matching_ids = |sql: &str| -> Result<Vec<i64>> {
                Ok(conn
                    .prepare_cached(sql)?
                    .query_map(rusqlite::params_from_iter(f.params.iter()), |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?)
            };
            let total: u32 = conn
                .prepare_cached(&format!("SELECT count(*) FROM ({})", f.ids_sql))?
                .query_row(rusqlite::params_from_iter(f.params.iter()), |r| r.get(0))?;
            // Index entries walked to fill the page when matches are spread evenly, against
            // reading and sorting every match (a random row read costs several entries).
            let walk = u64::from(offset + limit) * u64::from(all) / u64::from(total.max(1));
            let ids = if total <= SMALL_MATCH_SET {
                matching_ids(&format!(
                    "SELECT l.id FROM ({}) m CROSS JOIN {table} l ON l.id = m.id \
                     ORDER BY {order} LIMIT {limit} OFFSET {offset}",
                    f.ids_sql
                ))?
            } else if !clusters_matches(query.sort) && walk < u64::from(total) * 8 {
                let indexed_by = sort_index.map(|i| format!("INDEXED BY {i}"));
                matching_ids(&format!(
                    "SELECT l.id FROM {table} l {} \
                     WHERE l.id IN ({}) ORDER BY {order} LIMIT {limit} OFFSET {offset}",
                    indexed_by.unwrap_or_default(),
                    f.ids_sql
                ))?
            } else {
                let matches = matching_ids(&f.ids_sql)?;
                ranks.page(conn, query.sort, query.descending, &matches, offset, limit)?
            };
            (total, ids)
        }
    };
    let rows = rows_by_id(conn, &ids)?;
    Ok(LeadPage {
        total,
        offset,
        rows,
    })
}

/// Row ids as an SQL list (`1,2,3`): integers only, so nothing from a user reaches the SQL.
fn id_list(ids: impl Iterator<Item = i64>) -> String {
    ids.map(|id| id.to_string()).collect::<Vec<_>>().join(",")
}

/// The list rows of `ids`, in the order of `ids`.
pub(crate) fn rows_by_id(conn: &Connection, ids: &[i64]) -> Result<Vec<LeadRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = id_list(ids.iter().copied());
    let mut by_id: std::collections::HashMap<i64, LeadRow> = conn
        .prepare(&format!(
            "SELECT {ROW_COLUMNS} FROM {ROW_TABLES} WHERE l.id IN ({list})"
        ))?
        .query_map([], row_from)?
        .map(|r| r.map(|row| (row.id, row)))
        .collect::<rusqlite::Result<_>>()?;
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// Like [`list`], with each lead's mobile number and custom fields (one query, no N+1).
pub fn list_with_custom(db: &Sodate, query: &LeadQuery) -> Result<(u32, Vec<LeadListing>)> {
    db.read(|conn| list_with_custom_in(conn, db.lead_ranks(), query))
}

fn list_with_custom_in(
    conn: &Connection,
    ranks: &RankCache,
    query: &LeadQuery,
) -> Result<(u32, Vec<LeadListing>)> {
    let page = list_in(conn, ranks, query)?;
    if page.rows.is_empty() {
        return Ok((page.total, Vec::new()));
    }
    let ids = id_list(page.rows.iter().map(|r| r.id));
    let mut extra: std::collections::HashMap<i64, (String, String)> = conn
        .prepare(&format!(
            "SELECT id, mobile, custom FROM leads WHERE id IN ({ids})"
        ))?
        .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::with_capacity(page.rows.len());
    for row in page.rows {
        let (mobile, custom) = extra.remove(&row.id).unwrap_or_default();
        let custom = serde_json::from_str(if custom.is_empty() { "{}" } else { &custom })?;
        out.push(LeadListing {
            row,
            mobile,
            custom,
        });
    }
    Ok((page.total, out))
}

/// A lead with its tags, custom fields, timeline and stage history.
pub fn get(db: &Sodate, id: i64) -> Result<LeadDetail> {
    db.read(|conn| get_in(conn, id))
}

pub(crate) fn get_in(conn: &Connection, id: i64) -> Result<LeadDetail> {
    let (lead, custom): (Lead, String) = conn
        .query_row(
            "SELECT l.id, l.family_name, l.given_name, l.family_reading, l.given_reading,
                    l.company_id, c.name, c.reading, l.department, l.title, l.email, l.phone,
                    l.mobile, l.postal_code, l.prefecture, l.address, l.website, l.notes,
                    l.source, l.owner, l.lifecycle_stage, l.consent_state, s.engagement_score,
                    s.fit_score, s.grade, e.name, l.created_at, l.updated_at, l.custom
             FROM leads l
             JOIN lead_scores s ON s.id = l.id
             LEFT JOIN companies c ON c.id = l.company_id
             LEFT JOIN events e ON e.id = l.first_event_id
             WHERE l.id = ?1",
            [id],
            |r| {
                Ok((
                    Lead {
                        id: r.get(0)?,
                        family_name: r.get(1)?,
                        given_name: r.get(2)?,
                        family_reading: r.get(3)?,
                        given_reading: r.get(4)?,
                        company_id: r.get(5)?,
                        company_name: r.get(6)?,
                        company_reading: r.get(7)?,
                        department: r.get(8)?,
                        title: r.get(9)?,
                        email: r.get(10)?,
                        phone: r.get(11)?,
                        mobile: r.get(12)?,
                        postal_code: r.get(13)?,
                        prefecture: r.get(14)?,
                        address: r.get(15)?,
                        website: r.get(16)?,
                        notes: r.get(17)?,
                        source: r.get(18)?,
                        owner: r.get(19)?,
                        lifecycle_stage: r.get(20)?,
                        consent_state: r.get(21)?,
                        engagement_score: r.get(22)?,
                        fit_score: r.get(23)?,
                        grade: r.get(24)?,
                        first_event_name: r.get(25)?,
                        created_at: r.get(26)?,
                        updated_at: r.get(27)?,
                    },
                    r.get::<_, String>(28)?,
                ))
            },
        )
        .optional()?
        .ok_or(Error::NotFound { entity: "lead", id })?;

    let tags = conn
        .prepare_cached(
            "SELECT t.name FROM lead_tags lt JOIN tags t ON t.id = lt.tag_id
             WHERE lt.lead_id = ?1 ORDER BY t.name",
        )?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;

    let custom_fields = custom_field_values(conn, &custom)?;

    let (activity_count, activities) = crate::activities::page_in(conn, id, 0, TIMELINE_LIMIT)?;

    let stage_history = crate::handoff::history_in(conn, id)?;
    let qualification = crate::handoff::qualification_in(conn, id)?;

    Ok(LeadDetail {
        lead,
        tags,
        custom_fields,
        activities,
        activity_count,
        stage_history,
        qualification,
    })
}

/// Custom values in the order of their definitions; values without a definition follow,
/// labelled with their own name (nothing an import kept is ever hidden).
fn custom_field_values(conn: &Connection, custom_json: &str) -> Result<Vec<CustomFieldValue>> {
    let values: serde_json::Map<String, serde_json::Value> = serde_json::from_str(custom_json)?;
    if values.is_empty() {
        return Ok(Vec::new());
    }
    let defs = conn
        .prepare_cached("SELECT name, label FROM custom_fields ORDER BY position, id")?
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut out: Vec<CustomFieldValue> = defs
        .iter()
        .filter_map(|(name, label)| {
            values.get(name).map(|v| CustomFieldValue {
                name: name.clone(),
                label: label.clone(),
                value: text(v),
            })
        })
        .collect();
    for (name, v) in &values {
        if !defs.iter().any(|(n, _)| n == name) {
            out.push(CustomFieldValue {
                name: name.clone(),
                label: name.clone(),
                value: text(v),
            });
        }
    }
    Ok(out)
}

/// Finds the company with the same normalised name, or creates it. Empty name: no company.
pub(crate) fn company_for_in(
    tx: &Connection,
    name: &str,
    reading: &str,
) -> Result<Option<(i64, String)>> {
    if name.is_empty() {
        return Ok(None);
    }
    let key = normalize::company_key(name);
    let reading_key = normalize::reading_key(reading);
    let existing: Option<(i64, String)> = tx
        .prepare_cached(
            "SELECT id, reading_key FROM companies WHERE name_key = ?1 ORDER BY id LIMIT 1",
        )?
        .query_row([&key], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let sort_key = |rk: &str| company_sort_key(&key, rk);
    if let Some((id, existing_reading)) = existing {
        if existing_reading.is_empty() && !reading_key.is_empty() {
            tx.execute(
                "UPDATE companies SET reading = ?2, reading_key = ?3, updated_at = ?4 WHERE id = ?1",
                params![id, reading, reading_key, now()],
            )?;
            return Ok(Some((id, sort_key(&reading_key))));
        }
        return Ok(Some((id, sort_key(&existing_reading))));
    }
    let at = now();
    tx.execute(
        "INSERT INTO companies (name, name_key, reading, reading_key, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
        params![name, key, reading, reading_key, at],
    )?;
    Ok(Some((tx.last_insert_rowid(), sort_key(&reading_key))))
}

/// Where a company sorts in kana order: by its reading, or by its name when it has none.
pub(crate) fn company_sort_key(name_key: &str, reading_key: &str) -> String {
    if reading_key.is_empty() {
        name_key.to_string()
    } else {
        reading_key.to_string()
    }
}

pub(crate) fn set_tags_in(tx: &Transaction, lead_id: i64, tags: &[String]) -> Result<()> {
    tx.execute("DELETE FROM lead_tags WHERE lead_id = ?1", [lead_id])?;
    for tag in tags {
        tx.execute("INSERT OR IGNORE INTO tags (name) VALUES (?1)", [tag])?;
        tx.execute(
            "INSERT OR IGNORE INTO lead_tags (lead_id, tag_id) SELECT ?1, id FROM tags WHERE name = ?2",
            params![lead_id, tag],
        )?;
    }
    Ok(())
}

pub(crate) fn audit_in(
    tx: &Connection,
    action: &str,
    entity: &str,
    entity_id: Option<i64>,
    detail: &serde_json::Value,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO audit_log (at, actor, action, entity, entity_id, detail) VALUES (?1, 'user', ?2, ?3, ?4, ?5)",
    )?
    .execute(params![now(), action, entity, entity_id, detail.to_string()])?;
    Ok(())
}

/// Creates a lead (and its company when new). Returns the stored lead.
pub fn create(db: &Sodate, input: &LeadInput) -> Result<LeadDetail> {
    let valid = validate(input)?;
    let id = db.write(|tx| create_in(tx, &valid))?;
    get(db, id)
}

pub(crate) fn create_in(tx: &Transaction, v: &ValidLead) -> Result<i64> {
    let id = insert_in(tx, v, &Provenance::default())?;
    set_tags_in(tx, id, &v.tags)?;
    crate::scoring::recompute_leads(tx, &[id], chrono::Utc::now())?;
    audit_in(tx, "lead.create", "lead", Some(id), &serde_json::json!({}))?;
    Ok(id)
}

/// What a lead being written carries beyond its validated fields.
#[derive(Debug, Default)]
pub(crate) struct Provenance<'a> {
    /// The company when the caller resolved it already (imports cache companies by name);
    /// `None`: found or created from the lead's company name.
    pub company: Option<Option<(i64, &'a str)>>,
    /// Custom field values as a JSON object; `None`: `{}` for a new lead, unchanged for an
    /// existing one.
    pub custom: Option<&'a str>,
    pub first_event_id: Option<i64>,
    pub import_batch_id: Option<i64>,
    /// The time written, when the caller has it formatted already (an import formats it
    /// once a second); `None`: now.
    pub at: Option<&'a str>,
    /// The caller found the suppression list empty in this transaction (an import checks
    /// once), so no lead needs looking up in it.
    pub no_suppressions: bool,
    /// The caller writes the lead's first-stage history row itself (a bulk load writes
    /// them all at once, in the order of the leads).
    pub first_stage_later: bool,
}

/// The lead's company id and sort key: as the caller resolved it, else found or created.
fn company_of<'a>(
    tx: &Transaction,
    v: &ValidLead,
    p: &Provenance<'a>,
) -> Result<Option<(i64, std::borrow::Cow<'a, str>)>> {
    Ok(match p.company {
        Some(resolved) => resolved.map(|(id, sort)| (id, sort.into())),
        None => company_for_in(tx, &v.company_name, &v.company_reading)?
            .map(|(id, sort)| (id, sort.into())),
    })
}

/// Inserts the lead row and its first stage; tags and the audit are the caller's.
pub(crate) fn insert_in(tx: &Transaction, v: &ValidLead, p: &Provenance) -> Result<i64> {
    let company = company_of(tx, v, p)?;
    let formatted_now;
    let at = match p.at {
        Some(at) => at,
        None => {
            formatted_now = now();
            formatted_now.as_str()
        }
    };
    let source = if v.source.is_empty() {
        "manual"
    } else {
        v.source.as_str()
    };
    let company_id = company.as_ref().map(|c| c.0);
    let company_sort = company.as_ref().map_or("", |c| &c.1);
    let custom = p.custom.unwrap_or("{}");
    let params_list: [&dyn ToSql; 28] = [
        &v.family_name,
        &v.given_name,
        &v.family_reading,
        &v.given_reading,
        &company_id,
        &v.department,
        &v.title,
        &v.email,
        &v.phone,
        &v.mobile,
        &v.postal_code,
        &v.prefecture,
        &v.address,
        &v.website,
        &v.notes,
        &source,
        &v.keys.name_key,
        &v.keys.reading_key,
        &v.keys.email_key,
        &v.keys.phone_key,
        &v.keys.mobile_key,
        &v.keys.sort_name_key,
        &company_sort,
        &v.keys.search_text,
        &at,
        &custom,
        &p.first_event_id,
        &p.import_batch_id,
    ];
    tx.prepare_cached(
        "INSERT INTO leads (family_name, given_name, family_reading, given_reading, company_id,
            department, title, email, phone, mobile, postal_code, prefecture, address, website,
            notes, source, name_key, reading_key, email_key, phone_key, mobile_key,
            sort_name_key, company_sort_key, search_text, stage_changed_at, created_at, updated_at,
            custom, first_event_id, import_batch_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
                 ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?25, ?25, ?26, ?27, ?28)",
    )?
    .execute(params_list.as_slice())?;
    let id = tx.last_insert_rowid();
    if !p.first_stage_later {
        tx.prepare_cached(
            "INSERT INTO lifecycle_history (lead_id, from_stage, to_stage, changed_at, actor, reason)
             VALUES (?1, NULL, 'lead', ?2, 'user', 'created')",
        )?
        .execute(params![id, at])?;
    }
    // A suppressed email (unsubscribed, bounced, erased) comes back opted out: no import
    // or form brings a person back into mailings.
    if p.no_suppressions {
        return Ok(id);
    }
    if let Some(reason) = crate::export::suppression::reason_in(tx, &v.keys.email_key)? {
        tx.prepare_cached("UPDATE leads SET consent_state = ?2 WHERE id = ?1")?
            .execute(params![
                id,
                crate::export::suppression::lead_state_for(&reason)
            ])?;
    }
    Ok(id)
}

/// Replaces a lead's editable fields with `input`.
pub fn update(db: &Sodate, id: i64, input: &LeadInput) -> Result<LeadDetail> {
    let valid = validate(input)?;
    db.write(|tx| update_in(tx, id, &valid))?;
    get(db, id)
}

pub(crate) fn update_in(tx: &Transaction, id: i64, v: &ValidLead) -> Result<()> {
    let before = get_in(tx, id)?;
    let source = if v.source.is_empty() {
        before.lead.source.clone()
    } else {
        v.source.clone()
    };
    rewrite_in(tx, id, v, &source, &Provenance::default())?;
    set_tags_in(tx, id, &v.tags)?;
    crate::scoring::recompute_leads(tx, &[id], chrono::Utc::now())?;
    audit_in(
        tx,
        "lead.update",
        "lead",
        Some(id),
        &serde_json::json!({ "before": serde_json::to_value(&before.lead)?, "tags_before": before.tags }),
    )?;
    Ok(())
}

/// Writes `v` over the lead's fields and keys (tags and the audit are the caller's). The
/// first event is set only where the lead has none.
pub(crate) fn rewrite_in(
    tx: &Transaction,
    id: i64,
    v: &ValidLead,
    source: &str,
    p: &Provenance,
) -> Result<()> {
    let company = company_of(tx, v, p)?;
    let company_id = company.as_ref().map(|c| c.0);
    let company_sort = company.as_ref().map_or("", |c| &c.1);
    let at = now();
    let params_list: [&dyn ToSql; 28] = [
        &id,
        &v.family_name,
        &v.given_name,
        &v.family_reading,
        &v.given_reading,
        &company_id,
        &v.department,
        &v.title,
        &v.email,
        &v.phone,
        &v.mobile,
        &v.postal_code,
        &v.prefecture,
        &v.address,
        &v.website,
        &v.notes,
        &source,
        &v.keys.name_key,
        &v.keys.reading_key,
        &v.keys.email_key,
        &v.keys.phone_key,
        &v.keys.mobile_key,
        &v.keys.sort_name_key,
        &company_sort,
        &v.keys.search_text,
        &at,
        &p.custom,
        &p.first_event_id,
    ];
    let changed = tx
        .prepare_cached(
            "UPDATE leads SET family_name = ?2, given_name = ?3, family_reading = ?4,
                given_reading = ?5, company_id = ?6, department = ?7, title = ?8, email = ?9,
                phone = ?10, mobile = ?11, postal_code = ?12, prefecture = ?13, address = ?14,
                website = ?15, notes = ?16, source = ?17, name_key = ?18, reading_key = ?19,
                email_key = ?20, phone_key = ?21, mobile_key = ?22, sort_name_key = ?23,
                company_sort_key = ?24, search_text = ?25, updated_at = ?26,
                custom = coalesce(?27, custom),
                first_event_id = coalesce(first_event_id, ?28)
             WHERE id = ?1",
        )?
        .execute(params_list.as_slice())?;
    if changed == 0 {
        return Err(Error::NotFound { entity: "lead", id });
    }
    Ok(())
}

/// Deletes a lead with its activities, tags and history. The audit log keeps its fields.
pub fn delete(db: &Sodate, id: i64) -> Result<()> {
    db.write(|tx| {
        let before = get_in(tx, id)?;
        tx.execute("DELETE FROM leads WHERE id = ?1", [id])?;
        audit_in(
            tx,
            "lead.delete",
            "lead",
            Some(id),
            &serde_json::to_value(&before.lead)?,
        )
    })
}
