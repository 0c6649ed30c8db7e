//! Compilation of a filter to one parameterised SQL condition over `leads l`.
//!
//! Invariants:
//! * no value ever enters the SQL text: values are bound parameters (`?`, numbered by SQLite
//!   in the order they appear); the text holds only fixed column names from the field
//!   catalogue, operators and parentheses;
//! * every condition is 0 or 1, never NULL (nullable columns are tested with IS NULL first),
//!   so `not` is plain negation;
//! * the conditions of an `all` group are top-level ANDed terms and positive set conditions
//!   are `l.id IN (…)` / `l.company_id IN (…)`, shapes SQLite's planner can drive from an
//!   index (activities by type and time, leads by company) instead of reading every lead.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension};

use super::fields::{FieldDef, FieldType, Op, Source, TextKey};
use super::filter::{
    at, ActivityCondition, FieldCondition, FieldRef, JourneyCondition, Operand, SegmentFilter,
};
use crate::{Error, FieldIssue, Result};

/// Segment references nest at most this deep (a segment of a segment of …).
pub const MAX_REFERENCE_DEPTH: usize = 16;

/// A compiled filter: `sql` is a condition over `leads l`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Compiled {
    pub sql: String,
    pub params: Vec<SqlValue>,
    /// The journey maps whose stages the filter reads (directly or through the segments it
    /// refers to): a journey stage's own rule may not read any.
    pub journey_maps: Vec<i64>,
}

impl Compiled {
    /// `SELECT l.id AS id FROM leads l WHERE …`.
    pub(crate) fn ids_sql(&self) -> String {
        format!("SELECT l.id AS id FROM leads l WHERE {}", self.sql)
    }
}

/// Compiles `filter` as seen at `now`. `within` are the segments being saved or expanded
/// (a reference back to one of them is a cycle).
pub(crate) fn compile(
    conn: &Connection,
    filter: &SegmentFilter,
    now: DateTime<Utc>,
    within: &[i64],
) -> Result<Compiled> {
    let mut c = Compiler {
        conn,
        now,
        sql: String::new(),
        params: Vec::new(),
        stack: within.to_vec(),
        outer: None,
        type_ids: None,
        issues: Vec::new(),
        journey_maps: Vec::new(),
    };
    c.node(filter)?;
    if !c.issues.is_empty() {
        return Err(Error::Invalid { issues: c.issues });
    }
    Ok(Compiled {
        sql: c.sql,
        params: c.params,
        journey_maps: c.journey_maps,
    })
}

/// `SELECT a.lead_id FROM activities a WHERE …`: one row per activity of type `type_id`
/// that `a` counts (its time and detail conditions), for the in-memory evaluator.
pub(crate) fn activity_rows(
    conn: &Connection,
    a: &ActivityCondition,
    type_id: i64,
    now: DateTime<Utc>,
) -> Compiled {
    let mut c = Compiler {
        conn,
        now,
        sql: "SELECT a.lead_id FROM activities a WHERE ".into(),
        params: Vec::new(),
        stack: Vec::new(),
        outer: None,
        type_ids: None,
        issues: Vec::new(),
        journey_maps: Vec::new(),
    };
    c.activity_conditions(a, Some(type_id), false);
    Compiled {
        sql: c.sql,
        params: c.params,
        journey_maps: Vec::new(),
    }
}

struct Compiler<'c> {
    conn: &'c Connection,
    now: DateTime<Utc>,
    sql: String,
    params: Vec<SqlValue>,
    stack: Vec<i64>,
    /// While a referenced segment is expanded: the reference's path in the filter being
    /// compiled, where problems inside it are reported.
    outer: Option<String>,
    type_ids: Option<HashMap<String, i64>>,
    issues: Vec<FieldIssue>,
    journey_maps: Vec<i64>,
}

/// The UTC timestamp text at which a calendar day starts in Japan (UTC+9).
pub(crate) fn day_start(day: NaiveDate) -> String {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    let utc = Utc.from_utc_datetime(&midnight) - Duration::hours(9);
    crate::time::format(utc)
}

pub(crate) fn next_day(day: NaiveDate) -> NaiveDate {
    day.succ_opt().unwrap_or(day)
}

/// The timestamp text `days` days before `now`.
pub(crate) fn days_ago(now: DateTime<Utc>, days: i64) -> String {
    crate::time::format(now - Duration::days(days))
}

