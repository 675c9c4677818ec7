// The documentation says what the code does: the configuration reference is the schema's own
// (regenerate with `npm run gen:docs`), and every relative link in the README and docs/ resolves.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { REFERENCE_DOC, configReference, withReference } from "../../tools/generate-config-reference";

const ROOT = join(__dirname, "..", "..");

test("docs/configuration.md holds the reference generated from the schema (npm run gen:docs)", () => {
  const doc = readFileSync(REFERENCE_DOC, "utf8");
  expect(withReference(doc, configReference())).toBe(doc);
  // Every field of the schema is there, described.
  expect(doc).toContain("| `fleets[].workers.maxJobsPerInstance` | whole number 1–1000 | `1` |");
  expect(doc).toContain("| `pullThroughCache[].credentialArn` | string | optional | ARN of the Secrets Manager secret");
});

test("the generator sees a schema change (the drift check can fail)", () => {
  const doc = readFileSync(REFERENCE_DOC, "utf8");
  expect(withReference(doc, configReference().replace("whole number 1–1000 | `1`", "whole number 1–1000 | `2`"))).not.toBe(doc);
});

const DOCUMENTS = ["README.md", "docker/README.md", ...readdirSync(join(ROOT, "docs")).map((f) => `docs/${f}`)];

test.each(DOCUMENTS)("every relative link in %s resolves", (document) => {
  const text = readFileSync(join(ROOT, document), "utf8");
  const links = [...text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z]+:/.test(l));
  const broken = links.filter((l) => !existsSync(join(ROOT, dirname(document), l)));
  expect(broken).toEqual([]);
});

test("the README stays a front door: at most 12 KB, the quick start on the first screen", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(12 * 1024);
  expect(readme.split("\n").findIndex((l) => l === "## Quick start")).toBeLessThan(15);
});
