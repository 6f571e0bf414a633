//! The docs portal: static HTML pages built from the spec alone.
//!
//! One index (operations by tag, with search) and one page per operation:
//! method and path, authorization, parameters, request body, every response
//! with its schema and example, and samples in curl, `fetch` and Rust. No
//! CDN, no web fonts, no build step in the browser: it works offline, and
//! the service serves the same files at `/docs/`.

use std::fmt::Write;

use serde_json::Value;

use crate::model::{Operation, Parameter, RequestBody, Response, SecurityRequirement, Spec};
use crate::refs::ref_name;
use crate::samples;

/// A file of the portal: (path relative to the portal root, content).
pub type File = (String, String);

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Markdown-ish text to HTML: paragraphs, `code`, and `- ` lists.
fn prose(text: &str) -> String {
    let mut out = String::new();
    for block in text.trim().split("\n\n") {
        let lines: Vec<&str> = block.lines().map(str::trim).collect();
        if lines.iter().all(|l| l.starts_with("- ")) {
            out.push_str("<ul>");
            for l in lines {
                let _ = write!(out, "<li>{}</li>", inline(&l[2..]));
            }
            out.push_str("</ul>");
        } else {
            let _ = write!(out, "<p>{}</p>", inline(&lines.join(" ")));
        }
    }
    out
}

fn inline(text: &str) -> String {
    let escaped = esc(text);
    let mut out = String::new();
    for (i, part) in escaped.split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{part}</code>");
        } else {
            let bold: Vec<&str> = part.split("**").collect();
            for (j, b) in bold.iter().enumerate() {
                if j % 2 == 1 {
                    let _ = write!(out, "<strong>{b}</strong>");
                } else {
                    out.push_str(b);
                }
            }
        }
    }
    out
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
    let described = spec.resolve(schema)["description"].as_str().map(prose).unwrap_or_default();
    if rows.is_empty() {
        format!("{title}{described}")
    } else {
        format!("{title}{described}<table class=\"fields\"><thead><tr><th>Field</th><th>Type</th><th>Description</th></tr></thead><tbody>{rows}</tbody></table>")
    }
}

fn example_block(example: Option<&Value>) -> String {
    match example {
        Some(e) => format!(
            "<p class=\"label\">Example</p><pre class=\"example\"><code>{}</code></pre>",
            esc(&serde_json::to_string_pretty(e).unwrap())
        ),
        None => String::new(),
    }
}

fn page(title: &str, root: &str, nav: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{title}</title><link rel=\"stylesheet\" href=\"{root}assets/style.css\"></head>\
<body><nav class=\"side\"><a class=\"home\" href=\"{root}index.html\">hostadmin API</a>\
<input id=\"search\" type=\"search\" placeholder=\"Search operations\" aria-label=\"Search operations\">{nav}</nav>\
<main>{body}</main><script src=\"{root}assets/search.js\"></script></body></html>\n",
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
        prose(o.description.as_deref().unwrap_or(""))
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
        let _ = write!(b, "<section class=\"sample\" data-lang=\"{lang}\"><p class=\"label\">{label}</p><pre><code>{}</code></pre></section>", esc(code));
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

fn operation_page(spec: &Spec, o: &Operation, nav_html: &str) -> String {
    let summary = o.summary.as_deref().unwrap_or(&o.id);
    let mut b = heading(o, summary);
    b.push_str(&samples_section(spec, o));
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

/// Every file of the portal, from the parsed spec.
pub fn portal(spec: &Spec) -> Vec<File> {
    let mut files = Vec::new();
    let nav_root = nav(spec, "");
    let nav_op = nav(spec, "../");

    let info = &spec.info;
    let mut index = format!(
        "<h1>{} <span class=\"version\">{}</span></h1>{}",
        esc(info.title.as_deref().unwrap_or("API")),
        esc(info.version.as_deref().unwrap_or("")),
        prose(info.description.as_deref().unwrap_or(""))
    );
    for tag in tags(spec) {
        let description = spec.tags.iter().find(|t| t.name == tag).and_then(|t| t.description.as_deref());
        let _ = write!(
            index,
            "<section class=\"tag-section\"><h2>{}</h2>{}<table class=\"ops\"><tbody>",
            esc(tag),
            prose(description.unwrap_or(""))
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
        files.push((format!("operations/{}.html", o.id), operation_page(spec, o, &nav_op)));
    }
    files.push(("assets/style.css".to_string(), STYLE.to_string()));
    files.push(("assets/search.js".to_string(), SEARCH.to_string()));
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
