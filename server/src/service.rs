//! The service: state shared by all requests, and the implementation of the
//! generated [`HostadminApi`] trait, which hands each operation to its
//! domain module.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use dropshot::{ConfigDropshot, HttpServer, RequestContext, ServerBuilder};
use hostadmin_api::types::{
    AuthEnvelope, AuthRequest, AuthToken, GroupCreate, GroupEnvelope, GroupListEnvelope, GroupManager, GroupMembers,
    GroupUpdate, PersonCreate, PersonEnvelope, PersonListEnvelope, PersonUpdate,
};
use hostadmin_api::types::{
    DeliveryAccount, DeliveryAccountCreate, DeliveryAccountList, DeliveryAssignment, DeliveryDomain,
    DeliveryDomainCreate, DeliveryDomainList, Domain, DomainCreate, DomainList, LoginForm, LoginResult, Manager,
    ManagerCreate, ManagerList, ManagerUpdate, Message, ResourceCreated, Server, ServerCreate, ServerList,
    ServerUpdate,
};
use hostadmin_api::types::{Health, HealthStatus};
use hostadmin_api::wire::{Claimed, Problem, Violation, WithHeaders};
use hostadmin_api::{
    DeliveryAccountDeletePath, DeliveryAccountGetPath, DeliveryAccountListQuery, DeliveryDomainDeletePath,
    DeliveryDomainGetPath, DeliveryDomainListQuery, DomainDeletePath, DomainGetPath, DomainListQuery, HostadminApi,
    ManagerActivatePath, ManagerAssignDeliveryPath, ManagerDeactivatePath, ManagerDeletePath, ManagerGetPath,
    ManagerListQuery, ManagerUpdatePath, Operation, SecurityScheme, ServerDeletePath, ServerGetPath, ServerGetQuery,
    ServerListQuery, ServerUpdatePath,
};
use hostadmin_api::{
    GroupDeletePath, GroupGetPath, GroupListQuery, GroupManagerSetPath, GroupMembersAddPath, GroupMembersMovePath,
    GroupMembersRemovePath, GroupMembersReplacePath, GroupUpdatePath, PeopleListQuery, PersonDeletePath, PersonGetPath,
    PersonUpdatePath,
};

use crate::accounts::{self, now_unix};
use crate::auth::{self, Principal, SigningKey};
use crate::db::{self, DbOptions, Location, Pool};
use crate::{delivery_accounts, delivery_domains, domains, groups, managers, people, servers};

/// How to run the service.
#[derive(Clone, Debug)]
pub struct Config {
    pub bind: SocketAddr,
    pub database: Location,
    pub db: DbOptions,
    /// A configured JWT key (base64); without one, a key is generated once
    /// and kept in the database.
    pub jwt_key: Option<String>,
    pub session_ttl: Duration,
    pub log_level: dropshot::ConfigLoggingLevel,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Failed-login throttling.
    pub login_throttle: crate::throttle::Policy,
    /// Serve HTTPS with this PEM certificate chain and PKCS #8 key.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// Count requests and serve them at `GET /metrics`.
    pub metrics: bool,
    /// Log as JSON (bunyan) lines instead of the human format.
    pub log_json: bool,
}

impl Config {
    pub fn new(bind: SocketAddr, database: Location) -> Self {
        Self {
            bind,
            database,
            db: DbOptions::default(),
            jwt_key: None,
            session_ttl: Duration::from_secs(8 * 3600),
            log_level: dropshot::ConfigLoggingLevel::Info,
            max_body_bytes: 64 * 1024,
            login_throttle: Default::default(),
            tls: None,
            metrics: false,
            log_json: false,
        }
    }
}

/// State shared by every request.
pub struct Service {
    pub pool: Pool,
    /// Present when metrics are on.
    pub metrics: Option<crate::metrics::Metrics>,
    throttle: crate::throttle::Throttle,
    passwords: crate::passwords::Checkers,
    key: SigningKey,
    session_ttl_secs: i64,
}

