//! Bulk merge: every cluster found at or above a confidence the user chose is merged into
//! one lead, after a backup of the database.
//!
//! * The threshold may not be below [`BULK_MIN_CONFIDENCE`]: lower pairs need a person.
//! * The clusters are found again at the time of the merge (the data may have changed
//!   since the user looked); the report says how many were merged.
//! * In each cluster the first registered lead (lowest id) survives; every field takes the
//!   most recent non-empty value, as in a single merge with no choices.
//! * Each merge is its own journal entry, so any one of them can be unmerged later.
//! * All clusters are merged in one transaction; a cluster that cannot be merged (a lead
//!   deleted meanwhile, values that no longer validate) is rolled back alone and reported
//!   with the reason. Cancelling rolls everything back; the backup stays.

use std::sync::atomic::AtomicBool;
use std::time::Instant;

use serde::Serialize;

use super::merge::merge_in;
use super::{check_cancel, scan, MergeChoices, ScanOptions, ScanPhase, ScanProgress};
use crate::backup::{self, Backup};
use crate::{Error, Result, Sodate};

/// Bulk merges need pairs at least this confident.
pub const BULK_MIN_CONFIDENCE: u8 = 70;

/// A cluster left as it was, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SkippedCluster {
    #[cfg_attr(feature = "specta", specta(type = Vec<specta_typescript::Number>))]
    pub members: Vec<i64>,
    pub reason: String,
}

/// What a bulk merge did.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct BulkMergeReport {
    pub min_confidence: u8,
    pub clusters_merged: u32,
    /// Leads merged away (each one merge in the journal).
    pub leads_merged: u32,
    /// The journal entries written, in order.
    #[cfg_attr(feature = "specta", specta(type = Vec<specta_typescript::Number>))]
    pub merge_ids: Vec<i64>,
    pub skipped: Vec<SkippedCluster>,
    pub backup: Backup,
    pub seconds: f64,
}

/// Merges every cluster at or above `min_confidence`; see the module notes.
pub fn merge_clusters(
    db: &Sodate,
    min_confidence: u8,
    progress: &mut dyn FnMut(ScanProgress),
    cancel: &AtomicBool,
) -> Result<BulkMergeReport> {
    if !(BULK_MIN_CONFIDENCE..=100).contains(&min_confidence) {
        return Err(Error::invalid(
            "minConfidence",
            "out_of_range",
            format!(
                "a bulk merge needs a confidence between {BULK_MIN_CONFIDENCE} and 100; review lower pairs one by one"
            ),
        ));
    }
    let started = Instant::now();
    let options = ScanOptions {
        min_confidence,
        ..ScanOptions::default()
    };
    let found = scan(db, &options, progress, cancel)?;
    check_cancel(cancel)?;
    let total = found.clusters.len() as u32;
    progress(ScanProgress {
        phase: ScanPhase::BackingUp,
        done: 0,
        total,
    });
    let backup = backup::take(db, backup::BackupReason::BulkMerge)?;
    let none = MergeChoices::default();
    db.write(|tx| {
        // Each merge rewrites a survivor and deletes a lead: their search index writes are
        // made once at the end (row by row, each became an FTS5 segment to merge).
        let held = crate::leads::HeldSearchWrites::start(tx, crate::leads::NewLeads::Noted)?;
        let mut report = BulkMergeReport {
            min_confidence,
            clusters_merged: 0,
            leads_merged: 0,
            merge_ids: Vec::new(),
            skipped: Vec::new(),
            backup: backup.clone(),
            seconds: 0.0,
        };
        for (n, cluster) in found.clusters.iter().enumerate() {
            if n % 64 == 0 {
                check_cancel(cancel)?;
                progress(ScanProgress {
                    phase: ScanPhase::Merging,
                    done: n as u32,
                    total,
                });
            }
            let Some((&survivor, others)) = cluster.members.split_first() else {
                continue;
            };
            tx.execute_batch("SAVEPOINT bulk_cluster")?;
            let mut ids = Vec::new();
            let outcome = others.iter().try_for_each(|&merged| {
                ids.push(merge_in(tx, survivor, merged, &none)?.merge_id);
                Ok::<(), Error>(())
            });
            match outcome {
                Ok(()) => {
                    tx.execute_batch("RELEASE bulk_cluster")?;
                    report.clusters_merged += 1;
                    report.leads_merged += ids.len() as u32;
                    report.merge_ids.extend(ids);
                }
                Err(Error::Sqlite(e)) => return Err(Error::Sqlite(e)),
                Err(e) => {
                    tx.execute_batch("ROLLBACK TO bulk_cluster; RELEASE bulk_cluster")?;
                    report.skipped.push(SkippedCluster {
                        members: cluster.members.clone(),
                        reason: e.to_string(),
                    });
                }
            }
        }
        progress(ScanProgress {
            phase: ScanPhase::Merging,
            done: total,
            total,
        });
        held.finish_in(tx)?;
        report.seconds = started.elapsed().as_secs_f64();
        Ok(report)
    })
}
