//! Macro input -> manifest text -> checked model -> tokens, with every manifest problem
//! reported at once as `message\n  --> tools.toml:LINE:COL`.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::LitStr;

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
            syn::Error::new(e.span(), "expected a manifest path (\"tools.toml\") or `inline = r#\"...\"#`")
        })?;
        if key != "inline" {
            return Err(syn::Error::new(key.span(), format!("unknown argument `{key}`, expected a manifest path or `inline = ...`")));
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

fn located(span: Span, origin: &str, text: &str, message: &str, offset: usize) -> syn::Error {
    let (line, col) = line_col(text, offset);
    syn::Error::new(span, format!("{message}\n  --> {origin}:{line}:{col}"))
}

pub fn expand(input: TokenStream) -> syn::Result<TokenStream> {
    let source: Source = syn::parse2(input)?;
    let (text, origin, span, track) = match &source {
        Source::File(path) => {
            let rel = path.value();
            if std::path::Path::new(&rel).is_absolute() {
                return Err(syn::Error::new(path.span(), format!("manifest path `{rel}` is absolute; give it relative to the crate's Cargo.toml")));
            }
            let dir = std::env::var("CARGO_MANIFEST_DIR").map_err(|_| syn::Error::new(path.span(), "CARGO_MANIFEST_DIR is not set; build with cargo"))?;
            let full = std::path::Path::new(&dir).join(&rel);
            let text = std::fs::read_to_string(&full)
                .map_err(|e| syn::Error::new(path.span(), format!("cannot read manifest `{rel}`: {e}")))?;
            let track = quote!(const _: &[u8] = ::core::include_bytes!(::core::concat!(::core::env!("CARGO_MANIFEST_DIR"), "/", #rel)););
            (text, rel, path.span(), track)
        }
        Source::Inline(text) => (text.value(), "inline".to_string(), text.span(), TokenStream::new()),
    };
    let manifest: crate::manifest::Manifest = toml::from_str(&text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        located(span, &origin, &text, &format!("invalid manifest: {}", e.message().trim_end()), offset)
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
    let items = crate::codegen::generate(&model);
    Ok(quote! {
        #track
        #items
    })
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
        let input = quote!(inline = r#"
            [toolsets.users]
            description = "Users"
            [operations.ListUsers]
            access = "reed"
            [tools.list_users]
            title = "List"
            description = "d"
            toolset = "nope"
            access = "read"
            operation = "ListUsers"
        "#);
        let err = expand(input).unwrap_err();
        let messages: Vec<String> = err.into_iter().map(|e| e.to_string()).collect();
        assert_eq!(messages.len(), 2, "{messages:#?}");
        assert!(messages[0].contains("unknown access class `reed`"), "{}", messages[0]);
        assert!(messages[0].ends_with("--> inline:5:22"), "{}", messages[0]);
        assert!(messages[1].contains("tool `list_users`: unknown toolset `nope`"), "{}", messages[1]);
    }
}
