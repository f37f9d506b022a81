//! `self_lockout`: never cut the server's own access: its user, role, access key, groups
//! and the policies that give it IAM permissions.

use super::common::*;
use crate::backend::{CallerEntity, CallerIdentity};
use crate::catalog::glob_matches;
use crate::context::ToolContext;
use crate::error::ToolError;
use serde_json::{Value, json};

/// What to do instead of a change that would cut the server's own access.
const INSTEAD: &str = "Make this change with other credentials (e.g. an administrator in the console), so that the server keeps the access it runs with.";

pub(super) async fn self_lockout(
    ctx: &ToolContext,
    step: &GuardedStep<'_>,
    memo: &mut Memo,
) -> Result<Found, ToolError> {
    let caller = ctx.backend().caller().await.map_err(|e| {
        ToolError::refused(format!(
            "{} needs the server's own identity for its `self_lockout` guardrail, and sts:GetCallerIdentity failed: {}. Nothing was changed.",
            ctx.tool.name, e.message
        ))
        .with_hint("Fix what the error says (credentials, network), then retry; or the user can restart the server with --allow-self-lockout.")
    })?;
    let input = step.input;
    // Its own access key.
    if let Some(key) = text(input, "AccessKeyId") {
        let deactivates = text(input, "Status").is_some_and(|s| s.eq_ignore_ascii_case("Inactive"));
        let own = caller.access_key_id.as_deref() == Some(key);
        if own && (step.operation.starts_with("Delete") || deactivates) {
            let verb = if deactivates { "deactivate" } else { "delete" };
            return Ok(Some((
                format!(
                    "would {verb} access key {key}, which the server itself signs its AWS requests with ({})",
                    caller.arn
                ),
                INSTEAD,
            )));
        }
        return Ok(None);
    }
    // A managed policy's document changes (a new default version): does it still give the
    // server its IAM permissions, if the server has it?
    let names_entity = ["UserName", "RoleName", "GroupName"]
        .iter()
        .any(|m| input.get(*m).is_some());
    if let (Some(arn), false) = (text(input, "PolicyArn"), names_entity) {
        return new_default_version(ctx, caller, step, arn, memo).await;
    }
    let Some(own) = own_entity(ctx, caller, input, memo).await? else {
        return Ok(None);
    };
    let whose = own.describe();
    // Adding the server's user to a group whose policy denies IAM actions.
    if let (Own::User(_), Some(group), "AddUserToGroup") =
        (&own, text(input, "GroupName"), step.operation)
    {
        if let Some(policy) = group_policy_passing(ctx, group, memo, denies_iam).await? {
            return Ok(Some((
                format!(
                    "would add {whose} to group '{group}', whose policy {policy} denies IAM actions: the server would lose its IAM permissions"
                ),
                INSTEAD,
            )));
        }
        return Ok(None);
    }
    // Removing the server's user from a group.
    if let (Own::User(_), Some(group)) = (&own, text(input, "GroupName")) {
        if let Some(policy) = group_iam_policy(ctx, group, memo).await? {
            return Ok(Some((
                format!(
                    "would remove {whose} from group '{group}', whose policy {policy} gives the server its IAM permissions"
                ),
                INSTEAD,
            )));
        }
        return Ok(None);
    }
    // An inline policy written on the server's user, role or group.
    if let (Some(name), Some(new)) = (text(input, "PolicyName"), input.get("PolicyDocument")) {
        if denies_iam(new) {
            return Ok(Some((
                format!(
                    "would put inline policy '{name}' on {whose}, and it denies IAM actions: the server would lose its IAM permissions"
                ),
                INSTEAD,
            )));
        }
        let old = inline_document(ctx, &own, name).await?;
        if old.as_ref().is_some_and(allows_iam) && !allows_iam(new) {
            return Ok(Some((
                format!(
                    "would replace inline policy '{name}' of {whose}, which gives the server its IAM permissions, with a document that allows no IAM action"
                ),
                INSTEAD,
            )));
        }
        return Ok(None);
    }
    if let Some(arn) = text(input, "PolicyArn") {
        let document = managed_document(ctx, arn, memo).await?;
        if step.operation.starts_with("Attach") {
            if document.as_ref().is_some_and(denies_iam) {
                return Ok(Some((
                    format!(
                        "would attach {arn} to {whose}, and that policy denies IAM actions: the server would lose its IAM permissions"
                    ),
                    INSTEAD,
                )));
            }
        } else if document.as_ref().is_some_and(allows_iam) {
            return Ok(Some((
                format!(
                    "would detach {arn} from {whose}, and that policy gives the server its IAM permissions"
                ),
                INSTEAD,
            )));
        }
        return Ok(None);
    }
    if let Some(boundary) = text(input, "PermissionsBoundary") {
        if !managed_document(ctx, boundary, memo)
            .await?
            .as_ref()
            .is_some_and(allows_iam)
        {
            return Ok(Some((
                format!(
                    "would set permissions boundary {boundary} on {whose}, and that boundary allows no IAM action: the server would lose its IAM permissions"
                ),
                INSTEAD,
            )));
        }
        return Ok(None);
    }
    if let Some(name) = text(input, "PolicyName") {
        if inline_document(ctx, &own, name)
            .await?
            .as_ref()
            .is_some_and(allows_iam)
        {
            return Ok(Some((
                format!(
                    "would delete inline policy '{name}' of {whose}, and that policy gives the server its IAM permissions"
                ),
                INSTEAD,
            )));
        }
        return Ok(None);
    }
    // Deleting the user or role itself, the name its only input (a group is deleted only
    // once empty, so the membership step above is what guards it).
    match own {
        Own::User(_) | Own::Role(_) if input.as_object().is_some_and(|o| o.len() == 1) => {
            Ok(Some((
                format!(
                    "would delete {whose}, whose credentials the server runs with ({}): the server would lose all access",
                    caller.arn
                ),
                INSTEAD,
            )))
        }
        _ => Ok(None),
    }
}

