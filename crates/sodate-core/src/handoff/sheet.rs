//! The handoff sheet: what sales needs about a lead — contact details, company, the score in
//! a sentence, recent activities, BANT/CHAMP and notes — for one lead or a whole column, as
//! data (the UI prints it) or CSV (UTF-8 with BOM, so Excel opens Japanese text; cells that a
//! spreadsheet would run as a formula are prefixed with `'`).

use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

use super::{qualification_in, Qualification};
use crate::{Error, Result, Sodate};

/// The most leads one sheet holds (a column is cut there).
pub const MAX_SHEET_LEADS: usize = 2000;
const RECENT_ACTIVITIES: u32 = 5;
const SCORE_LINES: usize = 3;

/// One recent activity on a sheet.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SheetActivity {
    pub kind: String,
    pub kind_label: String,
    pub occurred_at: String,
    pub detail: String,
}

/// One lead's handoff sheet.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct HandoffSheet {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub id: i64,
    pub family_name: String,
    pub given_name: String,
    pub family_reading: String,
    pub given_reading: String,
    pub company_name: Option<String>,
    pub department: String,
    pub title: String,
    pub email: String,
    pub phone: String,
    pub mobile: String,
    pub address: String,
    pub stage: String,
    pub owner: String,
    pub grade: String,
    pub engagement: f64,
    pub fit: f64,
    /// The largest contributions to the scores, e.g. `セミナー参加 ×2: +20`.
    pub score_summary: Vec<String>,
    pub activities: Vec<SheetActivity>,
    pub qualification: Qualification,
    pub notes: String,
}

/// The sheets of `lead_ids` (in that order). An id that is not a lead refuses the call.
pub fn handoff_sheets(
    db: &Sodate,
    lead_ids: &[i64],
    now: DateTime<Utc>,
) -> Result<Vec<HandoffSheet>> {
    if lead_ids.len() > MAX_SHEET_LEADS {
        return Err(Error::invalid(
            "leads",
            "too_many",
            format!("a handoff sheet holds at most {MAX_SHEET_LEADS} leads"),
        ));
    }
    let mut out = Vec::with_capacity(lead_ids.len());
    for &id in lead_ids {
        let explanation = crate::scoring::explain(db, id, now).ok();
        out.push(db.read(|conn| sheet_in(conn, id, explanation.as_ref()))?);
    }
    Ok(out)
}

fn sheet_in(
    conn: &Connection,
    id: i64,
    explanation: Option<&crate::scoring::Explanation>,
) -> Result<HandoffSheet> {
    let sheet = conn
        .prepare_cached(
            "SELECT l.family_name, l.given_name, l.family_reading, l.given_reading, c.name,
                    l.department, l.title, l.email, l.phone, l.mobile,
                    trim(l.prefecture || ' ' || l.address), l.lifecycle_stage, l.owner, s.grade,
                    s.engagement_score, s.fit_score, l.notes
             FROM leads l JOIN lead_scores s ON s.id = l.id
             LEFT JOIN companies c ON c.id = l.company_id WHERE l.id = ?1",
        )?
        .query_row([id], |r| {
            Ok(HandoffSheet {
                id,
                family_name: r.get(0)?,
                given_name: r.get(1)?,
                family_reading: r.get(2)?,
                given_reading: r.get(3)?,
                company_name: r.get(4)?,
                department: r.get(5)?,
                title: r.get(6)?,
                email: r.get(7)?,
                phone: r.get(8)?,
                mobile: r.get(9)?,
                address: r.get(10)?,
                stage: r.get(11)?,
                owner: r.get(12)?,
                grade: r.get(13)?,
                engagement: r.get(14)?,
                fit: r.get(15)?,
                score_summary: Vec::new(),
                activities: Vec::new(),
                qualification: Qualification::default(),
                notes: r.get(16)?,
            })
        })
        .optional()?
        .ok_or(Error::NotFound { entity: "lead", id })?;
    let mut sheet = sheet;
    if let Some(e) = explanation {
        let mut lines: Vec<_> = e.lines.iter().filter(|l| l.points != 0.0).collect();
        lines.sort_by(|a, b| b.points.abs().total_cmp(&a.points.abs()));
        sheet.score_summary = lines
            .iter()
            .take(SCORE_LINES)
            .map(|l| {
                let count = if l.count > 1 {
                    format!(" ×{}", l.count)
                } else {
                    String::new()
                };
                format!("{}{count}: {:+}", l.rule, l.points)
            })
            .collect();
    }
    let (_, activities) = crate::activities::page_in(conn, id, 0, RECENT_ACTIVITIES)?;
    sheet.activities = activities
        .into_iter()
        .map(|a| SheetActivity {
            kind: a.kind,
            kind_label: a.kind_label,
            occurred_at: a.occurred_at,
            detail: a.detail,
        })
        .collect();
    sheet.qualification = qualification_in(conn, id)?;
    Ok(sheet)
}

