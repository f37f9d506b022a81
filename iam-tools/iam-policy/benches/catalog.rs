//! The service catalog and validation: first-use load time and the memory it adds, one
//! action lookup, and validate_policy's findings per second on a 6 KB policy, side by side
//! with Parliament 1.6.4 on the same document when its venv is there.
//!
//! `cargo bench -p iam-policy --bench catalog`
//!
//! Parliament: `scripts/compare-parliament` creates its venv (default
//! ${TMPDIR:-/tmp}/iam-mcp-parliament-venv; `IAM_MCP_PARLIAMENT_VENV` names another). Without
//! it, the Parliament line says how to get it.

use std::hint::black_box;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use iam_policy::catalog;
use iam_policy::validate::{PolicyKind, validate};
use serde_json::{Value, json};

/// `VmRSS` or `VmHWM` of this process, in kB.
fn status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// A realistic identity policy of about 6 KB: an application's S3, DynamoDB, SQS, KMS,
/// logs and EC2 permissions with conditions, one tag-based statement, one deny.
fn six_kb_policy() -> Value {
    let mut statements = Vec::new();
    for n in 0..10 {
        statements.push(json!({"Sid": format!("Bucket{n}"), "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:GetObjectTagging"],
            "Resource": format!("arn:aws:s3:::app-data-{n}/${{aws:PrincipalTag/team}}/*"),
            "Condition": {"StringEquals": {"aws:ResourceAccount": "111122223333"}, "Bool": {"aws:SecureTransport": "true"}}}));
        statements.push(
            json!({"Sid": format!("List{n}"), "Effect": "Allow", "Action": "s3:ListBucket",
            "Resource": format!("arn:aws:s3:::app-data-{n}"),
            "Condition": {"StringLike": {"s3:prefix": ["${aws:PrincipalTag/team}/*"]}}}),
        );
    }
    statements.push(json!({"Sid": "Tables", "Effect": "Allow",
        "Action": ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchGetItem"],
        "Resource": ["arn:aws:dynamodb:us-east-1:111122223333:table/Orders", "arn:aws:dynamodb:us-east-1:111122223333:table/Orders/index/*"]}));
    statements.push(json!({"Sid": "Queues", "Effect": "Allow",
        "Action": ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
        "Resource": "arn:aws:sqs:us-east-1:111122223333:orders-*"}));
    statements.push(
        json!({"Sid": "Keys", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
        "Resource": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}}),
    );
    statements.push(json!({"Sid": "Logs", "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": "arn:aws:logs:us-east-1:111122223333:log-group:/app/*:*"}));
    statements.push(json!({"Sid": "Instances", "Effect": "Allow",
        "Action": ["ec2:StartInstances", "ec2:StopInstances"], "Resource": "arn:aws:ec2:*:111122223333:instance/*",
        "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}}));
    statements.push(json!({"Sid": "Describe", "Effect": "Allow", "Action": ["ec2:Describe*", "cloudwatch:PutMetricData"], "Resource": "*"}));
    statements.push(
        json!({"Sid": "PassAppRole", "Effect": "Allow", "Action": "iam:PassRole",
        "Resource": "arn:aws:iam::111122223333:role/app-*",
        "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}}),
    );
    statements.push(json!({"Sid": "NoDeleteOutsideOffice", "Effect": "Deny", "Action": ["s3:DeleteBucket", "dynamodb:DeleteTable"],
        "Resource": "*", "Condition": {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}}}));
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn parliament_python() -> Option<PathBuf> {
    let venv = std::env::var_os("IAM_MCP_PARLIAMENT_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("iam-mcp-parliament-venv"));
    let python = venv.join("bin/python");
    python.exists().then_some(python)
}

fn main() {
    // Memory: the first use parses the embedded text into the shared catalog.
    let (rss_before, hwm_before) = (status_kb("VmRSS:"), status_kb("VmHWM:"));
    let first = Instant::now();
    let c = catalog::catalog();
    let first_use = first.elapsed();
    let (rss_after, hwm_after) = (status_kb("VmRSS:"), status_kb("VmHWM:"));
    println!(
        "catalog: {} services, {} actions, {} KB embedded ({})",
        c.services().len(),
        c.action_count(),
        catalog::embedded_size() / 1024,
        c.source.describe()
    );
    println!(
        "catalog first use: {:.2} ms; RSS +{:.1} MB (peak +{:.1} MB; target <= 10 MB)",
        first_use.as_secs_f64() * 1e3,
        (rss_after.saturating_sub(rss_before)) as f64 / 1024.0,
        (hwm_after.saturating_sub(hwm_before)) as f64 / 1024.0
    );

    // Load time: median of 15 fresh parses.
    let mut loads: Vec<f64> = (0..15)
        .map(|_| {
            let t = Instant::now();
            black_box(catalog::parse_embedded());
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    loads.sort_by(f64::total_cmp);
    println!(
        "catalog load: {:.2} ms (median of 15 fresh parses)",
        loads[7]
    );

    // One action lookup: a hash probe.
    let names = [
        "s3:GetObject",
        "iam:PassRole",
        "ec2:DescribeInstances",
        "S3:getobject",
        "kms:Decrypt",
    ];
    let mut n = 0u64;
    let start = Instant::now();
    while start.elapsed() < Duration::from_millis(500) {
        for name in names {
            black_box(c.action(black_box(name)));
        }
        n += names.len() as u64;
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "action lookup: {:.0} ns each ({n} lookups)",
        secs * 1e9 / n as f64
    );

    // Findings per second on a 6 KB policy.
    let doc = six_kb_policy();
    let text = serde_json::to_string(&doc).unwrap();
    let findings = validate(&doc, PolicyKind::Identity);
    for _ in 0..200 {
        black_box(validate(black_box(&doc), PolicyKind::Identity));
    }
    // Seven rounds of 0.4 s: the median is the figure, the spread says how steady the
    // machine was.
    let mut rounds: Vec<f64> = (0..7)
        .map(|_| {
            let mut n = 0u64;
            let start = Instant::now();
            while start.elapsed() < Duration::from_millis(400) {
                for _ in 0..20 {
                    black_box(validate(black_box(&doc), PolicyKind::Identity));
                }
                n += 20;
            }
            n as f64 / start.elapsed().as_secs_f64()
        })
        .collect();
    rounds.sort_by(f64::total_cmp);
    let ours = rounds[3];
    println!(
        "validate_policy: {ours:.0} documents/s on a {:.1} KB policy ({} statements, {} findings; {:.0} us each; median of 7 rounds, {:.0} to {:.0}; target >= 10,000/s)",
        text.len() as f64 / 1024.0,
        doc["Statement"].as_array().map_or(0, Vec::len),
        findings.len(),
        1e6 / ours,
        rounds[0],
        rounds[6]
    );

    // Parliament on the same document, in the same run.
    let Some(python) = parliament_python() else {
        println!(
            "parliament 1.6.4: not measured (run scripts/compare-parliament once to create its venv)"
        );
        return;
    };
    let script = r#"
import sys, time
from parliament import analyze_policy_string
doc = sys.stdin.read()
analyze_policy_string(doc)
n, start = 0, time.perf_counter()
while time.perf_counter() - start < 2.0:
    analyze_policy_string(doc); n += 1
print(n / (time.perf_counter() - start), len(analyze_policy_string(doc).findings))
"#;
    let mut child = Command::new(&python)
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("running Parliament's python");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let line = String::from_utf8_lossy(&out.stdout);
    let mut parts = line.split_whitespace();
    let theirs: f64 = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0.0);
    let their_findings = parts.next().unwrap_or("?");
    println!(
        "parliament 1.6.4: {theirs:.0} documents/s on the same policy ({their_findings} findings); validate_policy is {:.0}x faster",
        ours / theirs.max(1e-9)
    );
}
