import { Grantee, ManagedPolicy } from "./managed-policy";
import { ECR_LOGIN_ACTIONS, ECR_PULL_ACTIONS, ECR_PUSH_ACTIONS } from "./ecr-action-sets";

export * from "./ecr-action-sets";

export function grantEcrPull(grantee: Grantee, repositoryArn: string): void {
  const policy = ManagedPolicy.of(grantee);
  policy.allow("EcrLogin", ECR_LOGIN_ACTIONS, ["*"]);
  policy.allow("EcrPull", ECR_PULL_ACTIONS, [repositoryArn]);
}

export function grantEcrPullPush(grantee: Grantee, repositoryArn: string): void {
  grantEcrPull(grantee, repositoryArn);
  ManagedPolicy.of(grantee).allow("EcrPush", ECR_PUSH_ACTIONS, [repositoryArn]);
}
