//! Activities: logging by hand (validated), the timeline, user types, and CSV imports that
//! are all-or-nothing unless told otherwise — with the scores following every change.

use sodate_core::activities::{self, ActivityInput, NewActivityType};
use sodate_core::{leads, stats};

use crate::scoring::{days_ago, lead, log, now};
use crate::TempDb;

fn input(lead: i64, kind: &str, at: Option<&str>, detail: &str) -> ActivityInput {
    ActivityInput {
        lead_id: lead,
        activity_type: kind.into(),
        occurred_at: at.map(String::from),
        detail: detail.into(),
        event_id: None,
    }
}

fn codes(e: &sodate_core::Error) -> Vec<String> {
    e.field_issues().iter().map(|i| i.code.clone()).collect()
}

#[test]
fn bad_activities_are_refused_with_every_reason_and_nothing_is_written() {
    let t = TempDb::new();
    let id = lead(&t, "", "a@sample.co.jp");
    let err = activities::add(
        &t.db,
        &input(999, "telepathy", Some("yesterday"), ""),
        now(),
    )
    .unwrap_err();
    assert_eq!(
        codes(&err),
        ["unknown_lead", "unknown_activity_type", "invalid_time"]
    );
    let err = activities::add(
        &t.db,
        &input(id, "call", Some("2099-01-01 10:00"), ""),
        now(),
    )
    .unwrap_err();
    assert_eq!(codes(&err), ["out_of_range"]);
    let err =
        activities::add(&t.db, &input(id, "call", Some("1985-01-01"), ""), now()).unwrap_err();
    assert_eq!(codes(&err), ["out_of_range"]);
    let long = "あ".repeat(activities::MAX_DETAIL_CHARS + 1);
    let err = activities::add(&t.db, &input(id, "call", None, &long), now()).unwrap_err();
    assert_eq!(codes(&err), ["too_long"]);
    assert_eq!(stats::counts(&t.db).unwrap().activities, 0);
}

#[test]
fn times_are_read_as_japanese_tools_write_them() {
    let t = TempDb::new();
    let id = lead(&t, "", "a@sample.co.jp");
    for (text, stored) in [
        ("2026/11/20 14:30", "2026-11-20T05:30:00Z"),
        ("2026-11-19", "2026-11-18T15:00:00Z"),
        (
            "２０２６－１１－１８ ０９:００:００",
            "2026-11-18T00:00:00Z",
        ),
        ("2026-11-17T10:00:00Z", "2026-11-17T10:00:00Z"),
        ("2026-11-16T10:00:00+09:00", "2026-11-16T01:00:00Z"),
        ("1763200000", "2025-11-15T09:46:40Z"),
    ] {
        let w = activities::add(&t.db, &input(id, "call", Some(text), ""), now()).unwrap();
        let page = activities::timeline(&t.db, id, 0, 500).unwrap();
        let item = page.rows.iter().find(|a| a.id == w.id).unwrap();
        assert_eq!(item.occurred_at, stored, "{text}");
    }
}

#[test]
fn the_timeline_pages_newest_first_and_types_can_be_added() {
    let t = TempDb::new();
    let id = lead(&t, "", "a@sample.co.jp");
    for day in 0..7 {
        log(&t, id, "page_view", day, &format!("/p/{day}"));
    }
    let page = activities::timeline(&t.db, id, 0, 3).unwrap();
    assert_eq!(page.total, 7);
    let details: Vec<&str> = page.rows.iter().map(|a| a.detail.as_str()).collect();
    assert_eq!(details, ["/p/0", "/p/1", "/p/2"]);
    let page = activities::timeline(&t.db, id, 6, 3).unwrap();
    assert_eq!(page.rows.len(), 1);
    assert_eq!(page.rows[0].detail, "/p/6");
    assert_eq!(page.rows[0].kind, "page_view");
    assert_eq!(
        activities::timeline(&t.db, 424_242, 0, 3)
            .unwrap_err()
            .code(),
        "not_found"
    );

    let before = activities::types(&t.db).unwrap().len();
    let added = activities::add_type(
        &t.db,
        &NewActivityType {
            code: String::new(),
            label_ja: "工場見学".into(),
            label_en: "Factory tour".into(),
        },
    )
    .unwrap();
    assert_eq!(added.code, format!("custom_{}", added.id));
    assert!(!added.builtin);
    assert_eq!(activities::types(&t.db).unwrap().len(), before + 1);
    let w = activities::add(&t.db, &input(id, "工場見学", None, ""), now()).unwrap();
    let first = &activities::timeline(&t.db, id, 0, 1).unwrap().rows[0];
    assert_eq!((first.id, first.kind.as_str()), (w.id, added.code.as_str()));
    let dup = activities::add_type(
        &t.db,
        &NewActivityType {
            code: "x".into(),
            label_ja: "セミナー参加".into(),
            label_en: String::new(),
        },
    )
    .unwrap_err();
    assert_eq!(codes(&dup), ["duplicate"]);
    let bad = activities::add_type(
        &t.db,
        &NewActivityType {
            code: "Bad Code".into(),
            label_ja: "何か".into(),
            label_en: String::new(),
        },
    )
    .unwrap_err();
    assert_eq!(codes(&bad), ["invalid_code"]);
}

