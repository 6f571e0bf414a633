//! A real hostadmin on `127.0.0.1:0` over a fresh database, per test: an
//! SQLite file, or, when `HOSTADMIN_TEST_DATABASE_URL` names a PostgreSQL
//! database, a schema of its own in it (dropped when the test ends).

#![allow(dead_code)]

pub mod onlyoffice;

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine;
use diesel::prelude::*;
use hmac::Mac;
use hostadmin_client::types::LoginResult;
use hostadmin_server::accounts::{self, Role};
use hostadmin_server::db::{Conn, Location};
use hostadmin_server::{Config, Service};

/// The PostgreSQL database the suite runs on, if any.
pub fn postgres_url() -> Option<String> {
    std::env::var("HOSTADMIN_TEST_DATABASE_URL").ok().filter(|u| !u.is_empty())
}

/// True (after saying so) when the suite runs on PostgreSQL and this test
/// is about the SQLite file itself; it runs in the SQLite pass.
pub fn sqlite_only(why: &str) -> bool {
    let skip = postgres_url().is_some();
    if skip {
        eprintln!("skipped on PostgreSQL: {why}");
    }
    skip
}

/// A fresh, empty database for one test.
pub struct TestDb {
    pub location: Location,
    pub dir: tempfile::TempDir,
    /// PostgreSQL: the server's URL and the test's schema, dropped on drop.
    schema: Option<(String, String)>,
}

impl TestDb {
    pub fn new() -> Self {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let dir = tempfile::tempdir().unwrap();
        let Some(url) = postgres_url() else {
            return TestDb { location: Location::Sqlite(dir.path().join("h.sqlite3")), dir, schema: None };
        };
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let schema = format!("t{}_{n}_{nanos}", std::process::id());
        let mut admin = diesel::PgConnection::establish(&url).expect("HOSTADMIN_TEST_DATABASE_URL must be reachable");
        diesel::connection::SimpleConnection::batch_execute(&mut admin, &format!("CREATE SCHEMA {schema}")).unwrap();
        let sep = if url.contains('?') { '&' } else { '?' };
        let location = Location::Postgres(format!("{url}{sep}options=-csearch_path%3D{schema}%2Cpublic"));
        TestDb { location, dir, schema: Some((url, schema)) }
    }

    pub fn is_postgres(&self) -> bool {
        self.schema.is_some()
    }

    /// `--database` for the binary.
    pub fn url(&self) -> String {
        match &self.location {
            Location::Sqlite(path) => path.to_str().unwrap().to_string(),
            Location::Postgres(url) => url.clone(),
        }
    }

    /// The SQLite file (SQLite-only tests).
    pub fn path(&self) -> std::path::PathBuf {
        match &self.location {
            Location::Sqlite(path) => path.clone(),
            Location::Postgres(_) => panic!("no file: this test runs on SQLite only"),
        }
    }

    /// Everything stored, as bytes: the SQLite file and its WAL, or every
    /// row of every table of the PostgreSQL schema, as text.
    pub fn stored_bytes(&self) -> Vec<u8> {
        #[derive(QueryableByName)]
        struct Text {
            #[diesel(sql_type = diesel::sql_types::Text)]
            text: String,
        }
        match &self.location {
            Location::Sqlite(path) => {
                let mut bytes = std::fs::read(path).unwrap();
                bytes.extend(std::fs::read(path.with_extension("sqlite3-wal")).unwrap_or_default());
                bytes
            }
            Location::Postgres(_) => {
                let mut conn = self.conn();
                let tables: Vec<Text> = diesel::sql_query(
                    "SELECT CAST(table_name AS TEXT) AS text FROM information_schema.tables \
                     WHERE table_schema = current_schema()",
                )
                .load(&mut conn)
                .unwrap();
                let mut bytes = Vec::new();
                for table in tables {
                    let rows: Vec<Text> =
                        diesel::sql_query(format!("SELECT CAST(row_to_json(t) AS TEXT) AS text FROM {} t", table.text))
                            .load(&mut conn)
                            .unwrap();
                    for row in rows {
                        bytes.extend(row.text.into_bytes());
                        bytes.push(b'\n');
                    }
                }
                bytes
            }
        }
    }

