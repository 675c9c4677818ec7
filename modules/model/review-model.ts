/**
 * The review model: what review.md shows and review.json holds, computed from the synthesized
 * document (stack-document.ts) by evaluating every role's policies, the module's own included, on
 * every resource. Paths between fleets come from these evaluations and from what each fleet runs,
 * not from the configuration's lists. docs/review-json.md documents the JSON form and its version.
 */
import { ECR_PULL_ACTIONS, ECR_PULL_THROUGH_ACTIONS, ECR_PUSH_ACTIONS, ECR_REPOSITORY_WRITE_ACTIONS } from "../iam/ecr-action-sets";
import { Condition, EvaluatedStatement, RequestContext, evaluate, mayReach } from "../iam/policy-evaluation";
import { EXECUTORS } from "../executors";
import { DocumentFleet, FleetRole, StackDocument, fleetRoles } from "./stack-document";

import { REVIEW_MODEL_VERSION } from "./review-versions";
import type { ReadKind } from "./read-kinds";

export { REVIEW_MODEL_VERSION } from "./review-versions";

export type ResourceKind = "ecr-repository" | "ecr-pull-through-prefix" | "s3-bucket" | "s3-objects" | "any" | "other";

export interface ModelResource {
  /** Stable id within one model, e.g. `ecr:apps/web`, `pull-through:ecr-public`, `s3-objects:my-cache`. */
  readonly id: string;
  readonly kind: ResourceKind;
  /** The ARN, or the ARN pattern (`…/ecr-public/*`, `…:::bucket/*`, `*`). */
  readonly arn: string;
  /** The concrete ARN a cell is evaluated on: the ARN itself, or one resource inside the pattern. */
  readonly probe: string;
  /** What a reviewer reads in a table header. */
  readonly label: string;
  /** Created by this stack (else only named in a policy, or made by ECR on first pull). */
  readonly created: boolean;
  /** The runners' default job image's repository. */
  readonly ciImage?: boolean;
  /** Tags that stay mutable (build caches; `*` for a pull-through prefix, whose tags follow the upstream). */
  readonly mutableTags?: readonly string[];
  readonly upstream?: string;
  readonly credentialArn?: string;
}

export interface ModelPermission {
  readonly resource: string;
  readonly action: string;
  /** Who allows it: this stack's policies, the module's own, or both. */
  readonly by: "stack" | "module" | "both";
  /** Allowed only where a statement's condition holds (e.g. a tag on the instance); the conditions, as written. */
  readonly conditions?: readonly Condition[];
}

export interface ModelRole {
  /** `<fleet>/manager` or `<fleet>/workers`. */
  readonly id: string;
  readonly fleet: string;
  readonly kind: "manager" | "workers";
  readonly runsJobs: boolean;
  /** The IAM role's name (absent where a Terraform variable decides it). */
  readonly iamRole?: string;
  /** The policies that reach the role: `aws_iam_policy.<name>`, or `module:<policy>` for the module's own. */
  readonly policies: readonly { readonly source: string; readonly byModule: boolean; readonly readable: boolean }[];
  /** Every allowed (action, resource) cell, sorted by resource then action. */
  readonly permissions: readonly ModelPermission[];
  /**
   * The statements of every readable policy that reaches the role, normalized (lists, `not…` for
   * NotAction / NotResource): what a diff re-evaluates on the resources of another synthesis.
   */
  readonly statements: readonly (EvaluatedStatement & { readonly source: string })[];
}

/**
 * The GitLab settings of a fleet's runner: as the stack registers them (`registeredBy: "stack"`),
 * or, for a runner registered by hand, the settings the fleet's grants need it to have.
 */
export interface ModelGitlabRunner {
  readonly registeredBy: "stack" | "hand";
  /** Whether the fleet's jobs may push an image (ecr:PutImage on some repository). */
  readonly jobsMayPush: boolean;
  /** gitlab_user_runner's runner_type (`instance_type`, `group_type`, `project_type`); stack only. */
  readonly runnerType?: unknown;
  /** The group's or project's id; stack only. */
  readonly ownerId?: unknown;
  /** Runs only jobs of protected branches and tags. */
  readonly protected: boolean;
  readonly tags: unknown;
  readonly runUntagged: unknown;
}

