//! The round-trip comparison: the OpenAPI document that the generated
//! Dropshot interface really serves (`hostadmin_api::roundtrip::served()`)
//! says what `spec/openapi.yaml` says, operation by operation, parameter by
//! parameter and schema by schema. It is spec tooling, so it lives beside the
//! generator and follows `$ref`s with the generator's one resolver; the API
//! crate re-exports it (without the `generate` feature: no typify at run time).
//!
//! Normalisations, each forced by Dropshot and nothing else:
//! - Dropshot collapses error statuses into `4XX`/`5XX`; the spec's error
//!   responses are compared as the one error schema they share.
//! - Dropshot accepts only scalar query parameters in its description, so a
//!   repeatable (array) parameter is served as its item schema; the runtime
//!   reads every occurrence.
//! - Dropshot writes no `security`, `servers` or `info.description`, and
//!   its own success descriptions; those are not compared. (Security is
//!   enforced by the generated adapter and tested over HTTP.)
//! - Dropshot emits only the schemas reachable from an operation.
//! - Dropshot sorts `required` lists, and drops a parameter schema's
//!   `default` (the generated runtime applies it).
//! - Dropshot's schemas carry no `xml` objects (schemars has none); the
//!   runtime writes XML from the spec's, through the emitted layouts.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::refs::{ref_name, resolve_or_null as resolve};

const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

/// How many operations a document has.
pub fn operation_count(doc: &Value) -> usize {
    operations(doc).len()
}

fn operations(doc: &Value) -> BTreeMap<String, &Value> {
    let mut out = BTreeMap::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for m in METHODS {
            if let Some(op) = item.get(m) {
                out.insert(format!("{} {path}", m.to_uppercase()), op);
            }
        }
    }
    out
}

/// Parameters of an operation (path-level ones included), by `in` and name.
fn parameters(doc: &Value, path: &str, op: &Value) -> BTreeMap<String, (bool, Value)> {
    let shared = doc["paths"][path]["parameters"].as_array().cloned().unwrap_or_default();
    let own = op["parameters"].as_array().cloned().unwrap_or_default();
    shared
        .iter()
        .chain(own.iter())
        .map(|p| {
            let p = resolve(doc, p);
            let mut schema = p["schema"].clone();
            // The array normalisation (see the module notes).
            if schema["type"] == "array" {
                schema = schema["items"].clone();
            }
            if let Some(o) = schema.as_object_mut() {
                o.remove("description");
                o.remove("default");
            }
            let key = format!("{} {}", p["in"].as_str().unwrap(), p["name"].as_str().unwrap());
            (key, (p["required"].as_bool().unwrap_or(false), schema))
        })
        .collect()
}

fn body_schema(doc: &Value, op: &Value) -> Option<(String, Value)> {
    let body = resolve(doc, op.get("requestBody")?);
    let (ct, media) = body["content"].as_object()?.iter().next()?;
    Some((ct.clone(), media["schema"].clone()))
}

fn success(doc: &Value, op: &Value) -> Vec<(String, Value)> {
    op["responses"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(code, _)| code.starts_with('2'))
        .map(|(code, r)| (code.clone(), resolve(doc, r)["content"]["application/json"]["schema"].clone()))
        .collect()
}

fn error_schemas(doc: &Value, op: &Value) -> Vec<Value> {
    let mut out: Vec<Value> = op["responses"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(code, _)| code.starts_with('4') || code.starts_with('5'))
        .map(|(_, r)| resolve(doc, r)["content"]["application/json"]["schema"].clone())
        .collect();
    out.sort_by_key(|v| v.to_string());
    out.dedup();
    out
}

/// Every disagreement between the spec and the served document, each named
/// by operation, parameter or schema.
pub fn compare(spec: &Value, served: &Value) -> Vec<String> {
    let mut diffs = Vec::new();
    let (want, got) = (operations(spec), operations(served));
    for key in want.keys().filter(|k| !got.contains_key(*k)) {
        diffs.push(format!("{key}: in the spec, not served"));
    }
    for key in got.keys().filter(|k| !want.contains_key(*k)) {
        diffs.push(format!("{key}: served, not in the spec"));
    }
    let mut schemas_used = Vec::new();
    for (key, w) in &want {
        let Some(g) = got.get(key) else { continue };
        let path = key.split_once(' ').unwrap().1;
        for field in ["operationId", "summary", "tags"] {
            if w[field] != g[field] {
                diffs.push(format!("{key}: {field} {} != served {}", w[field], g[field]));
            }
        }
        let (wp, gp) = (parameters(spec, path, w), parameters(served, path, g));
        if wp != gp {
            let names: std::collections::BTreeSet<&String> = wp.keys().chain(gp.keys()).collect();
            for name in names {
                if wp.get(name) != gp.get(name) {
                    diffs.push(format!(
                        "{key}: parameter {name}: spec {:?} != served {:?}",
                        wp.get(name),
                        gp.get(name)
                    ));
                }
            }
        }
        let (wb, gb) = (body_schema(spec, w), body_schema(served, g));
        if wb != gb {
            diffs.push(format!("{key}: request body {wb:?} != served {gb:?}"));
        }
        let (ws, gs) = (success(spec, w), success(served, g));
        if ws != gs {
            diffs.push(format!("{key}: success response {ws:?} != served {gs:?}"));
        }
        let (we, ge) = (error_schemas(spec, w), error_schemas(served, g));
        if we != ge {
            diffs.push(format!("{key}: error schema {we:?} != served {ge:?}"));
        }
        for v in [wb.map(|b| b.1)].into_iter().flatten().chain(ws.into_iter().map(|s| s.1)).chain(we) {
            schemas_used.extend(ref_name(&v).map(str::to_string));
        }
    }
    // Every schema the operations use, and each schema those refer to.
    let mut seen = std::collections::BTreeSet::new();
    while let Some(name) = schemas_used.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let w = &spec["components"]["schemas"][&name];
        let g = &served["components"]["schemas"][&name];
        if sorted_required(w) != sorted_required(g) {
            diffs.push(format!("schema {name}: spec {w} != served {g}"));
        }
        collect_refs(w, &mut schemas_used);
    }
    diffs
}

/// The schema as Dropshot writes it: every `required` list sorted, and no
/// `xml` objects (schemars has no such keyword; the runtime follows the
/// spec's XML through the emitted layouts, tested over HTTP).
fn sorted_required(v: &Value) -> Value {
    as_served(v, false)
}

/// `names`: `v` is a `properties` map, whose keys are property names, not
/// keywords.
fn as_served(v: &Value, names: bool) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| names || k.as_str() != "xml")
                .map(|(k, c)| {
                    let c = match (k.as_str(), c) {
                        ("required", Value::Array(items)) if !names => {
                            let mut items = items.clone();
                            items.sort_by_key(|i| i.to_string());
                            Value::Array(items)
                        }
                        _ => as_served(c, !names && k == "properties"),
                    };
                    (k.clone(), c)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(|c| as_served(c, false)).collect()),
        other => other.clone(),
    }
}

fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            out.extend(ref_name(v).map(str::to_string));
            m.values().for_each(|c| collect_refs(c, out));
        }
        Value::Array(a) => a.iter().for_each(|c| collect_refs(c, out)),
        _ => {}
    }
}
