//! Merging two leads into one, and undoing it exactly.
//!
//! **Merge** (one transaction): the survivor takes, field by field, the value the caller
//! chose ([`MergeChoices`]); unchosen fields take the most recent non-empty value (the lead
//! with the later `updated_at` wins when both have one). Every e-mail address and phone
//! number that does not end up as a main value stays as a secondary value in
//! `lead_contacts`. Custom fields are united (the survivor's value wins unless the merged
//! side is chosen), tags are united, and the merged lead's activities, stage history,
//! consents and secondary contacts move to the survivor. The strictest consent is kept
//! (`erased` > `opted_out` > `bounced` > `opted_in` > `unknown`), the first event is the
//! earlier one (by the event's start date, then id), and the lifecycle stage is the more
//! advanced one, in this order (lowest first): `subscriber`, `disqualified`, `lead`,
//! `recycled`, `mql`, `sal`, `sql`, `opportunity`, `lost`, `won` (a tie keeps the
//! survivor's). The survivor's scores are recomputed with its new activities and values.
//! Then the merged lead is deleted.
//!
//! **Snapshot.** The `merges` row keeps, as JSON: the merged lead's full row (every
//! column) and tags; the ids of the activity, history, consent and contact rows moved; the
//! survivor's full row and tags before the merge and after it; and the ids of the secondary
//! contacts the merge added. Real numbers are kept as `{"real": "<shortest text>"}` so they
//! come back bit for bit.
//!
//! **Unmerge** re-inserts the merged lead with its id and every column, moves back exactly
//! the moved rows, removes the secondary contacts the merge added, and gives each survivor
//! column its value from before the merge where it still holds the value the merge left.
//! A field edited since is kept and named in [`UnmergeReport::kept_fields`].

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::leads::{self, audit_in, load_input, rewrite_in, tags_of, validate, Provenance};
use crate::time::now;
use crate::{Error, LeadInput, Result, Sodate};

/// The fields a merge lets the caller choose, as named in [`MergeChoices::fields`].
/// `company` covers the company name and reading together.
pub const MERGE_FIELDS: &[&str] = &[
    "family_name",
    "given_name",
    "family_reading",
    "given_reading",
    "company",
    "department",
    "title",
    "email",
    "phone",
    "mobile",
    "postal_code",
    "prefecture",
    "address",
    "website",
    "notes",
    "source",
];

/// Which side a field's value is taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum MergeSide {
    Survivor,
    Merged,
}

/// The caller's choices; a field not named takes the most recent non-empty value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", default)]
pub struct MergeChoices {
    /// Field name (one of [`MERGE_FIELDS`]) → side.
    pub fields: BTreeMap<String, MergeSide>,
    /// Custom field name → side (default: the survivor's value when it has one).
    pub custom: BTreeMap<String, MergeSide>,
}

/// What a merge did.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct MergeReport {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub merge_id: i64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub survivor_id: i64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub merged_id: i64,
    /// Fields whose value came from the merged lead.
    pub fields_from_merged: Vec<String>,
    pub activities_moved: u32,
    pub history_moved: u32,
    pub consents_moved: u32,
    pub contacts_moved: u32,
    /// Secondary e-mails and phone numbers added so that no value is lost.
    pub secondary_contacts_added: u32,
    pub consent_state: String,
    pub lifecycle_stage: String,
}

/// What an unmerge did.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct UnmergeReport {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub merge_id: i64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub survivor_id: i64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub restored_id: i64,
    pub activities_returned: u32,
    pub history_returned: u32,
    pub consents_returned: u32,
    pub contacts_returned: u32,
    pub secondary_contacts_removed: u32,
    /// Survivor fields edited since the merge: kept as they are now.
    pub kept_fields: Vec<String>,
    /// What could not be restored (rows deleted since, a company or event removed since).
    pub not_restored: Vec<String>,
}

