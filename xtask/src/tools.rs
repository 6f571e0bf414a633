//! The tools the tasks need beyond cargo, installed on first use from the
//! registries, pinned, and cached under the target directory.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::{project_root, run};

/// Where cargo builds (honouring `CARGO_TARGET_DIR`).
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => project_root().join("target"),
    }
}

fn tools_dir() -> PathBuf {
    target_dir().join("xtask-tools")
}

/// The schemathesis CLI, from `xtask/contract/requirements.txt`, in a venv.
pub fn schemathesis() -> Result<PathBuf> {
    let requirements = project_root().join("xtask/contract/requirements.txt");
    let wanted = std::fs::read_to_string(&requirements)?;
    let venv = tools_dir().join("venv");
    let stamp = venv.join("installed-requirements.txt");
    let st = venv.join("bin/st");
    if st.exists() && std::fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str()) {
        return Ok(st);
    }
    let python = ["python3", "python"]
        .into_iter()
        .find(|p| Command::new(p).arg("--version").output().is_ok_and(|o| o.status.success()))
        .context("python3 is needed for schemathesis")?;
    let mut create = Command::new(python);
    create.args(["-m", "venv"]).arg(&venv);
    run(create)?;
    let mut install = Command::new(venv.join("bin/pip"));
    install.args(["install", "--quiet", "--disable-pip-version-check", "-r"]).arg(&requirements);
    run(install)?;
    std::fs::write(&stamp, wanted)?;
    Ok(st)
}

/// `xtask/node/node_modules`, installed from the committed lockfile.
pub fn node_modules() -> Result<PathBuf> {
    let dir = project_root().join("xtask/node");
    let lock = std::fs::read_to_string(dir.join("package-lock.json"))?;
    let stamp = dir.join("node_modules/.installed-lock.json");
    if std::fs::read_to_string(&stamp).ok().as_deref() != Some(lock.as_str()) {
        let mut ci = Command::new("npm");
        ci.args(["ci", "--no-audit", "--no-fund", "--loglevel=error"]).current_dir(&dir);
        run(ci)?;
        std::fs::write(&stamp, lock)?;
    }
    Ok(dir.join("node_modules"))
}

/// Debian's Chromium, installed with apt-get if it is not there.
pub fn chromium() -> Result<PathBuf> {
    let path = Path::new("/usr/bin/chromium");
    if path.exists() {
        return Ok(path.to_path_buf());
    }
    eprintln!("Chromium is missing: installing Debian's package (needs root)");
    let mut update = Command::new("apt-get");
    update.args(["update", "-qq"]);
    run(update)?;
    let mut install = Command::new("apt-get");
    install
        .args(["install", "-y", "-qq", "--no-install-recommends", "chromium"])
        .env("DEBIAN_FRONTEND", "noninteractive");
    run(install)?;
    if !path.exists() {
        bail!("apt-get installed chromium, but {} is not there", path.display());
    }
    Ok(path.to_path_buf())
}

/// Builds the release binaries (the service and `hostadmin-bench`, which
/// also makes PostgreSQL schemas for the live runs) and returns the
/// service's path. One build of both packages, so that `bench` after `test`
/// finds nothing to rebuild (building them apart unifies other features).
pub fn release_server() -> Result<PathBuf> {
    let mut build = crate::cargo();
    build.args(["build", "--release", "--quiet", "-p", "hostadmin-server", "-p", "hostadmin-bench", "--bins"]);
    run(build)?;
    let binary = target_dir().join("release/hostadmin");
    if !binary.exists() {
        bail!("built, but {} is missing", binary.display());
    }
    Ok(binary)
}
