//! Hosting managers: rows, their assignments, and the operations of the
//! managers surface.
//!
//! A manager's hosting domains live in `manager_domains` (a domain has at
//! most one manager), its Delivery domains and accounts in their own rows'
//! `manager_id`. Every write runs in one immediate transaction, and limits are
//! checked inside it against what the transaction is about to store.
//!
//! A page of the list costs five statements whatever its size: the count,
//! the page, and one statement per kind of assignment for all the managers
//! on it ([`assignments`]), grouped here.

use std::collections::HashMap;

use crate::db::Conn;
use diesel::prelude::*;
use serde_json::Value;

use crate::auth::Principal;
use crate::db::DbResult;
use crate::db::MultiBackend;
use crate::paging::{self, new_code, Listing, SortKey, Sorting, Total};
use crate::schema::{delivery_accounts, delivery_domains, domains, manager_domains, managers};
use crate::unique;
use diesel::deserialize::FromSql;
use diesel::sql_types::Text;
use hostadmin_api::types::{
    DeliveryAssignment, Manager, ManagerCreate, ManagerList, ManagerMaxEmailQuota, ManagerStatus, ManagerUpdate,
    ResourceCreated,
};
use hostadmin_api::wire::{Problem, Violation};
use hostadmin_api::{
    ManagerActivatePath, ManagerAssignDeliveryPath, ManagerDeactivatePath, ManagerDeletePath, ManagerGetPath,
    ManagerListQuery, ManagerUpdatePath,
};

/// A status as stored: the text `Active` or `Inactive` (anything else reads
/// as inactive), read into the API's [`ManagerStatus`].
#[derive(diesel::deserialize::FromSqlRow)]
pub struct StoredStatus(String);

impl FromSql<Text, MultiBackend> for StoredStatus {
    fn from_sql(bytes: <MultiBackend as diesel::backend::Backend>::RawValue<'_>) -> diesel::deserialize::Result<Self> {
        <String as FromSql<Text, MultiBackend>>::from_sql(bytes).map(StoredStatus)
    }
}

impl From<StoredStatus> for ManagerStatus {
    fn from(stored: StoredStatus) -> Self {
        if stored.0 == "Active" {
            ManagerStatus::Active
        } else {
            ManagerStatus::Inactive
        }
    }
}

/// A status as stored.
fn stored(status: ManagerStatus) -> String {
    status.to_string()
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = managers)]
pub struct ManagerRow {
    pub id: i64,
    pub code: String,
    pub email_address: String,
    pub firstname: String,
    pub lastname: String,
    pub company: String,
    pub password_hash: String,
    #[diesel(deserialize_as = StoredStatus)]
    pub status: ManagerStatus,
    pub catch_all: bool,
    pub max_domains: i32,
    pub max_delivery_domains: i32,
    pub max_delivery_accounts: i32,
    pub max_email_accounts: i32,
    pub max_email_accounts_archive: i32,
    pub max_email_accounts_25gb: i32,
    pub max_email_accounts_50gb: i32,
    pub max_email_accounts_100gb: i32,
    pub max_email_quota: Option<i64>,
    pub created_at: i64,
}

/// The manager with code `code`, if any.
pub fn find(conn: &mut Conn, code: &str) -> QueryResult<Option<ManagerRow>> {
    managers::table.filter(managers::code.eq(code)).select(ManagerRow::as_select()).get_result(conn).optional()
}

/// The manager `code`, visible to `principal`: 404 if there is none, and
/// the same 404 if it is another manager's (a scoped token cannot tell the
/// two apart, so it learns nothing of other tenants).
pub fn visible(conn: &mut Conn, principal: &Principal, code: &str) -> DbResult<ManagerRow> {
    let missing = || Problem::NotFound(format!("manager {code}"));
    let row = find(conn, code)?.ok_or_else(missing)?;
    check_visible(principal, Some(row.id), missing)?;
    Ok(row)
}

/// Whether a row assigned to `manager` may be seen by `principal`; if not,
/// the answer is `missing`, exactly what a row that does not exist gets.
pub fn check_visible(principal: &Principal, manager: Option<i64>, missing: impl FnOnce() -> Problem) -> DbResult<()> {
    if principal.may_see(manager) {
        Ok(())
    } else {
        Err(missing().into())
    }
}

/// What is assigned to one manager, each kind in code order.
#[derive(Clone, Debug, Default)]
pub struct Assigned {
    pub domain_codes: Vec<String>,
    pub delivery_domain_codes: Vec<String>,
    pub delivery_account_ids: Vec<String>,
}

