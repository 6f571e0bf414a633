//! The audit log: who changed what, as the three products' administrators
//! can see it. Every successful write of every surface adds one entry — the
//! principal and how it authenticated, the operation, the path it wrote,
//! the time, the request id and the client address — inside the write's own
//! transaction ([`crate::service`]'s `write`), so an entry exists exactly
//! when the change does: a write that fails or rolls back leaves none, and
//! no change is ever committed without its entry. Bodies are not recorded,
//! so no password or token can end up here.
//!
//! An operator's `hostadmin` command that changes accounts or tokens on the
//! database directly (`user add|passwd|role|delete|unlock|revoke-sessions`,
//! `token create|revoke`) records its entry the same way, in the command's
//! transaction, as `operator:USER` (the system user who ran it) via `cli`.
//!
//! Growth is bounded by a retention (`audit_retention_days`): entries older
//! than that are deleted by a server's write at most once an hour per
//! process. A command never prunes: it does not know the retention the
//! server is configured with.

use std::sync::atomic::{AtomicI64, Ordering};

use diesel::prelude::*;
use hostadmin_api::types::{AuditEntry, AuditEntryVia, AuditList};
use hostadmin_api::wire::Problem;
use hostadmin_api::AuditListQuery;

use crate::auth::{Admin, Principal, Via};
use crate::db::{Conn, DbResult};
use crate::schema::{audit_log, managers};

/// What a write records, gathered from its request before the write runs.
#[derive(Clone, Debug)]
pub struct Entry {
    actor: Actor,
    operation: String,
    method: String,
    target: String,
    request_id: String,
    client: String,
}

/// Who wrote: a request's principal, or an operator's command.
#[derive(Clone, Debug)]
enum Actor {
    Principal(Principal),
    /// The system user who ran a `hostadmin` command.
    Operator(String),
}

/// `via` of an operator's command.
const VIA_CLI: &str = "cli";

impl Entry {
    /// `client` is the client address as the login throttle reads it (see
    /// [`crate::throttle::Throttle::client_address`]).
    pub fn new(
        request: &dropshot::RequestInfo,
        operation: &str,
        request_id: &str,
        client: String,
        principal: &Principal,
    ) -> Self {
        Entry {
            actor: Actor::Principal(principal.clone()),
            operation: operation.to_string(),
            method: request.method().to_string(),
            target: request.uri().path().to_string(),
            request_id: request_id.to_string(),
            client,
        }
    }

    /// An operator's command (`user_role`, ...) that changed `target`
    /// (`account:NAME`, `token:ID`).
    pub fn command(operation: &str, target: String) -> Self {
        let mut id = [0u8; 8];
        // An id that only tells entries of one command apart: without
        // randomness it is all zeros, which is still a valid entry.
        let _ = getrandom::fill(&mut id);
        Entry {
            actor: Actor::Operator(operator_name()),
            operation: operation.to_string(),
            method: "CLI".to_string(),
            target,
            request_id: format!("cli-{}", id.iter().map(|b| format!("{b:02x}")).collect::<String>()),
            client: "local".to_string(),
        }
    }
}

/// The name of the system user this process runs as (its effective uid),
/// or `uid N` when the user database has no entry for it.
fn operator_name() -> String {
    // SAFETY: geteuid cannot fail; getpwuid_r writes only into the buffers
    // given, and `name` points into `buf` while `buf` lives.
    unsafe {
        let uid = libc::geteuid();
        let mut pwd: libc::passwd = std::mem::zeroed();
        let mut buf = vec![0 as libc::c_char; 4096];
        let mut found: *mut libc::passwd = std::ptr::null_mut();
        if libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut found) == 0
            && !found.is_null()
            && !pwd.pw_name.is_null()
        {
            return std::ffi::CStr::from_ptr(pwd.pw_name).to_string_lossy().into_owned();
        }
        format!("uid {uid}")
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// The retention, and when this process last pruned.
#[derive(Debug)]
pub struct Retention {
    keep_ms: i64,
    last_pruned: AtomicI64,
}

impl Retention {
    pub fn days(days: u32) -> Self {
        Retention { keep_ms: i64::from(days) * 86_400_000, last_pruned: AtomicI64::new(0) }
    }
}

/// Adds the entry (in the caller's transaction), and prunes what the
/// retention lets go if this process has not for an hour.
pub fn record(conn: &mut Conn, entry: &Entry, retention: &Retention) -> DbResult<()> {
    insert(conn, entry)?;
    let now = now_ms();
    let last = retention.last_pruned.load(Ordering::Relaxed);
    if now - last > 3_600_000
        && retention.last_pruned.compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed).is_ok()
    {
        diesel::delete(audit_log::table.filter(audit_log::at.lt(now - retention.keep_ms))).execute(conn)?;
    }
    Ok(())
}