    /// A connection of its own to the database.
    pub fn conn(&self) -> Conn {
        match &self.location {
            Location::Sqlite(path) => {
                Conn::Sqlite(diesel::SqliteConnection::establish(path.to_str().unwrap()).unwrap())
            }
            Location::Postgres(url) => Conn::Pg(diesel::PgConnection::establish(url).unwrap()),
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((url, schema)) = &self.schema {
            if let Ok(mut admin) = diesel::PgConnection::establish(url) {
                let _ = diesel::connection::SimpleConnection::batch_execute(
                    &mut admin,
                    &format!("DROP SCHEMA IF EXISTS {schema} CASCADE"),
                );
            }
        }
    }
}

/// The JWT key the test servers are configured with, so that tests can
/// forge tokens (expired, tampered) the way an attacker with the key would.
pub const JWT_KEY_B64: &str = "dGVzdCBrZXkgZm9yIGhvc3RhZG1pbiB0ZXN0cyBvbmx5IQ==";
pub const ADMIN: (&str, &str) = ("admin", "admin-pass-1");
pub const READER: (&str, &str) = ("reader", "reader-pass-1");

pub struct TestServer {
    pub server: dropshot::HttpServer<Service>,
    pub url: String,
    pub database: TestDb,
}

impl TestServer {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(adjust: impl FnOnce(&mut Config)) -> Self {
        let database = TestDb::new();
        let mut config = Config::new("127.0.0.1:0".parse().unwrap(), database.location.clone());
        config.jwt_key = Some(JWT_KEY_B64.into());
        config.db.busy_timeout = Duration::from_millis(300);
        config.log_level = dropshot::ConfigLoggingLevel::Warn;
        adjust(&mut config);
        let server = hostadmin_server::start(&config).unwrap();
        {
            let mut conn = server.app_private().pool.get().unwrap();
            accounts::create(&mut conn, ADMIN.0, Role::Admin, ADMIN.1).unwrap();
            accounts::create(&mut conn, READER.0, Role::Readonly, READER.1).unwrap();
        }
        let url = format!("http://{}", server.local_addr());
        TestServer { server, url, database }
    }

    /// The SQLite file (SQLite-only tests).
    pub fn db_path(&self) -> std::path::PathBuf {
        self.database.path()
    }

    /// A temporary directory of the test's own.
    pub fn dir(&self) -> &std::path::Path {
        self.database.dir.path()
    }

    /// A separate connection to the same database.
    pub fn db(&self) -> Conn {
        self.database.conn()
    }

    pub fn client(&self) -> hostadmin_client::Client {
        hostadmin_client::Client::builder(&self.url).retries(hostadmin_client::RetryPolicy::none()).build().unwrap()
    }

    pub async fn login(&self, (user, pass): (&str, &str)) -> LoginResult {
        self.client()
            .login()
            .body(hostadmin_client::types::LoginForm { user: user.try_into().unwrap(), pass: pass.try_into().unwrap() })
            .send()
            .await
            .unwrap()
            .into_inner()
    }

    /// A generated client carrying an admin (or `who`) session.
    pub async fn session(&self, who: (&str, &str)) -> hostadmin_client::Client {
        hostadmin_client::session_client(&self.url, &self.login(who).await).unwrap()
    }

    pub fn http(&self) -> reqwest::Client {
        reqwest::Client::new()
    }

    /// Places a domain with `users` users on server `server_id`, directly in
    /// the database (the domain and people APIs come later).
    pub fn place_domain(&self, server_id: i64, name: &str, users: usize) {
        use hostadmin_server::schema::{domains, users as people};
        let mut conn = self.db();
        let random = || {
            let mut bytes = [0u8; 16];
            getrandom::fill(&mut bytes).unwrap();
            u128::from_le_bytes(bytes)
        };
        let domain: i64 = diesel::insert_into(domains::table)
            .values((
                domains::code.eq(format!("DD{:08}", random() % 100_000_000)),
                domains::name.eq(name),
                domains::server_id.eq(server_id),
            ))
            .returning(domains::id)
            .get_result(&mut conn)
            .unwrap();
        for i in 0..users {
            diesel::insert_into(people::table)
                .values((
                    people::guid.eq(format!("{:032x}", random())),
                    people::username.eq(format!("user{i}@{name}")),
                    people::email.eq(format!("user{i}@{name}")),
                    people::domain_id.eq(domain),
                ))
                .execute(&mut conn)
                .unwrap();
        }
    }
}

impl TestServer {
    /// A new API token for the account `name` (a platform token).
    pub fn account_token(&self, name: &str) -> String {
        let mut conn = self.server.app_private().pool.get().unwrap();
        let id = accounts::find_by_name(&mut conn, name).unwrap().unwrap().id;
        hostadmin_server::tokens::create(&mut conn, hostadmin_server::tokens::Owner::Account(id), "test").unwrap()
    }

