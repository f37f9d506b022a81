//! What to do next, by error code and operation: the entity not found, the action denied,
//! the force delete to use (named by the write path, which knows the tool).

use super::tool_error::{ErrorKind, ToolError};
use crate::catalog::OperationSpec;

impl ToolError {
    /// An AWS-style service error (`NoSuchEntity`, ...) of operation `op` that did not come
    /// through the SDK (an account file's answer): rendered as AWS's own would be.
    pub fn service(op: &'static OperationSpec, code: &str, message: &str) -> Self {
        let mut e = service_error(op, code, message);
        e.code = Some(code.to_string());
        e.action = Some(op.action);
        e
    }
}

/// The entity a NoSuchEntity message names, as (kind, name): AWS's
/// `"The user with name bob cannot be found."` and `"Policy arn:... was not found."`, and
/// the `"Role bob not found"` of IAM emulators.
pub(super) fn entity_of(message: &str) -> Option<(String, String)> {
    let message = message.trim().trim_end_matches('.');
    let (kind, name) = if let Some(rest) = message.strip_prefix("The ") {
        let (kind, rest) = rest
            .split_once(" with name ")
            .or_else(|| rest.split_once(" with id "))?;
        (
            kind.to_string(),
            rest.split(" cannot be found").next()?.to_string(),
        )
    } else {
        let rest = [
            " was not found",
            " does not exist or is not attachable",
            " does not exist",
            " not found",
        ]
        .iter()
        .find_map(|suffix| message.strip_suffix(suffix))?;
        let (kind, name) = rest.split_once(' ')?;
        let known = [
            "User",
            "Role",
            "Group",
            "Policy",
            "Instance profile",
            "Device",
        ];
        let (kind, name) = match known.iter().find(|k| rest.starts_with(&format!("{k} "))) {
            Some(k) => (*k, &rest[k.len() + 1..]),
            None => (kind, name),
        };
        // Only the kinds above, each followed by one name ("Policy version not found" is not one).
        if !known.contains(&kind) || name.is_empty() || name.contains(' ') || name == "version" {
            return None;
        }
        (kind.to_string(), name.to_string())
    };
    let mut kind = kind;
    if let Some(first) = kind.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    Some((kind, name.trim_end_matches('.').to_string()))
}

/// Where to check a name that was not found, by the entity's kind.
pub(super) fn not_found_hint(kind: Option<&str>) -> &'static str {
    match kind.map(str::to_ascii_lowercase).as_deref() {
        Some("user") => "Check the user name (IAM names are case-sensitive) with list_users.",
        Some("role") => "Check the role name (IAM names are case-sensitive) with list_roles.",
        Some("group") => "Check the group name (IAM names are case-sensitive) with list_groups.",
        Some("policy") => {
            "Check the policy ARN (account id, path and name; AWS-managed policies are arn:aws:iam::aws:policy/NAME) with list_policies."
        }
        Some("instance profile") => {
            "Check the instance profile name (IAM names are case-sensitive) with list_instance_profiles."
        }
        _ => {
            "Check the name (IAM names are case-sensitive) with the matching list tool, e.g. list_users, list_roles, list_groups or list_policies."
        }
    }
}

impl ToolError {
    /// AWS's DeleteConflict on the delete operation of `tool`, a tool that takes
    /// `force: true` (it has force-delete steps) and deletes `entity`: the hint offers it.
    /// Other errors are left as they are.
    pub fn offering_force(mut self, tool: &str, entity: &str) -> Self {
        if self.code.as_deref() == Some("DeleteConflict") {
            self.hint = Some(format!(
                "Tell the user what still blocks the deletion (above). If they want it gone anyway, call {tool} again with `force: true`: the server then removes everything IAM requires gone first, then the {entity}. Call it with `force: true, dry_run: true` first to get that plan without changing anything."
            ));
        }
        self
    }
}

/// `User: arn:aws:iam::123456789012:user/x is not authorized ...` -> the caller's ARN.
pub(super) fn denied_principal(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("User: ")?;
    let arn = rest.split_whitespace().next()?;
    arn.starts_with("arn:").then_some(arn)
}

