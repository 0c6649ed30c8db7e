//! Imports against a real database: what lands in the lead list, updates by key, undo, dry
//! runs, failed rows, bad files, cancel and the bulk path.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use rusqlite::Connection;
use sodate_core::import::{self, batches, ImportMode, ImportPlan, ImportReport, Options};
use sodate_core::{leads, stats, LeadInput, LeadQuery};

use crate::TempDb;

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn plan(path: &str) -> ImportPlan {
    ImportPlan {
        path: path.to_string(),
        ..ImportPlan::default()
    }
}

fn run(t: &TempDb, plan: &ImportPlan) -> ImportReport {
    import::run(&t.db, plan, false, &mut |_| {}, &AtomicBool::new(false)).unwrap()
}

fn find(t: &TempDb, q: &str) -> Vec<sodate_core::LeadListing> {
    leads::list_with_custom(
        &t.db,
        &LeadQuery {
            search: Some(q.into()),
            limit: 50,
            ..Default::default()
        },
    )
    .unwrap()
    .1
}

/// The names of every table, index and trigger, as one string.
fn schema_names(path: &Path) -> String {
    Connection::open(path)
        .unwrap()
        .query_row(
            "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_schema ORDER BY name)",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

fn count(path: &Path, sql: &str) -> i64 {
    Connection::open(path)
        .unwrap()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

#[test]
fn an_eight_shift_jis_export_lands_in_the_lead_list_as_written() {
    let t = TempDb::new();
    let mut p = plan(&fixture("eight_sjis.csv"));
    p.tags = vec!["展示会2024".into()];
    p.event = Some("DX EXPO 2024".into());
    let report = run(&t, &p);
    assert_eq!(
        (report.rows, report.created, report.failed),
        (20, 20, 0),
        "{:?}",
        report.failures
    );
    assert_eq!(report.encoding.map(|e| e.code()), Some("shift_jis"));
    assert_eq!(report.format.code(), "csv");

    let found = find(&t, "髙橋");
    assert_eq!(found.len(), 1);
    let l = &found[0];
    assert_eq!(
        (l.row.family_name.as_str(), l.row.given_name.as_str()),
        ("髙橋", "一郎")
    );
    assert_eq!(l.row.family_reading, "タカハシ");
    assert_eq!(l.row.title, "課長");
    assert_eq!(l.row.company_name.as_deref(), Some("株式会社ミライ技研"));
    // Columns that match no lead field are kept as custom fields; the exchange date as a date.
    assert_eq!(l.custom["名刺交換日"], "2024-04-01");
    assert_eq!(l.custom["TEL部門"], "03-1234-5610");
    // ㈱ミライ技研 and 株式会社ミライ技研 are one company; full-width digits are normalised.
    let tanaka = &find(&t, "t.tanaka@mirai-giken")[0];
    assert_eq!(tanaka.row.company_id, l.row.company_id);
    let detail = leads::get(&t.db, tanaka.row.id).unwrap();
    assert_eq!(detail.lead.postal_code, "1000005");
    assert_eq!(detail.lead.source, "import");
    assert_eq!(
        detail.lead.first_event_name.as_deref(),
        Some("DX EXPO 2024")
    );
    assert_eq!(detail.tags, vec!["展示会2024".to_string()]);
    // A quoted cell with a comma and a line break arrives whole.
    let yamasaki = leads::get(&t.db, find(&t, "山﨑")[0].row.id).unwrap();
    assert!(
        yamasaki.lead.address.contains("梅田センタービル 12F, 北側"),
        "{}",
        yamasaki.lead.address
    );

    // The same file again, create only: nothing is duplicated.
    let again = run(&t, &plan(&fixture("eight_sjis.csv")));
    assert_eq!((again.created, again.skipped), (0, 20));
    assert_eq!(stats::counts(&t.db).unwrap().leads, 20);

    let history = batches::history(&t.db).unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1].created, 20);
    assert_eq!(history[1].encoding, "shift_jis");
}

#[test]
fn every_fixture_format_imports() {
    let t = TempDb::new();
    for (name, rows) in [
        ("sansan_utf8_bom.csv", 0),
        ("generic_utf8.csv", 0),
        ("seminar_eucjp.csv", 0),
        ("list_utf16le.txt", 0),
        ("webform.tsv", 0),
        ("cards.xlsx", 0),
        ("cards.ods", 2),
        ("cards_21_sjis_qp.vcf", 3),
        ("cards_30.vcf", 0),
        ("cards_40.vcf", 0),
    ] {
        let r = run(&t, &plan(&fixture(name)));
        assert!(r.rows > 0, "{name}: no rows");
        if rows > 0 {
            assert_eq!(r.rows, rows, "{name}");
        }
        assert_eq!(
            r.failed, 0,
            "{name}: every row of a fixture is valid: {:?}",
            r.failures
        );
        assert_eq!(
            r.created + r.skipped + r.unchanged + r.updated,
            r.rows,
            "{name}"
        );
    }
    // Abroad: the state and postcode stay with the address instead of failing the row.
    let anna = leads::get(&t.db, find(&t, "anna.mueller")[0].row.id).unwrap();
    assert_eq!(anna.lead.postal_code, "");
    assert_eq!(anna.lead.prefecture, "");
    assert!(
        anna.lead.address.contains("10115 Berlin"),
        "{}",
        anna.lead.address
    );
    // The files share people (same emails): they were matched, not duplicated.
    let s = stats::counts(&t.db).unwrap();
    assert!((15..=40).contains(&s.leads), "{}", s.leads);
    // Phones that Excel stored as numbers got their leading 0 back.
    let no_zero = count(
        &t.path(),
        "SELECT count(*) FROM leads WHERE (phone <> '' AND phone NOT GLOB '0*' AND phone NOT GLOB '+*')
            OR (mobile <> '' AND mobile NOT GLOB '0*' AND mobile NOT GLOB '+*')",
    );
    assert_eq!(no_zero, 0);
}

#[test]
fn upsert_updates_by_email_and_undo_restores_exactly_what_is_unchanged_since() {
    let t = TempDb::new();
    run(&t, &plan(&fixture("eight_sjis.csv")));
    let id = find(&t, "髙橋")[0].row.id;
    let before = leads::get(&t.db, id).unwrap();

    let mut p = plan(&fixture("cards_21_sjis_qp.vcf"));
    p.mode = ImportMode::Upsert;
    p.tags = vec!["名刺".into()];
    let report = run(&t, &p);
    assert_eq!(report.created, 0);
    assert!(report.updated >= 1, "{report:?}");
    let updated = leads::get(&t.db, id).unwrap();
    assert!(
        updated.lead.notes.contains("DX EXPO 2024"),
        "{}",
        updated.lead.notes
    );
    assert!(updated.tags.contains(&"名刺".to_string()));

    // The user edits the title after the import; undo must keep that edit.
    let mut edited = LeadInput {
        family_name: updated.lead.family_name.clone(),
        given_name: updated.lead.given_name.clone(),
        family_reading: updated.lead.family_reading.clone(),
        given_reading: updated.lead.given_reading.clone(),
        company_name: updated.lead.company_name.clone().unwrap_or_default(),
        email: updated.lead.email.clone(),
        phone: updated.lead.phone.clone(),
        mobile: updated.lead.mobile.clone(),
        postal_code: updated.lead.postal_code.clone(),
        prefecture: updated.lead.prefecture.clone(),
        address: updated.lead.address.clone(),
        department: updated.lead.department.clone(),
        notes: "電話で確認済み".into(),
        title: updated.lead.title.clone(),
        website: updated.lead.website.clone(),
        tags: updated.tags.clone(),
        ..Default::default()
    };
    edited.title = "部長".into();
    leads::update(&t.db, id, &edited).unwrap();

    let undo = batches::undo(&t.db, report.batch.unwrap()).unwrap();
    assert_eq!(undo.removed, 0);
    assert!(undo.restored >= 1);
    let after = leads::get(&t.db, id).unwrap();
    assert_eq!(after.lead.title, "部長", "an edit made since is kept");
    assert_eq!(
        after.lead.notes, "電話で確認済み",
        "notes changed since are kept"
    );
    assert_eq!(
        after.lead.address, before.lead.address,
        "the import's address is undone"
    );
    assert!(
        !after.tags.contains(&"名刺".to_string()),
        "tags it added are removed"
    );
    assert!(
        undo.notes
            .iter()
            .any(|n| n.lead_id == id && n.code == "changed_since" && n.message.contains("notes")),
        "{:?}",
        undo.notes
    );
    // Twice is refused, plainly.
    let err = batches::undo(&t.db, report.batch.unwrap()).unwrap_err();
    assert_eq!(err.code(), "conflict");
    assert_eq!(batches::history(&t.db).unwrap()[0].status, "undone");
}

#[test]
fn undo_removes_what_it_created_but_keeps_leads_a_later_import_updated() {
    let t = TempDb::new();
    let first = run(&t, &plan(&fixture("eight_sjis.csv")));
    let mut p = plan(&fixture("cards_21_sjis_qp.vcf"));
    p.mode = ImportMode::Upsert;
    let second = run(&t, &p);
    assert!(second.updated >= 1);
    let undo = batches::undo(&t.db, first.batch.unwrap()).unwrap();
    assert_eq!(undo.removed + undo.notes_total, 20);
    assert!(undo
        .notes
        .iter()
        .all(|n| n.code == "updated_by_later_import"));
    assert_eq!(
        stats::counts(&t.db).unwrap().leads,
        undo.notes_total,
        "only the leads the later import touched remain"
    );
    // Undo the later one, then the first fully.
    batches::undo(&t.db, second.batch.unwrap()).unwrap();
}

#[test]
fn a_dry_run_counts_exactly_and_writes_nothing() {
    let t = TempDb::new();
    let dry = import::run(
        &t.db,
        &plan(&fixture("eight_sjis.csv")),
        true,
        &mut |_| {},
        &AtomicBool::new(false),
    )
    .unwrap();
    assert!(dry.dry_run && dry.batch.is_none());
    assert_eq!(dry.created, 20);
    assert_eq!(stats::counts(&t.db).unwrap().leads, 0);
    assert!(batches::history(&t.db).unwrap().is_empty());
}

#[test]
fn bad_rows_fail_with_row_and_column_and_come_back_as_a_csv_in_the_file_encoding() {
    let t = TempDb::new();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.csv");
    let text = "氏名,メールアドレス,電話番号,名刺交換日\r\n\
                山田 太郎,taro@example.jp,03-1234-5678,2024/4/1\r\n\
                佐藤 花子,hanako@@example,03-1234-5678,2024/4/1\r\n\
                鈴木 一郎,ichiro@example.jp,12345,2024/4/1\r\n\
                髙橋 次郎,jiro@example.jp,03-1234-5678,2024/13/45\r\n\
                ,,,\r\n\
                ,,03-0000-0000,\r\n";
    let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(text);
    std::fs::write(&path, &bytes).unwrap();
    let report = run(&t, &plan(path.to_str().unwrap()));
    assert_eq!(
        (report.created, report.failed),
        (1, 4),
        "{:?}",
        report.failures
    );
    let issue = |row: u64| {
        &report
            .failures
            .iter()
            .find(|f| f.row == row)
            .unwrap()
            .issues[0]
    };
    assert_eq!(issue(3).column.as_deref(), Some("メールアドレス"));
    assert_eq!(issue(3).code, "invalid_email");
    assert_eq!(issue(4).column.as_deref(), Some("電話番号"));
    assert_eq!(issue(5).column.as_deref(), Some("名刺交換日"));
    assert_eq!(issue(5).code, "invalid_date");
    assert_eq!(issue(7).code, "no_name");

    let out = dir.path().join("failed.csv");
    let written = batches::write_failures(&t.db, report.batch.unwrap(), &out).unwrap();
    assert_eq!(written, 4);
    // Read back with the same reader: Shift_JIS, the original columns plus row and reason.
    let mut reader = import::open(&out, &Options::default()).unwrap();
    assert_eq!(reader.encoding().map(|e| e.code()), Some("shift_jis"));
    assert_eq!(
        reader.headers(),
        [
            "氏名",
            "メールアドレス",
            "電話番号",
            "名刺交換日",
            "行",
            "エラー理由"
        ]
    );
    let first = reader.next().unwrap().unwrap();
    assert_eq!(first.cells[0], "佐藤 花子");
    assert_eq!(first.cells[4], "3");
    assert!(
        first.cells[5].starts_with("メールアドレス:"),
        "{}",
        first.cells[5]
    );
}

#[test]
fn bad_files_are_refused_with_a_clear_error_and_nothing_written() {
    let t = TempDb::new();
    for (name, code) in [
        ("empty.csv", "empty_file"),
        ("binary.bin", "unsupported_file"),
        ("png_renamed.csv", "unsupported_file"),
        ("unbalanced_quote.csv", "unclosed_quote"),
        ("does_not_exist.csv", "file_not_found"),
    ] {
        let err = import::run(
            &t.db,
            &plan(&fixture(name)),
            false,
            &mut |_| {},
            &AtomicBool::new(false),
        )
        .unwrap_err();
        assert_eq!(err.code(), "invalid", "{name}");
        let issue = &err.field_issues()[0];
        assert_eq!(
            (issue.field.as_str(), issue.code.as_str()),
            ("file", code),
            "{name}: {}",
            issue.message
        );
        if name == "unbalanced_quote.csv" {
            assert_eq!(issue.row, Some(3), "the row where the quote opened");
        }
    }
    assert_eq!(stats::counts(&t.db).unwrap().leads, 0);
    assert!(
        batches::history(&t.db).unwrap().is_empty(),
        "no batch is left behind"
    );
    // A header-only file is an import of nothing, said so by the counts.
    let r = run(&t, &plan(&fixture("header_only.csv")));
    assert_eq!((r.rows, r.created), (0, 0));
    // Forcing the wrong encoding is refused at the header, instead of storing mojibake.
    let mut forced = plan(&fixture("eight_sjis.csv"));
    forced.options.encoding = Some("utf-8".parse().unwrap());
    let err = import::run(&t.db, &forced, false, &mut |_| {}, &AtomicBool::new(false)).unwrap_err();
    let issue = &err.field_issues()[0];
    assert_eq!(issue.code, "bad_encoding");
    assert!(issue.message.contains("row 1"), "{}", issue.message);
    assert_eq!(issue.row, Some(1), "the row travels as data too");
    assert_eq!(stats::counts(&t.db).unwrap().leads, 0);
}

/// A CSV of `rows` distinct leads (about 100 bytes a row).
fn big_csv(dir: &Path, rows: u32) -> PathBuf {
    let path = dir.join("big.csv");
    let mut text = String::from("姓,名,セイ,メイ,会社名,メールアドレス,電話番号,都道府県\n");
    for i in 0..rows {
        text.push_str(&format!(
            "田中,太郎{i},タナカ,タロウ,株式会社テスト{},taro{i}@test{}.example.jp,03-{:04}-{:04},東京都\n",
            i % 500,
            i % 500,
            i % 10_000,
            i / 10_000
        ));
    }
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_large_first_import_takes_the_bulk_path_and_leaves_a_sound_database() {
    let t = TempDb::new();
    let dir = tempfile::tempdir().unwrap();
    let path = big_csv(dir.path(), 15_000);
    let report = run(&t, &plan(path.to_str().unwrap()));
    assert_eq!(report.created, 15_000);
    let db = t.path();
    assert_eq!(
        count(&db, "SELECT count(*) FROM pragma_foreign_key_check"),
        0
    );
    Connection::open(&db)
        .unwrap()
        .execute_batch("INSERT INTO lead_search (lead_search) VALUES ('integrity-check')")
        .unwrap();
    assert_eq!(
        schema_names(&db),
        schema_names(&TempDb::new().path()),
        "every index and trigger is back"
    );
    assert_eq!(find(&t, "taro14999@test499").len(), 1);
    // Each lead has its row of scores, scored with the model (a grade for everyone).
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM lead_scores s JOIN leads l ON l.id = s.id WHERE s.grade <> ''"
        ),
        15_000
    );
    // Undo removes all of them, and their scores.
    let undo = batches::undo(&t.db, report.batch.unwrap()).unwrap();
    assert_eq!(undo.removed, 15_000);
    assert_eq!(stats::counts(&t.db).unwrap().leads, 0);
    assert_eq!(count(&db, "SELECT count(*) FROM lead_scores"), 0);
    // The same file again through the same connection: the bulk path attaches its scratch
    // search database again (so the first one was detached after its commit).
    let again = run(&t, &plan(path.to_str().unwrap()));
    assert_eq!(again.created, 15_000);
    assert_eq!(find(&t, "taro14999@test499").len(), 1);
    let mut scratch = db.clone().into_os_string();
    scratch.push(".search-build");
    assert!(
        !std::path::Path::new(&scratch).exists(),
        "the scratch file is removed"
    );
}

