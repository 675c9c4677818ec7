/**
 * deployer-policy.json: what the identity that runs `terraform plan/apply/destroy` for one stack
 * needs, read from the stack's resolved document alone. The stack's own resources come from the
 * document; what each runner module call creates comes from the recorded facts about the module
 * (module-resources.generated.ts); the actions per resource type from deployer-actions.ts.
 * Resources are scoped to the names the document and the module give them; what IAM authorizes
 * only on "*" is listed, action by action, in one statement of its own. Pure and deterministic.
 */
import type { ModuleResource } from "../generated/module-resources.generated";
import { StackDocument, readStackDocument } from "../model/stack-document";
import { ArnKind, DEPLOYER_ACTIONS, isAwsType } from "./deployer-actions";
import { MANAGER_ROLE_RESOURCE } from "./module-resources";
import { EXECUTORS } from "../executors";

export interface DeployerStatement {
  readonly Sid: string;
  readonly Effect: "Allow";
  readonly Action: string[];
  readonly Resource: string[];
  readonly Condition?: Record<string, Record<string, string>>;
}

export interface DeployerPolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: DeployerStatement[];
}

export interface DeployerPolicy {
  readonly document: DeployerPolicyDocument;
  /** AWS resource types of the document that the action table does not know: not covered by the document. */
  readonly uncovered: string[];
}

/** Sid of the statement with every action IAM authorizes only on "*". */
export const UNSCOPABLE_SID = "ActionsIamAuthorizesOnlyOnAllResources";

interface Location {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

/** A Terraform expression in a name becomes `*` at its place: the policy holds no Terraform syntax. */
function withoutExpressions(name: string): string {
  return name.replace(/\$\{[^}]*\}/g, "*");
}

function arnsOf(kind: ArnKind, name: string, at: Location): string[] {
  const { partition: p, region: r, account: a } = at;
  const ec2 = `arn:${p}:ec2:${r}:${a}`;
  switch (kind) {
    case "ecr-repository":
      return [`arn:${p}:ecr:${r}:${a}:repository/${name}`];
    case "ecr-repository-prefix":
      return [`arn:${p}:ecr:${r}:${a}:repository/${name}/*`];
    case "s3-bucket":
      return [`arn:${p}:s3:::${name}`];
    case "iam-role":
      return [`arn:${p}:iam::${a}:role/${name}`];
    case "iam-policy":
      return [`arn:${p}:iam::${a}:policy/${name}`];
    case "iam-instance-profile":
      return [`arn:${p}:iam::${a}:instance-profile/${name}`];
    case "ssm-parameter":
      return [`arn:${p}:ssm:${r}:${a}:parameter/${name.replace(/^\//, "")}`];
    case "log-group":
      return [`arn:${p}:logs:${r}:${a}:log-group:${name}`, `arn:${p}:logs:${r}:${a}:log-group:${name}:*`];
    case "lambda-function":
      return [`arn:${p}:lambda:${r}:${a}:function:${name}`, `arn:${p}:lambda:${r}:${a}:function:${name}:*`];
    case "events-rule":
      return [`arn:${p}:events:${r}:${a}:rule/${name}`];
    case "autoscaling-group":
      return [`arn:${p}:autoscaling:${r}:${a}:autoScalingGroup:*:autoScalingGroupName/${name}`];
    case "ec2-key-pair":
      return [`${ec2}:key-pair/${name}`];
    // AWS assigns these identifiers: the account and region are all that is known.
    case "ec2-launch-template":
      return [`${ec2}:launch-template/*`];
    case "ec2-security-group":
      return [`${ec2}:security-group/*`, `${ec2}:security-group-rule/*`];
    case "ec2-elastic-ip":
      return [`${ec2}:elastic-ip/*`];
    case "kms-key":
      return [`arn:${p}:kms:${r}:${a}:key/*`];
    case "kms-alias":
      return [`arn:${p}:kms:${r}:${a}:${name}`, `arn:${p}:kms:${r}:${a}:key/*`];
    case "none":
      return [];
  }
}

/** The stack's own blocks, `data.` prefixed for data sources. */
function blocks(json: Record<string, any>): { type: string; name: string; attributes: Record<string, any> }[] {
  const out: { type: string; name: string; attributes: Record<string, any> }[] = [];
  for (const [kind, prefix] of [
    ["resource", ""],
    ["data", "data."],
  ] as const)
    for (const [type, byName] of Object.entries<Record<string, Record<string, any>>>(json[kind] ?? {}))
      for (const [name, attributes] of Object.entries(byName)) out.push({ type: `${prefix}${type}`, name, attributes });
  return out;
}

