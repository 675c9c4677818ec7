import { Construct } from "constructs";
import { TerraformVariable, TerraformVariableConfig } from "cdktf";
import { hclExpression, quotedHclString } from "../hcl/hcl-expression";
import { ResolvedConfig, RunnersConfig, VariableRef, formatPath, isVariableRef } from "../config/parse";
import { SettableValue, settableValues } from "../config/settable-values";
import { terraformType, terraformValidations } from "../config/value-rules";
import { VARIABLE_ID_PREFIX } from "../support/terraform-names";

/**
 * Declares a Terraform input variable for every `{ terraformVariable }` in the configuration and
 * returns a copy of the configuration with each such value replaced by a reference to its variable.
 * The rest of the code then sees ordinary strings, lists and numbers (cdktf tokens).
 *
 * Each variable block is named as the user named it, carries a description of ours, the configured
 * default (if any), `nullable = false`, and the validation blocks of the field's rule: the same
 * conditions and messages the configuration validator applies to a literal.
 */
export function resolveVariables(scope: Construct, config: RunnersConfig): ResolvedConfig {
  const uses = new Map<string, SettableValue[]>();
  for (const use of settableValues(config)) {
    if (!isVariableRef(use.value)) continue;
    const name = use.value.terraformVariable;
    uses.set(name, [...(uses.get(name) ?? []), use]);
  }

  const resolved = structuredClone(config) as unknown as Record<string, unknown>;
  for (const [name, group] of uses) {
    const first = group[0]!;
    const fields = group.map((u) => formatPath(u.path));
    const variable = new StackVariable(scope, `${VARIABLE_ID_PREFIX}${name}`, {
      type: terraformType(first.rule),
      description: describe(group),
      default: (first.value as VariableRef<unknown>).default,
      nullable: false,
      validation: terraformValidations(first.rule, name, `var.${name} (${fields.join(", ")})`),
    });
    variable.overrideLogicalId(name);
    const reference =
      first.rule.kind === "text" ? variable.stringValue : first.rule.kind === "text-list" ? variable.listValue : variable.numberValue;
    for (const use of group) setAt(resolved, use.path, reference);
  }
  return resolved as unknown as ResolvedConfig;
}

function setAt(target: Record<string, unknown>, path: readonly (string | number)[], value: unknown): void {
  let node: any = target;
  for (const key of path.slice(0, -1)) node = node[key];
  node[path[path.length - 1]!] = value;
}

/** "EC2 instance type of the runner manager, fleets small and scale. Sets fleets[0].manager.instanceType, …" */
function describe(group: readonly SettableValue[]): string {
  const what = [...new Set(group.map((u) => u.description))].join("; ");
  const fleets = [...new Set(group.flatMap((u) => (u.fleet === undefined ? [] : [u.fleet])))];
  const whose =
    fleets.length === 0
      ? ""
      : fleets.length === 1
        ? `, fleet ${fleets[0]}`
        : `, fleets ${fleets.slice(0, -1).join(", ")} and ${fleets.at(-1)}`;
  return `${what}${whose}. Sets ${group.map((u) => formatPath(u.path)).join(", ")}.`;
}

/**
 * A TerraformVariable whose `cdktf synth --hcl` rendering says what its JSON says: cdktf 0.21 drops
 * every falsy attribute (so `nullable = false` vanishes and a default of 0 or "" would too) and
 * quotes validation conditions as `"${…}"`, which `terraform fmt` rewrites.
 */
class StackVariable extends TerraformVariable {
  constructor(
    scope: Construct,
    id: string,
    private readonly config: TerraformVariableConfig,
  ) {
    super(scope, id, config);
  }

  public override synthesizeHclAttributes(): { [name: string]: any } {
    const hcl = (text: string) => ({ value: text, type: "reference" });
    return {
      ...(this.config.default !== undefined ? { default: hcl(hclExpression(this.config.default)) } : {}),
      ...(this.config.description !== undefined ? { description: hcl(quotedHclString(this.config.description)) } : {}),
      ...(this.config.type !== undefined ? { type: hcl(this.config.type) } : {}),
      ...(this.config.nullable !== undefined ? { nullable: hcl(String(this.config.nullable)) } : {}),
      validation: {
        value: (this.config.validation ?? []).map((v) => ({
          condition: hcl(hclExpression(v.condition)),
          error_message: hcl(quotedHclString(v.errorMessage)),
        })),
        isBlock: true,
        type: "list",
        storageClassType: "objectList",
      },
    };
  }
}
