//! The scoring model as the user edits it and as it is stored and exported: versioned JSON.
//!
//! Invariants checked by [`ScoringModel::validate`] (a model that fails them is never stored,
//! and the stored one stays): rule ids unique and non-empty, fit rules on known fields, points
//! and caps finite, a positive half-life or window, grade thresholds in descending order.

use serde::{Deserialize, Serialize};

use crate::{Error, FieldIssue, Result};

/// The JSON format version this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// The most fit rules a model may have.
pub const MAX_FIT_RULES: usize = 64;

/// The largest absolute number of points a rule, cap or threshold may have.
pub const MAX_POINTS: f64 = 10_000.0;

/// A label in both languages of the app.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct Label {
    pub ja: String,
    pub en: String,
}

impl Label {
    pub fn new(ja: &str, en: &str) -> Self {
        Self {
            ja: ja.to_string(),
            en: en.to_string(),
        }
    }

    /// The Japanese label, else the English one.
    pub fn text(&self) -> &str {
        if self.ja.is_empty() {
            &self.en
        } else {
            &self.ja
        }
    }
}

/// How a text is compared with a rule's value (case and full/half width ignored: both sides
/// are NFKC-normalised and lower-cased).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum TextOp {
    Contains,
    Equals,
    StartsWith,
    EndsWith,
    /// The field has a value (the rule's values are ignored).
    NotEmpty,
    /// The field has no value (the rule's values are ignored).
    Empty,
}

/// A condition on an activity's detail (URL, content name …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct DetailCondition {
    pub op: TextOp,
    pub value: String,
}

/// Whether a behaviour rule counts each matching activity or only the most recent one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Repeat {
    /// Only the most recent matching activity counts.
    Once,
    /// Every matching activity counts (up to the rule's cap).
    #[default]
    Repeatable,
}

/// Activity type (+ optional detail condition) → points, decayed with the activity's age.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct BehaviourRule {
    /// Stable key of the rule (explanations and the UI refer to it).
    pub id: String,
    pub label: Label,
    /// An activity type code (`document_request`, or a user type's code).
    pub activity_type: String,
    #[serde(default)]
    pub detail: Option<DetailCondition>,
    /// Points per activity (negative allowed: an unsubscribe). Counted to 0.1.
    pub points: f64,
    #[serde(default)]
    pub repeat: Repeat,
    /// The most (absolute) points this rule adds to one lead; `None`: no cap.
    #[serde(default)]
    pub cap: Option<f64>,
}

/// A field condition → points (negative allowed: free-mail domains, competitors, students).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct FitRule {
    pub id: String,
    pub label: Label,
    /// A field code from [`FIT_FIELDS`] or `custom.<name>`.
    pub field: String,
    pub op: TextOp,
    /// The rule matches when the field matches any of these.
    #[serde(default)]
    pub values: Vec<String>,
    pub points: f64,
}

/// How behaviour points fade with the age of the activity (in whole days, UTC).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Decay {
    /// Points never fade.
    None,
    /// Points halve every `days` days.
    HalfLife { days: f64 },
    /// Only activities of the last `days` days count, fully.
    Window { days: u32 },
}

/// Engagement and fit at or above these make a lead an MQL.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct MqlRule {
    pub engagement: f64,
    pub fit: f64,
}

/// The grade grid: fit gives the letter (A at or above `fit[0]`, B at or above `fit[1]`, C
/// at or above `fit[2]`, else D), engagement the digit (1 at or above `engagement[0]` … else
/// 4). A1 is the best lead.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct GradeGrid {
    pub fit: [f64; 3],
    pub engagement: [f64; 3],
}

/// The whole scoring model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ScoringModel {
    /// The JSON format version ([`FORMAT_VERSION`]).
    pub version: u32,
    pub behaviour_rules: Vec<BehaviourRule>,
    pub fit_rules: Vec<FitRule>,
    pub decay: Decay,
    /// Engagement never exceeds this (nor goes below 0).
    pub engagement_cap: Option<f64>,
    /// Fit never exceeds this.
    #[serde(default)]
    pub fit_cap: Option<f64>,
    pub mql: MqlRule,
    pub grades: GradeGrid,
}

