//! Business-card OCR text to the capture form's fields. The OCR itself runs in the UI
//! (tesseract.js with the bundled models); the lines come here to be split into fields.

use sodate_core::card_fields::CardFields;
use sodate_core::card_text::{self, OcrLine};

use crate::error::AppError;

/// The fields of the card whose OCR lines these are. Pure and fast (well under a
/// millisecond for a card), so it runs inline and touches no database.
#[tauri::command]
#[specta::specta]
pub async fn card_text_parse(lines: Vec<OcrLine>) -> Result<CardFields, AppError> {
    card_text::read_card_text(&lines).map_err(AppError::from)
}
