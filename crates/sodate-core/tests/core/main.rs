//! Core integration tests: whole stories against real SQLite files in temporary folders.

// Tests state their expectations with unwrap/expect: a failure is the test failing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod activities;
mod bench;
mod board;
mod capture;
mod dashboard;
mod database;
mod dedupe;
mod demo;
mod encryption;
mod export;
mod hostile;
mod import_apply;
mod import_readers;
mod leads;
mod merge;
mod safety;
mod scoring;
mod segments;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use sodate_core::{import, Sodate};

pub struct TempDb {
    pub dir: tempfile::TempDir,
    pub db: Sodate,
}

impl Default for TempDb {
    fn default() -> Self {
        Self::new()
    }
}

impl TempDb {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = Sodate::open(dir.path().join("sodate.db")).expect("open");
        Self { dir, db }
    }

    pub fn path(&self) -> PathBuf {
        self.dir.path().join("sodate.db")
    }

    /// A new database holding `leads` demo leads (with their activities and history) whose
    /// "today" is `anchor` (year, month, day).
    pub fn with_demo(leads: u32, seed: u64, anchor: (i32, u32, u32)) -> Self {
        let t = Self::new();
        sodate_core::demo::generate(
            &t.db,
            &sodate_core::demo::DemoOptions {
                leads,
                seed,
                anchor: chrono::NaiveDate::from_ymd_opt(anchor.0, anchor.1, anchor.2).unwrap(),
            },
            &mut |_, _| {},
            &AtomicBool::new(false),
        )
        .unwrap();
        t
    }
}

/// The first `limit` rows of the lead list in engagement score order, highest first.
pub fn top_by_engagement(db: &Sodate, limit: u32) -> sodate_core::LeadPage {
    sodate_core::leads::list(
        db,
        &sodate_core::LeadQuery {
            sort: sodate_core::LeadSort::EngagementScore,
            descending: true,
            limit,
            ..Default::default()
        },
    )
    .unwrap()
}

/// Imports the file at `path` into `db` with every option at its default (create only, the
/// mapping found from the headers).
pub fn import_all(db: &Sodate, path: impl AsRef<Path>) -> import::ImportReport {
    let plan = import::ImportPlan {
        path: path.as_ref().to_string_lossy().into_owned(),
        ..import::ImportPlan::default()
    };
    import::run(db, &plan, false, &mut |_| {}, &AtomicBool::new(false)).unwrap()
}
