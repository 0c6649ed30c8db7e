//! `sodate`: the command-line face of Sodate. Parses arguments, calls sodate-core, prints.

/// See the workspace manifest: strings made on one thread and freed on another are cheap.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod board;
mod capture;
mod card_text;
mod encryption;
mod export;
mod journey;
mod safety;
mod segment;
mod stats;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use clap::{Parser, Subcommand, ValueEnum};
use sodate_core::{activities, dedupe, demo, import, leads, scoring, LeadQuery, LeadSort};

#[derive(Parser)]
#[command(
    name = "sodate",
    version,
    about = "Sodate (育て): lead nurturing database, from the command line"
)]
struct Cli {
    /// Database file (default: $SODATE_DB, else the desktop app's database).
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<PathBuf>,
    /// Machine-readable JSON output.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
#[allow(clippy::large_enum_variant)] // parsed once per process; boxing buys nothing
enum Command {
    /// Split a business card's OCR text into fields: a JSON array of OCR lines (as the app
    /// sends them) or plain text lines, from FILE or standard input.
    CardText(card_text::CardTextArgs),
    /// The sales handoff board: each column's count and overdue count.
    Board {
        /// Only leads of this owner.
        #[arg(long)]
        owner: Option<String>,
        /// Only leads first met at this event (id).
        #[arg(long, value_name = "ID")]
        event: Option<i64>,
        /// Only members of this saved segment.
        #[arg(long, value_name = "ID")]
        segment: Option<i64>,
        /// Only leads past their stage's SLA.
        #[arg(long)]
        overdue: bool,
        /// Cards listed per column (with --json).
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// Move LEAD to STAGE (mql, sal, sql, opportunity, won, lost, recycled, disqualified …).
    /// lost, recycled and disqualified need --reason (one of the board's reasons).
    Move {
        lead: i64,
        stage: String,
        #[arg(long)]
        reason: Option<String>,
        /// Free text beside the reason.
        #[arg(long)]
        note: Option<String>,
        /// Move to sql even though the BANT answers are incomplete.
        #[arg(long)]
        confirm_incomplete_bant: bool,
        /// Who the move is recorded as (default: the login name).
        #[arg(long)]
        actor: Option<String>,
    },
    /// A lead's stage history (who, when, from, to, why), newest first.
    History { lead: i64 },
    /// Encrypt the database with a passphrase (from SODATE_NEW_PASSPHRASE or typed twice),
    /// or with --change give an encrypted one a new passphrase (the current one from
    /// SODATE_PASSPHRASE or typed). A lost passphrase cannot be recovered.
    Encrypt(encryption::EncryptArgs),
    /// Decrypt the database back to a plain file (passphrase from SODATE_PASSPHRASE or typed).
    Decrypt,
    /// Fill the database with realistic synthetic Japanese B2B data.
    Demo {
        #[arg(long, default_value_t = 2000)]
        leads: u32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The "today" of the generated history (YYYY-MM-DD; default: today).
        #[arg(long)]
        anchor: Option<chrono::NaiveDate>,
    },
    /// Read the QR code of a badge or business card in IMAGE (PNG or JPEG): vCard (UTF-8 or
    /// Shift_JIS), MeCard, a web address or text, split into the capture form's fields.
    Qr { image: PathBuf },
    /// The events with how many leads and cards were captured at each (and today).
    Events,
    /// List leads.
    Leads {
        #[arg(long)]
        search: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long, default_value_t = 0)]
        offset: u32,
        #[arg(long, value_enum, default_value_t = SortArg::UpdatedAt)]
        sort: SortArg,
        #[arg(long)]
        desc: bool,
        /// Only the members of this saved segment.
        #[arg(long, value_name = "ID")]
        segment: Option<i64>,
    },
    /// Counts of leads, companies, activities and events, and the dashboard's figures:
    /// the funnel, events and sources, dormant leads, the trend and email results.
    Stats(stats::StatsArgs),
    /// Find likely duplicate leads: pairs with a confidence and the reasons for it.
    Dedupe {
        /// Report pairs with at least this confidence (0–100).
        #[arg(long, default_value_t = dedupe::DEFAULT_MIN_CONFIDENCE)]
        min_confidence: u8,
        /// Print at most this many pairs (the highest first; all are still clustered).
        #[arg(long)]
        limit: Option<usize>,
        /// Skip keys shared by more leads than this (a switchboard number, info@ …).
        #[arg(long, default_value_t = dedupe::DEFAULT_MAX_BLOCK_SIZE)]
        max_block_size: u32,
    },
    /// Merge lead MERGED into lead SURVIVOR (undo with unmerge). Each field takes the most
    /// recent non-empty value unless chosen; no e-mail or phone number is lost.
    Merge {
        survivor: i64,
        merged: i64,
        /// The lead that survives, if not the first one (must be one of the two).
        #[arg(long)]
        keep: Option<i64>,
        /// Field whose value comes from the merged lead (repeatable): email, title, company …
        #[arg(long = "take-merged", value_name = "FIELD")]
        take_merged: Vec<String>,
        /// Field whose value stays the survivor's (repeatable).
        #[arg(long = "take-survivor", value_name = "FIELD")]
        take_survivor: Vec<String>,
    },
    /// Merge every duplicate cluster at or above --min-confidence, in one transaction, after
    /// a backup (each merge can be undone with unmerge).
    MergeAll {
        #[arg(long, default_value_t = 95)]
        min_confidence: u8,
    },
    /// Undo a merge: both leads back as they were (later edits to the survivor are kept).
    Unmerge { merge: i64 },
    /// The merge journal, newest first.
    Merges,
    /// Remember that two leads are not the same person (dedupe stops suggesting them).
    NotDuplicate { a: i64, b: i64 },
    /// Import a CSV, TSV, Excel or vCard file (one transaction; undo with import-undo).
    Import {
        file: PathBuf,
        /// Text encoding (utf-8, shift_jis, euc-jp, utf-16le …; default: detected).
        #[arg(long)]
        encoding: Option<String>,
        /// Format (csv, tsv, xlsx, xls, ods, vcard; default: detected).
        #[arg(long)]
        format: Option<String>,
        /// Worksheet name, or #N, of a workbook.
        #[arg(long)]
        sheet: Option<String>,
        /// Column mapping preset: eight, sansan, generic, or a saved one.
        #[arg(long)]
        preset: Option<String>,
        #[arg(long, value_enum, default_value_t = ModeArg::Create)]
        mode: ModeArg,
        /// Field whose existing value an update keeps (repeatable): email, phone, title …
        #[arg(long = "keep", value_name = "FIELD")]
        keep: Vec<String>,
        /// Tag added to every imported lead (repeatable).
        #[arg(long = "tag", value_name = "TAG")]
        tags: Vec<String>,
        /// Source channel of the created leads (default: import).
        #[arg(long, default_value = "")]
        source: String,
        /// Event (by name; created if new) recorded as the leads' first event.
        #[arg(long)]
        event: Option<String>,
        /// Do everything, then discard it: the counts the import would give.
        #[arg(long)]
        dry_run: bool,
        /// Write the rows that failed, with the reason, to this CSV (in the file's encoding).
        #[arg(long, value_name = "CSV")]
        failures: Option<PathBuf>,
    },
    /// Undo an import: remove the leads it created, restore the fields it updated.
    ImportUndo { batch: i64 },
    /// The import history.
    Imports,
    /// Recompute every lead's scores with the current model, or explain one lead's scores.
    Score {
        /// Explain this lead's scores line by line instead (nothing is written).
        #[arg(long, value_name = "LEAD")]
        explain: Option<i64>,
    },
    /// The scoring model: export, import (validated, then every lead rescored), preview.
    Scoring {
        #[command(subcommand)]
        command: ScoringCommand,
    },
    /// Activities: log one, import a file of them, list a lead's timeline, list the types.
    Activity {
        #[command(subcommand)]
        command: ActivityCommand,
    },
    /// Segments: count a filter, save, list, freeze, duplicate, delete.
    Segment {
        #[command(subcommand)]
        command: segment::SegmentCommand,
    },
    /// Export leads for a mail tool or a spreadsheet (suppressed leads are never written).
    Export(export::ExportArgs),
    /// Mail results: import a mail tool's opens, clicks, bounces and unsubscribes.
    Results {
        #[command(subcommand)]
        command: export::ResultsCommand,
    },
    /// Person requests: export everything about one person, or erase them.
    Person {
        #[command(subcommand)]
        command: export::PersonCommand,
    },
    /// The suppression list: export, import, list.
    Suppression {
        #[command(subcommand)]
        command: export::SuppressionCommand,
    },
    /// Consent records of a lead.
    Consent {
        #[command(subcommand)]
        command: export::ConsentCommand,
    },
    /// Journey maps: list, create, bind stages, scenario steps, live metrics, due lists.
    Journey {
        #[command(subcommand)]
        command: journey::JourneyCommand,
    },
    /// Back up the database: a copy at FILE, or (without --out) a manual backup in the
    /// backups folder beside the database.
    Backup {
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// The backups of the database (date, reason, size, schema, leads), newest first.
    Backups,
    /// Restore a backup: it is integrity-checked first and the current state is backed up
    /// before it is replaced (a damaged database is kept aside, never deleted).
    Restore { file: PathBuf },
    /// Check the database's integrity (full check; --quick for the faster quick check).
    /// Exits with 3 when the database is damaged.
    Check {
        #[arg(long)]
        quick: bool,
    },
    /// Export what can still be read from a damaged database: every readable lead to a CSV
    /// that imports back as it is, and the people not to mail (opted out, bounced, erased)
    /// to FILE-suppression.csv beside it. The database is only read.
    Salvage {
        #[arg(long)]
        out: PathBuf,
    },
    /// Run the benchmark suite on a fresh demo database and print a table.
    Bench {
        #[arg(long, default_value_t = 100_000)]
        leads: u32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Keep the generated database at this path (default: a temporary file, removed).
        #[arg(long)]
        keep: Option<PathBuf>,
        /// Measure the queries on the existing database given by --db (no generation).
        #[arg(long)]
        existing: bool,
        /// With --existing: measure scoring only (recompute, impact preview, one new
        /// activity, explain). It writes to the database.
        #[arg(long)]
        scoring: bool,
        /// With --existing: measure the dashboard only (read-only).
        #[arg(long)]
        dashboard: bool,
        /// With --existing: measure segment counts only (read-only).
        #[arg(long)]
        segments: bool,
        /// With --existing: measure the handoff board (writes: 10,000 leads are moved into
        /// the SAL column, and a few hundred moves are recorded).
        #[arg(long)]
        board: bool,
        /// With --existing: measure journey maps only (a 6-stage map's refresh, metrics and
        /// due list). It writes a map and its history to the database.
        #[arg(long)]
        journeys: bool,
        /// With --existing: measure card capture (duplicate check while typing, save and
        /// ready for the next card). It writes a bench event and 400 captured cards.
        #[arg(long)]
        capture: bool,
        /// Measure imports instead: a generated CSV of this many rows (UTF-8 and Shift_JIS).
        #[arg(long, value_name = "ROWS")]
        import_rows: Option<u32>,
        /// With --existing: measure exports only (CSV of every lead, XLSX of 100k).
        #[arg(long)]
        export: bool,
    },
}

#[derive(Subcommand)]
enum ScoringCommand {
    /// Write the current model as JSON to FILE.
    Export { file: PathBuf },
    /// Read a model from FILE, validate it, save it and rescore every lead. An invalid model
    /// changes nothing.
    Import { file: PathBuf },
    /// What the model in FILE would change (MQLs gained and lost, grades), without saving it.
    Preview {
        file: PathBuf,
        /// Also list the leads that would become MQL (up to this many).
        #[arg(long, default_value_t = 0)]
        list: u32,
    },
}

#[derive(Subcommand)]
enum ActivityCommand {
    /// Log an activity on a lead (the lead is rescored).
    Add {
        #[arg(long)]
        lead: i64,
        /// Type code (seminar_attended) or label (セミナー参加).
        #[arg(long = "type", value_name = "TYPE")]
        kind: String,
        /// When (2026-11-20 14:30 is Japan time; 2026-11-20T05:30:00Z; default: now).
        #[arg(long)]
        at: Option<String>,
        #[arg(long, default_value = "")]
        detail: String,
    },
    /// Import activities from a CSV/Excel file: columns email or lead_id, type, occurred_at,
    /// detail (Japanese headers too). One transaction; any bad row fails it unless
    /// --skip-invalid.
    Import {
        file: PathBuf,
        /// Import the good rows and report the bad ones.
        #[arg(long)]
        skip_invalid: bool,
    },
    /// A lead's timeline, newest first.
    List {
        #[arg(long)]
        lead: i64,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long, default_value_t = 0)]
        offset: u32,
    },
    /// The activity types (codes and labels).
    Types,
}

