//! Property tests across the whole module: idempotence of every key, equal keys for the
//! variants people consider equal, and no panics on arbitrary input.

use proptest::prelude::*;
use proptest::sample::select;

use super::itaiji::ITAIJI;
use super::*;

/// Full-width form of a printable ASCII character (what a Japanese IME produces).
fn full_width(c: char) -> char {
    match c {
        '!'..='~' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
        ' ' => '\u{3000}',
        _ => c,
    }
}

// ---------------------------------------------------------------------------------------
// Generators

/// Characters that exercise the keys: kana of all widths, kanji and their variants,
/// Latin, digits, punctuation of many kinds, combining marks, compatibility characters.
fn tricky_char() -> impl Strategy<Value = char> {
    prop_oneof![
        prop::char::range('\u{20}', '\u{7E}'),
        prop::char::range('\u{3000}', '\u{30FF}'),
        prop::char::range('\u{FF01}', '\u{FF9F}'),
        prop::char::range('\u{4E00}', '\u{9FFF}'),
        select(ITAIJI.iter().flat_map(|&(a, b)| [a, b]).collect::<Vec<_>>()),
        prop::char::range('\u{2010}', '\u{2060}'),
        prop::char::range('\u{300}', '\u{36F}'),
        prop::char::range('\u{F900}', '\u{FAFF}'),
        prop::char::range('\u{3200}', '\u{33FF}'),
        prop::char::range('\u{1100}', '\u{11FF}'),
        prop::char::range('\u{C0}', '\u{24F}'),
        prop::char::range('\u{370}', '\u{4FF}'),
        select(vec![
            '\u{0}',
            '\u{7}',
            '\u{200B}',
            '\u{200D}',
            '\u{FEFF}',
            '\u{FE0F}',
            '\u{E0100}',
            '😀',
            '𠮷',
            'İ',
            'ẞ',
            'Ω',
            'K',
            'Å',
            'ﬁ',
            '\u{FFE3}',
            '\u{309B}',
            '\u{309C}',
        ]),
    ]
}

fn tricky_string() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(tricky_char(), 0..24).prop_map(|v| v.into_iter().collect()),
        any::<String>(),
        // Company forms glued to random text, to exercise company_key's stripping.
        (
            select(FORMS_ALL.to_vec()),
            prop::collection::vec(tricky_char(), 0..10),
            select(FORMS_ALL.to_vec()),
        )
            .prop_map(|(a, v, b)| format!("{a}{}{b}", v.into_iter().collect::<String>())),
    ]
}

/// Japanese corporate forms in every spelling (prefix or suffix position).
const JP_FORMS: &[&str] = &[
    "株式会社",
    "(株)",
    "㈱",
    "（株）",
    "有限会社",
    "(有)",
    "㈲",
    "（有）",
    "合同会社",
    "(同)",
    "合資会社",
    "(資)",
    "合名会社",
    "(名)",
    "一般社団法人",
    "(一社)",
    "一般財団法人",
    "(一財)",
    "公益社団法人",
    "(公社)",
    "公益財団法人",
    "(公財)",
    "特定非営利活動法人",
    "NPO法人",
    "ＮＰＯ法人",
    "学校法人",
    "医療法人",
    "社会福祉法人",
    "独立行政法人",
    "国立大学法人",
];

/// Romanised forms (suffix position only).
const ROMAN_FORMS: &[&str] = &[
    "Co., Ltd.",
    "Co.,Ltd.",
    "CO., LTD.",
    "co., ltd",
    "Inc.",
    "INC",
    "inc",
    "K.K.",
    "Corporation",
    "CORPORATION",
    "Corp.",
    "Ltd.",
    "LTD",
    "LLC",
    "Llc",
    "Ｉｎｃ．",
];

const FORMS_ALL: &[&str] = &[
    "株式会社",
    "(株)",
    "㈱",
    "（株）",
    "有限会社",
    "(一社)",
    "NPO法人",
    "医療法人社団",
    "Co., Ltd.",
    "Inc.",
    "K.K.",
    "LLC",
    " ",
    "・",
    "(",
    ")",
];

