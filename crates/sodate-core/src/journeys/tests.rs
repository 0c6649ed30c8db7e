#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use rusqlite::params;
use serde_json::json;

use super::*;

fn temp_db() -> (tempfile::TempDir, Sodate) {
    let dir = tempfile::tempdir().unwrap();
    let db = Sodate::open(dir.path().join("t.db")).unwrap();
    (dir, db)
}

/// 2026-11-20 10:00 in Japan.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 1, 0, 0).unwrap()
}

fn add_lead(db: &Sodate, name: &str, stage: &str, score: f64, consent: &str) -> i64 {
    db.conn()
        .execute(
            "INSERT INTO leads (family_name, email, email_key, lifecycle_stage,
                consent_state, created_at, updated_at)
             VALUES (?1, ?2, ?2, ?3, ?4, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
            params![name, format!("{name}@example.jp"), stage, consent],
        )
        .unwrap();
    let id = db.conn().last_insert_rowid();
    db.conn()
        .execute(
            "UPDATE lead_scores SET engagement_score = ?2 WHERE id = ?1",
            params![id, score],
        )
        .unwrap();
    id
}

fn set_stage(db: &Sodate, lead: i64, stage: &str) {
    db.conn()
        .execute(
            "UPDATE leads SET lifecycle_stage = ?2 WHERE id = ?1",
            params![lead, stage],
        )
        .unwrap();
}

fn persona(db: &Sodate) -> Persona {
    save_persona(
        db,
        &Persona {
            name: "情シス部長 佐藤".into(),
            role: "情報システム部 部長".into(),
            challenges: "運用負荷".into(),
            ..Default::default()
        },
    )
    .unwrap()
}

fn stage_rule(stages: &[&str]) -> serde_json::Value {
    json!({"field": "lifecycle_stage", "op": "in", "value": stages})
}

/// A B2B map whose first three stages are bound to lifecycle stages.
fn bound_map(db: &Sodate) -> JourneyMap {
    let p = persona(db);
    let map = create(
        db,
        &NewJourney {
            name: "新規顧客".into(),
            persona_id: p.id,
            template: "b2b".into(),
            lang: "ja".into(),
        },
    )
    .unwrap();
    let mut doc = map.doc.clone();
    doc.stages[0].binding = Some(stage_rule(&["lead", "mql", "sql"]));
    doc.stages[1].binding = Some(stage_rule(&["mql", "sql"]));
    doc.stages[2].binding = Some(stage_rule(&["sql"]));
    save(db, map.id, &map.name, p.id, &doc).unwrap()
}

fn counts(m: &JourneyMetrics) -> Vec<Option<u32>> {
    m.stages.iter().map(|s| s.count).collect()
}

#[test]
fn templates_give_their_stages_and_the_default_lanes() {
    let (_d, db) = temp_db();
    let p = persona(&db);
    let map = create(
        &db,
        &NewJourney {
            name: "B2B".into(),
            persona_id: p.id,
            template: "b2b".into(),
            lang: "ja".into(),
        },
    )
    .unwrap();
    let names: Vec<&str> = map.doc.stages.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["認知", "興味", "比較", "検討", "購入", "継続"]);
    assert_eq!(map.doc.lanes.len(), 8);
    assert_eq!(map.doc.lanes[2].kind, LaneKind::Feelings);
    assert_eq!(map.persona.name, "情シス部長 佐藤");
    let en = template_doc("aisas", "en").unwrap();
    assert_eq!(en.stages[2].name, "Search");
    assert_eq!(template_doc("decax", "ja").unwrap().stages[0].name, "発見");
    let err = template_doc("nope", "ja").unwrap_err();
    assert!(err.to_string().contains("not a template"), "{err}");
    let listed = list(&db).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].persona_name, "情シス部長 佐藤");
    assert_eq!(listed[0].stages.len(), 6);
}

