//! Hosting domains: the domains placed on system servers that managers are
//! assigned, and the operations of the managers surface on them.
//!
//! A hosting domain is a row of `domains`, the same rows a system server
//! counts; its assignment lives in `manager_domains` and goes with it when
//! it is deleted (ON DELETE CASCADE, same statement).

use crate::db::Conn;
use diesel::prelude::*;
use serde_json::Value;

use crate::auth::Principal;
use crate::db::DbResult;
use crate::managers::check_visible;
use crate::paging::{self, new_code, Listing, SortKey, Sorting, Total};
use crate::schema::{domains, manager_domains, managers, servers, users};
use crate::unique;
use hostadmin_api::types::{Domain, DomainCreate, DomainList, ResourceCreated};
use hostadmin_api::wire::{Problem, Violation};
use hostadmin_api::{DomainDeletePath, DomainGetPath, DomainListQuery};

/// A row of `domains`.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = domains)]
pub struct DomainRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub server_id: i64,
}

/// A domain with the manager it is assigned to, if any (through
/// [`with_manager`]).
#[derive(Clone, Debug, Queryable, Selectable)]
pub struct AssignedDomain {
    #[diesel(embed)]
    pub domain: DomainRow,
    #[diesel(select_expression = manager_domains::manager_id.nullable())]
    pub manager_id: Option<i64>,
    #[diesel(select_expression = managers::code.nullable())]
    pub manager_code: Option<String>,
}

/// Domains, each with its assignment and manager if it has one.
#[diesel::dsl::auto_type(no_type_alias)]
fn with_manager() -> _ {
    domains::table.left_join(manager_domains::table.left_join(managers::table))
}

fn view(row: AssignedDomain) -> Domain {
    Domain {
        domain_code: row.domain.code,
        name: row.domain.name,
        server_id: row.domain.server_id,
        manager_code: row.manager_code,
    }
}

pub fn list(conn: &mut Conn, principal: &Principal, q: DomainListQuery) -> DbResult<DomainList> {
    let listing = Listing::new(q.page, q.per, &q.query, &q.sort_field, &q.sort);
    let filtered = || {
        let mut query = with_manager().select(AssignedDomain::as_select()).into_boxed();
        if let Some(id) = principal.manager_scope() {
            query = query.filter(manager_domains::manager_id.eq(id));
        }
        if let Some(like) = listing.like() {
            query = query.filter(paging::matches(domains::name, like.clone()).or(paging::matches(domains::code, like)));
        }
        query
    };
    let sorting = Sorting::new(vec![SortKey::new("domain_code", domains::code), SortKey::new("name", domains::name)]);
    let page = paging::page(conn, filtered, &sorting, listing.asked(), listing.offset(), q.per, Total::Counted)?;
    Ok(DomainList { resources: page.rows.into_iter().map(view).collect(), pagination: listing.pagination(page.total) })
}

/// The domain `code`, visible to `principal`: 404 if there is none or if
/// it is another manager's (the same 404).
fn find(conn: &mut Conn, principal: &Principal, code: &str) -> DbResult<AssignedDomain> {
    let row = with_manager()
        .select(AssignedDomain::as_select())
        .filter(domains::code.eq(code))
        .get_result(conn)
        .optional()?
        .ok_or_else(|| Problem::NotFound(format!("domain {code}")))?;
    check_visible(principal, row.manager_id, || Problem::NotFound(format!("domain {code}")))?;
    Ok(row)
}

pub fn get(conn: &mut Conn, principal: &Principal, path: DomainGetPath) -> DbResult<Domain> {
    Ok(view(find(conn, principal, &path.domain_code)?))
}

/// Checks a new domain's body beyond its schema: the server exists, the name is free.
pub fn check_create(conn: &mut Conn, body: &Value) -> DbResult<Vec<Violation>> {
    let mut out = Vec::new();
    if let Some(server) = body.get("server_id").and_then(Value::as_i64) {
        if servers::table.find(server).count().get_result::<i64>(conn)? == 0 {
            out.push(Violation::new("server_id", format!("server {server} does not exist")));
        }
    }
    if let Some(name) = body.get("name").and_then(Value::as_str) {
        if domains::table.filter(domains::name.eq(name)).count().get_result::<i64>(conn)? > 0 {
            out.push(Violation::new("name", "has already been taken"));
        }
    }
    Ok(out)
}

pub fn create(conn: &mut Conn, principal: &Principal, body: DomainCreate) -> DbResult<ResourceCreated> {
    principal.require_platform_writer()?;
    if servers::table.find(body.server_id).count().get_result::<i64>(conn)? == 0 {
        return Err(Problem::invalid("server_id", format!("server {} does not exist", body.server_id)).into());
    }
    let code = new_code(conn, "DD", |c, code| {
        domains::table.filter(domains::code.eq(code)).count().get_result::<i64>(c).map(|n| n > 0)
    })?;
    diesel::insert_into(domains::table)
        .values((
            domains::code.eq(&code),
            domains::name.eq(body.name.to_string()),
            domains::server_id.eq(body.server_id),
        ))
        .execute(conn)
        .map_err(|e| unique::taken(e, &[]))?;
    Ok(paging::created("Domain", code))
}

pub fn delete(conn: &mut Conn, principal: &Principal, path: DomainDeletePath) -> DbResult<()> {
    principal.require_platform_writer()?;
    let code = &path.domain_code;
    let id = find(conn, principal, code)?.domain.id;
    let users: i64 = users::table.filter(users::domain_id.eq(id)).count().get_result(conn)?;
    if users > 0 {
        return Err(Problem::Conflict(format!("domain {code} still holds {users} user(s)")).into());
    }
    // The assignment row goes with the domain (ON DELETE CASCADE).
    diesel::delete(domains::table.find(id)).execute(conn)?;
    Ok(())
}
