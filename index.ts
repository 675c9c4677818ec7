// The construct library's public surface: GitlabRunnerEcr in a stack of your own, or
// GitlabRunnerStack as a whole stack, with the constructs, grants and security rules they are made
// of. The ready-made app (configuration files, the embedded example) is main.ts, not part of it.
export { GitlabRunnerEcr, GitlabRunnerEcrProps, ApplicationRepository } from "./modules/constructs/gitlab-runner-ecr";
export { GitlabRunnerStack } from "./modules/constructs/gitlab-runner-stack";
export {
  ConfigError,
  DEFAULT_RUNNER_VERSION,
  EXECUTORS,
  Executor,
  FleetConfig,
  RunnersConfig,
  RunnersConfigInput,
  RunnerStackConfig,
  RunnerStackConfigInput,
  VariableRef,
  parseConfig,
  parseRunnersConfig,
  ValidatedConfig,
  ValidatedRunnersConfig,
} from "./modules/config/parse";
export { RunnerFleet, RunnerFleetProps, RunnerWorkersProps } from "./modules/constructs/runner-fleet";
export {
  IEcrRepository,
  PrivateEcrRepository,
  PrivateEcrRepositoryProps,
  ExistingEcrRepository,
} from "./modules/constructs/ecr-repository";
export { CacheBucket, CacheBucketProps } from "./modules/constructs/cache-bucket";
export { ManagedPolicy, ManagedPolicyProps, IGrantee, Grantee, PolicyDocument, PolicyStatement } from "./modules/iam/managed-policy";
export { GitlabRunnerModule, GitlabRunnerModuleInputs } from "./modules/generated/gitlab-runner-module.generated";
export { SecurityRules, RuleFinding, acknowledgeRule } from "./modules/rules/aspect";
export { SECURITY_RULES, SecurityRule, RULE_IDS, RuleId } from "./modules/rules";
export { reviewReport, reviewModelOf, renderReviewReport, reviewJson } from "./modules/report/review-report";
export {
  ReviewModel,
  ModelFleet,
  ModelRole,
  ModelResource,
  ModelPath,
  ModelPermission,
  REVIEW_MODEL_VERSION,
} from "./modules/model/review-model";
export { ReviewDiff, Change, ChangeClass, diffReviews } from "./modules/model/review-diff";
export { TerraformBlock } from "./modules/rules/terraform-block";
export { EXECUTORS as EXECUTOR_TRAITS, ExecutorTraits } from "./modules/executors";
