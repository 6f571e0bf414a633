//! Assembling and starting the server: the generated API description, the
//! two endpoints that are not part of the API (`/docs/`, `/metrics`), the
//! Dropshot settings, TLS, the logger and the idle-connection guard.
//!
//! The two extra endpoints are here, where the server is assembled, because
//! they read the shared state: in [`crate::docs`] or [`crate::metrics`] they
//! would make those modules depend on the state that depends on them.

use dropshot::{Body, ConfigDropshot, HttpError, HttpServer, Path, RequestContext, ServerBuilder};
use http::{header, Response, StatusCode};

use crate::config::Config;
use crate::context::Service;
use crate::docs::{self, DocsPath};
use crate::logging::logger;

/// The server settings (shared with the benchmark's framework ceiling, so
/// that both run Dropshot alike).
pub fn dropshot_config(config: &Config) -> ConfigDropshot {
    ConfigDropshot {
        bind_address: config.bind,
        default_request_body_max_bytes: config.max_body_bytes,
        // A handler runs to completion even if its client goes away, so a
        // write is never cut between the database and the response.
        default_handler_task_mode: dropshot::HandlerTaskMode::Detached,
        ..Default::default()
    }
}

/// Opens the database, migrates it and starts serving.
pub fn start(config: &Config) -> anyhow::Result<HttpServer<Service>> {
    let service = Service::new(config)?;
    let log = logger(config)?;
    let mut api = hostadmin_api::api_description::<Service>().map_err(|e| anyhow::anyhow!("API description: {e}"))?;
    api.register(docs_file).map_err(|e| anyhow::anyhow!("docs endpoint: {e}"))?;
    api.register(metrics).map_err(|e| anyhow::anyhow!("metrics endpoint: {e}"))?;
    api.register(docs_file_head).map_err(|e| anyhow::anyhow!("docs endpoint: {e}"))?;
    api.register(metrics_head).map_err(|e| anyhow::anyhow!("metrics endpoint: {e}"))?;
    let dropshot_config = dropshot_config(config);
    let tls = config.tls.as_ref().map(|(cert_file, key_file)| dropshot::ConfigTls::AsFile {
        cert_file: cert_file.clone(),
        key_file: key_file.clone(),
    });
    let server = ServerBuilder::new(api, service, log.clone())
        .config(dropshot_config)
        .tls(tls)
        .start()
        .map_err(|e| anyhow::anyhow!("cannot serve on {}: {e}", config.bind))?;
    crate::idle::spawn(server.local_addr(), config.tls.is_some(), config.idle_timeout, log);
    tokio::spawn(crate::db::keep_search_index_merged(server.app_private().pool.clone()));
    Ok(server)
}

/// `GET /docs/...`: a file of the docs portal (see [`crate::docs`]).
#[dropshot::endpoint { method = GET, path = "/docs/{path:.*}", unpublished = true }]
async fn docs_file(rqctx: RequestContext<Service>, path: Path<DocsPath>) -> Result<Response<Body>, HttpError> {
    docs::file(path.into_inner(), rqctx.request.uri().path())
}

/// `HEAD /docs/...`: the GET without its body (hyper leaves it unsent), as
/// every GET of the API has (see `hostadmin_api::wire::router`).
#[dropshot::endpoint { method = HEAD, path = "/docs/{path:.*}", unpublished = true }]
async fn docs_file_head(rqctx: RequestContext<Service>, path: Path<DocsPath>) -> Result<Response<Body>, HttpError> {
    docs::file(path.into_inner(), rqctx.request.uri().path())
}

/// `HEAD /metrics`: the GET without its body.
#[dropshot::endpoint { method = HEAD, path = "/metrics", unpublished = true }]
async fn metrics_head(rqctx: RequestContext<Service>) -> Result<Response<Body>, HttpError> {
    metrics_response(&rqctx)
}

/// `GET /metrics`: not part of the API (unpublished), unauthenticated, and
/// 404 unless the service was started with metrics on.
#[dropshot::endpoint { method = GET, path = "/metrics", unpublished = true }]
async fn metrics(rqctx: RequestContext<Service>) -> Result<Response<Body>, HttpError> {
    metrics_response(&rqctx)
}

fn metrics_response(rqctx: &RequestContext<Service>) -> Result<Response<Body>, HttpError> {
    let service = rqctx.context();
    let Some(counters) = service.metrics.as_ref() else {
        return Err(HttpError::for_not_found(None, "metrics are off".into()));
    };
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
        .body(Body::from(counters.render(service.pool.state(), service.pool.write_stats())))
        .map_err(|e| HttpError::for_internal_error(e.to_string()))
}
