// review:diff through the command: two syntheses (folders with review.json, or git refs) compared by
// effect. Each case changes one thing in a configuration and states by hand what a reviewer must be
// told: the class (broadening, narrowing, neutral), the fleet and role, the resource, the actions.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Testing } from "cdktf";
import { RunnerStackConfigInput } from "../../modules/config/parse";
import { GitlabRunnerStack } from "../../modules/constructs/gitlab-runner-stack";
import { ReviewDiff } from "../../modules/model/review-diff";
import { ReviewModel } from "../../modules/model/review-model";
import { reviewModelOf } from "../../modules/report/review-report";
import { runReviewDiff } from "../../modules/app/review-diff-command";
import { configWith, testApp } from "../support/helpers";
import { tempFolder } from "../support/temp-folder";
import { GITLAB_BINDING_USABLE } from "../support/cdk-variant";

const ROOT = join(__dirname, "..", "..");
// Each case synthesizes; the git-ref case synthesizes twice through npm: slow on a loaded machine.
jest.setTimeout(60_000);
const scratch = tempFolder("gre-review-diff-");
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let n = 0;
/** A stack folder holding the review.json of `config` (synthesized in process), or of a doctored model. */
function folderOf(config: RunnerStackConfigInput | ReviewModel): string {
  const dir = join(scratch, `side-${n++}`);
  mkdirSync(dir, { recursive: true });
  let model: ReviewModel;
  if ("schema" in config) model = config;
  else {
    const stack = new GitlabRunnerStack(testApp(), "gitlab-runners", config);
    Testing.synth(stack, true);
    model = reviewModelOf(stack.runners);
  }
  writeFileSync(join(dir, "review.json"), JSON.stringify(model));
  return dir;
}

function modelOf(config: RunnerStackConfigInput): ReviewModel {
  return JSON.parse(readFileSync(join(folderOf(config), "review.json"), "utf8"));
}

/** Runs the command in process; returns its exit status, output and the written diff. */
function diff(args: string[], cwd = scratch): { status: number; stdout: string; stderr: string; json: ReviewDiff; md: string } {
  let stdout = "";
  let stderr = "";
  const out = join(scratch, `out-${n++}`);
  const status = runReviewDiff({
    argv: [...args, "--out", out],
    env: process.env,
    cwd,
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
  });
  const read = (f: string) => {
    try {
      return readFileSync(join(out, f), "utf8");
    } catch {
      return "";
    }
  };
  return {
    status,
    stdout,
    stderr,
    json: (read("review-diff.json") ? JSON.parse(read("review-diff.json")) : undefined) as ReviewDiff,
    md: read("review-diff.md"),
  };
}

const lines = (d: ReviewDiff, cls?: string) => d.changes.filter((c) => cls === undefined || c.class === cls).map((c) => c.text);

/** The bullet lines under review-diff.md's heading starting with `heading` ("Broadening", …), [] when absent. */
function mdSection(md: string, heading: string): string[] {
  const at = md.split("\n## ").find((s) => s.startsWith(heading));
  return at === undefined ? [] : at.split("\n").filter((l) => l.startsWith("- "));
}

const BASE = configWith({});
const base = folderOf(BASE);

test("no change: one line, exit 0, also with the gate", () => {
  const r = diff([base, folderOf(BASE), "--fail-on", "broadening"]);
  expect(r.status).toBe(0);
  expect(r.json.changes).toEqual([]);
  expect(r.md).toContain("No change in access or trust between");
  expect(r.stdout.split("\n")[0]).toMatch(/^No change in access or trust/);
});

test("statements reordered, split and merged: no change reported", () => {
  const model = modelOf(BASE);
  const doctored: ReviewModel = {
    ...model,
    roles: model.roles.map((r) => ({
      ...r,
      // Reverse the order and split every statement into one per resource.
      statements: [...r.statements]
        .reverse()
        .flatMap((s) => (s.resources.length > 1 ? s.resources.map((res) => ({ ...s, resources: [res] })) : [s])),
    })),
  };
  // Not vacuous: some statement named several resources.
  const count = (m: ReviewModel) => m.roles.flatMap((r) => r.statements).length;
  expect(count(doctored)).toBeGreaterThan(count(model));
  const split = folderOf(doctored);
  expect(diff([base, split]).json.changes).toEqual([]);
  // The other way round, the split statements are merged back.
  expect(diff([split, base]).json.changes).toEqual([]);
});

