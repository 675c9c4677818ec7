// __tests__/README.md maps each source folder to its tests: it names every folder of modules/ and
// only test files that exist.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const TESTS = resolve(__dirname, "..");
const readme = readFileSync(join(TESTS, "README.md"), "utf8");

test("every folder of modules/ has a row", () => {
  const folders = readdirSync(join(TESTS, "..", "modules"), { withFileTypes: true }).filter((e) => e.isDirectory());
  expect(folders.length).toBeGreaterThan(5);
  for (const f of folders) expect([f.name, readme.includes(`\`modules/${f.name}/\``)]).toEqual([f.name, true]);
});

test("every test file it names exists", () => {
  const named = [...readme.matchAll(/\b([a-z0-9]+\/[a-z0-9.-]+\.test\.ts)\b/g)].map((m) => m[1]!);
  expect(named.length).toBeGreaterThan(15);
  expect(named.filter((f) => !existsSync(join(TESTS, f)))).toEqual([]);
});
