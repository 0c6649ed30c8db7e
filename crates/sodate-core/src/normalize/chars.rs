//! Character classes shared by the keys: what is dropped, and a cheap lowercase.
//!
//! All classes are applied *after* NFKC, so full-width and half-width forms have already
//! become ASCII or standard kana/punctuation; the tables below list what survives NFKC.

/// Characters that never carry meaning in a key: C0/C1 controls, soft hyphen, zero-width
/// characters and joiners, bidi controls, BOM, interlinear annotation controls, tags and
/// variation selectors (glyph choice only, e.g. 葛 with an IVS).
#[inline]
pub(crate) fn is_ignorable(c: char) -> bool {
    matches!(
        c,
        '\u{0}'..='\u{1F}'
            | '\u{7F}'..='\u{9F}'
            | '\u{AD}'
            | '\u{34F}'
            | '\u{61C}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// True for whitespace (incl. U+3000 ideographic space) and ignorable characters.
#[inline]
pub(crate) fn is_space_or_ignorable(c: char) -> bool {
    c.is_whitespace() || is_ignorable(c)
}

/// Punctuation dropped from name, reading and company keys: all ASCII punctuation, Latin-1
/// punctuation, the General Punctuation block (dashes, quotes, bullets, ‥, …), the
/// Supplemental Punctuation block, the minus sign, box-drawing lines used as dashes,
/// Japanese punctuation and brackets (、。「」『』【】〔〕〈〉《》〜〰〽), ・ and ゠, and the
/// vertical/small/compatibility forms NFKC leaves alone.
///
/// Not punctuation here: ー (long vowel mark, part of a word), 々〆〇〻 (kanji-like marks),
/// ゝゞヽヾ (iteration marks), 〒 and 〓 (symbols; 〓 stands for an unknown kanji).
#[inline]
pub(crate) fn is_name_punct(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_punctuation();
    }
    matches!(
        c,
        '\u{A1}'
            | '\u{A7}'
            | '\u{AB}'
            | '\u{B6}'
            | '\u{B7}'
            | '\u{BB}'
            | '\u{BF}'
            | '\u{2010}'..='\u{2027}'
            | '\u{2030}'..='\u{205E}'
            | '\u{2212}'
            | '\u{2215}'
            | '\u{2329}'
            | '\u{232A}'
            | '\u{2500}'
            | '\u{2501}'
            | '\u{27E8}'
            | '\u{27E9}'
            | '\u{2985}'
            | '\u{2986}'
            | '\u{2E00}'..='\u{2E7F}'
            | '\u{3001}'..='\u{3003}'
            | '\u{3008}'..='\u{3011}'
            | '\u{3014}'..='\u{301F}'
            | '\u{3030}'
            | '\u{303D}'
            | '\u{30A0}'
            | '\u{30FB}'
            | '\u{FE10}'..='\u{FE19}'
            | '\u{FE30}'..='\u{FE6B}'
            | '\u{FF5F}'..='\u{FF65}'
    )
}

/// Separators dropped from search keys (a narrower set than [`is_name_punct`], so that a
/// search for `c++`, `a&b`, `#12` or `10:00` still means something): hyphens and dashes
/// (but not ー), brackets and parentheses of every kind, dots (. 。 ・ · • ‥ …), commas
/// (, 、), slashes (/ \ ∕ ⁄) and quotes.
#[inline]
pub(crate) fn is_search_sep(c: char) -> bool {
    if c.is_ascii() {
        return matches!(
            c,
            '-' | '(' | ')' | '[' | ']' | '{' | '}' | '.' | ',' | '/' | '\\' | '\'' | '"' | '`'
        );
    }
    matches!(
        c,
        '\u{AB}'
            | '\u{B7}'
            | '\u{BB}'
            | '\u{2010}'..='\u{2027}'
            | '\u{2039}'
            | '\u{203A}'
            | '\u{2043}'
            | '\u{2044}'
            | '\u{2212}'
            | '\u{2215}'
            | '\u{2329}'
            | '\u{232A}'
            | '\u{2500}'
            | '\u{2501}'
            | '\u{27E8}'
            | '\u{27E9}'
            | '\u{2985}'
            | '\u{2986}'
            | '\u{3001}'
            | '\u{3002}'
            | '\u{3008}'..='\u{3011}'
            | '\u{3014}'..='\u{301B}'
            | '\u{301D}'..='\u{301F}'
            | '\u{30A0}'
            | '\u{30FB}'
            | '\u{FE10}'..='\u{FE19}'
            | '\u{FE35}'..='\u{FE44}'
            | '\u{FE47}'
            | '\u{FE48}'
            | '\u{FE50}'..='\u{FE52}'
            | '\u{FE59}'..='\u{FE5E}'
            | '\u{FF5F}'..='\u{FF65}'
    )
}

/// Opening brackets that may enclose an abbreviated corporate form, as in (株) or 【株】.
#[inline]
pub(crate) fn is_open_bracket(c: char) -> bool {
    matches!(
        c,
        '(' | '[' | '{' | '\u{3010}' | '\u{3014}' | '\u{300C}' | '\u{2985}'
    )
}

/// Closing counterparts of [`is_open_bracket`].
#[inline]
pub(crate) fn is_close_bracket(c: char) -> bool {
    matches!(
        c,
        ')' | ']' | '}' | '\u{3011}' | '\u{3015}' | '\u{300D}' | '\u{2986}'
    )
}

/// Pushes the lowercase form of `c`. Skips the case tables for the big caseless CJK and
/// Hangul ranges, which is where almost all non-ASCII text in this application lives.
#[inline]
pub(crate) fn push_lower(out: &mut String, c: char) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
    } else if matches!(c, '\u{3000}'..='\u{9FFF}' | '\u{AC00}'..='\u{D7A3}' | '\u{20000}'..) {
        out.push(c);
    } else {
        out.extend(c.to_lowercase());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_and_ignorables() {
        for c in [' ', '\t', '\n', '\u{3000}', '\u{A0}', '\u{2028}'] {
            assert!(is_space_or_ignorable(c), "U+{:04X}", c as u32);
        }
        for c in [
            '\u{0}',
            '\u{7}',
            '\u{200B}',
            '\u{200D}',
            '\u{FEFF}',
            '\u{FE0F}',
            '\u{E0100}',
        ] {
            assert!(is_ignorable(c), "U+{:04X}", c as u32);
        }
        for c in ['a', 'あ', 'ー', '高', '😀'] {
            assert!(!is_space_or_ignorable(c));
        }
    }

    #[test]
    fn name_punct() {
        for c in [
            '.', '-', '\'', '・', '‐', '―', '−', '、', '。', '「', '」', '【', '】', '〜', '…',
        ] {
            assert!(is_name_punct(c), "{c}");
        }
        for c in [
            'ー', '々', '〆', '〇', 'ゝ', 'ヽ', 'a', '1', '高', '〒', '〓',
        ] {
            assert!(!is_name_punct(c), "{c}");
        }
    }

    #[test]
    fn search_sep() {
        for c in [
            '-', '‐', '‑', '‒', '–', '—', '―', '−', '(', ')', '.', ',', '・', '/', '、', '。',
        ] {
            assert!(is_search_sep(c), "{c}");
        }
        for c in ['ー', '@', '+', '&', '#', ':', '_', 'a', '〜'] {
            assert!(!is_search_sep(c), "{c}");
        }
    }

    #[test]
    fn lowercase() {
        let mut s = String::new();
        for c in ['A', 'z', 'É', 'Σ', '高', 'ア', '𠮷', '한'] {
            push_lower(&mut s, c);
        }
        assert_eq!(s, "azéσ高ア𠮷한");
    }
}
