//! Sodate's core: every piece of domain logic and storage. The desktop shell and the `sodate`
//! CLI are thin faces over this crate; it is the only crate that talks to SQLite.
//!
//! Use-cases are functions `x(&Sodate, …)` that open one transaction and call `x_in(&tx, …)`,
//! so larger use-cases can compose several writes atomically.

pub mod activities;
pub mod backup;
pub mod bench;
pub mod capture;
pub mod card_fields;
pub mod companies;
pub mod consent;
pub mod dashboard;
pub mod db;
pub mod dedupe;
pub mod demo;
mod error;
pub mod export;
pub mod files;
pub mod handoff;
pub mod import;
pub mod journeys;
pub mod leads;
pub mod model;
pub mod normalize;
pub mod scoring;
pub mod segments;
pub mod stats;
mod time;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, Transaction, TransactionBehavior};

pub use error::{Error, FieldIssue, Result};
pub use model::*;

/// An open Sodate database.
pub struct Sodate {
    conn: Connection,
    path: PathBuf,
    lead_ranks: leads::RankCache,
    scores: scoring::ScoreCache,
    dashboard: dashboard::FactsCache,
    segments: segments::SegmentCache,
}

impl Sodate {
    /// Opens the database at `path`, creating and migrating it when needed. Files that are
    /// damaged, locked, of another application or of a newer Sodate are refused untouched.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let conn = db::open_connection(&path)?;
        Ok(Self {
            conn,
            path,
            lead_ranks: leads::RankCache::default(),
            scores: scoring::ScoreCache::default(),
            dashboard: dashboard::FactsCache::default(),
            segments: segments::SegmentCache::default(),
        })
    }

    /// The file this database lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Positions of leads in each sort order, for sorting large search results.
    pub(crate) fn lead_ranks(&self) -> &leads::RankCache {
        &self.lead_ranks
    }

    /// What the dashboard counts, per lead (see `dashboard`'s facts).
    pub(crate) fn dashboard_facts(&self) -> &dashboard::FactsCache {
        &self.dashboard
    }

    /// The attribute snapshot live segment counts evaluate over.
    pub(crate) fn segment_cache(&self) -> &segments::SegmentCache {
        &self.segments
    }

    /// What the last full score scan read (see `scoring`'s snapshot).
    pub(crate) fn score_cache(&self) -> &scoring::ScoreCache {
        &self.scores
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Maps SQLite failures about the file itself (damaged, locked, unreadable) to the
    /// errors that name it.
    fn classify(&self, e: Error) -> Error {
        match e {
            Error::Sqlite(err) => db::classify(&self.path, err),
            other => other,
        }
    }

    /// Runs a read-only `f` on the connection.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        f(&self.conn).map_err(|e| self.classify(e))
    }

    /// Runs `f` in a transaction that is always rolled back: a rehearsal (dry run) that
    /// sees its own writes and leaves nothing behind.
    pub(crate) fn rehearse<T>(&self, f: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
        self.transaction(f, false)
    }

    /// Runs `f` in one `IMMEDIATE` transaction: committed when `f` succeeds, rolled back
    /// (nothing written) when it fails.
    pub(crate) fn write<T>(&self, f: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
        self.transaction(f, true)
    }

    fn transaction<T>(&self, f: impl FnOnce(&Transaction) -> Result<T>, commit: bool) -> Result<T> {
        let tx = Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)
            .map_err(|e| db::classify(&self.path, e))?;
        let value = f(&tx).map_err(|e| self.classify(e))?;
        if commit { tx.commit() } else { tx.rollback() }
            .map_err(|e| db::classify(&self.path, e))?;
        Ok(value)
    }
}
