//! Credentials, and a client that carries the ones the chosen operation
//! needs. hostadmin speaks three surfaces with three kinds of credentials:
//! the system surface (`/api/v1`) a grommunio session (cookie
//! `grommunioAuthJwt`, plus `X-Csrf-Token` on writes), the managers surface
//! (`/api`) an API token in `X-Api-Token`, the groups and people surface
//! (`/api/2.0`) an ONLYOFFICE token in `Authorization`. The spec says which
//! an operation accepts (its `security`, tabulated by `build.rs`), so one
//! invocation logs in at most once, and only to the surface it calls.
//!
//! Logging in and placing each credential is the client builder's work
//! (`hostadmin_client::Client::builder`); this module decides which
//! credentials a command gets, and says what is missing.

use std::time::Duration;

use anyhow::{bail, Context as _};
use hostadmin_client::Client;

/// Where the service is and who calls it, from flags and the environment.
#[derive(Clone, Default)]
pub struct Credentials {
    /// The service's base URL (`HOSTADMIN_URL`), e.g. `http://127.0.0.1:8080`.
    pub url: String,
    /// An API token for the managers surface (`HOSTADMIN_TOKEN`).
    pub token: Option<String>,
    /// An account for a session login (`HOSTADMIN_USER`, `HOSTADMIN_PASSWORD`).
    pub user: Option<String>,
    pub password: Option<String>,
}

impl std::fmt::Debug for Credentials {
    // Never the secrets, should a credential end up in a log or a panic.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("url", &self.url)
            .field("token", &self.token.as_ref().map(|_| "<set>"))
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "<set>"))
            .finish()
    }
}

/// The kinds of credential an operation may accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// A system-surface session: log in with `POST /api/v1/login`.
    Session,
    /// `X-Api-Token`.
    ApiToken,
    /// An ONLYOFFICE token: log in with `POST /api/2.0/authentication`.
    Onlyoffice,
}

/// The spec's `security` of `operation_id`: alternatives, in the spec's
/// order; an empty alternative means no credentials at all.
pub fn requirements(operation_id: &str) -> Vec<Vec<Scheme>> {
    let alternatives = hostadmin_client::runtime::security(operation_id);
    if alternatives.is_empty() {
        return vec![vec![]];
    }
    alternatives
        .iter()
        .map(|names| {
            names
                .iter()
                .filter_map(|name| match *name {
                    "grommunioJwt" => Some(Scheme::Session),
                    // Part of the session: sent with it.
                    "csrfToken" => None,
                    "apiToken" => Some(Scheme::ApiToken),
                    "onlyofficeToken" => Some(Scheme::Onlyoffice),
                    other => panic!("the spec names a security scheme the CLI does not know: {other}"),
                })
                .collect()
        })
        .collect()
}

/// The first alternative the given credentials satisfy, or what is missing.
pub fn choose(operation_id: &str, credentials: &Credentials) -> anyhow::Result<Vec<Scheme>> {
    let alternatives = requirements(operation_id);
    let has = |scheme: &Scheme| match scheme {
        Scheme::ApiToken => credentials.token.is_some(),
        Scheme::Session | Scheme::Onlyoffice => credentials.user.is_some() && credentials.password.is_some(),
    };
    if let Some(chosen) = alternatives.iter().find(|alternative| alternative.iter().all(has)) {
        return Ok(chosen.clone());
    }
    let wanted: Vec<&str> = alternatives
        .iter()
        .map(|alternative| match alternative.first() {
            Some(Scheme::ApiToken) => "an API token (HOSTADMIN_TOKEN or --token-stdin)",
            Some(_) => "an account (--user or HOSTADMIN_USER, with HOSTADMIN_PASSWORD or --password-stdin)",
            None => "nothing",
        })
        .collect();
    bail!("{} needs {}", operation_id.replace('_', "-"), wanted.join(", or "))
}

/// A client for `operation_id` holding the credentials it needs, through
/// the client's builder: it logs in on the request itself (a failed login
/// is that request's answer, reported like any other) and only to the
/// surface the operation is on.
pub fn client_for(operation_id: &str, credentials: &Credentials) -> anyhow::Result<Client> {
    let mut builder = Client::builder(&credentials.url)
        .connect_timeout(Duration::from_secs(15))
        .timeout(Duration::from_secs(60))
        .user_agent(concat!("hostadmin-cli/", env!("CARGO_PKG_VERSION")));
    let user = credentials.user.as_deref().unwrap_or_default();
    let password = credentials.password.as_deref().unwrap_or_default();
    for scheme in choose(operation_id, credentials)? {
        builder = match scheme {
            Scheme::ApiToken => builder.api_token(credentials.token.as_deref().unwrap_or_default()),
            Scheme::Session => builder.login(user, password),
            Scheme::Onlyoffice => builder.onlyoffice_login(user, password),
        };
    }
    builder.build().context("cannot make a client")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(token: bool, account: bool) -> Credentials {
        Credentials {
            url: "http://127.0.0.1:1".into(),
            token: token.then(|| "hat_1_x".into()),
            user: account.then(|| "admin".into()),
            password: account.then(|| "pw".into()),
        }
    }

    #[test]
    fn each_surface_gets_its_own_credentials() {
        assert_eq!(choose("server_list", &with(true, true)).unwrap(), [Scheme::Session]);
        assert_eq!(choose("manager_list", &with(true, true)).unwrap(), [Scheme::ApiToken]);
        assert_eq!(choose("group_list", &with(true, true)).unwrap(), [Scheme::Onlyoffice]);
        assert_eq!(choose("health_live", &with(false, false)).unwrap(), []);
    }

    #[test]
    fn alternatives_take_what_is_given() {
        // The audit log takes a session or a platform token.
        assert_eq!(choose("audit_list", &with(true, false)).unwrap(), [Scheme::ApiToken]);
        assert_eq!(choose("audit_list", &with(false, true)).unwrap(), [Scheme::Session]);
        let missing = choose("audit_list", &with(false, false)).unwrap_err().to_string();
        assert!(missing.starts_with("audit-list needs an account"), "{missing}");
        assert!(missing.contains("or an API token"), "{missing}");
    }
}
