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
//! page cache is still good. A [`Stamp`] is a copy of it, read with one
//! `pread`: equal stamps mean that no transaction committed in between, in
//! this process or any other (the CLI, another tool); checkpoints do not
//! change it.
//!
//! A read transaction would answer the same question through SQLite's API
//! (`PRAGMA data_version`), but taking and dropping its shared-memory lock
//! costs as much as the lookup the cache saves. Every doubt reads as a
//! change: the two copies differ (a commit is rewriting them), the header
//! is not initialised or not of the known version, the file is missing. So
//! a wrong answer can only cost a cache miss, never a stale hit.
//!
//! Refused: mapping the file ourselves (SQLite truncates a `-shm` file that
//! it rebuilds, and a mapping over a truncated file faults), and a watch
//! thread or inotify (a change would be seen after it happened, not before
//! the next request).

use std::mem::ManuallyDrop;
use std::os::unix::fs::FileExt;
use std::path::Path;

/// The wal-index header's `iVersion`.
const WAL_INDEX_VERSION: u32 = 3_007_000;
const HEADER: usize = 48;

/// One reading of the wal-index header (see the module's note).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    /// Which opening of the database the header belongs to: a replaced file
    /// starts a header of its own, which might repeat an old one.
    opening: u64,
    header: [u8; HEADER],
}

/// The `-shm` file of one opening of the database, read-only.
pub(super) struct Changes {
    /// Never closed: closing any descriptor of a file drops every POSIX
    /// lock this process holds on it, and SQLite's connections (of this
    /// opening, or of a later one on the same `-shm` file) hold theirs on
    /// this one. One descriptor is left behind per reopening of a replaced
    /// database, which an operator's restore causes.
    shm: ManuallyDrop<std::fs::File>,
    opening: u64,
}

impl Changes {
    /// Opens `DATABASE-shm`, which exists once a connection has opened the
    /// database in WAL mode. `None` if it cannot be opened: then nothing is
    /// ever stamped, and nothing cached.
    pub(super) fn open(database: &Path, opening: u64) -> Option<Self> {
        let mut name = database.as_os_str().to_owned();
        name.push("-shm");
        let shm = ManuallyDrop::new(std::fs::File::open(name).ok()?);
        Some(Changes { shm, opening })
    }

    /// The header as it is now, or `None` when in doubt.
    pub(super) fn stamp(&self) -> Option<Stamp> {
        let mut both = [0u8; 2 * HEADER];
        self.shm.read_exact_at(&mut both, 0).ok()?;
        let (first, second) = both.split_at(HEADER);
        let version = u32::from_ne_bytes(first[..4].try_into().ok()?);
        let initialised = first[12] == 1;
        if first != second || version != WAL_INDEX_VERSION || !initialised {
            return None;
        }
        Some(Stamp { opening: self.opening, header: first.try_into().ok()? })
    }
}
