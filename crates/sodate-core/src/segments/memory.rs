//! The in-memory evaluator of live counts: a columnar snapshot of the lead and company
//! attributes that conditions compare, and a filter evaluated to a bitset of lead ids.
//!
//! Why: the compiled SQL of the example reads a lead row for every lead that
//! attended a seminar (107k random reads at 1M leads, 0.3–0.5 s), and `title contains`
//! needs every lead row whatever the plan. Here a text condition is decided once per
//! *distinct* stored value (a few hundred titles, a few dozen industries), then one pass over
//! the leads' u32 value codes sets the bits; groups combine bitsets (and / or / and-not).
//! Conditions on values that are nearly all distinct (names, e-mails, addresses, dates,
//! phones, custom fields), tags and events are answered by SQLite as id sets (the leaf's
//! compiled SQL); activity conditions read the index range of `activities_by_type_time`
//! per type, counting per lead in memory.
//!
//! The snapshot is built on the first count that needs it (one scan of `leads` and one of
//! `companies`) and dropped when the database changed — a write by this connection or a
//! commit by another process — as [`crate::leads::RankCache`] does. Memory at 1M leads:
//! 4 bytes per lead and column (company and 8 text columns), 8 per score, ~52 MB.
//!
//! Invariant: the result equals the compiled SQL's (the property test in `tests.rs` checks
//! both against the naive evaluator). Text semantics are SQLite's: `lower()` folds ASCII
//! only; `starts_with` is the byte range `[v, v || U+10FFFF)`; `contains` is `instr`.

use std::cell::RefCell;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension};

use super::compile::{self, Compiled};
use super::fields::{FieldDef, FieldType, Op, Source, TextKey};
use super::filter::{ActivityCondition, FieldCondition, FieldRef, Operand, SegmentFilter};
use crate::db::Stamp;
use crate::Result;

/// Lead columns held in memory, as read (`l`: `leads`, `s`: `lead_scores`): few distinct
/// values each, compared as text.
const LEAD_TEXT: [&str; 8] = [
    "l.title",
    "l.department",
    "l.prefecture",
    "l.source",
    "l.owner",
    "l.lifecycle_stage",
    "l.consent_state",
    "s.grade",
];
/// Lead columns held in memory as numbers.
const LEAD_NUMBERS: [&str; 2] = ["s.engagement_score", "s.fit_score"];

/// The position of `column` (a field's column name) in `columns` (qualified names).
fn position_of(columns: &[&str], column: &str) -> Option<usize> {
    columns
        .iter()
        .position(|c| c.split_once('.').map_or(*c, |(_, name)| name) == column)
}
/// Company columns held in memory (137k companies at 1M leads: all of them are cheap).
const COMPANY_TEXT: [&str; 6] = [
    "name_key",
    "reading_key",
    "industry",
    "employee_band",
    "domain",
    "prefecture",
];

/// Ids are array indexes: a database whose largest id is far beyond its row count (ids
/// written by hand) is left to SQL rather than given a huge sparse array.
const MAX_SPARSE_IDS: i64 = 4_000_000;

/// A set of lead ids, one bit per id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Bits(Vec<u64>);

impl Bits {
    fn empty(ids: usize) -> Self {
        Bits(vec![0; ids.div_ceil(64)])
    }

    fn set(&mut self, id: usize) {
        if let Some(w) = self.0.get_mut(id / 64) {
            *w |= 1 << (id % 64);
        }
    }

    fn get(&self, id: usize) -> bool {
        self.0
            .get(id / 64)
            .is_some_and(|w| w & (1 << (id % 64)) != 0)
    }

    fn and(&mut self, other: &Bits) {
        self.0.iter_mut().zip(&other.0).for_each(|(a, b)| *a &= b);
    }

    fn or(&mut self, other: &Bits) {
        self.0.iter_mut().zip(&other.0).for_each(|(a, b)| *a |= b);
    }

    fn and_not(&mut self, other: &Bits) {
        self.0.iter_mut().zip(&other.0).for_each(|(a, b)| *a &= !b);
    }

    pub(crate) fn count(&self) -> u32 {
        self.0.iter().map(|w| w.count_ones()).sum()
    }

    /// The ids, ascending.
    pub(crate) fn ids(&self) -> Vec<i64> {
        let mut out = Vec::with_capacity(self.count() as usize);
        for (i, &w) in self.0.iter().enumerate() {
            let mut w = w;
            while w != 0 {
                let bit = w.trailing_zeros() as usize;
                out.push((i * 64 + bit) as i64);
                w &= w - 1;
            }
        }
        out
    }
}

