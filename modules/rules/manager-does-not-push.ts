import { ECR_REPOSITORY_WRITE_ACTIONS } from "../iam/ecr-action-sets";
import { mayReach } from "../iam/policy-evaluation";
import { SecurityRule } from "./security-rule";

/**
 * Where jobs run on worker instances, the manager only resolves job images and signs cache URLs:
 * it never needs to push. A push right there would serve no job and widen what a compromise of the
 * manager (which holds the runner token) could rewrite. Not acknowledgeable.
 */
export const MANAGER_DOES_NOT_PUSH: SecurityRule = {
  id: "manager-does-not-push",
  description: "The manager role of a fleet whose jobs run on workers may not push to, or delete from, any repository.",
  acknowledgeable: false,
  checkStack(doc) {
    return doc.fleets
      .filter((f) => !f.manager.runsJobs)
      .flatMap((f) => {
        const anyRepository = `arn:${doc.partition}:ecr:*:*:repository/*`;
        const writes = ECR_REPOSITORY_WRITE_ACTIONS.filter((a) => mayReach(f.manager.statements, a, anyRepository));
        return writes.length === 0
          ? []
          : [
              {
                path: f.block.path,
                message: `the manager role of fleet "${f.name}" may ${writes.join(", ")}; its jobs run on workers, so it needs no push right`,
              },
            ];
      });
  },
};
