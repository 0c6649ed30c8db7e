//! The bad-input corpus (`tests/fixtures/hostile/`, plus a few files too large to commit,
//! written here): every file goes through the entry point its name says.
//!
//! * `import-`, `filter-`, `scoring-`, `activities-`, `results-`, `suppression-`: refused
//!   as a whole with a clear error (a stable code, a message naming the problem) and the
//!   database exactly as it was (every table's rows, compared as a digest);
//! * `qr-` (an image to find a QR code in), `qrtext-` (the text inside a code) and `photo-`
//!   (a card photo attached at an event): refused the same way;
//! * `rows-`: files whose every row is bad. Lead imports report bad rows one by one (the
//!   good rows of a file are imported, by design): each row must fail with its row number
//!   and reason, and no lead, company or search entry may change.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use rusqlite::Connection;
use sodate_core::{activities, capture, demo, export, import, scoring, segments, Error, Sodate};

use crate::TempDb;

fn hostile_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/hostile")
}

/// Row count and content digest of every table (FTS shadow tables included).
fn digest(db_path: &Path) -> Vec<(String, i64, u64)> {
    let conn = Connection::open(db_path).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    tables
        .into_iter()
        .map(|t| {
            let mut stmt = conn.prepare(&format!("SELECT * FROM \"{t}\"")).unwrap();
            let columns = stmt.column_count();
            let mut rows = stmt.query([]).unwrap();
            let mut hasher = DefaultHasher::new();
            let mut n = 0i64;
            while let Some(row) = rows.next().unwrap() {
                n += 1;
                for c in 0..columns {
                    format!("{:?}", row.get_ref(c).unwrap()).hash(&mut hasher);
                }
            }
            (t, n, hasher.finish())
        })
        .collect()
}

fn plan(path: &Path) -> import::ImportPlan {
    import::ImportPlan {
        path: path.to_string_lossy().into_owned(),
        ..import::ImportPlan::default()
    }
}

fn segment_filter(db: &Sodate, path: &Path) -> Result<(), Error> {
    let text = sodate_core::files::read_text(path, "filter")?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Error::invalid("filter", "invalid_json", e.to_string()))?;
    segments::parse(&value)?;
    let filter = segments::validate(db, &value)?;
    segments::save(db, "hostile", &filter).map(|_| ())
}

/// Sends `path` through the entry point its name names (`event`: the event card photos are
/// attached at); the error it gave, or `None` when it was (wrongly) accepted.
fn run_entry_point(db: &Sodate, path: &Path, event: i64) -> Option<Error> {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let now = chrono::Utc::now();
    let never = AtomicBool::new(false);
    let result: Result<(), Error> = if name.starts_with("rows-") {
        return rows_refused(db, path);
    } else if name.starts_with("import-") {
        // The wizard's preview first, then the import itself: both refuse.
        match import::inspect(db, &plan(path)) {
            Ok(_) => return None,
            Err(_) => import::run(db, &plan(path), false, &mut |_| {}, &never).map(|_| ()),
        }
    } else if name.starts_with("filter-") {
        segment_filter(db, path)
    } else if name.starts_with("scoring-") {
        sodate_core::files::read_text(path, "file")
            .and_then(|json| scoring::import_json(db, &json, now))
            .map(|_| ())
    } else if name.starts_with("activities-") {
        activities::import(db, path, false, now).map(|_| ())
    } else if name.starts_with("results-") {
        export::results::import(db, path, false, now).map(|_| ())
    } else if name.starts_with("suppression-") {
        export::suppression::import_list(db, path).map(|_| ())
    } else if name.starts_with("qrtext-") {
        capture::qr::read_payload(&std::fs::read(path).unwrap()).map(|_| ())
    } else if name.starts_with("qr-") {
        capture::qr::read_image(&std::fs::read(path).unwrap()).map(|_| ())
    } else if name.starts_with("photo-") {
        // Both ways in: a file dropped on the window, and bytes from the file chooser.
        match capture::photos::attach_pending_file(db, event, "front", path, now) {
            Ok(_) => return None,
            Err(_) => capture::photos::attach_pending(
                db,
                event,
                "front",
                &std::fs::read(path).unwrap(),
                now,
            )
            .map(|_| ()),
        }
    } else {
        panic!("{name}: no entry point for this prefix");
    };
    result.err()
}

