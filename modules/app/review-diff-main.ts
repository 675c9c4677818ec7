#!/usr/bin/env node
// The review:diff command (package bin gitlab-runner-ecr-review-diff): see review-diff-command.ts.
import { runReviewDiff } from "./review-diff-command";

// A reader that stops early (`| head`) closes the pipe: the files are written by then, so the
// rest of the summary is dropped instead of ending in an unhandled EPIPE and its stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE") throw e;
  });
}

process.exitCode = runReviewDiff({
  argv: process.argv.slice(2),
  env: process.env,
  cwd: process.cwd(),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
