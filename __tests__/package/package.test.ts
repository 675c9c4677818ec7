// The library as a consumer gets it: `npm pack` in a fresh clone (its prepare script builds dist/),
// the tarball installed into a new project that synthesizes a stack with GitlabRunnerEcr, and an
// `npm install` straight from the git repository. Slow (a clone's npm ci, a git install's own
// install): tools/node-matrix.sh sets GRE_PACKAGE_TEST=skip for the Node 22 and 24 passes.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");
const run = process.env.GRE_PACKAGE_TEST === "skip" ? describe.skip : describe;
const NPM = ["--no-audit", "--no-fund", "--prefer-offline"];

/** A consumer's app: one GitlabRunnerEcr beside its own provider; a second one in the same stack must be refused. */
const CONSUMER_APP = `
const { App, TerraformStack, Testing } = require("cdktf");
const { AwsProvider } = require("@cdktf/provider-aws/lib/provider");
const { GitlabRunnerEcr } = require("gitlab-runner-ecr");
const app = new App({ outdir: process.argv[2] });
const stack = new TerraformStack(app, "consumer");
new AwsProvider(stack, "aws", { region: "eu-west-1", allowedAccountIds: ["123456789012"] });
const props = {
  name: "consumer-runners",
  network: { vpcId: "vpc-0123456789abcdef0", subnetIds: ["subnet-0123456789abcdef0"] },
  gitlab: { url: "https://gitlab.example.com" },
  ciImage: { repositoryName: "ci/image", tag: "1.0.0" },
  fleets: [{ name: "scale", executor: "docker-autoscaler", runnerTokenSsmParameter: "/consumer/token", workers: {} }],
};
const runners = new GitlabRunnerEcr(stack, "runners", props);
// A grant to a role of the consumer's own, made with the consumer's copy of the provider binding.
const { IamRole } = require("@cdktf/provider-aws/lib/iam-role");
const deployer = new IamRole(stack, "deployer", { name: "deployer", assumeRolePolicy: "{}" });
runners.ciImage.grantPull(deployer);
let refused = "";
try { new GitlabRunnerEcr(stack, "more", { ...props, name: "consumer-more" }); } catch (e) { refused = e.message; }
// Registration by the stack needs @cdktf/provider-gitlab, an optional peer this consumer lacks.
let needsGitlab = "";
try {
  // An app of its own: the stack is left half-built when the construct throws, and is never synthesized.
  const other = new TerraformStack(new App({ outdir: process.argv[2] + "-unused" }), "registered");
  new AwsProvider(other, "aws", { region: "eu-west-1", allowedAccountIds: ["123456789012"] });
  new GitlabRunnerEcr(other, "runners", { ...props, fleets: [{ ...props.fleets[0], gitlab: { scope: "group", id: 42, protected: true } }] });
} catch (e) { needsGitlab = e.message; }
const json = JSON.parse(Testing.synth(stack, true));
app.synth();
const attached = Object.values(json.resource.aws_iam_role_policy_attachment ?? {}).map((a) => a.role);
process.stdout.write(JSON.stringify({ modules: Object.keys(json.module), image: json.module.runner_scale.runner_worker_docker_options.image, refused, attached, needsGitlab }));
`;

run("the packaged library", () => {
  let dir: string;
  let clone: string;
  let tarball: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "gre-package-"));
    clone = join(dir, "clone");
    execFileSync("git", ["clone", "-q", ROOT, clone]);
    execFileSync("npm", ["ci", ...NPM], { cwd: clone, stdio: "ignore" });
    execFileSync("npm", ["pack", "--pack-destination", dir], { cwd: clone, stdio: "ignore" });
    tarball = join(
      dir,
      readdirSync(dir).find((f) => f.endsWith(".tgz"))!,
    );
  }, 240_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /**
   * A consumer project with its own cdktf, constructs and provider binding, the binding a patch
   * release below ours: the library must use the consumer's copies (peer dependencies), not nest its own.
   */
  function consumer(name: string, spec: string): string {
    const project = join(dir, name);
    mkdirSync(project);
    const own = { cdktf: "0.21.0", constructs: "10.4.2", "@cdktf/provider-aws": "21.22.0" };
    writeFileSync(join(project, "package.json"), JSON.stringify({ name, version: "1.0.0", private: true, dependencies: own }));
    execFileSync("npm", ["install", ...NPM, spec], { cwd: project, stdio: "ignore" });
    return project;
  }

  /** Every installed copy of a package in a project, as name@version per path. */
  const copies = (project: string, name: string) =>
    execFileSync("npm", ["ls", name, "--all", "--parseable", "--long"], { cwd: project, encoding: "utf8" })
      .trim()
      .split("\n")
      .filter((l) => l.includes(`node_modules/${name}:`))
      .map((l) => l.split(":")[1]);

  test("npm pack from a fresh clone: installed into a new project, it synthesizes a consumer stack and refuses a second instance", () => {
    const project = consumer("from-tarball", tarball);
    writeFileSync(join(project, "app.js"), CONSUMER_APP);
    const result = JSON.parse(execFileSync(process.execPath, ["app.js", join(project, "out")], { cwd: project, encoding: "utf8" }));
    expect(result.modules).toEqual(["runner_scale"]);
    expect(result.image).toBe("123456789012.dkr.ecr.eu-west-1.amazonaws.com/ci/image:1.0.0");
    expect(result.refused).toMatch(/consumer\/more: stack consumer already holds a GitlabRunnerEcr \(consumer\/runners\)/);
    expect(result.attached).toEqual(["${aws_iam_role.deployer.name}"]);
    expect([...new Set(copies(project, "@cdktf/provider-aws"))]).toEqual(["@cdktf/provider-aws@21.22.0"]);
    expect([...new Set(copies(project, "cdktf"))]).toEqual(["cdktf@0.21.0"]);
    // @cdktf/provider-gitlab is an optional peer: not installed, not loaded until a fleet registers its runner.
    expect(copies(project, "@cdktf/provider-gitlab")).toEqual([]);
    expect(result.needsGitlab).toMatch(
      /registered\/runners\/scale: registering the runner from the stack .* needs @cdktf\/provider-gitlab/,
    );
    // A library user's synthesis writes the review beside its document, and the package's
    // review:diff command reads it.
    const folder = join(project, "out", "stacks", "consumer");
    // The deployer's policy too: whole, and in parts (deployer-policy.<n>.json) of a managed policy's size.
    const parts = readdirSync(folder).filter((f) => /^deployer-policy\.\d+\.json$/.test(f));
    expect(parts.length).toBeGreaterThan(0);
    expect(
      readdirSync(folder)
        .filter((f) => !parts.includes(f))
        .sort(),
    ).toEqual(["cdk.tf.json", "deployer-policy.json", "review.json", "review.md"]);
    const diff = execFileSync("npx", ["--no-install", "gitlab-runner-ecr-review-diff", folder, folder, "--out", join(project, "diff")], {
      cwd: project,
      encoding: "utf8",
    });
    expect(diff).toMatch(/^No change in access or trust/);
  }, 120_000);

  test("npm install from the git repository gives a built package whose require exports GitlabRunnerEcr", () => {
    const project = consumer("from-git", `git+file://${clone}`);
    const exported = execFileSync(process.execPath, ["-e", 'process.stdout.write(typeof require("gitlab-runner-ecr").GitlabRunnerEcr)'], {
      cwd: project,
      encoding: "utf8",
    });
    expect(exported).toBe("function");
  }, 240_000);
});
