import { EXECUTORS, Executor, RECOMMENDED_EXECUTOR, executorsWhere } from "../executors";
import { GitlabRunnerModule } from "../generated/gitlab-runner-module.generated";
import { SecurityRule } from "./security-rule";

/**
 * With an executor whose jobs run on the manager (executors.ts), jobs run in privileged containers on the manager with hop limit 2,
 * so they hold the manager's role: the module grants it ssm:GetParameter on the runner token
 * parameter (runner_policy.tf), and a job that reads the token can register a runner of its own.
 * Worker executors keep jobs on worker instances whose role has no such right.
 */
export const JOBS_NOT_ON_MANAGER: SecurityRule = {
  id: "jobs-not-on-manager",
  description:
    `Jobs do not run on the runner manager: with the ${executorsWhere((t) => t.jobsRunOn === "manager").join(", ")} executor ` +
    "they hold the manager's role, which can read the runner token.",
  check(block) {
    if (!(block.node instanceof GitlabRunnerModule)) return [];
    const executor = block.attributes.runner_worker?.type as Executor;
    if (EXECUTORS[executor]?.jobsRunOn !== "manager") return [];
    return [
      `the ${executor} executor runs jobs on the manager under its role, which can read the runner token parameter ` +
        "(ssm:GetParameter, granted by the module) and do whatever the manager may: any job can register a rogue runner. " +
        `Use ${RECOMMENDED_EXECUTOR}, or acknowledge the risk for this fleet`,
    ];
  },
};
