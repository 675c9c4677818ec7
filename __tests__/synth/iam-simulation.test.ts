// The IAM contract, evaluated by a real IAM policy evaluator (@cloud-copilot/iam-simulate) instead
// of hand-written matching. Every synthesized policy is made concrete first (Terraform references
// replaced by ARNs of the test account) and refused if a Resource is neither "*" nor a full ARN:
// the evaluator treats a non-ARN Resource as matching everything (proven below), so a leftover
// token would make every check pass.
//
// The expected decisions in MATRIX are written by hand from the rules, not from production code:
// - ECR pull = BatchCheckLayerAvailability, BatchGetImage, GetDownloadUrlForLayer; push =
//   CompleteLayerUpload, InitiateLayerUpload, PutImage, UploadLayerPart (push implies pull);
//   ecr:GetAuthorizationToken on "*" for every role that pulls.
// - Cache: s3:GetObject and s3:PutObject on the bucket's objects, s3:ListBucket on the bucket (what
//   the manager pre-signs; never versions or deletes).
// - Fleet f (MATRIX, one stack per executor): in ciImage.push, in apps/web's push list, in every
//   pull list. docker: the manager runs jobs: pulls the CI image and every repository, pushes the CI
//   image and apps/web, uses the cache; there is no worker role. docker+machine,
//   docker-autoscaler: the manager pulls its job images only (CI image, apps/base, shared/tools)
//   and uses the cache; the workers pull the CI image and every repository, push the CI image and
//   apps/web, no cache.
// - Fleet u (TRUST_MATRIX): named in no push list and left out of apps/base's pull list: it pulls
//   what its lists allow and pushes nothing.
// - Everything else is implicitly denied (not explicitly: the stack writes no Deny).
import { runSimulation } from "@cloud-copilot/iam-simulate";
import type { PolicyDocument } from "../../modules/iam/managed-policy";
import { acmeConfig as config, attachedPolicies, synth, TerraformJson } from "../support/helpers";
import {
  actionExists,
  assertConcrete,
  concretePolicies,
  Decision,
  everyActionOf,
  pick,
  simulate,
  simulateRequest,
  substituteReferences,
  testAccountOf,
  unknownActions,
} from "../support/iam-simulator";

type Executor = "docker" | "docker+machine" | "docker-autoscaler";
type Role = "manager" | "worker";

const ACCOUNT = "111122223333";
const CI = "arn:aws:ecr:eu-central-1:111122223333:repository/ci/image";
const WEB = "arn:aws:ecr:eu-central-1:111122223333:repository/apps/web";
const BASE = "arn:aws:ecr:eu-central-1:111122223333:repository/apps/base";
const TOOLS = "arn:aws:ecr:us-east-1:444455556666:repository/shared/tools";
const BUCKET = "arn:aws:s3:::acme-runner-cache";

/** Request resources by label: the ARN, and the resource type IAM must match it to for the action. */
const RESOURCES = {
  "*": { arn: "*", type: undefined }, // only for wildcard-only actions (ecr:GetAuthorizationToken)
  ci: { arn: CI, type: "repository" }, // the CI image repository (created by the stack)
  web: { arn: WEB, type: "repository" }, // application repository, pull-push
  base: { arn: BASE, type: "repository" }, // application repository, pull, usedAsJobImage
  tools: { arn: TOOLS, type: "repository" }, // existing repository of another account, pull, usedAsJobImage
  unconfigured: { arn: "arn:aws:ecr:eu-central-1:111122223333:repository/apps/other", type: "repository" },
  "web@us-west-2": { arn: "arn:aws:ecr:us-west-2:111122223333:repository/apps/web", type: "repository" }, // same name, another region
  "web@999988887777": { arn: "arn:aws:ecr:eu-central-1:999988887777:repository/apps/web", type: "repository" }, // same name, another account
  bucket: { arn: BUCKET, type: "bucket" }, // the cache bucket
  object: { arn: `${BUCKET}/runner/abc123/project/42/default-protected`, type: "object" }, // a cache object
  otherBucket: { arn: "arn:aws:s3:::acme-other-bucket", type: "bucket" },
  otherObject: { arn: "arn:aws:s3:::acme-other-bucket/runner/abc123/project/42/default-protected", type: "object" },
  role: { arn: "arn:aws:iam::111122223333:role/acme-admin", type: "role" }, // some other role of the account
  "iam (each action)": { arn: "(expanded: every IAM action on a resource of its own type)", type: "(per action)" },
} as const;
type Label = keyof typeof RESOURCES;

const A: Decision = "Allowed";
const D: Decision = "ImplicitlyDenied";

