//! Hosting domains (on system servers) and Delivery domains and accounts:
//! the resources managers are assigned.
//!
//! A hosting domain is a row of `domains`, the same rows a system server
//! counts; its assignment lives in `manager_domains` and goes with it when it
//! is deleted (ON DELETE CASCADE, same statement). A Delivery domain or
//! account carries its manager in its own row.

use crate::db::Conn;
use diesel::prelude::*;
use serde_json::Value;

use crate::auth::Principal;
use crate::db::DbResult;
use crate::paging::{new_code, Listing};
use crate::schema::{delivery_accounts, delivery_domains, domains, manager_domains, managers, servers, users};
use hostadmin_api::types::{
    DeliveryAccount, DeliveryAccountCreate, DeliveryAccountList, DeliveryDomain, DeliveryDomainCreate,
    DeliveryDomainList, Domain, DomainCreate, DomainList,
};
use hostadmin_api::wire::{Problem, Violation};
use hostadmin_api::{DeliveryAccountListQuery, DeliveryDomainListQuery, DomainListQuery};

fn listing<'a>(page: i64, per: i64, query: &'a Option<String>, sort_field: &'a str, sort: &'a str) -> Listing<'a> {
    const NO_STATUS: &Option<String> = &None;
    Listing { page, per, query, status: NO_STATUS, sort_field, sort }
}

fn taken_name(e: diesel::result::Error) -> crate::db::Failure {
    use diesel::result::{DatabaseErrorKind, Error};
    match &e {
        Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
            Problem::invalid("name", "has already been taken").into()
        }
        _ => e.into(),
    }
}

/// Whether a row assigned to `manager` may be seen by `principal`: 403 if not.
fn check_visible(principal: &Principal, manager: Option<i64>, what: &str) -> DbResult<()> {
    if principal.may_see(manager) {
        Ok(())
    } else {
        Err(Problem::Forbidden(what.to_string()).into())
    }
}

// --- hosting domains ---------------------------------------------------

type DomainRow = (i64, String, String, i64, Option<i64>, Option<String>);

fn domain_view((_, code, name, server_id, _, manager): DomainRow) -> Domain {
    Domain { domain_code: code, name, server_id, manager_code: manager }
}

macro_rules! domain_query {
    () => {
        domains::table.left_join(manager_domains::table.left_join(managers::table)).select((
            domains::id,
            domains::code,
            domains::name,
            domains::server_id,
            manager_domains::manager_id.nullable(),
            managers::code.nullable(),
        ))
    };
}

pub fn domain_list(conn: &mut Conn, principal: &Principal, q: &DomainListQuery) -> DbResult<DomainList> {
    let listing = listing(q.page, q.per, &q.query, &q.sort_field, &q.sort);
    let filtered = || {
        let mut query = domain_query!().into_boxed();
        if let Some(id) = principal.manager_scope() {
            query = query.filter(manager_domains::manager_id.eq(id));
        }
        if let Some(like) = listing.like() {
            query = query.filter(
                crate::paging::matches(domains::name, like.clone()).or(crate::paging::matches(domains::code, like)),
            );
        }
        query
    };
    let total: i64 = filtered().count().get_result(conn)?;
    let query = match (q.sort_field.as_str(), listing.descending()) {
        ("name", false) => filtered().order(domains::name.asc()),
        ("name", true) => filtered().order(domains::name.desc()),
        (_, false) => filtered().order(domains::code.asc()),
        (_, true) => filtered().order(domains::code.desc()),
    };
    let rows: Vec<DomainRow> = query.limit(q.per).offset(listing.offset()).load(conn)?;
    Ok(DomainList { resources: rows.into_iter().map(domain_view).collect(), pagination: listing.pagination(total) })
}

fn find_domain(conn: &mut Conn, principal: &Principal, code: &str) -> DbResult<DomainRow> {
    let row: DomainRow = domain_query!()
        .filter(domains::code.eq(code))
        .get_result(conn)
        .optional()?
        .ok_or_else(|| Problem::NotFound(format!("domain {code}")))?;
    check_visible(principal, row.4, code)?;
    Ok(row)
}

pub fn domain_get(conn: &mut Conn, principal: &Principal, code: &str) -> DbResult<Domain> {
    Ok(domain_view(find_domain(conn, principal, code)?))
}

