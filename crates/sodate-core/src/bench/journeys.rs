//! Journey workloads of `sodate bench --existing --journeys`: a 6-stage B2B map bound to the
//! rules a marketer would use (lifecycle stages and a typed activity condition) on an
//! existing database. It writes: a persona, the map and its stage history.

use std::time::Instant;

use chrono::Utc;
use serde_json::json;

use super::{row, BenchRow};
use crate::journeys::{self, NewJourney, Persona, ScenarioStep, StepChannel};
use crate::{Result, Sodate};

const RUNS: usize = 5;

fn step(id: &str, day: i32, content: &str) -> ScenarioStep {
    ScenarioStep {
        id: id.into(),
        day_offset: day,
        channel: StepChannel::Email,
        content: content.into(),
    }
}

pub(crate) fn run(db: &Sodate, progress: &mut dyn FnMut(&str)) -> Result<Vec<BenchRow>> {
    let persona = journeys::save_persona(
        db,
        &Persona {
            name: "ベンチマーク用ペルソナ".into(),
            ..Default::default()
        },
    )?;
    let map = journeys::create(
        db,
        &NewJourney {
            name: "B2B ベンチマーク".into(),
            persona_id: persona.id,
            template: "b2b".into(),
            lang: "ja".into(),
        },
    )?;
    let stage = |v: &[&str]| json!({"field": "lifecycle_stage", "op": "in", "value": v});
    let mut doc = map.doc.clone();
    let bindings = [
        stage(&["subscriber", "lead", "recycled"]),
        json!({"activity": {"type": "document_request", "within_days": 90}}),
        stage(&["mql"]),
        stage(&["sal", "sql"]),
        stage(&["opportunity"]),
        stage(&["won"]),
    ];
    for (s, b) in doc.stages.iter_mut().zip(bindings) {
        s.binding = Some(b);
    }
    doc.stages[1].steps = vec![
        step("a", 0, "事例紹介メール"),
        step("b", 3, "ホワイトペーパー案内"),
        step("c", 10, "セミナー招待"),
    ];
    doc.stages[2].steps = vec![step("d", 0, "導入事例集"), step("e", 7, "個別相談のご案内")];
    journeys::save(db, map.id, &map.name, persona.id, &doc)?;

    let mut rows = Vec::new();
    progress("journeys: first refresh of a 6-stage map (every lead enters a stage)");
    let t = Instant::now();
    let first = journeys::refresh(db, map.id, Utc::now())?;
    rows.push(row(
        &format!(
            "journey: first refresh of a 6-stage map ({} stage entries written, once per map)",
            first.entered
        ),
        vec![t.elapsed()],
        "—",
    ));

    progress("journeys: refresh with nothing changed");
    let times = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            journeys::refresh(db, map.id, Utc::now())?;
            Ok(t.elapsed())
        })
        .collect::<Result<Vec<_>>>()?;
    rows.push(row(
        "journey: refresh alone (6 bindings evaluated, open intervals compared; no change)",
        times,
        "—",
    ));

    progress("journeys: metrics (refresh + figures per stage)");
    let mut times = Vec::new();
    let mut counts = String::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        let m = journeys::metrics(db, map.id, Utc::now())?;
        times.push(t.elapsed());
        counts = m
            .stages
            .iter()
            .map(|s| s.count.unwrap_or(0).to_string())
            .collect::<Vec<_>>()
            .join("/");
    }
    rows.push(row(
        &format!("journey: metrics of a 6-stage map, nothing written since the last refresh (counts {counts})"),
        times,
        "≤ 1 s",
    ));

    progress("journeys: metrics right after a change (one lead moved)");
    let mut times = Vec::new();
    for i in 0..RUNS {
        // A lead moved on the board (mql ↔ sal) by this or another handle: the next figures
        // refresh the map.
        let stage = if i % 2 == 0 { "sal" } else { "mql" };
        db.write(|tx| {
            tx.execute(
                "UPDATE leads SET lifecycle_stage = ?1 WHERE id = (SELECT min(id) FROM leads WHERE lifecycle_stage IN ('mql', 'sal'))",
                [stage],
            )?;
            Ok(())
        })?;
        let t = Instant::now();
        journeys::metrics(db, map.id, Utc::now())?;
        times.push(t.elapsed());
    }
    rows.push(row(
        "journey: metrics right after a lead moved (refresh included)",
        times,
        "—",
    ));

    progress("journeys: due list");
    let mut times = Vec::new();
    let mut total = 0;
    for _ in 0..RUNS {
        let t = Instant::now();
        total = journeys::due(db, map.id, None, Some(500), Utc::now())?.total;
        times.push(t.elapsed());
    }
    rows.push(row(
        &format!("journey: due list today, nothing written since the last refresh ({total} due; first 500 rows named)"),
        times,
        "≤ 1 s",
    ));
    Ok(rows)
}
