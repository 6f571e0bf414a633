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
