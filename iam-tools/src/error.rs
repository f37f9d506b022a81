//! Errors an assistant can act on: what happened, what to do, and AWS's own code, message
//! and request id. Every failure of a tool call becomes one of these and reaches the model
//! as an `isError` result, never as a masked protocol error.

use crate::catalog::OperationSpec;
use aws_sdk_iam::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_iam::operation::RequestId;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
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
    /// Boxed: every `Result` of the runtime carries a `ToolError`, so it is kept small.
    pub request_id: Option<Box<str>>,
    /// `iam:GetUser`
    pub action: Option<&'static str>,
    /// Not a failure: the call needs the human's answer first (MCP 2026-07-28), and this
    /// is what the client is to ask and send back. Nothing was changed.
    pub input_required: Option<Box<rmcp::model::InputRequiredResult>>,
}

impl ToolError {
    fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
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
            SdkError::ServiceError(context) => {
                let raw = http_response(context.raw());
                let code = err.code().filter(|c| !c.is_empty() && *c != "Unknown");
                let request_id = err.meta().request_id().or_else(|| raw.and_then(header_request_id)).map(Box::from);
                let body = raw.and_then(|r| r.body().bytes()).unwrap_or_default();
                // An answer the SDK could not read a code from (moto's `<Errors><Error>`
                // wrapper, a proxy's page): the code and message in the body, if any.
                let scanned = if code.is_none() { error_in_body(body) } else { None };
                let mut e = match (code, scanned) {
                    (Some(code), _) => {
                        let mut e = service_error(op, code, err.message().unwrap_or(""));
                        e.code = Some(code.to_string());
                        e
                    }
                    (None, Some((code, message))) => {
                        let mut e = service_error(op, &code, &message);
                        e.code = Some(code);
                        e
                    }
                    (None, None) => codeless_answer(op, raw.map(|r| r.status().as_u16()), body, err.message(), custom_endpoint()),
                };
                e.request_id = request_id;
                e
            }
            _ if credentials_missing(&err) => Self::no_credentials(&DisplayErrorContext(&err).to_string()),
            _ if sso_problem(&err).is_some() => {
                let (problem, reason) = sso_problem(&err).unwrap_or((SsoProblem::Expired, String::new()));
                Self::sso_login(problem, std::env::var("AWS_PROFILE").ok().as_deref(), &reason)
            }
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

    /// The server's credentials come from an AWS SSO (IAM Identity Center) profile whose
    /// cached token has expired (or was never created): only the user can log in again.
    fn sso_login(problem: SsoProblem, profile: Option<&str>, detail: &str) -> Self {
        let profile = profile.filter(|p| !p.is_empty());
        let profile_text = profile
            .map(|p| format!(" of profile '{p}'"))
            .unwrap_or_default();
        let what = match problem {
            SsoProblem::Expired => {
                format!("The AWS SSO (IAM Identity Center) session{profile_text} has expired")
            }
            SsoProblem::NotLoggedIn => format!(
                "There is no AWS SSO (IAM Identity Center) session{profile_text} on this machine"
            ),
        };
        Self::new(ErrorKind::Credentials, format!("{what}, so the server has no AWS credentials. Nothing was sent to IAM."))
            .with_hint(format!(
                "Ask the user to run `{}` in a terminal, then retry this call (no restart needed). (AWS SDK: {detail})",
                sso_login_command(profile)
            ))
    }

