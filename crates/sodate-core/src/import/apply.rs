//! Applying an import file: each row mapped to a lead, validated, then created, or matched by
//! key and updated, all in one transaction recorded as a batch so that it can be undone
//! ([`super::batches`]).
//!
//! Keys: the normalised email; without an email, the normalised name with the normalised
//! company name (corporate form and itaiji folded). In `create` mode a row whose key
//! matches a lead is skipped (no duplicate is made); in `upsert` mode that lead is updated:
//! non-empty cells replace its values except for the fields the user keeps, empty cells
//! never erase anything, tags are added.
//!
//! Large imports take a bulk path ([`crate::db::bulk`]): the full one into a database
//! without leads, index rebuilding when the file has at least as many rows as there are
//! leads. Rows are read, mapped and validated on a thread of their own, ahead of the one
//! that matches and writes them (`read_ahead`); a large create-only import into a database
//! without leads matches keys in memory (`KeyMemo`).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, sync_channel, Receiver, SyncSender};

use rusqlite::{params, OptionalExtension, Transaction};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::mapping::{self, ColumnMapping, Field, Preset};
use super::{HeaderNote, ImportError, Options, Reader, SourceRow};
use crate::leads::{self, Provenance, SearchIndexBuild, ValidLead};
use crate::normalize;
use crate::time::now;
use crate::{Error, FieldIssue, LeadInput, Result, Sodate};

/// Rows shown in the preview.
pub const PREVIEW_ROWS: usize = 20;
/// Failed rows listed in a report (all of them are kept in the database for the CSV).
pub const REPORT_FAILURES: usize = 200;
/// Custom field holding the card exchange date.
pub const CARD_EXCHANGED_ON: &str = "名刺交換日";
/// Custom field holding the fax number.
pub const FAX: &str = "FAX";

/// What to do with a row whose key matches an existing lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ImportMode {
    /// Create new leads only; rows matching a lead are skipped.
    #[default]
    Create,
    /// Update the matching lead, create the others.
    Upsert,
}

impl ImportMode {
    pub fn code(self) -> &'static str {
        match self {
            ImportMode::Create => "create",
            ImportMode::Upsert => "upsert",
        }
    }
}

/// Everything the user chose for an import.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", default)]
pub struct ImportPlan {
    pub path: String,
    /// Format, encoding and sheet overrides (`None`: as detected).
    pub options: Options,
    /// A built-in or saved preset's id; ignored when `mapping` is given.
    pub preset: Option<String>,
    /// Where each column goes; `None`: the preset's, else the automatic mapping.
    pub mapping: Option<Vec<ColumnMapping>>,
    pub mode: ImportMode,
    /// Fields whose existing non-empty values an update keeps.
    pub keep_existing: Vec<Field>,
    /// Tags added to every imported lead.
    pub tags: Vec<String>,
    /// Source channel of created leads (`import` when empty).
    pub source: String,
    /// An event (found by name, or created) set as the first event of the leads.
    pub event: Option<String>,
}

/// What happens to a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum RowAction {
    Create,
    Update,
    /// Matches a lead and nothing would change.
    Unchanged,
    /// Matches a lead in `create` mode.
    Skip,
    Fail,
}

/// A problem with one cell or row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RowIssue {
    /// The column's header, when the problem is in one cell.
    pub column: Option<String>,
    /// The lead field (`email`, `phone` … as in the lead form) or `row`.
    pub field: String,
    pub code: String,
    pub message: String,
}

/// A row of the preview, as it will be stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PreviewRow {
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub row: u64,
    pub action: RowAction,
    /// The existing lead a `update`/`unchanged`/`skip` row matches.
    #[cfg_attr(feature = "specta", specta(type = Option<f64>))]
    pub lead_id: Option<i64>,
    pub lead: LeadInput,
    pub custom: BTreeMap<String, String>,
    pub issues: Vec<RowIssue>,
}

/// What the wizard shows once a file is picked (and again after each change of options).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ImportInspection {
    pub file_name: String,
    pub format: super::Format,
    pub encoding: Option<super::TextEncoding>,
    pub encoding_guessed: bool,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub size: u64,
    pub sheet: Option<String>,
    pub sheets: Vec<String>,
    pub headers: Vec<String>,
    pub header_notes: Vec<HeaderNote>,
    /// The preset in use (chosen, or recognised from the headers).
    pub preset: Option<String>,
    pub presets: Vec<Preset>,
    pub mapping: Vec<ColumnMapping>,
    pub preview: Vec<PreviewRow>,
    /// Rows in the file, estimated from the size of the first ones.
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub estimated_rows: u64,
}

/// A row that could not be imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RowFailure {
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub row: u64,
    pub issues: Vec<RowIssue>,
}

/// The outcome of an import (or of a dry run: then nothing was written and `batch` is None).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    #[cfg_attr(feature = "specta", specta(type = Option<f64>))]
    pub batch: Option<i64>,
    pub rows: u32,
    pub created: u32,
    pub updated: u32,
    pub unchanged: u32,
    pub skipped: u32,
    pub failed: u32,
    pub format: super::Format,
    pub encoding: Option<super::TextEncoding>,
    pub dry_run: bool,
    /// The first failed rows with their reasons (all are kept for the CSV download).
    pub failures: Vec<RowFailure>,
}

/// Progress of a running import.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ImportProgress {
    pub rows: u32,
    /// 0 … 1 of the file read.
    pub fraction: f64,
}

