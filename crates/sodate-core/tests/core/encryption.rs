//! Encryption at rest: opening with, without and with the wrong passphrase; encrypting,
//! changing the passphrase and decrypting keep every row; an interrupted re-encryption
//! leaves the database as it was; backups of an encrypted database are encrypted.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use sodate_core::encryption::{self, FileKind, Passphrase};
use sodate_core::{backup, dashboard, demo, leads, stats, LeadQuery, LeadSort, Sodate};

fn pass(text: &str) -> Passphrase {
    Passphrase::new(text).unwrap()
}

fn quiet(_: encryption::Progress) {}

/// A plain database with 300 demo leads in a temporary folder.
fn demo_db() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sodate.db");
    let db = Sodate::open(&path).unwrap();
    demo::generate(
        &db,
        &demo::DemoOptions::new(300, 7),
        &mut |_, _| {},
        &AtomicBool::new(false),
    )
    .unwrap();
    (dir, path)
}

fn search(db: &Sodate, text: &str) -> Vec<i64> {
    leads::list(
        db,
        &LeadQuery {
            search: Some(text.into()),
            sort: LeadSort::Name,
            descending: false,
            offset: 0,
            limit: 500,
            segment: None,
        },
    )
    .unwrap()
    .rows
    .iter()
    .map(|r| r.id)
    .collect()
}

