//! XML, for operations whose spec declares `text/xml` beside JSON: whether a
//! request asks for it, the JSON-to-XML mapping, and [`Negotiated`], the
//! response in whichever representation was asked for.

use dropshot::HttpError;
use serde::Serialize;
use serde_json::Value;

use super::ErrorResponse;

/// Whether the request asked for XML: `Accept: text/xml` (or
/// `application/xml`), or a path ending in `.xml`.
pub fn wants_xml(request: &dropshot::RequestInfo) -> bool {
    request.uri().path().ends_with(".xml")
        || request
            .headers()
            .get_all(http::header::ACCEPT)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.contains("text/xml") || v.contains("application/xml"))
}

/// A JSON document as XML: root `<result>`, an element per field, an array
/// as its element repeated once per item, `null` as an empty element.
pub fn to_xml(value: &Value) -> String {
    fn text(s: &str, out: &mut String) {
        for c in s.chars() {
            match c {
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '&' => out.push_str("&amp;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&apos;"),
                // Characters XML 1.0 cannot carry at all are dropped.
                c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
                c => out.push(c),
            }
        }
    }
    fn element(name: &str, value: &Value, out: &mut String) {
        match value {
            Value::Array(items) => items.iter().for_each(|item| element(name, item, out)),
            Value::Null => {
                out.push('<');
                out.push_str(name);
                out.push_str(" />");
            }
            other => {
                out.push('<');
                out.push_str(name);
                out.push('>');
                match other {
                    Value::Object(map) => map.iter().for_each(|(k, v)| element(k, v, out)),
                    Value::String(s) => text(s, out),
                    v => out.push_str(&v.to_string()),
                }
                out.push_str("</");
                out.push_str(name);
                out.push('>');
            }
        }
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
    match value {
        Value::Object(_) => element("result", value, &mut out),
        other => element("result", &serde_json::json!({ "response": other }), &mut out),
    }
    out
}

/// A success (or, for XML, any) response in the representation the request
/// asked for. JSON goes through Dropshot's own response type `R`; XML is
/// written here.
#[derive(Debug)]
pub struct Negotiated<R>(NegotiatedInner<R>);

#[derive(Debug)]
enum NegotiatedInner<R> {
    Json(R),
    Xml { status: http::StatusCode, body: String },
}

impl<R> Negotiated<R> {
    pub fn json(response: R) -> Self {
        Negotiated(NegotiatedInner::Json(response))
    }

    pub fn xml(status: http::StatusCode, body: &impl Serialize) -> Self {
        let body = serde_json::to_value(body).map(|v| to_xml(&v)).unwrap_or_else(|_| to_xml(&Value::Null));
        Negotiated(NegotiatedInner::Xml { status, body })
    }

    /// The operation's outcome, as JSON or XML: when XML was asked for,
    /// errors are answered as XML too, with their status.
    pub fn answer<T: Serialize, B: Serialize>(
        xml: bool,
        status: http::StatusCode,
        result: Result<T, ErrorResponse<B>>,
        json: impl FnOnce(T) -> R,
    ) -> Result<Self, ErrorResponse<B>> {
        match (result, xml) {
            (Ok(out), true) => Ok(Negotiated::xml(status, &out)),
            (Ok(out), false) => Ok(Negotiated::json(json(out))),
            (Err(e), true) => Ok(Negotiated::xml(e.status.as_status(), &e.body)),
            (Err(e), false) => Err(e),
        }
    }
}

impl<R: dropshot::HttpResponse + Send + Sync + 'static> dropshot::HttpResponse for Negotiated<R> {
    fn to_result(self) -> Result<http::Response<dropshot::Body>, HttpError> {
        match self.0 {
            NegotiatedInner::Json(r) => r.to_result(),
            NegotiatedInner::Xml { status, body } => http::Response::builder()
                .status(status)
                .header(http::header::CONTENT_TYPE, "text/xml; charset=utf-8")
                .body(body.into())
                .map_err(|e| HttpError::for_internal_error(e.to_string())),
        }
    }

    fn response_metadata() -> dropshot::ApiEndpointResponse {
        R::response_metadata()
    }

    fn status_code(&self) -> http::StatusCode {
        match &self.0 {
            NegotiatedInner::Json(r) => r.status_code(),
            NegotiatedInner::Xml { status, .. } => *status,
        }
    }
}
