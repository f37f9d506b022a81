//! What generated handlers call: argument parsing and checks, paging, notes, messages and
//! output. A handler is thin glue over these.

use crate::JsonObject;
use crate::backend::Backend;
use crate::error::ToolError;
use crate::spec::ToolSpec;
use crate::validate::{Validate, Violations};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// A tool's future result: its structured output, or an error for the assistant.
pub type HandlerFuture<'a> = Pin<Box<dyn Future<Output = Result<Value, ToolError>> + Send + 'a>>;

/// An operation's future JSON output.
pub type OperationFuture<'a> = Pin<Box<dyn Future<Output = Result<Value, ToolError>> + Send + 'a>>;

/// The generated dispatcher: operation name and AWS-shaped JSON input to JSON output.
pub type OperationCall = for<'a> fn(&'a Backend, &'a str, Value) -> OperationFuture<'a>;

/// A generated tool handler.
pub type Handler = for<'a> fn(&'a ToolContext, JsonObject) -> HandlerFuture<'a>;

/// `all_pages` stops after this many items, and says so in the result's Note.
pub const ALL_PAGES_MAX_ITEMS: usize = 10_000;

/// Page size used by `all_pages` when the call gives no `max_items`.
pub const ALL_PAGES_PAGE_SIZE: i32 = 1000;

/// What every call of a server shares.
#[derive(Debug)]
pub struct Shared {
    pub backend: Backend,
    pub all_pages_max_items: usize,
    pub consent: crate::consent::Consent,
    pub guardrails: crate::guard::Guardrails,
    /// `--audit-log`: one JSON line per call.
    pub audit: Option<crate::audit::AuditLog>,
}

/// One tool call's view of the server.
pub struct ToolContext {
    pub tool: &'static ToolSpec,
    pub catalog: &'static crate::spec::Catalog,
    pub shared: Arc<Shared>,
    /// The MCP request (client, progress token, cancellation), when called over MCP.
    pub request: Option<rmcp::service::RequestContext<rmcp::RoleServer>>,
    /// What a 2026-07-28 client sent back when retrying after an input-required answer.
    pub retry: Option<Retry>,
}

/// A retried call's answers to the server's questions and the state it echoes.
#[derive(Debug, Clone, Default)]
pub struct Retry {
    pub input_responses: rmcp::model::InputResponses,
    pub request_state: Option<String>,
}

impl std::fmt::Debug for ToolContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToolContext")
            .field("tool", &self.tool.name)
            .finish_non_exhaustive()
    }
}

impl ToolContext {
    /// Calls IAM operation `name` (one the tool declares) with AWS-shaped JSON input.
    pub async fn call(&self, name: &str, input: Value) -> Result<Value, ToolError> {
        let action = format!("iam:{name}");
        if !self.tool.actions.contains(&action.as_str()) {
            return Err(ToolError::internal(format!(
                "{} called {action}, which its manifest entry does not declare",
                self.tool.name
            )));
        }
        (self.catalog.call)(self.backend(), name, input).await
    }

