//! The text of a business card, as OCR read it line by line, split into the capture form's
//! fields ([`CardFields`]).
//!
//! The OCR engine runs in the UI (tesseract.js with the bundled Japanese and English
//! models); it hands over its lines with their geometry, and this module decides what each
//! line is. Everything here is a pure function of those lines: no database, no I/O.
//!
//! How a line is recognised, in this order (a line used by one field is not offered to the
//! next):
//! 1. e-mail: the run of address characters around an `@` (spaces OCR put around `@` and
//!    `.` removed), validated by [`normalize::email`];
//! 2. URL: `http(s)://…`, `www.…`, or a line labelled URL/Web/HP;
//! 3. phones by label — 電話/TEL/Tel/T/Phone/P/直通/代表 → phone, 携帯/Mobile/Cell/M → mobile,
//!    FAX/Fax/F → fax — several on one line (`T 03-… F 03-…`), OCR confusions in the
//!    digits (O→0, l/I/|→1, S→5, B→8), validated by [`normalize::phone`] and returned in
//!    its display form (`03-1234-5678`); an unlabelled number is a mobile when it has a
//!    mobile prefix, else the phone;
//! 4. postal code after 〒 (or a leading `123-4567`), the address by prefecture, city
//!    words or an English `…-ku, Tokyo` line, with a following building/floor line;
//! 5. company by corporate form ([`normalize::has_corporate_form`]), Japanese before
//!    English;
//! 6. title by known title words (部長, 代表取締役, Manager, Director …) and department by
//!    known unit words (部, 課, 室, Division …), one line holding both split between them;
//! 7. name: the tallest remaining line that looks like a name, split by
//!    [`crate::import::split_full_name`]; its readings from the nearest kana line and, for a Japanese
//!    name, the nearest romaji line; a family name that is no known surname but whose
//!    reading is one's is mended to it (OCR misreads a kanji now and then: 腰田 read for
//!    藤田 beside ふじた);
//! 8. anything left goes to the note.
//!
//! tesseract puts a space between every two Japanese characters. When the words' boxes
//! come with a line, a space is kept only where the gap between two words is wide (a real
//! space on the card); without boxes a single space between Japanese characters is dropped
//! and an ideographic space or a run of spaces is kept.
//!
//! Invariant: [`parse_card`] never panics and its cost is bounded ([`MAX_LINES`] lines of
//! at most [`MAX_LINE_CHARS`] characters are looked at).

mod clean;
mod fields;
#[cfg(test)]
mod proptests;
mod surname;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use crate::card_fields::CardFields;
use crate::{Error, FieldIssue, Result};

pub use clean::lines_from_text;

/// Lines beyond this many are ignored (a card has a few dozen at most).
pub const MAX_LINES: usize = 200;
/// Characters of a line beyond this many are ignored.
pub const MAX_LINE_CHARS: usize = 400;

/// A rectangle on the photo, in pixels from its top-left corner.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", default)]
pub struct OcrBox {
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
}

/// One word of a line as OCR read it, with its box.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", default)]
pub struct OcrWord {
    pub text: String,
    pub bbox: OcrBox,
}

/// One line of text as OCR read it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", default)]
pub struct OcrLine {
    pub text: String,
    pub bbox: OcrBox,
    /// The height of the line's characters in pixels (tesseract's row height); 0 when
    /// unknown, then the box's height is used.
    pub line_height: f64,
    /// OCR confidence, 0–100 (0 when unknown).
    pub confidence: f64,
    /// The line's words with their boxes; may be empty (plain text input).
    pub words: Vec<OcrWord>,
}

/// Splits OCR lines into card fields. Empty fields where nothing was recognised; never
/// fails and never panics, whatever the lines hold.
pub fn parse_card(lines: &[OcrLine]) -> CardFields {
    let cleaned = clean::clean_lines(lines);
    fields::split(cleaned)
}

/// [`parse_card`] for the capture form: says so plainly when the lines hold no text at all
/// (`no_text`) or nothing that looks like a card's field (`no_card_fields`).
///
/// # Errors
///
/// [`Error::Invalid`] with one of the two codes above.
pub fn read_card_text(lines: &[OcrLine]) -> Result<CardFields> {
    if lines.iter().all(|l| l.text.trim().is_empty()) {
        return Err(Error::Invalid {
            issues: vec![FieldIssue::new(
                "text",
                "no_text",
                "no text was found on the card photo",
            )],
        });
    }
    let fields = parse_card(lines);
    let only_note = CardFields {
        note: fields.note.clone(),
        ..CardFields::default()
    };
    if fields == only_note {
        return Err(Error::Invalid {
            issues: vec![FieldIssue::new(
                "text",
                "no_card_fields",
                "text was read, but none of it looks like a name, company, e-mail or phone number",
            )],
        });
    }
    Ok(fields)
}
