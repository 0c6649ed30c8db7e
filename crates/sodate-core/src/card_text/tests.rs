use super::*;

fn line(text: &str, top: f64, height: f64) -> OcrLine {
    OcrLine {
        text: text.to_string(),
        bbox: OcrBox {
            left: 10.0,
            top,
            width: 300.0,
            height,
        },
        line_height: height,
        confidence: 90.0,
        words: Vec::new(),
    }
}

fn text(s: &str) -> CardFields {
    parse_card(&lines_from_text(s))
}

#[test]
fn japanese_card_as_tesseract_reads_it() {
    let lines = vec![
        line("株 式 会 社 サ ン プ ル 商 事", 20.0, 22.0),
        line("営 業 本 部 マ ー ケ テ ィ ン グ 部 部 長", 70.0, 16.0),
        line("山 田 太 郎", 110.0, 44.0),
        line("Taro Yamada", 160.0, 14.0),
        line(
            "〒 100-0005 東 京 都 千 代 田 区 丸 の 内 1-2-3",
            220.0,
            14.0,
        ),
        line("丸 の 内 ビ ル 5F", 240.0, 14.0),
        line("TEL 03-1234-5678 FAX 03-1234-5679", 260.0, 14.0),
        line("携 帯 090-1111-2222", 280.0, 14.0),
        line("E-mail: taro.yamada @ sample.co.jp", 300.0, 14.0),
        line("https://www.sample.co.jp", 320.0, 14.0),
    ];
    let f = parse_card(&lines);
    assert_eq!(f.company, "株式会社サンプル商事");
    assert_eq!(f.department, "営業本部マーケティング部");
    assert_eq!(f.title, "部長");
    assert_eq!(
        (f.family_name.as_str(), f.given_name.as_str()),
        ("山田", "太郎")
    );
    assert_eq!(
        (f.family_reading.as_str(), f.given_reading.as_str()),
        ("Yamada", "Taro")
    );
    assert_eq!(f.postal_code, "100-0005");
    assert_eq!(f.address, "東京都千代田区丸の内1-2-3 丸の内ビル5F");
    assert_eq!(f.phone, "03-1234-5678");
    assert_eq!(f.fax, "03-1234-5679");
    assert_eq!(f.mobile, "090-1111-2222");
    assert_eq!(f.email, "taro.yamada@sample.co.jp");
    assert_eq!(f.url, "https://www.sample.co.jp");
    assert_eq!(f.note, "");
}

#[test]
fn the_tallest_name_like_line_is_the_name_not_the_company() {
    let lines = vec![
        line("鈴木 花子", 200.0, 20.0),
        line("株式会社ビッグロゴ", 10.0, 60.0),
        line("総務課", 150.0, 14.0),
        line("佐藤 一郎", 100.0, 40.0),
    ];
    let f = parse_card(&lines);
    assert_eq!(f.company, "株式会社ビッグロゴ");
    assert_eq!(f.family_name, "佐藤");
    assert_eq!(f.given_name, "一郎");
    assert_eq!(f.department, "総務課");
    assert!(f.note.contains("鈴木"), "{f:?}");
}

#[test]
fn words_with_a_wide_gap_keep_the_space_between_family_and_given_name() {
    let word = |t: &str, left: f64| OcrWord {
        text: t.into(),
        bbox: OcrBox {
            left,
            top: 0.0,
            width: 30.0,
            height: 30.0,
        },
    };
    let name = OcrLine {
        text: "佐 々 木 大 輔".into(),
        bbox: OcrBox {
            left: 0.0,
            top: 50.0,
            width: 200.0,
            height: 30.0,
        },
        line_height: 32.0,
        confidence: 91.0,
        words: vec![
            word("佐", 0.0),
            word("々", 32.0),
            word("木", 64.0),
            word("大", 120.0),
            word("輔", 152.0),
        ],
    };
    let f = parse_card(&[name]);
    assert_eq!(
        (f.family_name.as_str(), f.given_name.as_str()),
        ("佐々木", "大輔")
    );
}

