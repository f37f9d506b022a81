//! The user and group tools end to end: the real binary over stdio against moto, every
//! effect checked with an independent SDK client, every AWS call the run made checked
//! against the server's own permissions policy.

use crate::common;

use common::{Moto, Server, create_policy, names, recorded_actions, run_cli};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread")]
async fn every_user_and_group_tool_against_moto() {
    let moto = Moto::start();
    let sdk = moto.sdk();
    let server = Server::start(&moto, &["--allow-write"]).await;
    let dev_policy = create_policy(&sdk, "DeveloperPolicy").await;
    let s3_policy = create_policy(&sdk, "S3ReadAccess").await;

    // create_user, with path and boundary, as the brief's onboarding does.
    let created = server
        .ok("create_user", json!({"user_name": "alice.nguyen", "path": "/developers/", "permissions_boundary": dev_policy}))
        .await;
    assert_eq!(created["User"]["UserName"], "alice.nguyen");
    assert_eq!(created["User"]["Path"], "/developers/");
    assert_eq!(created["Message"], "Created IAM user alice.nguyen.");
    let user = sdk
        .get_user()
        .user_name("alice.nguyen")
        .send()
        .await
        .unwrap();
    let user = user.user().unwrap();
    assert_eq!(user.path(), "/developers/");
    // moto 5.2.5 drops CreateUser's PermissionsBoundary (its create_user takes no boundary),
    // so the boundary cannot be read back here; the role tools check boundaries on moto.
    assert!(
        created["User"]["CreateDate"]
            .as_str()
            .unwrap()
            .ends_with('Z'),
        "RFC 3339 date: {created}"
    );
    sdk.create_user()
        .user_name("john.doe")
        .send()
        .await
        .unwrap();

    // list_users, with and without a path prefix.
    let all = server.ok("list_users", json!({})).await;
    assert_eq!(
        names(&all["Users"], "UserName"),
        ["alice.nguyen", "john.doe"]
    );
    assert_eq!(all["IsTruncated"], false);
    let devs = server
        .ok(
            "list_users",
            json!({"path_prefix": "/developers/", "max_items": 50}),
        )
        .await;
    assert_eq!(names(&devs["Users"], "UserName"), ["alice.nguyen"]);
    let every_page = server.ok("list_users", json!({"all_pages": true})).await;
    assert_eq!(
        names(&every_page["Users"], "UserName"),
        ["alice.nguyen", "john.doe"]
    );

    // create_group, then membership and policies.
    let group = server
        .ok(
            "create_group",
            json!({"group_name": "Developers", "path": "/teams/"}),
        )
        .await;
    assert_eq!(group["Group"]["Path"], "/teams/");
    let g = sdk
        .get_group()
        .group_name("Developers")
        .send()
        .await
        .unwrap();
    assert_eq!(g.group().unwrap().path(), "/teams/");
    server
        .ok("create_group", json!({"group_name": "Auditors"}))
        .await;

    server
        .ok(
            "add_user_to_group",
            json!({"group_name": "Developers", "user_name": "alice.nguyen"}),
        )
        .await;
    server
        .ok(
            "add_user_to_group",
            json!({"group_name": "Developers", "user_name": "john.doe"}),
        )
        .await;
    server
        .ok(
            "add_user_to_group",
            json!({"group_name": "Auditors", "user_name": "john.doe"}),
        )
        .await;
    let members = sdk
        .get_group()
        .group_name("Developers")
        .send()
        .await
        .unwrap();
    let mut member_names: Vec<&str> = members.users().iter().map(|u| u.user_name()).collect();
    member_names.sort();
    assert_eq!(member_names, ["alice.nguyen", "john.doe"]);

    let attached = server
        .ok(
            "attach_group_policy",
            json!({"group_name": "Developers", "policy_arn": dev_policy}),
        )
        .await;
    assert_eq!(
        attached["Message"],
        format!("Attached {dev_policy} to group Developers.")
    );
    server
        .ok(
            "attach_group_policy",
            json!({"group_name": "Developers", "policy_arn": s3_policy}),
        )
        .await;
    let on_group = sdk
        .list_attached_group_policies()
        .group_name("Developers")
        .send()
        .await
        .unwrap();
    assert_eq!(on_group.attached_policies().len(), 2);

    // Things the server did not do, to read back through it.
    sdk.attach_user_policy()
        .user_name("john.doe")
        .policy_arn(&s3_policy)
        .send()
        .await
        .unwrap();
    sdk.put_user_policy()
        .user_name("john.doe")
        .policy_name("CustomS3Access")
        .policy_document(json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}).to_string())
        .send()
        .await
        .unwrap();
    sdk.put_group_policy()
        .group_name("Developers")
        .policy_name("TeamInline")
        .policy_document(json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}).to_string())
        .send()
        .await
        .unwrap();
    let key = sdk
        .create_access_key()
        .user_name("john.doe")
        .send()
        .await
        .unwrap();
    let key_id = key.access_key().unwrap().access_key_id().to_string();

    // get_user: the user and everything attached, as the brief shows.
    let john = server
        .ok("get_user", json!({"user_name": "john.doe"}))
        .await;
    assert_eq!(john["User"]["UserName"], "john.doe");
    assert_eq!(
        names(&john["Groups"], "GroupName"),
        ["Auditors", "Developers"]
    );
    assert_eq!(
        names(&john["AttachedPolicies"], "PolicyName"),
        ["S3ReadAccess"]
    );
    assert_eq!(john["InlinePolicyNames"], json!(["CustomS3Access"]));
    assert_eq!(john["AccessKeys"][0]["AccessKeyId"], key_id.as_str());
    assert_eq!(john["AccessKeys"][0]["Status"], "Active");
    assert!(john.get("SecretAccessKey").is_none() && !john.to_string().contains("SecretAccessKey"));

    // list_groups_for_user.
    let groups = server
        .ok("list_groups_for_user", json!({"user_name": "john.doe"}))
        .await;
    assert_eq!(
        names(&groups["Groups"], "GroupName"),
        ["Auditors", "Developers"]
    );

    // list_groups and get_group: members, attached policies, inline names.
    let listed = server.ok("list_groups", json!({})).await;
    assert_eq!(
        names(&listed["Groups"], "GroupName"),
        ["Auditors", "Developers"]
    );
    // moto 5.2.5 ignores ListGroups' PathPrefix (it returns every group), so only the
    // call's success and the group's path are checked here.
    let teams = server
        .ok("list_groups", json!({"path_prefix": "/teams/"}))
        .await;
    assert!(
        teams["Groups"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["GroupName"] == "Developers" && g["Path"] == "/teams/")
    );
    let dev = server
        .ok("get_group", json!({"group_name": "Developers"}))
        .await;
    assert_eq!(dev["Group"]["GroupName"], "Developers");
    assert_eq!(
        names(&dev["Users"], "UserName"),
        ["alice.nguyen", "john.doe"]
    );
    assert_eq!(
        names(&dev["AttachedPolicies"], "PolicyName"),
        ["DeveloperPolicy", "S3ReadAccess"]
    );
    assert_eq!(dev["InlinePolicyNames"], json!(["TeamInline"]));

    // detach_group_policy and remove_user_from_group.
    server
        .ok(
            "detach_group_policy",
            json!({"group_name": "Developers", "policy_arn": s3_policy}),
        )
        .await;
    let on_group = sdk
        .list_attached_group_policies()
        .group_name("Developers")
        .send()
        .await
        .unwrap();
    assert_eq!(
        on_group
            .attached_policies()
            .iter()
            .map(|p| p.policy_arn().unwrap())
            .collect::<Vec<_>>(),
        [dev_policy.as_str()]
    );
    server
        .ok(
            "remove_user_from_group",
            json!({"group_name": "Developers", "user_name": "alice.nguyen"}),
        )
        .await;
    let alice_groups = sdk
        .list_groups_for_user()
        .user_name("alice.nguyen")
        .send()
        .await
        .unwrap();
    assert!(alice_groups.groups().is_empty());

    // delete_user and delete_group.
    let deleted = server
        .ok("delete_user", json!({"user_name": "alice.nguyen"}))
        .await;
    assert_eq!(deleted["Message"], "Deleted IAM user alice.nguyen.");
    let gone = sdk
        .get_user()
        .user_name("alice.nguyen")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_sdk_iam::error::ProvideErrorMetadata::code(&gone),
        Some("NoSuchEntity")
    );
    server
        .ok(
            "remove_user_from_group",
            json!({"group_name": "Auditors", "user_name": "john.doe"}),
        )
        .await;
    server
        .ok("delete_group", json!({"group_name": "Auditors"}))
        .await;
    let gone = sdk
        .get_group()
        .group_name("Auditors")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_sdk_iam::error::ProvideErrorMetadata::code(&gone),
        Some("NoSuchEntity")
    );

    // Errors an assistant can act on.
    let missing = server.err("get_user", json!({"user_name": "ghost"})).await;
    assert!(
        missing.starts_with("User 'ghost' not found in account 123456789012."),
        "{missing}"
    );
    assert!(missing.contains("NoSuchEntity"), "{missing}");
    // john.doe still has an attached and an inline policy (moto checks those, not groups).
    let conflict = server
        .err("delete_user", json!({"user_name": "john.doe"}))
        .await;
    assert!(
        conflict.contains("DeleteConflict") && conflict.contains("What to do"),
        "{conflict}"
    );
    let exists = server
        .err("create_user", json!({"user_name": "john.doe"}))
        .await;
    assert!(exists.contains("EntityAlreadyExists"), "{exists}");
    let invalid = server
        .err(
            "create_user",
            json!({"user_name": "bad name!", "path": "no-slashes"}),
        )
        .await;
    assert!(
        invalid.contains("`user_name` is \"bad name!\"")
            && invalid.contains("`path` is \"no-slashes\""),
        "{invalid}"
    );
    let unknown = server.err("list_users", json!({"path_prefx": "/"})).await;
    assert!(
        unknown.contains(
            "`path_prefx` is not an argument of list_users (did you mean `path_prefix`?)"
        ),
        "{unknown}"
    );
    let range = server.err("list_users", json!({"max_items": 5000})).await;
    assert!(
        range.contains("`max_items` is 5000, expected 1 to 1000"),
        "{range}"
    );
    let missing_arg = server.err("get_group", json!({})).await;
    assert!(
        missing_arg.contains("`group_name` is missing: it is required (a string)"),
        "{missing_arg}"
    );

    // Every action the run sent is in the server's own policy, which holds only what the
    // manifest declares.
    let stderr = server.stop().await;
    let called = recorded_actions(&stderr);
    assert!(called.len() >= 15, "recorded actions: {called:?}\n{stderr}");
    let policy: Value = serde_json::from_str(&run_cli(&["--allow-write", "permissions"])).unwrap();
    let allowed: Vec<String> = common::policy_actions(&policy);
    for action in &called {
        assert!(
            allowed.contains(action),
            "{action} was called but is not in `permissions`: {allowed:?}"
        );
    }
}
