//! Encryption at rest: a database file encrypted with a passphrase (SQLCipher 4, compiled in
//! through rusqlite's bundled SQLCipher build), and switching a database between plain,
//! encrypted and another passphrase.
//!
//! Invariants:
//! * the key is the first statement on every connection to an encrypted file
//!   ([`apply_key`]); nothing is read from the file before it;
//! * re-encryption never writes the database in place: the re-encrypted copy is written to
//!   `<db>.reencrypt` next to it, checked (integrity check and the row count of every
//!   table), synced to disk, and only then renamed over the original. A process killed at
//!   any moment leaves either the old file (with the old key) or the new one (with the new
//!   key), never a mixture; a leftover `.reencrypt` file is only ever a copy and is removed
//!   by the next re-encryption;
//! * before the rename the original's write-ahead log is checkpointed into it and closed, so
//!   no `-wal` of the old file can be replayed onto the new one;
//! * a lost passphrase cannot be recovered: there is no other key.

use std::fmt;
use std::path::{Path, PathBuf};

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};
use serde::Serialize;

use crate::{Error, Result, Sodate};

/// The environment variable the CLI and `sodate bench` read an encrypted database's
/// passphrase from (never from an argument).
pub const PASSPHRASE_ENV: &str = "SODATE_PASSPHRASE";

/// The passphrase in [`PASSPHRASE_ENV`], if set (and not empty).
pub fn passphrase_from_env() -> Result<Option<Passphrase>> {
    match std::env::var_os(PASSPHRASE_ENV) {
        None => Ok(None),
        Some(v) if v.is_empty() => Ok(None),
        Some(v) => v
            .into_string()
            .map_err(|_| {
                Error::invalid(
                    "passphrase",
                    "not_utf8",
                    format!("{PASSPHRASE_ENV} is not valid UTF-8"),
                )
            })
            .and_then(Passphrase::new)
            .map(Some),
    }
}

/// Shortest passphrase accepted when encrypting (entering an existing one takes any length).
pub const MIN_PASSPHRASE_CHARS: usize = 8;

/// SQLCipher page size of Sodate's encrypted files, the same 16 KiB as plain ones (see
/// `db::PAGE_SIZE`). It is not stored readably in an encrypted file, so every connection
/// sets it right after the key.
const CIPHER_PAGE_SIZE: i64 = crate::db::PAGE_SIZE;

/// The header every plain SQLite file starts with; an encrypted file starts with a random
/// salt instead.
const PLAIN_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// A passphrase the user typed. Never printed (`Debug` hides it).
#[derive(Clone, PartialEq, Eq)]
pub struct Passphrase(String);

impl Passphrase {
    /// A passphrase to open an existing database: anything but empty.
    pub fn new(text: impl Into<String>) -> Result<Self> {
        let text = text.into();
        if text.is_empty() {
            return Err(Error::invalid(
                "passphrase",
                "empty",
                "the passphrase is empty",
            ));
        }
        Ok(Self(text))
    }

    /// A new passphrase to encrypt with: at least [`MIN_PASSPHRASE_CHARS`] characters, not
    /// only spaces.
    pub fn new_for_encryption(text: impl Into<String>) -> Result<Self> {
        let text = text.into();
        if text.trim().chars().count() < MIN_PASSPHRASE_CHARS {
            return Err(Error::invalid(
                "passphrase",
                "too_short",
                format!("the passphrase needs at least {MIN_PASSPHRASE_CHARS} characters"),
            ));
        }
        Ok(Self(text))
    }

    fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Passphrase(…)")
    }
}

/// Whether a database file is encrypted, as far as its first page tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    /// No file yet, or an empty one: a new database.
    Missing,
    /// A plain SQLite file.
    Plain,
    /// Looks like SQLCipher ciphertext (random bytes in whole pages).
    Encrypted,
    /// Neither: not a database (or one damaged beyond its header).
    Other,
}

