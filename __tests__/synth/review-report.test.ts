// The plan-review report: deterministic, written next to cdk.tf.json by the app, quoted truthfully
// in the README, and its tables say exactly what the IAM evaluator allows.
import { reviewReport } from "../../modules/report/review-report";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Testing } from "cdktf";
import { RunnerStackConfigInput } from "../../modules/config/parse";
import { DEFAULT_CONFIG } from "../../modules/app/default-config";
import { GitlabRunnerStack } from "../../modules/constructs/gitlab-runner-stack";
import { acmeConfig as config, TerraformJson, testApp } from "../support/helpers";
import { concretePolicies, pick, simulateRequest } from "../support/iam-simulator";

const ROOT = resolve(__dirname, "..", "..");

function synthesized(config: RunnerStackConfigInput, id = "test"): { report: string; json: TerraformJson } {
  const stack = new GitlabRunnerStack(testApp(), id, config);
  const json = JSON.parse(Testing.synth(stack, true)) as TerraformJson;
  return { report: reviewReport(stack.runners), json };
}

interface Table {
  readonly policy: string;
  readonly columns: string[];
  readonly rows: Map<string, boolean[]>;
}

/** The report's per-role tables (keyed by the aws_iam_policy they show) and its resource legend. */
function parseReport(report: string): { tables: Table[]; arnOf: Map<string, string> } {
  const lines = report.split("\n");
  const cells = (line: string) =>
    line
      .split("|")
      .slice(1, -1)
      .map((c) => c.trim());
  const tables: Table[] = [];
  lines.forEach((line, i) => {
    const policy = /`aws_iam_policy\.([\w-]+)`$/.exec(line)?.[1];
    if (policy === undefined) return;
    const header = cells(lines[i + 2]!);
    const rows = new Map<string, boolean[]>();
    for (let j = i + 4; lines[j]?.startsWith("|"); j++) {
      const [action, ...marks] = cells(lines[j]!);
      rows.set(
        action!.replace(/`/g, ""),
        marks.map((m) => m === "✓"),
      );
    }
    tables.push({ policy, columns: header.slice(1), rows });
  });
  const legendStart = lines.indexOf("### Resources");
  const arnOf = new Map<string, string>([["any (`*`)", "*"]]);
  for (let j = legendStart + 4; lines[j]?.startsWith("|"); j++) {
    const [label, arn] = cells(lines[j]!);
    arnOf.set(label!, arn!.replace(/`/g, ""));
  }
  return { tables, arnOf };
}

// Actions probed in every column besides the table's own rows: what a role could wrongly have.
const PROBES = [
  "ecr:BatchGetImage",
  "ecr:PutImage",
  "ecr:InitiateLayerUpload",
  "ecr:DeleteRepository",
  "ecr:SetRepositoryPolicy",
  "s3:GetObject",
  "s3:PutObject",
  "s3:ListBucket",
  "s3:DeleteBucket",
  "s3:PutBucketPolicy",
];

describe.each(["docker", "docker+machine", "docker-autoscaler"] as const)("%s: the report's tables equal what IAM allows", (executor) => {
  const { report, json } = synthesized(config(executor));
  const { tables, arnOf } = parseReport(report);
  const documents = concretePolicies(json);

  test("one table per synthesized policy", () => {
    expect(tables.map((t) => t.policy).sort()).toEqual([...documents.keys()].sort());
  });

  test("✓ cells are allowed; empty cells and probed actions are not", async () => {
    let allowed = 0;
    let denied = 0;
    for (const table of tables) {
      const principal = `arn:aws:iam::111122223333:role/${table.policy}`;
      const policies = pick(documents, [table.policy]);
      const actions = new Set([...table.rows.keys(), ...PROBES]);
      for (const action of actions) {
        for (const [c, column] of table.columns.entries()) {
          const arn = arnOf.get(column);
          if (arn === undefined) throw new Error(`column ${column} is not in the Resources legend`);
          const resource = arn.endsWith("/*") ? `${arn.slice(0, -1)}runner/abc/project/1/default` : arn;
          const marked = table.rows.get(action)?.[c] ?? false;
          let decision: string;
          try {
            decision = (await simulateRequest(policies, principal, action, resource)).decision;
          } catch {
            decision = "not a valid request"; // e.g. an object action on the bucket ARN
          }
          expect([table.policy, action, column, decision]).toEqual([
            table.policy,
            action,
            column,
            marked ? "Allowed" : expect.not.stringMatching(/^Allowed$/),
          ]);
          if (marked) allowed++;
          else if (decision === "ImplicitlyDenied") denied++;
        }
      }
    }
    expect(allowed).toBeGreaterThan(10);
    expect(denied).toBeGreaterThan(10);
  });
});

describe("content", () => {
  const { report } = synthesized(config("docker-autoscaler"));

  test("names the image, the credential helper's registries and readable resources", () => {
    expect(report).toContain("- Default job image of every fleet: `111122223333.dkr.ecr.eu-central-1.amazonaws.com/ci/image:2.0.0`");
    expect(report).toContain("`111122223333.dkr.ecr.eu-central-1.amazonaws.com`, `444455556666.dkr.ecr.us-east-1.amazonaws.com`");
    expect(report).toContain(
      "| ECR `shared/tools` (444455556666, us-east-1) | `arn:aws:ecr:us-east-1:444455556666:repository/shared/tools` |",
    );
    expect(report).toContain("| objects in `acme-runner-cache` | `arn:aws:s3:::acme-runner-cache/*` |");
  });

  test("the Mermaid diagram shows manager, workers, roles and what each role does with each resource", () => {
    const diagram = report.slice(report.indexOf("```mermaid"));
    expect(diagram).toContain("f_manager -- starts --> f_workers");
    expect(diagram).toMatch(/f_workers_role -- "pull, push" --> (res\d+)[\s\S]*/);
    const web = /(res\d+)\[\("ECR apps\/web"\)\]/.exec(diagram)![1];
    const cache = /(res\d+)\[\("S3 bucket acme-runner-cache \(cache\)"\)\]/.exec(diagram)![1];
    expect(diagram).toContain(`f_workers_role -- "pull, push" --> ${web}`);
    expect(diagram).toContain(`f_manager_role -- "read, write" --> ${cache}`);
    expect(diagram).not.toContain(`f_workers_role -- "read, write" --> ${cache}`);
    expect(diagram).not.toContain(`f_manager_role -- "pull, push" --> ${web}`);
  });

  test("registries per fleet: f's job images come from two registries, u's from two (apps/base is not u's)", () => {
    expect(report).toContain(
      "- Fleet `f`: `111122223333.dkr.ecr.eu-central-1.amazonaws.com`, `444455556666.dkr.ecr.us-east-1.amazonaws.com`",
    );
    expect(report).toContain(
      "- Fleet `u`: `111122223333.dkr.ecr.eu-central-1.amazonaws.com`, `444455556666.dkr.ecr.us-east-1.amazonaws.com`",
    );
  });

  test("is byte-identical across synthesis runs", () => {
    expect(synthesized(config("docker-autoscaler")).report).toBe(report);
  });
});

describe("trust section", () => {
  const row = (report: string, fleet: string) => report.split("\n").find((l) => l.startsWith(`| \`${fleet}\` |`));

  test.each([
    [
      "docker",
      "| `f` | `docker` | **the manager** | **the manager role** | yes | 2 / – | – (the manager runs every job) | its own (`runner/<token>/project/<id>/…`) |",
    ],
    [
      "docker+machine",
      "| `f` | `docker+machine` | worker instances | the worker role | yes | 1 / 2 | 1 | its own (`runner/<token>/project/<id>/…`) |",
    ],
    [
      "docker-autoscaler",
      "| `f` | `docker-autoscaler` | worker instances | the worker role | yes | 1 / 2 | 1 | its own (`runner/<token>/project/<id>/…`) |",
    ],
  ] as const)("%s: where jobs run, the role they hold, privileged, hop limits, reuse, cache namespace", (executor, expected) => {
    expect(row(synthesized(config(executor)).report, "f")).toBe(expected);
  });

  test("a docker fleet says what the module adds to the role its jobs hold, and the acknowledgement", () => {
    const { report } = synthesized(config("docker"));
    expect(report).toContain(
      "- **Fleet `f`: jobs hold the manager role.** Besides the grants below, the module attaches to that role `ssm:GetParameter` and " +
        "`ssm:GetParameters` on the runner token parameter `/acme/runner-token` (a job can read the runner token and register a runner of its own)",
    );
    expect(report).toContain("Acknowledged: Test fixture: the docker executor's grants are under test");
  });

  test("a shared cache and reused workers show as such", () => {
    const c = config("docker-autoscaler") as any;
    c.cache.shareBetweenFleets = true;
    c.fleets[0].workers.maxJobsPerInstance = 20;
    expect(row(synthesized(c).report, "f")).toBe(
      "| `f` | `docker-autoscaler` | worker instances | the worker role | yes | 1 / 2 | 20 | **shared by every fleet** (`project/<id>/…`) |",
    );
  });

  test("the state warning follows the backend block: local and S3 without KMS warn, S3 with KMS does not", () => {
    const c = config("docker-autoscaler") as any;
    expect(synthesized(c).report).toContain("which is a local file. Use the S3 backend with a KMS key");
    c.backend = { type: "s3", bucket: "acme-state", key: "runners.tfstate", region: "eu-central-1" };
    expect(synthesized(c).report).toContain("which is S3, encrypted with S3-managed keys. Use the S3 backend with a KMS key");
    c.backend.kmsKeyId = "arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const report = synthesized(c).report;
    expect(report).toContain(
      "which is S3, encrypted with KMS key `arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab`.",
    );
    expect(report).not.toContain("Use the S3 backend with a KMS key");
  });

  test("the registries are read back from the synthesized install script, not from a parallel list", () => {
    const stack = new GitlabRunnerStack(testApp(), "test", config("docker-autoscaler"));
    const install = (stack.runners.fleets[0]!.module.inputs as any).runner_install;
    install.pre_install_script = install.pre_install_script.replace("444455556666.dkr.ecr.us-east-1", "999988887777.dkr.ecr.us-east-1");
    expect(reviewReport(stack.runners)).toContain(
      "- Fleet `f`: `111122223333.dkr.ecr.eu-central-1.amazonaws.com`, `999988887777.dkr.ecr.us-east-1.amazonaws.com`",
    );
  });
});

test("the app writes review.md next to cdk.tf.json, equal to the in-process report", () => {
  const dir = mkdtempSync(join(tmpdir(), "gre-review-"));
  try {
    const run = spawnSync(process.execPath, [join(ROOT, "dist", "main.js")], {
      cwd: dir,
      env: { PATH: process.env.PATH, CDKTF_OUTDIR: join(dir, "out") },
      encoding: "utf8",
    });
    expect(run.stderr).toBe("");
    const written = readFileSync(join(dir, "out", "stacks", "gitlab-runners", "review.md"), "utf8");
    expect(written).toBe(synthesized(DEFAULT_CONFIG, "gitlab-runners").report);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the README's excerpt is a verbatim part of the default report", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const excerpt = /<!-- review:start -->\n```markdown\n([\s\S]*?)\n```\n<!-- review:end -->/.exec(readme)?.[1];
  expect(excerpt).toBeDefined();
  expect(synthesized(DEFAULT_CONFIG, "gitlab-runners").report).toContain(excerpt!);
});
