//! The groups and people surface (ONLYOFFICE style), end to end over HTTP,
//! in JSON and in XML: every operation and every documented error, the
//! seed's example request included.

mod common;

use common::onlyoffice::{assert_xml_matches, authenticate, element_names, error_message, ids, json_and_xml_agree, Oo};
use common::READER;
use reqwest::Method;
use serde_json::{json, Value};

#[tokio::test]
async fn the_seed_update_request_works_in_json_and_xml() {
    let oo = Oo::start().await;
    let mike = oo.person("mike").await;
    let other = oo.person("olga").await;
    let group = oo.group("Before", Some(&other), &[&other]).await;
    let gid = group["Id"].as_str().unwrap().to_uppercase();

    // As the seed sends it: the GUID in quotes (%22), upper case, JSON both ways.
    let body = json!({"groupManager": mike.to_uppercase(), "groupName": "some text", "members": [mike.to_uppercase()]});
    let r = oo
        .request(Method::PUT, &format!("/api/2.0/group/%22{gid}%22"))
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let b: Value = r.json().await.unwrap();
    assert_eq!((b["status"].clone(), b["statusCode"].clone()), (json!(0), json!(200)));
    let g = &b["response"];
    assert_eq!(g["Name"], "some text");
    assert_eq!(g["Manager"]["Id"], mike.as_str());
    assert_eq!(ids(&g["Members"]), vec![mike.clone()], "members not listed are removed; the manager is a member");
    for field in ["Id", "Name", "Category", "Parent", "Description", "Manager", "Members"] {
        assert!(g.get(field).is_some(), "{field}");
    }
    for field in ["Id", "DisplayName", "Title", "AvatarSmall", "ProfileUrl"] {
        assert!(g["Manager"].get(field).is_some(), "Manager.{field}");
    }

    // The same request answered as XML, shaped as the seed shows.
    let r = oo
        .request(Method::PUT, &format!("/api/2.0/group/{gid}"))
        .header("Accept", "text/xml")
        .json(&json!({"members": [mike]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let text = r.text().await.unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "result");
    let response = root.children().find(|c| c.has_tag_name("response")).unwrap();
    let name = response.children().find(|c| c.has_tag_name("Name")).unwrap();
    assert_eq!(name.text(), Some("some text"), "a missing groupName keeps the name");
    let members = response.children().filter(|c| c.has_tag_name("Members")).count();
    assert_eq!(members, 1);
    json_and_xml_agree(&oo, &format!("/api/2.0/group/{gid}")).await;
}

#[tokio::test]
async fn authentication_and_tokens() {
    let oo = Oo::start().await;
    let list = |auth: Option<String>| {
        let mut rb = oo.t.http().get(format!("{}/api/2.0/group", oo.t.url));
        if let Some(a) = auth {
            rb = rb.header("Authorization", a);
        }
        rb.send()
    };
    assert_eq!(list(Some(oo.token.clone())).await.unwrap().status().as_u16(), 200, "raw");
    assert_eq!(list(Some(format!("Bearer {}", oo.token))).await.unwrap().status().as_u16(), 200, "Bearer");
    for bad in [None, Some("garbage".to_string()), Some(format!("Bearer {}x", oo.token))] {
        let r = list(bad.clone()).await.unwrap();
        assert_eq!(r.status().as_u16(), 401, "{bad:?}");
        let b: Value = r.json().await.unwrap();
        assert_eq!(error_message(&b, 401), "Unauthorized");
    }
    let r =
        oo.t.http()
            .post(format!("{}/api/2.0/authentication", oo.t.url))
            .json(&json!({"userName": "admin", "password": "wrong"}))
            .send()
            .await
            .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert_eq!(error_message(&r.json().await.unwrap(), 401), "Unauthorized");
    // Errors follow the format asked for.
    let r = oo.t.http().get(format!("{}/api/2.0/group.xml", oo.t.url)).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let text = r.text().await.unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    assert_xml_matches(
        doc.root_element(),
        &json!({"status": 1, "statusCode": 401, "error": {"message": "Unauthorized"}}),
        "401",
    );

    // A read-only account reads, and may not write.
    let reader = authenticate(&oo.t, READER.0, READER.1).await;
    let r =
        oo.t.http().get(format!("{}/api/2.0/people", oo.t.url)).header("Authorization", &reader).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let r =
        oo.t.http()
            .post(format!("{}/api/2.0/group", oo.t.url))
            .header("Authorization", &reader)
            .json(&json!({"groupName": "x", "members": []}))
            .send()
            .await
            .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(error_message(&r.json().await.unwrap(), 403), "Access denied");
}

#[tokio::test]
async fn groups_every_operation() {
    let oo = Oo::start().await;
    let [m, x, y, z] = [oo.person("m").await, oo.person("x").await, oo.person("y").await, oo.person("z").await];

    let g = oo.group("Team", Some(&m), &[&x]).await;
    let gid = g["Id"].as_str().unwrap().to_string();
    assert_eq!(
        ids(&g["Members"]),
        {
            let mut v = vec![m.clone(), x.clone()];
            v.sort();
            v
        },
        "the manager becomes a member"
    );
    assert_eq!(g["Category"], "00000000-0000-0000-0000-000000000000");
    let other = oo.group("Other", None, &[]).await;
    let oid = other["Id"].as_str().unwrap().to_string();
    assert!(other.get("Manager").is_none_or(Value::is_null));

    let list = json_and_xml_agree(&oo, "/api/2.0/group").await;
    assert_eq!(list["total"], 2);
    assert_eq!(list["response"][0]["Name"], "Other", "sorted by name");
    assert_eq!(list["response"][1]["Manager"]["Id"], m.as_str());
    let search = oo.call(Method::GET, "/api/2.0/group?filterValue=tea", None).await.1;
    assert_eq!((search["total"].clone(), search["response"][0]["Id"].clone()), (json!(1), json!(gid)));
    let xml_path: Value = {
        let r = oo.request(Method::GET, "/api/2.0/group.xml?sortOrder=descending").send().await.unwrap();
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/xml"));
        let text = r.text().await.unwrap();
        let doc = roxmltree::Document::parse(&text).unwrap();
        let first = doc.root_element().children().find(|c| c.has_tag_name("response")).unwrap();
        json!(first.children().find(|c| c.has_tag_name("Name")).unwrap().text())
    };
    assert_eq!(xml_path, json!("Team"), "a path ending in .xml answers XML");
    json_and_xml_agree(&oo, &format!("/api/2.0/group/{gid}")).await;
    let by_xml_suffix = oo.request(Method::GET, &format!("/api/2.0/group/{gid}.xml")).send().await.unwrap();
    assert!(by_xml_suffix.headers()["content-type"].to_str().unwrap().starts_with("text/xml"));

    // Members: add, remove (the manager stays), replace.
    let g = oo.ok(Method::PUT, &format!("/api/2.0/group/{gid}/members"), Some(json!({"members": [y, z]})), 200).await;
    assert_eq!(g["Members"].as_array().unwrap().len(), 4);
    let g =
        oo.ok(Method::DELETE, &format!("/api/2.0/group/{gid}/members"), Some(json!({"members": [x, m]})), 200).await;
    assert_eq!(ids(&g["Members"]), {
        let mut v = vec![m.clone(), y.clone(), z.clone()];
        v.sort();
        v
    });
    let g = oo.ok(Method::POST, &format!("/api/2.0/group/{gid}/members"), Some(json!({"members": [x]})), 200).await;
    assert_eq!(ids(&g["Members"]), {
        let mut v = vec![m.clone(), x.clone()];
        v.sort();
        v
    });

    // Manager.
    let g = oo.ok(Method::PUT, &format!("/api/2.0/group/{oid}/manager"), Some(json!({"userid": y})), 200).await;
    assert_eq!((g["Manager"]["Id"].clone(), ids(&g["Members"])), (json!(y), vec![y.clone()]));

    // Moving members into their own group moves nothing (the product
    // removes and re-adds each one).
    let same = oo.ok(Method::PUT, &format!("/api/2.0/group/{gid}/members/{gid}"), None, 200).await;
    assert_eq!(ids(&same["Members"]), {
        let mut v = vec![m.clone(), x.clone()];
        v.sort();
        v
    });

    // Move every member but the manager into the other group.
    let moved = oo.ok(Method::PUT, &format!("/api/2.0/group/{gid}/members/{oid}"), None, 200).await;
    assert_eq!(moved["Id"], oid.as_str());
    assert_eq!(ids(&moved["Members"]), {
        let mut v = vec![x.clone(), y.clone()];
        v.sort();
        v
    });
    let left = oo.ok(Method::GET, &format!("/api/2.0/group/{gid}"), None, 200).await;
    assert_eq!(ids(&left["Members"]), vec![m.clone()]);

    // Update: a missing name stays; members are required (not the product's 500).
    let g = oo.ok(Method::PUT, &format!("/api/2.0/group/{gid}"), Some(json!({"members": [z]})), 200).await;
    assert_eq!((g["Name"].as_str(), ids(&g["Members"]).len()), (Some("Team"), 2), "z, and the manager m");
    let (status, e) = oo.call(Method::PUT, &format!("/api/2.0/group/{gid}"), Some(json!({"groupName": "x"}))).await;
    assert_eq!((status, error_message(&e, 400)), (400, "members: is required".to_string()));

    // Errors: unknown member, malformed GUID, unknown group.
    let nobody = "11111111-2222-4333-8444-555555555555";
    let (status, e) =
        oo.call(Method::PUT, &format!("/api/2.0/group/{gid}/members"), Some(json!({"members": [x, nobody]}))).await;
    assert_eq!(status, 400);
    assert_eq!(error_message(&e, 400), format!("members.1: {nobody} is not a known user"));
    let (status, e) =
        oo.call(Method::PUT, &format!("/api/2.0/group/{gid}/manager"), Some(json!({"userid": nobody}))).await;
    assert_eq!((status, error_message(&e, 400).starts_with("userid")), (400, true));
    let (status, e) =
        oo.call(Method::POST, "/api/2.0/group", Some(json!({"groupName": "G", "members": ["zzz"]}))).await;
    assert_eq!((status, error_message(&e, 400).starts_with("members.0")), (400, true));
    for (method, path, body) in [
        (Method::GET, format!("/api/2.0/group/{nobody}"), None),
        (Method::PUT, format!("/api/2.0/group/{nobody}"), Some(json!({"members": []}))),
        (Method::DELETE, format!("/api/2.0/group/{nobody}"), None),
        (Method::PUT, format!("/api/2.0/group/{nobody}/members/{gid}"), None),
    ] {
        let (status, e) = oo.call(method, &path, body).await;
        assert_eq!((status, error_message(&e, 404)), (404, format!("Group {nobody} not found")), "{path}");
    }
    let (status, _) = oo.call(Method::GET, "/api/2.0/group/123", None).await;
    assert_eq!(status, 400);
    let (status, _) = oo.call(Method::GET, &format!("/api/2.0/group/{gid}?count=0"), None).await;
    assert_eq!(status, 200, "unknown query parameters are ignored");
    let (status, _) = oo.call(Method::GET, "/api/2.0/group?count=0&sortOrder=up", None).await;
    assert_eq!(status, 400);

    // A deleted person leaves its groups and stops managing them.
    oo.ok(Method::DELETE, &format!("/api/2.0/people/{m}"), None, 200).await;
    let g = oo.ok(Method::GET, &format!("/api/2.0/group/{gid}"), None, 200).await;
    assert!(g.get("Manager").is_none_or(Value::is_null));
    assert_eq!(ids(&g["Members"]), vec![z.clone()]);

    // Delete answers the group without members.
    let gone = oo.ok(Method::DELETE, &format!("/api/2.0/group/{gid}"), None, 200).await;
    assert_eq!((gone["Name"].as_str(), gone["Members"].clone()), (Some("Team"), json!([])));
    let (status, _) = oo.call(Method::GET, &format!("/api/2.0/group/{gid}"), None).await;
    assert_eq!(status, 404);
}

/// What an order-sensitive reader (.NET's DataContractSerializer) needs:
/// elements in the product's member order, not alphabetical, and a required
/// array that is empty still present.
#[tokio::test]
async fn xml_elements_come_in_the_products_order() {
    let oo = Oo::start().await;
    let mike = oo.person("mike").await;
    let empty = oo.group("Empty", None, &[]).await;
    let eid = empty["Id"].as_str().unwrap().to_string();
    oo.group("Full", Some(&mike), &[&mike]).await;

    let xml = |path: String| {
        let request = oo.request(Method::GET, &path).header("Accept", "text/xml");
        async move { request.send().await.unwrap().text().await.unwrap() }
    };
    let text = xml(format!("/api/2.0/group/{eid}")).await;
    let doc = roxmltree::Document::parse(&text).unwrap();
    assert_eq!(element_names(doc.root_element()), ["status", "statusCode", "response"], "{text}");
    let response = doc.root_element().children().find(|c| c.has_tag_name("response")).unwrap();
    assert_eq!(element_names(response), ["Id", "Name", "Category", "Parent", "Description", "Members"], "{text}");
    assert!(text.contains("<Members />"), "no members is one empty element: {text}");

    let text = xml("/api/2.0/group?sortBy=Name".into()).await;
    let doc = roxmltree::Document::parse(&text).unwrap();
    assert_eq!(
        element_names(doc.root_element()),
        ["count", "startIndex", "total", "status", "statusCode", "response", "response"],
        "{text}"
    );
    let full = doc.root_element().children().filter(|c| c.has_tag_name("response")).nth(1).unwrap();
    assert_eq!(element_names(full), ["Id", "Name", "Manager"], "{text}");
    let manager = full.children().find(|c| c.has_tag_name("Manager")).unwrap();
    assert_eq!(element_names(manager), ["Id", "DisplayName", "Title", "AvatarSmall", "ProfileUrl"], "{text}");

    // An empty page: one empty `response`.
    let text = xml("/api/2.0/group?filterValue=nothing-matches".into()).await;
    let doc = roxmltree::Document::parse(&text).unwrap();
    assert_eq!(element_names(doc.root_element()), ["count", "startIndex", "total", "status", "statusCode", "response"]);
    assert!(text.contains("<response />"), "{text}");

    // Errors too: status, statusCode, error.
    let text = xml("/api/2.0/group/00000000-0000-0000-0000-00000000abcd".into()).await;
    let doc = roxmltree::Document::parse(&text).unwrap();
    assert_eq!(element_names(doc.root_element()), ["status", "statusCode", "error"], "{text}");
}

/// Characters XML 1.0 cannot carry are dropped from XML (they would make the
/// whole document unreadable for every XML client); JSON keeps the value as
/// stored.
#[tokio::test]
async fn values_xml_cannot_carry_are_dropped_from_xml_only() {
    let oo = Oo::start().await;
    let odd = "A\u{FFFE}B\u{FFFF}C\u{1}D\tE";
    let group = oo.group(odd, None, &[]).await;
    assert_eq!(group["Name"], odd, "JSON answers the stored value");
    let gid = group["Id"].as_str().unwrap().to_string();
    oo.group("Plain", None, &[]).await;

    let r = oo.request(Method::GET, "/api/2.0/group").header("Accept", "text/xml").send().await.unwrap();
    let text = r.text().await.unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("not XML ({e}): {text:?}"));
    let names: Vec<&str> = doc
        .root_element()
        .children()
        .filter(|c| c.has_tag_name("response"))
        .map(|g| g.children().find(|c| c.has_tag_name("Name")).unwrap().text().unwrap())
        .collect();
    assert_eq!(names, ["ABCD\tE", "Plain"], "the list is whole, the odd characters gone");
    let (status, json) = oo.call(Method::GET, &format!("/api/2.0/group/{gid}"), None).await;
    assert_eq!((status, json["response"]["Name"].clone()), (200, json!(odd)), "stored unchanged");
}
