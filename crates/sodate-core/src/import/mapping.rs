//! Which column of an import file goes to which lead field: automatic matching of Japanese
//! and English headers, presets (Eight, Sansan, user-saved ones), and the name splitting
//! that a full-name column needs.
//!
//! Headers are compared by a *header key*: NFKC, lower case, katakana folded to hiragana,
//! without spaces and punctuation (`（）・-_/` …) and without 必須/任意 markers, so `E-mail`,
//! `Ｅメール`, `e mail`, `姓（カナ）` and `姓(ｶﾅ)` all meet their alias.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::normalize::{fold_itaiji, katakana_to_hiragana, nfkc};

use super::surnames::SURNAMES;

/// A lead field a column can be imported into.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Field {
    FamilyName,
    GivenName,
    /// A full name, split with [`split_full_name`].
    FullName,
    FamilyReading,
    GivenReading,
    /// A full reading, split with [`split_full_name`].
    FullReading,
    CompanyName,
    CompanyReading,
    Department,
    Title,
    Email,
    Phone,
    Mobile,
    Fax,
    PostalCode,
    Prefecture,
    Address,
    /// Building, floor …: appended to the address.
    Address2,
    Website,
    Notes,
    /// The date business cards were exchanged (a date).
    CardExchangedOn,
    /// Comma- or space-separated tags.
    Tags,
    /// Kept as a custom field of that name (unmatched columns are never dropped).
    Custom(String),
    /// Not imported.
    Ignore,
}

impl Field {
    /// Every standard field (neither `Custom` nor `Ignore`), in form order.
    pub const STANDARD: [Field; 22] = [
        Field::FamilyName,
        Field::GivenName,
        Field::FullName,
        Field::FamilyReading,
        Field::GivenReading,
        Field::FullReading,
        Field::CompanyName,
        Field::CompanyReading,
        Field::Department,
        Field::Title,
        Field::Email,
        Field::Phone,
        Field::Mobile,
        Field::Fax,
        Field::PostalCode,
        Field::Prefecture,
        Field::Address,
        Field::Address2,
        Field::Website,
        Field::Notes,
        Field::CardExchangedOn,
        Field::Tags,
    ];

    /// Stable code (`family_name` …, `custom`, `ignore`).
    pub fn code(&self) -> &'static str {
        match self {
            Field::FamilyName => "family_name",
            Field::GivenName => "given_name",
            Field::FullName => "full_name",
            Field::FamilyReading => "family_reading",
            Field::GivenReading => "given_reading",
            Field::FullReading => "full_reading",
            Field::CompanyName => "company_name",
            Field::CompanyReading => "company_reading",
            Field::Department => "department",
            Field::Title => "title",
            Field::Email => "email",
            Field::Phone => "phone",
            Field::Mobile => "mobile",
            Field::Fax => "fax",
            Field::PostalCode => "postal_code",
            Field::Prefecture => "prefecture",
            Field::Address => "address",
            Field::Address2 => "address2",
            Field::Website => "website",
            Field::Notes => "notes",
            Field::CardExchangedOn => "card_exchanged_on",
            Field::Tags => "tags",
            Field::Custom(_) => "custom",
            Field::Ignore => "ignore",
        }
    }

    /// The Japanese label (also the header of that field in vCard rows).
    pub fn label_ja(&self) -> &str {
        match self {
            Field::FamilyName => "姓",
            Field::GivenName => "名",
            Field::FullName => "氏名",
            Field::FamilyReading => "セイ",
            Field::GivenReading => "メイ",
            Field::FullReading => "フリガナ",
            Field::CompanyName => "会社名",
            Field::CompanyReading => "会社名（フリガナ）",
            Field::Department => "部署",
            Field::Title => "役職",
            Field::Email => "メールアドレス",
            Field::Phone => "電話番号",
            Field::Mobile => "携帯電話",
            Field::Fax => "FAX",
            Field::PostalCode => "郵便番号",
            Field::Prefecture => "都道府県",
            Field::Address => "住所",
            Field::Address2 => "住所2",
            Field::Website => "URL",
            Field::Notes => "メモ",
            Field::CardExchangedOn => "名刺交換日",
            Field::Tags => "タグ",
            Field::Custom(name) => name,
            Field::Ignore => "取り込まない",
        }
    }

    /// The English label.
    pub fn label_en(&self) -> &str {
        match self {
            Field::FamilyName => "Family name",
            Field::GivenName => "Given name",
            Field::FullName => "Full name",
            Field::FamilyReading => "Family name reading",
            Field::GivenReading => "Given name reading",
            Field::FullReading => "Name reading",
            Field::CompanyName => "Company",
            Field::CompanyReading => "Company reading",
            Field::Department => "Department",
            Field::Title => "Title",
            Field::Email => "Email",
            Field::Phone => "Phone",
            Field::Mobile => "Mobile",
            Field::Fax => "Fax",
            Field::PostalCode => "Postal code",
            Field::Prefecture => "Prefecture",
            Field::Address => "Address",
            Field::Address2 => "Address 2",
            Field::Website => "Website",
            Field::Notes => "Notes",
            Field::CardExchangedOn => "Card exchanged on",
            Field::Tags => "Tags",
            Field::Custom(name) => name,
            Field::Ignore => "Do not import",
        }
    }

    /// True when several columns may go to this field (their values are appended):
    /// notes, tags, custom fields and ignored columns. Other fields take one column.
    pub fn is_repeatable(&self) -> bool {
        matches!(
            self,
            Field::Notes | Field::Tags | Field::Custom(_) | Field::Ignore
        )
    }
}

