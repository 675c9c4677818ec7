#!/usr/bin/env node
// `npm run check:cdktn`: builds the CDK Terrain (cdktn) variant of this project in a temporary copy
// and checks it on Node 22 (cdktn-cli needs >= 22.19): the app synthesizes, `cdktn synth --hcl`
// passes `terraform fmt -check`, the test suite passes, and the synthesized JSON equals the cdktf
// one except the AWS provider's pin and source and the cdktf/cdktn metadata.
//
// The variant is this project with the package swap of SWAP applied to package.json and to every
// import specifier in the copy's .ts/.js files; its dependency set is compat/cdktn/package.json
// with the committed compat/cdktn/package-lock.json, so a run installs the same tree every time.
//   npm run check:cdktn                 check (CI runs this)
//   npm run check:cdktn -- --update     rewrite compat/cdktn/package.json from package.json and SWAP,
//                                       and refresh its lockfile (after a dependency change)
//   npm run check:cdktn -- --keep       leave the temporary copy for inspection
"use strict";
const { execFileSync, spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { isDeepStrictEqual } = require("node:util");

// The one table: cdktf package -> cdktn package and its pinned version. constructs keeps its name;
// cdktn 0.24 peers on constructs >= 10.6 < 10.8.
const SWAP = [
  ["cdktf", "cdktn", "0.24.0"],
  ["cdktf-cli", "cdktn-cli", "0.24.0"],
  ["@cdktf/provider-aws", "@cdktn/provider-aws", "25.7.0"],
  ["@cdktf/hcl2json", "@cdktn/hcl2json", "0.24.0"],
  ["constructs", "constructs", "10.7.2"],
];
// cdktn-cli's bin is `cdktn`; `npx cdktf` in the copy (tests, scripts) runs it under the old name.
const BIN_ALIASES = [["cdktf", "cdktn-cli/bin/cdktn"]];
const NODE_ENGINE = ">=22.19.0";
// Only for cdktf-cli: the pty module it loads, aliased to a Node-API build (package.json's
// devDependencies and overrides). cdktn-cli has no pty module, so the variant has neither entry.
const CDKTF_CLI_ONLY = ["@cdktf/node-pty-prebuilt-multiarch"];

const root = path.join(__dirname, "..");
const compat = path.join(root, "compat", "cdktn");
const args = new Set(process.argv.slice(2));
const env = { ...process.env, CHECKPOINT_DISABLE: "1", TF_CLI_CONFIG_FILE: "/dev/null" };

function log(message) {
  process.stderr.write(`check-cdktn: ${message}\n`);
}

let copy; // the temporary copy, once made

function fail(message) {
  process.stderr.write(`check-cdktn: FAILED: ${message}\n`);
  if (copy && !args.has("--keep")) fs.rmSync(copy, { recursive: true, force: true });
  process.exit(1);
}

/** package.json of the variant: this project's, with every SWAP package renamed and pinned. */
function variantManifest() {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
  const swap = new Map(SWAP.map(([from, to, version]) => [from, [to, version]]));
  for (const section of ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"]) {
    if (!manifest[section]) continue;
    const renamed = Object.entries(manifest[section]).map(([name, version]) => swap.get(name) ?? [name, version]);
    manifest[section] = Object.fromEntries(renamed.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
  for (const name of CDKTF_CLI_ONLY) {
    delete manifest.devDependencies?.[name];
    delete manifest.overrides?.[name];
  }
  if (manifest.overrides && Object.keys(manifest.overrides).length === 0) delete manifest.overrides;
  manifest.engines = { ...manifest.engines, node: NODE_ENGINE };
  return manifest;
}

/** Import specifiers naming a SWAP package (or a path inside it), in the forms this code base uses. */
const SPECIFIER = new RegExp(
  String.raw`(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire(?:\.resolve)?\s*\(\s*|\bjest\.(?:mock|requireActual)\s*\(\s*)` +
    String.raw`(["'])(${SWAP.filter(([a, b]) => a !== b)
      .map(([from]) => from.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"))
      .join("|")})((?:/[^"']*)?)\2`,
  "g",
);
const RENAME = new Map(SWAP.map(([from, to]) => [from, to]));

/** One file's text with its SWAP import specifiers renamed, and how many there were. */
function rewriteSpecifiers(text) {
  let count = 0;
  const rewritten = text.replace(SPECIFIER, (_m, lead, quote, name, sub) => (count++, `${lead}${quote}${RENAME.get(name)}${sub}${quote}`));
  return { text: rewritten, count };
}

/** Rewrites the SWAP imports of every source file under dir (node_modules excluded); returns counts. */
function rewriteImports(dir) {
  const counts = { files: 0, specifiers: 0 };
  const walk = (rel) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = path.join(rel, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules" && entry.name !== ".git") walk(child);
      } else if (/\.(?:[cm]?[jt]s)$/.test(entry.name)) {
        const file = path.join(dir, child);
        const { text, count } = rewriteSpecifiers(fs.readFileSync(file, "utf8"));
        if (count > 0) {
          fs.writeFileSync(file, text);
          counts.files++;
          counts.specifiers += count;
        }
      }
    }
  };
  walk("");
  return counts;
}

function run(label, cmd, cmdArgs, options = {}) {
  const start = Date.now();
  const r = spawnSync(cmd, cmdArgs, { env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024, ...options });
  const seconds = ((Date.now() - start) / 1000).toFixed(1);
  if (r.status !== 0) fail(`${label} (exit ${r.status}, ${seconds} s):\n${r.stdout ?? ""}\n${r.stderr ?? ""}`);
  log(`${label}: ok (${seconds} s)`);
  return `${r.stdout ?? ""}${r.stderr ?? ""}`;
}

/** The synthesized stack files of one outdir: { "<stack>/cdk.tf.json": parsed, "<stack>/review.md": text }. */
function synthesized(outdir) {
  const stacks = path.join(outdir, "stacks");
  const files = {};
  for (const stack of fs.readdirSync(stacks)) {
    for (const name of fs.readdirSync(path.join(stacks, stack))) {
      const text = fs.readFileSync(path.join(stacks, stack, name), "utf8");
      files[`${stack}/${name}`] = name.endsWith(".json") ? JSON.parse(text) : text;
    }
  }
  return files;
}

/** What may differ between the two: the generator's metadata and the AWS provider's pin and source. */
function comparable(tf) {
  const copy = structuredClone(tf);
  const removed = structuredClone({ metadata: copy["//"]?.metadata, aws: copy.terraform?.required_providers?.aws });
  if (copy["//"]) delete copy["//"].metadata;
  if (copy.terraform?.required_providers?.aws) {
    delete copy.terraform.required_providers.aws.version;
    delete copy.terraform.required_providers.aws.source;
  }
  return { copy, removed };
}

/** Paths (a.b.c) where two JSON values differ, at most `limit` of them. */
function differences(a, b, at = "", out = [], limit = 20) {
  if (out.length >= limit || isDeepStrictEqual(a, b)) return out;
  if (a && b && typeof a === "object" && typeof b === "object" && Array.isArray(a) === Array.isArray(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) differences(a[key], b[key], `${at}.${key}`, out, limit);
  } else {
    out.push(`${at || "(root)"}: cdktf ${JSON.stringify(a)?.slice(0, 120)} / cdktn ${JSON.stringify(b)?.slice(0, 120)}`);
  }
  return out;
}

/** Configurations to compare: the embedded default, and every example configuration if there are any. */
function configurations() {
  const examples = path.join(root, "examples");
  const files = fs.existsSync(examples) ? fs.readdirSync(examples).filter((f) => /^runners\..*\.ya?ml$/.test(f)) : [];
  return [["embedded default", ""], ...files.sort().map((f) => [`examples/${f}`, path.join("examples", f)])];
}

/** The pinned Node 22's bin/ folder, put first on the PATH of every command this script runs. */
function useNode22() {
  const node22 = execFileSync("bash", [path.join(root, "tools", "node-dist.sh"), "22"], { encoding: "utf8" }).trim();
  env.PATH = `${node22}${path.delimiter}${env.PATH}`;
  return node22;
}

/** The variant, installed, in a new temporary folder (the caller removes it); returns its path. */
function prepareVariant() {
  const manifest = variantManifest();
  const own = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
  const stale = SWAP.filter(([from]) => !own.dependencies?.[from] && !own.devDependencies?.[from]).map(([from]) => from);
  if (stale.length) fail(`SWAP names packages this project no longer depends on: ${stale.join(", ")}; update the table`);
  const manifestFile = path.join(compat, "package.json");
  let committed;
  try {
    committed = JSON.parse(fs.readFileSync(manifestFile, "utf8"));
  } catch {
    committed = undefined;
  }
  if (!isDeepStrictEqual(committed, manifest)) {
    fail(
      "compat/cdktn/package.json is not package.json with the SWAP table applied: run `npm run check:cdktn -- --update` and commit the result",
    );
  }

  copy = fs.mkdtempSync(path.join(os.tmpdir(), "gre-cdktn-"));
  log(`copy in ${copy}`);
  // The working tree as git sees it (tracked and new files, nothing ignored: no node_modules, dist, out).
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: root, encoding: "utf8" })
    .split("\0")
    .filter((f) => f && fs.existsSync(path.join(root, f)));
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(copy, f)), { recursive: true });
    fs.copyFileSync(path.join(root, f), path.join(copy, f));
  }
  fs.copyFileSync(manifestFile, path.join(copy, "package.json"));
  fs.copyFileSync(path.join(compat, "package-lock.json"), path.join(copy, "package-lock.json"));
  // An import the rewrite misses fails later: the copy has no cdktf packages installed.
  const rewritten = rewriteImports(copy);
  log(`copied ${files.length} files; rewrote ${rewritten.specifiers} import specifiers in ${rewritten.files} files`);
  // Tests list the project's files with git (the shell scripts to lint, for one).
  execFileSync("git", ["init", "-q"], { cwd: copy });
  execFileSync("git", ["add", "-A"], { cwd: copy });

  run("npm ci (committed lockfile)", "npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd: copy });
  for (const [bin, target] of BIN_ALIASES) {
    fs.symlinkSync(path.join("..", target), path.join(copy, "node_modules", ".bin", bin));
  }
  return copy;
}

