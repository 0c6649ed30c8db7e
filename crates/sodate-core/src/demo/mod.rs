//! Realistic synthetic Japanese B2B data for demos, tests and benchmarks.
//!
//! Deterministic: the same seed and anchor date give the same database. About 5% of the
//! leads are variants of an earlier lead (itaiji, corporate-form spelling, full-width
//! characters, another email, typos, reading script); `demo_duplicates` records which, so
//! that duplicate detection can be evaluated against the truth.
//!
//! Speed: 1M leads with 10M activities must load in about a minute on two cores. Into an
//! empty database the load drops the secondary indexes and the search trigger, inserts in
//! one transaction with cached statements, and rebuilds the indexes at the end (sorting once
//! is much faster than ten million random B-tree inserts), while the search index is built
//! on the second core as the leads arrive (`leads::SearchIndexBuild`).

mod names;

use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use rand::distributions::WeightedIndex;
use rand::prelude::*;
use rand_chacha::ChaCha8Rng;
use rusqlite::{params, Transaction};
use serde::Serialize;

use crate::leads::{LeadKeys, SearchIndexBuild};
use crate::normalize;
use crate::{Error, Result, Sodate};
use names::*;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoOptions {
    pub leads: u32,
    pub seed: u64,
    /// "Today" of the generated history: activities span the two years before it.
    pub anchor: NaiveDate,
}

impl DemoOptions {
    pub fn new(leads: u32, seed: u64) -> Self {
        Self {
            leads,
            seed,
            anchor: Utc::now().date_naive(),
        }
    }
}

/// What was generated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct DemoReport {
    pub leads: u32,
    pub companies: u32,
    pub events: u32,
    pub activities: u32,
    pub duplicates: u32,
}

const DUPLICATE_RATE: f64 = 0.05;
const MEAN_ACTIVITIES: f64 = 10.0;
const HISTORY_DAYS: i64 = 730;

/// Fills the database. `progress(done, total)` is called every few thousand leads; setting
/// `cancel` stops the load and rolls everything back.
pub fn generate(
    db: &Sodate,
    options: &DemoOptions,
    progress: &mut dyn FnMut(u32, u32),
    cancel: &AtomicBool,
) -> Result<DemoReport> {
    if options.leads == 0 {
        return Err(Error::invalid("leads", "out_of_range", "at least 1 lead"));
    }
    if options.leads > 5_000_000 {
        return Err(Error::invalid(
            "leads",
            "out_of_range",
            "at most 5,000,000 leads",
        ));
    }
    // Demo data goes into empty databases only the fast way (its search index is built
    // aside); into a database with leads it is written row by row.
    let path = match crate::db::bulk::path_for(db, u64::from(options.leads))? {
        crate::db::bulk::Path::Full => crate::db::bulk::Path::Full,
        _ => crate::db::bulk::Path::Ordinary,
    };
    let report = crate::db::bulk::write_many(
        db,
        path,
        &[],
        |tx, search| {
            let report = Generator::new(options).run(tx, progress, cancel, search)?;
            crate::leads::audit_in(
                tx,
                "demo.load",
                "database",
                None,
                &serde_json::to_value(&report)?,
            )?;
            Ok(report)
        },
        |_, _| Ok(()),
    );
    let report = report?;
    db.conn().execute_batch("PRAGMA optimize")?;
    Ok(report)
}

/// The stages a demo lead went through to reach `stage`, first to last (lost, recycled and
/// disqualified leads leave at different points, chosen by id).
fn stage_path(stage: &str, lead_id: i64) -> &'static [&'static str] {
    const FUNNEL: [&str; 6] = ["lead", "mql", "sal", "sql", "opportunity", "won"];
    match (stage, lead_id % 3) {
        ("subscriber", _) => &["subscriber"],
        ("lost", 0) => &["lead", "mql", "sal", "sql", "opportunity", "lost"],
        ("lost", 1) => &["lead", "mql", "sal", "sql", "lost"],
        ("lost", _) => &["lead", "mql", "sal", "lost"],
        ("recycled", 0) => &["lead", "mql", "sal", "recycled"],
        ("recycled", _) => &["lead", "mql", "recycled"],
        ("disqualified", 0) => &["lead", "mql", "disqualified"],
        ("disqualified", _) => &["lead", "disqualified"],
        _ => {
            let end = FUNNEL.iter().position(|s| *s == stage).unwrap_or(0);
            &FUNNEL[..=end]
        }
    }
}

