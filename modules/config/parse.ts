/**
 * The stack's configuration: the schema (schema.ts) with the checks that span fields
 * (checks.ts), and parsing with secret scanning and a nesting limit. Messages are in errors.ts;
 * loading from files and the embedded example belong to the app (modules/app/).
 */
import { z } from "zod";
import { checkConfig } from "./checks";
import { ConfigError, describeIssue, formatPath } from "./errors";
import { VariableRef, configShape } from "./schema";
import { jsonTexts, nestingDepth } from "../support/json-strings";
import { secretIn } from "./secrets";

export { ConfigError, formatPath } from "./errors";
export { DEFAULT_RUNNER_VERSION, VariableRef, isVariableRef } from "./schema";
export { EXECUTOR_NAMES as EXECUTORS, Executor } from "../executors";

/** Deepest nesting of objects and lists a configuration may have (the schema needs 6). */
export const MAX_CONFIG_DEPTH = 16;

/** The schema with the checks that span fields, and `pull` filled in (every fleet when left out). */
export const configSchema = configShape.superRefine(checkConfig).transform((c) => ({
  ...c,
  repositories: c.repositories.map(({ access: _removed, ...r }) => ({ ...r, pull: r.pull ?? c.fleets.map((f) => f.name) })),
}));

/** What users write: optional fields may be left out. */
export type RunnerStackConfigInput = z.input<typeof configSchema>;
/** The configuration after validation, with every default filled in. */
export type RunnerStackConfig = z.output<typeof configSchema>;
/** A configuration whose variable references were replaced by Terraform references (tokens). */
export type ResolvedConfig = WithoutVariables<RunnerStackConfig>;
type WithoutVariables<T> =
  T extends VariableRef<unknown> ? never
  : T extends readonly (infer E)[] ? WithoutVariables<E>[]
  : T extends object ? { [K in keyof T]: WithoutVariables<T[K]> }
  : T;
export type FleetConfig = ResolvedConfig["fleets"][number];
export type RepositoryConfig = ResolvedConfig["repositories"][number];

/** The module's `environment` for a fleet: the prefix of every name the module gives. */
export function fleetEnvironment(stackName: string, fleetName: string): string {
  return `${stackName}-${fleetName}`;
}

const SECRET_ADVICE =
  "Never put a secret in the configuration: store the runner authentication token in SSM Parameter Store as a SecureString and set " +
  "fleets[].runnerTokenSsmParameter to the parameter's name; AWS access comes from the instance roles";

/**
 * Every key and string in the raw input (unknown fields included) that looks like a secret. Run
 * on the raw data, before the schema, so a secret is reported even when other fields are wrong;
 * the message names the field, never the secret.
 */
function findSecrets(value: unknown): string[] {
  return jsonTexts(value).flatMap(({ path, text, isKey }) => {
    const name = isKey ? undefined : path.at(-1);
    const what = secretIn(text, typeof name === "string" ? name : undefined);
    if (what === undefined) return [];
    return [`${formatPath(path)}: ${isKey ? "this key" : "the value"} looks like ${what}. ${SECRET_ADVICE}`];
  });
}

/** Validates raw configuration data; throws ConfigError listing every problem. */
export function parseConfig(data: unknown, source = "configuration"): RunnerStackConfig {
  if (nestingDepth(data) > MAX_CONFIG_DEPTH) {
    throw new ConfigError(source, [`(root): nested more than ${MAX_CONFIG_DEPTH} levels deep; a configuration needs at most 6`]);
  }
  const secretProblems = findSecrets(data);
  const result = configSchema.safeParse(data, { reportInput: true });
  const problems = [...secretProblems, ...(result.success ? [] : result.error.issues.flatMap(describeIssue))];
  if (problems.length > 0 || !result.success) throw new ConfigError(source, problems);
  return result.data;
}
