//! Copies of the database taken before destructive work (a bulk merge), so that the user
//! can always go back to the file as it was.
//!
//! A backup is a complete, consistent SQLite file written with `VACUUM INTO` next to the
//! database: `<dir>/backups/<stem>-<UTC time>-<label>.db`. It is written to a temporary
//! name and renamed when complete, so a half-written file never looks like a backup.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::{Error, Result, Sodate};

/// A backup that was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Backup {
    pub path: String,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub bytes: u64,
}

/// The folder backups of the database at `db_path` go to.
pub fn folder_for(db_path: &Path) -> PathBuf {
    db_path
        .parent()
        .unwrap_or_else(|| Path::new("."))
        .join("backups")
}

/// Writes a backup of `db` labelled `label` (`bulk-merge` …) and returns where it is.
pub fn take(db: &Sodate, label: &str) -> Result<Backup> {
    let folder = folder_for(db.path());
    let write_error = |path: &Path, e: &dyn std::fmt::Display| Error::FileWrite {
        path: path.to_path_buf(),
        detail: e.to_string(),
    };
    std::fs::create_dir_all(&folder).map_err(|e| write_error(&folder, &e))?;
    let stem = db
        .path()
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("sodate");
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
    let label: String = label
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let mut path = folder.join(format!("{stem}-{stamp}-{label}.db"));
    let mut n = 1;
    while path.exists() {
        n += 1;
        path = folder.join(format!("{stem}-{stamp}-{label}-{n}.db"));
    }
    let partial = path.with_extension("db.partial");
    let _ = std::fs::remove_file(&partial);
    let target = partial
        .to_str()
        .ok_or_else(|| write_error(&partial, &"the backup path is not valid UTF-8"))?
        .to_string();
    db.read(|conn| match db.passphrase() {
        // A backup of an encrypted database is encrypted with the same key (see
        // `encryption::export_to`: VACUUM INTO would not keep Sodate's cipher page size).
        Some(key) => crate::encryption::export_to(conn, &partial, Some(key), 0, &|_| {}),
        None => {
            conn.execute("VACUUM INTO ?1", [&target])?;
            Ok(())
        }
    })
    .map_err(|e| {
        let _ = std::fs::remove_file(&partial);
        write_error(&partial, &e)
    })?;
    std::fs::rename(&partial, &path).map_err(|e| write_error(&path, &e))?;
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    Ok(Backup {
        path: path.to_string_lossy().into_owned(),
        bytes,
    })
}
