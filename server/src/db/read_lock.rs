//! The connections lookups run on, each keeping its read transaction open
//! from one lookup to the next for as long as nothing commits, for a few
//! milliseconds at a time.
//!
//! A lookup in autocommit mode begins a read transaction and ends it: SQLite
//! takes a shared lock on one of the wal-index's read slots and drops it
//! (two `fcntl` calls on the `-shm` file when no other connection of the
//! process holds that slot), reads the wal-index header and, at the end,
//! releases its pages. Together that was a third of what the database added
//! to an authenticated `GET` (perf), and a read on a connection whose
//! transaction is already open skips all of it. So lookups run on a few
//! connections of their own, one per core (a lookup takes the first that no
//! other lookup is using, and falls back to the pool when all are busy;
//! they read the file through a memory map, see `Manager::connect_lookup`),
//! and each keeps its transaction open after the lookup. The next lookup on
//! it reuses that transaction only if the database's [`Stamp`] is the one
//! read before it began: then nothing has committed since, anywhere (this
//! process, the CLI, another replica), and the snapshot it reads *is* the
//! database as it is now; a lookup sees every commit made before it, as in
//! autocommit mode. Otherwise it ends that transaction and begins another.
//! While one of them holds a read slot, SQLite counts the process's other
//! holders instead of calling `fcntl` for them.
//!
//! What they must not do is what a long read transaction does: keep a
//! snapshot that checkpoints cannot move past, and keep a writer from
//! restarting the WAL from its beginning (which needs every read slot
//! free), so that the WAL grows. Hence:
//! - our own writer ends them before each batch and keeps them from being
//!   kept until its commit ([`ReadLock::pause`]), so its checkpoints and
//!   restarts see only the lookups actually running, as in autocommit mode;
//! - they are kept within windows of [`HOLD_FOR`], shared by all of them,
//!   each followed by [`REST_FOR`] in which none is kept: another process on
//!   the same file (the CLI, another replica) gets a moment to checkpoint
//!   and restart the WAL at least every few milliseconds;
//! - a timer ends them when no lookup comes to do so;
//! - a lookup that fails ends its transaction, whatever went wrong.
//!
//! When the stamp cannot be read, nothing is kept: every lookup is its own
//! transaction. When a connection cannot be opened, lookups use the pool.
//!
//! Refused: keeping the pool's own connections' read transactions open
//! across requests (each would pin a snapshot of its own, unchecked, and
//! an idle one would keep it for ever); `locking_mode = EXCLUSIVE`, which
//! keeps the wal-index in private memory but shuts out the CLI and every
//! other process.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, TryLockError, Weak};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;

use super::{Conn, DbResult, Manager, Stamp};

/// How long a window in which transactions are kept lasts.
pub const HOLD_FOR: Duration = Duration::from_millis(8);
/// How long none is kept after each window.
pub const REST_FOR: Duration = Duration::from_millis(1);

/// The lookup connections of one opening of one SQLite file.
pub struct ReadLock {
    manager: Manager,
    slots: Box<[Mutex<Slot>]>,
    /// Writes of this process in progress: while any is, nothing is kept.
    paused: AtomicUsize,
    /// The origin of the windows (see [`ReadLock::window`]).
    epoch: Instant,
    /// A timer task is ending the transactions kept once their window is over.
    timer: AtomicBool,
    /// Opening a connection failed: lookups use the pool.
    broken: AtomicBool,
}

#[derive(Default)]
struct Slot {
    conn: Option<Conn>,
    kept: Option<Kept>,
}

/// A read transaction left open after a lookup.
#[derive(Clone, Copy)]
struct Kept {
    /// The stamp read before it began.
    stamp: Stamp,
    /// The window it began in.
    window: u128,
}

impl Slot {
    /// Ends the kept transaction, if any; a connection on which that fails
    /// is closed (which ends it too).
    fn end(&mut self) {
        if self.kept.take().is_some() {
            let ended = self.conn.as_mut().map(|c| c.batch_execute("COMMIT"));
            if !matches!(ended, Some(Ok(()))) {
                self.conn = None;
            }
        }
    }
}

thread_local! {
    /// Where this thread starts looking for a free slot: threads spread
    /// over the slots, so that each mostly finds its own.
    static FIRST_SLOT: Cell<Option<usize>> = const { Cell::new(None) };
}
static NEXT_THREAD: AtomicUsize = AtomicUsize::new(0);

