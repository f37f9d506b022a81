//! The command line as a newcomer meets it: `--demo` (the built-in account, no clone, no
//! AWS), usage errors that say what to change, output to a pipe closed early, the note a
//! server started in a terminal prints, and messages about missing AWS credentials.

use crate::common;

use crate::offline::no_aws_env;
use common::{CLEARED_ENV, Server, TempDir, server_bin};
use serde_json::{Value, json};
use std::process::{Command, Output, Stdio};

/// The binary with `args`, run in an empty directory (nothing of the clone at hand) with no
/// AWS configuration and none of a developer's `IAM_MCP_*`/`AWS_*` variables.
fn bin(args: &[&str]) -> (Command, TempDir) {
    let dir = TempDir::new("cli");
    let mut command = Command::new(server_bin());
    for k in CLEARED_ENV
        .iter()
        .chain(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"].iter())
    {
        command.env_remove(k);
    }
    command
        .args(args)
        .envs(no_aws_env())
        .env("RUST_LOG", "warn")
        .current_dir(dir.path())
        .stdin(Stdio::null());
    (command, dir)
}

fn run(args: &[&str]) -> Output {
    let (mut command, _dir) = bin(args);
    command.output().expect("running the binary")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `out` is a usage error (exit 2) whose stderr says `says`.
fn assert_usage_error(out: &Output, says: &str) {
    assert_eq!(out.status.code(), Some(2), "{}", stderr(out));
    assert!(stderr(out).contains(says), "{}", stderr(out));
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_serves_the_built_in_account_with_one_flag() {
    let server = Server::start_env(&["--demo"], no_aws_env()).await;
    let tools = server.tool_names().await;
    for t in ["get_user", "list_users", "list_roles", "who_can"] {
        assert!(tools.iter().any(|n| n == t), "{t} not offered: {tools:?}");
    }
    assert!(
        !tools.iter().any(|n| n.starts_with("create_")),
        "the demo is read-only: {tools:?}"
    );
    let instructions = server.instructions();
    for expected in [
        "snapshot of AWS account 111122223333 taken at 2026-11-27T16:00:00Z",
        "the built-in demo account",
        "--demo",
    ] {
        assert!(
            instructions.contains(expected),
            "{expected}: {instructions}"
        );
    }
    let user = server
        .ok("get_user", json!({"user_name": "alice.nguyen"}))
        .await;
    assert_eq!(
        user["User"]["Arn"],
        "arn:aws:iam::111122223333:user/engineering/alice.nguyen"
    );
    let stderr = server.stop().await;
    assert!(!stderr.contains("aws call"), "{stderr}");
}

#[test]
fn demo_works_with_the_one_shot_commands() {
    let out = run(&[
        "call",
        "get_user",
        r#"{"user_name":"alice.nguyen"}"#,
        "--demo",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed["User"]["UserName"], "alice.nguyen");

    // Before the subcommand too, and `tools` lists what the demo answers.
    let out = run(&["--demo", "tools"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let listed = String::from_utf8(out.stdout).unwrap();
    assert!(listed.contains("get_user"), "{listed}");
    assert!(!listed.contains("list_access_keys"), "{listed}");
    assert!(listed.contains("read-only"), "{listed}");

    let out = run(&["--demo", "snapshot", "--output", "-"]);
    assert_usage_error(&out, "--demo does not apply to `snapshot`: drop it");
}

#[test]
fn demo_and_an_account_file_together_are_a_usage_error() {
    let out = run(&["--demo", "--account-file", "mine.json"]);
    assert_usage_error(
        &out,
        "--demo serves the built-in demo account, but --account-file is given too",
    );
    assert!(out.stdout.is_empty());

    let (mut command, _dir) = bin(&["--demo", "tools"]);
    let out = command
        .env("IAM_MCP_ACCOUNT_FILE", "mine.json")
        .output()
        .unwrap();
    assert_usage_error(&out, "IAM_MCP_ACCOUNT_FILE is set too");
}

/// The options part of the `--help` of `args`.
fn help_flags(args: &[&str]) -> String {
    let out = run(args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    let help = String::from_utf8(out.stdout).unwrap();
    help.split_once("\nOptions:\n")
        .unwrap_or_else(|| panic!("{args:?}: no Options: {help}"))
        .1
        .to_string()
}

#[test]
fn each_subcommand_help_lists_only_the_flags_it_reads() {
    let serving = [
        "--allow-write",
        "--readonly",
        "--toolsets",
        "--consent",
        "--account-file",
        "--demo",
        "--audit-log",
        "--all-pages-max-items",
        "--allow-public-trust",
        "--privileged-policies",
    ];
    for args in [&["--help"][..], &["serve", "--help"], &["call", "--help"]] {
        let help = help_flags(args);
        for flag in serving {
            assert!(help.contains(flag), "{args:?} lacks {flag}:\n{help}");
        }
    }
    for (args, own) in [
        (&["snapshot", "--help"][..], &["--output"][..]),
        (&["conformance", "--help"], &["--min-agreement"]),
    ] {
        let help = help_flags(args);
        for flag in own {
            assert!(help.contains(flag), "{args:?} lacks {flag}:\n{help}");
        }
        for flag in serving {
            assert!(!help.contains(flag), "{args:?} lists {flag}:\n{help}");
        }
    }
    let tools = help_flags(&["tools", "--help"]);
    let permissions = help_flags(&["permissions", "--help"]);
    for flag in ["--allow-write", "--readonly", "--toolsets"] {
        assert!(tools.contains(flag) && permissions.contains(flag), "{flag}");
    }
    for flag in ["--account-file", "--demo"] {
        assert!(tools.contains(flag), "{flag}:\n{tools}");
        assert!(!permissions.contains(flag), "{flag}:\n{permissions}");
    }
    for flag in ["--consent", "--audit-log", "--allow-public-trust"] {
        assert!(
            !tools.contains(flag) && !permissions.contains(flag),
            "{flag}"
        );
    }

    // Serving flags still go before any subcommand that reads them, and after it.
    let listed = String::from_utf8(run(&["--toolsets", "access_keys", "tools"]).stdout).unwrap();
    assert!(listed.contains("1 tool; toolsets: access_keys"), "{listed}");
    let listed =
        String::from_utf8(run(&["tools", "--toolsets", "users", "--allow-write"]).stdout).unwrap();
    assert!(listed.contains("create_user"), "{listed}");
    // A flag a subcommand does not read is refused, before it or after it.
    let out = run(&["--consent", "none", "tools"]);
    assert_usage_error(&out, "--consent does not apply to `tools`: drop it");
    let out = run(&["snapshot", "--output", "-", "--allow-write"]);
    assert_usage_error(&out, "unexpected argument '--allow-write'");
}

/// A minimal account: one user in one group, one role, one customer-managed policy.
const ONE_OF_EACH: &str = r#"{
 "UserDetailList": [{"Path": "/", "UserName": "solo", "UserId": "AIDAEXAMPLEEXAMPLE001", "Arn": "arn:aws:iam::123456789012:user/solo", "CreateDate": "2026-01-01T00:00:00Z", "GroupList": ["team"]}],
 "GroupDetailList": [{"Path": "/", "GroupName": "team", "GroupId": "AGPAEXAMPLEEXAMPLE001", "Arn": "arn:aws:iam::123456789012:group/team", "CreateDate": "2026-01-01T00:00:00Z"}],
 "RoleDetailList": [{"Path": "/", "RoleName": "app", "RoleId": "AROAEXAMPLEEXAMPLE001", "Arn": "arn:aws:iam::123456789012:role/app", "CreateDate": "2026-01-01T00:00:00Z",
   "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}],
 "Policies": [{"PolicyName": "p", "PolicyId": "ANPAEXAMPLEEXAMPLE001", "Arn": "arn:aws:iam::123456789012:policy/p", "Path": "/", "DefaultVersionId": "v1", "AttachmentCount": 0, "IsAttachable": true, "CreateDate": "2026-01-01T00:00:00Z", "UpdateDate": "2026-01-01T00:00:00Z",
   "PolicyVersionList": [{"Document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}, "VersionId": "v1", "IsDefaultVersion": true, "CreateDate": "2026-01-01T00:00:00Z"}]}]
}"#;

async fn instructions_for(file: &std::path::Path) -> String {
    let server = Server::start_env(&["--account-file", file.to_str().unwrap()], no_aws_env()).await;
    let instructions = server.instructions();
    server.stop().await;
    instructions
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_without_a_snapshot_time_is_not_dated_by_its_mtime_and_counts_read_well() {
    let dir = TempDir::new("cli-time");
    let file = dir.path().join("one.json");
    std::fs::write(&file, ONE_OF_EACH).unwrap();
    let instructions = instructions_for(&file).await;
    assert!(
        instructions.contains(
            "snapshot of AWS account 123456789012 of unknown date (the file records no SnapshotTime; it was last modified at 20"
        ),
        "{instructions}"
    );
    assert!(!instructions.contains("taken at"), "{instructions}");
    assert!(
        instructions.contains("1 user, 1 group, 1 role, 1 managed policy."),
        "{instructions}"
    );

    // With a SnapshotTime, that is the time the instructions give.
    let mut dated: Value = serde_json::from_str(ONE_OF_EACH).unwrap();
    dated["SnapshotTime"] = json!("2026-06-01T12:00:00Z");
    std::fs::write(&file, dated.to_string()).unwrap();
    let instructions = instructions_for(&file).await;
    assert!(
        instructions.contains("123456789012 taken at 2026-06-01T12:00:00Z, from the account file"),
        "{instructions}"
    );
}

#[test]
fn snapshot_counts_read_well() {
    let moto = common::Moto::start();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime
        .block_on(moto.sdk().create_user().user_name("solo").send())
        .unwrap();
    let dir = TempDir::new("cli-snapshot");
    let file = dir.path().join("account.json");
    let (mut command, _cwd) = bin(&["snapshot", "--output", file.to_str().unwrap()]);
    let out = command
        .envs(common::server_env(Some(&moto.endpoint())))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("(1 user, 0 groups, 0 roles, "),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_empty_toolsets_flag_stops_the_start() {
    for list in ["", " , "] {
        for args in [&["--toolsets", list][..], &["--toolsets", list, "tools"]] {
            let out = run(args);
            assert_eq!(out.status.code(), Some(2), "{args:?}");
            assert!(out.stdout.is_empty(), "{args:?}");
            assert!(
                stderr(&out).contains("--toolsets names no toolset, so the server would offer no tool: give toolsets (e.g. --toolsets users,roles), `default` or `all`"),
                "{args:?}: {}",
                stderr(&out)
            );
        }
    }
}

/// A client's settings form leaves a variable it was not given empty: that is the default,
/// said on stderr.
#[tokio::test(flavor = "multi_thread")]
async fn an_empty_toolsets_variable_serves_the_default_and_says_so() {
    let mut env = no_aws_env();
    env.push(("IAM_MCP_TOOLSETS".into(), String::new()));
    let server = Server::start_env(&["--demo"], env).await;
    let tools = server.tool_names().await;
    assert!(tools.iter().any(|t| t == "get_user"), "{tools:?}");
    assert!(tools.iter().any(|t| t == "list_roles"), "{tools:?}");
    let stderr = server.stop().await;
    assert!(
        stderr.contains(
            "IAM_MCP_TOOLSETS is set but empty: serving the default toolsets (users, groups, roles"
        ),
        "{stderr}"
    );
}

/// `args` with stdout a pipe whose reader has gone before the first write (`| head -0`).
/// The reader is closed before the child starts, so no write can land first.
fn with_stdout_closed(args: &[&str]) -> Output {
    let (mut command, _dir) = bin(args);
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    command
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

/// A folder with no case in it is named as such, not scored as 0% of 0 cases.
#[test]
fn conformance_on_a_folder_without_cases_says_so() {
    let cases = TempDir::new("cli-no-cases");
    let dir = cases.path().to_str().unwrap();
    let out = run(&["conformance", dir]);
    assert_usage_error(
        &out,
        &format!(
            "conformance: {dir} holds no case (no .json file): give the folder that holds the cases"
        ),
    );
}

#[test]
fn a_closed_stdout_ends_the_one_shot_commands_quietly() {
    let cases = TempDir::new("cli-cases");
    let cases = cases.path().to_str().unwrap().to_string();
    for args in [
        &["--demo", "call", "list_users", r#"{"all_pages": true}"#][..],
        &["--demo", "tools"],
        &["--toolsets", "all", "tools", "--markdown"],
        &["permissions"],
        &["conformance", &cases],
    ] {
        let out = with_stdout_closed(args);
        let stderr = stderr(&out);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        // An output error is not a problem with the command's input.
        assert!(
            !stderr.contains("reading conformance cases"),
            "{args:?}: {stderr}"
        );
        assert!(stderr.is_empty(), "{args:?}: {stderr}");
    }
    // The same after one line was read, as `| head -1` does.
    let (mut command, _dir) = bin(&["--demo", "call", "list_policies", r#"{"all_pages": true}"#]);
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut first,
    )
    .unwrap();
    assert_eq!(first.trim(), "{");
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
}

/// The binary with stdin a pseudo-terminal (python3's `pty`), as when started in a
/// terminal: what it writes on stderr before `ending` (b"\x04" is Ctrl-D; "close" closes
/// the terminal), and its exit code.
fn in_a_terminal(args: &[&str], ending: &str) -> (Option<i32>, String) {
    const SCRIPT: &str = r#"
import json, os, pty, select, subprocess, sys, time
binary, ending, args = sys.argv[1], sys.argv[2], sys.argv[3:]
master, slave = pty.openpty()
p = subprocess.Popen([binary] + args, stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
os.close(slave)
err = b""
deadline = time.time() + 30
while b"Waiting for MCP messages" not in err and time.time() < deadline and p.poll() is None:
    ready, _, _ = select.select([p.stderr], [], [], 0.5)
    if ready:
        err += os.read(p.stderr.fileno(), 65536)
if ending == "close":
    os.close(master)
else:
    os.write(master, b"\x04")
try:
    code = p.wait(timeout=30)
except subprocess.TimeoutExpired:
    p.kill()
    code = None
err += p.stderr.read()
print(json.dumps({"code": code, "stderr": err.decode("utf-8", "replace")}))
"#;
    let python = std::env::var("MCP_PYTHON").unwrap_or_else(|_| "python3".into());
    let (mut command, _dir) = bin(&[]);
    let out = Command::new(python)
        .args(["-c", SCRIPT, server_bin(), ending])
        .args(args)
        .envs(
            command
                .get_envs()
                .filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned()))),
        )
        .env_remove("IAM_MCP_TOOLSETS")
        .current_dir(command.get_current_dir().unwrap())
        .output()
        .expect("running python3");
    let _ = &mut command;
    assert!(out.status.success(), "{}", stderr(&out));
    let result: Value = serde_json::from_slice(&out.stdout).unwrap();
    (
        result["code"].as_i64().map(|c| c as i32),
        result["stderr"].as_str().unwrap_or_default().to_string(),
    )
}

#[test]
fn started_in_a_terminal_it_says_what_it_is_and_how_to_try_it() {
    for ending in ["\x04", "close"] {
        let (code, stderr) = in_a_terminal(&["--demo"], ending);
        assert!(
            stderr.contains("iam-mcp-server: this is an MCP server: it speaks MCP (JSON-RPC) on stdin and stdout and is meant to be started by an MCP client"),
            "{stderr}"
        );
        assert!(stderr.contains("`iam-mcp-server --demo tools`"), "{stderr}");
        assert!(stderr.contains("`iam-mcp-server --help`"), "{stderr}");
        assert_eq!(code, Some(0), "{ending:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    // Not when stdin is not a terminal (what an MCP client gives it).
    let out = run(&["--demo"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        !stderr(&out).contains("this is an MCP server"),
        "{}",
        stderr(&out)
    );
}

/// A stand-in for the instance metadata service on 127.0.0.1 that refuses every request
/// (HTTP 403), as on a machine with no instance role; counts the requests.
fn refusing_imds() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = hits.clone();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut buffer = [0u8; 4096];
            let _ = stream.read(&mut buffer);
            let _ = stream.write_all(
                b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
    });
    (address, hits)
}

/// `list_users` over MCP from a server whose environment is only `env` (no AWS_* variable
/// of the test's own, HOME as given): its error text.
async fn list_users_error(env: &[(&str, String)]) -> String {
    use rmcp::ServiceExt;
    let mut command = tokio::process::Command::new(server_bin());
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        // Nothing may leave the machine: the IAM endpoint is a closed local port.
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .args(["--toolsets", "users"]);
    for (k, v) in env {
        command.env(k, v);
    }
    let (transport, _) = rmcp::transport::TokioChildProcess::builder(command)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let client = ().serve(transport).await.unwrap();
    let result = tokio::time::timeout(
        common::CALL_TIMEOUT,
        client.call_tool(rmcp::model::CallToolRequestParams::new("list_users")),
    )
    .await
    .expect("list_users answered")
    .unwrap();
    assert_eq!(result.is_error, Some(true));
    let _ = client.cancel().await;
    common::text(&result)
}

#[tokio::test(flavor = "multi_thread")]
async fn no_credentials_at_all_says_how_to_configure_them() {
    let home = TempDir::new("cli-home");
    let (imds, hits) = refusing_imds();
    let text = list_users_error(&[
        ("HOME", home.path().display().to_string()),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds),
    ])
    .await;
    assert!(
        hits.load(std::sync::atomic::Ordering::SeqCst) > 0,
        "IMDS was not asked"
    );
    assert!(
        text.starts_with("Unable to locate credentials. Configure AWS credentials using:"),
        "{text}"
    );
    for expected in [
        "`aws configure`",
        "AWS_EC2_METADATA_DISABLED=true",
        "Nothing was sent to IAM",
    ] {
        assert!(text.contains(expected), "{expected}: {text}");
    }
    assert!(!text.contains("could not reach"), "{text}");
    assert!(
        !text.contains("ProviderError") && !text.contains("{ "),
        "a Debug dump: {text}"
    );
    assert!(text.len() < 500, "{} chars: {text}", text.len());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_mistyped_profile_is_named_with_the_defined_ones() {
    let home = TempDir::new("cli-home");
    let config = home.path().join("config");
    std::fs::write(
        &config,
        "[profile dev]\nregion = us-east-1\n\n[profile prod]\nregion = eu-west-1\n",
    )
    .unwrap();
    let (imds, _) = refusing_imds();
    let text = list_users_error(&[
        ("HOME", home.path().display().to_string()),
        ("AWS_CONFIG_FILE", config.display().to_string()),
        ("AWS_PROFILE", "sso-dve".into()),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds),
    ])
    .await;
    assert!(text.starts_with("AWS_PROFILE is `sso-dve`, but "), "{text}");
    for expected in [
        "defines no profile of that name (defined: dev, prod)",
        "Set AWS_PROFILE to a defined profile",
        "`aws configure --profile sso-dve`",
    ] {
        assert!(text.contains(expected), "{expected}: {text}");
    }
    assert!(!text.contains("{ "), "a Debug dump: {text}");
    assert!(text.len() < 500, "{} chars: {text}", text.len());
}

/// A client's blank settings field sets a variable to nothing: a blank AWS_REGION,
/// AWS_DEFAULT_REGION or AWS_PROFILE counts as unset (the profile's region, the default
/// profile's keys), not as a Region or profile named ``.
#[tokio::test(flavor = "multi_thread")]
async fn blank_region_and_profile_variables_count_as_unset() {
    let moto = common::Moto::start();
    let home = TempDir::new("cli-home");
    let credentials = home.path().join("credentials");
    std::fs::write(
        &credentials,
        "[default]\naws_access_key_id = testing\naws_secret_access_key = testing\n",
    )
    .unwrap();
    let env = [
        ("HOME", home.path().display().to_string()),
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            credentials.display().to_string(),
        ),
        (
            "AWS_CONFIG_FILE",
            home.path().join("config").display().to_string(),
        ),
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
        ("AWS_ENDPOINT_URL", moto.endpoint()),
        ("AWS_REGION", String::new()),
        ("AWS_DEFAULT_REGION", " ".into()),
        ("AWS_PROFILE", String::new()),
    ]
    .map(|(k, v)| (k.to_string(), v));
    let server = Server::start_env(&["--toolsets", "users"], env.to_vec()).await;
    let users = server.ok("list_users", json!({})).await;
    assert_eq!(users["Users"], json!([]), "{users}");
    server.stop().await;
}

/// Credentials (not valid anywhere) and `region`: the server can sign a request.
fn with_keys_in(region: &str) -> [(&'static str, String); 4] {
    [
        ("AWS_ACCESS_KEY_ID", "testing".into()),
        ("AWS_SECRET_ACCESS_KEY", "testing".into()),
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
        ("AWS_REGION", region.into()),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn a_region_that_is_not_one_is_named_and_nothing_is_sent() {
    let text = list_users_error(&with_keys_in("us east 1")).await;
    assert!(
        text.starts_with(
            "iam:ListUsers could not be sent: the Region `us east 1` (AWS_REGION) is not an AWS Region name. Nothing was sent to IAM."
        ),
        "{text}"
    );
    assert!(text.contains("such as us-east-1"), "{text}");
    assert!(
        !text.contains("{ ") && !text.contains("Interceptor"),
        "a Debug dump: {text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_endpoint_is_named_with_the_cause_in_one_line() {
    let text = list_users_error(&with_keys_in("us-east-1")).await;
    assert!(
        text.starts_with("iam:ListUsers could not reach the IAM endpoint (http://127.0.0.1:9): "),
        "{text}"
    );
    assert!(text.contains("Connection refused"), "{text}");
    assert!(text.contains("Check network access"), "{text}");
    assert!(
        !text.contains("DispatchFailure") && !text.contains("{ "),
        "a Debug dump: {text}"
    );
    assert!(text.len() < 500, "{} chars: {text}", text.len());
}
