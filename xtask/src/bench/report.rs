//! The bench report: what one `cargo xtask bench` run measured.
//!
//! Typed, so that `target/bench/latest.json` and the Markdown tables are
//! written from the same fields: a misspelt field does not compile, where a
//! misspelt JSON key used to print 0.00. The load tool's figures come in
//! through the same [`Figures`] struct the tool prints.
//!
//! A full run also rewrites `bench/README.md` from the report: a fixed
//! preamble on how to read it, then the run's tables. What follows
//! [`KEPT_MARKER`] there (the hand-written account of what bounds the
//! figures) is kept from one run to the next.

use hostadmin_bench_figures::Figures;
use serde::{Deserialize, Serialize};

/// Everything one run measured.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Report {
    /// `--quick`: the small subset CI runs.
    pub quick: bool,
    /// How the run was started, to run it again (any password masked).
    pub command: String,
    /// The day the run started, UTC, `YYYY-MM-DD`.
    pub date: String,
    pub machine: Machine,
    /// Each measured run's length, after its warm-up.
    pub seconds_per_run: f64,
    pub release_binary_bytes: u64,
    /// From `hostadmin serve` starting to its first answered request.
    pub cold_start_ms: Vec<ColdStart>,
    /// The server's peak resident set after the cases at each table size.
    pub peak_rss: Vec<PeakRss>,
    /// The peak of a server that also answered logins (Argon2's memory);
    /// 0 when a focused run left logins out.
    pub login_peak_rss_kib: u64,
    /// The load generator's threads for the run, as the check chose.
    pub load_threads: usize,
    /// The framework ceiling driven with one load thread and with two.
    pub load_check: Vec<LoadCheck>,
    /// `list-match`'s p99 at each larger table over its p99 at 1 000 rows.
    pub match_flatness: Vec<Flatness>,
    /// The write cases with group commit and with one commit per write
    /// (`write_batch = 1`), same build, in turn; empty in a quick run.
    #[serde(default)]
    pub group_commit: Vec<BatchingRow>,
    /// The service beside its ceilings.
    pub results: Vec<CeilingRow>,
    /// SQLite beside PostgreSQL with one and three replicas; empty when no
    /// PostgreSQL database was named.
    pub backends: Vec<BackendRow>,
    pub took_seconds: f64,
}

/// What the run ran on.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub memory_kib: u64,
    pub kernel: String,
}

#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq)]
pub struct ColdStart {
    /// Servers in the database.
    pub rows: u64,
    /// Median of several starts.
    pub ms: f64,
}

#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq)]
pub struct PeakRss {
    pub rows: u64,
    pub peak_rss_kib: u64,
}

/// One case at one table size and connection count: the service, then its
/// two ceilings right after it.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct CeilingRow {
    pub case: String,
    pub rows: u64,
    pub connections: usize,
    pub service: Figures,
    /// Bare Dropshot answering the body the service gave.
    pub framework_ceiling: Figures,
    /// The service's own queries through Diesel, without HTTP.
    pub storage_ceiling: Figures,
    pub ratio_to_framework: f64,
    pub ratio_to_storage: f64,
}

impl CeilingRow {
    pub fn new(
        case: &str,
        rows: u64,
        connections: usize,
        service: Figures,
        framework_ceiling: Figures,
        storage_ceiling: Figures,
    ) -> Self {
        Self {
            case: case.to_string(),
            rows,
            connections,
            ratio_to_framework: service.ratio_to(&framework_ceiling),
            ratio_to_storage: service.ratio_to(&storage_ceiling),
            service,
            framework_ceiling,
            storage_ceiling,
        }
    }
}

/// The load-tool check: the framework ceiling (the cheapest target there
/// is) driven by one load thread, then by two, right after.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct LoadCheck {
    pub case: String,
    pub rows: u64,
    pub connections: usize,
    pub one_thread: Figures,
    pub two_threads: Figures,
    /// Two threads' requests per second over one's: above
    /// [`LoadCheck::LIMIT`], one thread was the limit.
    pub ratio_two_to_one: f64,
}

