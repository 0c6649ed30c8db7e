//! The sales handoff board: automatic MQL entry, recorded moves with reasons, recycling,
//! refusals that record nothing, columns with SLA and filters, reactivation, handoff sheets.

use chrono::Duration;
use rusqlite::Connection;
use serde_json::json;
use sodate_core::dedupe::{merge, MergeChoices};
use sodate_core::handoff::{
    self, BoardConfig, BoardFilter, MoveRequest, Qualification, ReactivationKind, SlaState,
};
use sodate_core::{activities, leads, segments, Error, LeadInput};

use crate::scoring::{log, now};
use crate::TempDb;

fn to(stage: &str) -> MoveRequest {
    MoveRequest {
        stage: stage.into(),
        ..Default::default()
    }
}

fn with_reason(stage: &str, reason: &str, note: &str) -> MoveRequest {
    MoveRequest {
        stage: stage.into(),
        reason: reason.into(),
        note: note.into(),
        confirm_incomplete_bant: false,
    }
}

/// A new lead, created (as its history says) a year before the tests' "now".
fn fresh(t: &TempDb, title: &str, email: &str) -> i64 {
    let id = crate::scoring::lead(t, title, email);
    Connection::open(t.path())
        .unwrap()
        .execute(
            "UPDATE lifecycle_history SET changed_at = '2025-11-20T12:00:00Z' WHERE lead_id = ?1",
            [id],
        )
        .unwrap();
    id
}

fn stage(t: &TempDb, id: i64) -> String {
    leads::get(&t.db, id).unwrap().lead.lifecycle_stage
}

fn history_len(t: &TempDb, id: i64) -> usize {
    handoff::history(&t.db, id).unwrap().len()
}

/// A lead (fit 35) made an MQL by three activities (engagement 74.8); returns its id.
fn mql_lead(t: &TempDb, email: &str) -> i64 {
    let id = fresh(t, "取締役", email);
    log(t, id, "document_request", 0, "");
    log(t, id, "meeting", 0, "");
    log(t, id, "seminar_attended", 1, "");
    id
}

fn issue_code(e: Error) -> String {
    match e {
        Error::Invalid { issues } => format!("{}:{}", issues[0].field, issues[0].code),
        other => format!("{}:{other}", other.code()),
    }
}

#[test]
fn a_lead_crossing_the_mql_threshold_enters_mql_with_the_reason() {
    let t = TempDb::new();
    let id = fresh(&t, "取締役", "board@sample.co.jp");
    log(&t, id, "document_request", 0, "");
    log(&t, id, "meeting", 0, "");
    assert_eq!(stage(&t, id), "lead", "55 points is below the threshold");
    log(&t, id, "seminar_attended", 1, "");
    assert_eq!(stage(&t, id), "mql");
    let h = handoff::history(&t.db, id).unwrap();
    assert_eq!(h.len(), 2, "created, then MQL");
    assert_eq!(h[0].from_stage.as_deref(), Some("lead"));
    assert_eq!(h[0].to_stage, "mql");
    assert_eq!(h[0].actor, "system");
    assert!(h[0].automatic);
    assert_eq!(h[0].changed_at, "2026-11-20T12:00:00Z");
    assert!(
        h[0].reason.contains("MQL score threshold") && h[0].reason.contains("engagement 74.8"),
        "{}",
        h[0].reason
    );
    // Already an MQL: another activity records nothing more.
    log(&t, id, "call", 0, "");
    assert_eq!(history_len(&t, id), 2);
}

#[test]
fn every_move_is_recorded_with_who_when_from_to_and_why() {
    let t = TempDb::new();
    let id = mql_lead(&t, "a@sample.co.jp");
    let out = handoff::move_lead(&t.db, id, &to("sal"), "佐藤 一郎", now()).unwrap();
    assert_eq!(
        (out.from_stage.as_str(), out.to_stage.as_str()),
        ("mql", "sal")
    );
    let lost = with_reason("lost", "競合に決定", "価格で他社に決まった");
    handoff::move_lead(&t.db, id, &lost, "佐藤 一郎", now() + Duration::hours(1)).unwrap();
    let h = handoff::history(&t.db, id).unwrap();
    assert_eq!(h[0].from_stage.as_deref(), Some("sal"));
    assert_eq!(h[0].to_stage, "lost");
    assert_eq!(h[0].actor, "佐藤 一郎");
    assert_eq!(h[0].reason, "競合に決定");
    assert_eq!(h[0].note, "価格で他社に決まった");
    assert_eq!(h[0].changed_at, "2026-11-20T13:00:00Z");
    assert!(!h[0].automatic);
    assert_eq!(h[1].to_stage, "sal");
    let detail = leads::get(&t.db, id).unwrap();
    assert_eq!(detail.lead.lifecycle_stage, "lost");
    assert_eq!(
        detail.stage_history, h,
        "the lead detail shows the same history"
    );
}

