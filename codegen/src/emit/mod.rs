//! The emitters: each reads the [`model`](crate::model) and writes one part
//! of the API crate's generated code (`OUT_DIR/api.rs`).
//!
//! - [`types`]: the component schemas as Rust types, and their trait impls;
//! - [`params`]: each operation's parameter sets, with the runtime's tables;
//! - [`security`]: the `SecurityScheme` enum;
//! - [`api`]: the `HostadminApi` trait and the `Operation` enum;
//! - [`wire`]: the Dropshot `Wire` trait and its `Adapter`;
//! - [`routing`]: the unpublished endpoints that answer 404, 405 and
//!   `OPTIONS` in each surface's shape;
//! - [`xml`]: each component's XML layout (element order, required arrays).
//!
//! What the runtime needs per operation is data emitted here, once: the
//! validators' schemas already translated to JSON Schema, and parameter
//! defaults as typed constants.

mod api;
mod inputs;
mod params;
mod routing;
mod security;
mod types;
mod wire;
mod xml;

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

use crate::error::Error;
use crate::model::Spec;
use crate::schema::validation_components;
use inputs::{Inputs, Output};

/// Per-operation code, gathered for the traits.
#[derive(Default)]
struct Gathered {
    param_sets: TokenStream,
    api_methods: Vec<TokenStream>,
    endpoints: Vec<TokenStream>,
    adapters: Vec<TokenStream>,
}

fn gather(model: &Spec, types: &mut types::Types) -> Result<Gathered, Error> {
    let mut out = Gathered::default();
    for op in &model.operations {
        let inputs = Inputs::of(op, types)?;
        let output = Output::of(op, types)?;
        let error = types.component(&op.error_schema)?;
        let code = wire::operation(op, &inputs, &output, &error);
        out.api_methods.push(api::method(op, &inputs, &output));
        out.endpoints.push(code.endpoint);
        out.adapters.push(code.adapter);
        out.param_sets.extend(inputs.param_sets);
    }
    Ok(out)
}

/// The constants the runtime reads: the spec as served, and the component
/// schemas the validators resolve against, translated.
fn runtime_data(spec: &Value) -> TokenStream {
    let spec_json = spec.to_string();
    let components = validation_components(spec).to_string();
    quote! {
        /// The spec, as JSON: what `GET /openapi.json` serves.
        pub const SPEC_JSON: &str = #spec_json;

        /// The spec's component schemas translated to JSON Schema at build
        /// time: what every validator resolves `$ref`s against.
        const VALIDATION_COMPONENTS_JSON: &str = #components;

        static VALIDATION_COMPONENTS: crate::wire::LazyDocument =
            crate::wire::LazyDocument::new(VALIDATION_COMPONENTS_JSON);
    }
}

/// All of `api.rs`, as tokens.
pub fn api_tokens(spec: &Value, model: &Spec) -> Result<TokenStream, Error> {
    let mut types = types::Types::new(model)?;
    let impls = types::component_impls(model, &mut types)?;
    let gathered = gather(model, &mut types)?;
    let (runtime, type_code) = (runtime_data(spec), types.code());
    let schemes = security::scheme_enum(&model.security_schemes);
    let api_trait = api::api_trait(&gathered.api_methods);
    let operation_enum = api::operation_enum(model);
    let wire_trait = wire::wire_trait(&gathered.endpoints, &gathered.adapters);
    let routing = routing::routing_endpoints(model, &mut types)?;
    let request_headers = routing::request_headers(model);
    let param_sets = gathered.param_sets;
    let xml_layouts = xml::layouts(model);
    Ok(quote! {
        #runtime

        /// The spec's component schemas, as Rust types.
        pub mod types {
            #type_code
        }
        pub use types::*;

        #impls
        #xml_layouts
        #schemes
        #param_sets
        #api_trait
        #operation_enum
        #wire_trait
        #routing
        #request_headers
    })
}

/// All of `api.rs`, formatted.
pub fn api_source(spec: &Value, model: &Spec) -> Result<String, Error> {
    let tokens = api_tokens(spec, model)?;
    let file = syn::parse2::<syn::File>(tokens).expect("the emitted code parses");
    Ok(prettyplease::unparse(&file))
}
