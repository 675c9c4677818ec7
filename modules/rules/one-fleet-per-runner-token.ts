import { ssmParameterArnName } from "../aws/names";
import { SecurityRule } from "./security-rule";

/**
 * One runner token is one GitLab registration: two fleets reading the same parameter serve the
 * same jobs, so a merge-request job can land on the fleet that may push, and both share one cache
 * namespace. Compared as synthesized: the same literal name, or the same Terraform expression
 * (one variable used by both). Not acknowledgeable.
 */
export const ONE_FLEET_PER_RUNNER_TOKEN: SecurityRule = {
  id: "one-fleet-per-runner-token",
  description: "No two fleets read their runner token from the same SSM parameter (the same literal or the same variable).",
  acknowledgeable: false,
  checkStack(doc) {
    const first = new Map<string, string>();
    return doc.fleets.flatMap((f) => {
      const key = parameterKey(f.tokenParameter);
      const earlier = first.get(key);
      if (earlier === undefined) {
        first.set(key, f.name);
        return [];
      }
      return [
        {
          path: f.block.path,
          message: `fleet "${f.name}" reads its runner token from ${JSON.stringify(f.tokenParameter)}, the parameter fleet "${earlier}" reads: one registration would serve both fleets' jobs with different grants. Give each fleet a runner of its own`,
        },
      ];
    });
  },
};

/** What identifies a token parameter: a literal as its ARN spells it (the module grants on that), an expression as written. */
function parameterKey(parameter: unknown): string {
  const literal = typeof parameter === "string" && !parameter.includes("${");
  return JSON.stringify(literal ? ssmParameterArnName(parameter) : parameter);
}
