//! Static metadata: toolsets, operations, tools (annotations, actions, schemas, handler)
//! and the catalog that the runtime serves, gates and derives the IAM policy from.

use super::{ident, type_ident};
use crate::validate::{Access, Model};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

fn access(a: Access) -> TokenStream {
    match a {
        Access::Read => quote!(::iam_tools::spec::Access::Read),
        Access::Write => quote!(::iam_tools::spec::Access::Write),
    }
}

pub fn specs(model: &Model) -> TokenStream {
    let toolsets = model.toolsets.iter().map(|t| {
        let (name, description, default) = (&t.name, &t.description, t.default);
        quote!(::iam_tools::spec::ToolsetSpec { name: #name, description: #description, default: #default })
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
        let handler = ident(&tool.name);
        let params_ty = type_ident(&tool.name, "Params");
        let result_ty = type_ident(&tool.name, "Result");
        let cleanup = tool.cleanup.iter().map(|c| {
            let kind = &c.kind;
            let list = format!("iam:{}", model.op(c.list).name);
            let items = &c.items;
            let delete = format!("iam:{}", model.op(c.delete).name);
            let bind = c.bind.iter().map(|(member, from)| quote!((#member, #from)));
            quote!(::iam_tools::spec::CleanupSpec { kind: #kind, list: #list, items: #items, delete: #delete, bind: &[#(#bind),*] })
        });
        quote! {
            ::iam_tools::spec::ToolSpec {
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
                cleanup: &[#(#cleanup),*],
                input_schema: ::iam_tools::schema::object_schema::<params::#params_ty>,
                output_schema: ::iam_tools::schema::object_schema::<results::#result_ty>,
                handler: handlers::#handler,
            }
        }
    });
    quote! {
        /// The toolsets, in manifest order.
        pub static TOOLSETS: &[::iam_tools::spec::ToolsetSpec] = &[#(#toolsets),*];
        /// Every IAM operation the manifest declares.
        pub static OPERATIONS: &[&::iam_tools::spec::OperationSpec] = &[#(#operations),*];
        /// Every tool, in manifest order.
        pub static TOOLS: &[::iam_tools::spec::ToolSpec] = &[#(#tools),*];
        /// Everything the runtime needs to serve these tools.
        pub static CATALOG: ::iam_tools::spec::Catalog = ::iam_tools::spec::Catalog {
            toolsets: TOOLSETS,
            operations: OPERATIONS,
            tools: TOOLS,
            call: ops::call,
        };
    }
}