test("a fleet added to a push list: broadening, naming the fleet, its jobs' role, the repository and the actions; the gate exits 2", () => {
  const head = configWith({
    repositories: [{ name: "apps/example-app", push: ["autoscaler", "merge-requests"], usedAsJobImage: true, buildCache: true }],
  });
  // A second build-cache writer needs its reason (build-cache-one-writer).
  (head.repositories![0] as any).acknowledge = { "build-cache-one-writer": "Both fleets build from protected branches only" };
  const r = diff([base, folderOf(head), "--fail-on", "broadening"]);
  expect(r.status).toBe(2);
  expect(lines(r.json, "broadening")).toContain(
    "Fleet `merge-requests`, workers role (its jobs hold it) may now push on ECR `apps/example-app`: `ecr:CompleteLayerUpload`, `ecr:InitiateLayerUpload`, `ecr:PutImage`, `ecr:UploadLayerPart`",
  );
  expect(r.md.indexOf("## Broadening")).toBeLessThan(r.md.indexOf("## Neutral") < 0 ? Infinity : r.md.indexOf("## Neutral"));
  expect(r.stdout).toContain("broadening: Fleet `merge-requests`, workers role (its jobs hold it) may now push on ECR `apps/example-app`");
});

test("a fleet removed from a pull list: narrowing, and the gate lets it pass", () => {
  const head = configWith({
    repositories: [{ name: "apps/example-app", push: ["autoscaler"], pull: [], usedAsJobImage: true, buildCache: true }],
  });
  const r = diff([base, folderOf(head), "--fail-on", "broadening"]);
  expect(r.status).toBe(0);
  expect(lines(r.json, "broadening")).toEqual([]);
  expect(lines(r.json, "narrowing")).toEqual(
    expect.arrayContaining([
      "Fleet `merge-requests`, workers role (its jobs hold it) may no longer pull on ECR `apps/example-app`: `ecr:BatchCheckLayerAvailability`, `ecr:BatchGetImage`, `ecr:GetDownloadUrlForLayer`",
    ]),
  );
});

test("a docker fleet acknowledged: jobs now on the manager, with the module's grants they gain", () => {
  const head = configWith({});
  const fleet = head.fleets![1] as any;
  fleet.executor = "docker";
  delete fleet.workers;
  fleet.acknowledge = { "jobs-not-on-manager": "Trusted repositories only, reviewed by the platform team" };
  const r = diff([base, folderOf(head)]);
  const texts = lines(r.json, "broadening");
  expect(texts).toEqual(
    expect.arrayContaining([
      "Fleet `merge-requests`: executor `docker-autoscaler` → `docker`",
      "Fleet `merge-requests`: jobs run on `workers` → `manager`",
      expect.stringMatching(
        /^Fleet `merge-requests`: jobs now hold the manager role, and with it what the module grants it: .*`logs:PutLogEvents`.*`ssm:GetParameter`/,
      ),
      expect.stringMatching(
        /^Acknowledged `jobs-not-on-manager` at `gitlab-runners\/runners\/merge-requests\/runner`: .* Reason: Trusted repositories only/,
      ),
    ]),
  );
  // The module's own grants count on both sides: without workers to scale, the module no longer
  // gives the manager its docker-autoscaler instance policy (scaling the fleet's group).
  expect(lines(r.json, "narrowing")).toEqual(
    expect.arrayContaining([
      expect.stringMatching(
        /^Fleet `merge-requests`, manager role \(its jobs hold it\) may no longer use on `arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:\*:autoScalingGroupName\/gitlab-runners-merge-requests-asg`: .*`autoscaling:SetDesiredCapacity`/,
      ),
    ]),
  );
});

