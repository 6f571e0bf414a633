//! The tools `cargo xtask bench` drives; each prints one JSON object.
//!
//! - `load`: an HTTP/1.1 keep-alive load generator (fixed connection count,
//!   fixed duration, per-request latency) for the service and its framework
//!   ceiling alike, so that both are measured by the same client;
//! - `ceiling`: the framework ceiling, a bare Dropshot server that answers a
//!   recorded body with no authentication and no database;
//! - `storage`: the storage ceiling, the service's own Diesel queries in a
//!   tight loop on the same database file and pragmas, without HTTP;
//! - `seed`: fills a database with servers;
//! - `pg-schema`: creates or drops the schema a PostgreSQL run works in.
//!
//! A separate binary (rather than `xtask` itself) keeps Dropshot, Diesel and
//! the service's crate out of every other `cargo xtask` invocation's build.

/// The service's allocator (see `server/src/main.rs`), so that the
/// framework and storage ceilings are of the same build as the service.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod ceiling;
mod load;
mod measure;
mod storage;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(about = "hostadmin benchmark tools (run through `cargo xtask bench`)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Sends one kind of request over keep-alive connections for a fixed
    /// time and prints throughput and latency percentiles.
    Load(load::Args),
    /// Serves the framework ceiling: a bare Dropshot server answering a
    /// recorded body.
    Ceiling(ceiling::Args),
    /// Runs the service's own queries in a loop, without HTTP, and prints
    /// the storage ceiling.
    Storage(storage::Args),
    /// Creates (and migrates) the database and inserts `servers` servers,
    /// named `srv-NNNNNNN.bench.example` with external names
    /// `mail-NNNNNNN.bench.example`, numbered from 1.
    Seed {
        #[arg(long)]
        database: hostadmin_server::db::Location,
        #[arg(long)]
        servers: u64,
    },
    /// Creates or drops a schema of the bench's own in a PostgreSQL database.
    PgSchema {
        #[arg(long)]
        url: String,
        #[arg(long, conflicts_with = "drop")]
        create: Option<String>,
        #[arg(long)]
        drop: Option<String>,
    },
}

fn main() -> anyhow::Result<()> {
    // As the service does, so that the storage ceiling's SQLite allocates
    // the same way. SAFETY: no other thread runs yet.
    unsafe {
        hostadmin_server::db::sqlite_uses_mimalloc();
    }
    match Cli::parse().command {
        Command::Load(args) => load::run(args),
        Command::Ceiling(args) => ceiling::run(args),
        Command::Storage(args) => storage::run(args),
        Command::Seed { database, servers } => storage::seed(&database, servers),
        Command::PgSchema { url, create, drop } => storage::pg_schema(&url, create.as_deref(), drop.as_deref()),
    }
}
