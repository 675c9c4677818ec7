// Runner registration by the stack (fleets[].gitlab) and the two rules that hold GitLab's settings
// to the fleet's grants: the push fleet's runner takes only protected refs, a protected runner only
// tagged jobs. Expectations are written from the GitLab provider's documented attributes and the
// fixture's grants (acmeConfig: fleet f pushes, fleet u does not), not read back from the code.
import { Testing } from "cdktf";
import type { UserRunnerConfig } from "@cdktf/provider-gitlab/lib/user-runner";
import { ConfigError, RunnerStackConfigInput } from "../../modules/config/parse";
import { gitlabBindingSharesCdk, userRunnerConfig } from "../../modules/constructs/gitlab-registration";
import { GitlabRunnerStack } from "../../modules/constructs/gitlab-runner-stack";
import { renderReviewReport, reviewModelOf } from "../../modules/report/review-report";
import { acmeConfig, synth, synthOutcome, testApp } from "../support/helpers";
import { GITLAB_BINDING_USABLE } from "../support/cdk-variant";

// On cdktn every test here is skipped but the last, which checks the message a user gets instead.
const describeOnCdktf = GITLAB_BINDING_USABLE ? describe : describe.skip;
const testOnCdktf = GITLAB_BINDING_USABLE ? test : test.skip;

type Gitlab = Record<string, unknown>;

/** acmeConfig("docker-autoscaler") with GitLab settings for fleets f (pushes) and u (does not). */
function registered(f?: Gitlab, u?: Gitlab, acknowledge: Record<string, Record<string, string>> = {}): RunnerStackConfigInput {
  const c = acmeConfig("docker-autoscaler") as any;
  if (f !== undefined) c.fleets[0].gitlab = f;
  if (u !== undefined) c.fleets[1].gitlab = u;
  for (const [i, name] of ["f", "u"].entries()) if (acknowledge[name]) c.fleets[i].acknowledge = acknowledge[name];
  return c;
}

const stackOf = (config: RunnerStackConfigInput) => new GitlabRunnerStack(testApp(), "test", config);
const withoutMetadata = (block: Record<string, unknown>) => Object.fromEntries(Object.entries(block).filter(([k]) => k !== "//"));

describeOnCdktf("registration on", () => {
  let json: ReturnType<typeof synth>["json"];
  let text: string;
  let resource: any;
  // In beforeAll, so that describe.skip on cdktn builds nothing.
  beforeAll(() => {
    ({ json, text } = synth(registered({ scope: "group", id: 42, protected: true }, { scope: "project", id: 7, tags: ["mr", "linux"] })));
    resource = (json as any).resource;
  });

  test("each fleet's gitlab_user_runner carries its scope, id, protection, tags and untagged: false", () => {
    expect(withoutMetadata(resource.gitlab_user_runner.f)).toEqual({
      runner_type: "group_type",
      group_id: 42,
      access_level: "ref_protected",
      tag_list: ["f"],
      untagged: false,
      description: "acme-f (gitlab-runner-ecr, AWS eu-central-1)",
    });
    expect(withoutMetadata(resource.gitlab_user_runner.u)).toEqual({
      runner_type: "project_type",
      project_id: 7,
      access_level: "not_protected",
      tag_list: ["mr", "linux"],
      untagged: false,
      description: "acme-u (gitlab-runner-ecr, AWS eu-central-1)",
    });
  });

  test("the token goes by reference into the fleet's SecureString, which the module reads", () => {
    expect(withoutMetadata(resource.aws_ssm_parameter.f_runner_token)).toMatchObject({
      name: "/acme/runner-token",
      type: "SecureString",
      value: "${gitlab_user_runner.f.token}",
    });
    expect(resource.aws_ssm_parameter.u_runner_token.value).toBe("${gitlab_user_runner.u.token}");
    expect((json as any).module.runner_f.runner_gitlab.preregistered_runner_token_ssm_parameter_name).toBe(
      "${aws_ssm_parameter.f_runner_token.name}",
    );
  });

  test("the GitLab provider gets the instance's API URL and no token (GITLAB_TOKEN from the environment)", () => {
    expect((json as any).provider.gitlab).toEqual([{ base_url: "https://gitlab.example.com/api/v4/" }]);
    expect((json as any).terraform.required_providers.gitlab).toEqual({ source: "gitlabhq/gitlab", version: "18.6.1" });
    expect(text).not.toMatch(/"token"\s*:/);
    expect(text).not.toMatch(/glrt-|glpat-/);
  });

  test("the manager's grants still name the parameter itself (the reference is read through)", () => {
    const stack = stackOf(registered({ scope: "group", id: 42, protected: true }));
    Testing.synth(stack, true);
    const model = reviewModelOf(stack.runners);
    const manager = model.roles.find((r) => r.id === "f/manager")!;
    const parameter = model.resources.find((r) => r.arn === "arn:aws:ssm:eu-central-1:111122223333:parameter/acme/runner-token");
    expect(parameter).toBeDefined();
    expect(manager.permissions).toContainEqual(expect.objectContaining({ action: "ssm:GetParameter", resource: parameter!.id }));
    expect(model.fleets.find((f) => f.name === "f")!.tokenParameter).toBe("/acme/runner-token");
  });

  test("the runner's settings type-check against the provider binding's UserRunnerConfig", () => {
    const config: UserRunnerConfig = userRunnerConfig({
      scope: "instance",
      protected: true,
      tags: ["x"],
      runUntagged: false,
      description: "d",
      tokenParameterName: "/p",
    });
    expect(config).toEqual({
      runnerType: "instance_type",
      accessLevel: "ref_protected",
      tagList: ["x"],
      untagged: false,
      description: "d",
    });
  });
});

