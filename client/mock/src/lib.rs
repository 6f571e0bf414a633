//! # hostadmin-client-mock
//!
//! Typed [`httpmock`] expectations for code that calls hostadmin through
//! `hostadmin-client`, so that its tests need no hostadmin: one method per
//! operation on [`httpmock::MockServer`] (trait [`MockServerExt`]), whose
//! `when` takes the operation's parameters and body in the client's own
//! types and whose `then` has one method per response the spec lists
//! (`ok`, `created`, `not_found`, ...), each taking that response's type.
//! Generated at build time from `spec/openapi.yaml`, like the client, so a
//! mock cannot answer in a shape the service would not.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use hostadmin_client_mock::MockServerExt;
//!
//! let server = httpmock::MockServer::start_async().await;
//! let mock = server.server_get(|when, then| {
//!     when.id(7);
//!     then.not_found(&hostadmin_client::types::SystemError {
//!         message: "Server 7 not found".into(),
//!         error: None,
//!         errors: vec![],
//!     });
//! });
//! let client = hostadmin_client::Client::builder(&server.base_url()).build()?;
//! // ... the code under test calls `client` ...
//! mock.assert_async().await;
//! # Ok(()) }
//! ```
//!
//! The expectations do not check credentials: a mock answers whoever asks.
//! `into_inner()` gives httpmock's own `When`/`Then` for anything else.

#[allow(clippy::all, clippy::pedantic, unused_imports, dead_code, missing_docs)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/mock.rs"));
}

pub use generated::*;