/// A `rows-` file: imported, every row reported as failed with a reason, nothing created.
/// Returns the failure as an error for the report (or `None` if a row was accepted).
fn rows_refused(db: &Sodate, path: &Path) -> Option<Error> {
    import::inspect(db, &plan(path)).expect("the file itself is readable");
    let report = import::run(db, &plan(path), false, &mut |_| {}, &AtomicBool::new(false))
        .expect("a file of bad rows is reported row by row");
    if report.created != 0 || report.updated != 0 || report.failed != report.rows {
        return None;
    }
    let mut issues = Vec::new();
    for f in &report.failures {
        assert!(f.row >= 1);
        for i in &f.issues {
            assert!(!i.message.is_empty());
            issues.push(sodate_core::FieldIssue::new(
                i.column.as_deref().unwrap_or("row"),
                &i.code,
                format!("row {}: {}", f.row, i.message),
            ));
        }
    }
    if report.rows > 0 && issues.is_empty() {
        return None;
    }
    if issues.is_empty() {
        issues.push(sodate_core::FieldIssue::new(
            "file",
            "no_rows",
            "the file has no rows",
        ));
    }
    Some(Error::Invalid { issues })
}

/// Files too large to commit: a 2 MB cell, a 20 MB line without a line break.
fn write_generated(dir: &Path) -> Vec<PathBuf> {
    let huge_cell = dir.join("rows-huge-cell.csv");
    let mut text = String::from("氏名,メール,メモ\n田中,tanaka@example.jp,\"");
    text.push_str(&"長".repeat(700_000));
    text.push_str("\"\n");
    std::fs::write(&huge_cell, text).unwrap();
    let huge_line = dir.join("rows-huge-line.csv");
    let mut text = String::from("氏名,メール\n");
    text.push_str(&"x,".repeat(10_000_000));
    std::fs::write(&huge_line, text).unwrap();
    vec![huge_cell, huge_line]
}

#[test]
fn every_hostile_input_is_refused_clearly_and_changes_nothing() {
    let t = TempDb::new();
    demo::generate(
        &t.db,
        &demo::DemoOptions::new(150, 4),
        &mut |_, _| {},
        &AtomicBool::new(false),
    )
    .unwrap();
    let event = capture::events::create(
        &t.db,
        &capture::events::NewEvent {
            name: "展示会".into(),
            kind: String::new(),
            starts_on: String::new(),
            ends_on: String::new(),
            place: String::new(),
        },
        chrono::Utc::now(),
    )
    .unwrap()
    .id;
    let mut before = digest(&t.path());
    let mut files: Vec<PathBuf> = std::fs::read_dir(hostile_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_none_or(|e| e != "md"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 30,
        "the corpus is there ({} files)",
        files.len()
    );
    files.extend(write_generated(t.dir.path()));

    let mut accepted = Vec::new();
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        match run_entry_point(&t.db, file, event) {
            None => accepted.push(name.clone()),
            Some(e) => {
                let message = e.to_string();
                assert_ne!(
                    e.code(),
                    "internal",
                    "{name}: an unexplained error: {message}"
                );
                assert!(
                    message.len() > 15,
                    "{name}: the message says what is wrong: {message}"
                );
                eprintln!("{name}: {} — {message:.160}", e.code());
            }
        }
        let after = digest(&t.path());
        if name.starts_with("rows-") {
            let leads_only = |d: &[(String, i64, u64)]| -> Vec<(String, i64, u64)> {
                d.iter()
                    .filter(|(t, _, _)| {
                        // The changed-leads journal is bookkeeping, like the import history:
                        // a load on the bulk path marks every lead for re-reading.
                        (t.starts_with("lead") && !t.starts_with("lead_changes"))
                            || t.starts_with("compan")
                            || t == "activities"
                    })
                    .cloned()
                    .collect()
            };
            assert_eq!(
                leads_only(&after),
                leads_only(&before),
                "{name} changed the leads"
            );
            // The import history records the attempt: the new reference state.
            before = after;
        } else {
            assert_eq!(after, before, "{name} changed the database");
        }
    }
    assert!(accepted.is_empty(), "accepted hostile inputs: {accepted:?}");
    assert_eq!(
        sodate_core::backup::check(&t.db, true).unwrap().integrity,
        "ok"
    );
}
