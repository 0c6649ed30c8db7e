//! The benchmark workloads behind `sodate bench`: each one runs the real code path on a
//! real database file and reports wall-clock figures (p50/p95 for interactive queries).
//! The figures are recorded in docs/BENCHMARKS.md; tests never assert on time.

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::demo::{self, DemoOptions};
use crate::{leads, LeadQuery, LeadSort, Result, Sodate};

mod board;
mod capture;
mod dashboard;
mod journeys;
mod segments;

pub use board::run_board;
pub use capture::run_capture;

/// One measured workload.
#[derive(Debug, Clone, Serialize)]
pub struct BenchRow {
    pub workload: String,
    /// Number of runs measured.
    pub runs: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub max_ms: f64,
    /// The target from the spec, for the table.
    pub target: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    pub leads: u32,
    pub activities: u32,
    pub database_bytes: u64,
    pub rows: Vec<BenchRow>,
}

/// Search queries a marketer types: surnames (2 characters: the short-query path), readings,
/// romaji in emails, company names, phone fragments, and a miss.
pub const SEARCH_QUERIES: &[&str] = &[
    "田中",
    "佐藤",
    "高橋",
    "髙橋",
    "山",
    "たなか",
    "タナカ",
    "さとう ひろし",
    "田中太郎",
    "佐々木",
    "tanaka",
    "suzuki.kenichi",
    "@toyo-system",
    "東洋システム",
    "(株)東洋",
    "サンライズ",
    "しょうじ",
    "090-12",
    "0312",
    "営業",
    "長谷川",
    "みらい",
    "yamada",
    "存在しない名前",
];

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

fn row(workload: &str, mut times: Vec<Duration>, target: &str) -> BenchRow {
    times.sort();
    BenchRow {
        workload: workload.to_string(),
        runs: times.len(),
        p50_ms: percentile(&times, 0.5),
        p95_ms: percentile(&times, 0.95),
        max_ms: times
            .last()
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(0.0),
        target: target.to_string(),
    }
}

/// Opens the database a workload measures: encrypted with the passphrase in
/// `SODATE_PASSPHRASE` when that is set (a new database is then created encrypted), so the
/// same workloads measure the cost of encryption.
fn open_measured(path: impl AsRef<Path>) -> Result<Sodate> {
    Sodate::open_with(path, crate::encryption::passphrase_from_env()?.as_ref())
}

/// Runs each query once and returns how long each took.
fn time_each(db: &Sodate, queries: &[LeadQuery]) -> Result<Vec<Duration>> {
    queries
        .iter()
        .map(|q| {
            let t = Instant::now();
            leads::list(db, q)?;
            Ok(t.elapsed())
        })
        .collect()
}

/// Generates `leads` demo leads into a new database at `path` and measures the workloads.
pub fn run(
    path: &Path,
    leads: u32,
    seed: u64,
    progress: &mut dyn FnMut(&str),
) -> Result<BenchReport> {
    if path.exists() {
        return Err(crate::Error::Conflict(format!(
            "{} already exists; bench writes a new database",
            path.display()
        )));
    }
    let db = open_measured(path)?;
    progress(&format!("generating {leads} demo leads"));
    let started = Instant::now();
    let report = demo::generate(
        &db,
        &DemoOptions::new(leads, seed),
        &mut |_, _| {},
        &AtomicBool::new(false),
    )?;
    let demo_row = row(
        &format!(
            "demo: {} leads + {} activities",
            report.leads, report.activities
        ),
        vec![started.elapsed()],
        "1M leads ≤ 60 s",
    );
    drop(db);
    let mut report = run_queries(path, progress)?;
    report.rows.insert(0, demo_row);
    report.rows.extend(run_scoring(path, progress)?);
    Ok(report)
}

/// Measures the segment workloads only, on an existing database (read-only).
pub fn run_segments(path: &Path, progress: &mut dyn FnMut(&str)) -> Result<Vec<BenchRow>> {
    segments::run(&open_measured(path)?, progress)
}

