/**
 * The synthesized Terraform document of a stack, read as a reviewer reads it: which fleets there
 * are, which roles they hold, which policies reach those roles, and which repositories, pull-through
 * prefixes and buckets exist. Built from the resolved JSON alone (not from the configuration), so
 * every spelling of a configuration (a repository by ARN or by name, a rule written or implied, a
 * literal or a variable) arrives here as the one thing it becomes. The stack-wide security rules
 * and the review report read this; docs/architecture.md#guarantees-on-the-document says why.
 */
import { parseCredHelpersInstallScript } from "../support/manager-docker-config";
import { EXECUTORS, Executor } from "../executors";
import { GITLAB_RUNNER_MODULE_SOURCE } from "../generated/gitlab-runner-module.generated";
import { ModuleStatement, moduleGrants } from "../generated/module-policies.generated";
import { ModuleResource, moduleResources } from "../generated/module-resources.generated";
import { MANAGER_ROLE_RESOURCE, concreteNameOf } from "../iam/module-resources";
import { EvaluatedStatement, statementsOf } from "../iam/policy-evaluation";

/** One block of the document: a resource or a module call. */
export interface DocumentBlock {
  /** Terraform address, e.g. `aws_iam_policy.f_manager` or `module.runner_f`. */
  readonly address: string;
  /** Path of the construct that wrote it (cdktf's metadata), for findings and acknowledgements. */
  readonly path: string;
  readonly attributes: Record<string, any>;
}

/** A policy document of the stack: its statements, or undefined when it is not literal JSON. */
export interface DocumentPolicy {
  readonly block: DocumentBlock;
  readonly statements: readonly EvaluatedStatement[] | undefined;
}

/** One source of a role's permissions: a policy of the stack, or one the module attaches itself. */
export interface RolePolicy {
  /** `aws_iam_policy.<name>`, or `module:<the module's policy name>`. */
  readonly source: string;
  readonly byModule: boolean;
  readonly statements: readonly EvaluatedStatement[] | undefined;
}

export type RoleKind = "manager" | "workers";

export interface FleetRole {
  readonly fleet: string;
  readonly kind: RoleKind;
  /** Whether job containers run under this role. */
  readonly runsJobs: boolean;
  /** The IAM role's name as the module gives it; undefined where an input left it to Terraform. */
  readonly iamRoleName?: string;
  readonly policies: readonly RolePolicy[];
  /** Every statement that reaches the role (a policy that is not literal JSON contributes none: see `unreadable`). */
  readonly statements: readonly EvaluatedStatement[];
  /** Sources whose documents could not be read (not literal JSON). */
  readonly unreadable: readonly string[];
}

/** A runner the stack registers in GitLab (gitlab_user_runner), as the fleet's token parameter leads to it. */
export interface DocumentRegistration {
  readonly block: DocumentBlock;
  /** instance_type, group_type or project_type, as written. */
  readonly runnerType: unknown;
  /** The group's or project's id, as written. */
  readonly ownerId?: unknown;
  /** access_level as written (the provider's default when left out: not_protected). */
  readonly accessLevel: unknown;
  readonly tags: unknown;
  /** untagged as written (the provider's default when left out: false). */
  readonly untagged: unknown;
  /** The aws_ssm_parameter that receives the token. */
  readonly parameter: DocumentBlock;
}

export interface DocumentFleet {
  /** The fleet's name: the id of the construct that holds the module call. */
  readonly name: string;
  readonly block: DocumentBlock;
  readonly executor: Executor | undefined;
  readonly inputs: Record<string, any>;
  /** What the module creates for these inputs (names filled in, "*" where an input is an expression). */
  readonly moduleResources: readonly ModuleResource[];
  readonly manager: FleetRole;
  readonly workers?: FleetRole;
  /** The role job containers hold. */
  readonly jobs: FleetRole;
  readonly tokenParameter: unknown;
  /** The runner the stack registers for this fleet; undefined when it is registered by hand. */
  readonly registration?: DocumentRegistration;
  /** The default job image, as written. */
  readonly defaultImage: unknown;
  /** Registry hosts the manager's credential helper logs in to (read from its install script). */
  readonly registryLogins: readonly string[];
  /** The cache bucket the runner signs URLs for (the resource's name when given by reference). */
  readonly cacheBucket: unknown;
  readonly cacheShared: boolean;
}

export interface DocumentRepository {
  readonly block: DocumentBlock;
  readonly name: string;
  readonly arn: string | undefined;
  /** Tag filters that stay mutable (IMMUTABLE_WITH_EXCLUSION), e.g. `buildcache*`. */
  readonly mutableTags: readonly string[];
}

