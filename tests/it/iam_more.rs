//! The opt-in toolsets: credentials, tags, instance_profiles and account, end to end: the
//! real binary over stdio (`--allow-write --toolsets all`) against moto, every effect (or
//! every read) checked with an independent SDK client.
//!
//! Not verifiable on moto 5.2.5, and checked on recorded IAM responses instead:
//! - list_service_specific_credentials: moto has no ListServiceSpecificCredentials handler
//!   (nothing in moto/iam/responses.py; it answers with an HTML 500).
//! - list_inactive_users' password path: moto never sets a user's PasswordLastUsed (there
//!   is no console sign-in to moto), so users whose last activity is their password are
//!   served from recorded ListUsers responses. Its access-key and never-used paths run on
//!   moto with IAM's clock set back (Moto::start_with_clock), since moto has no API to
//!   backdate a user's CreateDate or a key's last use.

use crate::common;

use aws_sdk_iam::config::{BehaviorVersion, Credentials, Region};
use common::{
    Moto, Server, TempDir, allow, check_actions_are_declared, code, create_policy, names,
    server_env, sorted, trust,
};
use serde_json::{Value, json};
use std::collections::HashMap;

/// An SDK client signing with the given access key (moto records the key's last use).
fn client_as(moto: &Moto, key_id: &str, secret: &str) -> aws_sdk_iam::Client {
    aws_sdk_iam::Client::from_conf(
        aws_sdk_iam::config::Builder::new()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new(key_id, secret, None, None, "test"))
            .endpoint_url(moto.endpoint())
            .http_client(iam_tools::backend::http_client())
            .build(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn credential_tools_against_moto() {
    let moto = Moto::start();
    let sdk = moto.sdk();
    let server = Server::start(&moto, &["--allow-write", "--toolsets", "all"]).await;
    sdk.create_user().user_name("eve").send().await.unwrap();
    let password = "Fz8#kq-Passw0rd-first";
    let new_password = "Zt4!mw-Passw0rd-second";

    // create_login_profile: the password never comes back.
    let created = server
        .ok(
            "create_login_profile",
            json!({"user_name": "eve", "password": password, "password_reset_required": true}),
        )
        .await;
    assert_eq!(created["LoginProfile"]["UserName"], "eve");
    assert_eq!(
        created["Message"],
        "Created a console password for user eve."
    );
    assert!(
        !created.to_string().contains(password),
        "the password was echoed: {created}"
    );
    let profile = sdk
        .get_login_profile()
        .user_name("eve")
        .send()
        .await
        .unwrap();
    assert_eq!(profile.login_profile().unwrap().user_name(), "eve");
    // moto 5.2.5 ignores CreateLoginProfile's PasswordResetRequired (always false); the
    // request carrying it is checked in login_profile_requests_on_recorded_responses.
    assert_eq!(
        created["LoginProfile"]["PasswordResetRequired"],
        profile.login_profile().unwrap().password_reset_required()
    );

    // update_login_profile: new password, reset required (moto honours UpdateLoginProfile's flag).
    let updated = server
        .ok(
            "update_login_profile",
            json!({"user_name": "eve", "password": new_password, "password_reset_required": true}),
        )
        .await;
    assert_eq!(
        updated["Message"],
        "Updated the console password settings of user eve."
    );
    assert!(!updated.to_string().contains(new_password), "{updated}");
    let profile = sdk
        .get_login_profile()
        .user_name("eve")
        .send()
        .await
        .unwrap();
    assert!(profile.login_profile().unwrap().password_reset_required());

    // get_login_profile, compared with the SDK.
    let got = server
        .ok("get_login_profile", json!({"user_name": "eve"}))
        .await;
    assert_eq!(got["LoginProfile"]["UserName"], "eve");
    assert_eq!(got["LoginProfile"]["PasswordResetRequired"], true);
    assert_eq!(
        got["LoginProfile"]["CreateDate"].as_str(),
        Some(iam_tools::codec::rfc3339(profile.login_profile().unwrap().create_date()).as_str())
    );

    // delete_login_profile.
    server
        .ok("delete_login_profile", json!({"user_name": "eve"}))
        .await;
    assert_eq!(
        code(
            &sdk.get_login_profile()
                .user_name("eve")
                .send()
                .await
                .unwrap_err()
        ),
        "NoSuchEntity"
    );
    let missing = server
        .err("get_login_profile", json!({"user_name": "eve"}))
        .await;
    assert!(missing.contains("NoSuchEntity"), "{missing}");

    // MFA: one virtual device assigned to eve, one not.
    let assigned = sdk
        .create_virtual_mfa_device()
        .virtual_mfa_device_name("eve-phone")
        .send()
        .await
        .unwrap();
    let assigned = assigned
        .virtual_mfa_device()
        .unwrap()
        .serial_number()
        .to_string();
    let spare = sdk
        .create_virtual_mfa_device()
        .virtual_mfa_device_name("spare")
        .send()
        .await
        .unwrap();
    let spare = spare
        .virtual_mfa_device()
        .unwrap()
        .serial_number()
        .to_string();
    sdk.enable_mfa_device()
        .user_name("eve")
        .serial_number(&assigned)
        .authentication_code1("123456")
        .authentication_code2("654321")
        .send()
        .await
        .unwrap();

    // list_mfa_devices.
    let mfa = server
        .ok("list_mfa_devices", json!({"user_name": "eve"}))
        .await;
    let from_sdk = sdk
        .list_mfa_devices()
        .user_name("eve")
        .send()
        .await
        .unwrap();
    assert_eq!(
        names(&mfa["MFADevices"], "SerialNumber"),
        sorted(
            from_sdk
                .mfa_devices()
                .iter()
                .map(|d| d.serial_number().to_string())
                .collect()
        )
    );
    assert_eq!(
        names(&mfa["MFADevices"], "SerialNumber"),
        std::slice::from_ref(&assigned)
    );
    assert_eq!(mfa["MFADevices"][0]["UserName"], "eve");
    assert_eq!(mfa["IsTruncated"], false);

    // list_virtual_mfa_devices, by assignment status.
    for (status, expected) in [
        ("Assigned", vec![assigned.clone()]),
        ("Unassigned", vec![spare.clone()]),
        ("Any", sorted(vec![assigned.clone(), spare.clone()])),
    ] {
        let listed = server
            .ok(
                "list_virtual_mfa_devices",
                json!({"assignment_status": status}),
            )
            .await;
        let from_sdk = sdk
            .list_virtual_mfa_devices()
            .assignment_status(aws_sdk_iam::types::AssignmentStatusType::from(status))
            .send()
            .await
            .unwrap();
        let sdk_serials = sorted(
            from_sdk
                .virtual_mfa_devices()
                .iter()
                .map(|d| d.serial_number().to_string())
                .collect(),
        );
        assert_eq!(
            names(&listed["VirtualMFADevices"], "SerialNumber"),
            sdk_serials,
            "{status}"
        );
        assert_eq!(
            names(&listed["VirtualMFADevices"], "SerialNumber"),
            expected,
            "{status}"
        );
    }
    let all = server.ok("list_virtual_mfa_devices", json!({})).await;
    let eve_device = all["VirtualMFADevices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["SerialNumber"] == assigned.as_str())
        .unwrap();
    assert_eq!(eve_device["User"]["UserName"], "eve", "{eve_device}");
    let bad = server
        .err(
            "list_virtual_mfa_devices",
            json!({"assignment_status": "Maybe"}),
        )
        .await;
    assert!(bad.contains("assignment_status"), "{bad}");

    // list_ssh_public_keys.
    let uploaded = sdk
        .upload_ssh_public_key()
        .user_name("eve")
        .ssh_public_key_body(common::SSH_PUBLIC_KEY)
        .send()
        .await
        .unwrap();
    let ssh_id = uploaded
        .ssh_public_key()
        .unwrap()
        .ssh_public_key_id()
        .to_string();
    let keys = server
        .ok("list_ssh_public_keys", json!({"user_name": "eve"}))
        .await;
    let from_sdk = sdk
        .list_ssh_public_keys()
        .user_name("eve")
        .send()
        .await
        .unwrap();
    assert_eq!(
        names(&keys["SSHPublicKeys"], "SSHPublicKeyId"),
        sorted(
            from_sdk
                .ssh_public_keys()
                .iter()
                .map(|k| k.ssh_public_key_id().to_string())
                .collect()
        )
    );
    assert_eq!(names(&keys["SSHPublicKeys"], "SSHPublicKeyId"), [ssh_id]);
    assert_eq!(keys["SSHPublicKeys"][0]["Status"], "Active");

    // list_signing_certificates.
    let cert = sdk
        .upload_signing_certificate()
        .user_name("eve")
        .certificate_body(common::CERTIFICATE)
        .send()
        .await
        .unwrap();
    let cert_id = cert.certificate().unwrap().certificate_id().to_string();
    let certs = server
        .ok("list_signing_certificates", json!({"user_name": "eve"}))
        .await;
    let from_sdk = sdk
        .list_signing_certificates()
        .user_name("eve")
        .send()
        .await
        .unwrap();
    assert_eq!(
        names(&certs["Certificates"], "CertificateId"),
        sorted(
            from_sdk
                .certificates()
                .iter()
                .map(|c| c.certificate_id().to_string())
                .collect()
        )
    );
    assert_eq!(names(&certs["Certificates"], "CertificateId"), [cert_id]);
    assert_eq!(
        certs["Certificates"][0]["CertificateBody"]
            .as_str()
            .map(str::trim),
        Some(common::CERTIFICATE.trim())
    );

    // The passwords never reach the log.
    let stderr = check_actions_are_declared(server).await;
    assert!(
        !stderr.contains(password) && !stderr.contains(new_password),
        "a password was logged"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn tag_tools_against_moto() {
    let moto = Moto::start();
    let sdk = moto.sdk();
    let server = Server::start(&moto, &["--allow-write", "--toolsets", "all"]).await;
    sdk.create_user().user_name("tina").send().await.unwrap();
    sdk.create_role()
        .role_name("tagged-role")
        .assume_role_policy_document(trust("ec2.amazonaws.com").to_string())
        .send()
        .await
        .unwrap();
    let policy = create_policy(&sdk, "TaggedPolicy").await;
    let tags = json!([{"Key": "team", "Value": "data"}, {"Key": "env", "Value": "prod"}]);
    let pairs = |t: &[aws_sdk_iam::types::Tag]| -> Vec<(String, String)> {
        let mut p: Vec<(String, String)> = t
            .iter()
            .map(|t| (t.key().to_string(), t.value().to_string()))
            .collect();
        p.sort();
        p
    };
    let listed_pairs = |v: &Value| -> Vec<(String, String)> {
        let mut p: Vec<(String, String)> = v["Tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["Key"].as_str().unwrap().to_string(),
                    t["Value"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        p.sort();
        p
    };
    let both = vec![
        ("env".to_string(), "prod".to_string()),
        ("team".to_string(), "data".to_string()),
    ];
    let team_only = vec![("team".to_string(), "data".to_string())];

    // Users.
    let msg = server
        .ok("tag_user", json!({"user_name": "tina", "tags": tags}))
        .await;
    assert_eq!(msg["Message"], "Tagged user tina.");
    assert_eq!(
        pairs(
            sdk.list_user_tags()
                .user_name("tina")
                .send()
                .await
                .unwrap()
                .tags()
        ),
        both
    );
    assert_eq!(
        listed_pairs(
            &server
                .ok("list_user_tags", json!({"user_name": "tina"}))
                .await
        ),
        both
    );
    server
        .ok(
            "untag_user",
            json!({"user_name": "tina", "tag_keys": ["env"]}),
        )
        .await;
    assert_eq!(
        pairs(
            sdk.list_user_tags()
                .user_name("tina")
                .send()
                .await
                .unwrap()
                .tags()
        ),
        team_only
    );

    // Roles.
    server
        .ok(
            "tag_role",
            json!({"role_name": "tagged-role", "tags": tags}),
        )
        .await;
    assert_eq!(
        pairs(
            sdk.list_role_tags()
                .role_name("tagged-role")
                .send()
                .await
                .unwrap()
                .tags()
        ),
        both
    );
    assert_eq!(
        listed_pairs(
            &server
                .ok("list_role_tags", json!({"role_name": "tagged-role"}))
                .await
        ),
        both
    );
    server
        .ok(
            "untag_role",
            json!({"role_name": "tagged-role", "tag_keys": ["env"]}),
        )
        .await;
    assert_eq!(
        pairs(
            sdk.list_role_tags()
                .role_name("tagged-role")
                .send()
                .await
                .unwrap()
                .tags()
        ),
        team_only
    );

    // Managed policies.
    server
        .ok("tag_policy", json!({"policy_arn": policy, "tags": tags}))
        .await;
    assert_eq!(
        pairs(
            sdk.list_policy_tags()
                .policy_arn(&policy)
                .send()
                .await
                .unwrap()
                .tags()
        ),
        both
    );
    assert_eq!(
        listed_pairs(
            &server
                .ok("list_policy_tags", json!({"policy_arn": policy}))
                .await
        ),
        both
    );
    server
        .ok(
            "untag_policy",
            json!({"policy_arn": policy, "tag_keys": ["env", "team"]}),
        )
        .await;
    assert!(
        sdk.list_policy_tags()
            .policy_arn(&policy)
            .send()
            .await
            .unwrap()
            .tags()
            .is_empty()
    );

    let bad = server.err("tag_user", json!({"user_name": "tina"})).await;
    assert!(bad.contains("tags"), "{bad}");
    check_actions_are_declared(server).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn instance_profile_tools_against_moto() {
    let moto = Moto::start();
    let sdk = moto.sdk();
    let server = Server::start(&moto, &["--allow-write", "--toolsets", "all"]).await;
    sdk.create_role()
        .role_name("web-role")
        .assume_role_policy_document(trust("ec2.amazonaws.com").to_string())
        .send()
        .await
        .unwrap();
    sdk.create_instance_profile()
        .instance_profile_name("other")
        .path("/other/")
        .send()
        .await
        .unwrap();

    // create_instance_profile.
    let created = server
        .ok("create_instance_profile", json!({"instance_profile_name": "web", "path": "/web/", "tags": [{"Key": "app", "Value": "web"}]}))
        .await;
    assert_eq!(created["InstanceProfile"]["InstanceProfileName"], "web");
    assert_eq!(created["Message"], "Created instance profile web.");
    let got = sdk
        .get_instance_profile()
        .instance_profile_name("web")
        .send()
        .await
        .unwrap();
    assert_eq!(got.instance_profile().unwrap().path(), "/web/");
    assert_eq!(
        got.instance_profile().unwrap().instance_profile_id(),
        created["InstanceProfile"]["InstanceProfileId"]
            .as_str()
            .unwrap()
    );

    // add_role_to_instance_profile.
    server
        .ok(
            "add_role_to_instance_profile",
            json!({"instance_profile_name": "web", "role_name": "web-role"}),
        )
        .await;
    let got = sdk
        .get_instance_profile()
        .instance_profile_name("web")
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.instance_profile()
            .unwrap()
            .roles()
            .iter()
            .map(|r| r.role_name())
            .collect::<Vec<_>>(),
        ["web-role"]
    );

    // get_instance_profile: its role with the trust policy decoded.
    let profile = server
        .ok(
            "get_instance_profile",
            json!({"instance_profile_name": "web"}),
        )
        .await;
    assert_eq!(
        names(&profile["InstanceProfile"]["Roles"], "RoleName"),
        ["web-role"]
    );
    assert_eq!(
        profile["InstanceProfile"]["Roles"][0]["AssumeRolePolicyDocument"],
        trust("ec2.amazonaws.com")
    );

    // list_instance_profiles (all, by path), list_instance_profiles_for_role.
    let all = server.ok("list_instance_profiles", json!({})).await;
    let from_sdk = sdk.list_instance_profiles().send().await.unwrap();
    assert_eq!(
        names(&all["InstanceProfiles"], "InstanceProfileName"),
        sorted(
            from_sdk
                .instance_profiles()
                .iter()
                .map(|p| p.instance_profile_name().to_string())
                .collect()
        )
    );
    assert_eq!(
        names(&all["InstanceProfiles"], "InstanceProfileName"),
        ["other", "web"]
    );
    // moto 5.2.5 ignores ListInstanceProfiles' PathPrefix (returns every profile), so the
    // filtered call is compared with the SDK's same call, and the request is checked below.
    let web = server
        .ok("list_instance_profiles", json!({"path_prefix": "/web/"}))
        .await;
    let from_sdk = sdk
        .list_instance_profiles()
        .path_prefix("/web/")
        .send()
        .await
        .unwrap();
    assert_eq!(
        names(&web["InstanceProfiles"], "InstanceProfileName"),
        sorted(
            from_sdk
                .instance_profiles()
                .iter()
                .map(|p| p.instance_profile_name().to_string())
                .collect()
        )
    );
    let for_role = server
        .ok(
            "list_instance_profiles_for_role",
            json!({"role_name": "web-role"}),
        )
        .await;
    let from_sdk = sdk
        .list_instance_profiles_for_role()
        .role_name("web-role")
        .send()
        .await
        .unwrap();
    assert_eq!(
        names(&for_role["InstanceProfiles"], "InstanceProfileName"),
        sorted(
            from_sdk
                .instance_profiles()
                .iter()
                .map(|p| p.instance_profile_name().to_string())
                .collect()
        )
    );
    assert_eq!(
        names(&for_role["InstanceProfiles"], "InstanceProfileName"),
        ["web"]
    );

    // remove_role_from_instance_profile, delete_instance_profile.
    server
        .ok(
            "remove_role_from_instance_profile",
            json!({"instance_profile_name": "web", "role_name": "web-role"}),
        )
        .await;
    let got = sdk
        .get_instance_profile()
        .instance_profile_name("web")
        .send()
        .await
        .unwrap();
    assert!(got.instance_profile().unwrap().roles().is_empty());
    server
        .ok(
            "delete_instance_profile",
            json!({"instance_profile_name": "web"}),
        )
        .await;
    assert_eq!(
        code(
            &sdk.get_instance_profile()
                .instance_profile_name("web")
                .send()
                .await
                .unwrap_err()
        ),
        "NoSuchEntity"
    );
    assert!(
        sdk.get_instance_profile()
            .instance_profile_name("other")
            .send()
            .await
            .is_ok()
    );
    check_actions_are_declared(server).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn account_tools_against_moto() {
    let moto = Moto::start();
    let sdk = moto.sdk();
    let server = Server::start(&moto, &["--allow-write", "--toolsets", "all"]).await;
    sdk.create_user().user_name("ann").send().await.unwrap();
    sdk.create_group().group_name("devs").send().await.unwrap();
    sdk.add_user_to_group()
        .group_name("devs")
        .user_name("ann")
        .send()
        .await
        .unwrap();
    sdk.put_user_policy()
        .user_name("ann")
        .policy_name("Inline")
        .policy_document(allow("s3:ListBucket").to_string())
        .send()
        .await
        .unwrap();
    sdk.create_role()
        .role_name("svc")
        .assume_role_policy_document(trust("lambda.amazonaws.com").to_string())
        .send()
        .await
        .unwrap();
    sdk.put_role_policy()
        .role_name("svc")
        .policy_name("Logs")
        .policy_document(allow("logs:*").to_string())
        .send()
        .await
        .unwrap();
    let local = create_policy(&sdk, "LocalRead").await;
    sdk.attach_group_policy()
        .group_name("devs")
        .policy_arn(&local)
        .send()
        .await
        .unwrap();

    // get_account_summary: the same numbers as the SDK's SummaryMap.
    let summary = server.ok("get_account_summary", json!({})).await;
    let from_sdk = sdk.get_account_summary().send().await.unwrap();
    let from_sdk = from_sdk.summary_map().unwrap();
    assert!(!from_sdk.is_empty());
    for (key, value) in from_sdk {
        assert_eq!(
            summary["SummaryMap"][key.as_str()],
            json!(value),
            "{key:?} in {summary}"
        );
    }
    assert_eq!(
        summary["SummaryMap"].as_object().unwrap().len(),
        from_sdk.len()
    );
    assert_eq!(summary["SummaryMap"]["Users"], 1);
    assert_eq!(summary["SummaryMap"]["Groups"], 1);

    // get_account_password_policy: none yet, then the one the SDK set.
    let none = server.err("get_account_password_policy", json!({})).await;
    assert!(none.contains("NoSuchEntity"), "{none}");
    sdk.update_account_password_policy()
        .minimum_password_length(14)
        .require_symbols(true)
        .require_numbers(true)
        .max_password_age(90)
        .password_reuse_prevention(5)
        .send()
        .await
        .unwrap();
    let policy = server.ok("get_account_password_policy", json!({})).await;
    let from_sdk = sdk.get_account_password_policy().send().await.unwrap();
    let from_sdk = from_sdk.password_policy().unwrap();
    assert_eq!(
        policy["PasswordPolicy"]["MinimumPasswordLength"],
        json!(from_sdk.minimum_password_length())
    );
    assert_eq!(policy["PasswordPolicy"]["MinimumPasswordLength"], 14);
    assert_eq!(policy["PasswordPolicy"]["RequireSymbols"], true);
    assert_eq!(
        policy["PasswordPolicy"]["RequireUppercaseCharacters"],
        from_sdk.require_uppercase_characters()
    );
    assert_eq!(policy["PasswordPolicy"]["MaxPasswordAge"], 90);
    assert_eq!(policy["PasswordPolicy"]["PasswordReusePrevention"], 5);
    assert_eq!(
        policy["PasswordPolicy"]["ExpirePasswords"],
        from_sdk.expire_passwords()
    );

    // list_account_aliases.
    assert_eq!(
        server.ok("list_account_aliases", json!({})).await["AccountAliases"],
        json!([])
    );
    sdk.create_account_alias()
        .account_alias("acme-prod")
        .send()
        .await
        .unwrap();
    let aliases = server.ok("list_account_aliases", json!({})).await;
    let from_sdk = sdk.list_account_aliases().send().await.unwrap();
    assert_eq!(aliases["AccountAliases"], json!(from_sdk.account_aliases()));
    assert_eq!(aliases["AccountAliases"], json!(["acme-prod"]));

    // get_account_authorization_details: every entity type, documents decoded.
    let details = server
        .ok("get_account_authorization_details", json!({}))
        .await;
    let from_sdk = sdk
        .get_account_authorization_details()
        .send()
        .await
        .unwrap();
    assert_eq!(
        names(&details["UserDetailList"], "UserName"),
        sorted(
            from_sdk
                .user_detail_list()
                .iter()
                .map(|u| u.user_name().unwrap().to_string())
                .collect()
        )
    );
    assert_eq!(
        names(&details["GroupDetailList"], "GroupName"),
        sorted(
            from_sdk
                .group_detail_list()
                .iter()
                .map(|g| g.group_name().unwrap().to_string())
                .collect()
        )
    );
    assert_eq!(
        names(&details["RoleDetailList"], "RoleName"),
        sorted(
            from_sdk
                .role_detail_list()
                .iter()
                .map(|r| r.role_name().unwrap().to_string())
                .collect()
        )
    );
    // moto 5.2.5 leaves PolicyName and PolicyId out of the Policies list: compared by Arn.
    assert_eq!(
        names(&details["Policies"], "Arn"),
        sorted(
            from_sdk
                .policies()
                .iter()
                .map(|p| p.arn().unwrap().to_string())
                .collect()
        )
    );
    assert_eq!(names(&details["UserDetailList"], "UserName"), ["ann"]);
    assert_eq!(names(&details["RoleDetailList"], "RoleName"), ["svc"]);
    assert!(names(&details["Policies"], "Arn").contains(&local));
    let ann = &details["UserDetailList"][0];
    assert_eq!(ann["GroupList"], json!(["devs"]));
    assert_eq!(ann["UserPolicyList"][0]["PolicyName"], "Inline");
    assert_eq!(
        ann["UserPolicyList"][0]["PolicyDocument"],
        allow("s3:ListBucket")
    );
    let svc = &details["RoleDetailList"][0];
    assert_eq!(
        svc["AssumeRolePolicyDocument"],
        trust("lambda.amazonaws.com")
    );
    assert_eq!(svc["RolePolicyList"][0]["PolicyDocument"], allow("logs:*"));
    let devs = &details["GroupDetailList"][0];
    assert_eq!(
        devs["AttachedManagedPolicies"][0]["PolicyArn"],
        local.as_str()
    );
    let local_detail = details["Policies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["Arn"] == local.as_str())
        .unwrap();
    assert!(
        local_detail["PolicyVersionList"][0]["Document"].is_object(),
        "{local_detail}"
    );
    assert_eq!(details["IsTruncated"], false);
    let roles_only = server
        .ok(
            "get_account_authorization_details",
            json!({"filter": ["Role"]}),
        )
        .await;
    assert_eq!(names(&roles_only["RoleDetailList"], "RoleName"), ["svc"]);
    assert_eq!(roles_only["UserDetailList"], json!([]));
    assert_eq!(roles_only["GroupDetailList"], json!([]));
    let all_pages = server
        .ok(
            "get_account_authorization_details",
            json!({"all_pages": true}),
        )
        .await;
    assert_eq!(names(&all_pages["UserDetailList"], "UserName"), ["ann"]);

    // get_credential_report: generated, waited for, typed; compared with the CSV the SDK reads.
    let key = sdk
        .create_access_key()
        .user_name("ann")
        .send()
        .await
        .unwrap();
    let key = key.access_key().unwrap();
    client_as(&moto, key.access_key_id(), key.secret_access_key())
        .list_users()
        .send()
        .await
        .unwrap();
    let report = server.ok("get_credential_report", json!({})).await;
    let csv = sdk.get_credential_report().send().await.unwrap();
    let csv = String::from_utf8(csv.content().unwrap().as_ref().to_vec()).unwrap();
    let sdk_users: Vec<String> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap().to_string())
        .collect();
    let rows = report["Rows"].as_array().unwrap();
    assert_eq!(
        sorted(
            rows.iter()
                .map(|r| r["user"].as_str().unwrap().to_string())
                .collect()
        ),
        sorted(sdk_users)
    );
    let ann = rows.iter().find(|r| r["user"] == "ann").unwrap();
    let ann_csv: Vec<&str> = csv
        .lines()
        .find(|l| l.starts_with("ann,"))
        .unwrap()
        .split(',')
        .collect();
    assert_eq!(ann["arn"], ann_csv[1]);
    assert_eq!(ann["password_enabled"], false);
    assert_eq!(ann["password_last_used"], Value::Null, "{ann}");
    assert_eq!(ann["mfa_active"], false);
    assert_eq!(ann["access_key_1_active"], true);
    assert_eq!(ann["access_key_2_active"], false);
    assert_eq!(ann["access_key_2_last_rotated"], Value::Null);
    let used = ann["access_key_1_last_used_date"]
        .as_str()
        .expect("key 1 was used");
    assert!(used.ends_with('Z'), "{used}");
    assert_eq!(&used[..19], &ann_csv[10][..19]);
    assert!(ann["user_creation_time"].as_str().unwrap().ends_with('Z'));
    check_actions_are_declared(server).await;
}

/// list_inactive_users(days=90) on moto, with IAM's clock set back to create users and use
/// keys "long ago": exactly the users whose last use (or creation, never used) is older.
#[tokio::test(flavor = "multi_thread")]
async fn list_inactive_users_on_moto_with_known_last_use() {
    let dir = TempDir::new("clock");
    let clock = dir.path().join("days-back");
    let set_clock = |days: u32| std::fs::write(&clock, days.to_string()).unwrap();
    set_clock(200);
    let moto = Moto::start_with_clock(&clock);
    let sdk = moto.sdk();

    // 200 days ago: five users, four with keys.
    let mut keys = HashMap::new();
    for user in ["never-used-old", "stale-key", "two-keys", "active"] {
        sdk.create_user().user_name(user).send().await.unwrap();
    }
    for (user, label) in [
        ("stale-key", "stale"),
        ("two-keys", "a"),
        ("two-keys", "b"),
        ("active", "active"),
    ] {
        let key = sdk
            .create_access_key()
            .user_name(user)
            .send()
            .await
            .unwrap();
        let key = key.access_key().unwrap();
        keys.insert(
            label,
            (
                key.access_key_id().to_string(),
                key.secret_access_key().to_string(),
            ),
        );
    }
    let use_key = |label: &str| {
        let (id, secret) = keys[label].clone();
        let client = client_as(&moto, &id, &secret);
        async move { client.list_users().send().await.unwrap() }
    };
    set_clock(150);
    use_key("a").await;
    set_clock(120);
    use_key("stale").await;
    set_clock(100);
    use_key("b").await;
    set_clock(0);
    use_key("active").await;
    sdk.create_user()
        .user_name("never-used-new")
        .send()
        .await
        .unwrap();

    let server = Server::start(&moto, &["--toolsets", "account"]).await;
    let result = server.ok("list_inactive_users", json!({"days": 90})).await;
    assert_eq!(result["Days"], 90);
    assert_eq!(result["UsersChecked"], 5);
    let inactive = result["InactiveUsers"].as_array().unwrap();
    let order: Vec<&str> = inactive
        .iter()
        .map(|u| u["UserName"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        ["never-used-old", "stale-key", "two-keys"],
        "{result}"
    );

    // Each one's last activity is what moto says, read independently.
    let never = &inactive[0];
    assert_eq!(never["LastActivityType"], "never_used");
    assert_eq!(never["LastActivity"], Value::Null);
    assert_eq!(never["DaysInactive"], 200);
    let created = sdk
        .get_user()
        .user_name("never-used-old")
        .send()
        .await
        .unwrap();
    assert_eq!(
        never["CreateDate"].as_str(),
        Some(iam_tools::codec::rfc3339(created.user().unwrap().create_date()).as_str())
    );
    for (entry, label, days) in [(&inactive[1], "stale", 120), (&inactive[2], "b", 100)] {
        let id = &keys[label].0;
        assert_eq!(entry["LastActivityType"], "access_key", "{entry}");
        assert_eq!(entry["AccessKeyId"], id.as_str());
        assert_eq!(entry["DaysInactive"], days, "{entry}");
        let used = sdk
            .get_access_key_last_used()
            .access_key_id(id)
            .send()
            .await
            .unwrap();
        let used = used
            .access_key_last_used()
            .unwrap()
            .last_used_date()
            .unwrap();
        assert_eq!(
            entry["LastActivity"].as_str(),
            Some(iam_tools::codec::rfc3339(used).as_str())
        );
    }
    // A tighter and a looser threshold.
    let strict = server.ok("list_inactive_users", json!({"days": 110})).await;
    let strict: Vec<&str> = strict["InactiveUsers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["UserName"].as_str().unwrap())
        .collect();
    assert_eq!(strict, ["never-used-old", "stale-key"]);
    let loose = server.ok("list_inactive_users", json!({"days": 1})).await;
    assert_eq!(loose["InactiveUsers"].as_array().unwrap().len(), 3);
    let bad = server.err("list_inactive_users", json!({"days": 0})).await;
    assert!(bad.contains("days"), "{bad}");
    server.stop().await;
}

/// moto 5.2.5 does not implement ListServiceSpecificCredentials: list_service_specific_credentials
/// is checked on a recorded IAM response (the request it sends and the result it returns).
#[tokio::test(flavor = "multi_thread")]
async fn list_service_specific_credentials_on_recorded_responses() {
    let recorded = r#"<IsTruncated>false</IsTruncated><ServiceSpecificCredentials><member>
        <UserName>eve</UserName><Status>Active</Status><ServiceUserName>eve-at-123456789012</ServiceUserName>
        <CreateDate>2024-03-04T05:06:07Z</CreateDate><ServiceSpecificCredentialId>ACCAEXAMPLE123EXAMPLE</ServiceSpecificCredentialId>
        <ServiceName>codecommit.amazonaws.com</ServiceName></member></ServiceSpecificCredentials>"#;
    let (endpoint, seen) = common::recorded_endpoint(HashMap::from([(
        "ListServiceSpecificCredentials",
        recorded.to_string(),
    )]))
    .await;
    let server =
        Server::start_env(&["--toolsets", "credentials"], server_env(Some(&endpoint))).await;
    let listed = server
        .ok(
            "list_service_specific_credentials",
            json!({"user_name": "eve", "service_name": "codecommit.amazonaws.com"}),
        )
        .await;
    server.stop().await;
    let credential = &listed["ServiceSpecificCredentials"][0];
    assert_eq!(
        credential["ServiceSpecificCredentialId"],
        "ACCAEXAMPLE123EXAMPLE"
    );
    assert_eq!(credential["ServiceUserName"], "eve-at-123456789012");
    assert_eq!(credential["Status"], "Active");
    assert_eq!(credential["CreateDate"], "2024-03-04T05:06:07Z");
    assert_eq!(listed["IsTruncated"], false);
    let requests = seen.lock().unwrap().clone();
    assert_eq!(requests.len(), 1, "{requests:?}");
    for part in [
        "Action=ListServiceSpecificCredentials",
        "UserName=eve",
        "ServiceName=codecommit.amazonaws.com",
    ] {
        assert!(
            requests[0].contains(part),
            "request lacks {part}: {}",
            requests[0]
        );
    }
}

/// moto never sets PasswordLastUsed, so list_inactive_users' password path is checked on
/// recorded ListUsers / ListAccessKeys / GetAccessKeyLastUsed responses.
#[tokio::test(flavor = "multi_thread")]
async fn list_inactive_users_password_use_on_recorded_responses() {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let date = |days_ago: i64| {
        iam_tools::codec::rfc3339(&aws_sdk_iam::primitives::DateTime::from_secs(
            now - days_ago * 86_400,
        ))
    };
    let user = |name: &str, created: i64, password: Option<i64>| {
        let password = password
            .map(|d| format!("<PasswordLastUsed>{}</PasswordLastUsed>", date(d)))
            .unwrap_or_default();
        format!(
            "<member><Path>/</Path><UserName>{name}</UserName><UserId>AIDA{}</UserId><Arn>arn:aws:iam::123456789012:user/{name}</Arn><CreateDate>{}</CreateDate>{password}</member>",
            name.to_uppercase().replace('-', ""),
            date(created)
        )
    };
    let users = format!(
        "<IsTruncated>false</IsTruncated><Users>{}{}{}</Users>",
        user("console-stale", 400, Some(180)),
        user("console-recent", 400, Some(3)),
        user("never-signed-in", 30, None)
    );
    let (endpoint, seen) = common::recorded_endpoint(HashMap::from([
        ("ListUsers", users),
        (
            "ListAccessKeys",
            "<IsTruncated>false</IsTruncated><AccessKeyMetadata/>".to_string(),
        ),
    ]))
    .await;
    let server = Server::start_env(&["--toolsets", "account"], server_env(Some(&endpoint))).await;
    let result = server.ok("list_inactive_users", json!({"days": 90})).await;
    server.stop().await;
    let inactive = result["InactiveUsers"].as_array().unwrap();
    assert_eq!(inactive.len(), 1, "{result}");
    assert_eq!(inactive[0]["UserName"], "console-stale");
    assert_eq!(inactive[0]["LastActivityType"], "password");
    assert_eq!(inactive[0]["LastActivity"], date(180));
    assert_eq!(inactive[0]["DaysInactive"], 180);
    assert_eq!(result["UsersChecked"], 3);
    let requests = seen.lock().unwrap().clone();
    assert_eq!(
        requests
            .iter()
            .filter(|r| r.contains("Action=ListAccessKeys"))
            .count(),
        3,
        "{requests:?}"
    );
}

/// What moto drops from two requests (CreateLoginProfile's PasswordResetRequired,
/// ListInstanceProfiles' PathPrefix) is checked on the request the server sends.
#[tokio::test(flavor = "multi_thread")]
async fn login_profile_and_path_prefix_requests_on_recorded_responses() {
    let profile = "<LoginProfile><UserName>eve</UserName><CreateDate>2024-03-04T05:06:07Z</CreateDate><PasswordResetRequired>true</PasswordResetRequired></LoginProfile>";
    let (endpoint, seen) = common::recorded_endpoint(HashMap::from([
        ("CreateLoginProfile", profile.to_string()),
        (
            "ListInstanceProfiles",
            "<IsTruncated>false</IsTruncated><InstanceProfiles/>".to_string(),
        ),
    ]))
    .await;
    let server = Server::start_env(
        &["--allow-write", "--toolsets", "all"],
        server_env(Some(&endpoint)),
    )
    .await;
    let created = server
        .ok("create_login_profile", json!({"user_name": "eve", "password": "Qx7-recorded-Passw0rd", "password_reset_required": true}))
        .await;
    assert_eq!(created["LoginProfile"]["PasswordResetRequired"], true);
    assert!(!created.to_string().contains("Qx7-recorded-Passw0rd"));
    server
        .ok("list_instance_profiles", json!({"path_prefix": "/web/"}))
        .await;
    let stderr = server.stop().await;
    assert!(
        !stderr.contains("Qx7-recorded-Passw0rd"),
        "the password was logged"
    );
    let requests = seen.lock().unwrap().clone();
    for part in [
        "Action=CreateLoginProfile",
        "UserName=eve",
        "PasswordResetRequired=true",
    ] {
        assert!(
            requests[0].contains(part),
            "request lacks {part}: {}",
            requests[0]
        );
    }
    for part in ["Action=ListInstanceProfiles", "PathPrefix=%2Fweb%2F"] {
        assert!(
            requests[1].contains(part),
            "request lacks {part}: {}",
            requests[1]
        );
    }
}
