//! The account analysis through the server: `who_can` and `get_effective_permissions` on
//! an account built in moto with known answers, live and from its snapshot (offline), each
//! grant re-checked with `simulate_principal_policy` (local), and the model read again
//! after the server's own write.

use crate::common;
use crate::offline::{no_aws_env, snapshot};

use common::{Moto, Server, TempDir, create_policy_of};
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
    let policy = |name: &'static str, statements: Value| create_policy_of(sdk, name, statements);
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

/// Each escalator of the scenario, with the actions of its path (empty: none).
const ESCALATORS: &[(&str, &[&str])] = &[
    ("user/attach-self", &["iam:AttachUserPolicy"]),
    ("user/denied-attach", &[]),
    ("user/group-putter", &["iam:PutGroupPolicy"]),
    ("user/versioner", &["iam:CreatePolicyVersion"]),
    ("user/set-default", &["iam:SetDefaultPolicyVersion"]),
    ("user/joiner", &["iam:AddUserToGroup"]),
    ("user/key-maker", &["iam:CreateAccessKey"]),
    ("user/pw-creator", &[]),
    ("user/pw-updater", &["iam:UpdateLoginProfile"]),
    ("user/assumer", &["sts:AssumeRole"]),
    ("user/not-trusted", &[]),
    (
        "user/trust-rewriter",
        &["iam:UpdateAssumeRolePolicy", "sts:AssumeRole"],
    ),
    (
        "user/lambda-passer",
        &[
            "iam:PassRole",
            "lambda:CreateFunction",
            "lambda:InvokeFunction",
        ],
    ),
    ("user/half-passer", &[]),
    ("user/ec2-passer", &["iam:PassRole", "ec2:RunInstances"]),
    ("user/chain", &["sts:AssumeRole", "iam:AttachRolePolicy"]),
    ("role/middle", &["iam:AttachRolePolicy"]),
    ("role/bounded-attach", &[]),
    (
        "role/boundary-lifter",
        &["iam:DeleteRolePermissionsBoundary"],
    ),
    ("user/put-self", &["iam:PutUserPolicy"]),
    ("user/attach-group", &["iam:AttachGroupPolicy"]),
    ("role/put-self-role", &["iam:PutRolePolicy"]),
    (
        "role/boundary-replacer",
        &["iam:PutRolePermissionsBoundary"],
    ),
    ("user/pw-creator-ok", &["iam:CreateLoginProfile"]),
    (
        "user/cfn-passer",
        &["iam:PassRole", "cloudformation:CreateStack"],
    ),
    (
        "user/glue-passer",
        &["iam:PassRole", "glue:CreateDevEndpoint"],
    ),
    (
        "user/codebuild-passer",
        &[
            "iam:PassRole",
            "codebuild:CreateProject",
            "codebuild:StartBuild",
        ],
    ),
    (
        "user/sagemaker-passer",
        &["iam:PassRole", "sagemaker:CreateNotebookInstance"],
    ),
    (
        "user/ecs-passer",
        &["iam:PassRole", "ecs:RegisterTaskDefinition", "ecs:RunTask"],
    ),
    (
        "user/pipeline-passer",
        &[
            "iam:PassRole",
            "datapipeline:CreatePipeline",
            "datapipeline:PutPipelineDefinition",
            "datapipeline:ActivatePipeline",
        ],
    ),
];

