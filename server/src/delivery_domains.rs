//! Delivery domains: rows, and the operations of the managers surface on
//! them. A Delivery domain carries its manager in its own row.

use crate::db::Conn;
use diesel::prelude::*;
use serde_json::Value;

use crate::auth::Principal;
use crate::db::DbResult;
use crate::managers::check_visible;
use crate::paging::{self, new_code, Listing, SortKey, Sorting, Total};
use crate::schema::{delivery_domains, managers};
use crate::unique;
use hostadmin_api::types::{DeliveryDomain, DeliveryDomainCreate, DeliveryDomainList, ResourceCreated};
use hostadmin_api::wire::{Problem, Violation};
use hostadmin_api::{DeliveryDomainDeletePath, DeliveryDomainGetPath, DeliveryDomainListQuery};

/// A row of `delivery_domains`.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = delivery_domains)]
pub struct DeliveryDomainRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub manager_id: Option<i64>,
}

/// A Delivery domain with its manager's code (through [`with_manager`]).
#[derive(Clone, Debug, Queryable, Selectable)]
pub struct AssignedDeliveryDomain {
    #[diesel(embed)]
    pub domain: DeliveryDomainRow,
    #[diesel(select_expression = managers::code.nullable())]
    pub manager_code: Option<String>,
}

/// Delivery domains, each with its manager if it has one.
#[diesel::dsl::auto_type(no_type_alias)]
fn with_manager() -> _ {
    delivery_domains::table.left_join(managers::table)
}

fn view(row: AssignedDeliveryDomain) -> DeliveryDomain {
    DeliveryDomain { delivery_domain_code: row.domain.code, name: row.domain.name, manager_code: row.manager_code }
}

pub fn list(conn: &mut Conn, principal: &Principal, q: DeliveryDomainListQuery) -> DbResult<DeliveryDomainList> {
    let listing = Listing::new(q.page, q.per, &q.query, &q.sort_field, &q.sort);
    let filtered = || {
        let mut query = with_manager().select(AssignedDeliveryDomain::as_select()).into_boxed();
        if let Some(id) = principal.manager_scope() {
            query = query.filter(delivery_domains::manager_id.eq(id));
        }
        if let Some(like) = listing.like() {
            query = query.filter(
                paging::matches(delivery_domains::name, like.clone()).or(paging::matches(delivery_domains::code, like)),
            );
        }
        query
    };
    let sorting = Sorting::new(vec![
        SortKey::new("delivery_domain_code", delivery_domains::code),
        SortKey::new("name", delivery_domains::name),
    ]);
    let page = paging::page(conn, filtered, &sorting, listing.asked(), listing.offset(), q.per, Total::Counted)?;
    Ok(DeliveryDomainList {
        resources: page.rows.into_iter().map(view).collect(),
        pagination: listing.pagination(page.total),
    })
}

/// The Delivery domain `code`, visible to `principal`: 404 if there is
/// none or if it is another manager's (the same 404).
fn find(conn: &mut Conn, principal: &Principal, code: &str) -> DbResult<AssignedDeliveryDomain> {
    let row = with_manager()
        .select(AssignedDeliveryDomain::as_select())
        .filter(delivery_domains::code.eq(code))
        .get_result(conn)
        .optional()?
        .ok_or_else(|| Problem::NotFound(format!("Delivery domain {code}")))?;
    check_visible(principal, row.domain.manager_id, || Problem::NotFound(format!("Delivery domain {code}")))?;
    Ok(row)
}

pub fn get(conn: &mut Conn, principal: &Principal, path: DeliveryDomainGetPath) -> DbResult<DeliveryDomain> {
    Ok(view(find(conn, principal, &path.delivery_domain_code)?))
}

/// Checks a new Delivery domain's body beyond its schema: the name is free.
pub fn check_create(conn: &mut Conn, body: &Value) -> DbResult<Vec<Violation>> {
    let Some(name) = body.get("name").and_then(Value::as_str) else { return Ok(vec![]) };
    let taken: i64 = delivery_domains::table.filter(delivery_domains::name.eq(name)).count().get_result(conn)?;
    Ok(if taken > 0 { vec![Violation::new("name", "has already been taken")] } else { vec![] })
}

pub fn create(conn: &mut Conn, principal: &Principal, body: DeliveryDomainCreate) -> DbResult<ResourceCreated> {
    principal.require_platform_writer()?;
    let code = new_code(conn, "DV", |c, code| {
        delivery_domains::table.filter(delivery_domains::code.eq(code)).count().get_result::<i64>(c).map(|n| n > 0)
    })?;
    diesel::insert_into(delivery_domains::table)
        .values((delivery_domains::code.eq(&code), delivery_domains::name.eq(body.name.to_string())))
        .execute(conn)
        .map_err(|e| unique::taken(e, &[]))?;
    Ok(paging::created("Delivery domain", code))
}

pub fn delete(conn: &mut Conn, principal: &Principal, path: DeliveryDomainDeletePath) -> DbResult<()> {
    principal.require_platform_writer()?;
    let id = find(conn, principal, &path.delivery_domain_code)?.domain.id;
    // Its accounts go with it (ON DELETE CASCADE), assignments included.
    diesel::delete(delivery_domains::table.find(id)).execute(conn)?;
    Ok(())
}
