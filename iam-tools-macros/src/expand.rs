//! Macro input -> manifest text -> checked model -> tokens, with every manifest problem
//! reported at once as `message\n  --> tools.toml:LINE:COL`.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::LitStr;
use syn::parse::{Parse, ParseStream};

/// Where the manifest comes from.
enum Source {
    /// A path relative to the calling crate's `CARGO_MANIFEST_DIR`.
    File(LitStr),
    /// `inline = r#"..."#`, for tests.
    Inline(LitStr),
}

impl Parse for Source {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.peek(LitStr) {
            let path: LitStr = input.parse()?;
            input.parse::<Option<syn::Token![,]>>()?;
            return Ok(Source::File(path));
        }
        let key: syn::Ident = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected a manifest path (\"tools.toml\") or `inline = r#\"...\"#`",
            )
        })?;
        if key != "inline" {
            return Err(syn::Error::new(
                key.span(),
                format!("unknown argument `{key}`, expected a manifest path or `inline = ...`"),
            ));
        }
        input.parse::<syn::Token![=]>()?;
        let text: LitStr = input.parse()?;
        input.parse::<Option<syn::Token![,]>>()?;
        Ok(Source::Inline(text))
    }
}

/// `1-based line:column` of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// The manifest entry (`tool `get_user``, `operation `ListUsers``, `[params.user_name]`, ...)
/// a parse error at `offset` falls in, so that a serde error ("unknown field `titel`") names
/// what it is about. An entry runs from its `[section.NAME]` (or `[tools.TOOLSET.NAME]`)
/// header, or its key, to the next entry.
fn enclosing_entry(text: &str, offset: usize) -> Option<String> {
    let Ok(root) = toml::de::DeTable::parse(text) else {
        return header_entry(text, offset);
    };
    // The start of a key: the start of its line when the key is in a `[table]` header.
    let start = |key: std::ops::Range<usize>| {
        let line = text[..key.start].rfind('\n').map_or(0, |i| i + 1);
        if text[line..key.start].trim_start().starts_with('[') {
            line
        } else {
            key.start
        }
    };
    let mut best: Option<(usize, Option<String>)> = None;
    let mut consider = |at: usize, label: Option<String>| {
        if at <= offset && best.as_ref().is_none_or(|(b, _)| at >= *b) {
            best = Some((at, label));
        }
    };
    for (section, value) in root.get_ref().iter() {
        consider(start(section.span()), None);
        let section = section.get_ref().as_ref();
        let toml::de::DeValue::Table(entries) = value.get_ref() else {
            continue;
        };
        for (name, value) in entries.iter() {
            let name_text = name.get_ref();
            let label = match section {
                "toolsets" => format!("toolset `{name_text}`"),
                "shapes" => format!("shape `{name_text}`"),
                "params" => format!("[params.{name_text}]"),
                "operations" => format!("operation `{name_text}`"),
                "guardrails" => format!("guardrail `{name_text}`"),
                "tools" => format!("[tools.{name_text}]"),
                _ => break,
            };
            consider(start(name.span()), Some(label));
            // `[tools.TOOLSET.NAME]`: the tools of a toolset.
            if section == "tools"
                && let toml::de::DeValue::Table(tools) = value.get_ref()
            {
                for (tool, value) in tools.iter() {
                    if let toml::de::DeValue::Table(_) = value.get_ref() {
                        consider(
                            start(tool.span()),
                            Some(format!("tool `{}`", tool.get_ref())),
                        );
                    }
                }
            }
        }
    }
    best.and_then(|(_, label)| label)
}

