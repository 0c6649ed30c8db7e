//! Comparing two leads: the facts loaded for each, and the points every piece of evidence
//! adds or takes away.
//!
//! The reason codes and their points are listed in the documentation of [`super`].
//!
//! The confidence is the sum clamped to 0..=100. Missing values (no reading, no phone)
//! are neither evidence for nor against.

use std::collections::{BTreeMap, HashMap};

use rusqlite::{Connection, OptionalExtension};

use super::similarity::{jaro_winkler, levenshtein_similarity};
use super::{CandidatePair, Reason};
use crate::normalize;
use crate::{Error, Result};

/// What the comparison needs to know about one lead.
#[derive(Debug, Clone, Default)]
pub(crate) struct Facts {
    pub id: i64,
    pub family_name: String,
    pub given_name: String,
    pub family_reading: String,
    pub given_reading: String,
    pub name_key: String,
    pub reading_key: String,
    pub emails: Vec<String>,
    pub phone_key: String,
    pub mobile_key: String,
    pub phones: Vec<String>,
    pub company_id: Option<i64>,
    pub company_name: String,
    pub company_key: String,
    pub company_domain: String,
}

impl Facts {
    pub(crate) fn display_name(&self) -> String {
        match (self.family_name.is_empty(), self.given_name.is_empty()) {
            (false, false) => format!("{} {}", self.family_name, self.given_name),
            _ => format!("{}{}", self.family_name, self.given_name),
        }
    }
}

pub(crate) const FACTS_SQL: &str = "SELECT l.id, l.family_name, l.given_name, l.family_reading,
        l.given_reading, l.name_key, l.reading_key, l.email_key, l.phone_key, l.mobile_key,
        l.company_id, c.name, c.name_key, c.domain
    FROM leads l LEFT JOIN companies c ON c.id = l.company_id WHERE l.id = ?1";

/// Secondary e-mails and phones by lead: (is an e-mail, normalised value).
pub(crate) type Contacts = HashMap<i64, Vec<(bool, String)>>;

/// Loads one lead's facts, with its secondary e-mails and phones from `lead_contacts`
/// (taken from `contacts` when given: all of them, read once by a scan).
pub(crate) fn load(conn: &Connection, id: i64, contacts: Option<&Contacts>) -> Result<Facts> {
    let mut stmt = conn.prepare_cached(FACTS_SQL)?;
    let facts = stmt
        .query_row([id], |r| {
            Ok(Facts {
                id: r.get(0)?,
                family_name: r.get(1)?,
                given_name: r.get(2)?,
                family_reading: r.get(3)?,
                given_reading: r.get(4)?,
                name_key: r.get(5)?,
                reading_key: r.get(6)?,
                emails: vec![r.get::<_, String>(7)?],
                phone_key: r.get(8)?,
                mobile_key: r.get(9)?,
                phones: Vec::new(),
                company_id: r.get(10)?,
                company_name: r.get::<_, Option<String>>(11)?.unwrap_or_default(),
                company_key: r.get::<_, Option<String>>(12)?.unwrap_or_default(),
                company_domain: r.get::<_, Option<String>>(13)?.unwrap_or_default(),
            })
        })
        .optional()?;
    let mut facts = facts.ok_or(Error::NotFound { entity: "lead", id })?;
    facts.phones = vec![facts.phone_key.clone(), facts.mobile_key.clone()];
    let extra: Vec<(bool, String)> = match contacts {
        Some(all) => all.get(&id).cloned().unwrap_or_default(),
        None => {
            let mut stmt = conn.prepare_cached(
                "SELECT kind = 'email', value_key FROM lead_contacts WHERE lead_id = ?1 AND value_key <> ''",
            )?;
            let rows = stmt.query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        }
    };
    for (is_email, value) in extra {
        if is_email {
            facts.emails.push(value);
        } else {
            facts.phones.push(value);
        }
    }
    facts.emails.retain(|e| !e.is_empty());
    facts.phones.retain(|p| !p.is_empty());
    Ok(facts)
}

fn reason(code: &str, points: i32, params: &[(&str, String)], message: String) -> Reason {
    Reason {
        code: code.to_string(),
        points,
        params: params
            .iter()
            .map(|(k, v)| ((*k).to_string(), v.clone()))
            .collect::<BTreeMap<_, _>>(),
        message,
    }
}

