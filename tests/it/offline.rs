//! Offline mode (--account-file): a snapshot of a moto account served with no AWS access
//! answers every read tool it offers as the live server does; local simulation agrees;
//! bad files stop the start with a message naming the problem; the demo account works
//! with the README's demo flags and from the shell (`call`).
//!
//! Fields compared field by field, except where moto cannot produce what AWS does (each
//! skip is listed in `moto_gaps` with the reason).

use crate::common;

use common::{CLEARED_ENV, Moto, Server, TempDir, server_bin, server_env, trust};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;

/// An environment with no AWS configuration at all: offline mode must not need one.
pub(crate) fn no_aws_env() -> Vec<(String, String)> {
    vec![
        ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
        ("AWS_CONFIG_FILE".into(), "/nonexistent/aws-config".into()),
        (
            "AWS_SHARED_CREDENTIALS_FILE".into(),
            "/nonexistent/aws-credentials".into(),
        ),
        ("RUST_LOG".into(), "iam_tools::aws=debug,info".into()),
    ]
}

fn cleared(args: &[&str]) -> Command {
    let mut command = Command::new(server_bin());
    for k in CLEARED_ENV.iter().chain(
        [
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "IAM_MCP_ACCOUNT_FILE",
        ]
        .iter(),
    ) {
        command.env_remove(k);
    }
    command.args(args);
    command
}