/// The escalation scenario in moto: one escalator per method moto can hold, and the
/// negatives (an explicit deny, a boundary, a trust that does not name the caller, a
/// missing second permission, a password that exists already).
async fn build_escalation(sdk: &aws_sdk_iam::Client) {
    let policy = |name: &'static str, statements: Value| create_policy_of(sdk, name, statements);
    let all = json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}]);
    let admin = policy("Admin", all.clone()).await;
    let s3_only = json!({"Effect": "Allow", "Action": "s3:*", "Resource": "*"});
    let s3_boundary = policy("S3Only", json!([s3_only])).await;
    let liftable = policy(
        "Liftable",
        json!([s3_only, {"Effect": "Allow", "Action": ["iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary"], "Resource": "*"}]),
    )
    .await;
    // A boundary that may only be replaced (by AdministratorAccess, say).
    let replaceable = policy(
        "Replaceable",
        json!([s3_only, {"Effect": "Allow", "Action": "iam:PutRolePermissionsBoundary", "Resource": "*"}]),
    )
    .await;
    let version_me = policy(
        "VersionMe",
        json!([{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}]),
    )
    .await;
    let two = policy(
        "TwoVersions",
        json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]),
    )
    .await;
    sdk.create_policy_version()
        .policy_arn(&two)
        .policy_document(doc(all))
        .set_as_default(false)
        .send()
        .await
        .unwrap();
    let user = |name: &'static str, statements: Value| {
        let sdk = sdk.clone();
        async move {
            sdk.create_user().user_name(name).send().await.unwrap();
            if statements != json!([]) {
                sdk.put_user_policy()
                    .user_name(name)
                    .policy_name("escalate")
                    .policy_document(doc(statements))
                    .send()
                    .await
                    .unwrap();
            }
        }
    };
    let allow = |action: &str, resource: &str| json!([{"Sid": "Escalate", "Effect": "Allow", "Action": action, "Resource": resource}]);
    user("admin", json!([])).await;
    sdk.attach_user_policy()
        .user_name("admin")
        .policy_arn(&admin)
        .send()
        .await
        .unwrap();
    sdk.create_login_profile()
        .user_name("admin")
        .password("Initial-Passw0rd!")
        .send()
        .await
        .unwrap();
    user(
        "attach-self",
        allow("iam:AttachUserPolicy", &arn("user", "attach-self")),
    )
    .await;
    user(
        "denied-attach",
        json!([
            {"Effect": "Allow", "Action": "iam:AttachUserPolicy", "Resource": arn("user", "denied-attach")},
            {"Sid": "NoIam", "Effect": "Deny", "Action": "iam:*", "Resource": "*"}]),
    )
    .await;
    sdk.create_group().group_name("devs").send().await.unwrap();
    user(
        "group-putter",
        allow("iam:PutGroupPolicy", &arn("group", "devs")),
    )
    .await;
    sdk.add_user_to_group()
        .group_name("devs")
        .user_name("group-putter")
        .send()
        .await
        .unwrap();
    user(
        "versioner",
        allow("iam:CreatePolicyVersion", &arn("policy", "VersionMe")),
    )
    .await;
    sdk.attach_user_policy()
        .user_name("versioner")
        .policy_arn(&version_me)
        .send()
        .await
        .unwrap();
    user(
        "set-default",
        allow("iam:SetDefaultPolicyVersion", &arn("policy", "TwoVersions")),
    )
    .await;
    sdk.attach_user_policy()
        .user_name("set-default")
        .policy_arn(&two)
        .send()
        .await
        .unwrap();
    sdk.create_group()
        .group_name("admins")
        .send()
        .await
        .unwrap();
    sdk.attach_group_policy()
        .group_name("admins")
        .policy_arn(&admin)
        .send()
        .await
        .unwrap();
    user(
        "joiner",
        allow("iam:AddUserToGroup", &arn("group", "admins")),
    )
    .await;
    user(
        "key-maker",
        allow("iam:CreateAccessKey", &arn("user", "admin")),
    )
    .await;
    user(
        "pw-creator",
        allow("iam:CreateLoginProfile", &arn("user", "admin")),
    )
    .await;
    user(
        "pw-updater",
        allow("iam:UpdateLoginProfile", &arn("user", "admin")),
    )
    .await;
    user("assumer", allow("sts:AssumeRole", "*")).await;
    user("not-trusted", allow("sts:AssumeRole", "*")).await;
    user(
        "trust-rewriter",
        allow("iam:UpdateAssumeRolePolicy", &arn("role", "admin-role")),
    )
    .await;
    user(
        "lambda-passer",
        json!([{"Effect": "Allow", "Action": ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"], "Resource": "*"}]),
    )
    .await;
    user("half-passer", allow("iam:PassRole", "*")).await;
    user(
        "ec2-passer",
        json!([{"Effect": "Allow", "Action": ["iam:PassRole", "ec2:RunInstances"], "Resource": "*"}]),
    )
    .await;
    user("chain", allow("sts:AssumeRole", &arn("role", "middle"))).await;

    let role = |name: &'static str, trust: Value, boundary: Option<String>| {
        let sdk = sdk.clone();
        async move {
            let trust =
                doc(json!([{"Effect": "Allow", "Principal": trust, "Action": "sts:AssumeRole"}]));
            sdk.create_role()
                .role_name(name)
                .assume_role_policy_document(trust)
                .set_permissions_boundary(boundary)
                .send()
                .await
                .unwrap();
        }
    };
    let attach_role = |name: &'static str, arn: String| {
        let sdk = sdk.clone();
        async move {
            sdk.attach_role_policy()
                .role_name(name)
                .policy_arn(arn)
                .send()
                .await
                .unwrap();
        }
    };
    let put_role = |name: &'static str, statements: Value| {
        let sdk = sdk.clone();
        async move {
            sdk.put_role_policy()
                .role_name(name)
                .policy_name("escalate")
                .policy_document(doc(statements))
                .send()
                .await
                .unwrap();
        }
    };
    role("admin-role", json!({"AWS": arn("user", "assumer")}), None).await;
    attach_role("admin-role", admin.clone()).await;
    role(
        "lambda-admin",
        json!({"Service": "lambda.amazonaws.com"}),
        None,
    )
    .await;
    attach_role("lambda-admin", admin.clone()).await;
    role("ec2-admin", json!({"Service": "ec2.amazonaws.com"}), None).await;
    attach_role("ec2-admin", admin.clone()).await;
    sdk.create_instance_profile()
        .instance_profile_name("ec2-admin")
        .send()
        .await
        .unwrap();
    sdk.add_role_to_instance_profile()
        .instance_profile_name("ec2-admin")
        .role_name("ec2-admin")
        .send()
        .await
        .unwrap();
    role("middle", json!({"AWS": arn("user", "chain")}), None).await;
    put_role(
        "middle",
        allow("iam:AttachRolePolicy", &arn("role", "middle")),
    )
    .await;
    let ec2 = json!({"Service": "ec2.amazonaws.com"});
    role("bounded-attach", ec2.clone(), Some(s3_boundary)).await;
    put_role(
        "bounded-attach",
        allow("iam:AttachRolePolicy", &arn("role", "bounded-attach")),
    )
    .await;
    role("boundary-lifter", ec2.clone(), Some(liftable)).await;
    attach_role("boundary-lifter", admin.clone()).await;
    put_role(
        "boundary-lifter",
        allow(
            "iam:DeleteRolePermissionsBoundary",
            &arn("role", "boundary-lifter"),
        ),
    )
    .await;
    // The other own-policy methods, and a boundary replaced rather than removed.
    user(
        "put-self",
        allow("iam:PutUserPolicy", &arn("user", "put-self")),
    )
    .await;
    user(
        "attach-group",
        allow("iam:AttachGroupPolicy", &arn("group", "ops")),
    )
    .await;
    sdk.create_group().group_name("ops").send().await.unwrap();
    sdk.add_user_to_group()
        .group_name("ops")
        .user_name("attach-group")
        .send()
        .await
        .unwrap();
    role("put-self-role", ec2.clone(), None).await;
    put_role(
        "put-self-role",
        allow("iam:PutRolePolicy", &arn("role", "put-self-role")),
    )
    .await;
    role("boundary-replacer", ec2, Some(replaceable)).await;
    attach_role("boundary-replacer", admin.clone()).await;
    put_role(
        "boundary-replacer",
        allow(
            "iam:PutRolePermissionsBoundary",
            &arn("role", "boundary-replacer"),
        ),
    )
    .await;
    // A password for an admin that has none.
    user("admin-nopw", json!([])).await;
    sdk.attach_user_policy()
        .user_name("admin-nopw")
        .policy_arn(&admin)
        .send()
        .await
        .unwrap();
    user(
        "pw-creator-ok",
        allow("iam:CreateLoginProfile", &arn("user", "admin-nopw")),
    )
    .await;
    // Passing an admin role to each other compute service, with its actions.
    for (who, service, actions) in [
        (
            "cfn-passer",
            "cloudformation",
            vec!["cloudformation:CreateStack"],
        ),
        ("glue-passer", "glue", vec!["glue:CreateDevEndpoint"]),
        (
            "codebuild-passer",
            "codebuild",
            vec!["codebuild:CreateProject", "codebuild:StartBuild"],
        ),
        (
            "sagemaker-passer",
            "sagemaker",
            vec!["sagemaker:CreateNotebookInstance"],
        ),
        (
            "ecs-passer",
            "ecs-tasks",
            vec!["ecs:RegisterTaskDefinition", "ecs:RunTask"],
        ),
        (
            "pipeline-passer",
            "datapipeline",
            vec![
                "datapipeline:CreatePipeline",
                "datapipeline:PutPipelineDefinition",
                "datapipeline:ActivatePipeline",
            ],
        ),
    ] {
        let role_name = format!("{service}-admin");
        sdk.create_role()
            .role_name(&role_name)
            .assume_role_policy_document(doc(json!([{"Effect": "Allow",
                "Principal": {"Service": format!("{service}.amazonaws.com")}, "Action": "sts:AssumeRole"}])))
            .send()
            .await
            .unwrap();
        sdk.attach_role_policy()
            .role_name(&role_name)
            .policy_arn(&admin)
            .send()
            .await
            .unwrap();
        let mut granted = actions;
        granted.push("iam:PassRole");
        sdk.create_user().user_name(who).send().await.unwrap();
        sdk.put_user_policy()
            .user_name(who)
            .policy_name("escalate")
            .policy_document(doc(
                json!([{"Effect": "Allow", "Action": granted, "Resource": "*"}]),
            ))
            .send()
            .await
            .unwrap();
    }
}

