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

mod store;

use std::collections::HashMap;
use std::sync::Mutex;

use rusqlite::Connection;
use rustc_hash::FxHashMap;

use super::engine::{raw_domain, Column, Compiled, FieldRef, LeadScore};
use super::model::{ScoringModel, TextOp};
use crate::db::changes::{self, Changed, Position};
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
    /// The snapshot, when it is valid for `today` and the database as it is, or can be
    /// brought up to date lead by lead (taken out: put it back with [`ScoreCache::put`]).
    pub(crate) fn take_valid(&self, conn: &Connection, today: i64) -> Result<Option<Snapshot>> {
        let snap = self.0.lock().unwrap_or_else(|e| e.into_inner()).take();
        match snap {
            Some(snap) => snap.brought_up_to_date(conn, today),
            None => Ok(None),
        }
    }

    /// The cached snapshot if valid, else the one stored with the last full rescore when it
    /// can be brought up to date, else a new one read on both cores (outside any
    /// transaction); `None` when none could be had (another connection kept writing).
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
        if let Some(snap) = Snapshot::stored_up_to_date(conn, today)? {
            if snap.fits(compiled) {
                return Ok(Some(snap));
            }
        }
        Snapshot::scan_parallel(conn, file, compiled, today)
    }

    /// Whether the cache holds a snapshot valid for `today` and the database as it is
    /// (brought up to date if it can be).
    pub(crate) fn holds_valid(&self, conn: &Connection, today: i64) -> Result<bool> {
        let mut guard = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let Some(snap) = guard.take() else {
            return Ok(false);
        };
        *guard = snap.brought_up_to_date(conn, today)?;
        Ok(guard.is_some())
    }

    /// Keeps `snap`. Its journal position says what it has seen: the next take checks the
    /// journal once (another connection may have committed since it was read or written).
    pub(crate) fn put(&self, mut snap: Snapshot) {
        snap.stamp = None;
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(snap);
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
    /// The database state it was last checked against (`None`: check the journal).
    stamp: Option<Stamp>,
    /// The changed-leads journal's position and the score generation it was read at.
    position: Position,
    generation: i64,
    /// The model it was read for (its matchers, decay and fields).
    model: ScoringModel,
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

/// `snap` if the database is still as it was read, or brought up to date (call before
/// writing anything).
pub(crate) fn still_valid(snap: Option<Snapshot>, conn: &Connection) -> Result<Option<Snapshot>> {
    match snap {
        Some(s) => {
            let today = s.today;
            s.brought_up_to_date(conn, today)
        }
        None => Ok(None),
    }
}

/// Leads re-read one by one at most when a snapshot is brought up to date (~30 µs each);
/// beyond that a full read is cheaper.
const CATCH_UP_LIMIT: usize = 20_000;

/// The `settings` key of the score generation: advanced by every full rescore, so that a
/// snapshot read before it (its stored scores) is not used after it.
const GENERATION: &str = "score_generation";

/// The score generation now.
fn generation(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT coalesce((SELECT CAST(value AS INTEGER) FROM settings WHERE key = ?1), 0)",
        [GENERATION],
        |r| r.get(0),
    )?)
}

