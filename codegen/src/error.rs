//! Why the generator refuses a spec. Every refusal names where it is: the
//! operation (by `operationId`, or method and path before one is known) and
//! the JSON pointer into the spec, so a build failure reads like a compiler
//! error pointing at the line to fix.

use std::collections::BTreeSet;

use crate::refs::RefError;

/// A refusal, with where it was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("openapi must be 3.0.x (Progenitor reads no other), found {0:?}")]
    Version(String),
    #[error("the spec has no paths")]
    NoPaths,
    #[error("{method} {path}: no operationId (at {pointer})")]
    NoOperationId { method: String, path: String, pointer: String },
    #[error("operation {operation}: {refusal} (at {pointer})")]
    Operation { operation: String, pointer: String, refusal: Refusal },
    #[error("security scheme {scheme}: {refusal} (at {pointer})")]
    SecurityScheme { scheme: String, pointer: String, refusal: Refusal },
    #[error("schema {schema}: {message} (at {pointer})")]
    Schema { schema: String, pointer: String, message: String },
    #[error("{0}")]
    Ref(#[from] RefError),
}

/// What is wrong, independent of where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("this operationId is taken by a method of the HostadminApi trait")]
    TakenByTrait,
    #[error("operationId {0:?} is used twice")]
    DuplicateOperationId(String),
    #[error("parameter without {0}")]
    ParameterWithout(&'static str),
    #[error("parameter location {0:?} is not supported")]
    ParameterLocation(String),
    #[error("cookie parameters are not supported; use a security scheme")]
    CookieParameter,
    #[error("parameter {0} has no schema")]
    ParameterWithoutSchema(String),
    #[error("parameter {name}: unsupported parameter type {ty}")]
    ParameterType { name: String, ty: String },
    #[error("parameter {0}: array parameter without items")]
    ArrayWithoutItems(String),
    #[error("parameter {0}: default must be a scalar or a list of scalars")]
    ParameterDefault(String),
    #[error("requestBody without content")]
    BodyWithoutContent,
    #[error("a request body must have exactly one media type")]
    BodyMediaTypes,
    #[error("unsupported request media type {0}")]
    RequestMediaType(String),
    #[error("request body without schema")]
    BodyWithoutSchema,
    #[error("request body schemas must be components ($ref), so they have names")]
    BodyNotComponent,
    #[error("form field {0} must be a string")]
    FormFieldNotString(String),
    #[error("no responses")]
    NoResponses,
    #[error("response {0}: use explicit status codes")]
    StatusNotExplicit(String),
    #[error("response {status}: unsupported media type {media_type}")]
    ResponseMediaType { status: u16, media_type: String },
    #[error("response {0} has no application/json")]
    ResponseWithoutJson(u16),
    #[error("error response {0} needs a component schema")]
    ErrorNotComponent(u16),
    #[error("exactly one success response is supported (Progenitor takes no more), found {0}")]
    SuccessCount(usize),
    #[error("unsupported success response {0}")]
    SuccessStatus(u16),
    #[error("all error responses must share one schema, found {0:?}")]
    ErrorSchemas(BTreeSet<String>),
    #[error("no security requirement (write `security: []` for none)")]
    NoSecurity,
    #[error("security must be a list")]
    SecurityNotList,
    #[error("unknown security scheme {0}")]
    UnknownScheme(String),
    #[error("only apiKey schemes are supported")]
    NotApiKey,
    #[error("no `{0}`")]
    SchemeWithout(&'static str),
    #[error("apiKey location {0:?} is not header, cookie or query")]
    KeyLocation(String),
    #[error("{0}")]
    Ref(RefError),
}

/// Builds [`Error::Operation`]s for one operation.
#[derive(Debug, Clone)]
pub struct At {
    pub operation: String,
    pub pointer: String,
}

impl At {
    /// `refusal` at this operation, under `suffix` of its pointer.
    pub fn refuse(&self, suffix: &str, refusal: Refusal) -> Error {
        let pointer = if suffix.is_empty() { self.pointer.clone() } else { format!("{}/{suffix}", self.pointer) };
        Error::Operation { operation: self.operation.clone(), pointer, refusal }
    }
}
