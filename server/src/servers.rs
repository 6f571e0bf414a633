//! System servers: rows, queries, and the operations of the system surface.
//!
//! A server's `users` and `domains` are kept in its row by triggers
//! (migration 4, on both backends), as is the gram index of `match`
//! (migration 9; on SQLite written once per transaction, migration 11), in
//! the same transaction as the change they follow, so they cannot drift; a
//! read or a sort by `users` needs no aggregate.
//!
//! A page costs the same however large the table (the bench measures it):
//! the total `count` of an unfiltered list is summed from per-1024-ID blocks
//! (`server_blocks`), a deep `offset` in ID order finds its block from the
//! same sums and then skips fewer than 1024 rows, `match` finds a selective
//! needle's rows through a gram index (see [`matching`]), and every sort
//! has an index. What stays
//! proportional: a deep `offset` under another sort, or with a filter, walks
//! the index up to it (the contract has no cursor), and a `match` needle of
//! fewer than three characters scans, and an unselective one (in most
//! names) costs as many rows as it matches, which its `count` must count
//! (a page that ends the list tells its total without one: see
//! [`paging::page`]).

use crate::db::{Conn, MultiBackend};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool};

use crate::auth::Principal;
use crate::db::DbResult;
use crate::paging::{self, Page, SortKey, Sorting, Total};
use crate::schema::servers;
use crate::unique;
use hostadmin_api::types::{Message, Server, ServerCreate, ServerList, ServerUpdate};
use hostadmin_api::wire::{Claimed, Problem};
use hostadmin_api::{ServerDeletePath, ServerGetPath, ServerGetQuery, ServerListQuery, ServerUpdatePath};

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
/// literal (LIKE on SQLite, ILIKE on PostgreSQL). A needle of three
/// characters or more first narrows the rows through the gram index of
/// migration 9: the rows one of whose names holds, at some position, the
/// needle's first eight characters (lower-cased), found by one prefix query
/// whose cost follows the needle's occurrences, not the table (FTS5 on
/// SQLite, where each name is an index row of its own, 2 × ID and 2 × ID +
/// 1, since migration 12, and merged into one segment when writes stop,
/// since migration 13; a GIN-indexed `tsvector` on PostgreSQL). On SQLite
/// the names changed since the index was last brought up to date (migration
/// 11: as a rule none, as every write of this process does it before
/// committing) make their servers candidates too. The pattern then checks
/// each candidate, so the answer is the pattern's whatever the index holds.
/// A shorter needle scans.
fn matching(sqlite: bool, fields: &[String], text: &str) -> Condition {
    let hostname = fields.iter().any(|f| f == "hostname");
    let extname = fields.iter().any(|f| f == "extname");
    let pattern = crate::paging::like_pattern(text);
    let checked: Condition = match (hostname, extname) {
        (true, false) => Box::new(crate::paging::matches(servers::hostname, pattern)),
        (false, true) => Box::new(crate::paging::matches(servers::extname, pattern)),
        _ => Box::new(
            crate::paging::matches(servers::hostname, pattern.clone())
                .or(crate::paging::matches(servers::extname, pattern)),
        ),
    };
    if text.chars().count() < 3 {
        return checked;
    }
    let candidates = if sqlite {
        diesel::dsl::sql::<Bool>(
            "servers.id IN (SELECT rowid / 2 FROM servers_search_grams WHERE servers_search_grams MATCH \
             '\"' || hex(substr(lower(",
        )
        .bind::<diesel::sql_types::Text, _>(text.to_string())
        .sql("), 1, 8)) || '\" *' UNION ALL SELECT name / 2 FROM servers_search_stale)")
    } else {
        diesel::dsl::sql::<Bool>(
            "server_match_grams(servers.hostname, servers.extname) @@ to_tsquery('simple', \
             translate(encode(convert_to(substr(lower(",
        )
        .bind::<diesel::sql_types::Text, _>(text.to_string())
        .sql("), 1, 8), 'UTF8'), 'hex'), '0123456789abcdef', 'abcdefghijklmnop') || ':*')")
    };
    Box::new(candidates.and(checked))
}

/// Whether the query has any filter (an unfiltered list reads its total
/// from the stored counts).
fn has_filters(q: &ServerListQuery) -> bool {
    q.id.is_some()
        || q.hostname.is_some()
        || q.extname.is_some()
        || q.description.is_some()
        || q.users.is_some()
        || q.match_.is_some()
}