export interface ModelFleet {
  readonly name: string;
  readonly executor: string;
  readonly jobsRunOn: "manager" | "workers";
  readonly jobsHold: string;
  readonly privileged: boolean;
  readonly hopLimit: { readonly manager: unknown; readonly workers?: unknown };
  readonly jobsPerWorkerInstance?: unknown;
  readonly cacheNamespace: "own" | "shared";
  readonly tokenParameter: unknown;
  readonly gitlab: ModelGitlabRunner;
  readonly defaultImage: unknown;
  readonly registryLogins: readonly string[];
  readonly roles: readonly string[];
  /** Versions as synthesized: the gitlab-runner release and the module's. */
  readonly runnerVersion: unknown;
  readonly moduleVersion: unknown;
}

export type { ReadKind } from "./read-kinds";
export interface ModelPath {
  /** The fleet whose jobs write. */
  readonly from: string;
  readonly resource: string;
  /** The fleet that reads or runs it. */
  readonly to: string;
  /** What the writer's jobs may do to it, e.g. ["ecr:PutImage"], or ["signed-url:PUT"] for a shared cache namespace. */
  readonly write: readonly string[];
  readonly read: readonly ReadKind[];
}

export interface ModelFinding {
  readonly rule: string;
  readonly path: string;
  readonly message: string;
  readonly acknowledgement?: { readonly path: string; readonly reason: string };
}

/** Where the Terraform state lives, from the backend block. */
export interface ModelState {
  readonly backend: string;
  readonly bucket?: string;
  readonly kmsKeyId?: string;
}

/** The deployer's policy written beside the review (deployer-policy*.json): its files, and what it leaves out. */
export interface ModelDeployer {
  /** The whole policy and its parts, in order. */
  readonly files: readonly string[];
  /** Resource types of the document the policy has no actions for: whoever deploys needs them too. */
  readonly uncovered: readonly string[];
}

export interface ReviewModel {
  readonly schema: "gitlab-runner-ecr/review";
  readonly version: typeof REVIEW_MODEL_VERSION;
  readonly stack: string;
  readonly partition: string;
  readonly accountId?: string;
  readonly region?: string;
  readonly state: ModelState;
  readonly fleets: readonly ModelFleet[];
  readonly resources: readonly ModelResource[];
  readonly roles: readonly ModelRole[];
  readonly paths: readonly ModelPath[];
  readonly rules: readonly { readonly id: string; readonly description: string; readonly acknowledgeable: boolean }[];
  readonly findings: readonly ModelFinding[];
  /** Absent in models written before the deployer's policy was. */
  readonly deployer?: ModelDeployer;
}

/** Actions every repository and bucket cell is evaluated for, besides those the role's policies name. */
const ECR_PROBES = [...ECR_PULL_ACTIONS, ...ECR_REPOSITORY_WRITE_ACTIONS, ...ECR_PULL_THROUGH_ACTIONS];
const S3_OBJECT_PROBES = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:GetObjectVersion"];
const S3_BUCKET_PROBES = ["s3:ListBucket", "s3:DeleteBucket", "s3:PutBucketPolicy"];

const ARN_PARTS = /^arn:([^:]*):([^:]*):([^:]*):([^:]*):(.*)$/;

