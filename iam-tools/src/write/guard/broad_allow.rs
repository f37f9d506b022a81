//! `broad_allow` on operations: making an existing policy version the one in effect is
//! checked as writing its document would be.

use super::common::*;
use crate::context::ToolContext;
use crate::error::ToolError;

/// Making an existing version the one in effect: the same check as writing its document.
pub(super) async fn promoted_version(
    ctx: &ToolContext,
    step: &GuardedStep<'_>,
) -> Result<Found, ToolError> {
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
