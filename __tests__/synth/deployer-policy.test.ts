// deployer-policy.json (modules/iam/deployer-policy.ts) evaluated by a real IAM policy evaluator
// (@cloud-copilot/iam-simulate), for the embedded default configuration and
// examples/runners.example.yaml. The expected ARNs are written out by hand from the configurations
// and the module's naming (environment <stack>-<fleet>), not computed by the code under test.
import { join, resolve } from "node:path";
import { Testing } from "cdktf";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { loadConfig } from "../../modules/app/load-config";
import { GitlabRunnerStack } from "../../modules/constructs/gitlab-runner-stack";
import {
  deployerPolicy,
  deployerPolicyFiles,
  deployerPolicyParts,
  DeployerPolicyDocument,
  MANAGED_POLICY_SIZE_LIMIT,
  UNSCOPABLE_SID,
} from "../../modules/iam/deployer-policy";
import { acmeConfig, synth, testApp } from "../support/helpers";
import { GITLAB_BINDING_USABLE } from "../support/cdk-variant";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { renderReviewReport, reviewModelOf } from "../../modules/report/review-report";

const ROOT = resolve(__dirname, "..", "..");

function synthesized(configFile: string): Record<string, any> {
  const { config } = loadConfig({ env: { GITLAB_RUNNER_ECR_CONFIG: configFile }, cwd: ROOT });
  const stack = new GitlabRunnerStack(testApp(), config.value.name, config);
  return JSON.parse(Testing.synth(stack, true));
}

type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

const defaultKeyPolicy = (account: string) => ({
  Version: "2012-10-17",
  Statement: [
    { Sid: "EnableIamPolicies", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: "kms:*", Resource: "*" },
  ],
});

/** IAM's decision for the deployer (a role of `account` holding only `policy`) on one request. */
async function decide(
  policy: DeployerPolicyDocument,
  account: string,
  action: string,
  resource: string,
  context: Record<string, string> = {},
): Promise<Decision> {
  const result = await runSimulation(
    {
      request: {
        principal: `arn:aws:iam::${account}:role/deployer`,
        action,
        resource: { resource, accountId: account },
        contextVariables: { ...(action.startsWith("s3:") ? { "s3:ResourceAccount": account } : {}), ...context },
      },
      identityPolicies: [{ name: "deployer", policy }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      // A KMS key needs its key policy to let IAM policies decide: AWS's default key policy does.
      ...(action.startsWith("kms:") ? { resourcePolicy: defaultKeyPolicy(account) } : {}),
    },
    { simulationMode: "Strict" },
  );
  if (result.resultType !== "single") throw new Error(`${action} on ${resource}: ${JSON.stringify(result)}`);
  return result.overallResult as Decision;
}

/** Each request as "action resource [key=value]" with its decision, for one readable diff. */
async function decisions(policy: DeployerPolicyDocument, account: string, requests: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const r of requests) {
    const [action, resource, ...pairs] = r.split(" ") as [string, string, ...string[]];
    const context = Object.fromEntries(pairs.map((p) => p.split("=") as [string, string]));
    out.push(`${await decide(policy, account, action, resource, context)} ${r}`);
  }
  return out;
}

/**
 * Actions of scoped statements that apply to none of the statement's resources (a wildcard in an
 * ARN taken as some name): such an action would be granted on nothing, a missing grant in practice.
 */
async function deadActions(policy: DeployerPolicyDocument, account: string): Promise<string[]> {
  const dead: string[] = [];
  for (const s of policy.Statement.filter((s) => !s.Resource.includes("*")))
    for (const action of s.Action) {
      let applies = false;
      for (const resource of s.Resource) {
        try {
          applies = (await decide(policy, account, action, resource.replace(/\*/g, "x1"), s.Condition?.StringEquals ?? {})) === "Allowed";
        } catch {
          // The evaluator refuses a resource of a type the action does not apply to.
        }
        if (applies) break;
      }
      if (!applies) dead.push(`${s.Sid}: ${action}`);
    }
  return dead;
}

