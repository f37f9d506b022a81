//! The account analysis through the server: `who_can` and `get_effective_permissions` on
//! an account built in moto with known answers, live and from its snapshot (offline), each
//! grant re-checked with `simulate_principal_policy` (local), and the model read again
//! after the server's own write.

use crate::common;
use crate::offline::{no_aws_env, snapshot};

use common::{Moto, Server, TempDir};
use serde_json::{Value, json};

fn doc(statements: Value) -> String {
    json!({"Version": "2012-10-17", "Statement": statements}).to_string()
}

const DATA: &str = "arn:aws:s3:::data/report.csv";
const PAYROLL: &str = "arn:aws:s3:::payroll/2026.csv";

/// The account, with what each principal can do to S3 objects:
/// - alice, in group readers (S3Read attached; an inline Deny on payroll): data yes,
///   payroll no; she alone is trusted by role deployer.
/// - carol: GetObject only with MFA (conditional); sts:AssumeRole on * (but no trust names
///   her).
/// - dave: S3Read, and an inline Deny of every S3 action: nothing.
/// - erin: nothing about S3.
/// - role bounded: S3Read, boundary AppOnly (s3 on app-* only): app-* yes, data no.
/// - role deployer: trusted by alice.
async fn build(sdk: &aws_sdk_iam::Client) -> String {
    let policy = |name: &'static str, statements: Value| {
        let sdk = sdk.clone();
        async move {
            sdk.create_policy()
                .policy_name(name)
                .policy_document(doc(statements))
                .send()
                .await
                .unwrap()
                .policy()
                .unwrap()
                .arn()
                .unwrap()
                .to_string()
        }
    };
    let s3_read = policy(
        "S3Read",
        json!([{"Sid": "ReadObjects", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"}]),
    )
    .await;
    let app_only = policy(
        "AppOnly",
        json!([{"Sid": "AppBuckets", "Effect": "Allow", "Action": "s3:*", "Resource": ["arn:aws:s3:::app-*", "arn:aws:s3:::app-*/*"]}]),
    )
    .await;
    sdk.create_group()
        .group_name("readers")
        .send()
        .await
        .unwrap();
    sdk.attach_group_policy()
        .group_name("readers")
        .policy_arn(&s3_read)
        .send()
        .await
        .unwrap();
    sdk.put_group_policy()
        .group_name("readers")
        .policy_name("NoPayroll")
        .policy_document(doc(json!([{"Sid": "NoPayroll", "Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::payroll/*"}])))
        .send()
        .await
        .unwrap();
    for user in ["alice", "carol", "dave", "erin"] {
        sdk.create_user().user_name(user).send().await.unwrap();
    }
    sdk.add_user_to_group()
        .group_name("readers")
        .user_name("alice")
        .send()
        .await
        .unwrap();
    sdk.put_user_policy()
        .user_name("carol")
        .policy_name("MfaRead")
        .policy_document(doc(json!([
            {"Sid": "WithMfa", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
             "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}},
            {"Sid": "AnyRole", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}])))
        .send()
        .await
        .unwrap();
    sdk.attach_user_policy()
        .user_name("dave")
        .policy_arn(&s3_read)
        .send()
        .await
        .unwrap();
    sdk.put_user_policy()
        .user_name("dave")
        .policy_name("NoS3")
        .policy_document(doc(
            json!([{"Sid": "NoS3", "Effect": "Deny", "Action": "s3:*", "Resource": "*"}]),
        ))
        .send()
        .await
        .unwrap();
    sdk.put_user_policy()
        .user_name("erin")
        .policy_name("Logs")
        .policy_document(doc(
            json!([{"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*"}]),
        ))
        .send()
        .await
        .unwrap();
    let ec2_trust = doc(
        json!([{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]),
    );
    sdk.create_role()
        .role_name("bounded")
        .assume_role_policy_document(&ec2_trust)
        .permissions_boundary(&app_only)
        .send()
        .await
        .unwrap();
    sdk.attach_role_policy()
        .role_name("bounded")
        .policy_arn(&s3_read)
        .send()
        .await
        .unwrap();
    let alice = arn("user", "alice");
    sdk.create_role()
        .role_name("deployer")
        .assume_role_policy_document(doc(
            json!([{"Effect": "Allow", "Principal": {"AWS": alice}, "Action": "sts:AssumeRole"}]),
        ))
        .send()
        .await
        .unwrap();
    sdk.put_user_policy()
        .user_name("alice")
        .policy_name("AssumeDeployer")
        .policy_document(doc(json!([{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": arn("role", "deployer")}])))
        .send()
        .await
        .unwrap();
    s3_read
}

fn arn(kind: &str, name: &str) -> String {
    format!("arn:aws:iam::123456789012:{kind}/{name}")
}

/// Who was allowed, as (name, decision).
fn who(result: &Value) -> Vec<(String, String)> {
    result["Principals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let arn = p["Arn"].as_str().unwrap();
            (
                arn.rsplit('/').next().unwrap().to_string(),
                p["Decision"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// Every question, and its known answer, asked of one server.
async fn check_answers(server: &Server) {
    let data = server
        .ok(
            "who_can",
            json!({"action": "s3:GetObject", "resource": DATA}),
        )
        .await;
    assert_eq!(
        who(&data),
        pairs(&[("alice", "allowed"), ("carol", "conditional")]),
        "{data:#}"
    );
    // alice's grant comes through her group, and names its statement.
    assert_eq!(
        data["Principals"][0]["GrantedBy"][0],
        json!({"PolicyType": "managed", "PolicyName": "S3Read", "PolicyArn": arn("policy", "S3Read"),
               "Group": "readers", "Sid": "ReadObjects", "StatementIndex": 0})
    );
    assert_eq!(
        data["Principals"][1]["Conditions"][0]["Condition"],
        json!({"Bool": {"aws:MultiFactorAuthPresent": ["true"]}})
    );
    assert_eq!(data["Evaluated"], 6);
    assert!(data["LoadedAt"].as_str().unwrap().starts_with("20"));

    // The group's Deny keeps alice out of payroll.
    let payroll = server
        .ok(
            "who_can",
            json!({"action": "s3:GetObject", "resource": PAYROLL}),
        )
        .await;
    assert_eq!(who(&payroll), pairs(&[("carol", "conditional")]));
    // The boundary lets the role into app-* buckets only.
    let app = server
        .ok(
            "who_can",
            json!({"action": "s3:GetObject", "resource": "arn:aws:s3:::app-logs/x"}),
        )
        .await;
    assert_eq!(
        who(&app),
        pairs(&[
            ("alice", "allowed"),
            ("carol", "conditional"),
            ("bounded", "allowed")
        ])
    );
    // The trust policy decides who assumes deployer: alice, not carol.
    let assume = server
        .ok(
            "who_can",
            json!({"action": "sts:AssumeRole", "resource": arn("role", "deployer")}),
        )
        .await;
    assert_eq!(who(&assume), pairs(&[("alice", "allowed")]));
    assert_eq!(assume["ResourcePolicy"], "trust policy of role deployer");
    // A bucket policy naming erin grants her on its own (same account).
    let bucket = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": arn("user", "erin")}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}]});
    let with_policy = server
        .ok(
            "who_can",
            json!({"action": "s3:GetObject", "resource": DATA, "resource_policy": bucket}),
        )
        .await;
    // Users first, then roles; allowed before conditional.
    assert_eq!(
        who(&with_policy),
        pairs(&[
            ("alice", "allowed"),
            ("erin", "allowed"),
            ("carol", "conditional")
        ])
    );

    // What alice can really do.
    let alice = server
        .ok(
            "get_effective_permissions",
            json!({"principal_arn": arn("user", "alice")}),
        )
        .await;
    assert_eq!(alice["Count"], 3, "{alice:#}");
    assert_eq!(
        alice["ByService"],
        json!({"s3": 2, "sts": 1}),
        "{:#}",
        alice["Services"]
    );
    let s3 = &alice["Services"][0];
    assert_eq!(s3["Service"], "s3");
    let get_object = s3["AccessLevels"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|l| l["Actions"].as_array().unwrap())
        .find(|a| a["Action"] == "s3:GetObject")
        .unwrap();
    assert_eq!(get_object["Resources"][0]["Resource"], "*");
    assert_eq!(
        get_object["Resources"][0]["Except"][0]["Resource"],
        "arn:aws:s3:::payroll/*"
    );
    let sts = &alice["Services"][1]["AccessLevels"][0]["Actions"][0];
    assert_eq!(sts["Action"], "sts:AssumeRole");
    assert_eq!(sts["Resources"][0]["Resource"], arn("role", "deployer"));
    // dave's Deny leaves him nothing of S3.
    let dave = server
        .ok(
            "get_effective_permissions",
            json!({"principal_arn": arn("user", "dave")}),
        )
        .await;
    assert_eq!(dave["Count"], 0, "{dave:#}");
    // The role under its boundary: S3 on app-* only.
    let bounded = server
        .ok(
            "get_effective_permissions",
            json!({"principal_arn": arn("role", "bounded"), "access_level": "Read"}),
        )
        .await;
    assert_eq!(bounded["PermissionsBoundary"], arn("policy", "AppOnly"));
    let read = &bounded["Services"][0]["AccessLevels"][0]["Actions"][0];
    assert_eq!(read["Action"], "s3:GetObject");
    assert_eq!(read["Resources"][0]["Resource"], "arn:aws:s3:::app-*");

    // Mistakes come back with what to do.
    let typo = server
        .err(
            "who_can",
            json!({"action": "s3:GetObjekt", "resource": DATA}),
        )
        .await;
    assert!(typo.contains("did you mean \"s3:GetObject\""), "{typo}");
    let path = server
        .err(
            "get_effective_permissions",
            json!({"principal_arn": "arn:aws:iam::123456789012:user/team/alice"}),
        )
        .await;
    assert!(path.contains(&arn("user", "alice")), "{path}");
}

/// Each principal `who_can` allows is allowed by `simulate_principal_policy` (local) too,
/// by the statements it names.
async fn recheck_with_simulation(server: &Server, action: &str, resource: &str) {
    let found = server
        .ok("who_can", json!({"action": action, "resource": resource}))
        .await;
    for p in found["Principals"].as_array().unwrap() {
        if p["Decision"] != "allowed" {
            continue;
        }
        let sim = server
            .ok(
                "simulate_principal_policy",
                json!({"policy_source_arn": p["Arn"], "action_names": [action],
                       "resource_arns": [resource], "evaluator": "local"}),
            )
            .await;
        let r = &sim["EvaluationResults"][0];
        assert_eq!(r["EvalDecision"], "allowed", "{}: {sim:#}", p["Arn"]);
        let matched: Vec<(&str, Option<u64>)> = r["MatchedStatements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["SourcePolicyId"].as_str().unwrap(),
                    m["StatementIndex"].as_u64(),
                )
            })
            .collect();
        for g in p["GrantedBy"].as_array().unwrap() {
            let named = (
                g["PolicyName"].as_str().unwrap(),
                g["StatementIndex"].as_u64(),
            );
            assert!(
                matched.contains(&named),
                "{}: {named:?} not among the simulator's {matched:?}",
                p["Arn"]
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn who_can_and_effective_permissions_live_and_offline() {
    let moto = Moto::start();
    build(&moto.sdk()).await;

    let live = Server::start(&moto, &[]).await;
    check_answers(&live).await;
    recheck_with_simulation(&live, "s3:GetObject", DATA).await;
    recheck_with_simulation(&live, "s3:GetObject", "arn:aws:s3:::app-logs/x").await;
    live.stop().await;

    // The same account from its snapshot, with no AWS at all.
    let dir = TempDir::new("analysis");
    let file = dir.path().join("account.json");
    snapshot(&moto, &file);
    let offline =
        Server::start_env(&["--account-file", file.to_str().unwrap()], no_aws_env()).await;
    check_answers(&offline).await;
    recheck_with_simulation(&offline, "s3:GetObject", DATA).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_model_is_read_again_after_the_servers_own_write() {
    let moto = Moto::start();
    let s3_read = build(&moto.sdk()).await;
    let server = Server::start(&moto, &["--allow-write", "--consent", "none"]).await;
    let before = server
        .ok(
            "who_can",
            json!({"action": "s3:GetObject", "resource": DATA}),
        )
        .await;
    assert!(!who(&before).iter().any(|(n, _)| n == "erin"));
    server
        .ok(
            "attach_user_policy",
            json!({"user_name": "erin", "policy_arn": s3_read}),
        )
        .await;
    let after = server
        .ok(
            "who_can",
            json!({"action": "s3:GetObject", "resource": DATA}),
        )
        .await;
    assert!(
        who(&after).contains(&("erin".to_string(), "allowed".to_string())),
        "{after:#}"
    );
    // A change made elsewhere is not seen until the model's age bound: the same model.
    moto.sdk()
        .attach_user_policy()
        .user_name("carol")
        .policy_arn(&s3_read)
        .send()
        .await
        .unwrap();
    let cached = server
        .ok(
            "who_can",
            json!({"action": "s3:GetObject", "resource": DATA}),
        )
        .await;
    assert_eq!(cached["LoadedAt"], after["LoadedAt"]);
    assert_eq!(who(&cached), who(&after));
}
