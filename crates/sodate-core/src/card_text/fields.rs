//! The field rules: which clean line is the e-mail, the phones, the address, the company,
//! the title and department, the name and its readings (the order is in the module doc).

use crate::card_fields::CardFields;
use crate::import::split_full_name;
use crate::leads::PREFECTURES;
use crate::normalize::{self, display_phone, format_postal_code, has_corporate_form};

use super::clean::{is_japanese, is_kana, Line};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum PhoneKind {
    Phone,
    Mobile,
    Fax,
}

/// Phone labels, longest first at each position. Single letters count only when they stand
/// alone before the number (`T 03-…`, `M.090-…`).
const PHONE_LABELS: &[(&str, PhoneKind)] = &[
    ("携帯電話", PhoneKind::Mobile),
    ("携帯", PhoneKind::Mobile),
    ("Mobile", PhoneKind::Mobile),
    ("MOBILE", PhoneKind::Mobile),
    ("mobile", PhoneKind::Mobile),
    ("Mob", PhoneKind::Mobile),
    ("Cell", PhoneKind::Mobile),
    ("CELL", PhoneKind::Mobile),
    ("M", PhoneKind::Mobile),
    ("FAX", PhoneKind::Fax),
    ("Fax", PhoneKind::Fax),
    ("fax", PhoneKind::Fax),
    ("F", PhoneKind::Fax),
    ("電話番号", PhoneKind::Phone),
    ("電話", PhoneKind::Phone),
    ("直通", PhoneKind::Phone),
    ("代表", PhoneKind::Phone),
    ("TEL", PhoneKind::Phone),
    ("Tel", PhoneKind::Phone),
    ("tel", PhoneKind::Phone),
    ("Phone", PhoneKind::Phone),
    ("PHONE", PhoneKind::Phone),
    ("Direct", PhoneKind::Phone),
    ("T", PhoneKind::Phone),
    ("P", PhoneKind::Phone),
];

/// Title words, matched at the end of a Japanese line (longest first).
const JA_TITLES: &[&str] = &[
    "代表取締役社長",
    "代表取締役会長",
    "代表取締役副社長",
    "代表取締役",
    "取締役副社長",
    "専務取締役",
    "常務取締役",
    "取締役",
    "執行役員",
    "代表理事",
    "理事長",
    "理事",
    "会長",
    "副社長",
    "社長",
    "事業部長",
    "本部長",
    "部長代理",
    "副部長",
    "部長",
    "次長",
    "課長代理",
    "課長補佐",
    "課長",
    "係長",
    "室長",
    "所長",
    "支店長",
    "店長",
    "センター長",
    "グループ長",
    "主任",
    "主査",
    "主事",
    "監査役",
    "顧問",
    "研究員",
    "担当",
    "シニアマネージャー",
    "ゼネラルマネージャー",
    "マネージャー",
    "マネジャー",
    "リーダー",
    "チーフ",
    "ディレクター",
    "プロデューサー",
    "エンジニア",
    "デザイナー",
    "コンサルタント",
    "スペシャリスト",
    "アナリスト",
    "プランナー",
    "CEO",
    "CTO",
    "CFO",
    "COO",
    "CMO",
    "CIO",
];

/// Title words in English, matched as whole words in any case.
const EN_TITLES: &[&str] = &[
    "president",
    "ceo",
    "cto",
    "cfo",
    "coo",
    "cmo",
    "cio",
    "director",
    "manager",
    "engineer",
    "designer",
    "consultant",
    "specialist",
    "analyst",
    "officer",
    "head",
    "lead",
    "leader",
    "representative",
    "executive",
    "founder",
    "partner",
    "chief",
    "coordinator",
    "planner",
    "producer",
    "chairman",
    "secretary",
    "architect",
    "scientist",
    "developer",
];

