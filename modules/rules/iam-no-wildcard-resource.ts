import { policyStatements } from "./iam-policy-document";
import { SecurityRule } from "./security-rule";

/** Actions that have no resource type in IAM, so "*" is the only possible Resource. */
export const ACTIONS_ALLOWED_ON_ANY_RESOURCE = ["ecr:GetAuthorizationToken"] as const;

/** Resource "*" (or a wildcard in place of a name) only for actions that cannot be scoped. */
export const IAM_NO_WILDCARD_RESOURCE: SecurityRule = {
  id: "iam-no-wildcard-resource",
  description: `IAM policies allow Resource "*" only for ${ACTIONS_ALLOWED_ON_ANY_RESOURCE.join(", ")}, which has no resource type.`,
  check(block) {
    const statements = policyStatements(block);
    if (statements === undefined || statements === "not-literal") return [];
    return statements
      .filter((s) => s.effect === "Allow" && s.resources.some((r) => r === "*" || r.endsWith(":*")))
      .flatMap((s) => {
        const others = s.actions.filter((a) => !(ACTIONS_ALLOWED_ON_ANY_RESOURCE as readonly string[]).includes(a));
        return others.length > 0 ? [`statement ${s.sid} allows ${others.join(", ")} on every resource ("*")`] : [];
      });
  },
};
