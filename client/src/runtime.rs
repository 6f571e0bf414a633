//! The state behind every generated method: the credentials of each
//! surface, the logins made with them, and the retry policy. Progenitor
//! calls [`ClientHooks::exec`] for every request; ours looks up the
//! operation's security in the spec (generated into `spec`), adds the
//! credentials of the first alternative the client holds, logs in when that
//! needs a session it has not got yet, logs in again once if a cached
//! session is answered 401 (revoked, expired), and retries what
//! [`RetryPolicy`] allows.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use progenitor_client::{ClientHooks, OperationInfo, RequestBuilderExt};
use reqwest::header::{HeaderName, HeaderValue, ACCEPT, COOKIE};
use reqwest::{Request, Response, StatusCode};

use crate::retry::RetryPolicy;
use crate::{types, Client};

/// Generated from the spec: `SCHEMES`, `SECURITY`, `LISTS` and the list
/// builders' `stream()`.
pub(crate) mod spec {
    include!(concat!(env!("OUT_DIR"), "/runtime.rs"));
}

/// Where a security scheme's credential travels.
#[allow(dead_code)]
#[derive(Debug, Clone, Copy)]
pub(crate) enum KeyLocation {
    Header,
    Cookie,
    Query,
}

/// A value that never shows in `Debug` output.
#[derive(Clone)]
struct Secret<T>(T);

impl<T> std::fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A credential obtained by a login and cached; `login` is `None` for one
/// given ready-made (it cannot be renewed).
struct Held<L, T> {
    login: Option<Secret<L>>,
    cache: tokio::sync::Mutex<Option<(u64, Secret<T>)>>,
}

impl<L, T> std::fmt::Debug for Held<L, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Held").field("renewable", &self.login.is_some()).finish_non_exhaustive()
    }
}

#[derive(Debug)]
struct Shared {
    session: Option<Held<types::LoginForm, types::LoginResult>>,
    api_token: Option<Secret<String>>,
    onlyoffice: Option<Held<types::AuthRequest, String>>,
    retry: RetryPolicy,
    generation: AtomicU64,
}

/// The client's runtime state (Progenitor's "inner type"): cheap to clone,
/// shared by clones, and redacted in `Debug`.
#[derive(Clone, Debug)]
pub struct Runtime(Arc<Shared>);

/// The credentials one request carries.
#[derive(Default)]
struct Used {
    session: Option<(u64, types::LoginResult)>,
    api_token: Option<String>,
    onlyoffice: Option<(u64, String)>,
}

/// What getting the credentials gave instead of credentials.
enum LoginFailed {
    /// The login was answered with an error: that is the call's answer.
    Answer(Response),
    Transport(reqwest::Error),
}

fn holds(shared: &Shared, scheme: &str) -> bool {
    match scheme {
        "grommunioJwt" | "csrfToken" => shared.session.is_some(),
        "apiToken" => shared.api_token.is_some(),
        "onlyofficeToken" => shared.onlyoffice.is_some(),
        _ => false,
    }
}

/// The spec's `security` of `operation` (an `operationId`): alternatives,
/// each the security schemes it needs together; none for an open
/// operation (or an unknown id). The CLI reads it to say what credentials
/// a command lacks.
pub fn security(operation: &str) -> &'static [&'static [&'static str]] {
    spec::SECURITY.iter().find(|(id, _)| *id == operation).map_or(&[], |(_, alternatives)| *alternatives)
}

