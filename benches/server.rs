//! `cargo bench --bench server`: the release server binary measured end to end, against
//! moto's IAM server on 127.0.0.1, next to the same work done directly with the SDK.
//!
//! 1. cold start: spawn the binary, write `initialize`, time until its response line;
//! 2. list_users through the server vs ListUsers straight from the SDK, interleaved in
//!    blocks so drift in moto hits every path alike; the server is driven by rmcp's client
//!    and, to tell the server's share from the client's, by a minimal JSON-RPC client (one
//!    line written, one line read and parsed into a `serde_json::Value`);
//!    with the CPU time each process spent per call (from /proc/<pid>/task/*/schedstat,
//!    exact nanoseconds): the server's, the bench's while it ran the SDK call, and the
//!    bench's while it ran rmcp's client;
//! 3. the server's peak RSS (VmHWM) after the list_users run;
//! 4. force delete of a user with 100 attached items (50 inline policies, 40 groups, 10
//!    managed policies) through the server vs the same list and delete calls made directly.
//!
//! Nothing leaves 127.0.0.1; every wait is bounded; moto and the server are stopped at the end.

#[path = "../tests/it/common/mod.rs"]
mod common;

use common::{CLEARED_ENV, MOTO_VERSION, Moto, TempDir, server_bin, server_env};
use rmcp::model::CallToolRequestParams;
use rmcp::service::RunningService;
use rmcp::transport::TokioChildProcess;
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const COLD_RUNS: usize = 30;
/// Users seeded before the list_users runs (BENCH_USERS overrides, to see how the
/// overhead scales with the response's size).
fn seed_users() -> usize {
    std::env::var("BENCH_USERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20)
}
const WARMUP_CALLS: usize = 10;
/// No-AWS calls made after an idle pause as long as a ListUsers.
const IDLE_CALLS: usize = 100;
const BLOCK: usize = 10;
const BLOCKS: usize = 25; // BLOCK * BLOCKS = 250 calls on each path
/// Bound of one call, one initialize, one process exit.
const STEP_TIMEOUT: Duration = Duration::from_secs(20);

const TARGET_COLD_MS: f64 = 20.0;
const TARGET_RATIO: f64 = 1.05;
const TARGET_RSS_MB: f64 = 15.0;
const TARGET_FORCE_RATIO: f64 = 1.2;
/// Force deletes measured on each path.
const FORCE_RUNS: usize = 5;

const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"iam-mcp-bench","version":"0.0.0"}}}"#;

fn moto_path() -> PathBuf {
    std::env::var("MOTO_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|_| common::workspace().join(".venv-moto/bin/moto_server"))
}

/// The server's environment: credentials for moto, no profile files, no IMDS, RUST_LOG=warn.
fn bench_env(endpoint: &str) -> Vec<(String, String)> {
    let mut env = server_env(Some(endpoint));
    for (k, v) in env.iter_mut() {
        if k == "RUST_LOG" {
            *v = "warn".into();
        }
    }
    env
}

fn command(env: &[(String, String)]) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(server_bin());
    for k in CLEARED_ENV {
        command.env_remove(k);
    }
    command.envs(env.iter().cloned());
    command.kill_on_drop(true);
    command
}

/// Median and p95 (nearest rank), in ms.
#[derive(Clone, Copy)]
struct Stats {
    median: f64,
    p95: f64,
    min: f64,
    n: usize,
}

fn stats(samples: &[Duration]) -> Stats {
    let mut ms: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
    ms.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = ms.len();
    let median = if n % 2 == 1 {
        ms[n / 2]
    } else {
        (ms[n / 2 - 1] + ms[n / 2]) / 2.0
    };
    let rank = ((0.95 * n as f64).ceil() as usize).clamp(1, n);
    Stats {
        median,
        p95: ms[rank - 1],
        min: ms[0],
        n,
    }
}

/// One cold start: spawn, write initialize, read and check the response line.
async fn cold_start(env: &[(String, String)]) -> Duration {
    let started = Instant::now();
    let mut client = LineClient::spawn(env);
    client.initialize().await;
    let elapsed = started.elapsed();
    client.stop().await;
    elapsed
}

struct BenchServer {
    client: RunningService<RoleClient, ()>,
    pid: u32,
    stderr_path: PathBuf,
    _dir: TempDir,
}

