//! Export of leads for mail tools and spreadsheets (CSV in UTF-8 with BOM, UTF-8 or
//! Shift_JIS; XLSX; vCard 3.0/4.0), with the profiles of the common mail tools.
//!
//! Invariants:
//! * a lead opted out, bounced or erased, or whose email is on the suppression list, is never
//!   written, whatever the segment or selection says; the report counts every lead left out,
//!   by reason;
//! * one row per email: the first lead (lowest id) of each normalised email is written, the
//!   others are counted as duplicates;
//! * every text cell of a CSV/XLSX is protected against formula injection
//!   ([`cells::protect`]);
//! * a Shift_JIS export never writes `&#…;`: values Shift_JIS cannot hold are listed (the
//!   preview shows them) and the export fails with that list, writing nothing;
//! * the file appears complete or not at all ([`crate::files::PartFile`]).

pub mod cells;
pub mod person;
pub mod profiles;
pub mod results;
pub mod suppression;
pub(crate) mod write;

use std::collections::HashSet;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use rusqlite::types::Value;
use serde::{Deserialize, Serialize};

pub use profiles::{profiles, ColumnInfo, ExportField, Field, Profile, ProfileId, ProfileInfo};

use crate::import::TextEncoding;
use crate::{Error, FieldIssue, Result, Sodate};
use write::{Cell, Sink};

/// Rows the preview shows.
pub const PREVIEW_ROWS: usize = 20;
/// Distinct values the Shift_JIS check remembers as representable, at most.
const SJIS_CACHE: usize = 200_000;
/// Affected rows a warning lists at most (it counts them all).
pub const MAX_WARNING_ROWS: usize = 100;

/// The file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    Csv,
    Xlsx,
    Vcard3,
    Vcard4,
}

impl ExportFormat {
    pub fn parse(text: &str) -> Option<Self> {
        match text
            .trim()
            .to_ascii_lowercase()
            .replace(['.', '-', ' '], "")
            .as_str()
        {
            "csv" => Some(ExportFormat::Csv),
            "xlsx" | "excel" => Some(ExportFormat::Xlsx),
            "vcard" | "vcf" | "vcard3" | "vcard30" => Some(ExportFormat::Vcard3),
            "vcard4" | "vcard40" => Some(ExportFormat::Vcard4),
            _ => None,
        }
    }

    /// The format a file name's extension implies.
    pub fn from_path(path: &Path) -> Option<Self> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" | "txt" => Some(ExportFormat::Csv),
            "xlsx" => Some(ExportFormat::Xlsx),
            "vcf" | "vcard" => Some(ExportFormat::Vcard3),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Vcard3 | ExportFormat::Vcard4 => "vcf",
        }
    }
}

/// Which leads to export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum ExportSource {
    /// Every lead.
    All,
    /// The members of a saved segment, as of now.
    Segment {
        #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
        id: i64,
    },
    /// A selection of the lead list.
    Leads {
        #[cfg_attr(feature = "specta", specta(type = Vec<specta_typescript::Number>))]
        ids: Vec<i64>,
    },
    /// The leads due on `date` (`YYYY-MM-DD`, default today in Japan) in journey map `map`'s
    /// nurture scenarios: of one stage (its id) or all, of one step of that stage or all.
    JourneyDue {
        #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
        map: i64,
        date: Option<String>,
        stage: Option<String>,
        step: Option<String>,
    },
}

/// What to export, how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ExportRequest {
    pub profile: ProfileId,
    pub source: ExportSource,
    pub format: ExportFormat,
    /// CSV only; `None`: the profile's default.
    pub encoding: Option<TextEncoding>,
    /// The columns in order; `None` or empty: the profile's default columns.
    pub columns: Option<Vec<Field>>,
}

impl ExportRequest {
    pub fn new(profile: ProfileId, source: ExportSource, format: ExportFormat) -> Self {
        Self {
            profile,
            source,
            format,
            encoding: None,
            columns: None,
        }
    }
}

