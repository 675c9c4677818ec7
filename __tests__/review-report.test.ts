// The plan-review report: deterministic, written next to cdk.tf.json by the app, quoted truthfully
// in the README, and its tables say exactly what the IAM evaluator allows.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Testing } from "cdktf";
import { RunnerStackConfigInput } from "../modules/config";
import { DEFAULT_CONFIG } from "../modules/default-config";
import { GitlabRunnerStack } from "../modules/gitlab-runner-stack";
import { acmeConfig as config, TerraformJson, testApp } from "./helpers";
import { concretePolicies, pick, simulateRequest } from "./iam-simulator";

const ROOT = resolve(__dirname, "..");

function synthesized(config: RunnerStackConfigInput, id = "test"): { report: string; json: TerraformJson } {
  const stack = new GitlabRunnerStack(testApp(), id, config);
  const json = JSON.parse(Testing.synth(stack, true)) as TerraformJson;
  return { report: stack.runners.reviewReport(), json };
}


interface Table {
  readonly policy: string;
  readonly columns: string[];
  readonly rows: Map<string, boolean[]>;
}

/** The report's per-role tables (keyed by the aws_iam_policy they show) and its resource legend. */
function parseReport(report: string): { tables: Table[]; arnOf: Map<string, string> } {
  const lines = report.split("\n");
  const cells = (line: string) => line.split("|").slice(1, -1).map((c) => c.trim());
  const tables: Table[] = [];
  lines.forEach((line, i) => {
    const policy = /`aws_iam_policy\.([\w-]+)`$/.exec(line)?.[1];
    if (policy === undefined) return;
    const header = cells(lines[i + 2]!);
    const rows = new Map<string, boolean[]>();
    for (let j = i + 4; lines[j]?.startsWith("|"); j++) {
      const [action, ...marks] = cells(lines[j]!);
      rows.set(action!.replace(/`/g, ""), marks.map((m) => m === "✓"));
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
          expect([table.policy, action, column, decision]).toEqual([table.policy, action, column, marked ? "Allowed" : expect.not.stringMatching(/^Allowed$/)]);
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
    expect(report).toContain("| ECR `shared/tools` (444455556666, us-east-1) | `arn:aws:ecr:us-east-1:444455556666:repository/shared/tools` |");
    expect(report).toContain("| objects in `acme-runner-cache` | `arn:aws:s3:::acme-runner-cache/*` |");
  });

  test("the Mermaid diagram shows manager, workers, roles and what each role does with each resource", () => {
    const diagram = report.slice(report.indexOf("```mermaid"));
    expect(diagram).toContain('f_manager -- starts --> f_workers');
    expect(diagram).toMatch(/f_workers_role -- "pull, push" --> (res\d+)[\s\S]*/);
    const web = /(res\d+)\[\("ECR apps\/web"\)\]/.exec(diagram)![1];
    const cache = /(res\d+)\[\("S3 bucket acme-runner-cache \(cache\)"\)\]/.exec(diagram)![1];
    expect(diagram).toContain(`f_workers_role -- "pull, push" --> ${web}`);
    expect(diagram).toContain(`f_manager_role -- "read, write" --> ${cache}`);
    expect(diagram).not.toContain(`f_workers_role -- "read, write" --> ${cache}`);
    expect(diagram).not.toContain(`f_manager_role -- "pull, push" --> ${web}`);
  });

  test("is byte-identical across synthesis runs", () => {
    expect(synthesized(config("docker-autoscaler")).report).toBe(report);
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
