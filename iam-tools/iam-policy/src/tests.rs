//! Evaluation tests written from the IAM User Guide ("Policy evaluation logic",
//! "IAM JSON policy elements", "Condition operators", "Policy variables").

use serde_json::{Value, json};

use super::*;

const ACCOUNT: &str = "111122223333";
const OTHER: &str = "444455556666";
const ALICE: &str = "arn:aws:iam::111122223333:user/alice";
const ROLE: &str = "arn:aws:iam::111122223333:role/app/AppRole";
const SESSION: &str = "arn:aws:sts::111122223333:assumed-role/AppRole/build-42";

fn policy(doc: Value) -> Policy {
    Policy::parse(&doc).unwrap_or_else(|p| panic!("invalid test policy: {p:?}"))
}

fn statements(stmts: Value) -> Policy {
    policy(json!({"Version": "2012-10-17", "Statement": stmts}))
}

fn named(id: &str, t: PolicySourceType, p: Policy) -> NamedPolicy {
    NamedPolicy::new(id, t, p)
}

fn identity(stmts: Value) -> EvaluationInput {
    EvaluationInput {
        identity_policies: vec![named(
            "identity",
            PolicySourceType::UserManaged,
            statements(stmts),
        )],
        ..Default::default()
    }
}

fn req(action: &str, resource: &str) -> Request {
    Request::new(action, resource)
        .principal(ALICE)
        .resource_account(ACCOUNT)
}

fn decide(input: &EvaluationInput, request: &Request) -> Decision {
    evaluate(input, request).decision
}

