//! The spec-to-Dropshot generator used by `build.rs`.
//!
//! It reads the spec as plain JSON (after YAML parsing) rather than through a
//! typed OpenAPI model: it needs the schemas verbatim anyway, to hand them to
//! typify, to the validators and to the served document.

pub mod docs;
pub mod samples;

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::{json, Map, Value};

type Result<T> = std::result::Result<T, String>;

const METHODS: &[&str] = &["get", "put", "post", "delete", "patch"];

pub fn generate(spec: &Value) -> Result<TokenStream> {
    let version = spec.get("openapi").and_then(Value::as_str).unwrap_or("");
    if !version.starts_with("3.0.") {
        return Err(format!("openapi must be 3.0.x (Progenitor reads no other), found {version:?}"));
    }
    let schemas = spec.pointer("/components/schemas").and_then(Value::as_object).cloned().unwrap_or_default();
    let operations = collect_operations(spec)?;

    // Components used as request bodies get their read-only properties
    // removed from the Rust type: the server never reads them from the body
    // (they are checked against stored values instead).
    let request_components: BTreeSet<String> =
        operations.iter().filter_map(|op| op.body.as_ref()).filter_map(|b| b.component.clone()).collect();

    let mut types = TypeSpace::new(&schemas, &request_components)?;

    let spec_json = serde_json::to_string(spec).map_err(|e| e.to_string())?;

    let mut schema_impls = Vec::new();
    for (name, schema) in &schemas {
        schema_impls.push(json_schema_impl(name, schema, &types)?);
    }
    for (name, schema) in &schemas {
        if is_envelope(schema) {
            let ident = format_ident!("{}", rust_type_name(name));
            schema_impls.push(quote! {
                impl crate::wire::Envelope for #ident {
                    fn set_status_code(&mut self, status: u16) {
                        self.status_code = status.into();
                    }
                }
            });
        }
    }
    for name in &request_components {
        let ident = types.component_ident(name)?;
        let read_only = read_only_properties(&schemas[name]);
        let pointer = format!("#/components/schemas/{name}");
        schema_impls.push(quote! {
            impl crate::wire::RequestBody for #ident {
                const READ_ONLY: &'static [&'static str] = &[#(#read_only),*];
                fn validator() -> &'static ::jsonschema::Validator {
                    static VALIDATOR: crate::wire::LazyValidator = crate::wire::LazyValidator::new(|| {
                        crate::wire::compile_validator(
                            SPEC.get(),
                            ::serde_json::json!({ "$ref": #pointer }),
                        )
                    });
                    VALIDATOR.get()
                }
            }
        });
    }

    let security = security_schemes(spec)?;
    let mut param_sets = Vec::new();
    let mut api_methods = Vec::new();
    let mut wire_methods = Vec::new();
    let mut adapter_methods = Vec::new();
    for op in &operations {
        let gen = operation(op, &mut types, &security)?;
        param_sets.push(gen.param_sets);
        api_methods.push(gen.api_method);
        wire_methods.push(gen.wire_method);
        adapter_methods.push(gen.adapter_method);
    }
    let security_enum = security.tokens();
    let operation_variants: Vec<_> = operations.iter().map(|op| format_ident!("{}", rust_type_name(&op.id))).collect();
    let operation_ids: Vec<&str> = operations.iter().map(|op| op.id.as_str()).collect();
    let type_code = types.space.to_stream();

    Ok(quote! {
        /// The spec, as JSON: what `GET /openapi.json` serves.
        pub const SPEC_JSON: &str = #spec_json;

        static SPEC: crate::wire::LazyDocument = crate::wire::LazyDocument::new(SPEC_JSON);

        /// The spec's component schemas, as Rust types.
        pub mod types {
            #type_code
        }
        pub use types::*;

        #(#schema_impls)*

        #security_enum

        #(#param_sets)*

        /// What the service implements: one method per operation of the spec.
        ///
        /// Inputs arrive parsed and validated against the spec; the
        /// principal arrives authenticated by [`HostadminApi::authenticate`]
        /// for every operation with a `security` requirement. A method's
        /// [`crate::wire::Problem`] is turned into the operation's error
        /// schema by the surface's [`crate::wire::ErrorBody`].
        pub trait HostadminApi: ::dropshot::ServerContext + Sized {
            /// Who made an authenticated request.
            type Principal: Send + Sync + 'static;

            /// Checks the credentials of a request against one operation's
            /// security requirement: a list of alternatives, each a set of
            /// schemes that must all be satisfied.
            fn authenticate(
                rqctx: &::dropshot::RequestContext<Self>,
                requirement: &'static [&'static [SecurityScheme]],
            ) -> impl ::std::future::Future<Output = Result<Self::Principal, crate::wire::Problem>> + Send;

            /// Called once per request with the operation, the status it
            /// answered and how long it took: the service's metrics.
            fn observe(
                rqctx: &::dropshot::RequestContext<Self>,
                operation: Operation,
                status: u16,
                elapsed: ::std::time::Duration,
            ) {
                let _ = (rqctx, operation, status, elapsed);
            }

            /// Checks of a request body that its schema cannot express: a
            /// field that must equal another, a code that must exist. Runs
            /// after authentication, whether or not the schema found problems,
            /// so that a request learns every problem at once.
            fn check_body(
                rqctx: &::dropshot::RequestContext<Self>,
                operation: Operation,
                body: &::serde_json::Value,
            ) -> impl ::std::future::Future<Output = Result<Vec<crate::wire::Violation>, crate::wire::Problem>> + Send {
                let _ = (rqctx, operation, body);
                async { Ok(Vec::new()) }
            }

            #(#api_methods)*
        }

        /// The spec's operations, by `operationId`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Operation {
            #(#operation_variants,)*
        }

        impl Operation {
            /// Every operation, in the spec's order.
            pub const ALL: &'static [Operation] = &[#(Operation::#operation_variants),*];
            /// The operation's `operationId`.
            pub fn id(self) -> &'static str {
                match self { #(Operation::#operation_variants => #operation_ids,)* }
            }
        }

        /// The Dropshot interface, one endpoint per operation. Implemented
        /// only by [`Adapter`]; the service implements [`HostadminApi`].
        #[::dropshot::api_description { module = "wire_api" }]
        pub trait Wire {
            type Context: HostadminApi;
            #(#wire_methods)*
        }

        /// Connects Dropshot's endpoints to a [`HostadminApi`].
        pub struct Adapter<S>(::std::marker::PhantomData<fn() -> S>);

        impl<S: HostadminApi> Wire for Adapter<S> {
            type Context = S;
            #(#adapter_methods)*
        }

        /// The API description of the service `S`: every operation of the spec.
        pub fn api_description<S: HostadminApi>()
            -> Result<::dropshot::ApiDescription<S>, ::dropshot::ApiDescriptionBuildErrors>
        {
            wire_api::api_description::<Adapter<S>>()
        }

        /// The API description without a service, for the OpenAPI document
        /// the generated interface really serves.
        pub fn stub_api_description()
            -> Result<::dropshot::ApiDescription<::dropshot::StubContext>, ::dropshot::ApiDescriptionBuildErrors>
        {
            wire_api::stub_api_description()
        }
    })
}

