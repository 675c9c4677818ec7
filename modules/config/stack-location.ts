import { isKnownRegion } from "../aws/regions";

/**
 * Whether the stack's own account and region are valid literals. Checks that compare another
 * field with them run only then, so a mistaken aws.region or aws.accountId is reported at that
 * field alone, without knock-on errors at every field compared with it.
 */
export function stackLocationValid(c: { readonly aws: { readonly region: unknown; readonly accountId: unknown } }): boolean {
  return (
    typeof c.aws.region === "string" &&
    isKnownRegion(c.aws.region) &&
    typeof c.aws.accountId === "string" &&
    /^\d{12}$/.test(c.aws.accountId)
  );
}
