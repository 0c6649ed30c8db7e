//! The open database held by the app, and the one way commands reach it: off the async
//! runtime, one call into sodate-core, errors converted to [`AppError`].

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use sodate_core::db::DbFile;
use sodate_core::encryption::Passphrase;
use sodate_core::Sodate;

use crate::error::AppError;

pub struct AppState {
    pub db_path: PathBuf,
    /// `Err` when the database could not be opened: the UI shows why, and nothing else runs.
    db: Arc<Mutex<Result<Sodate, AppError>>>,
    /// Set to stop the running job of each kind (it rolls back).
    import_cancel: Arc<AtomicBool>,
    dedupe_cancel: Arc<AtomicBool>,
    /// The dashboard's facts being read ahead after start.
    pub dashboard_ahead: Arc<ReadAhead>,
}

/// A read done ahead in the background (the dashboard's facts after start): the commands
/// that need it wait for it instead of starting the same read beside it.
#[derive(Default)]
pub struct ReadAhead {
    running: Mutex<bool>,
    done: Condvar,
}

/// Marks the read finished when dropped, whatever happened to it.
pub struct ReadAheadRunning<'a>(&'a ReadAhead);

impl Drop for ReadAheadRunning<'_> {
    fn drop(&mut self) {
        if let Ok(mut running) = self.0.running.lock() {
            *running = false;
        }
        self.0.done.notify_all();
    }
}

impl ReadAhead {
    pub fn start(&self) -> ReadAheadRunning<'_> {
        if let Ok(mut running) = self.running.lock() {
            *running = true;
        }
        ReadAheadRunning(self)
    }

    /// Waits (at most `limit`) while the read is running; at once when it is not.
    pub fn wait(&self, limit: Duration) {
        if let Ok(running) = self.running.lock() {
            let _ = self
                .done
                .wait_timeout_while(running, limit, |running| *running);
        }
    }

    /// [`ReadAhead::wait`] off the async runtime.
    pub async fn wait_async(self: &Arc<Self>, limit: Duration) {
        let this = Arc::clone(self);
        let _ = tauri::async_runtime::spawn_blocking(move || this.wait(limit)).await;
    }
}

/// The kinds of long work that can be cancelled.
#[derive(Debug, Clone, Copy)]
pub enum Job {
    /// An import (or its dry run).
    Import,
    /// A duplicate scan or a bulk merge.
    Dedupe,
}

impl AppState {
    pub fn open(db_path: PathBuf) -> Self {
        let db = Sodate::open(&db_path).map_err(AppError::from);
        Self {
            db_path,
            db: Arc::new(Mutex::new(db)),
            import_cancel: Arc::new(AtomicBool::new(false)),
            dedupe_cancel: Arc::new(AtomicBool::new(false)),
            dashboard_ahead: Arc::default(),
        }
    }

