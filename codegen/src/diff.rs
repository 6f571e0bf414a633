//! What changed between two versions of the spec, from a client's point of
//! view: each change classified as breaking (a client written against the
//! old document may fail against the new one) or not.
//!
//! It lives here, not in xtask, because two readers need the same answer:
//! `cargo xtask spec diff` (the gate) and the docs portal's changelog, which
//! the build generates without network. No maintained diff engine runs
//! here (oasdiff is Go, on neither npm nor PyPI), and the rules below are
//! the ones our generated clients need (typify's types refuse values their
//! schema does not admit, Progenitor names methods after `operationId`).
//!
//! The one rule behind the schema comparisons: what a client **sends**
//! (parameters, request bodies) may only widen; what it **receives**
//! (responses) may only narrow. So a lowered `maxLength` breaks a request
//! and not a response, and an enum value added to a response breaks
//! clients whose generated enum cannot hold it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use std::sync::LazyLock;

use serde_json::{Map, Value};

static EMPTY: LazyLock<Map<String, Value>> = LazyLock::new(Map::new);

use crate::refs::resolve_or_null;

/// One change between two documents.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    /// Whether a client of the old document may fail against the new one.
    pub breaking: bool,
    /// `GET /api/v1/x` (as in the new document), or empty for the document.
    pub operation: String,
    /// What changed, in words, naming where (`request body field name`).
    pub message: String,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.breaking { "BREAKING" } else { "ok      " };
        if self.operation.is_empty() {
            write!(f, "{kind}  {}", self.message)
        } else {
            write!(f, "{kind}  {}: {}", self.operation, self.message)
        }
    }
}

/// Every change from `old` to `new`, breaking ones first, each once.
pub fn diff(old: &Value, new: &Value) -> Vec<Change> {
    let mut d = Differ { old, new, out: BTreeSet::new(), op: String::new() };
    d.operations();
    let mut changes: Vec<Change> = d.out.into_iter().collect();
    changes.sort_by(|a, b| {
        b.breaking.cmp(&a.breaking).then(a.operation.cmp(&b.operation)).then(a.message.cmp(&b.message))
    });
    changes
}

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

/// `/a/{ID}/b` → `/a/{}/b`: a path variable's name is not on the wire.
fn path_shape(path: &str) -> String {
    let mut out = String::new();
    let mut in_var = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_var = true;
                out.push_str("{}");
            }
            '}' => in_var = false,
            _ if in_var => {}
            _ => out.push(c),
        }
    }
    out
}

/// The operations of a document by (method, path shape): (path as written, operation).
fn operations(doc: &Value) -> BTreeMap<(String, String), (String, &Value)> {
    let mut out = BTreeMap::new();
    if let Some(paths) = doc["paths"].as_object() {
        for (path, item) in paths {
            let item = resolve_or_null(doc, item);
            for method in METHODS {
                if let Some(op) = item.get(method) {
                    out.insert((method.to_string(), path_shape(path)), (path.clone(), op));
                }
            }
        }
    }
    out
}

/// Who reads a schema: the service (a request) or the client (a response).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Dir {
    Request,
    Response,
}

/// Whether a change admits more values or fewer.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Effect {
    Widens,
    Narrows,
    /// Neither a superset nor a subset (a changed pattern, a changed type).
    Changes,
}

impl Effect {
    fn breaking(self, dir: Dir) -> bool {
        matches!((self, dir), (Effect::Changes, _) | (Effect::Narrows, Dir::Request) | (Effect::Widens, Dir::Response))
    }
}

struct Differ<'a> {
    old: &'a Value,
    new: &'a Value,
    out: BTreeSet<Change>,
    op: String,
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    }
}

impl<'a> Differ<'a> {
    fn push(&mut self, breaking: bool, message: String) {
        self.out.insert(Change { breaking, operation: self.op.clone(), message });
    }

