//! The docs portal: static HTML pages built from the spec alone.
//!
//! One index (operations by tag, with search), a changelog of the released
//! versions (`spec/released/`, compared by [`crate::diff`]), the spec files
//! themselves, and one page per operation: method and path, since which
//! version it exists, authorization, parameters, request body, every
//! response with its schema and example, samples in curl, `fetch` and Rust,
//! and a "Try it" form. No CDN, no web fonts, no build step in the browser,
//! relative links only: it works offline and from any static host, and the
//! service serves the same files at `/docs/` (there "Try it" is on; see
//! [`try_it_config`]).
//!
//! Descriptions are Markdown (pulldown-cmark); HTML inside them is shown as
//! text, never passed through, so that the pages keep the strict CSP the
//! service sends (`default-src 'none'; script-src 'self'`).

use std::fmt::Write;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use serde_json::Value;

use crate::diff;
use crate::model::{KeyLocation, MediaType, Operation, Parameter, RequestBody, Response, SecurityRequirement, Spec};
use crate::refs::ref_name;
use crate::samples;

/// A file of the portal: (path relative to the portal root, content).
pub type File = (String, String);

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Whether a link in a description may be followed: the web, mail, and
/// places in or relative to the portal; never `javascript:` or `data:`.
fn safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    match lower.split_once(':') {
        Some((scheme, _)) if !scheme.contains('/') && !scheme.contains('?') && !scheme.contains('#') => {
            matches!(scheme, "http" | "https" | "mailto")
        }
        _ => true,
    }
}

/// Markdown to HTML; nothing for an empty text. Raw HTML comes out as
/// text, images as their alt text, unsafe links as their text.
pub fn markdown(text: &str) -> String {
    let text = text.trim();
    if text.is_empty() {
        return String::new();
    }
    let mut dropped_link = false;
    let events = Parser::new_ext(text, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH).filter_map(|event| {
        Some(match event {
            Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
            Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => return None,
            Event::Start(Tag::Link { ref dest_url, .. }) if !safe_url(dest_url) => {
                dropped_link = true;
                return None;
            }
            Event::End(TagEnd::Link) if dropped_link => {
                dropped_link = false;
                return None;
            }
            other => other,
        })
    });
    let mut out = String::new();
    pulldown_cmark::html::push_html(&mut out, events);
    out.trim_end().to_string()
}

/// [`markdown`] for a line of a table or a heading: one paragraph comes
/// out without its `<p>`.
fn inline(text: &str) -> String {
    let html = markdown(text);
    match html.strip_prefix("<p>").and_then(|h| h.strip_suffix("</p>")) {
        Some(inner) if !inner.contains("<p>") => inner.to_string(),
        _ => html,
    }
}

/// A schema's type in words: `string`, `integer (int64)`, `array of Server`.
fn type_label(spec: &Spec, schema: &Value) -> String {
    if let Some(name) = ref_name(schema) {
        let target = spec.resolve(schema);
        return match target["type"].as_str() {
            Some("object") | None => format!("object ({name})"),
            Some(t) => format!("{t} ({name})"),
        };
    }
    match schema["type"].as_str() {
        Some("array") => format!("array of {}", type_label(spec, &schema["items"])),
        Some(t) => match schema["format"].as_str() {
            Some(f) => format!("{t} ({f})"),
            None => t.to_string(),
        },
        None => "any".into(),
    }
}

/// The constraints of a schema, in words.
fn constraints(schema: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let pairs = [
        ("minLength", "min length"),
        ("maxLength", "max length"),
        ("minimum", "minimum"),
        ("maximum", "maximum"),
        ("minItems", "min items"),
        ("maxItems", "max items"),
        ("default", "default"),
        ("pattern", "pattern"),
    ];
    for (key, label) in pairs {
        if let Some(v) = schema.get(key) {
            out.push(format!("{label} <code>{}</code>", esc(&v.to_string().trim_matches('"').replace("\\\\", "\\"))));
        }
    }
    if let Some(values) = schema["enum"].as_array() {
        let list: Vec<String> = values.iter().map(|v| format!("<code>{}</code>", esc(&v.to_string()))).collect();
        out.push(format!("one of {}", list.join(", ")));
    }
    if schema["items"].is_object() {
        for c in constraints(&schema["items"]) {
            out.push(format!("each: {c}"));
        }
    }
    if schema["readOnly"] == Value::Bool(true) {
        out.push("read-only".into());
    }
    if schema["additionalProperties"] == Value::Bool(false) {
        out.push("no other fields".into());
    }
    out
}