/// Reads the start of a file and shows how it would be imported: format, encoding, the
/// mapping, and the first rows as they would be stored, with their problems.
pub fn inspect(db: &Sodate, plan: &ImportPlan) -> Result<ImportInspection> {
    let path = Path::new(&plan.path);
    let sniffed = super::sniff(path)?;
    let mut reader = super::open(path, &plan.options)?;
    let (preset, mapping) = choose_mapping(db, plan, reader.headers())?;
    let converter = Converter::new(&mapping, plan);
    let mut preview = Vec::new();
    let mut row = SourceRow::default();
    let mut first_rows_bytes = 0u64;
    db.read(|conn| {
        while preview.len() < PREVIEW_ROWS {
            match reader.read_row(&mut row) {
                Ok(false) => break,
                Ok(true) => {
                    let values = converter.convert(&row);
                    // Valid rows are shown as stored (normalised digits, formatted
                    // phones); invalid ones as read, beside their problems.
                    let (action, lead_id, issues, lead) = match leads::validate(&values.input) {
                        Err(e) => (
                            RowAction::Fail,
                            None,
                            converter.issues_of(&e),
                            values.input.clone(),
                        ),
                        Ok(valid) => {
                            let key = LeadKey::of(&valid);
                            let found = key.find(conn)?;
                            let (action, issues) = match (found, plan.mode) {
                                (None, _) => (RowAction::Create, Vec::new()),
                                (Some(_), ImportMode::Create) => (RowAction::Skip, Vec::new()),
                                (Some(id), ImportMode::Upsert) => match plan_update(
                                    conn,
                                    id,
                                    &values,
                                    &plan.keep_existing,
                                    &converter,
                                )? {
                                    Ok(p) if p.changes_anything() => {
                                        (RowAction::Update, Vec::new())
                                    }
                                    Ok(_) => (RowAction::Unchanged, Vec::new()),
                                    Err(issues) => (RowAction::Fail, issues),
                                },
                            };
                            let mut stored = leads::input_of_valid(&valid);
                            stored.tags.clone_from(&values.input.tags);
                            (action, found, issues, stored)
                        }
                    };
                    let mut issues = issues;
                    issues.extend(values.issues.iter().cloned());
                    let action = if issues.is_empty() {
                        action
                    } else {
                        RowAction::Fail
                    };
                    preview.push(PreviewRow {
                        row: row.number,
                        action,
                        lead_id,
                        lead,
                        custom: values.custom,
                        issues,
                    });
                }
                Err(e) if e.is_row_error() => preview.push(PreviewRow {
                    row: e.row().unwrap_or(0),
                    action: RowAction::Fail,
                    lead_id: None,
                    lead: LeadInput::default(),
                    custom: BTreeMap::new(),
                    issues: vec![reader_issue(&e, reader.headers())],
                }),
                Err(e) => return Err(e.into()),
            }
            first_rows_bytes = reader.bytes_read();
        }
        Ok(())
    })?;
    let estimated_rows = if preview.is_empty() || first_rows_bytes == 0 {
        preview.len() as u64
    } else {
        sniffed.size * preview.len() as u64 / first_rows_bytes
    };
    let mut presets = Preset::builtin();
    presets.extend(super::batches::saved_presets(db)?);
    Ok(ImportInspection {
        file_name: file_name(path),
        format: reader.format(),
        encoding: reader.encoding(),
        encoding_guessed: sniffed.encoding_guessed && plan.options.encoding.is_none(),
        size: sniffed.size,
        sheet: reader.sheet().map(str::to_string),
        sheets: reader.sheet_names().to_vec(),
        headers: reader.headers().to_vec(),
        header_notes: reader.header_notes().to_vec(),
        preset,
        presets,
        mapping,
        preview,
        estimated_rows,
    })
}

/// Imports the file as planned. `progress` is called every few thousand rows; setting
/// `cancel` stops the import and writes nothing. A dry run does everything and then
/// discards it, so its counts are exactly those the import would give.
pub fn run(
    db: &Sodate,
    plan: &ImportPlan,
    dry_run: bool,
    progress: &mut dyn FnMut(ImportProgress),
    cancel: &AtomicBool,
) -> Result<ImportReport> {
    let path = Path::new(&plan.path);
    let size = super::sniff(path)?.size;
    let mut reader = super::open(path, &plan.options)?;
    let (preset, mapping) = choose_mapping(db, plan, reader.headers())?;
    // About 100 bytes per row in a typical card export: only decides whether the bulk
    // path is worth it.
    let path = if dry_run {
        crate::db::bulk::Path::Ordinary
    } else {
        // The file was read and mapped: the database as it was before stays restorable.
        crate::backup::take(db, crate::backup::BackupReason::Import)?;
        crate::db::bulk::path_for(db, size / 100)?
    };
    // Into a database without leads, a create-only import matches rows against the leads
    // it made itself: it keeps their keys in memory and rebuilds the key indexes at the end
    // with the others, instead of keeping them live.
    let memo_keys = path == crate::db::bulk::Path::Full && plan.mode == ImportMode::Create;
    let bulk = path != crate::db::bulk::Path::Ordinary;
    let mut work = |tx: &Transaction, search: Option<&mut SearchIndexBuild>| {
        let mut import = Import::start(tx, plan, &reader, preset.as_deref(), &mapping, search)?;
        import.bulk = bulk;
        if memo_keys && !leads_exist(tx)? {
            import.memo = Some(KeyMemo::default());
        }
        import.rows(tx, &mut reader, progress, cancel)?;
        import.finish(tx, &reader)
    };
    let mut report = if dry_run {
        db.rehearse(|tx| {
            let report = crate::db::bulk::ordinary_load_in(tx, |tx| work(tx, None))?;
            rescore(tx, &report)?;
            Ok(report)
        })?
    } else {
        let keep: &[&str] = if memo_keys {
            &[]
        } else {
            &["leads_by_email", "leads_by_name_key"]
        };
        crate::db::bulk::write_many(db, path, keep, work, rescore)?
    };
    report.dry_run = dry_run;
    if dry_run {
        report.batch = None;
    }
    Ok(report)
}

/// The mapping in effect: the user's, a chosen or recognised preset's, or the automatic one.
fn choose_mapping(
    db: &Sodate,
    plan: &ImportPlan,
    headers: &[String],
) -> Result<(Option<String>, Vec<ColumnMapping>)> {
    if let Some(m) = &plan.mapping {
        if m.len() != headers.len() || m.iter().enumerate().any(|(i, c)| c.index != i) {
            return Err(Error::invalid(
                "mapping",
                "mapping_mismatch",
                "the mapping does not match the file's columns (the file changed?)",
            ));
        }
        return Ok((plan.preset.clone(), m.clone()));
    }
    let preset = match plan.preset.as_deref() {
        Some(id) => Some(
            Preset::by_id(id)
                .or(super::batches::saved_preset(db, id)?)
                .ok_or_else(|| {
                    Error::invalid("preset", "unknown_preset", format!("no preset named {id}"))
                })?,
        ),
        None => mapping::detect_preset(headers),
    };
    Ok(match preset {
        Some(p) => (Some(p.id.clone()), p.apply(headers)),
        None => (None, mapping::auto_map(headers)),
    })
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn reader_issue(e: &ImportError, headers: &[String]) -> RowIssue {
    RowIssue {
        column: e
            .column()
            .and_then(|c| headers.get(c.saturating_sub(1)).cloned()),
        field: "row".into(),
        code: e.code().into(),
        message: e.to_string(),
    }
}

/// A row's values for a lead, before validation.
struct RowValues {
    input: LeadInput,
    custom: BTreeMap<String, String>,
    issues: Vec<RowIssue>,
}

/// Turns rows into lead inputs by the mapping.
#[derive(Clone)]
struct Converter<'a> {
    mapping: &'a [ColumnMapping],
    tags: Vec<String>,
    source: String,
}

