//! Force delete on moto: every blocker removed (checked by independent SDK reads), dry-run
//! plans that change nothing, progress notifications, cancellation, and service-linked
//! roles refused.

use crate::common;

use common::{
    CALL_TIMEOUT, CLEARED_ENV, Moto, Server, create_policy, server_bin, server_env, sorted, trust,
};
use rmcp::model::{
    CallToolRequestParams, ClientRequest, ProgressNotificationParam, RequestMetaObject,
    ServerResult,
};
use rmcp::service::{NotificationContext, PeerRequestOptions};
use rmcp::{ClientHandler, RoleClient};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const WRITE: &[&str] = &["--allow-write", "--toolsets", "all"];

/// A client that records the server's progress notifications.
#[derive(Clone, Default)]
struct Watcher {
    progress: Arc<Mutex<Vec<ProgressNotificationParam>>>,
}

impl ClientHandler for Watcher {
    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.progress.lock().unwrap().push(params);
    }
}

fn kinds(steps: &Value) -> Vec<String> {
    steps
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["Kind"].as_str().unwrap().to_string())
        .collect()
}

fn count(steps: &Value, kind: &str) -> usize {
    kinds(steps).iter().filter(|k| *k == kind).count()
}

#[tokio::test]
async fn role_in_two_instance_profiles_is_force_deleted() {
    let moto = Moto::start();
    let sdk = moto.sdk();
    sdk.create_role()
        .role_name("app")
        .assume_role_policy_document(trust("ec2.amazonaws.com").to_string())
        .send()
        .await
        .unwrap();
    for profile in ["app-a", "app-b"] {
        sdk.create_instance_profile()
            .instance_profile_name(profile)
            .send()
            .await
            .unwrap();
        sdk.add_role_to_instance_profile()
            .instance_profile_name(profile)
            .role_name("app")
            .send()
            .await
            .unwrap();
    }
    for name in ["inline-1", "inline-2"] {
        sdk.put_role_policy()
            .role_name("app")
            .policy_name(name)
            .policy_document(common::allow("s3:GetObject").to_string())
            .send()
            .await
            .unwrap();
    }
    let mut arns = Vec::new();
    for name in ["managed-1", "managed-2"] {
        let arn = create_policy(&sdk, name).await;
        sdk.attach_role_policy()
            .role_name("app")
            .policy_arn(&arn)
            .send()
            .await
            .unwrap();
        arns.push(arn);
    }
    // A service-linked role is refused, force or not.
    sdk.create_role()
        .role_name("AWSServiceRoleForElasticBeanstalk")
        .path("/aws-service-role/elasticbeanstalk.amazonaws.com/")
        .assume_role_policy_document(trust("elasticbeanstalk.amazonaws.com").to_string())
        .send()
        .await
        .unwrap();

    let server = Server::start(&moto, WRITE).await;
    let refused = server
        .err(
            "delete_role",
            json!({"role_name": "AWSServiceRoleForElasticBeanstalk", "force": true}),
        )
        .await;
    assert!(
        refused.contains("service-linked role") && refused.contains("DeleteServiceLinkedRole"),
        "{refused}"
    );
    sdk.get_role()
        .role_name("AWSServiceRoleForElasticBeanstalk")
        .send()
        .await
        .expect("the service-linked role is still there");

    let done = server
        .ok("delete_role", json!({"role_name": "app", "force": true}))
        .await;
    let steps = &done["Steps"];
    assert_eq!(count(steps, "instance profile memberships"), 2, "{done}");
    assert_eq!(count(steps, "inline policies"), 2);
    assert_eq!(count(steps, "attached managed policies"), 2);
    assert_eq!(kinds(steps).last().unwrap(), "DeleteRole");
    assert!(done["Message"].as_str().unwrap().contains("Removed first: 2 instance profile memberships, 2 inline policies, 2 attached managed policies."), "{done}");

    // Independent reads: the role is gone, the profiles and policies stay, empty.
    let gone = sdk.get_role().role_name("app").send().await.unwrap_err();
    assert_eq!(common::code(&gone), "NoSuchEntity");
    for profile in ["app-a", "app-b"] {
        let p = sdk
            .get_instance_profile()
            .instance_profile_name(profile)
            .send()
            .await
            .unwrap();
        assert!(
            p.instance_profile().unwrap().roles().is_empty(),
            "{profile} still holds a role"
        );
    }
    for arn in &arns {
        let p = sdk.get_policy().policy_arn(arn).send().await.unwrap();
        assert_eq!(
            p.policy().unwrap().attachment_count(),
            Some(0),
            "{arn} still attached"
        );
    }
    common::check_actions_are_declared(server).await;
}

