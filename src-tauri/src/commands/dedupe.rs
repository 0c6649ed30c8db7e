//! Duplicates: the scan behind the review queue, comparing, merging, unmerging, the live
//! warning and bulk merges. Long work emits `dedupe-progress` ({phase, done, total}) and
//! stops on [`dedupe_cancel`].

use std::sync::atomic::Ordering;

use sodate_core::dedupe::{
    self, BulkMergeReport, CandidatePair, MergeChoices, MergeReport, MergeSummary, ScanOptions,
    ScanProgress, ScanReport, SimilarLead, UnmergeReport,
};
use sodate_core::LeadInput;
use tauri::{AppHandle, Emitter, State};

use super::RowId;
use crate::error::AppError;
use crate::state::{AppState, Job};

fn emit_progress(app: &AppHandle) -> impl FnMut(ScanProgress) + Send + 'static {
    let app = app.clone();
    // A lost progress event only delays the bar.
    move |p| {
        let _ = app.emit("dedupe-progress", p);
    }
}

/// Scans every lead for likely duplicates (reads only).
#[tauri::command]
#[specta::specta]
pub async fn dedupe_scan(
    app: AppHandle,
    state: State<'_, AppState>,
    options: ScanOptions,
) -> Result<ScanReport, AppError> {
    let cancel = state.start_job(Job::Dedupe);
    let mut progress = emit_progress(&app);
    state
        .run(move |db| dedupe::scan(db, &options, &mut progress, &cancel))
        .await
}

/// Stops a running scan or bulk merge (a bulk merge rolls back).
#[tauri::command]
#[specta::specta]
pub async fn dedupe_cancel(state: State<'_, AppState>) -> Result<(), AppError> {
    state
        .cancel_flag(Job::Dedupe)
        .store(true, Ordering::Relaxed);
    Ok(())
}

/// Compares two leads, whatever their confidence.
#[tauri::command]
#[specta::specta]
pub async fn dedupe_compare(
    state: State<'_, AppState>,
    a: RowId,
    b: RowId,
) -> Result<CandidatePair, AppError> {
    state.run(move |db| dedupe::compare(db, a.0, b.0)).await
}

/// Existing leads that look like the values being typed (`editing`: the lead being edited).
#[tauri::command]
#[specta::specta]
pub async fn lead_similar(
    state: State<'_, AppState>,
    input: LeadInput,
    editing: Option<RowId>,
) -> Result<Vec<SimilarLead>, AppError> {
    state
        .run(move |db| dedupe::similar_to(db, &input, editing.map(|id| id.0)))
        .await
}

/// Merges lead `merged` into lead `survivor`.
#[tauri::command]
#[specta::specta]
pub async fn lead_merge(
    app: AppHandle,
    state: State<'_, AppState>,
    survivor: RowId,
    merged: RowId,
    choices: MergeChoices,
) -> Result<MergeReport, AppError> {
    let report = state
        .run(move |db| dedupe::merge(db, survivor.0, merged.0, &choices))
        .await?;
    super::db_changed(&app, "lead", vec![survivor.0, merged.0]);
    Ok(report)
}

/// Undoes a merge: both leads back as they were.
#[tauri::command]
#[specta::specta]
pub async fn lead_unmerge(
    app: AppHandle,
    state: State<'_, AppState>,
    merge: RowId,
) -> Result<UnmergeReport, AppError> {
    let report = state.run(move |db| dedupe::unmerge(db, merge.0)).await?;
    super::db_changed(&app, "lead", vec![report.survivor_id, report.restored_id]);
    Ok(report)
}

/// The merges a lead took part in, newest first.
#[tauri::command]
#[specta::specta]
pub async fn lead_merges(
    state: State<'_, AppState>,
    lead: RowId,
) -> Result<Vec<MergeSummary>, AppError> {
    state.run(move |db| dedupe::merges_of(db, lead.0)).await
}

/// Remembers that two leads are different people.
#[tauri::command]
#[specta::specta]
pub async fn lead_not_duplicate(
    app: AppHandle,
    state: State<'_, AppState>,
    a: RowId,
    b: RowId,
) -> Result<(), AppError> {
    state
        .run(move |db| dedupe::mark_not_duplicate(db, a.0, b.0))
        .await?;
    super::db_changed(&app, "duplicate", vec![a.0, b.0]);
    Ok(())
}

/// Merges every cluster at or above `min_confidence`, after a backup.
#[tauri::command]
#[specta::specta]
pub async fn dedupe_bulk_merge(
    app: AppHandle,
    state: State<'_, AppState>,
    min_confidence: u8,
) -> Result<BulkMergeReport, AppError> {
    let cancel = state.start_job(Job::Dedupe);
    let mut progress = emit_progress(&app);
    let report = state
        .run(move |db| dedupe::merge_clusters(db, min_confidence, &mut progress, &cancel))
        .await?;
    super::db_changed(&app, "lead", Vec::new());
    Ok(report)
}