export interface DocumentPullThroughRule {
  readonly block: DocumentBlock;
  readonly prefix: string;
  readonly upstream: string;
  readonly credentialArn?: string;
  /** Every repository the rule may create: `arn:…:repository/<prefix>/*` (account `*` when unknown). */
  readonly repositoryPattern: string;
}

export interface DocumentBucket {
  readonly block: DocumentBlock;
  readonly name: string;
  readonly arn: string;
}

export interface StackDocument {
  readonly partition: string;
  /** The provider's literal region, if any. */
  readonly region: string | undefined;
  /** The provider's one allowed account, if exactly one is literal. */
  readonly accountId: string | undefined;
  readonly policies: readonly DocumentPolicy[];
  readonly fleets: readonly DocumentFleet[];
  readonly repositories: readonly DocumentRepository[];
  readonly pullThroughRules: readonly DocumentPullThroughRule[];
  readonly buckets: readonly DocumentBucket[];
  /** The S3 backend's bucket and key, when the state lives in S3. */
  readonly stateBucket?: { readonly name: string; readonly key: string };
  /** The backend block: its type, and for S3 the bucket and KMS key. */
  readonly state: { readonly backend: string; readonly bucket?: string; readonly kmsKeyId?: string };
  /** Statements of inline role policies and of policies attached outside the module's lists, by role reference. */
  readonly otherPolicies: readonly DocumentPolicy[];
}

const REFERENCE = /^\$\{([A-Za-z0-9_.-]+)\}$/;

function blocksOf(json: Record<string, any>, kind: "resource" | "module"): DocumentBlock[] {
  const out: DocumentBlock[] = [];
  if (kind === "module") {
    for (const [name, attributes] of Object.entries<Record<string, any>>(json.module ?? {})) {
      out.push({ address: `module.${name}`, path: attributes["//"]?.metadata?.path ?? `module.${name}`, attributes });
    }
    return out;
  }
  for (const [type, byName] of Object.entries<Record<string, Record<string, any>>>(json.resource ?? {})) {
    for (const [name, attributes] of Object.entries(byName)) {
      out.push({ address: `${type}.${name}`, path: attributes["//"]?.metadata?.path ?? `${type}.${name}`, attributes });
    }
  }
  return out;
}

function partitionOfRegion(region: string | undefined): string {
  return region?.startsWith("cn-") ? "aws-cn" : region?.startsWith("us-gov-") ? "aws-us-gov" : "aws";
}