/** One row per request: executor, role, action, resource label, expected decision. "iam:*" expands to every IAM action. */
const MATRIX: readonly (readonly [Executor, Role, string, Label, Decision])[] = [
  // docker: the manager runs the jobs
  ["docker", "manager", "ecr:GetAuthorizationToken", "*", A],
  ["docker", "manager", "ecr:BatchCheckLayerAvailability", "ci", A],
  ["docker", "manager", "ecr:PutImage", "ci", A],
  ["docker", "manager", "ecr:BatchCheckLayerAvailability", "web", A],
  ["docker", "manager", "ecr:BatchGetImage", "web", A],
  ["docker", "manager", "ecr:GetDownloadUrlForLayer", "web", A],
  ["docker", "manager", "ecr:InitiateLayerUpload", "web", A],
  ["docker", "manager", "ecr:UploadLayerPart", "web", A],
  ["docker", "manager", "ecr:CompleteLayerUpload", "web", A],
  ["docker", "manager", "ecr:PutImage", "web", A],
  ["docker", "manager", "ecr:GetDownloadUrlForLayer", "base", A],
  ["docker", "manager", "ecr:PutImage", "base", D],
  ["docker", "manager", "ecr:BatchGetImage", "tools", A],
  ["docker", "manager", "ecr:PutImage", "tools", D],
  ["docker", "manager", "ecr:BatchGetImage", "unconfigured", D],
  ["docker", "manager", "ecr:PutImage", "unconfigured", D],
  ["docker", "manager", "ecr:BatchGetImage", "web@us-west-2", D],
  ["docker", "manager", "ecr:PutImage", "web@us-west-2", D],
  ["docker", "manager", "ecr:BatchGetImage", "web@999988887777", D],
  ["docker", "manager", "ecr:PutImage", "web@999988887777", D],
  ["docker", "manager", "ecr:DeleteRepository", "web", D],
  ["docker", "manager", "s3:GetObject", "object", A],
  ["docker", "manager", "s3:GetObjectVersion", "object", D],
  ["docker", "manager", "s3:PutObject", "object", A],
  ["docker", "manager", "s3:DeleteObject", "object", D],
  ["docker", "manager", "s3:ListBucket", "bucket", A],
  ["docker", "manager", "s3:GetObject", "otherObject", D],
  ["docker", "manager", "s3:GetObjectVersion", "otherObject", D],
  ["docker", "manager", "s3:PutObject", "otherObject", D],
  ["docker", "manager", "s3:DeleteObject", "otherObject", D],
  ["docker", "manager", "s3:ListBucket", "otherBucket", D],
  ["docker", "manager", "s3:DeleteBucket", "bucket", D],
  ["docker", "manager", "iam:PassRole", "role", D],
  ["docker", "manager", "iam:CreateRole", "role", D],
  ["docker", "manager", "iam:*", "iam (each action)", D],

  // docker+machine: the manager pulls job images only and uses the cache
  ["docker+machine", "manager", "ecr:GetAuthorizationToken", "*", A],
  ["docker+machine", "manager", "ecr:BatchCheckLayerAvailability", "ci", A],
  ["docker+machine", "manager", "ecr:PutImage", "ci", D],
  ["docker+machine", "manager", "ecr:BatchCheckLayerAvailability", "web", D],
  ["docker+machine", "manager", "ecr:BatchGetImage", "web", D],
  ["docker+machine", "manager", "ecr:GetDownloadUrlForLayer", "web", D],
  ["docker+machine", "manager", "ecr:InitiateLayerUpload", "web", D],
  ["docker+machine", "manager", "ecr:UploadLayerPart", "web", D],
  ["docker+machine", "manager", "ecr:CompleteLayerUpload", "web", D],
  ["docker+machine", "manager", "ecr:PutImage", "web", D],
  ["docker+machine", "manager", "ecr:GetDownloadUrlForLayer", "base", A],
  ["docker+machine", "manager", "ecr:PutImage", "base", D],
  ["docker+machine", "manager", "ecr:BatchGetImage", "tools", A],
  ["docker+machine", "manager", "ecr:PutImage", "tools", D],
  ["docker+machine", "manager", "ecr:BatchGetImage", "unconfigured", D],
  ["docker+machine", "manager", "ecr:PutImage", "unconfigured", D],
  ["docker+machine", "manager", "ecr:BatchGetImage", "web@us-west-2", D],
  ["docker+machine", "manager", "ecr:PutImage", "web@us-west-2", D],
  ["docker+machine", "manager", "ecr:BatchGetImage", "web@999988887777", D],
  ["docker+machine", "manager", "ecr:PutImage", "web@999988887777", D],
  ["docker+machine", "manager", "ecr:DeleteRepository", "web", D],
  ["docker+machine", "manager", "s3:GetObject", "object", A],
  ["docker+machine", "manager", "s3:GetObjectVersion", "object", D],
  ["docker+machine", "manager", "s3:PutObject", "object", A],
  ["docker+machine", "manager", "s3:DeleteObject", "object", D],
  ["docker+machine", "manager", "s3:ListBucket", "bucket", A],
  ["docker+machine", "manager", "s3:GetObject", "otherObject", D],
  ["docker+machine", "manager", "s3:GetObjectVersion", "otherObject", D],
  ["docker+machine", "manager", "s3:PutObject", "otherObject", D],
  ["docker+machine", "manager", "s3:DeleteObject", "otherObject", D],
  ["docker+machine", "manager", "s3:ListBucket", "otherBucket", D],
  ["docker+machine", "manager", "s3:DeleteBucket", "bucket", D],
  ["docker+machine", "manager", "iam:PassRole", "role", D],
  ["docker+machine", "manager", "iam:CreateRole", "role", D],
  ["docker+machine", "manager", "iam:*", "iam (each action)", D],

  // docker+machine: the workers run the jobs, without the cache
  ["docker+machine", "worker", "ecr:GetAuthorizationToken", "*", A],
  ["docker+machine", "worker", "ecr:BatchCheckLayerAvailability", "ci", A],
  ["docker+machine", "worker", "ecr:PutImage", "ci", A],
  ["docker+machine", "worker", "ecr:BatchCheckLayerAvailability", "web", A],
  ["docker+machine", "worker", "ecr:BatchGetImage", "web", A],
  ["docker+machine", "worker", "ecr:GetDownloadUrlForLayer", "web", A],
  ["docker+machine", "worker", "ecr:InitiateLayerUpload", "web", A],
  ["docker+machine", "worker", "ecr:UploadLayerPart", "web", A],
  ["docker+machine", "worker", "ecr:CompleteLayerUpload", "web", A],
  ["docker+machine", "worker", "ecr:PutImage", "web", A],
  ["docker+machine", "worker", "ecr:GetDownloadUrlForLayer", "base", A],
  ["docker+machine", "worker", "ecr:PutImage", "base", D],
  ["docker+machine", "worker", "ecr:BatchGetImage", "tools", A],
  ["docker+machine", "worker", "ecr:PutImage", "tools", D],
  ["docker+machine", "worker", "ecr:BatchGetImage", "unconfigured", D],
  ["docker+machine", "worker", "ecr:PutImage", "unconfigured", D],
  ["docker+machine", "worker", "ecr:BatchGetImage", "web@us-west-2", D],
  ["docker+machine", "worker", "ecr:PutImage", "web@us-west-2", D],
  ["docker+machine", "worker", "ecr:BatchGetImage", "web@999988887777", D],
  ["docker+machine", "worker", "ecr:PutImage", "web@999988887777", D],
  ["docker+machine", "worker", "ecr:DeleteRepository", "web", D],
  ["docker+machine", "worker", "s3:GetObject", "object", D],
  ["docker+machine", "worker", "s3:GetObjectVersion", "object", D],
  ["docker+machine", "worker", "s3:PutObject", "object", D],
  ["docker+machine", "worker", "s3:DeleteObject", "object", D],
  ["docker+machine", "worker", "s3:ListBucket", "bucket", D],
  ["docker+machine", "worker", "s3:GetObject", "otherObject", D],
  ["docker+machine", "worker", "s3:GetObjectVersion", "otherObject", D],
  ["docker+machine", "worker", "s3:PutObject", "otherObject", D],
  ["docker+machine", "worker", "s3:DeleteObject", "otherObject", D],
  ["docker+machine", "worker", "s3:ListBucket", "otherBucket", D],
  ["docker+machine", "worker", "s3:DeleteBucket", "bucket", D],
  ["docker+machine", "worker", "iam:PassRole", "role", D],
  ["docker+machine", "worker", "iam:CreateRole", "role", D],
  ["docker+machine", "worker", "iam:*", "iam (each action)", D],

  // docker-autoscaler: the manager pulls job images only and uses the cache
  ["docker-autoscaler", "manager", "ecr:GetAuthorizationToken", "*", A],
  ["docker-autoscaler", "manager", "ecr:BatchCheckLayerAvailability", "ci", A],
  ["docker-autoscaler", "manager", "ecr:PutImage", "ci", D],
  ["docker-autoscaler", "manager", "ecr:BatchCheckLayerAvailability", "web", D],
  ["docker-autoscaler", "manager", "ecr:BatchGetImage", "web", D],
  ["docker-autoscaler", "manager", "ecr:GetDownloadUrlForLayer", "web", D],
  ["docker-autoscaler", "manager", "ecr:InitiateLayerUpload", "web", D],
  ["docker-autoscaler", "manager", "ecr:UploadLayerPart", "web", D],
  ["docker-autoscaler", "manager", "ecr:CompleteLayerUpload", "web", D],
  ["docker-autoscaler", "manager", "ecr:PutImage", "web", D],
  ["docker-autoscaler", "manager", "ecr:GetDownloadUrlForLayer", "base", A],
  ["docker-autoscaler", "manager", "ecr:PutImage", "base", D],
  ["docker-autoscaler", "manager", "ecr:BatchGetImage", "tools", A],
  ["docker-autoscaler", "manager", "ecr:PutImage", "tools", D],
  ["docker-autoscaler", "manager", "ecr:BatchGetImage", "unconfigured", D],
  ["docker-autoscaler", "manager", "ecr:PutImage", "unconfigured", D],
  ["docker-autoscaler", "manager", "ecr:BatchGetImage", "web@us-west-2", D],
  ["docker-autoscaler", "manager", "ecr:PutImage", "web@us-west-2", D],
  ["docker-autoscaler", "manager", "ecr:BatchGetImage", "web@999988887777", D],
  ["docker-autoscaler", "manager", "ecr:PutImage", "web@999988887777", D],
  ["docker-autoscaler", "manager", "ecr:DeleteRepository", "web", D],
  ["docker-autoscaler", "manager", "s3:GetObject", "object", A],
  ["docker-autoscaler", "manager", "s3:GetObjectVersion", "object", D],
  ["docker-autoscaler", "manager", "s3:PutObject", "object", A],
  ["docker-autoscaler", "manager", "s3:DeleteObject", "object", D],
  ["docker-autoscaler", "manager", "s3:ListBucket", "bucket", A],
  ["docker-autoscaler", "manager", "s3:GetObject", "otherObject", D],
  ["docker-autoscaler", "manager", "s3:GetObjectVersion", "otherObject", D],
  ["docker-autoscaler", "manager", "s3:PutObject", "otherObject", D],
  ["docker-autoscaler", "manager", "s3:DeleteObject", "otherObject", D],
  ["docker-autoscaler", "manager", "s3:ListBucket", "otherBucket", D],
  ["docker-autoscaler", "manager", "s3:DeleteBucket", "bucket", D],
  ["docker-autoscaler", "manager", "iam:PassRole", "role", D],
  ["docker-autoscaler", "manager", "iam:CreateRole", "role", D],
  ["docker-autoscaler", "manager", "iam:*", "iam (each action)", D],

  // docker-autoscaler: the workers run the jobs, without the cache
  ["docker-autoscaler", "worker", "ecr:GetAuthorizationToken", "*", A],
  ["docker-autoscaler", "worker", "ecr:BatchCheckLayerAvailability", "ci", A],
  ["docker-autoscaler", "worker", "ecr:PutImage", "ci", A],
  ["docker-autoscaler", "worker", "ecr:BatchCheckLayerAvailability", "web", A],
  ["docker-autoscaler", "worker", "ecr:BatchGetImage", "web", A],
  ["docker-autoscaler", "worker", "ecr:GetDownloadUrlForLayer", "web", A],
  ["docker-autoscaler", "worker", "ecr:InitiateLayerUpload", "web", A],
  ["docker-autoscaler", "worker", "ecr:UploadLayerPart", "web", A],
  ["docker-autoscaler", "worker", "ecr:CompleteLayerUpload", "web", A],
  ["docker-autoscaler", "worker", "ecr:PutImage", "web", A],
  ["docker-autoscaler", "worker", "ecr:GetDownloadUrlForLayer", "base", A],
  ["docker-autoscaler", "worker", "ecr:PutImage", "base", D],
  ["docker-autoscaler", "worker", "ecr:BatchGetImage", "tools", A],
  ["docker-autoscaler", "worker", "ecr:PutImage", "tools", D],
  ["docker-autoscaler", "worker", "ecr:BatchGetImage", "unconfigured", D],
  ["docker-autoscaler", "worker", "ecr:PutImage", "unconfigured", D],
  ["docker-autoscaler", "worker", "ecr:BatchGetImage", "web@us-west-2", D],
  ["docker-autoscaler", "worker", "ecr:PutImage", "web@us-west-2", D],
  ["docker-autoscaler", "worker", "ecr:BatchGetImage", "web@999988887777", D],
  ["docker-autoscaler", "worker", "ecr:PutImage", "web@999988887777", D],
  ["docker-autoscaler", "worker", "ecr:DeleteRepository", "web", D],
  ["docker-autoscaler", "worker", "s3:GetObject", "object", D],
  ["docker-autoscaler", "worker", "s3:GetObjectVersion", "object", D],
  ["docker-autoscaler", "worker", "s3:PutObject", "object", D],
  ["docker-autoscaler", "worker", "s3:DeleteObject", "object", D],
  ["docker-autoscaler", "worker", "s3:ListBucket", "bucket", D],
  ["docker-autoscaler", "worker", "s3:GetObject", "otherObject", D],
  ["docker-autoscaler", "worker", "s3:GetObjectVersion", "otherObject", D],
  ["docker-autoscaler", "worker", "s3:PutObject", "otherObject", D],
  ["docker-autoscaler", "worker", "s3:DeleteObject", "otherObject", D],
  ["docker-autoscaler", "worker", "s3:ListBucket", "otherBucket", D],
  ["docker-autoscaler", "worker", "s3:DeleteBucket", "bucket", D],
  ["docker-autoscaler", "worker", "iam:PassRole", "role", D],
  ["docker-autoscaler", "worker", "iam:CreateRole", "role", D],
  ["docker-autoscaler", "worker", "iam:*", "iam (each action)", D],
];

