//! Runtime library for iam-mcp-server: everything the code generated from `tools.toml`
//! calls into (tool specs, read-only gating, error mapping, pagination, output conversion,
//! backends) and the policy engine.

// The code `generate_run_types!` generates here names the runtime as every caller does.
extern crate self as iam_tools;

pub mod analysis;
pub mod audit;
pub mod backend;
pub mod catalog;
pub mod codec;
pub mod context;
pub mod error;
pub mod functions;
pub mod registry;
pub mod write;

/// The policy engine, a crate of its own (no AWS SDK type, nothing of this runtime).
pub use iam_policy as policy;
pub use iam_tools_macros::generate_tools;

pub use catalog::JsonObject;

/// The dependencies generated code names, through one path, so the crate that invokes
/// `generate_tools!` need not depend on them.
#[doc(hidden)]
pub mod __private {
    pub use aws_sdk_iam;
    pub use futures;
    pub use schemars;
    pub use serde;
    pub use serde_json;

    /// Everything of the runtime that generated code names, flat: a runtime file can move
    /// without touching codegen (only this list follows it).
    pub mod rt {
        pub use crate::backend::{Backend, OperationFuture};
        pub use crate::catalog::{
            Access, CleanupSpec, GuardrailSpec, JsonObject, OperationSpec, Rule, ToolsetSpec,
        };
        pub use crate::codec::{
            ArgType, DecodedDocument, DocumentArg, FromSdk, IntoSdk, IntoSdkItem, Pattern,
            ReadArgs, Violations, built, narrow, object_schema,
        };
        pub use crate::context::{
            Catalog, HandlerFuture, PagedInput, PagedOutput, Paging, ToolContext, ToolSpec,
            join_notes, pages, render_message, unanswered_note, window_list,
        };
        pub use crate::error::ToolError;
        pub use crate::functions;
        pub use crate::functions::{ManifestParams, RuntimeTool};
        pub use crate::write::{
            PlanStep, Write, WriteRequest, dry_run_message, message as write_message,
        };
    }
}