/// A dictionary-encoded text column: `codes[id]` indexes `values` (code 0: no row).
struct TextColumn {
    values: Vec<String>,
    codes: Vec<u32>,
}

impl TextColumn {
    fn new(rows: usize) -> Self {
        Self {
            values: vec![String::new()],
            codes: vec![0; rows],
        }
    }

    fn push(&mut self, index: &mut HashMap<String, u32>, id: usize, value: &str) {
        let code = match index.get(value) {
            Some(&c) => c,
            None => {
                let c = self.values.len() as u32;
                self.values.push(value.to_string());
                index.insert(value.to_string(), c);
                c
            }
        };
        self.codes[id] = code;
    }

    /// Which codes `matches` accepts (code 0, no row, never).
    fn accepted(&self, matches: impl Fn(&str) -> bool) -> Vec<bool> {
        let mut out: Vec<bool> = self.values.iter().map(|v| matches(v)).collect();
        out[0] = false;
        out
    }

    fn bytes(&self) -> usize {
        self.codes.len() * 4 + self.values.iter().map(|v| v.len() + 24).sum::<usize>()
    }
}

/// The attributes of every lead and company, as of one database state.
pub(crate) struct Snapshot {
    /// Every existing lead id.
    universe: Bits,
    /// Lead id → company id (0: none).
    company_of: Vec<u32>,
    lead_text: Vec<TextColumn>,
    lead_numbers: Vec<Vec<f64>>,
    company_text: Vec<TextColumn>,
}

impl Snapshot {
    /// One scan of the leads and one of the companies; `None` when ids are too sparse.
    fn build(conn: &Connection) -> Result<Option<Self>> {
        let (max_id, rows): (i64, i64) = conn.query_row(
            "SELECT coalesce(max(id), 0), count(*) FROM leads",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let max_company: i64 =
            conn.query_row("SELECT coalesce(max(id), 0) FROM companies", [], |r| {
                r.get(0)
            })?;
        let companies: i64 = conn.query_row("SELECT count(*) FROM companies", [], |r| r.get(0))?;
        if max_id > rows.max(companies) + MAX_SPARSE_IDS
            || max_company > companies + MAX_SPARSE_IDS
            || max_id < 0
            || max_company < 0
        {
            return Ok(None);
        }
        let n = max_id as usize + 1;
        let mut universe = Bits::empty(n);
        let mut company_of = vec![0u32; n];
        let mut lead_text: Vec<TextColumn> = LEAD_TEXT.iter().map(|_| TextColumn::new(n)).collect();
        let mut indexes: Vec<HashMap<String, u32>> =
            LEAD_TEXT.iter().map(|_| HashMap::new()).collect();
        let mut lead_numbers: Vec<Vec<f64>> = LEAD_NUMBERS.iter().map(|_| vec![0.0; n]).collect();
        let mut stmt = conn.prepare(&format!(
            "SELECT l.id, l.company_id, {}, {} FROM leads l JOIN lead_scores s ON s.id = l.id",
            LEAD_TEXT.join(", "),
            LEAD_NUMBERS.join(", ")
        ))?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let id = row.get::<_, i64>(0)? as usize;
            universe.set(id);
            company_of[id] = row
                .get::<_, Option<i64>>(1)?
                .and_then(|c| u32::try_from(c).ok())
                .unwrap_or(0);
            for (i, column) in lead_text.iter_mut().enumerate() {
                let value = text_of(row.get_ref(2 + i)?);
                column.push(&mut indexes[i], id, value);
            }
            for (i, column) in lead_numbers.iter_mut().enumerate() {
                column[id] = row
                    .get::<_, Option<f64>>(2 + LEAD_TEXT.len() + i)?
                    .unwrap_or(0.0);
            }
        }
        let m = max_company as usize + 1;
        let mut company_text: Vec<TextColumn> =
            COMPANY_TEXT.iter().map(|_| TextColumn::new(m)).collect();
        let mut indexes: Vec<HashMap<String, u32>> =
            COMPANY_TEXT.iter().map(|_| HashMap::new()).collect();
        let mut stmt = conn.prepare(&format!(
            "SELECT id, {} FROM companies",
            COMPANY_TEXT.join(", ")
        ))?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let id = row.get::<_, i64>(0)? as usize;
            for (i, column) in company_text.iter_mut().enumerate() {
                column.push(&mut indexes[i], id, text_of(row.get_ref(1 + i)?));
            }
        }
        Ok(Some(Self {
            universe,
            company_of,
            lead_text,
            lead_numbers,
            company_text,
        }))
    }

    /// Bytes held (arrays and dictionaries).
    pub(crate) fn bytes(&self) -> usize {
        self.universe.0.len() * 8
            + self.company_of.len() * 4
            + self.lead_text.iter().map(TextColumn::bytes).sum::<usize>()
            + self.lead_numbers.iter().map(|c| c.len() * 8).sum::<usize>()
            + self
                .company_text
                .iter()
                .map(TextColumn::bytes)
                .sum::<usize>()
    }

    fn lead_text(&self, column: &str) -> Option<&TextColumn> {
        position_of(&LEAD_TEXT, column).map(|i| &self.lead_text[i])
    }

    fn lead_numbers(&self, column: &str) -> Option<&[f64]> {
        position_of(&LEAD_NUMBERS, column).map(|i| self.lead_numbers[i].as_slice())
    }

    fn company_text(&self, column: &str) -> Option<&TextColumn> {
        COMPANY_TEXT
            .iter()
            .position(|c| *c == column)
            .map(|i| &self.company_text[i])
    }

    fn ids(&self) -> usize {
        self.company_of.len()
    }
}