#[tokio::test]
async fn group_with_120_members_dry_run_then_force_delete_with_progress() {
    let moto = Moto::start();
    let sdk = moto.sdk();
    sdk.create_group().group_name("crowd").send().await.unwrap();
    let members: Vec<String> = (0..120).map(|i| format!("member-{i:03}")).collect();
    for name in &members {
        sdk.create_user().user_name(name).send().await.unwrap();
        sdk.add_user_to_group()
            .group_name("crowd")
            .user_name(name)
            .send()
            .await
            .unwrap();
    }
    sdk.put_group_policy()
        .group_name("crowd")
        .policy_name("inline")
        .policy_document(common::allow("s3:ListBucket").to_string())
        .send()
        .await
        .unwrap();
    let arn = create_policy(&sdk, "crowd-managed").await;
    sdk.attach_group_policy()
        .group_name("crowd")
        .policy_arn(&arn)
        .send()
        .await
        .unwrap();

    let watcher = Watcher::default();
    let server =
        Server::start_with(WRITE, server_env(Some(&moto.endpoint())), watcher.clone()).await;

    // Dry run: the whole plan, nothing changed.
    let plan = server_ok(
        &server,
        "delete_group",
        json!({"group_name": "crowd", "force": true, "dry_run": true}),
        None,
    )
    .await;
    assert_eq!(plan["DryRun"], true);
    let steps = &plan["Plan"];
    assert_eq!(steps.as_array().unwrap().len(), 123, "{plan}");
    assert_eq!(count(steps, "members"), 120);
    let planned: Vec<String> = steps
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["Kind"] == "members")
        .map(|s| s["Target"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(sorted(planned), members);
    assert_eq!(count(steps, "inline policies"), 1);
    assert_eq!(count(steps, "attached managed policies"), 1);
    assert_eq!(
        steps[122],
        json!({"Kind": "DeleteGroup", "Action": "iam:DeleteGroup", "Target": "crowd"})
    );
    let group = sdk
        .get_group()
        .group_name("crowd")
        .max_items(1000)
        .send()
        .await
        .unwrap();
    assert_eq!(group.users().len(), 120, "the dry run changed the group");
    assert_eq!(
        sdk.list_group_policies()
            .group_name("crowd")
            .send()
            .await
            .unwrap()
            .policy_names()
            .len(),
        1
    );
    assert!(
        watcher.progress.lock().unwrap().is_empty(),
        "a dry run sends no progress"
    );

    // The real thing, with a progress token.
    let done = server_ok(
        &server,
        "delete_group",
        json!({"group_name": "crowd", "force": true}),
        Some("crowd-delete"),
    )
    .await;
    assert_eq!(done["Steps"].as_array().unwrap().len(), 123);
    let gone = sdk
        .get_group()
        .group_name("crowd")
        .send()
        .await
        .unwrap_err();
    assert_eq!(common::code(&gone), "NoSuchEntity");
    for name in &members {
        let groups = sdk
            .list_groups_for_user()
            .user_name(name)
            .send()
            .await
            .unwrap();
        assert!(groups.groups().is_empty(), "{name} is still in a group");
    }
    assert_eq!(
        sdk.get_policy()
            .policy_arn(&arn)
            .send()
            .await
            .unwrap()
            .policy()
            .unwrap()
            .attachment_count(),
        Some(0)
    );

    // One notification per step, counting up to the total. The client's handler may still
    // be taking the last ones when the answer arrives: wait for them, for a while.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while watcher.progress.lock().unwrap().len() < 123 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let progress = watcher.progress.lock().unwrap().clone();
    assert_eq!(progress.len(), 123, "one progress notification per step");
    for (i, p) in progress.iter().enumerate() {
        assert_eq!((p.progress, p.total), ((i + 1) as f64, Some(123.0)));
        assert!(p.message.as_deref().is_some_and(|m| !m.is_empty()));
    }
    assert_eq!(
        progress[122].message.as_deref(),
        Some("DeleteGroup crowd (iam:DeleteGroup)")
    );
    assert!(
        progress[0]
            .message
            .as_deref()
            .unwrap()
            .starts_with("members member-"),
        "{:?}",
        progress[0]
    );
}

/// Force delete lists every blocker before it removes any: a list longer than the server's
/// all-pages bound is refused, dry run or not, and nothing is removed.
#[tokio::test]
async fn a_group_longer_than_the_all_pages_bound_is_refused_before_any_step() {
    let moto = Moto::start();
    let sdk = moto.sdk();
    sdk.create_group().group_name("crowd").send().await.unwrap();
    common::attach_new_policies(&sdk, "crowd", "crowd", 3).await;
    let mut env = server_env(Some(&moto.endpoint()));
    env.push(("IAM_MCP_ALL_PAGES_MAX_ITEMS".into(), "2".into()));
    let server = Server::start_env(WRITE, env).await;
    for dry_run in [true, false] {
        let text = server
            .err(
                "delete_group",
                json!({"group_name": "crowd", "force": true, "dry_run": dry_run}),
            )
            .await;
        assert!(
            text.starts_with("delete_group needs every item of iam:ListAttachedGroupPolicies (AttachedPolicies), and there are more than the server's all-pages bound of 2 items (IAM_MCP_ALL_PAGES_MAX_ITEMS or --all-pages-max-items); it stopped there rather than act on part of them. Nothing was changed."),
            "dry_run {dry_run}: {text}"
        );
    }
    let attached = sdk
        .list_attached_group_policies()
        .group_name("crowd")
        .send()
        .await
        .unwrap();
    assert_eq!(
        attached.attached_policies().len(),
        3,
        "policies were detached: {attached:?}"
    );
    server.stop().await;
}

/// Calls a tool that must succeed, with a progress token when given.
async fn server_ok<H: ClientHandler>(
    server: &Server<H>,
    tool: &str,
    args: Value,
    progress: Option<&str>,
) -> Value {
    let mut params = CallToolRequestParams::new(tool.to_string())
        .with_arguments(args.as_object().cloned().unwrap());
    if let Some(token) = progress {
        params.meta = Some(RequestMetaObject::with_progress_token(
            rmcp::model::ProgressToken(rmcp::model::NumberOrString::String(token.into())),
        ));
    }
    let request = ClientRequest::CallToolRequest(rmcp::model::Request::new(params));
    let handle = server
        .client
        .send_request_with_option(request, PeerRequestOptions::no_options())
        .await
        .expect("sending the call");
    let response = tokio::time::timeout(CALL_TIMEOUT, handle.await_response())
        .await
        .expect("no answer")
        .expect("protocol error");
    let ServerResult::CallToolResult(result) = response else {
        panic!("not a tool result: {response:?}")
    };
    assert_ne!(
        result.is_error,
        Some(true),
        "{tool}({args}) failed: {}",
        common::text(&result)
    );
    result.structured_content.unwrap()
}

#[tokio::test]
async fn policy_with_four_versions_attached_everywhere_is_force_deleted() {
    let moto = Moto::start();
    let sdk = moto.sdk();
    let arn = create_policy(&sdk, "shared").await;
    for (i, action) in ["s3:PutObject", "s3:DeleteObject", "s3:ListBucket"]
        .iter()
        .enumerate()
    {
        sdk.create_policy_version()
            .policy_arn(&arn)
            .policy_document(common::allow(action).to_string())
            .set_as_default(i == 1)
            .send()
            .await
            .unwrap();
    }
    for user in ["ann", "bob"] {
        sdk.create_user().user_name(user).send().await.unwrap();
        sdk.attach_user_policy()
            .user_name(user)
            .policy_arn(&arn)
            .send()
            .await
            .unwrap();
    }
    sdk.create_group().group_name("team").send().await.unwrap();
    sdk.attach_group_policy()
        .group_name("team")
        .policy_arn(&arn)
        .send()
        .await
        .unwrap();
    sdk.create_role()
        .role_name("worker")
        .assume_role_policy_document(trust("lambda.amazonaws.com").to_string())
        .send()
        .await
        .unwrap();
    sdk.attach_role_policy()
        .role_name("worker")
        .policy_arn(&arn)
        .send()
        .await
        .unwrap();

    // Through the front door: moto 5.2.5 ignores PolicyUsageFilter, so it would answer the
    // boundary listings with the attachments (and it has no DeleteUserPermissionsBoundary).
    let front = common::front::Front::start(&moto.endpoint()).await;
    let server = Server::start_env(WRITE, server_env(Some(&front.endpoint()))).await;
    let plan = server
        .ok(
            "delete_policy",
            json!({"policy_arn": arn, "force": true, "dry_run": true}),
        )
        .await;
    let targets = |kind: &str| -> Vec<String> {
        plan["Plan"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["Kind"] == kind)
            .map(|s| s["Target"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(sorted(targets("attachments to users")), ["ann", "bob"]);
    assert_eq!(targets("attachments to groups"), ["team"]);
    assert_eq!(targets("attachments to roles"), ["worker"]);
    assert!(
        targets("permissions boundaries of users").is_empty()
            && targets("permissions boundaries of roles").is_empty(),
        "{plan}"
    );
    // v3 is the default; v1, v2 and v4 are not.
    assert_eq!(
        sorted(targets("non-default versions")),
        ["v1", "v2", "v4"],
        "{plan}"
    );
    assert_eq!(
        sdk.list_policy_versions()
            .policy_arn(&arn)
            .send()
            .await
            .unwrap()
            .versions()
            .len(),
        4,
        "dry run changed versions"
    );

    let done = server
        .ok("delete_policy", json!({"policy_arn": arn, "force": true}))
        .await;
    assert_eq!(done["Steps"].as_array().unwrap().len(), 8, "{done}");
    assert_eq!(
        common::code(&sdk.get_policy().policy_arn(&arn).send().await.unwrap_err()),
        "NoSuchEntity"
    );
    for user in ["ann", "bob"] {
        assert!(
            sdk.list_attached_user_policies()
                .user_name(user)
                .send()
                .await
                .unwrap()
                .attached_policies()
                .is_empty()
        );
    }
    assert!(
        sdk.list_attached_group_policies()
            .group_name("team")
            .send()
            .await
            .unwrap()
            .attached_policies()
            .is_empty()
    );
    assert!(
        sdk.list_attached_role_policies()
            .role_name("worker")
            .send()
            .await
            .unwrap()
            .attached_policies()
            .is_empty()
    );
    every_listing_is_filtered(&front);
    common::check_actions_are_declared(server).await;
}

/// Cancellation over raw JSON-RPC: after the first progress notification the client cancels;
/// the server stops before the next step. MCP forbids answering a cancelled request, so the
/// account of what ran goes to the server's log.
#[tokio::test]
async fn cancellation_stops_before_the_next_step() {
    let moto = Moto::start();
    let sdk = moto.sdk();
    sdk.create_group().group_name("big").send().await.unwrap();
    for i in 0..60 {
        let name = format!("u{i:02}");
        sdk.create_user().user_name(&name).send().await.unwrap();
        sdk.add_user_to_group()
            .group_name("big")
            .user_name(&name)
            .send()
            .await
            .unwrap();
    }
    let dir = common::TempDir::new("cancel");
    let log = dir.path().join("stderr.log");
    let mut command = tokio::process::Command::new(server_bin());
    command.args(WRITE).args(["--consent", "none"]);
    for k in CLEARED_ENV {
        command.env_remove(k);
    }
    command.envs(server_env(Some(&moto.endpoint())));
    command
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .kill_on_drop(true);
    let mut child = command.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    for message in [
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}}),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "delete_group", "arguments": {"group_name": "big", "force": true}, "_meta": {"progressToken": "p"}}}),
    ] {
        stdin
            .write_all(format!("{message}\n").as_bytes())
            .await
            .unwrap();
    }
    stdin.flush().await.unwrap();
    // Cancel at the first progress notification.
    tokio::time::timeout(CALL_TIMEOUT, async {
        while let Some(line) = lines.next_line().await.unwrap() {
            let message: Value = serde_json::from_str(&line).unwrap();
            assert_ne!(message["id"], 2, "the call finished before it could be cancelled: {message}");
            if message["method"] == "notifications/progress" {
                let cancel = json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 2, "reason": "user pressed stop"}});
                stdin.write_all(format!("{cancel}\n").as_bytes()).await.unwrap();
                stdin.flush().await.unwrap();
                return;
            }
        }
        panic!("the server closed stdout without a progress notification");
    })
    .await
    .expect("no progress notification");
    // The server says what ran, in its log.
    let text = tokio::time::timeout(CALL_TIMEOUT, async {
        loop {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            if text.contains("was cancelled after") {
                return text;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the server logged no cancellation");
    let line = text
        .lines()
        .find(|l| l.contains("delete_group was cancelled after"))
        .unwrap();
    assert!(text.contains("Not attempted ("), "{text}");
    let done: usize = line
        .split("cancelled after ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    // What the log says ran is what happened: the group is still there, missing exactly those members.
    let left = sdk
        .get_group()
        .group_name("big")
        .max_items(1000)
        .send()
        .await
        .unwrap()
        .users()
        .len();
    assert!(
        done >= 1 && left > 0,
        "{done} steps done, {left} members left"
    );
    assert_eq!(done, 60 - left, "{line}");
    drop(stdin);
    let _ = child.kill().await;
}

/// A user with one of everything DeleteUser requires gone (service-specific credentials are
/// served by the test front door: moto has none).
async fn loaded_user(
    moto: &Moto,
    front: &common::front::Front,
    name: &str,
) -> (Vec<String>, String) {
    let sdk = front.sdk();
    sdk.create_user().user_name(name).send().await.unwrap();
    sdk.create_login_profile()
        .user_name(name)
        .password("Corr3ct-Horse-Battery!")
        .send()
        .await
        .unwrap();
    let mut keys = Vec::new();
    for _ in 0..2 {
        keys.push(
            sdk.create_access_key()
                .user_name(name)
                .send()
                .await
                .unwrap()
                .access_key()
                .unwrap()
                .access_key_id()
                .to_string(),
        );
    }
    sdk.upload_ssh_public_key()
        .user_name(name)
        .ssh_public_key_body(common::SSH_PUBLIC_KEY)
        .send()
        .await
        .unwrap();
    sdk.upload_signing_certificate()
        .user_name(name)
        .certificate_body(common::CERTIFICATE)
        .send()
        .await
        .unwrap();
    sdk.create_service_specific_credential()
        .user_name(name)
        .service_name("codecommit.amazonaws.com")
        .send()
        .await
        .unwrap();
    let serial = sdk
        .create_virtual_mfa_device()
        .virtual_mfa_device_name(format!("{name}-phone"))
        .send()
        .await
        .unwrap()
        .virtual_mfa_device()
        .unwrap()
        .serial_number()
        .to_string();
    sdk.enable_mfa_device()
        .user_name(name)
        .serial_number(&serial)
        .authentication_code1("123456")
        .authentication_code2("654321")
        .send()
        .await
        .unwrap();
    for i in 1..=3 {
        sdk.put_user_policy()
            .user_name(name)
            .policy_name(format!("inline-{i}"))
            .policy_document(common::allow("s3:GetObject").to_string())
            .send()
            .await
            .unwrap();
        let arn = create_policy(&moto.sdk(), &format!("{name}-managed-{i}")).await;
        sdk.attach_user_policy()
            .user_name(name)
            .policy_arn(&arn)
            .send()
            .await
            .unwrap();
        let group = format!("{name}-group-{i}");
        sdk.create_group().group_name(&group).send().await.unwrap();
        sdk.add_user_to_group()
            .group_name(&group)
            .user_name(name)
            .send()
            .await
            .unwrap();
    }
    (keys, serial)
}

#[tokio::test]
async fn user_with_every_kind_of_credential_is_force_deleted() {
    let moto = Moto::start();
    let front = common::front::Front::start(&moto.endpoint()).await;
    let (keys, serial) = loaded_user(&moto, &front, "leaver").await;
    let sdk = front.sdk();
    let server = Server::start_env(WRITE, server_env(Some(&front.endpoint()))).await;

    // The plan names every item, and changes nothing.
    let plan = server
        .ok(
            "delete_user",
            json!({"user_name": "leaver", "force": true, "dry_run": true}),
        )
        .await;
    let targets = |kind: &str| -> Vec<String> {
        plan["Plan"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["Kind"] == kind)
            .map(|s| s["Target"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(targets("console password"), ["leaver"]);
    assert_eq!(sorted(targets("access keys")), sorted(keys.clone()));
    assert_eq!(targets("signing certificates").len(), 1);
    assert_eq!(targets("SSH public keys").len(), 1);
    assert_eq!(targets("service-specific credentials").len(), 1);
    assert_eq!(
        targets("MFA devices (deactivated)"),
        std::slice::from_ref(&serial)
    );
    assert_eq!(
        targets("virtual MFA devices"),
        std::slice::from_ref(&serial)
    );
    assert_eq!(
        targets("inline policies"),
        ["inline-1", "inline-2", "inline-3"]
    );
    assert_eq!(targets("attached managed policies").len(), 3);
    assert_eq!(
        targets("group memberships"),
        ["leaver-group-1", "leaver-group-2", "leaver-group-3"]
    );
    assert_eq!(targets("DeleteUser"), ["leaver"]);
    assert_eq!(plan["Plan"].as_array().unwrap().len(), 18, "{plan}");
    assert_eq!(
        sdk.list_access_keys()
            .user_name("leaver")
            .send()
            .await
            .unwrap()
            .access_key_metadata()
            .len(),
        2,
        "the dry run changed keys"
    );
    assert_eq!(
        sdk.list_groups_for_user()
            .user_name("leaver")
            .send()
            .await
            .unwrap()
            .groups()
            .len(),
        3,
        "the dry run changed groups"
    );
    sdk.get_login_profile()
        .user_name("leaver")
        .send()
        .await
        .expect("the dry run removed the password");

    let done = server
        .ok("delete_user", json!({"user_name": "leaver", "force": true}))
        .await;
    assert_eq!(done["Steps"], plan["Plan"], "the steps done are the plan");
    assert_eq!(
        common::code(&sdk.get_user().user_name("leaver").send().await.unwrap_err()),
        "NoSuchEntity"
    );
    // What outlives the user is gone or detached too.
    let devices = sdk.list_virtual_mfa_devices().send().await.unwrap();
    assert!(
        devices
            .virtual_mfa_devices()
            .iter()
            .all(|d| d.serial_number() != serial),
        "the virtual MFA device is left"
    );
    for i in 1..=3 {
        let group = sdk
            .get_group()
            .group_name(format!("leaver-group-{i}"))
            .send()
            .await
            .unwrap();
        assert!(group.users().is_empty());
    }
    let policies = sdk
        .list_policies()
        .scope(aws_sdk_iam::types::PolicyScopeType::Local)
        .send()
        .await
        .unwrap();
    for p in policies.policies().iter().filter(|p| {
        p.policy_name()
            .unwrap_or_default()
            .starts_with("leaver-managed")
    }) {
        assert_eq!(
            p.attachment_count(),
            Some(0),
            "{:?} still attached",
            p.policy_name()
        );
    }
    let creds = sdk
        .list_service_specific_credentials()
        .user_name("leaver")
        .send()
        .await;
    assert!(
        creds
            .map(|c| c.service_specific_credentials().is_empty())
            .unwrap_or(true),
        "a service-specific credential is left"
    );
    // And each credential was removed by its own call, before DeleteUser (moto would drop them with the user).
    let actions = front.actions();
    let delete_user_at = actions.iter().position(|a| a == "DeleteUser").unwrap();
    for action in [
        "DeleteLoginProfile",
        "DeleteSigningCertificate",
        "DeleteSSHPublicKey",
        "DeleteServiceSpecificCredential",
        "DeactivateMFADevice",
        "DeleteVirtualMFADevice",
    ] {
        assert!(
            actions[..delete_user_at].contains(&action.to_string()),
            "{action} was not called before DeleteUser: {actions:?}"
        );
    }
    assert_eq!(
        actions[..delete_user_at]
            .iter()
            .filter(|a| *a == "DeleteAccessKey")
            .count(),
        2
    );
    common::check_actions_are_declared(server).await;
}

#[tokio::test]
async fn a_failed_step_is_reported_with_what_ran_and_a_rerun_completes() {
    let moto = Moto::start();
    let front = common::front::Front::start(&moto.endpoint()).await;
    let sdk = front.sdk();
    sdk.create_user().user_name("stuck").send().await.unwrap();
    for _ in 0..2 {
        sdk.create_access_key()
            .user_name("stuck")
            .send()
            .await
            .unwrap();
    }
    for name in ["first", "second"] {
        sdk.put_user_policy()
            .user_name("stuck")
            .policy_name(name)
            .policy_document(common::allow("s3:GetObject").to_string())
            .send()
            .await
            .unwrap();
    }
    sdk.create_group()
        .group_name("stuck-team")
        .send()
        .await
        .unwrap();
    sdk.add_user_to_group()
        .group_name("stuck-team")
        .user_name("stuck")
        .send()
        .await
        .unwrap();
    front.fail(
        "DeleteUserPolicy",
        "PolicyName=second",
        1,
        "AccessDenied",
        "User: arn:aws:iam::123456789012:user/operator is not authorized to perform: iam:DeleteUserPolicy on resource: user stuck",
    );

    let server = Server::start_env(WRITE, server_env(Some(&front.endpoint()))).await;
    let failed = server
        .err("delete_user", json!({"user_name": "stuck", "force": true}))
        .await;
    assert!(failed.contains("delete_user stopped at step 4 of 6: inline policies second (iam:DeleteUserPolicy) failed"), "{failed}");
    assert!(
        failed.contains("Done (3):\n- access keys (2): ")
            && failed.contains("- inline policies (1): first"),
        "{failed}"
    );
    assert!(
        failed.contains(
            "Not attempted (2):\n- group memberships (1): stuck-team\n- DeleteUser (1): stuck"
        ),
        "{failed}"
    );
    assert!(failed.contains("AWS error code: AccessDenied"), "{failed}");
    // Exactly that happened.
    assert!(
        sdk.list_access_keys()
            .user_name("stuck")
            .send()
            .await
            .unwrap()
            .access_key_metadata()
            .is_empty()
    );
    assert_eq!(
        sdk.list_user_policies()
            .user_name("stuck")
            .send()
            .await
            .unwrap()
            .policy_names(),
        ["second"]
    );
    assert_eq!(
        sdk.list_groups_for_user()
            .user_name("stuck")
            .send()
            .await
            .unwrap()
            .groups()
            .len(),
        1
    );

    // The re-run finishes; an item someone else removed meanwhile counts as done.
    front.fail(
        "RemoveUserFromGroup",
        "",
        1,
        "NoSuchEntity",
        "The user with name stuck cannot be found in group stuck-team.",
    );
    let done = server
        .ok("delete_user", json!({"user_name": "stuck", "force": true}))
        .await;
    assert_eq!(
        kinds(&done["Steps"]),
        ["inline policies", "group memberships", "DeleteUser"],
        "{done}"
    );
    let message = done["Message"].as_str().unwrap();
    assert!(
        message.contains(
            "Removed first: 1 inline policies, 1 group memberships. (1 of them were already gone.)"
        ),
        "{message}"
    );
    assert_eq!(
        common::code(&sdk.get_user().user_name("stuck").send().await.unwrap_err()),
        "NoSuchEntity"
    );
}

/// Who has `arn` as a permissions boundary, as the front door records it (moto holds no
/// user boundary and lists no boundary use): (users, roles), sorted.
async fn boundary_uses(sdk: &aws_sdk_iam::Client, arn: &str) -> (Vec<String>, Vec<String>) {
    let out = sdk
        .list_entities_for_policy()
        .policy_arn(arn)
        .policy_usage_filter(aws_sdk_iam::types::PolicyUsageType::PermissionsBoundary)
        .send()
        .await
        .unwrap();
    let users = out
        .policy_users()
        .iter()
        .filter_map(|u| u.user_name())
        .map(str::to_string)
        .collect();
    let roles = out
        .policy_roles()
        .iter()
        .filter_map(|r| r.role_name())
        .map(str::to_string)
        .collect();
    (sorted(users), sorted(roles))
}

/// Every ListEntitiesForPolicy the server sent said which use of the policy it lists: without
/// PolicyUsageFilter IAM lists attachments and boundary uses together.
fn every_listing_is_filtered(front: &common::front::Front) {
    let listings: Vec<String> = front
        .actions()
        .into_iter()
        .zip(front.bodies())
        .filter(|(action, _)| action == "ListEntitiesForPolicy")
        .map(|(_, body)| body)
        .collect();
    assert!(!listings.is_empty(), "no ListEntitiesForPolicy was sent");
    for body in listings {
        assert!(
            body.contains("PolicyUsageFilter=PermissionsPolicy")
                || body.contains("PolicyUsageFilter=PermissionsBoundary"),
            "a listing without PolicyUsageFilter: {body}"
        );
    }
}

#[tokio::test]
async fn policy_attached_and_used_as_boundaries_is_force_deleted() {
    let moto = Moto::start();
    let front = common::front::Front::start(&moto.endpoint()).await;
    let sdk = front.sdk();
    let arn = create_policy(&sdk, "capped").await;
    // Attached to a user, a group and a role ...
    sdk.create_user().user_name("ann").send().await.unwrap();
    sdk.attach_user_policy()
        .user_name("ann")
        .policy_arn(&arn)
        .send()
        .await
        .unwrap();
    sdk.create_group().group_name("team").send().await.unwrap();
    sdk.attach_group_policy()
        .group_name("team")
        .policy_arn(&arn)
        .send()
        .await
        .unwrap();
    sdk.create_role()
        .role_name("worker")
        .assume_role_policy_document(trust("lambda.amazonaws.com").to_string())
        .send()
        .await
        .unwrap();
    sdk.attach_role_policy()
        .role_name("worker")
        .policy_arn(&arn)
        .send()
        .await
        .unwrap();
    // ... and the permissions boundary of another user and another role.
    sdk.create_user().user_name("bea").send().await.unwrap();
    sdk.put_user_permissions_boundary()
        .user_name("bea")
        .permissions_boundary(&arn)
        .send()
        .await
        .unwrap();
    sdk.create_role()
        .role_name("runner")
        .assume_role_policy_document(trust("ecs-tasks.amazonaws.com").to_string())
        .send()
        .await
        .unwrap();
    sdk.put_role_permissions_boundary()
        .role_name("runner")
        .permissions_boundary(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(
        boundary_uses(&sdk, &arn).await,
        (vec!["bea".to_string()], vec!["runner".to_string()])
    );
    let bea = sdk.get_user().user_name("bea").send().await.unwrap();
    assert_eq!(
        bea.user()
            .unwrap()
            .permissions_boundary()
            .and_then(|b| b.permissions_boundary_arn()),
        Some(arn.as_str())
    );

    let server = Server::start_env(WRITE, server_env(Some(&front.endpoint()))).await;
    // The dry run names every step, boundary removals included, and changes nothing.
    let plan = server
        .ok(
            "delete_policy",
            json!({"policy_arn": arn, "force": true, "dry_run": true}),
        )
        .await;
    let step = |kind: &str, action: &str, target: &str| json!({"Kind": kind, "Action": action, "Target": target});
    assert_eq!(
        plan["Plan"],
        json!([
            step("attachments to users", "iam:DetachUserPolicy", "ann"),
            step("attachments to groups", "iam:DetachGroupPolicy", "team"),
            step("attachments to roles", "iam:DetachRolePolicy", "worker"),
            step(
                "permissions boundaries of users",
                "iam:DeleteUserPermissionsBoundary",
                "bea"
            ),
            step(
                "permissions boundaries of roles",
                "iam:DeleteRolePermissionsBoundary",
                "runner"
            ),
            step("DeletePolicy", "iam:DeletePolicy", &arn),
        ]),
        "{plan}"
    );
    assert_eq!(
        plan["Message"],
        format!(
            "Dry run: nothing was changed. With these arguments (without dry_run) the tool would run 6 steps, in this order:\n\
             - attachments to users (1): ann\n\
             - attachments to groups (1): team\n\
             - attachments to roles (1): worker\n\
             - permissions boundaries of users (1): bea\n\
             - permissions boundaries of roles (1): runner\n\
             - DeletePolicy (1): {arn}"
        )
    );
    assert_eq!(
        boundary_uses(&sdk, &arn).await,
        (vec!["bea".to_string()], vec!["runner".to_string()]),
        "the dry run removed a boundary"
    );
    assert_eq!(
        sdk.list_attached_user_policies()
            .user_name("ann")
            .send()
            .await
            .unwrap()
            .attached_policies()
            .len(),
        1,
        "the dry run detached"
    );

    let done = server
        .ok("delete_policy", json!({"policy_arn": arn, "force": true}))
        .await;
    assert_eq!(done["Steps"], plan["Plan"], "the steps done are the plan");
    let message = done["Message"].as_str().unwrap();
    assert!(
        message.contains("Removed first: 1 attachments to users, 1 attachments to groups, 1 attachments to roles, 1 permissions boundaries of users, 1 permissions boundaries of roles."),
        "{message}"
    );

    // Independent reads: the policy is gone, attached nowhere, nobody's boundary.
    assert_eq!(
        common::code(&sdk.get_policy().policy_arn(&arn).send().await.unwrap_err()),
        "NoSuchEntity"
    );
    assert!(
        sdk.list_attached_user_policies()
            .user_name("ann")
            .send()
            .await
            .unwrap()
            .attached_policies()
            .is_empty()
    );
    assert!(
        sdk.list_attached_group_policies()
            .group_name("team")
            .send()
            .await
            .unwrap()
            .attached_policies()
            .is_empty()
    );
    assert!(
        sdk.list_attached_role_policies()
            .role_name("worker")
            .send()
            .await
            .unwrap()
            .attached_policies()
            .is_empty()
    );
    let bea = sdk.get_user().user_name("bea").send().await.unwrap();
    assert!(
        bea.user().unwrap().permissions_boundary().is_none(),
        "bea still has a boundary: {bea:?}"
    );
    let runner = moto
        .sdk()
        .get_role()
        .role_name("runner")
        .send()
        .await
        .unwrap();
    assert!(
        runner.role().unwrap().permissions_boundary().is_none(),
        "runner still has a boundary: {runner:?}"
    );
    // The entities themselves stay.
    for user in ["ann", "bea"] {
        sdk.get_user().user_name(user).send().await.unwrap();
    }
    for role in ["worker", "runner"] {
        sdk.get_role().role_name(role).send().await.unwrap();
    }
    every_listing_is_filtered(&front);
    common::check_actions_are_declared(server).await;
}

#[tokio::test]
async fn a_policy_used_only_as_a_boundary_no_longer_ends_in_delete_conflict() {
    let moto = Moto::start();
    let front = common::front::Front::start(&moto.endpoint()).await;
    let sdk = front.sdk();
    let arn = create_policy(&sdk, "fence").await;
    sdk.create_user().user_name("cara").send().await.unwrap();
    sdk.put_user_permissions_boundary()
        .user_name("cara")
        .permissions_boundary(&arn)
        .send()
        .await
        .unwrap();

    let server = Server::start_env(WRITE, server_env(Some(&front.endpoint()))).await;
    // What the old plan ended in: IAM refuses to delete a policy that is still a boundary.
    let refused = server
        .err("delete_policy", json!({"policy_arn": arn}))
        .await;
    assert!(
        refused.contains("Cannot delete a policy attached to entities.")
            && refused.contains("DeleteConflict"),
        "{refused}"
    );

    let done = server
        .ok("delete_policy", json!({"policy_arn": arn, "force": true}))
        .await;
    assert_eq!(
        done["Steps"],
        json!([
            {"Kind": "permissions boundaries of users", "Action": "iam:DeleteUserPermissionsBoundary", "Target": "cara"},
            {"Kind": "DeletePolicy", "Action": "iam:DeletePolicy", "Target": arn},
        ]),
        "{done}"
    );
    assert_eq!(
        common::code(&sdk.get_policy().policy_arn(&arn).send().await.unwrap_err()),
        "NoSuchEntity"
    );
    let cara = sdk.get_user().user_name("cara").send().await.unwrap();
    assert!(
        cara.user().unwrap().permissions_boundary().is_none(),
        "{cara:?}"
    );
    // No detach was aimed at cara (IAM would answer NoSuchEntity: nothing is attached), and
    // the one DeletePolicy of the force delete went through.
    let actions = front.actions();
    assert!(
        !actions.iter().any(|a| a.starts_with("Detach")),
        "{actions:?}"
    );
    let forced: Vec<&String> = actions
        .iter()
        .skip_while(|a| *a != "DeleteUserPermissionsBoundary")
        .collect();
    assert_eq!(
        forced.iter().filter(|a| **a == "DeletePolicy").count(),
        1,
        "{actions:?}"
    );
    every_listing_is_filtered(&front);
    common::check_actions_are_declared(server).await;
}
