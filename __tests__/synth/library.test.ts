// The project as a construct library: pieces used from another CDKTF app.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, TerraformStack, TerraformProvider, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import {
  ConfigError,
  ExistingEcrRepository,
  GitlabRunnerEcr,
  GitlabRunnerStack,
  ManagedPolicy,
  PrivateEcrRepository,
  RunnerFleet,
  RunnerFleetProps,
  SecurityRules,
  ValidatedConfig,
  ValidatedRunnersConfig,
  parseRunnersConfig,
} from "../../index";
import { runApp } from "../../modules/app/app";
import { DEFAULTS } from "../../modules/config/defaults";
import { HOP_LIMIT_TOO_LOW } from "../../modules/config/fleet-checks";
import { tempFolder } from "../support/temp-folder";
import { DEFAULT_CONFIG } from "../../modules/app/default-config";
import { configSchema, runnersSchema } from "../../modules/config/parse";
import { testApp } from "../support/helpers";
import { Construct } from "constructs";

/** The default configuration as GitlabRunnerEcr props: without the app's backend, and `aws` optional. */
const { backend: _backend, ...PROPS } = DEFAULT_CONFIG;

function ownStack(provider = true): TerraformStack {
  const stack = new TerraformStack(testApp(), "mine");
  if (provider) new AwsProvider(stack, "aws", { region: "eu-west-1", allowedAccountIds: ["123456789012"] });
  return stack;
}

test("GitlabRunnerEcr goes into a stack of one's own, beside one's own provider", () => {
  const stack = ownStack();
  const runners = new GitlabRunnerEcr(stack, "ci-runners", PROPS);
  const json = JSON.parse(Testing.synth(stack));
  expect(Object.keys(json.module).sort()).toEqual(["runner_autoscaler", "runner_merge-requests"]);
  expect(runners.fleets.map((f) => f.jobPolicy === f.workerPolicy)).toEqual([true, true]);
  expect(runners.fleet("merge-requests").executor).toBe("docker-autoscaler");
  expect(() => runners.fleet("nope")).toThrow(/no fleet "nope"; the fleets are autoscaler, merge-requests/);
});

test("account and region come from the stack's provider when the props leave them out", () => {
  const { aws: _aws, ...withoutAws } = PROPS;
  const runners = new GitlabRunnerEcr(ownStack(), "ci-runners", withoutAws);
  expect(runners.ciImageUri).toBe("123456789012.dkr.ecr.eu-west-1.amazonaws.com/ci/docker-ecr:1.0.0");
  expect(() => new GitlabRunnerEcr(ownStack(false), "ci-runners", withoutAws)).toThrow(
    "aws: not given, and the stack has no AwsProvider to take the account and region from",
  );
});

test.each([
  ["no allowed account", { region: "eu-west-1" }, "the stack's AwsProvider names no allowed account(s); it needs exactly one"],
  ["two allowed accounts", { region: "eu-west-1", allowedAccountIds: ["123456789012", "210987654321"] }, "names 2 allowed account(s)"],
  ["no region", { allowedAccountIds: ["123456789012"] }, "the stack's AwsProvider has no literal region"],
])("a provider that cannot stand in for aws says why: %s", (_what, config, message) => {
  const { aws: _aws, ...withoutAws } = PROPS;
  const stack = ownStack(false);
  new AwsProvider(stack, "aws", config);
  expect(() => new GitlabRunnerEcr(stack, "ci-runners", withoutAws)).toThrow(message);
});

test("the app's backend is not a GitlabRunnerEcr prop: it belongs to the stack", () => {
  expect(() => new GitlabRunnerEcr(ownStack(), "r", { ...PROPS, backend: { type: "local" } } as never)).toThrow(/backend: unknown field/);
});

test("invalid props throw ConfigError listing the problems", () => {
  expect(() => new GitlabRunnerEcr(ownStack(), "r", { ...PROPS, fleets: [] })).toThrow(ConfigError);
});

test("a second GitlabRunnerEcr in one stack is refused with the reason, not silently merged", () => {
  const stack = ownStack();
  new GitlabRunnerEcr(stack, "first", PROPS);
  expect(() => new GitlabRunnerEcr(stack, "second", { ...PROPS, name: "other-runners" })).toThrow(
    /mine\/second: stack mine already holds a GitlabRunnerEcr \(mine\/first\)\. Its Terraform addresses are fixed/,
  );
});

