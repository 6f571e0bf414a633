//! Request samples for one operation, built from the spec alone: curl,
//! JavaScript `fetch`, and Rust through the generated client.
//!
//! Used by the docs generator (root `build.rs`) and by the client's
//! `build.rs`, which compiles every Rust sample in its tests so that the
//! docs never show code that does not build.

use serde_json::{json, Value};

use crate::model::{KeyLocation, MediaType, Operation, ParamLocation, ParamType, Parameter, Scalar, Spec};
use crate::naming::{builder_method, snake, type_name};

/// What a sample needs: the spec and one of its operations.
#[derive(Clone, Copy)]
pub struct SampleInput<'a> {
    pub spec: &'a Spec,
    pub operation: &'a Operation,
}

pub struct Samples {
    pub curl: String,
    pub fetch: String,
    pub rust: String,
}

/// A parameter's sample value: its example, its default, or one of its type.
fn param_example(p: &Parameter) -> Value {
    if let Some(e) = p.example.as_ref().or(p.default.as_ref()) {
        return e.clone();
    }
    match p.ty {
        ParamType::Scalar(Scalar::Int32 | Scalar::Int64 | Scalar::Number) => json!(1),
        ParamType::Scalar(Scalar::Boolean) => json!(true),
        ParamType::ArrayOf(_) | ParamType::Delimited(_) => json!([]),
        ParamType::Scalar(Scalar::String) => json!("example"),
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn rust_literal(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    }
}

/// A value as the body of `serde_json::json!`: JSON, except that integers
/// beyond `i32` carry a suffix (the macro would otherwise infer `i32`).
fn json_macro_body(v: &Value) -> String {
    match v {
        Value::Number(n) => match n.as_i64() {
            Some(i) if i32::try_from(i).is_err() => format!("{i}_i64"),
            _ => n.to_string(),
        },
        Value::Array(items) => format!("[{}]", items.iter().map(json_macro_body).collect::<Vec<_>>().join(", ")),
        Value::Object(map) => format!(
            "{{{}}}",
            map.iter().map(|(k, v)| format!("{k:?}: {}", json_macro_body(v))).collect::<Vec<_>>().join(", ")
        ),
        other => other.to_string(),
    }
}

/// What the three samples share: where the request goes and what it carries.
struct Request<'a> {
    base: &'a str,
    url: String,
    upper: &'static str,
    /// The body's media type and example (`{}` where the spec shows none).
    body: Option<(MediaType, Value)>,
    /// Header credentials and the body's `Content-Type`.
    headers: Vec<(String, String)>,
    /// Cookie credentials, as `name=<name>`.
    cookies: Vec<String>,
}

impl<'a> Request<'a> {
    fn of(input: SampleInput<'a>) -> Self {
        let SampleInput { spec, operation } = input;
        let base = spec.server_url.as_deref().unwrap_or("http://127.0.0.1:8080").trim_end_matches('/');
        let body = operation.body.as_ref().map(|b| (b.media_type, b.example.clone().unwrap_or_else(|| json!({}))));
        let (mut headers, cookies) = credentials(input);
        if let Some((media_type, _)) = &body {
            headers.push(("Content-Type".into(), media_type.mime().into()));
        }
        Request { base, url: url(base, operation), upper: operation.method.upper(), body, headers, cookies }
    }

    fn is_form(&self) -> bool {
        matches!(&self.body, Some((MediaType::FormUrlEncoded, _)))
    }
}

/// The URL with example path parameters and required query parameters.
fn url(base: &str, operation: &Operation) -> String {
    let mut url_path = operation.path.clone();
    for p in operation.params_in(ParamLocation::Path) {
        url_path = url_path.replace(&format!("{{{}}}", p.name), &text(&param_example(p)));
    }
    let query: Vec<String> = operation
        .params_in(ParamLocation::Query)
        .filter(|p| p.required)
        .map(|p| format!("{}={}", p.name, text(&param_example(p))))
        .collect();
    if query.is_empty() {
        format!("{base}{url_path}")
    } else {
        format!("{base}{url_path}?{}", query.join("&"))
    }
}

/// The placeholders for the credentials of the schemes the samples show:
/// (headers, cookies).
fn credentials(input: SampleInput<'_>) -> (Vec<(String, String)>, Vec<String>) {
    let (mut headers, mut cookies) = (Vec::new(), Vec::new());
    for name in input.operation.sample_schemes() {
        let Some(scheme) = input.spec.scheme(name) else { continue };
        let key = &scheme.key;
        match scheme.location {
            KeyLocation::Cookie => cookies.push(format!("{key}=<{key}>")),
            KeyLocation::Header | KeyLocation::Query => headers.push((key.clone(), format!("<{name}>"))),
        }
    }
    (headers, cookies)
}

