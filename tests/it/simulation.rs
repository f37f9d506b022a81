//! Policy simulation through the server: the local engine on policies read from moto, the
//! brief's example, AWS's simulator on recorded responses (moto has no simulator), and
//! invalid documents.

use crate::common;

use common::{Moto, Server, server_env};
use serde_json::{Value, json};

fn doc(statements: Value) -> String {
    json!({"Version": "2012-10-17", "Statement": statements}).to_string()
}

fn decisions(result: &Value) -> Vec<(String, String)> {
    result["EvaluationResults"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["EvalActionName"].as_str().unwrap().to_string(),
                r["EvalDecision"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn result_for<'a>(result: &'a Value, action: &str) -> &'a Value {
    result["EvaluationResults"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["EvalActionName"] == action)
        .unwrap()
}

const BUCKET: &str = "arn:aws:s3:::my-app-bucket/*";

#[tokio::test(flavor = "multi_thread")]
async fn local_evaluator_reads_user_group_and_boundary_policies_from_iam() {
    let moto = Moto::start();
    let sdk = moto.sdk();
    // A user with an inline policy, an attached managed policy and a group with a Deny.
    sdk.create_user()
        .user_name("developer")
        .send()
        .await
        .unwrap();
    sdk.put_user_policy()
        .user_name("developer")
        .policy_name("ReadApp")
        .policy_document(doc(json!([{"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": BUCKET}])))
        .send()
        .await
        .unwrap();
    let write = sdk
        .create_policy()
        .policy_name("WriteApp")
        .policy_document(doc(json!([{"Sid": "Write", "Effect": "Allow", "Action": ["s3:PutObject", "s3:DeleteObject"], "Resource": BUCKET}])))
        .send()
        .await
        .unwrap();
    let write_arn = write.policy().unwrap().arn().unwrap().to_string();
    sdk.attach_user_policy()
        .user_name("developer")
        .policy_arn(&write_arn)
        .send()
        .await
        .unwrap();
    sdk.create_group()
        .group_name("NoDeletes")
        .send()
        .await
        .unwrap();
    sdk.put_group_policy()
        .group_name("NoDeletes")
        .policy_name("DenyDelete")
        .policy_document(doc(json!([{"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}])))
        .send()
        .await
        .unwrap();
    sdk.add_user_to_group()
        .group_name("NoDeletes")
        .user_name("developer")
        .send()
        .await
        .unwrap();
    let user_arn = sdk
        .get_user()
        .user_name("developer")
        .send()
        .await
        .unwrap()
        .user()
        .unwrap()
        .arn()
        .to_string();

    let server = Server::start(&moto, &[]).await;
    let result = server
        .ok(
            "simulate_principal_policy",
            json!({
                "policy_source_arn": user_arn,
                "action_names": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"],
                "resource_arns": ["arn:aws:s3:::my-app-bucket/report.csv"],
                "evaluator": "local"
            }),
        )
        .await;
    assert_eq!(result["Evaluator"], "local");
    // Read independently: inline Read allows GetObject, managed Write allows PutObject,
    // the group's Deny beats Write for DeleteObject, nothing grants ListBucket.
    assert_eq!(
        decisions(&result),
        [
            ("s3:GetObject".to_string(), "allowed".to_string()),
            ("s3:PutObject".into(), "allowed".into()),
            ("s3:DeleteObject".into(), "explicitDeny".into()),
            ("s3:ListBucket".into(), "implicitDeny".into()),
        ]
    );
    let get = result_for(&result, "s3:GetObject");
    assert_eq!(get["MatchedStatements"][0]["SourcePolicyId"], "ReadApp");
    assert_eq!(get["MatchedStatements"][0]["SourcePolicyType"], "user");
    let put = result_for(&result, "s3:PutObject");
    assert_eq!(put["MatchedStatements"][0]["SourcePolicyId"], "WriteApp");
    assert_eq!(
        put["MatchedStatements"][0]["SourcePolicyType"],
        "user-managed"
    );
    let delete = result_for(&result, "s3:DeleteObject");
    assert_eq!(
        delete["MatchedStatements"][0]["SourcePolicyId"],
        "DenyDelete"
    );
    assert_eq!(delete["MatchedStatements"][0]["SourcePolicyType"], "group");
    let list = result_for(&result, "s3:ListBucket");
    assert!(
        list["Explanation"]
            .to_string()
            .contains("No policy grants this permission"),
        "{list}"
    );
    let mut evaluated: Vec<&str> = result["EvaluatedPolicies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["SourcePolicyId"].as_str().unwrap())
        .collect();
    evaluated.sort();
    assert_eq!(evaluated, ["DenyDelete", "ReadApp", "WriteApp"]);

    // Boundaries: moto keeps no user boundary (CreateUser drops it), so a role carries it.
    let boundary = sdk
        .create_policy()
        .policy_name("ReadOnlyBoundary")
        .policy_document(doc(
            json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]),
        ))
        .send()
        .await
        .unwrap();
    let boundary_arn = boundary.policy().unwrap().arn().unwrap().to_string();
    let trust = doc(
        json!([{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]),
    );
    let role = sdk
        .create_role()
        .role_name("bounded")
        .assume_role_policy_document(&trust)
        .permissions_boundary(&boundary_arn)
        .send()
        .await
        .unwrap();
    let role_arn = role.role().unwrap().arn().to_string();
    sdk.put_role_policy()
        .role_name("bounded")
        .policy_name("AllS3")
        .policy_document(doc(
            json!([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]),
        ))
        .send()
        .await
        .unwrap();
    let bounded = server
        .ok(
            "simulate_principal_policy",
            json!({"policy_source_arn": role_arn, "action_names": ["s3:GetObject", "s3:PutObject"], "resource_arns": [BUCKET], "evaluator": "local"}),
        )
        .await;
    assert_eq!(
        decisions(&bounded),
        [
            ("s3:GetObject".to_string(), "allowed".to_string()),
            ("s3:PutObject".into(), "implicitDeny".into())
        ]
    );
    assert_eq!(
        result_for(&bounded, "s3:GetObject")["PermissionsBoundaryDecisionDetail"]["AllowedByPermissionsBoundary"],
        true
    );
    assert_eq!(
        result_for(&bounded, "s3:PutObject")["PermissionsBoundaryDecisionDetail"]["AllowedByPermissionsBoundary"],
        false
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_brief_s_example_ec2_s3_access_role() {
    let moto = Moto::start();
    let sdk = moto.sdk();
    let trust = doc(
        json!([{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]),
    );
    let role = sdk
        .create_role()
        .role_name("EC2-S3-Access-Role")
        .assume_role_policy_document(&trust)
        .send()
        .await
        .unwrap();
    sdk.put_role_policy()
        .role_name("EC2-S3-Access-Role")
        .policy_name("AppBucketReadWrite")
        .policy_document(doc(json!([{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": BUCKET}])))
        .send()
        .await
        .unwrap();
    let server = Server::start(&moto, &[]).await;
    let result = server
        .ok(
            "simulate_principal_policy",
            json!({
                "policy_source_arn": role.role().unwrap().arn(),
                "action_names": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                "resource_arns": [BUCKET],
                "evaluator": "local"
            }),
        )
        .await;
    assert_eq!(
        decisions(&result),
        [
            ("s3:GetObject".to_string(), "allowed".to_string()),
            ("s3:PutObject".into(), "allowed".into()),
            ("s3:DeleteObject".into(), "implicitDeny".into()),
        ]
    );
    let delete = result_for(&result, "s3:DeleteObject");
    assert_eq!(
        delete["Explanation"][1], "No policy grants this permission",
        "{delete}"
    );
    server.stop().await;
}

/// SimulatePrincipalPolicy's answer for the brief's example, in IAM's Query/XML format.
/// (The endpoint wraps it in SimulatePrincipalPolicyResponse/SimulatePrincipalPolicyResult.)
const RECORDED_SIMULATION: &str = r#"
    <IsTruncated>false</IsTruncated>
    <EvaluationResults>
      <member>
        <EvalActionName>s3:GetObject</EvalActionName>
        <EvalResourceName>arn:aws:s3:::my-app-bucket/*</EvalResourceName>
        <EvalDecision>allowed</EvalDecision>
        <MatchedStatements>
          <member>
            <SourcePolicyId>AppBucketReadWrite</SourcePolicyId>
            <SourcePolicyType>role</SourcePolicyType>
            <StartPosition><Line>1</Line><Column>38</Column></StartPosition>
            <EndPosition><Line>1</Line><Column>145</Column></EndPosition>
          </member>
        </MatchedStatements>
        <MissingContextValues/>
        <EvalDecisionDetails/>
      </member>
      <member>
        <EvalActionName>s3:DeleteObject</EvalActionName>
        <EvalResourceName>arn:aws:s3:::my-app-bucket/*</EvalResourceName>
        <EvalDecision>implicitDeny</EvalDecision>
        <MatchedStatements/>
        <MissingContextValues/>
        <EvalDecisionDetails/>
      </member>
    </EvaluationResults>
"#;

#[tokio::test(flavor = "multi_thread")]
async fn aws_evaluator_on_a_recorded_response() {
    // moto does not implement SimulatePrincipalPolicy: this endpoint answers as IAM does.
    let (endpoint, seen) = common::recorded_endpoint(
        [("SimulatePrincipalPolicy", RECORDED_SIMULATION.to_string())].into(),
    )
    .await;
    let server = Server::start_env(&[], server_env(Some(&endpoint))).await;
    let result = server
        .ok(
            "simulate_principal_policy",
            json!({
                "policy_source_arn": "arn:aws:iam::123456789012:role/EC2-S3-Access-Role",
                "action_names": ["s3:GetObject", "s3:DeleteObject"],
                "resource_arns": [BUCKET],
                "context_entries": [{"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["203.0.113.0/24"], "ContextKeyType": "ip"}]
            }),
        )
        .await;
    assert_eq!(result["Evaluator"], "aws");
    assert_eq!(
        decisions(&result),
        [
            ("s3:GetObject".to_string(), "allowed".to_string()),
            ("s3:DeleteObject".into(), "implicitDeny".into())
        ]
    );
    assert_eq!(
        result_for(&result, "s3:GetObject")["MatchedStatements"][0]["SourcePolicyId"],
        "AppBucketReadWrite"
    );
    assert!(
        result_for(&result, "s3:DeleteObject")["Explanation"]
            .to_string()
            .contains("No policy grants this permission")
    );
    server.stop().await;
    let requests = seen.lock().unwrap().clone();
    assert_eq!(requests.len(), 1, "{requests:?}");
    let body = &requests[0];
    for part in [
        "Action=SimulatePrincipalPolicy",
        "PolicySourceArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2FEC2-S3-Access-Role",
        "ActionNames.member.2=s3%3ADeleteObject",
        "ContextEntries.member.1.ContextKeyName=aws%3ASourceIp",
        "ContextEntries.member.1.ContextKeyType=ip",
    ] {
        assert!(body.contains(part), "request lacks {part}: {body}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn custom_policies_with_context_and_invalid_documents() {
    let server = Server::start_env(&[], server_env(Some("http://127.0.0.1:9"))).await;
    let policy = json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
                       "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]
    });
    let inside = server
        .ok(
            "simulate_custom_policy",
            json!({
                "policy_input_list": [policy.to_string()],
                "action_names": ["s3:GetObject"],
                "context_entries": [{"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["203.0.113.9"]}]
            }),
        )
        .await;
    assert_eq!(
        decisions(&inside),
        [("s3:GetObject".to_string(), "allowed".to_string())]
    );
    assert_eq!(
        inside["EvaluationResults"][0]["MatchedStatements"][0]["SourcePolicyId"],
        "PolicyInputList.1"
    );
    let without = server
        .ok(
            "simulate_custom_policy",
            json!({"policy_input_list": [policy], "action_names": ["s3:GetObject"]}),
        )
        .await;
    assert_eq!(
        decisions(&without),
        [("s3:GetObject".to_string(), "implicitDeny".to_string())]
    );
    assert_eq!(
        without["EvaluationResults"][0]["MissingContextValues"],
        json!(["aws:SourceIp"])
    );

    // Every problem of every document, each with its path; nothing sent anywhere.
    let text = server
        .err(
            "simulate_custom_policy",
            json!({
                "policy_input_list": [
                    {"Version": "2012-10-17", "Statement": [{"Action": "s3:GetObject", "NotAction": "s3:PutObject", "Resource": "*"}]},
                    "{not json",
                    {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"StringLikeish": {"a": "b"}}}}
                ],
                "action_names": ["s3:GetObject"]
            }),
        )
        .await;
    assert!(text.starts_with("Invalid policy document:"), "{text}");
    assert!(
        text.contains("policy_input_list[0]: Statement[0].Effect"),
        "{text}"
    );
    assert!(
        text.contains("policy_input_list[0]: Statement[0]") && text.contains("NotAction"),
        "{text}"
    );
    assert!(text.contains("policy_input_list[1]: not JSON"), "{text}");
    assert!(
        text.contains("policy_input_list[2]: Statement") && text.contains("StringLikeish"),
        "{text}"
    );
    server.stop().await;
}
