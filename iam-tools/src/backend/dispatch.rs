//! The one backend interface: an operation goes to the live account or to the account
//! file, and what each can answer.

use super::account_file::AccountFile;
use super::live::{CallerIdentity, Live, build_client, fetch_caller};
use crate::catalog::{Access, OperationSpec, ToolSpecOf};
use crate::error::{ToolError, ToolFuture};

/// An operation's future JSON output.
pub type OperationFuture<'a> = ToolFuture<'a, serde_json::Value>;

/// The generated dispatcher: operation name and AWS-shaped JSON input to JSON output.
pub type OperationCall = for<'a> fn(&'a Backend, &'a str, serde_json::Value) -> OperationFuture<'a>;

/// The IAM endpoint the tools call.
#[derive(Debug)]
pub struct Backend {
    read_only: bool,
    kind: Kind,
    /// Write operations sent so far: what the account model compares to know it is stale.
    writes: std::sync::atomic::AtomicU64,
}

/// The two implementations behind the boundary. One per server, so the size of `Live`
/// next to the boxed file costs nothing.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
enum Kind {
    /// The live account through the SDK.
    Aws(Live),
    /// A loaded account file: read operations only, no AWS client, no credentials.
    File(Box<AccountFile>),
}

impl Default for Backend {
    fn default() -> Self {
        Backend::live(true)
    }
}

impl Backend {
    /// The live account, from aws-config's default chain (env, AWS_PROFILE, SSO, IMDS),
    /// AWS_ENDPOINT_URL honoured.
    /// In `read_only` mode no write operation is ever sent, whichever tool asks.
    pub fn live(read_only: bool) -> Self {
        Backend {
            read_only,
            kind: Kind::Aws(Live::default()),
            writes: Default::default(),
        }
    }

    /// An account file (offline mode): always read-only.
    pub fn file(file: AccountFile) -> Self {
        Backend {
            read_only: true,
            kind: Kind::File(Box::new(file)),
            writes: Default::default(),
        }
    }

    /// How many write operations this server has sent (or tried to).
    pub fn writes(&self) -> u64 {
        self.writes.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The account file, when this backend serves one.
    pub fn account_file(&self) -> Option<&AccountFile> {
        match &self.kind {
            Kind::File(file) => Some(file),
            Kind::Aws(_) => None,
        }
    }

    /// Whether operation `name` (`ListUsers`) can be answered: always live; from a file,
    /// only the read operations its content answers.
    pub fn answers(&self, name: &str) -> bool {
        self.account_file().is_none_or(|f| f.answers(name))
    }

    /// Why `tool` is not offered by this backend, or None when it is: an account file
    /// offers no write tool and no tool needing an operation it cannot answer (operations
    /// the tool can do without, `ToolSpecOf::optional`, excepted).
    pub fn refusal<H>(&self, tool: &ToolSpecOf<H>) -> Option<String> {
        let file = self.account_file()?;
        if tool.access == Access::Write {
            return Some(format!(
                "`{}` is a write tool and this server serves an account file (offline, read-only): it cannot change IAM. Nothing was changed.",
                tool.name
            ));
        }
        let missing: Vec<&str> = tool
            .actions
            .iter()
            .map(|a| a.strip_prefix("iam:").unwrap_or(a))
            .filter(|op| !tool.optional.contains(op) && !file.answers(op))
            .collect();
        (!missing.is_empty()).then(|| {
            format!(
                "`{}` needs {} which an account file cannot answer (offline mode serves a snapshot of get-account-authorization-details); run the server on the live account for it.",
                tool.name,
                missing.iter().map(|m| format!("iam:{m}")).collect::<Vec<_>>().join(", ")
            )
        })
    }

    /// The SDK client for `op`, built on first use. The last gate of read-only mode: a write
    /// operation is refused here even if a tool's own gate was bypassed.
    pub async fn aws(&self, op: &'static OperationSpec) -> Result<&aws_sdk_iam::Client, ToolError> {
        if self.read_only && op.access == crate::catalog::Access::Write {
            return Err(ToolError::refused(format!(
                "{} is a write operation and this server is read-only; restart it with --allow-write to change IAM. Nothing was changed.",
                op.action
            )));
        }
        if op.access == crate::catalog::Access::Write {
            self.writes
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        match &self.kind {
            Kind::Aws(live) => Ok(live
                .iam
                .get_or_init(|| async { build_client(live.config().await) })
                .await),
            Kind::File(_) => Err(ToolError::refused(format!(
                "{} needs the live account and this server serves an account file (offline mode). Nothing was sent to AWS.",
                op.action
            ))),
        }
    }

    /// Who the server is: `sts:GetCallerIdentity` (which needs no permission) and the access
    /// key id of its credentials, asked once and remembered.
    pub async fn caller(&self) -> Result<&CallerIdentity, ToolError> {
        let Kind::Aws(live) = &self.kind else {
            return Err(ToolError::refused(
                "an account file has no caller: offline mode makes no AWS call",
            ));
        };
        live.caller
            .get_or_try_init(|| async { fetch_caller(live.config().await).await })
            .await
    }

    /// The account id for an error message: from the account file, or from the caller,
    /// asked until it answers once and not again after it failed (a server whose STS is out
    /// of reach does not wait on it for every not-found answer).
    pub async fn account_for_errors(&self) -> Option<String> {
        use std::sync::atomic::Ordering;
        let live = match &self.kind {
            Kind::File(file) => return file.account_id().map(str::to_string),
            Kind::Aws(live) => live,
        };
        if live.caller.get().is_none() && live.caller_failed.load(Ordering::Relaxed) {
            return None;
        }
        match self.caller().await {
            Ok(caller) => Some(caller.account.clone()).filter(|a| !a.is_empty()),
            Err(_) => {
                live.caller_failed.store(true, Ordering::Relaxed);
                None
            }
        }
    }
}
