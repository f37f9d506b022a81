//! MCP Inspector's CLI lists the tools with `--strict`: every tool's input and output
//! schema passes its portability check (no bare `true` schemas, no `type` arrays, no
//! schema that constrains nothing), for every tool of `--toolsets all --allow-write`.
//!
//! The test command `scripts/test` installs the pinned Inspector into `.inspector` (when
//! node and npm are present) and exports MCP_INSPECTOR for this test. To run it alone:
//!
//! ```text
//! npm install --prefix .inspector --no-audit --no-fund @modelcontextprotocol/inspector@2.12.0
//! cargo test --test it inspector::
//! ```
//!
//! or point MCP_INSPECTOR at an `mcp-inspector` executable. It needs neither the network
//! nor AWS: tools/list is answered from the manifest, the server gets dummy credentials.

use crate::common;

use common::{CLEARED_ENV, TempDir, run_cli, server_bin, server_env, workspace};
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The Inspector version the test command installs.
const INSPECTOR_VERSION: &str = "2.12.0";

fn inspector_path() -> PathBuf {
    let path = match std::env::var_os("MCP_INSPECTOR") {
        Some(path) => PathBuf::from(path),
        None => workspace().join(".inspector/node_modules/.bin/mcp-inspector"),
    };
    assert!(
        path.exists(),
        "MCP Inspector not found at {}.\nThis test runs MCP Inspector's CLI. Run the test command `scripts/test` \
         (with node and npm on PATH it installs @modelcontextprotocol/inspector@{INSPECTOR_VERSION} into .inspector), \
         or install it yourself:\n  \
         npm install --prefix .inspector --no-audit --no-fund @modelcontextprotocol/inspector@{INSPECTOR_VERSION}\n\
         or point MCP_INSPECTOR at an mcp-inspector executable.",
        path.display()
    );
    path
}

#[test]
fn inspector_strict_accepts_every_tool_schema() {
    let inspector = inspector_path();
    let dir = TempDir::new("inspector");
    let stdout_path = dir.path().join("stdout");
    let stderr_path = dir.path().join("stderr");

    let mut command = Command::new(&inspector);
    command.args(["--cli", "--method", "tools/list", "--strict"]);
    // The server's environment: the Inspector passes it only what `-e` names (and a few
    // basics such as PATH and HOME).
    for (key, value) in server_env(None)
        .into_iter()
        .filter(|(k, _)| k != "RUST_LOG")
    {
        command.arg("-e").arg(format!("{key}={value}"));
    }
    command.arg("--").arg(server_bin()).args([
        "--allow-write",
        "--toolsets",
        "all",
        "--consent",
        "none",
    ]);
    for key in CLEARED_ENV {
        command.env_remove(key);
    }
    // No developer's Inspector settings (~/.mcp-inspector) or AWS profile files (~/.aws).
    command
        .env("HOME", dir.path())
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout_path).unwrap())
        .stderr(std::fs::File::create(&stderr_path).unwrap());
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("running {}: {e}", inspector.display()));
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "the Inspector did not finish in 120 s: {}",
                std::fs::read_to_string(&stderr_path).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stdout = std::fs::read_to_string(&stdout_path).unwrap();
    let stderr = std::fs::read_to_string(&stderr_path).unwrap();

    // Exit 6 is an error-severity finding; warnings are printed but exit 0, so they are
    // looked for too.
    assert!(
        status.success(),
        "the Inspector exited with {status} (6: a tool schema is not portable):\n{stderr}"
    );
    let findings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("Error: tool") || l.starts_with("Warning: tool"))
        .collect();
    assert!(
        findings.is_empty(),
        "the Inspector's --strict check reported {} findings:\n{stderr}",
        findings.len()
    );

    // It listed every tool this configuration offers, each with both schemas.
    let listed: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("the Inspector's output is not JSON ({e}):\n{stdout}"));
    let tools = listed["tools"]
        .as_array()
        .unwrap_or_else(|| panic!("no tools in the Inspector's output:\n{stdout}"));
    let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    let offered: Value = serde_json::from_str(&run_cli(&[
        "--allow-write",
        "--toolsets",
        "all",
        "tools",
        "--json",
    ]))
    .unwrap();
    let expected: Vec<&str> = offered
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, expected);
    for tool in tools {
        assert_eq!(tool["inputSchema"]["type"], "object", "{}", tool["name"]);
        assert_eq!(tool["outputSchema"]["type"], "object", "{}", tool["name"]);
    }
}
