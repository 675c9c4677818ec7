/** The per-role tables: actions × resources, with readable resource names. */
import { UPSTREAMS, UpstreamUrl } from "../aws/pull-through";
import type { ManagedPolicy } from "../iam/managed-policy";
import { ReviewSubject } from "./subject";

export const ANY_RESOURCE_LABEL = "any (`*`)";

export interface Column {
  readonly label: string;
  readonly arn: string;
}

/** Readable names for every resource ARN the policies mention, in table column order. */
export function resourceColumns(runners: ReviewSubject): Column[] {
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
    ...runners.pullThroughCache.map(({ rule }) => ({
      label: `ECR \`${rule.prefix}/*\` (pull-through cache of ${UPSTREAMS[rule.upstream as UpstreamUrl]?.name ?? rule.upstream})`,
      arn: rule.repositoryArnPattern,
    })),
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

export function roleSection(
  title: string,
  moduleInput: string,
  policy: ManagedPolicy | undefined,
  columns: readonly Column[],
  absent: string,
): string[] {
  if (policy === undefined) return [`**${title}**: ${absent}`, ""];
  return [
    `**${title}** (${moduleInput}): policy \`${policy.policyName}\`, \`aws_iam_policy.${policy.policy.friendlyUniqueId}\``,
    "",
    ...policyTable(policy, columns),
    "",
  ];
}