/// `users` as an inclusive range: `[n]` is `n..=n`, `[min, max]` itself.
/// A minimum above the maximum selects nothing, as in grommunio (whose SQL
/// is `users >= MIN AND users <= MAX`): the spec admits it, so it is a
/// question with an empty answer, not a 400. The spec's `maxItems: 2` keeps
/// any other length from getting here.
fn users_range(q: &ServerListQuery) -> Option<(i64, i64)> {
    match q.users.as_deref()? {
        [n] => Some((*n, *n)),
        [min, max, ..] => Some((*min, *max)),
        [] => None,
    }
}

/// The servers the query's filters select.
fn filtered(sqlite: bool, q: &ServerListQuery) -> Filtered<'static> {
    let mut query = servers::table.into_boxed();
    if let Some(id) = q.id {
        query = query.filter(servers::id.eq(id));
    }
    if let Some(h) = &q.hostname {
        query = query.filter(servers::hostname.eq(h.clone()));
    }
    // `description` is grommunio's name for the same filter; both may be
    // given, and both apply.
    for e in [&q.extname, &q.description].into_iter().flatten() {
        query = query.filter(servers::extname.eq(e.clone()));
    }
    if let Some((min, max)) = users_range(q) {
        query = query.filter(servers::user_count.ge(min).and(servers::user_count.le(max)));
    }
    if let Some(m) = &q.match_ {
        let fields = q.match_fields.clone().unwrap_or_else(|| vec!["hostname".into(), "extname".into()]);
        query = query.filter(matching(sqlite, &fields, m));
    }
    query
}

/// The sort keys of the list (`users` also stands for any other name, which
/// the spec's pattern does not let through), then ID order for ties.
fn sorting() -> Sorting<servers::table> {
    Sorting::new(vec![
        SortKey::new("users", servers::user_count),
        SortKey::new("ID", servers::id),
        SortKey::new("hostname", servers::hostname),
        SortKey::new("extname", servers::extname),
    ])
    .ties_by(servers::id)
}