test("hop limit raised: broadening; runner version bumped: neutral, listed", () => {
  const r = diff([
    base,
    folderOf(configWith({ metadataHopLimit: 3, gitlab: { url: "https://gitlab.com", runnerVersion: "19.6.0" } } as any)),
  ]);
  expect(lines(r.json, "broadening")).toEqual(
    expect.arrayContaining([
      "Fleet `autoscaler`: metadata hop limit (workers) `2` → `3`",
      "Fleet `merge-requests`: metadata hop limit (workers) `2` → `3`",
    ]),
  );
  expect(lines(r.json, "neutral")).toEqual(expect.arrayContaining(["Fleet `autoscaler`: gitlab-runner version `19.5.2` → `19.6.0`"]));
  // Listed in review-diff.md too, under its class.
  expect(mdSection(r.md, "Broadening")).toContain("- Fleet `autoscaler`: metadata hop limit (workers) `2` → `3`");
  expect(mdSection(r.md, "Neutral")).toEqual(
    expect.arrayContaining([
      "- Fleet `autoscaler`: gitlab-runner version `19.5.2` → `19.6.0`",
      "- Fleet `merge-requests`: gitlab-runner version `19.5.2` → `19.6.0`",
    ]),
  );
});

test("cache shared between fleets: broadening, and the new paths between fleets", () => {
  const r = diff([base, folderOf(configWith({ cache: { shareBetweenFleets: true } } as any))]);
  expect(lines(r.json, "broadening")).toEqual(
    expect.arrayContaining([
      "Fleet `autoscaler`: cache namespace `own` → `shared`",
      "New path: the jobs of `merge-requests` can write objects in `gitlab-runners-cache-123456789012-eu-west-1` (uploads through URLs its manager signs, in a namespace every fleet shares); `autoscaler` restores its runner cache from it",
    ]),
  );
});

test("a widening to a wildcard shows as any other repository of the account", () => {
  const model = modelOf(BASE);
  const doctored: ReviewModel = {
    ...model,
    roles: model.roles.map((r) =>
      r.id !== "merge-requests/workers"
        ? r
        : {
            ...r,
            statements: [
              ...r.statements,
              {
                source: "aws_iam_policy.extra",
                effect: "Allow",
                actions: ["ecr:PutImage"],
                notActions: false,
                resources: ["arn:aws:ecr:eu-west-1:123456789012:repository/*"],
                notResources: false,
              },
              {
                source: "aws_iam_policy.extra",
                effect: "Allow",
                actions: ["ecr:BatchGetImage"],
                notActions: false,
                resources: ["arn:aws:ecr:*:*:repository/*"],
                notResources: false,
              },
            ],
          },
    ),
  };
  const texts = lines(diff([base, folderOf(doctored)]).json, "broadening");
  expect(texts).toContain(
    "Fleet `merge-requests`, workers role (its jobs hold it) may now push on any other repository of account `123456789012`: `ecr:PutImage`",
  );
  expect(texts).toContain(
    "Fleet `merge-requests`, workers role (its jobs hold it) may now push on ECR `ci/docker-ecr` (CI image): `ecr:PutImage`",
  );
  // Any account: no resource of either side is in another account, only the probe sees it.
  expect(texts).toContain(
    "Fleet `merge-requests`, workers role (its jobs hold it) may now pull on a repository of another account: `ecr:BatchGetImage`",
  );
});

// A grant on "*" itself is said on "*" once, but a repository is still named as one: "any (`*`)"
// alone would hide from the reviewer that the role now deletes repositories.
test('a widening to Resource "*" still shows on the repositories and the probes', () => {
  const model = modelOf(BASE);
  const doctored: ReviewModel = {
    ...model,
    roles: model.roles.map((r) =>
      r.id !== "merge-requests/workers"
        ? r
        : {
            ...r,
            statements: [
              ...r.statements,
              {
                source: "aws_iam_policy.extra",
                effect: "Allow",
                actions: ["ecr:BatchDeleteImage"],
                notActions: false,
                resources: ["*"],
                notResources: false,
              },
            ],
          },
    ),
  };
  const texts = lines(diff([base, folderOf(doctored)]).json, "broadening");
  const who = "Fleet `merge-requests`, workers role (its jobs hold it) may now";
  expect(texts).toContain(`${who} push on ECR \`apps/example-app\`: \`ecr:BatchDeleteImage\``);
  expect(texts).toContain(`${who} push on any other repository of account \`123456789012\`: \`ecr:BatchDeleteImage\``);
});

