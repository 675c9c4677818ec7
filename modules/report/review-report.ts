/**
 * The plan-review report written next to cdk.tf.json (review.md): per fleet, where jobs run and
 * what they can reach; per role, which actions on which resources; the runners' image and the
 * registries each manager's credential helper serves; the security rules and their acknowledged
 * exceptions; a Mermaid diagram. Everything is read from what is synthesized: the ManagedPolicy
 * documents of the aws_iam_policy blocks, the runner module inputs (the install script, hop
 * limits, cache and reuse settings) and the backend block, so the report cannot drift from the
 * document. It is sorted and free of timestamps: the same configuration gives the same bytes.
 */
import { IConstruct } from "constructs";
import { TerraformBackend, TerraformStack } from "cdktf";
import { EXECUTORS } from "../executors";
import type { ManagedPolicy } from "../iam/managed-policy";
import { SECURITY_RULES } from "../rules";
import { parseCredHelpersInstallScript } from "../constructs/manager-docker-config";
import type { GitlabRunnerEcr } from "../constructs/gitlab-runner-ecr";
import type { RunnerFleet } from "../constructs/runner-fleet";
import type { RuleFinding } from "../rules/aspect";

/** What the report is rendered from: the runners' constructs, seen through what they synthesize. */
export interface ReviewSubject {
  /** Any construct of the stack (for the backend block). */
  readonly scope: IConstruct;
  readonly accountId: string;
  readonly region: string;
  readonly ciImage: { readonly repositoryName: string; readonly repositoryArn: string };
  readonly ciImageUri: string;
  readonly cache: { readonly bucketName: string; readonly bucketArn: string };
  readonly applicationRepositories: readonly { readonly repository: { readonly repositoryName: string; readonly repositoryArn: string } }[];
  readonly fleets: readonly RunnerFleet[];
}

export const ANY_RESOURCE_LABEL = "any (`*`)";

interface Column {
  readonly label: string;
  readonly arn: string;
}

/** Readable names for every resource ARN the policies mention, in table column order. */
function resourceColumns(runners: ReviewSubject): Column[] {
  const ci = runners.ciImage;
  const bucket = runners.cache;
  return [
    { label: ANY_RESOURCE_LABEL, arn: "*" },
    { label: `ECR \`${ci.repositoryName}\` (CI image)`, arn: ci.repositoryArn },
    ...runners.applicationRepositories.map(({ repository: r }) => {
      const elsewhere = r.repositoryArn.split(":");
      const here = ci.repositoryArn.split(":");
      const where = elsewhere[3] !== here[3] || elsewhere[4] !== here[4] ? ` (${elsewhere[4]}, ${elsewhere[3]})` : "";
      return { label: `ECR \`${r.repositoryName}\`${where}`, arn: r.repositoryArn };
    }),
    { label: `S3 bucket \`${bucket.bucketName}\` (cache)`, arn: bucket.bucketArn },
    { label: `objects in \`${bucket.bucketName}\``, arn: `${bucket.bucketArn}/*` },
  ];
}

function policyTable(policy: ManagedPolicy, columns: readonly Column[]): string[] {
  const grants = new Map<string, Set<string>>();
  for (const s of policy.document().Statement) {
    for (const a of s.Action) for (const r of s.Resource) grants.set(a, (grants.get(a) ?? new Set()).add(r));
  }
  const mentioned = new Set([...grants.values()].flatMap((rs) => [...rs]));
  const unknown = [...mentioned].filter((arn) => !columns.some((c) => c.arn === arn));
  // Any resource without a readable name still appears, under its ARN.
  const used = [...columns.filter((c) => mentioned.has(c.arn)), ...unknown.sort().map((arn) => ({ label: `\`${arn}\``, arn }))];
  const actions = [...grants.keys()].sort();
  return [
    `| action | ${used.map((c) => c.label).join(" | ")} |`,
    `|---|${used.map(() => ":-:").join("|")}|`,
    ...actions.map((a) => `| \`${a}\` | ${used.map((c) => (grants.get(a)!.has(c.arn) ? "✓" : " ")).join(" | ")} |`),
  ];
}

