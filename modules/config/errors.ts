/**
 * How configuration problems reach the user: one line per problem, naming the field, in plain
 * English, never repeating a secret, and never more than MAX_PROBLEMS_SHOWN lines.
 */
import { z } from "zod";
import { formatPath } from "../support/field-path";
import { redactSecrets } from "../support/secrets";

export { formatPath } from "../support/field-path";

/** Problems printed before "… and N more". */
export const MAX_PROBLEMS_SHOWN = 50;

/** A configuration that failed validation: one line per problem, each naming its field. */
export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(
    readonly source: string,
    problems: readonly string[],
  ) {
    const safe = problems.map(redactSecrets);
    const shown = safe.slice(0, MAX_PROBLEMS_SHOWN);
    const more = safe.length - shown.length;
    super(
      `Invalid configuration (${source}):\n${shown.map((p) => `  - ${p}`).join("\n")}` +
        (more > 0 ? `\n  … and ${more} more problem${more === 1 ? "" : "s"}` : ""),
    );
    this.name = "ConfigError";
    this.problems = safe;
  }
}

/** "a", "b" or "c" */
export function oneOf(values: readonly unknown[]): string {
  const quoted = values.map((v) => JSON.stringify(v));
  return quoted.length <= 1 ? quoted.join("") : `${quoted.slice(0, -1).join(", ")} or ${quoted.at(-1)}`;
}

const EXPECTED: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  object: "an object",
  array: "a list",
  record: "a map of strings",
};

function typeName(input: unknown): string {
  return Array.isArray(input) ? "a list" : input === null ? "null" : typeof input === "object" ? "an object" : `a ${typeof input}`;
}

function sizeMessage(issue: z.core.$ZodIssueTooBig | z.core.$ZodIssueTooSmall): string {
  const n = Number(issue.code === "too_big" ? issue.maximum : issue.minimum);
  const small = issue.code === "too_small";
  switch (issue.origin) {
    case "string":
      return small ? (n === 1 ? "must not be empty" : `must be at least ${n} characters`) : `must be at most ${n} characters`;
    case "array":
    case "set":
      return small ? `needs at least ${n} item${n === 1 ? "" : "s"}` : `may have at most ${n} items`;
    default:
      return small ? `must be at least ${n}` : `must be at most ${n}`;
  }
}

/** The problem lines of one zod issue (an unknown-keys issue gives one per key). */
export function describeIssue(issue: z.core.$ZodIssue): string[] {
  const at = formatPath(issue.path);
  switch (issue.code) {
    case "unrecognized_keys":
      // parse.ts reports a __proto__ key wherever it is.
      return issue.keys
        .filter((key) => key !== "__proto__")
        .map(
          (key) => `${formatPath([...issue.path, key])}: unknown field (misspelt? Terraform would drop it silently, so it is refused here)`,
        );
    case "invalid_type": {
      if (issue.input === undefined) return [`${at}: is required`];
      const got = typeName(issue.input);
      // YAML reads an unquoted 123456789012 as a number, and "4" in quotes as a string.
      const hint =
        issue.expected === "string" && typeof issue.input === "number"
          ? "; quote it"
          : issue.expected === "number" && typeof issue.input === "string"
            ? "; remove the quotes"
            : "";
      return [`${at}: must be ${EXPECTED[issue.expected] ?? `a ${issue.expected}`} (got ${got}${hint})`];
    }
    case "too_big":
    case "too_small":
      // A limit with a message of our own keeps it; zod's default wording is replaced.
      return [`${at}: ${/^Too (big|small)/.test(issue.message) ? sizeMessage(issue) : issue.message}`];
    case "invalid_value":
      return [`${at}: must be ${issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${oneOf(issue.values)}`}`];
    case "invalid_key":
      return issue.issues.flatMap((sub) =>
        describeIssue({ ...sub, path: issue.path } as z.core.$ZodIssue).map((l) => l.replace(`${at}: `, `${at}: the key `)),
      );
    case "invalid_union": {
      // A discriminated union (backend.type) names its options.
      const options = (issue as { options?: unknown[] }).options;
      if (options !== undefined) return [`${at}: must be one of ${oneOf(options)}`];
      // A literal or a { terraformVariable } object: report against the form the user chose.
      const input = (issue as { input?: unknown }).input;
      const chosen = issue.errors[typeof input === "object" && input !== null && !Array.isArray(input) ? 1 : 0] ?? [];
      const lines = chosen.flatMap((sub) => describeIssue({ ...sub, path: [...issue.path, ...sub.path] } as z.core.$ZodIssue));
      return lines.length > 0 ? lines : [`${at}: does not match any accepted form`];
    }
    case "not_multiple_of":
      return [`${at}: must be a multiple of ${issue.divisor}`];
    default:
      // Our own messages (custom checks and pattern rules) are already plain English.
      return [`${at}: ${/^(Invalid|Too |Expected)/.test(issue.message) ? "has a value that is not accepted here" : issue.message}`];
  }
}