testOnCdktf("registration off: no runner, no parameter, no GitLab provider; the module reads the named parameter", () => {
  const { json } = synth(acmeConfig("docker-autoscaler"));
  expect((json as any).resource.gitlab_user_runner).toBeUndefined();
  expect((json as any).resource.aws_ssm_parameter).toBeUndefined();
  expect((json as any).provider.gitlab).toBeUndefined();
  expect((json as any).terraform.required_providers.gitlab).toBeUndefined();
  expect((json as any).module.runner_f.runner_gitlab.preregistered_runner_token_ssm_parameter_name).toBe("/acme/runner-token");
});

describeOnCdktf("push-runner-protected", () => {
  test("the configuration refuses an unprotected runner for the push fleet, naming the field", () => {
    expect(() => stackOf(registered({ scope: "group", id: 42 }))).toThrow(ConfigError);
    expect(() => stackOf(registered({ scope: "group", id: 42 }))).toThrow(
      /fleets\[0\]\.gitlab\.protected: must be true: fleet "f" may push images/,
    );
  });

  test("on the document: push granted outside the configuration's lists is caught on the unprotected runner", () => {
    const stack = stackOf(registered(undefined, { scope: "project", id: 7 }));
    stack.runners.applicationRepositories[0]!.repository.grantPullPush(stack.runners.fleet("u").jobPolicy);
    expect(synthOutcome(stack)).toContain(
      '[test/runners/u/gitlab/runner] push-runner-protected: the jobs of fleet "u" may push images (ecr:PutImage), but its GitLab runner gitlab_user_runner.u has access_level "not_protected"',
    );
  });

  test("on the document: the push fleet's access level left to a Terraform expression is not taken as protected", () => {
    const stack = stackOf(registered({ scope: "group", id: 42, protected: true }));
    stack.runners.fleet("f").gitlabRegistration!.runner.addOverride("access_level", "${var.access_level}");
    expect(synthOutcome(stack)).toContain(
      '[test/runners/f/gitlab/runner] push-runner-protected: the jobs of fleet "f" may push images (ecr:PutImage), but its GitLab runner gitlab_user_runner.f has access_level "${var.access_level}"',
    );
  });

  test("a fleet that may not push may have an unprotected runner; a protected push fleet passes", () => {
    const stack = stackOf(registered({ scope: "group", id: 42, protected: true }, { scope: "project", id: 7 }));
    expect(synthOutcome(stack)).toBe("ok");
    expect(stack.runners.securityRules.findings.filter((f) => f.ruleId.includes("runner"))).toEqual([]);
  });

  test("an acknowledgement with a reason lets it pass and is listed", () => {
    const reason = "Merge-request images go to a scratch repository reviewed in PLAT-9";
    const stack = stackOf(registered(undefined, { scope: "project", id: 7 }, { u: { "push-runner-protected": reason } }));
    stack.runners.applicationRepositories[0]!.repository.grantPullPush(stack.runners.fleet("u").jobPolicy);
    expect(synthOutcome(stack)).toBe("ok");
    expect(stack.runners.securityRules.findings.filter((f) => f.ruleId === "push-runner-protected")).toEqual([
      expect.objectContaining({ path: "test/runners/u/gitlab/runner", acknowledgement: { path: "test/runners/u", reason } }),
    ]);
  });
});

