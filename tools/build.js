#!/usr/bin/env node
// Builds dist/ with tsc and records which sources it was built from (a content hash), so that the
// app command can tell a fresh build from a stale one without type-checking on every synth.
//   node tools/build.js          build unconditionally (npm run build)
//   require("./build").ensureBuilt()   build only when the sources differ from the last build
"use strict";
const { createHash } = require("node:crypto");
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");
const stampFile = path.join(root, "dist", ".source-hash");

/** Every file the build reads from this project, in a stable order. */
function sourceFiles(root) {
  const files = ["main.ts", "index.ts", "tsconfig.json", "tsconfig.build.json", "package-lock.json"];
  for (const dir of ["modules", "tools"]) {
    const walk = (rel) => {
      for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
        const child = path.posix.join(rel, entry.name);
        if (entry.isDirectory()) walk(child);
        else if (entry.name.endsWith(".ts")) files.push(child);
      }
    };
    walk(dir);
  }
  return files.sort();
}

function sourceHash(from = root) {
  const hash = createHash("sha256");
  for (const file of sourceFiles(from)) {
    hash
      .update(file)
      .update("\0")
      .update(fs.readFileSync(path.join(from, file)))
      .update("\0");
  }
  return hash.digest("hex");
}

function build(hash) {
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", path.join(root, "tsconfig.build.json")], {
    stdio: "inherit",
    cwd: root,
  });
  // The hash taken before compiling: a source edited during the build makes the next run rebuild.
  fs.writeFileSync(stampFile, hash);
}

function ensureBuilt() {
  const hash = sourceHash();
  let built;
  try {
    built = fs.readFileSync(stampFile, "utf8");
  } catch {
    built = undefined;
  }
  if (built !== hash) build(hash);
}

module.exports = { ensureBuilt, sourceHash };

if (require.main === module) build(sourceHash());
