#!/usr/bin/env bash
# The README's commands, as a user types them, against what scripts/package just built:
#
#   packaging/tests/readme.sh DIST NPM_PREFIX PYTHON
#
# DIST holds the wheel, NPM_PREFIX has the npm tarballs installed, PYTHON has the MCP client.
# uv, pipx and npx see only those local artefacts (no package index), AWS is moto on
# 127.0.0.1, Claude Code writes its config into a scratch HOME, and the client configs the
# README shows are started as a client starts them. Each README command appears below
# verbatim (tests/it/readme.rs checks that), inside `$( )` where its output is checked.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
DIST=$(cd "$1" && pwd)
NPM_PREFIX=$(cd "$2" && pwd)
PY=$3

PIPX_VERSION=1.18.4
AWSCLI_VERSION=1.46.3
CLAUDE_CODE_VERSION=2.1.332   # @anthropic-ai/claude-code
DEMO_USER=ben.okafor

WORK=$ROOT/.pkg/readme
step() { echo "==> readme: $*"; }
fail() { echo "packaging/tests/readme.sh: $*" >&2; exit 1; }
expect() { # TEXT NEEDLE WHAT
  grep -qF -- "$2" <<<"$1" || fail "$3: expected $2 in: $1"
}
rm -rf "$WORK/run" && mkdir -p "$WORK/run"

# Tools the commands need: pipx, the AWS CLI, Claude Code (pinned, installed once).
PINS="pipx==$PIPX_VERSION awscli==$AWSCLI_VERSION @anthropic-ai/claude-code@$CLAUDE_CODE_VERSION"
if [ "$(cat "$WORK/tools/pins" 2>/dev/null)" != "$PINS" ]; then
  step "installing $PINS into $WORK/tools"
  rm -rf "$WORK/tools"
  python3 -m venv "$WORK/tools/venv"
  "$WORK/tools/venv/bin/pip" install --quiet --disable-pip-version-check \
    "pipx==$PIPX_VERSION" "awscli==$AWSCLI_VERSION"
  npm install --prefix "$WORK/tools/node" --no-audit --no-fund --loglevel=error \
    "@anthropic-ai/claude-code@$CLAUDE_CODE_VERSION"
  echo "$PINS" > "$WORK/tools/pins"
fi
export PATH="$WORK/tools/venv/bin:$WORK/tools/node/node_modules/.bin:$PATH"
command -v uvx >/dev/null || fail "uvx is not on PATH (scripts/package puts its venv first)"

# Package managers read the local artefacts only; scratch homes for each.
export UV_FIND_LINKS=$DIST UV_NO_INDEX=1 UV_OFFLINE=1 UV_NO_CONFIG=1 UV_PYTHON_DOWNLOADS=never
export UV_CACHE_DIR=$WORK/run/uv-cache UV_TOOL_DIR=$WORK/run/uv-tools
export PIP_FIND_LINKS=$DIST PIP_NO_INDEX=1 PIP_DISABLE_PIP_VERSION_CHECK=1
export PIPX_HOME=$WORK/run/pipx PIPX_BIN_DIR=$WORK/run/pipx-bin PIPX_MAN_DIR=$WORK/run/pipx-man
export npm_config_offline=true npm_config_registry=http://127.0.0.1:9/
export npm_config_cache=$WORK/run/npm-cache npm_config_update_notifier=false
VERSION_LINE="iam-mcp-server $(sed -n '/^\[workspace\.package\]/,/^\[/s/^version = "\(.*\)"$/\1/p' Cargo.toml)"

step "Install"
out=$(uvx --from iam-mcp-server-rs iam-mcp-server --version)
expect "$out" "$VERSION_LINE" "uvx"
out=$(pipx run --spec iam-mcp-server-rs iam-mcp-server --version)
expect "$out" "$VERSION_LINE" "pipx run"
out=$(cd "$NPM_PREFIX" && npx -y iam-mcp-server --version)
expect "$out" "$VERSION_LINE" "npx"
echo "uvx, pipx run, npx: $VERSION_LINE"

