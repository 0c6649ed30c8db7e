//! The error type that crosses IPC: `{ code, message, details }`. The UI branches on `code`
//! and translates it; `message` is the core's English sentence, a fallback only.

use serde::Serialize;
use sodate_core::FieldIssue;

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct ErrorDetails {
    /// The database file the error is about, if any.
    pub path: Option<String>,
    /// Every invalid field, for `invalid`.
    pub fields: Vec<FieldIssue>,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct AppError {
    pub code: String,
    pub message: String,
    pub details: ErrorDetails,
}

impl From<sodate_core::Error> for AppError {
    fn from(e: sodate_core::Error) -> Self {
        AppError {
            code: e.code().to_string(),
            message: e.to_string(),
            details: ErrorDetails {
                path: e.path().map(|p| p.display().to_string()),
                fields: e.field_issues().to_vec(),
            },
        }
    }
}

impl AppError {
    pub fn internal(message: impl Into<String>) -> Self {
        AppError {
            code: "internal".into(),
            message: message.into(),
            details: ErrorDetails {
                path: None,
                fields: Vec::new(),
            },
        }
    }
}
