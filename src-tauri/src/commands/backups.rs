//! Data safety in the app: the backup list, "back up now", restore, the integrity check, and
//! the checks at start (quick check, daily backup) run in the background after the window.

use sodate_core::backup::{
    self, Backup, BackupReason, CopyProgress, IntegrityReport, RestoreReport,
};
use tauri::{AppHandle, Emitter, Manager, State};

use crate::error::AppError;
use crate::state::AppState;

/// The backups of the database, newest first.
#[tauri::command]
#[specta::specta]
pub async fn backups_list(state: State<'_, AppState>) -> Result<Vec<Backup>, AppError> {
    let path = state.db_path.clone();
    tauri::async_runtime::spawn_blocking(move || backup::list(&path))
        .await
        .map_err(|e| AppError::internal(e.to_string()))?
        .map_err(AppError::from)
}

/// A manual backup, now ("backup-progress" events for large databases).
#[tauri::command]
#[specta::specta]
pub async fn backup_now(app: AppHandle, state: State<'_, AppState>) -> Result<Backup, AppError> {
    state
        .run(move |db| {
            backup::take_with_progress(db, BackupReason::Manual, &mut |p: CopyProgress| {
                // A lost progress event only delays the bar.
                let _ = app.emit("backup-progress", p);
            })
        })
        .await
}

/// Restores the backup at `path` (checked first; the current state backed up, or kept aside
/// when damaged) and reopens the database; every view then reloads.
#[tauri::command]
#[specta::specta]
pub async fn backup_restore(
    app: AppHandle,
    state: State<'_, AppState>,
    path: String,
) -> Result<RestoreReport, AppError> {
    let progress_app = app.clone();
    let report = state
        .replace(move |db_path| {
            backup::restore_file(db_path, std::path::Path::new(&path), &mut |p| {
                let _ = progress_app.emit("backup-progress", p);
            })
        })
        .await?;
    super::db_changed(&app, "all", Vec::new());
    Ok(report)
}

/// The newest backup that passes the quick check (the damaged-database screen offers it).
#[tauri::command]
#[specta::specta]
pub async fn backup_latest_good(state: State<'_, AppState>) -> Result<Option<Backup>, AppError> {
    let path = state.db_path.clone();
    tauri::async_runtime::spawn_blocking(move || backup::latest_good(&path))
        .await
        .map_err(|e| AppError::internal(e.to_string()))?
        .map_err(AppError::from)
}

/// The full integrity check (Settings → Backups).
#[tauri::command]
#[specta::specta]
pub async fn integrity_check(state: State<'_, AppState>) -> Result<IntegrityReport, AppError> {
    state.run(|db| backup::check(db, true)).await
}

/// After start, off the first screen's path: the quick check (seconds at 1M leads), then the
/// daily backup when due. A damaged database closes and the UI is told ("db-damaged").
pub fn check_at_start(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        match state.run(|db| backup::check(db, false)).await {
            Ok(report) if !report.is_ok() => {
                let error = AppError::from(sodate_core::Error::DatabaseCorrupt {
                    path: state.db_path.clone(),
                    detail: report.problems.join("; "),
                });
                state.close_damaged(error.clone());
                let _ = app.emit("db-damaged", error);
                return;
            }
            Ok(_) => {}
            // Not opened at all: the UI already shows why.
            Err(_) => return,
        }
        if let Err(e) = state
            .run(|db| backup::take_daily_if_due(db, chrono::Utc::now()))
            .await
        {
            eprintln!("sodate: the daily backup failed: {}", e.message);
        }
    });
}