/** Statement ids from kinds of ARN: ecr-repository -> EcrRepository. */
function sidOf(kind: string): string {
  return kind
    .split("-")
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("");
}

const sorted = (values: Iterable<string>): string[] => [...new Set(values)].sort();

/** The deployer's policy for the stack whose resolved document (cdk.tf.json, parsed) is `json` (read as `doc`). */
export function deployerPolicy(json: Record<string, any>, doc: StackDocument = readStackDocument(json)): DeployerPolicy {
  const at: Location = { partition: doc.partition, region: doc.region ?? "*", account: doc.accountId ?? "*" };
  const own = blocks(json);

  // The name a reference to one of the stack's resources or module outputs stands for.
  const roleOutputs = new Map<string, string>();
  const fleetResources: { fleet: string; vpc: string; resources: readonly ModuleResource[] }[] = doc.fleets.map((f) => {
    const resources = f.moduleResources;
    const role = (address: string | undefined) => resources.find((r) => r.address === address)?.name;
    const manager = role(MANAGER_ROLE_RESOURCE);
    const workers = role(f.executor === undefined ? undefined : EXECUTORS[f.executor].workerRoleResource);
    if (manager) roleOutputs.set(`${f.block.address}.runner_agent_role_name`, manager);
    if (workers) roleOutputs.set(`${f.block.address}.runner_role_name`, workers);
    const vpc = typeof f.inputs.vpc_id === "string" ? withoutExpressions(f.inputs.vpc_id) : "*";
    return { fleet: f.name, vpc, resources };
  });
  const resolve = (value: unknown): string | undefined => {
    if (typeof value !== "string") return undefined;
    const m = /^\$\{([A-Za-z0-9_.-]+)\}$/.exec(value);
    if (!m) return withoutExpressions(value);
    const ref = m[1]!;
    if (roleOutputs.has(ref)) return roleOutputs.get(ref);
    const [type, name, attribute] = ref.split(".");
    const target = json.resource?.[type!]?.[name!];
    if (target === undefined || !["name", "id", "bucket"].includes(attribute!)) return undefined;
    const literal = type === "aws_s3_bucket" ? target.bucket : target.name;
    return typeof literal === "string" ? withoutExpressions(literal) : undefined;
  };

  // Per Terraform type: the ARNs the deployer works on.
  const byType = new Map<string, Set<string>>();
  const uncovered = new Set<string>();
  const add = (type: string, arns: readonly string[]) => {
    const set = byType.get(type) ?? new Set<string>();
    arns.forEach((a) => set.add(a));
    byType.set(type, set);
  };
  const passRole = new Map<string, Set<string>>();
  const vpcs = new Set<string>();

  for (const b of own) {
    if (!isAwsType(b.type)) continue;
    const actions = DEPLOYER_ACTIONS[b.type];
    if (!actions) {
      uncovered.add(b.type);
      continue;
    }
    const a = b.attributes;
    const name =
      actions.arn === "none"
        ? ""
        : b.type === "aws_s3_bucket"
          ? resolve(a.bucket)
          : b.type.startsWith("aws_s3_bucket_")
            ? resolve(a.bucket)
            : b.type === "aws_ecr_lifecycle_policy"
              ? resolve(a.repository)
              : b.type === "aws_ecr_repository_creation_template"
                ? resolve(a.prefix)
                : b.type === "aws_iam_role_policy_attachment" || b.type === "aws_iam_role_policy"
                  ? resolve(a.role)
                  : resolve(a.name);
    if (name === undefined) {
      uncovered.add(b.type);
      continue;
    }
    add(b.type, arnsOf(actions.arn, name, at));
  }

  for (const { vpc, resources } of fleetResources) {
    for (const r of resources) {
      const actions = DEPLOYER_ACTIONS[r.type];
      if (!actions) {
        uncovered.add(r.type);
        continue;
      }
      add(r.type, arnsOf(actions.arn, r.name ?? r.role ?? r.autoScalingGroup ?? "*", at));
      if (actions.arn === "ec2-security-group") vpcs.add(vpc);
      if (r.type === "aws_iam_role" && r.name && r.passedTo) {
        const set = passRole.get(r.passedTo) ?? new Set<string>();
        arnsOf("iam-role", r.name, at).forEach((arn) => set.add(arn));
        passRole.set(r.passedTo, set);
      }
    }
  }

  // One statement per kind of ARN: every action the kind's types need, on every ARN of that kind.
  // An action applies only to its own resource types, so this grants nothing outside the stack's
  // resources of that kind; it keeps the document under IAM's size limits.
  const byKind = new Map<ArnKind, { actions: Set<string>; arns: Set<string>; objects: Set<string> }>();
  const unscopable = new Set<string>();
  for (const [type, arns] of byType) {
    const actions = DEPLOYER_ACTIONS[type]!;
    actions.unscopable.forEach((x) => unscopable.add(x));
    if (actions.arn === "none" || arns.size === 0) continue;
    const kind = byKind.get(actions.arn) ?? { actions: new Set<string>(), arns: new Set<string>(), objects: new Set<string>() };
    actions.scoped.forEach((x) => kind.actions.add(x));
    (actions.objects ?? []).forEach((x) => kind.objects.add(x));
    arns.forEach((x) => kind.arns.add(x));
    byKind.set(actions.arn, kind);
  }
  const statements: DeployerStatement[] = [];
  for (const kind of [...byKind.keys()].sort()) {
    const { actions, arns, objects } = byKind.get(kind)!;
    statements.push({ Sid: sidOf(kind), Effect: "Allow", Action: sorted(actions), Resource: sorted(arns) });
    if (objects.size > 0)
      statements.push({
        Sid: `${sidOf(kind)}Objects`,
        Effect: "Allow",
        Action: sorted(objects),
        Resource: sorted([...arns].map((a) => `${a}/*`)),
      });
  }
  // A security group is created in the fleet's VPC: that VPC, and no other action on it.
  if (vpcs.size > 0)
    statements.push({
      Sid: "CreateSecurityGroupsInTheFleetsVpc",
      Effect: "Allow",
      Action: ["ec2:CreateSecurityGroup"],
      Resource: sorted([...vpcs].map((v) => `arn:${at.partition}:ec2:${at.region}:${at.account}:vpc/${v}`)),
    });

  // Each role only to the service that uses it (EC2 through instance profiles, Lambda as its execution role).
  for (const service of [...passRole.keys()].sort()) {
    const label = service.split(".")[0]!;
    statements.push({
      Sid: `PassRoleTo${label.charAt(0).toUpperCase()}${label.slice(1)}`,
      Effect: "Allow",
      Action: ["iam:PassRole"],
      Resource: sorted(passRole.get(service)!),
      Condition: { StringEquals: { "iam:PassedToService": service } },
    });
  }

  if (byType.has("aws_autoscaling_group")) {
    const ec2 = `arn:${at.partition}:ec2:${at.region}:${at.account}`;
    // Creating or updating a group with a launch template asks whether the caller could launch it
    // itself. The template, instances and their parts get identifiers from AWS, and the images are
    // other accounts' (hence no account in the image ARN): account and region are the scope.
    statements.push({
      Sid: "RunInstancesFromTheStacksLaunchTemplates",
      Effect: "Allow",
      Action: ["ec2:RunInstances"],
      Resource: sorted([
        `arn:${at.partition}:ec2:${at.region}::image/*`,
        ...["instance", "key-pair", "launch-template", "network-interface", "security-group", "subnet", "volume"].map(
          (t) => `${ec2}:${t}/*`,
        ),
      ]),
    });
    // The first group of an account creates Auto Scaling's service-linked role.
    statements.push({
      Sid: "AutoScalingServiceLinkedRole",
      Effect: "Allow",
      Action: ["iam:CreateServiceLinkedRole"],
      Resource: [`arn:${at.partition}:iam::${at.account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`],
      Condition: { StringEquals: { "iam:AWSServiceName": "autoscaling.amazonaws.com" } },
    });
  }

  statements.push(...stateStatements(json, at));

  if (unscopable.size > 0) statements.push({ Sid: UNSCOPABLE_SID, Effect: "Allow", Action: sorted(unscopable), Resource: ["*"] });

  return { document: { Version: "2012-10-17", Statement: statements }, uncovered: sorted(uncovered) };
}

