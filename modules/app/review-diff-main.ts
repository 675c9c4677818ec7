#!/usr/bin/env node
// The review:diff command (package bin gitlab-runner-ecr-review-diff): see review-diff-command.ts.
import { runReviewDiff } from "./review-diff-command";

process.exitCode = runReviewDiff({
  argv: process.argv.slice(2),
  env: process.env,
  cwd: process.cwd(),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
