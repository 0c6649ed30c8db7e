//! Scoring: the scores a marketer sees for leads with known activities and fields, their
//! explanation, decay, MQL crossings, model validation, impact preview, demo data.

use std::sync::atomic::AtomicBool;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use rusqlite::Connection;
use sodate_core::activities::{self, ActivityInput};
use sodate_core::demo::{generate, DemoOptions};
use sodate_core::scoring::{self, Decay, ImpactKind, ScoringModel};
use sodate_core::{leads, LeadInput};

use crate::TempDb;

/// 2026-11-20 12:00 UTC: "now" of these tests.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap()
}

/// `days` before [`now`], as an activity time.
pub fn days_ago(days: i64) -> Option<String> {
    Some((now() - Duration::days(days)).to_rfc3339())
}

pub fn lead(t: &TempDb, title: &str, email: &str) -> i64 {
    leads::create(
        &t.db,
        &LeadInput {
            family_name: "山田".into(),
            given_name: "花子".into(),
            company_name: "株式会社サンプル".into(),
            title: title.into(),
            email: email.into(),
            prefecture: "大阪府".into(),
            ..Default::default()
        },
    )
    .unwrap()
    .lead
    .id
}

pub fn log(t: &TempDb, lead: i64, kind: &str, days: i64, detail: &str) -> i64 {
    activities::add(
        &t.db,
        &ActivityInput {
            lead_id: lead,
            activity_type: kind.into(),
            occurred_at: days_ago(days),
            detail: detail.into(),
            event_id: None,
        },
        now(),
    )
    .unwrap()
    .id
}

fn stored(t: &TempDb, lead: i64) -> (f64, f64, String) {
    let d = leads::get(&t.db, lead).unwrap().lead;
    (d.engagement_score, d.fit_score, d.grade)
}

fn sum_of(e: &scoring::Explanation, score: &str) -> f64 {
    let tenths: i64 = e
        .lines
        .iter()
        .filter(|l| l.score == score)
        .map(|l| (l.points * 10.0).round() as i64)
        .sum();
    tenths as f64 / 10.0
}

#[test]
fn a_lead_is_scored_with_the_default_model_and_explained_line_by_line() {
    let t = TempDb::new();
    let id = lead(&t, "営業部長", "hanako@sample.co.jp");
    // Fit alone: 部長 +20, 大阪府 +5.
    let e = scoring::explain(&t.db, id, now()).unwrap();
    assert_eq!((e.engagement, e.fit), (0.0, 25.0));

    log(&t, id, "資料請求", 0, "料金表"); // 30
    log(&t, id, "seminar_attended", 90, ""); // 20 halved: 10
    log(&t, id, "page_view", 0, "https://example.jp/pricing"); // 10
    log(&t, id, "page_view", 0, "/blog/scoring"); // no rule
    let (engagement, fit, grade) = stored(&t, id);
    assert_eq!((engagement, fit, grade.as_str()), (50.0, 25.0, "C2"));

    let e = scoring::explain(&t.db, id, now()).unwrap();
    assert_eq!((e.engagement, e.fit, e.grade.as_str()), (50.0, 25.0, "C2"));
    assert!(!e.is_mql);
    assert_eq!(sum_of(&e, "engagement"), 50.0);
    assert_eq!(sum_of(&e, "fit"), 25.0);
    let line = |id: &str| e.lines.iter().find(|l| l.rule_id == id).unwrap();
    assert_eq!(line("document_request").points, 30.0);
    assert_eq!(line("document_request").rule, "資料請求");
    assert!(line("document_request").source.contains("料金表"));
    assert_eq!(line("seminar_attended").points, 10.0);
    assert_eq!(line("pricing_page").points, 10.0);
    assert_eq!(line("manager").points, 20.0);
    assert_eq!(line("manager").source, "title = 営業部長");
    assert_eq!(line("manager").field.as_deref(), Some("title"));
    assert_eq!(line("manager").value.as_deref(), Some("営業部長"));
    let seminar = line("seminar_attended");
    assert_eq!(seminar.activity_type.as_deref(), Some("seminar_attended"));
    assert_eq!(seminar.count, 1);
    assert_eq!(seminar.latest_at.as_deref(), Some("2026-08-22T12:00:00Z"));
    assert_eq!(line("document_request").detail.as_deref(), Some("料金表"));
    assert_eq!(line("metro_area").points, 5.0);
    assert_eq!(e.lines.len(), 5);
}

