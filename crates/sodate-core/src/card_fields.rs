//! The fields read from a business card, whatever read it: a QR code (vCard, MeCard, text),
//! OCR of a card photo, or a vCard file. The capture form is prefilled from these and the
//! user checks them before saving. Every field is an empty string when nothing was found.

use serde::{Deserialize, Serialize};

/// What a card says, split into the capture form's fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", default)]
pub struct CardFields {
    pub family_name: String,
    pub given_name: String,
    /// Readings as written on the card (kana or romaji); the form converts kana as it does
    /// for typed readings.
    pub family_reading: String,
    pub given_reading: String,
    pub company: String,
    pub company_reading: String,
    pub department: String,
    pub title: String,
    pub email: String,
    pub phone: String,
    pub mobile: String,
    pub fax: String,
    pub postal_code: String,
    pub address: String,
    pub url: String,
    /// Anything read that fits no field (a second address line, a slogan, a URL of a QR
    /// that was plain text): offered to the user as the memo.
    pub note: String,
}

impl CardFields {
    /// True when no field holds anything.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}
