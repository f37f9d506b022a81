//! `generate_tools!`: reads `tools.toml` at compile time and generates iam-mcp-server's
//! typed tools; `generate_run_types!`: what the runtime functions take from the same
//! manifest. This is the only file that touches `proc_macro`; the work is in [`expand`],
//! plain `proc_macro2` code.

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

/// The types the runtime functions (`run = "Type"` tools) take from a manifest: each one's
/// params struct, `<Type>Params`, and the shapes those params and the operations it `uses`
/// name. `iam-tools` expands it from the workspace's manifest; `generate_tools!` makes a
/// `run` tool's params that struct, and checks that its manifest declares the same params.
/// Takes the same arguments as `generate_tools!`.
#[proc_macro]
pub fn generate_run_types(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    expand::expand_run_types(input.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