/// One merge in the journal.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct MergeSummary {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub id: i64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub survivor_id: i64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub merged_id: i64,
    /// The merged lead's name as it was.
    pub merged_name: String,
    pub created_at: String,
    pub undone_at: Option<String>,
}

/// Tables whose rows move with a merge, and the snapshot key holding the moved ids.
const MOVED: &[(&str, &str)] = &[
    ("activities", "activities"),
    ("lifecycle_history", "history"),
    ("consents", "consents"),
    ("lead_contacts", "contacts"),
];

/// Survivor columns an unmerge reports as kept when edited since (others are derived or
/// bookkeeping and follow silently).
const USER_COLUMNS: &[&str] = &[
    "family_name",
    "given_name",
    "family_reading",
    "given_reading",
    "company_id",
    "department",
    "title",
    "email",
    "phone",
    "mobile",
    "postal_code",
    "prefecture",
    "address",
    "website",
    "notes",
    "source",
    "first_event_id",
    "owner",
    "lifecycle_stage",
    "consent_state",
    "custom",
];

fn consent_rank(state: &str) -> u8 {
    match state {
        "erased" => 4,
        "opted_out" => 3,
        "bounced" => 2,
        "opted_in" => 1,
        _ => 0,
    }
}

fn stage_rank(stage: &str) -> u8 {
    match stage {
        "subscriber" => 0,
        "disqualified" => 1,
        "lead" => 2,
        "recycled" => 3,
        "mql" => 4,
        "sal" => 5,
        "sql" => 6,
        "opportunity" => 7,
        "lost" => 8,
        "won" => 9,
        _ => 2,
    }
}

fn to_json(v: ValueRef) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => json!(i),
        ValueRef::Real(f) => json!({ "real": f.to_string() }),
        ValueRef::Text(t) => Value::String(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => {
            json!({ "blob": b.iter().map(|x| format!("{x:02x}")).collect::<String>() })
        }
    }
}

fn to_sql(v: &Value) -> SqlValue {
    match v {
        Value::Null => SqlValue::Null,
        Value::Bool(b) => SqlValue::Integer(i64::from(*b)),
        Value::Number(n) => n
            .as_i64()
            .map(SqlValue::Integer)
            .unwrap_or_else(|| SqlValue::Real(n.as_f64().unwrap_or(0.0))),
        Value::String(s) => SqlValue::Text(s.clone()),
        Value::Object(o) => {
            if let Some(r) = o.get("real").and_then(Value::as_str) {
                SqlValue::Real(r.parse().unwrap_or(0.0))
            } else if let Some(b) = o.get("blob").and_then(Value::as_str) {
                SqlValue::Blob(
                    (0..b.len() / 2)
                        .filter_map(|i| u8::from_str_radix(&b[i * 2..i * 2 + 2], 16).ok())
                        .collect(),
                )
            } else {
                SqlValue::Text(v.to_string())
            }
        }
        Value::Array(_) => SqlValue::Text(v.to_string()),
    }
}

/// The columns of a lead's row in `lead_scores` (the others are in `leads`).
const SCORE_COLUMNS: [&str; 5] = [
    "engagement_score",
    "fit_score",
    "grade",
    "is_mql",
    "mql_since",
];

fn is_score(column: &str) -> bool {
    SCORE_COLUMNS.contains(&column)
}

/// The table that holds a column of a lead (a snapshot's key).
fn table_of(column: &str) -> &'static str {
    if is_score(column) {
        "lead_scores"
    } else {
        "leads"
    }
}

/// Every column of one lead, by name, in table order, then its scores; `None` when there
/// is no such lead. (Columns no longer used, `retired_…`, are left out.)
fn lead_row(conn: &Connection, id: i64) -> Result<Option<Map<String, Value>>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT l.*, s.{} FROM leads l JOIN lead_scores s ON s.id = l.id WHERE l.id = ?1",
        SCORE_COLUMNS.join(", s.")
    ))?;
    let names: Vec<String> = stmt.column_names().iter().map(|s| s.to_string()).collect();
    Ok(stmt
        .query_row([id], |r| {
            let mut map = Map::new();
            for (i, name) in names.iter().enumerate() {
                if !name.starts_with("retired_") {
                    map.insert(name.clone(), to_json(r.get_ref(i)?));
                }
            }
            Ok(map)
        })
        .optional()?)
}

