import { ECR_IMMUTABLE_SCANNED } from "./ecr-immutable-scanned";
import { IAM_NO_PASSROLE_ON_WILDCARD } from "./iam-no-passrole-on-wildcard";
import { IAM_NO_WILDCARD_ACTION } from "./iam-no-wildcard-action";
import { IAM_NO_WILDCARD_RESOURCE } from "./iam-no-wildcard-resource";
import { CONFIGURATION_IS_DATA } from "./configuration-is-data";
import { IMDS_V2_HOP_LIMIT } from "./imds-v2-hop-limit";
import { JOBS_NOT_ON_MANAGER } from "./jobs-not-on-manager";
import { NO_SECRET_LITERAL } from "./no-secret-literal";
import { S3_BUCKET_ENCRYPTED, S3_BUCKET_PUBLIC_ACCESS_BLOCKED, S3_BUCKET_TLS_ONLY } from "./s3-bucket-rules";
import { SecurityRule } from "./security-rule";
import { BUILD_CACHE_ONE_WRITER } from "./build-cache-one-writer";
import { MANAGER_DOES_NOT_PUSH } from "./manager-does-not-push";
import { ONE_FLEET_PER_RUNNER_TOKEN } from "./one-fleet-per-runner-token";
import { PULL_THROUGH_CACHE_READ_ONLY } from "./pull-through-cache-read-only";
import { STATE_NOT_REACHABLE } from "./state-not-reachable";
import { PUSH_RUNNER_PROTECTED } from "./push-runner-protected";
import { PROTECTED_RUNNER_TAGGED_ONLY } from "./protected-runner-tagged-only";
import { WORKER_JOBS_HOLD_NO_S3 } from "./worker-jobs-hold-no-s3";

export { SecurityRule, StackFinding } from "./security-rule";
export { RULE_IDS, RuleId, isRuleId } from "./ids";

/** Every rule SecurityRules applies, in report order. */
export const SECURITY_RULES: readonly SecurityRule[] = [
  IAM_NO_WILDCARD_ACTION,
  IAM_NO_WILDCARD_RESOURCE,
  IAM_NO_PASSROLE_ON_WILDCARD,
  ECR_IMMUTABLE_SCANNED,
  S3_BUCKET_ENCRYPTED,
  S3_BUCKET_PUBLIC_ACCESS_BLOCKED,
  S3_BUCKET_TLS_ONLY,
  IMDS_V2_HOP_LIMIT,
  JOBS_NOT_ON_MANAGER,
  NO_SECRET_LITERAL,
  CONFIGURATION_IS_DATA,
  PULL_THROUGH_CACHE_READ_ONLY,
  STATE_NOT_REACHABLE,
  MANAGER_DOES_NOT_PUSH,
  WORKER_JOBS_HOLD_NO_S3,
  ONE_FLEET_PER_RUNNER_TOKEN,
  BUILD_CACHE_ONE_WRITER,
  PUSH_RUNNER_PROTECTED,
  PROTECTED_RUNNER_TAGGED_ONLY,
];
