/**
 * Checks that span fields, run after every field passed its own rule and before anything is
 * built or written: fleets and the repositories and lists that name them, the identity of every
 * repository (by ARN, whether named or given by ARN), partitions and regions of every ARN, state
 * settings, and Terraform variables standing for several fields.
 */
import { posix } from "node:path";
import { z } from "zod";
import { ecrRepositoryArn, parseEcrRepositoryArn, parseKmsKeyArn } from "../aws/names";
import { partitionOf } from "../aws/regions";
import { stackLocationValid } from "./stack-location";
import { formatPath } from "./errors";
import { checkPullThroughCache } from "./pull-through-checks";
import { checkBuildCacheWriters, checkRunnerTokens, checkStateBucket, checkTakenNames } from "./sharing-checks";
import { VariableRef, isVariableRef } from "./fields";
import { ConfigShape, RunnersShape } from "./schema";
import { SettableValue, settableValues } from "./settable-values";
import { EXECUTORS, executorsWhere } from "../executors";
import { instanceTypeCountProblem, runnerTags, workersProblem } from "./fleet-checks";
import { terraformName } from "../support/terraform-names";

type Path = (string | number)[];
type Report = (path: Path, message: string) => void;

/** The module's IAM names are `<environment>-<suffix>`, 64 characters at most. */
const MAX_ENVIRONMENT_LENGTH = 44;

function reporter(ctx: z.RefinementCtx): Report {
  return (path, message) => ctx.addIssue({ code: "custom", path, message });
}

/** The checks of GitlabRunnerEcr's props; zod calls this through superRefine with the parsed fields. */
export function checkRunners(c: RunnersShape, ctx: z.RefinementCtx): void {
  const report = reporter(ctx);
  if ((c.ciImage.tag === undefined) === (c.ciImage.digest === undefined)) {
    report(["ciImage"], "set exactly one of tag or digest for the runners' default image");
  }
  checkFleets(c, report);
  if (c.fleets.length > 0) checkFleetReferences(c, report);
  checkRepositories(c, report);
  checkPullThroughCache(c, report);
  checkVariables(c, report);
  checkRunnerTokens(c, report);
  checkBuildCacheWriters(c, report);
  checkTakenNames(c, report);
}

/** The checks of the app's configuration: the runners' and the state backend's. */
export function checkConfig(c: ConfigShape, ctx: z.RefinementCtx): void {
  checkRunners(c, ctx);
  checkBackend(c, reporter(ctx));
  checkStateBucket(c, reporter(ctx));
}

/**
 * A fleet the stack registers in GitLab: the id its scope needs, distinct tags, and the settings
 * its grants assume (push-runner-protected, protected-runner-tagged-only: the same rules check the
 * synthesized document, whatever the configuration's spelling). Named here by field, before
 * anything is built.
 */
function checkFleetGitlab(c: RunnersShape, f: RunnersShape["fleets"][number], i: number, report: Report): void {
  const g = f.gitlab!;
  if (g.scope === "instance" && g.id !== undefined) {
    report(["fleets", i, "gitlab", "id"], "is refused with scope instance: an instance runner belongs to no group or project");
  }
  if (g.scope !== "instance" && g.id === undefined) {
    report(["fleets", i, "gitlab", "id"], `is required with scope ${g.scope}: the numeric id of the ${g.scope} the runner serves`);
  }
  const tags = g.tags ?? [];
  tags.forEach((t, j) => {
    if (tags.indexOf(t) !== j) report(["fleets", i, "gitlab", "tags", j], `duplicates tags[${tags.indexOf(t)}] "${t}"`);
  });
  // A tag two fleets' runners carry sends a job that names it to either fleet, with either fleet's
  // grants. A runner registered by hand must carry its fleet's name (review.md), so names count too.
  tags.forEach((t, j) => {
    const other = c.fleets.findIndex((o, k) => k !== i && runnerTags(o).includes(t));
    if (other >= 0 && tags.indexOf(t) === j) {
      report(
        ["fleets", i, "gitlab", "tags", j],
        `"${t}" is also a tag of fleet "${c.fleets[other]!.name}"'s runner: a job naming it could run on either fleet, with either fleet's grants`,
      );
    }
  });
  const pushes = c.ciImage.push.includes(f.name) || c.repositories.some((r) => r.push.includes(f.name));
  if (pushes && !g.protected && f.acknowledge["push-runner-protected"] === undefined) {
    report(
      ["fleets", i, "gitlab", "protected"],
      `must be true: fleet "${f.name}" may push images, and an unprotected runner also takes merge-request and unprotected-branch jobs ` +
        "(or acknowledge push-runner-protected with a reason)",
    );
  }
  if (g.protected && g.runUntagged && f.acknowledge["protected-runner-tagged-only"] === undefined) {
    report(
      ["fleets", i, "gitlab", "runUntagged"],
      `must be false for the protected runner of fleet "${f.name}": every untagged job of a protected branch would land on it ` +
        "(or acknowledge protected-runner-tagged-only with a reason)",
    );
  }
}

