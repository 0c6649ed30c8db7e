//! The sales handoff board: the board and its column pages, moves (one lead or many), the
//! board settings, BANT/CHAMP answers, owners, the reactivation list and handoff sheets.
//! Every call computes "now" here, once; moves are recorded as the OS login name.

use chrono::Utc;
use sodate_core::handoff::{
    self, Board, BoardConfig, BoardFilter, BulkMoveReport, ColumnPage, HandoffSheet, MoveOutcome,
    MoveRequest, Qualification, ReactivationKind, ReactivationPage,
};
use tauri::{AppHandle, State};

use super::{db_changed, RowId};
use crate::error::AppError;
use crate::state::AppState;

/// Who the person at this computer is, for the stage history.
fn actor() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .ok()
        .filter(|a| !a.trim().is_empty())
        .unwrap_or_else(|| "user".into())
}

fn ids(leads: &[RowId]) -> Vec<i64> {
    leads.iter().map(|l| l.0).collect()
}

#[tauri::command]
#[specta::specta]
pub async fn board_get(
    state: State<'_, AppState>,
    filter: BoardFilter,
    limit: u32,
) -> Result<Board, AppError> {
    state
        .run(move |db| handoff::board(db, &filter, limit, Utc::now()))
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn board_column(
    state: State<'_, AppState>,
    stage: String,
    filter: BoardFilter,
    offset: u32,
    limit: u32,
) -> Result<ColumnPage, AppError> {
    state
        .run(move |db| handoff::column(db, &stage, &filter, offset, limit, Utc::now()))
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn board_move(
    app: AppHandle,
    state: State<'_, AppState>,
    lead: RowId,
    request: MoveRequest,
) -> Result<MoveOutcome, AppError> {
    let out = state
        .run(move |db| handoff::move_lead(db, lead.0, &request, &actor(), Utc::now()))
        .await?;
    db_changed(&app, "lead", vec![lead.0]);
    Ok(out)
}

#[tauri::command]
#[specta::specta]
pub async fn board_move_many(
    app: AppHandle,
    state: State<'_, AppState>,
    leads: Vec<RowId>,
    request: MoveRequest,
) -> Result<BulkMoveReport, AppError> {
    let lead_ids = ids(&leads);
    let moved = lead_ids.clone();
    let report = state
        .run(move |db| handoff::move_many(db, &lead_ids, &request, &actor(), Utc::now()))
        .await?;
    db_changed(&app, "lead", moved);
    Ok(report)
}

#[tauri::command]
#[specta::specta]
pub async fn board_config(state: State<'_, AppState>) -> Result<BoardConfig, AppError> {
    state.run(handoff::config).await
}

/// Saves the board settings; the number of leads that entered MQL under a new MQL rule.
#[tauri::command]
#[specta::specta]
pub async fn board_config_save(
    app: AppHandle,
    state: State<'_, AppState>,
    config: BoardConfig,
) -> Result<u32, AppError> {
    let entered = state
        .run(move |db| handoff::save_config(db, config, Utc::now()))
        .await?;
    db_changed(&app, "lead", Vec::new());
    Ok(entered)
}

#[tauri::command]
#[specta::specta]
pub async fn lead_qualification_save(
    app: AppHandle,
    state: State<'_, AppState>,
    lead: RowId,
    answers: Qualification,
) -> Result<Qualification, AppError> {
    let q = state
        .run(move |db| handoff::set_qualification(db, lead.0, &answers, &actor(), Utc::now()))
        .await?;
    db_changed(&app, "lead", vec![lead.0]);
    Ok(q)
}

#[tauri::command]
#[specta::specta]
pub async fn lead_set_owner(
    app: AppHandle,
    state: State<'_, AppState>,
    lead: RowId,
    owner: String,
) -> Result<(), AppError> {
    state
        .run(move |db| handoff::set_owner(db, lead.0, &owner))
        .await?;
    db_changed(&app, "lead", vec![lead.0]);
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub async fn board_reactivation(
    state: State<'_, AppState>,
    kind: ReactivationKind,
    offset: u32,
    limit: u32,
) -> Result<ReactivationPage, AppError> {
    state
        .run(move |db| handoff::reactivation(db, kind, offset, limit, Utc::now()))
        .await
}

/// The ids of a column's leads under the filters (for a column's handoff sheet).
#[tauri::command]
#[specta::specta]
pub async fn board_column_ids(
    state: State<'_, AppState>,
    stage: String,
    filter: BoardFilter,
) -> Result<Vec<RowId>, AppError> {
    let ids = state
        .run(move |db| handoff::column_ids(db, &stage, &filter, Utc::now()))
        .await?;
    Ok(ids.into_iter().map(RowId).collect())
}

#[tauri::command]
#[specta::specta]
pub async fn board_handoff_sheets(
    state: State<'_, AppState>,
    leads: Vec<RowId>,
) -> Result<Vec<HandoffSheet>, AppError> {
    let lead_ids = ids(&leads);
    state
        .run(move |db| handoff::handoff_sheets(db, &lead_ids, Utc::now()))
        .await
}

/// Writes the handoff sheets of `leads` as CSV to `path`; the number of leads written.
#[tauri::command]
#[specta::specta]
pub async fn board_handoff_csv(
    state: State<'_, AppState>,
    leads: Vec<RowId>,
    path: String,
) -> Result<u32, AppError> {
    let lead_ids = ids(&leads);
    state
        .run(move |db| {
            handoff::write_handoff_csv(db, &lead_ids, std::path::Path::new(&path), Utc::now())
        })
        .await
}