pub(super) fn service_error(op: &OperationSpec, code: &str, message: &str) -> ToolError {
    let aws = |text: String| ToolError::new(ErrorKind::Aws, text);
    match code {
        "NoSuchEntity" => {
            let entity = entity_of(message);
            match &entity {
                Some((kind, name)) => aws(format!("{kind} '{name}' not found. ({message})")),
                None => aws(format!("Not found: {message}")),
            }
            .with_hint(not_found_hint(entity.as_ref().map(|(kind, _)| kind.as_str())))
        }
        "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" => {
            let resource = message
                .split(" on resource: ")
                .nth(1)
                .and_then(|r| r.split_whitespace().next())
                .unwrap_or("*");
            let who = denied_principal(message).map(|arn| format!(" ({arn})")).unwrap_or_default();
            aws(format!(
                "User lacks permission: {action}\nRequired permissions: {action} on resource: {resource}\nAWS said: {message}",
                action = op.action
            ))
            .with_hint(format!(
                "Grant the server's AWS identity{who} {action} (an administrator must change its IAM policy; the assistant cannot); `iam-mcp-server permissions` prints the whole policy the server needs. Then retry.",
                action = op.action
            ))
        }
        "EntityAlreadyExists" => aws(format!("Already exists: {message}"))
            .with_hint("Pick another name, or use the existing entity (read it with the matching get tool)."),
        // A tool that can force the delete says so instead (`offering_force`).
        "DeleteConflict" => aws(format!("Cannot delete yet: {message}"))
            .with_hint("Remove what is still attached first (get_user / get_group / get_role list it: group memberships, members, attached and inline policies, access keys), then retry."),
        "LimitExceeded" => aws(format!("An IAM quota was reached: {message}"))
            .with_hint("Remove unused items (e.g. an old access key or policy version) or ask AWS for a higher quota; see IAM and STS quotas in the IAM User Guide."),
        "MalformedPolicyDocument" => aws(format!("The policy document was rejected: {message}"))
            .with_hint("Fix the document (Version \"2012-10-17\", Statement with Effect, Action and Resource; validate_policy checks it) and retry."),
        "InvalidInput" | "ValidationError" => aws(format!("IAM rejected an argument: {message}"))
            .with_hint("Correct the argument named in the message and retry."),
        "Throttling" | "ThrottlingException" | "RequestLimitExceeded" => aws(format!("IAM is throttling requests (after the SDK's retries): {message}"))
            .with_hint("Wait a few seconds and retry; use fewer calls (e.g. max_items) if it keeps happening."),
        "ConcurrentModification" => aws(format!("Another change to this entity is in progress: {message}"))
            .with_hint("Retry in a few seconds; nothing was changed by this call."),
        "InvalidClientTokenId" | "SignatureDoesNotMatch" | "UnrecognizedClientException" => aws(format!("AWS rejected the server's credentials: {message}"))
            .with_hint("Check AWS_PROFILE / AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY for this server, then restart it."),
        "ExpiredToken" | "ExpiredTokenException" | "TokenRefreshRequired" => aws(format!("The server's AWS credentials have expired: {message}"))
            .with_hint(format!(
                "Refresh them (e.g. `{}` for an SSO profile) and retry.",
                std::env::var("AWS_PROFILE")
                    .ok()
                    .filter(|p| !p.is_empty())
                    .map(|p| sso_login_command(Some(&p)))
                    .unwrap_or_else(|| "aws sso login --profile <profile>".to_string())
            )),
        "ServiceFailure" | "InternalFailure" | "ServiceUnavailable" => aws(format!("IAM failed on its side: {message}"))
            .with_hint("Retry later."),
        _ => aws(format!("IAM returned {code}: {message}")),
    }
}

/// `aws sso login --profile dev`, or plain `aws sso login` for the default profile.
pub(super) fn sso_login_command(profile: Option<&str>) -> String {
    match profile.filter(|p| !p.is_empty()) {
        Some(p) => format!("aws sso login --profile {p}"),
        None => "aws sso login".to_string(),
    }
}