/// How many leads were left out, by reason.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct LeftOut {
    pub opted_out: u32,
    pub bounced: u32,
    pub erased: u32,
    /// The email is on the suppression list (an unsubscribe or bounce reported for it).
    pub suppression_list: u32,
    /// Another lead with the same normalised email was written.
    pub duplicate_email: u32,
    /// No email, and the profile needs one.
    pub no_email: u32,
}

impl LeftOut {
    /// Leads left out because they must not be mailed.
    pub fn suppressed(&self) -> u32 {
        self.opted_out + self.bounced + self.erased + self.suppression_list
    }
}

/// One affected row of a warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct WarningRow {
    /// The row in the file (the header is row 1).
    pub row: u32,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub lead_id: i64,
    pub value: String,
    /// For `unrepresentable`: the characters Shift_JIS cannot hold.
    pub detail: String,
}

/// A problem with some rows, listed before anything is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ExportWarning {
    /// `too_long` (over the tool's byte limit), `phone_format` (no international number
    /// for an SMS column), `unrepresentable` (Shift_JIS cannot hold it: the export is refused).
    pub code: String,
    pub column: String,
    pub message: String,
    pub count: u32,
    pub rows: Vec<WarningRow>,
}

/// What an export wrote (or, for a preview, would write).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ExportReport {
    pub rows: u32,
    /// Leads left out because they must not be mailed (opted out, bounced, erased, listed).
    pub suppressed: u32,
    pub left_out: LeftOut,
    pub warnings: Vec<ExportWarning>,
    pub profile: ProfileId,
    pub format: ExportFormat,
    pub encoding: Option<TextEncoding>,
    pub headers: Vec<String>,
    pub seconds: f64,
}

/// The first rows as they will be written, and the whole report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ExportPreview {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub report: ExportReport,
}

/// One lead's values, borrowed from the query row.
pub struct Record<'a> {
    pub id: i64,
    pub email: &'a str,
    pub email_key: &'a str,
    pub consent_state: &'a str,
    pub family_name: &'a str,
    pub given_name: &'a str,
    pub family_reading: &'a str,
    pub given_reading: &'a str,
    pub company_name: &'a str,
    pub company_reading: &'a str,
    pub department: &'a str,
    pub title: &'a str,
    pub phone: &'a str,
    pub mobile: &'a str,
    pub phone_key: &'a str,
    pub mobile_key: &'a str,
    pub postal_code: &'a str,
    pub prefecture: &'a str,
    pub address: &'a str,
    pub website: &'a str,
    pub notes: &'a str,
    pub source: &'a str,
    pub lifecycle_stage: &'a str,
    pub grade: &'a str,
    pub engagement_score: f64,
    pub fit_score: f64,
    pub created_at: &'a str,
    pub tags: &'a str,
}

fn joined(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (false, false) => format!("{a} {b}"),
        (false, true) => a.to_string(),
        (true, false) => b.to_string(),
        (true, true) => String::new(),
    }
}

impl Record<'_> {
    pub fn full_name(&self) -> String {
        joined(self.family_name, self.given_name)
    }

    pub fn full_reading(&self) -> String {
        joined(self.family_reading, self.given_reading)
    }

    fn text(&self, field: Field) -> std::borrow::Cow<'_, str> {
        use std::borrow::Cow::{Borrowed, Owned};
        match field {
            Field::Email => Borrowed(self.email),
            Field::FamilyName => Borrowed(self.family_name),
            Field::GivenName => Borrowed(self.given_name),
            Field::FullName => Owned(self.full_name()),
            Field::FamilyReading => Borrowed(self.family_reading),
            Field::GivenReading => Borrowed(self.given_reading),
            Field::FullReading => Owned(self.full_reading()),
            Field::CompanyName => Borrowed(self.company_name),
            Field::CompanyReading => Borrowed(self.company_reading),
            Field::Department => Borrowed(self.department),
            Field::Title => Borrowed(self.title),
            Field::Phone => Borrowed(self.phone),
            Field::Mobile => Borrowed(self.mobile),
            Field::SmsNumber => {
                let key = if self.mobile_key.is_empty() {
                    self.phone_key
                } else {
                    self.mobile_key
                };
                Borrowed(key.trim_start_matches('+'))
            }
            Field::PostalCode => Owned(crate::normalize::format_postal_code(self.postal_code)),
            Field::Prefecture => Borrowed(self.prefecture),
            Field::Address => Borrowed(self.address),
            Field::Website => Borrowed(self.website),
            Field::Notes => Borrowed(self.notes),
            Field::Tags => Borrowed(self.tags),
            Field::Source => Borrowed(self.source),
            Field::LifecycleStage => Borrowed(self.lifecycle_stage),
            Field::Grade => Borrowed(self.grade),
            Field::ConsentState => Borrowed(self.consent_state),
            Field::CreatedAt => Borrowed(self.created_at),
            Field::EngagementScore | Field::FitScore | Field::LeadId => Borrowed(""),
        }
    }

    fn number(&self, field: Field) -> f64 {
        match field {
            Field::EngagementScore => self.engagement_score,
            Field::FitScore => self.fit_score,
            _ => self.id as f64,
        }
    }
}