/** The S3 backend: the state object, its lock file, and the state's KMS key and lock table when named. */
function stateStatements(json: Record<string, any>, at: Location): DeployerStatement[] {
  const s3 = json.terraform?.backend?.s3 as Record<string, unknown> | undefined;
  if (!s3 || typeof s3.bucket !== "string" || typeof s3.key !== "string") return [];
  const p = at.partition;
  const region = typeof s3.region === "string" ? s3.region : at.region;
  const bucket = `arn:${p}:s3:::${s3.bucket}`;
  const key = `${bucket}/${s3.key}`;
  const out: DeployerStatement[] = [
    // Listing finds the state and its workspaces; objects are read and written only under the key.
    { Sid: "TerraformStateBucket", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [bucket] },
    { Sid: "TerraformState", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: [key] },
  ];
  if (s3.use_lockfile === true)
    out.push({
      Sid: "TerraformStateLockFile",
      Effect: "Allow",
      Action: ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
      Resource: [`${key}.tflock`],
    });
  if (typeof s3.kms_key_id === "string") {
    const id = s3.kms_key_id;
    const arn = id.startsWith("arn:") ? id : `arn:${p}:kms:${region}:${at.account}:${id.startsWith("alias/") ? id : `key/${id}`}`;
    out.push({ Sid: "TerraformStateKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"], Resource: [arn] });
  }
  if (typeof s3.dynamodb_table === "string")
    out.push({
      Sid: "TerraformStateLockTable",
      Effect: "Allow",
      Action: ["dynamodb:DeleteItem", "dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem"],
      Resource: [`arn:${p}:dynamodb:${region}:${at.account}:table/${s3.dynamodb_table}`],
    });
  return out;
}

