import { join } from "node:path";
import { App, TerraformStack, Testing } from "cdktf";
import { RunnerStackConfigInput } from "../../modules/config/parse";
import { DEFAULT_CONFIG } from "../../modules/app/default-config";
import { GitlabRunnerStack } from "../../modules/constructs/gitlab-runner-stack";
import { EXECUTORS, Executor, RECOMMENDED_EXECUTOR } from "../../modules/executors";
import { tempFolder } from "./temp-folder";

/** The synthesized cdk.tf.json of a stack, as text and parsed. */
export interface Synth {
  readonly text: string;
  readonly json: TerraformJson;
}

export interface TerraformJson {
  terraform: Record<string, any>;
  provider: Record<string, any[]>;
  resource: Record<string, Record<string, any>>;
  module: Record<string, Record<string, any>>;
  output: Record<string, { value: unknown }>;
}

// One folder per test file, removed after its tests (tempFolder).
let appOutdir: string | undefined;

/**
 * A test App. Testing.app() makes a new /tmp/cdktf.outdir.* for every app and never removes it
 * (thousands per test run); these share one folder per test file, removed after its tests.
 * Testing.synth writes nothing there.
 */
export function testApp(): App {
  appOutdir ??= tempFolder("gitlab-runner-ecr-test-");
  return Testing.app({ outdir: join(appOutdir, "cdktf.out") });
}

/** Synthesizes with validations (as cdktf synth does); returns the error message, or "ok". */
export function synthOutcome(stack: TerraformStack): string {
  try {
    Testing.synth(stack, true);
    return "ok";
  } catch (e) {
    return (e as Error).message;
  }
}

export function synth(config: RunnerStackConfigInput = DEFAULT_CONFIG): Synth {
  const app = testApp();
  const stack = new GitlabRunnerStack(app, "test", config);
  // With validations, as `cdktf synth` runs them: policy limits and the security rules.
  const text = Testing.synth(stack, true);
  return { text, json: JSON.parse(text) as TerraformJson };
}

/**
 * Fleet `f` of `executor` in account 111122223333 (eu-central-1), the trusted fleet, beside fleet
 * `u`, an untrusted fleet of the recommended executor (docker-autoscaler). Repositories: apps/web (every fleet pulls, f pushes),
 * apps/base (job image; only f pulls) and shared/tools in account 444455556666, us-east-1 (job
 * image; every fleet pulls). CI image ci/image:2.0.0, pushed by f. Cache bucket acme-runner-cache.
 * The IAM tests write their expectations against this configuration.
 */
export function acmeConfig(executor: Executor): RunnerStackConfigInput {
  return {
    name: "acme",
    aws: { region: "eu-central-1", accountId: "111122223333" },
    network: { vpcId: "vpc-0123456789abcdef0", subnetIds: ["subnet-0123456789abcdef0"] },
    gitlab: { url: "https://gitlab.example.com" },
    ciImage: { repositoryName: "ci/image", tag: "2.0.0", push: ["f"] },
    repositories: [
      { name: "apps/web", push: ["f"] },
      { name: "apps/base", pull: ["f"], usedAsJobImage: true },
      { arn: "arn:aws:ecr:us-east-1:444455556666:repository/shared/tools", usedAsJobImage: true },
    ],
    cache: { bucketName: "acme-runner-cache" },
    fleets: [
      {
        name: "f",
        executor,
        runnerTokenSsmParameter: "/acme/runner-token",
        ...(EXECUTORS[executor].jobsRunOn === "manager"
          ? { acknowledge: { "jobs-not-on-manager": `Test fixture: the ${executor} executor's grants are under test` } }
          : { workers: { instanceTypes: ["m6i.large"], maxInstances: 3 } }),
      },
      { name: "u", executor: RECOMMENDED_EXECUTOR, runnerTokenSsmParameter: "/acme/untrusted-token", workers: {} },
    ],
  };
}

/**
 * A deep copy of the default configuration with some fields replaced. When the patch replaces the
 * fleets, the default's push lists (which name the default fleets) are emptied unless the patch
 * sets ciImage or repositories itself.
 */
export function configWith(patch: Partial<RunnerStackConfigInput>): RunnerStackConfigInput {
  const base = structuredClone(DEFAULT_CONFIG);
  if (patch.fleets !== undefined) {
    base.ciImage = { ...base.ciImage, push: [] };
    base.repositories = (base.repositories ?? []).map((r) => ({ ...r, push: [] }));
  }
  return { ...base, ...structuredClone(patch) };
}

export interface Statement {
  Sid: string;
  Effect: string;
  Action: string[];
  Resource: string[];
}

/** The policy document of aws_iam_policy.<name>, parsed. */
export function policyDocument(json: TerraformJson, name: string): { Version: string; Statement: Statement[] } {
  const policy = json.resource.aws_iam_policy?.[name];
  if (!policy) throw new Error(`no aws_iam_policy.${name}; have ${Object.keys(json.resource.aws_iam_policy ?? {}).join(", ")}`);
  return JSON.parse(policy.policy as string);
}

/** action -> sorted resources, over all statements of a document: the effective grant. */
export function grants(doc: { Statement: Statement[] }): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const s of doc.Statement) {
    expect(s.Effect).toBe("Allow");
    for (const a of s.Action) out[a] = [...new Set([...(out[a] ?? []), ...s.Resource])].sort();
  }
  return out;
}

/** The policy names a module instance receives through one of its policy_arns lists. */
export function attachedPolicies(module: Record<string, any>, variable: string): string[] {
  const arns: string[] = module[variable]?.policy_arns ?? [];
  return arns.map((arn) => {
    const m = /^\$\{aws_iam_policy\.([^.]+)\.arn\}$/.exec(arn);
    if (!m) throw new Error(`unexpected policy ARN expression ${arn}`);
    return m[1]!;
  });
}
