//! What a runtime function is, and how it reads its arguments.

use crate::catalog::JsonObject;
use crate::context::ToolContext;
use crate::error::ToolError;
use std::future::Future;
use std::pin::Pin;

/// A tool implemented by a runtime function.
pub trait RuntimeTool {
    /// The structured result; its schema is the tool's `outputSchema`.
    type Output: serde::Serialize + schemars::JsonSchema;

    /// Operations of `uses` the function can do without (e.g. AWS's simulator when the
    /// local engine answers): an account file that cannot answer them still offers the tool.
    const OPTIONAL_OPERATIONS: &'static [&'static str] = &[];

    /// Runs the tool on arguments already checked against the manifest's params.
    fn run<'a>(
        ctx: &'a ToolContext,
        args: &'a JsonObject,
    ) -> Pin<Box<dyn Future<Output = Result<Self::Output, ToolError>> + Send + 'a>>;
}

/// The arguments as the function's own struct (their shape was checked already).
pub(super) fn args<T: serde::de::DeserializeOwned>(
    ctx: &ToolContext,
    args: &JsonObject,
) -> Result<T, ToolError> {
    serde_json::from_value(serde_json::Value::Object(args.clone())).map_err(|e| {
        ToolError::invalid_arguments(format!("Invalid arguments for {}: {e}.", ctx.tool.name))
    })
}
