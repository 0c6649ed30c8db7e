//! Encryption at rest: unlocking an encrypted database at start, and enabling, changing and
//! removing its passphrase (a re-encryption that emits `encryption-progress` as it goes).

use sodate_core::encryption::{self, Passphrase, Progress};
use tauri::{AppHandle, Emitter, State};

use crate::error::AppError;
use crate::state::AppState;

/// Whether the open database is encrypted.
#[tauri::command]
#[specta::specta]
pub async fn encryption_status(state: State<'_, AppState>) -> Result<bool, AppError> {
    state.run(|db| Ok(db.is_encrypted())).await
}

/// Opens the encrypted database with the passphrase typed on the unlock screen, then runs
/// the checks of a start (quick check, daily backup) that waited for the key.
#[tauri::command]
#[specta::specta]
pub async fn database_unlock(
    app: AppHandle,
    state: State<'_, AppState>,
    passphrase: String,
) -> Result<(), AppError> {
    state.unlock(Passphrase::new(passphrase)?).await?;
    super::backups::check_at_start(app);
    Ok(())
}

/// Encrypts the (plain) database with a new passphrase.
#[tauri::command]
#[specta::specta]
pub async fn encryption_enable(
    app: AppHandle,
    state: State<'_, AppState>,
    passphrase: String,
) -> Result<(), AppError> {
    let new = Passphrase::new_for_encryption(passphrase)?;
    reencrypt(app, &state, None, Some(new)).await
}

/// Gives the encrypted database a new passphrase; the current one is asked again.
#[tauri::command]
#[specta::specta]
pub async fn encryption_change(
    app: AppHandle,
    state: State<'_, AppState>,
    current: String,
    passphrase: String,
) -> Result<(), AppError> {
    let current = Passphrase::new(current)?;
    let new = Passphrase::new_for_encryption(passphrase)?;
    reencrypt(app, &state, Some(current), Some(new)).await
}

/// Writes the database back as a plain file; the current passphrase is asked again.
#[tauri::command]
#[specta::specta]
pub async fn encryption_disable(
    app: AppHandle,
    state: State<'_, AppState>,
    current: String,
) -> Result<(), AppError> {
    let current = Passphrase::new(current)?;
    reencrypt(app, &state, Some(current), None).await
}

async fn reencrypt(
    app: AppHandle,
    state: &AppState,
    current: Option<Passphrase>,
    new: Option<Passphrase>,
) -> Result<(), AppError> {
    state
        .run_mut(move |db| {
            if let Some(current) = &current {
                encryption::confirm_passphrase(db, current)?;
            }
            encryption::change_key(db, new.as_ref(), &|p: Progress| {
                // A lost progress event only delays the bar.
                let _ = app.emit("encryption-progress", p);
            })
        })
        .await
}