#[test]
fn a_cancelled_import_leaves_the_database_as_it_was() {
    let t = TempDb::new();
    run(&t, &plan(&fixture("eight_sjis.csv")));
    let dir = tempfile::tempdir().unwrap();
    let path = big_csv(dir.path(), 20_000);
    let cancel = AtomicBool::new(false);
    let err = import::run(
        &t.db,
        &plan(path.to_str().unwrap()),
        false,
        &mut |p| {
            if p.rows >= 6_000 {
                cancel.store(true, Ordering::Relaxed);
            }
        },
        &cancel,
    )
    .unwrap_err();
    assert_eq!(err.code(), "cancelled");
    assert_eq!(stats::counts(&t.db).unwrap().leads, 20);
    assert_eq!(batches::history(&t.db).unwrap().len(), 1);
    let integrity: String = Connection::open(t.path())
        .unwrap()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
}

#[test]
fn a_large_import_into_a_database_with_leads_rebuilds_indexes_and_keeps_search_whole() {
    let t = TempDb::new();
    run(&t, &plan(&fixture("eight_sjis.csv")));
    let dir = tempfile::tempdir().unwrap();
    let path = big_csv(dir.path(), 12_000);
    let report = run(&t, &plan(path.to_str().unwrap()));
    assert_eq!(report.created, 12_000);
    let db = t.path();
    assert_eq!(
        schema_names(&db),
        schema_names(&TempDb::new().path()),
        "every index and trigger is back"
    );
    Connection::open(&db)
        .unwrap()
        .execute_batch("INSERT INTO lead_search (lead_search) VALUES ('integrity-check')")
        .unwrap();
    assert_eq!(
        count(&db, "SELECT count(*) FROM pragma_foreign_key_check"),
        0
    );
    // Leads from before and from the file are both found.
    assert_eq!(find(&t, "髙橋").len(), 1);
    assert_eq!(find(&t, "taro11999@test499").len(), 1);
    // Every lead, old and new, has exactly one row of scores, with a grade.
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM lead_scores s JOIN leads l ON l.id = s.id WHERE s.grade <> ''"
        ),
        12_020
    );
    assert_eq!(count(&db, "SELECT count(*) FROM lead_scores"), 12_020);
}

