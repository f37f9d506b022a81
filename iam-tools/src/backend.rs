//! Where operations go. Today: the live account through aws-sdk-iam, with the client
//! built on first use (so `initialize` never waits for credential or region discovery).

use crate::error::ToolError;
use crate::spec::OperationSpec;
use aws_config::{AppName, BehaviorVersion, Region};
use aws_smithy_http_client::tls;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::FinalizerInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use tokio::sync::OnceCell;

/// The app name in every request's user agent (`app/iam-mcp-server`), so CloudTrail can
/// tell this server's calls apart.
pub const APP_NAME: &str = "iam-mcp-server";

/// IAM is global; this region signs requests when none is configured.
pub const DEFAULT_REGION: &str = "us-east-1";

/// The IAM endpoint the tools call.
#[derive(Debug, Default)]
pub struct Backend {
    read_only: bool,
    aws: OnceCell<aws_sdk_iam::Client>,
}

impl Backend {
    /// The live account, from aws-config's default chain (env, AWS_PROFILE, SSO, IMDS),
    /// AWS_ENDPOINT_URL honoured.
    /// In `read_only` mode no write operation is ever sent, whichever tool asks.
    pub fn live(read_only: bool) -> Self {
        Backend { read_only, aws: OnceCell::new() }
    }

    /// The SDK client for `op`, built on first use. The last gate of read-only mode: a write
    /// operation is refused here even if a tool's own gate was bypassed.
    pub async fn aws(&self, op: &'static OperationSpec) -> Result<&aws_sdk_iam::Client, ToolError> {
        if self.read_only && op.access == crate::spec::Access::Write {
            return Err(ToolError::refused(format!(
                "{} is a write operation and this server is read-only; restart it with --allow-write to change IAM. Nothing was changed.",
                op.action
            )));
        }
        Ok(self.aws.get_or_init(build_client).await)
    }
}

/// The SDK config every AWS client of the server uses: rustls with ring, our app name,
/// us-east-1 when no region is configured.
pub async fn sdk_config() -> aws_config::SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).http_client(http_client());
    if let Ok(app) = AppName::new(APP_NAME) {
        loader = loader.app_name(app);
    }
    // The loader's own region chain (env, profile, IMDS) uses its HTTP client.
    let config = loader.load().await;
    if config.region().is_some() {
        config
    } else {
        config.to_builder().region(Region::new(DEFAULT_REGION)).build()
    }
}

/// The HTTPS client of every AWS call: hyper 1 with rustls and the ring provider.
pub fn http_client() -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::Ring))
        .build_https()
}

async fn build_client() -> aws_sdk_iam::Client {
    let config = sdk_config().await;
    let iam = aws_sdk_iam::config::Builder::from(&config).interceptor(CallLog).build();
    aws_sdk_iam::Client::from_conf(iam)
}

/// Logs every AWS call (target `iam_tools::aws`, debug level): its IAM action, HTTP status
/// and request id. Never the request body, so never a secret.
#[derive(Debug)]
struct CallLog;

impl Intercept for CallLog {
    fn name(&self) -> &'static str {
        "IamMcpCallLog"
    }

    fn read_after_execution(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let action = cfg.load::<Metadata>().map(|m| format!("iam:{}", m.name())).unwrap_or_default();
        let response = context.response();
        let status = response.map(|r| r.status().as_u16()).unwrap_or(0);
        let request_id = response
            .and_then(|r| r.headers().get("x-amzn-requestid"))
            .unwrap_or("-");
        tracing::debug!(target: "iam_tools::aws", %action, status, request_id, "aws call");
        Ok(())
    }
}
