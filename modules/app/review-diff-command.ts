/**
 * `review:diff <base> [<head>]`: what a change to the runners grants or revokes. Each side is a
 * synthesized stack folder (holding review.json), or a git ref, synthesized in a temporary
 * worktree with the same configuration path; the head defaults to the working tree. Writes
 * review-diff.md and review-diff.json and prints a short summary. docs/operations.md#reviewing-a-change
 * shows it in a merge-request pipeline.
 */
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { ReviewDiff, diffReviews } from "../model/review-diff";
import type { ReviewModel } from "../model/review-model";
import { REVIEW_MODEL_VERSION } from "../model/review-versions";
import { diffSummary, renderReviewDiff } from "../report/review-diff-report";

export const USAGE = `usage: review:diff <base> [<head>] [--out DIR] [--fail-on broadening] [--stack NAME] [--synth COMMAND]

  <base>, <head>  a synthesized stack folder (holding review.json, or cdktf.out with one stack),
                  or a git ref: synthesized in a temporary worktree with the same configuration
                  (GITLAB_RUNNER_ECR_CONFIG); a ref as <base> means its merge base with HEAD.
                  <head> defaults to the working tree, synthesized afresh.
  --out DIR       where review-diff.md and review-diff.json go (default: cdktf.out)
  --fail-on broadening
                  exit 2 when the change broadens access or trust (1 is kept for errors)
  --stack NAME    the stack to compare when a synthesis holds several
  --synth COMMAND how a working tree or ref is synthesized (default: npm run --silent synth)`;

/** Exit statuses: done, an error, the gate. */
export const EXIT = { ok: 0, error: 1, broadening: 2 } as const;

export interface DiffRun {
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

class UsageError extends Error {}

interface Options {
  readonly base: string;
  readonly head?: string;
  readonly out: string;
  readonly failOnBroadening: boolean;
  readonly stack?: string;
  readonly synth: string;
}

function parseArgs(argv: readonly string[]): Options {
  const positional: string[] = [];
  let out = "cdktf.out";
  let failOnBroadening = false;
  let stack: string | undefined;
  let synth = "npm run --silent synth";
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === "--out") out = value();
    else if (arg === "--stack") stack = value();
    else if (arg === "--synth") synth = value();
    else if (arg === "--fail-on") {
      const v = value();
      if (v !== "broadening") throw new UsageError(`--fail-on takes "broadening", not "${v}"`);
      failOnBroadening = true;
    } else if (arg.startsWith("--")) throw new UsageError(`unknown option ${arg}`);
    else positional.push(arg);
  }
  if (positional.length < 1 || positional.length > 2) throw new UsageError("give a base, and optionally a head");
  return {
    base: positional[0]!,
    ...(positional[1] !== undefined ? { head: positional[1] } : {}),
    out,
    failOnBroadening,
    ...(stack ? { stack } : {}),
    synth,
  };
}

function git(cwd: string, args: readonly string[]): { ok: boolean; out: string } {
  const r = spawnSync("git", args, { cwd, encoding: "utf8" });
  return { ok: r.status === 0, out: (r.stdout ?? "").trim() + (r.status === 0 ? "" : (r.stderr ?? "").trim()) };
}

/** review.json of the one stack (or `stack`) in a synthesized folder: a stack folder, or cdktf.out. */
function reviewIn(folder: string, stack: string | undefined, what: string): ReviewModel {
  let file = join(folder, "review.json");
  if (!existsSync(file)) {
    const stacks = existsSync(join(folder, "stacks"))
      ? readdirSync(join(folder, "stacks")).filter((s) => existsSync(join(folder, "stacks", s, "review.json")))
      : [];
    const chosen = stack !== undefined ? stacks.filter((s) => s === stack) : stacks;
    if (chosen.length !== 1) {
      throw new Error(
        stacks.length === 0
          ? `${what}: no review.json in ${folder} (a synthesis by a version without review.json, or not a synthesized folder)`
          : `${what}: ${folder} holds stacks ${stacks.join(", ")}; name one with --stack`,
      );
    }
    file = join(folder, "stacks", chosen[0]!, "review.json");
  }
  let model: ReviewModel;
  try {
    model = JSON.parse(readFileSync(file, "utf8")) as ReviewModel;
  } catch (e) {
    throw new Error(`${what}: ${file} is not JSON (${(e as Error).message})`);
  }
  if (model?.schema !== "gitlab-runner-ecr/review") throw new Error(`${what}: ${file} is not a review.json of gitlab-runner-ecr`);
  if (model.version !== REVIEW_MODEL_VERSION)
    throw new Error(`${what}: ${file} is review.json version ${model.version}; this tool reads version ${REVIEW_MODEL_VERSION}`);
  return model;
}

