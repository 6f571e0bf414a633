//! Errors: what can be wrong with a request or an operation ([`Problem`],
//! [`Violation`]), and how a surface's error schema answers it
//! ([`ErrorBody`], [`ErrorResponse`]).

use std::fmt;

use dropshot::{ErrorStatusCode, HttpError, HttpResponseError};
use schemars::JsonSchema;
use serde::Serialize;

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
    /// No resource has this path (the router's 404); the text names the request.
    NoRoute(String),
    /// The path has no such method (the router's 405; `Allow` says which it has).
    MethodNotAllowed(String),
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
            | Problem::NoRoute(m)
            | Problem::MethodNotAllowed(m)
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
            404 => Problem::NoRoute(e.external_message),
            405 => Problem::MethodNotAllowed(e.external_message),
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
