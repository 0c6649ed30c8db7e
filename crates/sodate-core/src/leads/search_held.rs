//! Search index writes held back for the length of a load, and made at its end in two
//! statements.
//!
//! The triggers that keep `lead_search` in step with `leads` write to FTS5 once per lead
//! statement. Inside a transaction each of those statements opens a statement journal (it
//! writes two tables), and SQLite then asks every virtual table written so far to take a
//! savepoint, which FTS5 does by flushing its pending terms to disk: every lead written
//! became an FTS5 segment of its own, which FTS5 then merged into the others. 100,000
//! leads imported into a database of a million took 34 s, 22 s of them in those merges.
//!
//! During a load the search triggers are replaced by temporary ones that only note which
//! leads changed, with their search text before the load (the first one noted). At the
//! end, one statement takes the old texts out of the index and one puts the new texts in;
//! then the search triggers are back. A failed load rolls all of it back with the rest.

use rusqlite::Transaction;

use crate::Result;

/// The triggers of migrations/0001_init.sql that write to `lead_search`.
const SEARCH_TRIGGERS: [&str; 3] = [
    "leads_search_insert",
    "leads_search_delete",
    "leads_search_update",
];

/// How the leads a load adds come into the search index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NewLeads {
    /// Noted one by one by a temporary trigger.
    Noted,
    /// They are the leads from this id on (ids only grow), indexed at the end by that range:
    /// no trigger on a lead insert, so that it writes one table and needs no statement
    /// journal.
    FromId(i64),
    /// Indexed by the caller (a bulk load that builds their index itself). Their later
    /// changes are still noted.
    Elsewhere,
}

/// The search triggers of a load, held back; see the module documentation.
pub(crate) struct HeldSearchWrites {
    /// The SQL of the triggers that were dropped, to create them again.
    triggers: Vec<String>,
    new_leads: NewLeads,
}

impl HeldSearchWrites {
    /// Replaces the search triggers for the rest of `tx`.
    pub(crate) fn start(tx: &Transaction, new_leads: NewLeads) -> Result<Self> {
        let mut triggers = Vec::new();
        for name in SEARCH_TRIGGERS {
            if let Some(sql) = crate::db::bulk::drop_trigger_in(tx, name)? {
                triggers.push(sql);
            }
        }
        // The first text noted for a lead is the one the index holds (NULL: none, a lead
        // new in this load).
        tx.execute_batch(
            "CREATE TEMP TABLE search_pending (id INTEGER PRIMARY KEY, old_text TEXT);
             CREATE TEMP TRIGGER search_pending_delete AFTER DELETE ON main.leads BEGIN
                 INSERT OR IGNORE INTO search_pending (id, old_text) VALUES (old.id, old.search_text);
             END;
             CREATE TEMP TRIGGER search_pending_update AFTER UPDATE OF search_text ON main.leads BEGIN
                 INSERT OR IGNORE INTO search_pending (id, old_text) VALUES (old.id, old.search_text);
             END;",
        )?;
        if new_leads == NewLeads::Noted {
            tx.execute_batch(
                "CREATE TEMP TRIGGER search_pending_insert AFTER INSERT ON main.leads BEGIN
                     INSERT OR IGNORE INTO search_pending (id, old_text) VALUES (new.id, NULL);
                 END;",
            )?;
        }
        Ok(Self {
            triggers,
            new_leads,
        })
    }

    /// Writes what was held back to the search index and puts the search triggers back.
    pub(crate) fn finish_in(self, tx: &Transaction) -> Result<()> {
        if let NewLeads::FromId(first) = self.new_leads {
            // Those the load changed after adding them were noted with a text the index
            // never held.
            tx.execute(
                "UPDATE temp.search_pending SET old_text = NULL WHERE id >= ?1",
                [first],
            )?;
            tx.execute(
                "INSERT OR IGNORE INTO temp.search_pending (id, old_text)
                 SELECT id, NULL FROM main.leads WHERE id >= ?1",
                [first],
            )?;
        }
        tx.execute_batch(
            "DROP TRIGGER IF EXISTS temp.search_pending_insert;
             DROP TRIGGER temp.search_pending_delete;
             DROP TRIGGER temp.search_pending_update;",
        )?;
        let pending: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM temp.search_pending)",
            [],
            |r| r.get(0),
        )?;
        if pending {
            // With the larger token buffer for these two statements (100,000 leads into a
            // million: 3.3 s with the default 1 MiB, 1.7 s with 16 MiB), then the default.
            tx.execute_batch(&format!(
                "INSERT INTO lead_search (lead_search, rank) VALUES ('hashsize', {big});
                 INSERT INTO lead_search (lead_search, rowid, search_text)
                     SELECT 'delete', id, old_text FROM temp.search_pending
                     WHERE old_text IS NOT NULL ORDER BY id;
                 INSERT INTO lead_search (rowid, search_text)
                     SELECT l.id, l.search_text FROM temp.search_pending p JOIN main.leads l ON l.id = p.id
                     ORDER BY l.id;
                 INSERT INTO lead_search (lead_search, rank) VALUES ('hashsize', {default});",
                big = super::SEARCH_BUFFER_BYTES,
                default = 1 << 20,
            ))?;
        }
        tx.execute_batch("DROP TABLE temp.search_pending")?;
        for sql in &self.triggers {
            tx.execute_batch(sql)?;
        }
        Ok(())
    }
}
