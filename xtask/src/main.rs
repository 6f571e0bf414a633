//! `cargo xtask`: the project's tasks, in plain Rust (no shell scripts).
//! `cargo xtask` alone lists them.

mod bench;
mod contract;
mod docs;
mod fuzz;
mod live;
mod tools;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::live::Store;

const USAGE: &str = "usage: cargo xtask <task>

  test          every test: the Rust suite, then spec lint, spec check,
                contract and the docs browser test (the README's test command);
                the suite and the contract run again on PostgreSQL when
                HOSTADMIN_TEST_DATABASE_URL names a database
  ci            cargo fmt --check, clippy -D warnings, then test (what CI runs)
  spec lint [FILE]
                the spec is valid OpenAPI 3.0 and keeps the house rules
                (redocly.yaml), with Redocly CLI pinned in xtask/node
  spec check    the served document against spec/openapi.yaml, as a readable diff
  contract [--spec FILE] [--postgres URL]
                schemathesis against a live release server (every check),
                from spec/openapi.yaml or FILE, on a temporary SQLite file
                or a fresh schema in the PostgreSQL database at URL
  docs [--out DIR]
                the docs portal, built from the spec (default target/docs)
  docs test     the portal, as the service serves it at /docs, in headless
                Chromium (screenshots under target/docs-screenshots)
  fuzz [--seconds N]
                the request-path fuzz target for N seconds (default 60);
                not part of `test`
  bench [--quick] [--out FILE]
                the service beside its framework and storage ceilings
                (release build; JSON to target/bench/latest.json or FILE;
                a full run, not --quick, also rewrites bench/README.md)
  schema        regenerate server/src/schema.rs from migrations/ (Diesel CLI)";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    std::env::set_current_dir(project_root())?;
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["test", extra @ ..] => test(extra),
        ["ci"] => ci(),
        ["spec", "check"] => spec_check(),
        ["spec", "lint"] => spec_lint("spec/openapi.yaml"),
        ["spec", "lint", file] => spec_lint(file),
        ["contract", rest @ ..] => contract_args(rest),
        ["docs"] => docs::write("target/docs"),
        ["docs", "--out", dir] => docs::write(dir),
        ["docs", "test"] => docs::browser_test(),
        ["schema"] => schema(),
        ["bench", rest @ ..] => bench_args(rest),
        ["fuzz"] => fuzz::fuzz(60),
        ["fuzz", "--seconds", n] => fuzz::fuzz(n.parse()?),
        _ => {
            eprintln!("{USAGE}");
            std::process::exit(2)
        }
    }
}

fn bench_args(args: &[&str]) -> Result<()> {
    let mut options = bench::Options { quick: false, out: None };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match *arg {
            "--quick" => options.quick = true,
            "--out" => options.out = Some(args.next().context("--out needs a file")?.into()),
            other => bail!("bench: unknown argument {other:?}\n{USAGE}"),
        }
    }
    bench::bench(options)
}

fn contract_args(args: &[&str]) -> Result<()> {
    let (mut spec, mut postgres) = ("spec/openapi.yaml", None);
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match *arg {
            "--spec" => spec = args.next().context("--spec needs a file")?,
            "--postgres" => postgres = Some(*args.next().context("--postgres needs a database URL")?),
            other => bail!("contract: unknown argument {other:?}\n{USAGE}"),
        }
    }
    contract::contract(spec, postgres.map_or(Store::Sqlite, Store::Postgres))
}

fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf()
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

fn run(mut cmd: Command) -> Result<()> {
    eprintln!("$ {cmd:?}");
    let status = cmd.status().with_context(|| format!("cannot run {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} failed: {status}");
    }
    Ok(())
}

/// The PostgreSQL database the second pass of the suite runs on.
const TEST_DATABASE_URL: &str = "HOSTADMIN_TEST_DATABASE_URL";

fn test(extra: &[&str]) -> Result<()> {
    // The fault tests (SIGKILL, logs) run the release server, as deployed.
    let release = tools::release_server()?;
    // Every test on SQLite, then, when a PostgreSQL database is given, every
    // test again on it (each in a schema of its own).
    let postgres = std::env::var(TEST_DATABASE_URL).ok().filter(|url| !url.is_empty());
    let mut sqlite = cargo();
    sqlite.args(["test", "--workspace"]).args(extra).env("HOSTADMIN_TEST_SERVER_BINARY", &release);
    sqlite.env_remove(TEST_DATABASE_URL);
    eprintln!("xtask test: the suite on SQLite");
    run(sqlite)?;
    match &postgres {
        Some(url) => {
            let mut pg = cargo();
            pg.args(["test", "--workspace"]).args(extra).env("HOSTADMIN_TEST_SERVER_BINARY", &release);
            pg.env(TEST_DATABASE_URL, url);
            eprintln!("xtask test: the suite on PostgreSQL ({TEST_DATABASE_URL})");
            run(pg)?;
        }
        None => eprintln!("xtask test: {TEST_DATABASE_URL} is not set: the PostgreSQL pass is skipped"),
    }
    spec_lint("spec/openapi.yaml")?;
    spec_check()?;
    contract::contract("spec/openapi.yaml", Store::Sqlite)?;
    if let Some(url) = &postgres {
        eprintln!("xtask test: the contract on PostgreSQL ({TEST_DATABASE_URL})");
        contract::contract("spec/openapi.yaml", Store::Postgres(url))?;
    }
    docs::browser_test()
}

fn ci() -> Result<()> {
    let mut fmt = cargo();
    fmt.args(["fmt", "--all", "--check"]);
    run(fmt)?;
    let mut clippy = cargo();
    clippy.args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]);
    run(clippy)?;
    test(&[])
}

fn spec_check() -> Result<()> {
    let mut cmd = cargo();
    cmd.args(["run", "--quiet", "-p", "hostadmin-api", "--bin", "spec-check"]);
    run(cmd)
}

fn spec_lint(file: &str) -> Result<()> {
    let node_modules = tools::node_modules()?;
    let mut cmd = Command::new(node_modules.join(".bin/redocly"));
    cmd.args(["lint", file, "--config", "redocly.yaml", "--format", "stylish"])
        .env("REDOCLY_TELEMETRY", "off")
        .env("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true");
    run(cmd)
}

fn schema() -> Result<()> {
    let tools = tools::target_dir().join("xtask-tools");
    let diesel = tools.join("bin/diesel");
    if !diesel.exists() {
        let mut install = cargo();
        install
            .args(["install", "diesel_cli", "--version", "2.3.14", "--locked", "--no-default-features"])
            .args(["--features", "sqlite-bundled", "--root"])
            .arg(&tools);
        run(install)?;
    }
    let scratch = std::env::temp_dir().join(format!("hostadmin-schema-{}.sqlite3", std::process::id()));
    let _ = std::fs::remove_file(&scratch);
    let mut migrate = Command::new(&diesel);
    migrate
        .args(["migration", "run", "--config-file", "diesel.toml", "--migration-dir", "migrations/sqlite"])
        .env("DATABASE_URL", &scratch);
    let result = run(migrate);
    let _ = std::fs::remove_file(&scratch);
    result?;
    eprintln!("server/src/schema.rs regenerated");
    Ok(())
}
