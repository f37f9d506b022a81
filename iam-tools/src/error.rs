//! Errors an assistant can act on: what happened, what to do, and AWS's own code, message
//! and request id. Every failure of a tool call becomes one of these and reaches the model
//! as an `isError` result, never as a masked protocol error.

use crate::spec::OperationSpec;
use aws_sdk_iam::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_iam::operation::RequestId;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The arguments did not parse or broke a constraint.
    InvalidArguments,
    /// A write tool was called on a read-only server, or a tool outside the toolsets.
    Refused,
    /// No credentials could be found.
    Credentials,
    /// AWS answered with an error.
    Aws,
    /// AWS could not be reached or its answer could not be read.
    Network,
    /// A bug or an unexpected state in the server.
    Internal,
    /// A write waits for the human's consent (or was declined); nothing was changed.
    ConsentRequired,
}

/// A failed tool call.
#[derive(Clone, Debug)]
pub struct ToolError {
    pub kind: ErrorKind,
    /// What happened, in a sentence an assistant can relay.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
    /// AWS's error code (`NoSuchEntity`).
    pub code: Option<String>,
    pub request_id: Option<String>,
    /// `iam:GetUser`
    pub action: Option<&'static str>,
}

impl ToolError {
    fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        ToolError { kind, message: message.into(), hint: None, code: None, request_id: None, action: None }
    }

    pub fn invalid_arguments(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidArguments, message)
    }

    pub fn refused(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Refused, message)
    }

    pub fn consent_required(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::ConsentRequired, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The brief's message when no credentials can be found.
    pub fn no_credentials(detail: &str) -> Self {
        Self::new(
            ErrorKind::Credentials,
            "Unable to locate credentials. Configure AWS credentials using:\n\
             - AWS_PROFILE environment variable\n\
             - AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY\n\
             - IAM role (when running on AWS)",
        )
        .with_hint(format!(
            "Set one of these in the MCP client's `env` for this server and restart it. ({detail})"
        ))
    }

    /// Maps an SDK failure of operation `op`.
    pub fn aws<E, R>(op: &'static OperationSpec, err: SdkError<E, R>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: fmt::Debug + Send + Sync + 'static,
    {
        let mut out = match &err {
            SdkError::ServiceError(_) => {
                let code = err.code().unwrap_or("Unknown").to_string();
                let message = err.message().unwrap_or("").to_string();
                let mut e = service_error(op, &code, &message);
                e.code = Some(code);
                e.request_id = err.meta().request_id().map(str::to_string);
                e
            }
            _ if credentials_missing(&err) => Self::no_credentials(&DisplayErrorContext(&err).to_string()),
            SdkError::TimeoutError(_) => Self::new(ErrorKind::Network, format!("{} timed out before IAM answered.", op.action))
                .with_hint("Check the network path to the IAM endpoint (AWS_ENDPOINT_URL if set) and retry."),
            SdkError::DispatchFailure(_) => Self::new(
                ErrorKind::Network,
                format!("{} could not reach the IAM endpoint: {}", op.action, DisplayErrorContext(&err)),
            )
            .with_hint("Check network access to the IAM endpoint (and AWS_ENDPOINT_URL, if set), then retry."),
            SdkError::ResponseError(_) => Self::new(
                ErrorKind::Network,
                format!("{}: the IAM endpoint's answer could not be read: {}", op.action, DisplayErrorContext(&err)),
            )
            .with_hint("The endpoint may not be IAM (check AWS_ENDPOINT_URL); retry later if it is."),
            _ => Self::new(ErrorKind::Internal, format!("{} could not be sent: {}", op.action, DisplayErrorContext(&err))),
        };
        out.action = Some(op.action);
        out
    }

    /// An AWS-style service error (`NoSuchEntity`, ...) of operation `op` that did not come
    /// through the SDK (an account file's answer): rendered as AWS's own would be.
    pub fn service(op: &'static OperationSpec, code: &str, message: &str) -> Self {
        let mut e = service_error(op, code, message);
        e.code = Some(code.to_string());
        e.action = Some(op.action);
        e
    }

    /// The text the assistant reads.
    pub fn render(&self) -> String {
        let mut text = self.message.clone();
        if let Some(hint) = &self.hint {
            text.push_str("\nWhat to do: ");
            text.push_str(hint);
        }
        let mut details = Vec::new();
        if let Some(code) = &self.code {
            details.push(format!("AWS error code: {code}"));
        }
        if let Some(action) = self.action {
            details.push(format!("action: {action}"));
        }
        if let Some(id) = &self.request_id {
            details.push(format!("request id: {id}"));
        }
        if !details.is_empty() {
            text.push_str(&format!("\n({})", details.join(", ")));
        }
        text
    }
}

impl fmt::Display for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

fn credentials_missing(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut source = Some(err);
    while let Some(e) = source {
        if let Some(c) = e.downcast_ref::<aws_credential_types::provider::error::CredentialsError>() {
            return matches!(c, aws_credential_types::provider::error::CredentialsError::CredentialsNotLoaded(_));
        }
        source = e.source();
    }
    false
}

/// `"The user with name bob cannot be found."` -> `("User", "bob")`.
fn entity_of(message: &str) -> Option<(String, String)> {
    let rest = message.strip_prefix("The ")?;
    let (kind, rest) = rest.split_once(" with name ")?;
    let name = rest.split(" cannot be found").next()?.trim_end_matches('.');
    let mut kind = kind.to_string();
    if let Some(first) = kind.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    Some((kind, name.to_string()))
}

fn service_error(op: &OperationSpec, code: &str, message: &str) -> ToolError {
    let aws = |text: String| ToolError::new(ErrorKind::Aws, text);
    match code {
        "NoSuchEntity" => match entity_of(message) {
            Some((kind, name)) => aws(format!("{kind} '{name}' not found. ({message})")),
            None => aws(format!("Not found: {message}")),
        }
        .with_hint("Check the name (IAM names are case-sensitive) with the matching list tool, e.g. list_users or list_groups."),
        "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" => {
            let resource = message
                .split(" on resource: ")
                .nth(1)
                .and_then(|r| r.split_whitespace().next())
                .unwrap_or("*");
            aws(format!(
                "User lacks permission: {action}\nRequired permissions: {action} on resource: {resource}\nAWS said: {message}",
                action = op.action
            ))
            .with_hint("Grant the server's AWS identity this action; `iam-mcp-server permissions` prints the whole policy the server needs.")
        }
        "EntityAlreadyExists" => aws(format!("Already exists: {message}"))
            .with_hint("Pick another name, or use the existing entity (read it with the matching get tool)."),
        "DeleteConflict" => aws(format!("Cannot delete yet: {message}"))
            .with_hint("Remove what is still attached first (get_user / get_group list it: group memberships, members, attached and inline policies, access keys), then retry."),
        "LimitExceeded" => aws(format!("An IAM quota was reached: {message}"))
            .with_hint("Remove unused items or ask AWS for a higher quota; see IAM and STS quotas in the IAM User Guide."),
        "MalformedPolicyDocument" => aws(format!("The policy document was rejected: {message}"))
            .with_hint("Fix the document (Version \"2012-10-17\", Statement with Effect, Action and Resource) and retry."),
        "InvalidInput" | "ValidationError" => aws(format!("IAM rejected an argument: {message}"))
            .with_hint("Correct the argument named in the message and retry."),
        "Throttling" | "ThrottlingException" | "RequestLimitExceeded" => aws(format!("IAM is throttling requests (after the SDK's retries): {message}"))
            .with_hint("Wait a few seconds and retry; use fewer calls (e.g. max_items) if it keeps happening."),
        "ConcurrentModification" => aws(format!("Another change to this entity is in progress: {message}"))
            .with_hint("Retry in a few seconds."),
        "InvalidClientTokenId" | "SignatureDoesNotMatch" | "UnrecognizedClientException" => aws(format!("AWS rejected the server's credentials: {message}"))
            .with_hint("Check AWS_PROFILE / AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY for this server, then restart it."),
        "ExpiredToken" | "ExpiredTokenException" | "TokenRefreshRequired" => aws(format!("The server's AWS credentials have expired: {message}"))
            .with_hint("Refresh them (e.g. `aws sso login --profile <profile>`) and retry."),
        "ServiceFailure" | "InternalFailure" | "ServiceUnavailable" => aws(format!("IAM failed on its side: {message}"))
            .with_hint("Retry later."),
        _ => aws(format!("IAM returned {code}: {message}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_names_the_entity() {
        assert_eq!(entity_of("The user with name bob cannot be found."), Some(("User".into(), "bob".into())));
        let op = OperationSpec { name: "GetUser", action: "iam:GetUser", access: crate::spec::Access::Read };
        let e = service_error(&op, "NoSuchEntity", "The user with name john.doe cannot be found.");
        assert!(e.render().starts_with("User 'john.doe' not found."), "{}", e.render());
    }

    #[test]
    fn access_denied_names_the_action() {
        let op = OperationSpec { name: "CreateUser", action: "iam:CreateUser", access: crate::spec::Access::Write };
        let e = service_error(&op, "AccessDenied", "User: arn:aws:iam::123456789012:user/x is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::123456789012:user/bob because no identity-based policy allows it");
        let text = e.render();
        assert!(text.starts_with("User lacks permission: iam:CreateUser\nRequired permissions: iam:CreateUser on resource: arn:aws:iam::123456789012:user/bob"), "{text}");
    }
}