/** IAM's quota for a customer managed policy: characters of the document, whitespace not counted. */
export const MANAGED_POLICY_SIZE_LIMIT = 6144;

/**
 * The document in parts that each fit a customer managed policy, statements in order, filled
 * greedily: create one policy per part and attach them all. A statement too large for one part
 * (many fleets' names) is split by its resources into statements of the same actions, Sid
 * numbered; throws when a single resource does not fit.
 */
export function deployerPolicyParts(document: DeployerPolicyDocument, limit = MANAGED_POLICY_SIZE_LIMIT): DeployerPolicyDocument[] {
  const size = (statements: DeployerStatement[]) => JSON.stringify({ Version: document.Version, Statement: statements }).length;
  const fitting: DeployerStatement[] = [];
  for (const statement of document.Statement) {
    if (size([statement]) <= limit) {
      fitting.push(statement);
      continue;
    }
    const pieces: string[][] = [];
    for (const resource of statement.Resource) {
      const last = pieces[pieces.length - 1];
      const sid = `${statement.Sid}${pieces.length + 1}`;
      if (last && size([{ ...statement, Sid: sid, Resource: [...last, resource] }]) <= limit) last.push(resource);
      else if (size([{ ...statement, Sid: `${statement.Sid}${pieces.length + 2}`, Resource: [resource] }]) <= limit)
        pieces.push([resource]);
      else throw new Error(`deployer policy statement ${statement.Sid}: one resource alone exceeds ${limit} characters`);
    }
    pieces.forEach((Resource, i) => fitting.push({ ...statement, Sid: `${statement.Sid}${i + 1}`, Resource }));
  }
  const parts: DeployerStatement[][] = [];
  for (const statement of fitting) {
    const last = parts[parts.length - 1];
    if (last && size([...last, statement]) <= limit) last.push(statement);
    else parts.push([statement]);
  }
  return parts.map((Statement) => ({ Version: document.Version, Statement }));
}

const asFile = (document: DeployerPolicyDocument) => `${JSON.stringify(document, null, 2)}\n`;

/**
 * The files written beside review.md: deployer-policy.json (the whole document, to read and to
 * evaluate) and deployer-policy.<n>.json (the same statements in parts IAM accepts as managed
 * policies), as indented JSON with a final newline.
 */
export function deployerPolicyFiles(json: Record<string, any>): Record<string, string> {
  return deployerPolicyFilesOf(deployerPolicy(json).document);
}

/** deployerPolicyFiles of a policy already computed. */
export function deployerPolicyFilesOf(document: DeployerPolicyDocument): Record<string, string> {
  return {
    "deployer-policy.json": asFile(document),
    ...Object.fromEntries(deployerPolicyParts(document).map((part, i) => [`deployer-policy.${i + 1}.json`, asFile(part)])),
  };
}

/** Names of the part files (deployer-policy.<n>.json), for removing a previous synthesis's extra parts. */
export const DEPLOYER_POLICY_PART = /^deployer-policy\.\d+\.json$/;
