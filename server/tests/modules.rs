//! The server's modules form no cycle (the boundary rule in
//! `server/src/lib.rs`): a module may use only modules that do not use it,
//! directly or through others.
//!
//! Reads every `server/src/*.rs` file, keeps its code (comments, strings and
//! character literals blanked), finds its `crate::` paths (`use` items,
//! qualified names and `$crate::` in macros alike), maps each to the module
//! that defines it, and checks that the graph is acyclic. Reading the
//! sources rather than compiling them keeps it fast and deterministic.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module name -> the modules its code names.
type Graph = BTreeMap<String, BTreeSet<String>>;

/// `text` with every comment, string literal and character literal replaced
/// by spaces (newlines kept), so that only code remains.
fn code_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |out: &mut String, c: char| out.push(if c == '\n' { '\n' } else { ' ' });
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                blank(&mut out, chars[i]);
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, chars[i]);
                    i += 1;
                }
            }
        } else if c == 'r'
            && matches!(next, Some('"') | Some('#'))
            && (i == 0 || !is_ident(chars[i - 1]) || chars[i - 1] == 'b')
        {
            // A raw string: r"...", r#"..."#, br"...".
            let mut hashes = 0;
            let mut j = i + 1;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                // `r#ident`, a raw identifier.
                out.push(c);
                i += 1;
                continue;
            }
            let closing: String = std::iter::once('"').chain(std::iter::repeat_n('#', hashes)).collect();
            let body_start = j + 1;
            let rest: String = chars[body_start..].iter().collect();
            let end = body_start + rest.find(&closing).map_or(rest.chars().count(), |b| rest[..b].chars().count());
            let end = (end + closing.chars().count()).min(chars.len());
            for &k in &chars[i..end] {
                blank(&mut out, k);
            }
            i = end;
        } else if c == '"' {
            blank(&mut out, c);
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                let step = if chars[i] == '\\' { 2 } else { 1 };
                for &k in &chars[i..(i + step).min(chars.len())] {
                    blank(&mut out, k);
                }
                i += step;
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' && next == Some('\\') {
            // An escaped character literal: '\n', '\'', '\u{..}'.
            let mut j = i + 3;
            while j < chars.len() && chars[j] != '\'' {
                j += 1;
            }
            for _ in i..=j.min(chars.len() - 1) {
                out.push(' ');
            }
            i = j + 1;
        } else if c == '\'' && chars.get(i + 2) == Some(&'\'') {
            out.push_str("   ");
            i += 3;
        } else {
            // Code, a lifetime included.
            out.push(c);
            i += 1;
        }
    }
    out
}

/// The first segment of every `crate::` path in `code`: `crate::db::open`
/// gives `db`, `use crate::{auth::Principal, db}` gives `auth` and `db`.
fn crate_paths(code: &str) -> BTreeSet<String> {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    let ident = |s: &str| s.chars().take_while(|c| is_ident(*c)).collect::<String>();
    let mut found = BTreeSet::new();
    for (at, _) in code.match_indices("crate") {
        if code[..at].chars().next_back().is_some_and(is_ident) {
            continue;
        }
        let rest = code[at + "crate".len()..].trim_start();
        let Some(rest) = rest.strip_prefix("::") else { continue };
        let rest = rest.trim_start();
        if let Some(group) = rest.strip_prefix('{') {
            // The first segment of each item at the group's top level.
            let mut depth = 0;
            let mut item_start = true;
            for (k, ch) in group.char_indices() {
                match ch {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if depth == 0 && item_start && is_ident(c) => {
                        item_start = false;
                        found.insert(ident(&group[k..]));
                    }
                    _ => {}
                }
            }
        } else {
            let name = ident(rest);
            if !name.is_empty() {
                found.insert(name);
            }
        }
    }
    found.remove("self");
    found
}

