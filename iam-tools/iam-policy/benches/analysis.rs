//! Account analysis at scale, on a generated account of 10,000 roles, 2,000 users, 200
//! groups and 3,000 customer managed policies (plus the AWS managed policies attached):
//! model load from the account file, who_can for one action over every principal,
//! effective permissions of one principal over every catalog action, escalation paths of
//! the whole account, and peak RSS, each beside its target.
//!
//! `cargo bench -p iam-policy --bench analysis`
//!
//! The account file is written by [`generate`] below (fixed seed, no network) to a
//! temporary directory, in the AWS CLI's `aws iam get-account-authorization-details`
//! format (documents as JSON objects, pretty-printed with four spaces), and removed at the
//! end. Its shape: roles trusted by Lambda, EC2 (with instance profiles), ECS tasks and a
//! few other services, by the account root (some with MFA), by named users and by another
//! account; 2-6 customer managed policies per principal, each of 1-8 statements over S3,
//! DynamoDB, SQS, logs, KMS, EC2 and more, with resource ARNs, wildcards, conditions, some
//! Deny and NotAction statements, some with 2-3 stored versions; AWS managed
//! ReadOnlyAccess, PowerUserAccess, AdministratorAccess and others on a few; inline
//! policies on about a quarter; permissions boundaries on about 20 % of users and roles;
//! each user in 1-3 groups; about 20 admins; and a sprinkling of escalation-relevant
//! grants (iam:PassRole with lambda:CreateFunction, iam:AttachUserPolicy on oneself,
//! sts:AssumeRole on *, iam:CreateAccessKey on users, iam:UpdateAssumeRolePolicy on roles,
//! CreatePolicyVersion on the app policies, an IAMFullAccess or two).
//!
//! `ANALYSIS_KEEP=path` keeps a copy of the generated file there; `ANALYSIS_ONLY=who_can`
//! (or `effective`, `escalation`, comma-separated) measures only those after the load, for
//! profiling one of them; `ANALYSIS_DUMP=path` writes every answer in full (who_can for ten
//! questions, effective permissions of 16 principals, the escalation) to compare two builds.

use std::hint::black_box;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

use iam_policy::account::{Access, Account, EffectiveFilter, Kind};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use serde_json::{Value, json};

const ROLES: usize = 10_000;
const USERS: usize = 2_000;
const GROUPS: usize = 200;
const POLICIES: usize = 3_000;
const ACCT: &str = "111122223333";
const OTHER_ACCT: &str = "444455556666";
const SEED: u64 = 0x1a2b_3c4d_5e6f_7081;

/// Customer managed policies: boundaries first, then escalation-relevant ones, then apps.
const BOUNDARIES: usize = 20;
const ESCALATORS: usize = 40;
const APPS: usize = 150;

/// Groups with fixed roles: admins, auditors, power users; then team groups.
const G_ADMINS: usize = 0;
const G_AUDITORS: usize = 1;
const G_POWER: usize = 2;

/// Users 0..6 are in the admins group, users 6..12 have AdministratorAccess attached.
const ADMIN_USERS: usize = 12;
/// Roles k * ADMIN_ROLE_STRIDE (k < 8) have AdministratorAccess attached.
const ADMIN_ROLE_STRIDE: usize = 1_250;
const ADMIN_ROLES: usize = 8;
/// The principal whose effective permissions are measured.
const HEAVY_ROLE: usize = 7;

/// splitmix64: small, deterministic, good enough for shapes.
struct Rng(u64);

impl Rng {
    fn new(kind: u64, i: usize) -> Rng {
        let mut r = Rng(SEED ^ kind.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ (i as u64));
        r.next();
        r
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    /// True with probability `percent` / 100.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn date(i: usize) -> String {
    format!(
        "20{:02}-{:02}-{:02}T{:02}:{:02}:{:02}+00:00",
        19 + i % 6,
        1 + i % 12,
        1 + i % 28,
        i % 24,
        (i * 7) % 60,
        (i * 13) % 60
    )
}

fn id(prefix: &str, kind: u64, i: usize) -> String {
    let mut r = Rng::new(kind + 100, i);
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let tail: String = (0..17)
        .map(|_| alphabet[r.below(alphabet.len())] as char)
        .collect();
    format!("{prefix}{tail}")
}

fn app(k: usize) -> String {
    const WORDS: [&str; 15] = [
        "orders",
        "billing",
        "search",
        "catalog",
        "payments",
        "ledger",
        "reports",
        "media",
        "auth",
        "events",
        "inventory",
        "shipping",
        "profile",
        "notify",
        "analytics",
    ];
    format!("{}{}", WORDS[k % WORDS.len()], k / WORDS.len())
}

fn doc(statements: Vec<Value>) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

// --- Names -----------------------------------------------------------------------------

fn user_name(i: usize) -> String {
    if i % 10 == 9 {
        format!("ci-{}-{i:04}", app(i % APPS))
    } else {
        format!("user-{i:04}")
    }
}

fn user_path(i: usize) -> &'static str {
    if i % 10 == 9 { "/ci/" } else { "/people/" }
}

fn user_arn(i: usize) -> String {
    format!("arn:aws:iam::{ACCT}:user{}{}", user_path(i), user_name(i))
}

fn group_name(g: usize) -> String {
    match g {
        G_ADMINS => "Admins".to_string(),
        G_AUDITORS => "Auditors".to_string(),
        G_POWER => "PowerUsers".to_string(),
        _ => format!("team-{}-{g:03}", app(g % APPS)),
    }
}

/// What trusts a role.
#[derive(Clone, Copy, PartialEq)]
enum Trust {
    Lambda,
    Ec2,
    Ecs,
    Root,
    RootMfa,
    Users,
    OtherAccount,
    Glue,
    CodeBuild,
    CloudFormation,
}

