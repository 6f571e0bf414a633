//! Sessions of the system surface: HS256 JWTs and the CSRF tokens derived
//! from them.
//!
//! A JWT is self-contained, but every request still looks the account up, so
//! that a deleted or demoted account loses access at once rather than when
//! its token expires. The CSRF token is an HMAC of the JWT under the same key
//! (with a distinct prefix), so it needs no storage and any replica sharing
//! the key can check it.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use diesel::prelude::*;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::accounts::{self, Role};
use crate::db::{self, Pool};
use crate::schema::settings;
use hostadmin_api::types::ManagerStatus;
use hostadmin_api::wire::Problem;

pub mod cache;

type HmacSha256 = Hmac<Sha256>;

/// The signing key. Comes from configuration, or is generated once and kept
/// in the database so that sessions survive restarts.
#[derive(Clone)]
pub struct SigningKey {
    /// The HMAC state after the key: each signature clones it instead of
    /// hashing the key's two blocks again.
    keyed: HmacSha256,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(***)")
    }
}

const KEY_SETTING: &str = "jwt_signing_key";

impl SigningKey {
    /// A key given by the operator: at least 32 bytes of base64.
    pub fn from_config(b64: &str) -> anyhow::Result<Self> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64.trim())
            .map_err(|_| anyhow::anyhow!("the JWT key must be base64"))?;
        anyhow::ensure!(bytes.len() >= 32, "the JWT key must be at least 32 bytes");
        Ok(Self::new(&bytes))
    }

    /// The key stored in the database, generated and stored first if there is none.
    pub fn load_or_create(pool: &Pool) -> anyhow::Result<Self> {
        let mut conn = pool.get()?;
        let mut fresh = [0u8; 32];
        getrandom::fill(&mut fresh).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
        let fresh = B64.encode(fresh);
        // Two replicas starting at once: the first insert wins, both read it.
        let insert = diesel::insert_into(settings::table)
            .values((settings::name.eq(KEY_SETTING), settings::value.eq(&fresh)))
            .on_conflict_do_nothing();
        crate::each_backend!(&mut *conn, |c| insert.execute(c))?;
        let stored: String =
            settings::table.filter(settings::name.eq(KEY_SETTING)).select(settings::value).get_result(&mut conn)?;
        Ok(Self::new(&B64.decode(stored).map_err(|_| anyhow::anyhow!("stored JWT key is corrupt"))?))
    }

    fn new(key: &[u8]) -> Self {
        SigningKey { keyed: HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length") }
    }

    fn mac(&self, parts: &[&[u8]]) -> HmacSha256 {
        let mut mac = self.keyed.clone();
        for p in parts {
            mac.update(p);
        }
        mac
    }

    /// A signed session token for `account`, valid for `ttl_secs`, on the
    /// surface `aud` only, until the account's sessions are revoked.
    pub fn issue(&self, account: &accounts::Account, aud: Audience, now: i64, ttl_secs: i64) -> String {
        let header = B64.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let claims = Claims {
            sub: account.name.clone(),
            uid: account.id,
            aud: aud.as_str().into(),
            gen: account.session_generation,
            iat: now,
            exp: now + ttl_secs,
        };
        let payload = B64.encode(serde_json::to_vec(&claims).expect("claims serialize"));
        let signing_input = format!("{header}.{payload}");
        let sig = B64.encode(self.mac(&[signing_input.as_bytes()]).finalize().into_bytes());
        format!("{signing_input}.{sig}")
    }

    /// The claims of a token this key signed, if it is well formed, HS256,
    /// correctly signed, for the surface `aud`, not expired and not meant to
    /// last longer than `max_ttl_secs` (a token that says it lives longer
    /// than sessions are configured to was not issued by this
    /// configuration). Any other algorithm (`none` included) is refused.
    pub fn verify(&self, token: &str, aud: Audience, now: i64, max_ttl_secs: i64) -> Result<Claims, &'static str> {
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err("Malformed token");
        };
        let header: serde_json::Value =
            B64.decode(h).ok().and_then(|b| serde_json::from_slice(&b).ok()).ok_or("Malformed token")?;
        if header.get("alg").and_then(|a| a.as_str()) != Some("HS256") {
            return Err("Unsupported token algorithm");
        }
        let sig = B64.decode(s).map_err(|_| "Malformed token")?;
        let signing_input_len = h.len() + 1 + p.len();
        self.mac(&[&token.as_bytes()[..signing_input_len]])
            .verify_slice(&sig)
            .map_err(|_| "Invalid token signature")?;
        let claims: Claims =
            B64.decode(p).ok().and_then(|b| serde_json::from_slice(&b).ok()).ok_or("Malformed token")?;
        if claims.exp <= now {
            return Err("Token expired");
        }
        if claims.aud != aud.as_str() {
            return Err("Token not valid for this API");
        }
        if claims.exp - claims.iat > max_ttl_secs {
            return Err("Token lifetime exceeds the session lifetime");
        }
        Ok(claims)
    }

    /// The CSRF token that goes with a session token.
    pub fn csrf_for(&self, token: &str) -> String {
        B64.encode(self.mac(&[b"csrf\0", token.as_bytes()]).finalize().into_bytes())
    }

    /// Whether `sent` is the CSRF token of `token`, compared in constant time.
    pub fn csrf_matches(&self, token: &str, sent: &str) -> bool {
        self.csrf_for(token).as_bytes().ct_eq(sent.as_bytes()).into()
    }
}

