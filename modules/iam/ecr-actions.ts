import { RolePolicy } from "./role-policy";

// ECR actions, by what a client does. Pull and push are scoped to repository ARNs; only
// GetAuthorizationToken is account-wide by AWS's design (it has no resource type), so it alone
// uses "*".
export const ECR_LOGIN_ACTIONS = ["ecr:GetAuthorizationToken"] as const;
export const ECR_PULL_ACTIONS = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"] as const;
export const ECR_PUSH_ACTIONS = [
  "ecr:CompleteLayerUpload",
  "ecr:InitiateLayerUpload",
  "ecr:PutImage",
  "ecr:UploadLayerPart",
] as const;

/** An ECR repository the stack grants access to, whether it creates it or only references it. */
export interface IEcrRepository {
  readonly repositoryName: string;
  readonly repositoryArn: string;
  /** Registry host, e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com. */
  readonly registryHost: string;
  /** `<registryHost>/<repositoryName>`, what `docker pull` takes before the tag. */
  readonly repositoryUrl: string;
  grantPull(policy: RolePolicy): void;
  grantPullPush(policy: RolePolicy): void;
}

export function grantEcrPull(policy: RolePolicy, repositoryArn: string): void {
  policy.allow("EcrLogin", ECR_LOGIN_ACTIONS, ["*"]);
  policy.allow("EcrPull", ECR_PULL_ACTIONS, [repositoryArn]);
}

export function grantEcrPullPush(policy: RolePolicy, repositoryArn: string): void {
  grantEcrPull(policy, repositoryArn);
  policy.allow("EcrPush", ECR_PUSH_ACTIONS, [repositoryArn]);
}
