//! `cargo xtask contract`: schemathesis against a live release server.

use std::process::Command;

use anyhow::{bail, Result};

use crate::live::{LiveServer, Store};
use crate::{project_root, tools};

/// Fixed, so that CI runs are repeatable; bounded, so that they are fast.
const SEED: &str = "20261123";
const MAX_EXAMPLES: &str = "30";

/// Logging out ends every session of its account, on both surfaces (see
/// the README's first steps), so every operation that schemathesis sent
/// after it was answered 401 and tested no further than its
/// authentication: in one run, 17 operations were. It runs in a pass of its
/// own, after all the others.
const LOGOUT: &str = "authentication_logout";

/// Runs schemathesis, generating requests from `spec` (normally
/// `spec/openapi.yaml`), against a server built from `spec/openapi.yaml`
/// running on `store`: every operation but [`LOGOUT`], then that one.
pub fn contract(spec: &str, store: Store) -> Result<()> {
    let st = tools::schemathesis()?;
    let binary = tools::release_server()?;
    let server = LiveServer::start(&binary, store)?;
    let (jwt, csrf) = server.login()?;
    let onlyoffice_token = server.onlyoffice_token()?;
    let reports = tools::target_dir().join("contract");
    std::fs::create_dir_all(&reports)?;
    let root = project_root();
    // Logout has no links to follow, so its pass has no stateful phase; a
    // spec without it (an early release, through `--spec`) has no such pass.
    let has_logout = std::fs::read_to_string(root.join(spec))?.contains(LOGOUT);
    let passes = [
        ("every operation but logout", "--exclude-operation-id", "", "examples,coverage,fuzzing,stateful"),
        ("logout", "--include-operation-id", "-logout", "examples,coverage,fuzzing"),
    ];

    let mut failed = Vec::new();
    for (name, filter, suffix, phases) in passes.into_iter().take(if has_logout { 2 } else { 1 }) {
        let json_report = reports.join(format!("schemathesis{suffix}.json"));
        let har_report = reports.join(format!("requests{suffix}.har"));
        let mut cmd = Command::new(&st);
        cmd.arg("--config-file")
            .arg(root.join("xtask/contract/schemathesis.toml"))
            .arg("run")
            .arg(root.join(spec))
            .args(["--url", &server.url(), "--checks", "all", "--seed", SEED, "--max-examples", MAX_EXAMPLES])
            .args([filter, LOGOUT, "--phases", phases])
            .args(["--workers", "1", "--no-color", "--generation-database", "none", "--report", "json,har"])
            .arg("--report-json-path")
            .arg(&json_report)
            .arg("--report-har-path")
            .arg(&har_report)
            // schemathesis keeps a cache in its working directory: keep it
            // out of the source tree.
            .current_dir(&reports)
            .env("HOSTADMIN_API_TOKEN", &server.api_token)
            .env("HOSTADMIN_ONLYOFFICE_TOKEN", &onlyoffice_token)
            .env("HOSTADMIN_JWT", &jwt)
            .env("HOSTADMIN_CSRF", &csrf);
        eprintln!(
            "$ st run spec/openapi.yaml --url {} --checks all --seed {SEED} --max-examples {MAX_EXAMPLES} {filter} {LOGOUT}",
            server.url()
        );
        let status = cmd.status()?;

        let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json_report)?)?;
        let har: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&har_report)?)?;
        let requests = har["log"]["entries"].as_array().map_or(0, Vec::len);
        let failures = report["failures"].as_array().map_or(0, Vec::len);
        let errors = report["errors"].as_array().map_or(0, Vec::len);
        let cases = &report["test_cases"]["generated"];
        // Operations that answered nothing but 401 and 403 were tested no
        // further than their authentication: the credentials above stopped
        // working during the run.
        let only_refused: Vec<&str> = report["warnings"]["missing_auth"]
            .as_array()
            .map_or_else(Vec::new, |ops| ops.iter().filter_map(|op| op.as_str()).collect());
        println!(
            "contract ({name}): {requests} requests sent, {cases} test cases, {failures} failures, {errors} errors"
        );
        if !status.success() || failures > 0 || errors > 0 {
            failed.push(format!("{name}: {failures} failure(s) and {errors} error(s)"));
        }
        if !only_refused.is_empty() {
            failed.push(format!("{name}: only 401 or 403 from {}", only_refused.join(", ")));
        }
    }
    drop(server);
    println!("contract: reports in {}", reports.display());
    if !failed.is_empty() {
        bail!("contract: {}", failed.join("; "));
    }
    Ok(())
}
