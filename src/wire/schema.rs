//! Schema validation: validators compiled once per process from schemas the
//! build already translated to JSON Schema, and their findings as
//! [`Violation`]s named by field.

use std::sync::OnceLock;

use serde_json::Value;

use super::Violation;

/// Builds a validator for `schema` (OpenAPI 3.0, e.g. `{"$ref":
/// "#/components/schemas/ServerCreate"}`) against the components of the
/// untranslated spec `document`, translating both with the generator's one
/// translation ([`hostadmin_codegen::schema`]). For tests and tools; the
/// generated code uses [`compile_translated`].
pub fn compile_validator(document: &Value, schema: Value) -> jsonschema::Validator {
    let components = hostadmin_codegen::schema::validation_components(document);
    build(hostadmin_codegen::schema::validation_root(hostadmin_codegen::schema::to_json_schema(&schema), components))
}

/// Builds a validator from a schema the build already translated (JSON
/// text) and the translated components: what each generated validator
/// does, once per process.
pub fn compile_translated(components: &Value, schema: &str) -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(schema).expect("the build emits valid JSON");
    build(hostadmin_codegen::schema::validation_root(schema, components.clone()))
}

fn build(root: Value) -> jsonschema::Validator {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(&root)
        .expect("the spec's schemas are valid JSON Schema (checked at build time)")
}

/// Validates `instance` and returns every violation, each named by where it is.
pub fn violations(validator: &jsonschema::Validator, instance: &Value, prefix: &str) -> Vec<Violation> {
    let mut out = Vec::new();
    // Most instances are valid: the yes-or-no check stops at nothing and
    // builds no error, which `iter_errors` prepares for at every keyword.
    if validator.is_valid(instance) {
        return out;
    }
    for error in validator.iter_errors(instance) {
        let path = error.instance_path().as_str().trim_start_matches('/').replace('/', ".");
        let at = |p: &str| match (prefix.is_empty(), p.is_empty()) {
            (true, _) => p.to_string(),
            (false, true) => prefix.to_string(),
            (false, false) => format!("{prefix}.{p}"),
        };
        match error.kind() {
            jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected } => {
                for name in unexpected {
                    let field = if path.is_empty() { name.clone() } else { format!("{path}.{name}") };
                    out.push(Violation::new(at(&field), "unknown field"));
                }
            }
            jsonschema::error::ValidationErrorKind::Required { property } => {
                let name = property.as_str().map(str::to_string).unwrap_or_else(|| property.to_string());
                let field = if path.is_empty() { name } else { format!("{path}.{name}") };
                out.push(Violation::new(at(&field), "is required"));
            }
            _ => out.push(Violation::new(at(&path), describe(&error))),
        }
    }
    out
}

/// The validator's message, quoting the offending value only when it is
/// short: an error body never echoes a whole oversized request.
fn describe(error: &jsonschema::ValidationError<'_>) -> String {
    const QUOTE_AT_MOST: usize = 64;
    if error.instance().to_string().len() <= QUOTE_AT_MOST {
        error.to_string()
    } else {
        error.masked_with("the value").to_string()
    }
}

/// Lazily compiled validators, one per schema, shared by generated code.
pub struct LazyValidator {
    cell: OnceLock<jsonschema::Validator>,
    init: fn() -> jsonschema::Validator,
}

impl LazyValidator {
    pub const fn new(init: fn() -> jsonschema::Validator) -> Self {
        Self { cell: OnceLock::new(), init }
    }
    pub fn get(&'static self) -> &'static jsonschema::Validator {
        self.cell.get_or_init(self.init)
    }
}

/// A JSON document embedded by the build, parsed once per process.
pub struct LazyDocument {
    cell: OnceLock<Value>,
    text: &'static str,
}

impl LazyDocument {
    pub const fn new(text: &'static str) -> Self {
        Self { cell: OnceLock::new(), text }
    }
    pub fn get(&'static self) -> &'static Value {
        self.cell
            .get_or_init(|| serde_json::from_str(self.text).expect("the spec is valid JSON (checked at build time)"))
    }
}