/// Checks a new domain's body beyond its schema: the server exists, the name is free.
pub fn check_domain(conn: &mut Conn, body: &Value) -> DbResult<Vec<Violation>> {
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

pub fn domain_create(conn: &mut Conn, principal: &Principal, body: DomainCreate) -> DbResult<String> {
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
        .map_err(taken_name)?;
    Ok(code)
}

pub fn domain_delete(conn: &mut Conn, principal: &Principal, code: &str) -> DbResult<()> {
    principal.require_platform_writer()?;
    let (id, ..) = find_domain(conn, principal, code)?;
    let users: i64 = users::table.filter(users::domain_id.eq(id)).count().get_result(conn)?;
    if users > 0 {
        return Err(Problem::Conflict(format!("domain {code} still holds {users} user(s)")).into());
    }
    // The assignment row goes with the domain (ON DELETE CASCADE).
    diesel::delete(domains::table.find(id)).execute(conn)?;
    Ok(())
}

// --- Delivery domains --------------------------------------------------

type DeliveryDomainRow = (i64, String, String, Option<i64>, Option<String>);

macro_rules! delivery_domain_query {
    () => {
        delivery_domains::table.left_join(managers::table).select((
            delivery_domains::id,
            delivery_domains::code,
            delivery_domains::name,
            delivery_domains::manager_id,
            managers::code.nullable(),
        ))
    };
}

fn delivery_domain_view((_, code, name, _, manager): DeliveryDomainRow) -> DeliveryDomain {
    DeliveryDomain { delivery_domain_code: code, name, manager_code: manager }
}

pub fn delivery_domain_list(
    conn: &mut Conn,
    principal: &Principal,
    q: &DeliveryDomainListQuery,
) -> DbResult<DeliveryDomainList> {
    let listing = listing(q.page, q.per, &q.query, &q.sort_field, &q.sort);
    let filtered = || {
        let mut query = delivery_domain_query!().into_boxed();
        if let Some(id) = principal.manager_scope() {
            query = query.filter(delivery_domains::manager_id.eq(id));
        }
        if let Some(like) = listing.like() {
            query = query.filter(
                crate::paging::matches(delivery_domains::name, like.clone())
                    .or(crate::paging::matches(delivery_domains::code, like)),
            );
        }
        query
    };
    let total: i64 = filtered().count().get_result(conn)?;
    let query = match (q.sort_field.as_str(), listing.descending()) {
        ("name", false) => filtered().order(delivery_domains::name.asc()),
        ("name", true) => filtered().order(delivery_domains::name.desc()),
        (_, false) => filtered().order(delivery_domains::code.asc()),
        (_, true) => filtered().order(delivery_domains::code.desc()),
    };
    let rows: Vec<DeliveryDomainRow> = query.limit(q.per).offset(listing.offset()).load(conn)?;
    Ok(DeliveryDomainList {
        resources: rows.into_iter().map(delivery_domain_view).collect(),
        pagination: listing.pagination(total),
    })
}

fn find_delivery_domain(conn: &mut Conn, principal: &Principal, code: &str) -> DbResult<DeliveryDomainRow> {
    let row: DeliveryDomainRow = delivery_domain_query!()
        .filter(delivery_domains::code.eq(code))
        .get_result(conn)
        .optional()?
        .ok_or_else(|| Problem::NotFound(format!("Delivery domain {code}")))?;
    check_visible(principal, row.3, code)?;
    Ok(row)
}

pub fn delivery_domain_get(conn: &mut Conn, principal: &Principal, code: &str) -> DbResult<DeliveryDomain> {
    Ok(delivery_domain_view(find_delivery_domain(conn, principal, code)?))
}

pub fn check_delivery_domain(conn: &mut Conn, body: &Value) -> DbResult<Vec<Violation>> {
    let Some(name) = body.get("name").and_then(Value::as_str) else { return Ok(vec![]) };
    let taken: i64 = delivery_domains::table.filter(delivery_domains::name.eq(name)).count().get_result(conn)?;
    Ok(if taken > 0 { vec![Violation::new("name", "has already been taken")] } else { vec![] })
}

pub fn delivery_domain_create(conn: &mut Conn, principal: &Principal, body: DeliveryDomainCreate) -> DbResult<String> {
    principal.require_platform_writer()?;
    let code = new_code(conn, "DV", |c, code| {
        delivery_domains::table.filter(delivery_domains::code.eq(code)).count().get_result::<i64>(c).map(|n| n > 0)
    })?;
    diesel::insert_into(delivery_domains::table)
        .values((delivery_domains::code.eq(&code), delivery_domains::name.eq(body.name.to_string())))
        .execute(conn)
        .map_err(taken_name)?;
    Ok(code)
}

pub fn delivery_domain_delete(conn: &mut Conn, principal: &Principal, code: &str) -> DbResult<()> {
    principal.require_platform_writer()?;
    let (id, ..) = find_delivery_domain(conn, principal, code)?;
    // Its accounts go with it (ON DELETE CASCADE), assignments included.
    diesel::delete(delivery_domains::table.find(id)).execute(conn)?;
    Ok(())
}

// --- Delivery accounts -------------------------------------------------

type DeliveryAccountRow = (i64, String, String, String, Option<i64>, Option<String>);

macro_rules! delivery_account_query {
    () => {
        delivery_accounts::table.inner_join(delivery_domains::table).left_join(managers::table).select((
            delivery_accounts::id,
            delivery_accounts::code,
            delivery_accounts::username,
            delivery_domains::code,
            delivery_accounts::manager_id,
            managers::code.nullable(),
        ))
    };
}

fn delivery_account_view((_, code, username, domain, _, manager): DeliveryAccountRow) -> DeliveryAccount {
    DeliveryAccount { delivery_account_id: code, username, delivery_domain_code: domain, manager_code: manager }
}

pub fn delivery_account_list(
    conn: &mut Conn,
    principal: &Principal,
    q: &DeliveryAccountListQuery,
) -> DbResult<DeliveryAccountList> {
    let listing = listing(q.page, q.per, &q.query, &q.sort_field, &q.sort);
    let filtered = || {
        let mut query = delivery_account_query!().into_boxed();
        if let Some(id) = principal.manager_scope() {
            query = query.filter(delivery_accounts::manager_id.eq(id));
        }
        if let Some(like) = listing.like() {
            query = query.filter(
                crate::paging::matches(delivery_accounts::username, like.clone())
                    .or(crate::paging::matches(delivery_accounts::code, like)),
            );
        }
        query
    };
    let total: i64 = filtered().count().get_result(conn)?;
    let query = match (q.sort_field.as_str(), listing.descending()) {
        ("username", false) => filtered().order(delivery_accounts::username.asc()),
        ("username", true) => filtered().order(delivery_accounts::username.desc()),
        (_, false) => filtered().order(delivery_accounts::code.asc()),
        (_, true) => filtered().order(delivery_accounts::code.desc()),
    };
    let rows: Vec<DeliveryAccountRow> = query.limit(q.per).offset(listing.offset()).load(conn)?;
    Ok(DeliveryAccountList {
        resources: rows.into_iter().map(delivery_account_view).collect(),
        pagination: listing.pagination(total),
    })
}

fn find_delivery_account(conn: &mut Conn, principal: &Principal, code: &str) -> DbResult<DeliveryAccountRow> {
    let row: DeliveryAccountRow = delivery_account_query!()
        .filter(delivery_accounts::code.eq(code))
        .get_result(conn)
        .optional()?
        .ok_or_else(|| Problem::NotFound(format!("Delivery account {code}")))?;
    check_visible(principal, row.4, code)?;
    Ok(row)
}

pub fn delivery_account_get(conn: &mut Conn, principal: &Principal, code: &str) -> DbResult<DeliveryAccount> {
    Ok(delivery_account_view(find_delivery_account(conn, principal, code)?))
}

pub fn check_delivery_account(conn: &mut Conn, body: &Value) -> DbResult<Vec<Violation>> {
    let Some(domain) = body.get("delivery_domain_code").and_then(Value::as_str) else { return Ok(vec![]) };
    let exists: i64 = delivery_domains::table.filter(delivery_domains::code.eq(domain)).count().get_result(conn)?;
    Ok(if exists == 0 {
        vec![Violation::new("delivery_domain_code", format!("{domain} does not exist"))]
    } else {
        vec![]
    })
}

pub fn delivery_account_create(
    conn: &mut Conn,
    principal: &Principal,
    body: DeliveryAccountCreate,
) -> DbResult<String> {
    principal.require_platform_writer()?;
    let domain = body.delivery_domain_code.to_string();
    let domain_id: i64 = delivery_domains::table
        .filter(delivery_domains::code.eq(&domain))
        .select(delivery_domains::id)
        .get_result(conn)
        .optional()?
        .ok_or_else(|| Problem::invalid("delivery_domain_code", format!("{domain} does not exist")))?;
    let code = new_code(conn, "DA", |c, code| {
        delivery_accounts::table.filter(delivery_accounts::code.eq(code)).count().get_result::<i64>(c).map(|n| n > 0)
    })?;
    diesel::insert_into(delivery_accounts::table)
        .values((
            delivery_accounts::code.eq(&code),
            delivery_accounts::username.eq(body.username.to_string()),
            delivery_accounts::delivery_domain_id.eq(domain_id),
        ))
        .execute(conn)
        .map_err(|e| match taken_name(e) {
            crate::db::Failure::Problem(_) => {
                Problem::invalid("username", "has already been taken on that domain").into()
            }
            other => other,
        })?;
    Ok(code)
}

pub fn delivery_account_delete(conn: &mut Conn, principal: &Principal, code: &str) -> DbResult<()> {
    principal.require_platform_writer()?;
    let (id, ..) = find_delivery_account(conn, principal, code)?;
    diesel::delete(delivery_accounts::table.find(id)).execute(conn)?;
    Ok(())
}
