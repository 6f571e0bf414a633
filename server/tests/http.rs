//! HTTP the way generated clients speak it: content negotiation, the
//! router's own 404 and 405 in each surface's shape, HEAD, CORS and body
//! limits, over a real server.

mod common;

use common::{status_json, TestServer, ADMIN};
use reqwest::Method;
use serde_json::{json, Value};

/// An ONLYOFFICE token for the admin.
async fn oo_token(t: &TestServer) -> String {
    let r = t
        .http()
        .post(format!("{}/api/2.0/authentication", t.url))
        .json(&json!({"userName": ADMIN.0, "password": ADMIN.1}))
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(r).await;
    assert_eq!(status, 200, "{body}");
    body["response"]["token"].as_str().unwrap().to_string()
}

/// `GET path` on the groups surface with these `Accept` fields: the status,
/// whether the answer is XML, and its text.
async fn get_accepting(t: &TestServer, token: &str, path: &str, accept: &[&str]) -> (u16, bool, String) {
    let mut rb = t.http().get(format!("{}{path}", t.url)).header("Authorization", token);
    for a in accept {
        rb = rb.header(reqwest::header::ACCEPT, *a);
    }
    let r = rb.send().await.unwrap();
    let status = r.status().as_u16();
    let ct = r.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let text = r.text().await.unwrap();
    let xml = ct.starts_with("text/xml");
    if xml {
        assert!(text.starts_with("<?xml") && text.contains("<result>"), "{text}");
    } else {
        assert!(ct.starts_with("application/json"), "{ct}: {text}");
        serde_json::from_str::<Value>(&text).unwrap_or_else(|_| panic!("not JSON: {text}"));
    }
    (status, xml, text)
}

#[tokio::test]
async fn accept_is_negotiated_by_weight() {
    let t = TestServer::start().await;
    let token = oo_token(&t).await;
    let cases: &[(&[&str], bool)] = &[
        // openapi-generator's PHP client: JSON first, XML less wanted.
        (&["application/json,text/xml;q=0.9"], false),
        (&[], false),
        (&["*/*"], false),
        (&["text/xml"], true),
        (&["application/xml"], true),
        (&["TEXT/XML"], true),
        (&["text/*"], true),
        (&["application/json;q=0.5, text/xml"], true),
        (&["text/xml;q=0"], false),
        (&["text/xml;q=0, */*"], false),
        (&["application/json;q=0.2", "text/xml;q=0.8"], true),
        (&["text/xml;q=0.8", "application/json"], false),
        // malformed parts are ignored, the rest still counts
        (&["text/xml;q=5, application/json;q=0.1"], false),
        (&["nonsense, text/xml;q=0.3"], true),
        // nothing acceptable: JSON, not 406 (see src/wire/accept.rs)
        (&["image/png"], false),
        (&["application/json;q=0, text/xml;q=0"], false),
    ];
    for (accept, xml) in cases {
        let (status, got_xml, text) = get_accepting(&t, &token, "/api/2.0/group", accept).await;
        assert_eq!(status, 200, "{accept:?}: {text}");
        assert_eq!(got_xml, *xml, "Accept {accept:?} answered {text}");
    }
    // A `.xml` path is XML whatever Accept says.
    let (status, xml, _) = get_accepting(&t, &token, "/api/2.0/group.xml", &["application/json"]).await;
    assert_eq!((status, xml), (200, true));
    // Errors follow the same choice.
    let missing = "/api/2.0/group/00000000-0000-0000-0000-000000000001";
    let (status, xml, text) = get_accepting(&t, &token, missing, &["application/json,text/xml;q=0.9"]).await;
    assert_eq!((status, xml), (404, false), "{text}");
    let (status, xml, text) = get_accepting(&t, &token, missing, &["text/*"]).await;
    assert_eq!((status, xml), (404, true), "{text}");
    assert!(text.contains("<statusCode>404</statusCode>"), "{text}");
}

/// A raw request: status, headers and text.
async fn send(rb: reqwest::RequestBuilder) -> (u16, reqwest::header::HeaderMap, String) {
    let r = rb.send().await.unwrap();
    let (status, headers) = (r.status().as_u16(), r.headers().clone());
    (status, headers, r.text().await.unwrap())
}