    /// Like [`Self::call`], but an entity that is not there (NoSuchEntity) is `None`.
    pub async fn call_found(&self, name: &str, input: Value) -> Result<Option<Value>, ToolError> {
        match self.call(name, input).await {
            Ok(out) => Ok(Some(out)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Like [`Self::call`], following `Marker` to the last page and appending the list
    /// field `items` of each page.
    pub async fn call_all_pages(
        &self,
        name: &str,
        input: Value,
        items: &str,
    ) -> Result<Vec<Value>, ToolError> {
        let [all] = self.call_all_pages_of(name, input, [items]).await?;
        Ok(all)
    }

    /// [`Self::call_all_pages`] for several list fields of the same pages.
    pub async fn call_all_pages_of<const N: usize>(
        &self,
        name: &str,
        input: Value,
        items: [&str; N],
    ) -> Result<[Vec<Value>; N], ToolError> {
        let mut input = input;
        let mut all: [Vec<Value>; N] = std::array::from_fn(|_| Vec::new());
        loop {
            let mut page = self.call(name, input.clone()).await?;
            for (field, into) in items.iter().zip(all.iter_mut()) {
                if let Some(Value::Array(list)) = page.get_mut(*field).map(Value::take) {
                    into.extend(list);
                }
            }
            let marker = page
                .get("Marker")
                .and_then(Value::as_str)
                .filter(|_| page["IsTruncated"] == true);
            match marker {
                Some(m)
                    if all.iter().map(Vec::len).sum::<usize>()
                        < self.shared.all_pages_max_items =>
                {
                    input["Marker"] = Value::String(m.to_string())
                }
                Some(_) => {
                    return Err(ToolError::internal(format!(
                        "{name} has more than {} {}; the server stops there",
                        self.shared.all_pages_max_items,
                        items.join(" and ")
                    )));
                }
                None => return Ok(all),
            }
        }
    }

    /// A managed policy (GetPolicy's `Policy`) and the document of its version in effect.
    pub async fn managed_policy(&self, arn: &str) -> Result<(Value, Value), ToolError> {
        let mut policy = self
            .call("GetPolicy", serde_json::json!({ "PolicyArn": arn }))
            .await?;
        let version = policy["Policy"]["DefaultVersionId"]
            .as_str()
            .unwrap_or("v1")
            .to_string();
        let mut got = self
            .call(
                "GetPolicyVersion",
                serde_json::json!({ "PolicyArn": arn, "VersionId": version }),
            )
            .await?;
        Ok((
            policy["Policy"].take(),
            got["PolicyVersion"]["Document"].take(),
        ))
    }

    pub fn backend(&self) -> &Backend {
        &self.shared.backend
    }

    /// The call's arguments as the tool's params struct, with every constraint checked.
    /// Arguments over [`MAX_ARGUMENTS_BYTES`] are refused first, before any other work.
    pub fn parse_args<P: DeserializeOwned + Validate>(
        &self,
        args: &JsonObject,
    ) -> Result<P, ToolError> {
        check_size(self.tool.name, args)?;
        let params: P = P::deserialize(args).map_err(|e| {
            ToolError::invalid_arguments(format!("Invalid arguments for {}: {}.", self.tool.name, locate_serde_error::<P>(args, e)))
                .with_hint("Send the arguments the tool's input schema lists, with those types; names are snake_case.")
        })?;
        let mut violations = Violations::default();
        params.validate(&mut violations);
        if violations.0.is_empty() {
            Ok(params)
        } else {
            Err(ToolError::invalid_arguments(format!(
                "Invalid arguments for {}:\n- {}",
                self.tool.name,
                violations.0.join("\n- ")
            ))
            .with_hint("Correct each argument listed and call again."))
        }
    }

    /// The structured result.
    pub fn output<R: Serialize>(&self, result: &R) -> Result<Value, ToolError> {
        serde_json::to_value(result)
            .map_err(|e| ToolError::internal(format!("could not encode the result: {e}")))
    }
}

/// The most JSON a call's arguments may take. IAM's own limits are far smaller (a policy
/// document is at most 10,240 characters), so bigger arguments are a mistake: refused
/// before they are parsed, checked or sent anywhere.
pub const MAX_ARGUMENTS_BYTES: usize = 1024 * 1024;

/// The size of `value` as compact JSON, without building the text.
fn json_size<T: Serialize + ?Sized>(value: &T) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    let _ = serde_json::to_writer(&mut count, value);
    count.0
}

/// Refuses arguments over [`MAX_ARGUMENTS_BYTES`], naming the biggest argument.
fn check_size(tool: &str, args: &JsonObject) -> Result<(), ToolError> {
    let total = json_size(args);
    if total <= MAX_ARGUMENTS_BYTES {
        return Ok(());
    }
    let (name, biggest) = args
        .iter()
        .map(|(k, v)| (k.as_str(), json_size(v)))
        .max_by_key(|(_, size)| *size)
        .unwrap_or(("", 0));
    Err(ToolError::invalid_arguments(format!(
        "Invalid arguments for {tool}: the arguments are {total} bytes of JSON (`{name}` alone is {biggest} bytes), over the limit of {MAX_ARGUMENTS_BYTES} bytes (1 MB); nothing was done."
    ))
    .with_hint("IAM's own limits are far smaller (a policy document is at most 10,240 characters): send the intended value."))
}

/// A serde error on a call's arguments, with the argument it is about named: serde_json's
/// errors from a `Value` carry no path, so the arguments are read again as text, one per
/// line, and the line the error is on names the argument.
fn locate_serde_error<P: DeserializeOwned>(args: &JsonObject, error: serde_json::Error) -> String {
    let message = error.to_string();
    if ["missing field", "unknown field", "duplicate field"]
        .iter()
        .any(|p| message.starts_with(p))
    {
        return message;
    }
    let Ok(text) = serde_json::to_string_pretty(args) else {
        return message;
    };
    let Err(located) = serde_json::from_str::<P>(&text) else {
        return message;
    };
    // Each argument starts on a line indented by exactly two spaces; nested values are deeper.
    let name = text
        .lines()
        .take(located.line())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .find_map(|line| {
            let rest = line.strip_prefix("  ")?;
            rest.starts_with('"').then(|| {
                serde_json::Deserializer::from_str(rest)
                    .into_iter::<String>()
                    .next()?
                    .ok()
            })?
        });
    match name {
        Some(name) => format!("`{name}`: {message}"),
        None => message,
    }
}

/// Generated for every operation input that takes a `Marker`.
pub trait PagedInput: Clone {
    fn set_marker(&mut self, marker: Option<String>);
    /// Uses the largest page when the caller set no `MaxItems`.
    fn use_large_pages(&mut self);
}

/// Generated for every operation output with `Marker` and `IsTruncated`.
pub trait PagedOutput {
    /// The marker of the next page, when there is one.
    fn next_marker(&self) -> Option<String>;
    fn item_count(&self) -> usize;
    /// Adds the next page's items; takes its marker.
    fn append(&mut self, next: Self);
    /// Marks the output as stopped before `marker`.
    fn stop_at(&mut self, marker: Option<String>);
}

/// Follows markers from `first` to the last page, or to the all-pages bound (then the
/// output keeps the marker to continue from and the note says so).
pub async fn all_pages<I, O, F, Fut>(
    ctx: &ToolContext,
    first: I,
    mut fetch: F,
) -> Result<(O, Option<String>), ToolError>
where
    I: PagedInput,
    O: PagedOutput,
    F: FnMut(I) -> Fut,
    Fut: Future<Output = Result<O, ToolError>>,
{
    let mut input = first;
    input.use_large_pages();
    let mut out = fetch(input.clone()).await?;
    let bound = ctx.shared.all_pages_max_items;
    while let Some(marker) = out.next_marker() {
        if out.item_count() >= bound {
            out.stop_at(Some(marker));
            return Ok((
                out,
                Some(format!(
                    "all_pages stopped at its bound of {bound} items; IsTruncated is true: call again with this Marker to continue."
                )),
            ));
        }
        input.set_marker(Some(marker));
        let next = fetch(input.clone()).await?;
        out.append(next);
    }
    Ok((out, None))
}

/// The Note of an included field whose operation the backend cannot answer.
pub fn unanswered_note(field: &str, operation: &str) -> String {
    format!(
        "{field} is not known offline: the account file has no iam:{operation} data, so {field} is empty here."
    )
}

/// The notes of a call's operations, joined.
pub fn join_notes<const N: usize>(notes: [Option<String>; N]) -> Option<String> {
    let notes: Vec<String> = notes.into_iter().flatten().collect();
    (!notes.is_empty()).then(|| notes.join(" "))
}

/// A manifest message with each `{param}` replaced by the call's argument.
pub fn render_message(template: &str, args: &JsonObject) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.push_str(&rest[..start]);
        let key = &rest[start + 1..start + len];
        match args.get(key) {
            Some(Value::String(s)) => out.push_str(s),
            Some(other) => out.push_str(&other.to_string()),
            None => out.push('-'),
        }
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_fill_params() {
        let args = serde_json::json!({"user_name": "bob", "n": 3})
            .as_object()
            .cloned()
            .unwrap();
        assert_eq!(
            render_message("Deleted user {user_name} ({n}, {x}).", &args),
            "Deleted user bob (3, -)."
        );
    }

    #[test]
    fn notes_join() {
        assert_eq!(
            join_notes([None, Some("a".to_string()), Some("b".to_string())]),
            Some("a b".to_string())
        );
        assert_eq!(join_notes::<1>([None]), None);
    }
}
