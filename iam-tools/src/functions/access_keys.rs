//! `list_access_keys`: every access key of a user, each with its last use (date, service,
//! region) from GetAccessKeyLastUsed.

use super::manifest::params::ListAccessKeysParams;
use super::tool::RuntimeTool;
use crate::context::ToolContext;
use crate::error::ToolFuture;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// What `list_access_keys` returns.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct AccessKeysResult {
    /// Every key of the user (AWS allows at most two), with its last use.
    #[serde(rename = "AccessKeyMetadata")]
    pub access_key_metadata: Vec<AccessKeyWithLastUse>,
}

/// An access key's metadata (never its secret) and its last use.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct AccessKeyWithLastUse {
    #[serde(rename = "UserName", default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    #[serde(rename = "AccessKeyId")]
    pub access_key_id: String,
    /// `Active` or `Inactive`.
    #[serde(rename = "Status", default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(
        rename = "CreateDate",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(extend("format" = "date-time"))]
    pub create_date: Option<String>,
    /// When the key last signed a request; absent when it never has.
    #[serde(
        rename = "LastUsedDate",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(extend("format" = "date-time"))]
    pub last_used_date: Option<String>,
    /// The service of that request (`N/A` when never used).
    #[serde(
        rename = "ServiceName",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub service_name: Option<String>,
    /// The region of that request (`N/A` when never used).
    #[serde(rename = "Region", default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

fn text(value: &Value) -> Option<String> {
    value.as_str().map(str::to_string)
}

/// `list_access_keys`.
pub struct ListAccessKeys;

impl RuntimeTool for ListAccessKeys {
    type Params = ListAccessKeysParams;
    type Output = AccessKeysResult;

    fn run<'a>(
        ctx: &'a ToolContext,
        p: &'a ListAccessKeysParams,
    ) -> ToolFuture<'a, AccessKeysResult> {
        Box::pin(async move {
            let input = match &p.user_name {
                Some(user) => json!({"UserName": user}),
                None => json!({}),
            };
            let keys = ctx
                .call_all_pages("ListAccessKeys", input, "AccessKeyMetadata")
                .await?;
            let last_uses = futures::future::try_join_all(keys.iter().map(|key| {
                ctx.call(
                    "GetAccessKeyLastUsed",
                    json!({"AccessKeyId": key["AccessKeyId"]}),
                )
            }))
            .await?;
            let access_key_metadata = keys
                .iter()
                .zip(&last_uses)
                .map(|(key, used)| {
                    let last = &used["AccessKeyLastUsed"];
                    AccessKeyWithLastUse {
                        user_name: text(&key["UserName"]),
                        access_key_id: text(&key["AccessKeyId"]).unwrap_or_default(),
                        status: text(&key["Status"]),
                        create_date: text(&key["CreateDate"]),
                        last_used_date: text(&last["LastUsedDate"]),
                        service_name: text(&last["ServiceName"]),
                        region: text(&last["Region"]),
                    }
                })
                .collect();
            Ok(AccessKeysResult {
                access_key_metadata,
            })
        })
    }
}
