//! Policy simulation: `simulate_principal_policy` and `simulate_custom_policy`, with AWS's
//! simulator (`evaluator: "aws"`) or the local engine (`"local"`), both answering in AWS's
//! EvaluationResults shape plus an explanation of every decision.

use super::manifest::params::{SimulateCustomPolicyParams, SimulatePrincipalPolicyParams};
use super::manifest::shapes::{ContextEntry, EvaluationResult};
use super::tool::RuntimeTool;
use crate::codec::DocumentArg;
use crate::context::ToolContext;
use crate::error::{ToolError, ToolFuture};
use crate::policy::{
    Evaluation, EvaluationInput, NamedPolicy, Policy, PolicySourceType, Request, evaluate,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// What both simulation tools return.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct SimulationResult {
    /// One result per action and resource, as AWS's simulator returns them.
    #[serde(rename = "EvaluationResults")]
    pub evaluation_results: Vec<EvaluationResultOut>,
    /// `aws` (AWS's simulator) or `local` (this server's engine).
    #[serde(rename = "Evaluator")]
    pub evaluator: String,
    /// The policies the local engine evaluated, gathered from IAM or given.
    #[serde(
        rename = "EvaluatedPolicies",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub evaluated_policies: Vec<PolicyRef>,
}

#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct PolicyRef {
    #[serde(rename = "SourcePolicyId")]
    pub source_policy_id: String,
    #[serde(rename = "SourcePolicyType")]
    pub source_policy_type: String,
}

// The manifest's `EvaluationResult` as this server returns it: the action, decision and
// resource always said, plus `Explanation`; its statements as `MatchedStatementOut`. (Plain
// comments: a doc comment here would be a description in the tools' output schema.)
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct EvaluationResultOut {
    #[serde(rename = "EvalActionName")]
    pub eval_action_name: String,
    #[serde(rename = "EvalResourceName", default)]
    pub eval_resource_name: String,
    /// `allowed`, `explicitDeny` or `implicitDeny`.
    #[serde(rename = "EvalDecision")]
    pub eval_decision: String,
    #[serde(rename = "MatchedStatements", default)]
    pub matched_statements: Vec<MatchedStatementOut>,
    #[serde(rename = "MissingContextValues", default)]
    pub missing_context_values: Vec<String>,
    #[serde(
        rename = "PermissionsBoundaryDecisionDetail",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub permissions_boundary_decision_detail: Option<BoundaryDetail>,
    /// Why: the decision, its reasons, and what each statement did.
    #[serde(rename = "Explanation", default)]
    pub explanation: Vec<String>,
}

// The manifest's `Statement` as this server returns it: the policy it is in, and from the
// local engine its Sid and index (AWS's positions in the document are not returned).
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct MatchedStatementOut {
    #[serde(rename = "SourcePolicyId", default)]
    pub source_policy_id: String,
    #[serde(rename = "SourcePolicyType", default)]
    pub source_policy_type: String,
    #[serde(rename = "Sid", default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    #[serde(
        rename = "StatementIndex",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub statement_index: Option<usize>,
}

#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct BoundaryDetail {
    #[serde(rename = "AllowedByPermissionsBoundary")]
    pub allowed_by_permissions_boundary: bool,
}

impl From<EvaluationResult> for EvaluationResultOut {
    /// AWS's answer, as the manifest declares it, in this server's result (no explanation
    /// yet).
    fn from(r: EvaluationResult) -> Self {
        EvaluationResultOut {
            eval_action_name: r.eval_action_name,
            eval_resource_name: r.eval_resource_name.unwrap_or_default(),
            eval_decision: r.eval_decision,
            matched_statements: r
                .matched_statements
                .into_iter()
                .map(|s| MatchedStatementOut {
                    source_policy_id: s.source_policy_id.unwrap_or_default(),
                    source_policy_type: s.source_policy_type.unwrap_or_default(),
                    sid: None,
                    statement_index: None,
                })
                .collect(),
            missing_context_values: r.missing_context_values,
            permissions_boundary_decision_detail: r.permissions_boundary_decision_detail.map(|b| {
                BoundaryDetail {
                    allowed_by_permissions_boundary: b.allowed_by_permissions_boundary,
                }
            }),
            explanation: Vec::new(),
        }
    }
}

