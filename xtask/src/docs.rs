//! `cargo xtask docs`: the docs portal, written out or tested in a browser.

use std::process::Command;

use anyhow::Result;

use crate::live::{LiveServer, Store};
use crate::{cargo, project_root, run, tools};

/// Writes the portal (generated from the spec at build time) to `dir`, a
/// static site; "Try it" sends to `try_it_base` if given, and is off if not.
pub fn write(dir: &str, try_it_base: Option<&str>) -> Result<()> {
    let mut cmd = cargo();
    cmd.args(["run", "--quiet", "-p", "hostadmin-api", "--bin", "docs", "--", "--out", dir]);
    if let Some(url) = try_it_base {
        cmd.args(["--try-it-base", url]);
    }
    run(cmd)
}

/// Opens the portal the release server serves at `/docs/` in headless
/// Chromium and checks every page (`xtask/node/docs.test.mjs`): operations,
/// changelog, Markdown, a "Try it" round trip as the server's admin, and
/// axe-core's accessibility rules; and the static copy `write` makes, with
/// "Try it" off, from `file://`.
pub fn browser_test() -> Result<()> {
    let chromium = tools::chromium()?;
    let node_modules = tools::node_modules()?;
    let binary = tools::release_server()?;
    // The portal is the same on every backend: one run, on SQLite.
    let server = LiveServer::start(&binary, Store::Sqlite)?;
    let screenshots = tools::target_dir().join("docs-screenshots");
    let static_copy = tools::target_dir().join("docs-static-test");
    let _ = std::fs::remove_dir_all(&static_copy);
    write(&static_copy.to_string_lossy(), None)?;
    let mut test = Command::new("node");
    test.arg("--test")
        .arg(project_root().join("xtask/node/docs.test.mjs"))
        .env("DOCS_BASE", server.url())
        .env("CHROMIUM", chromium)
        .env("SCREENSHOTS", &screenshots)
        .env("DOCS_STATIC", &static_copy)
        .env("DOCS_USER", crate::live::USER)
        .env("DOCS_PASSWORD", crate::live::PASSWORD)
        .env("DOCS_API_TOKEN", &server.api_token)
        .current_dir(node_modules.parent().expect("node_modules has a parent"));
    let result = run(test);
    drop(server);
    result?;
    println!("docs test: screenshots in {}", screenshots.display());
    Ok(())
}
