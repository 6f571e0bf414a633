//! # Groups and people: the ONLYOFFICE Community Server API surface
//!
//! `/api/2.0/authentication`, `/api/2.0/people...` and `/api/2.0/group...`
//! speak the wire contract of ONLYOFFICE's API (the seed
//! `onlyoffice-update-group.txt`), in JSON and in XML.
//!
//! ## Shape, and why
//!
//! * **The envelope is in the spec**: every answer is a schema with `status`,
//!   `statusCode` and `response` (lists add `count`, `startIndex`, `total`),
//!   so clients and docs see exactly what comes over the wire. The generated
//!   adapter sets `statusCode` from the operation's own status, so a handler
//!   cannot make the two disagree.
//! * **XML is a second media type of the same responses**, declared in the
//!   spec and produced by the generated adapter (an `Accept` that weighs XML
//!   above JSON, see [`crate::wire::accept`], or a path ending in `.xml` as
//!   the product allows): the JSON document turned into
//!   elements under `<result>`, an array as its element repeated, as the
//!   seed shows for `Members`. Errors follow the format asked for.
//! * **Token auth**: `POST /api/2.0/authentication` (the administrator
//!   accounts of the system surface) answers a signed token; the
//!   `Authorization` header carries it raw or as `Bearer`.
//! * **People are the users on hosting domains**, so they count in their
//!   server's `users`. GUIDs are answered in lower case and accepted in any
//!   case; the quotes around the GUID in the seed's own example request
//!   (`/group/%22...%22`) are accepted too.
//!
//! ## Quirks refused
//!
//! * The product answers 500 when `members` is missing from an update; here
//!   `members` is required and its absence is a 400 naming it.
//! * An unknown member or manager GUID is a 400 naming the field, a malformed
//!   GUID a 400 from the schema; an unknown group or person a 404.
//! * Wrong methods (405, with `Allow`) and path prefixes (`/api/2.0`: 404)
//!   come in this envelope too, as XML when asked (see
//!   [`crate::wire::router`]), not in the framework's own shape.
//! * There is no separate search endpoint: `filterValue` on the list is the
//!   search by name (a `/group/search` path would collide with
//!   `/group/{groupid}` in the router).

use dropshot::ErrorStatusCode;

use crate::types::{OnlyofficeError, OnlyofficeErrorError};
use crate::wire::{ErrorBody, Problem};

impl ErrorBody for OnlyofficeError {
    fn from_problem(problem: Problem) -> (ErrorStatusCode, Self) {
        let (status, message) = match problem {
            Problem::Unauthenticated(_) => (ErrorStatusCode::UNAUTHORIZED, "Unauthorized".to_string()),
            Problem::Forbidden(_) => (ErrorStatusCode::FORBIDDEN, "Access denied".to_string()),
            Problem::Invalid(v) => {
                (ErrorStatusCode::BAD_REQUEST, v.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
            }
            Problem::Conflict(m) => (ErrorStatusCode::BAD_REQUEST, m),
            Problem::NotFound(what) => (ErrorStatusCode::NOT_FOUND, format!("{what} not found")),
            Problem::NoRoute(why) => (ErrorStatusCode::NOT_FOUND, why),
            Problem::MethodNotAllowed(why) => (ErrorStatusCode::METHOD_NOT_ALLOWED, why),
            Problem::TooLarge(_) => (ErrorStatusCode::PAYLOAD_TOO_LARGE, "Payload too large".to_string()),
            Problem::Throttled(why) => (ErrorStatusCode::TOO_MANY_REQUESTS, why),
            Problem::Unavailable(_) => (ErrorStatusCode::SERVICE_UNAVAILABLE, "Service unavailable".to_string()),
            Problem::Internal(_) => (ErrorStatusCode::INTERNAL_SERVER_ERROR, "Internal server error".to_string()),
        };
        let body = OnlyofficeError {
            status: 1,
            status_code: i32::from(status.as_u16()),
            error: OnlyofficeErrorError { message },
        };
        (status, body)
    }
}