/// Reads the start of `path` to tell a plain file from an encrypted one. Without the key
/// ciphertext cannot be told from random bytes for certain, so a file counts as encrypted
/// when it is made of whole pages and its first page has no repeated 8-byte sequence, which
/// ciphertext never has and damaged or foreign files (zeros, text, patterns) almost always do.
pub fn file_kind(path: &Path) -> FileKind {
    use std::io::Read;
    let Ok(mut file) = std::fs::File::open(path) else {
        return FileKind::Missing;
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if len == 0 {
        return FileKind::Missing;
    }
    let mut head = Vec::with_capacity(4096);
    if file.by_ref().take(4096).read_to_end(&mut head).is_err() {
        return FileKind::Other;
    }
    if head.starts_with(PLAIN_HEADER) {
        return FileKind::Plain;
    }
    if len < 1024 || len % 512 != 0 || head.len() < 1024 {
        return FileKind::Other;
    }
    let mut seen = std::collections::HashSet::with_capacity(head.len());
    if head.windows(8).all(|w| seen.insert(w)) {
        FileKind::Encrypted
    } else {
        FileKind::Other
    }
}

/// Gives `conn` the key of its main database: the first statements on the connection.
pub(crate) fn apply_key(conn: &Connection, passphrase: &Passphrase) -> rusqlite::Result<()> {
    conn.pragma_update(None, "key", passphrase.as_str())?;
    // A wrong key is reported as an error to the caller; SQLCipher's own log line about the
    // failed page check would only clutter the CLI's output.
    conn.pragma_update(None, "cipher_log_level", "NONE")?;
    conn.pragma_update(None, "cipher_page_size", CIPHER_PAGE_SIZE)
}

/// What a re-encryption is doing, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Writing the copy; `done`/`total` are bytes written of about the database's size.
    Copying,
    /// Checking the copy (integrity and row counts).
    Verifying,
    /// Syncing and renaming the copy over the original.
    Replacing,
}

/// Where a re-encryption is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    pub stage: Stage,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub done: u64,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub total: u64,
}

/// Encrypts a plain database with `new`, re-encrypts an encrypted one with `new`, or (with
/// `None`) writes it back as a plain file, then reopens `db` on the new file. When it fails
/// the file is as it was and `db` stays open on it (reopened with the old key if it had
/// been closed for the rename).
pub fn change_key(
    db: &mut Sodate,
    new: Option<&Passphrase>,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<()> {
    let copy = copy_path(db.path());
    remove_if_present(&copy)?;
    let written = write_copy(db, &copy, new, progress).and_then(|()| {
        progress(Progress {
            stage: Stage::Verifying,
            done: 0,
            total: 1,
        });
        verify_copy(db, &copy, new)
    });
    let discard = |e: Error| {
        let _ = remove_if_present(&copy);
        e
    };
    written.map_err(discard)?;
    progress(Progress {
        stage: Stage::Replacing,
        done: 0,
        total: 1,
    });
    replace_with_copy(db, &copy, new)
}

/// Replaces the open database's file with the finished copy at `copy` (written for the key
/// `new`) and reopens `db` on it. The copy is synced, the original's log folded into it and
/// closed (no -wal of it is left to be replayed onto the copy), then the copy is renamed over
/// it. When it fails the original is as it was, `db` is open on it again and the copy is gone.
pub(crate) fn replace_with_copy(
    db: &mut Sodate,
    copy: &Path,
    new: Option<&Passphrase>,
) -> Result<()> {
    let path = db.path().to_path_buf();
    let old = db.passphrase().cloned();
    let discard = |e: Error| {
        let _ = remove_if_present(copy);
        e
    };
    sync_file(copy).map_err(discard)?;
    let busy: i64 = db
        .read(|conn| Ok(conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?))
        .map_err(discard)?;
    if busy != 0 {
        return Err(discard(Error::DatabaseLocked { path }));
    }
    db.close_connection().map_err(discard)?;
    let replaced = (|| {
        let wal = sidecar(&path, "-wal");
        if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
            // Another program still has the database open: replacing it now would lose
            // what it writes.
            return Err(Error::DatabaseLocked { path: path.clone() });
        }
        let _ = std::fs::remove_file(&wal);
        let _ = std::fs::remove_file(sidecar(&path, "-shm"));
        std::fs::rename(copy, &path).map_err(|e| Error::FileWrite {
            path: path.clone(),
            detail: e.to_string(),
        })
    })();
    if let Err(e) = replaced {
        let e = discard(e);
        *db = Sodate::open_with(&path, old.as_ref())?;
        return Err(e);
    }
    sync_folder(&path);
    *db = Sodate::open_with(&path, new)?;
    Ok(())
}

