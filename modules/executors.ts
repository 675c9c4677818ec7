/**
 * What each GitLab Runner executor means for trust: where jobs run, which role they hold, and the
 * instance metadata hop limit each instance gets. The one table the schema, the fleet, the
 * security rules and the review report read (docs/architecture.md explains the trust model).
 */

export const EXECUTOR_NAMES = ["docker", "docker+machine", "docker-autoscaler"] as const;
export type Executor = (typeof EXECUTOR_NAMES)[number];

/** Module inputs that hold instance metadata options. */
export type MetadataInput =
  "runner_metadata_options" | "runner_worker_docker_machine_ec2_metadata_options" | "runner_worker_docker_autoscaler_instance";

export interface ExecutorTraits {
  /** Where job containers run, and so whose instance role they hold. */
  readonly jobsRunOn: "manager" | "workers";
  /** One phrase for the review report. */
  readonly whereJobsRun: string;
  /** The module input taking the workers' policy ARNs, for executors with worker instances. */
  readonly workerRoleInput?: "runner_worker_docker_machine_role" | "runner_worker_docker_autoscaler_role";
  /** The module input holding the workers' metadata options, for executors with worker instances. */
  readonly workerMetadataInput?: MetadataInput;
  /** The module input (and its attribute) that says how many jobs a worker instance runs before it goes. */
  readonly reuseInput?: {
    readonly input: "runner_worker_docker_autoscaler" | "runner_worker_docker_machine_instance";
    readonly attribute: string;
  };
  /** GitLab's removal of the executor, if announced: shown as a warning at synthesis. */
  readonly removal?: string;
  /** What a reviewer must know about how this executor's workers reach each other, if anything. */
  readonly workerNetwork?: string;
}

export const EXECUTORS: { readonly [E in Executor]: ExecutorTraits } = {
  docker: {
    jobsRunOn: "manager",
    whereJobsRun: "jobs run in privileged containers on the manager, under the manager's role",
  },
  "docker+machine": {
    jobsRunOn: "workers",
    whereJobsRun: "jobs run on worker instances started by the manager with docker-machine",
    workerRoleInput: "runner_worker_docker_machine_role",
    workerMetadataInput: "runner_worker_docker_machine_ec2_metadata_options",
    reuseInput: { input: "runner_worker_docker_machine_instance", attribute: "destroy_after_max_builds" },
    removal: "GitLab removes the docker+machine executor in GitLab 20.0 (May 2027)",
    workerNetwork:
      "its workers share one security group that accepts SSH (22) and the Docker API (2376) from every worker of the fleet, and " +
      "docker-machine's client certificates come from one CA per manager: a privileged job can reach the jobs running at the same " +
      "time on sibling workers. docker-autoscaler workers accept connections from their manager only",
  },
  "docker-autoscaler": {
    jobsRunOn: "workers",
    whereJobsRun: "jobs run on worker instances of an autoscaling group driven by the manager",
    workerRoleInput: "runner_worker_docker_autoscaler_role",
    workerMetadataInput: "runner_worker_docker_autoscaler_instance",
    reuseInput: { input: "runner_worker_docker_autoscaler", attribute: "max_use_count" },
  },
};

/**
 * Hop limit of an instance that runs no containers: the instance role stays reachable from the
 * host and from nothing behind another hop.
 */
export const HOP_LIMIT_WITHOUT_CONTAINERS = 1;

/** Hop limit where job containers run: one hop further than the host, so at least 2. */
export const MIN_HOP_LIMIT_WITH_CONTAINERS = 2;

/** The hop limit each instance of a fleet must have: `jobs` is the configured limit where jobs run. */
export function hopLimits(executor: Executor, jobs: number): { readonly manager: number; readonly workers?: number } {
  return EXECUTORS[executor].jobsRunOn === "manager" ? { manager: jobs } : { manager: HOP_LIMIT_WITHOUT_CONTAINERS, workers: jobs };
}
