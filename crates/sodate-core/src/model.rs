//! The values that cross the core's public API (and, through the desktop shell, the IPC
//! boundary). Ids are SQLite rowids: they fit in 2^53, so they are exported to TypeScript
//! as `number` knowingly (specta refuses 64-bit integers unless told).
//! Field names are camelCase on the wire; enums are snake_case strings.

use serde::{Deserialize, Serialize};

/// The lifecycle stages of a lead, in funnel order. Stored as these snake_case codes;
/// the UI translates them (`lifecycle.<code>`).
pub const LIFECYCLE_STAGES: &[&str] = &[
    "subscriber",
    "lead",
    "mql",
    "sal",
    "sql",
    "opportunity",
    "won",
    "lost",
    "recycled",
    "disqualified",
];

/// One row of the lead list: what the table shows, nothing more.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct LeadRow {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub id: i64,
    pub family_name: String,
    pub given_name: String,
    pub family_reading: String,
    pub given_reading: String,
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Number>))]
    pub company_id: Option<i64>,
    pub company_name: Option<String>,
    pub department: String,
    pub title: String,
    pub email: String,
    /// Display form of the main phone (mobile when there is no landline).
    pub phone: String,
    pub prefecture: String,
    pub lifecycle_stage: String,
    pub engagement_score: f64,
    pub fit_score: f64,
    pub grade: String,
    pub created_at: String,
    pub updated_at: String,
}

/// Sort orders of the lead list; each is backed by an index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum LeadSort {
    /// Kana order of the family then given reading (五十音順).
    Name,
    /// Kana order of the company reading (corporate form ignored).
    Company,
    Email,
    CreatedAt,
    #[default]
    UpdatedAt,
    EngagementScore,
}

impl LeadSort {
    /// Every sort order.
    pub const ALL: [LeadSort; 6] = [
        LeadSort::Name,
        LeadSort::Company,
        LeadSort::Email,
        LeadSort::CreatedAt,
        LeadSort::UpdatedAt,
        LeadSort::EngagementScore,
    ];
}

/// A page request for the lead list.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct LeadQuery {
    /// Free text over name, reading, company, email and phone; empty = everything.
    pub search: Option<String>,
    pub sort: LeadSort,
    pub descending: bool,
    pub offset: u32,
    /// At most 500 rows per page.
    pub limit: u32,
    /// Only the members of this saved segment (see `segments`).
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional, type = Option<specta_typescript::Number>))]
    pub segment: Option<i64>,
}

/// One page of leads plus the total number of matching leads.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct LeadPage {
    pub total: u32,
    pub offset: u32,
    pub rows: Vec<LeadRow>,
}

/// What the user can type into a lead form. Empty strings mean "no value".
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", default)]
pub struct LeadInput {
    pub family_name: String,
    pub given_name: String,
    pub family_reading: String,
    pub given_reading: String,
    /// Linked to an existing company with the same normalised name, or creates one.
    pub company_name: String,
    pub company_reading: String,
    pub department: String,
    pub title: String,
    pub email: String,
    pub phone: String,
    pub mobile: String,
    pub postal_code: String,
    pub prefecture: String,
    pub address: String,
    pub website: String,
    pub notes: String,
    pub source: String,
    pub tags: Vec<String>,
}

/// Every stored field of one lead, as the detail panel shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Lead {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub id: i64,
    pub family_name: String,
    pub given_name: String,
    pub family_reading: String,
    pub given_reading: String,
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Number>))]
    pub company_id: Option<i64>,
    pub company_name: Option<String>,
    pub company_reading: Option<String>,
    pub department: String,
    pub title: String,
    pub email: String,
    pub phone: String,
    pub mobile: String,
    pub postal_code: String,
    pub prefecture: String,
    pub address: String,
    pub website: String,
    pub notes: String,
    pub source: String,
    pub owner: String,
    pub lifecycle_stage: String,
    pub consent_state: String,
    pub engagement_score: f64,
    pub fit_score: f64,
    pub grade: String,
    pub first_event_name: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// A custom field value of a lead (columns an import could not map are kept this way).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CustomFieldValue {
    pub name: String,
    pub label: String,
    pub value: String,
}

/// One entry of a lead's activity timeline. `kind` is an activity type code such as
/// `seminar_attended`; the UI translates it (`activity.<code>`), falling back to `kindLabel`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ActivityItem {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub id: i64,
    pub kind: String,
    pub kind_label: String,
    pub occurred_at: String,
    pub detail: String,
    pub event_name: Option<String>,
}

/// One recorded lifecycle move.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct StageChange {
    pub from_stage: Option<String>,
    pub to_stage: String,
    pub changed_at: String,
    /// Who moved it (`system` for automatic moves).
    pub actor: String,
    pub reason: String,
    /// Free text the user added to the reason.
    pub note: String,
    /// Moved by a rule (MQL entry), not by a person.
    pub automatic: bool,
}

/// A lead with everything the detail panel shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct LeadDetail {
    pub lead: Lead,
    pub tags: Vec<String>,
    pub custom_fields: Vec<CustomFieldValue>,
    /// The most recent activities first (at most 200; `activityCount` gives the total).
    pub activities: Vec<ActivityItem>,
    pub activity_count: u32,
    pub stage_history: Vec<StageChange>,
    /// BANT and CHAMP answers.
    pub qualification: crate::handoff::Qualification,
}

/// One row of the companies list.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CompanyRow {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub id: i64,
    pub name: String,
    pub reading: String,
    pub domain: String,
    pub industry: String,
    pub employee_band: String,
    pub prefecture: String,
    pub lead_count: u32,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CompanyQuery {
    pub search: Option<String>,
    pub offset: u32,
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CompanyPage {
    pub total: u32,
    pub offset: u32,
    pub rows: Vec<CompanyRow>,
}

/// A company with its people.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CompanyDetail {
    pub company: CompanyRow,
    pub address: String,
    pub people: Vec<LeadRow>,
}

/// Counts of the main entities (`sodate stats`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    pub leads: u32,
    pub companies: u32,
    pub activities: u32,
    pub events: u32,
}

/// A lead as the CLI and exports list it: the list row plus mobile and custom fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LeadListing {
    #[serde(flatten)]
    pub row: LeadRow,
    pub mobile: String,
    pub custom: serde_json::Map<String, serde_json::Value>,
}
