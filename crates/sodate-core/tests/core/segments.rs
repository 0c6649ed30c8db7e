//! Segments: live counts, members, saved and frozen segments, the lead list by segment, and
//! bad input — as a marketer would see them.

use chrono::{Duration, Utc};
use rusqlite::Connection;
use serde_json::{json, Value};
use sodate_core::leads::bulk::{self, BulkAction, BulkTarget};
use sodate_core::segments::{self, SegmentFilter, SegmentKind};
use sodate_core::{leads, Error, LeadInput, LeadQuery, LeadSort};

use crate::TempDb;

fn lead(family: &str, given: &str, company: &str, title: &str, email: &str) -> LeadInput {
    LeadInput {
        family_name: family.into(),
        given_name: given.into(),
        company_name: company.into(),
        title: title.into(),
        email: email.into(),
        ..Default::default()
    }
}

fn filter(v: Value) -> SegmentFilter {
    segments::parse(&v).unwrap()
}

fn count(t: &TempDb, v: Value) -> u32 {
    segments::count(&t.db, &filter(v)).unwrap().count
}

fn member_names(t: &TempDb, v: Value) -> Vec<String> {
    let mut names: Vec<String> = segments::members(&t.db, &filter(v), 0, 100)
        .unwrap()
        .rows
        .iter()
        .map(|r| format!("{}{}", r.family_name, r.given_name))
        .collect();
    names.sort();
    names
}

/// Four people at three companies (two spellings of one), with activities written
/// straight into the file: 髙橋 attended a seminar 10 days ago, 田中 200 days ago.
fn seed(t: &TempDb) -> Vec<i64> {
    let ids: Vec<i64> = [
        lead(
            "髙橋",
            "一郎",
            "㈱サンプル",
            "営業部長",
            "ichiro@sample.co.jp",
        ),
        lead(
            "高橋",
            "花子",
            "サンプル株式会社",
            "取締役",
            "hanako@sample.co.jp",
        ),
        lead(
            "田中",
            "太郎",
            "東洋システム合同会社",
            "課長",
            "taro@toyo.example.jp",
        ),
        lead("佐藤", "次郎", "", "100%_'\"部長", ""),
    ]
    .iter()
    .map(|l| leads::create(&t.db, l).unwrap().lead.id)
    .collect();
    let conn = Connection::open(t.path()).unwrap();
    conn.execute(
        "UPDATE companies SET industry = 'IT・通信' WHERE name_key = 'サンプル'",
        [],
    )
    .unwrap();
    let now = Utc::now().timestamp();
    for (lead_id, days) in [(ids[0], 10), (ids[2], 200)] {
        conn.execute(
            "INSERT INTO activities (lead_id, type_id, occurred_at, detail)
             SELECT ?1, id, ?2, '' FROM activity_types WHERE code = 'seminar_attended'",
            rusqlite::params![lead_id, now - days * 86_400],
        )
        .unwrap();
    }
    conn.execute(
        "INSERT INTO activities (lead_id, type_id, occurred_at, detail)
         SELECT ?1, id, ?2, 'https://sodate.example/Pricing' FROM activity_types WHERE code = 'page_view'",
        rusqlite::params![ids[1], now - 5 * 86_400],
    )
    .unwrap();
    ids
}

#[test]
fn normalised_text_finds_itaiji_and_corporate_forms() {
    let t = TempDb::new();
    seed(&t);
    assert_eq!(
        member_names(
            &t,
            json!({"field": "name", "op": "starts_with", "value": "高橋"})
        ),
        ["高橋花子", "髙橋一郎"]
    );
    assert_eq!(
        count(
            &t,
            json!({"field": "name", "op": "eq", "value": "髙橋 一郎"})
        ),
        1
    );
    assert_eq!(
        member_names(
            &t,
            json!({"field": "company.name", "op": "eq", "value": "(株)サンプル"})
        ),
        ["高橋花子", "髙橋一郎"]
    );
    // A lead without a company has an empty company name.
    assert_eq!(
        member_names(&t, json!({"field": "company.name", "op": "empty"})),
        ["佐藤次郎"]
    );
    assert_eq!(
        count(
            &t,
            json!({"field": "company.industry", "op": "ne", "value": "IT・通信"})
        ),
        2
    );
    assert_eq!(
        count(
            &t,
            json!({"field": "email", "op": "contains", "value": "＠SAMPLE.co.jp"})
        ),
        2
    );
}

