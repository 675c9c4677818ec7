import { spawnSync } from "node:child_process";

/**
 * Whether tests that need `binary` (a program on PATH) should run. Without it they are skipped,
 * visibly; with REQUIRE_SYSTEM_TOOLS=1 (set by .ci/run) a missing program fails the suite instead,
 * so CI can never pass by skipping.
 */
export function requireTool(binary: string, howToInstall: string): boolean {
  const found = spawnSync("sh", ["-c", `command -v ${binary}`], { encoding: "utf8" }).status === 0;
  if (found) return true;
  const message = `${binary} is not on PATH (${howToInstall})`;
  if (process.env.REQUIRE_SYSTEM_TOOLS === "1") throw new Error(`${message}; REQUIRE_SYSTEM_TOOLS=1 forbids skipping`);
  // eslint-disable-next-line no-console
  console.warn(`skipping: ${message}`);
  return false;
}

/** Environment for running terraform offline: no CLI config, no version check. */
export const TERRAFORM_ENV = { ...process.env, TF_CLI_CONFIG_FILE: "/dev/null", CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1" };
