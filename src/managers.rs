//! # Hosting managers: the Qboxmail API surface
//!
//! `/api/managers...`, `/api/domains...` and `/api/delivery/...` speak the
//! wire contract of Qboxmail's API, so that a client written against its docs
//! (the seed `qboxmail-update-manager.txt`) works by changing only host and
//! token.
//!
//! ## Shape, and why
//!
//! * **`X-Api-Token` on every operation**, one `apiKey` scheme. Tokens are
//!   made by the CLI (`hostadmin token create`), shown once, stored hashed
//!   and compared in constant time. A platform token (of an administrator
//!   account) sees everything; a manager's own token sees and changes only
//!   that manager and what is assigned to it. Another manager's object
//!   answers 404 exactly as a missing one does (a 403 would tell a tenant
//!   that the code exists); a permission it lacks on its own objects is 403.
//! * **One error schema**, `ManagersError {message, errors[]}`: 401, 403 and
//!   404 carry `errors: []`, a 422 lists `{field, description}` for *every*
//!   failing field at once: the schema's own checks and the ones it cannot
//!   express (password confirmation, codes that must exist, limits) are
//!   gathered into the same answer.
//! * **Codes, not ids**: managers `MN` + 8 digits, hosting domains `DD` + 8
//!   digits (as the product's), and, for the two kinds the product's docs do
//!   not show, Delivery domains `DV` + 8 digits and Delivery accounts `DA` +
//!   8 digits, so that `assign/delivery` can tell them apart by prefix.
//! * **Lists** answer `{resources, pagination}` with `page`, `per` (25),
//!   `query`, `status`, `sort_field`, `sort`, as the product does.
//!
//! ## Quirks refused or settled
//!
//! * The product documents `max_email_quota` as int32 while listing values up
//!   to 100 GB: the spec says int64.
//! * "An empty success" on update is answered 204 No Content (and so are
//!   delete, activate, deactivate and assign), rather than a 200 whose body
//!   is empty, which is not valid JSON for clients that parse every body.
//! * A path code that does not match its pattern is a 422 on that field, not
//!   a 404: the request is malformed, not aimed at a missing resource.
//! * A wrong method is a 405 `{"message": "Method not allowed", "errors":
//!   []}` with `Allow`, a path prefix (`/api/delivery`) a 404 `{"message":
//!   "Not found", "errors": []}` (see [`crate::wire::router`]).

use dropshot::ErrorStatusCode;

use crate::types::{FieldError, ManagersError};
use crate::wire::{ErrorBody, Problem};

impl ErrorBody for ManagersError {
    fn from_problem(problem: Problem) -> (ErrorStatusCode, Self) {
        let bare = |message: &str| ManagersError { message: message.to_string(), errors: vec![] };
        match problem {
            Problem::Unauthenticated(_) => (ErrorStatusCode::UNAUTHORIZED, bare("Unauthorized")),
            Problem::Forbidden(_) => (ErrorStatusCode::FORBIDDEN, bare("Forbidden")),
            Problem::NotFound(_) | Problem::NoRoute(_) => (ErrorStatusCode::NOT_FOUND, bare("Not found")),
            Problem::MethodNotAllowed(_) => (ErrorStatusCode::METHOD_NOT_ALLOWED, bare("Method not allowed")),
            Problem::Invalid(violations) => (
                ErrorStatusCode::UNPROCESSABLE_ENTITY,
                ManagersError {
                    message: "Validation failed".into(),
                    errors: violations
                        .into_iter()
                        .map(|v| FieldError {
                            field: if v.field.is_empty() { "base".into() } else { v.field },
                            description: v.message,
                        })
                        .collect(),
                },
            ),
            Problem::Conflict(why) => (
                ErrorStatusCode::UNPROCESSABLE_ENTITY,
                ManagersError {
                    message: "Validation failed".into(),
                    errors: vec![FieldError { field: "base".into(), description: why }],
                },
            ),
            Problem::TooLarge(_) => (ErrorStatusCode::PAYLOAD_TOO_LARGE, bare("Payload too large")),
            Problem::Throttled(_) => (ErrorStatusCode::TOO_MANY_REQUESTS, bare("Too many requests")),
            Problem::Unavailable(_) => (ErrorStatusCode::SERVICE_UNAVAILABLE, bare("Service unavailable")),
            Problem::Internal(_) => (ErrorStatusCode::INTERNAL_SERVER_ERROR, bare("Internal server error")),
        }
    }
}
