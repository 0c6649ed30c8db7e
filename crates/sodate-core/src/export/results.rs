//! Mail results back in: a mail tool's activity, unsubscribe and bounce exports become
//! activities (sent, open, click, bounce, unsubscribe) on the leads they name; unsubscribes
//! and hard bounces become suppressions and consent records.
//!
//! Read formats (by their headers): Mailchimp (`Email Address` with `UNSUB_TIME` for the
//! unsubscribed export, `CLEAN_TIME` for the cleaned (bounced) export, or an activity export
//! with `Action`/`Timestamp`), Brevo (`Email`, `Event`/`Type`, `Date`) and a generic CSV
//! `email,event,timestamp`. Event names are read in English and Japanese (`Hard bounce`,
//! `unsubscribed`, `開封`, `配信停止` …).
//!
//! Invariants: one transaction; any bad row (not an email, an unknown event, a bad time)
//! fails the import and writes nothing unless told to skip bad rows; importing the same file
//! twice adds nothing the second time (an activity identical in lead, type, time and detail
//! is not written again); an unsubscribe for an email no lead has is still suppressed.

use std::collections::BTreeSet;
use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;

use crate::activities::{checked_time, header_key, lead_by_email_key, MAX_REPORTED_ISSUES};
use crate::scoring::{self, Cause};
use crate::{Error, FieldIssue, Result, Sodate};

use super::suppression;

/// What happened to a recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Event {
    Sent,
    Open,
    Click,
    HardBounce,
    SoftBounce,
    Unsubscribe,
}

impl Event {
    fn type_code(self) -> &'static str {
        match self {
            Event::Sent => "email_sent",
            Event::Open => "email_opened",
            Event::Click => "email_clicked",
            Event::HardBounce | Event::SoftBounce => "email_bounced",
            Event::Unsubscribe => "email_unsubscribed",
        }
    }

    fn parse(text: &str) -> Option<Event> {
        let k = header_key(text);
        Some(match k.as_str() {
            "sent" | "send" | "delivered" | "delivery" | "request" | "requests" | "送信"
            | "配信" | "配信済み" => Event::Sent,
            "open" | "opened" | "opens" | "uniqueopened" | "firstopening" | "開封" => Event::Open,
            "click" | "clicked" | "clicks" | "クリック" => Event::Click,
            "bounce" | "bounced" | "hardbounce" | "hardbounced" | "hard" | "cleaned"
            | "invalid" | "blocked" | "不達" | "エラー" | "配信エラー" => {
                Event::HardBounce
            }
            "softbounce" | "softbounced" | "soft" | "deferred" | "一時エラー" => {
                Event::SoftBounce
            }
            "unsubscribe" | "unsubscribed" | "unsub" | "optout" | "spam" | "complaint"
            | "配信停止" | "購読解除" => Event::Unsubscribe,
            _ => return None,
        })
    }
}

/// What a results import did.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ResultsReport {
    /// `mailchimp`, `brevo` or `generic`.
    pub format: String,
    pub rows: u32,
    pub activities: u32,
    /// Rows already imported before (not written again).
    pub already: u32,
    pub unsubscribes: u32,
    pub hard_bounces: u32,
    /// Emails added to (or strengthened on) the suppression list.
    pub suppressions_added: u32,
    /// Rows whose email no lead has (their unsubscribes and bounces are still suppressed).
    pub unknown_emails: u32,
    pub leads_rescored: u32,
    pub failed: u32,
    pub failures: Vec<FieldIssue>,
}

struct Columns {
    format: &'static str,
    email: usize,
    /// The event column, or the event every row is (Mailchimp's unsubscribed/cleaned exports).
    event: Result<usize, Event>,
    time: usize,
    bounce_type: Option<usize>,
    detail: Option<usize>,
}

