//! System servers: rows, queries, and the operations of the system surface.
//!
//! A server's `users` and `domains` are kept in its row by triggers
//! (migration 4, on both backends), as is the trigram search index, in the
//! same transaction as the change they follow, so they cannot drift; a read
//! or a sort by `users` needs no aggregate.
//!
//! A page costs the same however large the table (the bench measures it):
//! the total `count` of an unfiltered list is summed from per-1024-ID blocks
//! (`server_blocks`), a deep `offset` in ID order finds its block from the
//! same sums and then skips fewer than 1024 rows, `match` goes through a
//! trigram index (SQLite's FTS5, PostgreSQL's `pg_trgm`), and every sort
//! has an index. What stays
//! proportional: a deep `offset` under another sort, or with a filter, walks
//! the index up to it (the contract has no cursor), and a `match` needle of
//! fewer than three characters (no trigram) scans.

use crate::db::{Conn, MultiBackend};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool};

use crate::db::DbResult;
use crate::schema::servers;
use hostadmin_api::types::{Server, ServerCreate, ServerList, ServerUpdate};
use hostadmin_api::wire::{Claimed, Problem};
use hostadmin_api::ServerListQuery;

diesel::table! {
    /// The trigram full-text index over the names (migration 4). Declared
    /// here, not in schema.rs: the Diesel CLI types an FTS5 table's columns
    /// as BLOBs.
    servers_search (rowid) {
        rowid -> BigInt,
        hostname -> Text,
        extname -> Text,
    }
}

diesel::allow_tables_to_appear_in_same_query!(servers_search, servers);

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = servers)]
pub struct ServerRow {
    pub id: i64,
    pub hostname: String,
    pub extname: String,
    pub domain_count: i64,
    pub user_count: i64,
}

/// The object as the API shows it at `level` (0: ID and hostname, 1: and
/// extname, 2: and the counts).
pub fn view(row: ServerRow, level: i32) -> Server {
    Server {
        id: row.id,
        hostname: row.hostname,
        extname: (level >= 1).then_some(row.extname),
        users: (level >= 2).then_some(row.user_count),
        domains: (level >= 2).then_some(row.domain_count),
    }
}

type Filtered<'a> = servers::BoxedQuery<'a, MultiBackend>;
type Condition = Box<dyn BoxableExpression<servers::table, MultiBackend, SqlType = Bool>>;

/// `match` in `fields`, a case-insensitive substring with `%` and `_`
/// literal, through a trigram index where the needle has three characters
/// or more. SQLite: one FTS5 phrase query over the fields (the needle's
/// trigrams, consecutive), or for a shorter needle, which has no trigram, a
/// scan. PostgreSQL: ILIKE, which `pg_trgm`'s GIN indexes serve.
fn matching(sqlite: bool, fields: &[String], text: &str) -> Condition {
    let hostname = fields.iter().any(|f| f == "hostname");
    let extname = fields.iter().any(|f| f == "extname");
    if sqlite && text.chars().count() >= 3 {
        let columns = match (hostname, extname) {
            (true, false) => "hostname",
            (false, true) => "extname",
            _ => "{hostname extname}",
        };
        let phrase = format!("{columns} : \"{}\"", text.replace('"', "\"\""));
        let ids = servers_search::table
            .select(servers_search::rowid)
            .filter(diesel::dsl::sql::<Bool>("servers_search MATCH ").bind::<diesel::sql_types::Text, _>(phrase));
        return Box::new(servers::id.eq_any(ids));
    }
    let pattern = crate::paging::like_pattern(text);
    match (hostname, extname) {
        (true, false) => Box::new(crate::paging::matches(servers::hostname, pattern)),
        (false, true) => Box::new(crate::paging::matches(servers::extname, pattern)),
        _ => Box::new(
            crate::paging::matches(servers::hostname, pattern.clone())
                .or(crate::paging::matches(servers::extname, pattern)),
        ),
    }
}

/// The servers the query's filters select, or `None` when it has none.
fn filtered(sqlite: bool, q: &ServerListQuery) -> Option<Filtered<'static>> {
    let mut query = servers::table.into_boxed();
    let mut any = false;
    if let Some(id) = q.id {
        query = query.filter(servers::id.eq(id));
        any = true;
    }
    if let Some(h) = &q.hostname {
        query = query.filter(servers::hostname.eq(h.clone()));
        any = true;
    }
    if let Some(e) = &q.extname {
        query = query.filter(servers::extname.eq(e.clone()));
        any = true;
    }
    if let Some(m) = &q.match_ {
        let fields = q.match_fields.clone().unwrap_or_else(|| vec!["hostname".into(), "extname".into()]);
        query = query.filter(matching(sqlite, &fields, m));
        any = true;
    }
    any.then_some(query)
}

