//! The audit trail of tool calls: one JSON line per call in the `--audit-log` file (created
//! 0600, appended to, never rewritten) and a summary line per call on stderr at info level.
//!
//! A line holds the time, the tool, its access class, the arguments (secret params and
//! confirmation tokens removed, policy documents replaced by their SHA-256 and size), the
//! decisions on the way (read-only gate, guardrails, consent), every AWS call with its
//! action, HTTP status, request id and outcome, the result and the duration. Results are
//! not written: a created access key's secret or a password never reaches the log.
//!
//! What happens during a call is gathered in a task-local record, so the SDK's interceptor
//! ([`crate::backend`]) and the write path can add to it without being passed anything.

use crate::catalog::JsonObject;
use crate::catalog::ToolSpecOf;
use crate::error::ToolError;
use serde::Serialize;
use serde_json::{Value, json};
use std::cell::RefCell;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// One AWS request of a call.
#[derive(Debug, Clone, Serialize)]
pub struct AwsCall {
    /// `iam:CreateUser`, `sts:GetCallerIdentity`
    pub action: String,
    /// HTTP status; 0 when no response came.
    pub status: u16,
    pub request_id: String,
    /// `ok`, AWS's error code, or `no response`.
    pub outcome: String,
}

/// What a call went through, gathered while it runs.
#[derive(Debug, Default)]
pub struct Record {
    pub aws_calls: Vec<AwsCall>,
    /// `guardrails`: `passed` or `refused: NAME`; `consent`: how consent went.
    pub decisions: Vec<(&'static str, String)>,
}

tokio::task_local! {
    static CALL: RefCell<Record>;
}

/// Runs `call` with a fresh record; returns its output and what it recorded.
pub async fn recording<F: std::future::Future>(call: F) -> (F::Output, Record) {
    CALL.scope(RefCell::new(Record::default()), async move {
        let out = call.await;
        (out, CALL.with(|r| r.take()))
    })
    .await
}

/// Adds an AWS request to the running call's record (none outside a call).
pub fn aws_call(call: AwsCall) {
    let _ = CALL.try_with(|r| r.borrow_mut().aws_calls.push(call));
}

/// Notes a decision (`guardrails`, `consent`) of the running call; a later note of the same
/// kind replaces an earlier one.
pub fn decide(kind: &'static str, outcome: impl Into<String>) {
    let outcome = outcome.into();
    let _ = CALL.try_with(|r| {
        let mut r = r.borrow_mut();
        r.decisions.retain(|(k, _)| *k != kind);
        r.decisions.push((kind, outcome));
    });
}

/// The call's arguments as they may be written down: secret params and the confirmation
/// token replaced, documents replaced by `{"sha256": ..., "bytes": N}`.
pub fn redacted<H>(tool: &ToolSpecOf<H>, args: &JsonObject) -> JsonObject {
    args.iter()
        .map(|(k, v)| {
            let v = if tool.secrets.contains(&k.as_str()) || k == "confirmation_token" {
                json!("[redacted]")
            } else if tool.hashed.contains(&k.as_str()) {
                hashed(v)
            } else {
                v.clone()
            };
            (k.clone(), v)
        })
        .collect()
}

/// A document (or list of them) as its SHA-256 over its JSON text, and that text's size.
fn hashed(v: &Value) -> Value {
    match v {
        Value::Array(items) => Value::Array(items.iter().map(hashed).collect()),
        Value::Null => Value::Null,
        other => {
            let text = match other {
                Value::String(s) => s.clone(),
                o => o.to_string(),
            };
            let digest = ring::digest::digest(&ring::digest::SHA256, text.as_bytes());
            let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
            json!({ "sha256": hex, "bytes": text.len() })
        }
    }
}

/// The audit log file, appended to by every call.
#[derive(Debug)]
pub struct AuditLog {
    path: PathBuf,
    file: Mutex<File>,
}

impl AuditLog {
    /// Opens `path` for appending, creating it readable and writable by its owner only
    /// (0600); an existing file with wider permissions is narrowed to 0600.
    pub fn open(path: &Path) -> std::io::Result<AuditLog> {
        let mut options = std::fs::OpenOptions::new();
        options.append(true).create(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
            options.mode(0o600);
            let file = options.open(path)?;
            if file.metadata()?.permissions().mode() & 0o077 != 0 {
                file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
            }
            Ok(AuditLog {
                path: path.to_path_buf(),
                file: Mutex::new(file),
            })
        }
        #[cfg(not(unix))]
        Ok(AuditLog {
            path: path.to_path_buf(),
            file: Mutex::new(options.open(path)?),
        })
    }

