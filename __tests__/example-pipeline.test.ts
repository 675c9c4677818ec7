import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { ecrRegistryHost } from "../modules/aws-names";
import { DEFAULT_CONFIG } from "../modules/default-config";
import { readCiImageDockerfile } from "./ci-image";
import { describeWithTools } from "./system-tools";

const root = join(__dirname, "..");
const EXAMPLE = join(root, "examples", "gitlab-ci.example.yml");
const text = readFileSync(EXAMPLE, "utf8");

interface Job {
  stage?: string;
  image?: string;
  services?: ({ name: string; alias?: string } | string)[];
  needs?: string[];
  rules?: { if?: string; changes?: string[] }[];
  script: string[];
  artifacts?: { paths: string[] };
}
const pipeline = parse(text) as {
  default: { image: string; services: { name: string; alias: string }[] };
  variables: Record<string, string>;
  stages: string[];
} & Record<string, Job>;
const job = (name: string) => pipeline[name] as Job;

/** $VAR and ${VAR} expanded from the pipeline's own variables (GitLab expands these in variables and image names). */
function expand(value: string): string {
  return value.replace(/\$\{?([A-Z_][A-Z0-9_]*)\}?/g, (m, name: string) => (name in pipeline.variables ? expand(pipeline.variables[name]!) : m));
}

describe("example pipeline: consistent with the stack's default configuration", () => {
  const host = ecrRegistryHost(DEFAULT_CONFIG.aws.accountId, DEFAULT_CONFIG.aws.region);
  const pushable = DEFAULT_CONFIG.repositories!.filter((r) => r.name !== undefined && (r.access ?? "pull-push") === "pull-push").map((r) => r.name);

  it("runs jobs in the CI image the runners are configured with", () => {
    expect(pipeline.default.image).toBe(`${host}/${DEFAULT_CONFIG.ciImage.repositoryName}:${DEFAULT_CONFIG.ciImage.tag}`);
  });

  it("pushes the application to a repository the stack creates with push access, on the stack's registry", () => {
    expect(pipeline.variables.ECR_REGISTRY).toBe(host);
    expect(pushable).toContain(pipeline.variables.APP_REPOSITORY);
    expect(expand("$APP_IMAGE")).toBe(`${host}/${pipeline.variables.APP_REPOSITORY}`);
    const pushed = job("push").script.join("\n").match(/docker push "([^"]+)"/g) ?? [];
    expect(pushed.length).toBeGreaterThan(0);
    for (const p of pushed) expect(expand(p)).toContain(`${host}/${pipeline.variables.APP_REPOSITORY}:`);
  });

  it("rebuilds the CI image into the stack's CI image repository with the configured tag, via docker/build-and-push.sh", () => {
    expect(pipeline.variables.CI_IMAGE_REPOSITORY).toBe(DEFAULT_CONFIG.ciImage.repositoryName);
    expect(pipeline.variables.CI_IMAGE_VERSION).toBe(DEFAULT_CONFIG.ciImage.tag);
    const script = job("ci-image").script.join("\n");
    expect(expand(script)).toContain(`docker/build-and-push.sh --repository-url "${host}/${DEFAULT_CONFIG.ciImage.repositoryName}" --version "${DEFAULT_CONFIG.ciImage.tag}"`);
    expect(existsSync(join(root, "docker", "build-and-push.sh"))).toBe(true);
    expect(job("ci-image").rules).toEqual([{ if: "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH", changes: ["docker/**/*"] }]);
  });

  it("uses a docker:dind service of the CI image's Docker release, over TLS", () => {
    const release = /^(\d+\.\d+\.\d+)-/.exec(readCiImageDockerfile().baseImage.tag ?? "")![1];
    expect(pipeline.default.services).toEqual([{ name: `docker:${release}-dind`, alias: "docker" }]);
    expect(pipeline.variables).toMatchObject({
      DOCKER_HOST: "tcp://docker:2376",
      DOCKER_TLS_CERTDIR: "/certs",
      DOCKER_TLS_VERIFY: "1",
      DOCKER_CERT_PATH: "/certs/client",
    });
  });

  it("builds, tests in the built image, and pushes only after the tests, from the default branch or a tag", () => {
    expect(pipeline.stages).toEqual(["build", "test", "push"]);
    expect(job("build").script.join("\n")).toMatch(/docker build .*--tag "\$APP_IMAGE:\$CI_COMMIT_SHA"/);
    expect(job("test").script.join("\n")).toMatch(/docker run --rm "\$APP_IMAGE:\$CI_COMMIT_SHA"/);
    expect(job("push").needs).toEqual(expect.arrayContaining(["test"]));
    expect(job("push").stage).toBe("push");
    expect(job("push").rules).toEqual([{ if: "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH" }, { if: "$CI_COMMIT_TAG" }]);
  });

  it("never logs in with a password", () => {
    expect(text).not.toMatch(/docker login|get-login-password|AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID/);
  });
});

/**
 * gitlab-ci-local validates against GitLab's CI JSON schema (bundled in the package) with
 * --json-schema-validation. It wants a git repository with an origin to evaluate `rules:changes`,
 * so the example runs as .gitlab-ci.yml of a throwaway repository whose last commit touches docker/.
 */
describeWithTools([["git", "git"]])("example pipeline: GitLab CI schema (gitlab-ci-local --json-schema-validation)", () => {
  const bin = join(root, "node_modules", ".bin", "gitlab-ci-local");
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "gitlab-ci-local-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function validate(yaml: string): { status: number | null; out: string } {
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
    mkdirSync(join(repo, "docker"));
    writeFileSync(join(repo, "docker", "Dockerfile"), "FROM scratch\n");
    git("add", ".");
    git("commit", "-qm", "docker change");
    const r = spawnSync(bin, ["--list", "--json-schema-validation"], { cwd: repo, env: { ...process.env, HOME: dir }, encoding: "utf8" });
    return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
  }

  it("is valid and lists every job (ci-image too, when docker/ changed on the default branch)", () => {
    const r = validate(text);
    expect(r.out).toMatch(/json schema validated/);
    expect(r.status).toBe(0);
    for (const name of ["build", "test", "push", "ci-image"]) expect(r.out).toMatch(new RegExp(`^${name}\\s`, "m"));
  });

  it("rejects a pipeline that breaks the schema (so a pass means something)", () => {
    const broken = text.replace("  stage: build\n", "  stage: build\n  artefacts:\n    paths: [x]\n");
    expect(broken).not.toBe(text);
    const r = validate(broken);
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/'artefacts' property is not expected to be here/);
  });
});
