//! The live account: the SDK config and HTTPS client every AWS call uses, who the server
//! is (sts:GetCallerIdentity), and the log and audit record of every AWS request.

use crate::catalog::{Access, OperationSpec};
use crate::error::{REGION_VARIABLES, ToolError, aws_setting};
use aws_config::{AppName, BehaviorVersion, Region};
use aws_smithy_http_client::tls;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::FinalizerInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use tokio::sync::OnceCell;

/// The app name in every request's user agent (`app/iam-mcp-server`), so CloudTrail can
/// tell this server's calls apart.
pub const APP_NAME: &str = "iam-mcp-server";

/// IAM is global; this region signs requests when none is configured.
pub const DEFAULT_REGION: &str = "us-east-1";

/// The live account's clients and what is learnt once about the server's own identity.
#[derive(Debug, Default)]
pub(super) struct Live {
    pub(super) config: OnceCell<aws_config::SdkConfig>,
    pub(super) iam: OnceCell<aws_sdk_iam::Client>,
    pub(super) caller: OnceCell<CallerIdentity>,
    /// A caller lookup failed: error messages stop asking (the guardrail still does).
    pub(super) caller_failed: std::sync::atomic::AtomicBool,
}

impl Live {
    /// The SDK config, loaded once for every client.
    pub(super) async fn config(&self) -> &aws_config::SdkConfig {
        self.config.get_or_init(sdk_config).await
    }
}

/// Who the server is in AWS: what `sts:GetCallerIdentity` answers, plus the access key id
/// of its credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerIdentity {
    pub arn: String,
    pub account: String,
    pub principal: CallerEntity,
    /// The access key id the server signs with (an IAM user's key, or a session's).
    pub access_key_id: Option<String>,
}

/// The IAM entity behind the server's credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallerEntity {
    User(String),
    /// The role of an assumed-role session.
    Role(String),
    /// The account root, a federated user: no IAM user or role to protect.
    Other,
}

impl CallerEntity {
    /// Reads a caller ARN: `...:user/path/name`, `...:assumed-role/name/session`.
    pub fn from_arn(arn: &str) -> CallerEntity {
        let resource = arn.splitn(6, ':').nth(5).unwrap_or_default();
        if let Some(rest) = resource.strip_prefix("user/") {
            return CallerEntity::User(rest.rsplit('/').next().unwrap_or(rest).to_string());
        }
        if let Some(rest) = resource.strip_prefix("assumed-role/") {
            return CallerEntity::Role(rest.split('/').next().unwrap_or(rest).to_string());
        }
        CallerEntity::Other
    }
}

/// `sts:GetCallerIdentity`, for error messages.
pub(super) static GET_CALLER_IDENTITY: OperationSpec = OperationSpec {
    name: "GetCallerIdentity",
    action: "sts:GetCallerIdentity",
    access: Access::Read,
    paged: false,
};

pub(super) async fn fetch_caller(
    config: &aws_config::SdkConfig,
) -> Result<CallerIdentity, ToolError> {
    use aws_credential_types::provider::ProvideCredentials;
    let sts = aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::config::Builder::from(config)
            .interceptor(CallLog)
            .build(),
    );
    let out = sts
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| ToolError::aws(&GET_CALLER_IDENTITY, e))?;
    let access_key_id = match config.credentials_provider() {
        Some(provider) => provider
            .provide_credentials()
            .await
            .ok()
            .map(|c| c.access_key_id().to_string()),
        None => None,
    };
    let arn = out.arn().unwrap_or_default().to_string();
    Ok(CallerIdentity {
        principal: CallerEntity::from_arn(&arn),
        account: out.account().unwrap_or_default().to_string(),
        arn,
        access_key_id,
    })
}

