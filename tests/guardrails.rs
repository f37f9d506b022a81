//! Guardrails, on by default: each rule refuses what it should (before AWS sees the write,
//! checked with an independent read), lets the rest through, and its flag relaxes it.

mod common;

use common::{allow, check_actions_are_declared, create_policy, server_env, trust, Moto, Server};
use serde_json::{json, Value};

const WRITE: &[&str] = &["--allow-write", "--toolsets", "all"];

fn args(extra: &[&'static str]) -> Vec<&'static str> {
    WRITE.iter().chain(extra).copied().collect()
}

fn doc(statement: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": [statement]})
}

/// The refusal names the guardrail, says nothing changed and names the flag that relaxes it.
fn assert_refused(text: &str, rule: &str, flag: &str) {
    assert!(text.contains(&format!("was refused by the `{rule}` guardrail")), "{text}");
    assert!(text.contains("Nothing was changed."), "{text}");
    assert!(text.contains(&format!("restart the server with {flag}")), "{text}");
}

async fn attached_to_user(sdk: &aws_sdk_iam::Client, user: &str) -> Vec<String> {
    let out = sdk.list_attached_user_policies().user_name(user).send().await.unwrap();
    out.attached_policies().iter().filter_map(|p| p.policy_arn().map(str::to_string)).collect()
}

#[tokio::test]
async fn privileged_policies_are_not_attached_unless_allowed() {
    let moto = Moto::start_with(&[("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")]);
    let sdk = moto.sdk();
    sdk.create_user().user_name("alice").send().await.unwrap();
    sdk.create_group().group_name("ops").send().await.unwrap();
    sdk.create_role().role_name("app").assume_role_policy_document(trust("ec2.amazonaws.com").to_string()).send().await.unwrap();
    let admin = "arn:aws:iam::aws:policy/AdministratorAccess";

    let server = Server::start(&moto, WRITE).await;
    let instructions = |server: &Server| server.client.peer_info().unwrap().instructions.clone().unwrap_or_default();
    assert!(instructions(&server).contains("Guardrails refuse attaching privileged policies (AdministratorAccess, IAMFullAccess, PowerUserAccess by default), identity policies allowing * or service:* on Resource *, trust policies with Principal *, changes that would cut the server's own access, changes to service-linked roles"), "{}", instructions(&server));
    let cases = [
        ("attach_user_policy", json!({"user_name": "alice", "policy_arn": admin}), "AdministratorAccess"),
        ("attach_group_policy", json!({"group_name": "ops", "policy_arn": "arn:aws:iam::aws:policy/IAMFullAccess"}), "IAMFullAccess"),
        ("attach_role_policy", json!({"role_name": "app", "policy_arn": "arn:aws:iam::aws:policy/PowerUserAccess"}), "PowerUserAccess"),
        // Any partition.
        ("attach_user_policy", json!({"user_name": "alice", "policy_arn": "arn:aws-us-gov:iam::aws:policy/AdministratorAccess"}), "AdministratorAccess"),
    ];
    for (tool, arguments, entry) in cases {
        let text = server.err(tool, arguments).await;
        assert_refused(&text, "privileged_policies", "--allow-privileged-policies");
        assert!(text.contains(&format!("on the server's list of privileged policies ({entry})")), "{text}");
    }
    // Narrower policies go through.
    server.ok("attach_user_policy", json!({"user_name": "alice", "policy_arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"})).await;
    let stderr = server.stop().await;
    assert!(!stderr.contains("action=iam:AttachGroupPolicy") && !stderr.contains("action=iam:AttachRolePolicy"), "a refused attach reached AWS");
    assert_eq!(attached_to_user(&sdk, "alice").await, vec!["arn:aws:iam::aws:policy/ReadOnlyAccess"]);
    assert!(sdk.list_attached_group_policies().group_name("ops").send().await.unwrap().attached_policies().is_empty());
    assert!(sdk.list_attached_role_policies().role_name("app").send().await.unwrap().attached_policies().is_empty());

    // A configured list replaces the default one.
    let server = Server::start(&moto, &args(&["--privileged-policies", "ReadOnlyAccess,arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"])).await;
    let text = server.err("attach_group_policy", json!({"group_name": "ops", "policy_arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"})).await;
    assert_refused(&text, "privileged_policies", "--allow-privileged-policies");
    let text = server.err("attach_group_policy", json!({"group_name": "ops", "policy_arn": "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"})).await;
    assert!(text.contains("(arn:aws:iam::aws:policy/job-function/ViewOnlyAccess)"), "{text}");
    server.ok("attach_group_policy", json!({"group_name": "ops", "policy_arn": "arn:aws:iam::aws:policy/IAMFullAccess"})).await;
    server.stop().await;

    // The flag relaxes the rule.
    let server = Server::start(&moto, &args(&["--allow-privileged-policies"])).await;
    assert!(!instructions(&server).contains("privileged policies") && instructions(&server).contains("Guardrails refuse identity policies"), "{}", instructions(&server));
    server.ok("attach_user_policy", json!({"user_name": "alice", "policy_arn": admin})).await;
    server.stop().await;
    assert!(attached_to_user(&sdk, "alice").await.contains(&admin.to_string()));
}

#[tokio::test]
async fn broad_allow_and_public_trust_documents_are_refused_unless_allowed() {
    let moto = Moto::start();
    let sdk = moto.sdk();
    sdk.create_user().user_name("u").send().await.unwrap();
    sdk.create_group().group_name("g").send().await.unwrap();
    sdk.create_role().role_name("r").assume_role_policy_document(trust("ec2.amazonaws.com").to_string()).send().await.unwrap();
    let arn = create_policy(&sdk, "p").await;

    let identity_tools = [
        ("put_user_policy", json!({"user_name": "u", "policy_name": "wide"})),
        ("put_group_policy", json!({"group_name": "g", "policy_name": "wide"})),
        ("put_role_policy", json!({"role_name": "r", "policy_name": "wide"})),
        ("create_policy", json!({"policy_name": "wide"})),
        ("create_policy_version", json!({"policy_arn": arn})),
    ];
    let broad = [
        (allow("*"), "Statement[0].Action: Allow \"*\" on Resource \"*\" grants every action of every service on every resource"),
        (allow("s3:*"), "Statement[0].Action: Allow \"s3:*\" on Resource \"*\" grants every action of s3 on every resource"),
        (doc(json!({"Effect": "Allow", "Action": ["s3:GetObject", "iam:*"], "Resource": ["arn:aws:s3:::b", "*"]})), "Statement[0].Action: Allow \"iam:*\""),
    ];
    let public = doc(json!({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}));
    let trust_tools = [
        ("create_role", json!({"role_name": "open", "assume_role_policy_document": public})),
        ("update_assume_role_policy", json!({"role_name": "r", "policy_document": public})),
        ("create_role", json!({"role_name": "open", "assume_role_policy_document": doc(json!({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}))})),
    ];

    let server = Server::start(&moto, WRITE).await;
    for (tool, base) in &identity_tools {
        for (document, expected) in &broad {
            let mut arguments = base.clone();
            arguments["policy_document"] = document.clone();
            let text = server.err(tool, arguments).await;
            assert_refused(&text, "broad_allow", "--allow-broad-policies");
            assert!(text.contains(&format!("policy_document: {expected}")), "{tool}: {text}");
        }
        // Service-wide on named resources, or named actions on "*": allowed (with warnings).
        let mut arguments = base.clone();
        arguments["policy_document"] = doc(json!({"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::reports/*"}));
        if *tool == "create_policy" {
            arguments["policy_name"] = json!("scoped");
        }
        let out = server.ok(tool, arguments).await;
        assert!(out["Message"].as_str().unwrap().contains("\"s3:*\" allows every action of s3"), "{out}");
    }
    for (tool, arguments) in &trust_tools {
        let text = server.err(tool, arguments.clone()).await;
        assert_refused(&text, "public_trust", "--allow-public-trust");
        assert!(text.contains("Principal \"*\" lets any AWS principal, in any account, assume the role"), "{text}");
    }
    let stderr = server.stop().await;
    assert!(!stderr.contains("action=iam:UpdateAssumeRolePolicy"), "a refused trust policy reached AWS");
    assert!(sdk.get_role().role_name("open").send().await.is_err(), "the open role was not created");
    assert!(sdk.list_user_policies().user_name("u").send().await.unwrap().policy_names() == ["wide"]);
    let kept = sdk.get_user_policy().user_name("u").policy_name("wide").send().await.unwrap();
    assert!(kept.policy_document().contains("reports"), "the scoped document is the one stored");

    // Each flag relaxes its own rule only.
    let server = Server::start(&moto, &args(&["--allow-broad-policies"])).await;
    let out = server.ok("put_user_policy", json!({"user_name": "u", "policy_name": "admin", "policy_document": allow("*")})).await;
    assert!(out["Message"].as_str().unwrap().contains("\"*\" allows every action of every service"), "still warned: {out}");
    let text = server.err("create_role", trust_tools[0].1.clone()).await;
    assert_refused(&text, "public_trust", "--allow-public-trust");
    server.stop().await;
    sdk.get_user_policy().user_name("u").policy_name("admin").send().await.expect("written with --allow-broad-policies");

    let server = Server::start(&moto, &args(&["--allow-public-trust"])).await;
    server.ok("create_role", trust_tools[0].1.clone()).await;
    let text = server.err("put_role_policy", json!({"role_name": "r", "policy_name": "x", "policy_document": allow("*")})).await;
    assert_refused(&text, "broad_allow", "--allow-broad-policies");
    server.stop().await;
    sdk.get_role().role_name("open").send().await.expect("created with --allow-public-trust");
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
    sdk.create_user().user_name("mcp-server").send().await.unwrap();
    let key = sdk.create_access_key().user_name("mcp-server").send().await.unwrap().access_key.unwrap();
    let iam_admin = sdk.create_policy().policy_name("iam-admin").policy_document(allow("iam:*").to_string()).send().await.unwrap().policy.unwrap().arn.unwrap();
    let s3_read = create_policy(sdk, "s3-read").await;
    for arn in [&iam_admin, &s3_read] {
        sdk.attach_user_policy().user_name("mcp-server").policy_arn(arn).send().await.unwrap();
    }
    sdk.put_user_policy().user_name("mcp-server").policy_name("iam-list").policy_document(allow("iam:List*").to_string()).send().await.unwrap();
    sdk.put_user_policy().user_name("mcp-server").policy_name("s3-inline").policy_document(allow("s3:GetObject").to_string()).send().await.unwrap();
    for (group, action) in [("admins", "iam:*"), ("readers", "s3:GetObject")] {
        sdk.create_group().group_name(group).send().await.unwrap();
        sdk.put_group_policy().group_name(group).policy_name("g").policy_document(allow(action).to_string()).send().await.unwrap();
        sdk.add_user_to_group().group_name(group).user_name("mcp-server").send().await.unwrap();
    }
    // Someone else, in the same admin group.
    sdk.create_user().user_name("bob").send().await.unwrap();
    sdk.add_user_to_group().group_name("admins").user_name("bob").send().await.unwrap();
    // A policy denying IAM, and a second version of iam-admin without IAM (not in effect).
    let deny_iam = sdk.create_policy().policy_name("deny-iam").policy_document(deny("iam:*").to_string()).send().await.unwrap().policy.unwrap().arn.unwrap();
    sdk.create_policy_version().policy_arn(&iam_admin).policy_document(allow("s3:GetObject").to_string()).send().await.unwrap();
    Me { key: key.access_key_id, secret: key.secret_access_key, iam_admin, s3_read, deny_iam }
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
        ("delete_user", json!({"user_name": "mcp-server"}), "it would delete the server's own user 'mcp-server', whose credentials the server runs with (arn:aws:iam::123456789012:user/mcp-server)"),
        ("delete_access_key", json!({"user_name": "mcp-server", "access_key_id": me.key}), "which the server itself signs its AWS requests with"),
        ("update_access_key", json!({"user_name": "mcp-server", "access_key_id": me.key, "status": "Inactive"}), &format!("it would deactivate access key {}", me.key)),
        ("detach_user_policy", json!({"user_name": "mcp-server", "policy_arn": me.iam_admin}), "that policy gives the server its IAM permissions"),
        ("delete_user_policy", json!({"user_name": "mcp-server", "policy_name": "iam-list"}), "it would delete inline policy 'iam-list' of the server's own user 'mcp-server'"),
        ("remove_user_from_group", json!({"user_name": "mcp-server", "group_name": "admins"}), "from group 'admins', whose policy 'g' (inline) gives the server its IAM permissions"),
        ("delete_group_policy", json!({"group_name": "admins", "policy_name": "g"}), "of group 'admins', which the server's own user is in"),
        ("put_user_permissions_boundary", json!({"user_name": "mcp-server", "permissions_boundary": me.s3_read}), "and that boundary allows no IAM action"),
        // Force deletes check every step of their plan, dry runs included.
        ("delete_group", json!({"group_name": "admins", "force": true}), "a step of its plan (members: mcp-server, iam:RemoveUserFromGroup) would remove the server's own user"),
        ("delete_group", json!({"group_name": "admins", "force": true, "dry_run": true}), "a step of its plan (members: mcp-server"),
        ("delete_user", json!({"user_name": "mcp-server", "force": true}), "a step of its plan (access keys:"),
        ("delete_policy", json!({"policy_arn": me.iam_admin, "force": true}), "a step of its plan (attachments to users: mcp-server, iam:DetachUserPolicy)"),
        // Replacing or denying what gives it IAM permissions.
        ("attach_user_policy", json!({"user_name": "mcp-server", "policy_arn": me.deny_iam}), "and that policy denies IAM actions"),
        ("attach_group_policy", json!({"group_name": "readers", "policy_arn": me.deny_iam}), "to group 'readers', which the server's own user is in, and that policy denies IAM actions"),
        ("put_user_policy", json!({"user_name": "mcp-server", "policy_name": "iam-list", "policy_document": allow("s3:GetObject")}), "would replace inline policy 'iam-list' of the server's own user 'mcp-server', which gives the server its IAM permissions, with a document that allows no IAM action"),
        ("put_user_policy", json!({"user_name": "mcp-server", "policy_name": "fence", "policy_document": deny("iam:*")}), "would put inline policy 'fence' on the server's own user 'mcp-server', and it denies IAM actions"),
        ("put_group_policy", json!({"group_name": "admins", "policy_name": "g", "policy_document": allow("s3:GetObject")}), "would replace inline policy 'g' of group 'admins'"),
        ("create_policy_version", json!({"policy_arn": me.iam_admin, "policy_document": allow("s3:GetObject"), "set_as_default": true}), "would make a document that allows no IAM action the version in effect of"),
        ("set_default_policy_version", json!({"policy_arn": me.iam_admin, "version_id": "v2"}), "which is attached to the server's own user 'mcp-server' and gives the server its IAM permissions"),
    ];
    for (tool, arguments, expected) in &refusals {
        let text = server.err(tool, arguments.clone()).await;
        assert_refused(&text, "self_lockout", "--allow-self-lockout");
        assert!(text.contains(expected), "{tool}: expected {expected:?} in {text}");
    }
    // What does not cut its access goes through.
    server.ok("detach_user_policy", json!({"user_name": "mcp-server", "policy_arn": me.s3_read})).await;
    server.ok("delete_user_policy", json!({"user_name": "mcp-server", "policy_name": "s3-inline"})).await;
    server.ok("remove_user_from_group", json!({"user_name": "mcp-server", "group_name": "readers"})).await;
    server.ok("update_access_key", json!({"user_name": "mcp-server", "access_key_id": me.key, "status": "Active"})).await;
    server.ok("put_user_policy", json!({"user_name": "mcp-server", "policy_name": "iam-list", "policy_document": allow("iam:Get*")})).await;
    server.ok("create_policy_version", json!({"policy_arn": me.s3_read, "policy_document": deny("iam:*"), "set_as_default": true})).await;
    server.ok("remove_user_from_group", json!({"user_name": "bob", "group_name": "admins"})).await;
    server.ok("delete_user", json!({"user_name": "bob", "force": true})).await;
    check_actions_are_declared(server).await;

    // Independent reads: everything the server runs on is still there.
    let user = sdk.get_user().user_name("mcp-server").send().await.expect("the server's user is still there");
    assert!(user.user.unwrap().permissions_boundary.is_none());
    assert_eq!(attached_to_user(&sdk, "mcp-server").await, vec![me.iam_admin.clone()]);
    let policy = sdk.get_policy().policy_arn(&me.iam_admin).send().await.unwrap().policy.unwrap();
    assert_eq!(policy.default_version_id(), Some("v1"), "iam-admin's version in effect is unchanged");
    assert!(sdk.list_attached_group_policies().group_name("readers").send().await.unwrap().attached_policies().is_empty());
    assert_eq!(sdk.list_user_policies().user_name("mcp-server").send().await.unwrap().policy_names(), ["iam-list"]);
    let groups = sdk.list_groups_for_user().user_name("mcp-server").send().await.unwrap();
    assert_eq!(groups.groups().iter().map(|g| g.group_name()).collect::<Vec<_>>(), ["admins"]);
    let keys = sdk.list_access_keys().user_name("mcp-server").send().await.unwrap();
    assert_eq!(keys.access_key_metadata()[0].status().unwrap().as_str(), "Active");
    assert!(sdk.get_user().user_name("bob").send().await.is_err(), "someone else's user was deleted");

    // The flag relaxes the rule.
    let server = Server::start_env(&args(&["--allow-self-lockout"]), env).await;
    server.ok("detach_user_policy", json!({"user_name": "mcp-server", "policy_arn": me.iam_admin})).await;
    server.stop().await;
    assert!(attached_to_user(&sdk, "mcp-server").await.is_empty());
}

#[tokio::test]
async fn a_server_running_as_a_role_keeps_its_role() {
    let moto = Moto::start();
    let sdk = moto.sdk();
    sdk.create_role().role_name("deployer").assume_role_policy_document(trust("ec2.amazonaws.com").to_string()).send().await.unwrap();
    let iam_admin = sdk.create_policy().policy_name("iam-admin").policy_document(allow("iam:*").to_string()).send().await.unwrap().policy.unwrap().arn.unwrap();
    sdk.attach_role_policy().role_name("deployer").policy_arn(&iam_admin).send().await.unwrap();
    sdk.put_role_policy().role_name("deployer").policy_name("inline-iam").policy_document(allow("iam:Get*").to_string()).send().await.unwrap();
    let sts = aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::config::Builder::new()
            .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
            .region(aws_sdk_sts::config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_sts::config::Credentials::new("testing", "testing", None, None, "tests"))
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
    let env = env_as(&moto.endpoint(), &session.access_key_id, &session.secret_access_key, Some(&session.session_token));

    let server = Server::start_env(WRITE, env).await;
    for (tool, arguments, expected) in [
        ("delete_role", json!({"role_name": "deployer", "force": true}), "a step of its plan (inline policies: inline-iam, iam:DeleteRolePolicy) would delete inline policy 'inline-iam'"),
        ("detach_role_policy", json!({"role_name": "deployer", "policy_arn": iam_admin}), "from the server's own role 'deployer', and that policy gives the server its IAM permissions"),
        ("delete_role_policy", json!({"role_name": "deployer", "policy_name": "inline-iam"}), "it would delete inline policy 'inline-iam' of the server's own role 'deployer'"),
    ] {
        let text = server.err(tool, arguments).await;
        assert_refused(&text, "self_lockout", "--allow-self-lockout");
        assert!(text.contains(expected), "{tool}: expected {expected:?} in {text}");
    }
    server.stop().await;
    let attached = sdk.list_attached_role_policies().role_name("deployer").send().await.unwrap();
    assert_eq!(attached.attached_policies().len(), 1, "the role keeps its policy");
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
        ("delete_role", json!({"role_name": slr, "force": true, "dry_run": true})),
        ("attach_role_policy", json!({"role_name": slr, "policy_arn": arn})),
        ("put_role_policy", json!({"role_name": slr, "policy_name": "x", "policy_document": allow("s3:GetObject")})),
        ("update_assume_role_policy", json!({"role_name": slr, "policy_document": trust("ec2.amazonaws.com")})),
        ("tag_role", json!({"role_name": slr, "tags": [{"Key": "k", "Value": "v"}]})),
    ] {
        let text = server.err(tool, arguments).await;
        assert_refused(&text, "service_linked_roles", "--allow-service-linked-roles");
        assert!(text.contains(&format!("{slr} is a service-linked role (path /aws-service-role/elasticbeanstalk.amazonaws.com/)")), "{tool}: {text}");
        assert!(text.contains("iam:DeleteServiceLinkedRole"), "{text}");
    }
    // Its description may be edited, as AWS allows.
    server.ok("update_role", json!({"role_name": slr, "description": "Beanstalk"})).await;
    check_actions_are_declared(server).await;
    let role = sdk.get_role().role_name(slr).send().await.unwrap().role.unwrap();
    assert_eq!(role.assume_role_policy_document().map(|d| d.contains("elasticbeanstalk")), Some(true));
    assert!(sdk.list_attached_role_policies().role_name(slr).send().await.unwrap().attached_policies().is_empty());
    assert!(sdk.list_role_policies().role_name(slr).send().await.unwrap().policy_names().is_empty());

    let server = Server::start(&moto, &args(&["--allow-service-linked-roles"])).await;
    server.ok("attach_role_policy", json!({"role_name": slr, "policy_arn": arn})).await;
    server.stop().await;
    assert_eq!(sdk.list_attached_role_policies().role_name(slr).send().await.unwrap().attached_policies().len(), 1);
}
