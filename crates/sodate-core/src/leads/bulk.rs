//! Bulk actions on a selection of leads or on every member of a saved segment: add a tag,
//! set the lifecycle stage, set the owner, delete.
//!
//! * The leads are resolved once, at the time of the action (a segment's members as of now).
//! * Everything happens in one transaction: a lead missing from a selection (deleted
//!   meanwhile) fails the whole call and changes nothing.
//! * Deleting needs the count the user confirmed: if the members changed since the dialog
//!   named them, nothing is deleted (`count_changed`). A backup of the database is written
//!   first ([`crate::backup::take`]); the report says where.
//! * Progress is reported every [`CHUNK`] leads; one audit entry records the action.

use std::collections::BTreeSet;

use rusqlite::{params, Transaction};
use serde::{Deserialize, Serialize};

use super::audit_in;
use crate::backup::{self, Backup};
use crate::segments::{self, SegmentFilter};
use crate::time::now;
use crate::{Error, Result, Sodate, LIFECYCLE_STAGES};

/// Leads written between two progress reports.
pub const CHUNK: usize = 2_000;

/// Which leads a bulk action applies to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum BulkTarget {
    /// The ticked leads.
    Leads {
        #[cfg_attr(feature = "specta", specta(type = Vec<specta_typescript::Number>))]
        ids: Vec<i64>,
    },
    /// Every member of a saved segment, as of now.
    Segment {
        #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
        id: i64,
    },
}

/// What a bulk action does to each lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", tag = "kind", content = "value")]
pub enum BulkAction {
    AddTag(String),
    SetStage(String),
    /// Empty: no owner.
    SetOwner(String),
    Delete,
}

impl BulkAction {
    fn code(&self) -> &'static str {
        match self {
            BulkAction::AddTag(_) => "add_tag",
            BulkAction::SetStage(_) => "set_stage",
            BulkAction::SetOwner(_) => "set_owner",
            BulkAction::Delete => "delete",
        }
    }
}

/// Progress of a bulk action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct BulkProgress {
    pub done: u32,
    pub total: u32,
}

/// What a bulk action did.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct BulkReport {
    /// The leads the action applied to.
    pub leads: u32,
    /// Of those, the leads it changed (a tag they had already, the stage they were in: no).
    pub changed: u32,
    /// The backup written before a delete.
    pub backup: Option<Backup>,
}

const MAX_TAG_CHARS: usize = 100;
const MAX_OWNER_CHARS: usize = 500;

fn clean(s: &str) -> String {
    s.trim().chars().filter(|c| !c.is_control()).collect()
}

/// The action with its value checked and cleaned.
fn checked(action: &BulkAction) -> Result<BulkAction> {
    Ok(match action {
        BulkAction::AddTag(tag) => {
            let tag = clean(tag);
            if tag.is_empty() {
                return Err(Error::invalid("tag", "required", "name the tag to add"));
            }
            if tag.chars().count() > MAX_TAG_CHARS {
                return Err(Error::invalid(
                    "tag",
                    "too_long",
                    format!("a tag has at most {MAX_TAG_CHARS} characters"),
                ));
            }
            BulkAction::AddTag(tag)
        }
        BulkAction::SetStage(stage) => {
            if !LIFECYCLE_STAGES.contains(&stage.as_str()) {
                return Err(Error::invalid(
                    "stage",
                    "unknown_value",
                    format!(
                        "\"{stage}\" is not a lifecycle stage (one of {})",
                        LIFECYCLE_STAGES.join(", ")
                    ),
                ));
            }
            BulkAction::SetStage(stage.clone())
        }
        BulkAction::SetOwner(owner) => {
            let owner = clean(owner);
            if owner.chars().count() > MAX_OWNER_CHARS {
                return Err(Error::invalid(
                    "owner",
                    "too_long",
                    format!("an owner has at most {MAX_OWNER_CHARS} characters"),
                ));
            }
            BulkAction::SetOwner(owner)
        }
        BulkAction::Delete => BulkAction::Delete,
    })
}

/// The lead ids of `target` now, ascending (a selection: as given, without repeats).
pub fn resolve(db: &Sodate, target: &BulkTarget) -> Result<Vec<i64>> {
    match target {
        BulkTarget::Leads { ids } => {
            if ids.is_empty() {
                return Err(Error::invalid("leads", "empty", "select at least one lead"));
            }
            Ok(ids
                .iter()
                .copied()
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect())
        }
        BulkTarget::Segment { id } => {
            segments::get(db, *id)?;
            segments::member_ids_at(
                db,
                &SegmentFilter::Segment {
                    id: *id,
                    path: "segment".into(),
                },
                chrono::Utc::now(),
            )
        }
    }
}

