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
