// The ready-made app: `npx cdktf synth` (or `npm run synth`) synthesizes the configuration named by
// GITLAB_RUNNER_ECR_CONFIG (JSON or YAML), or the embedded example when none is named.
import { runApp } from "./modules/app/app";
import { dropKnownWarnings } from "./modules/support/node-warnings";

dropKnownWarnings();
process.exitCode = runApp({ env: process.env, cwd: process.cwd(), stderr: (text) => process.stderr.write(text) });