fn find_columns(headers: &[String]) -> Result<Columns> {
    let keys: Vec<String> = headers.iter().map(|h| header_key(h)).collect();
    let find = |names: &[&str]| keys.iter().position(|k| names.contains(&k.as_str()));
    let email = find(&[
        "emailaddress",
        "email",
        "e-mail",
        "mail",
        "メールアドレス",
        "メール",
    ]);
    let unsub = find(&["unsubtime"]);
    let clean = find(&["cleantime"]);
    let event = find(&[
        "event",
        "action",
        "type",
        "activity",
        "status",
        "st_text",
        "イベント",
        "種別",
        "ステータス",
    ]);
    let time = find(&[
        "timestamp",
        "time",
        "date",
        "datetime",
        "occurredat",
        "eventtime",
        "日時",
        "日付",
    ]);
    let mailchimp = keys
        .iter()
        .any(|k| k == "emailaddress" || k == "unsubtime" || k == "cleantime");
    let brevo =
        keys.iter().any(|k| k == "event" || k == "st_text") && keys.iter().any(|k| k == "date");
    let format = if mailchimp {
        "mailchimp"
    } else if brevo {
        "brevo"
    } else {
        "generic"
    };
    let missing = |what: &str| {
        Error::invalid(
            "file",
            "missing_column",
            format!(
                "the results file has no {what} column (found: {}); expected e.g. email,event,timestamp",
                headers.join(", ")
            ),
        )
    };
    let email = email.ok_or_else(|| missing("email"))?;
    let (event, time) = match (unsub, clean) {
        (Some(t), _) => (Err(Event::Unsubscribe), t),
        (None, Some(t)) => (Err(Event::HardBounce), t),
        _ => (
            Ok(event.ok_or_else(|| missing("event"))?),
            time.ok_or_else(|| missing("timestamp"))?,
        ),
    };
    Ok(Columns {
        format,
        email,
        event,
        time,
        bounce_type: find(&["bouncetype", "bounce"]),
        detail: find(&[
            "campaign",
            "campaigntitle",
            "campaignname",
            "unsubcampaigntitle",
            "cleancampaigntitle",
            "subject",
            "件名",
            "キャンペーン",
        ]),
    })
}

