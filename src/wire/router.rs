//! What the router answers by itself, in the surface's own shape: 405 (with
//! `Allow`) for a method a path does not have, 404 for a path that is only
//! the beginning of others, and `OPTIONS` on every path.
//!
//! Dropshot's router answers these in its own shape
//! (`{request_id, error_code, message}`) and offers no hook to change that:
//! neither a custom error type (it covers handlers, not routing) nor a
//! server option reaches it. So the router is given nothing to refuse: the
//! generated [`crate::api_description`] registers, next to every operation,
//! unpublished endpoints (built here, at start) for every other method of
//! the same path, and for every path prefix the spec's paths share within
//! one surface (`/api/v1/system`, `/api/2.0/group/{groupid}/members` ...).
//! They answer in the error schema of the operations at (or under) that
//! path, as XML when the surface offers XML and the request asks for it.
//!
//! What this cannot reach, and stays in Dropshot's shape: a literal segment
//! the router has never seen (`/api/v1/nonsense`). Dropshot's router keeps,
//! per segment, either literal edges or one variable edge, never both, so no
//! endpoint can catch "any other name" beside `login` and `system`; doing so
//! would need a layer in front of Dropshot's connection handling, which it
//! does not expose. Those answers still carry `message`.

use std::future::Future;
use std::pin::Pin;

use dropshot::{
    ApiEndpoint, ApiEndpointBodyContentType, ApiEndpointParameter, ApiEndpointParameterLocation, ApiEndpointVersions,
    Body, HttpError, RequestContext, ServerContext, SharedExtractor,
};
use http::{header, Method, Response, StatusCode};
use serde::Serialize;

use super::{wants_xml, CrossOrigin, ErrorBody, Problem, XmlElements};

/// What an unpublished routing endpoint answers.
#[derive(Clone, Copy, Debug)]
pub enum Fallback {
    /// 405, with these methods in `Allow` (`"GET, HEAD, OPTIONS"`).
    NotAllowed(&'static str),
    /// 404: the path is a prefix of others, not a resource.
    NotFound,
    /// `OPTIONS`: 204 with `Allow`, and a CORS preflight's headers when
    /// the service's policy grants it (see [`super::cors`]).
    Options(&'static str),
}

type Answer = Pin<Box<dyn Future<Output = Result<Response<Body>, HttpError>> + Send>>;

/// An unpublished endpoint at `path` for `method`, answering `fallback` with
/// error schema `B`; `xml` when the surface offers XML there.
pub fn fallback_endpoint<S: CrossOrigin, B: ErrorBody + XmlElements>(
    method: Method,
    path: &str,
    fallback: Fallback,
    xml: bool,
) -> ApiEndpoint<S> {
    let handler = move |rqctx: RequestContext<S>| -> Answer {
        Box::pin(async move { Ok(answer::<S, B>(&rqctx, fallback, xml)) })
    };
    let id = format!("{} {} (routing)", method, path);
    let mut endpoint = ApiEndpoint::new(id, handler, method, "application/json", path, ApiEndpointVersions::All);
    endpoint.parameters = path_variables(path).into_iter().map(path_parameter).collect();
    endpoint.visible(false)
}

fn answer<S: CrossOrigin, B: ErrorBody + XmlElements>(
    rqctx: &RequestContext<S>,
    fallback: Fallback,
    xml: bool,
) -> Response<Body> {
    let request = &rqctx.request;
    let (method, path) = (request.method().clone(), request.uri().path().to_string());
    let (problem, allow) = match fallback {
        Fallback::Options(allow) => {
            let mut response = Response::new(Body::empty());
            *response.status_mut() = StatusCode::NO_CONTENT;
            response.headers_mut().insert(header::ALLOW, http::HeaderValue::from_static(allow));
            if let Some(cors) = rqctx.context().cors() {
                response.headers_mut().extend(cors.preflight_headers(request, allow));
            }
            return response;
        }
        Fallback::NotAllowed(allow) => {
            (Problem::MethodNotAllowed(format!("{method} is not allowed on {path}; allowed: {allow}")), Some(allow))
        }
        Fallback::NotFound => (Problem::NoRoute(format!("No route for {method} {path}")), None),
    };
    let (status, body) = B::from_problem(problem);
    let mut response = error_response(status.as_status(), &body, xml && wants_xml(request));
    if let Some(allow) = allow {
        response.headers_mut().insert(header::ALLOW, http::HeaderValue::from_static(allow));
    }
    response.headers_mut().extend(super::cors_headers(rqctx));
    response
}

/// An error body as a response, JSON or XML.
pub fn error_response<B: Serialize + XmlElements>(status: StatusCode, body: &B, xml: bool) -> Response<Body> {
    let value = serde_json::to_value(body).unwrap_or(serde_json::Value::Null);
    let (content_type, text) = if xml {
        ("text/xml; charset=utf-8", super::to_xml_in(&value, B::xml_layout()))
    } else {
        ("application/json", value.to_string())
    };
    let mut response = Response::new(Body::from(text));
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, http::HeaderValue::from_static(content_type));
    response
}

/// The variables of a route template (`/a/{x}/b/{y}` -> `x`, `y`).
fn path_variables(path: &str) -> Vec<String> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|s| s.split(':').next().unwrap_or(s).to_string())
        .collect()
}

/// A path parameter named `name` (a string): Dropshot refuses an endpoint
/// whose path variables its parameters do not list. Its schema is taken
/// from Dropshot's own `Path` extractor, the one public way to make one.
fn path_parameter(name: String) -> ApiEndpointParameter {
    #[derive(serde::Deserialize, schemars::JsonSchema)]
    #[allow(dead_code)]
    struct Segment {
        segment: String,
    }
    let mut metadata = <dropshot::Path<Segment> as SharedExtractor>::metadata(ApiEndpointBodyContentType::Json);
    let parameter = metadata.parameters.pop().expect("one path parameter");
    ApiEndpointParameter::new_named(&ApiEndpointParameterLocation::Path, name, None, true, parameter.schema, vec![])
}

/// Registers `endpoints` into `api`, or says which one Dropshot refused.
pub fn register_all<S: ServerContext>(
    api: &mut dropshot::ApiDescription<S>,
    endpoints: Vec<ApiEndpoint<S>>,
) -> Result<(), dropshot::ApiDescriptionBuildErrors> {
    let mut errors = Vec::new();
    for endpoint in endpoints {
        if let Err(e) = api.register(endpoint) {
            errors.push(e);
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(dropshot::ApiDescriptionBuildErrors::new(errors))
    }
}