/// How sure a mapping is, for the UI to show (and to ask about the weak ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// The header is the field's own label or code (`会社名`, `Company`, `company_name`).
    Exact,
    /// The header is a known alias of the field (`企業名`, `E-mail Address`, `〒`).
    Alias,
    /// The header only contains a keyword of the field (`TEL直通` → phone): check it.
    Partial,
    /// The mapping comes from a preset.
    Preset,
    /// Nothing matched: the column is kept as a custom field.
    Unmatched,
}

/// Where one column goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ColumnMapping {
    /// Index of the column in [`Reader::headers`](super::Reader::headers) and in
    /// [`SourceRow::cells`](super::SourceRow::cells), from 0.
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub index: usize,
    pub header: String,
    pub field: Field,
    pub confidence: Confidence,
    /// Why: the alias or keyword that matched, the preset's id, or why a field that the
    /// header names went to a custom field instead (`"phone already mapped"`).
    pub why: String,
}

/// Aliases per field (compared by header key). The labels and codes of the fields are
/// matched too, as `Exact`.
const ALIASES: &[(Field, &[&str])] = &[
    (
        Field::FamilyName,
        &[
            "姓",
            "姓（漢字）",
            "氏",
            "苗字",
            "名字",
            "氏名（姓）",
            "氏名[姓]",
            "名前（姓）",
            "お名前（姓）",
            "姓名（姓）",
            "last name",
            "lastname",
            "family name",
            "surname",
        ],
    ),
    (
        Field::GivenName,
        &[
            "名",
            "名（漢字）",
            "氏名（名）",
            "氏名[名]",
            "名前（名）",
            "お名前（名）",
            "姓名（名）",
            "first name",
            "firstname",
            "given name",
        ],
    ),
    (
        Field::FullName,
        &[
            "氏名",
            "名前",
            "お名前",
            "姓名",
            "氏名（漢字）",
            "名前（漢字）",
            "担当者名",
            "ご担当者名",
            "担当者氏名",
            "name",
            "full name",
            "fullname",
            "contact name",
        ],
    ),
    (
        Field::FamilyReading,
        &[
            "セイ",
            "姓（カナ）",
            "姓（フリガナ）",
            "姓（よみ）",
            "姓カナ",
            "姓フリガナ",
            "よみ（姓）",
            "フリガナ（姓）",
            "カナ（姓）",
            "氏名（セイ）",
            "last name kana",
            "last name reading",
            "family name reading",
            "family name kana",
        ],
    ),
    (
        Field::GivenReading,
        &[
            "メイ",
            "名（カナ）",
            "名（フリガナ）",
            "名（よみ）",
            "名カナ",
            "名フリガナ",
            "よみ（名）",
            "フリガナ（名）",
            "カナ（名）",
            "氏名（メイ）",
            "first name kana",
            "first name reading",
            "given name reading",
            "given name kana",
        ],
    ),
    (
        Field::FullReading,
        &[
            "フリガナ",
            "よみ",
            "よみがな",
            "読み",
            "読み仮名",
            "カナ",
            "氏名（カナ）",
            "氏名（フリガナ）",
            "氏名フリガナ",
            "氏名カナ",
            "名前（カナ）",
            "名前（フリガナ）",
            "お名前（フリガナ）",
            "お名前（カナ）",
            "name kana",
            "name reading",
            "reading",
            "furigana",
            "kana",
        ],
    ),
    (
        Field::CompanyName,
        &[
            "会社名",
            "企業名",
            "会社",
            "法人名",
            "社名",
            "勤務先",
            "勤務先名",
            "団体名",
            "組織名",
            "貴社名",
            "御社名",
            "company",
            "company name",
            "organization",
            "organisation",
            "organization name",
            "account name",
        ],
    ),
    (
        Field::CompanyReading,
        &[
            "会社名フリガナ",
            "会社名（カナ）",
            "会社名（フリガナ）",
            "会社名（よみ）",
            "会社名よみ",
            "会社名カナ",
            "会社よみ",
            "企業名（カナ）",
            "企業名フリガナ",
            "企業名カナ",
            "社名カナ",
            "company kana",
            "company reading",
            "company name kana",
        ],
    ),
    (
        Field::Department,
        &[
            "部署",
            "部署名",
            "所属",
            "所属部署",
            "部門",
            "部課",
            "部署・課",
            "department",
            "division",
            "dept",
        ],
    ),
    (
        Field::Title,
        &[
            "役職",
            "役職名",
            "肩書",
            "肩書き",
            "職位",
            "title",
            "job title",
            "position",
        ],
    ),
    (
        Field::Email,
        &[
            "メールアドレス",
            "メール",
            "e-mail",
            "eメール",
            "eメールアドレス",
            "メアド",
            "mail",
            "mail address",
            "email address",
            "e-mail address",
            "電子メール",
            "電子メールアドレス",
            "メールアドレス1",
            "pcメール",
            "pcメールアドレス",
        ],
    ),
    (
        Field::Phone,
        &[
            "電話番号",
            "電話",
            "tel",
            "会社電話",
            "会社電話番号",
            "代表電話",
            "代表電話番号",
            "電話番号（会社）",
            "tel会社",
            "tel（会社）",
            "電話番号1",
            "phone",
            "phone number",
            "telephone",
            "business phone",
            "work phone",
            "office phone",
        ],
    ),
    (
        Field::Mobile,
        &[
            "携帯電話",
            "携帯",
            "携帯番号",
            "携帯電話番号",
            "携帯tel",
            "mobile",
            "mobile phone",
            "cell",
            "cell phone",
            "cellphone",
        ],
    ),
    (
        Field::Fax,
        &[
            "fax",
            "fax番号",
            "ファックス",
            "ファクス",
            "ファックス番号",
            "fax number",
        ],
    ),
    (
        Field::PostalCode,
        &[
            "郵便番号",
            "〒",
            "郵便",
            "zip",
            "zip code",
            "zipcode",
            "postal code",
            "postcode",
        ],
    ),
    (
        Field::Prefecture,
        &[
            "都道府県",
            "都道府県名",
            "state",
            "prefecture",
            "state/prefecture",
            "state/province",
            "province",
            "region",
        ],
    ),
    (
        Field::Address,
        &[
            "住所",
            "所在地",
            "住所1",
            "会社住所",
            "所在地住所",
            "住所（市区町村以下）",
            "市区町村",
            "住所（番地まで）",
            "address",
            "address 1",
            "address line 1",
            "street",
            "street address",
        ],
    ),
    (
        Field::Address2,
        &[
            "住所2",
            "建物名",
            "ビル名",
            "建物名・部屋番号",
            "建物名・階",
            "address 2",
            "address line 2",
        ],
    ),
    (
        Field::Website,
        &[
            "url",
            "ホームページ",
            "ホームページurl",
            "ウェブサイト",
            "webサイト",
            "web",
            "website",
            "web site",
            "hp",
            "homepage",
            "会社url",
            "サイトurl",
        ],
    ),
    (
        Field::Notes,
        &[
            "メモ",
            "備考",
            "備考欄",
            "コメント",
            "特記事項",
            "補足",
            "notes",
            "note",
            "memo",
            "comments",
            "comment",
            "remarks",
            "description",
        ],
    ),
    (
        Field::CardExchangedOn,
        &[
            "名刺交換日",
            "交換日",
            "名刺交換日時",
            "名刺交換年月日",
            "exchanged on",
            "exchange date",
            "card exchanged on",
            "date met",
            "met on",
        ],
    ),
    (Field::Tags, &["タグ", "ラベル", "tags", "tag", "labels"]),
];

