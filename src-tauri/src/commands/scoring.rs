//! Scoring and activities: the model (read, preview its impact, save), a lead's explanation
//! and MQL history, and logging activities by hand. Every call computes "now" here, once.

use chrono::Utc;
use serde::Serialize;
use sodate_core::activities::{self, ActivityInput, ActivityType, ActivityWritten};
use sodate_core::scoring::{
    self, Explanation, FitField, ImpactKind, ImpactPage, ImpactPreview, RecomputeReport,
    ScoreHistoryEntry, ScoringModel, StoredModel, FIT_FIELDS,
};
use tauri::{AppHandle, Emitter, State};

use super::RowId;
use crate::error::AppError;
use crate::state::AppState;

/// What the scoring editor offers in its pickers.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ScoringCatalogue {
    pub fit_fields: Vec<FitField>,
    pub activity_types: Vec<ActivityType>,
    /// The model a new database starts with (for "reset to the default").
    pub default_model: ScoringModel,
}

#[tauri::command]
#[specta::specta]
pub async fn scoring_model(state: State<'_, AppState>) -> Result<StoredModel, AppError> {
    state.run(scoring::load_model).await
}

#[tauri::command]
#[specta::specta]
pub async fn scoring_catalogue(state: State<'_, AppState>) -> Result<ScoringCatalogue, AppError> {
    state
        .run(|db| {
            Ok(ScoringCatalogue {
                fit_fields: FIT_FIELDS.to_vec(),
                activity_types: activities::types(db)?,
                default_model: ScoringModel::default(),
            })
        })
        .await
}

/// What saving `model` would change (nothing is written).
#[tauri::command]
#[specta::specta]
pub async fn scoring_impact(
    state: State<'_, AppState>,
    model: ScoringModel,
) -> Result<ImpactPreview, AppError> {
    state
        .run(move |db| scoring::impact_preview(db, &model, Utc::now()))
        .await
}

/// Who saving `model` would change in the way `kind` says, a page at a time.
#[tauri::command]
#[specta::specta]
pub async fn scoring_impact_leads(
    state: State<'_, AppState>,
    model: ScoringModel,
    kind: ImpactKind,
    offset: u32,
    limit: u32,
) -> Result<ImpactPage, AppError> {
    state
        .run(move |db| scoring::impact_leads(db, &model, Utc::now(), kind, offset, limit))
        .await
}

/// Saves the model and recomputes every lead's scores ("scoring-save-progress" events:
/// the backup taken first, then the rescored leads written).
#[tauri::command]
#[specta::specta]
pub async fn scoring_save(
    app: AppHandle,
    state: State<'_, AppState>,
    model: ScoringModel,
) -> Result<RecomputeReport, AppError> {
    let events = app.clone();
    let report = state
        .run(move |db| {
            scoring::save_model_with_progress(db, &model, Utc::now(), &mut |p| {
                // A lost progress event only delays the bar.
                let _ = events.emit("scoring-save-progress", p);
            })
        })
        .await?;
    super::db_changed(&app, "lead", Vec::new());
    Ok(report)
}

/// Writes the stored model as JSON to `path` (to keep, share or edit elsewhere).
#[tauri::command]
#[specta::specta]
pub async fn scoring_export(state: State<'_, AppState>, path: String) -> Result<(), AppError> {
    state
        .run(move |db| scoring::export_to(db, std::path::Path::new(&path)))
        .await
}

/// Reads a model from a JSON file for the editor (nothing is saved until the user saves).
#[tauri::command]
#[specta::specta]
pub async fn scoring_read(path: String) -> Result<ScoringModel, AppError> {
    scoring::read_model(std::path::Path::new(&path)).map_err(AppError::from)
}

#[tauri::command]
#[specta::specta]
pub async fn lead_explain(state: State<'_, AppState>, id: RowId) -> Result<Explanation, AppError> {
    state
        .run(move |db| scoring::explain(db, id.0, Utc::now()))
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn lead_score_history(
    state: State<'_, AppState>,
    id: RowId,
) -> Result<Vec<ScoreHistoryEntry>, AppError> {
    state.run(move |db| scoring::history(db, id.0)).await
}

/// Logs an activity on a lead (its scores are updated at once).
#[tauri::command]
#[specta::specta]
pub async fn activity_add(
    app: AppHandle,
    state: State<'_, AppState>,
    input: ActivityInput,
) -> Result<ActivityWritten, AppError> {
    let lead = input.lead_id;
    let written = state
        .run(move |db| activities::add(db, &input, Utc::now()))
        .await?;
    super::db_changed(&app, "lead", vec![lead]);
    Ok(written)
}

/// Logs the same activity on every lead of a selection (one transaction); returns how many.
#[tauri::command]
#[specta::specta]
pub async fn activity_add_to_leads(
    app: AppHandle,
    state: State<'_, AppState>,
    leads: Vec<RowId>,
    input: ActivityInput,
) -> Result<u32, AppError> {
    let ids: Vec<i64> = leads.iter().map(|id| id.0).collect();
    let changed = ids.clone();
    let written = state
        .run(move |db| activities::add_to_leads(db, &ids, &input, Utc::now()))
        .await?;
    super::db_changed(&app, "lead", changed);
    Ok(written)
}

/// Removes an activity (the lead's scores are updated at once).
#[tauri::command]
#[specta::specta]
pub async fn activity_remove(
    app: AppHandle,
    state: State<'_, AppState>,
    id: RowId,
) -> Result<ActivityWritten, AppError> {
    let written = state
        .run(move |db| activities::remove(db, id.0, Utc::now()))
        .await?;
    super::db_changed(&app, "lead", vec![written.lead_id]);
    Ok(written)
}

/// Brings the scores to today when a day has passed since they were computed (decay).
/// Called when the app starts and every hour after; `None` when they are current.
/// Reads the stored model's snapshot in the background (two read-only connections: neither
/// writes nor the UI's commands wait for it; the open database is held only for a few
/// milliseconds before and after), so that the first impact preview the user asks for is
/// served from memory. Nothing is kept if the database changed meanwhile.
pub(crate) async fn prepare_impact_preview(state: &AppState) -> Result<bool, AppError> {
    let Some(read) = state
        .run(|db| scoring::preview_read_for(db, Utc::now()))
        .await?
    else {
        return Ok(false);
    };
    let read = tauri::async_runtime::spawn_blocking(move || read.read())
        .await
        .map_err(|e| AppError::internal(e.to_string()))??;
    state
        .run(move |db| scoring::keep_preview_read(db, read))
        .await
}

pub(crate) async fn apply_decay(
    app: &AppHandle,
    state: &AppState,
) -> Result<Option<RecomputeReport>, AppError> {
    let report = state.run(|db| scoring::apply_decay(db, Utc::now())).await?;
    if report.is_some() {
        super::db_changed(app, "lead", Vec::new());
    }
    Ok(report)
}
