//! `sodate segment …` and `sodate leads --segment` as a script would use them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{sodate, stdout_json};

#[test]
fn count_save_list_freeze_and_list_leads_by_segment() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("seg.db").to_string_lossy().into_owned();
    let db = db.as_str();
    stdout_json(&sodate(&[
        "--db",
        db,
        "demo",
        "--leads",
        "400",
        "--seed",
        "9",
        "--anchor",
        "2026-11-01",
        "--json",
    ]));
    let filter = dir.path().join("it.json");
    std::fs::write(
        &filter,
        r#"{"all": [
            {"field": "company.industry", "op": "eq", "value": "IT・通信"},
            {"not": {"field": "consent_state", "op": "in", "value": ["opted_out", "bounced"]}}
        ]}"#,
    )
    .unwrap();
    let filter = filter.to_string_lossy().into_owned();

    let counted = stdout_json(&sodate(&[
        "--db", db, "segment", "count", &filter, "--json",
    ]));
    let n = counted["count"].as_u64().unwrap();
    assert!(n > 0 && n < 400, "{counted}");
    assert!(counted["ms"].as_f64().unwrap() >= 0.0);

    let saved = stdout_json(&sodate(&[
        "--db",
        db,
        "segment",
        "save",
        "IT 企業",
        &filter,
        "--json",
    ]));
    let id = saved["id"].as_i64().unwrap().to_string();

    let list = stdout_json(&sodate(&["--db", db, "segment", "list", "--json"]));
    assert_eq!(list[0]["name"], "IT 企業");
    assert_eq!(list[0]["kind"], "dynamic");
    assert_eq!(list[0]["filter"]["all"][0]["field"], "company.industry");

    let leads = stdout_json(&sodate(&[
        "--db",
        db,
        "leads",
        "--segment",
        &id,
        "--limit",
        "500",
        "--json",
    ]));
    assert_eq!(leads["total"].as_u64().unwrap(), n);
    assert_eq!(leads["leads"].as_array().unwrap().len() as u64, n);

    let frozen = stdout_json(&sodate(&["--db", db, "segment", "freeze", &id, "--json"]));
    assert_eq!(frozen["count"].as_u64().unwrap(), n);
    assert!(frozen["name"].as_str().unwrap().starts_with("IT 企業 ("));
    let frozen_id = frozen["id"].as_i64().unwrap().to_string();
    let leads = stdout_json(&sodate(&[
        "--db",
        db,
        "leads",
        "--segment",
        &frozen_id,
        "--json",
    ]));
    assert_eq!(leads["total"].as_u64().unwrap(), n);

    // A bulk action on the segment's members: tag them, then delete them (count confirmed).
    let tagged = stdout_json(&sodate(&[
        "--db",
        db,
        "segment",
        "bulk",
        &id,
        "--add-tag",
        "IT重点",
        "--json",
    ]));
    assert_eq!(tagged["leads"].as_u64().unwrap(), n);
    assert_eq!(tagged["changed"].as_u64().unwrap(), n);
    assert!(tagged["backup"].is_null());
    let by_tag = dir.path().join("tag.json");
    std::fs::write(
        &by_tag,
        r#"{"field": "tags", "op": "contains", "value": "IT重点"}"#,
    )
    .unwrap();
    let by_tag = by_tag.to_string_lossy().into_owned();
    let count = |f: &str| {
        stdout_json(&sodate(&["--db", db, "segment", "count", f, "--json"]))["count"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(count(&by_tag), n);

    let wrong = (n + 1).to_string();
    let out = sodate(&["--db", db, "segment", "bulk", &id, "--delete", &wrong]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing was deleted"));
    assert_eq!(count(&by_tag), n);
    let deleted = stdout_json(&sodate(&[
        "--db",
        db,
        "segment",
        "bulk",
        &id,
        "--delete",
        &n.to_string(),
        "--json",
    ]));
    assert_eq!(deleted["leads"].as_u64().unwrap(), n);
    assert!(std::path::Path::new(deleted["backup"]["path"].as_str().unwrap()).exists());
    assert_eq!(count(&by_tag), 0);
}

#[test]
fn a_bad_filter_names_the_node_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bad.db").to_string_lossy().into_owned();
    let filter = dir.path().join("bad.json");
    std::fs::write(
        &filter,
        r#"{"any": [{"field": "title", "op": "contains", "value": "部長"}, {"field": "title", "op": "sounds_like", "value": "x"}]}"#,
    )
    .unwrap();
    let out = sodate(&["--db", &db, "segment", "count", &filter.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("any[1].op"), "{err}");
    assert!(err.contains("sounds_like"), "{err}");

    let out = sodate(&["--db", &db, "segment", "freeze", "42", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("segment 42 does not exist"));
}

#[test]
fn a_bulk_action_with_a_bad_stage_or_segment_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bulk.db").to_string_lossy().into_owned();
    let filter = dir.path().join("all.json");
    std::fs::write(&filter, r#"{"all": []}"#).unwrap();
    let saved = stdout_json(&sodate(&[
        "--db",
        &db,
        "segment",
        "save",
        "全員",
        &filter.to_string_lossy(),
        "--json",
    ]));
    let id = saved["id"].as_i64().unwrap().to_string();
    let out = sodate(&[
        "--db",
        &db,
        "segment",
        "bulk",
        &id,
        "--set-stage",
        "customer",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("\"customer\" is not a lifecycle stage"));
    let out = sodate(&["--db", &db, "segment", "bulk", "99", "--add-tag", "x"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("segment 99 does not exist"));
    let out = sodate(&["--db", &db, "segment", "bulk", &id]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("name one action"));
}
