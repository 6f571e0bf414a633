//! People of the groups surface, as ONLYOFFICE's `EmployeeApi` serves them:
//! profiles (`EmployeeWraperFull`) named by GUID or user name, added with the
//! product's "Add a user" fields.
//!
//! One store: a person whose e-mail is on a hosting domain lives on it and
//! counts in that domain's server's `users`; a person on any other domain is
//! kept (the product's people need not be mail users) and counts nowhere.
//! The link is made when the person is added, from the e-mail, which the
//! product changes only through a separate operation hostadmin does not
//! serve.

use std::collections::HashMap;

use crate::db::Conn;
use diesel::prelude::*;
use serde_json::Value;

use crate::auth::{Admin, Principal};
use crate::db::DbResult;
use crate::domains::DomainRow;
use crate::paging::{self, like_pattern, SortKey, Sorting, Total};
use crate::schema::{domains, group_members, groups, users};
use crate::unique;
use hostadmin_api::types::{
    Contact, GroupSummary, Person, PersonCreate, PersonEnvelope, PersonListEnvelope, PersonSex, PersonSummary,
    PersonUpdate,
};
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

/// The product's status codes (`EmployeeStatus`).
const ACTIVE: i32 = 1;
const TERMINATED: i32 = 2;
/// `EmployeeActivationStatus.Activated`: people added here need no e-mail
/// confirmation.
const ACTIVATED: i32 = 1;

/// The product's default photos, for people without one.
const AVATAR_SMALL: &str = "/skins/default/images/default_user_photo_size_32-32.png";
const AVATAR_MEDIUM: &str = "/skins/default/images/default_user_photo_size_48-48.png";
const AVATAR: &str = "/skins/default/images/default_user_photo_size_200-200.png";

/// What a person's summary (a group's manager or member) needs.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: i64,
    pub guid: String,
    pub username: String,
    pub display_name: String,
    pub title: String,
    pub avatar_small: String,
}

fn profile_url(username: &str) -> String {
    format!("/Products/People/Profile.aspx?user={username}")
}

fn or_default(stored: &str, default: &str) -> String {
    if stored.is_empty() { default } else { stored }.to_string()
}

/// The product's `EmployeeWraper`: how groups show their people.
pub fn summary(row: &UserRow) -> PersonSummary {
    PersonSummary {
        id: row.guid.clone(),
        display_name: row.display_name.clone(),
        title: row.title.clone(),
        avatar_small: or_default(&row.avatar_small, AVATAR_SMALL),
        profile_url: profile_url(&row.username),
    }
}

/// A whole stored person (but its password hash).
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct PersonRow {
    pub id: i64,
    pub guid: String,
    pub username: String,
    pub display_name: String,
    pub title: String,
    pub avatar_small: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub is_visitor: bool,
    pub status: i32,
    pub activation_status: i32,
    pub sex: Option<String>,
    pub birthday: Option<String>,
    pub work_from: Option<String>,
    pub terminated: Option<String>,
    pub location: String,
    pub notes: String,
    pub contacts: String,
    pub lead_guid: Option<String>,
}

/// A person with the hosting domain it lives on, if any.
#[derive(Clone, Debug, Queryable, Selectable)]
pub struct PlacedPerson {
    #[diesel(embed)]
    pub person: PersonRow,
    #[diesel(embed)]
    pub domain: Option<DomainRow>,
}

#[diesel::dsl::auto_type(no_type_alias)]
fn with_domain() -> _ {
    users::table.left_join(domains::table)
}

fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

