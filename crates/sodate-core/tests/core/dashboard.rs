//! Dashboard: the funnel, events and sources, dormancy and trends as a marketer reads them;
//! every number equal to the leads behind it and to the same question asked another way.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};
use serde_json::json;
use sodate_core::dashboard::{self, Dashboard, DashboardQuery, DrillQuery, TrendBucket};
use sodate_core::{activities, leads, segments, LeadInput};

use crate::TempDb;

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

const NOW: &str = "2026-11-20T12:00:00Z";

fn lead(t: &TempDb, family: &str, source: &str) -> i64 {
    leads::create(
        &t.db,
        &LeadInput {
            family_name: family.into(),
            given_name: "太郎".into(),
            email: format!("{}@example.jp", family.len() + rand_suffix(family)),
            source: source.into(),
            ..Default::default()
        },
    )
    .unwrap()
    .lead
    .id
}

fn rand_suffix(s: &str) -> usize {
    s.bytes().map(usize::from).sum()
}

/// Gives lead `id` a registration day and the moves `(to, day)` (the first from nothing),
/// written straight into the file as the journal holds them; its stage is the last move.
fn history(t: &TempDb, id: i64, created: &str, moves: &[(&str, &str)]) {
    let conn = Connection::open(t.path()).unwrap();
    conn.execute("DELETE FROM lifecycle_history WHERE lead_id = ?1", [id])
        .unwrap();
    conn.execute(
        "UPDATE leads SET created_at = ?2, lifecycle_stage = ?3 WHERE id = ?1",
        params![id, format!("{created}T09:00:00Z"), moves.last().unwrap().0],
    )
    .unwrap();
    let mut from: Option<&str> = None;
    for (to, day) in moves {
        conn.execute(
            "INSERT INTO lifecycle_history (lead_id, from_stage, to_stage, changed_at)
             VALUES (?1, ?2, ?3, ?4)",
            params![id, from, to, format!("{day}T10:00:00Z")],
        )
        .unwrap();
        from = Some(to);
    }
}

fn activity(t: &TempDb, id: i64, code: &str, when: &str, event: Option<i64>) {
    let conn = Connection::open(t.path()).unwrap();
    conn.execute(
        "INSERT INTO activities (lead_id, type_id, occurred_at, event_id, source)
         SELECT ?1, id, ?3, ?4, 'manual' FROM activity_types WHERE code = ?2",
        params![id, code, at(when).timestamp(), event],
    )
    .unwrap();
}

fn event(t: &TempDb, name: &str, day: &str) -> i64 {
    let conn = Connection::open(t.path()).unwrap();
    conn.execute(
        "INSERT INTO events (name, kind, starts_on, created_at) VALUES (?1, 'trade_show', ?2, ?2)",
        params![name, day],
    )
    .unwrap();
    conn.last_insert_rowid()
}

fn board(t: &TempDb, q: &DashboardQuery) -> Dashboard {
    dashboard::compute_at(&t.db, q, at(NOW)).unwrap()
}

fn drill_total(t: &TempDb, q: DrillQuery) -> u32 {
    dashboard::drill_at(&t.db, &DrillQuery { limit: 500, ..q }, at(NOW))
        .unwrap()
        .total
}