#[test]
fn caps_once_rules_and_the_overall_cap_show_in_the_explanation() {
    let t = TempDb::new();
    let id = lead(&t, "代表取締役", "ceo@sample.co.jp");
    for _ in 0..3 {
        log(&t, id, "document_request", 0, ""); // 3 × 30, capped at 60
        log(&t, id, "booth_visit", 0, ""); // once: 10
    }
    log(&t, id, "meeting", 0, ""); // 25
    log(&t, id, "meeting", 0, ""); // 25
    let e = scoring::explain(&t.db, id, now()).unwrap();
    let line = |id: &str| e.lines.iter().find(|l| l.rule_id == id).unwrap().clone();
    assert_eq!(line("document_request").points, 60.0);
    assert!(line("document_request").source.contains("cap 60"));
    assert!(line("document_request").capped);
    assert_eq!(line("document_request").count, 3);
    assert_eq!(line("booth_visit").count, 1);
    assert_eq!(line("document_request").activity_ids.len(), 3);
    assert_eq!(line("booth_visit").points, 10.0);
    assert_eq!(line("booth_visit").activity_ids.len(), 1);
    assert_eq!(line("meeting").points, 50.0);
    // 60 + 10 + 50 = 120, capped at 100.
    assert_eq!(line("cap.engagement").points, -20.0);
    assert_eq!(e.engagement, 100.0);
    assert_eq!(sum_of(&e, "engagement"), 100.0);
    // 代表取締役 matches 役員・経営層 (+30) only: 取締役 is not 部長.
    assert_eq!(e.fit, 30.0 + 5.0);
    assert!(e.is_mql);
    assert_eq!(e.grade, "B1");
}

#[test]
fn crossing_the_mql_threshold_is_recorded_both_ways_with_the_cause() {
    let t = TempDb::new();
    let id = lead(&t, "取締役", "board@sample.co.jp"); // fit 35
    log(&t, id, "document_request", 0, "");
    assert!(scoring::history(&t.db, id).unwrap().is_empty());
    let meeting = log(&t, id, "meeting", 0, ""); // 30 + 25 = 55
    assert!(scoring::history(&t.db, id).unwrap().is_empty());
    let seminar = log(&t, id, "seminar_attended", 1, ""); // + 19.8 → 74.8
    let h = scoring::history(&t.db, id).unwrap();
    assert_eq!(h.len(), 1);
    assert!(h[0].became_mql);
    assert_eq!(h[0].engagement, 74.8);
    assert_eq!(h[0].fit, 35.0);
    assert!(h[0].reason.starts_with("activity_added"), "{}", h[0].reason);
    assert_eq!(h[0].at, "2026-11-20T12:00:00Z");

    activities::remove(&t.db, seminar, now()).unwrap();
    let h = scoring::history(&t.db, id).unwrap();
    assert_eq!(h.len(), 2);
    assert!(!h[0].became_mql);
    assert!(h[0].reason.starts_with("activity_removed"));
    assert_eq!(h[0].engagement, 55.0);

    // Moving the meeting 360 days back (four half-lives) leaves 25 / 16 = 1.5625 → 1.6.
    let w = activities::edit(
        &t.db,
        meeting,
        &ActivityInput {
            lead_id: id,
            activity_type: "meeting".into(),
            occurred_at: days_ago(360),
            detail: String::new(),
            event_id: None,
        },
        now(),
    )
    .unwrap();
    assert_eq!(w.engagement, 31.6);
}

#[test]
fn decay_is_applied_once_a_day() {
    let t = TempDb::new();
    let id = lead(&t, "", "someone@sample.co.jp");
    log(&t, id, "document_request", 0, "");
    assert_eq!(stored(&t, id).0, 30.0);
    // Never computed for a day yet (a new or migrated database): computed now.
    let first = scoring::apply_decay(&t.db, now()).unwrap().unwrap();
    assert_eq!(
        (first.changed, first.scored_day.as_str()),
        (0, "2026-11-20")
    );
    assert_eq!(scoring::apply_decay(&t.db, now()).unwrap(), None);
    let later = now() + Duration::days(90);
    let r = scoring::apply_decay(&t.db, later).unwrap().unwrap();
    assert_eq!(r.changed, 1);
    assert_eq!(r.scored_day, "2027-02-18");
    assert_eq!(stored(&t, id).0, 15.0);
    assert_eq!(scoring::apply_decay(&t.db, later).unwrap(), None);
    assert_eq!(
        scoring::scored_day(&t.db).unwrap().as_deref(),
        Some("2027-02-18")
    );
}

