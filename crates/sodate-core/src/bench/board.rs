//! The handoff board's workloads (issue 7): the board with 10,000 cards in one column, a
//! page further down that column, and single moves. It writes: 10,000 leads of the bench
//! database are put into the SAL column first (their history records it), and the moves are
//! recorded like any other.

use std::path::Path;
use std::time::Instant;

use chrono::Utc;

use super::{row, BenchRow};
use crate::handoff::{self, BoardFilter, MoveRequest};
use crate::Result;

/// Cards put into the one long column.
pub const COLUMN_CARDS: u32 = 10_000;

pub fn run_board(path: &Path, progress: &mut dyn FnMut(&str)) -> Result<Vec<BenchRow>> {
    let db = super::open_measured(path)?;
    progress(&format!("putting {COLUMN_CARDS} leads into the SAL column"));
    let now = Utc::now();
    let ids: Vec<i64> = db.read(|conn| {
        Ok(conn
            .prepare(
                "SELECT id FROM leads WHERE lifecycle_stage IN ('subscriber', 'lead')
                 ORDER BY id LIMIT ?1",
            )?
            .query_map([COLUMN_CARDS], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?)
    })?;
    let to_sal = MoveRequest {
        stage: "sal".into(),
        ..Default::default()
    };
    handoff::move_many(&db, &ids, &to_sal, "bench", now)?;
    let filter = BoardFilter::default();

    progress("board: first page of every column");
    let mut board_times = Vec::new();
    let mut sal = 0;
    for _ in 0..20 {
        let t = Instant::now();
        let b = handoff::board(&db, &filter, 50, Utc::now())?;
        board_times.push(t.elapsed());
        sal = b.columns[1].count;
    }
    progress("board: a page deep in the long column");
    let mut page_times = Vec::new();
    for i in 0..20 {
        let t = Instant::now();
        handoff::column(&db, "sal", &filter, (sal / 20) * i, 50, Utc::now())?;
        page_times.push(t.elapsed());
    }
    progress("board: moves");
    let mut move_times = Vec::new();
    let to_opportunity = MoveRequest {
        stage: "opportunity".into(),
        ..Default::default()
    };
    for id in ids.iter().take(100) {
        let t = Instant::now();
        handoff::move_lead(&db, *id, &to_opportunity, "bench", Utc::now())?;
        move_times.push(t.elapsed());
    }
    let mut reason_times = Vec::new();
    let lost = MoveRequest {
        stage: "lost".into(),
        reason: "競合に決定".into(),
        ..Default::default()
    };
    for id in ids.iter().take(100) {
        let t = Instant::now();
        handoff::move_lead(&db, *id, &lost, "bench", Utc::now())?;
        reason_times.push(t.elapsed());
    }
    Ok(vec![
        row(
            &format!("board: counts + first 50 cards of 8 columns ({sal} cards in SAL)"),
            board_times,
            "first render ≤ 300 ms",
        ),
        row(
            "board: a page of 50 cards at offsets 0 … 95 % of SAL",
            page_times,
            "—",
        ),
        row(
            "move: one card SAL → 商談 (recorded)",
            move_times,
            "≤ 50 ms",
        ),
        row(
            "move: one card 商談 → 失注 with a reason (recorded)",
            reason_times,
            "≤ 50 ms",
        ),
    ])
}