/// Keywords for `Partial` matches, tried in order on headers without an alias match.
const KEYWORDS: &[(&[&str], Field)] = &[
    (&["携帯", "mobile", "cell"], Field::Mobile),
    (&["fax", "ファックス", "ファクス"], Field::Fax),
    (&["メール", "mail"], Field::Email),
    (&["電話", "tel", "phone"], Field::Phone),
    (&["郵便", "zip", "postal"], Field::PostalCode),
    (&["都道府県", "prefecture"], Field::Prefecture),
    (&["住所", "所在地", "address"], Field::Address),
    (&["会社", "企業", "社名", "company"], Field::CompanyName),
    (&["部署", "部門", "department"], Field::Department),
    (&["役職", "肩書", "title"], Field::Title),
    (
        &["url", "ホームページ", "website", "サイト"],
        Field::Website,
    ),
    (&["交換日"], Field::CardExchangedOn),
    (&["備考", "メモ", "note", "comment"], Field::Notes),
    (&["氏名", "名前", "name"], Field::FullName),
];

/// Reading markers: a header with one of them is a reading, never the name itself.
const READING_WORDS: &[&str] = &["フリガナ", "カナ", "よみ", "読み", "kana", "reading"];

/// Headers that mention e-mail, phone … but hold a yes/no or a preference, not the value.
const NOT_A_VALUE: &[&str] = &[
    "配信",
    "可否",
    "希望",
    "許可",
    "受信",
    "opt",
    "同意",
    "種別",
    "区分",
    "連絡方法",
];

