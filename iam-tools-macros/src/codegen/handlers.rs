//! One handler per tool: thin glue that parses the params, fills each operation's input,
//! runs the primary and included operations concurrently through the runtime, and builds
//! the result. All logic (gating, paging, errors, output) is in the runtime.

use super::params::all_params;
use super::{ident, private, type_ident};
use crate::validate::{Base, Field, Model, Operation, Param, ParamTy, Tool};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// The expression that fills operation member `member` from param `p`.
fn bind(p: &Param, member: &Field) -> TokenStream {
    let field = ident(&p.name);
    let name = &p.name;
    let value = match (p.ty, &member.ty.base) {
        (ParamTy::Integer, Base::Int) => {
            if p.required {
                quote!(::iam_tools::__private::rt::narrow(#name, p.#field)?)
            } else {
                quote!(p.#field.map(|v| ::iam_tools::__private::rt::narrow(#name, v)).transpose()?)
            }
        }
        (ParamTy::Document, _) => {
            if p.required {
                quote!(p.#field.to_aws_string(#name)?)
            } else {
                quote!(p.#field.as_ref().map(|d| d.to_aws_string(#name)).transpose()?)
            }
        }
        (ParamTy::StringList | ParamTy::ShapeList, _) if !p.required => {
            quote!(p.#field.clone().unwrap_or_default())
        }
        _ => quote!(p.#field.clone()),
    };
    if p.required && member.ty.optional {
        quote!(::std::option::Option::Some(#value))
    } else {
        value
    }
}

/// `OpInput { member: <from param>, .. }` for every member a param fills.
fn input_expr(op: &Operation, params: &[Param]) -> TokenStream {
    let input = format_ident!("{}Input", op.name);
    let members = op.input.iter().filter_map(|f| {
        let p = params.iter().find(|p| p.member == f.name)?;
        let name = ident(&f.snake);
        let value = bind(p, f);
        Some(quote!(#name: #value))
    });
    quote! {
        super::ops::#input {
            #(#members,)*
            ..::std::default::Default::default()
        }
    }
}

/// A future for one operation call: the pages `paging` (a `rt::Paging`) says when the
/// operation pages, else one call. Yields `(output, note)`.
fn call(op: &Operation, params: &[Param], paging: TokenStream) -> TokenStream {
    let func = ident(&op.snake);
    let input = input_expr(op, params);
    if op.paged.is_some() {
        quote! {
            async {
                let input = #input;
                ::iam_tools::__private::rt::pages(ctx, input, #paging, |i| super::ops::#func(backend, i)).await
            }
        }
    } else {
        quote! {
            async {
                let input = #input;
                super::ops::#func(backend, input).await.map(|o| (o, ::std::option::Option::<::std::string::String>::None))
            }
        }
    }
}

/// A `run` tool: the params are parsed and checked against the manifest, then the runtime
/// function does the work on them.
fn run_handler(tool: &Tool, run: &str) -> TokenStream {
    let name = ident(&tool.name);
    let params_ty = type_ident(&tool.name, "Params");
    let run = format_ident!("{}", run);
    handler_fn(
        &name,
        &params_ty,
        quote! {
                    let result = <::iam_tools::__private::rt::functions::#run as ::iam_tools::__private::rt::RuntimeTool>::run(ctx, &p).await?;
                    ctx.output(&result)
        },
    )
}

/// A write tool: consent and plan (refusals, force-delete cleanup) in the runtime around
/// its one operation.
fn write_handler(model: &Model, tool: &Tool, op: &Operation) -> TokenStream {
    let p = private();
    let name = ident(&tool.name);
    let params_ty = type_ident(&tool.name, "Params");
    let result_ty = type_ident(&tool.name, "Result");
    let params = all_params(tool);
    let input = input_expr(op, &params);
    let func = ident(&op.snake);
    let op_name = &op.name;
    let cleans = !tool.cleanup.is_empty();
    let (force, dry_run) = if cleans {
        (
            quote!(p.force.unwrap_or(false)),
            quote!(p.dry_run.unwrap_or(false)),
        )
    } else {
        (quote!(false), quote!(false))
    };
    let out_fields = op.output.iter().map(|f| {
        let n = ident(&f.snake);
        quote!(#n: out.#n)
    });
    let message = tool.message.as_ref().map(|m| {
        quote!(message: ::std::option::Option::Some(::iam_tools::__private::rt::write_message(::iam_tools::__private::rt::render_message(#m, &args), &write)),)
    });
    let dry_run_exit = cleans.then(|| {
        let dry_message = tool.message.is_some().then(|| quote!(message: ::std::option::Option::Some(::iam_tools::__private::rt::dry_run_message(&write)),));
        quote! {
            if write.is_dry_run() {
                return ctx.output(&super::results::#result_ty {
                    dry_run: ::std::option::Option::Some(true),
                    plan: ::std::option::Option::Some(write.plan()),
                    #dry_message
                    ..::std::default::Default::default()
                });
            }
        }
    });
    let steps = cleans.then(|| quote!(steps: ::std::option::Option::Some(write.steps_done()),));
    let _ = model;
    handler_fn(
        &name,
        &params_ty,
        quote! {
                    let backend = ctx.backend();
                    let input = #input;
                    let request = ::iam_tools::__private::rt::WriteRequest {
                        args: &args,
                        input: #p::serde_json::to_value(&input).map_err(|e| {
                            ::iam_tools::__private::rt::ToolError::internal(::std::format!("bad input for {}: {e}", #op_name))
                        })?,
                        force: #force,
                        dry_run: #dry_run,
                        confirmation_token: p.confirmation_token.clone(),
                    };
                    let mut write = ::iam_tools::__private::rt::Write::begin(ctx, request).await?;
                    #dry_run_exit
                    write.cleanup(ctx).await?;
                    let out = write.finish(ctx, super::ops::#func(backend, input)).await?;
                    let result = super::results::#result_ty {
                        #(#out_fields,)*
                        #steps
                        #message
                        ..::std::default::Default::default()
                    };
                    ctx.output(&result)
        },
    )
}

fn handler(model: &Model, tool: &Tool) -> TokenStream {
    let (Some(op), None) = (tool.op, &tool.run) else {
        return run_handler(tool, tool.run.as_deref().unwrap_or_default());
    };
    if tool.access == crate::validate::Access::Write {
        return write_handler(model, tool, model.op(op));
    }
    let p = private();
    let name = ident(&tool.name);
    let params_ty = type_ident(&tool.name, "Params");
    let result_ty = type_ident(&tool.name, "Result");
    let params = all_params(tool);
    let op = model.op(op);
    let paging = if tool.paginate.is_some() {
        quote!(if p.all_pages.unwrap_or(false) {
            ::iam_tools::__private::rt::Paging::All
        } else {
            ::iam_tools::__private::rt::Paging::Page
        })
    } else {
        // No marker to continue from: every page, the bound named as for an included list.
        let list = op.paged.as_deref().unwrap_or_default();
        quote!(::iam_tools::__private::rt::Paging::Include(#list))
    };
    let primary = call(op, &params, paging);
    // Paging params page the primary operation only; includes always fetch everything.
    let own_params: Vec<Param> = params
        .iter()
        .filter(|p| !crate::validate::PAGING_PARAMS.contains(&p.name.as_str()))
        .map(super::params::clone_param)
        .collect();
    // An include the backend cannot answer (an account file has no access keys) leaves
    // its field empty and says so in the Note.
    let includes: Vec<TokenStream> = tool
        .includes
        .iter()
        .map(|inc| {
            let op = model.op(inc.op);
            let name = &op.name;
            let field = &inc.field;
            let fetch = call(op, &own_params, quote!(::iam_tools::__private::rt::Paging::Include(#field)));
            quote! {
                async {
                    if backend.answers(#name) {
                        (#fetch).await
                    } else {
                        ::std::result::Result::Ok((
                            ::std::default::Default::default(),
                            ::std::option::Option::Some(::iam_tools::__private::rt::unanswered_note(#field, #name)),
                        ))
                    }
                }
            }
        })
        .collect();
    let inc_vars: Vec<_> = (0..tool.includes.len())
        .map(|i| format_ident!("inc{}", i))
        .collect();
    let joined = if includes.is_empty() {
        quote!(let out = (#primary).await?;)
    } else {
        // All run at once; the primary operation's error is the one reported (a missing
        // user is "GetUser: not found", whichever call failed first).
        quote! {
            let (out, #(#inc_vars),*) = #p::futures::join!(#primary, #(#includes),*);
            let out = out?;
            #(let #inc_vars = #inc_vars?;)*
        }
    };
    let out_fields = op.output.iter().map(|f| {
        let n = ident(&f.snake);
        quote!(#n: out.0.#n)
    });
    let inc_fields = tool.includes.iter().zip(&inc_vars).map(|(inc, var)| {
        let n = ident(&crate::validate::snake(&inc.field));
        let take = ident(&inc.take.snake);
        quote!(#n: #var.0.#take)
    });
    let has_note = tool.paginate.is_some() || !tool.includes.is_empty();
    let note = has_note.then(|| {
        let inc_notes = inc_vars.iter().map(|v| quote!(#v.1.clone()));
        quote!(note: ::iam_tools::__private::rt::join_notes([out.1.clone(), #(#inc_notes),*]),)
    });
    let message = tool.message.as_ref().map(|m| quote!(message: ::std::option::Option::Some(::iam_tools::__private::rt::render_message(#m, &args)),));
    handler_fn(
        &name,
        &params_ty,
        quote! {
                    let backend = ctx.backend();
                    #joined
                    let result = super::results::#result_ty {
                        #(#out_fields,)*
                        #(#inc_fields,)*
                        #note
                        #message
                    };
                    ctx.output(&result)
        },
    )
}

pub fn handlers(model: &Model) -> TokenStream {
    model
        .tools
        .iter()
        .map(|tool| handler(model, tool))
        .collect()
}

/// A tool's handler: the params parsed and checked against the manifest, then `body` (which
/// has `ctx`, `args` and the params `p`) makes the structured result.
fn handler_fn(name: &syn::Ident, params_ty: &syn::Ident, body: TokenStream) -> TokenStream {
    quote! {
        #[doc = concat!("Runs the `", stringify!(#name), "` tool.")]
        pub fn #name<'a>(
            ctx: &'a ::iam_tools::__private::rt::ToolContext,
            args: ::iam_tools::__private::rt::JsonObject,
        ) -> ::iam_tools::__private::rt::HandlerFuture<'a> {
            ::std::boxed::Box::pin(async move {
                let p: super::params::#params_ty = ctx.parse_args(&args)?;
                #body
            })
        }
    }
}
