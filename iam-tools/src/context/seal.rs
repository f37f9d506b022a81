//! Consent's server state: the mode, and the per-process key that seals confirmation
//! tokens and `requestState`s to one tool, its canonical arguments and the plan's digest
//! (HMAC-SHA256, 5 minutes, single use). How consent is asked is the write path's.

use crate::catalog::JsonObject;
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};
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

    pub(crate) fn issue(&self, tool: &str, args: &str, plan: &str) -> String {
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
    pub(crate) fn seal_state(&self, tool: &str, args: &str, plan: &str) -> String {
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
    pub(crate) fn redeem(
        &self,
        token: &str,
        tool: &str,
        args: &str,
        plan: &str,
    ) -> Option<&'static str> {
        self.verify(Seal::Token, token.trim(), tool, args, &plan_digest(plan))
            .err()
    }

    /// Checks a `requestState` sent back with a retry against this call.
    pub(crate) fn open_state(&self, state: &str, tool: &str, args: &str, plan: &str) -> StateCheck {
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
pub(crate) enum StateCheck {
    /// Issued for exactly this call and plan, and not used before.
    Valid,
    /// Genuine, but the plan read now differs from the one the user was shown.
    PlanChanged,
    Refused(&'static str),
}

/// Sealed `requestState` values start with this, then the plan digest.
pub(crate) const STATE_PREFIX: &str = "iam-consent.";

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
