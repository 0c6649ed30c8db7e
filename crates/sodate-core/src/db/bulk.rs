//! Writing many rows into a database that has no leads yet (demo data, a first large
//! import) in one transaction, several times faster than row by row with live indexes:
//!
//! - rollback-journal mode for the load: pages appended past the end of the original file
//!   are never journalled, so each page is written once, where WAL would write it twice (to
//!   the log, then back at the checkpoint). A crash still rolls back to the original file;
//! - secondary indexes and the changed-leads journal's triggers dropped, rebuilt from their
//!   own stored SQL at the end (sorting once is much faster than millions of random B-tree
//!   inserts), with index sorts on the second core; the journal then says that every lead
//!   changed;
//! - the usual 64 MiB page cache: the new rows spill to the file as the load goes (it
//!   writes them once either way: pages past the original end are never journalled), so
//!   memory does not grow with the load (a 1 GiB cache held a million leads' rows until
//!   the first index build spilled them, for no gain in time);
//! - no trigger left on a lead insert: a trigger makes every `INSERT` a statement that
//!   writes two tables, and SQLite then copies each page it touches into a statement
//!   journal first (8 % of all the CPU time of a 100,000-row import). The score row each
//!   lead needs (the trigger `lead_scores_insert` adds it otherwise) is the loader's to
//!   write;
//! - the search index built on the second core while rows arrive ([`SearchIndexBuild`]);
//!   on every path, loads of any size, the search triggers' writes are held back to the
//!   end ([`HeldSearchWrites`]: row by row, each lead written became an FTS5 segment);
//! - the pages written to disk while the load goes on ([`Writeback`]), not all at the
//!   commit: the system keeps a gigabyte of written pages in memory for half a minute
//!   before it writes them, so the commit's sync wrote them all (1.2–1.6 s at 1M leads);
//! - no foreign-key lookup per row: every reference a bulk writer stores is the id of a
//!   row it just wrote or looked up (demo: 30 million lookups, a third of the statement
//!   work). The tests run `PRAGMA foreign_key_check` after bulk loads.
//!
//! Everything returns to normal (WAL, the usual cache, foreign keys on) whatever happened.

use std::sync::mpsc::{sync_channel, RecvTimeoutError, SyncSender};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::{OptionalExtension, Transaction};

use crate::leads::{HeldSearchWrites, NewLeads, SearchIndexBuild};
use crate::{Result, Sodate};

/// Below this many rows the ordinary path is as fast.
const MIN_ROWS: u64 = 10_000;

/// How a load of many rows is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Path {
    /// Row by row with every index live (small loads, and loads into a database with more
    /// leads than the load has rows), the insert triggers held off ([`ordinary_load_in`]).
    Ordinary,
    /// Into a database that has leads, with about as many rows or more: the secondary
    /// indexes are dropped and rebuilt (sorting all rows once beats that many random
    /// inserts into each index); the search index is written at the end (it holds the
    /// existing leads).
    RebuildIndexes,
    /// Into a database without leads: everything in the module documentation.
    Full,
}

/// The path for a load of about `rows` leads.
pub(crate) fn path_for(db: &Sodate, rows: u64) -> Result<Path> {
    if rows < MIN_ROWS {
        return Ok(Path::Ordinary);
    }
    let existing: i64 = db
        .conn()
        .query_row("SELECT count(*) FROM leads", [], |r| r.get(0))?;
    let existing = u64::try_from(existing).unwrap_or(0);
    Ok(if existing == 0 {
        Path::Full
    } else if rows >= existing {
        Path::RebuildIndexes
    } else {
        Path::Ordinary
    })
}

/// Runs `load` in one transaction on `path` (`load` gets the search index builder on the
/// full path and must add every lead it inserts to it), then `indexed` once every index is
/// back (for work that reads by the indexes, such as a rescore). The indexes in `keep` stay
/// live during `load` (those it looks rows up by).
pub(crate) fn write_many<T>(
    db: &Sodate,
    path: Path,
    keep: &[&str],
    load: impl FnOnce(&Transaction, Option<&mut SearchIndexBuild>) -> Result<T>,
    indexed: impl FnOnce(&Transaction, &T) -> Result<()>,
) -> Result<T> {
    if path == Path::Ordinary {
        return db.write(|tx| {
            let value = ordinary_load_in(tx, |tx| load(tx, None))?;
            indexed(tx, &value)?;
            Ok(value)
        });
    }
    let conn = db.conn();
    // If another connection holds the WAL open the switch is refused; WAL then stays.
    let _ = conn.pragma_update(None, "journal_mode", "DELETE");
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    let writeback = Writeback::start(&db.file().path);
    let mut search = None;
    let result = db.write(|tx| {
        let full = path == Path::Full;
        let deferred = DeferredIndexes::drop_in(tx, keep)?;
        // On the full path the new leads' index is built on the second core; the rest
        // (later changes to them) is held back like any other.
        let new_leads = if full {
            NewLeads::Elsewhere
        } else {
            NewLeads::FromId(first_new_lead(tx)?)
        };
        let held = HeldSearchWrites::start(tx, new_leads)?;
        if full {
            search = Some(SearchIndexBuild::start(db.file())?);
        }
        let value = load(tx, search.as_mut())?;
        deferred.restore_in(tx, |tx| indexed(tx, &value))?;
        if let Some(search) = search.as_mut() {
            search.finish_into(tx)?;
        }
        held.finish_in(tx)?;
        writeback.stop();
        Ok(value)
    });
    drop(writeback);
    // (After the transaction: SQLite refuses to detach a database a transaction read.)
    if let Some(search) = search {
        search.detach(conn);
    }
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "cache_size", super::CACHE_SIZE)?;
    conn.pragma_update(None, "threads", 0)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    result
}

