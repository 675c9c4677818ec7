import { mayReach } from "../iam/policy-evaluation";
import { SecurityRule } from "./security-rule";

const S3_PROBES = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"];

/**
 * Jobs on worker instances reach the cache through URLs their manager signs for their own
 * namespace. An S3 right on the workers' role would let any job read or overwrite every fleet's
 * cache (and whatever else the grant covers). A grant of your own, such as an artifact bucket for
 * deploy jobs, can be acknowledged with its reason.
 */
export const WORKER_JOBS_HOLD_NO_S3: SecurityRule = {
  id: "worker-jobs-hold-no-s3",
  description: "The workers' role, which every job holds, has no S3 right: jobs reach the cache only through pre-signed URLs.",
  checkStack(doc) {
    return doc.fleets.flatMap((f) => {
      if (f.workers === undefined || !f.workers.runsJobs) return [];
      const reached = S3_PROBES.filter((a) => mayReach(f.workers!.statements, a, "*"));
      return reached.length === 0
        ? []
        : [{ path: f.block.path, message: `the workers' role of fleet "${f.name}", which its jobs hold, may ${reached.join(", ")}` }];
    });
  },
};
