/**
 * The stack's configuration: its schema (zod), the rules that span fields, and the error type that
 * reports every problem by field. Loading from files lives in config-loader.ts; the embedded example
 * in default-config.ts.
 */
import { z } from "zod";
import { ECR_REPOSITORY_NAME, parseEcrRepositoryArn } from "./aws-names";
import { jsonStrings } from "./json-strings";
import { terraformName } from "./terraform-names";
import {
  GITLAB_URL,
  INSTANCE_TYPE,
  INSTANCE_TYPES,
  MAX_CONCURRENT_JOBS,
  MAX_WORKER_INSTANCES,
  SSM_PARAMETER_NAME,
  SUBNET_IDS,
  VPC_ID,
  ValueRule,
  zodSchema,
} from "./value-rules";

export const EXECUTORS = ["docker", "docker+machine", "docker-autoscaler"] as const;
export type Executor = (typeof EXECUTORS)[number];

/**
 * GitLab Runner release installed on the managers. 19.4.0 is the newest release whose existence we
 * could verify; it has the credential-helper allowlist (a security change: helpers named by a
 * job-supplied DOCKER_AUTH_CONFIG no longer run). Our ECR login does not depend on that path: see
 * docker-auth.ts and the README.
 */
export const DEFAULT_RUNNER_VERSION = "19.4.0";

// Shapes of AWS identifiers. Each rule names what is expected, since the message reaches the user.
const region = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "must be an AWS region such as eu-west-1");
const accountId = z.string().regex(/^\d{12}$/, "must be a 12-digit AWS account id");
const ecrRepositoryName = z
  .string()
  .min(2, "must be 2 to 256 characters")
  .max(256, "must be 2 to 256 characters")
  .regex(ECR_REPOSITORY_NAME, "must be a valid ECR repository name: lowercase letters, digits, and . _ - / between them");

/** S3 bucket naming rules (general purpose buckets). */
const bucketName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be 3-63 characters of lowercase letters, digits, . and -, starting and ending with a letter or digit")
  .refine((s) => !s.includes(".."), "must not contain two adjacent periods")
  .refine((s) => !/^\d+\.\d+\.\d+\.\d+$/.test(s), "must not be formatted as an IP address")
  .refine((s) => !/^(xn--|sthree-|amzn-s3-demo-)/.test(s), "must not start with xn--, sthree- or amzn-s3-demo-")
  .refine((s) => !/(-s3alias|--ol-s3|--x-s3|--table-s3)$/.test(s), "must not end with a suffix reserved by S3");

const tags = z
  .record(z.string().min(1).max(128), z.string().max(256))
  .refine((t) => Object.keys(t).length <= 40, "at most 40 tags (AWS allows 50 per resource; the module adds its own)")
  // The module names its resources and IAM roles after the Name tag when one is given: every fleet
  // would get the same names and collide.
  .refine((t) => !Object.keys(t).some((k) => k.toLowerCase() === "name"), "must not set Name: the module derives resource and IAM role names from it, so fleets would collide");

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

const repository = z
  .strictObject({
    name: ecrRepositoryName.optional(),
    arn: z.string().optional(),
    access: z.enum(["pull", "pull-push"]).default("pull-push"),
    usedAsJobImage: z.boolean().default(false),
  })
  .superRefine((repo, ctx) => {
    if ((repo.name === undefined) === (repo.arn === undefined)) {
      ctx.addIssue({ code: "custom", message: "set exactly one of name (a repository the stack creates) or arn (an existing repository)" });
    }
    if (repo.arn !== undefined && !parseEcrRepositoryArn(repo.arn)) {
      ctx.addIssue({
        code: "custom",
        path: ["arn"],
        message: "must be an ECR repository ARN such as arn:aws:ecr:eu-west-1:123456789012:repository/team/app",
      });
    }
  });

const workers = z.strictObject({
  instanceTypes: literalOrVariable(zodSchema(INSTANCE_TYPES)).default(["m6i.large"]),
  maxInstances: literalOrVariable(zodSchema(MAX_WORKER_INSTANCES)).default(10),
  idleCount: z.number().int().min(0).default(0),
  idleTimeMinutes: z.number().int().min(1).default(30),
  spot: z.boolean().default(false),
  rootVolumeGiB: z.number().int().min(8).max(16384).default(30),
  amiId: z
    .string()
    .regex(/^ami-([0-9a-f]{8}|[0-9a-f]{17})$/, "must be an AMI id such as ami-0123456789abcdef0")
    .optional(),
});

