//! Positions of every lead in a sort order, kept in memory, for sorting large match sets.
//!
//! A search sorted by name clusters: all 30,000 たなか sit together in the kana order, so
//! walking the sort index until a page of matches is found reads half the index, and
//! reading every match to sort it costs a row lookup each (~2 µs, 60 ms for 30,000). With
//! each lead's position in the order at hand (one walk of the covering sort index, ~0.1 s
//! at a million leads, 4 bytes per lead), the page is a partial sort of the match ids:
//! a few milliseconds. Positions are rebuilt after the database changed (a write by this
//! connection or another process), on the next search that needs them.

use std::cell::RefCell;

use rusqlite::Connection;

use super::order_by;
use crate::db::Stamp;
use crate::{LeadSort, Result};

/// Per sort order: `positions[id]` is the 1-based position of lead `id` in ascending order
/// (0: no such lead). Valid for the database state `stamp`.
#[derive(Default)]
pub struct RankCache {
    inner: RefCell<Cached>,
}

#[derive(Default)]
struct Cached {
    stamp: Option<Stamp>,
    positions: [Option<Vec<u32>>; 6],
}

impl RankCache {
    /// The ids of `ids` at `offset..offset + limit` in `sort` order.
    pub(crate) fn page(
        &self,
        conn: &Connection,
        sort: LeadSort,
        descending: bool,
        ids: &[i64],
        offset: u32,
        limit: u32,
    ) -> Result<Vec<i64>> {
        let mut cached = self.inner.borrow_mut();
        let stamp = Stamp::of(conn)?;
        if cached.stamp != Some(stamp) {
            *cached = Cached {
                stamp: Some(stamp),
                ..Cached::default()
            };
        }
        let slot = LeadSort::ALL.iter().position(|s| *s == sort).unwrap_or(0);
        let positions = match &mut cached.positions[slot] {
            Some(p) => p,
            empty => empty.insert(positions_of(conn, sort)?),
        };
        Ok(page_by_position(
            ids,
            positions,
            descending,
            offset as usize,
            limit as usize,
        ))
    }
}

/// Walks the sort's covering index once: position of each id.
fn positions_of(conn: &Connection, sort: LeadSort) -> Result<Vec<u32>> {
    let super::SortOrder {
        table,
        order,
        index,
    } = order_by(sort, false);
    let max_id: i64 = conn.query_row("SELECT coalesce(max(id), 0) FROM leads", [], |r| r.get(0))?;
    let mut positions = vec![0u32; usize::try_from(max_id).unwrap_or(0) + 1];
    let indexed_by = index.map(|i| format!("INDEXED BY {i}"));
    let mut stmt = conn.prepare(&format!(
        "SELECT l.id FROM {table} l {} ORDER BY {order}",
        indexed_by.unwrap_or_default()
    ))?;
    let mut rows = stmt.query([])?;
    let mut position = 0u32;
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        position += 1;
        if let Some(p) = usize::try_from(id).ok().and_then(|i| positions.get_mut(i)) {
            *p = position;
        }
    }
    Ok(positions)
}

/// `ids[offset..offset + limit]` once sorted by position: a partial sort, so only the
/// page and what precedes it is ordered.
fn page_by_position(
    ids: &[i64],
    positions: &[u32],
    descending: bool,
    offset: usize,
    limit: usize,
) -> Vec<i64> {
    let mut keyed: Vec<(u32, i64)> = ids
        .iter()
        .filter_map(|&id| {
            let p = *positions.get(usize::try_from(id).ok()?)?;
            (p != 0).then_some((if descending { u32::MAX - p } else { p }, id))
        })
        .collect();
    let end = (offset + limit).min(keyed.len());
    if offset >= end {
        return Vec::new();
    }
    if end < keyed.len() {
        keyed.select_nth_unstable(end - 1);
    }
    keyed[..end].sort_unstable();
    keyed[offset..end].iter().map(|&(_, id)| id).collect()
}

#[cfg(test)]
mod tests {
    use super::page_by_position;

    #[test]
    fn pages_follow_positions_in_both_directions() {
        // Leads 1..=5 at positions 3, 1, 5, 2, 4 (lead 2 first, lead 3 last).
        let positions = [0, 3, 1, 5, 2, 4];
        let ids = [1, 2, 3, 4, 5];
        assert_eq!(page_by_position(&ids, &positions, false, 0, 2), [2, 4]);
        assert_eq!(page_by_position(&ids, &positions, false, 2, 10), [1, 5, 3]);
        assert_eq!(page_by_position(&ids, &positions, true, 0, 2), [3, 5]);
        assert!(page_by_position(&ids, &positions, false, 5, 2).is_empty());
    }

    #[test]
    fn ids_without_a_position_are_left_out() {
        let positions = [0, 2, 0, 1];
        assert_eq!(
            page_by_position(&[1, 2, 3, 99], &positions, false, 0, 10),
            [3, 1]
        );
    }
}
