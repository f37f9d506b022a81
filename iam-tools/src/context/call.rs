//! One tool call's view of the server: the spec and catalog it runs under, the server's
//! shared state, the MCP request; and how generated handlers and runtime functions call IAM
//! operations through it.

use super::args::check_size;
use crate::backend::{Backend, OperationCall};
use crate::catalog::{CatalogOf, JsonObject, ToolSpecOf};
use crate::codec::{ReadArgs, Violations};
use crate::error::{ToolError, ToolFuture};
use serde::Serialize;
use serde_json::Value;
use std::sync::Arc;

/// A tool's future result: its structured output, or an error for the assistant.
pub type HandlerFuture<'a> = ToolFuture<'a, Value>;

/// A generated tool handler.
pub type Handler = for<'a> fn(&'a ToolContext, JsonObject) -> HandlerFuture<'a>;

/// A tool of the catalog, run by a generated handler.
pub type ToolSpec = ToolSpecOf<Handler>;

/// The catalog of generated tools and operations.
pub type Catalog = CatalogOf<Handler, OperationCall>;

/// What every call of a server shares.
#[derive(Debug)]
pub struct Shared {
    pub backend: Backend,
    pub all_pages_max_items: usize,
    pub consent: super::Consent,
    pub guardrails: super::Guardrails,
    /// `--audit-log`: one JSON line per call.
    pub audit: Option<crate::audit::AuditLog>,
    /// The account model of the analysis tools.
    pub model: super::ModelCache,
}

/// One tool call's view of the server.
pub struct ToolContext {
    pub tool: &'static ToolSpec,
    pub catalog: &'static crate::context::Catalog,
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
        self.pages_of(name, input, items, self.shared.all_pages_max_items)
            .await
    }

    /// [`Self::call_all_pages_of`] without the server's bound on items: for the account
    /// model, which needs every entity however many there are.
    pub async fn call_every_page_of<const N: usize>(
        &self,
        name: &str,
        input: Value,
        items: [&str; N],
    ) -> Result<[Vec<Value>; N], ToolError> {
        self.pages_of(name, input, items, usize::MAX).await
    }

    async fn pages_of<const N: usize>(
        &self,
        name: &str,
        input: Value,
        items: [&str; N],
        bound: usize,
    ) -> Result<[Vec<Value>; N], ToolError> {
        let mut input = input;
        // Pages of the bound's size (IAM's largest is 1,000): fewer calls than IAM's
        // default of 100, and a list longer than the bound is known after one page.
        let paged = self.catalog.operation(name).is_some_and(|op| op.paged);
        if paged && bound != usize::MAX && input.get("MaxItems").is_none() {
            input["MaxItems"] = Value::from(bound.clamp(1, 1000));
        }
        let mut all: [Vec<Value>; N] = std::array::from_fn(|_| Vec::new());
        loop {
            let mut page = self.call(name, input.clone()).await?;
            for (field, into) in items.iter().zip(all.iter_mut()) {
                // A single object (GetLoginProfile's LoginProfile) is one item.
                match page.get_mut(*field).map(Value::take) {
                    Some(Value::Array(list)) => into.extend(list),
                    Some(Value::Null) | None => {}
                    Some(one) => into.push(one),
                }
            }
            let marker = page
                .get("Marker")
                .and_then(Value::as_str)
                .filter(|_| page["IsTruncated"] == true);
            match marker {
                Some(m) if all.iter().map(Vec::len).sum::<usize>() < bound => {
                    input["Marker"] = Value::String(m.to_string())
                }
                Some(_) => {
                    return Err(ToolError::refused(format!(
                        "{} needs every item of iam:{name} ({}), and there are more than the server's all-pages bound of {} ({}); it stopped there rather than act on part of them. Nothing was changed.",
                        self.tool.name,
                        items.join(" and "),
                        crate::codec::count(bound, "item", "items"),
                        super::ALL_PAGES_SETTING
                    ))
                    .with_hint(format!(
                        "The user can restart the server with a larger {}.",
                        super::ALL_PAGES_SETTING
                    )));
                }
                None => return Ok(all),
            }
        }
    }

    /// The account model of the analysis tools: the session's while it is fresh (see
    /// [`super::ModelCache`]), else read now with GetAccountAuthorizationDetails.
    pub async fn account_model(&self) -> Result<Arc<super::LoadedModel>, ToolError> {
        let details = || async {
            let lists = [
                "UserDetailList",
                "GroupDetailList",
                "RoleDetailList",
                "Policies",
            ];
            let [users, groups, roles, policies] = self
                .call_every_page_of(
                    "GetAccountAuthorizationDetails",
                    serde_json::json!({"MaxItems": 1000}),
                    lists,
                )
                .await?;
            Ok(serde_json::json!({
                "UserDetailList": users,
                "GroupDetailList": groups,
                "RoleDetailList": roles,
                "Policies": policies,
            }))
        };
        self.shared.model.get(self.backend(), details).await
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

    /// The call's arguments as the tool's params struct, with every constraint checked:
    /// every problem (an argument it does not take, a missing one, a wrong type, a broken
    /// constraint) is listed in one error. Arguments over [`MAX_ARGUMENTS_BYTES`] are
    /// refused first, before any other work.
    pub fn parse_args<P: ReadArgs>(&self, args: &JsonObject) -> Result<P, ToolError> {
        check_size(self.tool.name, args)?;
        let mut violations = Violations::default();
        let params = P::read_args(args, &mut violations);
        match params {
            Some(params) if violations.0.is_empty() => Ok(params),
            None if violations.0.is_empty() => Err(ToolError::internal(format!(
                "the arguments of {} could not be read, and no argument was named as wrong",
                self.tool.name
            ))),
            _ => Err(ToolError::invalid_arguments(format!(
                "Invalid arguments for {}:\n- {}",
                self.tool.name,
                violations.0.join("\n- ")
            ))
            .with_hint("Correct each argument listed and call again.")),
        }
    }

    /// The structured result.
    pub fn output<R: Serialize>(&self, result: &R) -> Result<Value, ToolError> {
        serde_json::to_value(result)
            .map_err(|e| ToolError::internal(format!("could not encode the result: {e}")))
    }
}
