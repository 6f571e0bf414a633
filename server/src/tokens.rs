//! API tokens of the managers surface.
//!
//! A token reads `hat_<id>_<secret>`: the id finds the row, the secret (32
//! random bytes) is checked against its SHA-256, compared in constant time.
//! A fast hash is right here, unlike for passwords: the secret is random and
//! long, so there is nothing to guess that a slow hash would protect.

use crate::db::Conn;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use diesel::prelude::*;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::accounts::now_unix;
use crate::schema::{accounts, api_tokens, managers};

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = api_tokens)]
pub struct TokenRow {
    pub id: i64,
    pub label: String,
    pub secret_hash: String,
    pub account_id: Option<i64>,
    pub manager_id: Option<i64>,
    pub created_at: i64,
}

/// Whose a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    Account(i64),
    Manager(i64),
}

fn hash(secret: &str) -> String {
    B64.encode(Sha256::digest(secret.as_bytes()))
}

/// Creates a token and returns it in clear: the only time it is shown.
pub fn create(conn: &mut Conn, owner: Owner, label: &str) -> anyhow::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    let secret = B64.encode(bytes);
    let (account_id, manager_id) = match owner {
        Owner::Account(id) => (Some(id), None),
        Owner::Manager(id) => (None, Some(id)),
    };
    let id: i64 = diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::label.eq(label),
            api_tokens::secret_hash.eq(hash(&secret)),
            api_tokens::account_id.eq(account_id),
            api_tokens::manager_id.eq(manager_id),
            api_tokens::created_at.eq(now_unix()),
        ))
        .returning(api_tokens::id)
        .get_result(conn)?;
    Ok(format!("hat_{id}_{secret}"))
}

/// A token's id and secret, if it reads `hat_<id>_<secret>`.
fn parts(token: &str) -> Option<(i64, &str)> {
    let (id, secret) = token.strip_prefix("hat_")?.split_once('_')?;
    Some((id.parse().ok()?, secret))
}

/// The id of a token (what `token list` shows and `token revoke` takes).
pub fn id_of(token: &str) -> Option<i64> {
    parts(token).map(|(id, _)| id)
}

/// The owner of a presented token, if it is one of ours and not revoked.
pub fn verify(conn: &mut Conn, presented: &str) -> QueryResult<Option<Owner>> {
    let Some((id, secret)) = parts(presented) else { return Ok(None) };
    let Some(row) = api_tokens::table.find(id).select(TokenRow::as_select()).get_result(conn).optional()? else {
        return Ok(None);
    };
    if !bool::from(hash(secret).as_bytes().ct_eq(row.secret_hash.as_bytes())) {
        return Ok(None);
    }
    Ok(match (row.account_id, row.manager_id) {
        (Some(a), _) => Some(Owner::Account(a)),
        (_, Some(m)) => Some(Owner::Manager(m)),
        _ => None,
    })
}

/// Every token: (id, label, owner shown as account name or manager code, created).
pub fn list(conn: &mut Conn) -> QueryResult<Vec<(i64, String, String, i64)>> {
    let rows: Vec<(TokenRow, Option<String>, Option<String>)> = api_tokens::table
        .left_join(accounts::table)
        .left_join(managers::table)
        .select((TokenRow::as_select(), accounts::name.nullable(), managers::code.nullable()))
        .order(api_tokens::id)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(t, account, manager)| {
            let owner = match (account, manager) {
                (Some(a), _) => format!("user {a}"),
                (_, Some(m)) => format!("manager {m}"),
                _ => "nobody".into(),
            };
            (t.id, t.label, owner, t.created_at)
        })
        .collect())
}

/// Revokes (deletes) a token; whether it existed.
pub fn revoke(conn: &mut Conn, id: i64) -> QueryResult<bool> {
    Ok(diesel::delete(api_tokens::table.find(id)).execute(conn)? == 1)
}
