// The ready-made app as users run it (compiled main.js, as cdktf.json's app command does).
// `npm test` builds dist/ before jest runs.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { tempFolder } from "../support/temp-folder";

const MAIN = resolve(__dirname, "..", "..", "dist", "main.js");
let dir: string;

beforeAll(() => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` (npm test does)`);
});
beforeEach(() => (dir = tempFolder("gre-cli-")));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function run(env: Record<string, string> = {}) {
  const outdir = join(dir, "out");
  const result = spawnSync(process.execPath, [MAIN], {
    cwd: dir,
    env: { PATH: process.env.PATH, CDKTF_OUTDIR: outdir, ...env },
    encoding: "utf8",
  });
  return { ...result, outdir };
}

const VALID_YAML = `
name: acme-runners
aws:
  region: eu-central-1
  accountId: "210987654321"
network:
  vpcId: vpc-0a1b2c3d4e5f60718
  subnetIds: [subnet-0a1b2c3d4e5f60718]
gitlab:
  url: https://gitlab.acme.internal
ciImage:
  repositoryName: ci/image
  tag: "2.0.0"
fleets:
  - name: small
    executor: docker-autoscaler
    runnerTokenSsmParameter: /acme/runner-token
    workers: {}
`;

test("with no configuration named, the embedded default synthesizes", () => {
  const r = run();
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  const json = JSON.parse(readFileSync(join(r.outdir, "stacks", "gitlab-runners", "cdk.tf.json"), "utf8"));
  expect(Object.keys(json.module).sort()).toEqual(["runner_autoscaler", "runner_merge-requests"]);
});

test("a YAML file named by GITLAB_RUNNER_ECR_CONFIG synthesizes that configuration", () => {
  writeFileSync(join(dir, "runners.yaml"), VALID_YAML);
  const r = run({ GITLAB_RUNNER_ECR_CONFIG: "runners.yaml" });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  const json = JSON.parse(readFileSync(join(r.outdir, "stacks", "acme-runners", "cdk.tf.json"), "utf8"));
  expect(json.module.runner_small.runner_worker_docker_options.image).toBe(
    "210987654321.dkr.ecr.eu-central-1.amazonaws.com/ci/image:2.0.0",
  );
});

test("a JSON file works too", () => {
  writeFileSync(join(dir, "runners.json"), JSON.stringify(require("yaml").parse(VALID_YAML)));
  const r = run({ GITLAB_RUNNER_ECR_CONFIG: join(dir, "runners.json") });
  expect(r.status).toBe(0);
  expect(existsSync(join(r.outdir, "stacks", "acme-runners", "cdk.tf.json"))).toBe(true);
});

test("bad input: exit 1, one line per problem naming the field, no stack trace, nothing written", () => {
  const bad = VALID_YAML.replace('accountId: "210987654321"', "accountId: 210987654321")
    .replace("executor: docker-autoscaler", "executor: shell")
    .replace("url: https://", "url: http://");
  writeFileSync(join(dir, "runners.yaml"), bad);
  const r = run({ GITLAB_RUNNER_ECR_CONFIG: "runners.yaml" });
  expect(r.status).toBe(1);
  expect(r.stdout).toBe("");
  const lines = r.stderr.trimEnd().split("\n");
  expect(lines[0]).toBe(`Invalid configuration (${join(dir, "runners.yaml")}):`);
  expect(lines.slice(1)).toEqual([
    "  - aws.accountId: must be a string (got a number; quote it)",
    "  - gitlab.url: must use https:// (the runner token travels over this connection)",
    '  - fleets[0].executor: must be one of "docker", "docker+machine" or "docker-autoscaler"',
  ]);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(existsSync(r.outdir) ? readdirSync(r.outdir) : []).toEqual([]);
});

