//! Capture at trade shows: events and their counts, a card saved as a lead with its visit,
//! consent and photos in one transaction, a repeat card added as a visit, cards that never
//! block on a bad value, drafts, QR codes from the fixture images, and bad photos.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use sodate_core::capture::{self, events, photos, qr, CaptureInput, NewEvent};
use sodate_core::card_fields::CardFields;
use sodate_core::{consent, leads, stats, Sodate};

use crate::TempDb;

fn now() -> DateTime<Utc> {
    Utc::now()
}

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/qr")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn event(db: &Sodate, name: &str) -> i64 {
    events::create(
        db,
        &NewEvent {
            name: name.into(),
            starts_on: "2026-11-20".into(),
            ends_on: "2026-11-22".into(),
            place: "東京ビッグサイト".into(),
            ..NewEvent::default()
        },
        now(),
    )
    .unwrap()
    .id
}

fn card() -> CardFields {
    CardFields {
        family_name: "山田".into(),
        given_name: "太郎".into(),
        family_reading: "やまだ".into(),
        given_reading: "たろう".into(),
        company: "株式会社サンプル".into(),
        company_reading: "さんぷる".into(),
        department: "営業部".into(),
        title: "部長".into(),
        email: "Taro.Yamada@Sample.co.jp".into(),
        phone: "０３-１２３４-５６７８".into(),
        ..CardFields::default()
    }
}

fn input(event_id: i64, card: CardFields) -> CaptureInput {
    CaptureInput {
        event_id,
        card,
        interest: "hot".into(),
        products: vec!["クラウド会計".into(), "勤怠管理".into()],
        memo: "来月デモ希望".into(),
        existing_lead_id: 0,
    }
}

fn codes(e: &sodate_core::Error) -> Vec<String> {
    e.field_issues().iter().map(|i| i.code.clone()).collect()
}

#[test]
fn a_card_becomes_a_lead_with_its_visit_consent_and_counts_in_one_transaction() {
    let t = TempDb::new();
    let show = event(&t.db, "営業DX EXPO 2026 秋");
    let saved = capture::save(&t.db, &input(show, card()), now()).unwrap();
    assert!(saved.created_lead);
    assert!(!saved.incomplete, "{:?}", saved.to_complete);
    assert_eq!(
        (
            saved.counts.event_today,
            saved.counts.all_today,
            saved.counts.event_total
        ),
        (1, 1, 1)
    );

    let detail = leads::get(&t.db, saved.lead_id).unwrap();
    let lead = &detail.lead;
    assert_eq!(
        (lead.family_name.as_str(), lead.given_name.as_str()),
        ("山田", "太郎")
    );
    // Readings typed in hiragana are stored in katakana, as imports store them.
    assert_eq!(
        (lead.family_reading.as_str(), lead.given_reading.as_str()),
        ("ヤマダ", "タロウ")
    );
    assert_eq!(lead.company_reading.as_deref(), Some("サンプル"));
    assert_eq!(lead.email, "taro.yamada@sample.co.jp");
    assert_eq!(lead.phone, "03-1234-5678");
    assert_eq!(lead.source, "trade_show");
    assert_eq!(
        lead.first_event_name.as_deref(),
        Some("営業DX EXPO 2026 秋")
    );
    assert_eq!(lead.notes, "来月デモ希望");
    assert_eq!(lead.consent_state, "opted_in");
    assert!(detail.tags.is_empty());
    let visit = &detail.activities[0];
    assert_eq!(visit.kind, "booth_visit");
    assert_eq!(visit.event_name.as_deref(), Some("営業DX EXPO 2026 秋"));
    assert_eq!(
        visit.detail,
        "関心度: 高 / 関心製品: クラウド会計、勤怠管理 / メモ: 来月デモ希望"
    );
    let consents = consent::list(&t.db, saved.lead_id).unwrap();
    assert_eq!(consents.len(), 1);
    assert_eq!(consents[0].method, "card_exchange");
    assert_eq!(consents[0].state, "opted_in");
    assert_eq!(
        consents[0].event_name.as_deref(),
        Some("営業DX EXPO 2026 秋")
    );
    assert!(
        consents[0]
            .evidence
            .starts_with("名刺交換: 営業DX EXPO 2026 秋（"),
        "{}",
        consents[0].evidence
    );
    // The products are offered as chips next time, the most recent first.
    assert_eq!(capture::products(&t.db).unwrap().len(), 2);
    let listed = events::list(&t.db, now()).unwrap();
    assert_eq!(
        (
            listed[0].captured_leads,
            listed[0].captured_cards,
            listed[0].captured_today
        ),
        (1, 1, 1)
    );
}

