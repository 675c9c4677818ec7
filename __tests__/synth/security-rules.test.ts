// The security rules run as Aspects at synthesis: the shipped stacks pass every rule; each rule,
// broken on purpose, fails synthesis with the construct path and the rule id; an acknowledgement
// with a reason lets it pass and shows in the review report.
import { reviewReport } from "../../modules/report/review-report";
import { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { RunnerStackConfigInput } from "../../modules/config/parse";
import { GitlabRunnerModule } from "../../modules/generated/gitlab-runner-module.generated";
import { GitlabRunnerStack } from "../../modules/constructs/gitlab-runner-stack";
import { RULE_IDS, RuleId, SECURITY_RULES, SecurityRule } from "../../modules/rules";
import { SecurityRules, acknowledgeRule } from "../../modules/rules/aspect";
import { configWith, synthOutcome, testApp } from "../support/helpers";

function stackWith(config: RunnerStackConfigInput = configWith({})): GitlabRunnerStack {
  return new GitlabRunnerStack(testApp(), "test", config);
}

const policy = (statement: object) => JSON.stringify({ Version: "2012-10-17", Statement: [statement] });

/** One way to break each rule, and the finding it must produce (path relative to the stack). */
const VIOLATIONS: [RuleId, (scope: Construct, stack: GitlabRunnerStack) => void, string, string][] = [
  [
    "iam-no-wildcard-action",
    (s) =>
      new IamPolicy(s, "bad", { name: "bad", policy: policy({ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::some-bucket" }) }),
    "bad",
    'statement #0 allows the wildcard action "s3:*"',
  ],
  [
    "iam-no-wildcard-resource",
    (s) =>
      new IamPolicy(s, "bad", {
        name: "bad",
        policy: policy({ Sid: "Pull", Effect: "Allow", Action: ["ecr:BatchGetImage"], Resource: "*" }),
      }),
    "bad",
    'statement Pull allows ecr:BatchGetImage on every resource ("*")',
  ],
  [
    "iam-no-passrole-on-wildcard",
    (s) =>
      new IamPolicy(s, "bad", {
        name: "bad",
        policy: policy({ Effect: "Allow", Action: "iam:PassRole", Resource: "arn:aws:iam::123456789012:role/*" }),
      }),
    "bad",
    'statement #0 allows iam:PassRole on "arn:aws:iam::123456789012:role/*"',
  ],
  [
    "ecr-immutable-scanned",
    (s) => new EcrRepository(s, "bad", { name: "loose" }),
    "bad",
    'image_tag_mutability is "MUTABLE (the default)", not "IMMUTABLE"',
  ],
  [
    "s3-bucket-encrypted",
    (s) => new S3Bucket(s, "bad", { bucket: "naked-bucket-1234" }),
    "bad",
    "has no server-side encryption configuration",
  ],
  [
    "s3-bucket-public-access-blocked",
    (s) => new S3Bucket(s, "bad", { bucket: "naked-bucket-1234" }),
    "bad",
    "has no public access block with block_public_acls, block_public_policy, ignore_public_acls, restrict_public_buckets all true",
  ],
  [
    "s3-bucket-tls-only",
    (s) => new S3Bucket(s, "bad", { bucket: "naked-bucket-1234" }),
    "bad",
    "has no bucket policy denying requests without TLS to every principal on the bucket and all its objects",
  ],
  [
    "imds-v2-hop-limit",
    (s, stack) =>
      new GitlabRunnerModule(s, "bad", {
        inputs: {
          ...stack.runners.fleets[0]!.module.inputs,
          environment: "weak",
          // A docker-autoscaler manager runs no containers: hop limit 2 would let one on it reach the role.
          runner_metadata_options: {
            http_endpoint: "enabled",
            http_tokens: "required",
            http_put_response_hop_limit: 2,
            instance_metadata_tags: "disabled",
          },
        },
      }),
    "bad",
    "runner_metadata_options.http_put_response_hop_limit is 2, not 1 (manager: no job containers run here)",
  ],
  [
    "jobs-not-on-manager",
    (s, stack) =>
      new GitlabRunnerModule(s, "bad", {
        inputs: {
          ...stack.runners.fleets[0]!.module.inputs,
          environment: "onmanager",
          runner_worker: { type: "docker", max_jobs: 1 },
          runner_metadata_options: {
            http_endpoint: "enabled",
            http_tokens: "required",
            http_put_response_hop_limit: 2,
            instance_metadata_tags: "disabled",
          },
        },
      }),
    "bad",
    "the docker executor runs jobs on the manager under its role, which can read the runner token parameter (ssm:GetParameter, granted by the module) " +
      "and do whatever the manager may: any job can register a rogue runner. Use docker-autoscaler, or acknowledge the risk for this fleet",
  ],
  [
    "no-secret-literal",
    (s) => new TerraformOutput(s, "bad", { value: "registration glrt-AbCdEf0123456789xyz" }).overrideLogicalId("bad"),
    "bad",
    "output.bad.value looks like a GitLab runner authentication token (the value is not repeated here)",
  ],
];

const unacknowledged = (stack: GitlabRunnerStack) => stack.runners.securityRules.findings.filter((f) => f.acknowledgement === undefined);

describe("the shipped configurations pass every rule", () => {
  test.each(["docker+machine", "docker-autoscaler"] as const)("%s executor", (executor) => {
    const stack = stackWith(
      configWith({
        fleets: [{ name: "f", executor, runnerTokenSsmParameter: "/t", workers: { instanceTypes: ["m6i.large"], maxInstances: 2 } }],
      }),
    );
    expect(synthOutcome(stack)).toBe("ok");
    expect(unacknowledged(stack)).toEqual([]);
  });

  test("the docker executor fails synthesis until its fleet acknowledges jobs-not-on-manager, with a reason that reaches the report", () => {
    const fleet = { name: "f", executor: "docker" as const, runnerTokenSsmParameter: "/t" };
    expect(synthOutcome(stackWith(configWith({ fleets: [fleet] })))).toContain(
      "[test/runners/f/runner] jobs-not-on-manager: the docker executor runs jobs on the manager",
    );
    const reason = "Only the platform team's repositories run here";
    const stack = stackWith(configWith({ fleets: [{ ...fleet, acknowledge: { "jobs-not-on-manager": reason } }] }));
    expect(synthOutcome(stack)).toBe("ok");
    expect(stack.runners.securityRules.findings.filter((f) => f.ruleId === "jobs-not-on-manager")).toEqual([
      expect.objectContaining({
        path: "test/runners/f/runner",
        ruleId: "jobs-not-on-manager",
        acknowledgement: { path: "test/runners/f", reason },
      }),
    ]);
    expect(reviewReport(stack.runners)).toContain(`Acknowledged: ${reason}`);
  });

  test("the embedded default", () => {
    const stack = stackWith();
    expect(synthOutcome(stack)).toBe("ok");
    expect(unacknowledged(stack)).toEqual([]);
  });

  test("every rule has a violation case below (configuration-is-data in configuration-is-data.test.ts, the stack-wide rules in stack-invariants.test.ts)", () => {
    const stackWide = SECURITY_RULES.filter((r) => r.checkStack !== undefined).map((r) => r.id);
    expect(stackWide.sort()).toEqual([
      "build-cache-one-writer",
      "manager-does-not-push",
      "one-fleet-per-runner-token",
      "protected-runner-tagged-only",
      "pull-through-cache-read-only",
      "push-runner-protected",
      "state-not-reachable",
      "worker-jobs-hold-no-s3",
    ]);
    expect(new Set([...VIOLATIONS.map(([id]) => id), "configuration-is-data", ...stackWide])).toEqual(
      new Set(SECURITY_RULES.map((r) => r.id)),
    );
  });
});

describe.each(VIOLATIONS)("rule %s", (ruleId, addViolation, id, expected) => {
  test("a violation fails synthesis, naming the construct path and the rule", () => {
    const stack = stackWith();
    addViolation(stack.runners, stack);
    const outcome = synthOutcome(stack);
    expect(outcome).toContain(`[test/runners/${id}] ${ruleId}: ${expected}`);
    expect(outcome).not.toContain("AbCdEf0123456789xyz"); // a secret is never repeated
  });

  test("an acknowledgement with a reason lets it pass and is reported", () => {
    const stack = stackWith();
    addViolation(stack.runners, stack);
    acknowledgeRule(stack.runners.node.findChild(id), ruleId, "Accepted for this test: the reviewer signed off");
    const outcome = synthOutcome(stack);
    // Other rules the same construct breaks still fail (a bucket breaks three); this one does not.
    expect(outcome).not.toContain(`${ruleId}:`);
    const acknowledged = stack.runners.securityRules.findings.filter((f) => f.ruleId === ruleId);
    expect(acknowledged).toContainEqual({
      path: `test/runners/${id}`,
      ruleId,
      message: expected,
      acknowledgement: { path: `test/runners/${id}`, reason: "Accepted for this test: the reviewer signed off" },
    });
    expect(acknowledged.every((f) => f.acknowledgement !== undefined)).toBe(true);
    if (outcome === "ok") {
      expect(reviewReport(stack.runners)).toContain(
        `| \`test/runners/${id}\` | \`${ruleId}\` | ${expected} | Accepted for this test: the reviewer signed off (\`test/runners/${id}\`) |`,
      );
    }
  });
});

test("no-secret-literal scans keys too: a token as a key of an output fails, without repeating it", () => {
  const stack = stackWith();
  new TerraformOutput(stack.runners, "keyed", { value: { "glrt-AbCdEf0123456789xyz": "x" } }).overrideLogicalId("keyed");
  const outcome = synthOutcome(stack);
  expect(outcome).toContain(
    "[test/runners/keyed] no-secret-literal: output.keyed.value.<a key that looks like a GitLab runner authentication token> (a key) looks like",
  );
  expect(outcome).not.toContain("AbCdEf0123456789xyz");
});

describe("acknowledgements", () => {
  test("apply to the construct and everything below it, for that rule only", () => {
    const stack = stackWith();
    const scope = new Construct(stack.runners, "legacy");
    new S3Bucket(scope, "bucket", { bucket: "legacy-bucket-1234" });
    acknowledgeRule(scope, "s3-bucket-tls-only", "Legacy clients without TLS, to be removed in Q3");
    const outcome = synthOutcome(stack);
    expect(outcome).not.toContain("s3-bucket-tls-only");
    expect(outcome).toContain("[test/runners/legacy/bucket] s3-bucket-encrypted:");
    expect(outcome).toContain("[test/runners/legacy/bucket] s3-bucket-public-access-blocked:");
  });

  test("need a known rule and a real reason", () => {
    const stack = stackWith();
    // A JavaScript caller, or one with a string from elsewhere, gets past the type: the id is checked again.
    expect(() => acknowledgeRule(stack.runners, "no-such-rule" as RuleId, "because we said so")).toThrow(
      /unknown rule "no-such-rule"; the rules are iam-no-wildcard-action/,
    );
    expect(() => acknowledgeRule(stack.runners, "ecr-immutable-scanned", "ok")).toThrow(
      "acknowledging ecr-immutable-scanned: the reason must say why in at least 10 characters",
    );
    // The configuration's acknowledge maps refuse the same (one function): review.md shows the reason in a table.
    expect(() => acknowledgeRule(stack.runners, "ecr-immutable-scanned", "reviewed | see <PLAT-1>")).toThrow(
      "acknowledging ecr-immutable-scanned: the reason may not hold control characters or | ` < > $ \\ { } (it is shown in a Markdown table)",
    );
  });
});

describe("s3-bucket-tls-only refuses hollow TLS policies", () => {
  /** The stack's own cache bucket with its TLS statement replaced by `statement` (a function of the bucket ARN). */
  function outcomeWith(statement: (arn: string) => object): string {
    const stack = stackWith();
    const arn = stack.runners.cache.bucketArn;
    const policy = stack.runners.cache.node.findChild("policy") as S3BucketPolicy;
    policy.policy = JSON.stringify({ Version: "2012-10-17", Statement: [statement(arn)] });
    return synthOutcome(stack);
  }
  const sound = (arn: string) => ({
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [arn, `${arn}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  });
  const failure = "[test/runners/cache/bucket] s3-bucket-tls-only:";

  test('the sound statement passes, also with Principal {AWS: "*"}', () => {
    expect(outcomeWith(sound)).toBe("ok");
    expect(outcomeWith((arn) => ({ ...sound(arn), Principal: { AWS: "*" } }))).toBe("ok");
  });

  test.each([
    ["a Principal of one foreign account", (arn: string) => ({ ...sound(arn), Principal: { AWS: "arn:aws:iam::999988887777:root" } })],
    ["the bucket ARN only (objects left out)", (arn: string) => ({ ...sound(arn), Resource: [arn] })],
    ["the objects only", (arn: string) => ({ ...sound(arn), Resource: [`${arn}/*`] })],
    [
      "another bucket's ARNs",
      (_arn: string) => ({ ...sound("arn:aws:s3:::someone-else"), Resource: ["arn:aws:s3:::someone-else", "arn:aws:s3:::someone-else/*"] }),
    ],
    ["one action instead of s3:*", (arn: string) => ({ ...sound(arn), Action: "s3:GetObject" })],
    ["Allow instead of Deny", (arn: string) => ({ ...sound(arn), Effect: "Allow" })],
    ["no SecureTransport condition", (arn: string) => ({ ...sound(arn), Condition: {} })],
  ])("%s fails", (_what, statement) => {
    expect(outcomeWith(statement)).toContain(failure);
  });
});

describe("rule ids", () => {
  test("ids.ts lists every rule's id, in SECURITY_RULES' order, and imports nothing", () => {
    expect(SECURITY_RULES.map((r) => r.id)).toEqual([...RULE_IDS]);
    const source = readFileSync(join(__dirname, "..", "..", "modules", "rules", "ids.ts"), "utf8");
    expect(source).not.toMatch(/^\s*(import|export .* from)\b/m);
  });
});

describe("a rule that throws", () => {
  const throwing = (where: "check" | "checkStack"): SecurityRule<string> => ({
    id: `throws-in-${where}`,
    description: "Throws, to test that a failing rule becomes a finding.",
    ...(where === "check"
      ? {
          check: (block) => {
            if (block.resourceType === "aws_s3_bucket") throw new Error(`cannot read ${block.node.node.path}`);
            return [];
          },
        }
      : {
          checkStack: () => {
            throw new TypeError("document unreadable");
          },
        }),
  });

  test.each(["check", "checkStack"] as const)(
    "in %s: a finding for that rule and construct, synthesis fails with it, the other rules still run",
    (where) => {
      const own = new TerraformStack(testApp(), "own");
      const aspect = SecurityRules.of(own, [throwing(where), ...SECURITY_RULES]);
      new S3Bucket(own, "bucket", { bucket: "own-bucket" });
      const outcome = synthOutcome(own);
      const path = where === "check" ? "own/bucket" : "own";
      const error = where === "check" ? "cannot read own/bucket" : "document unreadable";
      const message = `the rule failed, so this construct is unchecked: ${error}`;
      expect(aspect.findings.filter((f) => f.ruleId === `throws-in-${where}`)).toEqual([
        { path, ruleId: `throws-in-${where}`, message, acknowledgement: undefined },
      ]);
      expect(outcome).toContain(`[${path}] throws-in-${where}: ${message}`);
      // The project's rules ran too: the bucket has no public access block, for one.
      expect(aspect.findings.map((f) => `${f.path} ${f.ruleId}`)).toContain("own/bucket s3-bucket-public-access-blocked");
    },
  );
});
