//! Policy lint before every write that takes a document: each error kind refused before
//! AWS sees it, each warning kind returned with the result; and validate_policy.

use crate::common;

use common::{Moto, Server, recorded_actions, trust};
use serde_json::{Value, json};

const WRITE: &[&str] = &["--allow-write", "--toolsets", "all"];

fn doc(statement: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": [statement]})
}

/// Identity-policy errors: (document, what the message says).
fn identity_errors() -> Vec<(Value, &'static str)> {
    let ok = json!({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"});
    let with = |k: &str, v: Value| {
        let mut s = ok.clone();
        s[k] = v;
        doc(s)
    };
    vec![
        (
            json!("{\"Version\": \"2012-10-17\", \"Statement\": ["),
            "not JSON",
        ),
        (
            json!({"Statement": [ok.clone()]}),
            "Version: Add \"Version\": \"2012-10-17\"",
        ),
        (
            json!({"Version": "2013-01-01", "Statement": [ok.clone()]}),
            "[INVALID_VERSION]",
        ),
        (with("Effect", json!("Alow")), "Statement[0].Effect"),
        (
            with("NotAction", json!("s3:PutObject")),
            "Action and NotAction can not be used in the same statement",
        ),
        (
            with("Action", json!("s3GetObject")),
            "\"s3GetObject\" is not an action",
        ),
        (
            with("Resource", json!("my-bucket")),
            "\"my-bucket\" is not an ARN",
        ),
        (
            with("Condition", json!({"StringLikeish": {"aws:username": "x"}})),
            "The condition operator \"StringLikeish\" is not valid",
        ),
        (
            with(
                "Principal",
                json!({"AWS": "arn:aws:iam::123456789012:root"}),
            ),
            "[UNSUPPORTED_PRINCIPAL]",
        ),
    ]
}

fn identity_warnings() -> Vec<(Value, &'static str)> {
    vec![
        (
            doc(json!({"Effect": "Allow", "Action": "*", "Resource": "*"})),
            "Statement[0].Action: \"*\" allows every action of every service",
        ),
        (
            doc(json!({"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b"})),
            "\"s3:*\" allows every action of s3",
        ),
        (
            doc(json!({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})),
            "Allow with NotAction",
        ),
        (
            doc(json!({"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"})),
            "[PASS_ROLE_WITH_STAR_IN_RESOURCE]",
        ),
    ]
}

fn trust_errors() -> Vec<(Value, &'static str)> {
    vec![
        (json!("not json"), "not JSON"),
        (
            doc(json!({"Effect": "Allow", "Action": "sts:AssumeRole"})),
            "needs a Principal",
        ),
        (
            doc(
                json!({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "s3:GetObject"}),
            ),
            "has no meaning in a trust policy",
        ),
        (
            doc(
                json!({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole", "Resource": "*"}),
            ),
            "[ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE]",
        ),
    ]
}

#[tokio::test]
async fn every_document_taking_tool_lints_before_aws_sees_it() {
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
    let arn = common::create_policy(&sdk, "p").await;

    let identity_tools: Vec<(&str, Value)> = vec![
        (
            "put_user_policy",
            json!({"user_name": "u", "policy_name": "x"}),
        ),
        (
            "put_group_policy",
            json!({"group_name": "g", "policy_name": "x"}),
        ),
        (
            "put_role_policy",
            json!({"role_name": "r", "policy_name": "x"}),
        ),
        ("create_policy", json!({"policy_name": "new-policy"})),
        ("create_policy_version", json!({"policy_arn": arn})),
    ];
    let trust_tools: Vec<(&str, &str, Value)> = vec![
        (
            "create_role",
            "assume_role_policy_document",
            json!({"role_name": "new-role"}),
        ),
        (
            "update_assume_role_policy",
            "policy_document",
            json!({"role_name": "r"}),
        ),
    ];

    // Errors: refused, every one, and no write reaches AWS.
    let server = Server::start(&moto, WRITE).await;
    let mut refused = 0;
    for (tool, base) in &identity_tools {
        for (document, expected) in identity_errors() {
            let mut args = base.clone();
            args["policy_document"] = document;
            let text = server.err(tool, args).await;
            // Text that is not JSON is refused while the arguments are read, the rest by the lint.
            let before_aws = text.contains("refused the policy document before sending it to AWS")
                || expected == "not JSON";
            assert!(
                before_aws && text.contains(expected),
                "{tool}: expected {expected:?} in {text}"
            );
            assert!(
                text.contains("policy_document"),
                "{tool}: the problem names the param: {text}"
            );
            refused += 1;
        }
    }
    for (tool, param, base) in &trust_tools {
        for (document, expected) in trust_errors() {
            let mut args = base.clone();
            args[*param] = document;
            let text = server.err(tool, args).await;
            assert!(
                text.contains(expected),
                "{tool}: expected {expected:?} in {text}"
            );
            refused += 1;
        }
    }
    assert_eq!(refused, 5 * 9 + 2 * 4);
    let stderr = server.stop().await;
    let writes: Vec<String> = recorded_actions(&stderr)
        .into_iter()
        .filter(|a| {
            ["Put", "Create", "Update"]
                .iter()
                .any(|w| a.starts_with(&format!("iam:{w}")))
        })
        .collect();
    assert!(
        writes.is_empty(),
        "refused documents reached AWS: {writes:?}"
    );

    // Warnings: the write goes through and the result says what to look at (with the
    // guardrails that refuse the widest of these documents relaxed).
    let relaxed: Vec<&str> = WRITE
        .iter()
        .copied()
        .chain(["--allow-broad-policies", "--allow-public-trust"])
        .collect();
    let server = Server::start(&moto, &relaxed).await;
    for (i, (tool, base)) in identity_tools.iter().enumerate() {
        for (j, (document, expected)) in identity_warnings().into_iter().enumerate() {
            let mut args = base.clone();
            args["policy_document"] = document;
            if *tool == "create_policy" {
                args["policy_name"] = json!(format!("wide-{i}-{j}"));
            }
            if *tool == "create_policy_version" {
                // At most 5 versions: make room.
                for v in sdk
                    .list_policy_versions()
                    .policy_arn(&arn)
                    .send()
                    .await
                    .unwrap()
                    .versions()
                {
                    if !v.is_default_version() {
                        sdk.delete_policy_version()
                            .policy_arn(&arn)
                            .version_id(v.version_id().unwrap())
                            .send()
                            .await
                            .unwrap();
                    }
                }
            }
            let out = server.ok(tool, args).await;
            let message = out["Message"].as_str().unwrap_or_default();
            assert!(
                message.contains("Policy warnings (the write went through)")
                    && message.contains(expected),
                "{tool}: expected {expected:?} in {message}"
            );
        }
    }
    let open_trust =
        doc(json!({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}));
    for (tool, param, base) in &trust_tools {
        let mut args = base.clone();
        args[*param] = open_trust.clone();
        let out = server.ok(tool, args).await;
        assert!(
            out["Message"]
                .as_str()
                .unwrap()
                .contains("lets any AWS principal assume the role"),
            "{tool}: {out}"
        );
    }
    sdk.get_role()
        .role_name("new-role")
        .send()
        .await
        .expect("create_role with a warning went through");
}

#[tokio::test]
async fn validate_policy_reports_errors_and_warnings_without_writing() {
    let moto = Moto::start();
    let server = Server::start(&moto, &[]).await;
    let bad = server
        .ok("validate_policy", json!({"policy_document": {"Statement": [{"Effect": "Allow", "Action": ["s3GetObject", "iam:PassRole"], "Resource": "*"}]}}))
        .await;
    assert_eq!(bad["Valid"], false);
    let findings: Vec<String> = bad["Findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {} {}: {}",
                f["FindingType"].as_str().unwrap(),
                f["IssueCode"].as_str().unwrap(),
                f["Path"].as_str().unwrap(),
                f["Message"].as_str().unwrap()
            )
        })
        .collect();
    for expected in [
        "ERROR MISSING_VERSION Version: Add \"Version\"",
        "ERROR INVALID_ACTION Statement[0].Action[0]: \"s3GetObject\" is not an action",
        "SECURITY_WARNING PASS_ROLE_WITH_STAR_IN_RESOURCE Statement[0].Resource: iam:PassRole",
    ] {
        assert!(
            findings.iter().any(|f| f.starts_with(expected)),
            "{expected:?} in {findings:#?}"
        );
    }
    let trust_ok = server
        .ok(
            "validate_policy",
            json!({"policy_document": trust("lambda.amazonaws.com"), "policy_type": "trust"}),
        )
        .await;
    assert_eq!(
        trust_ok,
        json!({"Valid": true, "Findings": [], "Guardrails": []})
    );
    // Valid, but what this server's guardrails would refuse is said, with the flag.
    let admin = server.ok("validate_policy", json!({"policy_document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}})).await;
    assert_eq!(admin["Valid"], true);
    assert_eq!(
        admin["Guardrails"],
        json!([{"Guardrail": "broad_allow", "Path": "Statement[0]", "Message": "allows every action of every service on every resource", "RelaxWith": "--allow-broad-policies"}])
    );
    let open_trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]});
    let open = server
        .ok(
            "validate_policy",
            json!({"policy_document": open_trust, "policy_type": "trust"}),
        )
        .await;
    assert_eq!(open["Guardrails"][0]["Guardrail"], "public_trust", "{open}");
    let as_identity = server
        .ok(
            "validate_policy",
            json!({"policy_document": trust("lambda.amazonaws.com")}),
        )
        .await;
    assert_eq!(
        as_identity["Valid"], false,
        "a trust policy is not an identity policy: {as_identity}"
    );
    let stderr = server.stop().await;
    assert!(
        recorded_actions(&stderr).is_empty(),
        "validate_policy called AWS"
    );
    let relaxed = Server::start(&moto, &["--allow-broad-policies"]).await;
    let admin = relaxed.ok("validate_policy", json!({"policy_document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}})).await;
    assert_eq!(
        admin["Guardrails"],
        json!([]),
        "a relaxed rule finds nothing: {admin}"
    );
    relaxed.stop().await;
}
