/**
 * The building blocks of the configuration's schema: one character rule per kind of string that
 * reaches Terraform (configuration is data: no field may carry Terraform template or shell syntax
 * into the synthesized document), each message saying what is allowed and why.
 */
import { z } from "zod";
import { ECR_REPOSITORY_NAME } from "../aws/names";
import { isKnownRegion } from "../aws/regions";
import { SECURITY_RULES } from "../rules";
import type { RuleId } from "../rules/ids";
import { reasonProblems } from "../rules/acknowledgement-reason";

export const region = z
  .string()
  .refine(isKnownRegion, "must be an AWS region such as eu-west-1 (one of the aws, aws-cn and aws-us-gov regions)");
export const accountId = z.string().regex(/^\d{12}$/, "must be a 12-digit AWS account id");
export const ecrRepositoryName = z
  .string()
  .min(2, "must be 2 to 256 characters")
  .max(256, "must be 2 to 256 characters")
  .regex(ECR_REPOSITORY_NAME, "must be a valid ECR repository name: lowercase letters, digits, and . _ - / between them");

/** S3 bucket naming rules (general purpose buckets). */
export const bucketName = z
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
// (an executor with docker-machine workers passes tags through the manager's boot script).
const TAG_TEXT = /^[\p{L}\p{Zs}\p{N}_.:/=+\-@]*$/u;
const TAG_TEXT_MESSAGE = "may hold only letters, digits, spaces and _ . : / = + - @ (AWS's tag characters)";
const tagKey = z
  .string()
  .min(1, "must not be empty")
  .max(128, "must be at most 128 characters")
  .regex(TAG_TEXT, TAG_TEXT_MESSAGE)
  .refine((k) => !/^aws:/i.test(k), "must not start with aws: (AWS reserves that prefix)");
const tagValue = z.string().max(256, "must be at most 256 characters").regex(TAG_TEXT, TAG_TEXT_MESSAGE);

export const tags = z
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

export const variableName = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,63}$/, "must be 1-64 characters: lowercase letters, digits and _, starting with a letter")
  .refine((n) => !RESERVED_VARIABLE_NAMES.includes(n), "is a name Terraform reserves");

/** The literal value, or `{ terraformVariable, default? }` to leave it to a Terraform variable. */
export function literalOrVariable<T extends z.ZodType>(literal: T) {
  return z.union([literal, z.strictObject({ terraformVariable: variableName, default: literal.optional() })]);
}

const FLEET_NAME = /^[a-z][a-z0-9-]{0,19}$/;
export const fleetName = z.string().regex(FLEET_NAME, "must be 1-20 characters: lowercase letters, digits and -, starting with a letter");
/** Names of fleets, checked against `fleets` by checks.ts. */
export const fleetNames = z.array(fleetName);

export const ACKNOWLEDGEABLE_RULES = SECURITY_RULES.filter((r) => r.acknowledgeable !== false).map((r) => r.id);

/**
 * ECR cannot scope PutImage by tag: every fleet that may push to a repository with buildCache can
 * rewrite the buildcache* tags the others build from. The configuration refuses a second writer
 * unless the repository acknowledges the security rule of this id (sharing-checks.ts), which
 * checks the same on the synthesized document (modules/rules/build-cache-one-writer.ts).
 */
export const BUILD_CACHE_ONE_WRITER: RuleId = "build-cache-one-writer";
/** What repositories[].acknowledge accepts: the acknowledgeable security rules. */
export const REPOSITORY_ACKNOWLEDGEABLE_RULES = ACKNOWLEDGEABLE_RULES;

// A reason a reviewer reads in review.md; acknowledgeRule checks a library user's with the same function.
export const acknowledgementReason = z.string().superRefine((r, ctx) => {
  for (const message of reasonProblems(r)) ctx.addIssue({ code: "custom", message, input: r });
});

/** Acknowledgements: rule id (one of `ruleIds`) -> the reason a reviewer reads in review.md. */
export function acknowledgements(ruleIds: readonly RuleId[]) {
  // A refined string rather than z.enum: keys are checked (and reported) one by one, and a record
  // over an enum would demand every id. The refinement admits only `ruleIds`, hence the key type.
  const ruleId = z
    .string()
    .refine(
      (id) => (ruleIds as readonly string[]).includes(id),
      `must name a security rule that can be acknowledged: ${ruleIds.join(", ")}`,
    );
  return z.partialRecord(ruleId as unknown as z.ZodType<RuleId, string>, acknowledgementReason);
}

/** An ECR repository prefix: path segments of lowercase letters and digits joined by . _ - */
export const repositoryPrefix = z
  .string()
  .min(2, "must be 2 to 30 characters")
  .max(30, "must be 2 to 30 characters")
  .regex(
    /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/,
    "must be an ECR repository prefix: lowercase letters, digits, and . _ - / between them",
  );

/** S3 object key of the state: path segments of safe characters. */
export const stateKey = z
  .string()
  .min(1, "must not be empty")
  .max(1024, "must be at most 1024 characters")
  .regex(
    /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/,
    "must be an S3 object key of letters, digits and _ . - in segments separated by / (no leading or doubled /)",
  );

/** Local state path, relative to the stack folder cdktf.out/stacks/<name>. */
export const localStatePath = z
  .string()
  .regex(
    /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/,
    "must be a relative path of letters, digits and _ . - separated by / (no absolute, Windows or home paths), so the synthesized JSON is the same on every machine",
  )
  .refine((p) => p.endsWith(".tfstate"), "must end in .tfstate (Terraform overwrites the file it names)");

/**
 * A GitLab runner tag: it reaches the GitLab API (tag_list) and a reader's `.gitlab-ci.yml`, never a
 * shell; lowercase letters, digits and . _ - keep it free of template, shell and YAML syntax.
 */
export const runnerTag = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, "must be 1-63 characters: lowercase letters, digits and . _ -, starting with a letter or digit");

/** Where the stack registers a fleet's runner in GitLab (gitlab_user_runner's runner_type). */
export const GITLAB_RUNNER_SCOPES = ["instance", "group", "project"] as const;
