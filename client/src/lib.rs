//! # hostadmin-client
//!
//! A Rust client for hostadmin, generated at build time by Progenitor from
//! the same `spec/openapi.yaml` the server is generated from, so the two
//! cannot disagree. It depends on neither Dropshot nor the server.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use hostadmin_client::Client;
//!
//! // Log in: the answer holds the session JWT and its CSRF token.
//! let anonymous = Client::new("http://127.0.0.1:8080");
//! let session = anonymous.login().body(hostadmin_client::types::LoginForm {
//!     user: "admin".try_into()?,
//!     pass: "secret".try_into()?,
//! }).send().await?.into_inner();
//!
//! // Every later request carries them: see `session_client`.
//! let client = hostadmin_client::session_client("http://127.0.0.1:8080", &session)?;
//! let servers = client.server_list().limit(10).send().await?.into_inner();
//! println!("{} servers", servers.count);
//! # Ok(()) }
//! ```

#[allow(clippy::all, clippy::pedantic, unused_imports, dead_code, missing_docs)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/client.rs"));
}

pub use generated::*;

/// A client that sends a system-surface session with every request: the
/// JWT as cookie `grommunioAuthJwt` and the CSRF token as `X-Csrf-Token`
/// (which the server requires on every request that is not a GET).
pub fn session_client(baseurl: &str, session: &types::LoginResult) -> Result<Client, reqwest::Error> {
    let mut headers = reqwest::header::HeaderMap::new();
    let cookie = format!("grommunioAuthJwt={}", session.grommunio_auth_jwt);
    headers.insert(
        reqwest::header::COOKIE,
        reqwest::header::HeaderValue::from_str(&cookie).expect("a JWT is a valid header value"),
    );
    headers.insert(
        "X-Csrf-Token",
        reqwest::header::HeaderValue::from_str(&session.csrf).expect("a CSRF token is a valid header value"),
    );
    let http = reqwest::Client::builder().default_headers(headers).build()?;
    Ok(Client::new_with_client(baseurl, http))
}

/// A client that sends an API token (`X-Api-Token`) with every request, as
/// the managers surface requires.
pub fn token_client(baseurl: &str, token: &str) -> Result<Client, reqwest::Error> {
    let mut headers = reqwest::header::HeaderMap::new();
    let mut value = reqwest::header::HeaderValue::from_str(token).expect("a token is a valid header value");
    value.set_sensitive(true);
    headers.insert("X-Api-Token", value);
    let http = reqwest::Client::builder().default_headers(headers).build()?;
    Ok(Client::new_with_client(baseurl, http))
}
