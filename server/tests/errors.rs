//! Every documented error of the system surface, over raw HTTP, with the
//! body in the documented shape and nothing changed by the failed request.

mod common;

use common::{now, sign_jwt, status_json, test_key, with_session, TestServer, ADMIN, READER};
use diesel::connection::SimpleConnection;
use serde_json::{json, Value};

async fn create(t: &TestServer, session: &hostadmin_client::types::LoginResult, body: Value) -> (u16, Value) {
    let rb = t.http().post(format!("{}/api/v1/system/servers", t.url)).json(&body);
    status_json(with_session(rb, session, true).send().await.unwrap()).await
}

async fn count(t: &TestServer) -> i64 {
    let client = t.session(ADMIN).await;
    client.server_list().send().await.unwrap().into_inner().count
}

fn assert_access_denied(status: u16, body: &Value, why: &str) {
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["message"], "Access denied");
    assert_eq!(body["error"], why, "{body}");
}

#[tokio::test]
async fn unauthenticated_requests_get_401() {
    let t = TestServer::start().await;
    let session = t.login(ADMIN).await;
    let servers = format!("{}/api/v1/system/servers", t.url);
    let body = json!({"hostname": "h", "extname": "e"});

    let (s, b) = status_json(t.http().get(&servers).send().await.unwrap()).await;
    assert_access_denied(s, &b, "No authentication token");

    // The session is used once first: the CSRF checks below must hold on
    // the principal the server keeps for it, too.
    let read = with_session(t.http().get(&servers), &session, false).send().await.unwrap();
    assert_eq!(read.status().as_u16(), 200);
    let no_csrf = with_session(t.http().post(&servers).json(&body), &session, false);
    let (s, b) = status_json(no_csrf.send().await.unwrap()).await;
    assert_access_denied(s, &b, "Missing CSRF token");

    let wrong_csrf = with_session(t.http().post(&servers).json(&body), &session, false).header("X-Csrf-Token", "x");
    let (s, b) = status_json(wrong_csrf.send().await.unwrap()).await;
    assert_access_denied(s, &b, "Invalid CSRF token");

    // Another session's CSRF token does not fit this session.
    let other = t.login(ADMIN).await;
    let crossed = t
        .http()
        .post(&servers)
        .json(&body)
        .header("Cookie", format!("grommunioAuthJwt={}", session.grommunio_auth_jwt))
        .header("X-Csrf-Token", if other.csrf != session.csrf { &other.csrf } else { "mismatch" });
    let (s, b) = status_json(crossed.send().await.unwrap()).await;
    assert_access_denied(s, &b, "Invalid CSRF token");

    // 401 comes before 400: a bad body without credentials is a 401.
    let (s, _) = status_json(t.http().post(&servers).body("{not json").send().await.unwrap()).await;
    assert_eq!(s, 401);
    assert_eq!(count(&t).await, 0, "nothing was created");
}