impl<'a> Converter<'a> {
    fn new(mapping: &'a [ColumnMapping], plan: &ImportPlan) -> Self {
        let source = if plan.source.trim().is_empty() {
            "import".to_string()
        } else {
            plan.source.trim().to_string()
        };
        Self {
            mapping,
            tags: plan
                .tags
                .iter()
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
                .collect(),
            source,
        }
    }

    fn convert(&self, row: &SourceRow) -> RowValues {
        let mut input = LeadInput {
            source: self.source.clone(),
            tags: self.tags.clone(),
            ..LeadInput::default()
        };
        let mut custom = BTreeMap::new();
        let mut issues = Vec::new();
        let mut full_name = String::new();
        let mut full_reading = String::new();
        let mut address2 = String::new();
        let mut abroad = false;
        for m in self.mapping {
            let value = row.cell(m.index).trim();
            if value.is_empty() {
                continue;
            }
            let append = |target: &mut String, sep: &str| {
                if !target.is_empty() {
                    target.push_str(sep);
                }
                target.push_str(value);
            };
            match &m.field {
                Field::FamilyName => input.family_name = value.into(),
                Field::GivenName => input.given_name = value.into(),
                Field::FullName => full_name = value.into(),
                // Half-width kana (ﾀｶﾊｼ, common in old exports) stored full-width.
                Field::FamilyReading => input.family_reading = normalize::nfkc(value),
                Field::GivenReading => input.given_reading = normalize::nfkc(value),
                Field::FullReading => full_reading = normalize::nfkc(value),
                Field::CompanyName => input.company_name = value.into(),
                Field::CompanyReading => input.company_reading = normalize::nfkc(value),
                Field::Department => input.department = value.into(),
                Field::Title => input.title = value.into(),
                Field::Email => input.email = value.into(),
                Field::Phone => input.phone = restore_leading_zero(value),
                Field::Mobile => input.mobile = restore_leading_zero(value),
                Field::Fax => {
                    let fax = restore_leading_zero(value);
                    // Written like the phones when it is a phone number; else as it was.
                    let fax = normalize::phone(&fax)
                        .map(|p| normalize::display_phone(&p))
                        .unwrap_or(fax);
                    custom.insert(FAX.to_string(), fax);
                }
                Field::PostalCode => input.postal_code = restore_postal_zero(value),
                Field::Prefecture => match prefecture_of(value) {
                    Some(p) => input.prefecture = p.to_string(),
                    // A state or region abroad (Berlin, California): kept with the address.
                    None => {
                        abroad = true;
                        append(&mut address2, " ");
                    }
                },
                Field::Address => append(&mut input.address, " "),
                Field::Address2 => append(&mut address2, " "),
                Field::Website => input.website = value.into(),
                Field::Notes => append(&mut input.notes, "\n"),
                Field::CardExchangedOn => match parse_date(value) {
                    Some(date) => {
                        custom.insert(CARD_EXCHANGED_ON.to_string(), date);
                    }
                    None => issues.push(RowIssue {
                        column: Some(m.header.clone()),
                        field: "cardExchangedOn".into(),
                        code: "invalid_date".into(),
                        message: format!("not a date: {value}"),
                    }),
                },
                Field::Tags => input.tags.extend(
                    value
                        .split([',', '、', ';', '，', '　'])
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .map(str::to_string),
                ),
                Field::Custom(name) => {
                    let name = if name.is_empty() { &m.header } else { name };
                    let slot = custom.entry(name.clone()).or_default();
                    if !slot.is_empty() {
                        slot.push('\n');
                    }
                    slot.push_str(value);
                }
                Field::Ignore => {}
            }
        }
        if !full_name.is_empty() && input.family_name.is_empty() && input.given_name.is_empty() {
            (input.family_name, input.given_name) = mapping::split_full_name(&full_name);
        }
        if !full_reading.is_empty()
            && input.family_reading.is_empty()
            && input.given_reading.is_empty()
        {
            (input.family_reading, input.given_reading) = mapping::split_full_name(&full_reading);
        }
        // A postcode abroad (10115 Berlin) is not a Japanese one to check: it stays with
        // the address.
        if abroad && normalize::postal_code(&input.postal_code).is_err() {
            let postcode = std::mem::take(&mut input.postal_code);
            address2 = format!("{postcode} {address2}").trim().to_string();
        }
        if !address2.is_empty() {
            if !input.address.is_empty() {
                input.address.push(' ');
            }
            input.address.push_str(&address2);
        }
        input.tags.sort();
        input.tags.dedup();
        if input.family_name.is_empty()
            && input.given_name.is_empty()
            && input.email.is_empty()
            && input.company_name.is_empty()
        {
            issues.push(RowIssue {
                column: None,
                field: "row".into(),
                code: "no_name".into(),
                message: "the row has no name, email or company".into(),
            });
        }
        RowValues {
            input,
            custom,
            issues,
        }
    }

    /// A validation error as row issues naming the columns.
    fn issues_of(&self, e: &Error) -> Vec<RowIssue> {
        match e {
            Error::Invalid { issues } => issues.iter().map(|i| self.issue(i)).collect(),
            other => vec![RowIssue {
                column: None,
                field: "row".into(),
                code: other.code().into(),
                message: other.to_string(),
            }],
        }
    }

    fn issue(&self, i: &FieldIssue) -> RowIssue {
        let column = self
            .mapping
            .iter()
            .find(|m| {
                let code = camel(m.field.code());
                code == i.field
                    || (i.field == "familyName" && m.field == Field::FullName)
                    || (i.field == "familyReading" && m.field == Field::FullReading)
            })
            .map(|m| m.header.clone());
        RowIssue {
            column,
            field: i.field.clone(),
            code: i.code.clone(),
            message: i.message.clone(),
        }
    }
}

fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Romaji names of the prefectures, in the order of [`leads::PREFECTURES`].
const PREFECTURES_ROMAJI: [&str; 47] = [
    "hokkaido",
    "aomori",
    "iwate",
    "miyagi",
    "akita",
    "yamagata",
    "fukushima",
    "ibaraki",
    "tochigi",
    "gunma",
    "saitama",
    "chiba",
    "tokyo",
    "kanagawa",
    "niigata",
    "toyama",
    "ishikawa",
    "fukui",
    "yamanashi",
    "nagano",
    "gifu",
    "shizuoka",
    "aichi",
    "mie",
    "shiga",
    "kyoto",
    "osaka",
    "hyogo",
    "nara",
    "wakayama",
    "tottori",
    "shimane",
    "okayama",
    "hiroshima",
    "yamaguchi",
    "tokushima",
    "kagawa",
    "ehime",
    "kochi",
    "fukuoka",
    "saga",
    "nagasaki",
    "kumamoto",
    "oita",
    "miyazaki",
    "kagoshima",
    "okinawa",
];

/// A prefecture as people write it: `東京都`, `東京`, `Tokyo`, `Tokyo-to`, `OSAKA FU`.
fn prefecture_of(value: &str) -> Option<&'static str> {
    let v = normalize::nfkc(value);
    let v = v.trim();
    if let Some(p) = leads::PREFECTURES.iter().find(|p| **p == v) {
        return Some(p);
    }
    if let Some(p) = leads::PREFECTURES
        .iter()
        .find(|p| p.trim_end_matches(['都', '府', '県']) == v && *p != &"北海道")
    {
        return Some(p);
    }
    let latin: String = v
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphabetic())
        .collect();
    let latin = ["to", "fu", "ken", "prefecture"]
        .iter()
        .find_map(|suffix| {
            latin
                .strip_suffix(suffix)
                .filter(|rest| PREFECTURES_ROMAJI.contains(rest))
        })
        .unwrap_or(&latin);
    PREFECTURES_ROMAJI
        .iter()
        .position(|r| *r == latin)
        .map(|i| leads::PREFECTURES[i])
}

/// Spreadsheets store phone numbers as numbers and drop the leading 0 (`9011112222`):
/// a 9- or 10-digit number without it gets it back.
fn restore_leading_zero(value: &str) -> String {
    let digits = value.chars().all(|c| c.is_ascii_digit());
    if digits && (9..=10).contains(&value.len()) && !value.starts_with('0') {
        format!("0{value}")
    } else {
        value.to_string()
    }
}

/// Postal codes stored as numbers lose their leading zero (`0600001` → `600001`; no
/// Japanese code starts with 00).
fn restore_postal_zero(value: &str) -> String {
    if value.chars().all(|c| c.is_ascii_digit()) && value.len() == 6 {
        format!("{value:0>7}")
    } else {
        value.to_string()
    }
}

/// A date as users write it (`2024/4/1`, `2024-04-01`, `2024年4月1日`, `2024.4.1`,
/// `20240401`, optionally followed by a time) as `YYYY-MM-DD`.
pub(crate) fn parse_date(value: &str) -> Option<String> {
    let v = normalize::nfkc(value);
    let date_part = v.split([' ', 'T']).next().unwrap_or("");
    let parts: Vec<&str> = date_part
        .split(['/', '-', '.', '年', '月', '日'])
        .filter(|p| !p.is_empty())
        .collect();
    let (y, m, d) = match parts.as_slice() {
        [y, m, d] => (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?),
        [ymd] if ymd.len() == 8 => (
            ymd[..4].parse().ok()?,
            ymd[4..6].parse().ok()?,
            ymd[6..].parse().ok()?,
        ),
        _ => return None,
    };
    // (Checked as a calendar date, written by hand: chrono's formatter parses its format
    // string on every call, a visible share of a large import's reading thread.)
    chrono::NaiveDate::from_ymd_opt(y, m, d)?;
    (1900..=2100)
        .contains(&y)
        .then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// The key a row is matched on.
enum LeadKey {
    Email(String),
    NameAndCompany(String, String),
    None,
}

impl LeadKey {
    fn of(v: &ValidLead) -> Self {
        if !v.keys.email_key.is_empty() {
            return LeadKey::Email(v.keys.email_key.clone());
        }
        Self::with_company_key(v, &normalize::company_key(&v.company_name))
    }

    /// The key of `v`, whose company name has the key `company` (computed already).
    fn with_company_key(v: &ValidLead, company: &str) -> Self {
        if !v.keys.email_key.is_empty() {
            return LeadKey::Email(v.keys.email_key.clone());
        }
        if !v.keys.name_key.is_empty() && !company.is_empty() {
            return LeadKey::NameAndCompany(v.keys.name_key.clone(), company.to_string());
        }
        LeadKey::None
    }

    /// The oldest lead with this key, when every lead is one `memo` knows: a lead that has
    /// the key's hash is checked in its row (two keys can share a hash; then the tables
    /// answer).
    fn find_in_memo(&self, conn: &rusqlite::Connection, memo: &KeyMemo) -> Result<Option<i64>> {
        let found = match self {
            LeadKey::Email(email) => memo.email.get(&KeyMemo::hash(email, None)),
            LeadKey::NameAndCompany(name, company) => {
                memo.name.get(&KeyMemo::hash(name, Some(company)))
            }
            LeadKey::None => None,
        };
        let Some(&id) = found else {
            return Ok(None);
        };
        let same: Option<bool> = match self {
            LeadKey::Email(email) => conn
                .prepare_cached("SELECT email_key = ?2 FROM leads WHERE id = ?1")?
                .query_row(params![id, email], |r| r.get(0))
                .optional()?,
            LeadKey::NameAndCompany(name, company) => conn
                .prepare_cached(
                    "SELECT l.name_key = ?2 AND c.name_key = ?3
                     FROM leads l JOIN companies c ON c.id = l.company_id WHERE l.id = ?1",
                )?
                .query_row(params![id, name, company], |r| r.get(0))
                .optional()?,
            LeadKey::None => None,
        };
        if same == Some(true) {
            Ok(Some(id))
        } else {
            self.find(conn)
        }
    }

    /// The oldest lead with this key.
    fn find(&self, conn: &rusqlite::Connection) -> Result<Option<i64>> {
        Ok(match self {
            LeadKey::Email(email) => conn
                .prepare_cached("SELECT min(id) FROM leads WHERE email_key = ?1")?
                .query_row([email], |r| r.get(0))?,
            LeadKey::NameAndCompany(name, company) => conn
                .prepare_cached(
                    "SELECT min(l.id) FROM leads l JOIN companies c ON c.id = l.company_id
                     WHERE l.name_key = ?1 AND c.name_key = ?2",
                )?
                .query_row([name, company], |r| r.get(0))?,
            LeadKey::None => None,
        })
    }
}

/// The match keys of the leads an import created, as hashes with the first (oldest) lead of
/// each; only used when the database had no leads before (every lead is then one of these).
#[derive(Default)]
struct KeyMemo {
    email: FxHashMap<u64, i64>,
    name: FxHashMap<u64, i64>,
}

impl KeyMemo {
    fn hash(key: &str, company: Option<&str>) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = rustc_hash::FxHasher::default();
        key.hash(&mut h);
        company.hash(&mut h);
        h.finish()
    }

    /// Records lead `id`, just created from `v` (company name key `company`), under every
    /// key a later row could find it by.
    fn add(&mut self, id: i64, v: &ValidLead, company: &str) {
        if !v.keys.email_key.is_empty() {
            self.email
                .entry(Self::hash(&v.keys.email_key, None))
                .or_insert(id);
        }
        if !v.keys.name_key.is_empty() && !company.is_empty() {
            self.name
                .entry(Self::hash(&v.keys.name_key, Some(company)))
                .or_insert(id);
        }
    }
}