#[test]
fn a_window_model_counts_only_recent_activities_and_saving_it_rescores_everyone() {
    let t = TempDb::new();
    let id = lead(&t, "", "someone@sample.co.jp");
    log(&t, id, "document_request", 10, "");
    log(&t, id, "document_request", 40, "");
    assert_eq!(stored(&t, id).0, 49.8); // 30 × 0.926 + 30 × 0.735 (half-life 90)
    let model = ScoringModel {
        decay: Decay::Window { days: 30 },
        ..ScoringModel::default()
    };
    let r = scoring::save_model(&t.db, &model, now()).unwrap();
    assert_eq!((r.leads, r.changed), (1, 1));
    assert_eq!(stored(&t, id).0, 30.0);
    let stored_model = scoring::load_model(&t.db).unwrap();
    assert_eq!(stored_model.revision, 1);
    assert_eq!(stored_model.model.decay, Decay::Window { days: 30 });
}

#[test]
fn bad_models_are_refused_and_the_previous_model_is_kept() {
    let t = TempDb::new();
    let id = lead(&t, "部長", "a@sample.co.jp");
    log(&t, id, "document_request", 0, "");
    let mut good = ScoringModel::default();
    good.mql.engagement = 20.0;
    scoring::save_model(&t.db, &good, now()).unwrap();
    let before = stored(&t, id);

    let mut unknown_field = good.clone();
    unknown_field.fit_rules[0].field = "shoe_size".into();
    let err = scoring::save_model(&t.db, &unknown_field, now()).unwrap_err();
    assert_eq!(err.code(), "invalid");
    assert_eq!(err.field_issues()[0].code, "unknown_field");
    assert!(err.to_string().contains("shoe_size"));

    let mut negative = good.clone();
    negative.decay = Decay::HalfLife { days: -30.0 };
    let err = scoring::save_model(&t.db, &negative, now()).unwrap_err();
    assert_eq!(err.field_issues()[0].field, "decay.days");

    let mut unknown_type = good.clone();
    unknown_type.behaviour_rules[0].activity_type = "telepathy".into();
    let err = scoring::save_model(&t.db, &unknown_type, now()).unwrap_err();
    assert_eq!(err.field_issues()[0].code, "unknown_activity_type");

    let mut unknown_custom = good.clone();
    unknown_custom.fit_rules[0].field = "custom.budget".into();
    let err = scoring::save_model(&t.db, &unknown_custom, now()).unwrap_err();
    assert_eq!(err.field_issues()[0].code, "unknown_field");

    let err =
        scoring::import_json(&t.db, "{\"version\": 1, \"behaviourRules\": [", now()).unwrap_err();
    assert_eq!(err.field_issues()[0].code, "invalid_json");
    let err = scoring::import_json(&t.db, "[1, 2, 3]", now()).unwrap_err();
    assert_eq!(err.field_issues()[0].code, "invalid_json");

    let kept = scoring::load_model(&t.db).unwrap();
    assert_eq!(kept.revision, 1);
    assert_eq!(kept.model, good);
    assert_eq!(stored(&t, id), before);
}

#[test]
fn export_then_import_round_trips_and_custom_fields_can_be_scored() {
    let t = TempDb::new();
    let id = lead(&t, "", "a@sample.co.jp");
    let conn = Connection::open(t.path()).unwrap();
    conn.execute(
        "UPDATE leads SET custom = '{\"予算\": \"あり\"}' WHERE id = ?1",
        [id],
    )
    .unwrap();
    drop(conn);
    let json = scoring::export_json(&t.db).unwrap();
    let mut model = ScoringModel::from_json(&json).unwrap();
    assert_eq!(model, ScoringModel::default());
    model.fit_rules.push(scoring::FitRule {
        id: "budget".into(),
        label: scoring::Label::new("予算あり", "Has budget"),
        field: "custom.予算".into(),
        op: scoring::TextOp::Equals,
        values: vec!["あり".into()],
        points: 12.0,
    });
    scoring::import_json(&t.db, &model.to_json().unwrap(), now()).unwrap();
    assert_eq!(scoring::load_model(&t.db).unwrap().model, model);
    let e = scoring::explain(&t.db, id, now()).unwrap();
    assert_eq!(e.fit, 12.0 + 5.0);
    let budget = e.lines.iter().find(|l| l.rule_id == "budget").unwrap();
    assert_eq!(budget.source, "custom.予算 = あり");
    assert_eq!(stored(&t, id).1, 17.0);
}

