//! The comparison keys for person names, readings and substring search.
//!
//! Every key is one pass over the NFKC form of its input (NFKC itself is skipped for ASCII
//! and for text that is already NFKC, which the quick check decides without allocating).
//! The pass drops, folds and lowercases character by character into one pre-sized
//! `String`. Keys are idempotent: in the rare case where dropping a character lets two
//! neighbours compose under NFKC (e.g. `か・゛`), the key is re-run on its own output.

use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

use super::chars::{is_name_punct, is_search_sep, is_space_or_ignorable, push_lower};
use super::itaiji::fold_char;
use super::kana::push_hiragana;

/// Key flavour: person names (itaiji fold, punctuation dropped).
pub(crate) const NAME: u8 = 0;
/// Key flavour: readings (katakana → hiragana, punctuation dropped, no itaiji fold).
pub(crate) const READING: u8 = 1;
/// Key flavour: search (itaiji fold, katakana → hiragana, only separators dropped).
pub(crate) const SEARCH: u8 = 2;

/// Characters that are certainly NFKC-stable in any context (no decomposition, combining
/// class 0, never composing with what precedes them): ASCII, hiragana and katakana (incl.
/// the precomposed voiced ones), ー, 々〆〇, 、。 and CJK unified ideographs. Checking these
/// ranges is much cheaper than the general quick check, and they are almost all the text
/// this application sees.
#[inline]
fn is_trivially_nfkc(c: char) -> bool {
    matches!(
        c,
        '\u{0}'..='\u{7F}'
            | '\u{3001}'..='\u{3002}'
            | '\u{3005}'..='\u{3007}'
            | '\u{3041}'..='\u{3096}'
            | '\u{30A1}'..='\u{30FA}'
            | '\u{30FC}'..='\u{30FE}'
            | '\u{3400}'..='\u{4DBF}'
            | '\u{4E00}'..='\u{9FFF}'
            | '\u{20000}'..='\u{2F7FF}'
            | '\u{30000}'..='\u{3FFFF}'
    )
}

/// Whether `s` is certainly in NFKC (cheap ranges first, then the quick check).
#[inline]
pub(crate) fn is_nfkc_fast(s: &str) -> bool {
    s.is_ascii()
        || s.chars().all(is_trivially_nfkc)
        || is_nfkc_quick(s.chars()) == IsNormalized::Yes
}

/// Calls `f` with each character of the NFKC form of `s`, without allocating when `s` is
/// already in NFKC (always the case for ASCII).
#[inline]
pub(crate) fn for_each_nfkc(s: &str, f: impl FnMut(char)) {
    if is_nfkc_fast(s) {
        s.chars().for_each(f);
    } else {
        s.nfkc().for_each(f);
    }
}

#[inline]
fn keep_ascii<const K: u8>(c: char) -> bool {
    if c.is_ascii_whitespace() || c.is_ascii_control() {
        return false;
    }
    if K == SEARCH {
        !is_search_sep(c)
    } else {
        !c.is_ascii_punctuation()
    }
}

#[inline]
fn push_key_char<const K: u8>(out: &mut String, c: char) {
    if c.is_ascii() {
        if keep_ascii::<K>(c) {
            out.push(c.to_ascii_lowercase());
        }
        return;
    }
    // Fast paths for the bulk of Japanese text: kanji and kana need no other check.
    if ('\u{4E00}'..='\u{9FFF}').contains(&c) {
        out.push(if K == READING { c } else { fold_char(c) });
        return;
    }
    if ('\u{3041}'..='\u{3096}').contains(&c) {
        out.push(c);
        return;
    }
    if ('\u{30A1}'..='\u{30F6}').contains(&c) {
        let c = if K == NAME {
            c
        } else {
            char::from_u32(c as u32 - 0x60).unwrap_or(c)
        };
        out.push(c);
        return;
    }
    if is_space_or_ignorable(c) {
        return;
    }
    let dropped = if K == SEARCH {
        is_search_sep(c)
    } else {
        is_name_punct(c)
    };
    if dropped {
        return;
    }
    let c = if K == READING { c } else { fold_char(c) };
    if K != NAME && push_hiragana(out, c) {
        return;
    }
    push_lower(out, c);
}