/// The indices a lead is built from, so a duplicate can be rendered from its original.
#[derive(Clone, Copy)]
struct LeadSeed {
    family: u16,
    given: u16,
    company: u32,
    department: u8,
    title: u8,
    email_style: u8,
    phone: u32,
    mobile: Option<u32>,
}

struct Company {
    id: i64,
    place: usize,
    domain: String,
    postal_code: String,
    address: String,
    industry: &'static str,
    employee_band: &'static str,
}

struct EventRow {
    id: i64,
    day: i64,
    kind: &'static str,
}

/// One lead's display values before keys are computed.
#[derive(Clone)]
struct LeadValues {
    family_name: String,
    given_name: String,
    family_reading: String,
    given_reading: String,
    company_id: i64,
    company_name: String,
    company_reading: String,
    department: String,
    title: String,
    email: String,
    phone: String,
    mobile: String,
    postal_code: String,
    prefecture: String,
    address: String,
}

struct Generator<'a> {
    options: &'a DemoOptions,
    rng: ChaCha8Rng,
    anchor_ts: chrono::DateTime<Utc>,
}

fn katakana(hiragana: &str) -> String {
    hiragana
        .chars()
        .map(|c| match c {
            '\u{3041}'..='\u{3096}' => char::from_u32(c as u32 + 0x60).unwrap_or(c),
            _ => c,
        })
        .collect()
}

fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '!'..='~' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

impl<'a> Generator<'a> {
    fn new(options: &'a DemoOptions) -> Self {
        let anchor_ts =
            Utc.from_utc_datetime(&options.anchor.and_hms_opt(9, 0, 0).unwrap_or_default());
        Self {
            options,
            rng: ChaCha8Rng::seed_from_u64(options.seed),
            anchor_ts,
        }
    }

    fn day_ts(&self, day: i64, seconds: i64) -> String {
        // day 0 = HISTORY_DAYS before the anchor.
        crate::time::format(
            self.anchor_ts - Duration::days(HISTORY_DAYS - day) + Duration::seconds(seconds),
        )
    }

    /// Unix seconds of `seconds` after day 0 (HISTORY_DAYS before the anchor).
    fn epoch(&self, seconds: i64) -> i64 {
        self.anchor_ts.timestamp() - HISTORY_DAYS * 86_400 + seconds
    }