/// Whether the database has any lead.
fn leads_exist(conn: &rusqlite::Connection) -> Result<bool> {
    Ok(conn.query_row("SELECT EXISTS (SELECT 1 FROM leads)", [], |r| r.get(0))?)
}

/// What updating a lead from a row would write: non-empty cells over its values except
/// the kept fields, custom fields merged, the plan's tags added.
struct PlannedUpdate {
    existing: LeadInput,
    existing_custom: BTreeMap<String, String>,
    source: String,
    valid: ValidLead,
    custom: BTreeMap<String, String>,
    added_tags: Vec<String>,
}

impl PlannedUpdate {
    /// Whether the update changes anything (a company written in another corporate form is
    /// the same company).
    fn changes_anything(&self) -> bool {
        let stored = leads::input_of_valid(&self.valid);
        let same = |code: &str, a: &str, b: &str| {
            a == b
                || (code == "company_name"
                    && normalize::company_key(a) == normalize::company_key(b))
        };
        let fields_change = super::batches::LEAD_FIELDS.iter().any(|(_, code)| {
            !same(
                code,
                leads::field_of(&self.existing, code),
                leads::field_of(&stored, code),
            )
        });
        fields_change || self.custom != self.existing_custom || !self.added_tags.is_empty()
    }
}

/// Plans the update of lead `id` by a row; the row's issues when the result is invalid.
fn plan_update(
    conn: &rusqlite::Connection,
    id: i64,
    values: &RowValues,
    keep_existing: &[Field],
    converter: &Converter,
) -> Result<std::result::Result<PlannedUpdate, Vec<RowIssue>>> {
    let (existing, existing_custom, source) = leads::load_input(conn, id)?;
    let existing_tags = leads::tags_of(conn, id)?;
    let keep = |field: Field| keep_existing.contains(&field);
    let mut merged = existing.clone();
    for (field, code) in super::batches::LEAD_FIELDS {
        let new = leads::field_of(&values.input, code);
        let old = leads::field_of(&existing, code);
        if new.is_empty() || new == old || (!old.is_empty() && keep(field.clone())) {
            continue;
        }
        leads::set_field(&mut merged, code, new);
    }
    let mut custom = existing_custom.clone();
    for (name, value) in &values.custom {
        let old = existing_custom.get(name).cloned().unwrap_or_default();
        if value != &old && (old.is_empty() || !keep(Field::Custom(name.clone()))) {
            custom.insert(name.clone(), value.clone());
        }
    }
    merged.tags.clone_from(&existing_tags);
    let valid = match leads::validate(&merged) {
        Ok(v) => v,
        Err(e) => return Ok(Err(converter.issues_of(&e))),
    };
    let added_tags = values
        .input
        .tags
        .iter()
        .filter(|t| !existing_tags.contains(t))
        .cloned()
        .collect();
    Ok(Ok(PlannedUpdate {
        existing,
        existing_custom,
        source,
        valid,
        custom,
        added_tags,
    }))
}

/// An import in progress inside its transaction.
struct Import<'a> {
    plan: &'a ImportPlan,
    converter: Converter<'a>,
    search: Option<&'a mut SearchIndexBuild>,
    batch: i64,
    event_id: Option<i64>,
    /// Companies found or created, by name then reading.
    /// (Fast hashing: a million rows look their company up.)
    companies: FxHashMap<String, FxHashMap<String, Option<CompanyRef>>>,
    tag_ids: HashMap<String, i64>,
    custom_fields: HashSet<String>,
    /// The suppression list was empty when the import started (nothing in it adds to it).
    no_suppressions: bool,
    /// The time written into new leads, formatted once a second: (unix second, text).
    clock: (i64, String),
    /// On a bulk path (the changed-leads journal's triggers are off): the first-stage
    /// history rows of the new leads are written at the end, in one statement.
    bulk: bool,
    /// The keys of the leads created, when they are all the leads there are.
    memo: Option<KeyMemo>,
    report: ImportReport,
}

/// A company found or created: its id and sort key (shared by every row that names it).
type CompanyRef = (i64, Rc<str>);

/// Rows the reading thread sends at a time.
const PIPE_BATCH: usize = 256;

/// What the reading thread sends, in file order.
enum Step {
    /// Before the next row is read (every 2,000 rows): where the reader is in the file.
    Progress(f64),
    Row(Prepared),
    /// A read error that ends the import.
    Fatal(ImportError),
}

/// A row read, mapped and validated on the reading thread.
enum Prepared {
    /// A row the reader could not read (ragged, bad quoting …).
    Unreadable {
        row: u64,
        issue: RowIssue,
    },
    /// A row with problems, recorded as failed with its cells.
    Invalid {
        row: u64,
        cells: Vec<String>,
        issues: Vec<RowIssue>,
    },
    Valid(Box<ValidRow>),
}

/// A valid row: its values, the lead as it will be stored and the key it is matched on.
struct ValidRow {
    number: u64,
    /// The row's cells when an update could still fail (upsert mode); else empty.
    cells: Vec<String>,
    values: RowValues,
    valid: ValidLead,
    /// The company name's key (companies are matched on it).
    company_key: String,
    key: LeadKey,
}

