//! Output data: the shapes (with their conversion from the SDK's types) and each tool's
//! result struct.

use super::{container, data_derives, ident, private, rust_ty, serde_field_attrs, type_ident};
use crate::validate::{Base, Field, Model, Shape, Ty};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

fn field_decls(fields: &[Field]) -> Vec<TokenStream> {
    fields
        .iter()
        .map(|f| {
            let name = ident(&f.snake);
            let ty = rust_ty(&f.ty);
            let attrs = serde_field_attrs(&f.name, &f.ty);
            let format = matches!(f.ty.base, Base::Date)
                .then(|| quote!(#[schemars(extend("format" = "date-time"))]));
            // A document is a `Value`, whose schema (`true`) says nothing: say what it is.
            let document = matches!(f.ty.base, Base::Document).then(|| {
                let with = container(&f.ty, quote!(::iam_tools::__private::rt::DecodedDocument))
                    .to_string()
                    .replace(' ', "");
                quote!(#[schemars(with = #with)])
            });
            quote!(#attrs #format #document pub #name: #ty)
        })
        .collect()
}

/// `Self { field: FromSdk::from_sdk(src.field()), .. }`, reading each SDK getter.
pub(crate) fn from_sdk_fields(fields: &[Field], src: &TokenStream) -> Vec<TokenStream> {
    fields
        .iter()
        .map(|f| {
            let name = ident(&f.snake);
            quote!(#name: ::iam_tools::__private::rt::FromSdk::from_sdk(#src.#name()))
        })
        .collect()
}

pub fn shapes(model: &Model) -> TokenStream {
    model
        .shapes
        .iter()
        .map(|shape| shape_item(shape, true))
        .collect()
}

/// The shapes a runtime function sees (`generate_run_types!`): data only, since it reads
/// operations' answers as JSON, never as the SDK's types.
pub fn run_shapes(shapes: &[&Shape]) -> TokenStream {
    shapes
        .iter()
        .map(|shape| shape_item(shape, false))
        .collect()
}

/// A shape's struct and, with `sdk`, its conversions from (and for shapes of scalars, to)
/// the SDK's type of its name.
fn shape_item(shape: &Shape, sdk: bool) -> TokenStream {
    let p = private();
    let derives = data_derives(true);
    let name = format_ident!("{}", shape.name);
    let decls = field_decls(&shape.fields);
    let doc = format!("The IAM `{}` shape.", shape.name);
    let item = quote! {
        #[doc = #doc]
        #derives
        pub struct #name { #(#decls,)* }
    };
    if !sdk {
        return item;
    }
    let conv = from_sdk_fields(&shape.fields, &quote!(src));
    // Shapes of scalars can also be sent to AWS (e.g. ContextEntry).
    let sendable = shape.fields.iter().all(|f| match f.ty.base {
        Base::String | Base::Enum | Base::Int | Base::Long | Base::Bool => {
            !f.ty.list || f.ty.base == Base::String
        }
        _ => false,
    });
    let into_sdk = sendable.then(|| {
        let setters = shape.fields.iter().map(|f| {
            let setter = format_ident!("set_{}", f.snake);
            let n = ident(&f.snake);
            quote!(.#setter(::iam_tools::__private::rt::IntoSdk::into_sdk(self.#n)))
        });
        quote! {
            impl ::iam_tools::__private::rt::IntoSdkItem<#p::aws_sdk_iam::types::#name> for #name {
                fn into_sdk_item(self) -> #p::aws_sdk_iam::types::#name {
                    ::iam_tools::__private::rt::built(#p::aws_sdk_iam::types::#name::builder() #(#setters)* .build())
                }
            }
        }
    });
    quote! {
        #item

        #into_sdk

        impl<'a> ::iam_tools::__private::rt::FromSdk<&'a #p::aws_sdk_iam::types::#name> for #name {
            fn from_sdk(src: &'a #p::aws_sdk_iam::types::#name) -> Self {
                Self { #(#conv,)* }
            }
        }
        impl<'a> ::iam_tools::__private::rt::FromSdk<::std::option::Option<&'a #p::aws_sdk_iam::types::#name>> for #name {
            fn from_sdk(src: ::std::option::Option<&'a #p::aws_sdk_iam::types::#name>) -> Self {
                src.map(::iam_tools::__private::rt::FromSdk::from_sdk).unwrap_or_default()
            }
        }
    }
}

/// A struct of `fields`, with the data derives.
pub(crate) fn data_struct(
    name: &proc_macro2::Ident,
    doc: &str,
    fields: &[Field],
    schema: bool,
) -> TokenStream {
    data_struct_with(name, doc, fields, schema, Vec::new())
}

fn data_struct_with(
    name: &proc_macro2::Ident,
    doc: &str,
    fields: &[Field],
    schema: bool,
    extra: Vec<TokenStream>,
) -> TokenStream {
    let derives = data_derives(schema);
    let mut decls = field_decls(fields);
    decls.extend(extra);
    quote! {
        #[doc = #doc]
        #derives
        pub struct #name { #(#decls,)* }
    }
}

/// The fields of a tool's result: the operation's output, each include, the paging note
/// and the message.
pub(crate) fn result_fields(model: &Model, tool: &crate::validate::Tool) -> Vec<Field> {
    let mut fields = tool
        .op
        .map(|op| model.op(op).output.clone())
        .unwrap_or_default();
    for inc in &tool.includes {
        fields.push(Field {
            name: inc.field.clone(),
            snake: crate::validate::snake(&inc.field),
            ty: inc.take.ty.clone(),
        });
    }
    let note = Ty {
        base: Base::String,
        list: false,
        optional: true,
    };
    if tool.paginate.is_some() || !tool.includes.is_empty() {
        fields.push(Field {
            name: "Note".into(),
            snake: "note".into(),
            ty: note.clone(),
        });
    }
    if tool.message.is_some() {
        fields.push(Field {
            name: "Message".into(),
            snake: "message".into(),
            ty: note,
        });
    }
    fields
}

/// A tool with cleanup steps reports its plan (dry run) or the steps it ran.
fn cleanup_fields(tool: &crate::validate::Tool) -> Vec<TokenStream> {
    if tool.cleanup.is_empty() {
        return Vec::new();
    }
    vec![
        quote! {
            /// True when this was a dry run: nothing was changed.
            #[serde(rename = "DryRun", default, skip_serializing_if = "Option::is_none")]
            pub dry_run: ::std::option::Option<bool>
        },
        quote! {
            /// The dry run's plan: every step, in order, the tool's own operation last.
            #[serde(rename = "Plan", default, skip_serializing_if = "Option::is_none")]
            pub plan: ::std::option::Option<::std::vec::Vec<::iam_tools::__private::rt::PlanStep>>
        },
        quote! {
            /// The steps that ran, in order, the tool's own operation last.
            #[serde(rename = "Steps", default, skip_serializing_if = "Option::is_none")]
            pub steps: ::std::option::Option<::std::vec::Vec<::iam_tools::__private::rt::PlanStep>>
        },
    ]
}

pub fn results(model: &Model) -> TokenStream {
    model
        .tools
        .iter()
        .map(|tool| {
            let name = type_ident(&tool.name, "Result");
            let doc = format!("The structured result of `{}`.", tool.name);
            match &tool.run {
                Some(run) => {
                    let run = format_ident!("{}", run);
                    quote! {
                        #[doc = #doc]
                        pub type #name = <::iam_tools::__private::rt::functions::#run as ::iam_tools::__private::rt::RuntimeTool>::Output;
                    }
                }
                None => data_struct_with(&name, &doc, &result_fields(model, tool), true, cleanup_fields(tool)),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_fields_say_what_their_value_is() {
        let ty = Ty {
            base: Base::Document,
            list: false,
            optional: true,
        };
        let field = Field {
            name: "AssumeRolePolicyDocument".into(),
            snake: "assume_role_policy_document".into(),
            ty,
        };
        let decl = field_decls(&[field])[0].to_string();
        let with = r#"schemars (with = "::std::option::Option<::iam_tools::__private::rt::DecodedDocument>")"#;
        assert!(decl.contains(with), "{decl}");
    }
}
