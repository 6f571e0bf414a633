//! `cargo xtask compat`: clients that nobody tuned. openapi-generator makes a
//! Python and a TypeScript client from `spec/openapi.yaml`; the drivers in
//! `xtask/compat/` call every operation of the spec through them against a
//! live release server, then replay ONLYOFFICE's own documented requests
//! (JSON and XML) the way the product's clients send and read them.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::live::{LiveServer, Store, PASSWORD, USER};
use crate::{project_root, tools};

/// A `readonly` account beside the admin, for the 403s.
const READONLY_USER: &str = "auditor";
const READONLY_PASSWORD: &str = "reader password 2";

/// Bounds of each step: a generator run, the compiler, one driver.
const GENERATE_TIMEOUT: Duration = Duration::from_secs(180);
const TSC_TIMEOUT: Duration = Duration::from_secs(180);
const DRIVER_TIMEOUT: Duration = Duration::from_secs(180);

pub fn compat(store: Store) -> Result<()> {
    let started = Instant::now();
    let root = project_root();
    let tools = tools::compat_tools()?;
    let node_modules = tools::node_modules()?;
    let binary = tools::release_server()?;
    let installed = started.elapsed();

    // Generated afresh every run (never committed): the clients must follow
    // the spec as it is now.
    let out = tools::target_dir().join("compat");
    for dir in ["python", "ts"] {
        let _ = std::fs::remove_dir_all(out.join(dir));
    }
    let spec = root.join("spec/openapi.yaml");
    let python_client = out.join("python");
    generate(&tools, &spec, "python", &python_client, &["--package-name", "hostadmin_compat"])?;
    let ts = out.join("ts");
    generate(&tools, &spec, "typescript-fetch", &ts.join("client"), &[])?;
    compile_ts(&root, &node_modules, &ts)?;
    let generated = started.elapsed();

    let operations = operation_ids(&spec)?;
    let run_number = next_run(&out)?;
    let python_path = python_client.into_os_string();

    let mut py = Command::new(&tools.python);
    py.arg(root.join("xtask/compat/drive.py")).env("PYTHONPATH", &python_path);
    let called = drive("python", py, &binary, store, run_number, &out)?;
    check_coverage("drive.py", &operations, &called, |op| op.to_string())?;

    let mut node = Command::new("node");
    node.arg(ts.join("build/drive.js"));
    let called = drive("typescript", node, &binary, store, run_number, &out)?;
    check_coverage("drive.ts", &operations, &called, camel_case)?;

    let mut replay = Command::new(&tools.python);
    replay.arg(root.join("xtask/compat/replay.py"));
    drive("replay", replay, &binary, store, run_number, &out)?;

    println!(
        "compat: {} operations through both generated clients, and ONLYOFFICE's requests replayed in JSON and XML \
         (run {run_number}; {:.0?} in all, {:.0?} installing tools and building the server, {:.0?} generating and compiling)",
        operations.len(),
        started.elapsed(),
        installed,
        generated - installed,
    );
    Ok(())
}

/// openapi-generator (`-g generator`) from `spec` into `dir`.
pub(crate) fn generate(
    tools: &tools::CompatTools,
    spec: &Path,
    generator: &str,
    dir: &Path,
    extra: &[&str],
) -> Result<()> {
    let mut cmd = Command::new(&tools.java);
    cmd.arg("-jar")
        .arg(&tools.generator_jar)
        .args(["generate", "--generator-name", generator, "--input-spec"])
        .arg(spec)
        .arg("--output")
        .arg(dir)
        .args(extra)
        // Only the code: no docs, tests or CI files of the generator's.
        .args(["--global-property", "apiDocs=false,modelDocs=false,apiTests=false,modelTests=false"])
        .env("JAVA_HOME", tools.java.parent().and_then(Path::parent).context("java has no home")?)
        .env_remove("JAVA_OPTS")
        .env_remove("_JAVA_OPTIONS");
    run_bounded(cmd, GENERATE_TIMEOUT, true)
}

/// `tsc --strict` over the generated client and `xtask/compat/drive.ts`
/// (copied beside it) into `ts/build`, runnable with node (CommonJS).
fn compile_ts(root: &Path, node_modules: &Path, ts: &Path) -> Result<()> {
    std::fs::copy(root.join("xtask/compat/drive.ts"), ts.join("drive.ts"))?;
    let tsconfig = serde_json::json!({
        "compilerOptions": {
            "strict": true,
            "target": "ES2022",
            "module": "commonjs",
            "moduleResolution": "node10",
            "lib": ["ES2022", "DOM"],
            "types": ["node"],
            "typeRoots": [node_modules.join("@types")],
            "outDir": "build",
            "skipLibCheck": true,
            "forceConsistentCasingInFileNames": true,
        },
        "files": ["drive.ts"],
    });
    std::fs::write(ts.join("tsconfig.json"), serde_json::to_string_pretty(&tsconfig)?)?;
    let mut tsc = Command::new("node");
    tsc.arg(node_modules.join("typescript/bin/tsc"))
        .args(["--project", "tsconfig.json", "--strict", "--pretty", "false"])
        .current_dir(ts);
    eprintln!("compat: tsc --strict over the generated client and drive.ts (in {})", ts.display());
    run_bounded(tsc, TSC_TIMEOUT, false)
        .context("tsc --strict failed (drive.ts is compiled as a copy in the folder above)")?;
    std::fs::write(ts.join("build/package.json"), "{\"type\": \"commonjs\"}\n")?;
    Ok(())
}

