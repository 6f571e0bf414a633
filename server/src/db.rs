//! The database: a pool of connections to SQLite (the embedded default) or
//! PostgreSQL (for several replicas), migrated at start.
//!
//! Every query is written once, against [`Conn`]: Diesel's `MultiConnection`
//! over both backends. What the two dialects say differently is confined to
//! this module (transactions, migrations, connection settings) and to the
//! few statements that name their backend ([`each_backend!`]: upserts, which
//! the multi-backend cannot express; the full-text match in `servers`).
//!
//! Writes are serialized, on both backends (and batched into shared
//! transactions, see [`group_commit`]): SQLite has one writer anyway,
//! and on PostgreSQL each write transaction first takes one advisory lock,
//! held until it ends, so that replicas write one at a time. Every rule that
//! a write checks before it acts (a limit, a unique name, a count) then
//! holds across replicas exactly as it does in one process. Refused:
//! SERIALIZABLE transactions retried on conflict. The stored counters
//! (`server_blocks`, a server's counts) are hot rows that most writes touch,
//! so concurrent writers would conflict as a rule, and retrying means
//! re-running closures that take their input by value.
//!
//! Diesel's connections are blocking, so queries run on Tokio's blocking pool
//! through [`run`] / [`write()`], except SQLite lookups by key ([`lookup`]),
//! which take microseconds and never wait for a lock: they run where they are
//! called, when a connection is idle.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::r2d2::{ManageConnection, Pool as R2d2Pool, PooledConnection, R2D2Connection};
use diesel::sqlite::SqliteConnection;
use diesel::Connection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use hostadmin_api::wire::Problem;

mod changes;
mod group_commit;
mod map_fault;
mod read_lock;
mod search;
mod sqlite_allocator;

pub use changes::Stamp;
pub use map_fault::report_map_faults;
pub use sqlite_allocator::use_mimalloc as sqlite_uses_mimalloc;

/// A connection to either backend.
#[derive(diesel::MultiConnection)]
pub enum Conn {
    Sqlite(SqliteConnection),
    Pg(PgConnection),
}

/// Runs `$body` with `$c` bound to the backend's own connection, for the
/// statements the multi-backend cannot build (`ON CONFLICT`): written once,
/// compiled for each backend.
#[macro_export]
macro_rules! each_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::Conn::Sqlite($c) => $body,
            $crate::db::Conn::Pg($c) => $body,
        }
    };
}

/// Where the data lives: `--database` as given. Its `Debug` and `Display`
/// mask a password.
#[derive(Clone, PartialEq, Eq)]
pub enum Location {
    /// An SQLite file (a plain path or `sqlite://PATH`), created if missing.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL (`postgres://` or `postgresql://`), as
    /// libpq reads it.
    Postgres(String),
}

impl std::str::FromStr for Location {
    type Err = anyhow::Error;

    fn from_str(s: &str) -> anyhow::Result<Self> {
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            return Ok(Location::Postgres(s.to_string()));
        }
        if let Some(path) = s.strip_prefix("sqlite://") {
            anyhow::ensure!(!path.is_empty(), "sqlite:// needs a path, e.g. sqlite:///var/lib/hostadmin.sqlite3");
            return Ok(Location::Sqlite(PathBuf::from(path)));
        }
        if let Some((scheme, _)) = s.split_once("://") {
            if !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) {
                anyhow::bail!(
                    "unsupported database URL scheme {scheme:?}: use sqlite://PATH, a path, or postgres://..."
                );
            }
        }
        anyhow::ensure!(!s.is_empty(), "the database path is empty");
        Ok(Location::Sqlite(PathBuf::from(s)))
    }
}

impl std::fmt::Debug for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Sqlite(_) => write!(f, "Sqlite({self})"),
            Location::Postgres(_) => write!(f, "Postgres({self})"),
        }
    }
}

impl std::fmt::Display for Location {
    /// The location with any password masked: safe to log and print.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Sqlite(path) => write!(f, "{}", path.display()),
            Location::Postgres(url) => f.write_str(&mask_password(url)),
        }
    }
}

/// `postgres://user:secret@host/db?password=x` → `postgres://user:***@host/db?password=***`;
/// every libpq parameter that carries a secret is masked (`password`,
/// `sslpassword`, and any other whose name ends in `password`).
fn mask_password(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{user}:***@{host}"),
            None => format!("{userinfo}@{host}"),
        },
        None => authority.to_string(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let query: Vec<String> = query
                .split('&')
                .map(|kv| match kv.split_once('=') {
                    Some((k, _)) if k.to_ascii_lowercase().ends_with("password") => format!("{k}=***"),
                    _ => kv.to_string(),
                })
                .collect();
            format!("{path}?{}", query.join("&"))
        }
        None => tail.to_string(),
    };
    format!("{scheme}://{authority}{tail}")
}

