//! Data safety in the app: the backup list, "back up now", restore, the integrity check, and
//! the checks at start (quick check, daily backup) run in the background after the window.

use sodate_core::backup::{
    self, Backup, BackupReason, CopyProgress, IntegrityReport, RestoreReport,
};
use sodate_core::db::DbFile;
use sodate_core::salvage::{self, SalvageReport};
use tauri::{AppHandle, Emitter, Manager, State};

use crate::error::AppError;
use crate::state::AppState;

/// The backups of the database, newest first.
#[tauri::command]
#[specta::specta]
pub async fn backups_list(state: State<'_, AppState>) -> Result<Vec<Backup>, AppError> {
    let path = state.db_path.clone();
    blocking(move || backup::list(&path)).await
}

/// A manual backup, now ("backup-progress" events for large databases), on a connection of
/// its own: the app keeps working with the database meanwhile.
#[tauri::command]
#[specta::specta]
pub async fn backup_now(app: AppHandle, state: State<'_, AppState>) -> Result<Backup, AppError> {
    if let Some(error) = state.open_error() {
        return Err(error);
    }
    // The file and its key (an encrypted database's backup is encrypted too).
    let file = state.run(|db| Ok(db.file().clone())).await?;
    blocking(move || {
        backup::take_on_own_connection(&file, BackupReason::Manual, &mut |p: CopyProgress| {
            // A lost progress event only delays the bar.
            let _ = app.emit("backup-progress", p);
        })
    })
    .await
}

/// Runs `f` off the async runtime, without the app's database connection.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> sodate_core::Result<T> + Send + 'static,
) -> Result<T, AppError> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| AppError::internal(e.to_string()))?
        .map_err(AppError::from)
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
        .replace(move |file| {
            backup::restore_file(file, std::path::Path::new(&path), &mut |p| {
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
    let file = db_file(&state).await;
    blocking(move || backup::latest_good(&file)).await
}

/// The database file with its passphrase when it is open (and encrypted); the path alone
/// when it could not be opened.
async fn db_file(state: &State<'_, AppState>) -> DbFile {
    match state.run(|db| Ok(db.file().clone())).await {
        Ok(file) => file,
        Err(_) => DbFile {
            path: state.db_path.clone(),
            key: None,
        },
    }
}

/// Writes every readable lead of the (damaged) database to the CSV at `path`, and the people
/// not to mail to a suppression list beside it: the damaged-database screen's "export what
/// can be read". The database is only read.
#[tauri::command]
#[specta::specta]
pub async fn salvage_export(
    state: State<'_, AppState>,
    path: String,
) -> Result<SalvageReport, AppError> {
    let file = db_file(&state).await;
    blocking(move || salvage::export_readable_leads(&file, std::path::Path::new(&path))).await
}

/// The full integrity check (Settings → Backups).
#[tauri::command]
#[specta::specta]
pub async fn integrity_check(state: State<'_, AppState>) -> Result<IntegrityReport, AppError> {
    state.run(|db| backup::check(db, true)).await
}

/// After start (or after an encrypted database is unlocked), off the first screen's path and
/// on connections of their own (the app works with its database meanwhile): the quick check
/// (about a minute at 1M leads, see docs/BENCHMARKS.md), then the daily backup when due. A
/// damaged database is closed and the UI told ("db-damaged").
pub fn check_at_start(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        if state.open_error().is_some() {
            return; // Not opened (or still locked): the UI already shows why.
        }
        let Ok(file) = state.run(|db| Ok(db.file().clone())).await else {
            return;
        };
        let checked = file.clone();
        match blocking(move || backup::check_file(&checked.path, checked.key.as_ref(), false)).await
        {
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
            // The file could not be read for the check: the app's own calls report why.
            Err(_) => return,
        }
        if let Err(e) = blocking(move || backup::take_daily_if_due(&file, chrono::Utc::now())).await
        {
            eprintln!("sodate: the daily backup failed: {}", e.message);
        }
    });
}