/// `iam-mcp-server snapshot --output FILE` against moto.
pub(crate) fn snapshot(moto: &Moto, file: &Path) {
    let mut command = cleared(&["snapshot", "--output", file.to_str().unwrap()]);
    command.envs(server_env(Some(&moto.endpoint())));
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "snapshot failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // It loads back (a load error would only show as a closed connection later).
    let out = cleared(&[
        "call",
        "list_users",
        "{}",
        "--account-file",
        file.to_str().unwrap(),
    ])
    .envs(no_aws_env())
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "the snapshot does not load: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

async fn policy(sdk: &aws_sdk_iam::Client, name: &str, path: &str, doc: Value) -> String {
    sdk.create_policy()
        .policy_name(name)
        .path(path)
        .description(format!("{name} for the offline test"))
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

fn allow(actions: &[&str], resource: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Sid": "Grant", "Effect": "Allow", "Action": actions, "Resource": resource}]})
}

struct Scenario {
    s3_read: String,
    boundary: String,
    deny_iam: String,
}

/// Users with groups, inline and managed policies, roles with trust policies, instance
/// profiles, tags, policy versions, a boundary on a role.
async fn scenario(sdk: &aws_sdk_iam::Client) -> Scenario {
    let s3_read = policy(sdk, "S3Read", "/data/", allow(&["s3:GetObject"], "*")).await;
    sdk.create_policy_version()
        .policy_arn(&s3_read)
        .policy_document(allow(&["s3:GetObject", "s3:ListBucket"], "*").to_string())
        .set_as_default(true)
        .send()
        .await
        .unwrap();
    let boundary = policy(
        sdk,
        "Boundary",
        "/",
        allow(&["s3:*", "sqs:*", "iam:Get*"], "*"),
    )
    .await;
    let deny_iam = policy(
        sdk,
        "DenyIamWrites",
        "/guard/",
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": ["iam:Create*", "iam:Delete*"], "Resource": "*"}]}),
    )
    .await;
    sdk.tag_policy()
        .policy_arn(&s3_read)
        .tags(tag("owner", "data"))
        .send()
        .await
        .unwrap();

    for (group, path) in [("devs", "/eng/"), ("ops", "/"), ("empty", "/")] {
        sdk.create_group()
            .group_name(group)
            .path(path)
            .send()
            .await
            .unwrap();
    }
    sdk.attach_group_policy()
        .group_name("devs")
        .policy_arn(&s3_read)
        .send()
        .await
        .unwrap();
    sdk.put_group_policy()
        .group_name("devs")
        .policy_name("devs-sqs")
        .policy_document(
            allow(
                &["sqs:SendMessage"],
                "arn:aws:sqs:us-east-1:123456789012:jobs",
            )
            .to_string(),
        )
        .send()
        .await
        .unwrap();
    sdk.attach_group_policy()
        .group_name("ops")
        .policy_arn(&deny_iam)
        .send()
        .await
        .unwrap();

    for (user, path) in [("alice", "/eng/"), ("bob", "/eng/"), ("carol", "/")] {
        sdk.create_user()
            .user_name(user)
            .path(path)
            .send()
            .await
            .unwrap();
    }
    sdk.tag_user()
        .user_name("alice")
        .tags(tag("team", "data"))
        .tags(tag("cost-center", "42"))
        .send()
        .await
        .unwrap();
    sdk.add_user_to_group()
        .group_name("devs")
        .user_name("alice")
        .send()
        .await
        .unwrap();
    sdk.add_user_to_group()
        .group_name("ops")
        .user_name("alice")
        .send()
        .await
        .unwrap();
    sdk.add_user_to_group()
        .group_name("devs")
        .user_name("bob")
        .send()
        .await
        .unwrap();
    sdk.put_user_policy()
        .user_name("alice")
        .policy_name("alice-iam")
        .policy_document(allow(&["iam:CreateUser", "iam:GetUser"], "*").to_string())
        .send()
        .await
        .unwrap();
    sdk.attach_user_policy()
        .user_name("carol")
        .policy_arn(&deny_iam)
        .send()
        .await
        .unwrap();
    // moto has no user permissions boundaries; the role carries one (the demo account's
    // users do, in the demo test).

    sdk.create_role()
        .role_name("app-role")
        .path("/service/")
        .assume_role_policy_document(trust("lambda.amazonaws.com").to_string())
        .description("The app's Lambda role")
        .max_session_duration(7200)
        .permissions_boundary(&boundary)
        .tags(tag("team", "app"))
        .send()
        .await
        .unwrap();
    sdk.put_role_policy()
        .role_name("app-role")
        .policy_name("app-queue")
        .policy_document(allow(&["sqs:ReceiveMessage", "s3:PutObject"], "*").to_string())
        .send()
        .await
        .unwrap();
    sdk.attach_role_policy()
        .role_name("app-role")
        .policy_arn(&s3_read)
        .send()
        .await
        .unwrap();
    sdk.create_role()
        .role_name("batch-role")
        .assume_role_policy_document(trust("ec2.amazonaws.com").to_string())
        .send()
        .await
        .unwrap();
    sdk.create_instance_profile()
        .instance_profile_name("batch-profile")
        .path("/batch/")
        .send()
        .await
        .unwrap();
    sdk.add_role_to_instance_profile()
        .instance_profile_name("batch-profile")
        .role_name("batch-role")
        .send()
        .await
        .unwrap();
    sdk.create_instance_profile()
        .instance_profile_name("app-profile")
        .send()
        .await
        .unwrap();
    sdk.add_role_to_instance_profile()
        .instance_profile_name("app-profile")
        .role_name("app-role")
        .send()
        .await
        .unwrap();
    Scenario {
        s3_read,
        boundary,
        deny_iam,
    }
}

fn tag(k: &str, v: &str) -> aws_sdk_iam::types::Tag {
    aws_sdk_iam::types::Tag::builder()
        .key(k)
        .value(v)
        .build()
        .unwrap()
}

/// Where moto differs from AWS (the offline answers follow AWS), removed from both sides:
/// - `RoleLastUsed`: moto has no role activity; it returns `{}` where AWS omits or dates it.
/// - `Tags` and `PermissionsBoundary` inside list results (ListUsers, ListRoles, GetGroup's
///   Users, instance profiles' Roles): AWS's list operations do not return them; moto does.
/// - `Description` and `MaxSessionDuration` of roles embedded in instance profiles: AWS
///   gives only the role's identity and trust policy there; moto gives more.
/// - `Marker`: markers are opaque and each backend's own (`IsTruncated` is compared).
/// - Order of entities in lists: moto orders ListRoles by RoleId, ListPolicies by name and
///   filtered GetAccountAuthorizationDetails by a set; offline keeps the export's order
///   (AWS's). Lists of entities are compared sorted by their name (see `sort_entities`).
/// - (per tool, in the test) ListPolicyVersions: moto includes each version's Document,
///   which AWS's ListPolicyVersions does not return; GetAccountAuthorizationDetails:
///   moto's Policies have no PolicyName or PolicyId (AWS's have; `snapshot` fills them
///   from ListPolicies, so offline has them).
fn moto_gaps(value: &mut Value, in_list: bool) {
    match value {
        Value::Object(map) => {
            map.remove("RoleLastUsed");
            map.remove("Marker");
            if in_list {
                map.remove("Tags");
                map.remove("PermissionsBoundary");
            }
            let is_profile = map.contains_key("InstanceProfileName");
            for (k, v) in map.iter_mut() {
                let list_context = matches!(
                    k.as_str(),
                    "Users" | "Roles" | "Policies" | "Groups" | "InstanceProfiles"
                );
                moto_gaps(v, list_context);
                if is_profile && k == "Roles" {
                    for role in v.as_array_mut().into_iter().flatten() {
                        if let Some(role) = role.as_object_mut() {
                            role.remove("Description");
                            role.remove("MaxSessionDuration");
                        }
                    }
                }
            }
        }
        Value::Array(list) => list.iter_mut().for_each(|v| moto_gaps(v, in_list)),
        _ => {}
    }
}

/// Lists of named entities sorted by name, recursively.
fn sort_entities(value: &mut Value) {
    match value {
        Value::Object(map) => map.values_mut().for_each(sort_entities),
        Value::Array(list) => {
            list.iter_mut().for_each(sort_entities);
            let key = |v: &Value| -> Option<String> {
                [
                    "UserName",
                    "GroupName",
                    "RoleName",
                    "InstanceProfileName",
                    "Arn",
                    "VersionId",
                    "Key",
                ]
                .iter()
                .find_map(|k| v.get(*k).and_then(Value::as_str).map(str::to_string))
            };
            if list.iter().all(|v| key(v).is_some()) {
                list.sort_by_key(|v| key(v));
            }
        }
        _ => {}
    }
}

/// Every difference between two JSON values, by path.
fn diff(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                match y.get(k) {
                    Some(w) => diff(&format!("{path}.{k}"), v, w, out),
                    None => out.push(format!("{path}.{k}: live {v}, offline has none")),
                }
            }
            for (k, w) in y {
                if !x.contains_key(k) {
                    out.push(format!("{path}.{k}: offline {w}, live has none"));
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                diff(&format!("{path}[{i}]"), v, w, out);
            }
        }
        _ if a != b => out.push(format!("{path}: live {a}, offline {b}")),
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn snapshot_round_trip_matches_live() {
    let moto = Moto::start();
    let sdk = moto.sdk();
    let s = scenario(&sdk).await;
    let dir = TempDir::new("offline");
    let file = dir.path().join("account.json");
    snapshot(&moto, &file);
    let exported: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    // The CLI's format: documents as objects, not percent-encoded strings.
    assert!(
        exported["RoleDetailList"][0]["AssumeRolePolicyDocument"].is_object(),
        "{exported}"
    );
    assert!(exported["SnapshotTime"].is_string());

    let live = Server::start(&moto, &["--toolsets", "all"]).await;
    let offline = Server::start_env(
        &[
            "--toolsets",
            "all",
            "--account-file",
            file.to_str().unwrap(),
        ],
        no_aws_env(),
    )
    .await;
    let info = offline.client.peer_info().unwrap();
    let instructions = info.instructions.clone().unwrap_or_default();
    assert!(
        instructions.contains("snapshot of AWS account 123456789012 taken at"),
        "{instructions}"
    );
    assert!(
        instructions.contains(exported["SnapshotTime"].as_str().unwrap()),
        "{instructions}"
    );

    let offered = offline.tool_names().await;
    let live_tools = live.client.list_all_tools().await.unwrap();
    for name in &offered {
        let tool = live_tools.iter().find(|t| t.name == name.as_str()).unwrap();
        assert_eq!(
            tool.annotations.as_ref().and_then(|a| a.read_only_hint),
            Some(true),
            "{name} is offered offline but is not a read tool"
        );
    }
    for absent in [
        "list_access_keys",
        "get_credential_report",
        "get_login_profile",
        "list_mfa_devices",
        "get_account_password_policy",
        "list_inactive_users",
        "create_user",
        "delete_role",
    ] {
        assert!(
            !offered.iter().any(|t| t == absent),
            "{absent} must not be offered offline: {offered:?}"
        );
    }

    let policy_arn = s.s3_read.as_str();
    let cases: Vec<(&str, Value)> = vec![
        ("list_users", json!({})),
        ("list_users", json!({"path_prefix": "/eng/"})),
        ("get_user", json!({"user_name": "alice"})),
        ("get_user", json!({"user_name": "bob"})),
        ("list_groups_for_user", json!({"user_name": "alice"})),
        ("list_attached_user_policies", json!({"user_name": "carol"})),
        (
            "get_user_policy",
            json!({"user_name": "alice", "policy_name": "alice-iam"}),
        ),
        ("list_user_policies", json!({"user_name": "alice"})),
        ("list_groups", json!({})),
        ("get_group", json!({"group_name": "devs"})),
        ("get_group", json!({"group_name": "empty"})),
        (
            "list_attached_group_policies",
            json!({"group_name": "devs"}),
        ),
        (
            "get_group_policy",
            json!({"group_name": "devs", "policy_name": "devs-sqs"}),
        ),
        ("list_group_policies", json!({"group_name": "devs"})),
        ("list_roles", json!({})),
        ("list_roles", json!({"path_prefix": "/service/"})),
        ("get_role", json!({"role_name": "app-role"})),
        ("get_role", json!({"role_name": "batch-role"})),
        (
            "list_attached_role_policies",
            json!({"role_name": "app-role"}),
        ),
        (
            "get_role_policy",
            json!({"role_name": "app-role", "policy_name": "app-queue"}),
        ),
        ("list_role_policies", json!({"role_name": "app-role"})),
        ("list_policies", json!({"scope": "Local"})),
        (
            "list_policies",
            json!({"scope": "Local", "only_attached": true}),
        ),
        (
            "list_policies",
            json!({"scope": "Local", "path_prefix": "/data/"}),
        ),
        ("get_policy", json!({"policy_arn": policy_arn})),
        ("get_policy_document", json!({"policy_arn": policy_arn})),
        (
            "get_policy_document",
            json!({"policy_arn": policy_arn, "version_id": "v1"}),
        ),
        ("list_policy_versions", json!({"policy_arn": policy_arn})),
        (
            "list_entities_for_policy",
            json!({"policy_arn": policy_arn}),
        ),
        (
            "list_entities_for_policy",
            json!({"policy_arn": s.deny_iam}),
        ),
        ("list_user_tags", json!({"user_name": "alice"})),
        ("list_role_tags", json!({"role_name": "app-role"})),
        ("list_policy_tags", json!({"policy_arn": policy_arn})),
        ("list_instance_profiles", json!({})),
        (
            "list_instance_profiles_for_role",
            json!({"role_name": "batch-role"}),
        ),
        (
            "get_instance_profile",
            json!({"instance_profile_name": "batch-profile"}),
        ),
        ("get_account_authorization_details", json!({})),
        (
            "get_account_authorization_details",
            json!({"filter": ["Role", "LocalManagedPolicy"]}),
        ),
        (
            "simulate_principal_policy",
            json!({"policy_source_arn": "arn:aws:iam::123456789012:user/eng/alice", "action_names": ["s3:GetObject"], "evaluator": "local"}),
        ),
        (
            "validate_policy",
            json!({"policy_document": allow(&["s3:GetObject"], "*")}),
        ),
        (
            "expand_actions",
            json!({"action_patterns": ["iam:Get*"], "max_actions": 3}),
        ),
        (
            "simulate_custom_policy",
            json!({"policy_input_list": [allow(&["s3:GetObject"], "*")], "action_names": ["s3:GetObject", "s3:PutObject"]}),
        ),
        (
            "who_can",
            json!({"action": "s3:GetObject", "resource": "arn:aws:s3:::data/x"}),
        ),
        (
            "get_effective_permissions",
            json!({"principal_arn": "arn:aws:iam::123456789012:user/eng/alice"}),
        ),
        ("find_escalation_paths", json!({})),
        (
            "preview_access_change",
            json!({"tool": "attach_user_policy", "arguments": {"user_name": "bob", "policy_arn": policy_arn}}),
        ),
    ];
    for name in &offered {
        assert!(
            cases.iter().any(|(t, _)| t == name),
            "{name} is offered offline but this test has no case for it"
        );
    }
    let mut problems = Vec::new();
    for (tool, args) in &cases {
        assert!(
            offered.iter().any(|t| t == tool),
            "{tool} should be offered offline: {offered:?}"
        );
        let mut a = live.ok(tool, args.clone()).await;
        let mut b = offline.ok(tool, args.clone()).await;
        // get_user: access keys are not in a snapshot; offline says so in the Note.
        if *tool == "get_user" {
            assert!(
                b["Note"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("AccessKeys is not known offline"),
                "{b}"
            );
            b.as_object_mut().unwrap().remove("Note");
            a.as_object_mut().unwrap().remove("Note");
        }
        // The model's time: when it was read live, when the snapshot was taken offline.
        for v in [&mut a, &mut b] {
            if let Some(o) = v.as_object_mut() {
                o.remove("LoadedAt");
            }
        }
        if *tool == "list_policy_versions" {
            for v in a["Versions"].as_array_mut().unwrap() {
                v.as_object_mut().unwrap().remove("Document");
            }
        }
        if *tool == "get_account_authorization_details" {
            for v in [&mut a, &mut b] {
                for p in v["Policies"].as_array_mut().unwrap() {
                    p.as_object_mut().unwrap().remove("PolicyName");
                    p.as_object_mut().unwrap().remove("PolicyId");
                }
            }
        }
        sort_entities(&mut a);
        sort_entities(&mut b);
        let top_list = tool.starts_with("list_") || *tool == "get_group";
        moto_gaps(&mut a, false);
        moto_gaps(&mut b, false);
        if top_list {
            for v in [&mut a, &mut b] {
                for key in ["Users", "Roles"] {
                    for item in v
                        .get_mut(key)
                        .and_then(Value::as_array_mut)
                        .into_iter()
                        .flatten()
                    {
                        moto_gaps(item, true);
                    }
                }
            }
        }
        let mut found = Vec::new();
        diff(tool, &a, &b, &mut found);
        if !found.is_empty() {
            problems.push(format!("{tool}({args}):\n  {}", found.join("\n  ")));
        }
    }
    assert!(
        problems.is_empty(),
        "offline differs from live:\n{}",
        problems.join("\n")
    );

    // Pagination behaves as live: every page of 1, then all_pages.
    let mut marker: Option<String> = None;
    let mut seen = Vec::new();
    loop {
        let mut args = json!({"max_items": 1});
        if let Some(m) = &marker {
            args["marker"] = json!(m);
        }
        let page = offline.ok("list_users", args).await;
        assert_eq!(page["Users"].as_array().unwrap().len(), 1, "{page}");
        seen.push(page["Users"][0]["UserName"].as_str().unwrap().to_string());
        if page["IsTruncated"] == true {
            marker = Some(page["Marker"].as_str().unwrap().to_string());
        } else {
            assert!(page.get("Marker").is_none(), "{page}");
            break;
        }
    }
    assert_eq!(seen, ["alice", "bob", "carol"]);
    let all = offline
        .ok("list_roles", json!({"all_pages": true, "max_items": 1}))
        .await;
    assert_eq!(all["Roles"].as_array().unwrap().len(), 2, "{all}");
    assert_eq!(all["IsTruncated"], false);

    // Not found reads as live.
    let live_err = live.err("get_user", json!({"user_name": "nobody"})).await;
    let offline_err = offline
        .err("get_user", json!({"user_name": "nobody"}))
        .await;
    assert!(
        offline_err.starts_with("User 'nobody' not found in account 123456789012."),
        "{offline_err}"
    );
    assert_eq!(live_err.lines().next(), offline_err.lines().next());
    // AWS's simulator and writes are out of reach offline, with a clear message.
    let aws = offline
        .err("simulate_principal_policy", json!({"policy_source_arn": "arn:aws:iam::123456789012:user/eng/alice", "action_names": ["s3:GetObject"], "evaluator": "aws"}))
        .await;
    assert!(
        aws.contains("account file") && aws.contains("local"),
        "{aws}"
    );
    let write = offline
        .err("create_user", json!({"user_name": "mallory"}))
        .await;
    assert!(write.contains("account file"), "{write}");
    let _ = s.boundary;

    live.stop().await;
    let stderr = offline.stop().await;
    assert!(
        !stderr.contains("aws call"),
        "offline mode sent AWS calls:\n{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn local_simulation_offline_matches_live() {
    let moto = Moto::start();
    let sdk = moto.sdk();
    scenario(&sdk).await;
    let dir = TempDir::new("offline-sim");
    let file = dir.path().join("account.json");
    snapshot(&moto, &file);
    let live = Server::start(&moto, &[]).await;
    let offline =
        Server::start_env(&["--account-file", file.to_str().unwrap()], no_aws_env()).await;
    let actions = json!([
        "s3:GetObject",
        "s3:ListBucket",
        "s3:PutObject",
        "sqs:SendMessage",
        "sqs:ReceiveMessage",
        "iam:CreateUser",
        "iam:GetUser",
        "iam:DeleteRole",
        "ec2:RunInstances"
    ]);
    for principal in [
        "user/eng/alice",
        "user/eng/bob",
        "user/carol",
        "role/service/app-role",
        "role/batch-role",
        "group/eng/devs",
    ] {
        let arn = format!("arn:aws:iam::123456789012:{principal}");
        let args = json!({"policy_source_arn": arn, "action_names": actions, "resource_arns": ["*", "arn:aws:sqs:us-east-1:123456789012:jobs"], "evaluator": "local"});
        let a = live.ok("simulate_principal_policy", args.clone()).await;
        // Offline the local engine is the default evaluator.
        let mut offline_args = args.clone();
        offline_args.as_object_mut().unwrap().remove("evaluator");
        let b = offline.ok("simulate_principal_policy", offline_args).await;
        assert_eq!(b["Evaluator"], "local");
        let decisions = |v: &Value| -> Vec<(String, String, String)> {
            v["EvaluationResults"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    (
                        r["EvalActionName"].as_str().unwrap().into(),
                        r["EvalResourceName"].as_str().unwrap().into(),
                        r["EvalDecision"].as_str().unwrap().into(),
                    )
                })
                .collect()
        };
        assert_eq!(decisions(&a), decisions(&b), "{principal}");
        assert_eq!(
            a["EvaluationResults"], b["EvaluationResults"],
            "{principal}: matched statements and explanations"
        );
        assert_eq!(
            a["EvaluatedPolicies"], b["EvaluatedPolicies"],
            "{principal}"
        );
    }
    // The scenario's grants decide as expected, so the comparison is not vacuous.
    let alice = offline
        .ok("simulate_principal_policy", json!({"policy_source_arn": "arn:aws:iam::123456789012:user/eng/alice", "action_names": ["s3:ListBucket", "iam:CreateUser", "ec2:RunInstances"]}))
        .await;
    let d: Vec<&str> = alice["EvaluationResults"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["EvalDecision"].as_str().unwrap())
        .collect();
    assert_eq!(d, ["allowed", "explicitDeny", "implicitDeny"], "{alice}");
    live.stop().await;
    offline.stop().await;
}

/// Starting with `file` fails: exit code 2 before any MCP answer, with this in stderr.
fn fails_at_start(file: &Path, expected: &[&str]) {
    let out = cleared(&["--account-file", file.to_str().unwrap()])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{}: {stderr}", file.display());
    assert!(
        out.stdout.is_empty(),
        "a half-started server wrote to stdout"
    );
    for e in expected {
        assert!(stderr.contains(e), "expected {e:?} in: {stderr}");
    }
}

fn demo_path() -> PathBuf {
    common::workspace().join("examples/demo-account.json")
}

#[test]
fn malformed_files_fail_at_start() {
    let dir = TempDir::new("offline-bad");
    let demo = std::fs::read_to_string(demo_path()).unwrap();

    let truncated = dir.path().join("truncated.json");
    std::fs::write(&truncated, &demo[..demo.len() / 2]).unwrap();
    fails_at_start(
        &truncated,
        &["truncated.json", "truncated", "line ", "column "],
    );

    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, demo.replacen("\"UserName\"", "\"UserName\" \"", 1)).unwrap();
    fails_at_start(&broken, &["not valid JSON at line 5 column"]);

    let mut v: Value = serde_json::from_str(&demo).unwrap();
    let user = v["UserDetailList"][1]["UserName"]
        .as_str()
        .unwrap()
        .to_string();
    v["UserDetailList"][1]["CreateDate"] = json!(20210201);
    let wrong_type = dir.path().join("wrong-type.json");
    std::fs::write(&wrong_type, v.to_string()).unwrap();
    fails_at_start(
        &wrong_type,
        &[&format!(
            "UserDetailList[1] (user {user}).CreateDate: expected a string, found number 20210201"
        )],
    );

    let mut v: Value = serde_json::from_str(&demo).unwrap();
    v["RoleDetailList"][0]["Tags"] = json!({"Key": "a"});
    let role = v["RoleDetailList"][0]["RoleName"]
        .as_str()
        .unwrap()
        .to_string();
    let wrong_list = dir.path().join("wrong-list.json");
    std::fs::write(&wrong_list, v.to_string()).unwrap();
    fails_at_start(
        &wrong_list,
        &[&format!(
            "RoleDetailList[0] (role {role}).Tags: expected a list, found an object"
        )],
    );

    let mut v: Value = serde_json::from_str(&demo).unwrap();
    let policies = v["Policies"].as_array_mut().unwrap();
    let i = policies
        .iter()
        .position(|p| p["PolicyName"] == "AdministratorAccess")
        .unwrap();
    policies.remove(i);
    let undefined = dir.path().join("undefined.json");
    std::fs::write(&undefined, v.to_string()).unwrap();
    fails_at_start(
        &undefined,
        &["policy arn:aws:iam::aws:policy/AdministratorAccess, which is not defined in Policies"],
    );

    let mut v: Value = serde_json::from_str(&demo).unwrap();
    v["GroupDetailList"] = json!([]);
    let no_group = dir.path().join("no-group.json");
    std::fs::write(&no_group, v.to_string()).unwrap();
    fails_at_start(&no_group, &["which is not defined in GroupDetailList"]);

    let not_export = dir.path().join("other.json");
    std::fs::write(&not_export, r#"{"Users": []}"#).unwrap();
    fails_at_start(
        &not_export,
        &["not an export of `aws iam get-account-authorization-details`"],
    );

    fails_at_start(
        &dir.path().join("missing.json"),
        &["cannot read the account file"],
    );
}

/// The README's client args for the demo (`"args": ["--from", "iam-mcp-server-rs",
/// "iam-mcp-server", "--demo"]`: uvx's package and command, then the server's flags): the
/// server's flags.
fn readme_demo_args() -> Vec<String> {
    let readme = std::fs::read_to_string(common::workspace().join("README.md")).unwrap();
    let label = "\"args\": ";
    let at = readme
        .find(&format!(
            "{label}[\"--from\", \"iam-mcp-server-rs\", \"iam-mcp-server\", \"--demo\""
        ))
        .expect("the README shows the client args that serve the demo account");
    let list = &readme[at + label.len()..];
    let args: Vec<String> = serde_json::from_str(&list[..=list.find(']').unwrap()]).unwrap();
    let command = args.iter().position(|a| a == "iam-mcp-server").unwrap();
    args[command + 1..].to_vec()
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_account_serves_with_no_aws_configuration() {
    let args = readme_demo_args();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let server = Server::start_env(&args, no_aws_env()).await;
    let tools = server.tool_names().await;
    for t in [
        "get_user",
        "list_roles",
        "simulate_principal_policy",
        "get_role",
        "list_policies",
    ] {
        assert!(tools.iter().any(|n| n == t), "{t} not offered: {tools:?}");
    }
    let instructions = server.instructions();
    assert!(
        instructions.contains("snapshot of AWS account 111122223333"),
        "{instructions}"
    );

    let user = server
        .ok("get_user", json!({"user_name": "ben.okafor"}))
        .await;
    assert_eq!(user["User"]["UserName"], "ben.okafor");
    assert_eq!(user["Groups"][0]["GroupName"], "Engineers");
    assert!(
        user["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"]
            .as_str()
            .unwrap()
            .ends_with("NorthwindDeveloperBoundary")
    );
    let roles = server.ok("list_roles", json!({"all_pages": true})).await;
    assert_eq!(roles["Roles"].as_array().unwrap().len(), 15);
    assert!(roles["Roles"][0]["AssumeRolePolicyDocument"]["Statement"].is_array());
    let sim = server
        .ok(
            "simulate_principal_policy",
            json!({"policy_source_arn": "arn:aws:iam::111122223333:user/admin/breakglass-admin", "action_names": ["iam:CreateUser", "s3:GetObject"]}),
        )
        .await;
    assert_eq!(sim["Evaluator"], "local");
    assert!(
        sim["EvaluationResults"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["EvalDecision"] == "allowed"),
        "{sim}"
    );
    // The demo's escalation story: the CI policy may create versions of itself.
    let paths = server.ok("find_escalation_paths", json!({})).await;
    let from: Vec<&str> = paths["Paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["From"].as_str().unwrap())
        .collect();
    assert_eq!(
        from,
        [
            "arn:aws:iam::111122223333:user/automation/ci-github-legacy",
            "arn:aws:iam::111122223333:role/automation/github-actions-deploy"
        ],
        "{paths}"
    );
    assert_eq!(
        paths["Paths"][0]["Steps"][0]["Action"],
        "iam:CreatePolicyVersion"
    );
    assert_eq!(paths["Admins"].as_array().unwrap().len(), 3);
    let stderr = server.stop().await;
    assert!(!stderr.contains("aws call"), "{stderr}");

    // One-shot from the shell.
    let out = cleared(&[
        "call",
        "get_user",
        r#"{"user_name":"ben.okafor"}"#,
        "--account-file",
        demo_path().to_str().unwrap(),
    ])
    .envs(no_aws_env())
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        printed["User"]["Arn"],
        "arn:aws:iam::111122223333:user/engineering/ben.okafor"
    );
    // A failing call: the message on stderr, exit code 1.
    let out = cleared(&[
        "call",
        "get_user",
        r#"{"user_name":"nobody"}"#,
        "--account-file",
        demo_path().to_str().unwrap(),
    ])
    .envs(no_aws_env())
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("User 'nobody' not found in account 111122223333.")
    );
    assert!(out.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn call_works_live_and_refuses_unconfirmed_writes() {
    let moto = Moto::start();
    moto.sdk()
        .create_user()
        .user_name("dave")
        .send()
        .await
        .unwrap();
    let env = server_env(Some(&moto.endpoint()));
    let out = cleared(&["call", "get_user", r#"{"user_name":"dave"}"#])
        .envs(env.clone())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed["User"]["UserName"], "dave");

    let out = cleared(&[
        "call",
        "create_user",
        r#"{"user_name":"erin"}"#,
        "--allow-write",
    ])
    .envs(env.clone())
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--consent none"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = cleared(&[
        "call",
        "create_user",
        r#"{"user_name":"erin"}"#,
        "--allow-write",
        "--consent",
        "none",
    ])
    .envs(env)
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    moto.sdk()
        .get_user()
        .user_name("erin")
        .send()
        .await
        .unwrap();
}