/// The rows of `big_csv` numbered `from..to` again, with another family name (小林): in
/// upsert mode each updates the lead of its email, and its search text changes.
fn renamed_rows(dir: &Path, name: &str, from: u32, to: u32, new_rows: u32) -> PathBuf {
    let path = dir.join(name);
    let mut text = String::from("姓,名,セイ,メイ,会社名,メールアドレス,電話番号,都道府県\n");
    for i in from..to {
        text.push_str(&format!(
            "小林,太郎{i},コバヤシ,タロウ,株式会社テスト{},taro{i}@test{}.example.jp,03-{:04}-{:04},東京都\n",
            i % 500,
            i % 500,
            i % 10_000,
            i / 10_000
        ));
    }
    for i in 0..new_rows {
        text.push_str(&format!(
            "佐々木,新{i},ササキ,シン,株式会社新規,new{i}@new.example.jp,,大阪府\n"
        ));
    }
    std::fs::write(&path, text).unwrap();
    path
}

/// How many leads a search finds (the list's total).
fn found(t: &TempDb, q: &str) -> u32 {
    leads::list(
        &t.db,
        &LeadQuery {
            search: Some(q.into()),
            limit: 1,
            ..Default::default()
        },
    )
    .unwrap()
    .total
}

fn search_index_is_sound(db: &Path) {
    Connection::open(db)
        .unwrap()
        .execute_batch("INSERT INTO lead_search (lead_search, rank) VALUES ('integrity-check', 1)")
        .unwrap();
}

