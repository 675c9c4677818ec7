// Invariants checked on the synthesized document, whatever spelling produced it: a repository by
// ARN or by name, a wildcard, a policy of the library user's own, the module's own grants. Each case
// adds a hostile grant through the library (where the configuration file refuses the spelling
// before synthesis) or doctors a synthesized document (for the pure checks), and expects the rule to
// stop synthesis at the construct at fault. The expected findings are written from the rules' intent
// (docs/architecture.md, "Guarantees on the document"), not read from the rule code.
import { S3Backend, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { RunnerStackConfigInput } from "../../modules/config/parse";
import { GitlabRunnerStack } from "../../modules/constructs/gitlab-runner-stack";
import { GitlabRunnerEcr } from "../../modules/constructs/gitlab-runner-ecr";
import { PrivateEcrRepository } from "../../modules/constructs/ecr-repository";
import { readStackDocument } from "../../modules/model/stack-document";
import { SECURITY_RULES } from "../../modules/rules";
import { BUILD_CACHE_ONE_WRITER as BUILD_CACHE_ONE_WRITER_ID } from "../../modules/config/fields";
import { acknowledgeRule } from "../../modules/rules/aspect";
import { configWith, synthOutcome, testApp } from "../support/helpers";

const ACCOUNT = "123456789012";
const REGION = "eu-west-1";
const PREFIX_ARN = `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/ecr-public`;
const policy = (statement: object) => JSON.stringify({ Version: "2012-10-17", Statement: [statement] });

function stackWith(config: RunnerStackConfigInput = configWith({})): GitlabRunnerStack {
  return new GitlabRunnerStack(testApp(), "test", config);
}

/** The resolved document of a stack, with cdktf's metadata (construct paths), as the rules see it. */
const documentOf = (config: RunnerStackConfigInput = configWith({})) =>
  structuredClone(stackWith(config).toTerraform()) as Record<string, any>;

const rule = (id: string) => {
  const r = SECURITY_RULES.find((x) => x.id === id);
  if (r?.checkStack === undefined) throw new Error(`no stack rule ${id}`);
  return r as Required<Pick<typeof r, "checkStack">> & typeof r;
};

describe("pull-through-cache-read-only: nobody writes under a pull-through prefix", () => {
  test("the embedded default passes", () => {
    expect(synthOutcome(stackWith())).toBe("ok");
  });

  test.each([
    [
      "a repository inside the prefix, by ARN, granted push through the library",
      (s: GitlabRunnerStack) => {
        const inside = PrivateEcrRepository.fromRepositoryArn(s.runners, "inside", `${PREFIX_ARN}/docker/library/docker`);
        inside.grantPullPush(s.runners.fleet("merge-requests").jobPolicy);
      },
      "test/runners/merge-requests/workers-policy/policy",
      "ecr:CompleteLayerUpload, ecr:InitiateLayerUpload, ecr:PutImage, ecr:UploadLayerPart",
    ],
    [
      "a policy of the user's own: PutImage on every repository of the account",
      (s: GitlabRunnerStack) => {
        new IamPolicy(s.runners, "own", {
          policy: policy({ Effect: "Allow", Action: "ecr:PutImage", Resource: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/*` }),
        });
      },
      "test/runners/own",
      "ecr:PutImage",
    ],
    [
      "a wildcard in the middle of the name (repository/ecr-*)",
      (s: GitlabRunnerStack) => {
        new IamPolicy(s.runners, "own", {
          policy: policy({ Effect: "Allow", Action: "ecr:Put*", Resource: `arn:aws:ecr:*:${ACCOUNT}:repository/ecr-*` }),
        });
      },
      "test/runners/own",
      "ecr:PutImage, ecr:PutImageTagMutability, ecr:PutLifecyclePolicy",
    ],
    [
      "NotResource that leaves the prefix in",
      (s: GitlabRunnerStack) => {
        new IamPolicy(s.runners, "own", {
          policy: policy({
            Effect: "Allow",
            Action: "ecr:BatchDeleteImage",
            NotResource: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/apps/*`,
          }),
        });
      },
      "test/runners/own",
      "ecr:BatchDeleteImage",
    ],
  ])("%s fails synthesis", (_what, add, path, actions) => {
    const stack = stackWith();
    add(stack);
    const outcome = synthOutcome(stack);
    const label = path.endsWith("/own") ? /aws_iam_policy\.runners_own_[0-9A-F]+/ : /aws_iam_policy\.merge-requests_workers/;
    expect(outcome).toContain(`[${path}] pull-through-cache-read-only: `);
    expect(outcome).toMatch(label);
    expect(outcome).toContain(` allows ${actions} on repositories under the pull-through cache prefix "ecr-public/"`);
  });

  test("a repository created under the prefix fails (it would stand in for the upstream's image)", () => {
    const stack = stackWith();
    new EcrRepository(stack.runners, "shadow", {
      name: "ecr-public/docker/library/docker",
      imageTagMutability: "IMMUTABLE",
      imageScanningConfiguration: { scanOnPush: true },
    });
    expect(synthOutcome(stack)).toContain(
      '[test/runners/shadow] pull-through-cache-read-only: repository "ecr-public/docker/library/docker" lies under the pull-through cache prefix "ecr-public/"',
    );
  });

  test("writes outside the prefix, and pulls inside it, pass", () => {
    const stack = stackWith();
    new IamPolicy(stack.runners, "own", {
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Action: "ecr:PutImage", Resource: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/apps/*` },
          { Effect: "Allow", Action: "ecr:BatchGetImage", Resource: `${PREFIX_ARN}/*` },
        ],
      }),
    });
    expect(synthOutcome(stack)).not.toContain("pull-through-cache-read-only");
  });

  test("cannot be acknowledged", () => {
    const stack = stackWith();
    expect(() => acknowledgeRule(stack.runners, "pull-through-cache-read-only", "We really want to push there")).toThrow(
      /cannot be acknowledged/,
    );
  });
});

describe("state-not-reachable: no role reaches the state bucket", () => {
  const s3Backend = { type: "s3" as const, bucket: "acme-terraform-state", key: "runners.tfstate", region: REGION };

  test("the default with an S3 backend passes", () => {
    expect(synthOutcome(stackWith(configWith({ backend: s3Backend })))).toBe("ok");
  });

  test.each([
    ["the state's objects", "s3:GetObject", "arn:aws:s3:::acme-terraform-state/*", "s3:GetObject"],
    [
      "every bucket whose name starts with acme-",
      "s3:*",
      "arn:aws:s3:::acme-*",
      "s3:GetObject, s3:GetObjectVersion, s3:PutObject, s3:DeleteObject, s3:ListBucket, s3:PutBucketPolicy, s3:DeleteBucket",
    ],
  ])("a grant on %s fails", (_what, action, resource, reached) => {
    const stack = stackWith(configWith({ backend: s3Backend }));
    new IamPolicy(stack.runners, "own", { policy: policy({ Effect: "Allow", Action: action, Resource: resource }) });
    const outcome = synthOutcome(stack);
    expect(outcome).toContain("[test/runners/own] state-not-reachable: aws_iam_policy.runners_own_");
    expect(outcome).toContain(` allows ${reached} on the state bucket "acme-terraform-state"`);
  });

  test("a cache bucket that is the state bucket fails (checked on the document)", () => {
    const doctored = documentOf(configWith({ backend: s3Backend }));
    doctored.resource.aws_s3_bucket.cache.bucket = "acme-terraform-state";
    const findings = rule("state-not-reachable").checkStack(readStackDocument(doctored));
    expect(findings.map((f) => f.path)).toEqual(
      expect.arrayContaining(["test/runners/autoscaler/runner", "test/runners/merge-requests/runner"]),
    );
    expect(findings[0]!.message).toContain(
      'the runners\' cache bucket is "acme-terraform-state", the bucket that holds the Terraform state',
    );
    // The managers' cache grants name the bucket by its literal ARN: doctored too, they are found as well.
    doctored.resource.aws_iam_policy.autoscaler_manager.policy = String(
      doctored.resource.aws_iam_policy.autoscaler_manager.policy,
    ).replaceAll("gitlab-runners-cache-123456789012-eu-west-1", "acme-terraform-state");
    expect(
      rule("state-not-reachable")
        .checkStack(readStackDocument(doctored))
        .map((f) => f.path),
    ).toContain("test/runners/autoscaler/manager-policy/policy");
  });
});

test("a library user's stack whose S3 backend is the cache bucket fails at every fleet (the app's configuration check does not run there)", () => {
  const stack = new TerraformStack(testApp(), "mine");
  new AwsProvider(stack, "aws", { region: REGION, allowedAccountIds: [ACCOUNT] });
  new S3Backend(stack, { bucket: "acme-shared-bucket", key: "runners.tfstate", region: REGION });
  const { backend: _backend, ...props } = configWith({ cache: { bucketName: "acme-shared-bucket" } });
  new GitlabRunnerEcr(stack, "runners", props);
  const outcome = synthOutcome(stack);
  for (const fleet of ["autoscaler", "merge-requests"])
    expect(outcome).toContain(
      `[mine/runners/${fleet}/runner] state-not-reachable: the runners' cache bucket is "acme-shared-bucket", the bucket that holds the Terraform state`,
    );
  // No reason accepts it: the line says so (library.test.ts checks the advice after the findings).
  expect(outcome).toMatch(/Terraform state[^\n]* \(not acknowledgeable: change what the finding names\)\n/);
});

describe("manager-does-not-push: managers of worker executors never push", () => {
  test("a push grant to a manager through the library fails", () => {
    const stack = stackWith();
    stack.runners.ciImage.grantPullPush(stack.runners.fleet("autoscaler").managerPolicy);
    expect(synthOutcome(stack)).toContain(
      '[test/runners/autoscaler/runner] manager-does-not-push: the manager role of fleet "autoscaler" may ecr:CompleteLayerUpload, ecr:InitiateLayerUpload, ecr:PutImage, ecr:UploadLayerPart',
    );
  });

  test("a policy attached to the manager role by its module output fails too", () => {
    const stack = stackWith();
    const own = new IamPolicy(stack.runners, "own", {
      policy: policy({ Effect: "Allow", Action: "ecr:PutImage", Resource: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/apps/example-app` }),
    });
    new IamRolePolicyAttachment(stack.runners, "attach", {
      role: stack.runners.fleet("merge-requests").module.runnerAgentRoleName,
      policyArn: own.arn,
    });
    expect(synthOutcome(stack)).toContain(
      '[test/runners/merge-requests/runner] manager-does-not-push: the manager role of fleet "merge-requests" may ecr:PutImage',
    );
  });
});

describe("worker-jobs-hold-no-s3: jobs on workers reach the cache only through signed URLs", () => {
  test("the cache granted to a workers' role fails; an acknowledgement with a reason lets it pass", () => {
    const stack = stackWith();
    stack.runners.cache.grantReadWrite(stack.runners.fleet("autoscaler").jobPolicy);
    expect(synthOutcome(stack)).toContain(
      '[test/runners/autoscaler/runner] worker-jobs-hold-no-s3: the workers\' role of fleet "autoscaler", which its jobs hold, may s3:GetObject, s3:PutObject, s3:ListBucket',
    );
    const again = stackWith();
    again.runners.cache.grantReadWrite(again.runners.fleet("autoscaler").jobPolicy);
    acknowledgeRule(again.runners.fleet("autoscaler"), "worker-jobs-hold-no-s3", "Deploy jobs read the cache bucket's reports");
    expect(synthOutcome(again)).toBe("ok");
    expect(again.runners.securityRules.findings.filter((f) => f.ruleId === "worker-jobs-hold-no-s3")).toEqual([
      expect.objectContaining({
        acknowledgement: { path: "test/runners/autoscaler", reason: "Deploy jobs read the cache bucket's reports" },
      }),
    ]);
  });
});

describe("one-fleet-per-runner-token: one registration, one fleet", () => {
  function doctoredTokens(a: unknown, b: unknown) {
    const doctored = documentOf();
    doctored.module.runner_autoscaler.runner_gitlab.preregistered_runner_token_ssm_parameter_name = a;
    doctored.module["runner_merge-requests"].runner_gitlab.preregistered_runner_token_ssm_parameter_name = b;
    return rule("one-fleet-per-runner-token").checkStack(readStackDocument(doctored));
  }

  test("the same literal in two fleets is found at the second", () => {
    expect(doctoredTokens("/shared/token", "/shared/token")).toEqual([
      {
        path: "test/runners/merge-requests/runner",
        message: expect.stringContaining(
          'fleet "merge-requests" reads its runner token from "/shared/token", the parameter fleet "autoscaler" reads',
        ),
      },
    ]);
  });

  test("a name with and without its leading / is one parameter to IAM (parameter/shared/token)", () => {
    expect(doctoredTokens("/shared/token", "shared/token")).toEqual([
      {
        path: "test/runners/merge-requests/runner",
        message: expect.stringContaining(
          'fleet "merge-requests" reads its runner token from "shared/token", the parameter fleet "autoscaler" reads',
        ),
      },
    ]);
    expect(doctoredTokens("shared/token", "/shared/token")).toHaveLength(1);
    expect(doctoredTokens("/shared/token", "/shared/token2")).toEqual([]);
  });

  test("one Terraform variable used by both is found; two variables are not the same parameter", () => {
    expect(doctoredTokens("${var.token}", "${var.token}")).toHaveLength(1);
    expect(doctoredTokens("${var.token_a}", "${var.token_b}")).toEqual([]);
    expect(doctoredTokens("/a", "/b")).toEqual([]);
  });
});

describe("build-cache-one-writer: one fleet writes a repository with mutable build-cache tags", () => {
  // The configuration refuses a second push fleet (sharing-checks.ts); a grant through the library
  // is another spelling of the same thing, which the document rule sees.
  const secondWriter = () => {
    const stack = stackWith();
    const app = stack.runners.applicationRepositories.find((a) => a.repository.repositoryName === "apps/example-app")!;
    app.repository.grantPullPush(stack.runners.fleet("merge-requests").jobPolicy);
    return stack;
  };

  test("a second push fleet granted through the library fails at the repository; acknowledged, it passes", () => {
    expect(synthOutcome(secondWriter())).toContain(
      '[test/runners/app_apps_example-app/repository] build-cache-one-writer: the jobs of fleets "autoscaler", "merge-requests" may push "apps/example-app", whose tags buildcache* stay mutable',
    );
    const again = secondWriter();
    acknowledgeRule(
      again.runners.node.findChild("app_apps_example-app"),
      "build-cache-one-writer",
      "Both fleets run only protected branches",
    );
    expect(synthOutcome(again)).toBe("ok");
  });

  test("one writer and any number of readers pass", () => {
    expect(synthOutcome(stackWith())).toBe("ok");
  });
});

test("one-fleet-per-runner-token at plan time: only where a token parameter is a variable is a precondition added", () => {
  const literal = structuredClone(stackWith().toTerraform()) as Record<string, any>;
  expect(literal.resource.terraform_data).toBeUndefined();
  const config = configWith({});
  (config.fleets![1] as any).runnerTokenSsmParameter = { terraformVariable: "mr_token" };
  const withVariable = structuredClone(stackWith(config).toTerraform()) as Record<string, any>;
  expect(withVariable.resource.terraform_data.runner_token_parameters_distinct.lifecycle.precondition[0].condition).toBe(
    '${(length(distinct(["gitlab-runners/autoscaler/runner-token", trimprefix(var.mr_token, "/")])) == 2)}',
  );
});

test("the configuration's id for a second build-cache writer is the security rule's", () => {
  expect(SECURITY_RULES.map((r) => r.id)).toContain(BUILD_CACHE_ONE_WRITER_ID);
});

// The issue refuses these outright: a reason does not make them safe, so there is nothing to acknowledge.
test.each(["state-not-reachable", "manager-does-not-push", "one-fleet-per-runner-token", "pull-through-cache-read-only"] as const)(
  "%s cannot be acknowledged",
  (id) => {
    const stack = stackWith();
    expect(() => acknowledgeRule(stack.runners, id, "We reviewed this and accept the risk")).toThrow(/cannot be acknowledged/);
    expect(() => acknowledgeRule(stack.runners.fleet("autoscaler"), id, "We reviewed this and accept the risk")).toThrow(
      /cannot be acknowledged/,
    );
  },
);
