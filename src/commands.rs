//! The one-shot subcommands: `tools` (the tool list), `snapshot` (the account as an account
//! file) and `call` (one tool, its result on stdout).

use super::{Mode, WrittenFlags, backend, consent_mode, shared};
use anyhow::Context;
use iam_tools::backend::Backend;
use iam_tools::catalog::Selection;
use iam_tools::codec::count;
use iam_tools::context::Catalog;
use iam_tools::registry::Registry;

pub(crate) fn print_tools(
    catalog: &Catalog,
    selection: &Selection,
    backend: Option<&Backend>,
    json: bool,
    markdown: bool,
) {
    let tools: Vec<_> = catalog
        .selected(selection)
        .filter(|t| backend.is_none_or(|b| b.refusal(t).is_none()))
        .collect();
    if markdown {
        println!("| Tool | Toolset | Access | What it does | IAM actions |");
        println!("|---|---|---|---|---|");
        for t in &tools {
            let access = match (t.access.as_str(), t.destructive) {
                ("write", true) => "write, destructive",
                (access, _) => access,
            };
            println!(
                "| `{}` | {} | {} | {} | {} |",
                t.name,
                t.toolset,
                access,
                t.description.replace('|', "\\|"),
                t.actions.join(", ")
            );
        }
        return;
    }
    if json {
        let list: Vec<serde_json::Value> = tools
            .iter()
            .map(|t| {
                serde_json::json!({
                    "name": t.name,
                    "title": t.title,
                    "toolset": t.toolset,
                    "access": t.access.as_str(),
                    "destructive": t.destructive,
                    "actions": t.actions,
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&list).unwrap_or_default()
        );
        return;
    }
    let width = tools.iter().map(|t| t.name.len()).max().unwrap_or(4);
    println!(
        "{:width$}  {:10}  {:6}  IAM ACTIONS",
        "TOOL", "TOOLSET", "ACCESS"
    );
    for t in &tools {
        println!(
            "{:width$}  {:10}  {:6}  {}",
            t.name,
            t.toolset,
            t.access.as_str(),
            t.actions.join(" ")
        );
    }
    let mode = if selection.read_only {
        "read-only (--allow-write offers write tools)"
    } else {
        "read-write"
    };
    println!(
        "\n{}; toolsets: {}; {mode}",
        count(tools.len(), "tool", "tools"),
        selection.toolsets.join(", ")
    );
}

fn current_thread() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

/// `snapshot`: the live account as an account file.
pub(crate) fn snapshot(catalog: &'static Catalog, output: &std::path::Path) -> anyhow::Result<()> {
    let runtime = current_thread()?;
    let backend = Backend::live(true);
    let document = runtime
        .block_on(iam_tools::backend::account_file::export(|op, input| {
            (catalog.call)(&backend, op, input)
        }))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let text = serde_json::to_string_pretty(&document)? + "\n";
    if output.as_os_str() == "-" {
        print!("{text}");
    } else {
        std::fs::write(output, text).with_context(|| format!("writing {}", output.display()))?;
        let listed = |k: &str| document[k].as_array().map_or(0, Vec::len);
        eprintln!(
            "iam-mcp-server: wrote {} ({}, {}, {}, {})",
            output.display(),
            count(listed("UserDetailList"), "user", "users"),
            count(listed("GroupDetailList"), "group", "groups"),
            count(listed("RoleDetailList"), "role", "roles"),
            count(listed("Policies"), "managed policy", "managed policies")
        );
    }
    Ok(())
}

/// `call`: one tool, its structured result on stdout. Returns the exit code.
pub(crate) fn call(
    catalog: &'static Catalog,
    mode: &Mode,
    written: WrittenFlags,
    selection: Selection,
    tool: &str,
    arguments: &str,
) -> anyhow::Result<i32> {
    let args: serde_json::Value = serde_json::from_str(arguments)
        .with_context(|| format!("the arguments of {tool} are not JSON: {arguments}"))?;
    let serde_json::Value::Object(args) = args else {
        anyhow::bail!(
            "the arguments of {tool} must be a JSON object, e.g. '{{\"user_name\": \"alice\"}}'"
        );
    };
    let Some(spec) = catalog.tool(tool) else {
        anyhow::bail!("unknown tool `{tool}`; `iam-mcp-server tools` lists them");
    };
    let explicit = written.allow_write
        && written.consent
        && mode.allow_write
        && !mode.readonly
        && consent_mode(mode) == iam_tools::context::Mode::None;
    if spec.access == iam_tools::catalog::Access::Write && !explicit && !mode.offline() {
        eprintln!(
            "iam-mcp-server: `{tool}` is a write tool; `call` cannot ask anyone to confirm it, so it runs writes only with --allow-write --consent none typed on its command line (the IAM_MCP_ALLOW_WRITE and IAM_MCP_CONSENT variables are not enough for `call`). Nothing was changed."
        );
        return Ok(1);
    }
    let backend = backend(mode, selection.read_only)?;
    let runtime = current_thread()?;
    let registry = Registry::new(catalog, selection, shared(mode, backend)?);
    match runtime.block_on(registry.call(tool, Some(args), None, None)) {
        iam_tools::registry::Outcome::UnknownTool(message) => anyhow::bail!(message),
        iam_tools::registry::Outcome::InputRequired(_) => anyhow::bail!(
            "`{tool}` asked for the user's answer, which `call` cannot give; nothing was changed"
        ),
        iam_tools::registry::Outcome::Result(result) => {
            if result.is_error == Some(true) {
                let text: Vec<String> = result
                    .content
                    .iter()
                    .filter_map(|c| c.as_text().map(|t| t.text.clone()))
                    .collect();
                eprintln!("{}", text.join("\n"));
                return Ok(1);
            }
            let value = result.structured_content.unwrap_or(serde_json::Value::Null);
            println!("{}", serde_json::to_string_pretty(&value)?);
            Ok(0)
        }
    }
}