#[test]
fn a_large_first_import_in_upsert_mode_updates_its_own_repeated_rows_and_search_follows() {
    // 12,000 leads, then 1,500 of them again renamed, in one file: the bulk path (no leads
    // yet) builds the search index of new leads on its own; the renamed ones must be found
    // by their new name only. (This import used to fail: the rename's trigger took the old
    // text out of an index that did not hold it yet.)
    let t = TempDb::new();
    let dir = tempfile::tempdir().unwrap();
    let first = big_csv(dir.path(), 12_000);
    let again = renamed_rows(dir.path(), "again.csv", 10_500, 12_000, 0);
    let both = dir.path().join("both.csv");
    let mut text = std::fs::read_to_string(&first).unwrap();
    text.push_str(
        std::fs::read_to_string(&again)
            .unwrap()
            .split_once('\n')
            .unwrap()
            .1,
    );
    std::fs::write(&both, text).unwrap();
    let mut p = plan(both.to_str().unwrap());
    p.mode = ImportMode::Upsert;
    let report = run(&t, &p);
    assert_eq!(
        (report.created, report.updated),
        (12_000, 1_500),
        "{report:?}"
    );
    let db = t.path();
    search_index_is_sound(&db);
    assert_eq!(
        schema_names(&db),
        schema_names(&TempDb::new().path()),
        "every index and trigger is back"
    );
    assert_eq!(found(&t, "こばやし"), 1_500);
    assert_eq!(found(&t, "小林太郎11999"), 1);
    assert_eq!(
        found(&t, "田中太郎11999"),
        0,
        "the old name is out of the index"
    );
    assert_eq!(found(&t, "田中太郎10499"), 1);
}

