//! Groups of people: rows, memberships, and the operations of the groups
//! surface. A group's manager is always one of its members.

use crate::db::Conn;
use diesel::prelude::*;
use serde_json::Value;

use crate::auth::Principal;
use crate::db::DbResult;
use crate::paging::{self, like_pattern, SortKey, Sorting, Total};
use crate::people::{self, normalize_guid, summary, UserRow};
use crate::schema::{group_members, groups, users};
use hostadmin_api::types::{
    Group, GroupCreate, GroupEnvelope, GroupListEnvelope, GroupManager, GroupMembers, GroupSummary, GroupUpdate,
};
use hostadmin_api::wire::{Problem, Violation};
use hostadmin_api::{
    GroupDeletePath, GroupGetPath, GroupListQuery, GroupManagerSetPath, GroupMembersAddPath, GroupMembersMovePath,
    GroupMembersRemovePath, GroupMembersReplacePath, GroupUpdatePath,
};

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = groups)]
pub struct GroupRow {
    pub id: i64,
    pub guid: String,
    pub name: String,
    pub category: String,
    pub parent: String,
    pub description: String,
    pub manager_id: Option<i64>,
}

/// A group with its manager, if it has one (through [`with_manager`]).
#[derive(Clone, Debug, Queryable, Selectable)]
pub struct ManagedGroup {
    #[diesel(embed)]
    pub group: GroupRow,
    #[diesel(embed)]
    pub manager: Option<UserRow>,
}

/// Groups, each with its manager if it has one.
#[diesel::dsl::auto_type(no_type_alias)]
fn with_manager() -> _ {
    groups::table.left_join(users::table)
}

/// An answer of the groups surface; the generated adapter sets `statusCode`.
fn envelope(response: Group) -> GroupEnvelope {
    GroupEnvelope { status: 0, status_code: 0, response }
}

fn find(conn: &mut Conn, guid: &str) -> DbResult<GroupRow> {
    let guid = normalize_guid(guid);
    groups::table
        .filter(groups::guid.eq(&guid))
        .select(GroupRow::as_select())
        .get_result(conn)
        .optional()?
        .ok_or_else(|| Problem::NotFound(format!("Group {guid}")).into())
}

fn manager_of(conn: &mut Conn, row: &GroupRow) -> QueryResult<Option<UserRow>> {
    match row.manager_id {
        Some(id) => users::table.find(id).select(UserRow::as_select()).get_result(conn).optional(),
        None => Ok(None),
    }
}

/// The group as the API shows it; `with_members: false` for a deleted group.
fn view(conn: &mut Conn, row: GroupRow, with_members: bool) -> DbResult<Group> {
    let manager = manager_of(conn, &row)?.as_ref().map(summary);
    let members = if with_members {
        group_members::table
            .inner_join(users::table)
            .filter(group_members::group_id.eq(row.id))
            .order((users::display_name.asc(), users::id.asc()))
            .select(UserRow::as_select())
            .load(conn)?
            .iter()
            .map(summary)
            .collect()
    } else {
        vec![]
    };
    Ok(Group {
        id: row.guid,
        name: row.name,
        category: row.category,
        parent: row.parent,
        description: row.description,
        manager,
        members,
    })
}

fn read(conn: &mut Conn, guid: &str) -> DbResult<Group> {
    let row = find(conn, guid)?;
    view(conn, row, true)
}

pub fn get(conn: &mut Conn, _principal: &Principal, path: GroupGetPath) -> DbResult<GroupEnvelope> {
    read(conn, &path.groupid).map(envelope)
}

/// A page of groups by name, each with its manager: two statements.
pub fn list(conn: &mut Conn, _principal: &Principal, q: GroupListQuery) -> DbResult<GroupListEnvelope> {
    let filtered = || {
        let mut query = with_manager().select(ManagedGroup::as_select()).into_boxed();
        if let Some(f) = &q.filter_value {
            query = query.filter(paging::matches(groups::name, like_pattern(f)));
        }
        query
    };
    let sorting = Sorting::new(vec![SortKey::new("Name", groups::name).then(groups::id)]);
    let asked = [(q.sort_by.as_str(), q.sort_order == "descending")];
    let page = paging::page(conn, filtered, &sorting, asked, q.start_index, q.count, Total::Counted)?;
    let response: Vec<GroupSummary> = page
        .rows
        .into_iter()
        .map(|row| GroupSummary {
            id: row.group.guid,
            name: row.group.name,
            manager: row.manager.as_ref().map(summary),
        })
        .collect();
    Ok(GroupListEnvelope {
        status: 0,
        status_code: 0,
        count: response.len() as i64,
        start_index: q.start_index,
        total: page.total,
        response,
    })
}

