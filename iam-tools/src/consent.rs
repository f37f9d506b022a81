//! Consent before any write: the human sees what will change, built by the server from the
//! validated arguments and the plan it just read from IAM (never from text the model wrote),
//! and agrees through the client (elicitation) or by handing back a confirmation token.

use crate::JsonObject;
use crate::error::ToolError;
use crate::runtime::ToolContext;
use crate::write::{PlanStep, describe};
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};
use rmcp::model::{
    ElicitRequest, ElicitRequestParams, ElicitResult, ElicitationAction, ElicitationSchema,
    InputRequest, InputRequiredResult, ProtocolVersion,
};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How a write gets the human's consent (`--consent`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The human is asked through the client when it can ask (server-sent elicitation in
    /// sessions before 2026-07-28, an input-required result from 2026-07-28 on), else a
    /// confirmation token.
    Auto,
    /// The human is asked through the client; a client that cannot ask gets a refusal,
    /// never a token.
    Elicit,
    /// A confirmation token, handed back with the repeated call; never elicitation.
    Token,
    /// No consent step (automation).
    None,
}

impl Mode {
    pub fn parse(text: &str) -> Option<Mode> {
        match text {
            "auto" => Some(Mode::Auto),
            "elicit" => Some(Mode::Elicit),
            "token" => Some(Mode::Token),
            "none" => Some(Mode::None),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Auto => "auto",
            Mode::Elicit => "elicit",
            Mode::Token => "token",
            Mode::None => "none",
        }
    }
}

/// A token is good for this long after it was issued.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(300);
/// How long the server waits for the human to answer an elicitation.
const ELICIT_TIMEOUT: Duration = Duration::from_secs(600);

/// The server's consent state: the mode, the per-process token key, used tokens.
pub struct Consent {
    pub mode: Mode,
    key: hmac::Key,
    rng: SystemRandom,
    /// Nonces of tokens already used, with their expiry (pruned as they expire).
    used: Mutex<HashMap<String, u64>>,
}

impl std::fmt::Debug for Consent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Consent")
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

impl Consent {
    /// A fresh random key: tokens of one server process are worthless to another.
    pub fn new(mode: Mode) -> Consent {
        let rng = SystemRandom::new();
        let key = hmac::Key::generate(hmac::HMAC_SHA256, &rng).expect("the system's random source");
        Consent {
            mode,
            key,
            rng,
            used: Mutex::new(HashMap::new()),
        }
    }

    fn issue(&self, tool: &str, args: &str, plan: &str) -> String {
        self.issue_until(
            Seal::Token,
            tool,
            args,
            &plan_digest(plan),
            now() + TOKEN_LIFETIME.as_secs(),
        )
    }

    /// A sealed `requestState` for an input-required answer: the plan's digest in clear
    /// (so a retry can tell a changed plan from a forged state), bound by the tag to the
    /// tool, the arguments, the expiry and a single-use nonce.
    fn seal_state(&self, tool: &str, args: &str, plan: &str) -> String {
        let digest = plan_digest(plan);
        let sealed = self.issue_until(
            Seal::State,
            tool,
            args,
            &digest,
            now() + TOKEN_LIFETIME.as_secs(),
        );
        format!("{STATE_PREFIX}{digest}.{sealed}")
    }

    fn issue_until(&self, seal: Seal, tool: &str, args: &str, digest: &str, expiry: u64) -> String {
        let mut nonce = [0u8; 16];
        // SystemRandom fails only when the OS has no random source, which `new` already used.
        let _ = self.rng.fill(&mut nonce);
        let nonce = hex(&nonce);
        let tag = hmac::sign(
            &self.key,
            payload(seal, tool, args, digest, expiry, &nonce).as_bytes(),
        );
        format!("{expiry}.{nonce}.{}", hex(tag.as_ref()))
    }

