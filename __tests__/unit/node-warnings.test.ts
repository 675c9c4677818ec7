// The app drops exactly one warning, DEP0044 (cdktf's util.isArray call), and lets every other
// warning through. Runs the compiled module in a child Node, as the app runs it.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";

const MODULE = resolve(__dirname, "..", "..", "dist", "modules", "support", "node-warnings.js");

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
`;

function stderrOf(filtered: boolean): string {
  const setup = filtered ? `require(${JSON.stringify(MODULE)}).dropCdktfDeprecationWarning();` : "";
  const r = spawnSync(process.execPath, ["-e", setup + WARNINGS], { encoding: "utf8", env: { PATH: process.env.PATH } });
  expect(r.status).toBe(0);
  return r.stderr;
}

beforeAll(() => {
  if (!existsSync(MODULE)) throw new Error(`${MODULE} is missing: run \`npm run build\` (npm test does)`);
});

test("without the filter, every form of DEP0044 prints (the check below can fail)", () => {
  const stderr = stderrOf(false);
  expect(stderr.match(/\[DEP0044\]/g)?.length).toBe(Number(process.versions.node.split(".")[0]) >= 22 ? 4 : 3);
});

test("with it, no DEP0044 in any form, and every other warning still prints", () => {
  const stderr = stderrOf(true);
  expect(stderr).not.toMatch(/DEP0044|util\.isArray|positional form|options form|error form/);
  expect(stderr).toMatch(/\[DEP0999\] DeprecationWarning: another deprecation/);
  expect(stderr).toMatch(/Warning: a plain warning/);
  expect(stderr).toMatch(/\[EXP1\] ExperimentalWarning: an experimental feature/);
  expect(stderr).toMatch(/\[DEP0005\] DeprecationWarning: Buffer\(\) is deprecated/);
});
