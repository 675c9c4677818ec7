/**
 * Evaluates the data of reference/gitlab-runner-module-<version>-policies.json (embedded in
 * modules/generated/module-policies.generated.ts) for one fleet: which of the module's policies are
 * attached to the fleet's roles, and their statements with concrete ARNs or IAM wildcards.
 *
 * Pure: no I/O, no Terraform. Inputs are the module block as synthesized (cdk.tf.json); where an
 * input holds a Terraform expression (a string with "${"), a test on it counts as met (the policy is
 * assumed attached) and a name built from it becomes "*" at its position.
 */

/** A test over module inputs; see "notation" in the reference JSON. */
export type InputCondition =
  | { readonly input: string; readonly is: boolean }
  | { readonly input: string; readonly equals: string }
  | { readonly input: string; readonly notEquals: string }
  | { readonly all: readonly InputCondition[] }
  | { readonly any: readonly InputCondition[] };

/** How a placeholder's value is computed from module inputs and other placeholders. */
export type ValueExpression =
  | { readonly input: string }
  | { readonly text: string }
  | { readonly concat: readonly ValueExpression[] }
  | { readonly firstNonEmpty: readonly ValueExpression[] }
  | { readonly firstNonNull: readonly ValueExpression[] }
  | { readonly trimPrefix: ValueExpression; readonly prefix: string }
  | { readonly if: InputCondition; readonly then: ValueExpression; readonly else: ValueExpression };

export interface PlaceholderSpec {
  /** "stack": partition, region or account, from where the stack is. */
  readonly from?: "stack";
  readonly value?: ValueExpression;
  /** May have no value; a Resource entry naming it is then left out. */
  readonly optional?: boolean;
  readonly comment?: string;
}

export type ConditionBlock = { readonly [operator: string]: { readonly [key: string]: string | readonly string[] } };

export interface StatementSpec {
  readonly Sid: string;
  readonly Effect: "Allow" | "Deny";
  readonly Action: readonly string[];
  /** Templates naming placeholders in braces. */
  readonly Resource: readonly string[];
  readonly Condition?: ConditionBlock;
}

export interface PolicySpec {
  /** The module's name for the policy (its Terraform resource name). */
  readonly name: string;
  /** Address, inside the module, of the resource that attaches or embeds it. */
  readonly grantedBy: string;
  readonly role: ModuleRole;
  readonly comment?: string;
  /** Attached only when this holds; always when absent. */
  readonly when?: InputCondition;
  /** The module's own statements. */
  readonly statements?: readonly StatementSpec[];
  /** A policy AWS manages, attached by ARN (a template). */
  readonly policyArn?: string;
  /** A policy ARN given as this input, attached by the module. */
  readonly policyArnInput?: string;
  /** Every policy ARN of this list input, each attached by the module. */
  readonly eachPolicyArnIn?: string;
  readonly origin?: "aws-managed" | "input";
}

export interface ModulePolicyData {
  readonly about: string;
  readonly module: { readonly registrySource: string; readonly version: string; readonly commit: string };
  readonly notation: { readonly [topic: string]: string };
  readonly placeholders: { readonly [name: string]: PlaceholderSpec };
  /** Actions IAM grants only with Resource "*": a statement naming resources does not grant them. */
  readonly wildcardOnlyActions: { readonly comment: string; readonly actions: readonly string[] };
  readonly policies: readonly PolicySpec[];
}

export type ModuleRole = "manager" | "workers";

export interface ModuleStatement {
  readonly Sid: string;
  readonly Effect: "Allow" | "Deny";
  readonly Action: readonly string[];
  readonly Resource: readonly string[];
  readonly Condition?: Record<string, Record<string, string | readonly string[]>>;
}

export interface ModulePolicy {
  /** The module's policy, e.g. "instance_session_manager_policy". */
  readonly name: string;
  readonly role: ModuleRole;
  /** Address, inside the module, of the resource that grants it, e.g. "aws_iam_role_policy_attachment.ssm". */
  readonly grantedBy: string;
  /**
   * "module": the module's own document, statements listed. "aws-managed": a policy AWS maintains,
   * attached by ARN. "input": a policy ARN the fleet passes in (reported as given, possibly a
   * Terraform reference to a policy of this stack). Attached-by-ARN policies list no statements.
   */
  readonly origin: "module" | "aws-managed" | "input";
  readonly policyArn?: string;
  readonly statements: readonly ModuleStatement[];
}

