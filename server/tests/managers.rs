//! The managers surface (Qboxmail style), end to end over HTTP: every
//! operation and every documented error, the seed's request included.

mod common;

use common::{status_json, TestServer, ADMIN, READER};
use reqwest::Method;
use serde_json::{json, Value};

struct Api {
    t: TestServer,
    admin: String,
}

impl Api {
    async fn start() -> Self {
        let t = TestServer::start().await;
        let admin = t.account_token(ADMIN.0);
        Api { t, admin }
    }

    async fn call(&self, method: Method, path: &str, token: &str, body: Option<Value>) -> (u16, Value) {
        let mut rb = self.t.api(method, path, token);
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        common::status_json_or_empty(rb.send().await.unwrap()).await
    }

    async fn create(&self, path: &str, body: Value) -> String {
        let (status, b) = self.call(Method::POST, path, &self.admin, Some(body)).await;
        assert_eq!(status, 201, "{b}");
        b["resource_code"].as_str().unwrap().to_string()
    }

    async fn manager(&self, email: &str, extra: Value) -> String {
        let mut body = json!({
            "email_address": email, "firstname": "Jane", "lastname": "Doe",
            "password": "secret123", "password_confirmation": "secret123"
        });
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        self.create("/api/managers", body).await
    }

    async fn get(&self, path: &str) -> Value {
        let (status, b) = self.call(Method::GET, path, &self.admin, None).await;
        assert_eq!(status, 200, "{path}: {b}");
        b
    }
}

fn fields(body: &Value) -> Vec<String> {
    body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_string()).collect()
}

fn assert_code(code: &str, prefix: &str) {
    assert!(code.len() == 10 && code.starts_with(prefix) && code[2..].bytes().all(|b| b.is_ascii_digit()), "{code}");
}

