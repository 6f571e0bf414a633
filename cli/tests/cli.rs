//! The `hostadmin-cli` binary against a real hostadmin (started in this
//! process on `127.0.0.1:0` over a temporary SQLite file): what a shell user
//! sees, its exit status, stdout and stderr. Every run of the binary is
//! bounded by [`LIMIT`].

use std::process::Output;
use std::time::Duration;

use hostadmin_server::accounts::{self, Role};
use hostadmin_server::db::Location;
use serde_json::Value;

const ADMIN: (&str, &str) = ("admin", "admin-pass-1");
const LIMIT: Duration = Duration::from_secs(20);

struct Live {
    _server: dropshot::HttpServer<hostadmin_server::Service>,
    url: String,
    /// A platform API token of `ADMIN`.
    token: String,
    dir: tempfile::TempDir,
}

async fn start() -> Live {
    let dir = tempfile::tempdir().unwrap();
    let mut config =
        hostadmin_server::Config::new("127.0.0.1:0".parse().unwrap(), Location::Sqlite(dir.path().join("h.sqlite3")));
    config.jwt_key = Some("Y2xpIHRlc3RzIGtleSwgdGhpcnR5LXR3byBieXRlcyBsb25n".into());
    config.log_level = dropshot::ConfigLoggingLevel::Warn;
    let server = hostadmin_server::start(&config).unwrap();
    let token = {
        let mut conn = server.app_private().pool.get().unwrap();
        let account = accounts::create(&mut conn, ADMIN.0, Role::Admin, ADMIN.1).unwrap();
        hostadmin_server::tokens::create(&mut conn, hostadmin_server::tokens::Owner::Account(account.id), "cli test")
            .unwrap()
    };
    let url = format!("http://{}", server.local_addr());
    Live { _server: server, url, token, dir }
}

/// What one run printed and how it ended.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// A successful run's stdout, as JSON.
    fn json(&self) -> Value {
        assert_eq!(self.code, 0, "stderr: {}", self.stderr);
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout))
    }

    /// A failed run: exit 1, nothing on stdout; stderr.
    fn failed(&self) -> &str {
        assert_eq!(self.code, 1, "stdout: {}\nstderr: {}", self.stdout, self.stderr);
        assert_eq!(self.stdout, "", "a failure prints nothing on stdout");
        &self.stderr
    }
}

/// `hostadmin-cli ARGS` with exactly the environment `env` (of the
/// `HOSTADMIN_*` variables; any the test process has are removed).
async fn cli(env: &[(&str, &str)], args: &[&str]) -> Run {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_hostadmin-cli"));
    cmd.args(args).stdin(std::process::Stdio::null()).kill_on_drop(true);
    for name in ["HOSTADMIN_URL", "HOSTADMIN_TOKEN", "HOSTADMIN_USER", "HOSTADMIN_PASSWORD"] {
        cmd.env_remove(name);
    }
    cmd.envs(env.iter().copied());
    let Output { status, stdout, stderr } = tokio::time::timeout(LIMIT, cmd.output())
        .await
        .unwrap_or_else(|_| panic!("hostadmin-cli {args:?} ran longer than {LIMIT:?}"))
        .unwrap();
    Run {
        code: status.code().expect("exited, not killed"),
        stdout: String::from_utf8(stdout).unwrap(),
        stderr: String::from_utf8(stderr).unwrap(),
    }
}

impl Live {
    fn session_env(&self) -> [(&str, &str); 3] {
        [("HOSTADMIN_URL", &self.url), ("HOSTADMIN_USER", ADMIN.0), ("HOSTADMIN_PASSWORD", ADMIN.1)]
    }