// ---------------------------------------------------------------------------
// The spec's operations.

struct Parameter {
    name: String,
    location: String,
    description: Option<String>,
    required: bool,
    schema: Value,
}

struct RequestBodySpec {
    content_type: String,
    component: Option<String>,
    /// The body schema has read-only properties: the handler gets `Claimed`.
    has_read_only: bool,
}

struct Operation {
    id: String,
    method: String,
    path: String,
    summary: Option<String>,
    description: Option<String>,
    tags: Vec<String>,
    /// `None`: the spec says nothing (an error); `Some(vec![])`: explicitly none.
    security: Vec<Vec<String>>,
    params: Vec<Parameter>,
    body: Option<RequestBodySpec>,
    success_status: u16,
    success_schema: Option<Value>,
    success_headers: bool,
    /// The success response is also offered as `text/xml`.
    xml: bool,
    /// The success body is an envelope carrying its own `statusCode`.
    success_envelope: bool,
    error_schema: String,
}

fn resolve<'a>(spec: &'a Value, v: &'a Value) -> Result<&'a Value> {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let pointer = r.strip_prefix('#').ok_or_else(|| format!("only local $refs are supported: {r}"))?;
            spec.pointer(pointer).ok_or_else(|| format!("dangling $ref {r}"))
        }
        None => Ok(v),
    }
}

