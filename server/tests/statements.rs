//! What a list costs in statements: a page of managers, or of groups, takes
//! the same number of statements whatever its size (what each row shows of
//! other tables is loaded for the whole page at once, not row by row).

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::TestServer;
use diesel::connection::{Connection, InstrumentationEvent};
use diesel::prelude::*;
use hostadmin_server::accounts::Role;
use hostadmin_server::auth::{Admin, Principal};
use hostadmin_server::db::Conn;
use hostadmin_server::schema::{
    delivery_accounts, delivery_domains, domains, groups, manager_domains, managers, users,
};

/// `n` managers, each assigned two hosting domains, a Delivery domain and
/// two Delivery accounts on it, written straight into the database.
fn seed_managers(conn: &mut Conn, n: usize) {
    let server = hostadmin_server::servers::insert(conn, "statements.test", "statements.example").unwrap().id;
    for m in 0..n {
        let manager: i64 = diesel::insert_into(managers::table)
            .values((
                managers::code.eq(format!("MN{m:08}")),
                managers::email_address.eq(format!("m{m}@statements.test")),
                managers::firstname.eq("Jane"),
                managers::lastname.eq(format!("Doe {m}")),
                managers::password_hash.eq("not a hash"),
                managers::created_at.eq(0i64),
            ))
            .returning(managers::id)
            .get_result(conn)
            .unwrap();
        for d in 0..2 {
            let domain: i64 = diesel::insert_into(domains::table)
                .values((
                    domains::code.eq(format!("DD{m:06}{d:02}")),
                    domains::name.eq(format!("d{d}.m{m}.statements.test")),
                    domains::server_id.eq(server),
                ))
                .returning(domains::id)
                .get_result(conn)
                .unwrap();
            diesel::insert_into(manager_domains::table)
                .values((manager_domains::domain_id.eq(domain), manager_domains::manager_id.eq(manager)))
                .execute(conn)
                .unwrap();
        }
        let delivery_domain: i64 = diesel::insert_into(delivery_domains::table)
            .values((
                delivery_domains::code.eq(format!("DV{m:08}")),
                delivery_domains::name.eq(format!("dv.m{m}.statements.test")),
                delivery_domains::manager_id.eq(manager),
            ))
            .returning(delivery_domains::id)
            .get_result(conn)
            .unwrap();
        for a in 0..2 {
            diesel::insert_into(delivery_accounts::table)
                .values((
                    delivery_accounts::code.eq(format!("DA{m:06}{a:02}")),
                    delivery_accounts::username.eq(format!("user{a}")),
                    delivery_accounts::delivery_domain_id.eq(delivery_domain),
                    delivery_accounts::manager_id.eq(manager),
                ))
                .execute(conn)
                .unwrap();
        }
    }
}

/// The statements `conn` starts while `f` runs.
fn statements<T>(conn: &mut Conn, f: impl FnOnce(&mut Conn) -> T) -> (usize, T) {
    let started = Arc::new(AtomicUsize::new(0));
    let counter = started.clone();
    conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
        if matches!(event, InstrumentationEvent::StartQuery { .. }) {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    });
    let value = f(conn);
    conn.set_instrumentation(|_: InstrumentationEvent<'_>| {});
    (started.load(Ordering::Relaxed), value)
}

#[tokio::test]
async fn a_page_of_managers_costs_the_same_statements_at_any_size() {
    let t = TestServer::start().await;
    let mut conn = t.db();
    seed_managers(&mut conn, 20);
    let admin = Principal::Admin(Admin {
        account_id: 0,
        name: "admin".into(),
        role: Role::Admin,
        via: hostadmin_server::auth::Via::Session,
    });
    let mut counts = Vec::new();
    for per in [2, 20] {
        let query = hostadmin_api::ManagerListQuery {
            page: 1,
            per,
            query: None,
            sort: "asc".into(),
            status: None,
            sort_field: "manager_code".into(),
        };
        let (count, page) = statements(&mut conn, |c| hostadmin_server::managers::list(c, &admin, query).unwrap());
        assert_eq!(page.resources.len(), per as usize);
        let first = &page.resources[0];
        assert_eq!(first.domain_codes, ["DD00000000", "DD00000001"]);
        assert_eq!(first.delivery_domain_codes, ["DV00000000"]);
        assert_eq!(first.delivery_account_ids, ["DA00000000", "DA00000001"]);
        let last = page.resources.last().unwrap();
        let m = per - 1;
        assert_eq!(last.domain_codes, [format!("DD{m:06}00"), format!("DD{m:06}01")]);
        eprintln!("a page of {per} managers: {count} statements");
        counts.push(count);
    }
    assert_eq!(counts[0], counts[1], "statements per page must not grow with the page");
    // The count, the page, and one statement per kind of assignment.
    assert_eq!(counts[0], 5);
}