fn allow(headers: &reqwest::header::HeaderMap) -> String {
    headers.get("allow").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
}

#[tokio::test]
async fn wrong_methods_are_405_with_allow_in_each_surfaces_shape() {
    let t = TestServer::start().await;
    let url = |p: &str| format!("{}{p}", t.url);
    // grommunio: {message, error}
    let (status, headers, text) = send(t.http().patch(url("/api/v1/system/servers"))).await;
    assert_eq!(status, 405, "{text}");
    assert_eq!(allow(&headers), "GET, HEAD, OPTIONS, POST");
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["message"], "Method Not Allowed", "{body}");
    assert!(body["error"].as_str().unwrap().contains("PATCH"), "{body}");
    assert!(body.get("request_id").is_none(), "not Dropshot's shape: {body}");
    let (status, headers, _) = send(t.http().post(url("/api/v1/system/servers/1"))).await;
    assert_eq!((status, allow(&headers).as_str()), (405, "DELETE, GET, HEAD, OPTIONS, PATCH"));
    // Qboxmail: {message, errors: []}
    let (status, headers, text) = send(t.http().delete(url("/api/managers"))).await;
    assert_eq!(status, 405, "{text}");
    assert_eq!(allow(&headers), "GET, HEAD, OPTIONS, POST");
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), json!({"message": "Method not allowed", "errors": []}));
    let (status, headers, _) = send(t.http().get(url("/api/managers/MN12345678/activate"))).await;
    assert_eq!((status, allow(&headers).as_str()), (405, "OPTIONS, PUT"));
    // ONLYOFFICE: the error envelope, JSON or XML as asked
    let (status, headers, text) = send(t.http().patch(url("/api/2.0/group"))).await;
    assert_eq!(status, 405, "{text}");
    assert_eq!(allow(&headers), "GET, HEAD, OPTIONS, POST");
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!((body["status"].clone(), body["statusCode"].clone()), (json!(1), json!(405)), "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("PATCH"), "{body}");
    let (status, headers, text) = send(t.http().patch(url("/api/2.0/group")).header("Accept", "text/xml")).await;
    assert_eq!(status, 405);
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/xml"), "{text}");
    let doc = roxmltree::Document::parse(&text).unwrap();
    assert_eq!(doc.root_element().tag_name().name(), "result");
    assert!(text.contains("<statusCode>405</statusCode>"), "{text}");
    let (status, headers, text) = send(t.http().delete(url("/api/2.0/group.xml"))).await;
    assert_eq!((status, allow(&headers).as_str()), (405, "GET, HEAD, OPTIONS, POST"));
    assert!(text.starts_with("<?xml"), "{text}");
    // A method outside HTTP's standard set is refused by Dropshot's router
    // (its shape), with `Allow` all the same.
    let (status, headers, _) =
        send(t.http().request(Method::from_bytes(b"PURGE").unwrap(), url("/api/v1/login"))).await;
    assert_eq!(status, 405);
    assert!(headers.get_all("allow").iter().any(|v| v.to_str().unwrap().contains("POST")));
}

#[tokio::test]
async fn path_prefixes_are_404_in_each_surfaces_shape() {
    let t = TestServer::start().await;
    let url = |p: &str| format!("{}{p}", t.url);
    for path in ["/api/v1", "/api/v1/system"] {
        let (status, _, text) = send(t.http().get(url(path))).await;
        assert_eq!(status, 404, "{path}: {text}");
        let body: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(body["message"], "Not Found", "{body}");
        assert!(body.get("request_id").is_none(), "{body}");
    }
    for path in ["/api/delivery", "/api/managers/MN12345678/assign"] {
        let (status, _, text) = send(t.http().put(url(path))).await;
        assert_eq!(status, 404, "{path}: {text}");
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), json!({"message": "Not found", "errors": []}));
    }
    let (status, _, text) = send(t.http().get(url("/api/2.0"))).await;
    assert_eq!(status, 404, "{text}");
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!((body["status"].clone(), body["statusCode"].clone()), (json!(1), json!(404)), "{body}");
    let (status, headers, text) = send(t.http().get(url("/api/2.0")).header("Accept", "text/xml")).await;
    assert_eq!(status, 404);
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/xml"), "{text}");
    assert!(text.contains("<statusCode>404</statusCode>"), "{text}");
}