impl Service {
    pub fn new(config: &Config) -> anyhow::Result<Self> {
        let pool = db::open(&config.database, &config.db)?;
        let key = match &config.jwt_key {
            Some(k) => SigningKey::from_config(k)?,
            None => SigningKey::load_or_create(&pool)?,
        };
        Ok(Self {
            pool,
            key,
            session_ttl_secs: config.session_ttl.as_secs() as i64,
            throttle: crate::throttle::Throttle::new(config.login_throttle.clone()),
            passwords: crate::passwords::Checkers::start()?,
            metrics: config.metrics.then(Default::default),
        })
    }
}

/// The server's logger: Dropshot's terminal format, or Bunyan JSON lines.
///
/// Unless standard error is a terminal, records are written through a line
/// buffer, one `write` each: Dropshot's terminal logger writes every
/// fragment of a line on its own (sixty system calls per request, counted
/// with strace, a third of a small request's time). One write per record
/// also means records never interleave with the few plain lines `main`
/// prints on the same stream. JSON goes to the process's own standard error
/// rather than a reopened `/dev/stderr`, whose offset of its own would
/// overwrite a log that standard error is redirected to.
pub fn logger(config: &Config) -> anyhow::Result<slog::Logger> {
    use dropshot::ConfigLoggingLevel as L;
    use slog::Drain;
    use std::io::IsTerminal;
    if !config.log_json && std::io::stderr().is_terminal() {
        // Interactive: Dropshot's own terminal logger, with colours.
        let logging = dropshot::ConfigLogging::StderrTerminal { level: config.log_level.clone() };
        return logging.to_logger("hostadmin").map_err(|e| anyhow::anyhow!("logger: {e}"));
    }
    let level = match config.log_level {
        L::Trace => slog::Level::Trace,
        L::Debug => slog::Level::Debug,
        L::Info => slog::Level::Info,
        L::Warn => slog::Level::Warning,
        L::Error => slog::Level::Error,
        L::Critical => slog::Level::Critical,
    };
    let stderr = std::io::LineWriter::with_capacity(64 * 1024, std::io::stderr());
    let drain = if config.log_json {
        slog_async::Async::new(slog_bunyan::with_name("hostadmin", stderr).build().fuse()).build().fuse()
    } else {
        let human = slog_term::FullFormat::new(slog_term::PlainDecorator::new(stderr)).build().fuse();
        slog_async::Async::new(human).build().fuse()
    };
    Ok(slog::Logger::root(slog::LevelFilter::new(drain, level).fuse(), slog::o!()))
}

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
    api.register(crate::docs::docs_file).map_err(|e| anyhow::anyhow!("docs endpoint: {e}"))?;
    api.register(crate::metrics::metrics).map_err(|e| anyhow::anyhow!("metrics endpoint: {e}"))?;
    let dropshot_config = dropshot_config(config);
    let tls = config.tls.as_ref().map(|(cert_file, key_file)| dropshot::ConfigTls::AsFile {
        cert_file: cert_file.clone(),
        key_file: key_file.clone(),
    });
    let server = ServerBuilder::new(api, service, log)
        .config(dropshot_config)
        .tls(tls)
        .start()
        .map_err(|e| anyhow::anyhow!("cannot serve on {}: {e}", config.bind))?;
    Ok(server)
}

impl HostadminApi for Service {
    type Principal = Principal;

