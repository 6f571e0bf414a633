//! Reading operations out of the spec's `paths` into the model, one short
//! function per part of an operation.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::error::{At, Error, Refusal};
use crate::model::*;
use crate::refs;

pub(crate) fn operations(spec: &Value, schemes: &[SecurityScheme]) -> Result<Vec<Operation>, Error> {
    let paths = spec.get("paths").and_then(Value::as_object).ok_or(Error::NoPaths)?;
    let mut out: Vec<Operation> = Vec::new();
    for (path, item) in paths {
        for method in Method::ALL {
            let Some(op) = item.get(method.key()) else { continue };
            let operation = operation(spec, path, item, method, op, schemes)?;
            if out.iter().any(|o| o.id == operation.id) {
                let at = at(path, method, &operation.id);
                return Err(at.refuse("operationId", Refusal::DuplicateOperationId(operation.id)));
            }
            out.push(operation);
        }
    }
    Ok(out)
}

fn at(path: &str, method: Method, id: &str) -> At {
    At { operation: id.to_string(), pointer: format!("/paths/{}/{}", refs::escape(path), method.key()) }
}

fn operation(
    spec: &Value,
    path: &str,
    item: &Value,
    method: Method,
    op: &Value,
    schemes: &[SecurityScheme],
) -> Result<Operation, Error> {
    let id = op.get("operationId").and_then(Value::as_str).ok_or_else(|| Error::NoOperationId {
        method: method.upper().to_string(),
        path: path.to_string(),
        pointer: format!("/paths/{}/{}", refs::escape(path), method.key()),
    })?;
    let at = at(path, method, id);
    if TRAIT_METHODS.contains(&id) {
        return Err(at.refuse("operationId", Refusal::TakenByTrait));
    }
    let responses = responses(spec, op, &at)?;
    Ok(Operation {
        id: id.to_string(),
        method,
        path: path.to_string(),
        summary: text(op, "summary"),
        description: text(op, "description"),
        tags: operation_tags(op),
        params: parameters(spec, item, op, &at)?,
        body: op.get("requestBody").map(|rb| request_body(spec, rb, &at)).transpose()?,
        success: success(spec, &responses, method, &at)?,
        error_schema: error_schema(&responses, &at)?,
        security: security(spec, op, schemes, &at)?,
        responses,
    })
}

/// The document's `info`.
pub(crate) fn info(spec: &Value) -> Info {
    let info = spec.get("info").unwrap_or(&Value::Null);
    Info { title: text(info, "title"), version: text(info, "version"), description: text(info, "description") }
}

/// The document's named tags.
pub(crate) fn tags(spec: &Value) -> Vec<Tag> {
    let tags = spec.get("tags").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    let tag = |t: &Value| Some(Tag { name: text(t, "name")?, description: text(t, "description") });
    tags.iter().filter_map(tag).collect()
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

fn operation_tags(op: &Value) -> Vec<String> {
    let tags = op.get("tags").and_then(Value::as_array);
    tags.map(|t| t.iter().filter_map(Value::as_str).map(str::to_string).collect()).unwrap_or_default()
}

fn parameters(spec: &Value, item: &Value, op: &Value, at: &At) -> Result<Vec<Parameter>, Error> {
    let list = |v: &Value| v.get("parameters").and_then(Value::as_array).cloned().unwrap_or_default();
    // Path-level parameters are pointed at where they are: on the path item.
    let item_at =
        At { operation: at.operation.clone(), pointer: at.pointer.rsplit_once('/').expect("a method").0.into() };
    let shared = list(item).into_iter().enumerate().map(|(i, p)| (&item_at, i, p));
    let own = list(op).into_iter().enumerate().map(|(i, p)| (at, i, p));
    shared.chain(own).map(|(at, i, p)| parameter(spec, &p, at, &format!("parameters/{i}"))).collect()
}

fn parameter(spec: &Value, p: &Value, at: &At, suffix: &str) -> Result<Parameter, Error> {
    let p = resolve_at(spec, p, at, suffix)?;
    let name = p["name"].as_str().ok_or_else(|| at.refuse(suffix, Refusal::ParameterWithout("name")))?;
    let location = match p["in"].as_str().ok_or_else(|| at.refuse(suffix, Refusal::ParameterWithout("`in`")))? {
        "path" => ParamLocation::Path,
        "query" => ParamLocation::Query,
        "header" => ParamLocation::Header,
        "cookie" => return Err(at.refuse(suffix, Refusal::CookieParameter)),
        other => return Err(at.refuse(suffix, Refusal::ParameterLocation(other.to_string()))),
    };
    let schema = p.get("schema").ok_or_else(|| at.refuse(suffix, Refusal::ParameterWithoutSchema(name.into())))?;
    let schema = resolve_at(spec, schema, at, &format!("{suffix}/schema"))?.clone();
    let ty = param_type(name, &schema).map_err(|r| at.refuse(&format!("{suffix}/schema"), r))?;
    // `form` style's `explode: false`: an array as one comma-separated value.
    let ty = match (ty, p.get("explode").and_then(Value::as_bool)) {
        (ParamType::ArrayOf(item), Some(false)) => ParamType::Delimited(item),
        (ty, _) => ty,
    };
    let default = schema.get("default").cloned();
    if default.as_ref().is_some_and(|d| !is_scalar_or_list(d)) {
        return Err(at.refuse(&format!("{suffix}/schema/default"), Refusal::ParameterDefault(name.into())));
    }
    Ok(Parameter {
        name: name.to_string(),
        location,
        description: text(p, "description"),
        required: p.get("required").and_then(Value::as_bool).unwrap_or(location == ParamLocation::Path),
        ty,
        default,
        example: p.get("example").cloned(),
        schema,
    })
}

fn is_scalar_or_list(v: &Value) -> bool {
    let scalar = |v: &Value| matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_));
    scalar(v) || v.as_array().is_some_and(|items| items.iter().all(scalar))
}

