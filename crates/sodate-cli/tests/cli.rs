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

/// A temporary folder and the path of a database file in it (the folder lives as long as
/// the returned guard).
fn demo_db(name: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join(name).to_string_lossy().into_owned();
    (dir, db)
}

/// 400 demo leads (seed 9, anchored) into `db`; the demo report.
fn demo_400(db: &str) -> serde_json::Value {
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

#[test]
fn demo_then_leads_and_stats_as_json() {
    let (_dir, db) = demo_db("cli.db");
    let db = db.as_str();
    let report = demo_400(db);
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

fn fixture(name: &str) -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

#[test]
fn import_undo_and_history_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("import.db");
    let db = db.to_str().unwrap();
    let eight = fixture("eight_sjis.csv");
    let report = stdout_json(&sodate(&[
        "--db",
        db,
        "import",
        &eight,
        "--tag",
        "展示会",
        "--event",
        "DX EXPO",
        "--json",
    ]));
    assert_eq!(report["created"], 20);
    assert_eq!(report["updated"], 0);
    assert_eq!(report["skipped"], 0);
    assert_eq!(report["failed"], 0);
    assert_eq!(report["encoding"], "shift_jis");
    assert_eq!(report["format"], "csv");
    let batch = report["batch"].as_i64().unwrap();

    let listed = stdout_json(&sodate(&[
        "--db", db, "leads", "--search", "髙橋", "--json",
    ]));
    assert_eq!(listed["leads"][0]["familyName"], "髙橋");
    assert_eq!(listed["leads"][0]["familyReading"], "タカハシ");

    let dry = stdout_json(&sodate(&[
        "--db",
        db,
        "import",
        &eight,
        "--mode",
        "upsert",
        "--dry-run",
        "--json",
    ]));
    assert_eq!(dry["batch"], serde_json::Value::Null);
    assert_eq!(dry["created"], 0);

    let history = stdout_json(&sodate(&["--db", db, "imports", "--json"]));
    assert_eq!(
        history.as_array().unwrap().len(),
        1,
        "a dry run leaves no batch"
    );

    let undo = stdout_json(&sodate(&[
        "--db",
        db,
        "import-undo",
        &batch.to_string(),
        "--json",
    ]));
    assert_eq!(undo["removed"], 20);
    let stats = stdout_json(&sodate(&["--db", db, "stats", "--json"]));
    assert_eq!(stats["leads"], 0);

    // Refusals: a bad file (exit 2, the reason named), an unknown encoding, a second undo.
    let bad = sodate(&["--db", db, "import", &fixture("unbalanced_quote.csv")]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("quote"));
    let enc = sodate(&["--db", db, "import", &eight, "--encoding", "klingon"]);
    assert_eq!(enc.status.code(), Some(2));
    let again = sodate(&["--db", db, "import-undo", &batch.to_string()]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already undone"));
}

#[test]
fn an_import_killed_halfway_leaves_the_database_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("killed.db");
    let db = db.to_str().unwrap();
    stdout_json(&sodate(&[
        "--db",
        db,
        "import",
        &fixture("eight_sjis.csv"),
        "--json",
    ]));
    let big = dir.path().join("big.csv");
    let mut text = String::from("氏名,メールアドレス,会社名\n");
    for i in 0..400_000 {
        text.push_str(&format!(
            "山田 太郎{i},taro{i}@example{}.jp,株式会社テスト{}\n",
            i % 97,
            i % 997
        ));
    }
    std::fs::write(&big, text).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_sodate"))
        .args(["--db", db, "import", big.to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Kill it mid-write: once it reports 100,000 rows done (of 400,000).
    let mut stderr = child.stderr.take().unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 256];
    while !String::from_utf8_lossy(&seen).contains("100000 rows") {
        use std::io::Read;
        let n = stderr.read(&mut buf).unwrap();
        assert!(
            n > 0,
            "the import ended before it was killed: {}",
            String::from_utf8_lossy(&seen)
        );
        seen.extend_from_slice(&buf[..n]);
    }
    child.kill().unwrap();
    child.wait().unwrap();
    // The next open rolls the half-written transaction back.
    let stats = stdout_json(&sodate(&["--db", db, "stats", "--json"]));
    assert_eq!(stats["leads"], 20);
    let history = stdout_json(&sodate(&["--db", db, "imports", "--json"]));
    assert_eq!(history.as_array().unwrap().len(), 1);
    let listed = stdout_json(&sodate(&[
        "--db",
        db,
        "leads",
        "--search",
        "山田 太郎1",
        "--json",
    ]));
    assert_eq!(listed["total"], 0);
}

#[test]
fn dedupe_finds_the_demo_duplicates_as_json_and_text() {
    let (_dir, db) = demo_db("dedupe.db");
    let db = db.as_str();
    let demo = demo_400(db);
    let known = demo["duplicates"].as_u64().unwrap();
    assert!(known > 5);

    let report = stdout_json(&sodate(&["--db", db, "dedupe", "--json"]));
    assert_eq!(report["leadsScanned"], 400);
    let pairs = report["pairs"].as_array().unwrap();
    assert!(pairs.len() as u64 >= known * 9 / 10, "{report}");
    assert!(report["clusters"].as_u64().unwrap() >= known * 8 / 10);
    assert!(report["seconds"].as_f64().unwrap() >= 0.0);
    let first = &pairs[0];
    assert!(first["a"].as_i64().unwrap() < first["b"].as_i64().unwrap());
    assert!(first["confidence"].as_u64().unwrap() >= 50);
    let reason = &first["reasons"][0];
    for key in ["code", "points", "params", "message"] {
        assert!(reason.get(key).is_some(), "{key} missing from {reason}");
    }
    // Highest confidence first.
    let confidences: Vec<u64> = pairs
        .iter()
        .map(|p| p["confidence"].as_u64().unwrap())
        .collect();
    assert!(confidences.windows(2).all(|w| w[0] >= w[1]));

    let limited = stdout_json(&sodate(&[
        "--db",
        db,
        "dedupe",
        "--min-confidence",
        "90",
        "--limit",
        "3",
        "--json",
    ]));
    let limited = limited["pairs"].as_array().unwrap();
    assert_eq!(limited.len(), 3);
    assert!(limited
        .iter()
        .all(|p| p["confidence"].as_u64().unwrap() >= 90));

    let text = sodate(&["--db", db, "dedupe", "--limit", "2"]);
    assert!(text.status.success());
    let text = String::from_utf8(text.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].contains("likely duplicate pairs"), "{text}");
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[1].contains("same"), "{text}");

    let bad = sodate(&["--db", db, "dedupe", "--min-confidence", "101"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("between 0 and 100"));
}

#[test]
fn merge_the_first_suggested_pair_then_unmerge_it() {
    let (_dir, db) = demo_db("merge.db");
    let db = db.as_str();
    demo_400(db);
    let leads = |db: &str| stdout_json(&sodate(&["--db", db, "stats", "--json"]));
    let before = leads(db);
    let report = stdout_json(&sodate(&["--db", db, "dedupe", "--json"]));
    let pair = &report["pairs"][0];
    let (a, b) = (pair["a"].to_string(), pair["b"].to_string());

    let merged = stdout_json(&sodate(&[
        "--db",
        db,
        "merge",
        &a,
        &b,
        "--take-merged",
        "title",
        "--json",
    ]));
    let merge = &merged["merge"];
    assert_eq!(merge["survivorId"].to_string(), a);
    assert_eq!(merge["mergedId"].to_string(), b);
    let after = leads(db);
    assert_eq!(
        after["leads"].as_u64().unwrap() + 1,
        before["leads"].as_u64().unwrap()
    );
    assert_eq!(
        after["activities"], before["activities"],
        "activities moved, not lost"
    );

    let again = sodate(&["--db", db, "merge", &a, &b]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already merged"));

    let journal = stdout_json(&sodate(&["--db", db, "merges", "--json"]));
    let id = journal[0]["id"].to_string();
    assert_eq!(journal[0]["mergedId"].to_string(), b);

    let undone = stdout_json(&sodate(&["--db", db, "unmerge", &id, "--json"]));
    assert_eq!(undone["restoredId"].to_string(), b);
    assert_eq!(leads(db), before, "counts back");
    let twice = sodate(&["--db", db, "unmerge", &id]);
    assert!(!twice.status.success());
    assert!(String::from_utf8_lossy(&twice.stderr).contains("already undone"));

    let marked = sodate(&["--db", db, "not-duplicate", &b, &a]);
    assert!(marked.status.success());
    let report = stdout_json(&sodate(&["--db", db, "dedupe", "--json"]));
    let pairs = report["pairs"].as_array().unwrap();
    assert!(
        pairs
            .iter()
            .all(|p| (&p["a"], &p["b"]) != (&pair["a"], &pair["b"])),
        "the pair is no longer suggested"
    );
}
