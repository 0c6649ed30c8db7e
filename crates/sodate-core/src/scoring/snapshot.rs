//! What a full scan reads, kept in memory so that the impact preview (and a save right after
//! it) can rescore every lead under another model without reading the database again.
//!
//! A snapshot holds, per lead, the integer weight of each behaviour *matcher* (activity type,
//! detail condition, once/repeatable) as of one day, the stored scores, and the value of each
//! field fit rules read (as ids into per-field tables of distinct values). A model whose
//! matchers, decay and fields are among those is evaluated from it: changing points, caps,
//! thresholds, grades or fit values costs ~0.1 s at 1M leads instead of a 5 s scan.
//!
//! Validity: the snapshot is used only while the database is exactly as it was read —
//! `PRAGMA data_version` (other connections' commits) and the connection's total changes
//! (its own writes) unchanged — and for the same day. Memory at 1M leads: ~4 bytes per lead
//! per rule and per field, plus the stored scores (~100 MB for the default model).
//!
//! What is read: the narrow covering indexes of migration 0013 and `activities_by_type_time`
//! (~0.3 GiB at 1M leads, each index one run of pages), not the wide lead rows and the whole
//! activities table (1.4 GiB spread over the file: 7-10 s with a cold page cache). A model
//! the indexes do not cover (a custom field, a detail condition an empty detail meets) reads
//! the tables, as before; both reads give the same snapshot (tested).

use std::collections::HashMap;
use std::sync::Mutex;

use rusqlite::Connection;
use rustc_hash::FxHashMap;

use super::engine::{raw_domain, Column, Compiled, FieldRef, LeadScore};
use super::model::TextOp;
use crate::Result;

/// The cache of one open database (see the module documentation).
#[derive(Default)]
pub struct ScoreCache(Mutex<Option<Snapshot>>);

use crate::db::Stamp;

/// The database's state as far as the cache is concerned.
pub(crate) fn stamp(conn: &Connection) -> Result<Stamp> {
    Stamp::of(conn)
}

impl ScoreCache {
    /// The snapshot, when it is still valid for `today` (taken out: put it back with
    /// [`ScoreCache::put`]).
    pub(crate) fn take_valid(&self, conn: &Connection, today: i64) -> Result<Option<Snapshot>> {
        let mut guard = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let Some(snap) = guard.take() else {
            return Ok(None);
        };
        if snap.today == today && snap.stamp == Some(stamp(conn)?) {
            Ok(Some(snap))
        } else {
            Ok(None)
        }
    }

    /// The cached snapshot if valid, else a new one read on both cores (outside any
    /// transaction); `None` when neither could be had (another connection kept writing).
    pub(crate) fn take_or_scan(
        &self,
        conn: &Connection,
        file: &crate::db::DbFile,
        compiled: &Compiled,
        today: i64,
    ) -> Result<Option<Snapshot>> {
        if let Some(snap) = self.take_valid(conn, today)? {
            return Ok(Some(snap));
        }
        Snapshot::scan_parallel(conn, file, compiled, today)
    }

    /// Whether the cache holds a snapshot valid for `today` and the database as it is.
    pub(crate) fn holds_valid(&self, conn: &Connection, today: i64) -> Result<bool> {
        let guard = self.0.lock().unwrap_or_else(|e| e.into_inner());
        Ok(match &*guard {
            Some(snap) => snap.today == today && snap.stamp == Some(stamp(conn)?),
            None => false,
        })
    }

    /// Keeps `snap`, valid for the database as it is now.
    pub(crate) fn put(&self, conn: &Connection, mut snap: Snapshot) -> Result<()> {
        snap.stamp = Some(stamp(conn)?);
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(snap);
        Ok(())
    }
}

/// What a behaviour rule's weight depends on.
#[derive(Debug, Clone, PartialEq)]
struct Matcher {
    activity_type: String,
    detail: Option<(TextOp, String)>,
    once: bool,
}

fn matchers(compiled: &Compiled) -> Vec<Matcher> {
    compiled
        .model
        .behaviour_rules
        .iter()
        .map(|r| Matcher {
            activity_type: r.activity_type.clone(),
            detail: r.detail.as_ref().map(|d| (d.op, d.value.clone())),
            once: r.repeat == super::model::Repeat::Once,
        })
        .collect()
}

fn decay_key(compiled: &Compiled) -> String {
    format!("{:?}", compiled.model.decay)
}