#[test]
fn refused_moves_record_nothing() {
    let t = TempDb::new();
    let id = mql_lead(&t, "b@sample.co.jp");
    let before = history_len(&t, id);
    let cases = [
        (to("lost"), "reason:required"),
        (with_reason("recycled", "", "メモだけ"), "reason:required"),
        (
            with_reason("disqualified", "気分", ""),
            "reason:unknown_reason",
        ),
        (to("negotiating"), "stage:unknown_stage"),
        (to("sql"), "bant:bant_incomplete"),
    ];
    for (req, expected) in cases {
        let err = handoff::move_lead(&t.db, id, &req, "佐藤", now()).unwrap_err();
        assert_eq!(issue_code(err), expected, "{req:?}");
    }
    let err = handoff::move_lead(&t.db, id, &to("mql"), "佐藤", now()).unwrap_err();
    assert!(
        err.to_string().contains("already in the stage mql"),
        "{err}"
    );
    assert_eq!(stage(&t, id), "mql");
    assert_eq!(history_len(&t, id), before);

    // A deleted lead and a merged-away lead.
    let gone = fresh(&t, "部長", "gone@sample.co.jp");
    leads::delete(&t.db, gone).unwrap();
    let err = handoff::move_lead(&t.db, gone, &to("sal"), "佐藤", now()).unwrap_err();
    assert_eq!(err.code(), "not_found");
    assert_eq!(err.to_string(), format!("lead {gone} does not exist"));

    let merged = fresh(&t, "部長", "merged@sample.co.jp");
    merge(&t.db, id, merged, &MergeChoices::default()).unwrap();
    let err = handoff::move_lead(&t.db, merged, &to("sal"), "佐藤", now()).unwrap_err();
    assert_eq!(err.code(), "conflict");
    assert!(
        err.to_string().contains(&format!("merged into lead {id}")),
        "{err}"
    );
    let count: u32 = Connection::open(t.path())
        .unwrap()
        .query_row(
            "SELECT count(*) FROM lifecycle_history WHERE to_stage = 'sal'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(count, 0);
}

#[test]
fn sql_needs_complete_bant_or_a_confirmation() {
    let t = TempDb::new();
    let id = mql_lead(&t, "c@sample.co.jp");
    let mut q = Qualification {
        budget: " 500万円 ".into(),
        authority: "部長が決裁".into(),
        need: "名刺管理の効率化".into(),
        challenges: "属人化".into(),
        ..Default::default()
    };
    let stored = handoff::set_qualification(&t.db, id, &q, "佐藤", now()).unwrap();
    assert_eq!(stored.budget, "500万円");
    assert_eq!((stored.bant_answered(), stored.champ_answered()), (3, 1));
    let err = handoff::move_lead(&t.db, id, &to("sql"), "佐藤", now()).unwrap_err();
    assert!(err.to_string().contains("3 of 4 BANT answers"), "{err}");

    let confirmed = MoveRequest {
        confirm_incomplete_bant: true,
        ..to("sql")
    };
    handoff::move_lead(&t.db, id, &confirmed, "佐藤", now()).unwrap();
    assert_eq!(stage(&t, id), "sql");

    let other = mql_lead(&t, "d@sample.co.jp");
    q.timeline = "来期4月".into();
    handoff::set_qualification(&t.db, other, &q, "佐藤", now()).unwrap();
    handoff::move_lead(&t.db, other, &to("sql"), "佐藤", now()).unwrap();
    let detail = leads::get(&t.db, other).unwrap();
    assert_eq!(detail.qualification.timeline, "来期4月");
}

#[test]
fn a_recycled_lead_reenters_mql_only_when_it_meets_the_rule_again() {
    let t = TempDb::new();
    let id = fresh(&t, "取締役", "r@sample.co.jp");
    log(&t, id, "document_request", 0, "");
    log(&t, id, "meeting", 0, "");
    let seminar = log(&t, id, "seminar_attended", 1, "");
    assert_eq!(stage(&t, id), "mql");
    let recycle = with_reason("recycled", "検討時期が先", "");
    handoff::move_lead(&t.db, id, &recycle, "佐藤", now()).unwrap();

    // Still above the threshold: more activity does not bring it back.
    log(&t, id, "note", 0, "電話で近況確認");
    assert_eq!(stage(&t, id), "recycled");
    // Below the threshold, then above it again: it re-enters, automatically, with the reason.
    activities::remove(&t.db, seminar, now()).unwrap();
    assert_eq!(stage(&t, id), "recycled");
    log(&t, id, "seminar_attended", 0, "");
    assert_eq!(stage(&t, id), "mql");
    let h = handoff::history(&t.db, id).unwrap();
    let moves: Vec<_> = h
        .iter()
        .map(|c| (c.to_stage.as_str(), c.automatic))
        .collect();
    assert_eq!(
        moves,
        [
            ("mql", true),
            ("recycled", false),
            ("mql", true),
            ("lead", false)
        ]
    );
    assert_eq!(h[1].reason, "検討時期が先");
}

#[test]
fn a_segment_can_be_the_mql_rule() {
    let t = TempDb::new();
    let cxo = fresh(&t, "取締役", "s1@sample.co.jp");
    let staff = fresh(&t, "", "s2@sample.co.jp");
    let rule = segments::save(
        &t.db,
        "役員",
        &segments::parse(&json!({"field": "title", "op": "contains", "value": "取締役"})).unwrap(),
    )
    .unwrap();
    let mut config = handoff::config(&t.db).unwrap();
    config.mql_segment = Some(rule);
    assert_eq!(handoff::save_config(&t.db, config, now()).unwrap(), 1);
    assert_eq!(stage(&t, cxo), "mql");
    assert_eq!(stage(&t, staff), "lead");
    let h = handoff::history(&t.db, cxo).unwrap();
    assert!(
        h[0].reason.contains("役員") && h[0].automatic,
        "{}",
        h[0].reason
    );

    let mut bad = handoff::config(&t.db).unwrap();
    bad.mql_segment = Some(9_999);
    let err = handoff::save_config(&t.db, bad, now()).unwrap_err();
    assert_eq!(issue_code(err), "mqlSegment:not_found");
}

#[test]
fn the_board_config_is_validated_and_kept() {
    let t = TempDb::new();
    let mut config = BoardConfig::default();
    config.stages[5].reasons = vec!["  ".into()];
    let err = handoff::save_config(&t.db, config, now()).unwrap_err();
    assert_eq!(issue_code(err), "stages[5].reasons:required");
    let mut config = BoardConfig::default();
    config.stages[1].label_ja = " 営業受付 ".into();
    config.stages[1].sla_days = 1;
    config.stages[5].reasons = vec!["価格".into(), "価格".into(), "時期".into()];
    handoff::save_config(&t.db, config, now()).unwrap();
    let kept = handoff::config(&t.db).unwrap();
    assert_eq!(kept.stages[1].label_ja, "営業受付");
    assert_eq!(kept.stages[5].reasons, ["価格", "時期"]);
    let err = handoff::move_lead(
        &t.db,
        mql_lead(&t, "v@sample.co.jp"),
        &with_reason("lost", "競合に決定", ""),
        "佐藤",
        now(),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("choose one of 価格, 時期"),
        "{err}"
    );
}

#[test]
fn overdue_counts_match_the_overdue_cards_and_leave_out_leads_without_an_entry_time() {
    let t = TempDb::new();
    let ids: Vec<i64> = (0..4)
        .map(|i| mql_lead(&t, &format!("due-{i}@sample.co.jp")))
        .collect();
    // SLA of SAL: 3 days. 10 and 4 days ago: overdue; 1 day ago: on time; no time: unknown.
    for (id, days) in ids.iter().zip([10, 4, 1, 1]) {
        handoff::move_lead(&t.db, *id, &to("sal"), "佐藤", now() - Duration::days(days)).unwrap();
    }
    Connection::open(t.path())
        .unwrap()
        .execute(
            "UPDATE leads SET stage_changed_at = NULL WHERE id = ?1",
            [ids[3]],
        )
        .unwrap();
    let sal = |f: &BoardFilter| {
        let board = handoff::board(&t.db, f, 50, now()).unwrap();
        board
            .columns
            .into_iter()
            .find(|c| c.stage == "sal")
            .unwrap()
    };
    let all = sal(&BoardFilter::default());
    assert_eq!((all.count, all.overdue, all.page.total), (4, 2, 4));
    let overdue = sal(&BoardFilter {
        overdue_only: true,
        ..Default::default()
    });
    assert_eq!(
        (overdue.count, overdue.overdue, overdue.page.total),
        (4, 2, 2)
    );
    let shown: Vec<i64> = overdue.page.cards.iter().map(|c| c.id).collect();
    assert_eq!(shown, ids[..2]);
    let page = handoff::column(
        &t.db,
        "sal",
        &BoardFilter {
            overdue_only: true,
            ..Default::default()
        },
        0,
        50,
        now(),
    )
    .unwrap();
    assert_eq!(page.total, 2);
}

#[test]
fn owner_filter_lists_each_owner_of_a_lead_on_the_board_once_in_order() {
    let t = TempDb::new();
    let a = mql_lead(&t, "own-a@sample.co.jp");
    let b = mql_lead(&t, "own-b@sample.co.jp");
    let c = mql_lead(&t, "own-c@sample.co.jp");
    let d = fresh(&t, "課長", "own-d@sample.co.jp");
    handoff::move_lead(&t.db, b, &to("sal"), "佐藤", now()).unwrap();
    handoff::set_owner(&t.db, a, "山本 一郎").unwrap();
    handoff::set_owner(&t.db, b, "佐藤 花子").unwrap();
    handoff::set_owner(&t.db, c, "佐藤 花子").unwrap();
    // d is not on the board (stage "lead"): its owner is not offered.
    handoff::set_owner(&t.db, d, "伊藤 健").unwrap();
    assert_eq!(stage(&t, d), "lead");

    let board = handoff::board(&t.db, &BoardFilter::default(), 50, now()).unwrap();
    assert_eq!(board.owners, ["佐藤 花子", "山本 一郎"]);

    // Found in the owners' index (0012), not by reading the leads on the board.
    let plan: Vec<String> = Connection::open(t.path())
        .unwrap()
        .prepare(
            "EXPLAIN QUERY PLAN SELECT min(owner) FROM leads WHERE owner <> '' AND owner > 'a'",
        )
        .unwrap()
        .query_map([], |r| r.get(3))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(
        plan.iter().any(|p| p.contains("leads_by_owner")),
        "{plan:?}"
    );
}

#[test]
fn board_columns_count_overdue_cards_and_filter() {
    let t = TempDb::new();
    let a = mql_lead(&t, "col-a@sample.co.jp");
    let b = mql_lead(&t, "col-b@sample.co.jp");
    let c = mql_lead(&t, "col-c@sample.co.jp");
    // b has been in SAL for 5 days (SLA 3): overdue; c 2 days: due soon (≥ 3/4 of 3 is 2.25 → no).
    handoff::move_lead(&t.db, b, &to("sal"), "佐藤", now() - Duration::days(5)).unwrap();
    handoff::move_lead(&t.db, c, &to("sal"), "佐藤", now() - Duration::days(2)).unwrap();
    handoff::set_owner(&t.db, b, "鈴木 次郎").unwrap();
    handoff::set_owner(&t.db, a, "鈴木 次郎").unwrap();

    let board = handoff::board(&t.db, &BoardFilter::default(), 50, now()).unwrap();
    let col = |s: &str| board.columns.iter().find(|c| c.stage == s).unwrap();
    assert_eq!(board.columns.len(), 8);
    assert_eq!(
        (col("mql").count, col("sal").count, col("sal").overdue),
        (1, 2, 1)
    );
    let sal = &col("sal").page.cards;
    assert_eq!(sal[0].id, b, "longest in the stage first");
    assert_eq!((sal[0].days_in_stage, sal[0].sla), (5, SlaState::Overdue));
    assert_eq!((sal[1].days_in_stage, sal[1].sla), (2, SlaState::OnTime));
    assert_eq!(sal[0].family_name, "山田");
    assert_eq!(sal[0].company_name.as_deref(), Some("株式会社サンプル"));
    assert_eq!(sal[0].owner, "鈴木 次郎");
    assert_eq!(board.owners, ["鈴木 次郎"]);
    assert_eq!(SlaState::of(3, 4), SlaState::DueSoon);

    let mine = BoardFilter {
        owner: Some("鈴木 次郎".into()),
        ..Default::default()
    };
    let board = handoff::board(&t.db, &mine, 50, now()).unwrap();
    let counts: Vec<u32> = board.columns.iter().map(|c| c.count).collect();
    assert_eq!(counts, [1, 1, 0, 0, 0, 0, 0, 0]);
    let overdue = BoardFilter {
        overdue_only: true,
        ..Default::default()
    };
    let page = handoff::column(&t.db, "sal", &overdue, 0, 50, now()).unwrap();
    assert_eq!((page.total, page.cards[0].id), (1, b));

    let seg = segments::save(
        &t.db,
        "c だけ",
        &segments::parse(&json!({"field": "email", "op": "eq", "value": "col-c@sample.co.jp"}))
            .unwrap(),
    )
    .unwrap();
    let only_c = BoardFilter {
        segment: Some(seg),
        ..Default::default()
    };
    let page = handoff::column(&t.db, "sal", &only_c, 0, 50, now()).unwrap();
    assert_eq!(page.cards.iter().map(|c| c.id).collect::<Vec<_>>(), [c]);

    let conn = Connection::open(t.path()).unwrap();
    conn.execute(
        "INSERT INTO events (id, name, created_at) VALUES (7, '展示会 2026', '2026-01-01T00:00:00Z')",
        [],
    )
    .unwrap();
    conn.execute("UPDATE leads SET first_event_id = 7 WHERE id = ?1", [a])
        .unwrap();
    let at_event = BoardFilter {
        event: Some(7),
        ..Default::default()
    };
    let board = handoff::board(&t.db, &at_event, 50, now()).unwrap();
    assert_eq!(board.columns[0].page.cards[0].id, a);
    assert_eq!(board.events[0].name, "展示会 2026");

    let err = handoff::column(&t.db, "lead", &BoardFilter::default(), 0, 50, now()).unwrap_err();
    assert_eq!(issue_code(err), "stage:unknown_stage");
}

#[test]
fn a_long_column_is_paged() {
    let t = TempDb::new();
    let conn = Connection::open(t.path()).unwrap();
    conn.execute_batch(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1200)
         INSERT INTO leads (family_name, lifecycle_stage, stage_changed_at, created_at, updated_at)
         SELECT '佐藤' || i, 'sal', printf('2026-10-%02dT00:00:00Z', 1 + i % 28), '2026-01-01T00:00:00Z',
                '2026-01-01T00:00:00Z' FROM n;",
    )
    .unwrap();
    let page = handoff::column(&t.db, "sal", &BoardFilter::default(), 100, 50, now()).unwrap();
    assert_eq!((page.total, page.offset, page.cards.len()), (1200, 100, 50));
    assert!(page.cards[0].stage_changed_at <= page.cards[49].stage_changed_at);
    let board = handoff::board(&t.db, &BoardFilter::default(), 50, now()).unwrap();
    assert_eq!(
        (board.columns[1].count, board.columns[1].overdue),
        (1200, 1200)
    );
    assert_eq!(board.columns[1].page.cards.len(), 50);
}

