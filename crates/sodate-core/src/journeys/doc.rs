//! The map document (stages, lanes, cells, emotions, bindings, scenario steps), its
//! validation and the templates maps start from.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::segments;
use crate::{Error, FieldIssue, Result};

/// A map has at most this many stages.
pub const MAX_STAGES: usize = 20;
/// … lanes.
pub const MAX_LANES: usize = 30;
/// … scenario steps per stage.
pub const MAX_STEPS: usize = 50;
/// A step is due at most this many days after a lead entered its stage.
pub const MAX_OFFSET_DAYS: i32 = 3_650;
/// A cell holds at most this many characters.
const MAX_CELL: usize = 2_000;

/// What a map is: stages as columns, lanes as rows.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", default)]
pub struct JourneyDoc {
    pub stages: Vec<Stage>,
    pub lanes: Vec<Lane>,
}

/// A column: a stage of the journey.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", default)]
pub struct Stage {
    /// Stable within the map (history refers to it); never reused.
    pub id: String,
    pub name: String,
    /// The emotion curve's value here: −2 (very negative) … +2 (very positive).
    pub emotion: i32,
    /// Who is in this stage: a segment filter (docs/SEGMENTS.md), `{"segment": ID}` for a
    /// saved segment; none: the stage is not bound to data.
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Unknown>))]
    pub binding: Option<serde_json::Value>,
    /// The nurture scenario: content steps by days since entering the stage.
    pub steps: Vec<ScenarioStep>,
}

/// A row of the map.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", default)]
pub struct Lane {
    pub id: String,
    pub kind: LaneKind,
    /// The label; empty: the UI shows the kind's label in the user's language.
    pub name: String,
    /// Text per stage id.
    pub cells: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum LaneKind {
    Actions,
    Thoughts,
    /// Feelings: drawn with the emotion curve of the stages.
    Feelings,
    Touchpoints,
    Content,
    PainPoints,
    Opportunities,
    Kpis,
    #[default]
    Custom,
}

/// How a step reaches the lead; "sent" is recorded as the matching activity type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum StepChannel {
    #[default]
    Email,
    Call,
    Meeting,
    Other,
}

impl StepChannel {
    /// The activity type code a confirmed send is recorded as.
    pub fn activity_type(self) -> &'static str {
        match self {
            StepChannel::Email => "email_sent",
            StepChannel::Call => "call",
            StepChannel::Meeting => "meeting",
            StepChannel::Other => "note",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            StepChannel::Email => "email",
            StepChannel::Call => "call",
            StepChannel::Meeting => "meeting",
            StepChannel::Other => "other",
        }
    }
}

/// One content step of a stage's scenario (day 3: ホワイトペーパー案内 by email).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", default)]
pub struct ScenarioStep {
    pub id: String,
    /// Days after the lead entered the stage (0: the day it entered).
    pub day_offset: i32,
    pub channel: StepChannel,
    pub content: String,
}

/// A template maps start from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Template {
    pub code: String,
    pub stages_ja: Vec<String>,
    pub stages_en: Vec<String>,
}

const TEMPLATES: &[(&str, &[(&str, &str)])] = &[
    (
        "b2b",
        &[
            ("認知", "Awareness"),
            ("興味", "Interest"),
            ("比較", "Comparison"),
            ("検討", "Consideration"),
            ("購入", "Purchase"),
            ("継続", "Retention"),
        ],
    ),
    (
        "aidma",
        &[
            ("注意", "Attention"),
            ("関心", "Interest"),
            ("欲求", "Desire"),
            ("記憶", "Memory"),
            ("行動", "Action"),
        ],
    ),
    (
        "aisas",
        &[
            ("注意", "Attention"),
            ("関心", "Interest"),
            ("検索", "Search"),
            ("行動", "Action"),
            ("共有", "Share"),
        ],
    ),
    (
        "decax",
        &[
            ("発見", "Discovery"),
            ("関係", "Engage"),
            ("確認", "Check"),
            ("購買", "Action"),
            ("体験と共有", "Experience"),
        ],
    ),
    (
        "blank",
        &[
            ("ステージ 1", "Stage 1"),
            ("ステージ 2", "Stage 2"),
            ("ステージ 3", "Stage 3"),
        ],
    ),
];

