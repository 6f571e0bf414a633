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

use std::fmt;
use std::sync::OnceLock;

use dropshot::{
    ApiEndpointBodyContentType, ErrorStatusCode, ExclusiveExtractor, ExtractorMetadata, HttpError, HttpResponseError,
    RequestContext, ServerContext, SharedExtractor, TypedBody, UntypedBody,
};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

/// One way in which a request does not match the spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// Where: a parameter name, or a body field as a dotted path
    /// (`hostname`, `members.2`); empty for the body as a whole.
    pub field: String,
    /// What is wrong, in words.
    pub message: String,
}

impl Violation {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.field, self.message)
        }
    }
}

/// Why an operation failed, before any surface has given it a shape.
///
/// Each surface's error schema decides the status and the body for each kind
/// (see [`ErrorBody`]): the system surface answers an invalid request with a
/// 400 and a list of lines, the managers surface with a 422 and a list of
/// `{field, description}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// No valid credentials; the text says why.
    Unauthenticated(String),
    /// Valid credentials that may not do this.
    Forbidden(String),
    /// The request does not match the spec.
    Invalid(Vec<Violation>),
    /// The request is well formed but breaks a rule of the data (a duplicate
    /// name, deleting something still in use).
    Conflict(String),
    /// The named thing does not exist.
    NotFound(String),
    /// The body is larger than the service accepts.
    TooLarge(String),
    /// Too many attempts (failed logins): try again later.
    Throttled(String),
    /// The database failed or cannot be reached.
    Unavailable(String),
    /// Anything else; the text must not reveal internals.
    Internal(String),
}

impl Problem {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Problem::Invalid(vec![Violation::new(field, message)])
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Invalid(violations) => {
                f.write_str("invalid request")?;
                for v in violations {
                    write!(f, "; {v}")?;
                }
                Ok(())
            }
            Problem::Unauthenticated(m)
            | Problem::Forbidden(m)
            | Problem::Conflict(m)
            | Problem::NotFound(m)
            | Problem::TooLarge(m)
            | Problem::Throttled(m)
            | Problem::Unavailable(m)
            | Problem::Internal(m) => f.write_str(m),
        }
    }
}

impl From<HttpError> for Problem {
    /// Errors that Dropshot itself raises (a body over the size limit, a
    /// malformed request line) mapped onto the kinds above.
    fn from(e: HttpError) -> Self {
        match e.status_code.as_u16() {
            400 => Problem::Invalid(vec![Violation::new("", e.external_message)]),
            401 => Problem::Unauthenticated(e.external_message),
            403 => Problem::Forbidden(e.external_message),
            404 => Problem::NotFound(e.external_message),
            413 => Problem::TooLarge(e.external_message),
            429 => Problem::Throttled(e.external_message),
            503 => Problem::Unavailable(e.external_message),
            s if s < 500 => Problem::Invalid(vec![Violation::new("", e.external_message)]),
            _ => Problem::Internal("Internal server error".into()),
        }
    }
}

/// A surface's error schema: how a [`Problem`] looks on that surface's wire.
///
/// Implemented by hand, once per surface, next to the surface's notes: it is
/// the surface's convention (which status, which message), not a schema.
pub trait ErrorBody: Serialize + JsonSchema + Send + Sync + 'static {
    fn from_problem(problem: Problem) -> (ErrorStatusCode, Self);
}

/// The error type of every generated endpoint: a status and a body in the
/// operation's error schema. It serializes as the body alone.
#[derive(Debug)]
pub struct ErrorResponse<B> {
    pub status: ErrorStatusCode,
    pub body: B,
    /// Why, for the log line of the request (never sent).
    pub reason: String,
}

impl<B: ErrorBody> From<Problem> for ErrorResponse<B> {
    fn from(problem: Problem) -> Self {
        let reason = problem.to_string();
        let (status, body) = B::from_problem(problem);
        ErrorResponse { status, body, reason }
    }
}

impl<B: ErrorBody> From<HttpError> for ErrorResponse<B> {
    fn from(e: HttpError) -> Self {
        Problem::from(e).into()
    }
}

impl<B> fmt::Display for ErrorResponse<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.status, self.reason)
    }
}

impl<B: Serialize> Serialize for ErrorResponse<B> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.body.serialize(s)
    }
}

impl<B: JsonSchema> JsonSchema for ErrorResponse<B> {
    fn schema_name() -> String {
        B::schema_name()
    }
    fn json_schema(g: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        B::json_schema(g)
    }
    fn is_referenceable() -> bool {
        B::is_referenceable()
    }
}

