/**
 * The IAM actions the Terraform AWS provider calls to create, read, update and delete each resource
 * type (and to read each data source) this stack or the runner module uses: the table behind
 * deployer-policy.json. `scoped` actions take the resource's ARN (see `arn`); `unscopable` ones
 * IAM authorizes only on "*" (no resource type in AWS's service reference). A test checks every
 * name against AWS's service reference and both lists against it.
 *
 * A first deploy that stops with AccessDenied names the action and the resource: add the action
 * here under the resource type, with a test, as docs/operations.md says.
 */

/** How a resource's ARNs are formed: the resource's name (or parent's name) goes in, ARNs come out. */
export type ArnKind =
  | "ecr-repository"
  | "ecr-repository-prefix"
  | "s3-bucket"
  | "iam-role"
  | "iam-policy"
  | "iam-instance-profile"
  | "ssm-parameter"
  | "log-group"
  | "lambda-function"
  | "events-rule"
  | "autoscaling-group"
  | "ec2-key-pair"
  | "ec2-launch-template"
  | "ec2-security-group"
  | "ec2-elastic-ip"
  | "kms-key"
  | "kms-alias"
  | "none";

export interface ResourceActions {
  readonly arn: ArnKind;
  readonly scoped: readonly string[];
  /** Actions on the bucket's objects (`<bucket ARN>/*`), for buckets only. */
  readonly objects?: readonly string[];
  readonly unscopable: readonly string[];
}

const TAG_EC2 = ["ec2:CreateTags", "ec2:DeleteTags"];

