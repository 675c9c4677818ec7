// examples/gitlab-ci.example.yml is the application pipeline for the embedded default configuration
// (what `npx cdktf synth` builds without a file). This test synthesizes that configuration and
// holds the pipeline to what the synthesized stack grants: every job names the tags of one fleet
// that exists (no untagged job: no runner takes them), the registry is the stack's, every job that
// pushes runs on a fleet whose jobs may push, only on the default branch or a tag (protected refs),
// and jobs of a fleet that may not push push nothing. Read from review.json's model, not from the
// configuration's lists.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Testing } from "cdktf";
import { parse } from "yaml";
import { DEFAULT_CONFIG } from "../../modules/app/default-config";
import { GitlabRunnerStack } from "../../modules/constructs/gitlab-runner-stack";
import { reviewModelOf } from "../../modules/report/review-report";
import { testApp } from "../support/helpers";

const PIPELINE = join(__dirname, "..", "..", "examples", "gitlab-ci.example.yml");
const KEYWORDS = new Set([
  "variables",
  "default",
  "stages",
  "workflow",
  "include",
  "image",
  "services",
  "cache",
  "before_script",
  "after_script",
]);
/** Conditions under which a job runs only on refs GitLab can protect: the default branch, a tag. */
const PROTECTED_REF = /^(\$CI_COMMIT_BRANCH == \$CI_DEFAULT_BRANCH|\$CI_COMMIT_TAG)( &&|$)/;
/**
 * Commands that always write to a registry. The build jobs' `--cache-to` is written only when the
 * script finds itself on the default branch, a runtime condition that
 * __tests__/docker/example-pipeline.test.ts checks by running the script per pipeline.
 */
const PUSHES = /docker push|--push\b|build-and-push\.sh/;

type Job = { tags?: string[]; rules?: { if?: string; when?: string }[]; script?: string[]; extends?: string | string[] };

/** A job with its `extends` applied (GitLab merges hashes; later templates and the job win; lists are replaced). */
function resolve(all: Record<string, any>, name: string): Job {
  const job = all[name] as Job;
  const parents = [job.extends ?? []].flat().map((p) => resolve(all, p));
  return Object.assign({}, ...parents, job);
}

function pipelineAgainst(pipelineText: string) {
  const stack = new GitlabRunnerStack(testApp(), "test", DEFAULT_CONFIG);
  Testing.synth(stack, true);
  const model = reviewModelOf(stack.runners);
  const pipeline = parse(pipelineText) as Record<string, any>;
  const jobs = Object.keys(pipeline)
    .filter((k) => !k.startsWith(".") && !KEYWORDS.has(k))
    .map((name) => ({ name, ...resolve(pipeline, name) }));
  return { model, pipeline, jobs };
}

/** Every way the pipeline disagrees with the synthesized stack, one line each. */
function disagreements(pipelineText: string): string[] {
  const { model, pipeline, jobs } = pipelineAgainst(pipelineText);
  const out: string[] = [];
  const host = String(model.fleets[0]!.defaultImage).split("/")[0];
  if (pipeline.variables?.ECR_REGISTRY !== host)
    out.push(`ECR_REGISTRY ${pipeline.variables?.ECR_REGISTRY} is not the stack's registry ${host}`);
  for (const job of jobs) {
    const tags = job.tags ?? [];
    const fleets = model.fleets.filter((f) => tags.length > 0 && tags.every((t) => (f.gitlab.tags as string[]).includes(t)));
    if (fleets.length !== 1) {
      out.push(`${job.name}: tags ${JSON.stringify(tags)} name no one fleet of ${model.fleets.map((f) => f.name).join(", ")}`);
      continue;
    }
    const fleet = fleets[0]!;
    const script = (job.script ?? []).join("\n");
    if (!PUSHES.test(script)) continue;
    if (!fleet.gitlab.jobsMayPush) out.push(`${job.name}: pushes on fleet ${fleet.name}, whose jobs may not push`);
    if (!fleet.gitlab.protected) out.push(`${job.name}: pushes on fleet ${fleet.name}, whose runner is not protected`);
    const rules = job.rules ?? [];
    if (rules.length === 0 || rules.some((r) => r.if === undefined || !PROTECTED_REF.test(r.if)))
      out.push(`${job.name}: pushes, and may run on a ref other than the default branch or a tag`);
  }
  return out;
}

const text = readFileSync(PIPELINE, "utf8");

test("the example pipeline agrees with the default configuration as synthesized", () => {
  expect(disagreements(text)).toEqual([]);
});

test("it names both fleets, and its push jobs run on the fleet that may push", () => {
  const { jobs } = pipelineAgainst(text);
  expect(new Set(jobs.flatMap((j) => j.tags ?? []))).toEqual(new Set(["autoscaler", "merge-requests"]));
  expect(
    jobs
      .filter((j) => PUSHES.test((j.script ?? []).join("\n")))
      .map((j) => j.name)
      .sort(),
  ).toEqual(["ci-image", "push"]);
});

// The check itself, on pipelines broken on purpose: each must be found.
test.each([
  [
    "a tag no fleet has",
    (t: string) => t.replace("    - autoscaler\n  rules:", "    - scale\n  rules:"),
    /tags \["scale"\] name no one fleet/,
  ],
  [
    "the push job on the merge-request fleet",
    (t: string) => t.replace("push:\n  extends: .trusted", "push:\n  extends: .merge-request"),
    /push: pushes on fleet merge-requests, whose jobs may not push/,
  ],
  [
    "the push job on any branch",
    (t: string) => t.replace("    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH\n    - if: $CI_COMMIT_TAG", "    - if: $CI_COMMIT_BRANCH"),
    /push: pushes, and may run on a ref other than the default branch or a tag/,
  ],
  [
    "another account's registry",
    (t: string) => t.replace("ECR_REGISTRY: 123456789012.", "ECR_REGISTRY: 111122223333."),
    /ECR_REGISTRY .* is not the stack's registry/,
  ],
  [
    "an untagged job",
    (t: string) => t.replace("  tags:\n    - autoscaler\n  needs: []", "  needs: []"),
    /ci-image: tags \[\] name no one fleet/,
  ],
])("a pipeline with %s disagrees", (_what, breakIt, expected) => {
  const broken = breakIt(text);
  expect(broken).not.toBe(text);
  expect(disagreements(broken).join("\n")).toMatch(expected);
});
