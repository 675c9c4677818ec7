/**
 * The AWS regions a stack may name, by partition. Source: botocore 1.43.67 (2026-08-07),
 * botocore/data/endpoints.json, partitions "aws", "aws-cn" and "aws-us-gov". When AWS opens a
 * region, add it here (the configuration refuses names not listed, so a typo such as eu-west-4
 * fails at synthesis instead of at apply). The European Sovereign Cloud (aws-eusc) and the ISO
 * partitions are not supported: their ARNs and registry hosts follow other rules.
 */
export const REGIONS_BY_PARTITION = {
  aws: [
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
  ],
  "aws-cn": ["cn-north-1", "cn-northwest-1"],
  "aws-us-gov": ["us-gov-east-1", "us-gov-west-1"],
} as const;

export type Partition = keyof typeof REGIONS_BY_PARTITION;

const PARTITION_OF = new Map<string, Partition>(
  (Object.entries(REGIONS_BY_PARTITION) as [Partition, readonly string[]][]).flatMap(([p, regions]) => regions.map((r) => [r, p] as const)),
);

export function isKnownRegion(region: string): boolean {
  return PARTITION_OF.has(region);
}

/** The partition of a region: `aws`, `aws-cn` or `aws-us-gov` (by prefix for a region not listed). */
export function partitionOf(region: string): Partition {
  return PARTITION_OF.get(region) ?? (region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws");
}
