//! Policy evaluation throughput, single thread, explanation included.
//!
//! `cargo bench -p iam-policy --bench policy_eval`
//!
//! One request against 3 identity policies of 5 statements (with conditions) plus a
//! permissions boundary; prints evaluations per second.

use std::hint::black_box;
use std::time::{Duration, Instant};

use iam_policy::{
    Decision, EvaluationInput, NamedPolicy, Policy, PolicySourceType, Request, evaluate,
};
use serde_json::json;

fn identity_policy(n: usize) -> Policy {
    let doc = json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": format!("P{n}S0"), "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
             "Resource": format!("arn:aws:s3:::bucket-{n}/*"),
             "Condition": {"StringEquals": {"aws:PrincipalTag/team": "data"}, "Bool": {"aws:SecureTransport": "true"}}},
            {"Sid": format!("P{n}S1"), "Effect": "Allow", "Action": "s3:List*",
             "Resource": format!("arn:aws:s3:::bucket-{n}"),
             "Condition": {"StringLike": {"s3:prefix": ["home/${aws:username}/*", "shared/*"]}}},
            {"Sid": format!("P{n}S2"), "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*",
             "Condition": {"IpAddress": {"aws:SourceIp": ["198.51.100.0/24", "2001:db8::/32"]}}},
            {"Sid": format!("P{n}S3"), "Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*",
             "Condition": {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"},
                           "NumericLessThanEquals": {"aws:MultiFactorAuthAge": "3600"}}},
            {"Sid": format!("P{n}S4"), "Effect": "Allow", "Action": "s3:GetObject",
             "Resource": "arn:aws:s3:::my-app-bucket/*",
             "Condition": {"ForAnyValue:StringEquals": {"aws:TagKeys": ["env", "owner"]},
                           "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/*"}}}
        ]
    });
    Policy::parse(&doc).expect("bench policy is valid")
}

fn main() {
    let boundary = Policy::parse(&json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["s3:*", "ec2:Describe*"], "Resource": "*"},
            {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}
        ]
    }))
    .expect("bench boundary is valid");
    let input = EvaluationInput {
        identity_policies: (0..3)
            .map(|n| {
                NamedPolicy::new(
                    format!("policy-{n}"),
                    PolicySourceType::UserManaged,
                    identity_policy(n),
                )
            })
            .collect(),
        permissions_boundary: Some(NamedPolicy::new(
            "boundary",
            PolicySourceType::PermissionsBoundary,
            boundary,
        )),
        ..Default::default()
    };
    let request = Request::new("s3:GetObject", "arn:aws:s3:::my-app-bucket/reports/q1.csv")
        .principal("arn:aws:iam::123456789012:role/EC2-S3-Access-Role")
        .resource_account("123456789012")
        .context_value("aws:PrincipalTag/team", "data")
        .context_value("aws:SecureTransport", "true")
        .context_value("aws:SourceIp", "203.0.113.7")
        .context_value("aws:CurrentTime", "2025-06-01T12:00:00Z")
        .context_value(
            "aws:PrincipalArn",
            "arn:aws:iam::123456789012:role/EC2-S3-Access-Role",
        )
        .context_values("aws:TagKeys", vec!["owner".into(), "cost-center".into()]);

    let first = evaluate(&input, &request);
    assert_eq!(first.decision, Decision::Allowed);
    assert_eq!(first.explanation.statements.len(), 17);

    // Warm up, then measure for about two seconds.
    for _ in 0..10_000 {
        black_box(evaluate(black_box(&input), black_box(&request)));
    }
    let mut n: u64 = 0;
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(2) {
        for _ in 0..1_000 {
            black_box(evaluate(black_box(&input), black_box(&request)));
        }
        n += 1_000;
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "policy_eval: {:.0} evaluations/s with explanation ({} evaluations in {:.2}s, {:.2} us each)",
        n as f64 / secs,
        n,
        secs,
        secs * 1e6 / n as f64
    );
}