/// The surface a session token was issued for: a token from one surface's
/// login is not accepted on the other's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// `/api/v1` (the grommunio cookie).
    Grommunio,
    /// `/api/2.0` (the ONLYOFFICE token).
    Onlyoffice,
}

impl Audience {
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Grommunio => "grommunio",
            Audience::Onlyoffice => "onlyoffice",
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub uid: i64,
    /// The surface ([`Audience`]).
    pub aud: String,
    /// The account's session generation when the token was issued.
    pub gen: i64,
    pub iat: i64,
    pub exp: i64,
}

/// An administrator account behind a request.
#[derive(Clone, Debug)]
pub struct Admin {
    pub account_id: i64,
    pub name: String,
    pub role: Role,
    /// How it authenticated (for the audit log).
    pub via: Via,
}

/// How a principal authenticated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// A login session (the grommunio cookie or the ONLYOFFICE token).
    Session,
    /// An API token.
    ApiToken,
}

impl Via {
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Session => "session",
            Via::ApiToken => "api-token",
        }
    }
}

/// Who made an authenticated request.
#[derive(Clone, Debug)]
pub enum Principal {
    /// An administrator account: through a session of the system surface, or
    /// a platform API token.
    Admin(Admin),
    /// A manager, through its own API token: it sees only itself and what
    /// is assigned to it.
    Manager { id: i64 },
}

impl Principal {
    /// Writes of the system surface need a full system administrator.
    pub fn require_admin(&self) -> Result<(), Problem> {
        match self {
            Principal::Admin(Admin { role: Role::Admin, .. }) => Ok(()),
            _ => Err(Problem::Forbidden("SystemAdminPermission required".into())),
        }
    }

    /// Platform-wide writes of the managers surface: an admin account's token.
    pub fn require_platform_writer(&self) -> Result<(), Problem> {
        match self {
            Principal::Admin(Admin { role: Role::Admin, .. }) => Ok(()),
            _ => Err(Problem::Forbidden("a platform administrator's token is required".into())),
        }
    }

    /// Whether this principal may see the manager `manager_id` and what is
    /// assigned to it.
    pub fn may_see(&self, manager_id: Option<i64>) -> bool {
        match self {
            Principal::Admin(_) => true,
            Principal::Manager { id } => manager_id == Some(*id),
        }
    }

    /// The manager a manager's token is scoped to.
    pub fn manager_scope(&self) -> Option<i64> {
        match self {
            Principal::Manager { id } => Some(*id),
            Principal::Admin(_) => None,
        }
    }
}

/// The account behind an API token.
fn admin_of(conn: &mut crate::db::Conn, account_id: i64) -> crate::db::DbResult<Admin> {
    let account = accounts::find_by_id(conn, account_id)?
        .ok_or_else(|| Problem::Unauthenticated("Account no longer exists".into()))?;
    let role = account.role().ok_or_else(|| Problem::Unauthenticated("Account has no valid role".into()))?;
    Ok(Admin { account_id: account.id, name: account.name, role, via: Via::ApiToken })
}

/// Looks the session's account up: it must still exist, under the same
/// name, and not have had its sessions revoked since the token was issued.
pub async fn principal_for(pool: &Pool, claims: Claims) -> Result<Principal, Problem> {
    db::lookup(pool, move |conn| {
        let account = accounts::find_by_id(conn, claims.uid)?
            .filter(|a| a.name == claims.sub)
            .ok_or_else(|| Problem::Unauthenticated("Account no longer exists".into()))?;
        if account.session_generation != claims.gen {
            return Err(Problem::Unauthenticated("Session revoked".into()).into());
        }
        let role = account.role().ok_or_else(|| Problem::Unauthenticated("Account has no valid role".into()))?;
        Ok(Principal::Admin(Admin { account_id: account.id, name: account.name, role, via: Via::Session }))
    })
    .await
}

/// The principal of an API token; an unknown or revoked token, or one of an
/// inactive manager, is unauthenticated.
pub async fn principal_for_token(pool: &Pool, token: String) -> Result<Principal, Problem> {
    db::lookup(pool, move |conn| {
        let unauthorized = || Problem::Unauthenticated("Invalid API token".into());
        match crate::tokens::verify(conn, &token)?.ok_or_else(unauthorized)? {
            crate::tokens::Owner::Account(id) => Ok(Principal::Admin(admin_of(conn, id)?)),
            crate::tokens::Owner::Manager(id) => {
                let active: Option<String> = crate::schema::managers::table
                    .find(id)
                    .select(crate::schema::managers::status)
                    .get_result(conn)
                    .optional()?;
                match active.as_deref().map(str::parse) {
                    Some(Ok(ManagerStatus::Active)) => Ok(Principal::Manager { id }),
                    _ => Err(unauthorized().into()),
                }
            }
        }
    })
    .await
}
