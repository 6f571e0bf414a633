//! Faults, load and abuse: nothing acknowledged is lost, nothing bad gets in.
//! Every loop here is bounded in count and time, and seeded.

mod common;

use std::io::Write;
use std::process::Command;
use std::time::Duration;

use common::{add_admin, login, spawn_server, status_json, with_session, TestServer, ADMIN};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde_json::{json, Value};

/// A small deterministic generator (no dependency, same sequence every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

/// A writer keeps creating servers while the process is killed with SIGKILL
/// at seeded moments and restarted on the same database, ten times. Every
/// write acknowledged with a 201 is there afterwards, whole; the database
/// passes `PRAGMA integrity_check`.
#[tokio::test]
async fn acknowledged_writes_survive_sigkill() {
    let database = common::TestDb::new();
    let dir = &database.dir;
    let db = database.url();
    let log = dir.path().join("server.log");
    add_admin(&db);
    let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    let mut rng = Lcg(20261123);
    let mut acknowledged = Vec::new();
    let mut attempted = 0;

    for round in 0..10 {
        let (mut child, url) = spawn_server(&db, &log, &[]);
        let session = login(&http, &url).await;
        let kill_after = Duration::from_millis(100 + rng.next(300));
        // The kill comes a seeded while after the first acknowledged write,
        // however slow this machine is at the moment.
        let (first_ack, first_acked) = tokio::sync::oneshot::channel::<()>();
        let writer = {
            let (http, url, session) = (http.clone(), url.clone(), session.clone());
            tokio::spawn(async move {
                let mut first_ack = Some(first_ack);
                let mut acked = Vec::new();
                let mut tried = 0;
                for i in 0..10_000 {
                    let hostname = format!("r{round}-w{i}");
                    tried += 1;
                    let rb = http
                        .post(format!("{url}/api/v1/system/servers"))
                        .json(&json!({"hostname": hostname, "extname": format!("{hostname}.ext")}));
                    match with_session(rb, &session, true).send().await {
                        Ok(r) if r.status().as_u16() == 201 => {
                            acked.push(hostname);
                            if let Some(signal) = first_ack.take() {
                                let _ = signal.send(());
                            }
                        }
                        Ok(r) => panic!("unexpected {} for {hostname}", r.status()),
                        Err(_) => break, // the process is gone: this write was not acknowledged
                    }
                }
                (acked, tried)
            })
        };
        let _ = tokio::time::timeout(Duration::from_secs(30), first_acked).await;
        tokio::time::sleep(kill_after).await;
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let (acked, tried) = writer.await.unwrap();
        assert!(!acked.is_empty(), "round {round} wrote something before the kill");
        acknowledged.extend(acked);
        attempted += tried;
    }

    // Restart once more and read everything back through the API.
    let (mut child, url) = spawn_server(&db, &log, &[]);
    let session = login(&http, &url).await;
    let mut stored = std::collections::HashMap::new();
    let mut offset = 0;
    loop {
        let rb = http.get(format!("{url}/api/v1/system/servers?limit=1000&offset={offset}"));
        let (status, page) = status_json(with_session(rb, &session, false).send().await.unwrap()).await;
        assert_eq!(status, 200);
        let data = page["data"].as_array().unwrap();
        for s in data {
            stored.insert(s["hostname"].as_str().unwrap().to_string(), s["extname"].as_str().unwrap().to_string());
        }
        offset += data.len();
        if data.is_empty() {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    for hostname in &acknowledged {
        assert_eq!(
            stored.get(hostname),
            Some(&format!("{hostname}.ext")),
            "acknowledged write {hostname} is lost or torn"
        );
    }
    for (hostname, extname) in &stored {
        assert_eq!(extname, &format!("{hostname}.ext"), "no half-applied row");
    }
    assert!(
        stored.len() >= acknowledged.len() && stored.len() <= attempted,
        "{} stored, {} attempted",
        stored.len(),
        attempted
    );

    #[derive(QueryableByName)]
    struct Check {
        #[diesel(sql_type = diesel::sql_types::Text)]
        integrity_check: String,
    }
    if !database.is_postgres() {
        let check: Vec<Check> = diesel::sql_query("PRAGMA integrity_check").load(&mut database.conn()).unwrap();
        assert_eq!(check.iter().map(|c| c.integrity_check.as_str()).collect::<Vec<_>>(), ["ok"]);
    }
    eprintln!("sigkill: 10 kills, {attempted} writes attempted, {} acknowledged, all present", acknowledged.len());
}

/// 64 concurrent clients mixing reads and writes on the same and on
/// different rows: no 5xx, unique values hold, counts lose nothing.
#[tokio::test]
async fn sixty_four_concurrent_clients() {
    let t = TestServer::start_with(|c| {
        c.db.busy_timeout = Duration::from_secs(10);
        c.db.max_connections = 8;
    })
    .await;
    let session = t.login(ADMIN).await;
    let token = t.account_token(ADMIN.0);
    let server = t.add_server("shared").await;
    let url = t.url.clone();

    let mut tasks = Vec::new();
    for client in 0..64 {
        let (http, url, session, token) = (t.http(), url.clone(), session.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            let mut statuses = Vec::new();
            // Everyone races to create the same hostname once.
            let rb = http
                .post(format!("{url}/api/v1/system/servers"))
                .json(&json!({"hostname": "contested", "extname": format!("c{client}")}));
            statuses.push(("contested", with_session(rb, &session, true).send().await.unwrap().status().as_u16()));
            for i in 0..6 {
                // A domain on the shared server: the server's count must see every one.
                let r = http
                    .post(format!("{url}/api/domains"))
                    .header("X-Api-Token", &token)
                    .json(&json!({"name": format!("d{client}-{i}.example"), "server_id": server}))
                    .send()
                    .await
                    .unwrap();
                statuses.push(("domain", r.status().as_u16()));
                // The same row, patched by everyone.
                let rb = http
                    .patch(format!("{url}/api/v1/system/servers/{server}"))
                    .json(&json!({"extname": format!("shared-{client}-{i}")}));
                statuses.push(("patch", with_session(rb, &session, true).send().await.unwrap().status().as_u16()));
                // Reads.
                let rb = http.get(format!("{url}/api/v1/system/servers?level=2&sort=users,desc"));
                statuses.push(("list", with_session(rb, &session, false).send().await.unwrap().status().as_u16()));
            }
            statuses
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    assert_eq!(all.len(), 64 * (1 + 6 * 3));
    assert!(
        all.iter().all(|(_, s)| *s < 500),
        "no 5xx: {:?}",
        all.iter().filter(|(_, s)| *s >= 500).collect::<Vec<_>>()
    );
    let contested: Vec<u16> = all.iter().filter(|(k, _)| *k == "contested").map(|(_, s)| *s).collect();
    assert_eq!(contested.iter().filter(|s| **s == 201).count(), 1, "exactly one create wins");
    assert_eq!(contested.iter().filter(|s| **s == 400).count(), 63, "the others are told it is taken");
    let domains = all.iter().filter(|(k, s)| *k == "domain" && *s == 201).count();
    assert_eq!(domains, 64 * 6, "every domain create succeeded");
    assert!(all.iter().filter(|(k, _)| *k == "patch").all(|(_, s)| *s == 200));

    let client = t.session(ADMIN).await;
    let shared = client.server_get().id(server).send().await.unwrap().into_inner();
    assert_eq!(shared.domains, Some(domains as i64), "no lost update on the count");
}

/// No password, session, CSRF token or API token appears in the logs, even
/// at debug level, after they have all been used and refused.
#[tokio::test]
async fn no_secret_reaches_the_log() {
    let database = common::TestDb::new();
    let dir = &database.dir;
    let db = database.url();
    let log = dir.path().join("server.log");
    add_admin(&db);
    let out = Command::new(env!("CARGO_BIN_EXE_hostadmin"))
        .args(["token", "create", "--user", ADMIN.0, "--database", &db])
        .output()
        .unwrap();
    let api_token = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let (mut child, url) = spawn_server(&db, &log, &["--log-level", "debug"]);
    let http = reqwest::Client::new();

    let session = login(&http, &url).await;
    let _ =
        http.post(format!("{url}/api/v1/login")).form(&[("user", ADMIN.0), ("pass", "wrong-secret-9")]).send().await;
    let rb = http.post(format!("{url}/api/v1/system/servers")).json(&json!({"hostname": "h", "extname": "e"}));
    assert_eq!(with_session(rb, &session, true).send().await.unwrap().status().as_u16(), 201);
    let oo: Value = http
        .post(format!("{url}/api/2.0/authentication"))
        .json(&json!({"userName": ADMIN.0, "password": ADMIN.1}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let oo_token = oo["response"]["token"].as_str().unwrap().to_string();
    let status = |rb: reqwest::RequestBuilder| async move { rb.send().await.unwrap().status().as_u16() };
    assert_eq!(status(http.get(format!("{url}/api/2.0/group")).header("Authorization", &oo_token)).await, 200);
    assert_eq!(status(http.get(format!("{url}/api/managers")).header("X-Api-Token", &api_token)).await, 200);
    let wrong = format!("{api_token}x");
    assert_eq!(status(http.get(format!("{url}/api/managers")).header("X-Api-Token", &wrong)).await, 401);
    child.kill().unwrap();
    child.wait().unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;

    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("request completed"), "the log was captured");
    let api_secret = api_token.splitn(3, '_').nth(2).unwrap();
    let jwt_signature = session.grommunio_auth_jwt.rsplit('.').next().unwrap();
    for (what, secret) in [
        ("password", ADMIN.1),
        ("wrong password", "wrong-secret-9"),
        ("session JWT", jwt_signature),
        ("CSRF token", session.csrf.as_str()),
        ("groups token", oo_token.rsplit('.').next().unwrap()),
        ("API token", api_secret),
    ] {
        assert!(!text.contains(secret), "the {what} appears in the log");
    }
}

async fn raw_exchange(addr: &str, bytes: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let _ = stream.write_all(bytes).await;
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

/// Oversized headers and a bounded flood of malformed requests are refused,
/// and the server answers normally afterwards.
#[tokio::test]
async fn oversized_headers_and_a_malformed_flood() {
    let t = TestServer::start().await;
    let addr = t.url.trim_start_matches("http://").to_string();

    let huge =
        format!("GET /api/v1/system/servers HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n", "a".repeat(2 * 1024 * 1024));
    let answer = raw_exchange(&addr, huge.as_bytes()).await;
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 431") || answer.starts_with("HTTP/1.1 400"),
        "{answer:.80}"
    );

    let mut rng = Lcg(7);
    let mut refused = 0;
    for i in 0..300 {
        let garbage: Vec<u8> = match i % 4 {
            0 => (0..64).map(|_| rng.next(256) as u8).collect(),
            1 => b"GET / HTTP/9.9\r\n\r\n".to_vec(),
            2 => b"POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n".to_vec(),
            _ => b"\r\n\r\nGARBAGE\r\n\r\n".to_vec(),
        };
        let answer = raw_exchange(&addr, &garbage).await;
        if answer.is_empty() || answer.starts_with("HTTP/1.1 4") {
            refused += 1;
        } else {
            assert!(!answer.starts_with("HTTP/1.1 5"), "a server error for malformed input {i}: {answer:.80}");
        }
    }
    assert_eq!(refused, 300, "every malformed request is refused");
    let client = t.session(ADMIN).await;
    assert_eq!(
        client.server_list().send().await.unwrap().into_inner().count,
        0,
        "and the server still answers normally"
    );
}

/// Slow clients (a byte a second, slowloris-style) do not starve others,
/// and are cut off (hyper's 30 s header read timeout).
#[tokio::test]
async fn slow_clients_are_cut_off_and_starve_no_one() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let t = TestServer::start().await;
    let addr = t.url.trim_start_matches("http://").to_string();
    let mut slow = Vec::new();
    for _ in 0..32 {
        let addr = addr.clone();
        slow.push(tokio::spawn(async move {
            let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
            let request = b"GET /api/v1/system/servers HTTP/1.1\r\nHost: x\r\nX-Slow: ";
            let started = std::time::Instant::now();
            for b in request.iter().chain(std::iter::repeat(&b'a')).take(60) {
                if stream.write_all(&[*b]).await.is_err() {
                    return started.elapsed(); // cut off while writing
                }
                let mut buf = [0u8; 256];
                if let Ok(Ok(0)) = tokio::time::timeout(Duration::from_secs(1), stream.read(&mut buf)).await {
                    return started.elapsed(); // the server closed the connection
                }
            }
            started.elapsed()
        }));
    }
    // Meanwhile, ordinary clients are served.
    let client = t.session(ADMIN).await;
    for _ in 0..20 {
        assert_eq!(client.server_list().send().await.unwrap().status().as_u16(), 200);
    }
    for s in slow {
        let lasted = s.await.unwrap();
        assert!(lasted < Duration::from_secs(58), "a slow client was cut off, after {lasted:?}");
    }
}

/// A tmpfs of a few MiB, unmounted when dropped (the test runs as root,
/// as CI does; it fails loudly rather than skip when it cannot mount).
struct SmallDisk(std::path::PathBuf, #[allow(dead_code)] tempfile::TempDir);

impl SmallDisk {
    fn mount(mib: u32) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={mib}m"), "tmpfs"])
            .arg(dir.path())
            .status()
            .expect("mount(8) is needed for the disk-full test");
        assert!(status.success(), "mounting a tmpfs needs root (CI runs as root)");
        SmallDisk(dir.path().to_path_buf(), dir)
    }

    /// Fills the disk to the last byte; returns the filler's path.
    fn fill(&self) -> std::path::PathBuf {
        let filler = self.0.join("filler");
        let mut f = std::fs::File::create(&filler).unwrap();
        let block = vec![0u8; 64 * 1024];
        while f.write_all(&block).is_ok() {}
        let mut small = vec![0u8; 512];
        while !small.is_empty() {
            if f.write_all(&small).is_err() {
                small.truncate(small.len() / 2);
            }
        }
        filler
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        // Lazily: the server under test may still hold its files for a moment.
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// The disk fills up under the database: writes answer 503 in the
/// documented shape, reads and the process carry on, nothing written before
/// is lost, and writes resume once there is room again.
#[tokio::test]
async fn a_full_disk_gives_503_and_service_resumes() {
    if common::sqlite_only("the SQLite file on a full disk") {
        return;
    }
    let disk = SmallDisk::mount(4);
    let database = disk.0.join("h.sqlite3");
    let t = TestServer::start_with(|c| c.database = hostadmin_server::db::Location::Sqlite(database.clone())).await;
    let session = t.login(ADMIN).await;
    let create = |name: String| {
        let rb = t
            .http()
            .post(format!("{}/api/v1/system/servers", t.url))
            .json(&json!({"hostname": name, "extname": format!("{name}-{}", "e".repeat(200))}));
        with_session(rb, &session, true).send()
    };
    for i in 0..20 {
        assert_eq!(create(format!("before{i}")).await.unwrap().status().as_u16(), 201);
    }

    let filler = disk.fill();
    let mut unavailable = 0;
    let mut created_during = 0;
    for i in 0..200 {
        let (status, body) = status_json(create(format!("during{i}")).await.unwrap()).await;
        match status {
            201 => created_during += 1,
            503 => {
                assert_eq!(body, json!({"message": "The database query failed"}));
                unavailable += 1;
            }
            other => panic!("unexpected {other}: {body}"),
        }
        if unavailable >= 3 {
            break;
        }
    }
    assert!(unavailable >= 3, "a full disk makes writes fail (created {created_during} first)");
    let rb = t.http().get(format!("{}/api/v1/system/servers?limit=1000", t.url));
    let (status, page) = status_json(with_session(rb, &session, false).send().await.unwrap()).await;
    assert_eq!(status, 200, "reads carry on");
    assert_eq!(page["count"], 20 + created_during, "nothing written before is lost, nothing refused is half there");

    std::fs::remove_file(filler).unwrap();
    assert_eq!(create("after".into()).await.unwrap().status().as_u16(), 201, "service resumes");
}

/// A session of an account demoted to read-only loses its write access at
/// once, without logging in again.
#[tokio::test]
async fn a_demoted_account_stops_writing_at_once() {
    let t = TestServer::start().await;
    let session = t.login(ADMIN).await;
    assert_eq!(t.post_server(&session, "one").await.status().as_u16(), 201);
    diesel::sql_query("UPDATE accounts SET role = 'readonly' WHERE name = 'admin'").execute(&mut t.db()).unwrap();
    assert_eq!(t.post_server(&session, "two").await.status().as_u16(), 403);
    let stored: Vec<String> = {
        #[derive(QueryableByName)]
        struct Hash {
            #[diesel(sql_type = diesel::sql_types::Text)]
            password_hash: String,
        }
        diesel::sql_query("SELECT password_hash FROM accounts")
            .load::<Hash>(&mut t.db())
            .unwrap()
            .into_iter()
            .map(|h| h.password_hash)
            .collect()
    };
    assert!(stored.iter().all(|h| h.starts_with("$argon2id$")), "passwords are stored as argon2id hashes: {stored:?}");
}

/// The database files turn read-only under the running server (the
/// immutable flag, which binds even root and files already open): writes
/// answer 503, reads carry on, and writes resume once they are writable.
#[tokio::test]
async fn a_read_only_database_gives_503_and_service_resumes() {
    if common::sqlite_only("a read-only SQLite file") {
        return;
    }
    let t = TestServer::start().await;
    let session = t.login(ADMIN).await;
    assert_eq!(t.post_server(&session, "before").await.status().as_u16(), 201);

    let db = t.db_path();
    let files = [db.clone(), db.with_extension("sqlite3-wal")];
    let chattr = |flag: &str| {
        for f in &files {
            let status = Command::new("chattr").arg(flag).arg(f).status().expect("chattr(1) is needed");
            assert!(status.success(), "chattr {flag} {} (needs root on ext4, as CI has)", f.display());
        }
    };
    struct Writable<'a>(&'a [std::path::PathBuf]);
    impl Drop for Writable<'_> {
        fn drop(&mut self) {
            for f in self.0 {
                let _ = Command::new("chattr").arg("-i").arg(f).status();
            }
        }
    }
    chattr("+i");
    let guard = Writable(&files);
    let (status, body) = status_json(t.post_server(&session, "during").await).await;
    assert_eq!((status, body), (503, json!({"message": "The database query failed"})));
    let rb = t.http().get(format!("{}/api/v1/system/servers", t.url));
    let (status, page) = status_json(with_session(rb, &session, false).send().await.unwrap()).await;
    assert_eq!((status, page["count"].clone()), (200, json!(1)), "reads carry on");
    drop(guard);
    assert_eq!(t.post_server(&session, "after").await.status().as_u16(), 201, "service resumes");
    let rb = t.http().get(format!("{}/api/v1/system/servers", t.url));
    let (_, page) = status_json(with_session(rb, &session, false).send().await.unwrap()).await;
    assert_eq!(page["count"], 2, "the refused write left nothing behind");
}

/// The database file is deleted under the running server: requests answer
/// 503 rather than write into an unlinked file, and once a copy is put back
/// in its place the service reopens it and carries on.
#[tokio::test]
async fn a_deleted_database_gives_503_until_it_is_restored() {
    if common::sqlite_only("a deleted SQLite file") {
        return;
    }
    let t = TestServer::start().await;
    let session = t.login(ADMIN).await;
    let list = || with_session(t.http().get(format!("{}/api/v1/system/servers", t.url)), &session, false).send();
    assert_eq!(t.post_server(&session, "kept").await.status().as_u16(), 201);

    let db = t.db_path();
    let backup = t.dir().join("backup.sqlite3");
    diesel::sql_query(format!("VACUUM INTO '{}'", backup.display())).execute(&mut t.db()).unwrap();
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let (status, body) = status_json(t.post_server(&session, "lost").await).await;
    assert_eq!((status, body), (503, json!({"message": "The database query failed"})));
    assert_eq!(list().await.unwrap().status().as_u16(), 503, "reads too: the data is gone");
    let one = || with_session(t.http().get(format!("{}/api/v1/system/servers/1", t.url)), &session, false).send();
    assert_eq!(one().await.unwrap().status().as_u16(), 503, "a lookup by key, with a session kept before");

    std::fs::copy(&backup, &db).unwrap();
    // Put back readable by others, it is not served (it holds the signing
    // key); once it is its owner's only, it is.
    std::fs::set_permissions(&db, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    assert_eq!(list().await.unwrap().status().as_u16(), 503);
    std::fs::set_permissions(&db, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let (status, page) = status_json(list().await.unwrap()).await;
    assert_eq!((status, page["data"][0]["hostname"].clone()), (200, json!("kept")), "the restored file is reopened");
    let (status, server) = status_json(one().await.unwrap()).await;
    assert_eq!((status, server["hostname"].clone()), (200, json!("kept")));
    assert_eq!(t.post_server(&session, "after").await.status().as_u16(), 201, "writes resume");
}

/// The database file is deleted while the writer is busy with a stream of
/// concurrent creates (its batches follow one another without a pause):
/// every write sent after the deletion is refused with 503, none is
/// acknowledged into the unlinked file.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_database_deleted_under_a_busy_writer_acknowledges_nothing_after() {
    if common::sqlite_only("a deleted SQLite file") {
        return;
    }
    let t = TestServer::start().await;
    let session = t.login(ADMIN).await;
    let deleted = std::sync::OnceLock::<std::time::Instant>::new();
    let stop = std::sync::atomic::AtomicBool::new(false);
    let http = t.http();
    let client = |n: usize| {
        let (t, http, session, deleted, stop) = (&t, &http, &session, &deleted, &stop);
        async move {
            let mut seen = Vec::new();
            for i in 0..2_000 {
                if stop.load(std::sync::atomic::Ordering::Relaxed) {
                    break;
                }
                let sent = std::time::Instant::now();
                let name = format!("busy-{n}-{i}");
                let rb = http
                    .post(format!("{}/api/v1/system/servers", t.url))
                    .json(&json!({"hostname": name, "extname": name}));
                let status = with_session(rb, session, true).send().await.unwrap().status().as_u16();
                seen.push((deleted.get().is_some_and(|at| *at < sent), status));
            }
            seen
        }
    };
    let clients = futures::future::join_all((0..32).map(client));
    let fault = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let db = t.db_path();
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
        deleted.set(std::time::Instant::now()).unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
    };
    let (seen, ()) = tokio::join!(clients, fault);
    let seen: Vec<(bool, u16)> = seen.into_iter().flatten().collect();
    let before = seen.iter().filter(|(after, status)| !after && *status == 201).count();
    let after: Vec<u16> = seen.iter().filter(|(after, _)| *after).map(|(_, status)| *status).collect();
    assert!(before > 16, "the writer was busy before the deletion ({before} creates)");
    assert!(!after.is_empty(), "writes were sent after the deletion");
    assert!(after.iter().all(|&status| status == 503), "after the deletion: {after:?}");
}

/// The writer commits batch after batch without a pause while writes keep
/// coming; the file is deleted while one batch runs. The next batch,
/// queued meanwhile (its request already authenticated), is refused with
/// 503: the writer checks the file before every batch, not once per run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_writer_checks_the_file_before_every_batch() {
    if common::sqlite_only("a deleted SQLite file") {
        return;
    }
    let database = common::TestDb::new();
    let pool = hostadmin_server::db::open(&database.location, &Default::default()).unwrap();
    let (running, is_running) = std::sync::mpsc::channel();
    let (go, wait) = std::sync::mpsc::channel::<()>();
    let first = tokio::spawn({
        let pool = pool.clone();
        async move {
            hostadmin_server::db::write(&pool, move |conn| {
                running.send(()).unwrap();
                wait.recv_timeout(Duration::from_secs(10)).unwrap();
                hostadmin_server::servers::insert(conn, "first.test", "first.example")
            })
            .await
        }
    });
    tokio::task::spawn_blocking(move || is_running.recv_timeout(Duration::from_secs(10)).unwrap()).await.unwrap();
    // Queued behind the running batch: the writer's next one.
    let second = tokio::spawn({
        let pool = pool.clone();
        async move {
            hostadmin_server::db::write(&pool, |conn| {
                hostadmin_server::servers::insert(conn, "second.test", "second.example")
            })
            .await
        }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let db = database.path();
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    go.send(()).unwrap();
    first.await.unwrap().expect("the batch that was running when the file went");
    let refused = second.await.unwrap().expect_err("a batch begun after the deletion");
    assert!(matches!(refused, hostadmin_api::wire::Problem::Unavailable(_)), "{refused:?}");
}

/// PostgreSQL goes away under the service (here: every connection of the
/// service terminated, as a restart or a failover does): a request that
/// meets a dead connection answers 503 in the documented shape, and the
/// service replaces its connections by itself.
#[tokio::test]
async fn dropped_database_connections_are_replaced() {
    let t = TestServer::start().await;
    if !t.database.is_postgres() {
        eprintln!("skipped on SQLite: no server connections to drop");
        return;
    }
    let session = t.login(ADMIN).await;
    assert_eq!(t.post_server(&session, "before").await.status().as_u16(), 201);
    #[derive(QueryableByName)]
    struct Terminated {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let terminated: Terminated = diesel::sql_query(
        "SELECT COUNT(pg_terminate_backend(pid)) AS n FROM pg_stat_activity \
         WHERE application_name = 'hostadmin ' || current_schema() AND pid <> pg_backend_pid()",
    )
    .get_result(&mut t.db())
    .unwrap();
    assert!(terminated.n >= 1, "the service's connections were found");
    let url = format!("{}/api/v1/system/servers?limit=10", t.url);
    let mut statuses = Vec::new();
    for _ in 0..30 {
        let (status, body) = status_json(with_session(t.http().get(&url), &session, false).send().await.unwrap()).await;
        match status {
            200 => assert_eq!(body["count"], 1),
            503 => assert_eq!(body, json!({"message": "The database query failed"})),
            other => panic!("{other}: {body}"),
        }
        statuses.push(status);
    }
    eprintln!("after the connections were dropped: {statuses:?}");
    assert!(
        statuses.iter().filter(|s| **s == 503).count() <= 8,
        "at most one failure per pooled connection: {statuses:?}"
    );
    assert!(statuses[20..].iter().all(|s| *s == 200), "recovered: {statuses:?}");
    assert_eq!(t.post_server(&session, "after").await.status().as_u16(), 201);
}

/// Another writer (another process, say) holding the database's write lock
/// in a transaction on a thread of its own, from [`LockHolder::take`]
/// (which returns once it holds it) until [`LockHolder::let_go`].
struct LockHolder {
    release: std::sync::mpsc::Sender<()>,
    thread: std::thread::JoinHandle<Result<(), diesel::result::Error>>,
}

impl LockHolder {
    fn take(mut conn: hostadmin_server::db::Conn) -> Self {
        let (locked, is_locked) = std::sync::mpsc::channel();
        let (release, released) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            hostadmin_server::db::write_transaction(&mut conn, |_| -> Result<(), diesel::result::Error> {
                locked.send(()).unwrap();
                let _ = released.recv_timeout(Duration::from_secs(30));
                Ok(())
            })
        });
        is_locked.recv_timeout(Duration::from_secs(10)).unwrap();
        LockHolder { release, thread }
    }

    /// Ends the transaction: how its commit went.
    fn let_go(self) -> Result<(), diesel::result::Error> {
        self.release.send(()).unwrap();
        self.thread.join().unwrap()
    }
}

/// The `hostadmin_db_*` counters of `/metrics`: (transactions, writes, queued).
async fn write_counters(t: &TestServer) -> (u64, u64, u64) {
    let text = t.http().get(format!("{}/metrics", t.url)).send().await.unwrap().text().await.unwrap();
    let value = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name).and_then(|v| v.strip_prefix(' ')))
            .unwrap_or_else(|| panic!("{name} in\n{text}"))
            .parse::<u64>()
            .unwrap()
    };
    (
        value("hostadmin_db_write_transactions_total"),
        value("hostadmin_db_writes_total"),
        value("hostadmin_db_writes_queued"),
    )
}

/// Group commit: twenty creates sent at the same moment while another
/// writer (another process, say) holds the database's write lock. One of
/// them waits for the lock; the nineteen queued behind it are committed
/// together in one transaction once it is free. Each gets its own answer —
/// the one whose hostname another of the batch took first is refused, and
/// only it — and what is stored (servers, audit entries) is exactly what
/// was acknowledged. Both backends.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn queued_writes_share_one_commit_and_each_gets_its_own_answer() {
    let t = TestServer::start_with(|c| {
        c.metrics = true;
        c.db.busy_timeout = Duration::from_secs(20);
    })
    .await;
    let session = t.login(ADMIN).await;

    // Another writer takes the write lock and holds it until told.
    let holder = LockHolder::take(t.database.conn());
    let before = write_counters(&t).await;

    let mut requests = Vec::new();
    for i in 0..20 {
        // The last one asks for the first one's name.
        let name = format!("batch-{}", if i == 19 { 0 } else { i });
        let (http, url, session) = (t.http(), t.url.clone(), session.clone());
        requests.push(tokio::spawn(async move {
            let rb =
                http.post(format!("{url}/api/v1/system/servers")).json(&json!({"hostname": name, "extname": name}));
            let response = with_session(rb, &session, true).send().await.unwrap();
            (name, response.status().as_u16())
        }));
    }
    // One waits for the lock, nineteen queue behind it.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while write_counters(&t).await.2 < 19 {
        assert!(std::time::Instant::now() < deadline, "the writes did not queue: {:?}", write_counters(&t).await);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    holder.let_go().unwrap();

    let mut answers = Vec::new();
    for request in requests {
        answers.push(request.await.unwrap());
    }
    let created: Vec<&String> = answers.iter().filter(|(_, s)| *s == 201).map(|(n, _)| n).collect();
    let refused: Vec<&(String, u16)> = answers.iter().filter(|(_, s)| *s != 201).collect();
    assert_eq!(created.len(), 19, "{answers:?}");
    assert_eq!(refused.len(), 1, "{answers:?}");
    assert_eq!((refused[0].0.as_str(), refused[0].1), ("batch-0", 400), "only the duplicate is refused");

    let after = write_counters(&t).await;
    assert_eq!(after.1 - before.1, 19, "nineteen writes committed");
    assert_eq!(after.0 - before.0, 2, "in two transactions: the one that waited for the lock, then the rest together");
    assert_eq!(after.2, 0);

    // Stored: exactly the acknowledged writes, each with its audit entry.
    let client = t.session(ADMIN).await;
    let stored = client.server_list().match_("batch-").limit(100).send().await.unwrap().into_inner();
    let mut names: Vec<String> = stored.data.iter().map(|s| s.hostname.to_string()).collect();
    names.sort();
    let mut expected: Vec<String> = created.iter().map(|n| n.to_string()).collect();
    expected.sort();
    expected.dedup();
    assert_eq!(names, expected);
    let (status, audit) = status_json(
        with_session(t.http().get(format!("{}/api/v1/system/audit?limit=100", t.url)), &session, false)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    let creates = audit["data"].as_array().unwrap().iter().filter(|e| e["operation"] == "server_create").count();
    assert_eq!(creates, 19, "one audit entry per acknowledged create");
}

/// Creates `n` servers named `{prefix}-{i}` (padded to `len` characters)
/// through `pool`'s writer while another connection holds the database's
/// write lock: the first is taken by the writer, which waits for the lock
/// with it, and the others queue behind; then the lock is let go. Returns
/// what each create answered, in order.
async fn creates_behind_a_lock(
    database: &common::TestDb,
    pool: &hostadmin_server::db::Pool,
    prefix: &str,
    n: usize,
    len: usize,
) -> Vec<Result<i64, hostadmin_api::wire::Problem>> {
    use hostadmin_server::db;
    let create = |i: usize| {
        let pool = pool.clone();
        let name = format!("{prefix}-{i:03}-");
        let name = format!("{name}{}", "n".repeat(len.saturating_sub(name.len())));
        async move { db::write(&pool, move |conn| Ok(hostadmin_server::servers::insert(conn, &name, &name)?.id)).await }
    };
    let until = |what: &str, done: &dyn Fn() -> bool| {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while !done() {
            assert!(std::time::Instant::now() < deadline, "{what}: {:?}", pool.write_stats());
            std::thread::sleep(Duration::from_millis(5));
        }
    };
    let holder = LockHolder::take(database.conn());
    // Queued at this poll, then taken by the writer, alone.
    let mut first = Box::pin(create(0));
    assert!(futures::poll!(&mut first).is_pending());
    until("the writer did not take the first create", &|| pool.write_stats().queued == 0);
    let rest: Vec<_> = (1..n).map(|i| tokio::spawn(create(i))).collect();
    until("the creates did not queue", &|| pool.write_stats().queued == n - 1);
    holder.let_go().unwrap();
    let mut answers = vec![first.await];
    for create in rest {
        answers.push(create.await.unwrap());
    }
    answers
}

/// How many servers of `database` are named `{prefix}-...`, as
/// [`creates_behind_a_lock`] names them.
fn servers_named(database: &common::TestDb, prefix: &str) -> i64 {
    use hostadmin_server::schema::servers;
    servers::table
        .filter(servers::hostname.like(format!("{prefix}-%")))
        .count()
        .get_result(&mut database.conn())
        .unwrap()
}

/// `write_batch` bounds a shared transaction: twelve creates queued behind
/// another writer's lock are committed in transactions of at most that many
/// once it is free (the one that waited for the lock alone, then the eleven
/// queued behind it), and with 1 each in its own. Every create is stored.
/// Both backends.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn write_batch_bounds_how_many_writes_share_a_commit() {
    use hostadmin_server::db::{self, DbOptions};
    for (batch, transactions) in [(5, 1 + 3), (1, 12)] {
        let database = common::TestDb::new();
        let options = DbOptions { busy_timeout: Duration::from_secs(20), write_batch: batch, ..Default::default() };
        let pool = db::open(&database.location, &options).unwrap();
        let prefix = format!("bounded-{batch}");
        let answers = creates_behind_a_lock(&database, &pool, &prefix, 12, 0).await;
        assert!(answers.iter().all(Result::is_ok), "write_batch = {batch}: {answers:?}");
        let stats = pool.write_stats();
        assert_eq!(stats.writes, 12, "write_batch = {batch}");
        assert_eq!(stats.transactions, transactions, "write_batch = {batch}");
        assert_eq!(servers_named(&database, &prefix), 12, "write_batch = {batch}");
    }
}

