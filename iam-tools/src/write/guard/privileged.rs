//! `privileged_policies`: no admin-equivalent access through a policy that exists already:
//! attaching one, joining a group that holds one, or a boundary change that lets a
//! principal's own policies grant it.

use super::common::*;
use crate::context::{Guardrails, PRIVILEGED_POLICIES_SETTING, ToolContext};
use crate::error::ToolError;
use serde_json::{Value, json};

/// Attaching a policy, or joining a group, that gives admin-equivalent access: a policy on
/// the deny list by name, or any policy whose document grants it (by effect).
pub(super) async fn privileged(
    ctx: &ToolContext,
    step: &GuardedStep<'_>,
    memo: &mut Memo,
) -> Result<Found, ToolError> {
    const INSTEAD: &str = "Attach a policy with only the permissions needed (least privilege). The deny list is set with --privileged-policies.";
    const OPERATOR_LISTED: &str = "The operator chose to treat this policy as privileged: attach one that is not on that list, or the user can restart the server with it removed from IAM_MCP_PRIVILEGED_POLICIES (--privileged-policies).";
    let guardrails = &ctx.shared.guardrails;
    if step.operation.ends_with("PermissionsBoundary") {
        return boundary_change(ctx, step, memo).await;
    }
    if step.operation == "AddUserToGroup" {
        let Some(group) = text(step.input, "GroupName") else {
            return Ok(None);
        };
        let Some((policy, why)) = group_privileged_policy(ctx, group, memo).await? else {
            return Ok(None);
        };
        return Ok(Some((
            format!("would add a user to group '{group}', whose policy {policy} {why}"),
            "Add the user to a group with only the permissions needed, or attach those to the user.",
        )));
    }
    let Some(arn) = text(step.input, "PolicyArn") else {
        return Ok(None);
    };
    if let Some(entry) = guardrails.privileged_entry(arn) {
        if Guardrails::is_built_in_privileged(arn) {
            return Ok(Some((
                format!(
                    "would attach {arn}, which is on the server's list of privileged policies ({entry}): it grants (nearly) full control of the account, or of IAM and so of everything"
                ),
                INSTEAD,
            )));
        }
        return Ok(Some((
            format!(
                "would attach {arn}, which the operator listed as privileged ({entry}, in {PRIVILEGED_POLICIES_SETTING})"
            ),
            OPERATOR_LISTED,
        )));
    }
    let Some(document) = managed_document(ctx, arn, memo).await? else {
        return Ok(None);
    };
    Ok(broad_finding(&document).map(|why| {
        (
            format!("would attach {arn}, whose version in effect {why}"),
            INSTEAD,
        )
    }))
}

/// Setting or removing a permissions boundary: refused when the principal's own policies,
/// capped by the boundary after the change, grant admin-equivalent access and did not
/// under the boundary before it (tightening is never refused).
pub(super) async fn boundary_change(
    ctx: &ToolContext,
    step: &GuardedStep<'_>,
    memo: &mut Memo,
) -> Result<Found, ToolError> {
    let (principal, name) = match (text(step.input, "UserName"), text(step.input, "RoleName")) {
        (Some(user), _) => ("user", user),
        (None, Some(role)) => ("role", role),
        _ => return Ok(None),
    };
    let (current, identity) = match principal_policies(ctx, principal, name, memo).await? {
        Some(found) => found,
        None => return Ok(None),
    };
    let before = match &current {
        Some(arn) => Some(
            managed_document(ctx, arn, memo)
                .await?
                .unwrap_or(Value::Null),
        ),
        None => None,
    };
    let after = match text(step.input, "PermissionsBoundary") {
        Some(arn) => Some(
            managed_document(ctx, arn, memo)
                .await?
                .unwrap_or(Value::Null),
        ),
        None => None,
    };
    let broad_before = crate::policy::effect::broad_grant_of(&identity, before.as_ref());
    let Some(why) = crate::policy::effect::broad_grant_of(&identity, after.as_ref()) else {
        return Ok(None);
    };
    if broad_before.is_some() {
        return Ok(None);
    }
    let change = match text(step.input, "PermissionsBoundary") {
        Some(arn) => format!("would set {arn} as the permissions boundary of {principal} '{name}'"),
        None => format!("would remove the permissions boundary of {principal} '{name}'"),
    };
    Ok(Some((
        format!(
            "{change}, and its own policies would then give it admin-equivalent access: together they {why}"
        ),
        "Keep a boundary that caps the principal below administrator, or narrow its policies first.",
    )))
}

