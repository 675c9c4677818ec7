/**
 * What the module attaches to a fleet's roles by itself (its own policies at the pinned version),
 * given the fleet's module inputs as synthesized.
 */
export interface ModuleGrantStatement {
  readonly Sid: string;
  readonly Effect: "Allow" | "Deny";
  readonly Action: readonly string[];
  readonly Resource: readonly string[];
  readonly Condition?: Record<string, Record<string, string | readonly string[]>>;
}

export interface ModuleGrant {
  /** The module's name for the policy. */
  readonly name: string;
  readonly role: "manager" | "workers";
  readonly statements: readonly ModuleGrantStatement[];
}

export function moduleGrants(
  _inputs: Record<string, unknown>,
  _at: { partition: string; region: string; accountId: string },
): ModuleGrant[] {
  return [];
}
