import { RunnerStackConfigInput } from "../config/parse";
import { RECOMMENDED_EXECUTOR } from "../executors";

/**
 * The embedded example: what `npx cdktf synth` builds when no configuration file is named. Every id
 * below is a placeholder (AWS's documentation account 123456789012, made-up VPC and subnet ids), so
 * synthesis works offline; point GITLAB_RUNNER_ECR_CONFIG at your own file to deploy.
 *
 * Two fleets of the recommended executor (jobs on worker instances), of different trust, share one
 * CI image repository and one cache bucket, each in its own cache namespace: `autoscaler` runs the protected branches' jobs and may
 * push the application image and new CI image versions; `merge-requests` runs untrusted
 * merge-request jobs, which may only pull. Every job gets a fresh worker instance. Upstream images
 * come through the default ECR Public pull-through cache (`<registry>/ecr-public/docker/library/…`);
 * the application repository keeps a BuildKit build cache under its `buildcache` tag.
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
  ciImage: { repositoryName: "ci/docker-ecr", tag: "1.0.0", push: ["autoscaler"] },
  repositories: [{ name: "apps/example-app", push: ["autoscaler"], usedAsJobImage: true, buildCache: true }],
  fleets: [
    {
      name: "autoscaler",
      executor: RECOMMENDED_EXECUTOR,
      runnerTokenSsmParameter: "/gitlab-runners/autoscaler/runner-token",
      maxConcurrentJobs: 10,
      manager: { instanceType: "t3.small" },
      workers: { instanceTypes: ["m6i.large"], maxInstances: 10 },
    },
    {
      name: "merge-requests",
      executor: RECOMMENDED_EXECUTOR,
      runnerTokenSsmParameter: "/gitlab-runners/merge-requests/runner-token",
      maxConcurrentJobs: 5,
      manager: { instanceType: "t3.small" },
      workers: { instanceTypes: ["m6i.large"], maxInstances: 5 },
    },
  ],
};
