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