/// What both tools ask, borrowed from their params: these actions on these resources (none:
/// any resource), in this context.
struct Question<'a> {
    actions: &'a [String],
    resources: &'a [String],
    context: &'a [ContextEntry],
}

/// An optional list param, empty when not given.
fn or_empty<T>(list: &Option<Vec<T>>) -> &[T] {
    list.as_deref().unwrap_or_default()
}

/// `simulate_principal_policy`.
pub struct SimulatePrincipalPolicy;

impl RuntimeTool for SimulatePrincipalPolicy {
    type Params = SimulatePrincipalPolicyParams;
    type Output = SimulationResult;
    const OPTIONAL_OPERATIONS: &'static [&'static str] = &["SimulatePrincipalPolicy"];

    fn run<'a>(
        ctx: &'a ToolContext,
        p: &'a SimulatePrincipalPolicyParams,
    ) -> ToolFuture<'a, SimulationResult> {
        Box::pin(async move {
            let question = Question {
                actions: &p.action_names,
                resources: or_empty(&p.resource_arns),
                context: or_empty(&p.context_entries),
            };
            let mut problems = Vec::new();
            let extra = parse_list(
                or_empty(&p.policy_input_list),
                "policy_input_list",
                PolicySourceType::None,
                &mut problems,
            );
            let boundary_list = parse_list(
                or_empty(&p.permissions_boundary_policy_input_list),
                "permissions_boundary_policy_input_list",
                PolicySourceType::PermissionsBoundary,
                &mut problems,
            );
            let resource_policy = p.resource_policy.as_ref().and_then(|d| {
                parse_one(
                    d,
                    "resource_policy",
                    "ResourcePolicy",
                    PolicySourceType::Resource,
                    &mut problems,
                )
            });
            fail_on(problems)?;
            // Offline (an account file) the local engine is the default, and AWS's simulator
            // is out of reach.
            let offline = ctx.backend().account_file().is_some();
            match p
                .evaluator
                .as_deref()
                .unwrap_or(if offline { "local" } else { "aws" })
            {
                "aws" if offline => Err(aws_offline()),
                "aws" => {
                    let mut input = aws_input(
                        &question,
                        or_empty(&p.policy_input_list),
                        or_empty(&p.permissions_boundary_policy_input_list),
                        p.resource_policy.as_ref(),
                        p.resource_owner.as_deref(),
                        p.caller_arn.as_deref(),
                    )?;
                    input["PolicySourceArn"] = json!(p.policy_source_arn);
                    aws_simulation(ctx, "SimulatePrincipalPolicy", input).await
                }
                _ => {
                    let principal = SimulatedPrincipal::parse(&p.policy_source_arn)?;
                    let mut input = gather(ctx, &principal).await?;
                    input.identity_policies.extend(extra);
                    if let Some(b) = boundary_list.into_iter().next() {
                        input.permissions_boundary = Some(b);
                    }
                    input.resource_policy = resource_policy;
                    let caller = p.caller_arn.as_deref().unwrap_or(&p.policy_source_arn);
                    let owner = p
                        .resource_owner
                        .clone()
                        .or_else(|| Some(principal.account.clone()));
                    Ok(local_simulation(&input, &question, caller, owner))
                }
            }
        })
    }
}

/// `simulate_custom_policy`.
pub struct SimulateCustomPolicy;

