//! What a runtime function is: a tool whose params are the manifest's, run on them once
//! they are parsed and checked.

use crate::codec::ReadArgs;
use crate::context::ToolContext;
use crate::error::ToolFuture;

/// A tool implemented by a runtime function.
pub trait RuntimeTool {
    /// The params, as the manifest declares them: the struct `generate_run_types!` makes
    /// for the tool (`super::manifest::params::<Type>Params`). The server's handler parses
    /// and checks the arguments into it, and its schema is the tool's `inputSchema`.
    type Params: ManifestParams
        + serde::de::DeserializeOwned
        + ReadArgs
        + schemars::JsonSchema
        + Send
        + Sync;

    /// The structured result; its schema is the tool's `outputSchema`.
    type Output: serde::Serialize + schemars::JsonSchema;

    /// Operations of `uses` the function can do without (e.g. AWS's simulator when the
    /// local engine answers): an account file that cannot answer them still offers the tool.
    const OPTIONAL_OPERATIONS: &'static [&'static str] = &[];

    /// Runs the tool on its params, already parsed and checked against the manifest's
    /// constraints.
    fn run<'a>(ctx: &'a ToolContext, params: &'a Self::Params) -> ToolFuture<'a, Self::Output>;
}

/// A params struct generated from a manifest, with a digest of that declaration: the
/// server's expansion compares it with the one of its own manifest at compile time, so a
/// `run` tool cannot take other params than its manifest says.
pub trait ManifestParams {
    const DIGEST: u64;
}