/** One concrete resource inside an ARN pattern: the stack's region and account where they are wildcards, `example` elsewhere. */
export function probeOf(pattern: string, doc: Pick<StackDocument, "region" | "accountId">): string {
  if (pattern === "*") return "*";
  const m = ARN_PARTS.exec(pattern);
  if (!m) return pattern.replace(/\*/g, "example").replace(/\?/g, "x");
  const [, partition, service, region, account, rest] = m as unknown as string[];
  const fill = (s: string, whole: string | undefined) =>
    s === "*" && whole !== undefined ? whole : s.replace(/\*/g, "example").replace(/\?/g, "x");
  const regionless = service === "s3" || service === "iam";
  return [
    "arn",
    partition,
    service,
    regionless ? region : fill(region!, doc.region),
    service === "s3" ? account : fill(account!, doc.accountId),
    rest!.replace(/\*/g, "example").replace(/\?/g, "x"),
  ].join(":");
}

function repositoryNameOf(arn: string): string {
  return arn.slice(arn.indexOf(":repository/") + ":repository/".length);
}

/** The resources the tables have columns for: the stack's own, those its policies name, and "any". */
function resourcesOf(doc: StackDocument): ModelResource[] {
  const out = new Map<string, ModelResource>();
  const add = (r: ModelResource) => {
    if (!out.has(r.id)) out.set(r.id, r);
  };
  const ciImageRepositories = new Set(
    doc.fleets.map((f) => (typeof f.defaultImage === "string" ? f.defaultImage.split(/[:@]/)[0]!.split("/").slice(1).join("/") : "")),
  );
  const here = (arn: string) => doc.region !== undefined && arn.split(":")[3] === doc.region && arn.split(":")[4] === doc.accountId;
  for (const r of doc.repositories) {
    if (r.arn === undefined) continue;
    const ci = ciImageRepositories.has(r.name);
    add({
      id: `ecr:${r.name}`,
      kind: "ecr-repository",
      arn: r.arn,
      probe: r.arn,
      label: `ECR \`${r.name}\`${ci ? " (CI image)" : ""}`,
      created: true,
      ...(ci ? { ciImage: true } : {}),
      ...(r.mutableTags.length > 0 ? { mutableTags: r.mutableTags } : {}),
    });
  }
  for (const p of doc.pullThroughRules) {
    add({
      id: `pull-through:${p.prefix}`,
      kind: "ecr-pull-through-prefix",
      arn: p.repositoryPattern,
      probe: probeOf(p.repositoryPattern, doc),
      label: `ECR \`${p.prefix}/*\` (pull-through cache of \`${p.upstream}\`)`,
      created: true,
      mutableTags: ["*"],
      upstream: p.upstream,
      ...(p.credentialArn !== undefined ? { credentialArn: p.credentialArn } : {}),
    });
  }
  // Repositories the policies name without the stack creating them (existing ones, by ARN).
  const named = new Set(doc.policies.flatMap((p) => (p.statements ?? []).flatMap((s) => s.resources)));
  for (const arn of [...named].sort()) {
    if (!/^arn:[^:]+:ecr:[^:*?]+:\d{12}:repository\/[^*?]+$/.test(arn)) continue;
    const name = repositoryNameOf(arn);
    if ([...out.values()].some((r) => r.arn === arn)) continue;
    const [, , , region, account] = arn.split(":");
    add({
      id: `ecr:${arn}`,
      kind: "ecr-repository",
      arn,
      probe: arn,
      label: `ECR \`${name}\`${here(arn) ? "" : ` (${account}, ${region})`}`,
      created: false,
    });
  }
  for (const b of doc.buckets) {
    const cache = doc.fleets.some((f) => f.cacheBucket === b.name) ? " (cache)" : "";
    add({ id: `s3:${b.name}`, kind: "s3-bucket", arn: b.arn, probe: b.arn, label: `S3 bucket \`${b.name}\`${cache}`, created: true });
    add({
      id: `s3-objects:${b.name}`,
      kind: "s3-objects",
      arn: `${b.arn}/*`,
      probe: `${b.arn}/runner/example/project/1/default`,
      label: `objects in \`${b.name}\``,
      created: true,
    });
  }
  add({ id: "*", kind: "any", arn: "*", probe: "*", label: "any (`*`)", created: false });
  return [...out.values()];
}

