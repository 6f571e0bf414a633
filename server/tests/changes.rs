//! What `Pool::change_stamp` promises the principal cache: on SQLite, the
//! stamp stays equal while nothing commits (reads, checkpoints, a write
//! that rolls back) and changes with every commit, whoever makes it: a
//! connection of this process, another connection, another process. On
//! PostgreSQL there is none, so nothing is cached.

mod common;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use hostadmin_server::db::{self, DbOptions};

#[test]
fn every_commit_and_only_a_commit_changes_the_stamp() {
    let database = common::TestDb::new();
    let pool = db::open(&database.location, &DbOptions::default()).unwrap();
    if database.is_postgres() {
        assert_eq!(pool.change_stamp(), None, "replicas commit elsewhere: no stamp");
        return;
    }
    let stamp = pool.change_stamp().expect("an SQLite database in WAL mode has a stamp");
    assert_eq!(pool.change_stamp(), Some(stamp), "nothing committed");

    let mut conn = pool.get().unwrap();
    let count: i64 = hostadmin_server::schema::servers::table.count().get_result(&mut *conn).unwrap();
    assert_eq!(count, 0);
    conn.batch_execute("PRAGMA wal_checkpoint(PASSIVE)").unwrap();
    assert_eq!(pool.change_stamp(), Some(stamp), "reads and a checkpoint commit nothing");

    conn.batch_execute("BEGIN IMMEDIATE; INSERT INTO settings (name, value) VALUES ('t', '1'); ROLLBACK").unwrap();
    assert_eq!(pool.change_stamp(), Some(stamp), "a write rolled back commits nothing");

    hostadmin_server::servers::insert(&mut conn, "one.changes.test", "one.changes.example").unwrap();
    let after_own = pool.change_stamp().unwrap();
    assert_ne!(after_own, stamp, "a commit on one of the pool's connections");
    drop(conn);

    let mut other = database.conn();
    hostadmin_server::servers::insert(&mut other, "two.changes.test", "two.changes.example").unwrap();
    let after_other = pool.change_stamp().unwrap();
    assert_ne!(after_other, after_own, "a commit on a connection outside the pool");

    let out = std::process::Command::new(common::server_binary())
        .args(["user", "add", "cli", "--role", "readonly", "--password-stdin", "--database", &database.url()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(b"pass-word-1\n")?;
            child.wait()
        })
        .unwrap();
    assert!(out.success());
    assert_ne!(pool.change_stamp().unwrap(), after_other, "a commit by another process");
}