/// Rows of a field table for an object schema, nested objects flattened
/// with dotted names (`data[].hostname`), to a bounded depth.
fn field_rows(spec: &Spec, schema: &Value, prefix: &str, depth: usize, out: &mut String) {
    let schema = spec.resolve(schema);
    if depth > 3 {
        return;
    }
    let required: Vec<&str> =
        schema["required"].as_array().map(|r| r.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
    let Some(props) = schema["properties"].as_object() else { return };
    for (name, prop) in props {
        let full = format!("{prefix}{name}");
        let target = spec.resolve(prop);
        let mut notes = constraints(target);
        if ref_name(prop).is_some() {
            notes.extend(constraints(prop));
        }
        let description = prop["description"].as_str().or_else(|| target["description"].as_str()).unwrap_or("");
        let _ = write!(
            out,
            "<tr><td><code>{}</code>{}</td><td>{}</td><td>{}{}</td></tr>",
            esc(&full),
            if required.contains(&name.as_str()) { " <span class=\"req\">required</span>" } else { "" },
            esc(&type_label(spec, prop)),
            inline(description),
            if notes.is_empty() { String::new() } else { format!("<div class=\"notes\">{}</div>", notes.join("; ")) }
        );
        if target["type"] == "array" {
            field_rows(spec, &target["items"], &format!("{full}[]."), depth + 1, out);
        } else if target["properties"].is_object() {
            field_rows(spec, target, &format!("{full}."), depth + 1, out);
        }
    }
}

fn schema_block(spec: &Spec, schema: &Value) -> String {
    let mut rows = String::new();
    field_rows(spec, schema, "", 0, &mut rows);
    let title = match ref_name(schema) {
        Some(name) => format!(
            "<p class=\"schema-name\">Schema <code>{}</code> ({})</p>",
            esc(name),
            esc(spec.resolve(schema)["type"].as_str().unwrap_or("any"))
        ),
        None => format!("<p class=\"schema-name\">{}</p>", esc(&type_label(spec, schema))),
    };
    let described = spec.resolve(schema)["description"].as_str().map(markdown).unwrap_or_default();
    if rows.is_empty() {
        format!("{title}{described}")
    } else {
        format!("{title}{described}<table class=\"fields\"><thead><tr><th>Field</th><th>Type</th><th>Description</th></tr></thead><tbody>{rows}</tbody></table>")
    }
}

fn example_block(example: Option<&Value>) -> String {
    match example {
        Some(e) => format!(
            "<p class=\"label\">Example</p><pre class=\"example\" tabindex=\"0\"><code>{}</code></pre>",
            esc(&serde_json::to_string_pretty(e).unwrap())
        ),
        None => String::new(),
    }
}

fn page(title: &str, root: &str, nav: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{title}</title><link rel=\"stylesheet\" href=\"{root}assets/style.css\"></head>\
<body><nav class=\"side\" aria-label=\"Operations\"><a class=\"home\" href=\"{root}index.html\">hostadmin API</a>\
<a class=\"changelog-link\" href=\"{root}changelog.html\">Changelog</a>\
<input id=\"search\" type=\"search\" placeholder=\"Search operations\" aria-label=\"Search operations\">{nav}</nav>\
<main>{body}</main><script src=\"{root}assets/search.js\"></script>\
<script src=\"{root}assets/try-it-config.js\"></script><script src=\"{root}assets/try-it.js\"></script></body></html>\n",
        title = esc(title)
    )
}

fn nav(spec: &Spec, root: &str) -> String {
    let mut out = String::from("<div id=\"ops\">");
    for tag in tags(spec) {
        let _ = write!(out, "<p class=\"tag\">{}</p><ul>", esc(tag));
        for o in spec.operations.iter().filter(|o| o.first_tag() == tag) {
            let summary = o.summary.as_deref().unwrap_or(&o.id);
            let method = o.method.key();
            let _ = write!(
                out,
                "<li class=\"op\" data-search=\"{}\"><a href=\"{root}operations/{}.html\"><span class=\"method {method}\">{}</span> {}</a></li>",
                esc(&format!("{method} {} {summary} {} {}", o.path, o.id, o.description.as_deref().unwrap_or("")).to_lowercase()),
                esc(&o.id),
                o.method.upper(),
                esc(summary)
            );
        }
        out.push_str("</ul>");
    }
    out.push_str("<p id=\"no-match\" hidden>No operation matches.</p></div>");
    out
}

/// Tags in the spec's order, then any others the operations use; only those
/// some operation is filed under.
fn tags(spec: &Spec) -> Vec<&str> {
    let mut out: Vec<&str> = spec.tags.iter().map(|t| t.name.as_str()).collect();
    for o in &spec.operations {
        if !out.contains(&o.first_tag()) {
            out.push(o.first_tag());
        }
    }
    out.retain(|t| spec.operations.iter().any(|o| o.first_tag() == *t));
    out
}

fn auth_section(spec: &Spec, op: &Operation) -> String {
    let SecurityRequirement::AnyOf(alternatives) = &op.security else {
        return "<h2>Authorization</h2><p>None: this operation is open.</p>".into();
    };
    let mut out = String::from("<h2>Authorization</h2>");
    for alternative in alternatives {
        out.push_str("<ul class=\"auth\">");
        for name in alternative {
            let Some(scheme) = spec.scheme(name) else { continue };
            let _ = write!(
                out,
                "<li><strong>{}</strong>: {} <code>{}</code>. {}</li>",
                esc(name),
                scheme.location.key(),
                esc(&scheme.key),
                inline(scheme.description.as_deref().unwrap_or(""))
            );
        }
        out.push_str("</ul>");
    }
    out
}

/// The page's heading: tag, summary, method and path, description.
fn heading(o: &Operation, summary: &str) -> String {
    format!(
        "<p class=\"crumb\">{}</p><h1>{}</h1><p class=\"endpoint\"><span class=\"method {}\">{}</span> <code class=\"path\">{}</code></p>{}",
        esc(o.first_tag()),
        esc(summary),
        o.method.key(),
        o.method.upper(),
        esc(&o.path),
        markdown(o.description.as_deref().unwrap_or(""))
    )
}