#[tokio::test]
async fn head_answers_like_get_without_a_body() {
    let t = TestServer::start().await;
    let session = t.login(ADMIN).await;
    assert_eq!(t.post_server(&session, "mail01").await.status().as_u16(), 201);
    let token = oo_token(&t).await;
    let api_token = t.account_token(ADMIN.0);
    let cases: Vec<(String, Vec<(&str, String)>)> = vec![
        ("/healthz".into(), vec![]),
        ("/openapi.json".into(), vec![]),
        ("/api/v1/system/servers".into(), vec![("Cookie", format!("grommunioAuthJwt={}", session.grommunio_auth_jwt))]),
        (
            "/api/v1/system/servers/1".into(),
            vec![("Cookie", format!("grommunioAuthJwt={}", session.grommunio_auth_jwt))],
        ),
        (
            "/api/v1/system/servers/99".into(),
            vec![("Cookie", format!("grommunioAuthJwt={}", session.grommunio_auth_jwt))],
        ),
        ("/api/v1/system/servers".into(), vec![]),
        ("/api/managers".into(), vec![("X-Api-Token", api_token.clone())]),
        ("/api/managers".into(), vec![]),
        ("/api/2.0/group".into(), vec![("Authorization", token.clone())]),
        ("/api/2.0/group".into(), vec![("Authorization", token.clone()), ("Accept", "text/xml".into())]),
        ("/api/2.0/group.xml".into(), vec![("Authorization", token.clone())]),
    ];
    for (path, headers) in cases {
        let mut get = t.http().get(format!("{}{path}", t.url));
        let mut head = t.http().head(format!("{}{path}", t.url));
        for (name, value) in &headers {
            get = get.header(*name, value);
            head = head.header(*name, value);
        }
        let (get_status, get_headers, get_text) = send(get).await;
        let (head_status, head_headers, head_text) = send(head).await;
        assert_eq!(head_status, get_status, "HEAD {path}");
        assert!(head_text.is_empty(), "HEAD {path} has a body: {head_text}");
        assert!(!get_text.is_empty(), "GET {path}");
        for name in ["content-type", "content-length", "allow"] {
            assert_eq!(head_headers.get(name), get_headers.get(name), "HEAD {path}: {name}");
        }
        assert_eq!(
            head_headers["content-length"].to_str().unwrap(),
            get_text.len().to_string(),
            "HEAD {path}: the GET's length"
        );
    }
}

/// `n` people with fresh GUIDs on a new domain, written straight to the
/// database in one transaction (the API would take one request each).
fn many_people(t: &TestServer, server_id: i64, n: usize) -> Vec<String> {
    use diesel::prelude::*;
    use hostadmin_server::schema::{domains, users};
    t.place_domain(server_id, "many.example", 0);
    let mut conn = t.db();
    let domain: i64 =
        domains::table.filter(domains::name.eq("many.example")).select(domains::id).first(&mut conn).unwrap();
    let guids: Vec<String> = (0..n).map(|i| format!("{:08x}-0000-4000-8000-{:012x}", i, i as u64 * 7919)).collect();
    conn.transaction::<_, diesel::result::Error, _>(|c| {
        for (i, guid) in guids.iter().enumerate() {
            diesel::insert_into(users::table)
                .values((
                    users::guid.eq(guid),
                    users::username.eq(format!("u{i}")),
                    users::email.eq(format!("u{i}@many.example")),
                    users::domain_id.eq(domain),
                ))
                .execute(c)?;
        }
        Ok(())
    })
    .unwrap();
    guids
}

