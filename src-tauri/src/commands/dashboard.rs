//! Dashboard: the figures for a cohort, the leads behind one figure, and the dormant leads
//! saved as a segment.

use sodate_core::dashboard::{self, Dashboard, DashboardQuery, DrillQuery};
use sodate_core::segments::{self, Segment};
use sodate_core::LeadPage;
use tauri::{AppHandle, State};

use crate::error::AppError;
use crate::state::AppState;

/// How long a dashboard waits for the facts being read ahead after start (seconds at 1M
/// leads); past it, it reads them itself.
const READ_AHEAD_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

/// Every figure of the dashboard for the cohort `query` describes.
#[tauri::command]
#[specta::specta]
pub async fn dashboard_compute(
    state: State<'_, AppState>,
    query: DashboardQuery,
) -> Result<Dashboard, AppError> {
    state.dashboard_ahead.wait_async(READ_AHEAD_WAIT).await;
    state.run(move |db| dashboard::compute(db, &query)).await
}

/// Every journey map's stage figures as of its last refresh (the dashboard's journey card).
#[tauri::command]
#[specta::specta]
pub async fn dashboard_journeys(
    state: State<'_, AppState>,
) -> Result<Vec<sodate_core::journeys::JourneyFigures>, AppError> {
    state.run(sodate_core::journeys::last_figures).await
}

/// A page of the leads behind one figure.
#[tauri::command]
#[specta::specta]
pub async fn dashboard_drill(
    state: State<'_, AppState>,
    query: DrillQuery,
) -> Result<LeadPage, AppError> {
    state.dashboard_ahead.wait_async(READ_AHEAD_WAIT).await;
    state.run(move |db| dashboard::drill(db, &query)).await
}

/// Saves the cohort's dormant leads as a dynamic segment.
#[tauri::command]
#[specta::specta]
pub async fn dashboard_dormant_segment(
    app: AppHandle,
    state: State<'_, AppState>,
    query: DashboardQuery,
    name: String,
) -> Result<Segment, AppError> {
    let segment = state
        .run(move |db| {
            let id = dashboard::save_dormant_segment(db, &query, &name)?;
            segments::get(db, id)
        })
        .await?;
    super::db_changed(&app, "segment", vec![segment.id]);
    Ok(segment)
}