#[test]
fn imports_into_a_database_with_leads_keep_search_exact_through_updates_edits_and_undo() {
    let t = TempDb::new();
    let dir = tempfile::tempdir().unwrap();
    run(&t, &plan(big_csv(dir.path(), 12_000).to_str().unwrap()));
    let db = t.path();
    // Row by row (fewer rows than leads): 1,500 renamed, 400 new, and one of the new ones
    // again under another name (made, then updated, by the same import).
    let renamed = renamed_rows(dir.path(), "renamed.csv", 10_500, 12_000, 400);
    let mut text = std::fs::read_to_string(&renamed).unwrap();
    text.push_str("佐々木,次郎,ササキ,ジロウ,株式会社新規,new7@new.example.jp,,大阪府\n");
    std::fs::write(&renamed, text).unwrap();
    let changes_before = count(&db, "SELECT coalesce(max(seq), 0) FROM lead_changes");
    let mut p = plan(renamed.to_str().unwrap());
    p.mode = ImportMode::Upsert;
    let report = run(&t, &p);
    assert_eq!((report.created, report.updated), (400, 1_501), "{report:?}");
    search_index_is_sound(&db);
    assert_eq!(found(&t, "こばやし"), 1_500);
    assert_eq!(
        found(&t, "田中太郎11999"),
        0,
        "the old name is out of the index"
    );
    assert_eq!(found(&t, "田中太郎10499"), 1);
    assert_eq!(found(&t, "ささきしん"), 399);
    assert_eq!(found(&t, "佐々木次郎"), 1);
    assert_eq!(found(&t, "new399@new"), 1);
    // What the insert triggers held off during the load write: a score row per new lead,
    // and the changed-leads journal's rows for its insert and its first stage history row
    // (the third is its scoring's).
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM lead_scores s JOIN leads l ON l.id = s.id WHERE s.grade <> ''"
        ),
        12_400
    );
    let new_leads_journalled = count(
        &db,
        &format!(
            "SELECT count(*) FROM lead_changes WHERE seq > {changes_before} AND lead_id IN (SELECT id FROM leads WHERE email LIKE 'new%')"
        ),
    );
    assert_eq!(new_leads_journalled, 400 * 3);
    assert_eq!(
        schema_names(&db),
        schema_names(&TempDb::new().path()),
        "every index and trigger is back"
    );
    // A dry run of another file through the same connection holds its search writes back
    // the same way (its temporary tables were dropped), and writes nothing.
    let mut more = plan(
        renamed_rows(dir.path(), "more.csv", 0, 300, 0)
            .to_str()
            .unwrap(),
    );
    more.mode = ImportMode::Upsert;
    let dry = import::run(&t.db, &more, true, &mut |_| {}, &AtomicBool::new(false)).unwrap();
    assert_eq!(dry.updated, 300);
    assert_eq!(found(&t, "こばやし"), 1_500);
    search_index_is_sound(&db);

    // The search triggers are live again: an edit in the app is found at once.
    let id = find(&t, "taro11999@test499")[0].row.id;
    let lead = leads::get(&t.db, id).unwrap().lead;
    let input = LeadInput {
        family_name: "山田".into(),
        given_name: lead.given_name.clone(),
        family_reading: "ヤマダ".into(),
        given_reading: lead.given_reading.clone(),
        email: lead.email.clone(),
        ..Default::default()
    };
    leads::update(&t.db, id, &input).unwrap();
    assert_eq!(found(&t, "山田太郎11999"), 1);
    assert_eq!(found(&t, "小林太郎11999"), 0);

    // Undo: the 400 new leads go, the renamed ones get their old name back (except the
    // one edited since, whose name is kept), and search follows.
    let undo = batches::undo(&t.db, report.batch.unwrap()).unwrap();
    assert_eq!(undo.removed, 400);
    search_index_is_sound(&db);
    assert_eq!(found(&t, "ささきしん"), 0);
    assert_eq!(found(&t, "田中太郎10500"), 1);
    assert_eq!(found(&t, "こばやし"), 0);
    assert_eq!(found(&t, "山田太郎11999"), 1);
}

