//! The runtime against a real hostadmin over HTTP: the builder's
//! credentials on all three surfaces, renewal after the server ends a
//! session, `Debug` redaction, typed errors and every list stream.

mod common;

use common::{Live, ADMIN};
use futures::TryStreamExt;
use hostadmin_client::{types, ApiError, Client, ErrorExt, RetryPolicy};
use serde_json::json;

fn body<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> T {
    serde_json::from_value(v).unwrap()
}

#[tokio::test]
async fn one_client_holds_the_three_surfaces_credentials() {
    let live = Live::start().await;
    let client = live.client();
    // system: a POST needs the session cookie and the CSRF token
    let server = client
        .server_create()
        .body(body::<types::ServerCreate>(json!({"hostname": "mail01", "extname": "mail01.example"})))
        .send()
        .await
        .unwrap();
    assert_eq!(server.status(), 201);
    // managers: X-Api-Token
    let domain = client
        .domain_create()
        .body(body::<types::DomainCreate>(json!({"name": "example.com", "server_id": server.id})))
        .send()
        .await
        .unwrap();
    assert_eq!(domain.status(), 201);
    // groups and people: the ONLYOFFICE token
    let person = client
        .person_create()
        .body(body::<types::PersonCreate>(json!({"email": "jane@example.com", "firstname": "Jane", "lastname": "Doe"})))
        .send()
        .await
        .unwrap();
    assert_eq!(person.status(), 201);
    assert_eq!(person.response.domain_code.as_deref(), Some(domain.resource_code.as_str()));

    // The audit log takes a session or a token: each alone works.
    let session_only = Client::builder(&live.url).login(ADMIN.0, ADMIN.1).build().unwrap();
    let token_only = Client::builder(&live.url).api_token(&live.api_token()).build().unwrap();
    for c in [&session_only, &token_only] {
        assert_eq!(c.audit_list().send().await.unwrap().count, 3);
    }
    // Credentials go only where their surface is: a session does not open the managers surface.
    let e = session_only.manager_list().send().await.unwrap_err().into_api_error().await;
    assert_eq!(e.status(), Some(reqwest::StatusCode::UNAUTHORIZED));
    // No credentials at all: the system surface's typed 401.
    let anonymous = Client::builder(&live.url).build().unwrap();
    let e = anonymous.server_list().send().await.unwrap_err().into_api_error().await;
    assert_eq!(e.status(), Some(reqwest::StatusCode::UNAUTHORIZED));
    assert_eq!(e.body().unwrap().message, "Access denied");
}

#[tokio::test]
async fn sessions_ended_by_the_server_are_renewed_once() {
    let live = Live::start().await;
    let client = live.client();
    assert_eq!(client.server_list().send().await.unwrap().count, 0);
    assert_eq!(client.group_list().send().await.unwrap().total, 0);
    let fixed = hostadmin_client::session_client(&live.url, &{
        Client::builder(&live.url)
            .build()
            .unwrap()
            .login()
            .body(types::LoginForm { user: ADMIN.0.try_into().unwrap(), pass: ADMIN.1.try_into().unwrap() })
            .send()
            .await
            .unwrap()
            .into_inner()
    })
    .unwrap();
    assert_eq!(fixed.server_list().send().await.unwrap().count, 0);

    live.revoke_sessions();
    // A session given ready-made cannot be renewed: its 401 is the answer.
    let e = fixed.server_list().send().await.unwrap_err().into_api_error().await;
    assert_eq!(e.status(), Some(reqwest::StatusCode::UNAUTHORIZED));
    // The builder's client logs in again, on both surfaces, transparently.
    assert_eq!(client.server_list().send().await.unwrap().count, 0);
    assert_eq!(client.group_list().send().await.unwrap().total, 0);
    let created = client
        .server_create()
        .body(body::<types::ServerCreate>(json!({"hostname": "after", "extname": "after.example"})))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);

    // Once the password has changed, the login itself fails: its typed 401 is the answer.
    live.set_password("another-password-2");
    live.revoke_sessions();
    let e = client.server_list().send().await.unwrap_err().into_api_error().await;
    assert_eq!(e.status(), Some(reqwest::StatusCode::UNAUTHORIZED));
    assert!(matches!(e, ApiError::Response { .. }), "{e:?}");
    let e = client.group_list().send().await.unwrap_err().into_api_error().await;
    assert_eq!(e.status(), Some(reqwest::StatusCode::UNAUTHORIZED));
    assert_eq!(e.body().unwrap().status, 1, "the ONLYOFFICE error envelope");
}