/// One full read of the leads and activities (see the module documentation).
pub(crate) struct Snapshot {
    today: i64,
    stamp: Option<Stamp>,
    matchers: Vec<Matcher>,
    decay: String,
    /// `slots × (max lead id + 1)`, rule-major: rule `j` of lead `id` at `j × stride + id`.
    weights: Vec<u32>,
    stride: usize,
    ids: Vec<i64>,
    /// The stored scores of `ids`.
    old: Vec<LeadScore>,
    fields: Vec<FieldRef>,
    /// `ids.len() × fields.len()` ids into `values`.
    value_ids: Vec<u32>,
    values: Vec<Vec<String>>,
}

/// One lead's stored and new scores.
pub(crate) struct Rescored {
    pub id: i64,
    pub old: LeadScore,
    pub new: LeadScore,
}

/// `snap` if the database is still as it was read (call before writing anything).
pub(crate) fn still_valid(snap: Option<Snapshot>, conn: &Connection) -> Result<Option<Snapshot>> {
    match snap {
        Some(s) if s.stamp == Some(stamp(conn)?) => Ok(Some(s)),
        _ => Ok(None),
    }
}

impl Snapshot {
    /// Reads every activity (row order) and lead (id order) for `compiled` as of `today`.
    pub(crate) fn scan(conn: &Connection, compiled: &Compiled, today: i64) -> Result<Self> {
        // The two passes read the leads and activities tables whole (~1 GiB at 1M leads):
        // memory-mapped reads avoid a copy per page (leads pass 4.3 s → 1.4 s measured).
        crate::db::parallel::mapped(conn, || Self::scan_mapped(conn, compiled, today))
    }

    fn scan_mapped(conn: &Connection, compiled: &Compiled, today: i64) -> Result<Self> {
        Self::scan_from(conn, compiled, today, Source::Indexes)
    }

    fn scan_from(
        conn: &Connection,
        compiled: &Compiled,
        today: i64,
        source: Source,
    ) -> Result<Self> {
        let max_id: i64 =
            conn.query_row("SELECT coalesce(max(id), 0) FROM leads", [], |r| r.get(0))?;
        let weights = activity_pass(conn, compiled, today, max_id, source)?;
        let mut snap = Self::lead_pass(conn, compiled, today, weights, source)?;
        snap.stride = stride_of(max_id);
        Ok(snap)
    }

    /// Like [`Snapshot::scan`], outside any transaction, with the activities read on the
    /// second core through a read-only connection of its own while this one reads the leads.
    /// `None` when another connection committed meanwhile (the two reads may then disagree).
    pub(crate) fn scan_parallel(
        conn: &Connection,
        file: &crate::db::DbFile,
        compiled: &Compiled,
        today: i64,
    ) -> Result<Option<Self>> {
        let max_id: i64 =
            conn.query_row("SELECT coalesce(max(id), 0) FROM leads", [], |r| r.get(0))?;
        let read = crate::db::parallel::read_on_two_cores(
            conn,
            file,
            |other| activity_pass(other, compiled, today, max_id, Source::Indexes),
            |conn| Self::lead_pass(conn, compiled, today, Vec::new(), Source::Indexes),
        )?;
        let Some((mut snap, weights, _)) = read else {
            return Ok(None);
        };
        snap.weights = weights;
        snap.stride = stride_of(max_id);
        snap.stamp = Some(stamp(conn)?);
        Ok(Some(snap))
    }

    /// Like [`Snapshot::scan_parallel`] on two read-only connections of its own (the open
    /// database's connection is not used, nor locked): for a read in the background. The
    /// caller checks that nothing was committed meanwhile (its [`Stamp`] before and after);
    /// the snapshot's stamp is left unset.
    pub(crate) fn scan_detached(
        file: &crate::db::DbFile,
        compiled: &Compiled,
        today: i64,
    ) -> Result<Self> {
        let open = || -> Result<Connection> {
            let conn = file.open_read_only()?;
            conn.busy_timeout(std::time::Duration::from_millis(1500))?;
            conn.pragma_update(None, "mmap_size", crate::db::parallel::MMAP_BYTES)?;
            Ok(conn)
        };
        let leads = open()?;
        let max_id: i64 =
            leads.query_row("SELECT coalesce(max(id), 0) FROM leads", [], |r| r.get(0))?;
        std::thread::scope(|scope| {
            let activities = scope.spawn(|| -> Result<Vec<u32>> {
                activity_pass(&open()?, compiled, today, max_id, Source::Indexes)
            });
            let snap = Self::lead_pass(&leads, compiled, today, Vec::new(), Source::Indexes);
            let weights = activities
                .join()
                .map_err(|_| crate::Error::Conflict("the second reader stopped".into()))?;
            let mut snap = snap?;
            snap.weights = weights?;
            snap.stride = stride_of(max_id);
            Ok(snap)
        })
    }

