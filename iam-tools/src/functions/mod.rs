//! Runtime functions: tools whose work is logic over several IAM calls, named by a
//! manifest entry's `run = "Type"`. The manifest declares their params, which a function
//! takes as the struct generated from that declaration ([`manifest`]), and the operations
//! they may call (`uses`, hence their IAM actions); a function calls those operations only
//! through [`ToolContext::call`], which refuses any other.

mod access_keys;
mod account;
mod analysis;
mod expand;
pub mod manifest;
mod policies;
mod simulate;
mod tool;

pub use access_keys::{AccessKeyWithLastUse, AccessKeysResult, ListAccessKeys};
pub use account::{
    AccountSummaryResult, CredentialReportResult, CredentialReportRow, GetAccountSummary,
    GetCredentialReport, InactiveUser, InactiveUsersResult, ListInactiveUsers, UserActivity,
    inactive_users, parse_credential_report,
};
pub use analysis::{
    EffectivePermissionsResult, EscalationResult, FindEscalationPaths, GetEffectivePermissions,
    PreviewAccessChange, WhoCan, WhoCanResult,
};
pub use expand::{ExpandActions, ExpandActionsResult, ExpandedAction, ExpandedResourceType};
pub use policies::{
    GetPolicyDocument, PolicyDocumentResult, PolicyFinding, ValidatePolicy, ValidatePolicyResult,
};
pub use simulate::{SimulateCustomPolicy, SimulatePrincipalPolicy, SimulationResult};
pub use tool::{ManifestParams, RuntimeTool};
