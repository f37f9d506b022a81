//! Consent before any write: the human sees what will change, built by the server from the
//! validated arguments and the plan it just read from IAM (never from text the model wrote),
//! and agrees through the client (elicitation) or by handing back a confirmation token.

use crate::error::ToolError;
use crate::runtime::ToolContext;
use crate::write::{describe, PlanStep};
use crate::JsonObject;
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};
use rmcp::model::{ElicitRequestParams, ElicitationAction, ElicitationSchema, ProtocolVersion};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How a write gets the human's consent (`--consent`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Elicitation when the client declares it, else a confirmation token.
    Auto,
    /// Elicitation; a client that cannot elicit gets the token path.
    Elicit,
    /// A confirmation token, handed back with the repeated call.
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
        f.debug_struct("Consent").field("mode", &self.mode).finish_non_exhaustive()
    }
}

impl Consent {
    /// A fresh random key: tokens of one server process are worthless to another.
    pub fn new(mode: Mode) -> Consent {
        let rng = SystemRandom::new();
        let key = hmac::Key::generate(hmac::HMAC_SHA256, &rng).expect("the system's random source");
        Consent { mode, key, rng, used: Mutex::new(HashMap::new()) }
    }

    fn issue(&self, tool: &str, args: &str, plan: &str) -> String {
        self.issue_until(tool, args, plan, now() + TOKEN_LIFETIME.as_secs())
    }

    fn issue_until(&self, tool: &str, args: &str, plan: &str, expiry: u64) -> String {
        let mut nonce = [0u8; 16];
        // SystemRandom fails only when the OS has no random source, which `new` already used.
        let _ = self.rng.fill(&mut nonce);
        let nonce = hex(&nonce);
        let tag = hmac::sign(&self.key, payload(tool, args, plan, expiry, &nonce).as_bytes());
        format!("{expiry}.{nonce}.{}", hex(tag.as_ref()))
    }

    /// Why `token` does not allow this call, or None when it does (and is now spent).
    fn redeem(&self, token: &str, tool: &str, args: &str, plan: &str) -> Option<&'static str> {
        let mut parts = token.trim().split('.');
        let (Some(expiry), Some(nonce), Some(tag), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Some("it is not a token this server issued");
        };
        let (Ok(expiry), Some(tag)) = (expiry.parse::<u64>(), unhex(tag)) else {
            return Some("it is not a token this server issued");
        };
        if hmac::verify(&self.key, payload(tool, args, plan, expiry, nonce).as_bytes(), &tag).is_err() {
            return Some("it does not match this call: it was issued for other arguments, another tool, or a plan that has changed since (or by another server process)");
        }
        let now = now();
        if expiry < now {
            return Some("it has expired (tokens are valid for 5 minutes)");
        }
        let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        used.retain(|_, exp| *exp >= now);
        if used.insert(nonce.to_string(), expiry).is_some() {
            return Some("it was already used (each token runs one call)");
        }
        None
    }
}

fn payload(tool: &str, args: &str, plan: &str, expiry: u64, nonce: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, plan.as_bytes());
    format!("{tool}\n{args}\n{}\n{expiry}\n{nonce}", hex(digest.as_ref()))
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

