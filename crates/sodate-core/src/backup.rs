//! Backups, restore and integrity checks: the user's lead database must never be lost.
//!
//! A backup is a complete, consistent SQLite file written with SQLite's online backup API
//! into `<dir of the database>/backups/<stem>-<UTC time>-<reason>.db`, with a small JSON
//! sidecar beside it (`….json`: reason, time, size, schema version, lead count) so that the
//! list of backups is read without opening any backup.
//!
//! Invariants:
//! * every backup file is written by [`write_copy`] (one place to adapt, e.g. so that an
//!   encrypted database gives encrypted backups);
//! * a backup is written under a `.partial` name, synced, and renamed when complete, and its
//!   sidecar is written after it: a half-written file is never listed as a backup;
//! * the copy is read inside one read transaction, so it is one consistent state even if
//!   another process writes meanwhile;
//! * a restore checks the backup's integrity before it touches anything, backs up the
//!   current state first, and replaces the database's content in one transaction (the
//!   backup API writing into the open database), so a crash leaves the old or the new
//!   database, never a mix;
//! * rotation keeps the newest 7 daily backups, the newest one of each of 4 earlier weeks,
//!   the newest 10 backups taken before operations, and every backup the user asked for.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::db::DbFile;
use crate::encryption::Passphrase;
use crate::{Error, Result, Sodate};

/// Daily backups kept (the newest).
pub const KEEP_DAILY: usize = 7;
/// Earlier weeks of which the newest daily backup is kept.
pub const KEEP_WEEKLY: usize = 4;
/// Backups taken before operations (import, merge, delete …) kept (the newest).
pub const KEEP_OPERATION: usize = 10;

/// Pages copied per step of the backup API (16 KiB pages: 16 MiB per step).
const PAGES_PER_STEP: i32 = 1024;

/// Why a backup was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum BackupReason {
    /// The first start of a day.
    Daily,
    /// The user asked for it ("back up now", `sodate backup`).
    Manual,
    Import,
    BulkMerge,
    BulkDelete,
    ScoringModel,
    Migration,
    /// The state just before a restore replaced it.
    Restore,
    /// A backup without a sidecar (written by an earlier Sodate).
    Unknown,
}

impl BackupReason {
    /// The word in the file name (`import`, `bulk-merge` …).
    pub fn label(self) -> &'static str {
        match self {
            BackupReason::Daily => "daily",
            BackupReason::Manual => "manual",
            BackupReason::Import => "import",
            BackupReason::BulkMerge => "bulk-merge",
            BackupReason::BulkDelete => "bulk-delete",
            BackupReason::ScoringModel => "scoring-model",
            BackupReason::Migration => "migration",
            BackupReason::Restore => "restore",
            BackupReason::Unknown => "unknown",
        }
    }

    /// Taken before an operation (rotated as "the last 10 operation backups").
    pub fn is_operation(self) -> bool {
        !matches!(
            self,
            BackupReason::Daily | BackupReason::Manual | BackupReason::Unknown
        )
    }
}

/// A backup on disk, as its sidecar describes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Backup {
    pub path: String,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub bytes: u64,
    pub reason: BackupReason,
    /// When it was taken (RFC 3339, UTC).
    pub created_at: String,
    /// The schema version of the copied database.
    pub schema_version: u32,
    /// Leads in the copy (None for a backup without a sidecar).
    #[cfg_attr(feature = "specta", specta(type = Option<f64>))]
    pub leads: Option<u64>,
}

/// The sidecar as read back (the same fields as [`Backup`], which is only ever sent).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Sidecar {
    bytes: u64,
    reason: BackupReason,
    created_at: String,
    schema_version: u32,
    leads: Option<u64>,
}

/// How far a backup or restore copy is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CopyProgress {
    pub pages_done: u32,
    pub pages_total: u32,
}

/// What an integrity check found.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct IntegrityReport {
    /// `ok`, or `damaged`.
    pub integrity: String,
    /// SQLite's messages (at most 100), empty when ok.
    pub problems: Vec<String>,
    /// A full `integrity_check` (true) or a `quick_check` (false).
    pub full: bool,
    pub schema_version: u32,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub bytes: u64,
    pub seconds: f64,
}

