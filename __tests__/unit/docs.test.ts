// The documentation says what the code does: the configuration reference is the schema's own and the
// rules table the rules' own (regenerate with `npm run gen:docs`), review.json's fields are all
// documented, and every relative link in the README and docs/ resolves.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { REFERENCE_DOC, configReference, withReference } from "../../tools/generate-config-reference";
import { RULES_DOC, rulesReference, withRulesReference } from "../../tools/generate-rules-reference";
import { SECURITY_RULES } from "../../modules/rules";
import { reviewModelOf } from "../../modules/report/review-report";
import { GitlabRunnerStack } from "../../modules/constructs/gitlab-runner-stack";
import { Testing } from "cdktf";
import { DEFAULT_CONFIG } from "../../modules/app/default-config";
import { testApp } from "../support/helpers";
import { AWS_BINDING } from "../support/aws-binding";

const { rewriteSpecifiers } = require("../../tools/check-cdktn.js") as { rewriteSpecifiers: (text: string) => { text: string } };

function synth() {
  const stack = new GitlabRunnerStack(testApp(), "docs", DEFAULT_CONFIG);
  Testing.synth(stack, true);
  return { stack };
}

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

test("docs/architecture.md holds the rules table generated from the rules (npm run gen:docs)", () => {
  const doc = readFileSync(RULES_DOC, "utf8");
  expect(withRulesReference(doc, rulesReference())).toBe(doc);
  for (const rule of SECURITY_RULES) expect(doc).toContain(`| \`${rule.id}\` |`);
});

test("docs/review-json.md names every field review.json holds", () => {
  const doc = readFileSync(join(ROOT, "docs", "review-json.md"), "utf8");
  const model = JSON.parse(JSON.stringify(reviewModelOf(synth().stack.runners)));
  const keys = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        // Conditions as written are data (IAM operators and keys), not fields.
        if (k === "conditions" || k === "condition") continue;
        keys.add(k);
        walk(x);
      }
    }
  };
  walk(model);
  expect([...keys].filter((k) => !doc.includes(`\`${k}\``)).sort()).toEqual([]);
  expect(doc).toContain(`\`version\` is **${model.version}**`);
});

test("the README's library example compiles as written (strict, against the package's entry)", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## As a library"));
  const written = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  expect(written).toBeDefined();
  // In the cdktn variant (npm run check:cdktn), with the same package swap its code gets.
  const snippet = AWS_BINDING === "@cdktf/provider-aws" ? written! : rewriteSpecifiers(written!).text;
  // Under node_modules/.cache, so that cdktf and the provider binding resolve as in a consumer's project.
  mkdirSync(join(ROOT, "node_modules", ".cache"), { recursive: true });
  const dir = mkdtempSync(join(ROOT, "node_modules", ".cache", "readme-snippet-"));
  try {
    writeFileSync(join(dir, "snippet.ts"), snippet);
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          target: "ES2022",
          module: "commonjs",
          types: ["node"],
          skipLibCheck: true,
          baseUrl: ".",
          paths: { "gitlab-runner-ecr": [join(ROOT, "index.ts")] },
        },
        files: ["snippet.ts"],
      }),
    );
    const run = spawnSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", dir], { encoding: "utf8" });
    expect(run.stdout + run.stderr).toBe("");
    expect(run.status).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
