//! An operation's parameters in one location (path, query or header) as a
//! struct, with the tables the runtime reads: each parameter's name, type and
//! default as typed values, and the set's validator schema, translated here.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::{json, Map, Value};

use crate::model::{Operation, ParamLocation, ParamType, Parameter, Scalar};
use crate::naming::{builder_method as snake, type_name};
use crate::schema::to_json_schema;

/// The generated set: its code and its type.
pub(crate) struct ParamSetCode {
    pub code: TokenStream,
    pub ident: proc_macro2::Ident,
}

/// The struct name suffix and the adapter's variable for a location.
pub(crate) fn names(location: ParamLocation) -> (&'static str, &'static str) {
    match location {
        ParamLocation::Path => ("Path", "path"),
        ParamLocation::Query => ("Query", "query"),
        ParamLocation::Header => ("Headers", "headers"),
    }
}

fn location_tokens(location: ParamLocation) -> TokenStream {
    match location {
        ParamLocation::Path => quote!(Path),
        ParamLocation::Query => quote!(Query),
        ParamLocation::Header => quote!(Header),
    }
}

/// (Rust type, runtime scalar kind) of a scalar.
fn scalar_tokens(scalar: Scalar) -> (TokenStream, TokenStream) {
    match scalar {
        Scalar::Int32 => (quote!(i32), quote!(Integer)),
        Scalar::Int64 => (quote!(i64), quote!(Integer)),
        Scalar::Number => (quote!(f64), quote!(Number)),
        Scalar::Boolean => (quote!(bool), quote!(Boolean)),
        Scalar::String => (quote!(String), quote!(String)),
    }
}

