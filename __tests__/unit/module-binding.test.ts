import { readFileSync } from "node:fs";
import { GitlabRunnerModuleInputs } from "../../modules/generated/gitlab-runner-module.generated";
import { BINDING_PATH, loadReference, renderBinding, renderTsType } from "../../tools/generate-module-binding";
import { parseHclType } from "../../tools/hcl-type";

const reference = loadReference();

test("the committed binding is exactly what the reference data generates", () => {
  expect(readFileSync(BINDING_PATH, "utf8")).toBe(renderBinding(reference));
});

test("the reference describes 70 variables and 11 outputs of module 9.5.2, all parseable", () => {
  expect(reference.module.version).toBe("9.5.2");
  expect(reference.variables).toHaveLength(70);
  expect(reference.outputs).toHaveLength(11);
  for (const v of reference.variables) expect(() => parseHclType(v.type)).not.toThrow();
});

test("exactly the variables without a default are required inputs", () => {
  const binding = readFileSync(BINDING_PATH, "utf8");
  const start = binding.indexOf("export interface GitlabRunnerModuleInputs {");
  const inputs = binding.slice(start, binding.indexOf("\n}\n", start));
  const required = [...inputs.matchAll(/^ {2}readonly ([a-z_]+): /gm)].map((m) => m[1]).sort();
  expect(required).toEqual([...reference.requiredVariables].sort());
});

describe("type expressions", () => {
  test("optional() attributes become optional fields, others required", () => {
    const t = parseHclType("object({ a = string, b = optional(number, 3), c = optional(list(string)) })");
    expect(renderTsType(t)).toBe(
      "{\n  readonly a: string;\n  /** Module default: 3 */\n  readonly b?: number;\n  readonly c?: readonly string[];\n}",
    );
  });

  test("nested collections and any", () => {
    expect(renderTsType(parseHclType("map(list(string))"))).toBe("{ readonly [key: string]: readonly string[] }");
    expect(renderTsType(parseHclType("map(any)"))).toBe("{ readonly [key: string]: unknown }");
    expect(renderTsType(parseHclType("list(object({ v = string }))"))).toBe("readonly ({\n  readonly v: string;\n})[]");
  });

  test("defaults with brackets, commas and quotes inside optional() are skipped whole", () => {
    const t = parseHclType('object({ s = optional(string, "a,)b\\"c"), m = optional(map(string), {}), n = bool })');
    expect(t).toEqual({
      kind: "object",
      attributes: [
        { name: "s", type: { kind: "primitive", name: "string" }, optional: true, defaultText: '"a,)b\\"c"' },
        { name: "m", type: { kind: "map", element: { kind: "primitive", name: "string" } }, optional: true, defaultText: "{}" },
        { name: "n", type: { kind: "primitive", name: "bool" }, optional: false },
      ],
    });
  });

  test("unknown type names and trailing text are errors", () => {
    expect(() => parseHclType("strng")).toThrow(/unknown type 'strng'/);
    expect(() => parseHclType("string)")).toThrow(/unexpected trailing text/);
  });
});

// Compile-time checks: `npm test` runs tsc over this file first, and an @ts-expect-error that
// no longer meets an error fails it. Terraform itself would drop these attributes silently.
export const misspeltAttributes: Partial<GitlabRunnerModuleInputs>[] = [
  // @ts-expect-error the module's own example sets runner_instance.use_eip-like keys that do not exist
  { runner_instance: { name: "x", use_elastic_ip: true } },
  // @ts-expect-error policy_arn is not an attribute; policy_arns is
  { runner_role: { policy_arn: ["arn:aws:iam::123456789012:policy/x"] } },
  // @ts-expect-error runner_metadata_options has four required attributes
  { runner_metadata_options: { http_tokens: "required" } },
];