/// Measures scoring on an existing database (it writes: activities are added, the model is
/// saved with one rule changed and then restored).
pub fn run_scoring(path: &Path, progress: &mut dyn FnMut(&str)) -> Result<Vec<BenchRow>> {
    use crate::{activities, scoring};
    let db = open_measured(path)?;
    let now = chrono::Utc::now();
    let mut rows = Vec::new();

    progress("scoring: full recompute");
    // A fresh handle each run: nothing cached, every lead and activity read. The first run
    // reads from disk: the file is dropped from the OS page cache before it.
    let cold = evict_page_cache(path);
    let mut times = Vec::new();
    let mut changed = 0;
    for _ in 0..4 {
        let fresh = open_measured(path)?;
        let t = Instant::now();
        changed = scoring::recompute_all(&fresh, now)?.changed;
        times.push(t.elapsed());
    }
    let first = times.remove(0);
    rows.push(row(
        &format!(
            "score: full recompute, {} page cache (fresh handle, {changed} rows changed)",
            if cold {
                "cold"
            } else {
                "warm (could not evict)"
            }
        ),
        vec![first],
        "≤ 5 s",
    ));
    rows.push(row(
        &format!("score: full recompute, warm page cache ({changed} rows changed)"),
        times,
        "≤ 5 s",
    ));

    let current = scoring::load_model(&db)?.model;
    let mut candidate = current.clone();
    if let Some(r) = candidate
        .behaviour_rules
        .iter_mut()
        .find(|r| r.id == "document_request")
    {
        r.points -= 5.0;
    }
    candidate.mql.engagement -= 5.0;

    progress("scoring: impact preview of a changed model");
    // The recompute above stored its snapshot: a new handle (a new process) starts from it.
    let cold = evict_page_cache(path);
    let t = Instant::now();
    scoring::impact_preview(&open_measured(path)?, &candidate, now)?;
    rows.push(row(
        &format!(
            "score: impact preview, first one of a new handle, {} page cache (from the snapshot stored with the last full rescore)",
            if cold { "cold" } else { "warm (could not evict)" }
        ),
        vec![t.elapsed()],
        "≤ 1 s",
    ));
    // Three previews, each the first one of a new handle (a new process).
    let first_previews = || -> Result<Vec<std::time::Duration>> {
        (0..3)
            .map(|_| {
                let fresh = open_measured(path)?;
                let t = Instant::now();
                scoring::impact_preview(&fresh, &candidate, now)?;
                Ok(t.elapsed())
            })
            .collect()
    };
    let times = first_previews()?;
    rows.push(row(
        "score: impact preview, first one of a new handle, warm page cache (stored snapshot)",
        times,
        "≤ 1 s",
    ));
    // Another process logs a seminar for 1,000 leads: the stored snapshot is brought up to
    // date through the changed-leads journal (those leads re-read).
    let leads = crate::stats::counts(&db)?.leads.max(1);
    let attendees: Vec<i64> = (0..1_000u32)
        .map(|i| i64::from(1 + (i * 104_729) % leads))
        .collect();
    activities::add_to_leads(
        &db,
        &attendees,
        &activities::ActivityInput {
            lead_id: 0,
            activity_type: "seminar_attended".into(),
            occurred_at: None,
            detail: String::new(),
            event_id: None,
        },
        now,
    )?;
    let times = first_previews()?;
    rows.push(row(
        "score: impact preview, first one of a new handle after 1,000 leads got an activity (stored snapshot + those leads re-read)",
        times,
        "≤ 1 s",
    ));
    // The first preview of a day before any rescore of that day: nothing stored is used.
    let tomorrow = now + chrono::Duration::days(1);
    let t = Instant::now();
    scoring::impact_preview(&open_measured(path)?, &candidate, tomorrow)?;
    rows.push(row(
        "score: impact preview, first one of a new handle on a day with no snapshot stored yet (reads every lead and activity)",
        vec![t.elapsed()],
        "≤ 1 s",
    ));
    // What the app does: the stored model's read made in the background after start.
    let fresh = open_measured(path)?;
    let t = Instant::now();
    if let Some(read) = scoring::preview_read_for(&fresh, now)? {
        scoring::keep_preview_read(&fresh, read.read()?)?;
    }
    rows.push(row(
        "score: background read for the previews (the app, after start; from the stored snapshot)",
        vec![t.elapsed()],
        "—",
    ));
    let t = Instant::now();
    scoring::impact_preview(&fresh, &candidate, now)?;
    rows.push(row(
        "score: impact preview, the user's first one after that background read",
        vec![t.elapsed()],
        "≤ 1 s",
    ));
    let mut edited = candidate.clone();
    let times = (0..10)
        .map(|i| {
            // What editing does: points, a threshold, a grade boundary, a fit value.
            let rules = edited.behaviour_rules.len().max(1);
            if let Some(r) = edited.behaviour_rules.get_mut(i % rules) {
                r.points += 1.0;
            }
            edited.mql.fit = 25.0 + f64::from(i as u32);
            edited.grades.engagement[1] = 25.0 + f64::from(i as u32);
            let t = Instant::now();
            scoring::impact_preview(&fresh, &edited, now)?;
            Ok(t.elapsed())
        })
        .collect::<Result<Vec<_>>>()?;
    rows.push(row(
        "score: impact preview while editing (points, thresholds, grades changed; from memory)",
        times,
        "≤ 1 s",
    ));

    progress("scoring: saving the changed model (recompute writing the changed leads)");
    // A save: the backup of the whole file, then the recompute with the new model (the
    // preview's read, the changed leads written, the commit). Both are reported.
    let save = |db: &Sodate, model: &scoring::ScoringModel| {
        let t = Instant::now();
        let mut backup_done = None;
        let report = scoring::save_model_with_progress(db, model, now, &mut |p| {
            if p.phase == scoring::SavePhase::Rescoring && backup_done.is_none() {
                backup_done = Some(t.elapsed());
            }
        })?;
        let total = t.elapsed();
        Ok::<_, crate::Error>((report, total, backup_done.unwrap_or_default()))
    };
    let (saved, total, backup) = save(&fresh, &edited)?;
    rows.push(row(
        &format!(
            "score: recompute of the edited model when saved right after previewing it ({} of {} leads rewritten; the backup before it excluded)",
            saved.changed, saved.leads
        ),
        vec![total - backup],
        "≤ 5 s",
    ));
    rows.push(row(
        "score: the same save with the backup of the whole file taken before it",
        vec![total],
        "—",
    ));
    let (restored, total, backup) = save(&open_measured(path)?, &current)?;
    rows.push(row(
        &format!(
            "score: recompute of a model saved without a preview before (stored snapshot + {} leads rewritten; backup excluded)",
            restored.changed
        ),
        vec![total - backup],
        "≤ 5 s",
    ));
    rows.push(row(
        "score: the same save with its backup",
        vec![total],
        "—",
    ));
    drop(fresh);
    // The daily decay: a day later most engagement scores change.
    let t = Instant::now();
    let decayed = scoring::recompute_all(&open_measured(path)?, tomorrow)?;
    rows.push(row(
        &format!(
            "score: full recompute a day later (decay: {} of {} leads rewritten)",
            decayed.changed, decayed.leads
        ),
        vec![t.elapsed()],
        "≤ 5 s",
    ));
    // (Back to today's scores for what follows.)
    scoring::recompute_all(&open_measured(path)?, now)?;

    progress("scoring: one new activity (insert + rescore its lead)");
    let times = (0..200u32)
        .map(|i| {
            let lead = i64::from(1 + (i * 7919) % leads);
            let t = Instant::now();
            activities::add(
                &db,
                &activities::ActivityInput {
                    lead_id: lead,
                    activity_type: "document_request".into(),
                    occurred_at: None,
                    detail: "料金表".into(),
                    event_id: None,
                },
                now,
            )?;
            Ok(t.elapsed())
        })
        .collect::<Result<Vec<_>>>()?;
    rows.push(row(
        "score: one new activity (validate, insert, rescore the lead), 200 leads",
        times,
        "≤ 1 ms",
    ));

    progress("scoring: explain one lead");
    let times = (0..50u32)
        .map(|i| {
            let lead = i64::from(1 + (i * 104_729) % leads);
            let t = Instant::now();
            scoring::explain(&db, lead, now)?;
            Ok(t.elapsed())
        })
        .collect::<Result<Vec<_>>>()?;
    rows.push(row("score: explain one lead, 50 leads", times, "≤ 100 ms"));
    Ok(rows)
}

