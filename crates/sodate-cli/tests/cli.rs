//! The `sodate` binary as a script would use it: real processes, real database files.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Command;

use common::{demo_400, demo_db, sodate, stdout_json};

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

#[test]
fn score_explain_and_log_an_activity_as_json() {
    let (_dir, db) = demo_db("score.db");
    let db = db.as_str();
    demo_400(db);
    let scored = stdout_json(&sodate(&["--db", db, "score", "--json"]));
    assert_eq!(scored["leads"], 400);
    let mql = scored["mql"].as_u64().unwrap();
    assert!(mql < 400);
    assert!(scored["seconds"].as_f64().unwrap() >= 0.0);
    let again = stdout_json(&sodate(&["--db", db, "score", "--json"]));
    assert_eq!(again["mql"], mql);
    assert_eq!(again["changed"], 0);

    let sum = |e: &serde_json::Value, score: &str| -> f64 {
        let tenths: i64 = e["lines"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["score"] == score)
            .map(|l| (l["points"].as_f64().unwrap() * 10.0).round() as i64)
            .sum();
        tenths as f64 / 10.0
    };
    let before = stdout_json(&sodate(&["--db", db, "score", "--explain", "7", "--json"]));
    for key in ["engagement", "fit", "grade", "lines"] {
        assert!(before.get(key).is_some(), "{key} missing from {before}");
    }
    assert_eq!(
        sum(&before, "engagement"),
        before["engagement"].as_f64().unwrap()
    );
    assert_eq!(sum(&before, "fit"), before["fit"].as_f64().unwrap());
    for line in before["lines"].as_array().unwrap() {
        assert!(line["rule"].is_string() && line["source"].is_string());
    }

    let added = stdout_json(&sodate(&[
        "--db",
        db,
        "activity",
        "add",
        "--lead",
        "7",
        "--type",
        "資料請求",
        "--detail",
        "料金表",
        "--json",
    ]));
    assert_eq!(added["leadId"], 7);
    let after = stdout_json(&sodate(&["--db", db, "score", "--explain", "7", "--json"]));
    assert_eq!(after["engagement"], added["engagement"]);
    let line = after["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rule"] == "資料請求")
        .unwrap()
        .clone();
    assert!(line["source"]
        .as_str()
        .unwrap()
        .contains("document_request"));
    assert_eq!(
        sum(&after, "engagement"),
        after["engagement"].as_f64().unwrap()
    );

    let out = sodate(&[
        "--db",
        db,
        "activity",
        "add",
        "--lead",
        "7",
        "--type",
        "telepathy",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not an activity type"));
    let out = sodate(&["--db", db, "score", "--explain", "999999"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("999999"));
}

#[test]
fn scoring_model_export_import_and_a_refused_model() {
    let (dir, db) = demo_db("model.db");
    let db = db.as_str();
    demo_400(db);
    let file = dir.path().join("model.json");
    let file = file.to_str().unwrap();
    assert!(sodate(&["--db", db, "scoring", "export", file])
        .status
        .success());
    let mut model: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    assert_eq!(model["version"], 1);
    model["mql"]["engagement"] = serde_json::json!(20.0);
    std::fs::write(file, serde_json::to_string(&model).unwrap()).unwrap();

    // Scores as of today first (the demo scored them as of its anchor day), so that the
    // preview compares with what a recompute now gives.
    let before = stdout_json(&sodate(&["--db", db, "score", "--json"]))["mql"]
        .as_u64()
        .unwrap();
    let preview = stdout_json(&sodate(&[
        "--db", db, "scoring", "preview", file, "--list", "5", "--json",
    ]));
    let becoming = preview["preview"]["becomingMql"].as_u64().unwrap();
    assert!(becoming > 0, "{preview}");
    assert_eq!(preview["preview"]["leavingMql"], 0);
    assert_eq!(preview["becomingMql"]["total"], becoming);
    assert_eq!(
        preview["becomingMql"]["rows"].as_array().unwrap().len() as u64,
        becoming.min(5)
    );
    let imported = stdout_json(&sodate(&["--db", db, "scoring", "import", file, "--json"]));
    assert_eq!(imported["mql"].as_u64().unwrap(), before + becoming);
    assert_eq!(imported["becameMql"].as_u64().unwrap(), becoming);

    let bad = dir.path().join("bad.json");
    let mut broken = model.clone();
    broken["decay"] = serde_json::json!({ "kind": "half_life", "days": -7.0 });
    std::fs::write(&bad, serde_json::to_string(&broken).unwrap()).unwrap();
    let out = sodate(&["--db", db, "scoring", "import", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("half-life"));
    std::fs::write(&bad, "{ not json").unwrap();
    let out = sodate(&["--db", db, "scoring", "import", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not valid model JSON"));

    let kept = dir.path().join("kept.json");
    assert!(
        sodate(&["--db", db, "scoring", "export", kept.to_str().unwrap()])
            .status
            .success()
    );
    let kept: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(kept).unwrap()).unwrap();
    assert_eq!(kept, model);
}

#[test]
fn activity_import_and_timeline_as_json() {
    let (dir, db) = demo_db("acts.db");
    let db = db.as_str();
    demo_400(db);
    let csv = dir.path().join("acts.csv");
    std::fs::write(
        &csv,
        "lead_id,type,occurred_at,detail\n3,seminar_attended,2026-11-02 10:00,DX セミナー\n3,page_view,2026-11-02 10:30,/pricing\n",
    )
    .unwrap();
    let r = stdout_json(&sodate(&[
        "--db",
        db,
        "activity",
        "import",
        csv.to_str().unwrap(),
        "--json",
    ]));
    assert_eq!(
        (r["imported"].as_u64(), r["failed"].as_u64()),
        (Some(2), Some(0))
    );
    let page = stdout_json(&sodate(&[
        "--db", db, "activity", "list", "--lead", "3", "--limit", "2", "--json",
    ]));
    let rows = page["rows"].as_array().unwrap();
    assert_eq!(rows[0]["detail"], "/pricing");
    assert_eq!(rows[0]["occurredAt"], "2026-11-02T01:30:00Z");
    assert_eq!(rows[1]["kind"], "seminar_attended");

    std::fs::write(&csv, "lead_id,type,occurred_at\n3,call,someday\n").unwrap();
    let out = sodate(&["--db", db, "activity", "import", csv.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(
        message.contains("row 2") && message.contains("someday"),
        "{message}"
    );
    let types = stdout_json(&sodate(&["--db", db, "activity", "types", "--json"]));
    assert!(types
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["code"] == "document_request" && t["labelJa"] == "資料請求"));
}