function main() {
  const node22 = useNode22();
  const npm = "npm";
  if (args.has("--update")) {
    fs.mkdirSync(compat, { recursive: true });
    fs.writeFileSync(path.join(compat, "package.json"), JSON.stringify(variantManifest(), null, 2) + "\n");
    run("refresh compat/cdktn/package-lock.json", npm, ["install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund"], {
      cwd: compat,
    });
    log("updated compat/cdktn/package.json and package-lock.json; commit both");
    return;
  }

  const started = Date.now();
  log(`Node ${execFileSync(path.join(node22, "node"), ["--version"], { encoding: "utf8" }).trim()}`);
  prepareVariant();

  const cliOutput = run("npx cdktn synth", "npx", ["cdktn", "synth"], { cwd: copy });
  if (/\[ERROR\]|\[WARN\]|Warning/.test(cliOutput)) fail(`npx cdktn synth printed an error or warning line:\n${cliOutput}`);

  const hclOut = path.join(copy, ".check-hcl");
  run("npx cdktn synth --hcl", "npx", ["cdktn", "synth", "--hcl", "--output", hclOut], { cwd: copy });
  for (const stack of fs.readdirSync(path.join(hclOut, "stacks"))) {
    run(`terraform fmt -check (${stack}/cdk.tf)`, "terraform", ["fmt", "-check", "-diff", "cdk.tf"], {
      cwd: path.join(hclOut, "stacks", stack),
    });
  }

  // The packaging test packs a clone of this repository (the cdktf package), not the variant.
  const testOutput = run("npm test", npm, ["test"], { cwd: copy, env: { ...env, GRE_PACKAGE_TEST: "skip" } });
  const summary = testOutput.match(/^Tests:.*$/m);
  log(`npm test: ${summary ? summary[0] : "(no jest summary)"}`);

  // The same configurations through each variant's app command, side by side.
  for (const [i, [label, config]] of configurations().entries()) {
    const outs = {};
    for (const [variant, dir, node] of [
      ["cdktf", root, process.execPath],
      ["cdktn", copy, path.join(node22, "node")],
    ]) {
      const outdir = path.join(copy, ".check-json", String(i), variant);
      fs.mkdirSync(path.dirname(outdir), { recursive: true });
      run(`${variant} app, ${label}`, node, [path.join(dir, "tools", "app.js")], {
        cwd: dir,
        env: { ...env, CDKTF_OUTDIR: outdir, GITLAB_RUNNER_ECR_CONFIG: config ? path.join(dir, config) : "" },
      });
      outs[variant] = synthesized(outdir);
    }
    const names = Object.keys(outs.cdktf).sort();
    if (!isDeepStrictEqual(names, Object.keys(outs.cdktn).sort()))
      fail(`${label}: different files: ${names} / ${Object.keys(outs.cdktn).sort()}`);
    for (const name of names) {
      if (typeof outs.cdktf[name] === "string") {
        if (outs.cdktf[name] !== outs.cdktn[name]) fail(`${label}: ${name} differs`);
        continue;
      }
      const a = comparable(outs.cdktf[name]);
      const b = comparable(outs.cdktn[name]);
      const diff = differences(a.copy, b.copy);
      if (diff.length) fail(`${label}: ${name} differs beyond the provider pin and metadata:\n  ${diff.join("\n  ")}`);
      log(
        `${label}: ${name} equal except aws provider ${JSON.stringify(a.removed.aws)} -> ${JSON.stringify(b.removed.aws)}, ` +
          `metadata version ${a.removed.metadata?.version} -> ${b.removed.metadata?.version}`,
      );
    }
  }

  log(`all checks passed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (args.has("--keep")) log(`kept ${copy}`);
  else fs.rmSync(copy, { recursive: true, force: true });
}

module.exports = { SWAP, rewriteSpecifiers, variantManifest, comparable, useNode22, prepareVariant };

if (require.main === module) main();
