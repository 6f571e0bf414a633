//! Who is calling: the operations that check credentials (the system
//! surface's login, the groups surface's authentication) and the check of an
//! operation's security requirement on every other request.
//!
//! The trait implementation in [`crate::service`] hands `authenticate`,
//! `login` and `authentication` here in one line each, with the shared state
//! and the request; the token formats themselves are [`crate::auth`]'s and
//! [`crate::tokens`]'s.

use std::net::IpAddr;

use dropshot::RequestInfo;
use hostadmin_api::types::{AuthEnvelope, AuthRequest, AuthToken, LoginForm, LoginResult, LogoutEnvelope};
use hostadmin_api::wire::{Problem, WithHeaders};
use hostadmin_api::SecurityScheme;

use crate::accounts::{self, now_unix};
use crate::auth::cache::Kind;
use crate::auth::{self, Audience, Principal};
use crate::context::Service;
use crate::db;

/// The principal of a request that meets one of the `requirement`'s
/// alternatives (each a set of schemes that must all hold). When none does,
/// the last authentication failure is the answer; any other failure is
/// answered at once.
pub async fn authenticate(
    service: &Service,
    request: &RequestInfo,
    requirement: &[&[SecurityScheme]],
) -> Result<Principal, Problem> {
    let mut failure = Problem::Unauthenticated("No authentication token".into());
    for alternative in requirement {
        match check_schemes(service, request, alternative).await {
            Ok(p) => return Ok(p),
            Err(e @ Problem::Unauthenticated(_)) => failure = e,
            Err(other) => return Err(other),
        }
    }
    Err(failure)
}

/// `POST /api/v1/login`: a session JWT and its CSRF token, in the body and
/// in an HttpOnly cookie.
pub async fn login(
    service: &Service,
    request: &RequestInfo,
    form: LoginForm,
) -> Result<WithHeaders<LoginResult>, Problem> {
    let address = service.throttle.client_address(request);
    let account = verify_credentials(service, address, form.user.to_string(), form.pass.to_string()).await?;
    let token = service.key.issue(&account, Audience::Grommunio, now_unix(), service.session_ttl_secs);
    let csrf = service.key.csrf_for(&token);
    let mut headers = http::HeaderMap::new();
    // Under TLS the cookie is `Secure`: a browser never sends it over plain
    // HTTP, where anyone on the path could read it.
    let secure = if service.tls { "; Secure" } else { "" };
    let cookie = format!(
        "grommunioAuthJwt={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        service.session_ttl_secs
    );
    headers.insert(http::header::SET_COOKIE, cookie.parse().map_err(|_| Problem::Internal("cookie".into()))?);
    Ok(WithHeaders { body: LoginResult { grommunio_auth_jwt: token, csrf }, headers })
}