/** The role each request is made by; the identity policies are those the module attaches to it. */
const PRINCIPALS: Record<Role, string> = {
  manager: "arn:aws:iam::111122223333:role/acme-f-runner-manager",
  worker: "arn:aws:iam::111122223333:role/acme-f-runner-worker",
};

/** Module variable carrying the worker role's policy_arns, per executor (docker has no worker role). */
const WORKER_VARIABLE: Record<Executor, string | undefined> = {
  docker: undefined,
  "docker+machine": "runner_worker_docker_machine_role",
  "docker-autoscaler": "runner_worker_docker_autoscaler_role",
};

const EXECUTORS: readonly Executor[] = ["docker", "docker+machine", "docker-autoscaler"];
const stacks = new Map(EXECUTORS.map((e) => [e, synth(config(e)).json] as const));

/** The concrete identity policies the module attaches to `role` of fleet f (through policy_arns). */
function roleDocuments(executor: Executor, role: Role): Map<string, PolicyDocument> {
  const json = stacks.get(executor)!;
  const mod = json.module.runner_f!;
  const variable = role === "manager" ? "runner_role" : WORKER_VARIABLE[executor];
  if (!variable) throw new Error(`${executor} has no ${role} role`);
  const names = attachedPolicies(mod, variable);
  if (names.length === 0) throw new Error(`${executor}: no policy attached through ${variable}.policy_arns`);
  return pick(concretePolicies(json), names);
}