test("a token in the file is refused without echoing it", () => {
  writeFileSync(join(dir, "runners.yaml"), VALID_YAML.replace("/acme/runner-token", "glrt-t1_AbCdEfGhIjKlMnOp"));
  const r = run({ GITLAB_RUNNER_ECR_CONFIG: "runners.yaml" });
  expect(r.status).toBe(1);
  expect(r.stderr).toContain("fleets[0].runnerTokenSsmParameter: the value looks like a GitLab runner authentication token");
  expect(r.stderr).not.toContain("AbCdEfGhIjKlMnOp");
});

test("a missing file and a malformed file are named clearly", () => {
  const missing = run({ GITLAB_RUNNER_ECR_CONFIG: "nope.yaml" });
  expect(missing.status).toBe(1);
  expect(missing.stderr).toContain("GITLAB_RUNNER_ECR_CONFIG: cannot read the file (ENOENT)");

  writeFileSync(join(dir, "broken.yaml"), "name: [unclosed\n");
  const broken = run({ GITLAB_RUNNER_ECR_CONFIG: "broken.yaml" });
  expect(broken.status).toBe(1);
  expect(broken.stderr).toMatch(/\(file\): not valid YAML at line 2: a \[ … \] list above is not closed: end it with \]/);
  expect(broken.stderr).not.toMatch(/^\s+at /m);
});

test("the cdktf.json context value `config` names a file too", () => {
  writeFileSync(join(dir, "runners.yaml"), VALID_YAML);
  const r = run({ CDKTF_CONTEXT_JSON: JSON.stringify({ config: "runners.yaml" }) });
  expect(r.stderr).toBe("");
  expect(existsSync(join(r.outdir, "stacks", "acme-runners", "cdk.tf.json"))).toBe(true);
});

