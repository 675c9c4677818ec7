import { execFile, execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";
import { describeWithTools, findOnPath, requireTool, TERRAFORM_ENV } from "../support/system-tools";

/**
 * examples/infrastructure.gitlab-ci.yml, the pipeline of the repository that holds runners.yaml,
 * against its requirements (docs/operations.md, "Pipeline of the configuration repository"). The
 * expectations are written from those requirements, not read from the YAML. GitLab's semantics
 * (extends, rules, workflow, needs) come from gitlab-ci-local, as in example-pipeline.test.ts: its
 * --preview resolves every job and its --list-json says which jobs a pipeline runs.
 */

const root = join(__dirname, "..", "..");
const EXAMPLE = join(root, "examples", "infrastructure.gitlab-ci.yml");
const text = readFileSync(EXAMPLE, "utf8");
const GITLAB_CI_LOCAL = join(root, "node_modules", ".bin", "gitlab-ci-local");

const HOST = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";
const NODE_IMAGE = `${HOST}/ecr-public/docker/library/node:22`;
const TERRAFORM_IMAGE = `${HOST}/ecr-public/hashicorp/terraform:1.11`;
const MR_FLEET = "merge-requests";
const PROTECTED_FLEET = "infrastructure";
const STACK = "acme-runners";
/** Stand-ins for the CI/CD variables a project sets; not real accounts. */
const PLAN_ROLE = "arn:aws:iam::000000000000:role/test-plan";
const APPLY_ROLE = "arn:aws:iam::000000000000:role/test-apply";

const raw = parse(text) as { variables: Record<string, string> } & Record<string, unknown>;

/** $VAR and ${VAR} expanded from `variables` (GitLab expands these in variables and image names). */
function expand(value: string, variables: Record<string, string> = raw.variables): string {
  return value.replace(/\$\{?([A-Z_][A-Z0-9_]*)\}?/g, (m, name: string) => (name in variables ? expand(variables[name]!, variables) : m));
}

interface ResolvedJob {
  stage: string;
  image?: { name: string; entrypoint?: string[] };
  tags?: string[];
  needs?: { job: string; artifacts?: boolean }[];
  before_script?: string[];
  script: string[];
  variables?: Record<string, string>;
  rules?: { if?: string; when?: string; allow_failure?: boolean }[];
  allow_failure?: boolean | { exit_codes: number[] };
  id_tokens?: Record<string, { aud: string | string[] }>;
  environment?: { name: string; deployment_tier?: string; action?: string };
  resource_group?: string;
  interruptible?: boolean;
  artifacts?: {
    when?: string;
    access?: string;
    expose_as?: string;
    paths?: string[];
    exclude?: string[];
    reports?: { terraform?: string };
  };
}

describe("infrastructure pipeline: the file itself", () => {
  it("holds no secret: no access key, session token, JWT, runner token, password, account id or role ARN", () => {
    expect(text).not.toMatch(/\b(AKIA|ASIA)[0-9A-Z]{16}\b/);
    expect(text).not.toMatch(/AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID|AWS_SESSION_TOKEN|aws_secret|password/i);
    expect(text).not.toMatch(/\beyJ[A-Za-z0-9_-]{10,}/);
    expect(text).not.toMatch(/\bglrt-|\bglpat-/);
    expect(text).not.toMatch(/arn:aws:iam::/);
    expect(text).not.toMatch(/[A-Za-z0-9+/]{40}/);
  });

  it("never prints the OIDC token or traces the shell", () => {
    expect(text).not.toMatch(/(echo|cat)\s+"?\$\{?GITLAB_OIDC_TOKEN/);
    expect(text).not.toMatch(/set -[a-z]*x|set -o xtrace/);
    expect(text).not.toMatch(/assume-role-with-web-identity/); // the token goes to a file, not to the CLI's output
  });

  it("synthesizes runners.yaml", () => {
    expect(raw.variables.GITLAB_RUNNER_ECR_CONFIG).toBe("runners.yaml");
    expect(raw.variables.STACK_NAME).toBe(STACK);
  });
});

/** A throwaway repository holding the example as .gitlab-ci.yml on main. */
function makeRepo(dir: string, yaml: string): string {
  const repo = mkdtempSync(join(dir, "repo-"));
  const git = (...args: string[]) =>
    execFileSync("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.invalid", ...args], { stdio: "pipe" });
  git("init", "-q", "-b", "main");
  writeFileSync(join(repo, ".gitlab-ci.yml"), yaml);
  writeFileSync(join(repo, "runners.yaml"), "name: acme-runners\n");
  git("add", ".");
  git("commit", "-qm", "pipeline");
  git("remote", "add", "origin", "https://gitlab.example.com/platform/runners-config.git");
  git("update-ref", "refs/remotes/origin/main", "HEAD");
  git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main");
  return repo;
}

const run = promisify(execFile);
/** gitlab-ci-local in `repo`; stdout and stderr together, and the exit status. */
async function gitlabCiLocal(dir: string, repo: string, args: string[]): Promise<{ status: number; out: string; stdout: string }> {
  const predefined = "CI_PIPELINE_SOURCE,CI_COMMIT_BRANCH,CI_COMMIT_TAG";
  try {
    const r = await run(GITLAB_CI_LOCAL, ["--ignore-predefined-vars", predefined, ...args], {
      cwd: repo,
      env: { ...process.env, HOME: dir },
      maxBuffer: 16 << 20,
    });
    return { status: 0, out: `${r.stdout}\n${r.stderr}`, stdout: r.stdout };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { status: err.code ?? 1, out: `${err.stdout ?? ""}\n${err.stderr ?? ""}`, stdout: err.stdout ?? "" };
  }
}

const MR = ["--variable", "CI_PIPELINE_SOURCE=merge_request_event", "--unset-variable", "CI_COMMIT_BRANCH"];
const PLAN_ROLE_SET = ["--variable", `TF_PLAN_ROLE_ARN=${PLAN_ROLE}`];
const APPLY_ROLE_SET = ["--variable", `TF_APPLY_ROLE_ARN=${APPLY_ROLE}`];
/** The pipelines the example must handle, as gitlab-ci-local variables. */
const SCENARIOS = {
  "merge request, plan role protected (not visible)": [...MR],
  "merge request, plan role visible": [...MR, ...PLAN_ROLE_SET],
  "default branch, both roles": [...PLAN_ROLE_SET, ...APPLY_ROLE_SET],
  "default branch, no role set": [],
  "default branch, only the apply role set": [...APPLY_ROLE_SET],
  "other branch, no merge request": ["--variable", "CI_COMMIT_BRANCH=feature", ...PLAN_ROLE_SET, ...APPLY_ROLE_SET],
  tag: ["--variable", "CI_COMMIT_TAG=v1.0.0", "--unset-variable", "CI_COMMIT_BRANCH", ...PLAN_ROLE_SET, ...APPLY_ROLE_SET],
} as const;
type Scenario = keyof typeof SCENARIOS;

interface Listed {
  name: string;
  when: string;
  allow_failure: boolean | { exit_codes: number[] };
  needs?: { job: string }[];
}

describeWithTools([["git", "git"]])("infrastructure pipeline, resolved by gitlab-ci-local", () => {
  let dir: string;
  let repo: string;
  let jobs: Record<string, ResolvedJob>;
  /** Scenario -> the jobs that run. */
  const active: Partial<Record<Scenario, Map<string, Listed>>> = {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "gitlab-ci-local-"));
    repo = makeRepo(dir, text);
    const preview = await gitlabCiLocal(dir, repo, ["--preview"]);
    if (preview.status !== 0) throw new Error(preview.out);
    const resolved = parse(preview.stdout.slice(preview.stdout.indexOf("---"))) as Record<string, unknown>;
    jobs = Object.fromEntries(
      Object.entries(resolved).filter(([name, v]) => !name.startsWith(".") && typeof v === "object" && v !== null && "script" in v),
    ) as Record<string, ResolvedJob>;
    for (const scenario of Object.keys(SCENARIOS) as Scenario[]) {
      const r = await gitlabCiLocal(dir, repo, ["--list-json", ...SCENARIOS[scenario]]);
      if (r.status !== 0) throw new Error(`${scenario}: ${r.out}`);
      const listed = JSON.parse(r.stdout.slice(r.stdout.indexOf("["))) as Listed[];
      active[scenario] = new Map(listed.filter((j) => j.when !== "never").map((j) => [j.name, j]));
    }
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const runs = (scenario: Scenario) => [...active[scenario]!.keys()].sort();

  it("runs the right jobs in each pipeline, and every job a running job needs runs too", () => {
    expect(runs("merge request, plan role protected (not visible)")).toEqual(["review-diff", "review-diff:report"]);
    expect(runs("merge request, plan role visible")).toEqual(["plan:merge-request", "review-diff", "review-diff:report"]);
    expect(runs("default branch, both roles")).toEqual(["apply", "plan", "synth"]);
    expect(runs("default branch, no role set")).toEqual(["synth"]);
    expect(runs("default branch, only the apply role set")).toEqual(["synth"]);
    expect(runs("other branch, no merge request")).toEqual([]);
    expect(runs("tag")).toEqual([]);
    for (const scenario of Object.keys(SCENARIOS) as Scenario[]) {
      for (const [name, job] of active[scenario]!)
        for (const { job: need } of job.needs ?? [])
          expect(`${name} needs ${need}: ${active[scenario]!.has(need)}`).toBe(`${name} needs ${need}: true`);
    }
  });

  // gitlab-ci-local 4.72 lists jobs without applying workflow:rules (a job without rules is listed
  // for any branch), so the pipeline-level rules are checked as written.
  it("creates pipelines only for merge requests and the default branch (no duplicate branch pipeline)", () => {
    const workflow = raw.workflow as { rules: { if?: string; when?: string }[] };
    const conditions = workflow.rules.map((r) => r.if?.replace(/\s+/g, " "));
    expect(conditions).toEqual(['$CI_PIPELINE_SOURCE == "merge_request_event"', "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"]);
  });

  it("installs and synthesizes runners.yaml quietly before the diff and the plan", () => {
    for (const name of ["review-diff", "synth"]) {
      const job = jobs[name]!;
      expect([name, expand(job.image!.name)]).toEqual([name, NODE_IMAGE]);
      expect([name, job.before_script]).toEqual([name, [expect.stringMatching(/^npm ci\b/)]]);
      expect([name, job.script[0]]).toEqual([name, "npm run synth"]);
    }
    expect(jobs.synth!.artifacts!.paths).toEqual(["cdktf.out/stacks/"]);
  });

  it("diffs against the merge request's base with the broadening gate: exit 2 is an allowed failure, exit 1 fails", () => {
    const job = jobs["review-diff"]!;
    expect(job.script).toEqual([
      "npm run synth",
      // The head is the synthesis of the line above, not a second synthesis of the working tree.
      'npm run review:diff -- "$CI_MERGE_REQUEST_DIFF_BASE_SHA" cdktf.out --out review/ --fail-on broadening',
    ]);
    expect(job.allow_failure).toEqual({ exit_codes: [2] });
    expect(active["merge request, plan role visible"]!.get("review-diff")!.allow_failure).toEqual({ exit_codes: [2] });
    // The base commit is synthesized from git history: no shallow clone.
    expect(job.variables?.GIT_DEPTH).toBe("0");
    // Reports of a broadening diff are kept too (the job fails then).
    expect(job.artifacts!.when).toBe("always");
    expect(job.artifacts!.paths).toEqual(expect.arrayContaining(["review/review-diff.json", "review/review-diff.md"]));
    expect(job.artifacts!.expose_as).toBeUndefined();
  });

  it("exposes review-diff.md in the merge request as a single file path (no variable, glob or ./)", () => {
    const job = jobs["review-diff:report"]!;
    expect(job.artifacts!.expose_as).toEqual(expect.stringMatching(/\S/));
    expect(job.artifacts!.paths).toEqual(["review/review-diff.md"]);
    expect(job.needs).toEqual([expect.objectContaining({ job: "review-diff", artifacts: true })]);
    expect(job.variables?.GIT_STRATEGY).toBe("none");
    expect(job.script.join("\n")).toContain("review/review-diff.md");
  });

  it("sends merge-request jobs to the merge-requests fleet and default-branch jobs to the protected fleet", () => {
    for (const name of ["review-diff", "review-diff:report", "plan:merge-request"])
      expect([name, jobs[name]!.tags]).toEqual([name, [MR_FLEET]]);
    for (const name of ["synth", "plan", "apply"]) expect([name, jobs[name]!.tags]).toEqual([name, [PROTECTED_FLEET]]);
    expect(Object.keys(jobs).sort()).toEqual(["apply", "plan", "plan:merge-request", "review-diff", "review-diff:report", "synth"]);
  });

  it("lets a newer push cancel a merge request's jobs, never an apply", () => {
    for (const name of ["review-diff", "review-diff:report", "plan:merge-request"])
      expect([name, jobs[name]!.interruptible]).toEqual([name, true]);
    expect(jobs.apply!.interruptible).not.toBe(true);
  });

  it("plans with an OIDC role: id_tokens with an audience, the role from a CI/CD variable, a Terraform report", () => {
    for (const name of ["plan", "plan:merge-request", "apply"]) {
      const job = jobs[name]!;
      expect([name, expand(job.image!.name)]).toEqual([name, TERRAFORM_IMAGE]);
      expect([name, job.image!.entrypoint]).toEqual([name, [""]]);
      const aud = job.id_tokens?.GITLAB_OIDC_TOKEN?.aud;
      expect([name, typeof aud === "string" ? aud : aud?.[0]]).toEqual([name, expect.stringMatching(/\S/)]);
    }
    expect(jobs.plan!.variables!.AWS_ROLE_ARN).toBe("$TF_PLAN_ROLE_ARN");
    expect(jobs["plan:merge-request"]!.variables!.AWS_ROLE_ARN).toBe("$TF_PLAN_ROLE_ARN");
    expect(jobs.apply!.variables!.AWS_ROLE_ARN).toBe("$TF_APPLY_ROLE_ARN");
    for (const name of ["plan", "plan:merge-request"])
      expect([name, jobs[name]!.artifacts!.reports?.terraform]).toEqual([name, "plan-report.json"]);
    expect(jobs["plan:merge-request"]!.needs).toEqual([expect.objectContaining({ job: "review-diff", artifacts: true })]);
    expect(jobs.plan!.needs).toEqual([expect.objectContaining({ job: "synth", artifacts: true })]);
  });

  it("keeps the saved plan, which holds state values, from everyone below Developer and out of merge requests", () => {
    expect(jobs.plan!.artifacts!.access).toBe("developer");
    expect(jobs.plan!.artifacts!.exclude).toEqual(["cdktf.out/stacks/*/.terraform/**/*"]);
    expect(jobs["plan:merge-request"]!.artifacts!.paths).toBeUndefined();
  });

  it("applies by hand, on the default branch only, in a protected environment, one at a time, the plan of its own pipeline", () => {
    const apply = jobs.apply!;
    expect(apply.rules).toEqual([
      { if: expect.stringContaining("$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"), when: "manual", allow_failure: false },
    ]);
    expect(active["default branch, both roles"]!.get("apply")!.when).toBe("manual");
    expect(apply.environment?.name).toBe("production");
    expect(apply.resource_group).toEqual(expect.stringMatching(/\S/));
    expect(apply.needs).toEqual([expect.objectContaining({ job: "plan", artifacts: true })]);
    expect(apply.script).toEqual(["terraform apply -input=false plan.tfplan"]);
  });

  /**
   * The Terraform jobs' shell, run for real with a `terraform` that records its arguments, its
   * role and its token file and, for `show -json`, prints a plan; jq is the real one.
   */
  describe("terraform job scripts, executed", () => {
    const jq = requireTool("jq", "jq") ? findOnPath("jq") : undefined;
    const TOKEN = "header.payload-of-a-test-token.signature";
    let work: string;
    let log: string;

    beforeEach(() => {
      work = mkdtempSync(join(dir, "job-"));
      const bin = join(work, "bin");
      mkdirSync(bin);
      mkdirSync(join(work, "cdktf.out", "stacks", STACK), { recursive: true });
      log = join(work, "calls.log");
      writeFileSync(log, "");
      for (const tool of ["mktemp", "cat", "stat"]) symlinkSync(findOnPath(tool)!, join(bin, tool));
      if (jq !== undefined) symlinkSync(jq, join(bin, "jq"));
      writeFileSync(join(bin, "apk"), `#!/bin/sh\necho "apk $*" >> "${log}"\n`, { mode: 0o755 });
      const plan = {
        format_version: "1.2",
        resource_changes: [
          { address: "a.new", change: { actions: ["create"] } },
          { address: "a.newer", change: { actions: ["create"] } },
          { address: "a.changed", change: { actions: ["update"] } },
          { address: "a.replaced", change: { actions: ["delete", "create"] } },
          { address: "a.same", change: { actions: ["no-op"] } },
          { address: "data.a.read", change: { actions: ["read"] } },
        ],
      };
      writeFileSync(join(work, "plan.json"), JSON.stringify(plan));
    });

    /** A `terraform` that records its arguments, directory, role and token file and, for `show`, prints the plan above. */
    function recordingTerraform() {
      writeFileSync(
        join(work, "bin", "terraform"),
        [
          "#!/bin/sh",
          `echo "terraform $* | dir=\${PWD##*/} role=$AWS_ROLE_ARN token=$(cat "$AWS_WEB_IDENTITY_TOKEN_FILE") mode=$(stat -c %a "$AWS_WEB_IDENTITY_TOKEN_FILE")" >> "${log}"`,
          `if [ "$1" = show ]; then cat "${join(work, "plan.json")}"; fi`,
          "",
        ].join("\n"),
        { mode: 0o755 },
      );
    }

    /** A job's before_script and script in one shell, as the runner runs them, with its variables. */
    function runJob(name: string, cicd: Record<string, string>) {
      const job = jobs[name]!;
      const script = [...(job.before_script ?? []), ...job.script].join("\n");
      const variables: Record<string, string> = { ...raw.variables, ...cicd };
      for (const [k, v] of Object.entries(job.variables ?? {})) variables[k] = expand(v, { ...variables });
      const r = spawnSync("/bin/sh", ["-e", "-c", script], {
        cwd: work,
        env: {
          PATH: join(work, "bin"),
          HOME: join(work, "home"),
          TMPDIR: work,
          CI_PROJECT_DIR: work,
          CI_PROJECT_ID: "42",
          CI_JOB_ID: "4711",
          GITLAB_OIDC_TOKEN: TOKEN,
          ...Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, expand(v, variables)])),
        },
        encoding: "utf8",
      });
      const calls = readFileSync(log, "utf8").split("\n").filter(Boolean);
      return { status: r.status, output: `${r.stdout}${r.stderr}`, calls };
    }

    (jq !== undefined ? it : it.skip)(
      "plan assumes the plan role with the token from a private file and reports create/update/delete",
      () => {
        recordingTerraform();
        const r = runJob("plan", { TF_PLAN_ROLE_ARN: PLAN_ROLE, TF_APPLY_ROLE_ARN: APPLY_ROLE });
        expect(r.output).toBe("");
        expect(r.status).toBe(0);
        const seen = `dir=${STACK} role=${PLAN_ROLE} token=${TOKEN} mode=600`;
        expect(r.calls).toEqual([
          `terraform init -input=false | ${seen}`,
          `terraform plan -input=false -lock=false -out=plan.tfplan | ${seen}`,
          "apk add --no-cache jq",
          `terraform show -json plan.tfplan | ${seen}`,
        ]);
        expect(JSON.parse(readFileSync(join(work, "plan-report.json"), "utf8"))).toEqual({ create: 3, update: 1, delete: 1 });
        // The JSON plan, which holds every value, is not left in the stack folder the artifacts take.
        expect(() => statSync(join(work, "cdktf.out", "stacks", STACK, "plan.json"))).toThrow();
      },
    );

    it("apply assumes the apply role and applies the saved plan", () => {
      recordingTerraform();
      const r = runJob("apply", { TF_PLAN_ROLE_ARN: PLAN_ROLE, TF_APPLY_ROLE_ARN: APPLY_ROLE });
      expect(r.output).toBe("");
      expect(r.status).toBe(0);
      const seen = `dir=${STACK} role=${APPLY_ROLE} token=${TOKEN} mode=600`;
      expect(r.calls).toEqual([`terraform init -input=false | ${seen}`, `terraform apply -input=false plan.tfplan | ${seen}`]);
    });

    /**
     * The plan job with real Terraform on a stack of terraform_data resources (built in, offline):
     * its report counts what `terraform show -json` of a real plan says, a replacement as a
     * delete and a create. The recording `apk` stands in for the image's package manager.
     */
    const terraform = requireTool("terraform", "HashiCorp's release, as .ci/run expects") ? findOnPath("terraform") : undefined;
    (jq !== undefined && terraform !== undefined ? it : it.skip)(
      "plan with real Terraform reports one create, one update, one delete and one replacement as 2/1/2",
      () => {
        symlinkSync(terraform!, join(work, "bin", "terraform"));
        const stack = join(work, "cdktf.out", "stacks", STACK);
        const tf = (...args: string[]) => execFileSync(terraform!, args, { cwd: stack, env: TERRAFORM_ENV, stdio: "pipe" });
        const resource = (name: string, body: Record<string, string>) => ({ terraform_data: { [name]: body } });
        const write = (resources: Record<string, unknown>[]) =>
          writeFileSync(join(stack, "main.tf.json"), JSON.stringify({ resource: resources }));
        write([resource("changed", { input: "1" }), resource("removed", { input: "1" }), resource("replaced", { triggers_replace: "1" })]);
        tf("init", "-input=false");
        tf("apply", "-input=false", "-auto-approve");
        write([resource("changed", { input: "2" }), resource("replaced", { triggers_replace: "2" }), resource("added", { input: "1" })]);

        const r = runJob("plan", { TF_PLAN_ROLE_ARN: PLAN_ROLE, TF_CLI_CONFIG_FILE: "/dev/null", CHECKPOINT_DISABLE: "1" });
        expect(r.status).toBe(0);
        expect(JSON.parse(readFileSync(join(work, "plan-report.json"), "utf8"))).toEqual({ create: 2, update: 1, delete: 2 });
        expect(statSync(join(stack, "plan.tfplan")).isFile()).toBe(true);
      },
      60_000,
    );
  });
});

/** gitlab-ci-local validates against GitLab's CI JSON schema (bundled in the package) with --json-schema-validation. */
describeWithTools([["git", "git"]])("infrastructure pipeline: GitLab CI schema (gitlab-ci-local --json-schema-validation)", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "gitlab-ci-local-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const validate = (yaml: string) => gitlabCiLocal(dir, makeRepo(dir, yaml), ["--list", "--json-schema-validation"]);

  it("is valid", async () => {
    const r = await validate(text);
    expect(r.out).toMatch(/json schema validated/);
    expect(r.status).toBe(0);
  });

  it("rejects a pipeline that breaks the schema (so a pass means something)", async () => {
    const broken = text.replace(
      "    GITLAB_OIDC_TOKEN:\n      aud: sts.amazonaws.com\n",
      "    GITLAB_OIDC_TOKEN:\n      audience: sts.amazonaws.com\n",
    );
    expect(broken).not.toBe(text);
    const r = await validate(broken);
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/audience/);
  });
});
