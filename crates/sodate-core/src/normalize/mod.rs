//! Japanese text normalisation: the keys that search, dedupe and segments compare, and the
//! validated forms of e-mail addresses, phone numbers and postal codes.
//!
//! Display values are stored as the user typed them; beside each one the database keeps a
//! *key* produced here. Keys are idempotent (`key(key(x)) == key(x)`) and equal for the
//! variants a person would call the same (髙橋/高橋, ㈱/(株)/株式会社, ｶﾀｶﾅ/カタカナ/かたかな,
//! full-width digits).
//!
//! Everything is hand-written for speed (no regexes, no per-character allocation): keys
//! are one pass over the NFKC form of the input, and NFKC itself is skipped when the input
//! is ASCII or already normalised. A million rows normalise in well under a second per key.
//!
//! | function | for |
//! |---|---|
//! | [`nfkc`] | NFKC with ASCII/already-normalised fast paths |
//! | [`fold_itaiji`] | 髙→高, 﨑→崎, 邊→辺 … |
//! | [`katakana_to_hiragana`] | カタカナ→かたかな |
//! | [`name_key`] | person names |
//! | [`reading_key`] | readings (furigana) |
//! | [`company_key`] | company names without 株式会社 / (株) / Co., Ltd. … |
//! | [`search_key`] | substring search |
//! | [`email`], [`phone`], [`postal_code`] | validated normal form, else [`FormatError`] |
//! | [`display_phone`], [`format_postal_code`] | display forms |

use unicode_normalization::UnicodeNormalization;

mod chars;
mod corporate;
mod email;
mod itaiji;
mod kana;
mod keys;
mod phone;
mod postal;
#[cfg(test)]
mod proptests;

pub use corporate::{company_key, has_corporate_form};
pub use email::email;
pub use itaiji::fold_itaiji;
pub use kana::{katakana_to_hiragana, reading_as_katakana};
pub use keys::{name_key, reading_key, search_key};
pub use phone::{display_phone, phone};
pub use postal::{format_postal_code, postal_code};

/// Why a value could not be normalised. `code` is stable and translated by the UI: one of
/// `invalid_email`, `invalid_phone`, `invalid_postal_code`. `message` is an English
/// explanation of what exactly is wrong (for logs and import reports).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FormatError {
    pub code: &'static str,
    pub message: String,
}

/// A phone number in E.164 (`+81312345678`) with an optional extension (digits only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone {
    pub e164: String,
    pub extension: Option<String>,
}

/// Unicode NFKC: full-width ASCII → ASCII, half-width katakana → full-width (with voiced
/// marks composed: ｶﾞ → ガ), ㈱ → (株), ① → 1, compatibility ideographs → unified ones.
/// Returns a copy without normalising when the input is ASCII or already NFKC.
pub fn nfkc(s: &str) -> String {
    if keys::is_nfkc_fast(s) {
        s.to_owned()
    } else {
        s.nfkc().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nfkc_examples() {
        assert_eq!(nfkc("ＡＢＣ１２３"), "ABC123");
        assert_eq!(nfkc("ｶﾞｷﾞｸﾞ"), "ガギグ");
        assert_eq!(nfkc("㈱"), "(株)");
        assert_eq!(nfkc("（株）"), "(株)");
        assert_eq!(nfkc("＠"), "@");
        assert_eq!(nfkc("　"), " ");
        assert_eq!(nfkc("plain ascii"), "plain ascii");
        assert_eq!(nfkc("髙橋"), "髙橋");
        assert_eq!(nfkc("𠮷😀"), "𠮷😀");
        assert_eq!(nfkc(""), "");
    }

    #[test]
    fn format_error_displays_message() {
        let e = FormatError {
            code: "invalid_email",
            message: "the e-mail address needs an @".into(),
        };
        assert_eq!(e.to_string(), "the e-mail address needs an @");
        let e = email("nope").err();
        assert_eq!(e.map(|e| e.code), Some("invalid_email"));
        assert_eq!(phone("nope").err().map(|e| e.code), Some("invalid_phone"));
        assert_eq!(
            postal_code("nope").err().map(|e| e.code),
            Some("invalid_postal_code")
        );
    }

    /// Rough throughput check for the bulk-import path (run with `--ignored --nocapture`,
    /// in release mode for meaningful numbers).
    #[test]
    #[ignore = "benchmark: run explicitly in release mode"]
    fn throughput_one_million_rows() {
        let rows: Vec<(String, String, String, String, String)> = (0..1_000_000)
            .map(|i| {
                (
                    format!("髙橋 太郎{}", i % 997),
                    format!("ﾀｶﾊｼ ﾀﾛｳ{}", i % 13),
                    format!("株式会社サンプル{}商事", i % 1009),
                    format!("taro.{i}@Example.co.jp"),
                    format!("03-{:04}-{:04}", i % 10_000, (i * 7) % 10_000),
                )
            })
            .collect();
        let start = std::time::Instant::now();
        let mut total = 0usize;
        for (name, reading, company, mail, tel) in &rows {
            total += name_key(name).len();
            total += reading_key(reading).len();
            total += company_key(company).len();
            total += search_key(company).len();
            total += email(mail).map(|e| e.len()).unwrap_or(0);
            total += phone(tel).map(|p| p.e164.len()).unwrap_or(0);
        }
        println!(
            "1M rows × 6 normalisations in {:?} ({total} bytes)",
            start.elapsed()
        );
    }
}