impl Runtime {
    /// The schemes of the first alternative of `operation`'s security that
    /// this client holds credentials for (empty: send none).
    fn alternative(&self, operation: &str) -> &'static [&'static str] {
        security(operation)
            .iter()
            .find(|alt| !alt.is_empty() && alt.iter().all(|s| holds(&self.0, s)))
            .copied()
            .unwrap_or(&[])
    }

    async fn session(
        &self,
        http: &reqwest::Client,
        base: &str,
    ) -> Result<Option<(u64, types::LoginResult)>, LoginFailed> {
        let Some(held) = &self.0.session else { return Ok(None) };
        let mut cache = held.cache.lock().await;
        if let Some((generation, value)) = &*cache {
            return Ok(Some((*generation, value.0.clone())));
        }
        let Some(form) = &held.login else { return Ok(None) };
        let request = RequestBuilderExt::<()>::form_urlencoded(
            http.post(format!("{base}/api/v1/login")).header(ACCEPT, "application/json"),
            &form.0,
        )
        .expect("a LoginForm is a flat form");
        let response = request.send().await.map_err(LoginFailed::Transport)?;
        if !response.status().is_success() {
            return Err(LoginFailed::Answer(response));
        }
        let Ok(result) = response.json::<types::LoginResult>().await else { return Ok(None) };
        let generation = self.0.generation.fetch_add(1, Ordering::Relaxed) + 1;
        *cache = Some((generation, Secret(result.clone())));
        Ok(Some((generation, result)))
    }

    async fn onlyoffice(&self, http: &reqwest::Client, base: &str) -> Result<Option<(u64, String)>, LoginFailed> {
        let Some(held) = &self.0.onlyoffice else { return Ok(None) };
        let mut cache = held.cache.lock().await;
        if let Some((generation, value)) = &*cache {
            return Ok(Some((*generation, value.0.clone())));
        }
        let Some(body) = &held.login else { return Ok(None) };
        let request =
            http.post(format!("{base}/api/2.0/authentication")).header(ACCEPT, "application/json").json(&body.0);
        let response = request.send().await.map_err(LoginFailed::Transport)?;
        if !response.status().is_success() {
            return Err(LoginFailed::Answer(response));
        }
        let Ok(envelope) = response.json::<types::AuthEnvelope>().await else { return Ok(None) };
        let generation = self.0.generation.fetch_add(1, Ordering::Relaxed) + 1;
        *cache = Some((generation, Secret(envelope.response.token.clone())));
        Ok(Some((generation, envelope.response.token)))
    }

    async fn credentials(&self, schemes: &[&str], http: &reqwest::Client, base: &str) -> Result<Used, LoginFailed> {
        let mut used = Used::default();
        if schemes.iter().any(|s| matches!(*s, "grommunioJwt" | "csrfToken")) {
            used.session = self.session(http, base).await?;
        }
        if schemes.contains(&"apiToken") {
            used.api_token = self.0.api_token.as_ref().map(|t| t.0.clone());
        }
        if schemes.contains(&"onlyofficeToken") {
            used.onlyoffice = self.onlyoffice(http, base).await?;
        }
        Ok(used)
    }

    /// Forgets the cached logins `used` carried (unless already replaced),
    /// if they can be renewed; whether anything was forgotten.
    async fn forget(&self, used: &Used) -> bool {
        let mut forgot = false;
        if let (Some(held), Some((generation, _))) = (&self.0.session, &used.session) {
            if held.login.is_some() {
                let mut cache = held.cache.lock().await;
                if cache.as_ref().is_some_and(|(g, _)| g == generation) {
                    *cache = None;
                }
                forgot = true;
            }
        }
        if let (Some(held), Some((generation, _))) = (&self.0.onlyoffice, &used.onlyoffice) {
            if held.login.is_some() {
                let mut cache = held.cache.lock().await;
                if cache.as_ref().is_some_and(|(g, _)| g == generation) {
                    *cache = None;
                }
                forgot = true;
            }
        }
        forgot
    }

    /// Sends `request` for `operation`: credentials, renewal, retries.
    async fn execute(
        &self,
        http: &reqwest::Client,
        base: &str,
        request: Request,
        operation: &str,
    ) -> reqwest::Result<Response> {
        let schemes = self.alternative(operation);
        let policy = &self.0.retry;
        let retryable = policy.allows(request.method());
        let mut spare = Some(request);
        let (mut attempt, mut renewed) = (0u32, false);
        loop {
            let current = spare.take().expect("a request is kept for every attempt");
            spare = current.try_clone();
            let may_retry = retryable && attempt < policy.max_retries && spare.is_some();
            let (result, used) = match self.credentials(schemes, http, base).await {
                Ok(used) => {
                    let mut request = current;
                    apply(&mut request, schemes, &used);
                    (http.execute(request).await, Some(used))
                }
                Err(LoginFailed::Answer(response)) => (Ok(response), None),
                Err(LoginFailed::Transport(e)) => (Err(e), None),
            };
            let wait = match &result {
                Ok(response) if response.status() == StatusCode::UNAUTHORIZED && !renewed && spare.is_some() => {
                    if let Some(used) = &used {
                        if self.forget(used).await {
                            renewed = true;
                            continue;
                        }
                    }
                    None
                }
                Ok(response) if may_retry => {
                    let retry_after =
                        response.headers().get(reqwest::header::RETRY_AFTER).and_then(|v| v.to_str().ok());
                    policy.wait_for(response.status(), retry_after, attempt)
                }
                Err(e) if may_retry && (e.is_connect() || e.is_timeout()) => Some(policy.backoff(attempt)),
                _ => None,
            };
            match wait {
                Some(wait) => {
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                None => return result,
            }
        }
    }
}

