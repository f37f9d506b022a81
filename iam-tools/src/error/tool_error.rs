//! The error a tool answers with: its kind, the message and hint an assistant can act on,
//! and how it renders.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The arguments did not parse or broke a constraint.
    InvalidArguments,
    /// A write tool was called on a read-only server, or a tool outside the toolsets.
    Refused,
    /// The server's AWS configuration is missing or wrong: no credentials, an undefined
    /// profile, a Region that is not one.
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
    /// Boxed: every `Result` of the runtime carries a `ToolError`, so it is kept small.
    pub request_id: Option<Box<str>>,
    /// `iam:GetUser`
    pub action: Option<&'static str>,
    /// Not a failure: the call needs the human's answer first (MCP 2026-07-28), and this
    /// is what the client is to ask and send back. Nothing was changed.
    pub input_required: Option<Box<rmcp::model::InputRequiredResult>>,
}

impl ToolError {
    pub(super) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        ToolError {
            kind,
            message: message.into(),
            hint: None,
            code: None,
            request_id: None,
            action: None,
            input_required: None,
        }
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

    /// The call waits for the client to ask the human (an input-required result).
    pub fn input_required(result: rmcp::model::InputRequiredResult) -> Self {
        let mut e = Self::new(
            ErrorKind::ConsentRequired,
            "waiting for the user's answer (input required)",
        );
        e.input_required = Some(Box::new(result));
        e
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// No credentials anywhere in the chain; `why` adds what else the chain met.
    pub fn no_credentials(why: Option<&str>) -> Self {
        Self::new(
            ErrorKind::Credentials,
            "Unable to locate credentials. Configure AWS credentials using:\n\
             - AWS_PROFILE environment variable\n\
             - AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY\n\
             - IAM role (when running on AWS)",
        )
        .with_hint(format!(
            "Run `aws configure` or `aws sso login --profile NAME`, set AWS_PROFILE (or the keys) in the MCP client's `env` for this server, and restart it. Nothing was sent to IAM.{}",
            why.map(|w| format!(" {w}")).unwrap_or_default()
        ))
    }

    /// AWS's NoSuchEntity: the entity named is not there.
    pub fn is_not_found(&self) -> bool {
        self.code.as_deref() == Some("NoSuchEntity")
    }

    /// A not-found error saying the account it was looked up in.
    pub fn in_account(mut self, account: &str) -> Self {
        const NOT_FOUND: &str = " not found.";
        if let Some(at) = self.message.find(NOT_FOUND).filter(|_| self.is_not_found()) {
            self.message.replace_range(
                at..at + NOT_FOUND.len(),
                &format!(" not found in account {account}."),
            );
        }
        self
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
