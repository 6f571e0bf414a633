//! The `hostadmin` binary's account commands, run as a user would run them.

mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn hostadmin(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hostadmin"))
        .args(args)
        .env_remove("HOSTADMIN_DATABASE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

/// The service, in this process, on the database the commands wrote.
fn serve(database: &common::TestDb) -> dropshot::HttpServer<hostadmin_server::Service> {
    let mut config = hostadmin_server::Config::new("127.0.0.1:0".parse().unwrap(), database.location.clone());
    config.log_level = dropshot::ConfigLoggingLevel::Warn;
    hostadmin_server::start(&config).unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn user_add_list_passwd_and_login() {
    let database = common::TestDb::new();
    let db = database.url();
    let db = db.as_str();

    let out =
        hostadmin(&["user", "add", "root", "--role", "admin", "--password-stdin", "--database", db], "first-pass-1\n");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = hostadmin(
        &["user", "add", "viewer", "--role", "readonly", "--password-stdin", "--database", db],
        "viewer-pass-1\n",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));

    let out = hostadmin(&["user", "list", "--database", db], "");
    assert_eq!(text(&out.stdout), "root\tadmin\nviewer\treadonly\n");

    // Passwords are stored as argon2id hashes, never in clear.
    let conn_text = database.stored_bytes();
    assert!(!conn_text.windows(12).any(|w| w == b"first-pass-1"), "the clear password is not in the file");

    let out = hostadmin(&["user", "passwd", "root", "--password-stdin", "--database", db], "second-pass-2\n");
    assert!(out.status.success(), "{}", text(&out.stderr));

    // The service sees the same accounts: the new password logs in, the old does not.
    let server = serve(&database);
    let url = format!("http://{}/api/v1/login", server.local_addr());
    let http = reqwest::Client::new();
    let old = http.post(&url).form(&[("user", "root"), ("pass", "first-pass-1")]).send().await.unwrap();
    assert_eq!(old.status().as_u16(), 401);
    let new = http.post(&url).form(&[("user", "root"), ("pass", "second-pass-2")]).send().await.unwrap();
    assert_eq!(new.status().as_u16(), 200);
    let cookie = new.headers().get("set-cookie").unwrap().to_str().unwrap().to_string();
    assert!(
        cookie.starts_with("grommunioAuthJwt=")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict")
            && !cookie.contains("Secure"),
        "{cookie}: over plain HTTP a Secure cookie would never come back"
    );
}

#[test]
fn user_commands_fail_clearly() {
    let database = common::TestDb::new();
    let db = database.url();
    let db = db.as_str();

    let out = hostadmin(&["user", "add", "a", "--role", "admin", "--password-stdin", "--database", db], "");
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("no password on standard input"), "{}", text(&out.stderr));

    let out =
        hostadmin(&["user", "add", "a", "--role", "admin", "--password-stdin", "--database", db], "pass-word-1\n");
    assert!(out.status.success());
    let out =
        hostadmin(&["user", "add", "a", "--role", "readonly", "--password-stdin", "--database", db], "pass-word-2\n");
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("already exists"), "{}", text(&out.stderr));

    let out = hostadmin(&["user", "add", "b", "--role", "superuser", "--password-stdin", "--database", db], "x\n");
    assert!(!out.status.success(), "an unknown role is refused");

    let out = hostadmin(&["user", "add", "b", "--role", "admin", "--database", db], "x\n");
    assert!(!out.status.success(), "the password is only ever read from stdin");

    let out = hostadmin(&["user", "passwd", "ghost", "--password-stdin", "--database", db], "pass-word-3\n");
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("no account"), "{}", text(&out.stderr));

    for command in [&["role", "ghost", "--role", "admin"][..], &["delete", "ghost"], &["revoke-sessions", "ghost"]] {
        let out = hostadmin(&[&["user"][..], command, &["--database", db]].concat(), "");
        assert!(!out.status.success(), "{command:?}");
        assert!(text(&out.stderr).contains("no account \"ghost\""), "{command:?}: {}", text(&out.stderr));
    }

    let out = hostadmin(&["serve", "--bind", "not-an-address", "--database", db], "");
    assert!(!out.status.success(), "a bad bind address is a clear error");
}

/// A session of each surface, for an account, against a live service.
struct Sessions {
    http: reqwest::Client,
    base: String,
}

