//! Counts of the main entities.

use crate::{Result, Sodate, Stats};

pub fn counts(db: &Sodate) -> Result<Stats> {
    db.read(|conn| {
        let count = |table: &str| -> Result<u32> {
            Ok(conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?)
        };
        Ok(Stats {
            leads: count("leads")?,
            companies: count("companies")?,
            activities: count("activities")?,
            events: count("events")?,
        })
    })
}