function checkFleets(c: RunnersShape, report: Report): void {
  const seen = new Map<string, number>();
  c.fleets.forEach((f, i) => {
    const first = seen.get(f.name);
    if (first !== undefined) report(["fleets", i, "name"], `duplicates fleets[${first}].name "${f.name}"`);
    else seen.set(f.name, i);

    const workers = workersProblem(f.executor, f.workers !== undefined);
    if (workers !== undefined) {
      // Here every worker setting has a default, so {} is a complete answer.
      const hint = f.workers === undefined ? " (the worker instances' settings; {} takes every default)" : "";
      report(["fleets", i, "workers"], workers + hint);
    }

    if (f.workers !== undefined) checkWorkers(c, f, i, report);
    if (f.gitlab !== undefined) checkFleetGitlab(c, f, i, report);

    const environment = `${c.name}-${f.name}`;
    if (environment.length > MAX_ENVIRONMENT_LENGTH) {
      report(
        ["fleets", i, "name"],
        `with name "${c.name}" gives the module environment "${environment}" (${environment.length} characters); the module needs at most ${MAX_ENVIRONMENT_LENGTH}`,
      );
    }
  });
}

/**
 * An executor with `oneInstanceTypeAndSubnet` (executors.ts says why) takes one literal instance
 * type and one subnet, `workers.subnetId`; the others spread over every type and subnet.
 */
function checkWorkers(c: RunnersShape, f: RunnersShape["fleets"][number], i: number, report: Report): void {
  const w = f.workers!;
  const traits = EXECUTORS[f.executor];
  if (traits.oneInstanceTypeAndSubnet === true) {
    if (isVariableRef(w.instanceTypes)) {
      report(
        ["fleets", i, "workers", "instanceTypes"],
        `must be a literal list of one instance type with ${f.executor} (it takes one type)`,
      );
    } else {
      const count = instanceTypeCountProblem(f.executor, w.instanceTypes.length);
      if (count !== undefined) report(["fleets", i, "workers", "instanceTypes"], count);
    }
    const subnets = c.network.subnetIds;
    if (w.subnetId !== undefined && !isVariableRef(subnets) && !subnets.includes(w.subnetId)) {
      report(["fleets", i, "workers", "subnetId"], `must be one of network.subnetIds (${subnets.join(", ")})`);
    }
  } else if (w.subnetId !== undefined) {
    report(
      ["fleets", i, "workers", "subnetId"],
      `only for ${executorsWhere((t) => t.oneInstanceTypeAndSubnet === true).join(", ")}: ${f.executor} spreads its workers over every subnet in network.subnetIds`,
    );
  }
}

/** `pull`, `push` and `ciImage.push` name existing fleets, each once. */
function checkFleetReferences(c: RunnersShape, report: Report): void {
  const fleets = c.fleets.map((f) => f.name);
  const check = (path: Path, names: readonly string[] | undefined) => {
    names?.forEach((name, j) => {
      if (!fleets.includes(name)) report([...path, j], `"${name}" is not a fleet; the fleets are ${fleets.join(", ")}`);
      else if (names.indexOf(name) !== j) report([...path, j], `lists "${name}" twice`);
    });
  };
  check(["ciImage", "push"], c.ciImage.push);
  c.pullThroughCache?.forEach((r, i) => check(["pullThroughCache", i, "pull"], r.pull));
  c.repositories.forEach((r, i) => {
    check(["repositories", i, "pull"], r.pull);
    check(["repositories", i, "push"], r.push);
    if (r.access !== undefined) {
      const hint = r.access === "pull" ? "leave push out" : `push: [${fleets.join(", ")}] (pull-push for every fleet)`;
      report(
        ["repositories", i, "access"],
        `was replaced by lists of fleet names: pull (whose jobs may pull; default every fleet) and push (whose jobs may push; default none). For "${String(r.access)}" write ${hint}`,
      );
    }
  });
}

