//! Building the search index of a bulk load on the second core.
//!
//! Tokenizing every lead's search text into trigrams is a third of a bulk load (the demo's
//! million leads, a large import), and SQLite does it on one thread. During a bulk load
//! the search trigger is dropped and each new lead's `(id, search text)` is sent here
//! instead: a worker thread indexes them into an FTS5 table of the same definition in a
//! scratch database next to the real one, while the loading thread goes on inserting rows.
//! At the end the finished index (FTS5's shadow tables `lead_search_data`, `_idx` and
//! `_docsize`) is copied into the real database inside the load's transaction, and the
//! scratch file is removed. The copy is checked by FTS5's own integrity check in the tests.
//!
//! If the load fails or is cancelled, dropping the builder stops the worker and removes the
//! scratch file; the real database is untouched because the copy never happened.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::Arc;
use std::thread::JoinHandle;

use rusqlite::Transaction;

use crate::{Error, Result};

/// Leads sent to the worker at a time.
const BATCH: usize = 4_096;
/// How many batches the worker may fall behind (about a million leads, at most some
/// 150 MiB of text, whatever the size of the load) before the loading thread waits for it.
/// The worker runs at a low priority (on Linux): it takes the time the loading and reading
/// threads leave, and catches up while the loading thread rebuilds the indexes alone, so
/// most of its work overlaps theirs.
const LAG_BATCHES: usize = 256;
/// The definition of `lead_search` (migrations/0001_init.sql), for the scratch copy.
const SEARCH_TABLE: &str = "CREATE VIRTUAL TABLE lead_search USING fts5 (
    search_text, content = 'leads', content_rowid = 'id', tokenize = 'trigram')";
/// The shadow tables that hold the index, in the order they are copied.
const SHADOW_TABLES: [&str; 3] = ["lead_search_data", "lead_search_idx", "lead_search_docsize"];
/// The name the scratch database is attached under for the copy.
const SCHEMA: &str = "search_build";

/// A search index being built on a worker thread; see the module documentation.
pub(crate) struct SearchIndexBuild {
    batch: Vec<(i64, String)>,
    sender: Option<SyncSender<Vec<(i64, String)>>>,
    worker: Option<JoinHandle<Result<()>>>,
    abort: Arc<AtomicBool>,
    scratch: PathBuf,
    file: crate::db::DbFile,
    /// Whether the scratch database is attached to the load's connection.
    attached: bool,
}

impl SearchIndexBuild {
    /// Starts the worker, with its scratch database beside the database file. The scratch file holds lead text, so it is encrypted with the database's key when the
    /// database is encrypted.
    pub(crate) fn start(file: &crate::db::DbFile) -> Result<Self> {
        // A 16 MiB token buffer (FTS5's default is 1 MiB): large enough for few segments,
        // small enough to stay in the CPU caches the loading thread shares (256 MiB was
        // slower at 1M leads).
        let scratch = scratch_path(&file.path);
        remove_scratch(&scratch);
        let conn = file.open_companion(&scratch)?;
        conn.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")?;
        create_search_table(&conn)?;
        let (sender, receiver) = sync_channel::<Vec<(i64, String)>>(LAG_BATCHES);
        let abort = Arc::new(AtomicBool::new(false));
        let stop = Arc::clone(&abort);
        let worker = std::thread::Builder::new()
            .name("search-index".into())
            .spawn(move || -> Result<()> {
                lower_priority();
                conn.execute_batch("BEGIN")?;
                {
                    let mut insert = conn
                        .prepare("INSERT INTO lead_search (rowid, search_text) VALUES (?1, ?2)")?;
                    for batch in receiver {
                        if stop.load(Ordering::Relaxed) {
                            return Ok(());
                        }
                        for (id, text) in batch {
                            insert.execute(rusqlite::params![id, text])?;
                        }
                    }
                }
                if stop.load(Ordering::Relaxed) {
                    return Ok(());
                }
                conn.execute_batch("COMMIT")?;
                Ok(())
            })
            .map_err(|e| Error::Conflict(format!("cannot start the search index worker: {e}")))?;
        Ok(Self {
            batch: Vec::with_capacity(BATCH),
            sender: Some(sender),
            worker: Some(worker),
            abort,
            scratch,
            file: file.clone(),
            attached: false,
        })
    }

