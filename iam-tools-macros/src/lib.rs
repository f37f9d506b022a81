//! `generate_tools!`: reads `tools.toml` at compile time and generates iam-mcp-server's
//! typed tools. This is the only file that touches `proc_macro`; the work is in
//! [`expand`], plain `proc_macro2` code.

mod codegen;
mod expand;
mod manifest;
mod validate;

/// Generates the tools declared in a manifest: `generate_tools!("tools.toml")` (relative to
/// the calling crate's `Cargo.toml`) or `generate_tools!(inline = r#"...toml..."#)`.
#[proc_macro]
pub fn generate_tools(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    expand::expand(input.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
