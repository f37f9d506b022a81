use serde_json::{Value, json};

use super::*;
use crate::catalog::AccessLevel;

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