/// The SDK config every AWS client of the server uses: rustls with ring, our app name, the
/// region from AWS_REGION / AWS_DEFAULT_REGION or the profile, else us-east-1. IAM is
/// global (the region only signs), so the instance metadata service is not asked for one:
/// off EC2 that lookup only costs time and warnings.
///
/// A variable set to nothing (an MCP client's blank settings field) counts as unset: a
/// blank AWS_REGION would otherwise fail every request, and a blank AWS_PROFILE would name
/// a profile `` that no file defines instead of the default one.
pub async fn sdk_config() -> aws_config::SdkConfig {
    use aws_config::meta::region::RegionProviderChain;
    let env_region = REGION_VARIABLES
        .iter()
        .find_map(|name| aws_setting(name))
        .map(Region::new);
    let region = RegionProviderChain::first_try(env_region)
        .or_else(aws_config::profile::ProfileFileRegionProvider::new())
        .or_else(Region::new(DEFAULT_REGION));
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(http_client())
        .region(region);
    if std::env::var_os("AWS_PROFILE").is_some() && aws_setting("AWS_PROFILE").is_none() {
        loader = loader.profile_name("default");
    }
    if let Ok(app) = AppName::new(APP_NAME) {
        loader = loader.app_name(app);
    }
    loader.load().await
}

/// The HTTPS client of every AWS call: hyper 1 with rustls and the ring provider.
pub fn http_client() -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https()
}

pub(super) fn build_client(config: &aws_config::SdkConfig) -> aws_sdk_iam::Client {
    let iam = aws_sdk_iam::config::Builder::from(config)
        .interceptor(CallLog)
        .build();
    aws_sdk_iam::Client::from_conf(iam)
}

/// Logs every AWS request (target `iam_tools::aws`, debug level) and adds it to the running
/// tool call's audit record: its action, HTTP status, request id and outcome (AWS's error
/// code when it failed). Each attempt is one entry, so the SDK's retries (throttling, a
/// 500) are all there. Never a request or response body, so never a secret.
#[derive(Debug)]
pub(super) struct CallLog;

/// Put in an operation's config bag once an attempt was logged: the operation's end then
/// adds nothing (it adds one entry only when no attempt was made, e.g. no credentials).
#[derive(Debug)]
pub(super) struct AttemptLogged;

impl aws_smithy_types::config_bag::Storable for AttemptLogged {
    type Storer = aws_smithy_types::config_bag::StoreReplace<Self>;
}

impl CallLog {
    pub(super) fn log(context: &FinalizerInterceptorContextRef<'_>, cfg: &ConfigBag) {
        let action = cfg
            .load::<Metadata>()
            .map(|m| format!("{}:{}", m.service().to_lowercase(), m.name()))
            .unwrap_or_default();
        let response = context.response();
        let status = response.map(|r| r.status().as_u16()).unwrap_or(0);
        let request_id = response
            .and_then(|r| r.headers().get("x-amzn-requestid"))
            .unwrap_or("-");
        let outcome = match response {
            None => "no response".to_string(),
            Some(r) if r.status().is_success() => "ok".to_string(),
            Some(r) => r
                .body()
                .bytes()
                .and_then(crate::error::error_in_body)
                .map(|(code, _)| code)
                .unwrap_or_else(|| format!("HTTP {status}")),
        };
        tracing::debug!(target: "iam_tools::aws", %action, status, request_id, %outcome, "aws call");
        crate::audit::aws_call(crate::audit::AwsCall {
            action,
            status,
            request_id: request_id.to_string(),
            outcome,
        });
    }
}

impl Intercept for CallLog {
    fn name(&self) -> &'static str {
        "IamMcpCallLog"
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        Self::log(context, cfg);
        cfg.interceptor_state().store_put(AttemptLogged);
        Ok(())
    }

    fn read_after_execution(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if cfg.load::<AttemptLogged>().is_none() {
            Self::log(context, cfg);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callers_are_read_from_arns() {
        assert_eq!(
            CallerEntity::from_arn("arn:aws:iam::123456789012:user/ops/alice"),
            CallerEntity::User("alice".into())
        );
        assert_eq!(
            CallerEntity::from_arn("arn:aws:sts::123456789012:assumed-role/deployer/session-1"),
            CallerEntity::Role("deployer".into())
        );
        assert_eq!(
            CallerEntity::from_arn("arn:aws:iam::123456789012:root"),
            CallerEntity::Other
        );
    }
}
