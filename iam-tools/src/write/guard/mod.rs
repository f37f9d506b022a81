//! Guardrails: checks on every write, on by default, each relaxed by a server flag.
//!
//! The manifest's `[guardrails.NAME]` says where a rule applies (the write operations whose
//! steps it checks, the tool's own operation and every force-delete step alike, or the
//! policy documents of a kind) and what it reads to decide; this module is the rules.
//! A refused write changes nothing: the checks run after the plan is made and before the
//! human is asked, dry runs included.
//!
//! - `privileged_policies`: no attaching AdministratorAccess, IAMFullAccess, PowerUserAccess
//!   (the deny list is configurable; names match AWS-managed policies in any partition).
//! - `broad_allow`: no identity policy that allows `*` or `service:*` on Resource `*`.
//! - `public_trust`: no trust policy that lets Principal `*` assume the role.
//! - `self_lockout`: never delete, detach or deactivate what the server itself runs on: its
//!   own user or role, its access key, the policies (and groups) that give it IAM
//!   permissions; never set it a permissions boundary without IAM permissions, attach or
//!   put on it a policy that denies IAM actions, or replace a policy of its (inline, or a
//!   managed one's version in effect) with one that drops its IAM permissions.
//! - `service_linked_roles`: no change to a role under `/aws-service-role/`.

use crate::backend::{Caller, Principal};
use crate::catalog::{Rule, glob_matches};
use crate::context::Guardrails;
use crate::context::ToolContext;
use crate::error::ToolError;
use crate::policy::PolicyProblem;
use crate::policy::lint::Lint;
use serde_json::{Value, json};
use std::collections::HashMap;

/// A refusal by `rule`: what it saw and how to proceed.
fn refused(ctx: &ToolContext, rule: Rule, what: String, instead: &str) -> ToolError {
    crate::audit::decide("guardrails", format!("refused: {}", rule.name()));
    ToolError::refused(format!(
        "{} was refused by the `{}` guardrail: {what}. Nothing was changed.",
        ctx.tool.name,
        rule.name()
    ))
    .with_hint(format!("{instead} If this change is really intended, the user can restart the server with {} to relax this guardrail.", rule.flag()))
}

/// What the document rules in force refuse in one linted document of `kind` (`identity`
/// or `trust`): each finding with its rule. The catalog says which rule checks which kind.
pub fn document_findings<'l>(
    catalog: &crate::context::Catalog,
    guardrails: &Guardrails,
    kind: &str,
    lint: &'l Lint,
) -> Vec<(Rule, &'l PolicyProblem)> {
    let mut found = Vec::new();
    for spec in catalog
        .guardrails
        .iter()
        .filter(|g| g.documents == Some(kind))
    {
        let Some(rule) = Rule::from_name(spec.name).filter(|r| guardrails.is_on(*r)) else {
            continue;
        };
        let list = match rule {
            Rule::BroadAllow => &lint.broad_allow,
            Rule::PublicTrust => &lint.public_trust,
            _ => continue,
        };
        found.extend(list.iter().map(|p| (rule, p)));
    }
    found
}

/// The document rules over the call's linted policy documents (param, kind, lint).
pub fn check_documents(ctx: &ToolContext, linted: &[(&str, &str, Lint)]) -> Result<(), ToolError> {
    let found: Vec<(Rule, String)> = linted
        .iter()
        .flat_map(|(param, kind, lint)| {
            document_findings(ctx.catalog, &ctx.shared.guardrails, kind, lint)
                .into_iter()
                .map(move |(rule, p)| (rule, format!("{param}: {p}")))
        })
        .collect();
    let Some((rule, _)) = found.first() else {
        return Ok(());
    };
    let rule = *rule;
    let what: Vec<String> = found
        .into_iter()
        .filter(|(r, _)| *r == rule)
        .map(|(_, text)| text)
        .collect();
    let instead = match rule {
        Rule::BroadAllow => {
            "Name the actions the principal needs (e.g. s3:GetObject) or the resources (ARNs) it needs them on."
        }
        _ => {
            "Name who may assume the role: an account (\"AWS\": \"arn:aws:iam::123456789012:root\"), a role, or a service (\"Service\": \"lambda.amazonaws.com\")."
        }
    };
    Err(refused(ctx, rule, what.join("; "), instead))
}