/** Where the stack is: the values of the {partition}, {region} and {account} placeholders. */
export interface StackLocation {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
}

const UNKNOWN: unique symbol = Symbol("terraform expression");
type InputValue = unknown;

function isExpression(value: unknown): boolean {
  return typeof value === "string" && value.includes("${");
}

/**
 * What the module attaches to a fleet's roles. `defaults` maps a variable name to its module default
 * and variable.attribute to the attribute's optional() default (absent: required, or no default).
 */
export function evaluateModuleGrants(
  data: ModulePolicyData,
  defaults: { readonly [path: string]: unknown },
  inputs: Record<string, unknown>,
  at: StackLocation,
): ModulePolicy[] {
  const input = (path: string): InputValue | typeof UNKNOWN => {
    const [root, ...rest] = path.split(".") as [string, ...string[]];
    let value = inputs[root];
    if (value === undefined || value === null) {
      if (!(root in defaults)) throw new Error(`module input ${root} is required and not set`);
      value = defaults[root];
    }
    if (isExpression(value)) return UNKNOWN;
    if (rest.length === 0) return value ?? null;
    if (rest.length > 1) throw new Error(`input path ${path}: one attribute level only`);
    let attribute = (value as Record<string, unknown> | null)?.[rest[0]!];
    if (attribute === undefined || attribute === null) attribute = defaults[path] ?? null;
    return isExpression(attribute) ? UNKNOWN : attribute;
  };

  const holds = (condition: InputCondition): boolean => {
    if ("all" in condition) return condition.all.every(holds);
    if ("any" in condition) return condition.any.some(holds);
    const value = input(condition.input);
    if (value === UNKNOWN) return true;
    if ("is" in condition) return value === condition.is;
    if ("equals" in condition) return value === condition.equals;
    return value !== condition.notEquals;
  };
  /** Like holds(), but undefined when an input on the way is a Terraform expression. */
  const decides = (condition: InputCondition): boolean | undefined => {
    if ("all" in condition || "any" in condition) {
      const parts = ("all" in condition ? condition.all : condition.any).map(decides);
      if (parts.includes(undefined)) return undefined;
      return "all" in condition ? parts.every(Boolean) : parts.some(Boolean);
    }
    return input(condition.input) === UNKNOWN ? undefined : holds(condition);
  };

  const stack: { readonly [name: string]: string } = { partition: at.partition, region: at.region, account: at.accountId };
  const resolved = new Map<string, string | null>();
  const resolving = new Set<string>();
  const placeholder = (name: string): string | null => {
    if (resolved.has(name)) return resolved.get(name)!;
    const spec = data.placeholders[name];
    if (!spec) throw new Error(`unknown placeholder {${name}}`);
    if (resolving.has(name)) throw new Error(`placeholder {${name}} refers to itself`);
    resolving.add(name);
    let value: string | null;
    if (spec.from === "stack") {
      const raw = stack[name];
      if (raw === undefined) throw new Error(`no stack value for {${name}}`);
      value = isExpression(raw) ? "*" : raw;
    } else if (spec.value) {
      value = evaluate(spec.value);
    } else {
      throw new Error(`placeholder {${name}} has neither from nor value`);
    }
    resolving.delete(name);
    resolved.set(name, value);
    return value;
  };

  /** Fills a template; undefined when an optional placeholder has no value. */
  const render = (template: string): string | undefined => {
    let dropped = false;
    const text = template.replace(/\{([a-z_]+)\}/g, (_, name: string) => {
      const value = placeholder(name);
      if (value === null || value === "") {
        if (!data.placeholders[name]?.optional) throw new Error(`placeholder {${name}} has no value in ${template}`);
        dropped = true;
        return "";
      }
      return value;
    });
    return dropped ? undefined : text;
  };
  const renderRequired = (template: string): string => {
    const text = render(template);
    if (text === undefined) throw new Error(`template ${template} names a placeholder without value`);
    return text;
  };

  const evaluate = (expression: ValueExpression): string | null => {
    if ("input" in expression) {
      const value = input(expression.input);
      if (value === UNKNOWN) return "*";
      if (value === null) return null;
      if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return String(value);
      throw new Error(`input ${expression.input} is not a single value: ${JSON.stringify(value)}`);
    }
    if ("text" in expression) return renderRequired(expression.text);
    if ("concat" in expression) return expression.concat.map((part) => evaluate(part) ?? "").join("");
    if ("firstNonEmpty" in expression) {
      for (const option of expression.firstNonEmpty) {
        const value = evaluate(option);
        if (value !== null && value !== "") return value;
      }
      return null;
    }
    if ("firstNonNull" in expression) {
      for (const option of expression.firstNonNull) {
        const value = evaluate(option);
        if (value !== null) return value;
      }
      return null;
    }
    if ("trimPrefix" in expression) {
      const value = evaluate(expression.trimPrefix);
      return value !== null && value.startsWith(expression.prefix) ? value.slice(expression.prefix.length) : value;
    }
    const decided = decides(expression.if);
    if (decided === undefined) return "*";
    return evaluate(decided ? expression.then : expression.else);
  };

  const grants: ModulePolicy[] = [];
  for (const policy of data.policies) {
    if (policy.when && !holds(policy.when)) continue;
    const base = { name: policy.name, role: policy.role, grantedBy: policy.grantedBy };
    if (policy.statements) {
      grants.push({
        ...base,
        origin: "module",
        statements: policy.statements.map((s) => ({
          Sid: s.Sid,
          Effect: s.Effect,
          // What IAM grants: a wildcard-only action counts only in a statement on "*".
          Action: s.Resource.includes("*") ? [...s.Action] : s.Action.filter((a) => !data.wildcardOnlyActions.actions.includes(a)),
          Resource: s.Resource.map(render).filter((r): r is string => r !== undefined),
          ...(s.Condition ? { Condition: renderCondition(s.Condition, renderRequired) } : {}),
        })),
      });
    } else if (policy.policyArn !== undefined) {
      grants.push({ ...base, origin: policy.origin ?? "aws-managed", policyArn: renderRequired(policy.policyArn), statements: [] });
    } else if (policy.policyArnInput !== undefined) {
      grants.push({ ...base, origin: "input", policyArn: asGiven(inputs, policy.policyArnInput, input), statements: [] });
    } else if (policy.eachPolicyArnIn !== undefined) {
      const list = rawOrDefault(inputs, policy.eachPolicyArnIn, input);
      if (typeof list === "string") {
        grants.push({ ...base, name: `${policy.name}[*]`, origin: "input", policyArn: list, statements: [] });
      } else if (Array.isArray(list)) {
        list.forEach((arn: unknown, i) =>
          grants.push({ ...base, name: `${policy.name}[${i}]`, origin: "input", policyArn: String(arn), statements: [] }),
        );
      } else if (list !== null) {
        throw new Error(`input ${policy.eachPolicyArnIn} is not a list: ${JSON.stringify(list)}`);
      }
    } else {
      throw new Error(`policy ${policy.name} has no statements and no ARN`);
    }
  }
  return grants;
}

function renderCondition(
  condition: ConditionBlock,
  render: (template: string) => string,
): Record<string, Record<string, string | readonly string[]>> {
  return Object.fromEntries(
    Object.entries(condition).map(([operator, keys]) => [
      operator,
      Object.fromEntries(Object.entries(keys).map(([key, value]) => [key, typeof value === "string" ? render(value) : value.map(render)])),
    ]),
  );
}

/** An input's value as the fleet gives it, Terraform expressions included (for ARNs reported as given). */
function rawOrDefault(inputs: Record<string, unknown>, path: string, input: (path: string) => unknown): unknown {
  const [root, attribute] = path.split(".") as [string, string | undefined];
  const given = inputs[root];
  if (isExpression(given)) return given;
  if (attribute !== undefined && given !== null && typeof given === "object") {
    const value = (given as Record<string, unknown>)[attribute];
    if (isExpression(value)) return value;
  }
  const value = input(path);
  return value === UNKNOWN ? "*" : value;
}

function asGiven(inputs: Record<string, unknown>, path: string, input: (path: string) => unknown): string {
  const value = rawOrDefault(inputs, path, input);
  if (typeof value !== "string") throw new Error(`input ${path} is not a policy ARN: ${JSON.stringify(value)}`);
  return value;
}
