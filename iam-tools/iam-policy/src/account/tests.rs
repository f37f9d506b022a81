use serde_json::{Value, json};

use super::*;
use crate::catalog::AccessLevel;
use std::sync::Arc;

const ACCT: &str = "111122223333";

fn arn(kind: &str, name: &str) -> String {
    format!("arn:aws:iam::{ACCT}:{kind}/{name}")
}

fn doc(statements: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn managed(name: &str, statements: Value) -> Value {
    json!({"PolicyName": name, "Arn": arn("policy", name), "DefaultVersionId": "v1",
           "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true, "Document": doc(statements)}]})
}

/// alice: S3 reader through group readers, which denies the payroll bucket; bob: S3
/// reader too, with a boundary allowing only app-* buckets; carol: reads only with MFA;
/// deployer role: trusted by alice alone; lambda role: trusted by Lambda.
fn details() -> Value {
    json!({
        "Policies": [
            managed("S3Read", json!([{"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"}])),
            managed("AppOnly", json!([{"Effect": "Allow", "Action": "s3:*", "Resource": ["arn:aws:s3:::app-*", "arn:aws:s3:::app-*/*"]}])),
        ],
        "GroupDetailList": [
            {"GroupName": "readers", "Arn": arn("group", "readers"),
             "AttachedManagedPolicies": [{"PolicyName": "S3Read", "PolicyArn": arn("policy", "S3Read")}],
             "GroupPolicyList": [{"PolicyName": "NoPayroll", "PolicyDocument": doc(json!([
                 {"Sid": "NoPayroll", "Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::payroll/*"}]))}]}
        ],
        "UserDetailList": [
            {"UserName": "alice", "Arn": arn("user", "alice"), "GroupList": ["readers"],
             "UserPolicyList": [{"PolicyName": "AssumeDeployer", "PolicyDocument": doc(json!([
                 {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": arn("role", "deployer")}]))}]},
            {"UserName": "bob", "Arn": arn("user", "bob"),
             "AttachedManagedPolicies": [{"PolicyName": "S3Read", "PolicyArn": arn("policy", "S3Read")}],
             "PermissionsBoundary": {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": arn("policy", "AppOnly")}},
            {"UserName": "carol", "Arn": arn("user", "carol"),
             "UserPolicyList": [{"PolicyName": "MfaRead", "PolicyDocument": doc(json!([
                 {"Sid": "WithMfa", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
                  "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}},
                 {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]))}]}
        ],
        "RoleDetailList": [
            {"RoleName": "deployer", "Arn": arn("role", "deployer"),
             "AssumeRolePolicyDocument": doc(json!([{"Effect": "Allow", "Principal": {"AWS": arn("user", "alice")}, "Action": "sts:AssumeRole"}]))},
            {"RoleName": "fn", "Arn": arn("role", "fn"),
             "AssumeRolePolicyDocument": doc(json!([{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}])),
             "AttachedManagedPolicies": [{"PolicyName": "Gone", "PolicyArn": arn("policy", "Gone")}]}
        ]
    })
}

fn names(account: &Account, found: &[WhoCan]) -> Vec<(String, Access)> {
    found
        .iter()
        .map(|w| {
            (
                account.principals[w.principal].name.clone(),
                w.decided.access,
            )
        })
        .collect()
}

#[test]
fn the_model_holds_every_principal_and_says_what_it_left_out() {
    let a = Account::from_details(&details());
    assert_eq!(a.counts(), (3, 1, 2));
    assert_eq!(a.account_id.as_deref(), Some(ACCT));
    let alice = a.principal(&arn("user", "alice")).unwrap();
    assert_eq!(a.principals[alice].groups.len(), 1);
    assert!(
        a.notes.iter().any(|n| n.contains("policy/Gone")),
        "{:?}",
        a.notes
    );
    assert_eq!(
        a.closest_principal(&arn("user", "team/alice")),
        Some(arn("user", "alice").as_str())
    );
}

#[test]
fn who_can_reads_an_object_with_groups_denies_boundaries_and_conditions() {
    let a = Account::from_details(&details());
    let found = a.who_can("s3:GetObject", "arn:aws:s3:::data/report.csv", None);
    assert_eq!(
        names(&a, &found),
        [
            ("alice".to_string(), Access::Allowed),
            ("carol".to_string(), Access::Conditional)
        ]
    );
    // The group's grant is named, with the group.
    let grant = &found[0].decided.granted_by[0];
    assert_eq!(
        (
            grant.policy_type,
            grant.group.as_deref(),
            grant.sid.as_deref()
        ),
        ("managed", Some("readers"), Some("Read"))
    );
    // Carol's condition is said.
    assert_eq!(
        found[1].decided.conditions[0].condition,
        json!({"Bool": {"aws:MultiFactorAuthPresent": ["true"]}})
    );
    // The group's Deny keeps alice out of payroll; the boundary lets bob into app-*.
    let payroll = a.who_can("s3:GetObject", "arn:aws:s3:::payroll/q1.csv", None);
    assert_eq!(
        names(&a, &payroll),
        [("carol".to_string(), Access::Conditional)]
    );
    let app = a.who_can("s3:GetObject", "arn:aws:s3:::app-logs/x", None);
    assert_eq!(app.len(), 3);
}

#[test]
fn who_can_assume_a_role_reads_its_trust_policy() {
    let a = Account::from_details(&details());
    let found = a.who_can("sts:AssumeRole", &arn("role", "deployer"), None);
    // carol's identity allows sts:AssumeRole on *, but the trust names alice only.
    assert_eq!(names(&a, &found), [("alice".to_string(), Access::Allowed)]);
    assert!(
        found[0]
            .decided
            .granted_by
            .iter()
            .any(|g| g.policy_type == "trust")
    );
}

#[test]
fn a_resource_policy_can_grant_on_its_own() {
    let a = Account::from_details(&details());
    let bucket = Policy::parse(&doc(
        json!([{"Effect": "Allow", "Principal": {"AWS": arn("role", "fn")},
        "Action": "s3:PutObject", "Resource": "arn:aws:s3:::drop/*"}]),
    ))
    .unwrap();
    let found = a.who_can("s3:PutObject", "arn:aws:s3:::drop/x", Some(&bucket));
    assert_eq!(names(&a, &found), [("fn".to_string(), Access::Allowed)]);
    assert_eq!(found[0].decided.granted_by[0].policy_type, "resource");
}

#[test]
fn effective_permissions_follow_boundaries_and_carve_out_denies() {
    let a = Account::from_details(&details());
    let alice = a.principal(&arn("user", "alice")).unwrap();
    let got = a.effective(alice, &EffectiveFilter::default());
    let names: Vec<String> = got.iter().map(|e| e.action.full_name()).collect();
    assert_eq!(names, ["s3:GetObject", "s3:ListBucket", "sts:AssumeRole"]);
    let get = &got[0].grants[0];
    assert_eq!(get.resource, "*");
    assert_eq!(get.except[0].0, "arn:aws:s3:::payroll/*");
    assert_eq!(get.except[0].1.sid.as_deref(), Some("NoPayroll"));

    // bob: S3Read on *, bounded to app-*: allowed on the boundary's resources only.
    let bob = a.principal(&arn("user", "bob")).unwrap();
    let got = a.effective(
        bob,
        &EffectiveFilter {
            access_level: Some(AccessLevel::Read),
            ..Default::default()
        },
    );
    assert_eq!(got.len(), 1);
    let resources: Vec<&str> = got[0].grants.iter().map(|g| g.resource.as_str()).collect();
    // `app-*` names objects too (`*` spans the slash), so it covers `app-*/*`.
    assert_eq!(resources, ["arn:aws:s3:::app-*"]);
}

fn user(name: &str, statements: Value) -> Value {
    json!({"UserName": name, "Arn": arn("user", name),
           "UserPolicyList": [{"PolicyName": format!("{name}-policy"), "PolicyDocument": doc(statements)}]})
}

fn attach(mut v: Value, policy: &str) -> Value {
    v["AttachedManagedPolicies"] =
        json!([{"PolicyName": policy, "PolicyArn": arn("policy", policy)}]);
    v
}

fn role(name: &str, trust: Value, statements: Value) -> Value {
    json!({"RoleName": name, "Arn": arn("role", name),
           "AssumeRolePolicyDocument": doc(json!([{"Effect": "Allow", "Principal": trust, "Action": "sts:AssumeRole"}])),
           "RolePolicyList": [{"PolicyName": format!("{name}-policy"), "PolicyDocument": doc(statements)}]})
}

/// One escalator per method, and one principal each method's precondition stops.
fn escalation_details() -> Value {
    let all = json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}]);
    let allow = |action: &str, resource: &str| json!([{"Sid": "Escalate", "Effect": "Allow", "Action": action, "Resource": resource}]);
    let s3_only = json!([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]);
    let mut two_versions = managed(
        "TwoVersions",
        json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]),
    );
    two_versions["PolicyVersionList"]
        .as_array_mut()
        .unwrap()
        .push(json!({"VersionId": "v2", "IsDefaultVersion": false, "Document": doc(all.clone())}));
    let mut users = vec![
        attach(user("admin", json!([])), "Admin"),
        user(
            "attach-self",
            allow("iam:AttachUserPolicy", &arn("user", "attach-self")),
        ),
        user(
            "bounded-attach",
            allow("iam:AttachUserPolicy", &arn("user", "bounded-attach")),
        ),
        user(
            "denied-attach",
            json!([
            {"Effect": "Allow", "Action": "iam:AttachUserPolicy", "Resource": arn("user", "denied-attach")},
            {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}]),
        ),
        user(
            "group-putter",
            allow("iam:PutGroupPolicy", &arn("group", "devs")),
        ),
        attach(
            user(
                "versioner",
                allow("iam:CreatePolicyVersion", &arn("policy", "VersionMe")),
            ),
            "VersionMe",
        ),
        attach(
            user(
                "set-default",
                allow("iam:SetDefaultPolicyVersion", &arn("policy", "TwoVersions")),
            ),
            "TwoVersions",
        ),
        user(
            "joiner",
            allow("iam:AddUserToGroup", &arn("group", "admins")),
        ),
        user(
            "key-maker",
            allow("iam:CreateAccessKey", &arn("user", "admin")),
        ),
        user(
            "pw-creator",
            allow("iam:CreateLoginProfile", &arn("user", "admin")),
        ),
        user(
            "pw-updater",
            allow("iam:UpdateLoginProfile", &arn("user", "admin")),
        ),
        user("assumer", allow("sts:AssumeRole", "*")),
        user("not-trusted", allow("sts:AssumeRole", "*")),
        user(
            "trust-rewriter",
            allow("iam:UpdateAssumeRolePolicy", &arn("role", "admin-role")),
        ),
        user(
            "passer",
            json!([{"Effect": "Allow", "Action": ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"], "Resource": "*"}]),
        ),
        user("half-passer", allow("iam:PassRole", "*")),
        attach(
            user(
                "boundary-lifter",
                allow(
                    "iam:DeleteUserPermissionsBoundary",
                    &arn("user", "boundary-lifter"),
                ),
            ),
            "Admin",
        ),
        user("chain", allow("sts:AssumeRole", &arn("role", "middle"))),
    ];
    users[0]["LoginProfile"] = json!({"CreateDate": "2026-01-01T00:00:00Z"});
    users[2]["PermissionsBoundary"] = json!({"PermissionsBoundaryArn": arn("policy", "S3Only")});
    users[4]["GroupList"] = json!(["devs"]);
    // A boundary that allows removing itself (a boundary limits the removal too).
    users[16]["PermissionsBoundary"] = json!({"PermissionsBoundaryArn": arn("policy", "Liftable")});
    let mut admin_role = role(
        "admin-role",
        json!({"AWS": arn("user", "assumer")}),
        json!([]),
    );
    admin_role["AttachedManagedPolicies"] =
        json!([{"PolicyName": "Admin", "PolicyArn": arn("policy", "Admin")}]);
    let mut lambda_admin = role(
        "lambda-admin",
        json!({"Service": "lambda.amazonaws.com"}),
        json!([]),
    );
    lambda_admin["AttachedManagedPolicies"] =
        json!([{"PolicyName": "Admin", "PolicyArn": arn("policy", "Admin")}]);
    json!({
        "Policies": [managed("Admin", all), managed("S3Only", s3_only.clone()),
                     managed("Liftable", json!([s3_only[0], {"Effect": "Allow", "Action": "iam:DeleteUserPermissionsBoundary", "Resource": "*"}])),
                     managed("VersionMe", json!([{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}])),
                     two_versions],
        "GroupDetailList": [
            {"GroupName": "devs", "Arn": arn("group", "devs")},
            {"GroupName": "admins", "Arn": arn("group", "admins"),
             "AttachedManagedPolicies": [{"PolicyName": "Admin", "PolicyArn": arn("policy", "Admin")}]}
        ],
        "UserDetailList": users,
        "RoleDetailList": [
            admin_role,
            lambda_admin,
            role("middle", json!({"AWS": arn("user", "chain")}), allow("iam:AttachRolePolicy", &arn("role", "middle"))),
        ]
    })
}

#[test]
fn every_escalation_method_is_found_and_each_precondition_holds() {
    let a = Account::from_details(&escalation_details());
    let esc = a.escalation(None, &Default::default());
    let name = |i: usize| a.principals[i].name.clone();
    let mut admins: Vec<String> = esc.admins.iter().map(|&i| name(i)).collect();
    admins.sort();
    assert_eq!(admins, ["admin", "admin-role", "lambda-admin"]);
    let paths: std::collections::BTreeMap<String, Vec<String>> = esc
        .paths
        .iter()
        .map(|p| {
            assert_eq!(p.reaches, Reach::Admin);
            (
                name(p.from),
                p.steps.iter().map(|s| s.action.clone()).collect(),
            )
        })
        .collect();
    let expected: std::collections::BTreeMap<String, Vec<String>> = [
        ("attach-self", vec!["iam:AttachUserPolicy"]),
        ("group-putter", vec!["iam:PutGroupPolicy"]),
        ("versioner", vec!["iam:CreatePolicyVersion"]),
        ("set-default", vec!["iam:SetDefaultPolicyVersion"]),
        ("joiner", vec!["iam:AddUserToGroup"]),
        ("key-maker", vec!["iam:CreateAccessKey"]),
        ("pw-updater", vec!["iam:UpdateLoginProfile"]),
        ("assumer", vec!["sts:AssumeRole"]),
        (
            "trust-rewriter",
            vec!["iam:UpdateAssumeRolePolicy", "sts:AssumeRole"],
        ),
        (
            "passer",
            vec![
                "iam:PassRole",
                "lambda:CreateFunction",
                "lambda:InvokeFunction",
            ],
        ),
        ("boundary-lifter", vec!["iam:DeleteUserPermissionsBoundary"]),
        ("middle", vec!["iam:AttachRolePolicy"]),
        ("chain", vec!["sts:AssumeRole", "iam:AttachRolePolicy"]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.into_iter().map(str::to_string).collect()))
    .collect();
    assert_eq!(paths, expected);
    // Each step names the statement that allows it.
    let attach = esc
        .paths
        .iter()
        .find(|p| name(p.from) == "attach-self")
        .unwrap();
    assert_eq!(
        attach.steps[0].decided.granted_by[0].sid.as_deref(),
        Some("Escalate")
    );
    // Reaching one principal instead of admin.
    let middle = a.principal(&arn("role", "middle")).unwrap();
    let to_middle = a.escalation(Some(middle), &Default::default());
    let from: Vec<String> = to_middle.paths.iter().map(|p| name(p.from)).collect();
    // chain assumes it; an admin rewrites its trust; who reaches an admin goes on from there.
    assert_eq!(from[0], "chain");
    assert_eq!(to_middle.paths[0].steps.len(), 1);
    assert_eq!(to_middle.paths[0].reaches, Reach::Principal(middle));
    let admin = to_middle
        .paths
        .iter()
        .find(|p| name(p.from) == "admin")
        .unwrap();
    let actions: Vec<&str> = admin.steps.iter().map(|s| s.action.as_str()).collect();
    assert_eq!(actions, ["iam:UpdateAssumeRolePolicy", "sts:AssumeRole"]);
    assert!(from.contains(&"key-maker".to_string()));
    assert!(!from.contains(&"not-trusted".to_string()));
}

#[test]
fn a_preview_names_what_a_change_grants_and_the_paths_it_opens() {
    let a = Account::from_details(&escalation_details());
    let erin = a.principal(&arn("user", "half-passer")).unwrap();
    // Attaching Admin to half-passer: it becomes admin.
    let admin = a.policy(&arn("policy", "Admin")).unwrap();
    let p = a.preview(&Change::AttachPolicy {
        principal: erin,
        policy: admin,
    });
    assert_eq!(p.principals.len(), 1);
    assert!(p.principals[0].gained.actions.len() > 20_000);
    assert!(p.principals[0].lost.is_empty());
    assert_eq!(p.admins_gained, [erin]);
    // Letting half-passer run Lambda: a path to admin opens (PassRole to lambda-admin).
    let lambda = Policy::parse(&doc(json!([{"Effect": "Allow", "Action": ["lambda:CreateFunction", "lambda:InvokeFunction"], "Resource": "*"}])))
        .unwrap();
    let p = a.preview(&Change::PutInline {
        principal: erin,
        name: "lambda".into(),
        policy: Arc::new(lambda),
    });
    let gained: Vec<&String> = p.principals[0].gained.actions.keys().collect();
    assert_eq!(gained, ["lambda:CreateFunction", "lambda:InvokeFunction"]);
    assert_eq!(p.paths_opened.len(), 1);
    assert_eq!(p.paths_opened[0].from, erin);
    assert!(p.admins_gained.is_empty());
    // Removing attach-self's policy closes its path.
    let attach_self = a.principal(&arn("user", "attach-self")).unwrap();
    let p = a.preview(&Change::DeleteInline {
        principal: attach_self,
        name: "attach-self-policy".into(),
    });
    assert_eq!(p.paths_closed.len(), 1);
    assert_eq!(
        p.principals[0]
            .lost
            .by_level()
            .get("Permissions management"),
        Some(&1)
    );
    // A trust policy opened to another account and to a service.
    let middle = a.principal(&arn("role", "middle")).unwrap();
    let trust = Policy::parse(&doc(json!([{"Effect": "Allow", "Action": "sts:AssumeRole",
        "Principal": {"AWS": "arn:aws:iam::444455556666:root", "Service": "ec2.amazonaws.com"}}])))
    .unwrap();
    let p = a.preview(&Change::SetTrust {
        role: middle,
        policy: Arc::new(trust),
    });
    assert_eq!(
        p.newly_trusted,
        [
            "arn:aws:iam::444455556666:root (outside the account)",
            "service ec2.amazonaws.com"
        ]
    );
    // chain no longer assumes middle, so its path closes.
    assert_eq!(p.no_longer_trusted, [arn("user", "chain")]);
    assert!(
        p.paths_closed
            .iter()
            .any(|c| a.principals[c.from].name == "chain")
    );
}

/// "What can this principal really do": six attached policies, a boundary and a deny from
/// its group, each of which changes the answer.
#[test]
fn effective_permissions_of_six_policies_a_boundary_and_a_group_deny() {
    let allow = |action: &str, resource: &str| json!([{"Effect": "Allow", "Action": action, "Resource": resource}]);
    let names = ["P1", "P2", "P3", "P4", "P5", "P6"];
    let docs = [
        allow("s3:GetObject", "arn:aws:s3:::data/*"),
        allow("s3:PutObject", "arn:aws:s3:::data/*"),
        allow("dynamodb:GetItem", "*"),
        allow("sqs:SendMessage", "*"),
        allow("kms:Decrypt", "*"),
        allow("ec2:DescribeInstances", "*"),
    ];
    let mut policies: Vec<Value> = names.iter().zip(docs).map(|(n, d)| managed(n, d)).collect();
    // The boundary leaves out KMS; the group denies deleting and writing to data/locked/.
    policies.push(managed(
        "Bound",
        json!([{"Effect": "Allow", "Action": ["s3:*", "dynamodb:*", "sqs:*", "ec2:Describe*"], "Resource": "*"}]),
    ));
    let attached: Vec<Value> = names
        .iter()
        .map(|n| json!({"PolicyName": n, "PolicyArn": arn("policy", n)}))
        .collect();
    let details = json!({
        "Policies": policies,
        "GroupDetailList": [{"GroupName": "locked", "Arn": arn("group", "locked"),
            "GroupPolicyList": [{"PolicyName": "NoLocked", "PolicyDocument": doc(json!([
                {"Sid": "NoLocked", "Effect": "Deny", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::data/locked/*"},
                {"Sid": "NoQueues", "Effect": "Deny", "Action": "sqs:*", "Resource": "*"}]))}]}],
        "UserDetailList": [{"UserName": "dev", "Arn": arn("user", "dev"), "GroupList": ["locked"],
            "AttachedManagedPolicies": attached,
            "PermissionsBoundary": {"PermissionsBoundaryArn": arn("policy", "Bound")}}],
    });
    let a = Account::from_details(&details);
    let dev = a.principal(&arn("user", "dev")).unwrap();
    let got = a.effective(dev, &EffectiveFilter::default());
    let summary: Vec<(String, Vec<String>)> = got
        .iter()
        .map(|e| {
            (
                e.action.full_name(),
                e.grants
                    .iter()
                    .map(|g| {
                        let except: Vec<&str> = g.except.iter().map(|(r, _)| r.as_str()).collect();
                        if except.is_empty() {
                            g.resource.clone()
                        } else {
                            format!("{} except {}", g.resource, except.join(", "))
                        }
                    })
                    .collect(),
            )
        })
        .collect();
    // KMS: outside the boundary. SQS: denied by the group. PutObject: all of data/ but
    // data/locked/.
    assert_eq!(
        summary,
        [
            ("dynamodb:GetItem".to_string(), vec!["*".to_string()]),
            ("ec2:DescribeInstances".into(), vec!["*".into()]),
            ("s3:GetObject".into(), vec!["arn:aws:s3:::data/*".into()]),
            (
                "s3:PutObject".into(),
                vec!["arn:aws:s3:::data/* except arn:aws:s3:::data/locked/*".into()]
            ),
        ]
    );
    let put = &got[3].grants[0];
    assert_eq!(put.decided.granted_by[0].policy_name, "P2");
    assert_eq!(put.except[0].1.group.as_deref(), Some("locked"));
}