async fn start_server(env: &[(String, String)], args: &[&str]) -> BenchServer {
    let dir = TempDir::new("bench");
    let stderr_path = dir.path().join("stderr.log");
    let stderr = std::fs::File::create(&stderr_path).unwrap();
    let mut cmd = command(env);
    cmd.args(args);
    let (transport, _) = TokioChildProcess::builder(cmd)
        .stderr(stderr)
        .spawn()
        .expect("spawning the server");
    let pid = transport.id().expect("the server's pid");
    let client = tokio::time::timeout(STEP_TIMEOUT, ().serve(transport))
        .await
        .expect("the server did not answer initialize")
        .expect("MCP initialize with the server");
    BenchServer {
        client,
        pid,
        stderr_path,
        _dir: dir,
    }
}

async fn server_call(server: &BenchServer, args: Value) -> (Duration, rmcp::model::CallToolResult) {
    let args = args.as_object().cloned().unwrap_or_default();
    let params = CallToolRequestParams::new("list_users").with_arguments(args);
    let started = Instant::now();
    let result = tokio::time::timeout(STEP_TIMEOUT, server.client.call_tool(params))
        .await
        .expect("list_users: no answer within the timeout")
        .expect("list_users: protocol error");
    (started.elapsed(), result)
}

/// The least an MCP client does: write a request line, read the answer line, parse it.
struct LineClient {
    child: tokio::process::Child,
    stdin: tokio::process::ChildStdin,
    stdout: BufReader<tokio::process::ChildStdout>,
    next_id: u64,
    line: String,
}

impl LineClient {
    /// The server, spawned with piped stdio and not yet initialized.
    fn spawn(env: &[(String, String)]) -> LineClient {
        let mut cmd = command(env);
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = cmd.spawn().expect("spawning the server");
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        LineClient {
            child,
            stdin,
            stdout,
            next_id: 1,
            line: String::new(),
        }
    }

    /// Sends `initialize` (id 1) and checks the answer.
    async fn initialize(&mut self) {
        let init = self.send(INITIALIZE).await;
        assert_eq!(init["id"], 1, "not the initialize response: {init}");
        assert!(
            init["result"]["serverInfo"].is_object(),
            "initialize failed: {init}"
        );
    }

    /// A server ready for calls: initialized, with the client's `initialized` notification sent.
    async fn start(env: &[(String, String)]) -> LineClient {
        let mut client = LineClient::spawn(env);
        client.initialize().await;
        client
            .stdin
            .write_all(b"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n")
            .await
            .unwrap();
        client
    }

    async fn send(&mut self, request: &str) -> Value {
        self.line.clear();
        tokio::time::timeout(STEP_TIMEOUT, async {
            self.stdin.write_all(request.as_bytes()).await?;
            self.stdin.write_all(b"\n").await?;
            self.stdin.flush().await?;
            self.stdout.read_line(&mut self.line).await
        })
        .await
        .expect("no answer within the timeout")
        .expect("talking to the server");
        serde_json::from_str(self.line.trim())
            .unwrap_or_else(|e| panic!("bad answer {:?}: {e}", self.line))
    }

    /// One list_users call: its time and the number of users in the answer.
    async fn list_users(&mut self) -> (Duration, usize) {
        self.next_id += 1;
        let request = format!(
            r#"{{"jsonrpc":"2.0","id":{},"method":"tools/call","params":{{"name":"list_users","arguments":{{}}}}}}"#,
            self.next_id
        );
        let started = Instant::now();
        let answer = self.send(&request).await;
        let elapsed = started.elapsed();
        assert_eq!(
            answer["id"], self.next_id,
            "not the answer to the call: {answer}"
        );
        let users = answer["result"]["structuredContent"]["Users"]
            .as_array()
            .map_or(0, Vec::len);
        (elapsed, users)
    }

    /// End of stdin ends the server; it is killed if it lingers.
    async fn stop(mut self) {
        drop(self.stdin);
        if tokio::time::timeout(STEP_TIMEOUT, self.child.wait())
            .await
            .is_err()
        {
            let _ = self.child.kill().await;
        }
    }
}

/// `n` list_users calls the server refuses before any AWS call (an invalid argument), each
/// after `pause` when given: the MCP path alone.
async fn refused_calls(server: &BenchServer, n: usize, pause: Option<Duration>) -> Stats {
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        if let Some(pause) = pause {
            tokio::time::sleep(pause).await;
        }
        let (elapsed, result) = server_call(server, json!({"path_prefix": ""})).await;
        assert_eq!(
            result.is_error,
            Some(true),
            "an empty path_prefix should be refused"
        );
        times.push(elapsed);
    }
    stats(&times)
}

