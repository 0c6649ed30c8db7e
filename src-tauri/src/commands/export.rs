//! Export and compliance: the export dialog (profiles, preview, write), mail results import,
//! consent records on the lead, person requests and the suppression list.

use std::path::PathBuf;

use chrono::Utc;
use sodate_core::consent::{self, ConsentInput, ConsentRecord};
use sodate_core::export::person::{self, EraseReport, PersonExportReport};
use sodate_core::export::results::{self, ResultsReport};
use sodate_core::export::suppression::{self, SuppressionExportReport, SuppressionImportReport};
use sodate_core::export::{self, ExportPreview, ExportReport, ExportRequest, ProfileInfo};
use tauri::{AppHandle, State};

use super::RowId;
use crate::error::AppError;
use crate::state::AppState;

/// The profiles with their columns and encodings.
#[tauri::command]
#[specta::specta]
pub async fn export_profiles() -> Result<Vec<ProfileInfo>, AppError> {
    Ok(export::profiles())
}

/// The first rows and every warning of an export; nothing is written.
#[tauri::command]
#[specta::specta]
pub async fn export_preview(
    state: State<'_, AppState>,
    request: ExportRequest,
) -> Result<ExportPreview, AppError> {
    state.run(move |db| export::preview(db, &request)).await
}

/// Writes the export to `path`.
#[tauri::command]
#[specta::specta]
pub async fn export_write(
    state: State<'_, AppState>,
    request: ExportRequest,
    path: String,
) -> Result<ExportReport, AppError> {
    state
        .run(move |db| export::export(db, &request, &PathBuf::from(path)))
        .await
}

/// Where exports are saved without asking (`SODATE_EXPORT_DIR`), if set.
#[tauri::command]
#[specta::specta]
pub async fn export_folder() -> Result<Option<String>, AppError> {
    Ok(std::env::var("SODATE_EXPORT_DIR")
        .ok()
        .filter(|d| !d.trim().is_empty()))
}

/// Imports a mail tool's results file (activities, suppressions, rescoring).
#[tauri::command]
#[specta::specta]
pub async fn results_import(
    app: AppHandle,
    state: State<'_, AppState>,
    path: String,
    skip_invalid: bool,
) -> Result<ResultsReport, AppError> {
    let report = state
        .run(move |db| results::import(db, &PathBuf::from(path), skip_invalid, Utc::now()))
        .await?;
    super::db_changed(&app, "lead", Vec::new());
    Ok(report)
}

#[tauri::command]
#[specta::specta]
pub async fn consent_list(
    state: State<'_, AppState>,
    lead_id: RowId,
) -> Result<Vec<ConsentRecord>, AppError> {
    state.run(move |db| consent::list(db, lead_id.0)).await
}

#[tauri::command]
#[specta::specta]
pub async fn consent_add(
    app: AppHandle,
    state: State<'_, AppState>,
    input: ConsentInput,
) -> Result<ConsentRecord, AppError> {
    let r = state
        .run(move |db| consent::add(db, &input, Utc::now()))
        .await?;
    super::db_changed(&app, "lead", vec![r.lead_id]);
    Ok(r)
}

#[tauri::command]
#[specta::specta]
pub async fn consent_edit(
    app: AppHandle,
    state: State<'_, AppState>,
    id: RowId,
    input: ConsentInput,
) -> Result<ConsentRecord, AppError> {
    let r = state
        .run(move |db| consent::edit(db, id.0, &input, Utc::now()))
        .await?;
    super::db_changed(&app, "lead", vec![r.lead_id]);
    Ok(r)
}

#[tauri::command]
#[specta::specta]
pub async fn person_export(
    state: State<'_, AppState>,
    lead_id: RowId,
    path: String,
) -> Result<PersonExportReport, AppError> {
    state
        .run(move |db| person::export(db, lead_id.0, &PathBuf::from(path)))
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn person_erase(
    app: AppHandle,
    state: State<'_, AppState>,
    lead_id: RowId,
) -> Result<EraseReport, AppError> {
    let r = state.run(move |db| person::erase(db, lead_id.0)).await?;
    super::db_changed(&app, "lead", vec![r.lead_id]);
    Ok(r)
}

#[tauri::command]
#[specta::specta]
pub async fn suppression_export(
    state: State<'_, AppState>,
    path: String,
    plain: bool,
) -> Result<SuppressionExportReport, AppError> {
    state
        .run(move |db| suppression::export_list(db, &PathBuf::from(path), plain))
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn suppression_import(
    app: AppHandle,
    state: State<'_, AppState>,
    path: String,
) -> Result<SuppressionImportReport, AppError> {
    let r = state
        .run(move |db| suppression::import_list(db, &PathBuf::from(path)))
        .await?;
    super::db_changed(&app, "lead", Vec::new());
    Ok(r)
}
