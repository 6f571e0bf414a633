//! Latency samples and the figures reported from them.

use std::time::{Duration, Instant};

use hostadmin_bench_figures::Figures;

/// How long a run lasts, and how it draws its random IDs.
#[derive(clap::Args, Clone)]
pub struct RunArgs {
    /// Seconds measured, after the warm-up.
    #[arg(long, default_value_t = 3.0)]
    pub seconds: f64,
    /// Seconds of warm-up, not measured.
    #[arg(long, default_value_t = 0.5)]
    pub warmup: f64,
    /// The upper bound of `{rand}` (random server IDs).
    #[arg(long, default_value_t = 1)]
    pub rand_max: u64,
    #[arg(long, default_value_t = 20261123)]
    pub seed: u64,
}

impl RunArgs {
    pub fn window(&self) -> Window {
        Window::after_warmup(Duration::from_secs_f64(self.warmup), Duration::from_secs_f64(self.seconds))
    }
}

/// The measured window: operations that complete before `start` are warm-up
/// and are not counted; the run ends at `end`.
#[derive(Clone, Copy)]
pub struct Window {
    pub start: Instant,
    pub end: Instant,
}

impl Window {
    pub fn after_warmup(warmup: Duration, length: Duration) -> Self {
        let start = Instant::now() + warmup;
        Self { start, end: start + length }
    }
}

/// One worker's samples (nanoseconds) and failures, counted in the window.
#[derive(Default)]
pub struct Samples {
    pub latencies: Vec<u64>,
    pub failures: u64,
}

impl Samples {
    pub fn record(&mut self, window: &Window, began: Instant, ok: bool) {
        let done = Instant::now();
        if done < window.start || done > window.end {
            return;
        }
        if ok {
            self.latencies.push((done - began).as_nanos() as u64);
        } else {
            self.failures += 1;
        }
    }
}

/// The figures of a run from its workers' samples.
pub fn figures(all: Vec<Samples>, window: &Window) -> Figures {
    let failures = all.iter().map(|s| s.failures).sum();
    let mut latencies: Vec<u64> = all.into_iter().flat_map(|s| s.latencies).collect();
    latencies.sort_unstable();
    let seconds = (window.end - window.start).as_secs_f64();
    let quantile = |q: f64| -> f64 {
        if latencies.is_empty() {
            return 0.0;
        }
        let rank = ((q * latencies.len() as f64).ceil() as usize).clamp(1, latencies.len());
        latencies[rank - 1] as f64 / 1000.0
    };
    Figures {
        requests: latencies.len() as u64,
        failures,
        seconds,
        per_second: latencies.len() as f64 / seconds,
        p50_us: quantile(0.50),
        p99_us: quantile(0.99),
        p999_us: quantile(0.999),
    }
}

/// A small seeded generator (splitmix64): repeatable request mixes without a
/// dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `1..=max`.
    pub fn one_to(&mut self, max: u64) -> u64 {
        1 + self.next() % max.max(1)
    }
}

/// Fills `{seq}` (unique per operation across workers) and `{rand}` (seeded,
/// in `1..=rand_max`) in a request template.
pub fn fill(template: &str, seq: u64, rng: &mut Rng, rand_max: u64) -> String {
    let mut out = template.replace("{seq}", &seq.to_string());
    while out.contains("{rand}") {
        out = out.replacen("{rand}", &rng.one_to(rand_max).to_string(), 1);
    }
    out
}
