/**
 * The configuration's fields: a zod schema with a character rule for every string that reaches
 * Terraform. Configuration is data: no field may carry Terraform template syntax or shell syntax
 * into the synthesized document, and each rule says what is allowed and why. Checks that span
 * fields are in checks.ts; parsing in parse.ts.
 */
import { z } from "zod";
import { ECR_REPOSITORY_NAME } from "../aws/names";
import { UPSTREAM_URLS } from "../aws/pull-through";
import { isKnownRegion } from "../aws/regions";
import { EXECUTOR_NAMES, MIN_HOP_LIMIT_WITH_CONTAINERS } from "../executors";
import { CREDENTIAL_HELPER_ALLOWLIST_RELEASES, DEFAULTS, hasCredentialHelperAllowlist } from "./defaults";
import { SECURITY_RULES } from "../rules";
import {
  GITLAB_URL,
  INSTANCE_TYPE,
  INSTANCE_TYPES,
  MAX_CONCURRENT_JOBS,
  MAX_WORKER_INSTANCES,
  SSM_PARAMETER_NAME,
  SUBNET_ID,
  SUBNET_IDS,
  VPC_ID,
  ValueRule,
  zodSchema,
} from "./value-rules";

/** GitLab Runner release installed on the managers (defaults.ts says why this one). */
export const DEFAULT_RUNNER_VERSION = DEFAULTS.runnerVersion;

const region = z.string().refine(isKnownRegion, "must be an AWS region such as eu-west-1 (one of the aws, aws-cn and aws-us-gov regions)");
const accountId = z.string().regex(/^\d{12}$/, "must be a 12-digit AWS account id");
const ecrRepositoryName = z
  .string()
  .min(2, "must be 2 to 256 characters")
  .max(256, "must be 2 to 256 characters")
  .regex(ECR_REPOSITORY_NAME, "must be a valid ECR repository name: lowercase letters, digits, and . _ - / between them");

/** S3 bucket naming rules (general purpose buckets). */
const bucketName = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
    "must be 3-63 characters of lowercase letters, digits, . and -, starting and ending with a letter or digit",
  )
  .refine((s) => !s.includes(".."), "must not contain two adjacent periods")
  .refine((s) => !/^\d+\.\d+\.\d+\.\d+$/.test(s), "must not be formatted as an IP address")
  .refine((s) => !/^(xn--|sthree-|amzn-s3-demo-)/.test(s), "must not start with xn--, sthree- or amzn-s3-demo-")
  .refine((s) => !/(-s3alias|--ol-s3|--x-s3|--table-s3)$/.test(s), "must not end with a suffix reserved by S3");

// AWS's tag character set (letters, digits, spaces and _ . : / = + - @). It has no $ { } % ` " '
// \ or control character, so a tag can carry neither Terraform template syntax nor shell syntax
// (docker+machine passes tags through the manager's boot script).
const TAG_TEXT = /^[\p{L}\p{Zs}\p{N}_.:/=+\-@]*$/u;
const TAG_TEXT_MESSAGE = "may hold only letters, digits, spaces and _ . : / = + - @ (AWS's tag characters)";
const tagKey = z
  .string()
  .min(1, "must not be empty")
  .max(128, "must be at most 128 characters")
  .regex(TAG_TEXT, TAG_TEXT_MESSAGE)
  .refine((k) => !/^aws:/i.test(k), "must not start with aws: (AWS reserves that prefix)");
const tagValue = z.string().max(256, "must be at most 256 characters").regex(TAG_TEXT, TAG_TEXT_MESSAGE);

const tags = z
  .record(tagKey, tagValue)
  .refine((t) => Object.keys(t).length <= 40, "at most 40 tags (AWS allows 50 per resource; the module adds its own)")
  // The module names its resources and IAM roles after the Name tag when one is given: every fleet
  // would get the same names and collide.
  .refine(
    (t) => !Object.keys(t).some((k) => k.toLowerCase() === "name"),
    "must not set Name: the module derives resource and IAM role names from it, so fleets would collide",
  );

// Names Terraform gives a meaning inside a module or variable block.
const RESERVED_VARIABLE_NAMES = ["count", "depends_on", "for_each", "lifecycle", "locals", "providers", "source", "version"];

