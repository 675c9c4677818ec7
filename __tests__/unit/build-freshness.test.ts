// The app command synthesizes compiled JS only when dist/ was built from the current sources;
// the decision rests on this content hash.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempFolder } from "../support/temp-folder";
const { sourceHash } = require("../../tools/build.js") as { sourceHash: (root?: string) => string };

let root: string;
beforeEach(() => {
  root = tempFolder("gre-build-");
  for (const d of ["modules/sub", "tools"]) mkdirSync(join(root, d), { recursive: true });
  for (const f of [
    "main.ts",
    "index.ts",
    "tsconfig.json",
    "tsconfig.build.json",
    "package-lock.json",
    "modules/a.ts",
    "modules/sub/b.ts",
    "tools/t.ts",
  ]) {
    writeFileSync(join(root, f), `// ${f}\n`);
  }
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

test("the same sources give the same hash", () => {
  expect(sourceHash(root)).toBe(sourceHash(root));
});

test.each(["main.ts", "modules/sub/b.ts", "tools/t.ts", "tsconfig.build.json", "package-lock.json"])(
  "editing %s changes the hash",
  (file) => {
    const before = sourceHash(root);
    writeFileSync(join(root, file), "// edited\n");
    expect(sourceHash(root)).not.toBe(before);
  },
);

test("a new module file changes the hash; files the build does not read do not", () => {
  const before = sourceHash(root);
  writeFileSync(join(root, "modules", "notes.md"), "notes");
  expect(sourceHash(root)).toBe(before);
  writeFileSync(join(root, "modules", "c.ts"), "export {};");
  expect(sourceHash(root)).not.toBe(before);
});

test("the project's own sources hash without error", () => {
  expect(sourceHash()).toMatch(/^[0-9a-f]{64}$/);
});
