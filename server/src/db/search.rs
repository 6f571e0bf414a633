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
/// FTS5 writes them): a write that comes while it runs waits for it, a few
/// milliseconds.
const TIDY_PAGES: i32 = 64;

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