/// A flat example as form fields.
fn form(example: &Value) -> Vec<(String, String)> {
    example.as_object().map(|m| m.iter().map(|(k, v)| (k.clone(), text(v))).collect()).unwrap_or_default()
}

fn curl(r: &Request<'_>) -> String {
    let mut curl = vec![format!("curl --request {} \\", r.upper), format!("  --url '{}' \\", r.url)];
    for (k, v) in &r.headers {
        curl.push(format!("  --header '{k}: {v}' \\"));
    }
    if !r.cookies.is_empty() {
        curl.push(format!("  --cookie '{}' \\", r.cookies.join("; ")));
    }
    match &r.body {
        Some((_, example)) if r.is_form() => {
            for (k, v) in form(example) {
                curl.push(format!("  --data-urlencode '{k}={v}' \\"));
            }
        }
        Some((_, example)) => curl.push(format!("  --data '{}' \\", serde_json::to_string(example).unwrap())),
        None => {}
    }
    let last = curl.pop().unwrap();
    curl.push(last.trim_end_matches(" \\").to_string());
    curl.join("\n")
}

fn fetch(r: &Request<'_>) -> String {
    let mut fetch_headers: Vec<String> = r.headers.iter().map(|(k, v)| format!("{k:?}: {v:?}")).collect();
    if !r.cookies.is_empty() {
        fetch_headers.push(format!("cookie: {:?}", r.cookies.join("; ")));
    }
    let fetch_body = match &r.body {
        Some((_, example)) if r.is_form() => format!(
            ",\n  body: new URLSearchParams({})",
            serde_json::to_string(&Value::Object(
                form(example).into_iter().map(|(k, v)| (k, Value::String(v))).collect()
            ))
            .unwrap()
        ),
        Some((_, example)) => format!(",\n  body: JSON.stringify({})", serde_json::to_string(example).unwrap()),
        None => String::new(),
    };
    format!(
        "const url = {:?};\nconst options = {{\n  method: {:?},\n  headers: {{ {} }}{fetch_body}\n}};\n\ntry {{\n  const response = await fetch(url, options);\n  const data = await response.json();\n  console.log(response.status, data);\n}} catch (error) {{\n  console.error(error);\n}}",
        r.url,
        r.upper,
        fetch_headers.join(", ")
    )
}

/// What a Rust sample names as Rust expressions: the docs show literals,
/// the client's tests pass the running server's values.
pub struct RustValues {
    pub base: String,
    pub user: String,
    pub password: String,
    pub api_token: String,
}

impl RustValues {
    fn literals(base: &str) -> Self {
        RustValues {
            base: format!("{base:?}"),
            user: "\"admin\"".into(),
            password: "\"<password>\"".into(),
            api_token: "\"<apiToken>\"".into(),
        }
    }
}

/// Rust, through the generated client: the builder with the credentials of
/// the scheme the operation's first security alternative names.
pub fn rust(operation: &Operation, values: &RustValues) -> String {
    let schemes = operation.sample_schemes();
    let mut rust = format!("let client = hostadmin_client::Client::builder({})\n", values.base);
    if schemes.iter().any(|s| s == "grommunioJwt") {
        rust.push_str(&format!("    .login({}, {})\n", values.user, values.password));
    } else if schemes.iter().any(|s| s == "apiToken") {
        rust.push_str(&format!("    .api_token({})\n", values.api_token));
    } else if schemes.iter().any(|s| s == "onlyofficeToken") {
        rust.push_str(&format!("    .onlyoffice_login({}, {})\n", values.user, values.password));
    }
    rust.push_str("    .build()?;\n");
    rust.push_str(&format!("let response = client\n    .{}()\n", snake(&operation.id)));
    for p in operation.params.iter().filter(|p| p.location != ParamLocation::Header && p.required) {
        rust.push_str(&format!("    .{}({})\n", builder_method(&p.name), rust_literal(&param_example(p))));
    }
    if let Some(body) = &operation.body {
        let example = body.example.clone().unwrap_or_else(|| json!({}));
        rust.push_str(&format!(
            "    .body(serde_json::from_value::<hostadmin_client::types::{}>(serde_json::json!({}))?)\n",
            type_name(&body.component),
            json_macro_body(&example)
        ));
    }
    rust.push_str("    .send()\n    .await?;\nlet status = response.status();\nprintln!(\"{status} {:?}\", response.into_inner());");
    rust
}

/// The three samples of one operation.
pub fn samples(input: SampleInput<'_>) -> Samples {
    let request = Request::of(input);
    Samples {
        curl: curl(&request),
        fetch: fetch(&request),
        rust: rust(input.operation, &RustValues::literals(request.base)),
    }
}
