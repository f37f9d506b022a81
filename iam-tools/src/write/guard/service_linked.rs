//! `service_linked_roles`: no change to a role under `/aws-service-role/`.

use super::common::*;
use crate::catalog::glob_matches;
use crate::context::ToolContext;
use crate::error::ToolError;
use serde_json::{Value, json};

pub(super) async fn service_linked(
    ctx: &ToolContext,
    step: &GuardedStep<'_>,
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
