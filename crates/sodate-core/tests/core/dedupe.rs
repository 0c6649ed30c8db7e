//! Duplicate finding: each comparison, blocking limits, exclusions, bad input, and quality
//! measured against the demo data's recorded duplicates.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::AtomicBool;

use chrono::NaiveDate;
use rusqlite::Connection;
use sodate_core::dedupe::{self, CandidatePair, ScanOptions, ScanReport};
use sodate_core::demo::{generate, DemoOptions};
use sodate_core::{leads, LeadInput};

use crate::TempDb;

fn person(
    family: &str,
    given: &str,
    reading: (&str, &str),
    company: &str,
    email: &str,
) -> LeadInput {
    LeadInput {
        family_name: family.into(),
        given_name: given.into(),
        family_reading: reading.0.into(),
        given_reading: reading.1.into(),
        company_name: company.into(),
        email: email.into(),
        ..Default::default()
    }
}

fn add(t: &TempDb, input: LeadInput) -> i64 {
    leads::create(&t.db, &input).unwrap().lead.id
}

fn scan(t: &TempDb, options: &ScanOptions) -> ScanReport {
    dedupe::scan(&t.db, options, &mut |_| {}, &AtomicBool::new(false)).unwrap()
}

fn codes(pair: &CandidatePair) -> Vec<&str> {
    pair.reasons.iter().map(|r| r.code.as_str()).collect()
}

fn base() -> LeadInput {
    LeadInput {
        phone: "03-1234-5678".into(),
        ..person(
            "高橋",
            "博",
            ("タカハシ", "ヒロシ"),
            "株式会社サンプル",
            "hiroshi.takahashi@sample.co.jp",
        )
    }
}

/// The reason of `pair` with this code (the test fails when it is missing).
fn reason<'a>(pair: &'a CandidatePair, code: &str) -> &'a dedupe::Reason {
    pair.reasons
        .iter()
        .find(|r| r.code == code)
        .unwrap_or_else(|| panic!("no {code} reason in {:?}", pair.reasons))
}

#[test]
fn itaiji_names_are_the_same_name() {
    let t = TempDb::new();
    let a = add(&t, base());
    let b = add(
        &t,
        LeadInput {
            family_name: "髙橋".into(),
            ..base()
        },
    );
    let pair = dedupe::compare(&t.db, b, a).unwrap();
    assert_eq!((pair.a, pair.b), (a, b), "smaller id first");
    assert!(codes(&pair).contains(&"name_itaiji"), "{pair:?}");
    let reason = reason(&pair, "name_itaiji");
    assert!(
        reason.message.contains("高橋 博 = 髙橋 博"),
        "{}",
        reason.message
    );
    assert_eq!(pair.confidence, 100);
    let report = scan(&t, &ScanOptions::default());
    assert_eq!(report.pairs.len(), 1);
    assert_eq!(report.clusters.len(), 1);
    assert_eq!(report.clusters[0].members, vec![a, b]);
}

#[test]
fn family_names_read_the_same_with_other_kanji() {
    let t = TempDb::new();
    let saito = || LeadInput {
        phone: "06-1234-5678".into(),
        ..person(
            "斉藤",
            "和也",
            ("サイトウ", "カズヤ"),
            "株式会社サンプル",
            "k.saito@sample.co.jp",
        )
    };
    let a = add(&t, saito());
    let b = add(
        &t,
        LeadInput {
            family_name: "齋藤".into(),
            ..saito()
        },
    );
    let pair = dedupe::compare(&t.db, a, b).unwrap();
    let reason = pair
        .reasons
        .iter()
        .find(|r| r.code == "family_name_variant")
        .unwrap_or_else(|| panic!("{pair:?}"));
    assert_eq!(reason.params["reading"], "さいとう");
    assert_eq!(reason.points, 15);
    assert_eq!(pair.confidence, 100);
    // Another given name is another person, even when read the same.
    let c = add(
        &t,
        LeadInput {
            given_name: "一也".into(),
            ..saito()
        },
    );
    let pair = dedupe::compare(&t.db, a, c).unwrap();
    assert!(codes(&pair).contains(&"different_given_name"), "{pair:?}");
}