#[test]
fn the_duplicate_warning_finds_the_first_card_and_the_visit_goes_to_that_lead() {
    let t = TempDb::new();
    let show = event(&t.db, "展示会A");
    let first = capture::save(&t.db, &input(show, card()), now()).unwrap();
    let other = CardFields {
        family_name: "佐藤".into(),
        given_name: "花子".into(),
        company: "別会社株式会社".into(),
        email: "hanako@betsu.example.jp".into(),
        ..CardFields::default()
    };
    capture::save(&t.db, &input(show, other), now()).unwrap();

    // The same person typed again: the email differs only in case and width.
    let repeat = CardFields {
        email: "ＴＡＲＯ.yamada@sample.co.jp".into(),
        ..CardFields::default()
    };
    let similar = capture::similar(&t.db, &repeat).unwrap();
    assert_eq!(similar.len(), 1);
    assert_eq!(similar[0].id, first.lead_id);
    assert_eq!(similar[0].name, "山田 太郎");
    // Name and company alone (no email yet) also warn.
    let by_name = CardFields {
        family_name: "山田".into(),
        given_name: "太郎".into(),
        company: "(株)サンプル".into(),
        ..CardFields::default()
    };
    assert_eq!(
        capture::similar(&t.db, &by_name).unwrap()[0].id,
        first.lead_id
    );
    assert!(capture::similar(&t.db, &CardFields::default())
        .unwrap()
        .is_empty());

    let visit = capture::save(
        &t.db,
        &CaptureInput {
            existing_lead_id: first.lead_id,
            interest: "warm".into(),
            ..input(show, repeat)
        },
        now(),
    )
    .unwrap();
    assert!(!visit.created_lead);
    assert_eq!(visit.lead_id, first.lead_id);
    assert_eq!(visit.counts.event_today, 3);
    assert_eq!(stats::counts(&t.db).unwrap().leads, 2);
    let detail = leads::get(&t.db, first.lead_id).unwrap();
    let visits: Vec<_> = detail
        .activities
        .iter()
        .filter(|a| a.kind == "booth_visit")
        .collect();
    assert_eq!(visits.len(), 2);
    assert_eq!(consent::list(&t.db, first.lead_id).unwrap().len(), 2);
    let listed = events::get(&t.db, show, now()).unwrap();
    assert_eq!((listed.captured_leads, listed.captured_cards), (2, 3));

    // A visit to a lead that does not exist changes nothing.
    let err = capture::save(
        &t.db,
        &CaptureInput {
            existing_lead_id: 9999,
            ..input(show, card())
        },
        now(),
    )
    .unwrap_err();
    assert_eq!(err.code(), "not_found");
    assert_eq!(events::get(&t.db, show, now()).unwrap().captured_cards, 3);
}

