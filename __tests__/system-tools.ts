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
 * Whether the tests that need `binary` should run. Missing: throws under REQUIRE_SYSTEM_TOOLS=1
 * (naming the Debian package), else logs a note and returns false.
 */
export function requireTool(binary: string, debianPackage: string): boolean {
  if (findOnPath(binary) !== undefined) return true;
  const message =
    `'${binary}' is not on PATH: install the Debian package '${debianPackage}' ` +
    `(tools/install-system-deps.sh installs every package the tests need)`;
  if (systemToolsRequired()) throw new MissingSystemToolError(`${message}; REQUIRE_SYSTEM_TOOLS=1, so this is a failure`);
  console.warn(`SKIPPED: ${message}`);
  return false;
}

/** All of them (each is checked, so the note names every missing package). */
export function requireTools(tools: ReadonlyArray<readonly [binary: string, debianPackage: string]>): boolean {
  return tools.map(([b, p]) => requireTool(b, p)).every(Boolean);
}

/** `describe`, or `describe.skip` when a required tool is missing (decided at load time). */
export function describeWithTools(
  tools: ReadonlyArray<readonly [binary: string, debianPackage: string]>,
): jest.Describe {
  return requireTools(tools) ? describe : describe.skip;
}
