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
}

#[cfg(test)]
mod tests {
    use super::Figures;

    #[test]
    fn ratio_to_nothing_is_zero() {
        let some = Figures { per_second: 10.0, ..Figures::default() };
        assert_eq!(some.ratio_to(&Figures::default()), 0.0);
        assert_eq!(some.ratio_to(&Figures { per_second: 40.0, ..Figures::default() }), 0.25);
    }
}