test("a repository removed: narrowing on it, though only the base names it", () => {
  const head = configWith({ repositories: [] });
  const r = diff([base, folderOf(head)]);
  expect(lines(r.json, "broadening")).toEqual([]);
  expect(lines(r.json, "narrowing")).toEqual(
    expect.arrayContaining([
      "Fleet `autoscaler`, workers role (its jobs hold it) may no longer push on ECR `apps/example-app`: `ecr:CompleteLayerUpload`, `ecr:InitiateLayerUpload`, `ecr:PutImage`, `ecr:UploadLayerPart`",
      "Fleet `merge-requests`, workers role (its jobs hold it) may no longer pull on ECR `apps/example-app`: `ecr:BatchCheckLayerAvailability`, `ecr:BatchGetImage`, `ecr:GetDownloadUrlForLayer`",
    ]),
  );
});

test("a fleet given a pull-through rule: broadening on the prefix, the import of upstream images included", () => {
  const only = (pull?: string[]) =>
    configWith({ pullThroughCache: [{ prefix: "ecr-public", upstream: "public.ecr.aws", ...(pull ? { pull } : {}) }] } as any);
  const r = diff([folderOf(only(["autoscaler"])), folderOf(only())]);
  expect(lines(r.json, "narrowing")).toEqual([]);
  expect(lines(r.json, "broadening")).toEqual(
    expect.arrayContaining([
      "Fleet `merge-requests`, workers role (its jobs hold it) may now pull on ECR `ecr-public/*` (pull-through cache of `public.ecr.aws`): `ecr:BatchCheckLayerAvailability`, `ecr:BatchGetImage`, `ecr:GetDownloadUrlForLayer`",
      "Fleet `merge-requests`, workers role (its jobs hold it) may now pull-through import on ECR `ecr-public/*` (pull-through cache of `public.ecr.aws`): `ecr:BatchImportUpstreamImage`, `ecr:CreateRepository`",
    ]),
  );
});

test("a fleet added: broadening, named with its executor, with what its jobs may now pull", () => {
  const head = configWith({});
  head.fleets = [
    ...head.fleets!,
    { ...head.fleets![1]!, name: "nightly", runnerTokenSsmParameter: "/gitlab-runners/nightly/runner-token" },
  ];
  const texts = lines(diff([base, folderOf(head)]).json, "broadening");
  expect(texts).toEqual(
    expect.arrayContaining([
      "Fleet `nightly` added (`docker-autoscaler`)",
      "Fleet `nightly`, workers role (its jobs hold it) may now pull on ECR `ci/docker-ecr` (CI image): `ecr:BatchCheckLayerAvailability`, `ecr:BatchGetImage`, `ecr:GetDownloadUrlForLayer`",
    ]),
  );
  // What nightly's roles may do on every resource is said once, on "*", not again on each ARN
  // another policy names: nightly gains nothing on the other fleets' parameters or groups.
  expect(texts).toContain("Fleet `nightly`, workers role (its jobs hold it) may now pull on any (`*`): `ecr:GetAuthorizationToken`");
  expect(texts.filter((t) => t.startsWith("Fleet `nightly`") && /gitlab-runners-(autoscaler|merge-requests)-/.test(t))).toEqual([]);
  expect(texts.filter((t) => t.includes("`ecr:GetAuthorizationToken`")).length).toBe(2);
});

/** A head with one change of each class: a new pusher of the CI image, a pull taken away, a runner release. */
function mixedHead(): RunnerStackConfigInput {
  const head = configWith({
    repositories: [{ name: "apps/example-app", push: ["autoscaler"], pull: [], usedAsJobImage: true, buildCache: true }],
    gitlab: { url: "https://gitlab.com", runnerVersion: "19.6.0" },
  } as any);
  head.ciImage = { ...head.ciImage!, push: ["autoscaler", "merge-requests"] };
  return head;
}

