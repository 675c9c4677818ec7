// The synthesis-time guard of "configuration is data": documents doctored past the schema are
// refused at synthesis, so the guard is not dead code; the shipped configurations pass it.
import { join } from "node:path";
import { TerraformOutput } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { RunnerStackConfigInput } from "../../modules/config/parse";
import { loadConfig } from "../../modules/app/load-config";
import { GitlabRunnerStack } from "../../modules/constructs/gitlab-runner-stack";
import { foreignExpression, templateSequences } from "../../modules/rules/template-guard";
import { synthOutcome, testApp } from "../support/helpers";
import { DEFAULT_CONFIG } from "../../modules/app/default-config";

function stack(config: RunnerStackConfigInput = DEFAULT_CONFIG): GitlabRunnerStack {
  return new GitlabRunnerStack(testApp(), "test", config);
}

const outcome = synthOutcome;

const provider = (s: GitlabRunnerStack) => s.node.findChild("aws") as AwsProvider;

describe("the shipped configurations pass the guard", () => {
  test.each([
    ["embedded default", undefined],
    ["examples/runners.example.yaml", "runners.example.yaml"],
    ["examples/runners.terraform-variables.yaml (references to variables)", "runners.terraform-variables.yaml"],
  ])("%s", (_what, file) => {
    const config =
      file === undefined
        ? DEFAULT_CONFIG
        : loadConfig({ env: { GITLAB_RUNNER_ECR_CONFIG: join(__dirname, "..", "..", "examples", file) } }).config.value;
    expect(outcome(stack(config))).toBe("ok");
  });
});

describe("a template sequence smuggled past the schema is refused at synthesis", () => {
  test("a tag value that would read a file on the machine running Terraform", () => {
    const s = stack();
    provider(s).addOverride("default_tags.0.tags.Evil", '${file("/etc/passwd")}');
    expect(outcome(s)).toContain(
      "[test/aws] configuration-is-data: provider.aws[0].default_tags[0].tags.Evil holds a Terraform interpolation that calls file(), which the stack never writes",
    );
  });

  test("a reference to something the stack does not declare", () => {
    const s = stack();
    new TerraformOutput(s, "leak", { value: "${var.not_declared}" }).overrideLogicalId("leak");
    expect(outcome(s)).toContain(
      "configuration-is-data: output.leak.value holds a Terraform interpolation that refers to var.not_declared, which the stack does not declare",
    );
  });

  test("a template directive", () => {
    const s = stack();
    new TerraformOutput(s, "directive", { value: "%{ if true }x%{ endif }" }).overrideLogicalId("directive");
    expect(outcome(s)).toContain("configuration-is-data: output.directive.value holds a Terraform template directive");
  });

  test("a nested template inside a string literal of an otherwise allowed expression", () => {
    const s = stack();
    new TerraformOutput(s, "nested", { value: '${length("${path.cwd}")}' }).overrideLogicalId("nested");
    expect(outcome(s)).toContain("configuration-is-data: output.nested.value holds a Terraform interpolation that holds a nested template");
  });

  test("shell syntax in a runner module input that reaches the manager's boot script", () => {
    const s = stack();
    s.runners.fleets[0]!.module.addOverride("runner_gitlab.url", "https://gitlab.example.com/$(reboot)");
    expect(outcome(s)).toContain(
      "[test/runners/autoscaler/runner] configuration-is-data: module.runner_autoscaler.runner_gitlab.url holds $, a backtick, a backslash, a double quote or a control character",
    );
  });

  test("a template sequence in the configuration the construct holds (changed after validation)", () => {
    const s = stack();
    (s.runners.config.tags as Record<string, string>).Team = "${var.vpc_id}";
    expect(outcome(s)).toContain("[test/runners] configuration-is-data: tags.Team holds a Terraform template sequence");
  });

  test("it cannot be acknowledged", () => {
    const s = stack();
    expect(() => require("../../modules/rules/aspect").acknowledgeRule(s, "configuration-is-data", "We really mean it, promise")).toThrow(
      /cannot be acknowledged/,
    );
  });
});

describe("the expression check", () => {
  const declared = (a: string) => ["var.subnet_ids", "aws_iam_policy.f_manager", "module.runner_f"].includes(a);

  test.each([
    ["aws_iam_policy.f_manager.arn"],
    ["module.runner_f.runner_agent_role_name"],
    ["element(var.subnet_ids, 0)"],
    ["(length(var.subnet_ids) > 1)"],
    ['alltrue([for item in var.subnet_ids : can(regex("^subnet-([0-9a-f]{8}|[0-9a-f]{17})$", item))])'],
    ["var.subnet_ids == floor(var.subnet_ids) && var.subnet_ids >= 1 && var.subnet_ids <= 1000"],
  ])("accepts the stack's own expression %s", (expression) => {
    expect(foreignExpression(expression, declared)).toBeUndefined();
  });

  test.each([
    ['file("/etc/passwd")', "calls file()"],
    ["path.cwd", "refers to path.cwd"],
    ["var.other", "refers to var.other"],
    ["aws_s3_bucket.cache.arn", "refers to aws_s3_bucket.cache"],
    ["data.external.x.result", "refers to data.external.x"],
    ['templatefile("x", var.subnet_ids)', "calls templatefile()"],
    ['lookup({ a = 1 }, "a")', "has a character"],
    ["var.subnet_ids ; rm", "has a character"],
  ])("refuses %s", (expression, why) => {
    expect(foreignExpression(expression, declared)).toContain(why);
  });

  test("escaped sequences are text; directives and interpolations are found", () => {
    expect(templateSequences("a $${b} %%{c}")).toEqual({ interpolations: [], directives: 0 });
    expect(templateSequences('x ${var.a} %{ if y }z%{ endif } ${f("}")}')).toEqual({ interpolations: ["var.a", 'f("}")'], directives: 2 });
  });
});
