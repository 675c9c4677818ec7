import { Construct } from "constructs";
import { EcrPullThroughCacheRule } from "@cdktf/provider-aws/lib/ecr-pull-through-cache-rule";
import { EcrRepositoryCreationTemplate } from "@cdktf/provider-aws/lib/ecr-repository-creation-template";
import { ecrRegistryHost, ecrRepositoryArn } from "../aws/names";
import { UPSTREAMS, UpstreamUrl } from "../aws/pull-through";
import { DEFAULTS } from "../config/defaults";
import { ECR_PULL_THROUGH_ACTIONS, grantEcrPull } from "../iam/ecr-actions";
import { Grantee, ManagedPolicy } from "../iam/managed-policy";
import { acknowledgeRule } from "../rules/aspect";
import { terraformName } from "../support/terraform-names";
import { ecrLifecyclePolicy } from "./ecr-repository";

export interface PullThroughCacheRuleProps {
  /** Repository prefix: upstream images are pulled as `<registry host>/<prefix>/<upstream path>`. */
  readonly prefix: string;
  readonly upstream: UpstreamUrl;
  /** ARN of the Secrets Manager secret (ecr-pullthroughcache/…) with the upstream's credentials. */
  readonly credentialArn?: string;
  readonly accountId: string;
  readonly region: string;
  /** Tagged images kept per cached repository. @default 30 */
  readonly keepTaggedImages?: number;
}

/**
 * An ECR pull-through cache rule, and the creation template for the repositories it creates on
 * first pull: encrypted, with a lifecycle policy, and mutable tags, since a cached tag follows its
 * upstream (docker:29-dind is rebuilt in place) and ECR refreshes a cached tag only in a mutable
 * repository. Whoever pulls through it needs pull rights and ecr:BatchImportUpstreamImage under
 * the prefix, and ecr:CreateRepository for the first pull of an image (ECR User Guide,
 * pull-through-cache-iam.html): grantPull gives exactly that, on `<prefix>/*` only.
 */
export class PullThroughCacheRule extends Construct {
  readonly prefix: string;
  readonly upstream: UpstreamUrl;
  readonly credentialArn?: string;
  readonly registryHost: string;
  /** Every repository the rule may create: `arn:…:repository/<prefix>/*`. */
  readonly repositoryArnPattern: string;
  readonly rule: EcrPullThroughCacheRule;
  readonly template: EcrRepositoryCreationTemplate;

  constructor(scope: Construct, id: string, props: PullThroughCacheRuleProps) {
    super(scope, id);
    this.prefix = props.prefix;
    this.upstream = props.upstream;
    this.credentialArn = props.credentialArn;
    this.registryHost = ecrRegistryHost(props.accountId, props.region);
    this.repositoryArnPattern = ecrRepositoryArn(props.accountId, props.region, `${props.prefix}/*`);
    const address = terraformName(props.prefix);
    const keepTagged = props.keepTaggedImages ?? DEFAULTS.ciImage.keepTaggedImages;

    this.rule = new EcrPullThroughCacheRule(this, "rule", {
      ecrRepositoryPrefix: props.prefix,
      upstreamRegistryUrl: props.upstream,
      ...(props.credentialArn !== undefined ? { credentialArn: props.credentialArn } : {}),
    });
    this.rule.overrideLogicalId(address);

    this.template = new EcrRepositoryCreationTemplate(this, "template", {
      prefix: props.prefix,
      appliedFor: ["PULL_THROUGH_CACHE"],
      description: `Repositories the pull-through cache creates for ${UPSTREAMS[props.upstream].name} (generated)`,
      imageTagMutability: "MUTABLE",
      encryptionConfiguration: [{ encryptionType: "AES256" }],
      lifecyclePolicy: ecrLifecyclePolicy(1, keepTagged),
    });
    this.template.overrideLogicalId(address);
    acknowledgeRule(
      this.template,
      "ecr-immutable-scanned",
      "A pull-through cache follows its upstream's tags, which move; ECR refreshes a cached tag only in a mutable repository",
    );
  }

  /** `<registry host>/<prefix>/<upstream path>:<tag>`, e.g. imageUri("docker/library/docker:29.8.1-dind"). */
  imageUri(upstreamImage: string): string {
    return `${this.registryHost}/${this.prefix}/${upstreamImage}`;
  }

  /** Pull through the cache: pull, import from the upstream and create the cached repository, under the prefix only. */
  grantPull(grantee: Grantee): void {
    grantEcrPull(grantee, this.repositoryArnPattern);
    ManagedPolicy.of(grantee).allow("EcrPullThroughCache", ECR_PULL_THROUGH_ACTIONS, [this.repositoryArnPattern]);
  }
}
