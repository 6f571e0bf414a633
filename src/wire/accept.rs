//! `Accept`, read as RFC 9110 §12.5.1 defines it, for the operations that
//! offer XML beside JSON.
//!
//! A request's `Accept` fields (there may be several; they are one list) are
//! media ranges, each with an optional weight `q` from 0 to 1: `text/xml`,
//! `text/*`, `*/*`, `application/json;q=0.9`. Each representation this
//! service can send gets the weight of the *most specific* range that
//! matches it (`text/xml` over `text/*` over `*/*`; among equally specific
//! ranges, the first), 0 when none matches, and the heavier one is sent:
//!
//! * JSON is `application/json`; XML is `text/xml` or `application/xml`
//!   (the heavier of the two).
//! * A tie goes to JSON, the representation every operation has: so
//!   `*/*`, and the `application/json,text/xml;q=0.9` that openapi-generator's
//!   PHP client sends, get JSON; `text/xml` or `text/*` alone get XML.
//! * `q=0` means "not this": `text/xml;q=0` is never XML.
//! * Media types and parameter names are case-insensitive. A part that is not
//!   a media range (`json`, `*/xml`, a `q` that is not a number from 0 to 1
//!   with at most three decimals) is ignored, as if it were not there; a
//!   field with nothing valid in it counts as no `Accept` at all (JSON).
//!
//! **When neither is acceptable** (`Accept: image/png`, or both weighted
//! 0), the answer is JSON, not 406 Not Acceptable. RFC 9110 allows either
//! ("disregard the header field by treating the response as if it is not
//! subject to content negotiation"); JSON is chosen because a 406 would have
//! to be written in some representation too, the products whose contracts
//! this service speaks never answer 406, and a client that sends an odd
//! `Accept` (`application/problem+json`, `application/vnd.x+json`) still
//! reads JSON. A path ending in `.xml` means XML whatever `Accept` says
//! (see [`super::wants_xml`]).

/// The representations an operation with XML can be answered in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Representation {
    Json,
    Xml,
}

/// One media range of an `Accept` field, lowercased, with its weight in
/// thousandths (RFC 9110's `qvalue` has at most three decimals).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediaRange {
    pub kind: String,
    pub subtype: String,
    pub quality: u16,
}

impl MediaRange {
    /// How specifically this range names `kind/subtype`: 3 exactly, 2 as
    /// `kind/*`, 1 as `*/*`; `None` when it does not match.
    fn specificity(&self, kind: &str, subtype: &str) -> Option<u8> {
        match (self.kind.as_str(), self.subtype.as_str()) {
            ("*", "*") => Some(1),
            (k, "*") if k == kind => Some(2),
            (k, s) if k == kind && s == subtype => Some(3),
            _ => None,
        }
    }
}

/// The representation to answer in, from the request's `Accept` field
/// values (in order; several fields are one comma-separated list).
pub fn negotiate<'a>(accept: impl IntoIterator<Item = &'a str>) -> Representation {
    let ranges: Vec<MediaRange> = accept.into_iter().flat_map(parse).collect();
    if ranges.is_empty() {
        return Representation::Json;
    }
    let json = quality(&ranges, "application", "json");
    let xml = quality(&ranges, "text", "xml").max(quality(&ranges, "application", "xml"));
    if xml > json && xml > 0 {
        Representation::Xml
    } else {
        Representation::Json
    }
}

/// The weight `ranges` give `kind/subtype`: that of the most specific range
/// matching it, the first of those if several; 0 if none matches.
pub fn quality(ranges: &[MediaRange], kind: &str, subtype: &str) -> u16 {
    let mut best: Option<(u8, u16)> = None;
    for range in ranges {
        if let Some(s) = range.specificity(kind, subtype) {
            if best.is_none_or(|(b, _)| s > b) {
                best = Some((s, range.quality));
            }
        }
    }
    best.map_or(0, |(_, q)| q)
}

/// The valid media ranges of one `Accept` field value, in order.
pub fn parse(field: &str) -> Vec<MediaRange> {
    split_outside_quotes(field, ',').into_iter().filter_map(|part| media_range(&part)).collect()
}

/// One element of the list, or `None` if it is not a valid media range.
fn media_range(element: &str) -> Option<MediaRange> {
    let mut params = split_outside_quotes(element, ';').into_iter();
    let range = params.next()?.trim().to_ascii_lowercase();
    let (kind, subtype) = range.split_once('/')?;
    if !is_token(kind) || !is_token(subtype) || (kind == "*" && subtype != "*") {
        return None;
    }
    let mut quality = 1000;
    for param in params {
        let param = param.trim();
        if param.is_empty() {
            continue;
        }
        let (name, value) = param.split_once('=')?;
        let name = name.trim_end().to_ascii_lowercase();
        if !is_token(&name) {
            return None;
        }
        if name == "q" {
            // The weight ends the media type's parameters; what follows
            // (accept extensions) does not change the match.
            quality = qvalue(value.trim_start())?;
            break;
        }
    }
    Some(MediaRange { kind: kind.to_string(), subtype: subtype.to_string(), quality })
}

