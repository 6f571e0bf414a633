//! Metrics in the Prometheus text format at `GET /metrics` (off unless
//! `--metrics`): requests by operation and status, their latency as a
//! histogram, database pool use, and failed logins.
//!
//! The generated adapter reports every request (`HostadminApi::observe`);
//! the counts are kept here, in memory, under one short lock. The endpoint
//! that serves them is assembled with the server ([`crate::startup`]): this
//! module only counts and renders, so it depends on no other module.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use hostadmin_api::Operation;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0];

#[derive(Default)]
struct Series {
    count: u64,
    sum_seconds: f64,
    buckets: [u64; BUCKETS.len()],
}

#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(Operation, u16), Series>>,
    login_failures: AtomicU64,
}

impl Metrics {
    pub fn observe(&self, operation: Operation, status: u16, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        let mut requests = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        let series = requests.entry((operation, status)).or_default();
        series.count += 1;
        series.sum_seconds += seconds;
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                series.buckets[i] += 1;
            }
        }
    }

    pub fn login_failed(&self) {
        self.login_failures.fetch_add(1, Ordering::Relaxed);
    }

    /// The Prometheus text exposition of everything counted so far.
    pub fn render(&self, pool: (u32, u32, u32), writes: WriteStats) -> String {
        let mut out = String::new();
        let requests = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        out.push_str("# HELP hostadmin_requests_total Requests answered, by operation and status.\n");
        out.push_str("# TYPE hostadmin_requests_total counter\n");
        for ((op, status), s) in requests.iter() {
            let _ =
                writeln!(out, "hostadmin_requests_total{{operation=\"{}\",status=\"{status}\"}} {}", op.id(), s.count);
        }
        out.push_str("# HELP hostadmin_request_duration_seconds Time to answer, by operation and status.\n");
        out.push_str("# TYPE hostadmin_request_duration_seconds histogram\n");
        for ((op, status), s) in requests.iter() {
            let labels = format!("operation=\"{}\",status=\"{status}\"", op.id());
            for (bound, count) in BUCKETS.iter().zip(s.buckets) {
                let _ = writeln!(out, "hostadmin_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {count}");
            }
            let _ = writeln!(out, "hostadmin_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}", s.count);
            let _ = writeln!(out, "hostadmin_request_duration_seconds_sum{{{labels}}} {}", s.sum_seconds);
            let _ = writeln!(out, "hostadmin_request_duration_seconds_count{{{labels}}} {}", s.count);
        }
        let (size, connections, idle) = pool;
        out.push_str("# HELP hostadmin_db_connections Database connections, by state.\n");
        out.push_str("# TYPE hostadmin_db_connections gauge\n");
        let _ = writeln!(out, "hostadmin_db_connections{{state=\"max\"}} {size}");
        let _ = writeln!(out, "hostadmin_db_connections{{state=\"open\"}} {connections}");
        let _ = writeln!(out, "hostadmin_db_connections{{state=\"idle\"}} {idle}");
        out.push_str("# HELP hostadmin_db_write_transactions_total Write transactions committed.\n");
        out.push_str("# TYPE hostadmin_db_write_transactions_total counter\n");
        let _ = writeln!(out, "hostadmin_db_write_transactions_total {}", writes.transactions);
        out.push_str(
            "# HELP hostadmin_db_writes_total Writes committed (a transaction holds one or more: group commit).\n",
        );
        out.push_str("# TYPE hostadmin_db_writes_total counter\n");
        let _ = writeln!(out, "hostadmin_db_writes_total {}", writes.writes);
        out.push_str("# HELP hostadmin_db_writes_queued Writes waiting for the writer.\n");
        out.push_str("# TYPE hostadmin_db_writes_queued gauge\n");
        let _ = writeln!(out, "hostadmin_db_writes_queued {}", writes.queued);
        out.push_str("# HELP hostadmin_login_failures_total Failed logins (wrong name or password).\n");
        out.push_str("# TYPE hostadmin_login_failures_total counter\n");
        let _ = writeln!(out, "hostadmin_login_failures_total {}", self.login_failures.load(Ordering::Relaxed));
        out
    }
}

/// What the database writer has done (counted by `db`'s group commit).
#[derive(Clone, Copy, Debug, Default)]
pub struct WriteStats {
    /// Write transactions committed.
    pub transactions: u64,
    /// Writes committed (a transaction holds one or more).
    pub writes: u64,
    /// Writes waiting for the writer now.
    pub queued: usize,
}