impl Location {
    pub fn is_sqlite(&self) -> bool {
        matches!(self, Location::Sqlite(_))
    }
}

type Connections = R2d2Pool<Manager>;

/// The connections to one database.
///
/// For SQLite, the file is checked before each write, and reads rely on a
/// check at most a millisecond old (see `Pool::checked`): if it has been
/// deleted, requests answer 503 instead of writing into an unlinked file
/// that nothing will ever read again; if another file has been put in its
/// place (a restore), the connections are reopened on it.
#[derive(Clone)]
pub struct Pool(Arc<Shared>);

struct Shared {
    location: Location,
    options: DbOptions,
    open: RwLock<Arc<Open>>,
    /// Held while the connections are reopened on a replaced file.
    reopening: Mutex<()>,
    /// This process's writes waiting for the writer: see [`write()`].
    queue: group_commit::Queue,
    /// When the file was last found in place, in nanoseconds since
    /// `epoch` ([`NEVER_CHECKED`] when the last check failed): see
    /// [`Pool::checked`].
    last_check: AtomicU64,
    epoch: Instant,
}

/// How long a read may rely on the last successful check of the file.
const RECHECK_AFTER: Duration = Duration::from_millis(1);
const NEVER_CHECKED: u64 = u64::MAX;

/// The connections, and for SQLite the file they have open and its
/// wal-index (see [`changes`]).
struct Open {
    connections: Connections,
    file: Option<OpenFile>,
    changes: Option<changes::Changes>,
    /// SQLite: the connections lookups run on, which keep their read
    /// transactions while nothing commits (see [`read_lock`]).
    read_lock: Option<Arc<read_lock::ReadLock>>,
    /// SQLite: the writer's own connection, while no batch has it (see
    /// [`WriteConnection`]); `None` until the first batch opens it.
    writer: Mutex<Option<Conn>>,
}

/// Counts the openings of an SQLite file (the first, then each reopening
/// on a replaced file), so that stamps of different files never compare
/// equal.
static OPENINGS: AtomicU64 = AtomicU64::new(0);

impl Open {
    fn new(location: &Location, options: &DbOptions, connections: Connections) -> std::io::Result<Self> {
        let Location::Sqlite(path) = location else {
            return Ok(Open { connections, file: None, changes: None, read_lock: None, writer: Mutex::new(None) });
        };
        let opening = OPENINGS.fetch_add(1, Ordering::Relaxed);
        let manager = Manager::new(location, options);
        // The stamp's mapping keeps a connection of its own (see `changes`).
        let changes = manager.connect().ok().and_then(|guard| changes::Changes::open(path, opening, guard));
        Ok(Open {
            file: Some(OpenFile::new(path)?),
            changes,
            read_lock: Some(read_lock::ReadLock::new(manager)),
            connections,
            writer: Mutex::new(None),
        })
    }
}

/// The SQLite file the connections have open, watched through a descriptor
/// of our own: a link count of zero means it was deleted or renamed over,
/// which `fstat` on the descriptor tells without walking the path (a path
/// lookup per request was 6 % of an authenticated `GET`). Only then is the
/// path looked at, to tell a deletion from a replacement.
///
/// The descriptor is opened with `O_PATH` where there is one (Linux): such a
/// descriptor reads no data and, unlike any other, closing it does not drop
/// the POSIX locks SQLite's connections hold on the same file.
struct OpenFile {
    id: (u64, u64),
    #[cfg(target_os = "linux")]
    handle: std::fs::File,
}

impl OpenFile {
    fn new(path: &Path) -> std::io::Result<Self> {
        #[cfg(target_os = "linux")]
        {
            use std::os::unix::fs::OpenOptionsExt;
            let handle = std::fs::OpenOptions::new().read(true).custom_flags(libc::O_PATH).open(path)?;
            let meta = handle.metadata()?;
            Ok(OpenFile { id: (meta.dev(), meta.ino()), handle })
        }
        #[cfg(not(target_os = "linux"))]
        Ok(OpenFile { id: file_id(path)? })
    }

    /// Whether the file still has a name (it may have another one: a
    /// rename within the directory keeps the connections valid, and the
    /// path check that follows a zero count tells).
    fn still_linked(&self, path: &Path) -> bool {
        #[cfg(target_os = "linux")]
        {
            let _ = path;
            self.handle.metadata().is_ok_and(|m| m.nlink() > 0)
        }
        #[cfg(not(target_os = "linux"))]
        file_id(path).is_ok_and(|id| id == self.id)
    }
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool").field("location", &self.0.location.to_string()).finish()
    }
}

fn file_id(path: &Path) -> std::io::Result<(u64, u64)> {
    std::fs::metadata(path).map(|m| (m.dev(), m.ino()))
}

impl Pool {
    /// A connection from the pool (blocking).
    pub fn get(&self) -> Result<PooledConnection<Manager>, diesel::r2d2::PoolError> {
        self.open().connections.get()
    }