#[test]
fn phone_labels_full_width_digits_and_ocr_confusions() {
    let f = text("ＴＥＬ：０３－１２３４－５６７８\nM.O9O-l234-5678\nF 06-6123-4S67");
    assert_eq!(f.phone, "03-1234-5678");
    assert_eq!(f.mobile, "090-1234-5678");
    assert_eq!(f.fax, "06-6123-4567");

    let f = text("Tel +81-3-9876-5432\nMobile +81 80 1234 5678");
    assert_eq!(f.phone, "03-9876-5432");
    assert_eq!(f.mobile, "080-1234-5678");

    let f = text("電話 (045)123-4567 内線 21\n090-9999-8888");
    assert_eq!(f.phone, "045-123-4567");
    assert_eq!(f.mobile, "090-9999-8888");
}

#[test]
fn a_postal_code_and_address_line_is_not_a_phone() {
    let f = text("100-0005 東京都千代田区丸の内1-2-3");
    assert_eq!(f.phone, "");
    assert_eq!(f.postal_code, "100-0005");
    assert_eq!(f.address, "東京都千代田区丸の内1-2-3");
}

#[test]
fn english_card() {
    let f = text(
        "Global Widgets Inc.\nJohn Smith\nDirector, Sales Division\nPhone: +1 415 555 0100\n\
         john.smith@globalwidgets.com\n1-2-3 Shibuya, Shibuya-ku, Tokyo 150-0002",
    );
    assert_eq!(f.company, "Global Widgets Inc.");
    assert_eq!(
        (f.family_name.as_str(), f.given_name.as_str()),
        ("Smith", "John")
    );
    assert_eq!(f.title, "Director");
    assert_eq!(f.department, "Sales Division");
    assert_eq!(f.phone, "+14155550100");
    assert_eq!(f.email, "john.smith@globalwidgets.com");
    assert_eq!(f.address, "1-2-3 Shibuya, Shibuya-ku, Tokyo 150-0002");
}

#[test]
fn company_forms_and_japanese_company_first() {
    for (card, company) in [
        ("(株)テスト\nTest Co., Ltd.", "(株)テスト"),
        ("㈱テスト", "(株)テスト"),
        ("Sample Corporation", "Sample Corporation"),
        ("合同会社ひかりラボ", "合同会社ひかりラボ"),
        ("有限会社 山本工務店", "有限会社山本工務店"),
        ("Acme K.K.", "Acme K.K."),
    ] {
        assert_eq!(text(card).company, company, "{card}");
    }
}

#[test]
fn titles_and_departments() {
    let f = text("代表取締役社長\n山田太郎");
    assert_eq!(f.title, "代表取締役社長");
    assert_eq!(f.department, "");
    let f = text("経理部　経理課　課長");
    assert_eq!(f.department, "経理部 経理課");
    assert_eq!(f.title, "課長");
    let f = text("Marketing Manager");
    assert_eq!(f.title, "Marketing Manager");
}

#[test]
fn kana_reading_next_to_the_name() {
    let f = text("やまだ　はなこ\n山田　花子");
    assert_eq!(f.family_name, "山田");
    assert_eq!(f.family_reading, "やまだ");
    assert_eq!(f.given_reading, "はなこ");
}

#[test]
fn garbage_gives_empty_fields() {
    for junk in [
        "",
        "|||",
        "@@@ ... ---",
        "ｗｗｗ",
        "\u{0}\u{1}\u{202e}",
        "〒〒〒",
        "TEL TEL FAX",
        "1234567890123456789",
    ] {
        let f = text(junk);
        assert!(
            f.email.is_empty() && f.phone.is_empty() && f.company.is_empty(),
            "{junk:?}: {f:?}"
        );
    }
}

