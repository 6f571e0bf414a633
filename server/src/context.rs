//! The state every request shares: Dropshot's server context.
//!
//! It is built from a [`Config`] and read by the trait implementation in
//! [`crate::service`], by [`crate::credentials`] and by the two extra
//! endpoints of [`crate::startup`]. It knows nothing of any of them, so it
//! sits below them all in the module graph.

use crate::auth::SigningKey;
use crate::config::Config;
use crate::db::{self, Pool};
use crate::metrics::Metrics;
use crate::passwords::Checkers;
use crate::throttle::Throttle;

/// State shared by every request.
pub struct Service {
    pub pool: Pool,
    /// Present when metrics are on.
    pub metrics: Option<Metrics>,
    /// Failed-login counts, per user name and client address.
    pub(crate) throttle: Throttle,
    /// The threads that check password hashes.
    pub(crate) passwords: Checkers,
    /// Signs and checks session tokens and their CSRF tokens.
    pub(crate) key: SigningKey,
    /// Principals checked since the last commit.
    pub(crate) principals: crate::auth::cache::Principals,
    /// How long a session lasts, in seconds.
    pub(crate) session_ttl_secs: i64,
    /// CORS, when origins are configured.
    pub(crate) cors: Option<hostadmin_api::wire::CorsPolicy>,
    /// Served over TLS: the session cookie is marked `Secure`.
    pub(crate) tls: bool,
    /// How long audit entries are kept.
    pub(crate) audit: std::sync::Arc<crate::audit::Retention>,
}

impl Service {
    /// Opens (and migrates) the database and loads or creates the signing key.
    pub fn new(config: &Config) -> anyhow::Result<Self> {
        let pool = db::open(&config.database, &config.db)?;
        let key = match &config.jwt_key {
            Some(k) => SigningKey::from_config(k)?,
            None => SigningKey::load_or_create(&pool)?,
        };
        let cors = match config.cors_origins.is_empty() {
            true => None,
            false => Some(
                hostadmin_api::wire::CorsPolicy::new(config.cors_origins.clone())
                    .map_err(|e| anyhow::anyhow!("cors_origins: {e}"))?,
            ),
        };
        Ok(Self {
            cors,
            pool,
            key,
            principals: Default::default(),
            session_ttl_secs: config.session_ttl.as_secs() as i64,
            tls: config.tls.is_some(),
            audit: std::sync::Arc::new(crate::audit::Retention::days(config.audit_retention_days)),
            throttle: Throttle::new(config.login_throttle.clone()),
            passwords: Checkers::start()?,
            metrics: config.metrics.then(Default::default),
        })
    }
}