    /// A new API token scoped to the manager `code`.
    pub fn manager_token(&self, code: &str) -> String {
        use hostadmin_server::schema::managers;
        let mut conn = self.server.app_private().pool.get().unwrap();
        let id: i64 = managers::table.filter(managers::code.eq(code)).select(managers::id).first(&mut conn).unwrap();
        hostadmin_server::tokens::create(&mut conn, hostadmin_server::tokens::Owner::Manager(id), "test").unwrap()
    }

    /// `POST /api/v1/system/servers` of `{hostname: name, extname: name}`
    /// with `session`, answered raw.
    pub async fn post_server(&self, session: &LoginResult, name: &str) -> reqwest::Response {
        let rb = self
            .http()
            .post(format!("{}/api/v1/system/servers", self.url))
            .json(&serde_json::json!({"hostname": name, "extname": name}));
        with_session(rb, session, true).send().await.unwrap()
    }

    /// A request to the managers surface with `token`.
    pub fn api(&self, method: reqwest::Method, path: &str, token: &str) -> reqwest::RequestBuilder {
        self.http().request(method, format!("{}{path}", self.url)).header("X-Api-Token", token)
    }

    /// Registers a system server (through the system surface) and returns its ID.
    pub async fn add_server(&self, hostname: &str) -> i64 {
        let client = self.session(ADMIN).await;
        client
            .server_create()
            .body(hostadmin_client::types::ServerCreate {
                hostname: hostname.try_into().unwrap(),
                extname: format!("{hostname}.example").as_str().try_into().unwrap(),
                id: None,
                users: None,
                domains: None,
            })
            .send()
            .await
            .unwrap()
            .into_inner()
            .id
    }
}

/// A raw request with a session cookie and (optionally) a CSRF header.
pub fn with_session(rb: reqwest::RequestBuilder, session: &LoginResult, csrf: bool) -> reqwest::RequestBuilder {
    let rb = rb.header("Cookie", format!("grommunioAuthJwt={}", session.grommunio_auth_jwt));
    if csrf {
        rb.header("X-Csrf-Token", &session.csrf)
    } else {
        rb
    }
}

/// Signs `header`.`claims` with `key` as HS256, independently of the server's code.
pub fn sign_jwt(key: &[u8], header: &serde_json::Value, claims: &serde_json::Value) -> String {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let input = format!(
        "{}.{}",
        b64.encode(serde_json::to_vec(header).unwrap()),
        b64.encode(serde_json::to_vec(claims).unwrap())
    );
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
    mac.update(input.as_bytes());
    format!("{input}.{}", b64.encode(mac.finalize().into_bytes()))
}

pub fn test_key() -> Vec<u8> {
    base64::engine::general_purpose::STANDARD.decode(JWT_KEY_B64).unwrap()
}

pub fn now() -> i64 {
    accounts::now_unix()
}

/// Status and JSON body of a response.
pub async fn status_json(response: reqwest::Response) -> (u16, serde_json::Value) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
    (status, body)
}

/// Like [`status_json`], for answers that may be empty (204): `null` then.
pub async fn status_json_or_empty(response: reqwest::Response) -> (u16, serde_json::Value) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    if text.is_empty() {
        return (status, serde_json::Value::Null);
    }
    let body = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
    (status, body)
}

// --- the real binary, for tests of the process itself -----------------

/// The server binary: the release build `cargo xtask test` made (it passes
/// its path), or else this test build's own.
pub fn server_binary() -> String {
    std::env::var("HOSTADMIN_TEST_SERVER_BINARY").unwrap_or_else(|_| env!("CARGO_BIN_EXE_hostadmin").to_string())
}

/// The `hostadmin` binary serving `db` on a loopback port with the test
/// JWT key; stderr to `log`.
pub fn spawn_server(db: &str, log: &std::path::Path, extra: &[&str]) -> (Child, String) {
    let mut args = vec!["--jwt-key", JWT_KEY_B64];
    args.extend_from_slice(extra);
    spawn_serve(db, log, &args)
}

/// `hostadmin serve` on `db` and a loopback port, with `extra` flags; stderr
/// to `log`. Returns once it listens.
pub fn spawn_serve(db: &str, log: &std::path::Path, extra: &[&str]) -> (Child, String) {
    let mut child = serve_command(db, extra).stderr(Stdio::piped()).spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    wait_listening(child, stderr, log)
}