/// Five leads: 佐藤 won (skipping SAL), 鈴木 reached SQL, 高橋 lost after SAL, 田中 is MQL,
/// 伊藤 is a subscriber. 佐藤 and 鈴木 were met at the 展示会.
fn seed(t: &TempDb) -> (Vec<i64>, i64) {
    let ids = vec![
        lead(t, "佐藤", "trade_show"),
        lead(t, "鈴木", "trade_show"),
        lead(t, "高橋", "web_form"),
        lead(t, "田中", "web_form"),
        lead(t, "伊藤", "seminar"),
    ];
    history(
        t,
        ids[0],
        "2026-01-10",
        &[
            ("lead", "2026-01-10"),
            ("mql", "2026-01-20"),
            ("sql", "2026-02-01"),
            ("opportunity", "2026-02-11"),
            ("won", "2026-03-01"),
        ],
    );
    history(
        t,
        ids[1],
        "2026-01-15",
        &[
            ("lead", "2026-01-15"),
            ("mql", "2026-02-14"),
            ("sal", "2026-02-16"),
            ("sql", "2026-02-20"),
        ],
    );
    history(
        t,
        ids[2],
        "2026-02-01",
        &[
            ("lead", "2026-02-01"),
            ("mql", "2026-02-05"),
            ("sal", "2026-02-06"),
            ("lost", "2026-03-01"),
        ],
    );
    history(
        t,
        ids[3],
        "2026-03-01",
        &[("lead", "2026-03-01"), ("mql", "2026-10-01")],
    );
    history(t, ids[4], "2026-06-01", &[("subscriber", "2026-06-01")]);
    let expo = event(t, "東京ITフェア2026", "2026-01-10");
    activity(t, ids[0], "booth_visit", "2026-01-10T11:00:00Z", Some(expo));
    activity(
        t,
        ids[1],
        "card_exchange",
        "2026-01-10T12:00:00Z",
        Some(expo),
    );
    activity(t, ids[3], "page_view", "2026-11-01T12:00:00Z", None);
    activity(t, ids[0], "email_sent", "2026-10-05T12:00:00Z", None);
    activity(t, ids[1], "email_sent", "2026-10-05T12:00:00Z", None);
    activity(t, ids[2], "email_sent", "2026-10-05T12:00:00Z", None);
    activity(t, ids[3], "email_sent", "2026-10-05T12:00:00Z", None);
    activity(t, ids[0], "email_opened", "2026-10-06T12:00:00Z", None);
    activity(t, ids[3], "email_opened", "2026-10-07T12:00:00Z", None);
    activity(t, ids[3], "email_clicked", "2026-10-07T12:05:00Z", None);
    (ids, expo)
}

#[test]
fn the_funnel_counts_each_stage_reached_with_conversions_and_median_days() {
    let t = TempDb::new();
    seed(&t);
    let d = board(&t, &DashboardQuery::default());
    assert_eq!(d.cohort, 5);
    let figures: Vec<(&str, u32, u32)> = d
        .funnel
        .iter()
        .map(|s| (s.stage.as_str(), s.reached, s.current))
        .collect();
    // 佐藤 skipped SAL but passed it; 高橋 reached SAL before being lost.
    assert_eq!(
        figures,
        [
            ("lead", 4, 0),
            ("mql", 4, 1),
            ("sal", 3, 0),
            ("sql", 2, 1),
            ("opportunity", 1, 0),
            ("won", 1, 1),
        ]
    );
    assert_eq!(d.funnel[0].conversion, Some(1.0));
    assert_eq!(d.funnel[2].conversion, Some(2.0 / 3.0));
    assert_eq!(d.funnel[5].conversion, None);
    // lead → MQL: 10, 30, 4 and 214 days: the median is (10 + 30) / 2.
    assert_eq!(d.funnel[0].median_days, Some(20.0));
    // MQL → SAL: 佐藤 12 (SAL taken at SQL's day), 鈴木 2, 高橋 1.
    assert_eq!(d.funnel[1].median_days, Some(2.0));
    let others: Vec<(&str, u32, u32)> = d
        .other_stages
        .iter()
        .map(|s| (s.stage.as_str(), s.reached, s.current))
        .collect();
    assert_eq!(
        others,
        [
            ("subscriber", 1, 1),
            ("lost", 1, 1),
            ("recycled", 0, 0),
            ("disqualified", 0, 0)
        ]
    );
}