/// What is assigned to each of the managers `ids`: three statements however
/// many they are.
pub fn assignments(conn: &mut Conn, ids: &[i64]) -> QueryResult<HashMap<i64, Assigned>> {
    let mut out: HashMap<i64, Assigned> = ids.iter().map(|id| (*id, Assigned::default())).collect();
    if ids.is_empty() {
        return Ok(out);
    }
    let domains: Vec<(i64, String)> = manager_domains::table
        .inner_join(domains::table)
        .filter(manager_domains::manager_id.eq_any(ids))
        .select((manager_domains::manager_id, domains::code))
        .order(domains::code)
        .load(conn)?;
    for (manager, code) in domains {
        if let Some(assigned) = out.get_mut(&manager) {
            assigned.domain_codes.push(code);
        }
    }
    let delivery_domains: Vec<(Option<i64>, String)> = delivery_domains::table
        .filter(delivery_domains::manager_id.eq_any(ids))
        .select((delivery_domains::manager_id, delivery_domains::code))
        .order(delivery_domains::code)
        .load(conn)?;
    for (manager, code) in delivery_domains {
        if let Some(assigned) = manager.and_then(|m| out.get_mut(&m)) {
            assigned.delivery_domain_codes.push(code);
        }
    }
    let accounts: Vec<(Option<i64>, String)> = delivery_accounts::table
        .filter(delivery_accounts::manager_id.eq_any(ids))
        .select((delivery_accounts::manager_id, delivery_accounts::code))
        .order(delivery_accounts::code)
        .load(conn)?;
    for (manager, code) in accounts {
        if let Some(assigned) = manager.and_then(|m| out.get_mut(&m)) {
            assigned.delivery_account_ids.push(code);
        }
    }
    Ok(out)
}

/// What is assigned to the manager `id`.
fn assigned_to(conn: &mut Conn, id: i64) -> QueryResult<Assigned> {
    Ok(assignments(conn, &[id])?.remove(&id).unwrap_or_default())
}

/// The manager as the API shows it (never its password hash).
fn view(row: ManagerRow, assigned: Assigned) -> Manager {
    let Assigned { domain_codes, delivery_domain_codes, delivery_account_ids } = assigned;
    Manager {
        manager_code: row.code,
        email_address: row.email_address,
        firstname: row.firstname,
        lastname: row.lastname,
        company: row.company,
        status: row.status,
        catch_all: row.catch_all,
        max_domains: row.max_domains,
        max_delivery_domains: row.max_delivery_domains,
        max_delivery_accounts: row.max_delivery_accounts,
        max_email_accounts: row.max_email_accounts,
        max_email_accounts_archive: row.max_email_accounts_archive,
        max_email_accounts_25gb: row.max_email_accounts_25gb,
        max_email_accounts_50gb: row.max_email_accounts_50gb,
        max_email_accounts_100gb: row.max_email_accounts_100gb,
        max_email_quota: row.max_email_quota.and_then(|q| ManagerMaxEmailQuota::try_from(q).ok()),
        domain_codes,
        delivery_domain_codes,
        delivery_account_ids,
    }
}

pub fn get(conn: &mut Conn, principal: &Principal, path: ManagerGetPath) -> DbResult<Manager> {
    let row = visible(conn, principal, &path.manager_code)?;
    let assigned = assigned_to(conn, row.id)?;
    Ok(view(row, assigned))
}

