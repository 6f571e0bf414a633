//! `cargo xtask bench`: the service beside its ceilings, in one run.
//!
//! Each case (an HTTP request of the service) is measured at each connection
//! count against the release server and the framework ceiling (bare
//! Dropshot answering the body the service gave, to the same request,
//! session headers included; see `bench/src/ceiling.rs`) in turn,
//! [`ROUNDS`] times, each figure the median of its runs; then
//! against the storage ceiling (the same queries through Diesel with no
//! HTTP, `bench/src/storage.rs`). Only the ratios are meant to be compared
//! between machines; these machines are shared and noisy, and the runs of a
//! row share whatever noise there was.
//!
//! Two figures check the bench itself. The **load-tool check** drives the
//! framework ceiling with one load thread and with two: if two are faster,
//! the generator was the limit, and the run goes on with the faster count
//! (its figures are ceilings only if the generator is not what bounds
//! them). **Match flatness** is the p99 of `list-match` at the largest
//! table over its p99 at 1 000 rows (target: at most 1.5), measured in a
//! phase of its own with both tables served at once and driven in turn:
//! their p99s are a millisecond or less, and measured minutes apart, one
//! side's busy second decided the ratio.
//!
//! The figures go into a typed [`Report`] (see `report.rs`): JSON in
//! `target/bench/latest.json`, the tables on standard output and, for a
//! full run, `bench/README.md`.

mod report;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use hostadmin_bench_figures::Figures;
use serde::de::{DeserializeOwned, IgnoredAny};

use self::report::{BackendRow, BatchingRow, CeilingRow, ColdStart, Flatness, LoadCheck, Machine, PeakRss, Report};
use crate::live::PgSchema;
use crate::tools;

const USER: &str = "bench";
const PASSWORD: &str = "bench-pass-1";

pub struct Options {
    pub quick: bool,
    /// Where the JSON goes, instead of `target/bench/latest.json`.
    pub out: Option<PathBuf>,
    /// Only these cases (`--case`); all when empty.
    pub cases: Vec<String>,
    /// These table sizes (`--rows`) instead of the defaults.
    pub rows: Vec<u64>,
}

impl Options {
    /// Only `case`, at the default sizes.
    fn only(case: &str) -> Options {
        Options { quick: false, out: None, cases: vec![case.to_string()], rows: Vec::new() }
    }

    /// A run narrowed by `--case` or `--rows`: it reports, but does not
    /// stand for the project (no README rewrite, no logins or backends
    /// unless asked for by name).
    fn focused(&self) -> bool {
        !self.cases.is_empty() || !self.rows.is_empty()
    }

    fn wants(&self, case: &str) -> bool {
        self.cases.is_empty() || self.cases.iter().any(|c| c == case)
    }
}

/// Where a full run writes its Markdown report.
const README: &str = "bench/README.md";

/// How many times the service and its framework ceiling are run, in turn,
/// for one row of the tables; each figure reported is the median of its
/// runs. A single pair of runs moved by ±0.1 in the ratio between two runs
/// minutes apart (a neighbour's burst lands on one side of it); with three,
/// one row in a full run still came out at 0.68 from pairs of 0.66, 0.68
/// and 0.88 (2026-12-07, `get` at 100 000 rows and 8 connections).
const ROUNDS: usize = 5;

/// Runs on each table for match flatness. A `list-match` p99 is a
/// millisecond or less, taken from a few thousand requests in a second: one
/// busy second of a neighbour moved a single table's figure by half (an
/// 8-connection ratio of 0.80, 0.88, 1.08 and 1.55 in four runs of one
/// afternoon). Seven runs a side, in turn, take about a minute.
const FLATNESS_ROUNDS: usize = 7;

/// The tables and connection counts of the group-commit phase: the write
/// targets' tables, one connection (a lone writer) and many.
const BATCHING_ROWS: [u64; 2] = [1_000, 100_000];
const BATCHING_CONNECTIONS: [usize; 2] = [1, 64];

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

fn cases(rows: u64, options: &Options) -> Vec<Case> {
    let quick = options.quick && options.cases.is_empty();
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
    all.retain(|c| options.wants(c.name));
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

/// A server of the bench, killed when dropped, and its log file removed
/// (a full run logs gigabytes).
struct Process(Child, PathBuf);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
        let _ = std::fs::remove_file(&self.1);
    }
}