fn collect_operations(spec: &Value) -> Result<Vec<Operation>> {
    let mut out = Vec::new();
    let paths = spec.get("paths").and_then(Value::as_object).ok_or("no paths")?;
    for (path, item) in paths {
        let shared_params: Vec<Value> = item.get("parameters").and_then(Value::as_array).cloned().unwrap_or_default();
        for method in METHODS {
            let Some(op) = item.get(*method) else {
                continue;
            };
            let id = op
                .get("operationId")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("{} {path}: no operationId", method.to_uppercase()))?
                .to_string();
            let ctx = |m: &str| format!("operation {id}: {m}");
            if ["authenticate", "check_body"].contains(&id.as_str()) {
                return Err(ctx("this operationId is taken by a method of the HostadminApi trait"));
            }

            let mut params = Vec::new();
            let own: Vec<Value> = op.get("parameters").and_then(Value::as_array).cloned().unwrap_or_default();
            for p in shared_params.iter().chain(own.iter()) {
                let p = resolve(spec, p)?;
                let name = p["name"].as_str().ok_or_else(|| ctx("parameter without name"))?.to_string();
                let location = p["in"].as_str().ok_or_else(|| ctx("parameter without `in`"))?.to_string();
                if location == "cookie" {
                    return Err(ctx("cookie parameters are not supported; use a security scheme"));
                }
                let schema =
                    resolve(spec, p.get("schema").ok_or_else(|| ctx(&format!("parameter {name} has no schema")))?)?
                        .clone();
                params.push(Parameter {
                    description: p.get("description").and_then(Value::as_str).map(str::to_string),
                    required: p.get("required").and_then(Value::as_bool).unwrap_or(location == "path"),
                    name,
                    location,
                    schema,
                });
            }

            let body = match op.get("requestBody") {
                None => None,
                Some(rb) => {
                    let rb = resolve(spec, rb)?;
                    let content = rb["content"].as_object().ok_or_else(|| ctx("requestBody without content"))?;
                    if content.len() != 1 {
                        return Err(ctx("a request body must have exactly one media type"));
                    }
                    let (content_type, media) = content.iter().next().unwrap();
                    if content_type != "application/json" && content_type != "application/x-www-form-urlencoded" {
                        return Err(ctx(&format!("unsupported request media type {content_type}")));
                    }
                    let schema = media.get("schema").ok_or_else(|| ctx("request body without schema"))?;
                    let component = schema
                        .get("$ref")
                        .and_then(Value::as_str)
                        .and_then(|r| r.strip_prefix("#/components/schemas/"))
                        .map(str::to_string);
                    if component.is_none() {
                        return Err(ctx("request body schemas must be components ($ref), so they have names"));
                    }
                    let resolved = resolve(spec, schema)?;
                    if content_type == "application/x-www-form-urlencoded" {
                        // A form carries text only; the runtime does not
                        // convert form fields to other types.
                        let props = resolved.get("properties").and_then(Value::as_object).cloned().unwrap_or_default();
                        if let Some((name, _)) =
                            props.iter().find(|(_, p)| p.get("type").and_then(Value::as_str) != Some("string"))
                        {
                            return Err(ctx(&format!("form field {name} must be a string")));
                        }
                    }
                    let has_read_only = !read_only_properties(resolved).is_empty();
                    Some(RequestBodySpec { content_type: content_type.clone(), component, has_read_only })
                }
            };

            let responses = op.get("responses").and_then(Value::as_object).ok_or_else(|| ctx("no responses"))?;
            let mut success = Vec::new();
            let mut error_schemas = BTreeSet::new();
            let mut xml = false;
            for (status, response) in responses {
                let response = resolve(spec, response)?;
                let code: u16 =
                    status.parse().map_err(|_| ctx(&format!("response {status}: use explicit status codes")))?;
                let schema = match response.get("content").and_then(Value::as_object) {
                    Some(content) => {
                        if let Some(other) = content.keys().find(|k| *k != "application/json" && *k != "text/xml") {
                            return Err(ctx(&format!("response {status}: unsupported media type {other}")));
                        }
                        if code < 400 && content.contains_key("text/xml") {
                            xml = true;
                        }
                        let media = content
                            .get("application/json")
                            .ok_or_else(|| ctx(&format!("response {status} has no application/json")))?;
                        media.get("schema").cloned()
                    }
                    None => None,
                };
                if code < 400 {
                    success.push((code, schema, response.get("headers").is_some()));
                } else {
                    let name = schema
                        .as_ref()
                        .and_then(|s| s.get("$ref"))
                        .and_then(Value::as_str)
                        .and_then(|r| r.strip_prefix("#/components/schemas/"))
                        .ok_or_else(|| ctx(&format!("error response {status} needs a component schema")))?;
                    error_schemas.insert(name.to_string());
                }
            }
            if success.len() != 1 {
                return Err(ctx("exactly one success response is supported (Progenitor takes no more)"));
            }
            if error_schemas.len() != 1 {
                return Err(ctx(&format!("all error responses must share one schema, found {error_schemas:?}")));
            }
            let (success_status, success_schema, success_headers) = success.pop().unwrap();
            let success_envelope =
                success_schema.as_ref().map(|s| resolve(spec, s).map(is_envelope)).transpose()?.unwrap_or(false);

            let security = match op.get("security").or_else(|| spec.get("security")) {
                None => return Err(ctx("no security requirement (write `security: []` for none)")),
                Some(Value::Array(alternatives)) => alternatives
                    .iter()
                    .map(|alt| alt.as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default())
                    .collect(),
                Some(_) => return Err(ctx("security must be a list")),
            };

            out.push(Operation {
                method: method.to_string(),
                path: path.clone(),
                summary: op.get("summary").and_then(Value::as_str).map(str::to_string),
                description: op.get("description").and_then(Value::as_str).map(str::to_string),
                tags: op
                    .get("tags")
                    .and_then(Value::as_array)
                    .map(|t| t.iter().filter_map(Value::as_str).map(str::to_string).collect())
                    .unwrap_or_default(),
                security,
                params,
                body,
                success_status,
                success_schema,
                success_headers,
                xml,
                success_envelope,
                error_schema: error_schemas.into_iter().next().unwrap(),
                id,
            });
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// Types.

struct TypeSpace {
    space: typify::TypeSpace,
}

/// OpenAPI 3.0 schema → JSON Schema for typify: `nullable` becomes a `null`
/// type, OpenAPI-only keywords go.
fn to_json_schema(v: &Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut out = Map::new();
            for (k, child) in map {
                match k.as_str() {
                    "nullable" | "example" | "readOnly" | "writeOnly" | "xml" | "externalDocs" | "discriminator" => {}
                    _ => {
                        out.insert(k.clone(), to_json_schema(child));
                    }
                }
            }
            if map.get("nullable") == Some(&Value::Bool(true)) {
                if let Some(Value::String(t)) = map.get("type") {
                    out.insert("type".into(), json!([t, "null"]));
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(to_json_schema).collect()),
        other => other.clone(),
    }
}

/// A schema whose body says its own status: `status` and `statusCode`.
fn is_envelope(schema: &Value) -> bool {
    let props = &schema["properties"];
    props.get("status").is_some() && props.get("statusCode").is_some()
}

fn read_only_properties(schema: &Value) -> Vec<String> {
    schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|props| {
            props
                .iter()
                .filter(|(_, p)| p.get("readOnly") == Some(&Value::Bool(true)))
                .map(|(k, _)| k.clone())
                .collect()
        })
        .unwrap_or_default()
}

fn without_read_only(schema: &Value) -> Value {
    let read_only = read_only_properties(schema);
    let mut schema = schema.clone();
    if let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        for name in &read_only {
            props.remove(name);
        }
    }
    if let Some(required) = schema.get_mut("required").and_then(Value::as_array_mut) {
        required.retain(|r| !read_only.iter().any(|n| Some(n.as_str()) == r.as_str()));
    }
    schema
}

