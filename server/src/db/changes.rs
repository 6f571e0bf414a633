//! "Has anything been committed to this SQLite database since?", answered
//! without a read transaction: the question a cache of anything stored must
//! ask before each use.
//!
//! In WAL mode every process that has the database open maps its `-shm`
//! file, the wal-index, whose first 96 bytes are two copies of a 48-byte
//! header that every commit rewrites (its change counter `iChange`, the last
//! valid frame, the salts and a checksum; the format is documented at
//! <https://www.sqlite.org/walformat.html>, section 2.1, and fixed since
//! 3.7.0 because processes linked to different SQLite versions share it).
//! SQLite itself reads that header without a lock to find out whether its
//! page cache is still good, and so does a [`Stamp`]: a copy of it, read
//! from a mapping of the file's first page (the two copies, then compared,
//! in the order SQLite reads them). Equal stamps mean that no transaction
//! committed in between, in this process or any other (the CLI, another
//! tool); checkpoints do not change it.
//!
//! The mapping is safe to read only while the file keeps its size: SQLite
//! truncates a `-shm` file when it rebuilds the wal-index, which only the
//! first connection of all processes to open the database does (it holds
//! the "dead man switch" lock exclusively), and reading a mapping over a
//! truncated file faults. So the mapping keeps a connection of its own
//! open, which has read the database and so holds that lock shared: while
//! it lives nobody rebuilds this wal-index, and the mapping lives exactly
//! as long.
//!
//! A read transaction would answer the same question through SQLite's API
//! (`PRAGMA data_version`), but taking and dropping its shared-memory lock
//! costs as much as the lookup the cache saves; so did a `pread` of the
//! header (a system call per request: 3 % of an authenticated `GET`, perf).
//! Every doubt reads as a change: the two copies differ (a commit is
//! rewriting them), the header is not initialised or not of the known
//! version, the file could not be mapped. So a wrong answer can only cost a
//! cache miss, never a stale hit.
//!
//! Refused: a watch thread or inotify (a change would be seen after it
//! happened, not before the next request).

use std::mem::ManuallyDrop;
use std::os::fd::AsRawFd;
use std::path::Path;
use std::ptr::NonNull;
use std::sync::atomic::{fence, AtomicU32, Ordering};
use std::sync::Mutex;

use diesel::connection::SimpleConnection;

use super::Conn;

/// The wal-index header's `iVersion`.
const WAL_INDEX_VERSION: u32 = 3_007_000;
const HEADER: usize = 48;
const WORDS: usize = HEADER / 4;
/// What is mapped: the page that holds both copies of the header.
const MAPPED: usize = 4096;

/// One reading of the wal-index header (see the module's note).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    /// Which opening of the database the header belongs to: a replaced file
    /// starts a header of its own, which might repeat an old one.
    opening: u64,
    header: [u32; WORDS],
}

/// The `-shm` file of one opening of the database, mapped read-only.
pub(super) struct Changes {
    /// The first [`MAPPED`] bytes of the file, shared with every process
    /// that has the database open.
    map: NonNull<AtomicU32>,
    opening: u64,
    /// Keeps the wal-index from being rebuilt (see the module's note); only
    /// dropped, after the mapping is gone.
    _guard: Mutex<Conn>,
    /// Never closed: closing any descriptor of a file drops every POSIX
    /// lock this process holds on it, and SQLite's connections (of this
    /// opening, or of a later one on the same `-shm` file) hold theirs on
    /// this one. One descriptor is left behind per reopening of a replaced
    /// database, which an operator's restore causes.
    _shm: ManuallyDrop<std::fs::File>,
}

// SAFETY: the mapping is only ever read, through atomics, and lives as long
// as the value (unmapped in `drop`).
unsafe impl Send for Changes {}
unsafe impl Sync for Changes {}

impl Changes {
    /// Maps `DATABASE-shm`, once `guard` (a connection to the database) has
    /// read the database, which opens the wal-index in WAL mode. `None` if
    /// anything fails: then nothing is ever stamped, and nothing cached.
    pub(super) fn open(database: &Path, opening: u64, mut guard: Conn) -> Option<Self> {
        guard.batch_execute("SELECT count(*) FROM sqlite_schema").ok()?;
        let mut name = database.as_os_str().to_owned();
        name.push("-shm");
        let shm = ManuallyDrop::new(std::fs::File::open(name).ok()?);
        if shm.metadata().ok()?.len() < MAPPED as u64 {
            return None;
        }
        // SAFETY: a fresh read-only shared mapping of a file at least as
        // long, which the guard keeps from shrinking (see the module's note).
        let map =
            unsafe { libc::mmap(std::ptr::null_mut(), MAPPED, libc::PROT_READ, libc::MAP_SHARED, shm.as_raw_fd(), 0) };
        if map == libc::MAP_FAILED {
            return None;
        }
        Some(Changes { map: NonNull::new(map.cast())?, opening, _guard: Mutex::new(guard), _shm: shm })
    }

    /// The header as it is now, or `None` when in doubt.
    pub(super) fn stamp(&self) -> Option<Stamp> {
        // SAFETY: `map` is page-aligned and maps `MAPPED` bytes, more than
        // the 2 × 12 words read; other processes write them concurrently,
        // hence atomic loads.
        let word = |i: usize| unsafe { self.map.as_ptr().add(i).as_ref() }.map(|w| w.load(Ordering::Relaxed));
        // As SQLite reads it: the first copy, then the second; a writer
        // writes them in the other order, so equal copies are one header.
        let mut first = [0u32; WORDS];
        for (i, w) in first.iter_mut().enumerate() {
            *w = word(i)?;
        }
        fence(Ordering::Acquire);
        for (i, &w) in first.iter().enumerate() {
            if word(WORDS + i)? != w {
                return None;
            }
        }
        // `iVersion` is the first word; `isInit` is the byte at offset 12.
        let initialised = first[3].to_ne_bytes()[0] == 1;
        if first[0] != WAL_INDEX_VERSION || !initialised {
            return None;
        }
        Some(Stamp { opening: self.opening, header: first })
    }
}

impl Drop for Changes {
    fn drop(&mut self) {
        // SAFETY: mapped in `open`, and nothing reads it after this.
        unsafe { libc::munmap(self.map.as_ptr().cast(), MAPPED) };
    }
}
