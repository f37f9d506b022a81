//! Every write tool goes through here: refusals declared in the manifest, the plan (the
//! force-delete cleanup steps, then the tool's own operation), the human's consent, and the
//! execution of the plan step by step with progress, cancellation and an exact account of
//! what ran when a step fails.

use super::plan::{
    PlanStep, PlannedStep, by_kind, cleanup_steps, describe, list_by_kind, primary_target,
};
use super::{consent, guard};
use crate::catalog::JsonObject;
use crate::context::ToolContext;
use crate::error::{ErrorKind, ToolError};
use crate::policy::lint::{PolicyKind, lint};
use rmcp::model::ProgressNotificationParam;
use serde_json::Value;
use std::future::Future;

/// What the generated handler of a write tool asks for.
pub struct WriteRequest<'a> {
    /// The call's arguments, as sent (messages and consent are built from them).
    pub args: &'a JsonObject,
    /// The tool's own operation's input, AWS-shaped.
    pub input: Value,
    pub force: bool,
    pub dry_run: bool,
    pub confirmation_token: Option<String>,
}

/// A write in progress: the plan and how far it got.
#[derive(Debug)]
pub struct Write {
    steps: Vec<PlannedStep>,
    done: usize,
    /// Steps found already done (NoSuchEntity when removing).
    already_gone: usize,
    dry_run: bool,
    /// Lint warnings on the policy documents of the call.
    warnings: Vec<String>,
}

impl Write {
    /// Checks refusals, builds the plan and, unless this is a dry run, gets consent.
    pub async fn begin(ctx: &ToolContext, request: WriteRequest<'_>) -> Result<Write, ToolError> {
        let warnings = lint_documents(ctx, request.args)?;
        let mut steps = Vec::new();
        if request.force {
            steps = cleanup_steps(ctx, &request.input).await?;
        }
        let operation = ctx.tool.operation.unwrap_or_default();
        steps.push(PlannedStep {
            shown: PlanStep {
                kind: operation.to_string(),
                action: format!("iam:{operation}"),
                target: primary_target(&request.input),
            },
            operation,
            input: request.input.clone(),
        });
        let last = steps.len() - 1;
        let guarded: Vec<guard::GuardedStep> = steps
            .iter()
            .enumerate()
            .map(|(i, s)| guard::GuardedStep {
                operation: s.operation,
                input: &s.input,
                label: (i < last)
                    .then(|| format!("{}: {}, {}", s.shown.kind, s.shown.target, s.shown.action)),
            })
            .collect();
        guard::check_steps(ctx, &guarded).await?;
        crate::audit::decide("guardrails", "passed");
        let write = Write {
            steps,
            done: 0,
            already_gone: 0,
            dry_run: request.dry_run,
            warnings,
        };
        if write.dry_run {
            crate::audit::decide("consent", "not needed (dry run)");
        } else {
            // What the write would grant or take away, for the human to read (not made when
            // nobody is asked: consent off, or a token that stands for an answer given).
            let asks = ctx.shared.consent.mode != crate::context::Mode::None
                && request.confirmation_token.is_none();
            let access = if asks && ctx.catalog.previewed.contains(&operation) {
                let preview = crate::analysis::preview(ctx, operation, &request.input).await;
                Some(crate::analysis::preview_text(&preview))
            } else {
                None
            };
            consent::obtain(
                ctx,
                request.args,
                &write.plan(),
                &write.warnings,
                access.as_deref(),
                request.confirmation_token.as_deref(),
            )
            .await?;
        }
        Ok(write)
    }

    pub fn is_dry_run(&self) -> bool {
        self.dry_run
    }

    /// Every step, in order, the tool's own operation last.
    pub fn plan(&self) -> Vec<PlanStep> {
        self.steps.iter().map(|s| s.shown.clone()).collect()
    }

    /// The steps that ran (all of them once `finish` succeeded).
    pub fn steps_done(&self) -> Vec<PlanStep> {
        self.steps[..self.done]
            .iter()
            .map(|s| s.shown.clone())
            .collect()
    }

    /// Runs every step before the tool's own operation.
    pub async fn cleanup(&mut self, ctx: &ToolContext) -> Result<(), ToolError> {
        while self.done + 1 < self.steps.len() {
            self.check_cancelled(ctx)?;
            let step = self.steps[self.done].clone();
            match ctx.call(step.operation, step.input.clone()).await {
                Ok(_) => {}
                // Already removed (a re-run, or someone else): the step's goal holds.
                Err(e) if e.is_not_found() => self.already_gone += 1,
                Err(e) => return Err(self.failed(ctx, e)),
            }
            self.done += 1;
            self.progress(ctx).await;
        }
        Ok(())
    }

    /// Runs the tool's own operation as the last step.
    pub async fn finish<O, F>(&mut self, ctx: &ToolContext, operation: F) -> Result<O, ToolError>
    where
        F: Future<Output = Result<O, ToolError>>,
    {
        self.check_cancelled(ctx)?;
        match operation.await.map_err(|e| force_offered(ctx, e)) {
            Ok(out) => {
                self.done += 1;
                self.progress(ctx).await;
                Ok(out)
            }
            Err(e) if self.steps.len() == 1 => Err(e),
            Err(e) => Err(self.failed(ctx, e)),
        }
    }

    /// A sentence on what the cleanup removed, for the result's message.
    pub fn summary(&self) -> Option<String> {
        let cleanup = &self.steps[..self.done.min(self.steps.len().saturating_sub(1))];
        if cleanup.is_empty() {
            return None;
        }
        let counts: Vec<String> = by_kind(cleanup)
            .into_iter()
            .map(|(kind, items)| format!("{} {kind}", items.len()))
            .collect();
        let mut text = format!("Removed first: {}.", counts.join(", "));
        if self.already_gone > 0 {
            text.push_str(&format!(
                " ({} of them were already gone.)",
                self.already_gone
            ));
        }
        Some(text)
    }

