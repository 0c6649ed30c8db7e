//! Files the user saves from a view (a chart or a journey map as a picture, a table as CSV),
//! written where they chose in the save dialog.

use tauri::State;

use crate::error::AppError;
use crate::state::AppState;

/// Writes `contents` to `path` (replacing it): a chart's PNG, a table's CSV.
#[tauri::command]
#[specta::specta]
pub async fn file_save(
    state: State<'_, AppState>,
    path: String,
    contents: Vec<u8>,
) -> Result<(), AppError> {
    state
        .run(move |_| sodate_core::files::write_bytes(std::path::Path::new(&path), &contents))
        .await
}

/// Writes a one-page PDF of a JPEG picture the view drew (`width` × `height` pixels at
/// `dpi`).
#[tauri::command]
#[specta::specta]
pub async fn file_save_pdf(
    state: State<'_, AppState>,
    path: String,
    jpeg: Vec<u8>,
    width: u32,
    height: u32,
    dpi: u32,
) -> Result<(), AppError> {
    state
        .run(move |_| {
            let pdf = sodate_core::files::pdf_of_jpeg(&jpeg, width, height, dpi)?;
            sodate_core::files::write_bytes(std::path::Path::new(&path), &pdf)
        })
        .await
}
