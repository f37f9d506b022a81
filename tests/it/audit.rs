//! The audit log: one JSON line per call with what a reviewer needs (time, tool, access,
//! redacted arguments, decisions, AWS calls with request ids, result, duration), and no
//! secret in it; plus the summary line per call on stderr.

use crate::common;

use common::{Moto, Server, TempDir, allow};
use serde_json::{Value, json};

/// The confirmation token a consent-required answer hands out.
fn token_of(text: &str) -> String {
    let start = text.find("\"confirmation_token\": \"").expect("a token")
        + "\"confirmation_token\": \"".len();
    text[start..].split('"').next().unwrap().to_string()
}

/// Calls a write tool the way an assistant does in token mode: once, then with the token.
async fn confirmed(server: &Server, tool: &str, mut args: Value) -> (String, Value) {
    let asked = server.err(tool, args.clone()).await;
    assert!(asked.contains("Confirmation required"), "{asked}");
    args["confirmation_token"] = json!(token_of(&asked));
    (asked, server.ok(tool, args).await)
}

fn lines(path: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

#[tokio::test]
async fn every_call_leaves_one_line_and_no_secret() {
    let moto = Moto::start();
    let dir = TempDir::new("audit");
    let log = dir.path().join("audit.jsonl");
    let log_arg = log.to_str().unwrap();
    let server = Server::start(
        &moto,
        &[
            "--allow-write",
            "--toolsets",
            "all",
            "--consent",
            "token",
            "--audit-log",
            log_arg,
        ],
    )
    .await;

    server.ok("list_users", json!({})).await; // 1
    confirmed(&server, "create_user", json!({"user_name": "bob"})).await; // 2, 3
    let (_, key) = confirmed(&server, "create_access_key", json!({"user_name": "bob"})).await; // 4, 5
    let secret = key["AccessKey"]["SecretAccessKey"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(secret.len() >= 20);
    let password = "Audit-Test-Passw0rd!";
    let (asked, _) = confirmed(
        &server,
        "create_login_profile",
        json!({"user_name": "bob", "password": password}),
    )
    .await; // 6, 7
    assert!(
        !asked.contains(password) && asked.contains("\"password\":\"(hidden)\""),
        "the consent text hides the password: {asked}"
    );
    let document = allow("s3:GetObject");
    confirmed(
        &server,
        "put_user_policy",
        json!({"user_name": "bob", "policy_name": "read", "policy_document": document}),
    )
    .await; // 8, 9
    let refused = server.err("attach_user_policy", json!({"user_name": "bob", "policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess"})).await; // 10
    assert!(refused.contains("privileged_policies"), "{refused}");
    server.err("get_user", json!({"user_name": "ghost"})).await; // 11
    let stderr = server.stop().await;

    // A read-only server appends to the same file.
    let readonly = Server::start(&moto, &["--audit-log", log_arg]).await;
    readonly
        .err("delete_user", json!({"user_name": "bob"}))
        .await; // 12
    readonly.stop().await;

    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        !text.contains(&secret),
        "the secret access key is in the audit log"
    );
    assert!(!text.contains(password), "the password is in the audit log");
    assert!(
        !stderr.contains(&secret) && !stderr.contains(password),
        "a secret is in the server's log"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&log).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    let entries = lines(&log);
    assert_eq!(entries.len(), 12, "one line per call: {text}");
    for e in &entries {
        for field in [
            "time",
            "tool",
            "access",
            "arguments",
            "decision",
            "aws_calls",
            "result",
            "duration_ms",
        ] {
            assert!(e.get(field).is_some(), "{field} missing in {e}");
        }
        assert!(
            e["time"].as_str().unwrap().starts_with("20")
                && e["time"].as_str().unwrap().ends_with('Z'),
            "{e}"
        );
        assert!(e["duration_ms"].as_f64().unwrap() >= 0.0);
    }
    let tools: Vec<&str> = entries
        .iter()
        .map(|e| e["tool"].as_str().unwrap())
        .collect();
    assert_eq!(
        tools,
        [
            "list_users",
            "create_user",
            "create_user",
            "create_access_key",
            "create_access_key",
            "create_login_profile",
            "create_login_profile",
            "put_user_policy",
            "put_user_policy",
            "attach_user_policy",
            "get_user",
            "delete_user"
        ]
    );

    // A read: its one AWS call, with the request id.
    let read = &entries[0];
    assert_eq!(read["access"], "read");
    assert_eq!(read["decision"], json!({"gate": "allowed"}));
    assert_eq!(read["aws_calls"][0]["action"], "iam:ListUsers");
    assert_eq!(read["aws_calls"][0]["status"], 200);
    assert_eq!(read["aws_calls"][0]["outcome"], "ok");
    assert!(
        read["aws_calls"][0]["request_id"].as_str().unwrap().len() > 8,
        "{read}"
    );
    assert_eq!(read["result"], json!({"ok": true}));

    // A write asked for consent (no AWS call), then done with the token.
    let (asked, done) = (&entries[1], &entries[2]);
    assert_eq!(asked["access"], "write");
    assert_eq!(
        asked["decision"],
        json!({"gate": "allowed", "guardrails": "passed", "consent": "token issued, waiting for the user"})
    );
    assert_eq!(asked["aws_calls"], json!([]));
    assert_eq!(asked["result"]["ok"], false);
    assert_eq!(asked["result"]["kind"], "ConsentRequired");
    assert_eq!(
        done["arguments"],
        json!({"user_name": "bob", "confirmation_token": "[redacted]"})
    );
    assert_eq!(done["decision"]["consent"], "token accepted");
    assert_eq!(
        done["aws_calls"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["action"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["iam:CreateUser"]
    );
    assert_eq!(done["result"], json!({"ok": true}));

    // The password is redacted.
    assert_eq!(entries[4]["arguments"]["user_name"], "bob");
    assert_eq!(entries[6]["arguments"]["password"], "[redacted]");

    // The document: its hash and size, not its text.
    let doc = &entries[8]["arguments"]["policy_document"];
    assert_eq!(doc["sha256"].as_str().unwrap().len(), 64, "{doc}");
    assert_eq!(doc["bytes"], document.to_string().len());
    assert!(
        !text.contains("s3:GetObject"),
        "a document's text is in the audit log"
    );

    // A guardrail refusal: no AWS write.
    let refused = &entries[9];
    assert_eq!(
        refused["decision"]["guardrails"],
        "refused: privileged_policies"
    );
    assert_eq!(refused["aws_calls"], json!([]));
    assert_eq!(refused["result"]["kind"], "Refused");

    // An AWS error: its code on the call and on the result.
    let missing = &entries[10];
    assert_eq!(missing["aws_calls"][0]["outcome"], "NoSuchEntity");
    assert_eq!(missing["aws_calls"][0]["status"], 404);
    assert_eq!(missing["result"]["code"], "NoSuchEntity");

    // The read-only gate.
    assert_eq!(entries[11]["decision"], json!({"gate": "refused"}));
    assert_eq!(entries[11]["aws_calls"], json!([]));

    // The stderr summary: one info line per call.
    assert_eq!(
        stderr.matches("tool call ok").count() + stderr.matches("tool call failed").count(),
        11,
        "{stderr}"
    );
    assert!(
        stderr.lines().any(|l| l.contains("tool call ok")
            && l.contains("tool=\"create_user\"")
            && l.contains("iam:CreateUser ok")),
        "{stderr}"
    );
}

#[tokio::test]
async fn an_audit_log_that_cannot_be_opened_stops_the_start() {
    let out = std::process::Command::new(common::server_bin())
        .args(["--audit-log", "/nonexistent-dir/audit.jsonl"])
        .env_remove("IAM_MCP_AUDIT_LOG")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot open the audit log /nonexistent-dir/audit.jsonl"),
        "{stderr}"
    );
}

/// Whatever RUST_LOG asks for (here `trace` for everything, rmcp included), no password,
/// secret access key or confirmation token reaches stderr or the audit log: rmcp's message
/// dumps are held at info, and the server's own lines never carry them.
#[tokio::test]
async fn no_secret_reaches_stderr_at_trace() {
    let moto = Moto::start();
    let dir = TempDir::new("audit-trace");
    let log = dir.path().join("audit.jsonl");
    let mut env = common::server_env(Some(&moto.endpoint()));
    env.retain(|(k, _)| k != "RUST_LOG");
    env.push(("RUST_LOG".into(), "trace,rmcp=trace".into()));
    let server = Server::start_env(
        &[
            "--allow-write",
            "--toolsets",
            "all",
            "--consent",
            "token",
            "--audit-log",
            log.to_str().unwrap(),
        ],
        env,
    )
    .await;

    let (asked, _) = confirmed(&server, "create_user", json!({"user_name": "tracy"})).await;
    let token = token_of(&asked);
    let (_, key) = confirmed(&server, "create_access_key", json!({"user_name": "tracy"})).await;
    let secret = key["AccessKey"]["SecretAccessKey"]
        .as_str()
        .unwrap()
        .to_string();
    let password = "Trace-Passw0rd-one-77!";
    let new_password = "Trace-Passw0rd-two-88!";
    confirmed(
        &server,
        "create_login_profile",
        json!({"user_name": "tracy", "password": password}),
    )
    .await;
    confirmed(
        &server,
        "update_login_profile",
        json!({"user_name": "tracy", "password": new_password}),
    )
    .await;
    let stderr = server.stop().await;
    // The session was really logged at trace (the SDK's and the server's own events).
    assert!(
        stderr.lines().filter(|l| l.contains("TRACE")).count() > 50,
        "not a trace session:\n{}",
        &stderr[..stderr.floor_char_boundary(2000)]
    );
    assert!(
        stderr.contains("action=iam:CreateAccessKey")
            && stderr.contains("action=iam:UpdateLoginProfile"),
        "{stderr}"
    );
    let audit = std::fs::read_to_string(&log).unwrap();
    for (what, secret) in [
        ("the secret access key", secret.as_str()),
        ("the first password", password),
        ("the second password", new_password),
        ("a confirmation token", token.as_str()),
    ] {
        for (place, text) in [("stderr", &stderr), ("the audit log", &audit)] {
            let line = text.lines().find(|l| l.contains(secret));
            assert!(
                line.is_none(),
                "{what} is in {place}: {}",
                line.unwrap_or_default()
            );
        }
    }
}
