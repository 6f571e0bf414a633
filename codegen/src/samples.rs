//! Request samples for one operation, built from the spec alone: curl,
//! JavaScript `fetch`, and Rust through the generated client.
//!
//! Used by the docs generator (root `build.rs`) and by the client's
//! `build.rs`, which compiles every Rust sample in its tests so that the
//! docs never show code that does not build.

use serde_json::{json, Value};

use crate::naming::{builder_method, snake, type_name};
use crate::refs::{ref_name, resolve_or_null as resolve};

/// What a sample needs to know of an operation.
pub struct SampleInput<'a> {
    pub spec: &'a Value,
    pub method: &'a str,
    pub path: &'a str,
    pub operation: &'a Value,
}

pub struct Samples {
    pub curl: String,
    pub fetch: String,
    pub rust: String,
}

/// A parameter's sample value: its example, its default, or one of its type.
fn param_example(spec: &Value, p: &Value) -> Value {
    let schema = resolve(spec, &p["schema"]);
    if let Some(e) = p.get("example") {
        return e.clone();
    }
    if let Some(d) = schema.get("default") {
        return d.clone();
    }
    match schema["type"].as_str() {
        Some("integer") | Some("number") => json!(1),
        Some("boolean") => json!(true),
        Some("array") => json!([]),
        _ => json!("example"),
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The operation's parameters (path-level ones included), resolved.
pub fn parameters<'a>(spec: &'a Value, path: &str, operation: &'a Value) -> Vec<&'a Value> {
    let shared = spec["paths"][path]["parameters"].as_array().map(|v| v.as_slice()).unwrap_or(&[]);
    let own = operation["parameters"].as_array().map(|v| v.as_slice()).unwrap_or(&[]);
    shared.iter().chain(own.iter()).map(|p| resolve(spec, p)).collect()
}

/// The request body's media type and example, if the operation has a body.
pub fn body_example(spec: &Value, operation: &Value) -> Option<(String, Value)> {
    let body = resolve(spec, operation.get("requestBody")?);
    let (media_type, media) = body["content"].as_object()?.iter().next()?;
    let example = media
        .get("example")
        .cloned()
        .or_else(|| media["examples"].as_object()?.values().next().map(|e| resolve(spec, e)["value"].clone()))
        .unwrap_or_else(|| json!({}));
    Some((media_type.clone(), example))
}

/// The security schemes of the first alternative of the requirement.
pub fn security_schemes<'a>(spec: &'a Value, operation: &'a Value) -> Vec<(&'a str, &'a Value)> {
    let requirement = operation.get("security").or_else(|| spec.get("security"));
    let Some(first) = requirement.and_then(Value::as_array).and_then(|a| a.first()) else {
        return vec![];
    };
    first
        .as_object()
        .map(|m| m.keys().map(|k| (k.as_str(), &spec["components"]["securitySchemes"][k])).collect())
        .unwrap_or_default()
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
    upper: String,
    body: Option<(String, Value)>,
    /// Header credentials and the body's `Content-Type`.
    headers: Vec<(String, String)>,
    /// Cookie credentials, as `name=<name>`.
    cookies: Vec<String>,
}

impl<'a> Request<'a> {
    fn of(input: &SampleInput<'a>) -> Self {
        let SampleInput { spec, method, path, operation } = *input;
        let base = spec["servers"][0]["url"].as_str().unwrap_or("http://127.0.0.1:8080").trim_end_matches('/');
        let body = body_example(spec, operation);
        let (mut headers, cookies) = credentials(&security_schemes(spec, operation));
        if let Some((media_type, _)) = &body {
            headers.push(("Content-Type".into(), media_type.clone()));
        }
        Request { base, url: url(base, spec, path, operation), upper: method.to_uppercase(), body, headers, cookies }
    }

    fn is_form(&self) -> bool {
        matches!(&self.body, Some((media_type, _)) if media_type == "application/x-www-form-urlencoded")
    }
}

/// The URL with example path parameters and required query parameters.
fn url(base: &str, spec: &Value, path: &str, operation: &Value) -> String {
    let mut url_path = path.to_string();
    let mut query = Vec::new();
    for p in parameters(spec, path, operation) {
        let value = param_example(spec, p);
        let name = p["name"].as_str().unwrap_or_default();
        match p["in"].as_str() {
            Some("path") => url_path = url_path.replace(&format!("{{{name}}}"), &text(&value)),
            Some("query") if p["required"].as_bool() == Some(true) => query.push(format!("{name}={}", text(&value))),
            _ => {}
        }
    }
    if query.is_empty() {
        format!("{base}{url_path}")
    } else {
        format!("{base}{url_path}?{}", query.join("&"))
    }
}

/// The placeholders for the schemes' credentials: (headers, cookies).
fn credentials(schemes: &[(&str, &Value)]) -> (Vec<(String, String)>, Vec<String>) {
    let (mut headers, mut cookies) = (Vec::new(), Vec::new());
    for (name, scheme) in schemes {
        let key = scheme["name"].as_str().unwrap_or(name);
        match scheme["in"].as_str() {
            Some("cookie") => cookies.push(format!("{key}=<{key}>")),
            _ => headers.push((key.to_string(), format!("<{name}>"))),
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

/// Rust, through the generated client.
fn rust(input: &SampleInput<'_>, r: &Request<'_>) -> String {
    let SampleInput { spec, path, operation, .. } = *input;
    let base = r.base;
    let operation_id = operation["operationId"].as_str().unwrap_or("operation");
    let mut rust = String::new();
    if security_schemes(spec, operation).is_empty() {
        rust.push_str(&format!("let client = hostadmin_client::Client::new({base:?});\n"));
    } else {
        rust.push_str(&format!(
            "// `session`: the answer of `client.login()`.\nlet client = hostadmin_client::session_client({base:?}, &session)?;\n"
        ));
    }
    rust.push_str(&format!("let response = client\n    .{}()\n", snake(operation_id)));
    for p in parameters(spec, path, operation) {
        let required = p["required"].as_bool() == Some(true);
        if p["in"].as_str() == Some("header") || !required {
            continue;
        }
        let name = p["name"].as_str().unwrap_or_default();
        rust.push_str(&format!("    .{}({})\n", builder_method(name), rust_literal(&param_example(spec, p))));
    }
    if let Some((_, example)) = &r.body {
        rust.push_str(&format!(
            "    .body(serde_json::from_value::<hostadmin_client::types::{}>(serde_json::json!({}))?)\n",
            body_type(spec, operation),
            json_macro_body(example)
        ));
    }
    rust.push_str("    .send()\n    .await?;\nprintln!(\"{} {:?}\", response.status(), response.into_inner());");
    rust
}

/// The client's type for the request body: its component's name.
fn body_type(spec: &Value, operation: &Value) -> String {
    let body_def = resolve(spec, operation.get("requestBody").unwrap_or(&Value::Null));
    body_def["content"]
        .as_object()
        .and_then(|c| c.values().next())
        .and_then(|m| ref_name(&m["schema"]))
        .map(type_name)
        .unwrap_or_else(|| "serde_json::Value".into())
}

/// The three samples of one operation.
pub fn samples(input: &SampleInput<'_>) -> Samples {
    let request = Request::of(input);
    Samples { curl: curl(&request), fetch: fetch(&request), rust: rust(input, &request) }
}

/// Every operation of the spec: (method, path, operation).
pub fn operations(spec: &Value) -> Vec<(&str, &str, &Value)> {
    let mut out = Vec::new();
    if let Some(paths) = spec["paths"].as_object() {
        for (path, item) in paths {
            for method in ["get", "put", "post", "delete", "patch"] {
                if let Some(op) = item.get(method) {
                    out.push((method, path.as_str(), op));
                }
            }
        }
    }
    out
}
