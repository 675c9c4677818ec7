import { SecurityRule } from "./security-rule";

/** A repository's tag mutability as a finding, or undefined when every tag is immutable. */
function mutabilityFinding(a: Record<string, any>): string | undefined {
  const mutability = a.image_tag_mutability ?? "MUTABLE (the default)";
  if (mutability === "IMMUTABLE") return undefined;
  const filters = [a.image_tag_mutability_exclusion_filter ?? []].flat().map((f: any) => f.filter);
  const except =
    filters.length > 0
      ? ` (tags matching ${filters.join(", ")} ${mutability === "IMMUTABLE_WITH_EXCLUSION" ? "stay mutable" : "are the immutable ones"})`
      : "";
  return `image_tag_mutability is ${JSON.stringify(mutability)}, not "IMMUTABLE"${except}`;
}

/**
 * A tag always names the same image (what a pinned runner image relies on), and every push is
 * scanned. Repository creation templates (what pull-through and create-on-push repositories get)
 * are held to the same tag rule; scanning is no setting of theirs.
 */
export const ECR_IMMUTABLE_SCANNED: SecurityRule = {
  id: "ecr-immutable-scanned",
  description: "ECR repositories, and the templates ECR creates repositories from, have immutable tags; repositories scan images on push.",
  check(block) {
    const a = block.attributes;
    if (block.resourceType === "aws_ecr_repository_creation_template") {
      const finding = mutabilityFinding(a);
      return finding === undefined ? [] : [finding];
    }
    if (block.resourceType !== "aws_ecr_repository") return [];
    const problems: string[] = [];
    const finding = mutabilityFinding(a);
    if (finding !== undefined) problems.push(finding);
    const scanning = [a.image_scanning_configuration ?? []].flat()[0];
    if (scanning?.scan_on_push !== true) problems.push("image_scanning_configuration.scan_on_push is not true");
    return problems;
  },
};
