//! Group commit: writes that are waiting when the writer becomes free share
//! one transaction, and so one commit and one `fsync`.
//!
//! Every durable write costs a commit, and on SQLite (WAL, `synchronous =
//! FULL`) or PostgreSQL a commit waits for the disk: one transaction per
//! write stops at the disk's flush rate whatever the CPU could do. So this
//! process's writes queue here, and one blocking task (the drainer) takes
//! all that are queued — up to `write_batch`
//! ([`super::WRITE_BATCH`] by default) — into one transaction: each runs
//! inside a savepoint of its own, so one that fails (a constraint, a check
//! that reads data) rolls back to its savepoint and gets its own error while
//! the others stay; then the transaction commits once, and only then is any
//! of them answered. A write that is alone is not held back for company (no
//! timer): it runs as it would without batching, in a transaction of its
//! own, with no savepoint.
//!
//! The writes of one batch run one after the other on one connection, each
//! seeing the ones before it, exactly as if they had been serialized:
//! every check-then-act rule holds as before, across replicas too (the
//! batch's transaction takes the PostgreSQL write lock like any other).
//!
//! When the transaction itself is lost (SQLite rolls a transaction back on
//! an I/O error or a full disk; a savepoint cannot be released; the commit
//! fails), nothing of the batch is acknowledged: the writes that had run
//! are answered with the failure (503), and those that had not run yet go
//! back to the head of the queue for the next transaction. No write is ever
//! answered as done before the commit that holds it is durable.
//!
//! Refused: a time window that waits for more writes (it costs a lone
//! writer its latency), and re-running a batch's writes after a lost
//! transaction (they take their input by value and may have side effects
//! outside the database, such as a password hash already computed).

use std::collections::VecDeque;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use diesel::connection::SimpleConnection;
use hostadmin_api::wire::Problem;

use super::{begin_write, end_write, Conn, DbResult, Failure, Pool};
use crate::metrics::WriteStats;

/// The writes waiting for the writer.
#[derive(Default)]
pub(super) struct Queue {
    state: Mutex<State>,
    /// Transactions committed, and the writes they held (for `/metrics`).
    committed_transactions: AtomicU64,
    committed_writes: AtomicU64,
}

impl Queue {
    pub(super) fn stats(&self) -> WriteStats {
        WriteStats {
            transactions: self.committed_transactions.load(Ordering::Relaxed),
            writes: self.committed_writes.load(Ordering::Relaxed),
            queued: self.state.lock().unwrap_or_else(|e| e.into_inner()).pending.len(),
        }
    }
}

#[derive(Default)]
struct State {
    pending: VecDeque<Box<dyn Pending>>,
    /// A drainer is running; it exits when it finds the queue empty.
    draining: bool,
}

/// A queued write.
trait Pending: Send {
    /// Runs it in the current transaction.
    fn run(self: Box<Self>, conn: &mut Conn) -> Box<dyn Ran>;
    /// Answers it with `problem` without running it.
    fn fail(self: Box<Self>, problem: Problem);
}

/// A write that has run, waiting for its transaction's end.
trait Ran: Send {
    fn succeeded(&self) -> bool;
    /// Answers it: its own error if it failed, else the transaction's fate.
    fn answer(self: Box<Self>, committed: Result<(), Problem>);
}

struct Write<T, F> {
    f: F,
    reply: tokio::sync::oneshot::Sender<Result<T, Problem>>,
}

impl<T, F> Pending for Write<T, F>
where
    T: Send + 'static,
    F: FnOnce(&mut Conn) -> DbResult<T> + Send + 'static,
{
    fn run(self: Box<Self>, conn: &mut Conn) -> Box<dyn Ran> {
        Box::new(Outcome { result: (self.f)(conn).map_err(Problem::from), reply: self.reply })
    }

    fn fail(self: Box<Self>, problem: Problem) {
        let _ = self.reply.send(Err(problem));
    }
}

struct Outcome<T> {
    result: Result<T, Problem>,
    reply: tokio::sync::oneshot::Sender<Result<T, Problem>>,
}

impl<T: Send> Ran for Outcome<T> {
    fn succeeded(&self) -> bool {
        self.result.is_ok()
    }

    fn answer(self: Box<Self>, committed: Result<(), Problem>) {
        let answer = match (self.result, committed) {
            (Ok(value), Ok(())) => Ok(value),
            (Ok(_), Err(lost)) => Err(lost),
            (Err(own), _) => Err(own),
        };
        let _ = self.reply.send(answer);
    }
}

/// Queues `f` and waits for the end of the transaction it ran in.
pub(super) async fn write<T, F>(pool: &Pool, f: F) -> Result<T, Problem>
where
    T: Send + 'static,
    F: FnOnce(&mut Conn) -> DbResult<T> + Send + 'static,
{
    let (reply, answer) = tokio::sync::oneshot::channel();
    let lead = {
        let mut state = pool.0.queue.state.lock().unwrap_or_else(|e| e.into_inner());
        state.pending.push_back(Box::new(Write { f, reply }));
        !std::mem::replace(&mut state.draining, true)
    };
    if lead {
        let pool = pool.clone();
        tokio::task::spawn_blocking(move || drain(&pool));
    }
    answer.await.unwrap_or_else(|_| Err(Problem::Internal("a database task panicked".into())))
}

