/**
 * ARNs and host names built from account, region and name. The stack writes these as literals
 * instead of Terraform references, so every policy is readable in cdk.tf.json and in the plan,
 * and can be tested before apply. The provider's `allowed_account_ids` makes Terraform refuse to
 * run against any other account, so the literals cannot silently point at the wrong one.
 */

import { isKnownRegion, partitionOf } from "./regions";

export { partitionOf } from "./regions";

function dnsSuffixOf(region: string): string {
  return region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
}

/** The private registry host of an account in a region, e.g. `123456789012.dkr.ecr.eu-west-1.amazonaws.com`. */
export function ecrRegistryHost(accountId: string, region: string): string {
  return `${accountId}.dkr.ecr.${region}.${dnsSuffixOf(region)}`;
}

export function ecrRepositoryArn(accountId: string, region: string, name: string): string {
  return `arn:${partitionOf(region)}:ecr:${region}:${accountId}:repository/${name}`;
}

export interface EcrRepositoryLocation {
  readonly partition: string;
  readonly accountId: string;
  readonly region: string;
  readonly name: string;
}

/** ECR repository names: lowercase path segments separated by `/`, each joined by `.`, `_` or `-`. */
export const ECR_REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

const ECR_REPOSITORY_ARN = /^arn:(aws|aws-cn|aws-us-gov):ecr:([a-z0-9-]+):(\d{12}):repository\/(.+)$/;

/**
 * Splits an ECR repository ARN, or returns undefined when it is not one: a known region, the
 * partition of that region, a valid repository name.
 */
export function parseEcrRepositoryArn(arn: string): EcrRepositoryLocation | undefined {
  const match = ECR_REPOSITORY_ARN.exec(arn);
  if (!match) return undefined;
  const [, partition, region, accountId, name] = match as unknown as [string, string, string, string, string];
  if (!isKnownRegion(region) || partition !== partitionOf(region) || !ECR_REPOSITORY_NAME.test(name)) return undefined;
  return { partition, accountId, region, name };
}

export interface KmsKeyLocation {
  readonly partition: string;
  readonly region: string;
}

const KMS_KEY_ARN =
  /^arn:(aws|aws-cn|aws-us-gov):kms:([a-z0-9-]+):\d{12}:(key\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})|alias\/[A-Za-z0-9/_-]{1,250})$/;

/** Splits a KMS key or alias ARN, or returns undefined when it is not one (or names no known region). */
export function parseKmsKeyArn(arn: string): KmsKeyLocation | undefined {
  const match = KMS_KEY_ARN.exec(arn);
  if (!match || !isKnownRegion(match[2]!)) return undefined;
  return { partition: match[1]!, region: match[2]! };
}

export function s3BucketArn(region: string, bucket: string): string {
  return `arn:${partitionOf(region)}:s3:::${bucket}`;
}

/**
 * An SSM parameter's name as its ARN spells it (`…:parameter/<this>`): without the leading `/` of
 * a hierarchical name. IAM grants on the ARN, so `/a/b`, and `a/b` if SSM took it, are one parameter.
 */
export function ssmParameterArnName(name: string): string {
  return name.replace(/^\//, "");
}
