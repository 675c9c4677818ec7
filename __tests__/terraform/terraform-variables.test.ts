// Values left to Terraform input variables: the blocks the stack declares, the references the
// module receives, and (with real Terraform) the validation blocks, which must accept and refuse
// exactly what the configuration validator accepts and refuses, with the same messages.
import { spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, RunnerStackConfig, parseConfig } from "../../modules/config/parse";
import { loadConfig } from "../../modules/app/load-config";
import { DEFAULT_CONFIG } from "../../modules/app/default-config";
import {
  GITLAB_URL,
  INSTANCE_TYPE,
  INSTANCE_TYPES,
  MAX_CONCURRENT_JOBS,
  MAX_WORKER_INSTANCES,
  SSM_PARAMETER_NAME,
  SUBNET_IDS,
  VPC_ID,
  ValueRule,
  terraformType,
  terraformValidations,
  zodSchema,
} from "../../modules/config/value-rules";
import { configWith, synth } from "../support/helpers";
import { TERRAFORM_ENV, requireTool } from "../support/system-tools";
import { tempFolder } from "../support/temp-folder";

const ROOT = join(__dirname, "..", "..");
const EXAMPLE = join(ROOT, "examples", "runners.terraform-variables.yaml");
const EXAMPLE_TFVARS = join(ROOT, "examples", "production.tfvars");
const withTerraform = requireTool("terraform", "Terraform 1.11 from HashiCorp; it is not a Debian package") ? describe : describe.skip;

function exampleConfig(): RunnerStackConfig {
  return loadConfig({ env: { GITLAB_RUNNER_ECR_CONFIG: EXAMPLE }, cwd: ROOT }).config.value;
}

describe("variable blocks and references (examples/runners.terraform-variables.yaml)", () => {
  const { json } = synth(exampleConfig());
  const variables = (json as any).variable as Record<string, any>;
  const small = json.module.runner_small!;
  const scale = json.module.runner_scale!;

  test("declares one variable per name the configuration uses, shared names once", () => {
    expect(Object.keys(variables).sort()).toEqual([
      "gitlab_url",
      "manager_instance_type",
      "max_workers",
      "scale_runner_token_parameter",
      "small_max_jobs",
      "small_runner_token_parameter",
      "subnet_ids",
      "vpc_id",
      "worker_instance_types",
    ]);
  });

  test("types, defaults (only where configured) and non-null", () => {
    expect(variables.vpc_id).toMatchObject({ type: "string", nullable: false });
    expect(variables.vpc_id).not.toHaveProperty("default");
    expect(variables.subnet_ids.type).toBe("list(string)");
    expect(variables.gitlab_url.default).toBe("https://gitlab.example.com");
    expect(variables.worker_instance_types).toMatchObject({ type: "list(string)", default: ["m6i.large"] });
    expect(variables.max_workers).toMatchObject({ type: "number", default: 20 });
    expect(variables.small_runner_token_parameter).not.toHaveProperty("default");
  });

  test("descriptions say what the value is for and which fields it sets", () => {
    expect(variables.manager_instance_type.description).toBe(
      "EC2 instance type of the runner manager, fleets small and scale. Sets fleets[0].manager.instanceType, fleets[1].manager.instanceType.",
    );
    expect(variables.vpc_id.description).toBe("VPC of the runner managers and workers. Sets network.vpcId.");
  });

  test("every validation message names the variable and the configuration field", () => {
    for (const [name, v] of Object.entries(variables)) {
      expect(v.validation.length).toBeGreaterThan(0);
      for (const rule of v.validation) expect(rule.error_message).toMatch(new RegExp(`^var\\.${name} \\(`));
    }
  });

  test("the module instances receive references, the manager's subnet being the first of the list", () => {
    expect(small.vpc_id).toBe("${var.vpc_id}");
    expect(small.subnet_id).toBe("${element(var.subnet_ids, 0)}");
    expect(small.runner_gitlab).toMatchObject({
      url: "${var.gitlab_url}",
      preregistered_runner_token_ssm_parameter_name: "${var.small_runner_token_parameter}",
    });
    expect(small.runner_instance.type).toBe("${var.manager_instance_type}");
    expect(scale.runner_instance.type).toBe("${var.manager_instance_type}");
    expect(small.runner_manager.maximum_concurrent_jobs).toBe("${var.small_max_jobs}");
    expect(scale.runner_manager.maximum_concurrent_jobs).toBe(20);
    expect(scale.runner_worker.max_jobs).toBe("${var.max_workers}");
    expect(scale.runner_worker_docker_autoscaler_asg).toMatchObject({
      subnet_ids: "${var.subnet_ids}",
      types: "${var.worker_instance_types}",
      default_instance_type: "${element(var.worker_instance_types, 0)}",
      enable_mixed_instances_policy: "${(length(var.worker_instance_types) > 1)}",
    });
  });

  test("the embedded default configuration declares no variable", () => {
    expect((synth().json as any).variable).toBeUndefined();
  });
});