#[tokio::test]
async fn the_largest_body_the_spec_allows_fits_and_a_larger_one_is_413() {
    let t = TestServer::start().await;
    let token = oo_token(&t).await;
    let server = t.add_server("mail01").await;
    // The spec's own bound, read from the spec.
    let spec: Value = serde_json::from_str(hostadmin_api::SPEC_JSON).unwrap();
    let max = spec["components"]["schemas"]["GroupCreate"]["properties"]["members"]["maxItems"].as_u64().unwrap();
    let guids = many_people(&t, server, max as usize);
    let body = json!({"groupName": "everyone", "members": guids});
    // Pretty-printed, as some clients send it: larger still.
    let bytes = serde_json::to_vec_pretty(&body).unwrap();
    assert!(bytes.len() > 64 * 1024 * 5, "{} bytes", bytes.len());
    let r = t
        .http()
        .post(format!("{}/api/2.0/group", t.url))
        .header("Authorization", &token)
        .header("Content-Type", "application/json")
        .body(bytes)
        .send()
        .await
        .unwrap();
    let (status, created) = status_json(r).await;
    assert_eq!(status, 201, "{}", created.to_string().chars().take(500).collect::<String>());
    assert_eq!(created["response"]["Members"].as_array().unwrap().len(), max as usize);

    // One byte over the limit: 413, in the surface's shape, JSON or XML.
    let over = {
        let mut b = serde_json::to_vec(&json!({"groupName": "x", "members": []})).unwrap();
        b.splice(1..1, std::iter::repeat_n(b' ', hostadmin_server::config::MAX_BODY_BYTES));
        b
    };
    let post = |accept: &str| {
        t.http()
            .post(format!("{}/api/2.0/group", t.url))
            .header("Authorization", &token)
            .header("Content-Type", "application/json")
            .header("Accept", accept)
            .body(over.clone())
    };
    let (status, _, text) = send(post("application/json")).await;
    assert_eq!(status, 413, "{text}");
    assert_eq!(
        serde_json::from_str::<Value>(&text).unwrap(),
        json!({"status": 1, "statusCode": 413, "error": {"message": "Payload too large"}})
    );
    let (status, headers, text) = send(post("text/xml")).await;
    assert_eq!(status, 413);
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/xml"), "{text}");
    assert!(text.contains("<statusCode>413</statusCode>"), "{text}");
    // The other surfaces, in theirs.
    let session = t.login(ADMIN).await;
    let rb = t
        .http()
        .post(format!("{}/api/v1/system/servers", t.url))
        .header("Content-Type", "application/json")
        .body(over.clone());
    let (status, body) = status_json(common::with_session(rb, &session, true).send().await.unwrap()).await;
    assert_eq!((status, body["message"].as_str()), (413, Some("Payload Too Large")), "{body}");
    let api_token = t.account_token(ADMIN.0);
    let r = t.api(Method::POST, "/api/managers", &api_token).header("Content-Type", "application/json").body(over);
    let (status, body) = status_json(r.send().await.unwrap()).await;
    assert_eq!((status, body), (413, json!({"message": "Payload too large", "errors": []})));
    // Nothing was created by the refused requests.
    let (status, list) = status_json(
        t.http().get(format!("{}/api/2.0/group", t.url)).header("Authorization", &token).send().await.unwrap(),
    )
    .await;
    assert_eq!((status, list["total"].clone()), (200, json!(1)), "{list}");
}

const APP: &str = "http://app.example:8081";

fn cors(headers: &reqwest::header::HeaderMap) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = headers
        .iter()
        .filter(|(k, _)| k.as_str().starts_with("access-control-"))
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_string()))
        .collect();
    found.sort();
    found
}

fn header(headers: &reqwest::header::HeaderMap, name: &str) -> String {
    headers.get(name).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
}

