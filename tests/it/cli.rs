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
    let instructions = server
        .client
        .peer_info()
        .unwrap()
        .instructions
        .clone()
        .unwrap_or_default();
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
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("snapshot exports the live account"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn demo_and_an_account_file_together_are_a_usage_error() {
    let out = run(&["--demo", "--account-file", "mine.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(
        stderr(&out)
            .contains("--demo serves the built-in demo account, but --account-file is given too"),
        "{}",
        stderr(&out)
    );

    let (mut command, _dir) = bin(&["--demo", "tools"]);
    let out = command
        .env("IAM_MCP_ACCOUNT_FILE", "mine.json")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("IAM_MCP_ACCOUNT_FILE is set too"),
        "{}",
        stderr(&out)
    );
}
