//! Test harness: a moto IAM server on 127.0.0.1, the real server binary over stdio driven
//! by rmcp's client, and an independent SDK client to check effects.
#![allow(dead_code)]

pub mod front;
use aws_sdk_iam::config::{BehaviorVersion, Credentials, Region};
use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::service::RunningService;
use rmcp::transport::TokioChildProcess;
use rmcp::{ClientHandler, RoleClient};
use serde_json::{Value, json};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The moto version the test command installs.
pub const MOTO_VERSION: &str = "5.2.5";

pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn server_bin() -> &'static str {
    env!("CARGO_BIN_EXE_iam-mcp-server")
}

fn moto_server_path() -> PathBuf {
    if let Ok(path) = std::env::var("MOTO_SERVER") {
        return PathBuf::from(path);
    }
    workspace().join(".venv-moto/bin/moto_server")
}

/// A moto server on a free port of 127.0.0.1, stopped on drop.
pub struct Moto {
    child: Child,
    pub port: u16,
}

impl Moto {
    pub fn start() -> Moto {
        Self::start_with(&[])
    }

    /// Starts moto with extra environment (e.g. MOTO_IAM_LOAD_MANAGED_POLICIES=true).
    pub fn start_with(env: &[(&str, &str)]) -> Moto {
        Self::spawn(&moto_server_path(), &[], env)
    }

    /// Starts moto with IAM's clock set back by the number of days written in `clock_file`
    /// (read on every timestamp, so a test can create users or use keys "long ago"): moto's
    /// own server, run by the same Python with `moto.iam.models.utcnow` shifted. moto has no
    /// API to backdate CreateDate or a key's last use, and this changes nothing else.
    pub fn start_with_clock(clock_file: &Path) -> Moto {
        let python = moto_server_path().with_file_name("python");
        let clock = clock_file.to_str().unwrap().to_string();
        Self::spawn(
            &python,
            &["-c", SHIFTED_CLOCK_MOTO],
            &[("MOTO_TEST_CLOCK_FILE", &clock)],
        )
    }