impl LoadCheck {
    /// How much faster two threads must be for one to count as the limit
    /// (runs move by about 10 % from one to the next here).
    pub const LIMIT: f64 = 1.1;

    pub fn new(case: &str, rows: u64, connections: usize, one_thread: Figures, two_threads: Figures) -> Self {
        Self {
            case: case.to_string(),
            rows,
            connections,
            ratio_two_to_one: two_threads.ratio_to(&one_thread),
            one_thread,
            two_threads,
        }
    }

    /// Whether one load thread was the limit at this connection count.
    pub fn one_thread_limits(&self) -> bool {
        self.ratio_two_to_one > Self::LIMIT
    }

    /// Two threads if they were faster at any checked connection count.
    pub fn threads_to_use(checks: &[LoadCheck]) -> usize {
        if checks.iter().any(LoadCheck::one_thread_limits) {
            2
        } else {
            1
        }
    }
}

/// How `case`'s latency grows with the table, at one connection count:
/// the 1 000-row table and the largest one served side by side and driven
/// in turn, so that both medians come from the same minute of the machine.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Flatness {
    pub case: String,
    pub connections: usize,
    /// Runs on each table; each figure is the median of its runs.
    pub rounds: usize,
    pub small_rows: u64,
    pub large_rows: u64,
    pub small_p50_us: f64,
    pub large_p50_us: f64,
    pub small_p99_us: f64,
    pub large_p99_us: f64,
    /// `large_p99_us / small_p99_us`: what the target bounds.
    pub ratio: f64,
    pub target: f64,
}

impl Flatness {
    /// The target ratio.
    pub const TARGET: f64 = 1.5;

    /// `case` at `connections`, from the runs on each table (medians taken
    /// here); a ratio of 0 when the small table answered nothing.
    pub fn new(case: &str, connections: usize, small: (u64, &[Figures]), large: (u64, &[Figures])) -> Flatness {
        let (s, l) = (Figures::median(small.1), Figures::median(large.1));
        Flatness {
            case: case.to_string(),
            connections,
            rounds: small.1.len().min(large.1.len()),
            small_rows: small.0,
            large_rows: large.0,
            small_p50_us: s.p50_us,
            large_p50_us: l.p50_us,
            small_p99_us: s.p99_us,
            large_p99_us: l.p99_us,
            ratio: if s.p99_us > 0.0 { l.p99_us / s.p99_us } else { 0.0 },
            target: Self::TARGET,
        }
    }

    pub fn met(&self) -> bool {
        self.ratio > 0.0 && self.ratio <= self.target
    }
}

/// A write case at one table size and connection count on the service as
/// configured (group commit) and on the same build with `write_batch = 1`
/// (one commit per write), each on its own copy of the table, driven in
/// turn.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct BatchingRow {
    pub case: String,
    pub rows: u64,
    pub connections: usize,
    /// Runs on each side; each figure is the median of its runs.
    pub rounds: usize,
    pub grouped: Figures,
    pub one_per_commit: Figures,
    /// Requests per second with group commit over those without.
    pub ratio: f64,
}

impl BatchingRow {
    /// A lone writer must keep at least this share of the rate it has
    /// without group commit (the performance issue: within 10 %).
    pub const LONE_WRITER_FLOOR: f64 = 0.9;

    pub fn new(case: &str, rows: u64, connections: usize, grouped: &[Figures], one_per_commit: &[Figures]) -> Self {
        let (grouped_median, single_median) = (Figures::median(grouped), Figures::median(one_per_commit));
        Self {
            case: case.to_string(),
            rows,
            connections,
            rounds: grouped.len().min(one_per_commit.len()),
            ratio: grouped_median.ratio_to(&single_median),
            grouped: grouped_median,
            one_per_commit: single_median,
        }
    }