impl<B: ErrorBody + fmt::Debug> HttpResponseError for ErrorResponse<B> {
    fn status_code(&self) -> ErrorStatusCode {
        self.status
    }
}

/// A success body together with response headers the operation documents
/// (for instance `Set-Cookie` on login).
#[derive(Debug)]
pub struct WithHeaders<T> {
    pub body: T,
    pub headers: http::HeaderMap,
}

// ---------------------------------------------------------------------------
// Schemas: the spec's components, translated for validation.

/// Builds a validator for the spec schema at `pointer` (e.g.
/// `#/components/schemas/ServerCreate`) inside the document `components`.
///
/// OpenAPI 3.0 is not JSON Schema: `nullable` becomes a `null` type, and the
/// request-irrelevant keywords (`readOnly` handling is done by the caller)
/// stay annotations.
pub fn compile_validator(document: &Value, schema: Value) -> jsonschema::Validator {
    let mut root = match schema {
        Value::Object(map) => map,
        other => {
            let mut m = Map::new();
            m.insert("allOf".into(), Value::Array(vec![other]));
            m
        }
    };
    let mut components = document.get("components").cloned().unwrap_or(Value::Null);
    translate_openapi_schema(&mut components);
    root.insert("components".into(), components);
    let mut root = Value::Object(root);
    translate_openapi_schema(&mut root);
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(&root)
        .expect("the spec's schemas are valid JSON Schema (checked at build time)")
}

fn translate_openapi_schema(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if map.get("nullable") == Some(&Value::Bool(true)) {
                if let Some(Value::String(t)) = map.get("type").cloned() {
                    map.insert("type".into(), Value::Array(vec![Value::String(t), "null".into()]));
                }
            }
            // `example` is an OpenAPI annotation that JSON Schema 2020-12
            // does not know; it must not be mistaken for anything.
            map.remove("example");
            for (_, child) in map.iter_mut() {
                translate_openapi_schema(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(translate_openapi_schema),
        _ => {}
    }
}

/// Validates `instance` and returns every violation, each named by where it is.
pub fn violations(validator: &jsonschema::Validator, instance: &Value, prefix: &str) -> Vec<Violation> {
    let mut out = Vec::new();
    for error in validator.iter_errors(instance) {
        let path = error.instance_path().as_str().trim_start_matches('/').replace('/', ".");
        let at = |p: &str| match (prefix.is_empty(), p.is_empty()) {
            (true, _) => p.to_string(),
            (false, true) => prefix.to_string(),
            (false, false) => format!("{prefix}.{p}"),
        };
        match error.kind() {
            jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected } => {
                for name in unexpected {
                    let field = if path.is_empty() { name.clone() } else { format!("{path}.{name}") };
                    out.push(Violation::new(at(&field), "unknown field"));
                }
            }
            jsonschema::error::ValidationErrorKind::Required { property } => {
                let name = property.as_str().map(str::to_string).unwrap_or_else(|| property.to_string());
                let field = if path.is_empty() { name } else { format!("{path}.{name}") };
                out.push(Violation::new(at(&field), "is required"));
            }
            _ => out.push(Violation::new(at(&path), describe(&error))),
        }
    }
    out
}

/// The validator's message, quoting the offending value only when it is
/// short: an error body never echoes a whole oversized request.
fn describe(error: &jsonschema::ValidationError<'_>) -> String {
    const QUOTE_AT_MOST: usize = 64;
    if error.instance().to_string().len() <= QUOTE_AT_MOST {
        error.to_string()
    } else {
        error.masked_with("the value").to_string()
    }
}

// ---------------------------------------------------------------------------
// Parameters.

/// Where a parameter is read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamIn {
    Path,
    Query,
    Header,
}

/// How a parameter's text becomes JSON before it is validated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamType {
    String,
    Integer,
    Number,
    Boolean,
    /// Repeated (`form`, `explode: true`): each occurrence is one item.
    ArrayOf(ScalarType),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarType {
    String,
    Integer,
    Number,
    Boolean,
}

/// One parameter as the spec declares it.
#[derive(Debug)]
pub struct ParamSpec {
    pub name: &'static str,
    pub location: ParamIn,
    pub description: Option<&'static str>,
    pub required: bool,
    pub ty: ParamType,
    /// The parameter's schema, as JSON text from the spec.
    pub schema: &'static str,
}