#[tokio::test]
async fn cors_answers_allowed_origins_only() {
    let t = TestServer::start_with(|c| c.cors_origins = vec![APP.into(), "https://other.example".into()]).await;
    let session = t.login(ADMIN).await;
    let cookie = format!("grommunioAuthJwt={}", session.grommunio_auth_jwt);
    let servers = format!("{}/api/v1/system/servers", t.url);

    // A simple request from an allowed origin: the origin echoed, credentials allowed.
    let (status, headers, _) = send(t.http().get(&servers).header("Origin", APP).header("Cookie", &cookie)).await;
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "access-control-allow-origin"), APP);
    assert_eq!(header(&headers, "access-control-allow-credentials"), "true");
    assert_eq!(header(&headers, "vary"), "Origin");
    // Origins compare without regard to case; the request's own is echoed.
    let (_, headers, _) =
        send(t.http().get(&servers).header("Origin", "HTTPS://Other.Example").header("Cookie", &cookie)).await;
    assert_eq!(header(&headers, "access-control-allow-origin"), "HTTPS://Other.Example");
    // Errors carry them too, in the surface's shape, so that the page can read why.
    let (status, headers, text) = send(t.http().get(&servers).header("Origin", APP)).await;
    assert_eq!(status, 401, "{text}");
    assert_eq!(header(&headers, "access-control-allow-origin"), APP);
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap()["message"], "Access denied");
    let (status, headers, text) = send(t.http().patch(&servers).header("Origin", APP)).await;
    assert_eq!((status, header(&headers, "access-control-allow-origin")), (405, APP.to_string()), "{text}");
    let (status, headers, text) = send(t.http().get(format!("{}/api/2.0/group", t.url)).header("Origin", APP)).await;
    assert_eq!((status, header(&headers, "access-control-allow-origin")), (401, APP.to_string()));
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap()["statusCode"], 401, "{text}");
    let (status, headers, text) =
        send(t.http().get(format!("{}/api/2.0/group", t.url)).header("Origin", APP).header("Accept", "text/xml")).await;
    assert_eq!((status, header(&headers, "access-control-allow-origin")), (401, APP.to_string()));
    assert!(text.starts_with("<?xml"), "{text}");
    let (status, headers, _) = send(t.api(Method::GET, "/api/managers", "hat_1_bad").header("Origin", APP)).await;
    assert_eq!((status, header(&headers, "access-control-allow-origin")), (401, APP.to_string()));

    // Other origins, a second Origin, or "null": served, but without CORS headers.
    for origins in [&["http://evil.example"][..], &["null"], &[APP, "http://evil.example"], &["http://app.example"]] {
        let mut rb = t.http().get(&servers).header("Cookie", &cookie);
        for o in origins {
            rb = rb.header("Origin", *o);
        }
        let (status, headers, _) = send(rb).await;
        assert_eq!(status, 200);
        assert_eq!(cors(&headers), vec![], "{origins:?}");
        assert_eq!(header(&headers, "vary"), "Origin");
    }

    // A preflight for a write with the CSRF header and JSON.
    let preflight = |origin: &str, method: &str, headers: &str| {
        t.http()
            .request(Method::OPTIONS, &servers)
            .header("Origin", origin)
            .header("Access-Control-Request-Method", method)
            .header("Access-Control-Request-Headers", headers)
    };
    let (status, headers, text) = send(preflight(APP, "POST", "content-type,X-Csrf-Token, x-not-ours")).await;
    assert_eq!(status, 204, "{text}");
    assert!(text.is_empty());
    assert_eq!(
        cors(&headers),
        vec![
            ("access-control-allow-credentials".into(), "true".into()),
            ("access-control-allow-headers".into(), "content-type, x-csrf-token".into()),
            ("access-control-allow-methods".into(), "GET, HEAD, OPTIONS, POST".into()),
            ("access-control-allow-origin".into(), APP.into()),
            ("access-control-max-age".into(), "600".into()),
        ]
    );
    assert_eq!(header(&headers, "allow"), "GET, HEAD, OPTIONS, POST");
    // Every header the surfaces use may be granted.
    let (_, headers, _) = send(
        t.http()
            .request(Method::OPTIONS, format!("{}/api/managers/MN12345678", t.url))
            .header("Origin", APP)
            .header("Access-Control-Request-Method", "PUT")
            .header("Access-Control-Request-Headers", "x-api-token, content-type, accept, authorization"),
    )
    .await;
    assert_eq!(header(&headers, "access-control-allow-headers"), "x-api-token, content-type, accept, authorization");
    assert_eq!(header(&headers, "access-control-allow-methods"), "DELETE, GET, HEAD, OPTIONS, PUT");
    // A method the path does not have, or another origin: no grant.
    for (origin, method) in [(APP, "PATCH"), (APP, "post"), ("http://evil.example", "POST")] {
        let (status, headers, _) = send(preflight(origin, method, "content-type")).await;
        assert_eq!(status, 204);
        assert_eq!(cors(&headers), vec![], "{origin} {method}");
        assert_eq!(header(&headers, "allow"), "GET, HEAD, OPTIONS, POST");
    }
}

