//! The figures one benchmark run reports, as `hostadmin-bench load` and
//! `hostadmin-bench storage` print them (one JSON object on standard output)
//! and as `cargo xtask bench` reads them back.
//!
//! A crate of its own, depending on serde alone, so that the producer (the
//! bench tools, which pull in Dropshot, Diesel and the service) and the
//! reader (xtask, which must stay light) share one definition: a field
//! renamed on one side is a compile error on the other, not a silent zero.

use serde::{Deserialize, Serialize};

/// Throughput and latency percentiles of one run, counted in its measured
/// window (the warm-up excluded).
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Default)]
pub struct Figures {
    /// Operations that succeeded in the window.
    pub requests: u64,
    /// Operations that failed (wrong status, broken connection).
    pub failures: u64,
    /// The window's length.
    pub seconds: f64,
    /// `requests / seconds`.
    pub per_second: f64,
    /// Latency percentiles in microseconds (0 when nothing succeeded).
    pub p50_us: f64,
    pub p99_us: f64,
    pub p999_us: f64,
}

impl Figures {
    /// `self`'s throughput over `other`'s (0 when `other` did nothing), the
    /// ratio the reports compare between machines.
    pub fn ratio_to(&self, other: &Figures) -> f64 {
        if other.per_second > 0.0 {
            self.per_second / other.per_second
        } else {
            0.0
        }
    }

    /// Several runs of one target as one: each figure's median, so that a
    /// burst of a neighbour's load during one run moves nothing; failures
    /// are summed (one failed request anywhere is worth seeing).
    pub fn median(runs: &[Figures]) -> Figures {
        let of = |f: fn(&Figures) -> f64| middle(runs.iter().map(f).collect());
        Figures {
            requests: of(|r| r.requests as f64).round() as u64,
            failures: runs.iter().map(|r| r.failures).sum(),
            seconds: of(|r| r.seconds),
            per_second: of(|r| r.per_second),
            p50_us: of(|r| r.p50_us),
            p99_us: of(|r| r.p99_us),
            p999_us: of(|r| r.p999_us),
        }
    }
}

/// The middle of `values` (the mean of the two middle ones for an even
/// count; 0 for none).
fn middle(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => 0.0,
        _ if n % 2 == 1 => values[n / 2],
        _ => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

#[cfg(test)]
mod tests {
    use super::Figures;

    #[test]
    fn median_takes_each_figure_s_middle_and_sums_failures() {
        let run = |per_second: f64, p99_us: f64, failures: u64| Figures {
            requests: (per_second * 2.0) as u64,
            failures,
            seconds: 2.0,
            per_second,
            p50_us: 100.0,
            p99_us,
            p999_us: p99_us * 2.0,
        };
        let m = Figures::median(&[run(300.0, 50.0, 0), run(100.0, 900.0, 1), run(200.0, 70.0, 2)]);
        assert_eq!((m.per_second, m.requests, m.p99_us, m.p999_us), (200.0, 400, 70.0, 140.0));
        assert_eq!(m.failures, 3);
        assert_eq!(Figures::median(&[run(100.0, 1.0, 0), run(300.0, 3.0, 0)]).per_second, 200.0);
        assert_eq!(Figures::median(&[]), Figures::default());
    }

    #[test]
    fn ratio_to_nothing_is_zero() {
        let some = Figures { per_second: 10.0, ..Figures::default() };
        assert_eq!(some.ratio_to(&Figures::default()), 0.0);
        assert_eq!(some.ratio_to(&Figures { per_second: 40.0, ..Figures::default() }), 0.25);
    }
}
