//! Opening a Sodate database: the pragmas, the schema migrations, and the refusals.
//!
//! Invariants:
//! * a file that is not a Sodate database (another application's SQLite file, a damaged
//!   file, a file written by a newer Sodate) is refused with a clear error and **never
//!   modified** — no migration runs on it;
//! * migrations are forward-only, one SQL file each, and run in one transaction.

pub(crate) mod bulk;
pub(crate) mod changes;
pub(crate) mod parallel;

pub(crate) use parallel::Stamp;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, ErrorCode, OpenFlags};
use rusqlite_migration::{Migrations, M};

use crate::encryption::{self, FileKind, Passphrase};
use crate::{Error, Result};

/// A database file and the key it is opened with (`None`: a plain file). Everything that
/// opens a further connection to the database, or a scratch file holding its data, goes
/// through this so that an encrypted database never gets an unkeyed companion.
#[derive(Debug, Clone)]
pub struct DbFile {
    pub path: PathBuf,
    pub key: Option<Passphrase>,
}

impl DbFile {
    /// A second, read-only connection to the database.
    pub(crate) fn open_read_only(&self) -> rusqlite::Result<Connection> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        if let Some(key) = &self.key {
            encryption::apply_key(&conn, key)?;
        }
        Ok(conn)
    }

    /// A scratch database at `path` holding data of this one: encrypted with the same key.
    pub(crate) fn open_companion(&self, path: &Path) -> rusqlite::Result<Connection> {
        let conn = Connection::open(path)?;
        if let Some(key) = &self.key {
            encryption::apply_key(&conn, key)?;
        }
        Ok(conn)
    }
}

/// The page cache of a connection, in KiB (negative: SQLite's unit convention).
pub const CACHE_SIZE: i64 = -65_536;

/// Page size of new databases, in bytes.
pub const PAGE_SIZE: i64 = 16_384;

/// `PRAGMA application_id` of Sodate databases ("SODT").
pub const APPLICATION_ID: i32 = 0x534F_4454;

const MIGRATION_SQL: &[&str] = &[
    include_str!("../../migrations/0001_init.sql"),
    include_str!("../../migrations/0002_leaner_lead_indexes.sql"),
    include_str!("../../migrations/0003_import_batches.sql"),
    include_str!("../../migrations/0004_scoring.sql"),
    include_str!("../../migrations/0005_segments.sql"),
    include_str!("../../migrations/0006_board.sql"),
    include_str!("../../migrations/0007_export.sql"),
    include_str!("../../migrations/0008_journeys.sql"),
    include_str!("../../migrations/0009_capture.sql"),
    include_str!("../../migrations/0010_suppressed_leads.sql"),
    include_str!("../../migrations/0011_lead_changes.sql"),
    include_str!("../../migrations/0012_board_owners.sql"),
    include_str!("../../migrations/0013_scoring_reads.sql"),
    include_str!("../../migrations/0014_scoring_snapshot.sql"),
    include_str!("../../migrations/0015_lead_scores.sql"),
];

fn migrations() -> Migrations<'static> {
    Migrations::new(MIGRATION_SQL.iter().map(|sql| M::up(sql)).collect())
}

/// The SQL of every migration, in order (migration `i + 1` is `migration_sql()[i]`): for
/// tests that build databases at earlier schema versions.
pub fn migration_sql() -> &'static [&'static str] {
    MIGRATION_SQL
}

/// The schema version this build writes (number of migrations).
pub fn schema_version() -> usize {
    MIGRATION_SQL.len()
}

/// Where the desktop app and the CLI keep their database unless told otherwise:
/// `$SODATE_DB`, else `<OS data dir>/sodate/sodate.db` (`~/.local/share/sodate/sodate.db`).
pub fn default_path() -> PathBuf {
    if let Some(p) = std::env::var_os("SODATE_DB").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("sodate")
        .join("sodate.db")
}

/// Translates an SQLite error met while opening into the error the user should see.
pub(crate) fn classify(path: &Path, err: rusqlite::Error) -> Error {
    match err.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => Error::DatabaseLocked {
            path: path.to_path_buf(),
        },
        Some(ErrorCode::NotADatabase) | Some(ErrorCode::DatabaseCorrupt) => {
            Error::DatabaseCorrupt {
                path: path.to_path_buf(),
                detail: err.to_string(),
            }
        }
        Some(ErrorCode::CannotOpen)
        | Some(ErrorCode::PermissionDenied)
        | Some(ErrorCode::ReadOnly)
        | Some(ErrorCode::SystemIoFailure) => Error::DatabaseUnreadable {
            path: path.to_path_buf(),
            detail: err.to_string(),
        },
        _ => Error::Sqlite(err),
    }
}