fn samples_section(spec: &Spec, operation: &Operation) -> String {
    let s = samples::samples(samples::SampleInput { spec, operation });
    let mut b = String::from("<h2>Request samples</h2>");
    for (lang, label, code) in [
        ("curl", "curl", &s.curl),
        ("javascript", "JavaScript (fetch)", &s.fetch),
        ("rust", "Rust (hostadmin-client)", &s.rust),
    ] {
        let _ = write!(b, "<section class=\"sample\" data-lang=\"{lang}\"><p class=\"label\">{label}</p><pre tabindex=\"0\"><code>{}</code></pre></section>", esc(code));
    }
    b
}

fn parameter_row(spec: &Spec, p: &Parameter) -> String {
    let notes = constraints(&p.schema);
    let repeat = if p.schema["type"] == "array" { " (repeat the parameter)" } else { "" };
    format!(
        "<tr><td><code>{}</code>{}</td><td>{}</td><td>{}{}</td><td>{}{}</td></tr>",
        esc(&p.name),
        if p.required { " <span class=\"req\">required</span>" } else { "" },
        p.location.key(),
        esc(&type_label(spec, &p.schema)),
        repeat,
        inline(p.description.as_deref().unwrap_or("")),
        if notes.is_empty() { String::new() } else { format!("<div class=\"notes\">{}</div>", notes.join("; ")) }
    )
}

fn parameters_section(spec: &Spec, o: &Operation) -> String {
    if o.params.is_empty() {
        return String::new();
    }
    let mut b = String::from("<h2>Parameters</h2><table class=\"fields\"><thead><tr><th>Name</th><th>In</th><th>Type</th><th>Description</th></tr></thead><tbody>");
    for p in &o.params {
        b.push_str(&parameter_row(spec, p));
    }
    b.push_str("</tbody></table>");
    b
}

/// One media type of a body or response: its schema and example.
fn media_block(spec: &Spec, mime: &str, schema: Option<&Value>, example: Option<&Value>) -> String {
    format!(
        "<p class=\"label\">Media type <code>{}</code></p>{}{}",
        esc(mime),
        schema_block(spec, schema.unwrap_or(&Value::Null)),
        example_block(example)
    )
}

fn body_section(spec: &Spec, body: Option<&RequestBody>) -> String {
    match body {
        Some(b) => {
            format!(
                "<h2>Request body</h2>{}",
                media_block(spec, b.media_type.mime(), Some(&b.schema), b.example.as_ref())
            )
        }
        None => String::new(),
    }
}

fn response_section(spec: &Spec, response: &Response) -> String {
    let class = if (200..300).contains(&response.status) { "ok" } else { "err" };
    let description = response.description.as_deref().unwrap_or("");
    let mut b = format!(
        "<section class=\"response\"><h3><span class=\"status {class}\">{}</span> {}</h3>",
        response.status,
        inline(&description.split_whitespace().collect::<Vec<_>>().join(" "))
    );
    for (name, description) in &response.headers {
        let _ = write!(b, "<p>Header <code>{}</code>: {}</p>", esc(name), inline(description.as_deref().unwrap_or("")));
    }
    for m in &response.content {
        b.push_str(&media_block(spec, m.media_type.mime(), m.schema.as_ref(), m.example.as_ref()));
    }
    b.push_str("</section>");
    b
}

/// How to ask for XML, for an operation whose answer is also XML: the
/// header, and the `.xml` path the generated interface also routes (only
/// after a literal segment: after a variable the suffix would be read as
/// part of the value's text, so there the suffix is stripped from it).
fn xml_section(o: &Operation) -> String {
    if !o.success.xml {
        return String::new();
    }
    let mut b = String::from(
        "<h2>XML</h2><p>Send <code>Accept: text/xml</code> (or <code>application/xml</code>) for this answer, \
         and its errors, as XML: root <code>&lt;result&gt;</code>, elements in the order the schema lists \
         its properties, an array as its element repeated.",
    );
    if o.path.ends_with('}') {
        b.push_str(" A path ending in <code>.xml</code> asks for XML too.");
    } else {
        let _ = write!(b, " The same operation also answers at <code>{}.xml</code>.", esc(&o.path));
    }
    b.push_str("</p>");
    b
}

fn operation_page(spec: &Spec, history: &History, o: &Operation, nav_html: &str) -> String {
    let summary = o.summary.as_deref().unwrap_or(&o.id);
    let mut b = heading(o, summary);
    b.push_str(&since_line(history, o));
    b.push_str(&samples_section(spec, o));
    b.push_str(&try_it_section(spec, o));
    b.push_str(&auth_section(spec, o));
    b.push_str(&parameters_section(spec, o));
    b.push_str(&body_section(spec, o.body.as_ref()));
    b.push_str(&xml_section(o));
    b.push_str("<h2>Responses</h2>");
    for response in &o.responses {
        b.push_str(&response_section(spec, response));
    }
    page(&format!("{summary} · hostadmin API"), "../", nav_html, &b)
}

/// A released version of the spec: `spec/released/VERSION.yaml`.
#[derive(Debug, Clone)]
pub struct Release {
    pub version: diff::Version,
    /// The file as written (what the portal offers for download).
    pub source: String,
    pub document: Value,
}

/// What the portal needs beyond the parsed spec: the canonical spec's text
/// and the released versions, oldest first.
#[derive(Debug, Clone, Default)]
pub struct History {
    pub current_source: String,
    pub releases: Vec<Release>,
}