/// Drops the database file and its WAL from the OS page cache (after writing out what is
/// dirty), so that the next read comes from disk, as after a restart or once other work has
/// filled the memory; false where that is not possible (then the "cold" rows are warm).
fn evict_page_cache(path: &Path) -> bool {
    #[cfg(target_os = "linux")]
    {
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        let mut evicted = true;
        for file in [path.to_path_buf(), std::path::PathBuf::from(wal)] {
            let Ok(f) = std::fs::File::open(&file) else {
                continue;
            };
            evicted &= f.sync_data().is_ok()
                && rustix::fs::fadvise(&f, 0, None, rustix::fs::Advice::DontNeed).is_ok();
        }
        evicted
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = path;
        false
    }
}

/// Measures the journey workloads on an existing database (it writes a map and its history).
pub fn run_journeys(path: &Path, progress: &mut dyn FnMut(&str)) -> Result<BenchReport> {
    let db = open_measured(path)?;
    let rows = journeys::run(&db, progress)?;
    let counts = crate::stats::counts(&db)?;
    Ok(BenchReport {
        leads: counts.leads,
        activities: counts.activities,
        database_bytes: std::fs::metadata(path).map(|m| m.len()).unwrap_or(0),
        rows,
    })
}

/// Measures the query workloads on an existing database.
/// The dashboard workloads alone on the existing database at `path` (read-only).
pub fn run_dashboard(path: &Path, progress: &mut dyn FnMut(&str)) -> Result<Vec<BenchRow>> {
    dashboard::run(&open_measured(path)?, progress)
}

