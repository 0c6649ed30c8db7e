//! Crash safety: the real `sodate` binary is killed (SIGKILL) at random moments during an
//! import, a bulk merge, a score recompute, a backup and a schema migration, and the
//! database left behind must pass `PRAGMA integrity_check`, hold each operation entirely or
//! not at all, and keep every edit acknowledged before the kill.
//!
//! 100 runs in the regular suite (20 per operation); `SODATE_CRASH_RUNS=N` runs N per
//! operation (the long mode), `SODATE_CRASH_SEED=S` replays a run's random moments.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};

const IMPORT_ROWS: u64 = 3000;

fn runs_per_operation() -> u32 {
    std::env::var("SODATE_CRASH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20)
}

/// A small deterministic generator (xorshift), seeded per test so that a failure can be
/// replayed with SODATE_CRASH_SEED.
struct Moments(u64);

impl Moments {
    fn new(salt: u64) -> Self {
        let seed = std::env::var("SODATE_CRASH_SEED")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos() as u64
            });
        eprintln!("crash harness seed {seed} (replay with SODATE_CRASH_SEED={seed})");
        Self((seed ^ salt.wrapping_mul(0x9E37_79B9_7F4A_7C15)) | 1)
    }

    /// A moment in [0, within).
    fn next(&mut self, within: Duration) -> Duration {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        let micros = within.as_micros().max(1) as u64;
        Duration::from_micros(self.0 % micros)
    }
}

