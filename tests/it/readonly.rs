//! Read-only is the default: write tools are absent from tools/list, and calling one by
//! name anyway is refused with an actionable message and sends nothing to AWS.

use crate::common;

use common::{Moto, Server, create_policy, recorded_actions, run_cli};
use serde_json::{Value, json};

/// Everything an IAM read can show of the account, to compare before and after.
async fn state(sdk: &aws_sdk_iam::Client) -> Vec<String> {
    let mut out = Vec::new();
    for u in sdk.list_users().send().await.unwrap().users() {
        out.push(format!("user {} {}", u.user_name(), u.path()));
        for g in sdk
            .list_groups_for_user()
            .user_name(u.user_name())
            .send()
            .await
            .unwrap()
            .groups()
        {
            out.push(format!("member {} {}", u.user_name(), g.group_name()));
        }
    }
    for g in sdk.list_groups().send().await.unwrap().groups() {
        out.push(format!("group {}", g.group_name()));
        for p in sdk
            .list_attached_group_policies()
            .group_name(g.group_name())
            .send()
            .await
            .unwrap()
            .attached_policies()
        {
            out.push(format!(
                "attached {} {}",
                g.group_name(),
                p.policy_arn().unwrap_or_default()
            ));
        }
    }
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn write_tools_are_hidden_and_refused() {
    let moto = Moto::start();
    let sdk = moto.sdk();
    let policy = create_policy(&sdk, "TeamPolicy").await;
    sdk.create_user().user_name("bob").send().await.unwrap();
    sdk.create_group().group_name("team").send().await.unwrap();
    sdk.add_user_to_group()
        .group_name("team")
        .user_name("bob")
        .send()
        .await
        .unwrap();
    sdk.attach_group_policy()
        .group_name("team")
        .policy_arn(&policy)
        .send()
        .await
        .unwrap();
    let before = state(&sdk).await;

    let server = Server::start(&moto, &[]).await;
    let info = server.client.peer_info().expect("initialize result");
    assert!(
        info.instructions
            .as_deref()
            .unwrap_or("")
            .contains("READ-ONLY mode"),
        "{:?}",
        info.instructions
    );

    let tools = server.client.list_all_tools().await.unwrap();
    let mut listed: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    listed.sort();
    // Exactly the read tools of the default toolsets.
    let manifest_tools: Vec<Value> =
        serde_json::from_str(&run_cli(&["--allow-write", "tools", "--json"])).unwrap();
    let mut reads: Vec<&str> = manifest_tools
        .iter()
        .filter(|t| t["access"] == "read")
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    reads.sort();
    assert_eq!(listed, reads);
    assert!(
        listed.contains(&"list_users") && listed.contains(&"simulate_principal_policy"),
        "{listed:?}"
    );
    for tool in &tools {
        let a = tool.annotations.as_ref().unwrap();
        assert_eq!(a.read_only_hint, Some(true), "{}", tool.name);
    }

    // Every write tool of the manifest, called by name.
    let writes: Vec<String> = manifest_tools
        .iter()
        .filter(|t| t["access"] == "write")
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect();
    // As many as there are write tools in the toolsets tools.toml makes default.
    let manifest: toml::Table = std::fs::read_to_string(common::workspace().join("tools.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let default_sets: Vec<&String> = manifest["toolsets"]
        .as_table()
        .unwrap()
        .iter()
        .filter(|(_, t)| t.get("default").and_then(toml::Value::as_bool) == Some(true))
        .map(|(name, _)| name)
        .collect();
    let all_tools: Vec<Value> = serde_json::from_str(&run_cli(&[
        "--allow-write",
        "--toolsets",
        "all",
        "tools",
        "--json",
    ]))
    .unwrap();
    let declared = all_tools
        .iter()
        .filter(|t| t["access"] == "write")
        .filter(|t| default_sets.iter().any(|s| t["toolset"] == s.as_str()))
        .count();
    assert!(declared > 0);
    assert_eq!(writes.len(), declared, "{writes:?}");
    let args = json!({"user_name": "bob", "group_name": "team", "policy_arn": policy});
    for tool in &writes {
        let args: serde_json::Map<String, Value> = args.as_object().unwrap().clone();
        let text = server.err(tool, Value::Object(args)).await;
        assert!(
            text.contains(&format!("`{tool}` is a write tool and this server is read-only; restart it with --allow-write")),
            "{tool}: {text}"
        );
        assert!(text.contains("Nothing was changed."), "{text}");
    }
    // Reads still work.
    let user = server.ok("get_user", json!({"user_name": "bob"})).await;
    assert_eq!(user["Groups"][0]["GroupName"], "team");

    let stderr = server.stop().await;
    let called = recorded_actions(&stderr);
    assert!(
        called
            .iter()
            .all(|a| a.starts_with("iam:Get") || a.starts_with("iam:List")),
        "{called:?}"
    );
    assert_eq!(
        state(&sdk).await,
        before,
        "moto's state changed in read-only mode"
    );

    // An explicit --readonly wins over IAM_MCP_ALLOW_WRITE in the environment.
    let out = std::process::Command::new(common::server_bin())
        .args(["--readonly", "tools", "--json"])
        .env("IAM_MCP_ALLOW_WRITE", "true")
        .output()
        .unwrap();
    let listed: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(listed.iter().all(|t| t["access"] == "read"), "{listed:?}");
}

#[test]
fn toolsets_and_mode_agree_between_tools_and_permissions() {
    for args in [
        vec![],
        vec!["--allow-write"],
        vec!["--toolsets", "users"],
        vec!["--toolsets", "groups", "--allow-write"],
        vec!["--toolsets", "all", "--readonly"],
    ] {
        let tools: Vec<Value> =
            serde_json::from_str(&run_cli(&[args.as_slice(), &["tools", "--json"]].concat()))
                .unwrap();
        let policy: Value =
            serde_json::from_str(&run_cli(&[args.as_slice(), &["permissions"]].concat())).unwrap();
        let mut from_tools: Vec<String> = tools
            .iter()
            .flat_map(|t| {
                t["actions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a.as_str().unwrap().to_string())
            })
            .collect();
        // Plus who the server is (every server asks STS; no permission needed).
        from_tools.push("sts:GetCallerIdentity".to_string());
        from_tools.sort();
        from_tools.dedup();
        let mut from_policy: Vec<String> = common::policy_actions(&policy);
        from_policy.sort();
        assert_eq!(from_tools, from_policy, "{args:?}");
        let write_mode = args.contains(&"--allow-write");
        assert_eq!(
            tools.iter().any(|t| t["access"] == "write"),
            write_mode,
            "{args:?}"
        );
        if let Some(set) = args
            .iter()
            .position(|a| *a == "--toolsets")
            .map(|i| args[i + 1])
            && set != "all"
        {
            assert!(
                tools.iter().all(|t| t["toolset"] == set),
                "{args:?}: {tools:?}"
            );
        }
    }
}

/// The server's `instructions` when started with `env` (and `--allow-write` when `write`),
/// or its exit code and stderr when it refuses to start.
fn instructions_with(env: &[(&str, &str)], write: bool) -> Result<String, (Option<i32>, String)> {
    use std::io::{BufRead, Write};
    let mut command = std::process::Command::new(common::server_bin());
    for k in common::CLEARED_ENV {
        command.env_remove(k);
    }
    if write {
        command.arg("--allow-write");
    }
    let mut child = command
        .envs(env.iter().copied())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let initialize = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "switch-test", "version": "0"}}});
    let mut stdin = child.stdin.take().unwrap();
    let _ = writeln!(stdin, "{initialize}");
    let mut line = String::new();
    let _ = std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line);
    drop(stdin);
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    if line.is_empty() {
        return Err((
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ));
    }
    let answer: Value = serde_json::from_str(&line).unwrap();
    Ok(answer["result"]["instructions"]
        .as_str()
        .unwrap()
        .to_string())
}

