//! `sodate segment …`: count a filter, save it, list, show, freeze, duplicate and delete
//! saved segments, list a filter's members, and apply a bulk action to a segment's members.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use sodate_core::leads::bulk::{self, BulkAction, BulkTarget};
use sodate_core::segments::{self, Segment, SegmentFilter, SegmentKind};
use sodate_core::{Error, Result};

use crate::print_json;

#[derive(Subcommand)]
pub(crate) enum SegmentCommand {
    /// Count the leads a filter (a JSON file, see docs/SEGMENTS.md) matches now.
    Count { filter: PathBuf },
    /// The first leads a filter matches (last updated first).
    Members {
        filter: PathBuf,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long, default_value_t = 0)]
        offset: u32,
    },
    /// Save a filter as a dynamic segment (validated first; an invalid filter saves nothing).
    Save { name: String, filter: PathBuf },
    /// The saved segments.
    List,
    /// One saved segment with its filter.
    Show { id: i64 },
    /// Replace a dynamic segment's filter (and name).
    Update {
        id: i64,
        filter: PathBuf,
        #[arg(long)]
        name: Option<String>,
    },
    /// Freeze a segment's current members into a new static list.
    Freeze {
        id: i64,
        /// The list's name (default: the segment's name and today's date).
        #[arg(long)]
        name: Option<String>,
    },
    /// Copy a segment.
    Duplicate { id: i64 },
    /// Delete a segment (refused while another segment refers to it).
    Delete { id: i64 },
    /// The fields a condition can name, with their operators and values.
    Fields,
    /// A bulk action on every member of segment ID: exactly one of the actions.
    Bulk {
        id: i64,
        #[arg(long, value_name = "TAG", group = "bulk_action")]
        add_tag: Option<String>,
        #[arg(long, value_name = "STAGE", group = "bulk_action")]
        set_stage: Option<String>,
        /// The owner (an empty string clears it).
        #[arg(long, value_name = "OWNER", group = "bulk_action")]
        set_owner: Option<String>,
        /// Delete the members; COUNT is the number you expect (nothing is deleted when the
        /// segment holds another number now). A backup is written first.
        #[arg(long, value_name = "COUNT", group = "bulk_action")]
        delete: Option<u32>,
    },
}

fn read_filter(path: &Path) -> Result<SegmentFilter> {
    let text = sodate_core::files::read_text(path, "filter")?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        Error::invalid(
            "filter",
            "invalid_json",
            format!("{} is not JSON: {e}", path.display()),
        )
    })?;
    segments::parse(&value)
}

fn kind(s: &Segment) -> &'static str {
    match s.kind {
        SegmentKind::Dynamic => "dynamic",
        SegmentKind::Static => "static",
    }
}

pub(crate) fn run(db_path: &Path, json: bool, command: SegmentCommand) -> Result<()> {
    let db = crate::encryption::open(db_path)?;
    match command {
        SegmentCommand::Count { filter } => {
            let c = segments::count(&db, &read_filter(&filter)?)?;
            if json {
                print_json(&c)?;
            } else {
                println!("{} leads ({:.1} ms)", c.count, c.ms);
            }
        }
        SegmentCommand::Members {
            filter,
            limit,
            offset,
        } => {
            let page = segments::members(&db, &read_filter(&filter)?, offset, limit)?;
            if json {
                print_json(&page)?;
            } else {
                println!("{} leads", page.total);
                for r in &page.rows {
                    println!(
                        "{:>8}  {} {}  {}  {}  {}",
                        r.id,
                        r.family_name,
                        r.given_name,
                        r.company_name.as_deref().unwrap_or(""),
                        r.title,
                        r.email
                    );
                }
            }
        }
        SegmentCommand::Save { name, filter } => {
            let id = segments::save(&db, &name, &read_filter(&filter)?)?;
            if json {
                print_json(&serde_json::json!({ "id": id }))?;
            } else {
                println!("segment {id} saved");
            }
        }
        SegmentCommand::List => {
            let list = segments::list(&db)?;
            if json {
                print_json(&list)?;
            } else {
                for s in &list {
                    println!(
                        "{:>6}  {:<8} {}{}",
                        s.id,
                        kind(s),
                        s.name,
                        s.member_count
                            .map(|n| format!(" ({n} leads)"))
                            .unwrap_or_default()
                    );
                }
            }
        }
        SegmentCommand::Show { id } => {
            let s = segments::get(&db, id)?;
            if json {
                print_json(&s)?;
            } else {
                println!("{} {} ({})", s.id, s.name, kind(&s));
                if let Some(f) = &s.filter {
                    println!("{}", serde_json::to_string_pretty(f)?);
                }
            }
        }
        SegmentCommand::Update { id, filter, name } => {
            let before = segments::get(&db, id)?;
            let s = segments::update(
                &db,
                id,
                name.as_deref().unwrap_or(&before.name),
                Some(&read_filter(&filter)?),
            )?;
            if json {
                print_json(&s)?;
            } else {
                println!("segment {} updated", s.id);
            }
        }
        SegmentCommand::Freeze { id, name } => {
            let s = segments::freeze(&db, id, name.as_deref())?;
            if json {
                print_json(&serde_json::json!({
                    "id": s.id,
                    "name": s.name,
                    "count": s.member_count,
                }))?;
            } else {
                println!(
                    "segment {id} frozen into static list {} 「{}」 ({} leads)",
                    s.id,
                    s.name,
                    s.member_count.unwrap_or(0)
                );
            }
        }
        SegmentCommand::Duplicate { id } => {
            let new_id = segments::duplicate(&db, id)?;
            if json {
                print_json(&serde_json::json!({ "id": new_id }))?;
            } else {
                println!("segment {id} copied as {new_id}");
            }
        }
        SegmentCommand::Delete { id } => {
            segments::delete(&db, id)?;
            if json {
                print_json(&serde_json::json!({ "deleted": id }))?;
            } else {
                println!("segment {id} deleted");
            }
        }
        SegmentCommand::Bulk {
            id,
            add_tag,
            set_stage,
            set_owner,
            delete,
        } => {
            let action =
                match (add_tag, set_stage, set_owner, delete) {
                    (Some(tag), ..) => BulkAction::AddTag(tag),
                    (_, Some(stage), ..) => BulkAction::SetStage(stage),
                    (_, _, Some(owner), _) => BulkAction::SetOwner(owner),
                    (.., Some(_)) => BulkAction::Delete,
                    _ => return Err(Error::invalid(
                        "action",
                        "required",
                        "name one action: --add-tag, --set-stage, --set-owner or --delete COUNT",
                    )),
                };
            let report = bulk::apply(
                &db,
                &BulkTarget::Segment { id },
                &action,
                delete,
                &mut |_| {},
            )?;
            if json {
                print_json(&report)?;
            } else {
                println!("{} leads, {} changed", report.leads, report.changed);
                if let Some(b) = &report.backup {
                    println!("backup: {}", b.path);
                }
            }
        }
        SegmentCommand::Fields => {
            let fields = segments::fields_of(&db)?;
            if json {
                print_json(&fields)?;
            } else {
                for f in &fields {
                    println!(
                        "{:<24} {:<7} {}",
                        f.code,
                        serde_json::to_value(f.kind)?.as_str().unwrap_or(""),
                        f.ops.iter().map(|o| o.code()).collect::<Vec<_>>().join(" ")
                    );
                }
            }
        }
    }
    Ok(())
}
