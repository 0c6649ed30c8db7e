use sodate_core::leads::bulk::{self, BulkAction, BulkProgress, BulkReport, BulkTarget};
use sodate_core::{leads, LeadDetail, LeadInput, LeadPage, LeadQuery};
use tauri::{AppHandle, Emitter, State};

use super::RowId;
use crate::error::AppError;
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub async fn lead_list(state: State<'_, AppState>, query: LeadQuery) -> Result<LeadPage, AppError> {
    state.run(move |db| leads::list(db, &query)).await
}

#[tauri::command]
#[specta::specta]
pub async fn lead_get(state: State<'_, AppState>, id: RowId) -> Result<LeadDetail, AppError> {
    state.run(move |db| leads::get(db, id.0)).await
}

#[tauri::command]
#[specta::specta]
pub async fn lead_create(
    app: AppHandle,
    state: State<'_, AppState>,
    input: LeadInput,
) -> Result<LeadDetail, AppError> {
    let lead = state.run(move |db| leads::create(db, &input)).await?;
    super::db_changed(&app, "lead", vec![lead.lead.id]);
    Ok(lead)
}

#[tauri::command]
#[specta::specta]
pub async fn lead_update(
    app: AppHandle,
    state: State<'_, AppState>,
    id: RowId,
    input: LeadInput,
) -> Result<LeadDetail, AppError> {
    let lead = state.run(move |db| leads::update(db, id.0, &input)).await?;
    super::db_changed(&app, "lead", vec![id.0]);
    Ok(lead)
}

#[tauri::command]
#[specta::specta]
pub async fn lead_delete(
    app: AppHandle,
    state: State<'_, AppState>,
    id: RowId,
) -> Result<(), AppError> {
    state.run(move |db| leads::delete(db, id.0)).await?;
    super::db_changed(&app, "lead", vec![id.0]);
    Ok(())
}

/// Applies a bulk action (add tag, set stage, set owner, delete) to the ticked leads or to
/// every member of a saved segment, in one transaction. Deleting needs `confirmed`, the
/// count the user agreed to, and takes a backup first. Emits `bulk-progress` ({done, total}).
#[tauri::command]
#[specta::specta]
pub async fn lead_bulk(
    app: AppHandle,
    state: State<'_, AppState>,
    target: BulkTarget,
    action: BulkAction,
    confirmed: Option<u32>,
) -> Result<BulkReport, AppError> {
    let progress_app = app.clone();
    let report = state
        .run(move |db| {
            bulk::apply(db, &target, &action, confirmed, &mut |p: BulkProgress| {
                // A lost progress event only delays the bar.
                let _ = progress_app.emit("bulk-progress", p);
            })
        })
        .await?;
    super::db_changed(&app, "lead", Vec::new());
    Ok(report)
}