/// Company names that contain no corporate form.
const COMPANY_WORDS: &[&str] = &[
    "サンプル",
    "山田商事",
    "髙橋工業",
    "東京電機",
    "ひまわり",
    "Acme",
    "ABC Trading",
    "ｻﾝﾌﾟﾙ",
    "グローバル・テック",
    "みらい",
    "Blue Sky",
    "日本橋",
];

/// One syllable in hiragana, katakana and half-width katakana.
const KANA: &[(&str, &str, &str)] = &[
    ("あ", "ア", "ｱ"),
    ("い", "イ", "ｲ"),
    ("う", "ウ", "ｳ"),
    ("か", "カ", "ｶ"),
    ("が", "ガ", "ｶﾞ"),
    ("き", "キ", "ｷ"),
    ("ぎ", "ギ", "ｷﾞ"),
    ("さ", "サ", "ｻ"),
    ("じ", "ジ", "ｼﾞ"),
    ("た", "タ", "ﾀ"),
    ("だ", "ダ", "ﾀﾞ"),
    ("ぢ", "ヂ", "ﾁﾞ"),
    ("つ", "ツ", "ﾂ"),
    ("っ", "ッ", "ｯ"),
    ("な", "ナ", "ﾅ"),
    ("は", "ハ", "ﾊ"),
    ("ば", "バ", "ﾊﾞ"),
    ("ぱ", "パ", "ﾊﾟ"),
    ("ぷ", "プ", "ﾌﾟ"),
    ("ま", "マ", "ﾏ"),
    ("や", "ヤ", "ﾔ"),
    ("ゃ", "ャ", "ｬ"),
    ("ゅ", "ュ", "ｭ"),
    ("ょ", "ョ", "ｮ"),
    ("ら", "ラ", "ﾗ"),
    ("ろ", "ロ", "ﾛ"),
    ("わ", "ワ", "ﾜ"),
    ("を", "ヲ", "ｦ"),
    ("ん", "ン", "ﾝ"),
    ("ぁ", "ァ", "ｧ"),
    ("ぇ", "ェ", "ｪ"),
    ("ゔ", "ヴ", "ｳﾞ"),
    ("ー", "ー", "ｰ"),
];

const SPACES: &[&str] = &["", "", "", " ", "\u{3000}", "  ", "\t", " \u{3000} "];

/// One unit of a person's name and all the ways to write it.
#[derive(Debug, Clone)]
enum Unit {
    /// A kanji with its variants (the first is the common form).
    Kanji(Vec<char>),
    /// A katakana syllable: full and half width.
    Kana(usize),
    /// An ASCII letter.
    Latin(char),
}

fn name_unit() -> impl Strategy<Value = Unit> {
    let with_variants: Vec<Vec<char>> = {
        let mut v: Vec<Vec<char>> = Vec::new();
        for &(variant, common) in ITAIJI {
            match v.iter_mut().find(|g| g.first() == Some(&common)) {
                Some(g) => g.push(variant),
                None => v.push(vec![common, variant]),
            }
        }
        v
    };
    let plain: Vec<Vec<char>> = "田中山川太郎花子佐藤鈴木一二三美"
        .chars()
        .map(|c| vec![c])
        .collect();
    prop_oneof![
        select(with_variants).prop_map(Unit::Kanji),
        select(plain).prop_map(Unit::Kanji),
        (0..KANA.len()).prop_map(Unit::Kana),
        prop::char::range('a', 'z').prop_map(Unit::Latin),
    ]
}

/// How one unit is written in a variant spelling (the choices are drawn per unit).
#[derive(Debug, Clone)]
struct Spelling {
    pick: usize,
    wide: bool,
    upper: bool,
    space_before: usize,
}

fn spelling() -> impl Strategy<Value = Spelling> {
    (0usize..8, any::<bool>(), any::<bool>(), 0..SPACES.len()).prop_map(
        |(pick, wide, upper, space_before)| Spelling {
            pick,
            wide,
            upper,
            space_before,
        },
    )
}

