//! Capture at trade shows: events, the capture form (duplicate warning, save, drafts,
//! product chips), card photos and QR codes. Photos arrive base64-encoded (a File read in
//! the webview); the core decodes and checks them. Every call computes "now" here, once.

use chrono::Utc;
use sodate_core::capture::{
    self, events, photos, qr, CaptureCounts, CaptureDraft, CaptureInput, CaptureSaved,
    EventSummary, NewEvent, PhotoInfo, QrReading,
};
use tauri::{AppHandle, State};

use super::{db_changed, RowId};
use crate::error::AppError;
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub async fn capture_events(state: State<'_, AppState>) -> Result<Vec<EventSummary>, AppError> {
    state.run(move |db| events::list(db, Utc::now())).await
}

#[tauri::command]
#[specta::specta]
pub async fn capture_event_create(
    app: AppHandle,
    state: State<'_, AppState>,
    event: NewEvent,
) -> Result<EventSummary, AppError> {
    let created = state
        .run(move |db| events::create(db, &event, Utc::now()))
        .await?;
    db_changed(&app, "event", vec![created.id]);
    Ok(created)
}

#[tauri::command]
#[specta::specta]
pub async fn capture_counts(
    state: State<'_, AppState>,
    event: RowId,
) -> Result<CaptureCounts, AppError> {
    state
        .run(move |db| events::counts(db, event.0, Utc::now()))
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn capture_save(
    app: AppHandle,
    state: State<'_, AppState>,
    input: CaptureInput,
) -> Result<CaptureSaved, AppError> {
    let saved = state
        .run(move |db| capture::save(db, &input, Utc::now()))
        .await?;
    db_changed(&app, "lead", vec![saved.lead_id]);
    Ok(saved)
}

#[tauri::command]
#[specta::specta]
pub async fn capture_products(state: State<'_, AppState>) -> Result<Vec<String>, AppError> {
    state.run(capture::products).await
}

#[tauri::command]
#[specta::specta]
pub async fn capture_draft_save(
    state: State<'_, AppState>,
    input: CaptureInput,
) -> Result<(), AppError> {
    state
        .run(move |db| capture::save_draft(db, &input, Utc::now()))
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn capture_drafts(state: State<'_, AppState>) -> Result<Vec<CaptureDraft>, AppError> {
    state.run(capture::drafts).await
}

#[tauri::command]
#[specta::specta]
pub async fn capture_draft_discard(
    state: State<'_, AppState>,
    event: RowId,
) -> Result<(), AppError> {
    state
        .run(move |db| capture::discard_draft(db, event.0))
        .await
}

/// Attaches a photo (base64 or a data URL) to the card being typed at `event`.
#[tauri::command]
#[specta::specta]
pub async fn capture_photo_attach(
    state: State<'_, AppState>,
    event: RowId,
    side: String,
    data: String,
) -> Result<PhotoInfo, AppError> {
    state
        .run(move |db| {
            let bytes = photos::bytes_of_base64(&data)?;
            photos::attach_pending(db, event.0, &side, &bytes, Utc::now())
        })
        .await
}

/// Attaches a photo file dropped on the window.
#[tauri::command]
#[specta::specta]
pub async fn capture_photo_attach_file(
    state: State<'_, AppState>,
    event: RowId,
    side: String,
    path: String,
) -> Result<PhotoInfo, AppError> {
    state
        .run(move |db| {
            photos::attach_pending_file(db, event.0, &side, std::path::Path::new(&path), Utc::now())
        })
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn capture_photo_remove(
    state: State<'_, AppState>,
    event: RowId,
    side: String,
) -> Result<(), AppError> {
    state
        .run(move |db| photos::remove_pending(db, event.0, &side))
        .await
}

/// Reads the QR code in a photo or camera frame (base64 or a data URL).
#[tauri::command]
#[specta::specta]
pub async fn capture_qr_read(
    state: State<'_, AppState>,
    data: String,
) -> Result<QrReading, AppError> {
    state
        .run(move |_| qr::read_image(&photos::bytes_of_base64(&data)?))
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn lead_photos(
    state: State<'_, AppState>,
    lead: RowId,
) -> Result<Vec<PhotoInfo>, AppError> {
    state.run(move |db| photos::of_lead(db, lead.0)).await
}

/// The full photo as a data URL.
#[tauri::command]
#[specta::specta]
pub async fn photo_image(state: State<'_, AppState>, photo: RowId) -> Result<String, AppError> {
    state
        .run(move |db| photos::image_data_url(db, photo.0))
        .await
}