fn key_once<const K: u8>(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    if s.is_ascii() {
        for &b in s.as_bytes() {
            let c = char::from(b);
            if keep_ascii::<K>(c) {
                out.push(c.to_ascii_lowercase());
            }
        }
        return out;
    }
    for_each_nfkc(s, |c| push_key_char::<K>(&mut out, c));
    out
}

/// Re-runs the key on `out` until it is a fixed point (at most a few times, and only when
/// `out` is not already NFKC, which is rare).
pub(crate) fn stabilize<const K: u8>(mut out: String) -> String {
    for _ in 0..4 {
        if is_nfkc_fast(&out) {
            break;
        }
        let next = key_once::<K>(&out);
        if next == out {
            break;
        }
        out = next;
    }
    out
}

/// Comparison key for a person's name: NFKC (full/half width), itaiji fold (髙→高, 﨑→崎…),
/// lowercase, and every whitespace (incl. U+3000), control and punctuation character
/// (・ . - ‐ ' 、 「」 …) removed. Kana are kept as written.
///
/// `name_key("髙橋　太郎") == name_key("高橋太郎") == "高橋太郎"`;
/// `name_key("ＴＡＲＯ Yamada") == "taroyamada"`. Idempotent.
pub fn name_key(s: &str) -> String {
    stabilize::<NAME>(key_once::<NAME>(s))
}

/// Comparison key for a reading (furigana): NFKC (so half-width ｶﾅ becomes カナ),
/// katakana → hiragana, lowercase Latin, whitespace and punctuation removed; the long
/// vowel mark ー is kept. No itaiji fold (readings are kana).
///
/// `reading_key("ﾀﾅｶ ﾀﾛｳ") == reading_key("タナカ・タロウ") == "たなかたろう"`. Idempotent.
pub fn reading_key(s: &str) -> String {
    stabilize::<READING>(key_once::<READING>(s))
}