/// Unit words a department ends with (Japanese).
const JA_UNITS: &[&str] = &[
    "部",
    "課",
    "室",
    "本部",
    "事業部",
    "グループ",
    "チーム",
    "センター",
    "研究所",
    "支店",
    "営業所",
    "工場",
    "局",
    "係",
    "ユニット",
    "支社",
    "事業所",
];

/// Unit words of a department in English, whole words in any case.
const EN_UNITS: &[&str] = &[
    "department",
    "dept",
    "division",
    "group",
    "team",
    "section",
    "unit",
    "center",
    "centre",
    "lab",
    "laboratory",
    "office",
    "bureau",
];

/// Building and floor words that continue an address on the next line.
const BUILDING_WORDS: &[&str] = &[
    "ビル",
    "階",
    "タワー",
    "号館",
    "棟",
    "号室",
    "Bldg",
    "Building",
    "Floor",
    "Tower",
    "F",
];

const TLDS: &[&str] = &[
    ".jp", ".com", ".net", ".org", ".io", ".co", ".biz", ".info", ".ai", ".dev", ".tokyo",
];

pub(super) fn split(mut lines: Vec<Line>) -> CardFields {
    let mut f = CardFields::default();
    take_emails(&mut lines, &mut f);
    take_urls(&mut lines, &mut f);
    take_phones(&mut lines, &mut f);
    take_address(&mut lines, &mut f);
    take_company(&mut lines, &mut f);
    take_title_and_department(&mut lines, &mut f);
    take_name(&mut lines, &mut f);
    for line in lines
        .iter()
        .filter(|l| !l.used && l.text.chars().filter(|c| c.is_alphanumeric()).count() >= 2)
    {
        push_note(&mut f, &line.text);
    }
    f
}

fn is_local_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-')
}

fn is_domain_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-')
}

