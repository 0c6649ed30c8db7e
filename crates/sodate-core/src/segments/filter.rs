//! The filter tree and its JSON form, parsed by hand so that every error names the node it
//! is about by its path (`all[2].any[0].op`). Parsing checks the syntax, the fields, the
//! operators and the values; what needs the database (activity types, referenced segments,
//! cycles) is checked when the filter is compiled.
//!
//! Values are normalised here, once, with the same functions that built the stored keys
//! (`name_key`, `reading_key`, `company_key`, E.164 …), so the compiler and the reference
//! evaluator of the tests compare like with like.

use chrono::NaiveDate;
use serde_json::{json, Map, Value};

use super::fields::{builtin, ops_of, FieldDef, FieldType, Op, TextKey};
use crate::normalize;
use crate::{Error, FieldIssue, Result};

/// Groups nest at most this deep.
pub const MAX_DEPTH: usize = 32;
/// A filter has at most this many nodes (groups and conditions).
pub const MAX_NODES: usize = 500;
/// An `in` / `not_in` list has at most this many values.
pub const MAX_VALUES: usize = 1_000;
/// A text value has at most this many characters.
pub const MAX_TEXT: usize = 500;
/// Relative dates reach back at most 100 years.
pub const MAX_DAYS: i64 = 36_500;
/// Issues reported at most (a filter that bad is not worth listing further).
const MAX_ISSUES: usize = 50;

/// A segment's filter: groups of conditions nested to any depth.
#[derive(Debug, Clone, PartialEq)]
pub enum SegmentFilter {
    /// Every child matches (an empty group matches every lead).
    All(Vec<SegmentFilter>),
    /// At least one child matches (an empty group matches no lead).
    Any(Vec<SegmentFilter>),
    Not(Box<SegmentFilter>),
    Field(FieldCondition),
    Activity(ActivityCondition),
    /// The members of another saved segment.
    Segment {
        id: i64,
        path: String,
    },
    /// `{"journey": {"map": ID, "stage": "s2"}}`: the leads in a stage of a journey map (any
    /// of its stages when `stage` is omitted), as of the map's last refresh.
    Journey(JourneyCondition),
}

/// Where a lead is in a journey map: its open stage interval (`journey_stage_members`).
#[derive(Debug, Clone, PartialEq)]
pub struct JourneyCondition {
    pub(crate) map: i64,
    /// A stage id of the map's document; `None`: any stage.
    pub(crate) stage: Option<String>,
    pub(crate) path: String,
}

/// `{"field": …, "op": …, "value": …}`.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldCondition {
    pub(crate) field: FieldRef,
    pub(crate) op: Op,
    /// The value, normalised for comparison.
    pub(crate) operand: Operand,
    /// The value as written (kept for saving).
    pub(crate) raw: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FieldRef {
    Builtin(&'static FieldDef),
    /// `custom.<name>`: a value in `leads.custom`.
    Custom(String),
}

impl FieldRef {
    pub(crate) fn code(&self) -> String {
        match self {
            FieldRef::Builtin(f) => f.code.to_string(),
            FieldRef::Custom(name) => format!("custom.{name}"),
        }
    }

    pub(crate) fn kind(&self) -> FieldType {
        match self {
            FieldRef::Builtin(f) => f.kind,
            FieldRef::Custom(_) => FieldType::Text,
        }
    }

    pub(crate) fn text_key(&self) -> TextKey {
        match self {
            FieldRef::Builtin(f) => f.text,
            FieldRef::Custom(_) => TextKey::Plain,
        }
    }
}

/// A condition's value in the form it is compared in.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operand {
    None,
    Text(String),
    Texts(Vec<String>),
    Number(f64),
    Numbers(f64, f64),
    Day(NaiveDate),
    Days(NaiveDate, NaiveDate),
    /// within_days / before_days.
    Ago(i64),
    Ids(Vec<i64>),
}

