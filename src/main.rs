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
    /// `default` (the default: users, groups, roles, policies, access_keys, simulation).
    #[arg(long, global = true, env = "IAM_MCP_TOOLSETS", value_delimiter = ',', value_name = "LIST")]
    toolsets: Vec<String>,

    /// The most items `all_pages: true` collects in one call; past it the result keeps the
    /// Marker to continue from and says so in its Note.
    #[arg(long, global = true, env = "IAM_MCP_ALL_PAGES_MAX_ITEMS", default_value_t = ALL_PAGES_MAX_ITEMS as u64, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    all_pages_max_items: u64,

    /// How a write gets the human's consent before it runs. `elicit`: the client shows the
    /// server's own description of the change (for force deletes, the fresh plan) and the
    /// user accepts or declines. `token`: the first call returns that description and a
    /// single-use confirmation token (5 minutes); the call repeated with it runs. `none`: no
    /// consent step, for automation only. Default `auto`: elicit when the client supports
    /// it, else token.
    #[arg(long, global = true, env = "IAM_MCP_CONSENT", default_value = "auto", value_parser = ["auto", "elicit", "token", "none"], value_name = "MODE")]
    consent: String,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve MCP on stdio (the default).
    Serve,
    /// List the tools this configuration offers: access class, toolset and IAM actions.
    Tools {
        /// Print JSON instead of a table.
        #[arg(long, conflicts_with = "markdown")]
        json: bool,
        /// Print a Markdown table (the README's tool list).
        #[arg(long)]
        markdown: bool,
    },
    /// Print the minimal IAM policy the server needs for the tools this configuration offers.
    Permissions,
    /// Run the local policy engine on a directory of policy-evaluation cases (one JSON file
    /// each) and print per-category agreement and a final `N passed, N failed` line.
    Conformance {
        /// The directory of case files.
        dir: std::path::PathBuf,
        /// Exit with status 1 when fewer non-disputed cases than this percentage agree.
        #[arg(long, default_value_t = 99.5, value_name = "PERCENT")]
        min_agreement: f64,
    },
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
        Command::Serve => {
            let consent = iam_tools::consent::Mode::parse(&cli.mode.consent).unwrap_or(iam_tools::consent::Mode::Auto);
            serve(catalog, selection, usize::try_from(cli.mode.all_pages_max_items).unwrap_or(usize::MAX), consent)
        }
        Command::Tools { json, markdown } => {
            print_tools(catalog, &selection, json, markdown);
            Ok(())
        }
        Command::Conformance { dir, min_agreement } => {
            let summary = iam_tools::policy::conformance::run_dir(&dir, &mut std::io::stdout().lock())
                .with_context(|| format!("reading conformance cases from {}", dir.display()))?;
            let total = summary.passed + summary.failed;
            let agreement = if total == 0 { 0.0 } else { 100.0 * summary.passed as f64 / total as f64 };
            if total == 0 || agreement < min_agreement {
                anyhow::bail!("conformance: {agreement:.2}% of {total} non-disputed cases agree, below the required {min_agreement}%");
            }
            Ok(())
        }
        Command::Permissions => {
            println!("{}", serde_json::to_string_pretty(&catalog.required_policy(&selection))?);
            Ok(())
        }
    }
}

fn print_tools(catalog: &Catalog, selection: &Selection, json: bool, markdown: bool) {
    let tools: Vec<_> = catalog.selected(selection).collect();
    if markdown {
        println!("| Tool | Toolset | Access | What it does | IAM actions |");
        println!("|---|---|---|---|---|");
        for t in &tools {
            let access = match (t.access.as_str(), t.destructive) {
                ("write", true) => "write, destructive",
                (access, _) => access,
            };
            println!("| `{}` | {} | {} | {} | {} |", t.name, t.toolset, access, t.description.replace('|', "\\|"), t.actions.join(", "));
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

fn serve(catalog: &'static Catalog, selection: Selection, all_pages_max_items: usize, consent: iam_tools::consent::Mode) -> anyhow::Result<()> {
    // One thread: a stdio server serves one client, and cross-thread wake-ups cost more
    // per call than they give; calls still run concurrently as tasks.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let shared = Shared {
            backend: Backend::live(selection.read_only),
            all_pages_max_items,
            consent: iam_tools::consent::Consent::new(consent),
        };
        tracing::info!(read_only = selection.read_only, toolsets = ?selection.toolsets, consent = consent.as_str(), "serving MCP on stdio");
        let server = server::IamServer::new(Registry::new(catalog, selection, shared));
        let running = server
            .serve(rmcp::transport::stdio_pipes())
            .await
            .context("MCP initialization over stdio failed")?;
        running.waiting().await.context("the MCP service stopped abnormally")?;
        Ok(())
    })
}
