//! Principals already checked, kept for the next request that brings the
//! same credential, for as long as nothing has been committed since.
//!
//! Checking a credential costs a signature (sessions) or a hash (API
//! tokens) and a read of the account, token or manager behind it: a read
//! transaction, as long as the lookup the request came for. Most requests
//! repeat a credential checked a moment before, so the principal found is
//! kept with the database's [`Stamp`] read *before* that check; a later
//! request uses it only while the stamp is unchanged, that is while no
//! transaction has committed anywhere (this process, the CLI, any other
//! tool on the file): an account deleted, demoted or whose sessions were
//! revoked, a token revoked, a manager deactivated are all commits, so each
//! takes effect at the next request exactly as without the cache. A commit
//! of anything else costs the next request of each credential one full
//! check. Expiry is checked on every use.
//!
//! Only SQLite stamps its commits ([`crate::db::Pool::change_stamp`]); on
//! PostgreSQL, whose replicas commit elsewhere, every request is checked in
//! full. Entries are found by the SHA-256 of the credential, so that no
//! presented credential is ever compared with a stored one, and at most
//! [`MOST`] are kept per kind of credential (only credentials that passed
//! the full check are kept, so a flood of guesses adds nothing).

use std::collections::HashMap;
use std::sync::RwLock;

use sha2::{Digest, Sha256};

use super::Principal;
use crate::db::Stamp;

/// What a credential is: the same string means nothing across kinds.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// The system surface's session cookie.
    GrommunioSession,
    /// The groups surface's session token.
    OnlyofficeSession,
    /// An API token of the managers surface.
    ApiToken,
}

/// Most entries per kind; past it, entries of older stamps or expired go,
/// and if that is not enough, all.
pub const MOST: usize = 4096;

struct Entry {
    principal: Principal,
    /// Unix time after which the credential is no longer valid.
    expires: i64,
    stamp: Stamp,
}

type Digest32 = [u8; 32];

/// The checked principals, per kind of credential.
#[derive(Default)]
pub struct Principals {
    kinds: [RwLock<HashMap<Digest32, Entry>>; 3],
}

impl std::fmt::Debug for Principals {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Principals(..)")
    }
}

fn digest(credential: &str) -> Digest32 {
    Sha256::digest(credential.as_bytes()).into()
}

impl Principals {
    fn map(&self, kind: Kind) -> &RwLock<HashMap<Digest32, Entry>> {
        &self.kinds[kind as usize]
    }

    /// The principal of `credential`, if it was checked under `stamp` (the
    /// database as it is now) and is still valid at `now`.
    pub fn get(&self, kind: Kind, credential: &str, stamp: Option<Stamp>, now: i64) -> Option<Principal> {
        let stamp = stamp?;
        let key = digest(credential);
        let map = self.map(kind).read().unwrap_or_else(|e| e.into_inner());
        let entry = map.get(&key)?;
        (entry.stamp == stamp && now < entry.expires).then(|| entry.principal.clone())
    }

    /// Keeps `principal`, found for `credential` by a full check that began
    /// at `stamp` (read before the check, so that a commit during it makes
    /// the entry stale at once).
    pub fn insert(&self, kind: Kind, credential: &str, principal: &Principal, expires: i64, stamp: Option<Stamp>) {
        let Some(stamp) = stamp else { return };
        let key = digest(credential);
        let mut map = self.map(kind).write().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MOST && !map.contains_key(&key) {
            let now = crate::accounts::now_unix();
            map.retain(|_, e| e.stamp == stamp && now < e.expires);
            if map.len() >= MOST {
                map.clear();
            }
        }
        map.insert(key, Entry { principal: principal.clone(), expires, stamp });
    }
}
