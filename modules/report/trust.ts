/** Trust, read from the synthesized module inputs and backend block: where jobs run, what they hold, what logs them in. */
import { EXECUTORS, Executor, executorsWhere } from "../executors";
import type { ModelFleet, ModelState, ReviewModel } from "../model/review-model";

/** The backend, in words: "a local file", "S3, encrypted with …". */
function stateStorage(state: ModelState): { readonly kind: "local" | "s3" | "s3-kms" | "other"; readonly text: string } {
  if (state.backend === "local") return { kind: "local", text: "a local file" };
  if (state.backend !== "s3") return { kind: "other", text: `the ${state.backend} backend` };
  return state.kmsKeyId !== undefined
    ? { kind: "s3-kms", text: `S3, encrypted with KMS key \`${state.kmsKeyId}\`` }
    : { kind: "s3", text: "S3, encrypted with S3-managed keys" };
}

function yesNo(value: unknown): string {
  return value === true ? "yes" : value === false ? "no" : `\`${JSON.stringify(value)}\``;
}

const traitsOf = (fleet: ModelFleet) => (Object.hasOwn(EXECUTORS, fleet.executor) ? EXECUTORS[fleet.executor as Executor] : undefined);

/** One row of the trust table, read from the fleet's module inputs. */
function trustRow(fleet: ModelFleet, model: ReviewModel): string {
  const onManager = fleet.jobsRunOn === "manager";
  const iamRole = model.roles.find((r) => r.id === fleet.jobsHold)?.iamRole;
  const named = iamRole === undefined ? "" : ` (\`${iamRole}\`)`;
  const reuse = fleet.jobsPerWorkerInstance;
  return [
    `\`${fleet.name}\``,
    `\`${fleet.executor}\``,
    onManager ? "**the manager**" : "worker instances",
    (onManager ? "**the manager role**" : "the worker role") + named,
    yesNo(fleet.privileged),
    `${fleet.hopLimit.manager ?? "unset"} / ${fleet.hopLimit.workers ?? "–"}`,
    reuse === undefined ? "– (the manager runs every job)" : reuse === 0 ? "unlimited" : String(reuse),
    fleet.cacheNamespace === "shared" ? "**shared by every fleet** (`project/<id>/…`)" : "its own (`runner/<token>/project/<id>/…`)",
  ].join(" | ");
}

export function trustSection(model: ReviewModel): string[] {
  const state = stateStorage(model.state);
  const lines = [
    "## Trust: where jobs run and what they hold",
    "",
    "| fleet | executor | jobs run on | jobs hold | privileged | metadata hop limit (manager / workers) | jobs per worker instance | cache namespace |",
    "|---|---|---|---|:-:|:-:|:-:|---|",
    ...model.fleets.map((f) => `| ${trustRow(f, model)} |`),
    "",
  ];
  for (const fleet of model.fleets) {
    const traits = traitsOf(fleet);
    if (fleet.jobsRunOn === "manager") {
      const ack = model.findings.find((f) => f.rule === "jobs-not-on-manager" && f.path.includes(`/${fleet.name}/`))?.acknowledgement;
      lines.push(
        `- **Fleet \`${fleet.name}\`: jobs hold the manager role.** Besides the grants below, the module attaches to that role ` +
          `\`ssm:GetParameter\` and \`ssm:GetParameters\` on the runner token parameter \`${String(fleet.tokenParameter)}\` (a job can read the runner token ` +
          "and register a runner of its own), `ssm:PutParameter` on the module's token parameter, CloudWatch Logs writes, and " +
          "`iam:CreateServiceLinkedRole` where allowed; with the cache, every fleet's cache objects. " +
          (ack ? `Acknowledged: ${ack.reason}` : "Not acknowledged."),
      );
    }
    if (traits?.workerNetwork !== undefined) lines.push(`- **Fleet \`${fleet.name}\` (\`${fleet.executor}\`): ${traits.workerNetwork}.**`);
  }
  // Said once for all the fleets it concerns.
  const withKeys = model.fleets.filter((f) => traitsOf(f)?.workerKeyInState === true).map((f) => `\`${f.name}\``);
  if (withKeys.length > 0) {
    lines.push(
      `- ${withKeys.length === 1 ? "Fleet" : "Fleets"} ${withKeys.join(", ")}: the module keeps the workers' SSH private key (\`tls_private_key\`) in the Terraform state, ` +
        `which is ${state.text}.` +
        (state.kind === "s3-kms"
          ? ""
          : ` Use the S3 backend with a KMS key (\`backend.kmsKeyId\`) for a fleet that uses ${executorsWhere((t) => t.workerKeyInState === true).join(" or ")}.`),
    );
  }
  const registered = model.fleets.filter((f) => f.gitlab.registeredBy === "stack").map((f) => `\`${f.name}\``);
  if (registered.length > 0) {
    lines.push(
      `- ${registered.length === 1 ? "Fleet" : "Fleets"} ${registered.join(", ")}: the stack registers the runner in GitLab, so its authentication token (\`gitlab_user_runner\`) ` +
        `is in the Terraform state, which is ${state.text}; anyone who reads the state can take this fleet's jobs.` +
        (state.kind === "s3-kms" ? "" : " Use the S3 backend with a KMS key (`backend.kmsKeyId`) and limit who may read it."),
    );
  }
  return [...lines, ""];
}