describe("the request matrix", () => {
  let simulations = 0;
  let elapsed = 0; // ms spent in the matrix rows, synthesis excluded
  afterAll(() => {
    const allowed = MATRIX.filter((r) => r[4] === A).length;
    console.log(
      `IAM simulation matrix: ${MATRIX.length} rows (${allowed} allowed, ${MATRIX.length - allowed} implicitly denied), ` +
        `${simulations} simulations in ${Math.round(elapsed)} ms`,
    );
  });

  test("covers every executor and role with the same requests, at least 60 rows, no duplicates", () => {
    expect(MATRIX.length).toBeGreaterThanOrEqual(60);
    const key = (r: (typeof MATRIX)[number]) => r.join(" ");
    expect(new Set(MATRIX.map(key)).size).toBe(MATRIX.length);
    const blocks = new Map<string, string[]>();
    for (const [executor, role, action, label] of MATRIX) {
      const block = `${executor} ${role}`;
      blocks.set(block, [...(blocks.get(block) ?? []), `${action} ${label}`]);
    }
    expect([...blocks.keys()]).toEqual([
      "docker manager",
      "docker+machine manager",
      "docker+machine worker",
      "docker-autoscaler manager",
      "docker-autoscaler worker",
    ]);
    const requests = [...blocks.values()];
    for (const r of requests) expect(r).toEqual(requests[0]);
    // Every resource label is used, and every ECR and cache action of the rules appears.
    expect(new Set(MATRIX.map((r) => r[3]))).toEqual(new Set(Object.keys(RESOURCES)));
    const actions = new Set(MATRIX.map((r) => r[2]));
    for (const a of [
      "ecr:GetAuthorizationToken",
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:GetDownloadUrlForLayer",
      "ecr:CompleteLayerUpload",
      "ecr:InitiateLayerUpload",
      "ecr:PutImage",
      "ecr:UploadLayerPart",
      "s3:GetObject",
      "s3:GetObjectVersion",
      "s3:PutObject",
      "s3:DeleteObject",
      "s3:ListBucket",
    ]) {
      expect(actions).toContain(a);
    }
  });

  test("docker has no worker role: its manager alone carries the rows of the job runner", () => {
    const mod = stacks.get("docker")!.module.runner_f!;
    expect(mod.runner_worker_docker_machine_role).toBeUndefined();
    expect(mod.runner_worker_docker_autoscaler_role).toBeUndefined();
  });

  test.each(MATRIX)("%s %s: %s on %s is %s", async (executor, role, action, label, expected) => {
    const started = performance.now();
    try {
      await checkRow(executor, role, action, label, expected);
    } finally {
      elapsed += performance.now() - started;
    }
  });

  async function checkRow(executor: Executor, role: Role, action: string, label: Label, expected: Decision): Promise<void> {
    const documents = roleDocuments(executor, role);
    const principal = PRINCIPALS[role];
    if (action === "iam:*") {
      // A request names one action, so "iam:*" means: every IAM action, each on a resource of its own type.
      const requests = await everyActionOf("iam", testAccountOf(stacks.get(executor)!));
      expect(requests.length).toBeGreaterThan(100);
      const decisions = new Map<string, Decision>();
      for (const { action: a, resources } of requests) {
        for (const resource of resources) {
          // Each must be accepted by the evaluator (simulateRequest throws otherwise).
          const outcome = await simulateRequest(documents, principal, a, resource);
          simulations++;
          decisions.set(`${a} on ${resource}`, outcome.decision);
          expect(outcome.identityDecision).toBe(outcome.decision);
        }
      }
      expect(new Set(decisions.values())).toEqual(new Set([expected]));
      return;
    }
    const resource = RESOURCES[label];
    const outcome = await simulateRequest(documents, principal, action, resource.arn);
    simulations++;
    // Accepted by the evaluator (simulateRequest throws otherwise), matched to the expected resource
    // type, and decided by the role's identity policies (not by a missing resource policy).
    expect({ decision: outcome.decision, identityDecision: outcome.identityDecision, resourceType: outcome.resourceType }).toEqual({
      decision: expected,
      identityDecision: expected,
      resourceType: resource.type,
    });
  }
});