test("the security rules cover the user's own constructs in the same stack", () => {
  const stack = ownStack();
  new GitlabRunnerEcr(stack, "runners", PROPS);
  new S3Bucket(stack, "mine", { bucket: "an-unprotected-bucket" });
  expect(() => Testing.synth(stack, true)).toThrow(/\[mine\/mine\] s3-bucket-encrypted:/);
});

describe("each value is validated once, where it enters: a Validated* value is never parsed again, anything else always", () => {
  const counted = (build: () => void): [number, number] => {
    const full = jest.spyOn(configSchema, "safeParse");
    const runners = jest.spyOn(runnersSchema, "safeParse");
    try {
      build();
      return [full.mock.calls.length, runners.mock.calls.length];
    } finally {
      full.mockRestore();
      runners.mockRestore();
    }
  };
  test.each<[string, () => void, [number, number]]>([
    [
      "GitlabRunnerStack with plain input (the stack parses; GitlabRunnerEcr takes its runners' part)",
      () => new GitlabRunnerStack(testApp(), "gitlab-runners", DEFAULT_CONFIG),
      [1, 0],
    ],
    [
      "GitlabRunnerStack with the app's ValidatedConfig (parsed before, by the app)",
      () => new GitlabRunnerStack(testApp(), "gitlab-runners", validated),
      [0, 0],
    ],
    ["GitlabRunnerEcr with a library user's plain props", () => new GitlabRunnerEcr(ownStack(), "ci-runners", PROPS), [0, 1]],
    ["GitlabRunnerEcr with a ValidatedRunnersConfig", () => new GitlabRunnerEcr(ownStack(), "ci-runners", validatedRunners), [0, 0]],
    // Plain data again (it could have been changed since): validated like any input.
    [
      "GitlabRunnerEcr with parseRunnersConfig's plain result",
      () => new GitlabRunnerEcr(ownStack(), "ci-runners", parseRunnersConfig(PROPS)),
      [0, 2],
    ],
  ])("%s", (_what, build, calls) => {
    expect(counted(build)).toEqual(calls);
  });
  const validated = ValidatedConfig.parse(DEFAULT_CONFIG);
  const validatedRunners = ValidatedRunnersConfig.parse(PROPS);

  test("the app parses the file once, and nothing after it parses again", () => {
    const outdir = tempFolder("parse-once-");
    const calls = counted(() => expect(runApp({ env: { CDKTF_OUTDIR: outdir }, cwd: outdir, stderr: () => {} })).toBe(0));
    expect(calls).toEqual([1, 0]);
  });

  test("a Validated* value is made only by its parse function", () => {
    const forge = ValidatedRunnersConfig as unknown as new (token: symbol, value: unknown) => unknown;
    expect(() => new forge(Symbol("made by parse.ts"), PROPS)).toThrow("ValidatedRunnersConfig is made by ValidatedRunnersConfig.parse");
  });
});

