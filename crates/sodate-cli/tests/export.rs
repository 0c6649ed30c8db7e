//! `sodate export`, `results import`, `person export|erase`, `suppression export|import`,
//! `consent`: the JSON a script reads, and clear refusals of bad input.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{demo_400, demo_db, sodate, stdout_json};

#[test]
fn export_reports_rows_suppressed_and_warnings_and_results_come_back() {
    let (dir, db) = demo_db("export.db");
    demo_400(&db);
    let out = dir.path().join("mc.csv");
    let out_s = out.to_string_lossy().into_owned();
    let r = stdout_json(&sodate(&[
        "--db",
        &db,
        "export",
        "--profile",
        "mailchimp",
        "--out",
        &out_s,
        "--json",
    ]));
    let rows = r["rows"].as_u64().unwrap();
    let suppressed = r["suppressed"].as_u64().unwrap();
    assert!(rows > 300 && suppressed > 0, "{r}");
    assert!(r["warnings"].is_array());
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(text.lines().count() as u64, rows + 1);
    assert!(text.starts_with("Email Address,First Name,Last Name"));

    // An unsubscribe for the first exported email: the next export has one row less.
    let email = text
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .to_string();
    let results = dir.path().join("results.csv");
    std::fs::write(
        &results,
        format!("email,event,timestamp\n{email},unsubscribe,2026-11-20 10:00\n"),
    )
    .unwrap();
    let res = stdout_json(&sodate(&[
        "--db",
        &db,
        "results",
        "import",
        &results.to_string_lossy(),
        "--json",
    ]));
    assert_eq!(
        (res["unsubscribes"].as_u64(), res["activities"].as_u64()),
        (Some(1), Some(1))
    );
    let again = stdout_json(&sodate(&[
        "--db",
        &db,
        "export",
        "--profile",
        "mailchimp",
        "--out",
        &out_s,
        "--json",
    ]));
    assert_eq!(again["rows"].as_u64().unwrap(), rows - 1);
    assert!(!std::fs::read_to_string(&out).unwrap().contains(&email));

    // The suppression list travels to another database.
    let list = dir.path().join("suppressions.csv");
    let exp = stdout_json(&sodate(&[
        "--db",
        &db,
        "suppression",
        "export",
        &list.to_string_lossy(),
        "--json",
    ]));
    assert!(exp["entries"].as_u64().unwrap() >= 1);
    let (_d2, db2) = demo_db("other.db");
    demo_400(&db2);
    let imp = stdout_json(&sodate(&[
        "--db",
        &db2,
        "suppression",
        "import",
        &list.to_string_lossy(),
        "--json",
    ]));
    assert_eq!(imp["added"], exp["entries"]);
}

#[test]
fn person_export_and_erase() {
    let (dir, db) = demo_db("person.db");
    demo_400(&db);
    let out = dir.path().join("p.json");
    let r = stdout_json(&sodate(&[
        "--db",
        &db,
        "person",
        "export",
        "5",
        "--out",
        &out.to_string_lossy(),
        "--json",
    ]));
    assert_eq!(r["leadId"], 5);
    let d: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(d["lead"]["id"], 5);
    assert_eq!(
        d["activities"].as_array().unwrap().len() as u64,
        r["activities"].as_u64().unwrap()
    );
    let e = stdout_json(&sodate(&["--db", &db, "person", "erase", "5", "--json"]));
    assert_eq!(e["leadId"], 5);
    let gone = sodate(&[
        "--db",
        &db,
        "person",
        "export",
        "5",
        "--out",
        &out.to_string_lossy(),
    ]);
    assert_eq!(gone.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&gone.stderr).contains("lead 5 does not exist"));
}

#[test]
fn bad_arguments_are_refused_clearly() {
    let (dir, db) = demo_db("bad.db");
    demo_400(&db);
    let out = dir.path().join("x.csv").to_string_lossy().into_owned();
    for (args, needle) in [
        (
            vec!["export", "--profile", "nope", "--out", &out],
            "not a profile",
        ),
        (
            vec![
                "export",
                "--profile",
                "brevo",
                "--out",
                &out,
                "--encoding",
                "shift_jis",
            ],
            "Brevo reads",
        ),
        (
            vec![
                "export",
                "--profile",
                "generic",
                "--out",
                &out,
                "--encoding",
                "latin9",
            ],
            "latin9",
        ),
        (
            vec![
                "export",
                "--profile",
                "generic",
                "--out",
                &out,
                "--columns",
                "email,shoe_size",
            ],
            "shoe_size",
        ),
        (
            vec![
                "export",
                "--profile",
                "generic",
                "--out",
                &out,
                "--segment",
                "99",
            ],
            "segment 99",
        ),
    ] {
        let mut full = vec!["--db", db.as_str()];
        full.extend(args.iter().copied());
        let o = sodate(&full);
        assert!(!o.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    assert!(!dir.path().join("x.csv").exists(), "nothing written");
    let missing = dir
        .path()
        .join("missing.csv")
        .to_string_lossy()
        .into_owned();
    let o = sodate(&["--db", &db, "results", "import", &missing]);
    assert!(!o.status.success());
}
