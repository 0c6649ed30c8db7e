//! Reading a large part of the database on both cores: one pass on the caller's connection
//! while another runs on a second, read-only connection to the same file.
//!
//! The two connections see the same data only if nothing was committed in between: the
//! caller's `data_version` and `total_changes` are compared before and after, and `None`
//! tells the caller to read again on one connection (or to try later).

use rusqlite::Connection;

use crate::{Error, Result};

/// The address space mapped while scanning whole tables (only what the file holds is
/// mapped): memory-mapped reads avoid a copy per page (the leads pass of a score recompute:
/// 4.3 s → 1.4 s measured at 1M leads).
pub(crate) const MMAP_BYTES: i64 = 16 << 30;

/// Runs `f` with the database file memory-mapped, so that pages are read in place instead of
/// copied out of the OS cache one by one. Worth it only for reads of most of the file (the
/// dormant segment count at 1M leads: 6.2 s → 3.1 s), while the map and unmap around a
/// 5 ms query cost more than they save. Mapping is switched off again afterwards.
pub(crate) fn mapped<T>(conn: &Connection, f: impl FnOnce() -> Result<T>) -> Result<T> {
    conn.pragma_update(None, "mmap_size", MMAP_BYTES)?;
    let result = f();
    conn.pragma_update(None, "mmap_size", 0)?;
    result
}

/// One state of the database as one connection sees it: commits by other connections move
/// `data_version`; every row this connection changes moves `total_changes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp {
    data_version: i64,
    total_changes: u64,
}

impl Stamp {
    pub(crate) fn of(conn: &Connection) -> Result<Self> {
        Ok(Self {
            data_version: conn.pragma_query_value(None, "data_version", |r| r.get(0))?,
            total_changes: conn.total_changes(),
        })
    }
}

/// Runs `there` on a second read-only connection to `file` (a thread of its own) while
/// `here` runs on `conn`, both with memory-mapped reads; their results and the state they
/// read, or `None` when the database changed meanwhile. Call it outside a transaction.
pub(crate) fn read_on_two_cores<A, B: Send>(
    conn: &Connection,
    file: &super::DbFile,
    there: impl FnOnce(&Connection) -> Result<B> + Send,
    here: impl FnOnce(&Connection) -> Result<A>,
) -> Result<Option<(A, B, Stamp)>> {
    let before = Stamp::of(conn)?;
    conn.pragma_update(None, "mmap_size", MMAP_BYTES)?;
    let result = std::thread::scope(|scope| {
        let other = scope.spawn(|| -> Result<B> {
            let other = file.open_read_only()?;
            other.busy_timeout(std::time::Duration::from_millis(1500))?;
            other.pragma_update(None, "mmap_size", MMAP_BYTES)?;
            there(&other)
        });
        let mine = here(conn);
        let theirs = other
            .join()
            .map_err(|_| Error::Conflict("the second reader stopped".into()))?;
        Ok::<_, Error>((mine?, theirs?))
    });
    conn.pragma_update(None, "mmap_size", 0)?;
    let (mine, theirs) = result?;
    Ok((Stamp::of(conn)? == before).then_some((mine, theirs, before)))
}