fn str_at<'a>(row: &'a rusqlite::Row, i: usize) -> rusqlite::Result<&'a str> {
    use rusqlite::types::ValueRef;
    match row.get_ref(i)? {
        ValueRef::Text(t) => std::str::from_utf8(t).map_err(|e| rusqlite::Error::Utf8Error(i, e)),
        _ => Ok(""),
    }
}

const SELECT: &str =
    "SELECT l.id, l.email, l.email_key, l.consent_state, l.family_name, l.given_name,
        l.family_reading, l.given_reading, c.name, c.reading, l.department, l.title, l.phone,
        l.mobile, l.phone_key, l.mobile_key, l.postal_code, l.prefecture, l.address, l.website,
        l.notes, l.source, l.lifecycle_stage, s.grade, s.engagement_score, s.fit_score,
        l.created_at";

fn record<'a>(r: &'a rusqlite::Row) -> rusqlite::Result<Record<'a>> {
    Ok(Record {
        id: r.get(0)?,
        email: str_at(r, 1)?,
        email_key: str_at(r, 2)?,
        consent_state: str_at(r, 3)?,
        family_name: str_at(r, 4)?,
        given_name: str_at(r, 5)?,
        family_reading: str_at(r, 6)?,
        given_reading: str_at(r, 7)?,
        company_name: str_at(r, 8)?,
        company_reading: str_at(r, 9)?,
        department: str_at(r, 10)?,
        title: str_at(r, 11)?,
        phone: str_at(r, 12)?,
        mobile: str_at(r, 13)?,
        phone_key: str_at(r, 14)?,
        mobile_key: str_at(r, 15)?,
        postal_code: str_at(r, 16)?,
        prefecture: str_at(r, 17)?,
        address: str_at(r, 18)?,
        website: str_at(r, 19)?,
        notes: str_at(r, 20)?,
        source: str_at(r, 21)?,
        lifecycle_stage: str_at(r, 22)?,
        grade: str_at(r, 23)?,
        engagement_score: r.get(24)?,
        fit_score: r.get(25)?,
        created_at: str_at(r, 26)?,
        tags: str_at(r, 27)?,
    })
}

/// The request checked against its profile: columns, encoding.
struct Plan {
    profile: Profile,
    columns: Vec<Field>,
    headers: Vec<String>,
    encoding: Option<TextEncoding>,
}