/// [`enclosing_entry`] for text that does not parse (a duplicate key, a broken string):
/// the entry is named by the `[...]` header above `offset` or, in a table of one entry a
/// line (`[operations]`, `[params]`), by the key that starts the line.
fn header_entry(text: &str, offset: usize) -> Option<String> {
    let before = &text[..text.floor_char_boundary(offset.min(text.len()))];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next().unwrap_or_default();
    let header = text[..line_start]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))?;
    let path: Vec<&str> = header
        .trim_matches(|c| c == '[' || c == ']')
        .split('.')
        .map(str::trim)
        .collect();
    let key = line
        .split(['=', '.'])
        .next()
        .map(str::trim)
        .filter(|k| !k.is_empty() && !k.starts_with(['#', '[', '{']));
    match (path.as_slice(), key) {
        (["tools", _, name, ..], _) => Some(format!("tool `{name}`")),
        (["tools", toolset], _) => Some(format!("[tools.{toolset}]")),
        (["toolsets", name, ..], _) => Some(format!("toolset `{name}`")),
        (["shapes", name, ..], _) => Some(format!("shape `{name}`")),
        (["guardrails", name, ..], _) => Some(format!("guardrail `{name}`")),
        (["operations", name, ..], _) => Some(format!("operation `{name}`")),
        (["operations"], Some(name)) => Some(format!("operation `{name}`")),
        (["params", name, ..], _) => Some(format!("[params.{name}]")),
        (["params"], Some(name)) => Some(format!("[params.{name}]")),
        _ => None,
    }
}

fn located(span: Span, origin: &str, text: &str, message: &str, offset: usize) -> syn::Error {
    let (line, col) = line_col(text, offset);
    syn::Error::new(span, format!("{message}\n  --> {origin}:{line}:{col}"))
}

/// `generate_tools!`: everything a manifest declares.
pub fn expand(input: TokenStream) -> syn::Result<TokenStream> {
    let (model, track) = load(input)?;
    let items = crate::codegen::generate(&model);
    Ok(quote! {
        #track
        #items
    })
}

/// `generate_run_types!`: what the runtime functions take from the manifest.
pub fn expand_run_types(input: TokenStream) -> syn::Result<TokenStream> {
    let (model, track) = load(input)?;
    let items = crate::codegen::run_types(&model);
    Ok(quote! {
        #track
        #items
    })
}

