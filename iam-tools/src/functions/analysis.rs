//! The account analysis: `who_can` and `get_effective_permissions`, answered by the local
//! engine over the account model (GetAccountAuthorizationDetails, shared by the session's
//! calls; offline, the account file).

use std::collections::BTreeMap;
use std::sync::Arc;

use super::expand::filters;
use super::manifest::params::{
    FindEscalationPathsParams, GetEffectivePermissionsParams, PreviewAccessChangeParams,
    WhoCanParams,
};
use super::tool::RuntimeTool;
use crate::analysis::{AccessPreview, ConditionOut, EscalationPathOut, GrantRef, path_out};
use crate::context::{LoadedModel, ToolContext};
use crate::error::{ToolError, ToolFuture};
use crate::policy::Policy;
use crate::policy::account::{
    Access, Account, Decided, EffectiveFilter, Escalation, Kind, Passwords, closest_action,
};
use crate::policy::catalog::catalog;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One principal allowed the request.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct AllowedPrincipal {
    #[serde(rename = "Arn")]
    pub arn: String,
    /// user or role.
    #[serde(rename = "Type")]
    pub kind: String,
    /// allowed (on a request with no condition context), or conditional (only when the
    /// Conditions hold).
    #[serde(rename = "Decision")]
    pub decision: String,
    #[serde(rename = "GrantedBy")]
    pub granted_by: Vec<GrantRef>,
    #[serde(rename = "Conditions", default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<ConditionOut>,
    /// With transitive: the shortest way this principal becomes one that is allowed (or
    /// admin); its Decision is then `transitive`.
    #[serde(rename = "Via", default, skip_serializing_if = "Option::is_none")]
    pub via: Option<EscalationPathOut>,
}

fn allowed_principal(account: &Account, i: usize, d: &Decided) -> AllowedPrincipal {
    let p = &account.principals[i];
    AllowedPrincipal {
        arn: p.arn.clone(),
        kind: p.kind.as_str().to_string(),
        decision: d.access.as_str().to_string(),
        granted_by: d.granted_by.iter().map(GrantRef::from).collect(),
        conditions: d.conditions.iter().map(ConditionOut::from).collect(),
        via: None,
    }
}

/// What `who_can` returns.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct WhoCanResult {
    #[serde(rename = "Action")]
    pub action: String,
    #[serde(rename = "Resource")]
    pub resource: String,
    /// The resource policy evaluated with the principals' own: the one given, or a role's
    /// trust policy for sts:AssumeRole on it.
    #[serde(
        rename = "ResourcePolicy",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub resource_policy: Option<String>,
    /// Every user and role of the account allowed it, users first.
    #[serde(rename = "Principals")]
    pub principals: Vec<AllowedPrincipal>,
    #[serde(rename = "Count")]
    pub count: usize,
    /// Principals evaluated (users and roles of the model).
    #[serde(rename = "Evaluated")]
    pub evaluated: usize,
    /// When the account model was read (offline: when the snapshot was taken).
    #[serde(rename = "LoadedAt")]
    pub loaded_at: String,
    /// What the model could not take in, and the limits of the answer.
    #[serde(rename = "Notes", default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// One action's grant on a resource.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct ResourceAccess {
    /// The resource or pattern (as the granting statements name it); `*` for actions that
    /// take no resource.
    #[serde(rename = "Resource")]
    pub resource: String,
    /// allowed or conditional.
    #[serde(rename = "Decision")]
    pub decision: String,
    #[serde(rename = "GrantedBy")]
    pub granted_by: Vec<GrantRef>,
    #[serde(rename = "Conditions", default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<ConditionOut>,
    /// Resources within it a Deny statement refuses.
    #[serde(rename = "Except", default, skip_serializing_if = "Vec::is_empty")]
    pub except: Vec<DeniedResource>,
}

#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct DeniedResource {
    #[serde(rename = "Resource")]
    pub resource: String,
    #[serde(rename = "DeniedBy")]
    pub denied_by: GrantRef,
}

/// One action the principal is allowed.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct EffectiveActionOut {
    #[serde(rename = "Action")]
    pub action: String,
    #[serde(rename = "Resources")]
    pub resources: Vec<ResourceAccess>,
}