/// Maps and validates one row (on the reading thread).
fn prepare(converter: &Converter, keep_cells: bool, row: &SourceRow) -> Prepared {
    let values = converter.convert(row);
    if !values.issues.is_empty() {
        return Prepared::Invalid {
            row: row.number,
            cells: row.cells.clone(),
            issues: values.issues,
        };
    }
    match leads::validate(&values.input) {
        Err(e) => Prepared::Invalid {
            row: row.number,
            cells: row.cells.clone(),
            issues: converter.issues_of(&e),
        },
        Ok(valid) => {
            let company_key = normalize::company_key(&valid.company_name);
            let key = LeadKey::with_company_key(&valid, &company_key);
            Prepared::Valid(Box::new(ValidRow {
                number: row.number,
                cells: if keep_cells {
                    row.cells.clone()
                } else {
                    Vec::new()
                },
                values,
                valid,
                company_key,
                key,
            }))
        }
    }
}

/// Reads, maps and validates every row of `reader`, sending them in batches; frees the
/// batches `done` sends back (memory is freed on the thread that allocated it: glibc's
/// allocator contends on its locks otherwise). Stops early when the receiver is gone.
fn read_ahead(
    reader: &mut Reader,
    converter: &Converter,
    keep_cells: bool,
    out: SyncSender<Vec<Step>>,
    done: &Receiver<Vec<Step>>,
) {
    let mut row = SourceRow::default();
    let mut rows = 0u32;
    let mut batch = Vec::with_capacity(PIPE_BATCH);
    loop {
        while let Ok(used) = done.try_recv() {
            drop(used);
        }
        if rows.is_multiple_of(2_000) {
            batch.push(Step::Progress(reader.progress()));
        }
        match reader.read_row(&mut row) {
            Ok(false) => break,
            Ok(true) => {
                rows += 1;
                batch.push(Step::Row(prepare(converter, keep_cells, &row)));
            }
            Err(e) if e.is_row_error() => {
                rows += 1;
                let issue = reader_issue(&e, reader.headers());
                batch.push(Step::Row(Prepared::Unreadable {
                    row: e.row().unwrap_or(0),
                    issue,
                }));
            }
            Err(e) => {
                batch.push(Step::Fatal(e));
                break;
            }
        }
        if batch.len() >= PIPE_BATCH {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(PIPE_BATCH));
            if out.send(full).is_err() {
                return;
            }
        }
    }
    if out.send(batch).is_err() {
        return;
    }
    // The loading thread ends its loop once this sender is gone; the last batches come
    // back after that.
    drop(out);
    while let Ok(used) = done.recv() {
        drop(used);
    }
}

