//! Opening databases: new, reopened, and every kind of file that must be refused untouched.

use std::path::Path;

use rusqlite::Connection;
use sodate_core::{db, Error, LeadInput, Sodate};

fn bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).expect("read file")
}

#[test]
fn a_new_database_is_created_in_missing_folders_and_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested").join("folder").join("sodate.db");
    let db = Sodate::open(&path).unwrap();
    sodate_core::leads::create(
        &db,
        &LeadInput {
            family_name: "田中".into(),
            ..Default::default()
        },
    )
    .unwrap();
    drop(db);
    let db = Sodate::open(&path).unwrap();
    assert_eq!(sodate_core::stats::counts(&db).unwrap().leads, 1);
    let conn = Connection::open(&path).unwrap();
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version as usize, db::schema_version());
    let app_id: i32 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .unwrap();
    assert_eq!(app_id, db::APPLICATION_ID);
    let page_size: i64 = conn
        .pragma_query_value(None, "page_size", |r| r.get(0))
        .unwrap();
    assert_eq!(
        page_size,
        db::PAGE_SIZE,
        "new databases get the larger pages"
    );
}

#[test]
fn a_database_from_a_newer_sodate_is_refused_and_not_modified() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("newer.db");
    drop(Sodate::open(&path).unwrap());
    {
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
    }
    let before = bytes(&path);
    let err = Sodate::open(&path).err().expect("must be refused");
    assert_eq!(err.code(), "db_newer");
    assert!(matches!(err, Error::DatabaseNewer { found: 99, .. }));
    assert!(
        err.to_string().contains("newer.db"),
        "message names the file: {err}"
    );
    assert!(bytes(&path) == before, "the file must not change");
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_not_modified() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("garbage.db");
    let garbage: Vec<u8> = (0..8192u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&path, &garbage).unwrap();
    let err = Sodate::open(&path).err().expect("must be refused");
    assert_eq!(err.code(), "db_corrupt");
    assert!(err.to_string().contains("garbage.db"));
    assert!(bytes(&path) == garbage, "the file must not change");
}

#[test]
fn a_damaged_sodate_database_is_reported_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("damaged.db");
    {
        let db = Sodate::open(&path).unwrap();
        sodate_core::demo::generate(
            &db,
            &sodate_core::demo::DemoOptions::new(300, 1),
            &mut |_, _| {},
            &Default::default(),
        )
        .unwrap();
        // Closing the last connection checkpoints the WAL into the file.
        drop(db);
    }
    assert!(!path.with_extension("db-wal").exists());
    // Overwrite pages in the middle of the file (the header stays valid).
    let mut data = bytes(&path);
    assert!(data.len() > 40_000);
    for b in &mut data[8192..36_864] {
        *b = 0xA5;
    }
    std::fs::write(&path, &data).unwrap();
    let result = Sodate::open(&path).and_then(|db| {
        sodate_core::leads::list(
            &db,
            &sodate_core::LeadQuery {
                limit: 500,
                ..Default::default()
            },
        )?;
        sodate_core::stats::counts(&db)
    });
    let err = result.expect_err("damage must be reported");
    assert_eq!(err.code(), "db_corrupt", "{err}");
    assert!(
        bytes(&path) == data,
        "the damaged file must not be rewritten"
    );
}

#[test]
fn another_applications_sqlite_file_is_refused_and_not_modified() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices VALUES (1, 9.5);").unwrap();
    }
    let before = bytes(&path);
    let err = Sodate::open(&path).err().expect("must be refused");
    assert_eq!(err.code(), "db_unreadable");
    assert!(err.to_string().contains("not Sodate's"), "{err}");
    assert!(bytes(&path) == before, "the file must not change");
}

#[test]
fn a_locked_database_is_reported_as_locked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("locked.db");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA journal_mode = DELETE; CREATE TABLE t (x);")
            .unwrap();
    }
    let holder = Connection::open(&path).unwrap();
    holder
        .execute_batch("BEGIN EXCLUSIVE; INSERT INTO t VALUES (1);")
        .unwrap();
    let err = Sodate::open(&path).err().expect("must be refused");
    assert_eq!(err.code(), "db_locked", "{err}");
    assert!(err.to_string().contains("locked.db"));
    holder.execute_batch("ROLLBACK").unwrap();
}

#[test]
fn a_folder_path_is_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let err = Sodate::open(dir.path()).err().expect("must be refused");
    assert_eq!(err.code(), "db_unreadable");
    assert!(err.to_string().contains("folder"));
}
