//! The audit log: every successful write of every surface, exactly once,
//! with who made it and how; nothing for a write that failed; readable by
//! administrators over HTTP and with `hostadmin audit`.

mod common;

use common::onlyoffice::authenticate;
use common::{status_json, with_session, TestServer, ADMIN, READER};
use reqwest::Method;
use serde_json::{json, Value};

async fn audit(t: &TestServer, query: &str) -> (u16, Value) {
    let session = t.login(ADMIN).await;
    let r = with_session(t.http().get(format!("{}/api/v1/system/audit{query}", t.url)), &session, false);
    status_json(r.send().await.unwrap()).await
}

#[tokio::test]
async fn every_write_is_recorded_once_with_its_principal() {
    let t = TestServer::start().await;
    let session = t.login(ADMIN).await;
    let (_, before) = audit(&t, "").await;
    assert_eq!(before["count"], 0, "logins and reads are not writes: {before}");

    // A grommunio session, an API token, an ONLYOFFICE token.
    let created = t.post_server(&session, "mail01").await;
    assert_eq!(created.status().as_u16(), 201);
    let server_request = created.headers()["x-request-id"].to_str().unwrap().to_string();
    let server: Value = created.json().await.unwrap();
    let duplicate = t.post_server(&session, "mail01").await;
    assert_eq!(duplicate.status().as_u16(), 400, "a failed write");
    let token = t.account_token(ADMIN.0);
    let domain = t
        .api(Method::POST, "/api/domains", &token)
        .json(&json!({"name": "example.com", "server_id": server["ID"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(domain.status().as_u16(), 201);
    let oo = authenticate(&t, ADMIN.0, ADMIN.1).await;
    let group = t
        .http()
        .post(format!("{}/api/2.0/group", t.url))
        .header("Authorization", &oo)
        .json(&json!({"groupName": "Sales", "members": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(group.status().as_u16(), 201);

    let (status, log) = audit(&t, "").await;
    assert_eq!(status, 200, "{log}");
    assert_eq!(log["count"], 3, "three writes succeeded, one failed: {log}");
    let entries = log["data"].as_array().unwrap();
    let summary: Vec<(&str, &str, &str, &str, &str)> = entries
        .iter()
        .map(|e| {
            let field = |k: &str| e[k].as_str().unwrap();
            (field("operation"), field("principal"), field("via"), field("method"), field("target"))
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("group_create", "account:admin", "session", "POST", "/api/2.0/group"),
            ("domain_create", "account:admin", "api-token", "POST", "/api/domains"),
            ("server_create", "account:admin", "session", "POST", "/api/v1/system/servers"),
        ],
        "newest first"
    );
    assert_eq!(entries[2]["requestId"], server_request.as_str(), "the request id of the logs");
    assert_eq!(entries[2]["client"], "127.0.0.1");
    assert!(entries[0]["at"].as_str().unwrap().ends_with('Z'));

    // Filters and pages.
    let (_, page) = audit(&t, "?limit=1&offset=1").await;
    assert_eq!((page["count"].clone(), page["data"][0]["operation"].clone()), (json!(3), json!("domain_create")));
    let (_, none) = audit(&t, "?since=2999-01-01T00:00:00Z").await;
    assert_eq!(none["count"], 0);
    let (_, all) = audit(&t, "?since=2000-01-01T00:00:00Z&principal=account:admin").await;
    assert_eq!(all["count"], 3);
    let (_, other) = audit(&t, "?principal=account:reader").await;
    assert_eq!(other["count"], 0);
    let (status, e) = audit(&t, "?since=yesterday").await;
    assert_eq!(status, 400, "{e}");
    assert!(e["errors"].to_string().contains("since"), "{e}");

    // Administrators only.
    let reader = t.login(READER).await;
    let r = with_session(t.http().get(format!("{}/api/v1/system/audit", t.url)), &reader, false);
    assert_eq!(r.send().await.unwrap().status().as_u16(), 403);
    let r = t.http().get(format!("{}/api/v1/system/audit", t.url));
    assert_eq!(r.send().await.unwrap().status().as_u16(), 401);
}

/// `hostadmin audit` reads the same log, as lines or JSON.
#[tokio::test]
async fn the_cli_reads_the_log() {
    let t = TestServer::start().await;
    let session = t.login(ADMIN).await;
    assert_eq!(t.post_server(&session, "mail01").await.status().as_u16(), 201);
    let db = t.database.url();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_hostadmin"))
            .arg("audit")
            .args(args)
            .args(["--database", &db])
            .env_remove("HOSTADMIN_DATABASE")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let json_lines = run(&["--json"]);
    let entry: Value = serde_json::from_str(json_lines.lines().next().unwrap()).unwrap();
    assert_eq!(
        (entry["operation"].as_str(), entry["principal"].as_str()),
        (Some("server_create"), Some("account:admin"))
    );
    let table = run(&["--principal", "account:admin", "--since", "2000-01-01T00:00:00Z"]);
    assert!(table.contains("account:admin\tsession\tserver_create\tPOST /api/v1/system/servers"), "{table}");
    assert_eq!(run(&["--principal", "account:nobody"]), "");
}
