//! `sodate card-text`: OCR lines (JSON as the app sends them, or plain text) to card fields.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use common::stdout_json;

fn card_text(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sodate"))
        .arg("card-text")
        .args(args)
        .env_remove("SODATE_DB")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The program stops reading at its size limit: a broken pipe then is expected.
    let _ = child.stdin.take().unwrap().write_all(stdin);
    child.wait_with_output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn json_lines_from_stdin_give_the_fields() {
    let lines = r#"[
      {"text": "株 式 会 社 テ ス ト", "bbox": {"left": 10, "top": 10, "width": 200, "height": 20}},
      {"text": "田 中 一 郎", "bbox": {"left": 10, "top": 50, "width": 150, "height": 40},
       "lineHeight": 42, "confidence": 93},
      {"text": "TEL 03-1234-5678", "bbox": {"left": 10, "top": 120, "width": 150, "height": 12}},
      {"text": "tanaka@test.co.jp", "bbox": {"left": 10, "top": 140, "width": 150, "height": 12}}
    ]"#;
    let f = stdout_json(&card_text(&["--json"], lines.as_bytes()));
    assert_eq!(f["company"], "株式会社テスト");
    assert_eq!(f["familyName"], "田中");
    assert_eq!(f["givenName"], "一郎");
    assert_eq!(f["phone"], "03-1234-5678");
    assert_eq!(f["email"], "tanaka@test.co.jp");
    assert_eq!(f["mobile"], "");
}

#[test]
fn plain_text_file_prints_labelled_fields() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("card.txt");
    std::fs::write(
        &path,
        "Acme Corporation\nJane Doe\nMobile +81 90 1234 5678\n",
    )
    .unwrap();
    let out = card_text(&[path.to_str().unwrap()], b"");
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("company         Acme Corporation"), "{text}");
    assert!(text.contains("family name     Doe"), "{text}");
    assert!(text.contains("mobile          090-1234-5678"), "{text}");
}

#[test]
fn broken_and_hostile_input_is_refused_plainly() {
    let out = card_text(&["--json"], b"[{\"text\": 12}]");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("not an array of OCR lines"),
        "{}",
        stderr(&out)
    );

    let out = card_text(&["--json"], b"[{\"text\": \"a\"");
    assert_eq!(out.status.code(), Some(2));

    let out = card_text(&["--json"], b"\xff\xfe\x00garbage");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not UTF-8"), "{}", stderr(&out));

    let out = card_text(&["--json"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no text was found"),
        "{}",
        stderr(&out)
    );

    let out = card_text(&["--json"], b"~~ ;; ^^\n%%%%\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("none of it looks like"),
        "{}",
        stderr(&out)
    );

    let out = card_text(&["/nonexistent/card.json"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot read"), "{}", stderr(&out));

    let huge = vec![b'a'; 5 * 1024 * 1024];
    let out = card_text(&["--json"], &huge);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("larger than"), "{}", stderr(&out));
}