/** Every repository is one identity (its ARN), listed once, never the CI image, in the stack's partition. */
function checkRepositories(c: RunnersShape, report: Report): void {
  const { accountId, region } = c.aws;
  const partition = partitionOf(region);
  const ciArn = ecrRepositoryArn(accountId, region, c.ciImage.repositoryName);
  const byArn = new Map<string, number>();
  // Created repositories become aws_ecr_repository.<name with / and . as _>: two names must not meet.
  const addresses = new Map<string, string>([[terraformName(c.ciImage.repositoryName), "ciImage.repositoryName"]]);

  c.repositories.forEach((r, i) => {
    if ((r.name === undefined) === (r.arn === undefined)) {
      report(["repositories", i], "set exactly one of name (a repository the stack creates) or arn (an existing repository)");
      return;
    }
    let arn: string;
    if (r.arn !== undefined) {
      const location = parseEcrRepositoryArn(r.arn);
      if (!location) {
        report(
          ["repositories", i, "arn"],
          "must be an ECR repository ARN such as arn:aws:ecr:eu-west-1:123456789012:repository/team/app, in a known region",
        );
        return;
      }
      if (location.partition !== partition) {
        report(
          ["repositories", i, "arn"],
          `is in partition ${location.partition}, but the stack's region ${region} is in ${partition}: roles of one partition cannot use repositories of another`,
        );
      }
      if (r.arn === ciArn) {
        report(
          ["repositories", i, "arn"],
          "is the CI image repository (ciImage.repositoryName); list application repositories only, and give push rights on the CI image with ciImage.push",
        );
        return;
      }
      arn = r.arn;
    } else {
      arn = ecrRepositoryArn(accountId, region, r.name!);
      if (r.name === c.ciImage.repositoryName) {
        report(
          ["repositories", i, "name"],
          "is the CI image repository (ciImage.repositoryName); list application repositories only, and give push rights on the CI image with ciImage.push",
        );
        return;
      }
    }
    const first = byArn.get(arn);
    if (first !== undefined) {
      report(
        ["repositories", i],
        `is the same repository as repositories[${first}] (${r.arn !== undefined ? "by ARN" : "by name"}); list each repository once`,
      );
      return;
    }
    byArn.set(arn, i);
    if (r.buildCache && r.arn !== undefined) {
      report(["repositories", i, "buildCache"], "only for repositories the stack creates (it sets their tag mutability)");
    }
    if (r.name !== undefined) {
      const other = addresses.get(terraformName(r.name));
      if (other !== undefined) report(["repositories", i, "name"], `gives the same Terraform address as ${other}; rename one`);
      addresses.set(terraformName(r.name), `repositories[${i}].name`);
    }
  });
}

function checkBackend(c: ConfigShape, report: Report): void {
  const b = c.backend;
  if (b.type === "local") {
    if (b.path === undefined) return;
    // Terraform runs in cdktf.out/stacks/<name>: the state file must stay inside the project folder.
    const fromProject = posix.normalize(posix.join("cdktf.out", "stacks", c.name, b.path));
    if (fromProject === ".." || fromProject.startsWith("../")) {
      report(
        ["backend", "path"],
        "leaves the project folder (it is relative to cdktf.out/stacks/<name>: ../../../terraform.<name>.tfstate is the project folder)",
      );
    }
    return;
  }
  const partition = partitionOf(c.aws.region);
  if (stackLocationValid(c) && partitionOf(b.region) !== partition) {
    report(
      ["backend", "region"],
      `is in partition ${partitionOf(b.region)}, but the stack's region ${c.aws.region} is in ${partition}; the same credentials serve both`,
    );
  }
  if (b.kmsKeyId !== undefined) {
    const key = parseKmsKeyArn(b.kmsKeyId);
    if (!key)
      report(["backend", "kmsKeyId"], "must be the ARN of a KMS key or alias, such as arn:aws:kms:eu-west-1:123456789012:key/<key id>");
    else if (key.region !== b.region || key.partition !== partitionOf(b.region)) {
      report(
        ["backend", "kmsKeyId"],
        `is a key in ${key.region}, but the state bucket is in ${b.region}: S3 encrypts only with keys of its own region`,
      );
    }
  }
}

/** One Terraform variable may stand for several fields, but only for values of one kind and with one default. */
function checkVariables(c: RunnersShape, report: Report): void {
  const firstUse = new Map<string, SettableValue>();
  for (const use of settableValues(c)) {
    if (!isVariableRef(use.value)) continue;
    const name = use.value.terraformVariable;
    const first = firstUse.get(name);
    if (first === undefined) {
      firstUse.set(name, use);
    } else if (first.rule !== use.rule) {
      report([...use.path, "terraformVariable"], `"${name}" already stands for ${formatPath(first.path)}, a different kind of value`);
    } else if (JSON.stringify((first.value as VariableRef<unknown>).default) !== JSON.stringify(use.value.default)) {
      report([...use.path, "default"], `differs from the default given for "${name}" at ${formatPath(first.path)}`);
    }
  }
}