/// Spaces OCR put around `@` and `.` in an address removed; `(at)` and `©` read as `@`.
fn tighten_address(text: &str) -> String {
    // A comma read for the dot before a top-level domain (`example,jp`).
    let text = &TLDS.iter().fold(text.to_string(), |t, tld| {
        t.replace(&format!(",{}", tld.trim_start_matches('.')), tld)
    });
    let t = text
        .replace("(at)", "@")
        .replace("[at]", "@")
        .replace(['©', '＠'], "@");
    let chars: Vec<char> = t.chars().collect();
    let mut out = String::with_capacity(t.len());
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let before = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
            let after = chars.get(i + 1).copied();
            if matches!(before, Some('@' | '.')) || matches!(after, Some('@' | '.')) {
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// What OCR makes of `@` between an address's local part and its domain: `(の`, `の`,
/// `(@の` … (⑦ was turned into `@` when the line was cleaned). A run of these between two
/// address characters becomes one `@`.
fn mend_at_sign(text: &str) -> String {
    // Spaces too: the words' join may have put one around the Japanese の.
    let is_confusion = |c: char| matches!(c, '(' | 'の' | '@' | '©' | '®' | ' ');
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let start = chars
            .get(..i)
            .unwrap_or_default()
            .iter()
            .rposition(|&p| p != ' ')
            .map_or(0, |p| p + 1);
        let after_local = start > 0 && chars.get(start - 1).is_some_and(|&p| is_local_char(p));
        if is_confusion(c) && c != ' ' && after_local {
            let end = i + chars
                .get(i..)
                .map_or(0, |r| r.iter().take_while(|&&c| is_confusion(c)).count());
            if chars.get(end).is_some_and(|&n| n.is_ascii_alphanumeric()) {
                let mut out: String = chars.get(..start).unwrap_or_default().iter().collect();
                out.push('@');
                out.extend(chars.get(end..).unwrap_or_default());
                return out;
            }
            i = end;
        } else {
            i += 1;
        }
    }
    text.to_string()
}

fn email_in(text: &str) -> Option<String> {
    let t = mend_at_sign(&tighten_address(text));
    let at = t.find('@')?;
    let local_rev: String = t
        .get(..at)?
        .chars()
        .rev()
        .take_while(|&c| is_local_char(c))
        .collect();
    let mut local: String = local_rev.chars().rev().collect();
    for label in ["e-mail", "email", "mail"] {
        if local.len() > label.len() && local.to_ascii_lowercase().starts_with(label) {
            let text_lower = t.to_ascii_lowercase();
            // Only a label glued to the address (`E-mailtaro@…`), not an address like
            // `mail@…` or `mailbox@…` on its own.
            if text_lower.trim_start().starts_with(label) {
                local = local.get(label.len()..).unwrap_or_default().to_string();
            }
            break;
        }
    }
    let local = local.trim_start_matches(['.', '-', '+']);
    let domain: String = t
        .get(at + 1..)?
        .chars()
        .take_while(|&c| is_domain_char(c))
        .collect();
    let domain = domain.trim_end_matches(['.', '-']);
    // `.co.p` / `.or.p`: the j of a Japanese second-level domain lost.
    let mended = ["co", "or", "ne", "ac", "go", "ad"].iter().find_map(|sld| {
        domain
            .strip_suffix(&format!(".{sld}.p"))
            .map(|d| format!("{d}.{sld}.jp"))
    });
    let domain = mended.as_deref().unwrap_or(domain);
    if local.is_empty() || domain.is_empty() {
        return None;
    }
    normalize::email(&format!("{local}@{domain}")).ok()
}

fn take_emails(lines: &mut [Line], f: &mut CardFields) {
    for line in lines.iter_mut() {
        if let Some(email) = email_in(&line.text) {
            line.used = true;
            if f.email.is_empty() {
                f.email = email;
            } else if !f.note.contains(&email) {
                push_note(f, &email);
            }
        }
    }
}

fn push_note(f: &mut CardFields, text: &str) {
    if !f.note.is_empty() {
        f.note.push('\n');
    }
    f.note.push_str(text);
}

fn url_in(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let labelled = ["url", "web", "hp", "homepage", "website"]
        .iter()
        .any(|l| lower.trim_start().starts_with(l));
    let start = lower
        .find("http")
        .or_else(|| lower.find("www"))
        .or_else(|| {
            if labelled {
                // After the label and its colon.
                lower.find(':').map(|i| i + 1)
            } else {
                None
            }
        })?;
    let tail = tighten_address(text.get(start..)?);
    let url: String = tail
        .trim_start()
        .chars()
        .take_while(|&c| c.is_ascii_graphic() && c != '@')
        .collect();
    let url = mend_url(url.trim_end_matches(['.', ',', ')']));
    let url = url.as_str();
    let host = url
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let tld_ok = TLDS
        .iter()
        .any(|t| host.ends_with(t) || host.contains(&format!("{t}.")));
    (host.contains('.') && tld_ok && host.len() >= 4).then(|| url.to_string())
}

/// `https:/x` and `https:/7x` (OCR's reading of `//`) → `https://x`; `wwW.`/`wwWW.` →
/// `www.`; the host in lower case (paths keep their case).
fn mend_url(url: &str) -> String {
    let (scheme, rest) = match url.find(':') {
        Some(i)
            if url.get(..i).is_some_and(|s| {
                s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https")
            }) =>
        {
            let rest = url.get(i + 1..).unwrap_or_default();
            let rest = rest.trim_start_matches(['/', '7', '\\']);
            (
                format!(
                    "{}://",
                    url.get(..i).unwrap_or_default().to_ascii_lowercase()
                ),
                rest,
            )
        }
        _ => (String::new(), url),
    };
    let (host, path) = match rest.find('/') {
        Some(i) => (
            rest.get(..i).unwrap_or_default(),
            rest.get(i..).unwrap_or_default(),
        ),
        None => (rest, ""),
    };
    let mut host = host.to_ascii_lowercase();
    let ws = host.chars().take_while(|&c| c == 'w').count();
    if (3..=5).contains(&ws) && host.get(ws..).is_some_and(|r| r.starts_with('.')) {
        host = format!("www{}", host.get(ws..).unwrap_or_default());
    }
    format!("{scheme}{host}{path}")
}

fn take_urls(lines: &mut [Line], f: &mut CardFields) {
    for line in lines.iter_mut().filter(|l| !l.used) {
        if let Some(url) = url_in(&line.text) {
            line.used = true;
            if f.url.is_empty() {
                f.url = url;
            } else {
                push_note(f, &url);
            }
        }
    }
}

/// The OCR reading of a character inside a phone number: the digit it stands for, a
/// separator (`Some(' ')`), or `None` where the number ends.
fn phone_char(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        'O' | 'o' | 'D' | 'Q' | 'U' => Some('0'),
        'l' | 'I' | '|' | 'i' | '!' => Some('1'),
        'S' => Some('5'),
        'B' => Some('8'),
        '-' | '‐' | '‑' | '−' | '–' | '—' | 'ー' | '一' | '~' | '.' | ' ' | '(' | ')' | '+' => {
            Some(' ')
        }
        _ => None,
    }
}

