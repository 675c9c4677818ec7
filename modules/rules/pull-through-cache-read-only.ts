import { ECR_REPOSITORY_WRITE_ACTIONS } from "../iam/ecr-action-sets";
import { mayReach } from "../iam/policy-evaluation";
import { policySources } from "../model/stack-document";
import { SecurityRule } from "./security-rule";

/**
 * Every fleet pulls docker:dind and base images through the pull-through cache, as privileged
 * services; whoever may push under a cache prefix can replace them for all fleets. So no policy of
 * the stack (the module's own included) may write any repository under a prefix, and the stack
 * creates no repository there (it would stand in for the upstream's). Decided on the document:
 * every Resource pattern is compared with `<prefix>/*`, so a repository named by ARN, a wildcard,
 * or the implicit default rule cannot get around it. Not acknowledgeable.
 */
export const PULL_THROUGH_CACHE_READ_ONLY: SecurityRule = {
  id: "pull-through-cache-read-only",
  description:
    "No policy may push to, delete from or re-permission a repository under a pull-through cache prefix, and none is created there.",
  acknowledgeable: false,
  checkStack(doc) {
    const findings = [];
    for (const rule of doc.pullThroughRules) {
      for (const source of policySources(doc)) {
        if (source.statements === undefined) continue;
        const writes = ECR_REPOSITORY_WRITE_ACTIONS.filter((a) => mayReach(source.statements!, a, rule.repositoryPattern));
        if (writes.length > 0) {
          findings.push({
            path: source.path,
            message:
              `${source.label} allows ${writes.join(", ")} on repositories under the pull-through cache prefix "${rule.prefix}/" ` +
              "(every fleet pulls images and services through it): grant push on repositories outside the prefix only",
          });
        }
      }
      for (const repository of doc.repositories.filter((r) => r.name.startsWith(`${rule.prefix}/`))) {
        findings.push({
          path: repository.block.path,
          message: `repository "${repository.name}" lies under the pull-through cache prefix "${rule.prefix}/" and would stand in for the upstream's image: name it outside the prefix`,
        });
      }
    }
    return findings;
  },
};