#[tokio::test]
async fn without_configured_origins_there_is_no_cors() {
    let t = TestServer::start().await;
    let session = t.login(ADMIN).await;
    let servers = format!("{}/api/v1/system/servers", t.url);
    let rb = t.http().get(&servers).header("Origin", APP);
    let (status, headers, _) = send(common::with_session(rb, &session, false)).await;
    assert_eq!(status, 200);
    assert_eq!(cors(&headers), vec![]);
    assert!(headers.get("vary").is_none());
    let (status, headers, text) = send(
        t.http()
            .request(Method::OPTIONS, &servers)
            .header("Origin", APP)
            .header("Access-Control-Request-Method", "POST"),
    )
    .await;
    assert_eq!((status, text.as_str()), (204, ""));
    assert_eq!(cors(&headers), vec![]);
    assert_eq!(header(&headers, "allow"), "GET, HEAD, OPTIONS, POST");
    // OPTIONS on an `.xml` path and on a path prefix.
    let (status, headers, _) = send(t.http().request(Method::OPTIONS, format!("{}/api/2.0/group.xml", t.url))).await;
    assert_eq!((status, header(&headers, "allow").as_str()), (204, "GET, HEAD, OPTIONS, POST"));
    let (status, _, _) = send(t.http().request(Method::OPTIONS, format!("{}/api/v1/system", t.url))).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn head_on_the_docs_and_metrics() {
    let t = TestServer::start_with(|c| c.metrics = true).await;
    for path in ["/docs/", "/docs/index.html", "/metrics"] {
        let (get_status, get_headers, get_text) = send(t.http().get(format!("{}{path}", t.url))).await;
        let (head_status, head_headers, head_text) = send(t.http().head(format!("{}{path}", t.url))).await;
        assert_eq!((head_status, get_status), (200, 200), "{path}");
        assert!(head_text.is_empty() && !get_text.is_empty(), "{path}");
        assert_eq!(head_headers.get("content-type"), get_headers.get("content-type"), "{path}");
    }
}

/// A client that connects and never sends a byte is disconnected once the
/// idle timeout has passed (Dropshot would keep it for ever); one that has
/// begun a request is left alone (hyper's own head timeout is 30 s), and
/// finishing it gets its answer.
#[tokio::test]
async fn connections_that_never_send_a_byte_are_closed() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let t = TestServer::start_with(|c| c.idle_timeout = std::time::Duration::from_secs(1)).await;
    let addr = t.server.local_addr();
    let opened = std::time::Instant::now();
    let mut silent = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut started = tokio::net::TcpStream::connect(addr).await.unwrap();
    started.write_all(b"GET /api/v1/login HTTP/1.1\r\n").await.unwrap();

    let mut buf = [0u8; 64];
    let read = tokio::time::timeout(std::time::Duration::from_secs(20), silent.read(&mut buf))
        .await
        .expect("the silent connection is closed");
    assert!(matches!(read, Ok(0) | Err(_)), "closed, not answered: {read:?}");
    assert!(opened.elapsed() >= std::time::Duration::from_secs(1), "not before the timeout");

    // Two more sweeps see the begun request, and leave it open.
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    started.write_all(b"Host: x\r\nConnection: close\r\n\r\n").await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(std::time::Duration::from_secs(20), started.read_to_end(&mut answer))
        .await
        .expect("an answer")
        .unwrap();
    assert!(answer.starts_with(b"HTTP/1.1 "), "{}", String::from_utf8_lossy(&answer));

    // The server still accepts and serves.
    let (status, _) =
        common::status_json_or_empty(t.http().get(format!("{}/api/v1/status", t.url)).send().await.unwrap()).await;
    assert!(status < 500, "{status}");
}