/**
 * Per-fleet access: fleet u, beside fleet f in the docker-autoscaler stack. Rows for f repeat the
 * contrast (f may, u may not).
 */
const TRUST_MATRIX: readonly (readonly ["f" | "u", Role, string, Label, Decision])[] = [
  ["u", "worker", "ecr:BatchGetImage", "web", A], // pull: every fleet by default
  ["u", "worker", "ecr:PutImage", "web", D], // not in apps/web's push list
  ["u", "worker", "ecr:InitiateLayerUpload", "web", D],
  ["f", "worker", "ecr:PutImage", "web", A],
  ["u", "worker", "ecr:BatchGetImage", "base", D], // not in apps/base's pull list
  ["u", "worker", "ecr:GetDownloadUrlForLayer", "base", D],
  ["f", "worker", "ecr:BatchGetImage", "base", A],
  ["u", "worker", "ecr:BatchGetImage", "ci", A], // every fleet runs the CI image
  ["u", "worker", "ecr:PutImage", "ci", D], // only ciImage.push fleets push it
  ["u", "worker", "ecr:UploadLayerPart", "ci", D],
  ["f", "worker", "ecr:PutImage", "ci", A],
  ["u", "worker", "ecr:BatchGetImage", "tools", A],
  ["u", "worker", "ecr:PutImage", "tools", D],
  ["u", "worker", "s3:GetObject", "object", D],
  ["u", "manager", "ecr:BatchGetImage", "ci", A], // it resolves its job images
  ["u", "manager", "ecr:BatchGetImage", "tools", A],
  ["u", "manager", "ecr:BatchGetImage", "base", D], // not one of u's job images
  ["u", "manager", "ecr:BatchGetImage", "web", D],
  ["u", "manager", "ecr:PutImage", "ci", D],
  ["u", "manager", "s3:GetObject", "object", A],
  ["u", "manager", "s3:PutObject", "object", A],
  ["u", "manager", "s3:DeleteObject", "object", D],
];

