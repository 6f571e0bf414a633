//! System servers: rows, queries, and the operations of the system surface.
//!
//! A server's `users` and `domains` are counted from the rows that live on
//! it, never stored, so they cannot drift.

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool};
use diesel::sqlite::{Sqlite, SqliteConnection};

use crate::db::DbResult;
use crate::schema::servers;
use hostadmin_api::types::{Server, ServerCreate, ServerList, ServerUpdate};
use hostadmin_api::wire::{Claimed, Problem};
use hostadmin_api::ServerListQuery;

const USERS_COUNT: &str =
    "(SELECT COUNT(*) FROM users JOIN domains ON users.domain_id = domains.id WHERE domains.server_id = servers.id)";
const DOMAINS_COUNT: &str = "(SELECT COUNT(*) FROM domains WHERE domains.server_id = servers.id)";

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = servers)]
pub struct ServerRow {
    pub id: i64,
    pub hostname: String,
    pub extname: String,
}

/// A row with its counts: the server at level 2.
pub type Counted = (ServerRow, i64, i64);

fn counted_select() -> (
    diesel::helper_types::AsSelect<ServerRow, Sqlite>,
    diesel::expression::SqlLiteral<BigInt>,
    diesel::expression::SqlLiteral<BigInt>,
) {
    (ServerRow::as_select(), sql::<BigInt>(USERS_COUNT), sql::<BigInt>(DOMAINS_COUNT))
}

/// The object as the API shows it at `level` (0: ID and hostname, 1: and
/// extname, 2: and the counts).
pub fn view((row, users, domains): Counted, level: i32) -> Server {
    Server {
        id: row.id,
        hostname: row.hostname,
        extname: (level >= 1).then_some(row.extname),
        users: (level >= 2).then_some(users),
        domains: (level >= 2).then_some(domains),
    }
}

type Predicate = Box<dyn BoxableExpression<servers::table, Sqlite, SqlType = Bool>>;

fn predicate(q: &ServerListQuery) -> Predicate {
    let mut p: Predicate = Box::new(diesel::dsl::sql::<Bool>("1 = 1"));
    if let Some(id) = q.id {
        p = Box::new(p.and(servers::id.eq(id)));
    }
    if let Some(h) = &q.hostname {
        p = Box::new(p.and(servers::hostname.eq(h.clone())));
    }
    if let Some(e) = &q.extname {
        p = Box::new(p.and(servers::extname.eq(e.clone())));
    }
    if let Some(m) = &q.match_ {
        let pattern = crate::paging::like_pattern(m);
        let fields = q.match_fields.clone().unwrap_or_else(|| vec!["hostname".into(), "extname".into()]);
        let mut any: Predicate = Box::new(diesel::dsl::sql::<Bool>("1 = 0"));
        for f in &fields {
            any = match f.as_str() {
                "hostname" => Box::new(any.or(servers::hostname.like(pattern.clone()).escape('\\'))),
                _ => Box::new(any.or(servers::extname.like(pattern.clone()).escape('\\'))),
            };
        }
        p = Box::new(p.and(any));
    }
    p
}

pub fn list(conn: &mut SqliteConnection, q: &ServerListQuery) -> DbResult<ServerList> {
    let count: i64 = servers::table.filter(predicate(q)).count().get_result(conn)?;
    let mut query = servers::table.select(counted_select()).filter(predicate(q)).into_boxed();
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
            (_, false) => query.then_order_by(sql::<BigInt>(USERS_COUNT).asc()),
            (_, true) => query.then_order_by(sql::<BigInt>(USERS_COUNT).desc()),
        };
    }
    // A total order, so that pages neither repeat nor skip rows.
    let rows: Vec<Counted> = query.then_order_by(servers::id.asc()).limit(q.limit).offset(q.offset).load(conn)?;
    Ok(ServerList { data: rows.into_iter().map(|r| view(r, q.level)).collect(), count })
}

/// The server with its counts, or 404.
pub fn find(conn: &mut SqliteConnection, id: i64) -> DbResult<Counted> {
    servers::table
        .find(id)
        .select(counted_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| Problem::NotFound(format!("Server {id} not found")).into())
}

pub fn get(conn: &mut SqliteConnection, id: i64, level: i32) -> DbResult<Server> {
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

pub fn create(conn: &mut SqliteConnection, body: Claimed<ServerCreate>) -> DbResult<Server> {
    // The read-only fields are checked against the row as it will be, so
    // insert first; an error rolls the transaction back.
    let (hostname, extname) = peek_create(&body);
    let row = insert(conn, &hostname, &extname)?;
    let created = view((row, 0, 0), 2);
    body.verified_against(&created)?;
    Ok(created)
}

/// Inserts a server; a duplicate name is a 409 naming it.
pub fn insert(conn: &mut SqliteConnection, hostname: &str, extname: &str) -> DbResult<ServerRow> {
    diesel::insert_into(servers::table)
        .values((servers::hostname.eq(hostname), servers::extname.eq(extname)))
        .returning(ServerRow::as_returning())
        .get_result(conn)
        .map_err(|e| unique_conflict(e, hostname, extname))
}

/// Sets both names of server `id`; a duplicate name is a 409 naming it.
pub fn rename(conn: &mut SqliteConnection, id: i64, hostname: &str, extname: &str) -> DbResult<()> {
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

pub fn update(conn: &mut SqliteConnection, id: i64, body: Claimed<ServerUpdate>) -> DbResult<Server> {
    let current = view(find(conn, id)?, 2);
    let changes = body.verified_against(&current)?;
    let hostname = changes.hostname.map(String::from).unwrap_or_else(|| current.hostname.clone());
    let extname = changes.extname.map(String::from).unwrap_or_else(|| current.extname.clone().unwrap_or_default());
    rename(conn, id, &hostname, &extname)?;
    get(conn, id, 2)
}

pub fn delete(conn: &mut SqliteConnection, id: i64) -> DbResult<()> {
    let (_, users, domains) = find(conn, id)?;
    if users > 0 || domains > 0 {
        return Err(
            Problem::Conflict(format!("Server {id} still holds {domains} domain(s) and {users} user(s)")).into()
        );
    }
    diesel::delete(servers::table.find(id)).execute(conn)?;
    Ok(())
}