/// The id the next lead inserted gets, and every lead after it: ids only grow.
fn first_new_lead(tx: &Transaction) -> Result<i64> {
    Ok(
        tx.query_row("SELECT coalesce(max(id), 0) + 1 FROM leads", [], |r| {
            r.get(0)
        })?,
    )
}

/// Runs `load` in `tx` (a load row by row, every index live) with the triggers a lead
/// insert fires held off: the search index's ([`HeldSearchWrites`]) and those of
/// [`LeadInsertTriggers`]. A lead `INSERT` then writes one table, and SQLite needs no
/// statement journal for it: with its triggers, each one copied every page it touched
/// (16 KiB each, a dozen indexes) into one first. 100,000 leads imported into a database
/// of a million took 14.3 s, then 9.6 s (each with the 3 s backup taken first).
pub(crate) fn ordinary_load_in<T>(
    tx: &Transaction,
    load: impl FnOnce(&Transaction) -> Result<T>,
) -> Result<T> {
    let first_lead = first_new_lead(tx)?;
    let search = HeldSearchWrites::start(tx, NewLeads::FromId(first_lead))?;
    let triggers = LeadInsertTriggers::drop_in(tx, first_lead)?;
    let value = load(tx)?;
    triggers.restore_in(tx)?;
    search.finish_in(tx)?;
    Ok(value)
}

/// Drops the trigger `name` of the main database for the rest of `tx`, if there is one, and
/// returns its SQL to create it again.
pub(crate) fn drop_trigger_in(tx: &Transaction, name: &str) -> Result<Option<String>> {
    let sql: Option<String> = tx
        .query_row(
            "SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = ?1",
            [name],
            |r| r.get(0),
        )
        .optional()?;
    if sql.is_some() {
        tx.execute_batch(&format!("DROP TRIGGER main.\"{name}\""))?;
    }
    Ok(sql)
}

/// The first row a load added to a table.
#[derive(Clone, Copy)]
enum FirstNew {
    Lead,
    HistoryRow,
}

/// The triggers an insert of a lead or of a stage history row fires (besides the search
/// index's), each with what it writes as one statement for all the rows added since the load
/// began (`?1`: the id of the first new row of its table).
const LEAD_INSERT_TRIGGERS: [(&str, FirstNew, &str); 3] = [
    (
        "lead_scores_insert",
        FirstNew::Lead,
        // (A loader may have written some itself, with their scores: the demo does.)
        "INSERT OR IGNORE INTO lead_scores (id) SELECT id FROM leads WHERE id >= ?1 ORDER BY id",
    ),
    (
        "lead_changes_lead_insert",
        FirstNew::Lead,
        "INSERT INTO lead_changes (lead_id) SELECT id FROM leads WHERE id >= ?1 ORDER BY id",
    ),
    (
        "lead_changes_history_insert",
        FirstNew::HistoryRow,
        "INSERT INTO lead_changes (lead_id) SELECT lead_id FROM lifecycle_history WHERE id >= ?1 ORDER BY id",
    ),
];

/// [`LEAD_INSERT_TRIGGERS`], dropped for a load and written for its rows at the end.
struct LeadInsertTriggers {
    /// Each dropped trigger's SQL, and the statement that does its work with its first row.
    dropped: Vec<(String, &'static str, i64)>,
}

impl LeadInsertTriggers {
    fn drop_in(tx: &Transaction, first_lead: i64) -> Result<Self> {
        let first_history_row: i64 = tx.query_row(
            "SELECT coalesce(max(id), 0) + 1 FROM lifecycle_history",
            [],
            |r| r.get(0),
        )?;
        let mut dropped = Vec::new();
        for (name, first, work) in LEAD_INSERT_TRIGGERS {
            if let Some(sql) = drop_trigger_in(tx, name)? {
                let first = match first {
                    FirstNew::Lead => first_lead,
                    FirstNew::HistoryRow => first_history_row,
                };
                dropped.push((sql, work, first));
            }
        }
        Ok(Self { dropped })
    }

