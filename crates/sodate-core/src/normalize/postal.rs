//! Japanese postal codes (郵便番号): seven digits, displayed as 123-4567.

use super::{nfkc, FormatError};

const CODE: &str = "invalid_postal_code";

fn err(message: impl Into<String>) -> FormatError {
    FormatError {
        code: CODE,
        message: message.into(),
    }
}

/// Hyphens and dashes accepted between the 3rd and 4th digit (after NFKC): - ‐ ‑ ‒ – — ―
/// − and the long vowel mark ー / box-drawing ─ that Japanese IMEs often produce.
#[inline]
fn is_dash(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{30FC}' | '\u{2500}' | '\u{2501}'
    )
}

/// Normalises a Japanese postal code to seven ASCII digits.
///
/// Accepts (after NFKC, so full-width digits and dashes work, and trimming) an optional
/// leading 〒 (or 〶) with optional spaces after it, then either `1234567` or `123-4567`
/// with any one hyphen or dash: `123-4567`, `〒123-4567`, `１２３－４５６７`, `〒 123‐4567`.
///
/// # Errors
///
/// [`FormatError`] with the code `invalid_postal_code` for anything else (wrong number of
/// digits, letters, several separators, a misplaced hyphen).
pub fn postal_code(s: &str) -> Result<String, FormatError> {
    let n = nfkc(s);
    let mut t = n.trim();
    if t.is_empty() {
        return Err(err("the postal code is empty"));
    }
    if let Some(rest) = t.strip_prefix('〒') {
        t = rest.trim_start();
    }
    let mut digits = String::with_capacity(7);
    let mut dash_at = None;
    for c in t.chars() {
        if c.is_ascii_digit() {
            if digits.len() == 7 {
                return Err(err("a postal code has 7 digits; this one has more"));
            }
            digits.push(c);
        } else if is_dash(c) && dash_at.is_none() {
            dash_at = Some(digits.len());
        } else {
            return Err(err(format!(
                "unexpected character '{c}' in a postal code (expected 123-4567)"
            )));
        }
    }
    if digits.len() != 7 {
        return Err(err(format!(
            "a postal code has 7 digits; this one has {}",
            digits.len()
        )));
    }
    if dash_at.is_some_and(|at| at != 3) {
        return Err(err(
            "the hyphen of a postal code goes after the 3rd digit (123-4567)",
        ));
    }
    Ok(digits)
}

/// Formats seven digits as `123-4567`; any other input is returned unchanged.
pub fn format_postal_code(digits: &str) -> String {
    match (digits.get(..3), digits.get(3..)) {
        (Some(a), Some(b)) if digits.len() == 7 && digits.bytes().all(|c| c.is_ascii_digit()) => {
            format!("{a}-{b}")
        }
        _ => digits.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> String {
        match postal_code(s) {
            Ok(p) => p,
            Err(e) => panic!("{s:?} rejected: {e}"),
        }
    }

    fn bad(s: &str) -> String {
        match postal_code(s) {
            Ok(p) => panic!("{s:?} accepted as {p}"),
            Err(e) => {
                assert_eq!(e.code, "invalid_postal_code");
                e.message
            }
        }
    }

    #[test]
    fn accepts() {
        for s in [
            "123-4567",
            "〒123-4567",
            "１２３－４５６７",
            "1234567",
            "〒 123‐4567",
            "〒　１２３ー４５６７",
            " 123−4567 ",
            "〶123-4567",
            "123–4567",
        ] {
            assert_eq!(ok(s), "1234567", "{s}");
        }
    }

    #[test]
    fn rejects() {
        assert!(bad("").contains("empty"));
        assert!(bad("  ").contains("empty"));
        assert!(bad("〒").contains("has 0"));
        assert!(bad("〒123-456").contains("has 6"));
        assert!(bad("123456").contains("has 6"));
        assert!(bad("12345678").contains("more"));
        assert!(bad("1234-567").contains("3rd"));
        assert!(bad("123--4567").contains("'-'"));
        assert!(bad("123 4567").contains("' '"));
        assert!(bad("123-4567 東京都").contains("' '"));
        assert!(bad("abc-defg").contains("'a'"));
        assert!(bad("〒〒123-4567").contains("'〒'"));
        assert!(bad("123-4567〒").contains("'〒'"));
        assert!(bad("😀").contains("😀"));
        bad(&"1".repeat(1_000_000));
    }

    #[test]
    fn formats() {
        assert_eq!(format_postal_code("1234567"), "123-4567");
        assert_eq!(format_postal_code("123456"), "123456");
        assert_eq!(format_postal_code("12345678"), "12345678");
        assert_eq!(format_postal_code("123-4567"), "123-4567");
        assert_eq!(format_postal_code("１２３４５６７"), "１２３４５６７");
        assert_eq!(format_postal_code(""), "");
        assert_eq!(format_postal_code("abcdefg"), "abcdefg");
    }
}