fn write_canonical(units: &[Unit]) -> String {
    let mut s = String::new();
    for u in units {
        match u {
            Unit::Kanji(v) => s.extend(v.first()),
            Unit::Kana(i) => s.push_str(KANA.get(*i).map_or("", |k| k.1)),
            Unit::Latin(c) => s.push(*c),
        }
    }
    s
}

fn write_variant(units: &[Unit], spellings: &[Spelling]) -> String {
    let mut s = String::new();
    for (u, sp) in units.iter().zip(spellings.iter().cycle()) {
        s.push_str(SPACES.get(sp.space_before).copied().unwrap_or(""));
        match u {
            Unit::Kanji(v) => s.extend(v.get(sp.pick % v.len())),
            Unit::Kana(i) => {
                let k = KANA.get(*i).copied().unwrap_or(("", "", ""));
                s.push_str(if sp.wide { k.1 } else { k.2 });
            }
            Unit::Latin(c) => {
                let c = if sp.upper { c.to_ascii_uppercase() } else { *c };
                s.push(if sp.wide { full_width(c) } else { c });
            }
        }
    }
    s
}

/// A valid Japanese domestic number (leading 0 included), as a string of ASCII digits.
fn domestic_number() -> impl Strategy<Value = String> {
    let digits = |n: usize| prop::collection::vec(0u8..10, n);
    prop_oneof![
        // Landline: 10 digits, the 2nd and 3rd non-zero (so not 0X0…, the 11-digit ranges).
        (1u8..10, 1u8..10, digits(7)).prop_map(|(a, b, rest)| {
            let mut s = format!("0{a}{b}");
            s.extend(rest.iter().map(|d| char::from(b'0' + d)));
            s
        }),
        (
            select(vec!["020", "050", "060", "070", "080", "090", "0800"]),
            digits(8)
        )
            .prop_map(|(p, rest)| {
                let mut s = p.to_owned();
                s.extend(rest.iter().map(|d| char::from(b'0' + d)));
                s.truncate(11);
                s
            }),
        (select(vec!["0120", "0570"]), digits(6)).prop_map(|(p, rest)| {
            let mut s = p.to_owned();
            s.extend(rest.iter().map(|d| char::from(b'0' + d)));
            s
        }),
    ]
}

const PHONE_SEPS: &[&str] = &[
    "", "", "", "-", " ", "‐", "－", "ー", "−", "–", "—", "  ", "\u{3000}", ".",
];

/// A syntactically valid e-mail address, lowercase.
fn email_address() -> impl Strategy<Value = String> {
    (
        "[a-z0-9]{1,8}([._+-][a-z0-9]{1,8}){0,2}",
        prop::collection::vec("[a-z0-9]{1,10}(-[a-z0-9]{1,5})?", 1..3),
        "[a-z]{2,6}",
    )
        .prop_map(|(local, labels, tld)| format!("{local}@{}.{tld}", labels.join(".")))
}

// ---------------------------------------------------------------------------------------
// Properties

