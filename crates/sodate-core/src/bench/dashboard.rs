//! Dashboard workloads of `sodate bench`: the whole dashboard (funnel, other stages, events,
//! sources, dormancy, trend, email) as the app asks for it, with and without filters, the
//! first one after the database was opened (its facts read), the reading ahead the app does
//! after start, the next one after a change (the changed leads read again), and a drill-down
//! page. It writes: email results are added to a few leads (and to 1,000 in one run).

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

    progress("dashboard: facts read ahead on a connection of their own (the app, after start)");
    let (times, _) = timed(3, || dashboard::prefetch(db.file()))?;
    rows.push(row(
        "dashboard facts read ahead on the app's background connection, one core (not waited for)",
        times,
        "—",
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

    progress("dashboard: the next one after an email result came in");
    let max_id: i64 =
        db.read(|c| Ok(c.query_row("SELECT max(id) FROM leads", [], |r| r.get(0))?))?;
    let mut next_lead = 0_i64;
    let mut one_lead = || {
        next_lead += 1;
        // Spread over the whole id range: leads of every age and stage.
        (next_lead * 7_919) % max_id + 1
    };
    let opened = |lead_ids: &[i64]| -> Result<u32> {
        crate::activities::add_to_leads(
            db,
            lead_ids,
            &crate::activities::ActivityInput {
                lead_id: 0,
                activity_type: "email_opened".into(),
                occurred_at: None,
                detail: "bench".into(),
                event_id: None,
            },
            chrono::Utc::now(),
        )
    };
    let mut times = Vec::new();
    for _ in 0..RUNS {
        opened(&[one_lead()])?;
        let t = Instant::now();
        let read = dashboard::warm(db)?;
        dashboard::compute(db, &DashboardQuery::default())?;
        times.push(t.elapsed());
        if read != dashboard::FactsRead::Refreshed(1) {
            return Err(crate::Error::Conflict(format!(
                "expected one lead read again, got {read:?}"
            )));
        }
    }
    rows.push(row(
        "dashboard, whole, right after an email result was added to one lead (that lead read again)",
        times,
        "≤ 500 ms",
    ));
    let mut times = Vec::new();
    for _ in 0..3 {
        let batch: Vec<i64> = (0..1_000).map(|_| one_lead()).collect();
        opened(&batch)?;
        let t = Instant::now();
        dashboard::compute(db, &DashboardQuery::default())?;
        times.push(t.elapsed());
    }
    rows.push(row(
        "dashboard, whole, right after email results for 1,000 leads (those leads read again)",
        times,
        "≤ 500 ms",
    ));

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
