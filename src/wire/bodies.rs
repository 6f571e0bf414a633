//! Bodies: the [`Body`] extractor (parse, validate against the spec's
//! schema, set read-only claims aside as [`Claimed`]), and the response-side
//! wrappers the adapter understands ([`WithHeaders`], [`Envelope`]).

use dropshot::{
    ApiEndpointBodyContentType, ExclusiveExtractor, ExtractorMetadata, HttpError, RequestContext, ServerContext,
    TypedBody, UntypedBody,
};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

use super::params::form_urlencoded_pairs;
use super::schema::violations;
use super::{Problem, Violation};

/// A success body together with response headers the operation documents
/// (for instance `Set-Cookie` on login).
#[derive(Debug)]
pub struct WithHeaders<T> {
    pub body: T,
    pub headers: http::HeaderMap,
}

/// A request body type generated from a spec schema.
pub trait RequestBody: DeserializeOwned + JsonSchema + Send + Sync + 'static {
    /// The top-level properties the spec marks `readOnly`.
    const READ_ONLY: &'static [&'static str];
    fn validator() -> &'static jsonschema::Validator;
}

/// A body whose read-only fields were sent: the handler must compare them
/// with the stored object (inside its transaction) before it may use the body.
#[derive(Debug)]
#[must_use = "the read-only fields must be verified before the body is used"]
pub struct Claimed<B> {
    body: B,
    read_only: Map<String, Value>,
}

impl<B> Claimed<B> {
    /// The body before verification: for an operation that must first work
    /// out the object it creates, which it then verifies against.
    pub fn peek(&self) -> &B {
        &self.body
    }

    /// The body, if every read-only field that was sent equals the value of
    /// the same field in `current` (the object as it is, or as it will be).
    pub fn verified_against(self, current: &impl Serialize) -> Result<B, Problem> {
        if self.read_only.is_empty() {
            return Ok(self.body);
        }
        let current = serde_json::to_value(current).map_err(|_| Problem::Internal("Internal server error".into()))?;
        let wrong: Vec<Violation> = self
            .read_only
            .iter()
            .filter(|(name, sent)| current.get(name.as_str()) != Some(sent))
            .map(|(name, _)| Violation::new(name.clone(), "is read-only and differs from the stored value"))
            .collect();
        if wrong.is_empty() {
            Ok(self.body)
        } else {
            Err(Problem::Invalid(wrong))
        }
    }
}

/// The request body of one operation, parsed and validated, or what was wrong
/// with it; and the body as JSON, when it was JSON at all, for the checks the
/// schema cannot express ([`crate::HostadminApi::check_body`]).
#[derive(Debug)]
pub struct Body<B> {
    parsed: Result<Claimed<B>, Vec<Violation>>,
    json: Option<Value>,
    /// The body was longer than the service accepts (Dropshot's message).
    too_large: Option<String>,
}

impl<B> Body<B> {
    /// A body over the size limit is refused as a whole (413), before any
    /// of its contents is judged: there are none to judge.
    pub fn refused(&self) -> Result<(), Problem> {
        match &self.too_large {
            Some(why) => Err(Problem::TooLarge(why.clone())),
            None => Ok(()),
        }
    }

    /// The body as JSON, if it parsed as JSON (valid against its schema or not).
    pub fn json(&self) -> Option<&Value> {
        self.json.as_ref()
    }

    /// The body with its read-only claims, any violations moved into `problems`.
    pub fn take_claimed(self, problems: &mut Vec<Violation>) -> Option<Claimed<B>> {
        match self.parsed {
            Ok(b) => Some(b),
            Err(mut v) => {
                problems.append(&mut v);
                None
            }
        }
    }

    /// The body of an operation whose schema has no read-only fields.
    pub fn take(self, problems: &mut Vec<Violation>) -> Option<B> {
        self.take_claimed(problems).map(|c| c.body)
    }
}

/// What the [`Body`] extractor does with a request's bytes and content type.
pub fn parse_body<B: RequestBody>(
    bytes: &[u8],
    content_type: Option<&str>,
    expected: &ApiEndpointBodyContentType,
) -> Body<B> {
    let mut json = None;
    let parsed = parse_json_body(bytes, content_type, expected, &mut json);
    Body { parsed, json, too_large: None }
}

fn parse_json_body<B: RequestBody>(
    bytes: &[u8],
    content_type: Option<&str>,
    expected: &ApiEndpointBodyContentType,
    json: &mut Option<Value>,
) -> Result<Claimed<B>, Vec<Violation>> {
    let mime = content_type
        .map(|ct| ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
        .unwrap_or_else(|| expected.mime_type().to_string());
    if mime != expected.mime_type() {
        return Err(vec![Violation::new(
            "",
            format!("expected content type \"{}\", got \"{}\"", expected.mime_type(), mime),
        )]);
    }
    let mut value: Value = match expected {
        ApiEndpointBodyContentType::UrlEncoded => {
            let pairs = form_urlencoded_pairs(bytes);
            // A form is flat: every value is text (the generator admits
            // only string fields in form bodies).
            let mut map = Map::new();
            for (k, v) in pairs {
                map.insert(k, Value::String(v));
            }
            Value::Object(map)
        }
        _ => serde_json::from_slice(bytes).map_err(|e| vec![Violation::new("", format!("malformed JSON: {e}"))])?,
    };
    *json = Some(value.clone());
    let found = violations(B::validator(), &value, "");
    if !found.is_empty() {
        return Err(found);
    }
    let mut read_only = Map::new();
    if let Value::Object(map) = &mut value {
        for name in B::READ_ONLY {
            if let Some(v) = map.remove(*name) {
                read_only.insert((*name).to_string(), v);
            }
        }
    }
    let body = serde_json::from_value(value).map_err(|e| vec![Violation::new("", e.to_string())])?;
    Ok(Claimed { body, read_only })
}

#[async_trait::async_trait]
impl<B: RequestBody> ExclusiveExtractor for Body<B> {
    async fn from_request<Context: ServerContext>(
        rqctx: &RequestContext<Context>,
        request: hyper::Request<dropshot::Body>,
    ) -> Result<Self, HttpError> {
        let content_type = request
            .headers()
            .get(http::header::CONTENT_TYPE)
            .map(|v| v.to_str().map(str::to_string).unwrap_or_default());
        let expected = rqctx.endpoint.body_content_type.clone();
        Ok(match UntypedBody::from_request(rqctx, request).await {
            Ok(bytes) => parse_body::<B>(bytes.as_bytes(), content_type.as_deref(), &expected),
            // Dropshot says "too large" with a 400 and this message; it is
            // the one way to tell it from a broken stream.
            Err(e) if e.external_message.starts_with("request body exceeded maximum size") => Body {
                parsed: Err(vec![Violation::new("", e.external_message.clone())]),
                json: None,
                too_large: Some(e.external_message),
            },
            Err(e) => Body { parsed: Err(vec![Violation::new("", e.external_message)]), json: None, too_large: None },
        })
    }

    fn metadata(content_type: ApiEndpointBodyContentType) -> ExtractorMetadata {
        <TypedBody<B> as ExclusiveExtractor>::metadata(content_type)
    }
}

/// A response body that carries its own HTTP status in `statusCode` (an
/// envelope); the generated adapter sets it from the operation's status.
pub trait Envelope {
    fn set_status_code(&mut self, status: u16);
}
