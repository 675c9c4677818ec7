import { policyStatements } from "./iam-policy-document";
import { SecurityRule } from "./security-rule";

/** No Allow of "*", "service:*" or NotAction: every action is named. */
export const IAM_NO_WILDCARD_ACTION: SecurityRule = {
  id: "iam-no-wildcard-action",
  description: 'IAM policies name every action they allow: no "*", no "service:*", no NotAction.',
  check(block) {
    const statements = policyStatements(block);
    if (statements === undefined) return [];
    if (statements === "not-literal") return ["policy document is not literal JSON, so it cannot be checked before apply"];
    return statements
      .filter((s) => s.effect === "Allow")
      .flatMap((s) => s.actions.filter((a) => a.includes("*")).map((a) => `statement ${s.sid} allows the wildcard action "${a}"`));
  },
};
