//! # System servers: the grommunio admin API surface
//!
//! `/api/v1/login` and `/api/v1/system/servers...` speak the wire contract of
//! grommunio's admin API, so that a client written against grommunio's docs
//! works by changing only host and credentials.
//!
//! ## Shape, and why
//!
//! * **Session, not bearer token.** Login takes a form (`user`, `pass`) and
//!   answers `{grommunioAuthJwt, csrf}`; the JWT comes back in the
//!   `grommunioAuthJwt` cookie and every non-GET request also carries
//!   `X-Csrf-Token`. The spec says this with two `apiKey` schemes (cookie and
//!   header) required together on writes, instead of an ad-hoc header
//!   parameter, so generated clients and contract testers send both. We also
//!   send `Set-Cookie` (HttpOnly, SameSite=Strict), which grommunio does not;
//!   browsers benefit and API clients ignore it.
//! * **One error schema, several shapes.** grommunio answers 400 with
//!   `{message, errors[]}`, 401 with `{message, error}` and 404/503 with
//!   `{message}`. The spec declares one `SystemError` with `message` required
//!   and `error`/`errors` optional: every body above is an instance of it, and
//!   Progenitor (which accepts one error type per operation) can read it.
//! * **Errors in grommunio's order**: 401 (no or bad session, bad CSRF), then
//!   400 listing *every* way the request misses the spec, then 403 for
//!   read-only admins, then 404, then the constraint 400s (`error` set), 503
//!   when the database fails, and a 500 without internals.
//! * **Levels** 0–2 pick the detail of an object (lists default to 1, single
//!   objects to 2) as in grommunio; read-only fields (`ID`, `users`,
//!   `domains`) may be echoed back in a PATCH only with their current value.
//!
//! ## Quirks refused
//!
//! * grommunio's 404 body for servers reads `" not found"` (an empty object
//!   name); ours names the object.
//! * A wrong method is a 405 `{"message": "Method Not Allowed", "error"}`
//!   with `Allow`, and a path that is only the start of others (`/api/v1`,
//!   `/api/v1/system`) a 404 `{"message": "Not Found", "error"}`, both in
//!   this shape (see [`crate::wire::router`]); a segment the router has never
//!   seen is still answered by Dropshot, whose body carries `message` too.

use dropshot::ErrorStatusCode;

use crate::types::SystemError;
use crate::wire::{ErrorBody, Problem};

impl ErrorBody for SystemError {
    fn from_problem(problem: Problem) -> (ErrorStatusCode, Self) {
        let body = |message: &str, error: Option<String>, errors: Vec<String>| SystemError {
            message: message.to_string(),
            error,
            errors,
        };
        match problem {
            Problem::Unauthenticated(why) => (ErrorStatusCode::UNAUTHORIZED, body("Access denied", Some(why), vec![])),
            Problem::Forbidden(why) => {
                (ErrorStatusCode::FORBIDDEN, body(&format!("Access denied: {why}"), None, vec![]))
            }
            Problem::Invalid(violations) => (
                ErrorStatusCode::BAD_REQUEST,
                body("Bad Request", None, violations.iter().map(ToString::to_string).collect()),
            ),
            Problem::Conflict(why) => (ErrorStatusCode::BAD_REQUEST, body("Bad Request", Some(why), vec![])),
            Problem::NotFound(what) => (ErrorStatusCode::NOT_FOUND, body(&what, None, vec![])),
            Problem::NoRoute(why) => (ErrorStatusCode::NOT_FOUND, body("Not Found", Some(why), vec![])),
            Problem::MethodNotAllowed(why) => {
                (ErrorStatusCode::METHOD_NOT_ALLOWED, body("Method Not Allowed", Some(why), vec![]))
            }
            Problem::Throttled(why) => {
                (ErrorStatusCode::TOO_MANY_REQUESTS, body("Too Many Requests", Some(why), vec![]))
            }
            Problem::TooLarge(why) => {
                (ErrorStatusCode::PAYLOAD_TOO_LARGE, body("Payload Too Large", Some(why), vec![]))
            }
            Problem::Unavailable(_) => {
                (ErrorStatusCode::SERVICE_UNAVAILABLE, body("The database query failed", None, vec![]))
            }
            Problem::Internal(_) => {
                (ErrorStatusCode::INTERNAL_SERVER_ERROR, body("Internal server error", None, vec![]))
            }
        }
    }
}
