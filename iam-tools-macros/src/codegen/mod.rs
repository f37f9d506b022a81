//! Code generation: the checked manifest model in, Rust items out. Everything here is
//! `proc_macro2` code so it can be unit-tested without a compiler.

mod handlers;
mod operations;
mod outputs;
mod params;
mod specs;

use crate::validate::{Base, Model, Shape, Ty};
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

/// The generated items for a checked manifest.
pub fn generate(model: &Model) -> TokenStream {
    let shapes = outputs::shapes(model);
    let operations = operations::operations(model);
    let params = params::params(model);
    let results = outputs::results(model);
    let handlers = handlers::handlers(model);
    let specs = specs::specs(model);
    quote! {
        /// Output shapes of the IAM API, converted from the SDK's types.
        pub mod shapes {
            #shapes
        }
        /// One typed function per IAM operation, called through the backend.
        // Inputs and results end in `..Default::default()` whether or not every field is named.
        #[allow(clippy::needless_update)]
        pub mod ops {
            #operations
        }
        /// Each tool's arguments, as the assistant sends them.
        pub mod params {
            #params
        }
        /// Each tool's structured result.
        pub mod results {
            #results
        }
        /// One handler per tool: parse, call the operations, build the result.
        #[allow(clippy::needless_update)]
        pub mod handlers {
            #handlers
        }
        #specs
    }
}

/// What the runtime functions take from the manifest (`generate_run_types!`): the params
/// struct of each `run` tool, and the shapes those params and the operations it uses name.
pub fn run_types(model: &Model) -> TokenStream {
    let roots: Vec<&str> = model
        .tools
        .iter()
        .filter(|t| t.run.is_some())
        .flat_map(|tool| {
            let params = tool.params.iter().filter_map(|p| p.shape.as_deref());
            let outputs = tool
                .uses
                .iter()
                .flat_map(|op| &model.op(*op).output)
                .filter_map(|f| shape_of(&f.ty));
            params.chain(outputs)
        })
        .collect();
    let shapes = outputs::run_shapes(&reachable_shapes(model, &roots));
    let params = params::run_params(model);
    quote! {
        /// The manifest's shapes that runtime functions take or read.
        pub mod shapes {
            #shapes
        }
        /// Each `run` tool's arguments, as the manifest declares them.
        pub mod params {
            #params
        }
    }
}

/// The shape a field of type `ty` holds, if any.
fn shape_of(ty: &Ty) -> Option<&str> {
    match &ty.base {
        Base::Shape(name) => Some(name),
        _ => None,
    }
}

/// The shapes named by `roots` and, in turn, by their fields, in manifest order.
pub(crate) fn reachable_shapes<'m>(model: &'m Model, roots: &[&str]) -> Vec<&'m Shape> {
    let mut wanted: Vec<&str> = roots.to_vec();
    let mut i = 0;
    while let Some(name) = wanted.get(i).copied() {
        if let Some(shape) = model.shapes.iter().find(|s| s.name == name) {
            for inner in shape.fields.iter().filter_map(|f| shape_of(&f.ty)) {
                if !wanted.contains(&inner) {
                    wanted.push(inner);
                }
            }
        }
        i += 1;
    }
    model
        .shapes
        .iter()
        .filter(|s| wanted.contains(&s.name.as_str()))
        .collect()
}

/// The runtime's hidden path for the generated code's dependencies.
pub(crate) fn private() -> TokenStream {
    quote!(::iam_tools::__private)
}

/// A Rust identifier, raw when the name is a keyword.
pub(crate) fn ident(name: &str) -> Ident {
    if syn::parse_str::<Ident>(name).is_ok() {
        Ident::new(name, Span::call_site())
    } else {
        Ident::new_raw(name, Span::call_site())
    }
}

/// `list_users` -> `ListUsers`.
pub(crate) fn type_ident(name: &str, suffix: &str) -> Ident {
    format_ident!("{}{}", crate::validate::pascal(name), suffix)
}

/// The Rust type of an output field.
pub(crate) fn rust_ty(ty: &Ty) -> TokenStream {
    let p = private();
    let base = match &ty.base {
        Base::String | Base::Date | Base::Enum => quote!(::std::string::String),
        Base::Int => quote!(i32),
        Base::Long => quote!(i64),
        Base::Bool => quote!(bool),
        Base::Document => quote!(#p::serde_json::Value),
        Base::Shape(name) => {
            let name = format_ident!("{}", name);
            quote!(super::shapes::#name)
        }
    };
    container(ty, base)
}

/// `base` in the list or option an output field of type `ty` wraps it in.
pub(crate) fn container(ty: &Ty, base: TokenStream) -> TokenStream {
    if ty.list {
        quote!(::std::vec::Vec<#base>)
    } else if ty.optional {
        quote!(::std::option::Option<#base>)
    } else {
        base
    }
}

/// Serde attributes of a field with AWS member name `name`.
pub(crate) fn serde_field_attrs(name: &str, ty: &Ty) -> TokenStream {
    if ty.optional {
        quote!(#[serde(rename = #name, default, skip_serializing_if = "Option::is_none")])
    } else {
        quote!(#[serde(rename = #name, default)])
    }
}

/// The derives and crate paths every generated data struct carries.
pub(crate) fn data_derives(schema: bool) -> TokenStream {
    let p = private();
    let serde_crate = quote!(#p::serde).to_string().replace(' ', "");
    let schemars_crate = quote!(#p::schemars).to_string().replace(' ', "");
    if schema {
        quote! {
            #[derive(Debug, Clone, Default, PartialEq, #p::serde::Serialize, #p::serde::Deserialize, #p::schemars::JsonSchema)]
            #[serde(crate = #serde_crate)]
            #[schemars(crate = #schemars_crate)]
        }
    } else {
        quote! {
            #[derive(Debug, Clone, Default, PartialEq, #p::serde::Serialize, #p::serde::Deserialize)]
            #[serde(crate = #serde_crate)]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_become_raw_identifiers() {
        assert_eq!(ident("type").to_string(), "r#type");
        assert_eq!(ident("user_name").to_string(), "user_name");
    }
}