describe("variable references in the configuration are validated", () => {
  const problems = (patch: Partial<RunnerStackConfig> | ((c: any) => void)): string[] => {
    const c: any = configWith({});
    if (typeof patch === "function") patch(c);
    try {
      parseConfig(c);
      return [];
    } catch (e) {
      return [...(e as ConfigError).problems];
    }
  };

  test.each([
    [
      "a bad default, against the field's rule",
      (c: any) => (c.network.vpcId = { terraformVariable: "vpc_id", default: "vpc-1" }),
      "network.vpcId.default: must be a VPC id such as vpc-0123456789abcdef0",
    ],
    [
      "an invalid variable name",
      (c: any) => (c.gitlab.url = { terraformVariable: "Gitlab-URL" }),
      "gitlab.url.terraformVariable: must be 1-64 characters: lowercase letters, digits and _, starting with a letter",
    ],
    [
      "a reserved name",
      (c: any) => (c.gitlab.url = { terraformVariable: "count" }),
      "gitlab.url.terraformVariable: is a name Terraform reserves",
    ],
    [
      "a misspelt key",
      (c: any) => (c.gitlab.url = { terraformVariabel: "url" }),
      [
        "gitlab.url.terraformVariable: is required",
        "gitlab.url.terraformVariabel: unknown field (misspelt? Terraform would drop it silently, so it is refused here)",
      ],
    ],
    [
      "a literal of the wrong type",
      (c: any) => (c.fleets[0].maxConcurrentJobs = "4"),
      "fleets[0].maxConcurrentJobs: must be a number (got a string; remove the quotes)",
    ],
    [
      "one name for two kinds of value",
      (c: any) => {
        c.fleets[0].manager.instanceType = { terraformVariable: "size" };
        c.fleets[0].maxConcurrentJobs = { terraformVariable: "size" };
      },
      'fleets[0].manager.instanceType.terraformVariable: "size" already stands for fleets[0].maxConcurrentJobs, a different kind of value',
    ],
    [
      "one name with two defaults",
      (c: any) => {
        c.fleets[0].manager.instanceType = { terraformVariable: "size", default: "t3.small" };
        c.fleets[1].manager.instanceType = { terraformVariable: "size", default: "t3.large" };
      },
      'fleets[1].manager.instanceType.default: differs from the default given for "size" at fleets[0].manager.instanceType',
    ],
  ] as [string, (c: any) => void, string | string[]][])("refuses %s", (_what, patch, expected) => {
    expect(problems(patch)).toEqual(typeof expected === "string" ? [expected] : expected);
  });

  test("the example file is valid", () => {
    expect(() => exampleConfig()).not.toThrow();
  });

  test("a literal still works next to variables, and DEFAULT_CONFIG is unchanged by them", () => {
    expect(problems(() => undefined)).toEqual([]);
    expect(JSON.stringify(DEFAULT_CONFIG)).not.toContain("terraformVariable");
  });
});

/** Runs terraform in `dir`; returns status, the error diagnostics' details and all output. */
function terraform(dir: string, args: string[]): { status: number | null; errors: string[]; output: string } {
  const run = spawnSync("terraform", args, { cwd: dir, env: TERRAFORM_ENV, encoding: "utf8" });
  const errors = run.stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as { diagnostic?: { severity: string; summary: string; detail: string } })
    .filter((m) => m.diagnostic?.severity === "error")
    .map((m) => `${m.diagnostic!.summary}: ${m.diagnostic!.detail.split("\n\n")[0]}`);
  return { status: run.status, errors, output: run.stdout + run.stderr };
}

