//! `cargo xtask fuzz [--seconds N]`: the request-path fuzz target
//! (`fuzz/`), run for a bounded time. cargo-fuzz wants nightly flags; this
//! machine has one stable toolchain, so they are unlocked with
//! `RUSTC_BOOTSTRAP=1` for this command only. A crash is copied into
//! `fuzz/regressions/`, which the test suite replays on every run.

use std::process::Command;

use anyhow::{bail, Result};

use crate::{cargo, project_root, run, tools};

const CARGO_FUZZ_VERSION: &str = "0.13.2";

pub fn fuzz(seconds: u64) -> Result<()> {
    let root = tools::target_dir().join("xtask-tools");
    let cargo_fuzz = root.join("bin/cargo-fuzz");
    if !cargo_fuzz.exists() {
        let mut install = cargo();
        install.args(["install", "cargo-fuzz", "--locked", "--version", CARGO_FUZZ_VERSION, "--root"]).arg(&root);
        run(install)?;
    }
    let dir = project_root().join("fuzz");
    let artifacts = dir.join("artifacts/servers_request");
    let mut cmd = Command::new(&cargo_fuzz);
    cmd.args(["run", "servers_request", "--fuzz-dir"])
        .arg(&dir)
        .arg("--")
        .arg(format!("-max_total_time={seconds}"))
        .arg("-seed=20261123")
        .env("RUSTC_BOOTSTRAP", "1")
        .current_dir(project_root());
    let result = run(cmd);
    if let Ok(entries) = std::fs::read_dir(&artifacts) {
        for entry in entries.flatten() {
            let kept = dir.join("regressions").join(entry.file_name());
            std::fs::copy(entry.path(), &kept)?;
            eprintln!("fuzz: kept {} as a regression input", kept.display());
        }
    }
    if result.is_err() {
        bail!("the fuzzer found a crash; it is kept in fuzz/regressions/ (fix it, then commit the input)");
    }
    println!("fuzz: {seconds} s without a crash");
    Ok(())
}