#[tokio::test]
async fn debug_output_never_shows_credentials() {
    let live = Live::start().await;
    let token = live.api_token();
    let client = Client::builder(&live.url)
        .login(ADMIN.0, ADMIN.1)
        .api_token(&token)
        .onlyoffice_login(ADMIN.0, ADMIN.1)
        .build()
        .unwrap();
    let builder_debug = format!("{:?}", Client::builder(&live.url).login(ADMIN.0, ADMIN.1).api_token(&token));
    // Use every surface, so that the sessions are cached too.
    client.server_list().send().await.unwrap();
    client.manager_list().send().await.unwrap();
    client.group_list().send().await.unwrap();
    let session = Client::builder(&live.url)
        .build()
        .unwrap()
        .login()
        .body(types::LoginForm { user: ADMIN.0.try_into().unwrap(), pass: ADMIN.1.try_into().unwrap() })
        .send()
        .await
        .unwrap()
        .into_inner();
    let debug = format!("{client:?} {client:#?}");
    assert!(debug.contains(&live.url), "the Debug output is real: {debug}");
    for secret in [ADMIN.1, token.as_str(), "correct horse"] {
        assert!(!debug.contains(secret), "{secret} in {debug}");
        assert!(!builder_debug.contains(secret), "{secret} in {builder_debug}");
    }
    // JWTs share their header with the cached ones: no "eyJ" at all.
    assert!(!debug.contains("eyJ") && !debug.contains(&session.csrf[..6]), "{debug}");
}

#[tokio::test]
async fn errors_read_as_the_surfaces_types() {
    let live = Live::start().await;
    let client = live.client();
    // managers: a 422 lists every failing field
    let e = client
        .manager_create()
        .body(body::<types::ManagerCreate>(json!({
            "email_address": "jane@example.com", "firstname": "Jane", "lastname": "Doe",
            "password": "secret123", "password_confirmation": "different1", "max_domains": 10,
            "domain_codes": ["DD00000000"]
        })))
        .send()
        .await
        .unwrap_err()
        .into_api_error()
        .await;
    assert_eq!(e.status(), Some(reqwest::StatusCode::UNPROCESSABLE_ENTITY));
    let mut fields: Vec<&str> = e.field_errors().iter().map(|f| f.field.as_str()).collect();
    fields.sort();
    assert_eq!(fields, ["domain_codes.0", "password_confirmation"], "{e:?}");
    // system: 404
    let e = client.server_get().id(99).send().await.unwrap_err().into_api_error().await;
    assert_eq!(e.status(), Some(reqwest::StatusCode::NOT_FOUND));
    assert_eq!(e.to_string(), "404 Not Found: Server 99 not found");
    // groups: 404 in the envelope
    let e = client
        .group_get()
        .groupid("9924256a-739c-462b-af15-e652a3b1b6eb")
        .send()
        .await
        .unwrap_err()
        .into_api_error()
        .await;
    assert_eq!((e.status().map(|s| s.as_u16()), e.body().map(|b| b.status_code)), (Some(404), Some(404)));
    // No server: no status, the transport error kept.
    let gone = Client::builder("http://127.0.0.1:9").retries(RetryPolicy::none()).build().unwrap();
    let e = gone.health_live().send().await.unwrap_err().into_api_error().await;
    assert!(matches!(e, ApiError::Other(progenitor_client::Error::CommunicationError(_))), "{e:?}");
}

