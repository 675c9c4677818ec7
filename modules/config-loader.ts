import { readFileSync } from "node:fs";
import { extname, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { ConfigError, RunnerStackConfig, parseConfig } from "./config";
import { DEFAULT_CONFIG } from "./default-config";

/** Environment variable naming a configuration file (JSON or YAML). */
export const CONFIG_ENV_VAR = "GITLAB_RUNNER_ECR_CONFIG";

export interface LoadedConfig {
  readonly config: RunnerStackConfig;
  /** Where it came from, for messages: a file path or "embedded default". */
  readonly source: string;
}

/**
 * The configuration to synthesize: the file named by GITLAB_RUNNER_ECR_CONFIG, else the file named
 * by the cdktf context value `config` (`cdktf synth --context config=...` is not a cdktf flag, so
 * set it in cdktf.json "context"), else the embedded default. Relative paths resolve from `cwd`.
 * Throws ConfigError for an unreadable file or invalid content.
 */
export function loadConfig(options: { env?: NodeJS.ProcessEnv; contextPath?: unknown; cwd?: string } = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const fromEnv = env[CONFIG_ENV_VAR];
  const path = fromEnv !== undefined && fromEnv !== "" ? fromEnv : typeof options.contextPath === "string" ? options.contextPath : undefined;
  if (path === undefined) {
    return { config: parseConfig(DEFAULT_CONFIG, "embedded default"), source: "embedded default" };
  }
  const file = resolve(options.cwd ?? process.cwd(), path);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigError(file, [`${CONFIG_ENV_VAR}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? String(e)})`]);
  }
  let data: unknown;
  try {
    data = extname(file) === ".json" ? JSON.parse(text) : parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (e) {
    throw new ConfigError(file, [`(file): not valid ${extname(file) === ".json" ? "JSON" : "YAML"}: ${(e as Error).message.split("\n")[0]}`]);
  }
  return { config: parseConfig(data, file), source: file };
}