#[test]
fn a_lead_is_counted_in_the_furthest_stage_it_matches() {
    let (_d, db) = temp_db();
    for (i, stage) in ["lead", "lead", "mql", "sql", "sql", "sql", "won"]
        .iter()
        .enumerate()
    {
        add_lead(&db, &format!("l{i}"), stage, 0.0, "unknown");
    }
    let map = bound_map(&db);
    let m = metrics(&db, map.id, t0()).unwrap();
    // 認知 matches 6 leads, 興味 4, 比較 3: each lead counted once, in the furthest.
    assert_eq!(counts(&m), [Some(2), Some(1), Some(3), None, None, None]);
    assert_eq!(m.refresh.matched[..3], [Some(6), Some(4), Some(3)]);
    assert_eq!(m.refresh.entered, 6);
    assert!(m.issues.is_empty(), "{:?}", m.issues);
    // A second refresh with nothing changed writes nothing.
    let again = refresh(&db, map.id, t0() + Duration::hours(1)).unwrap();
    assert_eq!((again.entered, again.exited), (0, 0));
}

#[test]
fn conversion_and_median_time_come_from_the_recorded_history() {
    let (_d, db) = temp_db();
    let a = add_lead(&db, "a", "lead", 0.0, "unknown");
    let b = add_lead(&db, "b", "lead", 0.0, "unknown");
    let c = add_lead(&db, "c", "lead", 0.0, "unknown");
    add_lead(&db, "d", "lead", 0.0, "unknown");
    let map = bound_map(&db);
    refresh(&db, map.id, t0()).unwrap();
    // After 2 days a moves on; after 4 days b moves on; c drops out of every stage.
    set_stage(&db, a, "mql");
    refresh(&db, map.id, t0() + Duration::days(2)).unwrap();
    set_stage(&db, b, "sql");
    set_stage(&db, c, "lost");
    let m = metrics(&db, map.id, t0() + Duration::days(4)).unwrap();
    let s = &m.stages;
    assert_eq!(counts(&m)[..3], [Some(1), Some(1), Some(1)]);
    assert_eq!(s[0].entered, 4);
    // a and b moved further on; c left every stage (not a conversion).
    assert_eq!(s[0].conversion, Some(0.5));
    // Closed 認知 visits: a 2 days, b 4 days, c 4 days.
    assert_eq!(s[0].median_days, Some(4.0));
    assert_eq!(s[1].entered, 1);
    assert_eq!(s[1].conversion, Some(0.0));
    assert_eq!(s[1].median_days, None);
    assert_eq!(s[3].conversion, None);
}

#[test]
fn bad_bindings_are_reported_and_the_map_still_opens() {
    let (_d, db) = temp_db();
    add_lead(&db, "a", "mql", 0.0, "unknown");
    let seg = crate::segments::save(
        &db,
        "MQL",
        &crate::segments::parse(&stage_rule(&["mql"])).unwrap(),
    )
    .unwrap();
    let map = bound_map(&db);
    let mut doc = map.doc.clone();
    doc.stages[3].binding = Some(json!({"segment": seg}));
    doc.stages[4].binding = Some(json!({"all": []}));
    doc.stages[5].binding = Some(json!({"all": []}));
    let map = save(&db, map.id, &map.name, map.persona.id, &doc).unwrap();
    let codes: Vec<(&str, &str)> = map
        .issues
        .iter()
        .map(|i| (i.field.as_str(), i.code.as_str()))
        .collect();
    assert_eq!(
        codes,
        [
            ("stages[4].binding", "matches_everyone"),
            ("stages[5].binding", "matches_everyone"),
            ("stages[5].binding", "same_rule"),
        ]
    );
    let m = metrics(&db, map.id, t0()).unwrap();
    assert!(m.refresh.refreshed);
    // 認知..検討 are overlapped by the rules that match everyone further on.
    assert!(m
        .issues
        .iter()
        .any(|i| i.code == "overlapped" && i.field == "stages[0].binding"));
    assert_eq!(
        counts(&m),
        [Some(0), Some(0), Some(0), Some(0), Some(0), Some(1)]
    );

    // The dashboard's figures are those of the last refresh, read without refreshing.
    let last = super::last_figures(&db).unwrap();
    let shown = last
        .iter()
        .find(|f| f.id == map.id)
        .expect("the map is listed");
    assert_eq!(shown.stages, m.stages);
    assert!(shown.refreshed_at.is_some());

    // The app refuses to delete a segment a map uses, naming the map …
    let refused = crate::segments::delete(&db, seg).unwrap_err();
    assert_eq!(refused.code(), "conflict");
    assert!(
        refused
            .to_string()
            .contains(&format!("journey map {}", map.id)),
        "{refused}"
    );
    // … and a map whose segment went anyway (another tool, an older version) still opens.
    db.conn()
        .execute("DELETE FROM segments WHERE id = ?1", [seg])
        .unwrap();
    let opened = get(&db, map.id).unwrap();
    let missing = opened
        .issues
        .iter()
        .find(|i| i.code == "unknown_segment")
        .expect("reported");
    assert_eq!(missing.field, "stages[3].binding.segment");
    let m = metrics(&db, map.id, t0() + Duration::days(1)).unwrap();
    assert!(!m.refresh.refreshed);
    assert!(m.issues.iter().any(|i| i.code == "not_refreshed"));
    // The figures of the last refresh stand.
    assert_eq!(m.stages[5].count, Some(1));
}

