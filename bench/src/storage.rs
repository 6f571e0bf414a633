//! The storage ceiling and the seeding of benchmark databases.
//!
//! The ceiling calls the service's own query functions (so the SQL is the
//! same, not a copy) through a pool opened by the service's own `db::open`
//! (so the pragmas are the same: WAL, `synchronous = FULL`), one immediate
//! transaction per write as the service does, with no HTTP in between.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context};
use diesel::prelude::*;
use hostadmin_api::wire::parse_params;
use hostadmin_api::ServerListQuery;
use hostadmin_server::db::{self, Conn, DbOptions, Location};
use hostadmin_server::schema::servers as table;
use hostadmin_server::{accounts, servers};

use crate::measure::{figures, Rng, RunArgs, Samples};

#[derive(Clone, Copy, clap::ValueEnum)]
enum Case {
    /// `servers::read` of a random server at level 2.
    Get,
    /// `servers::select` with `--query`.
    List,
    /// `servers::insert` of a new server.
    Post,
    /// What a PATCH of a random server's external name runs.
    Patch,
    /// An account looked up and its password verified.
    Login,
}

#[derive(clap::Args)]
pub struct Args {
    /// An SQLite file or a PostgreSQL URL, as `hostadmin --database`.
    #[arg(long)]
    database: Location,
    #[arg(long, value_enum)]
    case: Case,
    /// For `list`: the query string, as the HTTP request sends it.
    #[arg(long, default_value = "")]
    query: String,
    /// For `login`: `user:password`.
    #[arg(long, default_value = "")]
    login: String,
    /// Makes created names unique across runs on one database.
    #[arg(long, default_value = "run")]
    nonce: String,
    #[arg(long, default_value_t = 8)]
    threads: usize,
    #[command(flatten)]
    run: RunArgs,
}

type Op = dyn Fn(&mut Conn, &mut Rng, u64) -> Result<(), String> + Send + Sync;

fn operation(args: &Args) -> anyhow::Result<Box<Op>> {
    let rand_max = args.run.rand_max;
    let nonce = args.nonce.clone();
    Ok(match args.case {
        Case::Get => Box::new(move |conn, rng, _| {
            servers::read(conn, rng.one_to(rand_max) as i64, 2).map(drop).map_err(|e| format!("{e:?}"))
        }),
        Case::List => {
            let pairs: Vec<(String, String)> = args
                .query
                .split('&')
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            let query: ServerListQuery =
                parse_params(&pairs).map_err(|v| anyhow::anyhow!("--query {:?}: {v:?}", args.query))?;
            Box::new(move |conn, _, _| servers::select(conn, &query).map(drop).map_err(|e| format!("{e:?}")))
        }
        Case::Post => Box::new(move |conn, _, seq| {
            let hostname = format!("new-{nonce}-{seq}.bench.example");
            let extname = format!("ext-{nonce}-{seq}.bench.example");
            db::write_transaction(conn, |c| servers::insert(c, &hostname, &extname))
                .map(drop)
                .map_err(|e| format!("{e:?}"))
        }),
        Case::Patch => Box::new(move |conn, rng, seq| {
            let id = rng.one_to(rand_max) as i64;
            let extname = format!("patched-{nonce}-{seq}.bench.example");
            db::write_transaction(conn, |c| {
                let row = servers::find(c, id)?;
                servers::rename(c, &row, &row.hostname, &extname)?;
                servers::read(c, id, 2)
            })
            .map(drop)
            .map_err(|e| format!("{e:?}"))
        }),
        Case::Login => {
            let (user, pass) = args.login.split_once(':').context("--login user:password")?;
            let (user, pass) = (user.to_string(), pass.to_string());
            Box::new(move |conn, _, _| {
                let account = accounts::find_by_name(conn, &user).map_err(|e| e.to_string())?;
                if hostadmin_server::passwords::verify(account.as_ref().map(|a| a.password_hash.as_str()), &pass) {
                    Ok(())
                } else {
                    Err("wrong password".into())
                }
            })
        }
    })
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let options = DbOptions { max_connections: args.threads as u32, ..Default::default() };
    let pool = db::open(&args.database, &options)?;
    let op: Arc<Op> = Arc::from(operation(&args)?);
    let writes = matches!(args.case, Case::Post | Case::Patch);
    let turn = Arc::new(std::sync::Mutex::new(()));
    // Once outside the measurement: it must succeed.
    let mut conn = pool.get()?;
    op(&mut conn, &mut Rng::new(args.run.seed), u64::MAX).map_err(|e| anyhow::anyhow!("first operation: {e}"))?;
    drop(conn);
    let seq = Arc::new(AtomicU64::new(0));
    let window = args.run.window();
    let workers: Vec<_> = (0..args.threads)
        .map(|worker| {
            let (pool, op, seq, turn) = (pool.clone(), op.clone(), seq.clone(), turn.clone());
            let seed = args.run.seed ^ (worker as u64 + 1).wrapping_mul(0x2545_F491_4F6C_DD1D);
            std::thread::spawn(move || -> anyhow::Result<Samples> {
                let mut conn = pool.get()?;
                let mut rng = Rng::new(seed);
                let mut samples = Samples::default();
                let mut reported = false;
                while Instant::now() < window.end {
                    let began = Instant::now();
                    let _turn = writes.then(|| turn.lock().unwrap_or_else(|e| e.into_inner()));
                    let result = op(&mut conn, &mut rng, seq.fetch_add(1, Ordering::Relaxed));
                    if let Err(e) = &result {
                        if !reported {
                            eprintln!("storage: {e}");
                            reported = true;
                        }
                    }
                    samples.record(&window, began, result.is_ok());
                }
                Ok(samples)
            })
        })
        .collect();
    let mut all = Vec::new();
    for worker in workers {
        all.push(worker.join().map_err(|_| anyhow::anyhow!("a storage worker panicked"))??);
    }
    println!("{}", serde_json::to_string(&figures(all, &window))?);
    Ok(())
}