#[tokio::test]
async fn forged_expired_and_foreign_tokens_are_refused() {
    let t = TestServer::start().await;
    let servers = format!("{}/api/v1/system/servers", t.url);
    let hs256 = json!({"alg": "HS256", "typ": "JWT"});
    let claims =
        |exp: i64| json!({"sub": "admin", "uid": 1, "aud": "grommunio", "gen": 0, "iat": now() - 10, "exp": exp});
    let get = |token: String| {
        let t = &t;
        let servers = servers.clone();
        async move {
            status_json(
                t.http().get(servers).header("Cookie", format!("grommunioAuthJwt={token}")).send().await.unwrap(),
            )
            .await
        }
    };

    // The right key and a future expiry is accepted: the forgeries below
    // fail for the reason they are built to fail for.
    let (s, _) = get(sign_jwt(&test_key(), &hs256, &claims(now() + 60))).await;
    assert_eq!(s, 200);

    let (s, b) = get(sign_jwt(&test_key(), &hs256, &claims(now() - 1))).await;
    assert_access_denied(s, &b, "Token expired");

    // Signed with the right key, but meant for the other surface, or to
    // live longer than sessions do here (8 hours): not issued by this
    // service as configured.
    let mut other = claims(now() + 60);
    other["aud"] = json!("onlyoffice");
    let (s, b) = get(sign_jwt(&test_key(), &hs256, &other)).await;
    assert_access_denied(s, &b, "Token not valid for this API");
    let (s, b) = get(sign_jwt(&test_key(), &hs256, &claims(now() + 9 * 3600))).await;
    assert_access_denied(s, &b, "Token lifetime exceeds the session lifetime");

    let (s, b) = get(sign_jwt(b"some other key of 32 bytes or so!!", &hs256, &claims(now() + 60))).await;
    assert_access_denied(s, &b, "Invalid token signature");

    let none = sign_jwt(&test_key(), &json!({"alg": "none", "typ": "JWT"}), &claims(now() + 60));
    let unsigned = format!("{}.", none.rsplit_once('.').unwrap().0);
    let (s, b) = get(unsigned).await;
    assert_access_denied(s, &b, "Unsupported token algorithm");
    let (s, b) = get(none).await;
    assert_access_denied(s, &b, "Unsupported token algorithm");

    // Tampered claims: a valid token's payload swapped for another.
    let valid = t.login(READER).await.grommunio_auth_jwt;
    let mut parts: Vec<&str> = valid.split('.').collect();
    let forged_payload = sign_jwt(
        &test_key(),
        &hs256,
        &json!({"sub": "admin", "uid": 1, "aud": "grommunio", "gen": 0, "iat": now(), "exp": now() + 60}),
    );
    let forged_payload = forged_payload.split('.').nth(1).unwrap().to_string();
    parts[1] = &forged_payload;
    let (s, b) = get(parts.join(".")).await;
    assert_access_denied(s, &b, "Invalid token signature");

    let (s, b) = get("garbage".into()).await;
    assert_access_denied(s, &b, "Malformed token");
}

#[tokio::test]
async fn a_deleted_account_loses_its_session() {
    let t = TestServer::start().await;
    let session = t.login(READER).await;
    let list = || with_session(t.http().get(format!("{}/api/v1/system/servers", t.url)), &session, false);
    assert_eq!(list().send().await.unwrap().status().as_u16(), 200);
    t.db().batch_execute("DELETE FROM accounts WHERE name = 'reader'").unwrap();
    let (s, b) = status_json(list().send().await.unwrap()).await;
    assert_access_denied(s, &b, "Account no longer exists");
}

#[tokio::test]
async fn bad_logins_get_401_and_bad_forms_400() {
    let t = TestServer::start().await;
    let login = format!("{}/api/v1/login", t.url);
    for (user, pass) in [("admin", "wrong"), ("nobody", "admin-pass-1")] {
        let (s, b) =
            status_json(t.http().post(&login).form(&[("user", user), ("pass", pass)]).send().await.unwrap()).await;
        assert_access_denied(s, &b, "Invalid username or password");
    }
    let (s, b) = status_json(t.http().post(&login).form(&[("user", "admin")]).send().await.unwrap()).await;
    assert_eq!(s, 400);
    assert_eq!(b["errors"], json!(["pass: is required"]));
    let (s, b) =
        status_json(t.http().post(&login).json(&json!({"user": "admin", "pass": "x"})).send().await.unwrap()).await;
    assert_eq!(s, 400, "login takes a form, as grommunio's does: {b}");
}

#[tokio::test]
async fn read_only_admins_get_403_on_writes() {
    let t = TestServer::start().await;
    let admin = t.login(ADMIN).await;
    let (_, created) = create(&t, &admin, json!({"hostname": "h", "extname": "e"})).await;
    let reader = t.login(READER).await;

    let (s, b) = create(&t, &reader, json!({"hostname": "h2", "extname": "e2"})).await;
    assert_eq!(s, 403);
    assert_eq!(b, json!({"message": "Access denied: SystemAdminPermission required"}));

    let one = format!("{}/api/v1/system/servers/{}", t.url, created["ID"]);
    let (s, _) = status_json(
        with_session(t.http().patch(&one).json(&json!({"hostname": "z"})), &reader, true).send().await.unwrap(),
    )
    .await;
    assert_eq!(s, 403);
    let (s, _) = status_json(with_session(t.http().delete(&one), &reader, true).send().await.unwrap()).await;
    assert_eq!(s, 403);
    assert_eq!(count(&t).await, 1);
    let client = t.session(ADMIN).await;
    assert_eq!(
        client.server_get().id(created["ID"].as_i64().unwrap()).send().await.unwrap().into_inner().hostname,
        "h"
    );
}