    fn open(&self) -> Arc<Open> {
        self.0.open.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// (most, open, idle) connections, for metrics.
    pub fn state(&self) -> (u32, u32, u32) {
        let open = self.open();
        let state = open.connections.state();
        (open.connections.max_size(), state.connections, state.idle_connections)
    }

    /// What the writer has done (see [`group_commit`]), for metrics.
    pub fn write_stats(&self) -> crate::metrics::WriteStats {
        self.0.queue.stats()
    }

    pub fn location(&self) -> &Location {
        &self.0.location
    }

    /// What has been committed so far, as far as the caller needs to know
    /// whether anything was committed since (see [`changes`]): SQLite only;
    /// `None` on PostgreSQL, whose replicas commit elsewhere, and whenever
    /// it cannot be told. The file is checked first, so that a stamp is
    /// never of a file that has been deleted or replaced.
    pub fn change_stamp(&self) -> Option<Stamp> {
        self.checked().ok()?.changes.as_ref()?.stamp()
    }

    /// Whether a lookup connection keeps a read transaction open now
    /// ([`read_lock`]): `None` on PostgreSQL, which has none.
    pub fn read_lock_held(&self) -> Option<bool> {
        self.open().read_lock.as_ref().map(|r| r.is_held())
    }

    /// The connections, once the database file is checked to still be the
    /// one they have open (reopening them if it was replaced); the store is
    /// unavailable if it is gone.
    ///
    /// For reads, a check is good for [`RECHECK_AFTER`] (a millisecond): a
    /// request's credential and its lookup, and every other request of that
    /// millisecond, share one `fstat` (one per request was a twentieth of
    /// an authenticated `GET`). So a read may be answered from a file
    /// deleted less than a millisecond before, as it would have been a
    /// moment earlier; a failed check is never relied on, so once a
    /// deletion has been seen every request sees it. Work on the blocking
    /// pool, and the writer's batches above all, checks every time (see
    /// [`connection`]): nothing is ever written into a deleted file.
    fn checked(&self) -> Result<Arc<Open>, Problem> {
        let now = u64::try_from(self.0.epoch.elapsed().as_nanos()).unwrap_or(NEVER_CHECKED - 1);
        let last = self.0.last_check.load(Ordering::Acquire);
        if last != NEVER_CHECKED && now.saturating_sub(last) < RECHECK_AFTER.as_nanos() as u64 {
            return Ok(self.open());
        }
        self.check_file()
    }

    /// [`Pool::checked`] itself: checks the file now, and remembers the
    /// outcome for the reads that follow.
    fn check_file(&self) -> Result<Arc<Open>, Problem> {
        let checked_at = self.0.epoch.elapsed();
        let outcome = self.check_file_now();
        let at = match outcome {
            Ok(_) => u64::try_from(checked_at.as_nanos()).unwrap_or(NEVER_CHECKED - 1),
            Err(_) => NEVER_CHECKED,
        };
        self.0.last_check.store(at, Ordering::Release);
        outcome
    }

    fn check_file_now(&self) -> Result<Arc<Open>, Problem> {
        let open = self.open();
        let (Some(file), Location::Sqlite(path)) = (&open.file, &self.0.location) else { return Ok(open) };
        if file.still_linked(path) {
            return Ok(open);
        }
        let gone = |_| Problem::Unavailable("the database file is gone".into());
        let now = file_id(path).map_err(gone)?;
        if now == file.id {
            return Ok(open);
        }
        let _reopening = self.0.reopening.lock().unwrap_or_else(|e| e.into_inner());
        let current = self.open();
        if current.file.as_ref().is_some_and(|f| f.id == now) {
            return Ok(current); // another request reopened it meanwhile
        }
        let unavailable = |e: String| Problem::Unavailable(format!("cannot reopen the database: {e}"));
        let connections = connect(&self.0.location, &self.0.options).map_err(|e| unavailable(e.to_string()))?;
        let reopened = Arc::new(
            Open::new(&self.0.location, &self.0.options, connections).map_err(|e| unavailable(e.to_string()))?,
        );
        *self.0.open.write().unwrap_or_else(|e| e.into_inner()) = reopened.clone();
        Ok(reopened)
    }
}

// Key lookups use `get_result`, never `first`: `first` adds `LIMIT ?`, and
// SQLite (3.47 and later) plans a bound LIMIT by its value, so each new
// binding expires the cached statement and every run re-parses it (three
// quarters of a lookup's time: perf on the bench's storage ceiling). A lookup
// by a unique key has at most one row anyway.

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

/// PostgreSQL advisory lock held while migrating: replicas starting at once
/// migrate one after the other, and all but the first find nothing to do.
/// It is database-wide because a migration may create an extension, which
/// is.
const MIGRATION_LOCK: &str = "SELECT pg_advisory_lock(1752134516, 1)";
const MIGRATION_UNLOCK: &str = "SELECT pg_advisory_unlock(1752134516, 1)";
/// How long a starting replica waits for the migration lock and for the
/// locks its migrations take.
const MIGRATION_WAIT: &str = "SET lock_timeout = '120s'";
/// PostgreSQL advisory lock taken by every write transaction, until it ends;
/// one per schema, so that installations in different schemas of one
/// database do not wait for each other.
const WRITE_LOCK: &str = "SELECT pg_advisory_xact_lock(1752134516, hashtext(current_schema()))";

/// How connections are opened.
#[derive(Clone, Debug)]
pub struct DbOptions {
    /// How long a statement waits for a lock held by another connection
    /// before the request fails with 503.
    pub busy_timeout: Duration,
    pub max_connections: u32,
    /// Serve an SQLite file that others than its owner may read (refused
    /// by default: see [`private_file`]).
    pub allow_readable: bool,
    /// SQLite: how many bytes of the file each lookup connection reads
    /// through a memory map rather than with `pread` (0: none). See
    /// [`Manager::connect_lookup`].
    pub read_map_bytes: u64,
    /// Most writes that share one transaction (see [`group_commit`]); 1
    /// commits each write on its own.
    pub write_batch: usize,
}

/// The default of [`DbOptions::write_batch`]: bounds how long the first
/// write of a batch waits for the commit, and how many writes one lost
/// transaction fails.
pub const WRITE_BATCH: usize = 64;

/// The default of [`DbOptions::read_map_bytes`]: all of the file, up to
/// 256 MiB.
pub const READ_MAP_MIB: u64 = 256;

impl Default for DbOptions {
    fn default() -> Self {
        Self {
            busy_timeout: Duration::from_secs(5),
            max_connections: 8,
            allow_readable: false,
            read_map_bytes: READ_MAP_MIB << 20,
            write_batch: WRITE_BATCH,
        }
    }
}

/// An SQLite file holds the JWT signing key and the password and token
/// hashes: anyone who reads it can forge an administrator's session. So it
/// is created readable and writable by its owner only (SQLite gives its
/// `-wal` and `-shm` files the database's mode), and an existing one that
/// its group or others may read is refused unless `allow_readable`.
pub fn private_file(path: &Path, allow_readable: bool) -> anyhow::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    match std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let mode = std::fs::metadata(path)?.permissions().mode() & 0o777;
            if mode & 0o077 != 0 && !allow_readable {
                anyhow::bail!(
                    "{} may be read by others (mode {mode:03o}) and holds the signing key and password \
                     hashes: `chmod 600` it (and its -wal and -shm files), or start with \
                     --allow-readable-database",
                    path.display()
                );
            }
            Ok(())
        }
        Err(e) => Err(anyhow::anyhow!("cannot create {}: {e}", path.display())),
    }
}