pub fn run_queries(path: &Path, progress: &mut dyn FnMut(&str)) -> Result<BenchReport> {
    let mut rows = Vec::new();
    progress("opening the database and the first page (cold start path)");
    let started = Instant::now();
    let db = open_measured(path)?;
    let first = leads::list(
        &db,
        &LeadQuery {
            limit: 100,
            ..Default::default()
        },
    )?;
    rows.push(row(
        "open + first page of the list",
        vec![started.elapsed()],
        "app cold start ≤ 1.5 s",
    ));

    progress("first page of the list in every sort order");
    let first_pages: Vec<LeadQuery> = (0..5)
        .flat_map(|_| LeadSort::ALL)
        .flat_map(|sort| {
            [false, true].map(|descending| LeadQuery {
                sort,
                descending,
                limit: 100,
                ..Default::default()
            })
        })
        .collect();
    rows.push(row(
        "list: first page (100 rows + total), 6 sorts × 2 directions",
        time_each(&db, &first_pages)?,
        "≤ 50 ms",
    ));

    progress("a page deep in the list");
    let deep_pages: Vec<LeadQuery> = (1..=10u32)
        .map(|k| LeadQuery {
            sort: LeadSort::Name,
            offset: first.total.saturating_sub(100) / 10 * k,
            limit: 100,
            ..Default::default()
        })
        .collect();
    rows.push(row(
        "list: page at offsets 10%…100% (scrolling)",
        time_each(&db, &deep_pages)?,
        "—",
    ));

    for (label, sort, descending) in [
        (
            "search, default order (last updated first)",
            LeadSort::UpdatedAt,
            true,
        ),
        ("search, sorted by name (kana order)", LeadSort::Name, false),
    ] {
        progress(label);
        let searches: Vec<LeadQuery> = (0..5)
            .flat_map(|_| SEARCH_QUERIES)
            .map(|q| LeadQuery {
                search: Some((*q).to_string()),
                sort,
                descending,
                limit: 100,
                ..Default::default()
            })
            .collect();
        rows.push(row(
            &format!(
                "{label}: {} queries × 5 (first page + total)",
                SEARCH_QUERIES.len()
            ),
            time_each(&db, &searches)?,
            "p95 ≤ 50 ms",
        ));
    }

    progress("a large search in kana order right after a change");
    // A fresh handle has no sort positions yet, as after any write: the first large search
    // in an order rebuilds them.
    let cold: Vec<Duration> = (0..5)
        .map(|_| {
            let fresh = open_measured(path)?;
            let t = Instant::now();
            leads::list(
                &fresh,
                &LeadQuery {
                    search: Some("田中".into()),
                    sort: LeadSort::Name,
                    limit: 100,
                    ..Default::default()
                },
            )?;
            Ok(t.elapsed())
        })
        .collect::<Result<_>>()?;
    rows.push(row(
        "search 田中 in kana order after a change (positions rebuilt)",
        cold,
        "—",
    ));

    rows.extend(segments::run(&db, progress)?);
    rows.extend(dashboard::run(&db, progress)?);

    let database_bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let counts = crate::stats::counts(&db)?;
    Ok(BenchReport {
        leads: counts.leads,
        activities: counts.activities,
        database_bytes,
        rows,
    })
}