    fn check_cancelled(&self, ctx: &ToolContext) -> Result<(), ToolError> {
        if !ctx.request.as_ref().is_some_and(|r| r.ct.is_cancelled()) {
            return Ok(());
        }
        let mut e = ToolError::refused(format!(
            "{} was cancelled after {} of {}.\n{}",
            ctx.tool.name,
            self.done,
            crate::codec::count(self.steps.len(), "step", "steps"),
            self.account()
        ));
        e.hint = Some("Nothing was rolled back. Call the tool again with the same arguments to finish; removed items are skipped.".into());
        // MCP drops the answer to a cancelled request, so the log is where it is told.
        tracing::warn!(
            tool = ctx.tool.name,
            done = self.done,
            total = self.steps.len(),
            "{}",
            e.message
        );
        Err(e)
    }

    /// The error of a failed step: AWS's error plus what ran and what did not.
    fn failed(&self, ctx: &ToolContext, e: ToolError) -> ToolError {
        let step = &self.steps[self.done].shown;
        let mut out = e.clone();
        out.message = format!(
            "{} stopped at step {} of {}: {} {} ({}) failed: {}\n{}",
            ctx.tool.name,
            self.done + 1,
            self.steps.len(),
            step.kind,
            step.target,
            step.action,
            e.message,
            self.account()
        );
        out.hint = Some(format!(
            "Nothing was rolled back. Fix the cause{}, then call the tool again with the same arguments: steps already done are skipped (an item already gone counts as done).",
            e.hint
                .as_deref()
                .map(|h| format!(" ({h})"))
                .unwrap_or_default()
        ));
        if out.kind == ErrorKind::Internal {
            out.kind = ErrorKind::Aws;
        }
        out
    }

    /// "Done (3): ...\nNot attempted (5): ..." by kind.
    fn account(&self) -> String {
        let failed_or_next = self.done.min(self.steps.len());
        let done = &self.steps[..failed_or_next];
        let rest = &self.steps[(failed_or_next + 1).min(self.steps.len())..];
        let mut text = format!("Done ({}):{}", done.len(), list_by_kind(done));
        if failed_or_next < self.steps.len() {
            text.push_str(&format!(
                "\nNot attempted ({}):{}",
                rest.len(),
                list_by_kind(rest)
            ));
        }
        text
    }

    async fn progress(&self, ctx: &ToolContext) {
        let Some(request) = &ctx.request else { return };
        let Some(token) = request.meta.get_progress_token() else {
            return;
        };
        let step = &self.steps[self.done - 1].shown;
        let param = ProgressNotificationParam::new(token, self.done as f64)
            .with_total(self.steps.len() as f64)
            .with_message(format!("{} {} ({})", step.kind, step.target, step.action));
        if let Err(e) = request.peer.notify_progress(param).await {
            tracing::debug!(error = %e, "progress notification not sent");
        }
    }
}

/// The tool's message, with what the cleanup removed first and the lint's warnings.
pub fn message(rendered: String, write: &Write) -> String {
    let mut text = match write.summary() {
        Some(summary) => format!("{rendered} {summary}"),
        None => rendered,
    };
    if !write.warnings.is_empty() {
        text.push_str(&format!(
            "\nPolicy warnings (the write went through):\n- {}",
            write.warnings.join("\n- ")
        ));
    }
    text
}

/// Lints the call's policy documents: errors refuse the call before AWS sees it, then the
/// document guardrails; warnings are returned, to go with the result.
fn lint_documents(ctx: &ToolContext, args: &JsonObject) -> Result<Vec<String>, ToolError> {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut linted = Vec::new();
    for (param, kind) in ctx.tool.documents {
        let Some(doc) = args.get(*param) else {
            continue;
        };
        let found = lint(doc, PolicyKind::parse(kind).unwrap_or(PolicyKind::Identity));
        errors.extend(found.errors.iter().map(|p| format!("{param}: {p}")));
        warnings.extend(found.warnings.iter().map(|p| format!("{param}: {p}")));
        linted.push((*param, *kind, found));
    }
    if errors.is_empty() {
        guard::check_documents(ctx, &linted)?;
        return Ok(warnings);
    }
    Err(ToolError::invalid_arguments(format!(
        "{} refused the policy document before sending it to AWS:\n- {}",
        ctx.tool.name,
        errors.join("\n- ")
    ))
    .with_hint("Fix each problem listed (validate_policy checks a document without writing it), then call again. Nothing was changed."))
}

/// An error of the tool's own operation: AWS's DeleteConflict offers `force: true` when the
/// tool takes it (it has force-delete steps), naming the tool and what its operation
/// deletes (DeleteInstanceProfile: instance profile).
fn force_offered(ctx: &ToolContext, e: ToolError) -> ToolError {
    let Some(operation) = ctx.tool.operation.filter(|_| !ctx.tool.cleanup.is_empty()) else {
        return e;
    };
    let deleted = operation.strip_prefix("Delete").unwrap_or(operation);
    let mut entity = String::new();
    for c in deleted.chars() {
        if c.is_ascii_uppercase() && !entity.is_empty() {
            entity.push(' ');
        }
        entity.push(c.to_ascii_lowercase());
    }
    e.offering_force(ctx.tool.name, &entity)
}

/// The message of a dry run.
pub fn dry_run_message(write: &Write) -> String {
    let plan = write.plan();
    format!(
        "Dry run: nothing was changed. With these arguments (without dry_run) the tool would run {} step{}, in this order:{}",
        plan.len(),
        if plan.len() == 1 { "" } else { "s" },
        describe(&plan)
    )
}