impl TypeSpace {
    fn new(schemas: &Map<String, Value>, request_components: &BTreeSet<String>) -> Result<Self> {
        let mut settings = typify::TypeSpaceSettings::default();
        settings.with_struct_builder(false).with_derive("PartialEq".to_string());
        let mut space = typify::TypeSpace::new(&settings);
        let defs = schemas
            .iter()
            .map(|(name, schema)| {
                let schema = if request_components.contains(name) { without_read_only(schema) } else { schema.clone() };
                let schema: schemars::schema::Schema =
                    serde_json::from_value(to_json_schema(&schema)).map_err(|e| format!("schema {name}: {e}"))?;
                Ok((name.clone(), schema))
            })
            .collect::<Result<Vec<_>>>()?;
        space.add_ref_types(defs).map_err(|e| format!("typify: {e}"))?;
        Ok(Self { space })
    }

    fn component_ident(&mut self, name: &str) -> Result<TokenStream> {
        self.type_of(&json!({ "$ref": format!("#/components/schemas/{name}") }), name)
    }

    /// The Rust type for a schema: a component by `$ref`, or an inline
    /// schema named after its operation.
    fn type_of(&mut self, schema: &Value, name_hint: &str) -> Result<TokenStream> {
        let schema: schemars::schema::Schema =
            serde_json::from_value(to_json_schema(schema)).map_err(|e| format!("{name_hint}: {e}"))?;
        let id = self
            .space
            .add_type_with_name(&schema, Some(name_hint.to_string()))
            .map_err(|e| format!("typify {name_hint}: {e}"))?;
        let ty = self.space.get_type(&id).map_err(|e| e.to_string())?;
        Ok(ty.ident())
    }
}

/// `impl JsonSchema` returning the spec's own schema for a component, so the
/// served document says what the spec says (typify's derive would lose
/// `pattern`, `maxLength` and `readOnly`, and rename inline enums).
fn json_schema_impl(name: &str, schema: &Value, types: &TypeSpace) -> Result<TokenStream> {
    let _ = types;
    let ident = format_ident!("{}", rust_type_name(name));
    let mut refs = BTreeSet::new();
    collect_refs(schema, &mut refs);
    let refs: Vec<TokenStream> = refs
        .iter()
        .map(|r| {
            let dep = format_ident!("{}", rust_type_name(r));
            quote! { g.subschema_for::<#dep>(); }
        })
        .collect();
    let text = serde_json::to_string(schema).map_err(|e| e.to_string())?;
    let g = if refs.is_empty() { format_ident!("_g") } else { format_ident!("g") };
    Ok(quote! {
        impl ::schemars::JsonSchema for #ident {
            fn schema_name() -> String {
                #name.to_string()
            }
            fn json_schema(#g: &mut ::schemars::r#gen::SchemaGenerator) -> ::schemars::schema::Schema {
                #(#refs)*
                ::serde_json::from_str(#text).expect("component schema from the spec")
            }
        }
    })
}

fn collect_refs(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(map) => {
            if let Some(r) =
                map.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                out.insert(r.to_string());
            }
            map.values().for_each(|c| collect_refs(c, out));
        }
        Value::Array(items) => items.iter().for_each(|c| collect_refs(c, out)),
        _ => {}
    }
}