async fn sdk_call(sdk: &aws_sdk_iam::Client) -> (Duration, usize) {
    let started = Instant::now();
    let out = tokio::time::timeout(STEP_TIMEOUT, sdk.list_users().send())
        .await
        .expect("ListUsers: no answer within the timeout")
        .expect("ListUsers failed");
    (started.elapsed(), out.users().len())
}

/// Memory of `pid` in MB, from /proc/<pid>/status.
struct Memory {
    /// Peak resident set (VmHWM).
    hwm: f64,
    rss: f64,
    /// Of `rss`: heap and stacks, and pages of mapped files (mostly the binary's own code).
    anon: f64,
    file: f64,
}

fn memory(pid: u32) -> Memory {
    let status =
        std::fs::read_to_string(format!("/proc/{pid}/status")).expect("reading /proc/<pid>/status");
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map(|kb| kb / 1024.0)
            .unwrap_or(f64::NAN)
    };
    Memory {
        hwm: field("VmHWM:"),
        rss: field("VmRSS:"),
        anon: field("RssAnon:"),
        file: field("RssFile:"),
    }
}

/// CPU time process `pid` has run, all threads, in ms (the first field of each thread's
/// schedstat: nanoseconds on a CPU, counted by the scheduler, not sampled by ticks).
fn cpu_ms(pid: u32) -> f64 {
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).expect("reading /proc/<pid>/task");
    let ns: u64 = tasks
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok())
        .filter_map(|stat| stat.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    ns as f64 / 1e6
}

/// CPU time per call of one process over the blocks it was measured in.
#[derive(Default)]
struct CpuPerCall {
    ms: f64,
    calls: usize,
}

impl CpuPerCall {
    fn per_call(&self) -> f64 {
        self.ms / self.calls.max(1) as f64
    }
}

/// Runs `block` (`calls` calls) and charges to each counter the CPU time its process spent
/// meanwhile.
async fn charged<F: std::future::Future<Output = ()>>(
    counters: &mut [(&mut CpuPerCall, u32)],
    calls: usize,
    block: F,
) {
    let before: Vec<f64> = counters.iter().map(|(_, pid)| cpu_ms(*pid)).collect();
    block.await;
    for ((counter, pid), before) in counters.iter_mut().zip(before) {
        counter.ms += cpu_ms(*pid) - before;
        counter.calls += calls;
    }
}

fn verdict(ok: bool) -> &'static str {
    if ok { "ok" } else { "MISSED" }
}

fn main() -> std::process::ExitCode {
    let moto = moto_path();
    if !moto.exists() {
        eprintln!(
            "moto_server not found at {}.\nThis bench needs moto's IAM server. Run `scripts/test` (it installs \
             moto[server]=={MOTO_VERSION} into .venv-moto), or install it yourself:\n  \
             python3 -m venv .venv-moto && .venv-moto/bin/pip install 'moto[server]=={MOTO_VERSION}'\n\
             or point MOTO_SERVER at a moto_server executable.",
            moto.display()
        );
        return std::process::ExitCode::from(2);
    }
    // One thread, as the server runs: the client's own cross-thread wake-ups are not the server's
    // overhead, and both paths are driven from the same runtime.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let all_met = runtime.block_on(run());
    // Kill-on-drop children are reaped by the runtime; give it a moment before it goes.
    runtime.shutdown_timeout(Duration::from_secs(5));
    // A measurement, not a test: a missed target is reported, not an error.
    println!(
        "\n{}",
        if all_met {
            "all targets met"
        } else {
            "some targets MISSED (see the table)"
        }
    );
    std::process::ExitCode::SUCCESS
}

