//! `sodate export`, `sodate results`, `sodate person`, `sodate suppression`, `sodate consent`:
//! export and compliance (issue 10).

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use sodate_core::export::{
    self, person, results, suppression, ExportFormat, ExportRequest, ExportSource, Field, ProfileId,
};
use sodate_core::{consent, Error, Result};

use crate::print_json;

#[derive(Args)]
pub(crate) struct ExportArgs {
    /// mailchimp, brevo, benchmark, blastmail, hubspot or generic.
    #[arg(long)]
    profile: String,
    /// Only the members of this saved segment (default: every lead).
    #[arg(long, value_name = "ID")]
    segment: Option<i64>,
    /// Only these leads (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    leads: Vec<i64>,
    /// Only the leads due in this journey map's nurture scenario (see --date, --step).
    #[arg(long, value_name = "MAP")]
    journey: Option<i64>,
    /// With --journey: the day the steps are due (YYYY-MM-DD; default: today in Japan).
    #[arg(long, requires = "journey")]
    date: Option<String>,
    /// With --journey: only the leads due in this stage (its id, e.g. s2; default: every stage).
    #[arg(long, requires = "journey")]
    stage: Option<String>,
    /// With --journey and --stage: only the leads due for this step of the stage (its id).
    #[arg(long, requires = "stage")]
    step: Option<String>,
    #[arg(long)]
    out: PathBuf,
    /// csv, xlsx, vcard3, vcard4 (default: from the file name, else csv).
    #[arg(long)]
    format: Option<String>,
    /// CSV encoding: utf-8-bom, utf-8, shift_jis (default: the profile's).
    #[arg(long)]
    encoding: Option<String>,
    /// The columns in order (comma-separated codes: email,family_name,…; default: the profile's).
    #[arg(long, value_delimiter = ',')]
    columns: Vec<String>,
    /// Show the first rows and the warnings; write nothing.
    #[arg(long)]
    preview: bool,
}