describe("grants, as in aws-cdk: verbs on a repository, to a fleet's policy or to a role of one's own", () => {
  test("one call grants pull on a created or an existing repository to the user's IAM role", () => {
    const stack = ownStack();
    const runners = new GitlabRunnerEcr(stack, "runners", PROPS);
    const deployer = new IamRole(stack, "deployer", { name: "deployer", assumeRolePolicy: "{}" });
    runners.ciImage.grantPull(deployer);
    PrivateEcrRepository.fromRepositoryArn(stack, "shared", "arn:aws:ecr:eu-west-1:444455556666:repository/shared/base").grantPullPush(
      deployer,
    );
    const json = JSON.parse(Testing.synth(stack, true));
    const policies = Object.values(json.resource.aws_iam_policy as Record<string, { policy: string; description: string }>).filter((p) =>
      p.description.startsWith("Least-privilege access granted by gitlab-runner-ecr"),
    );
    expect(policies).toHaveLength(1);
    const doc = JSON.parse(policies[0]!.policy);
    expect(doc.Statement.map((s: { Sid: string; Resource: string[] }) => [s.Sid, s.Resource])).toEqual([
      ["EcrLogin", ["*"]],
      [
        "EcrPull",
        ["arn:aws:ecr:eu-west-1:123456789012:repository/ci/docker-ecr", "arn:aws:ecr:eu-west-1:444455556666:repository/shared/base"],
      ],
      ["EcrPush", ["arn:aws:ecr:eu-west-1:444455556666:repository/shared/base"]],
    ]);
    const attachment = Object.values(json.resource.aws_iam_role_policy_attachment as Record<string, { role: string }>)[0]!;
    expect(attachment.role).toBe("${aws_iam_role.deployer.name}");
  });

  test("imageUri takes a tag or a digest, and refuses anything else", () => {
    const runners = new GitlabRunnerEcr(ownStack(), "runners", PROPS);
    expect(runners.ciImage.imageUri("2.0.1")).toBe("123456789012.dkr.ecr.eu-west-1.amazonaws.com/ci/docker-ecr:2.0.1");
    expect(runners.ciImage.imageUri(`sha256:${"a".repeat(64)}`)).toBe(
      `123456789012.dkr.ecr.eu-west-1.amazonaws.com/ci/docker-ecr@sha256:${"a".repeat(64)}`,
    );
    expect(() => runners.ciImage.imageUri("latest; rm -rf /")).toThrow(/neither a Docker tag nor a sha256: digest/);
  });
});

const FLEET_PROPS: RunnerFleetProps = {
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
};

function fleetStack(configure: (fleet: RunnerFleet) => void): () => void {
  const stack = ownStack();
  const fleet = new RunnerFleet(stack, "f", FLEET_PROPS);
  configure(fleet);
  return () => stack.runAllValidations();
}

test("a policy with no grant fails synthesis instead of rendering an empty document", () => {
  expect(fleetStack((f) => f.managerPolicy.allow("EcrLogin", ["ecr:GetAuthorizationToken"], ["*"]))).toThrow(
    /x-f-workers-ecr: no permission was granted/,
  );
});

test("a policy over IAM's 6,144-character limit fails synthesis with the figure", () => {
  const check = fleetStack((f) => {
    for (const p of [f.managerPolicy, f.jobPolicy]) {
      for (let i = 0; i < 80; i++) {
        new ExistingEcrRepository(
          f,
          `r${i}-${p.roleLabel}`,
          `arn:aws:ecr:eu-west-1:123456789012:repository/team-${i}/service-with-a-long-name`,
        ).grantPull(p);
      }
    }
  });
  expect(check).toThrow(/x-f-manager-ecr-cache: policy document is \d{4,} characters; IAM allows 6144/);
});