/// Checks that `given` is the passphrase `db` is encrypted with (asked again before changing
/// or removing it, so that an unlocked, unattended computer is not enough).
pub fn confirm_passphrase(db: &Sodate, given: &Passphrase) -> Result<()> {
    if db.passphrase_matches(given) {
        Ok(())
    } else if db.is_encrypted() {
        Err(Error::WrongPassphrase {
            path: db.path().to_path_buf(),
        })
    } else {
        Err(Error::invalid(
            "passphrase",
            "not_encrypted",
            "the database is not encrypted",
        ))
    }
}

/// The temporary file a re-encryption writes next to `db_path`.
pub fn copy_path(db_path: &Path) -> PathBuf {
    let mut name = db_path.as_os_str().to_os_string();
    name.push(".reencrypt");
    PathBuf::from(name)
}

fn sidecar(db_path: &Path, suffix: &str) -> PathBuf {
    let mut name = db_path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

fn remove_if_present(path: &Path) -> Result<()> {
    for p in [
        path.to_path_buf(),
        sidecar(path, "-journal"),
        sidecar(path, "-wal"),
        sidecar(path, "-shm"),
    ] {
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(Error::FileWrite {
                    path: p,
                    detail: e.to_string(),
                })
            }
        }
    }
    Ok(())
}

fn utf8(path: &Path) -> Result<&str> {
    path.to_str().ok_or_else(|| Error::FileWrite {
        path: path.to_path_buf(),
        detail: "the path is not valid UTF-8".into(),
    })
}

/// Attaches `target` to `conn` as schema `target` with `key` (`None`: a plain file) and
/// sets its page size before anything is written to it (a new file), or reads it with that
/// page size (an existing one).
pub(crate) fn attach_with_key(
    conn: &Connection,
    target: &Path,
    schema: &str,
    key: Option<&Passphrase>,
) -> Result<()> {
    if key.is_some() {
        // ATTACH reads an existing file's first page at once, with the default page size
        // unless told.
        conn.pragma_update(None, "cipher_default_page_size", CIPHER_PAGE_SIZE)?;
    }
    conn.execute(
        &format!("ATTACH DATABASE ?1 AS {schema} KEY ?2"),
        rusqlite::params![utf8(target)?, key.map(Passphrase::as_str).unwrap_or("")],
    )?;
    let size_pragma = if key.is_some() {
        "cipher_page_size"
    } else {
        "page_size"
    };
    conn.pragma_update(Some(schema), size_pragma, CIPHER_PAGE_SIZE)?;
    Ok(())
}

