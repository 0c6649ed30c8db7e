//! `sodate stats`: the dashboard's figures from the command line, as the app shows them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{demo_400, demo_db, sodate, stdout_json};

#[test]
fn stats_json_has_the_funnel_events_and_dormancy() {
    let (_dir, db) = demo_db("stats.db");
    let db = db.as_str();
    demo_400(db);
    let s = stdout_json(&sodate(&["--db", db, "stats", "--json"]));
    assert_eq!(s["leads"], 400);
    assert_eq!(s["cohort"], 400);
    let funnel = s["funnel"].as_array().unwrap();
    let stages: Vec<&str> = funnel
        .iter()
        .map(|f| f["stage"].as_str().unwrap())
        .collect();
    assert_eq!(stages, ["lead", "mql", "sal", "sql", "opportunity", "won"]);
    // Each stage is reached by no more leads than the one before it.
    let reached: Vec<u64> = funnel
        .iter()
        .map(|f| f["reached"].as_u64().unwrap())
        .collect();
    assert!(reached.windows(2).all(|w| w[0] >= w[1]), "{reached:?}");
    assert!(reached[1] > 0);
    // The by-event rows add up with the event filter: the cohort of one event is its row.
    let row = &s["byEvent"][0];
    let event = row["key"].as_str().unwrap();
    let one = stdout_json(&sodate(&["--db", db, "stats", "--event", event, "--json"]));
    assert_eq!(one["cohort"], row["leads"]);
    assert_eq!(one["funnel"][1]["reached"], row["mql"]);
    let dormant = stdout_json(&sodate(&[
        "--db",
        db,
        "stats",
        "--dormant-days",
        "30",
        "--json",
    ]));
    assert_eq!(dormant["dormant"]["days"], 30);
    let by_stage: u64 = dormant["dormant"]["byStage"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["count"].as_u64().unwrap())
        .sum();
    assert_eq!(dormant["dormant"]["total"].as_u64().unwrap(), by_stage);
}

#[test]
fn stats_refuses_bad_filters_with_a_message() {
    let (_dir, db) = demo_db("stats-bad.db");
    let db = db.as_str();
    demo_400(db);
    for (args, says) in [
        (vec!["--from", "2026-02-30"], "is not a date"),
        (
            vec!["--from", "2026-03-01", "--to", "2026-01-01"],
            "first day",
        ),
        (vec!["--event", "9999"], "event 9999 does not exist"),
        (vec!["--dormant-days", "0"], "1 to 3650 days"),
    ] {
        let mut all = vec!["--db", db, "stats"];
        all.extend(&args);
        let out = sodate(&all);
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
    }
}