/** Each fleet's credHelpers registries, read back from the install script it synthesizes. */
export function registryLogins(model: ReviewModel): string[] {
  return model.fleets.map(
    (fleet) =>
      `- Fleet \`${fleet.name}\`: ${fleet.registryLogins.length === 0 ? "**none**" : fleet.registryLogins.map((h) => `\`${h}\``).join(", ")}`,
  );
}

const listOf = (tags: unknown) => (Array.isArray(tags) ? tags.map((t) => `\`${String(t)}\``).join(", ") : `\`${JSON.stringify(tags)}\``);

/** One row of the GitLab settings table: as the stack registers the runner, or what a runner registered by hand must have. */
function gitlabRow(fleet: ModelFleet): string {
  const g = fleet.gitlab;
  const byHand = g.registeredBy === "hand";
  const scope = byHand
    ? "by hand (GitLab: Settings → CI/CD → Runners)"
    : `by the stack: \`${String(g.runnerType)}\`${g.ownerId === undefined ? "" : ` ${String(g.ownerId)}`}`;
  const must = (text: string) => (byHand ? `**must be ${text}**` : text);
  return [
    `\`${fleet.name}\``,
    scope,
    g.jobsMayPush ? "yes" : "no",
    // Only a fleet that may push needs a protected runner; for the others either is safe.
    g.protected ? must("yes (protected branches and tags only)") : byHand ? "no (its jobs may not push)" : "no",
    byHand ? `**must include ${listOf(g.tags)}**` : listOf(g.tags),
    must(yesNo(g.runUntagged)),
  ].join(" | ");
}

/**
 * What GitLab must do for the grants to hold: send a fleet whose jobs may push only jobs of
 * protected refs, and only jobs that name its tags.
 */
function gitlabSettings(model: ReviewModel): string[] {
  const byHand = model.fleets.filter((f) => f.gitlab.registeredBy === "hand").map((f) => `\`${f.name}\``);
  return [
    "GitLab settings of each fleet's runner: the grants above hold only if GitLab sends a fleet whose jobs may push nothing but",
    "jobs of protected branches and tags, and each fleet only the jobs that name its tags.",
    "",
    "| fleet | registered | jobs may push | protected | tags | runs untagged jobs |",
    "|---|---|:-:|---|---|---|",
    ...model.fleets.map((f) => `| ${gitlabRow(f)} |`),
    "",
    ...(byHand.length === 0
      ? []
      : [
          `${byHand.length === 1 ? "Fleet" : "Fleets"} ${byHand.join(", ")}: registered by hand, so nothing here checks GitLab's side; set the runner as the row says ` +
            "(Protected, the tags, Run untagged jobs off), or let the stack register it (`fleets[].gitlab`).",
          "",
        ]),
  ];
}

/** The first screen: per fleet where jobs run, what its jobs may push and pull, its exceptions; warnings once; terms. */
export function summarySection(model: ReviewModel): string[] {
  const label = (id: string) => model.resources.find((r) => r.id === id)?.label ?? `\`${id}\``;
  const repositories = (roleId: string, action: string) => {
    const role = model.roles.find((r) => r.id === roleId);
    const ids = [...new Set((role?.permissions ?? []).filter((p) => p.action === action).map((p) => p.resource))];
    return ids.length === 0 ? "nothing" : ids.map(label).join(", ");
  };
  const rows = model.fleets.map((f) => {
    const exceptions = model.findings
      .filter((x) => x.acknowledgement !== undefined && x.path.includes(`/${f.name}/`))
      .map((x) => `\`${x.rule}\``);
    return `| \`${f.name}\` | ${f.jobsRunOn === "manager" ? "**the manager** (its role)" : "worker instances (the worker role)"} | ${repositories(f.jobsHold, "ecr:PutImage")} | ${repositories(f.jobsHold, "ecr:BatchGetImage")} | ${exceptions.length === 0 ? "none" : exceptions.join(", ")} |`;
  });
  return [
    "## Summary",
    "",
    "| fleet | jobs run on | jobs may push to | jobs may pull from | acknowledged exceptions |",
    "|---|---|---|---|---|",
    ...rows,
    "",
    `${model.paths.length === 0 ? "No path" : `${model.paths.length} path(s)`} from one fleet's jobs into what another fleet runs or reads (see *Paths between fleets*).`,
    "",
    "Terms: *privileged*: job containers may run Docker-in-Docker, and so reach the instance's role; *metadata hop limit*: how",
    "many network hops the instance's credentials reach (1: the host only; 2: containers too); *cache namespace*: the S3 key",
    "prefix a runner's cache lives under (`runner/<token>/…` per runner, or one shared by every fleet); *M*: granted by the",
    "module's own policies, not this stack's.",
    "",
    ...gitlabSettings(model),
  ];
}
