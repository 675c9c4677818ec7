// ECR actions, by what a client does. Pull and push are scoped to repository ARNs; only
// GetAuthorizationToken is account-wide by AWS's design (it has no resource type), so it alone
// uses "*". No imports here: the grants (ecr-actions.ts), the rules and the review diff read these,
// and a command that only compares reviews loads nothing else.
export const ECR_LOGIN_ACTIONS = ["ecr:GetAuthorizationToken"] as const;
export const ECR_PULL_ACTIONS = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"] as const;
/** Pulling through a pull-through cache rule: import from the upstream, create the cached repository on first pull. */
export const ECR_PULL_THROUGH_ACTIONS = ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"] as const;
export const ECR_PUSH_ACTIONS = ["ecr:CompleteLayerUpload", "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart"] as const;

/**
 * Actions that change what a repository serves or who may change it: push, delete images or the
 * repository, make tags mutable, replace its policies. The stack-wide rules ask these of every
 * policy where a repository must stay read-only (a pull-through prefix).
 */
export const ECR_REPOSITORY_WRITE_ACTIONS = [
  ...ECR_PUSH_ACTIONS,
  "ecr:BatchDeleteImage",
  "ecr:DeleteRepository",
  "ecr:DeleteRepositoryPolicy",
  "ecr:PutImageTagMutability",
  "ecr:PutLifecyclePolicy",
  "ecr:SetRepositoryPolicy",
] as const;
