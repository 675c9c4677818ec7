/**
 * The ready-made app (main.ts runs it): load and validate the configuration, synthesize the stack
 * into a staging folder beside the output, and move the result into place only when every check
 * passed. A bad configuration or a failing security rule leaves the previous output as it was (or
 * none), and each stack folder ends up with exactly the Terraform document just written.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { Annotations, App, AnnotationMetadataEntryType } from "cdktf";
import { ConfigError } from "../config/parse";
import { loadConfig } from "./load-config";
import { GitlabRunnerStack } from "../constructs/gitlab-runner-stack";
import { placeholderWarning } from "./placeholders";
import { DEPLOYER_POLICY_PART } from "../iam/deployer-policy";
import { acknowledgeAdvice } from "../rules/aspect";

/**
 * What a synthesis writes into a stack folder: the Terraform document (cdk.tf.json, or cdk.tf with
 * `--hcl` and its metadata.json), review.md, review.json, deployer-policy.json and its parts
 * (deployer-policy.<n>.json, as many as the policy needs). What the last synthesis did not write goes, so a
 * folder never holds two documents (Terraform would read both: "Duplicate module call").
 */
const SYNTHESIZED_FILES = ["cdk.tf.json", "cdk.tf", "metadata.json", "review.md", "review.json", "deployer-policy.json"];

const VALIDATION_HEADER = /^Validation failed with the following errors:\n/;

/** What a failed validation says instead of cdktf's advice to skip validations. */
export const ACKNOWLEDGE_HINT =
  "Each line names a construct and a security rule. To accept a finding on purpose, acknowledge it with a reason: " +
  "fleets[].acknowledge in the configuration file (for a fleet's own constructs), or acknowledgeRule(construct, ruleId, reason) " +
  "in code. The reason is listed in review.md.";

export interface AppRun {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Where problems are written (process.stderr for the real app). */
  readonly stderr: (text: string) => void;
}

/** The `config` value of cdktf.json "context", which the cdktf CLI passes in CDKTF_CONTEXT_JSON. */
function contextConfigPath(env: NodeJS.ProcessEnv): unknown {
  try {
    return (JSON.parse(env.CDKTF_CONTEXT_JSON ?? "{}") as { config?: unknown }).config;
  } catch {
    return undefined;
  }
}

/**
 * Moves a finished synthesis from `staging` into `outdir`: each stack's files replace their
 * namesakes, what an earlier synthesis wrote and this one did not is removed (anything else in the
 * stack folder, such as .terraform/, stays), and manifest.json comes last, since the cdktf CLI
 * reads it.
 */
function promote(staging: string, outdir: string): void {
  const stacks = join(staging, "stacks");
  for (const stack of existsSync(stacks) ? readdirSync(stacks) : []) {
    const from = join(stacks, stack);
    const to = join(outdir, "stacks", stack);
    mkdirSync(to, { recursive: true });
    const written = readdirSync(from);
    for (const file of written) renameSync(join(from, file), join(to, file));
    const parts = readdirSync(to).filter((f) => DEPLOYER_POLICY_PART.test(f));
    for (const stale of [...SYNTHESIZED_FILES, ...parts].filter((d) => !written.includes(d))) rmSync(join(to, stale), { force: true });
  }
  for (const file of readdirSync(staging).filter((f) => f !== "stacks")) renameSync(join(staging, file), join(outdir, file));
}

/** Warnings the constructs left (a deprecated executor, say), as `[construct path] message`. */
function warnings(app: App): string[] {
  return app.node
    .findAll()
    .flatMap((c) =>
      c.node.metadata.filter((m) => m.type === AnnotationMetadataEntryType.WARN).map((m) => `[${c.node.path}] ${String(m.data)}`),
    );
}

/**
 * Synthesizes `build`'s stacks with review.md beside each, as JSON or (`hcl`) HCL; nothing reaches
 * `outdir` unless all of it succeeded. Returns the constructs' warnings.
 */
export function synthesizeInto(outdir: string, build: (app: App) => GitlabRunnerStack[], hcl = false): string[] {
  const parent = dirname(outdir);
  mkdirSync(parent, { recursive: true });
  const staging = mkdtempSync(join(parent, `.${basename(outdir)}.staging-`));
  try {
    const app = new App({ outdir: staging, hclOutput: hcl });
    build(app);
    app.synth(); // review.md and review.json too: GitlabRunnerEcr writes them beside each document
    mkdirSync(outdir, { recursive: true });
    promote(staging, outdir);
    return warnings(app);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Runs the app; returns the exit status. Problems go to `stderr`, once, without a stack trace. */
export function runApp({ env, cwd, stderr }: AppRun): number {
  try {
    // Everything is validated before anything is built or written.
    const { config, source, placeholders } = loadConfig({ env, cwd, contextPath: contextConfigPath(env) });
    const outdir = resolve(cwd, env.CDKTF_OUTDIR ?? "cdktf.out");
    const placeholder = placeholderWarning(basename(source), placeholders);
    const build = (app: App) => {
      const stack = new GitlabRunnerStack(app, config.value.name, config);
      // An annotation, so the cdktf CLI (which reads manifest.json) shows it as well as this app.
      if (placeholder !== undefined) Annotations.of(stack).addWarning(placeholder);
      return [stack];
    };
    const warned = synthesizeInto(outdir, build, env.SYNTH_HCL_OUTPUT === "true");
    // The cdktf CLI prints the warnings it finds in manifest.json itself (it sets this variable).
    if (env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS !== "true") for (const w of warned) stderr(`warning: ${w}\n`);
    return 0;
  } catch (e) {
    if (e instanceof ConfigError) {
      stderr(`${e.message}\n`);
    } else if (e instanceof Error && VALIDATION_HEADER.test(e.message)) {
      const findings = e.message.replace(VALIDATION_HEADER, "").split("\n\n")[0]!.trimEnd();
      stderr(
        `error: synthesis stopped by these checks; nothing was written:\n${findings}\n${acknowledgeAdvice(findings, ACKNOWLEDGE_HINT)}\n`,
      );
    } else {
      // A bug: the message, without a stack trace unless DEBUG is set.
      stderr(`error: ${e instanceof Error ? (env.DEBUG ? e.stack : e.message) : String(e)}\n`);
    }
    return 1;
  }
}