impl BenchReport {
    /// The report as a Markdown table (what docs/BENCHMARKS.md records).
    pub fn to_markdown(&self) -> String {
        let mut out = format!(
            "Database: {} leads, {} activities, {:.0} MiB\n\n| workload | runs | p50 ms | p95 ms | max ms | target |\n|---|---:|---:|---:|---:|---|\n",
            self.leads,
            self.activities,
            self.database_bytes as f64 / 1_048_576.0
        );
        for r in &self.rows {
            out.push_str(&format!(
                "| {} | {} | {:.1} | {:.1} | {:.1} | {} |\n",
                r.workload, r.runs, r.p50_ms, r.p95_ms, r.max_ms, r.target
            ));
        }
        out
    }
}

/// Writes a card-list CSV of `rows` distinct people with 15 columns, as marketers get them
/// (Japanese headers, names, readings, companies with corporate forms, phones, addresses).
pub fn write_import_csv(path: &Path, rows: u32, shift_jis: bool) -> Result<()> {
    use std::io::Write;
    let families = [
        "田中", "佐藤", "鈴木", "高橋", "渡辺", "伊藤", "山本", "中村",
    ];
    let family_readings = [
        "タナカ",
        "サトウ",
        "スズキ",
        "タカハシ",
        "ワタナベ",
        "イトウ",
        "ヤマモト",
        "ナカムラ",
    ];
    let givens = ["太郎", "花子", "一郎", "美咲", "健", "陽子", "翔", "直子"];
    let given_readings = [
        "タロウ",
        "ハナコ",
        "イチロウ",
        "ミサキ",
        "ケン",
        "ヨウコ",
        "ショウ",
        "ナオコ",
    ];
    let file = std::fs::File::create(path).map_err(|e| crate::Error::FileWrite {
        path: path.to_path_buf(),
        detail: e.to_string(),
    })?;
    let mut out = std::io::BufWriter::new(file);
    let mut write = |line: &str| -> Result<()> {
        let bytes = if shift_jis {
            encoding_rs::SHIFT_JIS.encode(line).0.into_owned()
        } else {
            line.as_bytes().to_vec()
        };
        out.write_all(&bytes).map_err(|e| crate::Error::FileWrite {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })
    };
    write("会社名,部署,役職,姓,名,セイ,メイ,メールアドレス,電話番号,携帯電話,郵便番号,都道府県,住所,名刺交換日,メモ\r\n")?;
    for i in 0..rows {
        let k = i as usize;
        write(&format!(
            "株式会社サンプル{c},営業部,課長,{f},{g},{fr},{gr},user{i}@sample{c}.co.jp,03-{a:04}-{b:04},090-{b:04}-{a:04},100-{p:04},東京都,千代田区丸の内{n}-{m}-1,2024/{mo}/{d},展示会で名刺交換\r\n",
            c = i % 20_000,
            f = families[k % 8],
            g = givens[(k / 8) % 8],
            fr = family_readings[k % 8],
            gr = given_readings[(k / 8) % 8],
            a = i % 10_000,
            b = (i / 10_000) % 10_000,
            p = i % 10_000,
            n = i % 9 + 1,
            m = i % 30 + 1,
            mo = i % 12 + 1,
            d = i % 28 + 1,
        ))?;
    }
    Ok(())
}

