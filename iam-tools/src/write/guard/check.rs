//! The operation rules over every step of a write: each step against each rule the
//! manifest applies to its operation.

use super::broad_allow::promoted_version;
use super::common::*;
use super::privileged::privileged;
use super::self_lockout::self_lockout;
use super::service_linked::service_linked;
use crate::catalog::Rule;
use crate::context::ToolContext;
use crate::error::ToolError;

/// The operation rules over every step of a write.
pub async fn check_steps(ctx: &ToolContext, steps: &[GuardedStep<'_>]) -> Result<(), ToolError> {
    let guardrails = &ctx.shared.guardrails;
    let mut memo = Memo::default();
    for step in steps {
        for spec in ctx
            .catalog
            .guardrails
            .iter()
            .filter(|g| g.operations.contains(&step.operation))
        {
            if !guardrails.is_on(spec.rule) {
                continue;
            }
            let found = match spec.rule {
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
            return Err(refused(ctx, spec, what, instead));
        }
    }
    Ok(())
}