/// Checks beyond the schema: every GUID in `members`, `groupManager` or
/// `userid` names a person.
pub fn check_people(conn: &mut Conn, body: &Value) -> DbResult<Vec<Violation>> {
    let mut out = Vec::new();
    let mut check = |conn: &mut Conn, field: String, guid: &str| -> DbResult<()> {
        let exists: i64 = users::table.filter(users::guid.eq(normalize_guid(guid))).count().get_result(conn)?;
        if exists == 0 {
            out.push(Violation::new(field, format!("{guid} is not a known user")));
        }
        Ok(())
    };
    for field in ["groupManager", "userid"] {
        if let Some(guid) = body.get(field).and_then(Value::as_str) {
            check(conn, field.to_string(), guid)?;
        }
    }
    if let Some(members) = body.get("members").and_then(Value::as_array) {
        for (i, m) in members.iter().enumerate() {
            if let Some(guid) = m.as_str() {
                check(conn, format!("members.{i}"), guid)?;
            }
        }
    }
    Ok(out)
}

/// The ids of the people named by GUID; an unknown one is a field error.
fn user_ids(conn: &mut Conn, field: &str, guids: &[String]) -> DbResult<Vec<i64>> {
    let mut ids = Vec::with_capacity(guids.len());
    let mut wrong = Vec::new();
    for (i, guid) in guids.iter().enumerate() {
        match users::table
            .filter(users::guid.eq(normalize_guid(guid)))
            .select(users::id)
            .get_result::<i64>(conn)
            .optional()?
        {
            Some(id) => ids.push(id),
            None => wrong.push(Violation::new(format!("{field}.{i}"), format!("{guid} is not a known user"))),
        }
    }
    if wrong.is_empty() {
        Ok(ids)
    } else {
        Err(Problem::Invalid(wrong).into())
    }
}

fn insert_members(conn: &mut Conn, group_id: i64, ids: &[i64]) -> QueryResult<()> {
    for id in ids {
        let insert = diesel::insert_into(group_members::table)
            .values((group_members::group_id.eq(group_id), group_members::user_id.eq(id)))
            .on_conflict_do_nothing();
        crate::each_backend!(conn, |c| insert.execute(c))?;
    }
    Ok(())
}

/// Makes `manager` the group's manager, and a member.
fn store_manager(conn: &mut Conn, group_id: i64, manager: Option<i64>) -> QueryResult<()> {
    diesel::update(groups::table.find(group_id)).set(groups::manager_id.eq(manager)).execute(conn)?;
    if let Some(m) = manager {
        insert_members(conn, group_id, &[m])?;
    }
    Ok(())
}

fn manager_id(conn: &mut Conn, guid: Option<String>, field: &str) -> DbResult<Option<i64>> {
    match guid {
        Some(g) => Ok(Some(user_ids(conn, field, &[g])?[0])),
        None => Ok(None),
    }
}

pub fn create(conn: &mut Conn, principal: &Principal, body: GroupCreate) -> DbResult<GroupEnvelope> {
    principal.require_admin()?;
    let manager = manager_id(conn, body.group_manager.map(String::from), "groupManager")?;
    let members: Vec<String> = body.members.into_iter().map(String::from).collect();
    let members = user_ids(conn, "members", &members)?;
    let guid = people::new_guid()?;
    let id: i64 = diesel::insert_into(groups::table)
        .values((groups::guid.eq(&guid), groups::name.eq(body.group_name.to_string())))
        .returning(groups::id)
        .get_result(conn)?;
    insert_members(conn, id, &members)?;
    store_manager(conn, id, manager)?;
    read(conn, &guid).map(envelope)
}

