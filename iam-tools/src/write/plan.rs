//! The plan of a write: the force-delete cleanup steps, each item read from IAM (all
//! pages), then the tool's own operation; and how plans read in texts.

use crate::catalog::{CleanupSpec, glob_matches};
use crate::context::ToolContext;
use crate::error::ToolError;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;

/// One step of a write, as plans, results and errors show it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlanStep {
    /// What is removed or changed ("access keys", "members"; the tool's own operation last).
    #[serde(rename = "Kind")]
    pub kind: String,
    /// The IAM action of the step (`iam:DeleteAccessKey`).
    #[serde(rename = "Action")]
    pub action: String,
    /// The item it acts on (an access key id, a policy ARN, a user name).
    #[serde(rename = "Target")]
    pub target: String,
}

/// A step with the operation input it sends.
#[derive(Debug, Clone)]
pub(super) struct PlannedStep {
    pub(super) shown: PlanStep,
    pub(super) operation: &'static str,
    pub(super) input: Value,
}

/// Steps grouped by kind, in plan order.
pub(super) fn by_kind(steps: &[PlannedStep]) -> Vec<(&str, Vec<&str>)> {
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for s in steps {
        match groups.iter_mut().find(|(k, _)| *k == s.shown.kind) {
            Some((_, items)) => items.push(&s.shown.target),
            None => groups.push((&s.shown.kind, vec![&s.shown.target])),
        }
    }
    groups
}

/// Up to this many targets are named per kind in texts; the rest are counted.
const NAMED_PER_KIND: usize = 20;

pub(super) fn list_by_kind(steps: &[PlannedStep]) -> String {
    if steps.is_empty() {
        return " none".into();
    }
    by_kind(steps)
        .into_iter()
        .map(|(kind, items)| {
            let named: Vec<&str> = items.iter().take(NAMED_PER_KIND).copied().collect();
            let more = items.len().saturating_sub(NAMED_PER_KIND);
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            format!("\n- {kind} ({}): {}{more}", items.len(), named.join(", "))
        })
        .collect()
}

/// Plan lines, for consent texts.
pub fn describe(plan: &[PlanStep]) -> String {
    let steps: Vec<PlannedStep> = plan
        .iter()
        .map(|p| PlannedStep {
            shown: p.clone(),
            operation: "",
            input: Value::Null,
        })
        .collect();
    list_by_kind(&steps)
}

/// The first member of the operation input: the entity the tool acts on.
pub(super) fn primary_target(input: &Value) -> String {
    input
        .as_object()
        .and_then(|o| o.values().find_map(Value::as_str))
        .unwrap_or_default()
        .to_string()
}

/// Input for `members` of an operation, taken from the tool's own operation input.
pub(super) fn members_input(input: &Value, members: &[&str]) -> serde_json::Map<String, Value> {
    members
        .iter()
        .filter_map(|m| input.get(*m).map(|v| (m.to_string(), v.clone())))
        .collect()
}

/// A listing shared by cleanup steps: the list operation, its fixed input, the items field.
type ListKey = (
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
);

/// Every item each cleanup step would remove, listing each list operation (with its fixed
/// input) once.
pub(super) async fn cleanup_steps(
    ctx: &ToolContext,
    input: &Value,
) -> Result<Vec<PlannedStep>, ToolError> {
    let mut listed: HashMap<ListKey, Vec<Value>> = HashMap::new();
    let mut steps = Vec::new();
    for spec in ctx.tool.cleanup {
        let key = (spec.list, spec.list_input, spec.items);
        if let std::collections::hash_map::Entry::Vacant(e) = listed.entry(key) {
            let items = list_items(ctx, spec, input).await?;
            e.insert(items);
        }
        for item in &listed[&key] {
            if !spec
                .only
                .iter()
                .all(|(field, glob)| glob_matches(glob, &scalar_text(field_of(item, field))))
            {
                continue;
            }
            let mut delete = members_input(input, spec.delete_members);
            for (member, from) in spec.bind {
                delete.insert(member.to_string(), field_of(item, from).clone());
            }
            let target = match spec.label {
                Some(label) => scalar_text(field_of(item, label)),
                None => primary_target(input),
            };
            steps.push(PlannedStep {
                shown: PlanStep {
                    kind: spec.kind.to_string(),
                    action: format!("iam:{}", spec.delete),
                    target,
                },
                operation: spec.delete,
                input: Value::Object(delete),
            });
        }
    }
    Ok(steps)
}

/// The first page's request of a step's list operation: the members the tool's params
/// fill, then the step's fixed ones.
fn list_request(spec: &CleanupSpec, input: &Value) -> Value {
    let mut request = members_input(input, spec.list_members);
    for (member, value) in spec.list_input {
        request.insert(member.to_string(), Value::String(value.to_string()));
    }
    Value::Object(request)
}

/// Every item of a step's list operation, all pages (each with the step's fixed input),
/// within the server's all-pages bound. A single object counts as one item; with
/// `absent_ok`, an entity that is not there has none.
async fn list_items(
    ctx: &ToolContext,
    spec: &CleanupSpec,
    input: &Value,
) -> Result<Vec<Value>, ToolError> {
    match ctx
        .call_all_pages(spec.list, list_request(spec, input), spec.items)
        .await
    {
        Err(e) if spec.absent_ok && e.is_not_found() => Ok(Vec::new()),
        listed => listed,
    }
}

/// `.` is the item itself.
fn field_of<'v>(item: &'v Value, field: &str) -> &'v Value {
    if field == "." {
        item
    } else {
        item.get(field).unwrap_or(&Value::Null)
    }
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listing_sends_the_step_s_fixed_input_with_the_tool_s_members() {
        static SPEC: CleanupSpec = CleanupSpec {
            kind: "permissions boundaries of users",
            list: "ListEntitiesForPolicy",
            list_members: &["PolicyArn"],
            list_input: &[("PolicyUsageFilter", "PermissionsBoundary")],
            items: "PolicyUsers",
            delete: "DeleteUserPermissionsBoundary",
            delete_members: &[],
            bind: &[("UserName", "UserName")],
            only: &[],
            label: Some("UserName"),
            absent_ok: false,
        };
        let input = serde_json::json!({"PolicyArn": "arn:aws:iam::123456789012:policy/p"});
        assert_eq!(
            list_request(&SPEC, &input),
            serde_json::json!({"PolicyArn": "arn:aws:iam::123456789012:policy/p", "PolicyUsageFilter": "PermissionsBoundary"})
        );
    }
}
