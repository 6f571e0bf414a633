//! The lookup connections and the read transactions they keep
//! (`db/read_lock.rs`): lookups keep them, still see every commit made
//! before they began, whoever made it, and the transactions never stand in
//! the way of the writer's checkpoints or stay open once lookups stop.

mod common;

use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use hostadmin_server::db::{self, DbOptions, Pool};

async fn hostname(pool: &Pool, id: i64) -> Result<String, hostadmin_api::wire::Problem> {
    db::lookup(pool, move |conn| Ok(hostadmin_server::servers::find(conn, id)?.hostname)).await
}

async fn insert(pool: &Pool, name: &str) -> i64 {
    let (hostname, extname) = (format!("{name}.lock.test"), format!("{name}.lock.example"));
    db::write(pool, move |conn| Ok(hostadmin_server::servers::insert(conn, &hostname, &extname)?.id)).await.unwrap()
}

/// Whether a checkpoint in `mode`, on a connection of its own (another
/// program's, as far as the pool can tell), found the WAL busy.
fn checkpoint_busy(database: &common::TestDb, mode: &str) -> bool {
    #[derive(QueryableByName)]
    struct Outcome {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        busy: i32,
    }
    let mut conn = database.conn();
    let o: Outcome = diesel::sql_query(format!("PRAGMA wal_checkpoint({mode})")).get_result(&mut conn).unwrap();
    o.busy != 0
}

/// Whether a lookup keeps its transaction, seen right after it. Tries for
/// a while, a millisecond apart: a lookup in one of the 1 ms rests
/// (`REST_FOR`) keeps nothing, and on a loaded machine this thread may be
/// preempted between the lookup and the look until the window is over and
/// the timer has ended it, as it should.
async fn taken_by_a_lookup(pool: &Pool, id: i64) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        assert_eq!(hostname(pool, id).await.unwrap(), "first.lock.test");
        if pool.read_lock_held() == Some(true) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    false
}

/// Waits until the pool has opened all its connections, which it does in
/// the background after `db::open`: each opening reads the database, and a
/// checkpoint meeting that read would find the WAL busy for a moment.
async fn settled(pool: &Pool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        let (max, open, _) = pool.state();
        if open >= max {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("the pool never opened all its connections: {:?}", pool.state());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lookups_share_a_read_lock_that_writes_and_idleness_let_go() {
    let database = common::TestDb::new();
    let pool = db::open(&database.location, &DbOptions::default()).unwrap();
    if pool.read_lock_held().is_none() {
        assert!(database.is_postgres(), "only PostgreSQL goes without");
        return;
    }
    settled(&pool).await;
    let first = insert(&pool, "first").await;
    assert_eq!(pool.read_lock_held(), Some(false), "no lookup yet");

    assert!(taken_by_a_lookup(&pool, first).await, "a lookup takes it");

    // A commit made elsewhere while it is held is seen by the next lookup:
    // the lock is kept, not the snapshot it was taken on.
    let mut other = database.conn();
    let elsewhere = hostadmin_server::servers::insert(&mut other, "elsewhere.lock.test", "e.lock.example").unwrap();
    assert_eq!(hostname(&pool, elsewhere.id).await.unwrap(), "elsewhere.lock.test");

    // The writer lets go of it for its batch, so that the batch's commit
    // leaves a WAL that a checkpoint can empty at once.
    let checker = pool.clone();
    let held_during_write = db::write(&pool, move |conn| {
        let held = checker.read_lock_held();
        hostadmin_server::servers::insert(conn, "written.lock.test", "w.lock.example")?;
        Ok(held)
    })
    .await
    .unwrap();
    assert_eq!(held_during_write, Some(false), "not held while the writer's batch runs");
    assert!(!checkpoint_busy(&database, "TRUNCATE"), "nothing keeps the WAL from being emptied after a write");
    let wal = std::fs::metadata(format!("{}-wal", database.path().display())).unwrap();
    assert_eq!(wal.len(), 0);

    // Taken again by lookups; let go of by itself once they stop.
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert!(taken_by_a_lookup(&pool, first).await, "taken again by a lookup after the write");
    let deadline = Instant::now() + Duration::from_secs(10);
    while pool.read_lock_held() == Some(true) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(pool.read_lock_held(), Some(false), "let go of when no lookup comes");
    other.batch_execute("INSERT INTO settings (name, value) VALUES ('after', 'idle')").unwrap();
    assert!(!checkpoint_busy(&database, "TRUNCATE"), "an idle service keeps no other program's checkpoint waiting");
}

/// A lookup on a deleted file is refused before the lock is touched.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lookup_on_a_deleted_file_answers_503_without_taking_the_lock() {
    let database = common::TestDb::new();
    if database.is_postgres() {
        return;
    }
    let pool = db::open(&database.location, &DbOptions::default()).unwrap();
    let id = insert(&pool, "kept").await;
    assert_eq!(hostname(&pool, id).await.unwrap(), "kept.lock.test");
    let deadline = Instant::now() + Duration::from_secs(10);
    while pool.read_lock_held() == Some(true) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", database.path().display()));
    }
    // A write checks the file at once; reads rely on a check at most a
    // millisecond old, so wait that out.
    tokio::time::sleep(Duration::from_millis(5)).await;
    let refused = hostname(&pool, id).await.expect_err("the file is gone");
    assert!(matches!(refused, hostadmin_api::wire::Problem::Unavailable(_)), "{refused:?}");
    assert_eq!(pool.read_lock_held(), Some(false), "not taken for a refused lookup");
}