function roleSection(title: string, moduleInput: string, policy: ManagedPolicy | undefined, columns: readonly Column[], absent: string): string[] {
  if (policy === undefined) return [`**${title}**: ${absent}`, ""];
  return [
    `**${title}** (${moduleInput}): policy \`${policy.policyName}\`, \`aws_iam_policy.${policy.policy.friendlyUniqueId}\``,
    "",
    ...policyTable(policy, columns),
    "",
  ];
}


function rulesSection(findings: readonly RuleFinding[]): string[] {
  const acknowledged = findings.filter((f) => f.acknowledgement !== undefined);
  return [
    "## Security rules",
    "",
    "Checked over the construct tree at every synthesis; a violation fails synthesis unless acknowledged.",
    "",
    "| rule | demands | acknowledged exceptions |",
    "|---|---|:-:|",
    ...SECURITY_RULES.map((r) => `| \`${r.id}\` | ${r.description} | ${acknowledged.filter((f) => f.ruleId === r.id).length} |`),
    "",
    "### Acknowledged exceptions",
    "",
    ...(acknowledged.length === 0
      ? ["None."]
      : [
          "| construct | rule | finding | reason (acknowledged at) |",
          "|---|---|---|---|",
          ...acknowledged.map(
            (f) => `| \`${f.path}\` | \`${f.ruleId}\` | ${f.message} | ${f.acknowledgement!.reason} (\`${f.acknowledgement!.path}\`) |`,
          ),
        ]),
    "",
  ];
}

/** What a role does with a resource, in a word or two, from the actions it is allowed. */
function verbs(actions: readonly string[]): string {
  const has = (a: string) => actions.includes(a);
  return [
    has("ecr:BatchGetImage") ? "pull" : undefined,
    has("ecr:PutImage") ? "push" : undefined,
    has("s3:GetObject") || has("s3:ListBucket") ? "read" : undefined,
    has("s3:PutObject") ? "write" : undefined,
  ]
    .filter((v) => v !== undefined)
    .join(", ");
}

