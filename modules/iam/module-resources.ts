/**
 * What the cattle-ops module creates and reads in AWS for one fleet, as recorded in
 * reference/gitlab-runner-module-<version>-resources.json (embedded in
 * modules/generated/module-resources.generated.ts), evaluated for the fleet's inputs with the same
 * evaluator as the module's role policies, so names and conditions read inputs one way.
 */
import { evaluateModuleGrants, InputCondition, ModulePolicyData, PlaceholderSpec, StackLocation } from "./module-grants";

export interface ModuleResourceSpec {
  /** Address inside the module (a `*` stands for several resources of the type). */
  readonly address: string;
  /** Terraform type; data sources as `data.<type>`. */
  readonly type: string;
  /** Name template; null when AWS assigns the identifier. */
  readonly name?: string | null;
  readonly namePrefix?: string;
  /** For attachments and inline role policies: the role's name template. */
  readonly role?: string;
  /** For resources of an autoscaling group: the group's name template. */
  readonly autoScalingGroup?: string;
  /** For roles: the service the role is passed to. */
  readonly passedTo?: string;
  readonly when?: InputCondition;
  readonly comment?: string;
}

export interface ModuleResourceData {
  readonly about: string;
  readonly module: { readonly registrySource: string; readonly version: string; readonly commit: string };
  readonly notation: { readonly [topic: string]: string };
  readonly placeholders: { readonly [name: string]: PlaceholderSpec };
  readonly resources: readonly ModuleResourceSpec[];
}

/** One resource the module creates for a fleet, its templates filled in ("*" where an input is a Terraform expression). */
export interface ModuleResource {
  readonly address: string;
  readonly type: string;
  /** The resource's name; undefined when AWS assigns the identifier. */
  readonly name?: string;
  readonly role?: string;
  readonly autoScalingGroup?: string;
  readonly passedTo?: string;
}

const FIELDS = ["name", "role", "autoScalingGroup"] as const;

/**
 * The resources the module creates for a fleet with these inputs. `placeholders` are those of the
 * module's policy data; this data's own are added to them.
 */
export function evaluateModuleResources(
  data: ModuleResourceData,
  placeholders: ModulePolicyData["placeholders"],
  defaults: { readonly [path: string]: unknown },
  inputs: Record<string, unknown>,
  at: StackLocation,
): ModuleResource[] {
  // Each resource as a "policy" with one statement per template field: the policy evaluator then
  // decides `when` and fills the templates.
  const asPolicies: ModulePolicyData = {
    about: data.about,
    module: data.module,
    notation: data.notation,
    placeholders: { ...placeholders, ...data.placeholders },
    wildcardOnlyActions: { comment: "", actions: [] },
    policies: data.resources.map((r, i) => ({
      name: String(i),
      grantedBy: r.address,
      role: "manager" as const,
      ...(r.when ? { when: r.when } : {}),
      statements: FIELDS.map((f) => ({ Sid: f, Effect: "Allow" as const, Action: ["x:Y"], Resource: [r[f] ?? ""] })),
    })),
  };
  return evaluateModuleGrants(asPolicies, defaults, inputs, at).map((grant) => {
    const spec = data.resources[Number(grant.name)]!;
    const value = (f: (typeof FIELDS)[number]) => {
      const filled = grant.statements[FIELDS.indexOf(f)]!.Resource[0];
      return spec[f] && filled ? { [f]: filled } : {};
    };
    return {
      address: spec.address,
      type: spec.type,
      ...value("name"),
      ...value("role"),
      ...value("autoScalingGroup"),
      ...(spec.passedTo ? { passedTo: spec.passedTo } : {}),
    };
  });
}

/** The module's resource for the manager's IAM role (the workers' is per executor: executors.ts, workerRoleResource). */
export const MANAGER_ROLE_RESOURCE = "aws_iam_role.instance";

/** The name of the module resource at `address`, or undefined where it has none or an input left it to Terraform ("*"). */
export function concreteNameOf(resources: readonly ModuleResource[], address: string | undefined): string | undefined {
  const name = address === undefined ? undefined : resources.find((r) => r.address === address)?.name;
  return name === undefined || name.includes("*") ? undefined : name;
}
