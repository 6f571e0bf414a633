//! `cargo xtask contract`: schemathesis against a live release server.

use std::process::Command;

use anyhow::{bail, Result};

use crate::live::{LiveServer, Store};
use crate::{project_root, tools};

/// Fixed, so that CI runs are repeatable; bounded, so that they are fast.
const SEED: &str = "20261123";
const MAX_EXAMPLES: &str = "30";

/// Runs schemathesis, generating requests from `spec` (normally
/// `spec/openapi.yaml`), against a server built from `spec/openapi.yaml`
/// running on `store`.
pub fn contract(spec: &str, store: Store) -> Result<()> {
    let st = tools::schemathesis()?;
    let binary = tools::release_server()?;
    let server = LiveServer::start(&binary, store)?;
    let (jwt, csrf) = server.login()?;
    let onlyoffice_token = server.onlyoffice_token()?;
    let reports = tools::target_dir().join("contract");
    std::fs::create_dir_all(&reports)?;
    let json_report = reports.join("schemathesis.json");
    let har_report = reports.join("requests.har");
    let root = project_root();

    let mut cmd = Command::new(&st);
    cmd.arg("--config-file")
        .arg(root.join("xtask/contract/schemathesis.toml"))
        .arg("run")
        .arg(root.join(spec))
        .args(["--url", &server.url(), "--checks", "all", "--seed", SEED, "--max-examples", MAX_EXAMPLES])
        .args(["--workers", "1", "--no-color", "--generation-database", "none", "--report", "json,har"])
        .arg("--report-json-path")
        .arg(&json_report)
        .arg("--report-har-path")
        .arg(&har_report)
        // schemathesis keeps a cache in its working directory: keep it out
        // of the source tree.
        .current_dir(&reports)
        .env("HOSTADMIN_API_TOKEN", &server.api_token)
        .env("HOSTADMIN_ONLYOFFICE_TOKEN", onlyoffice_token)
        .env("HOSTADMIN_JWT", jwt)
        .env("HOSTADMIN_CSRF", csrf);
    eprintln!(
        "$ st run spec/openapi.yaml --url {} --checks all --seed {SEED} --max-examples {MAX_EXAMPLES}",
        server.url()
    );
    let status = cmd.status()?;
    drop(server);

    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json_report)?)?;
    let har: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&har_report)?)?;
    let requests = har["log"]["entries"].as_array().map_or(0, Vec::len);
    let failures = report["failures"].as_array().map_or(0, Vec::len);
    let errors = report["errors"].as_array().map_or(0, Vec::len);
    let cases = &report["test_cases"]["generated"];
    println!("contract: {requests} requests sent, {cases} test cases, {failures} failures, {errors} errors");
    println!("contract: reports in {}", reports.display());
    if !status.success() || failures > 0 || errors > 0 {
        bail!("schemathesis found {failures} failure(s) and {errors} error(s)");
    }
    Ok(())
}
