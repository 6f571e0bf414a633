//! Each component's XML layout: the element order its schema lists, which
//! arrays are required (an empty one is still written), and the layouts of
//! what it holds. Emitted as statics, one per component, so that the runtime
//! writes XML in the spec's order without reading a schema per request.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use crate::model::Spec;
use crate::naming::type_name;
use crate::refs;

/// The static holding a component's layout.
fn layout_static(component: &str) -> proc_macro2::Ident {
    let mut name = String::from("XML_LAYOUT_");
    for c in type_name(component).chars() {
        if c.is_ascii_uppercase() && !name.ends_with('_') {
            name.push('_');
        }
        name.push(c.to_ascii_uppercase());
    }
    format_ident!("{name}")
}

/// A reference to a schema's layout: a component's static, or a promoted
/// constant.
fn layout_ref(schema: &Value) -> TokenStream {
    match refs::component_name(schema) {
        Some(component) => {
            let target = layout_static(component);
            quote!(&#target)
        }
        None => {
            let value = layout(schema);
            quote!(&#value)
        }
    }
}

/// The layout of an inline schema, as a constant expression.
fn layout(schema: &Value) -> TokenStream {
    if schema.get("type").and_then(Value::as_str) == Some("array") {
        let items = layout_ref(schema.get("items").unwrap_or(&Value::Null));
        return quote!(crate::wire::XmlLayout::List(#items));
    }
    match schema.get("properties").and_then(Value::as_object) {
        Some(properties) => {
            let required = |name: &str| {
                let list = schema.get("required").and_then(Value::as_array);
                list.is_some_and(|r| r.iter().any(|n| n.as_str() == Some(name)))
            };
            let members = properties.iter().map(|(name, property)| {
                let (inner, required) = (layout_ref(property), required(name));
                quote!(crate::wire::XmlMember { name: #name, layout: #inner, required: #required })
            });
            quote!(crate::wire::XmlLayout::Object(&[#(#members),*]))
        }
        None if schema.get("type").and_then(Value::as_str) == Some("object") || schema.is_null() => {
            quote!(crate::wire::XmlLayout::Any)
        }
        None => quote!(crate::wire::XmlLayout::Text),
    }
}

/// A static layout and an `XmlElements` impl for every component.
pub(crate) fn layouts(spec: &Spec) -> TokenStream {
    let mut out = TokenStream::new();
    for (name, schema) in &spec.schemas {
        let (target, ident) = (layout_static(name), format_ident!("{}", type_name(name)));
        // A component that only names another takes that one's layout.
        let value = layout(spec.resolve(schema));
        let doc = format!("The XML layout of `{name}`.");
        out.extend(quote! {
            #[doc = #doc]
            static #target: crate::wire::XmlLayout = #value;
            impl crate::wire::XmlElements for #ident {
                fn xml_layout() -> &'static crate::wire::XmlLayout {
                    &#target
                }
            }
        });
    }
    out
}