/// Every on/off variable takes true/false, 1/0, yes/no, on/off (any case, spaces around
/// ignored, empty = off) and nothing else: a value it cannot read stops the server with a
/// message naming the variable and the value, before any tool is offered.
#[test]
fn switches_take_documented_values_only() {
    const SWITCHES: [(&str, &str); 7] = [
        ("IAM_MCP_READONLY", "--readonly"),
        ("IAM_MCP_ALLOW_WRITE", "--allow-write"),
        (
            "IAM_MCP_ALLOW_PRIVILEGED_POLICIES",
            "--allow-privileged-policies",
        ),
        ("IAM_MCP_ALLOW_BROAD_POLICIES", "--allow-broad-policies"),
        ("IAM_MCP_ALLOW_PUBLIC_TRUST", "--allow-public-trust"),
        ("IAM_MCP_ALLOW_SELF_LOCKOUT", "--allow-self-lockout"),
        (
            "IAM_MCP_ALLOW_SERVICE_LINKED_ROLES",
            "--allow-service-linked-roles",
        ),
    ];
    for (var, flag) in SWITCHES {
        for bad in [
            "disabled", "enabled", "none", "2", "ture", "false!", "y e s", "-1",
        ] {
            let (code, stderr) = instructions_with(&[(var, bad)], var != "IAM_MCP_ALLOW_WRITE")
                .expect_err(&format!("{var}={bad:?} started the server"));
            assert_eq!(code, Some(2), "{var}={bad:?}: {stderr}");
            assert!(
                stderr.contains(&format!(
                    "invalid value \"{bad}\" for {flag} (environment variable {var})"
                )),
                "{var}={bad:?}: {stderr}"
            );
            assert!(
                stderr.contains("true/false, 1/0, yes/no or on/off"),
                "{stderr}"
            );
        }
    }
    // What each documented value does, seen where a user sees it.
    let on = ["true", "TRUE", "1", "yes", "On", " on ", "true "];
    let off = ["false", "FALSE", "0", "no", "Off", " false", "false ", ""];
    let relaxed = [
        (
            "IAM_MCP_ALLOW_PRIVILEGED_POLICIES",
            "attaching privileged policies",
        ),
        (
            "IAM_MCP_ALLOW_BROAD_POLICIES",
            "identity policies allowing every action",
        ),
        (
            "IAM_MCP_ALLOW_PUBLIC_TRUST",
            "trust policies with Principal",
        ),
        ("IAM_MCP_ALLOW_SELF_LOCKOUT", "cut the server's own access"),
        (
            "IAM_MCP_ALLOW_SERVICE_LINKED_ROLES",
            "changes to service-linked roles",
        ),
    ];
    for (values, set) in [(&on[..], true), (&off[..], false)] {
        let (written, read_only) = if set {
            ("WRITE mode", "READ-ONLY")
        } else {
            ("READ-ONLY", "WRITE mode")
        };
        for value in values {
            let write = instructions_with(&[("IAM_MCP_ALLOW_WRITE", value)], false).unwrap();
            assert!(
                write.contains(written),
                "IAM_MCP_ALLOW_WRITE={value:?}: {write}"
            );
            let read = instructions_with(&[("IAM_MCP_READONLY", value)], true).unwrap();
            assert!(
                read.contains(read_only),
                "IAM_MCP_READONLY={value:?} with --allow-write: {read}"
            );
            for (var, rule) in relaxed {
                let text = instructions_with(&[(var, value)], true).unwrap();
                assert_eq!(
                    text.contains(rule),
                    !set,
                    "{var}={value:?}: `{rule}` in force is wrong: {text}"
                );
            }
        }
    }
}

