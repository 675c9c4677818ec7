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

export { SecurityRule } from "./security-rule";

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
];
