//! Parameters: the [`Params`] extractor for an operation's path, query or
//! header set, driven by the generated [`ParamSpec`] tables (names, types and
//! defaults as typed values: nothing is parsed from schema text per request).

use dropshot::{
    ApiEndpointBodyContentType, ExtractorMetadata, HttpError, RequestContext, ServerContext, SharedExtractor,
};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::schema::violations;
use super::Violation;

/// Where a parameter is read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamIn {
    Path,
    Query,
    Header,
}

/// How a parameter's text becomes JSON before it is validated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamType {
    String,
    Integer,
    Number,
    Boolean,
    /// Repeated (`form`, `explode: true`): each occurrence is one item.
    ArrayOf(ScalarType),
    /// Delimited (`form`, `explode: false`): `name=a,b`. Several occurrences
    /// are read as one list too (`name=a&name=b`), which is what a client
    /// that ignores `explode` sends (Progenitor's does).
    Delimited(ScalarType),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarType {
    String,
    Integer,
    Number,
    Boolean,
}

/// One parameter as the spec declares it.
#[derive(Debug)]
pub struct ParamSpec {
    pub name: &'static str,
    pub location: ParamIn,
    pub description: Option<&'static str>,
    pub required: bool,
    pub ty: ParamType,
    /// The schema's `default`, applied when the parameter is absent.
    pub default: Option<ParamDefault>,
}

/// A parameter's `default`, emitted by the build as a constant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ParamDefault {
    String(&'static str),
    Integer(i64),
    Number(f64),
    Boolean(bool),
    List(&'static [ParamDefault]),
}

impl ParamDefault {
    /// The default as the JSON value the spec wrote.
    pub fn to_json(self) -> Value {
        match self {
            ParamDefault::String(s) => Value::String(s.to_string()),
            ParamDefault::Integer(i) => Value::from(i),
            ParamDefault::Number(n) => serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number),
            ParamDefault::Boolean(b) => Value::Bool(b),
            ParamDefault::List(items) => items.iter().map(|d| d.to_json()).collect(),
        }
    }
}

/// A set of parameters of one operation in one location, generated as a
/// struct from the spec.
pub trait ParamSet: DeserializeOwned + JsonSchema + Send + Sync + 'static {
    const LOCATION: ParamIn;
    /// The operation's path template (`/a/{id}`), for path parameters.
    const ROUTE: &'static str;
    const PARAMS: &'static [ParamSpec];
    /// Validates the object `{name: value}` built from the parameters.
    fn validator() -> &'static jsonschema::Validator;
    /// The set read straight from the raw pairs, generated for sets of
    /// scalars whose schemas constrain no more than type and integer
    /// bounds; `Some` only where [`parse_params`]' general path would give
    /// the same set, `None` to leave the pairs (and any error's wording) to
    /// it. The general path builds a JSON object, validates it and
    /// deserializes it: on an authenticated `GET` of one server that was a
    /// tenth of what the service adds to the framework.
    fn parse_plain(_pairs: &[(String, String)]) -> Option<Self> {
        None
    }
}

/// The text of parameter `name` of set `P` among `pairs`, matched as the
/// general path matches it (case-insensitively for headers), the last of
/// several: for the generated plain paths.
pub fn last_param<'a, P: ParamSet>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k.eq_ignore_ascii_case(name) && (P::LOCATION == ParamIn::Header || k == name))
        .map(|(_, v)| v.as_str())
}

/// An integer parameter within its schema's inclusive bounds, parsed as
/// [`scalar`] parses it; `None` otherwise.
pub fn plain_integer(text: &str, minimum: Option<i64>, maximum: Option<i64>) -> Option<i64> {
    let value = text.parse::<i64>().ok()?;
    let within = minimum.is_none_or(|m| value >= m) && maximum.is_none_or(|m| value <= m);
    within.then_some(value)
}