/// (From, actions of its path) for every path, by From.
fn paths(result: &Value) -> std::collections::BTreeMap<String, Vec<String>> {
    result["Paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let from = p["From"].as_str().unwrap();
            let from = from.split_once(":user/").map_or_else(
                || format!("role/{}", from.split_once(":role/").unwrap().1),
                |(_, u)| format!("user/{u}"),
            );
            let actions = p["Steps"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["Action"].as_str().unwrap().to_string())
                .collect();
            (from, actions)
        })
        .collect()
}

fn expected_paths(extra: &[(&str, &[&str])]) -> std::collections::BTreeMap<String, Vec<String>> {
    ESCALATORS
        .iter()
        .chain(extra)
        .filter(|(_, actions)| !actions.is_empty())
        .map(|(from, actions)| {
            (
                from.to_string(),
                actions.iter().map(|a| a.to_string()).collect(),
            )
        })
        .collect()
}

/// Every step of every path, asked again of `simulate_principal_policy` (local) as its
/// actor: allowed, by the statements the step names.
async fn recheck_steps(server: &Server, result: &Value, expected: usize) {
    let mut checked = 0;
    for path in result["Paths"].as_array().unwrap() {
        for step in path["Steps"].as_array().unwrap() {
            let mut args = json!({"policy_source_arn": step["Actor"], "action_names": [step["Action"]],
                "resource_arns": [step["Resource"]], "evaluator": "local"});
            if let Some(context) = step["Context"].as_object() {
                args["context_entries"] = context
                    .iter()
                    .map(|(k, v)| json!({"ContextKeyName": k, "ContextKeyValues": [v], "ContextKeyType": "string"}))
                    .collect();
            }
            if step["Action"] == "sts:AssumeRole" {
                // The role's trust policy as it is, or as the step before rewrote it.
                let trust = if step["Does"].as_str().unwrap().contains("rewr")
                    || path["Steps"][0]["Action"] == "iam:UpdateAssumeRolePolicy"
                {
                    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                        "Principal": {"AWS": step["Actor"]}, "Action": "sts:AssumeRole"}]})
                } else {
                    let name = step["Resource"]
                        .as_str()
                        .unwrap()
                        .rsplit('/')
                        .next()
                        .unwrap();
                    server.ok("get_role", json!({"role_name": name})).await["Role"]
                        ["AssumeRolePolicyDocument"]
                        .clone()
                };
                args["resource_policy"] = trust;
            }
            let sim = server.ok("simulate_principal_policy", args.clone()).await;
            let r = &sim["EvaluationResults"][0];
            assert_eq!(r["EvalDecision"], "allowed", "{args}: {sim:#}");
            let matched: Vec<&str> = r["MatchedStatements"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["SourcePolicyId"].as_str().unwrap())
                .collect();
            for g in step["GrantedBy"].as_array().unwrap() {
                let name = g["PolicyName"].as_str().unwrap();
                if g["PolicyType"] != "trust" {
                    assert!(matched.contains(&name), "{args}: {name} not in {matched:?}");
                }
            }
            checked += 1;
        }
    }
    assert_eq!(checked, expected, "steps re-checked");
}

