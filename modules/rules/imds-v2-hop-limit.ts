import { EXECUTORS, Executor, MIN_HOP_LIMIT_WITH_CONTAINERS, HOP_LIMIT_WITHOUT_CONTAINERS, MetadataInput } from "../executors";
import { GitlabRunnerModule } from "../generated/gitlab-runner-module.generated";
import { SecurityRule } from "./security-rule";

/** Each instance's metadata options, what it is, and whether job containers run on it. */
function instances(executor: Executor): [input: MetadataInput, what: string, runsJobs: boolean][] {
  const traits = EXECUTORS[executor];
  const manager: [MetadataInput, string, boolean] = ["runner_metadata_options", "manager", traits.jobsRunOn === "manager"];
  return traits.workerMetadataInput === undefined ? [manager] : [manager, [traits.workerMetadataInput, `${executor} workers`, true]];
}

/**
 * Instance metadata only through IMDSv2 session tokens (IMDSv1 lets any SSRF read credentials),
 * and a hop limit that matches what runs there: job containers sit one network hop behind their
 * instance and need a limit of at least 2 to reach its role; an instance that runs no containers
 * (the manager of a worker executor) gets 1, so nothing behind a hop reaches its role.
 */
export const IMDS_V2_HOP_LIMIT: SecurityRule = {
  id: "imds-v2-hop-limit",
  description: `Runner managers and workers require IMDSv2 tokens; the metadata hop limit is ${HOP_LIMIT_WITHOUT_CONTAINERS} where no job containers run and at least ${MIN_HOP_LIMIT_WITH_CONTAINERS} where they do.`,
  check(block) {
    if (!(block.node instanceof GitlabRunnerModule)) return [];
    const a = block.attributes;
    const executor = a.runner_worker?.type as Executor;
    if (!(executor in EXECUTORS)) return [`runner_worker.type is ${JSON.stringify(executor ?? "unset")}, not an executor this stack knows`];
    return instances(executor).flatMap(([input, what, runsJobs]) => {
      const options = a[input] ?? {};
      const problems: string[] = [];
      if (options.http_tokens !== "required")
        problems.push(`${input}.http_tokens is ${JSON.stringify(options.http_tokens ?? "unset")}, not "required" (${what})`);
      const hop = options.http_put_response_hop_limit;
      if (runsJobs && !(typeof hop === "number" && hop >= MIN_HOP_LIMIT_WITH_CONTAINERS)) {
        problems.push(
          `${input}.http_put_response_hop_limit is ${JSON.stringify(hop ?? "unset")}, not a number >= ${MIN_HOP_LIMIT_WITH_CONTAINERS} (${what}: job containers run here)`,
        );
      }
      if (!runsJobs && hop !== HOP_LIMIT_WITHOUT_CONTAINERS) {
        problems.push(
          `${input}.http_put_response_hop_limit is ${JSON.stringify(hop ?? "unset")}, not ${HOP_LIMIT_WITHOUT_CONTAINERS} (${what}: no job containers run here)`,
        );
      }
      return problems;
    });
  },
};
