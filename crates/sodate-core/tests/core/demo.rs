//! Demo data: deterministic, realistic, with recorded duplicates, and cancellable.

use std::sync::atomic::AtomicBool;

use chrono::NaiveDate;
use rusqlite::Connection;
use sodate_core::demo::{generate, DemoOptions};
use sodate_core::{leads, stats, LeadQuery};

use crate::TempDb;

fn options(leads: u32, seed: u64) -> DemoOptions {
    DemoOptions {
        leads,
        seed,
        anchor: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
    }
}

fn dump(path: &std::path::Path) -> Vec<String> {
    let conn = Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare("SELECT family_name || given_name || '|' || email || '|' || phone || '|' || created_at || '|' || lifecycle_stage FROM leads ORDER BY id")
        .unwrap();
    let rows = stmt.query_map([], |r| r.get(0)).unwrap();
    rows.collect::<Result<_, _>>().unwrap()
}

#[test]
fn the_same_seed_gives_the_same_data_and_another_seed_does_not() {
    let (a, b, c) = (TempDb::new(), TempDb::new(), TempDb::new());
    generate(
        &a.db,
        &options(500, 42),
        &mut |_, _| {},
        &AtomicBool::new(false),
    )
    .unwrap();
    generate(
        &b.db,
        &options(500, 42),
        &mut |_, _| {},
        &AtomicBool::new(false),
    )
    .unwrap();
    generate(
        &c.db,
        &options(500, 43),
        &mut |_, _| {},
        &AtomicBool::new(false),
    )
    .unwrap();
    assert_eq!(dump(&a.path()), dump(&b.path()));
    assert_ne!(dump(&a.path()), dump(&c.path()));
}

#[test]
fn bulk_demo_data_is_realistic_and_searchable() {
    let t = TempDb::new();
    let mut calls = 0;
    let report = generate(
        &t.db,
        &options(12_000, 7),
        &mut |_, _| calls += 1,
        &AtomicBool::new(false),
    )
    .unwrap();
    assert!(calls >= 6, "progress is reported");
    let s = stats::counts(&t.db).unwrap();
    assert_eq!(s.leads, 12_000);
    assert_eq!(s.activities, report.activities);
    let per_lead = f64::from(s.activities) / 12_000.0;
    assert!(
        (8.0..=13.0).contains(&per_lead),
        "about 10 activities per lead, got {per_lead}"
    );
    let dup_rate = f64::from(report.duplicates) / 12_000.0;
    assert!(
        (0.035..=0.065).contains(&dup_rate),
        "about 5% duplicates, got {dup_rate}"
    );
    assert!(s.events >= 20 && s.companies >= 1000);

    let conn = Connection::open(t.path()).unwrap();
    let q = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(
        q("SELECT count(*) FROM demo_duplicates"),
        i64::from(report.duplicates)
    );
    assert_eq!(
        q("SELECT count(*) FROM leads WHERE search_text = '' OR name_key = ''"),
        0
    );
    assert_eq!(q("SELECT count(*) FROM leads WHERE family_reading = '' AND id NOT IN (SELECT lead_id FROM demo_duplicates)"), 0);
    assert!(q("SELECT count(*) FROM leads WHERE title IN ('部長', '課長', '主任')") > 2000);
    assert!(q("SELECT count(*) FROM companies WHERE name LIKE '%株式会社%'") > 500);
    assert!(q("SELECT count(DISTINCT variation) FROM demo_duplicates") >= 5);
    // Every generated email is one address (a variant with two at-signs would be no email).
    assert_eq!(
        q("SELECT count(*) FROM leads WHERE email <> '' AND email_key = ''"),
        0
    );
    // Every index and trigger is back after the bulk path, exactly as a new database has them.
    let schema = |path: &std::path::Path| -> Vec<String> {
        let c = Connection::open(path).unwrap();
        let mut st = c
            .prepare("SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_schema WHERE type IN ('index', 'trigger') ORDER BY name")
            .unwrap();
        let rows = st.query_map([], |r| r.get(0)).unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    };
    let fresh = TempDb::new();
    assert_eq!(schema(&t.path()), schema(&fresh.path()));
    assert!(schema(&t.path()).len() > 20);
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal", "the bulk load returns the database to WAL");
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    // References were not checked row by row during the load: all of them hold.
    let broken: Vec<(String, i64)> = conn
        .prepare("PRAGMA foreign_key_check")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(broken.is_empty(), "dangling references: {broken:?}");
    // The search index built on the side and copied in agrees with every lead's search text
    // (FTS5 compares its index with the content table and fails on any difference).
    conn.execute_batch("INSERT INTO lead_search (lead_search) VALUES ('integrity-check')")
        .unwrap();
    assert_eq!(q("SELECT count(*) FROM lead_search"), 12_000);
    // Leads are numbered in the order they arrived.
    assert_eq!(
        q("SELECT count(*) FROM leads a JOIN leads b ON b.id = a.id + 1 WHERE b.created_at < a.created_at"),
        0
    );
    // Search over the rebuilt index finds the 3+ character (trigram) and short paths alike.
    let tanaka = leads::list(
        &t.db,
        &LeadQuery {
            search: Some("たなか".into()),
            limit: 500,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(tanaka.total > 50 && tanaka.rows.iter().all(|r| r.family_reading.contains("タナカ") || r.family_reading.contains("たなか")));
    // Reference actions are back on after the load: deleting a lead takes its activities.
    let busy: i64 =
        q("SELECT lead_id FROM activities GROUP BY lead_id ORDER BY count(*) DESC LIMIT 1");
    leads::delete(&t.db, busy).unwrap();
    assert_eq!(
        q(&format!(
            "SELECT count(*) FROM activities WHERE lead_id = {busy}"
        )),
        0
    );
}

#[test]
fn a_cancelled_demo_load_leaves_nothing_behind() {
    let t = TempDb::new();
    let schema = |conn: &Connection| -> Vec<String> {
        conn.prepare("SELECT name FROM sqlite_schema ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let schema_before = schema(&Connection::open(t.path()).unwrap());
    let cancel = AtomicBool::new(false);
    let err = generate(
        &t.db,
        &options(20_000, 1),
        &mut |done, _| {
            if done >= 4000 {
                cancel.store(true, std::sync::atomic::Ordering::Relaxed);
            }
        },
        &cancel,
    )
    .expect_err("cancelled");
    assert_eq!(err.code(), "cancelled");
    assert_eq!(stats::counts(&t.db).unwrap().leads, 0);
    let conn = Connection::open(t.path()).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        mode, "wal",
        "a cancelled bulk load returns the database to WAL"
    );
    assert_eq!(
        schema(&conn),
        schema_before,
        "indexes and the trigger dropped for the bulk load are restored by the rollback"
    );
    let files: Vec<String> = std::fs::read_dir(t.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("search-build"))
        .collect();
    assert!(
        files.is_empty(),
        "the scratch search index is removed: {files:?}"
    );
    // And the database still works.
    generate(
        &t.db,
        &options(100, 1),
        &mut |_, _| {},
        &AtomicBool::new(false),
    )
    .unwrap();
    let page = leads::list(
        &t.db,
        &LeadQuery {
            search: Some("田中".into()),
            limit: 5,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(page.rows.iter().all(|r| r.family_name == "田中"));
}

#[test]
fn absurd_demo_sizes_are_refused() {
    let t = TempDb::new();
    for n in [0, 10_000_000] {
        let err = generate(
            &t.db,
            &options(n, 1),
            &mut |_, _| {},
            &AtomicBool::new(false),
        )
        .expect_err("refused");
        assert_eq!(err.code(), "invalid");
    }
}
