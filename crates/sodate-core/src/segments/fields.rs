//! The field catalogue: every field a condition can name, its type, its operators and, for
//! enumerations, its values. The builder UI builds its pickers from [`fields`]; the parser
//! and the SQL compiler read the same table, so the three never disagree.

use serde::Serialize;

use crate::leads::PREFECTURES;
use crate::LIFECYCLE_STAGES;

/// Consent states a lead can be in.
pub const CONSENT_STATES: &[&str] = &["unknown", "opted_in", "opted_out", "bounced", "erased"];

/// Source channels Sodate itself writes (others may come from imports: the list is open).
pub const SOURCES: &[&str] = &[
    "trade_show",
    "card_exchange",
    "web_form",
    "seminar",
    "web",
    "referral",
    "import",
    "manual",
];

/// Employee bands as the demo data and the company form write them (open list).
pub const EMPLOYEE_BANDS: &[&str] = &[
    "1-9",
    "10-49",
    "50-99",
    "100-299",
    "300-999",
    "1000-4999",
    "5000+",
];

/// What kind of value a field holds; it decides the operators and the value input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Text,
    Number,
    /// Timestamps; values are calendar days `YYYY-MM-DD` (Japan time) or day counts.
    Date,
    Enum,
    Tags,
    /// Events, by id.
    Event,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Eq,
    Ne,
    Contains,
    NotContains,
    StartsWith,
    In,
    NotIn,
    Empty,
    NotEmpty,
    Lt,
    Lte,
    Gt,
    Gte,
    Between,
    WithinDays,
    BeforeDays,
}

impl Op {
    pub const ALL: [Op; 16] = [
        Op::Eq,
        Op::Ne,
        Op::Contains,
        Op::NotContains,
        Op::StartsWith,
        Op::In,
        Op::NotIn,
        Op::Empty,
        Op::NotEmpty,
        Op::Lt,
        Op::Lte,
        Op::Gt,
        Op::Gte,
        Op::Between,
        Op::WithinDays,
        Op::BeforeDays,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Op::Eq => "eq",
            Op::Ne => "ne",
            Op::Contains => "contains",
            Op::NotContains => "not_contains",
            Op::StartsWith => "starts_with",
            Op::In => "in",
            Op::NotIn => "not_in",
            Op::Empty => "empty",
            Op::NotEmpty => "not_empty",
            Op::Lt => "lt",
            Op::Lte => "lte",
            Op::Gt => "gt",
            Op::Gte => "gte",
            Op::Between => "between",
            Op::WithinDays => "within_days",
            Op::BeforeDays => "before_days",
        }
    }

    pub fn from_code(code: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|op| op.code() == code)
    }
}

const TEXT_OPS: &[Op] = &[
    Op::Eq,
    Op::Ne,
    Op::Contains,
    Op::NotContains,
    Op::StartsWith,
    Op::In,
    Op::NotIn,
    Op::Empty,
    Op::NotEmpty,
];
const NUMBER_OPS: &[Op] = &[
    Op::Eq,
    Op::Ne,
    Op::Lt,
    Op::Lte,
    Op::Gt,
    Op::Gte,
    Op::Between,
];
const DATE_OPS: &[Op] = &[
    Op::Eq,
    Op::Lt,
    Op::Lte,
    Op::Gt,
    Op::Gte,
    Op::Between,
    Op::WithinDays,
    Op::BeforeDays,
    Op::Empty,
    Op::NotEmpty,
];
const ENUM_OPS: &[Op] = &[Op::Eq, Op::Ne, Op::In, Op::NotIn, Op::Empty, Op::NotEmpty];
const TAG_OPS: &[Op] = &[
    Op::Contains,
    Op::NotContains,
    Op::In,
    Op::NotIn,
    Op::Empty,
    Op::NotEmpty,
];
const EVENT_OPS: &[Op] = &[Op::Eq, Op::Ne, Op::In, Op::NotIn, Op::Empty, Op::NotEmpty];

/// How a text field is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextKey {
    /// As stored, ASCII case-insensitively (the value is NFKC-normalised first, so a
    /// full-width query finds a half-width value).
    Plain,
    /// `name_key` (itaiji, width, spaces folded: 髙橋 finds 高橋).
    Name,
    /// `reading_key` (katakana = hiragana, width folded).
    Reading,
    /// `email_key` (lowercase).
    Email,
    /// E.164 for equality; national digits (03…) for contains/starts with.
    Phone,
    /// `companies.name_key` (corporate forms dropped: (株) finds 株式会社).
    Company,
}

/// Where a field lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// A column of `leads` (only these fixed names reach the SQL text).
    Lead(&'static str),
    /// A column of `companies`; a lead without a company has every company field empty.
    Company(&'static str),
    /// A column of `lead_scores` (every lead has its row).
    Score(&'static str),
    Tags,
    Event,
}

/// A built-in field.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct FieldDef {
    pub code: &'static str,
    pub kind: FieldType,
    pub source: Source,
    pub text: TextKey,
    /// Enumerations: the values; `closed` lists are the only values accepted.
    pub values: &'static [&'static str],
    pub closed: bool,
    /// The column may hold NULL (compared as empty).
    pub nullable: bool,
}

