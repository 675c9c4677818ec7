/**
 * Parsing at the two edges: the app's configuration (runners and state backend, from a file or the
 * embedded default) and GitlabRunnerEcr's props (a library user's object). Both scan every key and
 * value for secrets, limit the nesting depth, and apply the schema (schema.ts) with the checks that
 * span fields (checks.ts); messages come from errors.ts. The parse functions return Validated*
 * values: the app parses once and hands them to GitlabRunnerStack and GitlabRunnerEcr, which parse
 * only what is not one (a library user's plain object).
 */
import { z } from "zod";
import { checkConfig, checkRunners } from "./checks";
import { effectivePullThroughRules } from "./pull-through-checks";
import { ConfigError, describeIssue, formatPath } from "./errors";
import { VariableRef, configShape, runnersShape } from "./schema";
import { jsonTexts, nestingDepth } from "../support/json-strings";
import { secretIn } from "../support/secrets";

export { ConfigError, formatPath } from "./errors";
export { DEFAULT_RUNNER_VERSION, VariableRef, isVariableRef } from "./schema";
export { EXECUTOR_NAMES as EXECUTORS, Executor } from "../executors";

/** Deepest nesting of objects and lists a configuration may have (the schema needs 6). */
export const MAX_CONFIG_DEPTH = 16;

/**
 * Defaults that depend on other fields: `pull` lists are every fleet when left out (checks.ts
 * requires them of a rule with credentials); the pull-through cache is the ECR Public rule where the
 * region offers the feature (pull-through-checks.ts). The removed
 * `access` is dropped (checks.ts refused it).
 */
function withDefaults<C extends z.output<typeof runnersShape>>(c: C) {
  const everyFleet = c.fleets.map((f) => f.name);
  return {
    ...c,
    repositories: c.repositories.map(({ access: _removed, ...r }) => ({ ...r, pull: r.pull ?? everyFleet })),
    pullThroughCache: effectivePullThroughRules(c).map(({ rule }) => ({ ...rule, pull: rule.pull ?? everyFleet })),
  };
}

export const runnersSchema = runnersShape.superRefine(checkRunners).transform(withDefaults);
export const configSchema = configShape.superRefine(checkConfig).transform(withDefaults);

/** GitlabRunnerEcr's props as a library user writes them: optional fields may be left out. */
export type RunnersConfigInput = z.input<typeof runnersSchema>;
/** GitlabRunnerEcr's props after validation, with every default filled in. */
export type RunnersConfig = z.output<typeof runnersSchema>;
/** The app's configuration file as users write it. */
export type RunnerStackConfigInput = z.input<typeof configSchema>;
/** The app's configuration after validation, with every default filled in. */
export type RunnerStackConfig = z.output<typeof configSchema>;
/** Props whose variable references were replaced by Terraform references (tokens). */
export type ResolvedConfig = WithoutVariables<RunnersConfig>;
type WithoutVariables<T> =
  T extends VariableRef<unknown>
    ? never
    : T extends readonly (infer E)[]
      ? WithoutVariables<E>[]
      : T extends object
        ? { [K in keyof T]: WithoutVariables<T[K]> }
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

/**
 * Every `__proto__` key in the raw input: JSON.parse and YAML keep it as a key, but zod drops it
 * from maps (tags, acknowledge) without a word, and code reading it from a plain object would
 * reach Object.prototype. Refused wherever it is; errors.ts leaves zod's own line for it out.
 */
function prototypeKeys(value: unknown): string[] {
  return jsonTexts(value)
    .filter(({ text, isKey }) => isKey && text === "__proto__")
    .map(({ path }) => `${formatPath(path)}: is not accepted as a key (JavaScript gives __proto__ a meaning of its own)`);
}

function parseWith<S extends z.ZodType>(schema: S, data: unknown, source: string): z.output<S> {
  if (nestingDepth(data) > MAX_CONFIG_DEPTH) {
    throw new ConfigError(source, [`(root): nested more than ${MAX_CONFIG_DEPTH} levels deep; a configuration needs at most 6`]);
  }
  const secretProblems = [...findSecrets(data), ...prototypeKeys(data)];
  const result = schema.safeParse(data, { reportInput: true });
  const problems = [...secretProblems, ...(result.success ? [] : result.error.issues.flatMap(describeIssue))];
  if (problems.length > 0 || !result.success) throw new ConfigError(source, problems);
  return result.data;
}

/** Only this module makes Validated* values, so holding one means the schema accepted it. */
const FROM_PARSE: unique symbol = Symbol("made by parse.ts");

function madeHere(token: symbol, what: string): void {
  if (token !== FROM_PARSE) throw new Error(`${what} is made by ${what}.parse, which validates; pass plain props to the construct instead`);
}

/**
 * GitlabRunnerEcr's props as the schema accepted them, every default filled in. Made only by
 * `ValidatedRunnersConfig.parse` (or from a ValidatedConfig), so the construct takes one as it is
 * and parses anything else: a value is validated once, wherever it enters.
 */
export class ValidatedRunnersConfig {
  /** @internal use ValidatedRunnersConfig.parse */
  constructor(
    token: symbol,
    readonly value: RunnersConfig,
  ) {
    madeHere(token, "ValidatedRunnersConfig");
  }

  /** Validates GitlabRunnerEcr's props; throws ConfigError listing every problem. */
  static parse(data: unknown, source = "GitlabRunnerEcr props"): ValidatedRunnersConfig {
    return new ValidatedRunnersConfig(FROM_PARSE, parseWith(runnersSchema, data, source));
  }
}

/** The app's configuration (runners and state backend) as the schema accepted it; see ValidatedRunnersConfig. */
export class ValidatedConfig {
  /** @internal use ValidatedConfig.parse */
  constructor(
    token: symbol,
    readonly value: RunnerStackConfig,
  ) {
    madeHere(token, "ValidatedConfig");
  }

  /** Validates the app's configuration; throws ConfigError listing every problem. */
  static parse(data: unknown, source = "configuration"): ValidatedConfig {
    return new ValidatedConfig(FROM_PARSE, parseWith(configSchema, data, source));
  }

  /** The runners' part (GitlabRunnerEcr's props, valid as they are: the same checks ran) and the state backend. */
  split(): { readonly runners: ValidatedRunnersConfig; readonly backend: RunnerStackConfig["backend"] } {
    const { backend, ...runners } = this.value;
    return { runners: new ValidatedRunnersConfig(FROM_PARSE, runners), backend };
  }
}

/** Validates the app's configuration (runners and state backend); throws ConfigError listing every problem. */
export function parseConfig(data: unknown, source = "configuration"): RunnerStackConfig {
  return ValidatedConfig.parse(data, source).value;
}

/** Validates GitlabRunnerEcr's props; throws ConfigError listing every problem. */
export function parseRunnersConfig(data: unknown, source = "GitlabRunnerEcr props"): RunnersConfig {
  return ValidatedRunnersConfig.parse(data, source).value;
}
