//! The access preview of a permission-changing write: the write as a change of the account
//! model, and what it would grant or take away (the model's [`Account::preview`]), in the
//! tools' shape and in words for the consent question.

use super::shapes::{EscalationPathOut, path_out};
use crate::context::ToolContext;
use crate::error::ToolError;
use crate::policy::Policy;
use crate::policy::account::{Access, AccessDelta, Account, Change, Kind, MAX_DETAILED, Preview};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// An action's access level and the resources (with how surely) it changes on.
type Changed = (crate::policy::catalog::AccessLevel, Vec<(String, Access)>);

/// Actions listed per principal and side, at most (the counts cover all).
const MAX_LISTED: usize = 25;

/// One action gained or lost.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct ChangedAction {
    #[serde(rename = "Action")]
    pub action: String,
    #[serde(rename = "AccessLevel")]
    pub access_level: String,
    /// The resources or patterns, with ` (conditional)` where it holds only under
    /// conditions.
    #[serde(rename = "Resources")]
    pub resources: Vec<String>,
}

/// What one principal gains or loses.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct AccessSide {
    #[serde(rename = "Count")]
    pub count: usize,
    #[serde(rename = "ByAccessLevel")]
    pub by_access_level: BTreeMap<String, usize>,
    /// The actions, Permissions management first (at most 25).
    #[serde(rename = "Actions")]
    pub actions: Vec<ChangedAction>,
}

/// One principal whose access changes.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct ChangedPrincipal {
    #[serde(rename = "Arn")]
    pub arn: String,
    #[serde(rename = "Type")]
    pub kind: String,
    #[serde(rename = "Gained")]
    pub gained: AccessSide,
    #[serde(rename = "Lost")]
    pub lost: AccessSide,
}

/// What a write would grant or take away.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct AccessPreview {
    /// The write operation (AttachUserPolicy, ...).
    #[serde(rename = "Operation")]
    pub operation: String,
    /// The preview in words, as the consent question shows it.
    #[serde(rename = "Summary")]
    pub summary: Vec<String>,
    #[serde(rename = "Principals")]
    pub principals: Vec<ChangedPrincipal>,
    /// Principals that would become admin-equivalent.
    #[serde(rename = "AdminsGained")]
    pub admins_gained: Vec<String>,
    #[serde(rename = "AdminsLost")]
    pub admins_lost: Vec<String>,
    /// Paths to admin the write opens (in the account after it).
    #[serde(rename = "PathsOpened")]
    pub paths_opened: Vec<EscalationPathOut>,
    /// Paths to admin the write closes (as they are now).
    #[serde(rename = "PathsClosed")]
    pub paths_closed: Vec<EscalationPathOut>,
    /// Who the role's trust policy would newly let assume it: other accounts, any
    /// principal, services, identity providers, principals of this account.
    #[serde(rename = "NewlyTrusted")]
    pub newly_trusted: Vec<String>,
    #[serde(rename = "NoLongerTrusted")]
    pub no_longer_trusted: Vec<String>,
    /// When the account model was read.
    #[serde(rename = "LoadedAt")]
    pub loaded_at: String,
    #[serde(rename = "Notes", default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// A string member of the AWS-shaped input.
fn member<'v>(input: &'v Value, key: &str) -> Result<&'v str, ToolError> {
    input.get(key).and_then(Value::as_str).ok_or_else(|| {
        ToolError::invalid_arguments(format!("the write names no {key}, which its preview needs"))
    })
}

/// A principal of the model by kind and name (IAM names are case-insensitive).
fn named(account: &Account, kind: Kind, name: &str) -> Result<usize, ToolError> {
    account
        .principals
        .iter()
        .position(|p| p.kind == kind && p.name.eq_ignore_ascii_case(name))
        .ok_or_else(|| {
            ToolError::invalid_arguments(format!(
                "{} {name} is not in the account model",
                kind.as_str()
            ))
        })
}

/// A policy document member, parsed as IAM would keep it.
fn document(input: &Value, key: &str) -> Result<Arc<Policy>, ToolError> {
    let doc = input.get(key).ok_or_else(|| {
        ToolError::invalid_arguments(format!("the write has no {key}, which its preview needs"))
    })?;
    Ok(Arc::new(Policy::parse_lenient(doc).0))
}