#[test]
fn invalid_documents_save_nothing_and_name_each_problem() {
    let (_d, db) = temp_db();
    let map = bound_map(&db);
    let mut doc = map.doc.clone();
    doc.stages[1].steps.push(ScenarioStep {
        id: "x1".into(),
        day_offset: -3,
        channel: StepChannel::Email,
        content: "事例紹介メール".into(),
    });
    doc.stages[2].emotion = 3;
    doc.stages[3].binding = Some(json!({"field": "nope", "op": "eq", "value": 1}));
    doc.lanes[1].id = doc.lanes[0].id.clone();
    let Err(Error::Invalid { issues }) = save(&db, map.id, &map.name, map.persona.id, &doc) else {
        panic!("saved");
    };
    let fields: Vec<(&str, &str)> = issues
        .iter()
        .map(|i| (i.field.as_str(), i.code.as_str()))
        .collect();
    assert_eq!(
        fields,
        [
            ("stages[1].steps[0].dayOffset", "negative_offset"),
            ("stages[2].emotion", "out_of_range"),
            ("stages[3].binding.field", "unknown_field"),
            ("lanes[1].id", "duplicate_id"),
        ]
    );
    assert!(
        issues[0].message.contains("-3 days"),
        "{}",
        issues[0].message
    );
    assert_eq!(get(&db, map.id).unwrap().doc, map.doc);
    let bad = JourneyDoc::from_json(&json!({"stages": "x"})).unwrap_err();
    assert!(bad.to_string().contains("cannot be read"), "{bad}");
}

