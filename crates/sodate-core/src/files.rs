//! Reading and writing the small files the user names (a scoring model, a segment filter,
//! a chart as PNG), with the errors the app and the CLI show.

use std::path::Path;

use crate::{Error, Result};

/// The whole file as UTF-8 text; a file that cannot be read is an `invalid` error on `field`.
pub fn read_text(path: &Path, field: &str) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| {
        Error::invalid(
            field,
            "unreadable",
            format!("cannot read {}: {e}", path.display()),
        )
    })
}

/// Writes `text` to `path` (replacing it).
pub fn write_text(path: &Path, text: &str) -> Result<()> {
    write_bytes(path, text.as_bytes())
}

/// Writes `bytes` to `path` (replacing it): a chart's PNG, a table's CSV.
pub fn write_bytes(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|e| Error::FileWrite {
        path: path.to_path_buf(),
        detail: e.to_string(),
    })
}