impl IntegrityReport {
    pub fn is_ok(&self) -> bool {
        self.integrity == "ok"
    }
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RestoreReport {
    /// The backup restored.
    pub restored_from: String,
    /// The backup of the state the restore replaced (None when that state was unreadable:
    /// the damaged file was kept aside, see `damaged_kept_at`).
    pub safety_backup: Option<Backup>,
    pub damaged_kept_at: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub leads: u64,
    pub seconds: f64,
}

/// The folder backups of the database at `db_path` go to.
pub fn folder_for(db_path: &Path) -> PathBuf {
    db_path
        .parent()
        .unwrap_or_else(|| Path::new("."))
        .join("backups")
}

fn write_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::FileWrite {
        path: path.to_path_buf(),
        detail: e.to_string(),
    }
}

fn stem_of(db_path: &Path) -> &str {
    db_path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("sodate")
}

fn sidecar_of(backup_file: &Path) -> PathBuf {
    backup_file.with_extension("json")
}

/// The one function through which every backup file is written: copies the database of
/// `source` (inside one read transaction: one consistent state) into a new file at `dest`,
/// through `dest.partial`, synced and renamed when complete. Returns the copy's size. The
/// copy is encrypted with `key` when one is given (the source, encrypted or plain, is read
/// with `source_key`), written by SQLCipher's export (the backup API refuses to copy between
/// encrypted files).
pub(crate) fn write_copy(
    source: &Connection,
    source_key: Option<&Passphrase>,
    dest: &Path,
    key: Option<&Passphrase>,
    progress: &mut dyn FnMut(CopyProgress),
) -> Result<u64> {
    let partial = dest.with_extension("partial");
    let _ = std::fs::remove_file(&partial);
    let result = (|| -> Result<()> {
        if let Some(key) = key {
            if source.is_readonly(rusqlite::MAIN_DB)? {
                // A read-only connection cannot create the copy it would attach: the copy's
                // own connection reads the source file instead.
                let from = source
                    .path()
                    .map(PathBuf::from)
                    .ok_or_else(|| write_error(dest, "the database to copy has no file"))?;
                crate::encryption::export_file_to(&from, source_key, &partial, key)?;
            } else {
                crate::encryption::export_to(source, &partial, Some(key), 0, &|_| {})?;
            }
            let file = std::fs::File::open(&partial).map_err(|e| write_error(&partial, e))?;
            file.sync_all().map_err(|e| write_error(&partial, e))?;
            return Ok(());
        }
        let mut target = Connection::open(&partial)?;
        source.execute_batch("BEGIN DEFERRED; SELECT count(*) FROM sqlite_schema;")?;
        let copied = (|| -> rusqlite::Result<()> {
            let backup = rusqlite::backup::Backup::new(source, &mut target)?;
            loop {
                let step = backup.step(PAGES_PER_STEP)?;
                let p = backup.progress();
                progress(CopyProgress {
                    pages_done: u32::try_from(p.pagecount - p.remaining).unwrap_or(0),
                    pages_total: u32::try_from(p.pagecount).unwrap_or(0),
                });
                match step {
                    rusqlite::backup::StepResult::Done => return Ok(()),
                    rusqlite::backup::StepResult::More => {}
                    // Only another writer of the destination, which is ours alone.
                    _ => std::thread::sleep(std::time::Duration::from_millis(20)),
                }
            }
        })();
        let _ = source.execute_batch("COMMIT");
        copied?;
        // A self-contained file: no -wal/-shm beside a backup.
        target.pragma_update(None, "journal_mode", "DELETE")?;
        drop(target);
        let file = std::fs::File::open(&partial).map_err(|e| write_error(&partial, e))?;
        file.sync_all().map_err(|e| write_error(&partial, e))?;
        Ok(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&partial);
        return Err(match e {
            Error::FileWrite { .. } => e,
            other => write_error(dest, other),
        });
    }
    std::fs::rename(&partial, dest).map_err(|e| write_error(dest, e))?;
    sync_folder(dest);
    Ok(std::fs::metadata(dest).map(|m| m.len()).unwrap_or(0))
}

/// Makes a rename durable (the folder's entry), where the platform allows it.
fn sync_folder(file: &Path) {
    #[cfg(unix)]
    if let Some(dir) = file.parent() {
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = file;
}

fn schema_and_leads(conn: &Connection) -> Result<(u32, Option<u64>)> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let has_leads: bool = conn.query_row(
        "SELECT count(*) > 0 FROM sqlite_schema WHERE type = 'table' AND name = 'leads'",
        [],
        |r| r.get(0),
    )?;
    let leads = if has_leads {
        let n: i64 = conn.query_row("SELECT count(*) FROM leads", [], |r| r.get(0))?;
        Some(u64::try_from(n).unwrap_or(0))
    } else {
        None
    };
    Ok((u32::try_from(version).unwrap_or(0), leads))
}

/// Writes a backup of the database open on `conn` (file `db_path`) for `reason`, with its
/// sidecar, then rotates the folder. Used by [`take`] and before migrations (which run
/// before a [`Sodate`] exists).
pub(crate) fn take_from(
    conn: &Connection,
    db_path: &Path,
    key: Option<&Passphrase>,
    reason: BackupReason,
    progress: &mut dyn FnMut(CopyProgress),
) -> Result<Backup> {
    let folder = folder_for(db_path);
    std::fs::create_dir_all(&folder).map_err(|e| write_error(&folder, e))?;
    let stem = stem_of(db_path);
    let now = Utc::now();
    let stamp = now.format("%Y%m%d-%H%M%S");
    let label = reason.label();
    let mut path = folder.join(format!("{stem}-{stamp}-{label}.db"));
    let mut n = 1;
    while path.exists() {
        n += 1;
        path = folder.join(format!("{stem}-{stamp}-{label}-{n}.db"));
    }
    let (schema_version, leads) = schema_and_leads(conn)?;
    let bytes = write_copy(conn, key, &path, key, progress)?;
    let backup = Backup {
        path: path.to_string_lossy().into_owned(),
        bytes,
        reason,
        created_at: crate::time::format(now),
        schema_version,
        leads,
    };
    let sidecar = sidecar_of(&path);
    crate::files::write_text(&sidecar, &serde_json::to_string_pretty(&backup)?)?;
    rotate(db_path)?;
    Ok(backup)
}

/// Writes a backup of `db` for `reason` and returns it.
pub fn take(db: &Sodate, reason: BackupReason) -> Result<Backup> {
    take_with_progress(db, reason, &mut |_| {})
}

/// [`take`], reporting the copy's progress.
pub fn take_with_progress(
    db: &Sodate,
    reason: BackupReason,
    progress: &mut dyn FnMut(CopyProgress),
) -> Result<Backup> {
    take_from(db.conn(), db.path(), db.passphrase(), reason, progress)
}

/// Writes a copy of `db` to `out` (`sodate backup --out FILE`): a backup outside the
/// rotated folder, never deleted by Sodate.
pub fn copy_to(db: &Sodate, out: &Path) -> Result<Backup> {
    if out.exists() {
        return Err(Error::invalid(
            "out",
            "exists",
            format!("{} already exists; choose a new file name", out.display()),
        ));
    }
    let (schema_version, leads) = schema_and_leads(db.conn())?;
    let now = Utc::now();
    let bytes = write_copy(
        db.conn(),
        db.passphrase(),
        out,
        db.passphrase(),
        &mut |_| {},
    )?;
    Ok(Backup {
        path: out.to_string_lossy().into_owned(),
        bytes,
        reason: BackupReason::Manual,
        created_at: crate::time::format(now),
        schema_version,
        leads,
    })
}

/// Takes the daily backup if the newest one is older than a day (or there is none) and the
/// database holds leads, on a connection of its own (see [`take_on_own_connection`]).
/// Returns it when one was taken.
pub fn take_daily_if_due(file: &DbFile, now: DateTime<Utc>) -> Result<Option<Backup>> {
    let db_path = file.path.as_path();
    let newest = list(db_path)?
        .into_iter()
        .filter(|b| b.reason == BackupReason::Daily)
        .filter_map(|b| parse_time(&b.created_at))
        .max();
    if newest.is_some_and(|t| now - t < chrono::Duration::days(1)) {
        return Ok(None);
    }
    let conn = open_reader(file)?;
    if schema_and_leads(&conn)?.1.unwrap_or(0) == 0 {
        return Ok(None);
    }
    take_from(
        &conn,
        db_path,
        file.key.as_ref(),
        BackupReason::Daily,
        &mut |_| {},
    )
    .map(Some)
}

/// Writes a backup of the database at `db_path` for `reason` from a read-only connection of
/// its own: other connections keep reading and writing meanwhile (WAL), so the app's daily
/// and "back up now" backups never hold its database for the minute a 1M-lead copy takes.
/// The copy is still one consistent state (one read transaction).
pub fn take_on_own_connection(
    file: &DbFile,
    reason: BackupReason,
    progress: &mut dyn FnMut(CopyProgress),
) -> Result<Backup> {
    let conn = open_reader(file)?;
    take_from(&conn, &file.path, file.key.as_ref(), reason, progress)
}

fn open_reader(file: &DbFile) -> Result<Connection> {
    let conn = file
        .open_read_only()
        .map_err(|e| crate::db::classify(&file.path, e))?;
    conn.busy_timeout(std::time::Duration::from_millis(1500))?;
    Ok(conn)
}

fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The backups of the database at `db_path`, newest first, read from their sidecars (files
/// without one, from earlier versions, are listed with reason `unknown`).
pub fn list(db_path: &Path) -> Result<Vec<Backup>> {
    let folder = folder_for(db_path);
    let entries = match std::fs::read_dir(&folder) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(Error::DatabaseUnreadable {
                path: folder,
                detail: e.to_string(),
            })
        }
    };
    // Only this database's backups: several databases may share a folder.
    let prefix = format!("{}-", stem_of(db_path));
    let mut backups = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let ours = path.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
            n.strip_prefix(&prefix)
                .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
        });
        if !ours || path.extension().and_then(|e| e.to_str()) != Some("db") {
            continue;
        }
        let described = std::fs::read_to_string(sidecar_of(&path))
            .ok()
            .and_then(|s| serde_json::from_str::<Sidecar>(&s).ok());
        let backup = match described {
            Some(s) => Backup {
                path: path.to_string_lossy().into_owned(),
                bytes: s.bytes,
                reason: s.reason,
                created_at: s.created_at,
                schema_version: s.schema_version,
                leads: s.leads,
            },
            None => {
                let meta = entry.metadata().ok();
                let modified = meta
                    .as_ref()
                    .and_then(|m| m.modified().ok())
                    .map(DateTime::<Utc>::from)
                    .unwrap_or_else(Utc::now);
                Backup {
                    path: path.to_string_lossy().into_owned(),
                    bytes: meta.map(|m| m.len()).unwrap_or(0),
                    reason: BackupReason::Unknown,
                    created_at: crate::time::format(modified),
                    schema_version: 0,
                    leads: None,
                }
            }
        };
        backups.push(backup);
    }
    // Backups of the same second are told apart by their `-N` suffix (the later, the higher).
    backups.sort_by(|a, b| {
        b.created_at
            .cmp(&a.created_at)
            .then(same_second_number(&b.path).cmp(&same_second_number(&a.path)))
            .then(b.path.cmp(&a.path))
    });
    Ok(backups)
}

