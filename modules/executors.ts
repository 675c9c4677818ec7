import type { GitlabRunnerModuleInputs } from "./generated/gitlab-runner-module.generated";

/**
 * What each GitLab Runner executor means for trust: where jobs run, which role they hold, and the
 * instance metadata hop limit each instance gets. The one table the schema, the fleet, the
 * security rules and the review report read (docs/architecture.md explains the trust model):
 * everything that differs by executor is an entry's field, and no other file of modules/ names an
 * executor. Adding an executor touches this table, its tests and the docs.
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
  /** The module's resource for the workers' IAM role (reference/gitlab-runner-module-9.5.2-resources.json). */
  readonly workerRoleResource?: "aws_iam_role.docker_machine" | "aws_iam_role.docker_autoscaler";
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
  /** The executor a fleet moves to when this one is removed (the removal warning names it). */
  readonly successor?: Executor;
  /**
   * The workers take exactly one literal instance type and one subnet (`workers.subnetId`, which is
   * also the manager's subnet); else they spread over every listed type and subnet.
   */
  readonly oneInstanceTypeAndSubnet?: boolean;
  /** The module keeps the workers' SSH private key in the Terraform state. */
  readonly workerKeyInState?: boolean;
  /** The module inputs this executor adds for its workers, for executors with worker instances. */
  readonly workerInputs?: (w: WorkerInputValues) => Partial<GitlabRunnerModuleInputs>;
}

/**
 * A fleet's worker settings with every default applied, as the module inputs take them: lists and
 * their first items may be Terraform expressions (the fleet resolves variables before this).
 */
export interface WorkerInputValues {
  readonly instanceTypes: readonly string[];
  /** The first instance type. */
  readonly firstInstanceType: string;
  /** Whether more than one instance type is listed (a token for a variable's list). */
  readonly severalInstanceTypes: boolean;
  readonly subnetIds: readonly string[];
  /** The one subnet of executors with `oneInstanceTypeAndSubnet`. */
  readonly oneSubnet: string;
  readonly maxJobsPerInstance: number;
  readonly idleCount: number;
  readonly idleTimeMinutes: number;
  readonly rootVolumeGiB: number;
  readonly spot: boolean;
  readonly amiId?: string;
  readonly hopLimit: number;
  /** ARN of the workers' role policy. */
  readonly policyArn: string;
}

/** Worker user data for docker-autoscaler: the default Ubuntu AMI has no Docker engine. */
export const AUTOSCALER_WORKER_START_SCRIPT = [
  "#!/bin/bash",
  "set -euo pipefail",
  "export DEBIAN_FRONTEND=noninteractive",
  "apt-get update -q",
  "apt-get install -y -q docker.io",
  "usermod -aG docker ubuntu",
  "systemctl enable --now docker",
  "",
].join("\n");

