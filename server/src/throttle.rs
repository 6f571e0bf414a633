//! Login throttling: failed logins are counted per user name and per client
//! address within a window; past the limit, logins answer 429 without the
//! password being checked, until the window ends. A success clears the
//! user name's count (not the address's).
//!
//! The counts live in the database (`login_failures`), not in the process:
//! the limit holds however many replicas an attacker spreads attempts over,
//! and across restarts. A failure is one write that adds to the stored count,
//! so failures on different replicas at the same moment all count. Windows
//! that have ended are deleted as failures come in, so the table holds only
//! the subjects that failed within the last window.

use std::net::IpAddr;
use std::time::Duration;

use diesel::prelude::*;
use hostadmin_api::wire::Problem;

use crate::db::{self, Pool};
use crate::schema::login_failures;

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
}

fn user_subject(user: &str) -> String {
    format!("user:{user}")
}

fn address_subject(address: IpAddr) -> String {
    format!("addr:{address}")
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

impl Throttle {
    pub fn new(policy: Policy) -> Self {
        Self { policy }
    }

    /// When the current window began: failures before it no longer count.
    fn window_start(&self) -> i64 {
        now_ms() - self.policy.window.as_millis() as i64
    }

    /// 429 if this user name or address has failed too often lately;
    /// otherwise whether the user name has failures to clear on success.
    pub async fn check(&self, pool: &Pool, user: &str, address: IpAddr) -> Result<bool, Problem> {
        let (user, address) = (user_subject(user), address_subject(address));
        let since = self.window_start();
        let counts: Vec<(String, i64)> = db::lookup(pool, move |conn| {
            Ok(login_failures::table
                .filter(login_failures::subject.eq_any([&user, &address]))
                .filter(login_failures::window_start.gt(since))
                .select((login_failures::subject, login_failures::failures))
                .load(conn)?)
        })
        .await?;
        let mut user_failed = false;
        for (subject, failures) in counts {
            let is_user = subject.starts_with("user:");
            user_failed |= is_user;
            let limit = if is_user { self.policy.per_user } else { self.policy.per_address };
            if failures >= i64::from(limit) {
                return Err(Problem::Throttled("Too many failed logins; try again later".into()));
            }
        }
        Ok(user_failed)
    }

    /// Counts a failure against the user name and the address.
    pub async fn failed(&self, pool: &Pool, user: &str, address: IpAddr) -> Result<(), Problem> {
        let subjects = [user_subject(user), address_subject(address)];
        let since = self.window_start();
        db::write(pool, move |conn| {
            diesel::delete(login_failures::table.filter(login_failures::window_start.le(since))).execute(conn)?;
            let now = now_ms();
            for subject in &subjects {
                let add = diesel::insert_into(login_failures::table)
                    .values((
                        login_failures::subject.eq(subject),
                        login_failures::failures.eq(1_i64),
                        login_failures::window_start.eq(now),
                    ))
                    .on_conflict(login_failures::subject)
                    .do_update()
                    .set(login_failures::failures.eq(login_failures::failures + 1_i64));
                crate::each_backend!(&mut *conn, |c| add.execute(c))?;
            }
            Ok(())
        })
        .await
    }

    /// Clears the user name's failures.
    pub async fn succeeded(&self, pool: &Pool, user: &str) -> Result<(), Problem> {
        let subject = user_subject(user);
        db::write(pool, move |conn| {
            diesel::delete(login_failures::table.find(subject)).execute(conn)?;
            Ok(())
        })
        .await
    }
}