/// The `N` of a backup file named `…-<reason>-N.db` (the Nth of that second), 1 without it.
fn same_second_number(path: &str) -> u32 {
    Path::new(path)
        .file_stem()
        .and_then(|s| s.to_str())
        .and_then(|s| s.rsplit('-').next())
        .and_then(|n| n.parse().ok())
        .filter(|&n| n >= 2)
        .unwrap_or(1)
}

/// The backups rotation would delete from `backups` (newest first).
fn expired(backups: &[Backup]) -> Vec<&Backup> {
    let mut keep: BTreeSet<&str> = BTreeSet::new();
    let dailies: Vec<&Backup> = backups
        .iter()
        .filter(|b| b.reason == BackupReason::Daily)
        .collect();
    for b in dailies.iter().take(KEEP_DAILY) {
        keep.insert(&b.path);
    }
    let mut weeks = Vec::new();
    for b in dailies.iter().skip(KEEP_DAILY) {
        let Some(t) = parse_time(&b.created_at) else {
            continue;
        };
        let week = (t.iso_week().year(), t.iso_week().week());
        if weeks.contains(&week) || weeks.len() >= KEEP_WEEKLY {
            continue;
        }
        weeks.push(week);
        keep.insert(&b.path);
    }
    for b in backups
        .iter()
        .filter(|b| b.reason.is_operation())
        .take(KEEP_OPERATION)
    {
        keep.insert(&b.path);
    }
    backups
        .iter()
        .filter(|b| {
            (b.reason == BackupReason::Daily || b.reason.is_operation())
                && !keep.contains(b.path.as_str())
        })
        .collect()
}

