import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ecrRegistryHost } from "../../modules/aws/names";
import { DEFAULT_CONFIG } from "../../modules/app/default-config";
import { synthIn } from "../support/synth-in";
import { describeWithTools, findOnPath, requireTool } from "../support/system-tools";

/**
 * docker/build-and-push.sh, run from a copy in a temp project (so cdktf.out and git are under the
 * test's control) with a PATH of chosen programs only: a fake `docker` that records its arguments,
 * an empty stand-in for the credential helper (the fake docker never calls it), and the real
 * bash, coreutils, sed, grep, git and jq.
 */

const REAL_TOOLS = ["dirname", "sed", "grep", "cut", "git", "jq"];
const HOST = ecrRegistryHost(DEFAULT_CONFIG.aws.accountId, DEFAULT_CONFIG.aws.region);
const REPO_URL = `${HOST}/${DEFAULT_CONFIG.ciImage.repositoryName}`;
const SHA = "0123456789abcdef0123456789abcdef01234567";

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Each docker invocation's arguments. */
  docker: string[][];
}

describeWithTools([
  ["jq", "jq"],
  ["git", "git"],
])("docker/build-and-push.sh", () => {
  let tmp: string;
  let project: string;
  let bin: string;
  let home: string;

  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), "build-and-push-"));
    project = join(tmp, "project");
    mkdirSync(join(project, "docker"), { recursive: true });
    for (const f of ["build-and-push.sh", "Dockerfile"]) copyFileSync(join(__dirname, "..", "..", "docker", f), join(project, "docker", f));
    chmodSync(join(project, "docker", "build-and-push.sh"), 0o755);
    bin = join(tmp, "bin");
    mkdirSync(bin);
    for (const tool of REAL_TOOLS) symlinkSync(findOnPath(tool)!, join(bin, tool));
    home = join(tmp, "home");
    mkdirSync(join(home, ".docker"), { recursive: true });
    writeFileSync(join(home, ".docker", "config.json"), JSON.stringify({ credsStore: "ecr-login" }));
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  const fakeDocker = () =>
    writeFileSync(
      join(bin, "docker"),
      [
        "#!/bin/bash",
        '(IFS=$\'\\x1f\'; printf "%s\\n" "$*") >> "$FAKE_DOCKER_LOG"',
        'if [ "${FAKE_DOCKER_FAIL:-}" = "$1" ]; then echo "fake docker: $1 failed" >&2; exit 1; fi',
        "",
      ].join("\n"),
      { mode: 0o755 },
    );
  const fakeHelper = () => writeFileSync(join(bin, "docker-credential-ecr-login"), "#!/bin/bash\nexit 99\n", { mode: 0o755 });

  /** Runs the script by its #!/bin/sh line, or with `shell` (e.g. busybox ash, the CI image's shell). */
  function run(args: string[], env: Record<string, string> = {}, shell: string[] = []): Run {
    const log = join(tmp, "docker.log");
    writeFileSync(log, "");
    const script = join(project, "docker", "build-and-push.sh");
    const [command, ...rest] = [...shell, script, ...args] as [string, ...string[]];
    const r = spawnSync(command, rest, {
      cwd: tmp,
      env: { PATH: bin, HOME: home, FAKE_DOCKER_LOG: log, ...env },
      encoding: "utf8",
    });
    const docker = readFileSync(log, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => l.split("\x1f"));
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, docker };
  }

  const explicit = ["--repository-url", REPO_URL, "--version", "1.0.0"];

  it("prints its usage", () => {
    const r = run(["--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/--repository-url URL --version TAG/);
  });

  it("fails with status 2 naming docker when there is no docker CLI", () => {
    fakeHelper();
    const r = run(explicit, { CI_COMMIT_SHA: SHA });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/docker CLI not found on PATH/);
  });

  it("fails with status 2 naming the helper when docker-credential-ecr-login is missing", () => {
    fakeDocker();
    const r = run(explicit, { CI_COMMIT_SHA: SHA });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/docker-credential-ecr-login not found/);
    expect(r.docker).toEqual([]);
  });

  it("fails with status 2 when there are no outputs and no arguments", () => {
    fakeDocker();
    fakeHelper();
    const r = run([], { CI_COMMIT_SHA: SHA });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no stack outputs: run 'npx cdktf synth'/);
  });

  it("fails with status 2 when the docker config does not send the registry to ecr-login", () => {
    fakeDocker();
    fakeHelper();
    writeFileSync(join(home, ".docker", "config.json"), JSON.stringify({ credHelpers: { "other.example.com": "ecr-login" } }));
    const r = run(explicit, { CI_COMMIT_SHA: SHA });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`{"credHelpers":{"${HOST}":"ecr-login"}}`);
    expect(r.docker).toEqual([]);
  });

  it("accepts a credHelpers entry for the registry (the runner manager's form)", () => {
    fakeDocker();
    fakeHelper();
    writeFileSync(join(home, ".docker", "config.json"), JSON.stringify({ credHelpers: { [HOST]: "ecr-login" } }));
    expect(run(explicit, { CI_COMMIT_SHA: SHA }).status).toBe(0);
  });

  it("builds, tags with version and commit, and pushes both, never calling docker login", () => {
    fakeDocker();
    fakeHelper();
    const r = run(explicit, { CI_COMMIT_SHA: SHA, CI_PROJECT_URL: "https://gitlab.example.com/platform/gitlab-runner-ecr" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const dockerDir = join(project, "docker");
    expect(r.docker).toEqual([
      [
        "build",
        "--pull",
        "--file",
        join(dockerDir, "Dockerfile"),
        "--build-arg",
        "IMAGE_VERSION=1.0.0",
        "--build-arg",
        `IMAGE_REVISION=${SHA}`,
        "--build-arg",
        "IMAGE_SOURCE=https://gitlab.example.com/platform/gitlab-runner-ecr",
        "--tag",
        `${REPO_URL}:1.0.0`,
        dockerDir,
      ],
      ["tag", `${REPO_URL}:1.0.0`, `${REPO_URL}:git-0123456789ab`],
      ["push", `${REPO_URL}:1.0.0`],
      ["push", `${REPO_URL}:git-0123456789ab`],
    ]);
    expect(r.docker.flat()).not.toContain("login");
  });

  it("passes --base-image to the build as BASE_IMAGE, and leaves the Dockerfile's default alone without it", () => {
    fakeDocker();
    fakeHelper();
    const base = `${HOST}/ecr-public/docker/library/docker:29.8.1-cli-alpine3.24`;
    const withBase = run([...explicit, "--base-image", base], { CI_COMMIT_SHA: SHA });
    expect(withBase.stderr).toBe("");
    const build = withBase.docker.find((a) => a[0] === "build")!;
    expect(build.filter((a, i) => build[i - 1] === "--build-arg" && a.startsWith("BASE_IMAGE="))).toEqual([`BASE_IMAGE=${base}`]);
    const without = run(explicit, { CI_COMMIT_SHA: SHA }).docker.find((a) => a[0] === "build")!;
    expect(without.some((a) => a.startsWith("BASE_IMAGE="))).toBe(false);
    const bad = run([...explicit, "--base-image", "two words"], { CI_COMMIT_SHA: SHA });
    expect(bad.status).toBe(2);
    expect(bad.docker).toEqual([]);
  });

  const busybox = requireTool("busybox", "busybox") ? findOnPath("busybox") : undefined;
  (busybox !== undefined ? it : it.skip)("behaves the same under busybox ash, the CI image's shell", () => {
    fakeDocker();
    fakeHelper();
    const env = { CI_COMMIT_SHA: SHA, CI_PROJECT_URL: "https://gitlab.example.com/p" };
    const underAsh = run(explicit, env, [busybox!, "ash"]);
    expect(underAsh.stderr).toBe("");
    expect(underAsh.status).toBe(0);
    expect(underAsh.docker).toEqual(run(explicit, env).docker);
    const refused = run(["--repository-url", REPO_URL, "--version", "bad tag"], env, [busybox!, "ash"]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/not a valid image tag/);
  });

  it("accepts the registry and the repository as two arguments", () => {
    fakeDocker();
    fakeHelper();
    const r = run(["--registry", HOST, "--repository", DEFAULT_CONFIG.ciImage.repositoryName, "--version", "1.0.0"], {
      CI_COMMIT_SHA: SHA,
    });
    expect(r.status).toBe(0);
    expect(r.docker.filter((a) => a[0] === "push")[0]).toEqual(["push", `${REPO_URL}:1.0.0`]);
    expect(run(["--registry", HOST, "--version", "1.0.0"], { CI_COMMIT_SHA: SHA }).status).toBe(2);
  });

  it("stops when a docker step fails", () => {
    fakeDocker();
    fakeHelper();
    const r = run(explicit, { CI_COMMIT_SHA: SHA, FAKE_DOCKER_FAIL: "push" });
    expect(r.status).toBe(1);
    expect(r.docker.map((a) => a[0])).toEqual(["build", "tag", "push"]);
  });

  describe("takes repository and version from the stack's outputs", () => {
    let outputs: Record<string, { value: unknown }>;
    const value = (k: string) => outputs[k]!.value as string;
    beforeEach(() => {
      outputs = synthIn(tmp).json.output;
    });

    it("from the synthesized cdk.tf.json in cdktf.out when given nothing", () => {
      fakeDocker();
      fakeHelper();
      mkdirSync(join(project, "cdktf.out", "stacks", "test"), { recursive: true });
      writeFileSync(join(project, "cdktf.out", "stacks", "test", "cdk.tf.json"), synthIn(tmp).text);
      const r = run([], { CI_COMMIT_SHA: SHA });
      expect(r.stderr).toBe("");
      expect(r.docker.find((a) => a[0] === "push")).toEqual(["push", `${REPO_URL}:${DEFAULT_CONFIG.ciImage.tag}`]);
    });

    it.each([
      [
        "terraform output -json",
        () => Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, { sensitive: false, type: "string", value: v.value }])),
      ],
      [
        "cdktf output --outputs-file",
        () => ({ "gitlab-runners": Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.value])) }),
      ],
    ])("from a `%s` file", (_form, make) => {
      fakeDocker();
      fakeHelper();
      const file = join(tmp, "outputs.json");
      writeFileSync(file, JSON.stringify(make()));
      const r = run(["--outputs", file], { CI_COMMIT_SHA: SHA });
      expect(r.stderr).toBe("");
      expect(value("ci_image_uri")).toBe(`${REPO_URL}:1.0.0`);
      expect(r.docker.filter((a) => a[0] === "push")).toEqual([
        ["push", value("ci_image_uri")],
        ["push", `${value("ci_image_repository_url")}:git-0123456789ab`],
      ]);
    });

    it("asks for --version when the configured image is pinned by digest", () => {
      fakeDocker();
      fakeHelper();
      const file = join(tmp, "outputs.json");
      writeFileSync(
        file,
        JSON.stringify({ ci_image_repository_url: { value: REPO_URL }, ci_image_uri: { value: `${REPO_URL}@sha256:${"a".repeat(64)}` } }),
      );
      const r = run(["--outputs", file], { CI_COMMIT_SHA: SHA });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/carries no tag .* pass --version/);
      expect(run(["--outputs", file, "--version", "1.0.1"], { CI_COMMIT_SHA: SHA }).status).toBe(0);
    });
  });

  it("takes the commit from git when CI_COMMIT_SHA is unset, and strips credentials from the source URL", () => {
    fakeDocker();
    fakeHelper();
    const git = (...args: string[]) =>
      execFileSync("git", ["-C", project, "-c", "user.name=t", "-c", "user.email=t@example.invalid", ...args], { encoding: "utf8" }).trim();
    git("init", "-q");
    git("add", ".");
    git("commit", "-qm", "test");
    git("remote", "add", "origin", "https://deploy-user:glpat-secret@gitlab.example.com/platform/runners.git");
    const head = git("rev-parse", "HEAD");
    const r = run(explicit);
    expect(r.stderr).toBe("");
    expect(r.docker[0]).toContain(`IMAGE_REVISION=${head}`);
    expect(r.docker[0]).toContain("IMAGE_SOURCE=https://gitlab.example.com/platform/runners.git");
    expect(r.docker[1]).toEqual(["tag", `${REPO_URL}:1.0.0`, `${REPO_URL}:git-${head.slice(0, 12)}`]);
  });

  /**
   * The source label's credential rule, case by case. `secret` is what must never reach the label
   * (nor any docker argument or output): checked whole and in every piece between `@`, `/`, `:` and
   * `%40`, since the old bug leaked the tail of a password after its first `@`.
   */
  const SOURCE_CASES: { what: string; url: string; label: string; secret?: string }[] = [
    { what: "plain URL", url: "https://gitlab.example.com/platform/runners.git", label: "https://gitlab.example.com/platform/runners.git" },
    {
      what: "user only (a token as user name)",
      url: "https://glpat-Uq4Tok8n@gitlab.example.com/platform/runners.git",
      label: "https://gitlab.example.com/platform/runners.git",
      secret: "glpat-Uq4Tok8n",
    },
    {
      what: "user:password",
      url: "https://deploy:Pw7sEcret@gitlab.example.com/platform/runners.git",
      label: "https://gitlab.example.com/platform/runners.git",
      secret: "Pw7sEcret",
    },
    {
      what: "password with @",
      url: "https://deploy:Sx7@Qw9@gitlab.example.com/platform/runners.git",
      label: "https://gitlab.example.com/platform/runners.git",
      secret: "Sx7@Qw9",
    },
    {
      what: "password with /",
      url: "https://deploy:Ab3/Zy8@gitlab.example.com/platform/runners.git",
      label: "https://gitlab.example.com/platform/runners.git",
      secret: "Ab3/Zy8",
    },
    {
      what: "password with / and @",
      url: "https://deploy:Kp2/Lm5@Nt4@gitlab.example.com/platform/runners.git",
      label: "https://gitlab.example.com/platform/runners.git",
      secret: "Kp2/Lm5@Nt4",
    },
    {
      what: "password with :",
      url: "https://deploy:Hd6:Jf1@gitlab.example.com/platform/runners.git",
      label: "https://gitlab.example.com/platform/runners.git",
      secret: "Hd6:Jf1",
    },
    {
      what: "percent-encoded @ in the password",
      url: "https://deploy:Ve5%40Rb2@gitlab.example.com/platform/runners.git",
      label: "https://gitlab.example.com/platform/runners.git",
      secret: "Ve5%40Rb2",
    },
    {
      what: "password and a port",
      url: "https://deploy:Gt4/Yh7@gitlab.example.com:8443/platform/runners.git",
      label: "https://gitlab.example.com:8443/platform/runners.git",
      secret: "Gt4/Yh7",
    },
    {
      what: "ssh-style git@host:path",
      url: "git@gitlab.example.com:platform/runners.git",
      label: "gitlab.example.com:platform/runners.git",
    },
    {
      what: "ssh:// with user and port",
      url: "ssh://git@gitlab.example.com:2222/platform/runners.git",
      label: "ssh://gitlab.example.com:2222/platform/runners.git",
    },
    {
      what: "no scheme, password with @",
      url: "deploy:Wm8@Xc3@gitlab.example.com/platform/runners.git",
      label: "gitlab.example.com/platform/runners.git",
      secret: "Wm8@Xc3",
    },
    {
      what: "a token in the query",
      url: "https://gitlab.example.com/platform/runners.git?private_token=Qz5Tok2n#readme",
      label: "https://gitlab.example.com/platform/runners.git",
      secret: "Qz5Tok2n",
    },
    // Indistinguishable from a password holding `/`, so cut at the `@`; what is left has no path.
    { what: "an @ in the path only", url: "https://gitlab.example.com/platform/runners@v1", label: "unknown" },
    { what: "credentials and no path", url: "https://deploy:Np8pAss@gitlab.example.com", label: "unknown", secret: "Np8pAss" },
    {
      what: "a line break inside the password",
      url: "https://deploy:Nl3a\nPw6b@gitlab.example.com/platform/runners.git",
      label: "unknown",
      secret: "Nl3a\nPw6b",
    },
    { what: "a local path", url: "/srv/git/runners.git", label: "unknown" },
  ];
  const secretPieces = (secret: string) => [secret, ...secret.split(/@|\/|:|%40|\n/)].filter((p) => p.length >= 3);

  describe.each([
    ["sh (dash)", [] as string[]],
    ...(busybox !== undefined ? [["busybox ash", [busybox, "ash"]] as [string, string[]]] : []),
  ])("source label under %s: credentials never reach the image", (_shell, shell) => {
    it.each(SOURCE_CASES)("$what", ({ url, label, secret }) => {
      fakeDocker();
      fakeHelper();
      const r = run(explicit, { CI_COMMIT_SHA: SHA, CI_PROJECT_URL: url }, shell);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      const sources = r.docker.flat().filter((a) => a.startsWith("IMAGE_SOURCE="));
      expect(sources).toEqual([`IMAGE_SOURCE=${label}`]);
      const everything = [...r.docker.flat(), r.stdout, r.stderr].join("\n");
      for (const piece of secret === undefined ? [] : secretPieces(secret)) expect(everything).not.toContain(piece);
    });
  });

  it("fails with status 2 outside git without CI_COMMIT_SHA", () => {
    fakeDocker();
    fakeHelper();
    const r = run(explicit, { GIT_CEILING_DIRECTORIES: tmp });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no git commit/);
  });
});