#[tokio::test]
async fn requests_that_miss_the_spec_get_400_listing_every_problem() {
    let t = TestServer::start().await;
    let s = t.login(ADMIN).await;

    let (status, b) =
        create(&t, &s, json!({"hostname": 5, "extname": "x".repeat(256), "color": "red", "users": 7})).await;
    assert_eq!(status, 400);
    assert_eq!(b["message"], "Bad Request");
    let errors: Vec<&str> = b["errors"].as_array().unwrap().iter().map(|e| e.as_str().unwrap()).collect();
    assert!(errors.iter().any(|e| e.starts_with("hostname:") && e.contains("not of type \"string\"")), "{errors:?}");
    assert!(errors.iter().any(|e| e.starts_with("extname:") && e.contains("longer than 255")), "{errors:?}");
    assert!(errors.contains(&"color: unknown field"), "{errors:?}");
    assert_eq!(errors.len(), 3, "every problem, once each: {errors:?}");

    let (status, b) = create(&t, &s, json!({"hostname": "only"})).await;
    assert_eq!((status, b["errors"].clone()), (400, json!(["extname: is required"])));

    let (status, b) = create(&t, &s, json!({"hostname": "", "extname": "e"})).await;
    assert_eq!(status, 400);
    assert!(b["errors"][0].as_str().unwrap().starts_with("hostname:"), "{b}");

    let (status, b) = create(&t, &s, json!(["not", "an", "object"])).await;
    assert_eq!(status, 400, "{b}");

    let malformed = with_session(t.http().post(format!("{}/api/v1/system/servers", t.url)), &s, true)
        .header("Content-Type", "application/json")
        .body("{\"hostname\": ");
    let (status, b) = status_json(malformed.send().await.unwrap()).await;
    assert_eq!(status, 400);
    assert!(b["errors"][0].as_str().unwrap().starts_with("malformed JSON"), "{b}");

    let (status, b) = create(&t, &s, json!({"hostname": "h", "extname": "e", "ID": 999})).await;
    assert_eq!(status, 400, "a read-only field with another value than the new object's: {b}");
    assert_eq!(b["errors"], json!(["ID: is read-only and differs from the stored value"]));

    let query = with_session(
        t.http().get(format!("{}/api/v1/system/servers?limit=abc&offset=-1&level=3&sort=color&matchFields=ID", t.url)),
        &s,
        false,
    );
    let (status, b) = status_json(query.send().await.unwrap()).await;
    assert_eq!(status, 400);
    let errors = b["errors"].as_array().unwrap();
    for field in ["limit:", "offset:", "level:", "sort.0:", "matchFields.0:"] {
        assert!(errors.iter().any(|e| e.as_str().unwrap().starts_with(field)), "{field} in {errors:?}");
    }

    let bad_path = with_session(t.http().get(format!("{}/api/v1/system/servers/abc", t.url)), &s, false);
    let (status, b) = status_json(bad_path.send().await.unwrap()).await;
    assert_eq!((status, b["errors"][0].as_str().unwrap()), (400, "ID: \"abc\" is not of type \"integer\""));

    assert_eq!(count(&t).await, 0, "nothing was created by any of these");
}

#[tokio::test]
async fn read_only_fields_may_not_change_on_patch() {
    let t = TestServer::start().await;
    let s = t.login(ADMIN).await;
    let (_, created) = create(&t, &s, json!({"hostname": "h", "extname": "e"})).await;
    let one = format!("{}/api/v1/system/servers/{}", t.url, created["ID"]);
    let patch = |body: Value| with_session(t.http().patch(&one).json(&body), &s, true).send();

    let (status, b) = status_json(patch(json!({"hostname": "changed", "users": 4, "domains": 0})).await.unwrap()).await;
    assert_eq!(status, 400);
    assert_eq!(b["errors"], json!(["users: is read-only and differs from the stored value"]));
    let (status, b) = status_json(patch(json!({"ID": 77})).await.unwrap()).await;
    assert_eq!((status, b["errors"].clone()), (400, json!(["ID: is read-only and differs from the stored value"])));

    let (_, now) = status_json(with_session(t.http().get(&one), &s, false).send().await.unwrap()).await;
    assert_eq!(now["hostname"], "h", "the refused PATCH changed nothing");
}

