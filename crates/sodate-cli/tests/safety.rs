//! `sodate backup`, `backups`, `restore`, `check` on real databases.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{demo_400, demo_db, sodate, stdout_json};

fn leads(db: &str) -> i64 {
    stdout_json(&sodate(&["--db", db, "stats", "--json"]))["leads"]
        .as_i64()
        .unwrap()
}

#[test]
fn backup_list_restore_and_check_from_the_command_line() {
    let (dir, db) = demo_db("cli.db");
    demo_400(&db);
    // A manual backup in the folder, and a copy at a chosen file.
    let manual = stdout_json(&sodate(&["--db", &db, "backup", "--json"]));
    assert_eq!(manual["reason"], "manual");
    assert_eq!(manual["leads"], 400);
    let out = dir.path().join("copy.db");
    let out = out.to_str().unwrap();
    let copy = stdout_json(&sodate(&["--db", &db, "backup", "--out", out, "--json"]));
    assert_eq!(copy["path"], out);
    let again = sodate(&["--db", &db, "backup", "--out", out]);
    assert_eq!(
        again.status.code(),
        Some(2),
        "an existing file is never overwritten"
    );
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));

    // An import adds leads after a backup; the list shows both, newest first.
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/eight_sjis.csv"
    );
    stdout_json(&sodate(&["--db", &db, "import", fixture, "--json"]));
    assert_eq!(leads(&db), 420);
    let list = stdout_json(&sodate(&["--db", &db, "backups", "--json"]));
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    let before_import = list.iter().find(|b| b["reason"] == "import").unwrap();
    assert_eq!(before_import["leads"], 400);
    assert!(before_import["bytes"].as_u64().unwrap() > 100_000);
    assert_eq!(before_import["schemaVersion"], manual["schemaVersion"]);

    // Restore the backup taken before the import.
    let path = before_import["path"].as_str().unwrap();
    let restored = stdout_json(&sodate(&["--db", &db, "restore", path, "--json"]));
    assert_eq!(restored["leads"], 400);
    assert_eq!(restored["safetyBackup"]["reason"], "restore");
    assert_eq!(restored["safetyBackup"]["leads"], 420);
    assert_eq!(leads(&db), 400);

    let check = stdout_json(&sodate(&["--db", &db, "check", "--json"]));
    assert_eq!(check["integrity"], "ok");
    assert_eq!(check["full"], true);
    assert_eq!(check["problems"].as_array().unwrap().len(), 0);
    let quick = stdout_json(&sodate(&["--db", &db, "check", "--quick", "--json"]));
    assert_eq!(quick["full"], false);

    // A file that is not a backup is refused and nothing changes.
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "not a database").unwrap();
    let refused = sodate(&["--db", &db, "restore", text.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("nothing was changed"));
    assert_eq!(leads(&db), 400);
}

#[test]
fn check_reports_a_damaged_database_and_exits_with_3() {
    use std::io::{Seek, SeekFrom, Write};
    let (_dir, db) = demo_db("damaged.db");
    demo_400(&db);
    let len = std::fs::metadata(&db).unwrap().len();
    let mut f = std::fs::OpenOptions::new().write(true).open(&db).unwrap();
    f.seek(SeekFrom::Start(len / 3)).unwrap();
    f.write_all(&vec![0xA5; (len / 4) as usize]).unwrap();
    drop(f);
    let out = sodate(&["--db", &db, "check", "--json"]);
    assert_eq!(out.status.code(), Some(3));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["integrity"], "damaged");
    assert!(!report["problems"].as_array().unwrap().is_empty());
}

#[test]
fn salvage_writes_every_readable_lead_and_refuses_a_file_it_cannot_read_at_all() {
    use std::io::{Seek, SeekFrom, Write};
    let (dir, db) = demo_db("salvage.db");
    demo_400(&db);
    let out = dir.path().join("leads.csv");
    let report = stdout_json(&sodate(&[
        "--db",
        &db,
        "salvage",
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]));
    assert_eq!(report["leads"], 400);
    assert_eq!(report["unreadable"], 0);
    assert_eq!(report["reachedEnd"], true);
    let csv = std::fs::read_to_string(&out).unwrap();
    assert!(
        csv.starts_with("\u{feff}姓,名,セイ,メイ,会社名"),
        "{}",
        &csv[..80]
    );
    assert_eq!(csv.lines().count(), 401);
    let list = report["suppressionPath"].as_str().unwrap();
    assert!(std::fs::read_to_string(list)
        .unwrap()
        .starts_with("\u{feff}email,reason"));

    // A quarter of the file overwritten (the table list among it): said plainly, exit 3.
    let len = std::fs::metadata(&db).unwrap().len();
    let mut f = std::fs::OpenOptions::new().write(true).open(&db).unwrap();
    f.seek(SeekFrom::Start(len / 3)).unwrap();
    f.write_all(&vec![0xA5; (len / 4) as usize]).unwrap();
    drop(f);
    let out = dir.path().join("again.csv");
    let run = sodate(&["--db", &db, "salvage", "--out", out.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("not even the list of tables can be read"),
        "{stderr}"
    );
    assert!(!out.exists(), "no half-written file");
}