/** Runs the synthesis command in `dir`, into a fresh output folder; returns that folder. */
function synthesize(dir: string, command: string, env: NodeJS.ProcessEnv, what: string, scratch: string): string {
  const outdir = mkdtempSync(join(scratch, "out-"));
  const r = spawnSync(command, { cwd: dir, shell: true, encoding: "utf8", env: { ...env, CDKTF_OUTDIR: outdir } });
  if (r.status !== 0) throw new Error(`${what}: synthesis (${command}) failed:\n${`${r.stderr ?? ""}${r.stdout ?? ""}`.trim()}`);
  return outdir;
}

/** One side of the comparison: its review model and a label for the report. */
function side(
  arg: string | undefined,
  isBase: boolean,
  options: Options,
  run: DiffRun,
  scratch: string,
): { model: ReviewModel; label: string } {
  const what = isBase ? "base" : "head";
  if (arg === undefined) {
    const outdir = synthesize(run.cwd, options.synth, run.env, `${what} (the working tree)`, scratch);
    return { model: reviewIn(outdir, options.stack, what), label: "the working tree" };
  }
  const path = resolve(run.cwd, arg);
  if (existsSync(path)) {
    const folder = statSync(path).isDirectory() ? path : join(path, "..");
    return { model: reviewIn(folder, options.stack, what), label: `\`${arg}\`` };
  }
  const commit = git(run.cwd, ["rev-parse", "--verify", "--quiet", `${arg}^{commit}`]);
  if (!commit.ok) throw new Error(`${what}: "${arg}" is neither a folder nor a git ref of this repository`);
  let sha = commit.out;
  let label = `\`${arg}\` (${sha.slice(0, 12)})`;
  if (isBase) {
    const mergeBase = git(run.cwd, ["merge-base", sha, "HEAD"]);
    if (mergeBase.ok && mergeBase.out !== sha) {
      sha = mergeBase.out;
      label = `the merge base of \`${arg}\` and HEAD (${sha.slice(0, 12)})`;
    }
  }
  const top = git(run.cwd, ["rev-parse", "--show-toplevel"]).out;
  const tree = join(scratch, `tree-${what}`);
  const added = git(run.cwd, ["worktree", "add", "--detach", "--quiet", tree, sha]);
  if (!added.ok) throw new Error(`${what}: cannot check out ${arg}: ${added.out}`);
  try {
    // The worktree uses this checkout's installed packages.
    if (existsSync(join(top, "node_modules")) && !existsSync(join(tree, "node_modules")))
      symlinkSync(join(top, "node_modules"), join(tree, "node_modules"));
    // In this project's own repository the worktree starts from this checkout's build too:
    // tools/build.js rebuilds it unless the ref's sources hash the same.
    if (existsSync(join(top, "dist", ".source-hash")) && existsSync(join(tree, "tools", "build.js")) && !existsSync(join(tree, "dist")))
      cpSync(join(top, "dist"), join(tree, "dist"), { recursive: true });
    const dir = join(tree, relative(top, run.cwd));
    const outdir = synthesize(dir, options.synth, run.env, `${what} ${arg}`, scratch);
    return { model: reviewIn(outdir, options.stack, `${what} ${arg}`), label };
  } finally {
    git(run.cwd, ["worktree", "remove", "--force", tree]);
  }
}

/** Compares, writes review-diff.md and review-diff.json, prints the summary; returns the exit status. */
export function runReviewDiff(run: DiffRun): number {
  let options: Options;
  try {
    options = parseArgs(run.argv);
  } catch (e) {
    run.stderr(`review:diff: ${(e as Error).message}\n${USAGE}\n`);
    return EXIT.error;
  }
  const scratch = mkdtempSync(join(tmpdir(), "gitlab-runner-ecr-review-diff-"));
  try {
    const base = side(options.base, true, options, run, scratch);
    const head = side(options.head, false, options, run, scratch);
    const diff: ReviewDiff = diffReviews(base.model, head.model, { base: base.label, head: head.label });
    const out = resolve(run.cwd, options.out);
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, "review-diff.md"), renderReviewDiff(diff));
    writeFileSync(join(out, "review-diff.json"), `${JSON.stringify(diff, null, 2)}\n`);
    run.stdout(`${diffSummary(diff)}\n`);
    for (const c of diff.changes.filter((x) => x.class === "broadening")) run.stdout(`  broadening: ${c.text}\n`);
    run.stdout(`Written: ${join(options.out, "review-diff.md")}, review-diff.json\n`);
    return options.failOnBroadening && diff.counts.broadening > 0 ? EXIT.broadening : EXIT.ok;
  } catch (e) {
    run.stderr(`review:diff: ${(e as Error).message}\n`);
    return EXIT.error;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
