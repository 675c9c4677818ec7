import { evaluate } from "../iam/policy-evaluation";
import { SecurityRule } from "./security-rule";

/**
 * ECR cannot scope ecr:PutImage by tag: whoever may push a repository may rewrite every mutable tag
 * in it. Where the build-cache tags stay mutable, a second fleet that may push can plant layers the
 * first fleet then builds from and releases under an immutable tag. One writing fleet per such
 * repository; a second needs a reason (or a cache repository per fleet).
 */
export const BUILD_CACHE_ONE_WRITER: SecurityRule = {
  id: "build-cache-one-writer",
  description: "A repository with mutable (build-cache) tags is pushed by the jobs of one fleet at most.",
  checkStack(doc) {
    return doc.repositories.flatMap((r) => {
      if (r.mutableTags.length === 0 || r.arn === undefined) return [];
      const writers = doc.fleets.filter((f) => evaluate(f.jobs.statements, "ecr:PutImage", r.arn!) === "Allowed").map((f) => f.name);
      return writers.length <= 1
        ? []
        : [
            {
              path: r.block.path,
              message:
                `the jobs of fleets ${writers.map((w) => `"${w}"`).join(", ")} may push "${r.name}", whose tags ${r.mutableTags.join(", ")} stay mutable: ` +
                "each can rewrite the build cache the others build from. Let one fleet push, use a cache repository per fleet, or acknowledge it",
            },
          ];
    });
  },
};