impl RuntimeTool for SimulateCustomPolicy {
    type Params = SimulateCustomPolicyParams;
    type Output = SimulationResult;
    const OPTIONAL_OPERATIONS: &'static [&'static str] = &["SimulateCustomPolicy"];

    fn run<'a>(
        ctx: &'a ToolContext,
        p: &'a SimulateCustomPolicyParams,
    ) -> ToolFuture<'a, SimulationResult> {
        Box::pin(async move {
            let question = Question {
                actions: &p.action_names,
                resources: or_empty(&p.resource_arns),
                context: or_empty(&p.context_entries),
            };
            let mut problems = Vec::new();
            let identity = parse_list(
                &p.policy_input_list,
                "policy_input_list",
                PolicySourceType::None,
                &mut problems,
            );
            let boundary = parse_list(
                or_empty(&p.permissions_boundary_policy_input_list),
                "permissions_boundary_policy_input_list",
                PolicySourceType::PermissionsBoundary,
                &mut problems,
            );
            let resource_policy = p.resource_policy.as_ref().and_then(|d| {
                parse_one(
                    d,
                    "resource_policy",
                    "ResourcePolicy",
                    PolicySourceType::Resource,
                    &mut problems,
                )
            });
            let session = p.session_policy.as_ref().and_then(|d| {
                parse_one(
                    d,
                    "session_policy",
                    "SessionPolicy",
                    PolicySourceType::Session,
                    &mut problems,
                )
            });
            let levels = |levels: &Option<Vec<Vec<DocumentArg>>>,
                          what: &str,
                          ty,
                          problems: &mut Vec<String>| {
                levels.as_ref().map(|levels| {
                    levels
                        .iter()
                        .enumerate()
                        .map(|(i, level)| parse_list(level, &format!("{what}[{i}]"), ty, problems))
                        .collect::<Vec<_>>()
                })
            };
            let scps = levels(
                &p.scp_policy_levels,
                "scp_policy_levels",
                PolicySourceType::Scp,
                &mut problems,
            );
            let rcps = levels(
                &p.rcp_policy_levels,
                "rcp_policy_levels",
                PolicySourceType::Rcp,
                &mut problems,
            );
            fail_on(problems)?;
            match p.evaluator.as_deref().unwrap_or("local") {
                "aws" if ctx.backend().account_file().is_some() => Err(aws_offline()),
                "aws" => {
                    if session.is_some()
                        || scps.is_some()
                        || rcps.is_some()
                        || p.resource_account.is_some()
                    {
                        return Err(ToolError::invalid_arguments(
                            "session_policy, scp_policy_levels, rcp_policy_levels and resource_account are local-engine extensions; AWS's simulator does not take them.",
                        )
                        .with_hint("Use evaluator \"local\", or drop those arguments."));
                    }
                    let input = aws_input(
                        &question,
                        &p.policy_input_list,
                        or_empty(&p.permissions_boundary_policy_input_list),
                        p.resource_policy.as_ref(),
                        p.resource_owner.as_deref(),
                        p.caller_arn.as_deref(),
                    )?;
                    aws_simulation(ctx, "SimulateCustomPolicy", input).await
                }
                _ => {
                    let input = EvaluationInput {
                        identity_policies: identity,
                        permissions_boundary: boundary.into_iter().next(),
                        session_policy: session,
                        resource_policy,
                        scp_levels: scps,
                        rcp_levels: rcps,
                    };
                    let caller = p
                        .caller_arn
                        .as_deref()
                        .unwrap_or("arn:aws:iam::123456789012:user/simulated-caller");
                    let owner = p
                        .resource_account
                        .clone()
                        .or_else(|| p.resource_owner.clone());
                    Ok(local_simulation(&input, &question, caller, owner))
                }
            }
        })
    }
}

/// `evaluator: "aws"` on an account file.
fn aws_offline() -> ToolError {
    ToolError::refused(
        "evaluator \"aws\" asks AWS's policy simulator, and this server serves an account file (offline mode, no AWS access).",
    )
    .with_hint("Use evaluator \"local\" (the default offline): the local engine evaluates the principal's policies from the file.")
}

fn parse_one(
    doc: &DocumentArg,
    param: &str,
    id: &str,
    ty: PolicySourceType,
    problems: &mut Vec<String>,
) -> Option<NamedPolicy> {
    let value = match crate::policy::document_value(&doc.0) {
        Ok(v) => v,
        Err(e) => {
            problems.push(format!("{param}: not JSON: {e}"));
            return None;
        }
    };
    match Policy::parse(&value) {
        Ok(policy) => Some(NamedPolicy::new(id, ty, policy)),
        Err(found) => {
            problems.extend(found.iter().map(|p| format!("{param}: {p}")));
            None
        }
    }
}

fn parse_list(
    docs: &[DocumentArg],
    param: &str,
    ty: PolicySourceType,
    problems: &mut Vec<String>,
) -> Vec<NamedPolicy> {
    let id_base = match ty {
        PolicySourceType::PermissionsBoundary => "PermissionsBoundaryPolicyInputList",
        PolicySourceType::Scp => "SCP",
        PolicySourceType::Rcp => "RCP",
        _ => "PolicyInputList",
    };
    docs.iter()
        .enumerate()
        .filter_map(|(i, d)| {
            parse_one(
                d,
                &format!("{param}[{i}]"),
                &format!("{id_base}.{}", i + 1),
                ty,
                problems,
            )
        })
        .collect()
}

