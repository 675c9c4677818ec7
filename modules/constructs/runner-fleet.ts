import { Construct } from "constructs";
import { Annotations, Fn, Op, Token } from "cdktf";
import type { GitlabRegistration, GitlabRegistrationProps } from "./gitlab-registration";
import { EXECUTORS, Executor, MIN_HOP_LIMIT_WITH_CONTAINERS, hopLimits } from "../executors";
import { HOP_LIMIT_TOO_LOW, instanceTypeCountProblem, workersProblem } from "../config/fleet-checks";
import { GitlabRunnerModule, GitlabRunnerModuleInputs } from "../generated/gitlab-runner-module.generated";
import type { GitlabRunnerEcrFleetsWorkersProps } from "../generated/props.generated";
/** Worker user data of an executor entry (executors.ts), kept here for existing imports. */
export { AUTOSCALER_WORKER_START_SCRIPT } from "../executors";
import { ManagedPolicy } from "../iam/managed-policy";
import { DEFAULTS } from "../config/defaults";
import { credHelpersInstallScript } from "../support/manager-docker-config";
import { terraformName } from "../support/terraform-names";

/**
 * A fleet's workers: the configuration's `fleets[].workers`, whose optional settings and their
 * `@default`s come from the schema (props.generated.ts, generated from its descriptions and
 * DEFAULTS). Instance types and their count are required here: a fleet built directly has no
 * configuration to default them, and they may be Terraform expressions (resolved variables).
 */
export interface RunnerWorkersProps extends Pick<
  GitlabRunnerEcrFleetsWorkersProps,
  "idleCount" | "idleTimeMinutes" | "spot" | "rootVolumeGiB" | "amiId" | "subnetId" | "maxJobsPerInstance"
> {
  /** EC2 instance types for workers; the first is the default. */
  readonly instanceTypes: readonly string[];
  /** Most worker instances at once (one job each). */
  readonly maxInstances: number;
}

export interface RunnerFleetProps {
  /** The module's `environment`: prefix of every name the module gives (44 characters at most). */
  readonly environment: string;
  readonly executor: Executor;
  readonly vpcId: string;
  /** Subnets: workers use all and the manager the first, or one (workers.subnetId) for executors that take one. */
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
  /** Required for executors whose jobs run on workers; not allowed for the others. */
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
   * IMDSv2 hop limit of the instances where job containers run (workers; the manager with an
   * executor whose jobs run there), at least 2. A manager that runs no containers gets 1.
   * @default 2
   */
  readonly jobHopLimit?: number;
  readonly tags?: { readonly [key: string]: string };
}

type WorkerDefaults = "idleCount" | "idleTimeMinutes" | "spot" | "rootVolumeGiB" | "maxJobsPerInstance";
/** RunnerFleetProps with every optional setting that has a default filled in. */
type FleetSettings = Omit<RunnerFleetProps, "cacheShared" | "jobHopLimit" | "workers"> & {
  readonly cacheShared: boolean;
  readonly jobHopLimit: number;
  readonly workers?: RunnerWorkersProps & Required<Pick<RunnerWorkersProps, WorkerDefaults>>;
};

/**
 * The defaults a library user may leave out, from DEFAULTS (the table the schema fills in from),
 * applied once here. GitlabRunnerEcr's fleets come with every value set already.
 */
function withDefaults(props: RunnerFleetProps): FleetSettings {
  const w = props.workers;
  return {
    ...props,
    cacheShared: props.cacheShared ?? DEFAULTS.cache.shareBetweenFleets,
    jobHopLimit: props.jobHopLimit ?? DEFAULTS.jobHopLimit,
    workers:
      w === undefined
        ? undefined
        : {
            ...w,
            idleCount: w.idleCount ?? DEFAULTS.workers.idleCount,
            idleTimeMinutes: w.idleTimeMinutes ?? DEFAULTS.workers.idleTimeMinutes,
            spot: w.spot ?? DEFAULTS.workers.spot,
            rootVolumeGiB: w.rootVolumeGiB ?? DEFAULTS.workers.rootVolumeGiB,
            maxJobsPerInstance: w.maxJobsPerInstance ?? DEFAULTS.workers.maxJobsPerInstance,
          },
  };
}

/** The first item of a list, which may be a Terraform variable's list (then `element(list, 0)`). */
function firstItem(list: readonly string[]): string {
  return Token.isUnresolved(list) ? Fn.element(list, 0) : list[0]!;
}

/** The one subnet of a fleet whose workers take one: workers.subnetId, else the first subnet. */
function oneSubnet(props: RunnerFleetProps): string {
  return props.workers?.subnetId ?? firstItem(props.subnetIds);
}

/** Whether a list has more than one item, decided at plan time for a variable's list. */
function hasSeveralItems(list: readonly string[]): boolean {
  // The module's input is a bool; a token stands in for it until Terraform evaluates it.
  return Token.isUnresolved(list) ? (Op.gt(Fn.lengthOf(list), 1) as unknown as boolean) : list.length > 1;
}

/**
 * One GitLab runner (one registration, one module instance) and the IAM policies of its roles.
 *
 * `manager` collects grants for the manager ("agent") role, `runner_role.policy_arns`. `jobs` is
 * the role that job containers run under: the manager itself for an executor whose jobs run on the
 * manager, else the worker role (the executor's `workerRoleInput`, its `policy_arns`). Policies go in through these `policy_arns`
 * lists, whose length is known at plan time; never through `runner_worker_cache.policy`, which the
 * module counts on (an ARN known only after apply fails the first plan: "Invalid count argument").
 */