    /// An AWS-style service error (`NoSuchEntity`, ...) of operation `op` that did not come
    /// through the SDK (an account file's answer): rendered as AWS's own would be.
    pub fn service(op: &'static OperationSpec, code: &str, message: &str) -> Self {
        let mut e = service_error(op, code, message);
        e.code = Some(code.to_string());
        e.action = Some(op.action);
        e
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

fn credentials_missing(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut source = Some(err);
    while let Some(e) = source {
        if let Some(c) = e.downcast_ref::<aws_credential_types::provider::error::CredentialsError>()
        {
            return matches!(
                c,
                aws_credential_types::provider::error::CredentialsError::CredentialsNotLoaded(_)
            );
        }
        source = e.source();
    }
    false
}

/// Why SSO credentials could not be loaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SsoProblem {
    /// The cached token is past its expiry and cannot be refreshed.
    Expired,
    /// No cached token: `aws sso login` was never run (or its cache was removed).
    NotLoggedIn,
}

/// The SSO problem in an error's chain, with aws-config's own words for it (its innermost
/// error that says so). aws-config's SSO token provider errors are private types; their
/// text is what can be matched. A profile with an `sso_session`: "the SSO token has expired
/// and cannot be refreshed", "failed to load the cached SSO token". The older form (the
/// start URL in the profile): "failed to read `~/.aws/sso/cache/<sha1>.json`" when there is
/// no token, and an expired token is sent as it is, so the portal's UnauthorizedException.
fn sso_problem(err: &(dyn std::error::Error + 'static)) -> Option<(SsoProblem, String)> {
    let mut found = None;
    let mut source = Some(err);
    while let Some(e) = source {
        let text = e.to_string();
        let with_cause = || {
            e.source()
                .map(|cause| format!("{text}: {cause}"))
                .unwrap_or_else(|| text.clone())
        };
        if text.contains("SSO token has expired") {
            found = Some((SsoProblem::Expired, text.clone()));
        } else if text.contains("failed to load the cached SSO token") || is_sso_cache_read(&text) {
            found = Some((SsoProblem::NotLoggedIn, with_cause()));
        } else if e
            .downcast_ref::<aws_sdk_sso::operation::get_role_credentials::GetRoleCredentialsError>()
            .is_some_and(|e| e.is_unauthorized_exception())
        {
            found = Some((
                SsoProblem::Expired,
                format!("the SSO portal refused the cached token: {text}"),
            ));
        }
        source = e.source();
    }
    found
}

/// aws-config's "failed to read `<home>/.aws/sso/cache/<sha1>.json`" (any path separator).
fn is_sso_cache_read(text: &str) -> bool {
    text.starts_with("failed to read `") && text.replace('\\', "/").contains("/sso/cache/")
}

/// `aws sso login --profile dev`, or plain `aws sso login` for the default profile.
fn sso_login_command(profile: Option<&str>) -> String {
    match profile.filter(|p| !p.is_empty()) {
        Some(p) => format!("aws sso login --profile {p}"),
        None => "aws sso login".to_string(),
    }
}

/// The SDK's HTTP response, when `raw` is one (it is for every SDK client).
fn http_response<R: 'static>(raw: &R) -> Option<&HttpResponse> {
    (raw as &dyn std::any::Any).downcast_ref::<HttpResponse>()
}

fn header_request_id(raw: &HttpResponse) -> Option<&str> {
    raw.headers()
        .get("x-amzn-requestid")
        .or_else(|| raw.headers().get("x-amz-request-id"))
}

/// The first `<Code>` (and `<Message>`) of an XML error body (one the SDK could not parse,
/// or one the call log reads).
pub(crate) fn error_in_body(body: &[u8]) -> Option<(String, String)> {
    let text = std::str::from_utf8(body).ok()?;
    let element = |name: &str| {
        let start = text.find(&format!("<{name}>"))? + name.len() + 2;
        let end = start + text[start..].find(&format!("</{name}>"))?;
        Some(unescape(text[start..end].trim()))
    };
    let code = element("Code")
        .filter(|c| !c.is_empty() && c.len() <= 100 && !c.contains(char::is_whitespace))?;
    Some((code, element("Message").unwrap_or_default()))
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The most of an endpoint's answer an error message quotes.
const EXCERPT_CHARS: usize = 300;

/// A short, readable excerpt of an error body: the text of an HTML page (no tags, scripts
/// or styles, repeated headings once), whitespace collapsed, at most [`EXCERPT_CHARS`].
fn excerpt(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let mut segments: Vec<String> = Vec::new();
    let mut rest: &str = &text;
    let push = |segment: &str, segments: &mut Vec<String>| {
        let segment = unescape(&segment.split_whitespace().collect::<Vec<_>>().join(" "));
        if segment.is_empty() || segments.last().is_some_and(|last| last.contains(&segment)) {
            return;
        }
        segments.push(segment);
    };
    while let Some(open) = rest.find('<') {
        push(&rest[..open], &mut segments);
        let after = &rest[open..];
        let tag = after[1..]
            .split(|c: char| c.is_whitespace() || c == '>')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let Some(close) = after.find('>') else {
            rest = "";
            break;
        };
        rest = &after[close + 1..];
        if tag == "script" || tag == "style" {
            let end = format!("</{tag}");
            rest = match rest.to_ascii_lowercase().find(&end) {
                Some(at) => &rest[at..],
                None => "",
            };
        }
    }
    push(rest, &mut segments);
    let mut out = String::new();
    for segment in segments {
        if !out.is_empty() {
            out.push_str(if out.ends_with(['.', '!', '?', ':']) {
                " "
            } else {
                ". "
            });
        }
        out.push_str(&segment);
    }
    if out.chars().count() > EXCERPT_CHARS {
        out = out
            .chars()
            .take(EXCERPT_CHARS)
            .collect::<String>()
            .trim_end()
            .to_string()
            + "…";
    }
    (!out.is_empty()).then_some(out)
}

fn reason(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

/// The endpoint the server talks to, when it is not AWS's own.
fn custom_endpoint() -> Option<String> {
    ["AWS_ENDPOINT_URL_IAM", "AWS_ENDPOINT_URL"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
}

/// An error answer without an AWS error code (an HTML 500 page, an empty 403): its HTTP
/// status, a short excerpt of its body and what to do.
fn codeless_answer(
    op: &OperationSpec,
    status: Option<u16>,
    body: &[u8],
    message: Option<&str>,
    endpoint: Option<String>,
) -> ToolError {
    let endpoint = endpoint
        .map(|e| format!("The IAM endpoint {e}"))
        .unwrap_or_else(|| "IAM".to_string());
    let status_text = match status {
        Some(n) if !reason(n).is_empty() => format!("HTTP status {n} ({})", reason(n)),
        Some(n) => format!("HTTP status {n}"),
        None => "an error".to_string(),
    };
    let server_side = status.is_some_and(|n| n >= 500);
    // The SDK retries these statuses (transient errors) before giving up.
    let retried = matches!(status, Some(500 | 502 | 503 | 504));
    let mut text = if server_side {
        format!(
            "{endpoint} failed with {status_text} on {}{}, and sent no AWS error code.",
            op.action,
            if retried {
                " (after the SDK's retries)"
            } else {
                ""
            }
        )
    } else {
        format!(
            "{endpoint} answered {} with {status_text} and no AWS error code.",
            op.action
        )
    };
    match excerpt(body).or_else(|| message.filter(|m| !m.trim().is_empty()).map(str::to_string)) {
        Some(answer) => text.push_str(&format!("\nIts answer: \"{answer}\"")),
        None => text.push_str(" Its answer had no body."),
    }
    let hint = if server_side {
        format!(
            "Retry in a while. If this call keeps failing while others work, the endpoint may not support {} (an IAM emulator or a proxy set in AWS_ENDPOINT_URL): check its logs, or run the server against AWS IAM.",
            op.action
        )
    } else {
        "The answer is not an IAM error: check AWS_ENDPOINT_URL (and any proxy between the server and IAM), then retry.".to_string()
    };
    ToolError::new(ErrorKind::Aws, text).with_hint(hint)
}

/// The entity a NoSuchEntity message names, as (kind, name): AWS's
/// `"The user with name bob cannot be found."` and `"Policy arn:... was not found."`, and
/// the `"Role bob not found"` of IAM emulators.
fn entity_of(message: &str) -> Option<(String, String)> {
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
fn not_found_hint(kind: Option<&str>) -> &'static str {
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

/// The tool (and what it deletes) behind a delete operation that takes `force: true`.
fn force_tool(operation: &str) -> Option<(&'static str, &'static str)> {
    match operation {
        "DeleteUser" => Some(("delete_user", "user")),
        "DeleteGroup" => Some(("delete_group", "group")),
        "DeleteRole" => Some(("delete_role", "role")),
        "DeletePolicy" => Some(("delete_policy", "policy")),
        _ => None,
    }
}

/// `User: arn:aws:iam::123456789012:user/x is not authorized ...` -> the caller's ARN.
fn denied_principal(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("User: ")?;
    let arn = rest.split_whitespace().next()?;
    arn.starts_with("arn:").then_some(arn)
}

fn service_error(op: &OperationSpec, code: &str, message: &str) -> ToolError {
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
        "DeleteConflict" => {
            let hint = match force_tool(op.name) {
                Some((tool, entity)) => format!(
                    "Tell the user what still blocks the deletion (above). If they want it gone anyway, call {tool} again with `force: true`: the server then removes everything IAM requires gone first, then the {entity}. Call it with `force: true, dry_run: true` first to get that plan without changing anything."
                ),
                None => "Remove what is still attached first (get_user / get_group / get_role list it: group memberships, members, attached and inline policies, access keys), then retry.".to_string(),
            };
            aws(format!("Cannot delete yet: {message}")).with_hint(hint)
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_names_the_entity() {
        assert_eq!(
            entity_of("The user with name bob cannot be found."),
            Some(("User".into(), "bob".into()))
        );
        let op = OperationSpec {
            name: "GetUser",
            action: "iam:GetUser",
            access: crate::catalog::Access::Read,
        };
        let e = service_error(
            &op,
            "NoSuchEntity",
            "The user with name john.doe cannot be found.",
        );
        assert!(
            e.render().starts_with("User 'john.doe' not found."),
            "{}",
            e.render()
        );
    }

    #[test]
    fn access_denied_names_the_action() {
        let op = OperationSpec {
            name: "CreateUser",
            action: "iam:CreateUser",
            access: crate::catalog::Access::Write,
        };
        let e = service_error(
            &op,
            "AccessDenied",
            "User: arn:aws:iam::123456789012:user/x is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::123456789012:user/bob because no identity-based policy allows it",
        );
        let text = e.render();
        assert!(text.starts_with("User lacks permission: iam:CreateUser\nRequired permissions: iam:CreateUser on resource: arn:aws:iam::123456789012:user/bob"), "{text}");
    }

    const MOTO_500: &str = "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.</p>\n";

    fn op(name: &'static str, action: &'static str) -> &'static OperationSpec {
        Box::leak(Box::new(OperationSpec {
            name,
            action,
            access: crate::catalog::Access::Write,
        }))
    }

    fn sdk_error(
        status: u16,
        body: &str,
    ) -> SdkError<
        aws_sdk_iam::operation::put_user_permissions_boundary::PutUserPermissionsBoundaryError,
        HttpResponse,
    > {
        let meta = aws_smithy_types::error::ErrorMetadata::builder().build();
        let raw = HttpResponse::new(
            status.try_into().unwrap(),
            aws_smithy_types::body::SdkBody::from(body.to_string()),
        );
        SdkError::service_error(aws_sdk_iam::operation::put_user_permissions_boundary::PutUserPermissionsBoundaryError::generic(meta), raw)
    }

    #[test]
    fn not_found_reads_aws_and_emulator_messages() {
        assert_eq!(
            entity_of("The role with name app cannot be found."),
            Some(("Role".into(), "app".into()))
        );
        assert_eq!(
            entity_of("Policy arn:aws:iam::123456789012:policy/x was not found."),
            Some(("Policy".into(), "arn:aws:iam::123456789012:policy/x".into()))
        );
        assert_eq!(
            entity_of("Role ghost not found"),
            Some(("Role".into(), "ghost".into()))
        );
        assert_eq!(
            entity_of("Instance profile web not found"),
            Some(("Instance profile".into(), "web".into()))
        );
        assert_eq!(
            entity_of(
                "Policy arn:aws:iam::aws:policy/ReadOnlyAccess does not exist or is not attachable."
            ),
            Some((
                "Policy".into(),
                "arn:aws:iam::aws:policy/ReadOnlyAccess".into()
            ))
        );
        assert_eq!(entity_of("Policy version not found"), None);
        assert_eq!(entity_of("Policy not found"), None);
        assert_eq!(entity_of("Login profile for bob not found"), None);
        let e = service_error(
            op("GetRole", "iam:GetRole"),
            "NoSuchEntity",
            "Role ghost not found",
        );
        assert_eq!(
            e.render(),
            "Role 'ghost' not found. (Role ghost not found)\nWhat to do: Check the role name (IAM names are case-sensitive) with list_roles."
        );
    }

    #[test]
    fn delete_conflict_of_a_force_tool_suggests_force() {
        let e = service_error(
            op("DeleteUser", "iam:DeleteUser"),
            "DeleteConflict",
            "Cannot delete entity, must delete access keys first.",
        );
        let text = e.render();
        assert!(text.starts_with("Cannot delete yet: Cannot delete entity, must delete access keys first.\nWhat to do: Tell the user"), "{text}");
        assert!(
            text.contains("call delete_user again with `force: true`"),
            "{text}"
        );
        assert!(text.contains("`force: true, dry_run: true`"), "{text}");
        let other = service_error(
            op("DeletePolicyVersion", "iam:DeletePolicyVersion"),
            "DeleteConflict",
            "Cannot delete the default version.",
        );
        assert!(!other.render().contains("force"), "{}", other.render());
    }

    #[test]
    fn an_html_500_gives_the_status_and_a_clean_excerpt() {
        assert_eq!(
            excerpt(MOTO_500.as_bytes()).as_deref(),
            Some(
                "500 Internal Server Error. The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application."
            )
        );
        assert_eq!(excerpt(b"<html><head><style>p{color:red}</style><script>var x = '<b>';</script></head><body>Bad &amp; gone</body></html>").as_deref(), Some("Bad & gone"));
        assert_eq!(excerpt(b"  \n "), None);
        let long = "x".repeat(1000);
        assert_eq!(
            excerpt(long.as_bytes()).unwrap().chars().count(),
            EXCERPT_CHARS + 1
        );

        let boundary = op(
            "PutUserPermissionsBoundary",
            "iam:PutUserPermissionsBoundary",
        );
        let e = codeless_answer(
            boundary,
            Some(500),
            MOTO_500.as_bytes(),
            None,
            Some("http://127.0.0.1:5000".into()),
        );
        assert_eq!(
            e.render(),
            "The IAM endpoint http://127.0.0.1:5000 failed with HTTP status 500 (Internal Server Error) on iam:PutUserPermissionsBoundary \
             (after the SDK's retries), and sent no AWS error code.\n\
             Its answer: \"500 Internal Server Error. The server encountered an internal error and was unable to complete your request. \
             Either the server is overloaded or there is an error in the application.\"\n\
             What to do: Retry in a while. If this call keeps failing while others work, the endpoint may not support \
             iam:PutUserPermissionsBoundary (an IAM emulator or a proxy set in AWS_ENDPOINT_URL): check its logs, or run the server against AWS IAM."
        );
        let e = codeless_answer(boundary, Some(403), b"", None, None);
        assert!(e.render().starts_with("IAM answered iam:PutUserPermissionsBoundary with HTTP status 403 (Forbidden) and no AWS error code. Its answer had no body.\nWhat to do: The answer is not an IAM error"), "{}", e.render());
    }

    #[test]
    fn an_sdk_error_without_a_code_is_not_unknown() {
        let boundary = op(
            "PutUserPermissionsBoundary",
            "iam:PutUserPermissionsBoundary",
        );
        let text = ToolError::aws(boundary, sdk_error(500, MOTO_500)).render();
        assert!(!text.contains("Unknown"), "{text}");
        assert!(text.contains("failed with HTTP status 500 (Internal Server Error) on iam:PutUserPermissionsBoundary"), "{text}");
        assert!(
            text.contains("Its answer: \"500 Internal Server Error. The server encountered"),
            "{text}"
        );
        assert!(!text.contains('<'), "no HTML: {text}");
        assert!(
            text.ends_with("\n(action: iam:PutUserPermissionsBoundary)"),
            "{text}"
        );
    }

    #[test]
    fn an_error_body_the_sdk_cannot_parse_still_gives_its_code() {
        // moto's authorization errors wrap <Error> in <Errors>, which the SDK does not read.
        let body = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<ErrorResponse><Errors><Error><Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/reader is not authorized to perform: iam:PutUserPermissionsBoundary</Message><Type>Sender</Type></Error></Errors></ErrorResponse>";
        let e = ToolError::aws(
            op(
                "PutUserPermissionsBoundary",
                "iam:PutUserPermissionsBoundary",
            ),
            sdk_error(403, body),
        );
        assert_eq!(e.code.as_deref(), Some("AccessDenied"));
        let text = e.render();
        assert!(text.starts_with("User lacks permission: iam:PutUserPermissionsBoundary\nRequired permissions: iam:PutUserPermissionsBoundary on resource: *\n"), "{text}");
        assert!(text.contains("Grant the server's AWS identity (arn:aws:iam::123456789012:user/reader) iam:PutUserPermissionsBoundary"), "{text}");
    }

    #[test]
    fn a_missing_legacy_sso_token_file_is_recognised_on_any_platform() {
        assert!(is_sso_cache_read(
            "failed to read `/home/a/.aws/sso/cache/a517.json`"
        ));
        assert!(is_sso_cache_read(
            "failed to read `C:\\Users\\a\\.aws\\sso\\cache\\a517.json`"
        ));
        assert!(!is_sso_cache_read("failed to read `/home/a/.aws/config`"));
        assert!(!is_sso_cache_read(
            "failed to write `/home/a/.aws/sso/cache/a517.json`"
        ));
    }

    #[test]
    fn an_expired_sso_session_says_how_to_log_in() {
        let e = ToolError::sso_login(
            SsoProblem::Expired,
            Some("dev"),
            "the SSO token has expired and cannot be refreshed",
        );
        assert_eq!(
            e.render(),
            "The AWS SSO (IAM Identity Center) session of profile 'dev' has expired, so the server has no AWS credentials. Nothing was sent to IAM.\n\
             What to do: Ask the user to run `aws sso login --profile dev` in a terminal, then retry this call (no restart needed). \
             (AWS SDK: the SSO token has expired and cannot be refreshed)"
        );
        assert!(
            ToolError::sso_login(SsoProblem::NotLoggedIn, None, "d")
                .render()
                .contains("run `aws sso login` in a terminal")
        );
    }
}