    /// At one connection, whether the lone writer kept its rate; None
    /// elsewhere (there the ratio is group commit's gain, not a bound).
    pub fn lone_writer_met(&self) -> Option<bool> {
        (self.connections == 1).then_some(self.ratio >= Self::LONE_WRITER_FLOOR)
    }
}

/// One case at one table size and connection count on each backend, back
/// to back.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct BackendRow {
    pub case: String,
    pub rows: u64,
    pub connections: usize,
    pub sqlite: Figures,
    /// PostgreSQL behind one replica.
    pub postgres_1: Figures,
    /// PostgreSQL behind three replicas, connections spread over them.
    pub postgres_3: Figures,
    pub ratio_postgres_1_to_sqlite: f64,
    pub ratio_postgres_3_to_postgres_1: f64,
}

impl BackendRow {
    pub fn new(
        case: &str,
        rows: u64,
        connections: usize,
        sqlite: Figures,
        postgres_1: Figures,
        postgres_3: Figures,
    ) -> Self {
        Self {
            case: case.to_string(),
            rows,
            connections,
            ratio_postgres_1_to_sqlite: postgres_1.ratio_to(&sqlite),
            ratio_postgres_3_to_postgres_1: postgres_3.ratio_to(&postgres_1),
            sqlite,
            postgres_1,
            postgres_3,
        }
    }
}

/// The line of `bench/README.md` after which a run keeps the text as it is.
pub const KEPT_MARKER: &str =
    "<!-- `cargo xtask bench` rewrites everything above this line and keeps everything below it. -->";

/// The top of `bench/README.md`, the same for every run.
const PREAMBLE: &str = "\
# Benchmark: the latest full run

