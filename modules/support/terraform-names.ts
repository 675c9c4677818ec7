/**
 * A Terraform block name from stable parts (a fleet name, a repository name): letters, digits, `_`
 * and `-` only. Addresses are derived from names, never from list positions, so reordering the
 * configuration renames nothing that is already deployed.
 */
export function terraformName(...parts: string[]): string {
  const name = parts
    .join("_")
    .replace(/[^A-Za-z0-9_-]/g, "_")
    .replace(/^([^A-Za-z_])/, "_$1");
  return name;
}

/**
 * Ids of GitlabRunnerEcr's children beside its fleets, whose ids are the fleet names: a fleet may
 * not take one (constructs refuses a second child of one id with "There is already a Construct").
 * Only the ids a fleet name could spell are listed (lowercase letters, digits and -); variables are
 * `variable-<name>`.
 */
export const RUNNERS_CHILD_IDS = { ciImage: "ci-image", cache: "cache", fleetsOutput: "fleets" } as const;
export const VARIABLE_ID_PREFIX = "variable-";

/**
 * Whether a construct id is taken before any child exists: constructs keeps children in a plain
 * object, so a key of Object.prototype (`constructor`, `__proto__`, `toString`) reads as a child.
 */
export function isPrototypeKey(id: string): boolean {
  return Object.prototype.hasOwnProperty.call(Object.prototype, id);
}