/// The sort keys as asked: `field` or `field,asc|desc`.
fn asked(q: &ServerListQuery) -> impl Iterator<Item = (&str, bool)> {
    q.sort.iter().flatten().map(|key| {
        let (field, dir) = key.split_once(',').unwrap_or((key.as_str(), "asc"));
        (field, dir == "desc")
    })
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
struct BlockSum {
    #[diesel(sql_type = BigInt)]
    servers: i64,
}

/// How many servers there are, summed from the blocks.
fn total(conn: &mut Conn) -> QueryResult<i64> {
    diesel::sql_query("SELECT CAST(COALESCE(SUM(servers), 0) AS BIGINT) AS servers FROM server_blocks")
        .get_result::<BlockSum>(conn)
        .map(|t| t.servers)
}

/// A page and the number of servers that match, read in one transaction so
/// that both come from the same snapshot. Any account of the system surface
/// may read.
pub fn list(conn: &mut Conn, _principal: &Principal, q: ServerListQuery) -> DbResult<ServerList> {
    select(conn, &q)
}

/// [`list`] without the caller (the benchmark's storage ceiling calls it).
pub fn select(conn: &mut Conn, q: &ServerListQuery) -> DbResult<ServerList> {
    conn.transaction(|conn| select_in(conn, q))
}

/// The page through the shared list helper, except an unfiltered list in ID
/// order, which finds its rows by walking the stored blocks ([`id_page`]).
fn select_in(conn: &mut Conn, q: &ServerListQuery) -> DbResult<ServerList> {
    let sqlite = matches!(conn, Conn::Sqlite(_));
    let page = match (has_filters(q), id_order(q)) {
        (false, Some(descending)) => {
            let total = total(conn)?;
            Page { total, rows: id_page(conn, total, q.offset, q.limit, descending)? }
        }
        (filters, _) => {
            let total = if filters { Total::Counted } else { Total::Known(total(conn)?) };
            let rows = || filtered(sqlite, q).select(ServerRow::as_select());
            paging::page(conn, rows, &sorting(), asked(q), q.offset, q.limit, total)?
        }
    };
    Ok(ServerList { data: page.rows.into_iter().map(|r| view(r, q.level)).collect(), count: page.total })
}

/// The server, or 404.
/// A lookup by key, on the backend's own connection (see
/// [`crate::accounts::find_by_id`] for why).
pub fn find(conn: &mut Conn, id: i64) -> DbResult<ServerRow> {
    crate::each_backend!(conn, |c| servers::table.find(id).select(ServerRow::as_select()).get_result(c).optional())?
        .ok_or_else(|| Problem::NotFound(format!("Server {id} not found")).into())
}

/// The server at the detail `level`.
pub fn read(conn: &mut Conn, id: i64, level: i32) -> DbResult<Server> {
    Ok(view(find(conn, id)?, level))
}

pub fn get(conn: &mut Conn, _principal: &Principal, path: ServerGetPath, query: ServerGetQuery) -> DbResult<Server> {
    read(conn, path.id, query.level)
}

/// Creates a server (administrators only); the read-only fields sent are
/// checked against the row as it will be, so it is inserted first (an
/// error rolls the transaction back).
pub fn create(conn: &mut Conn, principal: &Principal, body: Claimed<ServerCreate>) -> DbResult<Server> {
    principal.require_admin()?;
    let sent = body.peek();
    let (hostname, extname) = (sent.hostname.to_string(), sent.extname.to_string());
    let row = insert(conn, &hostname, &extname)?;
    let created = view(row, 2);
    body.verified_against(&created)?;
    Ok(created)
}

/// Inserts a server; a duplicate name is a conflict naming it.
pub fn insert(conn: &mut Conn, hostname: &str, extname: &str) -> DbResult<ServerRow> {
    diesel::insert_into(servers::table)
        .values((servers::hostname.eq(hostname), servers::extname.eq(extname)))
        .returning(<ServerRow as Selectable<MultiBackend>>::construct_selection())
        .get_result(conn)
        .map_err(|e| unique::taken(e, &[("hostname", hostname), ("extname", extname)]))
}

/// Sets both names of server `row`; a duplicate name is a conflict naming it.
///
/// Only the names that differ from `row`'s are written: a name set to
/// itself would still rewrite its entry in its unique index (a random page
/// of a large table, to the log and back) for nothing. Each of the three
/// statements is of a fixed shape, so that it is prepared once per
/// connection (a changeset of optional fields is prepared at every use:
/// 3 % of the writer's time in a run of renames).
pub fn rename(conn: &mut Conn, row: &ServerRow, hostname: &str, extname: &str) -> DbResult<()> {
    let server = servers::table.find(row.id);
    let updated = match (hostname != row.hostname, extname != row.extname) {
        (false, false) => return Ok(()),
        (true, false) => diesel::update(server).set(servers::hostname.eq(hostname)).execute(conn),
        (false, true) => diesel::update(server).set(servers::extname.eq(extname)).execute(conn),
        (true, true) => {
            diesel::update(server).set((servers::hostname.eq(hostname), servers::extname.eq(extname))).execute(conn)
        }
    };
    updated.map_err(|e| unique::taken(e, &[("hostname", hostname), ("extname", extname)]))?;
    Ok(())
}

/// Renames a server (administrators only: a readonly account is refused
/// before the server is looked up, so a missing one answers 403 too).
pub fn update(
    conn: &mut Conn,
    principal: &Principal,
    path: ServerUpdatePath,
    body: Claimed<ServerUpdate>,
) -> DbResult<Server> {
    principal.require_admin()?;
    let id = path.id;
    let row = find(conn, id)?;
    let current = view(row.clone(), 2);
    let changes = body.verified_against(&current)?;
    let hostname = changes.hostname.map(String::from).unwrap_or_else(|| row.hostname.clone());
    let extname = changes.extname.map(String::from).unwrap_or_else(|| row.extname.clone());
    rename(conn, &row, &hostname, &extname)?;
    read(conn, id, 2)
}

/// Deletes a server (administrators only), unless it still holds domains or
/// users.
pub fn delete(conn: &mut Conn, principal: &Principal, path: ServerDeletePath) -> DbResult<Message> {
    principal.require_admin()?;
    remove(conn, path.id)?;
    Ok(Message { message: format!("Server {} deleted", path.id) })
}

/// Deletes server `id`, unless it still holds domains or users.
pub fn remove(conn: &mut Conn, id: i64) -> DbResult<()> {
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
