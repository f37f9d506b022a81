//! The README a newcomer reads: short, every command it shows is one the packaging test runs
//! (`packaging/tests/readme.sh`, from `scripts/package`, which `scripts/test` ends with),
//! every client config is valid JSON (the packaging test starts each), the one-click links
//! carry the same config, and every file it links to exists.

use base64::Engine;
use serde_json::Value;

use crate::common::workspace;

fn readme() -> String {
    std::fs::read_to_string(workspace().join("README.md")).unwrap()
}

/// The fenced blocks of `lang` in `text`, each as its lines.
fn blocks(text: &str, lang: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match (&mut current, line.trim_start().strip_prefix("```")) {
            (None, Some(tag)) if tag == lang => current = Some(String::new()),
            (Some(block), Some(_)) => {
                out.push(std::mem::take(block));
                current = None;
            }
            (Some(block), None) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    out
}

#[test]
fn the_readme_fits_in_twelve_kilobytes() {
    let size = readme().len();
    assert!(
        size <= 12 * 1024,
        "README.md is {size} bytes, over 12 KB: move reference material to docs/"
    );
}

#[test]
fn every_command_in_the_readme_is_run_by_the_packaging_test() {
    let script = std::fs::read_to_string(workspace().join("packaging/tests/readme.sh")).unwrap();
    let package = std::fs::read_to_string(workspace().join("scripts/package")).unwrap();
    let contributing = std::fs::read_to_string(workspace().join("CONTRIBUTING.md")).unwrap();
    let test = std::fs::read_to_string(workspace().join("scripts/test")).unwrap();
    let mut commands = Vec::new();
    for block in blocks(&readme(), "sh") {
        for line in block.lines() {
            // A trailing comment is the README's, not the command's.
            let command = line.split("  #").next().unwrap().trim();
            if !command.is_empty() {
                commands.push(command.to_string());
            }
        }
    }
    assert!(commands.len() >= 8, "{commands:?}");
    // A command is run as written: a line of the script is the command, or checks its
    // output (`out=$(COMMAND)`, `out=$(cd DIR && COMMAND)`); comments do not count.
    let runs = |command: &str| {
        script.lines().any(|l| {
            let l = l.trim();
            !l.starts_with('#')
                && (l == command
                    || (l.starts_with("out=$(")
                        && (l.ends_with(&format!("$({command})"))
                            || l.ends_with(&format!(" && {command})")))))
        })
    };
    let missing: Vec<&String> = commands.iter().filter(|c| !runs(c)).collect();
    assert!(
        missing.is_empty(),
        "README commands packaging/tests/readme.sh does not run as written: {missing:#?}"
    );
    assert!(
        package.contains("packaging/tests/readme.sh"),
        "scripts/package runs the README's commands"
    );
    // The maintainer's two commands live in CONTRIBUTING.md; `.ci/run` calls the second.
    assert!(contributing.contains("```sh\nscripts/test\n```"));
    assert!(
        test.contains("scripts/package"),
        "scripts/test runs the packaging script"
    );
}

#[test]
fn client_configs_are_json_and_the_install_links_carry_the_same_server() {
    let readme = readme();
    let configs: Vec<Value> = blocks(&readme, "json")
        .iter()
        .map(|b| serde_json::from_str(b).unwrap_or_else(|e| panic!("{e}: {b}")))
        .collect();
    assert_eq!(
        configs.len(),
        2,
        "Claude Desktop/Cursor/Kiro/Cline and VS Code"
    );
    let desktop = &configs[0]["mcpServers"]["iam"];
    let vscode = &configs[1]["servers"]["iam"];
    assert_eq!(desktop["command"], "uvx");
    assert_eq!(
        desktop["args"],
        serde_json::json!(["--from", "iam-mcp-server-rs", "iam-mcp-server"])
    );
    assert_eq!(vscode["command"], desktop["command"]);
    assert_eq!(vscode["args"], desktop["args"]);
    assert_eq!(vscode["type"], "stdio");
    // The packaging test starts each config as its client would (README json blocks).
    let script = std::fs::read_to_string(workspace().join("packaging/tests/readme.sh")).unwrap();
    assert!(
        script.contains("```json"),
        "packaging/tests/readme.sh starts the README's configs"
    );

    let link = |prefix: &str| -> String {
        let start = readme
            .find(prefix)
            .unwrap_or_else(|| panic!("no link {prefix}"));
        let rest = &readme[start + prefix.len()..];
        rest[..rest.find(')').unwrap()].to_string()
    };
    let expected = serde_json::json!({"command": desktop["command"], "args": desktop["args"]});
    let cursor = link("https://cursor.com/en/install-mcp?name=iam&config=");
    let cursor = percent_encoding::percent_decode_str(&cursor)
        .decode_utf8()
        .unwrap();
    let cursor = base64::engine::general_purpose::STANDARD
        .decode(cursor.as_bytes())
        .unwrap();
    assert_eq!(
        serde_json::from_slice::<Value>(&cursor).unwrap(),
        expected,
        "the Cursor link"
    );
    let vscode_link = link("https://insiders.vscode.dev/redirect/mcp/install?name=iam&config=");
    let vscode_link = percent_encoding::percent_decode_str(&vscode_link)
        .decode_utf8()
        .unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&vscode_link).unwrap(),
        expected,
        "the VS Code link"
    );
}

#[test]
fn every_file_the_readme_links_to_exists() {
    let readme = readme();
    let mut checked = 0;
    for (at, _) in readme.match_indices("](") {
        let target = &readme[at + 2..];
        let target = &target[..target.find(')').unwrap()];
        if target.contains("://") || target.starts_with('#') {
            continue;
        }
        let path = target.split('#').next().unwrap();
        assert!(
            workspace().join(path).exists(),
            "README links to {path}, which does not exist"
        );
        checked += 1;
    }
    assert!(checked >= 6, "{checked} local links");
}