/// Deletes the backups that rotation no longer keeps (manual and unknown ones are never
/// deleted). Returns how many were deleted.
pub fn rotate(db_path: &Path) -> Result<usize> {
    let backups = list(db_path)?;
    let old = expired(&backups);
    for b in &old {
        let path = Path::new(&b.path);
        std::fs::remove_file(path).map_err(|e| write_error(path, e))?;
        let _ = std::fs::remove_file(sidecar_of(path));
    }
    Ok(old.len())
}

/// Runs `PRAGMA quick_check` (or the full `integrity_check`) on `conn`.
fn check_conn(conn: &Connection, full: bool) -> rusqlite::Result<(Vec<String>, u32)> {
    let sql = if full {
        "PRAGMA integrity_check(100)"
    } else {
        "PRAGMA quick_check(100)"
    };
    let mut stmt = conn.prepare(sql)?;
    let messages: Vec<String> = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<_>>()?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let problems = if messages.len() == 1 && messages[0] == "ok" {
        Vec::new()
    } else {
        messages
    };
    Ok((problems, u32::try_from(version).unwrap_or(0)))
}

fn report(
    problems: Vec<String>,
    full: bool,
    version: u32,
    path: &Path,
    started: std::time::Instant,
) -> IntegrityReport {
    IntegrityReport {
        integrity: if problems.is_empty() { "ok" } else { "damaged" }.into(),
        problems,
        full,
        schema_version: version,
        bytes: std::fs::metadata(path).map(|m| m.len()).unwrap_or(0),
        seconds: started.elapsed().as_secs_f64(),
    }
}