#[test]
fn free_mail_and_students_lower_fit() {
    let t = TempDb::new();
    let free = lead(&t, "部長", "ｂｕｃｈｏ＠ＧＭＡＩＬ.com");
    let student = lead(&t, "", "s1234@u-tokyo.ac.jp");
    assert_eq!(scoring::explain(&t.db, free, now()).unwrap().fit, 10.0);
    let e = scoring::explain(&t.db, student, now()).unwrap();
    assert_eq!(e.fit, -25.0);
    assert_eq!(e.grade, "D4");
}

#[test]
fn impact_preview_counts_and_lists_who_would_change() {
    let t = TempDb::new();
    let a = lead(&t, "取締役", "a@sample.co.jp"); // fit 35
    let b = lead(&t, "取締役", "b@sample.co.jp");
    let c = lead(&t, "", "c@sample.co.jp"); // fit 5
    log(&t, a, "document_request", 0, "");
    log(&t, a, "meeting", 0, ""); // 55
    log(&t, b, "document_request", 0, "");
    log(&t, b, "meeting", 0, "");
    log(&t, b, "seminar_attended", 0, ""); // 75: MQL
    log(&t, c, "document_request", 0, "");
    let mut candidate = ScoringModel::default();
    candidate.mql.engagement = 50.0;
    candidate.behaviour_rules[2].points = 14.0; // webinars: nobody attended
    let p = scoring::impact_preview(&t.db, &candidate, now()).unwrap();
    assert_eq!(
        (
            p.leads,
            p.mql_now,
            p.mql_after,
            p.becoming_mql,
            p.leaving_mql
        ),
        (3, 1, 2, 1, 0)
    );
    let page =
        scoring::impact_leads(&t.db, &candidate, now(), ImpactKind::BecomingMql, 0, 10).unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.rows[0].lead.id, a);
    assert!(page.rows[0].mql_after);
    // Nothing was written.
    assert_eq!(scoring::load_model(&t.db).unwrap().revision, 0);

    let mut stricter = ScoringModel::default();
    stricter.mql.fit = 40.0;
    stricter.grades.fit = [60.0, 40.0, 30.0];
    let p = scoring::impact_preview(&t.db, &stricter, now()).unwrap();
    assert_eq!((p.becoming_mql, p.leaving_mql, p.grade_changes), (0, 1, 2));
    let page =
        scoring::impact_leads(&t.db, &stricter, now(), ImpactKind::GradeChange, 0, 10).unwrap();
    let ids: Vec<i64> = page.rows.iter().map(|r| r.lead.id).collect();
    assert_eq!(ids, [a, b]);
    assert_eq!(page.rows[0].grade_after, "C2");
    // Saving it does what the preview said.
    let r = scoring::save_model(&t.db, &stricter, now()).unwrap();
    assert_eq!((r.became_mql, r.left_mql, r.mql), (0, 1, 0));
}

