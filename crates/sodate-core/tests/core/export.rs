//! Export and compliance (issue 10): mail exports that never include a suppressed person,
//! formula-injection protection on every profile, re-import without loss, Shift_JIS refusal,
//! results import, suppression lists, consent records, person export and erasure — and the
//! files read by readers this project did not write (python's csv, openpyxl, vobject).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::AtomicBool;

use chrono::Utc;
use sodate_core::consent::{self, ConsentInput};
use sodate_core::export::{
    self, person, results, suppression, ExportFormat, ExportRequest, ExportSource, Field, ProfileId,
};
use sodate_core::import::{self, ImportPlan, TextEncoding};
use sodate_core::{leads, LeadInput, LeadQuery};

use crate::TempDb;

fn lead(t: &TempDb, family: &str, given: &str, email: &str) -> i64 {
    leads::create(
        &t.db,
        &LeadInput {
            family_name: family.into(),
            given_name: given.into(),
            family_reading: "タナカ".into(),
            given_reading: "タロウ".into(),
            company_name: "株式会社サンプル".into(),
            email: email.into(),
            phone: "03-1234-5678".into(),
            mobile: "090-1234-5678".into(),
            postal_code: "100-0001".into(),
            ..Default::default()
        },
    )
    .unwrap()
    .lead
    .id
}

fn lead_with(t: &TempDb, input: LeadInput) -> i64 {
    leads::create(&t.db, &input).unwrap().lead.id
}

fn consent_state(t: &TempDb, id: i64) -> String {
    leads::get(&t.db, id).unwrap().lead.consent_state
}

fn set_consent(t: &TempDb, id: i64, state: &str) {
    consent::add(
        &t.db,
        &ConsentInput {
            lead_id: id,
            state: state.into(),
            method: "web_form".into(),
            recorded_at: "2026-10-01".into(),
            evidence: "お問い合わせフォーム".into(),
            ..Default::default()
        },
        Utc::now(),
    )
    .unwrap();
}

fn req(profile: ProfileId, format: ExportFormat) -> ExportRequest {
    ExportRequest::new(profile, ExportSource::All, format)
}

