//! `sodate qr` on the QR fixture images (and on files that are no QR), `sodate events`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{demo_400, demo_db, sodate, stdout_json};

fn fixture(name: &str) -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/qr")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

#[test]
fn qr_reads_the_fixture_badges() {
    let v = stdout_json(&sodate(&["qr", &fixture("vcard-shift_jis.png"), "--json"]));
    assert_eq!(v["kind"], "vcard");
    assert_eq!(v["encoding"], "shift_jis");
    assert_eq!(v["fields"]["familyName"], "髙橋");
    assert_eq!(v["fields"]["company"], "㈱東邦テクノ");
    assert_eq!(v["fields"]["email"], "k.takahashi@toho-techno.example.jp");
    assert!(v["payload"].as_str().unwrap().starts_with("BEGIN:VCARD"));

    let v = stdout_json(&sodate(&["qr", &fixture("mecard.png"), "--json"]));
    assert_eq!(v["kind"], "mecard");
    assert_eq!(v["fields"]["givenName"], "翔太");

    let out = sodate(&["qr", &fixture("vcard-utf8.png")]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("vcard (utf-8)\n"), "{text}");
    assert!(text.contains("会社名\t株式会社ミライ製作所"), "{text}");
    assert!(
        text.contains("メール\tmisaki.yamamoto@mirai-ss.example.jp"),
        "{text}"
    );
}

#[test]
fn qr_says_plainly_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let not_image = dir.path().join("card.png");
    std::fs::write(&not_image, "this is a text file").unwrap();
    let empty = dir.path().join("empty.jpg");
    std::fs::write(&empty, "").unwrap();
    for (file, words) in [
        (fixture("garbage.png"), "holds no readable text"),
        (fixture("photo-without-qr.jpg"), "no QR code was found"),
        (not_image.to_string_lossy().into_owned(), "not an image"),
        (empty.to_string_lossy().into_owned(), "the file is empty"),
        (
            dir.path()
                .join("missing.png")
                .to_string_lossy()
                .into_owned(),
            "cannot be read",
        ),
    ] {
        let out = sodate(&["qr", &file]);
        assert_eq!(out.status.code(), Some(2), "{file}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(words), "{file}: {err}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn events_list_with_capture_counts() {
    let (_dir, db) = demo_db("events.db");
    let empty = sodate(&["--db", &db, "events"]);
    assert!(String::from_utf8_lossy(&empty.stdout).contains("no events yet"));
    demo_400(&db);
    let list = stdout_json(&sodate(&["--db", &db, "events", "--json"]));
    let list = list.as_array().unwrap();
    assert!(!list.is_empty());
    for e in list {
        assert!(e["name"].as_str().is_some_and(|n| !n.is_empty()));
        // Demo leads were not captured at a booth.
        assert_eq!(e["capturedLeads"], 0);
        assert_eq!(e["capturedToday"], 0);
    }
    let out = sodate(&["--db", &db, "events"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.lines().next().unwrap().contains("leads"), "{text}");
    assert_eq!(text.lines().count(), list.len() + 1);
}