#[tokio::test]
async fn duplicates_are_constraint_errors() {
    let t = TestServer::start().await;
    let s = t.login(ADMIN).await;
    let (status, first) = create(&t, &s, json!({"hostname": "mail", "extname": "mail.example"})).await;
    assert_eq!(status, 201);

    let (status, b) = create(&t, &s, json!({"hostname": "mail", "extname": "other.example"})).await;
    assert_eq!(status, 400);
    assert_eq!(b["message"], "Bad Request");
    assert!(b["error"].as_str().unwrap().contains("hostname 'mail'"), "{b}");

    let (status, b) = create(&t, &s, json!({"hostname": "other", "extname": "mail.example"})).await;
    assert_eq!(status, 400);
    assert!(b["error"].as_str().unwrap().contains("extname 'mail.example'"), "{b}");

    let (_, second) = create(&t, &s, json!({"hostname": "second", "extname": "second.example"})).await;
    let url = format!("{}/api/v1/system/servers/{}", t.url, second["ID"]);
    let (status, b) = status_json(
        with_session(t.http().patch(&url).json(&json!({"hostname": "mail"})), &s, true).send().await.unwrap(),
    )
    .await;
    assert_eq!(status, 400, "renaming onto a taken hostname: {b}");
    assert_eq!(count(&t).await, 2);
    let _ = first;
}

#[tokio::test]
async fn unknown_objects_routes_and_methods() {
    let t = TestServer::start().await;
    let s = t.login(ADMIN).await;
    for method in [reqwest::Method::GET, reqwest::Method::PATCH, reqwest::Method::DELETE] {
        let rb = t.http().request(method.clone(), format!("{}/api/v1/system/servers/4242", t.url)).json(&json!({}));
        let (status, b) = status_json(with_session(rb, &s, true).send().await.unwrap()).await;
        assert_eq!((status, &b["message"]), (404, &json!("Server 4242 not found")), "{method}");
    }

    // The router answers unknown routes and methods itself; its body is
    // still an instance of the surface's error schema.
    let spec: Value = serde_json::from_str(hostadmin_api::SPEC_JSON).unwrap();
    let system_error =
        hostadmin_api::wire::compile_validator(&spec, json!({"$ref": "#/components/schemas/SystemError"}));
    let (status, b) = status_json(t.http().get(format!("{}/api/v1/no/such/route", t.url)).send().await.unwrap()).await;
    assert_eq!(status, 404);
    assert!(system_error.is_valid(&b), "unknown routes answer a SystemError: {b}");
    let (status, b) =
        status_json(t.http().put(format!("{}/api/v1/system/servers/1", t.url)).send().await.unwrap()).await;
    assert_eq!(status, 405);
    assert!(system_error.is_valid(&b), "wrong methods answer a SystemError: {b}");

    let wrong = t.http().put(format!("{}/api/v1/system/servers", t.url)).send().await.unwrap();
    assert_eq!(wrong.status().as_u16(), 405);
    let allow = wrong
        .headers()
        .get_all("allow")
        .iter()
        .flat_map(|v| v.to_str().unwrap().split(',').map(|m| m.trim().to_string()).collect::<Vec<_>>())
        .collect::<Vec<_>>();
    assert!(allow.contains(&"GET".to_string()) && allow.contains(&"POST".to_string()), "{allow:?}");
    let (_, b) = status_json(wrong).await;
    assert!(b["message"].is_string());
}