/// A field a fit rule can test, with its labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct FitField {
    pub code: &'static str,
    pub label_ja: &'static str,
    pub label_en: &'static str,
}

/// The fields fit rules can test (plus `custom.<name>` for any custom field).
pub const FIT_FIELDS: &[FitField] = &[
    FitField {
        code: "title",
        label_ja: "役職",
        label_en: "Title",
    },
    FitField {
        code: "department",
        label_ja: "部署",
        label_en: "Department",
    },
    FitField {
        code: "email",
        label_ja: "メールアドレス",
        label_en: "Email",
    },
    FitField {
        code: "email_domain",
        label_ja: "メールのドメイン",
        label_en: "Email domain",
    },
    FitField {
        code: "prefecture",
        label_ja: "都道府県",
        label_en: "Prefecture",
    },
    FitField {
        code: "source",
        label_ja: "獲得経路",
        label_en: "Source",
    },
    FitField {
        code: "website",
        label_ja: "Webサイト",
        label_en: "Website",
    },
    FitField {
        code: "company.name",
        label_ja: "会社名",
        label_en: "Company name",
    },
    FitField {
        code: "company.industry",
        label_ja: "業種",
        label_en: "Industry",
    },
    FitField {
        code: "company.employee_band",
        label_ja: "従業員規模",
        label_en: "Employees",
    },
    FitField {
        code: "company.prefecture",
        label_ja: "会社の都道府県",
        label_en: "Company prefecture",
    },
    FitField {
        code: "company.domain",
        label_ja: "会社のドメイン",
        label_en: "Company domain",
    },
];

/// The custom field name of a `custom.<name>` field code.
pub(crate) fn custom_name(field: &str) -> Option<&str> {
    field.strip_prefix("custom.").filter(|n| !n.is_empty())
}

fn issue(field: String, code: &str, message: String) -> FieldIssue {
    FieldIssue {
        field,
        code: code.to_string(),
        message,
        row: None,
    }
}

fn check_points(issues: &mut Vec<FieldIssue>, field: String, value: f64) {
    if !value.is_finite() || value.abs() > MAX_POINTS {
        issues.push(issue(
            field,
            "out_of_range",
            format!("{value} is not a number of points between -{MAX_POINTS} and {MAX_POINTS}"),
        ));
    }
}

impl ScoringModel {
    /// Reads a model from its JSON (an export, or what the UI sends), and validates what
    /// does not need the database. Errors name the JSON line and column.
    pub fn from_json(json: &str) -> Result<Self> {
        let model: ScoringModel = serde_json::from_str(json).map_err(|e| {
            Error::invalid(
                "model",
                "invalid_json",
                format!("the scoring model is not valid model JSON: {e}"),
            )
        })?;
        model.validate()?;
        Ok(model)
    }

    /// The model as pretty JSON (what an export writes).
    pub fn to_json(&self) -> Result<String> {
        Ok(serde_json::to_string_pretty(self)?)
    }