/// The writer keeps the journal of its savepoints (the originals of the
/// pages each write of a batch changes) in memory, where SQLite would spill
/// it to a temporary file past 64 KiB: `temp_store = MEMORY` on its
/// connection, and on no other. A batch of 63 creates with long names
/// commits whole. SQLite.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_writer_keeps_its_savepoints_journal_in_memory() {
    use hostadmin_server::db::{self, DbOptions};
    if common::sqlite_only("temp_store is SQLite's") {
        return;
    }
    #[derive(QueryableByName)]
    struct TempStore {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        temp_store: i32,
    }
    fn temp_store(conn: &mut db::Conn) -> diesel::QueryResult<i32> {
        Ok(diesel::sql_query("PRAGMA temp_store").get_result::<TempStore>(conn)?.temp_store)
    }
    let database = common::TestDb::new();
    let options = DbOptions { busy_timeout: Duration::from_secs(20), ..Default::default() };
    let pool = db::open(&database.location, &options).unwrap();
    assert_eq!(db::write(&pool, |conn| Ok(temp_store(conn)?)).await.unwrap(), 2, "the writer: MEMORY");
    assert_eq!(db::run(&pool, |conn| Ok(temp_store(conn)?)).await.unwrap(), 0, "a pooled connection: the default");

    let answers = creates_behind_a_lock(&database, &pool, "journal", 64, 250).await;
    assert!(answers.iter().all(Result::is_ok), "{answers:?}");
    let stats = pool.write_stats();
    assert_eq!((stats.transactions, stats.writes), (3, 65), "the pragma's, the first create's, then 63 together");
    assert_eq!(servers_named(&database, "journal"), 64);
}