#[test]
fn demo_scores_are_those_a_recompute_gives_and_their_explanations_add_up() {
    let t = TempDb::new();
    let anchor = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    generate(
        &t.db,
        &DemoOptions {
            leads: 3_000,
            seed: 11,
            anchor,
        },
        &mut |_, _| {},
        &AtomicBool::new(false),
    )
    .unwrap();
    let at = Utc.from_utc_datetime(&anchor.and_hms_opt(20, 0, 0).unwrap());
    let r = scoring::recompute_all(&t.db, at).unwrap();
    assert_eq!(r.leads, 3_000);
    assert_eq!(r.changed, 0, "the demo wrote the scores a recompute gives");
    assert!(r.mql > 10 && r.mql < 600, "{} MQLs", r.mql);
    let conn = Connection::open(t.path()).unwrap();
    let history: u32 = conn
        .query_row(
            "SELECT count(*) FROM score_history WHERE to_mql = 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(history, r.mql);
    let grades: u32 = conn
        .query_row("SELECT count(DISTINCT grade) FROM lead_scores", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(grades >= 12, "{grades} grades in use");
    for id in [1, 77, 1_500, 2_999] {
        let e = scoring::explain(&t.db, id, at).unwrap();
        let lead = leads::get(&t.db, id).unwrap().lead;
        assert_eq!(e.engagement, lead.engagement_score);
        assert_eq!(e.fit, lead.fit_score);
        assert_eq!(e.grade, lead.grade);
        assert_eq!(sum_of(&e, "engagement"), e.engagement);
        assert_eq!(sum_of(&e, "fit"), e.fit);
    }
}

/// One step of a random edit sequence.
#[derive(Debug, Clone)]
enum Op {
    Add {
        lead: usize,
        kind: usize,
        days: i64,
        detail: usize,
    },
    Edit {
        pick: usize,
        lead: usize,
        kind: usize,
        days: i64,
    },
    Remove {
        pick: usize,
    },
}

const KINDS: [&str; 6] = [
    "document_request",
    "page_view",
    "booth_visit",
    "seminar_attended",
    "email_unsubscribed",
    "meeting",
];
const DETAILS: [&str; 3] = ["/pricing", "/products/crm", ""];

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..4usize, 0..KINDS.len(), 0i64..400, 0..DETAILS.len())
            .prop_map(|(lead, kind, days, detail)| Op::Add { lead, kind, days, detail }),
        1 => (any::<usize>(), 0..4usize, 0..KINDS.len(), 0i64..400)
            .prop_map(|(pick, lead, kind, days)| Op::Edit { pick, lead, kind, days }),
        1 => any::<usize>().prop_map(|pick| Op::Remove { pick }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn incremental_updates_equal_a_full_recompute(ops in prop::collection::vec(op(), 1..25)) {
        let t = TempDb::new();
        let leads: Vec<i64> = ["部長", "", "代表取締役", "担当"]
            .iter()
            .enumerate()
            .map(|(i, title)| lead(&t, title, &format!("p{i}@sample.co.jp")))
            .collect();
        // Creating a lead does not score it yet (leads::create is not wired to scoring):
        // start from scored leads.
        scoring::recompute_all(&t.db, now()).unwrap();
        let mut ids: Vec<i64> = Vec::new();
        for op in ops {
            match op {
                Op::Add { lead, kind, days, detail } => {
                    ids.push(log(&t, leads[lead], KINDS[kind], days, DETAILS[detail]));
                }
                Op::Edit { pick, lead, kind, days } if !ids.is_empty() => {
                    activities::edit(&t.db, ids[pick % ids.len()], &ActivityInput {
                        lead_id: leads[lead],
                        activity_type: KINDS[kind].into(),
                        occurred_at: days_ago(days),
                        detail: "/pricing".into(),
                        event_id: None,
                    }, now()).unwrap();
                }
                Op::Remove { pick } if !ids.is_empty() => {
                    let id = ids.remove(pick % ids.len());
                    activities::remove(&t.db, id, now()).unwrap();
                }
                _ => {}
            }
        }
        let incremental: Vec<(f64, f64, String)> = leads.iter().map(|id| stored(&t, *id)).collect();
        let r = scoring::recompute_all(&t.db, now()).unwrap();
        prop_assert_eq!(r.changed, 0);
        let full: Vec<(f64, f64, String)> = leads.iter().map(|id| stored(&t, *id)).collect();
        prop_assert_eq!(incremental, full);
        for id in &leads {
            let e = scoring::explain(&t.db, *id, now()).unwrap();
            prop_assert_eq!(sum_of(&e, "engagement"), e.engagement);
        }
    }
}

#[test]
fn a_preview_after_a_change_sees_the_change() {
    let t = TempDb::new();
    let a = lead(&t, "取締役", "a@sample.co.jp"); // fit 35
    log(&t, a, "document_request", 0, "");
    let mut candidate = ScoringModel::default();
    candidate.mql.engagement = 40.0;
    let p = scoring::impact_preview(&t.db, &candidate, now()).unwrap();
    assert_eq!(p.becoming_mql, 0);
    // A second preview of another threshold comes from memory and agrees with a rescan.
    candidate.mql.engagement = 30.0;
    assert_eq!(
        scoring::impact_preview(&t.db, &candidate, now())
            .unwrap()
            .becoming_mql,
        1
    );
    candidate.mql.engagement = 40.0;
    log(&t, a, "webinar_attended", 0, ""); // 45: the cached read is stale now
    let p = scoring::impact_preview(&t.db, &candidate, now()).unwrap();
    assert_eq!((p.mql_now, p.becoming_mql), (0, 1));
    // Another connection's write is seen too.
    let conn = Connection::open(t.path()).unwrap();
    conn.execute("DELETE FROM activities WHERE lead_id = ?1", [a])
        .unwrap();
    drop(conn);
    scoring::recompute_all(&t.db, now()).unwrap();
    let p = scoring::impact_preview(&t.db, &candidate, now()).unwrap();
    assert_eq!((p.mql_now, p.becoming_mql), (0, 0));
    assert_eq!(stored(&t, a).0, 0.0);
}

#[test]
fn a_large_rewrite_rebuilds_the_score_indexes_and_keeps_them() {
    let t = TempDb::new();
    let anchor = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    generate(
        &t.db,
        &DemoOptions {
            leads: 12_000,
            seed: 3,
            anchor,
        },
        &mut |_, _| {},
        &AtomicBool::new(false),
    )
    .unwrap();
    let at = Utc.from_utc_datetime(&anchor.and_hms_opt(12, 0, 0).unwrap());
    let mut model = ScoringModel::default();
    for r in &mut model.behaviour_rules {
        r.points += 1.0;
    }
    model.fit_rules[6].points = 6.0; // metro area
    let r = scoring::save_model(&t.db, &model, at).unwrap();
    assert!(r.changed > 10_000, "{} changed", r.changed);
    let conn = Connection::open(t.path()).unwrap();
    for index in ["lead_scores_by_engagement", "lead_scores_mql"] {
        let n: u32 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = ?1",
                [index],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 1, "{index} is back");
    }
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let top = crate::top_by_engagement(&t.db, 5);
    let e = scoring::explain(&t.db, top.rows[0].id, at).unwrap();
    assert_eq!(e.engagement, top.rows[0].engagement_score);
    assert!(top
        .rows
        .windows(2)
        .all(|w| w[0].engagement_score >= w[1].engagement_score));
    // Again, from the snapshot the save left: nothing to write.
    assert_eq!(scoring::recompute_all(&t.db, at).unwrap().changed, 0);
}

