/** The Mermaid diagram: fleets, roles, and what each role does with each resource. */
import { Column } from "./tables";
import { ReviewSubject } from "./subject";

/** What a role does with a resource, in a word or two, from the actions it is allowed. */
function verbs(actions: readonly string[]): string {
  const has = (a: string) => actions.includes(a);
  return [
    has("ecr:BatchGetImage") ? "pull" : undefined,
    has("ecr:PutImage") ? "push" : undefined,
    has("ecr:BatchImportUpstreamImage") ? "import" : undefined,
    has("s3:GetObject") || has("s3:ListBucket") ? "read" : undefined,
    has("s3:PutObject") ? "write" : undefined,
  ]
    .filter((v) => v !== undefined)
    .join(", ");
}

export function mermaid(runners: ReviewSubject, columns: readonly Column[]): string[] {
  const id = (s: string) => s.replace(/[^A-Za-z0-9]/g, "_");
  // Bucket and its objects are one node in the picture.
  const nodeOf = (arn: string) => (arn === `${runners.cache.bucketArn}/*` ? runners.cache.bucketArn : arn);
  const nodeIds = new Map(
    columns.filter((c) => c.arn !== "*" && c.arn !== `${runners.cache.bucketArn}/*`).map((c, i) => [c.arn, `res${i}`]),
  );
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
    for (const [role, policy] of [
      ["manager", fleet.managerPolicy],
      ["workers", fleet.workerPolicy],
    ] as const) {
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
