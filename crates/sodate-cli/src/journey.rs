//! `sodate journey …`: journey maps from scripts — create one from a template, bind a stage,
//! add a scenario step, list maps, their live metrics, who is due, and confirm sends.

use std::path::{Path, PathBuf};

use chrono::{NaiveDate, Utc};
use clap::{Subcommand, ValueEnum};
use serde_json::json;
use sodate_core::journeys::{self, NewJourney, Persona, ScenarioStep, StepChannel};
use sodate_core::{Error, Result, Sodate};

use crate::print_json;

#[derive(Subcommand)]
pub(crate) enum JourneyCommand {
    /// The maps, with their persona and stages.
    List,
    /// Create a map from a template for a persona (created when no persona has that name).
    Create {
        name: String,
        #[arg(long)]
        persona: String,
        /// b2b (認知→興味→比較→検討→購入→継続), aidma, aisas, decax, blank.
        #[arg(long, default_value = "b2b")]
        template: String,
        #[arg(long, default_value = "ja")]
        lang: String,
    },
    /// Bind stage STAGE (1-based) of map ID to a segment filter (JSON file; {"segment": N}
    /// binds a saved segment), or unbind it with --none.
    Bind {
        id: i64,
        stage: usize,
        filter: Option<PathBuf>,
        #[arg(long)]
        none: bool,
    },
    /// Add a nurture scenario step to stage STAGE (1-based) of map ID.
    Step {
        id: i64,
        stage: usize,
        #[arg(long)]
        day: i32,
        #[arg(long)]
        content: String,
        #[arg(long, value_enum, default_value_t = ChannelArg::Email)]
        channel: ChannelArg,
    },
    /// Refresh the stage history, then per stage: leads now, conversion, median days.
    Metrics { id: i64 },
    /// Who is due for which scenario step on a day (default: today in Japan).
    Due {
        id: i64,
        #[arg(long)]
        date: Option<NaiveDate>,
        /// Write the list as a CSV for the mail tool instead of printing it.
        #[arg(long, value_name = "CSV")]
        out: Option<PathBuf>,
    },
    /// Confirm the due list of a day was sent: record the activities, mark the steps sent.
    MarkSent {
        id: i64,
        #[arg(long)]
        date: Option<NaiveDate>,
        /// Only this stage's part (its id, e.g. s2).
        #[arg(long)]
        stage: Option<String>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum ChannelArg {
    Email,
    Call,
    Meeting,
    Other,
}

impl From<ChannelArg> for StepChannel {
    fn from(c: ChannelArg) -> Self {
        match c {
            ChannelArg::Email => StepChannel::Email,
            ChannelArg::Call => StepChannel::Call,
            ChannelArg::Meeting => StepChannel::Meeting,
            ChannelArg::Other => StepChannel::Other,
        }
    }
}

fn read_json(path: &Path) -> Result<serde_json::Value> {
    let text = sodate_core::files::read_text(path, "filter")?;
    serde_json::from_str(&text).map_err(|e| {
        Error::invalid(
            "filter",
            "invalid_json",
            format!("{} is not JSON: {e}", path.display()),
        )
    })
}

/// Loads map `id`, lets `edit` change its document at stage `stage` (1-based), saves it.
fn edit_stage(
    db: &Sodate,
    id: i64,
    stage: usize,
    edit: impl FnOnce(&mut journeys::Stage),
) -> Result<journeys::JourneyMap> {
    let map = journeys::get(db, id)?;
    let mut doc = map.doc.clone();
    let count = doc.stages.len();
    let Some(s) = stage.checked_sub(1).and_then(|i| doc.stages.get_mut(i)) else {
        return Err(Error::invalid(
            "stage",
            "unknown_stage",
            format!("the map has stages 1 to {count}"),
        ));
    };
    edit(s);
    journeys::save(db, id, &map.name, map.persona.id, &doc)
}

pub(crate) fn run(db_path: &Path, json: bool, command: JourneyCommand) -> Result<()> {
    let db = crate::encryption::open(db_path)?;
    let now = Utc::now();
    match command {
        JourneyCommand::List => {
            let list = journeys::list(&db)?;
            if json {
                print_json(&list)?;
            } else {
                for m in &list {
                    println!(
                        "{:>4}  {}  ({})  {}",
                        m.id,
                        m.name,
                        m.persona_name,
                        m.stages
                            .iter()
                            .map(|s| s.name.as_str())
                            .collect::<Vec<_>>()
                            .join(" → ")
                    );
                }
            }
        }
        JourneyCommand::Create {
            name,
            persona,
            template,
            lang,
        } => {
            let existing = journeys::personas(&db)?
                .into_iter()
                .find(|p| p.name == persona);
            let persona = match existing {
                Some(p) => p,
                None => journeys::save_persona(
                    &db,
                    &Persona {
                        name: persona,
                        ..Default::default()
                    },
                )?,
            };
            let map = journeys::create(
                &db,
                &NewJourney {
                    name,
                    persona_id: persona.id,
                    template,
                    lang,
                },
            )?;
            if json {
                print_json(
                    &json!({ "id": map.id, "stages": map.doc.stages.iter().map(|s| &s.id).collect::<Vec<_>>() }),
                )?;
            } else {
                println!("journey map {} created", map.id);
            }
        }
        JourneyCommand::Bind {
            id,
            stage,
            filter,
            none,
        } => {
            let binding = match (filter, none) {
                (Some(path), false) => Some(read_json(&path)?),
                (None, true) => None,
                _ => {
                    return Err(Error::invalid(
                        "filter",
                        "missing",
                        "give a filter file or --none",
                    ))
                }
            };
            let map = edit_stage(&db, id, stage, |s| s.binding = binding)?;
            if json {
                print_json(&json!({ "issues": map.issues }))?;
            } else {
                for i in &map.issues {
                    eprintln!("warning: {}: {}", i.field, i.message);
                }
            }
        }
        JourneyCommand::Step {
            id,
            stage,
            day,
            content,
            channel,
        } => {
            let map = edit_stage(&db, id, stage, |s| {
                let n = s.steps.len() + 1;
                let mut step_id = format!("step{n}");
                let mut k = n;
                while s.steps.iter().any(|x| x.id == step_id) {
                    k += 1;
                    step_id = format!("step{k}");
                }
                s.steps.push(ScenarioStep {
                    id: step_id,
                    day_offset: day,
                    channel: channel.into(),
                    content,
                });
            })?;
            if json {
                print_json(&json!({ "steps": map.doc.stages[stage - 1].steps }))?;
            } else {
                println!("step added");
            }
        }
        JourneyCommand::Metrics { id } => {
            let m = journeys::metrics(&db, id, now)?;
            if json {
                print_json(&json!({
                    "stages": m.stages.iter().map(|s| json!({
                        "id": s.id,
                        "name": s.name,
                        "count": s.count,
                        "entered": s.entered,
                        "conversion": s.conversion,
                        "median_days": s.median_days,
                    })).collect::<Vec<_>>(),
                    "issues": m.issues,
                    "ms": m.ms,
                }))?;
            } else {
                for s in &m.stages {
                    println!(
                        "{:<12} {:>9}  {:>7}  {:>8}",
                        s.name,
                        s.count.map_or("—".into(), |c| c.to_string()),
                        s.conversion
                            .map_or("—".into(), |c| format!("{:.1}%", c * 100.0)),
                        s.median_days.map_or("—".into(), |d| format!("{d} d")),
                    );
                }
                for i in &m.issues {
                    eprintln!("warning: {}: {}", i.field, i.message);
                }
            }
        }
        JourneyCommand::Due { id, date, out } => {
            if let Some(out) = out {
                let n = journeys::due_csv(&db, id, date, &out, now)?;
                if json {
                    print_json(&json!({ "rows": n }))?;
                } else {
                    println!("{n} due rows written to {}", out.display());
                }
                return Ok(());
            }
            let list = journeys::due(&db, id, date, None, now)?;
            if json {
                print_json(
                    &list
                        .rows
                        .iter()
                        .map(|r| {
                            json!({
                                "lead": r.lead_id,
                                "name": r.name,
                                "email": r.email,
                                "stage": r.stage_name,
                                "step": r.step_number,
                                "day": r.day_offset,
                                "channel": r.channel,
                                "content": r.content,
                                "due_on": r.due_on,
                            })
                        })
                        .collect::<Vec<_>>(),
                )?;
            } else {
                println!("{} due on {}", list.total, list.date);
                for r in &list.rows {
                    println!(
                        "{:>8}  {}  {}  {}  #{} day {}  {}",
                        r.lead_id,
                        r.name,
                        r.email,
                        r.stage_name,
                        r.step_number,
                        r.day_offset,
                        r.content
                    );
                }
            }
        }
        JourneyCommand::MarkSent { id, date, stage } => {
            let sent = journeys::mark_sent(&db, id, date, stage.as_deref(), now)?;
            if json {
                print_json(&sent)?;
            } else {
                println!("{} activities recorded", sent.activities);
            }
        }
    }
    Ok(())
}
