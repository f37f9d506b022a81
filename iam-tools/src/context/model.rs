//! The account model the analysis tools share: loaded with GetAccountAuthorizationDetails
//! (every page) on first use, kept for the session, and loaded again when it is older
//! than [`MODEL_MAX_AGE`] or after this server made a write. Offline, the account file's
//! answer, loaded once.

use crate::backend::Backend;
use crate::error::ToolError;
use iam_policy::account::Account;
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a live model is used before it is loaded again.
pub const MODEL_MAX_AGE: Duration = Duration::from_secs(300);

/// A loaded model and when.
#[derive(Debug)]
pub struct LoadedModel {
    pub account: Account,
    /// RFC 3339: when the details were read (offline: when the snapshot was taken).
    pub loaded_at: String,
    /// Milliseconds the load took.
    pub load_ms: u64,
    at: Instant,
    /// The backend's write count it reflects.
    writes: u64,
}

/// The session's model, shared by its calls.
#[derive(Debug, Default)]
pub struct ModelCache {
    current: tokio::sync::Mutex<Option<Arc<LoadedModel>>>,
}

impl ModelCache {
    /// The cached model while it is fresh, else the model of what `details` reads now
    /// (GetAccountAuthorizationDetails' lists, every page merged); offline, of the file.
    pub(crate) async fn get<F, Fut>(
        &self,
        backend: &Backend,
        details: F,
    ) -> Result<Arc<LoadedModel>, ToolError>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<Value, ToolError>>,
    {
        let mut current = self.current.lock().await;
        if let Some(m) = current.as_ref() {
            let fresh = backend.account_file().is_some()
                || (m.writes == backend.writes() && m.at.elapsed() < MODEL_MAX_AGE);
            if fresh {
                return Ok(m.clone());
            }
        }
        let writes = backend.writes();
        let start = Instant::now();
        let loaded_at = match backend.account_file() {
            Some(file) => file.taken_at().to_string(),
            None => crate::codec::rfc3339(&aws_smithy_types::DateTime::from(
                std::time::SystemTime::now(),
            )),
        };
        let details = match backend.account_file() {
            Some(file) => file.details(),
            None => details().await?,
        };
        let account = tokio::task::spawn_blocking(move || Account::from_details(&details))
            .await
            .map_err(|e| ToolError::internal(format!("loading the account model failed: {e}")))?;
        let model = Arc::new(LoadedModel {
            account,
            loaded_at,
            load_ms: u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX),
            at: start,
            writes,
        });
        tracing::info!(
            principals = model.account.principals.len(),
            policies = model.account.policies.len(),
            ms = model.load_ms,
            "account model loaded"
        );
        *current = Some(model.clone());
        Ok(model)
    }
}
