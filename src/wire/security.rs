//! Security: reading an `apiKey` credential where its scheme says it
//! travels. Checking it is the service's (`HostadminApi::authenticate`).

use super::params::form_urlencoded_pairs;

/// Where an `apiKey` security scheme carries its credential.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyIn {
    Header,
    Cookie,
    Query,
}

/// The credential a security scheme names, read from the request.
pub fn api_key<'a>(
    request: &'a dropshot::RequestInfo,
    location: KeyIn,
    name: &str,
) -> Option<std::borrow::Cow<'a, str>> {
    match location {
        KeyIn::Header => request.headers().get(name).and_then(|v| v.to_str().ok()).map(Into::into),
        KeyIn::Cookie => request
            .headers()
            .get_all(http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|c| c.trim().split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.into()),
        KeyIn::Query => {
            let pairs = form_urlencoded_pairs(request.uri().query().unwrap_or("").as_bytes());
            pairs.into_iter().find(|(k, _)| k == name).map(|(_, v)| v.into())
        }
    }
}
