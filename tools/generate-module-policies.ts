/**
 * Generates `modules/generated/module-policies.generated.ts`: what the cattle-ops module grants the
 * IAM roles it creates for a fleet, from `reference/gitlab-runner-module-<version>-policies.json`
 * (this project's record of the module's policy files), with the module defaults of the inputs that
 * data reads taken from `reference/gitlab-runner-module-<version>.json`. Checks the data on the way:
 * every input path names a module variable (and attribute), every placeholder is defined, every
 * action is service:Name. A test regenerates the file and compares.
 *
 * Run: npm run gen:module-policies
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ModulePolicyData, PolicySpec } from "../modules/iam/module-grants";
import { loadReference, ModuleReference, projectRoot } from "./generate-module-binding";
import { HclType, parseHclType } from "./hcl-type";

export const POLICIES_REFERENCE_PATH = join(projectRoot(), "reference", "gitlab-runner-module-9.5.2-policies.json");
export const POLICIES_PATH = join(projectRoot(), "modules", "generated", "module-policies.generated.ts");

export function loadPolicyData(path = POLICIES_REFERENCE_PATH): ModulePolicyData {
  return JSON.parse(readFileSync(path, "utf8")) as ModulePolicyData;
}

/** Every module input path the data reads (conditions, values, ARN inputs), sorted. */
export function inputPaths(data: ModulePolicyData): string[] {
  const paths = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === "object") {
      for (const [key, value] of Object.entries(node)) {
        if ((key === "input" || key === "policyArnInput" || key === "eachPolicyArnIn") && typeof value === "string") paths.add(value);
        else walk(value);
      }
    }
  };
  walk(data.placeholders);
  walk(data.policies);
  return [...paths].sort();
}

/** An HCL default as written in optional(T, default): JSON-compatible literals only. */
function literal(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${where}: default ${text} is not a JSON-compatible literal`);
  }
}

/**
 * The module defaults of `paths`: a variable's default under its name, an attribute's optional()
 * default under variable.attribute (null for optional() without one). Required variables are left
 * out. Throws on a path that names no variable or attribute of the module.
 */
export function inputDefaults(reference: ModuleReference, paths: readonly string[]): Record<string, unknown> {
  const variables = new Map(reference.variables.map((v) => [v.name, v]));
  const defaults: Record<string, unknown> = {};
  for (const path of paths) {
    const [root, attribute, ...more] = path.split(".");
    const variable = variables.get(root!);
    if (!variable || more.length > 0) throw new Error(`input ${path}: no such module variable`);
    if (variable.hasDefault) {
      if ((variable as { defaultIsComplex?: boolean }).defaultIsComplex)
        throw new Error(`input ${path}: the variable's default is not recorded`);
      defaults[root!] = variable.default ?? null;
    }
    if (attribute === undefined) continue;
    const type: HclType = parseHclType(variable.type);
    if (type.kind === "map") continue;
    if (type.kind !== "object") throw new Error(`input ${path}: ${root} is not an object or map`);
    const attr = type.attributes.find((a) => a.name === attribute);
    if (!attr) throw new Error(`input ${path}: ${root} has no attribute ${attribute}`);
    if (attr.optional) defaults[path] = attr.defaultText === undefined ? null : literal(attr.defaultText, path);
  }
  return Object.fromEntries(Object.entries(defaults).sort(([a], [b]) => a.localeCompare(b)));
}

/** Throws on what the evaluator would only find at run time: unknown placeholders, malformed actions or policies. */
export function checkPolicyData(data: ModulePolicyData, reference: ModuleReference): void {
  if (data.module.version !== reference.module.version || data.module.commit !== reference.module.commit)
    throw new Error(
      `policy data is for ${data.module.version} (${data.module.commit}), the module reference for ${reference.module.version}`,
    );
  const templates: string[] = [];
  const collect = (node: unknown, key = ""): void => {
    if (typeof node === "string" && ["text", "policyArn", "Resource", "Condition"].includes(key)) templates.push(node);
    else if (Array.isArray(node)) node.forEach((n) => collect(n, key));
    else if (node !== null && typeof node === "object")
      for (const [k, v] of Object.entries(node)) collect(v, key === "Condition" ? key : k);
  };
  collect(data.placeholders);
  collect(data.policies);
  for (const t of templates)
    for (const [, name] of t.matchAll(/\{([a-z_]+)\}/g))
      if (!data.placeholders[name!]) throw new Error(`template ${t} names no placeholder {${name}}`);
  const names = new Set<string>();
  for (const p of data.policies as readonly PolicySpec[]) {
    if (names.has(p.name)) throw new Error(`policy ${p.name} listed twice`);
    names.add(p.name);
    const sources = [p.statements, p.policyArn, p.policyArnInput, p.eachPolicyArnIn].filter((s) => s !== undefined);
    if (sources.length !== 1) throw new Error(`policy ${p.name}: exactly one of statements, policyArn, policyArnInput, eachPolicyArnIn`);
    for (const s of p.statements ?? [])
      for (const a of s.Action) if (!/^[a-z0-9-]+:[A-Za-z0-9]+\*?$/.test(a)) throw new Error(`policy ${p.name}: malformed action ${a}`);
  }
  inputDefaults(reference, inputPaths(data));
}

export function renderModulePolicies(data: ModulePolicyData, reference: ModuleReference): string {
  checkPolicyData(data, reference);
  const { module } = data;
  const defaults = inputDefaults(reference, inputPaths(data));
  return `// Generated by tools/generate-module-policies.ts from reference/gitlab-runner-module-${module.version}-policies.json
// and the input defaults in reference/gitlab-runner-module-${module.version}.json.
// Do not edit by hand: run \`npm run gen:module-policies\`. A test fails when this file and the reference disagree.
import { evaluateModuleGrants, ModulePolicy, ModulePolicyData, StackLocation } from "../iam/module-grants";

export type { ModulePolicy, ModuleRole, ModuleStatement, StackLocation } from "../iam/module-grants";

/** Module defaults of the inputs the policy data reads: variable defaults by name, optional() attribute defaults by variable.attribute. */
export const MODULE_POLICY_INPUT_DEFAULTS: { readonly [path: string]: unknown } = ${JSON.stringify(defaults, null, 2)};

/** The module's grants to the roles it creates for a fleet (${module.registrySource} ${module.version}, commit ${module.commit}). */
export const MODULE_POLICY_DATA: ModulePolicyData = ${JSON.stringify(data, null, 2)};

/** What the module attaches to a fleet's roles, given the fleet's module inputs (as synthesized) and where the stack is. */
export function moduleGrants(inputs: Record<string, unknown>, at: StackLocation): ModulePolicy[] {
  return evaluateModuleGrants(MODULE_POLICY_DATA, MODULE_POLICY_INPUT_DEFAULTS, inputs, at);
}
`;
}

if (require.main === module) {
  writeFileSync(POLICIES_PATH, renderModulePolicies(loadPolicyData(), loadReference()));
  process.stdout.write(`wrote ${POLICIES_PATH}\n`);
}