describe("per-fleet access (docker-autoscaler stack with fleets f and u)", () => {
  const json = stacks.get("docker-autoscaler")!;
  const documents = (fleet: "f" | "u", role: Role) =>
    pick(
      concretePolicies(json),
      attachedPolicies(json.module[`runner_${fleet}`]!, role === "manager" ? "runner_role" : "runner_worker_docker_autoscaler_role"),
    );

  test.each(TRUST_MATRIX)("fleet %s %s: %s on %s is %s", async (fleet, role, action, label, expected) => {
    const outcome = await simulateRequest(
      documents(fleet, role),
      `arn:aws:iam::111122223333:role/acme-${fleet}-${role}`,
      action,
      RESOURCES[label].arn,
    );
    expect({ decision: outcome.decision, identityDecision: outcome.identityDecision }).toEqual({
      decision: expected,
      identityDecision: expected,
    });
  });
});

/**
 * The pull-through cache (ECR Public, prefix ecr-public): a manager pulls job images and services
 * through it, a job a FROM in docker build. Both may pull, import and create under the prefix, and
 * nowhere else; nobody may push into it. In the second stack only fleet f is named in the rule's
 * pull list, so u may not import.
 */
const CACHED = "arn:aws:ecr:eu-central-1:111122223333:repository/ecr-public/docker/library/docker";
const PULL_THROUGH_RESOURCES = {
  cached: CACHED,
  notUnderThePrefix: "arn:aws:ecr:eu-central-1:111122223333:repository/apps/other",
  lookalikePrefix: "arn:aws:ecr:eu-central-1:111122223333:repository/ecr-publicx/docker",
  otherAccount: "arn:aws:ecr:eu-central-1:999988887777:repository/ecr-public/docker/library/docker",
  otherRegion: "arn:aws:ecr:us-east-1:111122223333:repository/ecr-public/docker/library/docker",
};
const PULL_THROUGH_MATRIX: readonly (readonly [
  "all" | "f only",
  "f" | "u",
  Role,
  string,
  keyof typeof PULL_THROUGH_RESOURCES,
  Decision,
])[] = [
  ["all", "f", "manager", "ecr:BatchImportUpstreamImage", "cached", A],
  ["all", "f", "manager", "ecr:CreateRepository", "cached", A],
  ["all", "f", "manager", "ecr:BatchGetImage", "cached", A],
  ["all", "f", "manager", "ecr:PutImage", "cached", D],
  ["all", "f", "manager", "ecr:BatchImportUpstreamImage", "notUnderThePrefix", D],
  ["all", "f", "manager", "ecr:CreateRepository", "notUnderThePrefix", D],
  ["all", "f", "manager", "ecr:CreateRepository", "lookalikePrefix", D],
  ["all", "f", "manager", "ecr:BatchImportUpstreamImage", "otherAccount", D],
  ["all", "f", "manager", "ecr:BatchImportUpstreamImage", "otherRegion", D],
  ["all", "f", "worker", "ecr:BatchImportUpstreamImage", "cached", A],
  ["all", "f", "worker", "ecr:CreateRepository", "cached", A],
  ["all", "f", "worker", "ecr:GetDownloadUrlForLayer", "cached", A],
  ["all", "f", "worker", "ecr:PutImage", "cached", D],
  ["all", "f", "worker", "ecr:InitiateLayerUpload", "cached", D],
  ["all", "f", "worker", "ecr:BatchImportUpstreamImage", "notUnderThePrefix", D],
  ["all", "f", "worker", "ecr:CreateRepository", "lookalikePrefix", D],
  ["all", "u", "worker", "ecr:BatchImportUpstreamImage", "cached", A],
  ["all", "u", "manager", "ecr:BatchImportUpstreamImage", "cached", A],
  ["f only", "f", "worker", "ecr:BatchImportUpstreamImage", "cached", A],
  ["f only", "f", "manager", "ecr:BatchImportUpstreamImage", "cached", A],
  ["f only", "u", "worker", "ecr:BatchImportUpstreamImage", "cached", D],
  ["f only", "u", "worker", "ecr:BatchGetImage", "cached", D],
  ["f only", "u", "manager", "ecr:BatchImportUpstreamImage", "cached", D],
  ["f only", "u", "manager", "ecr:CreateRepository", "cached", D],
];