/** Reads a synthesized stack document (cdk.tf.json, parsed; or the stack's resolved toTerraform()). */
export function readStackDocument(json: Record<string, any>): StackDocument {
  const provider = [json.provider?.aws ?? []].flat()[0] ?? {};
  const literal = (v: unknown): string | undefined => (typeof v === "string" && !v.includes("${") ? v : undefined);
  const region = literal(provider.region);
  const accounts: unknown[] = Array.isArray(provider.allowed_account_ids) ? provider.allowed_account_ids : [];
  const accountId = accounts.length === 1 ? literal(accounts[0]) : undefined;
  const partition = partitionOfRegion(region);
  const resources = blocksOf(json, "resource");
  const ofType = (type: string) => resources.filter((b) => b.address.startsWith(`${type}.`));

  const policies: DocumentPolicy[] = ofType("aws_iam_policy").map((block) => ({
    block,
    statements: statementsOf(block.attributes.policy),
  }));
  const policyByArnReference = new Map(policies.map((p) => [`\${${p.block.address}.arn}`, p]));

  const repositories: DocumentRepository[] = ofType("aws_ecr_repository").map((block) => {
    const name = String(block.attributes.name);
    return {
      block,
      name,
      arn: region && accountId ? `arn:${partition}:ecr:${region}:${accountId}:repository/${name}` : undefined,
      mutableTags:
        block.attributes.image_tag_mutability === "IMMUTABLE_WITH_EXCLUSION"
          ? [block.attributes.image_tag_mutability_exclusion_filter ?? []].flat().map((f: any) => String(f.filter))
          : block.attributes.image_tag_mutability === "MUTABLE"
            ? ["*"]
            : [],
    };
  });

  const pullThroughRules: DocumentPullThroughRule[] = ofType("aws_ecr_pull_through_cache_rule").map((block) => {
    const prefix = String(block.attributes.ecr_repository_prefix);
    return {
      block,
      prefix,
      upstream: String(block.attributes.upstream_registry_url),
      ...(typeof block.attributes.credential_arn === "string" ? { credentialArn: block.attributes.credential_arn } : {}),
      repositoryPattern: `arn:${partition}:ecr:${region ?? "*"}:${accountId ?? "*"}:repository/${prefix}/*`,
    };
  });

  const buckets: DocumentBucket[] = ofType("aws_s3_bucket").map((block) => {
    const name = String(block.attributes.bucket);
    return { block, name, arn: `arn:${partition}:s3:::${name}` };
  });
  const bucketName = (value: unknown): unknown => {
    const ref = typeof value === "string" ? REFERENCE.exec(value)?.[1] : undefined;
    const bucket = ref && buckets.find((b) => ref === `${b.block.address}.bucket` || ref === `${b.block.address}.id`);
    return bucket ? bucket.name : value;
  };

  const [backend, settings] = (Object.entries(json.terraform?.backend ?? {})[0] ?? ["local", {}]) as [string, Record<string, unknown>];
  const s3 = backend === "s3" ? settings : undefined;
  const stateBucket = typeof s3?.bucket === "string" ? { name: s3.bucket, key: String(s3.key ?? "") } : undefined;
  const state = {
    backend,
    ...(stateBucket ? { bucket: stateBucket.name } : {}),
    ...(typeof s3?.kms_key_id === "string" ? { kmsKeyId: s3.kms_key_id } : {}),
  };

  // Policies reaching a module's roles from outside its lists: attachments and inline policies
  // whose role is a module output (`${module.runner_f.runner_agent_role_name}`).
  const attachments = [...ofType("aws_iam_role_policy_attachment"), ...ofType("aws_iam_role_policy")];
  const otherPolicies: DocumentPolicy[] = [];
  const attachedTo = (moduleAddress: string, output: string): RolePolicy[] =>
    attachments
      .filter((a) => a.attributes.role === `\${${moduleAddress}.${output}}`)
      .map((a) => {
        const inline = a.address.startsWith("aws_iam_role_policy.");
        const policy = inline ? undefined : policyByArnReference.get(String(a.attributes.policy_arn));
        const statements = inline ? statementsOf(a.attributes.policy) : policy?.statements;
        if (inline) otherPolicies.push({ block: a, statements });
        return { source: inline ? a.address : (policy?.block.address ?? String(a.attributes.policy_arn)), byModule: false, statements };
      });

  // A token parameter given by reference to an aws_ssm_parameter of the stack: its name as
  // written, and the gitlab_user_runner whose token it holds, if any.
  const parameters = ofType("aws_ssm_parameter");
  const runners = ofType("gitlab_user_runner");
  const parameterOf = (value: unknown) => {
    const ref = typeof value === "string" ? REFERENCE.exec(value)?.[1] : undefined;
    return ref === undefined ? undefined : parameters.find((p) => ref === `${p.address}.name`);
  };
  const registrationOf = (parameter: DocumentBlock | undefined): DocumentRegistration | undefined => {
    const ref = typeof parameter?.attributes.value === "string" ? REFERENCE.exec(parameter.attributes.value)?.[1] : undefined;
    const runner = ref === undefined ? undefined : runners.find((r) => ref === `${r.address}.token`);
    if (runner === undefined || parameter === undefined) return undefined;
    const a = runner.attributes;
    return {
      block: runner,
      runnerType: a.runner_type,
      ...(a.group_id !== undefined ? { ownerId: a.group_id } : a.project_id !== undefined ? { ownerId: a.project_id } : {}),
      accessLevel: a.access_level ?? "not_protected",
      tags: a.tag_list ?? [],
      untagged: a.untagged ?? false,
      parameter,
    };
  };

  const fleets: DocumentFleet[] = blocksOf(json, "module")
    .filter((b) => b.attributes.source === GITLAB_RUNNER_MODULE_SOURCE)
    .map((block) => {
      const tokenInput = block.attributes.runner_gitlab?.preregistered_runner_token_ssm_parameter_name;
      const parameter = parameterOf(tokenInput);
      const registration = registrationOf(parameter);
      // The module's inputs with the parameter's name in place of the reference to it, as the module receives it.
      const inputs =
        parameter === undefined
          ? block.attributes
          : {
              ...block.attributes,
              runner_gitlab: {
                ...block.attributes.runner_gitlab,
                preregistered_runner_token_ssm_parameter_name: parameter.attributes.name,
              },
            };
      const segments = block.path.split("/");
      const name = segments.length >= 2 ? segments[segments.length - 2]! : block.address;
      const type = inputs.runner_worker?.type;
      const executor = (Object.hasOwn(EXECUTORS, type) ? type : undefined) as Executor | undefined;
      const traits = executor === undefined ? undefined : EXECUTORS[executor];
      const at = { partition, region: region ?? "*", accountId: accountId ?? "*" };
      const granted = moduleGrants(inputs, at);
      const created = moduleResources(inputs, at);
      const role = (kind: RoleKind, listInput: string | undefined, output: string, resource: string | undefined): FleetRole => {
        const listed: RolePolicy[] = (listInput === undefined ? [] : [inputs[listInput]?.policy_arns ?? []].flat()).map((arn: unknown) => {
          const policy = policyByArnReference.get(String(arn));
          return { source: policy?.block.address ?? String(arn), byModule: false, statements: policy?.statements };
        });
        // The module's own policies; those it attaches by ARN from our inputs are the `listed` ones.
        // An AWS-managed policy has no statements here: it is listed, not evaluated.
        const byModule: RolePolicy[] = granted
          .filter((g) => g.role === kind && g.origin !== "input")
          .map((g) => ({
            source: `module:${g.name}`,
            byModule: true,
            statements: g.origin === "aws-managed" ? undefined : g.statements.map(moduleStatement),
          }));
        const all = [...listed, ...attachedTo(block.address, output), ...byModule];
        const iamRoleName = concreteNameOf(created, resource);
        return {
          fleet: name,
          kind,
          ...(iamRoleName !== undefined ? { iamRoleName } : {}),
          // An unknown executor is taken to run jobs everywhere: the rules then ask the most of it.
          runsJobs: traits === undefined || (kind === "manager") === (traits.jobsRunOn === "manager"),
          policies: all,
          statements: all.flatMap((p) => p.statements ?? []),
          unreadable: all.filter((p) => p.statements === undefined).map((p) => p.source),
        };
      };
      const manager = role("manager", "runner_role", "runner_agent_role_name", MANAGER_ROLE_RESOURCE);
      const workers =
        traits?.workerRoleInput !== undefined
          ? role("workers", traits.workerRoleInput, "runner_role_name", traits.workerRoleResource)
          : undefined;
      const script = inputs.runner_install?.pre_install_script;
      let registryLogins: string[] = [];
      try {
        registryLogins = typeof script === "string" ? Object.keys(parseCredHelpersInstallScript(script)).sort() : [];
      } catch {
        registryLogins = [];
      }
      return {
        name,
        block,
        executor,
        inputs,
        moduleResources: created,
        manager,
        ...(workers ? { workers } : {}),
        jobs: traits?.jobsRunOn === "workers" && workers ? workers : manager,
        tokenParameter: inputs.runner_gitlab?.preregistered_runner_token_ssm_parameter_name,
        ...(registration ? { registration } : {}),
        defaultImage: inputs.runner_worker_docker_options?.image,
        registryLogins,
        cacheBucket: bucketName(inputs.runner_worker_cache?.bucket),
        cacheShared: inputs.runner_worker_cache?.shared === true,
      };
    });

  return { partition, region, accountId, policies, fleets, repositories, pullThroughRules, buckets, stateBucket, state, otherPolicies };
}

