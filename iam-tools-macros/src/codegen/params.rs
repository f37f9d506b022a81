//! Each tool's params struct: serde (unknown fields refused), a JSON schema with the
//! manifest's constraints, and the runtime checks of those constraints.

use super::{data_derives, ident, type_ident};
use crate::validate::{Model, Param, ParamTy, Tool};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

/// A param the macro adds (no operation member).
fn added(name: &str, ty: ParamTy, description: &str) -> Param {
    Param {
        name: name.into(),
        ty,
        shape: None,
        required: false,
        description: description.into(),
        member: String::new(),
        enum_values: None,
        min: None,
        max: None,
        min_length: None,
        max_length: None,
        pattern: None,
        policy: None,
        secret: false,
    }
}

/// The params a write tool gets on top of its own: `force` and `dry_run` with cleanup
/// steps, `confirmation_token` always.
pub(crate) fn write_params(tool: &Tool) -> Vec<Param> {
    let mut params = Vec::new();
    if !tool.cleanup.is_empty() {
        let kinds: Vec<&str> = tool.cleanup.iter().map(|c| c.kind.as_str()).collect();
        params.push(added(
            "force",
            ParamTy::Boolean,
            &format!("First remove everything that blocks the delete ({}), every page of each, then delete. Default false.", kinds.join(", ")),
        ));
        params.push(added(
            "dry_run",
            ParamTy::Boolean,
            "Return the plan (every step, by kind, with its IAM action and target) and change nothing.",
        ));
    }
    let mut token = added(
        "confirmation_token",
        ParamTy::String,
        "Only when a previous call's result asked for it after the user agreed: the token it gave, with the same arguments.",
    );
    token.max_length = Some(200);
    params.push(token);
    params
}

/// The params a paginated tool gets on top of its own.
pub(crate) fn paging_params() -> Vec<Param> {
    let param = |name: &str, ty, description: &str| Param {
        member: crate::validate::pascal(name),
        ..added(name, ty, description)
    };
    let mut max_items = param(
        "max_items",
        ParamTy::Integer,
        "Largest number of items to return in one page (1-1000); AWS's default is 100.",
    );
    max_items.min = Some(1);
    max_items.max = Some(1000);
    let mut all_pages = param(
        "all_pages",
        ParamTy::Boolean,
        "Follow markers and return every page, up to the server's all-pages bound (the result's Note says when it was hit).",
    );
    all_pages.member = String::new();
    vec![
        max_items,
        param(
            "marker",
            ParamTy::String,
            "The Marker of the previous result, to get the next page.",
        ),
        all_pages,
    ]
}

/// Every param of a tool, paging params included.
pub(crate) fn all_params(tool: &Tool) -> Vec<Param> {
    let mut params: Vec<Param> = tool.params.iter().map(clone_param).collect();
    if tool.paginate.is_some() {
        params.extend(paging_params());
    }
    if tool.access == crate::validate::Access::Write {
        params.extend(write_params(tool));
    }
    params
}

pub(crate) fn clone_param(p: &Param) -> Param {
    p.clone()
}