const fleet = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,19}$/, "must be 1-20 characters: lowercase letters, digits and -, starting with a letter"),
    executor: z.enum(EXECUTORS),
    runnerTokenSsmParameter: literalOrVariable(zodSchema(SSM_PARAMETER_NAME)),
    maxConcurrentJobs: literalOrVariable(zodSchema(MAX_CONCURRENT_JOBS)).default(4),
    manager: z
      .strictObject({
        instanceType: literalOrVariable(zodSchema(INSTANCE_TYPE)).default("t3.medium"),
      })
      .default({ instanceType: "t3.medium" }),
    workers: workers.optional(),
  })
  .superRefine((f, ctx) => {
    if (f.executor === "docker" && f.workers !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["workers"],
        message: "only for docker+machine and docker-autoscaler: with the docker executor, jobs run on the manager",
      });
    }
  });

const backend = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("local"),
    /** Relative to the stack's folder in cdktf.out (where Terraform runs). */
    path: z
      .string()
      .min(1)
      .refine((p) => !p.startsWith("/"), "must be a relative path, so the synthesized JSON is the same on every machine")
      .optional(),
  }),
  z.strictObject({
    type: z.literal("s3"),
    bucket: bucketName,
    key: z.string().min(1),
    region,
    kmsKeyId: z.string().min(1).optional(),
  }),
]);