const fn def(code: &'static str, kind: FieldType, source: Source) -> FieldDef {
    FieldDef {
        code,
        kind,
        source,
        text: TextKey::Plain,
        values: &[],
        closed: false,
        nullable: false,
    }
}

const fn keyed(code: &'static str, source: Source, text: TextKey) -> FieldDef {
    FieldDef {
        text,
        ..def(code, FieldType::Text, source)
    }
}

const fn enumeration(
    code: &'static str,
    source: Source,
    values: &'static [&'static str],
    closed: bool,
) -> FieldDef {
    FieldDef {
        values,
        closed,
        ..def(code, FieldType::Enum, source)
    }
}

use FieldType::{Date, Number, Text};
use Source::{Company, Lead, Score};

pub(crate) const FIELDS: &[FieldDef] = &[
    keyed("name", Lead("name_key"), TextKey::Name),
    def("family_name", Text, Lead("family_name")),
    def("given_name", Text, Lead("given_name")),
    keyed("readings", Lead("reading_key"), TextKey::Reading),
    keyed("company.name", Company("name_key"), TextKey::Company),
    keyed("company.reading", Company("reading_key"), TextKey::Reading),
    def("company.industry", Text, Company("industry")),
    enumeration(
        "company.employee_band",
        Company("employee_band"),
        EMPLOYEE_BANDS,
        false,
    ),
    def("company.domain", Text, Company("domain")),
    enumeration(
        "company.prefecture",
        Company("prefecture"),
        &PREFECTURES,
        true,
    ),
    def("department", Text, Lead("department")),
    def("title", Text, Lead("title")),
    keyed("email", Lead("email_key"), TextKey::Email),
    keyed("phone", Lead("phone_key"), TextKey::Phone),
    keyed("mobile", Lead("mobile_key"), TextKey::Phone),
    def("postal_code", Text, Lead("postal_code")),
    enumeration("prefecture", Lead("prefecture"), &PREFECTURES, true),
    def("address", Text, Lead("address")),
    def("website", Text, Lead("website")),
    def("notes", Text, Lead("notes")),
    enumeration("source", Lead("source"), SOURCES, false),
    def("owner", Text, Lead("owner")),
    enumeration(
        "lifecycle_stage",
        Lead("lifecycle_stage"),
        LIFECYCLE_STAGES,
        true,
    ),
    enumeration("consent_state", Lead("consent_state"), CONSENT_STATES, true),
    enumeration("grade", Score("grade"), &[], false),
    def("engagement_score", Number, Score("engagement_score")),
    def("fit_score", Number, Score("fit_score")),
    def("created_at", Date, Lead("created_at")),
    def("updated_at", Date, Lead("updated_at")),
    FieldDef {
        nullable: true,
        ..def("stage_changed_at", Date, Lead("stage_changed_at"))
    },
    def("tags", FieldType::Tags, Source::Tags),
    def("event", FieldType::Event, Source::Event),
];

/// The operators a field type allows.
pub fn ops_of(kind: FieldType) -> &'static [Op] {
    match kind {
        FieldType::Text => TEXT_OPS,
        FieldType::Number => NUMBER_OPS,
        FieldType::Date => DATE_OPS,
        FieldType::Enum => ENUM_OPS,
        FieldType::Tags => TAG_OPS,
        FieldType::Event => EVENT_OPS,
    }
}

pub(crate) fn builtin(code: &str) -> Option<&'static FieldDef> {
    FIELDS.iter().find(|f| f.code == code)
}

/// One field of the catalogue, as the builder UI shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct FieldInfo {
    /// What a condition names: `title`, `company.industry`, `custom.予算`, `tags` …
    pub code: String,
    #[serde(rename = "type")]
    pub kind: FieldType,
    pub ops: Vec<Op>,
    /// Enumerations: the values to offer.
    pub values: Vec<String>,
    /// Whether `values` are the only values accepted (otherwise they are suggestions).
    pub closed: bool,
}

/// Every built-in field (custom fields are added by [`super::fields_of`]).
pub fn fields() -> Vec<FieldInfo> {
    FIELDS
        .iter()
        .map(|f| FieldInfo {
            code: f.code.to_string(),
            kind: f.kind,
            ops: ops_of(f.kind).to_vec(),
            values: f.values.iter().map(|v| v.to_string()).collect(),
            closed: f.closed,
        })
        .collect()
}

/// A custom field (`custom.<name>`): text.
pub(crate) fn custom_info(name: &str) -> FieldInfo {
    FieldInfo {
        code: format!("custom.{name}"),
        kind: FieldType::Text,
        ops: TEXT_OPS.to_vec(),
        values: Vec::new(),
        closed: false,
    }
}