#[test]
fn lost_and_dormant_leads_are_listed_and_moved_back_in_bulk() {
    let t = TempDb::new();
    let lost = mql_lead(&t, "lost@sample.co.jp");
    handoff::move_lead(
        &t.db,
        lost,
        &with_reason("lost", "予算が合わない", ""),
        "佐藤",
        now(),
    )
    .unwrap();
    let quiet = fresh(&t, "取締役", "quiet@sample.co.jp");
    log(&t, quiet, "document_request", 200, "");
    log(&t, quiet, "meeting", 120, "");
    handoff::move_lead(&t.db, quiet, &to("sal"), "佐藤", now()).unwrap();
    let busy = mql_lead(&t, "busy@sample.co.jp");

    let page = handoff::reactivation(&t.db, ReactivationKind::Lost, 0, 50, now()).unwrap();
    assert_eq!(page.rows.iter().map(|r| r.id).collect::<Vec<_>>(), [lost]);
    assert_eq!(page.rows[0].stage_reason, "予算が合わない");
    assert_eq!(page.rows[0].days_silent, 0);
    let page = handoff::reactivation(&t.db, ReactivationKind::Dormant, 0, 50, now()).unwrap();
    assert_eq!(page.rows.iter().map(|r| r.id).collect::<Vec<_>>(), [quiet]);
    assert_eq!((page.rows[0].days_silent, page.dormant_days), (120, 90));
    assert!(page.rows.iter().all(|r| r.id != busy));

    let back = with_reason("recycled", "検討時期が先", "再ナーチャリング");
    let gone = fresh(&t, "", "gone2@sample.co.jp");
    leads::delete(&t.db, gone).unwrap();
    let err = handoff::move_many(&t.db, &[lost, quiet, gone], &back, "佐藤", now()).unwrap_err();
    assert_eq!(err.code(), "not_found");
    assert_eq!(stage(&t, lost), "lost", "a refused bulk move moves nobody");
    let r = handoff::move_many(&t.db, &[lost, quiet], &back, "佐藤", now()).unwrap();
    assert_eq!((r.moved, r.unchanged), (2, 0));
    assert_eq!(
        (stage(&t, lost), stage(&t, quiet)),
        ("recycled".into(), "recycled".into())
    );
    let r = handoff::move_many(&t.db, &[lost], &back, "佐藤", now()).unwrap();
    assert_eq!((r.moved, r.unchanged), (0, 1));
}