/// Imports a generated `rows`-row CSV (UTF-8, then Shift_JIS) into fresh databases in `dir`
/// and, when the `sqlite3` shell is installed, times its `.import` of the same file into a
/// bare table for comparison. After the UTF-8 import it also times what SQLite alone needs
/// for the imported leads' indexes and search index ([`IndexWork`]), and from that and the
/// `.import`, the least time any import into this schema could take on two cores.
pub fn run_import(dir: &Path, rows: u32, progress: &mut dyn FnMut(&str)) -> Result<Vec<BenchRow>> {
    let mut out = Vec::new();
    for (label, shift_jis) in [("UTF-8", false), ("Shift_JIS", true)] {
        let csv = dir.join(format!("import-{label}.csv"));
        progress(&format!("writing a {rows}-row {label} CSV"));
        write_import_csv(&csv, rows, shift_jis)?;
        let db_path = dir.join(format!("import-{label}.db"));
        let db = open_measured(&db_path)?;
        progress(&format!("importing the {label} CSV"));
        let started = Instant::now();
        let report = crate::import::run(
            &db,
            &crate::import::ImportPlan {
                path: csv.to_string_lossy().into_owned(),
                ..Default::default()
            },
            false,
            &mut |_| {},
            &AtomicBool::new(false),
        )?;
        let took = started.elapsed();
        out.push(row(
            &format!(
                "import {label} CSV, {} rows × 15 columns into an empty database ({} created, {:.0} rows/s)",
                report.rows,
                report.created,
                f64::from(report.created) / took.as_secs_f64()
            ),
            vec![took],
            "≥ 100k rows/s",
        ));
        if !shift_jis {
            progress("sqlite3 .import of the same file into a bare table");
            let import = sqlite3_import(&csv, &dir.join("sqlite3-import.db"));
            if let Some(took) = import {
                out.push(row(
                    "sqlite3 .import of the same UTF-8 file into a bare table (reference)",
                    vec![took],
                    "—",
                ));
            }
            progress("SQLite alone: the imported leads' indexes and search index built again");
            let work = sqlite_index_work(&db, &dir.join("search-alone.db"))?;
            out.extend(work.rows(import, report.created));
        }
        drop(db);
        let _ = std::fs::remove_file(&db_path);
        // (The daily backup taken when the database was opened.)
        let _ = std::fs::remove_dir_all(crate::backup::folder_for(&db_path));
        let _ = std::fs::remove_file(&csv);
    }
    Ok(out)
}