/// A set of parameters of one operation in one location, generated as a
/// struct from the spec.
pub trait ParamSet: DeserializeOwned + JsonSchema + Send + Sync + 'static {
    const LOCATION: ParamIn;
    /// The operation's path template (`/a/{id}`), for path parameters.
    const ROUTE: &'static str;
    const PARAMS: &'static [ParamSpec];
    /// Validates the object `{name: value}` built from the parameters.
    fn validator() -> &'static jsonschema::Validator;
}

fn scalar(text: &str, ty: ScalarType) -> Value {
    // Text that does not parse stays a string, so that the validator reports
    // the wrong type in the spec's own words.
    match ty {
        ScalarType::String => Value::String(text.to_string()),
        ScalarType::Integer => text.parse::<i64>().map(Value::from).unwrap_or_else(|_| Value::String(text.to_string())),
        ScalarType::Number => text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .unwrap_or_else(|| Value::String(text.to_string())),
        ScalarType::Boolean => match text {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(text.to_string()),
        },
    }
}

/// Turns raw `(name, text)` pairs into a typed parameter set, or every
/// violation found.
pub fn parse_params<P: ParamSet>(pairs: &[(String, String)]) -> Result<P, Vec<Violation>> {
    let mut object = Map::new();
    for spec in P::PARAMS {
        let mut values = pairs
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(spec.name) && (P::LOCATION == ParamIn::Header || k == spec.name));
        let value = match spec.ty {
            ParamType::ArrayOf(item) => {
                let items: Vec<Value> = values.map(|(_, v)| scalar(v, item)).collect();
                if items.is_empty() {
                    continue;
                }
                Value::Array(items)
            }
            ParamType::String => match values.next_back() {
                Some((_, v)) => scalar(v, ScalarType::String),
                None => continue,
            },
            ParamType::Integer => match values.next_back() {
                Some((_, v)) => scalar(v, ScalarType::Integer),
                None => continue,
            },
            ParamType::Number => match values.next_back() {
                Some((_, v)) => scalar(v, ScalarType::Number),
                None => continue,
            },
            ParamType::Boolean => match values.next_back() {
                Some((_, v)) => scalar(v, ScalarType::Boolean),
                None => continue,
            },
        };
        object.insert(spec.name.to_string(), value);
    }
    let mut object = Value::Object(object);
    let found = violations(P::validator(), &object, "");
    if !found.is_empty() {
        return Err(found);
    }
    // Defaults are applied after validation, from the spec's `default`.
    if let Value::Object(map) = &mut object {
        for spec in P::PARAMS {
            if !map.contains_key(spec.name) {
                if let Some(default) =
                    serde_json::from_str::<Value>(spec.schema).ok().and_then(|s| s.get("default").cloned())
                {
                    map.insert(spec.name.to_string(), default);
                }
            }
        }
    }
    serde_json::from_value(object).map_err(|e| vec![Violation::new("", e.to_string())])
}

/// Path, query or header parameters of one operation, parsed and validated,
/// or what was wrong with them.
#[derive(Debug)]
pub struct Params<P>(Result<P, Vec<Violation>>);

impl<P> Params<P> {
    /// The parameters, with any violations moved into `problems`.
    pub fn take(self, problems: &mut Vec<Violation>) -> Option<P> {
        match self.0 {
            Ok(p) => Some(p),
            Err(mut v) => {
                problems.append(&mut v);
                None
            }
        }
    }
}

#[async_trait::async_trait]
impl<P: ParamSet> SharedExtractor for Params<P> {
    async fn from_request<Context: ServerContext>(rqctx: &RequestContext<Context>) -> Result<Self, HttpError> {
        let pairs: Vec<(String, String)> = match P::LOCATION {
            ParamIn::Path => path_variables(P::ROUTE, rqctx.request.uri().path()),
            ParamIn::Query => form_urlencoded_pairs(rqctx.request.uri().query().unwrap_or("").as_bytes()),
            ParamIn::Header => rqctx
                .request
                .headers()
                .iter()
                .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
                .collect(),
        };
        Ok(Params(parse_params::<P>(&pairs)))
    }

    /// Dropshot's own extractors describe the parameters, from the
    /// generated `JsonSchema` of the set (the spec's parameter schemas).
    fn metadata(body_content_type: ApiEndpointBodyContentType) -> ExtractorMetadata {
        match P::LOCATION {
            ParamIn::Path => <dropshot::Path<P> as SharedExtractor>::metadata(body_content_type),
            ParamIn::Query => <dropshot::Query<P> as SharedExtractor>::metadata(body_content_type),
            ParamIn::Header => <dropshot::Header<P> as SharedExtractor>::metadata(body_content_type),
        }
    }
}

