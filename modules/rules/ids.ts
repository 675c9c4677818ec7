/**
 * The id of every security rule this project ships, in report order: a module without imports, so
 * the configuration schema, `acknowledgeRule` and a library user can name rules by a typed id
 * without loading the rules. A rule's `id` must be one of these (security-rule.ts); a test keeps
 * this list and SECURITY_RULES (index.ts) equal.
 */
export const RULE_IDS = [
  "iam-no-wildcard-action",
  "iam-no-wildcard-resource",
  "iam-no-passrole-on-wildcard",
  "ecr-immutable-scanned",
  "s3-bucket-encrypted",
  "s3-bucket-public-access-blocked",
  "s3-bucket-tls-only",
  "imds-v2-hop-limit",
  "jobs-not-on-manager",
  "no-secret-literal",
  "configuration-is-data",
  "pull-through-cache-read-only",
  "state-not-reachable",
  "manager-does-not-push",
  "worker-jobs-hold-no-s3",
  "one-fleet-per-runner-token",
  "build-cache-one-writer",
  "push-runner-protected",
  "protected-runner-tagged-only",
] as const;

/** The id of a security rule this project ships. */
export type RuleId = (typeof RULE_IDS)[number];

/** Whether `id` is the id of a security rule this project ships. */
export function isRuleId(id: string): id is RuleId {
  return (RULE_IDS as readonly string[]).includes(id);
}