#[test]
fn events_and_sources_show_how_far_their_leads_went() {
    let t = TempDb::new();
    let (_, expo) = seed(&t);
    let d = board(&t, &DashboardQuery::default());
    assert_eq!(d.by_event.len(), 1);
    let row = &d.by_event[0];
    assert_eq!(row.name, "東京ITフェア2026");
    assert_eq!(row.key, expo.to_string());
    assert_eq!(
        (row.leads, row.mql, row.sql, row.opportunity, row.won),
        (2, 2, 2, 1, 1)
    );
    assert_eq!(row.win_rate, Some(0.5));
    let sources: Vec<(&str, u32, u32, u32)> = d
        .by_source
        .iter()
        .map(|r| (r.key.as_str(), r.leads, r.mql, r.won))
        .collect();
    assert_eq!(
        sources,
        [
            ("trade_show", 2, 2, 1),
            ("web_form", 2, 2, 0),
            ("seminar", 1, 0, 0)
        ]
    );
}

#[test]
fn filters_narrow_every_figure_and_unknown_values_give_an_empty_cohort() {
    let t = TempDb::new();
    let (_, expo) = seed(&t);
    let by_event = board(
        &t,
        &DashboardQuery {
            event: Some(expo),
            ..Default::default()
        },
    );
    assert_eq!(by_event.cohort, 2);
    assert_eq!(by_event.funnel[5].reached, 1);
    let period = board(
        &t,
        &DashboardQuery {
            from: Some("2026-01-12".into()),
            to: Some("2026-02-28".into()),
            ..Default::default()
        },
    );
    assert_eq!(period.cohort, 2, "鈴木 and 高橋 registered in the period");
    let source = board(
        &t,
        &DashboardQuery {
            source: Some("web_form".into()),
            ..Default::default()
        },
    );
    assert_eq!(source.cohort, 2);
    let nobody = board(
        &t,
        &DashboardQuery {
            owner: Some("誰もいない".into()),
            ..Default::default()
        },
    );
    assert_eq!(nobody.cohort, 0);
    assert!(nobody.funnel.iter().all(|s| s.reached == 0));
}

#[test]
fn dormancy_counts_leads_without_activity_and_its_segment_counts_the_same() {
    let t = TempDb::new();
    let (ids, _) = seed(&t);
    let q = DashboardQuery {
        dormant_days: Some(30),
        ..Default::default()
    };
    let d = board(&t, &q);
    // Active in the last 30 days: 田中 (a page view on 11-01). Email results are from
    // October 5–7, more than 30 days before November 20, except none.
    assert_eq!(d.dormant.days, 30);
    assert_eq!(d.dormant.total, 4);
    let lost = d
        .dormant
        .by_stage
        .iter()
        .find(|s| s.stage == "lost")
        .unwrap();
    assert_eq!(lost.count, 1);
    let id = dashboard::save_dormant_segment(&t.db, &q, "休眠30日").unwrap();
    let members = segments::member_ids_at(
        &t.db,
        &segments::SegmentFilter::Segment {
            id,
            path: "segment".into(),
        },
        at(NOW),
    )
    .unwrap();
    assert_eq!(members.len(), 4);
    assert!(!members.contains(&ids[3]));

    // A new activity makes 佐藤 active: the next dashboard reads the change.
    activities::add(
        &t.db,
        &activities::ActivityInput {
            lead_id: ids[0],
            activity_type: "call".into(),
            occurred_at: Some("2026-11-19T10:00:00Z".into()),
            ..Default::default()
        },
        at(NOW),
    )
    .unwrap();
    assert_eq!(board(&t, &q).dormant.total, 3);
}

