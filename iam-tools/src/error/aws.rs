//! SDK errors read as an assistant needs them: missing credentials, SSO sessions, HTTP
//! answers without an AWS error code, request ids.

use super::credentials::{REGION_VARIABLES, aws_setting, causes, credentials_failure};
use super::hints::service_error;
use super::tool_error::{ErrorKind, ToolError};
use crate::catalog::OperationSpec;
use aws_sdk_iam::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_iam::operation::RequestId;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use std::fmt;

impl ToolError {
    /// Maps an SDK failure of operation `op`.
    pub fn aws<E, R>(op: &'static OperationSpec, err: SdkError<E, R>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: fmt::Debug + Send + Sync + 'static,
    {
        // The credential chain failed: nothing was sent to IAM.
        if !matches!(err, SdkError::ServiceError(_))
            && let Some(mut e) = credentials_failure(&err)
        {
            e.action = Some(op.action);
            return e;
        }
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
            SdkError::TimeoutError(_) => Self::new(ErrorKind::Network, format!("{} timed out before IAM answered.", op.action))
                .with_hint("Check the network path to the IAM endpoint (AWS_ENDPOINT_URL if set) and retry."),
            SdkError::DispatchFailure(_) => Self::new(
                ErrorKind::Network,
                format!("{} could not reach the IAM endpoint{}: {}.", op.action, endpoint_named(), causes(&err)),
            )
            .with_hint("Check network access to the IAM endpoint (and AWS_ENDPOINT_URL, if set), then retry."),
            SdkError::ResponseError(_) => Self::new(
                ErrorKind::Network,
                format!("{}: the IAM endpoint's answer could not be read: {}.", op.action, causes(&err)),
            )
            .with_hint("The endpoint may not be IAM (check AWS_ENDPOINT_URL); retry later if it is."),
            _ if DisplayErrorContext(&err).to_string().contains("field: `region`") => Self::new(
                ErrorKind::Credentials,
                format!("{} could not be sent: {} is not an AWS Region name. Nothing was sent to IAM.", op.action, region_named()),
            )
            .with_hint("Set AWS_REGION (or the profile's `region`) to a Region such as us-east-1 in the MCP client's `env` for this server, or leave it out (IAM is global; us-east-1 is used), then restart the server."),
            _ => Self::new(ErrorKind::Internal, format!("{} could not be sent: {}.", op.action, causes(&err))),
        };
        out.action = Some(op.action);
        out
    }
}

/// The SDK's HTTP response, when `raw` is one (it is for every SDK client).
pub(super) fn http_response<R: 'static>(raw: &R) -> Option<&HttpResponse> {
    (raw as &dyn std::any::Any).downcast_ref::<HttpResponse>()
}

pub(super) fn header_request_id(raw: &HttpResponse) -> Option<&str> {
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

pub(super) fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The most of an endpoint's answer an error message quotes.
pub(super) const EXCERPT_CHARS: usize = 300;

/// A short, readable excerpt of an error body: the text of an HTML page (no tags, scripts
/// or styles, repeated headings once), whitespace collapsed, at most [`EXCERPT_CHARS`].
pub(super) fn excerpt(body: &[u8]) -> Option<String> {
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

pub(super) fn reason(status: u16) -> &'static str {
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

/// The Region the server was configured with, and where it came from.
fn region_named() -> String {
    REGION_VARIABLES
        .iter()
        .find_map(|name| aws_setting(name).map(|value| format!("the Region `{value}` ({name})")))
        .unwrap_or_else(|| "the `region` of the AWS profile".into())
}

/// " (URL)" for an endpoint set by AWS_ENDPOINT_URL(_IAM), else nothing.
fn endpoint_named() -> String {
    custom_endpoint()
        .map(|url| format!(" ({url})"))
        .unwrap_or_default()
}

/// The endpoint the server talks to, when it is not AWS's own.
pub(super) fn custom_endpoint() -> Option<String> {
    ["AWS_ENDPOINT_URL_IAM", "AWS_ENDPOINT_URL"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
}

/// An error answer without an AWS error code (an HTML 500 page, an empty 403): its HTTP
/// status, a short excerpt of its body and what to do.
pub(super) fn codeless_answer(
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
