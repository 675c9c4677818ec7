import { Construct } from "constructs";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { s3BucketArn } from "../aws/names";
import { DEFAULTS } from "../config/defaults";
import { Grantee, ManagedPolicy } from "../iam/managed-policy";

export interface CacheBucketProps {
  readonly bucketName: string;
  readonly region: string;
  /** The account that must own the bucket: every grant on it holds only while it does. */
  readonly accountId: string;
  /**
   * Days after which a cache object expires.
   * @default 14
   */
  readonly expirationDays?: number;
  /** Lets `destroy` delete the bucket with its objects. @default false */
  readonly forceDestroy?: boolean;
}

/**
 * What the runner manager does with the cache (gitlab-runner v19.3.0, cache/s3v2/s3.go PresignURL):
 * it pre-signs GET and HEAD (both s3:GetObject) and PUT (s3:PutObject) requests for the job's
 * helper. s3:ListBucket makes a missing object a 404 (a clean cache miss) instead of a 403. The
 * runner never deletes, lists versions of, or reads versions of cache objects (the bucket is
 * unversioned; expiry is the lifecycle rule's job).
 */
export const CACHE_OBJECT_ACTIONS = ["s3:GetObject", "s3:PutObject"] as const;
export const CACHE_BUCKET_ACTIONS = ["s3:ListBucket"] as const;

/**
 * The S3 bucket that holds the runners' shared cache: encrypted, never public, TLS only, owned by
 * the bucket owner (no ACLs), and self-cleaning.
 */
export class CacheBucket extends Construct {
  readonly bucket: S3Bucket;
  /** The bucket's name as written in the configuration (for ARNs and the report). */
  readonly bucketName: string;
  /**
   * The name as a reference to the bucket resource, for the runners: Terraform then creates the
   * bucket before any runner uses it, and a runner never starts against a name whose creation
   * failed (because another account holds it).
   */
  readonly bucketNameReference: string;
  readonly bucketArn: string;
  readonly accountId: string;

  constructor(scope: Construct, id: string, props: CacheBucketProps) {
    super(scope, id);
    this.bucketName = props.bucketName;
    this.bucketArn = s3BucketArn(props.region, props.bucketName);
    this.accountId = props.accountId;

    this.bucket = new S3Bucket(this, "bucket", {
      bucket: props.bucketName,
      ...(props.forceDestroy === true ? { forceDestroy: true } : {}),
    });
    this.bucket.overrideLogicalId("cache");
    this.bucketNameReference = this.bucket.bucket;
    const bucket = this.bucket.id;

    new S3BucketPublicAccessBlock(this, "public-access-block", {
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    }).overrideLogicalId("cache");

    new S3BucketOwnershipControls(this, "ownership", {
      bucket,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    }).overrideLogicalId("cache");

    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    }).overrideLogicalId("cache");

    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket,
      rule: [
        {
          id: "expire-cache",
          status: "Enabled",
          filter: [{ prefix: "" }],
          expiration: [{ days: props.expirationDays ?? DEFAULTS.cache.expirationDays }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
        },
      ],
    }).overrideLogicalId("cache");

    new S3BucketPolicy(this, "policy", {
      bucket,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [this.bucketArn, `${this.bucketArn}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ],
      }),
    }).overrideLogicalId("cache");
  }

  /**
   * Read and write cache objects. The runner manager needs this: it signs the pre-signed URLs
   * through which jobs (on the manager or on workers) download and upload the cache. Bucket names
   * are global: the grant holds only while the stack's account owns the bucket
   * (`s3:ResourceAccount`), so a bucket of that name in another account is never written.
   */
  grantReadWrite(grantee: Grantee): void {
    const policy = ManagedPolicy.of(grantee);
    const ownAccount = { StringEquals: { "s3:ResourceAccount": this.accountId } };
    policy.allow("CacheObjects", CACHE_OBJECT_ACTIONS, [`${this.bucketArn}/*`], ownAccount);
    policy.allow("CacheBucket", CACHE_BUCKET_ACTIONS, [this.bucketArn], ownAccount);
  }
}
