/** The configuration's image fields: the CI image, application repositories, pull-through cache rules. */
import { z } from "zod";
import { UPSTREAM_URLS } from "../aws/pull-through";
import { DEFAULTS } from "./defaults";
import {
  BUILD_CACHE_ONE_WRITER,
  REPOSITORY_ACKNOWLEDGEABLE_RULES,
  acknowledgements,
  ecrRepositoryName,
  fleetNames,
  repositoryPrefix,
} from "./fields";

export const repository = z.strictObject({
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
  acknowledge: acknowledgements(REPOSITORY_ACKNOWLEDGEABLE_RULES)
    .default({})
    .describe(
      `Security rules accepted for this repository's constructs: rule id -> reason (10-500 characters), listed in review.md. ${BUILD_CACHE_ONE_WRITER} lets more than one fleet push to a buildCache repository.`,
    ),
  access: z.unknown().optional().describe("Removed: refused with its replacement (pull and push)."),
});

export const pullThroughRule = z.strictObject({
  prefix: repositoryPrefix.describe("Repository prefix: upstream images are pulled as <registry host>/<prefix>/<upstream path>."),
  upstream: z.enum(UPSTREAM_URLS).describe("Upstream registry. Docker, GitHub and GitLab registries need credentialArn."),
  credentialArn: z
    .string()
    .optional()
    .describe(
      "ARN of the Secrets Manager secret (named ecr-pullthroughcache/…, in the stack's account and region) holding the upstream's credentials.",
    ),
  pull: fleetNames
    .optional()
    .describe("Fleets whose managers and jobs may pull through this rule; every fleet when left out, required with credentialArn."),
});

export const ciImage = z.strictObject({
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
