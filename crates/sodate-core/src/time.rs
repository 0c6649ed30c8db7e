//! Timestamps are stored as UTC ISO-8601 text with second precision, which sorts correctly.

pub(crate) fn now() -> String {
    format(chrono::Utc::now())
}

pub(crate) fn format(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}