#[test]
fn a_preview_read_in_the_background_serves_the_first_preview_and_is_dropped_after_a_write() {
    let t = TempDb::new();
    let anchor = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    let options = DemoOptions {
        leads: 1_500,
        seed: 3,
        anchor,
    };
    generate(&t.db, &options, &mut |_, _| {}, &AtomicBool::new(false)).unwrap();
    let at = Utc.from_utc_datetime(&anchor.and_hms_opt(20, 0, 0).unwrap());
    let mut candidate = ScoringModel::default();
    candidate.behaviour_rules[0].points += 15.0;
    candidate.mql.engagement -= 10.0;
    let expected = scoring::impact_preview(
        &sodate_core::Sodate::open(t.path()).unwrap(),
        &candidate,
        at,
    )
    .unwrap();
    assert!(expected.becoming_mql > 0, "{expected:?}");

    let db = sodate_core::Sodate::open(t.path()).unwrap();
    let read = scoring::preview_read_for(&db, at)
        .unwrap()
        .expect("nothing cached yet");
    let read = read.read().unwrap();
    assert!(scoring::keep_preview_read(&db, read).unwrap());
    assert!(
        scoring::preview_read_for(&db, at).unwrap().is_none(),
        "the read is cached"
    );
    let p = scoring::impact_preview(&db, &candidate, at).unwrap();
    assert_eq!(
        (
            p.leads,
            p.mql_now,
            p.mql_after,
            p.becoming_mql,
            p.leaving_mql,
            p.grade_changes,
            p.score_changes
        ),
        (
            expected.leads,
            expected.mql_now,
            expected.mql_after,
            expected.becoming_mql,
            expected.leaving_mql,
            expected.grade_changes,
            expected.score_changes
        )
    );
    // Another day needs another read.
    assert!(scoring::preview_read_for(&db, at + Duration::days(1))
        .unwrap()
        .is_some());

    // A write while reading (here by another handle): the read is not kept.
    let read = scoring::preview_read_for(&t.db, at)
        .unwrap()
        .expect("t.db has no cache");
    let other = sodate_core::Sodate::open(t.path()).unwrap();
    activities::add(
        &other,
        &ActivityInput {
            lead_id: 1,
            activity_type: "document_request".into(),
            occurred_at: None,
            detail: String::new(),
            event_id: None,
        },
        at,
    )
    .unwrap();
    let read = read.read().unwrap();
    assert!(!scoring::keep_preview_read(&t.db, read).unwrap());
    assert!(scoring::preview_read_for(&t.db, at).unwrap().is_some());
}