    /// Checks everything that does not need the database (activity types and custom fields
    /// are checked against it when the model is saved or compiled).
    pub fn validate(&self) -> Result<()> {
        let mut issues = Vec::new();
        if self.version != FORMAT_VERSION {
            issues.push(issue(
                "version".into(),
                "unsupported_version",
                format!(
                    "model format version {} is not supported (this Sodate reads version {FORMAT_VERSION})",
                    self.version
                ),
            ));
        }
        let mut ids = std::collections::HashSet::new();
        for (i, r) in self.behaviour_rules.iter().enumerate() {
            let at = |f: &str| format!("behaviourRules[{i}].{f}");
            if r.id.trim().is_empty() {
                issues.push(issue(at("id"), "required", "a rule needs an id".into()));
            } else if !ids.insert(r.id.as_str()) {
                issues.push(issue(
                    at("id"),
                    "duplicate",
                    format!("two rules have the id {:?}", r.id),
                ));
            }
            if r.activity_type.trim().is_empty() {
                issues.push(issue(
                    at("activityType"),
                    "required",
                    format!("rule {:?} needs an activity type", r.id),
                ));
            }
            if let Some(d) = &r.detail {
                let needs_value = !matches!(d.op, TextOp::Empty | TextOp::NotEmpty);
                if needs_value && d.value.trim().is_empty() {
                    issues.push(issue(
                        at("detail.value"),
                        "required",
                        format!("rule {:?}: the detail condition needs a value", r.id),
                    ));
                }
            }
            check_points(&mut issues, at("points"), r.points);
            if let Some(cap) = r.cap {
                check_points(&mut issues, at("cap"), cap);
                if cap < 0.0 {
                    issues.push(issue(
                        at("cap"),
                        "out_of_range",
                        format!("rule {:?}: a cap cannot be negative ({cap})", r.id),
                    ));
                }
            }
        }
        if self.fit_rules.len() > MAX_FIT_RULES {
            issues.push(issue(
                "fitRules".into(),
                "too_many",
                format!(
                    "at most {MAX_FIT_RULES} fit rules, not {}",
                    self.fit_rules.len()
                ),
            ));
        }
        for (i, r) in self.fit_rules.iter().enumerate() {
            let at = |f: &str| format!("fitRules[{i}].{f}");
            if r.id.trim().is_empty() {
                issues.push(issue(at("id"), "required", "a rule needs an id".into()));
            } else if !ids.insert(r.id.as_str()) {
                issues.push(issue(
                    at("id"),
                    "duplicate",
                    format!("two rules have the id {:?}", r.id),
                ));
            }
            let known =
                FIT_FIELDS.iter().any(|f| f.code == r.field) || custom_name(&r.field).is_some();
            if !known {
                issues.push(issue(
                    at("field"),
                    "unknown_field",
                    format!(
                        "rule {:?} tests the field {:?}, which does not exist (use one of {}, or custom.<name>)",
                        r.id,
                        r.field,
                        FIT_FIELDS.iter().map(|f| f.code).collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
            let needs_value = !matches!(r.op, TextOp::Empty | TextOp::NotEmpty);
            if needs_value && r.values.iter().all(|v| v.trim().is_empty()) {
                issues.push(issue(
                    at("values"),
                    "required",
                    format!("rule {:?} needs at least one value to compare with", r.id),
                ));
            }
            check_points(&mut issues, at("points"), r.points);
        }
        match self.decay {
            Decay::None => {}
            Decay::HalfLife { days } => {
                if !(days.is_finite() && days > 0.0 && days <= 3650.0) {
                    issues.push(issue(
                        "decay.days".into(),
                        "out_of_range",
                        format!(
                            "the half-life must be more than 0 and at most 3650 days, not {days}"
                        ),
                    ));
                }
            }
            Decay::Window { days } => {
                if !(1..=3650).contains(&days) {
                    issues.push(issue(
                        "decay.days".into(),
                        "out_of_range",
                        format!("the window must be 1 to 3650 days, not {days}"),
                    ));
                }
            }
        }
        for (name, cap) in [
            ("engagementCap", self.engagement_cap),
            ("fitCap", self.fit_cap),
        ] {
            if let Some(cap) = cap {
                check_points(&mut issues, name.into(), cap);
                if cap < 0.0 {
                    issues.push(issue(
                        name.into(),
                        "out_of_range",
                        format!("{name} cannot be negative ({cap})"),
                    ));
                }
            }
        }
        check_points(&mut issues, "mql.engagement".into(), self.mql.engagement);
        check_points(&mut issues, "mql.fit".into(), self.mql.fit);
        for (name, t) in [
            ("grades.fit", self.grades.fit),
            ("grades.engagement", self.grades.engagement),
        ] {
            for v in t {
                check_points(&mut issues, name.into(), v);
            }
            if !(t[0] >= t[1] && t[1] >= t[2]) {
                issues.push(issue(
                    name.into(),
                    "not_descending",
                    format!("{name} thresholds must go from high to low, not {t:?}"),
                ));
            }
        }
        if issues.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid { issues })
        }
    }
}

#[allow(clippy::too_many_arguments)] // a table of rules reads best one per line
fn behaviour(
    id: &str,
    ja: &str,
    en: &str,
    activity_type: &str,
    detail: Option<(TextOp, &str)>,
    points: f64,
    repeat: Repeat,
    cap: Option<f64>,
) -> BehaviourRule {
    BehaviourRule {
        id: id.into(),
        label: Label::new(ja, en),
        activity_type: activity_type.into(),
        detail: detail.map(|(op, value)| DetailCondition {
            op,
            value: value.into(),
        }),
        points,
        repeat,
        cap,
    }
}

fn fit(
    id: &str,
    ja: &str,
    en: &str,
    field: &str,
    op: TextOp,
    values: &[&str],
    points: f64,
) -> FitRule {
    FitRule {
        id: id.into(),
        label: Label::new(ja, en),
        field: field.into(),
        op,
        values: values.iter().map(|v| v.to_string()).collect(),
        points,
    }
}

impl Default for ScoringModel {
    /// A model a B2B marketer in Japan can start with: requests for material, seminars and
    /// meetings count most; the pricing page more than other pages; decision makers, larger
    /// companies and target industries fit; free-mail addresses and students do not.
    /// Behaviour halves every 90 days.
    fn default() -> Self {
        use Repeat::*;
        use TextOp::*;
        ScoringModel {
            version: FORMAT_VERSION,
            behaviour_rules: vec![
                behaviour(
                    "document_request",
                    "資料請求",
                    "Document request",
                    "document_request",
                    None,
                    30.0,
                    Repeatable,
                    Some(60.0),
                ),
                behaviour(
                    "seminar_attended",
                    "セミナー参加",
                    "Seminar attended",
                    "seminar_attended",
                    None,
                    20.0,
                    Repeatable,
                    Some(40.0),
                ),
                behaviour(
                    "webinar_attended",
                    "ウェビナー参加",
                    "Webinar attended",
                    "webinar_attended",
                    None,
                    15.0,
                    Repeatable,
                    Some(30.0),
                ),
                behaviour(
                    "seminar_registered",
                    "セミナー申込",
                    "Seminar registration",
                    "seminar_registered",
                    None,
                    5.0,
                    Repeatable,
                    Some(10.0),
                ),
                behaviour(
                    "webinar_registered",
                    "ウェビナー申込",
                    "Webinar registration",
                    "webinar_registered",
                    None,
                    5.0,
                    Repeatable,
                    Some(10.0),
                ),
                behaviour(
                    "booth_visit",
                    "展示会ブース来訪",
                    "Booth visit",
                    "booth_visit",
                    None,
                    10.0,
                    Once,
                    None,
                ),
                behaviour(
                    "card_exchange",
                    "名刺交換",
                    "Card exchange",
                    "card_exchange",
                    None,
                    5.0,
                    Once,
                    None,
                ),
                behaviour(
                    "pricing_page",
                    "料金ページ閲覧",
                    "Pricing page viewed",
                    "page_view",
                    Some((Contains, "/pricing")),
                    10.0,
                    Repeatable,
                    Some(30.0),
                ),
                behaviour(
                    "product_page",
                    "製品ページ閲覧",
                    "Product page viewed",
                    "page_view",
                    Some((Contains, "/products")),
                    5.0,
                    Repeatable,
                    Some(20.0),
                ),
                behaviour(
                    "case_study_page",
                    "導入事例閲覧",
                    "Case study viewed",
                    "page_view",
                    Some((Contains, "/case-studies")),
                    3.0,
                    Repeatable,
                    Some(12.0),
                ),
                behaviour(
                    "email_clicked",
                    "メールクリック",
                    "Email clicked",
                    "email_clicked",
                    None,
                    3.0,
                    Repeatable,
                    Some(15.0),
                ),
                behaviour(
                    "email_opened",
                    "メール開封",
                    "Email opened",
                    "email_opened",
                    None,
                    1.0,
                    Repeatable,
                    Some(5.0),
                ),
                behaviour(
                    "meeting",
                    "商談・面談",
                    "Meeting",
                    "meeting",
                    None,
                    25.0,
                    Repeatable,
                    Some(50.0),
                ),
                behaviour(
                    "call",
                    "電話",
                    "Call",
                    "call",
                    None,
                    5.0,
                    Repeatable,
                    Some(15.0),
                ),
                behaviour(
                    "email_unsubscribed",
                    "配信停止",
                    "Unsubscribed",
                    "email_unsubscribed",
                    None,
                    -20.0,
                    Once,
                    None,
                ),
            ],
            fit_rules: vec![
                fit(
                    "executive",
                    "役員・経営層",
                    "Executive",
                    "title",
                    Contains,
                    &["役員", "取締役", "社長", "代表", "CEO", "CTO", "CIO", "CMO"],
                    30.0,
                ),
                fit(
                    "manager",
                    "部長クラス",
                    "Department head",
                    "title",
                    Contains,
                    &["部長", "本部長", "事業部長", "室長"],
                    20.0,
                ),
                fit(
                    "section_manager",
                    "課長・マネージャー",
                    "Section manager",
                    "title",
                    Contains,
                    &["課長", "次長", "マネージャー", "manager"],
                    10.0,
                ),
                fit(
                    "large_company",
                    "従業員300名以上",
                    "300+ employees",
                    "company.employee_band",
                    Equals,
                    &["300-999", "1000-4999", "5000+"],
                    15.0,
                ),
                fit(
                    "mid_company",
                    "従業員50〜299名",
                    "50–299 employees",
                    "company.employee_band",
                    Equals,
                    &["50-99", "100-299"],
                    8.0,
                ),
                fit(
                    "target_industry",
                    "重点業種（IT・製造・商社）",
                    "Target industry (IT, manufacturing, trading)",
                    "company.industry",
                    Equals,
                    &["IT・通信", "製造", "商社・卸"],
                    10.0,
                ),
                fit(
                    "metro_area",
                    "首都圏・関西・中部",
                    "Tokyo, Kansai, Chubu areas",
                    "prefecture",
                    Equals,
                    &[
                        "東京都",
                        "神奈川県",
                        "埼玉県",
                        "千葉県",
                        "大阪府",
                        "京都府",
                        "兵庫県",
                        "愛知県",
                    ],
                    5.0,
                ),
                fit(
                    "free_mail",
                    "フリーメール",
                    "Free-mail address",
                    "email_domain",
                    Equals,
                    &[
                        "gmail.com",
                        "yahoo.co.jp",
                        "outlook.jp",
                        "outlook.com",
                        "hotmail.com",
                        "hotmail.co.jp",
                        "icloud.com",
                        "docomo.ne.jp",
                        "ezweb.ne.jp",
                        "softbank.ne.jp",
                    ],
                    -15.0,
                ),
                fit(
                    "student",
                    "学生",
                    "Student",
                    "email_domain",
                    EndsWith,
                    &[".ac.jp"],
                    -30.0,
                ),
            ],
            decay: Decay::HalfLife { days: 90.0 },
            engagement_cap: Some(100.0),
            fit_cap: Some(100.0),
            mql: MqlRule {
                engagement: 60.0,
                fit: 30.0,
            },
            grades: GradeGrid {
                fit: [50.0, 30.0, 15.0],
                engagement: [60.0, 30.0, 10.0],
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_model_is_valid_and_round_trips() {
        let m = ScoringModel::default();
        m.validate().unwrap();
        let back = ScoringModel::from_json(&m.to_json().unwrap()).unwrap();
        assert_eq!(back, m);
        for r in &m.behaviour_rules {
            assert!(!r.label.ja.is_empty() && !r.label.en.is_empty(), "{}", r.id);
        }
        for r in &m.fit_rules {
            assert!(!r.label.ja.is_empty() && !r.label.en.is_empty(), "{}", r.id);
        }
    }

    #[test]
    fn bad_models_are_refused_with_the_field_named() {
        let mut m = ScoringModel::default();
        m.fit_rules[0].field = "shoe_size".into();
        m.decay = Decay::HalfLife { days: -3.0 };
        let err = m.validate().unwrap_err();
        let codes: Vec<(&str, &str)> = err
            .field_issues()
            .iter()
            .map(|i| (i.field.as_str(), i.code.as_str()))
            .collect();
        assert!(
            codes.contains(&("fitRules[0].field", "unknown_field")),
            "{codes:?}"
        );
        assert!(codes.contains(&("decay.days", "out_of_range")), "{codes:?}");
        let err = ScoringModel::from_json("{\"version\": 1, ").unwrap_err();
        assert_eq!(err.field_issues()[0].code, "invalid_json");
    }
}
