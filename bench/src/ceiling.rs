//! The framework ceiling: what Dropshot alone costs for the same answer.
//!
//! `GET|POST|PATCH /ceiling/{status}/{case}` answers `status` with the body
//! recorded from the service for `case` (`DIR/CASE.json`), under the same
//! server settings as the service (request body limit, detached handlers,
//! the same logger), with no authentication, validation or database. The
//! bench sends it the service's requests as they are, session headers
//! included: parsing them is Dropshot's work, which it ignores after that. A
//! request body is read and, if it is JSON, parsed, as any handler must.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use dropshot::{endpoint, ApiDescription, Body, HttpError, Path, RequestContext, ServerBuilder, UntypedBody};
use http::{header, Response, StatusCode};
use schemars::JsonSchema;
use serde::Deserialize;

#[derive(clap::Args)]
pub struct Args {
    #[arg(long, default_value = "127.0.0.1:0")]
    bind: SocketAddr,
    /// A directory of recorded bodies, one `CASE.json` per case.
    #[arg(long)]
    bodies: PathBuf,
}

struct Bodies(HashMap<String, Arc<[u8]>>);

#[derive(Deserialize, JsonSchema)]
struct CasePath {
    status: u16,
    case: String,
}

fn answer(rqctx: &RequestContext<Bodies>, path: CasePath) -> Result<Response<Body>, HttpError> {
    let body = rqctx
        .context()
        .0
        .get(&path.case)
        .ok_or_else(|| HttpError::for_not_found(None, format!("no body recorded for {}", path.case)))?;
    let status = StatusCode::from_u16(path.status).map_err(|e| HttpError::for_bad_request(None, e.to_string()))?;
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_vec()))
        .map_err(|e| HttpError::for_internal_error(e.to_string()))
}

fn read_body(body: UntypedBody) -> Result<(), HttpError> {
    let bytes = body.as_bytes();
    if bytes.first() == Some(&b'{') {
        serde_json::from_slice::<serde_json::Value>(bytes)
            .map_err(|e| HttpError::for_bad_request(None, e.to_string()))?;
    }
    Ok(())
}

#[endpoint { method = GET, path = "/ceiling/{status}/{case}" }]
async fn ceiling_get(rqctx: RequestContext<Bodies>, path: Path<CasePath>) -> Result<Response<Body>, HttpError> {
    answer(&rqctx, path.into_inner())
}

#[endpoint { method = POST, path = "/ceiling/{status}/{case}" }]
async fn ceiling_post(
    rqctx: RequestContext<Bodies>,
    path: Path<CasePath>,
    body: UntypedBody,
) -> Result<Response<Body>, HttpError> {
    read_body(body)?;
    answer(&rqctx, path.into_inner())
}

#[endpoint { method = PATCH, path = "/ceiling/{status}/{case}" }]
async fn ceiling_patch(
    rqctx: RequestContext<Bodies>,
    path: Path<CasePath>,
    body: UntypedBody,
) -> Result<Response<Body>, HttpError> {
    read_body(body)?;
    answer(&rqctx, path.into_inner())
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let mut bodies = HashMap::new();
    for entry in std::fs::read_dir(&args.bodies).with_context(|| format!("{}", args.bodies.display()))? {
        let path = entry?.path();
        if let Some(case) = path.file_stem().and_then(|s| s.to_str()) {
            bodies.insert(case.to_string(), Arc::from(std::fs::read(&path)?));
        }
    }
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        let mut api = ApiDescription::new();
        api.register(ceiling_get)?;
        api.register(ceiling_post)?;
        api.register(ceiling_patch)?;
        // The service's defaults, as `xtask bench` runs it.
        let defaults = hostadmin_server::Config::new(args.bind, hostadmin_server::db::Location::Sqlite(PathBuf::new()));
        let config = hostadmin_server::startup::dropshot_config(&defaults);
        let log = hostadmin_server::logging::logger(&defaults)?;
        let server = ServerBuilder::new(api, Bodies(bodies), log)
            .config(config)
            .start()
            .map_err(|e| anyhow::anyhow!("ceiling: {e}"))?;
        // The same line the service prints, so one reader finds both ports.
        eprintln!("hostadmin listening on http://{}", server.local_addr());
        server.await.map_err(|e| anyhow::anyhow!(e))
    })
}