/// Adds the credentials of `schemes` where the spec says they travel.
fn apply(request: &mut Request, schemes: &[&str], used: &Used) {
    let mut cookies = Vec::new();
    for &(name, location, key) in spec::SCHEMES.iter().filter(|(name, _, _)| schemes.contains(name)) {
        let value = match name {
            "grommunioJwt" => used.session.as_ref().map(|(_, s)| s.grommunio_auth_jwt.clone()),
            "csrfToken" => used.session.as_ref().map(|(_, s)| s.csrf.clone()),
            "apiToken" => used.api_token.clone(),
            "onlyofficeToken" => used.onlyoffice.as_ref().map(|(_, t)| t.clone()),
            _ => None,
        };
        let Some(value) = value else { continue };
        match location {
            KeyLocation::Header => {
                if let (Ok(name), Ok(mut value)) = (HeaderName::try_from(key), HeaderValue::try_from(value)) {
                    value.set_sensitive(true);
                    request.headers_mut().insert(name, value);
                }
            }
            KeyLocation::Cookie => cookies.push(format!("{key}={value}")),
            KeyLocation::Query => {
                request.url_mut().query_pairs_mut().append_pair(key, &value);
            }
        }
    }
    if !cookies.is_empty() {
        if let Ok(mut value) = HeaderValue::try_from(cookies.join("; ")) {
            value.set_sensitive(true);
            request.headers_mut().insert(COOKIE, value);
        }
    }
}

impl ClientHooks<Runtime> for Client {
    async fn exec(&self, request: Request, info: &OperationInfo) -> reqwest::Result<Response> {
        self.inner.execute(&self.client, &self.baseurl, request, info.operation_id).await
    }
}

/// Why [`ClientBuilder::build`] failed.
#[derive(Debug)]
pub enum BuildError {
    /// The HTTP client could not be made (TLS roots, for instance).
    Http(reqwest::Error),
    /// A user name or password the spec's login schema refuses (too long).
    Credential(String),
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BuildError::Http(e) => write!(f, "the HTTP client: {e}"),
            BuildError::Credential(e) => write!(f, "a credential: {e}"),
        }
    }
}

impl std::error::Error for BuildError {}

/// Builds a [`Client`] for any of the three surfaces; see [`Client::builder`].
pub struct ClientBuilder {
    baseurl: String,
    http: Option<reqwest::Client>,
    timeout: Duration,
    connect_timeout: Duration,
    user_agent: Option<String>,
    #[cfg(feature = "rustls")]
    roots: Vec<reqwest::Certificate>,
    login: Option<(String, Secret<String>)>,
    session: Option<Secret<types::LoginResult>>,
    api_token: Option<Secret<String>>,
    onlyoffice: Option<(String, Secret<String>)>,
    retry: RetryPolicy,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("baseurl", &self.baseurl)
            .field("login", &self.login.as_ref().map(|(user, _)| user))
            .field("api_token", &self.api_token)
            .field("onlyoffice", &self.onlyoffice.as_ref().map(|(user, _)| user))
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder for a client of the hostadmin at `baseurl`. Give it the
    /// credentials of the surfaces you call; each request gets those its
    /// operation's security accepts, and logins happen on first need.
    pub fn builder(baseurl: &str) -> ClientBuilder {
        ClientBuilder {
            baseurl: baseurl.trim_end_matches('/').to_string(),
            http: None,
            timeout: Duration::from_secs(15),
            connect_timeout: Duration::from_secs(15),
            user_agent: None,
            #[cfg(feature = "rustls")]
            roots: Vec::new(),
            login: None,
            session: None,
            api_token: None,
            onlyoffice: None,
            retry: RetryPolicy::default(),
        }
    }
}