fn steps(list: &[(i32, &str)]) -> Vec<ScenarioStep> {
    list.iter()
        .enumerate()
        .map(|(i, (d, c))| ScenarioStep {
            id: format!("p{i}"),
            day_offset: *d,
            channel: StepChannel::Email,
            content: c.to_string(),
        })
        .collect()
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[test]
fn due_steps_follow_entry_skip_suppressed_leads_and_sent_steps_become_activities() {
    let (_d, db) = temp_db();
    let a = add_lead(&db, "a", "mql", 0.0, "unknown");
    let b = add_lead(&db, "b", "mql", 0.0, "opted_out");
    let c = add_lead(&db, "c", "mql", 0.0, "unknown");
    add_lead(&db, "d", "lead", 0.0, "unknown");
    db.conn()
        .execute(
            "INSERT INTO suppressions (email_key, email_hash, reason, created_at)
             VALUES ('c@example.jp', 'h', 'bounced', '2026-01-01T00:00:00Z')",
            [],
        )
        .unwrap();
    let map = bound_map(&db);
    let mut doc = map.doc.clone();
    doc.stages[1].steps = steps(&[
        (3, "ホワイトペーパー案内"),
        (0, "事例紹介メール"),
        (10, "セミナー招待"),
    ]);
    save(&db, map.id, &map.name, map.persona.id, &doc).unwrap();

    let list = due(&db, map.id, Some(day("2026-11-20")), None, t0()).unwrap();
    assert_eq!(list.total, 1);
    let r = &list.rows[0];
    assert_eq!(
        (
            r.lead_id,
            r.stage_name.as_str(),
            r.step_number,
            r.content.as_str()
        ),
        (a, "興味", 2, "事例紹介メール")
    );
    assert_eq!(
        (r.entered_on.as_str(), r.due_on.as_str()),
        ("2026-11-20", "2026-11-20")
    );
    assert_eq!(list.per_stage[1], ("s2".to_string(), 1));
    assert!(
        r.lead_id != b && r.lead_id != c,
        "suppressed leads are never due"
    );

    let sent = mark_sent(&db, map.id, Some(day("2026-11-20")), None, t0()).unwrap();
    assert_eq!(sent.activities, 1);
    let kinds: Vec<(String, String)> = db
        .conn()
        .prepare("SELECT t.code, a.detail FROM activities a JOIN activity_types t ON t.id = a.type_id WHERE a.lead_id = ?1")
        .unwrap()
        .query_map([a], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(
        kinds,
        [("email_sent".to_string(), "事例紹介メール".to_string())]
    );

    // Nothing due until day 3; then the white paper; missed days stay due until sent.
    let later = t0() + Duration::days(1);
    assert_eq!(
        due(&db, map.id, Some(day("2026-11-22")), None, later)
            .unwrap()
            .total,
        0
    );
    let list = due(&db, map.id, Some(day("2026-11-25")), None, later).unwrap();
    assert_eq!(list.rows[0].content, "ホワイトペーパー案内");
    assert_eq!(list.rows[0].due_on, "2026-11-23");

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("due.csv");
    assert_eq!(
        due_csv(&db, map.id, Some(day("2026-11-25")), &path, later).unwrap(),
        1
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("\u{feff}lead_id,氏名"), "{text}");
    assert!(
        text.contains(",a@example.jp,興味,1,3,email,ホワイトペーパー案内,2026-11-23\r\n"),
        "{text}"
    );

    // The same due list through a mail tool's profile: the white paper step has lead a;
    // the seminar step nobody yet; an unknown step is named.
    use crate::export::{self, ExportFormat, ExportRequest, ExportSource, ProfileId};
    let source = |step: &str| ExportSource::JourneyDue {
        map: map.id,
        date: Some("2026-11-25".into()),
        stage: Some("s2".into()),
        step: Some(step.into()),
    };
    let out = dir.path().join("mailchimp.csv");
    let req = ExportRequest::new(ProfileId::Mailchimp, source("p0"), ExportFormat::Csv);
    let report = export::export(&db, &req, &out).unwrap();
    assert_eq!(report.rows, 1);
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(written.contains("a@example.jp"), "{written}");
    assert!(!written.contains("b@example.jp") && !written.contains("c@example.jp"));
    let none = ExportRequest::new(ProfileId::Mailchimp, source("p2"), ExportFormat::Csv);
    assert_eq!(export::preview(&db, &none).unwrap().report.rows, 0);
    let unknown = ExportRequest::new(ProfileId::Mailchimp, source("zz"), ExportFormat::Csv);
    match export::preview(&db, &unknown) {
        Err(Error::Invalid { issues }) => assert_eq!(issues[0].code, "unknown_step"),
        other => panic!("accepted: {other:?}"),
    }
    // Every stage and step of the day: lead a once.
    let all = ExportSource::JourneyDue {
        map: map.id,
        date: Some("2026-11-25".into()),
        stage: None,
        step: None,
    };
    let every = ExportRequest::new(ProfileId::Mailchimp, all, ExportFormat::Csv);
    assert_eq!(export::preview(&db, &every).unwrap().report.rows, 1);
    let no_stage = ExportSource::JourneyDue {
        map: map.id,
        date: None,
        stage: None,
        step: Some("p0".into()),
    };
    let req = ExportRequest::new(ProfileId::Mailchimp, no_stage, ExportFormat::Csv);
    assert!(
        matches!(export::preview(&db, &req), Err(Error::Invalid { issues }) if issues[0].code == "stage_needed")
    );
}

/// Every lead is in the furthest stage whose rule (engagement ≥ threshold) it meets, and the
/// counts add up, whatever the thresholds (overlapping or not) and the scores.
mod furthest {
    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(12))]
        #[test]
        fn counts_match_a_naive_assignment(
            scores in prop::collection::vec(0u8..100, 1..30),
            thresholds in prop::collection::vec(prop::option::of(0u8..100), 1..6),
        ) {
            let (_d, db) = temp_db();
            for (i, s) in scores.iter().enumerate() {
                add_lead(&db, &format!("p{i}"), "lead", f64::from(*s), "unknown");
            }
            let p = persona(&db);
            let map = create(&db, &NewJourney { name: "p".into(), persona_id: p.id, template: "blank".into(), lang: "ja".into() }).unwrap();
            let mut doc = map.doc.clone();
            doc.stages = thresholds.iter().enumerate().map(|(i, t)| Stage {
                id: format!("s{i}"),
                name: format!("S{i}"),
                binding: t.map(|t| json!({"field": "engagement_score", "op": "gte", "value": t})),
                ..Default::default()
            }).collect();
            save(&db, map.id, "p", p.id, &doc).unwrap();
            let m = metrics(&db, map.id, t0()).unwrap();
            let mut expected: Vec<Option<u32>> = thresholds.iter().map(|t| t.map(|_| 0)).collect();
            for s in &scores {
                if let Some(i) = thresholds.iter().rposition(|t| t.is_some_and(|t| s >= &t)) {
                    *expected[i].as_mut().unwrap() += 1;
                }
            }
            prop_assert_eq!(counts(&m), expected);
        }

        #[test]
        fn the_next_due_step_is_the_first_unsent_one_once_its_day_has_come(
            offsets in prop::collection::vec(0i32..20, 1..6),
            sent_mask in 0u32..64,
            days_after in 0i64..30,
        ) {
            let doc = JourneyDoc {
                stages: vec![Stage { id: "s".into(), name: "S".into(), steps: offsets.iter().enumerate().map(|(i, d)| ScenarioStep { id: format!("p{i}"), day_offset: *d, content: "c".into(), ..Default::default() }).collect(), ..Default::default() }],
                lanes: vec![],
            };
            let mut order: Vec<usize> = (0..offsets.len()).collect();
            order.sort_by_key(|&j| (offsets[j], j));
            let entered = day("2026-11-01");
            let date = entered + Duration::days(days_after);
            let is_sent = |id: &str| sent_mask & (1 << id[1..].parse::<u32>().unwrap()) != 0;
            let got = live::next_due(&doc, 0, &order, entered, is_sent, date);
            // Naive: walk the steps by offset; the first unsent one decides.
            let mut expected = None;
            for &j in &order {
                if sent_mask & (1 << j) == 0 {
                    let due_on = entered + Duration::days(i64::from(offsets[j]));
                    if due_on <= date { expected = Some((j, due_on)); }
                    break;
                }
            }
            prop_assert_eq!(got, expected);
        }
    }
}