fn request(a: &ExportArgs) -> Result<ExportRequest> {
    let profile = ProfileId::parse(&a.profile).ok_or_else(|| {
        Error::invalid(
            "profile",
            "unknown_profile",
            format!(
                "{:?} is not a profile (mailchimp, brevo, benchmark, blastmail, hubspot, generic)",
                a.profile
            ),
        )
    })?;
    let format = match &a.format {
        Some(f) => ExportFormat::parse(f).ok_or_else(|| {
            Error::invalid(
                "format",
                "unknown_format",
                format!("{f:?} is not a format (csv, xlsx, vcard3, vcard4)"),
            )
        })?,
        None => ExportFormat::from_path(&a.out).unwrap_or(ExportFormat::Csv),
    };
    let encoding = a
        .encoding
        .as_deref()
        .map(|e| {
            e.parse().map_err(|e: sodate_core::import::ImportError| {
                Error::invalid("encoding", "unknown_encoding", e.to_string())
            })
        })
        .transpose()?;
    let columns = a
        .columns
        .iter()
        .map(|c| {
            Field::from_code(c.trim()).ok_or_else(|| {
                Error::invalid(
                    "columns",
                    "unknown_column",
                    format!("{c:?} is not a column"),
                )
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let given = usize::from(a.segment.is_some())
        + usize::from(!a.leads.is_empty())
        + usize::from(a.journey.is_some());
    if given > 1 {
        return Err(Error::invalid(
            "source",
            "conflict",
            "give one of --segment, --leads or --journey",
        ));
    }
    let source = if let Some(id) = a.segment {
        ExportSource::Segment { id }
    } else if let Some(map) = a.journey {
        ExportSource::JourneyDue {
            map,
            date: a.date.clone(),
            stage: a.stage.clone(),
            step: a.step.clone(),
        }
    } else if !a.leads.is_empty() {
        ExportSource::Leads {
            ids: a.leads.clone(),
        }
    } else {
        ExportSource::All
    };
    Ok(ExportRequest {
        profile,
        source,
        format,
        encoding,
        columns: (!columns.is_empty()).then_some(columns),
    })
}

fn print_warnings(warnings: &[export::ExportWarning]) {
    for w in warnings {
        println!(
            "warning [{}] {}: {} row(s) — {}",
            w.code, w.column, w.count, w.message
        );
        for r in w.rows.iter().take(10) {
            println!(
                "  row {} (lead {}): {:?} {}",
                r.row, r.lead_id, r.value, r.detail
            );
        }
    }
}

pub(crate) fn run_export(db_path: &Path, json: bool, a: &ExportArgs) -> Result<()> {
    let db = crate::encryption::open(db_path)?;
    let req = request(a)?;
    if a.preview {
        let p = export::preview(&db, &req)?;
        if json {
            return print_json(&p);
        }
        println!("{}", p.headers.join(" | "));
        for r in &p.rows {
            println!("{}", r.join(" | "));
        }
        println!(
            "{} rows would be written; {} left out as not to be mailed",
            p.report.rows, p.report.suppressed
        );
        print_warnings(&p.report.warnings);
        return Ok(());
    }
    let report = export::export(&db, &req, &a.out)?;
    if json {
        return print_json(&report);
    }
    let l = &report.left_out;
    println!(
        "{}: {} rows written; left out: {} suppressed (opted out {}, bounced {}, erased {}, on the suppression list {}), {} duplicate emails, {} without email ({:.2} s)",
        a.out.display(),
        report.rows,
        report.suppressed,
        l.opted_out,
        l.bounced,
        l.erased,
        l.suppression_list,
        l.duplicate_email,
        l.no_email,
        report.seconds
    );
    print_warnings(&report.warnings);
    Ok(())
}

#[derive(Subcommand)]
pub(crate) enum ResultsCommand {
    /// Import a mail tool's results (Mailchimp, Brevo, or email,event,timestamp) as
    /// activities; unsubscribes and hard bounces become suppressions. One transaction.
    Import {
        file: PathBuf,
        /// Import the good rows and report the bad ones.
        #[arg(long)]
        skip_invalid: bool,
    },
}

pub(crate) fn run_results(db_path: &Path, json: bool, c: ResultsCommand) -> Result<()> {
    let ResultsCommand::Import { file, skip_invalid } = c;
    let db = crate::encryption::open(db_path)?;
    let r = results::import(&db, &file, skip_invalid, chrono::Utc::now())?;
    if json {
        return print_json(&r);
    }
    println!(
        "{} ({}): {} rows, {} activities ({} already imported), {} unsubscribes, {} hard bounces, {} suppressions added, {} unknown emails, {} leads rescored",
        file.display(),
        r.format,
        r.rows,
        r.activities,
        r.already,
        r.unsubscribes,
        r.hard_bounces,
        r.suppressions_added,
        r.unknown_emails,
        r.leads_rescored
    );
    for f in &r.failures {
        println!("  skipped: {}", f.message);
    }
    Ok(())
}

#[derive(Subcommand)]
pub(crate) enum PersonCommand {
    /// Everything held about one person, to a JSON file (or CSV with a .csv name).
    Export {
        id: i64,
        #[arg(long)]
        out: PathBuf,
    },
    /// Erase a person: only a hash of their email stays, on the suppression list.
    Erase { id: i64 },
}

pub(crate) fn run_person(db_path: &Path, json: bool, c: PersonCommand) -> Result<()> {
    let db = crate::encryption::open(db_path)?;
    match c {
        PersonCommand::Export { id, out } => {
            let r = person::export(&db, id, &out)?;
            if json {
                return print_json(&r);
            }
            println!(
                "{}: lead {} ({} activities, {} consent records)",
                out.display(),
                r.lead_id,
                r.activities,
                r.consents
            );
        }
        PersonCommand::Erase { id } => {
            let r = person::erase(&db, id)?;
            if json {
                return print_json(&r);
            }
            println!(
                "lead {} erased ({} activities, {} consent records); {} email hash(es) kept on the suppression list",
                r.lead_id, r.activities, r.consents, r.hashes
            );
        }
    }
    Ok(())
}

#[derive(Subcommand)]
pub(crate) enum SuppressionCommand {
    /// Write the suppression list as CSV (hashes; with --plain also the emails).
    Export {
        file: PathBuf,
        #[arg(long)]
        plain: bool,
    },
    /// Add the entries of a CSV (email and/or email_hash, optional reason).
    Import { file: PathBuf },
    /// The list.
    List,
}

pub(crate) fn run_suppression(db_path: &Path, json: bool, c: SuppressionCommand) -> Result<()> {
    let db = crate::encryption::open(db_path)?;
    match c {
        SuppressionCommand::Export { file, plain } => {
            let r = suppression::export_list(&db, &file, plain)?;
            if json {
                return print_json(&r);
            }
            println!(
                "{}: {} entries ({} with their email)",
                file.display(),
                r.entries,
                r.with_email
            );
        }
        SuppressionCommand::Import { file } => {
            let r = suppression::import_list(&db, &file)?;
            if json {
                return print_json(&r);
            }
            println!(
                "{}: {} rows, {} added, {} already listed, {} leads marked",
                file.display(),
                r.rows,
                r.added,
                r.already,
                r.leads_marked
            );
        }
        SuppressionCommand::List => {
            let l = suppression::list(&db)?;
            if json {
                return print_json(&l);
            }
            for e in l {
                println!(
                    "{}  {}  {}  {}",
                    e.created_at,
                    e.reason,
                    e.email_hash,
                    e.email.unwrap_or_default()
                );
            }
        }
    }
    Ok(())
}

#[derive(Subcommand)]
pub(crate) enum ConsentCommand {
    /// A lead's consent records, newest first.
    List { lead: i64 },
    /// Record consent (state opted_in, opted_out, unknown; method card_exchange, web_form,
    /// seminar, import, manual …; date; evidence).
    Add {
        #[arg(long)]
        lead: i64,
        #[arg(long)]
        state: String,
        #[arg(long, default_value = "manual")]
        method: String,
        #[arg(long, default_value = "email")]
        channel: String,
        #[arg(long, default_value = "")]
        date: String,
        #[arg(long, default_value = "")]
        evidence: String,
    },
}

pub(crate) fn run_consent(db_path: &Path, json: bool, c: ConsentCommand) -> Result<()> {
    let db = crate::encryption::open(db_path)?;
    match c {
        ConsentCommand::List { lead } => {
            let l = consent::list(&db, lead)?;
            if json {
                return print_json(&l);
            }
            for r in l {
                println!(
                    "{}  {}  {}  {}  {}",
                    r.recorded_at, r.channel, r.state, r.method, r.evidence
                );
            }
        }
        ConsentCommand::Add {
            lead,
            state,
            method,
            channel,
            date,
            evidence,
        } => {
            let r = consent::add(
                &db,
                &consent::ConsentInput {
                    lead_id: lead,
                    channel,
                    state,
                    method,
                    recorded_at: date,
                    evidence,
                },
                chrono::Utc::now(),
            )?;
            if json {
                return print_json(&r);
            }
            println!(
                "consent {} recorded for lead {}: {} ({})",
                r.id, r.lead_id, r.state, r.method
            );
        }
    }
    Ok(())
}