/// Names as typify and Progenitor make them (shared with the samples, which
/// must call the generated client by the same names).
use samples::{builder_method as snake, type_name as rust_type_name};

// ---------------------------------------------------------------------------
// Security schemes.

struct Security {
    schemes: BTreeMap<String, (String, String)>,
}

fn security_schemes(spec: &Value) -> Result<Security> {
    let mut schemes = BTreeMap::new();
    if let Some(map) = spec.pointer("/components/securitySchemes").and_then(Value::as_object) {
        for (name, s) in map {
            if s["type"] != "apiKey" {
                return Err(format!("security scheme {name}: only apiKey schemes are supported"));
            }
            let location = s["in"].as_str().ok_or_else(|| format!("security scheme {name}: no `in`"))?;
            let key = s["name"].as_str().ok_or_else(|| format!("security scheme {name}: no `name`"))?;
            schemes.insert(name.clone(), (location.to_string(), key.to_string()));
        }
    }
    Ok(Security { schemes })
}

impl Security {
    fn variant(&self, name: &str) -> Result<TokenStream> {
        if !self.schemes.contains_key(name) {
            return Err(format!("unknown security scheme {name}"));
        }
        let v = format_ident!("{}", rust_type_name(name));
        Ok(quote!(SecurityScheme::#v))
    }

    fn tokens(&self) -> TokenStream {
        let variants: Vec<_> = self.schemes.keys().map(|n| format_ident!("{}", rust_type_name(n))).collect();
        let docs: Vec<String> =
            self.schemes.iter().map(|(n, (loc, key))| format!("`{n}`: the {loc} `{key}`.")).collect();
        let locations: Vec<TokenStream> = self
            .schemes
            .values()
            .map(|(loc, _)| match loc.as_str() {
                "header" => quote!(crate::wire::KeyIn::Header),
                "cookie" => quote!(crate::wire::KeyIn::Cookie),
                _ => quote!(crate::wire::KeyIn::Query),
            })
            .collect();
        let keys: Vec<&String> = self.schemes.values().map(|(_, k)| k).collect();
        quote! {
            /// The spec's security schemes.
            #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
            pub enum SecurityScheme {
                #(#[doc = #docs] #variants,)*
            }

            impl SecurityScheme {
                /// Where the scheme's credential travels.
                pub fn location(self) -> crate::wire::KeyIn {
                    match self { #(SecurityScheme::#variants => #locations,)* }
                }
                /// The header, cookie or query name of the credential.
                pub fn key_name(self) -> &'static str {
                    match self { #(SecurityScheme::#variants => #keys,)* }
                }
                /// The credential this scheme names in `request`, if sent.
                pub fn credential(self, request: &::dropshot::RequestInfo) -> Option<::std::borrow::Cow<'_, str>> {
                    crate::wire::api_key(request, self.location(), self.key_name())
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// One operation.

struct OperationCode {
    param_sets: TokenStream,
    api_method: TokenStream,
    wire_method: TokenStream,
    adapter_method: TokenStream,
}

fn param_rust_type(schema: &Value) -> Result<(TokenStream, TokenStream)> {
    let scalar = |s: &Value| -> Result<(TokenStream, TokenStream)> {
        Ok(match s.get("type").and_then(Value::as_str) {
            Some("integer") => match s.get("format").and_then(Value::as_str) {
                Some("int32") => (quote!(i32), quote!(Integer)),
                _ => (quote!(i64), quote!(Integer)),
            },
            Some("number") => (quote!(f64), quote!(Number)),
            Some("boolean") => (quote!(bool), quote!(Boolean)),
            Some("string") => (quote!(String), quote!(String)),
            other => return Err(format!("unsupported parameter type {other:?}")),
        })
    };
    if schema.get("type").and_then(Value::as_str) == Some("array") {
        let (item, kind) = scalar(schema.get("items").ok_or("array parameter without items")?)?;
        Ok((quote!(Vec<#item>), quote!(crate::wire::ParamType::ArrayOf(crate::wire::ScalarType::#kind))))
    } else {
        let (ty, kind) = scalar(schema)?;
        Ok((ty, quote!(crate::wire::ParamType::#kind)))
    }
}

fn param_set(op: &Operation, location: &str, suffix: &str) -> Result<Option<(TokenStream, TokenStream)>> {
    let params: Vec<&Parameter> = op.params.iter().filter(|p| p.location == location).collect();
    if params.is_empty() {
        return Ok(None);
    }
    let ident = format_ident!("{}{}", rust_type_name(&op.id), suffix);
    let loc = match location {
        "path" => quote!(Path),
        "query" => quote!(Query),
        _ => quote!(Header),
    };
    let mut fields = Vec::new();
    let mut specs = Vec::new();
    let mut properties = Map::new();
    let mut required = Vec::new();
    for p in &params {
        let field = format_ident!("{}", snake(&p.name));
        let (ty, kind) =
            param_rust_type(&p.schema).map_err(|e| format!("operation {}: parameter {}: {e}", op.id, p.name))?;
        let has_default = p.schema.get("default").is_some();
        let ty = if p.required || has_default { ty } else { quote!(Option<#ty>) };
        let name = &p.name;
        let doc = p.description.clone().unwrap_or_default();
        fields.push(quote! {
            #[doc = #doc]
            #[serde(rename = #name)]
            pub #field: #ty,
        });
        let desc = match &p.description {
            Some(d) => quote!(Some(#d)),
            None => quote!(None),
        };
        let req = p.required;
        let schema_text = serde_json::to_string(&p.schema).unwrap();
        specs.push(quote! {
            crate::wire::ParamSpec { name: #name, location: crate::wire::ParamIn::#loc, description: #desc, required: #req, ty: #kind, schema: #schema_text }
        });
        properties.insert(p.name.clone(), p.schema.clone());
        if p.required {
            required.push(p.name.clone());
        }
    }
    let object_schema = serde_json::to_string(&json!({
        "type": "object",
        "properties": properties,
        "required": required,
    }))
    .unwrap();
    // For the served document: each parameter's description travels in its
    // schema, where Dropshot looks for it.
    // Dropshot describes only scalar query parameters; a repeatable
    // (array) parameter is described by its item schema there, while the
    // runtime reads every occurrence. The served spec is the canonical one.
    let mut documented = Map::new();
    for p in &params {
        let mut schema = match (p.schema.get("type").and_then(Value::as_str), p.schema.get("items")) {
            (Some("array"), Some(items)) => items.clone(),
            _ => p.schema.clone(),
        };
        if let (Some(d), Some(obj)) = (&p.description, schema.as_object_mut()) {
            obj.insert("description".into(), Value::String(d.clone()));
        }
        documented.insert(p.name.clone(), schema);
    }
    let doc_schema = serde_json::to_string(&json!({
        "type": "object",
        "properties": documented,
        "required": required,
    }))
    .unwrap();
    let route = &op.path;
    let doc = format!("The {location} parameters of `{}`.", op.id);
    let code = quote! {
        #[doc = #doc]
        #[derive(Clone, Debug, PartialEq, ::serde::Deserialize)]
        pub struct #ident {
            #(#fields)*
        }

        impl ::schemars::JsonSchema for #ident {
            fn schema_name() -> String {
                stringify!(#ident).to_string()
            }
            fn json_schema(_: &mut ::schemars::r#gen::SchemaGenerator) -> ::schemars::schema::Schema {
                ::serde_json::from_str(#doc_schema).expect("parameter schemas from the spec")
            }
        }

        impl crate::wire::ParamSet for #ident {
            const LOCATION: crate::wire::ParamIn = crate::wire::ParamIn::#loc;
            const ROUTE: &'static str = #route;
            const PARAMS: &'static [crate::wire::ParamSpec] = &[#(#specs),*];
            fn validator() -> &'static ::jsonschema::Validator {
                static VALIDATOR: crate::wire::LazyValidator = crate::wire::LazyValidator::new(|| {
                    crate::wire::compile_validator(SPEC.get(), ::serde_json::from_str(#object_schema).unwrap())
                });
                VALIDATOR.get()
            }
        }
    };
    Ok(Some((code, quote!(#ident))))
}

fn operation(op: &Operation, types: &mut TypeSpace, security: &Security) -> Result<OperationCode> {
    let name = format_ident!("{}", snake(&op.id));
    let mut param_sets = TokenStream::new();
    // (wire parameter, api parameter, how the adapter takes it)
    let mut wire_params = Vec::new();
    let mut api_params = Vec::new();
    let mut takes = Vec::new();
    let mut passes = Vec::new();
    for (location, suffix, var) in
        [("path", "Path", "path"), ("query", "Query", "query"), ("header", "Headers", "headers")]
    {
        if let Some((code, ident)) = param_set(op, location, suffix)? {
            param_sets.extend(code);
            let var = format_ident!("{}", var);
            wire_params.push(quote!(#var: crate::wire::Params<#ident>));
            api_params.push(quote!(#var: #ident));
            takes.push(quote!(let #var = #var.take(&mut problems);));
            passes.push(var);
        }
    }
    let mut content_type = None;
    if let Some(body) = &op.body {
        let component = body.component.as_deref().unwrap();
        let ty = types.component_ident(component)?;
        if body.content_type != "application/json" {
            content_type = Some(body.content_type.clone());
        }
        wire_params.push(quote!(body: crate::wire::Body<#ty>));
        let var = format_ident!("body");
        // Bodies with read-only fields reach the handler as `Claimed`.
        let variant = format_ident!("{}", rust_type_name(&op.id));
        let check = quote! {
            if let Some(json) = body.json() {
                problems.extend(S::check_body(&rqctx, Operation::#variant, json).await?);
            }
        };
        if body.has_read_only {
            api_params.push(quote!(body: crate::wire::Claimed<#ty>));
            takes.push(quote!(#check let body = body.take_claimed(&mut problems);));
        } else {
            api_params.push(quote!(body: #ty));
            takes.push(quote!(#check let body = body.take(&mut problems);));
        }
        passes.push(var);
    }

    // Security.
    let secured = !op.security.is_empty() && !op.security.iter().any(|alt| alt.is_empty());
    let requirement = op
        .security
        .iter()
        .map(|alt| {
            let schemes = alt.iter().map(|s| security.variant(s)).collect::<Result<Vec<_>>>()?;
            Ok(quote!(&[#(#schemes),*]))
        })
        .collect::<Result<Vec<_>>>()?;
    let (auth, principal_param, principal_arg) = if secured {
        (
            quote! {
                const REQUIREMENT: &[&[SecurityScheme]] = &[#(#requirement),*];
                let principal = S::authenticate(&rqctx, REQUIREMENT).await?;
            },
            quote!(principal: Self::Principal,),
            quote!(principal,),
        )
    } else {
        (quote!(), quote!(), quote!())
    };

    // Success response.
    let success_is_envelope = op.success_envelope;
    let success_ty = match &op.success_schema {
        Some(s) => Some(types.type_of(s, &format!("{}Response", rust_type_name(&op.id)))?),
        None => None,
    };
    let (wire_ok, api_ok, wrap) = match (op.success_status, &success_ty) {
        (200, Some(t)) => (quote!(::dropshot::HttpResponseOk<#t>), quote!(#t), quote!(::dropshot::HttpResponseOk(out))),
        (201, Some(t)) => {
            (quote!(::dropshot::HttpResponseCreated<#t>), quote!(#t), quote!(::dropshot::HttpResponseCreated(out)))
        }
        (202, Some(t)) => {
            (quote!(::dropshot::HttpResponseAccepted<#t>), quote!(#t), quote!(::dropshot::HttpResponseAccepted(out)))
        }
        (204, None) if op.method == "delete" => (
            quote!(::dropshot::HttpResponseDeleted),
            quote!(()),
            quote!({
                let () = out;
                ::dropshot::HttpResponseDeleted()
            }),
        ),
        (204, None) => (
            quote!(::dropshot::HttpResponseUpdatedNoContent),
            quote!(()),
            quote!({
                let () = out;
                ::dropshot::HttpResponseUpdatedNoContent()
            }),
        ),
        (status, _) => return Err(format!("operation {}: unsupported success response {status}", op.id)),
    };
    let (wire_ok, api_ok, wrap) = if op.success_headers {
        (
            quote!(::dropshot::HttpResponseHeaders<#wire_ok>),
            quote!(crate::wire::WithHeaders<#api_ok>),
            quote! {{
                let crate::wire::WithHeaders { body: out, headers } = out;
                let mut response = ::dropshot::HttpResponseHeaders::new_unnamed(#wrap);
                response.headers_mut().extend(headers);
                response
            }},
        )
    } else {
        (wire_ok, api_ok, wrap)
    };

    let error_ty = types.component_ident(&op.error_schema)?;
    let method = format_ident!("{}", op.method.to_uppercase());
    let path = &op.path;
    let tags = &op.tags;
    let doc_summary = op.summary.clone().unwrap_or_default();
    let doc_description = op.description.clone().unwrap_or_default();
    let endpoint = match &content_type {
        Some(ct) => {
            quote!(#[endpoint { method = #method, path = #path, tags = [#(#tags),*], content_type = #ct }])
        }
        None => quote!(#[endpoint { method = #method, path = #path, tags = [#(#tags),*] }]),
    };

    let wire_return = if op.xml { quote!(crate::wire::Negotiated<#wire_ok>) } else { quote!(#wire_ok) };
    let api_doc = format!("`{} {}`: {}", op.method.to_uppercase(), op.path, doc_summary);
    let api_method = quote! {
        #[doc = #api_doc]
        fn #name(
            rqctx: &::dropshot::RequestContext<Self>,
            #principal_param
            #(#api_params),*
        ) -> impl ::std::future::Future<Output = Result<#api_ok, crate::wire::Problem>> + Send;
    };
    let wire_method = quote! {
        #[doc = #doc_summary]
        #[doc = ""]
        #[doc = #doc_description]
        #endpoint
        async fn #name(
            rqctx: ::dropshot::RequestContext<Self::Context>,
            #(#wire_params),*
        ) -> Result<#wire_return, crate::wire::ErrorResponse<#error_ty>>;
    };
    let check = if passes.is_empty() {
        quote!()
    } else {
        quote! {
            let mut problems = Vec::new();
            #(#takes)*
            let (#(Some(#passes)),*,) = (#(#passes),*,) else {
                return Err(crate::wire::Problem::Invalid(problems).into());
            };
            if !problems.is_empty() {
                return Err(crate::wire::Problem::Invalid(problems).into());
            }
        }
    };
    // A body that carries its own status (`statusCode`) gets it from here.
    let set_status = if success_is_envelope {
        let code = op.success_status;
        quote!(let mut out = out; crate::wire::Envelope::set_status_code(&mut out, #code);)
    } else {
        quote!()
    };
    let status = op.success_status;
    let variant = format_ident!("{}", rust_type_name(&op.id));
    let adapter_method = if op.xml {
        quote! {
            async fn #name(
                rqctx: ::dropshot::RequestContext<S>,
                #(#wire_params),*
            ) -> Result<crate::wire::Negotiated<#wire_ok>, crate::wire::ErrorResponse<#error_ty>> {
                let started = ::std::time::Instant::now();
                let xml = crate::wire::wants_xml(&rqctx.request);
                let result: Result<_, crate::wire::ErrorResponse<#error_ty>> = async {
                    #auth
                    #check
                    let out = S::#name(&rqctx, #principal_arg #(#passes),*).await?;
                    #set_status
                    Ok(out)
                }
                .await;
                let observed = match &result { Ok(_) => #status, Err(e) => e.status.as_u16() };
                S::observe(&rqctx, Operation::#variant, observed, started.elapsed());
                let status = ::http::StatusCode::from_u16(#status).expect("a valid status");
                crate::wire::Negotiated::answer(xml, status, result, |out| #wrap)
            }
        }
    } else {
        quote! {
            async fn #name(
                rqctx: ::dropshot::RequestContext<S>,
                #(#wire_params),*
            ) -> Result<#wire_ok, crate::wire::ErrorResponse<#error_ty>> {
                let started = ::std::time::Instant::now();
                let result: Result<#wire_ok, crate::wire::ErrorResponse<#error_ty>> = async {
                    #auth
                    #check
                    let out = S::#name(&rqctx, #principal_arg #(#passes),*).await?;
                    #set_status
                    Ok(#wrap)
                }
                .await;
                let observed = match &result { Ok(_) => #status, Err(e) => e.status.as_u16() };
                S::observe(&rqctx, Operation::#variant, observed, started.elapsed());
                result
            }
        }
    };
    // A path that ends in a literal also answers at `PATH.xml` (an
    // unpublished twin); one that ends in a variable takes the suffix there.
    let (wire_method, adapter_method) = if op.xml && !op.path.ends_with('}') {
        let twin = format_ident!("{}_xml", snake(&op.id));
        let twin_path = format!("{}.xml", op.path);
        let twin_endpoint = match &content_type {
            Some(ct) => {
                quote!(#[endpoint { method = #method, path = #twin_path, content_type = #ct, unpublished = true }])
            }
            None => quote!(#[endpoint { method = #method, path = #twin_path, unpublished = true }]),
        };
        let args: Vec<TokenStream> = wire_params
            .iter()
            .map(|p| {
                let name = p.to_string();
                let ident = format_ident!("{}", name.split(':').next().unwrap().trim());
                quote!(#ident)
            })
            .collect();
        (
            quote! {
                #wire_method
                #[doc = "The same operation, answering XML."]
                #twin_endpoint
                async fn #twin(
                    rqctx: ::dropshot::RequestContext<Self::Context>,
                    #(#wire_params),*
                ) -> Result<crate::wire::Negotiated<#wire_ok>, crate::wire::ErrorResponse<#error_ty>>;
            },
            quote! {
                #adapter_method
                async fn #twin(
                    rqctx: ::dropshot::RequestContext<S>,
                    #(#wire_params),*
                ) -> Result<crate::wire::Negotiated<#wire_ok>, crate::wire::ErrorResponse<#error_ty>> {
                    <Self as Wire>::#name(rqctx, #(#args),*).await
                }
            },
        )
    } else {
        (wire_method, adapter_method)
    };
    Ok(OperationCode { param_sets, api_method, wire_method, adapter_method })
}