/// How long the `sqlite3` shell takes to `.import` `csv` into a bare table of a new database
/// at `bare` (removed after); None without the shell.
fn sqlite3_import(csv: &Path, bare: &Path) -> Option<Duration> {
    let started = Instant::now();
    let status = std::process::Command::new("sqlite3")
        .arg(bare)
        .arg(".mode csv")
        .arg(format!(".import {} bare", csv.display()))
        .status();
    let took = started.elapsed();
    let _ = std::fs::remove_file(bare);
    matches!(status, Ok(s) if s.success()).then_some(took)
}

/// SQLite's own time for the indexes an import builds, measured on the leads it imported:
/// a floor under any import into this schema, whatever reads and checks the rows.
struct IndexWork {
    /// How many indexes the bulk path rebuilds after the rows.
    indexes: usize,
    /// Building them again one after the other, on one thread (no sorter threads: the
    /// least CPU).
    index_time: Duration,
    /// Building the trigram search index of the same leads, as the search index worker
    /// does (FTS5 builds one index on one thread).
    search_time: Duration,
}

/// Measures [`IndexWork`] on `db` (an import just finished into it); the search index is
/// built in a scratch database at `scratch`, removed after.
fn sqlite_index_work(db: &Sodate, scratch: &Path) -> Result<IndexWork> {
    // Under other names, in a transaction that is rolled back.
    let (indexes, index_time) = db.rehearse(|tx| {
        let sqls: Vec<String> = crate::db::bulk::deferred_items(tx, &[])?
            .into_iter()
            .filter(|(kind, ..)| kind == "index")
            .map(|(.., sql)| sql.replacen("CREATE INDEX ", "CREATE INDEX alone_", 1))
            .collect();
        tx.execute_batch("PRAGMA threads = 0; PRAGMA cache_size = -2048;")?;
        let started = Instant::now();
        for sql in &sqls {
            tx.execute_batch(sql)?;
        }
        Ok((sqls.len(), started.elapsed()))
    })?;
    let conn = db.conn();
    conn.pragma_update(None, "cache_size", crate::db::CACHE_SIZE)?;
    let texts: Vec<(i64, String)> = conn
        .prepare("SELECT id, search_text FROM leads ORDER BY id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let search = rusqlite::Connection::open(scratch)?;
    search.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")?;
    leads::create_search_table(&search)?;
    let started = Instant::now();
    search.execute_batch("BEGIN")?;
    {
        let mut insert =
            search.prepare("INSERT INTO lead_search (rowid, search_text) VALUES (?1, ?2)")?;
        for (id, text) in &texts {
            insert.execute(rusqlite::params![id, text])?;
        }
    }
    search.execute_batch("COMMIT")?;
    let search_time = started.elapsed();
    drop(search);
    let _ = std::fs::remove_file(scratch);
    Ok(IndexWork {
        indexes,
        index_time,
        search_time,
    })
}

impl IndexWork {
    /// The rows of the report: each part, and with the `.import` of the same file, the
    /// least time any import into this schema could take on two cores.
    fn rows(&self, import: Option<Duration>, leads: u32) -> Vec<BenchRow> {
        let mut rows = vec![
            row(
                &format!(
                    "SQLite alone: the {} indexes the import rebuilds, built again on the imported leads, one thread",
                    self.indexes
                ),
                vec![self.index_time],
                "—",
            ),
            row(
                "SQLite alone: the trigram search index of the imported leads (FTS5, one thread)",
                vec![self.search_time],
                "—",
            ),
        ];
        if let Some(import) = import {
            // Perfectly shared between the cores, except the search index: one thread.
            let with_search =
                ((import + self.index_time + self.search_time) / 2).max(self.search_time);
            let without_search = (import + self.index_time) / 2;
            for (what, floor) in [
                (
                    "(.import + indexes + search index) ÷ 2, no less than the search index alone",
                    with_search,
                ),
                (
                    "without the search index, (.import + indexes) ÷ 2",
                    without_search,
                ),
            ] {
                rows.push(row(
                    &format!(
                        "floor on two cores, SQLite's work alone before any reading, checking, keys or scores: {what} ({:.0} rows/s at most)",
                        f64::from(leads) / floor.as_secs_f64()
                    ),
                    vec![floor],
                    "—",
                ));
            }
        }
        rows
    }
}

/// CPU seconds (user + system) this process has used (Linux; 0 elsewhere): on a shared,
/// loaded machine the wall-clock time says more about the neighbours than about the work.
fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = s.rsplit_once(')')?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            let user: f64 = f.get(11)?.parse().ok()?;
            let system: f64 = f.get(12)?.parse().ok()?;
            Some((user + system) / 100.0)
        })
        .unwrap_or(0.0)
}