function moduleStatement(s: ModuleStatement): EvaluatedStatement {
  return {
    sid: s.Sid,
    effect: s.Effect,
    actions: s.Action,
    notActions: false,
    resources: s.Resource,
    notResources: false,
    ...(s.Condition ? { condition: s.Condition } : {}),
  };
}

/** Every role of every fleet, managers first within a fleet. */
export function fleetRoles(doc: StackDocument): FleetRole[] {
  return doc.fleets.flatMap((f) => (f.workers ? [f.manager, f.workers] : [f.manager]));
}

/** A document that grants something, and the construct it is charged to. */
export interface PolicySource {
  /** Construct path of the policy block, or of the module call for the module's own policies. */
  readonly path: string;
  /** `aws_iam_policy.<name>`, or `module.runner_<fleet>: <the module's policy>`. */
  readonly label: string;
  readonly statements: readonly EvaluatedStatement[] | undefined;
}

/** Every policy document of the stack: its policies, inline role policies, and what the module attaches to each fleet. */
export function policySources(doc: StackDocument): PolicySource[] {
  const own = [...doc.policies, ...doc.otherPolicies].map((p) => ({
    path: p.block.path,
    label: p.block.address,
    statements: p.statements,
  }));
  const byModule = doc.fleets.flatMap((f) =>
    [f.manager, ...(f.workers ? [f.workers] : [])].flatMap((role) =>
      role.policies
        .filter((p) => p.byModule)
        .map((p) => ({ path: f.block.path, label: `${f.block.address} (${role.kind}): ${p.source}`, statements: p.statements })),
    ),
  );
  return [...own, ...byModule];
}
