// Assembles the npm packages from the templates beside this file and built binaries:
//
//   node packaging/npm/assemble.mjs --version 0.1.0 --out DIR \
//        --binary linux-x64=path/to/iam-mcp-server [--binary win32-x64=path/to/iam-mcp-server.exe ...]
//
// writes DIR/iam-mcp-server (the launcher, its version and every optionalDependency set to
// --version) and DIR/<platform> for each --binary (package @iam-mcp-server/<platform> with
// os/cpu fields and the binary in bin/). `npm pack` each directory to publish or install it.
import { chmodSync, copyFileSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    version: { type: "string" },
    out: { type: "string" },
    binary: { type: "string", multiple: true, default: [] },
  },
});
if (!values.version || !values.out) {
  console.error("usage: assemble.mjs --version V --out DIR [--binary PLATFORM=PATH ...]");
  process.exit(2);
}
const version = values.version;

const template = join(here, "iam-mcp-server");
const launcher = JSON.parse(readFileSync(join(template, "package.json"), "utf8"));
const platforms = Object.keys(launcher.optionalDependencies).map((name) => name.split("/")[1]);

rmSync(values.out, { recursive: true, force: true });
mkdirSync(values.out, { recursive: true });

// The launcher package.
const launcherDir = join(values.out, "iam-mcp-server");
cpSync(template, launcherDir, { recursive: true });
launcher.version = version;
for (const name of Object.keys(launcher.optionalDependencies)) launcher.optionalDependencies[name] = version;
writeFileSync(join(launcherDir, "package.json"), JSON.stringify(launcher, null, 2) + "\n");
chmodSync(join(launcherDir, "bin", "iam-mcp-server.js"), 0o755);

// One package per platform binary given.
for (const spec of values.binary) {
  const [platform, binaryPath] = spec.split(/=(.*)/s);
  if (!platforms.includes(platform)) {
    console.error(`unknown platform ${platform}: the launcher lists ${platforms.join(", ")}`);
    process.exit(2);
  }
  const [os, cpu] = platform.split("-");
  const exe = os === "win32" ? "iam-mcp-server.exe" : "iam-mcp-server";
  const dir = join(values.out, platform);
  mkdirSync(join(dir, "bin"), { recursive: true });
  const manifest = {
    name: `@iam-mcp-server/${platform}`,
    version,
    description: `The ${platform} binary of iam-mcp-server (installed by the iam-mcp-server package)`,
    license: launcher.license,
    homepage: launcher.homepage,
    repository: launcher.repository,
    os: [os],
    cpu: [cpu],
    // The Linux binaries link glibc (2.17 or later), not musl.
    ...(os === "linux" ? { libc: ["glibc"] } : {}),
    files: ["bin/"],
    preferUnplugged: true,
  };
  writeFileSync(join(dir, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
  writeFileSync(
    join(dir, "README.md"),
    `# ${manifest.name}\n\nThe ${platform} binary of [iam-mcp-server](https://www.npmjs.com/package/iam-mcp-server). ` +
      `Install \`iam-mcp-server\`, not this package: npm picks the one for your platform.\n`,
  );
  copyFileSync(binaryPath, join(dir, "bin", exe));
  chmodSync(join(dir, "bin", exe), 0o755);
}
console.log(`assembled ${version}: launcher + ${values.binary.length} platform package(s) in ${values.out}`);
