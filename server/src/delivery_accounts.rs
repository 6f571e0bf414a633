//! Delivery accounts: rows, and the operations of the managers surface on
//! them. An account lives on a Delivery domain and carries its manager in
//! its own row.

use crate::db::Conn;
use diesel::prelude::*;
use serde_json::Value;

use crate::auth::Principal;
use crate::db::DbResult;
use crate::managers::check_visible;
use crate::paging::{self, new_code, Listing, SortKey, Sorting, Total};
use crate::schema::{delivery_accounts, delivery_domains, managers};
use crate::unique;
use hostadmin_api::types::{DeliveryAccount, DeliveryAccountCreate, DeliveryAccountList, ResourceCreated};
use hostadmin_api::wire::{Problem, Violation};
use hostadmin_api::{DeliveryAccountDeletePath, DeliveryAccountGetPath, DeliveryAccountListQuery};

/// A row of `delivery_accounts`.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = delivery_accounts)]
pub struct DeliveryAccountRow {
    pub id: i64,
    pub code: String,
    pub username: String,
    pub delivery_domain_id: i64,
    pub manager_id: Option<i64>,
}

/// A Delivery account with its domain's code and its manager's (through
/// [`with_domain_and_manager`]).
#[derive(Clone, Debug, Queryable, Selectable)]
pub struct PlacedDeliveryAccount {
    #[diesel(embed)]
    pub account: DeliveryAccountRow,
    #[diesel(select_expression = delivery_domains::code)]
    pub domain_code: String,
    #[diesel(select_expression = managers::code.nullable())]
    pub manager_code: Option<String>,
}

/// Delivery accounts, each with its domain, and its manager if it has one.
#[diesel::dsl::auto_type(no_type_alias)]
fn with_domain_and_manager() -> _ {
    delivery_accounts::table.inner_join(delivery_domains::table).left_join(managers::table)
}

fn view(row: PlacedDeliveryAccount) -> DeliveryAccount {
    DeliveryAccount {
        delivery_account_id: row.account.code,
        username: row.account.username,
        delivery_domain_code: row.domain_code,
        manager_code: row.manager_code,
    }
}

pub fn list(conn: &mut Conn, principal: &Principal, q: DeliveryAccountListQuery) -> DbResult<DeliveryAccountList> {
    let listing = Listing::new(q.page, q.per, &q.query, &q.sort_field, &q.sort);
    let filtered = || {
        let mut query = with_domain_and_manager().select(PlacedDeliveryAccount::as_select()).into_boxed();
        if let Some(id) = principal.manager_scope() {
            query = query.filter(delivery_accounts::manager_id.eq(id));
        }
        if let Some(like) = listing.like() {
            query = query.filter(
                paging::matches(delivery_accounts::username, like.clone())
                    .or(paging::matches(delivery_accounts::code, like)),
            );
        }
        query
    };
    let sorting = Sorting::new(vec![
        SortKey::new("delivery_account_id", delivery_accounts::code),
        SortKey::new("username", delivery_accounts::username),
    ]);
    let page = paging::page(conn, filtered, &sorting, listing.asked(), listing.offset(), q.per, Total::Counted)?;
    Ok(DeliveryAccountList {
        resources: page.rows.into_iter().map(view).collect(),
        pagination: listing.pagination(page.total),
    })
}

/// The Delivery account `code`, visible to `principal`: 404 if there is
/// none or if it is another manager's (the same 404).
fn find(conn: &mut Conn, principal: &Principal, code: &str) -> DbResult<PlacedDeliveryAccount> {
    let row = with_domain_and_manager()
        .select(PlacedDeliveryAccount::as_select())
        .filter(delivery_accounts::code.eq(code))
        .get_result(conn)
        .optional()?
        .ok_or_else(|| Problem::NotFound(format!("Delivery account {code}")))?;
    check_visible(principal, row.account.manager_id, || Problem::NotFound(format!("Delivery account {code}")))?;
    Ok(row)
}

pub fn get(conn: &mut Conn, principal: &Principal, path: DeliveryAccountGetPath) -> DbResult<DeliveryAccount> {
    Ok(view(find(conn, principal, &path.delivery_account_id)?))
}

/// Checks a new Delivery account's body beyond its schema: its domain exists.
pub fn check_create(conn: &mut Conn, body: &Value) -> DbResult<Vec<Violation>> {
    let Some(domain) = body.get("delivery_domain_code").and_then(Value::as_str) else { return Ok(vec![]) };
    let exists: i64 = delivery_domains::table.filter(delivery_domains::code.eq(domain)).count().get_result(conn)?;
    Ok(if exists == 0 {
        vec![Violation::new("delivery_domain_code", format!("{domain} does not exist"))]
    } else {
        vec![]
    })
}

pub fn create(conn: &mut Conn, principal: &Principal, body: DeliveryAccountCreate) -> DbResult<ResourceCreated> {
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
        .map_err(|e| unique::taken(e, &[]))?;
    Ok(paging::created("Delivery account", code))
}

pub fn delete(conn: &mut Conn, principal: &Principal, path: DeliveryAccountDeletePath) -> DbResult<()> {
    principal.require_platform_writer()?;
    let id = find(conn, principal, &path.delivery_account_id)?.account.id;
    diesel::delete(delivery_accounts::table.find(id)).execute(conn)?;
    Ok(())
}
