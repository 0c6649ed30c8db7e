//! Validation of what a user typed into a lead, and the normalised keys stored beside it.

use crate::normalize;
use crate::{Error, FieldIssue, LeadInput, Result};

/// The 47 prefectures, in JIS order.
pub const PREFECTURES: [&str; 47] = [
    "北海道",
    "青森県",
    "岩手県",
    "宮城県",
    "秋田県",
    "山形県",
    "福島県",
    "茨城県",
    "栃木県",
    "群馬県",
    "埼玉県",
    "千葉県",
    "東京都",
    "神奈川県",
    "新潟県",
    "富山県",
    "石川県",
    "福井県",
    "山梨県",
    "長野県",
    "岐阜県",
    "静岡県",
    "愛知県",
    "三重県",
    "滋賀県",
    "京都府",
    "大阪府",
    "兵庫県",
    "奈良県",
    "和歌山県",
    "鳥取県",
    "島根県",
    "岡山県",
    "広島県",
    "山口県",
    "徳島県",
    "香川県",
    "愛媛県",
    "高知県",
    "福岡県",
    "佐賀県",
    "長崎県",
    "熊本県",
    "大分県",
    "宮崎県",
    "鹿児島県",
    "沖縄県",
];

const MAX_FIELD_CHARS: usize = 500;
const MAX_NOTES_CHARS: usize = 20_000;
const MAX_TAGS: usize = 100;

/// A lead input that passed validation: trimmed display values plus their keys.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ValidLead {
    pub family_name: String,
    pub given_name: String,
    pub family_reading: String,
    pub given_reading: String,
    pub company_name: String,
    pub company_reading: String,
    pub department: String,
    pub title: String,
    pub email: String,
    pub phone: String,
    pub mobile: String,
    pub postal_code: String,
    pub prefecture: String,
    pub address: String,
    pub website: String,
    pub notes: String,
    pub source: String,
    pub tags: Vec<String>,
    pub keys: LeadKeys,
}

/// The normalised keys stored beside a lead's display values.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LeadKeys {
    pub name_key: String,
    pub reading_key: String,
    pub sort_name_key: String,
    pub email_key: String,
    pub phone_key: String,
    pub mobile_key: String,
    pub search_text: String,
}

impl LeadKeys {
    /// Computes the keys; `company` is the company's display name (its reading comes first
    /// in search text so that readings find it).
    #[allow(clippy::too_many_arguments)] // one argument per stored field; a struct would only rename them
    pub fn compute(
        family_name: &str,
        given_name: &str,
        family_reading: &str,
        given_reading: &str,
        company: &str,
        company_reading: &str,
        email_key: &str,
        phone_key: &str,
        mobile_key: &str,
    ) -> Self {
        let name = [family_name, given_name].concat();
        let reading = [family_reading, given_reading].concat();
        let name_key = normalize::name_key(&name);
        let reading_key = normalize::reading_key(&reading);
        let sort_name_key = if reading_key.is_empty() {
            name_key.clone()
        } else {
            reading_key.clone()
        };
        // Fields are separated by a character that search_key never produces and queries
        // cannot contain, so a trigram never spans two fields.
        let parts = [
            normalize::search_key(&name),
            normalize::search_key(&reading),
            normalize::search_key(company),
            normalize::search_key(company_reading),
            normalize::search_key(email_key),
            phone_digits(phone_key),
            phone_digits(mobile_key),
        ];
        let mut search_text = String::with_capacity(parts.iter().map(|p| p.len() + 1).sum());
        for part in parts.iter().filter(|p| !p.is_empty()) {
            if !search_text.is_empty() {
                search_text.push('\u{1F}');
            }
            search_text.push_str(part);
        }
        Self {
            name_key,
            reading_key,
            sort_name_key,
            email_key: email_key.to_string(),
            phone_key: phone_key.to_string(),
            mobile_key: mobile_key.to_string(),
            search_text,
        }
    }
}

/// Digits of an E.164 number in domestic form (+81312345678 → 0312345678), which is how
/// people type them into a search box; foreign numbers keep their country code.
fn phone_digits(e164: &str) -> String {
    match e164.strip_prefix("+81") {
        Some(rest) => format!("0{rest}"),
        None => e164.trim_start_matches('+').to_string(),
    }
}