describeOnCdktf("protected-runner-tagged-only", () => {
  test("the configuration refuses untagged jobs on a protected runner", () => {
    expect(() => stackOf(registered({ scope: "group", id: 42, protected: true, runUntagged: true }))).toThrow(
      /fleets\[0\]\.gitlab\.runUntagged: must be false for the protected runner of fleet "f"/,
    );
  });

  test("on the document: a protected runner switched to untagged is caught", () => {
    const stack = stackOf(registered({ scope: "group", id: 42, protected: true }));
    stack.runners.fleet("f").gitlabRegistration!.runner.untagged = true;
    expect(synthOutcome(stack)).toContain(
      "[test/runners/f/gitlab/runner] protected-runner-tagged-only: the protected GitLab runner gitlab_user_runner.f",
    );
  });

  test("on the document: untagged left to a Terraform expression counts as untagged (known only at plan)", () => {
    const stack = stackOf(registered({ scope: "group", id: 42, protected: true }));
    stack.runners.fleet("f").gitlabRegistration!.runner.addOverride("untagged", "${var.runner_untagged}");
    expect(synthOutcome(stack)).toContain(
      "[test/runners/f/gitlab/runner] protected-runner-tagged-only: the protected GitLab runner gitlab_user_runner.f",
    );
  });

  test("an unprotected runner may take untagged jobs", () => {
    expect(synthOutcome(stackOf(registered(undefined, { scope: "project", id: 7, runUntagged: true })))).toBe("ok");
  });
});

describeOnCdktf("one fleet per tag", () => {
  test("a tag of another registered fleet's runner is refused, naming the field and the other fleet", () => {
    expect(() =>
      stackOf(
        registered({ scope: "group", id: 42, protected: true, tags: ["f", "release"] }, { scope: "project", id: 7, tags: ["release"] }),
      ),
    ).toThrow(/fleets\[1\]\.gitlab\.tags\[0\]: "release" is also a tag of fleet "f"'s runner/);
  });

  test("the name of a fleet registered by hand (the tag its runner must carry) is refused as another runner's tag", () => {
    expect(() => stackOf(registered(undefined, { scope: "project", id: 7, tags: ["mr", "f"] }))).toThrow(
      /fleets\[1\]\.gitlab\.tags\[1\]: "f" is also a tag of fleet "f"'s runner/,
    );
  });

  test("distinct tags pass", () => {
    expect(
      synthOutcome(stackOf(registered({ scope: "group", id: 42, protected: true }, { scope: "project", id: 7, tags: ["mr", "linux"] }))),
    ).toBe("ok");
  });
});

describeOnCdktf("review.md's GitLab settings", () => {
  test("registered by hand: what each runner must be, from the grants", () => {
    const stack = stackOf(acmeConfig("docker-autoscaler"));
    Testing.synth(stack, true);
    const report = renderReviewReport(reviewModelOf(stack.runners));
    expect(report).toContain(
      "| `f` | by hand (GitLab: Settings → CI/CD → Runners) | yes | **must be yes (protected branches and tags only)** | **must include `f`** | **must be no** |",
    );
    expect(report).toContain(
      "| `u` | by hand (GitLab: Settings → CI/CD → Runners) | no | no (its jobs may not push) | **must include `u`** | **must be no** |",
    );
  });

  test("registered by the stack: as registered, and the token's state warned about without KMS", () => {
    const stack = stackOf(registered({ scope: "group", id: 42, protected: true }, { scope: "project", id: 7, tags: ["mr"] }));
    Testing.synth(stack, true);
    const report = renderReviewReport(reviewModelOf(stack.runners));
    expect(report).toContain("| `f` | by the stack: `group_type` 42 | yes | yes (protected branches and tags only) | `f` | no |");
    expect(report).toContain("| `u` | by the stack: `project_type` 7 | no | no | `mr` | no |");
    expect(report).toMatch(
      /Fleets `f`, `u`: the stack registers the runner in GitLab, so its authentication token .* is in the Terraform state, which is a local file;.* Use the S3 backend with a KMS key/,
    );
  });
});

(GITLAB_BINDING_USABLE ? test.skip : test)("on CDK Terrain, registration by the stack is refused with a message naming the way out", () => {
  expect(() => stackOf(registered({ scope: "group", id: 42, protected: true }))).toThrow(
    /test\/runners\/f: registering the runner from the stack .* needs @cdktf\/provider-gitlab built on this library's own copy of the CDK; .* Register the runner by hand/,
  );
});

// The binding check itself, on both variants: the GitLab binding passes where it is built on this
// library's CDK (cdktf), and a provider class of another copy of the CDK never does.
test("the GitLab binding is taken only when its provider extends this library's TerraformProvider", () => {
  expect(gitlabBindingSharesCdk()).toBe(GITLAB_BINDING_USABLE);
  class ProviderOfAnotherCdk {}
  expect(gitlabBindingSharesCdk(ProviderOfAnotherCdk)).toBe(false);
});
