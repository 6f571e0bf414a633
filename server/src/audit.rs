//! The audit log: who changed what, as the three products' administrators
//! can see it. Every successful write of every surface adds one entry — the
//! principal and how it authenticated, the operation, the path it wrote,
//! the time, the request id and the client address — inside the write's own
//! transaction ([`crate::service`]'s `write`), so an entry exists exactly
//! when the change does: a write that fails or rolls back leaves none, and
//! no change is ever committed without its entry. Bodies are not recorded,
//! so no password or token can end up here.
//!
//! Growth is bounded by a retention (`audit_retention_days`): entries older
//! than that are deleted by a write at most once an hour per process.

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
    principal: Principal,
    operation: String,
    method: String,
    target: String,
    request_id: String,
    client: String,
}

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
            principal: principal.clone(),
            operation: operation.to_string(),
            method: request.method().to_string(),
            target: request.uri().path().to_string(),
            request_id: request_id.to_string(),
            client,
        }
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
    let now = now_ms();
    let (principal, via) = match &entry.principal {
        Principal::Admin(Admin { name, via, .. }) => (format!("account:{name}"), *via),
        Principal::Manager { id } => {
            let code: Option<String> = managers::table.find(id).select(managers::code).get_result(conn).optional()?;
            (format!("manager:{}", code.unwrap_or_else(|| id.to_string())), Via::ApiToken)
        }
    };
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::at.eq(now),
            audit_log::principal.eq(principal),
            audit_log::via.eq(via.as_str()),
            audit_log::operation.eq(&entry.operation),
            audit_log::method.eq(&entry.method),
            audit_log::target.eq(&entry.target),
            audit_log::request_id.eq(&entry.request_id),
            audit_log::client.eq(&entry.client),
        ))
        .execute(conn)?;
    let last = retention.last_pruned.load(Ordering::Relaxed);
    if now - last > 3_600_000
        && retention.last_pruned.compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed).is_ok()
    {
        diesel::delete(audit_log::table.filter(audit_log::at.lt(now - retention.keep_ms))).execute(conn)?;
    }
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
            via: if r.via == Via::Session.as_str() { AuditEntryVia::Session } else { AuditEntryVia::ApiToken },
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