    /// Appends one line, in one write.
    pub fn append(&self, line: &Value) {
        let mut text = line.to_string();
        text.push('\n');
        let mut file = self
            .file
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Err(e) = file.write_all(text.as_bytes()).and_then(|_| file.flush()) {
            tracing::error!(file = %self.path.display(), error = %e, "could not write the audit log");
        }
    }
}

/// What a finished call leaves: its audit line (also summarised on stderr).
pub struct Entry<'a> {
    pub tool: &'a str,
    pub access: &'a str,
    /// The redacted arguments (only made when there is an audit log to write them to).
    pub arguments: Option<JsonObject>,
    /// The read-only / toolset gate: `allowed`, or the refusal.
    pub gate: &'a str,
    pub record: Record,
    pub result: Result<(), &'a ToolError>,
    pub duration_ms: f64,
}

impl Entry<'_> {
    pub fn line(&self) -> Value {
        let mut decision = serde_json::Map::new();
        decision.insert("gate".into(), json!(self.gate));
        for (kind, outcome) in &self.record.decisions {
            decision.insert(kind.to_string(), json!(outcome));
        }
        let result = match self.result {
            Ok(()) => json!({ "ok": true }),
            Err(e) => json!({
                "ok": false,
                "kind": format!("{:?}", e.kind),
                "code": e.code,
                // The first line: what happened, without a consent text or token.
                "message": e.message.lines().next().unwrap_or_default(),
            }),
        };
        json!({
            "time": now_rfc3339(),
            "tool": self.tool,
            "access": self.access,
            "arguments": self.arguments,
            "decision": decision,
            "aws_calls": self.record.aws_calls,
            "result": result,
            "duration_ms": (self.duration_ms * 1000.0).round() / 1000.0,
        })
    }

    /// The stderr summary (info level).
    pub fn log(&self) {
        let decisions: Vec<String> = self
            .record
            .decisions
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        let aws: Vec<String> = self
            .record
            .aws_calls
            .iter()
            .map(|c| format!("{} {}", c.action, c.outcome))
            .collect();
        match self.result {
            Ok(()) => {
                tracing::info!(tool = self.tool, access = self.access, elapsed_ms = self.duration_ms, gate = self.gate, decisions = ?decisions, aws = ?aws, "tool call ok")
            }
            Err(e) => {
                tracing::info!(tool = self.tool, access = self.access, elapsed_ms = self.duration_ms, gate = self.gate, decisions = ?decisions, aws = ?aws, kind = ?e.kind, code = e.code.as_deref().unwrap_or("-"), "tool call failed")
            }
        }
    }
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_hash_to_the_same_digest_whatever_their_form() {
        let text = r#"{"Version":"2012-10-17"}"#;
        let a = hashed(&Value::String(text.into()));
        let b = hashed(&serde_json::from_str(text).unwrap());
        assert_eq!(a, b);
        assert_eq!(a["bytes"], text.len());
        assert_eq!(a["sha256"].as_str().unwrap().len(), 64);
    }

    #[tokio::test]
    async fn a_record_gathers_what_its_call_did() {
        let ((), record) = recording(async {
            aws_call(AwsCall {
                action: "iam:GetUser".into(),
                status: 200,
                request_id: "r1".into(),
                outcome: "ok".into(),
            });
            decide("consent", "token issued");
            decide("consent", "token accepted");
        })
        .await;
        assert_eq!(record.aws_calls.len(), 1);
        assert_eq!(
            record.decisions,
            vec![("consent", "token accepted".to_string())]
        );
        // Outside a call nothing is recorded, and nothing fails.
        aws_call(AwsCall {
            action: "iam:GetUser".into(),
            status: 200,
            request_id: "r2".into(),
            outcome: "ok".into(),
        });
    }
}
