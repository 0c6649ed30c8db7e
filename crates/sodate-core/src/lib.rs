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
pub mod card_text;
pub mod companies;
pub mod consent;
pub mod dashboard;
pub mod db;
pub mod dedupe;
pub mod demo;
pub mod encryption;
mod error;
pub mod export;
pub mod files;
pub mod handoff;
pub mod import;
pub mod journeys;
pub mod leads;
pub mod model;
pub mod normalize;
pub mod salvage;
pub mod scoring;
pub mod segments;
pub mod stats;
mod time;

use std::path::Path;

use rusqlite::{Connection, Transaction, TransactionBehavior};

pub use error::{Error, FieldIssue, Result};
pub use model::*;

/// An open Sodate database.
pub struct Sodate {
    conn: Connection,
    file: db::DbFile,
    lead_ranks: leads::RankCache,
    scores: scoring::ScoreCache,
    dashboard: dashboard::FactsCache,
    segments: segments::SegmentCache,
    journey_refreshes: journeys::RefreshCache,
}

impl Sodate {
    /// Opens the database at `path`, creating and migrating it when needed. Files that are
    /// damaged, locked, of another application or of a newer Sodate are refused untouched.
    /// An encrypted database is refused with [`Error::PassphraseRequired`]: open it with
    /// [`Sodate::open_with`].
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        Self::open_with(path, None)
    }

    /// Opens the database at `path` with the passphrase it is encrypted with (`None`: a plain
    /// database). A wrong passphrase is [`Error::WrongPassphrase`]; a plain database opens
    /// whatever the passphrase; a new database is created encrypted when one is given.
    pub fn open_with(
        path: impl AsRef<Path>,
        passphrase: Option<&encryption::Passphrase>,
    ) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let conn = db::open_connection(&path, passphrase)?;
        // A plain file ignores the passphrase (see `open_connection`): keep none.
        let key =
            passphrase.filter(|_| encryption::file_kind(&path) != encryption::FileKind::Plain);
        Ok(Self {
            conn,
            file: db::DbFile {
                path,
                key: key.cloned(),
            },
            lead_ranks: leads::RankCache::default(),
            scores: scoring::ScoreCache::default(),
            dashboard: dashboard::FactsCache::default(),
            segments: segments::SegmentCache::default(),
            journey_refreshes: journeys::RefreshCache::default(),
        })
    }

    /// The file this database lives in.
    pub fn path(&self) -> &Path {
        &self.file.path
    }

    /// The file with the key it was opened with, for further connections to it.
    pub fn file(&self) -> &db::DbFile {
        &self.file
    }

    /// Closes the connection (leaving an empty in-memory one in its place) so that the file
    /// can be replaced; the caller then replaces `self` with the reopened database.
    pub(crate) fn close_connection(&mut self) -> Result<()> {
        let placeholder = Connection::open_in_memory()?;
        let open = std::mem::replace(&mut self.conn, placeholder);
        open.close()
            .map_err(|(_, e)| db::classify(&self.file.path, e))
    }

    /// Whether the database is encrypted (opened with a passphrase).
    pub fn is_encrypted(&self) -> bool {
        self.file.key.is_some()
    }

    /// Whether `passphrase` is the one the database is encrypted with.
    pub fn passphrase_matches(&self, passphrase: &encryption::Passphrase) -> bool {
        self.file.key.as_ref() == Some(passphrase)
    }

    /// The passphrase the database was opened with; `None` for a plain database.
    pub(crate) fn passphrase(&self) -> Option<&encryption::Passphrase> {
        self.file.key.as_ref()
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

    /// Each journey map's last refresh on this handle.
    pub(crate) fn journey_refreshes(&self) -> &journeys::RefreshCache {
        &self.journey_refreshes
    }

    /// What the last full score scan read (see `scoring`'s snapshot).
    pub(crate) fn score_cache(&self) -> &scoring::ScoreCache {
        &self.scores
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// For a restore, which writes into the open database through the backup API.
    pub(crate) fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// Maps SQLite failures about the file itself (damaged, locked, unreadable) to the
    /// errors that name it.
    fn classify(&self, e: Error) -> Error {
        match e {
            Error::Sqlite(err) => db::classify(&self.file.path, err),
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
            .map_err(|e| db::classify(&self.file.path, e))?;
        let value = f(&tx).map_err(|e| self.classify(e))?;
        if commit { tx.commit() } else { tx.rollback() }
            .map_err(|e| db::classify(&self.file.path, e))?;
        Ok(value)
    }
}
