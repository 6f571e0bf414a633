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
//!   the product allows), written as the product's .NET
//!   clients read it: root `<result>`; elements in the order the spec lists
//!   the properties, which is the product's `DataMember` order (base type
//!   first, then `Order`, then name), because `DataContractSerializer` skips
//!   members that come out of order; an array as its element repeated, as
//!   the seed shows for `Members`, and an empty required array as one empty
//!   element. Characters XML 1.0 cannot carry are dropped from XML text
//!   (JSON keeps the stored value): refusing them at write time would reject
//!   data other surfaces accept. Errors follow the format asked for.
//! * **Token auth**: `POST /api/2.0/authentication` (the administrator
//!   accounts of the system surface) answers a signed token; the
//!   `Authorization` header carries it raw or as `Bearer`.
//! * **People are the product's profiles** (`EmployeeWraperFull`), added and
//!   updated with the product's own fields (`email`, `firstname`,
//!   `lastname`, ...). A person whose e-mail is on a hosting domain lives on
//!   it and counts in its server's `users`; other addresses are kept and
//!   count nowhere, since the product's people need not be mail users.
//!   `GET /people/{userid}` also takes a user name, `@self` and `email`
//!   (`?email=`): Dropshot's router cannot hold literal segments beside a
//!   variable one, so the product's `/people/@self` and `/people/email`
//!   arrive as values of `{userid}`.
//! * GUIDs are answered in lower case and accepted in any case; the quotes
//!   around the GUID in the seed's own example request (`/group/%22...%22`)
//!   are accepted too.
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
//! * People: a missing `isVisitor` on update keeps the person's type (the
//!   product reads it as `false` and turns a guest into a user); a person
//!   need not be disabled before it is deleted; an unknown `department`
//!   group is a 400 (the product skips it silently); `files` (an avatar URL)
//!   is accepted and never fetched, since fetching a caller's URL from the
//!   server invites request forgery; e-mail addresses are stored in lower
//!   case. The quota members (`QuotaLimit`, `UsedSpace`, ...) are not
//!   served: hostadmin keeps no documents.

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