impl Sessions {
    async fn cookie(&self, user: &str, pass: &str) -> String {
        let r = self.http.post(format!("{}/api/v1/login", self.base)).form(&[("user", user), ("pass", pass)]);
        let body: serde_json::Value = r.send().await.unwrap().json().await.unwrap();
        body["grommunioAuthJwt"].as_str().unwrap().to_string()
    }

    async fn token(&self, user: &str, pass: &str) -> String {
        let body = serde_json::json!({"userName": user, "password": pass});
        let r = self.http.post(format!("{}/api/2.0/authentication", self.base)).json(&body);
        let body: serde_json::Value = r.send().await.unwrap().json().await.unwrap();
        body["response"]["token"].as_str().unwrap().to_string()
    }

    /// The status and error message of a read with this grommunio session.
    async fn system(&self, cookie: &str) -> (u16, String) {
        let r = self.http.get(format!("{}/api/v1/system/servers", self.base));
        let r = r.header("Cookie", format!("grommunioAuthJwt={cookie}")).send().await.unwrap();
        let status = r.status().as_u16();
        let body: serde_json::Value = r.json().await.unwrap();
        (status, body["error"].as_str().unwrap_or_default().to_string())
    }

    /// The status and error message of a read with this ONLYOFFICE token.
    async fn groups(&self, token: &str) -> (u16, String) {
        let r = self.http.get(format!("{}/api/2.0/group", self.base)).header("Authorization", token);
        let r = r.send().await.unwrap();
        let status = r.status().as_u16();
        let body: serde_json::Value = r.json().await.unwrap();
        (status, body["error"]["message"].as_str().unwrap_or_default().to_string())
    }
}