/// Starts a server (the service, or the framework ceiling) logging to the
/// file `log`, and returns it with the address it printed there.
///
/// A file rather than a pipe to this process: a pipe's reader is woken for
/// every record, one per request, and on these two-core machines that third
/// process (this one, unoptimized) took CPU from the server and from the
/// load generator alike. A service runs with its log in a file or a journal,
/// not behind a reader that discards it.
fn spawn_logging(mut cmd: Command, log: &Path) -> Result<(Process, String)> {
    let file = std::fs::File::create(log).with_context(|| format!("{}", log.display()))?;
    let child = cmd.stdout(Stdio::null()).stderr(file).spawn().with_context(|| format!("cannot run {cmd:?}"))?;
    let mut process = Process(child, log.to_path_buf());
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let text = std::fs::read_to_string(log)?;
        // Only a whole line: the address may be half written.
        let printed = text.split_inclusive('\n').filter(|l| l.ends_with('\n'));
        if let Some(addr) = printed.filter_map(|l| l.split("listening on http://").nth(1)).next() {
            return Ok((process, addr.trim().to_string()));
        }
        if let Some(status) = process.0.try_wait()? {
            bail!("{cmd:?} exited ({status}) before listening: {text}");
        }
        if Instant::now() > deadline {
            bail!("{cmd:?} printed no address within a minute: {text}");
        }
        std::thread::sleep(Duration::from_millis(10));
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
    /// Threads of the load generator, as the load-tool check chose.
    threads: std::cell::Cell<usize>,
    /// Services started so far, to name their logs.
    servers: std::cell::Cell<usize>,
}

impl Bench {
    fn tool(&self) -> Command {
        Command::new(self.bin.join("hostadmin-bench"))
    }