fn role_trust(i: usize) -> Trust {
    if i.is_multiple_of(ADMIN_ROLE_STRIDE) && i / ADMIN_ROLE_STRIDE < ADMIN_ROLES {
        // Admin roles: assumed from the account (some with MFA), or by named users.
        return [Trust::Root, Trust::RootMfa, Trust::Users, Trust::Root]
            [(i / ADMIN_ROLE_STRIDE) % 4];
    }
    match Rng::new(1, i).below(100) {
        0..=34 => Trust::Lambda,
        35..=54 => Trust::Ec2,
        55..=69 => Trust::Ecs,
        70..=79 => Trust::Root,
        80..=83 => Trust::RootMfa,
        84..=92 => Trust::Users,
        93..=95 => Trust::OtherAccount,
        96 => Trust::Glue,
        97 => Trust::CodeBuild,
        _ => Trust::CloudFormation,
    }
}

fn role_name(i: usize) -> String {
    let a = app(i % APPS);
    match role_trust(i) {
        Trust::Lambda => format!("lambda-{a}-{i:05}"),
        Trust::Ec2 => format!("ec2-{a}-{i:05}"),
        Trust::Ecs => format!("ecs-task-{a}-{i:05}"),
        Trust::Root | Trust::RootMfa => format!("ops-{a}-{i:05}"),
        Trust::Users => format!("deploy-{a}-{i:05}"),
        Trust::OtherAccount => format!("xacct-{a}-{i:05}"),
        Trust::Glue => format!("glue-{a}-{i:05}"),
        Trust::CodeBuild => format!("build-{a}-{i:05}"),
        Trust::CloudFormation => format!("cfn-{a}-{i:05}"),
    }
}

fn role_path(i: usize) -> &'static str {
    match role_trust(i) {
        Trust::Lambda | Trust::Ecs | Trust::Ec2 => "/app/",
        Trust::Glue | Trust::CodeBuild | Trust::CloudFormation => "/service-role/",
        _ => "/",
    }
}

fn role_arn(i: usize) -> String {
    format!("arn:aws:iam::{ACCT}:role{}{}", role_path(i), role_name(i))
}

fn policy_name(p: usize) -> String {
    if p < BOUNDARIES {
        format!("boundary-{p:02}")
    } else if p < BOUNDARIES + ESCALATORS {
        let kind = ESCALATOR_KINDS[(p - BOUNDARIES) % ESCALATOR_KINDS.len()];
        format!("{kind}-{p:02}")
    } else {
        format!("{}-policy-{p:04}", app(p % APPS))
    }
}

fn policy_path(p: usize) -> &'static str {
    if p < BOUNDARIES {
        "/boundaries/"
    } else if p < BOUNDARIES + ESCALATORS {
        "/ops/"
    } else {
        "/app/"
    }
}

fn policy_arn(p: usize) -> String {
    format!(
        "arn:aws:iam::{ACCT}:policy{}{}",
        policy_path(p),
        policy_name(p)
    )
}

// --- AWS managed policies -------------------------------------------------------------

const AWS_MANAGED: [&str; 12] = [
    "AdministratorAccess",
    "PowerUserAccess",
    "ReadOnlyAccess",
    "SecurityAudit",
    "IAMFullAccess",
    "AmazonS3FullAccess",
    "AmazonS3ReadOnlyAccess",
    "AmazonDynamoDBFullAccess",
    "AmazonEC2FullAccess",
    "AWSLambdaBasicExecutionRole",
    "AmazonSSMManagedInstanceCore",
    "AWSLambda_FullAccess",
];

fn aws_arn(name: &str) -> String {
    let path = if name == "AWSLambdaBasicExecutionRole" {
        "service-role/"
    } else {
        ""
    };
    format!("arn:aws:iam::aws:policy/{path}{name}")
}

