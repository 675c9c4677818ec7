import { Construct } from "constructs";
import { Annotations, Fn, Op, Token } from "cdktf";
import type { GitlabRegistration, GitlabRegistrationProps } from "./gitlab-registration";
import { EXECUTORS, Executor, MIN_HOP_LIMIT_WITH_CONTAINERS, hopLimits } from "../executors";
import { GitlabRunnerModule, GitlabRunnerModuleInputs } from "../generated/gitlab-runner-module.generated";
import { ManagedPolicy } from "../iam/managed-policy";
import { DEFAULTS } from "../config/defaults";
import { credHelpersInstallScript } from "../support/manager-docker-config";
import { terraformName } from "../support/terraform-names";

export interface RunnerWorkersProps {
  /** EC2 instance types for workers; the first is the default. */
  readonly instanceTypes: readonly string[];
  /** Most worker instances at once (one job each). */
  readonly maxInstances: number;
  /** Idle workers kept ready. @default 0 */
  readonly idleCount?: number;
  /** Minutes an idle worker is kept before it is removed. @default 30 */
  readonly idleTimeMinutes?: number;
  /** Use spot instances. @default false */
  readonly spot?: boolean;
  /** Root volume size in GiB. @default 30 */
  readonly rootVolumeGiB?: number;
  /** Worker AMI; the module's default image when unset. */
  readonly amiId?: string;
  /**
   * docker+machine only: the workers' one subnet, also the manager's (the module derives the
   * workers' zone from the manager's subnet). @default the first of `subnetIds`
   */
  readonly subnetId?: string;
  /**
   * Jobs a worker instance runs before it is terminated (docker-autoscaler `max_use_count`,
   * docker+machine `destroy_after_max_builds`). Job containers are privileged, so a reused
   * instance can carry what one job left behind into the next.
   * @default 1
   */
  readonly maxJobsPerInstance?: number;
}

export interface RunnerFleetProps {
  /** The module's `environment`: prefix of every name the module gives (44 characters at most). */
  readonly environment: string;
  readonly executor: Executor;
  readonly vpcId: string;
  /** Subnets: docker-autoscaler workers use all, its manager the first; docker+machine one (workers.subnetId). */
  readonly subnetIds: readonly string[];
  readonly gitlabUrl: string;
  readonly runnerVersion: string;
  /** Name of the SSM SecureString parameter holding the runner authentication token. */
  readonly runnerTokenSsmParameter: string;
  /**
   * Register the runner from the stack (gitlab_user_runner) and create runnerTokenSsmParameter with
   * its token. Left out: the runner is registered by hand and the parameter exists already.
   */
  readonly gitlabRegistration?: Omit<GitlabRegistrationProps, "tokenParameterName">;
  readonly managerInstanceType: string;
  readonly maxConcurrentJobs: number;
  /** Required for docker+machine and docker-autoscaler; not allowed for docker. */
  readonly workers?: RunnerWorkersProps;
  /** Default job image. */
  readonly defaultImage: string;
  /** Registry hosts of every image this fleet's manager pulls as a job image (credHelpers entries). */
  readonly jobImageRegistryHosts: readonly string[];
  readonly cacheBucketName: string;
  /**
   * One cache namespace for every runner using the bucket (gitlab-runner `Shared = true`), instead
   * of one per runner (`runner/<token>/…`).
   * @default false
   */
  readonly cacheShared?: boolean;
  /**
   * IMDSv2 hop limit of the instances where job containers run (workers; the manager with the
   * docker executor), at least 2. A manager that runs no containers gets 1.
   * @default 2
   */
  readonly jobHopLimit?: number;
  readonly tags?: { readonly [key: string]: string };
}

/** The first item of a list, which may be a Terraform variable's list (then `element(list, 0)`). */
function firstItem(list: readonly string[]): string {
  return Token.isUnresolved(list) ? Fn.element(list, 0) : list[0]!;
}

/** The one subnet of a docker+machine fleet: workers.subnetId, else the first subnet. */
function machineSubnet(props: RunnerFleetProps): string {
  return props.workers?.subnetId ?? firstItem(props.subnetIds);
}

