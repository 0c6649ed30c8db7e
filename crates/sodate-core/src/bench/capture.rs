//! Card capture's workloads (issue 9) on an existing database: the live duplicate check as
//! the user types (a repeat of an existing lead's card, and a new person), and "save and
//! ready for the next card" — the whole capture transaction (lead, booth visit, consent,
//! capture row, products, draft removed) including the running counts it returns. It writes:
//! a bench event and the captured cards.

use std::path::Path;
use std::time::Instant;

use chrono::Utc;

use super::{row, BenchRow};
use crate::capture::{self, events, CaptureInput, NewEvent};
use crate::card_fields::CardFields;
use crate::{Result, Sodate};

/// Cards saved (and duplicate checks run) per workload.
pub const CARDS: usize = 200;

pub fn run_capture(path: &Path, progress: &mut dyn FnMut(&str)) -> Result<Vec<BenchRow>> {
    let db = Sodate::open(path)?;
    let now = Utc::now();
    let event = events::create(
        &db,
        &NewEvent {
            name: format!("bench capture {}", now.format("%Y%m%d%H%M%S")),
            ..NewEvent::default()
        },
        now,
    )?;
    progress("reading existing leads to type again");
    let existing: Vec<CardFields> = db.read(|conn| {
        let total: i64 = conn.query_row("SELECT max(id) FROM leads", [], |r| r.get(0))?;
        let step = (total / CARDS as i64).max(1);
        let mut stmt = conn.prepare(
            "SELECT l.family_name, l.given_name, l.family_reading, l.given_reading,
                    coalesce(c.name, ''), l.email, l.phone
               FROM leads l LEFT JOIN companies c ON c.id = l.company_id WHERE l.id = ?1",
        )?;
        let mut out = Vec::new();
        for i in 0..CARDS as i64 {
            if let Ok(card) = stmt.query_row([1 + i * step], |r| {
                Ok(CardFields {
                    family_name: r.get(0)?,
                    given_name: r.get(1)?,
                    family_reading: r.get(2)?,
                    given_reading: r.get(3)?,
                    company: r.get(4)?,
                    email: r.get(5)?,
                    phone: r.get(6)?,
                    ..CardFields::default()
                })
            }) {
                out.push(card);
            }
        }
        Ok(out)
    })?;
    let new_card = |i: usize| CardFields {
        family_name: "捕獲".into(),
        given_name: format!("太郎{i}"),
        family_reading: "ほかく".into(),
        given_reading: "たろう".into(),
        company: format!("ベンチ計測株式会社{}", i % 17),
        department: "営業部".into(),
        title: "部長".into(),
        email: format!("bench.capture.{i}.{}@example.jp", now.timestamp()),
        phone: "03-5555-0101".into(),
        ..CardFields::default()
    };

    progress("duplicate check: a repeat of an existing lead, as typed so far");
    let mut repeat_times = Vec::new();
    let mut found = 0;
    for card in &existing {
        // The check runs after each pause in typing: name, then company, then email.
        let steps = [
            CardFields {
                family_name: card.family_name.clone(),
                given_name: card.given_name.clone(),
                ..CardFields::default()
            },
            CardFields {
                company: card.company.clone(),
                family_name: card.family_name.clone(),
                given_name: card.given_name.clone(),
                ..CardFields::default()
            },
            card.clone(),
        ];
        for step in &steps {
            let t = Instant::now();
            let similar = capture::similar(&db, step)?;
            repeat_times.push(t.elapsed());
            if std::ptr::eq(step, &steps[2]) && !similar.is_empty() {
                found += 1;
            }
        }
    }
    progress("duplicate check: a new person");
    let mut new_times = Vec::new();
    for i in 0..CARDS {
        let t = Instant::now();
        capture::similar(&db, &new_card(i))?;
        new_times.push(t.elapsed());
    }

    progress("save and ready for the next card: new leads");
    let mut save_times = Vec::new();
    for i in 0..CARDS {
        let input = CaptureInput {
            event_id: event.id,
            card: new_card(i),
            interest: "hot".into(),
            products: vec!["クラウド会計".into(), "勤怠管理".into()],
            memo: "デモ希望".into(),
            existing_lead_id: 0,
        };
        let t = Instant::now();
        capture::save(&db, &input, Utc::now())?;
        save_times.push(t.elapsed());
    }
    progress("save and ready for the next card: visits of existing leads");
    let ids: Vec<i64> = db.read(|conn| {
        Ok(conn
            .prepare("SELECT id FROM leads ORDER BY id LIMIT ?1")?
            .query_map([CARDS as i64], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?)
    })?;
    let mut visit_times = Vec::new();
    for id in ids {
        let input = CaptureInput {
            event_id: event.id,
            interest: "warm".into(),
            existing_lead_id: id,
            ..CaptureInput::default()
        };
        let t = Instant::now();
        capture::save(&db, &input, Utc::now())?;
        visit_times.push(t.elapsed());
    }
    Ok(vec![
        row(
            &format!(
                "capture: duplicate check while typing a repeat card (name, +company, +email; {found}/{} found)",
                existing.len()
            ),
            repeat_times,
            "≤ 30 ms",
        ),
        row("capture: duplicate check of a new person's full card", new_times, "≤ 30 ms"),
        row(
            "capture: save a new card and ready for the next (lead, visit, consent, counts)",
            save_times,
            "≤ 50 ms",
        ),
        row(
            "capture: save a visit of an existing lead and ready for the next",
            visit_times,
            "≤ 50 ms",
        ),
    ])
}