withTerraform("real Terraform plans the generated variable blocks (provider-less configuration)", () => {
  let dir: string;
  beforeAll(() => {
    dir = tempFolder("tf-variables-");
    const { variable, resource } = synth(exampleConfig()).json as any;
    // The variables, and the plan-time check that the two fleets' token parameters differ.
    const checks = { terraform_data: resource.terraform_data };
    writeFileSync(join(dir, "variables.tf.json"), JSON.stringify({ variable, resource: checks }, null, 2));
    const init = spawnSync("terraform", ["init", "-input=false", "-no-color"], { cwd: dir, env: TERRAFORM_ENV, encoding: "utf8" });
    if (init.status !== 0) throw new Error(`terraform init failed: ${init.stdout}${init.stderr}`);
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("the shipped example .tfvars plans cleanly and sets only declared variables", () => {
    const run = terraform(dir, ["plan", "-input=false", "-json", `-var-file=${EXAMPLE_TFVARS}`]);
    expect(run.errors).toEqual([]);
    expect(run.status).toBe(0);
    expect(run.output).not.toMatch(/undeclared variable/i);
  });

  test("two fleets' token parameters given the same value stop the plan; different values pass", () => {
    const same = terraform(dir, [
      "plan",
      "-input=false",
      "-json",
      `-var-file=${EXAMPLE_TFVARS}`,
      "-var=small_runner_token_parameter=/acme/shared/token",
      "-var=scale_runner_token_parameter=/acme/shared/token",
    ]);
    expect(same.status).toBe(1);
    expect(same.errors.join("\n")).toContain("Two fleets read their runner token from the same SSM parameter");
    const different = terraform(dir, [
      "plan",
      "-input=false",
      "-json",
      `-var-file=${EXAMPLE_TFVARS}`,
      "-var=small_runner_token_parameter=/acme/small/token",
      "-var=scale_runner_token_parameter=/acme/scale/token",
    ]);
    expect(different.errors).toEqual([]);
    expect(different.status).toBe(0);
  });

  test("a simple name and the same with a leading / are one parameter to IAM (parameter/token): the plan stops", () => {
    const same = terraform(dir, [
      "plan",
      "-input=false",
      "-json",
      `-var-file=${EXAMPLE_TFVARS}`,
      "-var=small_runner_token_parameter=token",
      "-var=scale_runner_token_parameter=/token",
    ]);
    expect(same.status).toBe(1);
    expect(same.errors.join("\n")).toContain("Two fleets read their runner token from the same SSM parameter");
  });

  test("without values, exactly the variables that have no default are required", () => {
    const run = terraform(dir, ["plan", "-input=false", "-json"]);
    expect(run.status).toBe(1);
    expect(run.errors.map((e) => /variable "([a-z_]+)"/.exec(e)?.[1]).sort()).toEqual([
      "scale_runner_token_parameter",
      "small_runner_token_parameter",
      "subnet_ids",
      "vpc_id",
    ]);
  });

  test("bad values are refused with the configuration validator's messages", () => {
    const run = terraform(dir, [
      "plan",
      "-input=false",
      "-json",
      `-var-file=${EXAMPLE_TFVARS}`,
      "-var=vpc_id=vpc-123",
      "-var=gitlab_url=http://gitlab.acme.example",
      '-var=worker_instance_types=["m6i.xlarge","XL"]',
      "-var=max_workers=0",
    ]);
    expect(run.status).toBe(1);
    expect(run.errors.sort()).toEqual([
      "Invalid value for variable: var.gitlab_url (gitlab.url) must use https:// (the runner token travels over this connection).",
      "Invalid value for variable: var.max_workers (fleets[1].workers.maxInstances) must be a whole number from 1 to 500.",
      "Invalid value for variable: var.vpc_id (network.vpcId) must be a VPC id such as vpc-0123456789abcdef0.",
      "Invalid value for variable: var.worker_instance_types (fleets[1].workers.instanceTypes): every item must be an EC2 instance type such as t3.medium.",
    ]);
  });
});

// Same rule, same verdict: each sample is judged by zod and by Terraform's validation blocks.
const SAMPLES: [string, ValueRule, unknown[]][] = [
  [
    "vpc_id",
    VPC_ID,
    ["vpc-0123abcd", "vpc-0123456789abcdef0", "vpc-123", "VPC-0123abcd", "vpc-0123abcd ", "vpc-0123abcd\n", "subnet-0123abcd", ""],
  ],
  ["subnet_ids", SUBNET_IDS, [["subnet-0123abcd"], [], ["subnet-0123abcd", "subnet-1"], ["vpc-0123abcd"]]],
  [
    "gitlab_url",
    GITLAB_URL,
    [
      "https://gitlab.com",
      "https://gitlab.example.com:8443/group/sub",
      "https://gitlab.com/",
      "http://gitlab.com",
      "https://user:pw@gitlab.com",
      "https://gitlab.com/?a=1",
      "https://gitlab.com/#x",
      "https://gitlab.com/a b",
      "gitlab",
      "https://",
      "ftp://gitlab.com",
    ],
  ],
  [
    "ssm_parameter",
    SSM_PARAMETER_NAME,
    [
      "/a/b_c.d-e",
      "plain",
      "a b",
      "",
      "x".repeat(2048),
      "x".repeat(2049),
      "/a/b*",
      "a/b",
      "/a//b",
      "/a/",
      "/" + "a/".repeat(14) + "o",
      "/" + "a/".repeat(15) + "o",
    ],
  ],
  ["instance_type", INSTANCE_TYPE, ["t3.medium", "m6i.large", "u-6tb1.metal", "t3", "T3.medium", "t3.medium\n"]],
  ["instance_types", INSTANCE_TYPES, [["t3.medium"], ["t3.medium", "m5.large"], [], ["t3.medium", "bad"]]],
  ["max_jobs", MAX_CONCURRENT_JOBS, [1, 1000, 0, 1001, 2.5, -1]],
  ["max_workers", MAX_WORKER_INSTANCES, [1, 500, 501]],
];

/** zod's messages for a value, each as "<message>" (list items reported once per rule). */
function zodVerdict(rule: ValueRule, value: unknown): string[] {
  const result = (zodSchema(rule as any) as any).safeParse(value);
  return result.success ? [] : [...new Set<string>(result.error.issues.map((i: { message: string }) => i.message))].sort();
}

withTerraform("zod and Terraform apply the same rules", () => {
  let dir: string;
  const cases = SAMPLES.flatMap(([name, rule, values]) => values.map((value, i) => ({ variable: `${name}_${i}`, rule, value })));
  let terraformVerdicts: Map<string, string[]>;

  beforeAll(() => {
    dir = tempFolder("tf-rules-");
    const variable = Object.fromEntries(
      cases.map((c) => [
        c.variable,
        {
          type: terraformType(c.rule),
          nullable: false,
          validation: terraformValidations(c.rule, c.variable, `SUBJECT`).map((v) => ({
            condition: v.condition,
            error_message: v.errorMessage,
          })),
        },
      ]),
    );
    writeFileSync(join(dir, "variables.tf.json"), JSON.stringify({ variable }, null, 2));
    writeFileSync(join(dir, "values.tfvars.json"), JSON.stringify(Object.fromEntries(cases.map((c) => [c.variable, c.value]))));
    spawnSync("terraform", ["init", "-input=false"], { cwd: dir, env: TERRAFORM_ENV });
    const run = spawnSync("terraform", ["plan", "-input=false", "-json", "-var-file=values.tfvars.json"], {
      cwd: dir,
      env: TERRAFORM_ENV,
      encoding: "utf8",
    });
    terraformVerdicts = new Map(cases.map((c) => [c.variable, [] as string[]]));
    for (const line of run.stdout.split("\n").filter((l) => l.startsWith("{"))) {
      type Diagnostic = { severity: string; summary: string; detail: string; snippet?: { values?: { traversal: string }[] } };
      const d = (JSON.parse(line) as { diagnostic?: Diagnostic }).diagnostic;
      if (d?.severity !== "error") continue;
      const variableName = d.snippet?.values?.[0]?.traversal.replace(/^var\./, "");
      if (variableName === undefined || !terraformVerdicts.has(variableName))
        throw new Error(`unexpected diagnostic: ${d.summary}: ${d.detail}`);
      // "SUBJECT must be X." / "SUBJECT: every item must be X." -> "must be X"
      const message = d.detail
        .split("\n\n")[0]!
        .replace(/^SUBJECT(: every item)? /, "")
        .replace(/\.$/, "");
      terraformVerdicts.get(variableName)!.push(message);
    }
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("the sample table covers accepted and refused values of every rule", () => {
    for (const [name, rule, values] of SAMPLES) {
      const verdicts = values.map((v) => zodVerdict(rule, v).length === 0);
      expect([name, verdicts.includes(true), verdicts.includes(false)]).toEqual([name, true, true]);
    }
  });

  test.each(cases.map((c) => [c.variable, JSON.stringify(c.value).slice(0, 40), c] as const))("%s = %s", (_v, _shown, c) => {
    expect([...new Set(terraformVerdicts.get(c.variable))].sort()).toEqual(zodVerdict(c.rule, c.value));
  });
});