/// Commits batches until the queue is empty.
fn drain(pool: &Pool) {
    loop {
        let batch: Vec<Box<dyn Pending>> = {
            let mut state = pool.0.queue.state.lock().unwrap_or_else(|e| e.into_inner());
            if state.pending.is_empty() {
                state.draining = false;
                return;
            }
            let n = state.pending.len().min(pool.0.options.write_batch.max(1));
            state.pending.drain(..n).collect()
        };
        // A write that panics fails its batch (their answers are dropped:
        // "a database task panicked"), not the drainer.
        if let Ok(unrun) = std::panic::catch_unwind(AssertUnwindSafe(|| commit(pool, batch))) {
            let mut state = pool.0.queue.state.lock().unwrap_or_else(|e| e.into_inner());
            for write in unrun.into_iter().rev() {
                state.pending.push_front(write);
            }
        }
    }
}

/// Runs `f` in a transaction of its own on the writer if no write is
/// queued or running, and None otherwise: the database's upkeep
/// ([`super::keep_search_index_merged`]), which must not delay a write that
/// is already waiting. A write that comes while `f` runs queues as usual
/// and is drained right after it, on this thread. On SQLite it does not
/// wait for another program's lock on the file (it fails at once, as
/// busy), so that the writes queued behind it never wait for that too. Not
/// counted in `/metrics`, which counts the service's writes.
pub(super) fn when_idle<T>(pool: &Pool, f: impl FnOnce(&mut Conn) -> DbResult<T>) -> Option<Result<T, Problem>> {
    {
        let mut state = pool.0.queue.state.lock().unwrap_or_else(|e| e.into_inner());
        if state.draining || !state.pending.is_empty() {
            return None;
        }
        state.draining = true;
    }
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
        let (mut conn, _lookups_lock_paused) = super::write_connection(pool)?;
        let sqlite = matches!(*conn, Conn::Sqlite(_));
        if sqlite {
            conn.batch_execute("PRAGMA busy_timeout = 0").map_err(|e| Problem::from(Failure::Db(e)))?;
        }
        let outcome = super::write_transaction(&mut conn, f).map_err(Problem::from);
        if sqlite {
            let wait = format!("PRAGMA busy_timeout = {}", pool.0.options.busy_timeout.as_millis());
            conn.batch_execute(&wait).map_err(|e| Problem::from(Failure::Db(e)))?;
        }
        outcome
    }))
    .unwrap_or_else(|_| Err(Problem::Internal("database upkeep panicked".into())));
    drain(pool);
    Some(outcome)
}

/// Runs `batch` in one transaction and answers what ran; returns the writes
/// to try again: those that did not run because the transaction was lost
/// after others had (so that every pass makes progress).
fn commit(pool: &Pool, batch: Vec<Box<dyn Pending>>) -> Vec<Box<dyn Pending>> {
    let fail_all = |batch: Vec<Box<dyn Pending>>, problem: Problem| {
        for write in batch {
            write.fail(problem.clone());
        }
        Vec::new()
    };
    let (mut conn, lookups_lock_paused) = match super::write_connection(pool) {
        Ok(writer) => writer,
        Err(problem) => return fail_all(batch, problem),
    };
    if let Err(e) = begin_write(&mut conn) {
        super::heal(pool, &mut conn, &e);
        return fail_all(batch, Problem::from(Failure::Db(e)));
    }
    let alone = batch.len() == 1;
    let mut ran: Vec<Box<dyn Ran>> = Vec::with_capacity(batch.len());
    let mut unrun = Vec::new();
    let mut lost = None;
    let mut writes = batch.into_iter();
    for write in writes.by_ref() {
        if alone {
            ran.push(write.run(&mut conn));
            break;
        }
        if let Err(e) = conn.batch_execute("SAVEPOINT hostadmin_write") {
            unrun.push(write);
            lost = Some(e);
            break;
        }
        let one = write.run(&mut conn);
        let end = if one.succeeded() {
            conn.batch_execute("RELEASE hostadmin_write")
        } else {
            conn.batch_execute("ROLLBACK TO hostadmin_write; RELEASE hostadmin_write")
        };
        ran.push(one);
        if let Err(e) = end {
            lost = Some(e);
            break;
        }
    }
    unrun.extend(writes);
    // A lone write that failed is rolled back; a batch commits what is left.
    let keep = lost.is_none() && (!alone || ran.iter().all(|r| r.succeeded()));
    let ended = end_write(&mut conn, keep);
    let committed = match (lost, ended) {
        (Some(e), _) | (None, Err(e)) => {
            super::heal(pool, &mut conn, &e);
            Err(Problem::from(Failure::Db(e)))
        }
        (None, Ok(())) => Ok(()),
    };
    // The batch is over: lookups may keep their read lock again before
    // the first of its writes is answered.
    drop(conn);
    drop(lookups_lock_paused);
    if committed.is_ok() && keep {
        let queue = &pool.0.queue;
        queue.committed_transactions.fetch_add(1, Ordering::Relaxed);
        let writes = ran.iter().filter(|r| r.succeeded()).count() as u64;
        queue.committed_writes.fetch_add(writes, Ordering::Relaxed);
    }
    let progressed = !ran.is_empty();
    for one in ran {
        one.answer(committed.clone());
    }
    match committed {
        Err(problem) if !progressed => fail_all(unrun, problem),
        _ => unrun,
    }
}