/// The one-shot `call` writes only when --allow-write and --consent none are typed on its
/// command line; the same settings from the environment are refused before anything runs.
#[test]
fn call_writes_only_with_flags_on_its_command_line() {
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut command = std::process::Command::new(common::server_bin());
        for k in common::CLEARED_ENV {
            command.env_remove(k);
        }
        // An endpoint nothing listens on: a write that got through would fail there, not here.
        command
            .args(args)
            .envs(env.iter().copied())
            .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
            .env("AWS_EC2_METADATA_DISABLED", "true");
        command.output().unwrap()
    };
    let create = ["call", "create_user", r#"{"user_name": "nobody"}"#];
    for (args, env) in [
        (
            vec![],
            vec![("IAM_MCP_ALLOW_WRITE", "1"), ("IAM_MCP_CONSENT", "none")],
        ),
        (vec!["--allow-write"], vec![("IAM_MCP_CONSENT", "none")]),
        (
            vec!["--consent", "none"],
            vec![("IAM_MCP_ALLOW_WRITE", "true")],
        ),
        (vec!["--allow-write"], vec![]),
    ] {
        let out = run(&[args.as_slice(), &create].concat(), &env);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?} {env:?}: {stderr}");
        assert!(
            stderr.contains(
                "runs writes only with --allow-write --consent none typed on its command line"
            ) && stderr.contains("Nothing was changed"),
            "{stderr}"
        );
        assert!(
            !stderr.contains("127.0.0.1:9"),
            "{args:?} {env:?} reached AWS: {stderr}"
        );
    }
    // Typed on the command line, the write is attempted (and fails at the dead endpoint).
    let out = run(
        &[&["--allow-write", "--consent", "none"][..], &create].concat(),
        &[
            ("AWS_ACCESS_KEY_ID", "a"),
            ("AWS_SECRET_ACCESS_KEY", "b"),
            ("AWS_REGION", "us-east-1"),
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("typed on its command line"), "{stderr}");
}