/// The server's own user, role or group that the step's input names.
async fn own_entity<'a>(
    ctx: &ToolContext,
    caller: &CallerIdentity,
    input: &'a Value,
    memo: &mut Memo,
) -> Result<Option<Own<'a>>, ToolError> {
    match &caller.principal {
        CallerEntity::User(me) => {
            if let Some(user) = text(input, "UserName") {
                return Ok(user.eq_ignore_ascii_case(me).then_some(Own::User(user)));
            }
            let Some(group) = text(input, "GroupName") else {
                return Ok(None);
            };
            let member = my_groups(ctx, me, memo)
                .await?
                .contains(&group.to_lowercase());
            Ok(member.then_some(Own::Group(group)))
        }
        CallerEntity::Role(me) => Ok(text(input, "RoleName")
            .filter(|r| r.eq_ignore_ascii_case(me))
            .map(Own::Role)),
        CallerEntity::Other => Ok(None),
    }
}

/// The groups of the server's own user (lower case), listed once per write.
async fn my_groups<'m>(
    ctx: &ToolContext,
    me: &str,
    memo: &'m mut Memo,
) -> Result<&'m Vec<String>, ToolError> {
    if memo.groups.is_none() {
        let groups = match ctx
            .call_all_pages("ListGroupsForUser", json!({ "UserName": me }), "Groups")
            .await
        {
            Ok(groups) => groups,
            // Credentials whose user IAM does not know (a test endpoint's default identity)
            // are in no group.
            Err(e) if e.is_not_found() => Vec::new(),
            Err(e) => return Err(e),
        };
        memo.groups = Some(
            groups
                .iter()
                .filter_map(|g| g["GroupName"].as_str())
                .map(str::to_lowercase)
                .collect(),
        );
    }
    Ok(memo.groups.get_or_insert_with(Vec::new))
}

/// A new default version of managed policy `arn` (CreatePolicyVersion with SetAsDefault, or
/// SetDefaultPolicyVersion): refused when the policy is the server's (attached to its user,
/// one of its groups or its role) and the new document denies IAM actions, or drops the IAM
/// permissions the current one gives.
async fn new_default_version(
    ctx: &ToolContext,
    caller: &CallerIdentity,
    step: &GuardedStep<'_>,
    arn: &str,
    memo: &mut Memo,
) -> Result<Found, ToolError> {
    let new = match (
        step.input.get("PolicyDocument"),
        text(step.input, "VersionId"),
    ) {
        (Some(doc), _) if step.input.get("SetAsDefault") == Some(&Value::Bool(true)) => {
            Some(doc.clone())
        }
        (Some(_), _) => return Ok(None),
        (None, Some(version)) => version_document(ctx, arn, version).await?,
        (None, None) => return Ok(None),
    };
    let Some(new) = new else { return Ok(None) };
    let Some(whose) = attached_to_me(ctx, caller, arn, memo).await? else {
        return Ok(None);
    };
    if denies_iam(&new) {
        return Ok(Some((
            format!(
                "would make a document that denies IAM actions the version in effect of {arn}, which is attached to {whose}"
            ),
            INSTEAD,
        )));
    }
    let current = managed_document(ctx, arn, memo).await?;
    if current.as_ref().is_some_and(allows_iam) && !allows_iam(&new) {
        return Ok(Some((
            format!(
                "would make a document that allows no IAM action the version in effect of {arn}, which is attached to {whose} and gives the server its IAM permissions"
            ),
            INSTEAD,
        )));
    }
    Ok(None)
}

