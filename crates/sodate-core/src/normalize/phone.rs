//! Phone numbers: Japanese domestic and international numbers to E.164, with extensions.
//!
//! Hand-written rules instead of a full numbering-plan library: every lead of a million-row
//! import goes through here, and Japanese numbers need only a handful of length rules.

use super::{nfkc, FormatError, Phone};

const CODE: &str = "invalid_phone";

/// More digits than this is never a phone number: stop collecting early on huge inputs.
const MAX_DIGITS: usize = 20;
const MAX_EXTENSION_DIGITS: usize = 10;

fn err(message: impl Into<String>) -> FormatError {
    FormatError {
        code: CODE,
        message: message.into(),
    }
}

/// Markers that start an extension, matched case-insensitively after NFKC.
const EXTENSION_MARKERS: &[&str] = &["内線", "extension", "ext", "x", "#"];

/// Separators allowed between digits: spaces, hyphens and dashes of every kind (incl. the
/// long vowel mark ー and box-drawing ─, which Japanese IMEs often produce), dots, slashes
/// and ・. Brackets are handled separately.
#[inline]
fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '-' | '.' | '/' | '\u{2010}'
                ..='\u{2015}' | '\u{2212}' | '\u{2500}' | '\u{2501}' | '\u{30FB}' | '\u{30FC}'
        )
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    if head.eq_ignore_ascii_case(prefix) {
        s.get(prefix.len()..)
    } else {
        None
    }
}

/// Splits `t` into the number and its extension digits, if an extension marker is present.
fn split_extension(t: &str) -> Result<(&str, Option<String>), FormatError> {
    for (i, c) in t.char_indices() {
        if !matches!(c, '内' | 'e' | 'E' | 'x' | 'X' | '#') {
            continue;
        }
        let Some(rest) = t.get(i..) else { continue };
        let Some(tail) = EXTENSION_MARKERS
            .iter()
            .find_map(|m| strip_prefix_ci(rest, m))
        else {
            continue;
        };
        let main = t.get(..i).unwrap_or_default();
        let tail = tail.trim_start_matches(|c: char| {
            c.is_whitespace() || matches!(c, '.' | ':' | '-' | '=' | '#' | '(')
        });
        let end = tail
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(tail.len());
        let (digits, after) = tail.split_at(end);
        if digits.is_empty() {
            return Err(err("the extension marker is not followed by digits"));
        }
        if digits.len() > MAX_EXTENSION_DIGITS {
            return Err(err(format!(
                "the extension has more than {MAX_EXTENSION_DIGITS} digits"
            )));
        }
        if !after
            .chars()
            .all(|c| c.is_whitespace() || matches!(c, ')' | ']'))
        {
            return Err(err("unexpected text after the extension"));
        }
        return Ok((main, Some(digits.to_owned())));
    }
    Ok((t, None))
}

/// The digits of a number, whether it started with `+`, and where a lone `(0)` was.
struct Scanned {
    digits: String,
    plus: bool,
    paren_zero: Option<usize>,
}

fn scan(main: &str) -> Result<Scanned, FormatError> {
    let mut digits = String::with_capacity(16);
    let mut plus = false;
    let mut paren_open: Option<usize> = None;
    let mut paren_zero = None;
    let mut chars = main.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '0'..='9' => {
                if digits.len() >= MAX_DIGITS {
                    return Err(err("the phone number has too many digits"));
                }
                digits.push(c);
            }
            '+' => {
                if plus || !digits.is_empty() {
                    return Err(err("'+' is only allowed at the start of a phone number"));
                }
                plus = true;
            }
            '(' | '[' => paren_open = Some(digits.len()),
            ')' | ']' => {
                if let Some(open) = paren_open.take() {
                    if paren_zero.is_none() && digits.len() == open + 1 && digits.ends_with('0') {
                        paren_zero = Some(open);
                    }
                }
            }
            // 代 / 代表 marks a company's main line on Japanese business cards: "(代)".
            '代' => {
                if chars.peek() == Some(&'表') {
                    chars.next();
                }
            }
            c if is_separator(c) => {}
            c => return Err(err(format!("unexpected character '{c}' in a phone number"))),
        }
    }
    if digits.is_empty() {
        return Err(err("the phone number has no digits"));
    }
    Ok(Scanned {
        digits,
        plus,
        paren_zero,
    })
}

/// Expected length of a domestic number (leading 0 included) and the prefix the rule is
/// about, for the error message.
fn domestic_rule(d: &str) -> (usize, &'static str) {
    const ELEVEN: &[&str] = &["020", "050", "060", "070", "080", "090"];
    if d.starts_with("0120") {
        (10, "0120")
    } else if d.starts_with("0570") {
        (10, "0570")
    } else if d.starts_with("0800") {
        (11, "0800")
    } else if let Some(p) = ELEVEN.iter().find(|p| d.starts_with(**p)) {
        (11, p)
    } else {
        (10, "")
    }
}