/// Local part of a normalised address without trailing digits and separators
/// (`taro.yamada42` → `taro.yamada`, then `taroyamada`).
fn local_stem(email: &str) -> String {
    let local = email.split('@').next().unwrap_or("");
    local
        .trim_end_matches(|c: char| c.is_ascii_digit())
        .chars()
        .filter(|c| !matches!(c, '.' | '_' | '-' | '+'))
        .collect()
}

fn local_part(email: &str) -> &str {
    email.split('@').next().unwrap_or("")
}

fn email_evidence(a: &Facts, b: &Facts, out: &mut Vec<Reason>) {
    if let Some(shared) = a.emails.iter().find(|e| b.emails.contains(e)) {
        out.push(reason(
            "same_email",
            50,
            &[("email", shared.clone())],
            format!("same e-mail address {shared} (ignoring case and width)"),
        ));
        return;
    }
    if a.emails.is_empty() || b.emails.is_empty() {
        return;
    }
    for x in &a.emails {
        for y in &b.emails {
            let (sx, sy) = (local_stem(x), local_stem(y));
            let alike =
                (sx.len() >= 3 && sx == sy) || jaro_winkler(local_part(x), local_part(y)) >= 0.92;
            if alike {
                out.push(reason(
                    "similar_email",
                    20,
                    &[("a", x.clone()), ("b", y.clone())],
                    format!("similar e-mail addresses {x} and {y}"),
                ));
                return;
            }
        }
    }
    out.push(reason(
        "different_email",
        -10,
        &[("a", a.emails[0].clone()), ("b", b.emails[0].clone())],
        format!(
            "different e-mail addresses {} and {}",
            a.emails[0], b.emails[0]
        ),
    ));
}

fn phone_evidence(a: &Facts, b: &Facts, out: &mut Vec<Reason>) {
    if let Some(shared) = a.phones.iter().find(|p| b.phones.contains(p)) {
        out.push(reason(
            "same_phone",
            35,
            &[("phone", shared.clone())],
            format!("same phone number {shared}"),
        ));
        return;
    }
    let differ = |x: &str, y: &str| !x.is_empty() && !y.is_empty() && x != y;
    let pair = if differ(&a.phone_key, &b.phone_key) {
        Some((&a.phone_key, &b.phone_key))
    } else if differ(&a.mobile_key, &b.mobile_key) {
        Some((&a.mobile_key, &b.mobile_key))
    } else {
        None
    };
    if let Some((x, y)) = pair {
        out.push(reason(
            "different_phone",
            -30,
            &[("a", x.clone()), ("b", y.clone())],
            format!("different phone numbers {x} and {y}"),
        ));
    }
}

fn is_latin(s: &str) -> bool {
    s.is_ascii()
}

