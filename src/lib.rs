//! # hostadmin's HTTP contract
//!
//! Everything in this crate comes from `spec/openapi.yaml`. `build.rs` reads
//! the spec and generates, into `OUT_DIR`:
//!
//! - the spec's schemas as Rust types ([`types`]);
//! - [`HostadminApi`], the trait the service implements, one method per
//!   operation, with inputs already authenticated and validated;
//! - [`Wire`], the `#[dropshot::api_description]` trait Dropshot serves,
//!   and [`Adapter`], which connects the two.
//!
//! Adding an operation to the spec adds a method to [`HostadminApi`]; the
//! server does not build until it implements it.
//!
//! The one hand-written runtime is [`wire`] (extractors and error plumbing
//! that know nothing of any surface), and one module per surface holding the
//! notes on wire compatibility and that surface's error convention:
//! [`servers`], [`managers`], [`groups`].

/// The static docs portal generated from the spec (see `hostadmin_codegen::docs`),
/// served by the service at `/docs/` and written out by `cargo xtask docs`.
pub mod docs {
    include!(concat!(env!("OUT_DIR"), "/docs.rs"));

    /// The content type of a portal file, by its extension.
    pub fn content_type(path: &str) -> &'static str {
        match path.rsplit('.').next() {
            Some("html") => "text/html; charset=utf-8",
            Some("css") => "text/css; charset=utf-8",
            Some("js") => "text/javascript; charset=utf-8",
            Some("yaml") => "application/yaml; charset=utf-8",
            _ => "application/octet-stream",
        }
    }
}
#[doc(hidden)]
pub mod fuzzing;
pub mod groups;
pub mod managers;
pub mod roundtrip;
pub mod servers;
pub mod wire;

#[allow(clippy::all, clippy::pedantic, missing_docs, unused_imports, dead_code)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/api.rs"));
}

pub use generated::*;
