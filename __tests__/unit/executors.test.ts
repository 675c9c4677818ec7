// The executor table (modules/executors.ts) owns everything that differs by executor: no other
// source names an executor, and each entry's behaviour (module inputs, hop limits, worker
// requirements, warnings, report wording, rules) follows from its fields alone.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { Testing } from "cdktf";
import { EXECUTORS, EXECUTOR_NAMES, Executor, RECOMMENDED_EXECUTOR, executorsWhere, hopLimits, traitsOf } from "../../modules/executors";
import { ConfigError, RunnerStackConfigInput, parseConfig } from "../../modules/config/parse";
import { DEFAULT_CONFIG } from "../../modules/app/default-config";
import { GitlabRunnerStack } from "../../modules/constructs/gitlab-runner-stack";
import { reviewReport } from "../../modules/report/review-report";
import { configWith, testApp } from "../support/helpers";

const MODULES = resolve(__dirname, "..", "..", "modules");
const SECOND_SUBNET = (DEFAULT_CONFIG.network.subnetIds as readonly string[])[1]!;

/** Executor names as code and prose write them; "docker" alone only where it can only be the executor. */
const EXECUTOR_NAME_PATTERNS: readonly RegExp[] = [
  /docker\+machine/,
  /docker-autoscaler/,
  /(["'`])docker\1/, // the name as a string: "docker"
  /\bdocker executor/i,
  /executor:\s*["']?docker\b/,
  /\bwith docker[,)]/,
  /\bdocker: /, // "docker: the manager in the first"
];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === "generated" ? [] : sources(path);
    return e.name.endsWith(".ts") ? [path] : [];
  });
}

test("no file under modules/ but executors.ts and the generated code names an executor", () => {
  const files = sources(MODULES).filter((f) => relative(MODULES, f) !== "executors.ts");
  expect(files.length).toBeGreaterThan(50);
  const hits = files.flatMap((file) =>
    readFileSync(file, "utf8")
      .split("\n")
      .flatMap((line, i) =>
        EXECUTOR_NAME_PATTERNS.some((p) => p.test(line)) ? [`${relative(MODULES, file)}:${i + 1}: ${line.trim()}`] : [],
      ),
  );
  expect(hits).toEqual([]);
});

test("the patterns find executor names and leave image names, paths and words alone", () => {
  const named = (line: string) => EXECUTOR_NAME_PATTERNS.some((p) => p.test(line));
  for (const line of [
    'executor: "docker",',
    "with the docker executor",
    "(with docker, jobs run here)",
    "docker: the manager",
    "docker+machine",
  ]) {
    expect([line, named(line)]).toEqual([line, true]);
  }
  for (const line of [
    "apt-get install -y -q docker.io",
    "/root/.docker/config.json",
    "docker:29-dind",
    "`docker pull`",
    "ci/docker-ecr",
    "dind",
  ]) {
    expect([line, named(line)]).toEqual([line, false]);
  }
});

/** A configuration of one fleet `f` of `executor`, built from its entry alone, beside the recommended fleet `u`. */
function fleetOf(executor: Executor, extra: Record<string, unknown> = {}): RunnerStackConfigInput {
  const traits = EXECUTORS[executor];
  return configWith({
    fleets: [
      {
        name: "f",
        executor,
        runnerTokenSsmParameter: "/test/f-token",
        maxConcurrentJobs: 3,
        ...(traits.jobsRunOn === "workers"
          ? { workers: { instanceTypes: ["m5.large"], maxInstances: 3, maxJobsPerInstance: 4 } }
          : { acknowledge: { "jobs-not-on-manager": "Test fixture: jobs on the manager are under test" } }),
        ...extra,
      },
      { name: "u", executor: RECOMMENDED_EXECUTOR, runnerTokenSsmParameter: "/test/u-token", workers: {} },
    ],
    metadataHopLimit: 3,
  });
}

function synthesized(config: RunnerStackConfigInput) {
  const stack = new GitlabRunnerStack(testApp(), "test", config);
  const json = JSON.parse(Testing.synth(stack, true));
  return { stack, json, inputs: json.module.runner_f as Record<string, any> };
}

