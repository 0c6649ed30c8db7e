//! Katakana → hiragana, so that readings typed in either script compare equal.

/// Pushes the hiragana for a full-width katakana `c` and returns true, or returns false
/// (pushing nothing) when `c` is not katakana with a hiragana counterpart.
///
/// Covers ァ..ヶ (incl. ヴ→ゔ, ヵ→ゕ, ヶ→ゖ), the iteration marks ヽヾ→ゝゞ, and ヷヸヹヺ,
/// which have no precomposed hiragana and become わ゙ ゐ゙ ゑ゙ を゙ (base + U+3099).
/// ー, ・, ヿ and the small Ainu katakana (ㇰ..ㇿ) are left alone.
#[inline]
pub(crate) fn push_hiragana(out: &mut String, c: char) -> bool {
    match c {
        '\u{30A1}'..='\u{30F6}' | '\u{30FD}' | '\u{30FE}' => {
            // Same layout 0x60 code points apart; the subtraction cannot fail in this range.
            if let Some(h) = char::from_u32(c as u32 - 0x60) {
                out.push(h);
                return true;
            }
            false
        }
        '\u{30F7}' => push_voiced(out, 'わ'),
        '\u{30F8}' => push_voiced(out, 'ゐ'),
        '\u{30F9}' => push_voiced(out, 'ゑ'),
        '\u{30FA}' => push_voiced(out, 'を'),
        _ => false,
    }
}

#[inline]
fn push_voiced(out: &mut String, base: char) -> bool {
    out.push(base);
    out.push('\u{3099}');
    true
}

/// Converts full-width katakana to hiragana: the whole block ァ..ヶ (incl. ヴ→ゔ, ヵ/ヶ→ゕ/ゖ),
/// ヽヾ→ゝゞ, and ヷヸヹヺ → わ゙ ゐ゙ ゑ゙ を゙. Everything else (ー, ・, kanji, Latin) is
/// unchanged.
///
/// Half-width katakana (ｶﾀｶﾅ) is *not* converted: callers NFKC first (the keys do).
pub fn katakana_to_hiragana(s: &str) -> String {
    if s.is_ascii() {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if !push_hiragana(&mut out, c) {
            out.push(c);
        }
    }
    out
}

/// The stored form of a typed reading: full-width katakana, the way card apps and imports
/// write readings (サトウ). Hiragana ぁ..ゖ and ゝゞ become katakana, half-width katakana is
/// widened (NFKC), everything else (ー, romaji, kanji) is kept. The keys fold back to
/// hiragana, so both scripts still compare equal.
pub fn reading_as_katakana(s: &str) -> String {
    let wide = super::nfkc(s);
    wide.chars()
        .map(|c| match c {
            '\u{3041}'..='\u{3096}' | '\u{309D}' | '\u{309E}' => {
                // Same layout 0x60 code points apart; the sum stays in the katakana block.
                char::from_u32(c as u32 + 0x60).unwrap_or(c)
            }
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_are_stored_as_katakana() {
        assert_eq!(reading_as_katakana("さとう"), "サトウ");
        assert_eq!(reading_as_katakana("ｻﾄｳ"), "サトウ");
        assert_eq!(reading_as_katakana("サトウ"), "サトウ");
        assert_eq!(reading_as_katakana("ゔぁいおりん・ゝ"), "ヴァイオリン・ヽ");
        assert_eq!(reading_as_katakana("sato たろー"), "sato タロー");
        assert_eq!(
            katakana_to_hiragana(&reading_as_katakana("きょうこ")),
            "きょうこ"
        );
    }

    #[test]
    fn full_range() {
        assert_eq!(
            katakana_to_hiragana("ァアィイゥウェエォオ"),
            "ぁあぃいぅうぇえぉお"
        );
        assert_eq!(katakana_to_hiragana("カガキギクグ"), "かがきぎくぐ");
        assert_eq!(katakana_to_hiragana("パピプペポ"), "ぱぴぷぺぽ");
        assert_eq!(
            katakana_to_hiragana("ッャュョヮヰヱヲン"),
            "っゃゅょゎゐゑをん"
        );
        assert_eq!(katakana_to_hiragana("ヴ"), "ゔ");
        assert_eq!(katakana_to_hiragana("ヵヶ"), "ゕゖ");
        assert_eq!(katakana_to_hiragana("ヽヾ"), "ゝゞ");
        assert_eq!(
            katakana_to_hiragana("ヷヸヹヺ"),
            "わ\u{3099}ゐ\u{3099}ゑ\u{3099}を\u{3099}"
        );
    }

    #[test]
    fn every_katakana_in_block_maps_to_hiragana_block() {
        for cp in 0x30A1..=0x30F6u32 {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            let h = katakana_to_hiragana(&c.to_string());
            let hc = h.chars().next().map(|c| c as u32).unwrap_or(0);
            assert_eq!(hc, cp - 0x60);
        }
    }

    #[test]
    fn leaves_the_rest() {
        assert_eq!(katakana_to_hiragana("ラーメン・タロウ"), "らーめん・たろう");
        assert_eq!(katakana_to_hiragana("山田 Taro 123"), "山田 Taro 123");
        assert_eq!(katakana_to_hiragana("ひらがな"), "ひらがな");
        assert_eq!(katakana_to_hiragana("ヿ"), "ヿ");
        assert_eq!(katakana_to_hiragana("ｶﾀｶﾅ"), "ｶﾀｶﾅ");
        assert_eq!(katakana_to_hiragana(""), "");
        assert_eq!(katakana_to_hiragana("😀𠮷"), "😀𠮷");
    }
}