test("broadening first, then narrowing, then neutral: in review-diff.json, review-diff.md and the printed summary", () => {
  const r = diff([base, folderOf(mixedHead())]);
  const classes = r.json.changes.map((c) => c.class);
  expect(new Set(classes)).toEqual(new Set(["broadening", "narrowing", "neutral"]));
  const rank = { broadening: 0, narrowing: 1, neutral: 2 } as const;
  expect(classes).toEqual([...classes].sort((a, b) => rank[a] - rank[b]));
  expect(r.json.counts).toEqual({
    broadening: classes.filter((c) => c === "broadening").length,
    narrowing: classes.filter((c) => c === "narrowing").length,
    neutral: classes.filter((c) => c === "neutral").length,
  });
  const at = (h: string) => r.md.indexOf(`\n## ${h}`);
  expect(at("Broadening")).toBeGreaterThan(0);
  expect(at("Broadening")).toBeLessThan(at("Narrowing"));
  expect(at("Narrowing")).toBeLessThan(at("Neutral"));
  expect(mdSection(r.md, "Broadening")).toContain(
    "- Fleet `merge-requests`, workers role (its jobs hold it) may now push on ECR `ci/docker-ecr` (CI image): `ecr:CompleteLayerUpload`, `ecr:InitiateLayerUpload`, `ecr:PutImage`, `ecr:UploadLayerPart`",
  );
  expect(mdSection(r.md, "Narrowing")).toContain(
    "- Fleet `merge-requests`, workers role (its jobs hold it) may no longer pull on ECR `apps/example-app`: `ecr:BatchCheckLayerAvailability`, `ecr:BatchGetImage`, `ecr:GetDownloadUrlForLayer`",
  );
  expect(r.stdout.split("\n")[0]).toMatch(/^\d+ broadening, \d+ narrowing, \d+ neutral change\(s\) from /);
});

test("the gate's exit statuses: 2 only with --fail-on broadening and a broadening, 0 otherwise", () => {
  const head = folderOf(mixedHead());
  expect(diff([base, head]).status).toBe(0);
  expect(diff([base, head, "--fail-on", "broadening"]).status).toBe(2);
  // No change, and a narrowing alone, pass the gate: the first and the pull-list cases; errors exit 1: below.
});

test("errors exit 1, distinct from the gate: a missing side, a bad option", () => {
  const missing = diff([join(scratch, "no-such-folder")]);
  expect(missing.status).toBe(1);
  expect(missing.stderr).toMatch(/^review:diff: base: ".*no-such-folder" is neither a folder nor a git ref/);
  const bad = diff([base, base, "--fail-on", "everything"]);
  expect(bad.status).toBe(1);
  expect(bad.stderr).toContain('--fail-on takes "broadening", not "everything"');
});

test("the compiled bin: the gate's 2, an error's 1, and a reader that stops early (| true) is no crash", () => {
  const bin = join(ROOT, "dist", "modules", "app", "review-diff-main.js");
  const head = folderOf(mixedHead());
  const out = join(scratch, `out-${n++}`);
  // `| true` closes the pipe before the summary is written: EPIPE on stdout, which must not end in a stack trace.
  const shell = (args: string) =>
    spawnSync(
      "bash",
      ["-c", `node ${JSON.stringify(bin)} ${args} 2>${JSON.stringify(join(out, "..", `err-${n}`))} | true; exit \${PIPESTATUS[0]}`],
      {
        encoding: "utf8",
      },
    );
  const gated = shell(`${JSON.stringify(base)} ${JSON.stringify(head)} --out ${JSON.stringify(out)} --fail-on broadening`);
  expect(gated.status).toBe(2);
  expect(readFileSync(join(out, "..", `err-${n}`), "utf8")).toBe("");
  expect(JSON.parse(readFileSync(join(out, "review-diff.json"), "utf8")).counts.broadening).toBeGreaterThan(0);
  const error = spawnSync(process.execPath, [bin, join(scratch, "no-such-folder"), "--out", out], { encoding: "utf8" });
  expect(error.status).toBe(1);
  expect(error.stderr).not.toMatch(/\n\s+at /);
});