/// `{"activity": {"type", "min_count", "max_count", "within_days", "detail"}}`: the number of
/// the lead's activities of the type (any type when omitted), in the last `within_days`
/// days (any time when omitted), whose detail matches, is between `min_count` and
/// `max_count`. `min_count` defaults to 1, or to 0 when only `max_count` is given, so
/// `{"max_count": 0}` means "never" and `{"within_days": 180, "max_count": 0}` "no activity
/// of any kind for 180 days" (dormant).
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityCondition {
    pub(crate) kind: Option<String>,
    pub(crate) min_count: u32,
    pub(crate) max_count: Option<u32>,
    pub(crate) within_days: Option<i64>,
    /// Detail condition: operator and the value (ASCII-lowercased NFKC).
    pub(crate) detail: Option<(Op, String)>,
    pub(crate) raw_detail: Option<Value>,
    pub(crate) path: String,
}

/// Operators a detail condition allows.
pub(crate) const DETAIL_OPS: &[Op] = &[
    Op::Eq,
    Op::Ne,
    Op::Contains,
    Op::NotContains,
    Op::StartsWith,
    Op::Empty,
    Op::NotEmpty,
];

impl SegmentFilter {
    /// Parses the JSON form; every problem is reported at once, each at its node's path.
    pub fn parse(value: &Value) -> Result<SegmentFilter> {
        let mut p = Parser::default();
        let filter = p.node(value, "", 1);
        if p.issues.is_empty() {
            Ok(filter)
        } else {
            Err(Error::Invalid { issues: p.issues })
        }
    }

    /// The JSON form (what `parse` reads back to the same filter).
    pub fn to_json(&self) -> Value {
        match self {
            SegmentFilter::All(children) => {
                json!({ "all": children.iter().map(SegmentFilter::to_json).collect::<Vec<_>>() })
            }
            SegmentFilter::Any(children) => {
                json!({ "any": children.iter().map(SegmentFilter::to_json).collect::<Vec<_>>() })
            }
            SegmentFilter::Not(child) => json!({ "not": child.to_json() }),
            SegmentFilter::Field(c) => {
                let mut m = Map::new();
                m.insert("field".into(), Value::String(c.field.code()));
                m.insert("op".into(), Value::String(c.op.code().into()));
                if !c.raw.is_null() {
                    m.insert("value".into(), c.raw.clone());
                }
                Value::Object(m)
            }
            SegmentFilter::Activity(a) => {
                let mut m = Map::new();
                if let Some(k) = &a.kind {
                    m.insert("type".into(), Value::String(k.clone()));
                }
                m.insert("min_count".into(), json!(a.min_count));
                if let Some(max) = a.max_count {
                    m.insert("max_count".into(), json!(max));
                }
                if let Some(d) = a.within_days {
                    m.insert("within_days".into(), json!(d));
                }
                if let Some(d) = &a.raw_detail {
                    m.insert("detail".into(), d.clone());
                }
                json!({ "activity": Value::Object(m) })
            }
            SegmentFilter::Segment { id, .. } => json!({ "segment": id }),
            SegmentFilter::Journey(j) => match &j.stage {
                Some(stage) => json!({ "journey": { "map": j.map, "stage": stage } }),
                None => json!({ "journey": { "map": j.map } }),
            },
        }
    }

    /// Ids of the segments this filter refers to (directly).
    pub fn referenced_segments(&self) -> Vec<i64> {
        let mut out = Vec::new();
        self.walk(&mut |f| {
            if let SegmentFilter::Segment { id, .. } = f {
                if !out.contains(id) {
                    out.push(*id);
                }
            }
        });
        out
    }

    /// Ids of the journey maps whose stages this filter reads (directly).
    pub fn referenced_journeys(&self) -> Vec<i64> {
        let mut out = Vec::new();
        self.walk(&mut |f| {
            if let SegmentFilter::Journey(j) = f {
                if !out.contains(&j.map) {
                    out.push(j.map);
                }
            }
        });
        out
    }

    fn walk(&self, f: &mut dyn FnMut(&SegmentFilter)) {
        f(self);
        match self {
            SegmentFilter::All(c) | SegmentFilter::Any(c) => c.iter().for_each(|c| c.walk(f)),
            SegmentFilter::Not(c) => c.walk(f),
            _ => {}
        }
    }
}

