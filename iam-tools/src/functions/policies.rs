//! `get_policy_document`: a managed policy's document, decoded, from its default version
//! unless a version is named.

use super::{args, RuntimeTool};
use crate::error::ToolError;
use crate::runtime::ToolContext;
use crate::JsonObject;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::future::Future;
use std::pin::Pin;

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
    #[serde(rename = "CreateDate", default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub create_date: Option<String>,
    /// The policy document, decoded into a JSON object.
    #[serde(rename = "Document")]
    pub document: Value,
}

#[derive(Debug, Deserialize)]
struct Args {
    policy_arn: String,
    version_id: Option<String>,
}

/// `get_policy_document`.
pub struct GetPolicyDocument;

impl RuntimeTool for GetPolicyDocument {
    type Output = PolicyDocumentResult;

    fn run<'a>(
        ctx: &'a ToolContext,
        raw: &'a JsonObject,
    ) -> Pin<Box<dyn Future<Output = Result<PolicyDocumentResult, ToolError>> + Send + 'a>> {
        Box::pin(async move {
            let a: Args = args(ctx, raw)?;
            let version_id = match a.version_id {
                Some(v) => v,
                None => {
                    let policy = ctx.call("GetPolicy", json!({"PolicyArn": a.policy_arn})).await?;
                    policy["Policy"]["DefaultVersionId"].as_str().map(str::to_string).ok_or_else(|| {
                        ToolError::internal(format!("GetPolicy returned no DefaultVersionId for {}", a.policy_arn))
                    })?
                }
            };
            let got = ctx.call("GetPolicyVersion", json!({"PolicyArn": a.policy_arn, "VersionId": version_id})).await?;
            let version = &got["PolicyVersion"];
            Ok(PolicyDocumentResult {
                version_id: version["VersionId"].as_str().unwrap_or(&version_id).to_string(),
                is_default_version: version["IsDefaultVersion"].as_bool().unwrap_or(false),
                create_date: version["CreateDate"].as_str().map(str::to_string),
                document: version["Document"].clone(),
                policy_arn: a.policy_arn,
            })
        })
    }
}