/** The condition context of a request on `resource`: the owner of the stack's own S3 resources. */
function contextFor(resource: ModelResource, doc: StackDocument): RequestContext {
  return (resource.kind === "s3-bucket" || resource.kind === "s3-objects") && doc.accountId !== undefined
    ? { "s3:ResourceAccount": doc.accountId }
    : {};
}

/** Actions without a resource type: only the "any" column can hold them. */
const WILDCARD_ONLY_ACTIONS = ["ecr:GetAuthorizationToken"];

function actionsFor(resource: ModelResource, named: readonly string[]): string[] {
  const service =
    resource.kind === "ecr-repository" || resource.kind === "ecr-pull-through-prefix"
      ? "ecr"
      : resource.kind.startsWith("s3")
        ? "s3"
        : undefined;
  const probes =
    service === "ecr"
      ? ECR_PROBES
      : resource.kind === "s3-objects"
        ? S3_OBJECT_PROBES
        : resource.kind === "s3-bucket"
          ? S3_BUCKET_PROBES
          : [];
  const ofService = named.filter((a) => (service === undefined || a.startsWith(`${service}:`)) && !WILDCARD_ONLY_ACTIONS.includes(a));
  return [...new Set([...probes, ...ofService])].sort();
}

/** Resources that only the role's own statements name (the module's grants on logs, SSM, EC2 …), as "other" columns. */
function otherResources(role: FleetRole, known: readonly ModelResource[], doc: StackDocument): ModelResource[] {
  const patterns = new Set(role.statements.flatMap((s) => (s.notResources ? [] : s.resources)));
  return [...patterns]
    .filter((p) => !known.some((r) => r.arn === p))
    .sort()
    .map((arn) => ({ id: arn, kind: "other" as const, arn, probe: probeOf(arn, doc), label: `\`${arn}\``, created: false }));
}

function permissionsOf(role: FleetRole, resources: readonly ModelResource[], doc: StackDocument): ModelPermission[] {
  const stackStatements: EvaluatedStatement[] = role.policies.filter((p) => !p.byModule).flatMap((p) => p.statements ?? []);
  const moduleStatements: EvaluatedStatement[] = role.policies.filter((p) => p.byModule).flatMap((p) => p.statements ?? []);
  const named = [...new Set(role.statements.flatMap((s) => (s.notActions ? [] : s.actions)))];
  const out: ModelPermission[] = [];
  for (const resource of [...resources, ...otherResources(role, resources, doc)]) {
    const context = contextFor(resource, doc);
    // "*" is a cell of its own: only a grant on every resource fills it.
    const candidates =
      resource.kind === "any" || resource.kind === "other"
        ? named.filter((a) => role.statements.some((s) => !s.notActions && s.actions.includes(a) && s.resources.includes(resource.arn)))
        : actionsFor(resource, named);
    for (const action of candidates) {
      const target = resource.kind === "any" || resource.kind === "other" ? resource.arn : resource.probe;
      // Allowed in this request's context; else allowed where some statement's condition holds.
      const decide = (statements: readonly EvaluatedStatement[]) =>
        evaluate(statements, action, target, context) === "Allowed" ? "always" : mayReach(statements, action, target) ? "if" : undefined;
      const all = decide(role.statements);
      if (all === undefined) continue;
      const byStack = decide(stackStatements) !== undefined;
      const byModule = decide(moduleStatements) !== undefined;
      const conditions =
        all === "if"
          ? role.statements
              .filter((s) => s.effect === "Allow" && s.condition !== undefined && mayReach([s], action, target))
              .map((s) => s.condition!)
          : [];
      out.push({
        resource: resource.id,
        action,
        by: byStack && byModule ? "both" : byModule ? "module" : "stack",
        ...(conditions.length > 0 ? { conditions } : {}),
      });
    }
  }
  return out;
}