Written by `cargo xtask bench` (a full run; `--quick`, which CI runs, leaves
this file alone): the next full run rewrites everything down to \"What bounds
the figures\", which is written by hand and kept. Every figure, the
ceilings' own included, is also in `target/bench/latest.json`. The
[README](../README.md#performance) summarises it.

How to read it:

- Each case (one request of the service) is measured at each connection
  count against the release server and against the **framework ceiling**
  (a bare Dropshot server in `bench/`, same settings and logger, answering
  the body the service gave, with no authentication, validation or
  database; it gets the same requests, session headers included), five
  times in turn, each figure being the median of its five
  runs; then once against the **storage ceiling** (the service's own query
  functions through Diesel on the same database file and pragmas, one
  transaction per write, no HTTP). The load comes from `hostadmin-bench
  load`, a small HTTP/1.1 client, for every target alike, on as many
  threads as the load-tool check chose. Both servers log to a file, as a
  deployed service does (a pipe to the bench's own process woke it for
  every record, one per request: a third process on two cores).
- The **load-tool check** drives the framework ceiling with one load
  thread and with two: if two are faster by more than 10 %, one thread was
  the limit, and the run uses two. **Match flatness** is `list-match`'s
  p99 at the largest table over its p99 at 1 000 rows (target ≤ 1.5),
  measured on its own after the tables: fresh copies of both seeded
  databases served side by side, driven in turn (which goes first
  alternates), seven runs each, so that a busy minute of the machine
  falls on both sides of the ratio rather than on one table's rows.
- **Group commit beside one commit per write**: `post` and `patch` at
  1 000 and 100 000 rows, at one connection and at 64, on the service as
  configured and on the same build with `write_batch = 1`, each on a fresh
  copy of the seeded table, driven in turn, five runs each. A lone writer
  has no company to share a commit with, so at one connection the ratio is
  what group commit costs it (target ≥ 0.9: within 10 %); at 64 it is what
  sharing commits gains.
- The ratios (÷) are the service's requests per second over each ceiling's,
  measured in the same run, right after it. Only the ratios mean something
  from one machine to another, and even on one machine they move by ±20 %
  from run to run: these machines are shared. One-connection figures are
  dominated by wake-up latency, which swings by 3× between runs on a
  virtual machine: compare them only within a run.
- Latencies are client-side, queueing included (64 connections on 2 cores
  queue). Writes are durable when answered (WAL, `synchronous = FULL`).
- When `HOSTADMIN_BENCH_DATABASE_URL` (or else `HOSTADMIN_TEST_DATABASE_URL`)
  names a PostgreSQL database, the same requests also run back to back
  against the service on SQLite, on PostgreSQL with one replica and on
  PostgreSQL with three (the load generator spreads its connections over
  them), each over a freshly seeded schema of its own, dropped afterwards.
  PostgreSQL runs on the same machine: the replicas share its cores.
";

/// What follows the marker when there is nothing to keep yet.
const KEPT_PLACEHOLDER: &str = "
## What bounds the figures

Not written yet: say here what limits each case, from the tables above.
";

impl Report {
    /// The run as Markdown: what it ran on, then its tables. `bench` prints
    /// it; a full run's `bench/README.md` holds it.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        if self.quick {
            out.push_str("## A quick run\n\n");
        } else {
            out.push_str("## The run\n\n");
        }
        let machine = &self.machine;
        out.push_str(&format!(
            "{}: `{}`, {:.1} minutes, on {} cores of {} with {:.1} GiB, Linux {}; {} s per run.\n\n",
            self.date,
            self.command,
            self.took_seconds / 60.0,
            machine.cores,
            machine.cpu,
            machine.memory_kib as f64 / 1_048_576.0,
            machine.kernel,
            self.seconds_per_run,
        ));

        out.push_str("### The service beside its ceilings\n\n");
        out.push_str("| case | rows | conns | req/s | p50 ms | p99 ms | p99.9 ms | ÷ framework | ÷ storage |\n");
        out.push_str("|---|--:|--:|--:|--:|--:|--:|--:|--:|\n");
        for row in &self.results {
            let service = &row.service;
            out.push_str(&format!(
                "| {} | {} | {} | {:.0} | {} | {} | {} | {:.2} | {:.2} |\n",
                row.case,
                grouped(row.rows),
                row.connections,
                service.per_second,
                ms(service.p50_us),
                ms(service.p99_us),
                ms(service.p999_us),
                row.ratio_to_framework,
                row.ratio_to_storage,
            ));
        }
        out.push('\n');
        let cold: Vec<String> =
            self.cold_start_ms.iter().map(|c| format!("{:.0} ms ({} rows)", c.ms, grouped(c.rows))).collect();
        let rss: Vec<String> = self
            .peak_rss
            .iter()
            .map(|p| format!("{} ({} rows)", mib(p.peak_rss_kib * 1024), grouped(p.rows)))
            .collect();
        out.push_str(&format!(
            "Cold start to the first answered request: {}. Peak RSS of the server: {}; {} with logins. \
             Release binary: {}.\n",
            cold.join(", "),
            rss.join(", "),
            mib(self.login_peak_rss_kib * 1024),
            mib(self.release_binary_bytes),
        ));

        out.push_str("\n### The load-tool check\n\n");
        if self.load_check.is_empty() {
            out.push_str("Not run: the run had no `get` case at more than one connection.\n");
        } else {
            out.push_str(
                "The framework ceiling driven by one thread of the load generator, then by two. Two faster by \
                 more than 10 % means one thread was the limit.\n\n",
            );
            out.push_str(
                "| case | rows | conns | 1 thread req/s | p99 ms | 2 threads req/s | p99 ms | 2 ÷ 1 | verdict |\n",
            );
            out.push_str("|---|--:|--:|--:|--:|--:|--:|--:|---|\n");
            for row in &self.load_check {
                out.push_str(&format!(
                    "| {} | {} | {} | {:.0} | {} | {:.0} | {} | {:.2} | {} |\n",
                    row.case,
                    grouped(row.rows),
                    row.connections,
                    row.one_thread.per_second,
                    ms(row.one_thread.p99_us),
                    row.two_threads.per_second,
                    ms(row.two_threads.p99_us),
                    row.ratio_two_to_one,
                    if row.one_thread_limits() { "one thread was the limit" } else { "not the limit" },
                ));
            }
            out.push_str(&format!("\nThe run's load came from {} thread(s) of the generator.\n", self.load_threads));
        }

        out.push_str("\n### Match flatness\n\n");
        if self.match_flatness.is_empty() {
            out.push_str("Not measured: the run did not have `list-match` at 1 000 rows and at a larger table.\n");
        } else {
            let large = grouped(self.match_flatness[0].large_rows);
            out.push_str(&format!(
                "The two tables served side by side and driven in turn, {} runs each; each figure is the median \
                 of its runs.\n\n",
                self.match_flatness[0].rounds
            ));
            out.push_str(&format!(
                "| case | conns | p50 ms at 1 000 | p50 ms at {large} | p99 ms at 1 000 | p99 ms at {large} | p99 ratio \
                 | target |\n"
            ));
            out.push_str("|---|--:|--:|--:|--:|--:|--:|---|\n");
            for row in &self.match_flatness {
                out.push_str(&format!(
                    "| {} | {} | {} | {} | {} | {} | {:.2} | ≤ {:.1}: {} |\n",
                    row.case,
                    row.connections,
                    ms(row.small_p50_us),
                    ms(row.large_p50_us),
                    ms(row.small_p99_us),
                    ms(row.large_p99_us),
                    row.ratio,
                    row.target,
                    if row.met() { "met" } else { "missed" },
                ));
            }
        }

        out.push_str("\n### Group commit beside one commit per write\n\n");
        if self.group_commit.is_empty() {
            out.push_str("Not measured: a quick run, or one without `post` and `patch`.\n");
        } else {
            out.push_str(&format!(
                "The service as configured and the same build with `write_batch = 1`, each on a fresh copy of the \
                 table, driven in turn, {} runs each; each figure is the median of its runs. At one connection no \
                 write has company: the ratio is what a lone writer pays for group commit (target ≥ {:.1}).\n\n",
                self.group_commit[0].rounds,
                BatchingRow::LONE_WRITER_FLOOR,
            ));
            out.push_str(
                "| case | rows | conns | grouped req/s | p50 ms | p99 ms | one per commit req/s | p50 ms | p99 ms | ÷ \
                 | lone writer |\n",
            );
            out.push_str("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|\n");
            for row in &self.group_commit {
                let verdict = match row.lone_writer_met() {
                    Some(true) => format!("≥ {:.1}: met", BatchingRow::LONE_WRITER_FLOOR),
                    Some(false) => format!("≥ {:.1}: missed", BatchingRow::LONE_WRITER_FLOOR),
                    None => "—".to_string(),
                };
                out.push_str(&format!(
                    "| {} | {} | {} | {:.0} | {} | {} | {:.0} | {} | {} | {:.2} | {} |\n",
                    row.case,
                    grouped(row.rows),
                    row.connections,
                    row.grouped.per_second,
                    ms(row.grouped.p50_us),
                    ms(row.grouped.p99_us),
                    row.one_per_commit.per_second,
                    ms(row.one_per_commit.p50_us),
                    ms(row.one_per_commit.p99_us),
                    row.ratio,
                    verdict,
                ));
            }
        }

        out.push_str("\n### SQLite, PostgreSQL, and three replicas\n\n");
        if self.backends.is_empty() {
            out.push_str(
                "Not measured: neither `HOSTADMIN_BENCH_DATABASE_URL` nor `HOSTADMIN_TEST_DATABASE_URL` named a \
                 PostgreSQL database.\n",
            );
            return out;
        }
        out.push_str(
            "| case | rows | conns | SQLite req/s | p99 ms | PG×1 req/s | p99 ms | PG×1 ÷ SQLite | PG×3 req/s | p99 ms | PG×3 \
             ÷ PG×1 |\n",
        );
        out.push_str("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
        for row in &self.backends {
            out.push_str(&format!(
                "| {} | {} | {} | {:.0} | {} | {:.0} | {} | {:.2} | {:.0} | {} | {:.2} |\n",
                row.case,
                grouped(row.rows),
                row.connections,
                row.sqlite.per_second,
                ms(row.sqlite.p99_us),
                row.postgres_1.per_second,
                ms(row.postgres_1.p99_us),
                row.ratio_postgres_1_to_sqlite,
                row.postgres_3.per_second,
                ms(row.postgres_3.p99_us),
                row.ratio_postgres_3_to_postgres_1,
            ));
        }
        out
    }

    /// `bench/README.md` for this run: the preamble and the run, then the
    /// hand-written part of `existing` (the file as it was), if it has one.
    pub fn readme(&self, existing: Option<&str>) -> String {
        let kept = existing
            .and_then(|text| text.split_once(KEPT_MARKER))
            .map(|(_, kept)| kept.strip_prefix('\n').unwrap_or(kept))
            .unwrap_or(KEPT_PLACEHOLDER);
        format!("{PREAMBLE}\n{}\n{KEPT_MARKER}\n{kept}", self.markdown())
    }
}