/// The model holding managed policy `arn`: as it is, or with the policy read live (an AWS
/// managed policy attached nowhere is not in the details).
async fn with_policy(
    ctx: &ToolContext,
    account: &Account,
    arn: &str,
) -> Result<Option<Account>, ToolError> {
    if account.policy(arn).is_some() {
        return Ok(None);
    }
    if ctx.backend().account_file().is_some() {
        return Err(ToolError::invalid_arguments(format!(
            "managed policy {arn} is not in the account file"
        )));
    }
    let (policy, doc) = ctx.managed_policy(arn).await?;
    let name = policy["PolicyName"]
        .as_str()
        .unwrap_or_else(|| arn.rsplit('/').next().unwrap_or(arn));
    let version = policy["DefaultVersionId"].as_str().unwrap_or("v1");
    let mut copy = account.clone();
    copy.add_policy(arn, name, version, Policy::parse_lenient(&doc).0);
    Ok(Some(copy))
}

/// The change `operation` with AWS-shaped `input` makes to `account`.
fn change_of(account: &Account, operation: &str, input: &Value) -> Result<Change, ToolError> {
    let kind_of = |op: &str| {
        if op.contains("User") && !op.contains("ToGroup") && !op.contains("FromGroup") {
            Kind::User
        } else if op.contains("Group")
            && !op.contains("UserToGroup")
            && !op.contains("UserFromGroup")
        {
            Kind::Group
        } else {
            Kind::Role
        }
    };
    let principal = |op: &str| -> Result<usize, ToolError> {
        let kind = kind_of(op);
        let key = match kind {
            Kind::User => "UserName",
            Kind::Group => "GroupName",
            Kind::Role => "RoleName",
        };
        named(account, kind, member(input, key)?)
    };
    let policy = |key: &str| -> Result<usize, ToolError> {
        let arn = member(input, key)?;
        account.policy(arn).ok_or_else(|| {
            ToolError::invalid_arguments(format!(
                "managed policy {arn} is not in the account model"
            ))
        })
    };
    Ok(match operation {
        "AttachUserPolicy" | "AttachGroupPolicy" | "AttachRolePolicy" => Change::AttachPolicy {
            principal: principal(operation)?,
            policy: policy("PolicyArn")?,
        },
        "DetachUserPolicy" | "DetachGroupPolicy" | "DetachRolePolicy" => Change::DetachPolicy {
            principal: principal(operation)?,
            policy: policy("PolicyArn")?,
        },
        "PutUserPolicy" | "PutGroupPolicy" | "PutRolePolicy" => Change::PutInline {
            principal: principal(operation)?,
            name: member(input, "PolicyName")?.to_string(),
            policy: document(input, "PolicyDocument")?,
        },
        "DeleteUserPolicy" | "DeleteGroupPolicy" | "DeleteRolePolicy" => Change::DeleteInline {
            principal: principal(operation)?,
            name: member(input, "PolicyName")?.to_string(),
        },
        "CreatePolicyVersion" => Change::NewVersion {
            policy: policy("PolicyArn")?,
            document: document(input, "PolicyDocument")?,
            set_as_default: input.get("SetAsDefault") == Some(&Value::Bool(true)),
        },
        "SetDefaultPolicyVersion" => Change::SetDefaultVersion {
            policy: policy("PolicyArn")?,
            version: member(input, "VersionId")?.to_string(),
        },
        "AddUserToGroup" | "RemoveUserFromGroup" => {
            let user = named(account, Kind::User, member(input, "UserName")?)?;
            let group = named(account, Kind::Group, member(input, "GroupName")?)?;
            if operation == "AddUserToGroup" {
                Change::AddToGroup { user, group }
            } else {
                Change::RemoveFromGroup { user, group }
            }
        }
        "UpdateAssumeRolePolicy" => Change::SetTrust {
            role: named(account, Kind::Role, member(input, "RoleName")?)?,
            policy: document(input, "PolicyDocument")?,
        },
        "PutUserPermissionsBoundary" | "PutRolePermissionsBoundary" => Change::SetBoundary {
            principal: principal(operation)?,
            policy: Some(policy("PermissionsBoundary")?),
        },
        "DeleteUserPermissionsBoundary" | "DeleteRolePermissionsBoundary" => Change::SetBoundary {
            principal: principal(operation)?,
            policy: None,
        },
        "CreateRole" => {
            let name = member(input, "RoleName")?;
            let path = input.get("Path").and_then(Value::as_str).unwrap_or("/");
            let account_id = account.account_id.as_deref().unwrap_or("123456789012");
            Change::NewRole {
                name: name.to_string(),
                arn: format!("arn:aws:iam::{account_id}:role{path}{name}"),
                trust: document(input, "AssumeRolePolicyDocument")?,
                boundary: match input.get("PermissionsBoundary").and_then(Value::as_str) {
                    Some(_) => Some(policy("PermissionsBoundary")?),
                    None => None,
                },
            }
        }
        other => {
            return Err(ToolError::invalid_arguments(format!(
                "{other} does not change what a principal may do, so it has no access preview"
            )));
        }
    })
}