#[tokio::test]
async fn sessions_end_on_revocation_role_change_deletion_and_logout() {
    let database = common::TestDb::new();
    let db = database.url();
    let db = db.as_str();
    for (name, role) in [("root", "admin"), ("viewer", "readonly")] {
        let out =
            hostadmin(&["user", "add", name, "--role", role, "--password-stdin", "--database", db], "pass-word-1\n");
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let server = serve(&database);
    let s = Sessions { http: reqwest::Client::new(), base: format!("http://{}", server.local_addr()) };
    let revoked = (401, "Session revoked".to_string());

    // A token is for the surface that issued it.
    let (cookie, token) = (s.cookie("root", "pass-word-1").await, s.token("root", "pass-word-1").await);
    assert_eq!(s.system(&cookie).await.0, 200);
    assert_eq!(s.groups(&token).await.0, 200);
    assert_eq!(s.system(&token).await, (401, "Token not valid for this API".to_string()));
    // (The groups surface answers every 401 with the product's one message.)
    assert_eq!(s.groups(&cookie).await, (401, "Unauthorized".to_string()));

    // `user revoke-sessions`: both surfaces' sessions end; a new login works.
    let out = hostadmin(&["user", "revoke-sessions", "root", "--database", db], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(s.system(&cookie).await, revoked);
    assert_eq!(s.groups(&token).await.0, 401);

    // A role change ends the sessions that carried the old rights (each
    // session is used first, so that the server has it checked and kept:
    // the change must end it all the same).
    let cookie = s.cookie("root", "pass-word-1").await;
    assert_eq!(s.system(&cookie).await.0, 200);
    let out = hostadmin(&["user", "role", "root", "--role", "readonly", "--database", db], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(s.system(&cookie).await, revoked);
    assert_eq!(text(&hostadmin(&["user", "list", "--database", db], "").stdout), "root\treadonly\nviewer\treadonly\n");

    // A password change too.
    let cookie = s.cookie("root", "pass-word-1").await;
    assert_eq!(s.system(&cookie).await.0, 200);
    let out = hostadmin(&["user", "passwd", "root", "--password-stdin", "--database", db], "pass-word-2\n");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(s.system(&cookie).await, revoked);

    // Logout (the ONLYOFFICE surface's): every session of the account ends,
    // the grommunio one included; the other account's sessions stay.
    let (cookie, token) = (s.cookie("root", "pass-word-2").await, s.token("root", "pass-word-2").await);
    let viewer = s.cookie("viewer", "pass-word-1").await;
    let r = s.http.post(format!("{}/api/2.0/authentication/logout", s.base)).header("Authorization", &token);
    let body: serde_json::Value = r.send().await.unwrap().json().await.unwrap();
    assert_eq!(body, serde_json::json!({"status": 0, "statusCode": 200, "response": true}));
    assert_eq!(s.groups(&token).await.0, 401);
    assert_eq!(s.system(&cookie).await, revoked);
    assert_eq!(s.system(&viewer).await.0, 200);
    let r = s.http.post(format!("{}/api/2.0/authentication/logout", s.base)).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 401, "logout needs a session");

    // Deleting an account ends its sessions.
    let out = hostadmin(&["user", "delete", "viewer", "--database", db], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(s.system(&viewer).await, (401, "Account no longer exists".to_string()));
    assert_eq!(text(&hostadmin(&["user", "list", "--database", db], "").stdout), "root\treadonly\n");
}

/// A revocation from another process while requests with the session are
/// in flight at the same moment: each of those answers 200 or 401, and
/// every request sent after the command returned, all at once, is refused
/// (none is served from a principal the server kept before the commit).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_revocation_during_concurrent_requests_ends_every_later_one() {
    let database = common::TestDb::new();
    let db = database.url();
    let out =
        hostadmin(&["user", "add", "root", "--role", "admin", "--password-stdin", "--database", &db], "pw-word-1\n");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let server = serve(&database);
    let s =
        std::sync::Arc::new(Sessions { http: reqwest::Client::new(), base: format!("http://{}", server.local_addr()) });
    let cookie = std::sync::Arc::new(s.cookie("root", "pw-word-1").await);
    let burst = || {
        (0..32)
            .map(|_| {
                let (s, cookie) = (s.clone(), cookie.clone());
                tokio::spawn(async move { s.system(&cookie).await })
            })
            .collect::<Vec<_>>()
    };
    for answer in futures::future::join_all(burst()).await {
        assert_eq!(answer.unwrap().0, 200);
    }
    let during = burst();
    let revoke = tokio::task::spawn_blocking({
        let db = db.clone();
        move || hostadmin(&["user", "revoke-sessions", "root", "--database", &db], "")
    });
    let out = revoke.await.unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    for answer in futures::future::join_all(during).await {
        assert!(matches!(answer.unwrap().0, 200 | 401));
    }
    for answer in futures::future::join_all(burst()).await {
        assert_eq!(answer.unwrap(), (401, "Session revoked".to_string()));
    }
}

#[tokio::test]
async fn token_create_list_revoke() {
    let database = common::TestDb::new();
    let db = database.url();
    let db = db.as_str();
    let out =
        hostadmin(&["user", "add", "root", "--role", "admin", "--password-stdin", "--database", db], "first-pass-1\n");
    assert!(out.status.success());

    let out = hostadmin(&["token", "create", "--user", "root", "--name", "deploy", "--database", db], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let token = text(&out.stdout).trim().to_string();
    assert!(token.starts_with("hat_"), "{token}");
    let stored = database.stored_bytes();
    let secret = token.splitn(3, '_').nth(2).unwrap();
    assert_eq!(secret.len(), 43, "32 random bytes, base64url");
    assert!(!stored.windows(secret.len()).any(|w| w == secret.as_bytes()), "only a hash of the token is stored");

    let out = hostadmin(&["token", "list", "--database", db], "");
    let listing = text(&out.stdout);
    assert!(listing.starts_with("1\tuser root\tdeploy\t"), "{listing}");
    assert!(!listing.contains(secret), "list never shows secrets");

    let server = serve(&database);
    let url = format!("http://{}/api/managers", server.local_addr());
    let http = reqwest::Client::new();
    for _ in 0..2 {
        assert_eq!(http.get(&url).header("X-Api-Token", &token).send().await.unwrap().status().as_u16(), 200);
    }

    let out = hostadmin(&["token", "revoke", "1", "--database", db], "");
    assert!(out.status.success());
    assert_eq!(
        http.get(&url).header("X-Api-Token", &token).send().await.unwrap().status().as_u16(),
        401,
        "revoked at once"
    );

    for (args, why) in [
        (vec!["token", "revoke", "1"], "no token 1"),
        (vec!["token", "create", "--user", "ghost"], "no account"),
        (vec!["token", "create", "--manager", "MN00000000"], "no manager"),
    ] {
        let mut args = args;
        args.extend(["--database", db]);
        let out = hostadmin(&args, "");
        assert!(!out.status.success());
        assert!(text(&out.stderr).contains(why), "{why}: {}", text(&out.stderr));
    }
    let out = hostadmin(&["token", "create", "--database", db], "");
    assert!(!out.status.success(), "an owner is required");
}

/// `hostadmin user unlock` clears a name's failed-login counts.
#[tokio::test]
async fn user_unlock_clears_failed_logins() {
    let database = common::TestDb::new();
    let db = database.url();
    let db = db.as_str();
    let out =
        hostadmin(&["user", "add", "root", "--role", "admin", "--password-stdin", "--database", db], "pass-word-1\n");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let server = serve(&database);
    let url = format!("http://{}/api/v1/login", server.local_addr());
    let http = reqwest::Client::new();
    let attempt = |pass: &'static str| http.post(&url).form(&[("user", "root"), ("pass", pass)]).send();
    for _ in 0..5 {
        assert_eq!(attempt("wrong").await.unwrap().status().as_u16(), 401);
    }
    assert_eq!(attempt("pass-word-1").await.unwrap().status().as_u16(), 429);
    let out = hostadmin(&["user", "unlock", "root", "--database", db], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "root: 2 failed-login count(s) cleared\n");
    assert_eq!(attempt("pass-word-1").await.unwrap().status().as_u16(), 200);
}

/// An operator's account and token commands are audited like API writes
/// (`operator:USER` via `cli`), one entry per change, none for a command
/// that changed nothing; the API's typed client reads them.
#[tokio::test]
async fn account_and_token_commands_are_audited() {
    let database = common::TestDb::new();
    let db = database.url();
    let db = db.as_str();
    let ok = |args: &[&str], stdin: &str| {
        let out = hostadmin(&[args, &["--database", db]].concat(), stdin);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        text(&out.stdout)
    };
    ok(&["user", "add", "root", "--role", "admin", "--password-stdin"], "first-pass-1\n");
    ok(&["user", "add", "ops", "--role", "admin", "--password-stdin"], "first-pass-2\n");
    ok(&["user", "passwd", "ops", "--password-stdin"], "second-pass-2\n");
    ok(&["user", "role", "ops", "--role", "readonly"], "");
    ok(&["user", "revoke-sessions", "ops"], "");
    ok(&["user", "unlock", "ops"], "");
    let token = ok(&["token", "create", "--user", "root", "--name", "deploy"], "");
    let id = token.trim().split('_').nth(1).unwrap().to_string();
    ok(&["token", "revoke", &id], "");
    ok(&["user", "delete", "ops"], "");
    // Commands that change nothing leave nothing.
    for args in
        [&["user", "role", "ghost", "--role", "admin"][..], &["user", "delete", "ghost"], &["token", "revoke", "99"]]
    {
        assert!(!hostadmin(&[args, &["--database", db]].concat(), "").status.success(), "{args:?}");
    }

    let server = serve(&database);
    let url = format!("http://{}", server.local_addr());
    let login = hostadmin_client::Client::builder(&url)
        .build()
        .unwrap()
        .login()
        .body(hostadmin_client::types::LoginForm {
            user: "root".try_into().unwrap(),
            pass: "first-pass-1".try_into().unwrap(),
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    let client = hostadmin_client::session_client(&url, &login).unwrap();
    let log = client.audit_list().limit(100).send().await.unwrap().into_inner();
    let mut seen: Vec<(String, String)> = log.data.iter().map(|e| (e.operation.clone(), e.target.clone())).collect();
    seen.reverse();
    let expected: Vec<(String, String)> = [
        ("user_add", "account:root"),
        ("user_add", "account:ops"),
        ("user_passwd", "account:ops"),
        ("user_role", "account:ops"),
        ("user_revoke_sessions", "account:ops"),
        ("user_unlock", "account:ops"),
        ("token_create", &*format!("token:{id}")),
        ("token_revoke", &*format!("token:{id}")),
        ("user_delete", "account:ops"),
    ]
    .iter()
    .map(|(o, t)| (o.to_string(), t.to_string()))
    .collect();
    assert_eq!(seen, expected);
    let me = Command::new("id").arg("-un").output().unwrap();
    let me = format!("operator:{}", text(&me.stdout).trim());
    for entry in &log.data {
        assert_eq!(entry.via, hostadmin_client::types::AuditEntryVia::Cli);
        assert_eq!(entry.principal, me);
        assert_eq!((entry.method.as_str(), entry.client.as_str()), ("CLI", "local"));
        assert!(entry.request_id.starts_with("cli-"), "{}", entry.request_id);
    }
    // `hostadmin audit` filters by the operator too.
    let mine = ok(&["audit", "--principal", &log.data[0].principal], "");
    assert_eq!(mine.lines().count(), expected.len(), "{mine}");
}
