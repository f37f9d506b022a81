//! Every write tool goes through here: refusals declared in the manifest, the plan (the
//! force-delete cleanup steps, then the tool's own operation), the human's consent, and the
//! execution of the plan step by step with progress, cancellation and an exact account of
//! what ran when a step fails.

use crate::JsonObject;
use crate::consent;
use crate::error::{ErrorKind, ToolError};
use crate::guard;
use crate::policy::lint::{PolicyKind, lint};
use crate::runtime::ToolContext;
use crate::spec::CleanupSpec;
use rmcp::model::ProgressNotificationParam;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;
use std::future::Future;

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
struct Step {
    shown: PlanStep,
    operation: &'static str,
    input: Value,
}

/// What the generated handler of a write tool asks for.
pub struct Request<'a> {
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
    steps: Vec<Step>,
    done: usize,
    /// Steps found already done (NoSuchEntity when removing).
    already_gone: usize,
    dry_run: bool,
    /// Lint warnings on the policy documents of the call.
    warnings: Vec<String>,
}

impl Write {
    /// Checks refusals, builds the plan and, unless this is a dry run, gets consent.
    pub async fn begin(ctx: &ToolContext, request: Request<'_>) -> Result<Write, ToolError> {
        let warnings = lint_documents(ctx, request.args)?;
        let mut steps = Vec::new();
        if request.force {
            steps = cleanup_steps(ctx, &request.input).await?;
        }
        let operation = ctx.tool.operation.unwrap_or_default();
        steps.push(Step {
            shown: PlanStep {
                kind: operation.to_string(),
                action: format!("iam:{operation}"),
                target: primary_target(&request.input),
            },
            operation,
            input: request.input.clone(),
        });
        let last = steps.len() - 1;
        let guarded: Vec<guard::Step> = steps
            .iter()
            .enumerate()
            .map(|(i, s)| guard::Step {
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
            consent::obtain(
                ctx,
                request.args,
                &write.plan(),
                &write.warnings,
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
        match operation.await {
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
            "{} was cancelled after {} of {} steps.\n{}",
            ctx.tool.name,
            self.done,
            self.steps.len(),
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

/// Steps grouped by kind, in plan order.
fn by_kind(steps: &[Step]) -> Vec<(&str, Vec<&str>)> {
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

fn list_by_kind(steps: &[Step]) -> String {
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
    let steps: Vec<Step> = plan
        .iter()
        .map(|p| Step {
            shown: p.clone(),
            operation: "",
            input: Value::Null,
        })
        .collect();
    list_by_kind(&steps)
}

/// The first member of the operation input: the entity the tool acts on.
fn primary_target(input: &Value) -> String {
    input
        .as_object()
        .and_then(|o| o.values().find_map(Value::as_str))
        .unwrap_or_default()
        .to_string()
}

/// Input for `members` of an operation, taken from the tool's own operation input.
fn members_input(input: &Value, members: &[&str]) -> serde_json::Map<String, Value> {
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
async fn cleanup_steps(ctx: &ToolContext, input: &Value) -> Result<Vec<Step>, ToolError> {
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
            steps.push(Step {
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

/// Every item of a step's list operation, all pages (each with the step's fixed input). A
/// single object counts as one item.
async fn list_items(
    ctx: &ToolContext,
    spec: &CleanupSpec,
    input: &Value,
) -> Result<Vec<Value>, ToolError> {
    let mut request = list_request(spec, input);
    let mut items = Vec::new();
    loop {
        let mut page = match ctx.call(spec.list, request.clone()).await {
            Ok(page) => page,
            Err(e) if spec.absent_ok && e.is_not_found() => return Ok(items),
            Err(e) => return Err(e),
        };
        match page.get_mut(spec.items).map(Value::take) {
            Some(Value::Array(list)) => items.extend(list),
            Some(Value::Null) | None => {}
            Some(one) => items.push(one),
        }
        let marker = page
            .get("Marker")
            .and_then(Value::as_str)
            .filter(|_| page["IsTruncated"] == true);
        match marker {
            Some(m) if items.len() < ctx.shared.all_pages_max_items => {
                request["Marker"] = Value::String(m.to_string())
            }
            Some(_) => {
                return Err(ToolError::refused(format!(
                    "{} found more than {} {}; the server stops there and changed nothing.",
                    ctx.tool.name, ctx.shared.all_pages_max_items, spec.kind
                ))
                .with_hint(
                    "Restart the server with a larger --all-pages-max-items, or remove some first.",
                ));
            }
            None => return Ok(items),
        }
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

/// `*` matches any run of characters; everything else is literal.
pub fn glob_matches(glob: &str, text: &str) -> bool {
    let parts: Vec<&str> = glob.split('*').collect();
    if parts.len() == 1 {
        return glob == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
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

    #[test]
    fn globs() {
        assert!(glob_matches(
            "arn:*:mfa/*",
            "arn:aws:iam::123456789012:mfa/alice"
        ));
        assert!(!glob_matches("arn:*:mfa/*", "GAHT12345678"));
        assert!(glob_matches(
            "/aws-service-role/*",
            "/aws-service-role/elasticbeanstalk.amazonaws.com/"
        ));
        assert!(!glob_matches("/aws-service-role/*", "/"));
        assert!(glob_matches("false", "false"));
        assert!(!glob_matches("a*a", "a"));
    }
}
