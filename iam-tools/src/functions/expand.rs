//! `expand_actions`: what action patterns or a policy document cover, in concrete actions of
//! the service catalog, with their access levels and resource types. No AWS call.

use std::collections::BTreeMap;

use super::manifest::params::ExpandActionsParams;
use super::tool::RuntimeTool;
use crate::context::ToolContext;
use crate::error::{ToolError, ToolFuture};
use crate::policy::catalog::{AccessLevel, catalog, expand, source};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A resource type an action acts on.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct ExpandedResourceType {
    #[serde(rename = "Name")]
    pub name: String,
    /// Its ARN template: `arn:${Partition}:s3:::${BucketName}/${ObjectName}`.
    #[serde(rename = "Arn")]
    pub arn: String,
    /// Whether the action always names a resource of this type.
    #[serde(rename = "Required")]
    pub required: bool,
}

/// One concrete action.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct ExpandedAction {
    /// `s3:GetObject`.
    #[serde(rename = "Action")]
    pub action: String,
    /// List, Read, Write, Permissions management or Tagging.
    #[serde(rename = "AccessLevel")]
    pub access_level: String,
    /// The resource types it acts on; empty: it takes only `"*"`.
    #[serde(rename = "ResourceTypes")]
    pub resource_types: Vec<ExpandedResourceType>,
    /// The patterns (`s3:Get*`) or statements (`Statement[0]`) that cover it.
    #[serde(rename = "CoveredBy")]
    pub covered_by: Vec<String>,
    /// Deny statements that deny it for some resources or under a condition.
    #[serde(
        rename = "DeniedInPartBy",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub denied_in_part_by: Vec<String>,
}

/// What `expand_actions` returns.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct ExpandActionsResult {
    /// The actions, by service then name (at most max_actions of them).
    #[serde(rename = "Actions")]
    pub actions: Vec<ExpandedAction>,
    /// How many actions are covered in all (after the filters).
    #[serde(rename = "Count")]
    pub count: usize,
    /// Counts by access level.
    #[serde(rename = "ByAccessLevel")]
    pub by_access_level: BTreeMap<String, usize>,
    /// Counts by service prefix.
    #[serde(rename = "ByService")]
    pub by_service: BTreeMap<String, usize>,
    /// Patterns that match no action of the catalog (misspelt, or newer than it).
    #[serde(rename = "Unmatched", default, skip_serializing_if = "Vec::is_empty")]
    pub unmatched: Vec<String>,
    /// Said when Actions does not list every action.
    #[serde(rename = "Note", default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The catalog's source and date.
    #[serde(rename = "Catalog")]
    pub catalog: String,
}

/// The `service` and `access_level` params of the catalog tools, checked: a service prefix
/// of the catalog (lower-cased) and an access level.
pub(super) fn filters(
    service: Option<&str>,
    access_level: Option<&str>,
) -> Result<(Option<String>, Option<AccessLevel>), ToolError> {
    let level = access_level
        .map(|l| {
            AccessLevel::from_name(l).ok_or_else(|| {
                ToolError::invalid_arguments(format!("access_level {l:?} is not an access level"))
                    .with_hint("Use List, Read, Write, Permissions management or Tagging.")
            })
        })
        .transpose()?;
    let service = service.map(str::to_ascii_lowercase);
    if let Some(s) = &service
        && catalog().service(s).is_none()
    {
        return Err(ToolError::invalid_arguments(format!(
            "service {s:?} is not a service prefix of the catalog"
        ))
        .with_hint(
            "Use a service prefix such as s3, iam, ec2 (the part before the colon of an action).",
        ));
    }
    Ok((service, level))
}

/// `expand_actions`.
pub struct ExpandActions;

impl RuntimeTool for ExpandActions {
    type Params = ExpandActionsParams;
    type Output = ExpandActionsResult;

    /// No operation: offline mode offers it too.
    const OPTIONAL_OPERATIONS: &'static [&'static str] = &[];

    fn run<'a>(
        _ctx: &'a ToolContext,
        p: &'a ExpandActionsParams,
    ) -> ToolFuture<'a, ExpandActionsResult> {
        Box::pin(async move {
            let c = catalog();
            let (covered, unmatched) = match (&p.action_patterns, &p.policy_document) {
                (Some(patterns), None) => {
                    let patterns: Vec<&str> = patterns.iter().map(String::as_str).collect();
                    expand::patterns(c, &patterns)
                }
                (None, Some(doc)) => {
                    let doc = crate::policy::document_value(&doc.0).map_err(|e| {
                        ToolError::invalid_arguments(format!("policy_document is not JSON: {e}"))
                            .with_hint(
                                "Pass the document as a JSON object, or a string holding one.",
                            )
                    })?;
                    (expand::document(c, &doc), Vec::new())
                }
                _ => {
                    return Err(ToolError::invalid_arguments(
                        "expand_actions takes action_patterns or policy_document (one of them)",
                    )
                    .with_hint(
                        "Call it with {\"action_patterns\": [\"s3:Get*\"]} or {\"policy_document\": {...}}.",
                    ));
                }
            };
            let (service, level) = filters(p.service.as_deref(), p.access_level.as_deref())?;
            let kept: Vec<_> = covered
                .into_iter()
                .filter(|a| level.is_none_or(|l| a.action.access_level() == l))
                .filter(|a| {
                    service
                        .as_deref()
                        .is_none_or(|s| a.action.service().prefix.eq_ignore_ascii_case(s))
                })
                .collect();
            let mut out = ExpandActionsResult {
                count: kept.len(),
                unmatched,
                catalog: source().describe(),
                ..Default::default()
            };
            for a in &kept {
                *out.by_access_level
                    .entry(a.action.access_level().as_str().to_owned())
                    .or_default() += 1;
                *out.by_service
                    .entry(a.action.service().prefix.to_owned())
                    .or_default() += 1;
            }
            let limit = p.max_actions.map_or(500, |m| m.max(1) as usize);
            out.actions = kept
                .iter()
                .take(limit)
                .map(|a| ExpandedAction {
                    action: a.action.full_name(),
                    access_level: a.action.access_level().as_str().to_owned(),
                    resource_types: a
                        .action
                        .resource_types()
                        .map(|(t, required)| ExpandedResourceType {
                            name: t.name.to_owned(),
                            arn: t.arn.to_owned(),
                            required,
                        })
                        .collect(),
                    covered_by: a.by.clone(),
                    denied_in_part_by: a.denied_in_part_by.clone(),
                })
                .collect();
            if kept.len() > limit {
                out.note = Some(format!(
                    "Actions lists {limit} of {} actions (the counts cover all): narrow with service or access_level, or raise max_actions.",
                    kept.len()
                ));
            }
            Ok(out)
        })
    }
}
