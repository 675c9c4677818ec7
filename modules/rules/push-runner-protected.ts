import { mayReach } from "../iam/policy-evaluation";
import { SecurityRule } from "./security-rule";

/**
 * A fleet's grants assume GitLab sends it only the jobs meant for it. A runner the stack registers
 * for a fleet whose jobs may push an image must take only jobs of protected branches and tags
 * (access_level ref_protected): an unprotected one also runs merge-request pipelines, whose code
 * anyone with Developer access (or a fork, for a public project) writes, and they would push.
 * Decided on the document: the jobs' role may ecr:PutImage on some repository, whichever policy
 * grants it. A runner registered by hand is not in the document; review.md says what its settings
 * must be.
 */
export const PUSH_RUNNER_PROTECTED: SecurityRule = {
  id: "push-runner-protected",
  description: "A runner the stack registers for a fleet whose jobs may push an image runs only jobs of protected branches and tags.",
  checkStack(doc) {
    const anyRepository = `arn:${doc.partition}:ecr:*:*:repository/*`;
    return doc.fleets.flatMap((f) => {
      const r = f.registration;
      if (r === undefined || r.accessLevel === "ref_protected") return [];
      if (!mayReach(f.jobs.statements, "ecr:PutImage", anyRepository)) return [];
      return [
        {
          path: r.block.path,
          message:
            `the jobs of fleet "${f.name}" may push images (ecr:PutImage), but its GitLab runner ${r.block.address} has access_level ${JSON.stringify(r.accessLevel)}: ` +
            "merge-request and unprotected-branch jobs would run there and push. Set gitlab.protected: true, or acknowledge it",
        },
      ];
    });
  },
};
