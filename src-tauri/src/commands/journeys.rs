//! Journey maps: personas, maps (the editor saves the whole document), live metrics per
//! stage, the due list of nurture steps, its CSV for the mail tool, and confirming sends.

use sodate_core::journeys::{
    self, DueList, JourneyDoc, JourneyMap, JourneyMetrics, JourneySummary, NewJourney, Persona,
    SentReport, Template,
};
use tauri::{AppHandle, State};

use super::RowId;
use crate::error::AppError;
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub async fn journey_templates() -> Result<Vec<Template>, AppError> {
    Ok(journeys::templates())
}

#[tauri::command]
#[specta::specta]
pub async fn persona_list(state: State<'_, AppState>) -> Result<Vec<Persona>, AppError> {
    state.run(journeys::personas).await
}

/// Creates (id 0) or updates a persona.
#[tauri::command]
#[specta::specta]
pub async fn persona_save(
    app: AppHandle,
    state: State<'_, AppState>,
    persona: Persona,
) -> Result<Persona, AppError> {
    let saved = state
        .run(move |db| journeys::save_persona(db, &persona))
        .await?;
    super::db_changed(&app, "persona", vec![saved.id]);
    Ok(saved)
}

#[tauri::command]
#[specta::specta]
pub async fn journey_list(state: State<'_, AppState>) -> Result<Vec<JourneySummary>, AppError> {
    state.run(journeys::list).await
}

#[tauri::command]
#[specta::specta]
pub async fn journey_create(
    app: AppHandle,
    state: State<'_, AppState>,
    journey: NewJourney,
) -> Result<JourneyMap, AppError> {
    let map = state.run(move |db| journeys::create(db, &journey)).await?;
    super::db_changed(&app, "journey", vec![map.id]);
    Ok(map)
}

/// Opens a map, with the problems of its bindings.
#[tauri::command]
#[specta::specta]
pub async fn journey_get(state: State<'_, AppState>, id: RowId) -> Result<JourneyMap, AppError> {
    state.run(move |db| journeys::get(db, id.0)).await
}

/// Saves the whole document (refused, each problem at its path, when invalid).
#[tauri::command]
#[specta::specta]
pub async fn journey_save(
    app: AppHandle,
    state: State<'_, AppState>,
    id: RowId,
    name: String,
    persona_id: RowId,
    doc: JourneyDoc,
) -> Result<JourneyMap, AppError> {
    let map = state
        .run(move |db| journeys::save(db, id.0, &name, persona_id.0, &doc))
        .await?;
    super::db_changed(&app, "journey", vec![map.id]);
    Ok(map)
}

#[tauri::command]
#[specta::specta]
pub async fn journey_delete(
    app: AppHandle,
    state: State<'_, AppState>,
    id: RowId,
) -> Result<(), AppError> {
    state.run(move |db| journeys::delete(db, id.0)).await?;
    super::db_changed(&app, "journey", vec![id.0]);
    Ok(())
}

/// Refreshes the stage history, then the figures per stage.
#[tauri::command]
#[specta::specta]
pub async fn journey_metrics(
    state: State<'_, AppState>,
    id: RowId,
) -> Result<JourneyMetrics, AppError> {
    state
        .run(move |db| journeys::metrics(db, id.0, chrono::Utc::now()))
        .await
}

/// Who is due on `date` (YYYY-MM-DD; empty: today): the total and the first `limit` rows.
#[tauri::command]
#[specta::specta]
pub async fn journey_due(
    state: State<'_, AppState>,
    id: RowId,
    date: String,
    limit: u32,
) -> Result<DueList, AppError> {
    state
        .run(move |db| {
            journeys::due(
                db,
                id.0,
                journeys::parse_day(&date)?,
                Some(limit),
                chrono::Utc::now(),
            )
        })
        .await
}

/// Writes the due list of `date` as a CSV at `path`; the number of rows.
#[tauri::command]
#[specta::specta]
pub async fn journey_due_csv(
    state: State<'_, AppState>,
    id: RowId,
    date: String,
    path: String,
) -> Result<u32, AppError> {
    state
        .run(move |db| {
            let day = journeys::parse_day(&date)?;
            journeys::due_csv(
                db,
                id.0,
                day,
                std::path::Path::new(&path),
                chrono::Utc::now(),
            )
        })
        .await
}

/// Records the due list of `date` (optionally one stage's part) as sent.
#[tauri::command]
#[specta::specta]
pub async fn journey_mark_sent(
    app: AppHandle,
    state: State<'_, AppState>,
    id: RowId,
    date: String,
    stage: Option<String>,
) -> Result<SentReport, AppError> {
    let report = state
        .run(move |db| {
            let day = journeys::parse_day(&date)?;
            journeys::mark_sent(db, id.0, day, stage.as_deref(), chrono::Utc::now())
        })
        .await?;
    super::db_changed(&app, "activity", vec![]);
    Ok(report)
}