async fn rename(pool: &Pool, id: i64, name: String) {
    use hostadmin_server::schema::servers;
    db::write(pool, move |conn| {
        diesel::update(servers::table.find(id)).set(servers::hostname.eq(name)).execute(conn)?;
        Ok(())
    })
    .await
    .unwrap();
}

/// Every lookup sees every commit that finished before it began, by this
/// process's writer or by a connection outside the pool (another program),
/// while other lookups run all the time on every lookup connection (and
/// past them, on the pool), keeping their transactions open.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_kept_transaction_never_answers_from_before_a_commit() {
    let database = common::TestDb::new();
    let pool = db::open(&database.location, &DbOptions::default()).unwrap();
    settled(&pool).await;
    let id = insert(&pool, "renamed").await;
    let other_id = insert(&pool, "other").await;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let readers: Vec<_> = (0..8)
        .map(|_| {
            let (pool, stop) = (pool.clone(), stop.clone());
            tokio::spawn(async move {
                let mut n = 0u32;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    assert_eq!(hostname(&pool, other_id).await.unwrap(), "other.lock.test");
                    n += 1;
                    if n.is_multiple_of(16) {
                        tokio::task::yield_now().await;
                    }
                }
                n
            })
        })
        .collect();
    // Another program, which waits for locks as the service does.
    let mut elsewhere = database.conn();
    if !database.is_postgres() {
        elsewhere.batch_execute("PRAGMA busy_timeout = 10000").unwrap();
    }
    for round in 0..200 {
        let name = format!("round-{round}.lock.test");
        if round % 2 == 0 {
            rename(&pool, id, name.clone()).await;
        } else {
            use hostadmin_server::schema::servers;
            diesel::update(servers::table.find(id)).set(servers::hostname.eq(&name)).execute(&mut elsewhere).unwrap();
        }
        assert_eq!(hostname(&pool, id).await.unwrap(), name, "round {round}: a lookup after the commit");
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for reader in readers {
        assert!(reader.await.unwrap() > 0, "every reader ran");
    }
}

/// A lookup that panics on a lookup connection costs that connection, not
/// the lookups after it, which still see every commit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lookup_that_panics_leaves_the_others_working() {
    let database = common::TestDb::new();
    let pool = db::open(&database.location, &DbOptions::default()).unwrap();
    let id = insert(&pool, "first").await;
    assert_eq!(hostname(&pool, id).await.unwrap(), "first.lock.test");
    for _ in 0..4 {
        let panicking = pool.clone();
        let joined = tokio::spawn(async move {
            db::lookup(&panicking, move |conn| -> db::DbResult<()> {
                hostadmin_server::servers::find(conn, id)?;
                panic!("a lookup that panics halfway");
            })
            .await
        })
        .await;
        // On the calling thread (SQLite) the panic reaches the task; on the
        // blocking pool (PostgreSQL) it is caught and answered as a 500.
        match joined {
            Err(e) => assert!(e.is_panic()),
            Ok(answer) => assert!(matches!(answer, Err(hostadmin_api::wire::Problem::Internal(_))), "{answer:?}"),
        }
    }
    rename(&pool, id, "after.lock.test".into()).await;
    for _ in 0..16 {
        assert_eq!(hostname(&pool, id).await.unwrap(), "after.lock.test");
    }
}

/// `PRAGMA mmap_size` on the connection `f` runs on.
fn mapped_bytes(conn: &mut db::Conn) -> diesel::QueryResult<i64> {
    #[derive(QueryableByName)]
    struct Size {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        mmap_size: i64,
    }
    Ok(diesel::sql_query("PRAGMA mmap_size").get_result::<Size>(conn)?.mmap_size)
}

fn file_len(database: &common::TestDb) -> u64 {
    std::fs::metadata(database.path()).unwrap().len()
}