/// Checks the open database: `quick_check` (seconds at 1M leads; at start) or the full
/// `integrity_check` (on demand). Damage is a report (`integrity: "damaged"`), not an error.
pub fn check(db: &Sodate, full: bool) -> Result<IntegrityReport> {
    let started = std::time::Instant::now();
    let found = check_conn(db.conn(), full);
    match found {
        Ok((problems, version)) => Ok(report(problems, full, version, db.path(), started)),
        Err(e) => damaged_or_error(e, full, db.path(), started),
    }
}

/// Damage met while checking (SQLite refusing to read a page) is a finding, not a failure.
fn damaged_or_error(
    e: rusqlite::Error,
    full: bool,
    path: &Path,
    started: std::time::Instant,
) -> Result<IntegrityReport> {
    match crate::db::classify(path, e) {
        Error::DatabaseCorrupt { detail, .. } => Ok(report(vec![detail], full, 0, path, started)),
        other => Err(other),
    }
}

/// Checks the SQLite file at `path` without opening it as the app does (no migration, read
/// only): for backups and for a database that cannot be opened. An encrypted file is read
/// with `key` (a missing or wrong key is an error, not damage).
pub fn check_file(path: &Path, key: Option<&Passphrase>, full: bool) -> Result<IntegrityReport> {
    let started = std::time::Instant::now();
    if !path.is_file() {
        return Err(Error::DatabaseUnreadable {
            path: path.to_path_buf(),
            detail: "no such file".into(),
        });
    }
    let conn = crate::db::open_file_read_only(path, key)?;
    match check_conn(&conn, full) {
        Ok((problems, version)) => Ok(report(problems, full, version, path, started)),
        Err(e) => damaged_or_error(e, full, path, started),
    }
}