/// Applies `action` to the leads of `target`; see the module notes. `confirmed` is the
/// number of leads the user agreed to delete (required for [`BulkAction::Delete`]).
pub fn apply(
    db: &Sodate,
    target: &BulkTarget,
    action: &BulkAction,
    confirmed: Option<u32>,
    progress: &mut dyn FnMut(BulkProgress),
) -> Result<BulkReport> {
    let action = checked(action)?;
    let ids = resolve(db, target)?;
    let total = u32::try_from(ids.len()).unwrap_or(u32::MAX);
    let backup = if action == BulkAction::Delete {
        if confirmed != Some(total) {
            return Err(Error::invalid(
                "confirmed",
                "count_changed",
                match confirmed {
                    None => format!("deleting {total} leads needs the count confirmed"),
                    Some(n) => format!(
                        "{n} leads were confirmed but {total} match now; nothing was deleted"
                    ),
                },
            ));
        }
        progress(BulkProgress { done: 0, total });
        Some(backup::take(db, backup::BackupReason::BulkDelete)?)
    } else {
        None
    };
    db.write(|tx| {
        // Deleted one by one, the leads leave the search index in one statement at the end
        // (row by row, each deletion became an FTS5 segment to merge).
        let held = (action == BulkAction::Delete)
            .then(|| super::HeldSearchWrites::start(tx, super::NewLeads::Noted))
            .transpose()?;
        let at = now();
        let mut changed = 0u32;
        if let BulkAction::AddTag(tag) = &action {
            tx.execute("INSERT OR IGNORE INTO tags (name) VALUES (?1)", [tag])?;
        }
        for (n, chunk) in ids.chunks(CHUNK).enumerate() {
            progress(BulkProgress {
                done: (n * CHUNK) as u32,
                total,
            });
            for &id in chunk {
                changed += apply_one(tx, id, &action, &at)?;
            }
        }
        if let Some(held) = held {
            held.finish_in(tx)?;
        }
        progress(BulkProgress { done: total, total });
        audit_in(
            tx,
            &format!("lead.bulk_{}", action.code()),
            "lead",
            None,
            &serde_json::json!({
                "target": target,
                "action": action,
                "leads": total,
                "changed": changed,
                "backup": backup.as_ref().map(|b| b.path.clone()),
            }),
        )?;
        Ok(BulkReport {
            leads: total,
            changed,
            backup: backup.clone(),
        })
    })
}

/// One lead: 1 when it changed. A lead that does not exist fails the call.
fn apply_one(tx: &Transaction, id: i64, action: &BulkAction, at: &str) -> Result<u32> {
    let stage: Option<String> = {
        use rusqlite::OptionalExtension;
        tx.prepare_cached("SELECT lifecycle_stage FROM leads WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?
    };
    let Some(stage) = stage else {
        return Err(Error::NotFound { entity: "lead", id });
    };
    let changed = match action {
        BulkAction::AddTag(tag) => {
            let n = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO lead_tags (lead_id, tag_id)
                     SELECT ?1, id FROM tags WHERE name = ?2",
                )?
                .execute(params![id, tag])?;
            if n > 0 {
                touch(tx, id, at)?;
            }
            n
        }
        BulkAction::SetStage(to) => {
            if stage == *to {
                0
            } else {
                tx.prepare_cached(
                    "UPDATE leads SET lifecycle_stage = ?2, stage_changed_at = ?3, updated_at = ?3
                     WHERE id = ?1",
                )?
                .execute(params![id, to, at])?;
                tx.prepare_cached(
                    "INSERT INTO lifecycle_history (lead_id, from_stage, to_stage, changed_at, actor, reason)
                     VALUES (?1, ?2, ?3, ?4, 'user', 'bulk')",
                )?
                .execute(params![id, stage, to, at])?
            }
        }
        BulkAction::SetOwner(owner) => tx
            .prepare_cached(
                "UPDATE leads SET owner = ?2, updated_at = ?3 WHERE id = ?1 AND owner <> ?2",
            )?
            .execute(params![id, owner, at])?,
        BulkAction::Delete => tx
            .prepare_cached("DELETE FROM leads WHERE id = ?1")?
            .execute([id])?,
    };
    Ok(u32::from(changed > 0))
}

fn touch(tx: &Transaction, id: i64, at: &str) -> Result<()> {
    tx.prepare_cached("UPDATE leads SET updated_at = ?2 WHERE id = ?1")?
        .execute(params![id, at])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn reads_the_json_the_app_sends() {
        let t: BulkTarget = serde_json::from_str(r#"{"kind":"segment","id":7}"#).unwrap();
        assert_eq!(t, BulkTarget::Segment { id: 7 });
        let t: BulkTarget = serde_json::from_str(r#"{"kind":"leads","ids":[1,2]}"#).unwrap();
        assert_eq!(t, BulkTarget::Leads { ids: vec![1, 2] });
        let a: BulkAction = serde_json::from_str(r#"{"kind":"addTag","value":"x"}"#).unwrap();
        assert_eq!(a, BulkAction::AddTag("x".into()));
        let a: BulkAction = serde_json::from_str(r#"{"kind":"delete"}"#).unwrap();
        assert_eq!(a, BulkAction::Delete);
    }
}