/// Runs the three measurements and prints the table; true when every target is met.
async fn run() -> bool {
    println!("server binary: {}", server_bin());
    let moto = Moto::start();
    let env = bench_env(&moto.endpoint());
    println!("moto on {}", moto.endpoint());

    // 1. Cold start to the initialize response. One unrecorded run first: page cache.
    cold_start(&env).await;
    let mut cold = Vec::with_capacity(COLD_RUNS);
    for _ in 0..COLD_RUNS {
        cold.push(cold_start(&env).await);
    }
    let cold = stats(&cold);
    println!(
        "cold start: {} runs, median {:.2} ms, p95 {:.2} ms, min {:.2} ms",
        cold.n, cold.median, cold.p95, cold.min
    );

    // 2. list_users through the server vs ListUsers from the SDK, same moto.
    let sdk = moto.sdk();
    for i in 0..seed_users() {
        let name = format!("bench-user-{i:02}");
        tokio::time::timeout(
            STEP_TIMEOUT,
            sdk.create_user().user_name(&name).path("/bench/").send(),
        )
        .await
        .expect("CreateUser: no answer within the timeout")
        .unwrap_or_else(|e| panic!("seeding {name}: {e:?}"));
    }
    // The per-call summary (info, target iam_tools::audit) gives the handler's own time.
    let mut timed_env = env.clone();
    for (k, v) in timed_env.iter_mut() {
        if k == "RUST_LOG" {
            *v = "warn,iam_tools::audit=info".into();
        }
    }
    let server = start_server(&timed_env, &[]).await;
    let mut line_client = LineClient::start(&env).await;
    println!("server pid {}; seeded {} users", server.pid, seed_users());

    for _ in 0..WARMUP_CALLS {
        let (_, result) = server_call(&server, json!({})).await;
        assert_ne!(
            result.is_error,
            Some(true),
            "list_users failed: {:?}",
            result.content
        );
        let users = result
            .structured_content
            .as_ref()
            .and_then(|v| v["Users"].as_array())
            .map(Vec::len);
        assert_eq!(
            users,
            Some(seed_users()),
            "list_users returned {:?}",
            result.structured_content
        );
        let (_, n) = sdk_call(&sdk).await;
        assert_eq!(n, seed_users());
        let (_, n) = line_client.list_users().await;
        assert_eq!(n, seed_users(), "list_users through the line client");
    }
    let mut via_server = Vec::with_capacity(BLOCK * BLOCKS);
    let mut via_line = Vec::with_capacity(BLOCK * BLOCKS);
    let mut via_sdk = Vec::with_capacity(BLOCK * BLOCKS);
    let me = std::process::id();
    let line_pid = line_client
        .child
        .id()
        .expect("the line client's server is running");
    let [
        mut cpu_server,
        mut cpu_rmcp_client,
        mut cpu_line_server,
        mut cpu_line_client,
        mut cpu_sdk,
    ]: [CpuPerCall; 5] = Default::default();
    for _ in 0..BLOCKS {
        charged(
            &mut [(&mut cpu_server, server.pid), (&mut cpu_rmcp_client, me)],
            BLOCK,
            async {
                for _ in 0..BLOCK {
                    via_server.push(server_call(&server, json!({})).await.0);
                }
            },
        )
        .await;
        charged(
            &mut [(&mut cpu_line_server, line_pid), (&mut cpu_line_client, me)],
            BLOCK,
            async {
                for _ in 0..BLOCK {
                    let (elapsed, n) = line_client.list_users().await;
                    assert_eq!(n, seed_users(), "list_users through the line client");
                    via_line.push(elapsed);
                }
            },
        )
        .await;
        charged(&mut [(&mut cpu_sdk, me)], BLOCK, async {
            for _ in 0..BLOCK {
                via_sdk.push(sdk_call(&sdk).await.0);
            }
        })
        .await;
    }
    line_client.stop().await;
    let srv = stats(&via_server);
    let line = stats(&via_line);
    let direct = stats(&via_sdk);

    // The MCP path alone: a call the server refuses before any AWS call (invalid argument).
    let no_aws = refused_calls(&server, BLOCK * BLOCKS, None).await;
    // The same call after as long idle as a ListUsers takes: both processes have slept, as
    // they do while moto works, and each is woken with cold caches. The difference from the
    // back-to-back figure is what a second process's wake-up costs on this machine.
    let idle = Duration::from_secs_f64(direct.median / 1000.0);
    let no_aws_idle = refused_calls(&server, IDLE_CALLS, Some(idle)).await;

    // 3. Peak RSS of the server after the run.
    let mem = memory(server.pid);

    // 4. Force delete of a user with 100 items, through the server and directly, alternating.
    let front = common::front::Front::start(&moto.endpoint()).await;
    let force_env = bench_env(&front.endpoint());
    let force_server = start_server(&force_env, &["--allow-write", "--consent", "none"]).await;
    let front_sdk = front.sdk();
    let mut force_server_times = Vec::new();
    let mut force_direct_times = Vec::new();
    for run in 0..FORCE_RUNS {
        let name = format!("leaver-s{run}");
        seed_loaded_user(&front_sdk, &name).await;
        let started = Instant::now();
        let result = tokio::time::timeout(
            STEP_TIMEOUT * 6,
            force_server.client.call_tool(
                CallToolRequestParams::new("delete_user").with_arguments(
                    json!({"user_name": name, "force": true})
                        .as_object()
                        .cloned()
                        .unwrap(),
                ),
            ),
        )
        .await
        .expect("force delete: no answer within the timeout")
        .expect("force delete: protocol error");
        force_server_times.push(started.elapsed());
        assert_ne!(
            result.is_error,
            Some(true),
            "force delete failed: {:?}",
            result.content
        );
        let steps = result
            .structured_content
            .as_ref()
            .and_then(|v| v["Steps"].as_array())
            .map(Vec::len);
        assert_eq!(
            steps,
            Some(101),
            "the server's force delete ran {steps:?} steps"
        );

        let name = format!("leaver-d{run}");
        seed_loaded_user(&front_sdk, &name).await;
        let started = Instant::now();
        let calls = direct_force_delete(&front_sdk, &name).await;
        force_direct_times.push(started.elapsed());
        assert_eq!(calls, 110, "the direct path made {calls} calls");
    }
    let force_srv = stats(&force_server_times);
    let force_direct = stats(&force_direct_times);
    let _ = tokio::time::timeout(STEP_TIMEOUT, force_server.client.cancel()).await;

    let _ = tokio::time::timeout(STEP_TIMEOUT, server.client.cancel()).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let stderr = std::fs::read_to_string(&server.stderr_path).unwrap_or_default();
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains(" WARN ") || l.contains(" ERROR "))
        .collect();
    if !warnings.is_empty() {
        println!("server warnings:\n{}", warnings.join("\n"));
    }
    // The handler's time of each measured list_users (the last BLOCK * BLOCKS successful calls).
    let handler_ms: Vec<Duration> = stderr
        .lines()
        .filter(|l| l.contains("tool call ok") && l.contains("tool=\"list_users\""))
        .filter_map(|l| {
            l.split("elapsed_ms=")
                .nth(1)?
                .split_whitespace()
                .next()?
                .parse::<f64>()
                .ok()
        })
        .map(|ms| Duration::from_secs_f64(ms / 1000.0))
        .collect();
    let handler = (!handler_ms.is_empty())
        .then(|| stats(&handler_ms[handler_ms.len().saturating_sub(BLOCK * BLOCKS)..]));
    drop(moto);

    let ratio = srv.median / direct.median;
    let line_ratio = line.median / direct.median;
    let force_ratio = force_srv.median / force_direct.median;
    let force_ok = force_ratio <= TARGET_FORCE_RATIO;
    let ratio_p95 = srv.p95 / direct.p95;
    let cold_ok = cold.median <= TARGET_COLD_MS;
    let ratio_ok = ratio <= TARGET_RATIO;
    let rss_ok = mem.hwm <= TARGET_RSS_MB;

    println!();
    println!(
        "{:<38} {:<12} {:<12} {:<7} {:<10} ",
        "metric", "server", "direct SDK", "ratio", "target"
    );
    let row = |metric: &str, server: String, sdk: String, ratio: String, target: &str, ok: &str| {
        println!("{metric:<38} {server:<12} {sdk:<12} {ratio:<7} {target:<10} {ok}");
    };
    let ms = |v: f64| format!("{v:.2} ms");
    row(
        "cold start to initialize (med)",
        ms(cold.median),
        "-".into(),
        "-".into(),
        "<= 20 ms",
        verdict(cold_ok),
    );
    row(
        "cold start to initialize (p95)",
        ms(cold.p95),
        "-".into(),
        "-".into(),
        "",
        "",
    );
    row(
        &format!("list_users median (n={})", srv.n),
        ms(srv.median),
        ms(direct.median),
        format!("{ratio:.2}"),
        "<= 1.05",
        verdict(ratio_ok),
    );
    row(
        "list_users p95",
        ms(srv.p95),
        ms(direct.p95),
        format!("{ratio_p95:.2}"),
        "",
        "",
    );
    row(
        "list_users min",
        ms(srv.min),
        ms(direct.min),
        format!("{:.2}", srv.min / direct.min),
        "",
        "",
    );
    row(
        &format!("list_users, minimal client (med, n={})", line.n),
        ms(line.median),
        ms(direct.median),
        format!("{line_ratio:.2}"),
        "",
        "",
    );
    row(
        "list_users, minimal client (p95)",
        ms(line.p95),
        ms(direct.p95),
        format!("{:.2}", line.p95 / direct.p95),
        "",
        "",
    );
    row(
        "list_users overhead (med, server-SDK)",
        ms(srv.median - direct.median),
        "-".into(),
        "-".into(),
        "",
        "",
    );
    if let Some(handler) = handler {
        row(
            "  in the server's handler (med)",
            ms(handler.median),
            ms(direct.median),
            format!("{:.2}", handler.median / direct.median),
            "",
            "",
        );
        row(
            "  outside the handler (med)",
            ms(srv.median - handler.median),
            "-".into(),
            "-".into(),
            "",
            "",
        );
    }
    row(
        "CPU per call: server (rmcp client)",
        ms(cpu_server.per_call()),
        ms(cpu_sdk.per_call()),
        format!("{:.2}", cpu_server.per_call() / cpu_sdk.per_call()),
        "",
        "",
    );
    row(
        "CPU per call: server (minimal client)",
        ms(cpu_line_server.per_call()),
        ms(cpu_sdk.per_call()),
        format!("{:.2}", cpu_line_server.per_call() / cpu_sdk.per_call()),
        "",
        "",
    );
    row(
        "CPU per call: rmcp client",
        ms(cpu_rmcp_client.per_call()),
        "-".into(),
        "-".into(),
        "",
        "",
    );
    row(
        "CPU per call: minimal client",
        ms(cpu_line_client.per_call()),
        "-".into(),
        "-".into(),
        "",
        "",
    );
    row(
        "MCP call, no AWS (invalid arg, med)",
        ms(no_aws.median),
        "-".into(),
        "-".into(),
        "",
        "",
    );
    row(
        "MCP call, no AWS (invalid arg, p95)",
        ms(no_aws.p95),
        "-".into(),
        "-".into(),
        "",
        "",
    );
    row(
        &format!("  the same after {:.1} ms idle (med)", direct.median),
        ms(no_aws_idle.median),
        "-".into(),
        "-".into(),
        "",
        "",
    );
    row(
        "  the same after idle (p95)",
        ms(no_aws_idle.p95),
        "-".into(),
        "-".into(),
        "",
        "",
    );
    row(
        &format!("force delete, 100 items (med, n={})", force_srv.n),
        ms(force_srv.median),
        ms(force_direct.median),
        format!("{force_ratio:.2}"),
        "<= 1.2",
        verdict(force_ok),
    );
    row(
        "force delete, 100 items (min)",
        ms(force_srv.min),
        ms(force_direct.min),
        format!("{:.2}", force_srv.min / force_direct.min),
        "",
        "",
    );
    row(
        "peak RSS (VmHWM)",
        format!("{:.1} MB", mem.hwm),
        "".into(),
        "".into(),
        "<= 15 MB",
        verdict(rss_ok),
    );
    row(
        "RSS at end (VmRSS)",
        format!("{:.1} MB", mem.rss),
        "".into(),
        "".into(),
        "",
        "",
    );
    row(
        "  of which anon (heap, stacks)",
        format!("{:.1} MB", mem.anon),
        "".into(),
        "".into(),
        "",
        "",
    );
    row(
        "  of which file (binary's pages)",
        format!("{:.1} MB", mem.file),
        "".into(),
        "".into(),
        "",
        "",
    );
    cold_ok && ratio_ok && rss_ok && force_ok
}