#[test]
fn an_incomplete_or_mistyped_card_is_saved_tagged_and_its_bad_values_kept_in_the_notes() {
    let t = TempDb::new();
    let show = event(&t.db, "展示会B");
    let mistyped = CardFields {
        family_name: "鈴木".into(),
        email: "suzuki(at)example".into(),
        phone: "12".into(),
        ..CardFields::default()
    };
    let saved = capture::save(&t.db, &input(show, mistyped), now()).unwrap();
    assert!(saved.incomplete);
    assert_eq!(saved.to_complete, ["email", "phone", "companyName"]);
    let detail = leads::get(&t.db, saved.lead_id).unwrap();
    assert_eq!(detail.tags, [capture::INCOMPLETE_TAG]);
    assert_eq!(detail.lead.email, "");
    assert_eq!(
        detail.lead.notes,
        "来月デモ希望\nメール（要確認）: suzuki(at)example\n電話（要確認）: 12"
    );
    assert_eq!(capture::incomplete_count(&t.db).unwrap(), 1);

    // Nothing to save at all: a clear refusal, nothing written.
    let err = capture::save(&t.db, &input(show, CardFields::default()), now()).unwrap_err();
    assert_eq!(codes(&err), ["empty_card"]);
    let err = capture::save(
        &t.db,
        &CaptureInput {
            interest: "lukewarm".into(),
            products: vec!["x".repeat(61)],
            memo: "a\0b".into(),
            ..input(show, card())
        },
        now(),
    )
    .unwrap_err();
    assert_eq!(
        codes(&err),
        ["unknown_interest", "too_long", "invalid_text"]
    );
    let err = capture::save(&t.db, &input(4242, card()), now()).unwrap_err();
    assert_eq!(err.code(), "not_found");
    assert_eq!(stats::counts(&t.db).unwrap().leads, 1);
    assert_eq!(events::get(&t.db, show, now()).unwrap().captured_cards, 1);
}

#[test]
fn a_capture_never_lifts_an_opt_out() {
    let t = TempDb::new();
    let show = event(&t.db, "展示会C");
    let first = capture::save(&t.db, &input(show, card()), now()).unwrap();
    consent::add(
        &t.db,
        &consent::ConsentInput {
            lead_id: first.lead_id,
            state: "opted_out".into(),
            method: "manual".into(),
            ..Default::default()
        },
        now(),
    )
    .unwrap();
    capture::save(
        &t.db,
        &CaptureInput {
            existing_lead_id: first.lead_id,
            ..input(show, card())
        },
        now(),
    )
    .unwrap();
    let lead = leads::get(&t.db, first.lead_id).unwrap().lead;
    assert_eq!(lead.consent_state, "opted_out");
    assert_eq!(
        consent::list(&t.db, first.lead_id).unwrap()[0].state,
        "unknown"
    );
}

#[test]
fn events_are_validated_and_unique() {
    let t = TempDb::new();
    event(&t.db, "Japan IT Week");
    let err = events::create(
        &t.db,
        &NewEvent {
            name: "  ".into(),
            kind: "party".into(),
            starts_on: "2026-11-31".into(),
            ends_on: "tomorrow".into(),
            ..NewEvent::default()
        },
        now(),
    )
    .unwrap_err();
    assert_eq!(
        codes(&err),
        ["required", "unknown_kind", "invalid_date", "invalid_date"]
    );
    let err = events::create(
        &t.db,
        &NewEvent {
            name: "ＪＡＰＡＮ IT week".into(),
            ..NewEvent::default()
        },
        now(),
    )
    .unwrap_err();
    assert_eq!(codes(&err), ["duplicate"]);
    let err = events::create(
        &t.db,
        &NewEvent {
            name: "逆".into(),
            starts_on: "2026/11/22".into(),
            ends_on: "2026/11/20".into(),
            ..NewEvent::default()
        },
        now(),
    )
    .unwrap_err();
    assert_eq!(codes(&err), ["before_start"]);
    assert_eq!(events::list(&t.db, now()).unwrap().len(), 1);
}