fn check_domestic(d: &str) -> Result<(), FormatError> {
    let (expected, prefix) = domestic_rule(d);
    if d.len() == expected {
        return Ok(());
    }
    let what = if prefix.is_empty() {
        "a Japanese landline number".to_owned()
    } else {
        format!("a Japanese number starting with {prefix}")
    };
    let how = if d.len() < expected {
        "too few"
    } else {
        "too many"
    };
    Err(err(format!(
        "{how} digits: {what} has {expected} digits (including the leading 0), this one has {}",
        d.len()
    )))
}

/// Parses a phone number into E.164 plus an optional extension.
///
/// Input is NFKC'd first, so full-width digits and symbols work. Accepted:
/// - Japanese domestic numbers with any separators (`03-1234-5678`, `(03)1234-5678`,
///   `0312345678`, `0120-123-456`, `090-1234-5678`, dashes of every kind, spaces, ー):
///   a leading 0 and 10 digits in total, or 11 for 020/050/060/070/080/090 and 0800
///   (0120 and 0570 have 10).
/// - `+81` / `0081` / `010 81` forms, with or without the trunk 0 (`+81 3-1234-5678`,
///   `+81-(0)3-1234-5678`, `+81 03 1234 5678`): checked with the domestic rules.
/// - Other international numbers starting with `+`, `00` or `010`: the country code is kept,
///   8–15 digits in total; a lone `(0)` is dropped (`+44 (0)20 …`).
/// - Extensions after `内線`, `ext`, `ext.`, `extension`, `x` or `#` (optionally followed by
///   `:` or `.`), e.g. `03-1234-5678 内線：123` → extension `123`.
/// - The main-line annotation `(代)` / `(代表)` is ignored.
///
/// # Errors
///
/// [`FormatError`] with the code `invalid_phone` and an English message: empty input,
/// letters or other symbols, too few or too many digits, a domestic number not starting
/// with 0, an extension marker without digits.
pub fn phone(s: &str) -> Result<Phone, FormatError> {
    let n = nfkc(s);
    let t = n.trim();
    if t.is_empty() {
        return Err(err("the phone number is empty"));
    }
    let (main, extension) = split_extension(t)?;
    let Scanned {
        digits,
        plus,
        paren_zero,
    } = scan(main)?;

    let intl_prefix = if plus {
        Some(0)
    } else if digits.starts_with("010") {
        Some(3)
    } else if digits.starts_with("00") {
        Some(2)
    } else {
        None
    };

    let Some(skip) = intl_prefix else {
        if !digits.starts_with('0') {
            return Err(err("a Japanese number starts with 0; \
                 write international numbers with + and the country code"));
        }
        check_domestic(&digits)?;
        let e164 = format!("+81{}", digits.get(1..).unwrap_or_default());
        return Ok(Phone { e164, extension });
    };

    let national: String = digits
        .char_indices()
        .filter(|&(i, _)| i >= skip && Some(i) != paren_zero)
        .map(|(_, c)| c)
        .collect();
    if national.is_empty() {
        return Err(err(
            "the international number has no digits after the prefix",
        ));
    }
    if national.starts_with('0') {
        return Err(err("a country code cannot start with 0"));
    }
    if let Some(jp) = national.strip_prefix("81") {
        let jp = jp.strip_prefix('0').unwrap_or(jp);
        check_domestic(&format!("0{jp}"))?;
        return Ok(Phone {
            e164: format!("+81{jp}"),
            extension,
        });
    }
    if !(8..=15).contains(&national.len()) {
        return Err(err(format!(
            "an international number has 8 to 15 digits including the country code, \
             this one has {}",
            national.len()
        )));
    }
    Ok(Phone {
        e164: format!("+{national}"),
        extension,
    })
}

/// Group sizes for displaying a domestic number (leading 0 included).
fn domestic_groups(d: &str) -> Option<&'static [usize]> {
    const SERVICE: &[&str] = &["0120", "0570", "0800", "0180", "0990"];
    const MOBILE: &[&str] = &["020", "050", "060", "070", "080", "090"];
    let len = d.len();
    if SERVICE.iter().any(|p| d.starts_with(p)) {
        match len {
            10 => Some(&[4, 3, 3]),
            11 => Some(&[4, 3, 4]),
            _ => None,
        }
    } else if MOBILE.iter().any(|p| d.starts_with(p)) {
        (len == 11).then_some(&[3, 4, 4])
    } else if d.starts_with("03") || d.starts_with("06") {
        (len == 10).then_some(&[2, 4, 4])
    } else {
        (len == 10).then_some(&[3, 3, 4])
    }
}

