//! # hostadmin-client
//!
//! A Rust client for hostadmin, generated at build time by Progenitor from
//! the same `spec/openapi.yaml` the server is generated from, so the two
//! cannot disagree. It depends on neither Dropshot nor the server.
//!
//! Around the generated methods, the handwritten runtime gives one way in to
//! all three surfaces: [`Client::builder`] holds each surface's credentials
//! and every request gets those its operation's security names, logging in
//! lazily and again after a 401 ([`runtime`]); idempotent requests are
//! retried on 503, 429 and connection failures ([`retry`]); failures read as
//! the surface's typed error body ([`errors`]); and every list is a stream
//! ([`paging`]).
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use futures::TryStreamExt;
//!
//! let client = hostadmin_client::Client::builder("http://127.0.0.1:8080")
//!     .login("admin", "a-long-password-1")
//!     .build()?;
//! let servers: Vec<_> = client.server_list().limit(100).stream().try_collect().await?;
//! println!("{} servers", servers.len());
//! # Ok(()) }
//! ```

#[allow(clippy::all, clippy::pedantic, unused_imports, dead_code, missing_docs)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/client.rs"));
}

pub mod errors;
pub mod paging;
pub mod retry;
pub mod runtime;

pub use errors::{ApiError, ErrorExt, SurfaceError};
pub use generated::*;
pub use paging::ItemStream;
pub use retry::RetryPolicy;
pub use runtime::ClientBuilder;

/// A client that sends an existing system-surface session (the answer of
/// `login`) with the system surface's requests. It cannot log in again
/// when the session ends: prefer [`Client::builder`] with `.login(..)`.
///
/// As before the builder existed, it does not retry.
pub fn session_client(baseurl: &str, session: &types::LoginResult) -> Result<Client, runtime::BuildError> {
    Client::builder(baseurl).session(session.clone()).retries(RetryPolicy::none()).build()
}

/// A client that sends an API token (`X-Api-Token`) with the requests
/// whose security accepts one: `Client::builder(url).api_token(token)`,
/// without retries (as before the builder existed).
pub fn token_client(baseurl: &str, token: &str) -> Result<Client, runtime::BuildError> {
    Client::builder(baseurl).api_token(token).retries(RetryPolicy::none()).build()
}
