// The construct library's public surface: use GitlabRunnerEcr in a stack of your own, or
// GitlabRunnerStack as a whole stack. main.ts is the ready-made app.
export { GitlabRunnerEcr, ApplicationRepository } from "./modules/constructs/gitlab-runner-ecr";
export { GitlabRunnerStack } from "./modules/constructs/gitlab-runner-stack";
export {
  ConfigError,
  DEFAULT_RUNNER_VERSION,
  EXECUTORS,
  Executor,
  FleetConfig,
  RunnerStackConfig,
  RunnerStackConfigInput,
  parseConfig,
} from "./modules/config/parse";
export { DEFAULT_CONFIG } from "./modules/app/default-config";
export { loadConfig } from "./modules/app/load-config";
export { RunnerFleet, RunnerFleetProps, RunnerWorkersProps } from "./modules/constructs/runner-fleet";
export { CiImageRepository, CiImageRepositoryProps } from "./modules/constructs/ci-image-repository";
export { PrivateEcrRepository, PrivateEcrRepositoryProps } from "./modules/constructs/private-ecr-repository";
export { ExistingEcrRepository } from "./modules/constructs/existing-ecr-repository";
export { CacheBucket, CacheBucketProps } from "./modules/constructs/cache-bucket";
export { RolePolicy, PolicyDocument, PolicyStatement } from "./modules/iam/role-policy";
export { IEcrRepository } from "./modules/iam/ecr-actions";
export { GitlabRunnerModule, GitlabRunnerModuleInputs } from "./modules/generated/gitlab-runner-module.generated";
export { SecurityRules, RuleFinding, acknowledgeRule } from "./modules/rules/aspect";
export { SECURITY_RULES, SecurityRule } from "./modules/rules";
export { TerraformBlock } from "./modules/rules/terraform-block";
export { renderReviewReport } from "./modules/report/review-report";
export { VariableRef } from "./modules/config/parse";