/// The lanes every new map has, in order.
const DEFAULT_LANES: &[LaneKind] = &[
    LaneKind::Actions,
    LaneKind::Thoughts,
    LaneKind::Feelings,
    LaneKind::Touchpoints,
    LaneKind::Content,
    LaneKind::PainPoints,
    LaneKind::Opportunities,
    LaneKind::Kpis,
];

/// The templates, with their stage names in both languages.
pub fn templates() -> Vec<Template> {
    TEMPLATES
        .iter()
        .map(|(code, stages)| Template {
            code: code.to_string(),
            stages_ja: stages.iter().map(|s| s.0.to_string()).collect(),
            stages_en: stages.iter().map(|s| s.1.to_string()).collect(),
        })
        .collect()
}

/// A new document from a template, stage names in `lang` (`en`, else Japanese).
pub fn template_doc(code: &str, lang: &str) -> Result<JourneyDoc> {
    let Some((_, stages)) = TEMPLATES.iter().find(|(c, _)| *c == code) else {
        return Err(Error::invalid(
            "template",
            "unknown_template",
            format!(
                "{code:?} is not a template ({})",
                TEMPLATES.iter().map(|t| t.0).collect::<Vec<_>>().join(", ")
            ),
        ));
    };
    let english = lang.starts_with("en");
    Ok(JourneyDoc {
        stages: stages
            .iter()
            .enumerate()
            .map(|(i, (ja, en))| Stage {
                id: format!("s{}", i + 1),
                name: (if english { en } else { ja }).to_string(),
                ..Default::default()
            })
            .collect(),
        lanes: DEFAULT_LANES
            .iter()
            .enumerate()
            .map(|(i, kind)| Lane {
                id: format!("l{}", i + 1),
                kind: *kind,
                ..Default::default()
            })
            .collect(),
    })
}

fn check_id(id: &str, path: &str, seen: &mut HashSet<String>, issues: &mut Vec<FieldIssue>) {
    let ok = !id.is_empty()
        && id.len() <= 40
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !ok {
        issues.push(FieldIssue::new(
            &format!("{path}.id"),
            "invalid_id",
            "an id is 1–40 characters a-z, A-Z, 0-9, - and _",
        ));
    } else if !seen.insert(id.to_string()) {
        issues.push(FieldIssue::new(
            &format!("{path}.id"),
            "duplicate_id",
            format!("the id {id:?} is used twice"),
        ));
    }
}

fn check_text(text: &str, path: &str, max: usize, issues: &mut Vec<FieldIssue>) {
    if text.chars().count() > max {
        issues.push(FieldIssue::new(
            path,
            "too_long",
            format!("at most {max} characters"),
        ));
    }
}

impl JourneyDoc {
    /// Reads a stored document (always valid JSON: the table checks it).
    pub(crate) fn from_stored(text: &str) -> Result<JourneyDoc> {
        Ok(serde_json::from_str(text)?)
    }

    /// Reads a document sent as JSON, naming what is wrong with it.
    pub fn from_json(value: &serde_json::Value) -> Result<JourneyDoc> {
        serde_json::from_value(value.clone()).map_err(|e| {
            Error::invalid(
                "doc",
                "invalid_document",
                format!("the map document cannot be read: {e}"),
            )
        })
    }

    /// The stage with `id`, with its position.
    pub fn stage(&self, id: &str) -> Option<(usize, &Stage)> {
        self.stages.iter().enumerate().find(|(_, s)| s.id == id)
    }

