import { RunnerStackConfigInput } from "./config";

/**
 * The embedded example: what `npx cdktf synth` builds when no configuration file is named. Every id
 * below is a placeholder (AWS's documentation account 123456789012, made-up VPC and subnet ids), so
 * synthesis works offline; point GITLAB_RUNNER_ECR_CONFIG at your own file to deploy.
 *
 * Two fleets share one CI image repository and one cache bucket: a small `docker` fleet (jobs on the
 * manager) and an autoscaling fleet (jobs on worker instances).
 */
export const DEFAULT_CONFIG: RunnerStackConfigInput = {
  name: "gitlab-runners",
  aws: { region: "eu-west-1", accountId: "123456789012" },
  tags: { Project: "gitlab-runners", ManagedBy: "cdktf" },
  network: {
    vpcId: "vpc-0a1b2c3d4e5f60718",
    subnetIds: ["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"],
  },
  gitlab: { url: "https://gitlab.com" },
  ciImage: { repositoryName: "ci/docker-ecr", tag: "1.0.0" },
  repositories: [{ name: "apps/example-app", access: "pull-push", usedAsJobImage: true }],
  fleets: [
    {
      name: "docker",
      executor: "docker",
      runnerTokenSsmParameter: "/gitlab-runners/docker/runner-token",
      maxConcurrentJobs: 2,
      manager: { instanceType: "t3.large" },
    },
    {
      name: "autoscaler",
      executor: "docker-autoscaler",
      runnerTokenSsmParameter: "/gitlab-runners/autoscaler/runner-token",
      maxConcurrentJobs: 10,
      manager: { instanceType: "t3.small" },
      workers: { instanceTypes: ["m6i.large"], maxInstances: 10 },
    },
  ],
};
