//! The one `$ref` resolver. Every reader of the spec (the model, the docs,
//! the samples, the round-trip comparison) follows references through here,
//! so that "what a reference means" is decided once: a local JSON pointer
//! into the same document, nothing else.

use serde_json::Value;

/// Why a reference could not be followed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefError {
    /// The reference points into another document.
    #[error("only local $refs are supported: {0}")]
    NotLocal(String),
    /// Nothing is at the pointer.
    #[error("dangling $ref {0}")]
    Dangling(String),
}

/// The value `v` stands for: the target of its `$ref`, or `v` itself.
pub fn resolve<'a>(doc: &'a Value, v: &'a Value) -> Result<&'a Value, RefError> {
    match v.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let pointer = reference.strip_prefix('#').ok_or_else(|| RefError::NotLocal(reference.to_string()))?;
            doc.pointer(pointer).ok_or_else(|| RefError::Dangling(reference.to_string()))
        }
        None => Ok(v),
    }
}

/// [`resolve`] for readers that render whatever is there (docs, samples,
/// comparisons): an unresolvable reference reads as `null`.
pub fn resolve_or_null<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    resolve(doc, v).unwrap_or(&Value::Null)
}

/// The component a `#/components/schemas/NAME` reference names.
pub fn component_name(v: &Value) -> Option<&str> {
    v.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/components/schemas/"))
}

/// The last segment of any reference (`#/components/responses/X` → `X`).
pub fn ref_name(v: &Value) -> Option<&str> {
    v.get("$ref").and_then(Value::as_str).and_then(|r| r.rsplit('/').next())
}

/// A JSON pointer segment, escaped (`/` → `~1`, `~` → `~0`).
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn follows_local_pointers_and_refuses_the_rest() {
        let doc = json!({"components": {"schemas": {"A": {"type": "string"}}}});
        assert_eq!(resolve(&doc, &json!({"$ref": "#/components/schemas/A"})), Ok(&json!({"type": "string"})));
        assert_eq!(resolve(&doc, &json!({"type": "integer"})), Ok(&json!({"type": "integer"})));
        let dangling = resolve(&doc, &json!({"$ref": "#/components/schemas/B"})).unwrap_err();
        assert_eq!(dangling.to_string(), "dangling $ref #/components/schemas/B");
        let remote = resolve(&doc, &json!({"$ref": "other.yaml#/A"})).unwrap_err();
        assert_eq!(remote.to_string(), "only local $refs are supported: other.yaml#/A");
        assert_eq!(resolve_or_null(&doc, &json!({"$ref": "#/nope"})), &Value::Null);
    }

    #[test]
    fn names_and_escapes() {
        assert_eq!(component_name(&json!({"$ref": "#/components/schemas/Server"})), Some("Server"));
        assert_eq!(component_name(&json!({"$ref": "#/components/responses/Server"})), None);
        assert_eq!(ref_name(&json!({"$ref": "#/components/responses/Gone"})), Some("Gone"));
        assert_eq!(escape("/api/v1/{ID}"), "~1api~1v1~1{ID}");
    }
}