    /// Queues one new lead for the index.
    pub(crate) fn add(&mut self, id: i64, search_text: String) -> Result<()> {
        self.batch.push((id, search_text));
        if self.batch.len() >= BATCH {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        let sent = self.sender.as_ref().map(|s| s.send(batch).is_ok());
        if sent == Some(false) {
            // The worker stopped early: its error says why.
            return self.join();
        }
        Ok(())
    }

    fn join(&mut self) -> Result<()> {
        self.sender = None;
        match self.worker.take().map(JoinHandle::join) {
            None => Ok(()),
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(Error::Conflict("the search index worker failed".into())),
        }
    }

    /// Waits for the worker and replaces the (empty) search index of `tx`'s database with
    /// the one it built. Every lead of the load must have been added. The scratch database
    /// stays attached to the connection (as `search_build`) until [`Self::detach`], which
    /// must wait for the end of the transaction.
    pub(crate) fn finish_into(&mut self, tx: &Transaction) -> Result<()> {
        self.flush()?;
        self.join()?;
        crate::encryption::attach_with_key(tx, &self.scratch, SCHEMA, self.file.key.as_ref())?;
        self.attached = true;
        for table in SHADOW_TABLES {
            // Into an empty table of the same definition, SQLite copies the stored records
            // as they are, page by page (its transfer optimisation), without decoding them.
            tx.execute_batch(&format!(
                "DELETE FROM main.{table}; INSERT INTO main.{table} SELECT * FROM {SCHEMA}.{table};"
            ))?;
        }
        Ok(())
    }

    /// Detaches the scratch database after the load's transaction ended, then removes it.
    /// (Best effort: the load is committed or rolled back by then, and a database left
    /// attached is only detached when the connection closes.)
    pub(crate) fn detach(mut self, conn: &rusqlite::Connection) {
        if std::mem::take(&mut self.attached) {
            let _ = conn.execute_batch(&format!("DETACH DATABASE {SCHEMA}"));
        }
    }
}

impl Drop for SearchIndexBuild {
    fn drop(&mut self) {
        self.abort.store(true, Ordering::Relaxed);
        let _ = self.join();
        remove_scratch(&self.scratch);
    }
}

/// The token buffer of FTS5 for writing many leads at once (its default is 1 MiB): FTS5
/// writes the buffer out as a segment each time it fills, and merges the segments later.
pub(crate) const SEARCH_BUFFER_BYTES: u32 = 16 << 20;

/// Creates an empty `lead_search` table (in a scratch database) with a token buffer of
/// [`SEARCH_BUFFER_BYTES`].
pub(crate) fn create_search_table(conn: &rusqlite::Connection) -> Result<()> {
    conn.execute_batch(&format!(
        "{SEARCH_TABLE}; INSERT INTO lead_search (lead_search, rank) VALUES ('hashsize', {SEARCH_BUFFER_BYTES});"
    ))?;
    Ok(())
}

/// Lowers the calling thread's scheduling priority (Linux counts niceness per thread), so
/// that the threads of the load go first; on other systems, nothing.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    {
        let this_thread = rustix::thread::gettid();
        // Best effort: at the usual priority the build is only slower.
        let _ = rustix::process::setpriority_process(Some(this_thread), 19);
    }
}

fn scratch_path(db_path: &Path) -> PathBuf {
    let mut name = db_path.file_name().unwrap_or_default().to_os_string();
    name.push(".search-build");
    db_path.with_file_name(name)
}

fn remove_scratch(path: &Path) {
    for suffix in ["", "-journal", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_os_string();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
}