/// `POST /api/2.0/authentication`: a session token for the groups surface
/// and when it expires.
pub async fn authentication(
    service: &Service,
    request: &RequestInfo,
    body: AuthRequest,
) -> Result<AuthEnvelope, Problem> {
    let address = service.throttle.client_address(request);
    let account = verify_credentials(service, address, body.user_name.to_string(), body.password.to_string()).await?;
    let now = now_unix();
    let token = service.key.issue(&account, Audience::Onlyoffice, now, service.session_ttl_secs);
    let expires = chrono::DateTime::from_timestamp(now + service.session_ttl_secs, 0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default();
    Ok(AuthEnvelope { status: 0, status_code: 0, response: AuthToken { token, expires } })
}

/// `POST /api/2.0/authentication/logout`: ends every session of the
/// caller's account (see [`accounts::revoke_sessions`]).
pub fn logout(conn: &mut db::Conn, principal: &Principal) -> db::DbResult<LogoutEnvelope> {
    if let Principal::Admin(admin) = principal {
        accounts::revoke_sessions(conn, admin.account_id)?;
    }
    Ok(LogoutEnvelope { status: 0, status_code: 0, response: true })
}

/// The account with these credentials. A wrong password and an unknown
/// name cost the same time and answer the same.
/// Throttled (see [`crate::throttle`]) per user name and client address.
async fn verify_credentials(
    service: &Service,
    address: IpAddr,
    user: String,
    pass: String,
) -> Result<accounts::Account, Problem> {
    let delay = service.throttle.reserve(&service.pool, &user, address).await?;
    // A name that keeps failing is slowed down, not locked (see the throttle).
    tokio::time::sleep(delay).await;
    let name = user.clone();
    // The lookup holds a connection for microseconds; the hash check
    // (tens of milliseconds) runs without one.
    let account = db::lookup(&service.pool, move |conn| Ok(accounts::find_by_name(conn, &name)?)).await?;
    let ok = service.passwords.check(account.as_ref().map(|a| a.password_hash.clone()), pass).await?;
    match account.filter(|_| ok) {
        Some(account) => {
            service.throttle.succeeded(&service.pool, &user, address).await?;
            Ok(account)
        }
        None => {
            if let Some(m) = &service.metrics {
                m.login_failed();
            }
            Err(Problem::Unauthenticated("Invalid username or password".into()))
        }
    }
}

/// Checks one set of schemes that must all hold: the session JWT first,
/// then (on writes) the CSRF token derived from it.
///
/// A credential whose principal was found by a full check since the last
/// commit to the database is taken from [`auth::cache`] instead of checked
/// again (SQLite only; see there why revocation stays immediate).
async fn check_schemes(
    service: &Service,
    request: &RequestInfo,
    schemes: &[SecurityScheme],
) -> Result<Principal, Problem> {
    let key = &service.key;
    let now = now_unix();
    // Read before any check: a commit during the check makes its entry stale.
    let stamp = service.pool.change_stamp();
    let cached = |kind, credential: &str| service.principals.get(kind, credential, stamp, now);
    let keep = |kind, credential: &str, principal: &Principal, expires| {
        service.principals.insert(kind, credential, principal, expires, stamp)
    };
    if schemes.contains(&SecurityScheme::OnlyofficeToken) {
        let header = SecurityScheme::OnlyofficeToken
            .credential(request)
            .ok_or_else(|| Problem::Unauthenticated("No token".into()))?;
        let token = header.strip_prefix("Bearer ").unwrap_or(&header).trim();
        if let Some(principal) = cached(Kind::OnlyofficeSession, token) {
            return Ok(principal);
        }
        let claims = key
            .verify(token, Audience::Onlyoffice, now, service.session_ttl_secs)
            .map_err(|why| Problem::Unauthenticated(why.into()))?;
        let expires = claims.exp;
        let principal = auth::principal_for(&service.pool, claims).await?;
        keep(Kind::OnlyofficeSession, token, &principal, expires);
        return Ok(principal);
    }
    if schemes.contains(&SecurityScheme::ApiToken) {
        let token = SecurityScheme::ApiToken
            .credential(request)
            .ok_or_else(|| Problem::Unauthenticated("No API token".into()))?;
        if let Some(principal) = cached(Kind::ApiToken, &token) {
            return Ok(principal);
        }
        let principal = auth::principal_for_token(&service.pool, token.to_string()).await?;
        keep(Kind::ApiToken, &token, &principal, i64::MAX);
        return Ok(principal);
    }
    let jwt = SecurityScheme::GrommunioJwt
        .credential(request)
        .ok_or_else(|| Problem::Unauthenticated("No authentication token".into()))?;
    // A kept principal, or the verified claims whose account is still to be
    // read (after the CSRF check, as before).
    let session = match cached(Kind::GrommunioSession, &jwt) {
        Some(principal) => Ok(principal),
        None => Err(key
            .verify(&jwt, Audience::Grommunio, now, service.session_ttl_secs)
            .map_err(|why| Problem::Unauthenticated(why.into()))?),
    };
    for scheme in schemes {
        match scheme {
            SecurityScheme::GrommunioJwt | SecurityScheme::ApiToken | SecurityScheme::OnlyofficeToken => {}
            SecurityScheme::CsrfToken => {
                let sent =
                    scheme.credential(request).ok_or_else(|| Problem::Unauthenticated("Missing CSRF token".into()))?;
                if !key.csrf_matches(&jwt, &sent) {
                    return Err(Problem::Unauthenticated("Invalid CSRF token".into()));
                }
            }
        }
    }
    match session {
        Ok(kept) => Ok(kept),
        Err(claims) => {
            let expires = claims.exp;
            let principal = auth::principal_for(&service.pool, claims).await?;
            keep(Kind::GrommunioSession, &jwt, &principal, expires);
            Ok(principal)
        }
    }
}