/// The key headers are compared by.
pub fn header_key(header: &str) -> String {
    let folded = katakana_to_hiragana(&nfkc(header).to_lowercase());
    let mut key: String = folded
        .chars()
        .filter(|&c| {
            !(c.is_whitespace()
                || c.is_ascii_punctuation()
                || matches!(
                    c,
                    '・' | '、'
                        | '。'
                        | '「'
                        | '」'
                        | '『'
                        | '』'
                        | '【'
                        | '】'
                        | '〔'
                        | '〕'
                        | '〈'
                        | '〉'
                        | '《'
                        | '》'
                        | '※'
                        | '★'
                        | '☆'
                        | '●'
                        | '○'
                        | '◆'
                        | '◇'
                        | '■'
                        | '□'
                ))
        })
        .collect();
    for marker in ["必須", "任意"] {
        if key.len() > marker.len() {
            if let Some(stripped) = key.strip_suffix(marker) {
                key = stripped.to_string();
            }
        }
    }
    key
}

struct Tables {
    exact: HashMap<String, Field>,
    alias: HashMap<String, (Field, &'static str)>,
    keywords: Vec<(Vec<String>, Field)>,
    reading_words: Vec<String>,
    not_a_value: Vec<String>,
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut exact = HashMap::new();
        for f in Field::STANDARD {
            for label in [f.label_ja(), f.label_en(), f.code()] {
                exact.entry(header_key(label)).or_insert_with(|| f.clone());
            }
        }
        let mut alias = HashMap::new();
        for (field, names) in ALIASES {
            for &name in *names {
                alias
                    .entry(header_key(name))
                    .or_insert_with(|| (field.clone(), name));
            }
        }
        let keys = |words: &[&str]| words.iter().map(|w| header_key(w)).collect::<Vec<_>>();
        Tables {
            exact,
            alias,
            keywords: KEYWORDS
                .iter()
                .map(|(words, f)| (keys(words), f.clone()))
                .collect(),
            reading_words: keys(READING_WORDS),
            not_a_value: keys(NOT_A_VALUE),
        }
    })
}

/// The field a single header names, with how sure that is (no uniqueness applied).
pub fn match_header(header: &str) -> (Field, Confidence, String) {
    let t = tables();
    let key = header_key(header);
    if key.is_empty() {
        return (
            Field::Custom(header.to_string()),
            Confidence::Unmatched,
            String::new(),
        );
    }
    if let Some(f) = t.exact.get(&key) {
        return (f.clone(), Confidence::Exact, header.to_string());
    }
    if let Some((f, alias)) = t.alias.get(&key) {
        return (f.clone(), Confidence::Alias, (*alias).to_string());
    }
    if let Some((field, word)) = partial(&key) {
        return (field, Confidence::Partial, word);
    }
    (
        Field::Custom(header.to_string()),
        Confidence::Unmatched,
        String::new(),
    )
}

fn partial(key: &str) -> Option<(Field, String)> {
    let t = tables();
    if t.not_a_value.iter().any(|w| key.contains(w.as_str())) {
        return None;
    }
    if let Some(word) = t.reading_words.iter().find(|w| key.contains(w.as_str())) {
        let has = |words: &[&str]| words.iter().any(|w| key.contains(&header_key(w)));
        let field = if has(&["会社", "企業", "社名", "company"]) {
            Field::CompanyReading
        } else if has(&["姓", "せい", "last", "family"]) {
            Field::FamilyReading
        } else if has(&["めい", "first", "given"]) {
            Field::GivenReading
        } else {
            Field::FullReading
        };
        return Some((field, word.clone()));
    }
    t.keywords.iter().find_map(|(words, field)| {
        words
            .iter()
            .find(|w| key.contains(w.as_str()))
            .map(|w| (field.clone(), w.clone()))
    })
}

/// Maps every header to a field. Exact and alias matches are placed first, then partial
/// ones; a field that takes one column ([`Field::is_repeatable`]) goes to the first column
/// naming it, and later ones become custom fields (`why` says so). Unmatched columns
/// become custom fields named after their header: nothing is dropped.
pub fn auto_map(headers: &[String]) -> Vec<ColumnMapping> {
    let matches: Vec<(Field, Confidence, String)> =
        headers.iter().map(|h| match_header(h)).collect();
    let mut out: Vec<Option<ColumnMapping>> = vec![None; headers.len()];
    let mut used: HashSet<Field> = HashSet::new();
    let strong = |c: Confidence| matches!(c, Confidence::Exact | Confidence::Alias);
    for pass_strong in [true, false] {
        for (i, (field, confidence, why)) in matches.iter().enumerate() {
            if out[i].is_some() || strong(*confidence) != pass_strong {
                continue;
            }
            let header = headers[i].clone();
            let mapping = if field.is_repeatable() || used.insert(field.clone()) {
                ColumnMapping {
                    index: i,
                    header,
                    field: field.clone(),
                    confidence: *confidence,
                    why: why.clone(),
                }
            } else {
                ColumnMapping {
                    index: i,
                    field: Field::Custom(header.clone()),
                    header,
                    confidence: Confidence::Unmatched,
                    why: format!("{} already mapped", field.code()),
                }
            };
            out[i] = Some(mapping);
        }
    }
    out.into_iter().flatten().collect()
}

