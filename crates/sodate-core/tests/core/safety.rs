//! Data safety: backups before operations, the backup list, restore (and its refusals),
//! integrity checks of damaged files, and upgrades from every earlier schema version.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use rusqlite::Connection;
use sodate_core::backup::{self, BackupReason};
use sodate_core::{db, demo, import, stats, Sodate};

use crate::TempDb;

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn leads(db: &Sodate) -> u64 {
    stats::counts(db).unwrap().leads as u64
}

fn with_demo(n: u32) -> TempDb {
    let t = TempDb::new();
    demo::generate(
        &t.db,
        &demo::DemoOptions::new(n, 7),
        &mut |_, _| {},
        &AtomicBool::new(false),
    )
    .unwrap();
    t
}

fn import_file(db: &Sodate, name: &str) -> import::ImportReport {
    crate::import_all(db, fixture(name))
}

fn integrity(path: &Path) -> String {
    let conn = Connection::open(path).unwrap();
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn an_import_is_preceded_by_a_backup_that_restores_the_database_as_it_was() {
    let mut t = with_demo(200);
    let before = leads(&t.db);
    let report = import_file(&t.db, "generic_utf8.csv");
    assert!(report.created > 0);
    assert_eq!(leads(&t.db), before + report.created as u64);

    let list = backup::list(&t.path()).unwrap();
    assert_eq!(list.len(), 1, "one backup, before the import: {list:?}");
    let taken = &list[0];
    assert_eq!(taken.reason, BackupReason::Import);
    assert_eq!(taken.leads, Some(before));
    assert_eq!(taken.schema_version as usize, db::schema_version());
    assert_eq!(taken.bytes, std::fs::metadata(&taken.path).unwrap().len());
    assert!(taken.created_at.ends_with('Z'));

    let restored = backup::restore(&mut t.db, Path::new(&taken.path), &mut |_| {}).unwrap();
    assert_eq!(restored.leads, before);
    assert_eq!(
        leads(&t.db),
        before,
        "the database is as it was before the import"
    );
    let safety = restored
        .safety_backup
        .expect("the replaced state was backed up");
    assert_eq!(safety.reason, BackupReason::Restore);
    assert_eq!(safety.leads, Some(before + report.created as u64));
    assert_eq!(integrity(&t.path()), "ok");
    // The replaced state is itself restorable: undo the restore.
    backup::restore(&mut t.db, Path::new(&safety.path), &mut |_| {}).unwrap();
    assert_eq!(leads(&t.db), before + report.created as u64);
    // Searching works on the restored database (fresh caches, the search index restored).
    let found = sodate_core::leads::list(
        &t.db,
        &sodate_core::LeadQuery {
            limit: 5,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(found.total as u64, before + report.created as u64);
}

#[test]
fn bulk_merge_bulk_delete_and_scoring_model_replacement_take_backups_with_their_reason() {
    let t = with_demo(300);
    let now = chrono::Utc::now();
    let model = sodate_core::scoring::load_model(&t.db).unwrap().model;
    sodate_core::scoring::save_model(&t.db, &model, now).unwrap();
    sodate_core::dedupe::merge_clusters(&t.db, 95, &mut |_| {}, &AtomicBool::new(false)).unwrap();
    let reasons: Vec<BackupReason> = backup::list(&t.path())
        .unwrap()
        .iter()
        .map(|b| b.reason)
        .collect();
    assert!(reasons.contains(&BackupReason::ScoringModel), "{reasons:?}");
    assert!(reasons.contains(&BackupReason::BulkMerge), "{reasons:?}");
    // An invalid model is refused before any backup is taken; a plain recompute takes none.
    let n = reasons.len();
    sodate_core::scoring::recompute_all(&t.db, now).unwrap();
    assert_eq!(backup::list(&t.path()).unwrap().len(), n);
    assert!(sodate_core::scoring::import_json(&t.db, "{\"not\": \"a model\"}", now).is_err());
    assert_eq!(backup::list(&t.path()).unwrap().len(), n);
}

#[test]
fn rotation_keeps_the_last_ten_operation_backups_and_every_manual_one() {
    let t = with_demo(50);
    for _ in 0..13 {
        backup::take(&t.db, BackupReason::Import).unwrap();
    }
    backup::take(&t.db, BackupReason::Manual).unwrap();
    let list = backup::list(&t.path()).unwrap();
    let ops = list
        .iter()
        .filter(|b| b.reason == BackupReason::Import)
        .count();
    assert_eq!(ops, backup::KEEP_OPERATION);
    assert_eq!(
        list.iter()
            .filter(|b| b.reason == BackupReason::Manual)
            .count(),
        1
    );
    // Every listed file exists with its sidecar; nothing else is left in the folder.
    let files = std::fs::read_dir(backup::folder_for(&t.path()))
        .unwrap()
        .count();
    assert_eq!(files, list.len() * 2);
}

#[test]
fn the_daily_backup_is_taken_once_a_day_and_not_for_an_empty_database() {
    let file = |path: std::path::PathBuf| sodate_core::db::DbFile { path, key: None };
    let empty = TempDb::new();
    assert!(
        backup::take_daily_if_due(&file(empty.path()), chrono::Utc::now())
            .unwrap()
            .is_none()
    );
    let t = with_demo(20);
    let now = chrono::Utc::now();
    let first = backup::take_daily_if_due(&file(t.path()), now).unwrap();
    assert_eq!(first.map(|b| b.reason), Some(BackupReason::Daily));
    assert!(backup::take_daily_if_due(&file(t.path()), now)
        .unwrap()
        .is_none());
    let tomorrow = now + chrono::Duration::hours(25);
    assert!(backup::take_daily_if_due(&file(t.path()), tomorrow)
        .unwrap()
        .is_some());
}

#[test]
fn a_restore_refuses_damaged_foreign_and_newer_backups_and_changes_nothing() {
    let mut t = with_demo(100);
    let good = backup::take(&t.db, BackupReason::Manual).unwrap();
    let dir = t.dir.path().to_path_buf();
    // Damaged: pages in the middle overwritten.
    let damaged = dir.join("damaged.db");
    std::fs::copy(&good.path, &damaged).unwrap();
    damage(&damaged);
    // Not SQLite at all; another application's SQLite file; a newer Sodate's.
    let text = dir.join("text.db");
    std::fs::write(&text, "名前,メール\n田中,a@example.jp\n").unwrap();
    let foreign = dir.join("foreign.db");
    Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    let newer = dir.join("newer.db");
    std::fs::copy(&good.path, &newer).unwrap();
    Connection::open(&newer)
        .unwrap()
        .pragma_update(None, "user_version", 999)
        .unwrap();
    let missing = dir.join("missing.db");

    let before = leads(&t.db);
    let backups_before = backup::list(&t.path()).unwrap().len();
    for (file, code) in [
        (&damaged, "backup_damaged"),
        (&text, "backup_damaged"),
        (&foreign, "not_a_backup"),
        (&newer, "backup_newer"),
        (&missing, "backup_unreadable"),
    ] {
        let err = backup::restore(&mut t.db, file, &mut |_| {}).unwrap_err();
        let got = err
            .field_issues()
            .first()
            .map(|i| i.code.clone())
            .unwrap_or_else(|| err.code().to_string());
        assert_eq!(got, code, "{}: {err}", file.display());
        assert!(!err.to_string().is_empty());
        assert_eq!(leads(&t.db), before);
        assert_eq!(
            backup::list(&t.path()).unwrap().len(),
            backups_before,
            "no safety backup is taken for a refused restore"
        );
    }
}

/// Overwrites a run of pages in the middle of the file with garbage.
fn plain_file(path: &Path) -> db::DbFile {
    db::DbFile {
        path: path.to_path_buf(),
        key: None,
    }
}

/// Overwrites with garbage every page of the file that holds `needle`.
fn damage_pages_holding(path: &Path, needle: &str) {
    let page = db::PAGE_SIZE as usize;
    let mut bytes = std::fs::read(path).unwrap();
    let pages: Vec<usize> = bytes
        .chunks(page)
        .enumerate()
        .filter(|(_, p)| p.windows(needle.len()).any(|w| w == needle.as_bytes()))
        .map(|(i, _)| i)
        .collect();
    assert!(!pages.is_empty() && !pages.contains(&0), "{pages:?}");
    for i in pages {
        bytes[i * page..(i + 1) * page].fill(0xA5);
    }
    std::fs::write(path, bytes).unwrap();
}

fn damage(path: &Path) {
    use std::io::{Seek, SeekFrom, Write};
    let len = std::fs::metadata(path).unwrap().len();
    let mut f = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    f.seek(SeekFrom::Start(len / 3)).unwrap();
    f.write_all(&vec![0xA5; (len / 4) as usize]).unwrap();
}

#[test]
fn a_damaged_database_is_reported_by_the_check_and_restored_with_the_damage_kept_aside() {
    let t = with_demo(300);
    let good = backup::take(&t.db, BackupReason::Manual).unwrap();
    let expected = leads(&t.db);
    assert!(backup::check(&t.db, true).unwrap().is_ok());
    let path = t.path();
    drop(t.db);
    let dir = t.dir;
    // A checkpointed, closed file, then damaged.
    damage(&path);
    let quick = backup::check_file(&path, None, false).unwrap();
    let full = backup::check_file(&path, None, true).unwrap();
    assert_eq!(quick.integrity, "damaged");
    assert_eq!(full.integrity, "damaged");
    assert!(!full.problems.is_empty());
    assert_eq!(
        backup::latest_good(&plain_file(&path))
            .unwrap()
            .map(|b| b.path),
        Some(good.path.clone())
    );

    let (db, report) =
        backup::restore_file(&plain_file(&path), Path::new(&good.path), &mut |_| {}).unwrap();
    assert_eq!(report.leads, expected);
    assert_eq!(leads(&db), expected);
    let kept = report.damaged_kept_at.expect("the damaged file is kept");
    assert!(Path::new(&kept).exists());
    assert_eq!(integrity(&path), "ok");
    drop(dir);
}

#[test]
fn a_copy_written_with_out_is_a_whole_database_and_never_overwrites_a_file() {
    let t = with_demo(100);
    let out = t.dir.path().join("copy.db");
    let copy = backup::copy_to(&t.db, &out).unwrap();
    assert_eq!(copy.leads, Some(leads(&t.db)));
    assert_eq!(integrity(&out), "ok");
    let again = backup::copy_to(&t.db, &out).unwrap_err();
    assert_eq!(again.code(), "invalid");
    // Not listed among the rotated backups.
    assert!(backup::list(&t.path()).unwrap().is_empty());
}

/// Realistic rows written with the columns of the first schema, which every later schema
/// still has (a migration may add columns with defaults, never drop these).
fn seed_first_schema_rows(conn: &Connection) {
    conn.execute_batch(
        "INSERT INTO companies (id, name, name_key, reading, reading_key, domain, created_at, updated_at) VALUES
            (1, '株式会社サンプル商事', 'さんぷるしょうじ', 'サンプルショウジ', 'さんぷるしょうじ', 'sample.co.jp', '2026-01-05T00:00:00Z', '2026-01-05T00:00:00Z'),
            (2, '髙橋工業株式会社', 'たかはしこうぎょう', '', '', '', '2026-01-05T00:00:00Z', '2026-01-05T00:00:00Z');
         INSERT INTO events (id, name, kind, starts_on, created_at) VALUES
            (1, '展示会2026春', 'trade_show', '2026-04-10', '2026-01-05T00:00:00Z');
         INSERT INTO leads (id, family_name, given_name, family_reading, given_reading, company_id, title, email,
                            phone, source, first_event_id, lifecycle_stage, name_key, reading_key, email_key,
                            search_text, created_at, updated_at) VALUES
            (1, '田中', '太郎', 'タナカ', 'タロウ', 1, '部長', 'tanaka@sample.co.jp', '03-1234-5678', 'trade_show', 1, 'mql',
             '田中太郎', 'たなかたろう', 'tanaka@sample.co.jp', '田中太郎 たなかたろう さんぷるしょうじ tanaka@sample.co.jp', '2026-04-10T01:00:00Z', '2026-04-10T01:00:00Z'),
            (2, '髙橋', '花子', 'タカハシ', 'ハナコ', 2, '', 'hanako@takahashi.example', '', 'web_form', NULL, 'lead',
             '高橋花子', 'たかはしはなこ', 'hanako@takahashi.example', '高橋花子 たかはしはなこ hanako@takahashi.example', '2026-05-01T01:00:00Z', '2026-05-01T01:00:00Z'),
            (3, '佐藤', '', '', '', NULL, '', '', '090-0000-0000', 'import', NULL, 'lead',
             '佐藤', '', '', '佐藤', '2026-05-02T01:00:00Z', '2026-05-02T01:00:00Z');
         INSERT INTO activities (lead_id, type_id, occurred_at, detail, event_id, source)
            SELECT 1, id, 1776000000, '展示会ブース', 1, 'manual' FROM activity_types WHERE code = 'booth_visit';
         INSERT INTO activities (lead_id, type_id, occurred_at, detail, source)
            SELECT 2, id, 1777000000, '資料', 'manual' FROM activity_types WHERE code = 'document_request';
         INSERT INTO lifecycle_history (lead_id, from_stage, to_stage, changed_at, actor)
            VALUES (1, 'lead', 'mql', '2026-04-11T00:00:00Z', 'tester');
         INSERT INTO consents (lead_id, channel, state, method, recorded_at)
            VALUES (1, 'email', 'opted_in', 'card_exchange', '2026-04-10T01:00:00Z');",
    )
    .unwrap();
}

#[test]
fn a_database_of_every_earlier_schema_version_is_upgraded_with_its_data_intact() {
    let all = db::migration_sql();
    assert_eq!(all.len(), db::schema_version());
    for version in 1..all.len() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.pragma_update(None, "page_size", db::PAGE_SIZE)
                .unwrap();
            conn.pragma_update(None, "journal_mode", "WAL").unwrap();
            for (i, sql) in all[..version].iter().enumerate() {
                conn.execute_batch(&format!("BEGIN; {sql}\n; COMMIT;"))
                    .unwrap_or_else(|e| panic!("migration {} failed: {e}", i + 1));
                conn.pragma_update(None, "user_version", (i + 1) as i64)
                    .unwrap();
            }
            conn.pragma_update(None, "application_id", db::APPLICATION_ID)
                .unwrap();
            seed_first_schema_rows(&conn);
        }
        let db = Sodate::open(&path).unwrap_or_else(|e| panic!("upgrading schema {version}: {e}"));
        assert_eq!(integrity(&path), "ok", "schema {version}");
        let counts = stats::counts(&db).unwrap();
        assert_eq!(counts.leads, 3, "schema {version}");
        assert_eq!(counts.companies, 2, "schema {version}");
        assert_eq!(counts.activities, 2, "schema {version}");
        let lead = sodate_core::leads::get(&db, 1).unwrap();
        assert_eq!(lead.lead.family_name, "田中", "schema {version}");
        assert_eq!(lead.lead.email, "tanaka@sample.co.jp");
        let found = sodate_core::leads::list(
            &db,
            &sodate_core::LeadQuery {
                search: Some("さんぷる".into()),
                limit: 10,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(found.total, 1, "search after upgrading schema {version}");
        let fk: i64 = Connection::open(&path)
            .unwrap()
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(fk, 0, "schema {version}");
        // The state before the upgrade was backed up, at its own schema version.
        let backups = backup::list(&path).unwrap();
        assert_eq!(backups.len(), 1, "schema {version}");
        assert_eq!(backups[0].reason, BackupReason::Migration);
        assert_eq!(backups[0].schema_version as usize, version);
        assert_eq!(backups[0].leads, Some(3));
    }
}

/// (email, family name, consent) of every lead, read straight from the file.
fn lead_rows(path: &Path) -> Vec<(String, String, String)> {
    let conn = Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare("SELECT email, family_name, consent_state FROM leads ORDER BY id")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

#[test]
fn what_can_be_read_is_exported_and_imports_back_with_the_opted_out_kept_apart() {
    let t = with_demo(400);
    let path = t.path();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("読めたリード.csv");
    let file = plain_file(&path);
    let rows = lead_rows(&path);
    let suppressed: Vec<&String> = rows
        .iter()
        .filter(|(email, _, consent)| {
            !email.is_empty() && ["opted_out", "bounced", "erased"].contains(&consent.as_str())
        })
        .map(|(email, _, _)| email)
        .collect();
    assert!(!suppressed.is_empty(), "the demo has people not to mail");

    // A healthy database: every lead, and the people not to mail listed apart.
    let report = sodate_core::salvage::export_readable_leads(&file, &out).unwrap();
    assert_eq!(report.leads, 400);
    assert_eq!(report.unreadable, 0);
    assert!(report.companies_read);
    assert_eq!(report.suppressed as usize, suppressed.len());
    let list = std::fs::read_to_string(report.suppression_path.as_ref().unwrap()).unwrap();
    for email in &suppressed {
        assert!(
            list.contains(email.as_str()),
            "{email} is in the suppression list"
        );
    }

    // The CSV imports into a new database by itself (headers mapped, nothing to choose).
    let other = TempDb::new();
    let plan = import::ImportPlan {
        path: out.to_string_lossy().into_owned(),
        options: Default::default(),
        preset: None,
        mapping: None,
        mode: import::ImportMode::Create,
        keep_existing: Vec::new(),
        tags: Vec::new(),
        source: String::new(),
        event: None,
    };
    let imported = import::run(
        &other.db,
        &plan,
        false,
        &mut |_| {},
        &AtomicBool::new(false),
    )
    .unwrap();
    assert_eq!(imported.rows, 400);
    assert_eq!(imported.failed, 0, "{:?}", imported.failures.first());
    // The demo's deliberate duplicates (same email) are found again by the import.
    assert_eq!(imported.created + imported.skipped, 400, "{imported:?}");
    // Compared by normalised key: the demo keeps some emails as typed (full-width).
    let email_keys = |path: &Path| -> std::collections::BTreeSet<String> {
        let conn = Connection::open(path).unwrap();
        let mut stmt = conn.prepare("SELECT email_key FROM leads").unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    };
    let (reimported, original) = (email_keys(&other.path()), email_keys(&path));
    assert!(
        reimported == original,
        "{} vs {} emails",
        reimported.len(),
        original.len()
    );

    // A damaged file (every page holding one lead's email overwritten: its part of the
    // leads table and of the indexes): what can be read is written, the rest counted; the
    // file is untouched.
    drop(t.db);
    damage_pages_holding(&path, &rows[200].0);
    assert_ne!(integrity(&path), "ok");
    let bytes_before = std::fs::read(&path).unwrap();
    let out = dir.path().join("damaged.csv");
    let report = sodate_core::salvage::export_readable_leads(&file, &out).unwrap();
    assert_eq!(
        std::fs::read(&path).unwrap(),
        bytes_before,
        "the damaged file is not changed"
    );
    assert!(report.leads > 0 && report.leads < 400, "{report:?}");
    assert!(report.unreadable > 0, "{report:?}");
    assert!(report.reached_end, "{report:?}");
    assert!(report.leads + report.unreadable >= 400, "{report:?}");
    let text = std::fs::read_to_string(&out).unwrap();
    let written: Vec<&str> = text.lines().skip(1).collect();
    assert_eq!(written.len() as u32, report.leads);
    let known: std::collections::HashSet<&str> = rows.iter().map(|(e, _, _)| e.as_str()).collect();
    for line in &written {
        let email = line.split(',').nth(7).unwrap();
        assert!(
            email.is_empty() || known.contains(email),
            "a real lead: {line}"
        );
    }
    eprintln!("damaged: {report:?}");
    drop(t.dir);
}