fn view(row: PlacedPerson, groups: Vec<GroupSummary>) -> Person {
    let (p, domain) = (row.person, row.domain);
    let department =
        (!groups.is_empty()).then(|| groups.iter().map(|g| g.name.as_str()).collect::<Vec<_>>().join(", "));
    Person {
        id: p.guid,
        display_name: p.display_name,
        title: non_empty(p.title),
        avatar_small: or_default(&p.avatar_small, AVATAR_SMALL),
        profile_url: profile_url(&p.username),
        is_visitor: p.is_visitor,
        user_name: p.username,
        activation_status: p.activation_status,
        birthday: p.birthday,
        department,
        email: p.email,
        first_name: p.first_name,
        last_name: p.last_name,
        lead: p.lead_guid,
        location: non_empty(p.location),
        notes: non_empty(p.notes),
        sex: p.sex.and_then(|s| s.parse::<PersonSex>().ok()),
        status: p.status,
        terminated: p.terminated,
        work_from: p.work_from,
        contacts: serde_json::from_str::<Vec<Contact>>(&p.contacts).unwrap_or_default(),
        avatar: AVATAR.into(),
        avatar_medium: AVATAR_MEDIUM.into(),
        groups,
        is_admin: false,
        is_ldap: false,
        is_owner: false,
        is_sso: false,
        domain: domain.as_ref().map(|d| d.name.clone()),
        domain_code: domain.map(|d| d.code),
    }
}

/// The groups of each of `people`, by name: one statement for a whole page.
fn groups_of(conn: &mut Conn, people: &[i64]) -> QueryResult<HashMap<i64, Vec<GroupSummary>>> {
    let rows: Vec<(i64, String, String, Option<UserRow>)> = group_members::table
        .inner_join(groups::table.left_join(users::table))
        .filter(group_members::user_id.eq_any(people))
        .order((groups::name.asc(), groups::id.asc()))
        .select((group_members::user_id, groups::guid, groups::name, Option::<UserRow>::as_select()))
        .load(conn)?;
    let mut out: HashMap<i64, Vec<GroupSummary>> = HashMap::new();
    for (person, id, name, manager) in rows {
        out.entry(person).or_default().push(GroupSummary { id, name, manager: manager.as_ref().map(summary) });
    }
    Ok(out)
}

/// An answer of the groups surface; the generated adapter sets `statusCode`.
fn envelope(response: Person) -> PersonEnvelope {
    PersonEnvelope { status: 0, status_code: 0, response }
}