fn fail_on(problems: Vec<String>) -> Result<(), ToolError> {
    if problems.is_empty() {
        return Ok(());
    }
    Err(ToolError::invalid_arguments(format!(
        "Invalid policy document:\n- {}",
        problems.join("\n- ")
    ))
    .with_hint("Fix each problem at the path shown (e.g. Statement[0].Effect) and call again."))
}

/// The AWS simulator's input from what both tools take.
fn aws_input(
    question: &Question,
    policy_input_list: &[DocumentArg],
    boundary_list: &[DocumentArg],
    resource_policy: Option<&DocumentArg>,
    resource_owner: Option<&str>,
    caller_arn: Option<&str>,
) -> Result<Value, ToolError> {
    let docs = |list: &[DocumentArg], name: &str| -> Result<Vec<String>, ToolError> {
        list.iter().map(|d| d.to_aws_string(name)).collect()
    };
    let mut input = json!({
        "ActionNames": question.actions,
        "ResourceArns": question.resources,
        "ContextEntries": question.context,
        "PolicyInputList": docs(policy_input_list, "policy_input_list")?,
        "PermissionsBoundaryPolicyInputList": docs(boundary_list, "permissions_boundary_policy_input_list")?,
    });
    if let Some(doc) = resource_policy {
        input["ResourcePolicy"] = json!(doc.to_aws_string("resource_policy")?);
    }
    if let Some(owner) = resource_owner {
        input["ResourceOwner"] = json!(owner);
    }
    if let Some(caller) = caller_arn {
        input["CallerArn"] = json!(caller);
    }
    Ok(input)
}

async fn aws_simulation(
    ctx: &ToolContext,
    operation: &str,
    input: Value,
) -> Result<SimulationResult, ToolError> {
    let results = ctx
        .call_all_pages(operation, input, "EvaluationResults")
        .await?;
    let evaluation_results = results
        .into_iter()
        .map(|r| {
            let result: EvaluationResult = serde_json::from_value(r).map_err(|e| {
                ToolError::internal(format!("unexpected EvaluationResult from AWS: {e}"))
            })?;
            let mut out = EvaluationResultOut::from(result);
            out.explanation = aws_explanation(&out);
            Ok(out)
        })
        .collect::<Result<_, ToolError>>()?;
    Ok(SimulationResult {
        evaluation_results,
        evaluator: "aws".into(),
        evaluated_policies: Vec::new(),
    })
}

/// What AWS's answer says, in words (its simulator gives no reasons of its own).
fn aws_explanation(r: &EvaluationResultOut) -> Vec<String> {
    let mut lines = vec![format!(
        "decision: {} for {} on {}",
        r.eval_decision, r.eval_action_name, r.eval_resource_name
    )];
    let by: Vec<String> = r
        .matched_statements
        .iter()
        .map(|s| format!("{} ({})", s.source_policy_id, s.source_policy_type))
        .collect();
    match r.eval_decision.as_str() {
        "allowed" => lines.push(format!("allowed by a statement in: {}", by.join(", "))),
        "explicitDeny" => lines.push(format!(
            "explicitly denied by a statement in: {}",
            by.join(", ")
        )),
        _ if by.is_empty() => lines.push("No policy grants this permission".into()),
        _ => lines.push(format!(
            "not allowed; statements considered: {}",
            by.join(", ")
        )),
    }
    if let Some(b) = &r.permissions_boundary_decision_detail
        && !b.allowed_by_permissions_boundary
    {
        lines.push("the permissions boundary does not allow it".into());
    }
    if !r.missing_context_values.is_empty() {
        lines.push(format!(
            "missing context values: {}",
            r.missing_context_values.join(", ")
        ));
    }
    lines
}

