/** The per-role tables: actions × resources, each cell the evaluated decision of every policy that reaches the role. */
import type { ModelResource, ModelRole, ReviewModel } from "../model/review-model";

export const ANY_RESOURCE_LABEL = "any (`*`)";

/** A cell's mark: granted by this stack's policies, by the module's own, or by both. */
const MARK = { stack: "✓", module: "M", both: "✓ M" } as const;

function policyTable(role: ModelRole, resources: readonly ModelResource[]): string[] {
  const used = resources.filter((r) => role.permissions.some((p) => p.resource === r.id));
  const actions = [...new Set(role.permissions.map((p) => p.action))].sort();
  const cell = (action: string, resource: string) => {
    const p = role.permissions.find((x) => x.action === action && x.resource === resource);
    return p === undefined ? " " : `${MARK[p.by]}${p.conditions ? " (if)" : ""}`;
  };
  const conditional = role.permissions.filter((p) => p.conditions !== undefined);
  const label = (id: string) => resources.find((r) => r.id === id)?.label ?? `\`${id}\``;
  return [
    `| action | ${used.map((c) => c.label).join(" | ")} |`,
    `|---|${used.map(() => ":-:").join("|")}|`,
    ...actions.map((a) => `| \`${a}\` | ${used.map((c) => cell(a, c.id)).join(" | ")} |`),
    ...(conditional.length === 0
      ? []
      : [
          "",
          "(if): only where the statement's condition holds:",
          ...conditional.map((p) => `- \`${p.action}\` on ${label(p.resource)} when \`${JSON.stringify(p.conditions)}\``),
        ]),
  ];
}

export function roleSection(title: string, moduleInput: string, model: ReviewModel, roleId: string, absent: string): string[] {
  const role = model.roles.find((r) => r.id === roleId);
  if (role === undefined) return [`**${title}**: ${absent}`, ""];
  const own = role.policies.filter((p) => !p.byModule).map((p) => `\`${p.source}\``);
  const byModule = role.policies.filter((p) => p.byModule).map((p) => `\`${p.source.replace(/^module:/, "")}\``);
  const unreadable = role.policies.filter((p) => !p.readable).map((p) => `\`${p.source}\``);
  const name = role.iamRole === undefined ? "" : ` \`${role.iamRole}\``;
  return [
    `**${title}**${name}: ` +
      (byModule.length > 0 ? `the module's ${byModule.join(", ")}; ` : "") +
      `this stack's ${own.join(", ")}` +
      (moduleInput === "" ? "" : ` (through ${moduleInput})`),
    "",
    ...policyTable(role, model.resources),
    "",
    ...(unreadable.length > 0
      ? [`Not evaluated (an AWS-managed policy, or a document that is not literal JSON): ${unreadable.join(", ")}.`, ""]
      : []),
  ];
}

/** The legend: each column's ARN (or pattern). */
export function resourceLegend(model: ReviewModel): string[] {
  const used = new Set(model.roles.flatMap((r) => r.permissions.map((p) => p.resource)));
  return [
    "| name in the tables | ARN |",
    "|---|---|",
    ...model.resources.filter((r) => r.kind !== "any" && used.has(r.id)).map((r) => `| ${r.label} | \`${r.arn}\` |`),
  ];
}