describe.each(EXECUTOR_NAMES.map((e) => [e, EXECUTORS[e]] as const))("executor %s, from its entry", (executor, traits) => {
  test("module inputs: its type, its workers' role, metadata and reuse inputs, hop limits", () => {
    const { inputs, json } = synthesized(fleetOf(executor));
    expect(inputs.runner_worker.type).toBe(executor);
    const hop = hopLimits(executor, 3);
    expect(inputs.runner_metadata_options.http_put_response_hop_limit).toBe(hop.manager);
    if (traits.workerRoleInput === undefined) {
      expect(traits.jobsRunOn).toBe("manager");
      expect(traits.workerInputs).toBeUndefined();
      expect(hop.workers).toBeUndefined();
      expect(Object.keys(inputs).filter((k) => k.startsWith("runner_worker_docker_") && k !== "runner_worker_docker_options")).toEqual([]);
      return;
    }
    expect(inputs[traits.workerRoleInput].policy_arns).toEqual(["${aws_iam_policy.f_workers.arn}"]);
    expect(json.resource.aws_iam_policy.f_workers).toBeDefined();
    expect(inputs[traits.workerMetadataInput!].http_put_response_hop_limit).toBe(3);
    expect(inputs[traits.reuseInput!.input][traits.reuseInput!.attribute]).toBe(4);
    // Every input it adds comes from its entry, and only those.
    const added = Object.keys(traits.workerInputs!(sampleWorkerValues)).sort();
    const otherExecutors = EXECUTOR_NAMES.filter((e) => e !== executor).flatMap((e) =>
      Object.keys(EXECUTORS[e].workerInputs?.(sampleWorkerValues) ?? {}),
    );
    for (const key of added) expect(inputs[key]).toBeDefined();
    for (const key of otherExecutors.filter((k) => !added.includes(k))) expect(inputs[key]).toBeUndefined();
  });

  test("where jobs run: the job role, the jobs-not-on-manager finding, the report's wording", () => {
    const { stack, json } = synthesized(fleetOf(executor));
    const fleet = stack.runners.fleet("f");
    expect(fleet.jobPolicy).toBe(traits.jobsRunOn === "manager" ? fleet.managerPolicy : fleet.workerPolicy);
    const findings = stack.runners.securityRules.findings.filter((f) => f.ruleId === "jobs-not-on-manager");
    expect(findings.map((f) => f.path)).toEqual(traits.jobsRunOn === "manager" ? ["test/runners/f/runner"] : []);
    const report = reviewReport(stack.runners);
    expect(report).toContain(`### Fleet \`f\` (\`${executor}\`: ${traits.whereJobsRun})`);
    const keyLine = report.split("\n").find((l) => l.includes("workers' SSH private key"))!;
    expect(keyLine.includes("`f`")).toBe(traits.workerKeyInState === true);
    expect(json.module.runner_f).toBeDefined();
  });

  test("warnings: its removal names its successor, and its workers' network", () => {
    const { stack } = synthesized(fleetOf(executor));
    const warnings = stack.runners
      .fleet("f")
      .node.metadata.filter((m) => m.type === "@cdktf/warn")
      .map((m) => m.data as string);
    if (traits.removal === undefined) {
      expect(warnings).toEqual([]);
      return;
    }
    expect(traits.successor).toBeDefined();
    expect(traits.successor).not.toBe(executor);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`${traits.removal}. Move this fleet before then: set executor: ${traits.successor} `);
    if (traits.workerNetwork !== undefined) expect(warnings[0]).toContain(`Meanwhile ${traits.workerNetwork}.`);
  });

  test("worker requirements: workers required or refused; one instance type and a subnetId where the entry says", () => {
    const messages = (config: RunnerStackConfigInput) => {
      try {
        parseConfig(config);
        return [];
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        return e.message.split("\n").filter((l) => l.includes("fleets[0]"));
      }
    };
    expect(messages(fleetOf(executor))).toEqual([]);
    if (traits.jobsRunOn === "manager") {
      expect(messages(fleetOf(executor, { workers: {} })).join("\n")).toContain("fleets[0].workers");
      return;
    }
    const { workers: _omitted, ...withoutWorkers } = (fleetOf(executor).fleets[0] as Record<string, unknown>) ?? {};
    expect(messages({ ...fleetOf(executor), fleets: [withoutWorkers as never, fleetOf(executor).fleets[1]!] }).join("\n")).toContain(
      "fleets[0].workers",
    );
    const twoTypes = messages(fleetOf(executor, { workers: { instanceTypes: ["m5.large", "m6i.large"], maxInstances: 3 } }));
    const subnet = messages(fleetOf(executor, { workers: { maxInstances: 3, subnetId: SECOND_SUBNET } }));
    if (traits.oneInstanceTypeAndSubnet === true) {
      expect(twoTypes.join("\n")).toContain(`but ${executor} takes exactly one`);
      expect(subnet).toEqual([]);
      const { inputs } = synthesized(fleetOf(executor, { workers: { maxInstances: 3, subnetId: SECOND_SUBNET } }));
      expect(inputs.subnet_id).toBe(SECOND_SUBNET);
    } else {
      expect(twoTypes).toEqual([]);
      expect(subnet.join("\n")).toContain(`${executor} spreads its workers over every subnet`);
    }
  });
});

const sampleWorkerValues = {
  instanceTypes: ["m5.large"],
  firstInstanceType: "m5.large",
  severalInstanceTypes: false,
  subnetIds: ["subnet-a"],
  oneSubnet: "subnet-a",
  maxJobsPerInstance: 1,
  idleCount: 0,
  idleTimeMinutes: 30,
  rootVolumeGiB: 30,
  spot: false,
  hopLimit: 2,
  policyArn: "arn",
};

test("the table's helpers: executorsWhere keeps table order, traitsOf knows only the table's names", () => {
  expect(executorsWhere(() => true)).toEqual([...EXECUTOR_NAMES]);
  expect(executorsWhere((t) => t.jobsRunOn === "manager").every((e) => EXECUTORS[e].workerRoleInput === undefined)).toBe(true);
  for (const e of EXECUTOR_NAMES) expect(traitsOf(e)).toBe(EXECUTORS[e]);
  expect(traitsOf("kubernetes")).toBeUndefined();
  expect(traitsOf("toString")).toBeUndefined();
  expect(traitsOf(undefined)).toBeUndefined();
  expect(EXECUTORS[RECOMMENDED_EXECUTOR].jobsRunOn).toBe("workers");
  expect(EXECUTORS[RECOMMENDED_EXECUTOR].removal).toBeUndefined();
});