/// Advances the score generation (a full rescore is writing) and returns the new one.
pub(crate) fn next_generation(conn: &Connection) -> Result<i64> {
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?1, '1')
         ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
        [GENERATION],
    )?;
    generation(conn)
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
        // The snapshot of the last full rescore, when it can be brought up to date.
        if let Some(snap) = Self::stored_up_to_date(&leads, today)? {
            if snap.fits(compiled) {
                return Ok(snap);
            }
        }
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
        let position = changes::position(conn)?;
        let generation = generation(conn)?;
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
        let mut intern =
            |k: usize, v: &str| -> u32 { intern_value(&mut interned[k], &mut values[k], v) };
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
            position,
            generation,
            model: compiled.model.clone(),
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

    /// This snapshot if it is for `today` and either the database is as it was last checked
    /// or the journal names the leads that changed since (then re-read); `None` when it must
    /// be read again (another day, a full rescore since, a bulk load, too many changes).
    pub(crate) fn brought_up_to_date(
        mut self,
        conn: &Connection,
        today: i64,
    ) -> Result<Option<Self>> {
        if self.today != today {
            return Ok(None);
        }
        // (Taken before the journal is read: a commit after it changes the stamp, and the
        // next check reads the journal again.)
        let now = stamp(conn)?;
        if self.stamp == Some(now) {
            return Ok(Some(self));
        }
        if generation(conn)? != self.generation {
            return Ok(None);
        }
        let (changed, position) = changes::since(conn, self.position, CATCH_UP_LIMIT)?;
        match changed {
            Changed::Nothing => {}
            Changed::Leads(ids) => self.refresh(conn, &ids)?,
            Changed::Everything => return Ok(None),
        }
        self.position = position;
        self.stamp = Some(now);
        Ok(Some(self))
    }

    /// Re-reads the weights, stored scores and fit values of `ids` (sorted, distinct; leads
    /// that no longer exist are removed, new ones added).
    fn refresh(&mut self, conn: &Connection, ids: &[i64]) -> Result<()> {
        let compiled = super::compile_in(conn, self.model.clone())?;
        let slots = compiled.slots();
        if self.weights.len() != slots * self.stride {
            return Err(crate::Error::Conflict(
                "the score snapshot does not match its model".into(),
            ));
        }
        if let Some(&max) = ids.last() {
            if max >= 0 && max as usize >= self.stride {
                // Room for the leads added after these without growing again each time.
                self.grow(max as usize + 1 + GROWTH, slots);
            }
        }
        let max_id = self.stride as i64 - 1;
        let mut activities = conn.prepare_cached(
            "SELECT type_id, occurred_at, detail FROM activities WHERE lead_id = ?1",
        )?;
        let mut buf = String::new();
        for &id in ids {
            if id < 0 || id > max_id {
                continue;
            }
            for j in 0..slots {
                self.weights[j * self.stride + id as usize] = 0;
            }
            let mut rows = activities.query([id])?;
            while let Some(r) = rows.next()? {
                let at = (&mut self.weights[..], self.stride, max_id, self.today);
                add_activity_row(&compiled, at, id, r, [0, 1, 2], &mut buf)?;
            }
        }
        let n = self.fields.len();
        let mut interned: Vec<FxHashMap<String, u32>> = self
            .values
            .iter()
            .map(|vs| {
                vs.iter()
                    .enumerate()
                    .map(|(i, v)| (v.clone(), i as u32))
                    .collect()
            })
            .collect();
        let mut texts = Vec::new();
        let mut fresh: Vec<(i64, Option<LeadRead>)> = Vec::with_capacity(ids.len());
        for &id in ids {
            let (mut stmt, params) = super::one_lead_select(conn, &compiled, id)?;
            let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
            let row = match rows.next()? {
                Some(r) => {
                    super::read_values(r, n, &mut texts)?;
                    let mut value_ids = Vec::with_capacity(n);
                    for (k, text) in texts.iter().enumerate() {
                        let v = if self.fields[k] == FieldRef::EmailDomain {
                            raw_domain(text)
                        } else {
                            text.as_str()
                        };
                        value_ids.push(intern_value(&mut interned[k], &mut self.values[k], v));
                    }
                    Some((super::stored_score(r)?, value_ids))
                }
                None => None,
            };
            fresh.push((id, row));
        }
        // Every lead re-read still there and already held: updated where it is.
        let in_place: Option<Vec<usize>> = fresh
            .iter()
            .map(|(id, row)| row.as_ref().and(self.ids.binary_search(id).ok()))
            .collect();
        if let Some(places) = in_place {
            for (i, (_, row)) in places.into_iter().zip(fresh) {
                if let Some((score, value_ids)) = row {
                    self.old[i] = score;
                    self.value_ids[i * n..(i + 1) * n].copy_from_slice(&value_ids);
                }
            }
            return Ok(());
        }
        // Leads added or removed: one merge of the two id orders.
        let len = self.ids.len() + fresh.len();
        let (mut ids_out, mut old_out, mut values_out) = (
            Vec::with_capacity(len),
            Vec::with_capacity(len),
            Vec::with_capacity(len * n),
        );
        let mut fresh = fresh.into_iter().peekable();
        let mut push = |id: i64, score: LeadScore, value_ids: &[u32]| {
            ids_out.push(id);
            old_out.push(score);
            values_out.extend_from_slice(value_ids);
        };
        for i in 0..self.ids.len() {
            let id = self.ids[i];
            // New leads before this one.
            while let Some((f, row)) = fresh.next_if(|(f, _)| *f < id) {
                if let Some((score, value_ids)) = row {
                    push(f, score, &value_ids);
                }
            }
            // This one re-read (gone when it has no row).
            if let Some((_, row)) = fresh.next_if(|(f, _)| *f == id) {
                if let Some((score, value_ids)) = row {
                    push(id, score, &value_ids);
                }
                continue;
            }
            push(id, self.old[i], &self.value_ids[i * n..(i + 1) * n]);
        }
        for (f, row) in fresh {
            if let Some((score, value_ids)) = row {
                push(f, score, &value_ids);
            }
        }
        self.ids = ids_out;
        self.old = old_out;
        self.value_ids = values_out;
        Ok(())
    }

    /// Gives each rule's weight array room for lead ids below `stride`.
    fn grow(&mut self, stride: usize, slots: usize) {
        let mut weights = vec![0u32; stride * slots];
        for j in 0..slots {
            weights[j * stride..j * stride + self.stride]
                .copy_from_slice(&self.weights[j * self.stride..(j + 1) * self.stride]);
        }
        self.weights = weights;
        self.stride = stride;
    }

    pub(crate) fn leads(&self) -> u32 {
        self.ids.len() as u32
    }

    /// Where `compiled`'s rule weights and fields are in this snapshot (its slot of each
    /// rule, its field of each field), `None` when it does not hold them all.
    fn layout(&self, compiled: &Compiled) -> Option<(Vec<usize>, Vec<usize>)> {
        if decay_key(compiled) != self.decay {
            return None;
        }
        let slot_of = matchers(compiled)
            .iter()
            .map(|m| self.matchers.iter().position(|x| x == m))
            .collect::<Option<Vec<_>>>()?;
        let field_of = compiled
            .fields
            .iter()
            .map(|f| self.fields.iter().position(|x| x == f))
            .collect::<Option<Vec<_>>>()?;
        Some((slot_of, field_of))
    }

    /// Whether [`Snapshot::evaluate`] can score `compiled` from this snapshot.
    pub(crate) fn fits(&self, compiled: &Compiled) -> bool {
        self.layout(compiled).is_some()
    }

    /// Scores every lead under `compiled` from the snapshot, in id order; `None` when the
    /// model reads activities or fields the snapshot does not hold.
    pub(crate) fn evaluate(
        &self,
        compiled: &Compiled,
        mut visit: impl FnMut(Rescored) -> Result<()>,
    ) -> Result<Option<u32>> {
        let Some((slot_of, field_of)) = self.layout(compiled) else {
            return Ok(None);
        };
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

    /// Records that the stored scores are now `new`, written by a full rescore of score
    /// generation `generation`.
    pub(crate) fn set_stored(&mut self, scores: &HashMap<i64, LeadScore>, generation: i64) {
        for (id, old) in self.ids.iter().zip(self.old.iter_mut()) {
            if let Some(s) = scores.get(id) {
                *old = *s;
            }
        }
        self.generation = generation;
    }
}