/// A cell as CSV: quoted when needed, and a leading `= + - @` (or tab / CR) neutralised.
fn cell(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

const HEADER: &[&str] = &[
    "ID",
    "氏名",
    "よみ",
    "会社名",
    "部署",
    "役職",
    "メール",
    "電話",
    "携帯",
    "住所",
    "ステージ",
    "担当者",
    "グレード",
    "行動スコア",
    "属性スコア",
    "スコアの内訳",
    "最近の活動",
    "予算 (Budget)",
    "決裁権 (Authority)",
    "ニーズ (Need)",
    "導入時期 (Timeline)",
    "課題 (Challenges)",
    "決裁者 (Authority)",
    "予算 (Money)",
    "優先度 (Prioritisation)",
    "メモ",
];

/// The sheets as CSV text (UTF-8 with BOM, CRLF line ends).
pub fn handoff_csv(sheets: &[HandoffSheet]) -> String {
    let mut out = String::from("\u{feff}");
    out.push_str(&HEADER.iter().map(|h| cell(h)).collect::<Vec<_>>().join(","));
    out.push_str("\r\n");
    for s in sheets {
        let q = &s.qualification;
        let activities = s
            .activities
            .iter()
            .map(|a| {
                let day = a.occurred_at.get(..10).unwrap_or(&a.occurred_at);
                if a.detail.is_empty() {
                    format!("{day} {}", a.kind_label)
                } else {
                    format!("{day} {} ({})", a.kind_label, a.detail)
                }
            })
            .collect::<Vec<_>>()
            .join(" / ");
        let row = [
            s.id.to_string(),
            format!("{} {}", s.family_name, s.given_name)
                .trim()
                .to_string(),
            format!("{} {}", s.family_reading, s.given_reading)
                .trim()
                .to_string(),
            s.company_name.clone().unwrap_or_default(),
            s.department.clone(),
            s.title.clone(),
            s.email.clone(),
            s.phone.clone(),
            s.mobile.clone(),
            s.address.clone(),
            s.stage.clone(),
            s.owner.clone(),
            s.grade.clone(),
            s.engagement.to_string(),
            s.fit.to_string(),
            s.score_summary.join(" / "),
            activities,
            q.budget.clone(),
            q.authority.clone(),
            q.need.clone(),
            q.timeline.clone(),
            q.challenges.clone(),
            q.champ_authority.clone(),
            q.money.clone(),
            q.prioritisation.clone(),
            s.notes.clone(),
        ];
        out.push_str(&row.iter().map(|c| cell(c)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

/// Writes the sheets of `lead_ids` as CSV to `path`; the number of leads written.
pub fn write_handoff_csv(
    db: &Sodate,
    lead_ids: &[i64],
    path: &Path,
    now: DateTime<Utc>,
) -> Result<u32> {
    let sheets = handoff_sheets(db, lead_ids, now)?;
    std::fs::write(path, handoff_csv(&sheets)).map_err(|e| Error::FileWrite {
        path: path.to_path_buf(),
        detail: e.to_string(),
    })?;
    Ok(sheets.len() as u32)
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn cells_are_quoted_and_formulas_neutralised() {
        assert_eq!(cell("田中"), "田中");
        assert_eq!(cell("=1+1"), "'=1+1");
        assert_eq!(cell("-5"), "'-5");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("@SUM(A1),x"), "\"'@SUM(A1),x\"");
    }
}