/** A value left to a Terraform input variable, with the configured default if any. */
export interface VariableRef<T> {
  readonly terraformVariable: string;
  readonly default?: T;
}

export function isVariableRef(value: unknown): value is VariableRef<unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && "terraformVariable" in value;
}

const variableName = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,63}$/, "must be 1-64 characters: lowercase letters, digits and _, starting with a letter")
  .refine((n) => !RESERVED_VARIABLE_NAMES.includes(n), "is a name Terraform reserves");

/** The literal value, or `{ terraformVariable, default? }` to leave it to a Terraform variable. */
function literalOrVariable<T extends z.ZodType>(literal: T) {
  return z.union([literal, z.strictObject({ terraformVariable: variableName, default: literal.optional() })]);
}

const FLEET_NAME = /^[a-z][a-z0-9-]{0,19}$/;
export const fleetName = z.string().regex(FLEET_NAME, "must be 1-20 characters: lowercase letters, digits and -, starting with a letter");
/** Names of fleets, checked against `fleets` by checks.ts. */
const fleetNames = z.array(fleetName);

const ACKNOWLEDGEABLE_RULES = SECURITY_RULES.filter((r) => r.acknowledgeable !== false).map((r) => r.id);

// A reason a reviewer reads in review.md: a sentence, without Markdown table or code syntax.
const acknowledgementReason = z
  .string()
  .refine((r) => r.trim().length >= 10, "must say why in at least 10 characters (a reviewer reads it in review.md)")
  .refine((r) => r.length <= 500, "must be at most 500 characters")
  .refine((r) => !/[\p{Cc}|`<>$\\{}]/u.test(r), "may not hold control characters or | ` < > $ \\ { } (it is shown in a Markdown table)");

const repository = z.strictObject({
  name: ecrRepositoryName
    .optional()
    .describe("A repository the stack creates: immutable tags, scan on push, encryption, lifecycle. One of name and arn."),
  arn: z
    .string()
    .optional()
    .describe(
      "An existing repository by ARN, any account or region of the stack's partition; one in another account must allow your roles in its repository policy. One of name and arn.",
    ),
  pull: fleetNames.optional().describe("Fleets whose jobs may pull; every fleet when left out."),
  push: fleetNames.default([]).describe("Fleets whose jobs may push (and pull). Replaces the removed access field."),
  usedAsJobImage: z
    .boolean()
    .default(false)
    .describe(
      "Jobs run images from it as image: the managers of the fleets that may pull it get pull rights and a credHelpers entry for its registry.",
    ),
  buildCache: z
    .boolean()
    .default(false)
    .describe(
      "Tags matching buildcache* stay mutable for a BuildKit registry cache; every other tag stays immutable. Created repositories only.",
    ),
  access: z.unknown().optional().describe("Removed: refused with its replacement (pull and push)."),
});

/** An ECR repository prefix: path segments of lowercase letters and digits joined by . _ - */
const repositoryPrefix = z
  .string()
  .min(2, "must be 2 to 30 characters")
  .max(30, "must be 2 to 30 characters")
  .regex(
    /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/,
    "must be an ECR repository prefix: lowercase letters, digits, and . _ - / between them",
  );

const pullThroughRule = z.strictObject({
  prefix: repositoryPrefix.describe("Repository prefix: upstream images are pulled as <registry host>/<prefix>/<upstream path>."),
  upstream: z.enum(UPSTREAM_URLS).describe("Upstream registry. Docker, GitHub and GitLab registries need credentialArn."),
  credentialArn: z
    .string()
    .optional()
    .describe(
      "ARN of the Secrets Manager secret (named ecr-pullthroughcache/…, in the stack's account and region) holding the upstream's credentials.",
    ),
  pull: fleetNames.optional().describe("Fleets whose managers and jobs may pull through this rule; every fleet when left out."),
});

const workers = z.strictObject({
  instanceTypes: literalOrVariable(zodSchema(INSTANCE_TYPES))
    .default([...DEFAULTS.workers.instanceTypes])
    .describe("Worker instance types, the first the default. docker+machine takes exactly one."),
  maxInstances: literalOrVariable(zodSchema(MAX_WORKER_INSTANCES))
    .default(DEFAULTS.workers.maxInstances)
    .describe("Most worker instances at once."),
  idleCount: z
    .number()
    .int()
    .min(0)
    .max(500)
    .default(DEFAULTS.workers.idleCount)
    .describe("Idle workers kept ready (hides the start-up of a fresh instance per job)."),
  idleTimeMinutes: z.number().int().min(1).max(1440).default(DEFAULTS.workers.idleTimeMinutes).describe("How long an idle worker lives."),
  spot: z.boolean().default(DEFAULTS.workers.spot).describe("Spot instances."),
  rootVolumeGiB: z.number().int().min(8).max(16384).default(DEFAULTS.workers.rootVolumeGiB).describe("Worker root volume."),
  amiId: z
    .string()
    .regex(/^ami-([0-9a-f]{8}|[0-9a-f]{17})$/, "must be an AMI id such as ami-0123456789abcdef0")
    .optional()
    .describe("Worker AMI (module default when left out). With docker-autoscaler a custom AMI needs Docker and the user ubuntu."),
  subnetId: zodSchema(SUBNET_ID)
    .optional()
    .describe("docker+machine only: the one subnet of the workers and their manager, one of network.subnetIds (default: the first)."),
  maxJobsPerInstance: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(DEFAULTS.workers.maxJobsPerInstance)
    .describe("Jobs a worker runs before it is replaced (max_use_count, destroy_after_max_builds). 1: every job gets a fresh instance."),
});

const fleet = z.strictObject({
  name: fleetName.describe(
    "Fleet name: the module's environment is <name>-<fleet> (44 characters at most); Terraform addresses derive from it.",
  ),
  executor: z
    .enum(EXECUTOR_NAMES)
    .describe(
      "Where jobs run: docker-autoscaler and docker+machine on workers, docker on the manager (needs acknowledge.jobs-not-on-manager).",
    ),
  runnerTokenSsmParameter: literalOrVariable(zodSchema(SSM_PARAMETER_NAME)).describe(
    "Name of the SSM SecureString parameter holding this runner's authentication token.",
  ),
  maxConcurrentJobs: literalOrVariable(zodSchema(MAX_CONCURRENT_JOBS))
    .default(DEFAULTS.fleet.maxConcurrentJobs)
    .describe("concurrent of the runner manager."),
  manager: z
    .strictObject({
      instanceType: literalOrVariable(zodSchema(INSTANCE_TYPE))
        .default(DEFAULTS.fleet.managerInstanceType)
        .describe("Manager instance type (with docker, jobs run here: size it for them)."),
    })
    .default({ instanceType: DEFAULTS.fleet.managerInstanceType }),
  workers: workers.optional().describe("Worker settings: required for docker+machine and docker-autoscaler, refused for docker."),
  acknowledge: z
    .record(
      z
        .string()
        .refine(
          (id) => ACKNOWLEDGEABLE_RULES.includes(id),
          `must name a security rule that can be acknowledged: ${ACKNOWLEDGEABLE_RULES.join(", ")}`,
        ),
      acknowledgementReason,
    )
    .default({})
    .describe("Security rules accepted for this fleet's constructs: rule id -> reason (10-500 characters), listed in review.md."),
});

/** S3 object key of the state: path segments of safe characters. */
const stateKey = z
  .string()
  .min(1, "must not be empty")
  .max(1024, "must be at most 1024 characters")
  .regex(
    /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/,
    "must be an S3 object key of letters, digits and _ . - in segments separated by / (no leading or doubled /)",
  );

/** Local state path, relative to the stack folder cdktf.out/stacks/<name>. */
const localStatePath = z
  .string()
  .regex(
    /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/,
    "must be a relative path of letters, digits and _ . - separated by / (no absolute, Windows or home paths), so the synthesized JSON is the same on every machine",
  )
  .refine((p) => p.endsWith(".tfstate"), "must end in .tfstate (Terraform overwrites the file it names)");

const backend = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("local").describe("Local state file."),
    path: localStatePath
      .optional()
      .describe(
        "Relative to cdktf.out/stacks/<name>, inside the project folder, ending in .tfstate (default ../../../terraform.<name>.tfstate).",
      ),
  }),
  z.strictObject({
    type: z.literal("s3").describe("S3 state, always encrypt = true and use_lockfile = true (Terraform >= 1.10)."),
    bucket: bucketName.describe("State bucket."),
    key: stateKey.describe("State object key."),
    region: region.describe("Region of the state bucket, in the stack's partition."),
    kmsKeyId: z
      .string()
      .optional()
      .describe(
        "ARN of a KMS key or alias in the bucket's region (recommended with docker-autoscaler: the state holds its workers' SSH key).",
      ),
  }),
]);