#[test]
fn the_handoff_sheet_has_what_sales_needs() {
    let t = TempDb::new();
    let id = leads::create(
        &t.db,
        &LeadInput {
            family_name: "髙橋".into(),
            given_name: "誠".into(),
            family_reading: "たかはし".into(),
            given_reading: "まこと".into(),
            company_name: "株式会社テスト".into(),
            title: "取締役".into(),
            email: "takahashi@test.co.jp".into(),
            phone: "03-1234-5678".into(),
            notes: "=HYPERLINK(\"x\")".into(),
            ..Default::default()
        },
    )
    .unwrap()
    .lead
    .id;
    log(&t, id, "seminar_attended", 3, "DX セミナー");
    let q = Qualification {
        budget: "300万円".into(),
        need: "展示会リードの管理".into(),
        ..Default::default()
    };
    handoff::set_qualification(&t.db, id, &q, "佐藤", now()).unwrap();
    let sheets = handoff::handoff_sheets(&t.db, &[id], now()).unwrap();
    let s = &sheets[0];
    assert_eq!(
        (s.family_name.as_str(), s.email.as_str()),
        ("髙橋", "takahashi@test.co.jp")
    );
    assert_eq!(s.activities[0].detail, "DX セミナー");
    assert!(!s.score_summary.is_empty());
    let csv = handoff::handoff_csv(&sheets);
    assert!(csv.starts_with("\u{feff}ID,氏名,よみ,会社名"));
    let row = csv.lines().nth(1).unwrap();
    assert!(
        row.contains("髙橋 誠,たかはし まこと,株式会社テスト"),
        "{row}"
    );
    assert!(row.contains(",300万円,,展示会リードの管理,"), "{row}");
    assert!(row.ends_with("\"'=HYPERLINK(\"\"x\"\")\""), "{row}");
    let path = t.dir.path().join("sheet.csv");
    assert_eq!(
        handoff::write_handoff_csv(&t.db, &[id], &path, now()).unwrap(),
        1
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), csv);
    let err = handoff::handoff_sheets(&t.db, &[id, 424_242], now()).unwrap_err();
    assert_eq!(err.code(), "not_found");
}