/// One step of a write plan, as the guard sees it.
pub struct Step<'a> {
    pub operation: &'a str,
    pub input: &'a Value,
    /// How the step reads in texts (`remove members alice`), None for the tool's own operation.
    pub label: Option<String>,
}

/// What a write's checks learnt, so each is asked once.
#[derive(Default)]
struct Memo {
    /// The server's own user's groups (lower case).
    groups: Option<Vec<String>>,
    role_paths: HashMap<String, Option<String>>,
    /// Managed policies' default documents (None: no such policy).
    managed: HashMap<String, Option<Value>>,
}

/// The operation rules over every step of a write.
pub async fn check_steps(ctx: &ToolContext, steps: &[Step<'_>]) -> Result<(), ToolError> {
    let guardrails = &ctx.shared.guardrails;
    let mut memo = Memo::default();
    for step in steps {
        for spec in ctx
            .catalog
            .guardrails
            .iter()
            .filter(|g| g.operations.contains(&step.operation))
        {
            let Some(rule) = Rule::from_name(spec.name) else {
                continue;
            };
            if !guardrails.is_on(rule) {
                continue;
            }
            let found = match rule {
                Rule::PrivilegedPolicies => privileged(ctx, step, &mut memo).await?,
                Rule::ServiceLinkedRoles => service_linked(ctx, step, &mut memo).await?,
                Rule::SelfLockout => self_lockout(ctx, step, &mut memo).await?,
                Rule::BroadAllow => promoted_version(ctx, step).await?,
                Rule::PublicTrust => None,
            };
            let Some((what, instead)) = found else {
                continue;
            };
            let what = match &step.label {
                Some(label) => format!("a step of its plan ({label}) {what}"),
                None => format!("it {what}"),
            };
            return Err(refused(ctx, rule, what, instead));
        }
    }
    Ok(())
}

fn text<'v>(input: &'v Value, member: &str) -> Option<&'v str> {
    input.get(member).and_then(Value::as_str)
}

