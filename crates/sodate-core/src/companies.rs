//! Companies (accounts) and their people.

use rusqlite::{OptionalExtension, Row};

use crate::leads::{row_from, ROW_COLUMNS, ROW_TABLES};
use crate::normalize;
use crate::{CompanyDetail, CompanyPage, CompanyQuery, CompanyRow, Error, Result, Sodate};

const COLUMNS: &str = "c.id, c.name, c.reading, c.domain, c.industry, c.employee_band, \
    c.prefecture, (SELECT count(*) FROM leads l WHERE l.company_id = c.id)";

fn company_from(r: &Row) -> rusqlite::Result<CompanyRow> {
    Ok(CompanyRow {
        id: r.get(0)?,
        name: r.get(1)?,
        reading: r.get(2)?,
        domain: r.get(3)?,
        industry: r.get(4)?,
        employee_band: r.get(5)?,
        prefecture: r.get(6)?,
        lead_count: r.get(7)?,
    })
}

/// One page of companies in kana order, optionally filtered by the start of the name or
/// reading (corporate forms ignored: 株式会社サンプル is found by サンプル).
pub fn list(db: &Sodate, query: &CompanyQuery) -> Result<CompanyPage> {
    db.read(|conn| list_in(conn, query))
}

fn list_in(conn: &rusqlite::Connection, query: &CompanyQuery) -> Result<CompanyPage> {
    let limit = query.limit.clamp(1, crate::leads::MAX_PAGE);
    let raw = query.search.as_deref().unwrap_or("");
    let name_key = normalize::company_key(raw);
    let reading_key = normalize::reading_key(raw);
    let filter = if name_key.is_empty() && reading_key.is_empty() {
        ""
    } else {
        "WHERE (c.name_key >= ?1 AND c.name_key < ?1 || char(1114111)) \
         OR (c.reading_key >= ?2 AND c.reading_key < ?2 || char(1114111)) \
         OR instr(c.name_key, ?1) > 0"
    };
    let params: Vec<&str> = if filter.is_empty() {
        Vec::new()
    } else {
        vec![&name_key, &reading_key]
    };
    let total: u32 = conn.query_row(
        &format!("SELECT count(*) FROM companies c {filter}"),
        rusqlite::params_from_iter(params.iter()),
        |r| r.get(0),
    )?;
    let sql = format!(
        "SELECT {COLUMNS} FROM companies c {filter}
         ORDER BY CASE WHEN c.reading_key <> '' THEN c.reading_key ELSE c.name_key END, c.id
         LIMIT {limit} OFFSET {}",
        query.offset
    );
    let rows = conn
        .prepare_cached(&sql)?
        .query_map(rusqlite::params_from_iter(params.iter()), company_from)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(CompanyPage {
        total,
        offset: query.offset,
        rows,
    })
}

/// A company and its people (kana order).
pub fn get(db: &Sodate, id: i64) -> Result<CompanyDetail> {
    db.read(|conn| get_in(conn, id))
}

fn get_in(conn: &rusqlite::Connection, id: i64) -> Result<CompanyDetail> {
    let (company, address) = conn
        .query_row(
            &format!("SELECT {COLUMNS}, c.address FROM companies c WHERE c.id = ?1"),
            [id],
            |r| Ok((company_from(r)?, r.get::<_, String>(8)?)),
        )
        .optional()?
        .ok_or(Error::NotFound {
            entity: "company",
            id,
        })?;
    let people = conn
        .prepare_cached(&format!(
            "SELECT {ROW_COLUMNS} FROM {ROW_TABLES}
             WHERE l.company_id = ?1 ORDER BY l.sort_name_key, l.id LIMIT 1000"
        ))?
        .query_map([id], row_from)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(CompanyDetail {
        company,
        address,
        people,
    })
}
