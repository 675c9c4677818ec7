/**
 * The pull-through cache against the rest of the configuration: the rules in effect (written, or
 * the ECR Public default the stack adds when none are written), their prefixes apart from each
 * other and from every repository of the stack's own registry, and credentials where needed.
 */
import { parseEcrRepositoryArn } from "../aws/names";
import { DEFAULT_PULL_THROUGH_RULE, UPSTREAMS, hasPullThroughCache, parseCredentialArn } from "../aws/pull-through";
import { terraformName } from "../support/terraform-names";
import type { RunnersShape } from "./schema";
import { stackLocationValid } from "./stack-location";

type Path = (string | number)[];
type Report = (path: Path, message: string) => void;
type Rule = NonNullable<RunnersShape["pullThroughCache"]>[number];

/** A pull-through rule in effect, and where it comes from ("pullThroughCache[0]", or the default). */
export interface EffectiveRule {
  readonly rule: Pick<Rule, "prefix" | "upstream" | "credentialArn" | "pull">;
  readonly source: string;
}

/** The rules the stack creates: the written ones, or the ECR Public rule where the region offers the feature. */
export function effectivePullThroughRules(c: Pick<RunnersShape, "pullThroughCache" | "aws">): EffectiveRule[] {
  if (c.pullThroughCache !== undefined) return c.pullThroughCache.map((rule, i) => ({ rule, source: `pullThroughCache[${i}]` }));
  if (!hasPullThroughCache(c.aws.region)) return [];
  return [{ rule: DEFAULT_PULL_THROUGH_RULE, source: "the default pull-through rule (pullThroughCache left out)" }];
}

/** Whether a repository name lies in a pull-through prefix's namespace. */
function isUnder(name: string, prefix: string): boolean {
  return name === prefix || name.startsWith(`${prefix}/`);
}

/** Rules the region offers, each prefix once, apart from every other and from the stack's repositories, credentials where needed. */
export function checkPullThroughCache(c: RunnersShape, report: Report): void {
  const written = c.pullThroughCache ?? [];
  if (written.length > 0 && !hasPullThroughCache(c.aws.region)) {
    report(
      ["pullThroughCache"],
      `ECR offers pull-through cache rules in the aws partition only, not in ${c.aws.region}; set pullThroughCache: []`,
    );
    return;
  }
  const addresses = new Map<string, number>();
  written.forEach((r, i) => {
    const at = (field: string) => ["pullThroughCache", i, field];
    const other = written.findIndex((o, j) => j !== i && (isUnder(o.prefix, r.prefix) || isUnder(r.prefix, o.prefix)));
    if (other >= 0 && other < i)
      report(
        at("prefix"),
        `overlaps pullThroughCache[${other}].prefix "${written[other]!.prefix}"; each rule needs a namespace of its own`,
      );
    // A rule becomes aws_ecr_pull_through_cache_rule.<prefix with / and . as _>: two prefixes must not meet.
    const address = terraformName(r.prefix);
    const first = addresses.get(address);
    if (first === undefined) addresses.set(address, i);
    else if (written[first]!.prefix !== r.prefix)
      report(
        at("prefix"),
        `gives the same Terraform address as pullThroughCache[${first}].prefix "${written[first]!.prefix}" (. / and _ all become _); rename one`,
      );
    checkCredentials(c, r, i, report);
  });
  checkRepositoriesOutsidePrefixes(c, report);
}

function checkCredentials(c: RunnersShape, r: Rule, i: number, report: Report): void {
  const at = (field: string) => ["pullThroughCache", i, field];
  const upstream = UPSTREAMS[r.upstream];
  if (upstream.credential && r.credentialArn === undefined) {
    report(
      at("credentialArn"),
      `is required for ${upstream.name}: the ARN of a Secrets Manager secret named ecr-pullthroughcache/… holding its credentials`,
    );
  } else if (!upstream.credential && r.credentialArn !== undefined) {
    report(at("credentialArn"), `is not used by ${upstream.name}, which needs no credentials; leave it out`);
  } else if (r.credentialArn !== undefined) {
    const secret = parseCredentialArn(r.credentialArn);
    if (!secret)
      report(
        at("credentialArn"),
        "must be the ARN of a Secrets Manager secret named ecr-pullthroughcache/…, such as arn:aws:secretsmanager:eu-west-1:123456789012:secret:ecr-pullthroughcache/docker-hub-AbCdEf",
      );
    // Compared only with a valid account and region: a mistaken aws field is reported there alone.
    else if (stackLocationValid(c) && (secret.region !== c.aws.region || secret.accountId !== c.aws.accountId)) {
      report(
        at("credentialArn"),
        `is a secret of account ${secret.accountId} in ${secret.region}; ECR reads it only from the stack's own account and region (${c.aws.accountId}, ${c.aws.region})`,
      );
    }
  }
  // Left out, `pull` is every fleet: each fleet's jobs would pull with the account's credentials.
  if ((upstream.credential || r.credentialArn !== undefined) && r.pull === undefined) {
    report(
      at("pull"),
      `is required with credentials (${upstream.name} pulls with the secret's account): list the fleets whose jobs may use it; left out, every fleet could`,
    );
  }
}

/**
 * Every repository of the stack's own registry against every rule in effect: a repository the stack
 * creates under a prefix would take the name the cache creates its repositories under; an existing
 * one there is the cache's own, which jobs may pull but must not push to (the next pull would serve
 * what a job pushed as the upstream's image).
 */
function checkRepositoriesOutsidePrefixes(c: RunnersShape, report: Report): void {
  const rules = effectivePullThroughRules(c);
  const ruleOver = (name: string) => rules.find(({ rule }) => isUnder(name, rule.prefix));
  const created: [Path, string][] = [
    [["ciImage", "repositoryName"], c.ciImage.repositoryName],
    ...c.repositories.flatMap((r, i): [Path, string][] => (r.name === undefined ? [] : [[["repositories", i, "name"], r.name]])),
  ];
  for (const [path, name] of created) {
    const over = ruleOver(name);
    if (over !== undefined)
      report(
        path,
        `"${name}" lies under the pull-through prefix "${over.rule.prefix}" of ${over.source}: the cache creates its repositories there, so the stack must not; choose a name outside it`,
      );
  }
  c.repositories.forEach((r, i) => {
    if (r.arn === undefined || r.push.length === 0) return;
    const location = parseEcrRepositoryArn(r.arn);
    // The prefixes are the stack's own registry's: another account's or region's repository is not under them.
    if (location === undefined || location.accountId !== c.aws.accountId || location.region !== c.aws.region) return;
    const over = ruleOver(location.name);
    if (over !== undefined)
      report(
        ["repositories", i, "push"],
        `gives push on ${location.name}, a pull-through cache repository (prefix "${over.rule.prefix}" of ${over.source}): a job could replace an upstream image every fleet pulls; leave push out`,
      );
  });
}