/// The service's upkeep of `match`'s index (a merge step on the writer when
/// no write has come for 200 ms, tried at start) never waits for another
/// program's lock on the file: while another writer holds it, a create sent
/// to the idle service goes straight to SQLite's lock (it is not queued
/// behind an upkeep step waiting for the same lock), and it is stored once
/// the lock is let go. SQLite.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn index_upkeep_never_holds_writes_behind_another_programs_lock() {
    if common::sqlite_only("the gram index upkeep is SQLite's") {
        return;
    }
    let t = TestServer::start_with(|c| {
        c.metrics = true;
        c.db.busy_timeout = Duration::from_secs(20);
    })
    .await;
    let session = t.login(ADMIN).await;
    let holder = LockHolder::take(t.database.conn());
    // Idle for several of the upkeep's intervals: it tries its step on the
    // locked file meanwhile.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let create = {
        let (http, url, session) = (t.http(), t.url.clone(), session.clone());
        tokio::spawn(async move {
            let rb = http
                .post(format!("{url}/api/v1/system/servers"))
                .json(&json!({"hostname": "behind.lock", "extname": "behind.lock"}));
            with_session(rb, &session, true).send().await.unwrap().status().as_u16()
        })
    };
    for _ in 0..15 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(write_counters(&t).await.2, 0, "the create waits in the queue, behind something else");
    }
    assert!(!create.is_finished(), "the create did not wait for the other program's lock");
    holder.let_go().unwrap();
    assert_eq!(create.await.unwrap(), 201);
    let client = t.session(ADMIN).await;
    let stored = client.server_list().match_("behind.lock").send().await.unwrap().into_inner();
    assert_eq!(stored.count, 1);
}

