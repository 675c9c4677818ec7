/**
 * The app's configuration edge: which file to read, and reading it defensively. A configuration
 * file is untrusted input: it is refused when larger than MAX_CONFIG_BYTES, not UTF-8 text (UTF-16
 * and binary files are named as such), nested too deeply, or when JSON or YAML repeats a key;
 * parser messages never quote the file's content.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { extname, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { ConfigError, MAX_CONFIG_DEPTH, ValidatedConfig, formatPath } from "../config/parse";
import { DEFAULT_CONFIG } from "./default-config";
import { PlaceholderValue, placeholdersIn } from "./placeholders";

/** Environment variable naming a configuration file (JSON or YAML). */
export const CONFIG_ENV_VAR = "GITLAB_RUNNER_ECR_CONFIG";

/** Largest configuration file read: a real one is a few kilobytes. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

export interface LoadedConfig {
  /** Validated here, once: the stack takes it as it is. */
  readonly config: ValidatedConfig;
  /** Where it came from, for messages: a file path or "embedded default". */
  readonly source: string;
  /** A file's fields that still hold documentation placeholders (none for the embedded default, a demonstration). */
  readonly placeholders: readonly PlaceholderValue[];
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
  const path =
    fromEnv !== undefined && fromEnv !== "" ? fromEnv : typeof options.contextPath === "string" ? options.contextPath : undefined;
  if (path === undefined) {
    return { config: ValidatedConfig.parse(DEFAULT_CONFIG, "embedded default"), source: "embedded default", placeholders: [] };
  }
  const file = resolve(options.cwd ?? process.cwd(), path);
  const text = readConfigText(file);
  const data = extname(file).toLowerCase() === ".json" ? parseJson(text, file) : parseYamlText(text, file);
  return { config: ValidatedConfig.parse(data, file), source: file, placeholders: placeholdersIn(data) };
}

function fileProblem(file: string, problem: string): ConfigError {
  return new ConfigError(file, [`(file): ${problem}`]);
}

/** The file's text: a regular file of at most MAX_CONFIG_BYTES, UTF-8 (a byte order mark is dropped). */
export function readConfigText(file: string): string {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (e) {
    throw new ConfigError(file, [`${CONFIG_ENV_VAR}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? String(e)})`]);
  }
  let bytes: Buffer;
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw fileProblem(file, "is not a regular file");
    if (stat.size > MAX_CONFIG_BYTES) {
      throw fileProblem(
        file,
        `is ${(stat.size / 1024 / 1024).toFixed(1)} MB; a configuration file may be at most ${MAX_CONFIG_BYTES / 1024 / 1024} MB`,
      );
    }
    // Read at most one byte past the limit, in case the file grew after fstat.
    bytes = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let length = 0;
    for (let n = 1; n > 0 && length < bytes.length; length += n) n = readSync(fd, bytes, length, bytes.length - length, null);
    if (length > MAX_CONFIG_BYTES)
      throw fileProblem(file, `is larger than ${MAX_CONFIG_BYTES / 1024 / 1024} MB, the most a configuration file may be`);
    bytes = bytes.subarray(0, length);
  } finally {
    closeSync(fd);
  }
  return decodeUtf8(bytes, file);
}

function decodeUtf8(bytes: Buffer, file: string): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff) || looksLikeUtf16(bytes)) {
    throw fileProblem(file, "is UTF-16 text; save it as UTF-8");
  }
  if (bytes.includes(0)) throw fileProblem(file, "is a binary file, not JSON or YAML text");
  const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(body);
  } catch {
    throw fileProblem(file, "is not valid UTF-8 text (a binary file, or another encoding); save it as UTF-8");
  }
}

/** UTF-16 without a byte order mark: mostly-ASCII text, so zero bytes at one parity only. */
function looksLikeUtf16(bytes: Buffer): boolean {
  const sample = bytes.subarray(0, 4096);
  let even = 0;
  let odd = 0;
  sample.forEach((b, i) => {
    if (b === 0) i % 2 === 0 ? even++ : odd++;
  });
  const half = sample.length / 2;
  return sample.length >= 2 && Math.max(even, odd) >= half * 0.4 && Math.min(even, odd) <= half * 0.05;
}

/** Line and column of a character offset. */
function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return `line ${line}, column ${offset - before.lastIndexOf("\n")}`;
}

function parseJson(text: string, file: string): unknown {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    // V8 quotes the text around the error; keep only what it says and where.
    const message = (e as Error).message;
    const what = message
      .replace(/, ".*$/s, "")
      .replace(/ in JSON at position \d+.*$/s, "")
      .trim();
    const position = /at position (\d+)/.exec(message);
    throw fileProblem(file, `not valid JSON${position ? ` at ${lineColumn(text, Number(position[1]))}` : ""}: ${what}`);
  }
  const problems = jsonStructureProblems(text);
  if (problems.length > 0) throw new ConfigError(file, problems);
  return data;
}

