//! The contract as the service serves it: the spec at `GET /openapi.json`,
//! and the docs portal at `/docs/`, the static pages `build.rs` generated
//! from the spec, embedded in the binary. The portal is not part of the API,
//! so not in the spec (the endpoint is unpublished) and not behind
//! authentication.
//!
//! The endpoint itself is assembled with the server ([`crate::startup`]);
//! this module only finds and answers the page, so it depends on no other
//! module.

use dropshot::{Body, HttpError};
use hostadmin_api::types::OpenApiDocument;
use hostadmin_api::wire::Problem;
use http::{header, Response, StatusCode};
use schemars::JsonSchema;
use serde::Deserialize;

/// `GET /openapi.json`: the spec, verbatim.
pub fn openapi_document() -> Result<OpenApiDocument, Problem> {
    serde_json::from_str(hostadmin_api::SPEC_JSON).map_err(|_| Problem::Internal("spec".into()))
}

/// The path under `/docs/`, split into segments.
#[derive(Deserialize, JsonSchema)]
pub struct DocsPath {
    path: Vec<String>,
}

/// The portal is static HTML, one stylesheet and one script, all its own:
/// nothing else may load or run in its pages (a value that reached a page
/// from the spec could not run a script), no type is guessed, and no page
/// may be framed.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

fn respond(
    status: StatusCode,
    headers: &[(header::HeaderName, &str)],
    body: &'static str,
) -> Result<Response<Body>, HttpError> {
    let mut response = Response::builder()
        .status(status)
        .header(header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY)
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        .header(header::REFERRER_POLICY, "no-referrer");
    for (name, value) in headers {
        response = response.header(name, *value);
    }
    response.body(Body::from(body)).map_err(|e| HttpError::for_internal_error(e.to_string()))
}

/// A file of the portal; `/docs` itself (`request_path` without the
/// trailing slash) redirects to `/docs/` so that the pages' relative links
/// resolve.
pub fn file(path: DocsPath, request_path: &str) -> Result<Response<Body>, HttpError> {
    let segments = path.path;
    if segments.is_empty() && !request_path.ends_with('/') {
        return respond(StatusCode::PERMANENT_REDIRECT, &[(header::LOCATION, "/docs/")], "");
    }
    let wanted = if segments.is_empty() { "index.html".to_string() } else { segments.join("/") };
    match hostadmin_api::docs::FILES.iter().find(|(p, _)| *p == wanted) {
        Some((p, content)) => respond(
            StatusCode::OK,
            &[(header::CONTENT_TYPE, hostadmin_api::docs::content_type(p)), (header::CACHE_CONTROL, "no-cache")],
            content,
        ),
        None => Err(HttpError::for_not_found(None, format!("no docs page {wanted}"))),
    }
}