/** Whether a list has more than one item, decided at plan time for a variable's list. */
function hasSeveralItems(list: readonly string[]): boolean {
  // The module's input is a bool; a token stands in for it until Terraform evaluates it.
  return Token.isUnresolved(list) ? (Op.gt(Fn.lengthOf(list), 1) as unknown as boolean) : list.length > 1;
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

/**
 * One GitLab runner (one registration, one module instance) and the IAM policies of its roles.
 *
 * `manager` collects grants for the manager ("agent") role, `runner_role.policy_arns`. `jobs` is
 * the role that job containers run under: the manager itself for the `docker` executor, else the
 * worker role (`runner_worker_docker_machine_role.policy_arns` or
 * `runner_worker_docker_autoscaler_role.policy_arns`). Policies go in through these `policy_arns`
 * lists, whose length is known at plan time; never through `runner_worker_cache.policy`, which the
 * module counts on (an ARN known only after apply fails the first plan: "Invalid count argument").
 */
export class RunnerFleet extends Construct {
  /** The manager role's policy (`runner_role.policy_arns`). */
  readonly managerPolicy: ManagedPolicy;
  /** The workers' role's policy, for executors with worker instances. */
  readonly workerPolicy?: ManagedPolicy;
  /** The policy of the role job containers hold: the manager's for `docker`, else the workers'. */
  readonly jobPolicy: ManagedPolicy;
  readonly module: GitlabRunnerModule;
  readonly executor: Executor;
  readonly environment: string;
  /** The runner the stack registers in GitLab, and the token parameter it fills; none when registered by hand. */
  readonly gitlabRegistration?: GitlabRegistration;

  constructor(scope: Construct, id: string, props: RunnerFleetProps) {
    super(scope, id);
    this.executor = props.executor;
    this.environment = props.environment;
    const usesWorkers = EXECUTORS[props.executor].jobsRunOn === "workers";
    if (usesWorkers !== (props.workers !== undefined)) {
      throw new Error(`${this.node.path}: workers are ${usesWorkers ? "required" : "not allowed"} with the ${props.executor} executor`);
    }
    if (
      props.executor === "docker+machine" &&
      !Token.isUnresolved(props.workers!.instanceTypes) &&
      props.workers!.instanceTypes.length !== 1
    ) {
      throw new Error(`${this.node.path}: docker+machine takes exactly one worker instance type; docker-autoscaler spreads over several`);
    }
    const { removal, workerNetwork } = EXECUTORS[props.executor];
    if (removal !== undefined) {
      Annotations.of(this).addWarning(
        `${removal}. Move this fleet before then: set executor: docker-autoscaler (the workers' settings carry over; workers.subnetId goes)` +
          (workerNetwork === undefined ? "." : `. Meanwhile ${workerNetwork}.`),
      );
    }
    if ((props.jobHopLimit ?? DEFAULTS.jobHopLimit) < MIN_HOP_LIMIT_WITH_CONTAINERS) {
      throw new Error(
        `${this.node.path}: jobHopLimit must be at least ${MIN_HOP_LIMIT_WITH_CONTAINERS} (job containers are one hop further)`,
      );
    }

    this.managerPolicy = new ManagedPolicy(this, "manager-policy", {
      policyName: `${props.environment}-manager-ecr-cache`,
      roleLabel: "manager",
    });
    this.managerPolicy.policy.overrideLogicalId(terraformName(id, "manager"));
    if (usesWorkers) {
      this.workerPolicy = new ManagedPolicy(this, "workers-policy", {
        policyName: `${props.environment}-workers-ecr`,
        roleLabel: "workers",
      });
      this.workerPolicy.policy.overrideLogicalId(terraformName(id, "workers"));
    }
    this.jobPolicy = this.workerPolicy ?? this.managerPolicy;

    let tokenParameter = props.runnerTokenSsmParameter;
    if (props.gitlabRegistration !== undefined) {
      const { GitlabRegistration } = loadGitlabRegistration(this.node.path);
      this.gitlabRegistration = new GitlabRegistration(this, "gitlab", {
        ...props.gitlabRegistration,
        tokenParameterName: props.runnerTokenSsmParameter,
        gitlabUrl: props.gitlabUrl,
        logicalIdPrefix: id,
      });
      // By reference, so Terraform writes the token before a manager boots and reads it.
      tokenParameter = this.gitlabRegistration.tokenParameter.name;
    }

    this.module = new GitlabRunnerModule(this, "runner", {
      inputs: this.moduleInputs({ ...props, runnerTokenSsmParameter: tokenParameter }),
    });
    this.module.overrideLogicalId(terraformName("runner", id));
  }

  private moduleInputs(props: RunnerFleetProps): GitlabRunnerModuleInputs {
    const hop = hopLimits(props.executor, props.jobHopLimit ?? DEFAULTS.jobHopLimit);
    const common: GitlabRunnerModuleInputs = {
      environment: props.environment,
      vpc_id: props.vpcId,
      subnet_id: props.executor === "docker+machine" ? machineSubnet(props) : firstItem(props.subnetIds),
      tags: props.tags,
      runner_gitlab: {
        url: props.gitlabUrl,
        runner_version: props.runnerVersion,
        preregistered_runner_token_ssm_parameter_name: props.runnerTokenSsmParameter,
      },
      runner_instance: {
        name: props.environment,
        type: props.managerInstanceType,
        private_address_only: true,
      },
      runner_manager: { maximum_concurrent_jobs: props.maxConcurrentJobs },
      runner_metadata_options: {
        http_endpoint: "enabled",
        http_tokens: "required",
        http_put_response_hop_limit: hop.manager,
        instance_metadata_tags: "disabled",
      },
      runner_role: {
        policy_arns: [this.managerPolicy.policyArn],
        // The module lets the manager create service-linked roles by default; only spot requests
        // need that (the EC2 Spot role), and with the docker executor jobs would hold the right too.
        allow_iam_service_linked_role_creation: props.workers?.spot === true,
      },
      runner_install: {
        amazon_ecr_credential_helper: true,
        pre_install_script: credHelpersInstallScript(props.jobImageRegistryHosts),
      },
      runner_worker: {
        type: props.executor,
        max_jobs: props.workers?.maxInstances ?? props.maxConcurrentJobs,
      },
      runner_worker_cache: {
        create: false,
        shared: props.cacheShared ?? false,
        bucket: props.cacheBucketName,
        authentication_type: "iam",
      },
      runner_worker_docker_options: {
        image: props.defaultImage,
        // Docker-in-docker for jobs that build images: a privileged service container, and the
        // client certificates shared through /certs/client (DOCKER_TLS_CERTDIR=/certs in the job).
        privileged: true,
        volumes: ["/cache", "/certs/client"],
        pull_policies: ["always"],
      },
    };
    if (props.executor === "docker-autoscaler") return { ...common, ...this.autoscalerInputs(props.workers!, props, hop.workers!) };
    if (props.executor === "docker+machine") return { ...common, ...this.dockerMachineInputs(props.workers!, props, hop.workers!) };
    return common;
  }

  private autoscalerInputs(w: RunnerWorkersProps, props: RunnerFleetProps, workerHopLimit: number): Partial<GitlabRunnerModuleInputs> {
    return {
      runner_worker_docker_autoscaler: {
        connector_config_user: "ubuntu",
        capacity_per_instance: 1,
        max_use_count: w.maxJobsPerInstance ?? DEFAULTS.workers.maxJobsPerInstance,
        // Use a worker only once cloud-init (and so the Docker install) has finished.
        instance_ready_command: "cloud-init status --wait",
      },
      runner_worker_docker_autoscaler_asg: {
        subnet_ids: props.subnetIds,
        default_instance_type: firstItem(w.instanceTypes),
        types: w.instanceTypes,
        enable_mixed_instances_policy: w.spot === true || hasSeveralItems(w.instanceTypes),
        on_demand_percentage_above_base_capacity: w.spot === true ? 0 : 100,
      },
      runner_worker_docker_autoscaler_instance: {
        http_tokens: "required",
        http_put_response_hop_limit: workerHopLimit,
        root_size: w.rootVolumeGiB ?? DEFAULTS.workers.rootVolumeGiB,
        start_script: AUTOSCALER_WORKER_START_SCRIPT,
      },
      runner_worker_docker_autoscaler_autoscaling_options: [
        {
          periods: ["* * * * *"],
          timezone: "UTC",
          idle_count: w.idleCount ?? DEFAULTS.workers.idleCount,
          idle_time: `${w.idleTimeMinutes ?? DEFAULTS.workers.idleTimeMinutes}m`,
        },
      ],
      runner_worker_docker_autoscaler_role: { policy_arns: [this.workerPolicy!.policyArn] },
      ...(w.amiId !== undefined ? { runner_worker_docker_autoscaler_ami_id: w.amiId } : {}),
    };
  }

  private dockerMachineInputs(w: RunnerWorkersProps, props: RunnerFleetProps, workerHopLimit: number): Partial<GitlabRunnerModuleInputs> {
    return {
      runner_worker_docker_machine_instance: {
        destroy_after_max_builds: w.maxJobsPerInstance ?? DEFAULTS.workers.maxJobsPerInstance,
        // One type and one subnet: docker-machine takes each flag once (see checks.ts).
        types: [firstItem(w.instanceTypes)],
        subnet_ids: [machineSubnet(props)],
        idle_count: w.idleCount ?? DEFAULTS.workers.idleCount,
        idle_time: (w.idleTimeMinutes ?? DEFAULTS.workers.idleTimeMinutes) * 60,
        root_size: w.rootVolumeGiB ?? DEFAULTS.workers.rootVolumeGiB,
        private_address_only: true,
      },
      runner_worker_docker_machine_instance_spot: { enable: w.spot === true },
      runner_worker_docker_machine_ec2_metadata_options: {
        http_tokens: "required",
        http_put_response_hop_limit: workerHopLimit,
      },
      runner_worker_docker_machine_role: { policy_arns: [this.workerPolicy!.policyArn] },
      ...(w.amiId !== undefined ? { runner_worker_docker_machine_ami_id: w.amiId } : {}),
    };
  }
}

/**
 * ./gitlab-registration, loaded only for a fleet the stack registers: @cdktf/provider-gitlab is an
 * optional peer dependency, so a library user who registers runners by hand need not install it.
 */
function loadGitlabRegistration(path: string): typeof import("./gitlab-registration") {
  try {
    return require("./gitlab-registration");
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND" && /@cdktf\/provider-gitlab/.test(String(e));
    if (!missing) throw e;
    throw new Error(
      `${path}: registering the runner from the stack (gitlabRegistration, fleets[].gitlab) needs @cdktf/provider-gitlab, ` +
        "an optional peer dependency: npm install @cdktf/provider-gitlab@^15.6.0, or register the runner by hand",
    );
  }
}