fn text_of(v: ValueRef<'_>) -> &str {
    match v {
        ValueRef::Text(t) => std::str::from_utf8(t).unwrap_or(""),
        _ => "",
    }
}

/// The snapshot of the current database state, kept between counts.
#[derive(Default)]
pub struct SegmentCache {
    inner: RefCell<Cached>,
}

#[derive(Default)]
struct Cached {
    stamp: Option<Stamp>,
    /// `Some(None)`: this state's ids are too sparse for arrays.
    snapshot: Option<Option<Snapshot>>,
}

impl SegmentCache {
    /// The leads matching `filter` (already validated by compiling it) as of `now`, or
    /// `None` when this database is left to SQL.
    pub(crate) fn matching(
        &self,
        conn: &Connection,
        filter: &SegmentFilter,
        now: DateTime<Utc>,
    ) -> Result<Option<Bits>> {
        let mut cached = self.inner.borrow_mut();
        let stamp = Stamp::of(conn)?;
        if cached.stamp != Some(stamp) || cached.snapshot.is_none() {
            cached.snapshot = None;
            cached.snapshot = Some(Snapshot::build(conn)?);
            cached.stamp = Some(stamp);
        }
        let Some(Some(snapshot)) = &cached.snapshot else {
            return Ok(None);
        };
        let mut e = Evaluator {
            conn,
            snap: snapshot,
            now,
            stack: Vec::new(),
            type_ids: None,
        };
        e.node(filter).map(Some)
    }

    /// Whether the snapshot held is of the database as `conn` sees it now (no build needed).
    pub(crate) fn is_current(&self, conn: &Connection) -> Result<bool> {
        let cached = self.inner.borrow();
        Ok(cached.snapshot.is_some() && cached.stamp == Some(Stamp::of(conn)?))
    }

    /// Whether a snapshot is held, and its size in bytes.
    pub(crate) fn held_bytes(&self) -> Option<usize> {
        match &self.inner.borrow().snapshot {
            Some(Some(s)) => Some(s.bytes()),
            _ => None,
        }
    }
}

struct Evaluator<'a> {
    conn: &'a Connection,
    snap: &'a Snapshot,
    now: DateTime<Utc>,
    /// Segments being expanded (references were checked for cycles when compiled).
    stack: Vec<i64>,
    type_ids: Option<Vec<(String, i64)>>,
}