impl ReadLock {
    pub(super) fn new(manager: Manager) -> Arc<Self> {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 16);
        Arc::new(ReadLock {
            manager,
            slots: (0..cores).map(|_| Mutex::default()).collect(),
            paused: AtomicUsize::new(0),
            epoch: Instant::now(),
            timer: AtomicBool::new(false),
            broken: AtomicBool::new(false),
        })
    }

    /// The window `now` falls in, if transactions may be kept in it.
    fn window(&self) -> Option<u128> {
        let period = (HOLD_FOR + REST_FOR).as_nanos();
        let t = self.epoch.elapsed().as_nanos();
        (t % period < HOLD_FOR.as_nanos()).then_some(t / period)
    }

    /// Whether a transaction begun under `kept` may still be used, or kept,
    /// with the database at `stamp`.
    fn still_good(&self, kept: Kept, stamp: Option<Stamp>) -> bool {
        stamp == Some(kept.stamp) && self.window() == Some(kept.window) && self.paused.load(Ordering::Acquire) == 0
    }

    /// Runs the lookup `f` on a free lookup connection, reusing its open
    /// transaction when nothing has committed since it began (the database
    /// being at `stamp` now, read before this call) and leaving it open
    /// after; `Err(f)` when every connection is busy or none can be opened.
    pub(super) fn run<T, F>(self: &Arc<Self>, stamp: Option<Stamp>, f: F) -> Result<DbResult<T>, F>
    where
        F: FnOnce(&mut Conn) -> DbResult<T>,
    {
        if self.broken.load(Ordering::Relaxed) {
            return Err(f);
        }
        let Some(mut slot) = self.free_slot() else { return Err(f) };
        if slot.kept.is_some_and(|kept| !self.still_good(kept, stamp)) {
            slot.end();
        }
        if slot.conn.is_none() {
            match self.manager.connect_lookup() {
                Ok(conn) => slot.conn = Some(conn),
                Err(_) => {
                    self.broken.store(true, Ordering::Relaxed);
                    return Err(f);
                }
            }
        }
        if slot.kept.is_none() {
            if let (Some(stamp), Some(window), 0) = (stamp, self.window(), self.paused.load(Ordering::Acquire)) {
                // A deferred transaction takes its snapshot at its first
                // read, the lookup's: after `stamp` was read, so a commit in
                // between makes the two differ and the next lookup begins
                // anew.
                let conn = slot.conn.as_mut().expect("opened above");
                if conn.batch_execute("BEGIN DEFERRED").is_err() {
                    slot.conn = None;
                    return Err(f);
                }
                slot.kept = Some(Kept { stamp, window });
                self.start_timer();
            }
        }
        let out = f(slot.conn.as_mut().expect("opened above"));
        if out.is_err() || slot.kept.is_some_and(|kept| !self.still_good(kept, stamp)) {
            slot.end();
        }
        Ok(out)
    }

    /// The first slot no other lookup is using, from this thread's own.
    fn free_slot(&self) -> Option<MutexGuard<'_, Slot>> {
        let n = self.slots.len();
        let first = FIRST_SLOT.with(|first| {
            let mine = first.get().unwrap_or_else(|| NEXT_THREAD.fetch_add(1, Ordering::Relaxed));
            first.set(Some(mine));
            mine
        });
        (0..n).find_map(|i| match self.slots[(first + i) % n].try_lock() {
            Ok(slot) => Some(slot),
            // A lookup panicked on it: its transaction and connection are
            // in an unknown state, so both go.
            Err(TryLockError::Poisoned(poisoned)) => {
                let mut slot = poisoned.into_inner();
                *slot = Slot::default();
                self.slots[(first + i) % n].clear_poison();
                Some(slot)
            }
            Err(TryLockError::WouldBlock) => None,
        })
    }

    /// Ends every kept transaction that may no longer be kept (its window
    /// is over, or a write is in progress); whether any is still kept. With
    /// `wait`, waits for the lookups running (a few microseconds each):
    /// one that decided to keep its transaction just before a write began
    /// would otherwise keep it through the write. Without, skips them:
    /// they end their own as they finish.
    fn end_stale(&self, wait: bool) -> bool {
        let mut any_kept = false;
        for slot in self.slots.iter() {
            let slot = match slot.try_lock() {
                Ok(slot) => Some(slot),
                Err(TryLockError::Poisoned(poisoned)) => Some(poisoned.into_inner()),
                Err(TryLockError::WouldBlock) if wait => Some(slot.lock().unwrap_or_else(|e| e.into_inner())),
                Err(TryLockError::WouldBlock) => None,
            };
            match slot {
                Some(mut slot) => {
                    if slot.kept.is_some_and(|kept| !self.still_good(kept, Some(kept.stamp))) {
                        slot.end();
                    }
                    any_kept |= slot.kept.is_some();
                }
                None => any_kept = true,
            }
        }
        any_kept
    }

    fn start_timer(self: &Arc<Self>) {
        if self.timer.swap(true, Ordering::AcqRel) {
            return;
        }
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => drop(runtime.spawn(end_when_due(Arc::downgrade(self)))),
            Err(_) => self.timer.store(false, Ordering::Release),
        }
    }

    /// Ends the kept transactions until the returned guard is dropped: the
    /// writer's batch, from its first statement to its commit.
    pub(super) fn pause(self: &Arc<Self>) -> Paused {
        self.paused.fetch_add(1, Ordering::AcqRel);
        self.end_stale(true);
        Paused(self.clone())
    }

    /// Whether any lookup connection keeps a transaction open now (for
    /// tests).
    pub fn is_held(&self) -> bool {
        self.slots.iter().any(|slot| slot.lock().unwrap_or_else(|e| e.into_inner()).kept.is_some())
    }
}

/// See [`ReadLock::pause`].
pub struct Paused(Arc<ReadLock>);

impl Drop for Paused {
    fn drop(&mut self) {
        self.0.paused.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Ends the kept transactions once their window is over, for as long as
/// lookups keep some; ends when none is kept or the opening is gone.
async fn end_when_due(lookups: Weak<ReadLock>) {
    loop {
        tokio::time::sleep(HOLD_FOR).await;
        let Some(lookups) = lookups.upgrade() else { return };
        if !lookups.end_stale(false) {
            lookups.timer.store(false, Ordering::Release);
            // A lookup may have kept one between the look and the store.
            if !lookups.end_stale(false) || lookups.timer.swap(true, Ordering::AcqRel) {
                return;
            }
        }
    }
}