/// The anonymous (private) resident memory of this process in KiB (Linux; 0 elsewhere): the
/// memory-mapped database file pages are not the export's memory.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("RssAnon:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

/// Measures exports on an existing database: every lead as CSV (Mailchimp and the generic
/// profile), the first 100k leads as XLSX, with the resident memory sampled every 10k rows
/// (flat memory: the XLSX is streamed row by row). Files go to `dir` and are removed.
pub fn run_export(
    path: &Path,
    dir: &Path,
    progress: &mut dyn FnMut(&str),
) -> Result<Vec<BenchRow>> {
    use crate::export::{self, ExportFormat, ExportRequest, ExportSource, ProfileId};
    let db = open_measured(path)?;
    let mut rows = Vec::new();
    let mut measure = |label: &str, req: ExportRequest, file: &str, target: &str| -> Result<()> {
        progress(label);
        let out = dir.join(file);
        let cancel = AtomicBool::new(false);
        let (mut low, mut high) = (rss_kib(), 0u64);
        let t = Instant::now();
        let cpu = cpu_seconds();
        let report = export::export_with(
            &db,
            &req,
            &out,
            &mut |_, _| {
                let r = rss_kib();
                low = low.min(r);
                high = high.max(r);
            },
            &cancel,
        )?;
        let took = t.elapsed();
        let cpu = cpu_seconds() - cpu;
        let bytes = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
        let _ = std::fs::remove_file(&out);
        rows.push(row(
            &format!(
                "export: {label}, {} rows written, {} suppressed ({:.0} MB file; {cpu:.1} s CPU; private memory {} → {} MiB while writing)",
                report.rows,
                report.suppressed,
                bytes as f64 / 1e6,
                low / 1024,
                high / 1024
            ),
            vec![took],
            target,
        ));
        Ok(())
    };
    measure(
        "every lead, Mailchimp CSV (UTF-8)",
        ExportRequest::new(ProfileId::Mailchimp, ExportSource::All, ExportFormat::Csv),
        "bench-mailchimp.csv",
        "1M rows ≤ 5 s",
    )?;
    let mut sjis = ExportRequest::new(ProfileId::Blastmail, ExportSource::All, ExportFormat::Csv);
    sjis.encoding = Some(crate::import::TextEncoding::ShiftJis);
    measure(
        "every lead, blastmail CSV (Shift_JIS)",
        sjis,
        "bench-blastmail.csv",
        "1M rows ≤ 5 s",
    )?;
    measure(
        "every lead, generic CSV (16 columns with tags, UTF-8 BOM)",
        ExportRequest::new(ProfileId::Generic, ExportSource::All, ExportFormat::Csv),
        "bench-generic.csv",
        "1M rows ≤ 5 s",
    )?;
    let ids: Vec<i64> = db.read(|conn| {
        Ok(conn
            .prepare("SELECT id FROM leads ORDER BY id LIMIT 100000")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?)
    })?;
    measure(
        "100k leads (a selection), HubSpot XLSX",
        ExportRequest::new(
            ProfileId::Hubspot,
            ExportSource::Leads { ids },
            ExportFormat::Xlsx,
        ),
        "bench-hubspot.xlsx",
        "100k rows ≤ 10 s, flat memory",
    )?;
    Ok(rows)
}
