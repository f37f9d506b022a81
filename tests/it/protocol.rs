//! The wire: initialize on each supported protocol version, serverInfo, the 2026-07-28
//! stateless requests (server/discover and per-request `_meta`), and stdout carrying MCP
//! messages only while logs go to stderr.

use crate::common;

use common::{CLEARED_ENV, Moto, server_env};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The server as a raw JSON-RPC peer: lines in, lines out.
struct Raw {
    child: Child,
    stdin: ChildStdin,
    lines: mpsc::Receiver<String>,
    stderr_path: std::path::PathBuf,
    _dir: common::TempDir,
}

impl Raw {
    fn start(env: Vec<(String, String)>) -> Raw {
        let dir = common::TempDir::new("raw");
        let stderr_path = dir.path().join("stderr.log");
        let mut command = Command::new(common::server_bin());
        for k in CLEARED_ENV {
            command.env_remove(k);
        }
        let mut child = command
            .envs(env)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr_path).unwrap())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Raw {
            child,
            stdin,
            lines,
            stderr_path,
            _dir: dir,
        }
    }

    fn send(&mut self, message: Value) {
        writeln!(self.stdin, "{message}").unwrap();
        self.stdin.flush().unwrap();
    }

    /// The next stdout line, which must be a JSON-RPC message.
    fn next(&self) -> Value {
        let line = self
            .lines
            .recv_timeout(Duration::from_secs(30))
            .expect("no message from the server");
        let value: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {line}"));
        assert_eq!(value["jsonrpc"], "2.0", "not JSON-RPC: {line}");
        value
    }

    /// Sends a request and returns its response, skipping notifications.
    fn request(&mut self, id: u64, method: &str, params: Value) -> Value {
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let message = self.next();
            if message["id"] == json!(id) {
                return message;
            }
        }
    }

    fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::fs::read_to_string(&self.stderr_path).unwrap_or_default()
    }
}

fn initialize(version: &str) -> Value {
    json!({"protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "protocol-test", "version": "1.0"}})
}

#[test]
fn initialize_answers_each_supported_version() {
    for version in ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"] {
        let mut raw = Raw::start(server_env(None));
        let response = raw.request(1, "initialize", initialize(version));
        let result = &response["result"];
        assert_eq!(result["protocolVersion"], version, "{response}");
        assert_eq!(result["serverInfo"]["name"], "iam-mcp-server");
        assert_eq!(result["serverInfo"]["version"], env!("CARGO_PKG_VERSION"));
        assert!(result["capabilities"]["tools"].is_object(), "{response}");
        assert!(
            result["instructions"]
                .as_str()
                .unwrap()
                .contains("READ-ONLY"),
            "{response}"
        );
        raw.stop();
    }
    // A version from the future is answered with the newest one that has initialize.
    let mut raw = Raw::start(server_env(None));
    let response = raw.request(1, "initialize", initialize("2099-01-01"));
    assert_eq!(
        response["result"]["protocolVersion"], "2025-11-25",
        "{response}"
    );
    raw.stop();
}

#[test]
fn stdout_carries_only_mcp_messages_and_logs_go_to_stderr() {
    let moto = Moto::start();
    let mut env = server_env(Some(&moto.endpoint()));
    env.retain(|(k, _)| k != "RUST_LOG");
    env.push(("RUST_LOG".into(), "trace".into()));
    let mut raw = Raw::start(env);
    raw.request(1, "initialize", initialize("2025-11-25"));
    raw.send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
    let tools = raw.request(2, "tools/list", json!({}));
    assert!(
        tools["result"]["tools"].as_array().unwrap().len() >= 5,
        "{tools}"
    );
    let call = raw.request(
        3,
        "tools/call",
        json!({"name": "list_users", "arguments": {}}),
    );
    assert_eq!(call["result"]["isError"], false, "{call}");
    assert_eq!(
        call["result"]["structuredContent"]["Users"],
        json!([]),
        "{call}"
    );
    let unknown = raw.request(
        4,
        "tools/call",
        json!({"name": "no_such_tool", "arguments": {}}),
    );
    assert!(
        unknown["error"]["message"]
            .as_str()
            .unwrap()
            .contains("unknown tool `no_such_tool`"),
        "{unknown}"
    );
    // Nothing else is pending on stdout, and every line so far parsed as JSON-RPC.
    assert!(raw.lines.recv_timeout(Duration::from_millis(300)).is_err());
    let stderr = raw.stop();
    assert!(
        stderr.contains("aws call") && stderr.contains("action=iam:ListUsers"),
        "RUST_LOG=trace logs on stderr:\n{stderr}"
    );
}

#[test]
fn stateless_2026_07_28_requests_work_without_initialize() {
    let moto = Moto::start();
    let mut raw = Raw::start(server_env(Some(&moto.endpoint())));
    let meta = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": {"name": "stateless-test", "version": "1.0"},
        "io.modelcontextprotocol/clientCapabilities": {}
    });
    let discover = raw.request(1, "server/discover", json!({"_meta": meta}));
    let result = &discover["result"];
    assert!(
        result["supportedVersions"]
            .as_array()
            .is_some_and(|v| v.contains(&json!("2026-07-28"))),
        "{discover}"
    );
    assert!(
        discover.to_string().contains("iam-mcp-server"),
        "{discover}"
    );
    let tools = raw.request(2, "tools/list", json!({"_meta": meta}));
    let names: Vec<&str> = tools["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"list_users"), "{tools}");
    let call = raw.request(
        3,
        "tools/call",
        json!({"_meta": meta, "name": "list_users", "arguments": {}}),
    );
    assert_eq!(
        call["result"]["structuredContent"]["IsTruncated"], false,
        "{call}"
    );
    // A 2026-07-28 request without its required _meta is refused.
    let bare = raw.request(
        4,
        "tools/list",
        json!({"_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28"}}),
    );
    assert!(
        bare["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("clientCapabilities"),
        "{bare}"
    );
    raw.stop();
}

