//! The system servers surface, end to end through the generated client.

mod common;

use common::{TestServer, ADMIN, READER};
use hostadmin_client::types::{ServerCreate, ServerListSortItem, ServerUpdate};

fn create_body(hostname: &str, extname: &str) -> ServerCreate {
    ServerCreate {
        hostname: hostname.try_into().unwrap(),
        extname: extname.try_into().unwrap(),
        id: None,
        users: None,
        domains: None,
    }
}

#[tokio::test]
async fn create_get_update_delete_round_trip() {
    let t = TestServer::start().await;
    let client = t.session(ADMIN).await;

    let created = client.server_create().body(create_body("mail01", "mail01.example.com")).send().await.unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let created = created.into_inner();
    assert_eq!(created.hostname, "mail01");
    assert_eq!(created.extname.as_deref(), Some("mail01.example.com"));
    assert_eq!((created.users, created.domains), (Some(0), Some(0)));

    let got = client.server_get().id(created.id).send().await.unwrap().into_inner();
    assert_eq!(got, created, "a single GET defaults to level 2");

    let patch = ServerUpdate { hostname: Some("mail01-new".try_into().unwrap()), ..Default::default() };
    let updated = client.server_update().id(created.id).body(patch).send().await.unwrap().into_inner();
    assert_eq!(updated.hostname, "mail01-new");
    assert_eq!(updated.extname.as_deref(), Some("mail01.example.com"), "PATCH keeps what it does not name");

    let again = client.server_get().id(created.id).send().await.unwrap().into_inner();
    assert_eq!(again, updated, "the update is stored");

    // Names sent as they are change nothing (only names that differ are
    // written); a new extname alone is stored and found by `match`, and
    // the hostname it kept is still found too.
    let same = ServerUpdate {
        hostname: Some("mail01-new".try_into().unwrap()),
        extname: Some("mail01.example.com".try_into().unwrap()),
        ..Default::default()
    };
    let unchanged = client.server_update().id(created.id).body(same).send().await.unwrap().into_inner();
    assert_eq!(unchanged, updated);
    let ext = ServerUpdate { extname: Some("relay01.example.com".try_into().unwrap()), ..Default::default() };
    let updated = client.server_update().id(created.id).body(ext).send().await.unwrap().into_inner();
    assert_eq!((updated.hostname.as_str(), updated.extname.as_deref()), ("mail01-new", Some("relay01.example.com")));
    for (needle, found) in [("relay01", 1), ("mail01.example", 0), ("mail01-n", 1)] {
        let page = client.server_list().match_(needle).send().await.unwrap().into_inner();
        assert_eq!(page.data.len(), found, "match={needle}");
    }

    let deleted = client.server_delete().id(created.id).send().await.unwrap().into_inner();
    assert!(deleted.message.contains("deleted"));
    let gone = client.server_get().id(created.id).send().await.unwrap_err();
    assert_eq!(gone.status().map(|s| s.as_u16()), Some(404));
}

#[tokio::test]
async fn levels_pick_the_detail() {
    let t = TestServer::start().await;
    let client = t.session(ADMIN).await;
    let s = client.server_create().body(create_body("a", "a.example")).send().await.unwrap().into_inner();

    let l0 = client.server_get().id(s.id).level(0).send().await.unwrap().into_inner();
    assert_eq!((l0.extname, l0.users, l0.domains), (None, None, None));
    let l1 = client.server_get().id(s.id).level(1).send().await.unwrap().into_inner();
    assert_eq!((l1.extname.as_deref(), l1.users), (Some("a.example"), None));

    let list = client.server_list().send().await.unwrap().into_inner();
    assert_eq!(list.data[0].extname.as_deref(), Some("a.example"), "lists default to level 1");
    assert_eq!(list.data[0].users, None);
    let list2 = client.server_list().level(2).send().await.unwrap().into_inner();
    assert_eq!(list2.data[0].users, Some(0));
}

