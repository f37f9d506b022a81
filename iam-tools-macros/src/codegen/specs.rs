//! Static metadata: toolsets, operations, tools (annotations, actions, schemas, handler)
//! and the catalog that the runtime serves, gates and derives the IAM policy from.

use super::{ident, type_ident};
use crate::validate::{Access, Model, ParamTy};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

fn access(a: Access) -> TokenStream {
    match a {
        Access::Read => quote!(::iam_tools::__private::rt::Access::Read),
        Access::Write => quote!(::iam_tools::__private::rt::Access::Write),
    }
}

pub fn specs(model: &Model) -> TokenStream {
    let toolsets = model.toolsets.iter().map(|t| {
        let (name, description, default) = (&t.name, &t.description, t.default);
        quote!(::iam_tools::__private::rt::ToolsetSpec { name: #name, description: #description, default: #default })
    });
    let operations = model.operations.iter().map(|op| {
        let spec = format_ident!("{}", op.snake.to_uppercase());
        quote!(&ops::#spec)
    });
    let tools = model.tools.iter().map(|tool| {
        let name = &tool.name;
        let title = &tool.title;
        let description = &tool.description;
        let toolset = &tool.toolset;
        let access = access(tool.access);
        let destructive = tool.destructive;
        let idempotent = tool.idempotent;
        let open_world = tool.open_world;
        let actions = &tool.actions;
        let operation = match tool.op {
            Some(op) => {
                let name = &model.op(op).name;
                quote!(::std::option::Option::Some(#name))
            }
            None => quote!(::std::option::Option::None),
        };
        let optional = match &tool.run {
            Some(run) => {
                let run = format_ident!("{}", run);
                quote!(<::iam_tools::__private::rt::functions::#run as ::iam_tools::__private::rt::RuntimeTool>::OPTIONAL_OPERATIONS)
            }
            None => {
                let names = tool.includes.iter().map(|inc| &model.op(inc.op).name);
                quote!(&[#(#names),*])
            }
        };
        let handler = ident(&tool.name);
        let params_ty = type_ident(&tool.name, "Params");
        let result_ty = type_ident(&tool.name, "Result");
        let cleanup = tool.cleanup.iter().map(|c| {
            let kind = &c.kind;
            let list = &model.op(c.list).name;
            let list_members = &c.list_members;
            let list_input = c.list_input.iter().map(|(member, value)| quote!((#member, #value)));
            let items = &c.items;
            let delete = &model.op(c.delete).name;
            let delete_members = &c.delete_members;
            let bind = c.bind.iter().map(|(member, from)| quote!((#member, #from)));
            let only = c.only.iter().map(|(field, glob)| quote!((#field, #glob)));
            let label = match &c.label {
                Some(l) => quote!(::std::option::Option::Some(#l)),
                None => quote!(::std::option::Option::None),
            };
            let absent_ok = c.absent_ok;
            quote!(::iam_tools::__private::rt::CleanupSpec {
                kind: #kind,
                list: #list,
                list_members: &[#(#list_members),*],
                list_input: &[#(#list_input),*],
                items: #items,
                delete: #delete,
                delete_members: &[#(#delete_members),*],
                bind: &[#(#bind),*],
                only: &[#(#only),*],
                label: #label,
                absent_ok: #absent_ok,
            })
        });
        let documents = tool.params.iter().filter_map(|p| {
            let kind = p.policy.as_ref()?;
            let name = &p.name;
            Some(quote!((#name, #kind)))
        });
        let secrets = tool.params.iter().filter(|p| p.secret).map(|p| &p.name);
        let hashed = tool.params.iter().filter(|p| matches!(p.ty, ParamTy::Document | ParamTy::DocumentList | ParamTy::DocumentLevels)).map(|p| &p.name);
        quote! {
            ::iam_tools::__private::rt::ToolSpec {
                name: #name,
                title: #title,
                description: #description,
                toolset: #toolset,
                access: #access,
                destructive: #destructive,
                idempotent: #idempotent,
                open_world: #open_world,
                operation: #operation,
                actions: &[#(#actions),*],
                optional: #optional,
                cleanup: &[#(#cleanup),*],
                documents: &[#(#documents),*],
                secrets: &[#(#secrets),*],
                hashed: &[#(#hashed),*],
                input_schema: ::iam_tools::__private::rt::object_schema::<params::#params_ty>,
                output_schema: ::iam_tools::__private::rt::object_schema::<results::#result_ty>,
                handler: handlers::#handler,
            }
        }
    });
    let guardrails = model.guardrails.iter().map(|g| {
        let name = &g.name;
        // The runtime's rule of that name: a name it does not implement does not compile.
        let rule = format_ident!("{}", crate::validate::pascal(&g.name));
        let (flag, env, refuses, help) = (&g.flag, &g.env, &g.refuses, &g.help);
        let operations = g.operations.iter().map(|(o, _)| &model.op(*o).name);
        let documents = match &g.documents {
            Some(d) => quote!(::std::option::Option::Some(#d)),
            None => quote!(::std::option::Option::None),
        };
        quote!(::iam_tools::__private::rt::GuardrailSpec {
            name: #name,
            rule: ::iam_tools::__private::rt::Rule::#rule,
            flag: #flag,
            env: #env,
            refuses: #refuses,
            help: #help,
            operations: &[#(#operations),*],
            documents: #documents,
        })
    });
    let previewed = model.preview.operations.iter().map(|&o| &model.op(o).name);
    quote! {
        /// The write operations whose consent shows the access preview.
        pub static PREVIEWED: &[&str] = &[#(#previewed),*];
        /// The guardrails, in manifest order.
        pub static GUARDRAILS: &[::iam_tools::__private::rt::GuardrailSpec] = &[#(#guardrails),*];
        /// The toolsets, in manifest order.
        pub static TOOLSETS: &[::iam_tools::__private::rt::ToolsetSpec] = &[#(#toolsets),*];
        /// Every IAM operation the manifest declares.
        pub static OPERATIONS: &[&::iam_tools::__private::rt::OperationSpec] = &[#(#operations),*];
        /// Every tool, in manifest order.
        pub static TOOLS: &[::iam_tools::__private::rt::ToolSpec] = &[#(#tools),*];
        /// Everything the runtime needs to serve these tools.
        pub static CATALOG: ::iam_tools::__private::rt::Catalog = ::iam_tools::__private::rt::Catalog {
            toolsets: TOOLSETS,
            operations: OPERATIONS,
            tools: TOOLS,
            guardrails: GUARDRAILS,
            previewed: PREVIEWED,
            call: ops::call,
        };
    }
}