/// RFC 9110's `qvalue`: `0`, `0.` and up to three digits, `1`, `1.` and up
/// to three zeros; in thousandths.
fn qvalue(s: &str) -> Option<u16> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths: u16 = format!("{frac:0<3}").parse().ok()?;
    match int {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

/// RFC 9110's `token`: visible ASCII but separators.
fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// `s` split at `sep`, except inside a quoted string (a parameter value may
/// be one, and contain commas and semicolons).
fn split_outside_quotes(s: &str, sep: char) -> Vec<String> {
    let (mut parts, mut current, mut quoted, mut escaped) = (Vec::new(), String::new(), false, false);
    for c in s.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            c if c == sep && !quoted => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    parts.push(current);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pick(fields: &[&str]) -> Representation {
        negotiate(fields.iter().copied())
    }

    #[test]
    fn no_accept_or_nothing_valid_is_json() {
        assert_eq!(pick(&[]), Representation::Json);
        assert_eq!(pick(&[""]), Representation::Json);
        assert_eq!(pick(&["xml, json, /, text/, */xml"]), Representation::Json);
    }

    #[test]
    fn the_php_clients_accept_is_json() {
        assert_eq!(pick(&["application/json,text/xml;q=0.9"]), Representation::Json);
        assert_eq!(pick(&["text/xml;q=0.9, application/json"]), Representation::Json);
    }

    #[test]
    fn xml_alone_or_heavier_is_xml() {
        assert_eq!(pick(&["text/xml"]), Representation::Xml);
        assert_eq!(pick(&["application/xml"]), Representation::Xml);
        assert_eq!(pick(&["application/json;q=0.5, text/xml"]), Representation::Xml);
        assert_eq!(pick(&["TEXT/XML"]), Representation::Xml);
        assert_eq!(pick(&["Text/Xml; Q=1.000"]), Representation::Xml);
    }

    #[test]
    fn wildcards() {
        assert_eq!(pick(&["*/*"]), Representation::Json);
        assert_eq!(pick(&["text/*"]), Representation::Xml);
        assert_eq!(pick(&["application/*"]), Representation::Json);
        assert_eq!(pick(&["*/*;q=0.1, text/xml"]), Representation::Xml);
        // text/xml is named exactly and refused: text/* does not bring it back.
        assert_eq!(pick(&["text/*, text/xml;q=0"]), Representation::Json);
        assert_eq!(pick(&["text/xml;q=0, */*"]), Representation::Json);
    }

    #[test]
    fn weight_zero_is_not_acceptable() {
        assert_eq!(pick(&["text/xml;q=0"]), Representation::Json);
        assert_eq!(pick(&["application/xml;q=0.000, text/xml;q=0"]), Representation::Json);
        assert_eq!(pick(&["application/json;q=0, text/xml;q=0.001"]), Representation::Xml);
    }

    #[test]
    fn nothing_acceptable_is_json() {
        assert_eq!(pick(&["image/png"]), Representation::Json);
        assert_eq!(pick(&["application/json;q=0, text/xml;q=0"]), Representation::Json);
    }

    #[test]
    fn several_fields_are_one_list() {
        assert_eq!(pick(&["application/json;q=0.2", "text/xml;q=0.8"]), Representation::Xml);
        assert_eq!(pick(&["text/xml;q=0.8", "application/json"]), Representation::Json);
    }

    #[test]
    fn malformed_parts_are_ignored() {
        // A bad weight drops its range, not the list.
        assert_eq!(pick(&["text/xml;q=2, application/json;q=0.1"]), Representation::Json);
        assert_eq!(pick(&["text/xml;q=abc"]), Representation::Json);
        assert_eq!(pick(&["text/xml;q=0.5555, application/json;q=0.1"]), Representation::Json);
        assert_eq!(pick(&["text/xml;q, application/json;q=0.1"]), Representation::Json);
        assert_eq!(pick(&["text/xml;q=1.5"]), Representation::Json);
        assert_eq!(pick(&["te xt/xml, text/xml;q=0.3, application/json;q=0.2"]), Representation::Xml);
        assert_eq!(pick(&[",,;, text/xml ,"]), Representation::Xml);
    }

    #[test]
    fn parameters_and_quoted_strings() {
        assert_eq!(pick(&["text/xml;charset=utf-8;q=0.9, application/json;q=0.8"]), Representation::Xml);
        assert_eq!(pick(&["text/xml;profile=\"a,b;q=0\";q=0.9, application/json;q=0.8"]), Representation::Xml);
        assert_eq!(pick(&["text/xml;q=0.9;ext=1, application/json;q=0.8"]), Representation::Xml);
    }

    #[test]
    fn parse_lowercases_and_weighs() {
        assert_eq!(
            parse("Application/JSON;q=0.5"),
            vec![MediaRange { kind: "application".into(), subtype: "json".into(), quality: 500 }]
        );
        assert_eq!(qvalue("1."), Some(1000));
        assert_eq!(qvalue("0.05"), Some(50));
        assert_eq!(qvalue("1.001"), None);
        assert_eq!(qvalue(".5"), None);
    }
}