function mermaid(runners: ReviewSubject, columns: readonly Column[]): string[] {
  const id = (s: string) => s.replace(/[^A-Za-z0-9]/g, "_");
  // Bucket and its objects are one node in the picture.
  const nodeOf = (arn: string) => (arn === `${runners.cache.bucketArn}/*` ? runners.cache.bucketArn : arn);
  const nodeIds = new Map(columns.filter((c) => c.arn !== "*" && !c.arn.endsWith("/*")).map((c, i) => [c.arn, `res${i}`]));
  const lines = ["```mermaid", "flowchart LR"];
  const edges: string[] = [];
  for (const fleet of runners.fleets) {
    const f = id(fleet.node.id);
    lines.push(`  subgraph fleet_${f}["fleet ${fleet.node.id} · ${fleet.executor}"]`);
    lines.push(`    ${f}_manager["runner manager${fleet.workerPolicy ? "" : " (runs the jobs)"}"]`);
    if (fleet.workerPolicy) {
      lines.push(`    ${f}_workers["worker instances (run the jobs)"]`);
      lines.push(`    ${f}_manager -- starts --> ${f}_workers`);
    }
    lines.push("  end");
    for (const [role, policy] of [["manager", fleet.managerPolicy], ["workers", fleet.workerPolicy]] as const) {
      if (!policy) continue;
      lines.push(`  ${f}_${role}_role{{"IAM role: ${fleet.node.id} ${role}"}}`);
      edges.push(`  ${f}_${role} -. instance profile .-> ${f}_${role}_role`);
      const byNode = new Map<string, string[]>();
      for (const s of policy.document().Statement) {
        for (const r of s.Resource) {
          if (r === "*") continue;
          byNode.set(nodeOf(r), [...(byNode.get(nodeOf(r)) ?? []), ...s.Action]);
        }
      }
      for (const [arn, actions] of [...byNode].sort(([a], [b]) => a.localeCompare(b))) {
        const target = nodeIds.get(arn);
        if (target) edges.push(`  ${f}_${role}_role -- "${verbs(actions)}" --> ${target}`);
      }
    }
  }
  for (const c of columns) {
    const target = nodeIds.get(c.arn);
    if (target) lines.push(`  ${target}[("${c.label.replace(/`/g, "").replace(/"/g, "'")}")]`);
  }
  return [...lines, ...edges, "```"];
}

/** The backend block of the stack, as synthesized: "local", "s3" or "s3 with KMS key <arn>". */
function stateStorage(scope: IConstruct): { readonly kind: "local" | "s3" | "s3-kms" | "other"; readonly text: string } {
  const backend = TerraformStack.of(scope).node.children.find((c): c is TerraformBackend => c instanceof TerraformBackend);
  const block = (backend?.toTerraform() as { terraform?: { backend?: Record<string, Record<string, unknown>> } } | undefined)?.terraform?.backend ?? {};
  const [type, settings] = Object.entries(block)[0] ?? ["local", {}];
  if (type === "local") return { kind: "local", text: "a local file" };
  if (type !== "s3") return { kind: "other", text: `the ${type} backend` };
  return typeof settings.kms_key_id === "string"
    ? { kind: "s3-kms", text: `S3, encrypted with KMS key \`${settings.kms_key_id}\`` }
    : { kind: "s3", text: "S3, encrypted with S3-managed keys" };
}

function yesNo(value: unknown): string {
  return value === true ? "yes" : value === false ? "no" : `\`${JSON.stringify(value)}\``;
}

/** One row of the trust table, read from the fleet's module inputs. */
function trustRow(fleet: RunnerFleet): string {
  const inputs = fleet.module.inputs as Record<string, any>;
  const traits = EXECUTORS[fleet.executor];
  const onManager = traits.jobsRunOn === "manager";
  const managerHop = inputs.runner_metadata_options?.http_put_response_hop_limit;
  const workerHop = traits.workerMetadataInput === undefined ? undefined : inputs[traits.workerMetadataInput]?.http_put_response_hop_limit;
  const reuse =
    fleet.executor === "docker-autoscaler" ? inputs.runner_worker_docker_autoscaler?.max_use_count
    : fleet.executor === "docker+machine" ? inputs.runner_worker_docker_machine_instance?.destroy_after_max_builds
    : undefined;
  const shared = inputs.runner_worker_cache?.shared === true;
  return [
    `\`${fleet.node.id}\``,
    `\`${fleet.executor}\``,
    onManager ? "**the manager**" : "worker instances",
    onManager ? "**the manager role**" : "the worker role",
    yesNo(inputs.runner_worker_docker_options?.privileged),
    `${managerHop ?? "unset"} / ${workerHop ?? "–"}`,
    reuse === undefined ? "– (the manager runs every job)" : reuse === 0 ? "unlimited" : String(reuse),
    shared ? "**shared by every fleet** (`project/<id>/…`)" : "its own (`runner/<token>/project/<id>/…`)",
  ].join(" | ");
}

function trustSection(runners: ReviewSubject, findings: readonly RuleFinding[]): string[] {
  const state = stateStorage(runners.scope);
  const lines = [
    "## Trust: where jobs run and what they hold",
    "",
    "| fleet | executor | jobs run on | jobs hold | privileged | metadata hop limit (manager / workers) | jobs per worker instance | cache namespace |",
    "|---|---|---|---|:-:|:-:|:-:|---|",
    ...runners.fleets.map((f) => `| ${trustRow(f)} |`),
    "",
  ];
  for (const fleet of runners.fleets) {
    if (EXECUTORS[fleet.executor].jobsRunOn === "manager") {
      const ack = findings.find((f) => f.ruleId === "jobs-not-on-manager" && f.path.startsWith(`${fleet.node.path}/`))?.acknowledgement;
      const token = (fleet.module.inputs as Record<string, any>).runner_gitlab?.preregistered_runner_token_ssm_parameter_name;
      lines.push(
        `- **Fleet \`${fleet.node.id}\`: jobs hold the manager role.** Besides the grants below, the module attaches to that role ` +
          `\`ssm:GetParameter\` and \`ssm:GetParameters\` on the runner token parameter \`${token}\` (a job can read the runner token ` +
          "and register a runner of its own), `ssm:PutParameter` on the module's token parameter, CloudWatch Logs writes, and " +
          "`iam:CreateServiceLinkedRole` where allowed; with the cache, every fleet's cache objects. " +
          (ack ? `Acknowledged: ${ack.reason}` : "Not acknowledged."),
      );
    }
    if (fleet.executor === "docker-autoscaler") {
      lines.push(
        `- Fleet \`${fleet.node.id}\`: the module keeps the workers' SSH private key (\`tls_private_key\`) in the Terraform state, ` +
          `which is ${state.text}.` +
          (state.kind === "s3-kms" ? "" : " Use the S3 backend with a KMS key (`backend.kmsKeyId`) for a fleet that uses docker-autoscaler."),
      );
    }
  }
  return [...lines, ""];
}

/** Each fleet's credHelpers registries, read back from the install script it synthesizes. */
function registryLogins(runners: ReviewSubject): string[] {
  return runners.fleets.map((fleet) => {
    const install = (fleet.module.inputs as Record<string, any>).runner_install ?? {};
    const script = install.pre_install_script;
    const hosts = script === undefined ? [] : Object.keys(parseCredHelpersInstallScript(script)).sort();
    return `- Fleet \`${fleet.node.id}\`: ${hosts.length === 0 ? "**none**" : hosts.map((h) => `\`${h}\``).join(", ")}`;
  });
}

/** The report's Markdown. `stackName` names the stack folder in cdktf.out/stacks. */
export function renderReviewReport(runners: ReviewSubject, stackName: string, findings: readonly RuleFinding[]): string {
  const columns = resourceColumns(runners);
  const { accountId, region } = runners;
  const lines = [
    `# Review: GitLab runners in stack \`${stackName}\``,
    "",
    "Generated by `cdktf synth` from the constructs that wrote `cdk.tf.json` next to this file: the tables below",
    `are the synthesized IAM policies and module inputs, not a description of them. Account \`${accountId}\`, region \`${region}\`.`,
    "",
    ...trustSection(runners, findings),
    "## Images and registry logins",
    "",
    `- Default job image of every fleet: \`${runners.ciImageUri}\``,
    "- No registry password is stored: logins use the instance role (`ecr:GetAuthorizationToken`).",
    "",
    "Registries whose logins each runner manager gets from the ECR credential helper (`credHelpers` in",
    "`/root/.docker/config.json`, read from the synthesized install script):",
    "",
    ...registryLogins(runners),
    "",
    "## Who may do what",
    "",
    "The policies this stack adds to the module's roles, cell by cell (✓ = allowed); no other ECR or S3 right",
    "is granted by them. The module attaches its own policies to the same roles to run the fleet (the token",
    "parameter, instance management, logs); those are not shown here.",
    "",
  ];
  for (const fleet of runners.fleets) {
    const traits = EXECUTORS[fleet.executor];
    lines.push(`### Fleet \`${fleet.node.id}\` (\`${fleet.executor}\`: ${traits.whereJobsRun})`, "");
    lines.push(...roleSection("Manager role", "`runner_role.policy_arns`", fleet.managerPolicy, columns, "none"));
    lines.push(
      ...roleSection("Worker role", traits.workerRoleInput === undefined ? "" : `\`${traits.workerRoleInput}.policy_arns\``, fleet.workerPolicy, columns, "none: there are no worker instances."),
    );
  }
  lines.push("### Resources", "", "| name in the tables | ARN |", "|---|---|");
  lines.push(...columns.filter((c) => c.arn !== "*").map((c) => `| ${c.label} | \`${c.arn}\` |`), "");
  lines.push(...rulesSection(findings));
  lines.push("## Diagram", "", ...mermaid(runners, columns), "");
  return lines.join("\n");
}

/**
 * The review report of a GitlabRunnerEcr as Markdown. Complete after synthesis, when the security
 * rules have run; the app writes it to cdktf.out/stacks/<stack>/review.md.
 */
export function reviewReport(runners: GitlabRunnerEcr): string {
  const { accountId, region } = runners.config.aws;
  const subject: ReviewSubject = {
    scope: runners,
    accountId,
    region,
    ciImage: runners.ciImage,
    ciImageUri: runners.ciImageUri,
    cache: runners.cache,
    applicationRepositories: runners.applicationRepositories,
    fleets: runners.fleets,
  };
  return renderReviewReport(subject, TerraformStack.of(runners).node.id, runners.securityRules.findings);
}
