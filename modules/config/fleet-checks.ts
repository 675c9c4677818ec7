/**
 * The checks a fleet's settings need whichever way they come in: checks.ts reports them at the
 * configuration's fields before anything is built, and RunnerFleet throws them for a library user
 * who builds a fleet directly. One wording, decided here from the executor table.
 */
import { EXECUTORS, Executor, MIN_HOP_LIMIT_WITH_CONTAINERS, executorsWhere } from "../executors";

/** Why `workers` is wrong for the executor, or undefined: required where jobs run on workers, refused elsewhere. */
export function workersProblem(executor: Executor, hasWorkers: boolean): string | undefined {
  const usesWorkers = EXECUTORS[executor].jobsRunOn === "workers";
  if (usesWorkers && !hasWorkers) return `is required with the ${executor} executor`;
  if (!usesWorkers && hasWorkers) {
    return `only for ${executorsWhere((t) => t.jobsRunOn === "workers").join(" and ")}: with the ${executor} executor, jobs run on the manager`;
  }
  return undefined;
}

/** Why `count` worker instance types are wrong for the executor, or undefined. */
export function instanceTypeCountProblem(executor: Executor, count: number): string | undefined {
  const traits = EXECUTORS[executor];
  if (traits.oneInstanceTypeAndSubnet !== true || count === 1) return undefined;
  return (
    `gives ${count} instance types, but ${executor} takes exactly one (amazonec2-instance-type); ` +
    `executor: ${traits.successor} spreads workers over several types and subnets`
  );
}

/** The metadata hop limit where job containers run: they reach the instance role one hop further than the host. */
export const HOP_LIMIT_TOO_LOW = `must be at least ${MIN_HOP_LIMIT_WITH_CONTAINERS}: job containers reach the instance role through one more network hop`;

/**
 * The tags of a fleet's GitLab runner: those of `gitlab.tags`, by default the fleet's name, which is
 * also the tag review.md asks of a runner registered by hand.
 */
export function runnerTags(fleet: { readonly name: string; readonly gitlab?: { readonly tags?: readonly string[] } }): readonly string[] {
  return fleet.gitlab?.tags ?? [fleet.name];
}
