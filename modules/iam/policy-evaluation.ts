/**
 * A small IAM evaluator for identity policies, used at synthesis (security rules, the review
 * report) where the tests' evaluator (@cloud-copilot/iam-simulate, AGPL, async) cannot go. It
 * covers what a policy document of this stack can hold: Allow and Deny, Action / NotAction,
 * Resource / NotResource with IAM's `*` and `?` wildcards, and the condition operators listed in
 * CONDITION_OPERATORS. The tests compare it with iam-simulate cell by cell.
 *
 * Two questions are asked of it: `evaluate` (one request: one action on one concrete resource), and
 * `mayReach` (is there any resource matching a pattern, such as every repository under a
 * pull-through prefix, on which the action is allowed). Where it cannot be precise it errs towards
 * "allowed": a condition it does not know is taken as met by an Allow and as unmet by a Deny, so a
 * rule built on it may warn about too much, never about too little.
 */

export type Effect = "Allow" | "Deny";
export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

/** Condition block of a statement: operator → key → values. */
export type Condition = Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;

/** One statement, normalized: lists everywhere, `not` for NotAction / NotResource. */
export interface EvaluatedStatement {
  readonly sid?: string;
  readonly effect: Effect;
  readonly actions: readonly string[];
  readonly notActions: boolean;
  readonly resources: readonly string[];
  readonly notResources: boolean;
  readonly condition?: Condition;
}

/** A request's condition context: key (case-insensitive, like IAM) → value. */
export type RequestContext = Readonly<Record<string, string>>;

const list = (v: unknown): string[] => (v === undefined ? [] : [v].flat().map(String));

/**
 * The statements of a policy document given as JSON text or an object; undefined when the text is
 * not literal JSON (it holds a Terraform expression and cannot be evaluated before apply).
 */
export function statementsOf(document: unknown): EvaluatedStatement[] | undefined {
  let doc: unknown = document;
  if (typeof document === "string") {
    try {
      doc = JSON.parse(document);
    } catch {
      return undefined;
    }
  }
  if (typeof doc !== "object" || doc === null) return undefined;
  const raw = (doc as { Statement?: unknown }).Statement;
  return [raw ?? []].flat().map((s: any) => ({
    ...(typeof s?.Sid === "string" ? { sid: s.Sid } : {}),
    effect: s?.Effect === "Deny" ? "Deny" : "Allow",
    actions: list(s?.NotAction ?? s?.Action),
    notActions: s?.NotAction !== undefined,
    resources: list(s?.NotResource ?? s?.Resource),
    notResources: s?.NotResource !== undefined,
    ...(s?.Condition !== undefined ? { condition: s.Condition as Condition } : {}),
  }));
}