describe("pull-through cache: import and create under the prefix only, for the fleets the rule names", () => {
  const onlyF = synth({
    ...config("docker-autoscaler"),
    pullThroughCache: [{ prefix: "ecr-public", upstream: "public.ecr.aws", pull: ["f"] }],
  }).json;
  const stackOf = { all: stacks.get("docker-autoscaler")!, "f only": onlyF };

  test.each(PULL_THROUGH_MATRIX)("pull lists: %s; fleet %s %s: %s on %s is %s", async (variant, fleet, role, action, label, expected) => {
    const json = stackOf[variant];
    const names = attachedPolicies(
      json.module[`runner_${fleet}`]!,
      role === "manager" ? "runner_role" : "runner_worker_docker_autoscaler_role",
    );
    const outcome = await simulateRequest(
      pick(concretePolicies(json), names),
      `arn:aws:iam::111122223333:role/acme-${fleet}-${role}`,
      action,
      PULL_THROUGH_RESOURCES[label],
    );
    expect({ decision: outcome.decision, identityDecision: outcome.identityDecision }).toEqual({
      decision: expected,
      identityDecision: expected,
    });
  });
});

test("the matrix can fail: an over-grant (manager pulling apps/web under docker+machine) flips exactly its pull rows", async () => {
  const documents = roleDocuments("docker+machine", "manager");
  const broken = new Map(
    [...documents].map(([name, doc]) => [
      name,
      { ...doc, Statement: doc.Statement.map((s) => (s.Sid === "EcrPull" ? { ...s, Resource: [...s.Resource, WEB] } : s)) },
    ]),
  );
  const flipped: string[] = [];
  for (const [executor, role, action, label, expected] of MATRIX) {
    if (executor !== "docker+machine" || role !== "manager" || action === "iam:*") continue;
    if ((await simulate(broken, PRINCIPALS.manager, action, RESOURCES[label].arn)) !== expected) flipped.push(`${action} ${label}`);
  }
  expect(flipped).toEqual(["ecr:BatchCheckLayerAvailability web", "ecr:BatchGetImage web", "ecr:GetDownloadUrlForLayer web"]);
});

describe("every action named in a policy exists", () => {
  test.each(EXECUTORS)("%s: all synthesized policies name only documented actions", async (executor) => {
    const documents = concretePolicies(stacks.get(executor)!);
    expect(documents.size).toBeGreaterThan(0);
    expect(await unknownActions(documents.values())).toEqual([]);
  });

  test("the check catches a misspelt action (ecr:PutImages) and a wildcard", async () => {
    expect(await actionExists("ecr:PutImage")).toBe(true);
    expect(await actionExists("ecr:PutImages")).toBe(false);
    expect(await actionExists("ecrx:PutImage")).toBe(false);
    const doctored: PolicyDocument = {
      Version: "2012-10-17",
      Statement: [{ Sid: "EcrPush", Effect: "Allow", Action: ["ecr:PutImages", "ecr:UploadLayerPart", "s3:*"], Resource: [WEB] }],
    };
    expect(await unknownActions([doctored])).toEqual(["ecr:PutImages", "s3:*"]);
  });

  test("why it is needed: the evaluator accepts a policy naming an unknown action and silently never matches it", async () => {
    const documents = new Map<string, PolicyDocument>([
      ["typo", { Version: "2012-10-17", Statement: [{ Sid: "EcrPush", Effect: "Allow", Action: ["ecr:PutImages"], Resource: [WEB] }] }],
    ]);
    expect(await simulate(documents, PRINCIPALS.worker, "ecr:PutImage", WEB)).toBe("ImplicitlyDenied");
  });
});