#[test]
fn trends_and_email_rates_by_month_and_week() {
    let t = TempDb::new();
    seed(&t);
    let d = board(
        &t,
        &DashboardQuery {
            from: Some("2026-01-01".into()),
            to: Some("2026-03-31".into()),
            ..Default::default()
        },
    );
    let months: Vec<(&str, u32, u32, u32)> = d
        .trends
        .iter()
        .map(|p| (p.start.as_str(), p.new_leads, p.mqls, p.wins))
        .collect();
    assert_eq!(
        months,
        [
            ("2026-01-01", 2, 1, 0),
            ("2026-02-01", 1, 2, 0),
            ("2026-03-01", 1, 0, 1)
        ]
    );
    assert_eq!(d.trends[1].end, "2026-02-28");
    let all_year = board(&t, &DashboardQuery::default());
    assert_eq!(all_year.trends.len(), 12, "the last 12 months by default");
    assert_eq!(all_year.trends.last().unwrap().start, "2026-11-01");
    let october = all_year
        .email
        .iter()
        .find(|m| m.month == "2026-10")
        .unwrap();
    assert_eq!((october.sent, october.opened, october.clicked), (4, 2, 1));
    assert_eq!(october.open_rate, Some(0.5));
    assert_eq!(october.click_rate, Some(0.25));
    let weeks = board(
        &t,
        &DashboardQuery {
            from: Some("2026-01-07".into()),
            to: Some("2026-01-20".into()),
            bucket: Some(TrendBucket::Week),
            ..Default::default()
        },
    );
    let weeks: Vec<(&str, u32)> = weeks
        .trends
        .iter()
        .map(|p| (p.start.as_str(), p.new_leads))
        .collect();
    // Weeks start on Monday: 2026-01-05, 01-12, 01-19.
    assert_eq!(
        weeks,
        [("2026-01-05", 1), ("2026-01-12", 1), ("2026-01-19", 0)]
    );
}

#[test]
fn every_number_opens_as_exactly_its_leads() {
    let t = TempDb::new();
    let (ids, expo) = seed(&t);
    let sal = DrillQuery {
        stage: Some("sal".into()),
        ..Default::default()
    };
    let page = dashboard::drill_at(&t.db, &DrillQuery { limit: 10, ..sal }, at(NOW)).unwrap();
    let mut names: Vec<String> = page.rows.iter().map(|r| r.family_name.clone()).collect();
    names.sort();
    assert_eq!(page.total, 3);
    assert_eq!(names, ["佐藤", "鈴木", "高橋"]);
    let won_at_expo = DrillQuery {
        stage: Some("won".into()),
        event: Some(expo),
        limit: 10,
        ..Default::default()
    };
    let page = dashboard::drill_at(&t.db, &won_at_expo, at(NOW)).unwrap();
    assert_eq!(page.rows.iter().map(|r| r.id).collect::<Vec<_>>(), [ids[0]]);
    assert_eq!(
        drill_total(
            &t,
            DrillQuery {
                stage: Some("mql".into()),
                current: true,
                ..Default::default()
            }
        ),
        1
    );
    assert_eq!(
        drill_total(
            &t,
            DrillQuery {
                stage: Some("mql".into()),
                day_from: Some("2026-02-01".into()),
                day_to: Some("2026-02-28".into()),
                ..Default::default()
            }
        ),
        2
    );
}

