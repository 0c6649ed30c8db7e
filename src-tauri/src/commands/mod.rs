//! Tauri commands: one call into sodate-core each, nothing else.

pub mod app;
pub mod backups;
pub mod board;
pub mod capture;
pub mod card_text;
pub mod companies;
pub mod dashboard;
pub mod dedupe;
pub mod encryption;
pub mod export;
pub mod files;
pub mod imports;
pub mod journeys;
pub mod leads;
pub mod scoring;
pub mod segments;

use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Emitter};

/// A row id as a command argument. SQLite rowids stay below 2^53, so TypeScript receives
/// them as `number` (specta refuses plain 64-bit integers).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, specta::Type)]
#[serde(transparent)]
pub struct RowId(#[specta(type = specta_typescript::Number)] pub i64);

/// Emitted after every write so the UI can invalidate what it shows.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct DbChanged {
    pub entity: String,
    pub ids: Vec<RowId>,
}

pub(crate) fn db_changed(app: &AppHandle, entity: &str, ids: Vec<i64>) {
    // The UI refreshes on its next query anyway; a failed emit only delays that.
    let _ = app.emit(
        "db-changed",
        DbChanged {
            entity: entity.to_string(),
            ids: ids.into_iter().map(RowId).collect(),
        },
    );
}
