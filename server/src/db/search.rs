//! `match`'s gram index brought up to date once per write transaction
//! (SQLite; migrations 11 and 12 say why and how).
//!
//! A change to a server's names only notes the index rows of the names it
//! changed; deleting the notes rewrites their grams (a trigger). The writer
//! does that just before each commit, so a transaction of many writes
//! writes the index once: one FTS5 segment instead of one per write's
//! savepoint. A transaction that commits without it (another program's)
//! leaves notes that the next one settles, and that `match` reads as
//! candidates meanwhile.
//!
//! A needle is looked up in each segment of the index, so `match` costs
//! more the more segments there are, and writes leave up to fifteen per
//! level (automerge 16, migration 10, which keeps their own merges cheap):
//! at a million servers, twenty segments made a needle cost about 1.6
//! times what it costs in one. So the service merges when writes stop
//! ([`tidy_step`], driven by `db::keep_search_index_merged`; migration 13
//! lets FTS5 merge as few as two segments of a level), and an index at
//! rest is one segment. Refused: merging in every write's transaction
//! (`usermerge` on the write path: what migration 10 took out), and the
//! `optimize` command (one transaction rewriting the whole index, 1.3 s at
//! a million servers, during which no write commits).

use diesel::prelude::*;

diesel::table! {
    /// The index rows (2 × a server's ID for its hostname, plus 1 for its
    /// external name) whose grams are not yet their name's (migrations 11
    /// and 12; left out of `schema.rs`, like the index itself, as internal
    /// to `match`).
    servers_search_stale (name) {
        name -> BigInt,
    }
}

/// Rewrites the grams of every noted name, in the current transaction.
/// A prepared statement of the connection's cache: with nothing noted, it
/// costs one look at an empty table.
pub(super) fn settle(conn: &mut SqliteConnection) -> QueryResult<()> {
    diesel::delete(servers_search_stale::table).execute(conn).map(|_| ())
}

/// Pages of merged index one tidying step writes at most (4 KiB each, as
/// FTS5 writes them): a write that comes while it runs waits for it, about
/// 15 ms at a million servers (100 ms at worst, its `fsync` included).
/// Twenty segments of a million servers' names took 94 such steps.
const TIDY_PAGES: i32 = 256;

/// One step of merging the index's segments ([`super::keep_search_index_merged`]),
/// in the current transaction: whether it merged anything. FTS5 tells by
/// the changes the command made (two or more when it worked).
pub(super) fn tidy_step(conn: &mut SqliteConnection) -> QueryResult<bool> {
    #[derive(QueryableByName)]
    struct Changes {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let changes = |conn: &mut SqliteConnection| {
        diesel::sql_query("SELECT total_changes() AS n").get_result::<Changes>(conn).map(|c| c.n)
    };
    let before = changes(conn)?;
    diesel::sql_query("INSERT INTO servers_search_grams (servers_search_grams, rank) VALUES ('merge', ?)")
        .bind::<diesel::sql_types::Integer, _>(TIDY_PAGES)
        .execute(conn)?;
    Ok(changes(conn)? - before >= 2)
}
