//! Three replicas over one PostgreSQL database behave as one service.
//!
//! Runs when the suite runs on PostgreSQL (`HOSTADMIN_TEST_DATABASE_URL`):
//! an SQLite file is served by one process, which holds its lock.

mod common;

use std::collections::HashSet;
use std::process::{Child, Command};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{add_admin, status_json, with_session, TestDb, ADMIN, READER};
use diesel::prelude::*;
use reqwest::Method;
use serde_json::{json, Value};

struct Replicas {
    children: Vec<Child>,
    urls: Vec<String>,
}

impl Drop for Replicas {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Three replicas started at the same moment on an empty database, without
/// a configured JWT key: they migrate it once between them and share the
/// key the first one stores.
fn start_three(database: &TestDb) -> Replicas {
    let log = database.dir.path().join("replicas.log");
    let starting: Vec<_> = (0..3)
        .map(|_| {
            let (db, log) = (database.url(), log.clone());
            std::thread::spawn(move || common::spawn_serve(&db, &log, &[]))
        })
        .collect();
    let (children, urls) = starting.into_iter().map(|s| s.join().unwrap()).unzip();
    Replicas { children, urls }
}

fn hostadmin(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_hostadmin")).args(args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

async fn call(
    http: &reqwest::Client,
    url: &str,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut rb = http.request(method, format!("{url}{path}")).header("X-Api-Token", token);
    if let Some(body) = body {
        rb = rb.json(&body);
    }
    common::status_json_or_empty(rb.send().await.unwrap()).await
}

#[tokio::test]
async fn three_replicas_share_state_and_a_killed_one_loses_nothing() {
    if common::postgres_url().is_none() {
        eprintln!("skipped: replicas need PostgreSQL (HOSTADMIN_TEST_DATABASE_URL)");
        return;
    }
    let database = TestDb::new();
    let mut replicas = start_three(&database);
    let db = database.url();
    add_admin(&db);
    let http = reqwest::Client::builder().timeout(Duration::from_secs(20)).build().unwrap();
    let urls = replicas.urls.clone();

    // Migrated once: every migration recorded once, none pending.
    let mut conn = database.conn();
    let versions: Vec<String> = diesel::sql_query("SELECT version FROM __diesel_schema_migrations ORDER BY version")
        .load::<Version>(&mut conn)
        .unwrap()
        .into_iter()
        .map(|v| v.version)
        .collect();
    let mut distinct = versions.clone();
    distinct.dedup();
    assert_eq!(versions, distinct);
    assert_eq!(
        versions.len(),
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations/postgres")).unwrap().count()
    );

    // A session from one replica works on the others, CSRF included.
    let session = common::login(&http, &urls[0]).await;
    for (i, url) in urls.iter().enumerate() {
        let rb = http
            .post(format!("{url}/api/v1/system/servers"))
            .json(&json!({"hostname": format!("session{i}"), "extname": format!("session{i}.example")}));
        let (status, b) = status_json(with_session(rb, &session, true).send().await.unwrap()).await;
        assert_eq!(status, 201, "replica {i}: {b}");
    }

    // The same hostname created on all three at once: one wins, the others
    // get the documented duplicate error, never a 5xx.
    for round in 0..8 {
        let attempts = urls.iter().map(|url| {
            let rb = http
                .post(format!("{url}/api/v1/system/servers"))
                .json(&json!({"hostname": format!("race{round}"), "extname": format!("race{round}.example")}));
            async { status_json(with_session(rb, &session, true).send().await.unwrap()).await }
        });
        let mut statuses: Vec<u16> = futures::future::join_all(attempts).await.into_iter().map(|(s, _)| s).collect();
        statuses.sort();
        assert_eq!(statuses, [201, 400, 400], "round {round}");
    }

    // Manager limits hold across replicas: six delivery domains assigned at
    // once, spread over the replicas, to a manager allowed two.
    let token = hostadmin(&["token", "create", "--user", ADMIN.0, "--database", &db]).trim().to_string();
    let (status, m) = call(
        &http,
        &urls[1],
        Method::POST,
        "/api/managers",
        &token,
        Some(json!({"email_address": "limits@example.com", "firstname": "L", "lastname": "M",
                    "password": "secret123", "password_confirmation": "secret123", "max_delivery_domains": 2})),
    )
    .await;
    assert_eq!(status, 201, "{m}");
    let manager = m["resource_code"].as_str().unwrap().to_string();
    let mut domains = Vec::new();
    for i in 0..6 {
        let (status, b) = call(
            &http,
            &urls[i % 3],
            Method::POST,
            "/api/delivery/domains",
            &token,
            Some(json!({"name": format!("d{i}.limits.example")})),
        )
        .await;
        assert_eq!(status, 201, "{b}");
        domains.push(b["resource_code"].as_str().unwrap().to_string());
    }
    let assign = format!("/api/managers/{manager}/assign/delivery");
    let assigned = domains
        .iter()
        .enumerate()
        .map(|(i, code)| call(&http, &urls[i % 3], Method::PUT, &assign, &token, Some(json!({"id": code}))));
    let mut statuses: Vec<u16> = futures::future::join_all(assigned).await.into_iter().map(|(s, _)| s).collect();
    statuses.sort();
    assert_eq!(statuses, [204, 204, 422, 422, 422, 422]);
    // Limit changes on all three at once: every replica then reads the same
    // value, one of those written.
    let path = format!("/api/managers/{manager}");
    let changes = urls.iter().enumerate().map(|(i, url)| {
        call(&http, url, Method::PUT, &path, &token, Some(json!({"max_email_accounts": 10 + i as i64})))
    });
    for (status, b) in futures::future::join_all(changes).await {
        assert_eq!(status, 204, "{b}");
    }
    let mut seen = Vec::new();
    for url in &urls {
        let (status, b) = call(&http, url, Method::GET, &format!("/api/managers/{manager}"), &token, None).await;
        assert_eq!(status, 200);
        assert_eq!(b["delivery_domain_codes"].as_array().unwrap().len(), 2);
        seen.push(b["max_email_accounts"].as_i64().unwrap());
    }
    assert!(seen.iter().all(|v| *v == seen[0]) && (10..13).contains(&seen[0]), "{seen:?}");

    // Failed logins count across replicas: five spread over them, and the
    // sixth is refused on any, even with the right password.
    common::add_account(&db, READER, "readonly");
    for i in 0..5 {
        let r = http.post(format!("{}/api/v1/login", urls[i % 3])).form(&[("user", READER.0), ("pass", "wrong")]);
        assert_eq!(r.send().await.unwrap().status().as_u16(), 401);
    }
    for url in &urls {
        let r = http.post(format!("{url}/api/v1/login")).form(&[("user", READER.0), ("pass", READER.1)]);
        assert_eq!(r.send().await.unwrap().status().as_u16(), 429, "{url}");
    }

    // A revoked token stops working on every replica at once.
    let doomed = hostadmin(&["token", "create", "--user", ADMIN.0, "--database", &db]).trim().to_string();
    for url in &urls {
        assert_eq!(call(&http, url, Method::GET, "/api/managers", &doomed, None).await.0, 200);
    }
    let id = doomed.split('_').nth(1).unwrap();
    hostadmin(&["token", "revoke", id, "--database", &db]);
    for url in &urls {
        assert_eq!(call(&http, url, Method::GET, "/api/managers", &doomed, None).await.0, 401, "{url}");
    }

    // Writes spread over the replicas, each acknowledged one read back at
    // once from another replica, while replica 1 is killed once 60 writes
    // are acknowledged: every acknowledged write is there afterwards.
    let acknowledged_so_far = Arc::new(AtomicUsize::new(0));
    let killed = Arc::new(AtomicBool::new(false));
    let writer = {
        let (http, urls, session) = (http.clone(), urls.clone(), session.clone());
        let (acknowledged_so_far, killed) = (acknowledged_so_far.clone(), killed.clone());
        tokio::spawn(async move {
            let (mut acknowledged, mut refused_after_kill, mut acknowledged_after_kill) = (Vec::new(), 0, 0);
            for i in 0..300 {
                let name = format!("spread{i}");
                let writer = i % 3;
                let rb = http
                    .post(format!("{}/api/v1/system/servers", urls[writer]))
                    .json(&json!({"hostname": name, "extname": format!("{name}.example")}));
                let after_kill = killed.load(Ordering::SeqCst);
                let Ok(response) = with_session(rb, &session, true).send().await else {
                    assert!(killed.load(Ordering::SeqCst) && writer == 1, "write {i} to live replica {writer} failed");
                    refused_after_kill += 1;
                    continue;
                };
                let (status, created) = status_json(response).await;
                assert_eq!(status, 201, "write {i} to replica {writer}: {created}");
                // Replicas 0 and 2 stay up: read the write back from one that
                // did not make it.
                let reader = if writer == 0 { 2 } else { 0 };
                let rb = http.get(format!("{}/api/v1/system/servers/{}", urls[reader], created["ID"]));
                let (status, read) = status_json(with_session(rb, &session, false).send().await.unwrap()).await;
                assert_eq!((status, &read["hostname"]), (200, &json!(name)), "write {i} read on replica {reader}");
                acknowledged.push(name);
                acknowledged_so_far.fetch_add(1, Ordering::SeqCst);
                acknowledged_after_kill += usize::from(after_kill);
            }
            (acknowledged, refused_after_kill, acknowledged_after_kill)
        })
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while acknowledged_so_far.load(Ordering::SeqCst) < 60 {
        assert!(tokio::time::Instant::now() < deadline, "60 writes were not acknowledged within 30 s");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    killed.store(true, Ordering::SeqCst);
    replicas.children[1].kill().unwrap();
    replicas.children[1].wait().unwrap();
    let (acknowledged, refused_after_kill, acknowledged_after_kill) = writer.await.unwrap();
    assert!(refused_after_kill >= 60, "the killed replica refused its later writes: {refused_after_kill}");
    assert!(acknowledged_after_kill >= 120, "the survivors kept writing: {acknowledged_after_kill}");
    let rb = http.get(format!("{}/api/v1/system/servers?limit=1000&match=spread&matchFields=hostname", urls[2]));
    let (status, page) = status_json(with_session(rb, &session, false).send().await.unwrap()).await;
    assert_eq!(status, 200, "{page}");
    let stored: HashSet<String> =
        page["data"].as_array().unwrap().iter().map(|s| s["hostname"].as_str().unwrap().to_string()).collect();
    for name in &acknowledged {
        assert!(stored.contains(name), "{name} was acknowledged but is gone");
    }
    assert_eq!(page["count"].as_i64().unwrap() as usize, stored.len());
    eprintln!(
        "replicas: {} of 300 writes acknowledged, {refused_after_kill} refused by the killed replica, all present",
        acknowledged.len()
    );
}

#[derive(QueryableByName)]
struct Version {
    #[diesel(sql_type = diesel::sql_types::Text)]
    version: String,
}
