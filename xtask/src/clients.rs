//! `cargo xtask clients [--out DIR]`: the Python and TypeScript clients for
//! people who do not write Rust, made by the same pinned openapi-generator
//! that `cargo xtask compat` proves against a live server (so what is
//! published here is what the compatibility suite drives), as one package
//! per language, versioned with the spec's `info.version`:
//!
//! - `python/`: the package `hostadmin_client` (project `hostadmin-client`),
//!   for `pip install DIR/python`;
//! - `typescript/`: the npm package `hostadmin-client`, compiled to `dist/`
//!   with the pinned TypeScript, and packed as
//!   `hostadmin-client-VERSION.tgz` for `npm install FILE`.
//!
//! Nothing is published anywhere: the packages are written to DIR (default
//! `target/clients`), and each is then installed into a scratch
//! environment and imported, so a package that cannot be used fails here.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::compat::{generate, run_bounded};
use crate::{project_root, tools};

const STEP_TIMEOUT: Duration = Duration::from_secs(180);
const PACKAGE: &str = "hostadmin-client";
const PYTHON_MODULE: &str = "hostadmin_client";

pub fn clients(out: Option<&str>) -> Result<()> {
    let started = Instant::now();
    let root = project_root();
    let out = out.map_or_else(|| tools::target_dir().join("clients"), PathBuf::from);
    let spec = root.join("spec/openapi.yaml");
    let version = spec_version(&spec)?;
    let tools = tools::compat_tools()?;
    let node_modules = tools::node_modules()?;

    // Made afresh: a package must follow the spec as it is now.
    let python = out.join("python");
    let typescript = out.join("typescript");
    let tarball = out.join(format!("{PACKAGE}-{version}.tgz"));
    for dir in [&python, &typescript] {
        let _ = std::fs::remove_dir_all(dir);
    }
    let _ = std::fs::remove_file(&tarball);
    std::fs::create_dir_all(&out)?;

    let python_props = format!("projectName={PACKAGE},packageVersion={version}");
    generate(
        &tools,
        &spec,
        "python",
        &python,
        &["--package-name", PYTHON_MODULE, "--additional-properties", &python_props],
    )?;
    let ts_props = format!("npmName={PACKAGE},npmVersion={version},supportsES6=true");
    generate(&tools, &spec, "typescript-fetch", &typescript, &["--additional-properties", &ts_props])?;

    // The npm package ships compiled JavaScript and declarations, built
    // here with the pinned compiler, so that installing it needs no build.
    let mut tsc = Command::new("node");
    tsc.arg(node_modules.join("typescript/bin/tsc")).args(["--project", "tsconfig.json", "--pretty", "false"]);
    tsc.current_dir(&typescript);
    run_bounded(tsc, STEP_TIMEOUT, false).context("the generated TypeScript client does not compile")?;
    let mut pack = Command::new("npm");
    pack.args(["pack", "--ignore-scripts", "--silent", "--pack-destination"]).arg(&out).current_dir(&typescript);
    run_bounded(pack, STEP_TIMEOUT, true)?;
    if !tarball.exists() {
        bail!("npm pack did not write {}", tarball.display());
    }

    check_python(&out, &python, &version)?;
    check_typescript(&out, &tarball, &version)?;
    println!(
        "clients: version {version} in {} ({:.0?}):\n  pip install {}\n  npm install {}",
        out.display(),
        started.elapsed(),
        python.display(),
        tarball.display()
    );
    Ok(())
}

/// The spec's `info.version`.
fn spec_version(spec: &Path) -> Result<String> {
    let doc: serde_yaml::Value = serde_yaml::from_str(&std::fs::read_to_string(spec)?)?;
    doc["info"]["version"].as_str().map(str::to_string).context("the spec has no info.version")
}

/// Installs the Python package with pip into a new venv and imports it.
fn check_python(out: &Path, package: &Path, version: &str) -> Result<()> {
    let venv = out.join(".check-venv");
    let mut create = Command::new("python3");
    create.args(["-m", "venv", "--clear"]).arg(&venv);
    run_bounded(create, STEP_TIMEOUT, true)?;
    let mut install = Command::new(venv.join("bin/pip"));
    install.args(["install", "--quiet", "--disable-pip-version-check"]).arg(package);
    run_bounded(install, STEP_TIMEOUT, true).context("pip cannot install the Python package")?;
    let script = format!(
        "import {PYTHON_MODULE} as c\nassert c.__version__ == {version:?}, c.__version__\nc.ApiClient(c.Configuration(host='http://127.0.0.1:8080'))\nprint('python:', c.__name__, c.__version__)"
    );
    // From the venv's folder, so the import cannot come from the source tree.
    let mut import = Command::new(venv.join("bin/python"));
    import.args(["-c", &script]).current_dir(&venv);
    run_bounded(import, STEP_TIMEOUT, false).context("the installed Python package does not import")?;
    let _ = std::fs::remove_dir_all(&venv);
    Ok(())
}

/// Installs the npm tarball into a scratch project (offline: the generated
/// client has no runtime dependencies) and requires it.
fn check_typescript(out: &Path, tarball: &Path, version: &str) -> Result<()> {
    let scratch = out.join(".check-npm");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch)?;
    std::fs::write(scratch.join("package.json"), "{\"name\": \"check\", \"private\": true}\n")?;
    let mut install = Command::new("npm");
    install
        .args(["install", "--offline", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"])
        .arg(tarball)
        .current_dir(&scratch);
    run_bounded(install, STEP_TIMEOUT, true).context("npm cannot install the package")?;
    let script = format!(
        "const c = require('{PACKAGE}'); const v = require('{PACKAGE}/package.json').version;\n\
         if (v !== {version:?}) throw new Error('version ' + v);\n\
         const apis = Object.keys(c).filter((k) => k.endsWith('Api') && typeof c[k] === 'function');\n\
         if (typeof c.Configuration !== 'function' || apis.length === 0) throw new Error('no client in the package');\n\
         console.log('typescript:', v, apis.join(' '));"
    );
    let mut require = Command::new("node");
    require.args(["-e", &script]).current_dir(&scratch);
    run_bounded(require, STEP_TIMEOUT, false).context("the installed npm package does not load")?;
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(())
}