/// The key to read `path` with: `key` when the file is encrypted, none when it is plain.
fn key_of_file<'k>(path: &Path, key: Option<&'k Passphrase>) -> Option<&'k Passphrase> {
    key.filter(|_| crate::encryption::file_kind(path) == crate::encryption::FileKind::Encrypted)
}

/// Checks that `from` is a whole Sodate backup this version can restore, before anything
/// is replaced (an encrypted one read with `key`); returns an open read-only connection to it.
fn verify_backup(from: &Path, key: Option<&Passphrase>) -> Result<Connection> {
    let refuse = |code: &str, why: String| Error::invalid("backup", code, why);
    let checked = check_file(from, key, true).map_err(|e| match e {
        Error::DatabaseCorrupt { detail, .. } => refuse(
            "backup_damaged",
            format!(
                "{} is damaged ({detail}); nothing was changed",
                from.display()
            ),
        ),
        Error::DatabaseUnreadable { detail, .. } => refuse(
            "backup_unreadable",
            format!(
                "{} cannot be read ({detail}); nothing was changed",
                from.display()
            ),
        ),
        other => other,
    })?;
    if !checked.is_ok() {
        return Err(refuse(
            "backup_damaged",
            format!(
                "{} failed the integrity check ({}); nothing was changed",
                from.display(),
                checked.problems.join("; ")
            ),
        ));
    }
    let conn = crate::db::open_file_read_only(from, key)?;
    let app_id: i32 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
    if app_id != crate::db::APPLICATION_ID || checked.schema_version == 0 {
        return Err(refuse(
            "not_a_backup",
            format!(
                "{} is not a Sodate database; nothing was changed",
                from.display()
            ),
        ));
    }
    if checked.schema_version as usize > crate::db::schema_version() {
        return Err(refuse(
            "backup_newer",
            format!(
                "{} was written by a newer Sodate (schema {}); nothing was changed",
                from.display(),
                checked.schema_version
            ),
        ));
    }
    Ok(conn)
}