    /// Checks the invariants a saved document keeps; every problem at its path.
    pub fn validate(&self) -> Result<()> {
        let mut issues = Vec::new();
        if self.stages.is_empty() {
            issues.push(FieldIssue::new(
                "stages",
                "required",
                "a map needs at least one stage",
            ));
        }
        if self.stages.len() > MAX_STAGES {
            issues.push(FieldIssue::new(
                "stages",
                "too_many",
                format!("a map has at most {MAX_STAGES} stages"),
            ));
        }
        if self.lanes.len() > MAX_LANES {
            issues.push(FieldIssue::new(
                "lanes",
                "too_many",
                format!("a map has at most {MAX_LANES} lanes"),
            ));
        }
        let mut stage_ids = HashSet::new();
        for (i, s) in self.stages.iter().enumerate() {
            let path = format!("stages[{i}]");
            check_id(&s.id, &path, &mut stage_ids, &mut issues);
            if s.name.trim().is_empty() {
                issues.push(FieldIssue::new(
                    &format!("{path}.name"),
                    "required",
                    format!("stage {} needs a name", i + 1),
                ));
            }
            check_text(&s.name, &format!("{path}.name"), 100, &mut issues);
            if !(-2..=2).contains(&s.emotion) {
                issues.push(FieldIssue::new(
                    &format!("{path}.emotion"),
                    "out_of_range",
                    format!(
                        "the emotion of {} is {}: it goes from −2 to +2",
                        s.name, s.emotion
                    ),
                ));
            }
            if let Some(binding) = &s.binding {
                if let Err(Error::Invalid { issues: found }) = segments::parse(binding) {
                    issues.extend(found.into_iter().map(|f| FieldIssue {
                        field: format!("{path}.binding{}", sub_path(&f.field)),
                        message: format!("the rule of {}: {}", s.name, f.message),
                        ..f
                    }));
                }
            }
            if s.steps.len() > MAX_STEPS {
                issues.push(FieldIssue::new(
                    &format!("{path}.steps"),
                    "too_many",
                    format!("a stage has at most {MAX_STEPS} steps"),
                ));
            }
            let mut step_ids = HashSet::new();
            for (j, step) in s.steps.iter().enumerate() {
                let sp = format!("{path}.steps[{j}]");
                check_id(&step.id, &sp, &mut step_ids, &mut issues);
                if step.day_offset < 0 {
                    issues.push(FieldIssue::new(
                        &format!("{sp}.dayOffset"),
                        "negative_offset",
                        format!(
                            "step {} of {} is {} days after entering the stage: a step cannot come before the lead enters",
                            j + 1,
                            s.name,
                            step.day_offset
                        ),
                    ));
                } else if step.day_offset > MAX_OFFSET_DAYS {
                    issues.push(FieldIssue::new(
                        &format!("{sp}.dayOffset"),
                        "out_of_range",
                        format!("a step comes at most {MAX_OFFSET_DAYS} days after entering"),
                    ));
                }
                if step.content.trim().is_empty() {
                    issues.push(FieldIssue::new(
                        &format!("{sp}.content"),
                        "required",
                        format!("step {} of {} needs its content", j + 1, s.name),
                    ));
                }
                check_text(&step.content, &format!("{sp}.content"), 200, &mut issues);
            }
        }
        let mut lane_ids = HashSet::new();
        for (i, lane) in self.lanes.iter().enumerate() {
            let path = format!("lanes[{i}]");
            check_id(&lane.id, &path, &mut lane_ids, &mut issues);
            check_text(&lane.name, &format!("{path}.name"), 100, &mut issues);
            for (stage, text) in &lane.cells {
                check_text(
                    text,
                    &format!("{path}.cells.{stage}"),
                    MAX_CELL,
                    &mut issues,
                );
            }
        }
        if issues.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid { issues })
        }
    }
}

/// A filter issue's path (`$`, `all[2].op`) appended to a binding's path.
pub(crate) fn sub_path(field: &str) -> String {
    match field {
        "" | "$" => String::new(),
        f => format!(".{f}"),
    }
}