describe("base from a git ref, head from the working tree (a repository holding only a configuration)", () => {
  let repo: string;
  // The configuration lives in a subfolder, where the command runs: the ref's synthesis must run
  // in the same subfolder of its worktree.
  let deploy: string;
  beforeAll(() => {
    repo = join(scratch, "infra");
    deploy = join(repo, "deploy");
    mkdirSync(deploy, { recursive: true });
    const g = (...args: string[]) => execFileSync("git", args, { cwd: repo, stdio: "pipe" });
    g("init", "-q", "-b", "main");
    g("config", "user.email", "ci@example.com");
    g("config", "user.name", "CI");
    // The repository's synthesis runs this project's app on its own runners.yaml.
    writeFileSync(
      join(deploy, "package.json"),
      JSON.stringify({ private: true, scripts: { synth: `node ${JSON.stringify(join(ROOT, "dist", "main.js"))}` } }),
    );
    writeFileSync(join(deploy, "runners.json"), JSON.stringify(BASE));
    g("add", ".");
    g("commit", "-q", "-m", "base");
    const head = configWith({
      repositories: [{ name: "apps/example-app", push: ["autoscaler"], pull: [], usedAsJobImage: true, buildCache: true }],
    });
    writeFileSync(join(deploy, "runners.json"), JSON.stringify(head));
  });

  test("synthesizes the ref in a temporary worktree with the same configuration path, and the working tree as head", () => {
    const out = join(scratch, "ref-out");
    const run = spawnSync(process.execPath, [join(ROOT, "dist", "modules", "app", "review-diff-main.js"), "main", "--out", out], {
      cwd: deploy,
      env: { ...process.env, GITLAB_RUNNER_ECR_CONFIG: "runners.json" },
      encoding: "utf8",
    });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const d = JSON.parse(readFileSync(join(out, "review-diff.json"), "utf8")) as ReviewDiff;
    expect(d.base.label).toMatch(/^`main` \([0-9a-f]{12}\)$/);
    expect(d.head.label).toBe("the working tree");
    expect(d.counts.broadening).toBe(0);
    expect(
      lines(d, "narrowing").some((t) =>
        t.startsWith("Fleet `merge-requests`, workers role (its jobs hold it) may no longer pull on ECR `apps/example-app`"),
      ),
    ).toBe(true);
    // The worktree is gone.
    expect(execFileSync("git", ["worktree", "list"], { cwd: repo, encoding: "utf8" }).trim().split("\n")).toHaveLength(1);
  });
});

test("the README's example diff is what the command writes for it", () => {
  const head = configWith({});
  head.ciImage = { ...head.ciImage!, push: ["autoscaler", "merge-requests"] };
  const here = mkdtempSync(join(scratch, "readme-"));
  execFileSync("cp", ["-r", base, join(here, "base")]);
  execFileSync("cp", ["-r", folderOf(head), join(here, "head")]);
  const r = diff(["base", "head"], here);
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const excerpt = /<!-- review-diff:start -->\n```markdown\n([\s\S]*?)\n```\n<!-- review-diff:end -->/.exec(readme)?.[1];
  expect(`${excerpt}\n`).toBe(r.md);
});

// Registration by the stack needs the cdktf GitLab binding (support/cdk-variant.ts).
(GITLAB_BINDING_USABLE ? test : test.skip)(
  "the push fleet's runner unprotected, or taking untagged jobs: broadening; registered by the stack: neutral",
  () => {
    const reg = (gitlab: object) => {
      const c = configWith({}) as any;
      c.fleets[0].gitlab = gitlab;
      c.fleets[0].acknowledge = {
        ...c.fleets[0].acknowledge,
        "push-runner-protected": "Test fixture: an unprotected push runner on purpose",
      };
      return c;
    };
    const protectedSide = folderOf(reg({ scope: "group", id: 42, protected: true }));
    const r = diff([protectedSide, folderOf(reg({ scope: "group", id: 42, protected: false, runUntagged: true }))]);
    expect(lines(r.json, "broadening")).toEqual(
      expect.arrayContaining([
        "Fleet `autoscaler`: GitLab runner protected (only protected branches and tags) `true` → `false`",
        "Fleet `autoscaler`: GitLab runner runs untagged jobs `false` → `true`",
      ]),
    );
    const byStack = diff([base, protectedSide]);
    expect(lines(byStack.json, "neutral")).toEqual(
      expect.arrayContaining(["Fleet `autoscaler`: GitLab runner registered by `hand` → `stack`"]),
    );
    expect(lines(byStack.json, "broadening").filter((l) => l.includes("GitLab"))).toEqual([]);
  },
);