fn ids_of(conn: &Connection, table: &str, lead: i64) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT id FROM {table} WHERE lead_id = ?1 ORDER BY id"
    ))?;
    let ids = stmt
        .query_map([lead], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ids)
}

fn ids_in(snapshot: &Value, key: &str) -> Vec<i64> {
    snapshot[key]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default()
}

fn str_of(row: &Map<String, Value>, col: &str) -> String {
    row.get(col)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// The active merge that took `id` away, if any.
fn merged_away(conn: &Connection, id: i64) -> Result<Option<(i64, i64)>> {
    Ok(conn
        .query_row(
            "SELECT id, survivor_id FROM merges WHERE merged_id = ?1 AND undone_at IS NULL
             ORDER BY id DESC LIMIT 1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

fn existing_lead(conn: &Connection, id: i64, role: &str) -> Result<Map<String, Value>> {
    if let Some(row) = lead_row(conn, id)? {
        return Ok(row);
    }
    if let Some((merge, survivor)) = merged_away(conn, id)? {
        return Err(Error::Conflict(format!(
            "the {role} lead {id} was already merged into lead {survivor} (merge {merge}); \
             use lead {survivor}, or unmerge merge {merge} first"
        )));
    }
    Err(Error::NotFound { entity: "lead", id })
}

/// A merge field's value(s): `company` is the company name with its reading, every other
/// merge field one lead field of the same code.
fn merge_value<'a>(input: &'a LeadInput, field: &str) -> (&'a str, &'a str) {
    if field == "company" {
        (
            leads::field_of(input, "company_name"),
            leads::field_of(input, "company_reading"),
        )
    } else {
        (leads::field_of(input, field), "")
    }
}

/// Takes a merge field's value(s) from `from`.
fn take_value(input: &mut LeadInput, field: &str, from: &LeadInput) {
    let codes: &[&str] = if field == "company" {
        &["company_name", "company_reading"]
    } else {
        &[field]
    };
    for code in codes {
        leads::set_field(input, code, leads::field_of(from, code));
    }
}

/// Merges lead `merged` into lead `survivor` (one transaction); see the module notes.
pub fn merge(
    db: &Sodate,
    survivor: i64,
    merged: i64,
    choices: &MergeChoices,
) -> Result<MergeReport> {
    if survivor == merged {
        return Err(Error::invalid(
            "merged",
            "same_lead",
            format!("lead {survivor} cannot be merged with itself"),
        ));
    }
    for field in choices.fields.keys() {
        if !MERGE_FIELDS.contains(&field.as_str()) {
            return Err(Error::invalid(
                "fields",
                "unknown_field",
                format!(
                    "unknown field {field:?}; one of {}",
                    MERGE_FIELDS.join(", ")
                ),
            ));
        }
    }
    db.write(|tx| merge_in(tx, survivor, merged, choices))
}

pub(super) fn merge_in(
    tx: &Transaction,
    survivor: i64,
    merged: i64,
    choices: &MergeChoices,
) -> Result<MergeReport> {
    let s_row = existing_lead(tx, survivor, "surviving")?;
    let m_row = existing_lead(tx, merged, "merged")?;
    let s_tags = tags_of(tx, survivor)?;
    let m_tags = tags_of(tx, merged)?;
    let (s_input, _, s_source) = load_input(tx, survivor)?;
    let (m_input, _, m_source) = load_input(tx, merged)?;
    let merged_newer = str_of(&m_row, "updated_at") > str_of(&s_row, "updated_at");

    // Fields.
    let mut input = s_input.clone();
    let mut source = s_source.clone();
    let mut from_merged = Vec::new();
    for &field in MERGE_FIELDS {
        let take_merged = match choices.fields.get(field) {
            Some(side) => *side == MergeSide::Merged,
            None => {
                let (s, m) = if field == "source" {
                    (s_source.as_str(), m_source.as_str())
                } else {
                    (
                        merge_value(&s_input, field).0,
                        merge_value(&m_input, field).0,
                    )
                };
                !m.is_empty() && s != m && (s.is_empty() || merged_newer)
            }
        };
        if take_merged {
            if field == "source" {
                if source != m_source {
                    source = m_source.clone();
                    from_merged.push(field.to_string());
                }
            } else if merge_value(&input, field) != merge_value(&m_input, field) {
                take_value(&mut input, field, &m_input);
                from_merged.push(field.to_string());
            }
        }
    }
    let tags: BTreeSet<String> = s_tags.iter().chain(m_tags.iter()).cloned().collect();
    input.tags = tags.into_iter().collect();

    // Custom fields.
    let s_custom: Map<String, Value> = serde_json::from_str(&str_of(&s_row, "custom"))?;
    let m_custom: Map<String, Value> = serde_json::from_str(&str_of(&m_row, "custom"))?;
    let mut custom = s_custom.clone();
    for (k, v) in &m_custom {
        let empty = |x: Option<&Value>| match x {
            None | Some(Value::Null) => true,
            Some(Value::String(s)) => s.is_empty(),
            _ => false,
        };
        let take = match choices.custom.get(k) {
            Some(side) => *side == MergeSide::Merged,
            None => empty(s_custom.get(k)),
        };
        if take && !empty(Some(v)) {
            custom.insert(k.clone(), v.clone());
        }
    }
    let custom = Value::Object(custom).to_string();

    // Rows that move.
    let mut moved = Map::new();
    let mut counts = Vec::new();
    for (table, key) in MOVED {
        let ids = ids_of(tx, table, merged)?;
        counts.push(ids.len() as u32);
        tx.execute(
            &format!("UPDATE {table} SET lead_id = ?1 WHERE lead_id = ?2"),
            params![survivor, merged],
        )?;
        moved.insert((*key).to_string(), json!(ids));
    }

    // The survivor's fields, tags and custom values.
    let valid = validate(&input)?;
    rewrite_in(
        tx,
        survivor,
        &valid,
        &source,
        &Provenance {
            custom: Some(&custom),
            ..Provenance::default()
        },
    )?;
    crate::leads::set_tags_in(tx, survivor, &valid.tags)?;

    // Consent, stage and first event.
    let s_consent = str_of(&s_row, "consent_state");
    let m_consent = str_of(&m_row, "consent_state");
    let consent = if consent_rank(&m_consent) > consent_rank(&s_consent) {
        m_consent
    } else {
        s_consent
    };
    let s_stage = str_of(&s_row, "lifecycle_stage");
    let m_stage = str_of(&m_row, "lifecycle_stage");
    if stage_rank(&m_stage) > stage_rank(&s_stage) {
        tx.execute(
            "UPDATE leads SET lifecycle_stage = ?2, stage_changed_at = ?3 WHERE id = ?1",
            params![survivor, m_stage, to_sql(&m_row["stage_changed_at"])],
        )?;
    }
    let stage = if stage_rank(&m_stage) > stage_rank(&s_stage) {
        m_stage
    } else {
        s_stage
    };
    let first_event: Option<i64> = tx
        .query_row(
            "SELECT id FROM events WHERE id IN (?1, ?2)
             ORDER BY starts_on IS NULL, starts_on, id LIMIT 1",
            params![
                to_sql(&s_row["first_event_id"]),
                to_sql(&m_row["first_event_id"])
            ],
            |r| r.get(0),
        )
        .optional()?;
    tx.execute(
        "UPDATE leads SET consent_state = ?2, first_event_id = coalesce(?3, first_event_id)
         WHERE id = ?1",
        params![survivor, consent, first_event],
    )?;

    // The survivor's scores, with its new activities and values (the snapshot below keeps
    // them, so an unmerge gives back the scores from before).
    crate::scoring::recompute_leads_because(
        tx,
        &[survivor],
        chrono::Utc::now(),
        crate::scoring::Cause::Merged,
    )?;

    // Secondary contacts: every address and number that is no longer a main value.
    let after = lead_row(tx, survivor)?.ok_or(Error::NotFound {
        entity: "lead",
        id: survivor,
    })?;
    let mut added = Vec::new();
    for row in [&s_row, &m_row] {
        for (kind, col, key_col) in [
            ("email", "email", "email_key"),
            ("phone", "phone", "phone_key"),
            ("mobile", "mobile", "mobile_key"),
        ] {
            let value = str_of(row, col);
            let key = str_of(row, key_col);
            if value.is_empty() {
                continue;
            }
            let main = ["email_key", "phone_key", "mobile_key"]
                .iter()
                .any(|c| !key.is_empty() && str_of(&after, c) == key)
                || str_of(&after, col) == value;
            let known: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM lead_contacts WHERE lead_id = ?1 AND kind = ?2
                   AND (value_key = ?3 AND ?3 <> '' OR value = ?4))",
                params![survivor, kind, key, value],
                |r| r.get(0),
            )?;
            if !main && !known {
                tx.execute(
                    "INSERT INTO lead_contacts (lead_id, kind, value, value_key) VALUES (?1, ?2, ?3, ?4)",
                    params![survivor, kind, value, key],
                )?;
                added.push(tx.last_insert_rowid());
            }
        }
    }

    let after_tags = tags_of(tx, survivor)?;
    let mut snapshot = json!({
        "version": 1,
        "merged": Value::Object(m_row.clone()),
        "merged_tags": m_tags,
        "survivor_before": Value::Object(s_row),
        "survivor_before_tags": s_tags,
        "survivor_after": Value::Object(after),
        "survivor_after_tags": after_tags,
        "contacts_added": added,
        "fields_from_merged": from_merged,
    });
    for (k, v) in moved {
        snapshot[k] = v;
    }
    tx.execute(
        "INSERT INTO merges (survivor_id, merged_id, snapshot, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![survivor, merged, snapshot.to_string(), now()],
    )?;
    let merge_id = tx.last_insert_rowid();
    tx.execute("DELETE FROM leads WHERE id = ?1", [merged])?;
    audit_in(
        tx,
        "lead.merge",
        "lead",
        Some(survivor),
        &json!({ "merge_id": merge_id, "merged_id": merged, "fields_from_merged": from_merged }),
    )?;
    Ok(MergeReport {
        merge_id,
        survivor_id: survivor,
        merged_id: merged,
        fields_from_merged: from_merged,
        activities_moved: counts[0],
        history_moved: counts[1],
        consents_moved: counts[2],
        contacts_moved: counts[3],
        secondary_contacts_added: added.len() as u32,
        consent_state: consent,
        lifecycle_stage: stage,
    })
}

/// Undoes merge `merge_id` (one transaction); see the module notes.
pub fn unmerge(db: &Sodate, merge_id: i64) -> Result<UnmergeReport> {
    db.write(|tx| unmerge_in(tx, merge_id))
}

fn unmerge_in(tx: &Transaction, merge_id: i64) -> Result<UnmergeReport> {
    let (survivor, merged, snapshot, undone): (i64, i64, String, Option<String>) = tx
        .query_row(
            "SELECT survivor_id, merged_id, snapshot, undone_at FROM merges WHERE id = ?1",
            [merge_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?
        .ok_or(Error::NotFound {
            entity: "merge",
            id: merge_id,
        })?;
    if let Some(at) = undone {
        return Err(Error::Conflict(format!(
            "merge {merge_id} was already undone at {at}"
        )));
    }
    let current = match lead_row(tx, survivor)? {
        Some(row) => row,
        None => {
            return Err(match merged_away(tx, survivor)? {
                Some((later, into)) => Error::Conflict(format!(
                    "lead {survivor} was merged into lead {into} since (merge {later}); unmerge merge {later} first"
                )),
                None => Error::Conflict(format!(
                    "lead {survivor}, which merge {merge_id} kept, has been deleted since; the merge cannot be undone"
                )),
            })
        }
    };
    if lead_row(tx, merged)?.is_some() {
        return Err(Error::Conflict(format!(
            "lead id {merged} is in use by another lead; merge {merge_id} cannot be undone"
        )));
    }
    let snap: Value = serde_json::from_str(&snapshot)?;
    let mut not_restored = Vec::new();

    // The merged lead, every column as it was (references removed since become empty).
    let mut m_row = snap["merged"].as_object().cloned().unwrap_or_default();
    for (col, table) in [
        ("company_id", "companies"),
        ("first_event_id", "events"),
        ("import_batch_id", "import_batches"),
    ] {
        if let Some(id) = m_row.get(col).and_then(Value::as_i64) {
            let exists: bool = tx.query_row(
                &format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE id = ?1)"),
                [id],
                |r| r.get(0),
            )?;
            if !exists {
                m_row.insert(col.to_string(), Value::Null);
                not_restored.push(format!("{col} {id} of lead {merged} (deleted since)"));
            }
        }
    }
    type Columns<'a> = Vec<(&'a String, &'a Value)>;
    let (scores, row): (Columns, Columns) = m_row.iter().partition(|(c, _)| is_score(c));
    let sql = format!(
        "INSERT INTO leads ({}) VALUES ({})",
        row.iter()
            .map(|(c, _)| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(", "),
        (1..=row.len())
            .map(|i| format!("?{i}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    tx.execute(
        &sql,
        rusqlite::params_from_iter(row.iter().map(|(_, v)| to_sql(v))),
    )?;
    // (Its row of scores was added with it.)
    for (col, value) in scores {
        tx.execute(
            &format!("UPDATE lead_scores SET \"{col}\" = ?2 WHERE id = ?1"),
            params![merged, to_sql(value)],
        )?;
    }
    let m_tags: Vec<String> = serde_json::from_value(snap["merged_tags"].clone())?;
    crate::leads::set_tags_in(tx, merged, &m_tags)?;

    // Moved rows go back.
    let mut counts = Vec::new();
    for (table, key) in MOVED {
        let ids = ids_in(&snap, key);
        let mut back = 0u32;
        for id in &ids {
            back += tx.execute(
                &format!("UPDATE {table} SET lead_id = ?1 WHERE id = ?2 AND lead_id = ?3"),
                params![merged, id, survivor],
            )? as u32;
        }
        if (back as usize) < ids.len() {
            not_restored.push(format!(
                "{} of {} {table} rows (deleted or moved since)",
                ids.len() - back as usize,
                ids.len()
            ));
        }
        counts.push(back);
    }
    let mut removed = 0u32;
    for id in ids_in(&snap, "contacts_added") {
        removed += tx.execute(
            "DELETE FROM lead_contacts WHERE id = ?1 AND lead_id = ?2",
            params![id, survivor],
        )? as u32;
    }

    // The survivor: back to its values where the merge's values still stand.
    let before = snap["survivor_before"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let after = snap["survivor_after"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let mut kept = Vec::new();
    for (col, old) in &before {
        if col == "id" {
            continue;
        }
        let now_value = current.get(col).cloned().unwrap_or(Value::Null);
        if Some(&now_value) == after.get(col) {
            if &now_value != old {
                tx.execute(
                    &format!("UPDATE {} SET \"{col}\" = ?2 WHERE id = ?1", table_of(col)),
                    params![survivor, to_sql(old)],
                )?;
            }
        } else if USER_COLUMNS.contains(&col.as_str()) {
            kept.push(col.clone());
        }
    }
    let before_tags: BTreeSet<String> =
        serde_json::from_value(snap["survivor_before_tags"].clone())?;
    let after_tags: BTreeSet<String> = serde_json::from_value(snap["survivor_after_tags"].clone())?;
    let now_tags: BTreeSet<String> = tags_of(tx, survivor)?.into_iter().collect();
    let tags: Vec<String> = if now_tags == after_tags {
        before_tags.into_iter().collect()
    } else {
        kept.push("tags".to_string());
        now_tags
            .into_iter()
            .filter(|t| before_tags.contains(t) || !after_tags.contains(t))
            .collect()
    };
    crate::leads::set_tags_in(tx, survivor, &tags)?;
    if kept.iter().any(|c| c != "tags") {
        // Some fields kept, some restored: derive the keys again from what is there now.
        let (mut input, _, source) = load_input(tx, survivor)?;
        input.tags = tags;
        let valid = validate(&input)?;
        rewrite_in(tx, survivor, &valid, &source, &Provenance::default())?;
    }

    tx.execute(
        "UPDATE merges SET undone_at = ?2 WHERE id = ?1",
        params![merge_id, now()],
    )?;
    audit_in(
        tx,
        "lead.unmerge",
        "lead",
        Some(survivor),
        &json!({ "merge_id": merge_id, "restored_id": merged, "kept_fields": kept, "not_restored": not_restored }),
    )?;
    Ok(UnmergeReport {
        merge_id,
        survivor_id: survivor,
        restored_id: merged,
        activities_returned: counts[0],
        history_returned: counts[1],
        consents_returned: counts[2],
        contacts_returned: counts[3],
        secondary_contacts_removed: removed,
        kept_fields: kept,
        not_restored,
    })
}

/// Remembers that leads `a` and `b` are not the same person (the scan skips the pair).
pub fn mark_not_duplicate(db: &Sodate, a: i64, b: i64) -> Result<()> {
    if a == b {
        return Err(Error::invalid(
            "b",
            "same_lead",
            format!("lead {a} is the same lead"),
        ));
    }
    let (a, b) = (a.min(b), a.max(b));
    db.write(|tx| {
        for id in [a, b] {
            if lead_row(tx, id)?.is_none() {
                return Err(Error::NotFound { entity: "lead", id });
            }
        }
        tx.execute(
            "INSERT OR IGNORE INTO not_duplicates (lead_a, lead_b, created_at) VALUES (?1, ?2, ?3)",
            params![a, b, now()],
        )?;
        audit_in(
            tx,
            "lead.not_duplicate",
            "lead",
            Some(a),
            &json!({ "other_id": b }),
        )
    })
}

/// The merge journal, newest first.
pub fn merges(db: &Sodate) -> Result<Vec<MergeSummary>> {
    journal(db, None)
}

/// The merges a lead took part in (as survivor or as the lead merged away), newest first.
pub fn merges_of(db: &Sodate, lead: i64) -> Result<Vec<MergeSummary>> {
    journal(db, Some(lead))
}

fn journal(db: &Sodate, lead: Option<i64>) -> Result<Vec<MergeSummary>> {
    db.read(|conn| {
        let mut stmt = conn.prepare(
            "SELECT id, survivor_id, merged_id,
                    trim(coalesce(json_extract(snapshot, '$.merged.family_name'), '') || ' ' ||
                         coalesce(json_extract(snapshot, '$.merged.given_name'), '')),
                    created_at, undone_at
             FROM merges WHERE ?1 IS NULL OR survivor_id = ?1 OR merged_id = ?1
             ORDER BY id DESC",
        )?;
        let rows = stmt
            .query_map([lead], |r| {
                Ok(MergeSummary {
                    id: r.get(0)?,
                    survivor_id: r.get(1)?,
                    merged_id: r.get(2)?,
                    merged_name: r.get(3)?,
                    created_at: r.get(4)?,
                    undone_at: r.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    })
}