/// Puts a database of this version back as migration 14 left it: the scores in the lead
/// rows, no `lead_scores`.
fn back_to_schema_14(conn: &Connection) {
    conn.execute_batch(
        "DROP TRIGGER lead_scores_insert;
         DROP TRIGGER lead_scores_delete;
         DROP INDEX leads_scoring;
         ALTER TABLE leads RENAME COLUMN retired_engagement_score TO engagement_score;
         ALTER TABLE leads RENAME COLUMN retired_fit_score TO fit_score;
         ALTER TABLE leads RENAME COLUMN retired_grade TO grade;
         ALTER TABLE leads RENAME COLUMN retired_is_mql TO is_mql;
         ALTER TABLE leads RENAME COLUMN retired_mql_since TO mql_since;
         UPDATE leads SET (engagement_score, fit_score, grade, is_mql, mql_since) =
             (SELECT engagement_score, fit_score, grade, is_mql, mql_since
              FROM lead_scores s WHERE s.id = leads.id);
         DROP TABLE lead_scores;
         CREATE INDEX leads_by_engagement ON leads (engagement_score, id);
         CREATE INDEX leads_mql ON leads (mql_since) WHERE is_mql = 1;
         CREATE INDEX leads_scoring ON leads (
             id, company_id, title, department, email, prefecture, source, website,
             engagement_score, fit_score, grade, is_mql
         );
         PRAGMA user_version = 14;",
    )
    .unwrap();
}

#[test]
fn migration_15_moves_the_scores_to_their_own_table_and_every_score_stays() {
    let t = TempDb::with_demo(1_000, 8, (2026, 11, 1));
    let scores =
        |conn: &Connection, sql: &str| -> Vec<(i64, f64, f64, String, bool, Option<String>)> {
            conn.prepare(sql)
                .unwrap()
                .query_map([], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                })
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap()
        };
    let read = "SELECT id, engagement_score, fit_score, grade, is_mql, mql_since FROM lead_scores ORDER BY id";
    let before = {
        let conn = Connection::open(t.path()).unwrap();
        let before = scores(&conn, read);
        back_to_schema_14(&conn);
        before
    };
    assert_eq!(before.len(), 1_000);
    assert!(before.iter().any(|s| s.4 && s.5.is_some()), "some MQLs");
    assert!(before.iter().any(|s| s.1 > 0.0) && before.iter().any(|s| s.2 != 0.0));
    let db = sodate_core::Sodate::open(t.path()).unwrap();
    let conn = Connection::open(t.path()).unwrap();
    assert_eq!(scores(&conn, read), before);
    // The lead list's score order reads them; a new lead gets its row, a deleted one loses it.
    let top = crate::top_by_engagement(&db, 1);
    let best = before.iter().map(|s| s.1).fold(f64::MIN, f64::max);
    assert_eq!(top.rows[0].engagement_score, best);
    conn.execute_batch(
        "INSERT INTO leads (family_name, created_at, updated_at) VALUES ('新規', '2026-11-01', '2026-11-01');
         DELETE FROM leads WHERE id = 1;",
    )
    .unwrap();
    let (leads, scored, orphans): (i64, i64, i64) = conn
        .query_row(
            "SELECT (SELECT count(*) FROM leads), (SELECT count(*) FROM lead_scores),
                    (SELECT count(*) FROM lead_scores s WHERE NOT EXISTS (SELECT 1 FROM leads l WHERE l.id = s.id))",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((leads, scored, orphans), (1_000, 1_000, 0));
}

