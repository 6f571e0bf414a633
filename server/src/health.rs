//! The health probes: `GET /health/live` (the process answers) and
//! `GET /health/ready` (the database answers, fully migrated). Both are
//! unauthenticated, so they take no principal.

use hostadmin_api::types::{Health, HealthStatus};
use hostadmin_api::wire::Problem;

use crate::db::{self, Pool};

/// The process is up: answering is the whole check.
pub fn live() -> Health {
    Health { status: HealthStatus::Ok }
}

/// The database answers and has every migration applied; 503 otherwise.
pub async fn ready(pool: &Pool) -> Result<Health, Problem> {
    db::run(pool, db::check_ready).await?;
    Ok(Health { status: HealthStatus::Ok })
}
