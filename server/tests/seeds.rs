//! The requests of the grommunio seed pages (`shared/seeds/grommunio-*.txt`),
//! sent as their curl lines send them: same method, path, headers and body,
//! plus the `X-Csrf-Token` header the pages document for these operations.

mod common;

use common::{status_json, TestServer, ADMIN};
use serde_json::json;

/// The body both seed pages send, byte for byte as their curl lines write it.
const SEED_BODY: &str = "{ \"hostname\": \"example\", \"extname\": \"example\" }";

#[tokio::test]
async fn register_server_seed() {
    let t = TestServer::start().await;
    let session = t.login(ADMIN).await;
    let send = |csrf: bool| {
        let rb = t
            .http()
            .post(format!("{}/api/v1/system/servers", t.url))
            .header("Content-Type", "application/json")
            .header("Cookie", format!("grommunioAuthJwt={}", session.grommunio_auth_jwt))
            .body(SEED_BODY);
        if csrf {
            rb.header("X-Csrf-Token", &session.csrf)
        } else {
            rb
        }
    };

    // The curl line alone carries no CSRF token: a write without one is
    // refused, as surfaces.md requires of every non-GET.
    let (status, body) = status_json(send(false).send().await.unwrap()).await;
    assert_eq!((status, &body["message"]), (401, &json!("Access denied")));

    let (status, body) = status_json(send(true).send().await.unwrap()).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["hostname"], "example");
    assert_eq!(body["extname"], "example");
    assert!(body["ID"].as_i64().unwrap() >= 1);
    assert_eq!((body["users"].clone(), body["domains"].clone()), (json!(0), json!(0)));
}

#[tokio::test]
async fn update_server_seed() {
    let t = TestServer::start().await;
    let session = t.login(ADMIN).await;
    let existing = t.add_server("before").await;
    assert_eq!(existing, 1, "the seed patches server 1");

    let response = t
        .http()
        .patch(format!("{}/api/v1/system/servers/1", t.url))
        .header("Content-Type", "application/json")
        .header("Cookie", format!("grommunioAuthJwt={}", session.grommunio_auth_jwt))
        .header("X-Csrf-Token", &session.csrf)
        .body(SEED_BODY)
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(response).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"ID": 1, "hostname": "example", "extname": "example", "users": 0, "domains": 0}));
}
