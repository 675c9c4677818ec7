/**
 * What a reason acknowledging a security rule must be: a sentence a reviewer reads in review.md's
 * table, without Markdown table or code syntax. One check for both ways in: the configuration's
 * `acknowledge` maps (named by field, before anything is built) and acknowledgeRule (a library user's call).
 */
export function reasonProblems(reason: string): string[] {
  return [
    reason.trim().length < 10 ? "must say why in at least 10 characters (a reviewer reads it in review.md)" : undefined,
    reason.length > 500 ? "must be at most 500 characters" : undefined,
    /[\p{Cc}|`<>$\\{}]/u.test(reason) ? "may not hold control characters or | ` < > $ \\ { } (it is shown in a Markdown table)" : undefined,
  ].filter((p): p is string => p !== undefined);
}
