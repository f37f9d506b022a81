//! Guardrails, on by default: each rule refuses what it should (before AWS sees the write,
//! checked with an independent read), lets the rest through, and its flag relaxes it.

use crate::common;

use common::{Moto, Server, allow, check_actions_are_declared, create_policy, server_env, trust};
use serde_json::{Value, json};

const WRITE: &[&str] = &["--allow-write", "--toolsets", "all"];

fn args(extra: &[&'static str]) -> Vec<&'static str> {
    WRITE.iter().chain(extra).copied().collect()
}

fn doc(statement: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": [statement]})
}

/// The refusal names the guardrail, says nothing changed and names the flag that relaxes it.
fn assert_refused(text: &str, rule: &str, flag: &str) {
    assert!(
        text.contains(&format!("was refused by the `{rule}` guardrail")),
        "{text}"
    );
    assert!(text.contains("Nothing was changed."), "{text}");
    assert!(
        text.contains(&format!("restart the server with {flag}")),
        "{text}"
    );
}

async fn attached_to_user(sdk: &aws_sdk_iam::Client, user: &str) -> Vec<String> {
    let out = sdk
        .list_attached_user_policies()
        .user_name(user)
        .send()
        .await
        .unwrap();
    out.attached_policies()
        .iter()
        .filter_map(|p| p.policy_arn().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn privileged_policies_are_not_attached_unless_allowed() {
    let moto = Moto::start_with(&[("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")]);
    let sdk = moto.sdk();
    sdk.create_user().user_name("alice").send().await.unwrap();
    sdk.create_group().group_name("ops").send().await.unwrap();
    sdk.create_role()
        .role_name("app")
        .assume_role_policy_document(trust("ec2.amazonaws.com").to_string())
        .send()
        .await
        .unwrap();
    let admin = "arn:aws:iam::aws:policy/AdministratorAccess";

    let server = Server::start(&moto, WRITE).await;
    assert!(server.instructions().contains("Guardrails refuse attaching privileged policies (AdministratorAccess, IAMFullAccess, PowerUserAccess by default, or any policy that grants admin-equivalent access) and adding users to groups that hold them, identity policies allowing every action of a service on every resource, or a privilege escalation"), "{}", server.instructions());
    assert!(server.instructions().contains("trust policies with Principal * or any other way of letting any account, service or federated identity assume a role, changes that would cut the server's own access, changes to service-linked roles"), "{}", server.instructions());
    let cases = [
        (
            "attach_user_policy",
            json!({"user_name": "alice", "policy_arn": admin}),
            "AdministratorAccess",
        ),
        (
            "attach_group_policy",
            json!({"group_name": "ops", "policy_arn": "arn:aws:iam::aws:policy/IAMFullAccess"}),
            "IAMFullAccess",
        ),
        (
            "attach_role_policy",
            json!({"role_name": "app", "policy_arn": "arn:aws:iam::aws:policy/PowerUserAccess"}),
            "PowerUserAccess",
        ),
        // Any partition.
        (
            "attach_user_policy",
            json!({"user_name": "alice", "policy_arn": "arn:aws-us-gov:iam::aws:policy/AdministratorAccess"}),
            "AdministratorAccess",
        ),
    ];
    for (tool, arguments, entry) in cases {
        let text = server.err(tool, arguments).await;
        assert_refused(&text, "privileged_policies", "--allow-privileged-policies");
        assert!(
            text.contains(&format!(
                "on the server's list of privileged policies ({entry}): it grants (nearly) full control of the account"
            )),
            "{text}"
        );
    }
    // A policy of the built-in list says why it is refused: what it grants.
    let text = server
        .err(
            "attach_user_policy",
            json!({"user_name": "alice", "policy_arn": admin}),
        )
        .await;
    assert_eq!(
        text,
        "attach_user_policy was refused by the `privileged_policies` guardrail: it would attach arn:aws:iam::aws:policy/AdministratorAccess, which is on the server's list of privileged policies (AdministratorAccess): it grants (nearly) full control of the account, or of IAM and so of everything. Nothing was changed.\n\
         What to do: Attach a policy with only the permissions needed (least privilege). The deny list is set with --privileged-policies. If this change is really intended, the user can restart the server with --allow-privileged-policies to relax this guardrail."
    );
    // Narrower policies go through.
    server
        .ok(
            "attach_user_policy",
            json!({"user_name": "alice", "policy_arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}),
        )
        .await;
    let stderr = server.stop().await;
    assert!(
        !stderr.contains("action=iam:AttachGroupPolicy")
            && !stderr.contains("action=iam:AttachRolePolicy"),
        "a refused attach reached AWS"
    );
    assert_eq!(
        attached_to_user(&sdk, "alice").await,
        vec!["arn:aws:iam::aws:policy/ReadOnlyAccess"]
    );
    assert!(
        sdk.list_attached_group_policies()
            .group_name("ops")
            .send()
            .await
            .unwrap()
            .attached_policies()
            .is_empty()
    );
    assert!(
        sdk.list_attached_role_policies()
            .role_name("app")
            .send()
            .await
            .unwrap()
            .attached_policies()
            .is_empty()
    );

    // A configured list replaces the default one.
    let server = Server::start(
        &moto,
        &args(&[
            "--privileged-policies",
            "ReadOnlyAccess,arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
        ]),
    )
    .await;
    let text = server
        .err(
            "attach_group_policy",
            json!({"group_name": "ops", "policy_arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}),
        )
        .await;
    assert_refused(&text, "privileged_policies", "--allow-privileged-policies");
    // A policy the operator listed is refused because it is listed, not for what it grants:
    // the refusal says so, names the setting and how to proceed.
    assert_eq!(
        text,
        "attach_group_policy was refused by the `privileged_policies` guardrail: it would attach arn:aws:iam::aws:policy/ReadOnlyAccess, which the operator listed as privileged (ReadOnlyAccess, in IAM_MCP_PRIVILEGED_POLICIES or --privileged-policies). Nothing was changed.\n\
         What to do: The operator chose to treat this policy as privileged: attach one that is not on that list, or the user can restart the server with it removed from IAM_MCP_PRIVILEGED_POLICIES (--privileged-policies). If this change is really intended, the user can restart the server with --allow-privileged-policies to relax this guardrail."
    );
    assert!(!text.contains("full control"), "{text}");
    let text = server.err("attach_group_policy", json!({"group_name": "ops", "policy_arn": "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"})).await;
    assert!(
        text.contains("the operator listed as privileged (arn:aws:iam::aws:policy/job-function/ViewOnlyAccess, in IAM_MCP_PRIVILEGED_POLICIES"),
        "{text}"
    );
    // Joining a group that holds a listed policy: the same reason.
    sdk.create_group()
        .group_name("viewers")
        .send()
        .await
        .unwrap();
    sdk.attach_group_policy()
        .group_name("viewers")
        .policy_arn("arn:aws:iam::aws:policy/ReadOnlyAccess")
        .send()
        .await
        .unwrap();
    let text = server
        .err(
            "add_user_to_group",
            json!({"group_name": "viewers", "user_name": "alice"}),
        )
        .await;
    assert_refused(&text, "privileged_policies", "--allow-privileged-policies");
    assert!(
        text.contains("it would add a user to group 'viewers', whose policy arn:aws:iam::aws:policy/ReadOnlyAccess is one the operator listed as privileged (ReadOnlyAccess, in IAM_MCP_PRIVILEGED_POLICIES or --privileged-policies)"),
        "{text}"
    );
    assert!(!text.contains("full control"), "{text}");
    // Off the list by name, a policy is still judged by what it grants.
    let text = server
        .err(
            "attach_group_policy",
            json!({"group_name": "ops", "policy_arn": "arn:aws:iam::aws:policy/IAMFullAccess"}),
        )
        .await;
    assert_refused(&text, "privileged_policies", "--allow-privileged-policies");
    assert!(
        text.contains("whose version in effect allows every action of iam on every resource"),
        "{text}"
    );
    server.ok("attach_group_policy", json!({"group_name": "ops", "policy_arn": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"})).await;
    server.stop().await;

    // The flag relaxes the rule.
    let server = Server::start(&moto, &args(&["--allow-privileged-policies"])).await;
    assert!(
        !server.instructions().contains("privileged policies")
            && server
                .instructions()
                .contains("Guardrails refuse identity policies"),
        "{}",
        server.instructions()
    );
    server
        .ok(
            "attach_user_policy",
            json!({"user_name": "alice", "policy_arn": admin}),
        )
        .await;
    server.stop().await;
    assert!(
        attached_to_user(&sdk, "alice")
            .await
            .contains(&admin.to_string())
    );
}

#[tokio::test]
async fn broad_allow_and_public_trust_documents_are_refused_unless_allowed() {
    let moto = Moto::start();
    let sdk = moto.sdk();
    sdk.create_user().user_name("u").send().await.unwrap();
    sdk.create_group().group_name("g").send().await.unwrap();
    sdk.create_role()
        .role_name("r")
        .assume_role_policy_document(trust("ec2.amazonaws.com").to_string())
        .send()
        .await
        .unwrap();
    let arn = create_policy(&sdk, "p").await;

    let identity_tools = [
        (
            "put_user_policy",
            json!({"user_name": "u", "policy_name": "wide"}),
        ),
        (
            "put_group_policy",
            json!({"group_name": "g", "policy_name": "wide"}),
        ),
        (
            "put_role_policy",
            json!({"role_name": "r", "policy_name": "wide"}),
        ),
        ("create_policy", json!({"policy_name": "wide"})),
        ("create_policy_version", json!({"policy_arn": arn})),
    ];
    let broad = [
        (
            allow("*"),
            "Statement[0]: allows every action of every service on every resource",
        ),
        (
            allow("s3:*"),
            "Statement[0]: allows every action of s3 on every resource",
        ),
        (
            doc(
                json!({"Effect": "Allow", "Action": ["s3:GetObject", "iam:*"], "Resource": ["arn:aws:s3:::b", "*"]}),
            ),
            "Statement[0]: allows every action of iam on every resource",
        ),
    ];
    let public =
        doc(json!({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}));
    let trust_tools = [
        (
            "create_role",
            json!({"role_name": "open", "assume_role_policy_document": public}),
        ),
        (
            "update_assume_role_policy",
            json!({"role_name": "r", "policy_document": public}),
        ),
        (
            "create_role",
            json!({"role_name": "open", "assume_role_policy_document": doc(json!({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}))}),
        ),
    ];

    let server = Server::start(&moto, WRITE).await;
    for (tool, base) in &identity_tools {
        for (document, expected) in &broad {
            let mut arguments = base.clone();
            arguments["policy_document"] = document.clone();
            let text = server.err(tool, arguments).await;
            assert_refused(&text, "broad_allow", "--allow-broad-policies");
            assert!(
                text.contains(&format!("policy_document: {expected}")),
                "{tool}: {text}"
            );
        }
        // Service-wide on named resources, or named actions on "*": allowed (with warnings).
        let mut arguments = base.clone();
        arguments["policy_document"] =
            doc(json!({"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::reports/*"}));
        if *tool == "create_policy" {
            arguments["policy_name"] = json!("scoped");
        }
        let out = server.ok(tool, arguments).await;
        assert!(
            out["Message"]
                .as_str()
                .unwrap()
                .contains("\"s3:*\" allows every action of s3"),
            "{out}"
        );
    }
    for (tool, arguments) in &trust_tools {
        let text = server.err(tool, arguments.clone()).await;
        assert_refused(&text, "public_trust", "--allow-public-trust");
        assert!(
            text.contains(
                "Statement[0].Principal: lets any AWS account assume the role (sts:AssumeRole)"
            ),
            "{text}"
        );
    }
    let stderr = server.stop().await;
    assert!(
        !stderr.contains("action=iam:UpdateAssumeRolePolicy"),
        "a refused trust policy reached AWS"
    );
    assert!(
        sdk.get_role().role_name("open").send().await.is_err(),
        "the open role was not created"
    );
    assert!(
        sdk.list_user_policies()
            .user_name("u")
            .send()
            .await
            .unwrap()
            .policy_names()
            == ["wide"]
    );
    let kept = sdk
        .get_user_policy()
        .user_name("u")
        .policy_name("wide")
        .send()
        .await
        .unwrap();
    assert!(
        kept.policy_document().contains("reports"),
        "the scoped document is the one stored"
    );

    // Each flag relaxes its own rule only.
    let server = Server::start(&moto, &args(&["--allow-broad-policies"])).await;
    let out = server
        .ok(
            "put_user_policy",
            json!({"user_name": "u", "policy_name": "admin", "policy_document": allow("*")}),
        )
        .await;
    assert!(
        out["Message"]
            .as_str()
            .unwrap()
            .contains("\"*\" allows every action of every service"),
        "still warned: {out}"
    );
    let text = server.err("create_role", trust_tools[0].1.clone()).await;
    assert_refused(&text, "public_trust", "--allow-public-trust");
    server.stop().await;
    sdk.get_user_policy()
        .user_name("u")
        .policy_name("admin")
        .send()
        .await
        .expect("written with --allow-broad-policies");

    let server = Server::start(&moto, &args(&["--allow-public-trust"])).await;
    server.ok("create_role", trust_tools[0].1.clone()).await;
    let text = server
        .err(
            "put_role_policy",
            json!({"role_name": "r", "policy_name": "x", "policy_document": allow("*")}),
        )
        .await;
    assert_refused(&text, "broad_allow", "--allow-broad-policies");
    server.stop().await;
    sdk.get_role()
        .role_name("open")
        .send()
        .await
        .expect("created with --allow-public-trust");
}

/// The server's own user in moto: a user with an access key, IAM rights from a managed
/// policy, an inline policy and a group.
struct Me {
    key: String,
    secret: String,
    iam_admin: String,
    s3_read: String,
    deny_iam: String,
}

/// A policy denying `action` on every resource.
fn deny(action: &str) -> Value {
    doc(json!({"Effect": "Deny", "Action": action, "Resource": "*"}))
}

async fn set_up_me(sdk: &aws_sdk_iam::Client) -> Me {
    sdk.create_user()
        .user_name("mcp-server")
        .send()
        .await
        .unwrap();
    let key = sdk
        .create_access_key()
        .user_name("mcp-server")
        .send()
        .await
        .unwrap()
        .access_key
        .unwrap();
    let iam_admin = sdk
        .create_policy()
        .policy_name("iam-admin")
        .policy_document(allow("iam:*").to_string())
        .send()
        .await
        .unwrap()
        .policy
        .unwrap()
        .arn
        .unwrap();
    let s3_read = create_policy(sdk, "s3-read").await;
    for arn in [&iam_admin, &s3_read] {
        sdk.attach_user_policy()
            .user_name("mcp-server")
            .policy_arn(arn)
            .send()
            .await
            .unwrap();
    }
    sdk.put_user_policy()
        .user_name("mcp-server")
        .policy_name("iam-list")
        .policy_document(allow("iam:List*").to_string())
        .send()
        .await
        .unwrap();
    sdk.put_user_policy()
        .user_name("mcp-server")
        .policy_name("s3-inline")
        .policy_document(allow("s3:GetObject").to_string())
        .send()
        .await
        .unwrap();
    for (group, action) in [("admins", "iam:*"), ("readers", "s3:GetObject")] {
        sdk.create_group().group_name(group).send().await.unwrap();
        sdk.put_group_policy()
            .group_name(group)
            .policy_name("g")
            .policy_document(allow(action).to_string())
            .send()
            .await
            .unwrap();
        sdk.add_user_to_group()
            .group_name(group)
            .user_name("mcp-server")
            .send()
            .await
            .unwrap();
    }
    // Someone else, in the same admin group.
    sdk.create_user().user_name("bob").send().await.unwrap();
    sdk.add_user_to_group()
        .group_name("admins")
        .user_name("bob")
        .send()
        .await
        .unwrap();
    // A policy denying IAM, and a second version of iam-admin without IAM (not in effect).
    let deny_iam = sdk
        .create_policy()
        .policy_name("deny-iam")
        .policy_document(deny("iam:*").to_string())
        .send()
        .await
        .unwrap()
        .policy
        .unwrap()
        .arn
        .unwrap();
    sdk.create_policy_version()
        .policy_arn(&iam_admin)
        .policy_document(allow("s3:GetObject").to_string())
        .send()
        .await
        .unwrap();
    Me {
        key: key.access_key_id,
        secret: key.secret_access_key,
        iam_admin,
        s3_read,
        deny_iam,
    }
}

fn env_as(endpoint: &str, key: &str, secret: &str, token: Option<&str>) -> Vec<(String, String)> {
    let mut env = server_env(Some(endpoint));
    env.retain(|(k, _)| k != "AWS_ACCESS_KEY_ID" && k != "AWS_SECRET_ACCESS_KEY");
    env.push(("AWS_ACCESS_KEY_ID".into(), key.into()));
    env.push(("AWS_SECRET_ACCESS_KEY".into(), secret.into()));
    if let Some(token) = token {
        env.push(("AWS_SESSION_TOKEN".into(), token.into()));
    }
    env
}

#[tokio::test]
async fn the_server_never_cuts_its_own_access_unless_allowed() {
    let moto = Moto::start();
    let sdk = moto.sdk();
    let me = set_up_me(&sdk).await;
    // The front door answers the service-specific credentials a force delete of a user lists.
    let front = common::front::Front::start(&moto.endpoint()).await;
    let env = env_as(&front.endpoint(), &me.key, &me.secret, None);

    let server = Server::start_env(WRITE, env.clone()).await;
    let refusals = [
        (
            "delete_user",
            json!({"user_name": "mcp-server"}),
            "it would delete the server's own user 'mcp-server', whose credentials the server runs with (arn:aws:iam::123456789012:user/mcp-server)",
        ),
        (
            "delete_access_key",
            json!({"user_name": "mcp-server", "access_key_id": me.key}),
            "which the server itself signs its AWS requests with",
        ),
        (
            "update_access_key",
            json!({"user_name": "mcp-server", "access_key_id": me.key, "status": "Inactive"}),
            &format!("it would deactivate access key {}", me.key),
        ),
        (
            "detach_user_policy",
            json!({"user_name": "mcp-server", "policy_arn": me.iam_admin}),
            "that policy gives the server its IAM permissions",
        ),
        (
            "delete_user_policy",
            json!({"user_name": "mcp-server", "policy_name": "iam-list"}),
            "it would delete inline policy 'iam-list' of the server's own user 'mcp-server'",
        ),
        (
            "remove_user_from_group",
            json!({"user_name": "mcp-server", "group_name": "admins"}),
            "from group 'admins', whose policy 'g' (inline) gives the server its IAM permissions",
        ),
        (
            "delete_group_policy",
            json!({"group_name": "admins", "policy_name": "g"}),
            "of group 'admins', which the server's own user is in",
        ),
        (
            "put_user_permissions_boundary",
            json!({"user_name": "mcp-server", "permissions_boundary": me.s3_read}),
            "and that boundary allows no IAM action",
        ),
        // Force deletes check every step of their plan, dry runs included.
        (
            "delete_group",
            json!({"group_name": "admins", "force": true}),
            "a step of its plan (members: mcp-server, iam:RemoveUserFromGroup) would remove the server's own user",
        ),
        (
            "delete_group",
            json!({"group_name": "admins", "force": true, "dry_run": true}),
            "a step of its plan (members: mcp-server",
        ),
        (
            "delete_user",
            json!({"user_name": "mcp-server", "force": true}),
            "a step of its plan (access keys:",
        ),
        (
            "delete_policy",
            json!({"policy_arn": me.iam_admin, "force": true}),
            "a step of its plan (attachments to users: mcp-server, iam:DetachUserPolicy)",
        ),
        // Replacing or denying what gives it IAM permissions.
        (
            "attach_user_policy",
            json!({"user_name": "mcp-server", "policy_arn": me.deny_iam}),
            "and that policy denies IAM actions",
        ),
        (
            "attach_group_policy",
            json!({"group_name": "readers", "policy_arn": me.deny_iam}),
            "to group 'readers', which the server's own user is in, and that policy denies IAM actions",
        ),
        (
            "put_user_policy",
            json!({"user_name": "mcp-server", "policy_name": "iam-list", "policy_document": allow("s3:GetObject")}),
            "would replace inline policy 'iam-list' of the server's own user 'mcp-server', which gives the server its IAM permissions, with a document that allows no IAM action",
        ),
        (
            "put_user_policy",
            json!({"user_name": "mcp-server", "policy_name": "fence", "policy_document": deny("iam:*")}),
            "would put inline policy 'fence' on the server's own user 'mcp-server', and it denies IAM actions",
        ),
        (
            "put_group_policy",
            json!({"group_name": "admins", "policy_name": "g", "policy_document": allow("s3:GetObject")}),
            "would replace inline policy 'g' of group 'admins'",
        ),
        (
            "create_policy_version",
            json!({"policy_arn": me.iam_admin, "policy_document": allow("s3:GetObject"), "set_as_default": true}),
            "would make a document that allows no IAM action the version in effect of",
        ),
        (
            "set_default_policy_version",
            json!({"policy_arn": me.iam_admin, "version_id": "v2"}),
            "which is attached to the server's own user 'mcp-server' and gives the server its IAM permissions",
        ),
    ];
    for (tool, arguments, expected) in &refusals {
        let text = server.err(tool, arguments.clone()).await;
        assert_refused(&text, "self_lockout", "--allow-self-lockout");
        assert!(
            text.contains(expected),
            "{tool}: expected {expected:?} in {text}"
        );
    }
    // What does not cut its access goes through.
    server
        .ok(
            "detach_user_policy",
            json!({"user_name": "mcp-server", "policy_arn": me.s3_read}),
        )
        .await;
    server
        .ok(
            "delete_user_policy",
            json!({"user_name": "mcp-server", "policy_name": "s3-inline"}),
        )
        .await;
    server
        .ok(
            "remove_user_from_group",
            json!({"user_name": "mcp-server", "group_name": "readers"}),
        )
        .await;
    server
        .ok(
            "update_access_key",
            json!({"user_name": "mcp-server", "access_key_id": me.key, "status": "Active"}),
        )
        .await;
    server.ok("put_user_policy", json!({"user_name": "mcp-server", "policy_name": "iam-list", "policy_document": allow("iam:Get*")})).await;
    server.ok("create_policy_version", json!({"policy_arn": me.s3_read, "policy_document": deny("iam:*"), "set_as_default": true})).await;
    server
        .ok(
            "remove_user_from_group",
            json!({"user_name": "bob", "group_name": "admins"}),
        )
        .await;
    server
        .ok("delete_user", json!({"user_name": "bob", "force": true}))
        .await;
    check_actions_are_declared(server).await;

    // Independent reads: everything the server runs on is still there.
    let user = sdk
        .get_user()
        .user_name("mcp-server")
        .send()
        .await
        .expect("the server's user is still there");
    assert!(user.user.unwrap().permissions_boundary.is_none());
    assert_eq!(
        attached_to_user(&sdk, "mcp-server").await,
        vec![me.iam_admin.clone()]
    );
    let policy = sdk
        .get_policy()
        .policy_arn(&me.iam_admin)
        .send()
        .await
        .unwrap()
        .policy
        .unwrap();
    assert_eq!(
        policy.default_version_id(),
        Some("v1"),
        "iam-admin's version in effect is unchanged"
    );
    assert!(
        sdk.list_attached_group_policies()
            .group_name("readers")
            .send()
            .await
            .unwrap()
            .attached_policies()
            .is_empty()
    );
    assert_eq!(
        sdk.list_user_policies()
            .user_name("mcp-server")
            .send()
            .await
            .unwrap()
            .policy_names(),
        ["iam-list"]
    );
    let groups = sdk
        .list_groups_for_user()
        .user_name("mcp-server")
        .send()
        .await
        .unwrap();
    assert_eq!(
        groups
            .groups()
            .iter()
            .map(|g| g.group_name())
            .collect::<Vec<_>>(),
        ["admins"]
    );
    let keys = sdk
        .list_access_keys()
        .user_name("mcp-server")
        .send()
        .await
        .unwrap();
    assert_eq!(
        keys.access_key_metadata()[0].status().unwrap().as_str(),
        "Active"
    );
    assert!(
        sdk.get_user().user_name("bob").send().await.is_err(),
        "someone else's user was deleted"
    );

    // The flag relaxes the rule.
    let server = Server::start_env(&args(&["--allow-self-lockout"]), env).await;
    server
        .ok(
            "detach_user_policy",
            json!({"user_name": "mcp-server", "policy_arn": me.iam_admin}),
        )
        .await;
    server.stop().await;
    assert!(attached_to_user(&sdk, "mcp-server").await.is_empty());
}

#[tokio::test]
async fn a_server_running_as_a_role_keeps_its_role() {
    let moto = Moto::start();
    let sdk = moto.sdk();
    sdk.create_role()
        .role_name("deployer")
        .assume_role_policy_document(trust("ec2.amazonaws.com").to_string())
        .send()
        .await
        .unwrap();
    let iam_admin = sdk
        .create_policy()
        .policy_name("iam-admin")
        .policy_document(allow("iam:*").to_string())
        .send()
        .await
        .unwrap()
        .policy
        .unwrap()
        .arn
        .unwrap();
    sdk.attach_role_policy()
        .role_name("deployer")
        .policy_arn(&iam_admin)
        .send()
        .await
        .unwrap();
    sdk.put_role_policy()
        .role_name("deployer")
        .policy_name("inline-iam")
        .policy_document(allow("iam:Get*").to_string())
        .send()
        .await
        .unwrap();
    let sts = aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::config::Builder::new()
            .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
            .region(aws_sdk_sts::config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_sts::config::Credentials::new(
                "testing", "testing", None, None, "tests",
            ))
            .endpoint_url(moto.endpoint())
            .http_client(iam_tools::backend::http_client())
            .build(),
    );
    let session = sts
        .assume_role()
        .role_arn("arn:aws:iam::123456789012:role/deployer")
        .role_session_name("mcp")
        .send()
        .await
        .unwrap()
        .credentials
        .unwrap();
    let env = env_as(
        &moto.endpoint(),
        &session.access_key_id,
        &session.secret_access_key,
        Some(&session.session_token),
    );

    let server = Server::start_env(WRITE, env).await;
    for (tool, arguments, expected) in [
        (
            "delete_role",
            json!({"role_name": "deployer", "force": true}),
            "a step of its plan (inline policies: inline-iam, iam:DeleteRolePolicy) would delete inline policy 'inline-iam'",
        ),
        (
            "detach_role_policy",
            json!({"role_name": "deployer", "policy_arn": iam_admin}),
            "from the server's own role 'deployer', and that policy gives the server its IAM permissions",
        ),
        (
            "delete_role_policy",
            json!({"role_name": "deployer", "policy_name": "inline-iam"}),
            "it would delete inline policy 'inline-iam' of the server's own role 'deployer'",
        ),
    ] {
        let text = server.err(tool, arguments).await;
        assert_refused(&text, "self_lockout", "--allow-self-lockout");
        assert!(
            text.contains(expected),
            "{tool}: expected {expected:?} in {text}"
        );
    }
    server.stop().await;
    let attached = sdk
        .list_attached_role_policies()
        .role_name("deployer")
        .send()
        .await
        .unwrap();
    assert_eq!(
        attached.attached_policies().len(),
        1,
        "the role keeps its policy"
    );
}

#[tokio::test]
async fn service_linked_roles_are_left_alone_unless_allowed() {
    let moto = Moto::start();
    let sdk = moto.sdk();
    let slr = "AWSServiceRoleForElasticBeanstalk";
    sdk.create_role()
        .role_name(slr)
        .path("/aws-service-role/elasticbeanstalk.amazonaws.com/")
        .assume_role_policy_document(trust("elasticbeanstalk.amazonaws.com").to_string())
        .send()
        .await
        .unwrap();
    let arn = create_policy(&sdk, "p").await;

    let server = Server::start(&moto, WRITE).await;
    for (tool, arguments) in [
        ("delete_role", json!({"role_name": slr})),
        (
            "delete_role",
            json!({"role_name": slr, "force": true, "dry_run": true}),
        ),
        (
            "attach_role_policy",
            json!({"role_name": slr, "policy_arn": arn}),
        ),
        (
            "put_role_policy",
            json!({"role_name": slr, "policy_name": "x", "policy_document": allow("s3:GetObject")}),
        ),
        (
            "update_assume_role_policy",
            json!({"role_name": slr, "policy_document": trust("ec2.amazonaws.com")}),
        ),
        (
            "tag_role",
            json!({"role_name": slr, "tags": [{"Key": "k", "Value": "v"}]}),
        ),
    ] {
        let text = server.err(tool, arguments).await;
        assert_refused(
            &text,
            "service_linked_roles",
            "--allow-service-linked-roles",
        );
        assert!(text.contains(&format!("{slr} is a service-linked role (path /aws-service-role/elasticbeanstalk.amazonaws.com/)")), "{tool}: {text}");
        assert!(text.contains("iam:DeleteServiceLinkedRole"), "{text}");
    }
    // Every write is refused, however small (the owning service manages the role).
    let text = server
        .err(
            "update_role",
            json!({"role_name": slr, "max_session_duration": 43200}),
        )
        .await;
    assert_refused(
        &text,
        "service_linked_roles",
        "--allow-service-linked-roles",
    );
    check_actions_are_declared(server).await;
    assert_eq!(
        sdk.get_role()
            .role_name(slr)
            .send()
            .await
            .unwrap()
            .role
            .unwrap()
            .max_session_duration(),
        Some(3600)
    );
    let role = sdk
        .get_role()
        .role_name(slr)
        .send()
        .await
        .unwrap()
        .role
        .unwrap();
    assert_eq!(
        role.assume_role_policy_document()
            .map(|d| d.contains("elasticbeanstalk")),
        Some(true)
    );
    assert!(
        sdk.list_attached_role_policies()
            .role_name(slr)
            .send()
            .await
            .unwrap()
            .attached_policies()
            .is_empty()
    );
    assert!(
        sdk.list_role_policies()
            .role_name(slr)
            .send()
            .await
            .unwrap()
            .policy_names()
            .is_empty()
    );

    let server = Server::start(&moto, &args(&["--allow-service-linked-roles"])).await;
    server
        .ok(
            "attach_role_policy",
            json!({"role_name": slr, "policy_arn": arn}),
        )
        .await;
    server.stop().await;
    assert_eq!(
        sdk.list_attached_role_policies()
            .role_name(slr)
            .send()
            .await
            .unwrap()
            .attached_policies()
            .len(),
        1
    );
}

/// The ways around the guardrails an attacker or a careless assistant tried (each stored
/// in moto before): every one is refused by default, by effect rather than by spelling, and
/// goes through with the flag that relaxes its rule.
#[tokio::test]
async fn every_known_bypass_is_refused_by_effect_and_allowed_by_its_flag() {
    let moto = Moto::start_with(&[("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")]);
    let sdk = moto.sdk();
    sdk.create_user().user_name("u").send().await.unwrap();
    sdk.create_group().group_name("g").send().await.unwrap();
    sdk.create_role()
        .role_name("r")
        .assume_role_policy_document(trust("ec2.amazonaws.com").to_string())
        .send()
        .await
        .unwrap();
    let managed = create_policy(&sdk, "managed").await;
    // Made outside the server: a customer policy granting everything, a broad version not in
    // effect, a group holding AdministratorAccess.
    let everything = sdk
        .create_policy()
        .policy_name("everything")
        .policy_document(allow("*").to_string())
        .send()
        .await
        .unwrap()
        .policy
        .unwrap()
        .arn
        .unwrap();
    sdk.create_policy_version()
        .policy_arn(&managed)
        .policy_document(allow("*").to_string())
        .send()
        .await
        .unwrap();
    sdk.create_group()
        .group_name("admins")
        .send()
        .await
        .unwrap();
    sdk.attach_group_policy()
        .group_name("admins")
        .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
        .send()
        .await
        .unwrap();

    let broad_docs = [
        doc(json!({"Effect": "Allow", "Action": "iam:**", "Resource": "*"})),
        doc(json!({"Effect": "Allow", "Action": "iam:?*", "Resource": "*"})),
        doc(json!({"Effect": "Allow", "Action": "*", "Resource": "arn:*:*:*:*:*"})),
        doc(json!({"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::audit-logs/*"})),
    ];
    let mut cases: Vec<(&str, &str, Value)> = Vec::new();
    for (i, d) in broad_docs.iter().enumerate() {
        let name = format!("wide{i}");
        cases.push((
            "broad_allow",
            "create_policy",
            json!({"policy_name": name, "policy_document": d}),
        ));
        cases.push((
            "broad_allow",
            "create_policy_version",
            json!({"policy_arn": managed, "policy_document": d}),
        ));
        cases.push((
            "broad_allow",
            "put_user_policy",
            json!({"user_name": "u", "policy_name": name, "policy_document": d}),
        ));
        cases.push((
            "broad_allow",
            "put_group_policy",
            json!({"group_name": "g", "policy_name": name, "policy_document": d}),
        ));
        cases.push((
            "broad_allow",
            "put_role_policy",
            json!({"role_name": "r", "policy_name": name, "policy_document": d}),
        ));
    }
    cases.push((
        "privileged_policies",
        "attach_user_policy",
        json!({"user_name": "u", "policy_arn": everything}),
    ));
    cases.push((
        "broad_allow",
        "set_default_policy_version",
        json!({"policy_arn": managed, "version_id": "v2"}),
    ));
    cases.push((
        "privileged_policies",
        "add_user_to_group",
        json!({"group_name": "admins", "user_name": "u"}),
    ));
    let open = [
        json!({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::*:root"}, "Action": "sts:AssumeRole"}),
        json!({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::*:*"}, "Action": "sts:AssumeRole"}),
        json!({"Effect": "Allow", "Principal": {"AWS": "arn:*:iam::*:root"}, "Action": "sts:AssumeRole"}),
        json!({"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole"}),
        json!({"Effect": "Allow", "Principal": {"Federated": "*"}, "Action": "sts:AssumeRoleWithWebIdentity"}),
        json!({"Effect": "Allow", "Principal": {"Service": "*"}, "Action": "sts:AssumeRole"}),
        json!({"Effect": "Allow", "Principal": {"CanonicalUser": "*"}, "Action": "sts:AssumeRole"}),
    ];
    for (i, statement) in open.iter().enumerate() {
        cases.push(("public_trust", "create_role", json!({"role_name": format!("open{i}"), "assume_role_policy_document": doc(statement.clone())})));
    }

    let server = Server::start(&moto, WRITE).await;
    for (rule, tool, arguments) in &cases {
        let text = server.err(tool, arguments.clone()).await;
        assert!(
            text.contains(&format!("was refused by the `{rule}` guardrail"))
                && text.contains("Nothing was changed."),
            "{tool} {arguments}: {text}"
        );
    }
    check_actions_are_declared(server).await;
    // Independent reads: nothing of it reached IAM.
    assert!(
        sdk.list_user_policies()
            .user_name("u")
            .send()
            .await
            .unwrap()
            .policy_names()
            .is_empty()
    );
    assert!(
        sdk.list_group_policies()
            .group_name("g")
            .send()
            .await
            .unwrap()
            .policy_names()
            .is_empty()
    );
    assert!(
        sdk.list_role_policies()
            .role_name("r")
            .send()
            .await
            .unwrap()
            .policy_names()
            .is_empty()
    );
    assert!(attached_to_user(&sdk, "u").await.is_empty());
    assert!(
        sdk.list_groups_for_user()
            .user_name("u")
            .send()
            .await
            .unwrap()
            .groups()
            .is_empty()
    );
    assert_eq!(
        sdk.list_policy_versions()
            .policy_arn(&managed)
            .send()
            .await
            .unwrap()
            .versions()
            .len(),
        2
    );
    assert_eq!(
        sdk.get_policy()
            .policy_arn(&managed)
            .send()
            .await
            .unwrap()
            .policy
            .unwrap()
            .default_version_id(),
        Some("v1")
    );
    assert!(sdk.get_role().role_name("open0").send().await.is_err());

    // Each rule's flag lets its own cases through (and only those).
    for (rule, flag) in [
        ("broad_allow", "--allow-broad-policies"),
        ("privileged_policies", "--allow-privileged-policies"),
        ("public_trust", "--allow-public-trust"),
    ] {
        let server = Server::start(&moto, &args(&[flag])).await;
        for (case_rule, tool, arguments) in &cases {
            if *case_rule != rule
                || (*tool == "create_policy_version"
                    && sdk
                        .list_policy_versions()
                        .policy_arn(&managed)
                        .send()
                        .await
                        .unwrap()
                        .versions()
                        .len()
                        >= 5)
            {
                continue;
            }
            server.ok(tool, arguments.clone()).await;
        }
        server.stop().await;
    }
    assert_eq!(
        sdk.list_user_policies()
            .user_name("u")
            .send()
            .await
            .unwrap()
            .policy_names()
            .len(),
        broad_docs.len()
    );
    assert_eq!(
        sdk.list_groups_for_user()
            .user_name("u")
            .send()
            .await
            .unwrap()
            .groups()[0]
            .group_name(),
        "admins"
    );
    assert!(attached_to_user(&sdk, "u").await.contains(&everything));
    for i in 0..open.len() {
        sdk.get_role()
            .role_name(format!("open{i}"))
            .send()
            .await
            .expect("created with --allow-public-trust");
    }
}

/// Self-lockout covers group membership: the server's own user is not added to a group
/// whose policy denies IAM actions.
#[tokio::test]
async fn the_server_does_not_join_a_group_that_denies_it_iam() {
    let moto = Moto::start();
    let sdk = moto.sdk();
    let me = set_up_me(&sdk).await;
    sdk.create_group()
        .group_name("lockers")
        .send()
        .await
        .unwrap();
    sdk.attach_group_policy()
        .group_name("lockers")
        .policy_arn(&me.deny_iam)
        .send()
        .await
        .unwrap();
    let server =
        Server::start_env(WRITE, env_as(&moto.endpoint(), &me.key, &me.secret, None)).await;
    let text = server
        .err(
            "add_user_to_group",
            json!({"group_name": "lockers", "user_name": "mcp-server"}),
        )
        .await;
    assert_refused(&text, "self_lockout", "--allow-self-lockout");
    assert!(
        text.contains("group 'lockers'") && text.contains("denies IAM actions"),
        "{text}"
    );
    // Someone else may join it.
    server
        .ok(
            "add_user_to_group",
            json!({"group_name": "lockers", "user_name": "bob"}),
        )
        .await;
    server.stop().await;
    let groups = sdk
        .list_groups_for_user()
        .user_name("mcp-server")
        .send()
        .await
        .unwrap();
    assert!(!groups.groups().iter().any(|g| g.group_name() == "lockers"));
    let server = Server::start_env(
        &args(&["--allow-self-lockout"]),
        env_as(&moto.endpoint(), &me.key, &me.secret, None),
    )
    .await;
    server
        .ok(
            "add_user_to_group",
            json!({"group_name": "lockers", "user_name": "mcp-server"}),
        )
        .await;
    server.stop().await;
}

/// Generated documents, checked through validate_policy (the same findings the write tools
/// refuse on): at least 200 broad or privileged ones, built from combinations of wildcards,
/// NotAction/NotResource, arrays, conditions and letter case, are all refused; at least 200
/// harmless ones are all accepted.
#[tokio::test]
async fn generated_broad_documents_are_refused_and_harmless_ones_accepted() {
    let server = Server::start_env(&["--toolsets", "all"], server_env(None)).await;
    let conditions = [
        None,
        Some(json!({"Bool": {"aws:SecureTransport": "true"}})),
        Some(json!({"StringEquals": {"aws:RequestedRegion": "eu-west-1"}})),
    ];
    let case = |s: &str, upper: bool| {
        if upper {
            s.to_uppercase()
        } else {
            s.to_string()
        }
    };
    let mut broad: Vec<Value> = Vec::new();
    let broad_actions = [
        "*",
        "*:*",
        "iam:*",
        "iam:**",
        "iam:?*",
        "iam:*Policy*",
        "s3:*",
        "ec2:*",
        "kms:*",
        "sts:*",
        "lambda:*",
        "iam:Put*",
        "iam:Attach*",
        "iam:PassRole",
        "sts:AssumeRole",
        "iam:CreatePolicyVersion",
        "iam:Create*",
    ];
    let broad_resources = [
        json!("*"),
        json!("arn:*:*:*:*:*"),
        json!(["arn:aws:s3:::b", "*"]),
        json!("arn:aws:iam::*:*"),
    ];
    for (i, action) in broad_actions.iter().enumerate() {
        for (j, resource) in broad_resources.iter().enumerate() {
            for (k, condition) in conditions.iter().enumerate() {
                let upper = (i + j + k) % 2 == 1;
                // iam-only resource patterns cannot make a non-IAM action service-wide.
                if j == 3 && !(action.starts_with("iam") || action.starts_with('*')) {
                    continue;
                }
                let mut s = json!({"Effect": "Allow", "Action": [case(action, upper)], "Resource": resource});
                if let Some(c) = condition {
                    s["Condition"] = c.clone();
                }
                broad.push(doc(s));
            }
        }
    }
    for not_action in [
        "s3:DeleteBucket",
        "ec2:TerminateInstances",
        "iam:DeleteUser",
        "kms:ScheduleKeyDeletion",
    ] {
        for resource in [json!("*"), json!("arn:*:*:*:*:*")] {
            broad.push(doc(
                json!({"Effect": "Allow", "NotAction": not_action, "Resource": resource}),
            ));
            broad.push(doc(json!({"Effect": "Allow", "NotAction": [not_action, "s3:PutObject"], "NotResource": "arn:aws:s3:::private/*"})));
        }
    }
    let mut harmless: Vec<Value> = Vec::new();
    let narrow_actions = [
        "s3:GetObject",
        "s3:PutObject",
        "s3:List*",
        "s3:Get*",
        "dynamodb:GetItem",
        "dynamodb:Query",
        "sqs:SendMessage",
        "logs:PutLogEvents",
        "ec2:Describe*",
        "cloudwatch:PutMetricData",
        "iam:Get*",
        "iam:List*",
        "sns:Publish",
        "kms:Decrypt",
        "lambda:InvokeFunction",
    ];
    let narrow_resources = [
        json!("arn:aws:s3:::app-bucket/*"),
        json!(["arn:aws:dynamodb:us-east-1:123456789012:table/users"]),
        json!("arn:aws:sqs:us-east-1:123456789012:jobs"),
        json!("arn:aws:logs:us-east-1:123456789012:log-group:/app/*"),
        json!("arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
    ];
    for (i, action) in narrow_actions.iter().enumerate() {
        for (j, resource) in narrow_resources.iter().enumerate() {
            for (k, condition) in conditions.iter().enumerate() {
                let mut s = json!({"Effect": "Allow", "Action": case(action, (i + j + k) % 2 == 1), "Resource": resource});
                if let Some(c) = condition {
                    s["Condition"] = c.clone();
                }
                harmless.push(doc(s));
            }
        }
    }
    for action in [
        "ec2:Describe*",
        "s3:List*",
        "iam:Get*",
        "cloudwatch:Get*",
        "logs:Describe*",
    ] {
        harmless.push(doc(
            json!({"Effect": "Allow", "Action": action, "Resource": "*"}),
        ));
        harmless.push(doc(
            json!({"Effect": "Deny", "Action": "*", "Resource": "*"}),
        ));
        harmless.push(doc(json!({"Effect": "Allow", "Action": ["iam:PassRole"], "Resource": "arn:aws:iam::123456789012:role/app-runtime"})));
    }
    assert!(
        broad.len() >= 200 && harmless.len() >= 200,
        "{} broad, {} harmless",
        broad.len(),
        harmless.len()
    );
    let refused = |out: &Value| out["Guardrails"].as_array().is_some_and(|g| !g.is_empty());
    for d in &broad {
        let out = server
            .ok("validate_policy", json!({"policy_document": d}))
            .await;
        assert!(refused(&out), "not refused: {d}");
    }
    for d in &harmless {
        let out = server
            .ok("validate_policy", json!({"policy_document": d}))
            .await;
        assert!(!refused(&out), "refused: {d}: {}", out["Guardrails"]);
    }
    // Trust policies: open ones refused, pinned ones accepted.
    let principals_open = [
        json!("*"),
        json!({"AWS": "*"}),
        json!({"AWS": "arn:aws:iam::*:root"}),
        json!({"AWS": ["arn:aws:iam::111122223333:root", "arn:*:iam::*:*"]}),
        json!({"Service": "*"}),
        json!({"Federated": "*"}),
        json!({"Service": ["ec2.amazonaws.com", "*.amazonaws.com"]}),
    ];
    let principals_pinned = [
        json!({"Service": "ec2.amazonaws.com"}),
        json!({"AWS": "arn:aws:iam::111122223333:root"}),
        json!({"AWS": "arn:aws:iam::111122223333:role/deployer"}),
        json!({"Federated": "arn:aws:iam::111122223333:saml-provider/corp"}),
        json!({"Service": ["lambda.amazonaws.com", "edgelambda.amazonaws.com"]}),
    ];
    for action in [
        "sts:AssumeRole",
        "sts:AssumeRoleWithWebIdentity",
        "STS:ASSUMEROLE",
    ] {
        for p in &principals_open {
            let out = server.ok("validate_policy", json!({"policy_type": "trust", "policy_document": doc(json!({"Effect": "Allow", "Principal": p, "Action": action}))})).await;
            // A web identity action with an AWS principal cannot be used, but is refused all the same when open.
            assert!(
                refused(&out) || action.contains("WebIdentity"),
                "not refused: {p} {action}"
            );
        }
        for p in &principals_pinned {
            let out = server.ok("validate_policy", json!({"policy_type": "trust", "policy_document": doc(json!({"Effect": "Allow", "Principal": p, "Action": action}))})).await;
            assert!(
                !refused(&out),
                "refused: {p} {action}: {}",
                out["Guardrails"]
            );
        }
    }
    server.stop().await;
}

/// Lifting or widening a permissions boundary is refused when the principal's own policies
/// would then give it admin-equivalent access; tightening one is not.
#[tokio::test]
async fn a_boundary_is_not_lifted_from_an_admin() {
    let moto = Moto::start_with(&[("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")]);
    let sdk = moto.sdk();
    let admin = "arn:aws:iam::aws:policy/AdministratorAccess";
    let s3_read = create_policy(&sdk, "s3-read").await;
    let ec2_read = sdk
        .create_policy()
        .policy_name("ec2-read")
        .policy_document(allow("ec2:Describe*").to_string())
        .send()
        .await
        .unwrap()
        .policy
        .unwrap()
        .arn
        .unwrap();
    sdk.create_role()
        .role_name("boss")
        .assume_role_policy_document(trust("ec2.amazonaws.com").to_string())
        .send()
        .await
        .unwrap();
    sdk.attach_role_policy()
        .role_name("boss")
        .policy_arn(admin)
        .send()
        .await
        .unwrap();
    sdk.put_role_permissions_boundary()
        .role_name("boss")
        .permissions_boundary(&s3_read)
        .send()
        .await
        .unwrap();
    let server = Server::start(&moto, WRITE).await;
    let text = server
        .err(
            "delete_role_permissions_boundary",
            json!({"role_name": "boss"}),
        )
        .await;
    assert_refused(&text, "privileged_policies", "--allow-privileged-policies");
    assert!(
        text.contains("would remove the permissions boundary of role 'boss'")
            && text.contains("admin-equivalent"),
        "{text}"
    );
    let text = server
        .err(
            "put_role_permissions_boundary",
            json!({"role_name": "boss", "permissions_boundary": admin}),
        )
        .await;
    assert_refused(&text, "privileged_policies", "--allow-privileged-policies");
    // Another narrow boundary is fine.
    server
        .ok(
            "put_role_permissions_boundary",
            json!({"role_name": "boss", "permissions_boundary": ec2_read}),
        )
        .await;
    check_actions_are_declared(server).await;
    let role = sdk
        .get_role()
        .role_name("boss")
        .send()
        .await
        .unwrap()
        .role
        .unwrap();
    assert_eq!(
        role.permissions_boundary()
            .and_then(|b| b.permissions_boundary_arn()),
        Some(ec2_read.as_str())
    );
    let server = Server::start(&moto, &args(&["--allow-privileged-policies"])).await;
    server
        .ok(
            "delete_role_permissions_boundary",
            json!({"role_name": "boss"}),
        )
        .await;
    server.stop().await;
    assert!(
        sdk.get_role()
            .role_name("boss")
            .send()
            .await
            .unwrap()
            .role
            .unwrap()
            .permissions_boundary()
            .is_none()
    );
}

/// A guard reads every policy it judges: when a list is longer than the server's all-pages
/// bound, the write is refused rather than judged on part of it, and nothing changes.
#[tokio::test(flavor = "multi_thread")]
async fn a_guard_that_cannot_read_every_policy_refuses_and_changes_nothing() {
    let moto = Moto::start();
    let sdk = moto.sdk();
    sdk.create_user().user_name("alice").send().await.unwrap();
    sdk.create_group().group_name("ops").send().await.unwrap();
    common::attach_new_policies(&sdk, "ops", "ops-read", 3).await;
    let mut env = server_env(Some(&moto.endpoint()));
    env.push(("IAM_MCP_ALL_PAGES_MAX_ITEMS".into(), "2".into()));
    env.push(("IAM_MCP_CONSENT".into(), "none".into()));
    let server = Server::start_env(WRITE, env).await;
    let text = server
        .err(
            "add_user_to_group",
            json!({"user_name": "alice", "group_name": "ops"}),
        )
        .await;
    assert!(
        text.starts_with("add_user_to_group needs every item of iam:ListAttachedGroupPolicies (AttachedPolicies), and there are more than the server's all-pages bound of 2 items (IAM_MCP_ALL_PAGES_MAX_ITEMS or --all-pages-max-items); it stopped there rather than act on part of them. Nothing was changed."),
        "{text}"
    );
    assert!(
        text.contains("The user can restart the server with a larger IAM_MCP_ALL_PAGES_MAX_ITEMS or --all-pages-max-items."),
        "{text}"
    );
    let groups = sdk
        .list_groups_for_user()
        .user_name("alice")
        .send()
        .await
        .unwrap();
    assert!(groups.groups().is_empty(), "alice was added: {groups:?}");
    server.stop().await;
}