/// A saved header → field mapping: the built-in ones for known exports, and the user's
/// (stored as JSON by the database layer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Preset {
    /// `eight`, `sansan`, `generic` for the built-in ones.
    pub id: String,
    pub name_ja: String,
    pub name_en: String,
    /// Header (compared by [`header_key`]) → field. Headers not listed are auto-mapped.
    pub columns: Vec<PresetColumn>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PresetColumn {
    pub header: String,
    pub field: Field,
}

/// Eight's CSV export of business cards (名刺データのダウンロード). Eight has three phone
/// columns; the company line goes to the phone, the others stay custom fields.
const EIGHT: &[(&str, Field)] = &[
    ("会社名", Field::CompanyName),
    ("部署名", Field::Department),
    ("役職", Field::Title),
    ("姓", Field::FamilyName),
    ("名", Field::GivenName),
    ("姓（カナ）", Field::FamilyReading),
    ("名（カナ）", Field::GivenReading),
    ("e-mail", Field::Email),
    ("郵便番号", Field::PostalCode),
    ("住所", Field::Address),
    ("TEL会社", Field::Phone),
    ("Fax", Field::Fax),
    ("携帯電話", Field::Mobile),
    ("URL", Field::Website),
    ("名刺交換日", Field::CardExchangedOn),
];

/// Sansan's CSV export of business cards.
const SANSAN: &[(&str, Field)] = &[
    ("会社名", Field::CompanyName),
    ("会社名（カナ）", Field::CompanyReading),
    ("部署名", Field::Department),
    ("役職", Field::Title),
    ("姓", Field::FamilyName),
    ("名", Field::GivenName),
    ("姓（カナ）", Field::FamilyReading),
    ("名（カナ）", Field::GivenReading),
    ("メールアドレス", Field::Email),
    ("郵便番号", Field::PostalCode),
    ("都道府県", Field::Prefecture),
    ("住所1", Field::Address),
    ("住所2", Field::Address2),
    ("電話番号", Field::Phone),
    ("FAX", Field::Fax),
    ("携帯電話", Field::Mobile),
    ("URL", Field::Website),
    ("名刺交換日", Field::CardExchangedOn),
    ("タグ", Field::Tags),
    ("メモ", Field::Notes),
];

/// The headers of the built-in presets' exports, in their column order (for tests and
/// for fixtures).
pub fn preset_headers(id: &str) -> Vec<&'static str> {
    let columns = match id {
        "eight" => EIGHT,
        "sansan" => SANSAN,
        _ => &[],
    };
    let mut headers: Vec<&str> = columns.iter().map(|(h, _)| *h).collect();
    if id == "eight" {
        // Eight's other phone columns, left to custom fields.
        headers.splice(11..11, ["TEL部門", "TEL直通"]);
    }
    headers
}

impl Preset {
    /// The built-in presets: `eight`, `sansan`, `generic` (plain automatic matching).
    pub fn builtin() -> Vec<Preset> {
        let make = |id: &str, ja: &str, en: &str, columns: &[(&str, Field)]| Preset {
            id: id.to_string(),
            name_ja: ja.to_string(),
            name_en: en.to_string(),
            columns: columns
                .iter()
                .map(|(h, f)| PresetColumn {
                    header: (*h).to_string(),
                    field: f.clone(),
                })
                .collect(),
        };
        vec![
            make("eight", "Eight（名刺アプリ）", "Eight (card app)", EIGHT),
            make("sansan", "Sansan", "Sansan", SANSAN),
            make("generic", "汎用（自動判定）", "Generic (automatic)", &[]),
        ]
    }

    /// A built-in preset by id.
    pub fn by_id(id: &str) -> Option<Preset> {
        Self::builtin().into_iter().find(|p| p.id == id)
    }

    /// A preset that remembers `mappings` (what the user confirmed), to be saved.
    pub fn from_mappings(
        id: &str,
        name_ja: &str,
        name_en: &str,
        mappings: &[ColumnMapping],
    ) -> Preset {
        Preset {
            id: id.to_string(),
            name_ja: name_ja.to_string(),
            name_en: name_en.to_string(),
            columns: mappings
                .iter()
                .map(|m| PresetColumn {
                    header: m.header.clone(),
                    field: m.field.clone(),
                })
                .collect(),
        }
    }

    /// The share (0.0–1.0) of this preset's headers that `headers` has; 0 for `generic`.
    pub fn score(&self, headers: &[String]) -> f64 {
        if self.columns.is_empty() {
            return 0.0;
        }
        let present: HashSet<String> = headers.iter().map(|h| header_key(h)).collect();
        let hits = self
            .columns
            .iter()
            .filter(|c| present.contains(&header_key(&c.header)))
            .count();
        hits as f64 / self.columns.len() as f64
    }