pub fn list(conn: &mut Conn, principal: &Principal, q: ManagerListQuery) -> DbResult<ManagerList> {
    let listing = Listing::new(q.page, q.per, &q.query, &q.sort_field, &q.sort).with_status(&q.status);
    let filtered = || {
        let mut query = managers::table.select(ManagerRow::as_select()).into_boxed();
        if let Some(id) = principal.manager_scope() {
            query = query.filter(managers::id.eq(id));
        }
        if let Some(status) = listing.status {
            query = query.filter(managers::status.eq(status.to_string()));
        }
        if let Some(like) = listing.like() {
            query = query.filter(
                paging::matches(managers::code, like.clone())
                    .or(paging::matches(managers::email_address, like.clone()))
                    .or(paging::matches(managers::firstname, like.clone()))
                    .or(paging::matches(managers::lastname, like.clone()))
                    .or(paging::matches(managers::company, like)),
            );
        }
        query
    };
    let sorting = Sorting::new(vec![
        SortKey::new("manager_code", managers::code),
        SortKey::new("email_address", managers::email_address),
        SortKey::new("firstname", managers::firstname),
        SortKey::new("lastname", managers::lastname),
        SortKey::new("company", managers::company),
        SortKey::new("status", managers::status),
    ])
    .ties_by(managers::id);
    let page = paging::page(conn, filtered, &sorting, listing.asked(), listing.offset(), q.per, Total::Counted)?;
    let ids: Vec<i64> = page.rows.iter().map(|r| r.id).collect();
    let mut assigned = assignments(conn, &ids)?;
    let resources = page
        .rows
        .into_iter()
        .map(|row| {
            let assigned = assigned.remove(&row.id).unwrap_or_default();
            view(row, assigned)
        })
        .collect();
    Ok(ManagerList { resources, pagination: listing.pagination(page.total) })
}

/// The one check of a manager body that reads no data: the password
/// confirmation matches.
pub fn password_confirmation(body: &Value) -> Vec<Violation> {
    let password = body.get("password");
    let confirmation = body.get("password_confirmation");
    if (password.is_some() || confirmation.is_some()) && password != confirmation {
        vec![Violation::new("password_confirmation", "does not match password")]
    } else {
        vec![]
    }
}

/// Checks of a manager body that its schema cannot express, on the body as
/// sent: the password confirmation, and that every code names something.
pub fn check_body(conn: &mut Conn, body: &Value, creating: bool) -> DbResult<Vec<Violation>> {
    let mut out = password_confirmation(body);
    if creating {
        if let Some(email) = body.get("email_address").and_then(Value::as_str) {
            let taken: i64 = managers::table.filter(managers::email_address.eq(email)).count().get_result(conn)?;
            if taken > 0 {
                out.push(Violation::new("email_address", "has already been taken"));
            }
        }
    }
    for (field, table) in [("domain_codes", "domains"), ("delivery_account_ids", "delivery_accounts")] {
        let Some(items) = body.get(field).and_then(Value::as_array) else { continue };
        for (i, item) in items.iter().enumerate() {
            let Some(code) = item.as_str() else { continue };
            let exists: i64 = match table {
                "domains" => domains::table.filter(domains::code.eq(code)).count().get_result(conn)?,
                _ => delivery_accounts::table.filter(delivery_accounts::code.eq(code)).count().get_result(conn)?,
            };
            if exists == 0 {
                out.push(Violation::new(format!("{field}.{i}"), format!("{code} does not exist")));
            }
        }
    }
    Ok(out)
}

/// Whether `count` fits under `max` (-1: no limit).
fn within(count: usize, max: i32) -> bool {
    max < 0 || count as i64 <= i64::from(max)
}

/// Replaces the manager's hosting domains with `codes`.
fn assign_domains(conn: &mut Conn, manager_id: i64, codes: &[String]) -> DbResult<()> {
    let mut ids = Vec::new();
    let mut wrong = Vec::new();
    for (i, code) in codes.iter().enumerate() {
        let found: Option<(i64, Option<i64>)> = domains::table
            .left_join(manager_domains::table)
            .filter(domains::code.eq(code))
            .select((domains::id, manager_domains::manager_id.nullable()))
            .get_result(conn)
            .optional()?;
        match found {
            None => wrong.push(Violation::new(format!("domain_codes.{i}"), format!("{code} does not exist"))),
            Some((_, Some(owner))) if owner != manager_id => wrong
                .push(Violation::new(format!("domain_codes.{i}"), format!("{code} is assigned to another manager"))),
            Some((id, _)) => ids.push(id),
        }
    }
    if !wrong.is_empty() {
        return Err(Problem::Invalid(wrong).into());
    }
    diesel::delete(manager_domains::table.filter(manager_domains::manager_id.eq(manager_id))).execute(conn)?;
    for id in ids {
        diesel::insert_into(manager_domains::table)
            .values((manager_domains::domain_id.eq(id), manager_domains::manager_id.eq(manager_id)))
            .execute(conn)?;
    }
    Ok(())
}