#[test]
fn personas_need_a_name_and_cannot_be_deleted_while_used() {
    let (_d, db) = temp_db();
    let err = save_persona(&db, &Persona::default()).unwrap_err();
    assert!(err.to_string().contains("name is required"), "{err}");
    let map = bound_map(&db);
    let err = delete_persona(&db, map.persona.id).unwrap_err();
    assert!(err.to_string().contains("新規顧客"), "{err}");
    delete(&db, map.id).unwrap();
    delete_persona(&db, map.persona.id).unwrap();
    assert!(personas(&db).unwrap().is_empty());
}

#[test]
fn segments_select_the_leads_in_a_journey_stage_as_the_map_counts_them() {
    let (_d, db) = temp_db();
    for (i, stage) in ["lead", "lead", "mql", "sql", "sql", "sql", "won"]
        .iter()
        .enumerate()
    {
        add_lead(&db, &format!("l{i}"), stage, 0.0, "unknown");
    }
    let map = bound_map(&db);
    let m = metrics(&db, map.id, t0()).unwrap();
    let count = |filter: serde_json::Value| {
        let f = crate::segments::validate(&db, &filter).unwrap();
        crate::segments::count_at(&db, &f, t0()).unwrap().count
    };
    for (stage, metric) in map.doc.stages.iter().zip(&m.stages) {
        assert_eq!(
            Some(count(
                json!({"journey": {"map": map.id, "stage": stage.id}})
            )),
            metric.count.or(Some(0)),
            "stage {}",
            stage.name
        );
    }
    // Any stage of the map; combined with a field condition and negated.
    assert_eq!(count(json!({"journey": {"map": map.id}})), 6);
    assert_eq!(
        count(json!({"all": [
            {"journey": {"map": map.id, "stage": map.doc.stages[2].id}},
            {"not": {"field": "family_name", "op": "eq", "value": "l3"}}
        ]})),
        2
    );
    assert_eq!(count(json!({"not": {"journey": {"map": map.id}}})), 1);
    // The JSON form reads back to the same filter.
    let f = crate::segments::parse(&json!({"journey": {"map": map.id, "stage": "s2"}})).unwrap();
    assert_eq!(
        f.to_json(),
        json!({"journey": {"map": map.id, "stage": "s2"}})
    );
}