describe("policies are made concrete before simulation", () => {
  const json = stacks.get("docker+machine")!;

  /** The stack's JSON with f_manager's document replaced by `doc`. */
  function doctored(doc: object): TerraformJson {
    const copy = structuredClone(json);
    copy.resource.aws_iam_policy!.f_manager.policy = JSON.stringify(doc);
    return copy;
  }
  function withResources(resources: string[]): TerraformJson {
    return doctored({
      Version: "2012-10-17",
      Statement: [{ Sid: "EcrPull", Effect: "Allow", Action: ["ecr:BatchGetImage"], Resource: resources }],
    });
  }

  test("the synthesized documents are literal ARNs already, and pass the strict check unchanged", () => {
    for (const executor of EXECUTORS) {
      const j = stacks.get(executor)!;
      const documents = concretePolicies(j);
      expect([...documents.keys()].sort()).toEqual(Object.keys(j.resource.aws_iam_policy!).sort());
      for (const [name, doc] of documents) expect(doc).toEqual(JSON.parse(j.resource.aws_iam_policy![name].policy));
    }
  });

  test("known Terraform references are replaced by concrete ARNs of the test account", () => {
    const documents = concretePolicies(
      withResources([
        "arn:aws:ecr:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:repository/apps/web",
        "${aws_ecr_repository.ci_image.arn}",
        "arn:${data.aws_partition.current.partition}:s3:::${aws_s3_bucket.cache.bucket}/*",
        "${aws_s3_bucket.cache.arn}",
      ]),
    );
    expect(documents.get("f_manager")!.Statement[0]!.Resource).toEqual([WEB, CI, `${BUCKET}/*`, BUCKET]);
    expect(substituteReferences("${data.aws_caller_identity.x.account_id}", json)).toBe(ACCOUNT);
  });

  test.each([
    ["an unknown reference", "${aws_ecr_repository.nope.arn}", /still contains a Terraform reference|cannot make/],
    ["a variable", "arn:aws:ecr:eu-central-1:111122223333:repository/${var.name}", /still contains a Terraform reference/],
    ["a bare repository name", "apps/web", /neither "\*" nor a full ARN/],
    ["an ARN without account", "arn:aws:ecr:eu-central-1::repository/apps/web", /neither "\*" nor a full ARN/],
    ["a truncated ARN", "arn:aws:ecr", /neither "\*" nor a full ARN/],
  ])("the strict check refuses %s: %s", (_what, resource, message) => {
    expect(() => concretePolicies(withResources([CI, resource]))).toThrow(message);
  });

  test("a document that is a Terraform expression, not literal JSON, is refused", () => {
    const copy = structuredClone(json);
    copy.resource.aws_iam_policy!.f_manager.policy = "${data.aws_iam_policy_document.manager.json}";
    expect(() => concretePolicies(copy)).toThrow(/not literal JSON/);
  });

  test("simulate() refuses unchecked documents too", async () => {
    const documents = new Map([
      [
        "leftover",
        {
          Version: "2012-10-17",
          Statement: [{ Sid: "X", Effect: "Allow", Action: ["ecr:PutImage"], Resource: ["${aws_ecr_repository.x.arn}"] }],
        },
      ],
    ]);
    await expect(simulate(documents as unknown as Map<string, PolicyDocument>, PRINCIPALS.worker, "ecr:PutImage", WEB)).rejects.toThrow(
      /Terraform reference/,
    );
    expect(() =>
      assertConcrete(
        { Version: "2012-10-17", Statement: [{ Sid: "X", Effect: "Allow", Action: ["ecr:PutImage"], Resource: ["apps/web"] }] },
        "bare",
      ),
    ).toThrow(/full ARN/);
  });

  test.each([["${aws_ecr_repository.x.arn}"], ["apps/web"]])(
    "why it is needed: the evaluator itself lets Resource %s match any repository",
    async (resource) => {
      const result = await runSimulation(
        {
          request: {
            principal: PRINCIPALS.worker,
            action: "ecr:PutImage",
            resource: { resource: RESOURCES.unconfigured.arn, accountId: ACCOUNT },
            contextVariables: {},
          },
          identityPolicies: [
            {
              name: "leftover",
              policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["ecr:PutImage"], Resource: [resource] }] },
            },
          ],
          serviceControlPolicies: [],
          resourceControlPolicies: [],
        },
        {},
      );
      expect(result.resultType === "single" && result.overallResult).toBe("Allowed");
    },
  );
});

describe("a request the evaluator cannot decide is an error, not a deny", () => {
  const documents = roleDocuments("docker", "manager");
  const principal = PRINCIPALS.manager;

  test.each([
    ["an object action on the bucket ARN", "s3:GetObject", BUCKET, /no\.resource\.types/],
    ["a bucket action on an object ARN", "s3:ListBucket", `${BUCKET}/key`, /no\.resource\.types/],
    ["an ECR action on an S3 ARN", "ecr:PutImage", BUCKET, /no\.resource\.types/],
    ["a wildcard-only action on a repository", "ecr:GetAuthorizationToken", WEB, /must\.use\.wildcard/],
    ["an unknown action", "ecr:PutImages", WEB, /invalid\.action/],
    ["an action pattern", "iam:*", "*", /invalid\.action/],
    ["a wildcard resource", "ecr:PutImage", "arn:aws:ecr:eu-central-1:111122223333:repository/*", /wildcard simulation/],
  ])("%s (%s on %s)", async (_what, action, resource, message) => {
    await expect(simulate(documents, principal, action, resource)).rejects.toThrow(message);
  });

  test("across accounts, the decision needs the owner's resource policy too (the default models an owner that shares)", async () => {
    expect(await simulate(documents, principal, "ecr:BatchGetImage", TOOLS)).toBe("Allowed");
    const without = await simulateRequest(documents, principal, "ecr:BatchGetImage", TOOLS, { resourcePolicy: null });
    expect(without).toMatchObject({ decision: "ImplicitlyDenied", identityDecision: "Allowed", sameAccount: false });
  });
});

// Bucket names are global: a bucket called acme-runner-cache may belong to another account (taken
// before the stack created it). The cache grants must hold only for the stack's own account.
describe("the cache grants hold only in a bucket of the stack's account (s3:ResourceAccount)", () => {
  const OTHER = "999988887777";
  test.each(EXECUTORS)("%s: the manager may use acme-runner-cache of 111122223333, not of another account", async (executor) => {
    const documents = roleDocuments(executor, "manager");
    const object = `${BUCKET}/runner/abc123/project/42/default-protected`;
    expect(await simulate(documents, PRINCIPALS.manager, "s3:PutObject", object)).toBe("Allowed");
    expect(await simulate(documents, PRINCIPALS.manager, "s3:ListBucket", BUCKET)).toBe("Allowed");
    for (const [action, resource] of [
      ["s3:PutObject", object],
      ["s3:GetObject", object],
      ["s3:ListBucket", BUCKET],
    ] as const) {
      const outcome = await simulateRequest(documents, PRINCIPALS.manager, action, resource, {
        s3ResourceAccount: OTHER,
        resourcePolicy: null,
      });
      expect([action, outcome.identityDecision]).toEqual([action, "ImplicitlyDenied"]);
    }
  });
});