    /// Why `token` does not allow this call, or None when it does (and is now spent).
    fn redeem(&self, token: &str, tool: &str, args: &str, plan: &str) -> Option<&'static str> {
        self.verify(Seal::Token, token.trim(), tool, args, &plan_digest(plan))
            .err()
    }

    /// Checks a `requestState` sent back with a retry against this call.
    fn open_state(&self, state: &str, tool: &str, args: &str, plan: &str) -> StateCheck {
        let Some((digest, sealed)) = state
            .strip_prefix(STATE_PREFIX)
            .and_then(|rest| rest.split_once('.'))
        else {
            return StateCheck::Refused("it is not a requestState this server issued");
        };
        match self.verify(Seal::State, sealed, tool, args, digest) {
            Err(why) => StateCheck::Refused(why),
            Ok(()) if digest != plan_digest(plan) => StateCheck::PlanChanged,
            Ok(()) => StateCheck::Valid,
        }
    }

    /// Checks a sealed value's tag, expiry and nonce; spends the nonce.
    fn verify(
        &self,
        seal: Seal,
        sealed: &str,
        tool: &str,
        args: &str,
        digest: &str,
    ) -> Result<(), &'static str> {
        let what = seal.refusals();
        let mut parts = sealed.split('.');
        let (Some(expiry), Some(nonce), Some(tag), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(what.not_ours);
        };
        let (Ok(expiry), Some(tag)) = (expiry.parse::<u64>(), unhex(tag)) else {
            return Err(what.not_ours);
        };
        if hmac::verify(
            &self.key,
            payload(seal, tool, args, digest, expiry, nonce).as_bytes(),
            &tag,
        )
        .is_err()
        {
            return Err(what.mismatch);
        }
        let now = now();
        if expiry < now {
            return Err(what.expired);
        }
        let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        used.retain(|_, exp| *exp >= now);
        if used.insert(nonce.to_string(), expiry).is_some() {
            return Err(what.used);
        }
        Ok(())
    }
}

/// What a sealed value stands for: a token the model hands back, or a `requestState` the
/// client echoes with the human's answer. Each is worthless as the other.
#[derive(Clone, Copy)]
enum Seal {
    Token,
    State,
}

/// Why a sealed value was refused, in the words of its kind.
struct Refusals {
    not_ours: &'static str,
    mismatch: &'static str,
    expired: &'static str,
    used: &'static str,
}

impl Seal {
    fn refusals(self) -> Refusals {
        match self {
            Seal::Token => Refusals {
                not_ours: "it is not a token this server issued",
                mismatch: "it does not match this call: it was issued for other arguments, another tool, or a plan that has changed since (or by another server process)",
                expired: "it has expired (tokens are valid for 5 minutes)",
                used: "it was already used (each token runs one call)",
            },
            Seal::State => Refusals {
                not_ours: "it is not a requestState this server issued",
                mismatch: "it was altered, or issued for other arguments, another tool or another server process",
                expired: "it has expired (the user's answer is valid for 5 minutes)",
                used: "it was already used (each answer runs one call)",
            },
        }
    }

    fn purpose(self) -> &'static str {
        match self {
            Seal::Token => "token",
            Seal::State => "requestState",
        }
    }
}

