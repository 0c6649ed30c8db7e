//! The core's error type. Every variant has a stable `code()` that the UI branches on and
//! translates; `Display` is an English sentence for logs and the CLI.

use std::path::PathBuf;

use serde::Serialize;

/// One invalid field of an input, e.g. `{ field: "email", code: "invalid_email" }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct FieldIssue {
    pub field: String,
    pub code: String,
    pub message: String,
    /// The row of a file the problem is in (imports), as a spreadsheet numbers it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "specta", specta(type = Option<f64>))]
    pub row: Option<u64>,
}

impl FieldIssue {
    pub fn new(field: &str, code: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_string(),
            code: code.to_string(),
            message: message.into(),
            row: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{entity} {id} does not exist")]
    NotFound { entity: &'static str, id: i64 },

    #[error("invalid input: {}", .issues.iter().map(|i| format!("{}: {}", i.field, i.message)).collect::<Vec<_>>().join("; "))]
    Invalid { issues: Vec<FieldIssue> },

    #[error("the database {} was written by a newer version of Sodate (schema {found}; this version knows up to {supported}). Update Sodate to open it; the file was not changed.", .path.display())]
    DatabaseNewer {
        path: PathBuf,
        found: usize,
        supported: usize,
    },

    #[error("the database {} is damaged ({detail}). The file was not changed; restore a backup or copy out what can be read.", .path.display())]
    DatabaseCorrupt { path: PathBuf, detail: String },

    #[error("the database {} is locked by another program. Close the other Sodate window or program using it and try again.", .path.display())]
    DatabaseLocked { path: PathBuf },

    #[error("the database {} cannot be opened: {detail}", .path.display())]
    DatabaseUnreadable { path: PathBuf, detail: String },

    #[error("the database {} is encrypted: enter its passphrase to open it. The file was not changed.", .path.display())]
    PassphraseRequired { path: PathBuf },

    #[error("the passphrase for {} is wrong. The file was not changed; try again.", .path.display())]
    WrongPassphrase { path: PathBuf },

    #[error("cannot write {}: {detail}", .path.display())]
    FileWrite { path: PathBuf, detail: String },

    #[error("{0}")]
    Conflict(String),

    #[error("the operation was cancelled; nothing was changed")]
    Cancelled,

    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),

    #[error("migration failed: {0}")]
    Migration(#[from] rusqlite_migration::Error),

    #[error("data error: {0}")]
    Json(#[from] serde_json::Error),
}

impl Error {
    /// Stable machine-readable code (`not_found`, `invalid`, `db_newer` …).
    pub fn code(&self) -> &'static str {
        match self {
            Error::NotFound { .. } => "not_found",
            Error::Invalid { .. } => "invalid",
            Error::DatabaseNewer { .. } => "db_newer",
            Error::DatabaseCorrupt { .. } => "db_corrupt",
            Error::DatabaseLocked { .. } => "db_locked",
            Error::DatabaseUnreadable { .. } => "db_unreadable",
            Error::PassphraseRequired { .. } => "db_encrypted",
            Error::WrongPassphrase { .. } => "wrong_passphrase",
            Error::FileWrite { .. } => "file_write",
            Error::Conflict(_) => "conflict",
            Error::Cancelled => "cancelled",
            Error::Sqlite(_) | Error::Migration(_) | Error::Json(_) => "internal",
        }
    }

    /// The database file an error is about, when it is about one.
    pub fn path(&self) -> Option<&std::path::Path> {
        match self {
            Error::DatabaseNewer { path, .. }
            | Error::DatabaseCorrupt { path, .. }
            | Error::DatabaseLocked { path }
            | Error::DatabaseUnreadable { path, .. }
            | Error::PassphraseRequired { path }
            | Error::WrongPassphrase { path }
            | Error::FileWrite { path, .. } => Some(path),
            _ => None,
        }
    }

    /// The field issues of an `Invalid` error (empty otherwise).
    pub fn field_issues(&self) -> &[FieldIssue] {
        match self {
            Error::Invalid { issues } => issues,
            _ => &[],
        }
    }

    pub fn invalid(field: &str, code: &str, message: impl Into<String>) -> Self {
        Error::Invalid {
            issues: vec![FieldIssue::new(field, code, message)],
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
