//! `cargo xtask bench`: the service beside its ceilings, in one run.
//!
//! Each case (an HTTP request of the service) is measured three times back to
//! back at each connection count: against the release server, against the
//! framework ceiling (bare Dropshot answering the body the service gave, see
//! `bench/src/ceiling.rs`) and against the storage ceiling (the same queries
//! through Diesel with no HTTP, `bench/src/storage.rs`). Only the ratios are
//! meant to be compared between machines; these machines are shared and
//! noisy, and the three runs of a row share whatever noise there was.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

use crate::live::{spawn_listening, PgSchema};
use crate::tools;

const USER: &str = "bench";
const PASSWORD: &str = "bench-pass-1";

pub struct Options {
    pub quick: bool,
    pub out: Option<PathBuf>,
}

/// One request of the service, and what its storage ceiling runs.
struct Case {
    name: &'static str,
    method: &'static str,
    path: String,
    body: Option<String>,
    content_type: &'static str,
    status: u16,
    /// The storage ceiling's case and list query.
    storage: (&'static str, String),
}

fn cases(rows: u64, quick: bool) -> Vec<Case> {
    let get = |name, path: String, query: String| Case {
        name,
        method: "GET",
        path,
        body: None,
        content_type: "application/json",
        status: 200,
        storage: ("list", query),
    };
    let deep = rows.saturating_sub(50);
    // A number that only one server's names contain, past the middle and
    // clear of the zero padding (the trigram "000" is in a quarter of the
    // names here, so a needle holding it reads a long posting list).
    let needle = format!("{:07}", rows / 2 + (rows / 4).min(12_345));
    let mut all = vec![
        Case { storage: ("get", String::new()), ..get("get", "/api/v1/system/servers/{rand}".into(), String::new()) },
        get("list", "/api/v1/system/servers?limit=50".into(), "limit=50".into()),
        get("list-deep", format!("/api/v1/system/servers?limit=50&offset={deep}"), format!("limit=50&offset={deep}")),
        get(
            "list-match",
            format!("/api/v1/system/servers?limit=50&match={needle}"),
            format!("limit=50&match={needle}"),
        ),
        Case {
            name: "post",
            method: "POST",
            path: "/api/v1/system/servers".into(),
            body: Some(
                r#"{"hostname":"new-{nonce}-{seq}.bench.example","extname":"ext-{nonce}-{seq}.bench.example"}"#.into(),
            ),
            content_type: "application/json",
            status: 201,
            storage: ("post", String::new()),
        },
        Case {
            name: "patch",
            method: "PATCH",
            path: "/api/v1/system/servers/{rand}".into(),
            body: Some(r#"{"extname":"patched-{nonce}-{seq}.bench.example"}"#.into()),
            content_type: "application/json",
            status: 200,
            storage: ("patch", String::new()),
        },
    ];
    if quick {
        all.retain(|c| matches!(c.name, "get" | "list" | "post"));
    }
    all
}

fn login_case() -> Case {
    Case {
        name: "login",
        method: "POST",
        path: "/api/v1/login".into(),
        body: Some(format!("user={USER}&pass={PASSWORD}")),
        content_type: "application/x-www-form-urlencoded",
        status: 200,
        storage: ("login", String::new()),
    }
}

/// A child process killed when dropped.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Process {
    /// The peak resident set (VmHWM) so far, in KiB.
    fn peak_rss_kib(&self) -> Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.0.id()))?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .context("no VmHWM in /proc/PID/status")
    }
}

struct Bench {
    bin: PathBuf,
    work: PathBuf,
    seconds: f64,
    warmup: f64,
}

impl Bench {
    fn tool(&self) -> Command {
        Command::new(self.bin.join("hostadmin-bench"))
    }

