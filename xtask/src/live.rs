//! A release `hostadmin` on a loopback port over a database of its own (a
//! temporary SQLite file, or a fresh schema in a PostgreSQL database), with
//! an admin account made through the CLI, stopped when dropped.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{bail, Context, Result};

/// The account the contract run creates: the credentials of the spec's own
/// login example, so that schemathesis's example phase logs in for real.
pub const USER: &str = "admin";
pub const PASSWORD: &str = "correct horse battery staple";

/// The backend a live server runs on.
#[derive(Clone, Copy)]
pub enum Store<'a> {
    /// A new SQLite file in a temporary directory.
    Sqlite,
    /// A new schema in the PostgreSQL database at this URL.
    Postgres(&'a str),
}

pub struct LiveServer {
    child: Child,
    dir: PathBuf,
    binary: PathBuf,
    database: std::ffi::OsString,
    /// Dropped after the server stops (fields drop after `Drop::drop`).
    _schema: Option<PgSchema>,
    /// `127.0.0.1:PORT`
    pub addr: String,
    /// A platform API token of the admin, made with `hostadmin token create`.
    pub api_token: String,
}

impl LiveServer {
    pub fn start(binary: &std::path::Path, store: Store) -> Result<Self> {
        let dir = std::env::temp_dir().join(format!("hostadmin-xtask-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        let (database, schema) = match store {
            Store::Sqlite => (dir.join("hostadmin.sqlite3").into_os_string(), None),
            Store::Postgres(url) => {
                let schema = PgSchema::create(url, &format!("xtask_{}", std::process::id()))?;
                (schema.url().into(), Some(schema))
            }
        };

        let mut add = Command::new(binary)
            .args(["user", "add", USER, "--role", "admin", "--password-stdin", "--database"])
            .arg(&database)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()?;
        add.stdin.take().unwrap().write_all(format!("{PASSWORD}\n").as_bytes())?;
        if !add.wait()?.success() {
            bail!("hostadmin user add failed");
        }

        let token = Command::new(binary)
            .args(["token", "create", "--user", USER, "--name", "xtask", "--database"])
            .arg(&database)
            .output()?;
        if !token.status.success() {
            bail!("hostadmin token create failed");
        }
        let api_token = String::from_utf8(token.stdout)?.trim().to_string();

        let mut serve = Command::new(binary);
        serve.args(["serve", "--bind", "127.0.0.1:0", "--log-level", "warn", "--database"]).arg(&database);
        let (child, addr) = spawn_listening(serve)?;
        Ok(Self { child, dir, binary: binary.to_path_buf(), database, _schema: schema, addr, api_token })
    }

    /// Another account (`role` admin or readonly), made through the CLI
    /// while the server runs; returns a platform API token of it.
    pub fn add_account(&self, name: &str, role: &str, password: &str) -> Result<String> {
        let mut add = Command::new(&self.binary)
            .args(["user", "add", name, "--role", role, "--password-stdin", "--database"])
            .arg(&self.database)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()?;
        add.stdin.take().unwrap().write_all(format!("{password}\n").as_bytes())?;
        if !add.wait()?.success() {
            bail!("hostadmin user add {name} failed");
        }
        let token = Command::new(&self.binary)
            .args(["token", "create", "--user", name, "--name", "xtask", "--database"])
            .arg(&self.database)
            .output()?;
        if !token.status.success() {
            bail!("hostadmin token create --user {name} failed");
        }
        Ok(String::from_utf8(token.stdout)?.trim().to_string())
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Logs in as the CLI-made admin: (JWT, CSRF token).
    pub fn login(&self) -> Result<(String, String)> {
        login(&self.addr, USER, PASSWORD)
    }

    /// A token of the groups surface, from `POST /api/2.0/authentication`.
    pub fn onlyoffice_token(&self) -> Result<String> {
        let body = serde_json::json!({"userName": USER, "password": PASSWORD}).to_string();
        let (status, text) = self.request("POST", "/api/2.0/authentication", "application/json", &body)?;
        if status != 200 {
            bail!("authentication answered {status}: {text}");
        }
        let v: serde_json::Value = serde_json::from_str(&text)?;
        v["response"]["token"].as_str().map(str::to_string).context("no token in the answer")
    }

    /// One HTTP/1.1 request without keep-alive: (status, body).
    pub fn request(&self, method: &str, path: &str, content_type: &str, body: &str) -> Result<(u16, String)> {
        request(&self.addr, method, path, content_type, body)
    }
}

/// One HTTP/1.1 request to `addr` without keep-alive: (status, body).
pub fn request(addr: &str, method: &str, path: &str, content_type: &str, body: &str) -> Result<(u16, String)> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response.split(' ').nth(1).and_then(|s| s.parse().ok()).context("no HTTP status")?;
    let body = response.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    Ok((status, body))
}

/// Logs in on the grommunio surface at `addr`: (JWT, CSRF token).
pub fn login(addr: &str, user: &str, password: &str) -> Result<(String, String)> {
    let body = format!("user={user}&pass={}", password.replace(' ', "+"));
    let (status, text) = request(addr, "POST", "/api/v1/login", "application/x-www-form-urlencoded", &body)?;
    if status != 200 {
        bail!("login answered {status}: {text}");
    }
    let v: serde_json::Value = serde_json::from_str(&text)?;
    let get = |k: &str| v[k].as_str().map(str::to_string).with_context(|| format!("login answer lacks {k}"));
    Ok((get("grommunioAuthJwt")?, get("csrf")?))
}

/// Starts a server that prints `listening on http://ADDR` on stderr (the
/// service, or the benchmark's framework ceiling) and returns it with ADDR.
/// The rest of its stderr is drained, so it never blocks on a full pipe.
pub fn spawn_listening(mut cmd: Command) -> Result<(Child, String)> {
    let mut child = cmd.stdout(Stdio::null()).stderr(Stdio::piped()).spawn()?;
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = loop {
        let Some(line) = lines.next() else {
            let _ = child.kill();
            bail!("{cmd:?} exited before listening");
        };
        let line = line?;
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.trim().to_string();
        }
    };
    std::thread::spawn(move || lines.for_each(drop));
    Ok((child, addr))
}

impl Drop for LiveServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A schema of our own in a PostgreSQL database, made and dropped (with
/// everything in it) by `hostadmin-bench pg-schema`, so that xtask itself
/// needs no database driver.
pub struct PgSchema {
    database_url: String,
    name: String,
}

impl PgSchema {
    pub fn create(database_url: &str, name: &str) -> Result<Self> {
        pg_schema(database_url, "--create", name)?;
        Ok(PgSchema { database_url: database_url.to_string(), name: name.to_string() })
    }

    /// The database's URL with this schema first in `search_path`.
    pub fn url(&self) -> String {
        let separator = if self.database_url.contains('?') { '&' } else { '?' };
        format!("{}{separator}options=-csearch_path%3D{}%2Cpublic", self.database_url, self.name)
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        if let Err(e) = pg_schema(&self.database_url, "--drop", &self.name) {
            eprintln!("xtask: could not drop schema {}: {e:#}", self.name);
        }
    }
}

fn pg_schema(database_url: &str, action: &str, name: &str) -> Result<()> {
    let tool = crate::tools::target_dir().join("release/hostadmin-bench");
    let out = Command::new(&tool)
        .args(["pg-schema", "--url", database_url, action, name])
        .output()
        .with_context(|| format!("cannot run {}", tool.display()))?;
    if !out.status.success() {
        bail!("pg-schema {action} {name} failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(())
}