/// Opens the connections of the configured backend.
#[derive(Debug)]
pub struct Manager {
    location: Location,
    busy_timeout: Duration,
    read_map_bytes: u64,
}

impl Manager {
    fn new(location: &Location, options: &DbOptions) -> Self {
        Manager {
            location: location.clone(),
            busy_timeout: options.busy_timeout,
            read_map_bytes: options.read_map_bytes,
        }
    }

    /// A connection for lookups ([`read_lock`]): as any other, reading the
    /// file through a memory map (`mmap_size`) where configured. A lookup
    /// of a random row of a large table reads its leaf page from the file
    /// on nearly every request (no private page cache holds a million
    /// rows); through the map that read is a memory access instead of a
    /// `pread` copied into the page cache, and the kernel's copy of the
    /// file is the only one. Only these connections map the file: each
    /// mapping counts in the process's RSS again (pages of the kernel's
    /// cache, not memory of ours), and they only read. The price: a read
    /// fault on a mapped page (an I/O error on the disk, or the file
    /// truncated behind SQLite's back) stops the process with `SIGBUS` (see
    /// `map_fault`) instead of failing one request; `read_map_mib = 0` is
    /// the way back to `pread`.
    fn connect_lookup(&self) -> Result<Conn, diesel::r2d2::Error> {
        let mut conn = self.connect()?;
        if self.location.is_sqlite() && self.read_map_bytes > 0 {
            conn.batch_execute(&format!("PRAGMA mmap_size = {}", self.read_map_bytes))
                .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(conn)
    }

    /// A connection for the writer ([`WriteConnection`]): as any other,
    /// with a larger page cache, and its temporary files in memory.
    ///
    /// A batch runs each write in a savepoint, and SQLite keeps the
    /// original of every page a savepoint changes in a sub-journal, which
    /// past 64 KiB spills to a temporary file: a file created, written with
    /// `pwrite` and deleted for every batch of more than a few writes (by
    /// `perf`, 12 % of the server's CPU in 64-connection creates, on the
    /// writer's one thread). Kept in memory, it is a copy of each page
    /// changed, emptied at each savepoint's release: a batch of
    /// [`WRITE_BATCH`] writes holds a few MiB at most. The writer's other
    /// temporary storage (a sort in a write's query) is as small.
    fn connect_writer(&self) -> Result<Conn, diesel::r2d2::Error> {
        let mut conn = self.connect()?;
        if self.location.is_sqlite() {
            conn.batch_execute(&format!("PRAGMA cache_size = -{WRITER_CACHE_KIB}; PRAGMA temp_store = MEMORY"))
                .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(conn)
    }
}

impl ManageConnection for Manager {
    type Connection = Conn;
    type Error = diesel::r2d2::Error;

    /// SQLite, per connection: WAL so that readers never block the writer,
    /// FULL sync so an acknowledged write survives power loss, foreign keys
    /// on (SQLite's default is off), a busy timeout instead of instant
    /// "database is locked" errors, and 1 MiB of page cache per connection
    /// instead of 2: the kernel's page cache already holds the file once for
    /// all of them, and each private copy counts in the service's RSS.
    /// PostgreSQL: the same wait for locks (`lock_timeout`), and the
    /// connection named `hostadmin <schema>` for the server's views.
    fn connect(&self) -> Result<Conn, Self::Error> {
        use diesel::r2d2::Error::{ConnectionError, QueryError};
        let wait_ms = self.busy_timeout.as_millis();
        match &self.location {
            Location::Sqlite(path) => {
                let url = path.to_str().ok_or_else(|| {
                    ConnectionError(diesel::ConnectionError::InvalidConnectionUrl(format!(
                        "the database path is not UTF-8: {}",
                        path.display()
                    )))
                })?;
                let mut conn = SqliteConnection::establish(url).map_err(ConnectionError)?;
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = {wait_ms}; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                     PRAGMA foreign_keys = ON; PRAGMA cache_size = -1024;"
                ))
                .map_err(QueryError)?;
                Ok(Conn::Sqlite(conn))
            }
            Location::Postgres(url) => {
                let mut conn = PgConnection::establish(url).map_err(ConnectionError)?;
                // Named after the schema it works in, for pg_stat_activity.
                conn.batch_execute(&format!(
                    "SET lock_timeout = {wait_ms}; \
                     SELECT set_config('application_name', 'hostadmin ' || current_schema(), false)"
                ))
                .map_err(QueryError)?;
                Ok(Conn::Pg(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut Conn) -> Result<(), Self::Error> {
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut Conn) -> bool {
        conn.is_broken()
    }
}

fn connect(location: &Location, options: &DbOptions) -> anyhow::Result<Connections> {
    if let Location::Sqlite(path) = location {
        private_file(path, options.allow_readable)?;
    }
    let manager = Manager::new(location, options);
    // Migrate on a connection of its own first: it creates an SQLite file
    // and switches it to WAL alone, before the pool's connections open
    // (concurrently, in the background) on a file that is ready.
    let mut first = manager.connect().map_err(|e| anyhow::anyhow!("cannot open database {location}: {e}"))?;
    migrate(&mut first).map_err(|e| anyhow::anyhow!("cannot migrate database {location}: {e}"))?;
    // No ping at checkout: an SQLite connection cannot go away (what can,
    // the file, is checked before each use), and a PostgreSQL ping is a
    // round trip, as long as many a query, so a PostgreSQL connection found
    // dead is replaced where it failed ([`run`]) instead.
    let pool = R2d2Pool::builder()
        .max_size(options.max_connections)
        .connection_timeout(options.busy_timeout.max(Duration::from_millis(100)))
        .test_on_check_out(false)
        .build_unchecked(manager);
    // The first connection closes once a pooled one is open: closing the
    // last connection to an SQLite file checkpoints and removes its WAL,
    // which the pool would only create again.
    drop(pool.get().map_err(|e| anyhow::anyhow!("cannot open database {location}: {e}"))?);
    drop(first);
    Ok(pool)
}

/// Applies the backend's pending migrations (on PostgreSQL, under the
/// migration lock).
fn migrate(conn: &mut Conn) -> anyhow::Result<()> {
    let boxed = |e| anyhow::anyhow!("{e}");
    match conn {
        Conn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(drop).map_err(boxed),
        Conn::Pg(c) => {
            // Waiting for another replica's migration is waiting for start-up
            // to finish, not a request: it gets far longer than the
            // configured lock wait (this connection is closed afterwards).
            c.batch_execute(MIGRATION_WAIT)?;
            c.batch_execute(MIGRATION_LOCK)?;
            let migrated = c.run_pending_migrations(POSTGRES_MIGRATIONS).map(drop).map_err(boxed);
            let unlocked = c.batch_execute(MIGRATION_UNLOCK);
            migrated?;
            Ok(unlocked?)
        }
    }
}

/// Opens (creating an SQLite file if needed) the database and applies
/// pending migrations.
pub fn open(location: &Location, options: &DbOptions) -> anyhow::Result<Pool> {
    let connections = connect(location, options)?;
    let open = Open::new(location, options, connections)?;
    Ok(Pool(Arc::new(Shared {
        location: location.clone(),
        options: options.clone(),
        open: RwLock::new(Arc::new(open)),
        reopening: Mutex::new(()),
        queue: group_commit::Queue::default(),
        last_check: AtomicU64::new(NEVER_CHECKED),
        epoch: Instant::now(),
    })))
}

/// Whether the database answers and has every migration applied.
pub fn check_ready(conn: &mut Conn) -> DbResult<()> {
    let pending = match conn {
        Conn::Sqlite(c) => c.has_pending_migration(SQLITE_MIGRATIONS),
        Conn::Pg(c) => c.has_pending_migration(POSTGRES_MIGRATIONS),
    };
    match pending {
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
        // PostgreSQL's text cannot hold U+0000 (SQLite's can): bad input,
        // not an unwell store.
        Error::DatabaseError(_, info) if info.message().contains("invalid byte sequence") => {
            Problem::invalid("text", "Text may not contain the NUL character (U+0000)")
        }
        other => Problem::Unavailable(other.to_string()),
    }
}

/// Runs `f` with a pooled connection on the blocking pool.
pub async fn run<T, F>(pool: &Pool, f: F) -> Result<T, Problem>
where
    T: Send + 'static,
    F: FnOnce(&mut Conn) -> DbResult<T> + Send + 'static,
{
    let pool = pool.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = connection(&pool)?;
        let result = f(&mut conn);
        if let Err(Failure::Db(e)) = &result {
            heal(&pool, &mut conn, e);
        }
        result.map_err(Problem::from)
    })
    .await
    .map_err(|_| Problem::Internal("a database task panicked".into()))?
}

/// A pooled connection (blocking), once the database file is checked, here
/// and now: work on the blocking pool may write (the PostgreSQL writer takes
/// one per batch, see [`write_connection`]), and a check made a moment
/// before ([`Pool::checked`]) would let it commit into a file deleted
/// meanwhile.
fn connection(pool: &Pool) -> Result<PooledConnection<Manager>, Problem> {
    pool.check_file()?.connections.get().map_err(|e| Problem::Unavailable(e.to_string()))
}

/// The writer's connection, with the read transactions kept by lookups
/// ended until the guard is dropped (see [`read_lock`]: the batch's commit,
/// its checkpoint and a restart of the WAL see only the reads in progress).
fn write_connection(pool: &Pool) -> Result<(WriteConnection, Option<read_lock::Paused>), Problem> {
    let open = pool.check_file()?;
    let paused = open.read_lock.as_ref().map(|r| r.pause());
    let conn = if pool.0.location.is_sqlite() {
        let kept = open.writer.lock().unwrap_or_else(|e| e.into_inner()).take();
        let conn = match kept {
            Some(conn) => conn,
            None => Manager::new(&pool.0.location, &pool.0.options)
                .connect_writer()
                .map_err(|e| Problem::Unavailable(e.to_string()))?,
        };
        WriteConnection::Own { conn: Some(conn), open }
    } else {
        WriteConnection::Pooled(open.connections.get().map_err(|e| Problem::Unavailable(e.to_string()))?)
    };
    Ok((conn, paused))
}

/// The connection a batch of writes runs on. On SQLite, always the same
/// one, outside the pool and with a larger page cache
/// ([`WRITER_CACHE_KIB`]): SQLite drops a connection's page cache whenever
/// another connection has committed since its last transaction, so a
/// pooled connection (which lookups use between batches) began every batch
/// cold and read back the pages the last one had written (renames at
/// 100 000 servers, by `perf`: page reads 7 % of the server's time, 3 %
/// since). On PostgreSQL, whose cache is the server's, a pooled connection.
enum WriteConnection {
    /// Given back to `open` when dropped.
    Own {
        conn: Option<Conn>,
        open: Arc<Open>,
    },
    Pooled(PooledConnection<Manager>),
}

/// The writer's own page cache (KiB): the pages a batch of writes reads
/// and dirties (the rows', their indexes' and the gram index's) stay there
/// for the next batch.
const WRITER_CACHE_KIB: u32 = 16 * 1024;

impl std::ops::Deref for WriteConnection {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        match self {
            WriteConnection::Own { conn, .. } => conn.as_ref().expect("held until dropped"),
            WriteConnection::Pooled(conn) => conn,
        }
    }
}

impl std::ops::DerefMut for WriteConnection {
    fn deref_mut(&mut self) -> &mut Conn {
        match self {
            WriteConnection::Own { conn, .. } => conn.as_mut().expect("held until dropped"),
            WriteConnection::Pooled(conn) => conn,
        }
    }
}

/// Gives the writer's own connection back for the next batch, unless a
/// write panicked and left its transaction open (as the pool would, a
/// broken connection is closed instead, which rolls that transaction back
/// and frees the database's write lock; the next batch opens another).
impl Drop for WriteConnection {
    fn drop(&mut self) {
        if let WriteConnection::Own { conn, open } = self {
            let reusable = conn.take().and_then(|mut c| (!c.is_broken()).then_some(c));
            *open.writer.lock().unwrap_or_else(|e| e.into_inner()) = reusable;
        }
    }
}

/// After `error`: if the server went away (a restart, a failover, an idle
/// cut), this request fails with 503, and its pool slot gets a new
/// connection now rather than leave a dead one to the next.
fn heal(pool: &Pool, conn: &mut Conn, error: &diesel::result::Error) {
    use diesel::result::{DatabaseErrorKind, Error};
    if let Error::DatabaseError(DatabaseErrorKind::ClosedConnection, _) = error {
        let manager = Manager::new(&pool.0.location, &pool.0.options);
        if let Ok(fresh) = manager.connect() {
            *conn = fresh;
        }
    }
}

/// Runs `f`, a read bounded by an index (a lookup by key), on the calling
/// thread when an SQLite connection is idle (a lookup connection, whose
/// open transaction it may reuse, see [`read_lock`], or else one of the
/// pool's), and on the blocking pool otherwise. `f` only reads, and opens
/// no transaction of its own.
///
/// Handing a query to the blocking pool costs two thread switches, more
/// than such a read itself (a few microseconds); in WAL mode a read never
/// waits for the write lock, so it cannot stall the async thread. A
/// PostgreSQL query is a network round trip: it always goes to the blocking
/// pool, as does anything that may scan, and every write ([`run`] /
/// [`write()`]).
pub async fn lookup<T, F>(pool: &Pool, f: F) -> Result<T, Problem>
where
    T: Send + 'static,
    F: FnOnce(&mut Conn) -> DbResult<T> + Send + 'static,
{
    if !pool.0.location.is_sqlite() {
        return run(pool, f).await;
    }
    let open = pool.checked()?;
    let f = match &open.read_lock {
        Some(lookups) => match lookups.run(open.changes.as_ref().and_then(|c| c.stamp()), f) {
            Ok(out) => return out.map_err(Problem::from),
            Err(f) => f,
        },
        None => f,
    };
    let idle = open.connections.try_get();
    match idle {
        Some(mut conn) => f(&mut conn).map_err(Problem::from),
        None => run(pool, f).await,
    }
}

/// Runs `f` in a write transaction on the blocking pool, and answers once
/// that transaction has committed (or failed).
///
/// Writes of this process queue in order rather than wait for SQLite's
/// lock, whose busy handler sleeps in steps of up to 100 ms and wakes in no
/// order (eight concurrent writers saw a p99 of 80 ms); the ones queued
/// when the writer becomes free share one transaction, each in a savepoint
/// of its own: see [`group_commit`]. Queued writers hold neither a thread
/// nor a connection. The database's own lock still orders this process's
/// writer against other processes: the CLI, or other replicas.
pub async fn write<T, F>(pool: &Pool, f: F) -> Result<T, Problem>
where
    T: Send + 'static,
    F: FnOnce(&mut Conn) -> DbResult<T> + Send + 'static,
{
    group_commit::write(pool, f).await
}

/// How long no write of this process must have committed before
/// [`keep_search_index_merged`] merges.
const TIDY_QUIET: Duration = Duration::from_millis(200);

/// Keeps `match`'s gram index merged (SQLite; migration 13): `match` reads
/// each of its segments, and writes, which only merge sixteen at a time,
/// leave up to fifteen per level. While no write of this process has
/// committed for [`TIDY_QUIET`], merges one step per such interval (about
/// 15 ms of work, on the writer, only while no write waits: see
/// `group_commit::when_idle`) until FTS5 finds nothing left to merge, then
/// waits for the next write. One step per interval, not one after the
/// other: another program's writer on the file (the CLI, another replica)
/// waits for SQLite's lock in sleeps of up to 100 ms, and steps back to
/// back starved it (the bench's storage ceiling got nothing done for a
/// second while a million-row index merged). At start it tidies whatever
/// the file holds. Under a steady stream of writes it never runs. A failed
/// step (a full disk, a read-only file) is tried again after the next
/// write. Ends when the pool is dropped.
pub async fn keep_search_index_merged(pool: Pool) {
    if !pool.0.location.is_sqlite() {
        return;
    }
    let activity = |pool: &Pool| {
        let stats = pool.write_stats();
        (stats.transactions, stats.queued)
    };
    let mut seen = activity(&pool);
    let shared = Arc::downgrade(&pool.0);
    drop(pool);
    let mut untidy = true;
    loop {
        tokio::time::sleep(TIDY_QUIET).await;
        let Some(shared) = shared.upgrade() else { return };
        let pool = Pool(shared);
        let now = activity(&pool);
        if now != seen {
            (seen, untidy) = (now, true);
            continue;
        }
        if !untidy {
            continue;
        }
        let merged = tokio::task::spawn_blocking(move || {
            group_commit::when_idle(&pool, |conn| match conn {
                Conn::Sqlite(c) => Ok(search::tidy_step(c)?),
                Conn::Pg(_) => Ok(false),
            })
        })
        .await;
        match merged {
            Ok(None | Some(Ok(true))) => {}
            Ok(Some(Ok(false) | Err(_))) | Err(_) => untidy = false,
        }
    }
}

/// Merges `match`'s gram index as far as [`keep_search_index_merged`]
/// would, at once and on `conn`: how the index of a database at rest under
/// the service looks. For bulk loads (the bench's seed); nothing to do on
/// PostgreSQL.
pub fn merge_search_index(conn: &mut Conn) -> DbResult<()> {
    while let Conn::Sqlite(_) = conn {
        let merged = write_transaction(conn, |conn| match conn {
            Conn::Sqlite(c) => Ok::<_, Failure>(search::tidy_step(c)?),
            Conn::Pg(_) => Ok(false),
        })?;
        if !merged {
            break;
        }
    }
    Ok(())
}

/// Runs `f` inside a transaction that holds the database's write lock from
/// its first statement ([`begin_write`]). Commits if `f` succeeds, rolls
/// back otherwise.
pub fn write_transaction<T, E, F>(conn: &mut Conn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut Conn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    begin_write(conn)?;
    match f(conn) {
        Ok(value) => {
            end_write(conn, true)?;
            Ok(value)
        }
        Err(e) => {
            end_write(conn, false)?;
            Err(e)
        }
    }
}

/// Begins a transaction that holds the database's write lock from its
/// first statement: SQLite's `BEGIN IMMEDIATE` (taking the lock up front
/// avoids the deadlock of two readers both upgrading to writers), or on
/// PostgreSQL the write advisory lock (see the module's note).
fn begin_write(conn: &mut Conn) -> Result<(), diesel::result::Error> {
    match conn {
        Conn::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE"),
        Conn::Pg(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN")?;
            if let Err(e) = c.batch_execute(WRITE_LOCK) {
                let _ = AnsiTransactionManager::rollback_transaction(c);
                return Err(e);
            }
            Ok(())
        }
    }
}

/// Commits (`keep`) or rolls back the transaction [`begin_write`] began. A
/// failed commit is rolled back. On SQLite, `match`'s gram index is brought
/// up to date just before the commit ([`search`]), once for all the writes
/// of the transaction.
fn end_write(conn: &mut Conn, keep: bool) -> Result<(), diesel::result::Error> {
    if keep {
        let committed = match conn {
            Conn::Sqlite(c) => search::settle(c).and_then(|()| AnsiTransactionManager::commit_transaction(c)),
            Conn::Pg(c) => AnsiTransactionManager::commit_transaction(c),
        };
        if committed.is_err() {
            let _ = each_backend!(conn, |c| AnsiTransactionManager::rollback_transaction(c));
        }
        committed
    } else {
        each_backend!(conn, |c| AnsiTransactionManager::rollback_transaction(c))
    }
}

#[cfg(test)]
mod tests {
    use super::Location;