test("ManagedPolicy merges grants into sorted statements and rejects conflicting actions under one Sid", () => {
  const stack = new TerraformStack(testApp(), "s");
  const p = new ManagedPolicy(stack, "p", { policyName: "p", roleLabel: "test" });
  p.allow("B", ["s3:GetObject"], ["arn:aws:s3:::b/*"]);
  p.allow("A", ["ecr:BatchGetImage"], ["arn:aws:ecr:eu-west-1:123456789012:repository/z"]);
  p.allow("A", ["ecr:BatchGetImage"], ["arn:aws:ecr:eu-west-1:123456789012:repository/a"]);
  expect(p.document()).toEqual({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "A",
        Effect: "Allow",
        Action: ["ecr:BatchGetImage"],
        Resource: ["arn:aws:ecr:eu-west-1:123456789012:repository/a", "arn:aws:ecr:eu-west-1:123456789012:repository/z"],
      },
      { Sid: "B", Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::b/*"] },
    ],
  });
  expect(() => p.allow("A", ["ecr:PutImage"], ["x"])).toThrow(/statement A of s\/p was granted with different actions/);
});

describe("configuration holes refused through the library too, naming the field", () => {
  const OWN = "arn:aws:ecr:eu-west-1:123456789012:repository/";
  const HUB = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ecr-pullthroughcache/docker-hub-AbCdEf";
  const [autoscaler, mergeRequests] = PROPS.fleets;
  const cases: [string, Partial<typeof PROPS>, RegExp][] = [
    [
      "push into the default pull-through prefix by ARN",
      { repositories: [{ arn: `${OWN}ecr-public/docker/library/docker`, push: ["autoscaler"] }] },
      /repositories\[0\]\.push: gives push on ecr-public\/docker\/library\/docker, a pull-through cache repository/,
    ],
    [
      "a created repository under the default pull-through prefix",
      { repositories: [{ name: "ecr-public/app" }] },
      /repositories\[0\]\.name: "ecr-public\/app" lies under the pull-through prefix "ecr-public"/,
    ],
    [
      "one runner token for two fleets",
      { fleets: [autoscaler!, { ...mergeRequests!, runnerTokenSsmParameter: autoscaler!.runnerTokenSsmParameter }] },
      /fleets\[1\]\.runnerTokenSsmParameter: "\/gitlab-runners\/autoscaler\/runner-token" is the parameter fleets\[0\]\.runnerTokenSsmParameter names too/,
    ],
    [
      "one runner token variable for two fleets",
      {
        fleets: [
          { ...autoscaler!, runnerTokenSsmParameter: { terraformVariable: "token" } },
          { ...mergeRequests!, runnerTokenSsmParameter: { terraformVariable: "token" } },
        ],
      },
      /fleets\[1\]\.runnerTokenSsmParameter: uses the Terraform variable "token", as fleets\[0\]\.runnerTokenSsmParameter does/,
    ],
    [
      "a credentialed upstream without its fleets",
      { pullThroughCache: [{ prefix: "docker-hub", upstream: "registry-1.docker.io", credentialArn: HUB }] },
      /pullThroughCache\[0\]\.pull: is required with credentials/,
    ],
    [
      "a fleet named constructor",
      { fleets: [autoscaler!, { ...mergeRequests!, name: "constructor" }] },
      /fleets\[1\]\.name: "constructor" is a name every JavaScript object already has/,
    ],
    [
      "a fleet named cache",
      { fleets: [autoscaler!, { ...mergeRequests!, name: "cache" }] },
      /fleets\[1\]\.name: "cache" is the id of the cache bucket's construct/,
    ],
    [
      "two prefixes meeting in one Terraform address",
      {
        pullThroughCache: [
          { prefix: "k8s.io", upstream: "registry.k8s.io" },
          { prefix: "k8s_io", upstream: "quay.io" },
        ],
      },
      /pullThroughCache\[1\]\.prefix: gives the same Terraform address as pullThroughCache\[0\]\.prefix "k8s\.io"/,
    ],
    ["a __proto__ tag", { tags: JSON.parse('{"__proto__": "x"}') }, /tags\.__proto__: is not accepted as a key/],
    [
      "two writers of a build cache",
      { repositories: [{ name: "apps/example-app", buildCache: true, push: ["autoscaler", "merge-requests"] }] },
      /repositories\[0\]\.push: lets 2 fleets \(autoscaler, merge-requests\) push to a repository with buildCache/,
    ],
  ];

  test.each(cases)("%s", (_what, change, field) => {
    const attempt = () => new GitlabRunnerEcr(ownStack(), "runners", { ...PROPS, ...change });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(field);
  });

  test("the cache bucket as the state bucket (the app's configuration, through GitlabRunnerStack)", () => {
    const config = {
      ...DEFAULT_CONFIG,
      cache: { bucketName: "acme-state" },
      backend: { type: "s3" as const, bucket: "acme-state", key: "k", region: "eu-west-1" },
    };
    const attempt = () => new GitlabRunnerStack(testApp(), "gitlab-runners", config);
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/cache\.bucketName: is the state bucket \(backend\.bucket\)/);
  });

  test("repositories[].acknowledge reaches the repository's constructs; an acknowledged second build-cache writer is accepted", () => {
    const stack = ownStack();
    const reason = "Both fleets build only protected branches; reviewed";
    const runners = new GitlabRunnerEcr(stack, "runners", {
      ...PROPS,
      repositories: [
        {
          name: "apps/example-app",
          buildCache: true,
          push: ["autoscaler", "merge-requests"],
          acknowledge: { "build-cache-one-writer": reason, "s3-bucket-encrypted": reason },
        },
      ],
    });
    // A construct of one's own inside the repository that breaks a rule the repository acknowledged.
    const repository = runners.applicationRepositories[0]!.repository as unknown as Construct;
    new S3Bucket(repository, "inside", { bucket: "a-bucket-inside" });
    Testing.synth(stack);
    const finding = runners.securityRules.findings.find((f) => f.path.endsWith("/inside") && f.ruleId === "s3-bucket-encrypted");
    expect(finding?.acknowledgement).toEqual({ path: repository.node.path, reason });
  });

  test("every child of GitlabRunnerEcr that a fleet name could spell is refused as a fleet name", () => {
    const runners = new GitlabRunnerEcr(ownStack(), "runners", PROPS);
    const fleetIds = new Set(runners.fleets.map((f) => f.node.id));
    const spellable = runners.node.children.map((c) => c.node.id).filter((id) => /^[a-z][a-z0-9-]{0,19}$/.test(id) && !fleetIds.has(id));
    expect(spellable.length).toBeGreaterThan(0);
    for (const id of spellable) {
      expect(
        () => new GitlabRunnerEcr(ownStack(), "runners", { ...PROPS, fleets: [autoscaler!, { ...mergeRequests!, name: id }] }),
      ).toThrow(new RegExp(`fleets\\[1\\]\\.name: "${id}" is`));
    }
  });
});

test("an AWS provider from another copy of the binding is named as such (peer dependency installed twice)", () => {
  const { aws: _aws, ...withoutAws } = PROPS;
  const stack = ownStack(false);
  // What a second copy of @cdktf/provider-aws looks like from here: an "aws" provider that is not this copy's AwsProvider.
  new (class extends TerraformProvider {
    constructor() {
      super(stack, "other-copy", { terraformResourceType: "aws" });
    }
    protected synthesizeAttributes() {
      return {};
    }
  })();
  expect(() => new GitlabRunnerEcr(stack, "ci-runners", withoutAws)).toThrow(
    "the stack's AWS provider comes from another copy of @cdktf/provider-aws than this library's",
  );
});

/** The message of a library user's failed app.synth() after `change` to a stack of GitlabRunnerEcr. */
function failedSynthesis(change: (runners: GitlabRunnerEcr, stack: TerraformStack) => void): string {
  const dir = mkdtempSync(join(tmpdir(), "gre-lib-hint-"));
  try {
    const app = new App({ outdir: dir });
    const stack = new TerraformStack(app, "platform");
    new AwsProvider(stack, "aws", { region: "eu-west-1", allowedAccountIds: ["123456789012"] });
    change(new GitlabRunnerEcr(stack, "ci", PROPS), stack);
    try {
      app.synth();
    } catch (e) {
      return (e as Error).message;
    }
    return "ok";
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const ownPolicy = (stack: TerraformStack, action: string, resource: string) =>
  new IamPolicy(stack, "own", {
    policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: action, Resource: resource }] }),
  });
const MARKED = " (not acknowledgeable: change what the finding names)";

test("a library user's failed synthesis says how to acknowledge a finding, not to skip validation", () => {
  const message = failedSynthesis((_r, stack) => ownPolicy(stack, "ecr:Describe*", "arn:aws:ecr:eu-west-1:123456789012:repository/apps/x"));
  expect(message).toMatch(/^Validation failed with the following errors:\n {2}\[platform\/own\] iam-no-wildcard-action: [^\n]*"\n/);
  expect(message).toContain("acknowledgeRule(construct, ruleId, reason)");
  expect(message).not.toContain(MARKED);
  expect(message).not.toContain("pass 'skipValidation: true'");
});

test("findings no reason accepts are marked, and alone they get no advice to acknowledge", () => {
  const message = failedSynthesis((runners) => runners.ciImage.grantPullPush(runners.fleet("merge-requests").managerPolicy));
  expect(message).toMatch(
    /^Validation failed with the following errors:\n {2}\[platform\/ci\/merge-requests\/runner\] manager-does-not-push: /,
  );
  expect(message).toContain(`its jobs run on workers, so it needs no push right${MARKED}\n`);
  expect(message).toContain(
    "Each line names a construct and a security rule that cannot be acknowledged: change the stack so that the finding goes.",
  );
  expect(message).not.toContain("acknowledgeRule(");
});

test("findings of both kinds: how to acknowledge, and that the marked ones must be fixed", () => {
  const message = failedSynthesis((runners, stack) => {
    runners.ciImage.grantPullPush(runners.fleet("merge-requests").managerPolicy);
    ownPolicy(stack, "ecr:Describe*", "arn:aws:ecr:eu-west-1:123456789012:repository/apps/x");
  });
  expect(message).toContain(`so it needs no push right${MARKED}\n`);
  expect(message).toContain("acknowledgeRule(construct, ruleId, reason)");
  expect(message).toContain('A line marked "not acknowledgeable" must be fixed instead.');
});

describe("a RunnerFleet built directly: the configuration's checks in the same words, its defaults from DEFAULTS", () => {
  const fleet = (change: Partial<RunnerFleetProps>) => () => new RunnerFleet(ownStack(), "f", { ...FLEET_PROPS, ...change });
  test.each<[string, Partial<RunnerFleetProps>, string]>([
    ["no workers where jobs run on workers", { workers: undefined }, "mine/f: workers: is required with the docker-autoscaler executor"],
    [
      "workers where jobs run on the manager",
      { executor: "docker" },
      "mine/f: workers: only for docker+machine and docker-autoscaler: with the docker executor, jobs run on the manager",
    ],
    [
      "two instance types for an executor that takes one",
      { executor: "docker+machine", workers: { instanceTypes: ["m6i.large", "m5.large"], maxInstances: 1 } },
      "mine/f: workers.instanceTypes: gives 2 instance types, but docker+machine takes exactly one (amazonec2-instance-type)",
    ],
    ["a hop limit job containers cannot reach the role through", { jobHopLimit: 1 }, `mine/f: jobHopLimit: ${HOP_LIMIT_TOO_LOW}`],
  ])("%s", (_what, change, message) => {
    expect(fleet(change)).toThrow(message);
  });

  // No configuration check runs here: the document rule is what stops one token serving two fleets.
  test("two fleets of one's own reading one token parameter, spelt /t and t, are stopped by one-fleet-per-runner-token", () => {
    const stack = ownStack();
    SecurityRules.of(stack);
    for (const fleet of [
      new RunnerFleet(stack, "a", { ...FLEET_PROPS, environment: "x-a" }),
      new RunnerFleet(stack, "b", { ...FLEET_PROPS, environment: "x-b", runnerTokenSsmParameter: "t" }),
    ])
      for (const policy of [fleet.managerPolicy, fleet.jobPolicy]) policy.allow("EcrLogin", ["ecr:GetAuthorizationToken"], ["*"]);
    expect(() => Testing.synth(stack, true)).toThrow(
      /\[mine\/b\/runner\] one-fleet-per-runner-token: fleet "b" reads its runner token from "t", the parameter fleet "a" reads/,
    );
  });

  test("left-out settings take DEFAULTS' values, as the schema fills them in for GitlabRunnerEcr", () => {
    const built = new RunnerFleet(ownStack(), "f", FLEET_PROPS);
    const inputs = built.module.inputs as any;
    expect(inputs.runner_worker_cache.shared).toBe(DEFAULTS.cache.shareBetweenFleets);
    expect(inputs.runner_worker_docker_autoscaler.max_use_count).toBe(DEFAULTS.workers.maxJobsPerInstance);
    expect(inputs.runner_worker_docker_autoscaler_instance.root_size).toBe(DEFAULTS.workers.rootVolumeGiB);
    expect(inputs.runner_worker_docker_autoscaler_instance.http_put_response_hop_limit).toBe(DEFAULTS.jobHopLimit);
    expect(inputs.runner_worker_docker_autoscaler_asg.on_demand_percentage_above_base_capacity).toBe(DEFAULTS.workers.spot ? 0 : 100);
    expect(inputs.runner_worker_docker_autoscaler_autoscaling_options[0]).toMatchObject({
      idle_count: DEFAULTS.workers.idleCount,
      idle_time: `${DEFAULTS.workers.idleTimeMinutes}m`,
    });
  });
});