function globRegExp(pattern: string, flags: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${body}$`, flags);
}

/** Whether an IAM pattern (`*`, `?`) matches `value`; actions compare case-insensitively, resources exactly. */
export function globMatches(pattern: string, value: string, caseInsensitive = false): boolean {
  return globRegExp(pattern, caseInsensitive ? "is" : "s").test(value);
}

/**
 * Whether some string matches both IAM patterns, e.g. `repository/*` and `repository/ecr-public/*`,
 * or `repository/ecr-public/docker` and `repository/ecr-public/*`. Decided exactly: a walk over
 * positions of both patterns, where `*` may take nothing or one more character of the other side.
 */
export function globsOverlap(a: string, b: string): boolean {
  const seen = new Set<number>();
  const width = b.length + 1;
  const stack: [number, number][] = [[0, 0]];
  while (stack.length > 0) {
    const [i, j] = stack.pop()!;
    const key = i * width + j;
    if (seen.has(key)) continue;
    seen.add(key);
    if (i === a.length && j === b.length) return true;
    const ca = a[i];
    const cb = b[j];
    // A star takes nothing more.
    if (ca === "*") stack.push([i + 1, j]);
    if (cb === "*") stack.push([i, j + 1]);
    if (ca === undefined || cb === undefined) continue;
    // Both sides take one character: equal literals, or a wildcard on either side.
    const oneChar = ca === "*" || ca === "?" || cb === "*" || cb === "?" || ca === cb;
    if (!oneChar) continue;
    // A star stays in place after taking a character; anything else moves on.
    stack.push([ca === "*" ? i : i + 1, cb === "*" ? j : j + 1]);
    if (ca === "*" && cb === "*") stack.push([i + 1, j + 1]);
  }
  return false;
}

/** Condition operators the evaluator knows; any other makes it err towards "allowed". */
export const CONDITION_OPERATORS = ["StringEquals", "StringNotEquals", "StringLike", "StringNotLike", "ArnEquals", "ArnLike", "Bool"];

function contextValue(context: RequestContext, key: string): string | undefined {
  const wanted = key.toLowerCase();
  for (const [k, v] of Object.entries(context)) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

/** Whether a statement's condition holds for `context`; "unknown" for an operator outside CONDITION_OPERATORS. */
function conditionHolds(condition: Condition | undefined, context: RequestContext): boolean | "unknown" {
  if (condition === undefined) return true;
  let unknown = false;
  for (const [operator, keys] of Object.entries(condition)) {
    const base = operator.replace(/IfExists$/, "");
    if (!CONDITION_OPERATORS.includes(base)) {
      unknown = true;
      continue;
    }
    for (const [key, expected] of Object.entries(keys)) {
      const values = list(expected);
      const actual = contextValue(context, key);
      if (actual === undefined) {
        // A missing key fails every operator but the negated ones and ...IfExists.
        if (operator.endsWith("IfExists") || base.startsWith("StringNot")) continue;
        return false;
      }
      const any = (test: (v: string) => boolean) => values.some(test);
      const holds =
        base === "StringEquals" || base === "ArnEquals"
          ? any((v) => v === actual)
          : base === "StringNotEquals"
            ? !any((v) => v === actual)
            : base === "StringLike" || base === "ArnLike"
              ? any((v) => globMatches(v, actual))
              : base === "StringNotLike"
                ? !any((v) => globMatches(v, actual))
                : any((v) => v.toLowerCase() === actual.toLowerCase()); // Bool
      if (!holds) return false;
    }
  }
  return unknown ? "unknown" : true;
}

function actionApplies(s: EvaluatedStatement, action: string): boolean {
  const named = s.actions.some((p) => globMatches(p, action, true));
  return s.notActions ? !named : named;
}

function resourceApplies(s: EvaluatedStatement, resource: string): boolean {
  const named = s.resources.some((p) => globMatches(p, resource));
  return s.notResources ? !named : named;
}

/**
 * IAM's decision for one request against identity policies (no SCP, no boundary, no resource
 * policy): an explicit Deny wins, else an Allow allows, else the request is implicitly denied.
 */
export function evaluate(
  statements: readonly EvaluatedStatement[],
  action: string,
  resource: string,
  context: RequestContext = {},
): Decision {
  let allowed = false;
  for (const s of statements) {
    if (!actionApplies(s, action) || !resourceApplies(s, resource)) continue;
    const holds = conditionHolds(s.condition, context);
    if (s.effect === "Deny" && holds === true) return "ExplicitlyDenied";
    if (s.effect === "Allow" && holds !== false) allowed = true;
  }
  return allowed ? "Allowed" : "ImplicitlyDenied";
}

/**
 * Whether `action` is allowed on at least one resource matching `pattern` (which may hold `*`),
 * e.g. on any repository under a pull-through prefix, in some request. An Allow's condition is
 * taken as met unless `context` is given and fails it (a grant pinned to one account still reaches
 * that account's resources); a Deny counts only where it names the pattern itself (or `*`) without
 * a condition; NotResource is taken to reach everything it does not name exactly.
 */
export function mayReach(statements: readonly EvaluatedStatement[], action: string, pattern: string, context?: RequestContext): boolean {
  const covers = (s: EvaluatedStatement) => s.resources.some((r) => r === "*" || r === pattern);
  const deniedWhole = statements.some(
    (s) => s.effect === "Deny" && !s.notResources && s.condition === undefined && actionApplies(s, action) && covers(s),
  );
  if (deniedWhole) return false;
  return statements.some((s) => {
    if (s.effect !== "Allow" || !actionApplies(s, action)) return false;
    if (context !== undefined && conditionHolds(s.condition, context) === false) return false;
    if (s.notResources) return !s.resources.includes(pattern);
    return s.resources.some((r) => globsOverlap(r, pattern));
  });
}
