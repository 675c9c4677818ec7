/**
 * Amazon ECR pull-through cache: the upstream registries a rule may name, and where the feature
 * exists. Source: the ECR User Guide, "Sync an upstream registry with an Amazon ECR private
 * registry" (pull-through-cache.html), and botocore's CreatePullThroughCacheRule (1.43.67).
 */
import { partitionOf } from "./regions";

export interface Upstream {
  /** What the upstream is, for messages and the report. */
  readonly name: string;
  /** Whether a Secrets Manager secret (name prefix ecr-pullthroughcache/) must hold its credentials. */
  readonly credential: boolean;
}

/** Upstream registries by URL. Docker's official images are on ECR Public under docker/library/. */
export const UPSTREAMS = {
  "public.ecr.aws": { name: "Amazon ECR Public", credential: false },
  "registry.k8s.io": { name: "the Kubernetes registry", credential: false },
  "quay.io": { name: "Quay", credential: false },
  "registry-1.docker.io": { name: "Docker Hub", credential: true },
  "ghcr.io": { name: "GitHub Container Registry", credential: true },
  "registry.gitlab.com": { name: "GitLab Container Registry", credential: true },
} as const satisfies Record<string, Upstream>;

export type UpstreamUrl = keyof typeof UPSTREAMS;
export const UPSTREAM_URLS = Object.keys(UPSTREAMS) as UpstreamUrl[];

/** The rule the stack creates unless told otherwise: ECR Public, which needs no credentials. */
export const DEFAULT_PULL_THROUGH_RULE = { prefix: "ecr-public", upstream: "public.ecr.aws" } as const;

/** Pull-through cache rules are not offered in the China and GovCloud regions. */
export function hasPullThroughCache(region: string): boolean {
  return partitionOf(region) === "aws";
}

export interface SecretLocation {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
}

const CREDENTIAL_ARN =
  /^arn:(aws|aws-cn|aws-us-gov):secretsmanager:([a-z0-9-]+):(\d{12}):secret:ecr-pullthroughcache\/[A-Za-z0-9/_+=.@-]{1,400}$/;

/** Splits the ARN of a pull-through cache credential (a secret named ecr-pullthroughcache/…), or undefined. */
export function parseCredentialArn(arn: string): SecretLocation | undefined {
  const m = CREDENTIAL_ARN.exec(arn);
  return m ? { partition: m[1]!, region: m[2]!, accountId: m[3]! } : undefined;
}
