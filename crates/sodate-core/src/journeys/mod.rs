//! Journey maps: per persona, the stages a customer goes through (認知 → 興味 → … → 継続),
//! lanes of what they do, think and feel, touchpoints, content and KPIs — and, unlike a
//! poster, each stage bound to live data.
//!
//! A map's editable content is one document ([`JourneyDoc`]) saved whole: the editor keeps
//! its own undo history and sends the document. A stage's binding is a segment filter in the
//! model of [`crate::segments`] (`{"segment": 7}` binds a saved segment; any other filter is
//! an inline rule), so there is one filter language.
//!
//! Live data ([`live`]): a lead is in the **furthest** stage whose binding it matches. Each
//! refresh records entries into and exits from stages as intervals
//! (`journey_stage_members`), so counts, conversion and median time in stage come from that
//! history. Nurture scenario steps are due relative to when a lead entered its stage.
//!
//! Invariants: a saved document always parses, its ids are unique, emotions are −2..+2 and
//! step offsets 0 or more. Problems that can arise after saving (a bound segment deleted)
//! are reported as issues when the map is opened, never as a failure to open it.

mod doc;
mod live;
pub(crate) use live::RefreshCache;
#[cfg(test)]
mod tests;

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

pub use doc::{
    template_doc, templates, JourneyDoc, Lane, LaneKind, ScenarioStep, Stage, StepChannel,
    Template, MAX_LANES, MAX_OFFSET_DAYS, MAX_STAGES, MAX_STEPS,
};
pub use live::{
    due, due_csv, due_lead_ids, last_figures, mark_sent, metrics, parse_day, refresh, today,
    DueList, DueRow, JourneyFigures, JourneyMetrics, RefreshReport, SentReport, StageMetrics,
};

use crate::leads::audit_in;
use crate::time::now;
use crate::{Error, FieldIssue, Result, Sodate};

/// The longest persona field, in characters.
pub const MAX_PERSONA_TEXT: usize = 2_000;

/// Who a map is drawn for.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", default)]
pub struct Persona {
    /// 0 for a new persona.
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub id: i64,
    pub name: String,
    pub role: String,
    pub company_profile: String,
    pub demographics: String,
    pub psychographics: String,
    pub challenges: String,
    pub goals: String,
    pub information_sources: String,
    /// An icon name or emoji the UI shows beside the name.
    pub icon: String,
}

/// A map in the list.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct JourneySummary {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub id: i64,
    pub name: String,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub persona_id: i64,
    pub persona_name: String,
    pub template: String,
    pub stages: Vec<StageName>,
    pub updated_at: String,
}

/// A stage of a map as lists and pickers show it (a segment's journey condition names the
/// stage by its id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct StageName {
    pub id: String,
    pub name: String,
}

/// A map opened in the editor, with what is wrong with its bindings.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct JourneyMap {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub id: i64,
    pub name: String,
    pub persona: Persona,
    pub template: String,
    pub doc: JourneyDoc,
    /// Problems of the bindings found now (a deleted segment …), each at its path
    /// (`stages[2].binding.segment`); the map opens anyway.
    pub issues: Vec<FieldIssue>,
    pub updated_at: String,
}

/// A new map: for a persona, from a template (`b2b`, `aidma`, `aisas`, `decax`, `blank`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", default)]
pub struct NewJourney {
    pub name: String,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub persona_id: i64,
    pub template: String,
    /// The language of the template's stage names (`ja` or `en`).
    pub lang: String,
}

fn clean(field: &str, text: &str, required: bool, issues: &mut Vec<FieldIssue>) -> String {
    let t: String = text
        .trim()
        .chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .collect();
    if required && t.is_empty() {
        issues.push(FieldIssue::new(
            field,
            "required",
            format!("{field} is required"),
        ));
    }
    if t.chars().count() > MAX_PERSONA_TEXT {
        issues.push(FieldIssue::new(
            field,
            "too_long",
            format!("{field} has at most {MAX_PERSONA_TEXT} characters"),
        ));
    }
    t
}

/// Every persona, by name.
pub fn personas(db: &Sodate) -> Result<Vec<Persona>> {
    db.read(|conn| {
        Ok(conn
            .prepare_cached(
                "SELECT id, name, role, company_profile, demographics, psychographics, challenges,
                        goals, information_sources, icon
                 FROM personas ORDER BY name, id",
            )?
            .query_map([], persona_row)?
            .collect::<rusqlite::Result<_>>()?)
    })
}

fn persona_row(r: &rusqlite::Row) -> rusqlite::Result<Persona> {
    Ok(Persona {
        id: r.get(0)?,
        name: r.get(1)?,
        role: r.get(2)?,
        company_profile: r.get(3)?,
        demographics: r.get(4)?,
        psychographics: r.get(5)?,
        challenges: r.get(6)?,
        goals: r.get(7)?,
        information_sources: r.get(8)?,
        icon: r.get(9)?,
    })
}