#[tokio::test]
async fn a_locked_database_gives_503_and_service_resumes() {
    let t = TestServer::start().await;
    let s = t.login(ADMIN).await;
    let (status, _) = create(&t, &s, json!({"hostname": "before", "extname": "before.example"})).await;
    assert_eq!(status, 201);
    let client = t.session(ADMIN).await;

    // Another process holds the write lock (SQLite's on the file, or the
    // advisory lock replicas share on PostgreSQL) longer than the busy
    // timeout.
    let mut holder = t.db();
    let (locked, release) = (std::sync::mpsc::channel(), std::sync::mpsc::channel::<()>());
    let holding = std::thread::spawn(move || {
        hostadmin_server::db::write_transaction(&mut holder, |_| {
            locked.0.send(()).unwrap();
            release.1.recv().unwrap();
            Ok::<_, diesel::result::Error>(())
        })
        .unwrap();
    });
    locked.1.recv().unwrap();
    let (status, b) = create(&t, &s, json!({"hostname": "during", "extname": "during.example"})).await;
    assert_eq!(status, 503);
    assert_eq!(b, json!({"message": "The database query failed"}));
    assert_eq!(client.server_list().send().await.unwrap().into_inner().count, 1, "reads go on meanwhile");
    // A login counts its attempt before checking the password: a write, so
    // it waits for the lock too (and never skips the count).
    let login = t.http().post(format!("{}/api/v1/login", t.url)).form(&[("user", ADMIN.0), ("pass", ADMIN.1)]);
    assert_eq!(login.send().await.unwrap().status().as_u16(), 503);
    release.0.send(()).unwrap();
    holding.join().unwrap();

    let (status, _) = create(&t, &s, json!({"hostname": "after", "extname": "after.example"})).await;
    assert_eq!(status, 201, "service resumes once the lock is gone");
    let names: Vec<String> =
        client.server_list().send().await.unwrap().into_inner().data.into_iter().map(|s| s.hostname).collect();
    assert_eq!(names, ["before", "after"], "the failed write left nothing behind");
}

#[tokio::test]
async fn oversized_and_garbage_bodies_get_400_and_change_nothing() {
    let t = TestServer::start().await;
    let s = t.login(ADMIN).await;
    let url = format!("{}/api/v1/system/servers", t.url);
    let send = |body: Vec<u8>| {
        with_session(t.http().post(&url).header("Content-Type", "application/json").body(body), &s, true).send()
    };

    let huge = format!("{{\"hostname\": \"{}\", \"extname\": \"e\"}}", "h".repeat(100_000)).into_bytes();
    let (status, b) = status_json(send(huge).await.unwrap()).await;
    assert_eq!(status, 400, "{b}");
    assert!(b.to_string().len() < 1000, "the error does not echo the body");

    let long = serde_json::to_vec(&json!({"hostname": "h".repeat(5000), "extname": "e"})).unwrap();
    let (status, b) = status_json(send(long).await.unwrap()).await;
    assert_eq!(status, 400);
    assert_eq!(b["errors"], json!(["hostname: the value is longer than 255 characters"]));

    let (status, _) =
        status_json(send(b"{\"hostname\": \"\xff\xfe\", \"extname\": \"e\"}".to_vec()).await.unwrap()).await;
    assert_eq!(status, 400, "invalid UTF-8");
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)).into_bytes();
    let (status, _) = status_json(send(deep).await.unwrap()).await;
    assert_eq!(status, 400, "deeply nested JSON");
    let (status, _) = status_json(send(b"{\"hostname\": 1e400, \"extname\": \"e\"}".to_vec()).await.unwrap()).await;
    assert_eq!(status, 400, "a number beyond f64");

    // Stored and returned verbatim, never interpreted.
    let odd = "x'); DROP TABLE servers; --<script>";
    let (status, b) =
        status_json(send(serde_json::to_vec(&json!({"hostname": odd, "extname": "odd"})).unwrap()).await.unwrap())
            .await;
    assert_eq!((status, b["hostname"].as_str()), (201, Some(odd)));
    assert_eq!(count(&t).await, 1);
    // U+0000: SQLite stores it; PostgreSQL's text cannot hold it, a 400
    // that says so (README, PostgreSQL).
    let nul = "nul\u{0}byte";
    let (status, b) =
        status_json(send(serde_json::to_vec(&json!({"hostname": nul, "extname": "nul"})).unwrap()).await.unwrap())
            .await;
    if t.database.is_postgres() {
        assert_eq!(
            (status, b["errors"].clone()),
            (400, json!(["text: Text may not contain the NUL character (U+0000)"]))
        );
        assert_eq!(count(&t).await, 1);
    } else {
        assert_eq!((status, b["hostname"].as_str()), (201, Some(nul)));
        assert_eq!(count(&t).await, 2);
    }
}