test("the shipped example configuration is valid and synthesizes", () => {
  const r = run({ GITLAB_RUNNER_ECR_CONFIG: resolve(__dirname, "..", "..", "examples", "runners.example.yaml") });
  // Its only output: the placeholder warning (below).
  expect(r.stderr).toMatch(/^warning: \[acme-runners\] runners\.example\.yaml still holds the example's placeholder values: [^\n]*\n$/);
  expect(r.status).toBe(0);
  const json = JSON.parse(readFileSync(join(r.outdir, "stacks", "acme-runners", "cdk.tf.json"), "utf8"));
  expect(json.terraform.backend.s3.use_lockfile).toBe(true);
  expect(Object.keys(json.module).sort()).toEqual(["runner_scale", "runner_small"]);
});

test("synthesizing in two different folders gives byte-identical JSON with no machine path in it", () => {
  const first = run();
  const otherDir = tempFolder("gre-cli-other-");
  try {
    const second = spawnSync(process.execPath, [MAIN], {
      cwd: otherDir,
      env: { PATH: process.env.PATH, CDKTF_OUTDIR: join(otherDir, "out") },
      encoding: "utf8",
    });
    expect(second.status).toBe(0);
    const a = readFileSync(join(first.outdir, "stacks", "gitlab-runners", "cdk.tf.json"), "utf8");
    const b = readFileSync(join(otherDir, "out", "stacks", "gitlab-runners", "cdk.tf.json"), "utf8");
    expect(b).toBe(a);
    for (const machineSpecific of [dir, otherDir, tmpdir(), resolve(__dirname, "..", "..")]) {
      expect(a).not.toContain(machineSpecific);
    }
  } finally {
    rmSync(otherDir, { recursive: true, force: true });
  }
});

describe("one Terraform document per stack folder, whatever came before", () => {
  const documents = (outdir: string) =>
    readdirSync(join(outdir, "stacks", "gitlab-runners"))
      .filter((f) => f.startsWith("cdk.tf"))
      .sort();

  test("JSON, then HCL, then JSON again", () => {
    const json = run();
    expect(documents(json.outdir)).toEqual(["cdk.tf.json"]);
    const hcl = run({ SYNTH_HCL_OUTPUT: "true" });
    expect(hcl.status).toBe(0);
    expect(documents(hcl.outdir)).toEqual(["cdk.tf"]);
    expect(readFileSync(join(hcl.outdir, "stacks", "gitlab-runners", "cdk.tf"), "utf8")).toContain('module "runner_autoscaler"');
    expect(documents(run().outdir)).toEqual(["cdk.tf.json"]);
  });

  test("HCL first, then JSON; files of the user's own in the stack folder stay, stale policy parts go", () => {
    const hcl = run({ SYNTH_HCL_OUTPUT: "true" });
    writeFileSync(join(hcl.outdir, "stacks", "gitlab-runners", ".terraform.lock.hcl"), "# the user's\n");
    // A part of a larger deployer policy an earlier synthesis wrote: not this synthesis's, so removed.
    writeFileSync(join(hcl.outdir, "stacks", "gitlab-runners", "deployer-policy.9.json"), "{}\n");
    const json = run();
    expect(documents(json.outdir)).toEqual(["cdk.tf.json"]);
    expect(readdirSync(join(json.outdir, "stacks", "gitlab-runners")).sort()).toEqual([
      ".terraform.lock.hcl",
      "cdk.tf.json",
      "deployer-policy.1.json",
      "deployer-policy.2.json",
      "deployer-policy.json",
      "review.json",
      "review.md",
    ]);
  });
});

test("a docker+machine fleet synthesizes with its deprecation warning, printed once", () => {
  writeFileSync(join(dir, "runners.yaml"), VALID_YAML.replace("executor: docker-autoscaler", "executor: docker+machine"));
  const r = run({ GITLAB_RUNNER_ECR_CONFIG: "runners.yaml" });
  expect(r.status).toBe(0);
  expect(r.stderr).toBe(
    "warning: [acme-runners/runners/small] GitLab removes the docker+machine executor in GitLab 20.0 (May 2027). " +
      "Move this fleet before then: set executor: docker-autoscaler (the workers' settings carry over; workers.subnetId goes). " +
      "Meanwhile its workers share one security group that accepts SSH (22) and the Docker API (2376) from every worker of the fleet, and docker-machine's client certificates come from one CA per manager: a privileged job can reach the jobs running at the same time on sibling workers. docker-autoscaler workers accept connections from their manager only.\n",
  );
});

// The holes of #18 that the configuration refuses, once each through the compiled app (the corpus
// runs every case in process): exit 1, the field named, no stack trace, nothing written.
const SECOND_FLEET = `  - name: large
    executor: docker-autoscaler
    runnerTokenSsmParameter: /acme/large-token
    workers: {}
`;
test.each([
  [
    "push into the implied ECR Public pull-through prefix, by ARN",
    `${VALID_YAML}repositories:\n  - arn: arn:aws:ecr:eu-central-1:210987654321:repository/ecr-public/docker/library/docker\n    push: [small]\n`,
    "repositories[0].push: gives push on ecr-public/docker/library/docker, a pull-through cache repository",
  ],
  [
    "one runner token for two fleets, spelt with and without the leading / of a simple name",
    `${VALID_YAML.replace("/acme/runner-token", "runner-token")}${SECOND_FLEET.replace("/acme/large-token", "/runner-token")}`,
    'fleets[1].runnerTokenSsmParameter: "/runner-token" is the parameter fleets[0].runnerTokenSsmParameter names too',
  ],
  [
    "the cache bucket as the state bucket",
    `${VALID_YAML}cache:\n  bucketName: acme-state\nbackend:\n  type: s3\n  bucket: acme-state\n  key: runners.tfstate\n  region: eu-central-1\n`,
    "cache.bucketName: is the state bucket (backend.bucket)",
  ],
  [
    "a credentialed upstream without its fleets",
    `${VALID_YAML}pullThroughCache:\n  - prefix: docker-hub\n    upstream: registry-1.docker.io\n    credentialArn: arn:aws:secretsmanager:eu-central-1:210987654321:secret:ecr-pullthroughcache/docker-hub-AbCdEf\n`,
    "pullThroughCache[0].pull:",
  ],
  ["a fleet named constructor", VALID_YAML.replace("name: small", "name: constructor"), "fleets[0].name:"],
  [
    "two pull-through prefixes that are one Terraform address",
    `${VALID_YAML}pullThroughCache:\n  - prefix: k8s.io\n    upstream: registry.k8s.io\n  - prefix: k8s_io\n    upstream: quay.io\n`,
    "pullThroughCache[1].prefix: gives the same Terraform address as pullThroughCache[0].prefix",
  ],
])("refused through the compiled app: %s", (_label, yaml, field) => {
  writeFileSync(join(dir, "runners.yaml"), yaml);
  const r = run({ GITLAB_RUNNER_ECR_CONFIG: "runners.yaml" });
  expect(r.status).toBe(1);
  expect(r.stderr).toContain(`  - ${field}`);
  expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+|There is already a Construct/);
  expect(existsSync(r.outdir)).toBe(false);
});