    /// Runs `f` on the database in a blocking task.
    pub async fn run<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&Sodate) -> sodate_core::Result<T> + Send + 'static,
    {
        let db = Arc::clone(&self.db);
        tauri::async_runtime::spawn_blocking(move || {
            let guard = db.lock().map_err(|_| {
                AppError::internal("the database lock was poisoned by an earlier failure")
            })?;
            match &*guard {
                Ok(db) => f(db).map_err(AppError::from),
                Err(e) => Err(e.clone()),
            }
        })
        .await
        .map_err(|e| AppError::internal(e.to_string()))?
    }

    /// Runs `f` on the database with exclusive access (it may replace the open database, as
    /// a re-encryption does), in a blocking task.
    pub async fn run_mut<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Sodate) -> sodate_core::Result<T> + Send + 'static,
    {
        let db = Arc::clone(&self.db);
        tauri::async_runtime::spawn_blocking(move || {
            let mut guard = db.lock().map_err(|_| {
                AppError::internal("the database lock was poisoned by an earlier failure")
            })?;
            match &mut *guard {
                Ok(db) => f(db).map_err(AppError::from),
                Err(e) => Err(e.clone()),
            }
        })
        .await
        .map_err(|e| AppError::internal(e.to_string()))?
    }

    /// Opens the encrypted database with `passphrase` (the unlock screen). A wrong passphrase
    /// is an error and changes nothing; an already open database stays as it is.
    pub async fn unlock(&self, passphrase: Passphrase) -> Result<(), AppError> {
        let db = Arc::clone(&self.db);
        let path = self.db_path.clone();
        tauri::async_runtime::spawn_blocking(move || {
            let mut guard = db.lock().map_err(|_| {
                AppError::internal("the database lock was poisoned by an earlier failure")
            })?;
            if guard.is_ok() {
                return Ok(());
            }
            *guard = Ok(Sodate::open_with(&path, Some(&passphrase))?);
            Ok(())
        })
        .await
        .map_err(|e| AppError::internal(e.to_string()))?
    }

    /// Closes the database and opens what `f` (given the database file and, when it is open
    /// and encrypted, its passphrase) returns: a restore. If `f` fails, the database is
    /// opened again as it is.
    pub async fn replace<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&DbFile) -> sodate_core::Result<(Sodate, T)> + Send + 'static,
    {
        let db = Arc::clone(&self.db);
        let path = self.db_path.clone();
        tauri::async_runtime::spawn_blocking(move || {
            let mut guard = db.lock().map_err(|_| {
                AppError::internal("the database lock was poisoned by an earlier failure")
            })?;
            let file = match &*guard {
                Ok(db) => db.file().clone(),
                Err(_) => DbFile { path, key: None },
            };
            // Closed first: the restore may move a damaged file aside.
            *guard = Err(AppError::internal("the database is being restored"));
            match f(&file) {
                Ok((opened, value)) => {
                    *guard = Ok(opened);
                    Ok(value)
                }
                Err(e) => {
                    *guard =
                        Sodate::open_with(&file.path, file.key.as_ref()).map_err(AppError::from);
                    Err(AppError::from(e))
                }
            }
        })
        .await
        .map_err(|e| AppError::internal(e.to_string()))?
    }

    /// Closes a database found damaged after it opened: every command then answers `error`.
    pub fn close_damaged(&self, error: AppError) {
        if let Ok(mut guard) = self.db.lock() {
            *guard = Err(error);
        }
    }

    /// The flag that stops the running job of this kind.
    pub fn cancel_flag(&self, job: Job) -> Arc<AtomicBool> {
        Arc::clone(match job {
            Job::Import => &self.import_cancel,
            Job::Dedupe => &self.dedupe_cancel,
        })
    }

    /// Clears the flag of `job` and returns it, for a job that is starting.
    pub fn start_job(&self, job: Job) -> Arc<AtomicBool> {
        let flag = self.cancel_flag(job);
        flag.store(false, std::sync::atomic::Ordering::Relaxed);
        flag
    }

    /// The open error, if the database could not be opened.
    pub fn open_error(&self) -> Option<AppError> {
        match self.db.lock() {
            Ok(guard) => guard.as_ref().err().cloned(),
            Err(_) => Some(AppError::internal("the database lock was poisoned")),
        }
    }

    /// Runs `f` on the database here, on the calling thread, when it is open (background
    /// threads of the app only: commands go through [`AppState::run`]).
    pub fn with_open<T>(&self, f: impl FnOnce(&Sodate) -> T) -> Option<T> {
        let guard = self.db.lock().ok()?;
        guard.as_ref().ok().map(f)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    use super::ReadAhead;

    #[test]
    fn a_dashboard_waits_for_the_read_ahead_and_not_when_none_runs() {
        let ahead = Arc::new(ReadAhead::default());
        // Nothing running: no wait (a 1-hour limit would hang the test otherwise).
        ahead.wait(Duration::from_secs(3600));

        let finished = Arc::new(AtomicBool::new(false));
        let running = ahead.start();
        let waiter = {
            let (ahead, finished) = (Arc::clone(&ahead), Arc::clone(&finished));
            std::thread::spawn(move || {
                ahead.wait(Duration::from_secs(3600));
                finished.load(Ordering::SeqCst)
            })
        };
        std::thread::sleep(Duration::from_millis(50));
        finished.store(true, Ordering::SeqCst);
        drop(running);
        assert!(
            waiter.join().unwrap(),
            "the waiter woke only once the read had finished"
        );
    }
}