/// Group commit on a full disk: twenty creates queued behind another
/// writer while the disk fills up, so that the batch's transaction is lost
/// (a write fails inside it, or its commit does). Every answer is 201 or
/// the documented 503, exactly the acknowledged servers are stored, and
/// writes resume once there is room.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_lost_batch_acknowledges_nothing_it_did_not_store() {
    if common::sqlite_only("the SQLite file on a full disk") {
        return;
    }
    let disk = SmallDisk::mount(4);
    let database = disk.0.join("h.sqlite3");
    let t = TestServer::start_with(|c| {
        c.database = hostadmin_server::db::Location::Sqlite(database.clone());
        c.metrics = true;
        c.db.busy_timeout = Duration::from_secs(20);
    })
    .await;
    let session = t.login(ADMIN).await;
    let create = |name: String| {
        let rb = t
            .http()
            .post(format!("{}/api/v1/system/servers", t.url))
            .json(&json!({"hostname": name, "extname": format!("{name}-{}", "e".repeat(200))}));
        with_session(rb, &session, true).send()
    };
    for i in 0..20 {
        assert_eq!(create(format!("before{i}")).await.unwrap().status().as_u16(), 201);
    }

    let other =
        hostadmin_server::db::Conn::Sqlite(diesel::SqliteConnection::establish(database.to_str().unwrap()).unwrap());
    let holder = LockHolder::take(other);
    let filler = disk.fill();

    let mut requests = Vec::new();
    for i in 0..20 {
        let name = format!("during{i}");
        let rb = t
            .http()
            .post(format!("{}/api/v1/system/servers", t.url))
            .json(&json!({"hostname": name, "extname": format!("{name}-{}", "e".repeat(200))}));
        let rb = with_session(rb, &session, true);
        requests.push(tokio::spawn(async move { (name, rb.send().await.unwrap()) }));
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while write_counters(&t).await.2 < 19 {
        assert!(std::time::Instant::now() < deadline, "the writes did not queue");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = holder.let_go();

    let mut acknowledged = Vec::new();
    let mut unavailable = 0;
    for request in requests {
        let (name, response) = request.await.unwrap();
        let (status, body) = status_json(response).await;
        match status {
            201 => acknowledged.push(name),
            503 => {
                assert_eq!(body, json!({"message": "The database query failed"}));
                unavailable += 1;
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert!(unavailable > 0, "the full disk failed the queued writes");
    let rb = t.http().get(format!("{}/api/v1/system/servers?limit=1000", t.url));
    let (status, page) = status_json(with_session(rb, &session, false).send().await.unwrap()).await;
    assert_eq!(status, 200);
    let mut stored: Vec<String> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["hostname"].as_str().unwrap().to_string())
        .filter(|n| n.starts_with("during"))
        .collect();
    stored.sort();
    acknowledged.sort();
    assert_eq!(stored, acknowledged, "stored exactly what was acknowledged");

    std::fs::remove_file(filler).unwrap();
    assert_eq!(create("after".into()).await.unwrap().status().as_u16(), 201, "service resumes");
}

/// A write that panics fails its own batch (answered as a panicked task, not
/// acknowledged), leaves nothing behind, and the writer goes on: the
/// connection it panicked on, with its transaction still open, is not used
/// again (it would hold the database's write lock for ever).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_that_panics_fails_alone_and_the_writer_goes_on() {
    let database = common::TestDb::new();
    let pool = hostadmin_server::db::open(&database.location, &Default::default()).unwrap();
    let insert = |name: &'static str| {
        let pool = pool.clone();
        async move {
            hostadmin_server::db::write(&pool, move |conn| {
                Ok(hostadmin_server::servers::insert(conn, &format!("{name}.test"), &format!("{name}.example"))?.id)
            })
            .await
        }
    };
    insert("before").await.expect("a write before the panic");
    let panicked = hostadmin_server::db::write(&pool, |conn| -> hostadmin_server::db::DbResult<()> {
        hostadmin_server::servers::insert(conn, "half.test", "half.example")?;
        panic!("a write that panics after it inserted");
    })
    .await
    .expect_err("a panicked write is not acknowledged");
    assert!(matches!(panicked, hostadmin_api::wire::Problem::Internal(_)), "{panicked:?}");
    let after = tokio::time::timeout(Duration::from_secs(10), insert("after"))
        .await
        .expect("the next write is not stuck behind the panicked one's lock");
    after.expect("a write after the panic");
    let mut conn = database.conn();
    let names: Vec<String> = hostadmin_server::schema::servers::table
        .select(hostadmin_server::schema::servers::hostname)
        .order(hostadmin_server::schema::servers::id)
        .load(&mut conn)
        .unwrap();
    assert_eq!(names, ["before.test", "after.test"]);
}

/// What a database file truncated by another program behind SQLite's back
/// does to a running service, which then reads pages the file no longer
/// has: one process with `extra` flags, 300 servers, reads of the first
/// hundred from eight tasks, the file cut to its first two pages, then
/// reads of the last hundred. Returns
/// the statuses answered after the cut and how the process ended, if it
/// did by 3 s after the last read.
async fn truncated_under_reads(extra: &[&str]) -> (Vec<u16>, Option<std::process::ExitStatus>, String) {
    let database = common::TestDb::new();
    let db = database.url();
    let log = database.dir.path().join("server.log");
    add_admin(&db);
    let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    let (child, url) = spawn_server(&db, &log, extra);
    // Killed and reaped however this function ends, a failed assertion
    // included.
    struct Reaped(std::process::Child);
    impl Drop for Reaped {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut child = Reaped(child);
    let session = login(&http, &url).await;
    let mut ids = Vec::new();
    for i in 0..300 {
        let body = json!({"hostname": format!("cut-{i:03}.example"), "extname": format!("cut-{i:03}.ext.example")});
        let r = with_session(http.post(format!("{url}/api/v1/system/servers")).json(&body), &session, true);
        let (status, created) = status_json(r.send().await.unwrap()).await;
        assert_eq!(status, 201, "{created}");
        ids.push(created["ID"].as_i64().unwrap());
    }
    // Every page in the file itself, none left in the WAL.
    let mut other = database.conn();
    other.batch_execute("PRAGMA busy_timeout = 10000; PRAGMA wal_checkpoint(TRUNCATE);").unwrap();

    let cut = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let readers: Vec<_> = (0..8)
        .map(|task| {
            let (http, url, session, ids, cut) = (http.clone(), url.clone(), session.clone(), ids.clone(), cut.clone());
            tokio::spawn(async move {
                let mut after_cut = Vec::new();
                let deadline = std::time::Instant::now() + Duration::from_secs(5);
                for n in 0.. {
                    let was_cut = cut.load(std::sync::atomic::Ordering::SeqCst);
                    if was_cut && std::time::Instant::now() > deadline {
                        break;
                    }
                    // Before the cut, the first hundred; after, the last
                    // hundred, whose pages no lookup has read into a cache.
                    let i = (task * 37 + n * 11) % 100;
                    let id = if was_cut { ids[200 + i] } else { ids[i] };
                    let rb = http.get(format!("{url}/api/v1/system/servers/{id}"));
                    match with_session(rb, &session, false).send().await {
                        Ok(r) if was_cut => after_cut.push(r.status().as_u16()),
                        Ok(_) => {}      // sent before the cut, perhaps answered after it
                        Err(_) => break, // the process is gone
                    }
                    if !was_cut && n > 20_000 {
                        break;
                    }
                }
                after_cut
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(200)).await;
    std::fs::OpenOptions::new().write(true).open(database.path()).unwrap().set_len(2 * 4096).unwrap();
    cut.store(true, std::sync::atomic::Ordering::SeqCst);
    let mut statuses = Vec::new();
    for reader in readers {
        statuses.extend(reader.await.unwrap());
    }
    // A process that faulted is gone, or going: give it a moment to be.
    let mut ended = child.0.try_wait().unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(3);
    while ended.is_none() && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
        ended = child.0.try_wait().unwrap();
    }
    drop(child);
    (statuses, ended, std::fs::read_to_string(&log).unwrap())
}

/// With the lookup connections' memory map (the default), a read past the
/// end of a file cut behind SQLite's back faults: the process stops with
/// `SIGBUS`, having said why (`db/map_fault.rs`). SQLite does not look
/// at the file's size again while nothing has committed, so the first
/// read of a page past the cut faults (here, always on the first try; up
/// to five, should a lookup ever find the cut file corrupt first and
/// answer 503). With `--read-map-mib 0` the same reads answer 503 (a
/// short read: a page of zeros, which SQLite calls corrupt) and the
/// process stays up.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_file_cut_under_the_read_map_stops_the_process_and_says_why() {
    if common::TestDb::new().is_postgres() {
        return;
    }
    let mut faulted = None;
    for _ in 0..5 {
        let (statuses, ended, log) = truncated_under_reads(&[]).await;
        assert!(statuses.iter().all(|s| [200, 503].contains(s)), "{statuses:?}");
        if let Some(status) = ended {
            faulted = Some((status, log));
            break;
        }
    }
    let (status, log) = faulted.expect("no read faulted in five tries");
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(libc::SIGBUS), "{status:?}");
    assert!(log.contains("hostadmin: SIGBUS: a read of a memory-mapped database file failed"), "{log}");

    let (statuses, ended, log) = truncated_under_reads(&["--read-map-mib", "0"]).await;
    assert_eq!(ended, None, "without the map the process stays up: {log}");
    assert!(!statuses.is_empty() && statuses.iter().all(|&s| s == 503), "reads of the cut file fail: {statuses:?}");
}