#[test]
fn a_draft_survives_reopening_and_goes_away_when_the_card_is_saved_or_discarded() {
    let t = TempDb::new();
    let show = event(&t.db, "展示会D");
    let half = CaptureInput {
        card: CardFields {
            family_name: "途中".into(),
            ..CardFields::default()
        },
        ..input(show, CardFields::default())
    };
    capture::save_draft(&t.db, &half, now()).unwrap();
    photos::attach_pending(
        &t.db,
        show,
        "front",
        &fixture("photo-without-qr.jpg"),
        now(),
    )
    .unwrap();
    let path = t.path();
    drop(t.db);
    // As after a crash: the database is opened again.
    let db = Sodate::open(&path).unwrap();
    let drafts = capture::drafts(&db).unwrap();
    assert_eq!(drafts.len(), 1);
    assert_eq!(drafts[0].event_name, "展示会D");
    assert_eq!(drafts[0].form, half);
    assert_eq!(drafts[0].photos.len(), 1);

    let saved = capture::save(&db, &half, now()).unwrap();
    assert!(capture::drafts(&db).unwrap().is_empty());
    let on_lead = photos::of_lead(&db, saved.lead_id).unwrap();
    assert_eq!(on_lead.len(), 1);
    assert_eq!(on_lead[0].side, "front");

    capture::save_draft(&db, &half, now()).unwrap();
    photos::attach_pending(&db, show, "back", &fixture("photo-without-qr.jpg"), now()).unwrap();
    capture::discard_draft(&db, show).unwrap();
    assert!(capture::drafts(&db).unwrap().is_empty());
    assert!(photos::pending(&db, show).unwrap().is_empty());
    // Hostile drafts: an unknown event, a huge memo.
    assert_eq!(
        capture::save_draft(&db, &input(777, card()), now())
            .unwrap_err()
            .code(),
        "not_found"
    );
    let huge = CaptureInput {
        memo: "あ".repeat(40_000),
        ..input(show, card())
    };
    assert_eq!(
        codes(&capture::save_draft(&db, &huge, now()).unwrap_err()),
        ["too_large"]
    );
}