/// The arguments with keys sorted at every level and the token left out: what a token binds.
pub fn canonical_args(args: &JsonObject) -> String {
    fn sorted(v: &Value) -> Value {
        match v {
            Value::Object(map) => {
                let ordered: BTreeMap<&String, Value> = map.iter().map(|(k, v)| (k, sorted(v))).collect();
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
    let warnings = if warnings.is_empty() { String::new() } else { format!("\nPolicy warnings:\n- {}", warnings.join("\n- ")) };
    format!(
        "{title} ({tool}) asks to change IAM.\nArguments: {args}\nPlan ({n} step{s}, in this order):{steps}{warnings}",
        title = ctx.tool.title,
        tool = ctx.tool.name,
        n = plan.len(),
        s = if plan.len() == 1 { "" } else { "s" },
        steps = describe(plan),
    )
}

/// Whether the client of this call can be asked through elicitation.
fn client_can_elicit(ctx: &ToolContext) -> bool {
    let Some(request) = &ctx.request else { return false };
    request.peer.peer_info().is_some_and(|info| {
        info.capabilities.elicitation.is_some() && info.protocol_version < ProtocolVersion::V_2026_07_28
    })
}

/// Gets the human's consent for `plan`, or fails with what to do; nothing has been changed
/// either way when this returns an error.
pub async fn obtain(ctx: &ToolContext, args: &JsonObject, plan: &[PlanStep], warnings: &[String], token: Option<&str>) -> Result<(), ToolError> {
    let consent = &ctx.shared.consent;
    let mode = match consent.mode {
        Mode::None => {
            crate::audit::decide("consent", "off (--consent none)");
            return Ok(());
        }
        Mode::Auto | Mode::Elicit if client_can_elicit(ctx) => Mode::Elicit,
        _ => Mode::Token,
    };
    let args_text = canonical_args(args);
    // What the human reads: the same arguments, secrets (passwords) hidden.
    let shown = if ctx.tool.secrets.is_empty() { args_text.clone() } else { canonical_args(&hide_secrets(ctx, args)) };
    if mode == Mode::Elicit {
        let answer = elicit(ctx, &request_text(ctx, &shown, plan, warnings)).await;
        crate::audit::decide("consent", if answer.is_ok() { "elicited: accepted".to_string() } else { "elicited: not accepted".to_string() });
        return answer;
    }
    let plan_text = plan_text(plan);
    let refusal = match token {
        Some(token) => match consent.redeem(token, ctx.tool.name, &args_text, &plan_text) {
            None => {
                crate::audit::decide("consent", "token accepted");
                return Ok(());
            }
            Some(why) => format!("The confirmation_token was refused: {why}. Nothing was changed.\n"),
        },
        None => String::new(),
    };
    crate::audit::decide("consent", if refusal.is_empty() { "token issued, waiting for the user" } else { "token refused, new token issued" });
    let fresh = consent.issue(ctx.tool.name, &args_text, &plan_text);
    Err(ToolError::consent_required(format!(
        "{refusal}Confirmation required: nothing was changed yet. Show the user exactly this and ask whether to go ahead:\n{}\n\nIf the user agrees, call {} again with the same arguments plus \"confirmation_token\": \"{fresh}\" (valid for 5 minutes, for this call only).",
        request_text(ctx, &shown, plan, warnings),
        ctx.tool.name,
    ))
    .with_hint("Do not confirm on the user's behalf: the token stands for their consent to this plan."))
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
    let answer = tokio::time::timeout(ELICIT_TIMEOUT, request.peer.create_elicitation(params)).await;
    let not_done = |why: String| Err(ToolError::consent_required(why).with_hint("Nothing was changed. Ask the user before trying again."));
    match answer {
        Err(_) => not_done(format!("The user did not answer the confirmation request within {} minutes, so {} did nothing.", ELICIT_TIMEOUT.as_secs() / 60, ctx.tool.name)),
        Ok(Err(e)) => not_done(format!("The confirmation request could not be shown to the user ({e}), so {} did nothing.", ctx.tool.name)),
        Ok(Ok(result)) => match result.action {
            ElicitationAction::Accept => Ok(()),
            ElicitationAction::Decline => not_done(format!("The user declined; {} changed nothing.", ctx.tool.name)),
            _ => not_done(format!("The user cancelled; {} changed nothing.", ctx.tool.name)),
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
        assert!(c.redeem(&t, "delete_user", "{\"user_name\":\"b\"}", "[plan]").is_some());
        assert!(c.redeem(&t, "delete_user", "{\"user_name\":\"a\"}", "[other plan]").is_some());
        assert!(c.redeem(&t, "delete_group", "{\"user_name\":\"a\"}", "[plan]").is_some());
        assert!(c.redeem("1.2.zz", "delete_user", "{\"user_name\":\"a\"}", "[plan]").is_some());
        assert_eq!(c.redeem(&t, "delete_user", "{\"user_name\":\"a\"}", "[plan]"), None);
        assert_eq!(c.redeem(&t, "delete_user", "{\"user_name\":\"a\"}", "[plan]"), Some("it was already used (each token runs one call)"));
        let expired = c.issue_until("delete_user", "{}", "[plan]", now() - 1);
        assert_eq!(c.redeem(&expired, "delete_user", "{}", "[plan]"), Some("it has expired (tokens are valid for 5 minutes)"));
        let fresh = c.issue("delete_user", "{}", "[plan]");
        let expiry: u64 = fresh.split('.').next().unwrap().parse().unwrap();
        assert!(expiry > now() + 290 && expiry <= now() + 300, "a token lives 5 minutes");
        let other = Consent::new(Mode::Token);
        assert!(other.redeem(&c.issue("x", "{}", ""), "x", "{}", "").is_some());
    }

    #[test]
    fn canonical_arguments_ignore_order_and_the_token() {
        let a: JsonObject = serde_json::from_str(r#"{"b":1,"a":{"y":2,"x":1},"confirmation_token":"t"}"#).unwrap();
        let b: JsonObject = serde_json::from_str(r#"{"a":{"x":1,"y":2},"b":1}"#).unwrap();
        assert_eq!(canonical_args(&a), canonical_args(&b));
        assert_eq!(canonical_args(&b), r#"{"a":{"x":1,"y":2},"b":1}"#);
    }
}