#[test]
fn the_issue_example_counts_and_lists_the_same_leads() {
    let t = TempDb::new();
    seed(&t);
    let example = json!({"all": [
        {"field": "company.industry", "op": "eq", "value": "IT・通信"},
        {"any": [
            {"field": "title", "op": "contains", "value": "部長"},
            {"field": "title", "op": "contains", "value": "取締役"}
        ]},
        {"activity": {"type": "seminar_attended", "min_count": 1, "within_days": 90}},
        {"field": "consent_state", "op": "ne", "value": "opted_out"}
    ]});
    let c = segments::count(&t.db, &filter(example.clone())).unwrap();
    assert_eq!(c.count, 1);
    assert!(c.ms >= 0.0);
    assert_eq!(member_names(&t, example.clone()), ["髙橋一郎"]);

    // Saved, it drives the lead list (with a search on top).
    let id = segments::save(&t.db, "IT 部長 セミナー", &filter(example.clone())).unwrap();
    let page = leads::list(
        &t.db,
        &LeadQuery {
            segment: Some(id),
            limit: 50,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.rows[0].family_name, "髙橋");
    let searched = |q: &str| {
        leads::list(
            &t.db,
            &LeadQuery {
                segment: Some(id),
                search: Some(q.into()),
                limit: 50,
                ..Default::default()
            },
        )
        .unwrap()
        .total
    };
    assert_eq!(searched("たかはし"), 0); // no reading was typed
    assert_eq!(searched("高橋"), 1);
    assert_eq!(searched("髙橋一郎"), 1);
    assert_eq!(searched("花子"), 0);

    let saved = segments::get(&t.db, id).unwrap();
    assert_eq!(saved.name, "IT 部長 セミナー");
    assert_eq!(saved.kind, SegmentKind::Dynamic);
    assert_eq!(filter(saved.filter.unwrap()), filter(example));
    assert_eq!(segments::list(&t.db).unwrap().len(), 1);
}

#[test]
fn activity_conditions_count_windows_details_and_dormancy() {
    let t = TempDb::new();
    seed(&t);
    let seminar = |v: Value| {
        let mut a = json!({"type": "seminar_attended"});
        for (k, x) in v.as_object().unwrap() {
            a[k] = x.clone();
        }
        count(&t, json!({ "activity": a }))
    };
    assert_eq!(seminar(json!({})), 2);
    assert_eq!(seminar(json!({"within_days": 90})), 1);
    assert_eq!(seminar(json!({"max_count": 0})), 2); // never attended
    assert_eq!(seminar(json!({"min_count": 2})), 0);
    assert_eq!(
        count(
            &t,
            json!({"activity": {"type": "page_view", "detail": {"op": "contains", "value": "/pricing"}}})
        ),
        1
    );
    // Dormant (休眠): no activity of any kind for 180 days.
    assert_eq!(
        member_names(
            &t,
            json!({"activity": {"within_days": 180, "max_count": 0}})
        ),
        ["佐藤次郎", "田中太郎"]
    );
}

#[test]
fn hostile_values_match_literally() {
    let t = TempDb::new();
    seed(&t);
    for v in ["%", "_", "'", "\"", "100%_'\""] {
        assert_eq!(
            member_names(&t, json!({"field": "title", "op": "contains", "value": v})),
            ["佐藤次郎"],
            "{v}"
        );
    }
    let drop = "'); DROP TABLE leads; --";
    assert_eq!(
        count(&t, json!({"field": "notes", "op": "eq", "value": drop})),
        0
    );
    assert_eq!(
        count(
            &t,
            json!({"field": format!("custom.{drop}"), "op": "empty"})
        ),
        4
    );
    assert_eq!(count(&t, json!({"all": []})), 4);
}

fn issue(e: Error) -> (String, String, String) {
    let i = &e.field_issues()[0];
    (i.field.clone(), i.code.clone(), i.message.clone())
}

#[test]
fn bad_input_is_refused_at_its_node() {
    let t = TempDb::new();
    seed(&t);
    let bad = |v: Value| {
        issue(
            segments::validate(&t.db, &v)
                .err()
                .unwrap_or_else(|| panic!("{v} accepted")),
        )
    };
    let (path, code, message) = bad(
        json!({"all": [{"field": "title", "op": "contains", "value": "部長"}, {"field": "color", "op": "eq", "value": "red"}]}),
    );
    assert_eq!(
        (path.as_str(), code.as_str()),
        ("all[1].field", "unknown_field")
    );
    assert!(message.contains("color"), "{message}");
    let (path, code, _) =
        bad(json!({"any": [{"field": "engagement_score", "op": "gt", "value": "50"}]}));
    assert_eq!(
        (path.as_str(), code.as_str()),
        ("any[0].value", "wrong_type")
    );
    let (path, code, _) = bad(json!({"not": {"field": "title", "op": "matches", "value": "x"}}));
    assert_eq!((path.as_str(), code.as_str()), ("not.op", "unknown_op"));
    let (path, code, _) = bad(json!({"all": [{"segment": 99}]}));
    assert_eq!(
        (path.as_str(), code.as_str()),
        ("all[0].segment", "unknown_segment")
    );
    let (path, code, _) = bad(json!({"activity": {"type": "carrier_pigeon"}}));
    assert_eq!(
        (path.as_str(), code.as_str()),
        ("activity.type", "unknown_activity_type")
    );
    let (path, code, _) = bad(json!({"field": "phone", "op": "eq", "value": "not a phone"}));
    assert_eq!((path.as_str(), code.as_str()), ("value", "invalid_phone"));
    let (path, code, _) = bad(json!([1, 2]));
    assert_eq!((path.as_str(), code.as_str()), ("$", "invalid_node"));

    // Nothing invalid is ever saved.
    let err = segments::save(&t.db, "", &filter(json!({"all": []}))).unwrap_err();
    assert_eq!(issue(err).1, "required");
    assert!(segments::list(&t.db).unwrap().is_empty());
}

#[test]
fn references_include_exclude_and_refuse_cycles_and_deletes() {
    let t = TempDb::new();
    seed(&t);
    let sample = segments::save(
        &t.db,
        "サンプル社",
        &filter(json!({"field": "company.name", "op": "eq", "value": "サンプル"})),
    )
    .unwrap();
    let seminar = segments::save(
        &t.db,
        "セミナー参加",
        &filter(json!({"activity": {"type": "seminar_attended"}})),
    )
    .unwrap();
    let both = segments::save(
        &t.db,
        "サンプル社、セミナー以外",
        &filter(json!({"all": [{"segment": sample}, {"not": {"segment": seminar}}]})),
    )
    .unwrap();
    assert_eq!(member_names(&t, json!({"segment": both})), ["高橋花子"]);

    // sample → both → sample would be a cycle: refused, nothing changed.
    let err = segments::update(
        &t.db,
        sample,
        "サンプル社",
        Some(&filter(json!({"any": [{"segment": both}]}))),
    )
    .unwrap_err();
    let (path, code, message) = issue(err);
    assert_eq!(
        (path.as_str(), code.as_str()),
        ("any[0].segment", "segment_cycle")
    );
    assert!(message.contains(&sample.to_string()), "{message}");
    assert_eq!(count(&t, json!({"segment": sample})), 2);

    // A segment in use cannot be deleted; the reason names the user.
    let err = segments::delete(&t.db, seminar).unwrap_err();
    assert_eq!(err.code(), "conflict");
    assert!(
        err.to_string().contains("サンプル社、セミナー以外"),
        "{err}"
    );
    segments::delete(&t.db, both).unwrap();
    segments::delete(&t.db, seminar).unwrap();
    assert_eq!(segments::list(&t.db).unwrap().len(), 1);
    assert!(matches!(
        segments::get(&t.db, seminar),
        Err(Error::NotFound { .. })
    ));
}

#[test]
fn frozen_lists_keep_their_members_and_copies_are_independent() {
    let t = TempDb::new();
    let ids = seed(&t);
    let takahashi = segments::save(
        &t.db,
        "高橋さん",
        &filter(json!({"field": "name", "op": "starts_with", "value": "高橋"})),
    )
    .unwrap();
    let frozen = segments::freeze(&t.db, takahashi, Some("高橋さん 11月")).unwrap();
    assert_eq!(frozen.kind, SegmentKind::Static);
    assert_eq!(frozen.member_count, Some(2));
    assert_eq!(frozen.frozen_from, Some(takahashi));

    // 高橋花子 is renamed: the dynamic segment follows, the frozen list does not.
    leads::update(
        &t.db,
        ids[1],
        &lead(
            "山田",
            "花子",
            "サンプル株式会社",
            "取締役",
            "hanako@sample.co.jp",
        ),
    )
    .unwrap();
    assert_eq!(count(&t, json!({"segment": takahashi})), 1);
    assert_eq!(count(&t, json!({"segment": frozen.id})), 2);
    let listed = leads::list(
        &t.db,
        &LeadQuery {
            segment: Some(frozen.id),
            limit: 10,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(listed.total, 2);

    // A frozen list's filter cannot be changed; it can be renamed and copied.
    let err =
        segments::update(&t.db, frozen.id, "x", Some(&filter(json!({"all": []})))).unwrap_err();
    assert_eq!(issue(err).1, "static_segment");
    let copy = segments::duplicate(&t.db, frozen.id).unwrap();
    assert_eq!(
        segments::get(&t.db, copy).unwrap().name,
        "高橋さん 11月 (copy)"
    );
    leads::delete(&t.db, ids[0]).unwrap();
    assert_eq!(count(&t, json!({"segment": copy})), 1);
    assert_eq!(count(&t, json!({"segment": frozen.id})), 1);

    // An unknown segment in the lead list is an error, not an empty list.
    let err = leads::list(
        &t.db,
        &LeadQuery {
            segment: Some(999),
            limit: 10,
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(err.code(), "not_found");
}

#[test]
fn on_demo_data_the_count_equals_hand_written_sql() {
    let t = TempDb::with_demo(2_500, 5, (2026, 11, 1));
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-01T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let f = filter(json!({"all": [
        {"field": "company.industry", "op": "in", "value": ["IT・通信", "製造"]},
        {"any": [
            {"field": "title", "op": "contains", "value": "部長"},
            {"field": "title", "op": "contains", "value": "課長"}
        ]},
        {"activity": {"type": "seminar_attended", "within_days": 365}},
        {"not": {"field": "consent_state", "op": "in", "value": ["opted_out", "bounced"]}}
    ]}));
    let got = segments::count_at(&t.db, &f, now).unwrap().count;
    let conn = Connection::open(t.path()).unwrap();
    let want: u32 = conn
        .query_row(
            "SELECT count(*) FROM leads l JOIN companies c ON c.id = l.company_id
             WHERE c.industry IN ('IT・通信', '製造')
               AND (l.title LIKE '%部長%' OR l.title LIKE '%課長%')
               AND l.consent_state NOT IN ('opted_out', 'bounced')
               AND EXISTS (SELECT 1 FROM activities a JOIN activity_types ty ON ty.id = a.type_id
                           WHERE a.lead_id = l.id AND ty.code = 'seminar_attended'
                             AND a.occurred_at >= ?1)",
            [(now - Duration::days(365)).timestamp()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(got, want);
    assert!(got > 5, "the demo data should hold some such leads ({got})");
    let ids = segments::member_ids_at(&t.db, &f, now).unwrap();
    assert_eq!(ids.len() as u32, got);

    // Members of a filter every lead matches page exactly like the whole list (more than
    // 2,000 matches: ordered by the in-memory sort positions).
    for (sort, descending) in [(LeadSort::Name, false), (LeadSort::UpdatedAt, true)] {
        let query = LeadQuery {
            sort,
            descending,
            offset: 1_990,
            limit: 40,
            ..Default::default()
        };
        let everyone =
            segments::members_sorted(&t.db, &filter(json!({"all": []})), &query).unwrap();
        let plain = leads::list(&t.db, &query).unwrap();
        assert_eq!(everyone.total, 2_500);
        assert_eq!(everyone, plain);
    }
}

#[test]
fn the_field_catalogue_describes_pickers() {
    let t = TempDb::new();
    let fields = segments::fields_of(&t.db).unwrap();
    let stage = fields.iter().find(|f| f.code == "lifecycle_stage").unwrap();
    assert!(stage.closed);
    assert!(stage.values.contains(&"mql".to_string()));
    let created = fields.iter().find(|f| f.code == "created_at").unwrap();
    assert!(created.ops.contains(&segments::Op::WithinDays));
    let json = serde_json::to_value(stage).unwrap();
    assert_eq!(json["type"], "enum");
    assert_eq!(json["ops"][0], "eq");
    for code in [
        "name",
        "company.industry",
        "tags",
        "event",
        "engagement_score",
        "consent_state",
    ] {
        assert!(fields.iter().any(|f| f.code == code), "{code}");
    }
}

// ---------------------------------------------------------------------------------------
// Bulk actions on a selection or a segment

fn sample_segment(t: &TempDb) -> i64 {
    segments::save(
        &t.db,
        "サンプル社",
        &filter(json!({"field": "company.name", "op": "eq", "value": "サンプル"})),
    )
    .unwrap()
}

fn in_segment_list(t: &TempDb, segment: i64) -> Vec<(String, String, String)> {
    let page = leads::list(
        &t.db,
        &LeadQuery {
            segment: Some(segment),
            sort: LeadSort::Name,
            limit: 100,
            ..Default::default()
        },
    )
    .unwrap();
    page.rows
        .iter()
        .map(|r| {
            let d = leads::get(&t.db, r.id).unwrap();
            (
                format!("{}{}", r.family_name, r.given_name),
                d.tags.join(","),
                d.lead.lifecycle_stage.clone(),
            )
        })
        .collect()
}

#[test]
fn bulk_actions_on_a_segment_tag_stage_and_owner_its_members_only() {
    let t = TempDb::new();
    let ids = seed(&t);
    let segment = sample_segment(&t);
    let target = BulkTarget::Segment { id: segment };
    let mut seen = Vec::new();
    let report = bulk::apply(
        &t.db,
        &target,
        &BulkAction::AddTag(" 重点顧客 ".into()),
        None,
        &mut |p| seen.push((p.done, p.total)),
    )
    .unwrap();
    assert_eq!((report.leads, report.changed), (2, 2));
    assert!(report.backup.is_none());
    assert_eq!(seen.last(), Some(&(2, 2)));
    // The tag is a condition like any other now, and the list by segment shows it.
    assert_eq!(
        count(
            &t,
            json!({"field": "tags", "op": "contains", "value": "重点顧客"})
        ),
        2
    );
    // Again: nothing new to change.
    let again = bulk::apply(
        &t.db,
        &target,
        &BulkAction::AddTag("重点顧客".into()),
        None,
        &mut |_| {},
    )
    .unwrap();
    assert_eq!((again.leads, again.changed), (2, 0));

    bulk::apply(
        &t.db,
        &target,
        &BulkAction::SetStage("mql".into()),
        None,
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(
        in_segment_list(&t, segment),
        [
            (
                "髙橋一郎".to_string(),
                "重点顧客".to_string(),
                "mql".to_string()
            ),
            (
                "高橋花子".to_string(),
                "重点顧客".to_string(),
                "mql".to_string()
            ),
        ]
    );
    let history = leads::get(&t.db, ids[0]).unwrap().stage_history;
    assert_eq!(history.first().map(|h| h.to_stage.as_str()), Some("mql"));

    // A selection: owner set on the two ticked leads only.
    let sel = BulkTarget::Leads {
        ids: vec![ids[2], ids[3], ids[2]],
    };
    let r = bulk::apply(
        &t.db,
        &sel,
        &BulkAction::SetOwner("山田".into()),
        None,
        &mut |_| {},
    )
    .unwrap();
    assert_eq!((r.leads, r.changed), (2, 2));
    assert_eq!(leads::get(&t.db, ids[3]).unwrap().lead.owner, "山田");
    assert_eq!(leads::get(&t.db, ids[0]).unwrap().lead.owner, "");
    assert_eq!(
        count(&t, json!({"field": "owner", "op": "eq", "value": "山田"})),
        2
    );
}

#[test]
fn bulk_delete_needs_the_confirmed_count_and_takes_a_backup_first() {
    let t = TempDb::new();
    seed(&t);
    let segment = sample_segment(&t);
    let target = BulkTarget::Segment { id: segment };
    // Confirmed for 3 while 2 match: nothing deleted.
    let err = bulk::apply(&t.db, &target, &BulkAction::Delete, Some(3), &mut |_| {}).unwrap_err();
    assert_eq!(
        issue(err),
        (
            "confirmed".to_string(),
            "count_changed".to_string(),
            "3 leads were confirmed but 2 match now; nothing was deleted".to_string()
        )
    );
    let err = bulk::apply(&t.db, &target, &BulkAction::Delete, None, &mut |_| {}).unwrap_err();
    assert_eq!(issue(err).1, "count_changed");
    assert_eq!(count(&t, json!({"all": []})), 4);

    let report = bulk::apply(&t.db, &target, &BulkAction::Delete, Some(2), &mut |_| {}).unwrap();
    assert_eq!((report.leads, report.changed), (2, 2));
    let backup = report.backup.expect("a backup before deleting");
    // The backup holds the deleted leads.
    let old = Connection::open(&backup.path).unwrap();
    let before: u32 = old
        .query_row("SELECT count(*) FROM leads", [], |r| r.get(0))
        .unwrap();
    assert_eq!(before, 4);
    assert_eq!(count(&t, json!({"all": []})), 2);
    // The search index lost exactly them.
    Connection::open(t.path())
        .unwrap()
        .execute_batch("INSERT INTO lead_search (lead_search, rank) VALUES ('integrity-check', 1)")
        .unwrap();
    assert_eq!(
        segments::count(&t.db, &filter(json!({"segment": segment})))
            .unwrap()
            .count,
        0
    );
}

#[test]
fn bulk_actions_refuse_bad_input_and_change_nothing() {
    let t = TempDb::new();
    let ids = seed(&t);
    let none = |target: BulkTarget, action: BulkAction| {
        issue(bulk::apply(&t.db, &target, &action, None, &mut |_| {}).unwrap_err())
    };
    let sel = BulkTarget::Leads { ids: vec![ids[0]] };
    assert_eq!(
        none(
            BulkTarget::Leads { ids: vec![] },
            BulkAction::AddTag("x".into())
        ),
        (
            "leads".to_string(),
            "empty".to_string(),
            "select at least one lead".to_string()
        )
    );
    let (field, code, message) = none(sel.clone(), BulkAction::SetStage("customer".into()));
    assert_eq!((field.as_str(), code.as_str()), ("stage", "unknown_value"));
    assert!(
        message.starts_with("\"customer\" is not a lifecycle stage"),
        "{message}"
    );
    assert_eq!(
        none(sel.clone(), BulkAction::AddTag("  ".into())).1,
        "required"
    );
    assert_eq!(
        none(sel, BulkAction::AddTag("長".repeat(101))).1,
        "too_long"
    );

    let err = bulk::apply(
        &t.db,
        &BulkTarget::Segment { id: 999 },
        &BulkAction::AddTag("x".into()),
        None,
        &mut |_| {},
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            Error::NotFound {
                entity: "segment",
                id: 999
            }
        ),
        "{err:?}"
    );

    // A selection with a lead deleted meanwhile: nothing is tagged.
    let err = bulk::apply(
        &t.db,
        &BulkTarget::Leads {
            ids: vec![ids[0], 12_345],
        },
        &BulkAction::AddTag("x".into()),
        None,
        &mut |_| {},
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            Error::NotFound {
                entity: "lead",
                id: 12_345
            }
        ),
        "{err:?}"
    );
    assert_eq!(count(&t, json!({"field": "tags", "op": "not_empty"})), 0);
}
