// An MCP session through node's @modelcontextprotocol/sdk client, as scripts/package drives it.
//
//   node mcp_session.mjs SDK_PREFIX USER_NAME COMMAND [ARGS...]
//
// SDK_PREFIX is the npm prefix the SDK is installed in. Starts COMMAND ARGS as an MCP server
// over stdio, lists its tools and calls get_user for USER_NAME; fails unless more than 20 tools
// are listed and the answer names USER_NAME. Prints one JSON line, like mcp_session.py.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";

const [sdkPrefix, userName, command, ...args] = process.argv.slice(2);
const require = createRequire(join(resolve(sdkPrefix), "package.json"));
const { Client } = require("@modelcontextprotocol/sdk/client/index.js");
const { StdioClientTransport } = require("@modelcontextprotocol/sdk/client/stdio.js");
const sdkVersion = JSON.parse(
  readFileSync(join(resolve(sdkPrefix), "node_modules/@modelcontextprotocol/sdk/package.json"), "utf8"),
).version;
const MIN_TOOLS = 20;

function fail(message) {
  console.error(message);
  process.exit(1);
}

const env = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !k.startsWith("IAM_MCP_") && !k.startsWith("AWS_")),
);
env.RUST_LOG = "warn";
const transport = new StdioClientTransport({ command, args, env, stderr: "inherit" });
const client = new Client({ name: "iam-mcp-server-packaging-test", version: "1.0.0" });
await client.connect(transport);

const { tools } = await client.listTools();
const names = tools.map((tool) => tool.name);
if (tools.length <= MIN_TOOLS || !names.includes("get_user")) {
  fail(`expected more than ${MIN_TOOLS} tools including get_user, got ${names.join(", ")}`);
}
const result = await client.callTool({ name: "get_user", arguments: { user_name: userName } });
const text = (result.content || []).map((c) => c.text || "").join("\n");
if (result.isError) fail(`get_user ${userName} failed: ${text}`);
const structured = result.structuredContent || JSON.parse(text);
const returned = structured.User.UserName;
if (returned !== userName) fail(`get_user ${userName} answered for ${returned}`);
console.log(
  JSON.stringify({
    client: `node @modelcontextprotocol/sdk ${sdkVersion}`,
    server: client.getServerVersion(),
    tools: tools.length,
    get_user: returned,
  }),
);
await client.close();
