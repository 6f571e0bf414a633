//! The database: a pool of SQLite connections, migrated at start.
//!
//! Diesel's connections are blocking, so queries run on Tokio's blocking pool
//! through [`run`] / [`write()`], except lookups by key ([`lookup`]), which
//! take microseconds and never wait for a lock: they run where they are
//! called, when a connection is idle.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool as R2d2Pool, PooledConnection};
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use hostadmin_api::wire::Problem;

type Connections = R2d2Pool<ConnectionManager<SqliteConnection>>;

/// The connections to one database file, and the file they have open.
///
/// Before each use the file is checked: if it has been deleted, requests
/// answer 503 instead of writing into an unlinked file that nothing will
/// ever read again; if another file has been put in its place (a restore),
/// the connections are reopened on it.
#[derive(Clone)]
pub struct Pool(Arc<Shared>);

struct Shared {
    path: PathBuf,
    options: DbOptions,
    connections: RwLock<Arc<Connections>>,
    /// (device, inode) of the file the connections have open.
    file: Mutex<(u64, u64)>,
    /// Taken by each write transaction before it asks SQLite for the write
    /// lock: see [`write()`].
    writer: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool").field("path", &self.0.path).finish()
    }
}

fn file_id(path: &Path) -> std::io::Result<(u64, u64)> {
    std::fs::metadata(path).map(|m| (m.dev(), m.ino()))
}

impl Pool {
    /// A connection from the pool (blocking).
    pub fn get(&self) -> Result<PooledConnection<ConnectionManager<SqliteConnection>>, diesel::r2d2::PoolError> {
        let connections = self.0.connections.read().unwrap_or_else(|e| e.into_inner()).clone();
        connections.get()
    }

    /// (most, open, idle) connections, for metrics.
    pub fn state(&self) -> (u32, u32, u32) {
        let connections = self.0.connections.read().unwrap_or_else(|e| e.into_inner()).clone();
        let state = connections.state();
        (connections.max_size(), state.connections, state.idle_connections)
    }

    /// The database file is still the one the connections have open
    /// (reopening them if it was replaced), or the store is unavailable.
    fn check_file(&self) -> Result<(), Problem> {
        let now = file_id(&self.0.path).map_err(|_| Problem::Unavailable("the database file is gone".into()))?;
        let mut file = self.0.file.lock().unwrap_or_else(|e| e.into_inner());
        if *file != now {
            let reopened = connect(&self.0.path, &self.0.options)
                .map_err(|e| Problem::Unavailable(format!("cannot reopen the database: {e}")))?;
            *self.0.connections.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(reopened);
            *file = now;
        }
        Ok(())
    }
}

// Key lookups use `get_result`, never `first`: `first` adds `LIMIT ?`, and
// SQLite (3.47 and later) plans a bound LIMIT by its value, so each new
// binding expires the cached statement and every run re-parses it (three
// quarters of a lookup's time: perf on the bench's storage ceiling). A lookup
// by a unique key has at most one row anyway.

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations");

/// How connections are opened.
#[derive(Clone, Debug)]
pub struct DbOptions {
    /// How long a statement waits for a lock held by another connection
    /// before the request fails with 503.
    pub busy_timeout: Duration,
    pub max_connections: u32,
}

impl Default for DbOptions {
    fn default() -> Self {
        Self { busy_timeout: Duration::from_secs(5), max_connections: 8 }
    }
}

/// Per-connection settings: WAL so that readers never block the writer,
/// FULL sync so an acknowledged write survives power loss, foreign keys on
/// (SQLite's default is off), a busy timeout instead of instant
/// "database is locked" errors, and 1 MiB of page cache per connection
/// instead of 2: the kernel's page cache already holds the file once for
/// all of them, and each private copy counts in the service's RSS.
#[derive(Debug)]
struct Pragmas {
    busy_timeout_ms: u128,
}

impl CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for Pragmas {
    fn on_acquire(&self, conn: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        conn.batch_execute(&format!(
            "PRAGMA busy_timeout = {}; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; \
             PRAGMA cache_size = -1024;",
            self.busy_timeout_ms
        ))
        .map_err(diesel::r2d2::Error::QueryError)
    }
}

fn connect(path: &Path, options: &DbOptions) -> anyhow::Result<Connections> {
    let url = path.to_str().ok_or_else(|| anyhow::anyhow!("database path is not UTF-8: {}", path.display()))?;
    let pool = R2d2Pool::builder()
        .max_size(options.max_connections)
        .connection_timeout(options.busy_timeout.max(Duration::from_millis(100)))
        .connection_customizer(Box::new(Pragmas { busy_timeout_ms: options.busy_timeout.as_millis() }))
        .build(ConnectionManager::<SqliteConnection>::new(url))
        .map_err(|e| anyhow::anyhow!("cannot open database {}: {e}", path.display()))?;
    let mut conn = pool.get()?;
    conn.run_pending_migrations(MIGRATIONS)
        .map_err(|e| anyhow::anyhow!("cannot migrate database {}: {e}", path.display()))?;
    Ok(pool)
}