#[test]
fn corporate_forms_are_the_same_company_also_as_separate_records() {
    let t = TempDb::new();
    let a = add(&t, base());
    let b = add(
        &t,
        LeadInput {
            company_name: "㈱サンプル".into(),
            email: "h.takahashi@example.jp".into(),
            ..base()
        },
    );
    let pair = dedupe::compare(&t.db, a, b).unwrap();
    assert!(codes(&pair).contains(&"same_company"), "{pair:?}");

    // Another system's export: a second company record, same domain.
    let conn = Connection::open(t.path()).unwrap();
    conn.execute_batch(
        "UPDATE companies SET domain = 'sample.co.jp';
         INSERT INTO companies (name, name_key, domain, created_at, updated_at)
             VALUES ('（株）サンプル商会', 'さんぷる商会', 'sample.co.jp', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');",
    )
    .unwrap();
    let other = conn.last_insert_rowid();
    conn.execute("UPDATE leads SET company_id = ?1 WHERE id = ?2", [other, b])
        .unwrap();
    let pair = dedupe::compare(&t.db, a, b).unwrap();
    let reason = pair
        .reasons
        .iter()
        .find(|r| r.code == "same_company_domain")
        .unwrap_or_else(|| panic!("{pair:?}"));
    assert_eq!(reason.params["domain"], "sample.co.jp");
    assert!(codes(&pair).contains(&"same_phone"));
    assert!(pair.confidence >= 50, "{pair:?}");
}

#[test]
fn full_width_email_and_phone_are_the_same() {
    let t = TempDb::new();
    let a = add(&t, base());
    let b = add(
        &t,
        LeadInput {
            email: "ＨＩＲＯＳＨＩ.ｔａｋａｈａｓｈｉ＠ｓａｍｐｌｅ．ｃｏ．ｊｐ".into(),
            phone: "０３－１２３４－５６７８".into(),
            ..base()
        },
    );
    let pair = dedupe::compare(&t.db, a, b).unwrap();
    let email = reason(&pair, "same_email");
    assert_eq!(email.params["email"], "hiroshi.takahashi@sample.co.jp");
    let phone = reason(&pair, "same_phone");
    assert_eq!(phone.params["phone"], "+81312345678");
}

#[test]
fn readings_in_hiragana_and_with_a_typo() {
    let t = TempDb::new();
    let a = add(&t, base());
    let hiragana = add(
        &t,
        LeadInput {
            family_reading: "たかはし".into(),
            given_reading: "ひろし".into(),
            ..base()
        },
    );
    let typo = add(
        &t,
        LeadInput {
            given_reading: "ヒロイ".into(),
            ..base()
        },
    );
    let pair = dedupe::compare(&t.db, a, hiragana).unwrap();
    let same = reason(&pair, "same_reading");
    assert_eq!(same.params["reading"], "たかはし ひろし");
    assert!(same.message.contains("たかはし ひろし"));
    let pair = dedupe::compare(&t.db, a, typo).unwrap();
    let similar = pair
        .reasons
        .iter()
        .find(|r| r.code == "similar_reading")
        .unwrap_or_else(|| panic!("{pair:?}"));
    assert_eq!(similar.points, 10);
    assert_eq!(pair.confidence, 100);
}

#[test]
fn another_email_with_the_same_phone_still_matches() {
    let t = TempDb::new();
    let a = add(&t, base());
    let b = add(
        &t,
        LeadInput {
            email: "hiroshi.takahashi42@gmail.com".into(),
            ..base()
        },
    );
    let pair = dedupe::compare(&t.db, a, b).unwrap();
    assert!(codes(&pair).contains(&"similar_email"), "{pair:?}");
    assert!(pair.confidence >= 90, "{pair:?}");
}

#[test]
fn colleagues_sharing_a_mailbox_or_a_name_are_not_duplicates() {
    let t = TempDb::new();
    let a = add(&t, base());
    // Same family name, other given name, same (shared) address and switchboard.
    let colleague = add(
        &t,
        LeadInput {
            given_name: "花子".into(),
            given_reading: "ハナコ".into(),
            ..base()
        },
    );
    let pair = dedupe::compare(&t.db, a, colleague).unwrap();
    assert!(codes(&pair).contains(&"different_given_name"), "{pair:?}");
    assert!(pair.confidence < 50, "{pair:?}");
    // Same name at the same company, but other address and phone: a namesake.
    let namesake = add(
        &t,
        LeadInput {
            email: "h-takahashi@sample.co.jp".into(),
            phone: "03-9999-0000".into(),
            ..base()
        },
    );
    let pair = dedupe::compare(&t.db, a, namesake).unwrap();
    assert!(codes(&pair).contains(&"different_phone"), "{pair:?}");
    assert!(pair.confidence < 50, "{pair:?}");
    let report = scan(&t, &ScanOptions::default());
    assert!(report.pairs.is_empty(), "{:?}", report.pairs);
    assert!(report.pairs_compared >= 2);
    // Every pair is listed at threshold 0, with its reasons.
    let all = scan(
        &t,
        &ScanOptions {
            min_confidence: 0,
            ..ScanOptions::default()
        },
    );
    assert!(all.pairs.len() >= 2);
    assert!(all.pairs.iter().all(|p| !p.reasons.is_empty()));
}

#[test]
fn pairs_marked_not_duplicates_are_left_out() {
    let t = TempDb::new();
    let a = add(&t, base());
    let b = add(
        &t,
        LeadInput {
            family_name: "髙橋".into(),
            ..base()
        },
    );
    let c = add(&t, base());
    assert_eq!(scan(&t, &ScanOptions::default()).pairs.len(), 3);
    let conn = Connection::open(t.path()).unwrap();
    conn.execute(
        "INSERT INTO not_duplicates (lead_a, lead_b, created_at) VALUES (?1, ?2, '2026-01-01T00:00:00Z')",
        [a, b],
    )
    .unwrap();
    let report = scan(&t, &ScanOptions::default());
    let found: Vec<(i64, i64)> = report.pairs.iter().map(|p| (p.a, p.b)).collect();
    assert_eq!(found.len(), 2);
    assert!(!found.contains(&(a, b)));
    assert!(found.contains(&(a, c)) && found.contains(&(b, c)));
    // Still one cluster, joined through c.
    assert_eq!(report.clusters.len(), 1);
    let cluster = &report.clusters[0];
    assert_eq!(cluster.members, vec![a, b, c]);
    assert_eq!(cluster.max_confidence, 100);
    assert!(cluster.min_confidence >= 50 && cluster.min_confidence <= cluster.max_confidence);
}

#[test]
fn a_key_shared_by_too_many_leads_is_skipped_and_reported() {
    let t = TempDb::new();
    let given = ["一郎", "二郎", "三郎", "四郎", "五郎"];
    let readings = ["イチロウ", "ジロウ", "サブロウ", "シロウ", "ゴロウ"];
    let mut ids = Vec::new();
    for (i, (g, r)) in given.iter().zip(readings).enumerate() {
        ids.push(add(
            &t,
            LeadInput {
                phone: "03-1111-2222".into(),
                ..person(
                    ["佐藤", "鈴木", "田中", "伊藤", "山本"][i],
                    g,
                    ("サトウ", r),
                    "",
                    &format!("person{i}@example.jp"),
                )
            },
        ));
    }
    let small = ScanOptions {
        min_confidence: 0,
        max_block_size: 3,
    };
    let report = scan(&t, &small);
    assert!(report.pairs.is_empty(), "{:?}", report.pairs);
    assert_eq!(report.skipped_block_count, 1);
    assert_eq!(report.skipped_blocks[0].kind, "phone");
    assert_eq!(report.skipped_blocks[0].leads, 5);
    assert!(ids.contains(&report.skipped_blocks[0].example_lead));
    // With the default limit they are compared (and are not duplicates).
    let report = scan(
        &t,
        &ScanOptions {
            min_confidence: 0,
            ..ScanOptions::default()
        },
    );
    assert_eq!(report.pairs_compared, 10);
    assert!(report.pairs.iter().all(|p| p.confidence < 50));
}

#[test]
fn bad_input_and_an_empty_database() {
    let t = TempDb::new();
    let report = scan(&t, &ScanOptions::default());
    assert_eq!(report.leads_scanned, 0);
    assert!(report.pairs.is_empty() && report.clusters.is_empty());

    let a = add(&t, base());
    assert_eq!(dedupe::compare(&t.db, a, a).unwrap_err().code(), "invalid");
    assert_eq!(
        dedupe::compare(&t.db, a, 9999).unwrap_err().code(),
        "not_found"
    );
    let too_high = ScanOptions {
        min_confidence: 101,
        ..ScanOptions::default()
    };
    let err = dedupe::scan(&t.db, &too_high, &mut |_| {}, &AtomicBool::new(false)).unwrap_err();
    assert_eq!(err.code(), "invalid");
    let err = dedupe::scan(
        &t.db,
        &ScanOptions::default(),
        &mut |_| {},
        &AtomicBool::new(true),
    )
    .unwrap_err();
    assert_eq!(err.code(), "cancelled");
}

/// Precision and recall at the default threshold on the demo data's recorded duplicates.
/// A pair counts as true when both leads belong to the same recorded family (a lead, its
/// original, and variants of either).
#[test]
fn demo_duplicates_are_found_with_high_precision_and_recall() {
    let t = TempDb::new();
    let options = DemoOptions {
        leads: 5000,
        seed: 11,
        anchor: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
    };
    generate(&t.db, &options, &mut |_, _| {}, &AtomicBool::new(false)).unwrap();
    let mut calls = 0;
    let report = dedupe::scan(
        &t.db,
        &ScanOptions::default(),
        &mut |_| calls += 1,
        &AtomicBool::new(false),
    )
    .unwrap();
    assert!(calls >= 2, "progress is reported");
    let mut phases = Vec::new();
    dedupe::scan(
        &t.db,
        &ScanOptions::default(),
        &mut |p| phases.push((p.phase, p.done, p.total)),
        &AtomicBool::new(false),
    )
    .unwrap();
    assert_eq!(phases[0], (dedupe::ScanPhase::Reading, 0, 5000));
    let last = phases.last().unwrap();
    assert_eq!(last.0, dedupe::ScanPhase::Comparing);
    assert_eq!(last.1, last.2, "ends at 100 %");
    assert_eq!(report.leads_scanned, 5000);

    let conn = Connection::open(t.path()).unwrap();
    let mut stmt = conn
        .prepare("SELECT lead_id, original_id, variation FROM demo_duplicates")
        .unwrap();
    let truth: Vec<(i64, i64, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    // Family root of every lead in the truth (originals may themselves be variants).
    let mut root: HashMap<i64, i64> = HashMap::new();
    let find = |root: &HashMap<i64, i64>, mut x: i64| {
        while let Some(&p) = root.get(&x) {
            x = p;
        }
        x
    };
    let mut sorted = truth.clone();
    sorted.sort();
    for (lead, original, _) in &sorted {
        let r = find(&root, *original);
        root.insert(*lead, r);
    }
    let found: HashSet<(i64, i64)> = report.pairs.iter().map(|p| (p.a, p.b)).collect();
    let mut missed: HashMap<&str, u32> = HashMap::new();
    let mut hits = 0;
    for (lead, original, variation) in &truth {
        if found.contains(&(*original.min(lead), *original.max(lead))) {
            hits += 1;
        } else {
            *missed.entry(variation.as_str()).or_default() += 1;
        }
    }
    let true_found = report
        .pairs
        .iter()
        .filter(|p| find(&root, p.a) == find(&root, p.b))
        .count();
    let recall = f64::from(hits) / truth.len() as f64;
    let precision = true_found as f64 / report.pairs.len().max(1) as f64;
    println!(
        "dedupe on 5000 demo leads: {} recorded duplicates, {} pairs found ({} true), {} compared, \
         {} clusters; recall {recall:.3}, precision {precision:.3}; missed by variation: {missed:?}; {:.3} s",
        truth.len(),
        report.pairs.len(),
        true_found,
        report.pairs_compared,
        report.clusters.len(),
        report.seconds
    );
    for p in report
        .pairs
        .iter()
        .filter(|p| find(&root, p.a) != find(&root, p.b))
        .take(5)
    {
        println!(
            "  false: {} {} / {} {}: {} {:?}",
            p.a,
            p.a_name,
            p.b,
            p.b_name,
            p.confidence,
            codes(p)
        );
    }
    assert!(truth.len() > 150);
    assert!(recall >= 0.9, "recall {recall}");
    assert!(precision >= 0.9, "precision {precision}");
}

#[test]
fn the_live_warning_names_leads_that_look_like_what_is_typed() {
    let t = TempDb::new();
    let existing = add(&t, base());
    add(
        &t,
        person(
            "佐藤",
            "花子",
            ("サトウ", "ハナコ"),
            "別会社",
            "hanako@other.jp",
        ),
    );

    // The same address typed in capitals and full width, nothing else yet.
    let typed = LeadInput {
        email: "ＨＩＲＯＳＨＩ.Takahashi@Sample.co.jp".into(),
        ..Default::default()
    };
    let similar = dedupe::similar_to(&t.db, &typed, None).unwrap();
    assert_eq!(similar.len(), 1, "{similar:?}");
    assert_eq!(similar[0].id, existing);
    assert_eq!(similar[0].name, "高橋 博");
    assert_eq!(similar[0].company_name, "株式会社サンプル");
    assert!(similar[0].reasons.iter().any(|r| r.code == "same_email"));

    // Itaiji name, same company with another corporate form, a half-typed e-mail (not
    // valid yet: it takes no part) and the phone without hyphens.
    let typed = LeadInput {
        family_name: "髙橋".into(),
        given_name: "博".into(),
        company_name: "(株)サンプル".into(),
        email: "hiroshi@".into(),
        phone: "0312345678".into(),
        ..Default::default()
    };
    let similar = dedupe::similar_to(&t.db, &typed, None).unwrap();
    assert_eq!(similar.len(), 1);
    let found: Vec<&str> = similar[0].reasons.iter().map(|r| r.code.as_str()).collect();
    assert!(found.contains(&"same_phone"), "{found:?}");
    assert!(found.contains(&"name_itaiji"), "{found:?}");
    assert!(similar[0].confidence >= 70, "{}", similar[0].confidence);

    // Editing the lead itself: it is not its own duplicate.
    assert!(dedupe::similar_to(&t.db, &base(), Some(existing))
        .unwrap()
        .is_empty());

    // Only a common name: not enough to warn.
    let typed = LeadInput {
        family_name: "高橋".into(),
        given_name: "博".into(),
        ..Default::default()
    };
    assert!(dedupe::similar_to(&t.db, &typed, None).unwrap().is_empty());

    // Empty and hostile input warn about nothing and fail nothing.
    assert!(dedupe::similar_to(&t.db, &LeadInput::default(), None)
        .unwrap()
        .is_empty());
    let hostile = LeadInput {
        family_name: "'; DROP TABLE leads; --".into(),
        email: "%' OR 1=1 --@x".into(),
        phone: "\u{0}\u{202E}".repeat(100),
        ..Default::default()
    };
    assert!(dedupe::similar_to(&t.db, &hostile, None)
        .unwrap()
        .is_empty());
    assert_eq!(leads::get(&t.db, existing).unwrap().lead.id, existing);
}

#[test]
fn the_live_warning_leaves_out_pairs_marked_not_duplicates() {
    let t = TempDb::new();
    let a = add(&t, base());
    let b = add(
        &t,
        LeadInput {
            email: "h.takahashi@sample.co.jp".into(),
            ..base()
        },
    );
    let input_b = LeadInput {
        email: "h.takahashi@sample.co.jp".into(),
        ..base()
    };
    let before = dedupe::similar_to(&t.db, &input_b, Some(b)).unwrap();
    assert_eq!(before.iter().map(|s| s.id).collect::<Vec<_>>(), vec![a]);
    dedupe::mark_not_duplicate(&t.db, a, b).unwrap();
    assert!(dedupe::similar_to(&t.db, &input_b, Some(b))
        .unwrap()
        .is_empty());
}