fn local_simulation(
    input: &EvaluationInput,
    question: &Question,
    caller: &str,
    owner: Option<String>,
) -> SimulationResult {
    let mut context = crate::policy::Context::default();
    for entry in question.context {
        if let Some(name) = &entry.context_key_name {
            context.insert(name.clone(), entry.context_key_values.clone());
        }
    }
    let resources: Vec<String> = if question.resources.is_empty() {
        vec!["*".to_string()]
    } else {
        question.resources.to_vec()
    };
    let mut evaluation_results = Vec::new();
    for action in question.actions {
        for resource in &resources {
            let account = owner.clone().or_else(|| {
                resource
                    .split(':')
                    .nth(4)
                    .filter(|a| !a.is_empty())
                    .map(str::to_string)
            });
            let mut request = Request::new(action.clone(), resource.clone())
                .principal(caller)
                .with_context(context.clone());
            if let Some(account) = account {
                request = request.resource_account(account);
            }
            let evaluation = evaluate(input, &request);
            evaluation_results.push(result_of(&evaluation, &request, action, resource));
        }
    }
    let evaluated_policies = input
        .identity_policies
        .iter()
        .chain(input.permissions_boundary.iter())
        .chain(input.resource_policy.iter())
        .chain(input.session_policy.iter())
        .map(|p| PolicyRef {
            source_policy_id: p.id.clone(),
            source_policy_type: type_name(p.source_type),
        })
        .collect();
    SimulationResult {
        evaluation_results,
        evaluator: "local".into(),
        evaluated_policies,
    }
}

