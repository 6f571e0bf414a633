//! The runtime half of the generated interface.
//!
//! `build.rs` turns each operation of `spec/openapi.yaml` into a Dropshot
//! endpoint whose parameters are the extractors below and whose error type is
//! [`ErrorResponse`]. Everything here is generic: it knows nothing of servers,
//! managers or groups, only of what an OpenAPI operation can say.
//!
//! Two choices shape it:
//!
//! * **Extraction never fails early.** Dropshot runs extractors before the
//!   handler; if they rejected bad input themselves, a request with a bad body
//!   and no credentials would get a 400 where every surface documents a 401.
//!   So the extractors record what was wrong, and the generated adapter checks
//!   security first and then reports *every* problem of the request at once
//!   (path, query and body together).
//! * **The spec's schemas are the validators.** Request bodies and parameters
//!   are checked with `jsonschema` against the schemas of the spec itself
//!   (translated from OpenAPI 3.0's dialect), so `pattern`, `maxLength`,
//!   `minimum`, `enum`, `required` and `additionalProperties: false` mean
//!   exactly what the document says, and no handwritten check restates them.
//!
//! One file per concern, the way Dropshot keeps one extractor per file:
//! [`errors`], [`params`], [`bodies`], [`security`], [`accept`] (content
//! negotiation), [`xml`], [`schema`] (validation), [`router`] (404, 405 and
//! `OPTIONS` in each surface's shape) and [`cors`]. Everything is re-exported here, so callers say
//! `hostadmin_api::wire::Problem`.

pub mod accept;
pub mod bodies;
pub mod cors;
pub mod errors;
pub mod params;
pub mod router;
pub mod schema;
pub mod security;
pub mod xml;

pub use bodies::*;
pub use cors::*;
pub use errors::*;
pub use params::*;
pub use router::*;
pub use schema::*;
pub use security::*;
pub use xml::*;