#[tokio::test(flavor = "multi_thread")]
async fn escalation_paths_live_and_offline_each_step_rechecked() {
    let moto = Moto::start();
    build_escalation(&moto.sdk()).await;

    let live = Server::start(&moto, &["--toolsets", "default,credentials"]).await;
    let result = live.ok("find_escalation_paths", json!({})).await;
    let mut admins: Vec<&str> = result["Admins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    admins.sort();
    let mut expected_admins: Vec<String> = [
        "role/admin-role",
        "role/cloudformation-admin",
        "role/codebuild-admin",
        "role/datapipeline-admin",
        "role/ec2-admin",
        "role/ecs-tasks-admin",
        "role/glue-admin",
        "role/lambda-admin",
        "role/sagemaker-admin",
        "user/admin",
        "user/admin-nopw",
    ]
    .iter()
    .map(|a| format!("arn:aws:iam::123456789012:{a}"))
    .collect();
    expected_admins.sort();
    assert_eq!(admins, expected_admins);
    assert_eq!(paths(&result), expected_paths(&[]), "{result:#}");
    // The live model does not hold passwords: the server asked GetLoginProfile, so no note.
    assert!(result.get("Notes").is_none(), "{result:#}");
    recheck_steps(&live, &result, 40).await;
    // Who can delete a table: the admins, and transitively every escalator, by its path.
    let who = live
        .ok(
            "who_can",
            json!({"action": "dynamodb:DeleteTable", "resource": "*", "transitive": true}),
        )
        .await;
    let mut direct: Vec<&str> = who["Principals"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["Decision"] == "allowed")
        .map(|p| p["Arn"].as_str().unwrap())
        .collect();
    direct.sort();
    assert_eq!(direct, expected_admins, "{who:#}");
    let via = json!({"Paths": who["Principals"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["Decision"] == "transitive")
        .map(|p| p["Via"].clone())
        .collect::<Vec<_>>()});
    assert_eq!(paths(&via), expected_paths(&[]), "{who:#}");
    // One principal's path, and who can become a given role.
    let one = live
        .ok(
            "find_escalation_paths",
            json!({"principal_arn": arn("user", "chain")}),
        )
        .await;
    assert_eq!(one["Paths"].as_array().unwrap().len(), 1);
    assert_eq!(one["Paths"][0]["Steps"][0]["Does"], "assume role middle");
    assert_eq!(
        one["Paths"][0]["Steps"][1]["Actor"],
        arn("role", "middle"),
        "{one:#}"
    );
    let to_middle = live
        .ok(
            "find_escalation_paths",
            json!({"target_arn": arn("role", "middle")}),
        )
        .await;
    assert_eq!(to_middle["Paths"][0]["From"], arn("user", "chain"));
    assert_eq!(to_middle["Paths"][0]["Reaches"], arn("role", "middle"));
    live.stop().await;

    // The account file holds what moto cannot: user boundaries (one that stops an
    // AttachUserPolicy, one the user may remove).
    let dir = TempDir::new("escalation");
    let file = dir.path().join("account.json");
    snapshot(&moto, &file);
    let mut account: Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let users = account["UserDetailList"].as_array_mut().unwrap();
    let find = |users: &[Value], name: &str| -> usize {
        users.iter().position(|u| u["UserName"] == name).unwrap()
    };
    let template = users[find(users, "attach-self")].clone();
    for (name, boundary, statement) in [
        (
            "bounded-user",
            "S3Only",
            json!({"Effect": "Allow", "Action": "iam:AttachUserPolicy", "Resource": arn("user", "bounded-user")}),
        ),
        (
            "user-lifter",
            "Liftable",
            json!({"Effect": "Allow", "Action": "iam:DeleteUserPermissionsBoundary", "Resource": arn("user", "user-lifter")}),
        ),
    ] {
        let mut u = template.clone();
        u["UserName"] = json!(name);
        u["Arn"] = json!(arn("user", name));
        u["UserId"] = json!(format!("AIDA{}", name.len()));
        u["UserPolicyList"][0]["PolicyDocument"] =
            json!({"Version": "2012-10-17", "Statement": [statement]});
        u["PermissionsBoundary"] = json!({"PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": arn("policy", boundary)});
        if name == "user-lifter" {
            u["AttachedManagedPolicies"] =
                json!([{"PolicyName": "Admin", "PolicyArn": arn("policy", "Admin")}]);
        }
        users.push(u);
    }
    // The snapshot records who has a console password (GetLoginProfile).
    assert!(users[find(users, "admin")]["LoginProfile"].is_object());
    assert!(users[find(users, "pw-creator")]["LoginProfile"].is_null());
    std::fs::write(&file, account.to_string()).unwrap();
    let offline =
        Server::start_env(&["--account-file", file.to_str().unwrap()], no_aws_env()).await;
    let result = offline.ok("find_escalation_paths", json!({})).await;
    assert_eq!(
        paths(&result),
        expected_paths(&[
            ("user/bounded-user", &[]),
            ("user/user-lifter", &["iam:DeleteUserPermissionsBoundary"])
        ]),
        "{result:#}"
    );
    recheck_steps(&offline, &result, 41).await;
}