/// Runs one driver against a fresh release server on `store`, with the
/// admin the server was made with and its API token; returns the operations
/// the driver says it called (one per line in the file `COMPAT_CALLED`).
fn drive(
    name: &str,
    mut cmd: Command,
    binary: &Path,
    store: Store,
    run_number: u64,
    out: &Path,
) -> Result<BTreeSet<String>> {
    let server = LiveServer::start(binary, store)?;
    let readonly_token = server.add_account(READONLY_USER, "readonly", READONLY_PASSWORD)?;
    let called_file = out.join(format!("called-{name}.txt"));
    let _ = std::fs::remove_file(&called_file);
    cmd.env("HOSTADMIN_URL", server.url())
        .env("HOSTADMIN_USER", USER)
        .env("HOSTADMIN_PASSWORD", PASSWORD)
        .env("HOSTADMIN_API_TOKEN", &server.api_token)
        .env("HOSTADMIN_READONLY_USER", READONLY_USER)
        .env("HOSTADMIN_READONLY_PASSWORD", READONLY_PASSWORD)
        .env("HOSTADMIN_READONLY_API_TOKEN", readonly_token)
        .env("COMPAT_RUN", run_number.to_string())
        .env("COMPAT_CALLED", &called_file)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONUNBUFFERED", "1");
    eprintln!("compat: the {name} driver against {}", server.url());
    let result = run_bounded(cmd, DRIVER_TIMEOUT, false);
    drop(server);
    result.with_context(|| format!("the {name} driver failed"))?;
    let called = std::fs::read_to_string(&called_file).unwrap_or_default();
    Ok(called.lines().map(str::to_string).collect())
}

/// Fails when the spec has an operation the driver never called (by the
/// client method's name, `name_of(operationId)`), or the driver called a
/// method the spec no longer has.
fn check_coverage(
    driver: &str,
    operations: &BTreeSet<String>,
    called: &BTreeSet<String>,
    name_of: impl Fn(&str) -> String,
) -> Result<()> {
    let expected: BTreeSet<String> = operations.iter().map(|op| name_of(op)).collect();
    let missing: Vec<&String> = expected.difference(called).collect();
    let unknown: Vec<&String> = called.difference(&expected).collect();
    if !missing.is_empty() || !unknown.is_empty() {
        bail!(
            "{driver} fell behind spec/openapi.yaml: never called {missing:?}; called methods the spec lacks {unknown:?}"
        );
    }
    println!("compat: {driver} called all {} operations of the spec", expected.len());
    Ok(())
}

/// Every `operationId` of the spec's paths.
fn operation_ids(spec: &Path) -> Result<BTreeSet<String>> {
    let doc: serde_yaml::Value = serde_yaml::from_str(&std::fs::read_to_string(spec)?)?;
    let paths = doc["paths"].as_mapping().context("the spec has no paths")?;
    let mut ids = BTreeSet::new();
    for item in paths.values() {
        for (method, operation) in item.as_mapping().into_iter().flatten() {
            let method = method.as_str().unwrap_or_default();
            if ["get", "put", "post", "delete", "patch", "head", "options", "trace"].contains(&method) {
                let id = operation["operationId"].as_str().context("an operation without operationId")?;
                ids.insert(id.to_string());
            }
        }
    }
    Ok(ids)
}

/// `server_create` -> `serverCreate` (typescript-fetch's method names).
fn camel_case(id: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in id.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// A counter kept beside the generated clients: the drivers make their
/// names unique per run from it (no randomness).
fn next_run(out: &Path) -> Result<u64> {
    std::fs::create_dir_all(out)?;
    let file = out.join("run-counter");
    let last: u64 = std::fs::read_to_string(&file).ok().and_then(|s| s.trim().parse().ok()).unwrap_or(0);
    std::fs::write(&file, format!("{}\n", last + 1))?;
    Ok(last + 1)
}

/// Runs `cmd`, killing it after `limit`; with `quiet`, its output is kept
/// and shown only when it fails.
pub(crate) fn run_bounded(mut cmd: Command, limit: Duration, quiet: bool) -> Result<()> {
    // The program and its arguments, not the environment (it holds tokens).
    let args: Vec<String> = cmd.get_args().map(|a| a.to_string_lossy().into_owned()).collect();
    eprintln!("$ {} {}", cmd.get_program().to_string_lossy(), args.join(" "));
    let log: Option<PathBuf> =
        quiet.then(|| std::env::temp_dir().join(format!("xtask-compat-{}.log", std::process::id())));
    if let Some(log) = &log {
        let file = std::fs::File::create(log)?;
        cmd.stdout(file.try_clone()?).stderr(file);
    }
    let started = Instant::now();
    let mut child = cmd.spawn().with_context(|| format!("cannot run {cmd:?}"))?;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            bail!("{:?} took more than {limit:?}: stopped", cmd.get_program());
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let output = log.as_ref().map(|log| std::fs::read_to_string(log).unwrap_or_default());
    if let Some(log) = &log {
        let _ = std::fs::remove_file(log);
    }
    if !status.success() {
        if let Some(output) = output {
            eprintln!("{output}");
        }
        bail!("{:?} failed: {status}", cmd.get_program());
    }
    Ok(())
}