fn param_type(name: &str, schema: &Value) -> Result<ParamType, Refusal> {
    if schema.get("type").and_then(Value::as_str) != Some("array") {
        return scalar(name, schema).map(ParamType::Scalar);
    }
    let items = schema.get("items").ok_or_else(|| Refusal::ArrayWithoutItems(name.into()))?;
    scalar(name, items).map(ParamType::ArrayOf)
}

fn scalar(name: &str, schema: &Value) -> Result<Scalar, Refusal> {
    Ok(match schema.get("type").and_then(Value::as_str) {
        Some("integer") if schema.get("format").and_then(Value::as_str) == Some("int32") => Scalar::Int32,
        Some("integer") => Scalar::Int64,
        Some("number") => Scalar::Number,
        Some("boolean") => Scalar::Boolean,
        Some("string") => Scalar::String,
        other => return Err(Refusal::ParameterType { name: name.into(), ty: format!("{other:?}") }),
    })
}

fn request_body(spec: &Value, rb: &Value, at: &At) -> Result<RequestBody, Error> {
    let rb = resolve_at(spec, rb, at, "requestBody")?;
    let content = rb["content"].as_object().ok_or_else(|| at.refuse("requestBody", Refusal::BodyWithoutContent))?;
    if content.len() != 1 {
        return Err(at.refuse("requestBody/content", Refusal::BodyMediaTypes));
    }
    let (mime, media) = content.iter().next().expect("one media type");
    let suffix = format!("requestBody/content/{}", refs::escape(mime));
    let media_type = match mime.as_str() {
        "application/json" => MediaType::Json,
        "application/x-www-form-urlencoded" => MediaType::FormUrlEncoded,
        other => return Err(at.refuse(&suffix, Refusal::RequestMediaType(other.to_string()))),
    };
    let schema = media.get("schema").ok_or_else(|| at.refuse(&suffix, Refusal::BodyWithoutSchema))?;
    let schema_at = format!("{suffix}/schema");
    let component = refs::component_name(schema).ok_or_else(|| at.refuse(&schema_at, Refusal::BodyNotComponent))?;
    let resolved = resolve_at(spec, schema, at, &schema_at)?;
    if media_type == MediaType::FormUrlEncoded {
        form_fields_are_text(resolved).map_err(|field| at.refuse(&schema_at, Refusal::FormFieldNotString(field)))?;
    }
    Ok(RequestBody {
        media_type,
        component: component.to_string(),
        read_only: read_only_properties(resolved),
        schema: schema.clone(),
        example: example(spec, media, at, &suffix)?,
    })
}

/// A media type's example: its `example`, or the value of the first of its
/// `examples`.
fn example(spec: &Value, media: &Value, at: &At, suffix: &str) -> Result<Option<Value>, Error> {
    if let Some(example) = media.get("example") {
        return Ok(Some(example.clone()));
    }
    let Some((name, first)) = media.get("examples").and_then(Value::as_object).and_then(|e| e.iter().next()) else {
        return Ok(None);
    };
    let first = resolve_at(spec, first, at, &format!("{suffix}/examples/{}", refs::escape(name)))?;
    Ok(Some(first.get("value").cloned().unwrap_or(Value::Null)))
}

/// A form carries text only; the runtime does not convert form fields.
fn form_fields_are_text(schema: &Value) -> Result<(), String> {
    let Some(props) = schema.get("properties").and_then(Value::as_object) else { return Ok(()) };
    match props.iter().find(|(_, p)| p.get("type").and_then(Value::as_str) != Some("string")) {
        Some((name, _)) => Err(name.clone()),
        None => Ok(()),
    }
}

fn responses(spec: &Value, op: &Value, at: &At) -> Result<Vec<Response>, Error> {
    let map = op.get("responses").and_then(Value::as_object).ok_or_else(|| at.refuse("", Refusal::NoResponses))?;
    map.iter().map(|(status, r)| response(spec, status, r, at)).collect()
}