impl History {
    /// The first version of the unbroken run of releases, up to the last
    /// one, that has operation `o`; `None` when the last release lacks it.
    fn since(&self, o: &Operation) -> Option<diff::Version> {
        let key = diff::operation_key(o.method.key(), &o.path);
        let mut since = None;
        for release in &self.releases {
            if diff::operation_keys(&release.document).contains_key(&key) {
                since.get_or_insert(release.version);
            } else {
                since = None;
            }
        }
        since
    }
}

fn since_line(history: &History, o: &Operation) -> String {
    match history.since(o) {
        Some(v) => format!("<p class=\"since\">Since version <a href=\"../changelog.html#v{v}\">{v}</a></p>"),
        None if history.releases.is_empty() => String::new(),
        None => "<p class=\"since\">New: not in a released version yet (see <a href=\"../changelog.html#unreleased\">unreleased changes</a>)</p>".into(),
    }
}

/// `<li>`s of changes, each naming its operation (a link to its page when
/// the current spec still has it).
fn change_items(spec: &Spec, changes: &[&diff::Change], root: &str) -> String {
    let mut out = String::new();
    for c in changes {
        let page = spec.operations.iter().find(|o| format!("{} {}", o.method.upper(), o.path) == c.operation);
        let name = match page {
            Some(o) => {
                format!("<a href=\"{root}operations/{}.html\"><code>{}</code></a>", esc(&o.id), esc(&c.operation))
            }
            None if c.operation.is_empty() => String::new(),
            None => format!("<code>{}</code>", esc(&c.operation)),
        };
        let _ = write!(out, "<li>{name}{} {}</li>", if name.is_empty() { "" } else { ":" }, esc(&c.message));
    }
    out
}

/// One version's entry: breaking changes first.
fn changelog_entry(spec: &Spec, id: &str, title: &str, intro: &str, changes: &[diff::Change]) -> String {
    let breaking: Vec<&diff::Change> = changes.iter().filter(|c| c.breaking).collect();
    let other: Vec<&diff::Change> = changes.iter().filter(|c| !c.breaking).collect();
    let mut b = format!("<section class=\"release\" id=\"{id}\"><h2>{title}</h2>{intro}");
    if !breaking.is_empty() {
        let _ = write!(
            b,
            "<h3 class=\"breaking\">Breaking changes ({})</h3><ul class=\"changes breaking\">{}</ul>",
            breaking.len(),
            change_items(spec, &breaking, "")
        );
    }
    if !other.is_empty() {
        let _ = write!(
            b,
            "<h3>Compatible changes ({})</h3><ul class=\"changes compatible\">{}</ul>",
            other.len(),
            change_items(spec, &other, "")
        );
    }
    b.push_str("</section>");
    b
}

fn changelog_page(spec: &Spec, history: &History, nav_html: &str) -> String {
    let current = spec.info.version.as_deref().unwrap_or("");
    let mut b = String::from(
        "<h1>Changelog</h1><p>What changed in each released version of the contract, from a client's point of view. \
         A <strong>breaking</strong> change may fail a client written against the version before \
         (<code>cargo xtask spec diff</code> lists them, and refuses them without a major version bump; \
         0.x versions are read as Cargo reads them, so 0.1 → 0.2 is a major bump).</p>",
    );
    let _ = write!(
        b,
        "<p>The spec: <a href=\"spec/openapi.yaml\" download>openapi.yaml</a> (the current document, version {}).</p>",
        esc(current)
    );
    if let Some(last) = history.releases.last() {
        let changes = diff::diff(&last.document, &spec.document);
        if !changes.is_empty() {
            let intro =
                format!("<p>In <code>spec/openapi.yaml</code> (version {}) since {}.</p>", esc(current), last.version);
            b.push_str(&changelog_entry(spec, "unreleased", "Unreleased", &intro, &changes));
        }
    } else {
        b.push_str("<p>No version has been released yet.</p>");
    }
    for (i, release) in history.releases.iter().enumerate().rev() {
        let v = release.version;
        let download = format!("<a href=\"spec/released/{v}.yaml\" download>{v}.yaml</a>");
        match i.checked_sub(1).map(|p| &history.releases[p]) {
            Some(previous) => {
                let changes = diff::diff(&previous.document, &release.document);
                let breaking = changes.iter().filter(|c| c.breaking).count();
                let intro = format!(
                    "<p>Compared with {}: {breaking} breaking, {} compatible. The spec: {download}.</p>",
                    previous.version,
                    changes.len() - breaking
                );
                b.push_str(&changelog_entry(spec, &format!("v{v}"), &v.to_string(), &intro, &changes));
            }
            None => {
                let count = diff::operation_keys(&release.document).len();
                let intro = format!("<p>The first version: {count} operations. The spec: {download}.</p>");
                b.push_str(&changelog_entry(spec, &format!("v{v}"), &v.to_string(), &intro, &[]));
            }
        }
    }
    page("Changelog · hostadmin API", "", nav_html, &b)
}