/// `query` in the order of the sort keys, then by ID.
fn sorted(q: &ServerListQuery, mut query: Filtered<'static>) -> Filtered<'static> {
    for key in q.sort.iter().flatten() {
        let (field, dir) = key.split_once(',').unwrap_or((key.as_str(), "asc"));
        let desc = dir == "desc";
        query = match (field, desc) {
            ("ID", false) => query.then_order_by(servers::id.asc()),
            ("ID", true) => query.then_order_by(servers::id.desc()),
            ("hostname", false) => query.then_order_by(servers::hostname.asc()),
            ("hostname", true) => query.then_order_by(servers::hostname.desc()),
            ("extname", false) => query.then_order_by(servers::extname.asc()),
            ("extname", true) => query.then_order_by(servers::extname.desc()),
            (_, false) => query.then_order_by(servers::user_count.asc()),
            (_, true) => query.then_order_by(servers::user_count.desc()),
        };
    }
    // A total order, so that pages neither repeat nor skip rows.
    query.then_order_by(servers::id.asc())
}

/// `Some(descending)` when the list is in ID order alone.
fn id_order(q: &ServerListQuery) -> Option<bool> {
    match q.sort.as_deref().unwrap_or_default() {
        [] => Some(false),
        [key] => match key.as_str() {
            "ID" | "ID,asc" => Some(false),
            "ID,desc" => Some(true),
            _ => None,
        },
        _ => None,
    }
}

/// A page of all servers in ID order: the block holding row `offset` (and
/// how many rows come before it), then fewer than 1024 rows skipped in it.
/// The blocks are walked from the end nearer to `offset`, and the walk
/// stops at the block: a first or last page reads one or two blocks, a
/// middle one at most half of them (a million servers make 977 blocks).
fn id_page(conn: &mut Conn, total: i64, offset: i64, limit: i64, descending: bool) -> QueryResult<Vec<ServerRow>> {
    use crate::schema::server_blocks;
    if offset >= total {
        return Ok(Vec::new());
    }
    // Walking from the far end, the row sits at `total - 1 - offset`.
    let from_start = offset < total / 2;
    let target = if from_start { offset } else { total - 1 - offset };
    let walk_ascending = from_start != descending;
    let blocks = server_blocks::table.select((server_blocks::block, server_blocks::servers));
    let blocks = if walk_ascending {
        blocks.order(server_blocks::block.asc()).load_iter::<(i64, i64), _>(conn)?
    } else {
        blocks.order(server_blocks::block.desc()).load_iter::<(i64, i64), _>(conn)?
    };
    let mut passed = 0;
    let mut found = None;
    for block in blocks {
        let (block, servers) = block?;
        if passed + servers > target {
            found = Some((block, passed, servers));
            break;
        }
        passed += servers;
    }
    let Some((block, passed, servers)) = found else { return Ok(Vec::new()) };
    // Rows of this block before the one at `offset`, in the page's order.
    let skip = if from_start { target - passed } else { servers - 1 - (target - passed) };
    let query = servers::table.select(ServerRow::as_select()).limit(limit).offset(skip);
    if descending {
        query.filter(servers::id.lt((block + 1) << 10)).order(servers::id.desc()).load(conn)
    } else {
        query.filter(servers::id.ge(block << 10)).order(servers::id.asc()).load(conn)
    }
}

#[derive(QueryableByName)]
struct Total {
    #[diesel(sql_type = BigInt)]
    servers: i64,
}

/// How many servers there are, summed from the blocks.
fn total(conn: &mut Conn) -> QueryResult<i64> {
    diesel::sql_query("SELECT CAST(COALESCE(SUM(servers), 0) AS BIGINT) AS servers FROM server_blocks")
        .get_result::<Total>(conn)
        .map(|t| t.servers)
}

/// A page and the number of servers that match, read in one transaction so
/// that both come from the same snapshot.
pub fn list(conn: &mut Conn, q: &ServerListQuery) -> DbResult<ServerList> {
    conn.transaction(|conn| list_in(conn, q))
}

fn list_in(conn: &mut Conn, q: &ServerListQuery) -> DbResult<ServerList> {
    let sqlite = matches!(conn, Conn::Sqlite(_));
    let (count, rows) = match (filtered(sqlite, q), id_order(q)) {
        (None, Some(descending)) => {
            let total = total(conn)?;
            (total, id_page(conn, total, q.offset, q.limit, descending)?)
        }
        (Some(filter), _) => {
            let count = filtered(sqlite, q).map_or(Ok(0), |f| f.count().get_result(conn))?;
            (count, page(conn, q, filter)?)
        }
        (None, None) => (total(conn)?, page(conn, q, servers::table.into_boxed())?),
    };
    Ok(ServerList { data: rows.into_iter().map(|r| view(r, q.level)).collect(), count })
}

/// The page `q` asks for out of `query`, in its sort order.
fn page(conn: &mut Conn, q: &ServerListQuery, query: Filtered<'static>) -> QueryResult<Vec<ServerRow>> {
    sorted(q, query).select(ServerRow::as_select()).limit(q.limit).offset(q.offset).load(conn)
}

/// The server, or 404.
pub fn find(conn: &mut Conn, id: i64) -> DbResult<ServerRow> {
    servers::table
        .find(id)
        .select(ServerRow::as_select())
        .get_result(conn)
        .optional()?
        .ok_or_else(|| Problem::NotFound(format!("Server {id} not found")).into())
}

pub fn get(conn: &mut Conn, id: i64, level: i32) -> DbResult<Server> {
    Ok(view(find(conn, id)?, level))
}

/// A duplicate hostname or extname, named.
fn unique_conflict(e: diesel::result::Error, hostname: &str, extname: &str) -> crate::db::Failure {
    use diesel::result::{DatabaseErrorKind, Error};
    match &e {
        Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
            let msg = if info.message().contains("hostname") {
                format!("Duplicate entry: hostname '{hostname}' is already in use")
            } else {
                format!("Duplicate entry: extname '{extname}' is already in use")
            };
            Problem::Conflict(msg).into()
        }
        _ => e.into(),
    }
}