fn response(spec: &Value, status: &str, r: &Value, at: &At) -> Result<Response, Error> {
    let suffix = format!("responses/{status}");
    let r = resolve_at(spec, r, at, &suffix)?;
    let code: u16 = status.parse().map_err(|_| at.refuse(&suffix, Refusal::StatusNotExplicit(status.into())))?;
    let headers = r.get("headers").and_then(Value::as_object).map(|h| h.iter().collect::<Vec<_>>()).unwrap_or_default();
    let headers = headers.into_iter().map(|(name, h)| (name.clone(), text(h, "description"))).collect();
    let mut content = Vec::new();
    if let Some(map) = r.get("content").and_then(Value::as_object) {
        for (mime, media) in map {
            let media_type = match mime.as_str() {
                "application/json" => ResponseMediaType::Json,
                "text/xml" => ResponseMediaType::Xml,
                other => {
                    let refusal = Refusal::ResponseMediaType { status: code, media_type: other.to_string() };
                    return Err(at.refuse(&format!("{suffix}/content"), refusal));
                }
            };
            let media_suffix = format!("{suffix}/content/{}", refs::escape(mime));
            let example = example(spec, media, at, &media_suffix)?;
            content.push(Media { media_type, schema: media.get("schema").cloned(), example });
        }
        if !content.iter().any(|m| m.media_type == ResponseMediaType::Json) {
            return Err(at.refuse(&suffix, Refusal::ResponseWithoutJson(code)));
        }
    }
    Ok(Response { status: code, description: text(r, "description"), headers, content })
}

fn success(spec: &Value, responses: &[Response], method: Method, at: &At) -> Result<Success, Error> {
    let ok: Vec<&Response> = responses.iter().filter(|r| r.status < 400).collect();
    let [r] = ok[..] else {
        return Err(at.refuse("responses", Refusal::SuccessCount(ok.len())));
    };
    let suffix = format!("responses/{}", r.status);
    let schema = r.json_schema();
    let kind = match (r.status, schema.is_some()) {
        (200, true) => ResponseKind::Ok,
        (201, true) => ResponseKind::Created,
        (202, true) => ResponseKind::Accepted,
        (204, false) if method == Method::Delete => ResponseKind::Deleted,
        (204, false) => ResponseKind::UpdatedNoContent,
        (status, _) => return Err(at.refuse(&suffix, Refusal::SuccessStatus(status))),
    };
    let envelope = match schema {
        Some(schema) => is_envelope(resolve_at(spec, schema, at, &suffix)?),
        None => false,
    };
    let xml = r.content.iter().any(|m| m.media_type == ResponseMediaType::Xml);
    Ok(Success { kind, schema: schema.cloned(), headers: !r.headers.is_empty(), xml, envelope })
}

fn error_schema(responses: &[Response], at: &At) -> Result<String, Error> {
    let mut names = BTreeSet::new();
    for r in responses.iter().filter(|r| r.status >= 400) {
        let name = r.json_schema().and_then(refs::component_name);
        let name =
            name.ok_or_else(|| at.refuse(&format!("responses/{}", r.status), Refusal::ErrorNotComponent(r.status)))?;
        names.insert(name.to_string());
    }
    if names.len() != 1 {
        return Err(at.refuse("responses", Refusal::ErrorSchemas(names)));
    }
    Ok(names.into_iter().next().expect("one error schema"))
}

fn security(spec: &Value, op: &Value, schemes: &[SecurityScheme], at: &At) -> Result<SecurityRequirement, Error> {
    // The operation's own requirement, or the document's (pointed at as such).
    let (requirement, refuse): (&Value, Box<dyn Fn(Refusal) -> Error>) =
        match (op.get("security"), spec.get("security")) {
            (Some(own), _) => (own, Box::new(|r| at.refuse("security", r))),
            (None, Some(global)) => {
                let refuse = |refusal| Error::Operation {
                    operation: at.operation.clone(),
                    pointer: "/security".into(),
                    refusal,
                };
                (global, Box::new(refuse))
            }
            (None, None) => return Err(at.refuse("", Refusal::NoSecurity)),
        };
    let alternatives = requirement.as_array().ok_or_else(|| refuse(Refusal::SecurityNotList))?;
    let alternatives: Vec<Vec<String>> = alternatives
        .iter()
        .map(|alt| alt.as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default())
        .collect();
    if let Some(unknown) = alternatives.iter().flatten().find(|name| !schemes.iter().any(|s| &s.name == *name)) {
        return Err(refuse(Refusal::UnknownScheme(unknown.clone())));
    }
    if alternatives.is_empty() || alternatives.iter().any(Vec::is_empty) {
        return Ok(SecurityRequirement::Anonymous);
    }
    Ok(SecurityRequirement::AnyOf(alternatives))
}
