//! Segments: the field catalogue, the live count and members of a filter being edited, and
//! saved segments (save, update, duplicate, freeze, delete). Filters travel as their JSON
//! (docs/SEGMENTS.md); the core validates them and names the offending node.

use serde::{Deserialize, Serialize};
use sodate_core::segments::{self, FieldInfo, Segment, SegmentCount};
use sodate_core::LeadPage;
use tauri::{AppHandle, State};

use super::RowId;
use crate::error::AppError;
use crate::state::AppState;

/// A segment filter as JSON (`{"all": [...]}` …).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(transparent)]
pub struct FilterJson(#[specta(type = specta_typescript::Unknown)] pub serde_json::Value);

#[tauri::command]
#[specta::specta]
pub async fn segment_fields(state: State<'_, AppState>) -> Result<Vec<FieldInfo>, AppError> {
    state.run(segments::fields_of).await
}

/// How many leads the filter matches now (refused, with the node at fault, when invalid).
#[tauri::command]
#[specta::specta]
pub async fn segment_count(
    state: State<'_, AppState>,
    filter: FilterJson,
) -> Result<SegmentCount, AppError> {
    state
        .run(move |db| {
            let filter = segments::validate(db, &filter.0)?;
            segments::count(db, &filter)
        })
        .await
}

/// A page of the leads the filter matches, in id order.
#[tauri::command]
#[specta::specta]
pub async fn segment_members(
    state: State<'_, AppState>,
    filter: FilterJson,
    offset: u32,
    limit: u32,
) -> Result<LeadPage, AppError> {
    state
        .run(move |db| {
            let filter = segments::validate(db, &filter.0)?;
            segments::members(db, &filter, offset, limit)
        })
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn segment_list(state: State<'_, AppState>) -> Result<Vec<Segment>, AppError> {
    state.run(segments::list).await
}

/// Saves a new dynamic segment.
#[tauri::command]
#[specta::specta]
pub async fn segment_save(
    app: AppHandle,
    state: State<'_, AppState>,
    name: String,
    filter: FilterJson,
) -> Result<Segment, AppError> {
    let segment = state
        .run(move |db| {
            let filter = segments::validate(db, &filter.0)?;
            let id = segments::save(db, &name, &filter)?;
            segments::get(db, id)
        })
        .await?;
    super::db_changed(&app, "segment", vec![segment.id]);
    Ok(segment)
}

/// Renames a segment and replaces its filter.
#[tauri::command]
#[specta::specta]
pub async fn segment_update(
    app: AppHandle,
    state: State<'_, AppState>,
    id: RowId,
    name: String,
    filter: FilterJson,
) -> Result<Segment, AppError> {
    let segment = state
        .run(move |db| {
            let filter = segments::validate(db, &filter.0)?;
            segments::update(db, id.0, &name, Some(&filter))
        })
        .await?;
    super::db_changed(&app, "segment", vec![id.0]);
    Ok(segment)
}

#[tauri::command]
#[specta::specta]
pub async fn segment_duplicate(
    app: AppHandle,
    state: State<'_, AppState>,
    id: RowId,
) -> Result<Segment, AppError> {
    let segment = state
        .run(move |db| {
            let copy = segments::duplicate(db, id.0)?;
            segments::get(db, copy)
        })
        .await?;
    super::db_changed(&app, "segment", vec![segment.id]);
    Ok(segment)
}

/// Freezes the segment's current members into a new static list.
#[tauri::command]
#[specta::specta]
pub async fn segment_freeze(
    app: AppHandle,
    state: State<'_, AppState>,
    id: RowId,
) -> Result<Segment, AppError> {
    let segment = state
        .run(move |db| segments::freeze(db, id.0, None))
        .await?;
    super::db_changed(&app, "segment", vec![segment.id]);
    Ok(segment)
}

/// Deletes a segment (refused, naming them, while other segments use it).
#[tauri::command]
#[specta::specta]
pub async fn segment_delete(
    app: AppHandle,
    state: State<'_, AppState>,
    id: RowId,
) -> Result<(), AppError> {
    state.run(move |db| segments::delete(db, id.0)).await?;
    super::db_changed(&app, "segment", vec![id.0]);
    Ok(())
}