fn clean(s: &str) -> String {
    let s = s.trim();
    // Most values have no control character: one copy instead of a push per character.
    if s.chars().any(char::is_control) {
        s.chars().filter(|c| !c.is_control()).collect()
    } else {
        s.to_owned()
    }
}

/// Validates every field and reports **all** problems at once, each at its field.
pub fn validate(input: &LeadInput) -> Result<ValidLead> {
    let mut issues: Vec<FieldIssue> = Vec::new();
    let mut text = |field: &str, value: &str, max: usize| -> String {
        let v = if field == "notes" {
            value.trim().to_string()
        } else {
            clean(value)
        };
        // A character is at least one byte: only a longer value needs counting.
        if v.len() > max && v.chars().count() > max {
            issues.push(FieldIssue::new(
                field,
                "too_long",
                format!("at most {max} characters"),
            ));
        }
        v
    };
    let mut lead = ValidLead {
        family_name: text("familyName", &input.family_name, MAX_FIELD_CHARS),
        given_name: text("givenName", &input.given_name, MAX_FIELD_CHARS),
        family_reading: text("familyReading", &input.family_reading, MAX_FIELD_CHARS),
        given_reading: text("givenReading", &input.given_reading, MAX_FIELD_CHARS),
        company_name: text("companyName", &input.company_name, MAX_FIELD_CHARS),
        company_reading: text("companyReading", &input.company_reading, MAX_FIELD_CHARS),
        department: text("department", &input.department, MAX_FIELD_CHARS),
        title: text("title", &input.title, MAX_FIELD_CHARS),
        email: text("email", &input.email, MAX_FIELD_CHARS),
        phone: text("phone", &input.phone, MAX_FIELD_CHARS),
        mobile: text("mobile", &input.mobile, MAX_FIELD_CHARS),
        postal_code: text("postalCode", &input.postal_code, MAX_FIELD_CHARS),
        prefecture: text("prefecture", &input.prefecture, MAX_FIELD_CHARS),
        address: text("address", &input.address, MAX_FIELD_CHARS),
        website: text("website", &input.website, MAX_FIELD_CHARS),
        notes: text("notes", &input.notes, MAX_NOTES_CHARS),
        source: text("source", &input.source, MAX_FIELD_CHARS),
        tags: Vec::new(),
        keys: LeadKeys::default(),
    };

    let mut email_key = String::new();
    if !lead.email.is_empty() {
        match normalize::email(&lead.email) {
            Ok(e) => {
                email_key = e.clone();
                lead.email = e;
            }
            Err(e) => issues.push(FieldIssue::new("email", e.code, e.message)),
        }
    }
    // A valid number is stored in its usual written form (03-1234-5678), whatever way it
    // was typed (full-width, without hyphens, +81 …); the key is E.164.
    let mut phone_key = |field: &str, value: &mut String| -> String {
        if value.is_empty() {
            return String::new();
        }
        match normalize::phone(value) {
            Ok(p) => {
                *value = normalize::display_phone(&p);
                p.e164
            }
            Err(e) => {
                issues.push(FieldIssue::new(field, e.code, e.message));
                String::new()
            }
        }
    };
    let phone_e164 = phone_key("phone", &mut lead.phone);
    let mobile_e164 = phone_key("mobile", &mut lead.mobile);
    if !lead.postal_code.is_empty() {
        match normalize::postal_code(&lead.postal_code) {
            Ok(digits) => lead.postal_code = digits,
            Err(e) => issues.push(FieldIssue::new("postalCode", e.code, e.message)),
        }
    }
    if !lead.prefecture.is_empty() && !PREFECTURES.contains(&lead.prefecture.as_str()) {
        issues.push(FieldIssue::new(
            "prefecture",
            "invalid_prefecture",
            "not one of the 47 prefectures",
        ));
    }
    if lead.prefecture.is_empty() {
        if let Some(p) = prefecture_of_address(&lead.address) {
            lead.prefecture = p.to_string();
        }
    }
    if !lead.website.is_empty()
        && (lead.website.contains(char::is_whitespace) || !lead.website.contains('.'))
    {
        issues.push(FieldIssue::new(
            "website",
            "invalid_url",
            "not a web address",
        ));
    }

    let mut tags: Vec<String> = Vec::new();
    for tag in &input.tags {
        let t = clean(tag);
        if t.is_empty() || tags.contains(&t) {
            continue;
        }
        if t.chars().count() > 100 {
            issues.push(FieldIssue::new(
                "tags",
                "too_long",
                "a tag has at most 100 characters",
            ));
        }
        tags.push(t);
    }
    if tags.len() > MAX_TAGS {
        issues.push(FieldIssue::new(
            "tags",
            "too_many",
            format!("at most {MAX_TAGS} tags"),
        ));
    }
    lead.tags = tags;

    if lead.family_name.is_empty()
        && lead.given_name.is_empty()
        && lead.company_name.is_empty()
        && lead.email.is_empty()
        && !issues.iter().any(|i| i.field == "email")
    {
        issues.push(FieldIssue::new(
            "familyName",
            "required",
            "a lead needs at least a name, a company or an email",
        ));
    }
    if !issues.is_empty() {
        return Err(Error::Invalid { issues });
    }
    lead.keys = LeadKeys::compute(
        &lead.family_name,
        &lead.given_name,
        &lead.family_reading,
        &lead.given_reading,
        &lead.company_name,
        &lead.company_reading,
        &email_key,
        &phone_e164,
        &mobile_e164,
    );
    Ok(lead)
}