/// Reads the variables of `template` out of a path that Dropshot's router
/// already matched against it, percent-decoded.
fn path_variables(template: &str, path: &str) -> Vec<(String, String)> {
    template
        .split('/')
        .zip(path.split('/'))
        .filter_map(|(t, p)| {
            let name = t.strip_prefix('{')?.strip_suffix('}')?;
            let name = name.split(':').next().unwrap_or(name);
            // `/x/{id}.xml` asks for XML: the suffix is not part of the id.
            let p = p.strip_suffix(".xml").unwrap_or(p);
            Some((name.to_string(), percent_encoding::percent_decode_str(p).decode_utf8_lossy().into_owned()))
        })
        .collect()
}

/// A query string or form body as `(name, value)` pairs, leniently decoded.
pub fn form_urlencoded_pairs(raw: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(raw).unwrap_or_else(|_| {
        // Not valid percent-encoded UTF-8: decode lossily so that the
        // validator reports the value, instead of a blanket failure.
        String::from_utf8_lossy(raw)
            .split('&')
            .filter(|s| !s.is_empty())
            .map(|pair| {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                let decode = |s: &str| {
                    percent_encoding::percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned()
                };
                (decode(k), decode(v))
            })
            .collect()
    })
}

// ---------------------------------------------------------------------------
// Request bodies.

/// A request body type generated from a spec schema.
pub trait RequestBody: DeserializeOwned + JsonSchema + Send + Sync + 'static {
    /// The top-level properties the spec marks `readOnly`.
    const READ_ONLY: &'static [&'static str];
    fn validator() -> &'static jsonschema::Validator;
}

/// A body whose read-only fields were sent: the handler must compare them
/// with the stored object (inside its transaction) before it may use the body.
#[derive(Debug)]
#[must_use = "the read-only fields must be verified before the body is used"]
pub struct Claimed<B> {
    body: B,
    read_only: Map<String, Value>,
}

impl<B> Claimed<B> {
    /// The body before verification: for an operation that must first work
    /// out the object it creates, which it then verifies against.
    pub fn peek(&self) -> &B {
        &self.body
    }

    /// The body, if every read-only field that was sent equals the value of
    /// the same field in `current` (the object as it is, or as it will be).
    pub fn verified_against(self, current: &impl Serialize) -> Result<B, Problem> {
        if self.read_only.is_empty() {
            return Ok(self.body);
        }
        let current = serde_json::to_value(current).map_err(|_| Problem::Internal("Internal server error".into()))?;
        let wrong: Vec<Violation> = self
            .read_only
            .iter()
            .filter(|(name, sent)| current.get(name.as_str()) != Some(sent))
            .map(|(name, _)| Violation::new(name.clone(), "is read-only and differs from the stored value"))
            .collect();
        if wrong.is_empty() {
            Ok(self.body)
        } else {
            Err(Problem::Invalid(wrong))
        }
    }
}

/// The request body of one operation, parsed and validated, or what was wrong
/// with it; and the body as JSON, when it was JSON at all, for the checks the
/// schema cannot express ([`crate::HostadminApi::check_body`]).
#[derive(Debug)]
pub struct Body<B> {
    parsed: Result<Claimed<B>, Vec<Violation>>,
    json: Option<Value>,
}

impl<B> Body<B> {
    /// The body as JSON, if it parsed as JSON (valid against its schema or not).
    pub fn json(&self) -> Option<&Value> {
        self.json.as_ref()
    }

    /// The body with its read-only claims, any violations moved into `problems`.
    pub fn take_claimed(self, problems: &mut Vec<Violation>) -> Option<Claimed<B>> {
        match self.parsed {
            Ok(b) => Some(b),
            Err(mut v) => {
                problems.append(&mut v);
                None
            }
        }
    }

    /// The body of an operation whose schema has no read-only fields.
    pub fn take(self, problems: &mut Vec<Violation>) -> Option<B> {
        self.take_claimed(problems).map(|c| c.body)
    }
}

/// What the [`Body`] extractor does with a request's bytes and content type.
pub fn parse_body<B: RequestBody>(
    bytes: &[u8],
    content_type: Option<&str>,
    expected: &ApiEndpointBodyContentType,
) -> Body<B> {
    let mut json = None;
    let parsed = parse_json_body(bytes, content_type, expected, &mut json);
    Body { parsed, json }
}

