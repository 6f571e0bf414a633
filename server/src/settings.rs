//! `hostadmin serve`'s settings: one optional TOML file (`--config`), every
//! key of which is also an environment variable and a flag.
//!
//! Precedence, highest first: flag, environment variable, file, default.
//! Unknown keys and bad values are errors at start, never ignored.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use serde::Deserialize;

use crate::config::Config;
use crate::db::Location;

/// The settings as flags (each also read from its environment variable).
#[derive(clap::Args, Clone, Debug, Default)]
pub struct ServeArgs {
    /// A TOML file with any of the settings below (same names, with `_`).
    #[arg(long, env = "HOSTADMIN_CONFIG")]
    pub config: Option<PathBuf>,
    /// The address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "HOSTADMIN_BIND")]
    pub bind: Option<SocketAddr>,
    /// The database: an SQLite file (a path or sqlite://PATH), created if
    /// missing, or a PostgreSQL URL (postgres://USER@HOST/DB)
    /// [default: ./hostadmin.sqlite3].
    #[arg(long, env = "HOSTADMIN_DATABASE")]
    pub database: Option<Location>,
    /// The JWT signing key, base64 (at least 32 bytes) [default: generated
    /// once and kept in the database]. Prefer the environment variable.
    #[arg(long, env = "HOSTADMIN_JWT_KEY", hide_env_values = true, conflicts_with = "jwt_key_file")]
    pub jwt_key: Option<String>,
    /// A file holding the JWT signing key (base64), readable by its owner
    /// only: keeps the key out of the environment and the process list.
    #[arg(long, env = "HOSTADMIN_JWT_KEY_FILE")]
    pub jwt_key_file: Option<PathBuf>,
    /// Serve an SQLite database that its group or others may read (refused
    /// by default: it holds the signing key and password hashes) [default: false].
    #[arg(long, env = "HOSTADMIN_ALLOW_READABLE_DATABASE", num_args = 0..=1, default_missing_value = "true")]
    pub allow_readable_database: Option<bool>,
    /// A reverse proxy (an address or a network, e.g. 10.0.0.0/8) whose
    /// `X-Forwarded-For` names the client for login throttling; repeat or
    /// separate with commas [default: none: the peer is the client].
    #[arg(long = "trusted-proxy", env = "HOSTADMIN_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<String>,
    /// How many days audit entries are kept (1 to 36500) [default: 365].
    #[arg(long, env = "HOSTADMIN_AUDIT_RETENTION_DAYS")]
    pub audit_retention_days: Option<u32>,
    /// Close a connection whose client has sent nothing this many seconds
    /// after connecting (1 to 3600) [default: 30, as hyper's timeout for a
    /// request head].
    #[arg(long, env = "HOSTADMIN_IDLE_TIMEOUT")]
    pub idle_timeout: Option<u64>,
    /// How long a login session lasts, in seconds [default: 28800].
    #[arg(long, env = "HOSTADMIN_SESSION_TTL")]
    pub session_ttl: Option<u64>,
    /// How long a statement waits for a database lock, in milliseconds,
    /// before the request fails with 503 [default: 5000].
    #[arg(long, env = "HOSTADMIN_BUSY_TIMEOUT_MS")]
    pub busy_timeout_ms: Option<u64>,
    /// How many database connections this process keeps open at most
    /// (1 to 1024) [default: 8]. On PostgreSQL, every replica holds up to
    /// this many of the server's `max_connections`.
    #[arg(long, env = "HOSTADMIN_DATABASE_CONNECTIONS")]
    pub database_connections: Option<u32>,
    /// SQLite: how much of the file, in MiB, each connection that serves
    /// lookups reads through a memory map instead of with `pread` (0 to
    /// 2047, SQLite's own limit being just under 2 GiB; 0: none)
    /// [default: 256]. A read fault on a mapped page (a
    /// failing disk, the file truncated by another program) stops the
    /// process instead of failing the request.
    #[arg(long, env = "HOSTADMIN_READ_MAP_MIB")]
    pub read_map_mib: Option<u64>,
    /// Most writes that wait for the writer and then share one transaction,
    /// and so one commit (1 to 1024) [default: 64]. 1 commits every write
    /// on its own: no write then waits for another's commit, and writes stop
    /// at the disk's flush rate.
    #[arg(long, env = "HOSTADMIN_WRITE_BATCH")]
    pub write_batch: Option<usize>,
    /// Log level: trace, debug, info, warn, error, critical [default: info].
    #[arg(long, env = "HOSTADMIN_LOG_LEVEL")]
    pub log_level: Option<String>,
    /// Log format: human or json [default: human].
    #[arg(long, env = "HOSTADMIN_LOG_FORMAT")]
    pub log_format: Option<String>,
    /// Count requests and serve them at `GET /metrics` (Prometheus text) [default: false].
    #[arg(long, env = "HOSTADMIN_METRICS", num_args = 0..=1, default_missing_value = "true")]
    pub metrics: Option<bool>,
    /// Serve HTTPS: the PEM certificate chain (leaf first).
    #[arg(long, env = "HOSTADMIN_TLS_CERT")]
    pub tls_cert: Option<PathBuf>,
    /// Serve HTTPS: the PEM (PKCS #8) private key.
    #[arg(long, env = "HOSTADMIN_TLS_KEY")]
    pub tls_key: Option<PathBuf>,
    /// On SIGTERM or SIGINT, how long in-flight requests may take to finish,
    /// in seconds, before the process exits anyway [default: 30].
    #[arg(long, env = "HOSTADMIN_SHUTDOWN_GRACE")]
    pub shutdown_grace: Option<u64>,
    /// Origins whose pages may call the API from a browser (CORS), comma
    /// separated, each `scheme://host[:port]` [default: none, CORS off].
    #[arg(long, env = "HOSTADMIN_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Option<Vec<String>>,
}

