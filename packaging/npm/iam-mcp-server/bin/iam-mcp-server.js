#!/usr/bin/env node
// Launcher: runs the native iam-mcp-server binary from the platform package npm installed
// (one of this package's optionalDependencies, chosen by their "os"/"cpu" fields), with the
// same arguments, stdio inherited, signals forwarded and its exit status passed back.
"use strict";

const { spawn } = require("child_process");
const path = require("path");

const manifest = require("../package.json");
const platform = `${process.platform}-${process.arch}`;
const packageName = `@iam-mcp-server/${platform}`;
const supported = Object.keys(manifest.optionalDependencies || {}).map((name) => name.split("/")[1]);

function fail(message) {
  process.stderr.write(`iam-mcp-server: ${message}\n`);
  process.exit(1);
}

if (!supported.includes(platform)) {
  fail(
    `no prebuilt binary for ${platform} (prebuilt: ${supported.join(", ")}). ` +
      `Build it from source instead: https://github.com/iam-mcp-server/iam-mcp-server`,
  );
}

let binary;
try {
  const packageDir = path.dirname(require.resolve(`${packageName}/package.json`));
  binary = path.join(packageDir, "bin", process.platform === "win32" ? "iam-mcp-server.exe" : "iam-mcp-server");
} catch (_) {
  fail(
    `the package ${packageName}, which holds the binary for this platform, is not installed. ` +
      `npm installs it as an optional dependency of iam-mcp-server: reinstall without ` +
      `--omit=optional / --no-optional (and with the same platform as the one running it).`,
  );
}

const child = spawn(binary, process.argv.slice(2), { stdio: "inherit", windowsHide: true });

const signals = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"];
const forward = (signal) => {
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
};
for (const signal of signals) {
  try {
    process.on(signal, forward);
  } catch (_) {
    // Not every signal exists on every platform (Windows).
  }
}

child.on("error", (error) => fail(`could not start ${binary}: ${error.message}`));
child.on("exit", (code, signal) => {
  if (signal) {
    // Die of the same signal, so whoever started us sees how the server ended.
    for (const s of signals) process.removeAllListeners(s);
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code === null ? 1 : code);
});
