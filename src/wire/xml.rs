//! XML, for operations whose spec declares `text/xml` beside JSON: whether a
//! request asks for it, the JSON-to-XML mapping, and [`Negotiated`], the
//! response in whichever representation was asked for.

use dropshot::HttpError;
use serde::Serialize;
use serde_json::Value;

use super::ErrorResponse;

/// Whether the request asked for XML: a path ending in `.xml`, or an
/// `Accept` that weighs XML above JSON (see [`super::accept`]).
pub fn wants_xml(request: &dropshot::RequestInfo) -> bool {
    request.uri().path().ends_with(".xml")
        || super::accept::negotiate(
            request.headers().get_all(http::header::ACCEPT).iter().filter_map(|v| v.to_str().ok()),
        ) == super::accept::Representation::Xml
}

/// How a value is written as XML, from its schema in the spec: emitted at
/// build time for every component (see [`XmlElements`]).
#[derive(Debug)]
pub enum XmlLayout {
    /// A string, number or boolean: text.
    Text,
    /// An object: its properties as elements, in the spec's order.
    Object(&'static [XmlMember]),
    /// An array: each item as one element named after the property
    /// (unwrapped), as the product writes its collections.
    List(&'static XmlLayout),
    /// A schema without listed properties: the value's own order.
    Any,
}

/// One property of an object layout.
#[derive(Debug)]
pub struct XmlMember {
    pub name: &'static str,
    pub layout: &'static XmlLayout,
    /// Required: an empty array is still written, as one empty element.
    pub required: bool,
}

/// A component's XML layout (implemented by the generated code for every
/// component schema).
pub trait XmlElements {
    fn xml_layout() -> &'static XmlLayout;
}

/// A JSON document as XML with no schema to follow: root `<result>`, keys in
/// the value's order. See [`to_xml_in`].
pub fn to_xml(value: &Value) -> String {
    to_xml_in(value, &XmlLayout::Any)
}

/// A JSON document as XML, as the product's .NET clients read it: root
/// `<result>`; an object's elements in the order its schema lists them
/// (`DataContractSerializer` reads members in their declared order and skips
/// those out of place), then any the schema does not list; an array as its
/// element repeated once per item, and an empty *required* array as one empty
/// element so that the member is not missing; `null` as an empty element.
/// Characters XML 1.0 cannot carry (C0 controls other than tab, newline and
/// carriage return, U+FFFE and U+FFFF) are dropped from text: the JSON
/// representation keeps the stored value exactly.
pub fn to_xml_in(value: &Value, layout: &XmlLayout) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
    match value {
        Value::Object(_) => element("result", value, layout, true, &mut out),
        other => {
            out.push_str("<result>");
            element("response", other, layout, true, &mut out);
            out.push_str("</result>");
        }
    }
    out
}

/// Whether XML 1.0 can carry `c` at all (its `Char` production; Rust's
/// `char` already excludes surrogates).
pub fn is_xml_char(c: char) -> bool {
    !matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

fn text(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if !is_xml_char(c) => {}
            c => out.push(c),
        }
    }
}

fn empty(name: &str, out: &mut String) {
    out.push('<');
    out.push_str(name);
    out.push_str(" />");
}

fn element(name: &str, value: &Value, layout: &XmlLayout, required: bool, out: &mut String) {
    match value {
        Value::Array(items) if items.is_empty() && required => empty(name, out),
        Value::Array(items) => {
            let item_layout = match layout {
                XmlLayout::List(item) => item,
                _ => &XmlLayout::Any,
            };
            items.iter().for_each(|item| element(name, item, item_layout, false, out))
        }
        Value::Null => empty(name, out),
        other => {
            out.push('<');
            out.push_str(name);
            out.push('>');
            match other {
                Value::Object(map) => members(map, layout, out),
                Value::String(s) => text(s, out),
                v => out.push_str(&v.to_string()),
            }
            out.push_str("</");
            out.push_str(name);
            out.push('>');
        }
    }
}

/// An object's members: those the layout lists, in its order, then the rest.
fn members(map: &serde_json::Map<String, Value>, layout: &XmlLayout, out: &mut String) {
    let listed: &[XmlMember] = match layout {
        XmlLayout::Object(members) => members,
        _ => &[],
    };
    for member in listed {
        if let Some(value) = map.get(member.name) {
            element(member.name, value, member.layout, member.required, out);
        }
    }
    for (name, value) in map.iter().filter(|(name, _)| !listed.iter().any(|m| m.name == name.as_str())) {
        element(name, value, &XmlLayout::Any, false, out);
    }
}