fn sodate(db: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sodate"));
    c.arg("--db")
        .arg(db)
        .args(args)
        .env_remove("SODATE_DB")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

fn run_ok(db: &Path, args: &[&str]) {
    let out = sodate(db, args).stderr(Stdio::piped()).output().unwrap();
    assert!(
        out.status.success(),
        "sodate {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Starts `args`, SIGKILLs it after `after` (if still running); true if it was killed
/// before it finished.
fn kill_after(db: &Path, args: &[&str], after: Duration) -> bool {
    let mut child: Child = sodate(db, args).spawn().unwrap();
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(
                status.success(),
                "sodate {args:?} failed on its own: {status}"
            );
            return false;
        }
        if started.elapsed() >= after {
            child.kill().unwrap(); // SIGKILL on unix
            child.wait().unwrap();
            return true;
        }
        std::thread::sleep(Duration::from_micros(500));
    }
}

/// How long `args` takes to finish on a fresh copy of `template`.
fn duration_of(template: &Path, dir: &Path, args: &[&str]) -> Duration {
    let db = fresh_copy(template, dir, "timing");
    let started = Instant::now();
    run_ok(&db, args);
    started.elapsed()
}

fn fresh_copy(template: &Path, dir: &Path, name: &str) -> PathBuf {
    let run = dir.join(name);
    let _ = std::fs::remove_dir_all(&run);
    std::fs::create_dir_all(&run).unwrap();
    let db = run.join("sodate.db");
    std::fs::copy(template, &db).unwrap();
    db
}

fn open(db: &Path) -> Connection {
    Connection::open(db).unwrap()
}

fn integrity(db: &Path) -> String {
    open(db)
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

fn count(db: &Path, sql: &str) -> i64 {
    open(db).query_row(sql, [], |r| r.get(0)).unwrap()
}

/// A closed, checkpointed demo database (no -wal beside it) to copy for every run.
fn template(dir: &Path, leads: &str) -> PathBuf {
    let db = dir.join("template.db");
    run_ok(
        &db,
        &[
            "demo",
            "--leads",
            leads,
            "--seed",
            "3",
            "--anchor",
            "2026-11-01",
        ],
    );
    let conn = open(&db);
    conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
    drop(conn);
    db
}

/// Runs `check` after killing `args` at random moments, `runs` times.
fn torture(
    name: &str,
    template: &Path,
    dir: &Path,
    args: &[&str],
    salt: u64,
    check: &dyn Fn(&Path, bool),
) {
    let full = duration_of(template, dir, args);
    let mut moments = Moments::new(salt);
    let mut killed = 0;
    for run in 0..runs_per_operation() {
        let db = fresh_copy(template, dir, &format!("{name}-{run}"));
        // Up to 10 % past the measured time: a few runs complete.
        let at = moments.next(full + full / 10);
        let was_killed = kill_after(&db, args, at);
        killed += u32::from(was_killed);
        assert_eq!(
            integrity(&db),
            "ok",
            "{name} run {run}, killed after {at:?} (of {full:?})"
        );
        check(&db, was_killed);
        // Every backup listed is whole (a killed backup leaves at most a .partial).
        for b in backups_of(&db) {
            let conn = Connection::open_with_flags(&b, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
            let ok: String = conn
                .query_row("PRAGMA integrity_check", [], |r| r.get(0))
                .unwrap();
            assert_eq!(
                ok,
                "ok",
                "{name} run {run}: backup {} is not whole",
                b.display()
            );
        }
        // The database still opens and answers in Sodate after the crash.
        run_ok(&db, &["stats"]);
        let _ = std::fs::remove_dir_all(db.parent().unwrap());
    }
    eprintln!(
        "{name}: {killed} of {} runs killed mid-way (full run {full:?})",
        runs_per_operation()
    );
    assert!(killed > 0, "{name}: no run was killed mid-way");
}

/// The backup files listed (those with a sidecar).
fn backups_of(db: &Path) -> Vec<PathBuf> {
    let folder = db.parent().unwrap().join("backups");
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "db") && p.with_extension("json").exists())
        .collect()
}

fn write_csv(path: &Path, rows: u64) {
    use std::fmt::Write;
    let mut text = String::from("Last Name,First Name,Company,Email,Phone\n");
    for i in 0..rows {
        writeln!(
            text,
            "山田{i},太郎,株式会社クラッシュ{},crash{i}@example.jp,03-5555-{:04}",
            i % 50,
            i % 10_000
        )
        .unwrap();
    }
    std::fs::write(path, text).unwrap();
}

#[test]
fn a_killed_import_leaves_all_of_its_leads_or_none() {
    let dir = tempfile::tempdir().unwrap();
    let template = template(dir.path(), "300");
    let csv = dir.path().join("big.csv");
    write_csv(&csv, IMPORT_ROWS);
    let before = count(&template, "SELECT count(*) FROM leads");
    let csv = csv.to_string_lossy().into_owned();
    torture(
        "import",
        &template,
        dir.path(),
        &["import", &csv],
        1,
        &|db, killed| {
            let leads = count(db, "SELECT count(*) FROM leads");
            let batches = count(db, "SELECT count(*) FROM import_batches");
            assert!(
                (leads == before && batches == 0)
                    || (leads == before + IMPORT_ROWS as i64 && batches == 1),
                "leads {leads}, batches {batches} (before {before}, killed {killed})"
            );
            let search = count(db, "SELECT count(*) FROM lead_search");
            assert_eq!(search, leads, "the search index matches the leads");
        },
    );
}

#[test]
fn a_killed_bulk_merge_leaves_every_merge_or_none() {
    let dir = tempfile::tempdir().unwrap();
    let template = template(dir.path(), "1500");
    let before = count(&template, "SELECT count(*) FROM leads");
    // The complete result, measured once.
    let done = fresh_copy(&template, dir.path(), "merged");
    run_ok(&done, &["merge-all", "--min-confidence", "80"]);
    let merges = count(&done, "SELECT count(*) FROM merges");
    let after = count(&done, "SELECT count(*) FROM leads");
    assert!(merges > 0, "the demo data has duplicates to merge");
    torture(
        "merge",
        &template,
        dir.path(),
        &["merge-all", "--min-confidence", "80"],
        2,
        &|db, _| {
            let m = count(db, "SELECT count(*) FROM merges");
            let live = count(db, "SELECT count(*) FROM leads");
            assert!(
                (m == 0 && live == before) || (m == merges && live == after),
                "merges {m}, live leads {live}: neither before ({before}) nor after ({merges}, {after})"
            );
        },
    );
}

#[test]
fn a_killed_score_recompute_leaves_every_score_old_or_every_score_new() {
    let dir = tempfile::tempdir().unwrap();
    let template = template(dir.path(), "3000");
    // Scores from long ago: a recompute today changes them (decay).
    {
        let conn = open(&template);
        conn.execute_batch("UPDATE lead_scores SET engagement_score = engagement_score + 7")
            .unwrap();
    }
    let sum = "SELECT printf('%.3f', total(engagement_score) + total(fit_score)) FROM lead_scores";
    let text = |db: &Path| -> String { open(db).query_row(sum, [], |r| r.get(0)).unwrap() };
    let old = text(&template);
    let done = fresh_copy(&template, dir.path(), "scored");
    run_ok(&done, &["score"]);
    let new = text(&done);
    assert_ne!(old, new, "the recompute changes the scores");
    torture("score", &template, dir.path(), &["score"], 3, &|db, _| {
        let got = text(db);
        assert!(
            got == old || got == new,
            "scores {got}: neither {old} nor {new}"
        );
    });
}

#[test]
fn a_killed_backup_leaves_the_database_unchanged_and_no_half_backup_listed() {
    let dir = tempfile::tempdir().unwrap();
    let template = template(dir.path(), "3000");
    let leads = count(&template, "SELECT count(*) FROM leads");
    torture(
        "backup",
        &template,
        dir.path(),
        &["backup"],
        4,
        &|db, killed| {
            assert_eq!(count(db, "SELECT count(*) FROM leads"), leads);
            if !killed {
                assert_eq!(backups_of(db).len(), 1, "a finished backup is listed");
            }
        },
    );
}

/// A database at the first schema version with `leads` rows, closed.
fn first_schema_db(dir: &Path, leads: u32) -> PathBuf {
    let db = dir.join("old.db");
    let conn = open(&db);
    conn.pragma_update(None, "page_size", sodate_core::db::PAGE_SIZE)
        .unwrap();
    let first = sodate_core::db::migration_sql()[0];
    conn.execute_batch(&format!("BEGIN; {first}\n; COMMIT;"))
        .unwrap();
    conn.pragma_update(None, "user_version", 1).unwrap();
    conn.pragma_update(None, "application_id", sodate_core::db::APPLICATION_ID)
        .unwrap();
    conn.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
         INSERT INTO leads (family_name, given_name, email, email_key, name_key, search_text,
                            created_at, updated_at)
         SELECT '山田' || i, '花子', 'old' || i || '@example.jp', 'old' || i || '@example.jp',
                '山田' || i || '花子', '山田' || i || '花子 old' || i || '@example.jp',
                '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z' FROM n",
        [leads],
    )
    .unwrap();
    drop(conn);
    db
}

