//! Consent before any write: the human sees what will change, built by the server from the
//! validated arguments and the plan it just read from IAM (never from text the model wrote),
//! and agrees through the client (elicitation) or by handing back a confirmation token.

use super::plan::{PlanStep, describe};
use crate::catalog::JsonObject;
use crate::context::{Mode, StateCheck, ToolContext, canonical_args};
use crate::error::ToolError;
use rmcp::model::{
    ElicitRequest, ElicitRequestParams, ElicitResult, ElicitationAction, ElicitationSchema,
    InputRequest, InputRequiredResult, ProtocolVersion,
};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;

/// How long the server waits for the human to answer an elicitation.
const ELICIT_TIMEOUT: Duration = Duration::from_secs(600);

/// The key of the consent question in an input-required answer.
const CONSENT_INPUT: &str = "consent";

/// The arguments with every secret param (a password) replaced.
fn hide_secrets(ctx: &ToolContext, args: &JsonObject) -> JsonObject {
    let mut shown = args.clone();
    for name in ctx.tool.secrets {
        if let Some(v) = shown.get_mut(*name) {
            *v = Value::String("(hidden)".into());
        }
    }
    shown
}

fn plan_text(plan: &[PlanStep]) -> String {
    serde_json::to_string(plan).unwrap_or_default()
}

/// What the human is asked about.
fn request_text(
    ctx: &ToolContext,
    args: &str,
    plan: &[PlanStep],
    warnings: &[String],
    access: Option<&str>,
) -> String {
    let warnings = if warnings.is_empty() {
        String::new()
    } else {
        format!("\nPolicy warnings:\n- {}", warnings.join("\n- "))
    };
    let access = access.map(|a| format!("\n{a}")).unwrap_or_default();
    format!(
        "{title} ({tool}) asks to change IAM.\nArguments: {args}\nPlan ({n} step{s}, in this order):{steps}{warnings}{access}",
        title = ctx.tool.title,
        tool = ctx.tool.name,
        n = plan.len(),
        s = if plan.len() == 1 { "" } else { "s" },
        steps = describe(plan),
    )
}

/// How the client of this call can put a question to the human.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Channel {
    /// A session before 2026-07-28 whose client declared elicitation: the server sends
    /// it an elicitation request and waits for the answer.
    ServerRequest,
    /// A 2026-07-28 request whose client declares elicitation: the call answers with an
    /// input-required result, and the client asks and retries with the answer.
    InputRequired,
    /// The client cannot ask (no elicitation declared, or no MCP client at all).
    None,
}

fn channel(ctx: &ToolContext) -> Channel {
    let Some(request) = &ctx.request else {
        return Channel::None;
    };
    if request
        .client_capabilities()
        .is_none_or(|c| c.elicitation.is_none())
    {
        return Channel::None;
    }
    match request.protocol_version() {
        Some(version) if version >= ProtocolVersion::V_2026_07_28 => Channel::InputRequired,
        Some(_) => Channel::ServerRequest,
        None => Channel::None,
    }
}

