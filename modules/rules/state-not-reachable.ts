import { mayReach } from "../iam/policy-evaluation";
import { policySources } from "../model/stack-document";
import { SecurityRule } from "./security-rule";

/** What reading or changing the state would take: its objects, and the bucket's listing and policy. */
const STATE_OBJECT_ACTIONS = ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject"];
const STATE_BUCKET_ACTIONS = ["s3:ListBucket", "s3:PutBucketPolicy", "s3:DeleteBucket"];

/**
 * The Terraform state holds the workers' SSH private key (executors with `workerKeyInState`) and
 * every secret the plan saw. No role of the stack may reach the S3 bucket that holds it: not through a grant, and
 * not as the runners' cache bucket (every manager reads and writes that). Not acknowledgeable.
 */
export const STATE_NOT_REACHABLE: SecurityRule = {
  id: "state-not-reachable",
  description: "No policy of the stack (the module's included) reaches the state bucket, and the cache is not the state bucket.",
  acknowledgeable: false,
  checkStack(doc) {
    const state = doc.stateBucket;
    if (state === undefined) return [];
    const bucketArn = `arn:${doc.partition}:s3:::${state.name}`;
    const findings = doc.fleets
      .filter((f) => f.cacheBucket === state.name)
      .map((f) => ({
        path: f.block.path,
        message: `the runners' cache bucket is "${state.name}", the bucket that holds the Terraform state: every manager could read and replace the state. Use a bucket of its own for the cache`,
      }));
    for (const source of policySources(doc)) {
      if (source.statements === undefined) continue;
      const reached = [
        ...STATE_OBJECT_ACTIONS.filter((a) => mayReach(source.statements!, a, `${bucketArn}/*`)),
        ...STATE_BUCKET_ACTIONS.filter((a) => mayReach(source.statements!, a, bucketArn)),
      ];
      if (reached.length > 0) {
        findings.push({
          path: source.path,
          message: `${source.label} allows ${reached.join(", ")} on the state bucket "${state.name}", whose state holds the workers' SSH key: scope it to other buckets`,
        });
      }
    }
    return findings;
  },
};