#[test]
fn bad_queries_are_refused_with_the_field_named() {
    let t = TempDb::new();
    seed(&t);
    let cases = [
        (
            DashboardQuery {
                from: Some("2026-13-01".into()),
                ..Default::default()
            },
            "from",
        ),
        (
            DashboardQuery {
                from: Some("2026-03-01".into()),
                to: Some("2026-02-01".into()),
                ..Default::default()
            },
            "to",
        ),
        (
            DashboardQuery {
                dormant_days: Some(0),
                ..Default::default()
            },
            "dormantDays",
        ),
        (
            DashboardQuery {
                from: Some("1990-01-01".into()),
                bucket: Some(TrendBucket::Week),
                ..Default::default()
            },
            "bucket",
        ),
    ];
    for (q, field) in cases {
        let err = dashboard::compute_at(&t.db, &q, at(NOW)).unwrap_err();
        assert_eq!(err.code(), "invalid", "{q:?}");
        assert!(
            format!("{err}").contains(field),
            "{err} should name {field}"
        );
    }
    let no_event = DashboardQuery {
        event: Some(999),
        ..Default::default()
    };
    let err = dashboard::compute_at(&t.db, &no_event, at(NOW)).unwrap_err();
    assert_eq!(err.code(), "not_found");
    // A missing segment is refused as the segment builder refuses it.
    let no_segment = DashboardQuery {
        segment: Some(999),
        ..Default::default()
    };
    let err = dashboard::compute_at(&t.db, &no_segment, at(NOW)).unwrap_err();
    assert_eq!(err.code(), "invalid");
    assert!(format!("{err}").contains("999"), "{err}");
    for q in [
        DrillQuery {
            stage: Some("nurturing".into()),
            limit: 10,
            ..Default::default()
        },
        DrillQuery {
            limit: 0,
            ..Default::default()
        },
        DrillQuery {
            day_from: Some("2026-01-01".into()),
            limit: 10,
            ..Default::default()
        },
    ] {
        assert_eq!(
            dashboard::drill_at(&t.db, &q, at(NOW)).unwrap_err().code(),
            "invalid",
            "{q:?}"
        );
    }
}