test("a docker+machine fleet's review.md says its workers reach their siblings, and points to docker-autoscaler", () => {
  writeFileSync(join(dir, "runners.yaml"), VALID_YAML.replace("executor: docker-autoscaler", "executor: docker+machine"));
  const r = run({ GITLAB_RUNNER_ECR_CONFIG: "runners.yaml" });
  expect(r.status).toBe(0);
  const review = readFileSync(join(r.outdir, "stacks", "acme-runners", "review.md"), "utf8");
  const note = review.split("\n").find((l) => l.startsWith("- **Fleet `small` (`docker+machine`):"));
  expect(note).toContain("SSH (22) and the Docker API (2376) from every worker of the fleet");
  expect(note).toContain("sibling workers");
  expect(note).toContain("docker-autoscaler workers accept connections from their manager only");
});

test("the cache bucket reaches the runners by reference, and every S3 grant holds only in the stack's own account", () => {
  writeFileSync(join(dir, "runners.yaml"), VALID_YAML);
  const r = run({ GITLAB_RUNNER_ECR_CONFIG: "runners.yaml" });
  expect(r.status).toBe(0);
  const json = JSON.parse(readFileSync(join(r.outdir, "stacks", "acme-runners", "cdk.tf.json"), "utf8"));
  // By reference: Terraform creates the bucket before a runner is given its name, and stops there if another account holds it.
  expect(json.resource.aws_s3_bucket.cache.bucket).toBe("acme-runners-cache-210987654321-eu-central-1");
  expect(json.module.runner_small.runner_worker_cache.bucket).toBe("${aws_s3_bucket.cache.bucket}");
  // Bucket names are global: a grant without the owner's account would follow the name into another account.
  const statements = Object.values(json.resource.aws_iam_policy as Record<string, { policy: string }>).flatMap(
    (p) => JSON.parse(p.policy).Statement as { Action: string | string[]; Condition?: unknown }[],
  );
  const s3 = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith("s3:")));
  expect(s3.length).toBeGreaterThanOrEqual(2);
  for (const s of s3) expect(s.Condition).toEqual({ StringEquals: { "s3:ResourceAccount": "210987654321" } });
});

test("a build cache with two writers synthesizes once acknowledged with a reason; review.md names both writers and the reason", () => {
  const yaml =
    VALID_YAML +
    `  - name: large
    executor: docker-autoscaler
    runnerTokenSsmParameter: /acme/large-token
    workers: {}
repositories:
  - name: apps/web
    buildCache: true
    push: [small, large]
`;
  writeFileSync(join(dir, "runners.yaml"), yaml);
  const refused = run({ GITLAB_RUNNER_ECR_CONFIG: "runners.yaml" });
  expect(refused.status).toBe(1);
  expect(refused.stderr).toContain("  - repositories[0].push: lets 2 fleets (small, large) push to a repository with buildCache");
  writeFileSync(
    join(dir, "runners.yaml"),
    `${yaml}    acknowledge:\n      build-cache-one-writer: Both fleets build protected branches only\n`,
  );
  const r = run({ GITLAB_RUNNER_ECR_CONFIG: "runners.yaml" });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  const review = readFileSync(join(r.outdir, "stacks", "acme-runners", "review.md"), "utf8");
  const line = review.split("\n").find((l) => l.startsWith("Build caches:"));
  expect(line).toMatch(/`apps\/web` by the jobs of (`small`, `large`|`large`, `small`)\.$/);
  expect(review).toContain("Both fleets build protected branches only");
});

