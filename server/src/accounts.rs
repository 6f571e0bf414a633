//! Administrator accounts: who may log in, and with which role.
//!
//! Passwords are stored as argon2id PHC strings (memory-hard, see
//! [`crate::passwords`]); the clear text is never stored, logged or returned.

use crate::db::{Conn, MultiBackend};
use diesel::prelude::*;

use crate::schema::accounts;

/// What an account may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Role {
    /// Full system administrator: may read and write.
    Admin,
    /// May only read.
    Readonly,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Readonly => "readonly",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "readonly" => Some(Role::Readonly),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = accounts)]
pub struct Account {
    pub id: i64,
    pub name: String,
    pub role: String,
    pub password_hash: String,
    pub created_at: i64,
    /// Sessions issued before this generation are refused.
    pub session_generation: i64,
}

impl Account {
    pub fn role(&self) -> Option<Role> {
        Role::parse(&self.role)
    }
}

#[derive(Insertable)]
#[diesel(table_name = accounts)]
struct NewAccount<'a> {
    name: &'a str,
    role: &'a str,
    password_hash: &'a str,
    created_at: i64,
}

pub fn create(conn: &mut Conn, name: &str, role: Role, password: &str) -> QueryResult<Account> {
    let hash = crate::passwords::hash(password);
    diesel::insert_into(accounts::table)
        .values(NewAccount { name, role: role.as_str(), password_hash: &hash, created_at: now_unix() })
        .returning(<Account as Selectable<MultiBackend>>::construct_selection())
        .get_result(conn)
}

pub fn find_by_name(conn: &mut Conn, name: &str) -> QueryResult<Option<Account>> {
    accounts::table.filter(accounts::name.eq(name)).select(Account::as_select()).get_result(conn).optional()
}

/// On every authenticated request (the session's account): run on the
/// backend's own connection, whose statement cache knows the query by its
/// type, instead of through the multi-backend, which renders the SQL again
/// each time to find it (a third of a lookup, by callgrind).
pub fn find_by_id(conn: &mut Conn, id: i64) -> QueryResult<Option<Account>> {
    crate::each_backend!(conn, |c| accounts::table.find(id).select(Account::as_select()).get_result(c).optional())
}

pub fn list(conn: &mut Conn) -> QueryResult<Vec<Account>> {
    accounts::table.order(accounts::name).select(Account::as_select()).load(conn)
}

/// Sets a new password and ends the account's sessions; returns whether
/// the account exists.
pub fn set_password(conn: &mut Conn, name: &str, password: &str) -> QueryResult<bool> {
    let hash = crate::passwords::hash(password);
    let n = diesel::update(accounts::table.filter(accounts::name.eq(name)))
        .set((accounts::password_hash.eq(hash), accounts::session_generation.eq(accounts::session_generation + 1)))
        .execute(conn)?;
    Ok(n == 1)
}

/// Sets the account's role and ends its sessions (they carry the old
/// role's rights in the caller's mind); returns whether it exists.
pub fn set_role(conn: &mut Conn, name: &str, role: Role) -> QueryResult<bool> {
    let n = diesel::update(accounts::table.filter(accounts::name.eq(name)))
        .set((accounts::role.eq(role.as_str()), accounts::session_generation.eq(accounts::session_generation + 1)))
        .execute(conn)?;
    Ok(n == 1)
}

/// Ends every session of the account (by id): tokens issued before now are
/// refused on every replica at their next request.
pub fn revoke_sessions(conn: &mut Conn, id: i64) -> QueryResult<bool> {
    let n = diesel::update(accounts::table.find(id))
        .set(accounts::session_generation.eq(accounts::session_generation + 1))
        .execute(conn)?;
    Ok(n == 1)
}

/// Deletes the account, its API tokens with it; returns whether it existed.
pub fn delete(conn: &mut Conn, name: &str) -> QueryResult<bool> {
    Ok(diesel::delete(accounts::table.filter(accounts::name.eq(name))).execute(conn)? == 1)
}

pub fn now_unix() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}
