//! The spec's component schemas as Rust types (by typify), and the trait
//! impls the runtime needs on them: `JsonSchema` returning the spec's own
//! schema, `Envelope` for bodies that carry their status, `RequestBody` for
//! bodies the server reads.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::{json, Value};

use crate::error::Error;
use crate::model::{is_envelope, read_only_properties, request_components, Spec};
use crate::naming::type_name;
use crate::refs;
use crate::schema::to_json_schema;

/// typify's type space over the spec's components.
pub(crate) struct Types {
    space: typify::TypeSpace,
}

fn schema_error(name: &str, pointer: String, message: impl ToString) -> Error {
    Error::Schema { schema: name.to_string(), pointer, message: message.to_string() }
}

fn component_pointer(name: &str) -> String {
    format!("/components/schemas/{}", refs::escape(name))
}

/// The schema without its top-level read-only properties: what a request
/// body's Rust type holds (read-only fields are checked, never read).
fn without_read_only(schema: &Value) -> Value {
    let read_only = read_only_properties(schema);
    let mut schema = schema.clone();
    if let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        props.retain(|name, _| !read_only.contains(name));
    }
    if let Some(required) = schema.get_mut("required").and_then(Value::as_array_mut) {
        required.retain(|r| !read_only.iter().any(|n| Some(n.as_str()) == r.as_str()));
    }
    schema
}

impl Types {
    pub(crate) fn new(spec: &Spec) -> Result<Self, Error> {
        let mut settings = typify::TypeSpaceSettings::default();
        settings.with_struct_builder(false).with_derive("PartialEq".to_string());
        let mut space = typify::TypeSpace::new(&settings);
        let request = request_components(spec);
        let defs = spec
            .schemas
            .iter()
            .map(|(name, schema)| {
                let schema = if request.contains(name) { without_read_only(schema) } else { schema.clone() };
                let schema: schemars::schema::Schema = serde_json::from_value(to_json_schema(&schema))
                    .map_err(|e| schema_error(name, component_pointer(name), e))?;
                Ok((name.clone(), schema))
            })
            .collect::<Result<Vec<_>, Error>>()?;
        space.add_ref_types(defs).map_err(|e| schema_error("(components)", "/components/schemas".into(), e))?;
        Ok(Self { space })
    }

    /// The Rust type of the component `name`.
    pub(crate) fn component(&mut self, name: &str) -> Result<TokenStream, Error> {
        self.type_of(&json!({ "$ref": format!("#/components/schemas/{name}") }), name, component_pointer(name))
    }

    /// The Rust type for a schema: a component by `$ref`, or an inline
    /// schema named `name_hint`.
    pub(crate) fn type_of(&mut self, schema: &Value, name_hint: &str, pointer: String) -> Result<TokenStream, Error> {
        let schema: schemars::schema::Schema =
            serde_json::from_value(to_json_schema(schema)).map_err(|e| schema_error(name_hint, pointer.clone(), e))?;
        let id = self
            .space
            .add_type_with_name(&schema, Some(name_hint.to_string()))
            .map_err(|e| schema_error(name_hint, pointer.clone(), e))?;
        let ty = self.space.get_type(&id).map_err(|e| schema_error(name_hint, pointer, e))?;
        Ok(ty.ident())
    }

    /// Every type added so far.
    pub(crate) fn code(&self) -> TokenStream {
        self.space.to_stream()
    }
}

/// The trait impls on component types, for every component.
pub(crate) fn component_impls(spec: &Spec, types: &mut Types) -> Result<TokenStream, Error> {
    let mut out = TokenStream::new();
    for (name, schema) in &spec.schemas {
        out.extend(json_schema_impl(name, schema)?);
    }
    for (name, _) in spec.schemas.iter().filter(|(_, schema)| is_envelope(schema)) {
        out.extend(envelope_impl(name));
    }
    for name in &request_components(spec) {
        out.extend(request_body_impl(name, &spec.schemas[name], types)?);
    }
    Ok(out)
}

/// `impl JsonSchema` returning the spec's own schema for a component, so the
/// served document says what the spec says (typify's derive would lose
/// `pattern`, `maxLength` and `readOnly`, and rename inline enums).
fn json_schema_impl(name: &str, schema: &Value) -> Result<TokenStream, Error> {
    let ident = format_ident!("{}", type_name(name));
    let mut refs = BTreeSet::new();
    collect_component_refs(schema, &mut refs);
    let refs = refs.iter().map(|r| format_ident!("{}", type_name(r)));
    let text = serde_json::to_string(schema).map_err(|e| schema_error(name, component_pointer(name), e))?;
    let g = if schema_has_refs(schema) { format_ident!("g") } else { format_ident!("_g") };
    Ok(quote! {
        impl ::schemars::JsonSchema for #ident {
            fn schema_name() -> String {
                #name.to_string()
            }
            fn json_schema(#g: &mut ::schemars::r#gen::SchemaGenerator) -> ::schemars::schema::Schema {
                #(g.subschema_for::<#refs>();)*
                ::serde_json::from_str(#text).expect("component schema from the spec")
            }
        }
    })
}

fn schema_has_refs(schema: &Value) -> bool {
    let mut refs = BTreeSet::new();
    collect_component_refs(schema, &mut refs);
    !refs.is_empty()
}

/// Every component a schema refers to, at any depth.
fn collect_component_refs(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(map) => {
            out.extend(refs::component_name(v).map(str::to_string));
            map.values().for_each(|c| collect_component_refs(c, out));
        }
        Value::Array(items) => items.iter().for_each(|c| collect_component_refs(c, out)),
        _ => {}
    }
}

fn envelope_impl(name: &str) -> TokenStream {
    let ident = format_ident!("{}", type_name(name));
    quote! {
        impl crate::wire::Envelope for #ident {
            fn set_status_code(&mut self, status: u16) {
                self.status_code = status.into();
            }
        }
    }
}

/// `impl RequestBody`: the read-only fields, and a validator compiled once
/// from the schema the build already translated.
fn request_body_impl(name: &str, schema: &Value, types: &mut Types) -> Result<TokenStream, Error> {
    let ident = types.component(name)?;
    let read_only = read_only_properties(schema);
    let translated = to_json_schema(&json!({ "$ref": format!("#/components/schemas/{name}") })).to_string();
    Ok(quote! {
        impl crate::wire::RequestBody for #ident {
            const READ_ONLY: &'static [&'static str] = &[#(#read_only),*];
            fn validator() -> &'static ::jsonschema::Validator {
                static VALIDATOR: crate::wire::LazyValidator = crate::wire::LazyValidator::new(|| {
                    crate::wire::compile_translated(VALIDATION_COMPONENTS.get(), #translated)
                });
                VALIDATOR.get()
            }
        }
    })
}
