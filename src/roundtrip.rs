//! The round-trip check: the OpenAPI document that the generated Dropshot
//! interface really serves (`stub_api_description()`) against the spec it was
//! generated from. The comparison itself, and its normalisations, are
//! [`hostadmin_codegen::roundtrip`]'s.

use serde_json::Value;

pub use hostadmin_codegen::roundtrip::{compare, operation_count};

/// The spec this crate was generated from.
pub fn spec() -> Value {
    serde_json::from_str(crate::SPEC_JSON).expect("the spec is JSON")
}

/// The OpenAPI document the generated Dropshot interface serves.
pub fn served() -> Value {
    let api = crate::stub_api_description().expect("the generated interface registers");
    let doc = api.openapi("hostadmin", dropshot::semver::Version::new(0, 1, 0));
    doc.json().expect("Dropshot renders its document")
}
