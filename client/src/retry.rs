//! Which failures are worth sending a request again for, and how long to
//! wait first. Only requests that mean the same thing when repeated (GET,
//! HEAD, PUT, DELETE) are retried unless the caller opts in: a POST that
//! reached the server before the connection dropped must not create twice.

use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, SystemTime};

use reqwest::{Method, StatusCode};

/// When and how often a request is sent again after a 503, a 429 or a
/// connection failure. `RetryPolicy::default()` retries idempotent requests
/// 3 times; [`RetryPolicy::none`] never retries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0: none).
    pub max_retries: u32,
    /// The backoff before the first retry; it doubles each time, with
    /// jitter (a wait is between half and all of it).
    pub initial_backoff: Duration,
    /// The longest backoff.
    pub max_backoff: Duration,
    /// The longest wait a `Retry-After` header may ask for (it is capped).
    pub max_retry_after: Duration,
    /// Also retry POST and PATCH (off by default: they may not be safe to repeat).
    pub non_idempotent: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(30),
            non_idempotent: false,
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        RetryPolicy { max_retries: 0, ..RetryPolicy::default() }
    }

    /// Whether requests of `method` may be retried at all.
    pub(crate) fn allows(&self, method: &Method) -> bool {
        self.max_retries > 0
            && (matches!(*method, Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS)
                || self.non_idempotent)
    }

    /// The jittered exponential backoff before retry number `attempt` (0-based).
    pub(crate) fn backoff(&self, attempt: u32) -> Duration {
        let full =
            self.initial_backoff.saturating_mul(1u32.checked_shl(attempt).unwrap_or(u32::MAX)).min(self.max_backoff);
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u32(attempt);
        let fraction = (hasher.finish() % 1001) as f64 / 1000.0;
        full / 2 + (full / 2).mul_f64(fraction)
    }

    /// The wait before retrying an answer with `status`, or `None` if the
    /// status is not one to retry: `Retry-After` (capped) when given,
    /// else the backoff.
    pub(crate) fn wait_for(&self, status: StatusCode, retry_after: Option<&str>, attempt: u32) -> Option<Duration> {
        if status != StatusCode::SERVICE_UNAVAILABLE && status != StatusCode::TOO_MANY_REQUESTS {
            return None;
        }
        Some(match retry_after.and_then(|v| parse_retry_after(v, SystemTime::now())) {
            Some(asked) => asked.min(self.max_retry_after),
            None => self.backoff(attempt),
        })
    }
}

/// `Retry-After` as seconds or as an HTTP-date (a date in the past is no wait).
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(90));
        assert_eq!(parse_retry_after(&later, now), Some(Duration::from_secs(90)));
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(90));
        assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn retry_after_is_capped_and_other_statuses_are_not_retried() {
        let policy = RetryPolicy { max_retry_after: Duration::from_secs(2), ..RetryPolicy::default() };
        assert_eq!(policy.wait_for(StatusCode::TOO_MANY_REQUESTS, Some("3600"), 0), Some(Duration::from_secs(2)));
        assert_eq!(policy.wait_for(StatusCode::SERVICE_UNAVAILABLE, Some("1"), 0), Some(Duration::from_secs(1)));
        assert_eq!(policy.wait_for(StatusCode::INTERNAL_SERVER_ERROR, Some("1"), 0), None);
    }

    #[test]
    fn backoff_doubles_within_jitter_and_is_capped() {
        let policy = RetryPolicy {
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(300),
            ..RetryPolicy::default()
        };
        for _ in 0..50 {
            let first = policy.backoff(0);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100), "{first:?}");
            let second = policy.backoff(1);
            assert!(second >= Duration::from_millis(100) && second <= Duration::from_millis(200), "{second:?}");
            let capped = policy.backoff(30);
            assert!(capped >= Duration::from_millis(150) && capped <= Duration::from_millis(300), "{capped:?}");
        }
    }

    #[test]
    fn only_idempotent_methods_unless_asked() {
        let policy = RetryPolicy::default();
        assert!(policy.allows(&Method::GET) && policy.allows(&Method::PUT) && policy.allows(&Method::DELETE));
        assert!(!policy.allows(&Method::POST) && !policy.allows(&Method::PATCH));
        assert!(RetryPolicy { non_idempotent: true, ..policy }.allows(&Method::POST));
        assert!(!RetryPolicy::none().allows(&Method::GET));
    }
}
