//! Every tool the runtime's texts name (a hint such as "check the user name with
//! list_users", the instructions) is a tool of the workspace's manifest: a renamed or
//! removed tool cannot leave a hint pointing at nothing. Where the runtime can, it takes the
//! name from the catalog instead (the tool being called, the force delete to use).
//!
//! A test of our own over the source text: the string literals of `src/` (comments left
//! out), and in them every word shaped like a tool name: snake_case, and starting with the
//! verb of some tool (`list_`, `get_`, ...) or naming an operation of the manifest
//! (`generate_credential_report`: GenerateCredentialReport).

use std::path::{Path, PathBuf};

/// The manifest's tool names (`[tools.TOOLSET.NAME]`) and operation names (the keys of
/// `[operations]`).
fn manifest() -> (Vec<String>, Vec<String>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tools.toml");
    let text = std::fs::read_to_string(&path).expect("the workspace's tools.toml");
    let manifest: toml::Table = text.parse().expect("tools.toml is TOML");
    let keys = |table: Option<&toml::Value>| -> Vec<String> {
        table
            .and_then(toml::Value::as_table)
            .map(|t| t.keys().cloned().collect())
            .unwrap_or_default()
    };
    let tools = manifest
        .get("tools")
        .and_then(toml::Value::as_table)
        .into_iter()
        .flat_map(|toolsets| toolsets.values().flat_map(|set| keys(Some(set))))
        .collect();
    (tools, keys(manifest.get("operations")))
}

/// The string literals of `code` (plain, with escapes as written, and raw), each with the
/// line it starts on; comments and char literals are skipped.
fn string_literals(code: &str) -> Vec<(usize, String)> {
    let bytes = code.as_bytes();
    let line_at = |i: usize| code[..i].matches('\n').count() + 1;
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let rest = &code[i..];
        let after_ident = i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
        if rest.starts_with("//") {
            i += rest.find('\n').unwrap_or(rest.len());
        } else if rest.starts_with("/*") {
            i += rest.find("*/").map_or(rest.len(), |e| e + 2);
        } else if rest.starts_with('r') && !after_ident && {
            let hashes = rest[1..].len() - rest[1..].trim_start_matches('#').len();
            rest[1 + hashes..].starts_with('"')
        } {
            let hashes = rest[1..].len() - rest[1..].trim_start_matches('#').len();
            let open = 2 + hashes;
            let close = format!("\"{}", "#".repeat(hashes));
            let len = rest[open..].find(&close).unwrap_or(rest.len() - open);
            out.push((line_at(i), rest[open..open + len].to_string()));
            i += open + len + close.len();
        } else if rest.starts_with('"') {
            let mut j = 1;
            while j < rest.len() && rest.as_bytes()[j] != b'"' {
                j += if rest.as_bytes()[j] == b'\\' { 2 } else { 1 };
            }
            out.push((line_at(i), rest[1..j.min(rest.len())].to_string()));
            i += j + 1;
        } else if let Some(after) = rest.strip_prefix('\'') {
            // A char literal ('"', '\'', '\n') is skipped whole; a lifetime is just a quote.
            let mut chars = after.char_indices();
            i += match (chars.next(), chars.next()) {
                (Some((_, '\\')), _) => after
                    .get(2..)
                    .and_then(|r| r.find('\''))
                    .map_or(1, |e| e + 4),
                (Some((_, c)), Some((at, '\''))) if c != '\'' => at + 2,
                _ => 1,
            };
        } else {
            i += rest.chars().next().map_or(1, char::len_utf8);
        }
    }
    out
}

/// `generate_credential_report` -> `GenerateCredentialReport`.
fn pascal(snake: &str) -> String {
    snake
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The words of `text` shaped like snake_case names (`list_users`), not part of a path
/// (`aws_sdk_iam::...`).
fn snake_words(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
        .filter(|w| !w.contains(':'))
        .filter(|w| {
            w.starts_with(|c: char| c.is_ascii_lowercase())
                && w.contains('_')
                && w.split('_').all(|part| {
                    !part.is_empty()
                        && part
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                })
        })
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_tool_the_runtime_names_is_in_the_manifest() {
    let (tools, operations) = manifest();
    assert!(
        tools.len() > 50 && operations.len() > 50,
        "read {} tools and {} operations from tools.toml",
        tools.len(),
        operations.len()
    );
    let verbs: Vec<&str> = tools.iter().filter_map(|t| t.split('_').next()).collect();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut named = Vec::new();
    let mut unknown = Vec::new();
    for file in &files {
        let code = std::fs::read_to_string(file).unwrap();
        for (line, literal) in string_literals(&code) {
            for word in snake_words(&literal) {
                let shaped = verbs.contains(&word.split('_').next().unwrap_or_default())
                    || operations.contains(&pascal(word));
                if !shaped {
                    continue;
                }
                let at = format!("{}:{line}", file.strip_prefix(&src).unwrap().display());
                if tools.iter().any(|t| t == word) {
                    named.push(word.to_string());
                } else {
                    unknown.push(format!("{at}: `{word}`"));
                }
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "texts of the runtime name tools that tools.toml does not declare:\n{}",
        unknown.join("\n")
    );
    // The scan finds what is there (a hint of error/hints.rs names list_users).
    assert!(named.iter().any(|n| n == "list_users"), "{named:?}");
}

#[test]
fn string_literals_are_read_as_the_compiler_reads_them() {
    let code = "let a = '\"'; // \"not_a_string\"\nlet b = \"get_user\"; /* \"x_y\" */\nfn f<'a>(x: &'a str) -> &'a str { r#\"list_\"users\"# }\nlet c = '\\''; let d = \"e\\\"f_g\"; let u = '\\u{22}'; \"h_i\"";
    let found: Vec<(usize, String)> = string_literals(code);
    assert_eq!(
        found,
        vec![
            (2, "get_user".to_string()),
            (3, "list_\"users".to_string()),
            (4, "e\\\"f_g".to_string()),
            (4, "h_i".to_string()),
        ]
    );
    assert_eq!(
        snake_words("see list_users, aws_sdk_iam::x and Get_x"),
        ["list_users"]
    );
}
