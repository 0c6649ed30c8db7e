//! The journal of changed leads (migration 0011): which leads changed since a point, for
//! aggregates kept in memory that bring themselves up to date lead by lead.
//!
//! A reader remembers the [`Position`] its aggregate was read at and later asks
//! [`since`] what changed after it: nothing, these leads, or everything (a bulk load ran
//! without the journal's triggers, the journal was pruned past that position, or another
//! database file is open under the same path, as after a restore).

use rusqlite::{Connection, OptionalExtension};

use crate::Result;

/// A point in the journal: its last `seq` when the aggregate was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Position(i64);

impl Position {
    /// The journal `seq` it stands for (to store it).
    pub(crate) fn seq(self) -> i64 {
        self.0
    }

    /// The position of a stored `seq`.
    pub(crate) fn at(seq: i64) -> Self {
        Position(seq)
    }
}

/// What changed after a [`Position`].
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Changed {
    Nothing,
    /// These leads (sorted, distinct; some may no longer exist).
    Leads(Vec<i64>),
    /// Too much, or unknown: read everything again.
    Everything,
}

/// The journal's position now. Read it in the same transaction (or the same unchanged
/// database state) as the data it stands for.
pub(crate) fn position(conn: &Connection) -> Result<Position> {
    Ok(Position(conn.query_row(
        "SELECT coalesce(max(seq), 0) FROM lead_changes",
        [],
        |r| r.get(0),
    )?))
}

/// What changed after `from`, with its new position; at most `limit` leads before it is
/// [`Changed::Everything`] (re-reading that many one by one costs more than a full read).
pub(crate) fn since(
    conn: &Connection,
    from: Position,
    limit: usize,
) -> Result<(Changed, Position)> {
    let now = position(conn)?;
    if now == from {
        return Ok((Changed::Nothing, now));
    }
    let pruned: i64 = conn
        .query_row("SELECT upto FROM lead_changes_pruned", [], |r| r.get(0))
        .optional()?
        .unwrap_or(0);
    // Behind the journal's start, or ahead of it (another file: a restore).
    if from.0 < pruned || from.0 > now.0 {
        return Ok((Changed::Everything, now));
    }
    let mut stmt = conn
        .prepare_cached("SELECT DISTINCT lead_id FROM lead_changes WHERE seq > ?1 AND seq <= ?2")?;
    let mut rows = stmt.query([from.0, now.0])?;
    let mut leads = Vec::new();
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        if id == 0 || leads.len() >= limit {
            return Ok((Changed::Everything, now));
        }
        leads.push(id);
    }
    leads.sort_unstable();
    leads.dedup();
    Ok((Changed::Leads(leads), now))
}

/// Marks every lead changed (after a load that ran without the journal's triggers).
pub(crate) fn everything_changed(conn: &Connection) -> Result<()> {
    conn.execute("INSERT INTO lead_changes (lead_id) VALUES (0)", [])?;
    Ok(())
}

/// Rows kept when the journal is pruned: a reader further behind reads everything.
const KEEP: i64 = 100_000;

