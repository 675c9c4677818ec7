import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/**
 * Tests that need programs outside node_modules (Debian packages that tools/install-system-deps.sh
 * installs). With REQUIRE_SYSTEM_TOOLS=1 (set by .ci/run) a missing program fails the suite loudly;
 * otherwise the suite is skipped with a note, so a developer without the packages can still run the
 * rest, and a skipped suite is reported by jest as skipped, never as passed.
 */

/** Read on each call, so a test can change it. */
export function systemToolsRequired(): boolean {
  return process.env.REQUIRE_SYSTEM_TOOLS === "1";
}

/** Absolute path of an executable on PATH, or undefined. */
export function findOnPath(binary: string, path: string = process.env.PATH ?? ""): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, binary);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

export class MissingSystemToolError extends Error {}

/**
 * Whether the tests that need `binary` should run. Missing: throws under REQUIRE_SYSTEM_TOOLS=1,
 * else logs a note and returns false. `howToInstall` is a Debian package name (then the message
 * points at tools/install-system-deps.sh) or, for a program that is not packaged, a sentence.
 */
export function requireTool(binary: string, howToInstall: string): boolean {
  if (findOnPath(binary) !== undefined) return true;
  const message = /^[a-z0-9][a-z0-9.+-]*$/.test(howToInstall)
    ? `'${binary}' is not on PATH: install the Debian package '${howToInstall}' ` +
      `(tools/install-system-deps.sh installs every package the tests need)`
    : `'${binary}' is not on PATH (${howToInstall})`;
  if (systemToolsRequired()) throw new MissingSystemToolError(`${message}; REQUIRE_SYSTEM_TOOLS=1, so this is a failure`);
  console.warn(`SKIPPED: ${message}`);
  return false;
}

/** All of them (each is checked, so the note names every missing package). */
export function requireTools(tools: ReadonlyArray<readonly [binary: string, howToInstall: string]>): boolean {
  return tools.map(([b, p]) => requireTool(b, p)).every(Boolean);
}

/** `describe`, or `describe.skip` when a required tool is missing (decided at load time). */
export function describeWithTools(tools: ReadonlyArray<readonly [binary: string, howToInstall: string]>): jest.Describe {
  return requireTools(tools) ? describe : describe.skip;
}

/** Environment for running terraform offline: no CLI config, no version check. */
export const TERRAFORM_ENV = { ...process.env, TF_CLI_CONFIG_FILE: "/dev/null", CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1" };
