//! Writing many rows into a database that has no leads yet (demo data, a first large
//! import) in one transaction, several times faster than row by row with live indexes:
//!
//! - rollback-journal mode for the load: pages appended past the end of the original file
//!   are never journalled, so each page is written once, where WAL would write it twice (to
//!   the log, then back at the checkpoint). A crash still rolls back to the original file;
//! - secondary indexes and the search trigger dropped, rebuilt from their own stored SQL at
//!   the end (sorting once is much faster than millions of random B-tree inserts), with a
//!   1 GiB page cache and index sorts on the second core;
//! - the search index built on the second core while rows arrive ([`SearchIndexBuild`]);
//! - no foreign-key lookup per row: every reference a bulk writer stores is the id of a
//!   row it just wrote or looked up (demo: 30 million lookups, a third of the statement
//!   work). The tests run `PRAGMA foreign_key_check` after bulk loads.
//!
//! Everything returns to normal (WAL, the usual cache, foreign keys on) whatever happened.

use rusqlite::Transaction;

use crate::leads::SearchIndexBuild;
use crate::{Result, Sodate};

/// Below this many rows the ordinary path is as fast.
const MIN_ROWS: u64 = 10_000;

/// Whether a load of about `rows` rows takes the bulk path: a large load into a database
/// without leads.
pub(crate) fn applies(db: &Sodate, rows: u64) -> Result<bool> {
    Ok(rows >= MIN_ROWS
        && db
            .conn()
            .query_row("SELECT NOT EXISTS (SELECT 1 FROM leads)", [], |r| {
                r.get::<_, bool>(0)
            })?)
}

/// Runs `load` in one transaction; with `bulk`, set up as the module describes (`load` then
/// gets the search index builder and must add every lead it inserts to it). The indexes in
/// `keep` stay live (those the load looks rows up by).
pub(crate) fn write_many<T>(
    db: &Sodate,
    bulk: bool,
    keep: &[&str],
    load: impl FnOnce(&Transaction, Option<&mut SearchIndexBuild>) -> Result<T>,
) -> Result<T> {
    if !bulk {
        return db.write(|tx| load(tx, None));
    }
    let conn = db.conn();
    // If another connection holds the WAL open the switch is refused; WAL then stays.
    let _ = conn.pragma_update(None, "journal_mode", "DELETE");
    conn.pragma_update(None, "cache_size", -1_048_576)?; // 1 GiB for index builds
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    let result = db.write(|tx| {
        let deferred = DeferredIndexes::drop_in(tx, keep)?;
        let mut search = SearchIndexBuild::start(db.path())?;
        let value = load(tx, Some(&mut search))?;
        deferred.restore_in(tx)?;
        search.finish_into(tx)?;
        Ok(value)
    });
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "cache_size", super::CACHE_SIZE)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    result
}

/// Secondary indexes and the search trigger, dropped for a bulk load into empty tables and
/// recreated from their own stored SQL (so there is no second copy of the schema here).
struct DeferredIndexes {
    sql: Vec<String>,
}

impl DeferredIndexes {
    fn drop_in(tx: &Transaction, keep: &[&str]) -> Result<Self> {
        let items: Vec<(String, String, String)> = tx
            .prepare(
                "SELECT type, name, sql FROM sqlite_schema
                 WHERE sql IS NOT NULL
                   AND ((type = 'index' AND tbl_name IN ('leads', 'activities', 'lifecycle_history', 'consents')
                         -- rows arrive in the order of these: appending to them is cheaper
                         -- than sorting ten million entries afterwards
                         AND name NOT IN ('activities_by_lead', 'lifecycle_history_by_lead', 'consents_by_lead'))
                        OR (type = 'trigger' AND name = 'leads_search_insert'))",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let items: Vec<(String, String, String)> = items
            .into_iter()
            .filter(|(_, name, _)| !keep.contains(&name.as_str()))
            .collect();
        for (kind, name, _) in &items {
            tx.execute_batch(&format!("DROP {} \"{}\"", kind.to_uppercase(), name))?;
        }
        Ok(Self {
            sql: items.into_iter().map(|(_, _, sql)| sql).collect(),
        })
    }

    fn restore_in(self, tx: &Transaction) -> Result<()> {
        // Index builds sort: with a sorter memory below the data size, SQLite sorts the
        // runs on worker threads (the second core) and merges them.
        tx.execute_batch("PRAGMA threads = 2; PRAGMA cache_size = -16384;")?;
        for sql in &self.sql {
            tx.execute_batch(sql)?;
        }
        tx.execute_batch("PRAGMA threads = 0; PRAGMA cache_size = -1048576;")?;
        Ok(())
    }
}
