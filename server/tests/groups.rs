//! The groups and people surface (ONLYOFFICE style), end to end over HTTP,
//! in JSON and in XML: every operation and every documented error, the
//! seed's example request included.

mod common;

use common::{TestServer, ADMIN, READER};
use reqwest::Method;
use serde_json::{json, Value};

struct Oo {
    t: TestServer,
    token: String,
    domain: String,
}

impl Oo {
    async fn start() -> Self {
        let t = TestServer::start().await;
        let token = authenticate(&t, ADMIN.0, ADMIN.1).await;
        let server = t.add_server("mail01").await;
        let api_token = t.account_token(ADMIN.0);
        let (status, body) = {
            let r = t
                .api(Method::POST, "/api/domains", &api_token)
                .json(&json!({"name": "example.com", "server_id": server}))
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        };
        assert_eq!(status, 201);
        let domain = body["resource_code"].as_str().unwrap().to_string();
        Oo { t, token, domain }
    }

    fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.t.http().request(method, format!("{}{path}", self.t.url)).header("Authorization", &self.token)
    }

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut rb = self.request(method, path);
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let r = rb.send().await.unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or_else(|_| panic!("{status}: {text}")))
    }

    async fn ok(&self, method: Method, path: &str, body: Option<Value>, status: u16) -> Value {
        let (got, b) = self.call(method, path, body).await;
        assert_eq!(got, status, "{path}: {b}");
        assert_eq!((b["status"].clone(), b["statusCode"].clone()), (json!(0), json!(status)), "the envelope");
        b["response"].clone()
    }

    async fn person(&self, name: &str) -> String {
        let p = self
            .ok(
                Method::POST,
                "/api/2.0/people",
                Some(json!({"userName": name, "displayName": name.to_uppercase(), "title": "Staff", "domainCode": self.domain})),
                201,
            )
            .await;
        p["Id"].as_str().unwrap().to_string()
    }

    async fn group(&self, name: &str, manager: Option<&str>, members: &[&str]) -> Value {
        let mut body = json!({"groupName": name, "members": members});
        if let Some(m) = manager {
            body["groupManager"] = json!(m);
        }
        self.ok(Method::POST, "/api/2.0/group", Some(body), 201).await
    }
}