export class RunnerFleet extends Construct {
  /** The manager role's policy (`runner_role.policy_arns`). */
  readonly managerPolicy: ManagedPolicy;
  /** The workers' role's policy, for executors with worker instances. */
  readonly workerPolicy?: ManagedPolicy;
  /** The policy of the role job containers hold: the manager's where jobs run on it, else the workers'. */
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
    // The configuration's checks (fleet-checks.ts) again, for a library user's fleet built directly;
    // GitlabRunnerEcr's fleets passed them already.
    const refuse = (field: string, problem: string | undefined) => {
      if (problem !== undefined) throw new Error(`${this.node.path}: ${field}: ${problem}`);
    };
    refuse("workers", workersProblem(props.executor, props.workers !== undefined));
    const types = props.workers?.instanceTypes;
    if (types !== undefined && !Token.isUnresolved(types))
      refuse("workers.instanceTypes", instanceTypeCountProblem(props.executor, types.length));
    const settings = withDefaults(props);
    if (settings.jobHopLimit < MIN_HOP_LIMIT_WITH_CONTAINERS) refuse("jobHopLimit", HOP_LIMIT_TOO_LOW);
    const usesWorkers = settings.workers !== undefined;
    const { removal, workerNetwork, successor } = EXECUTORS[props.executor];
    if (removal !== undefined) {
      Annotations.of(this).addWarning(
        `${removal}. Move this fleet before then: set executor: ${successor} (the workers' settings carry over; workers.subnetId goes)` +
          (workerNetwork === undefined ? "." : `. Meanwhile ${workerNetwork}.`),
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
      inputs: this.moduleInputs({ ...settings, runnerTokenSsmParameter: tokenParameter }),
    });
    this.module.overrideLogicalId(terraformName("runner", id));
  }

  private moduleInputs(props: FleetSettings): GitlabRunnerModuleInputs {
    const traits = EXECUTORS[props.executor];
    const hop = hopLimits(props.executor, props.jobHopLimit);
    const common: GitlabRunnerModuleInputs = {
      environment: props.environment,
      vpc_id: props.vpcId,
      subnet_id: traits.oneInstanceTypeAndSubnet === true ? oneSubnet(props) : firstItem(props.subnetIds),
      tags: props.tags,
      runner_gitlab: {
        url: props.gitlabUrl,
        runner_version: props.runnerVersion,
        preregistered_runner_token_ssm_parameter_name: props.runnerTokenSsmParameter,
        access_token_secure_parameter_store_name: deprecatedTokenParameter(props.environment, "access"),
      },
      runner_gitlab_registration_token_secure_parameter_store_name: deprecatedTokenParameter(props.environment, "registration"),
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
        // need that (the EC2 Spot role), and where jobs run on the manager they would hold the right too.
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
        shared: props.cacheShared,
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
    if (traits.workerInputs === undefined) return common;
    const w = props.workers!;
    return {
      ...common,
      ...traits.workerInputs({
        instanceTypes: w.instanceTypes,
        firstInstanceType: firstItem(w.instanceTypes),
        severalInstanceTypes: hasSeveralItems(w.instanceTypes),
        subnetIds: props.subnetIds,
        oneSubnet: oneSubnet(props),
        maxJobsPerInstance: w.maxJobsPerInstance,
        idleCount: w.idleCount,
        idleTimeMinutes: w.idleTimeMinutes,
        rootVolumeGiB: w.rootVolumeGiB,
        spot: w.spot,
        amiId: w.amiId,
        hopLimit: hop.workers!,
        policyArn: this.workerPolicy!.policyArn,
      }),
    };
  }
}

/**
 * The names of the module's deprecated token parameters (a GitLab `api` token, a registration
 * token), which it reads only without a preregistered runner token, so never here. The module
 * still lets every manager read them, and their defaults are one name per account: a token kept
 * there for the module's older setup would be readable by every fleet, and by the jobs of a fleet
 * whose jobs run on the manager. A name of the fleet's own, which nothing creates, leaves nothing to read.
 */
function deprecatedTokenParameter(environment: string, kind: "access" | "registration"): string {
  return `${environment}-unused-${kind}-token`;
}

/**
 * ./gitlab-registration, loaded only for a fleet the stack registers: @cdktf/provider-gitlab is an
 * optional peer dependency, so a library user who registers runners by hand need not install it.
 */
function loadGitlabRegistration(path: string): typeof import("./gitlab-registration") {
  let loaded: typeof import("./gitlab-registration");
  try {
    loaded = require("./gitlab-registration");
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND" && /@cdktf\/provider-gitlab/.test(String(e));
    if (!missing) throw e;
    throw new Error(
      `${path}: registering the runner from the stack (gitlabRegistration, fleets[].gitlab) needs @cdktf/provider-gitlab, ` +
        "an optional peer dependency: npm install @cdktf/provider-gitlab@^15.6.0, or register the runner by hand",
    );
  }
  if (!loaded.gitlabBindingSharesCdk()) {
    throw new Error(
      `${path}: registering the runner from the stack (gitlabRegistration, fleets[].gitlab) needs @cdktf/provider-gitlab built on this ` +
        "library's own copy of the CDK; it is a cdktf 0.21 binding, which CDK Terrain (cdktn) cannot synthesize, or a second copy of cdktf " +
        "is installed. Register the runner by hand (docs/configuration.md), or install one cdktf",
    );
  }
  return loaded;
}
