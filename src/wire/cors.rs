//! CORS (the Fetch standard's cross-origin protocol), off unless origins
//! are configured (`cors_origins`).
//!
//! * **Exact origins only.** A request whose `Origin` is one of the
//!   configured origins (compared without regard to ASCII case, as scheme
//!   and host are) gets `Access-Control-Allow-Origin` with that origin,
//!   `Access-Control-Allow-Credentials: true` (the system surface's session
//!   is a cookie) and `Access-Control-Expose-Headers: x-request-id`. There is
//!   no `*`: with credentials a browser refuses it, and echoing any origin
//!   would hand every site the user's session. `Origin: null` (sandboxed
//!   frames, `file:` pages) is never allowed.
//! * **Any other origin gets no `Access-Control-*` header at all**, so the
//!   browser keeps the answer from the page; the request itself is still
//!   served (CORS protects reads, and writes need the CSRF header, which a
//!   foreign page cannot send without a preflight that fails).
//! * **Preflights** (`OPTIONS` with `Access-Control-Request-Method`) from an
//!   allowed origin, for a method the path has, answer 204 with the path's
//!   methods, the requested headers that the spec itself uses
//!   ([`crate::REQUEST_HEADERS`]: its security schemes' headers,
//!   `Content-Type`, `Accept`), and `Access-Control-Max-Age: 600`.
//! * `Vary: Origin` is on every answer while CORS is on, so that a shared
//!   cache does not hand one origin's answer to another.

use dropshot::{RequestContext, RequestInfo, ServerContext};
use http::header::{self, HeaderMap, HeaderValue};

/// The configured origins, as `scheme://host[:port]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CorsPolicy {
    origins: Vec<String>,
}

/// What the service tells the generated code about cross-origin requests.
pub trait CrossOrigin: ServerContext {
    /// The CORS policy, when origins are configured.
    fn cors(&self) -> Option<&CorsPolicy> {
        None
    }
}

/// The CORS headers for a response to this request (empty when CORS is off).
pub fn cors_headers<S: CrossOrigin>(rqctx: &RequestContext<S>) -> HeaderMap {
    rqctx.context().cors().map(|c| c.response_headers(&rqctx.request)).unwrap_or_default()
}

impl CorsPolicy {
    /// A policy for `origins`; each must be an origin as browsers send it
    /// (`https://admin.example.com`, `http://127.0.0.1:8081`): a scheme,
    /// a host, an optional port, no path.
    pub fn new(origins: Vec<String>) -> Result<Self, String> {
        for origin in &origins {
            let rest = origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"))
                .ok_or_else(|| format!("{origin:?} is not an origin (http:// or https:// and a host)"))?;
            let valid_host = !rest.is_empty()
                && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
                && !rest.starts_with(':');
            if !valid_host {
                return Err(format!("{origin:?} is not an origin (a scheme, a host and a port at most, no path)"));
            }
        }
        Ok(CorsPolicy { origins: origins.into_iter().map(|o| o.to_ascii_lowercase()).collect() })
    }

    pub fn origins(&self) -> &[String] {
        &self.origins
    }

    /// The request's `Origin`, if it is one (and only one) allowed origin.
    fn allowed<'a>(&self, request: &'a RequestInfo) -> Option<&'a HeaderValue> {
        let mut values = request.headers().get_all(header::ORIGIN).iter();
        let origin = values.next()?;
        if values.next().is_some() {
            return None;
        }
        let text = origin.to_str().ok()?;
        self.origins.iter().any(|o| o.eq_ignore_ascii_case(text)).then_some(origin)
    }

    /// Headers for an actual (non-preflight) response.
    pub fn response_headers(&self, request: &RequestInfo) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::VARY, HeaderValue::from_static("Origin"));
        if let Some(origin) = self.allowed(request) {
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
            headers.insert(header::ACCESS_CONTROL_ALLOW_CREDENTIALS, HeaderValue::from_static("true"));
            headers.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static("x-request-id"));
        }
        headers
    }

    /// Headers for an `OPTIONS` answer on a path with methods `allow`
    /// (`"GET, HEAD, OPTIONS"`): a preflight's, when it is one this policy
    /// grants.
    pub fn preflight_headers(&self, request: &RequestInfo, allow: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::VARY,
            HeaderValue::from_static("Origin, Access-Control-Request-Method, Access-Control-Request-Headers"),
        );
        let Some(origin) = self.allowed(request) else { return headers };
        let Some(method) = request.headers().get(header::ACCESS_CONTROL_REQUEST_METHOD) else { return headers };
        let methods: Vec<&str> = allow.split(", ").collect();
        // Methods are case-sensitive (RFC 9110 §9.1).
        if !method.to_str().is_ok_and(|m| methods.contains(&m)) {
            return headers;
        }
        let requested: Vec<String> = request
            .headers()
            .get_all(header::ACCESS_CONTROL_REQUEST_HEADERS)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|h| h.trim().to_ascii_lowercase())
            .filter(|h| !h.is_empty())
            .collect();
        let granted: Vec<&str> =
            requested.iter().map(String::as_str).filter(|h| crate::REQUEST_HEADERS.contains(h)).collect();
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
        headers.insert(header::ACCESS_CONTROL_ALLOW_CREDENTIALS, HeaderValue::from_static("true"));
        if let Ok(v) = HeaderValue::from_str(allow) {
            headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, v);
        }
        if !granted.is_empty() {
            if let Ok(v) = HeaderValue::from_str(&granted.join(", ")) {
                headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, v);
            }
        }
        headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
        headers
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_checked() {
        assert!(CorsPolicy::new(vec!["https://a.example".into(), "http://127.0.0.1:8081".into()]).is_ok());
        assert!(CorsPolicy::new(vec!["http://[::1]:80".into()]).is_ok());
        for bad in ["*", "a.example", "https://", "https://a.example/", "https://a.example/x", "ftp://a", "null"] {
            assert!(CorsPolicy::new(vec![bad.into()]).is_err(), "{bad}");
        }
    }
}