/// Whether `needle` occurs anywhere in the file or its -wal.
fn file_contains(path: &Path, needle: &str) -> bool {
    let mut bytes = std::fs::read(path).unwrap();
    let mut wal = path.as_os_str().to_os_string();
    wal.push("-wal");
    bytes.extend(std::fs::read(wal).unwrap_or_default());
    bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn a_family_name(db: &Sodate) -> String {
    leads::list(
        db,
        &LeadQuery {
            search: None,
            sort: LeadSort::Name,
            descending: false,
            offset: 0,
            limit: 1,
            segment: None,
        },
    )
    .unwrap()
    .rows[0]
        .family_name
        .clone()
}

#[test]
fn encrypt_change_and_decrypt_keep_every_row_and_the_search_index() {
    let (_dir, path) = demo_db();
    let plain = Sodate::open(&path).unwrap();
    let rows_before = encryption::row_counts(&plain).unwrap();
    let stats_before = stats::counts(&plain).unwrap();
    let tanaka = search(&plain, "田中");
    let reading = search(&plain, "たなか");
    assert!(!tanaka.is_empty());
    let name = a_family_name(&plain);
    assert!(
        file_contains(&path, &name),
        "the plain file holds the names readably"
    );
    assert!(!plain.is_encrypted());

    // Encrypt.
    let first = Passphrase::new_for_encryption("桜の木の下で 2026").unwrap();
    let mut db = plain;
    encryption::change_key(&mut db, Some(&first), &quiet).unwrap();
    assert!(db.is_encrypted());
    assert_eq!(encryption::file_kind(&path), FileKind::Encrypted);
    assert_eq!(encryption::row_counts(&db).unwrap(), rows_before);
    assert_eq!(stats::counts(&db).unwrap(), stats_before);
    assert_eq!(
        search(&db, "田中"),
        tanaka,
        "FTS and short-query search still find the same"
    );
    assert_eq!(search(&db, "たなか"), reading);
    drop(db);
    assert!(
        !file_contains(&path, &name),
        "no name is readable in the encrypted file"
    );
    assert!(!file_contains(&path, "SQLite format 3"));
    assert!(
        !encryption::copy_path(&path).exists(),
        "the temporary copy is gone"
    );

    // Reopen with it; the dashboard reads on a second connection, which needs the key too.
    let mut db = Sodate::open_with(&path, Some(&first)).unwrap();
    assert_eq!(encryption::row_counts(&db).unwrap(), rows_before);
    let dash = dashboard::compute(&db, &Default::default()).unwrap();
    assert!(serde_json::to_string(&dash).unwrap().len() > 10);

    // Change the passphrase: the old one stops working, the new one opens every row.
    let second = Passphrase::new_for_encryption("another passphrase").unwrap();
    encryption::change_key(&mut db, Some(&second), &quiet).unwrap();
    drop(db);
    let err = Sodate::open_with(&path, Some(&first)).err().unwrap();
    assert_eq!(err.code(), "wrong_passphrase", "{err}");
    let mut db = Sodate::open_with(&path, Some(&second)).unwrap();
    assert_eq!(encryption::row_counts(&db).unwrap(), rows_before);

    // Decrypt: a plain SQLite file again, opened without a passphrase.
    encryption::change_key(&mut db, None, &quiet).unwrap();
    assert!(!db.is_encrypted());
    drop(db);
    assert_eq!(encryption::file_kind(&path), FileKind::Plain);
    let db = Sodate::open(&path).unwrap();
    assert_eq!(encryption::row_counts(&db).unwrap(), rows_before);
    assert_eq!(search(&db, "田中"), tanaka);
}

#[test]
fn an_encrypted_database_without_or_with_a_wrong_passphrase_is_refused_and_not_changed() {
    let (_dir, path) = demo_db();
    let key = Passphrase::new_for_encryption("correct horse battery").unwrap();
    encryption::change_key(&mut Sodate::open(&path).unwrap(), Some(&key), &quiet).unwrap();
    let bytes = std::fs::read(&path).unwrap();

    let err = Sodate::open(&path).err().unwrap();
    assert_eq!(err.code(), "db_encrypted");
    assert!(err.to_string().contains("passphrase"), "{err}");
    assert!(err.to_string().contains("sodate.db"), "{err}");

    for wrong in ["correct horse battery ", "wrong", "正しくない"] {
        let err = Sodate::open_with(&path, Some(&pass(wrong))).err().unwrap();
        assert_eq!(err.code(), "wrong_passphrase", "{wrong}: {err}");
    }
    assert_eq!(
        std::fs::read(&path).unwrap(),
        bytes,
        "the file must not change"
    );

    let db = Sodate::open_with(&path, Some(&key)).unwrap();
    assert_eq!(stats::counts(&db).unwrap().leads, 300);
}

#[test]
fn a_plain_database_opens_as_before_even_when_a_passphrase_is_given() {
    let (_dir, path) = demo_db();
    let db = Sodate::open_with(&path, Some(&pass("not needed here"))).unwrap();
    assert!(!db.is_encrypted());
    assert_eq!(stats::counts(&db).unwrap().leads, 300);
    drop(db);
    assert_eq!(encryption::file_kind(&path), FileKind::Plain);
}

#[test]
fn a_file_that_is_not_a_database_is_not_taken_for_an_encrypted_one() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [
        ("zeros.db", vec![0u8; 16_384]),
        (
            "pattern.db",
            (0..8192u32).map(|i| (i * 7 % 251) as u8).collect(),
        ),
        (
            "text.db",
            "名前,メール\n田中,a@example.jp\n".repeat(300).into_bytes(),
        ),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        for key in [None, Some(pass("whatever it is"))] {
            let err = Sodate::open_with(&path, key.as_ref()).err().unwrap();
            assert_eq!(err.code(), "db_corrupt", "{name}: {err}");
        }
        assert_eq!(
            std::fs::read(&path).unwrap(),
            bytes,
            "{name} must not change"
        );
    }
}

#[test]
fn a_new_database_created_with_a_passphrase_is_encrypted_from_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    let key = Passphrase::new_for_encryption("from the very start").unwrap();
    let db = Sodate::open_with(&path, Some(&key)).unwrap();
    // The bulk path (from 10,000 leads) builds the search index in a scratch file keyed
    // like the database, and copies it in through an attachment with the same key.
    demo::generate(
        &db,
        &demo::DemoOptions::new(10_000, 3),
        &mut |_, _| {},
        &AtomicBool::new(false),
    )
    .unwrap();
    let name = a_family_name(&db);
    assert!(!search(&db, &name).is_empty());
    drop(db);
    assert_eq!(encryption::file_kind(&path), FileKind::Encrypted);
    assert!(!file_contains(&path, &name));
    assert_eq!(Sodate::open(&path).err().unwrap().code(), "db_encrypted");
    let db = Sodate::open_with(&path, Some(&key)).unwrap();
    assert_eq!(stats::counts(&db).unwrap().leads, 10_000);
    assert!(!search(&db, &name).is_empty());
    assert!(
        !dir.path().join("new.db.search-build").exists(),
        "the scratch file is removed"
    );
}

