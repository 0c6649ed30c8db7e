//! Cell values as they are written: protection against formula injection (OWASP "CSV
//! injection") and the Shift_JIS check.
//!
//! Invariants:
//! * every text cell of every CSV/XLSX export passes through [`protect`]: a value starting
//!   with `=`, `+`, `-`, `@`, tab, CR or LF gets a leading apostrophe, so a spreadsheet shows
//!   it as text and runs nothing;
//! * a value starting with an apostrophe gets one more, so [`unprotect`] (applied by the
//!   import readers) gives back exactly what was exported: Sodate re-imports its own exports
//!   without loss.

use std::borrow::Cow;

/// Characters that make a spreadsheet read a cell as a formula (OWASP), or that Excel
/// strips before doing so.
fn is_trigger(c: char) -> bool {
    matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r' | '\n')
}

/// The value as written to a text cell of a CSV or XLSX export.
pub fn protect(value: &str) -> Cow<'_, str> {
    match value.chars().next() {
        Some(c) if is_trigger(c) || c == '\'' => Cow::Owned(format!("'{value}")),
        _ => Cow::Borrowed(value),
    }
}

/// The value a protected cell stood for: one leading apostrophe is dropped when it is
/// followed by a formula trigger or another apostrophe (what [`protect`] adds). Any other
/// value is returned as it is.
pub fn unprotect(value: &str) -> Option<String> {
    let rest = value.strip_prefix('\'')?;
    match rest.chars().next() {
        Some(c) if is_trigger(c) || c == '\'' => Some(rest.to_string()),
        _ => None,
    }
}

/// The characters of `value` that Shift_JIS (CP932) cannot hold, in order, each once.
pub fn unrepresentable_in_shift_jis(value: &str) -> Vec<char> {
    let mut out: Vec<char> = Vec::new();
    if value.is_ascii() {
        return out;
    }
    if !encoding_rs::SHIFT_JIS.encode(value).2 {
        return out;
    }
    let mut buf = [0u8; 4];
    for c in value.chars() {
        if c.is_ascii() || out.contains(&c) {
            continue;
        }
        let (_, _, unmappable) = encoding_rs::SHIFT_JIS.encode(c.encode_utf8(&mut buf));
        if unmappable {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formula_triggers_are_made_text() {
        for (input, output) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+81312345678", "'+81312345678"),
            ("-1+2", "'-1+2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tcmd", "'\tcmd"),
            ("\r=1", "'\r=1"),
            ("\n=1", "'\n=1"),
            ("'quoted", "''quoted"),
            ("田中", "田中"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(protect(input), output, "{input:?}");
        }
    }

    #[test]
    fn foreign_apostrophes_are_kept() {
        assert_eq!(unprotect("'abc"), None);
        assert_eq!(unprotect("abc"), None);
        assert_eq!(unprotect("'=1").as_deref(), Some("=1"));
        assert_eq!(unprotect("''x").as_deref(), Some("'x"));
    }

    #[test]
    fn shift_jis_lists_what_it_cannot_hold() {
        assert_eq!(
            unrepresentable_in_shift_jis("吉田𠮷野😀𠮷"),
            vec!['𠮷', '😀']
        );
        assert!(unrepresentable_in_shift_jis("髙橋①㈱ ﾃｽﾄ").is_empty());
        assert!(unrepresentable_in_shift_jis("plain").is_empty());
    }

    proptest! {
        #[test]
        fn protect_then_unprotect_is_the_identity(s in "[=+@\\-\t\r\n'a田𠮷]{0,6}\\PC{0,6}") {
            let p = protect(&s);
            let back = unprotect(&p).unwrap_or_else(|| p.to_string());
            prop_assert_eq!(back, s.clone());
            if let Some(c) = p.chars().next() {
                prop_assert!(!is_trigger(c));
            }
        }
    }
}