pub fn create(conn: &mut Conn, body: Claimed<ServerCreate>) -> DbResult<Server> {
    // The read-only fields are checked against the row as it will be, so
    // insert first; an error rolls the transaction back.
    let (hostname, extname) = peek_create(&body);
    let row = insert(conn, &hostname, &extname)?;
    let created = view(row, 2);
    body.verified_against(&created)?;
    Ok(created)
}

/// Inserts a server; a duplicate name is a 409 naming it.
pub fn insert(conn: &mut Conn, hostname: &str, extname: &str) -> DbResult<ServerRow> {
    diesel::insert_into(servers::table)
        .values((servers::hostname.eq(hostname), servers::extname.eq(extname)))
        .returning(<ServerRow as Selectable<MultiBackend>>::construct_selection())
        .get_result(conn)
        .map_err(|e| unique_conflict(e, hostname, extname))
}

/// Sets both names of server `id`; a duplicate name is a 409 naming it.
pub fn rename(conn: &mut Conn, id: i64, hostname: &str, extname: &str) -> DbResult<()> {
    diesel::update(servers::table.find(id))
        .set((servers::hostname.eq(hostname), servers::extname.eq(extname)))
        .execute(conn)
        .map_err(|e| unique_conflict(e, hostname, extname))?;
    Ok(())
}

fn peek_create(body: &Claimed<ServerCreate>) -> (String, String) {
    let b = body.peek();
    (b.hostname.to_string(), b.extname.to_string())
}

pub fn update(conn: &mut Conn, id: i64, body: Claimed<ServerUpdate>) -> DbResult<Server> {
    let current = view(find(conn, id)?, 2);
    let changes = body.verified_against(&current)?;
    let hostname = changes.hostname.map(String::from).unwrap_or_else(|| current.hostname.clone());
    let extname = changes.extname.map(String::from).unwrap_or_else(|| current.extname.clone().unwrap_or_default());
    rename(conn, id, &hostname, &extname)?;
    get(conn, id, 2)
}

pub fn delete(conn: &mut Conn, id: i64) -> DbResult<()> {
    let row = find(conn, id)?;
    let (users, domains) = (row.user_count, row.domain_count);
    if users > 0 || domains > 0 {
        return Err(
            Problem::Conflict(format!("Server {id} still holds {domains} domain(s) and {users} user(s)")).into()
        );
    }
    diesel::delete(servers::table.find(id)).execute(conn)?;
    Ok(())
}