/// Whom of the server's a managed policy is attached to, if anyone: its user, one of its
/// user's groups, or its role.
async fn attached_to_me(
    ctx: &ToolContext,
    caller: &CallerIdentity,
    arn: &str,
    memo: &mut Memo,
) -> Result<Option<String>, ToolError> {
    const LISTS: [&str; 3] = ["PolicyUsers", "PolicyGroups", "PolicyRoles"];
    let lists = match ctx
        .call_all_pages_of("ListEntitiesForPolicy", json!({ "PolicyArn": arn }), LISTS)
        .await
    {
        Ok(lists) => lists,
        Err(e) if e.is_not_found() => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut entities = Vec::new();
    for (list, (field, kind)) in lists.iter().zip([
        ("UserName", "user"),
        ("GroupName", "group"),
        ("RoleName", "role"),
    ]) {
        entities.extend(
            list.iter()
                .filter_map(|e| e[field].as_str())
                .map(|name| (kind, name.to_string())),
        );
    }
    let found = match &caller.principal {
        CallerEntity::User(me) => {
            let groups = my_groups(ctx, me, memo).await?.clone();
            entities.into_iter().find_map(|(kind, name)| match kind {
                "user" if name.eq_ignore_ascii_case(me) => {
                    Some(format!("the server's own user '{name}'"))
                }
                "group" if groups.contains(&name.to_lowercase()) => {
                    Some(format!("group '{name}', which the server's own user is in"))
                }
                _ => None,
            })
        }
        CallerEntity::Role(me) => entities
            .into_iter()
            .find(|(kind, name)| *kind == "role" && name.eq_ignore_ascii_case(me))
            .map(|(_, name)| format!("the server's own role '{name}'")),
        CallerEntity::Other => None,
    };
    Ok(found)
}

/// A policy of `group` (attached or inline) that allows an IAM action, by name.
async fn group_iam_policy(
    ctx: &ToolContext,
    group: &str,
    memo: &mut Memo,
) -> Result<Option<String>, ToolError> {
    group_policy_passing(ctx, group, memo, allows_iam).await
}

/// A policy of `group` (attached or inline) whose document passes `test`, by name.
async fn group_policy_passing(
    ctx: &ToolContext,
    group: &str,
    memo: &mut Memo,
    test: fn(&Value) -> bool,
) -> Result<Option<String>, ToolError> {
    let found = group_policy_where(ctx, group, memo, |_| None, |d| test(d).then_some(())).await?;
    Ok(found.map(|(policy, ())| policy))
}

/// Whether a policy document (an object, or a string holding one) allows any IAM action:
/// an Allow statement whose Action matches `iam:...`, or whose NotAction leaves some IAM
/// action out.
pub fn allows_iam(doc: &Value) -> bool {
    touches_iam(doc, "Allow")
}

/// Whether a policy document denies IAM actions (a Deny statement matching some, on any
/// resource).
pub fn denies_iam(doc: &Value) -> bool {
    touches_iam(doc, "Deny")
}

fn touches_iam(doc: &Value, effect: &str) -> bool {
    let Ok(doc) = crate::policy::document_value(doc) else {
        return false;
    };
    let statements: Vec<&Value> = match doc.get("Statement") {
        Some(Value::Array(list)) => list.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => return false,
    };
    let list = |v: Option<&Value>| -> Vec<String> {
        match v {
            Some(Value::String(s)) => vec![s.to_lowercase()],
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_lowercase)
                .collect(),
            _ => Vec::new(),
        }
    };
    // `*`, `iam:*`, `iam:Get*`, `i*:*`: a pattern that matches some IAM action.
    let matches_iam = |pattern: &String| match pattern.split_once(':') {
        Some((service, _)) => glob_matches(service, "iam"),
        None => pattern == "*",
    };
    // A NotAction list leaves IAM actions in unless it names all of them.
    let excludes_all_iam =
        |pattern: &String| pattern == "*" || pattern == "iam:*" || pattern == "*:*";
    statements.into_iter().any(|s| {
        s.get("Effect").and_then(Value::as_str) == Some(effect)
            && (list(s.get("Action")).iter().any(matches_iam)
                || (s.get("NotAction").is_some()
                    && !list(s.get("NotAction")).iter().any(excludes_all_iam)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iam_grants_are_recognised() {
        let doc = |statement: Value| json!({"Version": "2012-10-17", "Statement": [statement]});
        assert!(allows_iam(&doc(
            json!({"Effect": "Allow", "Action": "*", "Resource": "*"})
        )));
        assert!(allows_iam(&doc(
            json!({"Effect": "Allow", "Action": ["s3:GetObject", "IAM:CreateUser"], "Resource": "*"})
        )));
        assert!(allows_iam(&doc(
            json!({"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"})
        )));
        assert!(!allows_iam(&doc(
            json!({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
        )));
        assert!(!allows_iam(&doc(
            json!({"Effect": "Deny", "Action": "iam:*", "Resource": "*"})
        )));
        assert!(denies_iam(&doc(
            json!({"Effect": "Deny", "Action": "iam:*", "Resource": "*"})
        )));
        assert!(denies_iam(&doc(
            json!({"Effect": "Deny", "NotAction": "s3:*", "Resource": "*"})
        )));
        assert!(!denies_iam(&doc(
            json!({"Effect": "Deny", "Action": "s3:*", "Resource": "*"})
        )));
        assert!(!allows_iam(&doc(
            json!({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
        )));
        assert!(allows_iam(&Value::String(
            doc(json!({"Effect": "Allow", "Action": "iam:Get*", "Resource": "*"})).to_string()
        )));
    }
}
