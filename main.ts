// The ready-made app: `npx cdktf synth` synthesizes the configuration named by
// GITLAB_RUNNER_ECR_CONFIG (JSON or YAML), or the embedded example when none is named.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { App } from "cdktf";
import { ConfigError } from "./modules/config";
import { loadConfig } from "./modules/config-loader";
import { GitlabRunnerStack } from "./modules/gitlab-runner-stack";
import { dropCdktfDeprecationWarning } from "./modules/node-warnings";

/** The `config` value of cdktf.json "context", which the cdktf CLI passes in CDKTF_CONTEXT_JSON. */
function contextConfigPath(): unknown {
  try {
    return (JSON.parse(process.env.CDKTF_CONTEXT_JSON ?? "{}") as { config?: unknown }).config;
  } catch {
    return undefined;
  }
}

function main(): void {
  dropCdktfDeprecationWarning();
  // Validate everything before the App exists: creating it already makes the output folder, and
  // bad input must leave nothing behind.
  const { config } = loadConfig({ contextPath: contextConfigPath() });
  const app = new App();
  const stack = new GitlabRunnerStack(app, config.name, config);
  app.synth();
  // After a successful synthesis (rules and validations passed): the review report beside cdk.tf.json.
  writeFileSync(join(app.outdir, "stacks", stack.node.id, "review.md"), stack.runners.reviewReport());
}

try {
  main();
} catch (e) {
  if (e instanceof ConfigError) {
    process.stderr.write(`${e.message}\n`);
  } else {
    // A failed synthesis-time check (cdktf validation) or a bug: the message, without a stack
    // trace unless DEBUG is set.
    process.stderr.write(`error: ${e instanceof Error ? (process.env.DEBUG ? e.stack : e.message) : String(e)}\n`);
  }
  process.exit(1);
}
