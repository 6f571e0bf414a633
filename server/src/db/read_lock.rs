//! A read lock this process keeps on the SQLite wal-index for a few
//! milliseconds at a time, so that its lookups do not each take and drop
//! one with `fcntl`.
//!
//! Every read transaction in WAL mode takes a shared lock on one of the
//! wal-index's read slots and drops it at the end: two `fcntl` calls on the
//! `-shm` file, about 3 µs, a sixth of what an authenticated `GET` added
//! to the framework's own cost (perf: `unixShmLock`). SQLite counts those
//! locks per process and calls `fcntl` only for the first holder of a slot
//! and the last one to let go. So one connection of our own that holds a
//! read transaction open on the current snapshot makes every lookup that
//! picks the same slot (all of them, while nothing commits) a counter
//! increment instead.
//!
//! What it must not do is what a long read transaction does: keep a
//! snapshot that checkpoints cannot move past, and keep a writer from
//! restarting the WAL from its beginning (which needs every read slot free)
//! so that the WAL grows. Hence:
//! - our own writer lets go of it before each batch and until the commit
//!   ([`ReadLock::pause`]), so its checkpoints and restarts see only the
//!   lookups actually running, as without the keeper;
//! - it is held for [`HOLD_FOR`] at most, then left free for [`REST_FOR`]
//!   before a lookup takes it again: another process on the same file (the
//!   CLI, another replica) gets a window to checkpoint and restart the WAL
//!   at least every few milliseconds;
//! - a timer lets go of it when no lookup comes to do so.
//!
//! Nothing reads through it: lookups run their own transactions on their
//! own connections and see every commit as before. It only changes which
//! of them call `fcntl`, so when it cannot be opened or fails it is simply
//! not there.
//!
//! Refused: keeping the pooled connections' own read transactions open
//! across requests (each would pin a snapshot of its own, and the answer
//! would depend on which connection a request got); `locking_mode =
//! EXCLUSIVE`, which keeps the wal-index in private memory but shuts out
//! the CLI and every other process.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::r2d2::ManageConnection;

use super::{Conn, Manager};

/// How long the lock is kept once taken.
pub const HOLD_FOR: Duration = Duration::from_millis(8);
/// How long it is then left free.
pub const REST_FOR: Duration = Duration::from_millis(1);

/// The keeper of one opening of one SQLite file.
pub struct ReadLock {
    manager: Manager,
    state: Mutex<State>,
    /// Writes of this process in progress: while any is, the lock is not taken.
    paused: AtomicUsize,
}

#[derive(Default)]
struct State {
    conn: Option<Conn>,
    /// Since when the open transaction has been held.
    held_since: Option<Instant>,
    /// When it was last let go.
    freed_at: Option<Instant>,
    /// A timer task will let go of it.
    timer: bool,
    /// Opening or using the connection failed: no keeper for this opening.
    broken: bool,
}

impl State {
    fn free(&mut self) {
        if self.held_since.take().is_some() {
            self.freed_at = Some(Instant::now());
            let ended = self.conn.as_mut().map(|c| c.batch_execute("COMMIT"));
            if !matches!(ended, Some(Ok(()))) {
                self.conn = None;
                self.broken = true;
            }
        }
    }
}

impl ReadLock {
    pub(super) fn new(manager: Manager) -> Arc<Self> {
        Arc::new(ReadLock { manager, state: Mutex::default(), paused: Default::default() })
    }

    /// Called before a lookup: takes the lock if it is free and due, lets
    /// it go if it has been held long enough. Never waits: a keeper busy
    /// elsewhere is skipped.
    pub(super) fn before_read(self: &Arc<Self>) {
        let Ok(mut state) = self.state.try_lock() else { return };
        if state.broken || self.paused.load(Ordering::Acquire) > 0 {
            return;
        }
        let now = Instant::now();
        match state.held_since {
            Some(since) if now.duration_since(since) < HOLD_FOR => return,
            Some(_) => {
                state.free();
                return;
            }
            None if state.freed_at.is_some_and(|at| now.duration_since(at) < REST_FOR) => return,
            None => {}
        }
        if state.conn.is_none() {
            match self.manager.connect() {
                Ok(conn) => state.conn = Some(conn),
                Err(_) => {
                    state.broken = true;
                    return;
                }
            }
        }
        let Some(conn) = state.conn.as_mut() else { return };
        // A deferred transaction takes its read lock at its first read.
        if conn.batch_execute("BEGIN DEFERRED; SELECT count(*) FROM sqlite_schema").is_err() {
            let _ = conn.batch_execute("ROLLBACK");
            state.conn = None;
            state.broken = true;
            return;
        }
        state.held_since = Some(now);
        if !state.timer {
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                state.timer = true;
                runtime.spawn(release_when_due(Arc::downgrade(self)));
            }
        }
    }

    /// Lets go of the lock until the returned guard is dropped: the
    /// writer's batch, from its first statement to its commit.
    pub(super) fn pause(self: &Arc<Self>) -> Paused {
        self.paused.fetch_add(1, Ordering::AcqRel);
        self.state.lock().unwrap_or_else(|e| e.into_inner()).free();
        Paused(self.clone())
    }

    /// Whether the lock is held now (for tests).
    pub fn is_held(&self) -> bool {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).held_since.is_some()
    }
}

/// See [`ReadLock::pause`].
pub struct Paused(Arc<ReadLock>);

impl Drop for Paused {
    fn drop(&mut self) {
        self.0.paused.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Lets go of the lock once it has been held for [`HOLD_FOR`], for as long
/// as it keeps being taken; ends when it is free or its opening is gone.
async fn release_when_due(keeper: Weak<ReadLock>) {
    loop {
        tokio::time::sleep(HOLD_FOR).await;
        let Some(keeper) = keeper.upgrade() else { return };
        let mut state = keeper.state.lock().unwrap_or_else(|e| e.into_inner());
        if state.held_since.is_some_and(|since| since.elapsed() >= HOLD_FOR) {
            state.free();
        }
        if state.held_since.is_none() {
            state.timer = false;
            return;
        }
    }
}
