/**
 * ARNs and host names built from account, region and name. The stack writes these as literals
 * instead of Terraform references, so every policy is readable in cdk.tf.json and in the plan,
 * and can be tested before apply. The provider's `allowed_account_ids` makes Terraform refuse to
 * run against any other account, so the literals cannot silently point at the wrong one.
 */

/** AWS partition of a region: `aws`, `aws-cn` or `aws-us-gov`. */
export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

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
  readonly accountId: string;
  readonly region: string;
  readonly name: string;
}

/** ECR repository names: lowercase path segments separated by `/`, each joined by `.`, `_` or `-`. */
export const ECR_REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

const ECR_REPOSITORY_ARN = /^arn:(aws|aws-cn|aws-us-gov):ecr:([a-z]{2}(?:-gov)?-[a-z]+-\d):(\d{12}):repository\/(.+)$/;

/** Splits an ECR repository ARN, or returns undefined when it is not one. */
export function parseEcrRepositoryArn(arn: string): EcrRepositoryLocation | undefined {
  const match = ECR_REPOSITORY_ARN.exec(arn);
  if (!match) return undefined;
  const [, partition, region, accountId, name] = match as unknown as [string, string, string, string, string];
  if (partition !== partitionOf(region) || !ECR_REPOSITORY_NAME.test(name)) return undefined;
  return { accountId, region, name };
}

export function s3BucketArn(region: string, bucket: string): string {
  return `arn:${partitionOf(region)}:s3:::${bucket}`;
}