/// A JPEG of `w`×`h` with an EXIF orientation tag (6: the camera was turned 90°).
fn jpeg_with_orientation(w: u32, h: u32, orientation: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, _| image::Rgb([(x * 4) as u8, 100, 100]));
    let mut plain = Vec::new();
    image::codecs::jpeg::JpegEncoder::new(&mut plain)
        .encode_image(&img)
        .unwrap();
    let mut tiff = b"Exif\0\0MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0".to_vec();
    tiff.extend_from_slice(&[orientation, 0, 0, 0, 0, 0, 0, 0]);
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend_from_slice(&((tiff.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&tiff);
    out.extend_from_slice(&plain[2..]);
    out
}

/// A PNG header claiming `w`×`h` pixels with almost no data (a decompression bomb).
fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    fn crc(bytes: &[u8]) -> u32 {
        let mut c = 0xFFFF_FFFFu32;
        for b in bytes {
            c ^= u32::from(*b);
            for _ in 0..8 {
                c = if c & 1 == 1 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    out.extend_from_slice(&13u32.to_be_bytes());
    out.extend_from_slice(&ihdr);
    out.extend_from_slice(&crc(&ihdr).to_be_bytes());
    out.extend_from_slice(&0u32.to_be_bytes());
    out.extend_from_slice(b"IEND");
    out.extend_from_slice(&crc(b"IEND").to_be_bytes());
    out
}

#[test]
fn photos_are_turned_upright_shrunk_stored_as_jpeg_and_bad_files_change_nothing() {
    let t = TempDb::new();
    let show = event(&t.db, "展示会E");
    let rotated = jpeg_with_orientation(200, 100, 6);
    let p = photos::attach_pending(&t.db, show, "front", &rotated, now()).unwrap();
    assert_eq!(
        (p.width, p.height),
        (100, 200),
        "EXIF orientation 6 turns the photo upright"
    );
    assert!(p.thumbnail.starts_with("data:image/jpeg;base64,/9j/"));
    let big = image::RgbImage::from_pixel(4000, 2000, image::Rgb([200, 200, 200]));
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(big)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let p = photos::attach_pending(&t.db, show, "front", &png, now()).unwrap();
    assert_eq!((p.width, p.height), (1600, 800));
    // The new front photo replaced the first one.
    assert_eq!(photos::pending(&t.db, show).unwrap().len(), 1);
    let full = photos::image_data_url(&t.db, p.id).unwrap();
    assert!(full.starts_with("data:image/jpeg;base64,"));

    let cases: Vec<(Vec<u8>, &str)> = vec![
        (Vec::new(), "empty_file"),
        (b"BEGIN:VCARD\r\nEND:VCARD\r\n".to_vec(), "not_an_image"),
        (b"%PDF-1.7 not a photo".to_vec(), "not_an_image"),
        (png_claiming(100_000, 100_000), "image_too_large"),
        (png[..200].to_vec(), "not_an_image"),
        (b"GIF89a\x01\x00\x01\x00".to_vec(), "unsupported_image"),
    ];
    for (bytes, code) in cases {
        let err = photos::attach_pending(&t.db, show, "back", &bytes, now()).unwrap_err();
        assert_eq!(codes(&err), [code], "{}", err);
        let err = qr::read_image(&bytes).unwrap_err();
        assert_eq!(codes(&err), [code]);
    }
    let err = photos::attach_pending(&t.db, show, "inside", &rotated, now()).unwrap_err();
    assert_eq!(codes(&err), ["unknown_side"]);
    let pending = photos::pending(&t.db, show).unwrap();
    assert_eq!(
        pending.len(),
        1,
        "the bad files left the pending photos as they were"
    );
    assert_eq!(pending[0].id, p.id);
}

#[test]
fn qr_fixture_images_prefill_the_card_and_bad_ones_say_why() {
    let utf8 = qr::read_image(&fixture("vcard-utf8.png")).unwrap();
    assert_eq!(
        (utf8.kind.as_str(), utf8.encoding.as_str()),
        ("vcard", "utf-8")
    );
    let f = &utf8.fields;
    assert_eq!(
        (f.family_name.as_str(), f.given_name.as_str()),
        ("山本", "美咲")
    );
    assert_eq!(
        (f.family_reading.as_str(), f.given_reading.as_str()),
        ("やまもと", "みさき")
    );
    assert_eq!(
        (f.company.as_str(), f.department.as_str(), f.title.as_str()),
        ("株式会社ミライ製作所", "営業本部", "課長")
    );
    assert_eq!(f.email, "misaki.yamamoto@mirai-ss.example.jp");
    assert_eq!(
        (f.phone.as_str(), f.mobile.as_str()),
        ("03-5555-0101", "090-1234-5678")
    );
    assert_eq!(f.postal_code, "100-0005");
    assert_eq!(f.address, "東京都千代田区丸の内1-1-1");

    let sjis = qr::read_image(&fixture("vcard-shift_jis.png")).unwrap();
    assert_eq!(
        (sjis.kind.as_str(), sjis.encoding.as_str()),
        ("vcard", "shift_jis")
    );
    let f = &sjis.fields;
    assert_eq!(
        (f.family_name.as_str(), f.given_name.as_str()),
        ("髙橋", "健一")
    );
    assert_eq!(f.family_reading, "ﾀｶﾊｼ");
    assert_eq!(
        (f.company.as_str(), f.department.as_str()),
        ("㈱東邦テクノ", "開発部")
    );
    assert_eq!(f.email, "k.takahashi@toho-techno.example.jp");
    // Saved, the half-width reading is stored as full-width katakana.
    assert_eq!(capture::lead_input_of(f, "").family_reading, "タカハシ");

    let me = qr::read_image(&fixture("mecard.png")).unwrap();
    assert_eq!(me.kind, "mecard");
    assert_eq!(me.fields.family_name, "佐々木");
    assert_eq!(me.fields.company, "グリーンフィールド株式会社");
    assert_eq!(me.fields.phone, "045-777-0303");
    assert_eq!(me.fields.note, "展示会ブースにて");

    let url = qr::read_image(&fixture("url.png")).unwrap();
    assert_eq!(url.kind, "url");
    assert_eq!(
        url.fields.url,
        "https://expo.example.jp/visitor/A-20261123-0042"
    );

    let err = qr::read_image(&fixture("garbage.png")).unwrap_err();
    assert_eq!(codes(&err), ["qr_garbage"]);
    let err = qr::read_image(&fixture("photo-without-qr.jpg")).unwrap_err();
    assert_eq!(codes(&err), ["no_qr"]);
}
