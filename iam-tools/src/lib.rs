//! Runtime library for iam-mcp-server: everything the code generated from `tools.toml`
//! calls into (tool specs, read-only gating, error mapping, pagination, output conversion,
//! backends) and the policy engine.

pub mod account_file;
pub mod audit;
pub mod backend;
pub mod consent;
pub mod convert;
pub mod error;
pub mod functions;
pub mod guard;
pub mod registry;
pub mod runtime;
pub mod schema;
pub mod spec;
pub mod validate;
pub mod write;

/// The policy engine, a crate of its own (no AWS SDK type, nothing of this runtime).
pub use iam_policy as policy;
pub use iam_tools_macros::generate_tools;

/// A JSON object, as MCP carries arguments and schemas.
pub type JsonObject = serde_json::Map<String, serde_json::Value>;

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
        pub use crate::JsonObject;
        pub use crate::backend::Backend;
        pub use crate::convert::{
            DecodedDocument, DocumentArg, FromSdk, IntoSdk, IntoSdkItem, built, narrow,
        };
        pub use crate::error::ToolError;
        pub use crate::functions;
        pub use crate::functions::RuntimeTool;
        pub use crate::runtime::{
            ALL_PAGES_PAGE_SIZE, HandlerFuture, OperationFuture, PagedInput, PagedOutput,
            ToolContext, all_pages, join_notes, render_message, unanswered_note,
        };
        pub use crate::schema::object_schema;
        pub use crate::spec::{
            Access, Catalog, CleanupSpec, GuardrailSpec, OperationSpec, ToolSpec, ToolsetSpec,
        };
        pub use crate::validate::{Pattern, Validate, Violations};
        pub use crate::write::{
            PlanStep, Request as WriteRequest, Write, dry_run_message, message as write_message,
        };
    }
}