    fn lead_pass(
        conn: &Connection,
        compiled: &Compiled,
        today: i64,
        weights: Vec<u32>,
        source: Source,
    ) -> Result<Self> {
        let fields = compiled.fields.clone();
        // Every field but the custom ones is in the narrow indexes.
        let narrow = source == Source::Indexes
            && !fields.iter().any(|f| matches!(f, FieldRef::Custom(_)))
            && indexes_exist(conn, &["leads_scoring", "companies_scoring"])?;
        // Company fields come from the companies read once (a join would look one up per
        // lead).
        let company_fields: Vec<usize> = (0..fields.len())
            .filter(|k| fields[*k].is_company())
            .collect();
        let mut interned: Vec<FxHashMap<String, u32>> = vec![FxHashMap::default(); fields.len()];
        let mut values: Vec<Vec<String>> = vec![Vec::new(); fields.len()];
        let mut intern = |k: usize, v: &str| -> u32 {
            if let Some(id) = interned[k].get(v) {
                return *id;
            }
            let id = values[k].len() as u32;
            values[k].push(v.to_string());
            interned[k].insert(v.to_string(), id);
            id
        };
        // Each company's value ids, by company id (dense: a lookup per lead in a hash map of
        // 137k companies missed the CPU cache each time).
        // (Ids beyond DENSE_COMPANY_IDS, which SQLite does not hand out before that many
        // companies exist, go to a map.)
        let nc = company_fields.len();
        let mut sparse: FxHashMap<i64, Box<[u32]>> = FxHashMap::default();
        let companies: Vec<Option<Box<[u32]>>> = if company_fields.is_empty() {
            Vec::new()
        } else {
            let cols: Vec<String> = company_fields.iter().map(|k| fields[*k].sql(0)).collect();
            let from = if narrow {
                "companies c INDEXED BY companies_scoring"
            } else {
                "companies c"
            };
            let mut stmt =
                conn.prepare(&format!("SELECT c.id, {} FROM {from}", cols.join(", ")))?;
            let mut rows = stmt.query([])?;
            let mut by_id: Vec<Option<Box<[u32]>>> = Vec::new();
            while let Some(r) = rows.next()? {
                let mut ids = Vec::with_capacity(nc);
                for (j, k) in company_fields.iter().enumerate() {
                    ids.push(intern(*k, &text_of(r.get_ref(1 + j)?)));
                }
                let company: i64 = r.get(0)?;
                let id = match usize::try_from(company) {
                    Ok(id) if id < DENSE_COMPANY_IDS => id,
                    _ => {
                        sparse.insert(company, ids.into_boxed_slice());
                        continue;
                    }
                };
                if id >= by_id.len() {
                    by_id.resize(id + 1, None);
                }
                by_id[id] = Some(ids.into_boxed_slice());
            }
            by_id
        };
        let empty_company: Vec<u32> = company_fields.iter().map(|k| intern(*k, "")).collect();
        let from = if narrow {
            "leads l INDEXED BY leads_scoring"
        } else {
            "leads l"
        };
        let (sql, params) = super::lead_select_from(compiled, "", false, from);
        let mut stmt = conn.prepare(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
        let company_column = 5 + fields.len();
        let mut ids = Vec::new();
        let mut old = Vec::new();
        let mut value_ids = Vec::new();
        while let Some(r) = rows.next()? {
            ids.push(r.get::<_, i64>(0)?);
            old.push(super::stored_score(r)?);
            let company = if company_fields.is_empty() {
                None
            } else {
                r.get::<_, Option<i64>>(company_column)?
                    .and_then(|c| match usize::try_from(c) {
                        Ok(i) if i < DENSE_COMPANY_IDS => companies.get(i)?.as_deref(),
                        _ => sparse.get(&c).map(|v| &v[..]),
                    })
            };
            let mut next_company = 0;
            for (k, f) in fields.iter().enumerate() {
                if f.is_company() {
                    let v = company.unwrap_or(&empty_company[..])[next_company];
                    value_ids.push(v);
                    next_company += 1;
                    continue;
                }
                let id = match r.get_ref(5 + k)? {
                    // (A domain rule reads the domain only: one value per domain, not per
                    // address.)
                    rusqlite::types::ValueRef::Text(t) if *f == FieldRef::EmailDomain => {
                        intern(k, raw_domain(std::str::from_utf8(t).unwrap_or("")))
                    }
                    rusqlite::types::ValueRef::Text(t) => {
                        intern(k, std::str::from_utf8(t).unwrap_or(""))
                    }
                    other if *f == FieldRef::EmailDomain => intern(k, raw_domain(&text_of(other))),
                    other => intern(k, &text_of(other)),
                };
                value_ids.push(id);
            }
        }
        Ok(Snapshot {
            today,
            stamp: None,
            matchers: matchers(compiled),
            decay: decay_key(compiled),
            weights,
            stride: 0,
            ids,
            old,
            fields,
            value_ids,
            values,
        })
    }

    pub(crate) fn today(&self) -> i64 {
        self.today
    }

    pub(crate) fn leads(&self) -> u32 {
        self.ids.len() as u32
    }

    /// Scores every lead under `compiled` from the snapshot, in id order; `None` when the
    /// model reads activities or fields the snapshot does not hold.
    pub(crate) fn evaluate(
        &self,
        compiled: &Compiled,
        mut visit: impl FnMut(Rescored) -> Result<()>,
    ) -> Result<Option<u32>> {
        if decay_key(compiled) != self.decay {
            return Ok(None);
        }
        let mut slot_of = Vec::new();
        for m in matchers(compiled) {
            match self.matchers.iter().position(|x| *x == m) {
                Some(j) => slot_of.push(j),
                None => return Ok(None),
            }
        }
        let mut field_of = Vec::new();
        for f in &compiled.fields {
            match self.fields.iter().position(|x| x == f) {
                Some(j) => field_of.push(j),
                None => return Ok(None),
            }
        }
        // The fit rules each distinct value matches.
        let mut buf = String::new();
        let masks: Vec<Vec<u64>> = field_of
            .iter()
            .enumerate()
            .map(|(k, &j)| {
                self.values[j]
                    .iter()
                    .map(|v| compiled.value_mask(k, v, &mut buf))
                    .collect()
            })
            .collect();
        let mut slots = vec![0u32; slot_of.len()];
        let n_fields = self.fields.len();
        for (i, &id) in self.ids.iter().enumerate() {
            let lead = id.max(0) as usize;
            for (s, &j) in slots.iter_mut().zip(&slot_of) {
                *s = if lead < self.stride {
                    self.weights
                        .get(j * self.stride + lead)
                        .copied()
                        .unwrap_or(0)
                } else {
                    0
                };
            }
            let mut mask = 0u64;
            for (k, &j) in field_of.iter().enumerate() {
                mask |= masks[k][self.value_ids[i * n_fields + j] as usize];
            }
            visit(Rescored {
                id,
                old: self.old[i],
                new: compiled.score(&slots, mask),
            })?;
        }
        Ok(Some(self.leads()))
    }

    /// Records that the stored scores are now `new` (after a recompute wrote them).
    pub(crate) fn set_stored(&mut self, scores: &HashMap<i64, LeadScore>) {
        for (id, old) in self.ids.iter().zip(self.old.iter_mut()) {
            if let Some(s) = scores.get(id) {
                *old = *s;
            }
        }
    }
}

fn text_of(v: rusqlite::types::ValueRef) -> String {
    match v {
        rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
        rusqlite::types::ValueRef::Integer(i) => i.to_string(),
        rusqlite::types::ValueRef::Real(f) => f.to_string(),
        _ => String::new(),
    }
}

/// Whether every index in `names` exists (a full recompute that rewrites most scores drops
/// the indexes on score columns while it writes, then builds them again).
fn indexes_exist(conn: &Connection, names: &[&str]) -> Result<bool> {
    let mut stmt = conn
        .prepare_cached("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = ?1")?;
    for name in names {
        if stmt.query_row([name], |r| r.get::<_, i64>(0))? == 0 {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Company ids below this are looked up in a vector (16 bytes each), others in a map.
const DENSE_COMPANY_IDS: usize = 1 << 22;

/// The length of each rule's weight array: lead ids run from 0 to `max_id`.
fn stride_of(max_id: i64) -> usize {
    max_id.max(0) as usize + 1
}

/// Where a full read takes its rows from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// The narrow covering indexes, where they hold what the model reads (else the tables).
    Indexes,
    /// The tables (the lead rows, the whole activities table in row order): what a model
    /// the indexes do not cover reads; tests compare both reads.
    #[cfg(test)]
    Tables,
}

/// The per-lead, per-rule weights of every activity the model counts.
fn activity_pass(
    conn: &Connection,
    compiled: &Compiled,
    today: i64,
    max_id: i64,
    source: Source,
) -> Result<Vec<u32>> {
    let slots = compiled.slots();
    let stride = stride_of(max_id);
    let mut weights: Vec<u32> = vec![0; stride * slots];
    if slots == 0 {
        return Ok(weights);
    }
    let types = compiled.counted_types();
    // activities_by_type_detail holds only activities with a detail.
    let narrow = source == Source::Indexes
        && types
            .iter()
            .all(|&(t, detail)| !detail || !compiled.counts_empty_detail(t))
        && indexes_exist(
            conn,
            &["activities_by_type_time", "activities_by_type_detail"],
        )?;
    if !narrow {
        return activity_table_pass(conn, compiled, today, max_id, weights);
    }
    let mut buf = String::new();
    for (type_id, detail) in types {
        // One range of an index per counted type: the types no rule counts are not read.
        let sql = if detail {
            "SELECT lead_id, occurred_at, detail FROM activities INDEXED BY activities_by_type_detail
             WHERE type_id = ?1 AND detail <> ''"
        } else {
            "SELECT lead_id, occurred_at FROM activities INDEXED BY activities_by_type_time
             WHERE type_id = ?1"
        };
        let mut stmt = conn.prepare(sql)?;
        let mut rows = stmt.query([type_id])?;
        while let Some(r) = rows.next()? {
            let text = if detail {
                r.get_ref(2)?.as_str().unwrap_or("")
            } else {
                ""
            };
            let activity = (type_id, r.get(1)?, text);
            add_weights(
                compiled,
                &mut weights,
                stride,
                max_id,
                r.get(0)?,
                activity,
                today,
                &mut buf,
            );
        }
    }
    Ok(weights)
}

/// Adds one activity `(type id, unix time, detail)` of lead `lead` to its weights (leads
/// outside `0..=max_id` are skipped).
#[allow(clippy::too_many_arguments)]
fn add_weights(
    compiled: &Compiled,
    weights: &mut [u32],
    stride: usize,
    max_id: i64,
    lead: i64,
    activity: (i64, i64, &str),
    today: i64,
    buf: &mut String,
) {
    if lead < 0 || lead > max_id {
        return;
    }
    let mut column = Column {
        weights,
        stride,
        lead: lead as usize,
    };
    compiled.add_activity(&mut column, activity, today, buf, |_, _| {});
}

/// The weights from every row of the activities table, in row order.
fn activity_table_pass(
    conn: &Connection,
    compiled: &Compiled,
    today: i64,
    max_id: i64,
    mut weights: Vec<u32>,
) -> Result<Vec<u32>> {
    let stride = stride_of(max_id);
    {
        // Every row, filtered here: an `IN (…)` on type_id costs SQLite a lookup per row.
        let mut stmt =
            conn.prepare("SELECT lead_id, type_id, occurred_at, detail FROM activities")?;
        let mut rows = stmt.query([])?;
        let mut buf = String::new();
        while let Some(r) = rows.next()? {
            let type_id: i64 = r.get(1)?;
            if !compiled.counts_type(type_id) {
                continue;
            }
            let detail = if compiled.needs_detail(type_id) {
                r.get_ref(3)?.as_str().unwrap_or("")
            } else {
                ""
            };
            let activity = (type_id, r.get(2)?, detail);
            add_weights(
                compiled,
                &mut weights,
                stride,
                max_id,
                r.get(0)?,
                activity,
                today,
                &mut buf,
            );
        }
    }
    Ok(weights)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicBool;

    use super::*;
    use crate::demo::{generate, DemoOptions};
    use crate::scoring::model::{
        BehaviourRule, DetailCondition, FitRule, Label, Repeat, ScoringModel,
    };
    use crate::scoring::{compile_in, day_of};

    fn demo_db() -> (tempfile::TempDir, crate::Sodate) {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::Sodate::open(dir.path().join("demo.db")).unwrap();
        let anchor = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        let options = DemoOptions {
            leads: 2_000,
            seed: 5,
            anchor,
        };
        generate(&db, &options, &mut |_, _| {}, &AtomicBool::new(false)).unwrap();
        (dir, db)
    }

    fn today() -> i64 {
        day_of(
            chrono::DateTime::parse_from_rfc3339("2026-11-01T20:00:00Z")
                .unwrap()
                .into(),
        )
    }

    fn behaviour(id: &str, activity_type: &str, detail: Option<(TextOp, &str)>) -> BehaviourRule {
        BehaviourRule {
            id: id.into(),
            label: Label::new(id, id),
            activity_type: activity_type.into(),
            detail: detail.map(|(op, value)| DetailCondition {
                op,
                value: value.into(),
            }),
            points: 7.0,
            repeat: Repeat::Repeatable,
            cap: None,
        }
    }

    fn fit(field: &str, op: TextOp, values: &[&str]) -> FitRule {
        FitRule {
            id: field.into(),
            label: Label::new(field, field),
            field: field.into(),
            op,
            values: values.iter().map(|v| v.to_string()).collect(),
            points: 3.0,
        }
    }

    /// Each lead's field values as text (value ids depend on the reading order).
    fn values_of(s: &Snapshot) -> Vec<Vec<&str>> {
        let n = s.fields.len();
        (0..s.ids.len())
            .map(|i| {
                (0..n)
                    .map(|k| s.values[k][s.value_ids[i * n + k] as usize].as_str())
                    .collect()
            })
            .collect()
    }

    fn read_both(db: &crate::Sodate, model: ScoringModel) -> (Snapshot, Snapshot) {
        let conn = db.conn();
        let compiled = compile_in(conn, model).unwrap();
        let narrow = Snapshot::scan_from(conn, &compiled, today(), Source::Indexes).unwrap();
        let table = Snapshot::scan_from(conn, &compiled, today(), Source::Tables).unwrap();
        assert_eq!(narrow.ids, table.ids);
        assert_eq!(narrow.old, table.old);
        assert_eq!(narrow.weights, table.weights);
        assert_eq!(values_of(&narrow), values_of(&table));
        (narrow, table)
    }

    /// Every lead field and company field a fit rule can read, and detail conditions of
    /// each kind an empty detail does not meet.
    fn wide_model() -> ScoringModel {
        let mut m = ScoringModel::default();
        m.behaviour_rules.extend([
            behaviour("doc", "document_request", Some((TextOp::Contains, "料金"))),
            behaviour("opened", "email_opened", Some((TextOp::StartsWith, "n"))),
            behaviour("blog", "page_view", Some((TextOp::EndsWith, "scoring"))),
            behaviour("contact", "page_view", Some((TextOp::Equals, "/contact"))),
            behaviour("any_detail", "email_clicked", Some((TextOp::NotEmpty, ""))),
        ]);
        m.fit_rules.extend([
            fit("department", TextOp::Contains, &["営業"]),
            fit("email", TextOp::EndsWith, &[".co.jp"]),
            fit("source", TextOp::Equals, &["web"]),
            fit("website", TextOp::NotEmpty, &[]),
            fit("company.name", TextOp::Contains, &["テック"]),
            fit("company.prefecture", TextOp::Equals, &["東京都"]),
            fit("company.domain", TextOp::EndsWith, &[".jp"]),
        ]);
        m
    }

    #[test]
    fn the_narrow_indexes_give_the_snapshot_the_tables_give() {
        let (_dir, db) = demo_db();
        let (narrow, _) = read_both(&db, ScoringModel::default());
        assert_eq!(narrow.ids.len(), 2_000);
        // The page-view rules (detail conditions) counted something.
        let pricing = ScoringModel::default()
            .behaviour_rules
            .iter()
            .position(|r| r.id == "pricing_page")
            .unwrap();
        let counted = (0..narrow.stride)
            .filter(|l| narrow.weights[pricing * narrow.stride + l] > 0)
            .count();
        assert!(counted > 50, "{counted} leads viewed the pricing page");
        let (narrow, _) = read_both(&db, wide_model());
        assert_eq!(narrow.fields.len(), 12);
        // The scores a recompute stored are those the narrow read gives.
        let compiled = compile_in(db.conn(), ScoringModel::default()).unwrap();
        let snap = Snapshot::scan(db.conn(), &compiled, today()).unwrap();
        let mut differ = 0;
        snap.evaluate(&compiled, |s| {
            differ += u32::from(s.new != s.old);
            Ok(())
        })
        .unwrap();
        assert_eq!(differ, 0);
    }

    #[test]
    fn models_the_indexes_do_not_cover_read_the_tables_with_the_same_result() {
        let (_dir, db) = demo_db();
        let type_id = |code: &str| -> i64 {
            db.conn()
                .query_row(
                    "SELECT id FROM activity_types WHERE code = ?1",
                    [code],
                    |r| r.get(0),
                )
                .unwrap()
        };
        // An activity with an empty detail counts for a rule without a condition, or with
        // one an empty detail meets: those are not in activities_by_type_detail.
        let mut empty = ScoringModel::default();
        empty.behaviour_rules.extend([
            behaviour("any_view", "page_view", None),
            behaviour("no_subject", "email_opened", Some((TextOp::Empty, ""))),
        ]);
        let compiled = compile_in(db.conn(), empty.clone()).unwrap();
        assert!(compiled.counts_empty_detail(type_id("page_view")));
        assert!(compiled.counts_empty_detail(type_id("email_opened")));
        let default = compile_in(db.conn(), ScoringModel::default()).unwrap();
        assert!(!default.counts_empty_detail(type_id("page_view")));
        db.conn()
            .execute(
                "INSERT INTO activities (lead_id, type_id, occurred_at, detail) VALUES (1, ?1, ?2, '')",
                rusqlite::params![type_id("email_opened"), 1_793_000_000],
            )
            .unwrap();
        let (narrow, _) = read_both(&db, empty);
        let slot = narrow.weights.len() / narrow.stride - 1;
        assert!(
            narrow.weights[slot * narrow.stride + 1] > 0,
            "the empty detail counted"
        );
        // A custom field is read from the lead row.
        let mut custom = wide_model();
        custom
            .fit_rules
            .push(fit("custom.業種メモ", TextOp::NotEmpty, &[]));
        read_both(&db, custom);
        // A company id beyond the dense range.
        db.conn()
            .execute_batch(
                "INSERT INTO companies (id, name, name_key, industry, created_at, updated_at)
                 VALUES (9000000000, 'x', 'x', '宇宙', '2026-01-01', '2026-01-01');
                 UPDATE leads SET company_id = 9000000000 WHERE id = 2;",
            )
            .unwrap();
        let (narrow, _) = read_both(&db, wide_model());
        let industry = narrow
            .fields
            .iter()
            .position(|f| *f == FieldRef::Industry)
            .unwrap();
        assert_eq!(values_of(&narrow)[1][industry], "宇宙");
        // Without the narrow indexes (dropped while a large rewrite runs) the tables are read.
        db.conn()
            .execute_batch("DROP INDEX leads_scoring; DROP INDEX activities_by_type_detail;")
            .unwrap();
        read_both(&db, wide_model());
    }

    #[test]
    fn the_narrow_reads_use_their_indexes() {
        let (_dir, db) = demo_db();
        let plan = |sql: &str| -> String {
            db.conn()
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .unwrap()
                .query_map([], |r| r.get::<_, String>(3))
                .unwrap()
                .collect::<rusqlite::Result<Vec<_>>>()
                .unwrap()
                .join("; ")
        };
        let compiled = compile_in(db.conn(), wide_model()).unwrap();
        let (sql, _) = super::super::lead_select_from(
            &compiled,
            "",
            false,
            "leads l INDEXED BY leads_scoring",
        );
        assert!(
            plan(&sql).contains("COVERING INDEX leads_scoring"),
            "{}",
            plan(&sql)
        );
        let companies = "SELECT c.id, c.industry, c.employee_band, c.prefecture, c.domain, c.name
                         FROM companies c INDEXED BY companies_scoring";
        assert!(plan(companies).contains("COVERING INDEX companies_scoring"));
        let details = "SELECT lead_id, occurred_at, detail FROM activities
                       INDEXED BY activities_by_type_detail WHERE type_id = 13 AND detail <> ''";
        assert!(plan(details).contains("COVERING INDEX activities_by_type_detail"));
    }
}