#[test]
fn short_or_unchanged_passphrases_are_refused_and_nothing_changes() {
    let (_dir, path) = demo_db();
    for short in ["", "       ", "1234567", "　　　　　　　　"] {
        let err = Passphrase::new_for_encryption(short).err().unwrap();
        assert_eq!(err.code(), "invalid", "{short:?}");
        assert_eq!(err.field_issues()[0].code, "too_short");
    }
    assert_eq!(Passphrase::new("").err().unwrap().code(), "invalid");
    assert_eq!(encryption::file_kind(&path), FileKind::Plain);
    assert!(
        format!("{:?}", pass("secret text"))
            .find("secret")
            .is_none(),
        "Debug hides it"
    );
}

#[test]
fn a_re_encryption_interrupted_before_the_rename_leaves_the_original_intact() {
    let (_dir, path) = demo_db();
    let rows = encryption::row_counts(&Sodate::open(&path).unwrap()).unwrap();
    let original = std::fs::read(&path).unwrap();
    // What a kill while writing the copy leaves behind: a half-written copy beside it.
    let copy = encryption::copy_path(&path);
    std::fs::write(&copy, &original[..original.len() / 3]).unwrap();

    let mut db = Sodate::open(&path).unwrap();
    assert_eq!(encryption::row_counts(&db).unwrap(), rows);
    // The next re-encryption replaces the stale copy and completes.
    let key = Passphrase::new_for_encryption("after the crash").unwrap();
    encryption::change_key(&mut db, Some(&key), &quiet).unwrap();
    assert_eq!(encryption::row_counts(&db).unwrap(), rows);
    assert!(!copy.exists());
}

#[test]
fn re_encryption_reports_progress_through_its_stages() {
    let (_dir, path) = demo_db();
    let seen = std::sync::Mutex::new(Vec::new());
    let key = Passphrase::new_for_encryption("progress please").unwrap();
    encryption::change_key(&mut Sodate::open(&path).unwrap(), Some(&key), &|p| {
        seen.lock().unwrap().push(p)
    })
    .unwrap();
    let seen = seen.into_inner().unwrap();
    let stages: Vec<_> = seen.iter().map(|p| p.stage).collect();
    assert_eq!(stages.first(), Some(&encryption::Stage::Copying));
    assert!(stages.contains(&encryption::Stage::Verifying));
    assert_eq!(stages.last(), Some(&encryption::Stage::Replacing));
    assert!(seen.iter().all(|p| p.done <= p.total));
}

#[test]
fn a_backup_of_an_encrypted_database_is_encrypted_with_the_same_passphrase() {
    let (_dir, path) = demo_db();
    let key = Passphrase::new_for_encryption("backups too, please").unwrap();
    let mut db = Sodate::open(&path).unwrap();
    encryption::change_key(&mut db, Some(&key), &quiet).unwrap();
    let rows = encryption::row_counts(&db).unwrap();
    let name = a_family_name(&db);
    let taken = backup::take(&db, backup::BackupReason::Manual).unwrap();
    let backup_path = Path::new(&taken.path);

    assert_eq!(encryption::file_kind(backup_path), FileKind::Encrypted);
    assert!(!file_contains(backup_path, &name));
    assert_eq!(
        Sodate::open(backup_path).err().unwrap().code(),
        "db_encrypted"
    );
    assert_eq!(
        Sodate::open_with(backup_path, Some(&pass("not the passphrase")))
            .err()
            .unwrap()
            .code(),
        "wrong_passphrase"
    );
    let restored = Sodate::open_with(backup_path, Some(&key)).unwrap();
    assert_eq!(encryption::row_counts(&restored).unwrap(), rows);
}

