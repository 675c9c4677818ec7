/** The Mermaid diagram: fleets, roles, and what each role does with each resource. */
import type { ReviewModel } from "../model/review-model";

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

export function mermaid(model: ReviewModel): string[] {
  const id = (s: string) => s.replace(/[^A-Za-z0-9]/g, "_");
  // Repositories and buckets are nodes; a bucket and its objects are one node.
  const nodes = model.resources.filter(
    (r) => r.kind === "ecr-repository" || r.kind === "ecr-pull-through-prefix" || r.kind === "s3-bucket",
  );
  const nodeIds = new Map(nodes.map((r, i) => [r.id, `res${i}`]));
  const nodeOf = (resource: string) => nodeIds.get(resource.replace(/^s3-objects:/, "s3:"));
  const lines = ["```mermaid", "flowchart LR"];
  const edges: string[] = [];
  for (const fleet of model.fleets) {
    const f = id(fleet.name);
    const workers = fleet.roles.includes(`${fleet.name}/workers`);
    lines.push(`  subgraph fleet_${f}["fleet ${fleet.name} · ${fleet.executor}"]`);
    lines.push(`    ${f}_manager["runner manager${workers ? "" : " (runs the jobs)"}"]`);
    if (workers) {
      lines.push(`    ${f}_workers["worker instances (run the jobs)"]`);
      lines.push(`    ${f}_manager -- starts --> ${f}_workers`);
    }
    lines.push("  end");
    for (const role of model.roles.filter((r) => r.fleet === fleet.name)) {
      lines.push(`  ${f}_${role.kind}_role{{"IAM role: ${fleet.name} ${role.kind}"}}`);
      edges.push(`  ${f}_${role.kind} -. instance profile .-> ${f}_${role.kind}_role`);
      const byNode = new Map<string, string[]>();
      for (const p of role.permissions) {
        const node = nodeOf(p.resource);
        if (node !== undefined) byNode.set(node, [...(byNode.get(node) ?? []), p.action]);
      }
      for (const [node, actions] of [...byNode].sort(([a], [b]) => a.localeCompare(b))) {
        const v = verbs(actions);
        if (v !== "") edges.push(`  ${f}_${role.kind}_role -- "${v}" --> ${node}`);
      }
    }
  }
  for (const r of nodes) lines.push(`  ${nodeIds.get(r.id)}[("${r.label.replace(/`/g, "").replace(/"/g, "'")}")]`);
  return [...lines, ...edges, "```"];
}