/// Replaces the manager's Delivery accounts with `codes`.
fn assign_accounts(conn: &mut Conn, manager_id: i64, codes: &[String]) -> DbResult<()> {
    let mut wrong = Vec::new();
    for (i, code) in codes.iter().enumerate() {
        let owner: Option<Option<i64>> = delivery_accounts::table
            .filter(delivery_accounts::code.eq(code))
            .select(delivery_accounts::manager_id)
            .get_result(conn)
            .optional()?;
        match owner {
            None => wrong.push(Violation::new(format!("delivery_account_ids.{i}"), format!("{code} does not exist"))),
            Some(Some(other)) if other != manager_id => wrong.push(Violation::new(
                format!("delivery_account_ids.{i}"),
                format!("{code} is assigned to another manager"),
            )),
            Some(_) => {}
        }
    }
    if !wrong.is_empty() {
        return Err(Problem::Invalid(wrong).into());
    }
    diesel::update(delivery_accounts::table.filter(delivery_accounts::manager_id.eq(manager_id)))
        .set(delivery_accounts::manager_id.eq(None::<i64>))
        .execute(conn)?;
    diesel::update(delivery_accounts::table.filter(delivery_accounts::code.eq_any(codes)))
        .set(delivery_accounts::manager_id.eq(manager_id))
        .execute(conn)?;
    Ok(())
}

pub fn create(conn: &mut Conn, principal: &Principal, body: ManagerCreate) -> DbResult<ResourceCreated> {
    principal.require_platform_writer()?;
    let max_domains = body.max_domains.unwrap_or(-1);
    let max_delivery_accounts = body.max_delivery_accounts.unwrap_or(-1);
    let domain_codes: Vec<String> = body.domain_codes.iter().flatten().map(|c| c.to_string()).collect();
    let account_ids: Vec<String> = body.delivery_account_ids.iter().flatten().map(|c| c.to_string()).collect();
    let mut over = Vec::new();
    if !within(domain_codes.len(), max_domains) {
        over.push(Violation::new("domain_codes", format!("exceeds max_domains ({max_domains})")));
    }
    if !within(account_ids.len(), max_delivery_accounts) {
        over.push(Violation::new(
            "delivery_account_ids",
            format!("exceeds max_delivery_accounts ({max_delivery_accounts})"),
        ));
    }
    if !over.is_empty() {
        return Err(Problem::Invalid(over).into());
    }
    let code = new_code(conn, "MN", |c, code| {
        managers::table.filter(managers::code.eq(code)).count().get_result::<i64>(c).map(|n| n > 0)
    })?;
    let id: i64 = diesel::insert_into(managers::table)
        .values((
            managers::code.eq(&code),
            managers::email_address.eq(body.email_address.to_string()),
            managers::firstname.eq(body.firstname.to_string()),
            managers::lastname.eq(body.lastname.to_string()),
            managers::company.eq(body.company.map(String::from).unwrap_or_default()),
            managers::password_hash.eq(crate::passwords::hash(&body.password)),
            managers::catch_all.eq(body.catch_all.unwrap_or(false)),
            managers::max_domains.eq(max_domains),
            managers::max_delivery_domains.eq(body.max_delivery_domains.unwrap_or(-1)),
            managers::max_delivery_accounts.eq(max_delivery_accounts),
            managers::max_email_accounts.eq(body.max_email_accounts.unwrap_or(-1)),
            managers::max_email_accounts_archive.eq(body.max_email_accounts_archive.unwrap_or(-1)),
            managers::max_email_accounts_25gb.eq(body.max_email_accounts_25gb.unwrap_or(-1)),
            managers::max_email_accounts_50gb.eq(body.max_email_accounts_50gb.unwrap_or(-1)),
            managers::max_email_accounts_100gb.eq(body.max_email_accounts_100gb.unwrap_or(-1)),
            managers::max_email_quota.eq(body.max_email_quota.map(i64::from)),
            managers::created_at.eq(crate::accounts::now_unix()),
        ))
        .returning(managers::id)
        .get_result(conn)
        .map_err(|e| unique::taken(e, &[]))?;
    assign_domains(conn, id, &domain_codes)?;
    assign_accounts(conn, id, &account_ids)?;
    Ok(paging::created("Manager", code))
}