/// (Rust type, `crate::wire::ParamType` value) of a parameter.
fn type_tokens(ty: ParamType) -> (TokenStream, TokenStream) {
    match ty {
        ParamType::Scalar(s) => {
            let (rust, kind) = scalar_tokens(s);
            (rust, quote!(crate::wire::ParamType::#kind))
        }
        ParamType::ArrayOf(s) => {
            let (rust, kind) = scalar_tokens(s);
            (quote!(Vec<#rust>), quote!(crate::wire::ParamType::ArrayOf(crate::wire::ScalarType::#kind)))
        }
        ParamType::Delimited(s) => {
            let (rust, kind) = scalar_tokens(s);
            (quote!(Vec<#rust>), quote!(crate::wire::ParamType::Delimited(crate::wire::ScalarType::#kind)))
        }
    }
}

/// A default as a `crate::wire::ParamDefault` constant (the model admits
/// only scalars and lists of scalars).
fn default_tokens(value: &Value) -> TokenStream {
    match value {
        Value::String(s) => quote!(crate::wire::ParamDefault::String(#s)),
        Value::Bool(b) => quote!(crate::wire::ParamDefault::Boolean(#b)),
        Value::Number(n) => match n.as_i64() {
            Some(i) => quote!(crate::wire::ParamDefault::Integer(#i)),
            None => {
                let f = n.as_f64().unwrap_or_default();
                quote!(crate::wire::ParamDefault::Number(#f))
            }
        },
        Value::Array(items) => {
            let items = items.iter().map(default_tokens);
            quote!(crate::wire::ParamDefault::List(&[#(#items),*]))
        }
        Value::Null | Value::Object(_) => unreachable!("the model refuses other defaults"),
    }
}

fn field(p: &Parameter) -> TokenStream {
    let ident = format_ident!("{}", snake(&p.name));
    let (ty, _) = type_tokens(p.ty);
    let ty = if p.required || p.default.is_some() { ty } else { quote!(Option<#ty>) };
    let (name, doc) = (&p.name, p.description.clone().unwrap_or_default());
    quote! {
        #[doc = #doc]
        #[serde(rename = #name)]
        pub #ident: #ty,
    }
}

fn param_spec(p: &Parameter) -> TokenStream {
    let (name, required, loc) = (&p.name, p.required, location_tokens(p.location));
    let (_, kind) = type_tokens(p.ty);
    let description = match &p.description {
        Some(d) => quote!(Some(#d)),
        None => quote!(None),
    };
    let default = match &p.default {
        Some(d) => {
            let d = default_tokens(d);
            quote!(Some(#d))
        }
        None => quote!(None),
    };
    quote! {
        crate::wire::ParamSpec { name: #name, location: crate::wire::ParamIn::#loc, description: #description, required: #required, ty: #kind, default: #default }
    }
}

/// Keywords a parameter's schema may hold and still be checked by the
/// plain path ([`plain_parser`]): none of them constrains the value beyond
/// its type, except `minimum` and `maximum`, which the plain path checks.
const PLAIN_KEYWORDS: &[&str] =
    &["type", "format", "minimum", "maximum", "default", "description", "example", "nullable", "deprecated", "title"];

/// How the plain path reads one parameter's text: code that evaluates to
/// the value, or leaves `parse_plain` with `None` for the general path to
/// judge (and word the error). `None` here when the plain path cannot judge
/// this parameter at all.
fn plain_value(p: &Parameter) -> Option<TokenStream> {
    let schema = p.schema.as_object()?;
    if schema.keys().any(|k| !PLAIN_KEYWORDS.contains(&k.as_str())) {
        return None;
    }
    let bound = |key: &str| match schema.get(key) {
        None => Some(quote!(None)),
        Some(v) => v.as_i64().map(|i| quote!(Some(#i))),
    };
    let (min, max) = (bound("minimum")?, bound("maximum")?);
    let bounded = schema.contains_key("minimum") || schema.contains_key("maximum");
    let format = schema.get("format").and_then(Value::as_str);
    let ParamType::Scalar(scalar) = p.ty else { return None };
    Some(match scalar {
        Scalar::Int32 | Scalar::Int64 if matches!(format, None | Some("int32" | "int64")) => {
            let integer = quote!(crate::wire::plain_integer(text, #min, #max)?);
            match scalar {
                Scalar::Int32 => quote!(i32::try_from(#integer).ok()?),
                _ => integer,
            }
        }
        Scalar::Number if !bounded && format.is_none() => quote!(crate::wire::plain_number(text)?),
        Scalar::Boolean if !bounded && format.is_none() => quote!(crate::wire::plain_boolean(text)?),
        Scalar::String if !bounded && format.is_none() => quote!(text.to_string()),
        _ => return None,
    })
}

/// A parameter's default as a literal of its field's type.
fn default_literal(p: &Parameter, default: &Value) -> Option<TokenStream> {
    let ParamType::Scalar(scalar) = p.ty else { return None };
    Some(match (scalar, default) {
        (Scalar::Int32, Value::Number(n)) => {
            let i = i32::try_from(n.as_i64()?).ok()?;
            quote!(#i)
        }
        (Scalar::Int64, Value::Number(n)) => {
            let i = n.as_i64()?;
            quote!(#i)
        }
        (Scalar::Number, Value::Number(n)) => {
            let f = n.as_f64()?;
            quote!(#f)
        }
        (Scalar::Boolean, Value::Bool(b)) => quote!(#b),
        (Scalar::String, Value::String(s)) => quote!(#s.to_string()),
        _ => return None,
    })
}

/// The set's plain path: when every parameter is a scalar whose schema
/// says no more than its type and integer bounds, a typed reading of the
/// raw pairs that returns the set only when the general path (a JSON
/// object, the validator, serde) would return the same set, and `None`
/// whenever it might not: a value that does not parse or is out of bounds,
/// a required parameter that is missing. No error is ever worded here.
/// `None` for a set the plain path cannot judge.
fn plain_parser(params: &[&Parameter]) -> Option<TokenStream> {
    let fields = params
        .iter()
        .map(|p| {
            let ident = format_ident!("{}", snake(&p.name));
            let (name, value) = (&p.name, plain_value(p)?);
            // A required parameter that is missing is an error even when
            // its schema has a default: the general path words it.
            let (present, absent) = match (&p.default, p.required) {
                (_, true) => (value, quote!(return None)),
                (Some(default), false) => (value, default_literal(p, default)?),
                (None, false) => (quote!(Some(#value)), quote!(None)),
            };
            Some(quote! {
                #ident: match crate::wire::last_param::<Self>(pairs, #name) {
                    Some(text) => #present,
                    None => #absent,
                },
            })
        })
        .collect::<Option<Vec<_>>>()?;
    Some(quote! {
        fn parse_plain(pairs: &[(String, String)]) -> Option<Self> {
            Some(Self { #(#fields)* })
        }
    })
}

fn required(params: &[&Parameter]) -> Vec<String> {
    params.iter().filter(|p| p.required).map(|p| p.name.clone()).collect()
}

/// The schema the runtime validates the set against, translated.
fn validation_schema(params: &[&Parameter]) -> String {
    let properties: Map<String, Value> = params.iter().map(|p| (p.name.clone(), p.schema.clone())).collect();
    to_json_schema(&json!({ "type": "object", "properties": properties, "required": required(params) })).to_string()
}

/// The schema Dropshot describes the set with in the served document: each
/// parameter's description travels in its schema, where Dropshot looks for
/// it; and Dropshot describes only scalar query parameters, so a repeatable
/// (array) parameter is described by its item schema there, while the
/// runtime reads every occurrence. The served spec is the canonical one.
fn documented_schema(params: &[&Parameter]) -> String {
    let mut documented = Map::new();
    for p in params {
        let mut schema = match (p.schema.get("type").and_then(Value::as_str), p.schema.get("items")) {
            (Some("array"), Some(items)) => items.clone(),
            _ => p.schema.clone(),
        };
        if let (Some(d), Some(obj)) = (&p.description, schema.as_object_mut()) {
            obj.insert("description".into(), Value::String(d.clone()));
        }
        documented.insert(p.name.clone(), schema);
    }
    json!({ "type": "object", "properties": documented, "required": required(params) }).to_string()
}

/// The set of `op`'s parameters in `location`, if it has any.
pub(crate) fn param_set(op: &Operation, location: ParamLocation) -> Option<ParamSetCode> {
    let params: Vec<&Parameter> = op.params_in(location).collect();
    if params.is_empty() {
        return None;
    }
    let (suffix, _) = names(location);
    let ident = format_ident!("{}{}", type_name(&op.id), suffix);
    let fields = params.iter().map(|p| field(p));
    let specs = params.iter().map(|p| param_spec(p));
    let (loc, route) = (location_tokens(location), &op.path);
    let (validation, documented) = (validation_schema(&params), documented_schema(&params));
    let doc = format!("The {} parameters of `{}`.", location.key(), op.id);
    let plain = plain_parser(&params);
    let code = quote! {
        #[doc = #doc]
        #[derive(Clone, Debug, PartialEq, ::serde::Deserialize)]
        pub struct #ident {
            #(#fields)*
        }

        impl ::schemars::JsonSchema for #ident {
            fn schema_name() -> String {
                stringify!(#ident).to_string()
            }
            fn json_schema(_: &mut ::schemars::r#gen::SchemaGenerator) -> ::schemars::schema::Schema {
                ::serde_json::from_str(#documented).expect("parameter schemas from the spec")
            }
        }

        impl crate::wire::ParamSet for #ident {
            const LOCATION: crate::wire::ParamIn = crate::wire::ParamIn::#loc;
            const ROUTE: &'static str = #route;
            const PARAMS: &'static [crate::wire::ParamSpec] = &[#(#specs),*];
            fn validator() -> &'static ::jsonschema::Validator {
                static VALIDATOR: crate::wire::LazyValidator = crate::wire::LazyValidator::new(|| {
                    crate::wire::compile_translated(VALIDATION_COMPONENTS.get(), #validation)
                });
                VALIDATOR.get()
            }
            #plain
        }
    };
    Some(ParamSetCode { code, ident })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(required: bool, schema: Value) -> Parameter {
        Parameter {
            name: "level".into(),
            location: ParamLocation::Query,
            description: None,
            required,
            ty: ParamType::Scalar(Scalar::Int32),
            default: schema.get("default").cloned(),
            example: None,
            schema,
        }
    }

    #[test]
    fn the_plain_path_defaults_only_optional_parameters() {
        let schema = json!({"type": "integer", "format": "int32", "minimum": 0, "maximum": 2, "default": 2});
        let optional = plain_parser(&[&level(false, schema.clone())]).unwrap().to_string();
        assert!(optional.contains("None => 2i32") && !optional.contains("return None"), "{optional}");
        assert!(optional.contains("plain_integer (text , Some (0i64) , Some (2i64))"), "{optional}");
        // Missing, a required parameter is the general path's error to word,
        // default or not.
        let required = plain_parser(&[&level(true, schema)]).unwrap().to_string();
        assert!(required.contains("None => return None") && !required.contains("2i32"), "{required}");
    }

    #[test]
    fn constraints_beyond_integer_bounds_leave_the_set_to_the_general_path() {
        for schema in [
            json!({"type": "integer", "format": "int32", "enum": [1, 2]}),
            json!({"type": "integer", "format": "int32", "minimum": 0.5}),
            json!({"type": "integer", "format": "int32", "exclusiveMinimum": true, "minimum": 0}),
            json!({"type": "integer", "format": "int32", "multipleOf": 2}),
        ] {
            assert!(plain_parser(&[&level(false, schema.clone())]).is_none(), "{schema}");
        }
        let pattern = Parameter {
            name: "code".into(),
            ty: ParamType::Scalar(Scalar::String),
            ..level(true, json!({"type": "string", "pattern": "^MN[0-9]{8}$"}))
        };
        assert!(plain_parser(&[&pattern]).is_none());
    }
}