/// Opens (creating if missing) and migrates the database at `path`, with `key` when it is
/// encrypted. A plain file opens as plain even when a key is given (a passphrase kept in the
/// environment must not lock the user out of a plain database); a new file is created
/// encrypted when a key is given.
pub(crate) fn open_connection(path: &Path, key: Option<&Passphrase>) -> Result<Connection> {
    if path.is_dir() {
        return Err(Error::DatabaseUnreadable {
            path: path.to_path_buf(),
            detail: "this path is a folder, not a database file".into(),
        });
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| Error::DatabaseUnreadable {
            path: path.to_path_buf(),
            detail: format!("cannot create the folder {}: {e}", parent.display()),
        })?;
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let kind = encryption::file_kind(path);
    let key = match (kind, key) {
        (FileKind::Plain, _) => None,
        (FileKind::Encrypted, None) => {
            return Err(Error::PassphraseRequired {
                path: path.to_path_buf(),
            })
        }
        (_, key) => key,
    };
    let mut conn = Connection::open_with_flags(path, flags).map_err(|e| classify(path, e))?;
    if let Some(key) = key {
        encryption::apply_key(&conn, key).map_err(|e| classify(path, e))?;
    }
    conn.busy_timeout(std::time::Duration::from_millis(1500))
        .map_err(|e| classify(path, e))?;

    // Reading the header and schema proves the file is an SQLite database at all (and, for
    // an encrypted one, that the key is right: a wrong key reads as "not a database").
    let (user_version, app_id, table_count) = read_identity(&conn).map_err(|e| {
        if key.is_some() && kind == FileKind::Encrypted && is_not_a_database(&e) {
            Error::WrongPassphrase {
                path: path.to_path_buf(),
            }
        } else {
            classify(path, e)
        }
    })?;
    let supported = schema_version();
    if app_id != 0 && app_id != APPLICATION_ID {
        return Err(Error::DatabaseUnreadable {
            path: path.to_path_buf(),
            detail: "this file is an SQLite database of another application, not a Sodate database"
                .into(),
        });
    }
    if user_version == 0 && table_count > 0 {
        return Err(Error::DatabaseUnreadable {
            path: path.to_path_buf(),
            detail:
                "this SQLite file already holds tables that are not Sodate's; choose another file"
                    .into(),
        });
    }
    if user_version > supported {
        return Err(Error::DatabaseNewer {
            path: path.to_path_buf(),
            found: user_version,
            supported,
        });
    }

    if table_count == 0 && user_version == 0 {
        // A new file: 16 KiB pages (SQLite's default is 4 KiB). Fewer, fuller B-tree pages
        // make bulk loads and index builds markedly faster (1M demo leads: index rebuild
        // 24 s → 15 s) and cost nothing measurable on the list's page reads.
        conn.pragma_update(None, "page_size", PAGE_SIZE)
            .map_err(|e| classify(path, e))?;
    }
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(|e| classify(path, e))?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(|e| classify(path, e))?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(|e| classify(path, e))?;
    conn.pragma_update(None, "cache_size", CACHE_SIZE) // 64 MiB
        .map_err(|e| classify(path, e))?;
    conn.pragma_update(None, "temp_store", "MEMORY")
        .map_err(|e| classify(path, e))?;

    if user_version < supported {
        if user_version > 0 && table_count > 0 {
            // An existing database: the state before the upgrade stays restorable.
            crate::backup::take_from(
                &conn,
                path,
                key,
                crate::backup::BackupReason::Migration,
                &mut |_| {},
            )?;
        }
        migrations().to_latest(&mut conn).map_err(|e| match e {
            rusqlite_migration::Error::RusqliteError { err, .. } => classify(path, err),
            other => Error::Migration(other),
        })?;
    }
    if app_id == 0 {
        conn.pragma_update(None, "application_id", APPLICATION_ID)
            .map_err(|e| classify(path, e))?;
    }
    // Housekeeping only: a database busy with another writer keeps its journal this time.
    let _ = changes::prune(&conn);
    Ok(conn)
}

/// Opens the file at `path` read-only, without migrating, for a check or a copy (a backup,
/// or a database that may be damaged): an encrypted file with `key` (a missing or wrong key
/// is said so, not taken for damage), a plain one as it is, whatever key is given.
pub(crate) fn open_file_read_only(path: &Path, key: Option<&Passphrase>) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| classify(path, e))?;
    if encryption::file_kind(path) == FileKind::Encrypted {
        let Some(key) = key else {
            return Err(Error::PassphraseRequired {
                path: path.to_path_buf(),
            });
        };
        encryption::apply_key(&conn, key).map_err(|e| classify(path, e))?;
        if let Err(e) = read_identity(&conn) {
            return Err(if is_not_a_database(&e) {
                Error::WrongPassphrase {
                    path: path.to_path_buf(),
                }
            } else {
                classify(path, e)
            });
        }
    }
    Ok(conn)
}

fn is_not_a_database(e: &rusqlite::Error) -> bool {
    e.sqlite_error_code() == Some(ErrorCode::NotADatabase)
}

fn read_identity(conn: &Connection) -> rusqlite::Result<(usize, i32, i64)> {
    let user_version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let app_id: i32 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
    let tables: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_schema WHERE type = 'table'",
        [],
        |r| r.get(0),
    )?;
    Ok((
        usize::try_from(user_version).unwrap_or(usize::MAX),
        app_id,
        tables,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        assert!(migrations().validate().is_ok());
    }

    #[test]
    fn schema_has_the_domain_tables() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| Error::Conflict(e.to_string()))?;
        let conn = open_connection(&dir.path().join("t.db"), None)?;
        for table in [
            "leads",
            "companies",
            "events",
            "activities",
            "activity_types",
            "tags",
            "lead_tags",
            "custom_fields",
            "lifecycle_history",
            "consents",
            "suppressions",
            "import_batches",
            "import_changes",
            "merges",
            "audit_log",
            "lead_search",
        ] {
            let n: i64 = conn.query_row(
                "SELECT count(*) FROM sqlite_schema WHERE name = ?1",
                [table],
                |r| r.get(0),
            )?;
            assert_eq!(n, 1, "table {table} missing");
        }
        let fk: i64 = conn.pragma_query_value(None, "foreign_keys", |r| r.get(0))?;
        assert_eq!(fk, 1);
        let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
        assert_eq!(mode, "wal");
        Ok(())
    }
}
