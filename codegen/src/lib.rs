//! # hostadmin-codegen: spec/openapi.yaml in, hostadmin's generated code out
//!
//! The work has three stages, and the crate has the same shape:
//!
//! 1. **Read the spec once into a typed model** ([`model`], parsed by
//!    `parse`): methods, parameter locations, media types, response kinds
//!    and security requirements are enums; `$ref`s are followed by the one
//!    resolver in [`refs`]. Everything the generator cannot express is
//!    refused *here*, as an [`Error`] naming the operation and the JSON
//!    pointer, so the build fails with a message rather than approximating.
//! 2. **Emit from the model** (`emit`, with the `generate` feature): the Rust
//!    types, the `HostadminApi` trait, the Dropshot `Wire` trait and its
//!    adapter, and the data the runtime reads per operation (validator
//!    schemas translated by [`schema`], parameter defaults as constants).
//! 3. **The other outputs of the same model**: the docs portal ([`docs`])
//!    and its request samples ([`samples`]), which the client's build also
//!    compiles. They read the operations as parsed, so the docs describe
//!    exactly what the server was generated from.
//!
//! The root `build.rs` parses once and calls [`api_source`] and
//! [`docs_source`]; the client's `build.rs` calls [`client_samples_source`].
//! Without the `generate` feature
//! the crate is the spec tooling the API crate also uses at run time
//! ([`refs`], [`schema`], [`roundtrip`]), with no typify or syn behind it.

pub mod client;
pub mod diff;
pub mod docs;
pub mod error;
pub mod model;
pub mod naming;
mod parse;
pub mod refs;
pub mod roundtrip;
pub mod samples;
pub mod schema;

#[cfg(feature = "generate")]
mod emit;

pub use error::{Error, Refusal};
pub use model::{parse, Spec};

/// The API crate's generated code (`OUT_DIR/api.rs`), formatted.
#[cfg(feature = "generate")]
pub fn api_source(spec: &Spec) -> Result<String, Error> {
    emit::api_source(&spec.document, spec)
}

/// The docs portal as Rust source (`OUT_DIR/docs.rs`): a `FILES` constant of
/// (path under the portal root, content) pairs; `history` gives the
/// changelog and the downloadable spec files.
pub fn docs_source(spec: &Spec, history: &docs::History) -> String {
    let entries: Vec<String> =
        docs::portal(spec, history).iter().map(|(path, content)| format!("({path:?}, {content:?})")).collect();
    format!(
        "/// The docs portal: (path under the portal root, content).\npub const FILES: &[(&str, &str)] = &[{}];\n",
        entries.join(",\n")
    )
}

pub use client::client_runtime_source;

/// The spec as Progenitor reads it, and the settings every Progenitor
/// generator over it uses — the client's, the CLI's and the mocks' build
/// scripts: the CLI and the mocks name the client's builders and types,
/// which these settings name, so the three must not differ.
#[cfg(feature = "progenitor")]
pub mod progenitor_input {
    /// `spec/openapi.yaml` read from `path` (relative to the calling build
    /// script's crate), with the `rerun-if-changed` line Cargo needs.
    pub fn spec(path: &str) -> openapiv3::OpenAPI {
        println!("cargo:rerun-if-changed={path}");
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {path}: {e}"));
        serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{path} is not OpenAPI 3.0: {e}"))
    }

    /// Builder interface, merged tags, `PartialEq` on every type.
    pub fn settings() -> progenitor::GenerationSettings {
        let mut settings = progenitor::GenerationSettings::default();
        settings
            .with_interface(progenitor::InterfaceStyle::Builder)
            .with_tag(progenitor::TagStyle::Merged)
            .with_derive("PartialEq");
        settings
    }
}

/// Every operation's Rust request sample as an async function
/// (`OUT_DIR/samples.rs` of the client), taking the server's URL and
/// credentials where the docs show placeholders and answering the status,
/// so that the client's tests compile what the docs show and run it.
pub fn client_samples_source(spec: &Spec) -> String {
    let values = samples::RustValues {
        base: "base".into(),
        user: "user".into(),
        password: "password".into(),
        api_token: "api_token".into(),
    };
    let mut functions = String::new();
    for operation in &spec.operations {
        let id = &operation.id;
        functions.push_str(&format!(
            "/// The docs' Rust sample for `{id}`: the status it was answered.\n#[allow(unused_variables)]\npub async fn sample_{id}(base: &str, user: &str, password: &str, api_token: &str) -> Result<u16, Box<dyn std::error::Error>> {{\n{}\nOk(status.as_u16())\n}}\n\n",
            samples::rust(operation, &values)
        ));
    }
    functions.push_str("/// Runs the sample of operation `id`.\npub async fn run(id: &str, base: &str, user: &str, password: &str, api_token: &str) -> Result<u16, Box<dyn std::error::Error>> {\nmatch id {\n");
    for operation in &spec.operations {
        let id = &operation.id;
        functions.push_str(&format!("{id:?} => sample_{id}(base, user, password, api_token).await,\n"));
    }
    functions.push_str("other => Err(format!(\"no sample for {other}\").into()),\n}\n}\n");
    functions
}