impl ClientBuilder {
    /// The system surface (`/api/v1`): log in as `user` on first need
    /// (`POST /api/v1/login`), send the session cookie and CSRF token, and
    /// log in again when the session ends.
    pub fn login(mut self, user: &str, password: &str) -> Self {
        self.login = Some((user.to_string(), Secret(password.to_string())));
        self
    }

    /// The system surface with a session obtained elsewhere; it is not
    /// renewed when it ends.
    pub fn session(mut self, session: types::LoginResult) -> Self {
        self.session = Some(Secret(session));
        self
    }

    /// An API token (`X-Api-Token`): the managers surface, and the system
    /// operations whose security accepts one (the audit log).
    pub fn api_token(mut self, token: &str) -> Self {
        self.api_token = Some(Secret(token.to_string()));
        self
    }

    /// The groups and people surface (`/api/2.0`): authenticate as `user`
    /// on first need (`POST /api/2.0/authentication`), send the token in
    /// `Authorization`, and authenticate again when it stops working.
    pub fn onlyoffice_login(mut self, user: &str, password: &str) -> Self {
        self.onlyoffice = Some((user.to_string(), Secret(password.to_string())));
        self
    }

    /// The longest a request may take, and the longest to connect (15 s each by default).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self.connect_timeout = self.connect_timeout.min(timeout);
        self
    }

    /// The longest to wait for a connection.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, user_agent: &str) -> Self {
        self.user_agent = Some(user_agent.to_string());
        self
    }

    /// Trust `certificate` as a root, for a hostadmin served with its own
    /// certificate (`--tls-cert`).
    #[cfg(feature = "rustls")]
    pub fn add_root_certificate(mut self, certificate: reqwest::Certificate) -> Self {
        self.roots.push(certificate);
        self
    }

    /// Use this HTTP client as is (timeouts, user agent and roots set on
    /// the builder are then ignored).
    pub fn reqwest_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// When to retry: [`RetryPolicy::default`] unless set;
    /// [`RetryPolicy::none`] turns retries off.
    pub fn retries(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    pub fn build(self) -> Result<Client, BuildError> {
        let http = match self.http {
            Some(http) => http,
            None => {
                let mut http = reqwest::Client::builder().timeout(self.timeout).connect_timeout(self.connect_timeout);
                if let Some(agent) = &self.user_agent {
                    http = http.user_agent(agent);
                }
                #[cfg(feature = "rustls")]
                for root in self.roots {
                    http = http.add_root_certificate(root);
                }
                http.build().map_err(BuildError::Http)?
            }
        };
        let session = match (self.login, self.session) {
            (Some((user, password)), _) => {
                let form = types::LoginForm {
                    user: user.as_str().try_into().map_err(|e| BuildError::Credential(format!("user: {e}")))?,
                    pass: password
                        .0
                        .as_str()
                        .try_into()
                        .map_err(|e| BuildError::Credential(format!("password: {e}")))?,
                };
                Some(Held { login: Some(Secret(form)), cache: tokio::sync::Mutex::new(None) })
            }
            (None, Some(session)) => Some(Held { login: None, cache: tokio::sync::Mutex::new(Some((0, session))) }),
            (None, None) => None,
        };
        let onlyoffice = match self.onlyoffice {
            Some((user, password)) => {
                let body = types::AuthRequest {
                    user_name: user.as_str().try_into().map_err(|e| BuildError::Credential(format!("user: {e}")))?,
                    password: password
                        .0
                        .as_str()
                        .try_into()
                        .map_err(|e| BuildError::Credential(format!("password: {e}")))?,
                };
                Some(Held { login: Some(Secret(body)), cache: tokio::sync::Mutex::new(None) })
            }
            None => None,
        };
        let runtime = Runtime(Arc::new(Shared {
            session,
            api_token: self.api_token,
            onlyoffice,
            retry: self.retry,
            generation: AtomicU64::new(0),
        }));
        Ok(Client::new_with_client(&self.baseurl, http, runtime))
    }
}