/// The phone number at the start of `s` (after a label), in display form.
fn phone_at(s: &str) -> Option<(String, usize)> {
    let lead = s
        .char_indices()
        .find(|&(_, c)| !matches!(c, ':' | ' ' | '.' | ')' | ']' | '】' | '」' | '/'))
        .map_or(s.len(), |(i, _)| i);
    let body = s.get(lead..)?;
    let mut raw = String::new();
    let mut digits = 0;
    // Letters read for digits (O, l …) may be a few of them, not most (`T Tokyo`).
    let mut real_digits = 0;
    let mut end = lead;
    for (i, c) in body.char_indices() {
        let Some(p) = phone_char(c) else { break };
        if p == ' ' {
            raw.push(if c == '+' || c == '(' || c == ')' {
                c
            } else {
                '-'
            });
        } else {
            if c.is_ascii_digit() {
                real_digits += 1;
            }
            raw.push(p);
            digits += 1;
        }
        end = lead + i + c.len_utf8();
        if digits >= 11
            && matches!(
                body.get(i + c.len_utf8()..).and_then(|r| r.chars().next()),
                Some(' ')
            )
        {
            break;
        }
    }
    let raw = raw.trim_matches(|c| c == '-' || c == ' ');
    if !(9..=13).contains(&digits) || real_digits * 2 < digits {
        return None;
    }
    let shown = shown_phone(raw).or_else(|| {
        // One or two letters read as extra digits (0UO0 → 0000): try without them.
        let body: Vec<char> = body.get(..end - lead).unwrap_or_default().chars().collect();
        let letters: Vec<usize> = body
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.is_ascii_digit() && phone_char(**c).is_some_and(|p| p != ' '))
            .map(|(i, _)| i)
            .collect();
        let without = |skip: &[usize]| -> Option<String> {
            let kept: String = body
                .iter()
                .enumerate()
                .filter(|(i, _)| !skip.contains(i))
                .filter_map(|(_, &c)| phone_char(c).map(|p| if p == ' ' { '-' } else { p }))
                .collect();
            shown_phone(kept.trim_matches('-'))
        };
        letters.iter().find_map(|&a| without(&[a])).or_else(|| {
            letters
                .iter()
                .enumerate()
                .find_map(|(n, &a)| letters.get(n + 1..)?.iter().find_map(|&b| without(&[a, b])))
        })
    })?;
    Some((shown, end))
}

/// A read number as the card groups it (`0263-35-6600`, separators made hyphens) when it
/// is a valid Japanese number written in groups; else the display form (`+81 3 …` →
/// `03-…`, international numbers in E.164).
fn shown_phone(raw: &str) -> Option<String> {
    let phone = normalize::phone(raw).ok()?;
    let groups: Vec<&str> = raw
        .split(|c: char| !c.is_ascii_digit())
        .filter(|g| !g.is_empty())
        .collect();
    let domestic = raw.starts_with('0') && !raw.starts_with("00");
    if domestic && (3..=4).contains(&groups.len()) {
        return Some(groups.join("-"));
    }
    Some(display_phone(&phone))
}

