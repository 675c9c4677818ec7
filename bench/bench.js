#!/usr/bin/env node
// Benchmark: `npm run bench`. Times, on this machine and in one run:
//  1. the project's app command on the default configuration (warm-up, then RUNS runs),
//  2. the naive baseline on the same code: ts-node with type-checking plus the root import of
//     @cdktf/provider-aws (derived at bench time in bench/.work/, not kept in the repo),
//  3. synthesis of 1, 10 and 100 fleets,
//  4. `npx cdktf synth` end to end (and the CLI's own start-up), and `npm test`,
//  5. the app command and the CLI's synthesis on Node 22, 24 and 26 (tools/node-dist.sh) and on the
//     CDK Terrain variant (tools/check-cdktn.js builds it in a temporary copy), side by side.
// Writes bench/results.json and bench/results.md (the README links to the latter).
"use strict";
const { execFileSync, spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const root = path.join(__dirname, "..");
const work = path.join(__dirname, ".work");
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const BASELINE_RUNS = Number(process.env.BENCH_BASELINE_RUNS ?? 5);

fs.rmSync(work, { recursive: true, force: true });
fs.mkdirSync(work, { recursive: true });
const rssFile = path.join(work, "rss.txt");
// Every node process started under NODE_OPTIONS reports its peak RSS (KiB) at exit.
const rssReporter = path.join(work, "report-rss.js");
fs.writeFileSync(
  rssReporter,
  `process.on("exit", () => require("node:fs").appendFileSync(${JSON.stringify(rssFile)}, process.resourceUsage().maxRSS + "\\n"));\n`,
);

const baseEnv = {
  ...process.env,
  CHECKPOINT_DISABLE: "1",
  TF_CLI_CONFIG_FILE: "/dev/null",
  CDKTF_DISABLE_PLUGIN_CACHE_ENV: "1",
};

/** Runs a command once; returns wall seconds and the largest peak RSS (MB) of its node processes. */
function measure(cmd, args, env = {}, cwd = root) {
  fs.writeFileSync(rssFile, "");
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, {
    cwd,
    env: { ...baseEnv, ...env, NODE_OPTIONS: `--require ${rssReporter}` },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}):\n${r.stderr || r.stdout}`);
  }
  const rss = fs.readFileSync(rssFile, "utf8").trim().split("\n").filter(Boolean).map(Number);
  return { seconds, rssMb: Math.max(0, ...rss) / 1024 };
}

/** Median, range and peak RSS of a list of measurements. */
function stats(label, samples) {
  const times = samples.map((s) => s.seconds).sort((a, b) => a - b);
  const median = times.length % 2 ? times[(times.length - 1) / 2] : (times[times.length / 2 - 1] + times[times.length / 2]) / 2;
  return {
    label,
    runs: samples.length,
    median,
    min: times[0],
    max: times[times.length - 1],
    peakRssMb: Math.max(...samples.map((s) => s.rssMb)),
  };
}

function series(label, runs, cmd, args, env, cwd) {
  process.stderr.write(`${label}: warm-up`);
  measure(cmd, args, env, cwd);
  const samples = [];
  for (let i = 0; i < runs; i++) {
    samples.push(measure(cmd, args, env, cwd));
    process.stderr.write(".");
  }
  process.stderr.write("\n");
  return stats(label, samples);
}

/** Several commands measured in rounds (one run of each per round), so that drift of the machine touches all alike. */
function interleaved(title, specs, rounds) {
  process.stderr.write(`${title}: warm-up`);
  for (const s of specs) measure(s.cmd, s.args, s.env, s.cwd);
  const samples = specs.map(() => []);
  for (let i = 0; i < rounds; i++) {
    specs.forEach((s, j) => samples[j].push(measure(s.cmd, s.args, s.env, s.cwd)));
    process.stderr.write(".");
  }
  process.stderr.write("\n");
  return specs.map((s, j) => stats(s.label, samples[j]));
}

function fleetsConfig(n) {
  const base = require(path.join(root, "dist", "modules", "app", "default-config.js")).DEFAULT_CONFIG;
  const fleets = Array.from({ length: n }, (_, i) => {
    const name = `f${String(i).padStart(3, "0")}`;
    // Both kinds of manager policy: the docker executor (acknowledged, as a configuration must) and workers.
    return i % 2 === 0
      ? {
          name,
          executor: "docker",
          runnerTokenSsmParameter: `/runners/${name}/token`,
          acknowledge: { "jobs-not-on-manager": "Benchmark fleet" },
        }
      : { name, executor: "docker-autoscaler", runnerTokenSsmParameter: `/runners/${name}/token`, workers: { maxInstances: 5 } };
  });
  const file = path.join(work, `fleets-${n}.json`);
  const pushers = ["f000"];
  const config = {
    ...base,
    ciImage: { ...base.ciImage, push: pushers },
    repositories: base.repositories.map((r) => ({ ...r, push: pushers })),
    fleets,
  };
  fs.writeFileSync(file, JSON.stringify(config));
  return file;
}

const outdir = path.join(work, "cdktf.out");
const appEnv = { CDKTF_OUTDIR: outdir };

// Make sure dist/ is fresh before timing the app command (its own freshness check still runs).
measure(process.execPath, ["tools/build.js"]);

const app = series("app command, default configuration", RUNS, process.execPath, ["tools/app.js"], appEnv);

// The naive setup: type-checking ts-node on every synth, and the provider's root import.
const baselineEntry = path.join(work, "baseline-main.ts");
fs.writeFileSync(
  baselineEntry,
  [
    "// Generated by bench/bench.js: the naive setup, for comparison only.",
    'import "@cdktf/provider-aws"; // root import: loads every resource class',
    'import "../../main";',
    "",
  ].join("\n"),
);
const baseline = series(
  "naive baseline (ts-node type-check + root import)",
  BASELINE_RUNS,
  process.execPath,
  ["-r", "ts-node/register", baselineEntry],
  {
    ...appEnv,
    TS_NODE_PROJECT: path.join(root, "tsconfig.json"),
    TS_NODE_TRANSPILE_ONLY: "false",
  },
);

const fleets = [1, 10, 100].map((n) => {
  const s = series(`app command, ${n} fleet(s)`, 5, process.execPath, ["tools/app.js"], {
    ...appEnv,
    GITLAB_RUNNER_ECR_CONFIG: fleetsConfig(n),
  });
  return { fleets: n, ...s };
});
// review:diff of the default configuration: two synthesized folders (the review.json comparison
// alone), and a git ref against the working tree (two syntheses through npm run synth, plus that).
const diffCommand = path.join(root, "dist", "modules", "app", "review-diff-main.js");
const diffSides = ["diff-base", "diff-head"].map((name) => {
  const dir = path.join(work, name);
  measure(process.execPath, ["tools/app.js"], { CDKTF_OUTDIR: dir });
  return path.join(dir, "stacks", "gitlab-runners");
});
const diffFolders = series("review:diff, two synthesized folders", RUNS, process.execPath, [
  diffCommand,
  ...diffSides,
  "--out",
  path.join(work, "diff-out"),
]);
const diffRef = series("review:diff HEAD (git ref against the working tree)", 3, process.execPath, [
  diffCommand,
  "HEAD",
  "--out",
  path.join(work, "diff-out"),
]);

const growthPerFleetMs = ((fleets[2].median - fleets[0].median) / 99) * 1000;
const growthPerFleetMsLow = ((fleets[1].median - fleets[0].median) / 9) * 1000;

const npx = path.join(path.dirname(process.execPath), "npx");
// The CLI's own cost of `cdktf synth`: the same command in a folder whose app does nothing but
// write an empty manifest (the CLI loads its synth machinery and runs `terraform version` itself).
const noopProject = path.join(work, "noop-project");
fs.mkdirSync(noopProject);
fs.writeFileSync(
  path.join(noopProject, "noop-app.js"),
  'const fs = require("node:fs"); fs.mkdirSync("cdktf.out", { recursive: true }); fs.writeFileSync("cdktf.out/manifest.json", JSON.stringify({ version: "0.21.0", stacks: {} }));\n',
);
fs.writeFileSync(path.join(noopProject, "cdktf.json"), JSON.stringify({ language: "typescript", app: "node noop-app.js" }));
const cdktfCli = path.join(root, "node_modules", "cdktf-cli", "bundle", "bin", "cdktf");
const cliStartup = series("cdktf synth of an empty app (the CLI's own cost)", 3, process.execPath, [cdktfCli, "synth"], {}, noopProject);
const cdktfSynth = series("cdktf synth, this project", 3, process.execPath, [cdktfCli, "synth", "--output", outdir], appEnv);
const npxSynth = series("npx cdktf synth, this project (end to end)", 3, npx, ["cdktf", "synth", "--output", outdir], appEnv);
process.stderr.write("npm test: ");
const npmTest = measure("npm", ["test", "--silent"]);
process.stderr.write(`${npmTest.seconds.toFixed(1)} s\n`);

// The same synthesis on other Nodes and on CDK Terrain (cdktn), side by side: the app command and
// the CLI's synthesis, each Node first on PATH so that the CLI starts the app with it too.
const { useNode22, prepareVariant } = require("../tools/check-cdktn.js");
const nodeBin = (major) => execFileSync("bash", [path.join(root, "tools", "node-dist.sh"), major], { encoding: "utf8" }).trim();
const node22 = useNode22();
const node24 = nodeBin("24");
const node26 = nodeBin("26");
const cdktnCopy = prepareVariant();
const duMb = (dir) => Number(execFileSync("du", ["-sm", dir], { encoding: "utf8" }).split("\t")[0]);
const variantSpecs = [
  { label: `cdktf 0.21 / Node ${process.versions.node.split(".")[0]}`, bin: path.dirname(process.execPath), dir: root, cli: "cdktf" },
  { label: "cdktf 0.21 / Node 22", bin: node22, dir: root, cli: "cdktf" },
  { label: "cdktf 0.21 / Node 24", bin: node24, dir: root, cli: "cdktf" },
  { label: "cdktf 0.21 / Node 26", bin: node26, dir: root, cli: "cdktf" },
  { label: "cdktn 0.24 / Node 22", bin: node22, dir: cdktnCopy, cli: "cdktn" },
];
for (const v of variantSpecs) {
  v.env = { ...appEnv, PATH: `${v.bin}:${process.env.PATH}` };
  v.node = path.join(v.bin, "node");
}
const appRuns = interleaved(
  "variants, app command",
  variantSpecs.map((v) => ({ label: v.label, cmd: v.node, args: [path.join(v.dir, "tools", "app.js")], env: v.env, cwd: v.dir })),
  RUNS,
);
const cliRuns = interleaved(
  "variants, CLI synthesis",
  variantSpecs.map((v) => ({ label: v.label, cmd: npx, args: [v.cli, "synth", "--output", outdir], env: v.env, cwd: v.dir })),
  5,
);
const variants = variantSpecs.map((v, i) => ({
  label: v.label,
  node: execFileSync(v.node, ["--version"], { encoding: "utf8" }).trim(),
  app: appRuns[i],
  cli: cliRuns[i],
  nodeModulesMb: duMb(path.join(v.dir, "node_modules")),
}));
fs.rmSync(cdktnCopy, { recursive: true, force: true });
const byLabel = (l) => variants.find((v) => v.label === l);
const change = (a, b) => `${a.toFixed(2)} s → ${b.toFixed(2)} s (${b >= a ? "+" : "−"}${Math.abs(100 * (b / a - 1)).toFixed(0)} %)`;

const results = {
  date: new Date().toISOString().slice(0, 10),
  machine: {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  },
  app,
  baseline,
  speedup: baseline.median / app.median,
  fleets,
  growthPerFleetMs: { from1to10: growthPerFleetMsLow, from1to100: growthPerFleetMs },
  reviewDiff: { folders: diffFolders, gitRef: diffRef },
  cliStartup,
  cdktfSynth,
  npxSynth,
  cdktfSynthOverStartup: cdktfSynth.median - cliStartup.median,
  npmTest: { seconds: npmTest.seconds },
  variants,
};

const f = (s) => `${s.toFixed(2)} s`;
const row = (s) => `| ${s.label} | ${f(s.median)} | ${f(s.min)} – ${f(s.max)} | ${s.peakRssMb.toFixed(0)} MB |`;
const md = [
  `Measured ${results.date} on ${results.machine.cpus} × ${results.machine.cpuModel}, ${results.machine.memoryGiB} GiB, Node ${results.machine.node} (\`npm run bench\`).`,
  "",
  "| what | median | min – max | peak RSS |",
  "|---|---|---|---|",
  row(app),
  row(baseline),
  ...fleets.map(row),
  row(diffFolders),
  row(diffRef),
  row(cliStartup),
  row(cdktfSynth),
  row(npxSynth),
  `| npm test (type-check, build, all tests) | ${f(npmTest.seconds)} | one run | |`,
  "",
  `Baseline / project: **${results.speedup.toFixed(1)}×**. Growth per fleet: ${growthPerFleetMs.toFixed(1)} ms (1→100 fleets), ` +
    `${growthPerFleetMsLow.toFixed(1)} ms (1→10). \`cdktf synth\` of this project minus that of an empty app: ${f(results.cdktfSynthOverStartup)}.`,
  "",
  "Node versions and CDK Terrain, default configuration: medians, measured in alternating rounds (app command " +
    `${RUNS} rounds, CLI synthesis \`npx cdktf synth\` / \`npx cdktn synth\` 5 rounds):`,
  "",
  "| variant | app command | CLI synthesis | node_modules |",
  "|---|---|---|---|",
  ...variants.map((v) => `| ${v.label} (${v.node}) | ${f(v.app.median)} | ${f(v.cli.median)} | ${v.nodeModulesMb} MB |`),
  "",
  `cdktn 0.24 against cdktf 0.21, both on Node 22: app command ${change(byLabel("cdktf 0.21 / Node 22").app.median, byLabel("cdktn 0.24 / Node 22").app.median)}, ` +
    `CLI synthesis ${change(byLabel("cdktf 0.21 / Node 22").cli.median, byLabel("cdktn 0.24 / Node 22").cli.median)}, ` +
    `node_modules ${byLabel("cdktf 0.21 / Node 22").nodeModulesMb} MB → ${byLabel("cdktn 0.24 / Node 22").nodeModulesMb} MB.`,
].join("\n");

fs.writeFileSync(path.join(__dirname, "results.json"), JSON.stringify(results, null, 2) + "\n");
fs.writeFileSync(path.join(__dirname, "results.md"), md + "\n");
process.stdout.write(md + "\n");
fs.rmSync(work, { recursive: true, force: true });