fn name_evidence(a: &Facts, b: &Facts, out: &mut Vec<Reason>) {
    if a.name_key.is_empty() || b.name_key.is_empty() {
        return;
    }
    let (name_a, name_b) = (a.display_name(), b.display_name());
    if a.name_key == b.name_key {
        let written = |s: &str| -> String {
            normalize::nfkc(s)
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect()
        };
        let (written_a, written_b) = (written(&name_a), written(&name_b));
        let folds = |s: &String| normalize::fold_itaiji(s) != *s;
        if written_a != written_b && (folds(&written_a) || folds(&written_b)) {
            out.push(reason(
                "name_itaiji",
                25,
                &[("a", name_a.clone()), ("b", name_b.clone())],
                format!("same name written with variant kanji: {name_a} = {name_b}"),
            ));
        } else {
            out.push(reason(
                "same_name",
                25,
                &[("name", name_a.clone())],
                format!("same name {name_a}"),
            ));
        }
        return;
    }
    if is_latin(&a.name_key) != is_latin(&b.name_key) {
        // 山田太郎 and Taro Yamada: not comparable character by character.
        return;
    }
    let family_a = normalize::name_key(&a.family_name);
    let family_b = normalize::name_key(&b.family_name);
    let given_a = normalize::name_key(&a.given_name);
    let given_b = normalize::name_key(&b.given_name);
    let score = jaro_winkler(&a.name_key, &b.name_key);
    if !given_a.is_empty()
        && given_a == given_b
        && family_a.chars().count() == family_b.chars().count()
        && family_a.chars().any(|c| family_b.contains(c))
    {
        // 斉藤 / 齋藤 / 斎藤: other kanji for the same family name, a classic duplicate.
        let (ra, rb) = (
            normalize::reading_key(&a.family_reading),
            normalize::reading_key(&b.family_reading),
        );
        if !ra.is_empty() && ra == rb {
            out.push(reason(
                "family_name_variant",
                15,
                &[
                    ("a", a.family_name.clone()),
                    ("b", b.family_name.clone()),
                    ("reading", ra.clone()),
                ],
                format!(
                    "family names {} and {} are read the same ({ra})",
                    a.family_name, b.family_name
                ),
            ));
            return;
        }
        if ra.is_empty() || rb.is_empty() {
            out.push(reason(
                "family_name_variant",
                5,
                &[
                    ("a", a.family_name.clone()),
                    ("b", b.family_name.clone()),
                    ("reading", String::new()),
                ],
                format!(
                    "family names {} and {} differ in one kanji (no reading to confirm)",
                    a.family_name, b.family_name
                ),
            ));
            return;
        }
    }
    if !family_a.is_empty()
        && family_a == family_b
        && !given_a.is_empty()
        && !given_b.is_empty()
        && jaro_winkler(&given_a, &given_b) < 0.9
    {
        out.push(reason(
            "different_given_name",
            -40,
            &[
                ("family", a.family_name.clone()),
                ("a", a.given_name.clone()),
                ("b", b.given_name.clone()),
            ],
            format!(
                "same family name {} but different given names {} and {}",
                a.family_name, a.given_name, b.given_name
            ),
        ));
    } else if score >= 0.9 {
        let shown = format!("{score:.2}");
        out.push(reason(
            "similar_name",
            10,
            &[
                ("a", name_a.clone()),
                ("b", name_b.clone()),
                ("score", shown.clone()),
            ],
            format!("similar names {name_a} and {name_b} (similarity {shown})"),
        ));
    } else {
        out.push(reason(
            "different_name",
            -40,
            &[("a", name_a.clone()), ("b", name_b.clone())],
            format!("different names {name_a} and {name_b}"),
        ));
    }
}

/// A reading as people write it, in hiragana: "たかはし ひろし".
fn shown_reading(f: &Facts) -> String {
    let family = normalize::reading_key(&f.family_reading);
    let given = normalize::reading_key(&f.given_reading);
    if family.is_empty() || given.is_empty() {
        f.reading_key.clone()
    } else {
        format!("{family} {given}")
    }
}

fn reading_evidence(a: &Facts, b: &Facts, out: &mut Vec<Reason>) {
    if a.reading_key.is_empty() || b.reading_key.is_empty() {
        return;
    }
    let (ra, rb) = (shown_reading(a), shown_reading(b));
    if a.reading_key == b.reading_key {
        out.push(reason(
            "same_reading",
            15,
            &[("reading", ra.clone())],
            format!("same reading {ra}"),
        ));
        return;
    }
    let score = levenshtein_similarity(&a.reading_key, &b.reading_key);
    if score >= 0.74 {
        let shown = format!("{score:.2}");
        out.push(reason(
            "similar_reading",
            10,
            &[
                ("a", ra.clone()),
                ("b", rb.clone()),
                ("score", shown.clone()),
            ],
            format!("readings {ra} and {rb} differ by a typo (similarity {shown})"),
        ));
    } else {
        out.push(reason(
            "different_reading",
            -20,
            &[("a", ra.clone()), ("b", rb.clone())],
            format!("different readings {ra} and {rb}"),
        ));
    }
}