export const configSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z][a-z0-9-]{1,22}[a-z0-9]$/, "must be 3-24 characters: lowercase letters, digits and -, starting with a letter"),
    aws: z.strictObject({ region, accountId }),
    tags: tags.default({}),
    network: z.strictObject({
      vpcId: literalOrVariable(zodSchema(VPC_ID)),
      subnetIds: literalOrVariable(zodSchema(SUBNET_IDS)),
    }),
    gitlab: z.strictObject({
      url: literalOrVariable(zodSchema(GITLAB_URL)),
      runnerVersion: z
        .string()
        .regex(/^\d+\.\d+\.\d+$/, "must be a GitLab Runner release such as 19.4.0")
        .default(DEFAULT_RUNNER_VERSION),
    }),
    ciImage: z
      .strictObject({
        repositoryName: ecrRepositoryName,
        tag: z
          .string()
          .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "must be a Docker tag: up to 128 letters, digits, _ . -")
          .optional(),
        digest: z.string().regex(/^sha256:[a-f0-9]{64}$/, "must be sha256: followed by 64 hex digits").optional(),
        keepTaggedImages: z.number().int().min(1).max(1000).default(30),
        untaggedExpiryDays: z.number().int().min(1).max(365).default(1),
        encryption: z.enum(["AES256", "KMS"]).default("AES256"),
      })
      .superRefine((img, ctx) => {
        if ((img.tag === undefined) === (img.digest === undefined)) {
          ctx.addIssue({ code: "custom", message: "set exactly one of tag or digest for the runners' default image" });
        }
      }),
    repositories: z.array(repository).default([]),
    cache: z
      .strictObject({
        bucketName: bucketName.optional(),
        expirationDays: z.number().int().min(1).max(3650).default(14),
      })
      .default({ expirationDays: 14 }),
    metadataHopLimit: z.number().int().min(2, "must be at least 2: job containers reach the instance role through one more network hop").max(64).default(2),
    backend: backend.default({ type: "local" }),
    fleets: z.array(fleet).min(1, "needs at least one fleet"),
  })
  .superRefine((c, ctx) => {
    const seenFleets = new Map<string, number>();
    c.fleets.forEach((f, i) => {
      const first = seenFleets.get(f.name);
      if (first !== undefined) {
        ctx.addIssue({ code: "custom", path: ["fleets", i, "name"], message: `duplicates fleets[${first}].name "${f.name}"` });
      } else {
        seenFleets.set(f.name, i);
      }
    });
    // Created repositories become aws_ecr_repository.<name with / and . as _>: two names must not meet.
    const addresses = new Map<string, string>([[terraformName(c.ciImage.repositoryName), "ciImage.repositoryName"]]);
    c.repositories.forEach((r, i) => {
      if (r.name === undefined || r.name === c.ciImage.repositoryName) return;
      const other = addresses.get(terraformName(r.name));
      if (other !== undefined) {
        ctx.addIssue({ code: "custom", path: ["repositories", i, "name"], message: `gives the same Terraform address as ${other}; rename one` });
      }
      addresses.set(terraformName(r.name), `repositories[${i}].name`);
    });
    const seenRepos = new Map<string, number>();
    c.repositories.forEach((r, i) => {
      const key = r.name ?? r.arn ?? "";
      if (r.name !== undefined && r.name === c.ciImage.repositoryName) {
        ctx.addIssue({ code: "custom", path: ["repositories", i, "name"], message: "is the CI image repository (ciImage.repositoryName); list application repositories only" });
      }
      const first = seenRepos.get(key);
      if (first !== undefined) {
        ctx.addIssue({ code: "custom", path: ["repositories", i], message: `duplicates repositories[${first}]` });
      } else {
        seenRepos.set(key, i);
      }
    });
    // One Terraform variable may stand for several fields (one instance type for all fleets, say),
    // but only for values of one kind and with one default.
    const firstUse = new Map<string, SettableValue>();
    for (const use of settableValues(c)) {
      if (!isVariableRef(use.value)) continue;
      const name = use.value.terraformVariable;
      const first = firstUse.get(name);
      if (first === undefined) {
        firstUse.set(name, use);
      } else if (first.rule !== use.rule) {
        ctx.addIssue({ code: "custom", path: [...use.path, "terraformVariable"], message: `"${name}" already stands for ${formatPath(first.path)}, a different kind of value` });
      } else if (JSON.stringify((first.value as VariableRef<unknown>).default) !== JSON.stringify(use.value.default)) {
        ctx.addIssue({ code: "custom", path: [...use.path, "default"], message: `differs from the default given for "${name}" at ${formatPath(first.path)}` });
      }
    }
    c.fleets.forEach((f, i) => {
      // Module naming: IAM names are `<environment>-terminate-instances` etc., 64 characters at most.
      const environment = fleetEnvironment(c.name, f.name);
      if (environment.length > 44) {
        ctx.addIssue({
          code: "custom",
          path: ["fleets", i, "name"],
          message: `with name "${c.name}" gives the module environment "${environment}" (${environment.length} characters); the module needs at most 44`,
        });
      }
    });
  });

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
export function settableValues(c: z.output<typeof configSchema>): SettableValue[] {
  return [
    { path: ["network", "vpcId"], rule: VPC_ID, description: "VPC of the runner managers and workers", value: c.network.vpcId },
    { path: ["network", "subnetIds"], rule: SUBNET_IDS, description: "Subnets of the runners: managers run in the first, workers in all", value: c.network.subnetIds },
    { path: ["gitlab", "url"], rule: GITLAB_URL, description: "URL of the GitLab instance the runners register with", value: c.gitlab.url },
    ...c.fleets.flatMap((f, i): SettableValue[] => [
      {
        path: ["fleets", i, "runnerTokenSsmParameter"],
        rule: SSM_PARAMETER_NAME,
        description: "Name of the SSM SecureString parameter that holds the runner authentication token",
        fleet: f.name,
        value: f.runnerTokenSsmParameter,
      },
      { path: ["fleets", i, "maxConcurrentJobs"], rule: MAX_CONCURRENT_JOBS, description: "Most jobs run at once", fleet: f.name, value: f.maxConcurrentJobs },
      { path: ["fleets", i, "manager", "instanceType"], rule: INSTANCE_TYPE, description: "EC2 instance type of the runner manager", fleet: f.name, value: f.manager.instanceType },
      ...(f.workers === undefined
        ? []
        : [
            { path: ["fleets", i, "workers", "instanceTypes"], rule: INSTANCE_TYPES, description: "EC2 instance types of the workers, the first being the default", fleet: f.name, value: f.workers.instanceTypes },
            { path: ["fleets", i, "workers", "maxInstances"], rule: MAX_WORKER_INSTANCES, description: "Most worker instances at once", fleet: f.name, value: f.workers.maxInstances },
          ]),
    ]),
  ];
}