/// What the Try-it form needs to send an operation's credentials: for each
/// scheme of its security, how the portal obtains it. The session cookie
/// and its CSRF token come from logging in on the system surface, the
/// `Authorization` token from the ONLYOFFICE login, other headers are typed.
fn credential_kind(spec: &Spec, name: &str) -> Option<(&'static str, String)> {
    let scheme = spec.scheme(name)?;
    Some(match (scheme.location, scheme.key.as_str()) {
        (KeyLocation::Cookie, _) => ("session", String::new()),
        (KeyLocation::Header, key) if key.eq_ignore_ascii_case("X-Csrf-Token") => ("session", key.to_string()),
        (KeyLocation::Header, key) if key.eq_ignore_ascii_case("Authorization") => ("onlyoffice", key.to_string()),
        (KeyLocation::Header, key) => ("token", key.to_string()),
        (KeyLocation::Query, _) => return None,
    })
}

fn credentials_block(spec: &Spec, o: &Operation) -> String {
    let SecurityRequirement::AnyOf(alternatives) = &o.security else {
        return "<p class=\"try-note\">This operation needs no credentials.</p>".into();
    };
    let mut kinds: Vec<(&str, String)> = Vec::new();
    for name in alternatives.iter().flatten() {
        if let Some(kind) = credential_kind(spec, name) {
            if !kinds
                .iter()
                .any(|(k, key)| *k == kind.0 && (kind.1.is_empty() || *key == kind.1 || kind.0 == "session"))
            {
                kinds.push(kind);
            }
        }
    }
    let mut b = String::from("<fieldset class=\"try-credentials\"><legend>Credentials</legend>");
    for (kind, key) in &kinds {
        match *kind {
            "session" => b.push_str(
                "<form class=\"try-login\" data-kind=\"session\"><p class=\"try-note\">The system surface: log in \
                 (<code>POST /api/v1/login</code>; the browser keeps the session cookie, the CSRF token goes in \
                 <code>X-Csrf-Token</code>).</p><label for=\"try-session-user\">User</label> \
                 <input id=\"try-session-user\" name=\"user\" autocomplete=\"username\" required> \
                 <label for=\"try-session-pass\">Password</label> <input id=\"try-session-pass\" name=\"pass\" \
                 type=\"password\" autocomplete=\"current-password\" required> <button type=\"submit\">Log in</button> \
                 <output class=\"try-state\" data-for=\"session\"></output></form>",
            ),
            "onlyoffice" => b.push_str(
                "<form class=\"try-login\" data-kind=\"onlyoffice\"><p class=\"try-note\">The groups and people surface: \
                 log in (<code>POST /api/2.0/authentication</code>; its token goes in <code>Authorization</code>).</p>\
                 <label for=\"try-oo-user\">User</label> <input id=\"try-oo-user\" name=\"user\" autocomplete=\"username\" \
                 required> <label for=\"try-oo-pass\">Password</label> <input id=\"try-oo-pass\" name=\"pass\" \
                 type=\"password\" autocomplete=\"current-password\" required> <button type=\"submit\">Log in</button> \
                 <output class=\"try-state\" data-for=\"onlyoffice\"></output></form>",
            ),
            _ => {
                let _ = write!(
                    b,
                    "<p class=\"try-token-row\"><label for=\"try-token-{id}\">API token (<code>{key}</code>)</label> \
                     <input id=\"try-token-{id}\" class=\"try-token\" data-header=\"{key}\" type=\"password\" \
                     autocomplete=\"off\" placeholder=\"hostadmin token create\"></p>",
                    id = esc(&key.to_ascii_lowercase()),
                    key = esc(key)
                );
            }
        }
    }
    b.push_str("</fieldset>");
    b
}

/// The value a Try-it field starts with: the parameter's example or default.
fn start_value(p: &Parameter) -> String {
    let v = p.example.as_ref().or(p.default.as_ref()).or(p.schema.get("example"));
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) => {
            items.iter().map(|i| i.as_str().map(String::from).unwrap_or(i.to_string())).collect::<Vec<_>>().join(",")
        }
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

/// "Try it": a form for the operation's parameters and body, sent by
/// `assets/try-it.js` to the service that serves the portal. Hidden until
/// that script finds it switched on (see [`try_it_config`]).
fn try_it_section(spec: &Spec, o: &Operation) -> String {
    let mut schemes: Vec<&str> = Vec::new();
    if let SecurityRequirement::AnyOf(alternatives) = &o.security {
        schemes.extend(alternatives.iter().flatten().filter_map(|n| spec.scheme(n)).map(|s| s.key.as_str()));
    }
    let mut b = format!(
        "<section class=\"try-it\" id=\"try-it\" hidden data-method=\"{}\" data-path=\"{}\" data-headers=\"{}\">\
         <h2>Try it</h2><p class=\"try-note\">Sends this request to the service that serves these pages, with your credentials.</p>",
        o.method.upper(),
        esc(&o.path),
        esc(&schemes.join(" "))
    );
    b.push_str(&credentials_block(spec, o));
    b.push_str("<form class=\"try-request\">");
    if !o.params.is_empty() {
        b.push_str("<fieldset><legend>Parameters</legend>");
        for p in &o.params {
            let id = format!("try-{}-{}", p.location.key(), p.name.to_ascii_lowercase());
            let _ = write!(
                b,
                "<p><label for=\"{id}\"><code>{name}</code> ({loc}{req})</label> <input id=\"{id}\" class=\"try-param\" \
                 data-in=\"{loc}\" data-name=\"{name}\" value=\"{value}\"{required}></p>",
                id = esc(&id),
                name = esc(&p.name),
                loc = p.location.key(),
                req = if p.required { ", required" } else { "" },
                value = esc(&if p.required || p.location == crate::model::ParamLocation::Path { start_value(p) } else { String::new() }),
                required = if p.required { " required" } else { "" },
            );
        }
        b.push_str("</fieldset>");
    }
    if let Some(body) = &o.body {
        let text = match (body.media_type, &body.example) {
            (MediaType::Json, Some(e)) => serde_json::to_string_pretty(e).unwrap_or_default(),
            (MediaType::FormUrlEncoded, Some(Value::Object(fields))) => fields
                .iter()
                .map(|(k, v)| {
                    format!("{k}={}", v.as_str().map(String::from).unwrap_or(v.to_string()).replace(' ', "+"))
                })
                .collect::<Vec<_>>()
                .join("&"),
            _ => String::new(),
        };
        let _ = write!(
            b,
            "<p><label for=\"try-body\">Body (<code>{mime}</code>)</label></p><textarea id=\"try-body\" rows=\"8\" \
             data-mime=\"{mime}\" spellcheck=\"false\">{}</textarea>",
            esc(&text),
            mime = body.media_type.mime()
        );
    }
    b.push_str(
        "<p><button type=\"submit\" class=\"try-send\">Send</button></p></form>\
         <div class=\"try-result\" hidden><p class=\"label\">Answer <output class=\"try-status\"></output></p>\
         <p class=\"label\">Headers</p><pre class=\"try-headers\" tabindex=\"0\"><code></code></pre>\
         <p class=\"label\">Body</p><pre class=\"try-response\" tabindex=\"0\"><code></code></pre></div></section>",
    );
    b
}

