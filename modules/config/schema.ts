/**
 * The configuration's fields as a zod schema, each with its description (docs/configuration.md is
 * generated from them) and its character rule (fields.ts). Checks that span fields are in
 * checks.ts; which fields a Terraform variable may stand for in settable-values.ts; parsing in
 * parse.ts.
 */
import { z } from "zod";
import { EXECUTOR_NAMES, EXECUTOR_TEXT, MIN_HOP_LIMIT_WITH_CONTAINERS } from "../executors";
import { CREDENTIAL_HELPER_ALLOWLIST_RELEASES, DEFAULTS, hasCredentialHelperAllowlist } from "./defaults";
import { ciImage, pullThroughRule, repository } from "./images-schema";
import { HOP_LIMIT_TOO_LOW } from "./fleet-checks";
import {
  ACKNOWLEDGEABLE_RULES,
  accountId,
  acknowledgements,
  bucketName,
  fleetName,
  literalOrVariable,
  localStatePath,
  region,
  runnerTag,
  GITLAB_RUNNER_SCOPES,
  stateKey,
  tags,
} from "./fields";
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
  zodSchema,
} from "./value-rules";

export { VariableRef, isVariableRef } from "./fields";

/** GitLab Runner release installed on the managers (defaults.ts says why this one). */
export const DEFAULT_RUNNER_VERSION = DEFAULTS.runnerVersion;

const workers = z.strictObject({
  instanceTypes: literalOrVariable(zodSchema(INSTANCE_TYPES))
    .default([...DEFAULTS.workers.instanceTypes])
    .describe(EXECUTOR_TEXT.instanceTypes),
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
    .describe(EXECUTOR_TEXT.amiId),
  subnetId: zodSchema(SUBNET_ID).optional().describe(EXECUTOR_TEXT.subnetId),
  maxJobsPerInstance: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(DEFAULTS.workers.maxJobsPerInstance)
    .describe(
      "Jobs a worker runs before it is replaced (max_use_count, destroy_after_max_builds). 1: every job gets a fresh instance; job containers are privileged, so a reused instance can carry what one job left behind into the next.",
    ),
});

const fleetGitlab = z.strictObject({
  scope: z
    .enum(GITLAB_RUNNER_SCOPES)
    .describe("What the runner serves: the whole instance (admin token), one group and its projects, or one project."),
  id: z
    .number()
    .int("must be a whole number: the numeric id GitLab shows for the group or project")
    .min(1, "must be a positive group or project id")
    .max(Number.MAX_SAFE_INTEGER, "must be a group or project id GitLab can hold")
    .optional()
    .describe("The group's or project's numeric id: required for group and project, refused for instance."),
  protected: z
    .boolean()
    .default(false)
    .describe("Run only jobs of protected branches and tags (access_level ref_protected). Required for a fleet whose jobs may push."),
  tags: z
    .array(runnerTag)
    .min(1, "needs at least one tag (leave tags out for the fleet's name)")
    .max(20, "may have at most 20 tags")
    .optional()
    .describe("The runner's tags, which jobs name in tags: (default: the fleet's name)."),
  runUntagged: z.boolean().default(false).describe("Also run jobs without tags (refused for a protected runner unless acknowledged)."),
});

const fleet = z.strictObject({
  name: fleetName.describe(
    "Fleet name: the module's environment is <name>-<fleet> (44 characters at most); Terraform addresses derive from it.",
  ),
  executor: z.enum(EXECUTOR_NAMES).describe(EXECUTOR_TEXT.executorField),
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
        .describe(EXECUTOR_TEXT.managerInstanceType),
    })
    .default({ instanceType: DEFAULTS.fleet.managerInstanceType }),
  gitlab: fleetGitlab
    .optional()
    .describe(
      "Register the fleet's runner from the stack (gitlab_user_runner; the provider's token from GITLAB_TOKEN) and store its token in runnerTokenSsmParameter, which the stack then creates.",
    ),
  workers: workers.optional().describe(EXECUTOR_TEXT.workers),
  acknowledge: acknowledgements(ACKNOWLEDGEABLE_RULES)
    .default({})
    .describe("Security rules accepted for this fleet's constructs: rule id -> reason (10-500 characters), listed in review.md."),
});

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
    kmsKeyId: z.string().optional().describe(EXECUTOR_TEXT.stateKmsKey),
  }),
]);

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
    subnetIds: literalOrVariable(zodSchema(SUBNET_IDS)).describe(EXECUTOR_TEXT.subnetIds),
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
    .min(MIN_HOP_LIMIT_WITH_CONTAINERS, HOP_LIMIT_TOO_LOW)
    .max(64)
    .default(DEFAULTS.jobHopLimit)
    .describe(EXECUTOR_TEXT.jobHopLimit),
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
