use proptest::prelude::*;

use super::*;

fn any_box() -> impl Strategy<Value = OcrBox> {
    (any::<f64>(), any::<f64>(), any::<f64>(), any::<f64>()).prop_map(
        |(left, top, width, height)| OcrBox {
            left,
            top,
            width,
            height,
        },
    )
}

/// Text drawn from what a card holds, so that the field rules are exercised, not only
/// the "nothing matched" path.
fn card_text() -> impl Strategy<Value = String> {
    let atoms = prop::sample::select(vec![
        "株式会社",
        "(株)",
        "Inc.",
        "TEL",
        "T",
        "FAX",
        "携帯",
        "M",
        "〒",
        "@",
        ".",
        "-",
        " ",
        "　",
        "0",
        "3",
        "9",
        "O",
        "l",
        "東京都",
        "部長",
        "営業部",
        "山田",
        "太郎",
        "やまだ",
        "Taro",
        "www",
        "http://",
        "co.jp",
        "ビル",
        "5F",
        ":",
        "Director",
        "\u{0}",
        "\u{202e}",
        "𠮷",
    ]);
    prop::collection::vec(atoms, 0..24).prop_map(|v| v.concat())
}

fn any_line() -> impl Strategy<Value = OcrLine> {
    (
        prop_oneof![card_text(), any::<String>()],
        any_box(),
        any::<f64>(),
        any::<f64>(),
        prop::collection::vec((prop_oneof![card_text(), any::<String>()], any_box()), 0..4),
    )
        .prop_map(|(text, bbox, line_height, confidence, words)| OcrLine {
            text,
            bbox,
            line_height,
            confidence,
            words: words
                .into_iter()
                .map(|(text, bbox)| OcrWord { text, bbox })
                .collect(),
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn never_panics_and_fields_are_valid(lines in prop::collection::vec(any_line(), 0..12)) {
        let f = parse_card(&lines);
        if !f.email.is_empty() {
            prop_assert!(crate::normalize::email(&f.email).is_ok(), "{}", f.email);
        }
        for p in [&f.phone, &f.mobile, &f.fax] {
            if !p.is_empty() {
                prop_assert!(crate::normalize::phone(p).is_ok(), "{p}");
            }
        }
        if !f.postal_code.is_empty() {
            prop_assert!(crate::normalize::postal_code(&f.postal_code).is_ok());
        }
        let _ = read_card_text(&lines);
    }

    #[test]
    fn plain_text_never_panics(s in any::<String>()) {
        let _ = parse_card(&lines_from_text(&s));
    }
}