pub fn update(conn: &mut Conn, principal: &Principal, path: ManagerUpdatePath, body: ManagerUpdate) -> DbResult<()> {
    let row = visible(conn, principal, &path.manager_code)?;
    let changes_limits_or_assignments = body.max_domains.is_some()
        || body.max_delivery_domains.is_some()
        || body.max_delivery_accounts.is_some()
        || body.max_email_accounts.is_some()
        || body.max_email_accounts_archive.is_some()
        || body.max_email_accounts_25gb.is_some()
        || body.max_email_accounts_50gb.is_some()
        || body.max_email_accounts_100gb.is_some()
        || body.max_email_quota.is_some()
        || body.domain_codes.is_some()
        || body.delivery_account_ids.is_some();
    if changes_limits_or_assignments {
        // A manager may change its own password, not its own limits.
        principal.require_platform_writer()?;
    } else if body.password.is_some() && principal.manager_scope().is_none() {
        principal.require_platform_writer()?;
    }

    let max_domains = body.max_domains.unwrap_or(row.max_domains);
    let max_delivery_domains = body.max_delivery_domains.unwrap_or(row.max_delivery_domains);
    let max_delivery_accounts = body.max_delivery_accounts.unwrap_or(row.max_delivery_accounts);
    let Assigned {
        domain_codes: current_domains,
        delivery_domain_codes: current_delivery_domains,
        delivery_account_ids: current_accounts,
    } = assigned_to(conn, row.id)?;
    let domain_codes: Option<Vec<String>> = body.domain_codes.map(|v| v.into_iter().map(String::from).collect());
    let account_ids: Option<Vec<String>> = body.delivery_account_ids.map(|v| v.into_iter().map(String::from).collect());

    let mut over = Vec::new();
    let domain_count = domain_codes.as_ref().map_or(current_domains.len(), Vec::len);
    if !within(domain_count, max_domains) {
        let field = if domain_codes.is_some() { "domain_codes" } else { "max_domains" };
        over.push(Violation::new(field, format!("{domain_count} domain(s) exceed max_domains ({max_domains})")));
    }
    let account_count = account_ids.as_ref().map_or(current_accounts.len(), Vec::len);
    if !within(account_count, max_delivery_accounts) {
        let field = if account_ids.is_some() { "delivery_account_ids" } else { "max_delivery_accounts" };
        over.push(Violation::new(
            field,
            format!("{account_count} account(s) exceed max_delivery_accounts ({max_delivery_accounts})"),
        ));
    }
    if !within(current_delivery_domains.len(), max_delivery_domains) {
        over.push(Violation::new(
            "max_delivery_domains",
            format!("{} Delivery domain(s) are assigned already", current_delivery_domains.len()),
        ));
    }
    if !over.is_empty() {
        return Err(Problem::Invalid(over).into());
    }

    let target = managers::table.find(row.id);
    diesel::update(target)
        .set((
            managers::max_domains.eq(max_domains),
            managers::max_delivery_domains.eq(max_delivery_domains),
            managers::max_delivery_accounts.eq(max_delivery_accounts),
            managers::max_email_accounts.eq(body.max_email_accounts.unwrap_or(row.max_email_accounts)),
            managers::max_email_accounts_archive
                .eq(body.max_email_accounts_archive.unwrap_or(row.max_email_accounts_archive)),
            managers::max_email_accounts_25gb.eq(body.max_email_accounts_25gb.unwrap_or(row.max_email_accounts_25gb)),
            managers::max_email_accounts_50gb.eq(body.max_email_accounts_50gb.unwrap_or(row.max_email_accounts_50gb)),
            managers::max_email_accounts_100gb
                .eq(body.max_email_accounts_100gb.unwrap_or(row.max_email_accounts_100gb)),
            managers::max_email_quota.eq(body.max_email_quota.map(i64::from).or(row.max_email_quota)),
        ))
        .execute(conn)?;
    if let Some(password) = &body.password {
        diesel::update(target).set(managers::password_hash.eq(crate::passwords::hash(password))).execute(conn)?;
    }
    if let Some(codes) = &domain_codes {
        assign_domains(conn, row.id, codes)?;
    }
    if let Some(ids) = &account_ids {
        assign_accounts(conn, row.id, ids)?;
    }
    Ok(())
}

pub fn delete(conn: &mut Conn, principal: &Principal, path: ManagerDeletePath) -> DbResult<()> {
    principal.require_platform_writer()?;
    let code = &path.manager_code;
    let row = find(conn, code)?.ok_or_else(|| Problem::NotFound(format!("manager {code}")))?;
    diesel::delete(managers::table.find(row.id)).execute(conn)?;
    Ok(())
}

pub fn activate(conn: &mut Conn, principal: &Principal, path: ManagerActivatePath) -> DbResult<()> {
    set_status(conn, principal, &path.manager_code, ManagerStatus::Active)
}