step "From source (cargo install, the release profile without LTO: the same command, faster)"
(
  export CARGO_INSTALL_ROOT=$WORK/run/cargo CARGO_TARGET_DIR=$WORK/cargo-target
  export CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
  export CARGO_PROFILE_RELEASE_OPT_LEVEL=0 CARGO_INCREMENTAL=0 CARGO_NET_OFFLINE=true
  cargo install --locked --path .
)
out=$("$WORK/run/cargo/bin/iam-mcp-server" --version)
expect "$out" "$VERSION_LINE" "cargo install"

step "Try it without AWS"
out=$(uvx --from iam-mcp-server-rs iam-mcp-server --demo tools)
expect "$out" "get_user" "--demo tools"
expect "$out" "find_escalation_paths" "--demo tools"
out=$(uvx --from iam-mcp-server-rs iam-mcp-server --demo call get_user '{"user_name":"ben.okafor"}')
expect "$out" '"UserName": "ben.okafor"' "--demo call get_user"
echo "--demo tools and call get_user answer"

step "Grant it a policy (AWS is moto on 127.0.0.1)"
MOTO=$ROOT/.venv-moto/bin/moto_server
[ -x "$MOTO" ] || fail "no moto server at $MOTO: run scripts/test once (it installs it)"
PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$MOTO" -H 127.0.0.1 -p "$PORT" >"$WORK/run/moto.log" 2>&1 &
MOTO_PID=$!
trap 'kill $MOTO_PID 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  "$PY" -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 0.2)" 2>/dev/null && break
  sleep 0.1
done
(
  cd "$WORK/run"
  export AWS_ENDPOINT_URL=http://127.0.0.1:$PORT AWS_ACCESS_KEY_ID=testing
  export AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1
  export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
  uvx --from iam-mcp-server-rs iam-mcp-server permissions > iam-mcp-policy.json
  expect "$(cat iam-mcp-policy.json)" '"iam:GetAccountAuthorizationDetails"' "permissions"
  out=$(aws iam create-policy --policy-name iam-mcp-server --policy-document file://iam-mcp-policy.json)
  expect "$out" '"Arn": "arn:aws:iam::123456789012:policy/iam-mcp-server"' "aws iam create-policy"
  # The server, live against that endpoint, sees the policy it asked for.
  out=$(uvx --from iam-mcp-server-rs iam-mcp-server call list_policies '{"scope":"Local"}')
  expect "$out" '"PolicyName": "iam-mcp-server"' "list_policies after create-policy"
  echo "permissions > iam-mcp-policy.json, aws iam create-policy: accepted, listed by the server"
)

step "Configure your client"
export HOME=$WORK/run/home DISABLE_AUTOUPDATER=1 CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1
mkdir -p "$HOME"
claude mcp add iam -s user -e AWS_PROFILE=your-profile -- uvx --from iam-mcp-server-rs iam-mcp-server
# Each config as its client reads it, started as the client starts it (plus --demo).
"$PY" - "$HOME/.claude.json" README.md "$DEMO_USER" <<'EOF'
import json, os, re, subprocess, sys

claude_json, readme, user = sys.argv[1:]
configs = {"Claude Code (~/.claude.json)": json.load(open(claude_json))["mcpServers"]["iam"]}
blocks = re.findall(r"```json\n(.*?)```", open(readme).read(), re.S)
for n, block in enumerate(blocks):
    doc = json.loads(block)
    servers = doc.get("mcpServers") or doc.get("servers")
    configs[f"README json block {n + 1}"] = servers["iam"]
claude = configs["Claude Code (~/.claude.json)"]
if claude.get("env") != {"AWS_PROFILE": "your-profile"}:
    sys.exit(f"claude mcp add put the env elsewhere: {claude}")
for name, config in configs.items():
    command = [config["command"], *config["args"], "--demo"]
    env = {**os.environ, **config.get("env", {})}
    session = subprocess.run(
        [sys.executable, "packaging/tests/mcp_session.py", user, *command],
        env=env, capture_output=True, text=True)
    if session.returncode != 0:
        sys.exit(f"{name}: {' '.join(command)} failed: {session.stderr}{session.stdout}")
    print(f"{name}: {' '.join(command)}: {session.stdout.strip()}")
EOF
echo "readme: every command ran"