/// The actions of one access level of a service.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct AccessLevelActions {
    /// List, Read, Write, Permissions management or Tagging.
    #[serde(rename = "AccessLevel")]
    pub access_level: String,
    #[serde(rename = "Actions")]
    pub actions: Vec<EffectiveActionOut>,
}

/// One service's allowed actions.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct ServiceActions {
    #[serde(rename = "Service")]
    pub service: String,
    #[serde(rename = "AccessLevels")]
    pub access_levels: Vec<AccessLevelActions>,
}

/// What `get_effective_permissions` returns.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct EffectivePermissionsResult {
    #[serde(rename = "PrincipalArn")]
    pub principal_arn: String,
    /// user, group or role.
    #[serde(rename = "Type")]
    pub kind: String,
    /// The permissions boundary taken into account.
    #[serde(
        rename = "PermissionsBoundary",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub permissions_boundary: Option<String>,
    /// The policies evaluated: its own, its groups', its boundary.
    #[serde(rename = "EvaluatedPolicies")]
    pub evaluated_policies: Vec<String>,
    /// Allowed actions by service, then access level (at most max_actions of them).
    #[serde(rename = "Services")]
    pub services: Vec<ServiceActions>,
    /// How many actions are allowed in all (after the filters), outright or under
    /// conditions.
    #[serde(rename = "Count")]
    pub count: usize,
    /// Of them, allowed only under conditions on every resource.
    #[serde(rename = "ConditionalCount")]
    pub conditional_count: usize,
    #[serde(rename = "ByAccessLevel")]
    pub by_access_level: BTreeMap<String, usize>,
    #[serde(rename = "ByService")]
    pub by_service: BTreeMap<String, usize>,
    #[serde(rename = "LoadedAt")]
    pub loaded_at: String,
    #[serde(rename = "Notes", default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// A principal of the model by ARN, or an error naming the closest.
fn find_principal(account: &Account, arn: &str, param: &str) -> Result<usize, ToolError> {
    account.principal(arn).ok_or_else(|| {
        let near = account
            .closest_principal(arn)
            .map_or_else(String::new, |c| format!(" (did you mean {c:?}?)"));
        ToolError::invalid_arguments(format!(
            "{param} {arn:?} is not a user, group or role of the account{near}"
        ))
        .with_hint("Use the Arn that list_users, list_roles or get_group shows.")
    })
}

/// One known action (`s3:GetObject`), or an error with the closest.
fn known_action(action: &str) -> Result<String, ToolError> {
    if action.contains(['*', '?']) {
        return Err(ToolError::invalid_arguments(format!(
            "action {action:?} is a pattern; who_can asks about one action"
        ))
        .with_hint("Name one action (s3:GetObject); expand_actions lists what a pattern covers."));
    }
    match catalog().action(action) {
        Some(a) => Ok(a.full_name()),
        None => {
            let near = closest_action(action)
                .map_or_else(String::new, |n| format!(" (did you mean {n:?}?)"));
            Err(ToolError::invalid_arguments(format!(
                "action {action:?} is not in the AWS service catalog{near}"
            ))
            .with_hint("Name an action as service:Action, e.g. s3:GetObject or iam:PassRole."))
        }
    }
}

fn model_notes(model: &LoadedModel) -> Vec<String> {
    model.account.notes.clone()
}

/// `who_can`.
pub struct WhoCan;

impl RuntimeTool for WhoCan {
    type Params = WhoCanParams;
    type Output = WhoCanResult;

