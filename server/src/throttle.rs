//! Login throttling: attempts are counted per user name and per client
//! address within a window; past the limit, logins answer 429 without the
//! password being checked, until the window ends. A right password gives its
//! attempt back and clears the user name's count (not the address's).
//!
//! An attempt is counted *before* its password is checked (reserved), in the
//! same write that compares the count with the limit: a check made first and
//! a failure recorded after the hash would let every attempt sent at the same
//! moment pass the check before any of them was counted.
//!
//! The counts live in the database (`login_failures`), not in the process:
//! the limit holds however many replicas an attacker spreads attempts over,
//! and across restarts. Windows that have ended are deleted as attempts come
//! in, so the table holds only the subjects that failed within the last
//! window.

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

    /// Reserves one attempt for this user name and address before the
    /// password is checked: adds it to both counts in one write, and answers
    /// 429 (the write rolled back, so a refused attempt does not count) when
    /// either count would pass its limit. Checking and counting are one step,
    /// so simultaneous attempts cannot all pass a check made before any of
    /// them is counted; on PostgreSQL the row locks of the upsert order
    /// attempts from every replica. A right password is given back with
    /// [`Throttle::succeeded`].
    pub async fn reserve(&self, pool: &Pool, user: &str, address: IpAddr) -> Result<(), Problem> {
        let limits = [
            (user_subject(user), i64::from(self.policy.per_user)),
            (address_subject(address), i64::from(self.policy.per_address)),
        ];
        let since = self.window_start();
        db::write(pool, move |conn| {
            diesel::delete(login_failures::table.filter(login_failures::window_start.le(since))).execute(conn)?;
            let now = now_ms();
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
                if count > *limit {
                    return Err(Problem::Throttled("Too many failed logins; try again later".into()).into());
                }
            }
            Ok(())
        })
        .await
    }

    /// A reserved attempt whose password was right: the user name's count is
    /// cleared and the address's reservation given back.
    pub async fn succeeded(&self, pool: &Pool, user: &str, address: IpAddr) -> Result<(), Problem> {
        let (user, address) = (user_subject(user), address_subject(address));
        db::write(pool, move |conn| {
            diesel::delete(login_failures::table.find(user)).execute(conn)?;
            diesel::update(login_failures::table.find(address).filter(login_failures::failures.gt(0_i64)))
                .set(login_failures::failures.eq(login_failures::failures - 1_i64))
                .execute(conn)?;
            Ok(())
        })
        .await
    }
}
