//! Entry points for fuzzing the request path (`fuzz/`, `cargo xtask fuzz`)
//! and for replaying what the fuzzer found (`tests/fuzz_regressions.rs`).
//! Each takes arbitrary bytes and must never panic.

use dropshot::ApiEndpointBodyContentType;

use crate::wire::{form_urlencoded_pairs, parse_body, parse_params};
use crate::{ServerCreate, ServerListQuery, ServerUpdate};

/// The bytes up to the first NUL are a query string for the servers list;
/// the rest is a JSON body for creating and for updating a server.
pub fn servers_request(data: &[u8]) {
    let (query, body) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &data[..0]),
    };
    let _ = parse_params::<ServerListQuery>(&form_urlencoded_pairs(query));
    // The query's bytes as an `Accept` field too: the negotiation parser.
    let _ = crate::wire::accept::negotiate([String::from_utf8_lossy(query).as_ref()]);
    let _ = parse_body::<ServerCreate>(body, Some("application/json"), &ApiEndpointBodyContentType::Json);
    let _ = parse_body::<ServerUpdate>(body, Some("application/json"), &ApiEndpointBodyContentType::Json);
    let _ = parse_body::<crate::types::LoginForm>(body, None, &ApiEndpointBodyContentType::UrlEncoded);
}