#[tokio::test]
async fn the_seed_update_request_works_as_documented() {
    let api = Api::start().await;
    let server = api.t.add_server("mail01").await;
    let d1 = api.create("/api/domains", json!({"name": "one.example", "server_id": server})).await;
    let code = api.manager("jane@example.com", json!({})).await;

    // The seed's curl: PUT with `{}`, Accept and Content-Type JSON.
    let response = api
        .t
        .api(Method::PUT, &format!("/api/managers/{code}"), &api.admin)
        .header("Accept", "application/json")
        .header("Content-Type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 204, "an empty success");
    assert_eq!(response.text().await.unwrap(), "");

    // The seed's full body.
    let full = json!({
        "max_domains": 5, "max_delivery_domains": 2, "max_delivery_accounts": 3, "max_email_accounts": 100,
        "max_email_accounts_archive": 10, "max_email_accounts_25gb": 4, "max_email_accounts_50gb": 2,
        "max_email_accounts_100gb": 1, "max_email_quota": 107374182400_i64,
        "password": "newpass42", "password_confirmation": "newpass42",
        "domain_codes": [d1], "delivery_account_ids": []
    });
    let (status, b) = api.call(Method::PUT, &format!("/api/managers/{code}"), &api.admin, Some(full.clone())).await;
    assert_eq!(status, 204, "{b}");
    let m = api.get(&format!("/api/managers/{code}")).await;
    for key in ["max_domains", "max_delivery_domains", "max_delivery_accounts", "max_email_accounts", "max_email_quota"]
    {
        assert_eq!(m[key], full[key], "{key}");
    }
    assert_eq!(m["domain_codes"], json!([d1]));
    assert!(m.get("password").is_none() && !m.to_string().contains("newpass42"), "passwords are never returned");

    // Partial: only what is sent changes; an empty array removes all.
    let (status, _) =
        api.call(Method::PUT, &format!("/api/managers/{code}"), &api.admin, Some(json!({"domain_codes": []}))).await;
    assert_eq!(status, 204);
    let m = api.get(&format!("/api/managers/{code}")).await;
    assert_eq!((m["domain_codes"].clone(), m["max_domains"].clone()), (json!([]), json!(5)));
}

#[tokio::test]
async fn create_get_list_and_delete_managers() {
    let api = Api::start().await;
    let a = api.manager("alice@example.com", json!({"firstname": "Alice", "company": "Acme"})).await;
    let b = api.manager("bob@example.com", json!({"firstname": "Bob", "max_email_quota": 53687091200_i64})).await;
    assert_code(&a, "MN");
    assert_ne!(a, b);

    let m = api.get(&format!("/api/managers/{a}")).await;
    assert_eq!(
        (m["firstname"].as_str(), m["company"].as_str(), m["status"].as_str()),
        (Some("Alice"), Some("Acme"), Some("Active"))
    );
    assert_eq!(m["max_domains"], -1, "limits default to -1");

    let list = api.get("/api/managers?per=1&page=2&sort_field=firstname&sort=asc").await;
    assert_eq!(list["resources"].as_array().unwrap().len(), 1);
    assert_eq!(list["resources"][0]["firstname"], "Bob");
    let p = &list["pagination"];
    assert_eq!(
        (p["per"].clone(), p["page"].clone(), p["total_pages"].clone(), p["total_records"].clone()),
        (json!(1), json!(2), json!(2), json!(2))
    );
    assert_eq!(
        (p["sort_field"].as_str(), p["sort"].as_str(), p["query"].as_str()),
        (Some("firstname"), Some("asc"), Some(""))
    );

    let found = api.get("/api/managers?query=ACME").await;
    assert_eq!(found["pagination"]["total_records"], 1);
    assert_eq!(found["pagination"]["query"], "ACME");
    let desc = api.get("/api/managers?sort_field=email_address&sort=desc").await;
    assert_eq!(desc["resources"][0]["email_address"], "bob@example.com");

    // Through the generated client too.
    let client = hostadmin_client::token_client(&api.t.url, &api.admin).unwrap();
    let page = client
        .manager_list()
        .status(hostadmin_client::types::ManagerListStatus::Active)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(page.pagination.total_records, 2);

    let (status, body) = api.call(Method::DELETE, &format!("/api/managers/{a}"), &api.admin, None).await;
    assert_eq!((status, body), (204, Value::Null));
    let (status, body) = api.call(Method::GET, &format!("/api/managers/{a}"), &api.admin, None).await;
    assert_eq!((status, body), (404, json!({"message": "Not found", "errors": []})));
    let (status, _) = api.call(Method::DELETE, &format!("/api/managers/{a}"), &api.admin, None).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn validation_reports_every_failing_field_at_once() {
    let api = Api::start().await;
    let taken = api.manager("taken@example.com", json!({})).await;
    let body = json!({
        "email_address": "taken@example.com", "firstname": "", "lastname": "Doe",
        "password": "short", "password_confirmation": "different",
        "max_domains": -2, "max_email_accounts": "ten", "max_email_quota": 2147483647,
        "domain_codes": ["DD00000001", "XX"], "delivery_account_ids": ["DA00000001"],
        "color": "red"
    });
    let (status, b) = api.call(Method::POST, "/api/managers", &api.admin, Some(body)).await;
    assert_eq!(status, 422);
    assert_eq!(b["message"], "Validation failed");
    let mut got = fields(&b);
    got.sort();
    let mut want = vec![
        "color",
        "delivery_account_ids.0",
        "domain_codes.0",
        "domain_codes.1",
        "email_address",
        "firstname",
        "max_domains",
        "max_email_accounts",
        "max_email_quota",
        "password",
        "password_confirmation",
    ];
    want.sort();
    // `password` fails twice (length and pattern): each is listed.
    got.dedup();
    assert_eq!(got, want, "{b}");
    for e in b["errors"].as_array().unwrap() {
        assert!(!e["description"].as_str().unwrap().is_empty());
    }

    // A password needs a letter and a digit.
    for bad in ["abcdefgh", "12345678"] {
        let (status, b) = api
            .call(
                Method::PUT,
                &format!("/api/managers/{taken}"),
                &api.admin,
                Some(json!({"password": bad, "password_confirmation": bad})),
            )
            .await;
        assert_eq!((status, fields(&b)), (422, vec!["password".to_string()]), "{bad}: {b}");
    }
    // The largest quota values exceed int32 and are accepted.
    let (status, _) = api
        .call(
            Method::PUT,
            &format!("/api/managers/{taken}"),
            &api.admin,
            Some(json!({"max_email_quota": 107374182400_i64})),
        )
        .await;
    assert_eq!(status, 204);

    // Path codes have a pattern.
    let (status, b) = api.call(Method::GET, "/api/managers/MN123", &api.admin, None).await;
    assert_eq!((status, fields(&b)), (422, vec!["manager_code".to_string()]));
    // Query parameters too.
    let (status, b) = api.call(Method::GET, "/api/managers?per=0&sort=up&status=Gone", &api.admin, None).await;
    assert_eq!(status, 422);
    let mut got = fields(&b);
    got.sort();
    assert_eq!(got, ["per", "sort", "status"]);
    let (status, b) = api.call(Method::POST, "/api/managers", &api.admin, None).await;
    assert_eq!(status, 422, "no body: {b}");

    // Only a check the schema cannot express fails: still a 422, and nothing is stored.
    let (status, b) = api
        .call(Method::POST, "/api/managers", &api.admin, Some(json!({"email_address": "new@example.com", "firstname": "N", "lastname": "N", "password": "secret123", "password_confirmation": "secret124"})))
        .await;
    assert_eq!((status, fields(&b)), (422, vec!["password_confirmation".to_string()]));

    assert_eq!(api.get("/api/managers").await["pagination"]["total_records"], 1, "nothing was created");
}

#[tokio::test]
async fn tokens_authenticate_and_scope() {
    let api = Api::start().await;
    let mine = api.manager("mine@example.com", json!({})).await;
    let other = api.manager("other@example.com", json!({})).await;

    let unauthorized = json!({"message": "Unauthorized", "errors": []});
    let forbidden = json!({"message": "Forbidden", "errors": []});
    let (status, b) = status_json(api.t.http().get(format!("{}/api/managers", api.t.url)).send().await.unwrap()).await;
    assert_eq!((status, b), (401, unauthorized.clone()));
    for bad in ["nonsense", "hat_1_wrongsecret", "hat_999_x"] {
        let (status, b) = api.call(Method::GET, "/api/managers", bad, None).await;
        assert_eq!((status, b), (401, unauthorized.clone()), "{bad}");
    }
    // A session cookie of the system surface is no API token.
    let session = api.t.login(ADMIN).await;
    let cookie = api
        .t
        .http()
        .get(format!("{}/api/managers", api.t.url))
        .header("Cookie", format!("grommunioAuthJwt={}", session.grommunio_auth_jwt))
        .send()
        .await
        .unwrap();
    assert_eq!(cookie.status().as_u16(), 401);

    // A manager's own token sees only that manager.
    let token = api.t.manager_token(&mine);
    let (status, list) = api.call(Method::GET, "/api/managers", &token, None).await;
    assert_eq!(status, 200);
    assert_eq!(list["pagination"]["total_records"], 1);
    assert_eq!(list["resources"][0]["manager_code"], mine.as_str());
    // Another manager is answered exactly like one that does not exist.
    let (status, b) = api.call(Method::GET, &format!("/api/managers/{other}"), &token, None).await;
    let missing = api.call(Method::GET, "/api/managers/MN00000000", &token, None).await;
    assert_eq!((status, b.clone()), (404, missing.1.clone()));
    assert_eq!(missing.0, 404);
    let (status, b) = api.call(Method::PUT, &format!("/api/managers/{other}"), &token, Some(json!({}))).await;
    assert_eq!((status, b), (404, missing.1.clone()));
    // It may change its own password, not its own limits, and create nothing.
    let pw = json!({"password": "mynew123", "password_confirmation": "mynew123"});
    let (status, _) = api.call(Method::PUT, &format!("/api/managers/{mine}"), &token, Some(pw)).await;
    assert_eq!(status, 204);
    let (status, b) =
        api.call(Method::PUT, &format!("/api/managers/{mine}"), &token, Some(json!({"max_domains": 99}))).await;
    assert_eq!((status, b), (403, forbidden.clone()));
    for (method, path) in
        [(Method::DELETE, format!("/api/managers/{mine}")), (Method::PUT, format!("/api/managers/{mine}/deactivate"))]
    {
        let (status, _) = api.call(method, &path, &token, None).await;
        assert_eq!(status, 403, "{path}");
    }
    let (status, _) = api
        .call(Method::POST, "/api/managers", &token, Some(json!({"email_address": "x@example.com", "firstname": "X", "lastname": "Y", "password": "secret123", "password_confirmation": "secret123"})))
        .await;
    assert_eq!(status, 403);

    // Nothing of another tenant leaks through a body check: a manager's
    // token naming another's e-mail or a missing domain learns only that it
    // may not (before, a 422 said "has already been taken"/"does not exist").
    let creates = [
        (
            "/api/managers",
            json!({"email_address": "other@example.com", "firstname": "X", "lastname": "Y", "password": "secret123", "password_confirmation": "secret123", "domain_codes": ["DD00000000"]}),
        ),
        ("/api/domains", json!({"name": "taken.example", "server_id": 1})),
    ];
    for (path, body) in creates {
        let (status, b) = api.call(Method::POST, path, &token, Some(body)).await;
        assert_eq!((status, b), (403, forbidden.clone()), "{path}");
    }
    let (status, b) = api
        .call(Method::PUT, &format!("/api/managers/{other}"), &token, Some(json!({"domain_codes": ["DD00000000"]})))
        .await;
    assert_eq!((status, b), (404, missing.1.clone()), "another manager, with a body a check would have refused");
    // A check that reads nothing still answers: its own password confirmation.
    let mismatch = json!({"password": "mynew123", "password_confirmation": "other123"});
    let (status, b) = api.call(Method::PUT, &format!("/api/managers/{mine}"), &token, Some(mismatch)).await;
    assert_eq!((status, fields(&b)), (422, vec!["password_confirmation".to_string()]));

    // A read-only administrator's token reads but does not write.
    let reader = api.t.account_token(READER.0);
    let (status, _) = api.call(Method::GET, &format!("/api/managers/{other}"), &reader, None).await;
    assert_eq!(status, 200);
    let (status, _) = api.call(Method::DELETE, &format!("/api/managers/{other}"), &reader, None).await;
    assert_eq!(status, 403);
    let body = json!({"email_address": "other@example.com", "firstname": "X", "lastname": "Y", "password": "secret123", "password_confirmation": "secret123"});
    let (status, b) = api.call(Method::POST, "/api/managers", &reader, Some(body)).await;
    assert_eq!((status, b), (403, forbidden.clone()), "refused before any check reads data");

    // Deactivating a manager stops its token; activating restores it.
    let (status, _) = api.call(Method::PUT, &format!("/api/managers/{mine}/deactivate"), &api.admin, None).await;
    assert_eq!(status, 204);
    assert_eq!(api.get(&format!("/api/managers/{mine}")).await["status"], "Inactive");
    let (status, _) = api.call(Method::GET, "/api/managers", &token, None).await;
    assert_eq!(status, 401);
    let inactive = api.get("/api/managers?status=Inactive").await;
    assert_eq!(inactive["pagination"]["total_records"], 1);
    let (status, _) = api.call(Method::PUT, &format!("/api/managers/{mine}/activate"), &api.admin, None).await;
    assert_eq!(status, 204);
    let (status, _) = api.call(Method::GET, "/api/managers", &token, None).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn hosting_domains_live_on_servers_and_follow_their_managers() {
    let api = Api::start().await;
    let server = api.t.add_server("mail01").await;
    let d1 = api.create("/api/domains", json!({"name": "one.example", "server_id": server})).await;
    let d2 = api.create("/api/domains", json!({"name": "two.example", "server_id": server})).await;
    assert_code(&d1, "DD");

    let admin = api.t.session(ADMIN).await;
    assert_eq!(
        admin.server_get().id(server).send().await.unwrap().into_inner().domains,
        Some(2),
        "the server counts them"
    );

    let (status, b) = api
        .call(Method::POST, "/api/domains", &api.admin, Some(json!({"name": "one.example", "server_id": 4242})))
        .await;
    assert_eq!(status, 422);
    let mut got = fields(&b);
    got.sort();
    assert_eq!(got, ["name", "server_id"], "a taken name and a missing server, at once");
    let (status, b) = api
        .call(Method::POST, "/api/domains", &api.admin, Some(json!({"name": "Not A Domain", "server_id": server})))
        .await;
    assert_eq!((status, fields(&b)), (422, vec!["name".to_string()]));

    let m = api.manager("m@example.com", json!({"max_domains": 1, "domain_codes": [d1]})).await;
    let dom = api.get(&format!("/api/domains/{d1}")).await;
    assert_eq!((dom["name"].as_str(), dom["manager_code"].as_str()), (Some("one.example"), Some(m.as_str())));

    // Limits: two domains for a max of one; and lowering the max below what is assigned.
    let (status, b) =
        api.call(Method::PUT, &format!("/api/managers/{m}"), &api.admin, Some(json!({"domain_codes": [d1, d2]}))).await;
    assert_eq!((status, fields(&b)), (422, vec!["domain_codes".to_string()]));
    let (status, b) =
        api.call(Method::PUT, &format!("/api/managers/{m}"), &api.admin, Some(json!({"max_domains": 0}))).await;
    assert_eq!((status, fields(&b)), (422, vec!["max_domains".to_string()]));
    // A domain has one manager.
    let (status, b) = api
        .call(Method::POST, "/api/managers", &api.admin, Some(json!({"email_address": "n@example.com", "firstname": "N", "lastname": "N", "password": "secret123", "password_confirmation": "secret123", "domain_codes": [d1]})))
        .await;
    assert_eq!((status, fields(&b)), (422, vec!["domain_codes.0".to_string()]));

    // A manager's token sees only its domains.
    let token = api.t.manager_token(&m);
    let (_, list) = api.call(Method::GET, "/api/domains", &token, None).await;
    assert_eq!(list["pagination"]["total_records"], 1);
    let (status, b) = api.call(Method::GET, &format!("/api/domains/{d2}"), &token, None).await;
    assert_eq!((status, b), api.call(Method::GET, "/api/domains/DD00000000", &token, None).await, "like a missing one");
    let (status, _) = api.call(Method::DELETE, &format!("/api/domains/{d1}"), &token, None).await;
    assert_eq!(status, 403);
    let all = api.get("/api/domains?query=EXAMPLE&sort_field=name&sort=desc").await;
    assert_eq!(all["resources"][0]["name"], "two.example");

    // Deleting an assigned domain removes the assignment with it.
    let (status, _) = api.call(Method::DELETE, &format!("/api/domains/{d1}"), &api.admin, None).await;
    assert_eq!(status, 204);
    assert_eq!(api.get(&format!("/api/managers/{m}")).await["domain_codes"], json!([]));
    let (status, b) = api.call(Method::GET, &format!("/api/domains/{d1}"), &api.admin, None).await;
    assert_eq!((status, b), (404, json!({"message": "Not found", "errors": []})));
    assert_eq!(admin.server_get().id(server).send().await.unwrap().into_inner().domains, Some(1));

    // A domain with users cannot be deleted.
    let (name, code) = (
        "withusers.example",
        api.create("/api/domains", json!({"name": "withusers.example", "server_id": server})).await,
    );
    {
        use diesel::prelude::*;
        let mut conn = api.t.db();
        use hostadmin_server::schema::{domains, users};
        let domain: i64 =
            domains::table.filter(domains::code.eq(&code)).select(domains::id).get_result(&mut conn).unwrap();
        diesel::insert_into(users::table)
            .values((
                users::guid.eq(format!("guid-{code}")),
                users::username.eq(format!("u@{name}")),
                users::email.eq(format!("u@{name}")),
                users::domain_id.eq(domain),
            ))
            .execute(&mut conn)
            .unwrap();
    }
    let (status, _) = api.call(Method::DELETE, &format!("/api/domains/{code}"), &api.admin, None).await;
    assert_eq!(status, 422);
    assert_eq!(api.get(&format!("/api/domains/{code}")).await["name"], name);
}

#[tokio::test]
async fn delivery_domains_and_accounts_are_assigned_within_limits() {
    let api = Api::start().await;
    let dv = api.create("/api/delivery/domains", json!({"name": "mail.example"})).await;
    let dv2 = api.create("/api/delivery/domains", json!({"name": "news.example"})).await;
    assert_code(&dv, "DV");
    let a1 = api.create("/api/delivery/accounts", json!({"username": "news", "delivery_domain_code": dv})).await;
    let a2 = api.create("/api/delivery/accounts", json!({"username": "billing", "delivery_domain_code": dv})).await;
    assert_code(&a1, "DA");
    let (status, b) = api
        .call(
            Method::POST,
            "/api/delivery/accounts",
            &api.admin,
            Some(json!({"username": "news", "delivery_domain_code": dv})),
        )
        .await;
    assert_eq!((status, fields(&b)), (422, vec!["username".to_string()]), "one name per domain");
    let (status, b) = api
        .call(
            Method::POST,
            "/api/delivery/accounts",
            &api.admin,
            Some(json!({"username": "x", "delivery_domain_code": "DV00000000"})),
        )
        .await;
    assert_eq!((status, fields(&b)), (422, vec!["delivery_domain_code".to_string()]));
    let (status, b) =
        api.call(Method::POST, "/api/delivery/domains", &api.admin, Some(json!({"name": "mail.example"}))).await;
    assert_eq!((status, fields(&b)), (422, vec!["name".to_string()]));

    let m = api.manager("d@example.com", json!({"max_delivery_accounts": 1})).await;
    let assign = |id: &str, extra: Value| {
        let mut body = json!({"id": id});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let path = format!("/api/managers/{m}/assign/delivery");
    let (status, b) =
        api.call(Method::PUT, &path, &api.admin, Some(assign(&dv, json!({"max_delivery_domains": 1})))).await;
    assert_eq!(status, 204, "{b}");
    let (status, b) = api.call(Method::PUT, &path, &api.admin, Some(assign(&dv2, json!({})))).await;
    assert_eq!((status, fields(&b)), (422, vec!["id".to_string()]), "over max_delivery_domains: {b}");
    let (status, _) = api.call(Method::PUT, &path, &api.admin, Some(assign(&a1, json!({})))).await;
    assert_eq!(status, 204);
    let (status, b) = api.call(Method::PUT, &path, &api.admin, Some(assign(&a2, json!({})))).await;
    assert_eq!((status, fields(&b)), (422, vec!["id".to_string()]), "over max_delivery_accounts");
    let (status, b) = api.call(Method::PUT, &path, &api.admin, Some(assign("DA00000000", json!({})))).await;
    assert_eq!((status, fields(&b)), (422, vec!["id".to_string()]));
    let (status, b) = api.call(Method::PUT, &path, &api.admin, Some(json!({"id": "XX1"}))).await;
    assert_eq!((status, fields(&b)), (422, vec!["id".to_string()]));

    let got = api.get(&format!("/api/managers/{m}")).await;
    assert_eq!((got["delivery_domain_codes"].clone(), got["delivery_account_ids"].clone()), (json!([dv]), json!([a1])));
    assert_eq!(got["max_delivery_domains"], 1);

    // The update body replaces Delivery accounts; unknown ids are field errors.
    let (status, b) = api
        .call(
            Method::PUT,
            &format!("/api/managers/{m}"),
            &api.admin,
            Some(json!({"delivery_account_ids": ["DA00000000"]})),
        )
        .await;
    assert_eq!((status, fields(&b)), (422, vec!["delivery_account_ids.0".to_string()]));
    let (status, _) = api
        .call(Method::PUT, &format!("/api/managers/{m}"), &api.admin, Some(json!({"delivery_account_ids": [a2]})))
        .await;
    assert_eq!(status, 204);
    assert_eq!(api.get(&format!("/api/managers/{m}")).await["delivery_account_ids"], json!([a2]));

    // The manager's token sees its accounts only.
    let token = api.t.manager_token(&m);
    let (_, list) = api.call(Method::GET, "/api/delivery/accounts", &token, None).await;
    assert_eq!(list["pagination"]["total_records"], 1);
    let (status, b) = api.call(Method::GET, &format!("/api/delivery/accounts/{a1}"), &token, None).await;
    let missing = api.call(Method::GET, "/api/delivery/accounts/DA00000000", &token, None).await;
    assert_eq!((status, b), missing, "like a missing one");
    assert_eq!(missing.0, 404);
    let (status, one) = api.call(Method::GET, &format!("/api/delivery/domains/{dv}"), &token, None).await;
    assert_eq!((status, one["name"].as_str()), (200, Some("mail.example")));
    assert_eq!(api.get("/api/delivery/domains").await["pagination"]["total_records"], 2);

    // Deleting a Delivery domain takes its accounts and their assignments.
    let (status, _) = api.call(Method::DELETE, &format!("/api/delivery/domains/{dv}"), &api.admin, None).await;
    assert_eq!(status, 204);
    let (status, _) = api.call(Method::GET, &format!("/api/delivery/accounts/{a2}"), &api.admin, None).await;
    assert_eq!(status, 404);
    let got = api.get(&format!("/api/managers/{m}")).await;
    assert_eq!((got["delivery_domain_codes"].clone(), got["delivery_account_ids"].clone()), (json!([]), json!([])));
    let (status, _) = api.call(Method::DELETE, &format!("/api/delivery/accounts/{a1}"), &api.admin, None).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn deleting_a_manager_frees_what_it_held() {
    let api = Api::start().await;
    let server = api.t.add_server("s").await;
    let d = api.create("/api/domains", json!({"name": "held.example", "server_id": server})).await;
    let m = api.manager("h@example.com", json!({"domain_codes": [d]})).await;
    let token = api.t.manager_token(&m);
    let (status, _) = api.call(Method::DELETE, &format!("/api/managers/{m}"), &api.admin, None).await;
    assert_eq!(status, 204);
    assert!(api.get(&format!("/api/domains/{d}")).await.get("manager_code").is_none_or(Value::is_null));
    let (status, _) = api.call(Method::GET, "/api/managers", &token, None).await;
    assert_eq!(status, 401, "its tokens went with it");
    // The email address is free again.
    api.manager("h@example.com", json!({})).await;
}