    /// Offline, whether a user has a console password is what the account file says.
    const OPTIONAL_OPERATIONS: &'static [&'static str] = &["GetLoginProfile"];

    fn run<'a>(ctx: &'a ToolContext, p: &'a WhoCanParams) -> ToolFuture<'a, WhoCanResult> {
        Box::pin(async move {
            let action = known_action(&p.action)?;
            let resource = p.resource.clone().unwrap_or_else(|| "*".to_string());
            let resource_policy = match &p.resource_policy {
                Some(doc) => {
                    let value = crate::policy::document_value(&doc.0).map_err(|e| {
                        ToolError::invalid_arguments(format!("resource_policy is not JSON: {e}"))
                    })?;
                    Some(Policy::parse(&value).map_err(|problems| {
                        ToolError::invalid_arguments(format!(
                            "resource_policy is not a policy document:\n- {}",
                            problems
                                .iter()
                                .map(ToString::to_string)
                                .collect::<Vec<_>>()
                                .join("\n- ")
                        ))
                        .with_hint("Fix each problem at the path shown and call again.")
                    })?)
                }
                None => None,
            };
            let model = ctx.account_model().await?;
            let account = &model.account;
            let rp = account.resource_policy_for(&action, &resource, resource_policy.as_ref());
            let found = account.who_can(&action, &resource, resource_policy.as_ref());
            let mut principals: Vec<AllowedPrincipal> = found
                .iter()
                .map(|w| allowed_principal(account, w.principal, &w.decided))
                .collect();
            principals.sort_by_key(|p| (p.kind != "user", p.decision != "allowed"));
            if p.transitive == Some(true) {
                // Who can become one of them, or make itself admin.
                let direct: Vec<usize> = found.iter().map(|w| w.principal).collect();
                let (via, _) = search(ctx, &model, direct.clone(), true).await?;
                for path in via.paths.iter().filter(|x| !direct.contains(&x.from)) {
                    let who = &account.principals[path.from];
                    principals.push(AllowedPrincipal {
                        arn: who.arn.clone(),
                        kind: who.kind.as_str().to_string(),
                        decision: "transitive".to_string(),
                        granted_by: Vec::new(),
                        conditions: Vec::new(),
                        via: Some(path_out(account, path)),
                    });
                }
            }
            Ok(WhoCanResult {
                count: principals.len(),
                evaluated: account
                    .principals
                    .iter()
                    .filter(|p| p.kind != Kind::Group)
                    .count(),
                action,
                resource,
                resource_policy: rp.map(|r| r.id),
                principals,
                loaded_at: model.loaded_at.clone(),
                notes: model_notes(&model),
            })
        })
    }
}

/// `get_effective_permissions`.
pub struct GetEffectivePermissions;

impl RuntimeTool for GetEffectivePermissions {
    type Params = GetEffectivePermissionsParams;
    type Output = EffectivePermissionsResult;

    fn run<'a>(
        ctx: &'a ToolContext,
        p: &'a GetEffectivePermissionsParams,
    ) -> ToolFuture<'a, EffectivePermissionsResult> {
        Box::pin(async move {
            let (service, level) = filters(p.service.as_deref(), p.access_level.as_deref())?;
            let model = ctx.account_model().await?;
            let account = &model.account;
            let i = find_principal(account, &p.principal_arn, "principal_arn")?;
            let filter = EffectiveFilter {
                service: service.as_deref(),
                access_level: level,
                resource: p.resource.as_deref(),
            };
            let found = account.effective(i, &filter);
            let principal = &account.principals[i];
            let subject = account.subject(i);
            let mut out = EffectivePermissionsResult {
                principal_arn: principal.arn.clone(),
                kind: principal.kind.as_str().to_string(),
                permissions_boundary: principal.boundary.map(|b| account.policies[b].arn.clone()),
                evaluated_policies: subject.policy_names(),
                count: found.len(),
                loaded_at: model.loaded_at.clone(),
                notes: model_notes(&model),
                ..Default::default()
            };
            let limit = p.max_actions.map_or(500, |m| m.max(1) as usize);
            for a in &found {
                let level = a.action.access_level().as_str().to_string();
                let service = a.action.service().prefix.to_string();
                *out.by_access_level.entry(level.clone()).or_default() += 1;
                *out.by_service.entry(service.clone()).or_default() += 1;
                if a.grants
                    .iter()
                    .all(|g| g.decided.access == Access::Conditional)
                {
                    out.conditional_count += 1;
                }
            }
            for a in found.iter().take(limit) {
                let service = a.action.service().prefix;
                if out.services.last().is_none_or(|s| s.service != service) {
                    out.services.push(ServiceActions {
                        service: service.to_string(),
                        access_levels: Vec::new(),
                    });
                }
                let levels = &mut out.services.last_mut().expect("pushed above").access_levels;
                let level = a.action.access_level().as_str();
                let slot = match levels.iter().position(|l| l.access_level == level) {
                    Some(k) => k,
                    None => {
                        levels.push(AccessLevelActions {
                            access_level: level.to_string(),
                            actions: Vec::new(),
                        });
                        levels.len() - 1
                    }
                };
                levels[slot].actions.push(EffectiveActionOut {
                    action: a.action.full_name(),
                    resources: a
                        .grants
                        .iter()
                        .map(|g| ResourceAccess {
                            resource: g.resource.clone(),
                            decision: g.decided.access.as_str().to_string(),
                            granted_by: g.decided.granted_by.iter().map(GrantRef::from).collect(),
                            conditions: g
                                .decided
                                .conditions
                                .iter()
                                .map(ConditionOut::from)
                                .collect(),
                            except: g
                                .except
                                .iter()
                                .map(|(r, by)| DeniedResource {
                                    resource: r.clone(),
                                    denied_by: GrantRef::from(by),
                                })
                                .collect(),
                        })
                        .collect(),
                });
            }
            if found.len() > limit {
                out.notes.push(format!(
                    "Services lists {limit} of {} actions (the counts cover all): narrow with service or access_level, or raise max_actions.",
                    found.len()
                ));
            }
            Ok(out)
        })
    }
}

