//! `get_policy_document`: a managed policy's document, decoded, from its default version
//! unless a version is named.

use super::manifest::params::{GetPolicyDocumentParams, ValidatePolicyParams};
use super::tool::RuntimeTool;
use crate::context::ToolContext;
use crate::error::{ToolError, ToolFuture};
use crate::policy::lint::{PolicyKind, lint};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// What `get_policy_document` returns.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct PolicyDocumentResult {
    #[serde(rename = "PolicyArn")]
    pub policy_arn: String,
    #[serde(rename = "VersionId")]
    pub version_id: String,
    /// Whether this version is the one in effect.
    #[serde(rename = "IsDefaultVersion")]
    pub is_default_version: bool,
    #[serde(
        rename = "CreateDate",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(extend("format" = "date-time"))]
    pub create_date: Option<String>,
    /// The policy document, decoded into a JSON object.
    #[serde(rename = "Document")]
    #[schemars(with = "crate::codec::DecodedDocument")]
    pub document: Value,
}

/// `get_policy_document`.
pub struct GetPolicyDocument;

impl RuntimeTool for GetPolicyDocument {
    type Params = GetPolicyDocumentParams;
    type Output = PolicyDocumentResult;

    fn run<'a>(
        ctx: &'a ToolContext,
        p: &'a GetPolicyDocumentParams,
    ) -> ToolFuture<'a, PolicyDocumentResult> {
        Box::pin(async move {
            let version_id = match &p.version_id {
                Some(v) => v.clone(),
                None => {
                    let policy = ctx
                        .call("GetPolicy", json!({"PolicyArn": p.policy_arn}))
                        .await?;
                    policy["Policy"]["DefaultVersionId"]
                        .as_str()
                        .map(str::to_string)
                        .ok_or_else(|| {
                            ToolError::internal(format!(
                                "GetPolicy returned no DefaultVersionId for {}",
                                p.policy_arn
                            ))
                        })?
                }
            };
            let got = ctx
                .call(
                    "GetPolicyVersion",
                    json!({"PolicyArn": p.policy_arn, "VersionId": version_id}),
                )
                .await?;
            let version = &got["PolicyVersion"];
            Ok(PolicyDocumentResult {
                version_id: version["VersionId"]
                    .as_str()
                    .unwrap_or(&version_id)
                    .to_string(),
                is_default_version: version["IsDefaultVersion"].as_bool().unwrap_or(false),
                create_date: version["CreateDate"].as_str().map(str::to_string),
                document: version["Document"].clone(),
                policy_arn: p.policy_arn.clone(),
            })
        })
    }
}

/// One finding of `validate_policy`, as IAM Access Analyzer's ValidatePolicy names it.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct PolicyFinding {
    /// Access Analyzer's issue code (`INVALID_ACTION`, `PASS_ROLE_WITH_STAR_IN_RESOURCE`), or
    /// one of this server's own (`RESOURCE_MISMATCH`, `ALLOW_WITH_NOT_ACTION`).
    #[serde(rename = "IssueCode")]
    pub issue_code: String,
    /// `ERROR` (IAM or this server refuses it), `SECURITY_WARNING`, `WARNING`, `SUGGESTION`.
    #[serde(rename = "FindingType")]
    pub finding_type: String,
    /// What is wrong and what to change.
    #[serde(rename = "Message")]
    pub message: String,
    /// Where in the document (`Statement[0].Action[1]`; `$` for the whole document).
    #[serde(rename = "Path")]
    pub path: String,
}

/// What `validate_policy` returns.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct ValidatePolicyResult {
    /// True when there is no ERROR finding: the write tools would send it (guardrails aside).
    #[serde(rename = "Valid")]
    pub valid: bool,
    /// Every finding, in document order.
    #[serde(rename = "Findings")]
    pub findings: Vec<PolicyFinding>,
    /// What this server's guardrails in force would refuse in it (a write tool sending it
    /// would be refused, whatever Valid says), each with the flag that relaxes the rule.
    #[serde(rename = "Guardrails")]
    pub guardrails: Vec<GuardrailFinding>,
}

/// A finding of a guardrail in force.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct GuardrailFinding {
    /// `broad_allow`, `public_trust`
    #[serde(rename = "Guardrail")]
    pub guardrail: String,
    #[serde(rename = "Path")]
    pub path: String,
    #[serde(rename = "Message")]
    pub message: String,
    /// The server flag that relaxes the rule (`--allow-broad-policies`).
    #[serde(rename = "RelaxWith")]
    pub relax_with: String,
}

/// `validate_policy`: the lint the write tools run, on its own; no AWS call.
pub struct ValidatePolicy;

impl RuntimeTool for ValidatePolicy {
    type Params = ValidatePolicyParams;
    type Output = ValidatePolicyResult;

    /// No operation: offline mode offers it too.
    const OPTIONAL_OPERATIONS: &'static [&'static str] = &[];

    fn run<'a>(
        ctx: &'a ToolContext,
        p: &'a ValidatePolicyParams,
    ) -> ToolFuture<'a, ValidatePolicyResult> {
        Box::pin(async move {
            let kind = p
                .policy_type
                .as_deref()
                .and_then(PolicyKind::parse)
                .unwrap_or(PolicyKind::Identity);
            let found = lint(&p.policy_document.0, kind);
            let guardrails = crate::write::guard::document_findings(
                ctx.catalog,
                &ctx.shared.guardrails,
                kind.as_str(),
                &found,
            )
            .into_iter()
            .map(|(spec, p)| GuardrailFinding {
                guardrail: spec.name.to_string(),
                path: p.path.clone(),
                message: p.message.clone(),
                relax_with: spec.flag.to_string(),
            })
            .collect();
            Ok(ValidatePolicyResult {
                valid: found.errors.is_empty(),
                guardrails,
                findings: found
                    .findings
                    .iter()
                    .map(|f| PolicyFinding {
                        issue_code: f.issue_code.to_string(),
                        finding_type: f.finding_type.as_str().to_string(),
                        message: f.message.clone(),
                        path: f.path.clone(),
                    })
                    .collect(),
            })
        })
    }
}