/// `assets/try-it-config.js`: whether "Try it" is on and where it sends
/// requests (`Some("")`: the origin serving the portal, as the service
/// does; `Some(url)`: that service; `None`: off, for a copy served
/// elsewhere).
pub fn try_it_config(base: Option<&str>) -> String {
    let config = match base {
        Some(url) => serde_json::json!({"enabled": true, "base": url.trim_end_matches('/')}),
        None => serde_json::json!({"enabled": false}),
    };
    format!(
        "// Written by the portal's generator: where \"Try it\" sends requests.\nwindow.hostadminTryIt = {config};\n"
    )
}

/// Every file of the portal, from the parsed spec.
pub fn portal(spec: &Spec, history: &History) -> Vec<File> {
    let mut files = Vec::new();
    let nav_root = nav(spec, "");
    let nav_op = nav(spec, "../");

    let info = &spec.info;
    let mut index = format!(
        "<h1>{} <span class=\"version\">{}</span></h1>{}",
        esc(info.title.as_deref().unwrap_or("API")),
        esc(info.version.as_deref().unwrap_or("")),
        markdown(info.description.as_deref().unwrap_or(""))
    );
    let _ = write!(
        index,
        "<p class=\"downloads\">The contract: <a href=\"spec/openapi.yaml\" download>openapi.yaml</a>; \
         released versions and what changed in each: <a href=\"changelog.html\">changelog</a>.</p>"
    );
    for tag in tags(spec) {
        let description = spec.tags.iter().find(|t| t.name == tag).and_then(|t| t.description.as_deref());
        let _ = write!(
            index,
            "<section class=\"tag-section\"><h2>{}</h2>{}<table class=\"ops\"><tbody>",
            esc(tag),
            markdown(description.unwrap_or(""))
        );
        for o in spec.operations.iter().filter(|o| o.first_tag() == tag) {
            let _ = write!(
                index,
                "<tr><td><span class=\"method {}\">{}</span></td><td><a href=\"operations/{}.html\"><code>{}</code></a></td><td>{}</td></tr>",
                o.method.key(),
                o.method.upper(),
                esc(&o.id),
                esc(&o.path),
                esc(o.summary.as_deref().unwrap_or(""))
            );
        }
        index.push_str("</tbody></table></section>");
    }
    files.push(("index.html".to_string(), page("hostadmin API", "", &nav_root, &index)));
    for o in &spec.operations {
        files.push((format!("operations/{}.html", o.id), operation_page(spec, history, o, &nav_op)));
    }
    files.push(("changelog.html".to_string(), changelog_page(spec, history, &nav_root)));
    files.push(("spec/openapi.yaml".to_string(), history.current_source.clone()));
    for release in &history.releases {
        files.push((format!("spec/released/{}.yaml", release.version), release.source.clone()));
    }
    files.push(("assets/style.css".to_string(), STYLE.to_string()));
    files.push(("assets/search.js".to_string(), SEARCH.to_string()));
    // As the service serves it: "Try it" on, same origin.
    files.push(("assets/try-it-config.js".to_string(), try_it_config(Some(""))));
    files.push(("assets/try-it.js".to_string(), TRY_IT.to_string()));
    files
}