/// A number parameter, parsed as [`scalar`] parses it; `None` otherwise.
pub fn plain_number(text: &str) -> Option<f64> {
    text.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// A boolean parameter, spelled as [`scalar`] accepts it; `None` otherwise.
pub fn plain_boolean(text: &str) -> Option<bool> {
    match text {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

fn scalar(text: &str, ty: ScalarType) -> Value {
    // Text that does not parse stays a string, so that the validator reports
    // the wrong type in the spec's own words.
    match ty {
        ScalarType::String => Value::String(text.to_string()),
        ScalarType::Integer => text.parse::<i64>().map(Value::from).unwrap_or_else(|_| Value::String(text.to_string())),
        ScalarType::Number => text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .unwrap_or_else(|| Value::String(text.to_string())),
        ScalarType::Boolean => match text {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(text.to_string()),
        },
    }
}

/// Turns raw `(name, text)` pairs into a typed parameter set, or every
/// violation found.
pub fn parse_params<P: ParamSet>(pairs: &[(String, String)]) -> Result<P, Vec<Violation>> {
    match P::parse_plain(pairs) {
        Some(plain) => Ok(plain),
        None => parse_general(pairs),
    }
}

/// [`parse_params`] without the plain path: the pairs as a JSON object,
/// validated against the set's schema, defaults applied, deserialized.
pub fn parse_general<P: ParamSet>(pairs: &[(String, String)]) -> Result<P, Vec<Violation>> {
    let mut object = Map::new();
    for spec in P::PARAMS {
        let mut values = pairs
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(spec.name) && (P::LOCATION == ParamIn::Header || k == spec.name));
        let value = match spec.ty {
            ParamType::Delimited(item) => {
                let items: Vec<Value> = values.flat_map(|(_, v)| v.split(',')).map(|v| scalar(v, item)).collect();
                if items.is_empty() {
                    continue;
                }
                Value::Array(items)
            }
            ParamType::ArrayOf(item) => {
                let items: Vec<Value> = values.map(|(_, v)| scalar(v, item)).collect();
                if items.is_empty() {
                    continue;
                }
                Value::Array(items)
            }
            ParamType::String => match values.next_back() {
                Some((_, v)) => scalar(v, ScalarType::String),
                None => continue,
            },
            ParamType::Integer => match values.next_back() {
                Some((_, v)) => scalar(v, ScalarType::Integer),
                None => continue,
            },
            ParamType::Number => match values.next_back() {
                Some((_, v)) => scalar(v, ScalarType::Number),
                None => continue,
            },
            ParamType::Boolean => match values.next_back() {
                Some((_, v)) => scalar(v, ScalarType::Boolean),
                None => continue,
            },
        };
        object.insert(spec.name.to_string(), value);
    }
    let mut object = Value::Object(object);
    let found = violations(P::validator(), &object, "");
    if !found.is_empty() {
        return Err(found);
    }
    // Defaults are applied after validation, from the spec's `default`.
    if let Value::Object(map) = &mut object {
        for spec in P::PARAMS {
            if let (false, Some(default)) = (map.contains_key(spec.name), spec.default) {
                map.insert(spec.name.to_string(), default.to_json());
            }
        }
    }
    serde_json::from_value(object).map_err(|e| vec![Violation::new("", e.to_string())])
}

/// Path, query or header parameters of one operation, parsed and validated,
/// or what was wrong with them.
#[derive(Debug)]
pub struct Params<P>(Result<P, Vec<Violation>>);

impl<P> Params<P> {
    /// The parameters, with any violations moved into `problems`.
    pub fn take(self, problems: &mut Vec<Violation>) -> Option<P> {
        match self.0 {
            Ok(p) => Some(p),
            Err(mut v) => {
                problems.append(&mut v);
                None
            }
        }
    }
}

#[async_trait::async_trait]
impl<P: ParamSet> SharedExtractor for Params<P> {
    async fn from_request<Context: ServerContext>(rqctx: &RequestContext<Context>) -> Result<Self, HttpError> {
        let pairs: Vec<(String, String)> = match P::LOCATION {
            ParamIn::Path => path_variables(P::ROUTE, rqctx.request.uri().path()),
            ParamIn::Query => form_urlencoded_pairs(rqctx.request.uri().query().unwrap_or("").as_bytes()),
            ParamIn::Header => rqctx
                .request
                .headers()
                .iter()
                .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
                .collect(),
        };
        Ok(Params(parse_params::<P>(&pairs)))
    }

    /// Dropshot's own extractors describe the parameters, from the
    /// generated `JsonSchema` of the set (the spec's parameter schemas).
    fn metadata(body_content_type: ApiEndpointBodyContentType) -> ExtractorMetadata {
        match P::LOCATION {
            ParamIn::Path => <dropshot::Path<P> as SharedExtractor>::metadata(body_content_type),
            ParamIn::Query => <dropshot::Query<P> as SharedExtractor>::metadata(body_content_type),
            ParamIn::Header => <dropshot::Header<P> as SharedExtractor>::metadata(body_content_type),
        }
    }
}

/// Reads the variables of `template` out of a path that Dropshot's router
/// already matched against it, percent-decoded.
fn path_variables(template: &str, path: &str) -> Vec<(String, String)> {
    template
        .split('/')
        .zip(path.split('/'))
        .filter_map(|(t, p)| {
            let name = t.strip_prefix('{')?.strip_suffix('}')?;
            let name = name.split(':').next().unwrap_or(name);
            // `/x/{id}.xml` asks for XML: the suffix is not part of the id.
            let p = p.strip_suffix(".xml").unwrap_or(p);
            Some((name.to_string(), percent_encoding::percent_decode_str(p).decode_utf8_lossy().into_owned()))
        })
        .collect()
}

/// A query string or form body as `(name, value)` pairs, leniently decoded.
pub fn form_urlencoded_pairs(raw: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(raw).unwrap_or_else(|_| {
        // Not valid percent-encoded UTF-8: decode lossily so that the
        // validator reports the value, instead of a blanket failure.
        String::from_utf8_lossy(raw)
            .split('&')
            .filter(|s| !s.is_empty())
            .map(|pair| {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                let decode = |s: &str| {
                    percent_encoding::percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned()
                };
                (decode(k), decode(v))
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain readers accept exactly the texts that [`scalar`] turns into
    /// a value of the type (and not into a string for the validator to
    /// refuse), with the same value.
    #[test]
    fn plain_readers_agree_with_the_general_path_s_scalars() {
        let texts = [
            "",
            "0",
            "1",
            "-1",
            "+1",
            "01",
            "1.5",
            "-0.0",
            "1e3",
            "1E-2",
            ".5",
            "5.",
            "NaN",
            "inf",
            "-infinity",
            "true",
            "false",
            "TRUE",
            " 1",
            "0x10",
            "9223372036854775807",
            "9223372036854775808",
            "1e400",
            "abc",
        ];
        for text in texts {
            let number = scalar(text, ScalarType::Number);
            assert_eq!(plain_number(text), number.as_f64(), "{text:?} as a number");
            let boolean = scalar(text, ScalarType::Boolean);
            assert_eq!(plain_boolean(text), boolean.as_bool(), "{text:?} as a boolean");
            let integer = scalar(text, ScalarType::Integer);
            assert_eq!(plain_integer(text, None, None), integer.as_i64(), "{text:?} as an integer");
        }
        assert_eq!(plain_integer("5", Some(0), Some(5)), Some(5), "bounds are inclusive");
        assert_eq!(plain_integer("6", Some(0), Some(5)), None);
        assert_eq!(plain_integer("-1", Some(0), None), None);
    }
}