    fn json(&self, mut cmd: Command) -> Result<Value> {
        let out = cmd.output().with_context(|| format!("cannot run {cmd:?}"))?;
        if !out.status.success() {
            bail!("{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        let text = String::from_utf8(out.stdout)?;
        serde_json::from_str(text.trim()).with_context(|| format!("{cmd:?} printed {text:?}"))
    }

    fn serve(&self, database: impl AsRef<std::ffi::OsStr>) -> Result<(Process, String)> {
        let mut cmd = Command::new(self.bin.join("hostadmin"));
        cmd.args(["serve", "--bind", "127.0.0.1:0", "--database"]).arg(database);
        let (child, addr) = spawn_listening(cmd)?;
        Ok((Process(child), addr))
    }

    /// An SQLite database with `rows` servers and the bench account.
    fn prepare(&self, name: &str, rows: u64) -> Result<PathBuf> {
        let database = self.work.join(format!("{name}-{rows}.sqlite3"));
        self.prepare_at(database.as_os_str(), rows)?;
        Ok(database)
    }

    /// `rows` servers and the bench account in `database` (a path or URL).
    fn prepare_at(&self, database: &std::ffi::OsStr, rows: u64) -> Result<()> {
        let mut seed = self.tool();
        seed.args(["seed", "--servers", &rows.to_string(), "--database"]).arg(database);
        self.json(seed)?;
        let mut add = Command::new(self.bin.join("hostadmin"));
        add.args(["user", "add", USER, "--role", "admin", "--password-stdin", "--database"]).arg(database);
        add.stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::null());
        let mut child = add.spawn()?;
        use std::io::Write;
        child.stdin.take().context("stdin")?.write_all(format!("{PASSWORD}\n").as_bytes())?;
        if !child.wait()?.success() {
            bail!("hostadmin user add failed");
        }
        Ok(())
    }

    /// Drives `addr`, sending `session`'s headers (the service; not the ceiling).
    #[allow(clippy::too_many_arguments)]
    fn load(
        &self,
        addrs: &[&str],
        session: &[String],
        case: &Case,
        path: &str,
        connections: usize,
        rand_max: u64,
        nonce: &str,
    ) -> Result<Value> {
        let mut cmd = self.tool();
        cmd.arg("load");
        for addr in addrs {
            cmd.args(["--addr", addr]);
        }
        cmd.args(["--method", case.method, "--path", path])
            .args(["--content-type", case.content_type, "--expect", &case.status.to_string()])
            .args(["--connections", &connections.to_string(), "--rand-max", &rand_max.to_string()])
            .args(["--seconds", &self.seconds.to_string(), "--warmup", &self.warmup.to_string()]);
        if let Some(body) = &case.body {
            cmd.args(["--body", &body.replace("{nonce}", nonce)]);
        }
        if case.name != "login" {
            for header in session {
                cmd.args(["--header", header]);
            }
        }
        self.json(cmd)
    }

    /// Records the body the service answers for `case`, for the ceiling.
    fn record_body(&self, addr: &str, session: &[String], case: &Case, bodies: &Path, rand_max: u64) -> Result<()> {
        let mut cmd = self.tool();
        cmd.args(["load", "--addr", addr, "--method", case.method, "--path", &case.path])
            .args(["--content-type", case.content_type, "--expect", &case.status.to_string()])
            .args(["--connections", "0", "--seconds", "0", "--warmup", "0", "--rand-max", &rand_max.to_string()])
            .arg("--save-body")
            .arg(bodies.join(format!("{}.json", case.name)));
        if let Some(body) = &case.body {
            cmd.args(["--body", &body.replace("{nonce}", "record")]);
        }
        if case.name != "login" {
            for header in session {
                cmd.args(["--header", header]);
            }
        }
        self.json(cmd).map(drop)
    }

    fn storage(&self, database: &Path, case: &Case, threads: usize, rand_max: u64, nonce: &str) -> Result<Value> {
        let mut cmd = self.tool();
        cmd.args(["storage", "--case", case.storage.0, "--query", &case.storage.1, "--nonce", nonce])
            .args(["--login", &format!("{USER}:{PASSWORD}")])
            .args(["--threads", &threads.to_string(), "--rand-max", &rand_max.to_string()])
            .args(["--seconds", &self.seconds.to_string(), "--warmup", &self.warmup.to_string(), "--database"])
            .arg(database);
        self.json(cmd)
    }

    /// Service, framework ceiling and storage ceiling for each case and
    /// connection count, one after the other.
    fn measure(
        &self,
        database: &Path,
        rows: u64,
        cases: &[Case],
        connections: &[usize],
        server_addr: &str,
    ) -> Result<Vec<Value>> {
        let bodies = self.work.join(format!("bodies-{rows}"));
        std::fs::create_dir_all(&bodies)?;
        let rand_max = rows.max(1);
        let session = session(server_addr)?;
        for case in cases {
            self.record_body(server_addr, &session, case, &bodies, rand_max)?;
        }
        let mut ceiling = self.tool();
        ceiling.args(["ceiling", "--bind", "127.0.0.1:0", "--bodies"]).arg(&bodies);
        let (ceiling, ceiling_addr) = spawn_listening(ceiling)?;
        let _ceiling = Process(ceiling);
        let mut rows_out = Vec::new();
        for case in cases {
            for &conns in connections {
                let nonce = format!("r{rows}c{conns}");
                eprintln!("bench: {} at {rows} rows, {conns} connection(s)", case.name);
                let service =
                    self.load(&[server_addr], &session, case, &case.path, conns, rand_max, &format!("{nonce}h"))?;
                let ceiling_path = format!("/ceiling/{}/{}", case.status, case.name);
                let framework =
                    self.load(&[&ceiling_addr], &[], case, &ceiling_path, conns, rand_max, &format!("{nonce}f"))?;
                let storage = self.storage(database, case, conns, rand_max, &format!("{nonce}s"))?;
                let ratio = |ceiling: &Value| {
                    let c = ceiling["per_second"].as_f64().unwrap_or(0.0);
                    if c > 0.0 {
                        service["per_second"].as_f64().unwrap_or(0.0) / c
                    } else {
                        0.0
                    }
                };
                rows_out.push(json!({
                    "case": case.name,
                    "rows": rows,
                    "connections": conns,
                    "service": service,
                    "framework_ceiling": framework,
                    "storage_ceiling": storage,
                    "ratio_to_framework": ratio(&framework),
                    "ratio_to_storage": ratio(&storage),
                }));
            }
        }
        Ok(rows_out)
    }

    /// The same requests against SQLite, PostgreSQL behind one replica and
    /// PostgreSQL behind three (connections spread over them), back to back
    /// for each case and connection count.
    fn backends(&self, postgres: &str, rows: u64, cases: &[Case], connections: &[usize]) -> Result<Vec<Value>> {
        let sqlite = self.prepare("backends", rows)?;
        let schema = PgSchema::create(postgres, &format!("bench_{}_{rows}", std::process::id()))?;
        let pg = schema.url();
        self.prepare_at(std::ffi::OsStr::new(&pg), rows)?;
        let (_sqlite_server, sqlite_addr) = self.serve(&sqlite)?;
        // Started together: they migrate under the lock and share the key.
        let replicas = (0..3).map(|_| self.serve(&pg)).collect::<Result<Vec<_>>>()?;
        let replica_addrs: Vec<&str> = replicas.iter().map(|(_, addr)| addr.as_str()).collect();
        let sqlite_session = session(&sqlite_addr)?;
        let pg_session = session(replica_addrs[0])?;
        let rand_max = rows.max(1);
        let mut out = Vec::new();
        for case in cases {
            for &conns in connections {
                eprintln!("bench: backends, {} at {rows} rows, {conns} connection(s)", case.name);
                let nonce = format!("b{rows}c{conns}");
                let (path, seq) = (&case.path, |s: &str| format!("{nonce}{s}"));
                let sqlite = self.load(&[&sqlite_addr], &sqlite_session, case, path, conns, rand_max, &seq("q"))?;
                let one = self.load(&replica_addrs[..1], &pg_session, case, path, conns, rand_max, &seq("p"))?;
                let three = self.load(&replica_addrs, &pg_session, case, path, conns, rand_max, &seq("t"))?;
                let per_second = |v: &Value| v["per_second"].as_f64().unwrap_or(0.0);
                let ratio =
                    |a: &Value, b: &Value| if per_second(b) > 0.0 { per_second(a) / per_second(b) } else { 0.0 };
                out.push(json!({
                    "case": case.name,
                    "rows": rows,
                    "connections": conns,
                    "sqlite": sqlite,
                    "postgres_1": one,
                    "postgres_3": three,
                    "ratio_postgres_1_to_sqlite": ratio(&one, &sqlite),
                    "ratio_postgres_3_to_postgres_1": ratio(&three, &one),
                }));
            }
        }
        Ok(out)
    }

    /// Milliseconds from `hostadmin serve` starting to its first answered
    /// request (`GET /readyz`, which reads the database), median of `runs`.
    /// One run first is not counted: right after a build, the binary's first
    /// start also pays for reading it from disk (400 ms seen here).
    fn cold_start(&self, database: impl Fn(usize) -> Result<PathBuf>, runs: usize) -> Result<f64> {
        let mut times = Vec::new();
        for run in 0..=runs {
            let database = database(run)?;
            let began = Instant::now();
            let (_server, addr) = self.serve(&database)?;
            loop {
                if readyz(&addr).unwrap_or(false) {
                    break;
                }
                if began.elapsed() > Duration::from_secs(30) {
                    bail!("the server did not answer within 30 s");
                }
                std::thread::sleep(Duration::from_millis(1));
            }
            if run > 0 {
                times.push(began.elapsed().as_secs_f64() * 1000.0);
            }
        }
        times.sort_by(f64::total_cmp);
        Ok(times[times.len() / 2])
    }
}

/// The PostgreSQL database the backends comparison runs in (a schema of its
/// own there): `HOSTADMIN_BENCH_DATABASE_URL`, else the test suite's.
fn postgres_url() -> Option<String> {
    ["HOSTADMIN_BENCH_DATABASE_URL", "HOSTADMIN_TEST_DATABASE_URL"]
        .iter()
        .find_map(|var| std::env::var(var).ok().filter(|url| !url.is_empty()))
}

/// Logs in once (a password check costs tens of milliseconds and 19 MiB
/// while it runs) and returns the headers that carry the session.
fn session(addr: &str) -> Result<Vec<String>> {
    let (jwt, csrf) = crate::live::login(addr, USER, PASSWORD)?;
    Ok(vec![format!("Cookie: grommunioAuthJwt={jwt}"), format!("X-Csrf-Token: {csrf}")])
}

fn readyz(addr: &str) -> Result<bool> {
    Ok(crate::live::request(addr, "GET", "/readyz", "application/json", "")?.0 == 200)
}

fn machine() -> Value {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model =
        cpuinfo.lines().find_map(|l| l.strip_prefix("model name")).map(|v| v.trim_start_matches([' ', '\t', ':']));
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let memory = meminfo.lines().find_map(|l| l.strip_prefix("MemTotal:")).map(str::trim);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    json!({
        "cpu": model.unwrap_or("unknown"),
        "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        "memory": memory.unwrap_or("unknown"),
        "kernel": kernel.trim(),
    })
}

pub fn bench(options: Options) -> Result<()> {
    tools::release_server()?;
    let target = tools::target_dir();
    let work = target.join("bench/work");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    let (sizes, connections, seconds, warmup): (&[u64], &[usize], f64, f64) =
        if options.quick { (&[1_000], &[8], 1.0, 0.3) } else { (&[1_000, 100_000, 1_000_000], &[1, 8, 64], 2.0, 0.5) };
    let bench = Bench { bin: target.join("release"), work: work.clone(), seconds, warmup };
    let started = Instant::now();

    let binary_size = std::fs::metadata(bench.bin.join("hostadmin"))?.len();
    let cold_empty =
        bench.cold_start(|run| Ok(work.join(format!("cold-{run}.sqlite3"))), if options.quick { 3 } else { 5 })?;
    let mut cold = vec![json!({"rows": 0, "ms": cold_empty})];

    let mut results = Vec::new();
    let mut peak_rss = Vec::new();
    for &rows in sizes {
        eprintln!("bench: preparing {rows} servers");
        let database = bench.prepare("servers", rows)?;
        if rows == *sizes.last().unwrap_or(&0) && rows > 1_000 {
            let ms = bench.cold_start(|_| Ok(database.clone()), 5)?;
            cold.push(json!({"rows": rows, "ms": ms}));
        }
        let (server, addr) = bench.serve(&database)?;
        results.extend(bench.measure(&database, rows, &cases(rows, options.quick), connections, &addr)?);
        peak_rss.push(json!({"rows": rows, "peak_rss_kib": server.peak_rss_kib()?}));
    }
    // Logins verify an Argon2 hash each: measured on their own, so that the
    // hashing memory does not hide the table's share of the peak RSS.
    let database = work.join("servers-1000.sqlite3");
    let (server, addr) = bench.serve(&database)?;
    results.extend(bench.measure(&database, 1_000, &[login_case()], connections, &addr)?);
    let login_rss = server.peak_rss_kib()?;
    drop(server);

    let mut backends = Vec::new();
    match postgres_url() {
        Some(url) => {
            let (sizes, connections): (&[u64], &[usize]) =
                if options.quick { (&[1_000], &[8]) } else { (&[1_000, 100_000], &[8, 64]) };
            for &rows in sizes {
                backends.extend(bench.backends(&url, rows, &cases(rows, options.quick), connections)?);
            }
        }
        None => eprintln!(
            "bench: no HOSTADMIN_BENCH_DATABASE_URL or HOSTADMIN_TEST_DATABASE_URL: the PostgreSQL columns are skipped"
        ),
    }

    let report = json!({
        "quick": options.quick,
        "machine": machine(),
        "seconds_per_run": seconds,
        "release_binary_bytes": binary_size,
        "cold_start_ms": cold,
        "peak_rss": peak_rss,
        "login_peak_rss_kib": login_rss,
        "results": results,
        "backends": backends,
        "took_seconds": started.elapsed().as_secs_f64(),
    });
    let out = options.out.unwrap_or_else(|| target.join("bench/latest.json"));
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&out, serde_json::to_string_pretty(&report)?)?;
    println!("{}", table(&report));
    eprintln!("bench: written to {}", out.display());
    let _ = std::fs::remove_dir_all(&work);
    Ok(())
}

