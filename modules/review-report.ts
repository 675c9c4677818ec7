/**
 * The plan-review report written next to cdk.tf.json (review.md): per fleet and role, which actions
 * on which resources; the runners' image and the registries the credential helper serves; the
 * security rules and their acknowledged exceptions; a Mermaid diagram. It is rendered from the same
 * RolePolicy documents that are synthesized into the aws_iam_policy blocks, so it cannot drift from
 * them, and it is sorted and free of timestamps, so the same configuration gives the same bytes.
 */
import type { GitlabRunnerEcr } from "./gitlab-runner-ecr";
import type { RolePolicy } from "./role-policy";
import { SECURITY_RULES } from "./rules";
import type { RuleFinding } from "./security-rules";

export const ANY_RESOURCE_LABEL = "any (`*`)";

interface Column {
  readonly label: string;
  readonly arn: string;
}

/** Readable names for every resource ARN the policies mention, in table column order. */
function resourceColumns(runners: GitlabRunnerEcr): Column[] {
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

function policyTable(policy: RolePolicy, columns: readonly Column[]): string[] {
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

function roleSection(title: string, moduleInput: string, policy: RolePolicy | undefined, columns: readonly Column[], absent: string): string[] {
  if (policy === undefined) return [`**${title}**: ${absent}`, ""];
  return [
    `**${title}** (${moduleInput}): policy \`${policy.policyName}\`, \`aws_iam_policy.${policy.policy.friendlyUniqueId}\``,
    "",
    ...policyTable(policy, columns),
    "",
  ];
}

const WHERE_JOBS_RUN: Record<string, string> = {
  docker: "jobs run in containers on the manager, under its role",
  "docker+machine": "jobs run on worker instances started by the manager with docker-machine",
  "docker-autoscaler": "jobs run on worker instances of an autoscaling group driven by the manager",
};

const WORKER_INPUT: Record<string, string> = {
  "docker+machine": "`runner_worker_docker_machine_role.policy_arns`",
  "docker-autoscaler": "`runner_worker_docker_autoscaler_role.policy_arns`",
};

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

function mermaid(runners: GitlabRunnerEcr, columns: readonly Column[]): string[] {
  const id = (s: string) => s.replace(/[^A-Za-z0-9]/g, "_");
  // Bucket and its objects are one node in the picture.
  const nodeOf = (arn: string) => (arn === `${runners.cache.bucketArn}/*` ? runners.cache.bucketArn : arn);
  const nodeIds = new Map(columns.filter((c) => c.arn !== "*" && !c.arn.endsWith("/*")).map((c, i) => [c.arn, `res${i}`]));
  const lines = ["```mermaid", "flowchart LR"];
  const edges: string[] = [];
  for (const fleet of runners.fleets) {
    const f = id(fleet.node.id);
    lines.push(`  subgraph fleet_${f}["fleet ${fleet.node.id} · ${fleet.executor}"]`);
    lines.push(`    ${f}_manager["runner manager${fleet.workers ? "" : " (runs the jobs)"}"]`);
    if (fleet.workers) {
      lines.push(`    ${f}_workers["worker instances (run the jobs)"]`);
      lines.push(`    ${f}_manager -- starts --> ${f}_workers`);
    }
    lines.push("  end");
    for (const [role, policy] of [["manager", fleet.manager], ["workers", fleet.workers]] as const) {
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

/** The report's Markdown. `stackName` names the stack folder in cdktf.out/stacks. */
export function renderReviewReport(runners: GitlabRunnerEcr, stackName: string, findings: readonly RuleFinding[]): string {
  const columns = resourceColumns(runners);
  const { accountId, region } = runners.config.aws;
  const lines = [
    `# Review: GitLab runners in stack \`${stackName}\``,
    "",
    "Generated by `cdktf synth` from the constructs that wrote `cdk.tf.json` next to this file: the tables below",
    `are the synthesized IAM policies, not a description of them. Account \`${accountId}\`, region \`${region}\`.`,
    "",
    "## Images and registry logins",
    "",
    `- Default job image of every fleet: \`${runners.ciImage.imageUri}\``,
    `- Registries whose logins the runner managers get from the ECR credential helper (\`credHelpers\` in \`/root/.docker/config.json\`): ${runners.jobImageRegistryHosts.map((h) => `\`${h}\``).join(", ")}`,
    "- No registry password is stored: logins use the instance role (`ecr:GetAuthorizationToken`).",
    "",
    "## Who may do what",
    "",
    "The policies this stack adds to the module's roles, cell by cell (✓ = allowed); no other ECR or S3 right",
    "is granted by them. The module attaches its own policies to the same roles to run the fleet (the token",
    "parameter, instance management, logs); those are not shown here.",
    "",
  ];
  for (const fleet of runners.fleets) {
    lines.push(`### Fleet \`${fleet.node.id}\` (\`${fleet.executor}\`: ${WHERE_JOBS_RUN[fleet.executor]})`, "");
    lines.push(...roleSection("Manager role", "`runner_role.policy_arns`", fleet.manager, columns, "none"));
    lines.push(...roleSection("Worker role", WORKER_INPUT[fleet.executor] ?? "", fleet.workers, columns, "none: there are no worker instances."));
  }
  lines.push("### Resources", "", "| name in the tables | ARN |", "|---|---|");
  lines.push(...columns.filter((c) => c.arn !== "*").map((c) => `| ${c.label} | \`${c.arn}\` |`), "");
  lines.push(...rulesSection(findings));
  lines.push("## Diagram", "", ...mermaid(runners, columns), "");
  return lines.join("\n");
}