/// A user with 100 items: 50 inline policies, 40 groups, 10 attached managed policies.
async fn seed_loaded_user(sdk: &aws_sdk_iam::Client, name: &str) {
    sdk.create_user()
        .user_name(name)
        .send()
        .await
        .expect("seeding user");
    let document = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;
    for i in 0..50 {
        sdk.put_user_policy()
            .user_name(name)
            .policy_name(format!("inline-{i:02}"))
            .policy_document(document)
            .send()
            .await
            .expect("seeding inline policy");
    }
    for i in 0..40 {
        let group = format!("{name}-g{i:02}");
        sdk.create_group()
            .group_name(&group)
            .send()
            .await
            .expect("seeding group");
        sdk.add_user_to_group()
            .group_name(&group)
            .user_name(name)
            .send()
            .await
            .expect("seeding membership");
    }
    for i in 0..10 {
        let policy = sdk
            .create_policy()
            .policy_name(format!("{name}-m{i:02}"))
            .policy_document(document)
            .send()
            .await
            .expect("seeding policy");
        let arn = policy
            .policy()
            .and_then(|p| p.arn())
            .unwrap_or_default()
            .to_string();
        sdk.attach_user_policy()
            .user_name(name)
            .policy_arn(arn)
            .send()
            .await
            .expect("seeding attachment");
    }
}