/// Like [`spawn_server`], with standard error on a pseudo-terminal, as when
/// an operator runs the service interactively (the terminal log format).
pub fn spawn_server_on_terminal(db: &str, log: &std::path::Path, extra: &[&str]) -> (Child, String) {
    use std::os::fd::{FromRawFd, OwnedFd};
    let (mut leader, mut follower) = (0, 0);
    // SAFETY: openpty writes two new descriptors, which are owned below.
    let rc =
        unsafe { libc::openpty(&mut leader, &mut follower, std::ptr::null_mut(), std::ptr::null(), std::ptr::null()) };
    assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: both descriptors were just opened and nothing else owns them.
    let (leader, follower) = unsafe { (OwnedFd::from_raw_fd(leader), OwnedFd::from_raw_fd(follower)) };
    let mut args = vec!["--jwt-key", JWT_KEY_B64];
    args.extend_from_slice(extra);
    let child = serve_command(db, &args).stderr(Stdio::from(follower)).spawn().unwrap();
    wait_listening(child, std::fs::File::from(leader), log)
}

fn serve_command(db: &str, extra: &[&str]) -> Command {
    let mut command = Command::new(server_binary());
    command.args(["serve", "--bind", "127.0.0.1:0", "--database", db]).args(extra).stdout(Stdio::null());
    command
}

/// `hostadmin serve` on `db` and a loopback port with standard error a
/// pipe that is read only up to the line saying where it listens: the rest
/// waits, unread, in the returned reader (a log that has stopped being
/// read, as a stuck collector leaves it).
pub fn spawn_serve_unread(
    db: &str,
    extra: &[&str],
) -> (Child, std::net::SocketAddr, std::io::BufReader<std::process::ChildStderr>) {
    let mut child = serve_command(db, extra).stderr(Stdio::piped()).spawn().unwrap();
    let stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    read_until_listening(child, stderr)
}

fn read_until_listening(
    mut child: Child,
    mut stderr: std::io::BufReader<std::process::ChildStderr>,
) -> (Child, std::net::SocketAddr, std::io::BufReader<std::process::ChildStderr>) {
    use std::io::BufRead;
    let mut line = String::new();
    loop {
        line.clear();
        if stderr.read_line(&mut line).unwrap() == 0 {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the server exited before listening");
        }
        if let Some(addr) = line.split("listening on http://").nth(1) {
            let addr: String = addr.chars().take_while(|c| !c.is_whitespace() && *c != '\x1b').collect();
            return (child, addr.parse().unwrap(), stderr);
        }
    }
}

/// Copies the child's standard error to `log`, line by line, and returns
/// once it says where it listens.
fn wait_listening(
    mut child: Child,
    stderr: impl std::io::Read + Send + 'static,
    log_path: &std::path::Path,
) -> (Child, String) {
    let log = std::fs::OpenOptions::new().create(true).append(true).open(log_path).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        let mut log = log;
        let mut sent = false;
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = writeln!(log, "{line}");
            if !sent {
                if let Some(addr) = line.split("listening on http://").nth(1) {
                    let addr: String = addr.chars().take_while(|c| !c.is_whitespace() && *c != '\x1b').collect();
                    let _ = tx.send(addr);
                    sent = true;
                }
            }
        }
    });
    match rx.recv_timeout(Duration::from_secs(30)) {
        Ok(addr) => (child, format!("http://{addr}")),
        Err(e) => {
            let _ = child.kill();
            let printed = std::fs::read_to_string(log_path).unwrap_or_default();
            panic!("the server did not start ({e}); it printed:\n{printed}")
        }
    }
}

pub fn add_admin(db: &str) {
    add_account(db, ADMIN, "admin");
}

/// Adds an account through the CLI, as an operator would.
pub fn add_account(db: &str, (name, password): (&str, &str), role: &str) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hostadmin"))
        .args(["user", "add", name, "--role", role, "--password-stdin", "--database", db])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(format!("{password}\n").as_bytes()).unwrap();
    assert!(child.wait().unwrap().success());
}

pub async fn login(http: &reqwest::Client, url: &str) -> hostadmin_client::types::LoginResult {
    http.post(format!("{url}/api/v1/login"))
        .form(&[("user", ADMIN.0), ("pass", ADMIN.1)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}