/// Whether `Allow * on *` with this Condition block allows a request with this context.
fn condition_holds(condition: Value, context: &[(&str, &[&str])]) -> bool {
    let input = identity(
        json!([{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": condition}]),
    );
    let mut request = req("s3:GetObject", "arn:aws:s3:::bucket/key");
    for (k, v) in context {
        request = request.context_values(*k, v.iter().map(|s| s.to_string()).collect());
    }
    decide(&input, &request) == Decision::Allowed
}

// ---------------------------------------------------------------------------------------
// Basic decisions and matching

#[test]
fn explicit_deny_beats_allow_and_default_is_implicit_deny() {
    let input = identity(json!([
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::bucket/*"}
    ]));
    assert_eq!(
        decide(&input, &req("s3:GetObject", "arn:aws:s3:::bucket/k")),
        Decision::Allowed
    );
    let denied = evaluate(&input, &req("s3:DeleteObject", "arn:aws:s3:::bucket/k"));
    assert_eq!(denied.decision, Decision::ExplicitDeny);
    assert_eq!(denied.matched_statements.len(), 1);
    assert_eq!(denied.matched_statements[0].sid, Some("NoDelete"));
    assert_eq!(
        decide(&input, &req("ec2:RunInstances", "*")),
        Decision::ImplicitDeny
    );
    assert_eq!(
        decide(&EvaluationInput::default(), &req("s3:GetObject", "*")),
        Decision::ImplicitDeny
    );
}

#[test]
fn action_matching_is_case_insensitive_with_wildcards() {
    let input = identity(
        json!([{"Effect": "Allow", "Action": ["S3:get*", "iam:?etUser"], "Resource": "*"}]),
    );
    assert_eq!(decide(&input, &req("s3:GetObject", "*")), Decision::Allowed);
    assert_eq!(decide(&input, &req("IAM:GETUSER", "*")), Decision::Allowed);
    assert_eq!(
        decide(&input, &req("s3:PutObject", "*")),
        Decision::ImplicitDeny
    );
    assert_eq!(
        decide(&input, &req("iam:GetUsers", "*")),
        Decision::ImplicitDeny
    );
}

#[test]
fn resource_matching_is_case_sensitive_with_wildcards() {
    let input = identity(
        json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::Bucket/photos/??.jpg"}]),
    );
    assert_eq!(
        decide(
            &input,
            &req("s3:GetObject", "arn:aws:s3:::Bucket/photos/ab.jpg")
        ),
        Decision::Allowed
    );
    assert_eq!(
        decide(
            &input,
            &req("s3:GetObject", "arn:aws:s3:::bucket/photos/ab.jpg")
        ),
        Decision::ImplicitDeny
    );
    assert_eq!(
        decide(
            &input,
            &req("s3:GetObject", "arn:aws:s3:::Bucket/photos/abc.jpg")
        ),
        Decision::ImplicitDeny
    );
    let any_region = identity(
        json!([{"Effect": "Allow", "Action": "ec2:*", "Resource": "arn:aws:ec2:*:111122223333:instance/*"}]),
    );
    assert_eq!(
        decide(
            &any_region,
            &req(
                "ec2:StopInstances",
                "arn:aws:ec2:eu-west-1:111122223333:instance/i-0abc"
            )
        ),
        Decision::Allowed
    );
    assert_eq!(
        decide(
            &any_region,
            &req(
                "ec2:StopInstances",
                "arn:aws:ec2:eu-west-1:111122223333:volume/vol-1"
            )
        ),
        Decision::ImplicitDeny
    );
}

#[test]
fn not_action_and_not_resource() {
    let input = identity(json!([
        {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:*", "NotResource": ["arn:aws:s3:::public", "arn:aws:s3:::public/*"]}
    ]));
    assert_eq!(
        decide(&input, &req("ec2:RunInstances", "*")),
        Decision::Allowed
    );
    assert_eq!(
        decide(&input, &req("iam:CreateUser", "*")),
        Decision::ImplicitDeny
    );
    assert_eq!(
        decide(&input, &req("s3:GetObject", "arn:aws:s3:::public/x")),
        Decision::Allowed
    );
    assert_eq!(
        decide(&input, &req("s3:GetObject", "arn:aws:s3:::private/x")),
        Decision::ExplicitDeny
    );
}

#[test]
fn wildcard_only_actions_match_star_literally() {
    // The catalog knows s3:ListAllMyBuckets takes no resource: no hint needed.
    let specific = identity(
        json!([{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "arn:aws:s3:::b"}]),
    );
    let request = req("s3:ListAllMyBuckets", "*");
    assert_eq!(decide(&specific, &request), Decision::ImplicitDeny);
    let star =
        identity(json!([{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}]));
    assert_eq!(decide(&star, &request), Decision::Allowed);
    // The issue's case: NotAction on an S3 ARN pattern does not reach a "*"-only action.
    let not_action = identity(
        json!([{"Effect": "Allow", "NotAction": "s3:DeleteBucket", "Resource": "arn:aws:s3:::*"}]),
    );
    let e = evaluate(&not_action, &request);
    assert_eq!(e.decision, Decision::ImplicitDeny);
    let lines = e.explanation_lines(&request).join("\n");
    assert!(
        lines.contains("supports only \"*\" as its resource"),
        "{lines}"
    );
    // An ARN given for a "*"-only action is evaluated as "*", and the explanation says so.
    let given = req("s3:ListAllMyBuckets", "arn:aws:s3:::b");
    assert_eq!(decide(&specific, &given), Decision::ImplicitDeny);
    assert_eq!(decide(&star, &given), Decision::Allowed);
    // An action newer than the catalog can still be marked by hand.
    let hinted = req("s3:ListEverythingNew", "*").wildcard_only_action(true);
    let new_action = identity(
        json!([{"Effect": "Allow", "Action": "s3:ListEverythingNew", "Resource": "arn:aws:s3:::*"}]),
    );
    assert_eq!(decide(&new_action, &hinted), Decision::ImplicitDeny);
}

#[test]
fn a_star_request_matches_only_statements_that_name_star() {
    // simulate_principal_policy without resource_arns asks for "*": a statement naming one
    // user's ARN does not match it (AWS answers implicitDeny).
    let one_user = identity(json!([{"Effect": "Allow", "Action": "iam:AttachUserPolicy",
        "Resource": "arn:aws:iam::123456789012:user/alice"}]));
    let request = req("iam:AttachUserPolicy", "*");
    assert_eq!(decide(&one_user, &request), Decision::ImplicitDeny);
    let wildcard = identity(json!([{"Effect": "Allow", "Action": "iam:AttachUserPolicy",
        "Resource": "arn:aws:iam::123456789012:user/*"}]));
    assert_eq!(decide(&wildcard, &request), Decision::ImplicitDeny);
    let star =
        identity(json!([{"Effect": "Allow", "Action": "iam:AttachUserPolicy", "Resource": "*"}]));
    assert_eq!(decide(&star, &request), Decision::Allowed);
    // NotResource naming one ARN does not exclude "*".
    let not_resource = identity(json!([{"Effect": "Allow", "Action": "iam:AttachUserPolicy",
        "NotResource": "arn:aws:iam::123456789012:user/alice"}]));
    assert_eq!(decide(&not_resource, &request), Decision::Allowed);
}

#[test]
fn a_resource_of_another_type_is_named_in_the_explanation() {
    let input = identity(
        json!([{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b/*"}]),
    );
    let request = req("s3:ListBucket", "arn:aws:s3:::b/key");
    let e = evaluate(&input, &request);
    let lines = e.explanation_lines(&request).join("\n");
    assert!(
        lines.contains("arn:aws:s3:::b/key is not a resource s3:ListBucket acts on"),
        "{lines}"
    );
}

#[test]
fn get_caller_identity_cannot_be_denied() {
    let input = identity(json!([{"Effect": "Deny", "Action": "*", "Resource": "*"}]));
    assert_eq!(
        decide(&input, &req("sts:GetCallerIdentity", "*")),
        Decision::Allowed
    );
}

// ---------------------------------------------------------------------------------------
// Condition operators

#[test]
fn string_operators() {
    let v: &[&str] = &["Data-Team"];
    let ctx = [("aws:PrincipalTag/team", v)];
    assert!(condition_holds(
        json!({"StringEquals": {"aws:PrincipalTag/team": "Data-Team"}}),
        &ctx
    ));
    assert!(!condition_holds(
        json!({"StringEquals": {"aws:PrincipalTag/team": "data-team"}}),
        &ctx
    ));
    assert!(condition_holds(
        json!({"StringNotEquals": {"aws:PrincipalTag/team": ["ops", "web"]}}),
        &ctx
    ));
    assert!(condition_holds(
        json!({"StringEqualsIgnoreCase": {"aws:PrincipalTag/team": "DATA-team"}}),
        &ctx
    ));
    assert!(!condition_holds(
        json!({"StringNotEqualsIgnoreCase": {"aws:PrincipalTag/team": "data-TEAM"}}),
        &ctx
    ));
    assert!(condition_holds(
        json!({"StringLike": {"aws:PrincipalTag/team": "Data-*"}}),
        &ctx
    ));
    assert!(condition_holds(
        json!({"StringLike": {"aws:PrincipalTag/team": "D?ta-Team"}}),
        &ctx
    ));
    assert!(!condition_holds(
        json!({"StringLike": {"aws:PrincipalTag/team": "data-*"}}),
        &ctx
    ));
    assert!(condition_holds(
        json!({"StringNotLike": {"aws:PrincipalTag/team": ["ops*", "web*"]}}),
        &ctx
    ));
    // StringEquals does not treat * as a wildcard.
    assert!(!condition_holds(
        json!({"StringEquals": {"aws:PrincipalTag/team": "Data-*"}}),
        &ctx
    ));
}

#[test]
fn numeric_operators() {
    let v: &[&str] = &["300"];
    let ctx = [("aws:MultiFactorAuthAge", v)];
    assert!(condition_holds(
        json!({"NumericEquals": {"aws:MultiFactorAuthAge": "300.0"}}),
        &ctx
    ));
    assert!(condition_holds(
        json!({"NumericNotEquals": {"aws:MultiFactorAuthAge": "301"}}),
        &ctx
    ));
    assert!(condition_holds(
        json!({"NumericLessThan": {"aws:MultiFactorAuthAge": 3600}}),
        &ctx
    ));
    assert!(condition_holds(
        json!({"NumericLessThanEquals": {"aws:MultiFactorAuthAge": "300"}}),
        &ctx
    ));
    assert!(!condition_holds(
        json!({"NumericGreaterThan": {"aws:MultiFactorAuthAge": "300"}}),
        &ctx
    ));
    assert!(condition_holds(
        json!({"NumericGreaterThanEquals": {"aws:MultiFactorAuthAge": "300"}}),
        &ctx
    ));
    // A value that is not a number never matches, not even a negated operator.
    let bad: &[&str] = &["soon"];
    assert!(!condition_holds(
        json!({"NumericNotEquals": {"aws:MultiFactorAuthAge": "1"}}),
        &[("aws:MultiFactorAuthAge", bad)]
    ));
}

#[test]
fn date_operators() {
    let v: &[&str] = &["2024-06-01T12:00:00Z"];
    let ctx = [("aws:CurrentTime", v)];
    assert!(condition_holds(
        json!({"DateGreaterThan": {"aws:CurrentTime": "2024-01-01T00:00:00Z"}}),
        &ctx
    ));
    assert!(condition_holds(
        json!({"DateLessThan": {"aws:CurrentTime": "2025-01-01"}}),
        &ctx
    ));
    assert!(condition_holds(
        json!({"DateEquals": {"aws:CurrentTime": "2024-06-01T14:00:00+02:00"}}),
        &ctx
    ));
    assert!(condition_holds(
        json!({"DateNotEquals": {"aws:CurrentTime": "2024-06-01"}}),
        &ctx
    ));
    assert!(condition_holds(
        json!({"DateLessThanEquals": {"aws:CurrentTime": "1717243200"}}),
        &ctx
    ));
    assert!(condition_holds(
        json!({"DateGreaterThanEquals": {"aws:CurrentTime": "2024-06-01T12:00:00Z"}}),
        &ctx
    ));
    let epoch: &[&str] = &["1717243200"];
    assert!(condition_holds(
        json!({"DateEquals": {"aws:CurrentTime": "2024-06-01T12:00:00Z"}}),
        &[("aws:CurrentTime", epoch)]
    ));
    assert!(!condition_holds(
        json!({"DateLessThan": {"aws:CurrentTime": "not a date"}}),
        &ctx
    ));
}

#[test]
fn bool_and_binary_operators() {
    let t: &[&str] = &["TRUE"];
    assert!(condition_holds(
        json!({"Bool": {"aws:SecureTransport": "true"}}),
        &[("aws:SecureTransport", t)]
    ));
    assert!(condition_holds(
        json!({"Bool": {"aws:SecureTransport": true}}),
        &[("aws:SecureTransport", t)]
    ));
    assert!(!condition_holds(
        json!({"Bool": {"aws:SecureTransport": "false"}}),
        &[("aws:SecureTransport", t)]
    ));
    let junk: &[&str] = &["yes"];
    assert!(!condition_holds(
        json!({"Bool": {"aws:SecureTransport": "true"}}),
        &[("aws:SecureTransport", junk)]
    ));
    let b: &[&str] = &["QmluYXJ5VmFsdWU="];
    assert!(condition_holds(
        json!({"BinaryEquals": {"aws:RequestTag/blob": "QmluYXJ5VmFsdWU="}}),
        &[("aws:RequestTag/blob", b)]
    ));
    assert!(!condition_holds(
        json!({"BinaryEquals": {"aws:RequestTag/blob": "b3RoZXI="}}),
        &[("aws:RequestTag/blob", b)]
    ));
}

#[test]
fn ip_operators_v4_and_v6() {
    let v4: &[&str] = &["203.0.113.9"];
    let v6: &[&str] = &["2001:db8:1::5"];
    assert!(condition_holds(
        json!({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}),
        &[("aws:SourceIp", v4)]
    ));
    assert!(condition_holds(
        json!({"IpAddress": {"aws:SourceIp": "203.0.113.9"}}),
        &[("aws:SourceIp", v4)]
    ));
    assert!(!condition_holds(
        json!({"IpAddress": {"aws:SourceIp": "198.51.100.0/24"}}),
        &[("aws:SourceIp", v4)]
    ));
    assert!(condition_holds(
        json!({"IpAddress": {"aws:SourceIp": ["198.51.100.0/24", "2001:db8::/32"]}}),
        &[("aws:SourceIp", v6)]
    ));
    assert!(condition_holds(
        json!({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}),
        &[("aws:SourceIp", v6)]
    ));
    assert!(!condition_holds(
        json!({"NotIpAddress": {"aws:SourceIp": "2001:db8::/32"}}),
        &[("aws:SourceIp", v6)]
    ));
    let junk: &[&str] = &["localhost"];
    assert!(!condition_holds(
        json!({"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
        &[("aws:SourceIp", junk)]
    ));
}

#[test]
fn arn_operators() {
    let v: &[&str] = &["arn:aws:sns:us-east-1:111122223333:alerts"];
    let ctx = [("aws:SourceArn", v)];
    assert!(condition_holds(
        json!({"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:alerts"}}),
        &ctx
    ));
    assert!(condition_holds(
        json!({"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:111122223333:*"}}),
        &ctx
    ));
    assert!(!condition_holds(
        json!({"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:444455556666:*"}}),
        &ctx
    ));
    assert!(condition_holds(
        json!({"ArnNotLike": {"aws:SourceArn": "arn:aws:sqs:*:*:*"}}),
        &ctx
    ));
    assert!(!condition_holds(
        json!({"ArnNotEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:alerts"}}),
        &ctx
    ));
    // Not an ARN: no ARN operator matches, negated or not.
    let junk: &[&str] = &["alerts"];
    assert!(!condition_holds(
        json!({"ArnNotLike": {"aws:SourceArn": "arn:aws:sqs:*:*:*"}}),
        &[("aws:SourceArn", junk)]
    ));
}

#[test]
fn null_operator() {
    let v: &[&str] = &["x"];
    assert!(condition_holds(
        json!({"Null": {"aws:TokenIssueTime": "true"}}),
        &[]
    ));
    assert!(!condition_holds(
        json!({"Null": {"aws:TokenIssueTime": "true"}}),
        &[("aws:TokenIssueTime", v)]
    ));
    assert!(condition_holds(
        json!({"Null": {"aws:TokenIssueTime": "false"}}),
        &[("aws:TokenIssueTime", v)]
    ));
    assert!(!condition_holds(
        json!({"Null": {"aws:TokenIssueTime": "false"}}),
        &[]
    ));
}

#[test]
fn missing_keys_and_if_exists() {
    // A positive operator fails on a missing key; the key is reported as missing.
    let input = identity(json!([{"Effect": "Allow", "Action": "*", "Resource": "*",
        "Condition": {"StringEquals": {"aws:PrincipalTag/team": "data"}}}]));
    let result = evaluate(&input, &req("s3:GetObject", "*"));
    assert_eq!(result.decision, Decision::ImplicitDeny);
    assert_eq!(
        result.missing_context_values,
        vec!["aws:PrincipalTag/team".to_string()]
    );
    // Negated operators match when the key is absent.
    assert!(condition_holds(
        json!({"StringNotEquals": {"aws:PrincipalTag/team": "data"}}),
        &[]
    ));
    assert!(condition_holds(
        json!({"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
        &[]
    ));
    // ...IfExists: absent key -> true; present key -> the operator decides.
    assert!(condition_holds(
        json!({"StringEqualsIfExists": {"ec2:InstanceType": "t3.micro"}}),
        &[]
    ));
    let big: &[&str] = &["m5.24xlarge"];
    assert!(!condition_holds(
        json!({"StringEqualsIfExists": {"ec2:InstanceType": "t3.micro"}}),
        &[("ec2:InstanceType", big)]
    ));
    assert!(condition_holds(
        json!({"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}),
        &[]
    ));
}

#[test]
fn keys_are_anded_values_ored_and_key_names_case_insensitive() {
    let cond = json!({"StringEquals": {"aws:PrincipalTag/team": ["data", "ml"], "aws:RequestedRegion": "eu-west-1"}});
    let ml: &[&str] = &["ml"];
    let eu: &[&str] = &["eu-west-1"];
    let us: &[&str] = &["us-east-1"];
    assert!(condition_holds(
        cond.clone(),
        &[("AWS:PRINCIPALTAG/TEAM", ml), ("aws:requestedregion", eu)]
    ));
    assert!(!condition_holds(
        cond.clone(),
        &[("aws:PrincipalTag/team", ml), ("aws:RequestedRegion", us)]
    ));
    assert!(!condition_holds(cond, &[("aws:PrincipalTag/team", ml)]));
}

#[test]
fn set_operators() {
    let allowed = json!({"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "owner"]}});
    let subset: &[&str] = &["env"];
    let extra: &[&str] = &["env", "secret"];
    assert!(condition_holds(allowed.clone(), &[("aws:TagKeys", subset)]));
    assert!(!condition_holds(allowed.clone(), &[("aws:TagKeys", extra)]));
    // ForAllValues holds on an empty set (missing key).
    assert!(condition_holds(allowed, &[]));
    let any = json!({"ForAnyValue:StringLike": {"aws:TagKeys": ["own*"]}});
    let with_owner: &[&str] = &["cost", "owner"];
    assert!(condition_holds(any.clone(), &[("aws:TagKeys", with_owner)]));
    assert!(!condition_holds(any.clone(), &[("aws:TagKeys", subset)]));
    assert!(!condition_holds(any, &[]));
    // Negated inner operator: every value must be outside the list.
    let none_secret = json!({"ForAllValues:StringNotEquals": {"aws:TagKeys": ["secret"]}});
    assert!(condition_holds(
        none_secret.clone(),
        &[("aws:TagKeys", subset)]
    ));
    assert!(!condition_holds(none_secret, &[("aws:TagKeys", extra)]));
    // Null with a set qualifier: ForAllValues always true, ForAnyValue always false.
    assert!(condition_holds(
        json!({"ForAllValues:Null": {"aws:TagKeys": "false"}}),
        &[]
    ));
    assert!(!condition_holds(
        json!({"ForAnyValue:Null": {"aws:TagKeys": "true"}}),
        &[]
    ));
}

#[test]
fn unknown_operator_never_matches_and_is_a_parse_problem() {
    let doc = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*",
        "Condition": {"StringEqualsAny": {"aws:username": "alice"}}}]});
    let problems = Policy::parse(&doc).unwrap_err();
    assert_eq!(
        problems[0].to_string(),
        "Statement[0].Condition.StringEqualsAny: unknown condition operator \"StringEqualsAny\""
    );
    let (lenient, _) = Policy::parse_lenient(&doc);
    let input = EvaluationInput {
        identity_policies: vec![named("p", PolicySourceType::None, lenient)],
        ..Default::default()
    };
    assert_eq!(
        decide(
            &input,
            &req("s3:GetObject", "*").context_value("aws:username", "alice")
        ),
        Decision::ImplicitDeny
    );
}

// ---------------------------------------------------------------------------------------
// Policy variables

#[test]
fn policy_variables_in_resources_and_conditions() {
    let input = identity(json!([
        {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::home/${aws:username}/*"},
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::home",
         "Condition": {"StringLike": {"s3:prefix": "${aws:username}/*"}}}
    ]));
    let me = |r: Request| r.context_value("aws:username", "alice");
    assert_eq!(
        decide(
            &input,
            &me(req("s3:GetObject", "arn:aws:s3:::home/alice/a.txt"))
        ),
        Decision::Allowed
    );
    assert_eq!(
        decide(
            &input,
            &me(req("s3:GetObject", "arn:aws:s3:::home/bob/a.txt"))
        ),
        Decision::ImplicitDeny
    );
    assert_eq!(
        decide(
            &input,
            &me(req("s3:ListBucket", "arn:aws:s3:::home").context_value("s3:prefix", "alice/docs"))
        ),
        Decision::Allowed
    );
    // Without the variable in the context the resource cannot match; it is reported.
    let result = evaluate(
        &input,
        &req("s3:GetObject", "arn:aws:s3:::home/alice/a.txt"),
    );
    assert_eq!(result.decision, Decision::ImplicitDeny);
    assert!(
        result
            .missing_context_values
            .iter()
            .any(|k| k == "aws:username")
    );
}

#[test]
fn variable_values_are_literal_and_special_variables() {
    // A username containing * does not become a wildcard.
    let input = identity(
        json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}"}]),
    );
    assert_eq!(
        decide(
            &input,
            &req("s3:GetObject", "arn:aws:s3:::b/anything").context_value("aws:username", "*")
        ),
        Decision::ImplicitDeny
    );
    assert_eq!(
        decide(
            &input,
            &req("s3:GetObject", "arn:aws:s3:::b/*").context_value("aws:username", "*")
        ),
        Decision::Allowed
    );
    // ${*} is a literal asterisk, ${?} a literal question mark, ${$} a literal dollar.
    assert!(condition_holds(
        json!({"StringLike": {"s3:prefix": "a${*}b${?}c${$}"}}),
        &[("s3:prefix", &["a*b?c$"])]
    ));
    assert!(!condition_holds(
        json!({"StringLike": {"s3:prefix": "a${*}b"}}),
        &[("s3:prefix", &["axxb"])]
    ));
    // Defaults apply when the key is missing.
    assert!(condition_holds(
        json!({"StringEquals": {"s3:prefix": "${aws:PrincipalTag/team, 'none'}"}}),
        &[("s3:prefix", &["none"])]
    ));
    // Tags as variables.
    assert!(condition_holds(
        json!({"StringEquals": {"aws:ResourceTag/owner": "${aws:PrincipalTag/team}"}}),
        &[
            ("aws:ResourceTag/owner", &["data"]),
            ("aws:PrincipalTag/team", &["data"])
        ]
    ));
}

#[test]
fn variables_are_literal_without_version_2012() {
    for version in [None, Some("2008-10-17")] {
        let mut doc = json!({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}"}]});
        if let Some(v) = version {
            doc["Version"] = json!(v);
        }
        let input = EvaluationInput {
            identity_policies: vec![named("p", PolicySourceType::None, policy(doc))],
            ..Default::default()
        };
        let with_user = |r: Request| r.context_value("aws:username", "alice");
        assert_eq!(
            decide(
                &input,
                &with_user(req("s3:GetObject", "arn:aws:s3:::b/alice"))
            ),
            Decision::ImplicitDeny
        );
        assert_eq!(
            decide(
                &input,
                &with_user(req("s3:GetObject", "arn:aws:s3:::b/${aws:username}"))
            ),
            Decision::Allowed
        );
    }
}

// ---------------------------------------------------------------------------------------
// Permissions boundaries and session policies

#[test]
fn permissions_boundary_limits_identity_policies() {
    let mut input =
        identity(json!([{"Effect": "Allow", "Action": ["s3:*", "iam:*"], "Resource": "*"}]));
    input.permissions_boundary = Some(named(
        "boundary",
        PolicySourceType::PermissionsBoundary,
        statements(json!([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}])),
    ));
    let s3 = evaluate(&input, &req("s3:GetObject", "arn:aws:s3:::b/k"));
    assert_eq!(s3.decision, Decision::Allowed);
    assert_eq!(
        s3.boundary_decision,
        Some(BoundaryDecision {
            allowed_by_permissions_boundary: true
        })
    );
    let iam = evaluate(
        &input,
        &req("iam:CreateUser", "arn:aws:iam::111122223333:user/bob"),
    );
    assert_eq!(iam.decision, Decision::ImplicitDeny);
    assert_eq!(
        iam.boundary_decision,
        Some(BoundaryDecision {
            allowed_by_permissions_boundary: false
        })
    );
    assert!(
        iam.explanation
            .reasons
            .contains(&Reason::BoundaryDoesNotAllow)
    );
    // The boundary alone grants nothing.
    input.identity_policies.clear();
    assert_eq!(
        decide(&input, &req("s3:GetObject", "arn:aws:s3:::b/k")),
        Decision::ImplicitDeny
    );
}

#[test]
fn boundary_and_same_account_resource_policy_grants() {
    let grant = |principal: &str| {
        named(
            "bucket-policy",
            PolicySourceType::Resource,
            statements(
                json!([{"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]),
            ),
        )
    };
    let boundary = named(
        "boundary",
        PolicySourceType::PermissionsBoundary,
        statements(json!([{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}])),
    );
    let input = |principal: &str| EvaluationInput {
        resource_policy: Some(grant(principal)),
        permissions_boundary: Some(boundary.clone()),
        ..Default::default()
    };
    // Naming the user: not limited by the boundary's implicit deny.
    assert_eq!(
        decide(&input(ALICE), &req("s3:GetObject", "arn:aws:s3:::b/k")),
        Decision::Allowed
    );
    // Naming the role: limited by the boundary, for the role and its sessions.
    let role_req = |p: &str| {
        Request::new("s3:GetObject", "arn:aws:s3:::b/k")
            .principal(p)
            .resource_account(ACCOUNT)
    };
    assert_eq!(
        decide(&input(ROLE), &role_req(ROLE)),
        Decision::ImplicitDeny
    );
    assert_eq!(
        decide(&input(ROLE), &role_req(SESSION)),
        Decision::ImplicitDeny
    );
    // Naming the session itself: not limited.
    assert_eq!(
        decide(&input(SESSION), &role_req(SESSION)),
        Decision::Allowed
    );
    // Without a boundary, naming the role suffices for its sessions.
    let mut no_boundary = input(ROLE);
    no_boundary.permissions_boundary = None;
    assert_eq!(decide(&no_boundary, &role_req(SESSION)), Decision::Allowed);
    // Naming the account delegates to identity policies.
    let account_grant = input("arn:aws:iam::111122223333:root");
    let result = evaluate(&account_grant, &req("s3:GetObject", "arn:aws:s3:::b/k"));
    assert_eq!(result.decision, Decision::ImplicitDeny);
    assert!(
        result
            .explanation
            .reasons
            .contains(&Reason::ResourcePolicyGrantsAccountOnly)
    );
}

#[test]
fn session_policy_limits_the_session() {
    let session_req = || {
        Request::new("s3:GetObject", "arn:aws:s3:::b/k")
            .principal(SESSION)
            .resource_account(ACCOUNT)
    };
    let mut input = identity(json!([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]));
    input.session_policy = Some(named(
        "session",
        PolicySourceType::Session,
        statements(json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}])),
    ));
    assert_eq!(decide(&input, &session_req()), Decision::Allowed);
    let put = Request::new("s3:PutObject", "arn:aws:s3:::b/k")
        .principal(SESSION)
        .resource_account(ACCOUNT);
    let result = evaluate(&input, &put);
    assert_eq!(result.decision, Decision::ImplicitDeny);
    assert!(
        result
            .explanation
            .reasons
            .contains(&Reason::SessionPolicyDoesNotAllow)
    );
    // The session policy alone grants nothing.
    input.identity_policies.clear();
    assert_eq!(decide(&input, &session_req()), Decision::ImplicitDeny);
}

// ---------------------------------------------------------------------------------------
// Organizations

#[test]
fn every_scp_level_must_allow() {
    let allow_all = || {
        named(
            "FullAWSAccess",
            PolicySourceType::Scp,
            statements(json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}])),
        )
    };
    let only_ec2 = || {
        named(
            "OnlyEC2",
            PolicySourceType::Scp,
            statements(json!([{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}])),
        )
    };
    let mut input = identity(json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}]));
    input.scp_levels = Some(vec![vec![allow_all()], vec![only_ec2()]]);
    assert_eq!(
        decide(&input, &req("ec2:RunInstances", "*")),
        Decision::Allowed
    );
    let s3 = evaluate(&input, &req("s3:GetObject", "*"));
    assert_eq!(s3.decision, Decision::ImplicitDeny);
    assert_eq!(
        s3.explanation.reasons,
        vec![Reason::ScpLevelDoesNotAllow { level: 1 }]
    );
    // An SCP deny at any level is explicit.
    input.scp_levels = Some(vec![
        vec![
            allow_all(),
            named(
                "NoEC2",
                PolicySourceType::Scp,
                statements(json!([{"Effect": "Deny", "Action": "ec2:*", "Resource": "*"}])),
            ),
        ],
        vec![allow_all()],
    ]);
    assert_eq!(
        decide(&input, &req("ec2:RunInstances", "*")),
        Decision::ExplicitDeny
    );
    // SCPs grant nothing by themselves.
    input.identity_policies.clear();
    assert_eq!(
        decide(&input, &req("s3:GetObject", "*")),
        Decision::ImplicitDeny
    );
}

#[test]
fn rcps_only_deny() {
    let mut input = identity(json!([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]));
    input.rcp_levels = Some(vec![vec![]]);
    assert_eq!(
        decide(&input, &req("s3:GetObject", "arn:aws:s3:::b/k")),
        Decision::Allowed
    );
    input.rcp_levels = Some(vec![vec![named(
        "DenyExternal",
        PolicySourceType::Rcp,
        statements(
            json!([{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
            "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-1234567"}}}]),
        ),
    )]]);
    assert_eq!(
        decide(&input, &req("s3:GetObject", "arn:aws:s3:::b/k")),
        Decision::ExplicitDeny
    );
    assert_eq!(
        decide(
            &input,
            &req("s3:GetObject", "arn:aws:s3:::b/k")
                .context_value("aws:PrincipalOrgID", "o-1234567")
        ),
        Decision::Allowed
    );
}

// ---------------------------------------------------------------------------------------
// Resource policies, principals, cross-account

#[test]
fn cross_account_needs_both_sides() {
    let caller = "arn:aws:iam::444455556666:user/bob";
    let cross = || {
        Request::new("s3:GetObject", "arn:aws:s3:::b/k")
            .principal(caller)
            .resource_account(ACCOUNT)
    };
    let bucket_policy = |principal: &str| {
        Some(named(
            "bucket-policy",
            PolicySourceType::Resource,
            statements(
                json!([{"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]),
            ),
        ))
    };
    let mut input =
        identity(json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]));
    let r = evaluate(&input, &cross());
    assert_eq!(r.decision, Decision::ImplicitDeny);
    assert!(
        r.explanation
            .reasons
            .contains(&Reason::CrossAccountNeedsResourcePolicy)
    );
    input.resource_policy = bucket_policy(OTHER);
    assert_eq!(decide(&input, &cross()), Decision::Allowed);
    input.resource_policy = bucket_policy(caller);
    assert_eq!(decide(&input, &cross()), Decision::Allowed);
    // The resource policy alone is not enough across accounts.
    input.identity_policies.clear();
    let r = evaluate(&input, &cross());
    assert_eq!(r.decision, Decision::ImplicitDeny);
    assert!(
        r.explanation
            .reasons
            .contains(&Reason::CrossAccountNeedsIdentity)
    );
}

#[test]
fn same_account_resource_policy_alone_suffices_and_needs_a_principal() {
    let input = |stmt: Value| EvaluationInput {
        resource_policy: Some(named(
            "bucket-policy",
            PolicySourceType::Resource,
            statements(json!([stmt])),
        )),
        ..Default::default()
    };
    let named_user = input(
        json!({"Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": "s3:GetObject", "Resource": "*"}),
    );
    assert_eq!(
        decide(&named_user, &req("s3:GetObject", "arn:aws:s3:::b/k")),
        Decision::Allowed
    );
    let other_user = input(
        json!({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/bob"}, "Action": "s3:GetObject", "Resource": "*"}),
    );
    assert_eq!(
        decide(&other_user, &req("s3:GetObject", "arn:aws:s3:::b/k")),
        Decision::ImplicitDeny
    );
    let no_principal = input(json!({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}));
    let r = evaluate(&no_principal, &req("s3:GetObject", "arn:aws:s3:::b/k"));
    assert_eq!(r.decision, Decision::ImplicitDeny);
    assert_eq!(
        r.explanation.statements[0].outcome,
        StatementOutcome::NoPrincipal
    );
}

#[test]
fn anonymous_and_service_callers() {
    let public = EvaluationInput {
        resource_policy: Some(named(
            "bucket-policy",
            PolicySourceType::Resource,
            statements(json!([
                {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::site/*"},
                {"Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::site/logs/*"}
            ])),
        )),
        scp_levels: Some(vec![vec![]]),
        ..Default::default()
    };
    let anon = Request::new("s3:GetObject", "arn:aws:s3:::site/index.html")
        .anonymous()
        .resource_account(ACCOUNT);
    // SCPs do not apply to anonymous callers.
    assert_eq!(decide(&public, &anon), Decision::Allowed);
    assert_eq!(
        decide(
            &public,
            &Request::new("s3:PutObject", "arn:aws:s3:::site/x")
                .anonymous()
                .resource_account(ACCOUNT)
        ),
        Decision::ImplicitDeny
    );
    let svc = Request::new("s3:PutObject", "arn:aws:s3:::site/logs/1")
        .principal("logging.s3.amazonaws.com")
        .resource_account(ACCOUNT);
    assert_eq!(decide(&public, &svc), Decision::Allowed);
    assert_eq!(
        decide(&EvaluationInput::default(), &anon),
        Decision::ImplicitDeny
    );
}

#[test]
fn not_principal() {
    let input = |extra_boundary: bool| {
        let mut input = identity(json!([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]));
        input.resource_policy = Some(named(
            "bucket-policy",
            PolicySourceType::Resource,
            statements(
                json!([{"Effect": "Deny", "NotPrincipal": {"AWS": [ALICE, "arn:aws:iam::111122223333:root"]},
                "Action": "s3:*", "Resource": "*"}]),
            ),
        ));
        if extra_boundary {
            input.permissions_boundary = Some(named(
                "boundary",
                PolicySourceType::PermissionsBoundary,
                statements(json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}])),
            ));
        }
        input
    };
    assert_eq!(
        decide(&input(false), &req("s3:GetObject", "arn:aws:s3:::b/k")),
        Decision::Allowed
    );
    let bob = Request::new("s3:GetObject", "arn:aws:s3:::b/k")
        .principal("arn:aws:iam::444455556666:user/bob")
        .resource_account(ACCOUNT);
    assert_eq!(decide(&input(false), &bob), Decision::ExplicitDeny);
    // NotPrincipal with Deny always denies principals that have a permissions boundary.
    assert_eq!(
        decide(&input(true), &req("s3:GetObject", "arn:aws:s3:::b/k")),
        Decision::ExplicitDeny
    );
    // The account's ARN in NotPrincipal exempts the account, not its users: Carol, of the
    // same account but not listed, is denied (User Guide, NotPrincipal).
    let carol = Request::new("s3:GetObject", "arn:aws:s3:::b/k")
        .principal("arn:aws:iam::111122223333:user/carol")
        .resource_account(ACCOUNT);
    assert_eq!(decide(&input(false), &carol), Decision::ExplicitDeny);
    let mut account_only = input(false);
    account_only.resource_policy = Some(named(
        "bucket-policy",
        PolicySourceType::Resource,
        statements(
            json!([{"Effect": "Deny", "NotPrincipal": {"AWS": "111122223333"},
            "Action": "s3:*", "Resource": "*"}]),
        ),
    ));
    assert_eq!(decide(&account_only, &carol), Decision::ExplicitDeny);
    let root = Request::new("s3:GetObject", "arn:aws:s3:::b/k")
        .principal("arn:aws:iam::111122223333:root")
        .resource_account(ACCOUNT);
    assert_eq!(decide(&account_only, &root), Decision::Allowed);
}

#[test]
fn role_trust_policy_and_kms_key_policy_must_allow() {
    let role = "arn:aws:iam::111122223333:role/Deploy";
    let mut input = identity(
        json!([{"Effect": "Allow", "Action": ["sts:AssumeRole", "kms:Decrypt"], "Resource": "*"}]),
    );
    let r = evaluate(&input, &req("sts:AssumeRole", role));
    assert_eq!(r.decision, Decision::ImplicitDeny);
    assert!(matches!(
        r.explanation.reasons[0],
        Reason::ResourcePolicyRequired { .. }
    ));
    input.resource_policy = Some(named(
        "trust",
        PolicySourceType::Resource,
        statements(
            json!([{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole"}]),
        ),
    ));
    assert_eq!(
        decide(&input, &req("sts:AssumeRole", role)),
        Decision::Allowed
    );
    let key = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    input.resource_policy = None;
    assert_eq!(
        decide(&input, &req("kms:Decrypt", key)),
        Decision::ImplicitDeny
    );
}

#[test]
fn aws_managed_resources_cannot_be_modified() {
    let admin = identity(json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}]));
    assert_eq!(
        decide(
            &admin,
            &req("iam:DeletePolicy", "arn:aws:iam::aws:policy/ReadOnlyAccess")
        ),
        Decision::ImplicitDeny
    );
    assert_eq!(
        decide(
            &admin,
            &req("iam:GetPolicy", "arn:aws:iam::aws:policy/ReadOnlyAccess")
        ),
        Decision::Allowed
    );
    let reserved =
        "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_1";
    assert_eq!(
        decide(&admin, &req("iam:PutRolePolicy", reserved)),
        Decision::ImplicitDeny
    );
    assert_eq!(
        decide(&admin, &req("iam:ListRolePolicies", reserved)),
        Decision::Allowed
    );
}

// ---------------------------------------------------------------------------------------
// Explanations

#[test]
fn brief_example_ec2_s3_access_role() {
    // Can EC2-S3-Access-Role read and write s3://my-app-bucket/* ?
    let input = EvaluationInput {
        identity_policies: vec![named(
            "S3AppAccess",
            PolicySourceType::Role,
            statements(json!([{"Sid": "AppBucketReadWrite", "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::my-app-bucket/*"}])),
        )],
        ..Default::default()
    };
    let role = "arn:aws:iam::111122223333:role/EC2-S3-Access-Role";
    let r = |action: &str| {
        evaluate(
            &input,
            &Request::new(action, "arn:aws:s3:::my-app-bucket/*").principal(role),
        )
    };
    for action in ["s3:GetObject", "s3:PutObject"] {
        let result = r(action);
        assert_eq!(result.decision, Decision::Allowed, "{action}");
        assert_eq!(result.matched_statements[0].source_policy_id, "S3AppAccess");
        assert_eq!(result.matched_statements[0].sid, Some("AppBucketReadWrite"));
    }
    let delete = r("s3:DeleteObject");
    assert_eq!(delete.decision, Decision::ImplicitDeny);
    assert!(delete.matched_statements.is_empty());
    assert_eq!(delete.explanation.reasons, vec![Reason::NoIdentityAllow]);
    assert_eq!(
        delete.explanation.statements[0].outcome,
        StatementOutcome::ActionNotMatched { not_action: false }
    );
    let delete_request =
        Request::new("s3:DeleteObject", "arn:aws:s3:::my-app-bucket/*").principal(role);
    let lines = delete.explanation_lines(&delete_request);
    assert_eq!(
        lines[0],
        "decision: implicitDeny for s3:DeleteObject on arn:aws:s3:::my-app-bucket/* by arn:aws:iam::111122223333:role/EC2-S3-Access-Role"
    );
    assert_eq!(
        lines[1],
        "reason: no identity-based policy allows the action"
    );
    assert_eq!(
        lines[2],
        "role inline policy \"S3AppAccess\" statement 0 (Sid \"AppBucketReadWrite\") [Allow]: does not apply: the action is not in Action"
    );
}

#[test]
fn explanation_names_the_failing_condition_and_serializes_aws_shaped() {
    let input = identity(
        json!([{"Sid": "TLSOnly", "Effect": "Allow", "Action": "s3:*", "Resource": "*",
        "Condition": {"Bool": {"aws:SecureTransport": "true"}}}]),
    );
    let request =
        req("s3:GetObject", "arn:aws:s3:::b/k").context_value("aws:SecureTransport", "false");
    let result = evaluate(&input, &request);
    assert_eq!(
        result.explanation_lines(&request)[2],
        "customer managed policy \"identity\" statement 0 (Sid \"TLSOnly\") [Allow]: does not apply: \
         condition Bool on aws:SecureTransport failed (the request value matched none of the policy values); \
         request value [\"false\"]"
    );
    assert_eq!(
        result.explanation.statements[0].outcome,
        StatementOutcome::ConditionNotMet {
            operator: "Bool",
            key: "aws:SecureTransport",
            reason: ConditionFailure::NoValueMatched
        }
    );
    let v = serde_json::to_value(&result).unwrap();
    assert_eq!(v["EvalDecision"], "implicitDeny");
    assert_eq!(v["MatchedStatements"], json!([]));
    assert_eq!(v["MissingContextValues"], json!([]));
    assert_eq!(
        v["Explanation"]["statements"][0]["outcome"],
        "conditionNotMet"
    );
    let allowed = evaluate(
        &input,
        &req("s3:GetObject", "arn:aws:s3:::b/k").context_value("aws:SecureTransport", "true"),
    );
    let v = serde_json::to_value(&allowed).unwrap();
    assert_eq!(
        v["MatchedStatements"],
        json!([{"SourcePolicyId": "identity", "SourcePolicyType": "user-managed", "StatementIndex": 0, "Sid": "TLSOnly", "Effect": "Allow"}])
    );
}

#[test]
fn conformance_runner_reports_and_tolerates_bad_files() {
    let dir = std::env::temp_dir().join(format!("iam-policy-conformance-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let case = |id: &str, expected: &str, status: &str| {
        json!({"id": id, "category": "demo", "status": status, "expected": expected,
            "identity_policies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}],
            "permissions_boundary": null, "resource_policy": null, "session_policy": null, "scps": null, "rcps": null,
            "request": {"action": "s3:GetObject", "resource": "arn:aws:s3:::b/k", "resource_account": "111122223333",
                        "principal_arn": "arn:aws:iam::111122223333:user/a", "context": {}}})
    };
    std::fs::write(dir.join("a.json"), case("a", "allowed", "ok").to_string()).unwrap();
    std::fs::write(
        dir.join("b.json"),
        case("b", "implicitDeny", "ok").to_string(),
    )
    .unwrap();
    std::fs::write(
        dir.join("c.json"),
        case("c", "explicitDeny", "disputed").to_string(),
    )
    .unwrap();
    std::fs::write(dir.join("README.md"), "not a case").unwrap();
    std::fs::write(dir.join("broken.json"), "{").unwrap();
    let mut out = Vec::new();
    let summary = conformance::run_dir(&dir, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(
        (summary.passed, summary.failed, summary.disputed_failed),
        (1, 2, 1)
    );
    assert!(text.contains("  demo: 1/2\n"), "{text}");
    assert!(
        text.contains("  b: expected implicitDeny, got allowed\n"),
        "{text}"
    );
    assert!(text.ends_with("1 passed, 2 failed\n"), "{text}");
    assert!(
        conformance::run_dir(std::path::Path::new("/nonexistent/cases"), &mut Vec::new()).is_err()
    );
}

#[test]
fn unnamed_caller_is_an_iam_principal() {
    // Simulation without a caller ARN: identity policies and SCPs apply; resource
    // policies count only where they allow everyone.
    let mut input =
        identity(json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]));
    let request = Request::new("s3:GetObject", "arn:aws:s3:::b/k");
    assert_eq!(decide(&input, &request), Decision::Allowed);
    input.scp_levels = Some(vec![vec![]]);
    assert_eq!(decide(&input, &request), Decision::ImplicitDeny);
    let bucket = |principal: Value| EvaluationInput {
        resource_policy: Some(named(
            "bucket-policy",
            PolicySourceType::Resource,
            statements(
                json!([{"Effect": "Allow", "Principal": principal, "Action": "s3:GetObject", "Resource": "*"}]),
            ),
        )),
        ..Default::default()
    };
    assert_eq!(decide(&bucket(json!("*")), &request), Decision::Allowed);
    assert_eq!(
        decide(&bucket(json!({"AWS": ALICE})), &request),
        Decision::ImplicitDeny
    );
}

/// Random documents and requests built from awkward pieces: parsing and evaluation must
/// never panic, whatever the input.
#[test]
fn never_panics_on_random_policies_and_requests() {
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let atoms = [
        "",
        "*",
        "?",
        ":",
        "${",
        "}",
        "${aws:username}",
        "${*}",
        "${aws:x, 'd'}",
        "arn:",
        "arn:aws:s3:::b/*",
        "arn:aws:sqs",
        "arn:aws:ec2:*:1:*/x",
        "é",
        "日本",
        "s3:Get*",
        "true",
        "FALSE",
        "10.0.0.0/33",
        "::1",
        "2024-13-45",
        "1e400",
        "-",
        "%7B",
        "/",
        "arn:aws:iam::111122223333:root",
        "111122223333",
    ];
    let operators = [
        "StringEquals",
        "StringNotLike",
        "ForAllValues:StringLike",
        "ForAnyValue:NotIpAddress",
        "DateLessThanIfExists",
        "NumericEquals",
        "Bool",
        "BinaryEquals",
        "ArnNotLike",
        "Null",
        "ForAnyValue:Null",
        "Bogus",
        "IpAddress",
    ];
    let text = |next: &mut dyn FnMut(usize) -> usize| {
        let mut s = String::new();
        for _ in 0..next(4) {
            s.push_str(atoms[next(atoms.len())]);
        }
        s
    };
    for _ in 0..3000 {
        let mut stmts = Vec::new();
        for _ in 0..next(4) {
            let mut stmt = serde_json::Map::new();
            let effect = ["Allow", "Deny", "x"][next(3)];
            stmt.insert("Effect".into(), json!(effect));
            let action_key = ["Action", "NotAction"][next(2)];
            let actions = [text(&mut next), "*".to_owned()];
            stmt.insert(action_key.into(), json!(actions[..1 + next(2)]));
            let res_key = ["Resource", "NotResource"][next(2)];
            stmt.insert(res_key.into(), json!(text(&mut next)));
            if next(2) == 0 {
                stmt.insert("Principal".into(), json!({"AWS": text(&mut next)}));
            }
            let op = operators[next(operators.len())];
            stmt.insert(
                "Condition".into(),
                json!({op: {text(&mut next): [text(&mut next), text(&mut next)]}}),
            );
            stmts.push(Value::Object(stmt));
        }
        let version = ["2012-10-17", "2008-10-17"][next(2)];
        let doc = json!({"Version": version, "Statement": stmts});
        let (p, _) = Policy::parse_lenient(&doc);
        let input = EvaluationInput {
            identity_policies: vec![named("i", PolicySourceType::None, p.clone())],
            permissions_boundary: (next(2) == 0)
                .then(|| named("b", PolicySourceType::PermissionsBoundary, p.clone())),
            resource_policy: Some(named("r", PolicySourceType::Resource, p.clone())),
            scp_levels: Some(vec![vec![named("s", PolicySourceType::Scp, p.clone())]]),
            rcp_levels: Some(vec![vec![named("c", PolicySourceType::Rcp, p)]]),
            session_policy: None,
        };
        let mut request = Request::new(text(&mut next), text(&mut next))
            .context_values(text(&mut next), vec![text(&mut next), text(&mut next)])
            .context_value("aws:username", text(&mut next));
        request = match next(3) {
            0 => request.anonymous(),
            1 => request.principal(text(&mut next)),
            _ => request.principal(SESSION),
        };
        let result = evaluate(&input, &request);
        let _ = result.explanation_lines(&request);
        let _ = serde_json::to_string(&result);
    }
}