/// Whether `sent` is a GUID (any case, possibly quoted).
fn is_guid(sent: &str) -> bool {
    let s = sent.trim_matches('"').as_bytes();
    s.len() == 36
        && s.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// The person a path names: a GUID, or else a user name (the product's
/// `GetById` tries both), or 404.
fn placed(conn: &mut Conn, userid: &str) -> DbResult<PlacedPerson> {
    let query = with_domain().select(PlacedPerson::as_select());
    let found = if is_guid(userid) {
        query.filter(users::guid.eq(normalize_guid(userid))).get_result(conn).optional()?
    } else {
        query.filter(users::username.eq(userid)).get_result(conn).optional()?
    };
    found.ok_or_else(|| Problem::NotFound("User".into()).into())
}

fn full(conn: &mut Conn, row: PlacedPerson) -> DbResult<Person> {
    let mut groups = groups_of(conn, &[row.person.id])?;
    let mine = groups.remove(&row.person.id).unwrap_or_default();
    Ok(view(row, mine))
}

pub fn list(conn: &mut Conn, _principal: &Principal, q: PeopleListQuery) -> DbResult<PersonListEnvelope> {
    let filtered = || {
        let mut query = with_domain().select(PlacedPerson::as_select()).into_boxed();
        match q.employee_status.as_str() {
            "Active" => query = query.filter(users::status.eq(ACTIVE)),
            "Terminated" => query = query.filter(users::status.eq(TERMINATED)),
            _ => {}
        }
        if let Some(f) = &q.filter_value {
            let like = like_pattern(f);
            query = query.filter(
                paging::matches(users::display_name, like.clone())
                    .or(paging::matches(users::username, like.clone()))
                    .or(paging::matches(users::email, like)),
            );
        }
        query
    };
    let sorting = Sorting::new(vec![
        SortKey::new("DisplayName", users::display_name),
        SortKey::new("UserName", users::username),
        SortKey::new("FirstName", users::first_name),
        SortKey::new("LastName", users::last_name),
        SortKey::new("Email", users::email),
    ])
    .ties_by(users::id);
    let asked = [(q.sort_by.as_str(), q.sort_order == "descending")];
    let page = paging::page(conn, filtered, &sorting, asked, q.start_index, q.count, Total::Counted)?;
    let ids: Vec<i64> = page.rows.iter().map(|r| r.person.id).collect();
    let mut groups = groups_of(conn, &ids)?;
    let response: Vec<Person> = page
        .rows
        .into_iter()
        .map(|row| {
            let mine = groups.remove(&row.person.id).unwrap_or_default();
            view(row, mine)
        })
        .collect();
    Ok(PersonListEnvelope {
        status: 0,
        status_code: 0,
        count: response.len() as i64,
        start_index: q.start_index,
        total: page.total,
        response,
    })
}

/// `GET /people/{userid}`: a GUID or user name, `@self` (the person named
/// like the caller's account) or `email` (with `?email=`).
pub fn get(
    conn: &mut Conn,
    principal: &Principal,
    path: PersonGetPath,
    email: Option<String>,
) -> DbResult<PersonEnvelope> {
    let row = match path.userid.as_str() {
        "@self" => match principal {
            Principal::Admin(Admin { name, .. }) => placed(conn, name)?,
            Principal::Manager { .. } => return Err(Problem::NotFound("User".into()).into()),
        },
        "email" => {
            let email = email.ok_or_else(|| Problem::invalid("email", "is required to find a person by e-mail"))?;
            with_domain()
                .select(PlacedPerson::as_select())
                .filter(users::email.eq(email.trim().to_lowercase()))
                .get_result(conn)
                .optional()?
                .ok_or_else(|| Problem::NotFound("User".into()))?
        }
        userid => placed(conn, userid)?,
    };
    full(conn, row).map(envelope)
}

/// The product's `ApiDateTime` as sent (the spec's pattern has checked its
/// shape), in the form the product answers: `YYYY-MM-DDThh:mm:ss.fffffffZ`
/// in UTC; `None` for a date that does not exist.
pub fn api_date_time(sent: &str) -> Option<String> {
    let (date, time) = sent.split_once('T').unwrap_or((sent, "00:00:00Z"));
    let date = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    let (clock, zone) = match time.find(['Z', '+']).or_else(|| time.rfind('-').filter(|&i| i > 7)) {
        Some(i) => time.split_at(i),
        None => (time, "Z"),
    };
    let (hms, fraction) = clock.split_once('.').unwrap_or((clock, ""));
    let hms = hms.replace('-', ":");
    let time = chrono::NaiveTime::parse_from_str(&hms, "%H:%M:%S").ok()?;
    let nanos: u32 = format!("{fraction:0<9}").get(..9)?.parse().ok()?;
    let local = date.and_time(time) + chrono::Duration::nanoseconds(nanos.into());
    let offset = match zone {
        "Z" | "" => chrono::FixedOffset::east_opt(0)?,
        z => {
            let sign = if z.starts_with('-') { -1 } else { 1 };
            let (h, m) = z[1..].split_once(':')?;
            chrono::FixedOffset::east_opt(sign * (h.parse::<i32>().ok()? * 3600 + m.parse::<i32>().ok()? * 60))?
        }
    };
    Some(product_time(local.and_local_timezone(offset).single()?.naive_utc()))
}

/// A UTC time as the product writes one: seven fraction digits, then `Z`.
fn product_time(utc: chrono::NaiveDateTime) -> String {
    use chrono::Timelike;
    format!("{}.{:07}Z", utc.format("%Y-%m-%dT%H:%M:%S"), utc.nanosecond() / 100)
}

/// Checks of a person's fields beyond the schema (adding and updating): the
/// e-mail is an address and free, dates exist, groups and lead exist.
pub fn check_body(conn: &mut Conn, body: &Value) -> DbResult<Vec<Violation>> {
    let mut out = Vec::new();
    if let Some(email) = body.get("email").and_then(Value::as_str) {
        let well_formed = email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.') && !domain.contains('@'));
        if !well_formed {
            out.push(Violation::new("email", format!("{email:?} is not an e-mail address")));
        } else if users::table.filter(users::email.eq(email.to_lowercase())).count().get_result::<i64>(conn)? > 0 {
            out.push(Violation::new("email", "is already in use"));
        }
    }
    for field in ["birthday", "worksfrom"] {
        if let Some(sent) = body.get(field).and_then(Value::as_str) {
            if api_date_time(sent).is_none() {
                out.push(Violation::new(field, format!("{sent:?} is not a date")));
            }
        }
    }
    for (i, guid) in body.get("department").and_then(Value::as_array).into_iter().flatten().enumerate() {
        let guid = guid.as_str().map(normalize_guid).unwrap_or_default();
        if groups::table.filter(groups::guid.eq(&guid)).count().get_result::<i64>(conn)? == 0 {
            out.push(Violation::new(format!("department[{i}]"), format!("no group {guid}")));
        }
    }
    if let Some(lead) = body.get("lead").and_then(Value::as_str) {
        if users::table.filter(users::guid.eq(normalize_guid(lead))).count().get_result::<i64>(conn)? == 0 {
            out.push(Violation::new("lead", format!("no person {lead}")));
        }
    }
    Ok(out)
}

/// A user name made from the e-mail's local part, as the product makes
/// one, numbered when taken.
fn free_username(conn: &mut Conn, email: &str) -> DbResult<String> {
    let base = email.split('@').next().unwrap_or(email);
    for n in 0..10_000 {
        let name = if n == 0 { base.to_string() } else { format!("{base}{n}") };
        if users::table.filter(users::username.eq(&name)).count().get_result::<i64>(conn)? == 0 {
            return Ok(name);
        }
    }
    Err(Problem::invalid("email", "no free user name is left for this address").into())
}

/// Replaces the person's groups by `department`; a group it managed and
/// leaves loses its manager (as the product's `UpdateDepartments` does).
fn set_departments(conn: &mut Conn, person: i64, department: &[String]) -> DbResult<()> {
    let wanted: Vec<i64> = groups::table
        .filter(groups::guid.eq_any(department.iter().map(|g| normalize_guid(g))))
        .select(groups::id)
        .load(conn)?;
    diesel::update(groups::table.filter(groups::manager_id.eq(person)).filter(groups::id.ne_all(&wanted)))
        .set(groups::manager_id.eq(None::<i64>))
        .execute(conn)?;
    diesel::delete(
        group_members::table.filter(group_members::user_id.eq(person)).filter(group_members::group_id.ne_all(&wanted)),
    )
    .execute(conn)?;
    for group in wanted {
        let insert = diesel::insert_into(group_members::table)
            .values((group_members::group_id.eq(group), group_members::user_id.eq(person)))
            .on_conflict_do_nothing();
        crate::each_backend!(conn, |c| insert.execute(c))?;
    }
    Ok(())
}

fn sex(sent: Option<impl ToString>) -> Option<String> {
    sent.map(|s| s.to_string())
}

fn contacts_json(contacts: &[Contact]) -> String {
    serde_json::to_string(contacts).unwrap_or_else(|_| "[]".into())
}

/// Adds a person; `password_hash` is the hash of `body.password`, made
/// before the write began (see the service).
pub fn create(
    conn: &mut Conn,
    principal: &Principal,
    body: PersonCreate,
    password_hash: Option<String>,
) -> DbResult<PersonEnvelope> {
    principal.require_admin()?;
    let email = body.email.trim().to_lowercase();
    let email_domain = email.rsplit('@').next().unwrap_or_default().to_string();
    let domain_id: Option<i64> =
        domains::table.filter(domains::name.eq(&email_domain)).select(domains::id).get_result(conn).optional()?;
    let guid = new_guid()?;
    let username = free_username(conn, &email)?;
    let (first, last) = (body.firstname.to_string(), body.lastname.to_string());
    let today = product_time(chrono::Utc::now().date_naive().and_time(chrono::NaiveTime::MIN));
    let contacts = body.contacts.as_deref().map(|c| contacts_json(c)).unwrap_or_else(|| "[]".into());
    let id: i64 = diesel::insert_into(users::table)
        .values((
            users::guid.eq(&guid),
            users::username.eq(&username),
            users::display_name.eq(format!("{first} {last}")),
            users::title.eq(body.title.map(String::from).unwrap_or_default()),
            users::domain_id.eq(domain_id),
            users::email.eq(&email),
            users::first_name.eq(&first),
            users::last_name.eq(&last),
            users::is_visitor.eq(body.is_visitor),
            users::status.eq(ACTIVE),
            users::activation_status.eq(ACTIVATED),
            users::sex.eq(sex(body.sex)),
            users::birthday.eq(body.birthday.as_deref().and_then(|d| api_date_time(d))),
            users::work_from.eq(body.worksfrom.as_deref().and_then(|d| api_date_time(d)).or(Some(today))),
            users::location.eq(body.location.map(String::from).unwrap_or_default()),
            users::notes.eq(body.comment.map(String::from).unwrap_or_default()),
            users::contacts.eq(contacts),
            users::lead_guid.eq(body.lead.as_deref().map(|g| normalize_guid(g))),
            users::password_hash.eq(password_hash),
        ))
        .returning(users::id)
        .get_result(conn)
        .map_err(|e| unique::taken(e, &[("email", &email)]))?;
    if let Some(department) = body.department.as_deref() {
        let department: Vec<String> = department.iter().map(|g| g.to_string()).collect();
        set_departments(conn, id, &department)?;
    }
    let row = with_domain().select(PlacedPerson::as_select()).filter(users::id.eq(id)).get_result(conn)?;
    full(conn, row).map(envelope)
}

/// Changes what is sent. Unlike the product, a missing `isVisitor` keeps the
/// person's type (the product's binder reads it as `false`, which turns a
/// guest into a user on any update).
pub fn update(
    conn: &mut Conn,
    principal: &Principal,
    path: PersonUpdatePath,
    body: PersonUpdate,
) -> DbResult<PersonEnvelope> {
    principal.require_admin()?;
    let p = placed(conn, &path.userid)?.person;
    let first = body.firstname.map(String::from).unwrap_or(p.first_name);
    let last = body.lastname.map(String::from).unwrap_or(p.last_name);
    let (status, terminated) = match body.disable {
        Some(true) if p.status != TERMINATED => (TERMINATED, Some(product_time(chrono::Utc::now().naive_utc()))),
        Some(false) => (ACTIVE, None),
        _ => (p.status, p.terminated),
    };
    diesel::update(users::table.find(p.id))
        .set((
            users::display_name.eq(format!("{first} {last}")),
            users::first_name.eq(&first),
            users::last_name.eq(&last),
            users::is_visitor.eq(body.is_visitor.unwrap_or(p.is_visitor)),
            users::title.eq(body.title.map(String::from).unwrap_or(p.title)),
            users::location.eq(body.location.map(String::from).unwrap_or(p.location)),
            users::notes.eq(body.comment.map(String::from).unwrap_or(p.notes)),
            users::sex.eq(sex(body.sex).or(p.sex)),
            users::birthday.eq(body.birthday.as_deref().and_then(|d| api_date_time(d)).or(p.birthday)),
            users::work_from.eq(body.worksfrom.as_deref().and_then(|d| api_date_time(d)).or(p.work_from)),
            users::contacts.eq(body.contacts.as_deref().map(|c| contacts_json(c)).unwrap_or(p.contacts)),
            users::lead_guid.eq(body.lead.as_deref().map(|g| normalize_guid(g)).or(p.lead_guid)),
            users::status.eq(status),
            users::terminated.eq(terminated),
        ))
        .execute(conn)?;
    if let Some(department) = body.department.as_deref() {
        let department: Vec<String> = department.iter().map(|g| g.to_string()).collect();
        set_departments(conn, p.id, &department)?;
    }
    let row = with_domain().select(PlacedPerson::as_select()).filter(users::id.eq(p.id)).get_result(conn)?;
    full(conn, row).map(envelope)
}

/// Deletes a person. The product refuses one that is not disabled first;
/// hostadmin does not (a client that disables first works either way).
pub fn delete(conn: &mut Conn, principal: &Principal, path: PersonDeletePath) -> DbResult<PersonEnvelope> {
    principal.require_admin()?;
    let row = placed(conn, &path.userid)?;
    let id = row.person.id;
    let person = full(conn, row)?;
    // Group memberships go with the row; groups it managed lose their manager.
    diesel::delete(users::table.find(id)).execute(conn)?;
    Ok(envelope(person))
}