const ciImage = z.strictObject({
  repositoryName: ecrRepositoryName.describe("Repository of the CI image, created by the stack."),
  tag: z
    .string()
    .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "must be a Docker tag: up to 128 letters, digits, _ . -")
    .optional()
    .describe("The runners' default image by tag (one of tag and digest)."),
  digest: z
    .string()
    .regex(/^sha256:[a-f0-9]{64}$/, "must be sha256: followed by 64 hex digits")
    .optional()
    .describe("The runners' default image by digest (one of tag and digest)."),
  keepTaggedImages: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(DEFAULTS.ciImage.keepTaggedImages)
    .describe("Lifecycle: tagged images kept per repository the stack creates."),
  untaggedExpiryDays: z
    .number()
    .int()
    .min(1)
    .max(365)
    .default(DEFAULTS.ciImage.untaggedExpiryDays)
    .describe("Lifecycle: untagged images expire after this many days."),
  encryption: z
    .enum(["AES256", "KMS"])
    .default(DEFAULTS.ciImage.encryption)
    .describe("Encryption at rest of the repositories the stack creates."),
  push: fleetNames
    .default([])
    .describe("Fleets whose jobs may push new CI image versions (the example pipeline's ci-image job runs on one)."),
});

/** What GitlabRunnerEcr needs: everything but the app's own settings (the state backend). */
export const runnersShape = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z][a-z0-9-]{1,22}[a-z0-9]$/, "must be 3-24 characters: lowercase letters, digits and -, starting with a letter")
    .describe("Stack name (the folder in cdktf.out/stacks/) and prefix of every name the stack gives."),
  aws: z.strictObject({
    region: region.describe("Region of everything the stack creates (aws, aws-cn or aws-us-gov)."),
    accountId: accountId.describe(
      "Account the stack deploys to, quoted in YAML. ARNs and registry hosts are written from it; the provider refuses any other account.",
    ),
  }),
  tags: tags.default({}).describe("Provider default_tags and the module's tags: AWS tag characters, at most 40, no Name, no aws: keys."),
  network: z.strictObject({
    vpcId: literalOrVariable(zodSchema(VPC_ID)).describe("VPC of managers and workers."),
    subnetIds: literalOrVariable(zodSchema(SUBNET_IDS)).describe(
      "Subnets. docker-autoscaler: workers in all, manager in the first; docker+machine: one (workers.subnetId); docker: the manager in the first.",
    ),
  }),
  gitlab: z.strictObject({
    url: literalOrVariable(zodSchema(GITLAB_URL)).describe(
      "GitLab instance: https, host, port and path only (it goes into a shell script on the manager).",
    ),
    runnerVersion: z
      .string()
      .regex(/^\d+\.\d+\.\d+$/, `must be a GitLab Runner release such as ${DEFAULTS.runnerVersion}`)
      .refine(
        hasCredentialHelperAllowlist,
        `must be ${CREDENTIAL_HELPER_ALLOWLIST_RELEASES.join(", ")} or later in its line: earlier releases run any credential helper a job's DOCKER_AUTH_CONFIG names, on the manager`,
      )
      .default(DEFAULT_RUNNER_VERSION)
      .describe(`GitLab Runner release on the managers; at least ${CREDENTIAL_HELPER_ALLOWLIST_RELEASES.join(", ")} in its line.`),
  }),
  ciImage,
  repositories: z.array(repository).max(200).default([]).describe("Application image repositories."),
  cache: z
    .strictObject({
      bucketName: bucketName.optional().describe("Cache bucket, created by the stack (default <name>-cache-<accountId>-<region>)."),
      expirationDays: z
        .number()
        .int()
        .min(1)
        .max(3650)
        .default(DEFAULTS.cache.expirationDays)
        .describe("Cache objects expire after this many days."),
      shareBetweenFleets: z
        .boolean()
        .default(DEFAULTS.cache.shareBetweenFleets)
        .describe(
          "One cache namespace for every fleet (gitlab-runner Shared = true): any fleet's jobs can then read and overwrite any other's cache.",
        ),
    })
    .default({ ...DEFAULTS.cache }),
  metadataHopLimit: z
    .number()
    .int()
    .min(
      MIN_HOP_LIMIT_WITH_CONTAINERS,
      `must be at least ${MIN_HOP_LIMIT_WITH_CONTAINERS}: job containers reach the instance role through one more network hop`,
    )
    .max(64)
    .default(DEFAULTS.jobHopLimit)
    .describe("IMDSv2 hop limit where job containers run (workers; the manager with docker). Managers of worker executors always get 1."),
  forceDestroy: z
    .boolean()
    .default(DEFAULTS.forceDestroy)
    .describe("Lets destroy delete the cache bucket and the created repositories with their objects and images."),
  pullThroughCache: z
    .array(pullThroughRule)
    .max(10)
    .optional()
    .describe(
      "ECR pull-through cache rules. Default: ECR Public as ecr-public where the region offers the feature (not China or GovCloud); [] for none.",
    ),
  fleets: z
    .array(fleet)
    .min(1, "needs at least one fleet")
    .max(100, "may have at most 100 fleets")
    .describe("Runner fleets: one registration and one module instance each."),
});

