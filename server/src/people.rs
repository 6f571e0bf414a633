//! People of the groups surface: the users that live on hosting domains,
//! named by GUID. They count in their domain's server's `users`.

use crate::db::Conn;
use diesel::prelude::*;
use serde_json::Value;

use crate::auth::Principal;
use crate::db::DbResult;
use crate::domains::DomainRow;
use crate::paging::{self, like_pattern, SortKey, Sorting, Total};
use crate::schema::{domains, users};
use crate::unique;
use hostadmin_api::types::{Person, PersonCreate, PersonEnvelope, PersonListEnvelope, PersonSummary, PersonUpdate};
use hostadmin_api::wire::{Problem, Violation};
use hostadmin_api::{PeopleListQuery, PersonDeletePath, PersonGetPath, PersonUpdatePath};

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

/// A person with the domain it lives on (through [`with_domain`]).
#[derive(Clone, Debug, Queryable, Selectable)]
pub struct PlacedUser {
    #[diesel(embed)]
    pub user: UserRow,
    #[diesel(embed)]
    pub domain: DomainRow,
}

/// People, each with its domain.
#[diesel::dsl::auto_type(no_type_alias)]
fn with_domain() -> _ {
    users::table.inner_join(domains::table)
}

fn view(row: PlacedUser) -> Person {
    let s = summary(&row.user);
    Person {
        id: s.id,
        display_name: s.display_name,
        title: s.title,
        avatar_small: s.avatar_small,
        profile_url: s.profile_url,
        user_name: row.user.username,
        domain: row.domain.name,
        domain_code: row.domain.code,
    }
}

/// An answer of the groups surface; the generated adapter sets `statusCode`.
fn envelope(response: Person) -> PersonEnvelope {
    PersonEnvelope { status: 0, status_code: 0, response }
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
    let row = with_domain()
        .select(PlacedUser::as_select())
        .filter(users::guid.eq(&guid))
        .get_result(conn)
        .optional()?
        .ok_or_else(|| Problem::NotFound(format!("User {guid}")))?;
    Ok(view(row))
}

pub fn list(conn: &mut Conn, _principal: &Principal, q: PeopleListQuery) -> DbResult<PersonListEnvelope> {
    let filtered = || {
        let mut query = with_domain().select(PlacedUser::as_select()).into_boxed();
        if let Some(f) = &q.filter_value {
            let like = like_pattern(f);
            query = query
                .filter(paging::matches(users::display_name, like.clone()).or(paging::matches(users::username, like)));
        }
        query
    };
    let sorting = Sorting::new(vec![
        SortKey::new("DisplayName", users::display_name).then(users::id),
        SortKey::new("UserName", users::username),
    ]);
    let asked = [(q.sort_by.as_str(), q.sort_order == "descending")];
    let page = paging::page(conn, filtered, &sorting, asked, q.start_index, q.count, Total::Counted)?;
    let response: Vec<Person> = page.rows.into_iter().map(view).collect();
    Ok(PersonListEnvelope {
        status: 0,
        status_code: 0,
        count: response.len() as i64,
        start_index: q.start_index,
        total: page.total,
        response,
    })
}

pub fn get(conn: &mut Conn, _principal: &Principal, path: PersonGetPath) -> DbResult<PersonEnvelope> {
    full(conn, &path.userid).map(envelope)
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

pub fn create(conn: &mut Conn, principal: &Principal, body: PersonCreate) -> DbResult<PersonEnvelope> {
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
        .map_err(|e| unique::taken(e, &[]))?;
    full(conn, &guid).map(envelope)
}

pub fn update(
    conn: &mut Conn,
    principal: &Principal,
    path: PersonUpdatePath,
    body: PersonUpdate,
) -> DbResult<PersonEnvelope> {
    principal.require_admin()?;
    let row = find(conn, &path.userid)?;
    diesel::update(users::table.find(row.id))
        .set((
            users::display_name.eq(body.display_name.map(String::from).unwrap_or(row.display_name)),
            users::title.eq(body.title.map(String::from).unwrap_or(row.title)),
        ))
        .execute(conn)?;
    full(conn, &row.guid).map(envelope)
}

pub fn delete(conn: &mut Conn, principal: &Principal, path: PersonDeletePath) -> DbResult<PersonEnvelope> {
    principal.require_admin()?;
    let person = full(conn, &path.userid)?;
    // Group memberships go with the row; groups it managed lose their manager.
    diesel::delete(users::table.filter(users::guid.eq(&person.id))).execute(conn)?;
    Ok(envelope(person))
}
