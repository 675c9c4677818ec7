import { GitlabRunnerModule } from "../gitlab-runner-module";
import { SecurityRule } from "./security-rule";

/** Module inputs holding instance metadata options, by executor: [input, what it configures]. */
function metadataInputs(executor: unknown): [string, string][] {
  const inputs: [string, string][] = [["runner_metadata_options", "manager"]];
  if (executor === "docker+machine") inputs.push(["runner_worker_docker_machine_ec2_metadata_options", "docker+machine workers"]);
  if (executor === "docker-autoscaler") inputs.push(["runner_worker_docker_autoscaler_instance", "docker-autoscaler workers"]);
  return inputs;
}

/**
 * Instance metadata only through IMDSv2 session tokens, with a hop limit of at least 2: job
 * containers sit one network hop behind the instance and reach the instance role through it
 * (hop limit 1 hides the role from them; IMDSv1 lets any SSRF read credentials).
 */
export const IMDS_V2_HOP_LIMIT: SecurityRule = {
  id: "imds-v2-hop-limit",
  description: "Runner managers and workers require IMDSv2 tokens, with a metadata hop limit of at least 2.",
  check(block) {
    if (!(block.node instanceof GitlabRunnerModule)) return [];
    const a = block.attributes;
    return metadataInputs(a.runner_worker?.type).flatMap(([input, what]) => {
      const options = a[input] ?? {};
      const problems: string[] = [];
      if (options.http_tokens !== "required") problems.push(`${input}.http_tokens is ${JSON.stringify(options.http_tokens ?? "unset")}, not "required" (${what})`);
      const hop = options.http_put_response_hop_limit;
      if (typeof hop !== "number" || hop < 2) problems.push(`${input}.http_put_response_hop_limit is ${JSON.stringify(hop ?? "unset")}, not a number >= 2 (${what})`);
      return problems;
    });
  },
};