    fn token_env(&self) -> [(&str, &str); 2] {
        [("HOSTADMIN_URL", &self.url), ("HOSTADMIN_TOKEN", &self.token)]
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn servers_are_listed_created_updated_and_deleted_with_a_session() {
    let live = start().await;
    let env = live.session_env();

    let created = cli(&env, &["server-create", "--hostname", "mail01", "--extname", "mail01.example.com"]).await.json();
    assert_eq!(
        (created["hostname"].as_str(), created["extname"].as_str()),
        (Some("mail01"), Some("mail01.example.com"))
    );
    let id = created["ID"].as_i64().expect("the new server's ID").to_string();

    // A body from a file, as the generator offers for every body.
    let body = live.dir.path().join("server.json");
    std::fs::write(&body, r#"{"hostname": "mail02", "extname": "mail02.example.com"}"#).unwrap();
    cli(&env, &["server-create", "--json-body", body.to_str().unwrap()]).await.json();

    let list = cli(&env, &["server-list", "--limit", "10", "--sort", "hostname,desc"]).await.json();
    assert_eq!(list["count"], 2);
    let names: Vec<&str> = list["data"].as_array().unwrap().iter().map(|s| s["hostname"].as_str().unwrap()).collect();
    assert_eq!(names, ["mail02", "mail01"]);
    // A repeatable array parameter, and a limit.
    let list =
        cli(&env, &["server-list", "--match", "mail01", "--match-fields", "hostname", "--limit", "1"]).await.json();
    assert_eq!((list["count"].clone(), list["data"][0]["hostname"].clone()), (1.into(), "mail01".into()));

    let updated = cli(&env, &["server-update", "--id", &id, "--extname", "mx01.example.com"]).await.json();
    assert_eq!(updated["extname"], "mx01.example.com");
    assert_eq!(cli(&env, &["server-get", "--id", &id]).await.json()["extname"], "mx01.example.com");

    let deleted = cli(&env, &["server-delete", "--id", &id]).await.json();
    assert!(deleted["message"].is_string(), "{deleted}");
    let stderr = cli(&env, &["server-get", "--id", &id]).await.failed().to_string();
    assert!(stderr.starts_with("hostadmin-cli: server-get: 404"), "{stderr}");
    assert!(stderr.contains(&format!("\"message\": \"Server {id} not found\"")), "{stderr}");
    assert_eq!(cli(&env, &["server-list"]).await.json()["count"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn managers_are_listed_created_updated_and_deleted_with_an_api_token() {
    let live = start().await;
    let env = live.token_env();

    let created = cli(
        &env,
        &[
            "manager-create",
            "--email-address",
            "jane@example.com",
            "--firstname",
            "Jane",
            "--lastname",
            "Doe",
            "--password",
            "secret123",
            "--password-confirmation",
            "secret123",
            "--max-domains",
            "10",
        ],
    )
    .await
    .json();
    assert_eq!(created["message"], "Manager created");
    let code = created["resource_code"].as_str().unwrap().to_string();

    let list = cli(&env, &["manager-list", "--query", "jane", "--per", "10"]).await.json();
    assert_eq!(list["pagination"]["total_records"], 1, "{list}");
    assert_eq!(list["resources"][0]["manager_code"], code.as_str(), "{list}");

    // 204: an empty success prints nothing.
    let run = cli(&env, &["manager-update", "--manager-code", &code, "--max-domains", "5"]).await;
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "stderr: {}", run.stderr);
    let manager = cli(&env, &["manager-get", "--manager-code", &code]).await.json();
    assert_eq!(manager["max_domains"], 5, "{manager}");

    let run = cli(&env, &["manager-delete", "--manager-code", &code]).await;
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    let stderr = cli(&env, &["manager-get", "--manager-code", &code]).await.failed().to_string();
    assert!(stderr.starts_with("hostadmin-cli: manager-get: 404"), "{stderr}");
    assert!(stderr.contains("\"message\": \"Not found\""), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_groups_surface_logs_in_with_its_own_token() {
    let live = start().await;
    let groups = cli(&live.session_env(), &["group-list"]).await.json();
    assert_eq!((groups["status"].clone(), groups["statusCode"].clone()), (0.into(), 200.into()), "{groups}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_exit_non_zero_with_the_error_body_on_stderr() {
    let live = start().await;

    // A wrong password: the login's answer, as the service gave it.
    let env = [("HOSTADMIN_URL", live.url.as_str()), ("HOSTADMIN_USER", ADMIN.0), ("HOSTADMIN_PASSWORD", "wrong-1")];
    let stderr = cli(&env, &["server-list"]).await.failed().to_string();
    assert!(stderr.starts_with("hostadmin-cli: server-list: 401 Unauthorized\n"), "{stderr}");
    let body: Value = serde_json::from_str(stderr.split_once('\n').unwrap().1).unwrap();
    assert_eq!(body["message"], "Access denied", "{body}");
    // The same on the ONLYOFFICE surface, in its envelope.
    let stderr = cli(&env, &["group-list"]).await.failed().to_string();
    assert!(stderr.starts_with("hostadmin-cli: group-list: 401 Unauthorized\n"), "{stderr}");
    assert!(stderr.contains("\"statusCode\": 401"), "{stderr}");

    // A wrong API token.
    let env = [("HOSTADMIN_URL", live.url.as_str()), ("HOSTADMIN_TOKEN", "hat_1_not-the-secret")];
    let stderr = cli(&env, &["manager-list"]).await.failed().to_string();
    assert!(stderr.starts_with("hostadmin-cli: manager-list: 401 Unauthorized\n"), "{stderr}");
    assert!(stderr.contains("\"message\": \"Unauthorized\""), "{stderr}");

    // The service refuses a duplicate: its 400 body says why.
    let env = live.session_env();
    cli(&env, &["server-create", "--hostname", "mail01", "--extname", "mail01.example.com"]).await.json();
    let stderr = cli(&env, &["server-create", "--hostname", "mail01", "--extname", "other.example.com"])
        .await
        .failed()
        .to_string();
    assert!(stderr.starts_with("hostadmin-cli: server-create: 400 Bad Request\n"), "{stderr}");
    let body: Value = serde_json::from_str(stderr.split_once('\n').unwrap().1).unwrap();
    assert_eq!(body["message"], "Bad Request", "{body}");
    assert!(body["error"].as_str().is_some_and(|e| e.contains("hostname")), "{body}");
    // A body file that is not the operation's JSON never leaves the machine.
    let stderr = cli(&env, &["server-create", "--json-body", "/dev/null"]).await.failed().to_string();
    assert!(stderr.contains("failed to parse /dev/null"), "{stderr}");

    // No URL; credentials the operation cannot use.
    let stderr = cli(&[("HOSTADMIN_TOKEN", &live.token)], &["manager-list"]).await.failed().to_string();
    assert!(stderr.contains("no service URL: set HOSTADMIN_URL"), "{stderr}");
    let stderr = cli(&live.token_env(), &["server-list"]).await.failed().to_string();
    assert!(stderr.contains("server-list needs an account (--user or HOSTADMIN_USER"), "{stderr}");
    let stderr = cli(&live.session_env(), &["manager-list"]).await.failed().to_string();
    assert!(stderr.contains("manager-list needs an API token"), "{stderr}");

    // A service that is not there.
    let stderr = cli(&[("HOSTADMIN_URL", "http://127.0.0.1:9"), ("HOSTADMIN_TOKEN", "t")], &["manager-list"])
        .await
        .failed()
        .to_string();
    assert!(stderr.contains("Connection refused"), "{stderr}");

    // A wrong command line is clap's usage error: exit 2.
    let run = cli(&live.token_env(), &["server-list", "--limit", "ten"]).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
}
