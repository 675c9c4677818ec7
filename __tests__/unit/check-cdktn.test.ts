// The CDK Terrain variant's table-driven rewrite (tools/check-cdktn.js; `npm run check:cdktn` runs
// the whole check). Sample sources name packages through ${...} so that this file itself is left
// alone when the check rewrites the copy it runs in.
import { readFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");
const { SWAP, rewriteSpecifiers, variantManifest, comparable } = require("../../tools/check-cdktn.js") as {
  SWAP: [string, string, string][];
  rewriteSpecifiers: (text: string) => { text: string; count: number };
  variantManifest: () => Record<string, any>;
  comparable: (tf: Record<string, any>) => { copy: Record<string, any>; removed: Record<string, any> };
};

const cdktf = "cdktf";
const aws = "@cdktf/provider-aws";
const hcl2json = "@cdktf/hcl2json";

test("every import form is renamed, with its subpath, and nothing else is touched", () => {
  const source = [
    `import { App } from "${cdktf}";`,
    `import { IamPolicy } from '${aws}/lib/iam-policy';`,
    `export * from "${cdktf}";`,
    `import "${cdktf}";`,
    `const cli = require("${cdktf}-cli/package.json");`,
    `const where = require.resolve("${cdktf}");`,
    `const later = await import("${aws}/lib/s3-bucket");`,
    `jest.mock("${cdktf}");`,
    `import { parse } from "${hcl2json}";`,
  ].join("\n");
  const untouched = [
    `const pty = require("@cdktf/node-pty-prebuilt-multiarch");`,
    `const args = ["${cdktf}", "synth"]; // the CLI's bin name: aliased in the copy, not renamed`,
    `const config = "${cdktf}.json";`,
    `import { x } from "${cdktf}x";`,
    `import { y } from "./${cdktf}";`,
  ].join("\n");
  const { text, count } = rewriteSpecifiers(`${source}\n${untouched}`);
  expect(count).toBe(9);
  expect(text).toBe(
    [
      `import { App } from "cdktn";`,
      `import { IamPolicy } from '@cdktn/provider-aws/lib/iam-policy';`,
      `export * from "cdktn";`,
      `import "cdktn";`,
      `const cli = require("cdktn-cli/package.json");`,
      `const where = require.resolve("cdktn");`,
      `const later = await import("@cdktn/provider-aws/lib/s3-bucket");`,
      `jest.mock("cdktn");`,
      `import { parse } from "@cdktn/hcl2json";`,
      untouched,
    ].join("\n"),
  );
});

test("the committed variant manifest is package.json with the table applied, and its lockfile matches it", () => {
  const manifest = variantManifest();
  expect(JSON.parse(readFileSync(join(ROOT, "compat", "cdktn", "package.json"), "utf8"))).toEqual(manifest);
  const lock = JSON.parse(readFileSync(join(ROOT, "compat", "cdktn", "package-lock.json"), "utf8"));
  expect(lock.packages[""].dependencies).toEqual(manifest.dependencies);
  expect(lock.packages[""].devDependencies).toEqual(manifest.devDependencies);
  for (const [, to, version] of SWAP) {
    expect({ [to]: lock.packages[`node_modules/${to}`]?.version }).toEqual({ [to]: version });
  }
  expect(manifest.engines.node).toBe(">=22.19.0");
});

test("only the provider pin and source and the metadata are left out of the comparison", () => {
  const tf = {
    "//": { metadata: { version: "0.21.0", stackName: "s" }, outputs: { s: { x: "x" } } },
    terraform: { required_providers: { aws: { source: "aws", version: "6.25.0" } }, backend: { local: { path: "p" } } },
    resource: { aws_s3_bucket: { cache: { bucket: "b" } } },
  };
  const { copy, removed } = comparable(tf);
  expect(copy).toEqual({
    "//": { outputs: { s: { x: "x" } } },
    terraform: { required_providers: { aws: {} }, backend: { local: { path: "p" } } },
    resource: { aws_s3_bucket: { cache: { bucket: "b" } } },
  });
  expect(removed).toEqual({ metadata: { version: "0.21.0", stackName: "s" }, aws: { source: "aws", version: "6.25.0" } });
  expect(tf.terraform.required_providers.aws.version).toBe("6.25.0");
});
