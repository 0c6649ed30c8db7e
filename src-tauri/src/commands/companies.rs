use sodate_core::{companies, CompanyDetail, CompanyPage, CompanyQuery};
use tauri::State;

use super::RowId;
use crate::error::AppError;
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub async fn company_list(
    state: State<'_, AppState>,
    query: CompanyQuery,
) -> Result<CompanyPage, AppError> {
    state.run(move |db| companies::list(db, &query)).await
}

#[tauri::command]
#[specta::specta]
pub async fn company_get(state: State<'_, AppState>, id: RowId) -> Result<CompanyDetail, AppError> {
    state.run(move |db| companies::get(db, id.0)).await
}