fn is_alpha(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_ascii_alphabetic())
}

/// Labels found in `text`: `(byte offset, label length, kind)`, left to right.
fn phone_labels(text: &str) -> Vec<(usize, usize, PhoneKind)> {
    let mut found = Vec::new();
    let mut skip_to = 0;
    for (i, _) in text.char_indices() {
        if i < skip_to {
            continue;
        }
        let rest = text.get(i..).unwrap_or_default();
        let before = text.get(..i).and_then(|b| b.chars().last());
        for &(label, kind) in PHONE_LABELS {
            if !rest.starts_with(label) {
                continue;
            }
            let after = rest.get(label.len()..).and_then(|a| a.chars().next());
            let latin = label.is_ascii();
            if latin && (is_alpha(before) || is_alpha(after)) {
                continue;
            }
            if label.len() == 1 && !matches!(after, Some(':' | '.' | ' ' | '(' | '+' | '0'..='9')) {
                continue;
            }
            found.push((i, label.len(), kind));
            skip_to = i + label.len();
            break;
        }
    }
    found
}

fn is_mobile_number(shown: &str) -> bool {
    ["070", "080", "090", "+8170", "+8180", "+8190"]
        .iter()
        .any(|p| shown.starts_with(p))
}

fn set_phone(f: &mut CardFields, kind: PhoneKind, shown: String) {
    let slot = match kind {
        PhoneKind::Phone => &mut f.phone,
        PhoneKind::Mobile => &mut f.mobile,
        PhoneKind::Fax => &mut f.fax,
    };
    if slot.is_empty() {
        *slot = shown;
    } else if *slot != shown {
        push_note(f, &shown);
    }
}

fn take_phones(lines: &mut [Line], f: &mut CardFields) {
    for line in lines.iter_mut().filter(|l| !l.used) {
        let text = line.text.clone();
        if text.contains('〒') {
            continue;
        }
        let labels = phone_labels(&text);
        let mut found = false;
        for (n, &(at, len, kind)) in labels.iter().enumerate() {
            let until = labels.get(n + 1).map_or(text.len(), |&(next, _, _)| next);
            let Some(segment) = text.get(at + len..until) else {
                continue;
            };
            if let Some((shown, _)) = phone_at(segment) {
                set_phone(f, kind, shown);
                found = true;
            }
        }
        if !found && labels.is_empty() {
            let starts_number = text
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit() || c == '+' || c == '(');
            if starts_number {
                if let Some((shown, end)) = phone_at(&text) {
                    // The number must be most of the line (not a postal code and address).
                    if end * 10 >= text.len() * 7 {
                        let kind = if is_mobile_number(&shown) {
                            PhoneKind::Mobile
                        } else {
                            PhoneKind::Phone
                        };
                        set_phone(f, kind, shown);
                        found = true;
                    }
                }
            }
        }
        if found {
            line.used = true;
        }
    }
}

/// The postal code at the start of `s` (after 〒), and where the text after it starts.
fn postal_at(s: &str) -> Option<(String, usize)> {
    let mut raw = String::new();
    let mut end = 0;
    let mut digits = 0;
    for (i, c) in s.char_indices() {
        let d = match c {
            '0'..='9' => c,
            'O' | 'o' => '0',
            'l' | 'I' | '|' => '1',
            '-' | '‐' | '−' | '–' | 'ー' | '一' => '-',
            ' ' if digits == 0 => continue,
            _ => break,
        };
        if d.is_ascii_digit() {
            digits += 1;
        }
        raw.push(d);
        end = i + c.len_utf8();
        if digits == 7 {
            break;
        }
    }
    if digits != 7 {
        return None;
    }
    let code = normalize::postal_code(&raw).ok()?;
    Some((format_postal_code(&code), end))
}

