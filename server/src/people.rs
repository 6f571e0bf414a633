//! People of the groups surface: the users that live on hosting domains,
//! named by GUID. They count in their domain's server's `users`.

use crate::db::Conn;
use diesel::prelude::*;
use serde_json::Value;

use crate::auth::Principal;
use crate::db::DbResult;
use crate::paging::like_pattern;
use crate::schema::{domains, users};
use hostadmin_api::types::{Person, PersonCreate, PersonListEnvelope, PersonSummary, PersonUpdate};
use hostadmin_api::wire::{Problem, Violation};
use hostadmin_api::PeopleListQuery;

/// A GUID as sent (any case, possibly in quotes, as the product's own
/// example request has it), as stored: lower case, bare.
pub fn normalize_guid(sent: &str) -> String {
    sent.trim_matches('"').to_ascii_lowercase()
}

/// A fresh random (version 4) GUID.
pub fn new_guid() -> DbResult<String> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|_| Problem::Internal("no randomness".into()))?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    Ok(format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32]))
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: i64,
    pub guid: String,
    pub username: String,
    pub display_name: String,
    pub title: String,
    pub avatar_small: String,
    pub domain_id: i64,
}

pub fn summary(row: &UserRow) -> PersonSummary {
    PersonSummary {
        id: row.guid.clone(),
        display_name: row.display_name.clone(),
        title: row.title.clone(),
        avatar_small: row.avatar_small.clone(),
        profile_url: format!("/Products/People/Profile.aspx?user={}", row.guid),
    }
}

fn view((row, domain, domain_code): (UserRow, String, String)) -> Person {
    let s = summary(&row);
    Person {
        id: s.id,
        display_name: s.display_name,
        title: s.title,
        avatar_small: s.avatar_small,
        profile_url: s.profile_url,
        user_name: row.username,
        domain,
        domain_code,
    }
}

/// The user with this GUID (as sent), or 404.
pub fn find(conn: &mut Conn, guid: &str) -> DbResult<UserRow> {
    let guid = normalize_guid(guid);
    users::table
        .filter(users::guid.eq(&guid))
        .select(UserRow::as_select())
        .get_result(conn)
        .optional()?
        .ok_or_else(|| Problem::NotFound(format!("User {guid}")).into())
}

fn full(conn: &mut Conn, guid: &str) -> DbResult<Person> {
    let guid = normalize_guid(guid);
    let row = users::table
        .inner_join(domains::table)
        .filter(users::guid.eq(&guid))
        .select((UserRow::as_select(), domains::name, domains::code))
        .get_result(conn)
        .optional()?
        .ok_or_else(|| Problem::NotFound(format!("User {guid}")))?;
    Ok(view(row))
}

pub fn list(conn: &mut Conn, q: &PeopleListQuery) -> DbResult<PersonListEnvelope> {
    let filtered = || {
        let mut query = users::table.inner_join(domains::table).into_boxed();
        if let Some(f) = &q.filter_value {
            let like = like_pattern(f);
            query = query.filter(
                crate::paging::matches(users::display_name, like.clone())
                    .or(crate::paging::matches(users::username, like)),
            );
        }
        query
    };
    let total: i64 = filtered().count().get_result(conn)?;
    let query = filtered().select((UserRow::as_select(), domains::name, domains::code));
    let descending = q.sort_order == "descending";
    let query = match (q.sort_by.as_str(), descending) {
        ("UserName", false) => query.order(users::username.asc()),
        ("UserName", true) => query.order(users::username.desc()),
        (_, false) => query.order((users::display_name.asc(), users::id.asc())),
        (_, true) => query.order((users::display_name.desc(), users::id.desc())),
    };
    let rows: Vec<(UserRow, String, String)> = query.limit(q.count).offset(q.start_index).load(conn)?;
    let response: Vec<Person> = rows.into_iter().map(view).collect();
    Ok(PersonListEnvelope {
        status: 0,
        status_code: 0,
        count: response.len() as i64,
        start_index: q.start_index,
        total,
        response,
    })
}

pub fn get(conn: &mut Conn, guid: &str) -> DbResult<Person> {
    full(conn, guid)
}

/// Checks of a new person beyond its schema: the domain exists, the name is free.
pub fn check_create(conn: &mut Conn, body: &Value) -> DbResult<Vec<Violation>> {
    let mut out = Vec::new();
    if let Some(code) = body.get("domainCode").and_then(Value::as_str) {
        if domains::table.filter(domains::code.eq(code)).count().get_result::<i64>(conn)? == 0 {
            out.push(Violation::new("domainCode", format!("{code} does not exist")));
        }
    }
    if let Some(name) = body.get("userName").and_then(Value::as_str) {
        if users::table.filter(users::username.eq(name)).count().get_result::<i64>(conn)? > 0 {
            out.push(Violation::new("userName", "is already taken"));
        }
    }
    Ok(out)
}

pub fn create(conn: &mut Conn, principal: &Principal, body: PersonCreate) -> DbResult<Person> {
    principal.require_admin()?;
    let code = body.domain_code.to_string();
    let domain_id: i64 = domains::table
        .filter(domains::code.eq(&code))
        .select(domains::id)
        .get_result(conn)
        .optional()?
        .ok_or_else(|| Problem::invalid("domainCode", format!("{code} does not exist")))?;
    let guid = new_guid()?;
    diesel::insert_into(users::table)
        .values((
            users::guid.eq(&guid),
            users::username.eq(body.user_name.to_string()),
            users::display_name.eq(body.display_name.to_string()),
            users::title.eq(body.title.map(String::from).unwrap_or_default()),
            users::domain_id.eq(domain_id),
        ))
        .execute(conn)
        .map_err(|e| match e {
            diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _) => {
                Problem::invalid("userName", "is already taken").into()
            }
            other => crate::db::Failure::from(other),
        })?;
    full(conn, &guid)
}

pub fn update(conn: &mut Conn, principal: &Principal, guid: &str, body: PersonUpdate) -> DbResult<Person> {
    principal.require_admin()?;
    let row = find(conn, guid)?;
    diesel::update(users::table.find(row.id))
        .set((
            users::display_name.eq(body.display_name.map(String::from).unwrap_or(row.display_name)),
            users::title.eq(body.title.map(String::from).unwrap_or(row.title)),
        ))
        .execute(conn)?;
    full(conn, &row.guid)
}

pub fn delete(conn: &mut Conn, principal: &Principal, guid: &str) -> DbResult<Person> {
    principal.require_admin()?;
    let person = full(conn, guid)?;
    // Group memberships go with the row; groups it managed lose their manager.
    diesel::delete(users::table.filter(users::guid.eq(&person.id))).execute(conn)?;
    Ok(person)
}
