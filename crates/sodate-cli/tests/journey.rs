//! `sodate journey …` as a script would use it: a B2B map bound to saved segments, its
//! counts, a scenario step, the due list, marking it sent, and bad input.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{demo_400, demo_db, sodate, stdout_json};

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn a_map_bound_to_segments_counts_them_lists_who_is_due_and_records_sends() {
    let (dir, db) = demo_db("journey.db");
    let db = db.as_str();
    demo_400(db);
    let mql = write(
        dir.path(),
        "mql.json",
        r#"{"field": "lifecycle_stage", "op": "eq", "value": "mql"}"#,
    );
    let sql = write(
        dir.path(),
        "sql.json",
        r#"{"field": "lifecycle_stage", "op": "in", "value": ["sql", "opportunity"]}"#,
    );
    let mql_count = stdout_json(&sodate(&["--db", db, "segment", "count", &mql, "--json"]))
        ["count"]
        .as_u64()
        .unwrap();
    let sql_count = stdout_json(&sodate(&["--db", db, "segment", "count", &sql, "--json"]))
        ["count"]
        .as_u64()
        .unwrap();
    assert!(mql_count > 0 && sql_count > 0);
    let mql_id = stdout_json(&sodate(&[
        "--db", db, "segment", "save", "MQL", &mql, "--json",
    ]))["id"]
        .as_i64()
        .unwrap();
    let sql_id = stdout_json(&sodate(&[
        "--db",
        db,
        "segment",
        "save",
        "SQL以降",
        &sql,
        "--json",
    ]))["id"]
        .as_i64()
        .unwrap();

    let created = stdout_json(&sodate(&[
        "--db",
        db,
        "journey",
        "create",
        "新規開拓",
        "--persona",
        "情シス部長",
        "--template",
        "b2b",
        "--json",
    ]));
    let id = created["id"].as_i64().unwrap().to_string();
    let seg2 = write(
        dir.path(),
        "b2.json",
        &format!(r#"{{"segment": {mql_id}}}"#),
    );
    let seg3 = write(
        dir.path(),
        "b3.json",
        &format!(r#"{{"segment": {sql_id}}}"#),
    );
    stdout_json(&sodate(&[
        "--db", db, "journey", "bind", &id, "2", &seg2, "--json",
    ]));
    stdout_json(&sodate(&[
        "--db", db, "journey", "bind", &id, "3", &seg3, "--json",
    ]));

    let listed = stdout_json(&sodate(&["--db", db, "journey", "list", "--json"]));
    assert_eq!(listed[0]["name"], "新規開拓");
    assert_eq!(listed[0]["personaName"], "情シス部長");
    assert_eq!(listed[0]["stages"][0]["name"], "認知");
    assert_eq!(listed[0]["stages"][0]["id"], "s1");

    let m = stdout_json(&sodate(&["--db", db, "journey", "metrics", &id, "--json"]));
    let stages = m["stages"].as_array().unwrap();
    assert_eq!(stages.len(), 6);
    assert_eq!(stages[1]["name"], "興味");
    assert_eq!(stages[1]["count"].as_u64().unwrap(), mql_count);
    assert_eq!(stages[2]["count"].as_u64().unwrap(), sql_count);
    assert!(stages[0]["count"].is_null(), "unbound: {m}");
    assert_eq!(stages[1]["conversion"].as_f64().unwrap(), 0.0);
    assert!(stages[1]["median_days"].is_null());

    stdout_json(&sodate(&[
        "--db",
        db,
        "journey",
        "step",
        &id,
        "2",
        "--day",
        "0",
        "--content",
        "事例紹介メール",
        "--json",
    ]));
    let due = stdout_json(&sodate(&["--db", db, "journey", "due", &id, "--json"]));
    let rows = due.as_array().unwrap();
    // Every MQL is due for the day-0 step, except the suppressed ones.
    assert!(!rows.is_empty() && rows.len() as u64 <= mql_count, "{due}");
    assert_eq!(rows[0]["stage"], "興味");
    assert_eq!(rows[0]["step"], 1);
    assert_eq!(rows[0]["content"], "事例紹介メール");
    let first_lead = rows[0]["lead"].as_i64().unwrap();

    let csv = dir.path().join("due.csv").to_string_lossy().into_owned();
    let written = stdout_json(&sodate(&[
        "--db", db, "journey", "due", &id, "--out", &csv, "--json",
    ]));
    assert_eq!(written["rows"].as_u64().unwrap(), rows.len() as u64);
    let text = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(text.lines().count(), rows.len() + 1);

    let sent = stdout_json(&sodate(&[
        "--db",
        db,
        "journey",
        "mark-sent",
        &id,
        "--json",
    ]));
    assert_eq!(sent["activities"].as_u64().unwrap(), rows.len() as u64);
    let timeline = stdout_json(&sodate(&[
        "--db",
        db,
        "activity",
        "list",
        "--lead",
        &first_lead.to_string(),
        "--json",
    ]));
    assert_eq!(timeline["rows"][0]["kind"], "email_sent");
    assert_eq!(timeline["rows"][0]["detail"], "事例紹介メール");
    let due = stdout_json(&sodate(&["--db", db, "journey", "due", &id, "--json"]));
    assert_eq!(
        due.as_array().unwrap().len(),
        0,
        "sent steps are not due again"
    );

    // Bad input: a negative offset is refused with its path; the map is unchanged.
    let out = sodate(&[
        "--db",
        db,
        "journey",
        "step",
        &id,
        "2",
        "--day=-3",
        "--content",
        "x",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("stages[1].steps[1].dayOffset"), "{err}");
    // A deleted segment: the map still opens, metrics say why they are not refreshed.
    stdout_json(&sodate(&[
        "--db", db, "journey", "bind", &id, "3", "--none", "--json",
    ]));
    let out = sodate(&["--db", db, "segment", "delete", &sql_id.to_string()]);
    assert!(out.status.success());
    stdout_json(&sodate(&[
        "--db", db, "journey", "bind", &id, "4", &seg3, "--json",
    ]));
    let m = stdout_json(&sodate(&["--db", db, "journey", "metrics", &id, "--json"]));
    let codes: Vec<&str> = m["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["unknown_segment", "not_refreshed"], "{m}");
}