/// An operation's response in the representation the request asked for,
/// with the headers every response of the service carries (CORS, see
/// [`super::cors`]). JSON goes through Dropshot's own response type `R`; XML,
/// and errors that must carry those headers, are written here (Dropshot
/// renders an endpoint's error type without a way to add headers).
#[derive(Debug)]
pub struct Negotiated<R> {
    inner: NegotiatedInner<R>,
    headers: http::HeaderMap,
}

#[derive(Debug)]
enum NegotiatedInner<R> {
    Json(R),
    Written { status: http::StatusCode, content_type: &'static str, body: String },
}

impl<R> Negotiated<R> {
    pub fn json(response: R) -> Self {
        Negotiated { inner: NegotiatedInner::Json(response), headers: http::HeaderMap::new() }
    }

    /// `body` as XML, in the element order of its schema.
    pub fn xml<T: Serialize + XmlElements>(status: http::StatusCode, body: &T) -> Self {
        let layout = T::xml_layout();
        let body = serde_json::to_value(body).map(|v| to_xml_in(&v, layout)).unwrap_or_else(|_| to_xml(&Value::Null));
        let inner = NegotiatedInner::Written { status, content_type: "text/xml; charset=utf-8", body };
        Negotiated { inner, headers: http::HeaderMap::new() }
    }

    /// `body` as JSON, written here rather than by Dropshot.
    fn written_json<T: Serialize>(status: http::StatusCode, body: &T) -> Self {
        let body = serde_json::to_string(body).unwrap_or_else(|_| "null".into());
        let inner = NegotiatedInner::Written { status, content_type: "application/json", body };
        Negotiated { inner, headers: http::HeaderMap::new() }
    }

    /// The same response with `headers` added.
    pub fn with_headers(mut self, headers: http::HeaderMap) -> Self {
        self.headers.extend(headers);
        self
    }

    /// The outcome of an operation that offers XML, as JSON or XML: when XML
    /// was asked for, errors are answered as XML too, with their status.
    /// With `headers` to carry, an error is answered here as well.
    pub fn answer<T: Serialize + XmlElements, B: Serialize + XmlElements>(
        xml: bool,
        status: http::StatusCode,
        result: Result<T, ErrorResponse<B>>,
        json: impl FnOnce(T) -> R,
        headers: http::HeaderMap,
    ) -> Result<Self, ErrorResponse<B>> {
        let answered = match (result, xml) {
            (Ok(out), true) => Negotiated::xml(status, &out),
            (Ok(out), false) => Negotiated::json(json(out)),
            (Err(e), true) => Negotiated::xml(e.status.as_status(), &e.body),
            (Err(e), false) if headers.is_empty() => return Err(e),
            (Err(e), false) => Negotiated::written_json(e.status.as_status(), &e.body),
        };
        Ok(answered.with_headers(headers))
    }

    /// The outcome of a JSON-only operation; an error is answered here only
    /// when it must carry `headers`, and otherwise left to Dropshot.
    pub fn answer_json<B: Serialize>(
        result: Result<R, ErrorResponse<B>>,
        headers: http::HeaderMap,
    ) -> Result<Self, ErrorResponse<B>> {
        let answered = match result {
            Ok(out) => Negotiated::json(out),
            Err(e) if headers.is_empty() => return Err(e),
            Err(e) => Negotiated::written_json(e.status.as_status(), &e.body),
        };
        Ok(answered.with_headers(headers))
    }
}

impl<R: dropshot::HttpResponse + Send + Sync + 'static> dropshot::HttpResponse for Negotiated<R> {
    fn to_result(self) -> Result<http::Response<dropshot::Body>, HttpError> {
        let mut response = match self.inner {
            NegotiatedInner::Json(r) => r.to_result()?,
            NegotiatedInner::Written { status, content_type, body } => http::Response::builder()
                .status(status)
                .header(http::header::CONTENT_TYPE, content_type)
                .body(body.into())
                .map_err(|e| HttpError::for_internal_error(e.to_string()))?,
        };
        for (name, value) in &self.headers {
            response.headers_mut().append(name, value.clone());
        }
        Ok(response)
    }

    fn response_metadata() -> dropshot::ApiEndpointResponse {
        R::response_metadata()
    }

    fn status_code(&self) -> http::StatusCode {
        match &self.inner {
            NegotiatedInner::Json(r) => r.status_code(),
            NegotiatedInner::Written { status, .. } => *status,
        }
    }
}