/// The access preview of `operation` with AWS-shaped `input`.
pub async fn preview(
    ctx: &ToolContext,
    operation: &str,
    input: &Value,
) -> Result<AccessPreview, ToolError> {
    let model = ctx.account_model().await?;
    let policy_key = match operation {
        "AttachUserPolicy" | "AttachGroupPolicy" | "AttachRolePolicy" => Some("PolicyArn"),
        "PutUserPermissionsBoundary" | "PutRolePermissionsBoundary" | "CreateRole" => {
            Some("PermissionsBoundary")
        }
        _ => None,
    };
    let extended = match policy_key
        .and_then(|k| input.get(k))
        .and_then(Value::as_str)
    {
        Some(arn) => with_policy(ctx, &model.account, arn).await?,
        None => None,
    };
    let change = change_of(
        extended.as_ref().unwrap_or(&model.account),
        operation,
        input,
    )?;
    // On the blocking pool, with the model shared (not copied: the preview copies it once,
    // to apply the change).
    let mut out = {
        let (model, change, operation) = (model.clone(), change.clone(), operation.to_string());
        tokio::task::spawn_blocking(move || {
            let account = extended.as_ref().unwrap_or(&model.account);
            shape(account, &account.preview(&change), &operation)
        })
        .await
        .map_err(|e| ToolError::internal(format!("the access preview failed: {e}")))?
    };
    out.loaded_at = model.loaded_at.clone();
    if let Change::NewVersion {
        set_as_default: false,
        ..
    } = change
    {
        out.notes.push("The new version is not made the default, so it changes no access until it is: set_default_policy_version makes it so, as create_policy_version does with its set-as-default flag.".to_string());
    }
    Ok(out)
}

