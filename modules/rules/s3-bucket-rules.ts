import { SecurityRule } from "./security-rule";
import { TerraformBlock, refersTo, resourcesInStack } from "./terraform-block";

/** The attributes of the `type` blocks (aws_s3_bucket_*) that configure `block`, if it is a bucket. */
function companions(block: TerraformBlock, type: string): Record<string, any>[] | undefined {
  if (block.resourceType !== "aws_s3_bucket") return undefined;
  return resourcesInStack(block.node, type)
    .filter((c) => refersTo(c.attributes.bucket, block))
    .map((c) => c.attributes);
}

export const S3_BUCKET_ENCRYPTED: SecurityRule = {
  id: "s3-bucket-encrypted",
  description: "S3 buckets have an explicit server-side encryption configuration (SSE-S3 or SSE-KMS).",
  check(block) {
    const configs = companions(block, "aws_s3_bucket_server_side_encryption_configuration");
    if (configs === undefined) return [];
    const algorithms = configs.flatMap((c) =>
      [c.rule ?? []].flat().flatMap((r: any) => [r.apply_server_side_encryption_by_default ?? []].flat().map((d: any) => d.sse_algorithm)),
    );
    return algorithms.some((a) => ["AES256", "aws:kms", "aws:kms:dsse"].includes(a)) ? [] : ["has no server-side encryption configuration"];
  },
};

export const S3_BUCKET_PUBLIC_ACCESS_BLOCKED: SecurityRule = {
  id: "s3-bucket-public-access-blocked",
  description: "S3 buckets block every form of public access (all four public access block settings).",
  check(block) {
    const blocks = companions(block, "aws_s3_bucket_public_access_block");
    if (blocks === undefined) return [];
    const settings = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"];
    return blocks.some((b) => settings.every((s) => b[s] === true))
      ? []
      : [`has no public access block with ${settings.join(", ")} all true`];
  },
};

/** Whether a policy Principal is everyone: "*" or {"AWS": "*"}. */
function isEveryone(principal: unknown): boolean {
  if (principal === "*") return true;
  const aws = (principal as { AWS?: unknown } | undefined)?.AWS;
  return [aws].flat().includes("*");
}

/** The ways a bucket policy can name `bucket` and its objects: literal ARNs or references to the bucket. */
function bucketResources(block: TerraformBlock): { bucket: (r: string) => boolean; objects: (r: string) => boolean } {
  const address = `${block.resourceType}.${block.node.friendlyUniqueId}`;
  const name = String(block.attributes.bucket ?? "");
  const bucket = (r: string) =>
    r === `\${${address}.arn}` || (name !== "" && /^arn:aws(-[a-z-]+)?:s3:::/.test(r) && r.endsWith(`:::${name}`));
  return { bucket, objects: (r: string) => r.endsWith("/*") && bucket(r.slice(0, -2)) };
}

/**
 * Plain-HTTP requests are denied for everyone, on the bucket and on every object: a Deny whose
 * Principal is one account, or whose Resource leaves out the objects, protects nothing that
 * matters.
 */
export const S3_BUCKET_TLS_ONLY: SecurityRule = {
  id: "s3-bucket-tls-only",
  description:
    "S3 bucket policies deny every request without TLS (aws:SecureTransport false), for every principal, on the bucket and all its objects.",
  check(block) {
    const policies = companions(block, "aws_s3_bucket_policy");
    if (policies === undefined) return [];
    const { bucket, objects } = bucketResources(block);
    const deniesPlainHttp = policies.some((p) => {
      let doc: { Statement?: any };
      try {
        doc = JSON.parse(String(p.policy));
      } catch {
        return false;
      }
      return [doc.Statement ?? []].flat().some((s: any) => {
        const resources = [s.Resource ?? []].flat().map(String);
        return (
          s.Effect === "Deny" &&
          isEveryone(s.Principal) &&
          [s.Action].flat().some((a: string) => a === "s3:*" || a === "*") &&
          resources.some(bucket) &&
          resources.some(objects) &&
          [s.Condition?.Bool?.["aws:SecureTransport"]].flat().map(String).includes("false")
        );
      });
    });
    return deniesPlainHttp
      ? []
      : ["has no bucket policy denying requests without TLS to every principal on the bucket and all its objects"];
  },
};