fn strip_label<'a>(text: &'a str, labels: &[&str]) -> &'a str {
    for label in labels {
        if let Some(rest) = text.strip_prefix(label) {
            return rest.trim_start_matches([':', ' ']);
        }
    }
    text
}

fn looks_like_address(text: &str) -> bool {
    let t = text.trim();
    if PREFECTURES.iter().any(|p| t.starts_with(p)) {
        return true;
    }
    let has_digit = t.chars().any(|c| c.is_ascii_digit());
    let ja_place = ["市", "区", "町", "村", "郡", "丁目", "番地"]
        .iter()
        .any(|w| t.contains(w));
    if has_digit && ja_place && t.chars().any(is_japanese) {
        return true;
    }
    let en_place = [
        "-ku", "-shi", "-cho", "-machi", "Tokyo", "Osaka", "Japan", "Kyoto",
    ]
    .iter()
    .any(|w| t.contains(w));
    has_digit && en_place && !t.contains('@')
}

fn continues_address(text: &str) -> bool {
    let t = text.trim();
    if t.contains('@') || !phone_labels(t).is_empty() {
        return false;
    }
    BUILDING_WORDS.iter().any(|w| {
        if w.len() == 1 {
            // "5F" – a floor number.
            t.split(' ').any(|tok| {
                tok.strip_suffix(w)
                    .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
            })
        } else {
            t.contains(w)
        }
    })
}

fn take_address(lines: &mut [Line], f: &mut CardFields) {
    let mut address_at = None;
    for (i, line) in lines.iter_mut().enumerate() {
        if line.used {
            continue;
        }
        let text = strip_label(&line.text, &["住所", "所在地", "Address", "ADDRESS"]).to_string();
        let marker = text
            .char_indices()
            .find(|&(_, c)| c == '〒' || c == '干' || c == '〶')
            .map(|(i, c)| i + c.len_utf8());
        let after_postal = match marker {
            Some(at) => text
                .get(at..)
                .and_then(postal_at)
                .map(|(code, end)| (code, at + end)),
            None => {
                if text.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                    postal_at(&text).filter(|(_, end)| {
                        text.get(*end..)
                            .is_some_and(|r| r.trim().is_empty() || looks_like_address(r))
                    })
                } else {
                    None
                }
            }
        };
        if let Some((code, end)) = after_postal {
            if f.postal_code.is_empty() {
                f.postal_code = code;
            }
            line.used = true;
            let rest = text.get(end..).unwrap_or_default().trim().to_string();
            if !rest.is_empty() && f.address.is_empty() {
                f.address = rest;
                address_at = Some(i);
            }
            continue;
        }
        if f.address.is_empty() && looks_like_address(&text) {
            line.used = true;
            f.address = text.trim().to_string();
            address_at = Some(i);
        }
    }
    // A postal code alone on its line: the address is the next line.
    if f.address.is_empty() && !f.postal_code.is_empty() {
        if let Some((i, line)) = lines.iter_mut().enumerate().find(|(_, l)| {
            !l.used && l.text.chars().any(is_japanese) && l.text.chars().any(|c| c.is_ascii_digit())
        }) {
            line.used = true;
            f.address = line.text.clone();
            address_at = Some(i);
        }
    }
    if let Some(i) = address_at {
        if let Some(next) = lines.get_mut(i + 1) {
            if !next.used && continues_address(&next.text) {
                next.used = true;
                f.address.push(' ');
                f.address.push_str(next.text.trim());
            }
        }
    }
}

