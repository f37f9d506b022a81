//! What the rules share: the refusal, a step as the guard sees it, what a write's checks
//! learnt, and the policy documents they read.

use crate::catalog::GuardrailSpec;
use crate::context::ToolContext;
use crate::error::ToolError;
use serde_json::{Value, json};
use std::collections::HashMap;

/// A refusal by the guardrail `spec`: what it saw and how to proceed.
pub(super) fn refused(
    ctx: &ToolContext,
    spec: &GuardrailSpec,
    what: String,
    instead: &str,
) -> ToolError {
    crate::audit::decide("guardrails", format!("refused: {}", spec.name));
    ToolError::refused(format!(
        "{} was refused by the `{}` guardrail: {what}. Nothing was changed.",
        ctx.tool.name, spec.name
    ))
    .with_hint(format!("{instead} If this change is really intended, the user can restart the server with {} to relax this guardrail.", spec.flag))
}

/// One step of a write plan, as the guard sees it.
pub struct GuardedStep<'a> {
    pub operation: &'a str,
    pub input: &'a Value,
    /// How the step reads in texts (`remove members alice`), None for the tool's own operation.
    pub label: Option<String>,
}

/// What a write's checks learnt, so each is asked once.
#[derive(Default)]
pub(super) struct Memo {
    /// The server's own user's groups (lower case).
    pub(super) groups: Option<Vec<String>>,
    pub(super) role_paths: HashMap<String, Option<String>>,
    /// Managed policies' default documents (None: no such policy).
    pub(super) managed: HashMap<String, Option<Value>>,
}

pub(super) fn text<'v>(input: &'v Value, member: &str) -> Option<&'v str> {
    input.get(member).and_then(Value::as_str)
}

pub(super) type Found = Option<(String, &'static str)>;

/// What makes a document admin-equivalent or service-wide, in a phrase, if anything.
pub(super) fn broad_finding(document: &Value) -> Option<String> {
    let found = crate::policy::effect::broad_grants(document);
    let first = found.first()?;
    Some(format!("{} ({})", first.message, first.path))
}

/// A managed policy's default document; None when there is no such policy.
pub(super) async fn managed_document(
    ctx: &ToolContext,
    arn: &str,
    memo: &mut Memo,
) -> Result<Option<Value>, ToolError> {
    if let Some(known) = memo.managed.get(arn) {
        return Ok(known.clone());
    }
    let document = match ctx.managed_policy(arn).await {
        Ok((_, document)) => Some(document),
        Err(e) if e.is_not_found() => None,
        Err(e) => return Err(e),
    };
    memo.managed.insert(arn.to_string(), document.clone());
    Ok(document)
}

pub(super) async fn version_document(
    ctx: &ToolContext,
    arn: &str,
    version: &str,
) -> Result<Option<Value>, ToolError> {
    let out = ctx
        .call_found(
            "GetPolicyVersion",
            json!({ "PolicyArn": arn, "VersionId": version }),
        )
        .await?;
    Ok(out.and_then(|mut out| out.pointer_mut("/PolicyVersion/Document").map(Value::take)))
}

/// An inline policy's document of the server's user, role or group; None when absent.
pub(super) async fn inline_document(
    ctx: &ToolContext,
    own: &Own<'_>,
    name: &str,
) -> Result<Option<Value>, ToolError> {
    let (op, input) = match own {
        Own::User(u) => (
            "GetUserPolicy",
            json!({ "UserName": u, "PolicyName": name }),
        ),
        Own::Role(r) => (
            "GetRolePolicy",
            json!({ "RoleName": r, "PolicyName": name }),
        ),
        Own::Group(g) => (
            "GetGroupPolicy",
            json!({ "GroupName": g, "PolicyName": name }),
        ),
    };
    Ok(ctx
        .call_found(op, input)
        .await?
        .and_then(|mut out| out.get_mut("PolicyDocument").map(Value::take)))
}

/// Which entity of the server a step names, if any.
pub(super) enum Own<'a> {
    User(&'a str),
    Role(&'a str),
    /// A group the server's user is in.
    Group(&'a str),
}

impl Own<'_> {
    pub(super) fn describe(&self) -> String {
        match self {
            Own::User(u) => format!("the server's own user '{u}'"),
            Own::Role(r) => format!("the server's own role '{r}'"),
            Own::Group(g) => format!("group '{g}', which the server's own user is in"),
        }
    }
}

/// The first policy of `group`, attached then inline, that a judge picks, with what it said:
/// `by_arn` decides on a managed policy's ARN alone, else `by_document` on its document in
/// effect (an inline one's, for inline policies). A policy is named by its ARN, or as
/// `'name' (inline)`. None when the group has no such policy, or does not exist.
pub(super) async fn group_policy_where<T>(
    ctx: &ToolContext,
    group: &str,
    memo: &mut Memo,
    by_arn: impl Fn(&str) -> Option<T>,
    by_document: impl Fn(&Value) -> Option<T>,
) -> Result<Option<(String, T)>, ToolError> {
    let attached = match ctx
        .call_all_pages(
            "ListAttachedGroupPolicies",
            json!({ "GroupName": group }),
            "AttachedPolicies",
        )
        .await
    {
        Ok(attached) => attached,
        Err(e) if e.is_not_found() => return Ok(None),
        Err(e) => return Err(e),
    };
    for a in attached {
        let Some(arn) = a["PolicyArn"].as_str() else {
            continue;
        };
        if let Some(said) = by_arn(arn) {
            return Ok(Some((arn.to_string(), said)));
        }
        if let Some(said) = managed_document(ctx, arn, memo)
            .await?
            .as_ref()
            .and_then(&by_document)
        {
            return Ok(Some((arn.to_string(), said)));
        }
    }
    for name in ctx
        .call_all_pages(
            "ListGroupPolicies",
            json!({ "GroupName": group }),
            "PolicyNames",
        )
        .await?
    {
        let Some(name) = name.as_str() else { continue };
        if let Some(said) = inline_document(ctx, &Own::Group(group), name)
            .await?
            .as_ref()
            .and_then(&by_document)
        {
            return Ok(Some((format!("'{name}' (inline)"), said)));
        }
    }
    Ok(None)
}