/// The id of `v` among a field's distinct `values` (`ids` indexes them), added if new.
fn intern_value(ids: &mut FxHashMap<String, u32>, values: &mut Vec<String>, v: &str) -> u32 {
    if let Some(id) = ids.get(v) {
        return *id;
    }
    let id = values.len() as u32;
    values.push(v.to_string());
    ids.insert(v.to_string(), id);
    id
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

/// A lead's stored scores and fit value ids, as re-read.
type LeadRead = (LeadScore, Vec<u32>);

/// Lead ids a snapshot makes room for beyond the highest one it must hold when it grows.
const GROWTH: usize = 4_096;

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

/// Adds the activity in row `r` (its type, time and detail in `cols`) to lead `lead`'s
/// weights in `(weights, stride, max id, today)`, when a rule counts its type.
fn add_activity_row(
    compiled: &Compiled,
    (weights, stride, max_id, today): (&mut [u32], usize, i64, i64),
    lead: i64,
    r: &rusqlite::Row,
    cols: [usize; 3],
    buf: &mut String,
) -> Result<()> {
    let type_id: i64 = r.get(cols[0])?;
    if !compiled.counts_type(type_id) {
        return Ok(());
    }
    let detail = if compiled.needs_detail(type_id) {
        r.get_ref(cols[2])?.as_str().unwrap_or("")
    } else {
        ""
    };
    let activity = (type_id, r.get(cols[1])?, detail);
    add_weights(
        compiled, weights, stride, max_id, lead, activity, today, buf,
    );
    Ok(())
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
            let lead: i64 = r.get(0)?;
            let at = (&mut weights[..], stride, max_id, today);
            add_activity_row(compiled, at, lead, r, [1, 2, 3], &mut buf)?;
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

    /// The two snapshots hold the same leads, scores, values and weights (over both
    /// strides: a grown one has room beyond the highest id).
    fn assert_same(a: &Snapshot, b: &Snapshot) {
        assert_eq!(a.ids, b.ids);
        assert_eq!(a.old, b.old);
        assert_eq!(values_of(a), values_of(b));
        let slots = a.weights.len() / a.stride;
        assert_eq!(slots, b.weights.len() / b.stride);
        let weight = |s: &Snapshot, j: usize, lead: usize| {
            if lead < s.stride {
                s.weights[j * s.stride + lead]
            } else {
                0
            }
        };
        for j in 0..slots {
            for lead in 0..a.stride.max(b.stride) {
                assert_eq!(
                    weight(a, j, lead),
                    weight(b, j, lead),
                    "rule {j}, lead {lead}"
                );
            }
        }
    }

    fn now() -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::parse_from_rfc3339("2026-11-01T20:00:00Z")
            .unwrap()
            .into()
    }

    /// Writes of every kind scoring reads, through the API and in SQL.
    fn change_everything_scoring_reads(db: &crate::Sodate) -> Vec<i64> {
        let conn = db.conn();
        let add = |lead: i64, activity_type: &str, detail: &str| {
            crate::activities::add(
                db,
                &crate::activities::ActivityInput {
                    lead_id: lead,
                    activity_type: activity_type.into(),
                    occurred_at: Some("2026-10-30T10:00:00Z".into()),
                    detail: detail.into(),
                    event_id: None,
                },
                now(),
            )
            .unwrap()
        };
        add(5, "document_request", "料金表");
        add(6, "page_view", "/pricing");
        add(6, "email_opened", "news 11月号");
        conn.execute_batch(
            "DELETE FROM activities WHERE id = (SELECT min(id) FROM activities WHERE lead_id = 7);
             UPDATE activities SET detail = '/contact'
              WHERE id = (SELECT min(id) FROM activities
                          WHERE lead_id = 14 AND type_id = (SELECT id FROM activity_types WHERE code = 'page_view'));
             UPDATE leads SET title = '代表取締役', department = '営業本部', email = 'ceo@gmail.com',
                    prefecture = '大阪府', website = 'https://example.jp' WHERE id = 8;
             UPDATE leads SET custom = json_set(custom, '$.業種メモ', '製造') WHERE id = 9;
             UPDATE companies SET industry = '宇宙', name = 'テック宇宙', prefecture = '東京都', domain = 'space.jp'
              WHERE id = (SELECT company_id FROM leads WHERE id = 10);
             UPDATE leads SET company_id = (SELECT company_id FROM leads WHERE id = 3) WHERE id = 11;
             DELETE FROM leads WHERE id = 13;",
        )
        .unwrap();
        // A score rewritten for one lead alone (the model changed behind the scoring code's
        // back here, so only the rewrite itself names the lead).
        let mut capped = serde_json::to_value(ScoringModel::default()).unwrap();
        capped["engagementCap"] = serde_json::json!(1);
        conn.execute(
            "INSERT INTO scoring_model (id, revision, model, updated_at)
             VALUES (1, 1, ?1, '2026-11-01T00:00:00Z')",
            [capped.to_string()],
        )
        .unwrap();
        let hot: i64 = conn
            .query_row(
                "SELECT id FROM lead_scores WHERE id > 20 ORDER BY engagement_score DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(
            db.write(|tx| super::super::recompute_leads(tx, &[hot], now()))
                .unwrap(),
            1
        );
        conn.execute("DELETE FROM scoring_model", []).unwrap();
        // New leads, one beyond the room the snapshot has.
        let new_lead = |family: &str| {
            crate::leads::create(
                db,
                &crate::LeadInput {
                    family_name: family.into(),
                    email: format!("{family}@example.co.jp"),
                    ..Default::default()
                },
            )
            .unwrap()
            .lead
            .id
        };
        let a = new_lead("sato");
        conn.execute(
            "UPDATE sqlite_sequence SET seq = seq + 10000 WHERE name = 'leads'",
            [],
        )
        .unwrap();
        let b = new_lead("suzuki");
        add(b, "seminar_attended", "");
        vec![a, b]
    }

    #[test]
    fn a_snapshot_brought_up_to_date_through_the_journal_equals_a_new_read() {
        let (_dir, db) = demo_db();
        let conn = db.conn();
        let models = [ScoringModel::default(), wide_model()];
        let before: Vec<Snapshot> = models
            .iter()
            .map(|m| {
                let compiled = compile_in(conn, m.clone()).unwrap();
                Snapshot::scan(conn, &compiled, today()).unwrap()
            })
            .collect();
        let stride = before[0].stride;
        let new = change_everything_scoring_reads(&db);
        assert!(
            new[1] as usize >= stride,
            "lead {} beyond the room it has ({stride})",
            new[1]
        );
        for (m, snap) in models.iter().zip(before) {
            let caught = snap
                .brought_up_to_date(conn, today())
                .unwrap()
                .expect("brought up to date");
            assert!(caught.ids.contains(&new[1]) && !caught.ids.contains(&13));
            let compiled = compile_in(conn, m.clone()).unwrap();
            let fresh = Snapshot::scan(conn, &compiled, today()).unwrap();
            assert_same(&caught, &fresh);
            // And it scores every lead as the new read does.
            let mut scores = Vec::new();
            caught
                .evaluate(&compiled, |s| {
                    scores.push((s.id, s.old, s.new));
                    Ok(())
                })
                .unwrap();
            let mut expected = Vec::new();
            fresh
                .evaluate(&compiled, |s| {
                    expected.push((s.id, s.old, s.new));
                    Ok(())
                })
                .unwrap();
            assert_eq!(scores, expected);
            // Nothing changed since: it stays as it is.
            let again = caught.brought_up_to_date(conn, today()).unwrap().unwrap();
            assert_same(&again, &fresh);
        }
    }

    #[test]
    fn a_snapshot_is_read_again_after_a_full_rescore_a_bulk_load_or_on_another_day() {
        let (_dir, db) = demo_db();
        let conn = db.conn();
        let compiled = compile_in(conn, ScoringModel::default()).unwrap();
        let read = || Snapshot::scan(conn, &compiled, today()).unwrap();
        assert!(read()
            .brought_up_to_date(conn, today() + 1)
            .unwrap()
            .is_none());
        let snap = read();
        super::super::recompute_all(&db, now()).unwrap();
        assert!(snap.brought_up_to_date(conn, today()).unwrap().is_none());
        let snap = read();
        changes::everything_changed(conn).unwrap();
        assert!(snap.brought_up_to_date(conn, today()).unwrap().is_none());
        // Too many changed leads to re-read one by one.
        let snap = read();
        conn.execute_batch(&format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {})
             INSERT INTO lead_changes (lead_id) SELECT i FROM n",
            CATCH_UP_LIMIT + 1
        ))
        .unwrap();
        assert!(snap.brought_up_to_date(conn, today()).unwrap().is_none());
    }

    #[test]
    fn the_snapshot_stored_with_a_full_rescore_is_read_back_and_brought_up_to_date() {
        let (dir, db) = demo_db();
        super::super::recompute_all(&db, now()).unwrap();
        let conn = db.conn();
        let compiled = compile_in(conn, wide_model()).unwrap();
        let stored = Snapshot::stored_up_to_date(conn, today())
            .unwrap()
            .expect("stored");
        let default = compile_in(conn, ScoringModel::default()).unwrap();
        assert!(stored.fits(&default) && !stored.fits(&compiled));
        assert_same(&stored, &Snapshot::scan(conn, &default, today()).unwrap());
        assert!(Snapshot::stored_up_to_date(conn, today() + 1)
            .unwrap()
            .is_none());
        change_everything_scoring_reads(&db);
        let stored = Snapshot::stored_up_to_date(conn, today()).unwrap().unwrap();
        assert_same(&stored, &Snapshot::scan(conn, &default, today()).unwrap());
        // A new handle (another process) previews from it, with the figures a full read
        // gives.
        let mut model = ScoringModel::default();
        model.behaviour_rules[0].points = 45.0;
        let other = crate::Sodate::open(dir.path().join("demo.db")).unwrap();
        let from_stored = super::super::impact_preview(&other, &model, now()).unwrap();
        conn.execute("DELETE FROM score_snapshot", []).unwrap();
        let third = crate::Sodate::open(dir.path().join("demo.db")).unwrap();
        let from_read = super::super::impact_preview(&third, &model, now()).unwrap();
        assert!(from_read.becoming_mql > 0, "{from_read:?}");
        assert_eq!(
            (
                from_stored.becoming_mql,
                from_stored.grade_changes,
                from_stored.mql_after,
                from_stored.score_changes
            ),
            (
                from_read.becoming_mql,
                from_read.grade_changes,
                from_read.mql_after,
                from_read.score_changes
            )
        );
        // Damaged or foreign data is not used (the preview reads everything instead).
        super::super::recompute_all(&db, now()).unwrap();
        conn.execute("DELETE FROM score_snapshot", []).unwrap();
        let reference = crate::Sodate::open(dir.path().join("demo.db")).unwrap();
        let from_read = super::super::impact_preview(&reference, &model, now()).unwrap();
        super::super::recompute_all(&db, now()).unwrap();
        for damage in [
            "UPDATE score_snapshot SET data = substr(data, 1, length(data) / 2)",
            "UPDATE score_snapshot SET data = X'00'",
            "UPDATE score_snapshot SET data = zeroblob(64)",
            "UPDATE score_snapshot SET data = CAST('SODSNAP1' AS BLOB) || randomblob(5000)",
        ] {
            conn.execute(damage, []).unwrap();
            assert!(
                Snapshot::stored_up_to_date(conn, today())
                    .unwrap()
                    .is_none(),
                "{damage}"
            );
            let fourth = crate::Sodate::open(dir.path().join("demo.db")).unwrap();
            let p = super::super::impact_preview(&fourth, &model, now()).unwrap();
            assert_eq!(p.becoming_mql, from_read.becoming_mql);
        }
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