/// Key for substring search, applied identically to stored text and to queries: NFKC,
/// lowercase, itaiji fold, katakana → hiragana, and whitespace, hyphens/dashes (- ‐ ‑ ‒ – —
/// ― −), brackets and parentheses, dots (. 。 ・), commas (, 、), slashes and quotes
/// removed. The long vowel mark ー is kept; other symbols (@ + & # : _ 〜) are kept so that
/// queries made of them still mean something.
///
/// Characters are mapped one by one, so a substring of the original maps to a substring of
/// the key in the usual cases (`03-1234` → `031234` inside `0312345678`). Idempotent.
pub fn search_key(s: &str) -> String {
    stabilize::<SEARCH>(key_once::<SEARCH>(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_key_examples() {
        assert_eq!(name_key("髙橋　太郎"), "高橋太郎");
        assert_eq!(name_key("高橋 太郎"), "高橋太郎");
        assert_eq!(name_key("山﨑 花子"), "山崎花子");
        assert_eq!(name_key("渡邊・惠"), "渡辺恵");
        assert_eq!(name_key("ＴＡＲＯ　Ｙａｍａｄａ"), "taroyamada");
        assert_eq!(name_key("O'Brien-Smith, Jr."), "obriensmithjr");
        assert_eq!(name_key("ｽｽﾞｷ ｲﾁﾛｳ"), "スズキイチロウ");
        assert_eq!(name_key("スズキ・イチロー"), "スズキイチロー");
        assert_eq!(name_key("「佐藤」‐さん"), "佐藤さん");
        assert_eq!(name_key("𠮷田"), "吉田");
        assert_eq!(name_key("葛\u{E0100}西"), "葛西");
        assert_eq!(name_key("Zoë"), "zoë");
        // Katakana and hiragana are kept apart in name keys.
        assert_ne!(name_key("タナカ"), name_key("たなか"));
    }

    #[test]
    fn reading_key_examples() {
        assert_eq!(reading_key("タナカ タロウ"), "たなかたろう");
        assert_eq!(reading_key("ﾀﾅｶ ﾀﾛｳ"), "たなかたろう");
        assert_eq!(reading_key("たなか　たろう"), "たなかたろう");
        assert_eq!(reading_key("ｶﾞｯｷﾞｮｳ"), "がっぎょう");
        assert_eq!(reading_key("ラーメン"), "らーめん");
        assert_eq!(reading_key("ﾗｰﾒﾝ"), "らーめん");
        assert_eq!(reading_key("ヴァイオリン"), "ゔぁいおりん");
        assert_eq!(reading_key("Tanaka Taro"), "tanakataro");
        assert_eq!(reading_key("ケ・ヶ"), "けゖ");
        // Spacing dakuten after a separator still composes into one character.
        assert_eq!(reading_key("か゛"), "が");
        assert_eq!(reading_key("か ゛"), "が");
        // No itaiji fold for readings.
        assert_eq!(reading_key("髙"), "髙");
    }

    #[test]
    fn search_key_examples() {
        assert_eq!(search_key("株式会社サンプル"), "株式会社さんぷる");
        assert_eq!(search_key("03-1234-5678"), "0312345678");
        assert_eq!(search_key("０３‐１２３４－５６７８"), "0312345678");
        assert_eq!(search_key("03–1234—5678―9−0"), "031234567890");
        assert_eq!(search_key("(株)髙橋・商店"), "株高橋商店");
        assert_eq!(
            search_key("Taro.Yamada@Example.COM"),
            "taroyamada@examplecom"
        );
        assert_eq!(search_key("ラーメン"), "らーめん");
        assert_eq!(search_key("ﾗｰﾒﾝ"), "らーめん");
        assert_eq!(search_key("a/b\\c,d、e。f"), "abcdef");
        assert_eq!(search_key("C++ & #1: 10:00〜12:00"), "c++&#1:10:00〜12:00");
        assert_eq!(search_key("「東京」【本社】"), "東京本社");
        assert_eq!(search_key("'quoted' \"text\""), "quotedtext");
        // A substring of the original maps to a substring of the key.
        let stored = search_key("株式会社 髙橋商店 (ﾀｶﾊｼ ｼｮｳﾃﾝ) 03-1234-5678");
        for q in [
            "高橋",
            "髙橋商",
            "タカハシ",
            "たかはし",
            "ｼｮｳﾃﾝ",
            "1234-56",
            "03 1234",
        ] {
            assert!(stored.contains(&search_key(q)), "{q}");
        }
    }

    #[test]
    fn hostile_inputs() {
        for f in [name_key, reading_key, search_key] {
            assert_eq!(f(""), "");
            assert_eq!(f("   \u{3000}\t\n"), "");
            assert_eq!(f("\u{0}\u{7}\u{1B}[0m\u{7F}"), f("0m"));
            assert_eq!(f("😀"), "😀");
            assert_eq!(f("👨\u{200D}👩\u{200D}👧"), "👨👩👧");
            assert_eq!(f("𠮷"), if f("髙") == "髙" { "𠮷" } else { "吉" });
            let long = "髙橋ｶﾀｶﾅ Ａｂｃ・".repeat(20_000);
            let k = f(&long);
            assert_eq!(f(&k), k);
            assert!(!k.is_empty());
        }
    }

    #[test]
    fn idempotent_on_tricky_text() {
        let samples = [
            "e・\u{301}",
            "ᄀ.ᅡ",
            "か・\u{3099}",
            "ヷヸヹヺ",
            "ﾜﾞ",
            "İstanbul",
            "ǅemal",
            "ﬁle Ⅻ ㈱ ㍿ ㌔",
            "\u{FFE3}",
            "Å\u{30A}",
        ];
        for s in samples {
            for f in [name_key, reading_key, search_key] {
                let k = f(s);
                assert_eq!(f(&k), k, "{s:?}");
            }
        }
    }
}
