//! `sodate encrypt` / `decrypt` as a script would use them, and a re-encryption killed at
//! random moments: afterwards the database opens with the old or the new passphrase and
//! holds every row.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{demo_400, demo_db, stdout_json};
use sodate_core::encryption::{self, FileKind, Passphrase};
use sodate_core::Sodate;

/// Runs `sodate` with the passphrase variables given (and no others), detached from any
/// terminal so that a prompt fails instead of waiting.
fn sodate_with(args: &[&str], current: Option<&str>, new: Option<&str>) -> Output {
    command(args, current, new).output().expect("run sodate")
}

fn command(args: &[&str], current: Option<&str>, new: Option<&str>) -> Command {
    let mut cmd = Command::new("setsid");
    cmd.arg("-w")
        .arg(env!("CARGO_BIN_EXE_sodate"))
        .args(args)
        .env_remove("SODATE_DB")
        .env_remove("SODATE_PASSPHRASE")
        .env_remove("SODATE_NEW_PASSPHRASE")
        .stdin(Stdio::null());
    if let Some(p) = current {
        cmd.env("SODATE_PASSPHRASE", p);
    }
    if let Some(p) = new {
        cmd.env("SODATE_NEW_PASSPHRASE", p);
    }
    cmd
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn encrypt_change_and_decrypt_from_the_command_line() {
    let (_dir, db) = demo_db("enc.db");
    let db = db.as_str();
    demo_400(db);
    let before = stdout_json(&sodate_with(&["--db", db, "stats", "--json"], None, None));

    let out = sodate_with(
        &["--db", db, "encrypt", "--json"],
        None,
        Some("first passphrase"),
    );
    assert_eq!(stdout_json(&out)["encrypted"], true);
    assert_eq!(encryption::file_kind(Path::new(db)), FileKind::Encrypted);

    // Any command now needs the passphrase.
    let out = sodate_with(&["--db", db, "stats", "--json"], None, None);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("is encrypted"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("SODATE_PASSPHRASE"),
        "{}",
        stderr(&out)
    );
    let out = sodate_with(
        &["--db", db, "stats", "--json"],
        Some("wrong passphrase"),
        None,
    );
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr(&out).contains("passphrase") && stderr(&out).contains("wrong"),
        "{}",
        stderr(&out)
    );
    let with_key = sodate_with(
        &["--db", db, "stats", "--json"],
        Some("first passphrase"),
        None,
    );
    assert_eq!(stdout_json(&with_key), before);
    let found = stdout_json(&sodate_with(
        &["--db", db, "leads", "--search", "田中", "--json"],
        Some("first passphrase"),
        None,
    ));
    assert!(found["total"].as_u64().unwrap() > 0);

    // Encrypting again is refused; --change needs the current passphrase.
    let out = sodate_with(
        &["--db", db, "encrypt"],
        Some("first passphrase"),
        Some("x".repeat(9).as_str()),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--change"), "{}", stderr(&out));
    let out = sodate_with(
        &["--db", db, "encrypt", "--change"],
        Some("not it at all"),
        Some("second passphrase"),
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let out = sodate_with(
        &["--db", db, "encrypt", "--change"],
        Some("first passphrase"),
        Some("short"),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("at least 8 characters"),
        "{}",
        stderr(&out)
    );
    let out = sodate_with(
        &["--db", db, "encrypt", "--change"],
        Some("first passphrase"),
        Some("first passphrase"),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("same as the current"),
        "{}",
        stderr(&out)
    );
    let out = sodate_with(
        &["--db", db, "encrypt", "--change"],
        Some("first passphrase"),
        Some("second passphrase"),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Keep the passphrase safe"));
    let out = sodate_with(
        &["--db", db, "stats", "--json"],
        Some("first passphrase"),
        None,
    );
    assert_eq!(out.status.code(), Some(3));

    // Decrypt: a plain database that opens without any passphrase.
    let out = sodate_with(
        &["--db", db, "decrypt", "--json"],
        Some("second passphrase"),
        None,
    );
    assert_eq!(stdout_json(&out)["encrypted"], false);
    assert_eq!(encryption::file_kind(Path::new(db)), FileKind::Plain);
    assert_eq!(
        stdout_json(&sodate_with(&["--db", db, "stats", "--json"], None, None)),
        before
    );
    let out = sodate_with(&["--db", db, "decrypt"], None, None);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not encrypted"), "{}", stderr(&out));
}

#[test]
fn an_encrypted_database_is_checked_backed_up_and_restored_with_its_passphrase() {
    let (_dir, db) = demo_db("enc.db");
    let db = db.as_str();
    demo_400(db);
    let key = Some("check and restore");
    stdout_json(&sodate_with(&["--db", db, "encrypt", "--json"], None, key));
    let backup = stdout_json(&sodate_with(&["--db", db, "backup", "--json"], key, None));
    let backup_path = backup["path"].as_str().unwrap().to_string();
    assert_eq!(
        encryption::file_kind(Path::new(&backup_path)),
        FileKind::Encrypted
    );

    let checked = stdout_json(&sodate_with(&["--db", db, "check", "--json"], key, None));
    assert_eq!(checked["integrity"], "ok");
    // Without the passphrase: asked for, not reported as damage.
    let out = sodate_with(&["--db", db, "check", "--json"], None, None);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr(&out).contains("SODATE_PASSPHRASE"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("damaged"), "{}", stderr(&out));

    // A change after the backup (two leads merged into one), undone by the restore.
    let listed = stdout_json(&sodate_with(&["--db", db, "leads", "--json"], key, None));
    let id = |i: usize| listed["leads"][i]["id"].as_i64().unwrap().to_string();
    let out = sodate_with(&["--db", db, "merge", &id(0), &id(1), "--json"], key, None);
    assert!(out.status.success(), "{}", stderr(&out));
    let stats = stdout_json(&sodate_with(&["--db", db, "stats", "--json"], key, None));
    assert_eq!(stats["leads"], 399);
    let restored = stdout_json(&sodate_with(
        &["--db", db, "restore", &backup_path, "--json"],
        key,
        None,
    ));
    assert_eq!(restored["leads"], 400);
    assert_eq!(encryption::file_kind(Path::new(db)), FileKind::Encrypted);
    let stats = stdout_json(&sodate_with(&["--db", db, "stats", "--json"], key, None));
    assert_eq!(stats["leads"], 400);
}

#[test]
fn without_a_terminal_or_variable_no_passphrase_is_invented() {
    let (_dir, db) = demo_db("prompt.db");
    demo_400(&db);
    let bytes = std::fs::read(&db).unwrap();
    // Encrypting needs the new passphrase: no prompt possible, no variable → refused.
    let out = sodate_with(&["--db", &db, "encrypt"], None, None);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("SODATE_NEW_PASSPHRASE"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read(&db).unwrap(), bytes);
    // A missing database is not created by encrypt.
    let missing = format!("{db}.missing");
    let out = sodate_with(&["--db", &missing, "encrypt"], None, Some("long enough 1"));
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(!Path::new(&missing).exists());
}

/// Runs of the kill test: `SODATE_KILL_RUNS` (a long mode), else 40.
fn kill_runs() -> usize {
    std::env::var("SODATE_KILL_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40)
}

#[test]
fn a_re_encryption_killed_at_any_moment_leaves_the_old_or_the_new_database_whole() {
    let (dir, template) = demo_db("template.db");
    demo_400(&template);
    let rows = encryption::row_counts(&Sodate::open(&template).unwrap()).unwrap();
    let old_key = "the old passphrase";
    let new_key = "the new passphrase";
    // A second template, already encrypted with the old passphrase, for `encrypt --change`.
    let encrypted_template = dir.path().join("template-encrypted.db");
    std::fs::copy(&template, &encrypted_template).unwrap();
    let out = sodate_with(
        &["--db", encrypted_template.to_str().unwrap(), "encrypt"],
        None,
        Some(old_key),
    );
    assert!(out.status.success(), "{}", stderr(&out));

    // How long an uninterrupted run takes, to spread the kills over all of it.
    let timing = dir.path().join("timing.db");
    std::fs::copy(&template, &timing).unwrap();
    let started = Instant::now();
    let out = sodate_with(
        &["--db", timing.to_str().unwrap(), "encrypt"],
        None,
        Some(new_key),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let full = started.elapsed();

    // The kills are spread over [0, span); on a loaded machine a run can take much longer
    // than the timing run, so the span grows whenever a late kill still found the old file.
    let mut span = full.as_micros() as u64 * 12 / 10;
    let mut seed: u64 = 0x5eed_0000_0000_0001;
    let mut outcomes = [0usize; 2];
    for run in 0..kill_runs() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let changing = run % 2 == 1;
        let db = dir.path().join(format!("run-{run}.db"));
        let source = if changing {
            encrypted_template.as_path()
        } else {
            Path::new(&template)
        };
        std::fs::copy(source, &db).unwrap();
        let mut args = vec!["--db", db.to_str().unwrap(), "encrypt"];
        if changing {
            args.push("--change");
        }
        let mut child = command(&args, changing.then_some(old_key), Some(new_key))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let delay = Duration::from_micros(seed % span.max(1));
        std::thread::sleep(delay);
        // setsid -w runs sodate as its child in a new session: kill the whole group.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", child.id())])
            .status();
        let _ = child.kill();
        let _ = child.wait();
        std::thread::sleep(Duration::from_millis(20));

        let old = if changing {
            Some(Passphrase::new(old_key).unwrap())
        } else {
            None
        };
        let new = Passphrase::new(new_key).unwrap();
        let (opened, which) = match Sodate::open_with(&db, old.as_ref()) {
            Ok(db) if db.is_encrypted() == changing => (db, 0),
            _ => (
                Sodate::open_with(&db, Some(&new)).unwrap_or_else(|e| {
                    panic!("run {run} ({delay:?}): neither passphrase opens it: {e}")
                }),
                1,
            ),
        };
        if which == 1 {
            assert!(
                opened.passphrase_matches(&new),
                "run {run}: opened, but not with the new key"
            );
        }
        outcomes[which] += 1;
        if which == 0 && delay.as_micros() as u64 > span * 7 / 10 {
            span = span * 3 / 2;
        }
        assert_eq!(
            encryption::integrity_check(&opened).unwrap(),
            "ok",
            "run {run}"
        );
        assert_eq!(
            encryption::row_counts(&opened).unwrap(),
            rows,
            "run {run} ({delay:?})"
        );
        drop(opened);
        let _ = std::fs::remove_file(&db);
    }
    eprintln!(
        "kill runs: {} left the old database, {} the new one",
        outcomes[0], outcomes[1]
    );
    assert!(
        outcomes[0] > 0 && outcomes[1] > 0,
        "the kills should land both before and after the rename: {outcomes:?}"
    );
}