fn write(t: &TempDb, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = t.dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn a_shift_jis_activity_file_is_imported_and_the_leads_rescored() {
    let t = TempDb::new();
    let a = lead(&t, "部長", "taro@sample.co.jp");
    let b = lead(&t, "", "hanako@sample.co.jp");
    let csv = format!(
        "メールアドレス,種別,日時,詳細\r\n\
         TARO@sample.co.jp,資料請求,{d0},料金表\r\n\
         hanako@sample.co.jp,セミナー参加,2026/11/20 9:00,\r\n\
         hanako@sample.co.jp,page_view,2026/11/20 9:05,/pricing\r\n",
        d0 = days_ago(0).unwrap()
    );
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(&csv);
    assert!(!unmappable);
    let path = write(&t, "activities.csv", &bytes);
    let r = activities::import(&t.db, &path, false, now()).unwrap();
    assert_eq!(
        (r.rows, r.imported, r.failed, r.leads_rescored),
        (3, 3, 0, 2)
    );
    assert_eq!(r.encoding.as_deref(), Some("shift_jis"));
    assert_eq!(leads::get(&t.db, a).unwrap().lead.engagement_score, 30.0);
    assert_eq!(leads::get(&t.db, b).unwrap().lead.engagement_score, 30.0);
    let page = activities::timeline(&t.db, b, 0, 10).unwrap();
    assert_eq!(page.rows[0].detail, "/pricing");
    assert_eq!(page.rows[0].occurred_at, "2026-11-20T00:05:00Z");
}

#[test]
fn hostile_rows_fail_the_whole_import_with_their_row_numbers() {
    let t = TempDb::new();
    let a = lead(&t, "", "taro@sample.co.jp");
    let long = "x".repeat(activities::MAX_DETAIL_CHARS + 5);
    let csv = format!(
        "lead_id,type,occurred_at,detail\n\
         {a},document_request,2026-11-01,ok\n\
         99999,document_request,2026-11-01,no such lead\n\
         {a},=cmd|' /C calc'!A0,2026-11-01,formula as a type\n\
         {a},call,not a date,\n\
         {a},call,2026-11-01,{long}\n\
         ,call,2026-11-01,no lead at all\n"
    );
    let path = write(&t, "bad.csv", csv.as_bytes());
    let err = activities::import(&t.db, &path, false, now()).unwrap_err();
    let issues = err.field_issues();
    let rows: Vec<(Option<u64>, &str)> = issues.iter().map(|i| (i.row, i.code.as_str())).collect();
    assert_eq!(
        rows,
        [
            (Some(3), "unknown_lead"),
            (Some(4), "unknown_activity_type"),
            (Some(5), "invalid_time"),
            (Some(6), "too_long"),
            (Some(7), "required"),
        ]
    );
    assert_eq!(
        stats::counts(&t.db).unwrap().activities,
        0,
        "nothing written"
    );
    assert_eq!(leads::get(&t.db, a).unwrap().lead.engagement_score, 0.0);

    // Told to skip bad rows: the good one goes in, the others are reported.
    let r = activities::import(&t.db, &path, true, now()).unwrap();
    assert_eq!((r.rows, r.imported, r.failed), (6, 1, 5));
    assert_eq!(r.failures.len(), 5);
    assert_eq!(stats::counts(&t.db).unwrap().activities, 1);
    assert!(leads::get(&t.db, a).unwrap().lead.engagement_score > 0.0);
}

#[test]
fn a_file_without_the_needed_columns_is_refused_before_anything_is_read() {
    let t = TempDb::new();
    let path = write(&t, "cols.csv", "名前,メモ\n田中,こんにちは\n".as_bytes());
    let err = activities::import(&t.db, &path, false, now()).unwrap_err();
    assert_eq!(
        codes(&err),
        ["missing_column", "missing_column", "missing_column"]
    );
    let missing =
        activities::import(&t.db, &t.dir.path().join("nope.csv"), false, now()).unwrap_err();
    assert_eq!(codes(&missing), ["file_not_found"]);
}

#[test]
fn an_activity_logged_on_a_selection_reaches_every_lead_or_none() {
    let t = TempDb::new();
    let a = lead(&t, "", "a@sample.co.jp");
    let b = lead(&t, "", "b@sample.co.jp");
    let n = activities::add_to_leads(
        &t.db,
        &[a, b, a],
        &input(0, "セミナー参加", None, "DX"),
        now(),
    )
    .unwrap();
    assert_eq!(n, 2);
    for id in [a, b] {
        assert_eq!(leads::get(&t.db, id).unwrap().lead.engagement_score, 20.0);
        assert_eq!(activities::timeline(&t.db, id, 0, 10).unwrap().total, 1);
    }
    let err = activities::add_to_leads(&t.db, &[a, 999_999], &input(0, "call", None, ""), now())
        .unwrap_err();
    assert_eq!(codes(&err), ["unknown_lead"]);
    assert_eq!(
        activities::timeline(&t.db, a, 0, 10).unwrap().total,
        1,
        "nothing written"
    );
}