/// What a `requestState` sent back says about this call.
#[derive(Debug, PartialEq, Eq)]
enum StateCheck {
    /// Issued for exactly this call and plan, and not used before.
    Valid,
    /// Genuine, but the plan read now differs from the one the user was shown.
    PlanChanged,
    Refused(&'static str),
}

/// Sealed `requestState` values start with this, then the plan digest.
const STATE_PREFIX: &str = "iam-consent.";

/// The key of the consent question in an input-required answer.
const CONSENT_INPUT: &str = "consent";

fn plan_digest(plan: &str) -> String {
    hex(ring::digest::digest(&ring::digest::SHA256, plan.as_bytes()).as_ref())
}

fn payload(seal: Seal, tool: &str, args: &str, digest: &str, expiry: u64, nonce: &str) -> String {
    format!(
        "{}\n{tool}\n{args}\n{digest}\n{expiry}\n{nonce}",
        seal.purpose()
    )
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The arguments with keys sorted at every level and the token left out: what a token binds.
pub fn canonical_args(args: &JsonObject) -> String {
    fn sorted(v: &Value) -> Value {
        match v {
            Value::Object(map) => {
                let ordered: BTreeMap<&String, Value> =
                    map.iter().map(|(k, v)| (k, sorted(v))).collect();
                Value::Object(ordered.into_iter().map(|(k, v)| (k.clone(), v)).collect())
            }
            Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    let mut args = args.clone();
    args.remove("confirmation_token");
    sorted(&Value::Object(args)).to_string()
}

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
fn request_text(ctx: &ToolContext, args: &str, plan: &[PlanStep], warnings: &[String]) -> String {
    let warnings = if warnings.is_empty() {
        String::new()
    } else {
        format!("\nPolicy warnings:\n- {}", warnings.join("\n- "))
    };
    format!(
        "{title} ({tool}) asks to change IAM.\nArguments: {args}\nPlan ({n} step{s}, in this order):{steps}{warnings}",
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
}

impl Question<'_> {
    fn text(&self, ctx: &ToolContext) -> String {
        request_text(ctx, self.shown, self.plan, self.warnings)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_bind_tool_arguments_and_plan_once() {
        let c = Consent::new(Mode::Token);
        let t = c.issue("delete_user", "{\"user_name\":\"a\"}", "[plan]");
        assert!(
            c.redeem(&t, "delete_user", "{\"user_name\":\"b\"}", "[plan]")
                .is_some()
        );
        assert!(
            c.redeem(&t, "delete_user", "{\"user_name\":\"a\"}", "[other plan]")
                .is_some()
        );
        assert!(
            c.redeem(&t, "delete_group", "{\"user_name\":\"a\"}", "[plan]")
                .is_some()
        );
        assert!(
            c.redeem("1.2.zz", "delete_user", "{\"user_name\":\"a\"}", "[plan]")
                .is_some()
        );
        assert_eq!(
            c.redeem(&t, "delete_user", "{\"user_name\":\"a\"}", "[plan]"),
            None
        );
        assert_eq!(
            c.redeem(&t, "delete_user", "{\"user_name\":\"a\"}", "[plan]"),
            Some("it was already used (each token runs one call)")
        );
        let expired = c.issue_until(
            Seal::Token,
            "delete_user",
            "{}",
            &plan_digest("[plan]"),
            now() - 1,
        );
        assert_eq!(
            c.redeem(&expired, "delete_user", "{}", "[plan]"),
            Some("it has expired (tokens are valid for 5 minutes)")
        );
        let fresh = c.issue("delete_user", "{}", "[plan]");
        let expiry: u64 = fresh.split('.').next().unwrap().parse().unwrap();
        assert!(
            expiry > now() + 290 && expiry <= now() + 300,
            "a token lives 5 minutes"
        );
        let other = Consent::new(Mode::Token);
        assert!(
            other
                .redeem(&c.issue("x", "{}", ""), "x", "{}", "")
                .is_some()
        );
    }

    #[test]
    fn request_states_bind_the_call_tell_a_changed_plan_and_run_once() {
        let c = Consent::new(Mode::Auto);
        let args = "{\"user_name\":\"a\"}";
        let s = c.seal_state("delete_user", args, "[plan]");
        assert_eq!(
            c.open_state(&s, "delete_user", "{\"user_name\":\"b\"}", "[plan]"),
            StateCheck::Refused(Seal::State.refusals().mismatch)
        );
        assert_eq!(
            c.open_state(&s, "delete_group", args, "[plan]"),
            StateCheck::Refused(Seal::State.refusals().mismatch)
        );
        // One character changed anywhere: refused.
        let mut forged = s.clone().into_bytes();
        let last = forged.len() - 1;
        forged[last] = if forged[last] == b'0' { b'1' } else { b'0' };
        assert!(matches!(
            c.open_state(
                &String::from_utf8(forged).unwrap(),
                "delete_user",
                args,
                "[plan]"
            ),
            StateCheck::Refused(_)
        ));
        // A digest swapped for the current plan's: the tag no longer matches.
        let swapped = s.replacen(&plan_digest("[plan]"), &plan_digest("[other plan]"), 1);
        assert!(matches!(
            c.open_state(&swapped, "delete_user", args, "[other plan]"),
            StateCheck::Refused(_)
        ));
        assert_eq!(
            c.open_state(&s, "delete_user", args, "[plan]"),
            StateCheck::Valid
        );
        assert_eq!(
            c.open_state(&s, "delete_user", args, "[plan]"),
            StateCheck::Refused(Seal::State.refusals().used)
        );
        let t = c.seal_state("delete_user", args, "[plan]");
        assert_eq!(
            c.open_state(&t, "delete_user", args, "[new plan]"),
            StateCheck::PlanChanged
        );
        // A token is no requestState, and a state's seal is no token.
        let token = c.issue("delete_user", args, "[plan]");
        assert!(matches!(
            c.open_state(
                &format!("{STATE_PREFIX}{}.{token}", plan_digest("[plan]")),
                "delete_user",
                args,
                "[plan]"
            ),
            StateCheck::Refused(_)
        ));
        let state = c.seal_state("delete_user", args, "[plan]");
        let sealed = state.splitn(3, '.').nth(2).unwrap();
        assert!(c.redeem(sealed, "delete_user", args, "[plan]").is_some());
        assert!(matches!(
            Consent::new(Mode::Auto).open_state(&state, "delete_user", args, "[plan]"),
            StateCheck::Refused(_)
        ));
    }

    #[test]
    fn canonical_arguments_ignore_order_and_the_token() {
        let a: JsonObject =
            serde_json::from_str(r#"{"b":1,"a":{"y":2,"x":1},"confirmation_token":"t"}"#).unwrap();
        let b: JsonObject = serde_json::from_str(r#"{"a":{"x":1,"y":2},"b":1}"#).unwrap();
        assert_eq!(canonical_args(&a), canonical_args(&b));
        assert_eq!(canonical_args(&b), r#"{"a":{"x":1,"y":2},"b":1}"#);
    }
}