    fn run(
        mut self,
        tx: &Transaction,
        progress: &mut dyn FnMut(u32, u32),
        cancel: &AtomicBool,
        mut search: Option<&mut SearchIndexBuild>,
    ) -> Result<DemoReport> {
        let total = self.options.leads;
        let now = crate::time::now();
        let events = self.events(tx, &now)?;
        let mut companies = self.companies(tx, &now)?;
        let company_count = companies.len() as u32;
        let title_weights = WeightedIndex::new(TITLES.iter().map(|t| t.1))
            .map_err(|e| Error::Conflict(e.to_string()))?;
        let kinds: &[(&str, u32)] = &[
            ("page_view", 300),
            ("email_sent", 200),
            ("email_opened", 140),
            ("email_clicked", 55),
            ("document_request", 40),
            ("seminar_registered", 30),
            ("seminar_attended", 24),
            ("webinar_registered", 30),
            ("webinar_attended", 22),
            ("call", 20),
            ("meeting", 10),
            ("note", 12),
            ("email_bounced", 5),
            ("email_unsubscribed", 3),
        ];
        let kind_weights = WeightedIndex::new(kinds.iter().map(|k| k.1))
            .map_err(|e| Error::Conflict(e.to_string()))?;
        let stages: &[(&str, u32)] = &[
            ("subscriber", 10),
            ("lead", 58),
            ("mql", 10),
            ("sal", 4),
            ("sql", 4),
            ("opportunity", 3),
            ("won", 3),
            ("lost", 3),
            ("recycled", 2),
            ("disqualified", 3),
        ];
        let stage_weights = WeightedIndex::new(stages.iter().map(|s| s.1))
            .map_err(|e| Error::Conflict(e.to_string()))?;

        let mut seeds: Vec<LeadSeed> = Vec::with_capacity(total as usize);
        let mut insert_lead = tx.prepare_cached(
            "INSERT INTO leads (family_name, given_name, family_reading, given_reading, company_id,
                department, title, email, phone, mobile, postal_code, prefecture, address,
                source, first_event_id, lifecycle_stage, stage_changed_at, consent_state,
                name_key, reading_key, email_key, phone_key,
                mobile_key, sort_name_key, company_sort_key, search_text, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                     ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28)",
        )?;
        // The lead's row of `lead_scores`: added here on the bulk path, where the trigger
        // that adds it with the lead is off; else updated.
        let mut write_scores = tx.prepare_cached(
            "INSERT INTO lead_scores (id, engagement_score, fit_score, grade, is_mql, mql_since)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (id) DO UPDATE SET engagement_score = excluded.engagement_score,
                fit_score = excluded.fit_score, grade = excluded.grade,
                is_mql = excluded.is_mql, mql_since = excluded.mql_since",
        )?;
        let mut insert_activity = tx.prepare_cached(
            "INSERT INTO activities (lead_id, type_id, occurred_at, detail, event_id, source)
             VALUES (?1, ?2, ?3, ?4, ?5, 'demo')",
        )?;
        let mut insert_history = tx.prepare_cached(
            "INSERT INTO lifecycle_history (lead_id, from_stage, to_stage, changed_at, actor, reason, automatic)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        let mut insert_consent = tx.prepare_cached(
            "INSERT INTO consents (lead_id, channel, state, method, recorded_at, evidence, event_id)
             VALUES (?1, 'email', ?2, ?3, ?4, ?5, ?6)",
        )?;
        let mut insert_tag = tx.prepare_cached(
            "INSERT OR IGNORE INTO lead_tags (lead_id, tag_id) SELECT ?1, id FROM tags WHERE name = ?2",
        )?;
        let mut insert_mql = tx.prepare_cached(
            "INSERT INTO score_history (lead_id, at, from_mql, to_mql, engagement, fit, grade, reason, model_revision)
             VALUES (?1, ?2, 0, 1, ?3, ?4, ?5, 'demo: scored when the demo data was generated', ?6)",
        )?;
        let mut insert_duplicate = tx.prepare_cached(
            "INSERT INTO demo_duplicates (lead_id, original_id, variation) VALUES (?1, ?2, ?3)",
        )?;
        for tag in TAGS {
            tx.execute("INSERT OR IGNORE INTO tags (name) VALUES (?1)", [tag])?;
        }
        let type_ids: std::collections::HashMap<String, i64> = tx
            .prepare("SELECT code, id FROM activity_types")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let type_id = |code: &str| -> Result<i64> {
            type_ids
                .get(code)
                .copied()
                .ok_or_else(|| Error::Conflict(format!("activity type {code} is missing")))
        };
        let kinds: Vec<(i64, u32, &str)> = kinds
            .iter()
            .map(|(code, w)| Ok((type_id(code)?, *w, *code)))
            .collect::<Result<_>>()?;
        // Scores are computed here with the database's model (the default one in a new
        // database), by the same code as a recompute, as of the anchor day.
        let stored_model = crate::scoring::load_in(tx)?;
        let scoring = crate::scoring::engine::Compiled::new(stored_model.model, &type_ids);
        let today = self.anchor_ts.timestamp().div_euclid(86_400);
        let scored_at = crate::time::format(self.anchor_ts);
        let mut slots = vec![0u32; scoring.slots()];
        let mut fold_buf = String::new();
        let mut fit_memo = crate::scoring::engine::FitMemo::default();
        let mut planned: Vec<(i64, i64, &str, Option<i64>)> = Vec::new();
        let booth_visit = type_id("booth_visit")?;
        let seminar_attended = type_id("seminar_attended")?;
        let first_lead_id: i64 =
            tx.query_row("SELECT COALESCE(max(id), 0) + 1 FROM leads", [], |r| {
                r.get(0)
            })?;

