//! `sodate stats`: the counts of the main entities and the dashboard's figures (funnel,
//! other stages, events, sources, dormancy, trend, email results) for a cohort of leads.

use std::path::Path;

use clap::Args;
use sodate_core::dashboard::{self, DashboardQuery, TrendBucket};
use sodate_core::{stats, Result};

use crate::print_json;

/// Which leads the figures count (every option narrows; none = every lead).
#[derive(Args)]
pub(crate) struct StatsArgs {
    /// Registered on or after this day (YYYY-MM-DD).
    #[arg(long)]
    from: Option<String>,
    /// Registered on or before this day (YYYY-MM-DD).
    #[arg(long)]
    to: Option<String>,
    /// Members of this saved segment.
    #[arg(long, value_name = "ID")]
    segment: Option<i64>,
    /// Met at this event (its first event, or an activity there).
    #[arg(long, value_name = "ID")]
    event: Option<i64>,
    /// Source channel code (trade_show, web_form …).
    #[arg(long)]
    source: Option<String>,
    #[arg(long)]
    owner: Option<String>,
    /// No activity for this many days counts as dormant.
    #[arg(long, default_value_t = 180)]
    dormant_days: u32,
    /// Trend by week instead of by month.
    #[arg(long)]
    weekly: bool,
}

pub(crate) fn run(db_path: &Path, json: bool, args: StatsArgs) -> Result<()> {
    let db = crate::encryption::open(db_path)?;
    let counts = stats::counts(&db)?;
    let query = DashboardQuery {
        from: args.from,
        to: args.to,
        segment: args.segment,
        event: args.event,
        source: args.source,
        owner: args.owner,
        dormant_days: Some(args.dormant_days),
        bucket: Some(if args.weekly {
            TrendBucket::Week
        } else {
            TrendBucket::Month
        }),
    };
    let d = dashboard::compute(&db, &query)?;
    if json {
        let mut out = serde_json::to_value(&counts)?;
        if let (Some(out), serde_json::Value::Object(figures)) =
            (out.as_object_mut(), serde_json::to_value(&d)?)
        {
            out.extend(figures);
        }
        return print_json(&out);
    }
    println!(
        "leads: {}\ncompanies: {}\nactivities: {}\nevents: {}",
        counts.leads, counts.companies, counts.activities, counts.events
    );
    println!("\nfunnel ({} leads counted, as of {}):", d.cohort, d.as_of);
    println!(
        "  {:<14}{:>9}{:>9}{:>12}{:>13}",
        "stage", "reached", "now", "→ next", "median days"
    );
    for s in &d.funnel {
        println!(
            "  {:<14}{:>9}{:>9}{:>12}{:>13}",
            s.stage,
            s.reached,
            s.current,
            s.conversion
                .map_or("-".into(), |c| format!("{:.1}%", c * 100.0)),
            s.median_days.map_or("-".into(), |m| format!("{m:.1}")),
        );
    }
    for s in &d.other_stages {
        println!("  {:<14}{:>9}{:>9}", s.stage, s.reached, s.current);
    }
    println!("\nby event (leads / MQL / SQL / opportunity / won):");
    for r in &d.by_event {
        println!(
            "  {} {}  {} / {} / {} / {} / {}",
            r.starts_on.as_deref().unwrap_or("----------"),
            r.name,
            r.leads,
            r.mql,
            r.sql,
            r.opportunity,
            r.won
        );
    }
    println!("\nby source (leads / MQL / SQL / opportunity / won):");
    for r in &d.by_source {
        println!(
            "  {:<14}{} / {} / {} / {} / {}",
            r.key, r.leads, r.mql, r.sql, r.opportunity, r.won
        );
    }
    println!(
        "\ndormant (no activity for {} days): {}",
        d.dormant.days, d.dormant.total
    );
    for s in d.dormant.by_stage.iter().filter(|s| s.count > 0) {
        println!("  {:<14}{:>9}", s.stage, s.count);
    }
    Ok(())
}