/// The file: the same settings, every one optional, nothing else allowed.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    bind: Option<SocketAddr>,
    database: Option<String>,
    jwt_key: Option<String>,
    jwt_key_file: Option<PathBuf>,
    allow_readable_database: Option<bool>,
    trusted_proxies: Option<Vec<String>>,
    audit_retention_days: Option<u32>,
    idle_timeout: Option<u64>,
    session_ttl: Option<u64>,
    busy_timeout_ms: Option<u64>,
    database_connections: Option<u32>,
    read_map_mib: Option<u64>,
    write_batch: Option<usize>,
    log_level: Option<String>,
    log_format: Option<String>,
    metrics: Option<bool>,
    tls_cert: Option<PathBuf>,
    tls_key: Option<PathBuf>,
    shutdown_grace: Option<u64>,
    cors_origins: Option<Vec<String>>,
}

/// The settings in force, after precedence.
#[derive(Clone, Debug)]
pub struct Effective {
    pub config: Config,
    pub shutdown_grace: Duration,
}

/// The key in `path`, which must be its owner's only (like `ssh` with a
/// private key: a key others can read is no secret).
fn read_key_file(path: &Path) -> anyhow::Result<String> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path).with_context(|| format!("jwt_key_file: cannot read {}", path.display()))?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        bail!("jwt_key_file: {} may be read by others (mode {mode:03o}): `chmod 600` it", path.display());
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("jwt_key_file: cannot read {}", path.display()))?;
    Ok(text.trim().to_string())
}

fn read_file(path: &Path) -> anyhow::Result<FileSettings> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    toml::from_str(&text).map_err(|e| {
        // toml's own message quotes the offending line, which may hold the
        // signing key or a database password: name the line and its key only.
        let at = e.span().map(|span| {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            let key = text.lines().nth(line - 1).and_then(|l| l.split_once('=')).map(|(k, _)| k.trim().to_string());
            match key {
                Some(key) => format!(" (line {line}, key `{key}`)"),
                None => format!(" (line {line})"),
            }
        });
        anyhow::anyhow!(
            "{} is not a valid configuration{}: {}",
            path.display(),
            at.unwrap_or_default(),
            e.message().lines().next().unwrap_or("")
        )
    })
}

