//! Core integration tests: whole stories against real SQLite files in temporary folders.

mod database;
mod demo;
mod leads;

use std::path::PathBuf;

use sodate_core::Sodate;

pub struct TempDb {
    pub dir: tempfile::TempDir,
    pub db: Sodate,
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
}
