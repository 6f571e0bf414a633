//! The routing endpoints: what every path answers for the methods it does
//! not have (405 with `Allow`), for `OPTIONS`, and what the prefixes of the
//! spec's paths answer (404), each in the error schema of the operations at
//! or under that path. Unpublished, built at start by
//! `crate::wire::router::fallback_endpoint` (see there for why they exist).

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::quote;

use crate::error::Error;
use crate::model::{KeyLocation, Method, ParamLocation, Spec};

use super::types::Types;

/// The methods a route is checked for (`OPTIONS` is answered separately).
const METHODS: [&str; 6] = ["DELETE", "GET", "HEAD", "PATCH", "POST", "PUT"];

/// A route as the router will hold it.
#[derive(Default)]
struct Route {
    methods: BTreeSet<&'static str>,
    error_schemas: BTreeSet<String>,
    xml: bool,
}

/// Every route the generated interface serves: the spec's paths, a GET's
/// HEAD twin, and the `.xml` twins.
fn routes(spec: &Spec) -> BTreeMap<String, Route> {
    let mut routes: BTreeMap<String, Route> = BTreeMap::new();
    for op in &spec.operations {
        let mut paths = vec![op.path.clone()];
        if op.success.xml && !op.path.ends_with('}') {
            paths.push(format!("{}.xml", op.path));
        }
        for path in paths {
            let route = routes.entry(path).or_default();
            route.methods.insert(op.method.upper());
            if op.method == Method::Get {
                route.methods.insert("HEAD");
            }
            route.error_schemas.insert(op.error_schema.clone());
            route.xml |= op.success.xml;
        }
    }
    routes
}

/// The proper prefixes of the routes that are not routes themselves, with
/// what lies under them.
fn prefixes(routes: &BTreeMap<String, Route>) -> BTreeMap<String, Route> {
    let mut prefixes: BTreeMap<String, Route> = BTreeMap::new();
    for (path, route) in routes {
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        for k in 1..segments.len() {
            let prefix = format!("/{}", segments[..k].join("/"));
            if routes.contains_key(&prefix) {
                continue;
            }
            let entry = prefixes.entry(prefix).or_default();
            entry.error_schemas.extend(route.error_schemas.iter().cloned());
            entry.xml |= route.xml;
        }
    }
    prefixes
}

/// `fn routing_endpoints<S>() -> Vec<ApiEndpoint<S>>`.
pub(crate) fn routing_endpoints(spec: &Spec, types: &mut Types) -> Result<TokenStream, Error> {
    let routes = routes(spec);
    let mut endpoints = Vec::new();
    let mut push = |method: &str, path: &str, fallback: TokenStream, error: &TokenStream, xml: bool| {
        let method = quote::format_ident!("{}", method);
        endpoints.push(quote! {
            crate::wire::fallback_endpoint::<S, #error>(::http::Method::#method, #path, #fallback, #xml)
        });
    };
    for (path, route) in &routes {
        // One surface per path; its first error schema speaks for it.
        let Some(schema) = route.error_schemas.iter().next() else { continue };
        let error = types.component(schema)?;
        let mut allowed: Vec<&str> = route.methods.iter().copied().chain(["OPTIONS"]).collect();
        allowed.sort_unstable();
        let allow = allowed.join(", ");
        for method in METHODS.iter().filter(|m| !route.methods.contains(*m)) {
            push(method, path, quote!(crate::wire::Fallback::NotAllowed(#allow)), &error, route.xml);
        }
        push("OPTIONS", path, quote!(crate::wire::Fallback::Options(#allow)), &error, route.xml);
    }
    for (path, under) in &prefixes(&routes) {
        // A prefix shared by surfaces (`/api`) belongs to none of them.
        if under.error_schemas.len() != 1 {
            continue;
        }
        let error = types.component(under.error_schemas.iter().next().expect("one"))?;
        for method in METHODS.iter().chain(&["OPTIONS"]) {
            push(method, path, quote!(crate::wire::Fallback::NotFound), &error, under.xml);
        }
    }
    Ok(quote! {
        /// The unpublished endpoints that answer what the router would
        /// otherwise answer in Dropshot's shape (see [`crate::wire::router`]).
        pub fn routing_endpoints<S: HostadminApi>() -> Vec<::dropshot::ApiEndpoint<S>> {
            vec![#(#endpoints),*]
        }
    })
}

/// `REQUEST_HEADERS`: the request headers the spec has clients send (its
/// `apiKey` schemes' headers, header parameters, `Content-Type` where there
/// are bodies, `Accept` where there is XML), lower case: what a CORS
/// preflight may be granted.
pub(crate) fn request_headers(spec: &Spec) -> TokenStream {
    let mut names: BTreeSet<String> = spec
        .security_schemes
        .iter()
        .filter(|s| s.location == KeyLocation::Header)
        .map(|s| s.key.to_ascii_lowercase())
        .collect();
    for op in &spec.operations {
        names.extend(op.params_in(ParamLocation::Header).map(|p| p.name.to_ascii_lowercase()));
        if op.body.is_some() {
            names.insert("content-type".into());
        }
        if op.success.xml {
            names.insert("accept".into());
        }
    }
    let names = names.iter();
    quote! {
        /// The request headers the spec has clients send, lower case (what a
        /// CORS preflight may be granted).
        pub const REQUEST_HEADERS: &[&str] = &[#(#names),*];
    }
}
