//! `cargo xtask docs`: the docs portal, written out or tested in a browser.

use std::process::Command;

use anyhow::Result;

use crate::live::{LiveServer, Store};
use crate::{cargo, project_root, run, tools};

/// Writes the portal (generated from the spec at build time) to `dir`.
pub fn write(dir: &str) -> Result<()> {
    let mut cmd = cargo();
    cmd.args(["run", "--quiet", "-p", "hostadmin-api", "--bin", "docs", "--", "--out", dir]);
    run(cmd)
}

/// Opens the portal the release server serves at `/docs/` in headless
/// Chromium and checks every operation's page (`xtask/node/docs.test.mjs`).
pub fn browser_test() -> Result<()> {
    let chromium = tools::chromium()?;
    let node_modules = tools::node_modules()?;
    let binary = tools::release_server()?;
    // The portal is the same on every backend: one run, on SQLite.
    let server = LiveServer::start(&binary, Store::Sqlite)?;
    let screenshots = tools::target_dir().join("docs-screenshots");
    let mut test = Command::new("node");
    test.arg("--test")
        .arg(project_root().join("xtask/node/docs.test.mjs"))
        .env("DOCS_BASE", server.url())
        .env("CHROMIUM", chromium)
        .env("SCREENSHOTS", &screenshots)
        .current_dir(node_modules.parent().expect("node_modules has a parent"));
    let result = run(test);
    drop(server);
    result?;
    println!("docs test: screenshots in {}", screenshots.display());
    Ok(())
}