    async fn authenticate(
        rqctx: &RequestContext<Self>,
        requirement: &'static [&'static [SecurityScheme]],
    ) -> Result<Principal, Problem> {
        let service = rqctx.context();
        let mut failure = Problem::Unauthenticated("No authentication token".into());
        for alternative in requirement {
            match service.check_schemes(rqctx, alternative).await {
                Ok(p) => return Ok(p),
                Err(e @ Problem::Unauthenticated(_)) => failure = e,
                Err(other) => return Err(other),
            }
        }
        Err(failure)
    }

    async fn openapi_document(_rqctx: &RequestContext<Self>) -> Result<hostadmin_api::types::OpenApiDocument, Problem> {
        serde_json::from_str(hostadmin_api::SPEC_JSON).map_err(|_| Problem::Internal("spec".into()))
    }

    async fn login(rqctx: &RequestContext<Self>, body: LoginForm) -> Result<WithHeaders<LoginResult>, Problem> {
        let service = rqctx.context();
        let account = service.verify_credentials(rqctx, body.user.to_string(), body.pass.to_string()).await?;
        let token = service.key.issue(&account, now_unix(), service.session_ttl_secs);
        let csrf = service.key.csrf_for(&token);
        let mut headers = http::HeaderMap::new();
        let cookie = format!(
            "grommunioAuthJwt={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}",
            service.session_ttl_secs
        );
        headers.insert(http::header::SET_COOKIE, cookie.parse().map_err(|_| Problem::Internal("cookie".into()))?);
        Ok(WithHeaders { body: LoginResult { grommunio_auth_jwt: token, csrf }, headers })
    }

    async fn server_list(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        query: ServerListQuery,
    ) -> Result<ServerList, Problem> {
        db::run(&rqctx.context().pool, move |conn| servers::list(conn, &principal, query)).await
    }

    async fn server_create(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        body: Claimed<ServerCreate>,
    ) -> Result<Server, Problem> {
        db::write(&rqctx.context().pool, move |conn| servers::create(conn, &principal, body)).await
    }

    async fn server_get(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: ServerGetPath,
        query: ServerGetQuery,
    ) -> Result<Server, Problem> {
        db::lookup(&rqctx.context().pool, move |conn| servers::get(conn, &principal, path, query)).await
    }

    async fn server_update(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: ServerUpdatePath,
        body: Claimed<ServerUpdate>,
    ) -> Result<Server, Problem> {
        db::write(&rqctx.context().pool, move |conn| servers::update(conn, &principal, path, body)).await
    }

    async fn server_delete(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: ServerDeletePath,
    ) -> Result<Message, Problem> {
        db::write(&rqctx.context().pool, move |conn| servers::delete(conn, &principal, path)).await
    }

    async fn check_body(
        rqctx: &RequestContext<Self>,
        operation: Operation,
        body: &serde_json::Value,
    ) -> Result<Vec<Violation>, Problem> {
        let checker: fn(&mut crate::db::Conn, &serde_json::Value) -> crate::db::DbResult<Vec<Violation>> =
            match operation {
                Operation::ManagerCreate => |c, b| managers::check_body(c, b, true),
                Operation::ManagerUpdate => |c, b| managers::check_body(c, b, false),
                Operation::ManagerAssignDelivery => managers::check_assignment,
                Operation::DomainCreate => domains::check_create,
                Operation::DeliveryDomainCreate => delivery_domains::check_create,
                Operation::DeliveryAccountCreate => delivery_accounts::check_create,
                Operation::PersonCreate => people::check_create,
                Operation::GroupCreate
                | Operation::GroupUpdate
                | Operation::GroupMembersReplace
                | Operation::GroupMembersAdd
                | Operation::GroupMembersRemove
                | Operation::GroupManagerSet => groups::check_people,
                _ => return Ok(Vec::new()),
            };
        let body = body.clone();
        db::run(&rqctx.context().pool, move |conn| checker(conn, &body)).await
    }

    async fn manager_list(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        query: ManagerListQuery,
    ) -> Result<ManagerList, Problem> {
        db::run(&rqctx.context().pool, move |conn| managers::list(conn, &principal, query)).await
    }

    async fn manager_create(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        body: ManagerCreate,
    ) -> Result<ResourceCreated, Problem> {
        db::write(&rqctx.context().pool, move |conn| managers::create(conn, &principal, body)).await
    }

    async fn manager_get(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: ManagerGetPath,
    ) -> Result<Manager, Problem> {
        db::run(&rqctx.context().pool, move |conn| managers::get(conn, &principal, path)).await
    }

    async fn manager_update(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: ManagerUpdatePath,
        body: ManagerUpdate,
    ) -> Result<(), Problem> {
        db::write(&rqctx.context().pool, move |conn| managers::update(conn, &principal, path, body)).await
    }

    async fn manager_delete(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: ManagerDeletePath,
    ) -> Result<(), Problem> {
        db::write(&rqctx.context().pool, move |conn| managers::delete(conn, &principal, path)).await
    }

    async fn manager_activate(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: ManagerActivatePath,
    ) -> Result<(), Problem> {
        db::write(&rqctx.context().pool, move |conn| managers::activate(conn, &principal, path)).await
    }

    async fn manager_deactivate(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: ManagerDeactivatePath,
    ) -> Result<(), Problem> {
        db::write(&rqctx.context().pool, move |conn| managers::deactivate(conn, &principal, path)).await
    }

    async fn manager_assign_delivery(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: ManagerAssignDeliveryPath,
        body: DeliveryAssignment,
    ) -> Result<(), Problem> {
        db::write(&rqctx.context().pool, move |conn| managers::assign_delivery(conn, &principal, path, body)).await
    }

    async fn domain_list(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        query: DomainListQuery,
    ) -> Result<DomainList, Problem> {
        db::run(&rqctx.context().pool, move |conn| domains::list(conn, &principal, query)).await
    }

    async fn domain_create(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        body: DomainCreate,
    ) -> Result<ResourceCreated, Problem> {
        db::write(&rqctx.context().pool, move |conn| domains::create(conn, &principal, body)).await
    }

    async fn domain_get(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: DomainGetPath,
    ) -> Result<Domain, Problem> {
        db::run(&rqctx.context().pool, move |conn| domains::get(conn, &principal, path)).await
    }

    async fn domain_delete(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: DomainDeletePath,
    ) -> Result<(), Problem> {
        db::write(&rqctx.context().pool, move |conn| domains::delete(conn, &principal, path)).await
    }

    async fn delivery_domain_list(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        query: DeliveryDomainListQuery,
    ) -> Result<DeliveryDomainList, Problem> {
        db::run(&rqctx.context().pool, move |conn| delivery_domains::list(conn, &principal, query)).await
    }

    async fn delivery_domain_create(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        body: DeliveryDomainCreate,
    ) -> Result<ResourceCreated, Problem> {
        db::write(&rqctx.context().pool, move |conn| delivery_domains::create(conn, &principal, body)).await
    }

    async fn delivery_domain_get(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: DeliveryDomainGetPath,
    ) -> Result<DeliveryDomain, Problem> {
        db::run(&rqctx.context().pool, move |conn| delivery_domains::get(conn, &principal, path)).await
    }

    async fn delivery_domain_delete(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: DeliveryDomainDeletePath,
    ) -> Result<(), Problem> {
        db::write(&rqctx.context().pool, move |conn| delivery_domains::delete(conn, &principal, path)).await
    }

    async fn delivery_account_list(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        query: DeliveryAccountListQuery,
    ) -> Result<DeliveryAccountList, Problem> {
        db::run(&rqctx.context().pool, move |conn| delivery_accounts::list(conn, &principal, query)).await
    }

    async fn delivery_account_create(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        body: DeliveryAccountCreate,
    ) -> Result<ResourceCreated, Problem> {
        db::write(&rqctx.context().pool, move |conn| delivery_accounts::create(conn, &principal, body)).await
    }

    async fn delivery_account_get(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: DeliveryAccountGetPath,
    ) -> Result<DeliveryAccount, Problem> {
        db::run(&rqctx.context().pool, move |conn| delivery_accounts::get(conn, &principal, path)).await
    }

    async fn delivery_account_delete(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: DeliveryAccountDeletePath,
    ) -> Result<(), Problem> {
        db::write(&rqctx.context().pool, move |conn| delivery_accounts::delete(conn, &principal, path)).await
    }

    async fn authentication(rqctx: &RequestContext<Self>, body: AuthRequest) -> Result<AuthEnvelope, Problem> {
        let service = rqctx.context();
        let account = service.verify_credentials(rqctx, body.user_name.to_string(), body.password.to_string()).await?;
        let now = now_unix();
        let token = service.key.issue(&account, now, service.session_ttl_secs);
        let expires = chrono::DateTime::from_timestamp(now + service.session_ttl_secs, 0)
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_default();
        Ok(AuthEnvelope { status: 0, status_code: 0, response: AuthToken { token, expires } })
    }

    async fn people_list(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        query: PeopleListQuery,
    ) -> Result<PersonListEnvelope, Problem> {
        db::run(&rqctx.context().pool, move |conn| people::list(conn, &principal, query)).await
    }

    async fn person_create(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        body: PersonCreate,
    ) -> Result<PersonEnvelope, Problem> {
        db::write(&rqctx.context().pool, move |conn| people::create(conn, &principal, body)).await
    }

    async fn person_get(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: PersonGetPath,
    ) -> Result<PersonEnvelope, Problem> {
        db::run(&rqctx.context().pool, move |conn| people::get(conn, &principal, path)).await
    }

    async fn person_update(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: PersonUpdatePath,
        body: PersonUpdate,
    ) -> Result<PersonEnvelope, Problem> {
        db::write(&rqctx.context().pool, move |conn| people::update(conn, &principal, path, body)).await
    }

    async fn person_delete(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: PersonDeletePath,
    ) -> Result<PersonEnvelope, Problem> {
        db::write(&rqctx.context().pool, move |conn| people::delete(conn, &principal, path)).await
    }

    async fn group_list(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        query: GroupListQuery,
    ) -> Result<GroupListEnvelope, Problem> {
        db::run(&rqctx.context().pool, move |conn| groups::list(conn, &principal, query)).await
    }

    async fn group_create(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        body: GroupCreate,
    ) -> Result<GroupEnvelope, Problem> {
        db::write(&rqctx.context().pool, move |conn| groups::create(conn, &principal, body)).await
    }

    async fn group_get(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: GroupGetPath,
    ) -> Result<GroupEnvelope, Problem> {
        db::run(&rqctx.context().pool, move |conn| groups::get(conn, &principal, path)).await
    }

    async fn group_update(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: GroupUpdatePath,
        body: GroupUpdate,
    ) -> Result<GroupEnvelope, Problem> {
        db::write(&rqctx.context().pool, move |conn| groups::update(conn, &principal, path, body)).await
    }

    async fn group_delete(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: GroupDeletePath,
    ) -> Result<GroupEnvelope, Problem> {
        db::write(&rqctx.context().pool, move |conn| groups::delete(conn, &principal, path)).await
    }

    async fn group_members_replace(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: GroupMembersReplacePath,
        body: GroupMembers,
    ) -> Result<GroupEnvelope, Problem> {
        db::write(&rqctx.context().pool, move |conn| groups::replace_members(conn, &principal, path, body)).await
    }

    async fn group_members_add(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: GroupMembersAddPath,
        body: GroupMembers,
    ) -> Result<GroupEnvelope, Problem> {
        db::write(&rqctx.context().pool, move |conn| groups::add_members(conn, &principal, path, body)).await
    }

    async fn group_members_remove(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: GroupMembersRemovePath,
        body: GroupMembers,
    ) -> Result<GroupEnvelope, Problem> {
        db::write(&rqctx.context().pool, move |conn| groups::remove_members(conn, &principal, path, body)).await
    }

    async fn group_members_move(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: GroupMembersMovePath,
    ) -> Result<GroupEnvelope, Problem> {
        db::write(&rqctx.context().pool, move |conn| groups::move_members(conn, &principal, path)).await
    }

    async fn group_manager_set(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: GroupManagerSetPath,
        body: GroupManager,
    ) -> Result<GroupEnvelope, Problem> {
        db::write(&rqctx.context().pool, move |conn| groups::set_manager(conn, &principal, path, body)).await
    }

    fn observe(rqctx: &RequestContext<Self>, operation: Operation, status: u16, elapsed: Duration) {
        if let Some(m) = &rqctx.context().metrics {
            m.observe(operation, status, elapsed);
        }
    }

    async fn health_live(_rqctx: &RequestContext<Self>) -> Result<Health, Problem> {
        Ok(Health { status: HealthStatus::Ok })
    }

    async fn health_ready(rqctx: &RequestContext<Self>) -> Result<Health, Problem> {
        db::run(&rqctx.context().pool, db::check_ready).await?;
        Ok(Health { status: HealthStatus::Ok })
    }
}

