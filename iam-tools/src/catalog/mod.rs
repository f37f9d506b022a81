//! The catalog: what the manifest declares, as pure data (tool, operation, toolset,
//! cleanup and guardrail specs). The bottom layer: it depends on nothing else of the runtime.

mod glob;
mod guardrails;
mod spec;

pub use glob::glob_matches;
pub use guardrails::Rule;
pub use spec::{
    Access, CALLER_IDENTITY, CatalogOf, CleanupSpec, GuardrailSpec, JsonObject, OperationSpec,
    Selection, ToolSpecOf, ToolsetSpec,
};