pub(crate) fn param_ty(p: &Param) -> TokenStream {
    let base = match p.ty {
        ParamTy::String => quote!(::std::string::String),
        ParamTy::Integer => quote!(i64),
        ParamTy::Boolean => quote!(bool),
        ParamTy::StringList => quote!(::std::vec::Vec<::std::string::String>),
        ParamTy::Document => quote!(::iam_tools::__private::rt::DocumentArg),
        ParamTy::DocumentList => quote!(::std::vec::Vec<::iam_tools::__private::rt::DocumentArg>),
        ParamTy::DocumentLevels => {
            quote!(::std::vec::Vec<::std::vec::Vec<::iam_tools::__private::rt::DocumentArg>>)
        }
        ParamTy::ShapeList => {
            let shape = quote::format_ident!("{}", p.shape.as_deref().unwrap_or_default());
            quote!(::std::vec::Vec<super::shapes::#shape>)
        }
    };
    if p.required {
        base
    } else {
        quote!(::std::option::Option<#base>)
    }
}

fn field(p: &Param) -> TokenStream {
    let name = ident(&p.name);
    let ty = param_ty(p);
    let description = &p.description;
    let mut schema = vec![quote!(description = #description)];
    if p.min.is_some() || p.max.is_some() {
        let min = p.min.map(|m| quote!(min = #m,));
        let max = p.max.map(|m| quote!(max = #m,));
        schema.push(quote!(range(#min #max)));
    }
    if p.min_length.is_some() || p.max_length.is_some() {
        let min = p.min_length.map(|m| quote!(min = #m,));
        let max = p.max_length.map(|m| quote!(max = #m,));
        schema.push(quote!(length(#min #max)));
    }
    if let Some(pattern) = &p.pattern {
        schema.push(quote!(pattern(#pattern)));
    }
    if let Some(values) = &p.enum_values {
        schema.push(quote!(extend("enum" = [#(#values),*])));
    }
    let default = (!p.required).then(|| quote!(#[serde(default)]));
    quote! {
        #default
        #[schemars(#(#schema),*)]
        pub #name: #ty
    }
}

/// `v.check(..)` calls for the constraints of one param, read from `value` (a reference to
/// a value of the param's type).
fn checks(p: &Param, value: &TokenStream) -> TokenStream {
    let name = &p.name;
    let mut out = TokenStream::new();
    match p.ty {
        ParamTy::String => {
            let value = if p.required {
                quote!(::std::option::Option::Some(#value.as_str()))
            } else {
                quote!(#value.as_deref())
            };
            if p.min_length.is_some() || p.max_length.is_some() {
                let min = p.min_length.unwrap_or(0);
                let max = p.max_length.unwrap_or(u64::MAX);
                out.extend(quote!(v.length(#name, #value, #min, #max);));
            }
            if let Some(pattern) = &p.pattern {
                out.extend(quote! {{
                    static PATTERN: ::iam_tools::__private::rt::Pattern = ::iam_tools::__private::rt::Pattern::new(#pattern);
                    v.pattern(#name, #value, &PATTERN);
                }});
            }
            if let Some(values) = &p.enum_values {
                out.extend(quote!(v.one_of(#name, #value, &[#(#values),*]);));
            }
        }
        ty if ty.is_list() && (p.min_length.is_some() || p.max_length.is_some()) => {
            let value = if p.required {
                quote!(::std::option::Option::Some(#value.len()))
            } else {
                quote!(#value.as_ref().map(::std::vec::Vec::len))
            };
            let min = p.min_length.unwrap_or(0);
            let max = p.max_length.unwrap_or(u64::MAX);
            out.extend(quote!(v.items(#name, #value, #min, #max);));
        }
        ParamTy::Integer if p.min.is_some() || p.max.is_some() => {
            let value = if p.required {
                quote!(::std::option::Option::Some(*#value))
            } else {
                quote!(*#value)
            };
            let min = p.min.unwrap_or(i64::MIN);
            let max = p.max.unwrap_or(i64::MAX);
            out.extend(quote!(v.range(#name, #value, #min, #max);));
        }
        _ => {}
    }
    out
}

/// What a param takes, as the runtime's messages name it.
fn arg_type(p: &Param) -> TokenStream {
    let variant = match p.ty {
        ParamTy::String => quote!(String),
        ParamTy::Integer => quote!(Integer),
        ParamTy::Boolean => quote!(Boolean),
        ParamTy::StringList => quote!(StringList),
        ParamTy::Document => quote!(Document),
        ParamTy::DocumentList => quote!(DocumentList),
        ParamTy::DocumentLevels => quote!(DocumentLevels),
        ParamTy::ShapeList => {
            let shape = p.shape.as_deref().unwrap_or_default();
            quote!(ShapeList(#shape))
        }
    };
    quote!(::iam_tools::__private::rt::ArgType::#variant)
}

/// A params struct: serde (unknown fields refused), a JSON schema with the constraints,
/// and the reading of a call's arguments into it: each argument on its own, then its
/// constraints, every problem recorded (`ReadArgs`).
fn params_struct(name: &Ident, doc: &str, tool: &str, params: &[Param]) -> TokenStream {
    let derives = data_derives(true);
    let fields = params.iter().map(field);
    let names: Vec<&str> = params.iter().map(|p| p.name.as_str()).collect();
    let idents: Vec<Ident> = params.iter().map(|p| ident(&p.name)).collect();
    // Locals named apart from `args` and `v`, whatever the params are called.
    let locals: Vec<Ident> = params
        .iter()
        .map(|p| format_ident!("arg_{}", p.name))
        .collect();
    let reads = params.iter().zip(&locals).map(|(p, field)| {
        let name = &p.name;
        let ty = param_ty(p);
        let arg_type = arg_type(p);
        let required = p.required;
        let checks = checks(p, &quote!(#field));
        let check = (!checks.is_empty()).then(|| {
            quote! {
                if let ::std::option::Option::Some(#field) = &#field {
                    #checks
                }
            }
        });
        quote! {
            let #field: ::std::option::Option<#ty> = v.arg(args, #name, #arg_type, #required);
            #check
        }
    });
    quote! {
        #[doc = #doc]
        #derives
        #[serde(deny_unknown_fields)]
        pub struct #name { #(#fields,)* }

        impl ::iam_tools::__private::rt::ReadArgs for #name {
            fn read_args(
                args: &::iam_tools::__private::rt::JsonObject,
                v: &mut ::iam_tools::__private::rt::Violations,
            ) -> ::std::option::Option<Self> {
                v.unknown(#tool, args, &[#(#names),*]);
                #(#reads)*
                ::std::option::Option::Some(Self { #(#idents: #locals?,)* })
            }
        }
    }
}

/// A digest of a `run` tool's params as this manifest declares them (each param, and the
/// shape of a `[Shape]` param): the runtime's struct carries the one of the manifest it was
/// built from, and the server's expansion checks that its own is the same.
pub(crate) fn digest(model: &Model, tool: &Tool) -> u64 {
    let params = all_params(tool);
    let shapes: Vec<&str> = params.iter().filter_map(|p| p.shape.as_deref()).collect();
    let text = format!("{params:?}{:?}", super::reachable_shapes(model, &shapes));
    // FNV-1a, 64 bits.
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Each tool's params struct. A `run` tool's is its runtime function's (`RuntimeTool::Params`,
/// generated from the same manifest by `generate_run_types!`), checked at compile time to be
/// the params this manifest declares.
pub fn params(model: &Model) -> TokenStream {
    model
        .tools
        .iter()
        .map(|tool| {
            let name = type_ident(&tool.name, "Params");
            let doc = format!("Arguments of `{}`.", tool.name);
            let Some(run) = &tool.run else {
                return params_struct(&name, &doc, &tool.name, &all_params(tool));
            };
            let run = format_ident!("{}", run);
            let digest = proc_macro2::Literal::u64_suffixed(digest(model, tool));
            let mismatch = format!(
                "tool `{}`: the params this manifest declares are not those of the manifest iam_tools::functions::{run} was built from (the workspace's tools.toml)",
                tool.name
            );
            quote! {
                #[doc = #doc]
                pub type #name = <::iam_tools::__private::rt::functions::#run as ::iam_tools::__private::rt::RuntimeTool>::Params;
                const _: () = ::core::assert!(
                    <#name as ::iam_tools::__private::rt::ManifestParams>::DIGEST == #digest,
                    #mismatch
                );
            }
        })
        .collect()
}

/// The params struct of each `run` tool, for its runtime function (`generate_run_types!`):
/// named after the function type, with the digest of the manifest's declaration.
pub fn run_params(model: &Model) -> TokenStream {
    model
        .tools
        .iter()
        .filter_map(|tool| {
            let run = tool.run.as_ref()?;
            let name = format_ident!("{}Params", run);
            let doc = format!("Arguments of `{}` (run by `{run}`).", tool.name);
            let item = params_struct(&name, &doc, &tool.name, &all_params(tool));
            let digest = proc_macro2::Literal::u64_suffixed(digest(model, tool));
            Some(quote! {
                #item
                impl ::iam_tools::__private::rt::ManifestParams for #name {
                    const DIGEST: u64 = #digest;
                }
            })
        })
        .collect()
}
