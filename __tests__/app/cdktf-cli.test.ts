// The app through the cdktf CLI, as `npx cdktf synth` runs it: one document per stack folder when
// JSON and HCL alternate in the same output folder, warnings printed once (by the CLI, from
// manifest.json), and a security rule failure that says how to acknowledge it.
import { spawnSync } from "node:child_process";
import { readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { TERRAFORM_ENV } from "../support/system-tools";
import { tempFolder } from "../support/temp-folder";

const ROOT = join(__dirname, "..", "..");
let dir: string;
beforeAll(() => (dir = tempFolder("gre-cdktf-cli-")));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `cdktf synth` with this test's Node (CI runs the tests on Node 20, 22, 24 and 26). */
function cdktf(args: string[], env: Record<string, string> = {}) {
  const all: NodeJS.ProcessEnv = { ...TERRAFORM_ENV, CI: "1", ...env };
  delete all.NODE_OPTIONS; // the CLI warns about a NODE_OPTIONS without a heap size (npm run bench sets one)
  const bin = join(ROOT, "node_modules", ".bin", "cdktf");
  return spawnSync(process.execPath, [bin, "synth", ...args, "--output", join(dir, "out")], { cwd: ROOT, env: all, encoding: "utf8" });
}

/** A configuration file of one fleet (a YAML flow mapping), next to the output. */
function configWithFleet(file: string, fleet: string): string {
  const path = join(dir, file);
  writeFileSync(
    path,
    [
      "name: acme-runners",
      "aws: {region: eu-central-1, accountId: '111122223333'}",
      "network: {vpcId: vpc-0123456789abcdef0, subnetIds: [subnet-0123456789abcdef0]}",
      "gitlab: {url: 'https://gitlab.example.com'}",
      "ciImage: {repositoryName: ci/image, tag: '2.0.0'}",
      `fleets: [${fleet}]`,
      "",
    ].join("\n"),
  );
  return path;
}

const documents = () => readdirSync(join(dir, "out", "stacks", "gitlab-runners")).filter((f) => f.startsWith("cdk.tf"));

test("JSON then HCL then JSON into one output folder: each time exactly the document just written", () => {
  expect(cdktf([]).status).toBe(0);
  expect(documents()).toEqual(["cdk.tf.json"]);
  expect(cdktf(["--hcl"]).status).toBe(0);
  expect(documents()).toEqual(["cdk.tf"]);
  expect(cdktf([]).status).toBe(0);
  expect(documents()).toEqual(["cdk.tf.json"]);
}, 60_000);

test("a docker+machine warning shows once, as the CLI's WARN line", () => {
  const config = configWithFleet("machine.yaml", "{name: machine, executor: docker+machine, runnerTokenSsmParameter: /t, workers: {}}");
  const r = cdktf([], { GITLAB_RUNNER_ECR_CONFIG: config });
  expect(r.status).toBe(0);
  const output = r.stdout + r.stderr;
  expect(output.match(/GitLab removes the docker\+machine executor/g)).toHaveLength(1);
  expect(output).toContain("WARN [acme-runners/runners/machine]: GitLab removes the docker+machine executor in GitLab 20.0 (May 2027)");
  expect(output).not.toContain("[ERROR]");
}, 30_000);

test("a failing security rule says how to acknowledge it, not to skip validation", () => {
  const config = configWithFleet("docker.yaml", "{name: small, executor: docker, runnerTokenSsmParameter: /t}");
  const r = cdktf([], { GITLAB_RUNNER_ECR_CONFIG: config });
  expect(r.status).not.toBe(0);
  const output = r.stdout + r.stderr;
  expect(output).toContain("[acme-runners/runners/small/runner] jobs-not-on-manager:");
  expect(output).toContain("fleets[].acknowledge in the configuration file");
  expect(output).not.toMatch(/skipValidation/);
}, 30_000);