/// Gets the human's consent for `plan`, or fails with what to do; nothing has been changed
/// either way when this returns an error (an input-required answer is such an error).
pub async fn obtain(
    ctx: &ToolContext,
    args: &JsonObject,
    plan: &[PlanStep],
    warnings: &[String],
    access: Option<&str>,
    token: Option<&str>,
) -> Result<(), ToolError> {
    let consent = &ctx.shared.consent;
    let args_text = canonical_args(args);
    // What the human reads: the same arguments, secrets (passwords) hidden.
    let shown = if ctx.tool.secrets.is_empty() {
        args_text.clone()
    } else {
        canonical_args(&hide_secrets(ctx, args))
    };
    let question = Question {
        args: &args_text,
        shown: &shown,
        plan,
        warnings,
        access,
    };
    match (consent.mode, channel(ctx)) {
        (Mode::None, _) => {
            crate::audit::decide("consent", "off (--consent none)");
            Ok(())
        }
        (Mode::Auto | Mode::Elicit, Channel::ServerRequest) => {
            let answer = elicit(ctx, &question.text(ctx)).await;
            crate::audit::decide(
                "consent",
                if answer.is_ok() {
                    "elicited: accepted"
                } else {
                    "elicited: not accepted"
                },
            );
            answer
        }
        (Mode::Auto | Mode::Elicit, Channel::InputRequired) => by_input_required(ctx, &question),
        (Mode::Elicit, Channel::None) => {
            crate::audit::decide(
                "consent",
                "refused: the client cannot elicit (--consent elicit)",
            );
            Err(ToolError::refused(format!(
                "{} was refused: this server runs with --consent elicit (every write is confirmed by the user through the MCP client), and this client cannot ask the user: it did not declare the elicitation capability. Nothing was changed.",
                ctx.tool.name
            ))
            .with_hint("Use an MCP client that supports elicitation, or have the user restart the server with --consent token (a confirmation token shown to the user) or --consent auto."))
        }
        (Mode::Token, _) | (Mode::Auto, Channel::None) => {
            by_token(ctx, &question, token, consent.mode == Mode::Auto)
        }
    }
}

/// What the human is asked about, in the forms each path needs.
struct Question<'a> {
    /// The canonical arguments, secrets included (what tokens and states bind).
    args: &'a str,
    /// The same with secrets hidden (what the human reads).
    shown: &'a str,
    plan: &'a [PlanStep],
    warnings: &'a [String],
    /// The access preview, in words (not bound by tokens: it describes, the plan decides).
    access: Option<&'a str>,
}

impl Question<'_> {
    fn text(&self, ctx: &ToolContext) -> String {
        request_text(ctx, self.shown, self.plan, self.warnings, self.access)
    }

    fn plan_text(&self) -> String {
        plan_text(self.plan)
    }
}

/// The token path: a token handed back with the same call runs it once; anything else
/// gets the question and a fresh token. `fallback`: the mode is auto and the client
/// cannot ask, which the text says.
fn by_token(
    ctx: &ToolContext,
    question: &Question<'_>,
    token: Option<&str>,
    fallback: bool,
) -> Result<(), ToolError> {
    let consent = &ctx.shared.consent;
    let plan_text = question.plan_text();
    let refusal = match token {
        Some(token) => match consent.redeem(token, ctx.tool.name, question.args, &plan_text) {
            None => {
                crate::audit::decide("consent", "token accepted");
                return Ok(());
            }
            Some(why) => {
                format!("The confirmation_token was refused: {why}. Nothing was changed.\n")
            }
        },
        None => String::new(),
    };
    crate::audit::decide(
        "consent",
        if refusal.is_empty() {
            "token issued, waiting for the user"
        } else {
            "token refused, new token issued"
        },
    );
    let fresh = consent.issue(ctx.tool.name, question.args, &plan_text);
    let why = if fallback {
        "This MCP client cannot ask the user itself (it did not declare elicitation), so the question goes through you. "
    } else {
        ""
    };
    Err(ToolError::consent_required(format!(
        "{refusal}Confirmation required: nothing was changed yet. {why}Show the user exactly this and ask whether to go ahead:\n{}\n\nIf the user agrees, call {} again with the same arguments plus \"confirmation_token\": \"{fresh}\" (valid for 5 minutes, for this call only).",
        question.text(ctx),
        ctx.tool.name,
    ))
    .with_hint("Do not confirm on the user's behalf: the token stands for their consent to this plan."))
}

