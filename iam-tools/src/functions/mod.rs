//! Runtime functions: tools whose work is logic over several IAM calls, named by a
//! manifest entry's `run = "Type"`. The manifest still declares their params (schema and
//! checks) and the operations they may call (`uses`, hence their IAM actions); a function
//! calls those operations only through [`ToolContext::call`], which refuses any other.

mod access_keys;
mod account;
mod policies;
mod simulate;

pub use access_keys::{AccessKeyWithLastUse, AccessKeysResult, ListAccessKeys};
pub use account::{
    AccountSummaryResult, CredentialReportResult, CredentialReportRow, GetAccountSummary,
    GetCredentialReport, InactiveUser, InactiveUsersResult, ListInactiveUsers, UserActivity,
    inactive_users, parse_credential_report,
};
pub use policies::{
    GetPolicyDocument, PolicyDocumentResult, PolicyFinding, ValidatePolicy, ValidatePolicyResult,
};
pub use simulate::{SimulateCustomPolicy, SimulatePrincipalPolicy, SimulationResult};

use crate::JsonObject;
use crate::error::ToolError;
use crate::runtime::ToolContext;
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
fn args<T: serde::de::DeserializeOwned>(
    ctx: &ToolContext,
    args: &JsonObject,
) -> Result<T, ToolError> {
    serde_json::from_value(serde_json::Value::Object(args.clone())).map_err(|e| {
        ToolError::invalid_arguments(format!("Invalid arguments for {}: {e}.", ctx.tool.name))
    })
}
