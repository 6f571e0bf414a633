//! # The hostadmin service
//!
//! Implements the interface generated from `spec/openapi.yaml` (crate
//! `hostadmin-api`) over Diesel and SQLite. Modules follow the domain:
//!
//! - [`servers`]: system servers (the grommunio-style surface);
//! - [`managers`] and [`hosting`]: managers, hosting domains and Delivery
//!   domains and accounts (the Qboxmail-style surface); [`tokens`]: its API
//!   tokens; [`paging`]: list paging, search and generated codes;
//! - [`groups`] and [`people`]: groups and the people they hold (the
//!   ONLYOFFICE-style surface);
//! - [`accounts`] and [`auth`]: who may log in, sessions and CSRF tokens;
//!   [`passwords`]: their hashes, checked on threads of their own;
//! - [`db`]: the connection pool, pragmas and migrations; [`backup`]:
//!   online backup and offline restore;
//! - [`docs`]: the docs portal at `/docs/`, generated from the spec;
//! - [`service`]: shared state and the trait implementation that routes each
//!   operation to its domain module.

pub mod accounts;
pub mod auth;
pub mod backup;
pub mod db;
pub mod delivery_accounts;
pub mod delivery_domains;
pub mod docs;
pub mod domains;
pub mod groups;
pub mod managers;
pub mod metrics;
pub mod paging;
pub mod passwords;
pub mod people;
pub mod schema;
pub mod servers;
pub mod service;
pub mod settings;
pub mod throttle;
pub mod tokens;
pub mod unique;

pub use service::{start, Config, Service};