#[test]
fn inspection_shows_encoding_mapping_and_rows_as_they_will_be_stored() {
    let t = TempDb::new();
    let eight = fixture("eight_sjis.csv");
    let first = import::inspect(&t.db, &plan(&eight)).unwrap();
    assert_eq!(first.encoding.map(|e| e.code()), Some("shift_jis"));
    assert_eq!(
        first.preset.as_deref(),
        Some("eight"),
        "the Eight headers are recognised"
    );
    assert_eq!(first.preview.len(), 20);
    let takahashi = &first.preview[1];
    assert_eq!(takahashi.row, 3, "the header is row 1");
    assert_eq!(takahashi.action, import::RowAction::Create);
    assert_eq!(takahashi.lead.family_name, "髙橋");
    assert_eq!(takahashi.custom["名刺交換日"], "2024-04-01");
    // As stored: full-width digits normalised, as the lead list will show them.
    let tanaka = &first.preview[0];
    assert_eq!(tanaka.lead.postal_code, "1000005");
    assert_eq!(tanaka.lead.phone, "03-1234-5678");
    assert!(
        first.estimated_rows >= 15 && first.estimated_rows <= 25,
        "{}",
        first.estimated_rows
    );
    assert_eq!(
        stats::counts(&t.db).unwrap().leads,
        0,
        "inspecting writes nothing"
    );

    // Once imported, the same rows are shown as skipped (create) or updates (upsert).
    run(&t, &plan(&eight));
    let again = import::inspect(&t.db, &plan(&eight)).unwrap();
    assert!(again
        .preview
        .iter()
        .all(|r| r.action == import::RowAction::Skip));
    let mut upsert = plan(&eight);
    upsert.mode = ImportMode::Upsert;
    let again = import::inspect(&t.db, &upsert).unwrap();
    assert!(
        again
            .preview
            .iter()
            .all(|r| r.action == import::RowAction::Unchanged && r.lead_id.is_some()),
        "the same file again changes nothing"
    );
    upsert.tags = vec!["再送".into()];
    let tagged = import::inspect(&t.db, &upsert).unwrap();
    assert!(
        tagged
            .preview
            .iter()
            .all(|r| r.action == import::RowAction::Update),
        "a new tag is an update"
    );

    // A mapping that no longer fits the file is refused, not applied to the wrong columns.
    let mut stale = plan(&eight);
    stale.mapping = Some(first.mapping[..3].to_vec());
    let err = import::inspect(&t.db, &stale).unwrap_err();
    assert_eq!(err.field_issues()[0].code, "mapping_mismatch");
}