fn persona_in(conn: &Connection, id: i64) -> Result<Persona> {
    conn.prepare_cached(
        "SELECT id, name, role, company_profile, demographics, psychographics, challenges,
                goals, information_sources, icon
         FROM personas WHERE id = ?1",
    )?
    .query_row([id], persona_row)
    .optional()?
    .ok_or(Error::NotFound {
        entity: "persona",
        id,
    })
}

/// Creates (`id` 0) or updates a persona; the saved persona. A name is required.
pub fn save_persona(db: &Sodate, p: &Persona) -> Result<Persona> {
    let mut issues = Vec::new();
    let v = Persona {
        id: p.id,
        name: clean("name", &p.name, true, &mut issues),
        role: clean("role", &p.role, false, &mut issues),
        company_profile: clean("companyProfile", &p.company_profile, false, &mut issues),
        demographics: clean("demographics", &p.demographics, false, &mut issues),
        psychographics: clean("psychographics", &p.psychographics, false, &mut issues),
        challenges: clean("challenges", &p.challenges, false, &mut issues),
        goals: clean("goals", &p.goals, false, &mut issues),
        information_sources: clean(
            "informationSources",
            &p.information_sources,
            false,
            &mut issues,
        ),
        icon: clean("icon", &p.icon, false, &mut issues),
    };
    if !issues.is_empty() {
        return Err(Error::Invalid { issues });
    }
    db.write(|tx| {
        let at = now();
        let id = if v.id == 0 {
            tx.execute(
                "INSERT INTO personas (name, role, company_profile, demographics, psychographics,
                    challenges, goals, information_sources, icon, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
                params![
                    v.name,
                    v.role,
                    v.company_profile,
                    v.demographics,
                    v.psychographics,
                    v.challenges,
                    v.goals,
                    v.information_sources,
                    v.icon,
                    at
                ],
            )?;
            tx.last_insert_rowid()
        } else {
            persona_in(tx, v.id)?;
            tx.execute(
                "UPDATE personas SET name = ?2, role = ?3, company_profile = ?4, demographics = ?5,
                    psychographics = ?6, challenges = ?7, goals = ?8, information_sources = ?9,
                    icon = ?10, updated_at = ?11
                 WHERE id = ?1",
                params![
                    v.id,
                    v.name,
                    v.role,
                    v.company_profile,
                    v.demographics,
                    v.psychographics,
                    v.challenges,
                    v.goals,
                    v.information_sources,
                    v.icon,
                    at
                ],
            )?;
            v.id
        };
        audit_in(
            tx,
            "persona.save",
            "persona",
            Some(id),
            &serde_json::json!({}),
        )?;
        persona_in(tx, id)
    })
}