/// Inserts `count` servers in batches, one transaction in all.
pub fn seed(database: &Location, count: u64) -> anyhow::Result<()> {
    let pool = db::open(database, &DbOptions { max_connections: 1, ..Default::default() })?;
    let mut conn = pool.get()?;
    let existing: i64 = table::table.count().get_result(&mut conn)?;
    if existing != 0 {
        bail!("{database} already holds {existing} servers");
    }
    const BATCH: u64 = 5_000;
    db::write_transaction(&mut conn, |conn| -> QueryResult<()> {
        let mut next = 1;
        while next <= count {
            let last = (next + BATCH - 1).min(count);
            let rows: Vec<_> = (next..=last)
                .map(|i| {
                    (
                        table::hostname.eq(format!("srv-{i:07}.bench.example")),
                        table::extname.eq(format!("mail-{i:07}.bench.example")),
                    )
                })
                .collect();
            let insert = diesel::insert_into(table::table).values(&rows);
            hostadmin_server::each_backend!(&mut *conn, |c| insert.execute(c))?;
            next = last + 1;
        }
        Ok(())
    })?;
    // What an operator runs after a bulk load on PostgreSQL: statistics for
    // the planner, and the `match` gram index's pending list merged (until
    // autovacuum does both, `match` reads the pending list in full).
    if let Conn::Pg(pg) = &mut *conn {
        diesel::connection::SimpleConnection::batch_execute(pg, "VACUUM ANALYZE")?;
    }
    // On SQLite the gram index as the service leaves it at rest: merged
    // (it merges when writes stop, `db::keep_search_index_merged`), so that
    // the run's first cases do not measure the service merging a fresh
    // load in the background.
    db::merge_search_index(&mut conn).map_err(|e| anyhow::anyhow!("merging the gram index: {e:?}"))?;
    println!("{{\"servers\": {count}}}");
    Ok(())
}

/// Creates or drops (with everything in it) a schema named with
/// `[a-z0-9_]` only.
pub fn pg_schema(url: &str, create: Option<&str>, drop: Option<&str>) -> anyhow::Result<()> {
    use diesel::connection::SimpleConnection;
    let sql = match (create, drop) {
        (Some(name), None) => format!("CREATE SCHEMA {}", schema_name(name)?),
        (None, Some(name)) => format!("DROP SCHEMA IF EXISTS {} CASCADE", schema_name(name)?),
        _ => bail!("--create NAME or --drop NAME"),
    };
    let mut conn = diesel::PgConnection::establish(url)?;
    conn.batch_execute(&sql)?;
    println!("{{}}");
    Ok(())
}

fn schema_name(name: &str) -> anyhow::Result<&str> {
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
        bail!("a schema name of [a-z0-9_]: {name:?}");
    }
    Ok(name)
}