/// The report as a Markdown table (what the README's Performance section shows).
pub fn table(report: &Value) -> String {
    let mut out = String::new();
    let m = &report["machine"];
    out.push_str(&format!(
        "Machine: {}, {} cores, {} RAM, Linux {}; {} s per run.\n\n",
        m["cpu"].as_str().unwrap_or("?"),
        m["cores"],
        m["memory"].as_str().unwrap_or("?"),
        m["kernel"].as_str().unwrap_or("?"),
        report["seconds_per_run"]
    ));
    out.push_str("| case | rows | conns | req/s | p50 ms | p99 ms | p99.9 ms | framework req/s | ÷ framework | storage op/s | ÷ storage |\n");
    out.push_str("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
    let ms = |v: &Value| format!("{:.2}", v.as_f64().unwrap_or(0.0) / 1000.0);
    let n = |v: &Value| format!("{:.0}", v.as_f64().unwrap_or(0.0));
    for r in report["results"].as_array().into_iter().flatten() {
        let s = &r["service"];
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {:.2} | {} | {:.2} |\n",
            r["case"].as_str().unwrap_or("?"),
            r["rows"],
            r["connections"],
            n(&s["per_second"]),
            ms(&s["p50_us"]),
            ms(&s["p99_us"]),
            ms(&s["p999_us"]),
            n(&r["framework_ceiling"]["per_second"]),
            r["ratio_to_framework"].as_f64().unwrap_or(0.0),
            n(&r["storage_ceiling"]["per_second"]),
            r["ratio_to_storage"].as_f64().unwrap_or(0.0),
        ));
    }
    out.push('\n');
    for c in report["cold_start_ms"].as_array().into_iter().flatten() {
        out.push_str(&format!(
            "Cold start to first answer, {} rows: {:.0} ms. ",
            c["rows"],
            c["ms"].as_f64().unwrap_or(0.0)
        ));
    }
    out.push('\n');
    for p in report["peak_rss"].as_array().into_iter().flatten() {
        out.push_str(&format!(
            "Peak RSS, {} rows: {:.1} MiB. ",
            p["rows"],
            p["peak_rss_kib"].as_f64().unwrap_or(0.0) / 1024.0
        ));
    }
    out.push_str(&format!(
        "Peak RSS with logins: {:.1} MiB.\nRelease binary: {:.1} MiB.\n",
        report["login_peak_rss_kib"].as_f64().unwrap_or(0.0) / 1024.0,
        report["release_binary_bytes"].as_f64().unwrap_or(0.0) / 1048576.0
    ));
    let backends = report["backends"].as_array().cloned().unwrap_or_default();
    if !backends.is_empty() {
        out.push_str(
            "\nBackends (same requests, back to back; PostgreSQL on this machine, replicas share its cores):\n\n",
        );
        out.push_str("| case | rows | conns | SQLite req/s | p99 ms | PG×1 req/s | p99 ms | PG×1 ÷ SQLite | PG×3 req/s | p99 ms | PG×3 ÷ PG×1 |\n");
        out.push_str("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
        for r in &backends {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} | {:.2} | {} | {} | {:.2} |\n",
                r["case"].as_str().unwrap_or("?"),
                r["rows"],
                r["connections"],
                n(&r["sqlite"]["per_second"]),
                ms(&r["sqlite"]["p99_us"]),
                n(&r["postgres_1"]["per_second"]),
                ms(&r["postgres_1"]["p99_us"]),
                r["ratio_postgres_1_to_sqlite"].as_f64().unwrap_or(0.0),
                n(&r["postgres_3"]["per_second"]),
                ms(&r["postgres_3"]["p99_us"]),
                r["ratio_postgres_3_to_postgres_1"].as_f64().unwrap_or(0.0),
            ));
        }
    }
    out
}
