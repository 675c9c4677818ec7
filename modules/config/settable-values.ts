/**
 * The fields a Terraform input variable may stand for, with the rule each must follow. The schema
 * marks the same fields with literalOrVariable; __tests__/unit/config.test.ts holds the two to each other.
 */
import type { RunnersShape } from "./schema";
import {
  GITLAB_URL,
  INSTANCE_TYPE,
  INSTANCE_TYPES,
  MAX_CONCURRENT_JOBS,
  MAX_WORKER_INSTANCES,
  SSM_PARAMETER_NAME,
  SUBNET_IDS,
  VPC_ID,
  ValueRule,
} from "./value-rules";

/** A configured value that a Terraform variable may stand for, with the rule it must follow. */
export interface SettableValue {
  readonly path: readonly (string | number)[];
  readonly rule: ValueRule;
  /** What the value is for, as the variable's description says it. */
  readonly description: string;
  /** The fleet the value belongs to, if it belongs to one. */
  readonly fleet?: string;
  /** The literal, or a VariableRef. */
  readonly value: unknown;
}

/** Every value that may be left to a Terraform input variable, in a stable order. */
export function settableValues(c: Pick<RunnersShape, "network" | "gitlab" | "fleets">): SettableValue[] {
  return [
    { path: ["network", "vpcId"], rule: VPC_ID, description: "VPC of the runner managers and workers", value: c.network.vpcId },
    {
      path: ["network", "subnetIds"],
      rule: SUBNET_IDS,
      description: "Subnets of the runners: managers run in the first, workers in all",
      value: c.network.subnetIds,
    },
    { path: ["gitlab", "url"], rule: GITLAB_URL, description: "URL of the GitLab instance the runners register with", value: c.gitlab.url },
    ...c.fleets.flatMap((f, i): SettableValue[] => [
      {
        path: ["fleets", i, "runnerTokenSsmParameter"],
        rule: SSM_PARAMETER_NAME,
        description: "Name of the SSM SecureString parameter that holds the runner authentication token",
        fleet: f.name,
        value: f.runnerTokenSsmParameter,
      },
      {
        path: ["fleets", i, "maxConcurrentJobs"],
        rule: MAX_CONCURRENT_JOBS,
        description: "Most jobs run at once",
        fleet: f.name,
        value: f.maxConcurrentJobs,
      },
      {
        path: ["fleets", i, "manager", "instanceType"],
        rule: INSTANCE_TYPE,
        description: "EC2 instance type of the runner manager",
        fleet: f.name,
        value: f.manager.instanceType,
      },
      ...(f.workers === undefined
        ? []
        : [
            {
              path: ["fleets", i, "workers", "instanceTypes"],
              rule: INSTANCE_TYPES,
              description: "EC2 instance types of the workers, the first being the default",
              fleet: f.name,
              value: f.workers.instanceTypes,
            },
            {
              path: ["fleets", i, "workers", "maxInstances"],
              rule: MAX_WORKER_INSTANCES,
              description: "Most worker instances at once",
              fleet: f.name,
              value: f.workers.maxInstances,
            },
          ]),
    ]),
  ];
}