impl Compiler<'_> {
    fn issue(&mut self, path: &str, code: &str, message: String) {
        let path = self.outer.clone().unwrap_or_else(|| at(path).to_string());
        self.issues.push(FieldIssue::new(&path, code, message));
    }

    fn push(&mut self, sql: &str) {
        self.sql.push_str(sql);
    }

    fn bind(&mut self, value: impl Into<SqlValue>) {
        self.sql.push('?');
        self.params.push(value.into());
    }

    fn bind_list(&mut self, values: impl IntoIterator<Item = SqlValue>) {
        self.sql.push('(');
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.sql.push_str(", ");
            }
            self.bind(v);
        }
        self.sql.push(')');
    }

    fn node(&mut self, f: &SegmentFilter) -> Result<()> {
        match f {
            SegmentFilter::All(children) | SegmentFilter::Any(children) => {
                let all = matches!(f, SegmentFilter::All(_));
                if children.is_empty() {
                    self.push(if all { "1" } else { "0" });
                    return Ok(());
                }
                self.push("(");
                for (i, child) in children.iter().enumerate() {
                    if i > 0 {
                        self.push(if all { " AND " } else { " OR " });
                    }
                    self.push("(");
                    self.node(child)?;
                    self.push(")");
                }
                self.push(")");
            }
            SegmentFilter::Not(child) => {
                self.push("NOT (");
                self.node(child)?;
                self.push(")");
            }
            SegmentFilter::Field(c) => self.field(c),
            SegmentFilter::Activity(a) => self.activity(a)?,
            SegmentFilter::Segment { id, path } => self.segment(*id, path)?,
            SegmentFilter::Journey(j) => self.journey(j)?,
        }
        Ok(())
    }

    /// The leads with an open interval in the stage (any stage) of the map: one range of
    /// the partial index `journey_members_open (map_id, lead_id, stage_id)`.
    fn journey(&mut self, j: &JourneyCondition) -> Result<()> {
        let doc: Option<String> = self
            .conn
            .prepare_cached("SELECT doc FROM journey_maps WHERE id = ?1")?
            .query_row([j.map], |r| r.get(0))
            .optional()?;
        let Some(doc) = doc else {
            self.issue(
                &format!("{}.map", j.path),
                "unknown_journey",
                format!(
                    "there is no journey map {} (it may have been deleted)",
                    j.map
                ),
            );
            self.push("0");
            return Ok(());
        };
        if let Some(stage) = &j.stage {
            let doc = crate::journeys::JourneyDoc::from_stored(&doc)?;
            if doc.stage(stage).is_none() {
                self.issue(
                    &format!("{}.stage", j.path),
                    "unknown_stage",
                    format!(
                        "the journey map {} has no stage \"{stage}\" (it may have been removed)",
                        j.map
                    ),
                );
                self.push("0");
                return Ok(());
            }
        }
        if !self.journey_maps.contains(&j.map) {
            self.journey_maps.push(j.map);
        }
        self.push("l.id IN (SELECT m.lead_id FROM journey_stage_members m WHERE m.map_id = ");
        self.bind(j.map);
        self.push(" AND m.exited_at IS NULL");
        if let Some(stage) = &j.stage {
            self.push(" AND m.stage_id = ");
            self.bind(stage.clone());
        }
        self.push(")");
        Ok(())
    }

    fn segment(&mut self, id: i64, path: &str) -> Result<()> {
        if self.stack.contains(&id) {
            let chain = self
                .stack
                .iter()
                .chain(std::iter::once(&id))
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(" → ");
            self.issue(
                path,
                "segment_cycle",
                format!("segment {id} refers back to itself ({chain})"),
            );
            self.push("0");
            return Ok(());
        }
        if self.stack.len() >= MAX_REFERENCE_DEPTH {
            self.issue(
                path,
                "too_deep",
                format!("segments refer to segments at most {MAX_REFERENCE_DEPTH} levels deep"),
            );
            self.push("0");
            return Ok(());
        }
        let row: Option<(String, Option<String>)> = self
            .conn
            .prepare_cached("SELECT kind, filter FROM segments WHERE id = ?1")?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        match row {
            None => {
                self.issue(
                    path,
                    "unknown_segment",
                    format!("there is no segment {id} (it may have been deleted)"),
                );
                self.push("0");
            }
            Some((kind, _)) if kind == "static" => {
                self.push("l.id IN (SELECT m.lead_id FROM segment_members m WHERE m.segment_id = ");
                self.bind(id);
                self.push(")");
            }
            Some((_, filter)) => {
                let value: serde_json::Value =
                    serde_json::from_str(filter.as_deref().unwrap_or("{\"all\":[]}"))?;
                let inner = SegmentFilter::parse(&value).map_err(|e| {
                    Error::invalid(
                        at(path),
                        "invalid_segment",
                        format!("segment {id} has an invalid filter: {e}"),
                    )
                })?;
                self.stack.push(id);
                let outer = self.outer.take();
                self.outer = Some(outer.clone().unwrap_or_else(|| at(path).to_string()));
                self.push("(");
                self.node(&inner)?;
                self.push(")");
                self.outer = outer;
                self.stack.pop();
            }
        }
        Ok(())
    }

    fn type_id(&mut self, code: &str) -> Result<Option<i64>> {
        if self.type_ids.is_none() {
            let ids = self
                .conn
                .prepare_cached("SELECT code, id FROM activity_types")?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<HashMap<String, i64>>>()?;
            self.type_ids = Some(ids);
        }
        Ok(self
            .type_ids
            .as_ref()
            .and_then(|ids| ids.get(code).copied()))
    }

    fn activity(&mut self, a: &ActivityCondition) -> Result<()> {
        let type_id = match &a.kind {
            Some(code) => match self.type_id(code)? {
                Some(id) => Some(id),
                None => {
                    self.issue(
                        &format!("{}.type", a.path),
                        "unknown_activity_type",
                        format!("there is no activity type \"{code}\""),
                    );
                    self.push("0");
                    return Ok(());
                }
            },
            None => None,
        };
        if a.min_count == 0 && a.max_count.is_none() {
            self.push("1");
            return Ok(());
        }
        // Typed conditions yield their leads from activities_by_type_time (one index range);
        // untyped ones probe each lead's activities through activities_by_lead.
        let correlated = type_id.is_none();
        let conditions = |c: &mut Self| c.activity_conditions(a, type_id, correlated);
        if correlated {
            match (a.min_count, a.max_count) {
                (1, None) => {
                    self.push("EXISTS (SELECT 1 FROM activities a WHERE ");
                    conditions(self);
                    self.push(")");
                }
                (0, Some(0)) => {
                    self.push("NOT EXISTS (SELECT 1 FROM activities a WHERE ");
                    conditions(self);
                    self.push(")");
                }
                (min, max) => {
                    self.push("(SELECT count(*) FROM activities a WHERE ");
                    conditions(self);
                    self.push(") BETWEEN ");
                    self.bind(i64::from(min));
                    self.push(" AND ");
                    self.bind(max.map_or(i64::MAX, i64::from));
                }
            }
            return Ok(());
        }
        let (negated, having): (bool, Option<(u32, Option<u32>)>) = match (a.min_count, a.max_count)
        {
            (1, None) => (false, None),
            (0, Some(0)) => (true, None),
            (0, Some(max)) => (true, Some((max + 1, None))),
            (min, max) => (false, Some((min, max))),
        };
        self.push(if negated { "l.id NOT IN " } else { "l.id IN " });
        self.push("(SELECT a.lead_id FROM activities a WHERE ");
        conditions(self);
        if let Some((min, max)) = having {
            self.push(" GROUP BY a.lead_id HAVING count(*) >= ");
            self.bind(i64::from(min));
            if let Some(max) = max {
                self.push(" AND count(*) <= ");
                self.bind(i64::from(max));
            }
        }
        self.push(")");
        Ok(())
    }

    /// The WHERE conditions over `activities a` of an activity condition: the lead (when
    /// `correlated`), the type, the time and the detail.
    fn activity_conditions(
        &mut self,
        a: &ActivityCondition,
        type_id: Option<i64>,
        correlated: bool,
    ) {
        let mut first = true;
        let mut and = |c: &mut Self| {
            if !first {
                c.push(" AND ");
            }
            first = false;
        };
        if correlated {
            and(self);
            self.push("a.lead_id = l.id");
        }
        if let Some(id) = type_id {
            and(self);
            self.push("a.type_id = ");
            self.bind(id);
        }
        if let Some(days) = a.within_days {
            and(self);
            self.push("a.occurred_at >= ");
            self.bind(self.now.timestamp() - days * 86_400);
        }
        if let Some((op, value)) = &a.detail {
            and(self);
            self.text_op(
                "lower(a.detail)",
                "a.detail",
                *op,
                &Operand::Text(value.clone()),
            );
        }
        if first {
            self.push("1");
        }
    }

    fn field(&mut self, c: &FieldCondition) {
        match &c.field {
            FieldRef::Custom(name) => {
                let name = name.clone();
                let expr = |c: &mut Self| {
                    c.push("lower(coalesce((SELECT CAST(j.value AS TEXT) FROM json_each(l.custom) j WHERE j.key = ");
                    c.bind(name.clone());
                    c.push("), ''))");
                };
                self.text_with(expr, c.op, &c.operand);
            }
            FieldRef::Builtin(def) => match def.source {
                Source::Lead(col) => self.column(def, "l", col, c.op, &c.operand),
                Source::Company(col) => {
                    // A lead without a company has every company field empty.
                    let empty_matches =
                        matches!(c.op, Op::Ne | Op::NotContains | Op::NotIn | Op::Empty);
                    self.push(if empty_matches {
                        "(l.company_id IS NULL OR l.company_id IN (SELECT c.id FROM companies c WHERE "
                    } else {
                        "(l.company_id IS NOT NULL AND l.company_id IN (SELECT c.id FROM companies c WHERE "
                    });
                    self.column(def, "c", col, c.op, &c.operand);
                    self.push("))");
                }
                Source::Score(col) => {
                    self.push("l.id IN (SELECT s.id FROM lead_scores s WHERE ");
                    self.column(def, "s", col, c.op, &c.operand);
                    self.push(")");
                }
                Source::Tags => self.tags(c.op, &c.operand),
                Source::Event => self.event(c.op, &c.operand),
            },
        }
    }

    fn column(&mut self, def: &FieldDef, alias: &str, col: &str, op: Op, operand: &Operand) {
        let column = format!("{alias}.{col}");
        match def.kind {
            FieldType::Number => self.number(&column, op, operand),
            FieldType::Date => self.date(&column, def.nullable, op, operand),
            FieldType::Enum => self.exact(&column, op, operand),
            _ => {
                let expr = match (def.text, op) {
                    (TextKey::Plain, _) => format!("lower({column})"),
                    (TextKey::Phone, Op::Contains | Op::NotContains | Op::StartsWith) => format!(
                        "(CASE WHEN substr({column}, 1, 3) = '+81' THEN '0' || substr({column}, 4) ELSE {column} END)"
                    ),
                    _ => column.clone(),
                };
                self.text_op(&expr, &column, op, operand);
            }
        }
    }

    fn text_with(&mut self, expr: impl Fn(&mut Self), op: Op, operand: &Operand) {
        // The expression is written once per use, with its own parameters.
        match (op, operand) {
            (Op::Empty, _) => {
                expr(self);
                self.push(" = ''");
            }
            (Op::NotEmpty, _) => {
                expr(self);
                self.push(" <> ''");
            }
            (Op::In | Op::NotIn, Operand::Texts(values)) => {
                expr(self);
                self.push(if op == Op::In { " IN " } else { " NOT IN " });
                self.bind_list(values.iter().cloned().map(SqlValue::Text));
            }
            (_, Operand::Text(v)) => {
                let v = v.clone();
                match op {
                    Op::Eq | Op::Ne => {
                        expr(self);
                        self.push(if op == Op::Eq { " = " } else { " <> " });
                        self.bind(v);
                    }
                    Op::Contains | Op::NotContains => {
                        self.push("instr(");
                        expr(self);
                        self.push(", ");
                        self.bind(v);
                        self.push(if op == Op::Contains { ") > 0" } else { ") = 0" });
                    }
                    _ => {
                        self.push("(");
                        expr(self);
                        self.push(" >= ");
                        self.bind(v.clone());
                        self.push(" AND ");
                        expr(self);
                        self.push(" < ");
                        self.bind(format!("{v}\u{10FFFF}"));
                        self.push(")");
                    }
                }
            }
            _ => self.push("0"),
        }
    }

    /// A text comparison of `expr`; `raw` is the stored column (for empty / not empty).
    fn text_op(&mut self, expr: &str, raw: &str, op: Op, operand: &Operand) {
        match op {
            Op::Empty => self.push(&format!("{raw} = ''")),
            Op::NotEmpty => self.push(&format!("{raw} <> ''")),
            _ => {
                let expr = expr.to_string();
                self.text_with(move |c: &mut Self| c.push(&expr), op, operand);
            }
        }
    }

    fn exact(&mut self, column: &str, op: Op, operand: &Operand) {
        let expr = column.to_string();
        self.text_with(move |c: &mut Self| c.push(&expr), op, operand);
    }

    fn number(&mut self, column: &str, op: Op, operand: &Operand) {
        match operand {
            Operand::Numbers(a, b) => {
                self.push(&format!("{column} BETWEEN "));
                self.bind(*a);
                self.push(" AND ");
                self.bind(*b);
            }
            Operand::Number(n) => {
                let sign = match op {
                    Op::Eq => "=",
                    Op::Ne => "<>",
                    Op::Lt => "<",
                    Op::Lte => "<=",
                    Op::Gt => ">",
                    _ => ">=",
                };
                self.push(&format!("{column} {sign} "));
                self.bind(*n);
            }
            _ => self.push("0"),
        }
    }

    fn date(&mut self, column: &str, nullable: bool, op: Op, operand: &Operand) {
        match op {
            Op::Empty => {
                self.push(&format!("({column} IS NULL OR {column} = '')"));
                return;
            }
            Op::NotEmpty => {
                self.push(&format!("({column} IS NOT NULL AND {column} <> '')"));
                return;
            }
            _ => {}
        }
        // [from, to) as timestamp texts.
        let (from, to): (Option<String>, Option<String>) = match (op, operand) {
            (Op::Eq, Operand::Day(d)) => (Some(day_start(*d)), Some(day_start(next_day(*d)))),
            (Op::Lt, Operand::Day(d)) => (None, Some(day_start(*d))),
            (Op::Lte, Operand::Day(d)) => (None, Some(day_start(next_day(*d)))),
            (Op::Gt, Operand::Day(d)) => (Some(day_start(next_day(*d))), None),
            (Op::Gte, Operand::Day(d)) => (Some(day_start(*d)), None),
            (Op::Between, Operand::Days(a, b)) => {
                (Some(day_start(*a)), Some(day_start(next_day(*b))))
            }
            (Op::WithinDays, Operand::Ago(n)) => (Some(days_ago(self.now, *n)), None),
            (Op::BeforeDays, Operand::Ago(n)) => (None, Some(days_ago(self.now, *n))),
            _ => (None, None),
        };
        self.push("(");
        if nullable {
            self.push(&format!("{column} IS NOT NULL AND "));
        }
        match (from, to) {
            (Some(f), Some(t)) => {
                self.push(&format!("{column} >= "));
                self.bind(f);
                self.push(&format!(" AND {column} < "));
                self.bind(t);
            }
            (Some(f), None) => {
                self.push(&format!("{column} >= "));
                self.bind(f);
            }
            (None, Some(t)) => {
                self.push(&format!("{column} < "));
                self.bind(t);
            }
            (None, None) => self.push("0"),
        }
        self.push(")");
    }

    fn tags(&mut self, op: Op, operand: &Operand) {
        let names: Vec<String> = match operand {
            Operand::Text(t) => vec![t.clone()],
            Operand::Texts(t) => t.clone(),
            _ => Vec::new(),
        };
        match op {
            Op::Empty => {
                self.push("NOT EXISTS (SELECT 1 FROM lead_tags lt WHERE lt.lead_id = l.id)")
            }
            Op::NotEmpty => {
                self.push("EXISTS (SELECT 1 FROM lead_tags lt WHERE lt.lead_id = l.id)")
            }
            _ => {
                let negated = matches!(op, Op::NotContains | Op::NotIn);
                self.push(if negated { "l.id NOT IN " } else { "l.id IN " });
                self.push("(SELECT lt.lead_id FROM lead_tags lt WHERE lt.tag_id IN (SELECT t.id FROM tags t WHERE t.name IN ");
                self.bind_list(names.into_iter().map(SqlValue::Text));
                self.push("))");
            }
        }
    }

    fn event(&mut self, op: Op, operand: &Operand) {
        let empty = "(l.first_event_id IS NULL AND NOT EXISTS (SELECT 1 FROM activities a WHERE a.lead_id = l.id AND a.event_id IS NOT NULL))";
        match op {
            Op::Empty => self.push(empty),
            Op::NotEmpty => self.push(&format!("NOT {empty}")),
            _ => {
                let ids: Vec<i64> = match operand {
                    Operand::Ids(ids) => ids.clone(),
                    _ => Vec::new(),
                };
                let negated = matches!(op, Op::Ne | Op::NotIn);
                self.push(if negated { "NOT (" } else { "(" });
                self.push("coalesce(l.first_event_id IN ");
                self.bind_list(ids.iter().map(|i| SqlValue::Integer(*i)));
                self.push(
                    ", 0) OR l.id IN (SELECT a.lead_id FROM activities a WHERE a.event_id IN ",
                );
                self.bind_list(ids.iter().map(|i| SqlValue::Integer(*i)));
                self.push("))");
            }
        }
    }
}