/** Paths from one fleet's jobs into what another fleet runs or reads. */
function pathsOf(fleets: readonly DocumentFleet[], roles: readonly ModelRole[], resources: readonly ModelResource[]): ModelPath[] {
  // Look-ups by key: the loops below ask every pair of fleets about every resource, which with
  // linear searches grew with the cube of the fleets (100 fleets took 15 s).
  const byId = new Map(roles.map((r) => [r.id, r]));
  const granted = new Map(roles.map((r) => [r, new Set(r.permissions.map((p) => `${p.resource}\n${p.action}`))]));
  const allows = (role: ModelRole, resource: string, actions: readonly string[]) =>
    actions.filter((a) => granted.get(role)!.has(`${resource}\n${a}`));
  const jobsRoles = new Map(fleets.map((f) => [f, byId.get(`${f.name}/${f.jobs.kind}`)!]));
  const managerRoles = new Map(fleets.map((f) => [f, byId.get(`${f.name}/manager`)!]));
  const jobsRole = (f: DocumentFleet) => jobsRoles.get(f)!;
  const paths: ModelPath[] = [];
  for (const resource of resources) {
    for (const writer of fleets) {
      const jobs = jobsRole(writer);
      let write: string[] = [];
      if (resource.kind === "ecr-repository")
        write = allows(jobs, resource.id, ECR_PUSH_ACTIONS).includes("ecr:PutImage") ? ["ecr:PutImage"] : [];
      if (resource.kind === "ecr-pull-through-prefix")
        write = allows(jobs, resource.id, ["ecr:BatchImportUpstreamImage", ...ECR_PUSH_ACTIONS]);
      if (resource.kind === "s3-objects") write = allows(jobs, resource.id, ["s3:PutObject", "s3:DeleteObject"]);
      for (const reader of fleets) {
        if (reader === writer) continue;
        const manager = managerRoles.get(reader)!;
        const readerJobs = jobsRole(reader);
        const read: ReadKind[] = [];
        let viaUrl = false;
        if (resource.kind === "ecr-repository") {
          const runsAsDefault =
            typeof reader.defaultImage === "string" &&
            resource.ciImage === true &&
            reader.defaultImage.startsWith(`${registryHostOf(resource.arn)}/${repositoryNameOf(resource.arn)}`);
          if (runsAsDefault) read.push("default-job-image");
          if (
            allows(manager, resource.id, ["ecr:BatchGetImage"]).length > 0 &&
            reader.registryLogins.includes(registryHostOf(resource.arn))
          )
            read.push("job-image");
          if (allows(readerJobs, resource.id, ["ecr:BatchGetImage"]).length > 0)
            read.push(resource.mutableTags?.length ? "build-cache" : "job-pull");
        }
        if (
          resource.kind === "ecr-pull-through-prefix" &&
          (allows(manager, resource.id, ["ecr:BatchGetImage"]).length > 0 ||
            allows(readerJobs, resource.id, ["ecr:BatchGetImage"]).length > 0)
        )
          read.push("pull-through");
        if (
          resource.kind === "s3-objects" &&
          typeof reader.cacheBucket === "string" &&
          resource.id === `s3-objects:${reader.cacheBucket}`
        ) {
          read.push("cache-objects");
          // A shared namespace: the writer's manager signs URLs into the same keys.
          viaUrl = reader.cacheShared && writer.cacheShared && writer.cacheBucket === reader.cacheBucket;
        }
        const writes = [...write, ...(viaUrl && read.length > 0 ? ["signed-url:PUT"] : [])];
        if (read.length > 0 && writes.length > 0)
          paths.push({ from: writer.name, resource: resource.id, to: reader.name, write: writes, read });
      }
    }
  }
  return paths;
}

function registryHostOf(arn: string): string {
  const [, partition, , region, account] = arn.split(":");
  return `${account}.dkr.ecr.${region}.${partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com"}`;
}

