import { SecurityRule } from "./security-rule";

/** A tag always names the same image (what a pinned runner image relies on), and every push is scanned. */
export const ECR_IMMUTABLE_SCANNED: SecurityRule = {
  id: "ecr-immutable-scanned",
  description: "ECR repositories have immutable tags and scan images on push.",
  check(block) {
    if (block.resourceType !== "aws_ecr_repository") return [];
    const a = block.attributes;
    const problems: string[] = [];
    if (a.image_tag_mutability !== "IMMUTABLE") problems.push(`image_tag_mutability is ${JSON.stringify(a.image_tag_mutability ?? "MUTABLE (the default)")}, not "IMMUTABLE"`);
    const scanning = [a.image_scanning_configuration ?? []].flat()[0];
    if (scanning?.scan_on_push !== true) problems.push("image_scanning_configuration.scan_on_push is not true");
    return problems;
  },
};