/// The seed's update: a missing name stays; members not listed leave; the
/// manager (new, or the current one) is a member.
pub fn update(
    conn: &mut Conn,
    principal: &Principal,
    path: GroupUpdatePath,
    body: GroupUpdate,
) -> DbResult<GroupEnvelope> {
    principal.require_admin()?;
    let row = find(conn, &path.groupid)?;
    let new_manager = manager_id(conn, body.group_manager.map(String::from), "groupManager")?;
    let members: Vec<String> = body.members.into_iter().map(String::from).collect();
    let members = user_ids(conn, "members", &members)?;
    if let Some(name) = body.group_name.map(String::from) {
        diesel::update(groups::table.find(row.id)).set(groups::name.eq(name)).execute(conn)?;
    }
    diesel::delete(group_members::table.filter(group_members::group_id.eq(row.id))).execute(conn)?;
    insert_members(conn, row.id, &members)?;
    store_manager(conn, row.id, new_manager.or(row.manager_id))?;
    read(conn, &row.guid).map(envelope)
}

pub fn delete(conn: &mut Conn, principal: &Principal, path: GroupDeletePath) -> DbResult<GroupEnvelope> {
    principal.require_admin()?;
    let row = find(conn, &path.groupid)?;
    diesel::delete(groups::table.find(row.id)).execute(conn)?;
    view(conn, row, false).map(envelope)
}

/// How a members operation changes the group.
#[derive(Clone, Copy, Debug)]
enum MembersChange {
    Replace,
    Add,
    Remove,
}

pub fn replace_members(
    conn: &mut Conn,
    principal: &Principal,
    path: GroupMembersReplacePath,
    body: GroupMembers,
) -> DbResult<GroupEnvelope> {
    change_members(conn, principal, &path.groupid, MembersChange::Replace, body)
}

pub fn add_members(
    conn: &mut Conn,
    principal: &Principal,
    path: GroupMembersAddPath,
    body: GroupMembers,
) -> DbResult<GroupEnvelope> {
    change_members(conn, principal, &path.groupid, MembersChange::Add, body)
}

pub fn remove_members(
    conn: &mut Conn,
    principal: &Principal,
    path: GroupMembersRemovePath,
    body: GroupMembers,
) -> DbResult<GroupEnvelope> {
    change_members(conn, principal, &path.groupid, MembersChange::Remove, body)
}

fn change_members(
    conn: &mut Conn,
    principal: &Principal,
    guid: &str,
    change: MembersChange,
    body: GroupMembers,
) -> DbResult<GroupEnvelope> {
    principal.require_admin()?;
    let row = find(conn, guid)?;
    let members: Vec<String> = body.members.into_iter().map(String::from).collect();
    let ids = user_ids(conn, "members", &members)?;
    match change {
        MembersChange::Replace => {
            diesel::delete(group_members::table.filter(group_members::group_id.eq(row.id))).execute(conn)?;
            insert_members(conn, row.id, &ids)?;
        }
        MembersChange::Add => insert_members(conn, row.id, &ids)?,
        MembersChange::Remove => {
            diesel::delete(
                group_members::table
                    .filter(group_members::group_id.eq(row.id))
                    .filter(group_members::user_id.eq_any(&ids)),
            )
            .execute(conn)?;
        }
    }
    // The manager stays a member whatever the change.
    store_manager(conn, row.id, row.manager_id)?;
    read(conn, &row.guid).map(envelope)
}

/// Moves every member of `from` (but its manager) into `to`; answers `to`.
pub fn move_members(conn: &mut Conn, principal: &Principal, path: GroupMembersMovePath) -> DbResult<GroupEnvelope> {
    principal.require_admin()?;
    let from = find(conn, &path.groupid)?;
    let to = find(conn, &path.newgroupid)?;
    // Into itself: the product removes and re-adds each member; nothing moves.
    if from.id == to.id {
        return read(conn, &to.guid).map(envelope);
    }
    let moving: Vec<i64> = group_members::table
        .filter(group_members::group_id.eq(from.id))
        .select(group_members::user_id)
        .load::<i64>(conn)?
        .into_iter()
        .filter(|id| Some(*id) != from.manager_id)
        .collect();
    insert_members(conn, to.id, &moving)?;
    diesel::delete(
        group_members::table.filter(group_members::group_id.eq(from.id)).filter(group_members::user_id.eq_any(&moving)),
    )
    .execute(conn)?;
    read(conn, &to.guid).map(envelope)
}

pub fn set_manager(
    conn: &mut Conn,
    principal: &Principal,
    path: GroupManagerSetPath,
    body: GroupManager,
) -> DbResult<GroupEnvelope> {
    principal.require_admin()?;
    let row = find(conn, &path.groupid)?;
    let manager = manager_id(conn, Some(body.userid.to_string()), "userid")?;
    store_manager(conn, row.id, manager)?;
    read(conn, &row.guid).map(envelope)
}
