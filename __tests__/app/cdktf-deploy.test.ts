// The cdktf CLI on the Node running the tests (CI runs them on Node 20, 22, 24 and 26): it starts (its
// pty module loads: @lydell/node-pty's Node-API binary, see __tests__/app/cli-pty.test.ts), a synthesis of this
// project prints nothing that looks like a failure, and deploy runs Terraform through the pty.
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { TERRAFORM_ENV, describeWithTools } from "../support/system-tools";
import { tempFolder } from "../support/temp-folder";

const ROOT = resolve(__dirname, "..", "..");
// The bin `npx cdktf` runs, started with this test's Node (npx would take the first node on PATH).
const CDKTF = join(ROOT, "node_modules", ".bin", "cdktf");
let dir: string;
beforeEach(() => (dir = tempFolder("gre-cdktf-cli-")));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function cdktf(args: string[], cwd: string, extra: Record<string, string> = {}) {
  // Without NODE_OPTIONS (the benchmark sets one): the CLI rightly warns that it then keeps its hands off the heap size.
  const env: NodeJS.ProcessEnv = { ...TERRAFORM_ENV, ...extra };
  delete env.NODE_OPTIONS;
  return spawnSync(process.execPath, [CDKTF, ...args], { cwd, env, encoding: "utf8", timeout: 120_000 });
}

test(`synthesis of the embedded configuration prints no error or warning line (Node ${process.version})`, () => {
  const r = cdktf(["synth", "--output", join(dir, "out")], ROOT, { GITLAB_RUNNER_ECR_CONFIG: "" });
  expect(r.status).toBe(0);
  const output = r.stdout + r.stderr;
  expect(output).toMatch(/Generated Terraform code for the stacks: gitlab-runners/);
  expect(output).not.toMatch(/\[ERROR\]|\[WARN\]|Warning|pty\.node/);
  expect(readFileSync(join(dir, "out", "stacks", "gitlab-runners", "cdk.tf.json"), "utf8")).toMatch(/"module"/);
}, 120_000);

describeWithTools([["terraform", "Terraform 1.11 from HashiCorp; it is not a Debian package"]])("cdktf deploy", () => {
  test("applies an offline stack through Terraform in the CLI's pty, and cdktf output reads it back", () => {
    // A stack without providers or modules: terraform init, plan and apply need no network.
    writeFileSync(
      join(dir, "app.js"),
      [
        `const { App, LocalBackend, TerraformOutput, TerraformStack } = require(${JSON.stringify(require.resolve("cdktf"))});`,
        "const app = new App();",
        'const stack = new TerraformStack(app, "probe");',
        'new LocalBackend(stack, { path: "probe.tfstate" }); // relative to the stack folder',
        'new TerraformOutput(stack, "greeting", { value: `applied by Node ${process.version}` });',
        "app.synth();",
      ].join("\n"),
    );
    writeFileSync(join(dir, "cdktf.json"), JSON.stringify({ language: "typescript", app: `"${process.execPath}" app.js` }));
    const deploy = cdktf(["deploy", "--auto-approve"], dir);
    expect(deploy.stderr + deploy.stdout).not.toMatch(/pty\.node|\[ERROR\]/);
    expect(deploy.status).toBe(0);
    const state = JSON.parse(readFileSync(join(dir, "cdktf.out", "stacks", "probe", "probe.tfstate"), "utf8"));
    expect(state.outputs.greeting.value).toBe(`applied by Node ${process.version}`);
    const output = cdktf(["output"], dir);
    expect(output.status).toBe(0);
    expect(output.stdout).toContain(`greeting = applied by Node ${process.version}`);
  }, 120_000);
});