impl serde::Serialize for SegmentFilter {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

/// `a.b`, or `b` at the root.
fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// How the root node is named in issues.
pub(crate) fn at(path: &str) -> &str {
    if path.is_empty() {
        "$"
    } else {
        path
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// ASCII lowercase of the NFKC form, trimmed: how plain text values are compared.
pub(crate) fn plain_fold(s: &str) -> String {
    normalize::nfkc(s).trim().to_ascii_lowercase()
}

#[derive(Default)]
struct Parser {
    issues: Vec<FieldIssue>,
    nodes: usize,
}

const NODE_HELP: &str = "expected a group ({\"all\": […]}, {\"any\": […]}, {\"not\": {…}}), a condition ({\"field\", \"op\", \"value\"}), {\"activity\": {…}}, {\"segment\": id} or {\"journey\": {\"map\": id, \"stage\": \"…\"}}";

impl Parser {
    fn issue(&mut self, path: &str, code: &str, message: impl Into<String>) {
        if self.issues.len() < MAX_ISSUES {
            self.issues.push(FieldIssue::new(at(path), code, message));
        }
    }

    fn node(&mut self, v: &Value, path: &str, depth: usize) -> SegmentFilter {
        let nothing = SegmentFilter::All(Vec::new());
        self.nodes += 1;
        if self.nodes == MAX_NODES + 1 {
            self.issue(
                "",
                "too_large",
                format!("a filter has at most {MAX_NODES} groups and conditions"),
            );
        }
        if self.nodes > MAX_NODES {
            return nothing;
        }
        if depth > MAX_DEPTH {
            self.issue(
                path,
                "too_deep",
                format!("groups nest at most {MAX_DEPTH} levels deep"),
            );
            return nothing;
        }
        let Some(obj) = v.as_object() else {
            self.issue(
                path,
                "invalid_node",
                format!("{NODE_HELP}, not {}", type_name(v)),
            );
            return nothing;
        };
        for kind in ["all", "any"] {
            if let Some(children) = obj.get(kind) {
                self.only_keys(obj, &[kind], path);
                let p = child(path, kind);
                let Some(list) = children.as_array() else {
                    self.issue(
                        &p,
                        "wrong_type",
                        format!(
                            "\"{kind}\" takes a list of conditions, not {}",
                            type_name(children)
                        ),
                    );
                    return nothing;
                };
                let nodes = list
                    .iter()
                    .enumerate()
                    .map(|(i, c)| self.node(c, &format!("{p}[{i}]"), depth + 1))
                    .collect();
                return if kind == "all" {
                    SegmentFilter::All(nodes)
                } else {
                    SegmentFilter::Any(nodes)
                };
            }
        }
        if let Some(inner) = obj.get("not") {
            self.only_keys(obj, &["not"], path);
            return SegmentFilter::Not(Box::new(self.node(inner, &child(path, "not"), depth + 1)));
        }
        if let Some(a) = obj.get("activity") {
            self.only_keys(obj, &["activity"], path);
            return self
                .activity(a, &child(path, "activity"))
                .map_or(nothing, SegmentFilter::Activity);
        }
        if let Some(s) = obj.get("segment") {
            self.only_keys(obj, &["segment"], path);
            let p = child(path, "segment");
            return match s.as_i64().filter(|id| *id > 0) {
                Some(id) => SegmentFilter::Segment { id, path: p },
                None => {
                    self.issue(
                        &p,
                        "wrong_type",
                        format!(
                            "\"segment\" takes a segment id (a positive whole number), not {}",
                            type_name(s)
                        ),
                    );
                    nothing
                }
            };
        }
        if let Some(j) = obj.get("journey") {
            self.only_keys(obj, &["journey"], path);
            return self
                .journey(j, &child(path, "journey"))
                .map_or(nothing, SegmentFilter::Journey);
        }
        if obj.contains_key("field") || obj.contains_key("op") {
            self.only_keys(obj, &["field", "op", "value"], path);
            return self.field(obj, path).map_or(nothing, SegmentFilter::Field);
        }
        match obj.keys().next() {
            Some(k) => self.issue(
                &child(path, k),
                "unknown_key",
                format!("\"{k}\" is not part of a filter; {NODE_HELP}"),
            ),
            None => self.issue(
                path,
                "invalid_node",
                format!("an empty object; {NODE_HELP}"),
            ),
        }
        nothing
    }

    fn only_keys(&mut self, obj: &Map<String, Value>, allowed: &[&str], path: &str) {
        for k in obj.keys() {
            if !allowed.contains(&k.as_str()) {
                self.issue(
                    &child(path, k),
                    "unknown_key",
                    format!(
                        "\"{k}\" does not belong here (expected only {})",
                        allowed
                            .iter()
                            .map(|a| format!("\"{a}\""))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
            }
        }
    }

    fn field(&mut self, obj: &Map<String, Value>, path: &str) -> Option<FieldCondition> {
        let field_path = child(path, "field");
        let op_path = child(path, "op");
        let value_path = child(path, "value");
        let field = match obj.get("field") {
            Some(Value::String(code)) => {
                if let Some(name) = code.strip_prefix("custom.") {
                    if name.trim().is_empty() {
                        self.issue(
                            &field_path,
                            "unknown_field",
                            "\"custom.\" needs the custom field's name after the dot",
                        );
                        None
                    } else {
                        Some(FieldRef::Custom(name.to_string()))
                    }
                } else if let Some(def) = builtin(code) {
                    Some(FieldRef::Builtin(def))
                } else {
                    self.issue(
                        &field_path,
                        "unknown_field",
                        format!("there is no field \"{code}\" (see the field list; custom fields are \"custom.<name>\")"),
                    );
                    None
                }
            }
            Some(other) => {
                self.issue(
                    &field_path,
                    "wrong_type",
                    format!("\"field\" takes a field name, not {}", type_name(other)),
                );
                None
            }
            None => {
                self.issue(&field_path, "missing", "a condition needs a \"field\"");
                None
            }
        };
        let op = match obj.get("op") {
            Some(Value::String(code)) => match Op::from_code(code) {
                Some(op) => Some(op),
                None => {
                    self.issue(
                        &op_path,
                        "unknown_op",
                        format!(
                            "there is no operator \"{code}\" (one of {})",
                            Op::ALL.map(Op::code).join(", ")
                        ),
                    );
                    None
                }
            },
            Some(other) => {
                self.issue(
                    &op_path,
                    "wrong_type",
                    format!("\"op\" takes an operator name, not {}", type_name(other)),
                );
                None
            }
            None => {
                self.issue(&op_path, "missing", "a condition needs an \"op\"");
                None
            }
        };
        let (field, op) = (field?, op?);
        let allowed = ops_of(field.kind());
        if !allowed.contains(&op) {
            self.issue(
                &op_path,
                "op_not_allowed",
                format!(
                    "\"{}\" cannot be used with the field \"{}\" (allowed: {})",
                    op.code(),
                    field.code(),
                    allowed
                        .iter()
                        .map(|o| o.code())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
            return None;
        }
        let raw = obj.get("value").cloned().unwrap_or(Value::Null);
        let operand = self.operand(&field, op, &raw, &value_path)?;
        Some(FieldCondition {
            field,
            op,
            operand,
            raw,
        })
    }

    fn operand(&mut self, field: &FieldRef, op: Op, raw: &Value, path: &str) -> Option<Operand> {
        match op {
            Op::Empty | Op::NotEmpty => {
                if !raw.is_null() {
                    self.issue(
                        path,
                        "unexpected_value",
                        format!("\"{}\" takes no value", op.code()),
                    );
                    return None;
                }
                return Some(Operand::None);
            }
            _ if raw.is_null() => {
                self.issue(
                    path,
                    "missing",
                    format!("\"{}\" needs a \"value\"", op.code()),
                );
                return None;
            }
            _ => {}
        }
        match field.kind() {
            FieldType::Number => match op {
                Op::Between => {
                    let (a, b) = self.pair(raw, path, |p, v, path| p.number(v, path))?;
                    if a > b {
                        self.issue(
                            path,
                            "invalid_range",
                            "the first number of a range must not be larger than the second",
                        );
                        return None;
                    }
                    Some(Operand::Numbers(a, b))
                }
                _ => self.number(raw, path).map(Operand::Number),
            },
            FieldType::Date => match op {
                Op::WithinDays | Op::BeforeDays => self.days(raw, path).map(Operand::Ago),
                Op::Between => {
                    let (a, b) = self.pair(raw, path, |p, v, path| p.day(v, path))?;
                    if a > b {
                        self.issue(
                            path,
                            "invalid_range",
                            "the first day of a range must not be later than the second",
                        );
                        return None;
                    }
                    Some(Operand::Days(a, b))
                }
                _ => self.day(raw, path).map(Operand::Day),
            },
            FieldType::Event => match op {
                Op::In | Op::NotIn => {
                    let list = self.list(raw, path)?;
                    let ids: Option<Vec<i64>> = list
                        .iter()
                        .enumerate()
                        .map(|(i, v)| self.id(v, &format!("{path}[{i}]")))
                        .collect::<Vec<_>>()
                        .into_iter()
                        .collect();
                    ids.map(Operand::Ids)
                }
                _ => self.id(raw, path).map(|id| Operand::Ids(vec![id])),
            },
            FieldType::Text | FieldType::Enum | FieldType::Tags => match op {
                Op::In | Op::NotIn => {
                    let list = self.list(raw, path)?;
                    let texts: Vec<Option<String>> = list
                        .iter()
                        .enumerate()
                        .map(|(i, v)| self.text(field, op, v, &format!("{path}[{i}]")))
                        .collect();
                    texts
                        .into_iter()
                        .collect::<Option<Vec<_>>>()
                        .map(Operand::Texts)
                }
                _ => self.text(field, op, raw, path).map(Operand::Text),
            },
        }
    }

    fn pair<T>(
        &mut self,
        raw: &Value,
        path: &str,
        each: impl Fn(&mut Self, &Value, &str) -> Option<T>,
    ) -> Option<(T, T)> {
        match raw.as_array().map(Vec::as_slice) {
            Some([a, b]) => {
                let a = each(self, a, &format!("{path}[0]"));
                let b = each(self, b, &format!("{path}[1]"));
                Some((a?, b?))
            }
            _ => {
                self.issue(
                    path,
                    "wrong_type",
                    format!(
                        "\"between\" takes a list of two values [from, to], not {}",
                        type_name(raw)
                    ),
                );
                None
            }
        }
    }

    fn list<'v>(&mut self, raw: &'v Value, path: &str) -> Option<&'v Vec<Value>> {
        match raw.as_array() {
            Some(list) if list.is_empty() => {
                self.issue(path, "empty_value", "the list of values is empty");
                None
            }
            Some(list) if list.len() > MAX_VALUES => {
                self.issue(
                    path,
                    "too_many_values",
                    format!("at most {MAX_VALUES} values"),
                );
                None
            }
            Some(list) => Some(list),
            None => {
                self.issue(
                    path,
                    "wrong_type",
                    format!(
                        "this operator takes a list of values, not {}",
                        type_name(raw)
                    ),
                );
                None
            }
        }
    }

    fn number(&mut self, v: &Value, path: &str) -> Option<f64> {
        match v.as_f64().filter(|n| n.is_finite()) {
            Some(n) => Some(n),
            None => {
                self.issue(
                    path,
                    "wrong_type",
                    format!("expected a number, not {}", type_name(v)),
                );
                None
            }
        }
    }

    fn days(&mut self, v: &Value, path: &str) -> Option<i64> {
        match v.as_i64() {
            Some(n) if (1..=MAX_DAYS).contains(&n) => Some(n),
            Some(_) => {
                self.issue(
                    path,
                    "out_of_range",
                    format!("a number of days from 1 to {MAX_DAYS}"),
                );
                None
            }
            None => {
                self.issue(
                    path,
                    "wrong_type",
                    format!("expected a whole number of days, not {}", type_name(v)),
                );
                None
            }
        }
    }

    fn day(&mut self, v: &Value, path: &str) -> Option<NaiveDate> {
        let parsed = v
            .as_str()
            .and_then(|s| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok())
            .filter(|d| (1900..=9998).contains(&chrono::Datelike::year(d)));
        if parsed.is_none() {
            self.issue(
                path,
                "invalid_date",
                format!("expected a day as YYYY-MM-DD, not {}", v),
            );
        }
        parsed
    }

    fn id(&mut self, v: &Value, path: &str) -> Option<i64> {
        let id = v.as_i64().filter(|id| *id > 0);
        if id.is_none() {
            self.issue(
                path,
                "wrong_type",
                format!(
                    "expected an event id (a positive whole number), not {}",
                    type_name(v)
                ),
            );
        }
        id
    }

    /// A text value in the form the field compares.
    fn text(&mut self, field: &FieldRef, op: Op, v: &Value, path: &str) -> Option<String> {
        let Some(s) = v.as_str() else {
            self.issue(
                path,
                "wrong_type",
                format!("expected text, not {}", type_name(v)),
            );
            return None;
        };
        if s.chars().count() > MAX_TEXT {
            self.issue(
                path,
                "too_long",
                format!("a value has at most {MAX_TEXT} characters"),
            );
            return None;
        }
        let form = match field {
            FieldRef::Builtin(def)
                if def.kind == FieldType::Enum || def.kind == FieldType::Tags =>
            {
                let t = s.trim().to_string();
                if def.closed && !def.values.contains(&t.as_str()) {
                    self.issue(
                        path,
                        "unknown_value",
                        format!(
                            "\"{t}\" is not a value of \"{}\" (one of {})",
                            def.code,
                            def.values.join(", ")
                        ),
                    );
                    return None;
                }
                t
            }
            _ => match field.text_key() {
                TextKey::Plain | TextKey::Email => plain_fold(s),
                TextKey::Name => normalize::name_key(s),
                TextKey::Reading => normalize::reading_key(s),
                TextKey::Company => normalize::company_key(s),
                TextKey::Phone => match op {
                    Op::Contains | Op::NotContains | Op::StartsWith => normalize::nfkc(s)
                        .chars()
                        .filter(char::is_ascii_digit)
                        .collect(),
                    _ => match normalize::phone(s) {
                        Ok(p) => p.e164,
                        Err(e) => {
                            self.issue(path, e.code, e.message);
                            return None;
                        }
                    },
                },
            },
        };
        if form.is_empty() {
            self.issue(
                path,
                "empty_value",
                "the value is empty once normalised; use \"empty\" / \"not_empty\" to find leads without / with a value",
            );
            return None;
        }
        Some(form)
    }

    fn journey(&mut self, v: &Value, path: &str) -> Option<JourneyCondition> {
        let Some(obj) = v.as_object() else {
            self.issue(
                path,
                "wrong_type",
                format!(
                    "\"journey\" takes an object {{\"map\": id, \"stage\": \"stage id\"}}, not {}",
                    type_name(v)
                ),
            );
            return None;
        };
        self.only_keys(obj, &["map", "stage"], path);
        let map = match obj.get("map").and_then(Value::as_i64).filter(|id| *id > 0) {
            Some(id) => Some(id),
            None => {
                self.issue(
                    &child(path, "map"),
                    "wrong_type",
                    "\"map\" takes a journey map id (a positive whole number)",
                );
                None
            }
        };
        let stage = match obj.get("stage") {
            None | Some(Value::Null) => Some(None),
            Some(Value::String(s)) if !s.trim().is_empty() && s.chars().count() <= MAX_TEXT => {
                Some(Some(s.trim().to_string()))
            }
            Some(other) => {
                self.issue(
                    &child(path, "stage"),
                    "wrong_type",
                    format!(
                        "\"stage\" takes a stage id of the map (text), not {}",
                        type_name(other)
                    ),
                );
                None
            }
        };
        Some(JourneyCondition {
            map: map?,
            stage: stage?,
            path: path.to_string(),
        })
    }

    fn activity(&mut self, v: &Value, path: &str) -> Option<ActivityCondition> {
        let Some(obj) = v.as_object() else {
            self.issue(path, "wrong_type", format!("\"activity\" takes an object {{\"type\", \"min_count\", \"max_count\", \"within_days\", \"detail\"}}, not {}", type_name(v)));
            return None;
        };
        self.only_keys(
            obj,
            &["type", "min_count", "max_count", "within_days", "detail"],
            path,
        );
        let mut ok = true;
        let kind = match obj.get("type") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Some(other) => {
                self.issue(
                    &child(path, "type"),
                    "wrong_type",
                    format!(
                        "\"type\" takes an activity type code such as \"seminar_attended\", not {}",
                        type_name(other)
                    ),
                );
                ok = false;
                None
            }
        };
        let mut count = |p: &mut Self, key: &str| -> Option<u32> {
            match obj.get(key) {
                None | Some(Value::Null) => None,
                Some(v) => match v
                    .as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .filter(|n| *n <= 1_000_000)
                {
                    Some(n) => Some(n),
                    None => {
                        p.issue(
                            &child(path, key),
                            "wrong_type",
                            format!("\"{key}\" takes a whole number from 0 to 1000000, not {v}"),
                        );
                        ok = false;
                        None
                    }
                },
            }
        };
        let min = count(self, "min_count");
        let max = count(self, "max_count");
        let min_count = min.unwrap_or(if max.is_some() { 0 } else { 1 });
        if let Some(max) = max {
            if max < min_count {
                self.issue(
                    &child(path, "max_count"),
                    "invalid_range",
                    "max_count is smaller than min_count",
                );
                ok = false;
            }
        }
        let within_days = match obj.get("within_days") {
            None | Some(Value::Null) => None,
            Some(v) => {
                let d = self.days(v, &child(path, "within_days"));
                ok &= d.is_some();
                d
            }
        };
        let (detail, raw_detail) = match obj.get("detail") {
            None | Some(Value::Null) => (None, None),
            Some(d) => {
                let parsed = self.detail(d, &child(path, "detail"));
                ok &= parsed.is_some();
                (parsed, Some(d.clone()))
            }
        };
        ok.then(|| ActivityCondition {
            kind,
            min_count,
            max_count: max,
            within_days,
            detail,
            raw_detail,
            path: path.to_string(),
        })
    }

    fn detail(&mut self, v: &Value, path: &str) -> Option<(Op, String)> {
        let Some(obj) = v.as_object() else {
            self.issue(
                path,
                "wrong_type",
                format!(
                    "\"detail\" takes an object {{\"op\", \"value\"}}, not {}",
                    type_name(v)
                ),
            );
            return None;
        };
        self.only_keys(obj, &["op", "value"], path);
        let op_path = child(path, "op");
        let op = match obj.get("op").and_then(Value::as_str) {
            Some(code) => match Op::from_code(code).filter(|op| DETAIL_OPS.contains(op)) {
                Some(op) => op,
                None => {
                    self.issue(
                        &op_path,
                        "unknown_op",
                        format!(
                            "a detail condition takes one of {}, not \"{code}\"",
                            DETAIL_OPS
                                .iter()
                                .map(|o| o.code())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    );
                    return None;
                }
            },
            None => {
                self.issue(&op_path, "missing", "a detail condition needs an \"op\"");
                return None;
            }
        };
        let value_path = child(path, "value");
        let raw = obj.get("value").unwrap_or(&Value::Null);
        if matches!(op, Op::Empty | Op::NotEmpty) {
            if !raw.is_null() {
                self.issue(
                    &value_path,
                    "unexpected_value",
                    format!("\"{}\" takes no value", op.code()),
                );
                return None;
            }
            return Some((op, String::new()));
        }
        let Some(s) = raw.as_str() else {
            self.issue(
                &value_path,
                "wrong_type",
                format!("expected text, not {}", type_name(raw)),
            );
            return None;
        };
        if s.chars().count() > MAX_TEXT {
            self.issue(
                &value_path,
                "too_long",
                format!("a value has at most {MAX_TEXT} characters"),
            );
            return None;
        }
        let folded = plain_fold(s);
        if folded.is_empty() {
            self.issue(
                &value_path,
                "empty_value",
                "the value is empty; use \"empty\" / \"not_empty\"",
            );
            return None;
        }
        Some((op, folded))
    }
}
