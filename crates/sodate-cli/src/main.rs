//! `sodate`: the command-line face of Sodate. Parses arguments, calls sodate-core, prints.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use clap::{Parser, Subcommand, ValueEnum};
use sodate_core::{demo, leads, stats, LeadQuery, LeadSort, Sodate};

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
enum Command {
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
    },
    /// Counts of leads, companies, activities and events.
    Stats,
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
    },
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
                "db_newer" | "db_corrupt" | "db_locked" | "db_unreadable" => 3,
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
        Command::Demo {
            leads,
            seed,
            anchor,
        } => {
            let db = Sodate::open(&db_path)?;
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
        } => {
            let db = Sodate::open(&db_path)?;
            let query = LeadQuery {
                search,
                sort: sort.into(),
                descending: desc,
                offset,
                limit,
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
        Command::Stats => {
            let db = Sodate::open(&db_path)?;
            let s = stats::counts(&db)?;
            if cli.json {
                print_json(&s)?;
            } else {
                println!(
                    "leads: {}\ncompanies: {}\nactivities: {}\nevents: {}",
                    s.leads, s.companies, s.activities, s.events
                );
            }
        }
        Command::Bench {
            leads,
            seed,
            keep,
            existing,
        } => {
            let json = cli.json;
            let mut progress = |step: &str| {
                if !json {
                    eprintln!("… {step}");
                }
            };
            let report = if existing {
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
