//! What the CLI tests share: running the real binary, reading its JSON, a demo database.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

pub fn sodate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sodate"))
        .args(args)
        .env_remove("SODATE_DB")
        .output()
        .expect("run sodate")
}

pub fn stdout_json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON output")
}

/// A temporary folder and the path of a database file in it (the folder lives as long as
/// the returned guard).
pub fn demo_db(name: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join(name).to_string_lossy().into_owned();
    (dir, db)
}

/// 400 demo leads (seed 9, anchored) into `db`; the demo report.
pub fn demo_400(db: &str) -> serde_json::Value {
    stdout_json(&sodate(&[
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
    ]))
}