/// Adds the entry, in the caller's transaction.
pub fn insert(conn: &mut Conn, entry: &Entry) -> QueryResult<()> {
    let now = now_ms();
    let (principal, via) = match &entry.actor {
        Actor::Principal(Principal::Admin(Admin { name, via, .. })) => (format!("account:{name}"), via.as_str()),
        Actor::Principal(Principal::Manager { id }) => {
            let code: Option<String> = managers::table.find(id).select(managers::code).get_result(conn).optional()?;
            (format!("manager:{}", code.unwrap_or_else(|| id.to_string())), Via::ApiToken.as_str())
        }
        Actor::Operator(user) => (format!("operator:{user}"), VIA_CLI),
    };
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::at.eq(now),
            audit_log::principal.eq(principal),
            audit_log::via.eq(via),
            audit_log::operation.eq(&entry.operation),
            audit_log::method.eq(&entry.method),
            audit_log::target.eq(&entry.target),
            audit_log::request_id.eq(&entry.request_id),
            audit_log::client.eq(&entry.client),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = audit_log)]
struct Row {
    at: i64,
    principal: String,
    via: String,
    operation: String,
    method: String,
    target: String,
    request_id: String,
    client: String,
}

fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default()
}

impl From<Row> for AuditEntry {
    fn from(r: Row) -> Self {
        AuditEntry {
            at: rfc3339(r.at),
            principal: r.principal,
            via: match r.via.as_str() {
                v if v == Via::Session.as_str() => AuditEntryVia::Session,
                VIA_CLI => AuditEntryVia::Cli,
                _ => AuditEntryVia::ApiToken,
            },
            operation: r.operation,
            method: r.method,
            target: r.target,
            request_id: r.request_id,
            client: r.client,
        }
    }
}

/// A time as `since` takes it (RFC 3339), in milliseconds.
pub fn parse_since(text: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(text).ok().map(|t| t.timestamp_millis())
}

/// Entries, newest first, at or after `since` and of `principal` if given:
/// a page of them and how many match.
pub fn entries(
    conn: &mut Conn,
    since: Option<i64>,
    principal: Option<&str>,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<AuditEntry>, i64)> {
    let filtered = || {
        let mut q = audit_log::table.into_boxed();
        if let Some(since) = since {
            q = q.filter(audit_log::at.ge(since));
        }
        if let Some(p) = principal {
            q = q.filter(audit_log::principal.eq(p.to_string()));
        }
        q
    };
    let count = filtered().count().get_result(conn)?;
    let rows: Vec<Row> = filtered()
        .order((audit_log::at.desc(), audit_log::id.desc()))
        .limit(limit)
        .offset(offset)
        .select(Row::as_select())
        .load(conn)?;
    Ok((rows.into_iter().map(AuditEntry::from).collect(), count))
}

/// `GET /api/v1/system/audit`: administrators only.
pub fn list(conn: &mut Conn, principal: &Principal, q: AuditListQuery) -> DbResult<AuditList> {
    principal.require_admin()?;
    let since = match &q.since {
        Some(text) => {
            Some(parse_since(text).ok_or_else(|| Problem::invalid("since", format!("{text:?} is not a time")))?)
        }
        None => None,
    };
    let (data, count) = entries(conn, since, q.principal.as_deref(), q.limit, q.offset)?;
    Ok(AuditList { data, count })
}