const allowed = (requests: readonly string[]) => requests.map((r) => `Allowed ${r}`);
const denied = (requests: readonly string[]) => requests.map((r) => `ImplicitlyDenied ${r}`);

describe("examples/runners.example.yaml (acme-runners, 111122223333, eu-central-1; fleets scale (docker-autoscaler) and small (docker))", () => {
  let policy: DeployerPolicyDocument;
  beforeAll(() => {
    const result = deployerPolicy(synthesized(join("examples", "runners.example.yaml")));
    expect(result.uncovered).toEqual([]);
    policy = result.document;
  }, 60_000);

  const A = "111122223333";
  const ECR = `arn:aws:ecr:eu-central-1:${A}:repository`;
  const IAM = `arn:aws:iam::${A}`;
  const CACHE = "arn:aws:s3:::acme-runners-cache-111122223333-eu-central-1";
  const STATE = "arn:aws:s3:::acme-terraform-state";
  const EC2 = `arn:aws:ec2:eu-central-1:${A}`;

  const NEEDED = [
    // The stack's own resources.
    `ecr:CreateRepository ${ECR}/ci/docker-ecr`,
    `ecr:DeleteRepository ${ECR}/apps/web`,
    `ecr:PutLifecyclePolicy ${ECR}/apps/web`,
    `ecr:PutImageTagMutability ${ECR}/ci/docker-ecr`,
    `ecr:CreateRepository ${ECR}/docker-hub/library/alpine`,
    "ecr:CreatePullThroughCacheRule *",
    "ecr:CreateRepositoryCreationTemplate *",
    `s3:CreateBucket ${CACHE}`,
    `s3:PutBucketPolicy ${CACHE}`,
    `s3:PutLifecycleConfiguration ${CACHE}`,
    `s3:PutEncryptionConfiguration ${CACHE}`,
    `s3:PutBucketPublicAccessBlock ${CACHE}`,
    `s3:PutBucketOwnershipControls ${CACHE}`,
    `s3:DeleteObject ${CACHE}/runner/x`,
    `iam:CreatePolicy ${IAM}:policy/acme-runners-scale-manager-ecr-cache`,
    `iam:CreatePolicyVersion ${IAM}:policy/acme-runners-small-manager-ecr-cache`,
    `iam:DeletePolicy ${IAM}:policy/acme-runners-scale-workers-ecr`,
    // What the module creates for fleet scale (docker-autoscaler).
    `iam:CreateRole ${IAM}:role/acme-runners-scale-instance`,
    `iam:CreateRole ${IAM}:role/acme-runners-scale-docker-autoscaler`,
    `iam:CreateRole ${IAM}:role/acme-runners-scale-terminate-instances`,
    `iam:DeleteRole ${IAM}:role/acme-runners-small-instance`,
    `iam:AttachRolePolicy ${IAM}:role/acme-runners-scale-instance`,
    `iam:PutRolePolicy ${IAM}:role/acme-runners-small-instance`,
    `iam:CreatePolicy ${IAM}:policy/acme-runners-scale-ssm`,
    `iam:CreatePolicy ${IAM}:policy/acme-runners-scale-docker-autoscaler`,
    `iam:CreatePolicy ${IAM}:policy/acme-runners-small-terminate-instances-lambda`,
    `iam:CreateInstanceProfile ${IAM}:instance-profile/acme-runners-scale-docker-autoscaler`,
    `iam:AddRoleToInstanceProfile ${IAM}:instance-profile/acme-runners-small-instance`,
    `iam:PassRole ${IAM}:role/acme-runners-scale-instance iam:PassedToService=ec2.amazonaws.com`,
    `iam:PassRole ${IAM}:role/acme-runners-scale-docker-autoscaler iam:PassedToService=ec2.amazonaws.com`,
    `iam:PassRole ${IAM}:role/acme-runners-small-terminate-instances iam:PassedToService=lambda.amazonaws.com`,
    `ssm:PutParameter arn:aws:ssm:eu-central-1:${A}:parameter/acme-runners-scale-runner-token`,
    `ssm:DeleteParameter arn:aws:ssm:eu-central-1:${A}:parameter/acme-runners-small-sentry-dsn`,
    `logs:CreateLogGroup arn:aws:logs:eu-central-1:${A}:log-group:acme-runners-scale`,
    `logs:CreateLogGroup arn:aws:logs:eu-central-1:${A}:log-group:/aws/lambda/acme-runners-small-terminate-instances`,
    `lambda:CreateFunction arn:aws:lambda:eu-central-1:${A}:function:acme-runners-scale-terminate-instances`,
    `lambda:AddPermission arn:aws:lambda:eu-central-1:${A}:function:acme-runners-scale-terminate-instances`,
    `events:PutRule arn:aws:events:eu-central-1:${A}:rule/acme-runners-small-terminate-instances`,
    `events:PutTargets arn:aws:events:eu-central-1:${A}:rule/acme-runners-small-terminate-instances`,
    `autoscaling:CreateAutoScalingGroup arn:aws:autoscaling:eu-central-1:${A}:autoScalingGroup:11112222-3333-4444-5555-666677778888:autoScalingGroupName/acme-runners-scale-asg`,
    `autoscaling:PutLifecycleHook arn:aws:autoscaling:eu-central-1:${A}:autoScalingGroup:11112222-3333-4444-5555-666677778888:autoScalingGroupName/acme-runners-small-20260101000000000000000001-asg`,
    `ec2:ImportKeyPair ${EC2}:key-pair/acme-runners-scale-runner-worker-key`,
    `ec2:CreateLaunchTemplate ${EC2}:launch-template/lt-0123456789abcdef0`,
    `ec2:CreateSecurityGroup ${EC2}:security-group/sg-0123456789abcdef0`,
    `ec2:CreateSecurityGroup ${EC2}:vpc/vpc-0123456789abcdef0`,
    `ec2:AuthorizeSecurityGroupIngress ${EC2}:security-group/sg-0123456789abcdef0`,
    `ec2:RunInstances ${EC2}:launch-template/lt-0123456789abcdef0`,
    `ec2:RunInstances arn:aws:ec2:eu-central-1::image/ami-0123456789abcdef0`,
    "ec2:DescribeSubnets *",
    "ec2:DescribeImages *",
    "autoscaling:DescribeAutoScalingGroups *",
    // The state: its object, its lock file, its KMS key.
    `s3:ListBucket ${STATE}`,
    `s3:GetObject ${STATE}/gitlab-runners/terraform.tfstate`,
    `s3:PutObject ${STATE}/gitlab-runners/terraform.tfstate`,
    `s3:PutObject ${STATE}/gitlab-runners/terraform.tfstate.tflock`,
    `s3:DeleteObject ${STATE}/gitlab-runners/terraform.tfstate.tflock`,
    `kms:GenerateDataKey arn:aws:kms:eu-central-1:${A}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
  ];

  const REFUSED = [
    // IAM outside the stack's names.
    `iam:CreateRole ${IAM}:role/admin`,
    `iam:CreateRole ${IAM}:role/acme-runners-other-instance`,
    `iam:DeleteRole ${IAM}:role/OrganizationAccountAccessRole`,
    `iam:AttachRolePolicy ${IAM}:role/admin`,
    `iam:PutRolePolicy ${IAM}:role/deployer`,
    `iam:UpdateAssumeRolePolicy ${IAM}:role/admin`,
    `iam:CreatePolicy ${IAM}:policy/admin-everything`,
    `iam:CreatePolicyVersion ${IAM}:policy/deployer`,
    `iam:DeletePolicy ${IAM}:policy/acme-runners-other-ssm`,
    `iam:CreateInstanceProfile ${IAM}:instance-profile/admin`,
    `iam:CreateUser ${IAM}:user/mallory`,
    // PassRole: another role, or a stack role to another service.
    `iam:PassRole ${IAM}:role/admin iam:PassedToService=ec2.amazonaws.com`,
    `iam:PassRole ${IAM}:role/acme-runners-scale-instance iam:PassedToService=lambda.amazonaws.com`,
    `iam:PassRole ${IAM}:role/acme-runners-scale-terminate-instances iam:PassedToService=ec2.amazonaws.com`,
    `iam:PassRole ${IAM}:role/acme-runners-scale-instance iam:PassedToService=ecs-tasks.amazonaws.com`,
    // Other buckets, repositories, parameters, functions.
    "s3:DeleteBucket arn:aws:s3:::someone-elses-bucket",
    "s3:PutBucketPolicy arn:aws:s3:::someone-elses-bucket",
    "s3:GetObject arn:aws:s3:::someone-elses-bucket/secret",
    "s3:DeleteObject arn:aws:s3:::someone-elses-bucket/secret",
    `ecr:DeleteRepository ${ECR}/production/app`,
    `ecr:PutLifecyclePolicy ${ECR}/production/app`,
    `ecr:CreateRepository ${ECR}/production/app`,
    `ecr:BatchDeleteImage ${ECR}/production/app`,
    `ssm:PutParameter arn:aws:ssm:eu-central-1:${A}:parameter/production/db-password`,
    `ssm:GetParameter arn:aws:ssm:eu-central-1:${A}:parameter/acme/gitlab-runner/scale/token`,
    `lambda:UpdateFunctionCode arn:aws:lambda:eu-central-1:${A}:function:billing`,
    `ec2:DeleteKeyPair ${EC2}:key-pair/production`,
    `ec2:CreateTags ${EC2}:vpc/vpc-0123456789abcdef0`,
    `autoscaling:DeleteAutoScalingGroup arn:aws:autoscaling:eu-central-1:${A}:autoScalingGroup:11112222-3333-4444-5555-666677778888:autoScalingGroupName/production`,
    // Another state key in the same bucket, and another region's resources.
    `s3:GetObject ${STATE}/other-stack/terraform.tfstate`,
    `s3:PutObject ${STATE}/other-stack/terraform.tfstate`,
    `s3:DeleteObject ${STATE}/gitlab-runners/terraform.tfstate`,
    `kms:Decrypt arn:aws:kms:eu-central-1:${A}:key/99999999-12ab-34cd-56ef-1234567890ab`,
    `ecr:CreateRepository arn:aws:ecr:us-east-1:${A}:repository/ci/docker-ecr`,
    `ec2:CreateSecurityGroup arn:aws:ec2:eu-central-1:${A}:vpc/vpc-99999999999999999`,
  ];

  test("allows what plan, apply and destroy need on the stack's own and the module's resources, and the state", async () => {
    expect(await decisions(policy, A, NEEDED)).toEqual(allowed(NEEDED));
  }, 60_000);

  test(
    "every action of a scoped statement applies to one of its resources",
    async () => expect(await deadActions(policy, A)).toEqual([]),
    120_000,
  );

  test("refuses IAM outside the stack's names, PassRole of another role or to another service, other buckets, repositories and state keys", async () => {
    expect(await decisions(policy, A, REFUSED)).toEqual(denied(REFUSED));
  }, 60_000);
});

describe("the embedded default configuration (gitlab-runners, 123456789012, eu-west-1; fleets autoscaler and merge-requests, local state)", () => {
  let policy: DeployerPolicyDocument;
  let files: Record<string, string>;
  beforeAll(() => {
    const json = synthesized("");
    const result = deployerPolicy(json);
    expect(result.uncovered).toEqual([]);
    policy = result.document;
    files = deployerPolicyFiles(json);
  }, 60_000);

  const A = "123456789012";
  const IAM = `arn:aws:iam::${A}`;
  const CACHE = "arn:aws:s3:::gitlab-runners-cache-123456789012-eu-west-1";

  test("allows the stack's and the module's resources; refuses others; no state permission for a local state", async () => {
    const needed = [
      `ecr:CreateRepository arn:aws:ecr:eu-west-1:${A}:repository/apps/example-app`,
      `ecr:PutLifecyclePolicy arn:aws:ecr:eu-west-1:${A}:repository/ci/docker-ecr`,
      `s3:CreateBucket ${CACHE}`,
      `iam:CreatePolicy ${IAM}:policy/gitlab-runners-merge-requests-workers-ecr`,
      `iam:CreateRole ${IAM}:role/gitlab-runners-merge-requests-docker-autoscaler`,
      `iam:CreateRole ${IAM}:role/gitlab-runners-autoscaler-instance`,
      `iam:PassRole ${IAM}:role/gitlab-runners-autoscaler-docker-autoscaler iam:PassedToService=ec2.amazonaws.com`,
      `ec2:CreateSecurityGroup arn:aws:ec2:eu-west-1:${A}:vpc/vpc-0a1b2c3d4e5f60718`,
    ];
    const refused = [
      `iam:CreateRole ${IAM}:role/gitlab-runners-other-instance`,
      `iam:PassRole ${IAM}:role/gitlab-runners-autoscaler-instance iam:PassedToService=lambda.amazonaws.com`,
      "s3:PutBucketPolicy arn:aws:s3:::gitlab-runners-cache-123456789012-eu-west-2",
      `ecr:DeleteRepository arn:aws:ecr:eu-west-1:${A}:repository/apps/other-app`,
      "s3:GetObject arn:aws:s3:::terraform-state/gitlab-runners/terraform.tfstate",
    ];
    expect(await decisions(policy, A, needed)).toEqual(allowed(needed));
    expect(await decisions(policy, A, refused)).toEqual(denied(refused));
  }, 60_000);

  test(
    "every action of a scoped statement applies to one of its resources",
    async () => expect(await deadActions(policy, A)).toEqual([]),
    120_000,
  );

  test("the only statement on * lists wildcard-only actions one by one, none a service wildcard", () => {
    const onAll = policy.Statement.filter((s) => s.Resource.includes("*"));
    expect(onAll.map((s) => s.Sid)).toEqual([UNSCOPABLE_SID]);
    expect(onAll[0]!.Resource).toEqual(["*"]);
    expect(policy.Statement.flatMap((s) => s.Action).filter((a) => a.includes("*"))).toEqual([]);
  });

  // tools/check-cdktn.js compares every synthesized file of the cdktf and cdktn variants, whose
  // documents differ only in the AWS provider's pin and source and the generator's metadata.
  test("the files do not depend on the provider's pin and source or on cdktf's metadata", () => {
    const json = synthesized("");
    const variant = JSON.parse(JSON.stringify(json, (key, value) => (key === "//" ? undefined : value)));
    variant.terraform.required_providers.aws = { source: "registry.terraform.io/hashicorp/aws", version: "6.99.0" };
    expect(variant).not.toEqual(json);
    expect(deployerPolicyFiles(variant)).toEqual(deployerPolicyFiles(json));
  }, 60_000);

  test("the parts are the whole in order, each within IAM's managed-policy size; the files are deterministic", () => {
    const parts = deployerPolicyParts(policy);
    expect(parts.flatMap((p) => p.Statement)).toEqual(policy.Statement);
    for (const p of parts) expect(JSON.stringify(p).length).toBeLessThanOrEqual(MANAGED_POLICY_SIZE_LIMIT);
    expect(Object.keys(files)).toEqual(["deployer-policy.json", ...parts.map((_, i) => `deployer-policy.${i + 1}.json`)]);
    expect(JSON.parse(files["deployer-policy.json"]!)).toEqual(policy);
    expect(deployerPolicyFiles(synthesized(""))).toEqual(files);
  }, 60_000);
});

describe("every executor, and runners the stack registers (acmeConfig: acme, 111122223333, eu-central-1)", () => {
  const A = "111122223333";
  test.each(["docker", "docker+machine", "docker-autoscaler"] as const)(
    "%s: every resource type is covered; the module's roles for that executor, no other",
    async (executor) => {
      const { document, uncovered } = deployerPolicy(synth(acmeConfig(executor)).json);
      expect(uncovered).toEqual([]);
      const requests = {
        workerRole: `iam:CreateRole arn:aws:iam::${A}:role/acme-f-${executor === "docker+machine" ? "docker-machine" : "docker-autoscaler"}`,
        managerRole: `iam:CreateRole arn:aws:iam::${A}:role/acme-f-instance`,
      };
      const results = await decisions(document, A, Object.values(requests));
      expect(results).toEqual([
        `${executor === "docker" ? "ImplicitlyDenied" : "Allowed"} ${requests.workerRole}`,
        `Allowed ${requests.managerRole}`,
      ]);
    },
    60_000,
  );

  // Registration by the stack needs the cdktf GitLab binding (support/cdk-variant.ts).
  (GITLAB_BINDING_USABLE ? test : test.skip)(
    "the token parameters the stack writes for the runners it registers",
    async () => {
      const c = acmeConfig("docker-autoscaler") as any;
      c.fleets[0].gitlab = { scope: "group", id: 42, protected: true };
      const { document, uncovered } = deployerPolicy(synth(c).json);
      expect(uncovered).toEqual([]);
      const requests = [
        `ssm:PutParameter arn:aws:ssm:eu-central-1:${A}:parameter/acme/runner-token`,
        `ssm:PutParameter arn:aws:ssm:eu-central-1:${A}:parameter/acme/untrusted-token`,
      ];
      expect(await decisions(document, A, requests)).toEqual([`Allowed ${requests[0]}`, `ImplicitlyDenied ${requests[1]}`]);
    },
    60_000,
  );
});

test("a statement too large for one managed policy (many fleets) is split by its resources, Sids numbered, nothing lost", () => {
  const roles = Array.from(
    { length: 120 },
    (_, i) => `arn:aws:iam::111122223333:role/acme-runners-fleet-${String(i).padStart(3, "0")}-instance`,
  );
  const big = { Sid: "IamRole", Effect: "Allow" as const, Action: ["iam:CreateRole", "iam:DeleteRole"], Resource: roles };
  const small = { Sid: "Other", Effect: "Allow" as const, Action: ["ec2:DescribeImages"], Resource: ["*"] };
  const parts = deployerPolicyParts({ Version: "2012-10-17", Statement: [big, small] });
  const statements = parts.flatMap((p) => p.Statement);
  expect(parts.length).toBeGreaterThan(1);
  for (const p of parts) expect(JSON.stringify(p).length).toBeLessThanOrEqual(MANAGED_POLICY_SIZE_LIMIT);
  expect(statements.filter((s) => s.Sid !== "Other").flatMap((s) => s.Resource)).toEqual(roles);
  expect(statements.map((s) => s.Sid)).toEqual([...statements.slice(0, -1).map((_, i) => `IamRole${i + 1}`), "Other"]);
  expect(new Set(statements.slice(0, -1).map((s) => s.Action.join()))).toEqual(new Set(["iam:CreateRole,iam:DeleteRole"]));
  expect(() =>
    deployerPolicyParts({
      Version: "2012-10-17",
      Statement: [{ ...big, Resource: [`arn:aws:iam::111122223333:role/${"x".repeat(7000)}`] }],
    }),
  ).toThrow(/one resource alone exceeds 6144/);
});

describe("what the deployer's policy leaves out is in the review", () => {
  test("a library user's own resource, of a type the table has no actions for, is named in review.md and review.json", () => {
    const stack = new GitlabRunnerStack(testApp(), "test", acmeConfig("docker-autoscaler"));
    new SnsTopic(stack, "alerts", { name: "ci-alerts" });
    Testing.synth(stack, true);
    const model = reviewModelOf(stack.runners);
    expect(model.deployer).toEqual({
      files: ["deployer-policy.json", "deployer-policy.1.json", "deployer-policy.2.json"],
      uncovered: ["aws_sns_topic"],
    });
    expect(renderReviewReport(model)).toContain(
      "**Not covered** (resource types it has no actions for; grant them to the deployer yourself): `aws_sns_topic`.",
    );
  });

  test("the stack alone: every resource type covered", () => {
    const stack = new GitlabRunnerStack(testApp(), "test", acmeConfig("docker-autoscaler"));
    Testing.synth(stack, true);
    const model = reviewModelOf(stack.runners);
    expect(model.deployer?.uncovered).toEqual([]);
    expect(renderReviewReport(model)).toContain("It covers every resource type of the document.");
  });
});