/// Opens (creating if needed) the database at `path` and applies pending
/// migrations.
pub fn open(path: &Path, options: &DbOptions) -> anyhow::Result<Pool> {
    let connections = connect(path, options)?;
    let file = file_id(path)?;
    Ok(Pool(Arc::new(Shared {
        path: path.to_path_buf(),
        options: options.clone(),
        connections: RwLock::new(Arc::new(connections)),
        file: Mutex::new(file),
        writer: tokio::sync::Mutex::new(()),
    })))
}

/// Whether the database answers and has every migration applied.
pub fn check_ready(conn: &mut SqliteConnection) -> DbResult<()> {
    match conn.has_pending_migration(MIGRATIONS) {
        Ok(false) => Ok(()),
        Ok(true) => Err(Problem::Unavailable("migrations are pending".into()).into()),
        Err(e) => Err(Problem::Unavailable(format!("cannot read the migrations: {e}")).into()),
    }
}

/// A failure inside a database closure: a problem to report, or a database
/// error still to be classified. Lets `?` work on both.
#[derive(Debug)]
pub enum Failure {
    Problem(Problem),
    Db(diesel::result::Error),
}

pub type DbResult<T> = Result<T, Failure>;

impl From<Problem> for Failure {
    fn from(p: Problem) -> Self {
        Failure::Problem(p)
    }
}

impl From<diesel::result::Error> for Failure {
    fn from(e: diesel::result::Error) -> Self {
        Failure::Db(e)
    }
}

impl From<Failure> for Problem {
    fn from(f: Failure) -> Self {
        match f {
            Failure::Problem(p) => p,
            Failure::Db(e) => db_problem(e),
        }
    }
}

/// Database errors that are not caught as a rule of the data (duplicates are
/// checked where they can happen) mean the store is unwell: 503.
fn db_problem(e: diesel::result::Error) -> Problem {
    use diesel::result::{DatabaseErrorKind, Error};
    match e {
        Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
            Problem::Conflict(format!("A unique value is already taken: {}", info.message()))
        }
        Error::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => {
            Problem::Conflict("The object is still referenced by others".into())
        }
        other => Problem::Unavailable(other.to_string()),
    }
}

/// Runs `f` with a pooled connection on the blocking pool.
pub async fn run<T, F>(pool: &Pool, f: F) -> Result<T, Problem>
where
    T: Send + 'static,
    F: FnOnce(&mut SqliteConnection) -> DbResult<T> + Send + 'static,
{
    let pool = pool.clone();
    tokio::task::spawn_blocking(move || {
        pool.check_file()?;
        let mut conn = pool.get().map_err(|e| Problem::Unavailable(e.to_string()))?;
        f(&mut conn).map_err(Problem::from)
    })
    .await
    .map_err(|_| Problem::Internal("a database task panicked".into()))?
}

/// Runs `f`, a read bounded by an index (a lookup by key), on the calling
/// thread when a connection is idle, and on the blocking pool otherwise.
///
/// Handing a query to the blocking pool costs two thread switches, more
/// than such a read itself (a few microseconds); in WAL mode a read never
/// waits for the write lock, so it cannot stall the async thread. Anything
/// that may scan, and every write, goes through [`run`] / [`write()`].
pub async fn lookup<T, F>(pool: &Pool, f: F) -> Result<T, Problem>
where
    T: Send + 'static,
    F: FnOnce(&mut SqliteConnection) -> DbResult<T> + Send + 'static,
{
    pool.check_file()?;
    let idle = pool.0.connections.read().unwrap_or_else(|e| e.into_inner()).try_get();
    match idle {
        Some(mut conn) => f(&mut conn).map_err(Problem::from),
        None => run(pool, f).await,
    }
}

/// Runs `f` inside an immediate (write-locked) transaction: SQLite
/// serializes writers, and taking the lock up front avoids the deadlock of
/// two readers both upgrading to writers.
///
/// Writers of this process queue first on an async mutex, in order: waiting
/// for SQLite's lock instead means its busy handler, which sleeps in steps
/// of up to 100 ms and wakes in no order, so that eight concurrent writers
/// saw a p99 of 80 ms (`cargo xtask bench`). Queued writers hold neither a
/// thread nor a connection. The busy timeout still covers other processes
/// (the CLI) that write to the same file.
pub async fn write<T, F>(pool: &Pool, f: F) -> Result<T, Problem>
where
    T: Send + 'static,
    F: FnOnce(&mut SqliteConnection) -> DbResult<T> + Send + 'static,
{
    let _turn = pool.0.writer.lock().await;
    run(pool, move |conn| conn.immediate_transaction(f)).await
}
