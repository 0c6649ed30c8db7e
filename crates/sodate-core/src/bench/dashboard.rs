//! Dashboard workloads of `sodate bench`: the whole dashboard (funnel, other stages, events,
//! sources, dormancy, trend, email) as the app asks for it, with and without filters, the
//! first one after the database was opened (its facts read), and a drill-down page.

use std::time::{Duration, Instant};

use super::{row, BenchRow};
use crate::dashboard::{self, DashboardQuery, DrillQuery};
use crate::{Result, Sodate};

const RUNS: usize = 20;

fn timed<T>(runs: usize, mut f: impl FnMut() -> Result<T>) -> Result<(Vec<Duration>, T)> {
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        last = Some(f()?);
        times.push(t.elapsed());
    }
    last.map(|v| (times, v))
        .ok_or_else(|| crate::Error::Conflict("no runs".into()))
}

pub(crate) fn run(db: &Sodate, progress: &mut dyn FnMut(&str)) -> Result<Vec<BenchRow>> {
    let mut rows = Vec::new();
    progress("dashboard: first one after opening the database (facts read)");
    let (times, first) = timed(3, || {
        let fresh = super::open_measured(db.path())?;
        dashboard::compute(&fresh, &DashboardQuery::default())
    })?;
    rows.push(row(
        &format!(
            "dashboard, first after opening the database: facts of {} leads read, then computed",
            first.cohort
        ),
        times,
        "≤ 500 ms",
    ));

    progress("dashboard: whole dashboard");
    dashboard::warm(db)?;
    let (times, _) = timed(RUNS, || dashboard::compute(db, &DashboardQuery::default()))?;
    rows.push(row(
        "dashboard, whole (funnel, stages, events, sources, dormant, 12-month trend, email)",
        times,
        "≤ 500 ms",
    ));

    let busiest = first
        .by_event
        .iter()
        .max_by_key(|r| r.leads)
        .and_then(|r| r.key.parse::<i64>().ok());
    if let Some(event) = busiest {
        progress("dashboard: filtered by an event");
        let q = DashboardQuery {
            event: Some(event),
            ..Default::default()
        };
        let (times, d) = timed(RUNS, || dashboard::compute(db, &q))?;
        rows.push(row(
            &format!("dashboard, filtered by one event ({} leads)", d.cohort),
            times,
            "≤ 500 ms",
        ));
        progress("dashboard: drill-down page");
        let drill = DrillQuery {
            dashboard: DashboardQuery::default(),
            stage: Some("mql".into()),
            event: Some(event),
            limit: 100,
            ..Default::default()
        };
        let (times, page) = timed(RUNS, || dashboard::drill(db, &drill))?;
        rows.push(row(
            &format!(
                "dashboard drill-down: the MQLs of that event, first 100 of {}",
                page.total
            ),
            times,
            "—",
        ));
    }

    progress("dashboard: period, source and weekly trend");
    let q = DashboardQuery {
        from: Some("2025-01-01".into()),
        source: Some("trade_show".into()),
        bucket: Some(dashboard::TrendBucket::Week),
        ..Default::default()
    };
    let (times, d) = timed(RUNS, || dashboard::compute(db, &q))?;
    rows.push(row(
        &format!(
            "dashboard, registered since 2025-01-01 from trade shows, weekly trend ({} leads)",
            d.cohort
        ),
        times,
        "≤ 500 ms",
    ));
    Ok(rows)
}
