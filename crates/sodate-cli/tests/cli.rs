//! The `sodate` binary as a script would use it: real processes, real database files.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

fn sodate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sodate"))
        .args(args)
        .env_remove("SODATE_DB")
        .output()
        .expect("run sodate")
}

fn stdout_json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON output")
}

#[test]
fn demo_then_leads_and_stats_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db");
    let db = db.to_str().unwrap();
    let report = stdout_json(&sodate(&[
        "--db",
        db,
        "demo",
        "--leads",
        "400",
        "--seed",
        "9",
        "--anchor",
        "2026-11-01",
        "--json",
    ]));
    assert_eq!(report["leads"], 400);

    let stats = stdout_json(&sodate(&["--db", db, "stats", "--json"]));
    assert_eq!(stats["leads"], 400);
    assert_eq!(stats["activities"], report["activities"]);

    let listed = stdout_json(&sodate(&[
        "--db", db, "leads", "--search", "田中", "--limit", "5", "--json",
    ]));
    let leads = listed["leads"].as_array().unwrap();
    assert!(listed["total"].as_u64().unwrap() >= leads.len() as u64);
    assert!(!leads.is_empty());
    for lead in leads {
        assert_eq!(lead["familyName"], "田中");
        for key in [
            "id",
            "givenName",
            "familyReading",
            "givenReading",
            "companyName",
            "email",
            "phone",
            "mobile",
            "custom",
        ] {
            assert!(lead.get(key).is_some(), "{key} missing from {lead}");
        }
    }
}

#[test]
fn a_damaged_database_gets_a_clear_message_and_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.db");
    std::fs::write(&path, vec![0x42; 4096]).unwrap();
    let out = sodate(&["--db", path.to_str().unwrap(), "stats"]);
    assert_eq!(out.status.code(), Some(3));
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(
        message.contains("broken.db") && message.contains("damaged"),
        "{message}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), vec![0x42; 4096]);
}

#[test]
fn bad_arguments_are_refused_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    let out = sodate(&["--db", db.to_str().unwrap(), "demo", "--leads", "0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 1 lead"));
    let out = sodate(&["leads", "--limit", "many"]);
    assert!(!out.status.success());
}