pub fn deactivate(conn: &mut Conn, principal: &Principal, path: ManagerDeactivatePath) -> DbResult<()> {
    set_status(conn, principal, &path.manager_code, ManagerStatus::Inactive)
}

fn set_status(conn: &mut Conn, principal: &Principal, code: &str, status: ManagerStatus) -> DbResult<()> {
    principal.require_platform_writer()?;
    let row = find(conn, code)?.ok_or_else(|| Problem::NotFound(format!("manager {code}")))?;
    diesel::update(managers::table.find(row.id)).set(managers::status.eq(stored(status))).execute(conn)?;
    Ok(())
}

/// Checks of an assignment body its schema cannot express: the id exists.
pub fn check_assignment(conn: &mut Conn, body: &Value) -> DbResult<Vec<Violation>> {
    let Some(id) = body.get("id").and_then(Value::as_str) else { return Ok(vec![]) };
    let exists: i64 = if id.starts_with("DV") {
        delivery_domains::table.filter(delivery_domains::code.eq(id)).count().get_result(conn)?
    } else if id.starts_with("DA") {
        delivery_accounts::table.filter(delivery_accounts::code.eq(id)).count().get_result(conn)?
    } else {
        return Ok(vec![]);
    };
    Ok(if exists == 0 { vec![Violation::new("id", format!("{id} does not exist"))] } else { vec![] })
}

pub fn assign_delivery(
    conn: &mut Conn,
    principal: &Principal,
    path: ManagerAssignDeliveryPath,
    body: DeliveryAssignment,
) -> DbResult<()> {
    principal.require_platform_writer()?;
    let code = &path.manager_code;
    let row = find(conn, code)?.ok_or_else(|| Problem::NotFound(format!("manager {code}")))?;
    let max_domains = body.max_delivery_domains.unwrap_or(row.max_delivery_domains);
    let max_accounts = body.max_delivery_accounts.unwrap_or(row.max_delivery_accounts);
    let Assigned { delivery_domain_codes: current_domains, delivery_account_ids: current_accounts, .. } =
        assigned_to(conn, row.id)?;
    let id = body.id.to_string();
    let (owner, already, count, max, what): (Option<Option<i64>>, bool, usize, i32, &str) = if id.starts_with("DV") {
        let owner = delivery_domains::table
            .filter(delivery_domains::code.eq(&id))
            .select(delivery_domains::manager_id)
            .get_result(conn)
            .optional()?;
        (owner, current_domains.contains(&id), current_domains.len(), max_domains, "max_delivery_domains")
    } else {
        let owner = delivery_accounts::table
            .filter(delivery_accounts::code.eq(&id))
            .select(delivery_accounts::manager_id)
            .get_result(conn)
            .optional()?;
        (owner, current_accounts.contains(&id), current_accounts.len(), max_accounts, "max_delivery_accounts")
    };
    let mut wrong = Vec::new();
    match owner {
        None => wrong.push(Violation::new("id", format!("{id} does not exist"))),
        Some(Some(other)) if other != row.id => {
            wrong.push(Violation::new("id", format!("{id} is assigned to another manager")))
        }
        _ => {}
    }
    let after = if already { count } else { count + 1 };
    if !within(after, max) {
        wrong.push(Violation::new("id", format!("assigning it would exceed {what} ({max})")));
    }
    if !within(current_domains.len(), max_domains) && !id.starts_with("DV") {
        wrong.push(Violation::new("max_delivery_domains", "is lower than the Delivery domains assigned already"));
    }
    if !within(current_accounts.len(), max_accounts) && id.starts_with("DV") {
        wrong.push(Violation::new("max_delivery_accounts", "is lower than the Delivery accounts assigned already"));
    }
    if !wrong.is_empty() {
        return Err(Problem::Invalid(wrong).into());
    }
    diesel::update(managers::table.find(row.id))
        .set((managers::max_delivery_domains.eq(max_domains), managers::max_delivery_accounts.eq(max_accounts)))
        .execute(conn)?;
    if id.starts_with("DV") {
        diesel::update(delivery_domains::table.filter(delivery_domains::code.eq(&id)))
            .set(delivery_domains::manager_id.eq(row.id))
            .execute(conn)?;
    } else {
        diesel::update(delivery_accounts::table.filter(delivery_accounts::code.eq(&id)))
            .set(delivery_accounts::manager_id.eq(row.id))
            .execute(conn)?;
    }
    Ok(())
}
