//! Merging two leads and undoing it: what the survivor gets, what nothing loses, and that an
//! unmerge gives back both leads exactly.

use std::sync::atomic::AtomicBool;

use chrono::NaiveDate;
use rusqlite::types::Value;
use rusqlite::Connection;
use sodate_core::dedupe::{self, MergeChoices, MergeSide};
use sodate_core::demo::{generate, DemoOptions};
use sodate_core::{leads, LeadInput};

use crate::TempDb;

type Dump = Vec<(&'static str, Vec<Vec<Value>>)>;

/// Every row of the tables a merge touches, in id order.
fn dump(t: &TempDb) -> Dump {
    let conn = Connection::open(t.path()).unwrap();
    // The search index agrees with the leads (a re-inserted lead is findable again).
    conn.execute_batch("INSERT INTO lead_search (lead_search, rank) VALUES ('integrity-check', 1)")
        .unwrap();
    [
        ("leads", "SELECT * FROM leads ORDER BY id"),
        ("lead_scores", "SELECT * FROM lead_scores ORDER BY id"),
        (
            "lead_tags",
            "SELECT * FROM lead_tags ORDER BY lead_id, tag_id",
        ),
        ("activities", "SELECT * FROM activities ORDER BY id"),
        (
            "lifecycle_history",
            "SELECT * FROM lifecycle_history ORDER BY id",
        ),
        ("consents", "SELECT * FROM consents ORDER BY id"),
        ("lead_contacts", "SELECT * FROM lead_contacts ORDER BY id"),
    ]
    .into_iter()
    .map(|(name, sql)| {
        let mut stmt = conn.prepare(sql).unwrap();
        let n = stmt.column_count();
        let rows = stmt
            .query_map([], |r| (0..n).map(|i| r.get::<_, Value>(i)).collect())
            .unwrap()
            .collect::<rusqlite::Result<Vec<Vec<Value>>>>()
            .unwrap();
        (name, rows)
    })
    .collect()
}

fn add(t: &TempDb, input: LeadInput) -> i64 {
    leads::create(&t.db, &input).unwrap().lead.id
}

fn sql(t: &TempDb, sql: &str) {
    Connection::open(t.path())
        .unwrap()
        .execute_batch(sql)
        .unwrap();
}

fn count(t: &TempDb, sql: &str) -> i64 {
    Connection::open(t.path())
        .unwrap()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

/// Two records of one person: 髙橋 from a trade show (opted in), 高橋 from a document
/// request (opted out, a second address, edited later).
fn pair(t: &TempDb) -> (i64, i64) {
    let a = add(
        t,
        LeadInput {
            family_name: "髙橋".into(),
            given_name: "宏".into(),
            family_reading: "たかはし".into(),
            given_reading: "ひろし".into(),
            company_name: "株式会社サンプル".into(),
            email: "h.takahashi@sample.co.jp".into(),
            phone: "03-1234-5678".into(),
            tags: vec!["展示会".into()],
            ..Default::default()
        },
    );
    let b = add(
        t,
        LeadInput {
            family_name: "高橋".into(),
            given_name: "宏".into(),
            company_name: "(株)サンプル".into(),
            title: "部長".into(),
            email: "takahashi@gmail.com".into(),
            mobile: "090-1111-2222".into(),
            tags: vec!["資料請求".into(), "展示会".into()],
            ..Default::default()
        },
    );
    sql(
        t,
        &format!(
            "UPDATE leads SET consent_state = 'opted_in', custom = '{{\"industry\":\"製造\"}}' WHERE id = {a};
             UPDATE leads SET consent_state = 'opted_out', lifecycle_stage = 'mql',
                 custom = '{{\"industry\":\"\",\"budget\":\"500\"}}', updated_at = '2099-01-01T00:00:00Z' WHERE id = {b};
             UPDATE lead_scores SET engagement_score = 12.3456789 WHERE id = {b};
             INSERT INTO activities (lead_id, type_id, occurred_at, detail) VALUES
                 ({a}, 1, 1700000000, 'booth'), ({b}, 3, 1700000100, 'doc'), ({b}, 9, 1700000200, 'open');
             INSERT INTO consents (lead_id, state, method, recorded_at) VALUES
                 ({a}, 'opted_in', 'card_exchange', '2026-01-01'), ({b}, 'opted_out', 'web_form', '2026-02-01');
             INSERT INTO lead_contacts (lead_id, kind, value, value_key) VALUES
                 ({b}, 'email', 'hiro@example.jp', 'hiro@example.jp');"
        ),
    );
    (a, b)
}

#[test]
fn merge_moves_everything_to_the_survivor_and_keeps_the_strictest_consent() {
    let t = TempDb::new();
    let (a, b) = pair(&t);
    let choices = MergeChoices {
        fields: [("family_name".to_string(), MergeSide::Survivor)].into(),
        ..Default::default()
    };
    let report = dedupe::merge(&t.db, a, b, &choices).unwrap();
    assert_eq!(report.survivor_id, a);
    assert_eq!(report.activities_moved, 2);
    assert_eq!(report.consents_moved, 1);
    assert_eq!(report.contacts_moved, 1);
    assert_eq!(
        report.consent_state, "opted_out",
        "an opt-out is never lost"
    );
    assert_eq!(report.lifecycle_stage, "mql", "the more advanced stage");

    let lead = leads::get(&t.db, a).unwrap();
    assert_eq!(lead.lead.family_name, "髙橋", "chosen: the survivor's");
    assert_eq!(
        lead.lead.title, "部長",
        "empty on the survivor: the merged value"
    );
    assert_eq!(
        lead.lead.email, "takahashi@gmail.com",
        "the merged lead was edited later: its value by default"
    );
    assert_eq!(
        lead.tags,
        vec!["展示会".to_string(), "資料請求".to_string()]
    );
    assert!(leads::get(&t.db, b).is_err(), "the merged lead is gone");
    assert_eq!(
        count(
            &t,
            &format!("SELECT count(*) FROM activities WHERE lead_id = {a}")
        ),
        3
    );
    let secondary = |v: &str| {
        count(
            &t,
            &format!("SELECT count(*) FROM lead_contacts WHERE lead_id = {a} AND value = '{v}'"),
        )
    };
    assert_eq!(
        secondary("h.takahashi@sample.co.jp"),
        1,
        "the replaced address stays"
    );
    assert_eq!(
        secondary("hiro@example.jp"),
        1,
        "the merged lead's secondary moved"
    );
    assert_eq!(
        secondary("takahashi@gmail.com"),
        0,
        "a main value is not doubled"
    );
    assert_eq!(
        count(
            &t,
            &format!("SELECT CAST(json_extract(custom, '$.budget') AS INTEGER) FROM leads WHERE id = {a}")
        ),
        500
    );
    let industry: String = Connection::open(t.path())
        .unwrap()
        .query_row(
            &format!("SELECT json_extract(custom, '$.industry') FROM leads WHERE id = {a}"),
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(industry, "製造", "the survivor's custom value wins");
    let journal = dedupe::merges(&t.db).unwrap();
    assert_eq!(journal.len(), 1);
    assert_eq!(journal[0].merged_name, "高橋 宏");
    assert_eq!(
        count(
            &t,
            "SELECT count(*) FROM audit_log WHERE action = 'lead.merge'"
        ),
        1
    );
}

#[test]
fn unmerge_restores_both_leads_exactly() {
    let t = TempDb::new();
    let (a, b) = pair(&t);
    let before = dump(&t);
    let report = dedupe::merge(&t.db, a, b, &MergeChoices::default()).unwrap();
    assert_ne!(dump(&t), before);
    let undo = dedupe::unmerge(&t.db, report.merge_id).unwrap();
    assert_eq!(undo.restored_id, b);
    assert_eq!(undo.activities_returned, 2);
    assert!(undo.kept_fields.is_empty() && undo.not_restored.is_empty());
    assert_eq!(
        dump(&t),
        before,
        "every column, tag, activity, consent and contact"
    );
    assert!(dedupe::merges(&t.db).unwrap()[0].undone_at.is_some());
    assert_eq!(
        count(
            &t,
            "SELECT count(*) FROM audit_log WHERE action = 'lead.unmerge'"
        ),
        1
    );
}

#[test]
fn an_edit_to_the_survivor_after_the_merge_is_kept_and_reported() {
    let t = TempDb::new();
    let (a, b) = pair(&t);
    let report = dedupe::merge(&t.db, a, b, &MergeChoices::default()).unwrap();
    let mut input = leads::get(&t.db, a).unwrap();
    let edited = LeadInput {
        family_name: input.lead.family_name.clone(),
        given_name: input.lead.given_name.clone(),
        title: "取締役".into(),
        email: input.lead.email.clone(),
        tags: std::mem::take(&mut input.tags),
        ..Default::default()
    };
    leads::update(&t.db, a, &edited).unwrap();
    let undo = dedupe::unmerge(&t.db, report.merge_id).unwrap();
    assert!(
        undo.kept_fields.contains(&"title".to_string()),
        "{:?}",
        undo.kept_fields
    );
    let survivor = leads::get(&t.db, a).unwrap().lead;
    assert_eq!(survivor.title, "取締役", "the later edit is kept");
    assert_eq!(leads::get(&t.db, b).unwrap().lead.title, "部長");
    assert_eq!(
        count(
            &t,
            &format!("SELECT count(*) FROM activities WHERE lead_id = {b}")
        ),
        2
    );
}

#[test]
fn bad_merges_and_unmerges_are_refused() {
    let t = TempDb::new();
    let (a, b) = pair(&t);
    let c = add(
        &t,
        LeadInput {
            family_name: "佐藤".into(),
            ..Default::default()
        },
    );
    let none = MergeChoices::default();
    let err = dedupe::merge(&t.db, a, a, &none).unwrap_err();
    assert_eq!(err.code(), "invalid");
    assert_eq!(
        dedupe::merge(&t.db, a, 9999, &none).unwrap_err().code(),
        "not_found"
    );
    let bad_field = MergeChoices {
        fields: [("colour".to_string(), MergeSide::Merged)].into(),
        ..Default::default()
    };
    assert_eq!(
        dedupe::merge(&t.db, a, b, &bad_field).unwrap_err().code(),
        "invalid"
    );

    let first = dedupe::merge(&t.db, a, b, &none).unwrap();
    let twice = dedupe::merge(&t.db, c, b, &none).unwrap_err();
    assert!(
        twice.to_string().contains("already merged into lead"),
        "{twice}"
    );

    // The survivor merged away since: that merge must be undone first.
    let second = dedupe::merge(&t.db, c, a, &none).unwrap();
    let err = dedupe::unmerge(&t.db, first.merge_id).unwrap_err();
    assert!(
        err.to_string()
            .contains(&format!("unmerge merge {} first", second.merge_id)),
        "{err}"
    );
    dedupe::unmerge(&t.db, second.merge_id).unwrap();
    dedupe::unmerge(&t.db, first.merge_id).unwrap();
    let again = dedupe::unmerge(&t.db, first.merge_id).unwrap_err();
    assert!(again.to_string().contains("already undone"), "{again}");
    assert_eq!(dedupe::unmerge(&t.db, 999).unwrap_err().code(), "not_found");
}

#[test]
fn a_pair_marked_not_duplicate_is_remembered_and_skipped() {
    let t = TempDb::new();
    let (a, b) = pair(&t);
    dedupe::mark_not_duplicate(&t.db, b, a).unwrap();
    dedupe::mark_not_duplicate(&t.db, a, b).unwrap();
    assert_eq!(
        count(
            &t,
            &format!("SELECT count(*) FROM not_duplicates WHERE lead_a = {a} AND lead_b = {b}")
        ),
        1
    );
    assert!(dedupe::mark_not_duplicate(&t.db, a, a).is_err());
    assert_eq!(
        dedupe::mark_not_duplicate(&t.db, a, 9999)
            .unwrap_err()
            .code(),
        "not_found"
    );
    let report = dedupe::scan(
        &t.db,
        &dedupe::ScanOptions {
            min_confidence: 0,
            ..Default::default()
        },
        &mut |_| {},
        &AtomicBool::new(false),
    )
    .unwrap();
    assert!(report.pairs.iter().all(|p| (p.a, p.b) != (a, b)));
}

/// 20 random merges of demo leads, undone in reverse order, give back the database as it was.
#[test]
fn random_demo_merges_undone_in_reverse_give_back_the_original_rows() {
    let t = TempDb::new();
    let options = DemoOptions {
        leads: 300,
        seed: 5,
        anchor: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
    };
    generate(&t.db, &options, &mut |_, _| {}, &AtomicBool::new(false)).unwrap();
    let original = dump(&t);
    let ids: Vec<i64> = {
        let conn = Connection::open(t.path()).unwrap();
        let mut stmt = conn.prepare("SELECT id FROM leads ORDER BY id").unwrap();
        let ids = stmt
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        ids
    };
    let mut alive: Vec<i64> = ids.clone();
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    let mut done = Vec::new();
    for round in 0..20 {
        let s = alive[next(alive.len())];
        let m = loop {
            let m = alive[next(alive.len())];
            if m != s {
                break m;
            }
        };
        let mut choices = MergeChoices::default();
        if round % 2 == 0 {
            choices
                .fields
                .insert("given_name".into(), MergeSide::Merged);
            choices.fields.insert("company".into(), MergeSide::Merged);
        }
        let report = dedupe::merge(&t.db, s, m, &choices).unwrap();
        alive.retain(|&id| id != m);
        done.push(report.merge_id);
    }
    assert_eq!(
        count(&t, "SELECT count(*) FROM leads"),
        ids.len() as i64 - 20
    );
    for merge_id in done.into_iter().rev() {
        let report = dedupe::unmerge(&t.db, merge_id).unwrap();
        assert!(report.kept_fields.is_empty(), "{report:?}");
        assert!(report.not_restored.is_empty(), "{report:?}");
    }
    let restored = dump(&t);
    for ((name, a), (_, b)) in original.iter().zip(restored.iter()) {
        assert_eq!(a.len(), b.len(), "{name}: row count");
        for (x, y) in a.iter().zip(b.iter()) {
            assert_eq!(x, y, "{name}");
        }
    }
}

/// Two merges into one survivor, undone oldest first: each lead gets back its own rows.
#[test]
fn merges_into_one_survivor_undone_out_of_order_return_each_leads_rows() {
    let t = TempDb::new();
    let (a, b) = pair(&t);
    let c = add(
        &t,
        LeadInput {
            family_name: "高橋".into(),
            given_name: "ひろし".into(),
            email: "hiroshi.t@example.com".into(),
            ..Default::default()
        },
    );
    sql(
        &t,
        &format!(
            "INSERT INTO activities (lead_id, type_id, occurred_at) VALUES ({c}, 14, 1700000300)"
        ),
    );
    let first = dedupe::merge(&t.db, a, b, &MergeChoices::default()).unwrap();
    let second = dedupe::merge(&t.db, a, c, &MergeChoices::default()).unwrap();
    assert_eq!(
        count(
            &t,
            &format!("SELECT count(*) FROM activities WHERE lead_id = {a}")
        ),
        4
    );
    dedupe::unmerge(&t.db, first.merge_id).unwrap();
    let rows = |id: i64| {
        count(
            &t,
            &format!("SELECT count(*) FROM activities WHERE lead_id = {id}"),
        )
    };
    assert_eq!((rows(a), rows(b)), (2, 2));
    assert_eq!(
        leads::get(&t.db, b).unwrap().lead.consent_state,
        "opted_out"
    );
    dedupe::unmerge(&t.db, second.merge_id).unwrap();
    assert_eq!((rows(a), rows(b), rows(c)), (1, 2, 1));
    assert_eq!(
        leads::get(&t.db, c).unwrap().lead.email,
        "hiroshi.t@example.com"
    );
}

#[test]
fn a_bulk_merge_takes_a_backup_and_merges_each_cluster_undoably() {
    let t = TempDb::new();
    let options = DemoOptions {
        anchor: NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
        ..DemoOptions::new(2000, 11)
    };
    generate(&t.db, &options, &mut |_, _| {}, &AtomicBool::new(false)).unwrap();
    let leads_before = count(&t, "SELECT count(*) FROM leads");
    let activities_before = count(&t, "SELECT count(*) FROM activities");
    let options = dedupe::ScanOptions {
        min_confidence: 90,
        ..Default::default()
    };
    let preview = dedupe::scan(&t.db, &options, &mut |_| {}, &AtomicBool::new(false)).unwrap();
    let expected_merged: usize = preview.clusters.iter().map(|c| c.members.len() - 1).sum();
    assert!(expected_merged > 0, "the demo data has sure duplicates");

    let mut phases = Vec::new();
    let report = dedupe::merge_clusters(
        &t.db,
        90,
        &mut |p| phases.push(p.phase),
        &AtomicBool::new(false),
    )
    .unwrap();
    assert_eq!(report.clusters_merged as usize, preview.clusters.len());
    assert_eq!(report.leads_merged as usize, expected_merged);
    assert_eq!(report.merge_ids.len(), expected_merged);
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    assert!(phases.contains(&dedupe::ScanPhase::BackingUp));
    assert_eq!(phases.last(), Some(&dedupe::ScanPhase::Merging));

    // The database after the merge: fewer leads, every activity kept.
    assert_eq!(
        count(&t, "SELECT count(*) FROM leads"),
        leads_before - expected_merged as i64
    );
    assert_eq!(
        count(&t, "SELECT count(*) FROM activities"),
        activities_before
    );
    // The search index holds exactly the leads left, with their merged text (its writes
    // were held back to the end of the merges).
    Connection::open(t.path())
        .unwrap()
        .execute_batch("INSERT INTO lead_search (lead_search, rank) VALUES ('integrity-check', 1)")
        .unwrap();
    // The backup is the database as it was before.
    let backup = Connection::open(&report.backup.path).unwrap();
    let backed_up: i64 = backup
        .query_row("SELECT count(*) FROM leads", [], |r| r.get(0))
        .unwrap();
    assert_eq!(backed_up, leads_before);
    assert!(report.backup.bytes > 0);
    assert!(report.backup.path.contains("backups"));

    // A second run finds nothing left at that confidence.
    let again = dedupe::merge_clusters(&t.db, 90, &mut |_| {}, &AtomicBool::new(false)).unwrap();
    assert_eq!(again.clusters_merged, 0);

    // Each merge is in the journal of its survivor and can be undone alone.
    let first = report.merge_ids[0];
    let summary = dedupe::merges(&t.db)
        .unwrap()
        .into_iter()
        .find(|m| m.id == first)
        .unwrap();
    let of_survivor = dedupe::merges_of(&t.db, summary.survivor_id).unwrap();
    assert!(of_survivor.iter().any(|m| m.id == first));
    assert!(dedupe::merges_of(&t.db, summary.merged_id)
        .unwrap()
        .iter()
        .any(|m| m.id == first));
    dedupe::unmerge(&t.db, first).unwrap();
    assert_eq!(
        leads::get(&t.db, summary.merged_id).unwrap().lead.id,
        summary.merged_id
    );
}

#[test]
fn a_bulk_merge_refuses_a_low_threshold_and_a_cancel_writes_nothing() {
    let t = TempDb::new();
    let (a, b) = pair(&t);
    let err = dedupe::merge_clusters(&t.db, 50, &mut |_| {}, &AtomicBool::new(false)).unwrap_err();
    assert_eq!(err.code(), "invalid");
    assert!(err.to_string().contains("between 70 and 100"), "{err}");
    let err = dedupe::merge_clusters(&t.db, 101, &mut |_| {}, &AtomicBool::new(false)).unwrap_err();
    assert_eq!(err.code(), "invalid");

    let before = dump(&t);
    let err = dedupe::merge_clusters(&t.db, 70, &mut |_| {}, &AtomicBool::new(true)).unwrap_err();
    assert_eq!(err.code(), "cancelled");
    assert_eq!(dump(&t), before);
    assert!(leads::get(&t.db, a).is_ok() && leads::get(&t.db, b).is_ok());
}

#[test]
fn the_survivor_is_rescored_with_both_histories_and_the_unmerge_gives_back_the_scores() {
    let t = TempDb::new();
    let (a, b) = pair(&t);
    // Recent document requests on each side: the default model scores them.
    let now = chrono::Utc::now().timestamp();
    sql(
        &t,
        &format!(
            "INSERT INTO activities (lead_id, type_id, occurred_at, detail)
             SELECT {a}, id, {now} - 86400, 'whitepaper' FROM activity_types WHERE code = 'document_request';
             INSERT INTO activities (lead_id, type_id, occurred_at, detail)
             SELECT {b}, id, {now} - 86400, 'price list' FROM activity_types WHERE code = 'document_request';"
        ),
    );
    let at = chrono::Utc::now();
    sodate_core::scoring::recompute_all(&t.db, at).unwrap();
    let alone = sodate_core::scoring::explain(&t.db, a, at).unwrap();
    let before = (
        leads::get(&t.db, a).unwrap().lead.engagement_score,
        leads::get(&t.db, b).unwrap().lead.engagement_score,
    );

    let merge = dedupe::merge(&t.db, a, b, &MergeChoices::default()).unwrap();
    let merged = sodate_core::scoring::explain(&t.db, a, at).unwrap();
    let stored = leads::get(&t.db, a).unwrap().lead.engagement_score;
    assert_eq!(
        stored, merged.engagement,
        "the stored score is the explained one"
    );
    assert!(
        merged.engagement > alone.engagement,
        "two document requests score more than one: {} > {}",
        merged.engagement,
        alone.engagement
    );
    let document_line = merged
        .lines
        .iter()
        .find(|l| l.rule_id == "document_request")
        .expect("a document request line");
    // Lead b already had one (the `pair` fixture): all three now count on the survivor.
    let requests = count(
        &t,
        &format!(
            "SELECT count(*) FROM activities WHERE lead_id = {a}
             AND type_id = (SELECT id FROM activity_types WHERE code = 'document_request')"
        ),
    );
    assert_eq!(requests, 3);
    assert_eq!(
        document_line.activity_ids.len(),
        3,
        "both leads' requests count"
    );

    dedupe::unmerge(&t.db, merge.merge_id).unwrap();
    assert_eq!(
        (
            leads::get(&t.db, a).unwrap().lead.engagement_score,
            leads::get(&t.db, b).unwrap().lead.engagement_score
        ),
        before,
        "both leads have their scores from before the merge"
    );
}