type Found = Option<(String, &'static str)>;

/// Attaching a policy, or joining a group, that gives admin-equivalent access: a policy on
/// the deny list by name, or any policy whose document grants it (by effect).
async fn privileged(
    ctx: &ToolContext,
    step: &Step<'_>,
    memo: &mut Memo,
) -> Result<Found, ToolError> {
    const INSTEAD: &str = "Attach a policy with only the permissions needed (least privilege). The deny list is set with --privileged-policies.";
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
        return Ok(Some((
            format!(
                "would attach {arn}, which is on the server's list of privileged policies ({entry}): it grants (nearly) full control of the account, or of IAM and so of everything"
            ),
            INSTEAD,
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
async fn boundary_change(
    ctx: &ToolContext,
    step: &Step<'_>,
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

/// What makes a document admin-equivalent or service-wide, in a phrase, if anything.
fn broad_finding(document: &Value) -> Option<String> {
    let found = crate::policy::effect::broad_grants(document);
    let first = found.first()?;
    Some(format!("{} ({})", first.message, first.path))
}

/// The policy of `group` (attached or inline) that grants admin-equivalent access: the
/// deny list by name, or any document by effect.
async fn group_privileged_policy(
    ctx: &ToolContext,
    group: &str,
    memo: &mut Memo,
) -> Result<Option<(String, String)>, ToolError> {
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
        if let Some(entry) = ctx.shared.guardrails.privileged_entry(arn) {
            return Ok(Some((
                arn.to_string(),
                format!("is on the server's list of privileged policies ({entry})"),
            )));
        }
        if let Some(why) = managed_document(ctx, arn, memo)
            .await?
            .as_ref()
            .and_then(broad_finding)
        {
            return Ok(Some((arn.to_string(), why)));
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
        if let Some(why) = inline_document(ctx, &Own::Group(group), name)
            .await?
            .as_ref()
            .and_then(broad_finding)
        {
            return Ok(Some((format!("'{name}' (inline)"), why)));
        }
    }
    Ok(None)
}

/// Making an existing version the one in effect: the same check as writing its document.
async fn promoted_version(ctx: &ToolContext, step: &Step<'_>) -> Result<Found, ToolError> {
    let (Some(arn), Some(version)) = (text(step.input, "PolicyArn"), text(step.input, "VersionId"))
    else {
        return Ok(None);
    };
    if step.input.get("PolicyDocument").is_some() {
        return Ok(None);
    }
    let Some(document) = version_document(ctx, arn, version).await? else {
        return Ok(None);
    };
    Ok(broad_finding(&document).map(|why| {
        (
            format!("would make version {version} of {arn} the one in effect, and that version {why}"),
            "Name the actions the principals need (e.g. s3:GetObject) or the resources (ARNs) they need them on, in a new version.",
        )
    }))
}

async fn service_linked(
    ctx: &ToolContext,
    step: &Step<'_>,
    memo: &mut Memo,
) -> Result<Found, ToolError> {
    let Some(role) = text(step.input, "RoleName") else {
        return Ok(None);
    };
    if !memo.role_paths.contains_key(role) {
        // A role that is not there is not service-linked; AWS answers the write.
        let role_out = ctx
            .call_found("GetRole", json!({ "RoleName": role }))
            .await?;
        let path = role_out.and_then(|out| {
            out.pointer("/Role/Path")
                .and_then(Value::as_str)
                .map(str::to_string)
        });
        memo.role_paths.insert(role.to_string(), path);
    }
    let Some(path) = memo.role_paths[role]
        .as_deref()
        .filter(|p| glob_matches("/aws-service-role/*", p))
    else {
        return Ok(None);
    };
    Ok(Some((
        format!(
            "{role} is a service-linked role (path {path}): the AWS service that owns it manages it, and IAM deletes it only through iam:DeleteServiceLinkedRole once that service no longer uses it"
        ),
        "Change or delete it from the owning service (its console, or DeleteServiceLinkedRole); this server does not.",
    )))
}

/// Which entity of the server a step names, if any.
enum Own<'a> {
    User(&'a str),
    Role(&'a str),
    /// A group the server's user is in.
    Group(&'a str),
}

impl Own<'_> {
    fn describe(&self) -> String {
        match self {
            Own::User(u) => format!("the server's own user '{u}'"),
            Own::Role(r) => format!("the server's own role '{r}'"),
            Own::Group(g) => format!("group '{g}', which the server's own user is in"),
        }
    }
}

/// What to do instead of a change that would cut the server's own access.
const INSTEAD: &str = "Make this change with other credentials (e.g. an administrator in the console), so that the server keeps the access it runs with.";

async fn self_lockout(
    ctx: &ToolContext,
    step: &Step<'_>,
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
        if let Some(policy) = group_policy_where(ctx, group, memo, denies_iam).await? {
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
    caller: &Caller,
    input: &'a Value,
    memo: &mut Memo,
) -> Result<Option<Own<'a>>, ToolError> {
    match &caller.principal {
        Principal::User(me) => {
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
        Principal::Role(me) => Ok(text(input, "RoleName")
            .filter(|r| r.eq_ignore_ascii_case(me))
            .map(Own::Role)),
        Principal::Other => Ok(None),
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

/// A managed policy's default document; None when there is no such policy.
async fn managed_document(
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

async fn version_document(
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
async fn inline_document(
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

/// A new default version of managed policy `arn` (CreatePolicyVersion with SetAsDefault, or
/// SetDefaultPolicyVersion): refused when the policy is the server's (attached to its user,
/// one of its groups or its role) and the new document denies IAM actions, or drops the IAM
/// permissions the current one gives.
async fn new_default_version(
    ctx: &ToolContext,
    caller: &Caller,
    step: &Step<'_>,
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
    caller: &Caller,
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
        Principal::User(me) => {
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
        Principal::Role(me) => entities
            .into_iter()
            .find(|(kind, name)| *kind == "role" && name.eq_ignore_ascii_case(me))
            .map(|(_, name)| format!("the server's own role '{name}'")),
        Principal::Other => None,
    };
    Ok(found)
}

/// A policy of `group` (attached or inline) that allows an IAM action, by name.
async fn group_iam_policy(
    ctx: &ToolContext,
    group: &str,
    memo: &mut Memo,
) -> Result<Option<String>, ToolError> {
    group_policy_where(ctx, group, memo, allows_iam).await
}

/// A policy of `group` (attached or inline) whose document satisfies `test`, by name.
async fn group_policy_where(
    ctx: &ToolContext,
    group: &str,
    memo: &mut Memo,
    test: fn(&Value) -> bool,
) -> Result<Option<String>, ToolError> {
    for attached in ctx
        .call_all_pages(
            "ListAttachedGroupPolicies",
            json!({ "GroupName": group }),
            "AttachedPolicies",
        )
        .await?
    {
        let Some(arn) = attached["PolicyArn"].as_str() else {
            continue;
        };
        if managed_document(ctx, arn, memo)
            .await?
            .as_ref()
            .is_some_and(test)
        {
            return Ok(Some(arn.to_string()));
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
        if inline_document(ctx, &Own::Group(group), name)
            .await?
            .as_ref()
            .is_some_and(test)
        {
            return Ok(Some(format!("'{name}' (inline)")));
        }
    }
    Ok(None)
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
    fn the_deny_list_matches_names_in_any_partition_and_arns() {
        let g = Guardrails::default();
        assert_eq!(
            g.privileged_entry("arn:aws:iam::aws:policy/AdministratorAccess"),
            Some("AdministratorAccess")
        );
        assert_eq!(
            g.privileged_entry("arn:aws-us-gov:iam::aws:policy/PowerUserAccess"),
            Some("PowerUserAccess")
        );
        assert_eq!(
            g.privileged_entry("arn:aws-cn:iam::aws:policy/IAMFullAccess"),
            Some("IAMFullAccess")
        );
        assert_eq!(
            g.privileged_entry("arn:aws:iam::aws:policy/ReadOnlyAccess"),
            None
        );
        // A customer policy of the same name is not the AWS one.
        assert_eq!(
            g.privileged_entry("arn:aws:iam::123456789012:policy/AdministratorAccess"),
            None
        );
        let custom = Guardrails::new(
            vec![],
            vec![
                "arn:aws:iam::123456789012:policy/admin".into(),
                " job-function/x ".into(),
            ],
        );
        assert_eq!(
            custom.privileged_entry("arn:aws-cn:iam::123456789012:policy/admin"),
            Some("arn:aws:iam::123456789012:policy/admin")
        );
        assert_eq!(
            custom.privileged_entry("arn:aws:iam::aws:policy/AdministratorAccess"),
            None
        );
    }

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

    #[test]
    fn callers_are_read_from_arns() {
        assert_eq!(
            Principal::from_arn("arn:aws:iam::123456789012:user/ops/alice"),
            Principal::User("alice".into())
        );
        assert_eq!(
            Principal::from_arn("arn:aws:sts::123456789012:assumed-role/deployer/session-1"),
            Principal::Role("deployer".into())
        );
        assert_eq!(
            Principal::from_arn("arn:aws:iam::123456789012:root"),
            Principal::Other
        );
    }
}