    fn old_r(&self, v: &'a Value) -> &'a Value {
        resolve_or_null(self.old, v)
    }

    fn new_r(&self, v: &'a Value) -> &'a Value {
        resolve_or_null(self.new, v)
    }

    fn operations(&mut self) {
        let old_ops = operations(self.old);
        let new_ops = operations(self.new);
        for ((method, shape), (path, op)) in &old_ops {
            self.op = format!("{} {path}", method.to_uppercase());
            match new_ops.get(&(method.clone(), shape.clone())) {
                None => self.push(true, "operation removed".into()),
                Some((new_path, new_op)) => {
                    self.op = format!("{} {new_path}", method.to_uppercase());
                    let (old_item, new_item) =
                        (self.old_r(&self.old["paths"][path]), self.new_r(&self.new["paths"][new_path]));
                    self.operation(old_item, op, new_item, new_op);
                }
            }
        }
        for ((method, shape), (path, _)) in &new_ops {
            if !old_ops.contains_key(&(method.clone(), shape.clone())) {
                self.op = format!("{} {path}", method.to_uppercase());
                self.push(false, "operation added".into());
            }
        }
        self.op.clear();
    }

    fn operation(&mut self, old_item: &'a Value, old: &'a Value, new_item: &'a Value, new: &'a Value) {
        if old["operationId"] != new["operationId"] {
            self.push(
                true,
                format!(
                    "operationId changed from {} to {} (generated clients name their method after it)",
                    show(&old["operationId"]),
                    show(&new["operationId"])
                ),
            );
        }
        self.security(old, new);
        self.parameters(old_item, old, new_item, new);
        self.request_body(old, new);
        self.responses(old, new);
    }

    /// The operation's requirement as sets of scheme names (any one set
    /// suffices); `None` when nothing is required. With the schemes' wire
    /// form, so that a renamed header counts as a change.
    fn security_sets(doc: &Value, op: &Value) -> Option<BTreeSet<BTreeSet<String>>> {
        let reqs = op.get("security").or_else(|| doc.get("security"))?.as_array()?;
        let mut sets = BTreeSet::new();
        for req in reqs {
            let Some(names) = req.as_object() else { continue };
            if names.is_empty() {
                return None; // `{}`: anonymous access is one alternative
            }
            let set = names
                .keys()
                .map(|n| {
                    let s = &doc["components"]["securitySchemes"][n];
                    format!(
                        "{n} ({} {} {})",
                        s["type"].as_str().unwrap_or(""),
                        s["in"].as_str().unwrap_or(""),
                        s["name"].as_str().or(s["scheme"].as_str()).unwrap_or("")
                    )
                })
                .collect();
            sets.insert(set);
        }
        if sets.is_empty() {
            None
        } else {
            Some(sets)
        }
    }

    fn security(&mut self, old: &Value, new: &Value) {
        let (o, n) = (Self::security_sets(self.old, old), Self::security_sets(self.new, new));
        let words = |s: &Option<BTreeSet<BTreeSet<String>>>| match s {
            None => "none".to_string(),
            Some(sets) => sets
                .iter()
                .map(|set| set.iter().cloned().collect::<Vec<_>>().join(" + "))
                .collect::<Vec<_>>()
                .join(" or "),
        };
        match (&o, &n) {
            (a, b) if a == b => {}
            (_, None) => self.push(false, format!("security relaxed: {} → none", words(&o))),
            (None, Some(_)) => self.push(true, format!("security changed: none → {}", words(&n))),
            (Some(a), Some(b)) => {
                // Still fine when every old alternative is still accepted.
                let breaking = !a.is_subset(b);
                self.push(breaking, format!("security changed: {} → {}", words(&o), words(&n)));
            }
        }
    }

    /// Parameters by (location, name); path parameters by position.
    fn params(doc: &'a Value, item: &'a Value, op: &'a Value, path: &str) -> BTreeMap<(String, String), &'a Value> {
        let mut out = BTreeMap::new();
        let vars: Vec<&str> = path.split('{').skip(1).filter_map(|s| s.split('}').next()).collect();
        for list in [&item["parameters"], &op["parameters"]] {
            for p in list.as_array().into_iter().flatten() {
                let p = resolve_or_null(doc, p);
                let (Some(loc), Some(name)) = (p["in"].as_str(), p["name"].as_str()) else { continue };
                let key = match (loc, vars.iter().position(|v| *v == name)) {
                    ("path", Some(i)) => format!("#{i}"),
                    ("header", _) => name.to_ascii_lowercase(),
                    _ => name.to_string(),
                };
                out.insert((loc.to_string(), key), p);
            }
        }
        out
    }

    fn parameters(&mut self, old_item: &'a Value, old: &'a Value, new_item: &'a Value, new: &'a Value) {
        let path_of = |op: &str| op.split_once(' ').map(|(_, p)| p.to_string()).unwrap_or_default();
        let new_path = path_of(&self.op);
        let old_path = self.old["paths"]
            .as_object()
            .and_then(|paths| paths.keys().find(|p| path_shape(p) == path_shape(&new_path)).cloned())
            .unwrap_or_default();
        let o = Self::params(self.old, old_item, old, &old_path);
        let n = Self::params(self.new, new_item, new, &new_path);
        for (key, op) in &o {
            let name = format!("{} parameter {}", key.0, op["name"].as_str().unwrap_or(""));
            match n.get(key) {
                None => self.push(true, format!("{name} removed")),
                Some(np) => {
                    let (was, is) = (op["required"] == true, np["required"] == true);
                    if !was && is {
                        self.push(true, format!("{name} became required"));
                    } else if was && !is {
                        self.push(false, format!("{name} became optional"));
                    }
                    for key in ["style", "explode", "allowReserved"] {
                        if op.get(key) != np.get(key) {
                            self.push(
                                true,
                                format!(
                                    "{name}: {key} changed from {} to {} (how clients serialize it)",
                                    show(&op[key]),
                                    show(&np[key])
                                ),
                            );
                        }
                    }
                    let mut seen = BTreeSet::new();
                    self.schema(&op["schema"], &np["schema"], Dir::Request, &name, 0, &mut seen);
                }
            }
        }
        for (key, np) in &n {
            if !o.contains_key(key) {
                let name = format!("{} parameter {}", key.0, np["name"].as_str().unwrap_or(""));
                if np["required"] == true {
                    self.push(true, format!("required {name} added"));
                } else {
                    self.push(false, format!("optional {name} added"));
                }
            }
        }
    }

    fn request_body(&mut self, old: &'a Value, new: &'a Value) {
        let (ob, nb) = (self.old_r(&old["requestBody"]), self.new_r(&new["requestBody"]));
        match (ob.is_object(), nb.is_object()) {
            (false, false) => return,
            (true, false) => return self.push(true, "request body removed".into()),
            (false, true) => {
                let required = nb["required"] == true;
                return self
                    .push(required, format!("{} request body added", if required { "required" } else { "optional" }));
            }
            _ => {}
        }
        if ob["required"] != true && nb["required"] == true {
            self.push(true, "request body became required".into());
        }
        let (om, nm) = (ob["content"].as_object(), nb["content"].as_object());
        for (mime, media) in om.into_iter().flatten() {
            match nm.and_then(|m| m.get(mime)) {
                None => self.push(true, format!("request media type {mime} removed")),
                Some(nmedia) => {
                    let mut seen = BTreeSet::new();
                    self.schema(&media["schema"], &nmedia["schema"], Dir::Request, "request body", 0, &mut seen);
                }
            }
        }
        for mime in nm.into_iter().flatten().map(|(k, _)| k) {
            if om.is_none_or(|m| !m.contains_key(mime)) {
                self.push(false, format!("request media type {mime} added"));
            }
        }
    }

    fn responses(&mut self, old: &'a Value, new: &'a Value) {
        let (or, nr) = (old["responses"].as_object().unwrap_or(&EMPTY), new["responses"].as_object().unwrap_or(&EMPTY));
        let success = |s: &str| s.starts_with('2');
        for (status, response) in or {
            let Some(nresponse) = nr.get(status) else {
                if success(status) {
                    self.push(true, format!("success status {status} removed"));
                } else {
                    self.push(false, format!("error response {status} no longer documented"));
                }
                continue;
            };
            let (response, nresponse) = (self.old_r(response), self.new_r(nresponse));
            let where_ = format!("response {status}");
            let (oh, nh) = (response["headers"].as_object(), nresponse["headers"].as_object());
            for name in oh.into_iter().flatten().map(|(k, _)| k) {
                if nh.is_none_or(|h| !h.keys().any(|k| k.eq_ignore_ascii_case(name))) {
                    self.push(true, format!("{where_} header {name} removed"));
                }
            }
            let (om, nm) = (response["content"].as_object(), nresponse["content"].as_object());
            for (mime, media) in om.into_iter().flatten() {
                match nm.and_then(|m| m.get(mime)) {
                    None => self.push(true, format!("{where_} media type {mime} removed")),
                    Some(nmedia) => {
                        let mut seen = BTreeSet::new();
                        let label = format!("{where_} body");
                        self.schema(&media["schema"], &nmedia["schema"], Dir::Response, &label, 0, &mut seen);
                    }
                }
            }
            for mime in nm.into_iter().flatten().map(|(k, _)| k) {
                if om.is_none_or(|m| !m.contains_key(mime)) {
                    self.push(false, format!("{where_} media type {mime} added"));
                }
            }
        }
        for status in nr.keys() {
            if !or.contains_key(status) {
                if success(status) {
                    self.push(
                        true,
                        format!(
                            "success status {status} added (clients expect {})",
                            or.keys().filter(|s| success(s)).cloned().collect::<Vec<_>>().join(", ")
                        ),
                    );
                } else {
                    self.push(false, format!("error response {status} documented"));
                }
            }
        }
    }

    fn effect(&mut self, effect: Effect, dir: Dir, message: String) {
        self.push(effect.breaking(dir), message);
    }

    /// Compares two schemas read in direction `dir`, at `at` (`request body
    /// field a.b`), following `$ref`s in each document; a pair of
    /// references already being compared is not entered again.
    fn schema(
        &mut self,
        old: &'a Value,
        new: &'a Value,
        dir: Dir,
        at: &str,
        depth: usize,
        seen: &mut BTreeSet<(String, String)>,
    ) {
        if depth > 12 {
            return;
        }
        if let (Some(o), Some(n)) = (old["$ref"].as_str(), new["$ref"].as_str()) {
            if !seen.insert((o.to_string(), n.to_string())) {
                return;
            }
        }
        let (o, n) = (self.old_r(old), self.new_r(new));
        if o.is_null() || n.is_null() {
            return;
        }
        // The type.
        let (ot, nt) = (o["type"].as_str(), n["type"].as_str());
        if ot != nt {
            let effect = match (ot, nt) {
                (Some(_), None) => Effect::Widens,
                (None, Some(_)) => Effect::Narrows,
                (Some("integer"), Some("number")) => Effect::Widens,
                (Some("number"), Some("integer")) => Effect::Narrows,
                _ => Effect::Changes,
            };
            let word = |t: Option<&str>| t.unwrap_or("any").to_string();
            self.effect(effect, dir, format!("{at}: type changed from {} to {}", word(ot), word(nt)));
            return;
        }
        if o["format"] != n["format"] {
            let effect = match (o.get("format"), n.get("format")) {
                (Some(_), None) => Effect::Widens,
                (None, Some(_)) => Effect::Narrows,
                _ => Effect::Changes,
            };
            self.effect(
                effect,
                dir,
                format!("{at}: format changed from {} to {}", show(&o["format"]), show(&n["format"])),
            );
        }
        if (o["nullable"] == true) != (n["nullable"] == true) {
            let effect = if n["nullable"] == true { Effect::Widens } else { Effect::Narrows };
            let word = if n["nullable"] == true { "became nullable" } else { "is no longer nullable" };
            self.effect(effect, dir, format!("{at}: {word}"));
        }
        if o["pattern"] != n["pattern"] {
            let (effect, word) = match (o.get("pattern"), n.get("pattern")) {
                (Some(_), None) => (Effect::Widens, format!("pattern {} removed", show(&o["pattern"]))),
                (None, Some(p)) => (Effect::Narrows, format!("pattern {} added", show(p))),
                _ => (
                    Effect::Changes,
                    format!("pattern changed from {} to {}", show(&o["pattern"]), show(&n["pattern"])),
                ),
            };
            self.effect(effect, dir, format!("{at}: {word}"));
        }
        // Bounds: (keyword, whether a larger value admits more).
        for (key, larger_widens) in [
            ("maxLength", true),
            ("maximum", true),
            ("maxItems", true),
            ("minLength", false),
            ("minimum", false),
            ("minItems", false),
        ] {
            let (a, b) = (o[key].as_f64(), n[key].as_f64());
            let effect = match (a, b) {
                (Some(a), Some(b)) if a == b => continue,
                (None, None) => continue,
                (Some(_), None) => Effect::Widens,
                (None, Some(_)) => Effect::Narrows,
                (Some(a), Some(b)) => {
                    if (b > a) == larger_widens {
                        Effect::Widens
                    } else {
                        Effect::Narrows
                    }
                }
            };
            let words = match (a, b) {
                (None, Some(_)) => format!("{key} {} added", show(&n[key])),
                (Some(_), None) => format!("{key} {} removed", show(&o[key])),
                (Some(a), Some(b)) => {
                    format!(
                        "{key} {} ({} → {})",
                        if b < a { "lowered" } else { "raised" },
                        show(&o[key]),
                        show(&n[key])
                    )
                }
                (None, None) => unreachable!("skipped above"),
            };
            self.effect(effect, dir, format!("{at}: {words}"));
        }
        for key in ["exclusiveMinimum", "exclusiveMaximum"] {
            if (o[key] == true) != (n[key] == true) {
                let effect = if n[key] == true { Effect::Narrows } else { Effect::Widens };
                self.effect(effect, dir, format!("{at}: {key} changed to {}", n[key] == true));
            }
        }
        // Enumerations.
        match (o["enum"].as_array(), n["enum"].as_array()) {
            (None, None) => {}
            (Some(_), None) => self.effect(Effect::Widens, dir, format!("{at}: no longer an enumeration")),
            (None, Some(_)) => self.effect(Effect::Narrows, dir, format!("{at}: became an enumeration")),
            (Some(a), Some(b)) => {
                for v in a.iter().filter(|v| !b.contains(v)) {
                    self.effect(Effect::Narrows, dir, format!("{at}: enum value {} removed", show(v)));
                }
                for v in b.iter().filter(|v| !a.contains(v)) {
                    let why = if dir == Dir::Response { " (a client's generated enum cannot hold it)" } else { "" };
                    self.effect(Effect::Widens, dir, format!("{at}: enum value {} added{why}", show(v)));
                }
            }
        }
        // Arrays.
        if o["items"].is_object() || n["items"].is_object() {
            let sub = format!("{at}[]");
            self.schema(&o["items"], &n["items"], dir, &sub, depth + 1, seen);
        }
        // Objects.
        self.properties(o, n, dir, at, depth, seen);
    }

    fn properties(
        &mut self,
        o: &'a Value,
        n: &'a Value,
        dir: Dir,
        at: &str,
        depth: usize,
        seen: &mut BTreeSet<(String, String)>,
    ) {
        let required = |s: &Value| -> BTreeSet<String> {
            s["required"].as_array().into_iter().flatten().filter_map(|v| v.as_str().map(String::from)).collect()
        };
        let (oreq, nreq) = (required(o), required(n));
        let (op, np) = (o["properties"].as_object().unwrap_or(&EMPTY), n["properties"].as_object().unwrap_or(&EMPTY));
        let field = |name: &str| {
            if at.ends_with("body") || at.ends_with("[]") {
                format!("{at} field {name}")
            } else {
                format!("{at}.{name}")
            }
        };
        // A property the client never sees in this direction does not count.
        let skipped = |p: &Value, doc: &Value| {
            let p = resolve_or_null(doc, p);
            match dir {
                Dir::Request => p["readOnly"] == true,
                Dir::Response => p["writeOnly"] == true,
            }
        };
        for (name, prop) in op {
            if skipped(prop, self.old) {
                continue;
            }
            let f = field(name);
            match np.get(name) {
                None => match dir {
                    Dir::Request => {
                        self.push(true, format!("{f} removed (clients that send it are refused or ignored)"))
                    }
                    Dir::Response => self.push(true, format!("{f} removed")),
                },
                Some(nprop) => {
                    let (was, is) = (oreq.contains(name), nreq.contains(name));
                    match (dir, was, is) {
                        (Dir::Request, false, true) => self.push(true, format!("{f} became required")),
                        (Dir::Request, true, false) => self.push(false, format!("{f} became optional")),
                        (Dir::Response, true, false) => self.push(true, format!("{f} may now be absent")),
                        (Dir::Response, false, true) => self.push(false, format!("{f} is now always present")),
                        _ => {}
                    }
                    self.schema(prop, nprop, dir, &f, depth + 1, seen);
                }
            }
        }
        let closed = o["additionalProperties"] == false;
        for (name, prop) in np {
            if op.contains_key(name) || skipped(prop, self.new) {
                continue;
            }
            let f = field(name);
            match dir {
                Dir::Request if nreq.contains(name) => self.push(true, format!("required {f} added")),
                Dir::Request => self.push(false, format!("optional {f} added")),
                // A client generated from a closed object refuses fields it does not know.
                Dir::Response if closed => {
                    self.push(true, format!("{f} added to an object that allowed no other fields"))
                }
                Dir::Response => self.push(false, format!("{f} added")),
            }
        }
        if (o["additionalProperties"] == false) != (n["additionalProperties"] == false) && o["properties"].is_object() {
            let effect = if n["additionalProperties"] == false { Effect::Narrows } else { Effect::Widens };
            let word = if n["additionalProperties"] == false {
                "allows no other fields now"
            } else {
                "allows other fields now"
            };
            self.effect(effect, dir, format!("{at}: {word}"));
        }
    }
}

/// A version `MAJOR.MINOR.PATCH` (no pre-release or build suffix).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
}

impl Version {
    pub fn parse(s: &str) -> Result<Version, String> {
        let parts: Vec<&str> = s.trim().split('.').collect();
        let numbers: Result<Vec<u64>, _> = parts.iter().map(|p| p.parse::<u64>()).collect();
        match (parts.len(), numbers) {
            (3, Ok(n)) => Ok(Version { major: n[0], minor: n[1], patch: n[2] }),
            _ => Err(format!("{s:?} is not a version MAJOR.MINOR.PATCH")),
        }
    }

    /// Whether `next` may break clients of `self`, as Cargo reads versions:
    /// the leftmost non-zero number is the major one (0.1.x → 0.2.0 and
    /// 0.0.1 → 0.0.2 are major bumps).
    pub fn allows_breaking(self, next: Version) -> bool {
        next > self
            && if self.major > 0 {
                next.major != self.major
            } else if self.minor > 0 {
                next.major > 0 || next.minor != self.minor
            } else {
                next.major > 0 || next.minor > 0 || next.patch != self.patch
            }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// The smallest bump `changes` require from `from`, as a version: major
/// (see [`Version::allows_breaking`]) for a breaking change, otherwise
/// the next patch (Cargo's compatible bump; additions need no more).
pub fn required_version(from: Version, changes: &[Change]) -> Version {
    if changes.iter().any(|c| c.breaking) {
        if from.major > 0 {
            Version { major: from.major + 1, minor: 0, patch: 0 }
        } else if from.minor > 0 {
            Version { major: 0, minor: from.minor + 1, patch: 0 }
        } else {
            Version { major: 0, minor: 0, patch: from.patch + 1 }
        }
    } else {
        Version { patch: from.patch + 1, ..from }
    }
}

/// The document's `info.version`.
pub fn info_version(doc: &Value) -> Result<Version, String> {
    Version::parse(doc["info"]["version"].as_str().ok_or("the document has no info.version")?)
}

/// The operations (`METHOD /path`, as written) of a document, for "since
/// which version" and the changelog's additions.
pub fn operation_keys(doc: &Value) -> BTreeMap<(String, String), String> {
    operations(doc).into_iter().map(|(k, (path, _))| (k.clone(), format!("{} {path}", k.0.to_uppercase()))).collect()
}

/// The key under which [`operation_keys`] files `METHOD path`.
pub fn operation_key(method: &str, path: &str) -> (String, String) {
    (method.to_ascii_lowercase(), path_shape(path))
}

#[cfg(test)]
mod tests {
    //! Each rule with a pair of small documents: the change it must report,
    //! and whether it breaks clients.
    use super::*;
    use serde_json::json;

    /// A document with one operation `GET /things/{id}` built from `op`,
    /// and the component schemas `schemas`.
    fn doc(op: Value, schemas: Value) -> Value {
        json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1.0.0"},
            "paths": {"/things/{id}": {"get": op}},
            "components": {
                "schemas": schemas,
                "securitySchemes": {
                    "token": {"type": "apiKey", "in": "header", "name": "X-Api-Token"},
                    "cookie": {"type": "apiKey", "in": "cookie", "name": "jwt"}
                }
            }
        })
    }

    fn op_with_response(schema: Value) -> Value {
        json!({"operationId": "get_thing", "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}}})
    }

    fn op_with_body(schema: Value) -> Value {
        json!({"operationId": "get_thing", "requestBody": {"required": true, "content": {"application/json": {"schema": schema}}},
               "responses": {"200": {"description": "ok"}}})
    }

    fn op_with_param(param: Value) -> Value {
        json!({"operationId": "get_thing", "parameters": [param], "responses": {"200": {"description": "ok"}}})
    }

    /// The one change between the two, asserted to be exactly one.
    fn only(old: Value, new: Value) -> Change {
        let changes = diff(&old, &new);
        assert_eq!(changes.len(), 1, "{changes:#?}");
        changes.into_iter().next().unwrap()
    }

    fn assert_change(old: Value, new: Value, breaking: bool, message: &str) {
        let c = only(old, new);
        assert_eq!(c.breaking, breaking, "{c}");
        assert!(c.message.contains(message), "{c} should say {message:?}");
        assert_eq!(c.operation, "GET /things/{id}");
    }

    fn object(props: Value, required: &[&str]) -> Value {
        json!({"type": "object", "required": required, "properties": props})
    }

    #[test]
    fn identical_documents_have_no_changes() {
        let d = doc(op_with_response(json!({"$ref": "#/components/schemas/T"})), json!({"T": {"type": "string"}}));
        assert_eq!(diff(&d, &d), vec![]);
    }

    #[test]
    fn operations_removed_break_and_added_do_not() {
        let one = doc(op_with_response(json!({"type": "string"})), json!({}));
        let mut two = one.clone();
        two["paths"]["/other"] = json!({"post": {"operationId": "other", "responses": {"201": {"description": "ok"}}}});
        let added = only(one.clone(), two.clone());
        assert_eq!(
            (added.breaking, added.operation.as_str(), added.message.as_str()),
            (false, "POST /other", "operation added")
        );
        let removed = only(two, one);
        assert_eq!(
            (removed.breaking, removed.operation.as_str(), removed.message.as_str()),
            (true, "POST /other", "operation removed")
        );
    }

    #[test]
    fn a_renamed_path_variable_is_the_same_operation() {
        let one = doc(op_with_response(json!({"type": "string"})), json!({}));
        let mut two = json!({});
        two["paths"]["/things/{ID}"] = one["paths"]["/things/{id}"].clone();
        let mut two_doc = one.clone();
        two_doc["paths"] = two["paths"].clone();
        assert_eq!(diff(&one, &two_doc), vec![]);
    }

    #[test]
    fn a_changed_operation_id_breaks_generated_clients() {
        let one = doc(op_with_response(json!({"type": "string"})), json!({}));
        let mut two = one.clone();
        two["paths"]["/things/{id}"]["get"]["operationId"] = json!("thing_get");
        assert_change(one, two, true, "operationId changed from \"get_thing\" to \"thing_get\"");
    }

    #[test]
    fn a_removed_response_field_breaks() {
        let old = doc(
            op_with_response(json!({"$ref": "#/components/schemas/T"})),
            json!({"T": object(json!({"a": {"type": "string"}, "b": {"type": "string"}}), &["a"])}),
        );
        let new = doc(
            op_with_response(json!({"$ref": "#/components/schemas/T"})),
            json!({"T": object(json!({"a": {"type": "string"}}), &["a"])}),
        );
        assert_change(old.clone(), new.clone(), true, "response 200 body field b removed");
        // The other way round it is an addition, which no client must read.
        assert_change(new, old, false, "response 200 body field b added");
    }

    #[test]
    fn a_response_field_no_longer_required_breaks() {
        let old = doc(op_with_response(object(json!({"a": {"type": "string"}}), &["a"])), json!({}));
        let new = doc(op_with_response(object(json!({"a": {"type": "string"}}), &[])), json!({}));
        assert_change(old.clone(), new.clone(), true, "response 200 body field a may now be absent");
        assert_change(new, old, false, "response 200 body field a is now always present");
    }

    #[test]
    fn a_field_added_to_a_closed_response_object_breaks() {
        let closed = |props: Value| json!({"type": "object", "additionalProperties": false, "properties": props});
        let old = doc(op_with_response(closed(json!({"a": {"type": "string"}}))), json!({}));
        let new = doc(op_with_response(closed(json!({"a": {"type": "string"}, "b": {"type": "string"}}))), json!({}));
        assert_change(old, new, true, "field b added to an object that allowed no other fields");
    }

    #[test]
    fn nested_fields_are_named_by_their_path() {
        let list = |item: Value| object(json!({"data": {"type": "array", "items": item}}), &["data"]);
        let old = doc(
            op_with_response(list(object(json!({"x": {"type": "integer"}, "y": {"type": "integer"}}), &[]))),
            json!({}),
        );
        let new = doc(op_with_response(list(object(json!({"x": {"type": "integer"}}), &[]))), json!({}));
        assert_change(old, new, true, "response 200 body field data[] field y removed");
    }

    #[test]
    fn a_new_required_request_field_breaks_and_an_optional_one_does_not() {
        let old = doc(op_with_body(object(json!({"a": {"type": "string"}}), &["a"])), json!({}));
        let required = doc(
            op_with_body(object(json!({"a": {"type": "string"}, "b": {"type": "string"}}), &["a", "b"])),
            json!({}),
        );
        let optional =
            doc(op_with_body(object(json!({"a": {"type": "string"}, "b": {"type": "string"}}), &["a"])), json!({}));
        assert_change(old.clone(), required.clone(), true, "required request body field b added");
        assert_change(old.clone(), optional.clone(), false, "optional request body field b added");
        assert_change(optional.clone(), required, true, "request body field b became required");
        assert_change(optional, old, true, "request body field b removed");
    }

    #[test]
    fn read_only_fields_do_not_count_in_requests() {
        let old = doc(op_with_body(object(json!({"a": {"type": "string"}}), &[])), json!({}));
        let new = doc(
            op_with_body(object(
                json!({"a": {"type": "string"}, "id": {"type": "integer", "readOnly": true}}),
                &["id"],
            )),
            json!({}),
        );
        assert_eq!(diff(&old, &new), vec![]);
    }

    #[test]
    fn parameters_removed_added_and_made_required() {
        let p = |required: bool| json!({"name": "limit", "in": "query", "required": required, "schema": {"type": "integer"}});
        let none = doc(json!({"operationId": "get_thing", "responses": {"200": {"description": "ok"}}}), json!({}));
        let optional = doc(op_with_param(p(false)), json!({}));
        let required = doc(op_with_param(p(true)), json!({}));
        assert_change(none.clone(), optional.clone(), false, "optional query parameter limit added");
        assert_change(none.clone(), required.clone(), true, "required query parameter limit added");
        assert_change(optional.clone(), required.clone(), true, "query parameter limit became required");
        assert_change(required, optional.clone(), false, "query parameter limit became optional");
        assert_change(optional, none, true, "query parameter limit removed");
    }

    #[test]
    fn parameter_serialization_changes_break() {
        let p = |explode: bool| json!({"name": "ids", "in": "query", "explode": explode, "schema": {"type": "array", "items": {"type": "integer"}}});
        assert_change(
            doc(op_with_param(p(true)), json!({})),
            doc(op_with_param(p(false)), json!({})),
            true,
            "explode changed",
        );
    }

    #[test]
    fn bounds_narrowed_in_requests_break_and_widened_do_not() {
        let s = |schema: Value| doc(op_with_param(json!({"name": "q", "in": "query", "schema": schema})), json!({}));
        let cases = [
            (
                json!({"type": "string", "maxLength": 64}),
                json!({"type": "string", "maxLength": 32}),
                "maxLength lowered (64 → 32)",
            ),
            (
                json!({"type": "string", "minLength": 1}),
                json!({"type": "string", "minLength": 3}),
                "minLength raised (1 → 3)",
            ),
            (
                json!({"type": "integer", "minimum": 0}),
                json!({"type": "integer", "minimum": 1}),
                "minimum raised (0 → 1)",
            ),
            (
                json!({"type": "integer", "maximum": 100}),
                json!({"type": "integer", "maximum": 10}),
                "maximum lowered (100 → 10)",
            ),
            (
                json!({"type": "array", "items": {"type": "string"}}),
                json!({"type": "array", "maxItems": 5, "items": {"type": "string"}}),
                "maxItems 5 added",
            ),
            (
                json!({"type": "integer", "minimum": 0}),
                json!({"type": "integer", "minimum": 0, "exclusiveMinimum": true}),
                "exclusiveMinimum changed to true",
            ),
        ];
        for (old, new, message) in cases {
            assert_change(s(old.clone()), s(new.clone()), true, message);
            let back = only(s(new), s(old));
            assert!(!back.breaking, "widening is compatible: {back}");
        }
    }

    #[test]
    fn bounds_widened_in_responses_break_and_narrowed_do_not() {
        let s = |max: u64| doc(op_with_response(json!({"type": "string", "maxLength": max})), json!({}));
        assert_change(s(10), s(20), true, "response 200 body: maxLength raised (10 → 20)");
        assert_change(s(20), s(10), false, "response 200 body: maxLength lowered (20 → 10)");
    }

    #[test]
    fn patterns_added_or_changed_narrow_requests() {
        let s = |schema: Value| doc(op_with_body(schema), json!({}));
        assert_change(
            s(json!({"type": "string"})),
            s(json!({"type": "string", "pattern": "^a"})),
            true,
            "pattern \"^a\" added",
        );
        assert_change(
            s(json!({"type": "string", "pattern": "^a"})),
            s(json!({"type": "string", "pattern": "^b"})),
            true,
            "pattern changed",
        );
        assert_change(
            s(json!({"type": "string", "pattern": "^a"})),
            s(json!({"type": "string"})),
            false,
            "pattern \"^a\" removed",
        );
    }

    #[test]
    fn enum_values_by_direction() {
        let req = |values: Value| {
            doc(
                op_with_param(json!({"name": "sort", "in": "query", "schema": {"type": "string", "enum": values}})),
                json!({}),
            )
        };
        assert_change(req(json!(["a", "b"])), req(json!(["a"])), true, "enum value \"b\" removed");
        assert_change(req(json!(["a"])), req(json!(["a", "b"])), false, "enum value \"b\" added");
        let resp = |values: Value| doc(op_with_response(json!({"type": "string", "enum": values})), json!({}));
        assert_change(
            resp(json!(["a"])),
            resp(json!(["a", "b"])),
            true,
            "enum value \"b\" added (a client's generated enum cannot hold it)",
        );
        assert_change(resp(json!(["a", "b"])), resp(json!(["a"])), false, "enum value \"b\" removed");
    }

    #[test]
    fn types_formats_and_nullability() {
        let body = |schema: Value| doc(op_with_body(schema), json!({}));
        assert_change(
            body(json!({"type": "integer"})),
            body(json!({"type": "string"})),
            true,
            "type changed from integer to string",
        );
        assert_change(
            body(json!({"type": "integer"})),
            body(json!({"type": "number"})),
            false,
            "type changed from integer to number",
        );
        assert_change(
            body(json!({"type": "string"})),
            body(json!({"type": "string", "format": "uuid"})),
            true,
            "format changed",
        );
        let resp = |schema: Value| doc(op_with_response(schema), json!({}));
        assert_change(
            resp(json!({"type": "string"})),
            resp(json!({"type": "string", "nullable": true})),
            true,
            "became nullable",
        );
        assert_change(
            body(json!({"type": "string"})),
            body(json!({"type": "string", "nullable": true})),
            false,
            "became nullable",
        );
    }

    #[test]
    fn success_status_codes_and_media_types() {
        let with = |status: &str, mime: &str| {
            let mut o = json!({"operationId": "get_thing", "responses": {}});
            o["responses"][status] = json!({"description": "ok", "content": {mime: {"schema": {"type": "string"}}}});
            doc(o, json!({}))
        };
        let changes = diff(&with("200", "application/json"), &with("201", "application/json"));
        assert!(changes.iter().any(|c| c.breaking && c.message == "success status 200 removed"), "{changes:#?}");
        assert!(
            changes.iter().any(|c| c.breaking && c.message.starts_with("success status 201 added")),
            "{changes:#?}"
        );
        let changes = diff(&with("200", "application/json"), &with("200", "text/xml"));
        assert!(
            changes[0].breaking && changes[0].message == "response 200 media type application/json removed",
            "{changes:#?}"
        );
        assert!(!changes[1].breaking && changes[1].message == "response 200 media type text/xml added", "{changes:#?}");
        let mut error_added = with("200", "application/json");
        error_added["paths"]["/things/{id}"]["get"]["responses"]["404"] = json!({"description": "no"});
        assert_change(with("200", "application/json"), error_added, false, "error response 404 documented");
    }

    #[test]
    fn request_bodies_and_their_media_types() {
        let none = doc(json!({"operationId": "get_thing", "responses": {"200": {"description": "ok"}}}), json!({}));
        let body = doc(op_with_body(json!({"type": "string"})), json!({}));
        assert_change(none.clone(), body.clone(), true, "required request body added");
        assert_change(body.clone(), none, true, "request body removed");
        let mut form = body.clone();
        let content = &mut form["paths"]["/things/{id}"]["get"]["requestBody"]["content"];
        content["application/x-www-form-urlencoded"] = content["application/json"].take();
        content.as_object_mut().unwrap().remove("application/json");
        let changes = diff(&body, &form);
        assert!(
            changes.iter().any(|c| c.breaking && c.message == "request media type application/json removed"),
            "{changes:#?}"
        );
    }

    #[test]
    fn security_requirements() {
        let sec = |security: Value| {
            let mut o = op_with_response(json!({"type": "string"}));
            o["security"] = security;
            doc(o, json!({}))
        };
        assert_change(sec(json!([{"token": []}])), sec(json!([{"cookie": []}])), true, "security changed");
        assert_change(sec(json!([])), sec(json!([{"token": []}])), true, "security changed: none →");
        assert_change(sec(json!([{"token": []}])), sec(json!([])), false, "security relaxed");
        // Another accepted alternative keeps every old client working.
        assert_change(
            sec(json!([{"token": []}])),
            sec(json!([{"token": []}, {"cookie": []}])),
            false,
            "security changed",
        );
        // The same scheme name with another header is another requirement.
        let old = sec(json!([{"token": []}]));
        let mut renamed = old.clone();
        renamed["components"]["securitySchemes"]["token"]["name"] = json!("X-Token");
        assert_change(old, renamed, true, "security changed");
    }

    #[test]
    fn recursive_schemas_terminate() {
        let tree = json!({"Node": {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}}}});
        let d = doc(op_with_response(json!({"$ref": "#/components/schemas/Node"})), tree);
        assert_eq!(diff(&d, &d), vec![]);
    }

    #[test]
    fn versions_follow_cargo() {
        let v = |s: &str| Version::parse(s).unwrap();
        assert!(v("1.2.3").allows_breaking(v("2.0.0")));
        assert!(!v("1.2.3").allows_breaking(v("1.3.0")));
        assert!(v("0.1.0").allows_breaking(v("0.2.0")), "0.x: a minor bump is a major one");
        assert!(!v("0.1.0").allows_breaking(v("0.1.1")));
        assert!(v("0.0.1").allows_breaking(v("0.0.2")));
        assert!(!v("1.0.0").allows_breaking(v("1.0.0")));
        assert!(!v("2.0.0").allows_breaking(v("1.0.0")));
        assert!(Version::parse("1.0").is_err() && Version::parse("1.0.0-beta").is_err());
        let breaking = [Change { breaking: true, operation: String::new(), message: String::new() }];
        assert_eq!(required_version(v("0.1.4"), &breaking), v("0.2.0"));
        assert_eq!(required_version(v("1.1.4"), &breaking), v("2.0.0"));
        assert_eq!(required_version(v("1.1.4"), &[]), v("1.1.5"));
    }
}
