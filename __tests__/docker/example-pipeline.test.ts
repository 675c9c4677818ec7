import { execFile, execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";
import { ecrRegistryHost } from "../../modules/aws/names";
import { parseApkAdd, readCiImageDockerfile } from "../support/ci-image";
import { describeWithTools, findOnPath, requireTool } from "../support/system-tools";

/**
 * examples/gitlab-ci.example.yml against the contract with the stack. The expected values are
 * literals of the stack's default configuration (account, region, repositories, fleet names), not
 * read from modules/, so this test states the contract on its own. GitLab's own semantics (extends,
 * default, rules, workflow) come from gitlab-ci-local: its --preview resolves every job, and its
 * --list-json says which jobs a given pipeline (default branch, merge request, tag, ...) runs.
 */

const root = join(__dirname, "..", "..");
const EXAMPLE = join(root, "examples", "gitlab-ci.example.yml");
const text = readFileSync(EXAMPLE, "utf8");
const GITLAB_CI_LOCAL = join(root, "node_modules", ".bin", "gitlab-ci-local");

const ACCOUNT = "123456789012";
const REGION = "eu-west-1";
const HOST = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";
const CI_IMAGE = `${HOST}/ci/docker-ecr:1.0.0`;
const APP_REPOSITORY = "apps/example-app";
const PULL_THROUGH = `${HOST}/ecr-public/docker/library`;
const TRUSTED_FLEET = "autoscaler";
const UNTRUSTED_FLEET = "merge-requests";

const dockerfile = readCiImageDockerfile();
/** The Docker release of the CI image's base, e.g. 29.8.1 out of 29.8.1-cli-alpine3.24. */
const CLI_RELEASE = /^(\d+\.\d+\.\d+)-cli-/.exec(dockerfile.baseImage.tag ?? "")?.[1];

const raw = parse(text) as { variables: Record<string, string> } & Record<string, unknown>;

/** $VAR and ${VAR} expanded from the pipeline's own variables (GitLab expands these in variables, image and service names). */
function expand(value: string, variables: Record<string, string> = raw.variables): string {
  return value.replace(/\$\{?([A-Z_][A-Z0-9_]*)\}?/g, (m, name: string) => (name in variables ? expand(variables[name]!, variables) : m));
}

interface ResolvedJob {
  stage: string;
  image?: { name: string };
  services?: { name: string; alias?: string }[];
  tags?: string[];
  needs?: (string | { job: string })[];
  script: string[];
  variables?: Record<string, string>;
}

describe("example pipeline: literal contract with the stack's default configuration", () => {
  it("pushes to the stack's registry host (the same host modules/aws-names.ts derives)", () => {
    expect(ecrRegistryHost(ACCOUNT, REGION)).toBe(HOST);
    expect(raw.variables.ECR_REGISTRY).toBe(HOST);
    expect(expand("$APP_IMAGE")).toBe(`${HOST}/${APP_REPOSITORY}`);
    expect(raw.variables.CI_IMAGE_REPOSITORY).toBe("ci/docker-ecr");
    expect(raw.variables.CI_IMAGE_VERSION).toBe("1.0.0");
  });

  it("keeps its Docker release in one variable, equal to the CI image's CLI release", () => {
    expect(CLI_RELEASE).toBeDefined();
    expect(raw.variables.DOCKER_VERSION).toBe(CLI_RELEASE);
  });

  it("talks to dind over TLS", () => {
    expect(raw.variables).toMatchObject({
      DOCKER_HOST: "tcp://docker:2376",
      DOCKER_TLS_CERTDIR: "/certs",
      DOCKER_TLS_VERIFY: "1",
      DOCKER_CERT_PATH: "/certs/client",
    });
  });

  it("never logs in with a password", () => {
    expect(text).not.toMatch(/docker login|get-login-password|AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID/);
  });
});

/** A throwaway repository holding the example as .gitlab-ci.yml; origin/main is its first commit. */
function makeRepo(dir: string, yaml: string, lastCommitTouchesDocker: boolean): string {
  const repo = mkdtempSync(join(dir, "repo-"));
  const git = (...args: string[]) =>
    execFileSync("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.invalid", ...args], { stdio: "pipe" });
  git("init", "-q", "-b", "main");
  writeFileSync(join(repo, ".gitlab-ci.yml"), yaml);
  git("add", ".");
  git("commit", "-qm", "pipeline");
  git("remote", "add", "origin", "https://gitlab.example.com/group/app.git");
  git("update-ref", "refs/remotes/origin/main", "HEAD");
  git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main");
  if (lastCommitTouchesDocker) {
    mkdirSync(join(repo, "docker"));
    writeFileSync(join(repo, "docker", "Dockerfile"), "FROM scratch\n");
  } else {
    writeFileSync(join(repo, "README.md"), "app\n");
  }
  git("add", ".");
  git("commit", "-qm", lastCommitTouchesDocker ? "docker change" : "other change");
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

/** The pipelines the example must handle, as gitlab-ci-local variables. */
const SCENARIOS = {
  "default branch, docker/ changed": { docker: true, vars: [] as string[] },
  "default branch, docker/ unchanged": { docker: false, vars: [] as string[] },
  "default branch, started by hand (day 0)": { docker: false, vars: ["--variable", "CI_PIPELINE_SOURCE=web"] },
  "merge request": { docker: true, vars: ["--variable", "CI_PIPELINE_SOURCE=merge_request_event", "--unset-variable", "CI_COMMIT_BRANCH"] },
  "release tag": { docker: true, vars: ["--variable", "CI_COMMIT_TAG=v1.2.3", "--unset-variable", "CI_COMMIT_BRANCH"] },
  "other branch, no merge request": { docker: true, vars: ["--variable", "CI_COMMIT_BRANCH=feature"] },
} as const;
type Scenario = keyof typeof SCENARIOS;

describeWithTools([["git", "git"]])("example pipeline, resolved by gitlab-ci-local", () => {
  let dir: string;
  let jobs: Record<string, ResolvedJob>;
  /** Scenario -> names of the jobs that run, with their needs. */
  const active: Partial<Record<Scenario, Map<string, string[]>>> = {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "gitlab-ci-local-"));
    const withDocker = makeRepo(dir, text, true);
    const withoutDocker = makeRepo(dir, text, false);
    const preview = await gitlabCiLocal(dir, withDocker, ["--preview"]);
    if (preview.status !== 0) throw new Error(preview.out);
    const resolved = parse(preview.stdout.slice(preview.stdout.indexOf("---"))) as Record<string, unknown>;
    jobs = Object.fromEntries(
      Object.entries(resolved).filter(([name, v]) => !name.startsWith(".") && typeof v === "object" && v !== null && "script" in v),
    ) as Record<string, ResolvedJob>;
    await Promise.all(
      (Object.keys(SCENARIOS) as Scenario[]).map(async (scenario) => {
        const { docker, vars } = SCENARIOS[scenario];
        const r = await gitlabCiLocal(dir, docker ? withDocker : withoutDocker, ["--list-json", ...vars]);
        if (r.status !== 0) throw new Error(`${scenario}: ${r.out}`);
        const listed = JSON.parse(r.stdout.slice(r.stdout.indexOf("["))) as { name: string; when: string; needs?: { job: string }[] }[];
        active[scenario] = new Map(listed.filter((j) => j.when !== "never").map((j) => [j.name, (j.needs ?? []).map((n) => n.job)]));
      }),
    );
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const runs = (scenario: Scenario) => [...active[scenario]!.keys()].sort();

  it("runs the right jobs in each pipeline, and every job a running job needs runs too", () => {
    expect(runs("default branch, docker/ changed")).toEqual(["build", "ci-image", "push", "test"]);
    expect(runs("default branch, docker/ unchanged")).toEqual(["build", "push", "test"]);
    expect(runs("default branch, started by hand (day 0)")).toEqual(["build", "ci-image", "push", "test"]);
    expect(runs("merge request")).toEqual(["build:merge-request", "test:merge-request"]);
    expect(runs("release tag")).toEqual(["build", "push", "test"]);
    expect(runs("other branch, no merge request")).toEqual([]);
    for (const scenario of Object.keys(SCENARIOS) as Scenario[]) {
      for (const [job, needs] of active[scenario]!)
        for (const need of needs) expect(`${job} needs ${need}: ${active[scenario]!.has(need)}`).toBe(`${job} needs ${need}: true`);
    }
    expect(active["default branch, docker/ changed"]!.get("push")).toEqual(["build", "test"]);
  });

  it("sends every job to a fleet by tag: merge requests to merge-requests, everything else to autoscaler", () => {
    for (const [name, job] of Object.entries(jobs))
      expect([name, job.tags]).toEqual([name, [expect.stringMatching(/^(autoscaler|merge-requests)$/)]]);
    for (const name of runs("merge request")) expect([name, jobs[name]!.tags]).toEqual([name, [UNTRUSTED_FLEET]]);
    for (const scenario of ["default branch, docker/ changed", "default branch, started by hand (day 0)", "release tag"] as const) {
      for (const name of runs(scenario)) expect([name, jobs[name]!.tags]).toEqual([name, [TRUSTED_FLEET]]);
    }
  });

  it("pulls every image and service through the stack's ECR registry (no Docker Hub), after expanding the pipeline's variables", () => {
    const refs: string[] = [];
    for (const job of Object.values(jobs)) {
      if (job.image) refs.push(job.image.name);
      for (const s of job.services ?? []) refs.push(s.name);
    }
    refs.push(
      ...jobs["ci-image"]!.script.join("\n")
        .match(/--base-image "[^"]+"/g)!
        .map((a) => a.slice('--base-image "'.length, -1)),
    );
    expect(refs.length).toBeGreaterThan(Object.keys(jobs).length);
    for (const ref of refs.map((r) => expand(r))) {
      expect(ref).not.toMatch(/\$/);
      expect(ref.split("/")[0]).toBe(HOST);
    }
  });

  it("runs application jobs in the CI image, each with a dind service of the CI image's Docker release", () => {
    for (const name of ["build", "build:merge-request", "test", "test:merge-request", "push"]) {
      expect(expand(jobs[name]!.image!.name)).toBe(CI_IMAGE);
    }
    for (const [name, job] of Object.entries(jobs)) {
      expect([name, (job.services ?? []).map((s) => ({ name: expand(s.name), alias: s.alias }))]).toEqual([
        name,
        [{ name: `${PULL_THROUGH}/docker:${CLI_RELEASE}-dind`, alias: "docker" }],
      ]);
    }
  });

  it("leaves dind's image store alone: no DOCKER_DRIVER, which would replace the containerd store that registry cache export needs", () => {
    expect(Object.keys(raw.variables)).not.toContain("DOCKER_DRIVER");
    for (const [name, job] of Object.entries(jobs))
      expect(`${name}: ${Object.keys(job.variables ?? {}).join(" ")}`).not.toMatch(/DOCKER_DRIVER/);
  });

  it("builds the CI image in Docker's CLI image from the pull-through cache, not in the CI image it is about to create", () => {
    const ciImage = jobs["ci-image"]!;
    expect(expand(ciImage.image!.name)).not.toBe(CI_IMAGE);
    expect(expand(ciImage.image!.name)).toBe(`${PULL_THROUGH}/docker:${dockerfile.baseImage.tag}`);
    expect(ciImage.tags).toEqual([TRUSTED_FLEET]);
    expect(ciImage.needs).toEqual([]);
  });

  /**
   * The jobs' shell, run for real with a `docker` that records its arguments (and, for ci-image,
   * an `apk` that records what it installs and puts stand-ins for the helper and the AWS CLI on PATH).
   */
  describe("job scripts, executed", () => {
    let bin: string;
    let log: string;
    let work: string;
    const busybox = requireTool("busybox", "busybox") ? findOnPath("busybox") : undefined;

    beforeEach(() => {
      work = mkdtempSync(join(dir, "job-"));
      bin = join(work, "bin");
      mkdirSync(bin);
      log = join(work, "calls.log");
      writeFileSync(log, "");
      for (const tool of ["dirname", "sed", "grep", "cut", "install"]) symlinkSync(findOnPath(tool)!, join(bin, tool));
      const recorder = (name: string, extra = "") =>
        writeFileSync(
          join(bin, name),
          `#!/bin/sh\n(IFS=$(printf '\\037'); printf '%s\\n' "${name}$(printf '\\037')$*") >> "${log}"\n${extra}`,
          { mode: 0o755 },
        );
      recorder("docker");
      recorder(
        "apk",
        [
          'for p in "$@"; do case "$p" in',
          `  docker-credential-ecr-login*) printf '#!/bin/sh\\nexit 99\\n' > "${bin}/docker-credential-ecr-login"; /bin/chmod +x "${bin}/docker-credential-ecr-login" ;;`,
          `  aws-cli*) printf '#!/bin/sh\\nexit 99\\n' > "${bin}/aws"; /bin/chmod +x "${bin}/aws" ;;`,
          "esac; done",
          "",
        ].join("\n"),
      );
    });

    /** Runs a job's script lines in one shell, as the runner does, with the pipeline's variables and `env`. */
    function runJob(name: string, env: Record<string, string>, shell: string[] = ["/bin/sh"]) {
      const script = jobs[name]!.script.join("\n");
      const variables = Object.fromEntries(Object.entries(raw.variables).map(([k, v]) => [k, expand(v)]));
      const [command = "/bin/sh", ...prefix] = shell;
      const r = spawnSync(command, [...prefix, "-e", "-c", script], {
        cwd: work,
        env: {
          PATH: bin,
          HOME: join(work, "home"),
          CI_COMMIT_SHA: "0123456789abcdef0123456789abcdef01234567",
          CI_DEFAULT_BRANCH: "main",
          ...variables,
          ...env,
        },
        encoding: "utf8",
      });
      const calls = readFileSync(log, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => l.split("\x1f"));
      return { status: r.status, stderr: r.stderr, calls };
    }
    const flagValues = (args: string[], flag: string) => args.flatMap((a, i) => (args[i - 1] === flag ? [a] : []));

    it.each([
      ["build", "default branch", "reads and writes", { CI_COMMIT_BRANCH: "main", CI_PIPELINE_SOURCE: "push" }, true],
      ["build", "release tag", "only reads", { CI_COMMIT_TAG: "v1.2.3", CI_PIPELINE_SOURCE: "push" }, false],
      [
        "build:merge-request",
        "merge request",
        "only reads",
        { CI_PIPELINE_SOURCE: "merge_request_event", CI_MERGE_REQUEST_IID: "7" },
        false,
      ],
    ] as [string, string, string, Record<string, string>, boolean][])(
      "%s in a %s pipeline %s the ECR build cache",
      (job, _pipeline, _what, env, writes) => {
        const r = runJob(job, env);
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
        const buildx = r.calls.find((c) => c[0] === "docker" && c[1] === "buildx" && c[2] === "build")!;
        const cacheRef = `type=registry,ref=${HOST}/${APP_REPOSITORY}:buildcache`;
        expect(flagValues(buildx, "--cache-from")).toEqual([cacheRef]);
        expect(flagValues(buildx, "--cache-to")).toEqual(writes ? [`${cacheRef},mode=max,image-manifest=true,oci-mediatypes=true`] : []);
        expect(flagValues(buildx, "--tag")).toEqual([`${HOST}/${APP_REPOSITORY}:0123456789abcdef0123456789abcdef01234567`]);
      },
    );

    it.each([
      ["sh (dash)", ["/bin/sh"]],
      ...(busybox !== undefined ? [["busybox ash, the Docker CLI image's shell", [busybox, "ash"]] as [string, string[]]] : []),
    ])(
      "ci-image under %s: installs the Dockerfile's pins, writes the image's docker config, builds from the pull-through cache and pushes, with no login",
      (_shell, shell) => {
        mkdirSync(join(work, "docker"));
        for (const f of ["build-and-push.sh", "Dockerfile"]) copyFileSync(join(root, "docker", f), join(work, "docker", f));
        const r = runJob(
          "ci-image",
          { CI_COMMIT_BRANCH: "main", CI_PIPELINE_SOURCE: "web", CI_PROJECT_URL: "https://gitlab.example.com/platform/runners" },
          shell,
        );
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);

        const apkAdds = r.calls.filter((c) => c[0] === "apk" && c[1] === "add");
        expect(apkAdds).toHaveLength(1);
        const installed = parseApkAdd(apkAdds[0]!.slice(2));
        expect(installed.packages).toEqual(dockerfile.apkPackages);
        expect(installed.flags).toContain("--no-cache");

        const config = readFileSync(join(work, "home", ".docker", "config.json"), "utf8");
        expect(JSON.parse(config)).toEqual(JSON.parse(dockerfile.dockerConfigJson!));

        const docker = r.calls.filter((c) => c[0] === "docker").map((c) => c.slice(1));
        const build = docker.find((c) => c[0] === "build")!;
        expect(flagValues(build, "--build-arg")).toContain(`BASE_IMAGE=${PULL_THROUGH}/docker:${dockerfile.baseImage.tag}`);
        expect(docker.filter((c) => c[0] === "push")).toEqual([
          ["push", `${CI_IMAGE}`],
          ["push", `${HOST}/ci/docker-ecr:git-0123456789ab`],
        ]);
        expect(docker.flat()).not.toContain("login");
      },
    );
  });
});

/**
 * gitlab-ci-local validates against GitLab's CI JSON schema (bundled in the package) with
 * --json-schema-validation.
 */
describeWithTools([["git", "git"]])("example pipeline: GitLab CI schema (gitlab-ci-local --json-schema-validation)", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "gitlab-ci-local-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const validate = (yaml: string) => gitlabCiLocal(dir, makeRepo(dir, yaml, true), ["--list", "--json-schema-validation"]);

  it("is valid", async () => {
    const r = await validate(text);
    expect(r.out).toMatch(/json schema validated/);
    expect(r.status).toBe(0);
  });

  it("rejects a pipeline that breaks the schema (so a pass means something)", async () => {
    const broken = text.replace("  stage: build\n", "  stage: build\n  artefacts:\n    paths: [x]\n");
    expect(broken).not.toBe(text);
    const r = await validate(broken);
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/'artefacts' property is not expected to be here/);
  });
});