#[tokio::test]
async fn brute_force_logins_are_throttled_per_user_and_per_address() {
    let t = TestServer::start().await;
    let login = format!("{}/api/v1/login", t.url);
    let attempt = |user: &str, pass: &str| t.http().post(&login).form(&[("user", user), ("pass", pass)]).send();

    // Five failures for one user name: the sixth attempt is refused, even
    // with the right password, and without the password being checked.
    for _ in 0..5 {
        assert_eq!(attempt("admin", "wrong").await.unwrap().status().as_u16(), 401);
    }
    let (status, b) = status_json(attempt("admin", "admin-pass-1").await.unwrap()).await;
    assert_eq!(status, 429);
    assert_eq!(b, json!({"message": "Too Many Requests", "error": "Too many failed logins; try again later"}));
    // The groups surface's login shares the count.
    let oo = t
        .http()
        .post(format!("{}/api/2.0/authentication", t.url))
        .json(&json!({"userName": "admin", "password": "admin-pass-1"}))
        .send()
        .await
        .unwrap();
    let (status, b) = status_json(oo).await;
    assert_eq!((status, b["statusCode"].clone(), b["status"].clone()), (429, json!(429), json!(1)));

    // Another user from the same address still logs in, and a success clears
    // that user's own count.
    assert_eq!(attempt("reader", "wrong").await.unwrap().status().as_u16(), 401);
    assert_eq!(attempt("reader", "reader-pass-1").await.unwrap().status().as_u16(), 200);

    // Twenty failures from one address, over many names: the address is throttled.
    for i in 0..14 {
        assert_eq!(attempt(&format!("nobody{i}"), "x").await.unwrap().status().as_u16(), 401, "attempt {i}");
    }
    let (status, _) = status_json(attempt("reader", "reader-pass-1").await.unwrap()).await;
    assert_eq!(status, 429, "the address's failures add up: 5 + 1 + 14 = 20");
}

/// Guesses sent at the same moment: each is counted before its password is
/// checked, so no more than the limit are ever checked, however many arrive
/// together, and a right password among them has no more chances than the
/// limit gives.
#[tokio::test]
async fn simultaneous_guesses_get_no_more_tries_than_the_limit() {
    let t = TestServer::start().await;
    let login = format!("{}/api/v1/login", t.url);
    let guesses = |user: &'static str, passwords: Vec<String>| {
        let (http, login) = (t.http(), login.clone());
        async move {
            let sent = passwords.into_iter().map(|pass| {
                let request = http.post(&login).form(&[("user", user.to_string()), ("pass", pass)]);
                async move { request.send().await.unwrap().status().as_u16() }
            });
            futures::future::join_all(sent).await
        }
    };
    let tally = |statuses: &[u16], status: u16| statuses.iter().filter(|&&s| s == status).count();

    // 40 wrong guesses for one name at once: 5 are checked, 35 refused.
    let statuses = guesses("admin", (0..40).map(|i| format!("wrong-{i}")).collect()).await;
    assert_eq!((tally(&statuses, 401), tally(&statuses, 429)), (5, 35), "{statuses:?}");

    // The right password among 39 wrong ones, for a fresh name: still only
    // 5 of the 40 are checked (the right one passes only if it is among
    // them), and every other one is refused unchecked.
    let mut passwords: Vec<String> = (0..39).map(|i| format!("wrong-{i}")).collect();
    passwords.insert(20, READER.1.to_string());
    let statuses = guesses("reader", passwords).await;
    assert_eq!(tally(&statuses, 401) + tally(&statuses, 200), 5, "{statuses:?}");
    assert_eq!(tally(&statuses, 429), 35, "{statuses:?}");
}

/// Many names at once from one address: the address's limit holds too.
#[tokio::test]
async fn simultaneous_guesses_over_many_names_hit_the_address_limit() {
    let t = TestServer::start().await;
    let login = format!("{}/api/v1/login", t.url);
    let sent = (0..40).map(|i| {
        let request = t.http().post(&login).form(&[("user", format!("nobody{i}")), ("pass", "x".into())]);
        async move { request.send().await.unwrap().status().as_u16() }
    });
    let statuses = futures::future::join_all(sent).await;
    let tally = |status: u16| statuses.iter().filter(|&&s| s == status).count();
    assert_eq!((tally(401), tally(429)), (20, 20), "{statuses:?}");
}

