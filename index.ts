// The construct library's public surface: use GitlabRunnerEcr in a stack of your own, or
// GitlabRunnerStack as a whole stack. main.ts is the ready-made app.
export { GitlabRunnerEcr, ApplicationRepository } from "./modules/gitlab-runner-ecr";
export { GitlabRunnerStack } from "./modules/gitlab-runner-stack";
export {
  ConfigError,
  DEFAULT_RUNNER_VERSION,
  EXECUTORS,
  Executor,
  FleetConfig,
  RunnerStackConfig,
  RunnerStackConfigInput,
  parseConfig,
} from "./modules/config";
export { DEFAULT_CONFIG } from "./modules/default-config";
export { loadConfig } from "./modules/config-loader";
export { RunnerFleet, RunnerFleetProps, RunnerWorkersProps } from "./modules/runner-fleet";
export { CiImageRepository, CiImageRepositoryProps } from "./modules/ci-image-repository";
export { PrivateEcrRepository, PrivateEcrRepositoryProps } from "./modules/private-ecr-repository";
export { ExistingEcrRepository } from "./modules/existing-ecr-repository";
export { CacheBucket, CacheBucketProps } from "./modules/cache-bucket";
export { RolePolicy, PolicyDocument, PolicyStatement } from "./modules/role-policy";
export { IEcrRepository } from "./modules/ecr-permissions";
export { GitlabRunnerModule, GitlabRunnerModuleInputs } from "./modules/gitlab-runner-module";
export { SecurityRules, RuleFinding, acknowledgeRule } from "./modules/security-rules";
export { SECURITY_RULES, SecurityRule } from "./modules/rules";
export { TerraformBlock } from "./modules/rules/terraform-block";
export { renderReviewReport } from "./modules/review-report";
export { VariableRef } from "./modules/config";
