import { actionMatches, policyStatements } from "./iam-policy-document";
import { SecurityRule } from "./security-rule";

/**
 * iam:PassRole on a wildcard lets the holder hand any role (an administrator's included) to a
 * service it controls: the classic privilege escalation. Checked on its own so the report names it.
 */
export const IAM_NO_PASSROLE_ON_WILDCARD: SecurityRule = {
  id: "iam-no-passrole-on-wildcard",
  description: "No policy allows iam:PassRole on a wildcard resource.",
  check(block) {
    const statements = policyStatements(block);
    if (statements === undefined || statements === "not-literal") return [];
    return statements
      .filter((s) => s.effect === "Allow" && s.actions.some((a) => actionMatches(a, "iam:PassRole")))
      .flatMap((s) => s.resources.filter((r) => r.includes("*")).map((r) => `statement ${s.sid} allows iam:PassRole on "${r}"`));
  },
};