/// Copies the whole database (schema, rows, user_version, application_id) into a new file at
/// `target` encrypted with `key`, through SQLCipher's `sqlcipher_export`. While it runs, a
/// second thread reports the bytes written so far against `expected_bytes` every 200 ms.
pub(crate) fn export_to(
    conn: &Connection,
    target: &Path,
    key: Option<&Passphrase>,
    expected_bytes: u64,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<()> {
    attach_with_key(conn, target, "reencrypt_target", key)?;
    let finished = AtomicBool::new(false);
    let result = std::thread::scope(|scope| {
        scope.spawn(|| {
            while !finished.load(Ordering::Relaxed) {
                let done = std::fs::metadata(target).map(|m| m.len()).unwrap_or(0);
                progress(Progress {
                    stage: Stage::Copying,
                    done: done.min(expected_bytes),
                    total: expected_bytes,
                });
                std::thread::sleep(Duration::from_millis(200));
            }
        });
        let result = (|| -> Result<()> {
            let user_version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
            let application_id: i64 =
                conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
            conn.query_row(
                "SELECT sqlcipher_export('reencrypt_target')",
                [],
                |_| Ok(()),
            )?;
            conn.pragma_update(Some("reencrypt_target"), "user_version", user_version)?;
            conn.pragma_update(Some("reencrypt_target"), "application_id", application_id)?;
            Ok(())
        })();
        finished.store(true, Ordering::Relaxed);
        result
    });
    let detached = conn.execute("DETACH DATABASE reencrypt_target", []);
    result?;
    detached?;
    Ok(())
}

/// Writes a copy of the database file `source` (read with `source_key`; `None`: a plain
/// file) to a new file at `target` encrypted with `key`, from a connection of the copy's own:
/// `source` is only read, so it may be a read-only file or open read-only elsewhere. One
/// transaction: the copy is one consistent state of the source.
pub(crate) fn export_file_to(
    source: &Path,
    source_key: Option<&Passphrase>,
    target: &Path,
    key: &Passphrase,
) -> Result<()> {
    let conn = Connection::open(target)?;
    apply_key(&conn, key)?;
    attach_with_key(&conn, source, "export_source", source_key)?;
    let exported = (|| -> Result<()> {
        conn.execute_batch("BEGIN")?;
        let user_version: i64 =
            conn.pragma_query_value(Some("export_source"), "user_version", |r| r.get(0))?;
        let application_id: i64 =
            conn.pragma_query_value(Some("export_source"), "application_id", |r| r.get(0))?;
        conn.query_row(
            "SELECT sqlcipher_export('main', 'export_source')",
            [],
            |_| Ok(()),
        )?;
        conn.execute_batch("COMMIT")?;
        conn.pragma_update(None, "user_version", user_version)?;
        conn.pragma_update(None, "application_id", application_id)?;
        Ok(())
    })();
    if exported.is_err() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    let detached = conn.execute("DETACH DATABASE export_source", []);
    exported?;
    detached?;
    Ok(())
}

/// Writes the re-encrypted copy of `db` to `copy`.
fn write_copy(
    db: &Sodate,
    copy: &Path,
    key: Option<&Passphrase>,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<()> {
    let expected = std::fs::metadata(db.path()).map(|m| m.len()).unwrap_or(0)
        + std::fs::metadata(sidecar(db.path(), "-wal"))
            .map(|m| m.len())
            .unwrap_or(0);
    db.read(|conn| export_to(conn, copy, key, expected, progress))
}

/// Opens the copy on its own connection with its key and checks it: `integrity_check` is
/// `ok` and every table holds as many rows as in the original.
fn verify_copy(db: &Sodate, copy: &Path, key: Option<&Passphrase>) -> Result<()> {
    let bad = |detail: String| {
        Error::Conflict(format!(
            "the re-encrypted copy failed its check ({detail}); the database was not changed"
        ))
    };
    let conn = Connection::open_with_flags(
        copy,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    if let Some(key) = key {
        apply_key(&conn, key)?;
    }
    let integrity = integrity_of(&conn)?;
    if integrity != "ok" {
        return Err(bad(integrity));
    }
    let original = db.read(|c| Ok(table_rows(c)?))?;
    let copied = table_rows(&conn)?;
    if original != copied {
        let differing: Vec<&str> = original
            .iter()
            .filter(|(table, n)| copied.iter().find(|(t, _)| t == table).map(|(_, m)| m) != Some(n))
            .map(|(table, _)| table.as_str())
            .collect();
        return Err(bad(format!(
            "row counts differ in {}",
            differing.join(", ")
        )));
    }
    Ok(())
}

/// SQLite's `PRAGMA integrity_check` of the database: `ok`, or the first problems found.
pub fn integrity_check(db: &Sodate) -> Result<String> {
    db.read(|conn| Ok(integrity_of(conn)?))
}

fn integrity_of(conn: &Connection) -> rusqlite::Result<String> {
    let mut lines = conn.prepare("PRAGMA integrity_check(20)")?;
    let found: Vec<String> = lines
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(found.join("; "))
}

/// Every table of the database with its row count, by name: what a re-encryption checks
/// its copy against.
pub fn row_counts(db: &Sodate) -> Result<Vec<(String, i64)>> {
    db.read(|conn| Ok(table_rows(conn)?))
}

/// Every ordinary table with its row count, by name.
pub(crate) fn table_rows(conn: &Connection) -> rusqlite::Result<Vec<(String, i64)>> {
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' \
             AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    tables
        .into_iter()
        .map(|t| {
            let n: i64 = conn.query_row(
                &format!("SELECT count(*) FROM \"{}\"", t.replace('"', "\"\"")),
                [],
                |r| r.get(0),
            )?;
            Ok((t, n))
        })
        .collect()
}

fn sync_file(path: &Path) -> Result<()> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|e| Error::FileWrite {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })
}

/// Makes a rename in `path`'s folder durable (POSIX; a no-op where folders cannot be opened).
fn sync_folder(path: &Path) {
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        if let Ok(dir) = std::fs::File::open(folder) {
            let _ = dir.sync_all();
        }
    }
}