/// What `find_escalation_paths` returns.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct EscalationResult {
    /// Users and roles with admin-equivalent access already.
    #[serde(rename = "Admins")]
    pub admins: Vec<String>,
    /// Users and roles with admin-equivalent access when their policies' conditions hold
    /// (MFA, a source IP, ...).
    #[serde(rename = "ConditionalAdmins")]
    pub conditional_admins: Vec<String>,
    /// One shortest path per principal that can become admin (or reach target_arn),
    /// shortest first; none for those that cannot.
    #[serde(rename = "Paths")]
    pub paths: Vec<EscalationPathOut>,
    /// Principals evaluated (users and roles).
    #[serde(rename = "Evaluated")]
    pub evaluated: usize,
    #[serde(rename = "LoadedAt")]
    pub loaded_at: String,
    #[serde(rename = "Notes", default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// The escalation search toward `goals` (and admin, with `admin`), live with the console
/// passwords the paths depend on asked of IAM: they are not in the details, so the users a
/// password step targets are asked (GetLoginProfile) and the search runs again with the
/// answers.
async fn search(
    ctx: &ToolContext,
    model: &Arc<LoadedModel>,
    goals: Vec<usize>,
    admin: bool,
) -> Result<(Escalation, Passwords), ToolError> {
    let account = &model.account;
    let mut passwords = Passwords::new();
    let offline = ctx.backend().account_file().is_some();
    loop {
        let found = {
            let (model, passwords, goals) = (model.clone(), passwords.clone(), goals.clone());
            tokio::task::spawn_blocking(move || {
                model.account.escalation_toward(&goals, admin, &passwords)
            })
            .await
            .map_err(|e| ToolError::internal(format!("the escalation search failed: {e}")))?
        };
        let unknown: Vec<usize> = found
            .paths
            .iter()
            .flat_map(|p| &p.steps)
            .filter(|s| s.action.ends_with("LoginProfile"))
            .filter_map(|s| s.target)
            .filter(|t| {
                !passwords.contains_key(t) && account.principals[*t].login_profile.is_none()
            })
            .collect();
        if offline || unknown.is_empty() {
            return Ok((found, passwords));
        }
        for t in unknown {
            let user = &account.principals[t].name;
            let profile = ctx
                .call_found("GetLoginProfile", serde_json::json!({"UserName": user}))
                .await?;
            passwords.insert(t, profile.is_some());
        }
    }
}

/// `find_escalation_paths`.
pub struct FindEscalationPaths;

impl RuntimeTool for FindEscalationPaths {
    type Params = FindEscalationPathsParams;
    type Output = EscalationResult;