#[test]
fn journey_conditions_name_what_is_wrong_and_stage_rules_cannot_read_journeys() {
    let (_d, db) = temp_db();
    add_lead(&db, "a", "mql", 0.0, "unknown");
    let map = bound_map(&db);
    let issue = |filter: serde_json::Value| match crate::segments::validate(&db, &filter) {
        Err(Error::Invalid { issues }) => (issues[0].field.clone(), issues[0].code.clone()),
        other => panic!("{filter} was accepted: {other:?}"),
    };
    assert_eq!(
        issue(json!({"journey": {"map": 999}})),
        ("journey.map".into(), "unknown_journey".into())
    );
    assert_eq!(
        issue(json!({"all": [{"journey": {"map": map.id, "stage": "nope"}}]})),
        ("all[0].journey.stage".into(), "unknown_stage".into())
    );
    assert_eq!(
        issue(json!({"journey": {"map": "x"}})),
        ("journey.map".into(), "wrong_type".into())
    );
    assert_eq!(
        issue(json!({"journey": {"map": map.id, "stage": 3}})),
        ("journey.stage".into(), "wrong_type".into())
    );
    assert_eq!(
        issue(json!({"journey": {"map": map.id, "stages": "s1"}})),
        ("journey.stages".into(), "unknown_key".into())
    );

    // A stage's rule that reads journey stages, itself or through a saved segment, is
    // refused as broken: the map still opens, and is not refreshed until it is fixed.
    let seg = crate::segments::save(
        &db,
        "興味の人",
        &crate::segments::parse(
            &json!({"journey": {"map": map.id, "stage": map.doc.stages[1].id}}),
        )
        .unwrap(),
    )
    .unwrap();
    let mut doc = map.doc.clone();
    doc.stages[3].binding = Some(json!({"segment": seg}));
    doc.stages[4].binding = Some(json!({"journey": {"map": map.id}}));
    let saved = save(&db, map.id, &map.name, map.persona.id, &doc).unwrap();
    let codes: Vec<(&str, &str)> = saved
        .issues
        .iter()
        .map(|i| (i.field.as_str(), i.code.as_str()))
        .collect();
    assert_eq!(
        codes,
        [
            ("stages[3].binding", "reads_journey"),
            ("stages[4].binding", "reads_journey")
        ]
    );
    assert!(!metrics(&db, map.id, t0()).unwrap().refresh.refreshed);

    // The map cannot be deleted while the segment reads it; the message names the segment.
    match delete(&db, map.id) {
        Err(Error::Conflict(message)) => assert!(message.contains("興味の人"), "{message}"),
        other => panic!("deleted: {other:?}"),
    }
    assert!(get(&db, map.id).is_ok());
    let mut doc = saved.doc.clone();
    doc.stages[3].binding = None;
    doc.stages[4].binding = None;
    save(&db, map.id, &map.name, map.persona.id, &doc).unwrap();
    crate::segments::delete(&db, seg).unwrap();
    delete(&db, map.id).unwrap();
}

#[test]
fn figures_refresh_after_any_write_and_at_least_hourly_otherwise() {
    let (dir, db) = temp_db();
    let a = add_lead(&db, "a", "lead", 0.0, "unknown");
    add_lead(&db, "b", "mql", 0.0, "unknown");
    // 比較: leads registered in the last day (a rule that moves with the clock alone).
    db.conn()
        .execute(
            "UPDATE leads SET created_at = ?2 WHERE id = ?1",
            params![
                a,
                crate::time::format(t0() - Duration::minutes(23 * 60 + 30))
            ],
        )
        .unwrap();
    let map = bound_map(&db);
    let mut doc = map.doc.clone();
    doc.stages[2].binding = Some(json!({"field": "created_at", "op": "within_days", "value": 1}));
    let map = save(&db, map.id, &map.name, map.persona.id, &doc).unwrap();
    assert_eq!(
        counts(&metrics(&db, map.id, t0()).unwrap())[..3],
        [Some(0), Some(1), Some(1)]
    );

    // Another handle (the CLI, another process) moves lead b: the next figures see it.
    let other = Sodate::open(dir.path().join("t.db")).unwrap();
    other
        .conn()
        .execute(
            "UPDATE leads SET lifecycle_stage = 'customer' WHERE family_name = 'b'",
            [],
        )
        .unwrap();
    let m = metrics(&db, map.id, t0() + Duration::minutes(1)).unwrap();
    assert_eq!(counts(&m)[..3], [Some(0), Some(0), Some(1)]);
    assert_eq!(m.refresh.exited, 1);

    // Nothing written: 45 minutes on, the last refresh stands, although lead a left the
    // one-day window 15 minutes ago; two hours on, it is refreshed.
    let later = metrics(&db, map.id, t0() + Duration::minutes(45)).unwrap();
    assert_eq!(counts(&later)[..3], [Some(0), Some(0), Some(1)]);
    assert_eq!((later.refresh.entered, later.refresh.exited), (0, 0));
    let hours = metrics(&db, map.id, t0() + Duration::hours(2)).unwrap();
    assert_eq!(counts(&hours)[..3], [Some(1), Some(0), Some(0)]);
    // The due list refreshes by the same rule.
    assert!(due(&db, map.id, None, None, t0() + Duration::hours(2)).is_ok());
}

