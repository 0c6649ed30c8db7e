//! `sodate qr IMAGE` and `sodate events`: a badge or card QR code read from a photo, and the
//! events with how many cards were captured at each.

use std::path::Path;

use chrono::Utc;
use sodate_core::capture::{events, qr};
use sodate_core::{Error, Result, Sodate};

use crate::print_json;

/// The labels of the card fields, in the order a Japanese card reads.
const FIELD_LABELS: &[(&str, &str)] = &[
    ("company", "会社名"),
    ("companyReading", "会社名よみ"),
    ("department", "部署"),
    ("title", "役職"),
    ("familyName", "姓"),
    ("givenName", "名"),
    ("familyReading", "セイ"),
    ("givenReading", "メイ"),
    ("email", "メール"),
    ("phone", "電話"),
    ("mobile", "携帯"),
    ("fax", "FAX"),
    ("postalCode", "郵便番号"),
    ("address", "住所"),
    ("url", "URL"),
    ("note", "メモ"),
];

pub(crate) fn qr(image: &Path, json: bool) -> Result<()> {
    let bytes = std::fs::read(image).map_err(|e| {
        Error::invalid(
            "image",
            "unreadable_file",
            format!("{} cannot be read: {e}", image.display()),
        )
    })?;
    let reading = qr::read_image(&bytes)?;
    if json {
        return print_json(&reading);
    }
    println!("{} ({})", reading.kind, reading.encoding);
    let fields = serde_json::to_value(&reading.fields)?;
    for (key, label) in FIELD_LABELS {
        if let Some(value) = fields[*key].as_str().filter(|v| !v.is_empty()) {
            println!("{label}\t{value}");
        }
    }
    Ok(())
}

pub(crate) fn events(db_path: &Path, json: bool) -> Result<()> {
    let db = Sodate::open(db_path)?;
    let list = events::list(&db, Utc::now())?;
    if json {
        return print_json(&list);
    }
    if list.is_empty() {
        println!("no events yet");
        return Ok(());
    }
    println!(
        "{:>5}  {:<10}  {:>6}  {:>6}  {:>6}  name (place)",
        "id", "starts", "leads", "cards", "today"
    );
    for e in &list {
        let place = if e.place.is_empty() {
            String::new()
        } else {
            format!(" ({})", e.place)
        };
        println!(
            "{:>5}  {:<10}  {:>6}  {:>6}  {:>6}  {}{place}",
            e.id,
            e.starts_on.as_deref().unwrap_or("-"),
            e.captured_leads,
            e.captured_cards,
            e.captured_today,
            e.name
        );
    }
    Ok(())
}