#[test]
fn a_backup_of_a_plain_database_stays_plain() {
    let (_dir, path) = demo_db();
    let db = Sodate::open(&path).unwrap();
    let taken = backup::take(&db, backup::BackupReason::Manual).unwrap();
    assert_eq!(
        encryption::file_kind(Path::new(&taken.path)),
        FileKind::Plain
    );
    let copy = Sodate::open(&taken.path).unwrap();
    assert_eq!(stats::counts(&copy).unwrap().leads, 300);
}

#[test]
fn an_encrypted_database_is_checked_and_restored_from_its_backups_and_stays_encrypted() {
    let (_dir, path) = demo_db();
    let key = Passphrase::new_for_encryption("backups too, please").unwrap();
    let mut db = Sodate::open(&path).unwrap();
    // A backup taken while the database was still plain, then one taken encrypted.
    let plain_backup = backup::take(&db, backup::BackupReason::Manual).unwrap();
    encryption::change_key(&mut db, Some(&key), &quiet).unwrap();
    let rows = encryption::row_counts(&db).unwrap();
    let encrypted_backup = backup::take(&db, backup::BackupReason::Manual).unwrap();
    let file = db.file().clone();

    // Checked with the key; without it or with a wrong one, said so (not "damaged").
    assert!(backup::check_file(&path, Some(&key), true).unwrap().is_ok());
    let taken = Path::new(&encrypted_backup.path);
    assert!(backup::check_file(taken, Some(&key), false)
        .unwrap()
        .is_ok());
    assert_eq!(
        backup::check_file(taken, None, false).unwrap_err().code(),
        "db_encrypted"
    );
    assert_eq!(
        backup::check_file(taken, Some(&pass("not the passphrase")), false)
            .unwrap_err()
            .code(),
        "wrong_passphrase"
    );
    assert_eq!(
        backup::latest_good(&file).unwrap().map(|b| b.path),
        Some(encrypted_backup.path.clone())
    );
    // "Back up now" and the daily backup read on a read-only connection of their own.
    let own =
        backup::take_on_own_connection(&file, backup::BackupReason::Manual, &mut |_| {}).unwrap();
    assert_eq!(
        encryption::file_kind(Path::new(&own.path)),
        FileKind::Encrypted
    );
    assert_eq!(
        encryption::row_counts(&Sodate::open_with(&own.path, Some(&key)).unwrap()).unwrap(),
        rows
    );

    // Leads deleted after the backup come back with the restore.
    let ids: Vec<i64> = search(&db, &a_family_name(&db));
    for id in &ids {
        leads::delete(&db, *id).unwrap();
    }
    assert_ne!(encryption::row_counts(&db).unwrap(), rows);
    let report = backup::restore(&mut db, taken, &mut |_| {}).unwrap();
    assert_eq!(encryption::row_counts(&db).unwrap(), rows);
    assert!(db.is_encrypted());
    assert_eq!(encryption::file_kind(&path), FileKind::Encrypted);
    let safety = report.safety_backup.expect("the state before is backed up");
    assert_eq!(
        encryption::file_kind(Path::new(&safety.path)),
        FileKind::Encrypted
    );

    // The plain backup from before the encryption: restored, and the database stays
    // encrypted (nothing readable in the file).
    let (db, _) = backup::restore_file(&file, Path::new(&plain_backup.path), &mut |_| {}).unwrap();
    assert!(db.is_encrypted());
    assert_eq!(encryption::file_kind(&path), FileKind::Encrypted);
    assert_eq!(stats::counts(&db).unwrap().leads, 300);
    drop(db);
    assert!(!file_contains(
        &path,
        &a_family_name(&Sodate::open_with(&path, Some(&key)).unwrap())
    ));
    assert!(!encryption::copy_path(&path).exists());
}