fn type_name(ty: PolicySourceType) -> String {
    serde_json::to_value(ty)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn result_of(
    e: &Evaluation<'_>,
    request: &Request,
    action: &str,
    resource: &str,
) -> EvaluationResultOut {
    let mut explanation = e.explanation_lines(request);
    if e.decision == crate::policy::Decision::ImplicitDeny && e.matched_statements.is_empty() {
        explanation.insert(1, "No policy grants this permission".to_string());
    }
    EvaluationResultOut {
        eval_action_name: action.to_string(),
        eval_resource_name: resource.to_string(),
        eval_decision: e.decision.as_str().to_string(),
        matched_statements: e
            .matched_statements
            .iter()
            .map(|m| MatchedStatementOut {
                source_policy_id: m.source_policy_id.to_string(),
                source_policy_type: type_name(m.source_policy_type),
                sid: m.sid.map(str::to_string),
                statement_index: Some(m.statement_index),
            })
            .collect(),
        missing_context_values: e.missing_context_values.clone(),
        permissions_boundary_decision_detail: e.boundary_decision.map(|b| BoundaryDetail {
            allowed_by_permissions_boundary: b.allowed_by_permissions_boundary,
        }),
        explanation,
    }
}

/// A user, group or role ARN.
struct SimulatedPrincipal {
    kind: &'static str,
    name: String,
    account: String,
}

impl SimulatedPrincipal {
    fn parse(arn: &str) -> Result<SimulatedPrincipal, ToolError> {
        let bad = || {
            ToolError::invalid_arguments(format!("`policy_source_arn` {arn:?} is not the ARN of an IAM user, group or role"))
                .with_hint("Use e.g. arn:aws:iam::123456789012:user/alice (get_user and get_group show the Arn).")
        };
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        if parts.len() != 6 || parts[0] != "arn" || parts[2] != "iam" {
            return Err(bad());
        }
        let (kind, path) = parts[5].split_once('/').ok_or_else(bad)?;
        let kind = match kind {
            "user" => "user",
            "group" => "group",
            "role" => "role",
            _ => return Err(bad()),
        };
        let name = path
            .rsplit('/')
            .next()
            .filter(|n| !n.is_empty())
            .ok_or_else(bad)?;
        Ok(SimulatedPrincipal {
            kind,
            name: name.to_string(),
            account: parts[4].to_string(),
        })
    }
}

/// The principal's identity policies and boundary, read from IAM.
async fn gather(ctx: &ToolContext, p: &SimulatedPrincipal) -> Result<EvaluationInput, ToolError> {
    let mut input = EvaluationInput::default();
    let name = p.name.as_str();
    let boundary_arn = match p.kind {
        "user" => {
            let user = ctx.call("GetUser", json!({"UserName": name})).await?;
            inline(ctx, &mut input, "User", name, PolicySourceType::User).await?;
            attached(ctx, &mut input, "User", name).await?;
            for group in ctx
                .call_all_pages("ListGroupsForUser", json!({"UserName": name}), "Groups")
                .await?
            {
                let group = group["GroupName"].as_str().unwrap_or_default().to_string();
                inline(ctx, &mut input, "Group", &group, PolicySourceType::Group).await?;
                attached(ctx, &mut input, "Group", &group).await?;
            }
            user["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"]
                .as_str()
                .map(str::to_string)
        }
        "role" => {
            let role = ctx.call("GetRole", json!({"RoleName": name})).await?;
            inline(ctx, &mut input, "Role", name, PolicySourceType::Role).await?;
            attached(ctx, &mut input, "Role", name).await?;
            role["Role"]["PermissionsBoundary"]["PermissionsBoundaryArn"]
                .as_str()
                .map(str::to_string)
        }
        _ => {
            inline(ctx, &mut input, "Group", name, PolicySourceType::Group).await?;
            attached(ctx, &mut input, "Group", name).await?;
            None
        }
    };
    if let Some(arn) = boundary_arn {
        let (id, _, policy) = managed(ctx, &arn).await?;
        input.permissions_boundary = Some(NamedPolicy::new(
            id,
            PolicySourceType::PermissionsBoundary,
            policy,
        ));
    }
    Ok(input)
}

/// `User`/`Group`/`Role` inline policies.
async fn inline(
    ctx: &ToolContext,
    input: &mut EvaluationInput,
    kind: &str,
    name: &str,
    ty: PolicySourceType,
) -> Result<(), ToolError> {
    let key = format!("{kind}Name");
    for policy_name in ctx
        .call_all_pages(
            &format!("List{kind}Policies"),
            json!({ key.clone(): name }),
            "PolicyNames",
        )
        .await?
    {
        let policy_name = policy_name.as_str().unwrap_or_default();
        let got = ctx
            .call(
                &format!("Get{kind}Policy"),
                json!({ key.clone(): name, "PolicyName": policy_name }),
            )
            .await?;
        let policy = stored(
            &got["PolicyDocument"],
            &format!("inline policy {policy_name} of {kind} {name}"),
        )?;
        input
            .identity_policies
            .push(NamedPolicy::new(policy_name, ty, policy));
    }
    Ok(())
}

/// Managed policies attached to a user, group or role (their default versions).
async fn attached(
    ctx: &ToolContext,
    input: &mut EvaluationInput,
    kind: &str,
    name: &str,
) -> Result<(), ToolError> {
    let key = format!("{kind}Name");
    for a in ctx
        .call_all_pages(
            &format!("ListAttached{kind}Policies"),
            json!({ key: name }),
            "AttachedPolicies",
        )
        .await?
    {
        let arn = a["PolicyArn"].as_str().unwrap_or_default();
        let (id, ty, policy) = managed(ctx, arn).await?;
        input
            .identity_policies
            .push(NamedPolicy::new(id, ty, policy));
    }
    Ok(())
}

/// A managed policy's default version, with AWS's SourcePolicyId (its name) and type.
async fn managed(
    ctx: &ToolContext,
    arn: &str,
) -> Result<(String, PolicySourceType, Policy), ToolError> {
    let (policy, document) = ctx.managed_policy(arn).await?;
    let name = policy["PolicyName"].as_str().unwrap_or(arn).to_string();
    let ty = if arn.contains(":aws:policy/") {
        PolicySourceType::AwsManaged
    } else {
        PolicySourceType::UserManaged
    };
    Ok((
        name,
        ty,
        stored(&document, &format!("managed policy {arn}"))?,
    ))
}

/// A document stored in IAM, decoded by the operation layer.
fn stored(doc: &Value, what: &str) -> Result<Policy, ToolError> {
    // Lenient: IAM accepted the document, so what the engine cannot read must not apply.
    let (policy, problems) = Policy::parse_lenient(doc);
    if !problems.is_empty() {
        tracing::warn!(%what, problems = problems.len(), "stored policy has parts the engine cannot read");
    }
    Ok(policy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principals_parse_from_arns() {
        let p =
            SimulatedPrincipal::parse("arn:aws:iam::123456789012:user/developers/alice").unwrap();
        assert_eq!(
            (p.kind, p.name.as_str(), p.account.as_str()),
            ("user", "alice", "123456789012")
        );
        assert!(SimulatedPrincipal::parse("arn:aws:s3:::bucket").is_err());
        assert!(SimulatedPrincipal::parse("nonsense").is_err());
    }
}