/// A line that is not JSON gets JSON-RPC's parse error (-32700, id null) and a warning on
/// stderr, and the server reads on: the next request is answered. JSON that is not a
/// JSON-RPC message gets -32600 with its id.
#[test]
fn unparsable_lines_are_answered_with_a_parse_error_and_the_server_reads_on() {
    let mut raw = Raw::start(server_env(None));
    raw.request(1, "initialize", initialize("2025-11-25"));
    raw.send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let lines: [(&str, Vec<u8>); 5] = [
        ("a garbage line", b"this is not json".to_vec()),
        ("invalid UTF-8", [&br#"{"jsonrpc":"2.0","id":5,"method":"ping","params":{"x":""#[..], &[0xff, 0xfe], &br#""}}"#[..]].concat()),
        ("a lone surrogate", br#"{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"get_user","arguments":{"user_name":"\ud800"}}}"#.to_vec()),
        ("JSON nested 10,000 deep", deep.into_bytes()),
        ("a truncated object", br#"{"jsonrpc":"2.0","id":7,"method":"#.to_vec()),
    ];
    for (i, (label, line)) in lines.iter().enumerate() {
        raw.stdin.write_all(line).unwrap();
        raw.stdin.write_all(b"\n").unwrap();
        raw.stdin.flush().unwrap();
        let answer = raw.next();
        assert_eq!(answer["error"]["code"], -32700, "{label}: {answer}");
        assert_eq!(answer["id"], Value::Null, "{label}: {answer}");
        assert!(
            answer["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("Parse error"),
            "{label}: {answer}"
        );
        let ping = raw.request(100 + i as u64, "ping", json!({}));
        assert_eq!(ping["result"], json!({}), "after {label}: {ping}");
    }
    raw.stdin
        .write_all(b"{\"jsonrpc\":\"2.0\",\"id\":42,\"params\":{}}\n")
        .unwrap();
    raw.stdin.flush().unwrap();
    let invalid = raw.next();
    assert_eq!(
        (invalid["error"]["code"].clone(), invalid["id"].clone()),
        (json!(-32600), json!(42)),
        "{invalid}"
    );
    let tools = raw.request(200, "tools/list", json!({}));
    assert!(
        tools["result"]["tools"]
            .as_array()
            .is_some_and(|t| !t.is_empty()),
        "{tools}"
    );
    let stderr = raw.stop();
    assert_eq!(
        stderr
            .lines()
            .filter(|l| l.contains("WARN") && l.contains("Parse error"))
            .count(),
        5,
        "{stderr}"
    );
    assert!(
        stderr
            .lines()
            .any(|l| l.contains("WARN") && l.contains("Invalid Request")),
        "{stderr}"
    );
}
