//! The one OpenAPI 3.0 → JSON Schema (2020-12) translation, used for typify
//! at build time and for the request validators (whose translated schemas the
//! build emits, so the runtime translates nothing per request).
//!
//! OpenAPI 3.0's schema object is a dialect: `nullable: true` means "or
//! `null`", and `example`, `readOnly`, `writeOnly`, `xml`, `externalDocs`
//! and `discriminator` are OpenAPI's own annotations. The translation walks
//! the schema keyword by keyword, so a *property* that happens to be called
//! `example` is left alone, and data (`enum`, `default`, `const`) is copied
//! verbatim.

use serde_json::{json, Map, Value};

/// OpenAPI-only keywords: annotations JSON Schema does not know.
const OPENAPI_ONLY: &[&str] = &["nullable", "example", "readOnly", "writeOnly", "xml", "externalDocs", "discriminator"];
/// Keywords whose value is one schema.
const ONE_SCHEMA: &[&str] = &[
    "items",
    "additionalProperties",
    "not",
    "contains",
    "propertyNames",
    "if",
    "then",
    "else",
    "additionalItems",
    "unevaluatedItems",
    "unevaluatedProperties",
];
/// Keywords whose value is a list of schemas.
const SCHEMA_LIST: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems"];
/// Keywords whose value maps names to schemas.
const SCHEMA_MAP: &[&str] = &["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"];

/// One schema, translated.
pub fn to_json_schema(schema: &Value) -> Value {
    let Value::Object(map) = schema else {
        return schema.clone();
    };
    let mut out = Map::new();
    for (keyword, value) in map {
        let key = keyword.as_str();
        if OPENAPI_ONLY.contains(&key) {
            continue;
        }
        let translated = if ONE_SCHEMA.contains(&key) {
            to_json_schema(value)
        } else if SCHEMA_LIST.contains(&key) {
            value.as_array().map_or_else(|| value.clone(), |list| list.iter().map(to_json_schema).collect())
        } else if SCHEMA_MAP.contains(&key) {
            value.as_object().map_or_else(|| value.clone(), |m| Value::Object(named_schemas(m)))
        } else {
            value.clone()
        };
        out.insert(keyword.clone(), translated);
    }
    if map.get("nullable") == Some(&Value::Bool(true)) {
        if let Some(Value::String(ty)) = map.get("type") {
            out.insert("type".into(), json!([ty, "null"]));
        }
    }
    Value::Object(out)
}

/// A map of named schemas (`properties`, `components.schemas`), translated.
pub fn named_schemas(schemas: &Map<String, Value>) -> Map<String, Value> {
    schemas.iter().map(|(name, schema)| (name.clone(), to_json_schema(schema))).collect()
}

/// The `components` object a validator resolves `#/components/schemas/...`
/// against: the spec's component schemas, translated.
pub fn validation_components(spec: &Value) -> Value {
    let schemas = spec.pointer("/components/schemas").and_then(Value::as_object).cloned().unwrap_or_default();
    json!({ "schemas": named_schemas(&schemas) })
}

/// The document a validator is compiled from: the translated `schema` with
/// the translated `components` beside it (a non-object schema is wrapped).
pub fn validation_root(schema: Value, components: Value) -> Value {
    let mut root = match schema {
        Value::Object(map) => map,
        other => Map::from_iter([("allOf".to_string(), Value::Array(vec![other]))]),
    };
    root.insert("components".into(), components);
    Value::Object(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nullable_becomes_a_null_type_and_annotations_go() {
        let schema = json!({
            "type": "object",
            "readOnly": true,
            "properties": {
                "example": {"type": "string", "nullable": true, "example": "x"},
                "list": {"type": "array", "items": {"type": "integer", "xml": {"name": "i"}}}
            },
            "default": {"example": 1}
        });
        assert_eq!(
            to_json_schema(&schema),
            json!({
                "type": "object",
                "properties": {
                    "example": {"type": ["string", "null"]},
                    "list": {"type": "array", "items": {"type": "integer"}}
                },
                "default": {"example": 1}
            })
        );
    }

    #[test]
    fn validation_root_wraps_non_objects_and_carries_components() {
        let spec = json!({"components": {"schemas": {"A": {"type": "string", "nullable": true}}}});
        let components = validation_components(&spec);
        assert_eq!(components, json!({"schemas": {"A": {"type": ["string", "null"]}}}));
        assert_eq!(
            validation_root(json!(true), components.clone()),
            json!({"allOf": [true], "components": components})
        );
    }
}
