//! The runtime's modules depend on each other in one direction: no import cycle, at any
//! level of the tree (ARCHITECTURE.md draws the layers).
//!
//! A test of our own over the source text: every `crate::`, `super::` and `self::` path
//! (in `use` items and inline) is resolved to the module that defines what it names,
//! following `pub use` re-exports; then, for every folder, its children (each with all its
//! descendants) and the folder's own file must form an acyclic graph. A cycle fails with
//! each arrow's first `file:line`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module, as its path from the crate root (`[]` is `lib.rs`).
type ModPath = Vec<String>;

struct Module {
    file: PathBuf,
    /// The text with comments blanked out (lines kept, for line numbers).
    code: String,
}

fn module_files(src: &Path) -> BTreeMap<ModPath, Module> {
    fn walk(dir: &Path, prefix: &[String], out: &mut BTreeMap<ModPath, Module>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            let name = path.file_stem().unwrap().to_string_lossy().to_string();
            if path.is_dir() {
                let mut sub = prefix.to_vec();
                sub.push(name);
                walk(&path, &sub, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let mut module = prefix.to_vec();
                if name != "mod" && name != "lib" {
                    module.push(name);
                }
                let text = std::fs::read_to_string(&path).unwrap();
                out.insert(
                    module,
                    Module {
                        file: path,
                        code: without_test_modules(&strip_comments(&text)),
                    },
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(src, &[], &mut out);
    // Shown relative to the crate: `src/guard.rs:12`.
    let base = src.parent().unwrap_or(src);
    for module in out.values_mut() {
        if let Ok(rel) = module.file.strip_prefix(base) {
            module.file = rel.to_path_buf();
        }
    }
    out
}

/// Blanks `//` comments and string literals (keeping line breaks), so doc links and texts
/// are not read as paths.
fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            match c {
                '\\' => {
                    chars.next();
                }
                '"' => {
                    in_string = false;
                    out.push('"');
                }
                '\n' => out.push('\n'),
                _ => {}
            }
            continue;
        }
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '"' => {
                in_string = true;
                out.push('"');
            }
            // A char literal such as '"' must not open a string.
            '\'' => {
                out.push('\'');
                let rest: String = chars.clone().take(3).collect();
                if rest.starts_with("\"'") {
                    chars.next();
                    chars.next();
                    out.push('\'');
                } else if rest.starts_with("\\\"'") {
                    chars.nth(2);
                    out.push('\'');
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// The code with every `#[cfg(test)] mod NAME { ... }` blanked (lines kept): tests may
/// use anything, the layering is about what the runtime itself needs.
fn without_test_modules(code: &str) -> String {
    let mut out = code.to_string();
    let mut from = 0;
    while let Some(off) = out[from..].find("#[cfg(test)]") {
        let start = from + off;
        let after = out[start + "#[cfg(test)]".len()..].trim_start();
        if !after.starts_with("mod ") {
            from = start + 1;
            continue;
        }
        let Some(open) = out[start..].find('{').map(|i| start + i) else {
            break;
        };
        let mut depth = 0;
        let mut end = out.len();
        for (i, c) in out[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        let blank: String = out[start..end]
            .chars()
            .map(|c| if c == '\n' { '\n' } else { ' ' })
            .collect();
        out.replace_range(start..end, &blank);
        from = end;
    }
    out
}

/// Every path a file names, with the line it is on: `use` trees expanded, inline paths as
/// written. Each is a list of segments starting with `crate`, `super` or `self`.
fn paths_of(code: &str) -> Vec<(Vec<String>, usize, bool)> {
    let mut found = Vec::new();
    // `use` items (possibly spanning lines, with brace groups).
    let bytes = code.as_bytes();
    let mut at = 0;
    while let Some(off) = code[at..].find("use ") {
        let start = at + off;
        at = start + 4;
        let before = code[..start].trim_end();
        let word_start =
            start == 0 || !(bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_');
        let item_start = before.is_empty()
            || before.ends_with(';')
            || before.ends_with('{')
            || before.ends_with('}')
            || before.ends_with(')')
            || before.ends_with(']')
            || before.ends_with("pub");
        if !word_start || !item_start {
            continue;
        }
        let Some(end) = code[start..].find(';') else {
            break;
        };
        let is_pub = before.ends_with("pub") || before.ends_with(')') && before.contains("pub(");
        // `a as b` becomes `a@b`, then the spaces go.
        let tree = code[start + 4..start + end]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .replace(" as ", "@")
            .replace(' ', "");
        let line = code[..start].matches('\n').count() + 1;
        for (path, alias) in expand_tree(&tree) {
            let mut path = path;
            if let Some(alias) = alias {
                path.push(format!("as {alias}"));
            }
            found.push((path, line, is_pub));
        }
        at = start + end;
    }
    // Inline paths.
    for (lineno, line) in code.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("use ")
            || trimmed.starts_with("pub use ")
            || trimmed.starts_with("pub(crate) use ")
        {
            continue;
        }
        for root in ["crate::", "super::"] {
            let mut from = 0;
            while let Some(off) = line[from..].find(root) {
                let s = from + off;
                from = s + root.len();
                let prev = line[..s].chars().last();
                if prev.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
                    continue;
                }
                let rest = &line[s..];
                let end = rest
                    .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                    .unwrap_or(rest.len());
                let path: Vec<String> = rest[..end]
                    .split("::")
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect();
                found.push((path, lineno + 1, false));
            }
        }
    }
    found
}

/// `a::{b, c::{d, e as f}}` -> `a::b`, `a::c::d`, `a::c::e` (alias `f`).
fn expand_tree(tree: &str) -> Vec<(Vec<String>, Option<String>)> {
    fn split_top(list: &str) -> Vec<&str> {
        let mut parts = Vec::new();
        let mut depth = 0;
        let mut start = 0;
        for (i, c) in list.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    parts.push(&list[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        parts.push(&list[start..]);
        parts.into_iter().filter(|p| !p.is_empty()).collect()
    }
    let mut out = Vec::new();
    if let Some(brace) = tree.find('{') {
        let prefix: Vec<String> = tree[..brace]
            .split("::")
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        let inner = &tree[brace + 1..tree.rfind('}').unwrap_or(tree.len())];
        for part in split_top(inner) {
            for (mut sub, alias) in expand_tree(part) {
                let mut path = prefix.clone();
                if sub.first().is_some_and(|s| s == "self") {
                    sub.remove(0);
                }
                path.extend(sub);
                out.push((path, alias));
            }
        }
    } else {
        let (path, alias) = match tree.split_once('@') {
            Some((p, a)) => (p, Some(a.to_string())),
            None => (tree, None),
        };
        out.push((
            path.split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            alias,
        ));
    }
    out
}

/// A path made absolute from the crate root, or `None` when it names nothing of this crate
/// (it does not start with `crate`, `super`, `self` or a child module of `from`).
fn absolute(
    modules: &BTreeMap<ModPath, Module>,
    from: &ModPath,
    path: &[String],
) -> Option<Vec<String>> {
    let mut base: Vec<String>;
    let mut rest = path;
    match rest.first().map(String::as_str) {
        Some("crate") => {
            base = Vec::new();
            rest = &rest[1..];
        }
        Some("super") | Some("self") => {
            base = from.clone();
            while let Some(s) = rest.first().map(String::as_str) {
                match s {
                    "super" => {
                        base.pop();
                    }
                    "self" => {}
                    _ => break,
                }
                rest = &rest[1..];
            }
        }
        Some(first) => {
            let mut child = from.clone();
            child.push(first.to_string());
            if !modules.contains_key(&child) {
                return None;
            }
            base = from.clone();
        }
        None => return None,
    }
    base.extend(rest.iter().cloned());
    Some(base)
}

struct Crate {
    modules: BTreeMap<ModPath, Module>,
    /// `(module, name)` -> the absolute path a `pub use` re-exports under that name, or
    /// `None` for another crate (`pub use iam_policy as policy`).
    reexports: BTreeMap<(ModPath, String), Option<Vec<String>>>,
}

impl Crate {
    fn load(src: &Path) -> Crate {
        let modules = module_files(src);
        let mut reexports = BTreeMap::new();
        for (module, m) in &modules {
            for (path, _, is_pub) in paths_of(&m.code) {
                if !is_pub {
                    continue;
                }
                let (path, name) = match path.last() {
                    Some(last) if last.starts_with("as ") => {
                        let name = last[3..].to_string();
                        (path[..path.len() - 1].to_vec(), name)
                    }
                    Some(last) => (path.clone(), last.clone()),
                    None => continue,
                };
                let target = absolute(&modules, module, &path);
                let external = !matches!(path[0].as_str(), "crate" | "super" | "self");
                if target.is_some() || external {
                    reexports.insert((module.clone(), name), target);
                }
            }
        }
        Crate { modules, reexports }
    }

    /// The module that defines what an absolute path names; `None` for another crate.
    fn resolve(&self, path: &[String], depth: usize) -> Option<ModPath> {
        let mut module: ModPath = Vec::new();
        for (i, seg) in path.iter().enumerate() {
            let mut next = module.clone();
            next.push(seg.clone());
            if self.modules.contains_key(&next) {
                module = next;
                continue;
            }
            match self.reexports.get(&(module.clone(), seg.clone())) {
                Some(None) => return None,
                Some(Some(target)) if depth < 16 && target.as_slice() != &path[..=i] => {
                    let mut full = target.clone();
                    full.extend(path[i + 1..].iter().cloned());
                    return self.resolve(&full, depth + 1);
                }
                _ => break,
            }
        }
        Some(module)
    }

    /// `from -> to` with the first place it is seen.
    fn edges(&self) -> BTreeMap<(ModPath, ModPath), String> {
        let mut edges = BTreeMap::new();
        for (module, m) in &self.modules {
            for (path, line, _) in paths_of(&m.code) {
                let path: Vec<String> =
                    path.into_iter().filter(|s| !s.starts_with("as ")).collect();
                let Some(abs) = absolute(&self.modules, module, &path) else {
                    continue;
                };
                let Some(target) = self.resolve(&abs, 0) else {
                    continue;
                };
                if &target != module {
                    edges
                        .entry((module.clone(), target))
                        .or_insert_with(|| format!("{}:{line}", m.file.display()));
                }
            }
        }
        edges
    }
}

fn name(path: &[String]) -> String {
    if path.is_empty() {
        "crate".into()
    } else {
        path.join("::")
    }
}

/// The cycles among a folder's children: each is listed with its arrows.
fn cycles(krate: &Crate) -> Vec<String> {
    let edges = krate.edges();
    let mut report = Vec::new();
    for parent in krate.modules.keys() {
        // Nodes: each child subtree, and the parent's own file.
        let node_of = |m: &ModPath| -> Option<String> {
            if !m.starts_with(parent) {
                return None;
            }
            Some(match m.get(parent.len()) {
                Some(child) => child.clone(),
                None => "(self)".into(),
            })
        };
        let mut graph: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        for ((from, to), at) in &edges {
            let (Some(a), Some(b)) = (node_of(from), node_of(to)) else {
                continue;
            };
            if a != b {
                graph
                    .entry(a)
                    .or_default()
                    .entry(b)
                    .or_insert_with(|| format!("{} -> {} at {at}", name(from), name(to)));
            }
        }
        for component in strongly_connected(&graph) {
            if component.len() < 2 {
                continue;
            }
            let set: BTreeSet<&String> = component.iter().collect();
            let arrows: Vec<String> = component
                .iter()
                .flat_map(|a| {
                    graph[a]
                        .iter()
                        .filter(|(b, _)| set.contains(b))
                        .map(|(_, why)| format!("    {why}"))
                })
                .collect();
            report.push(format!(
                "in {}: {} import each other:\n{}",
                name(parent),
                component.join(", "),
                arrows.join("\n")
            ));
        }
    }
    report
}

/// Tarjan's strongly connected components.
fn strongly_connected(graph: &BTreeMap<String, BTreeMap<String, String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        graph: &'a BTreeMap<String, BTreeMap<String, String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        let i = s.index.len();
        s.index.insert(v, i);
        s.low.insert(v, i);
        s.stack.push(v);
        s.on_stack.insert(v);
        if let Some(next) = s.graph.get(v) {
            for w in next.keys() {
                if !s.index.contains_key(w.as_str()) {
                    visit(s, w);
                    let lw = s.low[w.as_str()];
                    let lv = s.low[v];
                    s.low.insert(v, lv.min(lw));
                } else if s.on_stack.contains(w.as_str()) {
                    let iw = s.index[w.as_str()];
                    let lv = s.low[v];
                    s.low.insert(v, lv.min(iw));
                }
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.to_string());
                if w == v {
                    break;
                }
            }
            component.sort();
            s.out.push(component);
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.out
}

#[test]
fn the_runtime_has_no_import_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let krate = Crate::load(&src);
    assert!(
        krate.modules.len() > 10,
        "found only {} modules",
        krate.modules.len()
    );
    let found = cycles(&krate);
    assert!(
        found.is_empty(),
        "{} import cycle(s) between the runtime's modules (each layer may use only the layers \
         below it, see ARCHITECTURE.md):\n{}",
        found.len(),
        found.join("\n")
    );
}

/// The runtime's layers, bottom first (ARCHITECTURE.md): each may use only those before it.
const LAYERS: &[&str] = &[
    "catalog",
    "error",
    "codec",
    "audit",
    "backend",
    "context",
    "analysis",
    "write",
    "functions",
    "registry",
];

#[test]
fn each_layer_uses_only_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let krate = Crate::load(&src);
    let top: BTreeSet<String> = krate
        .modules
        .keys()
        .filter_map(|m| m.first().cloned())
        .collect();
    let unplaced: Vec<&String> = top
        .iter()
        .filter(|m| !LAYERS.contains(&m.as_str()))
        .collect();
    assert!(
        unplaced.is_empty(),
        "modules in no layer: {unplaced:?}; add them to LAYERS (and ARCHITECTURE.md)"
    );
    let rank = |m: &ModPath| m.first().and_then(|l| LAYERS.iter().position(|x| x == l));
    let upward: Vec<String> = krate
        .edges()
        .into_iter()
        .filter_map(|((from, to), at)| match (rank(&from), rank(&to)) {
            (Some(a), Some(b)) if b > a => {
                Some(format!("{} -> {} at {at}", name(&from), name(&to)))
            }
            _ => None,
        })
        .collect();
    assert!(
        upward.is_empty(),
        "{} use(s) of a higher layer (the order is {}):\n{}",
        upward.len(),
        LAYERS.join(" < "),
        upward.join("\n")
    );
}

#[test]
fn the_checker_sees_a_cycle_and_follows_reexports() {
    let dir = std::env::temp_dir().join(format!("layers-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("b")).unwrap();
    std::fs::write(dir.join("lib.rs"), "mod a;\nmod b;\npub use b::Thing;\n").unwrap();
    std::fs::write(dir.join("a.rs"), "use crate::Thing;\npub struct A;\n").unwrap();
    std::fs::write(dir.join("b/mod.rs"), "mod inner;\npub use inner::Thing;\n").unwrap();
    std::fs::write(
        dir.join("b/inner.rs"),
        "// crate::a::A in a comment is no edge\npub struct Thing(crate::a::A);\nconst S: &str = \"crate::a\";\n",
    )
    .unwrap();
    let krate = Crate::load(&dir);
    let found = cycles(&krate);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].contains("in crate: a, b import each other"),
        "{}",
        found[0]
    );
    assert!(found[0].contains("a -> b::inner at"), "{}", found[0]);
    assert!(found[0].contains("b::inner -> a at"), "{}", found[0]);
    // Without the way back, no cycle.
    std::fs::write(dir.join("b/inner.rs"), "pub struct Thing;\n").unwrap();
    assert!(cycles(&Crate::load(&dir)).is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}