    #[test]
    fn locations_parse_and_mask_their_passwords() {
        let parse = |s: &str| s.parse::<Location>().map_err(|e| e.to_string());
        assert_eq!(parse("data/h.sqlite3"), Ok(Location::Sqlite("data/h.sqlite3".into())));
        assert_eq!(parse("sqlite:///var/lib/h.sqlite3"), Ok(Location::Sqlite("/var/lib/h.sqlite3".into())));
        assert_eq!(parse("sqlite://rel.sqlite3"), Ok(Location::Sqlite("rel.sqlite3".into())));
        assert!(parse("sqlite://").unwrap_err().contains("needs a path"));
        assert!(parse("").unwrap_err().contains("empty"));
        assert!(parse("mysql://root@localhost/db").unwrap_err().contains("unsupported database URL scheme \"mysql\""));
        for url in ["postgres://u@h/db", "postgresql://u@h:5432/db?sslmode=require"] {
            assert_eq!(parse(url), Ok(Location::Postgres(url.into())));
        }
        let secret =
            parse("postgres://app:s3cret@db.internal:5432/h?sslmode=require&password=x2&sslpassword=k3y").unwrap();
        let shown = [secret.to_string(), format!("{secret:?}")];
        for text in &shown {
            assert!(!text.contains("s3cret") && !text.contains("x2") && !text.contains("k3y"), "{text}");
        }
        assert_eq!(shown[0], "postgres://app:***@db.internal:5432/h?sslmode=require&password=***&sslpassword=***");
        assert_eq!(parse("postgres://db.internal/h").unwrap().to_string(), "postgres://db.internal/h");
    }
}