test("a security rule failure says how to acknowledge it, never to skip validation, and writes nothing", () => {
  writeFileSync(
    join(dir, "runners.yaml"),
    VALID_YAML.replace("executor: docker-autoscaler", "executor: docker").replace("    workers: {}\n", ""),
  );
  const r = run({ GITLAB_RUNNER_ECR_CONFIG: "runners.yaml" });
  expect(r.status).toBe(1);
  expect(r.stderr.split("\n")[0]).toBe("error: synthesis stopped by these checks; nothing was written:");
  expect(r.stderr).toContain("  [acme-runners/runners/small/runner] jobs-not-on-manager: ");
  expect(r.stderr).toContain("fleets[].acknowledge in the configuration file");
  expect(r.stderr).not.toMatch(/skipValidation|skip validation/i);
  expect(existsSync(r.outdir)).toBe(false);
});

describe("a configuration copied from the example and not filled in", () => {
  const EXAMPLE = resolve(__dirname, "..", "..", "examples", "runners.example.yaml");

  test("synthesizes with one warning naming each field that still holds a documentation placeholder", () => {
    const r = run({ GITLAB_RUNNER_ECR_CONFIG: EXAMPLE });
    expect(r.status).toBe(0);
    const lines = r.stderr.split("\n").filter((l) => l !== "");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^warning: \[acme-runners\] runners\.example\.yaml still holds the example's placeholder values: /);
    // Written from reading the example: the account (alone and in two ARNs), the other account's
    // repository, the VPC, both subnets and the GitLab host. No value is echoed.
    for (const field of [
      "aws.accountId (an account id from AWS's documentation)",
      "network.vpcId (the example's id)",
      "network.subnetIds[0] (the example's id)",
      "network.subnetIds[1] (the example's id)",
      "gitlab.url (a host reserved for documentation)",
      "repositories[1].arn (an account id from AWS's documentation)",
      "pullThroughCache[1].credentialArn (an account id from AWS's documentation)",
      "backend.kmsKeyId (an account id from AWS's documentation)",
    ]) {
      expect(lines[0]).toContain(field);
    }
    expect(lines[0].match(/ \(/g)).toHaveLength(8);
    expect(lines[0]).not.toMatch(/111122223333|vpc-0|subnet-0|gitlab\.example\.com/);
  });

  test("filled in with real-looking ids, it synthesizes without a warning", () => {
    const filled = readFileSync(EXAMPLE, "utf8")
      .replaceAll("111122223333", "210987654321")
      .replaceAll("444455556666", "310987654321")
      .replaceAll("vpc-0123456789abcdef0", "vpc-0a1b2c3d4e5f60718")
      .replaceAll("subnet-0123456789abcdef0", "subnet-0a1b2c3d4e5f60718")
      .replaceAll("subnet-0fedcba9876543210", "subnet-08f7e6d5c4b3a2910")
      .replaceAll("gitlab.example.com", "gitlab.acme.internal");
    writeFileSync(join(dir, "runners.yaml"), filled);
    const r = run({ GITLAB_RUNNER_ECR_CONFIG: "runners.yaml" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  test("a subdomain of a reserved name, or one in a URL with a port, is a placeholder too; a name merely containing one is not", () => {
    for (const [url, warns] of [
      ["https://ci.gitlab.example.org:8443", true],
      ["https://example.net", true],
      ["https://gitlab.notexample.com", false],
      ["https://example.com.acme.internal", false],
    ] as const) {
      writeFileSync(join(dir, "runners.yaml"), VALID_YAML.replaceAll("https://gitlab.acme.internal", url));
      const r = run({ GITLAB_RUNNER_ECR_CONFIG: "runners.yaml" });
      expect(r.status).toBe(0);
      expect(r.stderr.includes("gitlab.url (a host reserved for documentation)")).toBe(warns);
    }
  });
});