/** By Terraform type; data sources as `data.<type>`. */
export const DEPLOYER_ACTIONS: { readonly [type: string]: ResourceActions } = {
  aws_ecr_repository: {
    arn: "ecr-repository",
    scoped: [
      "ecr:CreateRepository",
      "ecr:DescribeRepositories",
      "ecr:ListTagsForResource",
      "ecr:TagResource",
      "ecr:UntagResource",
      "ecr:PutImageScanningConfiguration",
      "ecr:PutImageTagMutability",
      "ecr:DeleteRepository",
      // force_delete removes the images with the repository.
      "ecr:ListImages",
      "ecr:BatchDeleteImage",
    ],
    unscopable: [],
  },
  aws_ecr_lifecycle_policy: {
    arn: "ecr-repository",
    scoped: ["ecr:PutLifecyclePolicy", "ecr:GetLifecyclePolicy", "ecr:DeleteLifecyclePolicy"],
    unscopable: [],
  },
  aws_ecr_pull_through_cache_rule: {
    arn: "none",
    scoped: [],
    unscopable: [
      "ecr:CreatePullThroughCacheRule",
      "ecr:DescribePullThroughCacheRules",
      "ecr:UpdatePullThroughCacheRule",
      "ecr:DeletePullThroughCacheRule",
    ],
  },
  aws_ecr_repository_creation_template: {
    // ECR asks whoever manages a template for the rights its repositories will be created with.
    arn: "ecr-repository-prefix",
    scoped: ["ecr:CreateRepository", "ecr:PutLifecyclePolicy"],
    unscopable: [
      "ecr:CreateRepositoryCreationTemplate",
      "ecr:DescribeRepositoryCreationTemplates",
      "ecr:UpdateRepositoryCreationTemplate",
      "ecr:DeleteRepositoryCreationTemplate",
    ],
  },
  aws_s3_bucket: {
    arn: "s3-bucket",
    scoped: [
      "s3:CreateBucket",
      "s3:DeleteBucket",
      "s3:ListBucket",
      "s3:GetBucketLocation",
      "s3:GetBucketAcl",
      "s3:GetBucketCORS",
      "s3:GetBucketWebsite",
      "s3:GetBucketVersioning",
      "s3:GetAccelerateConfiguration",
      "s3:GetBucketRequestPayment",
      "s3:GetBucketLogging",
      "s3:GetLifecycleConfiguration",
      "s3:GetReplicationConfiguration",
      "s3:GetEncryptionConfiguration",
      "s3:GetBucketObjectLockConfiguration",
      "s3:GetBucketPolicy",
      "s3:GetBucketOwnershipControls",
      "s3:GetBucketPublicAccessBlock",
      "s3:GetBucketTagging",
      "s3:PutBucketTagging",
      // force_destroy empties the bucket first.
      "s3:ListBucketVersions",
    ],
    objects: ["s3:DeleteObject", "s3:DeleteObjectVersion"],
    unscopable: [],
  },
  aws_s3_bucket_lifecycle_configuration: {
    arn: "s3-bucket",
    // Removing the configuration is PutLifecycleConfiguration in IAM's terms.
    scoped: ["s3:PutLifecycleConfiguration", "s3:GetLifecycleConfiguration"],
    unscopable: [],
  },
  aws_s3_bucket_ownership_controls: {
    arn: "s3-bucket",
    scoped: ["s3:PutBucketOwnershipControls", "s3:GetBucketOwnershipControls"],
    unscopable: [],
  },
  aws_s3_bucket_policy: {
    arn: "s3-bucket",
    scoped: ["s3:PutBucketPolicy", "s3:GetBucketPolicy", "s3:DeleteBucketPolicy"],
    unscopable: [],
  },
  aws_s3_bucket_public_access_block: {
    arn: "s3-bucket",
    scoped: ["s3:PutBucketPublicAccessBlock", "s3:GetBucketPublicAccessBlock"],
    unscopable: [],
  },
  aws_s3_bucket_server_side_encryption_configuration: {
    arn: "s3-bucket",
    scoped: ["s3:PutEncryptionConfiguration", "s3:GetEncryptionConfiguration"],
    unscopable: [],
  },
  aws_s3_bucket_versioning: { arn: "s3-bucket", scoped: ["s3:PutBucketVersioning", "s3:GetBucketVersioning"], unscopable: [] },
  aws_s3_bucket_logging: { arn: "s3-bucket", scoped: ["s3:PutBucketLogging", "s3:GetBucketLogging"], unscopable: [] },
  aws_iam_policy: {
    arn: "iam-policy",
    scoped: [
      "iam:CreatePolicy",
      "iam:GetPolicy",
      "iam:GetPolicyVersion",
      "iam:ListPolicyVersions",
      "iam:CreatePolicyVersion",
      "iam:DeletePolicyVersion",
      "iam:DeletePolicy",
      "iam:TagPolicy",
      "iam:UntagPolicy",
    ],
    unscopable: [],
  },
  aws_iam_role: {
    arn: "iam-role",
    scoped: [
      "iam:CreateRole",
      "iam:GetRole",
      "iam:UpdateRole",
      "iam:UpdateAssumeRolePolicy",
      "iam:DeleteRole",
      "iam:TagRole",
      "iam:UntagRole",
      "iam:ListAttachedRolePolicies",
      "iam:ListRolePolicies",
      "iam:ListInstanceProfilesForRole",
    ],
    unscopable: [],
  },
  aws_iam_role_policy_attachment: {
    arn: "iam-role",
    scoped: ["iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:ListAttachedRolePolicies"],
    unscopable: [],
  },
  aws_iam_role_policy: { arn: "iam-role", scoped: ["iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy"], unscopable: [] },
  aws_iam_instance_profile: {
    arn: "iam-instance-profile",
    scoped: [
      "iam:CreateInstanceProfile",
      "iam:GetInstanceProfile",
      "iam:DeleteInstanceProfile",
      "iam:AddRoleToInstanceProfile",
      "iam:RemoveRoleFromInstanceProfile",
      "iam:TagInstanceProfile",
      "iam:UntagInstanceProfile",
    ],
    unscopable: [],
  },
  aws_ssm_parameter: {
    arn: "ssm-parameter",
    scoped: [
      "ssm:PutParameter",
      "ssm:GetParameter",
      "ssm:GetParameters",
      "ssm:DeleteParameter",
      "ssm:ListTagsForResource",
      "ssm:AddTagsToResource",
      "ssm:RemoveTagsFromResource",
    ],
    unscopable: ["ssm:DescribeParameters"],
  },
  aws_cloudwatch_log_group: {
    arn: "log-group",
    scoped: [
      "logs:CreateLogGroup",
      "logs:DeleteLogGroup",
      "logs:PutRetentionPolicy",
      "logs:DeleteRetentionPolicy",
      "logs:ListTagsForResource",
      "logs:TagResource",
      "logs:UntagResource",
    ],
    unscopable: ["logs:DescribeLogGroups"],
  },
  aws_lambda_function: {
    arn: "lambda-function",
    scoped: [
      "lambda:CreateFunction",
      "lambda:GetFunction",
      "lambda:GetFunctionCodeSigningConfig",
      "lambda:UpdateFunctionCode",
      "lambda:UpdateFunctionConfiguration",
      "lambda:PublishVersion",
      "lambda:ListVersionsByFunction",
      "lambda:DeleteFunction",
      "lambda:TagResource",
      "lambda:UntagResource",
    ],
    // Lambda checks that whoever places a function in a VPC may see its subnets and security groups.
    unscopable: ["ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs"],
  },
  aws_lambda_permission: {
    arn: "lambda-function",
    scoped: ["lambda:AddPermission", "lambda:RemovePermission", "lambda:GetPolicy"],
    unscopable: [],
  },
  aws_cloudwatch_event_rule: {
    arn: "events-rule",
    scoped: [
      "events:PutRule",
      "events:DescribeRule",
      "events:DeleteRule",
      "events:ListTagsForResource",
      "events:TagResource",
      "events:UntagResource",
    ],
    unscopable: [],
  },
  aws_cloudwatch_event_target: {
    arn: "events-rule",
    scoped: ["events:PutTargets", "events:ListTargetsByRule", "events:RemoveTargets"],
    unscopable: [],
  },
  aws_autoscaling_group: {
    arn: "autoscaling-group",
    scoped: [
      "autoscaling:CreateAutoScalingGroup",
      "autoscaling:UpdateAutoScalingGroup",
      "autoscaling:DeleteAutoScalingGroup",
      "autoscaling:CreateOrUpdateTags",
      "autoscaling:DeleteTags",
    ],
    unscopable: [
      "autoscaling:DescribeAutoScalingGroups",
      "autoscaling:DescribeScalingActivities",
      "autoscaling:DescribeInstanceRefreshes",
      "autoscaling:DescribeLoadBalancers",
      "autoscaling:DescribeLoadBalancerTargetGroups",
      "autoscaling:DescribeTrafficSources",
      "autoscaling:DescribeWarmPool",
    ],
  },
  aws_autoscaling_lifecycle_hook: {
    arn: "autoscaling-group",
    scoped: ["autoscaling:PutLifecycleHook", "autoscaling:DeleteLifecycleHook"],
    unscopable: ["autoscaling:DescribeLifecycleHooks"],
  },
  aws_autoscaling_schedule: {
    arn: "autoscaling-group",
    scoped: ["autoscaling:PutScheduledUpdateGroupAction", "autoscaling:DeleteScheduledAction"],
    unscopable: ["autoscaling:DescribeScheduledActions"],
  },
  aws_launch_template: {
    arn: "ec2-launch-template",
    scoped: [
      "ec2:CreateLaunchTemplate",
      "ec2:CreateLaunchTemplateVersion",
      "ec2:ModifyLaunchTemplate",
      "ec2:DeleteLaunchTemplate",
      ...TAG_EC2,
    ],
    unscopable: ["ec2:DescribeLaunchTemplates", "ec2:DescribeLaunchTemplateVersions"],
  },
  aws_security_group: {
    arn: "ec2-security-group",
    scoped: [
      "ec2:CreateSecurityGroup",
      "ec2:DeleteSecurityGroup",
      // The provider removes the default egress rule of a new group.
      "ec2:RevokeSecurityGroupEgress",
      "ec2:RevokeSecurityGroupIngress",
      ...TAG_EC2,
    ],
    // Deleting a group waits until no network interface uses it.
    unscopable: ["ec2:DescribeSecurityGroups", "ec2:DescribeNetworkInterfaces"],
  },
  aws_vpc_security_group_ingress_rule: {
    arn: "ec2-security-group",
    scoped: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:ModifySecurityGroupRules", ...TAG_EC2],
    unscopable: ["ec2:DescribeSecurityGroupRules"],
  },
  aws_vpc_security_group_egress_rule: {
    arn: "ec2-security-group",
    scoped: ["ec2:AuthorizeSecurityGroupEgress", "ec2:RevokeSecurityGroupEgress", "ec2:ModifySecurityGroupRules", ...TAG_EC2],
    unscopable: ["ec2:DescribeSecurityGroupRules"],
  },
  aws_key_pair: {
    arn: "ec2-key-pair",
    scoped: ["ec2:ImportKeyPair", "ec2:DeleteKeyPair", ...TAG_EC2],
    unscopable: ["ec2:DescribeKeyPairs"],
  },
  aws_eip: {
    arn: "ec2-elastic-ip",
    scoped: ["ec2:AllocateAddress", "ec2:ReleaseAddress", ...TAG_EC2],
    unscopable: ["ec2:DescribeAddresses", "ec2:DescribeAddressesAttribute"],
  },
  aws_kms_key: {
    arn: "kms-key",
    scoped: [
      "kms:DescribeKey",
      "kms:GetKeyPolicy",
      "kms:PutKeyPolicy",
      "kms:GetKeyRotationStatus",
      "kms:EnableKeyRotation",
      "kms:ListResourceTags",
      "kms:TagResource",
      "kms:UntagResource",
      "kms:ScheduleKeyDeletion",
    ],
    unscopable: ["kms:CreateKey"],
  },
  aws_kms_alias: {
    arn: "kms-alias",
    scoped: ["kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"],
    unscopable: ["kms:ListAliases"],
  },
  "data.aws_subnet": { arn: "none", scoped: [], unscopable: ["ec2:DescribeSubnets"] },
  "data.aws_availability_zone": { arn: "none", scoped: [], unscopable: ["ec2:DescribeAvailabilityZones"] },
  "data.aws_ami": { arn: "none", scoped: [], unscopable: ["ec2:DescribeImages"] },
};

/**
 * Types that call no AWS API needing a grant: Terraform's own, other providers', and the AWS
 * data sources answered from the provider's configuration, from STS (which IAM does not gate) or rendered by the provider.
 */
export const NO_AWS_PERMISSION = new Set([
  "terraform_data",
  "data.aws_caller_identity",
  "data.aws_partition",
  "data.aws_region",
  "data.aws_iam_policy_document",
]);

/** Whether a Terraform type belongs to the AWS provider (the others need no AWS permission). */
export function isAwsType(type: string): boolean {
  return /^(data\.)?aws_/.test(type) && !NO_AWS_PERMISSION.has(type);
}
