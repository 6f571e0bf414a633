//! SQLite allocates through mimalloc when the binaries ask it to, before
//! its first use (`db::sqlite_uses_mimalloc`), and refuses the switch once
//! it is in use. One test in a file of its own: the switch must come before
//! any other use of SQLite in the process, which parallel tests would race.

mod common;

use hostadmin_server::db::{self, DbOptions};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_allocates_through_mimalloc_once_switched_before_first_use() {
    let database = common::TestDb::new();
    if database.is_postgres() {
        return;
    }
    // SAFETY: the only test of this process, and SQLite not used yet.
    assert!(unsafe { db::sqlite_uses_mimalloc() }, "SQLite was already initialized");

    let pool = db::open(&database.location, &DbOptions::default()).unwrap();
    let id = db::write(&pool, |conn| Ok(hostadmin_server::servers::insert(conn, "alloc.test", "alloc.example")?.id))
        .await
        .unwrap();
    let name = db::lookup(&pool, move |conn| Ok(hostadmin_server::servers::find(conn, id)?.hostname)).await.unwrap();
    assert_eq!(name, "alloc.test");

    // SAFETY: sqlite3_malloc and sqlite3_free on memory of our own.
    unsafe {
        let pointer = libsqlite3_sys::sqlite3_malloc(1000);
        assert!(!pointer.is_null());
        assert!(libmimalloc_sys::mi_is_in_heap_region(pointer), "SQLite's allocation is not mimalloc's");
        assert!(libsqlite3_sys::sqlite3_msize(pointer) >= 1000);
        libsqlite3_sys::sqlite3_free(pointer);
        // In use now: the switch is refused, and nothing changes.
        assert!(!db::sqlite_uses_mimalloc());
    }
}