#[test]
fn read_card_text_says_when_nothing_was_found() {
    let err = read_card_text(&[]).unwrap_err();
    assert!(err.to_string().contains("no text"), "{err}");
    let err = read_card_text(&lines_from_text("   \n ")).unwrap_err();
    assert!(err.to_string().contains("no text"), "{err}");
    let err = read_card_text(&lines_from_text("~~ ;; ^^\nxx")).unwrap_err();
    assert!(err.to_string().contains("none of it looks like"), "{err}");
    assert_eq!(
        read_card_text(&lines_from_text("taro@example.jp"))
            .unwrap()
            .email,
        "taro@example.jp"
    );
}

#[test]
fn geometry_that_is_not_a_number_is_ignored() {
    let mut l = line("山田 太郎", f64::NAN, f64::INFINITY);
    l.words = vec![OcrWord {
        text: "山田".into(),
        bbox: OcrBox {
            left: f64::NAN,
            top: 0.0,
            width: -1.0,
            height: 0.0,
        },
    }];
    let f = parse_card(&[l, line("株式会社A", f64::NEG_INFINITY, -5.0)]);
    assert_eq!(f.family_name, "山田");
    assert_eq!(f.company, "株式会社A");
}

#[test]
fn at_signs_as_tesseract_misreads_them() {
    for (line, email) in [
        ("E-mail: daisuke(のhikari-lab.jp", "daisuke@hikari-lab.jp"),
        (
            "E-mail: ryo.okadaの⑦cloudnote.co.jp",
            "ryo.okada@cloudnote.co.jp",
        ),
        ("n.kato の blue-ocean.co.jp", "n.kato@blue-ocean.co.jp"),
        (
            "Email: michael ( の ⑦zenith-robotics.com",
            "michael@zenith-robotics.com",
        ),
        ("taro.yamada⑦sample.co.jp", "taro.yamada@sample.co.jp"),
        (
            "E-mail: yoshida@hayabusa-logi.co.p",
            "yoshida@hayabusa-logi.co.jp",
        ),
        (
            "Email: h.mori@northwind-trading,jp",
            "h.mori@northwind-trading.jp",
        ),
    ] {
        assert_eq!(text(line).email, email, "{line}");
    }
    // の between Japanese words is not an @.
    assert_eq!(text("東京都千代田区丸の内1-2-3").email, "");
}

#[test]
fn urls_as_tesseract_misreads_them() {
    for (line, url) in [
        (
            "https:/www.sample-shoji.co.jp",
            "https://www.sample-shoji.co.jp",
        ),
        ("https:/7aoba-foods.co.jp", "https://aoba-foods.co.jp"),
        ("wwWW.Zenith-robotics.com", "www.zenith-robotics.com"),
    ] {
        assert_eq!(text(line).url, url, "{line}");
    }
}

#[test]
fn phones_keep_the_cards_grouping_and_drop_a_misread_letter() {
    assert_eq!(text("TEL 0263-35-6600").phone, "0263-35-6600");
    assert_eq!(
        text("TEL 075-231-0O001 FAX 075-231-0002").phone,
        "075-231-0001"
    );
}

#[test]
fn a_name_split_into_two_pieces_on_one_row_is_joined() {
    let piece = |t: &str, left: f64| OcrLine {
        text: t.into(),
        bbox: OcrBox {
            left,
            top: 100.0,
            width: 90.0,
            height: 50.0,
        },
        line_height: 55.0,
        confidence: 90.0,
        words: Vec::new(),
    };
    let f = parse_card(&[
        piece("直樹", 200.0),
        piece("加藤", 40.0),
        line("株式会社A", 10.0, 20.0),
    ]);
    assert_eq!(
        (f.family_name.as_str(), f.given_name.as_str()),
        ("加藤", "直樹")
    );
}

#[test]
fn a_logo_read_as_a_character_before_the_company_is_dropped() {
    assert_eq!(
        text("贈 株式会社サンプル商事").company,
        "株式会社サンプル商事"
    );
    assert_eq!(text("上記 Bright Path K.K.").company, "Bright Path K.K.");
    assert_eq!(text("有限会社 山本工務店").company, "有限会社山本工務店");
}