impl<'a> Import<'a> {
    fn start(
        tx: &Transaction,
        plan: &'a ImportPlan,
        reader: &Reader,
        preset: Option<&str>,
        mapping: &'a [ColumnMapping],
        search: Option<&'a mut SearchIndexBuild>,
    ) -> Result<Self> {
        let options = serde_json::json!({
            "headers": reader.headers(),
            "mapping": mapping,
            "tags": plan.tags,
            "source": plan.source,
            "event": plan.event,
            "keepExisting": plan.keep_existing,
            "path": plan.path,
        });
        tx.execute(
            "INSERT INTO import_batches (file_name, format, encoding, mode, status, created_at,
                sheet, preset, options)
             VALUES (?1, ?2, ?3, ?4, 'applied', ?5, ?6, ?7, ?8)",
            params![
                file_name(Path::new(&plan.path)),
                reader.format().code(),
                reader.encoding().map(|e| e.code()).unwrap_or_default(),
                plan.mode.code(),
                now(),
                reader.sheet().unwrap_or_default(),
                preset.unwrap_or_default(),
                options.to_string(),
            ],
        )?;
        let batch = tx.last_insert_rowid();
        let no_suppressions: bool =
            tx.query_row("SELECT NOT EXISTS (SELECT 1 FROM suppressions)", [], |r| {
                r.get(0)
            })?;
        let event_id = match plan.event.as_deref().map(str::trim) {
            Some(name) if !name.is_empty() => Some(event_for_in(tx, name)?),
            _ => None,
        };
        Ok(Self {
            plan,
            converter: Converter::new(mapping, plan),
            search,
            batch,
            event_id,
            companies: FxHashMap::default(),
            tag_ids: HashMap::new(),
            custom_fields: HashSet::new(),
            no_suppressions,
            clock: (i64::MIN, String::new()),
            bulk: false,
            memo: None,
            report: ImportReport {
                batch: Some(batch),
                rows: 0,
                created: 0,
                updated: 0,
                unchanged: 0,
                skipped: 0,
                failed: 0,
                format: reader.format(),
                encoding: reader.encoding(),
                dry_run: false,
                failures: Vec::new(),
            },
        })
    }

    fn rows(
        &mut self,
        tx: &Transaction,
        reader: &mut Reader,
        progress: &mut dyn FnMut(ImportProgress),
        cancel: &AtomicBool,
    ) -> Result<()> {
        // Reading, mapping and validating (a third of the work) run on a thread of their
        // own, ahead of this one, which looks rows up and writes them.
        let converter = self.converter.clone();
        let keep_cells = self.plan.mode == ImportMode::Upsert;
        std::thread::scope(|scope| -> Result<()> {
            let (out, batches) = sync_channel::<Vec<Step>>(4);
            let (done, used) = channel::<Vec<Step>>();
            let reading = &mut *reader;
            std::thread::Builder::new()
                .name("import-read".into())
                .spawn_scoped(scope, move || {
                    read_ahead(reading, &converter, keep_cells, out, &used);
                })
                .map_err(|e| Error::Conflict(format!("cannot start the import reader: {e}")))?;
            for batch in batches {
                for step in &batch {
                    match step {
                        Step::Progress(fraction) => {
                            if cancel.load(Ordering::Relaxed) {
                                return Err(Error::Cancelled);
                            }
                            progress(ImportProgress {
                                rows: self.report.rows,
                                fraction: *fraction,
                            });
                        }
                        Step::Row(prepared) => {
                            self.report.rows += 1;
                            self.row(tx, prepared)?;
                        }
                        Step::Fatal(e) => return Err(e.clone().into()),
                    }
                }
                // Freed by the reading thread.
                let _ = done.send(batch);
            }
            Ok(())
        })?;
        // A file cut short while it was read (overwritten, truncated, a network drive gone)
        // ends early without a read error: what was read is not the whole file.
        if reader.bytes_read() < reader.total_bytes() {
            return Err(Error::invalid(
                "file",
                "file_changed",
                format!(
                    "{} changed while it was read ({} of {} bytes read); nothing was imported",
                    reader.path().display(),
                    reader.bytes_read(),
                    reader.total_bytes()
                ),
            ));
        }
        progress(ImportProgress {
            rows: self.report.rows,
            fraction: 1.0,
        });
        Ok(())
    }

    fn row(&mut self, tx: &Transaction, prepared: &Prepared) -> Result<()> {
        let v = match prepared {
            Prepared::Unreadable { row, issue } => {
                return self.fail(tx, *row, &[], vec![issue.clone()]);
            }
            Prepared::Invalid { row, cells, issues } => {
                return self.fail(tx, *row, cells, issues.clone());
            }
            Prepared::Valid(v) => v,
        };
        let found = match &self.memo {
            Some(memo) => v.key.find_in_memo(tx, memo)?,
            None => v.key.find(tx)?,
        };
        match (found, self.plan.mode) {
            (None, _) => {
                let id = self.create(tx, &v.valid, &v.values.custom)?;
                if let Some(memo) = &mut self.memo {
                    memo.add(id, &v.valid, &v.company_key);
                }
                Ok(())
            }
            (Some(_), ImportMode::Create) => {
                self.report.skipped += 1;
                Ok(())
            }
            (Some(id), ImportMode::Upsert) => self.update(tx, id, v.number, &v.cells, &v.values),
        }
    }

    fn company(&mut self, tx: &Transaction, v: &ValidLead) -> Result<Option<CompanyRef>> {
        if let Some(c) = self
            .companies
            .get(&v.company_name)
            .and_then(|readings| readings.get(&v.company_reading))
        {
            return Ok(c.clone());
        }
        let c = leads::company_for_in(tx, &v.company_name, &v.company_reading)?
            .map(|(id, sort_key)| (id, Rc::from(sort_key)));
        self.companies
            .entry(v.company_name.clone())
            .or_default()
            .insert(v.company_reading.clone(), c.clone());
        Ok(c)
    }

    fn register_custom(
        &mut self,
        tx: &Transaction,
        custom: &BTreeMap<String, String>,
    ) -> Result<()> {
        for name in custom.keys() {
            if !self.custom_fields.contains(name) {
                tx.prepare_cached(
                    "INSERT OR IGNORE INTO custom_fields (name, label, position)
                     VALUES (?1, ?1, (SELECT coalesce(max(position), 0) + 1 FROM custom_fields))",
                )?
                .execute([name])?;
                self.custom_fields.insert(name.clone());
            }
        }
        Ok(())
    }

    fn tag_id(&mut self, tx: &Transaction, tag: &str) -> Result<i64> {
        if let Some(id) = self.tag_ids.get(tag) {
            return Ok(*id);
        }
        tx.prepare_cached("INSERT OR IGNORE INTO tags (name) VALUES (?1)")?
            .execute([tag])?;
        let id: i64 = tx
            .prepare_cached("SELECT id FROM tags WHERE name = ?1")?
            .query_row([tag], |r| r.get(0))?;
        self.tag_ids.insert(tag.to_string(), id);
        Ok(id)
    }

    fn add_tags(&mut self, tx: &Transaction, lead_id: i64, tags: &[String]) -> Result<()> {
        for tag in tags {
            let tag_id = self.tag_id(tx, tag)?;
            tx.prepare_cached("INSERT OR IGNORE INTO lead_tags (lead_id, tag_id) VALUES (?1, ?2)")?
                .execute(params![lead_id, tag_id])?;
        }
        Ok(())
    }

    fn create(
        &mut self,
        tx: &Transaction,
        valid: &ValidLead,
        custom: &BTreeMap<String, String>,
    ) -> Result<i64> {
        let company = self.company(tx, valid)?;
        self.register_custom(tx, custom)?;
        let custom_json = serde_json::to_string(custom)?;
        let now = chrono::Utc::now();
        if now.timestamp() != self.clock.0 {
            self.clock = (now.timestamp(), crate::time::format(now));
        }
        let id = leads::insert_in(
            tx,
            valid,
            &Provenance {
                company: Some(company.as_ref().map(|(id, sort_key)| (*id, &**sort_key))),
                custom: Some(&custom_json),
                first_event_id: self.event_id,
                import_batch_id: Some(self.batch),
                at: Some(&self.clock.1),
                no_suppressions: self.no_suppressions,
                first_stage_later: self.bulk,
            },
        )?;
        if let Some(search) = self.search.as_deref_mut() {
            search.add(id, valid.keys.search_text.clone())?;
        }
        self.add_tags(tx, id, &valid.tags)?;
        self.report.created += 1;
        Ok(id)
    }

    fn update(
        &mut self,
        tx: &Transaction,
        id: i64,
        row: u64,
        cells: &[String],
        values: &RowValues,
    ) -> Result<()> {
        let planned = match plan_update(tx, id, values, &self.plan.keep_existing, &self.converter)?
        {
            Ok(p) => p,
            Err(issues) => return self.fail(tx, row, cells, issues),
        };
        if !planned.changes_anything() {
            self.report.unchanged += 1;
            return Ok(());
        }
        let PlannedUpdate {
            existing,
            existing_custom,
            source,
            valid,
            custom,
            added_tags,
        } = planned;
        let mut diff = serde_json::Map::new();
        let company = self.company(tx, &valid)?;
        self.register_custom(tx, &custom)?;
        let custom_json = serde_json::to_string(&custom)?;
        leads::rewrite_in(
            tx,
            id,
            &valid,
            &source,
            &Provenance {
                company: Some(company.as_ref().map(|(id, sort_key)| (*id, &**sort_key))),
                custom: Some(&custom_json),
                first_event_id: self.event_id,
                import_batch_id: None,
                ..Provenance::default()
            },
        )?;
        self.add_tags(tx, id, &added_tags)?;
        // What changed, as now stored: [before, after] per field (undo restores a field
        // only while it still holds `after`).
        let (after, after_custom, _) = leads::load_input(tx, id)?;
        for (_, code) in super::batches::LEAD_FIELDS {
            let before = leads::field_of(&existing, code);
            let now_value = leads::field_of(&after, code);
            if before != now_value {
                diff.insert(code.to_string(), serde_json::json!([before, now_value]));
            }
        }
        for (name, value) in &after_custom {
            let before = existing_custom.get(name).cloned().unwrap_or_default();
            if &before != value {
                diff.insert(format!("custom:{name}"), serde_json::json!([before, value]));
            }
        }
        if !added_tags.is_empty() {
            diff.insert("+tags".into(), serde_json::json!(added_tags));
        }
        tx.prepare_cached(
            "INSERT INTO import_changes (batch_id, lead_id, change, before) VALUES (?1, ?2, 'updated', ?3)",
        )?
        .execute(params![self.batch, id, serde_json::Value::Object(diff).to_string()])?;
        self.report.updated += 1;
        Ok(())
    }

    fn fail(
        &mut self,
        tx: &Transaction,
        row: u64,
        cells: &[String],
        issues: Vec<RowIssue>,
    ) -> Result<()> {
        self.report.failed += 1;
        let reason = issues
            .iter()
            .map(|i| match &i.column {
                Some(c) => format!("{c}: {}", i.message),
                None => i.message.clone(),
            })
            .collect::<Vec<_>>()
            .join("; ");
        tx.prepare_cached(
            "INSERT OR REPLACE INTO import_failures (batch_id, row_number, reason, cells)
             VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![
            self.batch,
            i64::try_from(row).unwrap_or(i64::MAX),
            reason,
            serde_json::to_string(cells)?
        ])?;
        if self.report.failures.len() < REPORT_FAILURES {
            self.report.failures.push(RowFailure { row, issues });
        }
        Ok(())
    }

    fn finish(self, tx: &Transaction, reader: &Reader) -> Result<ImportReport> {
        if self.bulk {
            // The rows insert_in leaves out on a bulk path, exactly as it writes them, in
            // the order of the leads (so with the same ids); and each new lead's score row,
            // which the trigger that is off on these paths adds otherwise.
            tx.execute(
                "INSERT INTO lead_scores (id) SELECT id FROM leads WHERE import_batch_id = ?1 ORDER BY id",
                [self.batch],
            )?;
            tx.execute(
                "INSERT INTO lifecycle_history (lead_id, from_stage, to_stage, changed_at, actor, reason)
                 SELECT id, NULL, 'lead', created_at, 'user', 'created' FROM leads
                 WHERE import_batch_id = ?1 ORDER BY id",
                [self.batch],
            )?;
        }
        let r = &self.report;
        tx.execute(
            "UPDATE import_batches SET rows_total = ?2, rows_created = ?3, rows_updated = ?4,
                rows_skipped = ?5, rows_failed = ?6
             WHERE id = ?1",
            params![
                self.batch,
                r.rows,
                r.created,
                r.updated,
                r.skipped + r.unchanged,
                r.failed
            ],
        )?;
        leads::audit_in(
            tx,
            "import.run",
            "import_batch",
            Some(self.batch),
            &serde_json::json!({
                "file": file_name(reader.path()),
                "created": r.created, "updated": r.updated, "skipped": r.skipped,
                "unchanged": r.unchanged, "failed": r.failed,
            }),
        )?;
        Ok(self.report)
    }
}