impl Evaluator<'_> {
    fn none(&self) -> Bits {
        Bits::empty(self.snap.ids())
    }

    fn node(&mut self, f: &SegmentFilter) -> Result<Bits> {
        Ok(match f {
            SegmentFilter::All(children) => {
                let mut acc = self.snap.universe.clone();
                for child in children {
                    acc.and(&self.node(child)?);
                }
                acc
            }
            SegmentFilter::Any(children) => {
                let mut acc = self.none();
                for child in children {
                    acc.or(&self.node(child)?);
                }
                acc
            }
            SegmentFilter::Not(child) => {
                let mut acc = self.snap.universe.clone();
                acc.and_not(&self.node(child)?);
                acc
            }
            SegmentFilter::Field(c) => match self.field(c) {
                Some(bits) => bits,
                None => self.by_sql(f)?,
            },
            SegmentFilter::Activity(a) => self.activity(a)?,
            SegmentFilter::Segment { id, .. } => self.segment(*id, f)?,
            // Stage membership is not in the snapshot: one index range of its own.
            SegmentFilter::Journey(_) => self.by_sql(f)?,
        })
    }

    /// The leads a condition's compiled SQL selects.
    fn by_sql(&mut self, f: &SegmentFilter) -> Result<Bits> {
        let c = compile::compile(self.conn, f, self.now, &self.stack)?;
        self.ids_of(&c.ids_sql(), &c)
    }

    /// Bits of the ids (first column) `sql` returns, existing leads only.
    fn ids_of(&self, sql: &str, c: &Compiled) -> Result<Bits> {
        let mut bits = self.none();
        let mut stmt = self.conn.prepare_cached(sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(c.params.iter()))?;
        while let Some(row) = rows.next()? {
            if let Ok(id) = usize::try_from(row.get::<_, i64>(0)?) {
                bits.set(id);
            }
        }
        bits.and(&self.snap.universe);
        Ok(bits)
    }

    fn segment(&mut self, id: i64, f: &SegmentFilter) -> Result<Bits> {
        let row: Option<(String, Option<String>)> = self
            .conn
            .prepare_cached("SELECT kind, filter FROM segments WHERE id = ?1")?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        match row {
            Some((kind, Some(filter)))
                if kind == "dynamic"
                    && !self.stack.contains(&id)
                    && self.stack.len() < compile::MAX_REFERENCE_DEPTH =>
            {
                let value: serde_json::Value = serde_json::from_str(&filter)?;
                match SegmentFilter::parse(&value) {
                    Ok(inner) => {
                        self.stack.push(id);
                        let bits = self.node(&inner);
                        self.stack.pop();
                        bits
                    }
                    // The compiler reports it.
                    Err(_) => self.by_sql(f),
                }
            }
            // Static lists (their members) and anything odd: as the SQL says.
            _ => self.by_sql(f),
        }
    }

    fn type_ids(&mut self) -> Result<&[(String, i64)]> {
        if self.type_ids.is_none() {
            let ids = self
                .conn
                .prepare_cached("SELECT code, id FROM activity_types ORDER BY id")?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            self.type_ids = Some(ids);
        }
        Ok(self.type_ids.as_deref().unwrap_or_default())
    }

    /// Activities are counted per lead from one index range per type (the type given, or
    /// every type); the lead matches when its count is within `min..=max`.
    fn activity(&mut self, a: &ActivityCondition) -> Result<Bits> {
        if a.min_count == 0 && a.max_count.is_none() {
            return Ok(self.snap.universe.clone());
        }
        let types: Vec<i64> = match &a.kind {
            Some(code) => self
                .type_ids()?
                .iter()
                .filter(|(c, _)| c == code)
                .map(|(_, id)| *id)
                .collect(),
            None => self.type_ids()?.iter().map(|(_, id)| *id).collect(),
        };
        let n = self.snap.ids();
        // "At least one" and "none" need only whether a lead has one.
        let presence = matches!((a.min_count, a.max_count), (1, None) | (0, Some(0)));
        let mut any = self.none();
        let mut counts: Vec<u32> = if presence { Vec::new() } else { vec![0; n] };
        for type_id in types {
            let c = compile::activity_rows(self.conn, a, type_id, self.now);
            let mut stmt = self.conn.prepare_cached(&c.sql)?;
            let mut rows = stmt.query(rusqlite::params_from_iter(c.params.iter()))?;
            while let Some(row) = rows.next()? {
                let Ok(id) = usize::try_from(row.get::<_, i64>(0)?) else {
                    continue;
                };
                if presence {
                    any.set(id);
                } else if let Some(count) = counts.get_mut(id) {
                    *count = count.saturating_add(1);
                }
            }
        }
        if presence {
            any.and(&self.snap.universe);
            if a.min_count == 0 {
                let mut none = self.snap.universe.clone();
                none.and_not(&any);
                return Ok(none);
            }
            return Ok(any);
        }
        let (min, max) = (a.min_count, a.max_count.unwrap_or(u32::MAX));
        let mut bits = self.none();
        for (id, &count) in counts.iter().enumerate() {
            if count >= min && count <= max && self.snap.universe.get(id) {
                bits.set(id);
            }
        }
        Ok(bits)
    }

    /// A field condition from the snapshot, or `None` when the field is not held.
    fn field(&self, c: &FieldCondition) -> Option<Bits> {
        let FieldRef::Builtin(def) = &c.field else {
            return None;
        };
        match def.source {
            Source::Lead(column) | Source::Score(column) => {
                if let Some(values) = self.snap.lead_numbers(column) {
                    let test = number_test(c.op, &c.operand);
                    let mut bits = self.none();
                    for (id, &v) in values.iter().enumerate() {
                        if test(v) {
                            bits.set(id);
                        }
                    }
                    bits.and(&self.snap.universe);
                    return Some(bits);
                }
                let column = self.snap.lead_text(column)?;
                let accepted = column.accepted(text_test(def, c.op, &c.operand)?);
                let mut bits = self.none();
                for (id, &code) in column.codes.iter().enumerate() {
                    if accepted[code as usize] {
                        bits.set(id);
                    }
                }
                Some(bits)
            }
            Source::Company(column) => {
                let column = self.snap.company_text(column)?;
                let accepted = column.accepted(text_test(def, c.op, &c.operand)?);
                let company_matches: Vec<bool> = column
                    .codes
                    .iter()
                    .map(|&code| accepted[code as usize])
                    .collect();
                // A lead without a company has every company field empty.
                let empty_matches =
                    matches!(c.op, Op::Ne | Op::NotContains | Op::NotIn | Op::Empty);
                let mut bits = self.none();
                for (id, &company) in self.snap.company_of.iter().enumerate() {
                    let hit = if company == 0 {
                        empty_matches
                    } else {
                        company_matches
                            .get(company as usize)
                            .copied()
                            .unwrap_or(false)
                    };
                    if hit {
                        bits.set(id);
                    }
                }
                bits.and(&self.snap.universe);
                Some(bits)
            }
            Source::Tags | Source::Event => None,
        }
    }
}

