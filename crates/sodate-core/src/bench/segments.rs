//! Segment workloads of `sodate bench`: live counts of the filters a marketer builds, each
//! next to the hand-written SQL for the same question, run alternately in the same process
//! (so both see the same cache and the same machine load).

use std::time::{Duration, Instant};

use chrono::Utc;
use serde_json::json;

use super::{row, BenchRow};
use crate::segments::{self, SegmentFilter};
use crate::{Result, Sodate};

/// Runs of each measured query.
const RUNS: usize = 20;

/// The example: IT companies, 部長 or 取締役, attended a seminar in the last 90 days,
/// not opted out.
pub(crate) fn nested_filter() -> serde_json::Value {
    json!({"all": [
        {"field": "company.industry", "op": "eq", "value": "IT・通信"},
        {"any": [
            {"field": "title", "op": "contains", "value": "部長"},
            {"field": "title", "op": "contains", "value": "取締役"}
        ]},
        {"activity": {"type": "seminar_attended", "min_count": 1, "within_days": 90}},
        {"field": "consent_state", "op": "ne", "value": "opted_out"}
    ]})
}

struct Workload {
    label: &'static str,
    target: &'static str,
    filter: serde_json::Value,
    /// The same question written by hand; `?1` is "90 / 180 days ago" in Unix seconds.
    sql: &'static str,
    days: i64,
    runs: usize,
}

fn workloads() -> Vec<Workload> {
    vec![
        Workload {
            label: "nested: industry IT AND (title 部長 OR 取締役) AND seminar attended ≤ 90 days AND not opted out",
            target: "p95 ≤ 100 ms",
            filter: nested_filter(),
            // Written the way that uses the index: a correlated EXISTS (… WHERE a.lead_id =
            // l.id AND a.type_id = … AND a.occurred_at >= …) lets SQLite pick the type index
            // per lead and took 378 s here.
            sql: "SELECT count(*) FROM leads l JOIN companies c ON c.id = l.company_id
                  WHERE c.industry = 'IT・通信'
                    AND (instr(l.title, '部長') > 0 OR instr(l.title, '取締役') > 0)
                    AND l.consent_state <> 'opted_out'
                    AND l.id IN (SELECT a.lead_id FROM activities a
                                 WHERE a.occurred_at >= ?1
                                   AND a.type_id = (SELECT id FROM activity_types WHERE code = 'seminar_attended'))",
            days: 90,
            runs: RUNS,
        },
        Workload {
            label: "simple field: lifecycle stage = mql",
            target: "p95 ≤ 30 ms",
            filter: json!({"field": "lifecycle_stage", "op": "eq", "value": "mql"}),
            sql: "SELECT count(*) FROM leads WHERE lifecycle_stage = 'mql' AND ?1 IS NOT NULL",
            days: 0,
            runs: RUNS,
        },
        Workload {
            label: "simple field: company industry = IT・通信",
            target: "p95 ≤ 30 ms",
            filter: json!({"field": "company.industry", "op": "eq", "value": "IT・通信"}),
            sql: "SELECT count(*) FROM leads l JOIN companies c ON c.id = l.company_id
                  WHERE c.industry = 'IT・通信' AND ?1 IS NOT NULL",
            days: 0,
            runs: RUNS,
        },
        Workload {
            label: "simple field: engagement score ≥ 60",
            target: "p95 ≤ 30 ms",
            filter: json!({"field": "engagement_score", "op": "gte", "value": 60}),
            sql: "SELECT count(*) FROM lead_scores WHERE engagement_score >= 60 AND ?1 IS NOT NULL",
            days: 0,
            runs: RUNS,
        },
        Workload {
            label: "dormant: no activity of any kind for 180 days",
            target: "—",
            filter: json!({"activity": {"within_days": 180, "max_count": 0}}),
            sql: "SELECT count(*) FROM leads l
                  WHERE NOT EXISTS (SELECT 1 FROM activities a WHERE a.lead_id = l.id AND a.occurred_at >= ?1)",
            days: 180,
            // Seconds per run: a few runs say enough.
            runs: 5,
        },
    ]
}

/// Measures each workload: the segment count and the hand-written SQL, alternately.
pub(crate) fn run(db: &Sodate, progress: &mut dyn FnMut(&str)) -> Result<Vec<BenchRow>> {
    let mut rows = Vec::new();

    progress("segment count: the first after a change (snapshot built)");
    // A fresh handle holds no snapshot, as after any write: its first count builds it.
    let nested = SegmentFilter::parse(&nested_filter())?;
    let (mut cold, mut bytes) = (Vec::new(), 0);
    for _ in 0..3 {
        let fresh = super::open_measured(db.path())?;
        let t = Instant::now();
        segments::count(&fresh, &nested)?;
        cold.push(t.elapsed());
        bytes = segments::snapshot_bytes(&fresh).unwrap_or(0);
    }
    rows.push(row(
        &format!(
            "segment count, nested, first after a change (snapshot built: {:.0} MB held)",
            bytes as f64 / 1e6
        ),
        cold,
        "—",
    ));
    // The measured handle builds its snapshot before the runs.
    segments::count(db, &nested)?;

    for w in workloads() {
        progress(&format!("segment count: {}", w.label));
        let filter = SegmentFilter::parse(&w.filter)?;
        let since = Utc::now().timestamp() - w.days * 86_400;
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        let (mut ours_count, mut theirs_count) = (0u32, 0u32);
        for _ in 0..w.runs {
            let t = Instant::now();
            ours_count = segments::count(db, &filter)?.count;
            ours.push(t.elapsed());
            let t = Instant::now();
            theirs_count = db.read(|conn| {
                Ok(conn
                    .prepare_cached(w.sql)?
                    .query_row([since], |r| r.get(0))?)
            })?;
            theirs.push(t.elapsed());
        }
        let ratio = p95(&ours) / p95(&theirs).max(1e-9);
        rows.push(row(
            &format!(
                "segment count, {} ({ours_count} leads; {ratio:.2}× the hand-written SQL)",
                w.label
            ),
            ours,
            w.target,
        ));
        rows.push(row(
            &format!("  same question, hand-written SQL ({theirs_count} leads)"),
            theirs,
            "—",
        ));
    }

    progress("segment members: first page of the nested filter");
    let filter = SegmentFilter::parse(&nested_filter())?;
    let times = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            segments::members(db, &filter, 0, 100)?;
            Ok(t.elapsed())
        })
        .collect::<Result<Vec<Duration>>>()?;
    rows.push(row(
        "segment members: first page (100 rows + total) of the nested filter",
        times,
        "—",
    ));
    Ok(rows)
}

fn p95(times: &[Duration]) -> f64 {
    let mut sorted = times.to_vec();
    sorted.sort();
    super::percentile(&sorted, 0.95)
}