/// Above this many leads an import rescores every lead in one pass rather than lead by lead.
const RESCORE_ALL_ABOVE: usize = 20_000;

/// Scores the leads an import created or updated with the current model (their fit comes
/// from the fields just written).
fn rescore(tx: &Transaction, report: &ImportReport) -> Result<()> {
    let Some(batch) = report.batch else {
        return Ok(());
    };
    let now = chrono::Utc::now();
    if report.created as usize + report.updated as usize > RESCORE_ALL_ABOVE {
        // (Without listing them first: on a bulk path that reads every lead row.)
        crate::scoring::recompute_all_in(tx, now, crate::scoring::Cause::LeadChanged)?;
        return Ok(());
    }
    let ids: Vec<i64> = tx
        .prepare(
            "SELECT id FROM leads WHERE import_batch_id = ?1
             UNION SELECT lead_id FROM import_changes WHERE batch_id = ?1",
        )?
        .query_map([batch], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    crate::scoring::recompute_leads(tx, &ids, now)?;
    Ok(())
}

/// The event of this name, created when there is none.
fn event_for_in(tx: &Transaction, name: &str) -> Result<i64> {
    let existing: Option<i64> = tx
        .query_row(
            "SELECT id FROM events WHERE name = ?1 ORDER BY id LIMIT 1",
            [name],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(id) = existing {
        return Ok(id);
    }
    tx.execute(
        "INSERT INTO events (name, kind, created_at) VALUES (?1, 'other', ?2)",
        params![name, now()],
    )?;
    Ok(tx.last_insert_rowid())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_the_ways_people_write_them() {
        for (input, want) in [
            ("2024/4/1", "2024-04-01"),
            ("2024-04-01", "2024-04-01"),
            ("2024年4月1日", "2024-04-01"),
            ("２０２４／０４／０１", "2024-04-01"),
            ("20240401", "2024-04-01"),
            ("2024-04-01 10:30:00", "2024-04-01"),
        ] {
            assert_eq!(parse_date(input).as_deref(), Some(want), "{input}");
        }
        for bad in ["2024/13/1", "2024/2/30", "昨日", "1/2", "99999999"] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn numbers_that_lost_their_leading_zero_get_it_back() {
        assert_eq!(restore_leading_zero("9011112222"), "09011112222");
        assert_eq!(restore_leading_zero("312345678"), "0312345678");
        assert_eq!(restore_leading_zero("03-1234-5678"), "03-1234-5678");
        assert_eq!(restore_leading_zero("+81312345678"), "+81312345678");
        assert_eq!(restore_postal_zero("600001"), "0600001");
        assert_eq!(restore_postal_zero("1000001"), "1000001");
        assert_eq!(restore_postal_zero("〒060-0001"), "〒060-0001");
    }

    #[test]
    fn prefectures_as_people_write_them() {
        for (input, want) in [
            ("東京都", Some("東京都")),
            ("東京", Some("東京都")),
            ("Tokyo", Some("東京都")),
            ("Tokyo-to", Some("東京都")),
            ("OSAKA FU", Some("大阪府")),
            ("Hokkaido", Some("北海道")),
            ("kyoto prefecture", Some("京都府")),
            ("Berlin", None),
            ("California", None),
        ] {
            assert_eq!(prefecture_of(input), want, "{input}");
        }
    }

    #[test]
    fn field_codes_meet_the_lead_form_names() {
        assert_eq!(camel("postal_code"), "postalCode");
        assert_eq!(camel("email"), "email");
    }
}
