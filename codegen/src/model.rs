//! The spec as the generator sees it: each operation with its method, path,
//! parameters, body, success response, error schema and security, as enums
//! and structs rather than strings. Parsing is where every refusal happens;
//! the emitters then only read a model that is known to be expressible.
//!
//! Schemas stay JSON values: they are handed verbatim to typify, to the
//! validators and to the served document.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::error::{At, Error, Refusal};
use crate::refs::{self, resolve};

/// The operationIds that would collide with a provided method of the
/// `HostadminApi` trait.
pub const TRAIT_METHODS: &[&str] = &["authenticate", "check_body", "observe"];

/// The parsed spec.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The document as written: what is served, and what the `$ref`s inside
    /// schemas point into (see [`Spec::resolve`]).
    pub document: Value,
    /// What the docs portal's index shows above the operations.
    pub info: Info,
    /// The document's tags, in its order: they order the docs portal.
    pub tags: Vec<Tag>,
    /// The first server's URL: the samples' base.
    pub server_url: Option<String>,
    /// The component schemas, verbatim, in the spec's order.
    pub schemas: Map<String, Value>,
    pub security_schemes: Vec<SecurityScheme>,
    /// Every operation, in the spec's order (paths, then methods as in [`Method::ALL`]).
    pub operations: Vec<Operation>,
}

impl Spec {
    /// The schema `v` stands for, following a `$ref` with the one resolver;
    /// `null` where nothing is (renderers show what is there).
    pub fn resolve<'a>(&'a self, v: &'a Value) -> &'a Value {
        refs::resolve_or_null(&self.document, v)
    }

    /// The security scheme named `name` (parsing refused unknown names).
    pub fn scheme(&self, name: &str) -> Option<&SecurityScheme> {
        self.security_schemes.iter().find(|s| s.name == name)
    }
}

/// The document's `info`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Info {
    pub title: Option<String>,
    pub version: Option<String>,
    pub description: Option<String>,
}

/// A tag of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub name: String,
    pub description: Option<String>,
}

/// An HTTP method an operation may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Method {
    Get,
    Put,
    Post,
    Delete,
    Patch,
}

impl Method {
    /// In the order the generator visits a path item.
    pub const ALL: [Method; 5] = [Method::Get, Method::Put, Method::Post, Method::Delete, Method::Patch];

    /// As the spec writes it (`get`).
    pub fn key(self) -> &'static str {
        match self {
            Method::Get => "get",
            Method::Put => "put",
            Method::Post => "post",
            Method::Delete => "delete",
            Method::Patch => "patch",
        }
    }

    /// As HTTP writes it (`GET`).
    pub fn upper(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Patch => "PATCH",
        }
    }
}

/// Where a parameter travels (cookies are refused: they are credentials).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ParamLocation {
    Path,
    Query,
    Header,
}

impl ParamLocation {
    pub const ALL: [ParamLocation; 3] = [ParamLocation::Path, ParamLocation::Query, ParamLocation::Header];

    /// As the spec writes it (`query`).
    pub fn key(self) -> &'static str {
        match self {
            ParamLocation::Path => "path",
            ParamLocation::Query => "query",
            ParamLocation::Header => "header",
        }
    }
}

/// A parameter's scalar type, as the runtime converts its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    String,
    /// `format: int32`.
    Int32,
    Int64,
    Number,
    Boolean,
}

/// A parameter's type: one scalar, or a repeatable list of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    Scalar(Scalar),
    /// Repeated (`form`, `explode: true`): each occurrence is one item.
    ArrayOf(Scalar),
    /// Delimited (`form`, `explode: false`): `name=a,b`, the items separated
    /// by commas.
    Delimited(Scalar),
}

/// One parameter (path-level ones included), its schema resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    pub name: String,
    pub location: ParamLocation,
    pub description: Option<String>,
    pub required: bool,
    pub ty: ParamType,
    /// The schema's `default`, applied by the runtime when absent.
    pub default: Option<Value>,
    /// The parameter's `example`, shown by the docs' samples.
    pub example: Option<Value>,
    pub schema: Value,
}