/** What users write: optional fields may be left out. */
export type RunnerStackConfigInput = z.input<typeof configSchema>;
/** The configuration after validation, with every default filled in. */
export type RunnerStackConfig = z.output<typeof configSchema>;
/** A configuration whose variable references were replaced by Terraform references (tokens). */
export type ResolvedConfig = WithoutVariables<RunnerStackConfig>;
type WithoutVariables<T> =
  T extends VariableRef<unknown> ? never
  : T extends readonly (infer E)[] ? WithoutVariables<E>[]
  : T extends object ? { [K in keyof T]: WithoutVariables<T[K]> }
  : T;
export type FleetConfig = ResolvedConfig["fleets"][number];
export type RepositoryConfig = ResolvedConfig["repositories"][number];

/** The module's `environment` for a fleet: the prefix of every name the module gives. */
export function fleetEnvironment(stackName: string, fleetName: string): string {
  return `${stackName}-${fleetName}`;
}

// GitLab token prefixes: runner authentication (glrt-), legacy registration (GR1348941), personal,
// project and group access tokens (glpat-), CI job tokens (glcbt-), deploy tokens (gldt-).
export const TOKEN_PATTERN = /(^|[^A-Za-z0-9])(glrt-|GR1348941|glpat-|glcbt-|gldt-|glptt-)[A-Za-z0-9_-]{8,}/;

/**
 * Every string in the raw input (unknown fields included) that looks like a GitLab token. Run on
 * the raw data, before the schema, so a token is reported even when other fields are wrong.
 */
function findTokens(value: unknown): string[] {
  return jsonStrings(value)
    .filter(([, text]) => TOKEN_PATTERN.test(text))
    .map(
      ([path]) =>
        `${formatPath(path)}: looks like a GitLab token. Never put a token in the configuration: store the runner ` +
        "authentication token in SSM Parameter Store as a SecureString and set fleets[].runnerTokenSsmParameter to the parameter's name",
    );
}

/** A configuration that failed validation: one line per problem, each naming its field. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid configuration (${source}):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** `fleets[0].manager.instanceType` from zod's path array. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out === "" ? "(root)" : out;
}

function describeIssue(issue: z.core.$ZodIssue): string[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map(
      (key) => `${formatPath([...issue.path, key])}: unknown field (misspelt? Terraform would drop it silently, so it is refused here)`,
    );
  }
  if (issue.code === "invalid_type") {
    if (issue.input === undefined) return [`${formatPath(issue.path)}: is required`];
    const got = Array.isArray(issue.input) ? "array" : issue.input === null ? "null" : typeof issue.input;
    // YAML reads an unquoted 123456789012 as a number: say how to fix it.
    const hint = issue.expected === "string" && got === "number" ? "; quote it" : "";
    return [`${formatPath(issue.path)}: must be ${issue.expected === "array" ? "a list" : `a ${issue.expected}`} (got ${got}${hint})`];
  }
  if (issue.code === "invalid_union" && issue.path.at(-1) === "backend") {
    return [`${formatPath(issue.path)}: type must be "local" or "s3"`];
  }
  if (issue.code === "invalid_union") {
    // A literal or a { terraformVariable } object: report against the form the user chose.
    const branch = issue.errors[isPlainObject(issue.input) ? 1 : 0] ?? [];
    const lines = branch.flatMap((sub) => describeIssue({ ...sub, path: [...issue.path, ...sub.path] } as z.core.$ZodIssue));
    if (lines.length > 0) return lines;
  }
  return [`${formatPath(issue.path)}: ${issue.message}`];
}

function isPlainObject(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Validates raw configuration data; throws ConfigError listing every problem. */
export function parseConfig(data: unknown, source = "configuration"): RunnerStackConfig {
  const tokenProblems = findTokens(data);
  const result = configSchema.safeParse(data, { reportInput: true });
  const problems = [...tokenProblems, ...(result.success ? [] : result.error.issues.flatMap(describeIssue))];
  if (problems.length > 0 || !result.success) {
    throw new ConfigError(source, problems);
  }
  return result.data;
}
