//! Read-only is the default: write tools are absent from tools/list, and calling one by
//! name anyway is refused with an actionable message and sends nothing to AWS.

mod common;

use common::{create_policy, recorded_actions, run_cli, Moto, Server};
use serde_json::{json, Value};

/// Everything an IAM read can show of the account, to compare before and after.
async fn state(sdk: &aws_sdk_iam::Client) -> Vec<String> {
    let mut out = Vec::new();
    for u in sdk.list_users().send().await.unwrap().users() {
        out.push(format!("user {} {}", u.user_name(), u.path()));
        for g in sdk.list_groups_for_user().user_name(u.user_name()).send().await.unwrap().groups() {
            out.push(format!("member {} {}", u.user_name(), g.group_name()));
        }
    }
    for g in sdk.list_groups().send().await.unwrap().groups() {
        out.push(format!("group {}", g.group_name()));
        for p in sdk.list_attached_group_policies().group_name(g.group_name()).send().await.unwrap().attached_policies() {
            out.push(format!("attached {} {}", g.group_name(), p.policy_arn().unwrap_or_default()));
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
    sdk.add_user_to_group().group_name("team").user_name("bob").send().await.unwrap();
    sdk.attach_group_policy().group_name("team").policy_arn(&policy).send().await.unwrap();
    let before = state(&sdk).await;

    let server = Server::start(&moto, &[]).await;
    let info = server.client.peer_info().expect("initialize result");
    assert!(info.instructions.as_deref().unwrap_or("").contains("READ-ONLY mode"), "{:?}", info.instructions);

    let tools = server.client.list_all_tools().await.unwrap();
    let mut listed: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    listed.sort();
    // Exactly the read tools of the default toolsets.
    let manifest_tools: Vec<Value> = serde_json::from_str(&run_cli(&["--allow-write", "tools", "--json"])).unwrap();
    let mut reads: Vec<&str> = manifest_tools.iter().filter(|t| t["access"] == "read").map(|t| t["name"].as_str().unwrap()).collect();
    reads.sort();
    assert_eq!(listed, reads);
    assert!(listed.contains(&"list_users") && listed.contains(&"simulate_principal_policy"), "{listed:?}");
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
    // As many as tools.toml declares write tools in default toolsets.
    let manifest: toml::Table = std::fs::read_to_string(common::workspace().join("tools.toml")).unwrap().parse().unwrap();
    let default_sets: Vec<&String> = manifest["toolsets"]
        .as_table()
        .unwrap()
        .iter()
        .filter(|(_, t)| t.get("default").and_then(toml::Value::as_bool) == Some(true))
        .map(|(name, _)| name)
        .collect();
    let declared = manifest["tools"]
        .as_table()
        .unwrap()
        .values()
        .filter(|t| t["access"].as_str() == Some("write"))
        .filter(|t| default_sets.iter().any(|s| t["toolset"].as_str() == Some(s.as_str())))
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
    assert!(called.iter().all(|a| a.starts_with("iam:Get") || a.starts_with("iam:List")), "{called:?}");
    assert_eq!(state(&sdk).await, before, "moto's state changed in read-only mode");

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
        let tools: Vec<Value> = serde_json::from_str(&run_cli(&[args.as_slice(), &["tools", "--json"]].concat())).unwrap();
        let policy: Value = serde_json::from_str(&run_cli(&[args.as_slice(), &["permissions"]].concat())).unwrap();
        let mut from_tools: Vec<String> = tools
            .iter()
            .flat_map(|t| t["actions"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_string()))
            .collect();
        // Plus who the server is (every server asks STS; no permission needed).
        from_tools.push("sts:GetCallerIdentity".to_string());
        from_tools.sort();
        from_tools.dedup();
        let mut from_policy: Vec<String> = common::policy_actions(&policy);
        from_policy.sort();
        assert_eq!(from_tools, from_policy, "{args:?}");
        let write_mode = args.contains(&"--allow-write");
        assert_eq!(tools.iter().any(|t| t["access"] == "write"), write_mode, "{args:?}");
        if let Some(set) = args.iter().position(|a| *a == "--toolsets").map(|i| args[i + 1]) && set != "all" {
            assert!(tools.iter().all(|t| t["toolset"] == set), "{args:?}: {tools:?}");
        }
    }
}