/// Microseconds as milliseconds, two decimals.
fn ms(us: f64) -> String {
    format!("{:.2}", us / 1000.0)
}

/// Bytes as MiB, one decimal.
fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / 1_048_576.0)
}

/// `1000000` as `1 000 000`.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures(per_second: f64, p50_ms: f64, p99_ms: f64, p999_ms: f64) -> Figures {
        Figures {
            requests: (per_second * 2.0) as u64,
            failures: 0,
            seconds: 2.0,
            per_second,
            p50_us: p50_ms * 1000.0,
            p99_us: p99_ms * 1000.0,
            p999_us: p999_ms * 1000.0,
        }
    }

    fn report(backends: bool) -> Report {
        Report {
            quick: false,
            command: "HOSTADMIN_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test cargo xtask bench".into(),
            date: "2026-11-24".into(),
            machine: Machine { cpu: "AMD EPYC".into(), cores: 2, memory_kib: 24_117_248, kernel: "6.18.44".into() },
            seconds_per_run: 2.0,
            release_binary_bytes: 31_352_422,
            cold_start_ms: vec![ColdStart { rows: 0, ms: 15.2 }, ColdStart { rows: 1_000_000, ms: 9.6 }],
            peak_rss: vec![PeakRss { rows: 1_000, peak_rss_kib: 56_730 }],
            login_peak_rss_kib: 63_386,
            load_threads: 2,
            load_check: vec![LoadCheck::new(
                "get",
                1_000,
                8,
                figures(40_000.0, 0.2, 0.5, 0.9),
                figures(50_000.0, 0.15, 0.4, 0.8),
            )],
            match_flatness: vec![Flatness::new(
                "list-match",
                8,
                (1_000, &[figures(1.0, 0.5, 2.0, 3.0)]),
                (1_000_000, &[figures(1.0, 0.6, 2.5, 3.0)]),
            )],
            group_commit: vec![
                BatchingRow::new(
                    "patch",
                    1_000,
                    1,
                    &[figures(1_350.0, 0.7, 2.0, 3.0), figures(1_400.0, 0.7, 2.1, 3.0)],
                    &[figures(1_500.0, 0.6, 1.9, 3.0), figures(1_500.0, 0.6, 1.9, 3.0)],
                ),
                BatchingRow::new(
                    "patch",
                    1_000,
                    64,
                    &[figures(12_000.0, 5.0, 10.0, 12.0)],
                    &[figures(3_000.0, 20.0, 40.0, 50.0)],
                ),
            ],
            results: vec![CeilingRow::new(
                "get",
                1_000,
                8,
                figures(19_710.0, 0.39, 0.9, 4.5),
                figures(50_000.0, 0.1, 0.2, 0.3),
                figures(0.0, 0.0, 0.0, 0.0),
            )],
            backends: if backends {
                vec![BackendRow::new(
                    "post",
                    100_000,
                    64,
                    figures(2_000.0, 20.0, 49.02, 60.0),
                    figures(1_500.0, 30.0, 55.78, 70.0),
                    figures(1_800.0, 30.0, 74.91, 90.0),
                )]
            } else {
                Vec::new()
            },
            took_seconds: 630.0,
        }
    }

    #[test]
    fn the_json_reads_back_as_it_was_written() {
        let report = report(true);
        let text = serde_json::to_string_pretty(&report).unwrap();
        let back: Report = serde_json::from_str(&text).unwrap();
        assert_eq!(back, report);
        // The keys the earlier, untyped report had are still there.
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["results"][0]["service"]["per_second"], 19_710.0);
        assert_eq!(value["results"][0]["ratio_to_framework"], 19_710.0 / 50_000.0);
        assert_eq!(value["cold_start_ms"][1]["rows"], 1_000_000);
        assert_eq!(value["backends"][0]["ratio_postgres_1_to_sqlite"], 0.75);
    }

    #[test]
    fn the_tables_show_each_rows_figures_and_ratios() {
        let text = report(true).markdown();
        assert!(text.contains(
            "2026-11-24: `HOSTADMIN_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test cargo xtask bench`, \
             10.5 minutes, on 2 cores of AMD EPYC with 23.0 GiB, Linux 6.18.44; 2 s per run."
        ));
        // A ceiling that did nothing gives a ratio of 0, not a division by zero.
        assert!(text.contains("\n| get | 1 000 | 8 | 19710 | 0.39 | 0.90 | 4.50 | 0.39 | 0.00 |\n"), "{text}");
        assert!(text.contains("\n| post | 100 000 | 64 | 2000 | 49.02 | 1500 | 55.78 | 0.75 | 1800 | 74.91 | 1.20 |\n"));
        assert!(text.contains(
            "Cold start to the first answered request: 15 ms (0 rows), 10 ms (1 000 000 rows). \
             Peak RSS of the server: 55.4 MiB (1 000 rows); 61.9 MiB with logins. Release binary: 29.9 MiB.\n"
        ));
    }

    #[test]
    fn the_load_check_and_match_flatness_are_shown_with_their_verdicts() {
        let text = report(true).markdown();
        assert!(
            text.contains("\n| get | 1 000 | 8 | 40000 | 0.50 | 50000 | 0.40 | 1.25 | one thread was the limit |\n"),
            "{text}"
        );
        assert!(text.contains("The run's load came from 2 thread(s) of the generator."));
        assert!(text.contains("driven in turn, 1 runs each"), "{text}");
        assert!(text.contains("| p50 ms at 1 000 000 | p99 ms at 1 000 | p99 ms at 1 000 000 | p99 ratio |"), "{text}");
        assert!(text.contains("\n| list-match | 8 | 0.50 | 0.60 | 2.00 | 2.50 | 1.25 | ≤ 1.5: met |\n"), "{text}");
        let value = serde_json::to_value(report(true)).unwrap();
        assert_eq!(value["load_check"][0]["ratio_two_to_one"], 1.25);
        assert_eq!(value["match_flatness"][0]["ratio"], 1.25);
    }

    #[test]
    fn flatness_is_the_ratio_of_the_medians_p99_and_one_past_the_target_is_missed() {
        let runs = |p99s: &[f64]| p99s.iter().map(|&p99| figures(1.0, p99 / 4.0, p99, p99)).collect::<Vec<_>>();
        // One slow run on either side moves neither median.
        let small = runs(&[2.0, 9.0, 1.9, 2.1, 2.0]);
        let large = runs(&[2.9, 3.0, 30.0, 3.1, 3.0]);
        let flat = Flatness::new("list-match", 8, (1_000, &small), (1_000_000, &large));
        assert_eq!((flat.rounds, flat.small_p99_us, flat.large_p99_us), (5, 2_000.0, 3_000.0));
        assert_eq!((flat.small_p50_us, flat.large_p50_us), (500.0, 750.0));
        assert_eq!(flat.ratio, 1.5);
        assert!(flat.met(), "the target is inclusive");
        let worse = Flatness::new("list-match", 8, (1_000, &small), (1_000_000, &runs(&[3.1, 3.1, 3.1])));
        assert!(!worse.met(), "{}", worse.ratio);
        // A small table that answered nothing is no verdict of flatness.
        let none = Flatness::new("list-match", 8, (1_000, &runs(&[0.0])), (1_000_000, &large));
        assert_eq!((none.ratio, none.met()), (0.0, false));
        // One thread is the limit when two are more than 10 % faster.
        let check = |two| LoadCheck::new("get", 1_000, 8, figures(100.0, 0.1, 0.1, 0.1), figures(two, 0.1, 0.1, 0.1));
        assert_eq!(LoadCheck::threads_to_use(&[check(105.0)]), 1);
        assert_eq!(LoadCheck::threads_to_use(&[check(105.0), check(120.0)]), 2);
    }

    #[test]
    fn group_commit_is_shown_beside_one_commit_per_write_with_the_lone_writers_verdict() {
        let text = report(true).markdown();
        // Medians of the runs: 1 375 over 1 500 is 0.92 (and 0.9 is the floor).
        assert!(
            text.contains("\n| patch | 1 000 | 1 | 1375 | 0.70 | 2.05 | 1500 | 0.60 | 1.90 | 0.92 | ≥ 0.9: met |\n"),
            "{text}"
        );
        assert!(
            text.contains("\n| patch | 1 000 | 64 | 12000 | 5.00 | 10.00 | 3000 | 20.00 | 40.00 | 4.00 | — |\n"),
            "{text}"
        );
        let slow =
            BatchingRow::new("post", 1_000, 1, &[figures(89.0, 1.0, 1.0, 1.0)], &[figures(100.0, 1.0, 1.0, 1.0)]);
        assert_eq!(slow.lone_writer_met(), Some(false));
        let edge =
            BatchingRow::new("post", 1_000, 1, &[figures(90.0, 1.0, 1.0, 1.0)], &[figures(100.0, 1.0, 1.0, 1.0)]);
        assert_eq!(edge.lone_writer_met(), Some(true), "the floor is inclusive");
        let value = serde_json::to_value(report(true)).unwrap();
        assert_eq!(value["group_commit"][1]["ratio"], 4.0);
        let mut quick = report(true);
        quick.group_commit.clear();
        assert!(quick.markdown().contains("Not measured: a quick run, or one without `post` and `patch`."));
    }

    #[test]
    fn without_postgresql_the_backends_table_says_why() {
        let text = report(false).markdown();
        assert!(text.contains("Not measured: neither `HOSTADMIN_BENCH_DATABASE_URL`"));
        assert!(!text.contains("PG×1 req/s"));
    }

    #[test]
    fn a_new_readme_keeps_the_hand_written_part() {
        let report = report(true);
        let first = report.readme(None);
        assert!(first.starts_with(PREAMBLE));
        assert!(first.ends_with(&format!("{KEPT_MARKER}\n{KEPT_PLACEHOLDER}")));

        let edited = first.replace("Not written yet: say here what limits each case", "Writes wait for fsync");
        let mut later = report.clone();
        later.date = "2026-12-01".into();
        let second = later.readme(Some(&edited));
        assert!(second.contains("2026-12-01: `"));
        assert!(!second.contains("2026-11-24: `"));
        assert!(second.ends_with("## What bounds the figures\n\nWrites wait for fsync, from the tables above.\n"));
        assert_eq!(second.matches(KEPT_MARKER).count(), 1);
        // Rewriting with nothing new changes nothing.
        assert_eq!(later.readme(Some(&second)), second);
    }

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000), "1 000");
        assert_eq!(grouped(1_000_000), "1 000 000");
        assert_eq!(grouped(12_345_678), "12 345 678");
    }
}
