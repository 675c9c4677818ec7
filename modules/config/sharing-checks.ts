/**
 * What must not be shared, and names that are taken: one runner token per fleet, the cache bucket
 * apart from the state bucket, one writer of a build cache unless acknowledged, and no stack or
 * fleet name that the construct tree already holds.
 */
import { ssmParameterArnName } from "../aws/names";
import { RUNNERS_CHILD_IDS, VARIABLE_ID_PREFIX, isPrototypeKey } from "../support/terraform-names";
import { defaultCacheBucketName } from "./defaults";
import { BUILD_CACHE_ONE_WRITER, isVariableRef } from "./fields";
import type { ConfigShape, RunnersShape } from "./schema";

type Path = (string | number)[];
type Report = (path: Path, message: string) => void;

/**
 * Two managers with one token are one runner to GitLab: either fleet takes the other's jobs and
 * runs them with its own IAM rights. A literal, a Terraform variable, and a variable's default
 * (the parameter it names unless the plan sets another) each name a parameter, compared as its
 * ARN spells it: the module grants each manager read on that ARN, where "a" and "/a" are one.
 */
export function checkRunnerTokens(c: RunnersShape, report: Report): void {
  const seen = new Map<string, number>();
  c.fleets.forEach((f, i) => {
    const field = ["fleets", i, "runnerTokenSsmParameter"];
    const first = (key: string) => {
      const j = seen.get(key);
      if (j === undefined) seen.set(key, i);
      return j;
    };
    const why =
      "two managers with one token are one runner to GitLab, so either fleet would take the other's jobs; give each fleet a parameter of its own";
    const value = f.runnerTokenSsmParameter;
    if (isVariableRef(value)) {
      const j = first(`variable:${value.terraformVariable}`);
      if (j !== undefined)
        report(field, `uses the Terraform variable "${value.terraformVariable}", as fleets[${j}].runnerTokenSsmParameter does: ${why}`);
      const k = value.default === undefined ? undefined : first(`parameter:${ssmParameterArnName(value.default)}`);
      if (j === undefined && k !== undefined)
        report([...field, "default"], `"${value.default}" is the parameter fleets[${k}].runnerTokenSsmParameter names: ${why}`);
    } else {
      const j = first(`parameter:${ssmParameterArnName(value)}`);
      if (j !== undefined) report(field, `"${value}" is the parameter fleets[${j}].runnerTokenSsmParameter names too: ${why}`);
    }
  });
}

/**
 * Every runner manager reads and writes the cache bucket; the state holds the workers' SSH private
 * key (executors with `workerKeyInState`) and every other secret Terraform keeps. The backend is never a variable.
 */
export function checkStateBucket(c: ConfigShape, report: Report): void {
  if (c.backend.type !== "s3") return;
  const written = c.cache.bucketName !== undefined;
  const cache = c.cache.bucketName ?? defaultCacheBucketName(c.name, c.aws.accountId, c.aws.region);
  if (cache !== c.backend.bucket) return;
  const why =
    "every runner manager may read and write the cache bucket, and the Terraform state holds the workers' SSH private key; keep the state in a bucket of its own";
  if (written) report(["cache", "bucketName"], `is the state bucket (backend.bucket): ${why}`);
  else report(["backend", "bucket"], `is the cache bucket's default name (cache.bucketName left out): ${why}`);
}

/** ECR cannot limit PutImage to some tags: each fleet that may push can rewrite the buildcache* tags the others build from. */
export function checkBuildCacheWriters(c: RunnersShape, report: Report): void {
  c.repositories.forEach((r, i) => {
    const writers = [...new Set(r.push)];
    if (!r.buildCache || writers.length < 2 || Object.hasOwn(r.acknowledge, BUILD_CACHE_ONE_WRITER)) return;
    report(
      ["repositories", i, "push"],
      `lets ${writers.length} fleets (${writers.join(", ")}) push to a repository with buildCache: ECR cannot limit a push to some tags, so each could rewrite the buildcache* tags the others build from. ` +
        `Keep one writer, or give the reason in repositories[${i}].acknowledge["${BUILD_CACHE_ONE_WRITER}"]`,
    );
  });
}

/** Construct ids a fleet name must not take, with what holds each. */
const TAKEN_FLEET_NAMES = new Map<string, string>([
  [RUNNERS_CHILD_IDS.ciImage, "the id of the CI image repository's construct"],
  [RUNNERS_CHILD_IDS.cache, "the id of the cache bucket's construct"],
  [RUNNERS_CHILD_IDS.fleetsOutput, "the id of the stack's fleets output"],
]);

/**
 * The stack's name is its construct id under the app, a fleet's its construct id under
 * GitlabRunnerEcr (Terraform addresses are fixed apart, by overrideLogicalId): a name the construct
 * tree already holds would end in "There is already a Construct with name …".
 */
export function checkTakenNames(c: RunnersShape, report: Report): void {
  if (isPrototypeKey(c.name)) report(["name"], `"${c.name}" is a name every JavaScript object already has; choose another stack name`);
  c.fleets.forEach((f, i) => {
    const taken = isPrototypeKey(f.name)
      ? "a name every JavaScript object already has"
      : f.name.startsWith(VARIABLE_ID_PREFIX)
        ? `kept for the stack's Terraform variables (${VARIABLE_ID_PREFIX}<name>)`
        : TAKEN_FLEET_NAMES.get(f.name);
    if (taken !== undefined) report(["fleets", i, "name"], `"${f.name}" is ${taken}; choose another fleet name`);
  });
}