impl ServeArgs {
    /// Resolves flags, environment, file and defaults into the settings in
    /// force, checking every value.
    pub fn resolve(&self) -> anyhow::Result<Effective> {
        let file = match &self.config {
            Some(path) => read_file(path)?,
            None => FileSettings::default(),
        };
        let bind = self.bind.or(file.bind).unwrap_or_else(|| "127.0.0.1:8080".parse().expect("a valid address"));
        let database = match (&self.database, file.database) {
            (Some(flag), _) => flag.clone(),
            (None, Some(text)) => text.parse().context("database")?,
            (None, None) => Location::Sqlite(PathBuf::from("./hostadmin.sqlite3")),
        };
        let mut config = Config::new(bind, database);
        config.jwt_key = match (self.jwt_key.clone(), self.jwt_key_file.clone().or(file.jwt_key_file), file.jwt_key) {
            (Some(key), _, _) => Some(key),
            (None, Some(path), _) => Some(read_key_file(&path)?),
            (None, None, key) => key,
        };
        if let Some(key) = &config.jwt_key {
            crate::auth::SigningKey::from_config(key).context("jwt_key")?;
        }
        config.db.allow_readable = self.allow_readable_database.or(file.allow_readable_database).unwrap_or(false);
        let proxies = if self.trusted_proxies.is_empty() {
            file.trusted_proxies.unwrap_or_default()
        } else {
            self.trusted_proxies.clone()
        };
        config.login_throttle.trusted_proxies = proxies
            .iter()
            .map(|p| {
                let p = p.trim();
                p.parse::<ipnet::IpNet>()
                    .or_else(|_| p.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| anyhow::anyhow!("trusted_proxies: {p:?} is not an address or a network"))
            })
            .collect::<anyhow::Result<_>>()?;
        let retention = self.audit_retention_days.or(file.audit_retention_days).unwrap_or(365);
        if !(1..=36_500).contains(&retention) {
            bail!("audit_retention_days must be between 1 and 36500, not {retention}");
        }
        config.audit_retention_days = retention;
        let idle = self.idle_timeout.or(file.idle_timeout).unwrap_or(30);
        if !(1..=3600).contains(&idle) {
            bail!("idle_timeout must be between 1 and 3600 seconds, not {idle}");
        }
        config.idle_timeout = Duration::from_secs(idle);
        let session_ttl = self.session_ttl.or(file.session_ttl).unwrap_or(8 * 3600);
        if session_ttl == 0 {
            bail!("session_ttl must be at least 1 second");
        }
        config.session_ttl = Duration::from_secs(session_ttl);
        config.db.busy_timeout = Duration::from_millis(self.busy_timeout_ms.or(file.busy_timeout_ms).unwrap_or(5000));
        let connections = self.database_connections.or(file.database_connections).unwrap_or(8);
        if !(1..=1024).contains(&connections) {
            bail!("database_connections must be between 1 and 1024, not {connections}");
        }
        config.db.max_connections = connections;
        let read_map = self.read_map_mib.or(file.read_map_mib).unwrap_or(crate::db::READ_MAP_MIB);
        if read_map > 2047 {
            bail!("read_map_mib must be between 0 and 2047, not {read_map}");
        }
        config.db.read_map_bytes = read_map << 20;
        let write_batch = self.write_batch.or(file.write_batch).unwrap_or(crate::db::WRITE_BATCH);
        if !(1..=1024).contains(&write_batch) {
            bail!("write_batch must be between 1 and 1024, not {write_batch}");
        }
        config.db.write_batch = write_batch;
        let level = self.log_level.clone().or(file.log_level).unwrap_or_else(|| "info".into());
        config.log_level = serde_json::from_value(serde_json::Value::String(level.clone())).map_err(|_| {
            anyhow::anyhow!("log_level: unknown level {level:?} (trace, debug, info, warn, error, critical)")
        })?;
        config.log_json = match self.log_format.clone().or(file.log_format).as_deref() {
            None | Some("human") => false,
            Some("json") => true,
            Some(other) => bail!("log_format: unknown format {other:?} (human or json)"),
        };
        config.metrics = self.metrics.or(file.metrics).unwrap_or(false);
        config.tls = match (self.tls_cert.clone().or(file.tls_cert), self.tls_key.clone().or(file.tls_key)) {
            (Some(cert), Some(key)) => Some((cert, key)),
            (None, None) => None,
            _ => bail!("tls_cert and tls_key go together"),
        };
        let origins = self.cors_origins.clone().or(file.cors_origins).unwrap_or_default();
        let origins: Vec<String> =
            origins.into_iter().map(|o| o.trim().to_string()).filter(|o| !o.is_empty()).collect();
        hostadmin_api::wire::CorsPolicy::new(origins.clone()).map_err(|e| anyhow::anyhow!("cors_origins: {e}"))?;
        config.cors_origins = origins;
        let shutdown_grace = Duration::from_secs(self.shutdown_grace.or(file.shutdown_grace).unwrap_or(30));
        Ok(Effective { config, shutdown_grace })
    }
}

impl Effective {
    /// The settings in force as TOML, secrets masked.
    pub fn describe(&self) -> String {
        let c = &self.config;
        let mut out = String::new();
        out.push_str(&format!("bind = \"{}\"\n", c.bind));
        out.push_str(&format!("database = {:?}\n", c.database.to_string()));
        out.push_str(match &c.jwt_key {
            Some(_) => "jwt_key = \"***\"\n",
            None => "# jwt_key: generated once and kept in the database\n",
        });
        if c.db.allow_readable {
            out.push_str("allow_readable_database = true\n");
        }
        if !c.login_throttle.trusted_proxies.is_empty() {
            let proxies: Vec<String> =
                c.login_throttle.trusted_proxies.iter().map(|p| format!("{:?}", p.to_string())).collect();
            out.push_str(&format!("trusted_proxies = [{}]\n", proxies.join(", ")));
        }
        out.push_str(&format!("audit_retention_days = {}\n", c.audit_retention_days));
        out.push_str(&format!("idle_timeout = {}\n", c.idle_timeout.as_secs()));
        out.push_str(&format!("session_ttl = {}\n", c.session_ttl.as_secs()));
        out.push_str(&format!("busy_timeout_ms = {}\n", c.db.busy_timeout.as_millis()));
        out.push_str(&format!("database_connections = {}\n", c.db.max_connections));
        out.push_str(&format!("read_map_mib = {}\n", c.db.read_map_bytes >> 20));
        out.push_str(&format!("write_batch = {}\n", c.db.write_batch));
        let level =
            serde_json::to_value(&c.log_level).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        out.push_str(&format!("log_level = \"{level}\"\n"));
        out.push_str(&format!("log_format = \"{}\"\n", if c.log_json { "json" } else { "human" }));
        out.push_str(&format!("metrics = {}\n", c.metrics));
        if let Some((cert, key)) = &c.tls {
            out.push_str(&format!(
                "tls_cert = {:?}\ntls_key = {:?}\n",
                cert.display().to_string(),
                key.display().to_string()
            ));
        }
        out.push_str(&format!("shutdown_grace = {}\n", self.shutdown_grace.as_secs()));
        out.push_str(&format!("cors_origins = {:?}\n", c.cors_origins));
        out
    }
}