impl Service {
    /// The account with these credentials. A wrong password and an unknown
    /// name cost the same time and answer the same.
    /// Throttled (see [`crate::throttle`]) per user name and client address.
    async fn verify_credentials(
        &self,
        rqctx: &RequestContext<Self>,
        user: String,
        pass: String,
    ) -> Result<accounts::Account, Problem> {
        let address = rqctx.request.remote_addr().ip();
        let user_failed = self.throttle.check(&self.pool, &user, address).await?;
        let name = user.clone();
        // The lookup holds a connection for microseconds; the hash check
        // (tens of milliseconds) runs without one.
        let account = db::lookup(&self.pool, move |conn| Ok(accounts::find_by_name(conn, &name)?)).await?;
        let ok = self.passwords.check(account.as_ref().map(|a| a.password_hash.clone()), pass).await?;
        let account = account.filter(|_| ok);
        match account {
            Some(account) => {
                if user_failed {
                    self.throttle.succeeded(&self.pool, &user).await?;
                }
                Ok(account)
            }
            None => {
                self.throttle.failed(&self.pool, &user, address).await?;
                if let Some(m) = &self.metrics {
                    m.login_failed();
                }
                Err(Problem::Unauthenticated("Invalid username or password".into()))
            }
        }
    }

    /// Checks one set of schemes that must all hold: the session JWT first,
    /// then (on writes) the CSRF token derived from it.
    async fn check_schemes(
        &self,
        rqctx: &RequestContext<Self>,
        schemes: &[SecurityScheme],
    ) -> Result<Principal, Problem> {
        let request = &rqctx.request;
        if schemes.contains(&SecurityScheme::OnlyofficeToken) {
            let header = SecurityScheme::OnlyofficeToken
                .credential(request)
                .ok_or_else(|| Problem::Unauthenticated("No token".into()))?;
            let token = header.strip_prefix("Bearer ").unwrap_or(&header).trim();
            let claims = self.key.verify(token, now_unix()).map_err(|why| Problem::Unauthenticated(why.into()))?;
            return auth::principal_for(&self.pool, claims).await;
        }
        if schemes.contains(&SecurityScheme::ApiToken) {
            let token = SecurityScheme::ApiToken
                .credential(request)
                .ok_or_else(|| Problem::Unauthenticated("No API token".into()))?;
            return auth::principal_for_token(&self.pool, token.into_owned()).await;
        }
        let jwt = SecurityScheme::GrommunioJwt
            .credential(request)
            .ok_or_else(|| Problem::Unauthenticated("No authentication token".into()))?;
        let claims = self.key.verify(&jwt, now_unix()).map_err(|why| Problem::Unauthenticated(why.into()))?;
        for scheme in schemes {
            match scheme {
                SecurityScheme::GrommunioJwt | SecurityScheme::ApiToken | SecurityScheme::OnlyofficeToken => {}
                SecurityScheme::CsrfToken => {
                    let sent = scheme
                        .credential(request)
                        .ok_or_else(|| Problem::Unauthenticated("Missing CSRF token".into()))?;
                    if !self.key.csrf_matches(&jwt, &sent) {
                        return Err(Problem::Unauthenticated("Invalid CSRF token".into()));
                    }
                }
            }
        }
        auth::principal_for(&self.pool, claims).await
    }
}
