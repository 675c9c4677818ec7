// Every Terraform expression in cdk.tf.json parses, and every reference in it names a block
// declared in the same file (or an output the module really has). A dangling reference would
// otherwise surface only at `terraform plan` on the user's machine.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { getExpressionAst, getReferencesInExpression } from "@cdktf/hcl2json";
import { DEFAULT_CONFIG } from "../../modules/app/default-config";
import { formatPath, RunnerStackConfigInput } from "../../modules/config/parse";
import { splitTemplate } from "../../modules/hcl/hcl-expression";
import { jsonStrings } from "../../modules/support/json-strings";
import { loadConfig } from "../../modules/app/load-config";
import { configWith, synth, TerraformJson } from "../support/helpers";

const MODULE_OUTPUTS = new Set<string>(
  (
    JSON.parse(readFileSync(join(__dirname, "..", "..", "reference", "gitlab-runner-module-9.5.2.json"), "utf8")) as {
      outputs: { name: string }[];
    }
  ).outputs.map((o) => o.name),
);

/** Every string in the document with its JSON path, skipping cdktf's "//" metadata. */
function strings(value: unknown): [string, string][] {
  return jsonStrings(value, ["//"]).map(([path, text]) => [formatPath(path), text]);
}

/** Problems with the expressions of a synthesized document: unparsable or dangling references. */
async function expressionProblems(json: TerraformJson & Record<string, any>): Promise<string[]> {
  const declared = (kind: Record<string, Record<string, unknown>> | undefined, type: string, name: string) =>
    kind?.[type]?.[name] !== undefined;
  const problems: string[] = [];
  for (const [path, text] of strings(json)) {
    if (!text.includes("${")) continue;
    let parts;
    try {
      parts = splitTemplate(text);
    } catch (e) {
      problems.push(`${path}: ${(e as Error).message}`);
      continue;
    }
    for (const part of parts) {
      if (!("expression" in part)) continue;
      try {
        await getExpressionAst("cdk.tf", part.expression);
      } catch (e) {
        problems.push(`${path}: does not parse: ${part.expression}: ${(e as Error).message.split("\n")[0]}`);
        continue;
      }
      for (const ref of await getReferencesInExpression("cdk.tf", `"\${${part.expression}}"`)) {
        const [root, second, third] = ref.value.split(".");
        const ok =
          root === "var"
            ? json.variable?.[second!] !== undefined
            : root === "local"
              ? json.locals?.[second!] !== undefined
              : root === "data"
                ? declared(json.data, second!, third!)
                : root === "module"
                  ? json.module?.[second!] !== undefined && MODULE_OUTPUTS.has(third!)
                  : declared(json.resource, root!, second!);
        if (!ok) problems.push(`${path}: ${ref.value} is not declared in this file`);
      }
    }
  }
  return problems;
}

const CONFIGS: Record<string, RunnerStackConfigInput> = {
  default: DEFAULT_CONFIG,
  "values left to Terraform variables": loadConfig({
    env: { GITLAB_RUNNER_ECR_CONFIG: join(__dirname, "..", "..", "examples", "runners.terraform-variables.yaml") },
  }).config.value as RunnerStackConfigInput,
  "docker+machine with an existing repository and S3 backend": configWith({
    repositories: [{ arn: "arn:aws:ecr:us-east-1:444455556666:repository/shared/tools", usedAsJobImage: true }],
    backend: { type: "s3", bucket: "acme-terraform-state", key: "runners.tfstate", region: "eu-west-1" },
    fleets: [
      { name: "machine", executor: "docker+machine", runnerTokenSsmParameter: "/t", workers: { instanceTypes: ["m6i.large"], spot: true } },
    ],
  }),
};

describe.each(Object.entries(CONFIGS))("expressions of %s", (_name, config) => {
  test("every ${…} parses and references a declared block", async () => {
    const { json } = synth(config);
    const count = strings(json).filter(([, s]) => s.includes("${")).length;
    expect(count).toBeGreaterThan(5); // the walk really saw expressions
    expect(await expressionProblems(json)).toEqual([]);
  });
});

describe("the checker itself", () => {
  test("reports a dangling resource, an unknown module output, an undeclared variable and a syntax error", async () => {
    const { json } = synth();
    const doctored = structuredClone(json) as TerraformJson & Record<string, any>;
    doctored.output.extra = { value: "${aws_iam_policy.nope.arn}" };
    doctored.output.extra2 = { value: "${module.runner_autoscaler.no_such_output}" };
    doctored.output.extra3 = { value: "x-${var.missing}" };
    doctored.output.extra4 = { value: "${aws_s3_bucket.cache.}" };
    const problems = await expressionProblems(doctored);
    expect(problems).toEqual([
      "output.extra.value: aws_iam_policy.nope.arn is not declared in this file",
      "output.extra2.value: module.runner_autoscaler.no_such_output is not declared in this file",
      "output.extra3.value: var.missing is not declared in this file",
      expect.stringMatching(/^output\.extra4\.value: does not parse: aws_s3_bucket\.cache\./),
    ]);
  });
});