/// A user's or role's current boundary ARN and every identity policy document it has
/// (attached, inline and, for a user, its groups'); None when there is no such principal.
async fn principal_policies(
    ctx: &ToolContext,
    principal: &str,
    name: &str,
    memo: &mut Memo,
) -> Result<Option<(Option<String>, Vec<Value>)>, ToolError> {
    let (get, key, field) = if principal == "user" {
        (
            "GetUser",
            "UserName",
            "/User/PermissionsBoundary/PermissionsBoundaryArn",
        )
    } else {
        (
            "GetRole",
            "RoleName",
            "/Role/PermissionsBoundary/PermissionsBoundaryArn",
        )
    };
    let Some(entity) = ctx.call_found(get, json!({ key: name })).await? else {
        return Ok(None);
    };
    let current = entity
        .pointer(field)
        .and_then(Value::as_str)
        .map(str::to_string);
    let mut documents = Vec::new();
    let (attached_op, inline_op, get_inline) = if principal == "user" {
        (
            "ListAttachedUserPolicies",
            "ListUserPolicies",
            "GetUserPolicy",
        )
    } else {
        (
            "ListAttachedRolePolicies",
            "ListRolePolicies",
            "GetRolePolicy",
        )
    };
    let mut holders = vec![(key, name.to_string(), attached_op, inline_op, get_inline)];
    if principal == "user" {
        for g in ctx
            .call_all_pages("ListGroupsForUser", json!({ "UserName": name }), "Groups")
            .await?
        {
            if let Some(group) = g["GroupName"].as_str() {
                holders.push((
                    "GroupName",
                    group.to_string(),
                    "ListAttachedGroupPolicies",
                    "ListGroupPolicies",
                    "GetGroupPolicy",
                ));
            }
        }
    }
    for (key, holder, attached_op, inline_op, get_inline) in holders {
        for a in ctx
            .call_all_pages(attached_op, json!({ key: holder }), "AttachedPolicies")
            .await?
        {
            if let Some(arn) = a["PolicyArn"].as_str()
                && let Some(document) = managed_document(ctx, arn, memo).await?
            {
                documents.push(document);
            }
        }
        for policy in ctx
            .call_all_pages(inline_op, json!({ key: holder }), "PolicyNames")
            .await?
        {
            let Some(policy) = policy.as_str() else {
                continue;
            };
            if let Some(mut out) = ctx
                .call_found(get_inline, json!({ key: holder, "PolicyName": policy }))
                .await?
                && let Some(document) = out.get_mut("PolicyDocument").map(Value::take)
            {
                documents.push(document);
            }
        }
    }
    Ok(Some((current, documents)))
}

/// The policy of `group` (attached or inline) that grants admin-equivalent access: the
/// deny list by name, or any document by effect.
async fn group_privileged_policy(
    ctx: &ToolContext,
    group: &str,
    memo: &mut Memo,
) -> Result<Option<(String, String)>, ToolError> {
    let guardrails = &ctx.shared.guardrails;
    group_policy_where(
        ctx,
        group,
        memo,
        |arn| {
            guardrails.privileged_entry(arn).map(|entry| {
                if Guardrails::is_built_in_privileged(arn) {
                    format!("is on the server's list of privileged policies ({entry})")
                } else {
                    format!(
                        "is one the operator listed as privileged ({entry}, in {PRIVILEGED_POLICIES_SETTING})"
                    )
                }
            })
        },
        broad_finding,
    )
    .await
}