#[tokio::test]
async fn every_list_is_a_stream_over_its_pages() {
    let live = Live::start().await;
    let client = live.client();
    let mut server_ids = Vec::new();
    for i in 0..5 {
        let s = client
            .server_create()
            .body(body::<types::ServerCreate>(
                json!({"hostname": format!("mail{i}"), "extname": format!("mail{i}.example")}),
            ))
            .send()
            .await
            .unwrap();
        server_ids.push(s.id);
    }
    for i in 0..5 {
        client
            .domain_create()
            .body(body::<types::DomainCreate>(json!({"name": format!("d{i}.example"), "server_id": server_ids[0]})))
            .send()
            .await
            .unwrap();
        let dv = client
            .delivery_domain_create()
            .body(body::<types::DeliveryDomainCreate>(json!({"name": format!("dv{i}.example")})))
            .send()
            .await
            .unwrap();
        client
            .delivery_account_create()
            .body(body::<types::DeliveryAccountCreate>(
                json!({"username": format!("news{i}"), "delivery_domain_code": dv.resource_code}),
            ))
            .send()
            .await
            .unwrap();
        client
            .manager_create()
            .body(body::<types::ManagerCreate>(json!({
                "email_address": format!("m{i}@example.com"), "firstname": "M", "lastname": "Doe",
                "password": "secret123", "password_confirmation": "secret123", "max_domains": 1
            })))
            .send()
            .await
            .unwrap();
        client
            .person_create()
            .body(body::<types::PersonCreate>(
                json!({"email": format!("p{i}@example.org"), "firstname": "P", "lastname": format!("Doe{i}")}),
            ))
            .send()
            .await
            .unwrap();
        client
            .group_create()
            .body(body::<types::GroupCreate>(json!({"groupName": format!("group {i}"), "members": []})))
            .send()
            .await
            .unwrap();
    }
    // Five of each (and 35 audit entries), read two at a time.
    let servers: Vec<_> = client.server_list().limit(2).stream().try_collect().await.unwrap();
    assert_eq!(servers.iter().map(|s| s.id).collect::<Vec<_>>(), server_ids);
    let audit: Vec<_> = client.audit_list().limit(2).stream().try_collect().await.unwrap();
    assert_eq!(audit.len(), 35);
    let managers: Vec<_> = client.manager_list().per(2).stream().try_collect().await.unwrap();
    let mut emails: Vec<_> = managers.iter().map(|m| m.email_address.to_string()).collect();
    emails.sort();
    assert_eq!(emails, (0..5).map(|i| format!("m{i}@example.com")).collect::<Vec<_>>());
    let domains: Vec<_> = client.domain_list().per(2).stream().try_collect().await.unwrap();
    assert_eq!(domains.len(), 5);
    let dvs: Vec<_> = client.delivery_domain_list().per(2).stream().try_collect().await.unwrap();
    assert_eq!(dvs.len(), 5);
    let das: Vec<_> = client.delivery_account_list().per(2).stream().try_collect().await.unwrap();
    assert_eq!(das.len(), 5);
    let people: Vec<_> = client.people_list().count(2).stream().try_collect().await.unwrap();
    let mut names: Vec<_> = people.iter().map(|p| p.last_name.clone()).collect();
    names.sort();
    assert_eq!(names, (0..5).map(|i| format!("Doe{i}")).collect::<Vec<_>>());
    let groups: Vec<_> = client.group_list().count(2).stream().try_collect().await.unwrap();
    assert_eq!(groups.len(), 5);
    // Filters set on the builder are kept across pages.
    let some: Vec<_> = client.group_list().count(1).filter_value("group 3").stream().try_collect().await.unwrap();
    assert_eq!(some.len(), 1);
    assert_eq!(hostadmin_client::paging::LISTS.len(), 8, "{:?}", hostadmin_client::paging::LISTS);
}
