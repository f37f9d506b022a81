//! iam-mcp-server: an MCP server that lets AI assistants manage AWS IAM safely.

mod server;
mod tools;

use anyhow::Context;
use clap::{ArgAction, Args, Parser, Subcommand};
use iam_tools::backend::Backend;
use iam_tools::registry::Registry;
use iam_tools::runtime::{Shared, ALL_PAGES_MAX_ITEMS};
use iam_tools::spec::{Catalog, Selection};
use rmcp::ServiceExt;

/// An MCP server that lets AI assistants manage AWS IAM safely.
///
/// With no command it serves MCP on stdio (what an MCP client runs). AWS credentials come
/// from the default chain (AWS_PROFILE, AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY, SSO, an
/// IAM role); the region from AWS_REGION or the profile, us-east-1 when none is set (IAM is
/// global); AWS_ENDPOINT_URL is honoured. Logs go to stderr (RUST_LOG, default "warn").
#[derive(Parser, Debug)]
#[command(name = "iam-mcp-server", version, about, long_about)]
struct Cli {
    #[command(flatten)]
    mode: Mode,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Args, Debug, Clone)]
struct Mode {
    /// Read-only mode (the default): only read tools are offered, and no call can change
    /// IAM. Stated explicitly, it wins over --allow-write set in the environment.
    #[arg(long, global = true, env = "IAM_MCP_READONLY", action = ArgAction::SetTrue, value_parser = clap::builder::FalseyValueParser::new())]
    readonly: bool,

    /// Offer write tools (create, attach, delete, ...), which change the live account.
    #[arg(long, global = true, env = "IAM_MCP_ALLOW_WRITE", action = ArgAction::SetTrue, value_parser = clap::builder::FalseyValueParser::new())]
    allow_write: bool,

    /// Comma-separated toolsets to offer: names from `iam-mcp-server tools`, `all`, or
    /// `default` (the default: users, groups).
    #[arg(long, global = true, env = "IAM_MCP_TOOLSETS", value_delimiter = ',', value_name = "LIST")]
    toolsets: Vec<String>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve MCP on stdio (the default).
    Serve,
    /// List the tools this configuration offers: access class, toolset and IAM actions.
    Tools {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Print the minimal IAM policy the server needs for the tools this configuration offers.
    Permissions,
}

fn selection(catalog: &Catalog, mode: &Mode) -> anyhow::Result<Selection> {
    let toolsets = if mode.toolsets.is_empty() {
        catalog.default_toolsets()
    } else {
        catalog.resolve_toolsets(&mode.toolsets).map_err(anyhow::Error::msg)?
    };
    Ok(Selection { read_only: mode.readonly || !mode.allow_write, toolsets })
}

fn main() -> std::process::ExitCode {
    match run(Cli::parse()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("iam-mcp-server: {error:#}");
            std::process::ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let catalog = &tools::CATALOG;
    let selection = selection(catalog, &cli.mode)?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(catalog, selection),
        Command::Tools { json } => {
            print_tools(catalog, &selection, json);
            Ok(())
        }
        Command::Permissions => {
            println!("{}", serde_json::to_string_pretty(&catalog.required_policy(&selection))?);
            Ok(())
        }
    }
}

fn print_tools(catalog: &Catalog, selection: &Selection, json: bool) {
    let tools: Vec<_> = catalog.selected(selection).collect();
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
        println!("{}", serde_json::to_string_pretty(&list).unwrap_or_default());
        return;
    }
    let width = tools.iter().map(|t| t.name.len()).max().unwrap_or(4);
    println!("{:width$}  {:10}  {:6}  IAM ACTIONS", "TOOL", "TOOLSET", "ACCESS");
    for t in &tools {
        println!("{:width$}  {:10}  {:6}  {}", t.name, t.toolset, t.access.as_str(), t.actions.join(" "));
    }
    let mode = if selection.read_only { "read-only (--allow-write offers write tools)" } else { "read-write" };
    println!("\n{} tools; toolsets: {}; {mode}", tools.len(), selection.toolsets.join(", "));
}

fn serve(catalog: &'static Catalog, selection: Selection) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let shared = Shared { backend: Backend::live(selection.read_only), all_pages_max_items: ALL_PAGES_MAX_ITEMS };
        tracing::info!(read_only = selection.read_only, toolsets = ?selection.toolsets, "serving MCP on stdio");
        let server = server::IamServer::new(Registry::new(catalog, selection, shared));
        let running = server
            .serve(rmcp::transport::stdio())
            .await
            .context("MCP initialization over stdio failed")?;
        running.waiting().await.context("the MCP service stopped abnormally")?;
        Ok(())
    })
}