/// The prefecture an address starts with (東京都千代田区… → 東京都).
pub fn prefecture_of_address(address: &str) -> Option<&'static str> {
    let a = address.trim_start();
    PREFECTURES.iter().copied().find(|p| a.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> LeadInput {
        LeadInput {
            family_name: "田中".into(),
            given_name: "太郎".into(),
            family_reading: "タナカ".into(),
            given_reading: "タロウ".into(),
            company_name: "株式会社サンプル".into(),
            email: "Taro.Tanaka@Example.CO.JP".into(),
            phone: "03-1234-5678".into(),
            ..Default::default()
        }
    }

    #[test]
    fn valid_input_gets_keys() -> Result<()> {
        let v = validate(&input())?;
        assert_eq!(v.email, "taro.tanaka@example.co.jp");
        assert_eq!(v.keys.reading_key, "たなかたろう");
        assert_eq!(v.keys.sort_name_key, "たなかたろう");
        assert_eq!(v.keys.phone_key, "+81312345678");
        assert!(v.keys.search_text.contains("田中太郎"));
        assert!(v.keys.search_text.contains("0312345678"));
        Ok(())
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let bad = LeadInput {
            email: "taro@".into(),
            phone: "12".into(),
            postal_code: "〒12-34".into(),
            prefecture: "東京".into(),
            ..input()
        };
        let err = validate(&bad)
            .err()
            .map(|e| e.field_issues().to_vec())
            .unwrap_or_default();
        let fields: Vec<&str> = err.iter().map(|i| i.field.as_str()).collect();
        assert_eq!(fields, ["email", "phone", "postalCode", "prefecture"]);
        assert_eq!(err[0].code, "invalid_email");
        assert_eq!(err[1].code, "invalid_phone");
        assert_eq!(err[2].code, "invalid_postal_code");
    }

    #[test]
    fn empty_lead_is_refused() {
        let err = validate(&LeadInput::default())
            .err()
            .map(|e| e.field_issues().to_vec());
        assert_eq!(err.map(|i| i[0].code.clone()), Some("required".to_string()));
    }

    #[test]
    fn hostile_text_is_cleaned_or_refused() -> Result<()> {
        let v = validate(&LeadInput {
            family_name: " 田中\u{0}\u{7} ".into(),
            ..Default::default()
        })?;
        assert_eq!(v.family_name, "田中");
        let long = LeadInput {
            family_name: "あ".repeat(501),
            ..Default::default()
        };
        let issues = validate(&long)
            .err()
            .map(|e| e.field_issues().to_vec())
            .unwrap_or_default();
        assert_eq!(issues[0].code, "too_long");
        Ok(())
    }

    #[test]
    fn prefecture_is_taken_from_the_address() -> Result<()> {
        let v = validate(&LeadInput {
            address: "神奈川県横浜市西区みなとみらい2-2-1".into(),
            ..input()
        })?;
        assert_eq!(v.prefecture, "神奈川県");
        Ok(())
    }
}