/// Replaces the content of `db` with the backup `from`: checks the backup's integrity first
/// (an encrypted backup read with `db`'s passphrase), backs up the current state (reason
/// `restore`), then puts the backup's content in place and reopens `db` (migrating an older
/// backup, fresh caches). Between plain files the content is copied into the open database in
/// one transaction; when either is encrypted, a copy encrypted like `db` is written beside it
/// and renamed over it (the backup API cannot copy between encrypted files), so a plain
/// backup restored into an encrypted database stays encrypted.
pub fn restore(
    db: &mut Sodate,
    from: &Path,
    progress: &mut dyn FnMut(CopyProgress),
) -> Result<RestoreReport> {
    let started = std::time::Instant::now();
    let key = db.passphrase().cloned();
    let source = verify_backup(from, key.as_ref())?;
    let safety = take(db, BackupReason::Restore)?;
    let backup_key = key_of_file(from, key.as_ref());
    if key.is_some() || backup_key.is_some() {
        let copy = crate::encryption::copy_path(db.path());
        write_copy(&source, backup_key, &copy, key.as_ref(), progress)?;
        drop(source);
        crate::encryption::replace_with_copy(db, &copy, key.as_ref())?;
    } else {
        let target = db.conn_mut();
        let backup = rusqlite::backup::Backup::new(&source, target)?;
        loop {
            let step = backup.step(PAGES_PER_STEP)?;
            let p = backup.progress();
            progress(CopyProgress {
                pages_done: u32::try_from(p.pagecount - p.remaining).unwrap_or(0),
                pages_total: u32::try_from(p.pagecount).unwrap_or(0),
            });
            match step {
                rusqlite::backup::StepResult::Done => break,
                rusqlite::backup::StepResult::More => {}
                _ => std::thread::sleep(std::time::Duration::from_millis(20)),
            }
        }
        drop(backup);
        drop(source);
        let path = db.path().to_path_buf();
        *db = Sodate::open(&path)?;
    }
    let leads: i64 =
        db.read(|c| Ok(c.query_row("SELECT count(*) FROM leads", [], |r| r.get(0))?))?;
    Ok(RestoreReport {
        restored_from: from.to_string_lossy().into_owned(),
        safety_backup: Some(safety),
        damaged_kept_at: None,
        leads: u64::try_from(leads).unwrap_or(0),
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Restores `from` over a database file that cannot be opened (damaged): the backup is
/// checked first, the damaged file (and its -wal/-shm) is moved aside, never deleted, and
/// the backup is copied into place (encrypted with `target.key` when there is one). Returns
/// the reopened database.
pub fn restore_over_unreadable(target: &DbFile, from: &Path) -> Result<(Sodate, RestoreReport)> {
    let started = std::time::Instant::now();
    let db_path = target.path.as_path();
    let key = target.key.as_ref();
    let source = verify_backup(from, key)?;
    let stamp = Utc::now().format("%Y%m%d-%H%M%S");
    let mut kept = None;
    if db_path.exists() {
        let aside = PathBuf::from(format!("{}.damaged-{stamp}", db_path.display()));
        std::fs::rename(db_path, &aside).map_err(|e| write_error(&aside, e))?;
        for ext in ["-wal", "-shm"] {
            let side = PathBuf::from(format!("{}{ext}", db_path.display()));
            if side.exists() {
                let _ = std::fs::rename(&side, format!("{}{ext}", aside.display()));
            }
        }
        kept = Some(aside.to_string_lossy().into_owned());
    }
    write_copy(&source, key_of_file(from, key), db_path, key, &mut |_| {})?;
    drop(source);
    let db = Sodate::open_with(db_path, key)?;
    let leads: i64 =
        db.read(|c| Ok(c.query_row("SELECT count(*) FROM leads", [], |r| r.get(0))?))?;
    Ok((
        db,
        RestoreReport {
            restored_from: from.to_string_lossy().into_owned(),
            safety_backup: None,
            damaged_kept_at: kept,
            leads: u64::try_from(leads).unwrap_or(0),
            seconds: started.elapsed().as_secs_f64(),
        },
    ))
}

/// Restores `from` over the database at `db_path`, whatever state that database is in: an
/// open, healthy database through [`restore`] (its state backed up first); a damaged one
/// (refused at open or failing the quick check) through [`restore_over_unreadable`] (the
/// damaged file kept aside). The backup is checked before anything changes. `target.key`:
/// the database's passphrase when it is encrypted (its backups are encrypted with it).
pub fn restore_file(
    target: &DbFile,
    from: &Path,
    progress: &mut dyn FnMut(CopyProgress),
) -> Result<(Sodate, RestoreReport)> {
    match Sodate::open_with(&target.path, target.key.as_ref()) {
        Ok(mut db) => {
            if check(&db, false)?.is_ok() {
                let report = restore(&mut db, from, progress)?;
                Ok((db, report))
            } else {
                drop(db);
                restore_over_unreadable(target, from)
            }
        }
        Err(Error::DatabaseCorrupt { .. }) => restore_over_unreadable(target, from),
        Err(e) => Err(e),
    }
}

/// The newest backup that passes the integrity check (for the damaged-database screen); an
/// encrypted one is read with `target.key`.
pub fn latest_good(target: &DbFile) -> Result<Option<Backup>> {
    for b in list(&target.path)? {
        if check_file(Path::new(&b.path), target.key.as_ref(), false).is_ok_and(|r| r.is_ok()) {
            return Ok(Some(b));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backup(reason: BackupReason, at: &str, n: usize) -> Backup {
        Backup {
            path: format!("/b/{n}.db"),
            bytes: 1,
            reason,
            created_at: at.into(),
            schema_version: 8,
            leads: Some(1),
        }
    }

    #[test]
    fn backups_of_the_same_second_are_listed_newest_first_by_their_number() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("sodate.db");
        let folder = folder_for(&db);
        std::fs::create_dir_all(&folder).unwrap();
        for name in ["manual", "manual-2", "manual-10", "import"] {
            let path = folder.join(format!("sodate-20261123-094307-{name}.db"));
            std::fs::write(&path, b"").unwrap();
            let b = Backup {
                path: path.to_string_lossy().into_owned(),
                bytes: 0,
                reason: BackupReason::Manual,
                created_at: "2026-11-23T09:43:07Z".into(),
                schema_version: 10,
                leads: Some(1),
            };
            std::fs::write(sidecar_of(&path), serde_json::to_string(&b).unwrap()).unwrap();
        }
        let names: Vec<String> = list(&db)
            .unwrap()
            .iter()
            .map(|b| {
                Path::new(&b.path)
                    .file_stem()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(
            names,
            [
                "sodate-20261123-094307-manual-10",
                "sodate-20261123-094307-manual-2",
                "sodate-20261123-094307-manual",
                "sodate-20261123-094307-import",
            ]
        );
    }

    #[test]
    fn rotation_keeps_seven_daily_four_weekly_ten_operations_and_every_manual() {
        let mut all = Vec::new();
        // 60 daily backups, one a day, newest first.
        let start = DateTime::parse_from_rfc3339("2026-11-23T09:00:00Z").unwrap();
        for d in 0..60 {
            let at = (start - chrono::Duration::days(d)).with_timezone(&Utc);
            all.push(backup(
                BackupReason::Daily,
                &crate::time::format(at),
                all.len(),
            ));
        }
        for i in 0..15 {
            all.push(backup(
                BackupReason::Import,
                &format!("2026-11-0{}T00:00:{i:02}Z", 1 + i % 9),
                all.len(),
            ));
        }
        for i in 0..3 {
            all.push(backup(
                BackupReason::Manual,
                &format!("2020-01-01T00:00:0{i}Z"),
                all.len(),
            ));
        }
        all.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.path.cmp(&a.path)));
        let gone: BTreeSet<String> = expired(&all).iter().map(|b| b.path.clone()).collect();
        let kept: Vec<&Backup> = all.iter().filter(|b| !gone.contains(&b.path)).collect();
        let daily = kept
            .iter()
            .filter(|b| b.reason == BackupReason::Daily)
            .count();
        assert_eq!(daily, KEEP_DAILY + KEEP_WEEKLY);
        let ops = kept
            .iter()
            .filter(|b| b.reason == BackupReason::Import)
            .count();
        assert_eq!(ops, KEEP_OPERATION);
        let manual = kept
            .iter()
            .filter(|b| b.reason == BackupReason::Manual)
            .count();
        assert_eq!(manual, 3);
        // The 7 newest days are all kept; the weekly ones are in 4 distinct earlier weeks.
        let dailies: Vec<&&Backup> = kept
            .iter()
            .filter(|b| b.reason == BackupReason::Daily)
            .collect();
        assert_eq!(dailies[0].created_at, "2026-11-23T09:00:00Z");
        let weeks: BTreeSet<_> = dailies[KEEP_DAILY..]
            .iter()
            .map(|b| parse_time(&b.created_at).unwrap().iso_week().week())
            .collect();
        assert_eq!(weeks.len(), KEEP_WEEKLY);
    }

    #[test]
    fn reasons_round_trip_through_the_sidecar_words() {
        for r in [
            BackupReason::Daily,
            BackupReason::Import,
            BackupReason::BulkMerge,
            BackupReason::ScoringModel,
            BackupReason::Restore,
        ] {
            let json = serde_json::to_string(&r).unwrap();
            assert_eq!(json, format!("\"{}\"", r.label()));
        }
    }
}
