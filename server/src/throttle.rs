//! Login throttling that keeps guessing expensive without handing anyone a
//! switch to lock an account out.
//!
//! Attempts are counted within a window (15 minutes) per **user name and
//! client address together** (5) and per **client address** (20, an IPv6
//! address counted by its /64, which one host commonly holds whole); past
//! either limit, logins answer 429 without the password being checked. There
//! is deliberately no hard limit per user name alone: five failures from
//! anywhere would then lock the owner out from everywhere. Instead, failures
//! for a name from all addresses slow its logins down progressively (after
//! 5, a delay from 250 ms doubling up to 8 s before the password is
//! checked), which costs a distributed guesser time and the owner at most a
//! few seconds. A right password gives its attempt back and clears the
//! name's counts; `hostadmin user unlock NAME` clears them by hand.
//!
//! An attempt is counted *before* its password is checked (reserved), in the
//! same write that compares the counts with the limits: a check made first
//! and a failure recorded after the hash would let every attempt sent at the
//! same moment pass the check before any of them was counted.
//!
//! Behind a reverse proxy every request comes from the proxy's address: list
//! the proxy in `trusted_proxies`, and the client address is read from
//! `X-Forwarded-For` (the right-most address that is not a trusted proxy).
//! From any other peer the header is ignored, since anyone can send it.
//!
//! The counts live in the database (`login_failures`), not in the process:
//! the limits hold however many replicas an attacker spreads attempts over,
//! and across restarts. Windows that have ended are deleted as attempts
//! come in.

use std::net::IpAddr;
use std::time::Duration;

use diesel::prelude::*;
use hostadmin_api::wire::Problem;
use ipnet::IpNet;

use crate::db::{self, Conn, Pool};
use crate::schema::login_failures;

/// The throttling policy.
#[derive(Clone, Debug)]
pub struct Policy {
    /// Attempts for one user name from one client address.
    pub per_user: u32,
    /// Attempts from one client address, over all names.
    pub per_address: u32,
    pub window: Duration,
    /// Failures for a name (from anywhere) before its logins slow down.
    pub slow_after: u32,
    /// Peers whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<IpNet>,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            per_user: 5,
            per_address: 20,
            window: Duration::from_secs(15 * 60),
            slow_after: 5,
            trusted_proxies: Vec::new(),
        }
    }
}

#[derive(Debug)]
pub struct Throttle {
    policy: Policy,
}

/// The client as counted: IPv4 as is (an IPv4-mapped IPv6 address too),
/// IPv6 by its /64.
fn counted(address: IpAddr) -> String {
    match address {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => ipnet::Ipv6Net::new(v6, 64).map(|net| net.trunc().to_string()).unwrap_or_else(|_| v6.to_string()),
        },
        v4 => v4.to_string(),
    }
}

fn pair_subject(user: &str, address: IpAddr) -> String {
    format!("pair:{user}@{}", counted(address))
}

fn address_subject(address: IpAddr) -> String {
    format!("addr:{}", counted(address))
}