fn aws_document(name: &str) -> Value {
    let all = |actions: &[&str]| json!({"Effect": "Allow", "Action": actions, "Resource": "*"});
    match name {
        "AdministratorAccess" => doc(vec![
            json!({"Effect": "Allow", "Action": "*", "Resource": "*"}),
        ]),
        "PowerUserAccess" => doc(vec![
            json!({"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"}),
            json!({"Effect": "Allow", "Action": ["account:GetAccountInformation", "account:GetPrimaryEmail",
                "account:ListRegions", "iam:CreateServiceLinkedRole", "iam:DeleteServiceLinkedRole",
                "iam:ListRoles", "organizations:DescribeOrganization"], "Resource": "*"}),
        ]),
        "ReadOnlyAccess" | "SecurityAudit" => {
            // Every service's Describe*, Get* and List* (the real ones are lists of this kind).
            let verbs: &[&str] = if name == "ReadOnlyAccess" {
                &["Describe*", "Get*", "List*", "BatchGet*"]
            } else {
                &["Describe*", "List*", "GetAccount*"]
            };
            let actions: Vec<String> = iam_policy::catalog::catalog()
                .services()
                .iter()
                .flat_map(|s| verbs.iter().map(move |v| format!("{}:{v}", s.prefix)))
                .collect();
            doc(vec![
                json!({"Sid": "ReadOnly", "Effect": "Allow", "Action": actions, "Resource": "*"}),
            ])
        }
        "IAMFullAccess" => doc(vec![all(&[
            "iam:*",
            "organizations:DescribeAccount",
            "organizations:DescribeOrganization",
            "organizations:DescribeOrganizationalUnit",
            "organizations:DescribePolicy",
            "organizations:ListChildren",
            "organizations:ListParents",
            "organizations:ListPoliciesForTarget",
            "organizations:ListRoots",
            "organizations:ListPolicies",
            "organizations:ListTargetsForPolicy",
        ])]),
        "AmazonS3FullAccess" => doc(vec![all(&["s3:*", "s3-object-lambda:*"])]),
        "AmazonS3ReadOnlyAccess" => doc(vec![all(&[
            "s3:Get*",
            "s3:List*",
            "s3:Describe*",
            "s3-object-lambda:Get*",
            "s3-object-lambda:List*",
        ])]),
        "AmazonDynamoDBFullAccess" => doc(vec![
            all(&[
                "dynamodb:*",
                "dax:*",
                "application-autoscaling:DeleteScalingPolicy",
                "application-autoscaling:DescribeScalableTargets",
                "cloudwatch:DeleteAlarms",
                "cloudwatch:DescribeAlarms",
                "cloudwatch:PutMetricAlarm",
                "kms:DescribeKey",
                "kms:ListAliases",
                "sns:CreateTopic",
                "sns:ListTopics",
                "lambda:ListFunctions",
            ]),
            json!({"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*",
                "Condition": {"StringLike": {"iam:PassedToService": ["application-autoscaling.amazonaws.com", "dax.amazonaws.com"]}}}),
        ]),
        "AmazonEC2FullAccess" => doc(vec![
            all(&[
                "ec2:*",
                "elasticloadbalancing:*",
                "cloudwatch:*",
                "autoscaling:*",
            ]),
            json!({"Effect": "Allow", "Action": "iam:CreateServiceLinkedRole", "Resource": "*",
                "Condition": {"StringEquals": {"iam:AWSServiceName": ["autoscaling.amazonaws.com", "ec2scheduled.amazonaws.com",
                    "elasticloadbalancing.amazonaws.com", "spot.amazonaws.com"]}}}),
        ]),
        "AWSLambdaBasicExecutionRole" => doc(vec![all(&[
            "logs:CreateLogGroup",
            "logs:CreateLogStream",
            "logs:PutLogEvents",
        ])]),
        "AmazonSSMManagedInstanceCore" => doc(vec![
            all(&[
                "ssm:DescribeAssociation",
                "ssm:GetDeployablePatchSnapshotForInstance",
                "ssm:GetDocument",
                "ssm:DescribeDocument",
                "ssm:GetManifest",
                "ssm:GetParameter",
                "ssm:GetParameters",
                "ssm:ListAssociations",
                "ssm:ListInstanceAssociations",
                "ssm:PutInventory",
                "ssm:PutComplianceItems",
                "ssm:PutConfigurePackageResult",
                "ssm:UpdateAssociationStatus",
                "ssm:UpdateInstanceAssociationStatus",
                "ssm:UpdateInstanceInformation",
            ]),
            all(&[
                "ssmmessages:CreateControlChannel",
                "ssmmessages:CreateDataChannel",
                "ssmmessages:OpenControlChannel",
                "ssmmessages:OpenDataChannel",
            ]),
            all(&[
                "ec2messages:AcknowledgeMessage",
                "ec2messages:DeleteMessage",
                "ec2messages:FailMessage",
                "ec2messages:GetEndpoint",
                "ec2messages:GetMessages",
                "ec2messages:SendReply",
            ]),
        ]),
        "AWSLambda_FullAccess" => doc(vec![
            all(&[
                "cloudformation:DescribeStacks",
                "cloudformation:ListStackResources",
                "cloudwatch:ListMetrics",
                "cloudwatch:GetMetricData",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeSubnets",
                "ec2:DescribeVpcs",
                "kms:ListAliases",
                "iam:GetPolicy",
                "iam:GetPolicyVersion",
                "iam:GetRole",
                "iam:GetRolePolicy",
                "iam:ListAttachedRolePolicies",
                "iam:ListRolePolicies",
                "iam:ListRoles",
                "lambda:*",
                "logs:DescribeLogGroups",
                "states:DescribeStateMachine",
                "states:ListStateMachines",
                "tag:GetResources",
                "xray:GetTraceSummaries",
                "xray:BatchGetTraces",
            ]),
            json!({"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*",
                "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}}),
            json!({"Effect": "Allow", "Action": ["logs:DescribeLogStreams", "logs:GetLogEvents", "logs:FilterLogEvents"],
                "Resource": "arn:aws:logs:*:*:log-group:/aws/lambda/*"}),
        ]),
        _ => unreachable!("{name}"),
    }
}

// --- Customer managed policies --------------------------------------------------------

const ESCALATOR_KINDS: [&str; 8] = [
    "lambda-deployer",
    "self-service",
    "assume-any",
    "key-rotation",
    "trust-editor",
    "policy-editor",
    "ecs-deployer",
    "instance-launcher",
];

fn boundary_document(p: usize) -> Value {
    let mut statements = vec![json!({"Sid": "Workloads", "Effect": "Allow", "Action": [
        "s3:*", "dynamodb:*", "sqs:*", "sns:*", "logs:*", "cloudwatch:*", "kms:Decrypt",
        "kms:GenerateDataKey", "kms:Encrypt", "lambda:*", "ec2:Describe*", "ecs:*", "ecr:*",
        "secretsmanager:GetSecretValue", "ssm:GetParameter*", "states:*", "events:*",
        "sts:AssumeRole", "iam:PassRole", "iam:Get*", "iam:List*", "xray:*", "execute-api:*"],
        "Resource": "*"})];
    if p % 2 == 1 {
        statements.push(
            json!({"Sid": "NoIdentityAdmin", "Effect": "Deny", "Action": [
            "iam:CreateUser", "iam:CreateRole", "iam:AttachUserPolicy", "iam:AttachRolePolicy",
            "iam:PutUserPolicy", "iam:PutRolePolicy", "iam:CreatePolicyVersion",
            "iam:DeleteUserPermissionsBoundary", "iam:DeleteRolePermissionsBoundary",
            "iam:PutUserPermissionsBoundary", "iam:PutRolePermissionsBoundary"], "Resource": "*"}),
        );
    }
    if p % 4 == 2 {
        statements.push(json!({"Sid": "Regions", "Effect": "Deny", "NotAction": [
            "iam:*", "sts:*", "cloudfront:*", "route53:*", "support:*"], "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}}));
    }
    doc(statements)
}

fn escalator_document(p: usize) -> Value {
    let kind = (p - BOUNDARIES) % ESCALATOR_KINDS.len();
    let a = app(p % APPS);
    let statements = match kind {
        0 => vec![
            json!({"Sid": "PassLambdaRoles", "Effect": "Allow", "Action": "iam:PassRole",
                "Resource": format!("arn:aws:iam::{ACCT}:role/app/lambda-*"),
                "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}}),
            json!({"Sid": "Functions", "Effect": "Allow", "Action": ["lambda:CreateFunction",
                "lambda:InvokeFunction", "lambda:UpdateFunctionCode", "lambda:GetFunction"],
                "Resource": format!("arn:aws:lambda:*:{ACCT}:function:*")}),
        ],
        1 => vec![
            json!({"Sid": "OwnPolicies", "Effect": "Allow", "Action": ["iam:AttachUserPolicy",
                "iam:DetachUserPolicy", "iam:PutUserPolicy", "iam:ListAttachedUserPolicies"],
                "Resource": format!("arn:aws:iam::{ACCT}:user/*/${{aws:username}}")}),
            json!({"Sid": "OwnKeys", "Effect": "Allow", "Action": ["iam:CreateAccessKey",
                "iam:DeleteAccessKey", "iam:ListAccessKeys"],
                "Resource": format!("arn:aws:iam::{ACCT}:user/*/${{aws:username}}")}),
        ],
        2 => vec![
            json!({"Sid": "AssumeAny", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}),
        ],
        3 => vec![
            json!({"Sid": "RotateKeys", "Effect": "Allow", "Action": ["iam:CreateAccessKey",
            "iam:UpdateAccessKey", "iam:DeleteAccessKey", "iam:ListAccessKeys"],
            "Resource": format!("arn:aws:iam::{ACCT}:user/*")}),
        ],
        4 => vec![
            json!({"Sid": "EditTrust", "Effect": "Allow", "Action": ["iam:UpdateAssumeRolePolicy",
            "iam:GetRole"], "Resource": format!("arn:aws:iam::{ACCT}:role/*")}),
        ],
        5 => vec![
            json!({"Sid": "Versions", "Effect": "Allow", "Action": ["iam:CreatePolicyVersion",
            "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:GetPolicyVersion"],
            "Resource": format!("arn:aws:iam::{ACCT}:policy/app/*")}),
        ],
        6 => vec![
            json!({"Sid": "PassTaskRoles", "Effect": "Allow", "Action": "iam:PassRole",
                "Resource": format!("arn:aws:iam::{ACCT}:role/app/ecs-task-{a}*")}),
            json!({"Sid": "Tasks", "Effect": "Allow", "Action": ["ecs:RegisterTaskDefinition",
                "ecs:RunTask", "ecs:DescribeTasks"], "Resource": "*"}),
        ],
        _ => vec![
            json!({"Sid": "PassInstanceRoles", "Effect": "Allow", "Action": "iam:PassRole",
                "Resource": format!("arn:aws:iam::{ACCT}:role/app/ec2-*")}),
            json!({"Sid": "Launch", "Effect": "Allow", "Action": ["ec2:RunInstances",
                "ec2:AssociateIamInstanceProfile", "ec2:Describe*"], "Resource": "*"}),
        ],
    };
    doc(statements)
}

/// One statement of an application policy about app `a`.
fn app_statement(r: &mut Rng, a: &str, n: usize) -> Value {
    let bucket = format!("arn:aws:s3:::{a}-data");
    let table = format!("arn:aws:dynamodb:us-east-1:{ACCT}:table/{a}-{}", r.below(4));
    match r.below(100) {
        0..=13 => json!({"Sid": format!("Read{n}"), "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket"],
            "Resource": [bucket.clone(), format!("{bucket}/*")]}),
        14..=21 => json!({"Sid": format!("Write{n}"), "Effect": "Allow",
            "Action": ["s3:PutObject", "s3:DeleteObject", "s3:PutObjectTagging"],
            "Resource": format!("{bucket}/{}/*", r.pick(&["incoming", "exports", "tmp", "${aws:PrincipalTag/team}"])),
            "Condition": {"StringEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}}),
        22..=33 => json!({"Sid": format!("Table{n}"), "Effect": "Allow",
            "Action": ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem",
                "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"],
            "Resource": [table.clone(), format!("{table}/index/*")]}),
        34..=41 => json!({"Sid": format!("Queue{n}"), "Effect": "Allow",
            "Action": ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
            "Resource": format!("arn:aws:sqs:us-east-1:{ACCT}:{a}-*")}),
        42..=49 => json!({"Sid": format!("Logs{n}"), "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": format!("arn:aws:logs:*:{ACCT}:log-group:/aws/lambda/{a}-*:*")}),
        50..=55 => json!({"Sid": format!("Key{n}"), "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": format!("arn:aws:kms:us-east-1:{ACCT}:key/{:08x}-12ab-34cd-56ef-1234567890ab", r.next() as u32),
            "Condition": {"StringEquals": {"kms:ViaService": ["s3.us-east-1.amazonaws.com", "dynamodb.us-east-1.amazonaws.com"]}}}),
        // About one statement in a thousand.
        72 if r.chance(10) => json!({"Sid": format!("Developer{n}"), "Effect": "Allow",
            "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}),
        56..=60 | 72 => json!({"Sid": format!("Describe{n}"), "Effect": "Allow",
            "Action": ["ec2:Describe*", "cloudwatch:GetMetricData", "cloudwatch:ListMetrics"], "Resource": "*"}),
        61..=64 => json!({"Sid": format!("Instances{n}"), "Effect": "Allow",
            "Action": ["ec2:StartInstances", "ec2:StopInstances", "ec2:RebootInstances"],
            "Resource": format!("arn:aws:ec2:us-east-1:{ACCT}:instance/*"),
            "Condition": {"StringEquals": {"aws:ResourceTag/app": a}}}),
        65..=69 => json!({"Sid": format!("NoDelete{n}"), "Effect": "Deny",
            "Action": ["s3:DeleteBucket", "s3:PutBucketPolicy", "dynamodb:DeleteTable"],
            "Resource": [bucket.clone(), table]}),
        70..=71 => json!({"Sid": format!("Regions{n}"), "Effect": "Deny",
            "NotAction": ["iam:*", "sts:*", "s3:*", "cloudfront:*"], "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}}),
        73..=76 => json!({"Sid": format!("Invoke{n}"), "Effect": "Allow",
            "Action": ["lambda:InvokeFunction", "lambda:GetFunction"],
            "Resource": format!("arn:aws:lambda:us-east-1:{ACCT}:function:{a}-*")}),
        77..=79 => json!({"Sid": format!("Publish{n}"), "Effect": "Allow", "Action": "sns:Publish",
            "Resource": format!("arn:aws:sns:us-east-1:{ACCT}:{a}-events")}),
        80..=83 => json!({"Sid": format!("Secrets{n}"), "Effect": "Allow",
            "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
            "Resource": format!("arn:aws:secretsmanager:us-east-1:{ACCT}:secret:{a}/*")}),
        84..=86 => json!({"Sid": format!("Params{n}"), "Effect": "Allow",
            "Action": ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"],
            "Resource": format!("arn:aws:ssm:us-east-1:{ACCT}:parameter/{a}/*")}),
        87..=88 => {
            json!({"Sid": format!("Metrics{n}"), "Effect": "Allow", "Action": "cloudwatch:PutMetricData",
            "Resource": "*", "Condition": {"StringEquals": {"cloudwatch:namespace": a}}})
        }
        89..=90 => json!({"Sid": format!("Buckets{n}"), "Effect": "Allow",
            "Action": ["s3:ListAllMyBuckets", "s3:GetBucketLocation"], "Resource": "*"}),
        91..=93 => {
            json!({"Sid": format!("AssumeApp{n}"), "Effect": "Allow", "Action": "sts:AssumeRole",
            "Resource": format!("arn:aws:iam::{ACCT}:role/app/*-{a}-*")})
        }
        94..=95 => {
            json!({"Sid": format!("PassTask{n}"), "Effect": "Allow", "Action": "iam:PassRole",
            "Resource": format!("arn:aws:iam::{ACCT}:role/app/ecs-task-{a}-*"),
            "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}})
        }
        96..=97 => json!({"Sid": format!("Images{n}"), "Effect": "Allow",
            "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
            "Resource": format!("arn:aws:ecr:us-east-1:{ACCT}:repository/{a}")}),
        _ => json!({"Sid": format!("SecureOnly{n}"), "Effect": "Deny", "Action": "s3:*",
            "Resource": [bucket.clone(), format!("{bucket}/*")],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}),
    }
}

fn app_document(r: &mut Rng, p: usize, statements: usize) -> Value {
    let a = app(p % APPS);
    doc((0..statements).map(|n| app_statement(r, &a, n)).collect())
}

fn managed_policy(p: usize) -> Value {
    let mut r = Rng::new(2, p);
    let mut versions = Vec::new();
    let default_version;
    if p < BOUNDARIES {
        default_version = "v1".to_string();
        versions.push(json!({"Document": boundary_document(p), "VersionId": "v1", "IsDefaultVersion": true, "CreateDate": date(p)}));
    } else if p < BOUNDARIES + ESCALATORS {
        default_version = "v1".to_string();
        versions.push(json!({"Document": escalator_document(p), "VersionId": "v1", "IsDefaultVersion": true, "CreateDate": date(p)}));
    } else {
        // About 10 % with 2 or 3 versions; an old version of a few allowed everything.
        let count = if r.chance(10) { r.range(2, 3) } else { 1 };
        default_version = format!("v{count}");
        let statements = r.range(1, 8);
        for v in (1..=count).rev() {
            let document = if v == count {
                app_document(&mut r, p, statements)
            } else if p.is_multiple_of(97) && v == 1 {
                doc(vec![
                    json!({"Effect": "Allow", "Action": "*", "Resource": "*"}),
                ])
            } else {
                app_document(&mut r, p, statements.saturating_sub(count - v).max(1))
            };
            versions.push(json!({"Document": document, "VersionId": format!("v{v}"),
                "IsDefaultVersion": v == count, "CreateDate": date(p + v)}));
        }
    }
    json!({
        "PolicyName": policy_name(p), "PolicyId": id("ANPA", 2, p), "Arn": policy_arn(p),
        "Path": policy_path(p), "DefaultVersionId": default_version, "AttachmentCount": 1 + p % 9,
        "PermissionsBoundaryUsageCount": if p < BOUNDARIES { 100 } else { 0 },
        "IsAttachable": true, "CreateDate": date(p), "UpdateDate": date(p + 3),
        "PolicyVersionList": versions
    })
}

fn aws_policy(k: usize) -> Value {
    let name = AWS_MANAGED[k];
    json!({
        "PolicyName": name, "PolicyId": id("ANPA", 3, k), "Arn": aws_arn(name),
        "Path": if name == "AWSLambdaBasicExecutionRole" { "/service-role/" } else { "/" },
        "DefaultVersionId": "v1", "AttachmentCount": 10, "PermissionsBoundaryUsageCount": 0,
        "IsAttachable": true, "CreateDate": date(k), "UpdateDate": date(k + 5),
        "PolicyVersionList": [{"Document": aws_document(name), "VersionId": "v1",
            "IsDefaultVersion": true, "CreateDate": date(k)}]
    })
}

// --- Principals -----------------------------------------------------------------------

fn attachment(arn: String) -> Value {
    let name = arn.rsplit('/').next().unwrap_or_default().to_string();
    json!({"PolicyName": name, "PolicyArn": arn})
}

/// 2-6 application policies, about 1 % of principals with one escalation-relevant policy
/// more, and sometimes AWS managed ones.
fn attachments(r: &mut Rng, lambda: bool) -> Vec<Value> {
    let mut chosen: Vec<usize> = Vec::new();
    for _ in 0..r.range(2, 6) {
        let p = BOUNDARIES + ESCALATORS + r.below(POLICIES - BOUNDARIES - ESCALATORS);
        if !chosen.contains(&p) {
            chosen.push(p);
        }
    }
    if r.chance(1) {
        chosen.push(BOUNDARIES + r.below(ESCALATORS));
    }
    let mut out: Vec<Value> = chosen
        .into_iter()
        .map(|p| attachment(policy_arn(p)))
        .collect();
    if lambda {
        out.push(attachment(aws_arn("AWSLambdaBasicExecutionRole")));
    }
    let extra = r.below(1000);
    let aws = match extra {
        0..=4 => Some("ReadOnlyAccess"),
        5..=6 => Some("PowerUserAccess"),
        7..=11 => Some("AmazonS3ReadOnlyAccess"),
        12..=14 => Some("AmazonS3FullAccess"),
        15..=16 => Some("AmazonDynamoDBFullAccess"),
        17 => Some("AmazonEC2FullAccess"),
        18..=19 => Some("AWSLambda_FullAccess"),
        20 => Some("SecurityAudit"),
        _ => None,
    };
    out.extend(aws.map(|n| attachment(aws_arn(n))));
    out
}

/// Inline policies on about a quarter of principals.
fn inline_policies(r: &mut Rng, owner: usize) -> Vec<Value> {
    if !r.chance(25) {
        return Vec::new();
    }
    (0..r.range(1, 2))
        .map(|k| {
            let a = app(r.below(APPS));
            let statements = r.range(1, 4);
            json!({"PolicyName": format!("inline-{owner}-{k}"),
                "PolicyDocument": doc((0..statements).map(|n| app_statement(r, &a, n)).collect())})
        })
        .collect()
}

fn boundary(r: &mut Rng) -> Option<Value> {
    r.chance(20).then(|| {
        json!({"PermissionsBoundaryType": "Policy",
            "PermissionsBoundaryArn": policy_arn(r.below(BOUNDARIES))})
    })
}

fn user(i: usize) -> Value {
    let mut r = Rng::new(4, i);
    let mut groups: Vec<usize> = Vec::new();
    if i < 6 {
        groups.push(G_ADMINS);
    } else if (20..40).contains(&i) {
        groups.push(G_AUDITORS);
    } else if (40..50).contains(&i) {
        groups.push(G_POWER);
    }
    while groups.len() < r.range(1, 3) {
        let g = 3 + r.below(GROUPS - 3);
        if !groups.contains(&g) {
            groups.push(g);
        }
    }
    let mut attached = attachments(&mut r, false);
    if (6..ADMIN_USERS).contains(&i) {
        attached.push(attachment(aws_arn("AdministratorAccess")));
    }
    if i == 60 || i == 61 {
        attached.push(attachment(aws_arn("IAMFullAccess")));
    }
    let mut u = json!({
        "Path": user_path(i), "UserName": user_name(i), "UserId": id("AIDA", 4, i),
        "Arn": user_arn(i), "CreateDate": date(i),
        "UserPolicyList": inline_policies(&mut r, i),
        "GroupList": groups.iter().map(|&g| group_name(g)).collect::<Vec<_>>(),
        "AttachedManagedPolicies": attached,
        "Tags": [{"Key": "team", "Value": app(i % APPS)}]
    });
    if i >= ADMIN_USERS
        && let Some(b) = boundary(&mut r)
    {
        u["PermissionsBoundary"] = b;
    }
    u
}

fn group(g: usize) -> Value {
    let mut r = Rng::new(5, g);
    let attached: Vec<Value> = match g {
        G_ADMINS => vec![attachment(aws_arn("AdministratorAccess"))],
        G_AUDITORS => vec![
            attachment(aws_arn("ReadOnlyAccess")),
            attachment(aws_arn("SecurityAudit")),
        ],
        G_POWER => vec![attachment(aws_arn("PowerUserAccess"))],
        _ => {
            let mut a = attachments(&mut r, false);
            // A few teams manage their own keys or deploy functions.
            if g % 25 == 7 {
                a.push(attachment(policy_arn(BOUNDARIES + (g % ESCALATORS))));
            }
            a
        }
    };
    json!({
        "Path": "/", "GroupName": group_name(g), "GroupId": id("AGPA", 5, g),
        "Arn": format!("arn:aws:iam::{ACCT}:group/{}", group_name(g)), "CreateDate": date(g),
        "GroupPolicyList": if g >= 3 { inline_policies(&mut r, 100_000 + g) } else { Vec::new() },
        "AttachedManagedPolicies": attached
    })
}

fn trust_document(i: usize, r: &mut Rng) -> Value {
    let service = |s: &str| {
        doc(vec![
            json!({"Effect": "Allow", "Principal": {"Service": s}, "Action": "sts:AssumeRole"}),
        ])
    };
    match role_trust(i) {
        Trust::Lambda => service("lambda.amazonaws.com"),
        Trust::Ec2 => service("ec2.amazonaws.com"),
        Trust::Ecs => service("ecs-tasks.amazonaws.com"),
        Trust::Glue => service("glue.amazonaws.com"),
        Trust::CodeBuild => service("codebuild.amazonaws.com"),
        Trust::CloudFormation => service("cloudformation.amazonaws.com"),
        Trust::Root => doc(vec![json!({"Effect": "Allow",
            "Principal": {"AWS": format!("arn:aws:iam::{ACCT}:root")}, "Action": "sts:AssumeRole"})]),
        Trust::RootMfa => doc(vec![json!({"Effect": "Allow",
            "Principal": {"AWS": format!("arn:aws:iam::{ACCT}:root")}, "Action": "sts:AssumeRole",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}})]),
        Trust::Users => {
            let users: Vec<String> = (0..r.range(1, 3))
                .map(|_| user_arn(r.below(USERS)))
                .collect();
            doc(vec![json!({"Effect": "Allow", "Principal": {"AWS": users},
                "Action": ["sts:AssumeRole", "sts:TagSession"]})])
        }
        Trust::OtherAccount => doc(vec![json!({"Effect": "Allow",
            "Principal": {"AWS": format!("arn:aws:iam::{OTHER_ACCT}:root")}, "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": format!("ext-{i}")}}})]),
    }
}

fn role(i: usize) -> Value {
    let mut r = Rng::new(6, i);
    let trust = trust_document(i, &mut r);
    let kind = role_trust(i);
    let mut attached = attachments(&mut r, kind == Trust::Lambda);
    let admin = i.is_multiple_of(ADMIN_ROLE_STRIDE) && i / ADMIN_ROLE_STRIDE < ADMIN_ROLES;
    if admin {
        attached = vec![attachment(aws_arn("AdministratorAccess"))];
    }
    if kind == Trust::Ec2 && r.chance(50) {
        attached.push(attachment(aws_arn("AmazonSSMManagedInstanceCore")));
    }
    let mut bound = if admin { None } else { boundary(&mut r) };
    if i == HEAVY_ROLE {
        // The principal whose effective permissions are measured: PowerUserAccess, several
        // policies, an inline one and a boundary.
        attached.push(attachment(aws_arn("PowerUserAccess")));
        bound = Some(
            json!({"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": policy_arn(2)}),
        );
    }
    let (name, arn) = (role_name(i), role_arn(i));
    let profiles = if kind == Trust::Ec2 {
        vec![
            json!({"Path": "/", "InstanceProfileName": name, "InstanceProfileId": id("AIPA", 6, i),
            "Arn": format!("arn:aws:iam::{ACCT}:instance-profile/{name}"), "CreateDate": date(i),
            "Roles": [{"Path": role_path(i), "RoleName": name, "RoleId": id("AROA", 6, i), "Arn": arn,
                "CreateDate": date(i), "AssumeRolePolicyDocument": trust}]}),
        ]
    } else {
        Vec::new()
    };
    let mut inline = inline_policies(&mut r, 200_000 + i);
    if i == HEAVY_ROLE && inline.is_empty() {
        inline.push(
            json!({"PolicyName": "heavy-inline", "PolicyDocument": app_document(&mut r, i, 3)}),
        );
    }
    let mut role = json!({
        "Path": role_path(i), "RoleName": name, "RoleId": id("AROA", 6, i), "Arn": arn,
        "CreateDate": date(i), "AssumeRolePolicyDocument": trust,
        "InstanceProfileList": profiles, "RolePolicyList": inline,
        "AttachedManagedPolicies": attached,
        "Tags": [{"Key": "app", "Value": app(i % APPS)}],
        "RoleLastUsed": if i.is_multiple_of(3) { json!({}) } else { json!({"LastUsedDate": date(i + 11), "Region": "us-east-1"}) }
    });
    if let Some(b) = bound {
        role["PermissionsBoundary"] = b;
    }
    role
}

/// A list serialized as it is generated, one item at a time.
struct Lazy<F>(F);

impl<F, I> Serialize for Lazy<F>
where
    F: Fn() -> I,
    I: Iterator<Item = Value>,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq((self.0)())
    }
}

struct Details;

impl Serialize for Details {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(5))?;
        m.serialize_entry("UserDetailList", &Lazy(|| (0..USERS).map(user)))?;
        m.serialize_entry("GroupDetailList", &Lazy(|| (0..GROUPS).map(group)))?;
        m.serialize_entry("RoleDetailList", &Lazy(|| (0..ROLES).map(role)))?;
        m.serialize_entry(
            "Policies",
            &Lazy(|| {
                (0..POLICIES)
                    .map(managed_policy)
                    .chain((0..AWS_MANAGED.len()).map(aws_policy))
            }),
        )?;
        m.serialize_entry("IsTruncated", &false)?;
        m.end()
    }
}

/// Writes the account file (pretty-printed with four spaces, as the CLI prints it), one
/// principal at a time so the generator's own memory stays small.
fn generate(path: &Path) {
    let file = std::fs::File::create(path).expect("creating the account file");
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
    Details
        .serialize(&mut ser)
        .expect("writing the account file");
    out.write_all(b"\n").unwrap();
    out.flush().unwrap();
}

// --- Measuring ------------------------------------------------------------------------

/// `VmHWM` or `VmRSS` of this process, in kB.
fn status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Median milliseconds of `runs` calls of `f`, and its last answer.
fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let out = black_box(f());
        times.push(t.elapsed().as_secs_f64() * 1e3);
        last = Some(out);
    }
    (median(times), last.unwrap())
}

fn verdict(value: f64, target: f64) -> &'static str {
    if value <= target { "met" } else { "MISSED" }
}

/// Every answer in full (`ANALYSIS_DUMP=path`), to compare two builds of the analysis: who_can
/// for a few actions, effective permissions of a few principals, the whole escalation.
fn dump(account: &Account, path: &Path) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("dump file"));
    let questions = [
        (
            "s3:GetObject",
            "arn:aws:s3:::orders0-data/incoming/a.json".to_string(),
        ),
        (
            "s3:PutObject",
            "arn:aws:s3:::billing1-data/exports/b.csv".to_string(),
        ),
        ("ec2:DescribeInstances", "*".to_string()),
        ("iam:PassRole", role_arn(1)),
        ("sts:AssumeRole", role_arn(0)),
        ("sts:AssumeRole", role_arn(ADMIN_ROLE_STRIDE)),
        ("sts:AssumeRole", role_arn(2 * ADMIN_ROLE_STRIDE)),
        ("sts:TagSession", role_arn(2 * ADMIN_ROLE_STRIDE)),
        ("iam:CreateAccessKey", user_arn(3)),
        (
            "dynamodb:GetItem",
            format!("arn:aws:dynamodb:us-east-1:{ACCT}:table/orders0-1"),
        ),
    ];
    for (action, resource) in &questions {
        for w in account.who_can(action, resource, None) {
            writeln!(
                out,
                "who_can {action} {resource} {} {:?}",
                account.principals[w.principal].arn, w.decided
            )
            .unwrap();
        }
    }
    let mut principals = vec![HEAVY_ROLE + USERS + GROUPS, 0, 7, 25, 45, 60, 61, 333, 1999];
    principals.extend([0, 1, 2, 3, 1250, 4242, 9999].map(|r| r + USERS + GROUPS));
    for i in principals {
        for e in account.effective(i, &EffectiveFilter::default()) {
            writeln!(out, "effective {} {:?}", account.principals[i].arn, e).unwrap();
        }
    }
    let escalation = account.escalation(None, &Default::default());
    writeln!(
        out,
        "admins {:?} conditional {:?}",
        escalation.admins, escalation.conditional_admins
    )
    .unwrap();
    for p in &escalation.paths {
        writeln!(out, "path {:?}", p).unwrap();
    }
}

fn main() {
    let dir =
        std::env::temp_dir().join(format!("iam-policy-analysis-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("account.json");
    // The catalog is the engine's, loaded once per process: not part of any figure below.
    iam_policy::catalog::catalog();
    let t = Instant::now();
    generate(&file);
    let size = std::fs::metadata(&file).unwrap().len() as f64 / (1024.0 * 1024.0);
    println!(
        "analysis: generated {ROLES} roles, {USERS} users, {GROUPS} groups, {POLICIES} customer managed + {} AWS managed policies: {size:.1} MB in {:.1} s",
        AWS_MANAGED.len(),
        t.elapsed().as_secs_f64()
    );
    if let Some(keep) = std::env::var_os("ANALYSIS_KEEP") {
        std::fs::copy(&file, keep).expect("copying the account file");
    }

    // Load: read, parse, model; the model part alone too. Median of 5. Dropping the parsed
    // JSON afterwards is timed apart (a server can leave it to another thread).
    let mut totals = Vec::new();
    let mut models = Vec::new();
    let mut drops = Vec::new();
    let mut account = Account::default();
    for _ in 0..5 {
        drop(std::mem::take(&mut account));
        let t = Instant::now();
        let text = std::fs::read_to_string(&file).unwrap();
        let details: Value = serde_json::from_str(&text).unwrap();
        drop(text);
        let m = Instant::now();
        account = Account::from_details(&details);
        models.push(m.elapsed().as_secs_f64() * 1e3);
        totals.push(t.elapsed().as_secs_f64() * 1e3);
        let d = Instant::now();
        drop(details);
        drops.push(d.elapsed().as_secs_f64() * 1e3);
    }
    let _ = std::fs::remove_dir_all(&dir);
    let (load, model, dropped) = (median(totals), median(models), median(drops));
    let (users, groups, roles) = account.counts();
    println!(
        "model: {users} users, {groups} groups, {roles} roles, {} managed policies, {} notes",
        account.policies.len(),
        account.notes.len()
    );
    println!(
        "load (read + parse + from_details, median of 5): {load:.0} ms (from_details {model:.0} ms; dropping the parsed JSON after it {dropped:.0} ms more); target <= 1000 ms: {}",
        verdict(load, 1000.0)
    );

    let only = std::env::var("ANALYSIS_ONLY").ok();
    let run = |what: &str| {
        only.as_deref()
            .is_none_or(|o| o.split(',').any(|w| w == what))
    };
    let (mut who_can_ms, mut effective_ms, mut escalation_ms) = (0.0_f64, 0.0_f64, 0.0_f64);

    // who_can: one action over every principal.
    if run("who_can") {
        let principals = account.principals.len();
        let object = "arn:aws:s3:::orders0-data/incoming/2026/12/03/batch-0001.json";
        let (ms, found) = time(5, || account.who_can("s3:GetObject", object, None));
        let conditional = found
            .iter()
            .filter(|w| w.decided.access == Access::Conditional)
            .count();
        println!(
            "who_can s3:GetObject on {object} over {principals} principals (median of 5): {ms:.1} ms, {} allowed ({conditional} conditionally); target <= 300 ms: {}",
            found.len(),
            verdict(ms, 300.0)
        );
        who_can_ms = ms;
        let role_arn = role_arn(ADMIN_ROLE_STRIDE);
        let (ms, found) = time(5, || account.who_can("sts:AssumeRole", &role_arn, None));
        let conditional = found
            .iter()
            .filter(|w| w.decided.access == Access::Conditional)
            .count();
        println!(
            "who_can sts:AssumeRole on {role_arn} (trusts the account root with MFA) (median of 5): {ms:.1} ms, {} allowed ({conditional} conditionally); target <= 300 ms: {}",
            found.len(),
            verdict(ms, 300.0)
        );
        who_can_ms = who_can_ms.max(ms);
    }

    // Effective permissions of a heavy principal over every catalog action: one under a
    // boundary, and an admin without one (every catalog action a candidate).
    for (label, role) in [("bounded", HEAVY_ROLE), ("admin", ADMIN_ROLE_STRIDE)] {
        if !run("effective") {
            break;
        }
        let heavy = account
            .principal(&self::role_arn(role))
            .expect("the heavy role");
        let subject = account.subject(heavy);
        let policies = subject.policy_names();
        let (ms, effective) = time(5, || account.effective(heavy, &EffectiveFilter::default()));
        let grants: usize = effective.iter().map(|e| e.grants.len()).sum();
        println!(
            "effective permissions ({label}) of {} ({} policies: {}) over {} catalog actions (median of 5): {ms:.1} ms, {} actions, {grants} grants; target <= 200 ms: {}",
            account.principals[heavy].arn,
            policies.len(),
            policies
                .iter()
                .map(|p| p.rsplit(['/', ' ']).next().unwrap_or(p))
                .collect::<Vec<_>>()
                .join(", "),
            iam_policy::catalog::catalog().action_count(),
            effective.len(),
            verdict(ms, 200.0)
        );
        effective_ms = effective_ms.max(ms);
    }

    // Escalation over the whole account.
    if run("escalation") {
        let (ms, escalation) = time(1, || account.escalation(None, &Default::default()));
        let mut lengths = std::collections::BTreeMap::new();
        for p in &escalation.paths {
            *lengths.entry(p.steps.len()).or_insert(0usize) += 1;
        }
        let by_kind = |k: Kind| {
            escalation
                .paths
                .iter()
                .filter(|p| account.principals[p.from].kind == k)
                .count()
        };
        println!(
            "escalation, whole account: {ms:.0} ms, {} admins, {} conditional admins, {} paths ({} from users, {} from roles; by steps: {}); target <= 10000 ms: {}",
            escalation.admins.len(),
            escalation.conditional_admins.len(),
            escalation.paths.len(),
            by_kind(Kind::User),
            by_kind(Kind::Role),
            lengths
                .iter()
                .map(|(k, n)| format!("{k}: {n}"))
                .collect::<Vec<_>>()
                .join(", "),
            verdict(ms, 10_000.0)
        );
        escalation_ms = ms;
    }

    if let Some(path) = std::env::var_os("ANALYSIS_DUMP") {
        dump(&account, Path::new(&path));
    }

    let peak = status_kb("VmHWM:") as f64 / 1024.0;
    println!(
        "peak RSS (VmHWM, whole bench): {peak:.0} MB; target <= 500 MB: {}",
        verdict(peak, 500.0)
    );
    let all = only.is_none()
        && load <= 1000.0
        && who_can_ms <= 300.0
        && effective_ms <= 200.0
        && escalation_ms <= 10_000.0
        && peak <= 500.0;
    println!(
        "analysis: {} (on {} cores)",
        if all {
            "every target met"
        } else if only.is_some() {
            "not every part measured (ANALYSIS_ONLY)"
        } else {
            "SOME TARGET MISSED"
        },
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
}