/// Lookups read the file through a memory map, as configured; the writer
/// does not. Whatever another program does to the file's size under the
/// map (grows it by a checkpoint, shrinks it by `VACUUM` and a
/// checkpoint), lookups answer from the file as it is, and none touches a
/// page the file no longer has (which would stop the test with `SIGBUS`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lookups_read_through_a_map_that_follows_the_file_size() {
    let database = common::TestDb::new();
    if database.is_postgres() {
        return;
    }
    // 2047 MiB, the setting's upper bound, is under SQLite's own limit.
    for (mib, expected) in [(0, 0), (1, 1 << 20), (2047, 2047 << 20)] {
        let options = DbOptions { read_map_bytes: mib << 20, ..DbOptions::default() };
        let pool = db::open(&database.location, &options).unwrap();
        assert_eq!(db::lookup(&pool, |conn| Ok(mapped_bytes(conn)?)).await.unwrap(), expected, "{mib} MiB");
    }
    let pool = db::open(&database.location, &DbOptions::default()).unwrap();
    settled(&pool).await;
    let first = insert(&pool, "first").await;
    let lookup_map = db::lookup(&pool, |conn| Ok(mapped_bytes(conn)?)).await.unwrap();
    assert_eq!(lookup_map, (db::READ_MAP_MIB << 20) as i64, "lookups map the file by default");
    assert_eq!(db::write(&pool, |conn| Ok(mapped_bytes(conn)?)).await.unwrap(), 0, "the writer does not");
    assert_eq!(hostname(&pool, first).await.unwrap(), "first.lock.test");

    let mut other = database.conn();
    other.batch_execute("PRAGMA busy_timeout = 10000").unwrap();
    let before = file_len(&database);
    other.batch_execute("BEGIN IMMEDIATE").unwrap();
    let grown: Vec<i64> = (0..3000)
        .map(|i| {
            let name = format!("grown-{i:05}-{}", "x".repeat(200));
            hostadmin_server::servers::insert(&mut other, &format!("{name}.map.test"), &format!("{name}.map.example"))
                .unwrap()
                .id
        })
        .collect();
    other.batch_execute("COMMIT").unwrap();
    assert!(!checkpoint_busy(&database, "TRUNCATE"));
    let grown_len = file_len(&database);
    assert!(grown_len > before + (1 << 20), "the file grew: {before} -> {grown_len}");
    for &id in [grown[0], grown[1500], grown[2999]].iter() {
        assert!(hostname(&pool, id).await.unwrap().starts_with("grown-"), "row {id} after the file grew");
    }
    assert_eq!(hostname(&pool, first).await.unwrap(), "first.lock.test");

    // Shrink it: lookups mapped the larger file a moment ago.
    other.batch_execute("DELETE FROM servers WHERE hostname LIKE 'grown-%'; VACUUM;").unwrap();
    assert!(!checkpoint_busy(&database, "TRUNCATE"));
    let shrunk_len = file_len(&database);
    assert!(shrunk_len < grown_len / 2, "the file shrank: {grown_len} -> {shrunk_len}");
    assert_eq!(hostname(&pool, first).await.unwrap(), "first.lock.test");
    for &id in [grown[0], grown[2999]].iter() {
        let gone = hostname(&pool, id).await.expect_err("deleted");
        assert!(matches!(gone, hostadmin_api::wire::Problem::NotFound(_)), "{gone:?}");
    }
    let after = insert(&pool, "after").await;
    assert_eq!(hostname(&pool, after).await.unwrap(), "after.lock.test");
}

/// The SQLite the service links is built as `.cargo/config.toml` says:
/// multi-thread mode (no mutex around each call on a connection) and no
/// memory statistics (no process-wide mutex around each of its
/// allocations, which concurrent lookups, lists and the writer fought
/// over). A build that lost those flags still passes every other test; this
/// one says why it got slower.
#[test]
fn the_bundled_sqlite_takes_no_process_wide_lock_per_call_or_allocation() {
    let database = common::TestDb::new();
    if database.is_postgres() {
        return;
    }
    #[derive(QueryableByName)]
    struct CompileOption {
        #[diesel(sql_type = diesel::sql_types::Text)]
        compile_options: String,
    }
    let mut conn = database.conn();
    let options: Vec<String> = diesel::sql_query("PRAGMA compile_options")
        .load::<CompileOption>(&mut conn)
        .unwrap()
        .into_iter()
        .map(|o| o.compile_options)
        .collect();
    for wanted in ["THREADSAFE=2", "DEFAULT_MEMSTATUS=0"] {
        assert!(options.iter().any(|o| o == wanted), "{wanted} not in {options:?}");
    }
}