async fn authenticate(t: &TestServer, user: &str, password: &str) -> String {
    let r = t
        .http()
        .post(format!("{}/api/2.0/authentication", t.url))
        .json(&json!({"userName": user, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let b: Value = r.json().await.unwrap();
    assert_eq!((b["status"].clone(), b["statusCode"].clone()), (json!(0), json!(200)));
    assert!(b["response"]["expires"].as_str().unwrap().ends_with('Z'));
    b["response"]["token"].as_str().unwrap().to_string()
}

fn ids(list: &Value) -> Vec<String> {
    let mut v: Vec<String> = list.as_array().unwrap().iter().map(|m| m["Id"].as_str().unwrap().to_string()).collect();
    v.sort();
    v
}

fn error_message(b: &Value, status: u16) -> String {
    assert_eq!((b["status"].clone(), b["statusCode"].clone()), (json!(1), json!(status)), "{b}");
    b["error"]["message"].as_str().unwrap().to_string()
}

/// Whether an XML element says what a JSON value says: each field an
/// element, an array its element repeated (an empty one, which only a
/// required array can be in JSON, as one empty element), nothing more,
/// nothing less.
fn assert_xml_matches(node: roxmltree::Node<'_, '_>, value: &Value, at: &str) {
    match value {
        Value::Object(map) => {
            let children: Vec<_> = node.children().filter(|c| c.is_element()).collect();
            let expected: usize = map.values().map(|v| if let Value::Array(a) = v { a.len().max(1) } else { 1 }).sum();
            assert_eq!(children.len(), expected, "{at}: element count");
            for (key, v) in map {
                let named: Vec<_> = children.iter().filter(|c| c.tag_name().name() == key).collect();
                match v {
                    Value::Array(items) if items.is_empty() => {
                        assert_eq!(named.len(), 1, "{at}.{key}: an empty required array is one element");
                        assert!(named[0].children().next().is_none(), "{at}.{key}: and it is empty");
                    }
                    Value::Array(items) => {
                        assert_eq!(named.len(), items.len(), "{at}.{key}");
                        for (i, (n, item)) in named.iter().zip(items).enumerate() {
                            assert_xml_matches(**n, item, &format!("{at}.{key}[{i}]"));
                        }
                    }
                    _ => {
                        assert_eq!(named.len(), 1, "{at}.{key}");
                        assert_xml_matches(*named[0], v, &format!("{at}.{key}"));
                    }
                }
            }
        }
        Value::String(s) => assert_eq!(node.text().unwrap_or(""), s, "{at}"),
        Value::Null => assert!(node.children().next().is_none(), "{at}"),
        other => assert_eq!(node.text().unwrap_or(""), other.to_string(), "{at}"),
    }
}

/// The same request as JSON and as XML (by `Accept`): the XML parses, its
/// root is `<result>`, and it says what the JSON says, field by field.
async fn json_and_xml_agree(oo: &Oo, path: &str) -> Value {
    let json: Value = oo.request(Method::GET, path).send().await.unwrap().json().await.unwrap();
    let r = oo.request(Method::GET, path).header("Accept", "text/xml").send().await.unwrap();
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/xml"));
    let text = r.text().await.unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{path}: not XML ({e}): {text}"));
    assert_eq!(doc.root_element().tag_name().name(), "result");
    assert_xml_matches(doc.root_element(), &json, path);
    json
}

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
async fn people_live_on_domains_and_count_on_servers() {
    let oo = Oo::start().await;
    let a = oo.person("anna").await;
    let b = oo.person("bert").await;
    let p = oo.ok(Method::GET, &format!("/api/2.0/people/{a}"), None, 200).await;
    assert_eq!(
        (p["UserName"].as_str(), p["DisplayName"].as_str(), p["Domain"].as_str()),
        (Some("anna"), Some("ANNA"), Some("example.com"))
    );
    assert_eq!(p["ProfileUrl"], format!("/Products/People/Profile.aspx?user={a}"));
    let admin = oo.t.session(ADMIN).await;
    assert_eq!(
        admin.server_list().level(2).send().await.unwrap().into_inner().data[0].users,
        Some(2),
        "people count on their server"
    );

    let list =
        json_and_xml_agree(&oo, "/api/2.0/people?count=1&startIndex=1&sortBy=UserName&sortOrder=ascending").await;
    assert_eq!(
        (list["count"].clone(), list["startIndex"].clone(), list["total"].clone()),
        (json!(1), json!(1), json!(2))
    );
    assert_eq!(list["response"][0]["Id"], b.as_str());
    let found = oo.call(Method::GET, "/api/2.0/people?filterValue=ANN", None).await.1;
    assert_eq!(found["total"], 1);
    let desc = oo.call(Method::GET, "/api/2.0/people?sortOrder=descending", None).await.1;
    assert_eq!(desc["response"][0]["Id"], b.as_str());

    let u = oo.ok(Method::PUT, &format!("/api/2.0/people/{a}"), Some(json!({"title": "Lead"})), 200).await;
    assert_eq!(
        (u["Title"].as_str(), u["DisplayName"].as_str()),
        (Some("Lead"), Some("ANNA")),
        "what is not sent stays"
    );

    let (status, e) = oo
        .call(
            Method::POST,
            "/api/2.0/people",
            Some(json!({"userName": "anna", "displayName": "A", "domainCode": "DD00000000"})),
        )
        .await;
    assert_eq!(status, 400);
    let message = error_message(&e, 400);
    assert!(message.contains("userName") && message.contains("domainCode"), "both at once: {message}");
    let (status, e) = oo.call(Method::GET, "/api/2.0/people/not-a-guid", None).await;
    assert_eq!(status, 400);
    assert!(error_message(&e, 400).starts_with("userid"));
    let missing = "00000000-0000-4000-8000-000000000000";
    let (status, e) = oo.call(Method::GET, &format!("/api/2.0/people/{missing}"), None).await;
    assert_eq!(status, 404);
    assert_eq!(error_message(&e, 404), format!("User {missing} not found"));

    let gone = oo.ok(Method::DELETE, &format!("/api/2.0/people/{a}"), None, 200).await;
    assert_eq!(gone["Id"], a.as_str());
    let (status, _) = oo.call(Method::GET, &format!("/api/2.0/people/{a}"), None).await;
    assert_eq!(status, 404);
    assert_eq!(admin.server_list().level(2).send().await.unwrap().into_inner().data[0].users, Some(1));
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

/// The names of an element's child elements, in document order.
fn element_names(node: roxmltree::Node<'_, '_>) -> Vec<String> {
    node.children().filter(|c| c.is_element()).map(|c| c.tag_name().name().to_string()).collect()
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