fn side(delta: &AccessDelta) -> AccessSide {
    let mut actions: Vec<(&String, &Changed)> = delta.actions.iter().collect();
    // Permissions management first: it is what escalates.
    actions.sort_by_key(|(name, (level, _))| {
        (level.as_str() != "Permissions management", (*name).clone())
    });
    AccessSide {
        count: delta.actions.len(),
        by_access_level: delta
            .by_level()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        actions: actions
            .into_iter()
            .take(MAX_LISTED)
            .map(|(name, (level, resources))| ChangedAction {
                action: name.clone(),
                access_level: level.as_str().to_string(),
                resources: resources
                    .iter()
                    .map(|(r, access)| match access {
                        Access::Allowed => r.clone(),
                        Access::Conditional => format!("{r} (conditional)"),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// The model's preview in the tools' shape, with its summary.
fn shape(before: &Account, p: &Preview, operation: &str) -> AccessPreview {
    let after = &p.after;
    let arn_after = |i: usize| after.principals[i].arn.clone();
    let principals: Vec<ChangedPrincipal> = p
        .principals
        .iter()
        .map(|c| ChangedPrincipal {
            arn: arn_after(c.principal),
            kind: after.principals[c.principal].kind.as_str().to_string(),
            gained: side(&c.gained),
            lost: side(&c.lost),
        })
        .collect();
    let out = AccessPreview {
        operation: operation.to_string(),
        principals,
        admins_gained: p.admins_gained.iter().map(|&i| arn_after(i)).collect(),
        admins_lost: p
            .admins_lost
            .iter()
            .map(|&i| before.principals[i].arn.clone())
            .collect(),
        paths_opened: p.paths_opened.iter().map(|x| path_out(after, x)).collect(),
        paths_closed: p.paths_closed.iter().map(|x| path_out(before, x)).collect(),
        newly_trusted: p.newly_trusted.clone(),
        no_longer_trusted: p.no_longer_trusted.clone(),
        ..Default::default()
    };
    let mut out = out;
    out.summary = summary(&out);
    if p.principals.len() >= MAX_DETAILED {
        out.notes.push(format!(
            "The change reaches more principals than the {MAX_DETAILED} whose actions are compared."
        ));
    }
    out
}

fn actions_text(s: &AccessSide) -> String {
    let levels: Vec<String> = s
        .by_access_level
        .iter()
        .map(|(level, n)| format!("{level} {n}"))
        .collect();
    let first: Vec<String> = s
        .actions
        .iter()
        .take(5)
        .map(|a| format!("{} on {}", a.action, a.resources.join(", ")))
        .collect();
    let more = if s.count > first.len() { ", ..." } else { "" };
    format!(
        "{} action{} ({}): {}{more}",
        s.count,
        if s.count == 1 { "" } else { "s" },
        levels.join(", "),
        first.join("; ")
    )
}

/// The preview in words: one line per fact.
fn summary(p: &AccessPreview) -> Vec<String> {
    let mut lines = Vec::new();
    for c in &p.principals {
        if c.gained.count > 0 {
            lines.push(format!("{} gains {}", c.arn, actions_text(&c.gained)));
        }
        if c.lost.count > 0 {
            lines.push(format!("{} loses {}", c.arn, actions_text(&c.lost)));
        }
    }
    for a in &p.admins_gained {
        lines.push(format!("{a} becomes admin-equivalent"));
    }
    for a in &p.admins_lost {
        lines.push(format!("{a} is no longer admin-equivalent"));
    }
    for path in &p.paths_opened {
        let steps: Vec<String> = path
            .steps
            .iter()
            .map(|s| format!("{} on {}", s.action, s.resource))
            .collect();
        lines.push(format!(
            "opens a path to {} for {}: {}",
            path.reaches,
            path.from,
            steps.join(", then ")
        ));
    }
    for path in &p.paths_closed {
        lines.push(format!(
            "closes the path to {} of {}",
            path.reaches, path.from
        ));
    }
    for (list, what) in [
        (&p.newly_trusted, "the role newly trusts"),
        (&p.no_longer_trusted, "the role no longer trusts"),
    ] {
        if !list.is_empty() {
            lines.push(format!("{what}: {}", trusted_text(list)));
        }
    }
    if lines.is_empty() {
        lines.push("no principal's access changes".to_string());
    }
    lines
}

/// Who a trust policy names, in words: outside principals one by one, the account's own
/// by name up to five, then counted.
fn trusted_text(list: &[String]) -> String {
    let own = |t: &&String| t.starts_with("arn:") && !t.ends_with("(outside the account)");
    let mut parts: Vec<String> = list.iter().filter(|t| !own(t)).cloned().collect();
    let inside: Vec<&String> = list.iter().filter(own).collect();
    match inside.len() {
        0 => {}
        n @ 1..=5 => parts.push(format!(
            "{} principal{} of this account: {}",
            n,
            if n == 1 { "" } else { "s" },
            inside
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
        n => parts.push(format!(
            "{n} principals of this account ({}, ...)",
            inside[..3]
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
    parts.join("; ")
}

/// The preview as the consent question shows it.
pub fn preview_text(p: &Result<AccessPreview, ToolError>) -> String {
    match p {
        Ok(p) => format!(
            "Access change (local policy engine, account model read {}):\n- {}",
            p.loaded_at,
            p.summary.join("\n- ")
        ),
        Err(e) => format!("Access change: not previewed ({})", e.message),
    }
}