/// Display form of a phone number. Japanese numbers (`+81…`) are shown domestically with
/// hyphens: `03-1234-5678` / `06-…` (2-4-4), `090-1234-5678` and other 11-digit
/// mobile/IP numbers (3-4-4), `0120-123-456` / `0570-…` (4-3-3), `0800-123-4567` (4-3-4),
/// other landlines 3-3-4 (`045-123-4567`; 4- and 5-digit area codes are not told apart).
/// Other numbers are shown as their E.164. An extension is appended as ` 内線 123`.
pub fn display_phone(p: &Phone) -> String {
    let mut out = match p.e164.strip_prefix("+81") {
        Some(rest) if rest.bytes().all(|b| b.is_ascii_digit()) => {
            let d = format!("0{rest}");
            match domestic_groups(&d) {
                Some(groups) => {
                    let mut s = String::with_capacity(d.len() + 2);
                    let mut at = 0;
                    for (i, &g) in groups.iter().enumerate() {
                        if i > 0 {
                            s.push('-');
                        }
                        s.push_str(d.get(at..at + g).unwrap_or_default());
                        at += g;
                    }
                    s
                }
                None => d,
            }
        }
        _ => p.e164.clone(),
    };
    if let Some(ext) = &p.extension {
        out.push_str(" 内線 ");
        out.push_str(ext);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e164(s: &str) -> String {
        match phone(s) {
            Ok(p) => {
                assert_eq!(p.extension, None, "{s:?}");
                p.e164
            }
            Err(e) => panic!("{s:?} rejected: {e}"),
        }
    }

    fn with_ext(s: &str) -> (String, Option<String>) {
        match phone(s) {
            Ok(p) => (p.e164, p.extension),
            Err(e) => panic!("{s:?} rejected: {e}"),
        }
    }

    fn bad(s: &str) -> String {
        match phone(s) {
            Ok(p) => panic!("{s:?} accepted as {p:?}"),
            Err(e) => {
                assert_eq!(e.code, "invalid_phone");
                e.message
            }
        }
    }

    #[test]
    fn domestic() {
        assert_eq!(e164("03-1234-5678"), "+81312345678");
        assert_eq!(e164("0312345678"), "+81312345678");
        assert_eq!(e164("(03)1234-5678"), "+81312345678");
        assert_eq!(e164("03 (1234) 5678"), "+81312345678");
        assert_eq!(e164("０３－１２３４－５６７８"), "+81312345678");
        assert_eq!(e164("03ー1234ー5678"), "+81312345678");
        assert_eq!(e164("03‐1234‐5678"), "+81312345678");
        assert_eq!(e164("03–1234—5678"), "+81312345678");
        assert_eq!(e164("03−1234−5678"), "+81312345678");
        assert_eq!(e164("03.1234.5678"), "+81312345678");
        assert_eq!(e164("  03 1234 5678\u{3000}"), "+81312345678");
        assert_eq!(e164("045-123-4567"), "+81451234567");
        assert_eq!(e164("0422-12-3456"), "+81422123456");
        assert_eq!(e164("0120-123-456"), "+81120123456");
        assert_eq!(e164("0570-123-456"), "+81570123456");
        assert_eq!(e164("0800-123-4567"), "+818001234567");
        assert_eq!(e164("090-1234-5678"), "+819012345678");
        assert_eq!(e164("080-1234-5678"), "+818012345678");
        assert_eq!(e164("070-1234-5678"), "+817012345678");
        assert_eq!(e164("050-1234-5678"), "+815012345678");
        assert_eq!(e164("020-1234-5678"), "+812012345678");
        assert_eq!(e164("03-1234-5678(代)"), "+81312345678");
        assert_eq!(e164("03-1234-5678（代表）"), "+81312345678");
    }

    #[test]
    fn japan_international_forms() {
        for s in [
            "+81 3-1234-5678",
            "+81-3-1234-5678",
            "+81-(0)3-1234-5678",
            "+81 (0) 3 1234 5678",
            "+81 03 1234 5678",
            "+81312345678",
            "0081-3-1234-5678",
            "00813 1234 5678",
            "010-81-3-1234-5678",
            "＋８１ ３ １２３４ ５６７８",
        ] {
            assert_eq!(e164(s), "+81312345678", "{s}");
        }
        assert_eq!(e164("+81 90-1234-5678"), "+819012345678");
        assert_eq!(e164("+81 120-123-456"), "+81120123456");
    }

    #[test]
    fn other_international() {
        assert_eq!(e164("+1 202 555 0143"), "+12025550143");
        assert_eq!(e164("+1 (202) 555-0143"), "+12025550143");
        assert_eq!(e164("001-202-555-0143"), "+12025550143");
        assert_eq!(e164("+44 (0)20 7946 0958"), "+442079460958");
        assert_eq!(e164("+82 2-312-3456"), "+8223123456");
        assert_eq!(e164("+86 10 1234 5678"), "+861012345678");
        assert_eq!(e164("+49 30 12345678"), "+493012345678");
    }

    #[test]
    fn extensions() {
        let want = ("+81312345678".to_owned(), Some("123".to_owned()));
        for s in [
            "03-1234-5678 内線123",
            "03-1234-5678 内線 123",
            "03-1234-5678内線：123",
            "03-1234-5678 内線:123",
            "03-1234-5678（内線123）",
            "03-1234-5678 ext. 123",
            "03-1234-5678 Ext.123",
            "03-1234-5678 EXT 123",
            "03-1234-5678 ext123",
            "03-1234-5678 extension 123",
            "03-1234-5678 x123",
            "03-1234-5678 X 123",
            "03-1234-5678#123",
            "03-1234-5678 # 123",
            "０３－１２３４－５６７８　内線１２３",
        ] {
            assert_eq!(with_ext(s), want, "{s}");
        }
        assert_eq!(
            with_ext("+1 202 555 0143 ext. 7"),
            ("+12025550143".to_owned(), Some("7".to_owned()))
        );
    }

    #[test]
    fn rejects() {
        assert!(bad("").contains("empty"));
        assert!(bad("   \u{3000}").contains("empty"));
        assert!(bad("03-1234-567").contains("too few"));
        assert!(bad("03-1234-56789").contains("too many"));
        assert!(bad("090-1234-567").contains("090"));
        assert!(bad("090-1234-56789").contains("too many"));
        assert!(bad("0120-123-4567").contains("0120"));
        assert!(bad("0800-123-456").contains("0800"));
        assert!(bad("abc").contains("'a'"));
        assert!(bad("03-1234-5678 tel").contains("'t'"));
        assert!(bad("TEL 03-1234-5678").contains("'T'"));
        assert!(bad("03-1234-abcd").contains("'a'"));
        assert!(bad("😀").contains("😀"));
        assert!(bad("+").contains("no digits"));
        assert!(bad("---").contains("no digits"));
        assert!(bad("3-1234-5678").contains("starts with 0"));
        assert!(bad("12345").contains("starts with 0"));
        assert!(bad("+1 234").contains("8 to 15"));
        assert!(bad("+1 2345 6789 0123 4567").contains("8 to 15"));
        assert!(bad("+0 123 456 789").contains("country code"));
        assert!(bad("00").contains("no digits"));
        assert!(bad("03+1234").contains("'+'"));
        assert!(bad("++81 3 1234 5678").contains("'+'"));
        assert!(bad("03-1234-5678 内線").contains("extension"));
        assert!(bad("03-1234-5678 ext. 12a").contains("after the extension"));
        assert!(bad("03-1234-5678 x 12345678901").contains("extension"));
        assert!(bad("03-1234-5678\u{0}").contains("unexpected"));
        assert!(bad(&"1".repeat(1_000_000)).contains("too many"));
        assert!(bad(&"-".repeat(1_000_000)).contains("no digits"));
        assert!(bad("+81 3-1234-567").contains("too few"));
    }

    #[test]
    fn display() {
        let show = |s: &str| match phone(s) {
            Ok(p) => display_phone(&p),
            Err(e) => panic!("{s:?} rejected: {e}"),
        };
        assert_eq!(show("0312345678"), "03-1234-5678");
        assert_eq!(show("+81 6 1234 5678"), "06-1234-5678");
        assert_eq!(show("09012345678"), "090-1234-5678");
        assert_eq!(show("05012345678"), "050-1234-5678");
        assert_eq!(show("0120123456"), "0120-123-456");
        assert_eq!(show("0570123456"), "0570-123-456");
        assert_eq!(show("08001234567"), "0800-123-4567");
        assert_eq!(show("0451234567"), "045-123-4567");
        assert_eq!(show("03-1234-5678 内線123"), "03-1234-5678 内線 123");
        assert_eq!(show("+1 202 555 0143"), "+12025550143");
        assert_eq!(show("+1 202 555 0143 x9"), "+12025550143 内線 9");
        // Values not made by `phone` are shown as they are.
        let odd = Phone {
            e164: "+8112".to_owned(),
            extension: None,
        };
        assert_eq!(display_phone(&odd), "012");
    }
}