const STYLE: &str = r#":root { --fg: #1d2330; --muted: #5b6475; --line: #dfe3ea; --bg: #fff; --side: #f5f7fa; --code: #f1f3f6; }
* { box-sizing: border-box; }
body { margin: 0; display: flex; min-height: 100vh; font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
nav.side { width: 300px; flex: none; background: var(--side); border-right: 1px solid var(--line); padding: 16px; position: sticky; top: 0; height: 100vh; overflow-y: auto; }
nav.side .home { font-weight: 700; font-size: 17px; color: var(--fg); text-decoration: none; display: block; margin-bottom: 12px; }
nav.side input { width: 100%; padding: 7px 9px; border: 1px solid var(--line); border-radius: 6px; font: inherit; }
nav.side .tag { text-transform: uppercase; font-size: 12px; letter-spacing: .06em; color: var(--muted); margin: 18px 0 6px; }
nav.side ul { list-style: none; margin: 0; padding: 0; }
nav.side li a { display: block; padding: 4px 6px; border-radius: 5px; color: var(--fg); text-decoration: none; font-size: 14px; }
nav.side li a:hover { background: #e8ecf2; }
main { flex: 1; max-width: 980px; padding: 28px 40px 80px; }
h1 { margin: 4px 0 10px; font-size: 28px; } h2 { margin-top: 34px; font-size: 20px; border-bottom: 1px solid var(--line); padding-bottom: 4px; } h3 { font-size: 16px; }
.version { font-size: 14px; color: var(--muted); font-weight: 400; }
.crumb { color: var(--muted); text-transform: uppercase; font-size: 12px; letter-spacing: .06em; margin: 0; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
code { background: var(--code); padding: 1px 4px; border-radius: 4px; }
pre { background: #1f2430; color: #e6e9ef; padding: 14px; border-radius: 8px; overflow-x: auto; }
pre code { background: none; padding: 0; color: inherit; }
.method { display: inline-block; min-width: 58px; text-align: center; font: 700 11px/1.9 ui-monospace, monospace; border-radius: 4px; color: #fff; padding: 0 5px; }
.method.get { background: #2f7d4f; } .method.post { background: #2b62c4; } .method.put { background: #a05a00; } .method.patch { background: #7a4bc2; } .method.delete { background: #b3261e; }
.endpoint .path { font-size: 15px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; } th, td { text-align: left; vertical-align: top; border-bottom: 1px solid var(--line); padding: 7px 8px; } th { font-size: 12px; text-transform: uppercase; color: var(--muted); }
.req { color: #b3261e; font-size: 11px; font-weight: 600; } .notes { color: var(--muted); font-size: 13px; margin-top: 2px; }
.status { display: inline-block; font: 700 12px/1.8 ui-monospace, monospace; padding: 0 7px; border-radius: 4px; } .status.ok { background: #dff3e6; color: #1e6b3e; } .status.err { background: #fbe3e1; color: #8f1f19; }
.label { font-weight: 600; margin: 10px 0 4px; } .schema-name { color: var(--muted); }
section.response { border: 1px solid var(--line); border-radius: 8px; padding: 2px 14px 8px; margin: 12px 0; }
nav.side .changelog-link { display: block; margin-bottom: 12px; color: #1f56b3; }
a { color: #1f56b3; }
.since { color: var(--muted); margin: 4px 0; }
section.release { border-top: 1px solid var(--line); margin-top: 24px; }
h3.breaking { color: #8f1f19; }
ul.changes li { margin: 3px 0; }
section.try-it { border: 1px solid var(--line); border-radius: 8px; padding: 4px 16px 12px; margin: 18px 0; background: #fafbfd; }
section.try-it h2 { margin-top: 12px; }
section.try-it fieldset { border: 1px solid var(--line); border-radius: 6px; margin: 10px 0; }
section.try-it input, section.try-it textarea { font: 13px ui-monospace, monospace; padding: 4px 6px; border: 1px solid #8a93a3; border-radius: 4px; }
section.try-it textarea { width: 100%; }
section.try-it button { font: inherit; padding: 5px 14px; border-radius: 5px; border: 1px solid #1f56b3; background: #1f56b3; color: #fff; cursor: pointer; }
.try-note { color: var(--muted); font-size: 14px; }
[hidden] { display: none !important; }
"#;

const SEARCH: &str = r#"// Filters the operation list as you type: every word must match the
// operation's method, path, summary, id or description.
(function () {
  var input = document.getElementById('search');
  var items = Array.prototype.slice.call(document.querySelectorAll('#ops li.op'));
  var none = document.getElementById('no-match');
  function filter() {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    items.forEach(function (li) {
      var text = li.getAttribute('data-search');
      var ok = words.every(function (w) { return text.indexOf(w) !== -1; });
      li.hidden = !ok;
      if (ok) shown++;
    });
    document.querySelectorAll('#ops ul').forEach(function (ul) {
      var any = ul.querySelector('li.op:not([hidden])');
      ul.hidden = !any;
      if (ul.previousElementSibling) ul.previousElementSibling.hidden = !any;
    });
    none.hidden = shown !== 0;
  }
  input.addEventListener('input', filter);
  input.addEventListener('keydown', function (e) {
    if (e.key === 'Enter') {
      var first = items.filter(function (li) { return !li.hidden; })[0];
      if (first) window.location.href = first.querySelector('a').href;
    }
  });
})();
"#;

const TRY_IT: &str = r#"// "Try it": sends an operation's request from its page to the service, with
// the credentials of its surface, and shows the answer. Off unless
// assets/try-it-config.js switches it on (the service's own /docs/ does; a
// copy written with `cargo xtask docs --out DIR` does not, unless given
// --try-it-base URL). Credentials stay in this tab (sessionStorage).
(function () {
  var config = window.hostadminTryIt || {};
  var section = document.getElementById('try-it');
  if (!section || !config.enabled) return;
  var base = config.base || '';
  var store = window.sessionStorage;
  section.hidden = false;

  function state(kind, text) {
    section.querySelectorAll('output.try-state[data-for="' + kind + '"]').forEach(function (o) { o.textContent = text; });
  }
  if (store.getItem('hostadmin.session.user')) state('session', 'Logged in as ' + store.getItem('hostadmin.session.user'));
  if (store.getItem('hostadmin.onlyoffice.user')) state('onlyoffice', 'Logged in as ' + store.getItem('hostadmin.onlyoffice.user'));

  section.querySelectorAll('form.try-login').forEach(function (form) {
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var kind = form.getAttribute('data-kind');
      var user = form.elements.user.value, pass = form.elements.pass.value;
      var request = kind === 'session'
        ? fetch(base + '/api/v1/login', { method: 'POST', credentials: 'include',
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ user: user, pass: pass }).toString() })
        : fetch(base + '/api/2.0/authentication', { method: 'POST', credentials: 'include',
            headers: { 'Content-Type': 'application/json', 'Accept': 'application/json' },
            body: JSON.stringify({ userName: user, password: pass }) });
      state(kind, 'Logging in…');
      request.then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (body) {
          if (!r.ok) { state(kind, 'Login failed: ' + r.status); return; }
          if (kind === 'session') store.setItem('hostadmin.csrf', body.csrf || '');
          else store.setItem('hostadmin.onlyoffice.token', (body.response && body.response.token) || '');
          store.setItem('hostadmin.' + kind + '.user', user);
          form.elements.pass.value = '';
          state(kind, 'Logged in as ' + user);
        });
      }).catch(function (err) { state(kind, 'Login failed: ' + err); });
    });
  });

  section.querySelectorAll('input.try-token').forEach(function (input) {
    var key = 'hostadmin.header.' + input.getAttribute('data-header').toLowerCase();
    input.value = store.getItem(key) || '';
    input.addEventListener('input', function () { store.setItem(key, input.value); });
  });

  var form = section.querySelector('form.try-request');
  var result = section.querySelector('.try-result');
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var method = section.getAttribute('data-method');
    var path = section.getAttribute('data-path');
    var query = new URLSearchParams();
    var headers = {};
    form.querySelectorAll('input.try-param').forEach(function (input) {
      var name = input.getAttribute('data-name'), where = input.getAttribute('data-in'), value = input.value;
      if (where === 'path') path = path.replace('{' + name + '}', encodeURIComponent(value));
      else if (value === '') return;
      else if (where === 'query') query.append(name, value);
      else if (where === 'header') headers[name] = value;
    });
    var wanted = (section.getAttribute('data-headers') || '').toLowerCase().split(' ');
    if (wanted.indexOf('x-csrf-token') !== -1 && store.getItem('hostadmin.csrf')) headers['X-Csrf-Token'] = store.getItem('hostadmin.csrf');
    if (wanted.indexOf('authorization') !== -1 && store.getItem('hostadmin.onlyoffice.token')) headers['Authorization'] = store.getItem('hostadmin.onlyoffice.token');
    section.querySelectorAll('input.try-token').forEach(function (input) {
      if (input.value) headers[input.getAttribute('data-header')] = input.value;
    });
    var options = { method: method, headers: headers, credentials: 'include' };
    var body = form.querySelector('#try-body');
    if (body && body.value.trim() !== '') {
      options.body = body.value;
      headers['Content-Type'] = body.getAttribute('data-mime');
    }
    var url = base + path + (query.toString() ? '?' + query.toString() : '');
    var status = section.querySelector('.try-status');
    var shownHeaders = section.querySelector('.try-headers code');
    var shownBody = section.querySelector('.try-response code');
    result.hidden = false;
    // `data-status` marks a complete answer: it goes while a request is
    // out, and comes back once the headers and the body are shown.
    status.removeAttribute('data-status');
    status.textContent = 'Sending ' + method + ' ' + url + '…';
    shownHeaders.textContent = '';
    shownBody.textContent = '';
    fetch(url, options).then(function (r) {
      var lines = [];
      r.headers.forEach(function (value, name) { lines.push(name + ': ' + value); });
      return r.text().then(function (text) {
        try { text = JSON.stringify(JSON.parse(text), null, 2); } catch (_) { /* not JSON: as it came */ }
        shownHeaders.textContent = lines.join('\n');
        shownBody.textContent = text;
        status.textContent = r.status + ' ' + r.statusText;
        status.setAttribute('data-status', String(r.status));
      });
    }).catch(function (err) {
      status.textContent = 'No answer: ' + err;
      status.setAttribute('data-status', '0');
    });
  });
})();
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_renders_lists_and_escapes_html() {
        assert_eq!(
            markdown("Intro:\n\n- **a** `x`\n- b"),
            "<p>Intro:</p>\n<ul>\n<li><strong>a</strong> <code>x</code></li>\n<li>b</li>\n</ul>"
        );
        assert_eq!(markdown("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
        assert_eq!(markdown("a <img src=x onerror=alert(1)> b"), "<p>a &lt;img src=x onerror=alert(1)&gt; b</p>");
        assert_eq!(
            markdown("[x](javascript:alert(1)) and [y](https://e.example)"),
            "<p>x and <a href=\"https://e.example\">y</a></p>"
        );
        assert_eq!(markdown("![logo](https://e.example/l.png)"), "<p>logo</p>");
    }

    #[test]
    fn empty_descriptions_render_nothing() {
        for text in ["", "  \n\n ", "\n"] {
            assert_eq!(markdown(text), "");
            assert_eq!(inline(text), "");
        }
        assert_eq!(inline("one `line`"), "one <code>line</code>");
    }
}