export const EXECUTORS: { readonly [E in Executor]: ExecutorTraits } = {
  docker: {
    jobsRunOn: "manager",
    whereJobsRun: "jobs run in privileged containers on the manager, under the manager's role",
  },
  "docker+machine": {
    jobsRunOn: "workers",
    whereJobsRun: "jobs run on worker instances started by the manager with docker-machine",
    workerRoleInput: "runner_worker_docker_machine_role",
    workerRoleResource: "aws_iam_role.docker_machine",
    workerMetadataInput: "runner_worker_docker_machine_ec2_metadata_options",
    reuseInput: { input: "runner_worker_docker_machine_instance", attribute: "destroy_after_max_builds" },
    removal: "GitLab removes the docker+machine executor in GitLab 20.0 (May 2027)",
    successor: "docker-autoscaler",
    // docker-machine takes amazonec2-instance-type and amazonec2-subnet-id once (the module repeats
    // them for lists unless its fleet mode is on, which puts a private key into the manager's user data).
    oneInstanceTypeAndSubnet: true,
    workerNetwork:
      "its workers share one security group that accepts SSH (22) and the Docker API (2376) from every worker of the fleet, and " +
      "docker-machine's client certificates come from one CA per manager: a privileged job can reach the jobs running at the same " +
      "time on sibling workers. docker-autoscaler workers accept connections from their manager only",
    workerInputs: (w) => ({
      runner_worker_docker_machine_instance: {
        destroy_after_max_builds: w.maxJobsPerInstance,
        // One type and one subnet: docker-machine takes each flag once.
        types: [w.firstInstanceType],
        subnet_ids: [w.oneSubnet],
        idle_count: w.idleCount,
        idle_time: w.idleTimeMinutes * 60,
        root_size: w.rootVolumeGiB,
        private_address_only: true,
      },
      runner_worker_docker_machine_instance_spot: { enable: w.spot },
      runner_worker_docker_machine_ec2_metadata_options: {
        http_tokens: "required",
        http_put_response_hop_limit: w.hopLimit,
      },
      runner_worker_docker_machine_role: { policy_arns: [w.policyArn] },
      ...(w.amiId !== undefined ? { runner_worker_docker_machine_ami_id: w.amiId } : {}),
    }),
  },
  "docker-autoscaler": {
    jobsRunOn: "workers",
    whereJobsRun: "jobs run on worker instances of an autoscaling group driven by the manager",
    workerRoleInput: "runner_worker_docker_autoscaler_role",
    workerRoleResource: "aws_iam_role.docker_autoscaler",
    workerMetadataInput: "runner_worker_docker_autoscaler_instance",
    reuseInput: { input: "runner_worker_docker_autoscaler", attribute: "max_use_count" },
    workerKeyInState: true,
    workerInputs: (w) => ({
      runner_worker_docker_autoscaler: {
        connector_config_user: "ubuntu",
        capacity_per_instance: 1,
        max_use_count: w.maxJobsPerInstance,
        // Use a worker only once cloud-init (and so the Docker install) has finished.
        instance_ready_command: "cloud-init status --wait",
      },
      runner_worker_docker_autoscaler_asg: {
        subnet_ids: w.subnetIds,
        default_instance_type: w.firstInstanceType,
        types: w.instanceTypes,
        enable_mixed_instances_policy: w.spot || w.severalInstanceTypes,
        on_demand_percentage_above_base_capacity: w.spot ? 0 : 100,
      },
      runner_worker_docker_autoscaler_instance: {
        http_tokens: "required",
        http_put_response_hop_limit: w.hopLimit,
        root_size: w.rootVolumeGiB,
        start_script: AUTOSCALER_WORKER_START_SCRIPT,
      },
      runner_worker_docker_autoscaler_autoscaling_options: [
        {
          periods: ["* * * * *"],
          timezone: "UTC",
          idle_count: w.idleCount,
          idle_time: `${w.idleTimeMinutes}m`,
        },
      ],
      runner_worker_docker_autoscaler_role: { policy_arns: [w.policyArn] },
      ...(w.amiId !== undefined ? { runner_worker_docker_autoscaler_ami_id: w.amiId } : {}),
    }),
  },
};

/** The executor a new fleet should use: the default configuration's. */
export const RECOMMENDED_EXECUTOR: Executor = "docker-autoscaler";

/** The executors whose entry satisfies `test`, in table order. */
export function executorsWhere(test: (traits: ExecutorTraits) => boolean): Executor[] {
  return EXECUTOR_NAMES.filter((e) => test(EXECUTORS[e]));
}

/** The traits of a name read from a document (a module input), if it is an executor this stack knows. */
export function traitsOf(name: unknown): ExecutorTraits | undefined {
  return typeof name === "string" && Object.hasOwn(EXECUTORS, name) ? EXECUTORS[name as Executor] : undefined;
}

/**
 * Sentences of the configuration reference (config/schema.ts's descriptions) and of the
 * configuration checks that name executors.
 */
export const EXECUTOR_TEXT = {
  executorField:
    "Where jobs run: docker-autoscaler and docker+machine on workers, docker on the manager (needs acknowledge.jobs-not-on-manager).",
  subnetIds:
    "Subnets. docker-autoscaler: workers in all, manager in the first; docker+machine: one (workers.subnetId); docker: the manager in the first.",
  instanceTypes: "Worker instance types, the first the default. docker+machine takes exactly one.",
  amiId: "Worker AMI (module default when left out). With docker-autoscaler a custom AMI needs Docker and the user ubuntu.",
  subnetId: "docker+machine only: the one subnet of the workers and their manager, one of network.subnetIds (default: the first).",
  managerInstanceType: "Manager instance type (with docker, jobs run here: size it for them).",
  workers: "Worker settings: required for docker+machine and docker-autoscaler, refused for docker.",
  jobHopLimit: "IMDSv2 hop limit where job containers run (workers; the manager with docker). Managers of worker executors always get 1.",
  stateKmsKey:
    "ARN of a KMS key or alias in the bucket's region (recommended with docker-autoscaler: the state holds its workers' SSH key).",
} as const;

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