/** The app's configuration: the runners and the state backend of their stack. */
export const configShape = z.strictObject({
  ...runnersShape.shape,
  backend: backend.default({ type: "local" }).describe("Terraform state backend of the app's stack (not a GitlabRunnerEcr prop)."),
});

/** The parsed fields of GitlabRunnerEcr's props, before the cross-field checks and the final transform. */
export type RunnersShape = z.output<typeof runnersShape>;
export type ConfigShape = z.output<typeof configShape>;

/** A configured value that a Terraform variable may stand for, with the rule it must follow. */
export interface SettableValue {
  readonly path: readonly (string | number)[];
  readonly rule: ValueRule;
  /** What the value is for, as the variable's description says it. */
  readonly description: string;
  /** The fleet the value belongs to, if it belongs to one. */
  readonly fleet?: string;
  /** The literal, or a VariableRef. */
  readonly value: unknown;
}

/** Every value that may be left to a Terraform input variable, in a stable order. */
export function settableValues(c: Pick<RunnersShape, "network" | "gitlab" | "fleets">): SettableValue[] {
  return [
    { path: ["network", "vpcId"], rule: VPC_ID, description: "VPC of the runner managers and workers", value: c.network.vpcId },
    {
      path: ["network", "subnetIds"],
      rule: SUBNET_IDS,
      description: "Subnets of the runners: managers run in the first, workers in all",
      value: c.network.subnetIds,
    },
    { path: ["gitlab", "url"], rule: GITLAB_URL, description: "URL of the GitLab instance the runners register with", value: c.gitlab.url },
    ...c.fleets.flatMap((f, i): SettableValue[] => [
      {
        path: ["fleets", i, "runnerTokenSsmParameter"],
        rule: SSM_PARAMETER_NAME,
        description: "Name of the SSM SecureString parameter that holds the runner authentication token",
        fleet: f.name,
        value: f.runnerTokenSsmParameter,
      },
      {
        path: ["fleets", i, "maxConcurrentJobs"],
        rule: MAX_CONCURRENT_JOBS,
        description: "Most jobs run at once",
        fleet: f.name,
        value: f.maxConcurrentJobs,
      },
      {
        path: ["fleets", i, "manager", "instanceType"],
        rule: INSTANCE_TYPE,
        description: "EC2 instance type of the runner manager",
        fleet: f.name,
        value: f.manager.instanceType,
      },
      ...(f.workers === undefined
        ? []
        : [
            {
              path: ["fleets", i, "workers", "instanceTypes"],
              rule: INSTANCE_TYPES,
              description: "EC2 instance types of the workers, the first being the default",
              fleet: f.name,
              value: f.workers.instanceTypes,
            },
            {
              path: ["fleets", i, "workers", "maxInstances"],
              rule: MAX_WORKER_INSTANCES,
              description: "Most worker instances at once",
              fleet: f.name,
              value: f.workers.maxInstances,
            },
          ]),
    ]),
  ];
}
