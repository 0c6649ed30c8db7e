//! `sodate board`, `sodate move`, `sodate history`: the sales handoff board from the command
//! line (columns with counts and overdue counts, moving a lead, a lead's stage history).

use std::path::Path;

use chrono::Utc;
use sodate_core::handoff::{self, BoardFilter, MoveRequest};
use sodate_core::Result;

use crate::print_json;

/// Who a move from the command line is recorded as: `--actor`, else the login name.
fn actor(given: Option<String>) -> String {
    given
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("USERNAME").ok())
        .filter(|a| !a.trim().is_empty())
        .unwrap_or_else(|| "cli".into())
}

pub(crate) fn board(db_path: &Path, json: bool, filter: BoardFilter, limit: u32) -> Result<()> {
    let db = crate::encryption::open(db_path)?;
    let board = handoff::board(&db, &filter, limit, Utc::now())?;
    if json {
        let columns: Vec<_> = board
            .columns
            .iter()
            .map(|c| {
                serde_json::json!({
                    "stage": c.stage,
                    "count": c.count,
                    "overdue": c.overdue,
                    "slaDays": c.sla_days,
                    "cards": c.page.cards,
                })
            })
            .collect();
        return print_json(&serde_json::json!({ "columns": columns }));
    }
    for c in &board.columns {
        let sla = if c.sla_days > 0 {
            format!("  ({} overdue, SLA {} days)", c.overdue, c.sla_days)
        } else {
            String::new()
        };
        println!("{:<13} {:>8}{sla}", c.stage, c.count);
    }
    Ok(())
}

pub(crate) struct MoveArgs {
    pub lead: i64,
    pub stage: String,
    pub reason: Option<String>,
    pub note: Option<String>,
    pub confirm_incomplete_bant: bool,
    pub actor: Option<String>,
}

pub(crate) fn move_lead(db_path: &Path, json: bool, args: MoveArgs) -> Result<()> {
    let db = crate::encryption::open(db_path)?;
    let req = MoveRequest {
        stage: args.stage,
        reason: args.reason.unwrap_or_default(),
        note: args.note.unwrap_or_default(),
        confirm_incomplete_bant: args.confirm_incomplete_bant,
    };
    let out = handoff::move_lead(&db, args.lead, &req, &actor(args.actor), Utc::now())?;
    if json {
        return print_json(&out);
    }
    let why = if out.reason.is_empty() {
        String::new()
    } else {
        format!(" ({})", out.reason)
    };
    println!(
        "lead {}: {} → {}{why}, by {} at {}",
        out.lead_id, out.from_stage, out.to_stage, out.actor, out.changed_at
    );
    Ok(())
}

pub(crate) fn history(db_path: &Path, json: bool, lead: i64) -> Result<()> {
    let db = crate::encryption::open(db_path)?;
    let h = handoff::history(&db, lead)?;
    if json {
        return print_json(&serde_json::json!({ "lead": lead, "history": h }));
    }
    for c in &h {
        let from = c.from_stage.as_deref().unwrap_or("—");
        let auto = if c.automatic { " [auto]" } else { "" };
        let note = if c.note.is_empty() {
            String::new()
        } else {
            format!(" — {}", c.note)
        };
        println!(
            "{}  {from} → {}  {}{auto}  {}{note}",
            c.changed_at, c.to_stage, c.actor, c.reason
        );
    }
    Ok(())
}