#[tokio::test]
async fn list_pages_filters_matches_and_sorts() {
    let t = TestServer::start().await;
    let client = t.session(ADMIN).await;
    for (h, e) in [
        ("delta", "d.example.org"),
        ("alpha", "a.example.com"),
        ("charlie", "c.example.com"),
        ("bravo", "b.example.org"),
    ] {
        client.server_create().body(create_body(h, e)).send().await.unwrap();
    }

    let sorted = client
        .server_list()
        .sort(vec![ServerListSortItem::try_from("hostname").unwrap()])
        .send()
        .await
        .unwrap()
        .into_inner();
    let names: Vec<_> = sorted.data.iter().map(|s| s.hostname.as_str()).collect();
    assert_eq!(names, ["alpha", "bravo", "charlie", "delta"]);
    assert_eq!(sorted.count, 4);

    let desc = client
        .server_list()
        .sort(vec![ServerListSortItem::try_from("hostname,desc").unwrap()])
        .limit(2)
        .offset(1)
        .send()
        .await
        .unwrap()
        .into_inner();
    let names: Vec<_> = desc.data.iter().map(|s| s.hostname.as_str()).collect();
    assert_eq!(names, ["charlie", "bravo"], "a page of the descending order");
    assert_eq!(desc.count, 4, "count is over all pages");

    let matched = client.server_list().match_("EXAMPLE.ORG").send().await.unwrap().into_inner();
    let mut names: Vec<_> = matched.data.iter().map(|s| s.hostname.clone()).collect();
    names.sort();
    assert_eq!(names, ["bravo", "delta"], "match is a case-insensitive substring search");
    assert_eq!(matched.count, 2);

    let only_hostnames = client
        .server_list()
        .match_("example")
        .match_fields(vec!["hostname".try_into().unwrap()])
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(only_hostnames.count, 0, "matchFields narrows the search");

    let wildcard = client.server_list().match_("%").send().await.unwrap().into_inner();
    assert_eq!(wildcard.count, 0, "LIKE wildcards in `match` are literal");

    let filtered = client.server_list().hostname("charlie").send().await.unwrap().into_inner();
    assert_eq!(filtered.count, 1);
    assert_eq!(filtered.data[0].extname.as_deref(), Some("c.example.com"));
}

#[tokio::test]
async fn counts_are_real_and_guard_deletion() {
    let t = TestServer::start().await;
    let client = t.session(ADMIN).await;
    let busy = client.server_create().body(create_body("busy", "busy.example")).send().await.unwrap().into_inner();
    let idle = client.server_create().body(create_body("idle", "idle.example")).send().await.unwrap().into_inner();
    t.place_domain(busy.id, "one.example", 3);
    t.place_domain(busy.id, "two.example", 2);

    let got = client.server_get().id(busy.id).send().await.unwrap().into_inner();
    assert_eq!((got.users, got.domains), (Some(5), Some(2)));

    let by_users = client
        .server_list()
        .level(2)
        .sort(vec![ServerListSortItem::try_from("users,desc").unwrap()])
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(by_users.data[0].id, busy.id);
    assert_eq!(by_users.data[1].users, Some(0));

    let refused = client.server_delete().id(busy.id).send().await.unwrap_err();
    assert_eq!(refused.status().map(|s| s.as_u16()), Some(400));
    assert!(client.server_get().id(busy.id).send().await.is_ok(), "the refused delete changed nothing");
    client.server_delete().id(idle.id).send().await.unwrap();
}

#[tokio::test]
async fn read_only_admins_read_but_do_not_write() {
    let t = TestServer::start().await;
    let admin = t.session(ADMIN).await;
    let s = admin.server_create().body(create_body("x", "x.example")).send().await.unwrap().into_inner();
    let reader = t.session(READER).await;
    assert_eq!(reader.server_get().id(s.id).send().await.unwrap().into_inner().hostname, "x");
    assert_eq!(reader.server_list().send().await.unwrap().into_inner().count, 1);
}

#[tokio::test]
async fn echoing_read_only_fields_with_their_values_is_accepted() {
    let t = TestServer::start().await;
    let client = t.session(ADMIN).await;
    let s = client.server_create().body(create_body("echo", "echo.example")).send().await.unwrap().into_inner();
    let whole = ServerUpdate {
        id: Some(s.id),
        users: Some(0),
        domains: Some(0),
        hostname: Some("echo2".try_into().unwrap()),
        extname: None,
    };
    let updated = client.server_update().id(s.id).body(whole).send().await.unwrap().into_inner();
    assert_eq!(updated.hostname, "echo2");
}

#[tokio::test]
async fn the_served_document_is_the_spec() {
    let t = TestServer::start().await;
    let served = t.client().openapi_document().send().await.unwrap().into_inner();
    let spec: serde_json::Value = serde_yaml::from_str(include_str!("../../spec/openapi.yaml")).unwrap();
    assert_eq!(serde_json::to_value(served).unwrap(), spec);
}