    fn restore_in(self, tx: &Transaction) -> Result<()> {
        for (sql, work, first) in &self.dropped {
            tx.execute(work, [first])?;
            tx.execute_batch(sql)?;
        }
        Ok(())
    }
}

/// A thread that asks the system to write the database file's changed pages to disk every
/// [`Writeback::EVERY`] while a load runs, so that the disk works while the load computes
/// and the commit's own sync finds little left to write. It only writes pages SQLite has
/// already written to the file, which a rollback undoes as before (the journal holds their
/// original content, and pages past the original end of the file are cut off).
struct Writeback {
    stop: SyncSender<()>,
    thread: Option<JoinHandle<()>>,
}

impl Writeback {
    const EVERY: Duration = Duration::from_millis(250);

    fn start(path: &std::path::Path) -> Self {
        let (stop, stopped) = sync_channel::<()>(1);
        // Best effort: without the thread the commit writes everything, as before.
        let thread = std::fs::File::open(path).ok().and_then(|file| {
            std::thread::Builder::new()
                .name("writeback".into())
                .spawn(move || {
                    while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(Self::EVERY) {
                        let _ = file.sync_data();
                    }
                })
                .ok()
        });
        Self { stop, thread }
    }

    /// Stops after the write under way (the commit writes the rest).
    fn stop(&self) {
        let _ = self.stop.try_send(());
    }
}

impl Drop for Writeback {
    fn drop(&mut self) {
        self.stop();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Secondary indexes and triggers, dropped for a bulk load and recreated from their own
/// stored SQL (so there is no second copy of the schema here).
struct DeferredIndexes {
    /// Each item's table and SQL.
    items: Vec<(String, String)>,
}

/// What a bulk load drops and recreates: `(type, name, table, SQL)` of each secondary index
/// and of the triggers it replaces, except those in `keep`. (The search triggers are held
/// back by [`HeldSearchWrites`].)
pub(crate) fn deferred_items(
    conn: &rusqlite::Connection,
    keep: &[&str],
) -> Result<Vec<(String, String, String, String)>> {
    let items: Vec<(String, String, String, String)> = conn
        .prepare(
            "SELECT type, name, tbl_name, sql FROM sqlite_schema
             WHERE sql IS NOT NULL
               AND ((type = 'index' AND tbl_name IN ('leads', 'lead_scores', 'activities', 'lifecycle_history', 'consents')
                     -- rows arrive in the order of these: appending to them is cheaper
                     -- than sorting ten million entries afterwards
                     AND name NOT IN ('activities_by_lead', 'lifecycle_history_by_lead', 'consents_by_lead')
                     -- partial indexes that hold few leads (with an owner, not to be
                     -- mailed): adding a lead that is not in them costs nothing, where
                     -- building them afterwards reads every lead row
                     AND name NOT IN ('leads_by_owner', 'leads_suppressed'))
                    -- the loader adds the new leads' score rows in one statement
                    OR (type = 'trigger' AND name = 'lead_scores_insert')
                    -- the changed-leads journal: one row per lead written would double
                    -- the load's inserts; the load marks every lead changed instead
                    OR (type = 'trigger' AND name LIKE 'lead\\_changes\\_%' ESCAPE '\\'
                        AND tbl_name IN ('leads', 'activities', 'lifecycle_history', 'companies')))",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(items
        .into_iter()
        .filter(|(_, name, _, _)| !keep.contains(&name.as_str()))
        .collect())
}

impl DeferredIndexes {
    fn drop_in(tx: &Transaction, keep: &[&str]) -> Result<Self> {
        let items = deferred_items(tx, keep)?;
        for (kind, name, _, _) in &items {
            tx.execute_batch(&format!("DROP {} \"{}\"", kind.to_uppercase(), name))?;
        }
        Ok(Self {
            items: items
                .into_iter()
                .map(|(_, _, table, sql)| (table, sql))
                .collect(),
        })
    }

    /// Recreates everything, the score table's indexes after `indexed`: that may rewrite
    /// every score (the import's rescore), and they are then built once from the final
    /// scores instead of updated a million times.
    fn restore_in(
        self,
        tx: &Transaction,
        indexed: impl FnOnce(&Transaction) -> Result<()>,
    ) -> Result<()> {
        let (scores, others): (Vec<_>, Vec<_>) = self
            .items
            .into_iter()
            .partition(|(table, _)| table == "lead_scores");
        Self::create_in(tx, &others)?;
        super::changes::everything_changed(tx)?;
        indexed(tx)?;
        Self::create_in(tx, &scores)
    }

    fn create_in(tx: &Transaction, items: &[(String, String)]) -> Result<()> {
        // Index builds sort: with a sorter memory below the data size, SQLite sorts the
        // runs on worker threads (the second core) and merges them. Small runs sort in the
        // CPU's caches: the ten lead index builds of a 1M-row import took 5.4 s with
        // 2 MiB runs, 5.8 s with 4 or 8 MiB, 5.9–6.2 s with 16 MiB and 6.4 s with 64 MiB.
        tx.execute_batch("PRAGMA threads = 2; PRAGMA cache_size = -2048;")?;
        for (_, sql) in items {
            tx.execute_batch(sql)?;
        }
        tx.pragma_update(None, "threads", 0)?;
        tx.pragma_update(None, "cache_size", super::CACHE_SIZE)?;
        Ok(())
    }
}