/// The 2026-07-28 path: the first call answers with an input-required result holding the
/// question and a sealed `requestState`; the client asks the human and retries with the
/// answer and the state, which must match this very call and plan, once.
fn by_input_required(ctx: &ToolContext, question: &Question<'_>) -> Result<(), ToolError> {
    let consent = &ctx.shared.consent;
    let plan_text = question.plan_text();
    let not_done = |why: String| {
        Err(ToolError::consent_required(why)
            .with_hint("Nothing was changed. Ask the user before trying again."))
    };
    let mut preface = "";
    if let Some(retry) = &ctx.retry
        && let Some(state) = retry.request_state.as_deref()
    {
        match consent.open_state(state, ctx.tool.name, question.args, &plan_text) {
            StateCheck::Refused(why) => {
                crate::audit::decide("consent", format!("requestState refused: {why}"));
                return Err(ToolError::refused(format!("{} was refused: the requestState sent back with this call was refused: {why}. Nothing was changed.", ctx.tool.name))
                    .with_hint("Call the tool again without requestState or inputResponses: the user is asked afresh."));
            }
            StateCheck::PlanChanged => {
                crate::audit::decide(
                    "consent",
                    "the plan changed since the user was asked: asking again",
                );
                preface = "The plan changed since you were last asked (IAM changed in between); this is the plan now.\n";
            }
            StateCheck::Valid => {
                let answer = retry
                    .input_responses
                    .get(CONSENT_INPUT)
                    .and_then(|v| serde_json::from_value::<ElicitResult>(v.clone()).ok());
                match answer.map(|a| a.action) {
                    Some(ElicitationAction::Accept) => {
                        crate::audit::decide("consent", "elicited (input required): accepted");
                        return Ok(());
                    }
                    Some(ElicitationAction::Decline) => {
                        crate::audit::decide("consent", "elicited (input required): declined");
                        return not_done(format!(
                            "The user declined; {} changed nothing.",
                            ctx.tool.name
                        ));
                    }
                    Some(_) => {
                        crate::audit::decide("consent", "elicited (input required): cancelled");
                        return not_done(format!(
                            "The user cancelled; {} changed nothing.",
                            ctx.tool.name
                        ));
                    }
                    None => crate::audit::decide(
                        "consent",
                        "retry without the user's answer: asking again",
                    ),
                }
            }
        }
    }
    crate::audit::decide("consent", "asking the user (input required)");
    let state = consent.seal_state(ctx.tool.name, question.args, &plan_text);
    let request = ElicitRequest::new(ElicitRequestParams::FormElicitationParams {
        meta: None,
        message: format!(
            "{preface}{}\n\nAccept to run it; decline to change nothing.",
            question.text(ctx)
        ),
        requested_schema: ElicitationSchema::new(BTreeMap::new()),
    });
    let requests = BTreeMap::from([(
        CONSENT_INPUT.to_string(),
        InputRequest::Elicitation(request),
    )]);
    Err(ToolError::input_required(InputRequiredResult::new(
        Some(requests),
        Some(state),
    )))
}

async fn elicit(ctx: &ToolContext, message: &str) -> Result<(), ToolError> {
    let Some(request) = &ctx.request else {
        return Err(ToolError::internal("elicitation without a client session"));
    };
    let params = ElicitRequestParams::FormElicitationParams {
        meta: None,
        message: format!("{message}\n\nAccept to run it; decline to change nothing."),
        requested_schema: ElicitationSchema::new(BTreeMap::new()),
    };
    let answer =
        tokio::time::timeout(ELICIT_TIMEOUT, request.peer.create_elicitation(params)).await;
    let not_done = |why: String| {
        Err(ToolError::consent_required(why)
            .with_hint("Nothing was changed. Ask the user before trying again."))
    };
    match answer {
        Err(_) => not_done(format!(
            "The user did not answer the confirmation request within {} minutes, so {} did nothing.",
            ELICIT_TIMEOUT.as_secs() / 60,
            ctx.tool.name
        )),
        Ok(Err(e)) => not_done(format!(
            "The confirmation request could not be shown to the user ({e}), so {} did nothing.",
            ctx.tool.name
        )),
        Ok(Ok(result)) => match result.action {
            ElicitationAction::Accept => Ok(()),
            ElicitationAction::Decline => not_done(format!(
                "The user declined; {} changed nothing.",
                ctx.tool.name
            )),
            _ => not_done(format!(
                "The user cancelled; {} changed nothing.",
                ctx.tool.name
            )),
        },
    }
}