#[derive(Clone, Copy, ValueEnum)]
enum ModeArg {
    Create,
    Upsert,
}

#[derive(Clone, Copy, ValueEnum)]
enum SortArg {
    Name,
    Company,
    Email,
    CreatedAt,
    UpdatedAt,
    Score,
}

impl From<SortArg> for LeadSort {
    fn from(s: SortArg) -> Self {
        match s {
            SortArg::Name => LeadSort::Name,
            SortArg::Company => LeadSort::Company,
            SortArg::Email => LeadSort::Email,
            SortArg::CreatedAt => LeadSort::CreatedAt,
            SortArg::UpdatedAt => LeadSort::UpdatedAt,
            SortArg::Score => LeadSort::EngagementScore,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sodate: {e}");
            ExitCode::from(match e.code() {
                "invalid" => 2,
                "db_newer" | "db_corrupt" | "db_locked" | "db_unreadable" | "db_encrypted"
                | "wrong_passphrase" => 3,
                _ => 1,
            })
        }
    }
}

fn print_json<T: serde::Serialize>(value: &T) -> sodate_core::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

fn run(cli: Cli) -> sodate_core::Result<()> {
    let db_path = cli.db.clone().unwrap_or_else(sodate_core::db::default_path);
    match cli.command {
        Command::Encrypt(args) => encryption::encrypt(&db_path, &args, cli.json)?,
        Command::Decrypt => encryption::decrypt(&db_path, cli.json)?,
        Command::Demo {
            leads,
            seed,
            anchor,
        } => {
            let db = encryption::open(&db_path)?;
            let mut options = demo::DemoOptions::new(leads, seed);
            if let Some(a) = anchor {
                options.anchor = a;
            }
            let started = std::time::Instant::now();
            let quiet = cli.json;
            let report = demo::generate(
                &db,
                &options,
                &mut |done, total| {
                    if !quiet && total >= 50_000 && done % 50_000 == 0 {
                        eprint!("\r{done}/{total} leads");
                    }
                },
                &AtomicBool::new(false),
            )?;
            if cli.json {
                print_json(&report)?;
            } else {
                eprintln!();
                println!(
                    "{}: {} leads, {} companies, {} events, {} activities ({} known duplicates) in {:.1} s",
                    db_path.display(),
                    report.leads,
                    report.companies,
                    report.events,
                    report.activities,
                    report.duplicates,
                    started.elapsed().as_secs_f64()
                );
            }
        }
        Command::Leads {
            search,
            limit,
            offset,
            sort,
            desc,
            segment,
        } => {
            let db = encryption::open(&db_path)?;
            let query = LeadQuery {
                search,
                sort: sort.into(),
                descending: desc,
                offset,
                limit,
                segment,
            };
            let (total, rows) = leads::list_with_custom(&db, &query)?;
            if cli.json {
                print_json(&serde_json::json!({ "total": total, "leads": rows }))?;
            } else {
                println!("{total} leads");
                for l in rows {
                    let r = &l.row;
                    println!(
                        "{:>8}  {} {}（{} {}）  {}  {}  {}",
                        r.id,
                        r.family_name,
                        r.given_name,
                        r.family_reading,
                        r.given_reading,
                        r.company_name.as_deref().unwrap_or(""),
                        r.email,
                        r.phone
                    );
                }
            }
        }
        Command::Import {
            file,
            encoding,
            format,
            sheet,
            preset,
            mode,
            keep,
            tags,
            source,
            event,
            dry_run,
            failures,
        } => {
            let db = encryption::open(&db_path)?;
            let parse_err =
                |field: &str, e: String| sodate_core::Error::invalid(field, "invalid_option", e);
            let plan = import::ImportPlan {
                path: file.to_string_lossy().into_owned(),
                options: import::Options {
                    format: format
                        .map(|f| {
                            f.parse().map_err(|e: import::ImportError| {
                                parse_err("format", e.to_string())
                            })
                        })
                        .transpose()?,
                    encoding: encoding
                        .map(|e| {
                            e.parse().map_err(|e: import::ImportError| {
                                parse_err("encoding", e.to_string())
                            })
                        })
                        .transpose()?,
                    sheet,
                },
                preset,
                mapping: None,
                mode: match mode {
                    ModeArg::Create => import::ImportMode::Create,
                    ModeArg::Upsert => import::ImportMode::Upsert,
                },
                keep_existing: keep
                    .iter()
                    .map(|k| {
                        serde_json::from_value(serde_json::Value::String(k.clone()))
                            .map_err(|_| parse_err("keep", format!("unknown field {k}")))
                    })
                    .collect::<sodate_core::Result<_>>()?,
                tags,
                source,
                event,
            };
            let quiet = cli.json;
            let report = import::run(
                &db,
                &plan,
                dry_run,
                &mut |p| {
                    if !quiet && p.rows > 0 && p.rows % 100_000 == 0 {
                        eprint!("\r{} rows ({:.0} %)", p.rows, p.fraction * 100.0);
                    }
                },
                &AtomicBool::new(false),
            )?;
            if let (Some(out), Some(batch)) = (&failures, report.batch) {
                import::batches::write_failures(&db, batch, out)?;
            }
            if cli.json {
                print_json(&serde_json::json!({
                    "batch": report.batch,
                    "rows": report.rows,
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                    "skipped": report.skipped,
                    "failed": report.failed,
                    "encoding": report.encoding,
                    "format": report.format,
                    "dryRun": report.dry_run,
                    "failures": report.failures,
                }))?;
            } else {
                println!(
                    "{}{}: {} rows, {} created, {} updated, {} unchanged, {} skipped (already there), {} failed ({}, {})",
                    if dry_run { "dry run, nothing written: " } else { "" },
                    file.display(),
                    report.rows,
                    report.created,
                    report.updated,
                    report.unchanged,
                    report.skipped,
                    report.failed,
                    report.format.code(),
                    report.encoding.map(|e| e.code()).unwrap_or("-"),
                );
                if let Some(batch) = report.batch {
                    println!("batch {batch} (undo: sodate import-undo {batch})");
                }
                for f in report.failures.iter().take(20) {
                    for i in &f.issues {
                        println!(
                            "  row {}{}: {}",
                            f.row,
                            i.column
                                .as_deref()
                                .map(|c| format!(", column {c}"))
                                .unwrap_or_default(),
                            i.message
                        );
                    }
                }
            }
        }
        Command::ImportUndo { batch } => {
            let db = encryption::open(&db_path)?;
            let report = import::batches::undo(&db, batch)?;
            if cli.json {
                print_json(&report)?;
            } else {
                println!(
                    "import {batch} undone: {} leads removed, {} restored",
                    report.removed, report.restored
                );
                for n in &report.notes {
                    println!("  lead {} {}: {}", n.lead_id, n.name, n.message);
                }
            }
        }
        Command::Imports => {
            let db = encryption::open(&db_path)?;
            let batches = import::batches::history(&db)?;
            if cli.json {
                print_json(&batches)?;
            } else {
                for b in batches {
                    println!(
                        "{:>5}  {}  {}  {} ({}, {})  {} rows: {} created, {} updated, {} skipped, {} failed  [{}]",
                        b.id, b.created_at, b.file_name, b.mode, b.format, b.encoding, b.rows,
                        b.created, b.updated, b.skipped, b.failed, b.status
                    );
                }
            }
        }
        Command::Dedupe {
            min_confidence,
            limit,
            max_block_size,
        } => {
            let db = encryption::open(&db_path)?;
            let options = dedupe::ScanOptions {
                min_confidence,
                max_block_size,
            };
            let mut report = dedupe::scan(&db, &options, &mut |_| {}, &AtomicBool::new(false))?;
            let found = report.pairs.len();
            if let Some(limit) = limit {
                report.pairs.truncate(limit);
            }
            if cli.json {
                // Serialised straight from the report (no JSON tree: 1M leads give ~50k pairs).
                #[derive(serde::Serialize)]
                #[serde(rename_all = "camelCase")]
                struct Output<'a> {
                    pairs: &'a [dedupe::CandidatePair],
                    pairs_found: usize,
                    clusters: usize,
                    leads_scanned: u32,
                    pairs_compared: u32,
                    skipped_blocks: &'a [dedupe::SkippedBlock],
                    seconds: f64,
                }
                print_json(&Output {
                    pairs: &report.pairs,
                    pairs_found: found,
                    clusters: report.clusters.len(),
                    leads_scanned: report.leads_scanned,
                    pairs_compared: report.pairs_compared,
                    skipped_blocks: &report.skipped_blocks,
                    seconds: report.seconds,
                })?;
            } else {
                println!(
                    "{found} likely duplicate pairs in {} clusters ({} leads scanned, {} pairs compared, {:.2} s)",
                    report.clusters.len(),
                    report.leads_scanned,
                    report.pairs_compared,
                    report.seconds
                );
                for p in &report.pairs {
                    let reasons: Vec<&str> = p.reasons.iter().map(|r| r.message.as_str()).collect();
                    println!(
                        "{:>8} {:>8}  {} / {}  {:>3}  {}",
                        p.a,
                        p.b,
                        p.a_name,
                        p.b_name,
                        p.confidence,
                        reasons.join("; ")
                    );
                }
                for b in report.skipped_blocks.iter().take(10) {
                    println!(
                        "skipped: a {} key shared by {} leads (e.g. lead {})",
                        b.kind, b.leads, b.example_lead
                    );
                }
            }
        }
        Command::Merge {
            survivor,
            merged,
            keep,
            take_merged,
            take_survivor,
        } => {
            let (survivor, merged) = match keep {
                None => (survivor, merged),
                Some(k) if k == survivor => (survivor, merged),
                Some(k) if k == merged => (merged, survivor),
                Some(k) => {
                    return Err(sodate_core::Error::invalid(
                        "keep",
                        "not_in_merge",
                        format!("--keep {k} is neither lead {survivor} nor lead {merged}"),
                    ))
                }
            };
            let mut choices = dedupe::MergeChoices::default();
            for (fields, side) in [
                (take_merged, dedupe::MergeSide::Merged),
                (take_survivor, dedupe::MergeSide::Survivor),
            ] {
                for f in fields {
                    choices.fields.insert(f, side);
                }
            }
            let db = encryption::open(&db_path)?;
            let report = dedupe::merge(&db, survivor, merged, &choices)?;
            if cli.json {
                print_json(&serde_json::json!({ "merge": report }))?;
            } else {
                println!(
                    "merge {}: lead {} merged into lead {} ({} activities moved; consent {}, stage {}; from the merged lead: {})",
                    report.merge_id,
                    report.merged_id,
                    report.survivor_id,
                    report.activities_moved,
                    report.consent_state,
                    report.lifecycle_stage,
                    if report.fields_from_merged.is_empty() {
                        "nothing".to_string()
                    } else {
                        report.fields_from_merged.join(", ")
                    }
                );
            }
        }
        Command::Unmerge { merge } => {
            let db = encryption::open(&db_path)?;
            let report = dedupe::unmerge(&db, merge)?;
            if cli.json {
                print_json(&report)?;
            } else {
                println!(
                    "merge {merge} undone: lead {} restored beside lead {} ({} activities back)",
                    report.restored_id, report.survivor_id, report.activities_returned
                );
                if !report.kept_fields.is_empty() {
                    println!(
                        "  edited since the merge, kept on lead {}: {}",
                        report.survivor_id,
                        report.kept_fields.join(", ")
                    );
                }
                for n in &report.not_restored {
                    println!("  not restored: {n}");
                }
            }
        }
        Command::Merges => {
            let db = encryption::open(&db_path)?;
            let merges = dedupe::merges(&db)?;
            if cli.json {
                print_json(&merges)?;
            } else {
                for m in merges {
                    println!(
                        "{:>5}  {}  lead {} ({}) into lead {}{}",
                        m.id,
                        m.created_at,
                        m.merged_id,
                        m.merged_name,
                        m.survivor_id,
                        m.undone_at
                            .map(|at| format!("  [undone {at}]"))
                            .unwrap_or_default()
                    );
                }
            }
        }
        Command::NotDuplicate { a, b } => {
            let db = encryption::open(&db_path)?;
            dedupe::mark_not_duplicate(&db, a, b)?;
            if cli.json {
                print_json(&serde_json::json!({ "a": a.min(b), "b": a.max(b) }))?;
            } else {
                println!("leads {a} and {b} marked as not duplicates");
            }
        }
        Command::Score { explain } => {
            let db = encryption::open(&db_path)?;
            let now = chrono::Utc::now();
            match explain {
                Some(lead) => {
                    let e = scoring::explain(&db, lead, now)?;
                    if cli.json {
                        print_json(&e)?;
                    } else {
                        println!(
                            "lead {}: engagement {}, fit {}, grade {}{} (as of {})",
                            e.lead_id,
                            e.engagement,
                            e.fit,
                            e.grade,
                            if e.is_mql { ", MQL" } else { "" },
                            e.as_of
                        );
                        for l in &e.lines {
                            println!(
                                "  {:<10} {:>7.1}  {}  [{}]",
                                l.score, l.points, l.rule, l.source
                            );
                        }
                    }
                }
                None => {
                    let r = scoring::recompute_all(&db, now)?;
                    if cli.json {
                        print_json(&serde_json::json!({
                            "leads": r.leads,
                            "mql": r.mql,
                            "seconds": r.seconds,
                            "changed": r.changed,
                            "becameMql": r.became_mql,
                            "leftMql": r.left_mql,
                            "scoredDay": r.scored_day,
                        }))?;
                    } else {
                        print_recompute(&r);
                    }
                }
            }
        }
        Command::Scoring { command } => {
            let db = encryption::open(&db_path)?;
            let now = chrono::Utc::now();
            match command {
                ScoringCommand::Export { file } => {
                    scoring::export_to(&db, &file)?;
                    if cli.json {
                        print_json(&serde_json::json!({ "file": file }))?;
                    } else {
                        println!("scoring model written to {}", file.display());
                    }
                }
                ScoringCommand::Import { file } => {
                    let json = sodate_core::files::read_text(&file, "file")?;
                    let r = scoring::import_json(&db, &json, now)?;
                    if cli.json {
                        print_json(&r)?;
                    } else {
                        println!("scoring model imported from {}", file.display());
                        print_recompute(&r);
                    }
                }
                ScoringCommand::Preview { file, list } => {
                    let model = scoring::read_model(&file)?;
                    let p = scoring::impact_preview(&db, &model, now)?;
                    let who = if list > 0 {
                        Some(scoring::impact_leads(
                            &db,
                            &model,
                            now,
                            scoring::ImpactKind::BecomingMql,
                            0,
                            list,
                        )?)
                    } else {
                        None
                    };
                    if cli.json {
                        print_json(&serde_json::json!({ "preview": p, "becomingMql": who }))?;
                    } else {
                        println!(
                            "{} leads: {} would become MQL, {} would stop being MQL ({} MQL now, {} after), {} would change grade ({:.2} s)",
                            p.leads, p.becoming_mql, p.leaving_mql, p.mql_now, p.mql_after, p.grade_changes, p.seconds
                        );
                        for l in who.iter().flat_map(|w| &w.rows) {
                            println!(
                                "{:>8}  {} {}  {}  {} → {}",
                                l.lead.id,
                                l.lead.family_name,
                                l.lead.given_name,
                                l.lead.company_name.as_deref().unwrap_or(""),
                                l.lead.grade,
                                l.grade_after
                            );
                        }
                    }
                }
            }
        }
        Command::Activity { command } => {
            let db = encryption::open(&db_path)?;
            let now = chrono::Utc::now();
            match command {
                ActivityCommand::Add {
                    lead,
                    kind,
                    at,
                    detail,
                } => {
                    let w = activities::add(
                        &db,
                        &activities::ActivityInput {
                            lead_id: lead,
                            activity_type: kind,
                            occurred_at: at,
                            detail,
                            event_id: None,
                        },
                        now,
                    )?;
                    if cli.json {
                        print_json(&w)?;
                    } else {
                        println!(
                            "activity {} added to lead {}: engagement {}, fit {}, grade {}{}",
                            w.id,
                            w.lead_id,
                            w.engagement,
                            w.fit,
                            w.grade,
                            if w.is_mql { ", MQL" } else { "" }
                        );
                    }
                }
                ActivityCommand::Import { file, skip_invalid } => {
                    let r = activities::import(&db, &file, skip_invalid, now)?;
                    if cli.json {
                        print_json(&r)?;
                    } else {
                        println!(
                            "{}: {} rows, {} activities imported, {} failed, {} leads rescored ({:.2} s)",
                            file.display(),
                            r.rows,
                            r.imported,
                            r.failed,
                            r.leads_rescored,
                            r.seconds
                        );
                        for f in r.failures.iter().take(20) {
                            println!("  {}", f.message);
                        }
                    }
                }
                ActivityCommand::List {
                    lead,
                    limit,
                    offset,
                } => {
                    let page = activities::timeline(&db, lead, offset, limit)?;
                    if cli.json {
                        print_json(&page)?;
                    } else {
                        println!("{} activities", page.total);
                        for a in &page.rows {
                            println!(
                                "{:>10}  {}  {:<20}  {}{}",
                                a.id,
                                a.occurred_at,
                                a.kind,
                                a.detail,
                                a.event_name
                                    .as_deref()
                                    .map(|e| format!("  [{e}]"))
                                    .unwrap_or_default()
                            );
                        }
                    }
                }
                ActivityCommand::Types => {
                    let types = activities::types(&db)?;
                    if cli.json {
                        print_json(&types)?;
                    } else {
                        for t in types {
                            println!("{:<22} {}  /  {}", t.code, t.label_ja, t.label_en);
                        }
                    }
                }
            }
        }
        Command::Stats(args) => stats::run(&db_path, cli.json, args)?,
        Command::CardText(args) => card_text::run(cli.json, args)?,
        Command::Qr { image } => capture::qr(&image, cli.json)?,
        Command::Events => capture::events(&db_path, cli.json)?,
        Command::Segment { command } => segment::run(&db_path, cli.json, command)?,
        Command::Export(args) => export::run_export(&db_path, cli.json, &args)?,
        Command::Results { command } => export::run_results(&db_path, cli.json, command)?,
        Command::Person { command } => export::run_person(&db_path, cli.json, command)?,
        Command::Suppression { command } => export::run_suppression(&db_path, cli.json, command)?,
        Command::Consent { command } => export::run_consent(&db_path, cli.json, command)?,
        Command::Board {
            owner,
            event,
            segment,
            overdue,
            limit,
        } => board::board(
            &db_path,
            cli.json,
            sodate_core::handoff::BoardFilter {
                owner,
                event,
                segment,
                overdue_only: overdue,
            },
            limit,
        )?,
        Command::Move {
            lead,
            stage,
            reason,
            note,
            confirm_incomplete_bant,
            actor,
        } => board::move_lead(
            &db_path,
            cli.json,
            board::MoveArgs {
                lead,
                stage,
                reason,
                note,
                confirm_incomplete_bant,
                actor,
            },
        )?,
        Command::History { lead } => board::history(&db_path, cli.json, lead)?,
        Command::Journey { command } => journey::run(&db_path, cli.json, command)?,
        Command::MergeAll { min_confidence } => {
            let db = encryption::open(&db_path)?;
            let report =
                dedupe::merge_clusters(&db, min_confidence, &mut |_| {}, &AtomicBool::new(false))?;
            if cli.json {
                print_json(&report)?;
            } else {
                println!(
                    "{} clusters merged ({} leads merged away); backup: {}",
                    report.clusters_merged, report.leads_merged, report.backup.path
                );
            }
        }
        Command::Backup { out } => safety::backup(&db_path, cli.json, out)?,
        Command::Backups => safety::list(&db_path, cli.json)?,
        Command::Restore { file } => safety::restore(&db_path, cli.json, &file)?,
        Command::Check { quick } => safety::check(&db_path, cli.json, quick)?,
        Command::Salvage { out } => safety::salvage(&db_path, cli.json, &out)?,
        Command::Bench {
            leads,
            seed,
            keep,
            existing,
            scoring: scoring_only,
            dashboard: dashboard_only,
            segments: segments_only,
            board: board_only,
            journeys: journeys_only,
            capture: capture_only,
            import_rows,
            export: export_only,
        } => {
            let json = cli.json;
            let mut progress = |step: &str| {
                if !json {
                    eprintln!("… {step}");
                }
            };
            if let Some(rows) = import_rows {
                let dir = std::env::temp_dir().join(format!("sodate-bench-{}", std::process::id()));
                std::fs::create_dir_all(&dir).map_err(|e| sodate_core::Error::FileWrite {
                    path: dir.clone(),
                    detail: e.to_string(),
                })?;
                let result = sodate_core::bench::run_import(&dir, rows, &mut progress);
                let _ = std::fs::remove_dir_all(&dir);
                let report = sodate_core::bench::BenchReport {
                    leads: 0,
                    activities: 0,
                    database_bytes: 0,
                    rows: result?,
                };
                if json {
                    print_json(&report)?;
                } else {
                    print!("{}", report.to_markdown());
                }
                return Ok(());
            }
            // One group of workloads alone on the existing database.
            let only = if !existing {
                None
            } else if export_only {
                let dir = std::env::temp_dir().join(format!("sodate-bench-{}", std::process::id()));
                std::fs::create_dir_all(&dir).map_err(|e| sodate_core::Error::FileWrite {
                    path: dir.clone(),
                    detail: e.to_string(),
                })?;
                let rows = sodate_core::bench::run_export(&db_path, &dir, &mut progress);
                let _ = std::fs::remove_dir_all(&dir);
                Some(rows?)
            } else if scoring_only {
                Some(sodate_core::bench::run_scoring(&db_path, &mut progress)?)
            } else if segments_only {
                Some(sodate_core::bench::run_segments(&db_path, &mut progress)?)
            } else if dashboard_only {
                Some(sodate_core::bench::run_dashboard(&db_path, &mut progress)?)
            } else if board_only {
                Some(sodate_core::bench::run_board(&db_path, &mut progress)?)
            } else if capture_only {
                Some(sodate_core::bench::run_capture(&db_path, &mut progress)?)
            } else {
                None
            };
            let report = if existing && journeys_only {
                sodate_core::bench::run_journeys(&db_path, &mut progress)
            } else if let Some(rows) = only {
                let counts = sodate_core::stats::counts(&encryption::open(&db_path)?)?;
                Ok(sodate_core::bench::BenchReport {
                    leads: counts.leads,
                    activities: counts.activities,
                    database_bytes: std::fs::metadata(&db_path).map(|m| m.len()).unwrap_or(0),
                    rows,
                })
            } else if existing {
                sodate_core::bench::run_queries(&db_path, &mut progress)
            } else {
                let dir = std::env::temp_dir().join(format!("sodate-bench-{}", std::process::id()));
                let path = keep.unwrap_or_else(|| dir.join("bench.db"));
                let report = sodate_core::bench::run(&path, leads, seed, &mut progress);
                let _ = std::fs::remove_dir_all(&dir);
                report
            }?;
            if json {
                print_json(&report)?;
            } else {
                print!("{}", report.to_markdown());
            }
        }
    }
    Ok(())
}

fn print_recompute(r: &scoring::RecomputeReport) {
    println!(
        "{} leads scored as of {}: {} MQL ({} new, {} no longer), {} changed ({:.2} s)",
        r.leads, r.scored_day, r.mql, r.became_mql, r.left_mql, r.changed, r.seconds
    );
}
