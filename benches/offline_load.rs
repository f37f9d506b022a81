//! Offline mode at scale: a generated account file of 10,000 roles, 5,000 users and 2,000
//! managed policies (plus 200 groups), in the CLI's format, served with --account-file.
//!
//! Measures, over a few runs of the release binary: time from spawn to the `initialize`
//! answer (the file is loaded and checked before the server answers anything) and the
//! server's peak RSS (VmHWM) against the file's size. Targets: load <= 1 s, RSS <= 10x
//! the file size. Run with `cargo bench --bench offline_load`. No network at all.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ROLES: usize = 10_000;
const USERS: usize = 5_000;
const POLICIES: usize = 2_000;
const GROUPS: usize = 200;
const RUNS: usize = 5;
const ACCOUNT: &str = "123456789012";

const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"iam-mcp-bench","version":"0.0.0"}}}"#;

fn date(i: usize) -> String {
    format!(
        "2024-{:02}-{:02}T{:02}:{:02}:{:02}+00:00",
        1 + i % 12,
        1 + i % 28,
        i % 24,
        i % 60,
        (i * 7) % 60
    )
}

fn statement(i: usize) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": format!("Read{i}"), "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": [format!("arn:aws:s3:::bucket-{i}"), format!("arn:aws:s3:::bucket-{i}/*")]},
            {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": format!("arn:aws:sqs:us-east-1:{ACCOUNT}:queue-{i}"), "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}}
        ]
    })
}

fn policy_arn(i: usize) -> String {
    format!("arn:aws:iam::{ACCOUNT}:policy/generated/policy-{i:05}")
}

fn trust(i: usize) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": if i.is_multiple_of(2) { "ec2.amazonaws.com" } else { "lambda.amazonaws.com" }}, "Action": "sts:AssumeRole"}]})
}

fn attached(i: usize) -> Value {
    json!([
        {"PolicyName": format!("policy-{:05}", i % POLICIES), "PolicyArn": policy_arn(i % POLICIES)},
        {"PolicyName": format!("policy-{:05}", (i * 7 + 3) % POLICIES), "PolicyArn": policy_arn((i * 7 + 3) % POLICIES)}
    ])
}

fn generate(path: &Path) {
    let users: Vec<Value> = (0..USERS)
        .map(|i| {
            json!({
                "Path": "/people/", "UserName": format!("user-{i:05}"), "UserId": format!("AIDA{i:017}"),
                "Arn": format!("arn:aws:iam::{ACCOUNT}:user/people/user-{i:05}"), "CreateDate": date(i),
                "UserPolicyList": if i % 5 == 0 { json!([{"PolicyName": "inline", "PolicyDocument": statement(i)}]) } else { json!([]) },
                "GroupList": [format!("group-{:03}", i % GROUPS), format!("group-{:03}", (i + 1) % GROUPS)],
                "AttachedManagedPolicies": attached(i),
                "Tags": [{"Key": "team", "Value": format!("team-{}", i % 40)}]
            })
        })
        .collect();
    let groups: Vec<Value> = (0..GROUPS)
        .map(|i| {
            json!({
                "Path": "/", "GroupName": format!("group-{i:03}"), "GroupId": format!("AGPA{i:017}"),
                "Arn": format!("arn:aws:iam::{ACCOUNT}:group/group-{i:03}"), "CreateDate": date(i),
                "GroupPolicyList": [{"PolicyName": "group-inline", "PolicyDocument": statement(i)}],
                "AttachedManagedPolicies": attached(i)
            })
        })
        .collect();
    let roles: Vec<Value> = (0..ROLES)
        .map(|i| {
            let name = format!("role-{i:05}");
            let role_ref = json!({"Path": "/service/", "RoleName": name, "RoleId": format!("AROA{i:017}"), "Arn": format!("arn:aws:iam::{ACCOUNT}:role/service/{name}"), "CreateDate": date(i), "AssumeRolePolicyDocument": trust(i)});
            json!({
                "Path": "/service/", "RoleName": name, "RoleId": format!("AROA{i:017}"),
                "Arn": format!("arn:aws:iam::{ACCOUNT}:role/service/{name}"), "CreateDate": date(i),
                "AssumeRolePolicyDocument": trust(i),
                "InstanceProfileList": if i % 10 == 0 { json!([{"Path": "/", "InstanceProfileName": format!("profile-{i:05}"), "InstanceProfileId": format!("AIPA{i:017}"), "Arn": format!("arn:aws:iam::{ACCOUNT}:instance-profile/profile-{i:05}"), "CreateDate": date(i), "Roles": [role_ref]}]) } else { json!([]) },
                "RolePolicyList": [{"PolicyName": "role-inline", "PolicyDocument": statement(i)}],
                "AttachedManagedPolicies": attached(i),
                "Tags": [{"Key": "app", "Value": format!("app-{}", i % 100)}],
                "RoleLastUsed": {"LastUsedDate": date(i + 1), "Region": "us-east-1"}
            })
        })
        .collect();
    let policies: Vec<Value> = (0..POLICIES)
        .map(|i| {
            json!({
                "PolicyName": format!("policy-{i:05}"), "PolicyId": format!("ANPA{i:017}"), "Arn": policy_arn(i),
                "Path": "/generated/", "DefaultVersionId": "v2", "AttachmentCount": 5, "PermissionsBoundaryUsageCount": 0,
                "IsAttachable": true, "CreateDate": date(i), "UpdateDate": date(i + 1),
                "PolicyVersionList": [
                    {"Document": statement(i), "VersionId": "v2", "IsDefaultVersion": true, "CreateDate": date(i + 1)},
                    {"Document": statement(i + 1), "VersionId": "v1", "IsDefaultVersion": false, "CreateDate": date(i)}
                ]
            })
        })
        .collect();
    let doc = json!({"UserDetailList": users, "GroupDetailList": groups, "RoleDetailList": roles, "Policies": policies, "IsTruncated": false});
    // Pretty-printed, as the CLI prints it.
    std::fs::write(path, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
}

/// One start: spawn with the file, time to the initialize answer, then the peak RSS (MB).
fn run(file: &Path) -> (Duration, f64) {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_iam-mcp-server"))
        .args(["--account-file", file.to_str().unwrap()])
        .env_remove("IAM_MCP_ACCOUNT_FILE")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawning the server");
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    writeln!(stdin, "{INITIALIZE}").unwrap();
    stdin.flush().unwrap();
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let elapsed = started.elapsed();
    let response: Value = serde_json::from_str(line.trim())
        .unwrap_or_else(|e| panic!("bad initialize answer {line:?}: {e}"));
    assert!(
        response["result"]["serverInfo"].is_object(),
        "initialize failed: {line}"
    );
    let status =
        std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap_or_default();
    let hwm = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0);
    drop(stdin);
    let _ = child.wait();
    (elapsed, hwm)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn main() {
    // `cargo bench` passes its own flags (e.g. --bench); nothing to parse.
    let dir: PathBuf =
        std::env::temp_dir().join(format!("iam-mcp-offline-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("account.json");
    let t = Instant::now();
    generate(&file);
    let size_mb = std::fs::metadata(&file).unwrap().len() as f64 / (1024.0 * 1024.0);
    println!(
        "offline_load: generated {ROLES} roles, {USERS} users, {POLICIES} policies, {GROUPS} groups: {size_mb:.1} MB in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let mut loads = Vec::new();
    let mut peaks = Vec::new();
    for i in 0..RUNS {
        let (elapsed, hwm) = run(&file);
        println!(
            "  run {}: initialize answered after {:.0} ms, peak RSS {hwm:.1} MB",
            i + 1,
            elapsed.as_secs_f64() * 1000.0
        );
        loads.push(elapsed.as_secs_f64() * 1000.0);
        peaks.push(hwm);
    }
    let load = median(loads);
    let peak = median(peaks);
    let ratio = peak / size_mb;
    println!(
        "offline_load: file {size_mb:.1} MB; load (spawn to initialize answer) median {load:.0} ms (target <= 1000 ms); peak RSS median {peak:.1} MB = {ratio:.2}x the file (target <= 10x)"
    );
    let _ = std::fs::remove_dir_all(&dir);
    let ok = load <= 1000.0 && ratio <= 10.0;
    println!(
        "offline_load: {}",
        if ok { "within targets" } else { "OVER TARGET" }
    );
    if !ok {
        std::process::exit(1);
    }
}