/// A request body's media type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaType {
    Json,
    FormUrlEncoded,
}

impl MediaType {
    pub fn mime(self) -> &'static str {
        match self {
            MediaType::Json => "application/json",
            MediaType::FormUrlEncoded => "application/x-www-form-urlencoded",
        }
    }
}

/// A response's media type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseMediaType {
    Json,
    /// `text/xml`, offered beside JSON where the product speaks XML.
    Xml,
}

impl ResponseMediaType {
    pub fn mime(self) -> &'static str {
        match self {
            ResponseMediaType::Json => "application/json",
            ResponseMediaType::Xml => "text/xml",
        }
    }
}

/// A request body: always a named component.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestBody {
    pub media_type: MediaType,
    pub component: String,
    /// The schema's top-level read-only properties: the handler gets `Claimed`.
    pub read_only: Vec<String>,
    /// The schema as written: a `$ref` to `component`.
    pub schema: Value,
    /// The media type's example (`example`, or the first of `examples`).
    pub example: Option<Value>,
}

/// One documented response (success or error), as the docs show it.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub status: u16,
    pub description: Option<String>,
    /// Documented headers: (name, description).
    pub headers: Vec<(String, Option<String>)>,
    /// Each media type, in the spec's order.
    pub content: Vec<Media>,
}

impl Response {
    /// The `application/json` schema, if the response has a body.
    pub fn json_schema(&self) -> Option<&Value> {
        self.content.iter().find(|m| m.media_type == ResponseMediaType::Json).and_then(|m| m.schema.as_ref())
    }
}

/// A response body in one media type.
#[derive(Debug, Clone, PartialEq)]
pub struct Media {
    pub media_type: ResponseMediaType,
    /// As written (a `$ref` or inline).
    pub schema: Option<Value>,
    pub example: Option<Value>,
}

/// The success response, as Dropshot's response types tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseKind {
    /// 200 with a body.
    Ok,
    /// 201 with a body.
    Created,
    /// 202 with a body.
    Accepted,
    /// 204 answering a DELETE.
    Deleted,
    /// 204 answering anything else.
    UpdatedNoContent,
}

impl ResponseKind {
    pub fn status(self) -> u16 {
        match self {
            ResponseKind::Ok => 200,
            ResponseKind::Created => 201,
            ResponseKind::Accepted => 202,
            ResponseKind::Deleted | ResponseKind::UpdatedNoContent => 204,
        }
    }
}

/// The one success response.
#[derive(Debug, Clone, PartialEq)]
pub struct Success {
    pub kind: ResponseKind,
    /// The `application/json` schema (a `$ref` or inline); `None` for 204.
    pub schema: Option<Value>,
    /// It documents response headers: the handler returns `WithHeaders`.
    pub headers: bool,
    /// It is also offered as `text/xml`.
    pub xml: bool,
    /// Its body carries its own `status` and `statusCode` (an envelope).
    pub envelope: bool,
}

/// Who may call an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecurityRequirement {
    /// `security: []`, or an alternative that needs nothing.
    Anonymous,
    /// Alternatives, each a set of schemes that must all be satisfied.
    AnyOf(Vec<Vec<String>>),
}

/// An `apiKey` security scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityScheme {
    pub name: String,
    pub location: KeyLocation,
    /// The header, cookie or query name of the credential.
    pub key: String,
    pub description: Option<String>,
}

/// Where an `apiKey` credential travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyLocation {
    Header,
    Cookie,
    Query,
}

impl KeyLocation {
    /// As the spec writes it (`cookie`).
    pub fn key(self) -> &'static str {
        match self {
            KeyLocation::Header => "header",
            KeyLocation::Cookie => "cookie",
            KeyLocation::Query => "query",
        }
    }
}

/// One operation of the spec.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    pub id: String,
    pub method: Method,
    pub path: String,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub tags: Vec<String>,
    pub security: SecurityRequirement,
    pub params: Vec<Parameter>,
    pub body: Option<RequestBody>,
    pub success: Success,
    /// The component schema every error response shares.
    pub error_schema: String,
    /// Every response, in the spec's order: what the docs show.
    pub responses: Vec<Response>,
}