/**
 * Keys repeated in one JSON object (JSON.parse keeps the last silently: another account id, say)
 * and nesting deeper than MAX_CONFIG_DEPTH, by one pass over text that JSON.parse accepted.
 */
export function jsonStructureProblems(text: string): string[] {
  type Frame = { keys?: Set<string>; path: PropertyKey[]; key?: string; index: number; expectKey: boolean };
  const frames: Frame[] = [];
  const problems: string[] = [];
  const childPath = (): PropertyKey[] => {
    const top = frames.at(-1);
    return top === undefined ? [] : [...top.path, top.keys ? top.key! : top.index];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const top = frames.at(-1);
    if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === "\\" ? 2 : 1;
      if (top?.keys && top.expectKey) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (top.keys.has(key))
          problems.push(
            `${formatPath([...top.path, key])}: is given twice in the same object (JSON keeps the last silently; remove one) at ${lineColumn(text, i)}`,
          );
        top.keys.add(key);
        top.key = key;
        top.expectKey = false;
      }
      i = end;
    } else if (c === "{" || c === "[") {
      if (frames.length >= MAX_CONFIG_DEPTH) {
        problems.push(
          `(file): nested more than ${MAX_CONFIG_DEPTH} levels deep at ${lineColumn(text, i)}; a configuration needs at most 6`,
        );
        return problems;
      }
      frames.push({ keys: c === "{" ? new Set() : undefined, path: childPath(), index: 0, expectKey: c === "{" });
    } else if (c === "}" || c === "]") {
      frames.pop();
    } else if (c === "," && top !== undefined) {
      if (top.keys) top.expectKey = true;
      else top.index += 1;
    }
  }
  return problems;
}

function parseYamlText(text: string, file: string): unknown {
  try {
    // YAML 1.2 core schema (no yes/no booleans), merge keys (<<) allowed, repeated keys refused;
    // the alias limit stops "billion laughs" expansion.
    return parseYaml(text, { schema: "core", merge: true, uniqueKeys: true, maxAliasCount: 100, prettyErrors: true });
  } catch (e) {
    const error = e as Error & { linePos?: { line: number; col: number }[] };
    const where = error.linePos?.[0] ? ` at line ${error.linePos[0].line}, column ${error.linePos[0].col}` : "";
    if (/Maximum call stack size exceeded/.test(error.message)) {
      throw fileProblem(file, `nested too deeply${where}; a configuration needs at most 6 levels`);
    }
    const plain = plainYamlError(text, (error as { code?: string }).code, error.linePos?.[0]?.line, error.message);
    if (plain !== undefined) throw fileProblem(file, `not valid YAML at line ${plain.line}: ${plain.what}`);
    // The message's first line, without the location and the quoted source lines that follow it.
    const what = error.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
    throw fileProblem(file, `not valid YAML${where}: ${what}`);
  }
}

/**
 * The YAML parser's commonest complaints in plain words, at the line that holds the mistake (the
 * parser names the line above it for a line indented too far). Undefined for any other error.
 */
export function plainYamlError(
  text: string,
  code: string | undefined,
  line: number | undefined,
  message: string,
): { line: number; what: string } | undefined {
  if (line === undefined) return undefined;
  const lines = text.split(/\r?\n/);
  const indent = (n: number) => /^ */.exec(lines[n - 1] ?? "")![0].length;
  const spaces = (n: number) => `${n} space${n === 1 ? "" : "s"}`;
  const next = (n: number) => {
    for (let i = n + 1; i <= lines.length; i++) if ((lines[i - 1] ?? "").trim() !== "" && !lines[i - 1]!.trim().startsWith("#")) return i;
    return undefined;
  };
  if (code === "BLOCK_AS_IMPLICIT_KEY") {
    const mistaken = next(line);
    if (mistaken !== undefined && indent(mistaken) > indent(line))
      return {
        line: mistaken,
        what: `indented ${spaces(indent(mistaken))}, more than the line above it (${indent(line)}): the keys of one mapping start at the same column`,
      };
  }
  if (code === "BAD_INDENT" && /mapping items must start at the same column/.test(message))
    return {
      line,
      what: `indented ${spaces(indent(line))}, unlike the keys before it in the same mapping: the keys of one mapping start at the same column`,
    };
  if (code === "BAD_INDENT" && /Flow sequence/.test(message)) return { line, what: "a [ … ] list above is not closed: end it with ]" };
  // Never quotes the line: a file may hold what must not be echoed.
  if (code === "MULTILINE_IMPLICIT_KEY") return { line, what: 'not "key: value" nor a list item: a colon after the key is missing' };
  if (code === "MISSING_CHAR" && /Sequence item without - indicator/.test(message))
    return {
      line,
      what: `indented ${spaces(indent(line))}, which places it in no list item and no mapping above it: indent it like the keys it belongs with`,
    };
  if (code === "MISSING_CHAR" && /closing "quote/.test(message))
    return { line, what: 'a string opened with " above is not closed: end it with "' };
  return undefined;
}