fn read_csv(path: &Path, encoding: TextEncoding) -> Vec<Vec<String>> {
    let bytes = std::fs::read(path).unwrap();
    let text = match encoding {
        TextEncoding::Utf8Bom => {
            assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "BOM expected");
            String::from_utf8(bytes[3..].to_vec()).unwrap()
        }
        TextEncoding::ShiftJis => {
            let (t, _, bad) = encoding_rs::SHIFT_JIS.decode(&bytes);
            assert!(!bad);
            t.into_owned()
        }
        _ => String::from_utf8(bytes).unwrap(),
    };
    assert!(!text.contains("&#"), "no numeric character references");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn read_xlsx(path: &Path) -> Vec<Vec<String>> {
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> = calamine::open_workbook(path).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::String(s) => s.clone(),
                    Data::Float(f) => f.to_string(),
                    Data::Int(i) => i.to_string(),
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

/// The story of the issue: one lead of each kind the export must handle.
struct Story {
    t: TempDb,
    ok: i64,
    hostile: i64,
    opted_out: i64,
    bounced: i64,
}

fn story() -> Story {
    let t = TempDb::new();
    let ok = lead(&t, "田中", "太郎", "taro@example.co.jp");
    let hostile = lead_with(
        &t,
        LeadInput {
            family_name: "=HYPERLINK(\"http://evil.example\",\"x\")".into(),
            given_name: "@SUM(1)".into(),
            company_name: "+cmd|' /C calc'!A0".into(),
            department: "-2+3".into(),
            title: "'既に引用符".into(),
            email: "hostile@example.com".into(),
            ..Default::default()
        },
    );
    let opted_out = lead(&t, "佐藤", "花子", "hanako@example.co.jp");
    set_consent(&t, opted_out, "opted_out");
    let bounced = lead(&t, "鈴木", "一郎", "ichiro@example.co.jp");
    set_consent(&t, bounced, "bounced");
    // The same person twice (another spelling of the email): one row.
    lead(&t, "田中", "太郎", "Taro@Example.co.jp");
    // No email: left out of mail profiles.
    lead(&t, "高橋", "次郎", "");
    Story {
        t,
        ok,
        hostile,
        opted_out,
        bounced,
    }
}

#[test]
fn a_mail_export_leaves_out_every_suppressed_person_and_says_why() {
    let s = story();
    let out = s.t.dir.path().join("mailchimp.csv");
    let r = export::export(&s.t.db, &req(ProfileId::Mailchimp, ExportFormat::Csv), &out).unwrap();
    assert_eq!(r.rows, 2);
    assert_eq!(r.suppressed, 2);
    assert_eq!(r.left_out.opted_out, 1);
    assert_eq!(r.left_out.bounced, 1);
    assert_eq!(r.left_out.duplicate_email, 1);
    assert_eq!(r.left_out.no_email, 1);
    let rows = read_csv(&out, TextEncoding::Utf8);
    assert_eq!(
        rows[0],
        [
            "Email Address",
            "First Name",
            "Last Name",
            "Company",
            "Phone Number",
            "Postal Code (text)",
            "Prefecture"
        ]
    );
    assert_eq!(
        rows[1][..6],
        [
            "taro@example.co.jp",
            "太郎",
            "田中",
            "株式会社サンプル",
            "03-1234-5678",
            "100-0001"
        ]
    );
    let emails: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(emails, ["taro@example.co.jp", "hostile@example.com"]);
    assert!(!std::fs::read_to_string(&out).unwrap().contains("hanako"));
    assert_eq!(consent_state(&s.t, s.opted_out), "opted_out");
    assert_eq!(consent_state(&s.t, s.bounced), "bounced");
    let _ = s.ok;
}

#[test]
fn a_segment_or_a_selection_is_exported_without_its_suppressed_members() {
    let s = story();
    let out = s.t.dir.path().join("sel.csv");
    let mut r = req(ProfileId::Brevo, ExportFormat::Csv);
    r.source = ExportSource::Leads {
        ids: vec![s.ok, s.opted_out],
    };
    let report = export::export(&s.t.db, &r, &out).unwrap();
    assert_eq!(
        (report.rows, report.suppressed, report.left_out.opted_out),
        (1, 1, 1)
    );
    let rows = read_csv(&out, TextEncoding::Utf8);
    assert_eq!(
        rows[0],
        ["EMAIL", "LASTNAME", "FIRSTNAME", "COMPANY", "SMS"]
    );
    // SMS with the country code, as digits (a leading + would be a formula trigger).
    assert_eq!(
        rows[1],
        [
            "taro@example.co.jp",
            "田中",
            "太郎",
            "株式会社サンプル",
            "819012345678"
        ]
    );

    let filter = serde_json::json!({"field": "consent_state", "op": "in", "value": ["opted_out", "unknown"]});
    let parsed = sodate_core::segments::parse(&filter).unwrap();
    let seg = sodate_core::segments::save(&s.t.db, "同意確認", &parsed).unwrap();
    let mut r = req(ProfileId::Hubspot, ExportFormat::Csv);
    r.source = ExportSource::Segment { id: seg };
    let report = export::export(&s.t.db, &r, &out).unwrap();
    assert_eq!(
        report.left_out.opted_out, 1,
        "the opted-out member is reported"
    );
    assert!(read_csv(&out, TextEncoding::Utf8)
        .iter()
        .all(|row| row[0] != "hanako@example.co.jp"));
    let mut r = req(ProfileId::Mailchimp, ExportFormat::Csv);
    r.source = ExportSource::Segment { id: 9999 };
    assert_eq!(
        export::export(&s.t.db, &r, &out).unwrap_err().code(),
        "not_found"
    );
}

#[test]
fn every_text_cell_of_every_profile_is_protected_against_formula_injection() {
    let s = story();
    for profile in ProfileId::ALL {
        for format in [ExportFormat::Csv, ExportFormat::Xlsx] {
            let out =
                s.t.dir
                    .path()
                    .join(format!("{}.{}", profile.code(), format.extension()));
            let mut r = req(profile, format);
            // Every field, so every text cell of the hostile lead is written.
            r.columns = Some(Field::ALL.to_vec());
            export::export(&s.t.db, &r, &out).unwrap();
            let encoding = r.encoding.unwrap_or(profile.profile().default_encoding);
            let rows = match format {
                ExportFormat::Csv => read_csv(&out, encoding),
                _ => read_xlsx(&out),
            };
            let hostile = rows
                .iter()
                .find(|row| row.contains(&"hostile@example.com".to_string()))
                .unwrap();
            for cell in hostile.iter().chain(rows.iter().flatten()) {
                let first = cell.chars().next();
                assert!(
                    !matches!(first, Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\n')),
                    "{profile:?} {format:?}: {cell:?} would run as a formula"
                );
            }
            assert!(
                hostile.contains(&"'=HYPERLINK(\"http://evil.example\",\"x\")".to_string()),
                "{profile:?} {format:?}"
            );
            assert!(hostile.contains(&"'+cmd|' /C calc'!A0".to_string()));
            assert!(hostile.contains(&"''既に引用符".to_string()));
        }
    }
}

fn reimport(t: &TempDb, file: &Path) -> Vec<sodate_core::LeadListing> {
    let target = TempDb::new();
    let report = import::run(
        &target.db,
        &ImportPlan {
            path: file.to_string_lossy().into_owned(),
            ..ImportPlan::default()
        },
        false,
        &mut |_| {},
        &AtomicBool::new(false),
    )
    .unwrap();
    assert_eq!(report.failed, 0, "{file:?}: {:?}", report);
    let _ = t;
    let rows = leads::list_with_custom(
        &target.db,
        &LeadQuery {
            limit: 100,
            ..Default::default()
        },
    )
    .unwrap()
    .1;
    drop(target);
    rows
}

#[test]
fn sodate_re_imports_its_own_exports_without_loss() {
    let s = story();
    let original = leads::get(&s.t.db, s.hostile).unwrap().lead;
    for (format, encoding, name) in [
        (ExportFormat::Csv, Some(TextEncoding::Utf8Bom), "g-bom.csv"),
        (
            ExportFormat::Csv,
            Some(TextEncoding::ShiftJis),
            "g-sjis.csv",
        ),
        (ExportFormat::Csv, Some(TextEncoding::Utf8), "g-utf8.csv"),
        (ExportFormat::Xlsx, None, "g.xlsx"),
    ] {
        let out = s.t.dir.path().join(name);
        let mut r = req(ProfileId::Generic, format);
        r.encoding = encoding;
        let report = export::export(&s.t.db, &r, &out).unwrap();
        assert_eq!(
            report.rows, 3,
            "{name}: ok, hostile and the one without email"
        );
        let back = reimport(&s.t, &out);
        let hostile = back
            .iter()
            .find(|l| l.row.email == "hostile@example.com")
            .unwrap();
        assert_eq!(hostile.row.family_name, original.family_name, "{name}");
        assert_eq!(hostile.row.given_name, original.given_name, "{name}");
        assert_eq!(
            hostile.row.company_name.as_deref(),
            original.company_name.as_deref(),
            "{name}"
        );
        let taro = back
            .iter()
            .find(|l| l.row.email == "taro@example.co.jp")
            .unwrap();
        assert_eq!(
            (taro.row.family_name.as_str(), taro.row.given_name.as_str()),
            ("田中", "太郎")
        );
        assert_eq!(
            (
                taro.row.family_reading.as_str(),
                taro.row.given_reading.as_str()
            ),
            ("タナカ", "タロウ")
        );
        assert_eq!(taro.mobile, "090-1234-5678", "{name}");
    }
}

#[test]
fn shift_jis_lists_every_value_it_cannot_hold_and_writes_nothing() {
    let t = TempDb::new();
    lead(&t, "𠮷田", "太郎", "yoshida@example.co.jp");
    lead_with(
        &t,
        LeadInput {
            family_name: "髙橋".into(),
            given_name: "①".into(),
            company_name: "㈱テスト😀".into(),
            email: "t@example.co.jp".into(),
            ..Default::default()
        },
    );
    let mut r = req(ProfileId::Blastmail, ExportFormat::Csv);
    r.encoding = Some(TextEncoding::ShiftJis);
    let p = export::preview(&t.db, &r).unwrap();
    let w: Vec<_> = p
        .report
        .warnings
        .iter()
        .filter(|w| w.code == "unrepresentable")
        .collect();
    assert_eq!(w.iter().map(|w| w.count).sum::<u32>(), 2);
    let details: Vec<(String, String)> = w
        .iter()
        .flat_map(|w| w.rows.iter().map(|r| (r.value.clone(), r.detail.clone())))
        .collect();
    assert!(
        details.contains(&("𠮷田 太郎".into(), "𠮷".into())),
        "{details:?}"
    );
    assert!(
        details.contains(&("㈱テスト😀".into(), "😀".into())),
        "{details:?}"
    );
    let out = t.dir.path().join("sjis.csv");
    let err = export::export(&t.db, &r, &out).unwrap_err();
    assert_eq!(err.code(), "invalid");
    assert!(err.to_string().contains("𠮷"), "{err}");
    assert!(
        !out.exists() && !t.dir.path().join("sjis.csv.part").exists(),
        "nothing written"
    );
    // UTF-8 with BOM holds everything.
    r.encoding = Some(TextEncoding::Utf8Bom);
    export::export(&t.db, &r, &out).unwrap();
    let rows = read_csv(&out, TextEncoding::Utf8Bom);
    assert_eq!(rows[1][1], "𠮷田 太郎");
    // Without those characters Shift_JIS is written, NEC/IBM extensions included.
    let t2 = TempDb::new();
    lead_with(
        &t2,
        LeadInput {
            family_name: "髙橋".into(),
            given_name: "①".into(),
            company_name: "㈱テスト".into(),
            email: "t@example.co.jp".into(),
            ..Default::default()
        },
    );
    r.encoding = Some(TextEncoding::ShiftJis);
    export::export(&t2.db, &r, &out).unwrap();
    assert_eq!(
        read_csv(&out, TextEncoding::ShiftJis)[1],
        ["t@example.co.jp", "髙橋 ①", "㈱テスト", "", ""]
    );
}

#[test]
fn profile_limits_are_warned_with_the_affected_rows_before_writing() {
    let t = TempDb::new();
    lead(&t, "田中", "太郎", "taro@example.co.jp");
    let long = lead_with(
        &t,
        LeadInput {
            family_name: "長".into(),
            company_name: "株式会社".to_string() + &"長い会社名".repeat(20),
            email: "long@example.co.jp".into(),
            ..Default::default()
        },
    );
    let p = export::preview(&t.db, &req(ProfileId::Mailchimp, ExportFormat::Csv)).unwrap();
    let w = p
        .report
        .warnings
        .iter()
        .find(|w| w.code == "too_long")
        .unwrap();
    assert_eq!((w.column.as_str(), w.count), ("Company", 1));
    assert_eq!((w.rows[0].lead_id, w.rows[0].row), (long, 3));
    assert_eq!(w.rows[0].detail, "312 bytes");
    assert_eq!(p.rows.len(), 2);
    // Brevo and HubSpot read UTF-8 only.
    let mut r = req(ProfileId::Brevo, ExportFormat::Csv);
    r.encoding = Some(TextEncoding::ShiftJis);
    let e = export::preview(&t.db, &r).unwrap_err();
    assert_eq!(e.field_issues()[0].code, "unsupported_encoding");
    // A mail profile without the email column is refused; a column twice too.
    let mut r = req(ProfileId::Mailchimp, ExportFormat::Csv);
    r.columns = Some(vec![Field::FamilyName]);
    assert_eq!(
        export::preview(&t.db, &r).unwrap_err().field_issues()[0].code,
        "required_column"
    );
    r.columns = Some(vec![Field::Email, Field::Email]);
    assert_eq!(
        export::preview(&t.db, &r).unwrap_err().field_issues()[0].code,
        "duplicate_column"
    );
    // A destination that is a folder: a clear error, nothing written.
    let e = export::export(
        &t.db,
        &req(ProfileId::Generic, ExportFormat::Csv),
        t.dir.path(),
    )
    .unwrap_err();
    assert_eq!(e.code(), "invalid");
}

fn write(t: &TempDb, name: &str, text: &str) -> PathBuf {
    let p = t.dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn mail_results_come_back_as_activities_suppressions_and_scores() {
    let t = TempDb::new();
    let taro = lead(&t, "田中", "太郎", "taro@example.co.jp");
    let hanako = lead(&t, "佐藤", "花子", "hanako@example.co.jp");
    let ichiro = lead(&t, "鈴木", "一郎", "ichiro@example.co.jp");
    let before = leads::get(&t.db, taro).unwrap().lead.engagement_score;
    let file = write(
        &t,
        "results.csv",
        "email,event,timestamp,campaign\n\
         taro@example.co.jp,sent,2026-11-01 10:00,11月ニュース\n\
         TARO@example.co.jp,open,2026-11-01 12:00,11月ニュース\n\
         taro@example.co.jp,click,2026-11-01 12:01,11月ニュース\n\
         hanako@example.co.jp,unsubscribe,2026-11-02 09:00,11月ニュース\n\
         ichiro@example.co.jp,hard_bounce,2026-11-01 10:05,11月ニュース\n\
         stranger@example.com,unsubscribe,2026-11-02 09:00,11月ニュース\n",
    );
    let r = results::import(&t.db, &file, false, Utc::now()).unwrap();
    assert_eq!((r.format.as_str(), r.rows, r.activities), ("generic", 6, 5));
    assert_eq!(
        (
            r.unsubscribes,
            r.hard_bounces,
            r.unknown_emails,
            r.suppressions_added
        ),
        (2, 1, 1, 3)
    );
    assert!(
        leads::get(&t.db, taro).unwrap().lead.engagement_score > before,
        "opens and clicks score"
    );
    assert_eq!(consent_state(&t, hanako), "opted_out");
    assert_eq!(consent_state(&t, ichiro), "bounced");
    let records = consent::list(&t.db, hanako).unwrap();
    assert_eq!(
        (records[0].state.as_str(), records[0].method.as_str()),
        ("opted_out", "mail_result")
    );
    let list = suppression::list(&t.db).unwrap();
    assert_eq!(list.len(), 3);
    assert!(list
        .iter()
        .any(|e| e.email.as_deref() == Some("stranger@example.com") && e.reason == "opted_out"));
    let kinds: Vec<String> = leads::get(&t.db, taro)
        .unwrap()
        .activities
        .iter()
        .map(|a| a.kind.clone())
        .collect();
    assert_eq!(kinds, ["email_clicked", "email_opened", "email_sent"]);
    // The same file again adds nothing.
    let again = results::import(&t.db, &file, false, Utc::now()).unwrap();
    assert_eq!(
        (again.activities, again.already, again.suppressions_added),
        (0, 5, 0)
    );
    // A later import of the stranger is created opted out: the opt-out travels.
    let s = lead(&t, "見知", "らぬ", "Stranger@Example.com");
    assert_eq!(consent_state(&t, s), "opted_out");
}

#[test]
fn mailchimp_and_brevo_result_files_are_read() {
    let t = TempDb::new();
    let a = lead(&t, "田中", "太郎", "taro@example.co.jp");
    let b = lead(&t, "佐藤", "花子", "hanako@example.co.jp");
    let unsub = write(
        &t,
        "unsubscribed_members_export.csv",
        "Email Address,First Name,Last Name,MEMBER_RATING,OPTIN_TIME,UNSUB_TIME,UNSUB_CAMPAIGN_TITLE,UNSUB_REASON\n\
         taro@example.co.jp,太郎,田中,2,2026-01-01 00:00:00,2026-11-03 08:00:00,秋のセミナー,Not relevant\n",
    );
    let r = results::import(&t.db, &unsub, false, Utc::now()).unwrap();
    assert_eq!((r.format.as_str(), r.unsubscribes), ("mailchimp", 1));
    assert_eq!(consent_state(&t, a), "opted_out");
    let brevo = write(
        &t,
        "brevo.csv",
        "Date,Email,Event,Subject\n2026-11-04T01:00:00Z,hanako@example.co.jp,Opened,新製品\n2026-11-04T02:00:00Z,hanako@example.co.jp,Soft bounce,新製品\n",
    );
    let r = results::import(&t.db, &brevo, false, Utc::now()).unwrap();
    assert_eq!(
        (r.format.as_str(), r.activities, r.hard_bounces),
        ("brevo", 2, 0)
    );
    assert_eq!(
        consent_state(&t, b),
        "unknown",
        "a soft bounce does not suppress"
    );
}

#[test]
fn broken_results_files_are_refused_with_every_bad_row_and_write_nothing() {
    let t = TempDb::new();
    let a = lead(&t, "田中", "太郎", "taro@example.co.jp");
    let bad = write(
        &t,
        "bad.csv",
        "email,event,timestamp\ntaro@example.co.jp,unsubscribe,2026-11-01\nnot-an-email,open,2026-11-01\ntaro@example.co.jp,=cmd(),2026-11-01\ntaro@example.co.jp,open,yesterday\n",
    );
    let e = results::import(&t.db, &bad, false, Utc::now()).unwrap_err();
    let issues = e.field_issues();
    assert_eq!(
        issues
            .iter()
            .map(|i| (i.row, i.code.as_str()))
            .collect::<Vec<_>>(),
        [
            (Some(3), "invalid_email"),
            (Some(4), "unknown_event"),
            (Some(5), "invalid_time")
        ]
    );
    assert_eq!(consent_state(&t, a), "unknown", "nothing written");
    assert!(suppression::list(&t.db).unwrap().is_empty());
    let r = results::import(&t.db, &bad, true, Utc::now()).unwrap();
    assert_eq!((r.activities, r.failed), (1, 3));
    let no_columns = write(&t, "x.csv", "name,value\na,b\n");
    assert_eq!(
        results::import(&t.db, &no_columns, false, Utc::now())
            .unwrap_err()
            .field_issues()[0]
            .code,
        "missing_column"
    );
    let missing = t.dir.path().join("missing.csv");
    assert!(results::import(&t.db, &missing, false, Utc::now()).is_err());
}

#[test]
fn the_suppression_list_travels_hashed_or_plain() {
    let t = TempDb::new();
    let a = lead(&t, "田中", "太郎", "taro@example.co.jp");
    set_consent(&t, a, "opted_out");
    let hashed = t.dir.path().join("hashed.csv");
    let plain = t.dir.path().join("plain.csv");
    assert_eq!(
        suppression::export_list(&t.db, &hashed, false)
            .unwrap()
            .entries,
        1
    );
    suppression::export_list(&t.db, &plain, true).unwrap();
    let h = std::fs::read_to_string(&hashed).unwrap();
    assert!(!h.contains("taro"), "hashed list holds no email");
    assert!(h.contains(&suppression::hash_key("taro@example.co.jp")));
    assert!(std::fs::read_to_string(&plain)
        .unwrap()
        .contains("taro@example.co.jp"));
    for file in [&hashed, &plain] {
        let other = TempDb::new();
        let b = lead(&other, "田中", "太郎", "TARO@example.co.jp");
        let r = suppression::import_list(&other.db, file).unwrap();
        assert_eq!((r.rows, r.added, r.leads_marked), (1, 1, 1));
        assert_eq!(consent_state(&other, b), "opted_out");
        let out = other.dir.path().join("m.csv");
        assert_eq!(
            export::export(
                &other.db,
                &req(ProfileId::Mailchimp, ExportFormat::Csv),
                &out
            )
            .unwrap()
            .rows,
            0
        );
    }
    let bad = write(&t, "bad.csv", "email_hash,reason\nabc,opted_out\n");
    assert_eq!(
        suppression::import_list(&t.db, &bad)
            .unwrap_err()
            .field_issues()[0]
            .code,
        "invalid_hash"
    );
    let bad = write(&t, "bad2.csv", "email,reason\nx@example.com,whatever\n");
    assert_eq!(
        suppression::import_list(&t.db, &bad)
            .unwrap_err()
            .field_issues()[0]
            .code,
        "unknown_reason"
    );
    assert_eq!(
        suppression::list(&t.db).unwrap().len(),
        1,
        "nothing added by the bad files"
    );
}

#[test]
fn consent_records_are_added_listed_and_corrected() {
    let t = TempDb::new();
    let a = lead(&t, "田中", "太郎", "taro@example.co.jp");
    let rec = consent::add(
        &t.db,
        &ConsentInput {
            lead_id: a,
            state: "opted_in".into(),
            method: "card_exchange".into(),
            recorded_at: "2026/10/15".into(),
            evidence: "展示会で名刺交換".into(),
            ..Default::default()
        },
        Utc::now(),
    )
    .unwrap();
    assert_eq!(
        (rec.channel.as_str(), rec.recorded_at.as_str()),
        ("email", "2026-10-14T15:00:00Z")
    );
    assert_eq!(consent_state(&t, a), "opted_in");
    set_consent(&t, a, "opted_out"); // 2026-10-01: older than the opt-in
    assert_eq!(
        consent_state(&t, a),
        "opted_in",
        "the latest record decides"
    );
    let edited = consent::edit(
        &t.db,
        rec.id,
        &ConsentInput {
            lead_id: a,
            state: "opted_out".into(),
            method: "card_exchange".into(),
            recorded_at: "2026-10-15".into(),
            evidence: "電話で配信停止の依頼".into(),
            ..Default::default()
        },
        Utc::now(),
    )
    .unwrap();
    assert!(edited.updated_at.is_some());
    assert_eq!(consent_state(&t, a), "opted_out");
    assert_eq!(suppression::list(&t.db).unwrap().len(), 1);
    assert_eq!(consent::list(&t.db, a).unwrap().len(), 2);
    let e = consent::add(
        &t.db,
        &ConsentInput {
            lead_id: a,
            state: "maybe".into(),
            method: "telepathy".into(),
            recorded_at: "2999-01-01".into(),
            ..Default::default()
        },
        Utc::now(),
    )
    .unwrap_err();
    let codes: Vec<&str> = e.field_issues().iter().map(|i| i.code.as_str()).collect();
    assert_eq!(codes, ["unknown_state", "unknown_method", "out_of_range"]);
    let missing = ConsentInput {
        lead_id: 999,
        state: "opted_in".into(),
        ..Default::default()
    };
    assert_eq!(
        consent::add(&t.db, &missing, Utc::now())
            .unwrap_err()
            .code(),
        "not_found"
    );
}

#[test]
fn a_person_is_exported_in_one_step_and_erased_to_a_hash() {
    let t = TempDb::new();
    let a = lead(&t, "田中", "太郎", "taro@example.co.jp");
    set_consent(&t, a, "opted_in");
    sodate_core::activities::add(
        &t.db,
        &sodate_core::activities::ActivityInput {
            lead_id: a,
            activity_type: "seminar_attended".into(),
            occurred_at: Some("2026-11-01 10:00".into()),
            detail: "DXセミナー".into(),
            event_id: None,
        },
        Utc::now(),
    )
    .unwrap();
    let json = t.dir.path().join("person.json");
    let r = person::export(&t.db, a, &json).unwrap();
    assert_eq!((r.activities, r.consents), (1, 1));
    let d: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(d["lead"]["email"], "taro@example.co.jp");
    assert_eq!(d["activities"][0]["detail"], "DXセミナー");
    assert_eq!(d["consents"][0]["evidence"], "お問い合わせフォーム");
    assert_eq!(d["stageHistory"][0]["toStage"], "lead");
    let csv_path = t.dir.path().join("person.csv");
    person::export(&t.db, a, &csv_path).unwrap();
    let rows = read_csv(&csv_path, TextEncoding::Utf8Bom);
    assert!(rows.contains(&vec!["lead.familyName".to_string(), "田中".to_string()]));
    assert!(rows.contains(&vec![
        "activities[1].detail".to_string(),
        "DXセミナー".to_string()
    ]));

    let e = person::erase(&t.db, a).unwrap();
    assert_eq!((e.activities, e.consents, e.hashes), (1, 1, 1));
    assert_eq!(leads::get(&t.db, a).unwrap_err().code(), "not_found");
    let list = suppression::list(&t.db).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(
        (list[0].email.as_deref(), list[0].reason.as_str()),
        (None, "erased")
    );
    assert_eq!(
        list[0].email_hash,
        suppression::hash_key("taro@example.co.jp")
    );
    // Nothing else names them.
    let raw = std::fs::read(t.path()).unwrap_or_default();
    let _ = raw; // (WAL pages may still hold freed text until a checkpoint; the tables do not.)
                 // A later import of the same email does not bring them back into mailings.
    let file = write(
        &t,
        "again.csv",
        "姓,名,メールアドレス\n田中,太郎,TARO@example.co.jp\n",
    );
    let rep = import::run(
        &t.db,
        &ImportPlan {
            path: file.to_string_lossy().into_owned(),
            ..ImportPlan::default()
        },
        false,
        &mut |_| {},
        &AtomicBool::new(false),
    )
    .unwrap();
    assert_eq!(rep.created, 1);
    let back = leads::list(
        &t.db,
        &LeadQuery {
            limit: 10,
            ..Default::default()
        },
    )
    .unwrap()
    .rows;
    assert_eq!(consent_state(&t, back[0].id), "opted_out");
    let out = t.dir.path().join("m.csv");
    let r = export::export(&t.db, &req(ProfileId::Mailchimp, ExportFormat::Csv), &out).unwrap();
    assert_eq!((r.rows, r.suppressed), (0, 1));
    assert_eq!(person::erase(&t.db, 12345).unwrap_err().code(), "not_found");
}

// --- Readers this project did not write -------------------------------------------------

/// A Python 3 that has `modules`; the test fails (never skips) without one, naming what to
/// install (`scripts/install-deps.sh test` installs python3-openpyxl and python3-vobject).
fn python_with(modules: &[&str]) -> String {
    let probe = format!("import {}", modules.join(", "));
    for candidate in ["/usr/bin/python3", "python3"] {
        if Command::new(candidate)
            .args(["-c", &probe])
            .output()
            .is_ok_and(|o| o.status.success())
        {
            return candidate.to_string();
        }
    }
    panic!("no python3 with {modules:?}: run scripts/install-deps.sh test (Debian: python3-openpyxl python3-vobject)");
}

fn python(modules: &[&str], script: &str, file: &Path) -> String {
    let out = Command::new(python_with(modules))
        .args(["-c", script])
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn real_readers_open_the_csv_as_cp932_and_as_utf8_with_bom() {
    let s = story();
    let script = "import csv,sys,json\nenc=sys.argv[2] if len(sys.argv)>2 else None\n";
    let _ = script;
    for (encoding, py) in [
        (TextEncoding::Utf8Bom, "utf-8-sig"),
        (TextEncoding::ShiftJis, "cp932"),
    ] {
        let out = s.t.dir.path().join(format!("{py}.csv"));
        let mut r = req(ProfileId::Generic, ExportFormat::Csv);
        r.encoding = Some(encoding);
        export::export(&s.t.db, &r, &out).unwrap();
        let script = format!(
            "import csv,sys,json\nwith open(sys.argv[1], encoding='{py}', newline='') as f: rows=list(csv.reader(f))\nprint(json.dumps(rows, ensure_ascii=False))"
        );
        let rows: Vec<Vec<String>> =
            serde_json::from_str(&python(&["csv"], &script, &out)).unwrap();
        assert_eq!(rows[0][..4], ["メールアドレス", "姓", "名", "セイ"], "{py}");
        assert_eq!(
            rows[1][..6],
            [
                "taro@example.co.jp",
                "田中",
                "太郎",
                "タナカ",
                "タロウ",
                "株式会社サンプル"
            ],
            "{py}"
        );
        let hostile = rows.iter().find(|r| r[0] == "hostile@example.com").unwrap();
        assert_eq!(
            hostile[1], "'=HYPERLINK(\"http://evil.example\",\"x\")",
            "{py}"
        );
        assert_eq!(rows.len(), 4, "{py}");
    }
}

#[test]
fn a_real_spreadsheet_reader_opens_the_xlsx() {
    let s = story();
    let out = s.t.dir.path().join("hubspot.xlsx");
    let mut r = req(ProfileId::Hubspot, ExportFormat::Xlsx);
    r.columns = Some(vec![
        Field::Email,
        Field::FamilyName,
        Field::GivenName,
        Field::CompanyName,
        Field::EngagementScore,
    ]);
    export::export(&s.t.db, &r, &out).unwrap();
    let script = "import openpyxl,sys,json\nwb=openpyxl.load_workbook(sys.argv[1], read_only=True)\nws=wb.worksheets[0]\nprint(json.dumps({'title': ws.title, 'rows': [[c for c in row] for row in ws.iter_rows(values_only=True)]}, ensure_ascii=False))";
    let v: serde_json::Value = serde_json::from_str(&python(&["openpyxl"], script, &out)).unwrap();
    assert_eq!(v["title"], "Sodate");
    assert_eq!(
        v["rows"][0],
        serde_json::json!([
            "Email",
            "Last Name",
            "First Name",
            "Company Name",
            "行動スコア"
        ])
    );
    assert_eq!(
        v["rows"][1].as_array().unwrap()[..4],
        serde_json::json!(["taro@example.co.jp", "田中", "太郎", "株式会社サンプル"])
            .as_array()
            .unwrap()[..]
    );
    assert!(v["rows"][1][4].is_number(), "scores are numbers");
    assert_eq!(
        v["rows"][2][1],
        "'=HYPERLINK(\"http://evil.example\",\"x\")"
    );
    assert_eq!(v["rows"].as_array().unwrap().len(), 3);
}

#[test]
fn a_real_vcard_parser_reads_both_versions_with_readings() {
    let s = story();
    for (format, version) in [(ExportFormat::Vcard3, "3.0"), (ExportFormat::Vcard4, "4.0")] {
        let out = s.t.dir.path().join(format!("cards{version}.vcf"));
        let report = export::export(&s.t.db, &req(ProfileId::Generic, format), &out).unwrap();
        assert_eq!(report.rows, 3);
        let script = "import vobject,sys,json\ncards=[]\nfor c in vobject.readComponents(open(sys.argv[1], encoding='utf-8').read()):\n  d={'version': c.version.value, 'fn': c.fn.value, 'family': c.n.value.family, 'given': c.n.value.given}\n  for k in ['x-phonetic-last-name','x-phonetic-first-name','email','title']:\n    if k in c.contents: d[k]=c.contents[k][0].value\n  if 'org' in c.contents: d['org']=c.org.value\n  if 'adr' in c.contents: d['postal']=c.adr.value.code\n  cards.append(d)\nprint(json.dumps(cards, ensure_ascii=False))";
        let cards: serde_json::Value =
            serde_json::from_str(&python(&["vobject"], script, &out)).unwrap();
        let taro = &cards[0];
        assert_eq!(taro["version"], version);
        assert_eq!(taro["fn"], "田中 太郎");
        assert_eq!(
            (taro["family"].as_str(), taro["given"].as_str()),
            (Some("田中"), Some("太郎"))
        );
        assert_eq!(taro["x-phonetic-last-name"], "タナカ");
        assert_eq!(taro["x-phonetic-first-name"], "タロウ");
        assert_eq!(taro["email"], "taro@example.co.jp");
        assert_eq!(taro["org"][0], "株式会社サンプル");
        assert_eq!(taro["postal"], "100-0001");
        // Special characters of the hostile lead are escaped, not breaking the card.
        assert_eq!(
            cards[1]["family"],
            "=HYPERLINK(\"http://evil.example\",\"x\")"
        );
        assert_eq!(cards[1]["org"][0], "+cmd|' /C calc'!A0");
    }
}