/// The module graph of the library in `src`.
fn module_graph(src: &Path) -> Graph {
    let mut code: BTreeMap<String, String> = BTreeMap::new();
    for entry in std::fs::read_dir(src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        if path.is_dir() {
            // `db/group_commit.rs` is part of module `db`: what it names
            // through `crate::` is what `db` depends on.
            for file in std::fs::read_dir(&path).unwrap() {
                let file = file.unwrap().path();
                assert!(!file.is_dir(), "{}: modules nest one level here", file.display());
                let text = code_only(&std::fs::read_to_string(&file).unwrap());
                code.entry(name.clone()).or_default().push_str(&text);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            code.entry(name).or_default().push_str(&code_only(&std::fs::read_to_string(&path).unwrap()));
        }
    }
    // main.rs is the binary's own crate; lib.rs is the root, which declares
    // every module and re-exports a few names.
    code.remove("main");
    let root = code.remove("lib").expect("server/src/lib.rs");

    // What a first path segment may name: a module, a name the root
    // re-exports (`pub use config::Config;`), or an exported macro.
    let mut owner: BTreeMap<String, String> = code.keys().map(|m| (m.clone(), m.clone())).collect();
    for line in root.lines() {
        let Some(item) = line.trim().strip_prefix("pub use ") else { continue };
        let (module, names) = item.split_once("::").expect("a `pub use module::...;` re-export");
        assert!(code.contains_key(module), "lib.rs re-exports from {module}, which is not a module");
        for name in names.trim_end_matches(';').trim_matches(['{', '}']).split(',') {
            let name = name.trim().rsplit(' ').next().unwrap().rsplit("::").next().unwrap();
            owner.insert(name.to_string(), module.to_string());
        }
    }
    for (module, text) in &code {
        for (at, _) in text.match_indices("macro_rules!") {
            let name: String = text[at + "macro_rules!".len()..]
                .trim_start()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            owner.insert(name, module.clone());
        }
    }

    let mut graph = Graph::new();
    for (module, text) in &code {
        let uses = graph.entry(module.clone()).or_default();
        for first in crate_paths(text) {
            let target = owner.get(&first).unwrap_or_else(|| {
                panic!("{module}.rs names crate::{first}, which is no module, re-export or macro of the crate")
            });
            if target != module {
                uses.insert(target.clone());
            }
        }
    }
    graph
}

/// A cycle of `graph`, if it has one, as the modules along it.
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit<'g>(
        graph: &'g Graph,
        module: &'g str,
        marks: &mut BTreeMap<&'g str, Mark>,
        path: &mut Vec<&'g str>,
    ) -> Option<Vec<String>> {
        match marks.get(module) {
            Some(Mark::Done) => return None,
            Some(Mark::Open) => {
                let from = path.iter().position(|m| *m == module).unwrap();
                let mut cycle: Vec<String> = path[from..].iter().map(|m| m.to_string()).collect();
                cycle.push(module.to_string());
                return Some(cycle);
            }
            None => {}
        }
        marks.insert(module, Mark::Open);
        path.push(module);
        for used in graph.get(module).into_iter().flatten() {
            if let Some(cycle) = visit(graph, used, marks, path) {
                return Some(cycle);
            }
        }
        path.pop();
        marks.insert(module, Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    graph.keys().find_map(|module| visit(graph, module, &mut marks, &mut Vec::new()))
}

fn describe(graph: &Graph) -> String {
    graph.iter().map(|(m, uses)| format!("{m} -> {}\n", uses.iter().cloned().collect::<Vec<_>>().join(", "))).collect()
}

#[test]
fn server_modules_form_no_cycle() {
    let graph = module_graph(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    eprintln!("{}", describe(&graph));
    if let Some(cycle) = find_cycle(&graph) {
        panic!("import cycle among server/src modules: {}\n\n{}", cycle.join(" -> "), describe(&graph));
    }
}

#[test]
fn the_trait_impl_and_the_pages_and_counters_sit_where_the_rule_puts_them() {
    let graph = module_graph(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    // Nothing is built on the trait implementation: it only hands calls on.
    let users_of_service: Vec<&String> =
        graph.iter().filter(|(_, uses)| uses.contains("service")).map(|(m, _)| m).collect();
    assert!(users_of_service.is_empty(), "modules using service.rs: {users_of_service:?}");
    // The docs pages and the metrics counters know nothing of the state that serves them.
    assert_eq!(graph["docs"], BTreeSet::new());
    assert_eq!(graph["metrics"], BTreeSet::new());
}

#[test]
fn the_reader_sees_code_only() {
    let text = r##"
        //! [`crate::in_doc`]
        use crate::{a::{X, Y}, b, self};
        use crate::c::Z; // crate::in_comment
        /* crate::in_block /* nested */ crate::still_in_block */
        fn f<'t>(s: &'t str) -> char { let _ = "crate::in_string \" crate::escaped"; '"' }
        const R: &str = r#"crate::in_raw "quoted""#;
        fn g() { $crate::d::m!(); crate :: e::f(); my_crate::not_ours(); let _ = '\''; crate::h::i() }
    "##;
    let found = crate_paths(&code_only(text));
    let expected: BTreeSet<String> = ["a", "b", "c", "d", "e", "h"].into_iter().map(String::from).collect();
    assert_eq!(found, expected);
}