fn company_evidence(a: &Facts, b: &Facts, out: &mut Vec<Reason>) {
    if a.company_id.is_none() || b.company_id.is_none() {
        return;
    }
    let (ca, cb) = (&a.company_name, &b.company_name);
    let both_domains = !a.company_domain.is_empty() && !b.company_domain.is_empty();
    if a.company_id == b.company_id
        || (!a.company_key.is_empty()
            && a.company_key == b.company_key
            && (!both_domains || a.company_domain == b.company_domain)
            && (ca == cb || !both_domains))
    {
        out.push(reason(
            "same_company",
            15,
            &[("company", ca.clone())],
            format!("same company {ca}"),
        ));
    } else if both_domains && a.company_domain == b.company_domain {
        let domain = &a.company_domain;
        out.push(reason(
            "same_company_domain",
            15,
            &[
                ("domain", domain.clone()),
                ("a", ca.clone()),
                ("b", cb.clone()),
            ],
            format!("same company domain {domain} ({ca} / {cb})"),
        ));
    } else if !a.company_key.is_empty() && a.company_key == b.company_key {
        out.push(reason(
            "same_company_name",
            0,
            &[("company", ca.clone())],
            format!(
                "same company name {ca}, but other domains ({} / {})",
                a.company_domain, b.company_domain
            ),
        ));
    } else {
        out.push(reason(
            "different_company",
            -20,
            &[("a", ca.clone()), ("b", cb.clone())],
            format!("different companies {ca} and {cb}"),
        ));
    }
}

/// Compares two leads: every reason found and the confidence (0–100) they add up to.
/// The pair is returned with the smaller id first.
pub(crate) fn compare(a: &Facts, b: &Facts) -> CandidatePair {
    let (a, b) = if a.id <= b.id { (a, b) } else { (b, a) };
    let mut reasons = Vec::with_capacity(5);
    email_evidence(a, b, &mut reasons);
    phone_evidence(a, b, &mut reasons);
    name_evidence(a, b, &mut reasons);
    reading_evidence(a, b, &mut reasons);
    company_evidence(a, b, &mut reasons);
    let total: i32 = reasons.iter().map(|r| r.points).sum();
    CandidatePair {
        a: a.id,
        b: b.id,
        a_name: a.display_name(),
        b_name: b.display_name(),
        confidence: total.clamp(0, 100) as u8,
        reasons,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead(id: i64, family: &str, given: &str, reading: &str, email: &str) -> Facts {
        Facts {
            id,
            family_name: family.into(),
            given_name: given.into(),
            name_key: normalize::name_key(&format!("{family}{given}")),
            reading_key: normalize::reading_key(reading),
            emails: vec![email.into()],
            ..Facts::default()
        }
    }

    fn codes(p: &CandidatePair) -> Vec<&str> {
        p.reasons.iter().map(|r| r.code.as_str()).collect()
    }

    #[test]
    fn local_stems_ignore_trailing_digits_and_separators() {
        assert_eq!(local_stem("taro.yamada42@gmail.com"), "taroyamada");
        assert_eq!(local_stem("taro_yamada@sample.co.jp"), "taroyamada");
        assert_eq!(local_stem(""), "");
    }

    #[test]
    fn missing_values_are_no_evidence_either_way() {
        let a = lead(1, "高橋", "博", "", "h@sample.co.jp");
        let b = lead(2, "高橋", "博", "タカハシヒロシ", "h@sample.co.jp");
        let p = compare(&b, &a);
        assert_eq!((p.a, p.b), (1, 2));
        assert_eq!(codes(&p), ["same_email", "same_name"]);
        assert_eq!(p.confidence, 75);
    }

    #[test]
    fn names_in_other_scripts_are_not_compared() {
        let a = lead(1, "山田", "太郎", "", "t@x.jp");
        let b = lead(2, "Yamada", "Taro", "", "t@x.jp");
        assert_eq!(codes(&compare(&a, &b)), ["same_email"]);
    }

    #[test]
    fn unrelated_people_score_zero() {
        let a = lead(1, "佐藤", "一郎", "さとういちろう", "ichiro@a.jp");
        let b = lead(2, "鈴木", "花子", "すずきはなこ", "hanako@b.jp");
        let p = compare(&a, &b);
        assert_eq!(
            codes(&p),
            ["different_email", "different_name", "different_reading"]
        );
        assert_eq!(p.confidence, 0);
        assert!(p
            .reasons
            .iter()
            .all(|r| r.points < 0 && !r.message.is_empty()));
    }
}
