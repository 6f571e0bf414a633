//! How to run the service: the one value [`crate::startup::start`] needs.
//!
//! A module of its own so that everything that reads the configuration
//! (settings resolution, the logger, the shared state, startup, the
//! benchmark's framework ceiling) depends on this small type and on nothing
//! that serves requests.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::db::{DbOptions, Location};
use crate::throttle;

/// The largest request body accepted by default: 512 KiB.
///
/// It must fit the largest body the spec allows, or a request that matches
/// the spec would be refused: that is a group's `members`, up to 10,000
/// GUIDs (`maxItems`), about 390 KB as compact JSON and 480 KB pretty-printed
/// with an indent of 8, plus the name. A body over it is answered 413 in the
/// surface's shape (`server/tests/http.rs` sends both).
pub const MAX_BODY_BYTES: usize = 512 * 1024;

/// How to run the service.
#[derive(Clone, Debug)]
pub struct Config {
    pub bind: SocketAddr,
    pub database: Location,
    pub db: DbOptions,
    /// A configured JWT key (base64); without one, a key is generated once
    /// and kept in the database.
    pub jwt_key: Option<String>,
    pub session_ttl: Duration,
    pub log_level: dropshot::ConfigLoggingLevel,
    /// Largest request body accepted, in bytes (see [`MAX_BODY_BYTES`]).
    pub max_body_bytes: usize,
    /// Failed-login throttling.
    pub login_throttle: throttle::Policy,
    /// Serve HTTPS with this PEM certificate chain and PKCS #8 key.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// Count requests and serve them at `GET /metrics`.
    pub metrics: bool,
    /// Log as JSON (bunyan) lines instead of the human format.
    pub log_json: bool,
    /// Origins whose pages may call the API from a browser (CORS); none by
    /// default.
    pub cors_origins: Vec<String>,
    /// How many days audit entries are kept.
    pub audit_retention_days: u32,
    /// A connection whose client sends nothing for this long after it was
    /// accepted is closed (see [`crate::idle`]).
    pub idle_timeout: Duration,
}

impl Config {
    /// The defaults, listening on `bind` over `database`.
    pub fn new(bind: SocketAddr, database: Location) -> Self {
        Self {
            bind,
            database,
            db: DbOptions::default(),
            jwt_key: None,
            session_ttl: Duration::from_secs(8 * 3600),
            log_level: dropshot::ConfigLoggingLevel::Info,
            max_body_bytes: MAX_BODY_BYTES,
            login_throttle: Default::default(),
            tls: None,
            metrics: false,
            log_json: false,
            cors_origins: Vec::new(),
            audit_retention_days: 365,
            idle_timeout: Duration::from_secs(30),
        }
    }
}
