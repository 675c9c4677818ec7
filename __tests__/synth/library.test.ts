// The project as a construct library: pieces used from another CDKTF app.
import { testApp } from "../support/helpers";
import { TerraformStack, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { GitlabRunnerEcr, RolePolicy, RunnerFleet, ExistingEcrRepository, DEFAULT_CONFIG, ConfigError } from "../..";

test("GitlabRunnerEcr goes into a stack of one's own, beside one's own provider", () => {
  const app = testApp();
  const stack = new TerraformStack(app, "mine");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  const runners = new GitlabRunnerEcr(stack, "ci-runners", DEFAULT_CONFIG);
  const json = JSON.parse(Testing.synth(stack));
  expect(Object.keys(json.module).sort()).toEqual(["runner_autoscaler", "runner_merge-requests"]);
  expect(runners.fleets.map((f) => f.jobs === f.workers)).toEqual([true, true]);
});

test("invalid props throw ConfigError listing the problems", () => {
  const stack = new TerraformStack(testApp(), "mine");
  expect(() => new GitlabRunnerEcr(stack, "r", { ...DEFAULT_CONFIG, fleets: [] })).toThrow(ConfigError);
});

function fleetStack(configure: (fleet: RunnerFleet) => void): () => void {
  const app = testApp();
  const stack = new TerraformStack(app, "s");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  const fleet = new RunnerFleet(stack, "f", {
    environment: "x-f",
    executor: "docker-autoscaler",
    vpcId: "vpc-0123456789abcdef0",
    subnetIds: ["subnet-0123456789abcdef0"],
    gitlabUrl: "https://gitlab.example.com",
    runnerVersion: "19.4.0",
    runnerTokenSsmParameter: "/t",
    managerInstanceType: "t3.micro",
    maxConcurrentJobs: 1,
    workers: { instanceTypes: ["m6i.large"], maxInstances: 1 },
    defaultImage: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/ci:1",
    jobImageRegistryHosts: ["123456789012.dkr.ecr.eu-west-1.amazonaws.com"],
    cacheBucketName: "c-bucket",
  });
  configure(fleet);
  return () => stack.runAllValidations();
}

test("a role policy with no grant fails synthesis instead of rendering an empty document", () => {
  expect(fleetStack((f) => f.manager.allow("EcrLogin", ["ecr:GetAuthorizationToken"], ["*"]))).toThrow(
    /x-f-workers-ecr: no permission was granted/,
  );
});

test("a policy over IAM's 6,144-character limit fails synthesis with the figure", () => {
  const check = fleetStack((f) => {
    for (const p of [f.manager, f.jobs]) {
      for (let i = 0; i < 80; i++) {
        new ExistingEcrRepository(f, `r${i}-${p.roleLabel}`, `arn:aws:ecr:eu-west-1:123456789012:repository/team-${i}/service-with-a-long-name`).grantPull(p);
      }
    }
  });
  expect(check).toThrow(/x-f-manager-ecr-cache: policy document is \d{4,} characters; IAM allows 6144/);
});

test("RolePolicy merges grants into sorted statements and rejects conflicting actions under one Sid", () => {
  const stack = new TerraformStack(testApp(), "s");
  const p = new RolePolicy(stack, "p", { policyName: "p", roleLabel: "test" });
  p.allow("B", ["s3:GetObject"], ["arn:aws:s3:::b/*"]);
  p.allow("A", ["ecr:BatchGetImage"], ["arn:aws:ecr:eu-west-1:123456789012:repository/z"]);
  p.allow("A", ["ecr:BatchGetImage"], ["arn:aws:ecr:eu-west-1:123456789012:repository/a"]);
  expect(p.document()).toEqual({
    Version: "2012-10-17",
    Statement: [
      { Sid: "A", Effect: "Allow", Action: ["ecr:BatchGetImage"], Resource: ["arn:aws:ecr:eu-west-1:123456789012:repository/a", "arn:aws:ecr:eu-west-1:123456789012:repository/z"] },
      { Sid: "B", Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::b/*"] },
    ],
  });
  expect(() => p.allow("A", ["ecr:PutImage"], ["x"])).toThrow(/statement A of s\/p was granted with different actions/);
});
