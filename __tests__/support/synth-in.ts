import { join } from "node:path";
import { Testing } from "cdktf";
import { RunnerStackConfigInput } from "../../modules/config/parse";
import { DEFAULT_CONFIG } from "../../modules/app/default-config";
import { GitlabRunnerStack } from "../../modules/constructs/gitlab-runner-stack";
import { Synth, TerraformJson } from "./helpers";

/**
 * Like helpers' synth(), but cdktf's app directory goes under `dir` (which the caller removes)
 * instead of a new /tmp/cdktf.outdir.* that nothing deletes: for tests that promise to leave no
 * temp dir behind.
 */
export function synthIn(dir: string, config: RunnerStackConfigInput = DEFAULT_CONFIG): Synth {
  const app = Testing.app({ outdir: join(dir, "cdktf.outdir") });
  const stack = new GitlabRunnerStack(app, "test", config);
  const text = Testing.synth(stack);
  return { text, json: JSON.parse(text) as TerraformJson };
}
