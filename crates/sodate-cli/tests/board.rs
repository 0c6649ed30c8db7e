//! `sodate board`, `sodate move` and `sodate history` as a script would use them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{demo_400, demo_db, sodate, stdout_json};

fn column<'a>(board: &'a serde_json::Value, stage: &str) -> &'a serde_json::Value {
    board["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["stage"] == stage)
        .unwrap()
}

#[test]
fn board_move_and_history() {
    let (_dir, db) = demo_db("board.db");
    let db = db.as_str();
    demo_400(db);
    let board = stdout_json(&sodate(&["--db", db, "board", "--json"]));
    let stages: Vec<&str> = board["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["stage"].as_str().unwrap())
        .collect();
    assert_eq!(
        stages,
        [
            "mql",
            "sal",
            "sql",
            "opportunity",
            "won",
            "lost",
            "recycled",
            "disqualified"
        ]
    );
    let mql = column(&board, "mql");
    let before = mql["count"].as_u64().unwrap();
    assert!(before > 0, "{mql}");
    assert!(mql["overdue"].as_u64().unwrap() <= before);
    let lead = mql["cards"][0]["id"].as_i64().unwrap();
    let lead_s = lead.to_string();

    let moved = stdout_json(&sodate(&[
        "--db",
        db,
        "move",
        &lead_s,
        "sal",
        "--actor",
        "佐藤 一郎",
        "--json",
    ]));
    assert_eq!(moved["fromStage"], "mql");
    assert_eq!(moved["toStage"], "sal");
    assert_eq!(moved["actor"], "佐藤 一郎");

    let lost = stdout_json(&sodate(&[
        "--db",
        db,
        "move",
        &lead_s,
        "lost",
        "--reason",
        "競合に決定",
        "--note",
        "価格",
        "--json",
    ]));
    assert_eq!(lost["reason"], "競合に決定");

    let board = stdout_json(&sodate(&["--db", db, "board", "--json"]));
    assert_eq!(column(&board, "mql")["count"].as_u64().unwrap(), before - 1);

    let h = stdout_json(&sodate(&["--db", db, "history", &lead_s, "--json"]));
    let h = h["history"].as_array().unwrap();
    assert_eq!(h[0]["toStage"], "lost");
    assert_eq!(h[0]["fromStage"], "sal");
    assert_eq!(h[0]["reason"], "競合に決定");
    assert_eq!(h[0]["note"], "価格");
    assert_eq!(h[1]["toStage"], "sal");
    assert_eq!(h[1]["actor"], "佐藤 一郎");
}

#[test]
fn bad_moves_are_refused_and_record_nothing() {
    let (_dir, db) = demo_db("bad.db");
    let db = db.as_str();
    demo_400(db);
    let h = |lead: &str| {
        stdout_json(&sodate(&["--db", db, "history", lead, "--json"]))["history"]
            .as_array()
            .unwrap()
            .len()
    };
    let before = h("1");
    let out = sodate(&["--db", db, "move", "1", "lost", "--json"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("moving to lost needs a reason"), "{err}");

    let out = sodate(&["--db", db, "move", "1", "won-ish", "--json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("\"won-ish\" is not a stage"));

    let out = sodate(&[
        "--db",
        db,
        "move",
        "1",
        "recycled",
        "--reason",
        "なんとなく",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a reason for recycled"));
    assert_eq!(h("1"), before);

    let out = sodate(&["--db", db, "move", "99999", "sal", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("lead 99999 does not exist"));
    let out = sodate(&["--db", db, "history", "99999", "--json"]);
    assert!(!out.status.success());
}
