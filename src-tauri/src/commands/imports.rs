//! Import: inspect a file, run (with progress events and cancel), history, undo, failed
//! rows, presets.

use std::sync::atomic::Ordering;

use sodate_core::import::{
    self, batches, mapping::ColumnMapping, mapping::Preset, ImportBatch, ImportInspection,
    ImportPlan, ImportProgress, ImportReport, UndoReport,
};
use tauri::{AppHandle, Emitter, State};

use super::RowId;
use crate::error::AppError;
use crate::state::{AppState, Job};

/// Format, encoding, mapping and a preview of the first rows, nothing written.
#[tauri::command]
#[specta::specta]
pub async fn import_inspect(
    state: State<'_, AppState>,
    plan: ImportPlan,
) -> Result<ImportInspection, AppError> {
    state.run(move |db| import::inspect(db, &plan)).await
}

/// Runs the import (or a dry run). Emits `import-progress` ({rows, fraction}) as it goes;
/// [`import_cancel`] stops it with nothing written.
#[tauri::command]
#[specta::specta]
pub async fn import_run(
    app: AppHandle,
    state: State<'_, AppState>,
    plan: ImportPlan,
    dry_run: bool,
) -> Result<ImportReport, AppError> {
    let cancel = state.start_job(Job::Import);
    let progress_app = app.clone();
    let report = state
        .run(move |db| {
            import::run(
                db,
                &plan,
                dry_run,
                &mut |p: ImportProgress| {
                    // A lost progress event only delays the bar.
                    let _ = progress_app.emit("import-progress", p);
                },
                &cancel,
            )
        })
        .await?;
    if !dry_run {
        super::db_changed(&app, "lead", Vec::new());
    }
    Ok(report)
}

/// Asks a running import to stop; it rolls back.
#[tauri::command]
#[specta::specta]
pub async fn import_cancel(state: State<'_, AppState>) -> Result<(), AppError> {
    state
        .cancel_flag(Job::Import)
        .store(true, Ordering::Relaxed);
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub async fn import_history(state: State<'_, AppState>) -> Result<Vec<ImportBatch>, AppError> {
    state.run(batches::history).await
}

#[tauri::command]
#[specta::specta]
pub async fn import_undo(
    app: AppHandle,
    state: State<'_, AppState>,
    batch: RowId,
) -> Result<UndoReport, AppError> {
    let report = state.run(move |db| batches::undo(db, batch.0)).await?;
    super::db_changed(&app, "lead", Vec::new());
    Ok(report)
}

/// Writes a batch's failed rows with their reasons to `path` (a CSV in the file's encoding).
#[tauri::command]
#[specta::specta]
pub async fn import_write_failures(
    state: State<'_, AppState>,
    batch: RowId,
    path: String,
) -> Result<u32, AppError> {
    state
        .run(move |db| batches::write_failures(db, batch.0, std::path::Path::new(&path)))
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn import_save_preset(
    state: State<'_, AppState>,
    name: String,
    mapping: Vec<ColumnMapping>,
) -> Result<Preset, AppError> {
    state
        .run(move |db| batches::save_preset(db, &name, &mapping))
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn import_delete_preset(state: State<'_, AppState>, id: String) -> Result<(), AppError> {
    state.run(move |db| batches::delete_preset(db, &id)).await
}
