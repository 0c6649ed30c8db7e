//! Data safety from the command line: `sodate backup`, `sodate backups`, `sodate restore`,
//! `sodate check`. The logic (and every safety rule) is in `sodate_core::backup`.

use std::path::{Path, PathBuf};

use sodate_core::backup::{self, Backup, BackupReason};
use sodate_core::{Error, Result};

use crate::print_json;

/// Human-readable size (MB with one decimal, KB below a megabyte).
fn size(bytes: u64) -> String {
    if bytes >= 1_000_000 {
        format!("{:.1} MB", bytes as f64 / 1e6)
    } else {
        format!("{:.0} KB", (bytes as f64 / 1e3).ceil())
    }
}

fn print_backup(b: &Backup) {
    println!(
        "{}  {:<13} {:>10}  schema {}  {} leads  {}",
        b.created_at,
        b.reason.label(),
        size(b.bytes),
        b.schema_version,
        b.leads.map(|n| n.to_string()).unwrap_or_else(|| "?".into()),
        b.path
    );
}

/// `sodate backup [--out FILE]`: a copy at FILE, or a manual backup in the backups folder.
pub(crate) fn backup(db_path: &Path, json: bool, out: Option<PathBuf>) -> Result<()> {
    let db = crate::encryption::open(db_path)?;
    let written = match out {
        Some(out) => backup::copy_to(&db, &out)?,
        None => backup::take(&db, BackupReason::Manual)?,
    };
    if json {
        print_json(&written)?;
    } else {
        println!("backup written: {} ({})", written.path, size(written.bytes));
    }
    Ok(())
}

/// `sodate backups`: the backups of the database, newest first.
pub(crate) fn list(db_path: &Path, json: bool) -> Result<()> {
    let backups = backup::list(db_path)?;
    if json {
        print_json(&backups)?;
    } else if backups.is_empty() {
        println!("no backups of {} yet", db_path.display());
    } else {
        for b in &backups {
            print_backup(b);
        }
    }
    Ok(())
}

/// `sodate restore FILE`: the backup is checked, the current state backed up, then replaced.
/// An encrypted database (or backup) is read with the passphrase of `SODATE_PASSPHRASE` or
/// the terminal.
pub(crate) fn restore(db_path: &Path, json: bool, from: &Path) -> Result<()> {
    let quiet = json;
    let target = sodate_core::db::DbFile {
        path: db_path.to_path_buf(),
        key: crate::encryption::key_for(&[db_path, from])?,
    };
    let (_db, report) = backup::restore_file(&target, from, &mut |p| {
        if !quiet && p.pages_total > 10_000 {
            eprint!("\r{}/{} pages", p.pages_done, p.pages_total);
        }
    })?;
    if json {
        print_json(&report)?;
    } else {
        println!(
            "restored {} into {}: {} leads",
            report.restored_from,
            db_path.display(),
            report.leads
        );
        if let Some(b) = &report.safety_backup {
            println!("the state before the restore was backed up to {}", b.path);
        }
        if let Some(kept) = &report.damaged_kept_at {
            println!("the damaged database was kept at {kept}");
        }
    }
    Ok(())
}

/// `sodate check [--quick]`: the integrity check; exits with 3 when the database is damaged.
pub(crate) fn check(db_path: &Path, json: bool, quick: bool) -> Result<()> {
    let key = crate::encryption::key_for(&[db_path])?;
    let report = backup::check_file(db_path, key.as_ref(), !quick)?;
    if json {
        print_json(&report)?;
    } else {
        println!(
            "{}: {} ({} check, {:.1} s)",
            db_path.display(),
            report.integrity,
            if report.full { "full" } else { "quick" },
            report.seconds
        );
        for p in &report.problems {
            println!("  {p}");
        }
    }
    if report.is_ok() {
        Ok(())
    } else {
        Err(Error::DatabaseCorrupt {
            path: db_path.to_path_buf(),
            detail: format!("{} problems found", report.problems.len()),
        })
    }
}

/// `sodate salvage --out FILE`: every readable lead of a (damaged) database to FILE.
pub(crate) fn salvage(db_path: &Path, json: bool, out: &Path) -> Result<()> {
    let file = sodate_core::db::DbFile {
        path: db_path.to_path_buf(),
        key: crate::encryption::key_for(&[db_path])?,
    };
    let report = sodate_core::salvage::export_readable_leads(&file, out)?;
    if json {
        return print_json(&report);
    }
    println!("{} leads written to {}", report.leads, report.path);
    if let Some(list) = &report.suppression_path {
        println!(
            "{} people not to mail written to {list} (import it as a suppression list)",
            report.suppressed
        );
    }
    if report.unreadable > 0 {
        println!(
            "{} lead rows could not be read (damaged pages)",
            report.unreadable
        );
    }
    if !report.reached_end {
        println!("the end of the lead table could not be read: leads after the last one written may be missing");
    }
    if !report.companies_read {
        println!("the company names could not be read: the company column is empty");
    }
    Ok(())
}