fn plan(req: &ExportRequest) -> Result<Plan> {
    let profile = req.profile.profile();
    let columns = match &req.columns {
        Some(c) if !c.is_empty() => c.clone(),
        _ => profile.columns.clone(),
    };
    let mut seen = HashSet::new();
    if let Some(dup) = columns.iter().find(|c| !seen.insert(**c)) {
        return Err(Error::invalid(
            "columns",
            "duplicate_column",
            format!("the column {} is chosen twice", dup.code()),
        ));
    }
    if profile.requires_email
        && !columns.contains(&Field::Email)
        && req.format != ExportFormat::Vcard3
        && req.format != ExportFormat::Vcard4
    {
        return Err(Error::invalid(
            "columns",
            "required_column",
            format!("{} needs the email column", profile.name),
        ));
    }
    let encoding = match req.format {
        ExportFormat::Csv => {
            let e = req.encoding.unwrap_or(profile.default_encoding);
            if !matches!(
                e,
                TextEncoding::Utf8 | TextEncoding::Utf8Bom | TextEncoding::ShiftJis
            ) {
                return Err(Error::invalid(
                    "encoding",
                    "unsupported_encoding",
                    format!("exports are written in utf-8-bom, utf-8 or shift_jis, not {e}"),
                ));
            }
            if !profile.encodings.contains(&e) {
                return Err(Error::invalid(
                    "encoding",
                    "unsupported_encoding",
                    format!(
                        "{} reads {} only, not {e}",
                        profile.name,
                        profile
                            .encodings
                            .iter()
                            .map(|e| e.code())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
            Some(e)
        }
        _ => None,
    };
    let headers = columns.iter().map(|&f| profile.header(f)).collect();
    Ok(Plan {
        profile,
        columns,
        headers,
        encoding,
    })
}

struct Warnings(Vec<ExportWarning>);

impl Warnings {
    fn add(&mut self, code: &str, column: &str, message: impl FnOnce() -> String, row: WarningRow) {
        let w = match self
            .0
            .iter_mut()
            .position(|w| w.code == code && w.column == column)
        {
            Some(i) => &mut self.0[i],
            None => {
                self.0.push(ExportWarning {
                    code: code.to_string(),
                    column: column.to_string(),
                    message: message(),
                    count: 0,
                    rows: Vec::new(),
                });
                let last = self.0.len() - 1;
                &mut self.0[last]
            }
        };
        w.count += 1;
        if w.rows.len() < MAX_WARNING_ROWS {
            w.rows.push(row);
        }
    }
}

/// Progress of a running export: leads read so far and in all.
pub type Progress<'a> = &'a mut dyn FnMut(u32, u32);

fn run(
    db: &Sodate,
    req: &ExportRequest,
    sink: &mut dyn Sink,
    mut preview: Option<&mut Vec<Vec<String>>>,
    progress: Progress,
    cancel: &AtomicBool,
) -> Result<(Plan, ExportReport)> {
    let started = std::time::Instant::now();
    let plan = plan(req)?;
    // A due list is resolved to its leads first (it may refresh the map).
    let due_ids = match &req.source {
        ExportSource::JourneyDue {
            map,
            date,
            stage,
            step,
        } => {
            let day = match date {
                Some(d) => crate::journeys::parse_day(d)?,
                None => None,
            };
            Some(crate::journeys::due_lead_ids(
                db,
                *map,
                day,
                stage.as_deref(),
                step.as_deref(),
                chrono::Utc::now(),
            )?)
        }
        _ => None,
    };
    let needs_tags = plan.columns.contains(&Field::Tags);
    let is_vcard = matches!(req.format, ExportFormat::Vcard3 | ExportFormat::Vcard4);
    let protect = !is_vcard;
    let shift_jis = plan.encoding == Some(TextEncoding::ShiftJis);
    // Memory-mapped reads (as segments do): a full scan of a large database without a read
    // syscall per page.
    let report = db.read(|conn| crate::db::parallel::mapped(conn, || {
        let set = suppression::SuppressionSet::load(conn)?;
        let (filter, params): (String, Vec<Value>) = match &req.source {
            ExportSource::All => ("1".into(), Vec::new()),
            ExportSource::Segment { id } => {
                let f = crate::segments::segment_ids_filter(conn, *id)?;
                (format!("l.id IN ({})", f.ids_sql), f.params)
            }
            ExportSource::Leads { ids } => (
                "l.id IN (SELECT value FROM json_each(?))".into(),
                vec![Value::Text(serde_json::to_string(ids)?)],
            ),
            ExportSource::JourneyDue { .. } => (
                "l.id IN (SELECT value FROM json_each(?))".into(),
                vec![Value::Text(serde_json::to_string(
                    due_ids.as_deref().unwrap_or_default(),
                )?)],
            ),
        };
        let total: u32 = conn.query_row(
            &format!("SELECT count(*) FROM leads l WHERE {filter}"),
            rusqlite::params_from_iter(params.iter()),
            |r| r.get(0),
        )?;
        // Tags: looked up lead by lead for a small selection; for a large one, read in one
        // pass over lead_tags beside the scan (both in lead id order), as a seek per lead
        // costs seconds at 1M leads.
        let tags_in_one_pass = needs_tags && total >= TAGS_IN_ONE_PASS_FROM;
        let tags_sql = if needs_tags && !tags_in_one_pass {
            ", (SELECT group_concat(t.name, ',') FROM lead_tags lt JOIN tags t ON t.id = lt.tag_id WHERE lt.lead_id = l.id)"
        } else {
            ", ''"
        };
        let mut tags_stmt = conn.prepare(
            "SELECT lt.lead_id, group_concat(t.name, ',') FROM lead_tags lt JOIN tags t ON t.id = lt.tag_id
             GROUP BY lt.lead_id ORDER BY lt.lead_id",
        )?;
        let mut tags = if tags_in_one_pass {
            Some(TagsInOrder::new(tags_stmt.query([])?)?)
        } else {
            None
        };
        let sql = format!(
            "{SELECT}{tags_sql} FROM leads l JOIN lead_scores s ON s.id = l.id LEFT JOIN companies c ON c.id = l.company_id WHERE {filter} ORDER BY l.id"
        );
        let mut stmt = conn.prepare(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
        sink.header(&plan.headers)?;
        let mut left_out = LeftOut::default();
        let mut warnings = Warnings(Vec::new());
        let mut seen: HashSet<String> = HashSet::new();
        // Values already found representable in Shift_JIS (company names, prefectures and
        // given names repeat): encoding kanji is the costly part of the check.
        let mut sjis_ok: HashSet<String> = HashSet::new();
        let mut written = 0u32;
        let mut read = 0u32;
        while let Some(row) = rows.next()? {
            read += 1;
            if read.is_multiple_of(10_000) {
                if cancel.load(Ordering::Relaxed) {
                    return Err(Error::Cancelled);
                }
                progress(read, total);
            }
            let mut r = record(row)?;
            if let Some(tags) = tags.as_mut() {
                r.tags = tags.of(r.id)?;
            }
            match r.consent_state {
                "opted_out" => {
                    left_out.opted_out += 1;
                    continue;
                }
                "bounced" => {
                    left_out.bounced += 1;
                    continue;
                }
                "erased" => {
                    left_out.erased += 1;
                    continue;
                }
                _ => {}
            }
            if r.email_key.is_empty() {
                if plan.profile.requires_email {
                    left_out.no_email += 1;
                    continue;
                }
            } else {
                if set.reason(r.email_key).is_some() {
                    left_out.suppression_list += 1;
                    continue;
                }
                if !seen.insert(r.email_key.to_string()) {
                    left_out.duplicate_email += 1;
                    continue;
                }
            }
            let file_row = written + 2;
            let mut cells: Vec<Cell> = Vec::with_capacity(plan.columns.len());
            for (i, &field) in plan.columns.iter().enumerate() {
                if field.is_number() {
                    cells.push(Cell::Number(r.number(field)));
                    continue;
                }
                let value = r.text(field);
                let column = &plan.headers[i];
                let wrow = |detail: String| WarningRow {
                    row: file_row,
                    lead_id: r.id,
                    value: value.to_string(),
                    detail,
                };
                if let Some(max) = plan.profile.max_field_bytes {
                    if value.len() > max {
                        warnings.add(
                            "too_long",
                            column,
                            || format!("{} stores at most {max} bytes in a field; longer values are cut or refused", plan.profile.name),
                            wrow(format!("{} bytes", value.len())),
                        );
                    }
                }
                if field == Field::SmsNumber && value.is_empty() && !(r.phone.is_empty() && r.mobile.is_empty()) {
                    warnings.add(
                        "phone_format",
                        column,
                        || "the phone number cannot be written with its country code; the cell is left empty".into(),
                        WarningRow {
                            value: if r.mobile.is_empty() { r.phone } else { r.mobile }.to_string(),
                            ..wrow(String::new())
                        },
                    );
                }
                if shift_jis && !value.is_ascii() && !sjis_ok.contains(value.as_ref()) {
                    let bad = cells::unrepresentable_in_shift_jis(&value);
                    if bad.is_empty() && sjis_ok.len() < SJIS_CACHE {
                        sjis_ok.insert(value.to_string());
                    }
                    if !bad.is_empty() {
                        warnings.add(
                            "unrepresentable",
                            column,
                            || "Shift_JIS cannot hold these characters; export as UTF-8 with BOM instead".into(),
                            wrow(bad.iter().collect()),
                        );
                    }
                }
                let text = if protect {
                    match cells::protect(&value) {
                        std::borrow::Cow::Borrowed(_) => value,
                        std::borrow::Cow::Owned(o) => std::borrow::Cow::Owned(o),
                    }
                } else {
                    value
                };
                cells.push(Cell::Text(text));
            }
            if let Some(p) = preview.as_deref_mut() {
                if p.len() < PREVIEW_ROWS {
                    p.push(
                        cells
                            .iter()
                            .map(|c| match c {
                                Cell::Text(t) => t.to_string(),
                                Cell::Number(n) => {
                                    let mut s = String::new();
                                    write::push_number_pub(&mut s, *n);
                                    s
                                }
                            })
                            .collect(),
                    );
                }
            }
            sink.row(&cells, &r)?;
            written += 1;
        }
        progress(read, total);
        Ok(ExportReport {
            rows: written,
            suppressed: left_out.suppressed(),
            left_out,
            warnings: warnings.0,
            profile: req.profile,
            format: req.format,
            encoding: plan.encoding,
            headers: if is_vcard { Vec::new() } else { plan.headers.clone() },
            seconds: 0.0,
        })
    }))?;
    let mut report = report;
    report.seconds = started.elapsed().as_secs_f64();
    Ok((plan, report))
}

/// From this many leads on, an export reads the tags in one pass instead of per lead.
const TAGS_IN_ONE_PASS_FROM: u32 = 10_000;

/// Every lead's tags (comma-separated) in lead id order, walked alongside a scan of the leads
/// in the same order: [`TagsInOrder::of`] is asked for increasing ids.
struct TagsInOrder<'s> {
    rows: rusqlite::Rows<'s>,
    next: Option<(i64, String)>,
    current: String,
}

impl<'s> TagsInOrder<'s> {
    fn new(mut rows: rusqlite::Rows<'s>) -> Result<Self> {
        let next = Self::read(&mut rows)?;
        Ok(Self {
            rows,
            next,
            current: String::new(),
        })
    }

    fn read(rows: &mut rusqlite::Rows<'s>) -> Result<Option<(i64, String)>> {
        Ok(match rows.next()? {
            Some(row) => Some((
                row.get(0)?,
                row.get::<_, Option<String>>(1)?.unwrap_or_default(),
            )),
            None => None,
        })
    }

    /// The tags of lead `id` (empty when it has none).
    fn of(&mut self, id: i64) -> Result<&str> {
        self.current.clear();
        while let Some((lead, tags)) = self.next.take() {
            if lead > id {
                self.next = Some((lead, tags));
                break;
            }
            if lead == id {
                self.current = tags;
            }
            self.next = Self::read(&mut self.rows)?;
        }
        Ok(&self.current)
    }
}

/// The first rows and the warnings of an export, writing nothing.
pub fn preview(db: &Sodate, req: &ExportRequest) -> Result<ExportPreview> {
    let mut rows = Vec::new();
    let (_, report) = run(
        db,
        req,
        &mut write::NullSink,
        Some(&mut rows),
        &mut |_, _| {},
        &AtomicBool::new(false),
    )?;
    Ok(ExportPreview {
        headers: report.headers.clone(),
        rows,
        report,
    })
}

/// Writes the export to `out`. Refused, writing nothing, when Shift_JIS cannot hold some
/// values (the error lists them) or when cancelled.
pub fn export(db: &Sodate, req: &ExportRequest, out: &Path) -> Result<ExportReport> {
    export_with(db, req, out, &mut |_, _| {}, &AtomicBool::new(false))
}

/// [`export`] with progress and cancellation.
pub fn export_with(
    db: &Sodate,
    req: &ExportRequest,
    out: &Path,
    progress: Progress,
    cancel: &AtomicBool,
) -> Result<ExportReport> {
    plan(req)?;
    let mut sink: Box<dyn Sink> = match req.format {
        ExportFormat::Csv => Box::new(write::CsvSink::new(
            out,
            req.encoding
                .unwrap_or(req.profile.profile().default_encoding),
        )?),
        ExportFormat::Xlsx => Box::new(write::XlsxSink::new(out)?),
        ExportFormat::Vcard3 => Box::new(write::VcardSink::new(out, false)?),
        ExportFormat::Vcard4 => Box::new(write::VcardSink::new(out, true)?),
    };
    let (_, report) = run(db, req, sink.as_mut(), None, progress, cancel)?;
    if let Some(w) = report.warnings.iter().find(|w| w.code == "unrepresentable") {
        let mut issues: Vec<FieldIssue> = Vec::new();
        for w in report
            .warnings
            .iter()
            .filter(|w| w.code == "unrepresentable")
        {
            for r in &w.rows {
                issues.push(FieldIssue {
                    row: Some(u64::from(r.row)),
                    ..FieldIssue::new(
                        "encoding",
                        "unrepresentable",
                        format!(
                            "row {} ({}), lead {}: {:?} has {} that Shift_JIS cannot hold",
                            r.row, w.column, r.lead_id, r.value, r.detail
                        ),
                    )
                });
            }
        }
        issues.insert(
            0,
            FieldIssue::new(
                "encoding",
                "unrepresentable",
                format!(
                    "{} value(s) cannot be written in Shift_JIS; nothing was written. Export as utf-8-bom instead, or change the values",
                    report.warnings.iter().filter(|x| x.code == "unrepresentable").map(|x| x.count).sum::<u32>().max(w.count)
                ),
            ),
        );
        return Err(Error::Invalid { issues });
    }
    sink.finish()?;
    Ok(report)
}

#[cfg(test)]
mod tags_in_order_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn each_lead_gets_its_own_tags_walking_ids_in_order() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT);
             CREATE TABLE lead_tags (lead_id INTEGER, tag_id INTEGER, PRIMARY KEY (lead_id, tag_id)) WITHOUT ROWID;
             INSERT INTO tags VALUES (1, '展示会'), (2, 'VIP'), (3, '要補完');
             INSERT INTO lead_tags VALUES (2, 1), (2, 2), (5, 3), (9, 2), (40, 1);",
        )
        .unwrap();
        let mut stmt = conn
            .prepare(
                "SELECT lt.lead_id, group_concat(t.name, ',') FROM lead_tags lt JOIN tags t ON t.id = lt.tag_id
                 GROUP BY lt.lead_id ORDER BY lt.lead_id",
            )
            .unwrap();
        let mut tags = TagsInOrder::new(stmt.query([]).unwrap()).unwrap();
        // Leads 3 and 9 are not exported (a selection): their tags are skipped, not shifted.
        let mut seen = Vec::new();
        for id in [1, 2, 4, 5, 8, 10, 40, 41] {
            let mut t: Vec<&str> = tags
                .of(id)
                .unwrap()
                .split(',')
                .filter(|s| !s.is_empty())
                .collect();
            t.sort_unstable();
            seen.push((id, t.join(",")));
        }
        let expected: Vec<(i64, String)> = [
            (1, ""),
            (2, "VIP,展示会"),
            (4, ""),
            (5, "要補完"),
            (8, ""),
            (10, ""),
            (40, "展示会"),
            (41, ""),
        ]
        .iter()
        .map(|(i, s)| (*i, s.to_string()))
        .collect();
        assert_eq!(seen, expected);
    }
}