#[test]
fn a_file_cut_short_while_it_is_read_imports_nothing() {
    let t = TempDb::new();
    run(&t, &plan(&fixture("eight_sjis.csv")));
    let dir = tempfile::tempdir().unwrap();
    let path = big_csv(dir.path(), 40_000);
    let mut cut = false;
    let err = import::run(
        &t.db,
        &plan(path.to_str().unwrap()),
        false,
        &mut |p| {
            if p.rows >= 4_000 && !cut {
                // Another program overwrites the file with a shorter one mid-read.
                std::fs::OpenOptions::new()
                    .write(true)
                    .open(&path)
                    .unwrap()
                    .set_len(500_000)
                    .unwrap();
                cut = true;
            }
        },
        &AtomicBool::new(false),
    )
    .unwrap_err();
    assert!(cut);
    let issue = &err.field_issues()[0];
    assert_eq!(issue.code, "file_changed", "{}", issue.message);
    assert_eq!(
        stats::counts(&t.db).unwrap().leads,
        20,
        "nothing of it was kept"
    );
    assert_eq!(batches::history(&t.db).unwrap().len(), 1);
}

#[test]
fn undoing_an_import_whose_lead_was_merged_away_says_so_and_the_unmerge_still_works() {
    let t = TempDb::new();
    let report = run(&t, &plan(&fixture("eight_sjis.csv")));
    let batch = report.batch.unwrap();
    let imported = find(&t, "髙橋")[0].row.id;
    // A lead typed by hand that the imported card turns out to duplicate.
    let by_hand = leads::create(
        &t.db,
        &LeadInput {
            family_name: "高橋".into(),
            given_name: "一郎".into(),
            ..Default::default()
        },
    )
    .unwrap()
    .lead
    .id;
    let merge = sodate_core::dedupe::merge(
        &t.db,
        by_hand,
        imported,
        &sodate_core::dedupe::MergeChoices::default(),
    )
    .unwrap();

    let undo = batches::undo(&t.db, batch).unwrap();
    let note = undo
        .notes
        .iter()
        .find(|n| n.lead_id == imported)
        .expect("a note for the merged-away lead");
    assert_eq!(note.code, "merged_into");
    assert!(
        note.message.contains(&format!("lead {by_hand}")),
        "{}",
        note.message
    );
    assert_eq!(undo.removed, 19, "the other 19 cards are removed");
    assert_eq!(stats::counts(&t.db).unwrap().leads, 1, "the survivor stays");

    sodate_core::dedupe::unmerge(&t.db, merge.merge_id).unwrap();
    assert_eq!(
        leads::get(&t.db, imported).unwrap().lead.family_name,
        "髙橋"
    );
    assert_eq!(leads::get(&t.db, by_hand).unwrap().lead.family_name, "高橋");
}