/// Deletes a persona; refused while maps are drawn for it.
pub fn delete_persona(db: &Sodate, id: i64) -> Result<()> {
    db.write(|tx| {
        persona_in(tx, id)?;
        let maps: Vec<String> = tx
            .prepare_cached("SELECT name FROM journey_maps WHERE persona_id = ?1 ORDER BY id")?
            .query_map([id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        if !maps.is_empty() {
            return Err(Error::Conflict(format!(
                "the persona is used by the journey maps {}; delete them first",
                maps.join(", ")
            )));
        }
        tx.execute("DELETE FROM personas WHERE id = ?1", [id])?;
        audit_in(
            tx,
            "persona.delete",
            "persona",
            Some(id),
            &serde_json::json!({}),
        )
    })
}

/// Every map, last edited first.
pub fn list(db: &Sodate) -> Result<Vec<JourneySummary>> {
    db.read(|conn| {
        let rows = conn
            .prepare_cached(
                "SELECT m.id, m.name, m.persona_id, p.name, m.template, m.doc, m.updated_at
                 FROM journey_maps m JOIN personas p ON p.id = m.persona_id
                 ORDER BY m.updated_at DESC, m.id DESC",
            )?
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(
                |(id, name, persona_id, persona_name, template, doc, updated_at)| {
                    let doc = JourneyDoc::from_stored(&doc)?;
                    Ok(JourneySummary {
                        id,
                        name,
                        persona_id,
                        persona_name,
                        template,
                        stages: doc
                            .stages
                            .into_iter()
                            .map(|s| StageName {
                                id: s.id,
                                name: s.name,
                            })
                            .collect(),
                        updated_at,
                    })
                },
            )
            .collect()
    })
}

fn clean_map_name(name: &str) -> Result<String> {
    let mut issues = Vec::new();
    let name = clean("name", name, true, &mut issues);
    if name.chars().count() > 200 {
        issues.push(FieldIssue::new(
            "name",
            "too_long",
            "a map name has at most 200 characters",
        ));
    }
    if issues.is_empty() {
        Ok(name)
    } else {
        Err(Error::Invalid { issues })
    }
}

/// Creates a map for a persona from a template; the opened map.
pub fn create(db: &Sodate, new: &NewJourney) -> Result<JourneyMap> {
    let name = clean_map_name(&new.name)?;
    let template = if new.template.is_empty() {
        "b2b"
    } else {
        new.template.as_str()
    };
    let doc = template_doc(template, &new.lang)?;
    let id = db.write(|tx| {
        persona_in(tx, new.persona_id)?;
        let at = now();
        tx.execute(
            "INSERT INTO journey_maps (persona_id, name, template, doc, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            params![
                new.persona_id,
                name,
                template,
                serde_json::to_string(&doc)?,
                at
            ],
        )?;
        let id = tx.last_insert_rowid();
        audit_in(
            tx,
            "journey.create",
            "journey",
            Some(id),
            &serde_json::json!({ "template": template }),
        )?;
        Ok(id)
    })?;
    get(db, id)
}

/// The stored map (document parsed) without binding checks.
pub(crate) struct StoredMap {
    pub id: i64,
    pub name: String,
    pub persona_id: i64,
    pub template: String,
    pub doc: JourneyDoc,
    pub updated_at: String,
}

pub(crate) fn stored_in(conn: &Connection, id: i64) -> Result<StoredMap> {
    let row = conn
        .prepare_cached(
            "SELECT name, persona_id, template, doc, updated_at FROM journey_maps WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })
        .optional()?
        .ok_or(Error::NotFound {
            entity: "journey map",
            id,
        })?;
    Ok(StoredMap {
        id,
        name: row.0,
        persona_id: row.1,
        template: row.2,
        doc: JourneyDoc::from_stored(&row.3)?,
        updated_at: row.4,
    })
}

/// Opens a map: its document, its persona, and the problems of its bindings.
pub fn get(db: &Sodate, id: i64) -> Result<JourneyMap> {
    let stored = db.read(|conn| stored_in(conn, id))?;
    let persona = db.read(|conn| persona_in(conn, stored.persona_id))?;
    let issues = live::binding_issues(db, &stored.doc)?
        .into_iter()
        .flat_map(|b| b.issues)
        .collect();
    Ok(JourneyMap {
        id: stored.id,
        name: stored.name,
        persona,
        template: stored.template,
        doc: stored.doc,
        issues,
        updated_at: stored.updated_at,
    })
}

/// Saves a map's name, persona and document. A document that breaks the invariants (negative
/// offsets, emotions outside −2..+2, a binding that is not a filter, duplicate ids) saves
/// nothing; the error names each problem by its path. Bindings to segments that do not exist
/// are saved and reported by [`get`], so a map whose segment was deleted can still be edited.
pub fn save(
    db: &Sodate,
    id: i64,
    name: &str,
    persona_id: i64,
    doc: &JourneyDoc,
) -> Result<JourneyMap> {
    let name = clean_map_name(name)?;
    doc.validate()?;
    db.write(|tx| {
        stored_in(tx, id)?;
        persona_in(tx, persona_id)?;
        tx.execute(
            "UPDATE journey_maps SET name = ?2, persona_id = ?3, doc = ?4, updated_at = ?5
             WHERE id = ?1",
            params![id, name, persona_id, serde_json::to_string(doc)?, now()],
        )?;
        audit_in(
            tx,
            "journey.save",
            "journey",
            Some(id),
            &serde_json::json!({}),
        )
    })?;
    get(db, id)
}

/// The maps (id, name) with a stage bound to segment `id`, directly or through its filter
/// (a segment in use by a map cannot be deleted: `segments::delete`).
pub(crate) fn maps_using_segment_in(
    conn: &rusqlite::Connection,
    id: i64,
) -> Result<Vec<(i64, String)>> {
    let maps = conn
        .prepare_cached("SELECT id, name, doc FROM journey_maps ORDER BY id")?
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(maps
        .into_iter()
        .filter(|(_, _, doc)| {
            let doc: serde_json::Value = serde_json::from_str(doc).unwrap_or_default();
            doc["stages"].as_array().is_some_and(|stages| {
                stages.iter().any(|stage| {
                    crate::segments::parse(&stage["binding"])
                        .is_ok_and(|f| f.referenced_segments().contains(&id))
                })
            })
        })
        .map(|(id, name, _)| (id, name))
        .collect())
}

/// Deletes a map and its history. Refused (`conflict`, nothing deleted) while a segment reads the map's stages; the message
/// names the segments.
pub fn delete(db: &Sodate, id: i64) -> Result<()> {
    db.write(|tx| {
        let map = stored_in(tx, id)?;
        let users = crate::segments::segments_using_journey_in(tx, id)?;
        if !users.is_empty() {
            let names: Vec<String> = users
                .into_iter()
                .map(|(i, n)| format!("segment {i} 「{n}」"))
                .collect();
            return Err(Error::Conflict(format!(
                "the journey map 「{}」 is used by {}; remove it from there first",
                map.name,
                names.join(", ")
            )));
        }
        tx.execute("DELETE FROM journey_maps WHERE id = ?1", [id])?;
        audit_in(
            tx,
            "journey.delete",
            "journey",
            Some(id),
            &serde_json::json!({}),
        )
    })
}