/// The checked model of the manifest the input names, and the item that rebuilds the
/// caller when a manifest file changes.
fn load(input: TokenStream) -> syn::Result<(crate::validate::Model, TokenStream)> {
    let source: Source = syn::parse2(input)?;
    let (text, origin, span, track) = match &source {
        Source::File(path) => {
            let rel = path.value();
            if std::path::Path::new(&rel).is_absolute() {
                return Err(syn::Error::new(
                    path.span(),
                    format!(
                        "manifest path `{rel}` is absolute; give it relative to the crate's Cargo.toml"
                    ),
                ));
            }
            let dir = std::env::var("CARGO_MANIFEST_DIR").map_err(|_| {
                syn::Error::new(
                    path.span(),
                    "CARGO_MANIFEST_DIR is not set; build with cargo",
                )
            })?;
            let full = std::path::Path::new(&dir).join(&rel);
            let text = std::fs::read_to_string(&full).map_err(|e| {
                let message = match e.kind() {
                    std::io::ErrorKind::NotFound => format!("manifest `{rel}` not found; give its path relative to the crate's Cargo.toml"),
                    _ => format!("cannot read manifest `{rel}`: {e}"),
                };
                syn::Error::new(path.span(), message)
            })?;
            let track = quote!(
                const _: &[u8] = ::core::include_bytes!(
                    ::core::concat!(::core::env!("CARGO_MANIFEST_DIR"), "/", #rel)
                );
            );
            (text, rel, path.span(), track)
        }
        Source::Inline(text) => (
            text.value(),
            "inline".to_string(),
            text.span(),
            TokenStream::new(),
        ),
    };
    let manifest: crate::manifest::Manifest = toml::from_str(&text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        let what = enclosing_entry(&text, offset).unwrap_or_else(|| "invalid manifest".to_string());
        located(
            span,
            &origin,
            &text,
            &format!("{what}: {}", e.message().trim_end()),
            offset,
        )
    })?;
    let model = crate::validate::validate(&manifest).map_err(|problems| {
        problems
            .0
            .iter()
            .map(|(message, offset)| located(span, &origin, &text, message, *offset))
            .reduce(|mut all, e| {
                all.combine(e);
                all
            })
            .unwrap_or_else(|| syn::Error::new(span, "invalid manifest"))
    })?;
    Ok((model, track))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one() {
        let text = "a = 1\nbb = 2\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 6), (2, 1));
        assert_eq!(line_col(text, 9), (2, 4));
    }

    #[test]
    fn every_problem_is_reported() {
        let input = quote!(
            inline = r#"
            [toolsets.users]
            description = "Users"
            [operations]
            ListUsers = { access = "reed" }
            [tools.user.list_users]
            title = "List"
            description = "d"
        "#
        );
        let err = expand(input).unwrap_err();
        let messages: Vec<String> = err.into_iter().map(|e| e.to_string()).collect();
        assert_eq!(messages.len(), 2, "{messages:#?}");
        assert!(
            messages[0].contains("unknown access class `reed`"),
            "{}",
            messages[0]
        );
        assert!(messages[0].ends_with("--> inline:5:36"), "{}", messages[0]);
        assert!(
            messages[1].contains("[tools.user]: unknown toolset `user`"),
            "{}",
            messages[1]
        );
    }

    #[test]
    fn parse_errors_name_the_entry_they_fall_in() {
        let text = "[toolsets.users]\ndescription = \"u\"\n\n[tools.users.a]\ntitel = \"x\"\n\n[operations]\nB = { access = \"read\" }\nC.input = { X = 1 }\n\n[params]\nd = { tipe = 1 }\n\n[tools.users.c]\nx = 1\n\n[extra]\ny = 2\n";
        let at = |needle: &str| text.find(needle).unwrap();
        assert_eq!(
            enclosing_entry(text, at("description")).as_deref(),
            Some("toolset `users`")
        );
        assert_eq!(
            enclosing_entry(text, at("titel")).as_deref(),
            Some("tool `a`")
        );
        // A missing field points at the table header.
        assert_eq!(
            enclosing_entry(text, at("[tools.users.a]")).as_deref(),
            Some("tool `a`")
        );
        assert_eq!(
            enclosing_entry(text, at("access")).as_deref(),
            Some("operation `B`")
        );
        assert_eq!(
            enclosing_entry(text, at("X = 1")).as_deref(),
            Some("operation `C`")
        );
        assert_eq!(
            enclosing_entry(text, at("tipe")).as_deref(),
            Some("[params.d]")
        );
        assert_eq!(
            enclosing_entry(text, at("x = 1")).as_deref(),
            Some("tool `c`")
        );
        assert_eq!(enclosing_entry(text, at("y = 2")), None);
        assert_eq!(enclosing_entry("not [ toml", 0), None);

        // Text that does not parse: the header above, or the key of the line.
        let broken = "[tools.users.a]\ntitle = \"x\"\ntitle = \"y\"\n\n[operations]\nB = { access = \"read }\n";
        let at = |needle: &str| broken.find(needle).unwrap();
        assert_eq!(
            enclosing_entry(broken, at("title = \"y")).as_deref(),
            Some("tool `a`")
        );
        assert_eq!(
            enclosing_entry(broken, at("access")).as_deref(),
            Some("operation `B`")
        );
    }

    /// The manifest of the codegen snapshot: a paginated read tool with an include and a
    /// write tool with a message.
    const FIXTURE: &str = r#"
        [toolsets.users]
        description = "IAM users."
        default = true

        [shapes.Group]
        GroupName = "string"
        Arn = "string"
        CreateDate = "date"

        [shapes.AttachedPolicy]
        PolicyName = "string?"
        PolicyArn = "string?"

        [operations]
        ListGroupsForUser = { input = { UserName = "string" }, output = { Groups = "[Group]" }, paged = "Groups" }
        ListAttachedUserPolicies.input = { UserName = "string", PathPrefix = "string?" }
        ListAttachedUserPolicies.output = { AttachedPolicies = "[AttachedPolicy]" }
        ListAttachedUserPolicies.paged = "AttachedPolicies"
        DeleteUser = { input = { UserName = "string" } }

        [tools.users.list_groups_for_user]
        title = "List a user's groups"
        description = "List the IAM groups a user belongs to, with the user's attached policies."
        params.user_name = { type = "string", min_length = 1, max_length = 64, pattern = "[\\w+=,.@-]+", description = "The user." }
        include.AttachedPolicies = "ListAttachedUserPolicies"

        [tools.users.delete_user]
        title = "Delete an IAM user"
        destructive = true
        message = "Deleted IAM user {user_name}."
        description = "Delete an IAM user."
        params.user_name = { type = "string", description = "The user to delete." }
    "#;

    /// The formatted expansion of `manifest`, compared with `tests/snapshots/<name>`;
    /// `UPDATE_SNAPSHOTS=1 cargo test -p iam-tools-macros --lib` rewrites the snapshots.
    fn assert_expansion_snapshot(manifest: &str, name: &str) {
        assert_snapshot_of(expand, manifest, name);
    }

    /// [`assert_expansion_snapshot`] for either macro's expansion.
    fn assert_snapshot_of(
        expand: fn(TokenStream) -> syn::Result<TokenStream>,
        manifest: &str,
        name: &str,
    ) {
        let literal = proc_macro2::Literal::string(manifest);
        let tokens = expand(quote!(inline = #literal))
            .unwrap_or_else(|e| panic!("manifest of {name} is invalid: {e}"));
        let file: syn::File = syn::parse2(tokens).expect("expansion parses as a Rust file");
        let actual = prettyplease::unparse(&file);
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/snapshots")
            .join(name);
        if std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1") {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &actual).unwrap();
            return;
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!("cannot read tests/snapshots/{name} ({e}); create it with UPDATE_SNAPSHOTS=1")
        });
        if actual != expected {
            let line = actual
                .lines()
                .zip(expected.lines())
                .position(|(a, e)| a != e)
                .unwrap_or_else(|| actual.lines().count().min(expected.lines().count()));
            panic!(
                "the expansion differs from tests/snapshots/{name} from line {}:\n  snapshot: {:?}\n  actual:   {:?}\n\
                 review the change and rerun with UPDATE_SNAPSHOTS=1 to accept it",
                line + 1,
                expected.lines().nth(line).unwrap_or("<end>"),
                actual.lines().nth(line).unwrap_or("<end>"),
            );
        }
    }

    #[test]
    fn fixture_expansion_matches_snapshot() {
        assert_expansion_snapshot(FIXTURE, "fixture.rs.snap");
    }

    /// The worked example of adding a tool (`tests/examples/`): a shape, an operation and a
    /// tool, for `iam:ListOpenIDConnectProviders`, in at most 12 lines of manifest, expanded
    /// with a toolset to hold the tool.
    #[test]
    fn worked_example_expansion_matches_snapshot() {
        let example = include_str!("../tests/examples/list_open_id_connect_providers.toml");
        let lines = example.lines().count();
        assert!(lines <= 12, "the worked example takes {lines} lines");
        let manifest = format!(
            "[toolsets.identity_providers]\ndescription = \"OpenID Connect identity providers.\"\n\n{example}"
        );
        assert_expansion_snapshot(&manifest, "list_open_id_connect_providers.rs.snap");
    }

    /// The whole generated surface of the real manifest: a manifest refactoring that keeps
    /// this file byte-identical changes nothing the server does.
    #[test]
    fn real_manifest_expansion_matches_snapshot() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tools.toml");
        let manifest = std::fs::read_to_string(&path).expect("the workspace's tools.toml");
        assert_expansion_snapshot(&manifest, "tools.toml.rs.snap");
    }

    /// What the runtime functions take from the real manifest (`generate_run_types!`):
    /// the params of every `run` tool and the shapes they and its operations name.
    #[test]
    fn real_manifest_run_types_match_snapshot() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tools.toml");
        let manifest = std::fs::read_to_string(&path).expect("the workspace's tools.toml");
        assert_snapshot_of(expand_run_types, &manifest, "tools.toml.run-types.rs.snap");
    }
}