/// The test of one stored text value, as the compiled SQL decides it; `None` for the
/// comparisons only SQL makes (phone numbers, dates, numbers).
fn text_test(def: &FieldDef, op: Op, operand: &Operand) -> Option<impl Fn(&str) -> bool> {
    let lower = match (def.kind, def.text) {
        (FieldType::Enum, _) => false,
        (FieldType::Text, TextKey::Plain) => true,
        (FieldType::Text, TextKey::Phone) => return None,
        (FieldType::Text, _) => false,
        _ => return None,
    };
    let operand = operand.clone();
    Some(move |stored: &str| {
        let lowered;
        let expr = if lower {
            lowered = stored.to_ascii_lowercase();
            lowered.as_str()
        } else {
            stored
        };
        match (op, &operand) {
            (Op::Empty, _) => stored.is_empty(),
            (Op::NotEmpty, _) => !stored.is_empty(),
            (Op::In, Operand::Texts(values)) => values.iter().any(|v| v == expr),
            (Op::NotIn, Operand::Texts(values)) => !values.iter().any(|v| v == expr),
            (Op::Eq, Operand::Text(v)) => expr == v,
            (Op::Ne, Operand::Text(v)) => expr != v,
            (Op::Contains, Operand::Text(v)) => expr.contains(v.as_str()),
            (Op::NotContains, Operand::Text(v)) => !expr.contains(v.as_str()),
            (Op::StartsWith, Operand::Text(v)) => {
                // SQLite's range [v, v || U+10FFFF) in byte order.
                let upper = format!("{v}\u{10FFFF}");
                expr.as_bytes() >= v.as_bytes() && expr.as_bytes() < upper.as_bytes()
            }
            _ => false,
        }
    })
}

fn number_test(op: Op, operand: &Operand) -> impl Fn(f64) -> bool {
    let operand = operand.clone();
    move |v: f64| match &operand {
        Operand::Numbers(a, b) => v >= *a && v <= *b,
        Operand::Number(n) => match op {
            Op::Eq => v == *n,
            Op::Ne => v != *n,
            Op::Lt => v < *n,
            Op::Lte => v <= *n,
            Op::Gt => v > *n,
            _ => v >= *n,
        },
        _ => false,
    }
}