/// Failures for a name from one address do not lock its owner out from
/// another; behind a trusted proxy the client is read from
/// `X-Forwarded-For`, and from anyone else that header counts for nothing;
/// an IPv6 client is counted by its /64.
#[tokio::test]
async fn a_name_cannot_be_locked_out_from_elsewhere() {
    let t = TestServer::start_with(|c| c.login_throttle.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()]).await;
    let login = format!("{}/api/v1/login", t.url);
    let attempt = |from: String, user: String, pass: &'static str| {
        let request =
            t.http().post(&login).header("X-Forwarded-For", from).form(&[("user", user), ("pass", pass.into())]);
        async move { request.send().await.unwrap().status().as_u16() }
    };
    let right = ADMIN.1;
    for _ in 0..5 {
        assert_eq!(attempt("203.0.113.7".into(), "admin".into(), "wrong").await, 401);
    }
    assert_eq!(attempt("203.0.113.7".into(), "admin".into(), right).await, 429, "the guesser's address is done");
    assert_eq!(attempt("198.51.100.9".into(), "admin".into(), right).await, 200, "the owner, elsewhere, is not");
    // The right-most address that is not a trusted proxy is the client.
    assert_eq!(attempt("198.51.100.9, 203.0.113.7, 127.0.0.1".into(), "admin".into(), right).await, 429);

    // One /64 is one client.
    for i in 0..20 {
        assert_eq!(attempt(format!("2001:db8:0:1::{i:x}"), format!("nobody{i}"), "x").await, 401, "{i}");
    }
    assert_eq!(attempt("2001:db8:0:1::beef".into(), "reader".into(), READER.1).await, 429);
    assert_eq!(attempt("2001:db8:0:2::1".into(), "reader".into(), READER.1).await, 200);

    // Without a trusted proxy, the header is the client's word only.
    let plain = TestServer::start().await;
    let login = format!("{}/api/v1/login", plain.url);
    for i in 0..5 {
        let r = plain.http().post(&login).header("X-Forwarded-For", format!("192.0.2.{i}"));
        assert_eq!(r.form(&[("user", "admin"), ("pass", "wrong")]).send().await.unwrap().status().as_u16(), 401);
    }
    let r = plain.http().post(&login).header("X-Forwarded-For", "192.0.2.99");
    assert_eq!(r.form(&[("user", "admin"), ("pass", right)]).send().await.unwrap().status().as_u16(), 429);
}

/// One server's `GET` reads its parameters on the plain path (a typed
/// reading of scalars with bounds) and leaves everything it cannot accept
/// to the general one, which words the error: both are seen here.
#[tokio::test]
async fn one_server_s_parameters_are_read_and_refused_as_the_spec_says() {
    let t = TestServer::start().await;
    let s = t.login(ADMIN).await;
    let (_, created) = create(&t, &s, json!({"hostname": "p", "extname": "p.example"})).await;
    let get = |tail: String| {
        let rb = with_session(t.http().get(format!("{}/api/v1/system/servers/{tail}", t.url)), &s, false);
        async move { status_json(rb.send().await.unwrap()).await }
    };
    let id = created["ID"].as_i64().unwrap();

    let (status, b) = get(format!("{id}")).await;
    assert_eq!((status, b["hostname"].as_str(), b["users"].as_i64()), (200, Some("p"), Some(0)), "level 2 by default");
    let (status, b) = get(format!("{id}?level=0")).await;
    assert_eq!(status, 200);
    assert_eq!(b, json!({"ID": id, "hostname": "p"}), "level 0: ID and hostname");
    let (status, b) = get(format!("{id}?level=2&level=1")).await;
    assert_eq!((status, b.get("extname").is_some(), b.get("users").is_none()), (200, true, true), "the last one: {b}");
    let (status, b) = get(format!("{id}?level=%2B1&unknown=x")).await;
    assert_eq!((status, b.get("users").is_none()), (200, true), "parsed as an integer; unknown names ignored: {b}");

    for (tail, error) in [
        (format!("{id}?level=3"), "level: 3 is greater than the maximum of 2"),
        (format!("{id}?level=-1"), "level: -1 is less than the minimum of 0"),
        (format!("{id}?level=1.5"), "level: \"1.5\" is not of type \"integer\""),
        (format!("{id}?level="), "level: \"\" is not of type \"integer\""),
        ("99999999999999999999".to_string(), "ID: \"99999999999999999999\" is not of type \"integer\""),
    ] {
        let (status, b) = get(tail.clone()).await;
        assert_eq!((status, b["errors"][0].as_str()), (400, Some(error)), "{tail}: {b}");
    }
    let (status, _) = get(format!("{}", id + 1000)).await;
    assert_eq!(status, 404);
}