fn name_subject(user: &str) -> String {
    format!("name:{user}")
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// The delay before checking a password for a name that has failed
/// `failures` times (this attempt included) within the window.
fn slow_down(failures: i64, after: u32) -> Duration {
    let over = failures - i64::from(after);
    if over <= 0 {
        return Duration::ZERO;
    }
    let doublings = u32::try_from(over - 1).unwrap_or(u32::MAX).min(5);
    Duration::from_millis(250 << doublings).min(Duration::from_secs(8))
}

impl Throttle {
    pub fn new(policy: Policy) -> Self {
        Self { policy }
    }

    /// The client a request comes from: its peer, or, when the peer is a
    /// trusted proxy, the right-most `X-Forwarded-For` address that is not.
    pub fn client_address(&self, request: &dropshot::RequestInfo) -> IpAddr {
        let peer = request.remote_addr().ip();
        let trusted = |a: &IpAddr| self.policy.trusted_proxies.iter().any(|net| net.contains(a));
        if !trusted(&peer) {
            return peer;
        }
        let forwarded = request.headers().get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok());
        let hops: Vec<IpAddr> =
            forwarded.flat_map(|v| v.split(',')).filter_map(|hop| hop.trim().parse().ok()).collect();
        hops.into_iter().rev().find(|hop| !trusted(hop)).unwrap_or(peer)
    }

    /// When the current window began: failures before it no longer count.
    fn window_start(&self) -> i64 {
        now_ms() - self.policy.window.as_millis() as i64
    }

    /// Reserves one attempt for this user name and address before the
    /// password is checked: adds it to every count in one write, and answers
    /// 429 (the write rolled back, so a refused attempt does not count) when
    /// a count would pass its limit; otherwise, how long to wait before
    /// checking the password (see the module's note). Checking and counting
    /// are one step, so simultaneous attempts cannot all pass a check made
    /// before any of them is counted; writes are serialized on every backend
    /// and across replicas. A right password is given back with
    /// [`Throttle::succeeded`].
    pub async fn reserve(&self, pool: &Pool, user: &str, address: IpAddr) -> Result<Duration, Problem> {
        let limits = [
            (pair_subject(user, address), Some(i64::from(self.policy.per_user))),
            (address_subject(address), Some(i64::from(self.policy.per_address))),
            (name_subject(user), None),
        ];
        let (since, slow_after) = (self.window_start(), self.policy.slow_after);
        db::write(pool, move |conn| {
            diesel::delete(login_failures::table.filter(login_failures::window_start.le(since))).execute(conn)?;
            let now = now_ms();
            let mut delay = Duration::ZERO;
            for (subject, limit) in &limits {
                let add = diesel::insert_into(login_failures::table)
                    .values((
                        login_failures::subject.eq(subject),
                        login_failures::failures.eq(1_i64),
                        login_failures::window_start.eq(now),
                    ))
                    .on_conflict(login_failures::subject)
                    .do_update()
                    .set(login_failures::failures.eq(login_failures::failures + 1_i64))
                    .returning(login_failures::failures);
                let count: i64 = crate::each_backend!(&mut *conn, |c| add.get_result(c))?;
                match limit {
                    Some(limit) if count > *limit => {
                        return Err(Problem::Throttled("Too many failed logins; try again later".into()).into());
                    }
                    Some(_) => {}
                    None => delay = slow_down(count, slow_after),
                }
            }
            Ok(delay)
        })
        .await
    }

    /// A reserved attempt whose password was right: the name's counts are
    /// cleared and the address's reservation given back.
    pub async fn succeeded(&self, pool: &Pool, user: &str, address: IpAddr) -> Result<(), Problem> {
        let (pair, name, address) = (pair_subject(user, address), name_subject(user), address_subject(address));
        db::write(pool, move |conn| {
            diesel::delete(login_failures::table.filter(login_failures::subject.eq_any([pair, name]))).execute(conn)?;
            diesel::update(login_failures::table.find(address).filter(login_failures::failures.gt(0_i64)))
                .set(login_failures::failures.eq(login_failures::failures - 1_i64))
                .execute(conn)?;
            Ok(())
        })
        .await
    }
}

/// Clears a user name's counts, from every address (`hostadmin user
/// unlock`); returns how many counts there were.
pub fn unlock(conn: &mut Conn, user: &str) -> QueryResult<usize> {
    let pairs = format!("pair:{user}@");
    let subjects: Vec<String> = login_failures::table
        .select(login_failures::subject)
        .load::<String>(conn)?
        .into_iter()
        .filter(|s| s.starts_with(&pairs) || *s == name_subject(user))
        .collect();
    diesel::delete(login_failures::table.filter(login_failures::subject.eq_any(&subjects))).execute(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_counted_by_host_or_by_64() {
        let at = |s: &str| counted(s.parse().unwrap());
        assert_eq!(at("203.0.113.7"), "203.0.113.7");
        assert_eq!(at("::ffff:203.0.113.7"), "203.0.113.7");
        assert_eq!(at("2001:db8:1:2:aaaa::1"), at("2001:db8:1:2:ffff::9"));
        assert_ne!(at("2001:db8:1:2::1"), at("2001:db8:1:3::1"));
    }

    #[test]
    fn the_slow_down_grows_and_stops_growing() {
        let d = |n| slow_down(n, 5).as_millis();
        assert_eq!([d(1), d(5), d(6), d(7), d(8), d(11), d(12), d(1000)], [0, 0, 250, 500, 1000, 8000, 8000, 8000]);
    }
}