fn parse_json_body<B: RequestBody>(
    bytes: &[u8],
    content_type: Option<&str>,
    expected: &ApiEndpointBodyContentType,
    json: &mut Option<Value>,
) -> Result<Claimed<B>, Vec<Violation>> {
    let mime = content_type
        .map(|ct| ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
        .unwrap_or_else(|| expected.mime_type().to_string());
    if mime != expected.mime_type() {
        return Err(vec![Violation::new(
            "",
            format!("expected content type \"{}\", got \"{}\"", expected.mime_type(), mime),
        )]);
    }
    let mut value: Value = match expected {
        ApiEndpointBodyContentType::UrlEncoded => {
            let pairs = form_urlencoded_pairs(bytes);
            // A form is flat: every value is text (the generator admits
            // only string fields in form bodies).
            let mut map = Map::new();
            for (k, v) in pairs {
                map.insert(k, Value::String(v));
            }
            Value::Object(map)
        }
        _ => serde_json::from_slice(bytes).map_err(|e| vec![Violation::new("", format!("malformed JSON: {e}"))])?,
    };
    *json = Some(value.clone());
    let found = violations(B::validator(), &value, "");
    if !found.is_empty() {
        return Err(found);
    }
    let mut read_only = Map::new();
    if let Value::Object(map) = &mut value {
        for name in B::READ_ONLY {
            if let Some(v) = map.remove(*name) {
                read_only.insert((*name).to_string(), v);
            }
        }
    }
    let body = serde_json::from_value(value).map_err(|e| vec![Violation::new("", e.to_string())])?;
    Ok(Claimed { body, read_only })
}

#[async_trait::async_trait]
impl<B: RequestBody> ExclusiveExtractor for Body<B> {
    async fn from_request<Context: ServerContext>(
        rqctx: &RequestContext<Context>,
        request: hyper::Request<dropshot::Body>,
    ) -> Result<Self, HttpError> {
        let content_type = request
            .headers()
            .get(http::header::CONTENT_TYPE)
            .map(|v| v.to_str().map(str::to_string).unwrap_or_default());
        let expected = rqctx.endpoint.body_content_type.clone();
        Ok(match UntypedBody::from_request(rqctx, request).await {
            Ok(bytes) => parse_body::<B>(bytes.as_bytes(), content_type.as_deref(), &expected),
            Err(e) => Body { parsed: Err(vec![Violation::new("", e.external_message)]), json: None },
        })
    }

    fn metadata(content_type: ApiEndpointBodyContentType) -> ExtractorMetadata {
        <TypedBody<B> as ExclusiveExtractor>::metadata(content_type)
    }
}

// ---------------------------------------------------------------------------
// Security.

/// Where an `apiKey` security scheme carries its credential.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyIn {
    Header,
    Cookie,
    Query,
}

/// The credential a security scheme names, read from the request.
pub fn api_key<'a>(
    request: &'a dropshot::RequestInfo,
    location: KeyIn,
    name: &str,
) -> Option<std::borrow::Cow<'a, str>> {
    match location {
        KeyIn::Header => request.headers().get(name).and_then(|v| v.to_str().ok()).map(Into::into),
        KeyIn::Cookie => request
            .headers()
            .get_all(http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|c| c.trim().split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.into()),
        KeyIn::Query => {
            let pairs = form_urlencoded_pairs(request.uri().query().unwrap_or("").as_bytes());
            pairs.into_iter().find(|(k, _)| k == name).map(|(_, v)| v.into())
        }
    }
}

/// Lazily compiled validators, one per schema, shared by generated code.
pub struct LazyValidator {
    cell: OnceLock<jsonschema::Validator>,
    init: fn() -> jsonschema::Validator,
}