/// Drops the journal's old rows once it holds more than twice [`KEEP`] (called when a
/// database is opened for writing; cheap when there is nothing to do).
pub(crate) fn prune(conn: &Connection) -> Result<()> {
    let (first, last): (i64, i64) = conn.query_row(
        "SELECT coalesce(min(seq), 0), coalesce(max(seq), 0) FROM lead_changes",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if last - first < 2 * KEEP {
        return Ok(());
    }
    let upto = last - KEEP;
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let result = conn
        .execute("DELETE FROM lead_changes WHERE seq <= ?1", [upto])
        .and_then(|_| conn.execute("UPDATE lead_changes_pruned SET upto = ?1", [upto]));
    match result {
        Ok(_) => conn.execute_batch("COMMIT")?,
        Err(e) => {
            conn.execute_batch("ROLLBACK")?;
            return Err(e.into());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicBool;

    use super::*;
    use crate::{leads, LeadInput, Sodate};

    fn open() -> (tempfile::TempDir, Sodate) {
        let dir = tempfile::tempdir().unwrap();
        let db = Sodate::open(dir.path().join("j.db")).unwrap();
        (dir, db)
    }

    fn new_lead(db: &Sodate, family: &str) -> i64 {
        leads::create(
            db,
            &LeadInput {
                family_name: family.into(),
                email: format!("{}@example.jp", family.len()),
                ..Default::default()
            },
        )
        .unwrap()
        .lead
        .id
    }

    #[test]
    fn the_journal_names_the_leads_whose_counted_fields_changed_and_nothing_else() {
        let (_dir, db) = open();
        let conn = db.conn();
        let start = position(conn).unwrap();
        let a = new_lead(&db, "佐藤");
        let b = new_lead(&db, "鈴木");
        let (changed, after) = since(conn, start, 100).unwrap();
        assert_eq!(changed, Changed::Leads(vec![a, b]));
        // Scores, and fields written with the value they had, are not changes it tracks.
        conn.execute("UPDATE lead_scores SET engagement_score = 40", [])
            .unwrap();
        conn.execute("UPDATE leads SET owner = owner", []).unwrap();
        assert_eq!(since(conn, after, 100).unwrap().0, Changed::Nothing);
        conn.execute("UPDATE leads SET owner = '山田' WHERE id = ?1", [b])
            .unwrap();
        let (changed, after) = since(conn, after, 100).unwrap();
        assert_eq!(changed, Changed::Leads(vec![b]));
        // An activity moved from one lead to another names both.
        conn.execute(
            "INSERT INTO activities (lead_id, type_id, occurred_at) VALUES (?1, 1, 0)",
            [a],
        )
        .unwrap();
        let (_, after) = since(conn, after, 100).unwrap();
        conn.execute("UPDATE activities SET lead_id = ?1", [b])
            .unwrap();
        let (changed, after) = since(conn, after, 100).unwrap();
        assert_eq!(changed, Changed::Leads(vec![a, b]));
        // More than the limit, a renamed activity type code, a bulk load: everything.
        assert_eq!(since(conn, start, 1).unwrap().0, Changed::Everything);
        conn.execute(
            "UPDATE activity_types SET code = 'visit' WHERE code = 'booth_visit'",
            [],
        )
        .unwrap();
        assert_eq!(since(conn, after, 100).unwrap().0, Changed::Everything);
        // A position the journal never reached belongs to another file.
        assert_eq!(
            since(conn, Position(after.0 + 1_000), 100).unwrap().0,
            Changed::Everything
        );
    }

    #[test]
    fn pruning_keeps_the_recent_changes_and_sends_older_readers_to_a_full_read() {
        let (_dir, db) = open();
        let conn = db.conn();
        let old = position(conn).unwrap();
        conn.execute_batch(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 250000)
             INSERT INTO lead_changes (lead_id) SELECT 7 FROM n",
        )
        .unwrap();
        let recent = Position(position(conn).unwrap().0 - 10);
        prune(conn).unwrap();
        let kept: i64 = conn
            .query_row("SELECT count(*) FROM lead_changes", [], |r| r.get(0))
            .unwrap();
        assert_eq!(kept, KEEP);
        assert_eq!(since(conn, old, 100).unwrap().0, Changed::Everything);
        assert_eq!(since(conn, recent, 100).unwrap().0, Changed::Leads(vec![7]));
        // Below twice the rows kept, nothing is pruned.
        prune(conn).unwrap();
        let again: i64 = conn
            .query_row("SELECT count(*) FROM lead_changes", [], |r| r.get(0))
            .unwrap();
        assert_eq!(again, KEEP);
    }

    #[test]
    fn a_bulk_load_says_everything_changed_and_the_journal_works_again_after_it() {
        let (_dir, db) = open();
        let start = position(db.conn()).unwrap();
        crate::demo::generate(
            &db,
            &crate::demo::DemoOptions::new(10_000, 3),
            &mut |_, _| {},
            &AtomicBool::new(false),
        )
        .unwrap();
        let conn = db.conn();
        let (changed, after) = since(conn, start, usize::MAX).unwrap();
        assert_eq!(changed, Changed::Everything);
        let rows: i64 = conn
            .query_row("SELECT count(*) FROM lead_changes", [], |r| r.get(0))
            .unwrap();
        assert!(rows < 100, "the load wrote no row per lead: {rows}");
        let triggers: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name LIKE 'lead_changes_%'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(triggers, 14);
        let c = new_lead(&db, "高橋");
        assert_eq!(since(conn, after, 100).unwrap().0, Changed::Leads(vec![c]));
    }
}