    fn spawn(path: &Path, pre_args: &[&str], env: &[(&str, &str)]) -> Moto {
        assert!(
            path.exists(),
            "moto_server not found at {}.\nThese tests need moto's IAM server. Run the test command `scripts/test` \
             (it installs moto[server]=={MOTO_VERSION} into .venv-moto), or install it yourself:\n  \
             python3 -m venv .venv-moto && .venv-moto/bin/pip install 'moto[server]=={MOTO_VERSION}'\n\
             or point MOTO_SERVER at a moto_server executable.",
            path.display()
        );
        for _ in 0..5 {
            let port = free_port();
            let mut command = Command::new(path);
            command
                .args(pre_args)
                .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .env("AWS_EC2_METADATA_DISABLED", "true");
            for (k, v) in env {
                command.env(k, v);
            }
            let mut child = command.spawn().expect("spawning moto_server");
            let deadline = Instant::now() + Duration::from_secs(60);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    break; // port taken, try another
                }
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return Moto { child, port };
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("moto_server did not start on 127.0.0.1");
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// An SDK client of its own, independent of the server under test.
    pub fn sdk(&self) -> aws_sdk_iam::Client {
        let config = aws_sdk_iam::config::Builder::new()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("testing", "testing", None, None, "tests"))
            .endpoint_url(self.endpoint())
            .http_client(iam_tools::backend::http_client())
            .build();
        aws_sdk_iam::Client::from_conf(config)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// moto's server with IAM's `utcnow` set back by the days in $MOTO_TEST_CLOCK_FILE.
const SHIFTED_CLOCK_MOTO: &str = r#"
import datetime, os, sys
import moto.iam.models as iam_models
_real_utcnow = iam_models.utcnow
def _shifted_utcnow():
    try:
        with open(os.environ["MOTO_TEST_CLOCK_FILE"]) as f:
            days = float(f.read().strip() or 0)
    except (OSError, ValueError):
        days = 0
    return _real_utcnow() - datetime.timedelta(days=days)
iam_models.utcnow = _shifted_utcnow
from moto.server import main
sys.exit(main(sys.argv[1:]))
"#;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The environment the server gets: credentials for moto, no profile files, no IMDS.
pub fn server_env(endpoint: Option<&str>) -> Vec<(String, String)> {
    let mut env = vec![
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("AWS_CONFIG_FILE", "/nonexistent/aws-config"),
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/aws-credentials",
        ),
        ("RUST_LOG", "iam_tools::aws=debug,info"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect::<Vec<_>>();
    if let Some(endpoint) = endpoint {
        env.push(("AWS_ENDPOINT_URL".into(), endpoint.into()));
    }
    env
}

/// Variables a developer's shell may have that would change what the server does.
pub const CLEARED_ENV: &[&str] = &[
    "AWS_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_IAM",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "IAM_MCP_READONLY",
    "IAM_MCP_ALLOW_WRITE",
    "IAM_MCP_TOOLSETS",
    "IAM_MCP_CONSENT",
    "IAM_MCP_AUDIT_LOG",
    "IAM_MCP_ACCOUNT_FILE",
    "IAM_MCP_PRIVILEGED_POLICIES",
    "IAM_MCP_ALLOW_PRIVILEGED_POLICIES",
    "IAM_MCP_ALLOW_BROAD_POLICIES",
    "IAM_MCP_ALLOW_PUBLIC_TRUST",
    "IAM_MCP_ALLOW_SELF_LOCKOUT",
    "IAM_MCP_ALLOW_SERVICE_LINKED_ROLES",
];

/// No tool call in these tests may take longer.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(60);

/// The real binary, spoken to over stdio by rmcp's client (`H` answers the server's
/// requests: elicitation, progress).
pub struct Server<H: ClientHandler = ()> {
    pub client: RunningService<RoleClient, H>,
    pub stderr_path: PathBuf,
    _dir: TempDir,
}

impl Server {
    pub async fn start(moto: &Moto, args: &[&str]) -> Server {
        Self::start_env(args, server_env(Some(&moto.endpoint()))).await
    }

    pub async fn start_env(args: &[&str], env: Vec<(String, String)>) -> Server {
        Server::start_with(args, env, ()).await
    }
}

impl<H: ClientHandler> Server<H> {
    /// The server with `handler` as its MCP client (the initialize handshake).
    pub async fn start_with(args: &[&str], env: Vec<(String, String)>, handler: H) -> Server<H> {
        Self::start_in(
            args,
            env,
            handler,
            rmcp::service::ClientLifecycleMode::Initialize,
        )
        .await
    }

    /// The server with `handler` as a 2026-07-28 client: `server/discover`, then stateless
    /// requests each carrying the client's capabilities.
    pub async fn start_2026(args: &[&str], env: Vec<(String, String)>, handler: H) -> Server<H> {
        let lifecycle = rmcp::service::ClientLifecycleMode::Discover {
            preferred_versions: vec![rmcp::model::ProtocolVersion::V_2026_07_28],
        };
        Self::start_in(args, env, handler, lifecycle).await
    }

    async fn start_in(
        args: &[&str],
        env: Vec<(String, String)>,
        handler: H,
        lifecycle: rmcp::service::ClientLifecycleMode,
    ) -> Server<H> {
        use rmcp::service::ClientServiceExt;
        let dir = TempDir::new("server");
        let stderr_path = dir.path().join("stderr.log");
        let stderr = std::fs::File::create(&stderr_path).unwrap();
        let mut command = tokio::process::Command::new(server_bin());
        command.args(args);
        // Tests of other features write without a consent step; consent tests pass --consent.
        if args.contains(&"--allow-write") && !args.iter().any(|a| a.starts_with("--consent")) {
            command.args(["--consent", "none"]);
        }
        for k in CLEARED_ENV {
            command.env_remove(k);
        }
        command.envs(env);
        let (transport, _) = TokioChildProcess::builder(command)
            .stderr(stderr)
            .spawn()
            .expect("spawning the server");
        let client = tokio::time::timeout(
            CALL_TIMEOUT,
            handler.serve_with_lifecycle(transport, lifecycle),
        )
        .await
        .expect("the server did not answer initialize")
        .expect("MCP initialize with the server");
        Server {
            client,
            stderr_path,
            _dir: dir,
        }
    }

    /// Calls a tool; panics only on a protocol error.
    pub async fn call(&self, tool: &str, args: Value) -> CallToolResult {
        let args = args.as_object().cloned().unwrap_or_default();
        let call = self
            .client
            .call_tool(CallToolRequestParams::new(tool.to_string()).with_arguments(args));
        tokio::time::timeout(CALL_TIMEOUT, call)
            .await
            .unwrap_or_else(|_| panic!("{tool}: no answer in {CALL_TIMEOUT:?}"))
            .unwrap_or_else(|e| panic!("{tool}: protocol error {e}"))
    }

    /// Calls a tool that must succeed; returns its structured content.
    pub async fn ok(&self, tool: &str, args: Value) -> Value {
        let result = self.call(tool, args.clone()).await;
        assert_ne!(
            result.is_error,
            Some(true),
            "{tool}({args}) failed: {}",
            text(&result)
        );
        result
            .structured_content
            .clone()
            .unwrap_or_else(|| panic!("{tool}: no structured content"))
    }

    /// Calls a tool that must fail; returns its error text.
    pub async fn err(&self, tool: &str, args: Value) -> String {
        let result = self.call(tool, args.clone()).await;
        assert_eq!(
            result.is_error,
            Some(true),
            "{tool}({args}) should have failed: {}",
            text(&result)
        );
        text(&result)
    }

    /// The instructions of the server's initialize result ("" when it gave none).
    pub fn instructions(&self) -> String {
        self.client
            .peer_info()
            .and_then(|info| info.instructions.clone())
            .unwrap_or_default()
    }

    pub async fn tool_names(&self) -> Vec<String> {
        self.client
            .list_all_tools()
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.name.to_string())
            .collect()
    }

    /// Stops the server; returns what it wrote to stderr.
    pub async fn stop(self) -> String {
        let _ = self.client.cancel().await;
        // Give the child a moment to flush and exit.
        tokio::time::sleep(Duration::from_millis(100)).await;
        std::fs::read_to_string(&self.stderr_path).unwrap_or_default()
    }
}

/// The text content of a result.
pub fn text(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The IAM actions the server sent, from its call log on stderr.
pub fn recorded_actions(stderr: &str) -> Vec<String> {
    let mut actions: Vec<String> = stderr
        .lines()
        .filter(|l| l.contains("aws call"))
        .filter_map(|l| l.split("action=").nth(1))
        .filter_map(|rest| rest.split_whitespace().next())
        .map(str::to_string)
        .collect();
    actions.sort();
    actions.dedup();
    actions
}

/// Runs the binary with `args`, returns stdout (asserting success).
pub fn run_cli(args: &[&str]) -> String {
    let mut command = Command::new(server_bin());
    for k in CLEARED_ENV {
        command.env_remove(k);
    }
    let out = command.args(args).output().expect("running the binary");
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A directory removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(prefix: &str) -> TempDir {
        static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let path =
            std::env::temp_dir().join(format!("iam-mcp-test-{prefix}-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A customer-managed policy created through the independent SDK client.
pub async fn create_policy(sdk: &aws_sdk_iam::Client, name: &str) -> String {
    create_policy_of(
        sdk,
        name,
        json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]),
    )
    .await
}

/// `n` new customer-managed policies (`{prefix}-1` on, from [`create_policy`]) attached to
/// group `group`, through the independent SDK client.
pub async fn attach_new_policies(sdk: &aws_sdk_iam::Client, group: &str, prefix: &str, n: usize) {
    for i in 1..=n {
        let arn = create_policy(sdk, &format!("{prefix}-{i}")).await;
        sdk.attach_group_policy()
            .group_name(group)
            .policy_arn(arn)
            .send()
            .await
            .unwrap();
    }
}

/// A customer-managed policy of these statements, created through the independent SDK
/// client; its ARN.
pub async fn create_policy_of(sdk: &aws_sdk_iam::Client, name: &str, statements: Value) -> String {
    let doc = json!({"Version": "2012-10-17", "Statement": statements});
    sdk.create_policy()
        .policy_name(name)
        .policy_document(doc.to_string())
        .send()
        .await
        .unwrap()
        .policy()
        .unwrap()
        .arn()
        .unwrap()
        .to_string()
}

/// A recorded IAM endpoint on 127.0.0.1: answers each action with its recorded result
/// (empty when none is given), and keeps the request bodies.
pub async fn recorded_endpoint(
    results: std::collections::HashMap<&'static str, String>,
) -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    let results = std::sync::Arc::new(results);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let log = log.clone();
            let results = results.clone();
            tokio::spawn(async move {
                let mut buffer = Vec::new();
                loop {
                    let mut chunk = [0u8; 8192];
                    let Ok(n) = tokio::io::AsyncReadExt::read(&mut socket, &mut chunk).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    buffer.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buffer).to_string();
                    let Some(head_end) = text.find("\r\n\r\n") else {
                        continue;
                    };
                    let length: usize = text[..head_end]
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if buffer.len() < head_end + 4 + length {
                        continue;
                    }
                    let body =
                        String::from_utf8_lossy(&buffer[head_end + 4..head_end + 4 + length])
                            .to_string();
                    buffer.drain(..head_end + 4 + length);
                    let action = body
                        .split('&')
                        .find_map(|p| p.strip_prefix("Action="))
                        .unwrap_or("Unknown")
                        .to_string();
                    log.lock().unwrap().push(body);
                    let result = results.get(action.as_str()).cloned().unwrap_or_default();
                    let xml = format!(
                        "<{action}Response xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><{action}Result>{result}</{action}Result><ResponseMetadata><RequestId>5d2e-recorded</RequestId></ResponseMetadata></{action}Response>"
                    );
                    let response = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nx-amzn-RequestId: 5d2e-recorded\r\nContent-Length: {}\r\n\r\n{xml}",
                        xml.len()
                    );
                    if tokio::io::AsyncWriteExt::write_all(&mut socket, response.as_bytes())
                        .await
                        .is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    (address, seen)
}

/// The actions of an IAM policy's statements.
pub fn policy_actions(policy: &Value) -> Vec<String> {
    policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| {
            s["Action"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap().to_string())
        })
        .collect()
}

/// Stops the server and checks that every action it sent is in its own `permissions`
/// policy; returns what it wrote to stderr.
pub async fn check_actions_are_declared(server: Server) -> String {
    let stderr = server.stop().await;
    let called = recorded_actions(&stderr);
    let policy: Value = serde_json::from_str(&run_cli(&[
        "--allow-write",
        "--toolsets",
        "all",
        "permissions",
    ]))
    .unwrap();
    let allowed = policy_actions(&policy);
    for action in &called {
        assert!(
            allowed.contains(action),
            "{action} was called but is not in `permissions`: {allowed:?}"
        );
    }
    stderr
}

/// A role trust policy for an AWS service.
pub fn trust(service: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]})
}

/// An SDK error's AWS code.
pub fn code<E: aws_sdk_iam::error::ProvideErrorMetadata>(e: &E) -> String {
    e.code().unwrap_or_default().to_string()
}

/// The values of `field` in a JSON list, sorted.
pub fn names(list: &Value, field: &str) -> Vec<String> {
    let mut names: Vec<String> = list
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|v| v[field].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

pub fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// A policy allowing `action` on every resource.
pub fn allow(action: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]})
}