    /// Offline, whether a user has a console password is what the account file says.
    const OPTIONAL_OPERATIONS: &'static [&'static str] = &["GetLoginProfile"];

    fn run<'a>(
        ctx: &'a ToolContext,
        p: &'a FindEscalationPathsParams,
    ) -> ToolFuture<'a, EscalationResult> {
        Box::pin(async move {
            let model = ctx.account_model().await?;
            let account = &model.account;
            let from = p
                .principal_arn
                .as_deref()
                .map(|a| find_principal(account, a, "principal_arn"))
                .transpose()?;
            let target = p
                .target_arn
                .as_deref()
                .map(|a| find_principal(account, a, "target_arn"))
                .transpose()?;
            let goals: Vec<usize> = target.into_iter().collect();
            let (escalation, passwords) = search(ctx, &model, goals, target.is_none()).await?;
            let arn = |i: usize| account.principals[i].arn.clone();
            let mut notes = model_notes(&model);
            let paths: Vec<EscalationPathOut> = escalation
                .paths
                .iter()
                .filter(|path| from.is_none_or(|f| path.from == f))
                .map(|path| path_out(account, path))
                .collect();
            let unknown_password = paths.iter().flat_map(|p| &p.steps).any(|s| {
                s.action.ends_with("LoginProfile")
                    && s.target
                        .as_deref()
                        .and_then(|t| account.principal(t))
                        .is_some_and(|t| {
                            account.principals[t].login_profile.is_none()
                                && !passwords.contains_key(&t)
                        })
            });
            if unknown_password {
                notes.push("GetAccountAuthorizationDetails does not say which users have a console password: a CreateLoginProfile step works only on a user without one, an UpdateLoginProfile step only on a user with one (get_login_profile tells).".to_string());
            }
            if let Some(f) = from
                && escalation.admins.contains(&f)
            {
                notes.push(format!("{} has admin-equivalent access already.", arn(f)));
            }
            Ok(EscalationResult {
                admins: escalation.admins.iter().map(|&i| arn(i)).collect(),
                conditional_admins: escalation
                    .conditional_admins
                    .iter()
                    .map(|&i| arn(i))
                    .collect(),
                paths,
                evaluated: account
                    .principals
                    .iter()
                    .filter(|p| p.kind != Kind::Group)
                    .count(),
                loaded_at: model.loaded_at.clone(),
                notes,
            })
        })
    }
}

/// `preview_access_change`.
pub struct PreviewAccessChange;

impl RuntimeTool for PreviewAccessChange {
    type Params = PreviewAccessChangeParams;
    type Output = AccessPreview;

    fn run<'a>(
        ctx: &'a ToolContext,
        p: &'a PreviewAccessChangeParams,
    ) -> ToolFuture<'a, AccessPreview> {
        Box::pin(async move {
            let previewed = ctx.catalog.previewed;
            let operation = ctx
                .catalog
                .tools
                .iter()
                .find(|t| t.name == p.tool)
                .and_then(|t| t.operation)
                .filter(|op| previewed.contains(op))
                .ok_or_else(|| {
                    let tools: Vec<&str> = ctx
                        .catalog
                        .tools
                        .iter()
                        .filter(|t| t.operation.is_some_and(|op| previewed.contains(&op)))
                        .map(|t| t.name)
                        .collect();
                    ToolError::invalid_arguments(format!(
                        "{:?} is not a tool that changes what a principal may do",
                        p.tool
                    ))
                    .with_hint(format!("Preview one of: {}.", tools.join(", ")))
                })?;
            // The tool's arguments as its operation's input: its params are the members'
            // names in snake_case.
            let arguments = crate::policy::document_value(&p.arguments.0)
                .ok()
                .and_then(|v| v.as_object().cloned())
                .ok_or_else(|| {
                    ToolError::invalid_arguments("arguments is not a JSON object")
                        .with_hint("Pass the tool's arguments as an object, e.g. {\"user_name\": \"alice\", \"policy_arn\": \"...\"}.")
                })?;
            let input: serde_json::Map<String, Value> = arguments
                .iter()
                .map(|(k, v)| (pascal(k), v.clone()))
                .collect();
            crate::analysis::preview(ctx, operation, &Value::Object(input)).await
        })
    }
}

/// `user_name` → `UserName`.
fn pascal(snake: &str) -> String {
    snake
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}