    /// Maps `headers` with this preset: its columns as `Preset`, the others automatically.
    pub fn apply(&self, headers: &[String]) -> Vec<ColumnMapping> {
        let by_key: HashMap<String, &Field> = self
            .columns
            .iter()
            .map(|c| (header_key(&c.header), &c.field))
            .collect();
        let auto = auto_map(headers);
        let preset_fields: HashSet<&Field> = by_key.values().copied().collect();
        auto.into_iter()
            .map(|m| match by_key.get(&header_key(&m.header)) {
                Some(&field) => ColumnMapping {
                    field: match field {
                        // A saved custom field keeps the header it was saved for.
                        Field::Custom(_) => Field::Custom(m.header.clone()),
                        f => f.clone(),
                    },
                    confidence: Confidence::Preset,
                    why: self.id.clone(),
                    ..m
                },
                // A field the preset gives to another column is not taken twice.
                None if !m.field.is_repeatable() && preset_fields.contains(&m.field) => {
                    ColumnMapping {
                        why: format!("{} already mapped", m.field.code()),
                        field: Field::Custom(m.header.clone()),
                        confidence: Confidence::Unmatched,
                        ..m
                    }
                }
                None => m,
            })
            .collect()
    }
}

/// The built-in preset whose export `headers` look like (at least 80 % of its headers).
pub fn detect_preset(headers: &[String]) -> Option<Preset> {
    Preset::builtin()
        .into_iter()
        .map(|p| (p.score(headers), p))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, p)| p)
}

/// Splits a full name (or its reading) into family and given name.
///
/// - With a space (ASCII or full-width): Japanese order, family first (`田中 太郎`); names
///   in Latin letters are Western order, family last (`Taro Yamada`), unless the first
///   word is in capitals (`YAMADA Taro`) or there is a comma (`Yamada, Taro`).
/// - Without a space: the longest known surname that starts the name (about 300 common
///   ones, variant glyphs such as 髙/﨑 included through itaiji folding: `髙橋一郎` →
///   髙橋 / 一郎), and for kana the longest known surname reading (`たなかたろう`,
///   `タナカタロウ`), leaving at least one kanji or two kana for the given name.
///   Half-width kana are returned in their NFKC (full-width) form.
/// - Otherwise the whole name is the family name and the given name is empty: the user
///   can correct it, which is better than a wrong cut.
pub fn split_full_name(full: &str) -> (String, String) {
    let name = full.trim_matches(|c: char| c.is_whitespace());
    if name.is_empty() {
        return (String::new(), String::new());
    }
    let latin = name.chars().all(|c| {
        c.is_ascii_alphabetic() || c.is_whitespace() || matches!(c, '.' | '-' | '\'' | ',')
    });
    if latin {
        if let Some((family, given)) = name.split_once(',') {
            return (family.trim().to_string(), given.trim().to_string());
        }
    }
    let words: Vec<&str> = name
        .split(|c: char| c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect();
    if words.len() >= 2 {
        if latin {
            let first = words[0];
            let caps = first.len() > 1 && first.chars().all(|c| !c.is_ascii_lowercase());
            let rest_caps = words[1..]
                .iter()
                .all(|w| w.chars().all(|c| !c.is_ascii_lowercase()));
            if caps && !rest_caps {
                return (first.to_string(), words[1..].join(" "));
            }
            let last = words.len() - 1;
            return (words[last].to_string(), words[..last].join(" "));
        }
        return (words[0].to_string(), words[1..].join(" "));
    }
    if latin {
        return (name.to_string(), String::new());
    }
    let has_half_width_kana = name.chars().any(|c| ('\u{ff61}'..='\u{ff9f}').contains(&c));
    let name = if has_half_width_kana {
        nfkc(name)
    } else {
        name.to_string()
    };
    let chars: Vec<char> = name.chars().collect();
    let is_kana = chars
        .iter()
        .all(|&c| matches!(c, 'ぁ'..='ゖ' | 'ァ'..='ヺ' | 'ー'));
    let cut = if is_kana {
        let hira: Vec<char> = katakana_to_hiragana(&name).chars().collect();
        (2..=6)
            .rev()
            .filter(|&n| n + 2 <= hira.len())
            .find(|&n| surname_readings().contains(hira[..n].iter().collect::<String>().as_str()))
    } else {
        (1..=4).rev().filter(|&n| n < chars.len()).find(|&n| {
            // One-kanji surnames (林, 森) only when the given name has two or more.
            (n > 1 || chars.len() >= 3)
                && surname_set()
                    .contains(fold_itaiji(&chars[..n].iter().collect::<String>()).as_str())
        })
    };
    match cut {
        Some(n) => (chars[..n].iter().collect(), chars[n..].iter().collect()),
        None => (name, String::new()),
    }
}

fn surname_set() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| SURNAMES.iter().map(|(s, _)| *s).collect())
}