#[test]
fn imported_leads_are_scored_with_the_current_model() {
    let t = TempDb::new();
    let report = run(&t, &plan(&fixture("eight_sjis.csv")));
    assert_eq!(report.created, 20);
    let at = chrono::Utc::now();
    let conn = rusqlite::Connection::open(t.path()).unwrap();
    let mut stmt = conn
        .prepare("SELECT id, fit_score FROM lead_scores ORDER BY id")
        .unwrap();
    let stored: Vec<(i64, f64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(stored.len(), 20);
    let mut scored = 0;
    for (id, fit) in &stored {
        let explained = sodate_core::scoring::explain(&t.db, *id, at).unwrap();
        assert_eq!(*fit, explained.fit, "lead {id} is stored as explained");
        if explained.fit != 0.0 {
            scored += 1;
        }
    }
    assert!(
        scored > 0,
        "some imported cards earn fit points from their titles"
    );
}

#[test]
fn a_bulk_import_matches_rows_by_key_exactly_as_the_row_by_row_path() {
    // 20,000 rows, a first import (the bulk path, which keeps the keys of the leads it made
    // in memory and writes their first-stage history at the end): of every ten rows, six new
    // leads, an earlier row's email written otherwise, an earlier row's name and company
    // without an email, another repeat by name and company, and an invalid row. A dry run
    // goes row by row with the key indexes live: its counts must be the same.
    let t = TempDb::new();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("repeats.csv");
    let mut text = String::from("姓,名,会社名,メールアドレス,電話番号,メモ\n");
    for i in 0..20_000u32 {
        let memo = "展示会で名刺交換、資料送付済み";
        let line = match i % 10 {
            3 => format!(
                "佐藤,花子{i},株式会社テスト{},  TARO{}@Test.Example.JP ,,{memo}\n",
                i % 300,
                i - 3
            ),
            5 => format!(
                "田中,太郎{},（株）テスト{},,,{memo}\n",
                i - 5,
                (i - 5) % 300
            ),
            6 => format!("田中,太郎{i},株式会社テスト1,bad@,,{memo}\n"),
            7 => format!("鈴木,一郎,,,03-1234-{:04},{memo}\n", i % 10_000),
            8 => format!("山田,次郎{i},株式会社テスト{},,,{memo}\n", i % 300),
            9 => format!(
                "山田,次郎{},株式会社 テスト{},,,{memo}\n",
                i - 1,
                (i - 1) % 300
            ),
            _ => format!(
                "田中,太郎{i},株式会社テスト{},taro{i}@test.example.jp,03-{:04}-{:04},{memo}\n",
                i % 300,
                i % 10_000,
                i / 10_000
            ),
        };
        text.push_str(&line);
    }
    std::fs::write(&path, text).unwrap();
    let plan = plan(path.to_str().unwrap());
    let dry = import::run(&t.db, &plan, true, &mut |_| {}, &AtomicBool::new(false)).unwrap();
    let real = run(&t, &plan);
    let counts = |r: &ImportReport| (r.rows, r.created, r.updated, r.skipped, r.failed);
    assert_eq!(counts(&real), (20_000, 12_000, 0, 6_000, 2_000));
    assert_eq!(counts(&dry), counts(&real));
    assert_eq!(real.failures, dry.failures);
    let db = t.path();
    // The first of the rows with a key made the lead.
    assert_eq!(
        count(&db, "SELECT count(*) FROM leads WHERE family_name = '佐藤'"),
        0
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM leads WHERE family_name = '鈴木'"),
        2_000
    );
    // One first-stage history row per lead, as a lead created alone gets it, in lead order.
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM lifecycle_history h JOIN leads l ON l.id = h.lead_id
             WHERE h.from_stage IS NULL AND h.to_stage = 'lead' AND h.changed_at = l.created_at
               AND h.actor = 'user' AND h.reason = 'created' AND h.automatic = 0"
        ),
        12_000
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM lifecycle_history a JOIN lifecycle_history b ON b.id > a.id
             WHERE b.lead_id < a.lead_id AND b.id = a.id + 1"
        ),
        0
    );
    assert_eq!(
        schema_names(&db),
        schema_names(&TempDb::new().path()),
        "every index and trigger is back"
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM pragma_foreign_key_check"),
        0
    );
}