        let mut activity_count: u32 = 0;
        let mut duplicate_count: u32 = 0;
        let mut company_names: Vec<(String, String)> = Vec::with_capacity(companies.len());
        for c in &companies {
            let (name, reading): (String, String) = tx.query_row(
                "SELECT name, reading FROM companies WHERE id = ?1",
                [c.id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            company_names.push((name, reading));
        }

        // Leads are numbered in the order they arrived (the list's registered order is the
        // id order): creation times ascend with the row id, duplicates arrive later.
        let mut arrivals: Vec<(u16, i64)> = (0..total)
            .map(|_| {
                (
                    self.rng.gen_range(0..HISTORY_DAYS as u16),
                    self.rng.gen_range(0..9 * 3600),
                )
            })
            .collect();
        arrivals.sort_unstable();

        for i in 0..total {
            if i % 2000 == 0 {
                if cancel.load(Ordering::Relaxed) {
                    return Err(Error::Cancelled);
                }
                progress(i, total);
            }
            let is_duplicate = i >= 20 && self.rng.gen_bool(DUPLICATE_RATE);
            let (seed, values, variation, original) = if is_duplicate {
                let original = self.rng.gen_range(0..seeds.len());
                let seed = seeds[original];
                let base = self.render(&seed, &companies, &company_names);
                let (values, variation) = self.vary(
                    tx,
                    base,
                    seed.company as usize,
                    &mut companies,
                    &mut company_names,
                    &now,
                )?;
                (
                    seed,
                    values,
                    Some(variation),
                    Some(first_lead_id + original as i64),
                )
            } else {
                let seed = LeadSeed {
                    family: self.rng.gen_range(0..FAMILY.len()) as u16,
                    given: self.rng.gen_range(0..GIVEN.len()) as u16,
                    company: self.rng.gen_range(0..company_count),
                    department: self.rng.gen_range(0..DEPARTMENTS.len()) as u8,
                    title: title_weights.sample(&mut self.rng) as u8,
                    email_style: self.rng.gen_range(0..100),
                    phone: self.rng.gen_range(1000_0000..9999_9999),
                    mobile: self
                        .rng
                        .gen_bool(0.6)
                        .then(|| self.rng.gen_range(1000_0000..9999_9999)),
                };
                let values = self.render(&seed, &companies, &company_names);
                (seed, values, None, None)
            };
            seeds.push(seed);

            // Source and first event: trade shows and seminars near the creation day.
            let (created_day, created_second) = arrivals[i as usize];
            let created_day = i64::from(created_day);
            let source_roll: u32 = self.rng.gen_range(0..100);
            let near_event = events
                .iter()
                .filter(|e| e.day <= created_day)
                .min_by_key(|e| created_day - e.day);
            let (source, first_event) = match (source_roll, near_event) {
                (0..=34, Some(e)) if e.kind == "trade_show" => ("trade_show", Some(e)),
                (0..=34, Some(e)) => ("seminar", Some(e)),
                (35..=49, _) => ("card_exchange", None),
                (50..=69, _) => ("web_form", None),
                (70..=84, Some(e)) => (
                    if e.kind == "webinar" {
                        "webinar"
                    } else {
                        "seminar"
                    },
                    Some(e),
                ),
                (85..=94, _) => ("web", None),
                _ => ("referral", None),
            };
            let created_at = self.day_ts(created_day, created_second);
            let stage = stages[stage_weights.sample(&mut self.rng)].0;
            let consent_roll: u32 = self.rng.gen_range(0..100);
            let consent = match consent_roll {
                0..=49 => "opted_in",
                50..=89 => "unknown",
                90..=96 => "opted_out",
                _ => "bounced",
            };
            // Two draws that once made random scores, kept so that a seed gives the same
            // leads, activities and duplicates as before (dedupe figures were measured on them).
            let _ = self.rng.gen_range(0..4_usize);
            let _ = self.rng.gen_range(0..60_u32);

            let email_key = normalize::email(&values.email).unwrap_or_default();
            let phone_key = normalize::phone(&values.phone)
                .map(|p| p.e164)
                .unwrap_or_default();
            let mobile_key = normalize::phone(&values.mobile)
                .map(|p| p.e164)
                .unwrap_or_default();
            let keys = LeadKeys::compute(
                &values.family_name,
                &values.given_name,
                &values.family_reading,
                &values.given_reading,
                &values.company_name,
                &values.company_reading,
                &email_key,
                &phone_key,
                &mobile_key,
            );
            let company_sort = crate::leads::company_sort_key(
                &normalize::company_key(&values.company_name),
                &normalize::reading_key(&values.company_reading),
            );

            // Activities between creation and the anchor; more for later stages.
            let stage_boost = match stage {
                "mql" | "sal" | "sql" | "opportunity" | "won" => 2.0,
                "subscriber" => 0.5,
                _ => 1.0,
            };
            let u: f64 = self.rng.gen_range(f64::EPSILON..1.0);
            let n_activities = ((-u.ln()) * MEAN_ACTIVITIES * stage_boost / 1.19).min(250.0) as u32;
            let span = (HISTORY_DAYS - created_day).max(1);
            let mut times: Vec<i64> = (0..n_activities)
                .map(|_| created_day * 86_400 + self.rng.gen_range(0..span * 86_400))
                .collect();
            times.sort_unstable();
            let last_activity = times.last().copied().unwrap_or(created_day * 86_400);
            let updated_at =
                self.day_ts(0, last_activity.max(created_day * 86_400 + created_second));

            // The activities, planned before the lead is written so that its scores can be
            // written with it: the first event's visit, then the history.
            planned.clear();
            if let Some(e) = first_event {
                let kind = if e.kind == "trade_show" {
                    booth_visit
                } else {
                    seminar_attended
                };
                planned.push((
                    kind,
                    self.epoch(created_day * 86_400 + created_second),
                    "",
                    Some(e.id),
                ));
            }
            for t in &times {
                let (kind_id, _, kind) = kinds[kind_weights.sample(&mut self.rng)];
                let (detail, event_id): (&str, Option<i64>) = match kind {
                    "page_view" => (PAGES[self.rng.gen_range(0..PAGES.len())], None),
                    "document_request" => (DOCUMENTS[self.rng.gen_range(0..DOCUMENTS.len())], None),
                    "email_sent" | "email_opened" | "email_clicked" => (
                        MAIL_SUBJECTS[self.rng.gen_range(0..MAIL_SUBJECTS.len())],
                        None,
                    ),
                    "seminar_registered" | "seminar_attended" | "webinar_registered"
                    | "webinar_attended" => {
                        let e = &events[self.rng.gen_range(0..events.len())];
                        ("", Some(e.id))
                    }
                    _ => ("", None),
                };
                planned.push((kind_id, self.epoch(*t), detail, event_id));
            }
            slots.iter_mut().for_each(|w| *w = 0);
            for (kind_id, at, detail, _) in &planned {
                scoring.add_activity(
                    &mut slots,
                    (*kind_id, *at, detail),
                    today,
                    &mut fold_buf,
                    |_, _| {},
                );
            }
            let company = companies
                .get((values.company_id - companies[0].id).max(0) as usize)
                .filter(|c| c.id == values.company_id)
                .or_else(|| companies.iter().find(|c| c.id == values.company_id));
            let field_values: Vec<&str> = scoring
                .fields
                .iter()
                .map(|f| {
                    use crate::scoring::engine::FieldRef as F;
                    match f {
                        F::Title => values.title.as_str(),
                        F::Department => values.department.as_str(),
                        F::Email | F::EmailDomain => values.email.as_str(),
                        F::Prefecture => values.prefecture.as_str(),
                        F::Source => source,
                        F::CompanyName => values.company_name.as_str(),
                        F::Industry => company.map_or("", |c| c.industry),
                        F::EmployeeBand => company.map_or("", |c| c.employee_band),
                        F::CompanyPrefecture => company.map_or("", |c| PLACES[c.place].0),
                        F::CompanyDomain => company.map_or("", |c| c.domain.as_str()),
                        F::Website | F::Custom(_) => "",
                    }
                })
                .collect();
            let score = scoring.score(&slots, scoring.fit_mask(&field_values, &mut fit_memo));
            let engagement = score.engagement as f64 / 10.0;
            let fit = score.fit as f64 / 10.0;
            let grade = score.grade_str();

            let lead_id = {
                insert_lead.execute(params![
                    values.family_name,
                    values.given_name,
                    values.family_reading,
                    values.given_reading,
                    values.company_id,
                    values.department,
                    values.title,
                    values.email,
                    values.phone,
                    values.mobile,
                    values.postal_code,
                    values.prefecture,
                    values.address,
                    source,
                    first_event.map(|e| e.id),
                    stage,
                    created_at,
                    consent,
                    keys.name_key,
                    keys.reading_key,
                    keys.email_key,
                    keys.phone_key,
                    keys.mobile_key,
                    keys.sort_name_key,
                    company_sort,
                    keys.search_text,
                    created_at,
                    updated_at,
                ])?;
                let lead_id = tx.last_insert_rowid();
                write_scores.execute(params![
                    lead_id,
                    engagement,
                    fit,
                    grade,
                    score.is_mql,
                    score.is_mql.then_some(scored_at.as_str()),
                ])?;
                lead_id
            };
            if score.is_mql {
                insert_mql.execute(params![
                    lead_id,
                    scored_at,
                    engagement,
                    fit,
                    grade,
                    stored_model.revision
                ])?;
            }
            if let Some(search) = search.as_deref_mut() {
                search.add(lead_id, keys.search_text)?;
            }

            for (kind_id, at, detail, event_id) in &planned {
                insert_activity.execute(params![lead_id, kind_id, at, detail, event_id])?;
                activity_count += 1;
            }

            // The way the lead went to its stage, one history entry per move, spread
            // between its registration and its last activity (the funnel counts them).
            let path = stage_path(stage, lead_id);
            let created_secs = created_day * 86_400 + created_second;
            let updated_secs = last_activity.max(created_secs);
            let steps = path.len() as i64;
            for (i, to) in path.iter().enumerate() {
                let (from, at, reason) = if i == 0 {
                    (None, created_at.clone(), "created")
                } else {
                    let at = created_secs + (updated_secs - created_secs) * i as i64 / (steps - 1);
                    (
                        Some(path[i - 1]),
                        self.day_ts(0, at),
                        if *to == "mql" { "score threshold" } else { "" },
                    )
                };
                insert_history.execute(params![
                    lead_id,
                    from,
                    to,
                    at,
                    "demo",
                    reason,
                    i32::from(*to == "mql")
                ])?;
            }
            if consent != "unknown" {
                let method = if source == "trade_show" || source == "card_exchange" {
                    "card_exchange"
                } else {
                    "web_form"
                };
                insert_consent.execute(params![
                    lead_id,
                    consent,
                    method,
                    created_at,
                    "",
                    first_event.map(|e| e.id)
                ])?;
            }
            if self.rng.gen_bool(0.3) {
                let tag = TAGS[self.rng.gen_range(0..TAGS.len())];
                insert_tag.execute(params![lead_id, tag])?;
            }
            if let (Some(variation), Some(original)) = (variation, original) {
                insert_duplicate.execute(params![lead_id, original, variation])?;
                duplicate_count += 1;
            }
        }
        crate::scoring::set_scored_day_in(tx, today)?;
        progress(total, total);
        Ok(DemoReport {
            leads: total,
            companies: companies.len() as u32,
            events: events.len() as u32,
            activities: activity_count,
            duplicates: duplicate_count,
        })
    }

    fn events(&mut self, tx: &Transaction, now: &str) -> Result<Vec<EventRow>> {
        let mut out = Vec::new();
        let mut numbers = [0u32; 8];
        // Roughly one event every 3 weeks over the two years.
        let mut day = self.rng.gen_range(0..20_i64);
        while day < HISTORY_DAYS {
            let p = self.rng.gen_range(0..EVENT_PATTERNS.len());
            let (pattern, kind, place) = EVENT_PATTERNS[p];
            numbers[p] += 1;
            let date = self.options.anchor - Duration::days(HISTORY_DAYS - day);
            let year = date.format("%Y").to_string();
            let name = pattern
                .replace("{y}", &year)
                .replace("{n}", &numbers[p].to_string());
            let days_long = if kind == "trade_show" { 2 } else { 0 };
            let starts = date.format("%Y-%m-%d").to_string();
            let ends = (date + Duration::days(days_long))
                .format("%Y-%m-%d")
                .to_string();
            tx.execute(
                "INSERT INTO events (name, kind, starts_on, ends_on, place, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![name, kind, starts, ends, place, now],
            )?;
            out.push(EventRow {
                id: tx.last_insert_rowid(),
                day,
                kind,
            });
            day += self.rng.gen_range(10..32);
        }
        Ok(out)
    }

    fn companies(&mut self, tx: &Transaction, now: &str) -> Result<Vec<Company>> {
        let count = (self.options.leads / 8).max(1);
        let form_weights = WeightedIndex::new(CORPORATE_FORMS.iter().map(|f| f.2))
            .map_err(|e| Error::Conflict(e.to_string()))?;
        let place_weights = WeightedIndex::new(PLACES.iter().map(|p| p.1))
            .map_err(|e| Error::Conflict(e.to_string()))?;
        let mut stmt = tx.prepare_cached(
            "INSERT INTO companies (name, name_key, reading, reading_key, domain, industry,
                employee_band, postal_code, prefecture, address, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
        )?;
        let mut domains = std::collections::HashMap::new();
        let mut out = Vec::with_capacity(count as usize);
        for _ in 0..count {
            let stem = COMPANY_STEMS[self.rng.gen_range(0..COMPANY_STEMS.len())];
            let word = COMPANY_WORDS[self.rng.gen_range(0..COMPANY_WORDS.len())];
            let (form, prefix, _) = CORPORATE_FORMS[form_weights.sample(&mut self.rng)];
            let base = format!("{}{}", stem.0, word.0);
            let name = if prefix {
                format!("{form}{base}")
            } else {
                format!("{base}{form}")
            };
            let reading = katakana(&format!("{}{}", stem.1, word.1));
            // Names repeat across regions (as real ones do); domains must not.
            let seen = domains.entry((stem.2, word.2)).or_insert(0u32);
            *seen += 1;
            let domain = if *seen == 1 {
                format!("{}-{}.co.jp", stem.2, word.2)
            } else {
                format!("{}-{}{}.co.jp", stem.2, word.2, seen)
            };
            let place = place_weights.sample(&mut self.rng);
            let (prefecture, _, _, cities, postal_first) = PLACES[place];
            let city = cities[self.rng.gen_range(0..cities.len())];
            let building = BUILDINGS[self.rng.gen_range(0..BUILDINGS.len())];
            let address = format!(
                "{prefecture}{city}{}-{}-{}{}",
                self.rng.gen_range(1..6),
                self.rng.gen_range(1..20),
                self.rng.gen_range(1..30),
                if building.is_empty() {
                    String::new()
                } else {
                    format!(" {}{} {}F", stem.0, building, self.rng.gen_range(2..30))
                }
            );
            let postal = format!("{postal_first}{:06}", self.rng.gen_range(0..1_000_000));
            let industry = INDUSTRIES[word.3];
            let band = EMPLOYEE_BANDS[self.rng.gen_range(0..EMPLOYEE_BANDS.len())];
            stmt.execute(params![
                name,
                normalize::company_key(&name),
                reading,
                normalize::reading_key(&reading),
                domain,
                industry,
                band,
                postal,
                prefecture,
                address,
                now
            ])?;
            out.push(Company {
                id: tx.last_insert_rowid(),
                place,
                domain,
                postal_code: postal,
                address,
                industry,
                employee_band: band,
            });
        }
        Ok(out)
    }

    fn render(
        &mut self,
        seed: &LeadSeed,
        companies: &[Company],
        names: &[(String, String)],
    ) -> LeadValues {
        let (family, family_reading, family_romaji) = FAMILY[seed.family as usize];
        let (given, given_reading, given_romaji) = GIVEN[seed.given as usize];
        let company = &companies[seed.company as usize];
        let (prefecture, _, area, _, _) = PLACES[company.place];
        let local = match seed.email_style {
            0..=39 => format!("{given_romaji}.{family_romaji}"),
            40..=59 => format!("{family_romaji}.{given_romaji}"),
            60..=79 => format!("{}{family_romaji}", &given_romaji[..1]),
            80..=95 => family_romaji.to_string(),
            _ => format!("{family_romaji}.{given_romaji}{}", seed.phone % 100),
        };
        let email = if seed.email_style >= 96 {
            format!("{local}@{}", FREE_MAIL[(seed.phone % 3) as usize])
        } else {
            format!("{local}@{}", company.domain)
        };
        let digits = format!("{:08}", seed.phone);
        let phone = match area.len() {
            2 => format!("{area}-{}-{}", &digits[..4], &digits[4..]),
            _ => format!("{area}-{}-{}", &digits[1..4], &digits[4..]),
        };
        let mobile = seed
            .mobile
            .map(|m| {
                let d = format!("{m:08}");
                let prefix = ["090", "080", "070"][(m % 3) as usize];
                format!("{prefix}-{}-{}", &d[..4], &d[4..])
            })
            .unwrap_or_default();
        LeadValues {
            family_name: family.to_string(),
            given_name: given.to_string(),
            family_reading: katakana(family_reading),
            given_reading: katakana(given_reading),
            company_id: company.id,
            company_name: names[seed.company as usize].0.clone(),
            company_reading: names[seed.company as usize].1.clone(),
            department: DEPARTMENTS[seed.department as usize].to_string(),
            title: TITLES[seed.title as usize].0.to_string(),
            email,
            phone,
            mobile,
            postal_code: company.postal_code.clone(),
            prefecture: prefecture.to_string(),
            address: company.address.clone(),
        }
    }

    /// Applies one or two realistic variations to a copy of an existing lead.
    fn vary(
        &mut self,
        tx: &Transaction,
        mut v: LeadValues,
        company_index: usize,
        companies: &mut Vec<Company>,
        names: &mut Vec<(String, String)>,
        now: &str,
    ) -> Result<(LeadValues, String)> {
        let mut applied: Vec<&'static str> = Vec::new();
        let wanted = if self.rng.gen_bool(0.4) { 2 } else { 1 };
        let mut attempts = 0;
        while applied.len() < wanted && attempts < 10 {
            attempts += 1;
            let kind = self.rng.gen_range(0..7);
            let name = match kind {
                0 => {
                    let Some((_, variant)) = FAMILY_VARIANTS
                        .iter()
                        .find(|(plain, _)| *plain == v.family_name)
                    else {
                        continue;
                    };
                    v.family_name = (*variant).to_string();
                    "itaiji"
                }
                1 => {
                    // The same company written with another corporate form, as another
                    // system exported it: a separate company row with the same domain.
                    let idx = company_index;
                    let base = normalize::company_key(&v.company_name);
                    let plain: String = ["株式会社", "有限会社", "合同会社", "一般社団法人"]
                        .iter()
                        .fold(v.company_name.clone(), |s, f| s.replace(f, ""));
                    if base.is_empty() || plain == v.company_name {
                        continue;
                    }
                    let variant = if self.rng.gen_bool(0.5) {
                        format!("㈱{plain}")
                    } else {
                        format!("（株）{plain}")
                    };
                    let place = companies[idx].place;
                    let domain = companies[idx].domain.clone();
                    let postal_code = companies[idx].postal_code.clone();
                    let address = companies[idx].address.clone();
                    let (industry, employee_band) =
                        (companies[idx].industry, companies[idx].employee_band);
                    tx.execute(
                        "INSERT INTO companies (name, name_key, reading, reading_key, domain, industry,
                            employee_band, postal_code, prefecture, address, created_at, updated_at)
                         SELECT ?1, ?2, '', '', domain, industry, employee_band, postal_code,
                            prefecture, address, ?3, ?3 FROM companies WHERE id = ?4",
                        params![variant, normalize::company_key(&variant), now, v.company_id],
                    )?;
                    let id = tx.last_insert_rowid();
                    companies.push(Company {
                        id,
                        place,
                        domain,
                        postal_code,
                        address,
                        industry,
                        employee_band,
                    });
                    names.push((variant.clone(), String::new()));
                    v.company_id = id;
                    v.company_name = variant;
                    v.company_reading = String::new();
                    "corporate_form"
                }
                2 => {
                    v.email = full_width(&v.email);
                    v.phone = full_width(&v.phone);
                    "full_width"
                }
                3 => {
                    // (The address may already be full-width: its ＠ splits it too.)
                    let local = v.email.split(['@', '＠']).next().unwrap_or("x").to_string();
                    v.email = format!(
                        "{local}{}@{}",
                        self.rng.gen_range(1..99),
                        FREE_MAIL[self.rng.gen_range(0..FREE_MAIL.len())]
                    );
                    "other_email"
                }
                4 => {
                    // A typo: one kana of the given-name reading replaced.
                    let mut chars: Vec<char> = v.given_reading.chars().collect();
                    if chars.len() < 2 {
                        continue;
                    }
                    let at = self.rng.gen_range(1..chars.len());
                    chars[at] = ['ア', 'イ', 'ウ', 'エ', 'オ', 'ン'][self.rng.gen_range(0..6)];
                    v.given_reading = chars.into_iter().collect();
                    "typo"
                }
                5 => {
                    v.family_reading = normalize::katakana_to_hiragana(&v.family_reading);
                    v.given_reading = normalize::katakana_to_hiragana(&v.given_reading);
                    "hiragana_reading"
                }
                _ => {
                    v.family_reading.clear();
                    v.given_reading.clear();
                    v.phone.clear();
                    "missing_reading_and_phone"
                }
            };
            if !applied.contains(&name) {
                applied.push(name);
            }
        }
        if applied.is_empty() {
            v.email = full_width(&v.email);
            applied.push("full_width");
        }
        Ok((v, applied.join(",")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn katakana_and_full_width() {
        assert_eq!(katakana("たなか"), "タナカ");
        assert_eq!(full_width("a@b.jp 03"), "ａ＠ｂ．ｊｐ ０３");
    }
}
