//! E-mail addresses: normalised (NFKC, trimmed, lowercase) and syntax-checked.

use super::{nfkc, FormatError};

const CODE: &str = "invalid_email";

fn err(message: impl Into<String>) -> FormatError {
    FormatError {
        code: CODE,
        message: message.into(),
    }
}

/// RFC 5322 `atext` (letters, digits and ``!#$%&'*+-/=?^_`{|}~``).
#[inline]
fn is_atext(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b)
}

fn check_local(local: &str) -> Result<(), FormatError> {
    if local.is_empty() {
        return Err(err("the part before @ is empty"));
    }
    if local.len() > 64 {
        return Err(err("the part before @ is longer than 64 characters"));
    }
    if local.starts_with('.') || local.ends_with('.') {
        return Err(err("the part before @ cannot start or end with a dot"));
    }
    if local.contains("..") {
        return Err(err("the address contains two dots in a row"));
    }
    if let Some(b) = local.bytes().find(|&b| b != b'.' && !is_atext(b)) {
        return Err(err(format!(
            "the character '{}' is not allowed before @",
            char::from(b)
        )));
    }
    Ok(())
}

fn check_domain(domain: &str) -> Result<(), FormatError> {
    if domain.is_empty() {
        return Err(err("the domain after @ is empty"));
    }
    if domain.len() > 253 {
        return Err(err("the domain is longer than 253 characters"));
    }
    if !domain.contains('.') {
        return Err(err("the domain needs a dot (e.g. example.com)"));
    }
    if domain.contains("..") {
        return Err(err("the address contains two dots in a row"));
    }
    let mut tld = "";
    for label in domain.split('.') {
        if label.is_empty() {
            return Err(err("the domain cannot start or end with a dot"));
        }
        if label.len() > 63 {
            return Err(err("a domain label is longer than 63 characters"));
        }
        if let Some(b) = label
            .bytes()
            .find(|&b| !(b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'))
        {
            return Err(err(format!(
                "the character '{}' is not allowed in the domain",
                char::from(b)
            )));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(err("a domain label cannot start or end with '-'"));
        }
        tld = label;
    }
    let punycode_tld = tld.len() > 4 && tld.starts_with("xn--");
    if !punycode_tld && (tld.len() < 2 || !tld.bytes().all(|b| b.is_ascii_lowercase())) {
        return Err(err(
            "the top-level domain must be at least two letters (e.g. .jp, .com)",
        ));
    }
    Ok(())
}

/// Normalises and validates an e-mail address: NFKC (full-width ＠ and letters become
/// ASCII), surrounding whitespace trimmed (incl. U+3000), lowercased.
///
/// Accepted syntax: exactly one `@`; a local part of 1–64 RFC 5322 `atext` characters and
/// dots, without leading, trailing or consecutive dots; a domain of at least two labels of
/// `[a-z0-9-]` (not starting or ending with `-`, at most 63 characters) whose last label is
/// alphabetic and at least two letters long (or a punycode TLD, `xn--…`); no whitespace;
/// at most 254 characters. Quoted local parts, IP literals and Unicode domains are rejected.
///
/// # Errors
///
/// [`FormatError`] with the code `invalid_email` and an English message saying what is
/// wrong (missing @, empty local part, bad character, …).
pub fn email(s: &str) -> Result<String, FormatError> {
    let n = nfkc(s);
    let t = n.trim();
    if t.is_empty() {
        return Err(err("the e-mail address is empty"));
    }
    if t.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(err(
            "the e-mail address contains a space or a control character",
        ));
    }
    if let Some(c) = t.chars().find(|c| !c.is_ascii()) {
        return Err(err(format!(
            "the character '{c}' is not allowed in an e-mail address"
        )));
    }
    if t.len() > 254 {
        return Err(err("the e-mail address is longer than 254 characters"));
    }
    let lower = t.to_ascii_lowercase();
    let mut parts = lower.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(if lower.contains('@') {
            err("the e-mail address has more than one @")
        } else {
            err("the e-mail address needs an @")
        });
    };
    check_local(local)?;
    check_domain(domain)?;
    Ok(lower)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> String {
        match email(s) {
            Ok(e) => e,
            Err(e) => panic!("{s:?} rejected: {e}"),
        }
    }

    fn bad(s: &str) -> String {
        match email(s) {
            Ok(e) => panic!("{s:?} accepted as {e}"),
            Err(e) => {
                assert_eq!(e.code, "invalid_email");
                assert!(!e.message.is_empty());
                e.message
            }
        }
    }

    #[test]
    fn normalises() {
        assert_eq!(ok("Taro.Yamada@Example.CO.JP"), "taro.yamada@example.co.jp");
        assert_eq!(ok("  taro@example.com\u{3000}"), "taro@example.com");
        assert_eq!(ok("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍ"), "taro@example.com");
        assert_eq!(ok("TARO＠EXAMPLE.COM"), "taro@example.com");
        assert_eq!(
            ok("\ttaro+crm@mail.example.com\n"),
            "taro+crm@mail.example.com"
        );
    }

    #[test]
    fn accepts_valid_syntax() {
        for s in [
            "a@b.co",
            "first.last@sub.example.jp",
            "x_y-z@ex-ample.com",
            "o'brien@example.ie",
            "!#$%&'*+-/=?^_`{|}~@example.com",
            "1234@123.example.com",
            "user@xn--eckwd4c7c.xn--zckzah",
        ] {
            ok(s);
        }
        let local64 = "a".repeat(64);
        ok(&format!("{local64}@example.com"));
    }

    #[test]
    fn rejects() {
        assert!(bad("").contains("empty"));
        assert!(bad("   ").contains("empty"));
        assert!(bad("@").contains("before @"));
        assert!(bad("a@b").contains("dot"));
        assert!(bad("@example.com").contains("before @"));
        assert!(bad("taro@@example.com").contains("more than one @"));
        assert!(bad("taro@exa@mple.com").contains("more than one @"));
        assert!(bad("taro.example.com").contains("needs an @"));
        assert!(bad("taro yamada@example.com").contains("space"));
        assert!(bad("taro@").contains("empty"));
        assert!(bad("taro..yamada@example.com").contains("two dots"));
        assert!(bad("taro@example..com").contains("two dots"));
        assert!(bad(".taro@example.com").contains("start or end"));
        assert!(bad("taro.@example.com").contains("start or end"));
        assert!(bad("taro@.example.com").contains("start or end"));
        assert!(bad("taro@example.com.").contains("start or end"));
        assert!(bad("taro@-example.com").contains("'-'"));
        assert!(bad("taro@example-.com").contains("'-'"));
        assert!(bad("taro@example.c").contains("top-level"));
        assert!(bad("taro@example.123").contains("top-level"));
        assert!(bad("taro@example.c0m").contains("top-level"));
        assert!(bad("taro@example.xn--").contains("'-'"));
        assert!(bad("taro@exa_mple.com").contains("'_'"));
        assert!(bad("ta(ro)@example.com").contains("'('"));
        assert!(bad("\"taro\"@example.com").contains("'\"'"));
        assert!(bad("taro@[127.0.0.1]").contains("'['"));
        assert!(bad("太郎@example.com").contains("太"));
        assert!(bad("taro@例え.jp").contains("例"));
        assert!(bad("😀@example.com").contains("😀"));
        assert!(bad("taro\u{0}@example.com").contains("control"));
        assert!(bad(&format!("{}@example.com", "a".repeat(65))).contains("64"));
        assert!(bad(&format!("a@{}.com", "b".repeat(64))).contains("63"));
        assert!(bad(&format!("a@{}com", "b.".repeat(200))).contains("254"));
        bad(&"a".repeat(1_000_000));
    }
}
