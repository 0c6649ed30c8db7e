use serde::Serialize;
use sodate_core::{demo, stats, Stats};
use std::sync::atomic::AtomicBool;
use tauri::{AppHandle, State};

use crate::error::AppError;
use crate::state::AppState;

/// Whether the database is usable, and which file it is.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum DbState {
    #[serde(rename_all = "camelCase")]
    Ready {
        lead_count: u32,
    },
    Failed {
        error: AppError,
    },
}

#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AppStatus {
    pub db_path: String,
    pub state: DbState,
}

#[tauri::command]
#[specta::specta]
pub async fn app_status(state: State<'_, AppState>) -> Result<AppStatus, AppError> {
    let db_path = state.db_path.display().to_string();
    let db_state = match state.open_error() {
        Some(error) => DbState::Failed { error },
        None => match state.run(stats::counts).await {
            Ok(s) => DbState::Ready {
                lead_count: s.leads,
            },
            Err(error) => DbState::Failed { error },
        },
    };
    Ok(AppStatus {
        db_path,
        state: db_state,
    })
}

#[tauri::command]
#[specta::specta]
pub async fn stats(state: State<'_, AppState>) -> Result<Stats, AppError> {
    state.run(stats::counts).await
}

/// Loads demo data (the first-start offer on an empty database).
#[tauri::command]
#[specta::specta]
pub async fn demo_load(
    app: AppHandle,
    state: State<'_, AppState>,
    leads: u32,
) -> Result<Stats, AppError> {
    let result = state
        .run(move |db| {
            let options = demo::DemoOptions::new(leads, 1);
            demo::generate(db, &options, &mut |_, _| {}, &AtomicBool::new(false))?;
            stats::counts(db)
        })
        .await?;
    super::db_changed(&app, "lead", Vec::new());
    Ok(result)
}
