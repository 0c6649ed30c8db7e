//! Leads: create, edit, delete, list, search — as a user would see them.

use sodate_core::{leads, stats, LeadInput, LeadQuery, LeadSort};

use crate::TempDb;

fn lead(
    family: &str,
    given: &str,
    family_reading: &str,
    given_reading: &str,
    company: &str,
    email: &str,
) -> LeadInput {
    LeadInput {
        family_name: family.into(),
        given_name: given.into(),
        family_reading: family_reading.into(),
        given_reading: given_reading.into(),
        company_name: company.into(),
        email: email.into(),
        ..Default::default()
    }
}

fn names(page: &sodate_core::LeadPage) -> Vec<String> {
    page.rows
        .iter()
        .map(|r| format!("{}{}", r.family_name, r.given_name))
        .collect()
}

fn search(t: &TempDb, q: &str) -> Vec<String> {
    let page = leads::list(
        &t.db,
        &LeadQuery {
            search: Some(q.into()),
            sort: LeadSort::Name,
            limit: 100,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(page.total as usize, page.rows.len());
    names(&page)
}

fn seed(t: &TempDb) {
    for input in [
        LeadInput {
            phone: "03-1234-5678".into(),
            ..lead(
                "田中",
                "太郎",
                "タナカ",
                "タロウ",
                "株式会社サンプル",
                "taro.tanaka@sample.co.jp",
            )
        },
        lead(
            "髙橋",
            "一郎",
            "たかはし",
            "いちろう",
            "㈱サンプル",
            "ichiro@sample.co.jp",
        ),
        LeadInput {
            mobile: "090-8765-4321".into(),
            ..lead(
                "佐藤",
                "花子",
                "サトウ",
                "ハナコ",
                "東洋システム合同会社",
                "hanako.sato@toyo.example.jp",
            )
        },
        lead("山田", "中", "やまだ", "あたる", "", "atary@example.com"),
    ] {
        leads::create(&t.db, &input).unwrap();
    }
}

#[test]
fn a_created_lead_is_stored_with_its_company_and_keys() {
    let t = TempDb::new();
    let detail = leads::create(
        &t.db,
        &LeadInput {
            tags: vec![
                "展示会リード".into(),
                "重点顧客".into(),
                "展示会リード".into(),
            ],
            postal_code: "〒100-0005".into(),
            address: "東京都千代田区丸の内1-1-1".into(),
            ..lead(
                "田中",
                "太郎",
                "タナカ",
                "タロウ",
                "株式会社サンプル",
                "Taro.Tanaka@Sample.CO.JP",
            )
        },
    )
    .unwrap();
    let l = &detail.lead;
    assert_eq!(
        (l.family_name.as_str(), l.given_name.as_str()),
        ("田中", "太郎")
    );
    assert_eq!(l.email, "taro.tanaka@sample.co.jp");
    assert_eq!(l.company_name.as_deref(), Some("株式会社サンプル"));
    assert_eq!(l.postal_code, "1000005");
    assert_eq!(l.prefecture, "東京都");
    assert_eq!(l.lifecycle_stage, "lead");
    assert_eq!(detail.tags, vec!["展示会リード", "重点顧客"]);
    assert_eq!(detail.stage_history.len(), 1);
    assert_eq!(detail.stage_history[0].to_stage, "lead");
}

#[test]
fn the_same_company_in_another_corporate_form_is_one_company() {
    let t = TempDb::new();
    seed(&t);
    let s = stats::counts(&t.db).unwrap();
    assert_eq!(s.leads, 4);
    assert_eq!(
        s.companies, 2,
        "株式会社サンプル and ㈱サンプル are one company"
    );
    let page = leads::list(
        &t.db,
        &LeadQuery {
            limit: 10,
            ..Default::default()
        },
    )
    .unwrap();
    let ids: Vec<Option<i64>> = page
        .rows
        .iter()
        .filter(|r| r.email.contains("sample"))
        .map(|r| r.company_id)
        .collect();
    assert_eq!(ids.len(), 2);
    assert_eq!(ids[0], ids[1]);
    let company = sodate_core::companies::get(&t.db, ids[0].unwrap()).unwrap();
    assert_eq!(company.people.len(), 2);
}

#[test]
fn search_finds_names_readings_companies_emails_and_phones() {
    let t = TempDb::new();
    seed(&t);
    assert_eq!(
        search(&t, "田中"),
        ["田中太郎"],
        "two characters: prefix path"
    );
    assert_eq!(search(&t, "田中太郎"), ["田中太郎"], "trigram path");
    assert_eq!(search(&t, "高橋"), ["髙橋一郎"], "itaiji: 高 finds 髙");
    assert_eq!(
        search(&t, "タカハシ"),
        ["髙橋一郎"],
        "katakana finds a hiragana reading"
    );
    assert_eq!(
        search(&t, "さとう"),
        ["佐藤花子"],
        "hiragana finds a katakana reading"
    );
    assert_eq!(search(&t, "ｻﾄｳ"), ["佐藤花子"], "half-width kana");
    assert_eq!(
        search(&t, "サンプル"),
        ["髙橋一郎", "田中太郎"],
        "company, any corporate form, kana order"
    );
    assert_eq!(search(&t, "東洋システム"), ["佐藤花子"]);
    assert_eq!(search(&t, "TARO.TANAKA"), ["田中太郎"], "email, any case");
    assert_eq!(search(&t, "03-1234"), ["田中太郎"], "phone as typed");
    assert_eq!(
        search(&t, "０９０８７６５"),
        ["佐藤花子"],
        "full-width digits"
    );
    assert!(search(&t, "存在しない").is_empty());
    assert_eq!(search(&t, "  ").len(), 4, "blank search lists everyone");
    assert_eq!(
        search(&t, "\"田中太郎\""),
        ["田中太郎"],
        "quotes are not FTS syntax"
    );
    assert!(
        search(&t, "a OR b NOT").is_empty(),
        "FTS operators are plain text"
    );
}

#[test]
fn the_list_sorts_in_kana_order_and_pages() {
    let t = TempDb::new();
    seed(&t);
    let by_name = leads::list(
        &t.db,
        &LeadQuery {
            sort: LeadSort::Name,
            limit: 10,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        names(&by_name),
        ["佐藤花子", "髙橋一郎", "田中太郎", "山田中"]
    );
    let desc = leads::list(
        &t.db,
        &LeadQuery {
            sort: LeadSort::Name,
            descending: true,
            limit: 2,
            offset: 1,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(desc.total, 4);
    assert_eq!(names(&desc), ["田中太郎", "髙橋一郎"]);
    let by_email = leads::list(
        &t.db,
        &LeadQuery {
            sort: LeadSort::Email,
            limit: 1,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(by_email.rows[0].email, "atary@example.com");
}

#[test]
fn invalid_input_is_refused_field_by_field_and_writes_nothing() {
    let t = TempDb::new();
    seed(&t);
    let bad = LeadInput {
        email: "taro@@example".into(),
        phone: "03-12".into(),
        postal_code: "12-3".into(),
        ..lead("田中", "次郎", "", "", "", "")
    };
    let err = leads::create(&t.db, &bad).expect_err("refused");
    assert_eq!(err.code(), "invalid");
    let fields: Vec<(&str, &str)> = err
        .field_issues()
        .iter()
        .map(|i| (i.field.as_str(), i.code.as_str()))
        .collect();
    assert_eq!(
        fields,
        [
            ("email", "invalid_email"),
            ("phone", "invalid_phone"),
            ("postalCode", "invalid_postal_code")
        ]
    );
    assert_eq!(stats::counts(&t.db).unwrap().leads, 4);
}

#[test]
fn an_edit_is_kept_and_audited_and_a_bad_edit_changes_nothing() {
    let t = TempDb::new();
    seed(&t);
    let id = leads::list(
        &t.db,
        &LeadQuery {
            search: Some("田中".into()),
            limit: 1,
            ..Default::default()
        },
    )
    .unwrap()
    .rows[0]
        .id;
    let mut input = lead(
        "田中",
        "太郎",
        "タナカ",
        "タロウ",
        "株式会社サンプル",
        "taro.tanaka@sample.co.jp",
    );
    input.title = "営業部長".into();
    let detail = leads::update(&t.db, id, &input).unwrap();
    assert_eq!(detail.lead.title, "営業部長");
    input.email = "not-an-email".into();
    assert_eq!(
        leads::update(&t.db, id, &input).err().map(|e| e.code()),
        Some("invalid")
    );
    let again = leads::get(&t.db, id).unwrap();
    assert_eq!(again.lead.title, "営業部長");
    assert_eq!(again.lead.email, "taro.tanaka@sample.co.jp");
    // The edit is searchable under its new values.
    input.email = "t.tanaka@newmail.example.jp".into();
    leads::update(&t.db, id, &input).unwrap();
    assert_eq!(search(&t, "newmail"), ["田中太郎"]);
    assert!(search(&t, "taro.tanaka").is_empty());
}

#[test]
fn deleting_a_lead_removes_it_and_its_activities() {
    let t = TempDb::new();
    sodate_core::demo::generate(
        &t.db,
        &sodate_core::demo::DemoOptions::new(50, 3),
        &mut |_, _| {},
        &Default::default(),
    )
    .unwrap();
    let page = crate::top_by_engagement(&t.db, 1);
    let id = page.rows[0].id;
    let before = stats::counts(&t.db).unwrap();
    let detail = leads::get(&t.db, id).unwrap();
    assert!(detail.activity_count > 0);
    leads::delete(&t.db, id).unwrap();
    let after = stats::counts(&t.db).unwrap();
    assert_eq!(after.leads, before.leads - 1);
    assert_eq!(after.activities, before.activities - detail.activity_count);
    assert_eq!(
        leads::get(&t.db, id).err().map(|e| e.code()),
        Some("not_found")
    );
    assert_eq!(
        leads::delete(&t.db, id).err().map(|e| e.code()),
        Some("not_found")
    );
}

/// Every page of every search, in every order, equals what a naive evaluation over all
/// leads gives — whichever plan (index walk or sort) the list chose for it.
#[test]
fn search_pages_equal_a_naive_evaluation() {
    use sodate_core::normalize;
    let t = TempDb::new();
    sodate_core::demo::generate(
        &t.db,
        &sodate_core::demo::DemoOptions::new(3000, 11),
        &mut |_, _| {},
        &Default::default(),
    )
    .unwrap();
    let conn = rusqlite::Connection::open(t.path()).unwrap();
    struct Row {
        id: i64,
        keys: [String; 3],
        company: [String; 2],
        search_text: String,
        sort_name: String,
        sort_company: String,
        updated: String,
    }
    let mut stmt = conn
        .prepare(
            "SELECT l.id, l.name_key, l.reading_key, l.email_key, coalesce(c.name_key, ''),
                    coalesce(c.reading_key, ''), l.search_text, l.sort_name_key, l.updated_at,
                    l.company_sort_key
             FROM leads l LEFT JOIN companies c ON c.id = l.company_id",
        )
        .unwrap();
    let all: Vec<Row> = stmt
        .query_map([], |r| {
            Ok(Row {
                id: r.get(0)?,
                keys: [r.get(1)?, r.get(2)?, r.get(3)?],
                company: [r.get(4)?, r.get(5)?],
                search_text: r.get(6)?,
                sort_name: r.get(7)?,
                updated: r.get(8)?,
                sort_company: r.get(9)?,
            })
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut large = 0;
    for q in [
        "田中",
        "山",
        "さ",
        "たなか",
        "サンライズ",
        "tanaka",
        "090",
        "株式会社東洋",
        "ない名前",
        // Matches nearly every email: more matches than SQLite sorts directly, so the
        // page comes from the in-memory positions.
        "cojp",
    ] {
        let key = normalize::search_key(q);
        let company_key = normalize::company_key(q);
        let matches = |r: &Row| {
            if key.chars().count() >= 3 {
                r.search_text.contains(&key)
            } else {
                r.keys.iter().any(|k| k.starts_with(&key))
                    || r.company[0].starts_with(&company_key)
                    || r.company[1].starts_with(&key)
            }
        };
        for (sort, descending) in [
            (LeadSort::Name, false),
            (LeadSort::Name, true),
            (LeadSort::Company, false),
            (LeadSort::UpdatedAt, true),
        ] {
            let mut expected: Vec<&Row> = all.iter().filter(|r| matches(r)).collect();
            expected.sort_by(|a, b| {
                let (ka, kb) = match sort {
                    LeadSort::Name => (&a.sort_name, &b.sort_name),
                    LeadSort::Company => (&a.sort_company, &b.sort_company),
                    _ => (&a.updated, &b.updated),
                };
                let o = ka.cmp(kb).then(a.id.cmp(&b.id));
                if descending {
                    o.reverse()
                } else {
                    o
                }
            });
            let expected: Vec<i64> = expected.iter().map(|r| r.id).collect();
            large += usize::from(expected.len() > 2_000);
            for offset in [0u32, 7, 50, 400, 2_990] {
                let page = leads::list(
                    &t.db,
                    &LeadQuery {
                        search: Some(q.into()),
                        sort,
                        descending,
                        offset,
                        limit: 25,
                        segment: None,
                    },
                )
                .unwrap();
                assert_eq!(page.total as usize, expected.len(), "total for {q}");
                let got: Vec<i64> = page.rows.iter().map(|r| r.id).collect();
                let want: Vec<i64> = expected
                    .iter()
                    .skip(offset as usize)
                    .take(25)
                    .copied()
                    .collect();
                assert_eq!(
                    got, want,
                    "page at {offset} of {q} sorted {sort:?} desc={descending}"
                );
            }
        }
    }
    assert!(
        large >= 4,
        "a search has more matches than SQLite sorts directly"
    );
}

/// The first page of "cojp" (nearly every lead) in kana order: more matches than SQLite
/// sorts directly, so it comes from the in-memory positions of leads in that order.
fn first_by_name(t: &TempDb) -> Vec<i64> {
    let page = leads::list(
        &t.db,
        &LeadQuery {
            search: Some("cojp".into()),
            sort: LeadSort::Name,
            limit: 5,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(page.total > 2_000);
    page.rows.iter().map(|r| r.id).collect()
}

#[test]
fn a_large_search_sees_an_edit_made_since_in_its_order() {
    let t = TempDb::new();
    sodate_core::demo::generate(
        &t.db,
        &sodate_core::demo::DemoOptions::new(3000, 5),
        &mut |_, _| {},
        &Default::default(),
    )
    .unwrap();
    let before = first_by_name(&t);
    // A lead far down the kana order gets the reading あああ: it now comes first.
    let last = leads::list(
        &t.db,
        &LeadQuery {
            search: Some("cojp".into()),
            sort: LeadSort::Name,
            descending: true,
            limit: 1,
            ..Default::default()
        },
    )
    .unwrap()
    .rows[0]
        .id;
    let detail = leads::get(&t.db, last).unwrap();
    let l = detail.lead;
    let input = LeadInput {
        family_name: l.family_name,
        given_name: l.given_name,
        family_reading: "あああ".into(),
        given_reading: String::new(),
        company_name: l.company_name.unwrap_or_default(),
        email: l.email,
        ..Default::default()
    };
    leads::update(&t.db, last, &input).unwrap();
    let after = first_by_name(&t);
    assert_eq!(after[0], last);
    assert_eq!(after[1..], before[..4]);
}

#[test]
fn a_large_search_sees_a_change_written_by_another_process() {
    let t = TempDb::new();
    sodate_core::demo::generate(
        &t.db,
        &sodate_core::demo::DemoOptions::new(3000, 6),
        &mut |_, _| {},
        &Default::default(),
    )
    .unwrap();
    let before = first_by_name(&t);
    // Another connection (the CLI, say) moves the first lead to the end of the order.
    let other = rusqlite::Connection::open(t.path()).unwrap();
    other
        .execute(
            "UPDATE leads SET sort_name_key = 'ん' WHERE id = ?1",
            [before[0]],
        )
        .unwrap();
    drop(other);
    let after = first_by_name(&t);
    assert_eq!(after[..4], before[1..]);
}

#[test]
fn out_of_range_pages_are_answered_not_refused() {
    let t = TempDb::new();
    seed(&t);
    let beyond = leads::list(
        &t.db,
        &LeadQuery {
            offset: 1000,
            limit: 50,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!((beyond.total, beyond.rows.len()), (4, 0));
    let zero = leads::list(
        &t.db,
        &LeadQuery {
            limit: 0,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        zero.rows.len(),
        1,
        "a zero limit is read as the smallest page"
    );
    let huge = leads::list(
        &t.db,
        &LeadQuery {
            offset: u32::MAX,
            limit: u32::MAX,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!((huge.total, huge.rows.len()), (4, 0));
    let long_search = "田".repeat(10_000);
    let page = leads::list(
        &t.db,
        &LeadQuery {
            search: Some(long_search),
            limit: 10,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(page.total, 0);
    for hostile in [
        "' OR 1=1 --",
        "\"); DROP TABLE leads; --",
        "*",
        "NEAR(a b)",
        "\u{0}",
        "🙂🙂🙂",
    ] {
        let page = leads::list(
            &t.db,
            &LeadQuery {
                search: Some(hostile.into()),
                limit: 10,
                ..Default::default()
            },
        )
        .unwrap();
        assert!(page.total <= 4, "{hostile}");
    }
    assert_eq!(
        sodate_core::stats::counts(&t.db).unwrap().leads,
        4,
        "nothing was harmed"
    );
}

#[test]
fn a_lead_typed_in_or_edited_is_scored_at_once_with_the_current_model() {
    let t = TempDb::new();
    let created = leads::create(
        &t.db,
        &LeadInput {
            family_name: "山田".into(),
            title: "営業部長".into(),
            ..Default::default()
        },
    )
    .unwrap();
    let at = chrono::Utc::now();
    let explained = sodate_core::scoring::explain(&t.db, created.lead.id, at).unwrap();
    assert!(
        explained.lines.iter().any(|l| l.rule_id == "manager"),
        "部長 earns the department-head rule: {:?}",
        explained.lines
    );
    assert_eq!(created.lead.fit_score, explained.fit, "stored as explained");
    assert!(explained.fit >= 20.0);

    let mut input = LeadInput {
        family_name: "山田".into(),
        title: "取締役".into(),
        ..Default::default()
    };
    let edited = leads::update(&t.db, created.lead.id, &input).unwrap();
    let after = sodate_core::scoring::explain(&t.db, created.lead.id, at).unwrap();
    assert!(after.lines.iter().any(|l| l.rule_id == "executive"));
    assert!(!after.lines.iter().any(|l| l.rule_id == "manager"));
    assert_eq!(edited.lead.fit_score, after.fit);
    assert!(after.fit > explained.fit, "an executive fits better");

    input.title = String::new();
    let cleared = leads::update(&t.db, created.lead.id, &input).unwrap();
    let none = sodate_core::scoring::explain(&t.db, created.lead.id, at).unwrap();
    assert!(!none
        .lines
        .iter()
        .any(|l| l.rule_id == "executive" || l.rule_id == "manager"));
    assert_eq!(cleared.lead.fit_score, none.fit);
}