/// Imports a mail tool's results file (see the module documentation).
pub fn import(
    db: &Sodate,
    path: &Path,
    skip_invalid: bool,
    now: DateTime<Utc>,
) -> Result<ResultsReport> {
    let mut reader = crate::import::open(path, &crate::import::Options::default())?;
    let columns = find_columns(reader.headers())?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // A readable results file: the database as it was before stays restorable.
    crate::backup::take(db, crate::backup::BackupReason::Import)?;
    db.write(|tx| {
        let mut report = ResultsReport {
            format: columns.format.to_string(),
            rows: 0,
            activities: 0,
            already: 0,
            unsubscribes: 0,
            hard_bounces: 0,
            suppressions_added: 0,
            unknown_emails: 0,
            leads_rescored: 0,
            failed: 0,
            failures: Vec::new(),
        };
        let mut leads: BTreeSet<i64> = BTreeSet::new();
        let mut consent_changed: BTreeSet<i64> = BTreeSet::new();
        let mut row = crate::import::SourceRow::default();
        let fail = |report: &mut ResultsReport, issue: FieldIssue, n: u64| {
            report.failed += 1;
            if report.failures.len() < MAX_REPORTED_ISSUES {
                report.failures.push(FieldIssue {
                    row: Some(n),
                    message: format!("row {n}: {}", issue.message),
                    ..issue
                });
            }
        };
        loop {
            match reader.read_row(&mut row) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) if e.is_row_error() => {
                    report.rows += 1;
                    let n = e.row().unwrap_or(0);
                    fail(&mut report, FieldIssue::new("file", e.code(), e.to_string()), n);
                    continue;
                }
                Err(e) => return Err(e.into()),
            }
            if row.cells.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            report.rows += 1;
            let n = row.number;
            let email = row.cell(columns.email).trim().to_string();
            let key = match crate::normalize::email(&email) {
                Ok(k) => k,
                Err(e) => {
                    fail(&mut report, FieldIssue::new("email", "invalid_email", format!("{email:?} is not an email address ({})", e.message)), n);
                    continue;
                }
            };
            let mut event = match columns.event {
                Err(fixed) => fixed,
                Ok(c) => match Event::parse(row.cell(c)) {
                    Some(e) => e,
                    None => {
                        fail(&mut report, FieldIssue::new("event", "unknown_event", format!("{:?} is not a mail event (sent, open, click, bounce, unsubscribe)", row.cell(c))), n);
                        continue;
                    }
                },
            };
            if event == Event::HardBounce {
                if let Some(c) = columns.bounce_type {
                    if header_key(row.cell(c)).starts_with("soft") {
                        event = Event::SoftBounce;
                    }
                }
            }
            let at = match checked_time(Some(row.cell(columns.time)).filter(|t| !t.trim().is_empty()).or(Some("?")), now) {
                Ok(at) => at,
                Err(i) => {
                    fail(&mut report, FieldIssue::new("timestamp", &i.code, i.message), n);
                    continue;
                }
            };
            let detail: String = columns.detail.map_or("", |c| row.cell(c)).trim().chars().take(crate::activities::MAX_DETAIL_CHARS).collect();
            let lead = lead_by_email_key(tx, &key)?;
            match event {
                Event::Unsubscribe => report.unsubscribes += 1,
                Event::HardBounce => report.hard_bounces += 1,
                _ => {}
            }
            let reason = match event {
                Event::Unsubscribe => Some("opted_out"),
                Event::HardBounce => Some("bounced"),
                _ => None,
            };
            if let Some(reason) = reason {
                if suppression::add_in(tx, &key, reason)? {
                    report.suppressions_added += 1;
                }
            }
            let Some(lead) = lead else {
                report.unknown_emails += 1;
                continue;
            };
            if write_activity(tx, lead, event, at, &detail)? {
                report.activities += 1;
                leads.insert(lead);
                if let Some(reason) = reason {
                    let when = crate::time::format(DateTime::from_timestamp(at, 0).unwrap_or(now));
                    let evidence = format!("{file_name} ({}) row {n}{}", columns.format, if detail.is_empty() { String::new() } else { format!(": {detail}") });
                    tx.prepare_cached(
                        "INSERT INTO consents (lead_id, channel, state, method, recorded_at, evidence) VALUES (?1, 'email', ?2, 'mail_result', ?3, ?4)",
                    )?
                    .execute(params![lead, reason, when, evidence])?;
                    consent_changed.insert(lead);
                }
            } else {
                report.already += 1;
            }
        }
        if report.failed > 0 && !skip_invalid {
            return Err(Error::Invalid { issues: report.failures.clone() });
        }
        for &lead in &consent_changed {
            crate::consent::sync_lead_in(tx, lead)?;
        }
        let ids: Vec<i64> = leads.into_iter().collect();
        scoring::recompute_leads_because(tx, &ids, now, Cause::ActivitiesImported)?;
        report.leads_rescored = ids.len() as u32;
        tx.prepare_cached(
            "INSERT INTO mail_result_imports (file_name, format, rows_total, activities, unsubscribes, hard_bounces, unknown_emails, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![file_name, report.format, report.rows, report.activities, report.unsubscribes, report.hard_bounces, report.unknown_emails, crate::time::now()])?;
        Ok(report)
    })
}

/// Writes the activity unless the same one is there already; true when written.
fn write_activity(
    tx: &Transaction,
    lead: i64,
    event: Event,
    at: i64,
    detail: &str,
) -> Result<bool> {
    let type_id: i64 = tx
        .prepare_cached("SELECT id FROM activity_types WHERE code = ?1")?
        .query_row([event.type_code()], |r| r.get(0))?;
    let detail = if event == Event::SoftBounce && detail.is_empty() {
        "soft bounce"
    } else {
        detail
    };
    let exists = tx
        .prepare_cached(
            "SELECT 1 FROM activities WHERE lead_id = ?1 AND occurred_at = ?2 AND type_id = ?3 AND detail = ?4",
        )?
        .query_row(params![lead, at, type_id, detail], |_| Ok(()))
        .optional()?
        .is_some();
    if exists {
        return Ok(false);
    }
    tx.prepare_cached(
        "INSERT INTO activities (lead_id, type_id, occurred_at, detail, source) VALUES (?1, ?2, ?3, ?4, 'mail_result')",
    )?
    .execute(params![lead, type_id, at, detail])?;
    Ok(true)
}