#[test]
fn suppressed_leads_are_read_from_their_partial_index() {
    let (_d, db) = temp_db();
    let plan: String = db
        .conn()
        .query_row(
            "EXPLAIN QUERY PLAN SELECT id FROM leads WHERE consent_state IN ('opted_out', 'bounced', 'erased')",
            [],
            |r| r.get(3),
        )
        .unwrap();
    assert!(plan.contains("leads_suppressed"), "{plan}");
}

/// (stage, entered_at, exited_at, exit_to) of every interval of `lead`, oldest first.
fn intervals(db: &Sodate, map: i64, lead: i64) -> Vec<(String, i64, Option<i64>, Option<String>)> {
    db.conn()
        .prepare(
            "SELECT stage_id, entered_at, exited_at, exit_to FROM journey_stage_members
             WHERE map_id = ?1 AND lead_id = ?2 ORDER BY entered_at, id",
        )
        .unwrap()
        .query_map(params![map, lead], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

#[test]
fn a_refresh_compares_with_its_last_one_only_while_no_other_handle_refreshed_the_map() {
    let (dir, db) = temp_db();
    let a = add_lead(&db, "a", "lead", 0.0, "unknown");
    let b = add_lead(&db, "b", "lead", 0.0, "unknown");
    let c = add_lead(&db, "c", "lead", 0.0, "unknown");
    let map = bound_map(&db);
    let (t1, t2, t3) = (
        t0() + Duration::days(1),
        t0() + Duration::days(2),
        t0() + Duration::days(3),
    );
    refresh(&db, map.id, t0()).unwrap();
    // On this handle: a refresh after one change touches that lead only.
    set_stage(&db, a, "mql");
    let r = refresh(&db, map.id, t1).unwrap();
    assert_eq!((r.entered, r.exited), (1, 1));
    // Another handle (the CLI beside the app) refreshes after the next change…
    let other = Sodate::open(dir.path().join("t.db")).unwrap();
    set_stage(&db, b, "sql");
    let r = refresh(&other, map.id, t2).unwrap();
    assert_eq!((r.entered, r.exited), (1, 1));
    // …so this handle's memory of the intervals no longer holds: it reads them again and
    // records only the new change (c leaves every stage), not b's move a second time.
    set_stage(&db, c, "lost");
    let r = refresh(&db, map.id, t3).unwrap();
    assert_eq!((r.entered, r.exited), (0, 1));
    let t4 = t3 + Duration::minutes(1);
    let s = |i: usize| map.doc.stages[i].id.clone();
    let (t0, t1, t2, t3) = (
        t0().timestamp(),
        t1.timestamp(),
        t2.timestamp(),
        t3.timestamp(),
    );
    assert_eq!(
        intervals(&db, map.id, a),
        vec![(s(0), t0, Some(t1), Some(s(1))), (s(1), t1, None, None)]
    );
    assert_eq!(
        intervals(&db, map.id, b),
        vec![(s(0), t0, Some(t2), Some(s(2))), (s(2), t2, None, None)]
    );
    assert_eq!(intervals(&db, map.id, c), vec![(s(0), t0, Some(t3), None)]);
    // A map whose stages changed is compared in full again.
    let mut doc = map.doc.clone();
    doc.stages.remove(1);
    save(&db, map.id, &map.name, map.persona.id, &doc).unwrap();
    let r = refresh(&db, map.id, t4).unwrap();
    // a was in the removed stage: it leaves it and enters 認知 (still "mql" ∈ lead/mql/sql).
    assert_eq!((r.entered, r.exited), (1, 1));
    assert_eq!(intervals(&db, map.id, a).last().unwrap().0, s(0));
}