    /// Runs one of the bench tools and reads the JSON object it prints.
    fn json<T: DeserializeOwned>(&self, mut cmd: Command) -> Result<T> {
        let out = cmd.output().with_context(|| format!("cannot run {cmd:?}"))?;
        if !out.status.success() {
            bail!("{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        let text = String::from_utf8(out.stdout)?;
        serde_json::from_str(text.trim()).with_context(|| format!("{cmd:?} printed {text:?}"))
    }

    fn serve(&self, database: impl AsRef<std::ffi::OsStr>) -> Result<(Process, String)> {
        self.serve_with(database, &[])
    }

    /// The service with settings of its own (`args`, flags of `serve`).
    fn serve_with(&self, database: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> Result<(Process, String)> {
        let mut cmd = Command::new(self.bin.join("hostadmin"));
        cmd.args(["serve", "--bind", "127.0.0.1:0", "--database"]).arg(database.as_ref()).args(args);
        let log = self.work.join(format!("serve-{}.log", self.servers.get()));
        self.servers.set(self.servers.get() + 1);
        spawn_logging(cmd, &log)
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
        self.json::<IgnoredAny>(seed)?;
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

    /// Drives `addr`, sending `session`'s headers (to the service and the
    /// framework ceiling alike: the same request on the wire).
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
    ) -> Result<Figures> {
        let mut cmd = self.tool();
        cmd.arg("load");
        for addr in addrs {
            cmd.args(["--addr", addr]);
        }
        cmd.args(["--method", case.method, "--path", path])
            .args(["--content-type", case.content_type, "--expect", &case.status.to_string()])
            .args(["--connections", &connections.to_string(), "--rand-max", &rand_max.to_string()])
            .args(["--threads", &self.threads.get().to_string()])
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
        // No measured window, so no figures (its rate is 0/0, printed as null).
        self.json::<IgnoredAny>(cmd).map(drop)
    }

    fn storage(&self, database: &Path, case: &Case, threads: usize, rand_max: u64, nonce: &str) -> Result<Figures> {
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
        check: &mut Vec<LoadCheck>,
    ) -> Result<Vec<CeilingRow>> {
        let bodies = self.work.join(format!("bodies-{rows}"));
        std::fs::create_dir_all(&bodies)?;
        let rand_max = rows.max(1);
        let session = session(server_addr)?;
        for case in cases {
            self.record_body(server_addr, &session, case, &bodies, rand_max)?;
        }
        let mut ceiling = self.tool();
        ceiling.args(["ceiling", "--bind", "127.0.0.1:0", "--bodies"]).arg(&bodies);
        let (_ceiling, ceiling_addr) = spawn_logging(ceiling, &self.work.join(format!("ceiling-{rows}.log")))?;
        // The load-tool check, once per run, on the cheapest request there
        // is (the framework ceiling's `get`): one load thread, then two.
        if check.is_empty() {
            if let Some(case) = cases.iter().find(|c| c.name == "get") {
                let path = format!("/ceiling/{}/{}", case.status, case.name);
                for &conns in connections.iter().filter(|&&c| c > 1) {
                    eprintln!("bench: load-tool check at {conns} connections, one and two threads");
                    let mut runs = Vec::new();
                    for threads in [1, 2] {
                        self.threads.set(threads);
                        let nonce = format!("k{conns}t{threads}");
                        runs.push(self.load(&[&ceiling_addr], &session, case, &path, conns, rand_max, &nonce)?);
                    }
                    check.push(LoadCheck::new(case.name, rows, conns, runs[0], runs[1]));
                }
                self.threads.set(LoadCheck::threads_to_use(check));
                eprintln!("bench: the load generator runs on {} thread(s)", self.threads.get());
            }
        }
        let mut rows_out = Vec::new();
        for case in cases {
            for &conns in connections {
                let nonce = format!("r{rows}c{conns}");
                eprintln!("bench: {} at {rows} rows, {conns} connection(s)", case.name);
                let ceiling_path = format!("/ceiling/{}/{}", case.status, case.name);
                let (mut service, mut framework) = (Vec::new(), Vec::new());
                for round in 0..ROUNDS {
                    let nonce = format!("{nonce}n{round}");
                    service.push(self.load(
                        &[server_addr],
                        &session,
                        case,
                        &case.path,
                        conns,
                        rand_max,
                        &(nonce.clone() + "h"),
                    )?);
                    // The same request, session headers included: parsing
                    // them is the framework's work, not the service's.
                    framework.push(self.load(
                        &[&ceiling_addr],
                        &session,
                        case,
                        &ceiling_path,
                        conns,
                        rand_max,
                        &(nonce + "f"),
                    )?);
                    let (s, f) = (service[round].per_second, framework[round].per_second);
                    eprintln!("bench:   round {}: {s:.0} and {f:.0} req/s, {:.2}", round + 1, s / f.max(1.0));
                }
                let storage = self.storage(database, case, conns, rand_max, &format!("{nonce}s"))?;
                let (service, framework) = (Figures::median(&service), Figures::median(&framework));
                rows_out.push(CeilingRow::new(case.name, rows, conns, service, framework, storage));
            }
        }
        Ok(rows_out)
    }

    /// Match flatness: `list-match` on the 1 000-row table and on the
    /// largest, both served at once and driven in turn, [`FLATNESS_ROUNDS`]
    /// runs each, at each connection count. The tables are fresh copies of
    /// the seeded databases (the measured ones took writes since).
    fn flatness(&self, small: (u64, &Path), large: (u64, &Path), connections: &[usize]) -> Result<Vec<Flatness>> {
        let list_match = |rows| cases(rows, &Options::only("list-match")).pop().context("no list-match case");
        let tables = [small, large]
            .into_iter()
            .map(|(rows, database)| {
                let (server, addr) = self.serve(database)?;
                let session = session(&addr)?;
                Ok((rows, list_match(rows)?, server, addr, session))
            })
            .collect::<Result<Vec<_>>>()?;
        let mut out = Vec::new();
        for &conns in connections {
            eprintln!("bench: match flatness at {conns} connection(s), {FLATNESS_ROUNDS} runs on each table in turn");
            let mut runs = [Vec::new(), Vec::new()];
            for round in 0..FLATNESS_ROUNDS {
                // Which table goes first alternates: a burst that starts
                // within a round does not always land on the same one.
                let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
                for side in order {
                    let (rows, case, _, addr, session) = &tables[side];
                    let nonce = format!("m{conns}r{round}s{side}");
                    runs[side].push(self.load(&[addr], session, case, &case.path, conns, *rows, &nonce)?);
                }
            }
            let [small_runs, large_runs] = &runs;
            out.push(Flatness::new("list-match", conns, (small.0, small_runs), (large.0, large_runs)));
        }
        Ok(out)
    }

    /// Group commit beside one commit per write: each write case on the
    /// service as configured and on the same build with `--write-batch 1`,
    /// each on a fresh copy of the seeded table, driven in turn
    /// ([`ROUNDS`] runs each, which goes first alternating). At one
    /// connection no write has company, so the two should be alike: what a
    /// lone writer pays for the queue. At many, the gain of sharing commits.
    fn batching(
        &self,
        rows: u64,
        copies: [&Path; 2],
        cases: &[Case],
        connections: &[usize],
    ) -> Result<Vec<BatchingRow>> {
        let grouped = self.serve(copies[0])?;
        let single = self.serve_with(copies[1], &["--write-batch", "1"])?;
        let sides = [(&grouped.1, session(&grouped.1)?), (&single.1, session(&single.1)?)];
        let mut out = Vec::new();
        for case in cases.iter().filter(|c| c.method != "GET") {
            for &conns in connections {
                eprintln!(
                    "bench: group commit beside one commit per write, {} at {rows} rows, {conns} connection(s)",
                    case.name
                );
                let mut runs = [Vec::new(), Vec::new()];
                for round in 0..ROUNDS {
                    let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
                    for side in order {
                        let (addr, session) = &sides[side];
                        let nonce = format!("g{rows}c{conns}r{round}s{side}");
                        runs[side].push(self.load(&[addr], session, case, &case.path, conns, rows.max(1), &nonce)?);
                    }
                }
                let [grouped_runs, single_runs] = &runs;
                out.push(BatchingRow::new(case.name, rows, conns, grouped_runs, single_runs));
            }
        }
        Ok(out)
    }

    /// The same requests against SQLite, PostgreSQL behind one replica and
    /// PostgreSQL behind three (connections spread over them), back to back
    /// for each case and connection count.
    fn backends(&self, postgres: &str, rows: u64, cases: &[Case], connections: &[usize]) -> Result<Vec<BackendRow>> {
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
                out.push(BackendRow::new(case.name, rows, conns, sqlite, one, three));
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
/// own there): `HOSTADMIN_BENCH_DATABASE_URL`, else the test suite's; with
/// the variable that named it.
fn postgres_url() -> Option<(&'static str, String)> {
    ["HOSTADMIN_BENCH_DATABASE_URL", "HOSTADMIN_TEST_DATABASE_URL"]
        .into_iter()
        .find_map(|var| std::env::var(var).ok().filter(|url| !url.is_empty()).map(|url| (var, url)))
}

/// The command line that reproduces the run, for the report.
fn command_line(options: &Options, postgres: Option<(&str, &str)>) -> String {
    let mut line = String::new();
    if let Some((var, url)) = postgres {
        line.push_str(&format!("{var}={} ", without_password(url)));
    }
    line.push_str("cargo xtask bench");
    if options.quick {
        line.push_str(" --quick");
    }
    if let Some(out) = &options.out {
        line.push_str(&format!(" --out {}", out.display()));
    }
    if !options.cases.is_empty() {
        line.push_str(&format!(" --case {}", options.cases.join(",")));
    }
    if !options.rows.is_empty() {
        let rows: Vec<String> = options.rows.iter().map(u64::to_string).collect();
        line.push_str(&format!(" --rows {}", rows.join(",")));
    }
    line
}

/// A database URL with its password, if any, masked (the report is shared).
fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    match authority.rsplit_once('@').and_then(|(userinfo, host)| Some((userinfo.split_once(':')?.0, host))) {
        Some((user, host)) => format!("{scheme}://{user}:***@{host}{path}"),
        None => url.to_string(),
    }
}

/// The UTC day of `time`, `YYYY-MM-DD` (days to civil date in the
/// proleptic Gregorian calendar, counting in 400-year eras from 0000-03-01).
fn utc_date(time: std::time::SystemTime) -> String {
    let days = time.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() / 86_400) as i64;
    let from_era_start = days + 719_468;
    let era = from_era_start.div_euclid(146_097);
    let day_of_era = from_era_start.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 { month_from_march + 3 } else { month_from_march - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Copies an SQLite database no process has open (its write-ahead log too,
/// if one was left) to `to`, and returns `to`.
fn copy_database(from: &Path, to: &Path) -> Result<PathBuf> {
    std::fs::copy(from, to).with_context(|| format!("copying {} to {}", from.display(), to.display()))?;
    let wal = |path: &Path| {
        let mut name = path.as_os_str().to_owned();
        name.push("-wal");
        PathBuf::from(name)
    };
    if wal(from).exists() {
        std::fs::copy(wal(from), wal(to))?;
    }
    Ok(to.to_path_buf())
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

fn machine() -> Machine {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model =
        cpuinfo.lines().find_map(|l| l.strip_prefix("model name")).map(|v| v.trim_start_matches([' ', '\t', ':']));
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let memory_kib = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    Machine {
        cpu: model.unwrap_or("unknown").to_string(),
        cores: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        memory_kib: memory_kib.unwrap_or(0),
        kernel: kernel.trim().to_string(),
    }
}

pub fn bench(options: Options) -> Result<()> {
    tools::release_server()?;
    let target = tools::target_dir();
    let work = target.join("bench/work");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    let (sizes, connections, seconds, warmup): (&[u64], &[usize], f64, f64) =
        if options.quick { (&[1_000], &[8], 1.0, 0.3) } else { (&[1_000, 100_000, 1_000_000], &[1, 8, 64], 1.0, 0.5) };
    let sizes = if options.rows.is_empty() { sizes } else { &options.rows[..] };
    let bench = Bench {
        bin: target.join("release"),
        work: work.clone(),
        seconds,
        warmup,
        threads: std::cell::Cell::new(1),
        servers: std::cell::Cell::new(0),
    };
    let date = utc_date(std::time::SystemTime::now());
    let started = Instant::now();

    let binary_size = std::fs::metadata(bench.bin.join("hostadmin"))?.len();
    let cold_empty =
        bench.cold_start(|run| Ok(work.join(format!("cold-{run}.sqlite3"))), if options.quick { 3 } else { 5 })?;
    let mut cold = vec![ColdStart { rows: 0, ms: cold_empty }];

    let mut results = Vec::new();
    let mut load_check = Vec::new();
    let mut peak_rss = Vec::new();
    // Match flatness compares 1 000 rows with the largest table, when the
    // run has both and `list-match`.
    let largest = sizes.iter().copied().max().filter(|&rows| rows > 1_000 && sizes.contains(&1_000));
    let flatness_tables = largest.filter(|_| options.wants("list-match")).map(|large| [1_000, large]);
    let mut flatness_copies = Vec::new();
    // Group commit beside one commit per write: a full run's, on the
    // write targets' tables.
    let batching = !options.quick && (options.wants("post") || options.wants("patch"));
    let mut batching_copies = Vec::new();
    for &rows in sizes {
        eprintln!("bench: preparing {rows} servers");
        let database = bench.prepare("servers", rows)?;
        if flatness_tables.is_some_and(|tables| tables.contains(&rows)) {
            flatness_copies.push((rows, copy_database(&database, &work.join(format!("flatness-{rows}.sqlite3")))?));
        }
        if batching && BATCHING_ROWS.contains(&rows) {
            let copy = |side: &str| copy_database(&database, &work.join(format!("batching-{rows}-{side}.sqlite3")));
            batching_copies.push((rows, [copy("grouped")?, copy("single")?]));
        }
        if rows == *sizes.last().unwrap_or(&0) && rows > 1_000 {
            let ms = bench.cold_start(|_| Ok(database.clone()), 5)?;
            cold.push(ColdStart { rows, ms });
        }
        let (server, addr) = bench.serve(&database)?;
        results.extend(bench.measure(&database, rows, &cases(rows, &options), connections, &addr, &mut load_check)?);
        peak_rss.push(PeakRss { rows, peak_rss_kib: server.peak_rss_kib()? });
    }
    let mut match_flatness = Vec::new();
    flatness_copies.sort_by_key(|(rows, _)| *rows);
    if let [small, large] = &flatness_copies[..] {
        match_flatness = bench.flatness((small.0, &small.1), (large.0, &large.1), connections)?;
    }
    let mut group_commit = Vec::new();
    for (rows, [grouped, single]) in &batching_copies {
        let cases = cases(*rows, &options);
        group_commit.extend(bench.batching(*rows, [grouped, single], &cases, &BATCHING_CONNECTIONS)?);
    }
    // Logins verify an Argon2 hash each: measured on their own, so that the
    // hashing memory does not hide the table's share of the peak RSS.
    let mut login_rss = 0;
    if options.wants("login") {
        let database = bench.prepare("logins", 1_000)?;
        let (server, addr) = bench.serve(&database)?;
        results.extend(bench.measure(&database, 1_000, &[login_case()], connections, &addr, &mut load_check)?);
        login_rss = server.peak_rss_kib()?;
    }

    let postgres = postgres_url();
    let mut backends = Vec::new();
    match &postgres {
        Some(_) if options.focused() && options.cases.is_empty() => {}
        Some((_, url)) => {
            let (sizes, connections): (&[u64], &[usize]) =
                if options.quick { (&[1_000], &[8]) } else { (&[1_000, 100_000], &[8, 64]) };
            for &rows in sizes {
                let cases = cases(rows, &options);
                if !cases.is_empty() {
                    backends.extend(bench.backends(url, rows, &cases, connections)?);
                }
            }
        }
        None => eprintln!(
            "bench: no HOSTADMIN_BENCH_DATABASE_URL or HOSTADMIN_TEST_DATABASE_URL: the PostgreSQL columns are skipped"
        ),
    }

    let report = Report {
        quick: options.quick,
        command: command_line(&options, postgres.as_ref().map(|(var, url)| (*var, url.as_str()))),
        date,
        machine: machine(),
        seconds_per_run: seconds,
        release_binary_bytes: binary_size,
        cold_start_ms: cold,
        peak_rss,
        login_peak_rss_kib: login_rss,
        load_threads: bench.threads.get(),
        match_flatness,
        group_commit,
        load_check,
        results,
        backends,
        took_seconds: started.elapsed().as_secs_f64(),
    };
    let out = options.out.clone().unwrap_or_else(|| target.join("bench/latest.json"));
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&out, serde_json::to_string_pretty(&report)?)?;
    println!("{}", report.markdown());
    eprintln!("bench: written to {}", out.display());
    // CI runs the quick subset: only a full run stands for the project.
    if !report.quick && !options.focused() {
        let existing = std::fs::read_to_string(README).ok();
        std::fs::write(README, report.readme(existing.as_deref()))?;
        eprintln!("bench: the full report is in {README}");
    }
    let _ = std::fs::remove_dir_all(&work);
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;

    #[test]
    fn dates_are_utc_days() {
        let day = |days: u64| utc_date(UNIX_EPOCH + Duration::from_secs(days * 86_400 + 86_399));
        assert_eq!(day(0), "1970-01-01");
        assert_eq!(day(11_016), "2000-02-29");
        assert_eq!(day(20_781), "2026-11-24");
        assert_eq!(day(47_541), "2100-03-01");
    }

    #[test]
    fn the_command_line_masks_passwords() {
        assert_eq!(without_password("postgres://u:secret@db:5432/x"), "postgres://u:***@db:5432/x");
        assert_eq!(without_password("postgres://postgres@127.0.0.1/test"), "postgres://postgres@127.0.0.1/test");
        assert_eq!(without_password("postgres://db/x?user=a@b"), "postgres://db/x?user=a@b");
        let full = Options { quick: false, out: None, cases: Vec::new(), rows: Vec::new() };
        assert_eq!(command_line(&full, None), "cargo xtask bench");
        let quick = Options { quick: true, out: Some("x.json".into()), cases: Vec::new(), rows: Vec::new() };
        assert_eq!(
            command_line(&quick, Some(("HOSTADMIN_BENCH_DATABASE_URL", "postgres://u:p@h/d"))),
            "HOSTADMIN_BENCH_DATABASE_URL=postgres://u:***@h/d cargo xtask bench --quick --out x.json"
        );
        let focused =
            Options { quick: false, out: None, cases: vec!["list-match".into()], rows: vec![1_000, 1_000_000] };
        assert_eq!(command_line(&focused, None), "cargo xtask bench --case list-match --rows 1000,1000000");
    }
}