/// What a careful script does without the server: list every kind DeleteUser requires gone,
/// remove each item, delete the user. Returns the number of calls.
async fn direct_force_delete(sdk: &aws_sdk_iam::Client, name: &str) -> usize {
    let mut calls = 0;
    match sdk.get_login_profile().user_name(name).send().await {
        Ok(_) => {
            sdk.delete_login_profile()
                .user_name(name)
                .send()
                .await
                .expect("direct force delete: login profile");
            calls += 1;
        }
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_no_such_entity_exception()) => {}
        Err(e) => panic!("GetLoginProfile: {e:?}"),
    }
    calls += 1;
    for key in sdk
        .list_access_keys()
        .user_name(name)
        .send()
        .await
        .expect("direct force delete: keys")
        .access_key_metadata()
    {
        sdk.delete_access_key()
            .user_name(name)
            .access_key_id(key.access_key_id().unwrap_or_default())
            .send()
            .await
            .expect("direct force delete: key");
        calls += 1;
    }
    for cert in sdk
        .list_signing_certificates()
        .user_name(name)
        .send()
        .await
        .expect("direct force delete: certs")
        .certificates()
    {
        sdk.delete_signing_certificate()
            .user_name(name)
            .certificate_id(cert.certificate_id())
            .send()
            .await
            .expect("direct force delete: cert");
        calls += 1;
    }
    for key in sdk
        .list_ssh_public_keys()
        .user_name(name)
        .send()
        .await
        .expect("direct force delete: ssh keys")
        .ssh_public_keys()
    {
        sdk.delete_ssh_public_key()
            .user_name(name)
            .ssh_public_key_id(key.ssh_public_key_id())
            .send()
            .await
            .expect("direct force delete: ssh key");
        calls += 1;
    }
    for cred in sdk
        .list_service_specific_credentials()
        .user_name(name)
        .send()
        .await
        .expect("direct force delete: service credentials")
        .service_specific_credentials()
    {
        sdk.delete_service_specific_credential()
            .user_name(name)
            .service_specific_credential_id(cred.service_specific_credential_id())
            .send()
            .await
            .expect("direct force delete: service credential");
        calls += 1;
    }
    for device in sdk
        .list_mfa_devices()
        .user_name(name)
        .send()
        .await
        .expect("direct force delete: mfa")
        .mfa_devices()
    {
        sdk.deactivate_mfa_device()
            .user_name(name)
            .serial_number(device.serial_number())
            .send()
            .await
            .expect("direct force delete: mfa device");
        calls += 1;
    }
    for policy in sdk
        .list_user_policies()
        .user_name(name)
        .send()
        .await
        .expect("direct force delete: inline")
        .policy_names()
    {
        sdk.delete_user_policy()
            .user_name(name)
            .policy_name(policy)
            .send()
            .await
            .expect("direct force delete: inline policy");
        calls += 1;
    }
    for policy in sdk
        .list_attached_user_policies()
        .user_name(name)
        .send()
        .await
        .expect("direct force delete: attached")
        .attached_policies()
    {
        sdk.detach_user_policy()
            .user_name(name)
            .policy_arn(policy.policy_arn().unwrap_or_default())
            .send()
            .await
            .expect("direct force delete: attached policy");
        calls += 1;
    }
    for group in sdk
        .list_groups_for_user()
        .user_name(name)
        .send()
        .await
        .expect("direct force delete: groups")
        .groups()
    {
        sdk.remove_user_from_group()
            .user_name(name)
            .group_name(group.group_name())
            .send()
            .await
            .expect("direct force delete: membership");
        calls += 1;
    }
    sdk.delete_user()
        .user_name(name)
        .send()
        .await
        .expect("direct force delete: user");
    // The 9 list calls above (the login profile's read counted with it), plus DeleteUser.
    calls + 9
}