/// The company name on a line with a corporate form, without a logo read as one or two
/// stray characters before it (`贈 株式会社サンプル`, `上記 Bright Path K.K.`).
fn company_of(text: &str) -> String {
    if let Some((head, rest)) = text.split_once(' ') {
        let junk = head.chars().count() <= 2 && head.chars().all(is_japanese);
        if junk && has_corporate_form(rest) {
            return rest.trim().to_string();
        }
    }
    // Glued to it: only before a form that starts the name (贈株式会社…).
    for skip in 1..=2 {
        let rest: String = text.chars().skip(skip).collect();
        let head_japanese = text.chars().take(skip).all(is_japanese);
        let form_first = ["株式会社", "有限会社", "合同会社", "(株)", "(有)"]
            .iter()
            .any(|f| rest.starts_with(f));
        if head_japanese && form_first && !has_corporate_form(text) {
            return rest;
        }
    }
    text.to_string()
}

fn take_company(lines: &mut [Line], f: &mut CardFields) {
    let candidates: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| !l.used && has_corporate_form(&company_of(&l.text)))
        .map(|(i, _)| i)
        .collect();
    let chosen = candidates
        .iter()
        .copied()
        .find(|&i| {
            lines
                .get(i)
                .is_some_and(|l| l.text.chars().any(is_japanese))
        })
        .or_else(|| candidates.first().copied());
    let Some(chosen) = chosen else { return };
    for &i in &candidates {
        let Some(line) = lines.get_mut(i) else {
            continue;
        };
        line.used = true;
        if i == chosen {
            f.company = company_of(&line.text);
        } else {
            push_note(f, &line.text.clone());
        }
    }
}

fn ends_with_unit(text: &str) -> bool {
    let t = text.trim();
    JA_UNITS.iter().any(|u| t.ends_with(u))
}

fn en_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

fn has_en_word(text: &str, list: &[&str]) -> bool {
    en_words(text).iter().any(|w| list.contains(&w.as_str()))
}