#[tokio::test]
async fn a_page_of_groups_costs_the_same_statements_at_any_size() {
    let t = TestServer::start().await;
    let server = t.add_server("groups.statements.test").await;
    t.place_domain(server, "groups.statements.test", 20);
    let mut conn = t.db();
    let people: Vec<i64> = users::table.select(users::id).order(users::id).load(&mut conn).unwrap();
    for (g, manager) in people.iter().enumerate() {
        diesel::insert_into(groups::table)
            .values((
                groups::guid.eq(format!("00000000-0000-4000-8000-{g:012}")),
                groups::name.eq(format!("group {g:02}")),
                groups::manager_id.eq(manager),
            ))
            .execute(&mut conn)
            .unwrap();
    }
    let admin = Principal::Admin(Admin {
        account_id: 0,
        name: "admin".into(),
        role: Role::Admin,
        via: hostadmin_server::auth::Via::Session,
    });
    let mut counts = Vec::new();
    for count in [2, 20] {
        let query = hostadmin_api::GroupListQuery {
            count,
            start_index: 0,
            sort_by: "Name".into(),
            sort_order: "ascending".into(),
            filter_value: None,
        };
        let (statements, page) = statements(&mut conn, |c| hostadmin_server::groups::list(c, &admin, query).unwrap());
        assert_eq!(page.response.len(), count as usize);
        assert!(page.response.iter().all(|g| g.manager.is_some()), "every group shows its manager");
        eprintln!("a page of {count} groups: {statements} statements");
        counts.push(statements);
    }
    // The count, and the page joined with the managers.
    assert_eq!(counts, [2, 2]);
}

/// A list's total is counted only when its page does not tell it: a page
/// that ends before its limit is the end of the list. A selective `match`
/// (one server of many) is then one statement instead of two that both
/// search the gram index; a full page, or an empty one past the end, still
/// counts. The totals are right in every case.
#[tokio::test]
async fn a_page_that_ends_the_list_is_not_counted_again() {
    let t = TestServer::start().await;
    let mut conn = t.db();
    for i in 0..12 {
        hostadmin_server::servers::insert(&mut conn, &format!("count-{i:02}.test"), &format!("x{i:02}.example"))
            .unwrap();
    }
    hostadmin_server::servers::insert(&mut conn, "other.test", "other.example").unwrap();
    let list = |conn: &mut Conn, query: &str| {
        let pairs: Vec<(String, String)> =
            query.split('&').filter_map(|kv| kv.split_once('=')).map(|(k, v)| (k.into(), v.into())).collect();
        let query: hostadmin_api::ServerListQuery = hostadmin_api::wire::parse_params(&pairs).unwrap();
        let (count, page) = statements(conn, |c| hostadmin_server::servers::select(c, &query).unwrap());
        (count, page.data.len(), page.count)
    };
    // (query, rows shown, total, whether the total took a statement of its own)
    let cases = [
        ("match=count-07", 1, 1, false),
        ("match=count&limit=5", 5, 12, true),
        ("match=count&limit=5&offset=10", 2, 12, false),
        ("match=count&limit=12", 12, 12, true),
        ("match=count&limit=5&offset=12", 0, 12, true),
        ("match=count&limit=5&offset=40", 0, 12, true),
        ("match=nothing-like-it", 0, 0, false),
        ("match=count&limit=0", 0, 12, true),
    ];
    let mut counts = Vec::new();
    for (query, shown, total, counted) in cases {
        let (count, rows, listed) = list(&mut conn, query);
        assert_eq!((rows, listed), (shown, total), "{query}");
        counts.push((count, counted));
    }
    // Each list is a transaction around its statements: what differs is
    // the count.
    let uncounted = counts.iter().find(|(_, counted)| !counted).unwrap().0;
    for ((count, counted), (query, ..)) in counts.iter().zip(cases) {
        assert_eq!(*count, uncounted + usize::from(*counted), "{query}");
    }
}
