//! `hostadmin serve`'s configuration: a TOML file, environment variables
//! and flags, in that order of increasing precedence; errors at start.

mod common;

use std::process::{Command, Output};

use common::{add_admin, spawn_server};

fn hostadmin(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hostadmin"));
    cmd.args(args);
    for var in [
        "HOSTADMIN_BIND",
        "HOSTADMIN_DATABASE",
        "HOSTADMIN_JWT_KEY",
        "HOSTADMIN_SESSION_TTL",
        "HOSTADMIN_CONFIG",
        "HOSTADMIN_METRICS",
        "HOSTADMIN_LOG_FORMAT",
        "HOSTADMIN_DATABASE_CONNECTIONS",
        "HOSTADMIN_BUSY_TIMEOUT_MS",
        "HOSTADMIN_CORS_ORIGINS",
        "HOSTADMIN_JWT_KEY_FILE",
        "HOSTADMIN_ALLOW_READABLE_DATABASE",
    ] {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied());
    cmd.output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn flags_beat_environment_beat_file_beat_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hostadmin.toml");
    std::fs::write(
        &file,
        format!(
            "bind = \"127.0.0.1:9001\"\nsession_ttl = 100\nbusy_timeout_ms = 700\ndatabase_connections = 3\n\
             log_format = \"json\"\nidle_timeout = 7\nwrite_batch = 5\njwt_key = \"{}\"\n",
            common::JWT_KEY_B64
        ),
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let out = hostadmin(
        &["config", "check", "--config", path, "--busy-timeout-ms", "900"],
        &[
            ("HOSTADMIN_SESSION_TTL", "200"),
            ("HOSTADMIN_BUSY_TIMEOUT_MS", "800"),
            ("HOSTADMIN_READ_MAP_MIB", "0"),
            ("HOSTADMIN_WRITE_BATCH", "1"),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(shown.contains("bind = \"127.0.0.1:9001\""), "from the file: {shown}");
    assert!(shown.contains("session_ttl = 200"), "the environment beats the file: {shown}");
    assert!(shown.contains("busy_timeout_ms = 900"), "a flag beats both: {shown}");
    assert!(shown.contains("log_format = \"json\""));
    assert!(shown.contains("database_connections = 3"), "from the file: {shown}");
    assert!(shown.contains("idle_timeout = 7"), "from the file: {shown}");
    assert!(shown.contains("read_map_mib = 0"), "from the environment: {shown}");
    assert!(shown.contains("write_batch = 1"), "the environment beats the file: {shown}");
    assert!(shown.contains("database = \"./hostadmin.sqlite3\""), "a default: {shown}");
    assert!(shown.contains("jwt_key = \"***\"") && !shown.contains(common::JWT_KEY_B64), "secrets are masked: {shown}");
    // What check prints is itself a valid configuration file.
    std::fs::write(dir.path().join("echo.toml"), shown.replace("jwt_key = \"***\"\n", "")).unwrap();
    let out = hostadmin(&["config", "check", "--config", dir.path().join("echo.toml").to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn unknown_keys_and_bad_values_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    for (content, needle) in [
        ("bnid = \"127.0.0.1:1\"\n", "bnid"),
        ("log_level = \"loud\"\n", "log_level"),
        ("log_format = \"xml\"\n", "log_format"),
        ("tls_cert = \"/x.pem\"\n", "tls_cert and tls_key"),
        ("jwt_key = \"c2hvcnQ=\"\n", "jwt_key"),
        ("session_ttl = 0\n", "session_ttl"),
        ("database_connections = 0\n", "database_connections must be between 1 and 1024, not 0"),
        ("database_connections = 5000\n", "database_connections must be between 1 and 1024, not 5000"),
        ("database_connections = -1\n", "database_connections"),
        ("read_map_mib = 2048\n", "read_map_mib must be between 0 and 2047, not 2048"),
        ("read_map_mib = -1\n", "read_map_mib"),
        ("write_batch = 0\n", "write_batch must be between 1 and 1024, not 0"),
        ("write_batch = 1025\n", "write_batch must be between 1 and 1024, not 1025"),
        ("write_batch = \"many\"\n", "write_batch"),
        ("bind = 42\n", "bind"),
        ("idle_timeout = 0\n", "idle_timeout must be between 1 and 3600 seconds, not 0"),
        ("audit_retention_days = 40000\n", "audit_retention_days must be between 1 and 36500, not 40000"),
        ("trusted_proxies = [\"10.0.0.0/8\", \"proxy.internal\"]\n", "trusted_proxies: \"proxy.internal\""),
        ("not toml at all [", "not a valid configuration"),
    ] {
        let file = dir.path().join("bad.toml");
        std::fs::write(&file, content).unwrap();
        let out = hostadmin(&["config", "check", "--config", file.to_str().unwrap()], &[]);
        assert!(!out.status.success(), "{content:?} is refused");
        let err = text(&out.stderr);
        assert!(err.contains(needle), "{content:?}: the error names {needle:?}: {err}");
    }
    let out = hostadmin(&["config", "check", "--config", "/no/such/file.toml"], &[]);
    assert!(!out.status.success() && text(&out.stderr).contains("cannot read"));

    // A broken line that holds a secret: the error names it, never echoes it.
    let file = dir.path().join("secret.toml");
    std::fs::write(&file, format!("jwt_key = \"{}\nsession_ttl = 60\n", common::JWT_KEY_B64)).unwrap();
    let out = hostadmin(&["config", "check", "--config", file.to_str().unwrap()], &[]);
    let err = text(&out.stderr);
    assert!(!out.status.success() && err.contains("line 1, key `jwt_key`"), "{err}");
    assert!(!err.contains(&common::JWT_KEY_B64[..12]), "the key is not echoed: {err}");
}

#[tokio::test]
async fn serve_reads_its_file() {
    let database = common::TestDb::new();
    let dir = &database.dir;
    let db = database.url();
    add_admin(&db);
    let file = dir.path().join("hostadmin.toml");
    std::fs::write(&file, "metrics = true\nlog_format = \"json\"\n").unwrap();
    let log = dir.path().join("server.log");
    let (mut child, url) = spawn_server(&db, &log, &["--config", file.to_str().unwrap()]);
    let metrics = reqwest::get(format!("{url}/metrics")).await.unwrap();
    assert_eq!(metrics.status().as_u16(), 200, "metrics on, from the file");
    // The logger writes from a thread of its own: wait (bounded) for its lines.
    let json_lines = || -> Vec<String> {
        std::fs::read_to_string(&log).unwrap().lines().filter(|l| l.starts_with('{')).map(String::from).collect()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while json_lines().len() < 2 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let lines = json_lines();
    assert!(lines.len() >= 2, "JSON log lines: {lines:?}");
    // The plain lines `main` prints share the stream: none is torn by a record.
    let all = std::fs::read_to_string(&log).unwrap();
    for line in all.lines().filter(|l| !l.starts_with('{')) {
        assert!(line.starts_with("hostadmin") && !line.contains('{'), "a whole plain line: {line:?}");
    }
    for line in lines {
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert!(v.get("msg").is_some(), "{line}");
    }
}

#[test]
fn database_urls_are_checked_and_their_passwords_masked() {
    let out = hostadmin(&["config", "check"], &[("HOSTADMIN_DATABASE", "postgres://app:s3cret@db.internal/h")]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(shown.contains("database = \"postgres://app:***@db.internal/h\""), "{shown}");
    assert!(!shown.contains("s3cret"), "{shown}");
    let out = hostadmin(&["config", "check", "--database", "sqlite:///var/lib/h.sqlite3"], &[]);
    assert!(text(&out.stdout).contains("database = \"/var/lib/h.sqlite3\""));

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hostadmin.toml");
    std::fs::write(&file, "database = \"mysql://root@localhost/h\"\n").unwrap();
    let out = hostadmin(&["config", "check", "--config", file.to_str().unwrap()], &[]);
    assert!(!out.status.success());
    let error = text(&out.stderr);
    assert!(error.contains("database") && error.contains("unsupported database URL scheme \"mysql\""), "{error}");
    // An unreachable server stops the start with the (masked) URL named.
    let out = hostadmin(&["user", "list", "--database", "postgres://app:s3cret@127.0.0.1:1/h"], &[]);
    assert!(!out.status.success());
    let error = text(&out.stderr);
    assert!(
        error.contains("cannot open database postgres://app:***@127.0.0.1:1/h") && !error.contains("s3cret"),
        "{error}"
    );
}

/// `--database-connections` bounds the pool: one connection still serves
/// concurrent reads, writes and logins (each request holds at most one at a
/// time), and no more than one is open, as the metrics and, on PostgreSQL,
/// the server's own list of sessions show.
#[tokio::test]
async fn database_connections_bound_the_pool() {
    let database = common::TestDb::new();
    let db = database.url();
    add_admin(&db);
    let log = database.dir.path().join("server.log");
    let (mut child, url) = spawn_server(&db, &log, &["--database-connections", "1", "--metrics"]);
    let http = reqwest::Client::new();
    let session = common::login(&http, &url).await;
    let requests = (0..24).map(|i| {
        let rb = match i % 3 {
            0 => http.get(format!("{url}/api/v1/system/servers")),
            1 => http
                .post(format!("{url}/api/v1/system/servers"))
                .json(&serde_json::json!({"hostname": format!("pool{i}"), "extname": format!("pool{i}.example")})),
            _ => http.get(format!("{url}/api/v1/system/servers?match=pool")),
        };
        common::with_session(rb, &session, i % 3 == 1).send()
    });
    for (i, response) in futures::future::join_all(requests).await.into_iter().enumerate() {
        let status = response.unwrap().status().as_u16();
        assert_eq!(status, if i % 3 == 1 { 201 } else { 200 }, "request {i}");
    }
    let metrics = http.get(format!("{url}/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("hostadmin_db_connections{state=\"max\"} 1\n"), "{metrics}");
    assert!(metrics.contains("hostadmin_db_connections{state=\"open\"} 1\n"), "{metrics}");
    if database.is_postgres() {
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut conn = database.conn();
        let open: Count = diesel::RunQueryDsl::get_result(
            diesel::sql_query(
                "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'hostadmin ' || current_schema()",
            ),
            &mut conn,
        )
        .unwrap();
        assert_eq!(open.n, 1, "sessions of this server on PostgreSQL");
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn cors_origins_from_file_environment_and_flag() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hostadmin.toml");
    std::fs::write(&file, "cors_origins = [\"https://file.example\"]\n").unwrap();
    let path = file.to_str().unwrap();
    let shown = |args: &[&str], env: &[(&str, &str)]| {
        let out = hostadmin(args, env);
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    assert!(shown(&["config", "check"], &[]).contains("cors_origins = []"), "off by default");
    assert!(shown(&["config", "check", "--config", path], &[]).contains("cors_origins = [\"https://file.example\"]"));
    let env = [("HOSTADMIN_CORS_ORIGINS", "https://a.example,http://127.0.0.1:8081")];
    assert!(shown(&["config", "check", "--config", path], &env)
        .contains("cors_origins = [\"https://a.example\", \"http://127.0.0.1:8081\"]"));
    let flag = ["config", "check", "--config", path, "--cors-origins", "https://flag.example"];
    assert!(shown(&flag, &env).contains("cors_origins = [\"https://flag.example\"]"));
    for bad in ["*", "https://a.example/path", "a.example"] {
        let out = hostadmin(&["config", "check", "--cors-origins", bad], &[]);
        assert!(!out.status.success(), "{bad}");
        assert!(text(&out.stderr).contains("cors_origins"), "{bad}: {}", text(&out.stderr));
    }
}

/// The signing key from a file, which must be its owner's only; the key and
/// the file are one setting, not two.
#[test]
fn the_jwt_key_comes_from_a_private_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("jwt.key");
    std::fs::write(&key, format!("{}\n", common::JWT_KEY_B64)).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = hostadmin(&["config", "check", "--jwt-key-file", key.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("jwt_key = \"***\""), "{}", text(&out.stdout));
    assert!(!text(&out.stdout).contains(common::JWT_KEY_B64));

    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = hostadmin(&["config", "check", "--jwt-key-file", key.to_str().unwrap()], &[]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("chmod 600"), "{}", text(&out.stderr));

    let out = hostadmin(&["config", "check", "--jwt-key-file", "x", "--jwt-key", common::JWT_KEY_B64], &[]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("cannot be used with"), "{}", text(&out.stderr));
}

/// A database file others may read holds the signing key for them: the
/// service and the CLI refuse it, unless told to allow it.
#[test]
fn a_readable_database_is_refused_unless_allowed() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.sqlite3");
    let db = db.to_str().unwrap();
    let out = hostadmin(&["user", "list", "--database", db], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(std::fs::metadata(db).unwrap().permissions().mode() & 0o777, 0o600, "created private");

    std::fs::set_permissions(db, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = hostadmin(&["user", "list", "--database", db], &[]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("may be read by others"), "{}", text(&out.stderr));
    let out = hostadmin(&["serve", "--database", db, "--bind", "127.0.0.1:0"], &[]);
    assert!(!out.status.success(), "serve refuses it too");
    assert!(text(&out.stderr).contains("may be read by others"), "{}", text(&out.stderr));
    let out = hostadmin(&["user", "list", "--database", db, "--allow-readable-database"], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
}
