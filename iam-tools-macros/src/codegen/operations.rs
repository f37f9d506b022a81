//! One typed function per IAM operation. Inputs and outputs are generated structs named
//! and serialized as the AWS API names them; the AWS implementation calls the SDK and
//! converts its output; with an account file (offline mode) the same function asks the
//! file through its one JSON interface (AWS member names in and out).

use super::outputs::{data_struct, from_sdk_fields};
use super::{container, ident};
use crate::validate::{Base, Field, Model, Operation, Ty};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// The Rust type of an operation input member.
fn input_ty(ty: &Ty) -> TokenStream {
    let base = match &ty.base {
        Base::Shape(name) => {
            let name = format_ident!("{}", name);
            quote!(super::shapes::#name)
        }
        Base::Int => quote!(i32),
        Base::Long => quote!(i64),
        Base::Bool => quote!(bool),
        _ => quote!(::std::string::String),
    };
    container(ty, base)
}

fn input_struct(op: &Operation) -> TokenStream {
    let name = format_ident!("{}Input", op.name);
    let derives = super::data_derives(false);
    let doc = format!("Input of `iam:{}`.", op.name);
    let decls = op.input.iter().map(|f: &Field| {
        let n = ident(&f.snake);
        let ty = input_ty(&f.ty);
        let attrs = if f.ty.optional {
            let m = &f.name;
            quote!(#[serde(rename = #m, default, skip_serializing_if = "Option::is_none")])
        } else if f.ty.list {
            let m = &f.name;
            quote!(#[serde(rename = #m, default, skip_serializing_if = "Vec::is_empty")])
        } else {
            super::serde_field_attrs(&f.name, &f.ty)
        };
        quote!(#attrs pub #n: #ty)
    });
    quote! {
        #[doc = #doc]
        #derives
        pub struct #name { #(#decls,)* }
    }
}

/// `call(backend, "GetUser", {"UserName": ..})`: every operation behind one JSON
/// interface, with AWS's member names, for runtime functions. Each operation's future is
/// built and boxed by a function of its own: one async block matching on every operation
/// would put every arm's temporaries in one poll frame, which overflows a worker thread's
/// stack in debug builds once there are many operations.
fn dispatcher(model: &Model) -> TokenStream {
    let p = super::private();
    let callers = model.operations.iter().map(|op| {
        let name = &op.name;
        let func = ident(&op.snake);
        let caller = format_ident!("call_{}", op.snake);
        let input = format_ident!("{}Input", op.name);
        quote! {
            fn #caller<'a>(
                backend: &'a ::iam_tools::__private::rt::Backend,
                input: #p::serde_json::Value,
            ) -> ::iam_tools::__private::rt::OperationFuture<'a> {
                ::std::boxed::Box::pin(async move {
                    let input: #input = #p::serde_json::from_value(input).map_err(|e| {
                        ::iam_tools::__private::rt::ToolError::internal(::std::format!("bad input for {}: {e}", #name))
                    })?;
                    let output = #func(backend, input).await?;
                    #p::serde_json::to_value(output).map_err(|e| {
                        ::iam_tools::__private::rt::ToolError::internal(::std::format!("could not encode {}: {e}", #name))
                    })
                })
            }
        }
    });
    let arms = model.operations.iter().map(|op| {
        let name = &op.name;
        let caller = format_ident!("call_{}", op.snake);
        quote!(#name => #caller(backend, input),)
    });
    quote! {
        #(#callers)*

        /// Calls operation `name` with its AWS-shaped JSON input; returns its JSON output.
        pub fn call<'a>(
            backend: &'a ::iam_tools::__private::rt::Backend,
            name: &'a str,
            input: #p::serde_json::Value,
        ) -> ::iam_tools::__private::rt::OperationFuture<'a> {
            match name {
                #(#arms)*
                other => {
                    let error = ::iam_tools::__private::rt::ToolError::internal(
                        ::std::format!("operation `{other}` is not declared in the manifest"),
                    );
                    ::std::boxed::Box::pin(async move { ::std::result::Result::Err(error) })
                }
            }
        }
    }
}

pub fn operations(model: &Model) -> TokenStream {
    let dispatcher = dispatcher(model);
    let ops: TokenStream = model
        .operations
        .iter()
        .map(|op| {
            let input = format_ident!("{}Input", op.name);
            let output = format_ident!("{}Output", op.name);
            let func = ident(&op.snake);
            let spec = format_ident!("{}", op.snake.to_uppercase());
            let op_name = &op.name;
            let action = format!("iam:{}", op.name);
            let access = match op.access {
                crate::validate::Access::Read => quote!(::iam_tools::__private::rt::Access::Read),
                crate::validate::Access::Write => quote!(::iam_tools::__private::rt::Access::Write),
            };
            let is_paged = op.paged.is_some();
            let input_struct = input_struct(op);
            let output_struct = data_struct(&output, &format!("Output of `iam:{}`.", op.name), &op.output, true);
            let setters = op.input.iter().map(|f| {
                let setter = format_ident!("set_{}", f.snake);
                let n = ident(&f.snake);
                quote!(.#setter(::iam_tools::__private::rt::IntoSdk::into_sdk(input.#n)))
            });
            let conv = from_sdk_fields(&op.output, &quote!(out));
            let paged = op.paged.as_ref().map(|_| {
                let lists: Vec<_> = op.output.iter().filter(|f| f.ty.list).map(|f| ident(&f.snake)).collect();
                // A paged operation has its paged list at least.
                let count = quote!(#(self.#lists.len())+*);
                let (max_items, set_max_items) = match op.input_field("MaxItems") {
                    Some(f) if f.ty.optional => (quote!(self.max_items), quote!(self.max_items = max_items;)),
                    Some(_) => (
                        quote!(::std::option::Option::Some(self.max_items)),
                        quote!(if let ::std::option::Option::Some(n) = max_items { self.max_items = n; }),
                    ),
                    None => (quote!(::std::option::Option::None), quote!(let _ = max_items;)),
                };
                quote! {
                    impl ::iam_tools::__private::rt::PagedInput for #input {
                        fn marker(&self) -> ::std::option::Option<::std::string::String> {
                            self.marker.clone()
                        }
                        fn set_marker(&mut self, marker: ::std::option::Option<::std::string::String>) {
                            self.marker = marker;
                        }
                        fn max_items(&self) -> ::std::option::Option<i32> {
                            #max_items
                        }
                        fn set_max_items(&mut self, max_items: ::std::option::Option<i32>) {
                            #set_max_items
                        }
                    }
                    impl ::iam_tools::__private::rt::PagedOutput for #output {
                        fn next_marker(&self) -> ::std::option::Option<::std::string::String> {
                            if self.is_truncated { self.marker.clone() } else { ::std::option::Option::None }
                        }
                        fn item_count(&self) -> usize { #count }
                        fn window(&mut self, mut skip: usize, mut take: usize) {
                            #(::iam_tools::__private::rt::window_list(&mut self.#lists, &mut skip, &mut take);)*
                        }
                        fn append(&mut self, mut next: Self) {
                            #(self.#lists.append(&mut next.#lists);)*
                            self.is_truncated = next.is_truncated;
                            self.marker = next.marker;
                        }
                        fn stop_at(&mut self, marker: ::std::option::Option<::std::string::String>) {
                            self.is_truncated = marker.is_some();
                            self.marker = marker;
                        }
                    }
                }
            });
            quote! {
                #input_struct
                #output_struct
                #paged

                #[doc = concat!("What the server knows of `", #action, "`.")]
                pub static #spec: ::iam_tools::__private::rt::OperationSpec = ::iam_tools::__private::rt::OperationSpec {
                    name: #op_name,
                    action: #action,
                    access: #access,
                    paged: #is_paged,
                };

                #[doc = concat!("Calls `", #action, "` through the backend.")]
                pub async fn #func(
                    backend: &::iam_tools::__private::rt::Backend,
                    input: #input,
                ) -> ::std::result::Result<#output, ::iam_tools::__private::rt::ToolError> {
                    if let ::std::option::Option::Some(file) = backend.account_file() {
                        return file.call_typed(&#spec, &input);
                    }
                    let client = backend.aws(&#spec).await?;
                    let _ = &input;
                    let out = client
                        .#func()
                        #(#setters)*
                        .send()
                        .await
                        .map_err(|e| ::iam_tools::__private::rt::ToolError::aws(&#spec, e))?;
                    let _ = &out;
                    ::std::result::Result::Ok(#output { #(#conv,)* })
                }
            }
        })
        .collect();
    quote!(#ops #dispatcher)
}
