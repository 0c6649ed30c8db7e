//! Encryption at the command line: opening an encrypted database for any command, and
//! `sodate encrypt` / `sodate encrypt --change` / `sodate decrypt`.
//!
//! Passphrases come from `SODATE_PASSPHRASE` (the current one) and `SODATE_NEW_PASSPHRASE`
//! (the new one), else from a prompt on the terminal without echo (a new one typed twice);
//! never from an argument, where other users and the shell history would see it.

use std::path::Path;

use clap::Args;
use sodate_core::encryption::{self, FileKind, Passphrase, Progress, Stage};
use sodate_core::{Error, Result, Sodate};

/// The current passphrase of an encrypted database.
pub const PASSPHRASE_ENV: &str = encryption::PASSPHRASE_ENV;
/// The new passphrase for `encrypt` (and `encrypt --change`).
pub const NEW_PASSPHRASE_ENV: &str = "SODATE_NEW_PASSPHRASE";

#[derive(Args)]
pub struct EncryptArgs {
    /// Change the passphrase of an already encrypted database.
    #[arg(long)]
    change: bool,
}

/// Opens the database for any command: a plain one as it is, an encrypted one with the
/// passphrase from `SODATE_PASSPHRASE` or, when that is not set, asked for on the terminal.
pub fn open(path: &Path) -> Result<Sodate> {
    let from_env = encryption::passphrase_from_env()?;
    match Sodate::open_with(path, from_env.as_ref()) {
        Err(required @ Error::PassphraseRequired { .. }) if from_env.is_none() => {
            let Ok(typed) = ask(&format!("Passphrase for {}: ", path.display())) else {
                eprintln!("sodate: no terminal to ask on: set {PASSPHRASE_ENV}");
                return Err(required);
            };
            Sodate::open_with(path, Some(&Passphrase::new(typed)?))
        }
        other => other,
    }
}

/// The passphrase to read `files` with when one of them is encrypted (from
/// `SODATE_PASSPHRASE`, else asked on the terminal); `None` when all are plain.
pub fn key_for(files: &[&Path]) -> Result<Option<Passphrase>> {
    let Some(encrypted) = files
        .iter()
        .find(|f| encryption::file_kind(f) == FileKind::Encrypted)
    else {
        return Ok(None);
    };
    if let Some(key) = encryption::passphrase_from_env()? {
        return Ok(Some(key));
    }
    match ask(&format!("Passphrase for {}: ", encrypted.display())) {
        Ok(typed) => Ok(Some(Passphrase::new(typed)?)),
        Err(_) => {
            eprintln!("sodate: no terminal to ask on: set {PASSPHRASE_ENV}");
            Err(Error::PassphraseRequired {
                path: encrypted.to_path_buf(),
            })
        }
    }
}

/// `sodate encrypt [--change]`.
pub fn encrypt(path: &Path, args: &EncryptArgs, json: bool) -> Result<()> {
    let kind = encryption::file_kind(path);
    if kind == FileKind::Missing {
        return Err(no_database(path));
    }
    let mut db = if args.change || kind == FileKind::Encrypted {
        if !args.change {
            return Err(Error::invalid(
                "passphrase",
                "already_encrypted",
                "the database is already encrypted; use `sodate encrypt --change` to change its passphrase",
            ));
        }
        if kind != FileKind::Encrypted {
            return Err(not_encrypted());
        }
        open(path)?
    } else {
        Sodate::open(path)?
    };
    let new = new_passphrase()?;
    if db.passphrase_matches(&new) {
        return Err(Error::invalid(
            "new_passphrase",
            "unchanged",
            "the new passphrase is the same as the current one",
        ));
    }
    encryption::change_key(&mut db, Some(&new), &report(json))?;
    finish(&db, json, true)
}

/// `sodate decrypt`.
pub fn decrypt(path: &Path, json: bool) -> Result<()> {
    match encryption::file_kind(path) {
        FileKind::Missing => return Err(no_database(path)),
        FileKind::Encrypted => {}
        _ => return Err(not_encrypted()),
    }
    let mut db = open(path)?;
    encryption::change_key(&mut db, None, &report(json))?;
    finish(&db, json, false)
}

fn finish(db: &Sodate, json: bool, encrypted: bool) -> Result<()> {
    if json {
        crate::print_json(&serde_json::json!({
            "path": db.path().display().to_string(),
            "encrypted": encrypted,
        }))
    } else {
        if encrypted {
            println!(
                "{}: encrypted. Keep the passphrase safe: without it the data cannot be recovered.",
                db.path().display()
            );
        } else {
            println!(
                "{}: decrypted; it is a plain database again.",
                db.path().display()
            );
        }
        Ok(())
    }
}

fn no_database(path: &Path) -> Error {
    Error::DatabaseUnreadable {
        path: path.to_path_buf(),
        detail: "there is no database at this path".into(),
    }
}

fn not_encrypted() -> Error {
    Error::invalid(
        "passphrase",
        "not_encrypted",
        "the database is not encrypted",
    )
}

/// Progress on standard error (nothing with --json), at most one line per stage change or
/// 5 % step.
fn report(json: bool) -> impl Fn(Progress) + Sync {
    let last = std::sync::Mutex::new((None::<Stage>, 0u64));
    move |p: Progress| {
        if json {
            return;
        }
        let percent = (p.done * 100).checked_div(p.total).unwrap_or(0);
        let Ok(mut last) = last.lock() else { return };
        if last.0 == Some(p.stage) && percent < last.1 + 5 {
            return;
        }
        *last = (Some(p.stage), percent);
        match p.stage {
            Stage::Copying => eprintln!("… writing the re-encrypted copy: {percent}%"),
            Stage::Verifying => eprintln!("… checking the copy"),
            Stage::Replacing => eprintln!("… replacing the database with the copy"),
        }
    }
}

/// The new passphrase: `SODATE_NEW_PASSPHRASE`, else typed twice on the terminal.
fn new_passphrase() -> Result<Passphrase> {
    if let Some(text) = std::env::var_os(NEW_PASSPHRASE_ENV) {
        let text = text.into_string().map_err(|_| {
            Error::invalid(
                "new_passphrase",
                "not_utf8",
                format!("{NEW_PASSPHRASE_ENV} is not valid UTF-8"),
            )
        })?;
        return Passphrase::new_for_encryption(text);
    }
    eprintln!(
        "A lost passphrase cannot be recovered: without it nobody, not even Sodate, can read the data."
    );
    let first = Passphrase::new_for_encryption(ask("New passphrase: ")?)?;
    let again = ask("New passphrase again: ")?;
    if Passphrase::new(again).ok().as_ref() != Some(&first) {
        return Err(Error::invalid(
            "new_passphrase",
            "mismatch",
            "the two passphrases differ; nothing was changed",
        ));
    }
    Ok(first)
}

/// Reads a line from the terminal without echo.
fn ask(prompt: &str) -> Result<String> {
    rpassword::prompt_password(prompt).map_err(|e| {
        Error::invalid(
            "passphrase",
            "no_terminal",
            format!(
                "cannot ask for the passphrase ({e}): run in a terminal or set {PASSPHRASE_ENV} (and {NEW_PASSPHRASE_ENV} for a new one)"
            ),
        )
    })
}
