//! Login throttling: failed logins are counted per user name and per client
//! address within a window; past the limit, logins answer 429 without the
//! password being checked, until the window ends. A success clears the
//! user name's count (not the address's).
//!
//! Counts live in memory, per process: bounded (expired entries are pruned)
//! and lost on restart, which only ever errs towards letting a login try.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use hostadmin_api::wire::Problem;

/// The throttling policy.
#[derive(Clone, Debug)]
pub struct Policy {
    pub per_user: u32,
    pub per_address: u32,
    pub window: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Self { per_user: 5, per_address: 20, window: Duration::from_secs(15 * 60) }
    }
}

#[derive(Debug)]
pub struct Throttle {
    policy: Policy,
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

const MAX_ENTRIES: usize = 100_000;

impl Throttle {
    pub fn new(policy: Policy) -> Self {
        Self { policy, failures: Mutex::new(HashMap::new()) }
    }

    fn keys(user: &str, address: IpAddr) -> [(String, bool); 2] {
        [(format!("user\0{user}"), true), (format!("addr\0{address}"), false)]
    }

    /// 429 if this user name or address has failed too often lately.
    pub fn check(&self, user: &str, address: IpAddr) -> Result<(), Problem> {
        let now = Instant::now();
        let failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        for (key, is_user) in Self::keys(user, address) {
            let limit = if is_user { self.policy.per_user } else { self.policy.per_address };
            if let Some((count, since)) = failures.get(&key) {
                if now.duration_since(*since) < self.policy.window && *count >= limit {
                    return Err(Problem::Throttled("Too many failed logins; try again later".into()));
                }
            }
        }
        Ok(())
    }

    pub fn failed(&self, user: &str, address: IpAddr) {
        let now = Instant::now();
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if failures.len() >= MAX_ENTRIES {
            let window = self.policy.window;
            failures.retain(|_, (_, since)| now.duration_since(*since) < window);
        }
        for (key, _) in Self::keys(user, address) {
            let entry = failures.entry(key).or_insert((0, now));
            if now.duration_since(entry.1) >= self.policy.window {
                *entry = (0, now);
            }
            entry.0 += 1;
        }
    }

    pub fn succeeded(&self, user: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        failures.remove(&format!("user\0{user}"));
    }
}