impl Operation {
    /// The tag the docs file the operation under.
    pub fn first_tag(&self) -> &str {
        self.tags.first().map(String::as_str).unwrap_or("other")
    }

    /// The alternative the samples show: the first requirement's schemes.
    pub fn sample_schemes(&self) -> &[String] {
        match &self.security {
            SecurityRequirement::Anonymous => &[],
            SecurityRequirement::AnyOf(alternatives) => alternatives.first().map(Vec::as_slice).unwrap_or(&[]),
        }
    }

    /// The parameters in one location, in the spec's order.
    pub fn params_in(&self, location: ParamLocation) -> impl Iterator<Item = &Parameter> {
        self.params.iter().filter(move |p| p.location == location)
    }
}

/// Parses the spec into the model, refusing what the generator cannot express.
pub fn parse(spec: &Value) -> Result<Spec, Error> {
    let version = spec.get("openapi").and_then(Value::as_str).unwrap_or("");
    if !version.starts_with("3.0.") {
        return Err(Error::Version(version.to_string()));
    }
    let schemas = spec.pointer("/components/schemas").and_then(Value::as_object).cloned().unwrap_or_default();
    let security_schemes = parse_security_schemes(spec)?;
    let operations = crate::parse::operations(spec, &security_schemes)?;
    Ok(Spec {
        document: spec.clone(),
        info: crate::parse::info(spec),
        tags: crate::parse::tags(spec),
        server_url: spec.pointer("/servers/0/url").and_then(Value::as_str).map(str::to_string),
        schemas,
        security_schemes,
        operations,
    })
}

fn parse_security_schemes(spec: &Value) -> Result<Vec<SecurityScheme>, Error> {
    let Some(map) = spec.pointer("/components/securitySchemes").and_then(Value::as_object) else {
        return Ok(Vec::new());
    };
    map.iter().map(|(name, scheme)| parse_security_scheme(name, scheme)).collect()
}

fn parse_security_scheme(name: &str, scheme: &Value) -> Result<SecurityScheme, Error> {
    let refuse = |refusal| Error::SecurityScheme {
        scheme: name.to_string(),
        pointer: format!("/components/securitySchemes/{}", refs::escape(name)),
        refusal,
    };
    if scheme["type"] != "apiKey" {
        return Err(refuse(Refusal::NotApiKey));
    }
    let location = match scheme["in"].as_str().ok_or_else(|| refuse(Refusal::SchemeWithout("in")))? {
        "header" => KeyLocation::Header,
        "cookie" => KeyLocation::Cookie,
        "query" => KeyLocation::Query,
        other => return Err(refuse(Refusal::KeyLocation(other.to_string()))),
    };
    let key = scheme["name"].as_str().ok_or_else(|| refuse(Refusal::SchemeWithout("name")))?.to_string();
    let description = scheme.get("description").and_then(Value::as_str).map(str::to_string);
    Ok(SecurityScheme { name: name.to_string(), location, key, description })
}

/// The top-level properties a schema marks `readOnly`.
pub fn read_only_properties(schema: &Value) -> Vec<String> {
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return Vec::new();
    };
    props.iter().filter(|(_, p)| p.get("readOnly") == Some(&Value::Bool(true))).map(|(k, _)| k.clone()).collect()
}

/// A schema whose body says its own status: `status` and `statusCode`.
pub fn is_envelope(schema: &Value) -> bool {
    let props = &schema["properties"];
    props.get("status").is_some() && props.get("statusCode").is_some()
}

/// The components a request body uses: their Rust types drop read-only fields.
pub fn request_components(spec: &Spec) -> BTreeSet<String> {
    spec.operations.iter().filter_map(|op| op.body.as_ref()).map(|b| b.component.clone()).collect()
}

/// Resolves `v` (found at `suffix` of the operation), naming the operation
/// and pointer when it cannot.
pub(crate) fn resolve_at<'a>(spec: &'a Value, v: &'a Value, at: &At, suffix: &str) -> Result<&'a Value, Error> {
    resolve(spec, v).map_err(|e| at.refuse(suffix, Refusal::Ref(e)))
}