#[test]
fn on_demo_data_the_figures_equal_the_same_questions_in_sql_and_segments() {
    let t = TempDb::with_demo(3_000, 11, (2026, 11, 20));
    let d = board(&t, &DashboardQuery::default());
    let conn = Connection::open(t.path()).unwrap();
    let reached = |stages: &str| -> u32 {
        conn.query_row(
            &format!(
                "SELECT count(DISTINCT lead_id) FROM lifecycle_history WHERE to_stage IN ({stages})"
            ),
            [],
            |r| r.get(0),
        )
        .unwrap()
    };
    assert_eq!(
        d.funnel[1].reached,
        reached("'mql', 'sal', 'sql', 'opportunity', 'won'")
    );
    assert_eq!(d.funnel[5].reached, reached("'won'"));
    assert!(d.funnel[1].reached > 300, "the demo has a real funnel");
    assert!(d.funnel[5].reached > 30);
    for step in &d.funnel {
        assert_eq!(
            drill_total(
                &t,
                DrillQuery {
                    stage: Some(step.stage.clone()),
                    ..Default::default()
                }
            ),
            step.reached,
            "{}",
            step.stage
        );
    }
    // Dormancy = the segment condition "no activity for 180 days".
    let dormant = segments::count_at(
        &t.db,
        &segments::parse(&json!({"activity": {"within_days": 180, "max_count": 0}})).unwrap(),
        at(NOW),
    )
    .unwrap()
    .count;
    assert_eq!(d.dormant.total, dormant);
    // Met at an event = the segment field `event`; each row's MQLs open as themselves.
    for row in d.by_event.iter().take(5) {
        let id: i64 = row.key.parse().unwrap();
        let met = segments::count_at(
            &t.db,
            &segments::parse(&json!({"field": "event", "op": "eq", "value": id})).unwrap(),
            at(NOW),
        )
        .unwrap()
        .count;
        assert_eq!(row.leads, met, "{}", row.name);
        assert_eq!(
            drill_total(
                &t,
                DrillQuery {
                    stage: Some("mql".into()),
                    event: Some(id),
                    ..Default::default()
                }
            ),
            row.mql
        );
    }
    // The saved dormant segment of a filtered dashboard has its number of members.
    let q = DashboardQuery {
        source: Some("trade_show".into()),
        from: Some("2025-06-01".into()),
        dormant_days: Some(90),
        ..Default::default()
    };
    let filtered = board(&t, &q);
    let id = dashboard::save_dormant_segment(&t.db, &q, "展示会の休眠").unwrap();
    let members = segments::member_ids_at(
        &t.db,
        &segments::SegmentFilter::Segment {
            id,
            path: "segment".into(),
        },
        at(NOW),
    )
    .unwrap();
    assert_eq!(members.len() as u32, filtered.dormant.total);
    assert!(filtered.dormant.total > 0);
    // Trend buckets add up to the leads registered in them.
    let trend_total: u32 = d.trends.iter().map(|p| p.new_leads).sum();
    let in_year: u32 = conn
        .query_row(
            "SELECT count(*) FROM leads WHERE created_at >= '2025-12-01'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(trend_total, in_year);
}

/// The dashboard of a handle that keeps its facts, and the same dashboard read from
/// nothing by a fresh handle: after every kind of change they must be equal.
fn kept_and_fresh(t: &TempDb, q: &DashboardQuery) -> (Dashboard, Dashboard) {
    let kept = board(t, q);
    let fresh = sodate_core::Sodate::open(t.path()).unwrap();
    (kept, dashboard::compute_at(&fresh, q, at(NOW)).unwrap())
}

#[test]
fn after_each_kind_of_change_only_the_changed_leads_are_read_again_and_every_figure_is_right() {
    use sodate_core::dashboard::FactsRead;
    use sodate_core::handoff::{move_lead, MoveRequest};

    let t = TempDb::with_demo(1_500, 5, (2026, 11, 20));
    let all = DashboardQuery::default();
    let (kept, fresh) = kept_and_fresh(&t, &all);
    assert_eq!(kept, fresh);
    assert_eq!(dashboard::warm(&t.db).unwrap(), FactsRead::Unchanged);
    let mql_before = kept
        .funnel
        .iter()
        .find(|s| s.stage == "mql")
        .unwrap()
        .reached;

    let conn = Connection::open(t.path()).unwrap();
    let lead_in = |stage: &str| -> i64 {
        conn.query_row(
            "SELECT min(id) FROM leads WHERE lifecycle_stage = ?1",
            [stage],
            |r| r.get(0),
        )
        .unwrap()
    };
    let move_to = |id: i64, stage: &str| {
        move_lead(
            &t.db,
            id,
            &MoveRequest {
                stage: stage.into(),
                reason: String::new(),
                note: String::new(),
                confirm_incomplete_bant: true,
            },
            "テスト",
            at(NOW),
        )
        .unwrap();
    };

    // A board move: one lead, its stage and a history row.
    let subscriber = lead_in("lead");
    move_to(subscriber, "mql");
    assert_eq!(dashboard::warm(&t.db).unwrap(), FactsRead::Refreshed(1));
    let (kept, fresh) = kept_and_fresh(&t, &all);
    assert_eq!(kept, fresh);
    let mql_after = kept
        .funnel
        .iter()
        .find(|s| s.stage == "mql")
        .unwrap()
        .reached;
    assert_eq!(
        mql_after,
        mql_before + 1,
        "the moved lead is counted as reaching MQL"
    );

    // An email result through the app's own path, and one written by another process.
    activities::add(
        &t.db,
        &activities::ActivityInput {
            lead_id: subscriber,
            activity_type: "email_opened".into(),
            occurred_at: Some("2026-11-19T08:00:00Z".into()),
            detail: String::new(),
            event_id: None,
        },
        at(NOW),
    )
    .unwrap();
    activity(
        &t,
        lead_in("sal"),
        "email_clicked",
        "2026-11-18T08:00:00Z",
        None,
    );
    assert_eq!(dashboard::warm(&t.db).unwrap(), FactsRead::Refreshed(2));
    let (kept, fresh) = kept_and_fresh(&t, &all);
    assert_eq!(kept, fresh);

    // Source and owner edited; an event deleted (its activities and first-event leads lose
    // it); an activity removed; a new lead; a lead deleted.
    conn.execute(
        "UPDATE leads SET source = 'referral', owner = '新しい担当' WHERE id = ?1",
        [lead_in("sql")],
    )
    .unwrap();
    let busiest: i64 = conn
        .query_row(
            "SELECT first_event_id FROM leads WHERE first_event_id IS NOT NULL
             GROUP BY first_event_id ORDER BY count(*) LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    conn.execute("PRAGMA foreign_keys = ON", []).unwrap();
    conn.execute("DELETE FROM events WHERE id = ?1", [busiest])
        .unwrap();
    conn.execute(
        "DELETE FROM activities WHERE id = (SELECT max(id) FROM activities WHERE type_id =
           (SELECT id FROM activity_types WHERE code = 'email_sent'))",
        [],
    )
    .unwrap();
    let by_source = |d: &Dashboard, key: &str| {
        d.by_source
            .iter()
            .find(|r| r.key == key)
            .map_or(0, |r| r.leads)
    };
    let web_forms = by_source(&kept, "web_form");
    let newcomer = lead(&t, "新人", "web_form");
    conn.execute(
        "UPDATE leads SET created_at = '2026-11-10T09:00:00Z' WHERE id = ?1",
        [newcomer],
    )
    .unwrap();
    let won_elsewhere: i64 = conn
        .query_row(
            "SELECT min(id) FROM leads WHERE lifecycle_stage = 'won' AND source <> 'web_form'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    leads::delete(&t.db, won_elsewhere).unwrap();
    let read = dashboard::warm(&t.db).unwrap();
    assert!(
        matches!(read, FactsRead::Refreshed(n) if (3..200).contains(&n)),
        "only the leads touched are read again: {read:?}"
    );
    let (kept, fresh) = kept_and_fresh(&t, &all);
    assert_eq!(kept, fresh);
    assert_eq!(by_source(&kept, "web_form"), web_forms + 1);
    assert!(!kept.by_event.iter().any(|r| r.key == busiest.to_string()));
    // Every filter reads the same kept facts.
    for q in [
        DashboardQuery {
            source: Some("referral".into()),
            ..Default::default()
        },
        DashboardQuery {
            owner: Some("新しい担当".into()),
            ..Default::default()
        },
        DashboardQuery {
            from: Some("2026-11-01".into()),
            bucket: Some(TrendBucket::Week),
            ..Default::default()
        },
    ] {
        let (kept, fresh) = kept_and_fresh(&t, &q);
        assert_eq!(kept, fresh, "{q:?}");
    }
    let drill = DrillQuery {
        dashboard: all.clone(),
        stage: Some("lead".into()),
        ..Default::default()
    };
    let fresh = sodate_core::Sodate::open(t.path()).unwrap();
    assert_eq!(
        drill_total(&t, drill.clone()),
        dashboard::drill_at(
            &fresh,
            &DrillQuery {
                limit: 500,
                ..drill
            },
            at(NOW)
        )
        .unwrap()
        .total
    );

    // Nothing changed: nothing read.
    assert_eq!(dashboard::warm(&t.db).unwrap(), FactsRead::Unchanged);
}

#[test]
fn facts_read_on_other_connections_are_adopted_and_then_kept_current() {
    use sodate_core::dashboard::FactsRead;

    let t = TempDb::new();
    let (ids, _) = seed(&t);
    let all = DashboardQuery::default();
    let prefetched = dashboard::prefetch(t.db.file()).unwrap();
    // Written after the read: the adopted facts must catch up with it.
    history(
        &t,
        ids[4],
        "2026-10-01",
        &[("lead", "2026-10-01"), ("mql", "2026-11-02")],
    );
    assert!(dashboard::adopt(&t.db, prefetched));
    assert_eq!(dashboard::warm(&t.db).unwrap(), FactsRead::Refreshed(1));
    let (kept, fresh) = kept_and_fresh(&t, &all);
    assert_eq!(kept, fresh);
    // A handle that already has facts keeps its own.
    let again = dashboard::prefetch(t.db.file()).unwrap();
    assert!(!dashboard::adopt(&t.db, again));
}