function gitlabOf(f: DocumentFleet, doc: StackDocument): ModelGitlabRunner {
  const jobsMayPush = mayReach(f.jobs.statements, "ecr:PutImage", `arn:${doc.partition}:ecr:*:*:repository/*`);
  const r = f.registration;
  if (r === undefined) return { registeredBy: "hand", jobsMayPush, protected: jobsMayPush, tags: [f.name], runUntagged: false };
  return {
    registeredBy: "stack",
    jobsMayPush,
    runnerType: r.runnerType,
    ...(r.ownerId !== undefined ? { ownerId: r.ownerId } : {}),
    protected: r.accessLevel === "ref_protected",
    tags: r.tags,
    runUntagged: r.untagged,
  };
}

function fleetOf(f: DocumentFleet, doc: StackDocument): ModelFleet {
  const traits = f.executor === undefined ? undefined : EXECUTORS[f.executor];
  const i = f.inputs;
  const reuse = f.executor === undefined ? undefined : traits?.reuseInput;
  return {
    name: f.name,
    executor: String(i.runner_worker?.type),
    jobsRunOn: f.jobs.kind === "manager" ? "manager" : "workers",
    jobsHold: `${f.name}/${f.jobs.kind}`,
    privileged: i.runner_worker_docker_options?.privileged === true,
    hopLimit: {
      manager: i.runner_metadata_options?.http_put_response_hop_limit,
      ...(traits?.workerMetadataInput ? { workers: i[traits.workerMetadataInput]?.http_put_response_hop_limit } : {}),
    },
    ...(reuse ? { jobsPerWorkerInstance: i[reuse.input]?.[reuse.attribute] } : {}),
    cacheNamespace: f.cacheShared ? "shared" : "own",
    tokenParameter: f.tokenParameter,
    gitlab: gitlabOf(f, doc),
    defaultImage: f.defaultImage,
    registryLogins: f.registryLogins,
    roles: [f.manager, ...(f.workers ? [f.workers] : [])].map((r) => `${f.name}/${r.kind}`),
    runnerVersion: i.runner_gitlab?.runner_version,
    moduleVersion: i.version,
  };
}

/** The review model of a synthesized document, with the findings of the security rules. */
export function reviewModel(
  stack: string,
  doc: StackDocument,
  findings: readonly ModelFinding[],
  rules: readonly { id: string; description: string; acknowledgeable?: boolean }[],
): ReviewModel {
  const resources = resourcesOf(doc);
  const roles: ModelRole[] = fleetRoles(doc).map((role) => ({
    id: `${role.fleet}/${role.kind}`,
    fleet: role.fleet,
    kind: role.kind,
    runsJobs: role.runsJobs,
    ...(role.iamRoleName !== undefined ? { iamRole: role.iamRoleName } : {}),
    policies: role.policies.map((p) => ({ source: p.source, byModule: p.byModule, readable: p.statements !== undefined })),
    permissions: permissionsOf(role, resources, doc),
    statements: role.policies.flatMap((p) => (p.statements ?? []).map((st) => ({ source: p.source, ...st }))),
  }));
  const known = new Set(resources.map((r) => r.id));
  const otherColumns = roles.flatMap((r) => r.permissions.map((p) => p.resource)).filter((id) => !known.has(id));
  const allResources = [
    ...resources,
    ...[...new Set(otherColumns)]
      .sort()
      .map((arn) => ({ id: arn, kind: "other" as const, arn, probe: probeOf(arn, doc), label: `\`${arn}\``, created: false })),
  ];
  return {
    schema: "gitlab-runner-ecr/review",
    version: REVIEW_MODEL_VERSION,
    stack,
    partition: doc.partition,
    ...(doc.accountId !== undefined ? { accountId: doc.accountId } : {}),
    ...(doc.region !== undefined ? { region: doc.region } : {}),
    state: doc.state,
    fleets: doc.fleets.map((f) => fleetOf(f, doc)),
    resources: allResources,
    roles,
    paths: pathsOf(doc.fleets, roles, allResources),
    rules: rules.map((r) => ({ id: r.id, description: r.description, acknowledgeable: r.acknowledgeable !== false })),
    findings,
  };
}
