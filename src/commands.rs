//! The one-shot subcommands: `tools` (the tool list), `snapshot` (the account as an account
//! file) and `call` (one tool, its result on stdout).

use super::{Mode, WrittenFlags, backend, consent_mode, shared};
use anyhow::Context;
use iam_tools::backend::Backend;
use iam_tools::catalog::Selection;
use iam_tools::codec::{account_counts, count};
use iam_tools::context::Catalog;
use iam_tools::registry::Registry;

pub(crate) fn print_tools(
    catalog: &Catalog,
    selection: &Selection,
    backend: Option<&Backend>,
    json: bool,
    markdown: bool,
) -> anyhow::Result<()> {
    use std::fmt::Write;
    let mut text = String::new();
    let tools: Vec<_> = catalog
        .selected(selection)
        .filter(|t| backend.is_none_or(|b| b.refusal(t).is_none()))
        .collect();
    if markdown {
        writeln!(
            text,
            "| Tool | Toolset | Access | What it does | IAM actions |"
        )?;
        writeln!(text, "|---|---|---|---|---|")?;
        for t in &tools {
            let access = match (t.access.as_str(), t.destructive) {
                ("write", true) => "write, destructive",
                (access, _) => access,
            };
            writeln!(
                text,
                "| `{}` | {} | {} | {} | {} |",
                t.name,
                t.toolset,
                access,
                t.description.replace('|', "\\|"),
                t.actions.join(", ")
            )?;
        }
        return emit(&text);
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
        writeln!(
            text,
            "{}",
            serde_json::to_string_pretty(&list).unwrap_or_default()
        )?;
        return emit(&text);
    }
    let width = tools.iter().map(|t| t.name.len()).max().unwrap_or(4);
    writeln!(
        text,
        "{:width$}  {:10}  {:6}  IAM ACTIONS",
        "TOOL", "TOOLSET", "ACCESS"
    )?;
    for t in &tools {
        writeln!(
            text,
            "{:width$}  {:10}  {:6}  {}",
            t.name,
            t.toolset,
            t.access.as_str(),
            t.actions.join(" ")
        )?;
    }
    let mode = if selection.read_only {
        "read-only (--allow-write offers write tools)"
    } else {
        "read-write"
    };
    writeln!(
        text,
        "\n{}; toolsets: {}; {mode}",
        count(tools.len(), "tool", "tools"),
        selection.toolsets.join(", ")
    )?;
    emit(&text)
}

/// Stdout closed by its reader (`| head -1`): the command ends there, quietly and with
/// success, as a reader that wanted no more expects.
#[derive(Debug)]
pub(crate) struct StdoutClosed;

impl std::fmt::Display for StdoutClosed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("stdout was closed by its reader")
    }
}

impl std::error::Error for StdoutClosed {}

/// What a failed write to stdout means: [`StdoutClosed`] when the reader has gone, else an
/// error that says it was stdout (never the command's input) that failed.
pub(crate) fn stdout_error(e: std::io::Error) -> anyhow::Error {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        StdoutClosed.into()
    } else {
        anyhow::anyhow!(
            "writing to stdout failed: {e}; check where stdout goes (a full disk, a closed terminal)"
        )
    }
}

/// `text` on stdout, flushed.
pub(crate) fn emit(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(stdout_error)
}

/// A writer that remembers its first failure, so a report's caller can tell a failed write
/// from a failed read.
pub(crate) struct Watched<W> {
    inner: W,
    pub(crate) failed: Option<std::io::Error>,
}

impl<W> Watched<W> {
    pub(crate) fn new(inner: W) -> Self {
        Watched {
            inner,
            failed: None,
        }
    }

    fn record<T>(&mut self, result: std::io::Result<T>) -> std::io::Result<T> {
        if let Err(e) = &result
            && self.failed.is_none()
        {
            self.failed = Some(std::io::Error::new(e.kind(), e.to_string()));
        }
        result
    }
}

impl<W: std::io::Write> std::io::Write for Watched<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let result = self.inner.write(buf);
        self.record(result)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let result = self.inner.flush();
        self.record(result)
    }
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
        emit(&text)?;
    } else {
        std::fs::write(output, text).with_context(|| format!("writing {}", output.display()))?;
        let listed = |k: &str| document[k].as_array().map_or(0, Vec::len);
        eprintln!(
            "iam-mcp-server: wrote {} ({})",
            output.display(),
            account_counts((
                listed("UserDetailList"),
                listed("GroupDetailList"),
                listed("RoleDetailList"),
                listed("Policies")
            ))
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
            emit(&(serde_json::to_string_pretty(&value)? + "\n"))?;
            Ok(0)
        }
    }
}
