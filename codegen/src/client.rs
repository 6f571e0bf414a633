//! What the client's runtime needs from the spec, as Rust source for its
//! `OUT_DIR/runtime.rs`: each operation's security (so every request gets
//! the credentials of the alternative the spec names, not a guess from the
//! path) and a `stream()` on every list operation's builder (so the three
//! surfaces' paging conventions are read from the spec once, not written
//! out by hand eight times).

use serde_json::Value;

use crate::model::{KeyLocation, Method, Operation, ParamLocation, SecurityRequirement, Spec};
use crate::naming::{builder_method, snake, type_name};

/// How a list operation pages, recognised by its query parameters and the
/// fields of its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Paging {
    /// `limit`/`offset`; the answer's `count` is over all pages.
    Offset { items: String, total: String },
    /// `page` (from 1)/`per`; the answer's `pagination` has `total_pages`.
    Page { items: String, pagination: String },
    /// `startIndex`/`count`; the answer's `total` is over all pages.
    StartIndex { items: String, total: String },
}

/// A list operation: its paging and its item and error types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListOperation {
    pub id: String,
    pub paging: Paging,
    pub item: String,
    pub error: String,
}

fn component_of(reference: &Value) -> Option<String> {
    reference.get("$ref")?.as_str()?.strip_prefix("#/components/schemas/").map(str::to_string)
}

/// The operation as a list, if it is one: a GET whose query has one of the
/// three pairs of paging parameters and whose answer holds an array of a
/// component.
pub fn list_operation(spec: &Spec, op: &Operation) -> Option<ListOperation> {
    if op.method != Method::Get {
        return None;
    }
    let has = |name: &str| op.params_in(ParamLocation::Query).any(|p| p.name == name);
    let answer = spec.resolve(op.success.schema.as_ref()?);
    let props = answer.get("properties")?.as_object()?;
    let (items_name, items) = props.iter().find(|(_, v)| v["type"] == "array")?;
    let item = component_of(&items["items"])?;
    let items = snake(items_name);
    let paging = if has("limit") && has("offset") && props.contains_key("count") {
        Paging::Offset { items, total: "count".into() }
    } else if has("page") && has("per") && props.contains_key("pagination") {
        Paging::Page { items, pagination: "pagination".into() }
    } else if has("startIndex") && has("count") && props.contains_key("total") {
        Paging::StartIndex { items, total: "total".into() }
    } else {
        return None;
    };
    Some(ListOperation { id: op.id.clone(), paging, item: type_name(&item), error: type_name(&op.error_schema) })
}

/// Every list operation of the spec, in its order.
pub fn list_operations(spec: &Spec) -> Vec<ListOperation> {
    spec.operations.iter().filter_map(|op| list_operation(spec, op)).collect()
}

fn stream_impl(list: &ListOperation) -> String {
    let builder = type_name(&list.id);
    let (start, fetch) = match &list.paging {
        Paging::Offset { items, total } => (
            0,
            format!(
                "let page = builder.offset(at).send().await?.into_inner();\n\
                 let next = at + page.{items}.len() as u64;\n\
                 Ok(crate::paging::Page::new(page.{items}, (i64::try_from(next).unwrap_or(i64::MAX) < page.{total}).then_some(next)))"
            ),
        ),
        Paging::Page { items, pagination } => (
            1,
            format!(
                "let page = builder.page(at).send().await?.into_inner();\n\
                 let more = i64::try_from(at).unwrap_or(i64::MAX) < page.{pagination}.total_pages;\n\
                 Ok(crate::paging::Page::new(page.{items}, more.then_some(at + 1)))"
            ),
        ),
        Paging::StartIndex { items, total } => (
            0,
            format!(
                "let page = builder.{}(at).send().await?.into_inner();\n\
                 let next = at + page.{items}.len() as u64;\n\
                 Ok(crate::paging::Page::new(page.{items}, (i64::try_from(next).unwrap_or(i64::MAX) < page.{total}).then_some(next)))",
                builder_method("startIndex")
            ),
        ),
    };
    format!(
        "impl<'a> crate::builder::{builder}<'a> {{\n\
         /// Every item of the list, one page fetched at a time as the stream is\n\
         /// read. The stream starts at the first item (a start set on the builder\n\
         /// is replaced); the page size and filters set on the builder are kept.\n\
         pub fn stream(self) -> crate::paging::ItemStream<'a, crate::types::{item}, crate::types::{error}> {{\n\
         crate::paging::items(self, {start}, |builder: Self, at: u64| async move {{\n{fetch}\n}})\n}}\n}}\n\n",
        item = list.item,
        error = list.error,
    )
}

fn location(l: KeyLocation) -> &'static str {
    match l {
        KeyLocation::Header => "crate::runtime::KeyLocation::Header",
        KeyLocation::Cookie => "crate::runtime::KeyLocation::Cookie",
        KeyLocation::Query => "crate::runtime::KeyLocation::Query",
    }
}

/// The client's `OUT_DIR/runtime.rs`: `SCHEMES`, `SECURITY`, `LISTS` and
/// the `stream()` methods.
pub fn client_runtime_source(spec: &Spec) -> String {
    let mut out = String::from("/// The spec's security schemes: (name, where the credential travels, its key).\n");
    out.push_str("pub(crate) const SCHEMES: &[(&str, crate::runtime::KeyLocation, &str)] = &[\n");
    for s in &spec.security_schemes {
        out.push_str(&format!("({:?}, {}, {:?}),\n", s.name, location(s.location), s.key));
    }
    out.push_str(
        "];\n\n/// Each operation's security: alternatives, each the schemes it needs together (none: open).\n",
    );
    out.push_str("pub(crate) const SECURITY: &[(&str, &[&[&str]])] = &[\n");
    for op in &spec.operations {
        let alternatives = match &op.security {
            SecurityRequirement::Anonymous => String::new(),
            SecurityRequirement::AnyOf(alts) => alts
                .iter()
                .map(|a| format!("&[{}]", a.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>().join(", ")))
                .collect::<Vec<_>>()
                .join(", "),
        };
        out.push_str(&format!("({:?}, &[{alternatives}]),\n", op.id));
    }
    out.push_str("];\n\n");
    let lists = list_operations(spec);
    out.push_str("/// The operations that have a `stream()`.\npub const LISTS: &[&str] = &[");
    out.push_str(&lists.iter().map(|l| format!("{:?}", l.id)).collect::<Vec<_>>().join(", "));
    out.push_str("];\n\n");
    for list in &lists {
        out.push_str(&stream_impl(list));
    }
    out
}