/// `(department, title)` of a line, when it holds either.
fn title_and_department(text: &str) -> Option<(String, String)> {
    let t = text.trim();
    if t.chars().any(is_japanese) {
        // The longest title word the line ends with; the department is what precedes it.
        let title = JA_TITLES
            .iter()
            .filter(|w| t.ends_with(*w))
            .max_by_key(|w| w.len());
        if let Some(title_word) = title {
            let head = t
                .get(..t.len() - title_word.len())
                .unwrap_or_default()
                .trim();
            // Title words before the matched one belong to the title (取締役 営業本部長 is
            // rare; 営業部 部長 is the common case).
            let (dept, title) = match head.rfind(' ') {
                Some(sp) if !ends_with_unit(head) => {
                    let before = head.get(..sp).unwrap_or_default().trim();
                    let between = head.get(sp..).unwrap_or_default().trim();
                    (before.to_string(), format!("{between}{title_word}"))
                }
                _ => (head.to_string(), (*title_word).to_string()),
            };
            return Some((dept, title));
        }
        if ends_with_unit(t) || JA_UNITS.iter().any(|u| t.contains(&format!("{u} "))) {
            return Some((t.to_string(), String::new()));
        }
        return None;
    }
    let parts: Vec<&str> = t
        .split([',', '/', '|'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let mut dept = Vec::new();
    let mut title = Vec::new();
    for part in parts {
        if has_en_word(part, EN_TITLES) {
            title.push(part);
        } else if has_en_word(part, EN_UNITS) {
            dept.push(part);
        }
    }
    if dept.is_empty() && title.is_empty() {
        return None;
    }
    Some((dept.join(", "), title.join(", ")))
}

fn take_title_and_department(lines: &mut [Line], f: &mut CardFields) {
    for line in lines.iter_mut().filter(|l| !l.used) {
        if line.text.chars().any(|c| c.is_ascii_digit()) {
            continue;
        }
        let Some((dept, title)) = title_and_department(&line.text) else {
            continue;
        };
        // A second (English) title or department under the Japanese one goes to the note.
        let dept_free = f.department.is_empty() || dept.is_empty();
        let title_free = f.title.is_empty() || title.is_empty();
        if !(dept_free && title_free) {
            continue;
        }
        line.used = true;
        if !dept.is_empty() {
            f.department = dept;
        }
        if !title.is_empty() {
            f.title = title;
        }
    }
}

fn is_latin_name_word(w: &str) -> bool {
    !w.is_empty()
        && w.chars()
            .all(|c| c.is_ascii_alphabetic() || matches!(c, '.' | '-' | '\''))
        && w.chars().next().is_some_and(|c| c.is_ascii_uppercase())
}

/// A line that could be a person's name: two to four capitalised Latin words, or two to
/// ten Japanese characters with a kanji (a kana-only line is a reading or a brand).
fn looks_like_name(text: &str) -> bool {
    let t = text.trim();
    if t.chars()
        .any(|c| c.is_ascii_digit() || matches!(c, '@' | ':' | '/' | '〒'))
    {
        return false;
    }
    if t.chars().any(is_japanese) {
        let chars: Vec<char> = t.chars().filter(|c| !c.is_whitespace()).collect();
        let all_japanese = chars.iter().all(|&c| is_japanese(c) || c == '・');
        let has_kanji = chars
            .iter()
            .any(|&c| ('\u{4E00}'..='\u{9FFF}').contains(&c));
        return all_japanese && has_kanji && (2..=10).contains(&chars.len());
    }
    let words: Vec<&str> = t.split(' ').filter(|w| !w.is_empty()).collect();
    (2..=4).contains(&words.len()) && words.iter().all(|w| is_latin_name_word(w))
}

fn is_reading(text: &str) -> bool {
    let chars: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
    chars.len() >= 2 && chars.iter().all(|&c| is_kana(c) || c == '・')
}

fn take_name(lines: &mut [Line], f: &mut CardFields) {
    let name_at = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| !l.used && looks_like_name(&l.text))
        // Tallest first; the first such line on a tie (and without geometry).
        .fold(None::<(usize, f64)>, |best, (i, l)| match best {
            Some((_, h)) if h >= l.height => best,
            _ => Some((i, l.height)),
        })
        .map(|(i, _)| i);
    let Some(name_at) = name_at else { return };
    let Some(name_line) = lines.get_mut(name_at) else {
        return;
    };
    name_line.used = true;
    let name = name_line.text.clone();
    let (top, bottom, height) = (name_line.top, name_line.bottom, name_line.height);
    let (family, given) = split_full_name(&name);
    f.family_name = family;
    f.given_name = given;

    let japanese_name = name.chars().any(is_japanese);
    // The nearest unused line that is a reading, within three name heights (or the next
    // line either way when there is no geometry).
    let near = |i: usize, l: &Line| -> Option<f64> {
        if height > 0.0 {
            let d = if l.top >= bottom {
                l.top - bottom
            } else {
                (top - l.bottom).max(0.0)
            };
            (d <= 3.0 * height).then_some(d)
        } else {
            let d = i.abs_diff(name_at);
            (d == 1).then_some(0.0)
        }
    };
    let pick = |lines: &[Line], want: &dyn Fn(&str) -> bool| -> Option<usize> {
        lines
            .iter()
            .enumerate()
            .filter(|(_, l)| !l.used && want(&l.text))
            .filter_map(|(i, l)| near(i, l).map(|d| (i, d)))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(i, _)| i)
    };
    let reading_at = pick(lines, &is_reading).or_else(|| {
        if japanese_name {
            pick(lines, &|t: &str| {
                !t.chars().any(is_japanese) && looks_like_name(t)
            })
        } else {
            None
        }
    });
    if let Some(i) = reading_at {
        if let Some(line) = lines.get_mut(i) {
            line.used = true;
            let (fr, gr) = split_full_name(&line.text);
            f.family_reading = fr;
            f.given_reading = gr;
        }
    }
    if let Some(surname) = super::surname::mend_by_reading(&f.family_name, &f.family_reading) {
        f.family_name = surname.to_string();
    }
}
