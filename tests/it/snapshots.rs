//! Snapshots of what clients and operators see: every tool as tools/list shows it (name,
//! title, annotations, input and output schema) and the generated permissions policy. The
//! tool table in docs/tools.md and the policy in docs/permissions.md are checked against the
//! generated ones.
//! Refresh with `UPDATE_SNAPSHOTS=1 cargo test --test it snapshots::`.

use crate::common;

use common::{Server, run_cli, server_env, workspace};
use serde_json::Value;
use std::collections::BTreeMap;

/// The same JSON with every object's keys sorted.
fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let sorted: BTreeMap<&String, Value> =
                map.iter().map(|(k, v)| (k, sorted(v))).collect();
            serde_json::to_value(sorted).unwrap()
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

fn check_snapshot(name: &str, actual: &str) {
    let path = workspace().join("tests/snapshots").join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!("snapshot {} is missing: run `UPDATE_SNAPSHOTS=1 cargo test --test it snapshots::` and commit it", path.display())
    });
    assert!(
        expected == actual,
        "snapshot {name} differs from what the server now produces; if the change is intended, run \
         `UPDATE_SNAPSHOTS=1 cargo test --test it snapshots::` and review the diff.\n--- now:\n{actual}"
    );
}

/// The text between `<!-- NAME:start -->` and `<!-- NAME:end -->` in `docs/NAME.md`.
fn docs_block(name: &str) -> String {
    let doc = std::fs::read_to_string(workspace().join(format!("docs/{name}.md"))).unwrap();
    let start = format!("<!-- {name}:start -->");
    let end = format!("<!-- {name}:end -->");
    let from = doc
        .find(&start)
        .unwrap_or_else(|| panic!("docs/{name}.md has no {start}"))
        + start.len();
    let to = doc[from..]
        .find(&end)
        .unwrap_or_else(|| panic!("docs/{name}.md has no {end}"))
        + from;
    doc[from..to].trim().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_tool_as_clients_see_it() {
    let server = Server::start_env(&["--allow-write", "--toolsets", "all"], server_env(None)).await;
    let tools = server.client.list_all_tools().await.unwrap();
    server.stop().await;
    let snapshot: Vec<Value> = tools
        .iter()
        .map(|t| sorted(&serde_json::to_value(t).unwrap()))
        .collect();
    for tool in &snapshot {
        let a = &tool["annotations"];
        for hint in [
            "title",
            "readOnlyHint",
            "destructiveHint",
            "idempotentHint",
            "openWorldHint",
        ] {
            assert!(!a[hint].is_null(), "{} lacks {hint}", tool["name"]);
        }
        assert_eq!(tool["inputSchema"]["type"], "object");
        assert_eq!(
            tool["inputSchema"]["additionalProperties"], false,
            "{}",
            tool["name"]
        );
        assert_eq!(tool["outputSchema"]["type"], "object");
    }
    check_snapshot(
        "tools.json",
        &(serde_json::to_string_pretty(&snapshot).unwrap() + "\n"),
    );
}

#[test]
fn permissions_policy_is_generated_from_the_manifest() {
    let full = run_cli(&["--allow-write", "--toolsets", "all", "permissions"]);
    check_snapshot("permissions.json", &full);
    assert_eq!(
        docs_block("permissions"),
        format!("```json\n{}\n```", full.trim()),
        "docs/permissions.md's policy is stale: copy `iam-mcp-server --allow-write --toolsets all permissions` into it"
    );

    // Every action is an operation the manifest declares, once; read-only holds only reads.
    let manifest: toml::Table = std::fs::read_to_string(workspace().join("tools.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let operations = manifest["operations"].as_table().unwrap();
    // An operation's access is its `access`, else its verb's (the manifest's rule: List,
    // Get, Generate and Simulate read, any other verb writes).
    let access = |action: &str| {
        let name = action.trim_start_matches("iam:");
        let verb_end = name[1..]
            .find(char::is_uppercase)
            .map_or(name.len(), |i| i + 1);
        match operations.get(name) {
            Some(op) => match op.get("access") {
                Some(said) => said.as_str().unwrap().to_string(),
                None if ["List", "Get", "Generate", "Simulate"].contains(&&name[..verb_end]) => {
                    "read".to_string()
                }
                None => "write".to_string(),
            },
            None => "read".to_string(),
        }
    };
    let actions = |policy: &str| -> Vec<String> {
        let policy: Value = serde_json::from_str(policy).unwrap();
        common::policy_actions(&policy)
    };
    let all = actions(&full);
    let mut unique = all.clone();
    unique.dedup();
    assert_eq!(all, unique, "an action is listed twice");
    for action in &all {
        // The self-lockout guardrail asks STS who the server is; everything else is IAM.
        let declared = action == "sts:GetCallerIdentity"
            || operations.contains_key(action.trim_start_matches("iam:"));
        assert!(declared, "{action} is not a manifest operation");
    }
    let read_only = actions(&run_cli(&[
        "--readonly",
        "--toolsets",
        "all",
        "permissions",
    ]));
    assert!(!read_only.is_empty());
    for action in &read_only {
        assert_eq!(access(action), "read", "{action} in the read-only policy");
    }
    let writes: Vec<&String> = all.iter().filter(|a| access(a) == "write").collect();
    assert!(!writes.is_empty() && writes.iter().all(|a| !read_only.contains(a)));
}

#[test]
fn docs_tool_table_is_current() {
    let table = run_cli(&["--allow-write", "--toolsets", "all", "tools", "--markdown"]);
    assert_eq!(
        docs_block("tools"),
        table.trim(),
        "docs/tools.md's tool table is stale: copy `iam-mcp-server --allow-write --toolsets all tools --markdown` into it"
    );
}