#[test]
fn migration_13_adds_the_scoring_indexes_to_a_database_with_leads_and_the_scores_stay() {
    let t = TempDb::new();
    let anchor = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    let options = DemoOptions {
        leads: 1_000,
        seed: 8,
        anchor,
    };
    generate(&t.db, &options, &mut |_, _| {}, &AtomicBool::new(false)).unwrap();
    let indexes = [
        "leads_scoring",
        "companies_scoring",
        "activities_by_type_detail",
    ];
    let present = |conn: &Connection| -> Vec<String> {
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND name IN (?1, ?2, ?3) ORDER BY name")
            .unwrap();
        stmt.query_map(indexes, |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    };
    // The database as the migration before them left it (the demo data written before the
    // indexes existed).
    {
        let conn = Connection::open(t.path()).unwrap();
        assert_eq!(present(&conn).len(), 3);
        // (Without what migrations 15 and 14 add either: they run after it again.)
        back_to_schema_14(&conn);
        for name in indexes {
            conn.execute_batch(&format!("DROP INDEX {name}")).unwrap();
        }
        conn.execute_batch(
            "DROP TRIGGER lead_changes_lead_fit_update;
             DROP TRIGGER lead_changes_activity_detail_update;
             DROP TRIGGER lead_changes_company_update;
             DROP TABLE score_snapshot;",
        )
        .unwrap();
        let before = 12;
        conn.pragma_update(None, "user_version", before as i64)
            .unwrap();
        assert!(present(&conn).is_empty());
    }
    let db = sodate_core::Sodate::open(t.path()).unwrap();
    let conn = Connection::open(t.path()).unwrap();
    assert_eq!(
        present(&conn),
        [
            "activities_by_type_detail",
            "companies_scoring",
            "leads_scoring"
        ]
    );
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version as usize, sodate_core::db::schema_version());
    // Only activities with a detail are in the partial index.
    let (details, in_index): (i64, i64) = conn
        .query_row(
            "SELECT (SELECT count(*) FROM activities WHERE detail <> ''),
                    (SELECT count(*) FROM activities INDEXED BY activities_by_type_detail WHERE detail <> '')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(details > 1_000);
    assert_eq!(details, in_index);
    // The read through the new indexes gives the scores the demo stored.
    let at = Utc.from_utc_datetime(&anchor.and_hms_opt(20, 0, 0).unwrap());
    let r = scoring::recompute_all(&db, at).unwrap();
    assert_eq!((r.leads, r.changed), (1_000, 0));
}

#[test]
fn a_model_save_reports_the_backup_then_every_rescored_lead_written() {
    let t = TempDb::with_demo(3_000, 4, (2026, 11, 1));
    let at = Utc.with_ymd_and_hms(2026, 11, 1, 12, 0, 0).unwrap();
    let mut model = ScoringModel::default();
    for r in &mut model.behaviour_rules {
        r.points += 1.0;
    }
    let mut seen = Vec::new();
    let report =
        scoring::save_model_with_progress(&t.db, &model, at, &mut |p| seen.push(p)).unwrap();
    assert!(report.changed > 100, "{} changed", report.changed);
    let backup: Vec<_> = seen
        .iter()
        .take_while(|p| p.phase == scoring::SavePhase::Backup)
        .collect();
    let rescoring = &seen[backup.len()..];
    if let Some(last) = backup.last() {
        assert_eq!(last.done, last.total, "the backup ends complete");
    }
    assert!(
        rescoring
            .iter()
            .all(|p| p.phase == scoring::SavePhase::Rescoring && p.total == report.changed),
        "{rescoring:?}"
    );
    assert_eq!(
        (rescoring[0].done, rescoring.last().unwrap().done),
        (0, report.changed)
    );
    assert!(rescoring.windows(2).all(|w| w[0].done <= w[1].done));
    // An invalid model reports nothing and saves nothing.
    let mut bad = model.clone();
    bad.decay = Decay::HalfLife { days: -3.0 };
    let mut seen = Vec::new();
    assert!(scoring::save_model_with_progress(&t.db, &bad, at, &mut |p| seen.push(p)).is_err());
    assert!(seen.is_empty());
}