#[test]
fn a_killed_migration_leaves_the_old_schema_or_the_new_one_with_every_lead() {
    let dir = tempfile::tempdir().unwrap();
    let template = first_schema_db(dir.path(), 20_000);
    let latest = sodate_core::db::schema_version() as i64;
    torture(
        "migration",
        &template,
        dir.path(),
        &["stats"],
        5,
        &|db, _| {
            let version = count(db, "PRAGMA user_version");
            assert!(
                version == 1 || version == latest,
                "schema {version}: neither 1 nor {latest}"
            );
            assert_eq!(count(db, "SELECT count(*) FROM leads"), 20_000);
        },
    );
}

#[test]
fn every_edit_acknowledged_before_a_kill_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let template = template(dir.path(), "200");
    let db = fresh_copy(&template, dir.path(), "edits");
    let mut moments = Moments::new(6);
    let activities = |db: &Path| {
        count(
            db,
            "SELECT count(*) FROM activities WHERE detail LIKE 'ack-%'",
        )
    };
    let mut acknowledged = 0i64;
    let mut in_flight_killed = 0;
    for n in 0..(runs_per_operation() * 2) {
        let detail = format!("ack-{n}");
        let args = [
            "activity",
            "add",
            "--lead",
            "1",
            "--type",
            "page_view",
            "--detail",
            &detail,
        ];
        // Most edits finish; every third one is killed at a random moment.
        if n % 3 == 2 {
            let killed = kill_after(&db, &args, moments.next(Duration::from_millis(60)));
            if killed {
                in_flight_killed += 1;
            } else {
                acknowledged += 1;
            }
            let present = activities(&db);
            assert!(
                present == acknowledged || present == acknowledged + 1,
                "{present} edits present, {acknowledged} acknowledged"
            );
            acknowledged = present;
        } else {
            run_ok(&db, &args);
            acknowledged += 1;
        }
        assert_eq!(
            activities(&db),
            acknowledged,
            "an acknowledged edit was lost"
        );
    }
    assert_eq!(integrity(&db), "ok");
    eprintln!("{in_flight_killed} edits killed in flight");
}
