//! A surname OCR misread, mended by the reading printed beside it. tesseract now and then
//! reads one kanji of a name as a similar one (藤→腰, 加→豚); the kana or romaji reading on
//! the same card is read far more reliably. Only a family name that is no known surname is
//! replaced, only by a known surname of the same length whose reading is the card's.

use crate::import::surnames::SURNAMES;
use crate::normalize::{fold_itaiji, katakana_to_hiragana};

/// Hepburn romaji of hiragana, with long vowels folded (`さいとう` → `saito`, `おおの` →
/// `ono`) as they are written on cards.
fn romaji(kana: &str) -> String {
    const SMALL: &[(char, &str)] = &[('ゃ', "ya"), ('ゅ', "yu"), ('ょ', "yo")];
    let table = |c: char| -> Option<&'static str> {
        Some(match c {
            'あ' => "a",
            'い' => "i",
            'う' => "u",
            'え' => "e",
            'お' => "o",
            'か' => "ka",
            'き' => "ki",
            'く' => "ku",
            'け' => "ke",
            'こ' => "ko",
            'が' => "ga",
            'ぎ' => "gi",
            'ぐ' => "gu",
            'げ' => "ge",
            'ご' => "go",
            'さ' => "sa",
            'し' => "shi",
            'す' => "su",
            'せ' => "se",
            'そ' => "so",
            'ざ' => "za",
            'じ' => "ji",
            'ず' => "zu",
            'ぜ' => "ze",
            'ぞ' => "zo",
            'た' => "ta",
            'ち' => "chi",
            'つ' => "tsu",
            'て' => "te",
            'と' => "to",
            'だ' => "da",
            'ぢ' => "ji",
            'づ' => "zu",
            'で' => "de",
            'ど' => "do",
            'な' => "na",
            'に' => "ni",
            'ぬ' => "nu",
            'ね' => "ne",
            'の' => "no",
            'は' => "ha",
            'ひ' => "hi",
            'ふ' => "fu",
            'へ' => "he",
            'ほ' => "ho",
            'ば' => "ba",
            'び' => "bi",
            'ぶ' => "bu",
            'べ' => "be",
            'ぼ' => "bo",
            'ぱ' => "pa",
            'ぴ' => "pi",
            'ぷ' => "pu",
            'ぺ' => "pe",
            'ぽ' => "po",
            'ま' => "ma",
            'み' => "mi",
            'む' => "mu",
            'め' => "me",
            'も' => "mo",
            'や' => "ya",
            'ゆ' => "yu",
            'よ' => "yo",
            'ら' => "ra",
            'り' => "ri",
            'る' => "ru",
            'れ' => "re",
            'ろ' => "ro",
            'わ' => "wa",
            'を' => "o",
            'ん' => "n",
            _ => return None,
        })
    };
    let chars: Vec<char> = kana.chars().collect();
    let mut out = String::new();
    let mut double_next = false;
    for (i, &c) in chars.iter().enumerate() {
        if c == 'っ' {
            double_next = true;
            continue;
        }
        let Some(mut syllable) = table(c).map(str::to_string) else {
            continue;
        };
        if let Some(&(_, y)) = chars
            .get(i + 1)
            .and_then(|n| SMALL.iter().find(|(s, _)| s == n))
        {
            // きゃ → kya, しゃ → sha, ちゃ → cha, じゃ → ja
            let stem = syllable.trim_end_matches('i').to_string();
            syllable = match stem.as_str() {
                "sh" | "ch" | "j" => format!("{stem}{}", y.trim_start_matches('y')),
                _ => format!("{stem}{y}"),
            };
        }
        if SMALL.iter().any(|(s, _)| *s == c) {
            continue;
        }
        if double_next {
            if let Some(first) = syllable.chars().next() {
                out.push(first);
            }
            double_next = false;
        }
        out.push_str(&syllable);
    }
    fold_long_vowels(&out)
}

fn fold_long_vowels(r: &str) -> String {
    r.to_ascii_lowercase()
        .replace("ou", "o")
        .replace("oh", "o")
        .replace("oo", "o")
        .replace("uu", "u")
}

/// The known surname the card's `reading` (kana or romaji) names, when `family` as read is
/// no known surname and has as many characters.
pub(super) fn mend_by_reading(family: &str, reading: &str) -> Option<&'static str> {
    let folded = fold_itaiji(family);
    if family.is_empty() || reading.is_empty() || SURNAMES.iter().any(|(s, _)| *s == folded) {
        return None;
    }
    let reading = reading.trim();
    let latin = reading.chars().all(|c| c.is_ascii_alphabetic());
    let wanted = if latin {
        fold_long_vowels(reading)
    } else {
        katakana_to_hiragana(reading)
    };
    let len = family.chars().count();
    let matches: Vec<&'static str> = SURNAMES
        .iter()
        .filter(|(s, r)| {
            s.chars().count() == len
                && if latin {
                    romaji(r) == wanted
                } else {
                    *r == wanted
                }
        })
        .map(|(s, _)| *s)
        .collect();
    // One sharing a character with what was read, else the most common (the list is
    // ranked by frequency).
    matches
        .iter()
        .find(|s| s.chars().any(|c| folded.contains(c)))
        .or(matches.first())
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn romaji_of_readings() {
        assert_eq!(romaji("さいとう"), "saito");
        assert_eq!(romaji("ごとう"), "goto");
        assert_eq!(romaji("きょう"), "kyo");
        assert_eq!(romaji("はっとり"), "hattori");
        assert_eq!(romaji("しょうじ"), "shoji");
    }

    #[test]
    fn misread_surnames_mended_by_their_reading() {
        assert_eq!(mend_by_reading("腰田", "ふじた"), Some("藤田"));
        assert_eq!(mend_by_reading("加豚", "Kato"), Some("加藤"));
        assert_eq!(mend_by_reading("後懇", "Goto"), Some("後藤"));
        assert_eq!(mend_by_reading("腰田", "フジタ"), Some("藤田"));
        // A known surname is kept, whatever the reading says.
        assert_eq!(mend_by_reading("藤田", "やまだ"), None);
        // No known surname with that reading and length: kept.
        assert_eq!(mend_by_reading("腰田", "ぞぞぞ"), None);
        assert_eq!(mend_by_reading("", "ふじた"), None);
    }
}
