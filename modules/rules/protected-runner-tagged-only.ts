import { SecurityRule } from "./security-rule";

/**
 * A protected runner (usually the fleet that may push) takes only jobs that name one of its tags:
 * with untagged jobs allowed, every job of a protected branch that names no tag (a lint, a test, a
 * third-party include) runs with the push grants.
 */
export const PROTECTED_RUNNER_TAGGED_ONLY: SecurityRule = {
  id: "protected-runner-tagged-only",
  description: "A runner the stack registers as protected runs only jobs that name one of its tags (untagged false).",
  checkStack(doc) {
    return doc.fleets.flatMap((f) => {
      const r = f.registration;
      if (r === undefined || r.accessLevel !== "ref_protected" || r.untagged === false) return [];
      return [
        {
          path: r.block.path,
          message:
            `the protected GitLab runner ${r.block.address} of fleet "${f.name}" also runs untagged jobs (untagged ${JSON.stringify(r.untagged)}): ` +
            "every job of a protected branch that names no tag would get this fleet's grants. Set gitlab.runUntagged: false, or acknowledge it",
        },
      ];
    });
  },
};