// 256 cases per property by default; set PROPTEST_CASES for a longer hunt.
proptest! {
    #[test]
    fn keys_are_idempotent(s in tricky_string()) {
        for (name, f) in [
            ("name_key", name_key as fn(&str) -> String),
            ("reading_key", reading_key),
            ("company_key", company_key),
            ("search_key", search_key),
        ] {
            let k = f(&s);
            prop_assert_eq!(f(&k), k.clone(), "{} not idempotent on {:?}", name, s);
        }
    }

    #[test]
    fn fold_and_kana_are_idempotent(s in tricky_string()) {
        let f = fold_itaiji(&s);
        prop_assert_eq!(fold_itaiji(&f), f);
        let h = katakana_to_hiragana(&s);
        prop_assert_eq!(katakana_to_hiragana(&h), h);
        let n = nfkc(&s);
        prop_assert_eq!(nfkc(&n), n);
    }

    #[test]
    fn validators_never_panic(s in tricky_string()) {
        let _ = email(&s);
        let _ = postal_code(&s);
        if let Ok(p) = phone(&s) {
            prop_assert!(p.e164.starts_with('+'));
            let _ = display_phone(&p);
        }
        let _ = format_postal_code(&s);
    }

    #[test]
    fn name_variants_share_a_key(
        units in prop::collection::vec(name_unit(), 1..10),
        spellings in prop::collection::vec(spelling(), 1..10),
    ) {
        let canonical = write_canonical(&units);
        let variant = write_variant(&units, &spellings);
        prop_assert_eq!(name_key(&variant), name_key(&canonical), "{:?}", variant);
        prop_assert_eq!(search_key(&variant), search_key(&canonical), "{:?}", variant);
    }

    #[test]
    fn reading_scripts_share_a_key(
        syllables in prop::collection::vec(0..KANA.len(), 1..12),
        choice in prop::collection::vec((0u8..3, 0..SPACES.len()), 12),
    ) {
        let pick = |f: fn(&(&'static str, &'static str, &'static str)) -> &'static str| -> String {
            syllables.iter().filter_map(|&i| KANA.get(i)).map(f).collect()
        };
        let hira = pick(|k| k.0);
        let kata = pick(|k| k.1);
        let half = pick(|k| k.2);
        let mut mixed = String::new();
        for (&i, &(script, sp)) in syllables.iter().zip(choice.iter()) {
            let k = KANA.get(i).copied().unwrap_or(("", "", ""));
            mixed.push_str(SPACES.get(sp).copied().unwrap_or(""));
            mixed.push_str(match script { 0 => k.0, 1 => k.1, _ => k.2 });
        }
        let key = reading_key(&hira);
        prop_assert_eq!(&key, &hira);
        prop_assert_eq!(reading_key(&kata), key.clone());
        prop_assert_eq!(reading_key(&half), key.clone());
        prop_assert_eq!(reading_key(&mixed), key.clone(), "{:?}", mixed);
        prop_assert_eq!(search_key(&mixed), key);
    }

    #[test]
    fn company_forms_are_removed(
        words in prop::collection::vec(select(COMPANY_WORDS.to_vec()), 1..3),
        form in select(JP_FORMS.to_vec()),
        roman in select(ROMAN_FORMS.to_vec()),
        sp1 in 0..SPACES.len(),
        sp2 in 0..SPACES.len(),
    ) {
        let name = words.join("");
        let base = company_key(&name);
        prop_assert_eq!(&base, &name_key(&name));
        let a = SPACES.get(sp1).copied().unwrap_or("");
        let b = SPACES.get(sp2).copied().unwrap_or("");
        prop_assert_eq!(company_key(&format!("{form}{a}{name}")), base.clone(), "{} prefix", form);
        prop_assert_eq!(company_key(&format!("{name}{a}{form}")), base.clone(), "{} suffix", form);
        let both = format!("{form}{a}{name}{b}{form}");
        prop_assert_eq!(company_key(&both), base.clone(), "{} both", form);
        prop_assert_eq!(company_key(&format!("{name} {roman}")), base.clone(), "{}", roman);
        prop_assert_eq!(company_key(&format!("{name}, {roman}")), base.clone(), "{}", roman);
        let mixed = format!("{form}{a}{name} {roman}");
        prop_assert_eq!(company_key(&mixed), base, "{} {}", form, roman);
    }

    #[test]
    fn phone_separators_and_widths(
        number in domestic_number(),
        seps in prop::collection::vec(0..PHONE_SEPS.len(), 12),
        wide in prop::collection::vec(any::<bool>(), 12),
        intl in 0u8..4,
        ext in prop::option::of(1u32..100_000),
    ) {
        let expected = format!("+81{}", number.get(1..).unwrap_or(""));
        let body: &str = match intl {
            0 => &number,
            _ => number.get(1..).unwrap_or(""),
        };
        let mut s = match intl {
            0 => String::new(),
            1 => "+81 ".to_owned(),
            2 => "+81-(0)".to_owned(),
            _ => "0081-".to_owned(),
        };
        for (i, c) in body.chars().enumerate() {
            if i > 0 {
                let sep = seps.get(i).and_then(|&j| PHONE_SEPS.get(j));
                s.push_str(sep.copied().unwrap_or(""));
            }
            s.push(if wide.get(i).copied().unwrap_or(false) { full_width(c) } else { c });
        }
        if let Some(e) = ext {
            s.push_str(&format!(" 内線{e}"));
        }
        let p = phone(&s);
        prop_assert!(p.is_ok(), "{:?} rejected: {:?}", s, p);
        if let Ok(p) = p {
            prop_assert_eq!(&p.e164, &expected, "{:?}", s);
            prop_assert_eq!(p.extension, ext.map(|e| e.to_string()));
            // The display form parses back to the same number.
            let shown = display_phone(&Phone { e164: p.e164.clone(), extension: None });
            prop_assert_eq!(phone(&shown).map(|q| q.e164).ok(), Some(expected));
        }
    }

    #[test]
    fn phone_wrong_length_is_rejected(
        number in domestic_number(),
        cut in any::<bool>(),
        extra in 0u8..10,
    ) {
        let wrong = if cut {
            number.get(..number.len() - 1).unwrap_or("").to_owned()
        } else {
            format!("{number}{extra}")
        };
        let r = phone(&wrong);
        prop_assert!(r.is_err(), "{:?} accepted: {:?}", wrong, r);
    }

    #[test]
    fn email_case_and_width_variants(
        addr in email_address(),
        upper in prop::collection::vec(any::<bool>(), 64),
        wide in prop::collection::vec(any::<bool>(), 64),
        pad in 0..SPACES.len(),
    ) {
        let pad = SPACES.get(pad).copied().unwrap_or("");
        let mut variant = pad.to_owned();
        for (i, c) in addr.chars().enumerate() {
            let up = upper.get(i % 64).copied().unwrap_or(false);
            let fw = wide.get(i % 64).copied().unwrap_or(false);
            let c = if up { c.to_ascii_uppercase() } else { c };
            variant.push(if fw { full_width(c) } else { c });
        }
        variant.push_str(pad);
        prop_assert_eq!(email(&addr), Ok(addr.clone()));
        prop_assert_eq!(email(&variant), Ok(addr), "{:?}", variant);
    }

    #[test]
    fn postal_code_variants(
        digits in "[0-9]{7}",
        dash in select(vec!["", "-", "‐", "－", "ー", "−"]),
        mark in any::<bool>(),
        wide in any::<bool>(),
    ) {
        let (a, b) = digits.split_at(3);
        let mut s = format!("{}{a}{dash}{b}", if mark { "〒 " } else { "" });
        if wide {
            s = s.chars().map(full_width).collect();
        }
        prop_assert_eq!(postal_code(&s), Ok(digits.clone()), "{:?}", s);
        prop_assert_eq!(postal_code(&format_postal_code(&digits)), Ok(digits));
    }

    #[test]
    fn search_key_maps_substrings_to_substrings(
        v in prop::collection::vec(
            prop_oneof![
                prop::char::range('a', 'z'),
                prop::char::range('A', 'Z'),
                prop::char::range('0', '9'),
                prop::char::range('あ', 'ん'),
                prop::char::range('ア', 'ン'),
                prop::char::range('ｦ', 'ﾝ'),
                prop::char::range('一', '龥'),
                select(vec![
                    ' ', '\u{3000}', '-', '‐', 'ー', '・', '(', ')', '（', '）', '.', ',', '、', '/',
                    '@', '＠', '１', 'Ａ', '髙', '﨑',
                ]),
            ],
            1..30,
        ),
        i in 0usize..30,
        len in 0usize..30,
    ) {
        let s: String = v.iter().collect();
        let start = i.min(v.len());
        let end = (start + len).min(v.len());
        let sub: String = v.get(start..end).unwrap_or(&[]).iter().collect();
        prop_assert!(search_key(&s).contains(&search_key(&sub)), "{:?} / {:?}", s, sub);
    }
}
