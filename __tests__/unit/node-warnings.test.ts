// The app and the cdktf CLI drop exactly the known warnings of modules/support/node-warnings.ts
// (DEP0044, cdktf's util.isArray call; Node 26's localStorage ExperimentalWarning) and let every
// other warning through. Runs the compiled module in a child Node, as the app runs it.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";

const ROOT = resolve(__dirname, "..", "..");
const MODULE = resolve(ROOT, "dist", "modules", "support", "node-warnings.js");
const NODE_MAJOR = Number(process.versions.node.split(".")[0]);

const WARNINGS = `
  const util = require("node:util");
  util.isArray([]); // what cdktf 0.21 calls: DEP0044 on Node 22 and later
  process.emitWarning("positional form", "DeprecationWarning", "DEP0044");
  process.emitWarning("options form", { type: "DeprecationWarning", code: "DEP0044" });
  const e = new Error("error form"); e.name = "DeprecationWarning"; e.code = "DEP0044"; process.emitWarning(e);
  process.emitWarning("another deprecation", "DeprecationWarning", "DEP0999");
  process.emitWarning("a plain warning");
  process.emitWarning("an experimental feature", { type: "ExperimentalWarning", code: "EXP1" });
  Buffer(1); // a real deprecation of Node's own (DEP0005), emitted for code outside node_modules
  typeof localStorage; // what the cdktf CLI's localforage does: an ExperimentalWarning on Node 26
  process.emitWarning("localStorage is not available because --localstorage-file was not provided.", "ExperimentalWarning");
  process.emitWarning("localStorage is not available, but a plain warning");
  process.emitWarning("localStorage is not available, with a code", { type: "ExperimentalWarning", code: "EXP2" });
`;

function stderrOf(filtered: boolean): string {
  // Twice: a second call must not wrap the filter again.
  const setup = filtered ? `const w = require(${JSON.stringify(MODULE)}); w.dropKnownWarnings(); w.dropKnownWarnings();` : "";
  const r = spawnSync(process.execPath, ["-e", setup + WARNINGS], { encoding: "utf8", env: { PATH: process.env.PATH } });
  expect(r.status).toBe(0);
  return r.stderr;
}

beforeAll(() => {
  if (!existsSync(MODULE)) throw new Error(`${MODULE} is missing: run \`npm run build\` (npm test does)`);
});

test("without the filter, every form of DEP0044 and the localStorage warning print (the checks below can fail)", () => {
  const stderr = stderrOf(false);
  expect(stderr.match(/\[DEP0044\]/g)?.length).toBe(NODE_MAJOR >= 22 ? 4 : 3);
  expect(stderr.match(/ExperimentalWarning: localStorage is not available because/g)?.length).toBe(NODE_MAJOR >= 26 ? 2 : 1);
});

test("with it, neither prints in any form, and every other warning still does", () => {
  const stderr = stderrOf(true);
  expect(stderr).not.toMatch(/DEP0044|util\.isArray|positional form|options form|error form/);
  expect(stderr).toMatch(/\[DEP0999\] DeprecationWarning: another deprecation/);
  expect(stderr).toMatch(/Warning: a plain warning/);
  expect(stderr).toMatch(/\[EXP1\] ExperimentalWarning: an experimental feature/);
  expect(stderr).toMatch(/\[DEP0005\] DeprecationWarning: Buffer\(\) is deprecated/);
  expect(stderr).not.toMatch(/--localstorage-file/);
  expect(stderr).toMatch(/Warning: localStorage is not available, but a plain warning/);
  expect(stderr).toMatch(/\[EXP2\] ExperimentalWarning: localStorage is not available, with a code/);
});

test("the cdktf CLI's start script installs the same filter (tools/cli-warnings.js, run by npm ci through prepare)", () => {
  expect(() => execFileSync(process.execPath, [resolve(ROOT, "tools", "cli-warnings.js"), "--check"], { encoding: "utf8" })).not.toThrow();
});