fn surname_readings() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| SURNAMES.iter().map(|(_, r)| *r).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn fields(list: &[&str]) -> Vec<Field> {
        auto_map(&h(list)).into_iter().map(|m| m.field).collect()
    }

    #[test]
    fn aliases_do_not_conflict() {
        let mut seen: HashMap<String, (Field, &str)> = HashMap::new();
        for (field, names) in ALIASES {
            for &name in *names {
                let key = header_key(name);
                assert!(!key.is_empty(), "{name}");
                if let Some((other, other_name)) = seen.get(&key) {
                    assert_eq!(other, field, "{name} and {other_name} collide");
                }
                seen.insert(key, (field.clone(), name));
            }
        }
        // Labels and codes are keys of their own field, not of another one's alias.
        for f in Field::STANDARD {
            for label in [f.label_ja(), f.label_en(), f.code()] {
                if let Some((other, _)) = seen.get(&header_key(label)) {
                    assert_eq!(other, &f, "label {label}");
                }
            }
        }
    }

    #[test]
    fn japanese_headers() {
        use Field::*;
        assert_eq!(
            fields(&[
                "氏名",
                "フリガナ",
                "会社名",
                "会社名フリガナ",
                "部署",
                "役職",
                "郵便番号",
                "住所",
                "電話番号",
                "携帯電話",
                "FAX",
                "メールアドレス",
                "URL",
                "名刺交換日",
                "メモ",
                "タグ"
            ]),
            vec![
                FullName,
                FullReading,
                CompanyName,
                CompanyReading,
                Department,
                Title,
                PostalCode,
                Address,
                Phone,
                Mobile,
                Fax,
                Email,
                Website,
                CardExchangedOn,
                Notes,
                Tags
            ]
        );
        assert_eq!(
            fields(&[
                "姓（漢字）",
                "名",
                "セイ",
                "メイ",
                "企業名",
                "会社名（カナ）",
                "所属",
                "肩書"
            ]),
            vec![
                FamilyName,
                GivenName,
                FamilyReading,
                GivenReading,
                CompanyName,
                CompanyReading,
                Department,
                Title
            ]
        );
        assert_eq!(
            fields(&[
                "お名前",
                "ふりがな",
                "〒",
                "所在地",
                "住所2",
                "都道府県",
                "TEL",
                "携帯",
                "Eメール",
                "ホームページ",
                "備考",
                "交換日"
            ]),
            vec![
                FullName,
                FullReading,
                PostalCode,
                Address,
                Address2,
                Prefecture,
                Phone,
                Mobile,
                Email,
                Website,
                Notes,
                CardExchangedOn
            ]
        );
        // Width, brackets, spaces and required markers do not matter.
        assert_eq!(
            fields(&[
                "姓(ｶﾅ)",
                "Ｅ－ｍａｉｌ",
                "お名前（必須）",
                "※会社名",
                "よみ",
                "ヨミ",
                "携帯番号",
                "会社電話",
                "部署名",
                "住所1"
            ]),
            vec![
                FamilyReading,
                Email,
                FullName,
                CompanyName,
                FullReading,
                Custom("ヨミ".into()),
                Mobile,
                Phone,
                Department,
                Address
            ]
        );
    }

    #[test]
    fn english_headers() {
        use Field::*;
        assert_eq!(
            fields(&[
                "First Name",
                "Last Name",
                "Company",
                "Department",
                "Job Title",
                "E-mail Address",
                "Phone",
                "Mobile",
                "Fax",
                "Zip",
                "State/Prefecture",
                "Address",
                "Website",
                "Notes",
                "Tags"
            ]),
            vec![
                GivenName,
                FamilyName,
                CompanyName,
                Department,
                Title,
                Email,
                Phone,
                Mobile,
                Fax,
                PostalCode,
                Prefecture,
                Address,
                Website,
                Notes,
                Tags
            ]
        );
        assert_eq!(
            fields(&[
                "Name",
                "Organization",
                "Title",
                "Email",
                "Postal Code",
                "Surname",
                "Given Name",
                "Full Name"
            ]),
            vec![
                FullName,
                CompanyName,
                Title,
                Email,
                PostalCode,
                FamilyName,
                GivenName,
                Custom("Full Name".into())
            ]
        );
    }

    #[test]
    fn confidence_partial_and_custom() {
        let m = auto_map(&h(&[
            "会社名",
            "企業名",
            "TEL直通",
            "電話番号",
            "メール配信可否",
            "紹介者",
            "担当営業メモ",
        ]));
        assert_eq!(m[0].confidence, Confidence::Exact);
        // The second company column is kept, as a custom field, with the reason.
        assert_eq!(m[1].field, Field::Custom("企業名".into()));
        assert_eq!(m[1].why, "company_name already mapped");
        // The exact 電話番号 wins over the partial TEL直通, which stays custom.
        assert_eq!(m[3].field, Field::Phone);
        assert_eq!(m[2].field, Field::Custom("TEL直通".into()));
        assert_eq!(m[4].field, Field::Custom("メール配信可否".into()));
        assert_eq!(m[4].confidence, Confidence::Unmatched);
        assert_eq!(m[5].field, Field::Custom("紹介者".into()));
        assert_eq!(
            (m[6].field.clone(), m[6].confidence),
            (Field::Notes, Confidence::Partial)
        );
        let m = auto_map(&h(&["TEL直通", "会社名 ふりがな", "ご担当者 フリガナ"]));
        assert_eq!(
            (m[0].field.clone(), m[0].confidence),
            (Field::Phone, Confidence::Partial)
        );
        assert_eq!(m[1].field, Field::CompanyReading);
        assert_eq!(m[2].field, Field::FullReading);
    }

    #[test]
    fn vcard_headers_map_exactly() {
        let headers = super::super::vcard_headers();
        for m in auto_map(&headers) {
            match &m.field {
                Field::Custom(name) => assert!(name.starts_with("その他の"), "{name}"),
                _ => assert_eq!(m.confidence, Confidence::Exact, "{}", m.header),
            }
        }
    }

    #[test]
    fn presets_detect_apply_and_round_trip() {
        let eight = h(&preset_headers("eight"));
        let preset = detect_preset(&eight).unwrap();
        assert_eq!(preset.id, "eight");
        let m = preset.apply(&eight);
        let field_of = |header: &str| m.iter().find(|c| c.header == header).unwrap().field.clone();
        assert_eq!(field_of("TEL会社"), Field::Phone);
        assert_eq!(field_of("TEL部門"), Field::Custom("TEL部門".into()));
        assert_eq!(field_of("TEL直通"), Field::Custom("TEL直通".into()));
        assert_eq!(field_of("e-mail"), Field::Email);
        assert_eq!(field_of("姓（カナ）"), Field::FamilyReading);
        assert!(m
            .iter()
            .filter(|c| c.header != "TEL部門" && c.header != "TEL直通")
            .all(|c| c.confidence == Confidence::Preset));
        let sansan = h(&preset_headers("sansan"));
        assert_eq!(detect_preset(&sansan).unwrap().id, "sansan");
        assert!(detect_preset(&h(&["氏名", "会社名"])).is_none());
        // Presets are JSON for the database layer.
        let user = Preset::from_mappings(
            "u1",
            "展示会リスト",
            "Fair list",
            &auto_map(&h(&["お名前", "独自項目"])),
        );
        let json = serde_json::to_string(&user).unwrap();
        assert!(json.contains("\"field\":\"full_name\""), "{json}");
        assert!(json.contains("{\"custom\":\"独自項目\"}"), "{json}");
        let back: Preset = serde_json::from_str(&json).unwrap();
        assert_eq!(back, user);
        assert_eq!(
            back.apply(&h(&["お名前", "独自項目"]))[1].field,
            Field::Custom("独自項目".into())
        );
    }

    #[test]
    fn splitting_names() {
        let s = |x: &str| {
            let (a, b) = split_full_name(x);
            (a, b)
        };
        let p = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(s("田中 太郎"), p("田中", "太郎"));
        assert_eq!(s("田中　太郎"), p("田中", "太郎"));
        assert_eq!(s("田中太郎"), p("田中", "太郎"));
        assert_eq!(s("佐々木花子"), p("佐々木", "花子"));
        assert_eq!(s("長谷川一"), p("長谷川", "一"));
        assert_eq!(s("髙橋一郎"), p("髙橋", "一郎"));
        assert_eq!(s("山﨑健"), p("山﨑", "健"));
        assert_eq!(s("渡邊美咲"), p("渡邊", "美咲"));
        assert_eq!(s("林真理子"), p("林", "真理子"));
        assert_eq!(s("森本太郎"), p("森本", "太郎"));
        assert_eq!(s("森健"), p("森健", ""));
        assert_eq!(s("勅使河原三郎"), p("勅使河原", "三郎"));
        assert_eq!(s("珍名太郎"), p("珍名太郎", ""));
        assert_eq!(s("タナカタロウ"), p("タナカ", "タロウ"));
        assert_eq!(s("ささきはなこ"), p("ささき", "はなこ"));
        assert_eq!(s("ﾀﾅｶﾀﾛｳ"), p("タナカ", "タロウ"));
        assert_eq!(s("ﾀﾅｶ ﾀﾛｳ"), p("ﾀﾅｶ", "ﾀﾛｳ"));
        assert_eq!(s("Taro Yamada"), p("Yamada", "Taro"));
        assert_eq!(s("Mary Ann Smith"), p("Smith", "Mary Ann"));
        assert_eq!(s("YAMADA Taro"), p("YAMADA", "Taro"));
        assert_eq!(s("Yamada, Taro"), p("Yamada", "Taro"));
        assert_eq!(s("Madonna"), p("Madonna", ""));
        assert_eq!(s("  "), p("", ""));
    }

    #[test]
    fn surname_table_is_unique() {
        let mut seen = HashSet::new();
        for (s, r) in SURNAMES {
            assert!(seen.insert(*s), "{s} twice");
            assert!(r.chars().all(|c| matches!(c, 'ぁ'..='ゖ' | 'ー')), "{r}");
            assert_eq!(
                fold_itaiji(s),
                *s,
                "{s} should be listed in its common form"
            );
        }
        assert!(SURNAMES.len() >= 300);
    }
}