impl LazyValidator {
    pub const fn new(init: fn() -> jsonschema::Validator) -> Self {
        Self { cell: OnceLock::new(), init }
    }
    pub fn get(&'static self) -> &'static jsonschema::Validator {
        self.cell.get_or_init(self.init)
    }
}

/// Parses the spec's JSON text once per process.
pub struct LazyDocument {
    cell: OnceLock<Value>,
    text: &'static str,
}

impl LazyDocument {
    pub const fn new(text: &'static str) -> Self {
        Self { cell: OnceLock::new(), text }
    }
    pub fn get(&'static self) -> &'static Value {
        self.cell
            .get_or_init(|| serde_json::from_str(self.text).expect("the spec is valid JSON (checked at build time)"))
    }
}

// ---------------------------------------------------------------------------
// XML, for operations whose spec declares `text/xml` beside JSON.

/// Whether the request asked for XML: `Accept: text/xml` (or
/// `application/xml`), or a path ending in `.xml`.
pub fn wants_xml(request: &dropshot::RequestInfo) -> bool {
    request.uri().path().ends_with(".xml")
        || request
            .headers()
            .get_all(http::header::ACCEPT)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.contains("text/xml") || v.contains("application/xml"))
}

/// A JSON document as XML: root `<result>`, an element per field, an array
/// as its element repeated once per item, `null` as an empty element.
pub fn to_xml(value: &Value) -> String {
    fn text(s: &str, out: &mut String) {
        for c in s.chars() {
            match c {
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '&' => out.push_str("&amp;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&apos;"),
                // Characters XML 1.0 cannot carry at all are dropped.
                c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
                c => out.push(c),
            }
        }
    }
    fn element(name: &str, value: &Value, out: &mut String) {
        match value {
            Value::Array(items) => items.iter().for_each(|item| element(name, item, out)),
            Value::Null => {
                out.push('<');
                out.push_str(name);
                out.push_str(" />");
            }
            other => {
                out.push('<');
                out.push_str(name);
                out.push('>');
                match other {
                    Value::Object(map) => map.iter().for_each(|(k, v)| element(k, v, out)),
                    Value::String(s) => text(s, out),
                    v => out.push_str(&v.to_string()),
                }
                out.push_str("</");
                out.push_str(name);
                out.push('>');
            }
        }
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
    match value {
        Value::Object(_) => element("result", value, &mut out),
        other => element("result", &serde_json::json!({ "response": other }), &mut out),
    }
    out
}

/// A response body that carries its own HTTP status in `statusCode` (an
/// envelope); the generated adapter sets it from the operation's status.
pub trait Envelope {
    fn set_status_code(&mut self, status: u16);
}

/// A success (or, for XML, any) response in the representation the request
/// asked for. JSON goes through Dropshot's own response type `R`; XML is
/// written here.
#[derive(Debug)]
pub struct Negotiated<R>(NegotiatedInner<R>);

#[derive(Debug)]
enum NegotiatedInner<R> {
    Json(R),
    Xml { status: http::StatusCode, body: String },
}

impl<R> Negotiated<R> {
    pub fn json(response: R) -> Self {
        Negotiated(NegotiatedInner::Json(response))
    }

    pub fn xml(status: http::StatusCode, body: &impl Serialize) -> Self {
        let body = serde_json::to_value(body).map(|v| to_xml(&v)).unwrap_or_else(|_| to_xml(&Value::Null));
        Negotiated(NegotiatedInner::Xml { status, body })
    }

    /// The operation's outcome, as JSON or XML: when XML was asked for,
    /// errors are answered as XML too, with their status.
    pub fn answer<T: Serialize, B: Serialize>(
        xml: bool,
        status: http::StatusCode,
        result: Result<T, ErrorResponse<B>>,
        json: impl FnOnce(T) -> R,
    ) -> Result<Self, ErrorResponse<B>> {
        match (result, xml) {
            (Ok(out), true) => Ok(Negotiated::xml(status, &out)),
            (Ok(out), false) => Ok(Negotiated::json(json(out))),
            (Err(e), true) => Ok(Negotiated::xml(e.status.as_status(), &e.body)),
            (Err(e), false) => Err(e),
        }
    }
}

impl<R: dropshot::HttpResponse + Send + Sync + 'static> dropshot::HttpResponse for Negotiated<R> {
    fn to_result(self) -> Result<http::Response<dropshot::Body>, HttpError> {
        match self.0 {
            NegotiatedInner::Json(r) => r.to_result(),
            NegotiatedInner::Xml { status, body } => http::Response::builder()
                .status(status)
                .header(http::header::CONTENT_TYPE, "text/xml; charset=utf-8")
                .body(body.into())
                .map_err(|e| HttpError::for_internal_error(e.to_string())),
        }
    }

    fn response_metadata() -> dropshot::ApiEndpointResponse {
        R::response_metadata()
    }

    fn status_code(&self) -> http::StatusCode {
        match &self.0 {
            NegotiatedInner::Json(r) => r.status_code(),
            NegotiatedInner::Xml { status, .. } => *status,
        }
    }
}
