//! What an operator relies on: health probes, and a graceful stop.

mod common;

use std::time::Duration;

use common::{add_admin, login, spawn_server, spawn_server_on_terminal, status_json, with_session, TestServer};
use diesel::prelude::*;
use serde_json::json;

#[tokio::test]
async fn health_probes_answer_and_readiness_follows_the_database() {
    if common::sqlite_only("readiness when the SQLite file goes away") {
        return;
    }
    let t = TestServer::start().await;
    let get = |path: &str| t.http().get(format!("{}{path}", t.url)).send();
    assert_eq!(status_json(get("/healthz").await.unwrap()).await, (200, json!({"status": "ok"})));
    assert_eq!(status_json(get("/readyz").await.unwrap()).await, (200, json!({"status": "ok"})));

    // The database goes away: alive, but not ready; back once it is restored.
    let db = t.db_path();
    let backup = t.dir().join("backup.sqlite3");
    diesel::sql_query(format!("VACUUM INTO '{}'", backup.display())).execute(&mut t.db()).unwrap();
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    assert_eq!(
        status_json(get("/readyz").await.unwrap()).await,
        (503, json!({"message": "The database query failed"}))
    );
    assert_eq!(get("/healthz").await.unwrap().status().as_u16(), 200);
    // A copy others may read is not served (it holds the signing key);
    // once it is its owner's only, it is.
    std::fs::copy(&backup, &db).unwrap();
    std::fs::set_permissions(&db, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    assert_eq!(get("/readyz").await.unwrap().status().as_u16(), 503);
    std::fs::set_permissions(&db, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    assert_eq!(get("/readyz").await.unwrap().status().as_u16(), 200);
}

/// SIGTERM during a stream of writes: requests in flight finish (none is
/// cut after the server read it: what was stored is exactly what was
/// acknowledged), new connections are refused, the process exits 0 within
/// the grace period, and every acknowledged write is there after a restart.
///
/// A connection still waiting in the kernel's accept queue when the listener
/// closes is reset by the kernel: its request was never read, and the client
/// sees a connection error, which is allowed here.
#[tokio::test]
async fn sigterm_finishes_requests_in_flight() {
    let database = common::TestDb::new();
    let dir = &database.dir;
    let db = database.url();
    let log = dir.path().join("server.log");
    add_admin(&db);
    let (mut child, url) = spawn_server(&db, &log, &["--shutdown-grace", "10"]);
    // One connection per request: no idle keep-alive connection to race the close.
    let http = reqwest::Client::builder().pool_max_idle_per_host(0).timeout(Duration::from_secs(20)).build().unwrap();
    let session = login(&http, &url).await;

    let mut writers = Vec::new();
    for w in 0..8 {
        let (http, url, session) = (http.clone(), url.clone(), session.clone());
        writers.push(tokio::spawn(async move {
            let (mut acked, mut refused, mut other) = (Vec::new(), 0, Vec::new());
            for i in 0..2000 {
                let name = format!("w{w}-{i}");
                let rb =
                    http.post(format!("{url}/api/v1/system/servers")).json(&json!({"hostname": name, "extname": name}));
                match with_session(rb, &session, true).send().await {
                    Ok(r) if r.status().as_u16() == 201 => acked.push(name),
                    Ok(r) => other.push(format!("{name}: {}", r.status())),
                    Err(e) if e.is_connect() || e.is_request() => {
                        refused += 1;
                        break;
                    }
                    Err(e) => other.push(format!("{name}: {e}")),
                }
            }
            (acked, refused, other)
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let pid = child.id().to_string();
    assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(started.elapsed() < Duration::from_secs(15), "the process outlived its grace period");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "a graceful stop exits 0: {status}");

    let mut acknowledged = Vec::new();
    for w in writers {
        let (acked, refused, other) = w.await.unwrap();
        assert!(other.is_empty(), "no request was cut or failed: {other:?}");
        assert_eq!(refused, 1, "each writer stopped at a refused (or never accepted) connection");
        acknowledged.extend(acked);
    }
    assert!(!acknowledged.is_empty());
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("SIGTERM") && text.contains("stopped"), "{text}");

    let (mut child, url) = spawn_server(&db, &log, &[]);
    let session = login(&http, &url).await;
    let rb = http.get(format!("{url}/api/v1/system/servers?limit=1000&level=0"));
    let (_, page) = status_json(with_session(rb, &session, false).send().await.unwrap()).await;
    child.kill().unwrap();
    let stored: std::collections::HashSet<&str> =
        page["data"].as_array().unwrap().iter().map(|s| s["hostname"].as_str().unwrap()).collect();
    for name in &acknowledged {
        assert!(stored.contains(name.as_str()), "acknowledged write {name} is missing");
    }
    assert_eq!(page["count"], acknowledged.len(), "nothing unacknowledged was stored");
}

fn hostadmin(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_hostadmin")).args(args).output().unwrap()
}

/// A backup taken while writes go on holds every write acknowledged before
/// it began; restore refuses a served database, checks the copy, and puts
/// the copy back.
#[tokio::test]
async fn backup_under_load_and_restore() {
    if common::sqlite_only("backup and restore of the SQLite file") {
        return;
    }
    let database = common::TestDb::new();
    let dir = &database.dir;
    let db = database.url();
    let log = dir.path().join("server.log");
    add_admin(&db);
    let (mut child, url) = spawn_server(&db, &log, &[]);
    let http = reqwest::Client::new();
    let session = login(&http, &url).await;

    let writer = {
        let (http, url, session) = (http.clone(), url.clone(), session.clone());
        tokio::spawn(async move {
            let mut acked = Vec::new();
            for i in 0..2000 {
                let name = format!("w{i}");
                let rb =
                    http.post(format!("{url}/api/v1/system/servers")).json(&json!({"hostname": name, "extname": name}));
                if with_session(rb, &session, true).send().await.unwrap().status().as_u16() == 201 {
                    acked.push((name, std::time::Instant::now()));
                }
            }
            acked
        })
    };
    tokio::time::sleep(Duration::from_millis(150)).await;
    let backup_file = dir.path().join("backup.sqlite3");
    let began = std::time::Instant::now();
    let out = hostadmin(&["backup", "--to", backup_file.to_str().unwrap(), "--database", &db]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let acked = writer.await.unwrap();
    let before: Vec<&String> = acked.iter().filter(|(_, at)| *at < began).map(|(n, _)| n).collect();
    assert!(
        !before.is_empty() && before.len() < acked.len(),
        "the backup ran during the writes ({} of {})",
        before.len(),
        acked.len()
    );

    let out = hostadmin(&["backup", "--to", backup_file.to_str().unwrap(), "--database", &db]);
    assert!(!out.status.success(), "a backup never overwrites a file");

    let out = hostadmin(&["restore", "--from", backup_file.to_str().unwrap(), "--database", &db]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("being served"), "{}", String::from_utf8_lossy(&out.stderr));
    child.kill().unwrap();
    child.wait().unwrap();

    let corrupt = dir.path().join("corrupt.sqlite3");
    std::fs::write(&corrupt, b"SQLite format 3\0 but not really a database").unwrap();
    let out = hostadmin(&["restore", "--from", corrupt.to_str().unwrap(), "--database", &db]);
    assert!(!out.status.success(), "a damaged copy is refused");

    let out = hostadmin(&["restore", "--from", backup_file.to_str().unwrap(), "--database", &db]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (mut child, url) = spawn_server(&db, &log, &[]);
    let session = login(&http, &url).await;
    let rb = http.get(format!("{url}/api/v1/system/servers?limit=1000&level=0"));
    let (_, page) = status_json(with_session(rb, &session, false).send().await.unwrap()).await;
    child.kill().unwrap();
    let restored: std::collections::HashSet<&str> =
        page["data"].as_array().unwrap().iter().map(|s| s["hostname"].as_str().unwrap()).collect();
    for name in before {
        assert!(restored.contains(name.as_str()), "{name}, acknowledged before the backup began, is in the copy");
    }
    assert!(restored.len() < acked.len(), "the restore put the older copy back");
}

/// HTTPS with a certificate from a CA made here: the generated client,
/// trusting that CA, logs in and calls the API; plain HTTP and a client
/// that does not trust the CA get nowhere.
#[tokio::test]
async fn tls_with_a_test_ca() {
    let dir = tempfile::tempdir().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(rcgen::DnType::CommonName, "hostadmin test CA");
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let leaf_params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()]).unwrap();
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let leaf = leaf_params.signed_by(&leaf_key, &issuer).unwrap();
    let (cert_file, key_file) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_file, leaf.pem()).unwrap();
    std::fs::write(&key_file, leaf_key.serialize_pem()).unwrap();

    let t = TestServer::start_with(|c| {
        c.tls = Some((cert_file.clone(), key_file.clone()));
        c.idle_timeout = std::time::Duration::from_secs(1);
    })
    .await;
    let https = t.url.replacen("http://", "https://", 1);
    let trusting = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(ca.pem().as_bytes()).unwrap()])
        .build()
        .unwrap();
    // Under TLS the session cookie is `Secure`.
    let login =
        trusting.post(format!("{https}/api/v1/login")).form(&[("user", common::ADMIN.0), ("pass", common::ADMIN.1)]);
    let response = login.send().await.unwrap();
    let cookie = response.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.ends_with("; Secure") && cookie.contains("HttpOnly"), "{cookie}");
    let client = hostadmin_client::Client::builder(&https).reqwest_client(trusting).build().unwrap();
    let session = client
        .login()
        .body(hostadmin_client::types::LoginForm {
            user: common::ADMIN.0.try_into().unwrap(),
            pass: common::ADMIN.1.try_into().unwrap(),
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(!session.csrf.is_empty());
    let health = client.health_live().send().await.unwrap().into_inner();
    assert_eq!(health.status, hostadmin_client::types::HealthStatus::Ok);

    let plain = reqwest::Client::new().get(format!("{}/healthz", t.url)).send().await;
    assert!(plain.map(|r| r.status().as_u16() != 200).unwrap_or(true), "plain HTTP is not served");
    let untrusting = reqwest::Client::builder().tls_certs_only(Vec::<reqwest::Certificate>::new()).build().unwrap();
    assert!(untrusting.get(format!("{https}/healthz")).send().await.is_err(), "an unknown CA is refused");

    // A client that sends nothing, and one whose client hello stops after
    // its record header, are disconnected after the idle timeout.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = t.server.local_addr();
    let silent = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut stalled = tokio::net::TcpStream::connect(addr).await.unwrap();
    stalled.write_all(&[0x16, 0x03, 0x01, 0x00, 0xc8]).await.unwrap();
    for (what, mut stream) in [("silent", silent), ("stalled hello", stalled)] {
        let mut buf = [0u8; 16];
        let read = tokio::time::timeout(Duration::from_secs(20), stream.read(&mut buf)).await;
        assert!(matches!(read, Ok(Ok(0) | Err(_))), "{what}: closed, not {read:?}");
    }
    // The server still serves.
    assert!(client.health_live().send().await.is_ok());
}

/// `GET /metrics`: off by default; on, it counts requests by operation and
/// status with latency histograms, pool use and failed logins.
#[tokio::test]
async fn metrics_count_requests_and_failed_logins() {
    let off = TestServer::start().await;
    assert_eq!(off.http().get(format!("{}/metrics", off.url)).send().await.unwrap().status().as_u16(), 404);

    let t = TestServer::start_with(|c| c.metrics = true).await;
    let client = t.session(common::ADMIN).await;
    for _ in 0..3 {
        client.server_list().send().await.unwrap();
    }
    assert_eq!(client.server_get().id(99).send().await.unwrap_err().status().map(|s| s.as_u16()), Some(404));
    let bad = t
        .http()
        .post(format!("{}/api/v1/login", t.url))
        .form(&[("user", "admin"), ("pass", "nope")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status().as_u16(), 401);

    let r = t.http().get(format!("{}/metrics", t.url)).send().await.unwrap();
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let text = r.text().await.unwrap();
    let value = |series: &str| -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(series).and_then(|rest| rest.strip_prefix(' ')))
            .unwrap_or_else(|| panic!("{series} missing from\n{text}"))
            .parse()
            .unwrap()
    };
    assert_eq!(value("hostadmin_requests_total{operation=\"server_list\",status=\"200\"}"), 3.0);
    assert_eq!(value("hostadmin_requests_total{operation=\"server_get\",status=\"404\"}"), 1.0);
    assert_eq!(value("hostadmin_requests_total{operation=\"login\",status=\"401\"}"), 1.0);
    assert_eq!(value("hostadmin_request_duration_seconds_count{operation=\"server_list\",status=\"200\"}"), 3.0);
    assert_eq!(
        value("hostadmin_request_duration_seconds_bucket{operation=\"server_list\",status=\"200\",le=\"+Inf\"}"),
        3.0
    );
    assert!(value("hostadmin_request_duration_seconds_sum{operation=\"server_list\",status=\"200\"}") > 0.0);
    assert_eq!(value("hostadmin_login_failures_total"), 1.0);
    assert_eq!(value("hostadmin_db_connections{state=\"max\"}"), 8.0);
    assert!(value("hostadmin_db_connections{state=\"open\"}") >= 1.0);
}

/// What a client sends cannot write lines of its own into the log: a
/// newline decoded from the path (or any other control character) is
/// escaped in the human format, written to a file or to a terminal, so
/// every line is a record the server wrote.
#[tokio::test]
async fn requests_cannot_forge_log_lines() {
    for on_terminal in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("h.sqlite3").to_str().unwrap().to_string();
        let log = dir.path().join("server.log");
        let flags = ["--log-level", "debug"];
        let (mut child, url) =
            if on_terminal { spawn_server_on_terminal(&db, &log, &flags) } else { spawn_server(&db, &log, &flags) };
        let http = reqwest::Client::new();
        for path in [
            "/docs/x%0aFORGED%20INFO%20admin%20logged%20in",
            "/api/2.0/group/%0aFORGED",
            "/api/v1/system/servers/%0dFORGED",
        ] {
            let status = http.get(format!("{url}{path}")).send().await.unwrap().status();
            assert!(status.is_client_error(), "{path}: {status}");
        }
        // The log shows the requests (so the check below looks at them).
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !std::fs::read_to_string(&log).unwrap().contains("FORGED") && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        let text = std::fs::read_to_string(&log).unwrap();
        assert!(text.contains("FORGED"), "terminal {on_terminal}: the requests were logged\n{text}");
        for line in text.lines() {
            assert!(
                !line.starts_with("FORGED"),
                "terminal {on_terminal}: a line of the client's own: {line:?}\n{text}"
            );
        }
        assert!(!text.contains('\r'), "terminal {on_terminal}: no carriage return reaches the log");
    }
}