/// A self-signed X.509 certificate moto accepts as a signing certificate.
pub const CERTIFICATE: &str = "-----BEGIN CERTIFICATE-----\nMIIDDzCCAfegAwIBAgIUFPhuudCSnX91+I1qtioLYuATVEgwDQYJKoZIhvcNAQEL\nBQAwFzEVMBMGA1UEAwwMaWFtLW1jcC10ZXN0MB4XDTI2MTEyODAxMjg1MVoXDTM2\nMTEyNTAxMjg1MVowFzEVMBMGA1UEAwwMaWFtLW1jcC10ZXN0MIIBIjANBgkqhkiG\n9w0BAQEFAAOCAQ8AMIIBCgKCAQEAjC0QKlQEcf/AFR/FGlbXqGe8eumhfthG6w+N\n96Qq2XjZ61B5ICksCh9aBHBIv9KgFoLJOHYoGp2UJqnTlvm4g0dRkwy8EnLJdwgl\nthLhU5LWGPoVQR5qzC7rz4DXaQh1anu3dDArc7AEOpVhf9PxAvmK210aqB4l+7Km\nkYg7ksrCpK9I7kzJRb/iZt6A3gEtIFy+M79QadkwCtc//jcrBQDdILLbRmq7JDQO\nep7gZChhOj80hyqc29o5bshlU75DVfAJgKf8KcYybdtxhT1ni2XbLufzATw8Bj/6\nrhJcpjCzE9mvHygJCpJzywbiyiPgnB6V+wic4bTd44h/RID8LwIDAQABo1MwUTAd\nBgNVHQ4EFgQUBkvkKhfczsa4SfIVU3cxwIWoMdEwHwYDVR0jBBgwFoAUBkvkKhfc\nzsa4SfIVU3cxwIWoMdEwDwYDVR0TAQH/BAUwAwEB/zANBgkqhkiG9w0BAQsFAAOC\nAQEANYez4h3tnJGjOHl9aKQooXVBq0hlw6KF+ByPYkbdhUI6E0N8HyUAUm+w8oWt\nZCiW3FnTdlsdE4QDTvpFmw7PWHADCtHZBEZvtdf9V4NMN7sQjcefHtZQpkMCW0dC\nCU+auWkjnq7h7Z6xxbLXGH+CVe1uOSvyYybYXq6OiKllX7tYeAoicTDLsk5gSFCd\nkRTWpF2/OwBTgsAryFIX0mXpn5qwviO4/nLkzthe5/c5R/z4HsQ4nrELnu6wvnNn\n6vd7MdOtLsOgqFkPNZ3QZP5II/menOt90jQ9X2JpcDYwfX6whxrPZcrtgiRpbjPd\nd39bK/bE0rvNN7gBsZpdDUrugA==\n-----END CERTIFICATE-----";

/// An SSH public key.
pub const SSH_PUBLIC_KEY: &str = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC5e5FzJDogYYKUEEaNMoylp8tJQ2P5HsPQIDTvswF1J67i0kQDisrFNhCnxacuI2LdmjeU9JSABNMD/qRL8jk24lizO+mARG1YlGkfi5OzrrXQs+qAwooaAqdwd1IVuw+Jv3PKnILxWTutNitgrO/SitkqHpdAA79Jh91UHkwFrH+eXL08JtrgiBh7FMKl1b9f0bi9a7CX5rDWesP5esCNToQPkjSIpGnt6ftL+1EpTXUjun76T+NE9nSbPcpVqimnkpb/N3gXobzFHyhwVrzd+XoYxOPvLCLel6muUHynSTTrG1lMlrryaIYEYb4HxdRtsUN73O5NcgaxLNEXsngp root@vm";
