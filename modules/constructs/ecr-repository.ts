import { Construct } from "constructs";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { ecrRegistryHost, ecrRepositoryArn, parseEcrRepositoryArn } from "../aws/names";
import { DEFAULTS } from "../config/defaults";
import { grantEcrPull, grantEcrPullPush } from "../iam/ecr-actions";
import { Grantee } from "../iam/managed-policy";
import { acknowledgeRule } from "../rules/aspect";
import { terraformName } from "../support/terraform-names";

/** An ECR repository, created by the stack or referenced by ARN. */
export interface IEcrRepository {
  readonly repositoryName: string;
  readonly repositoryArn: string;
  /** Registry host, e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com. */
  readonly registryHost: string;
  /** `<registryHost>/<repositoryName>`, what `docker pull` takes before the tag. */
  readonly repositoryUrl: string;
  /** `<repositoryUrl>:<tag>`, or `<repositoryUrl>@sha256:…` for a digest. */
  imageUri(tagOrDigest: string): string;
  /** Lets the grantee (a fleet's policy, or an IAM role of yours) pull images. */
  grantPull(grantee: Grantee): void;
  /** Lets the grantee pull and push images. */
  grantPullPush(grantee: Grantee): void;
}

/**
 * The lifecycle of every repository the stack creates or has ECR create: untagged images (layers of
 * an overwritten build, an old cache manifest) expire after `untaggedDays`; only the `keepTagged`
 * newest tagged images stay, so no repository grows without bound.
 */
export function ecrLifecyclePolicy(untaggedDays: number, keepTagged: number): string {
  return JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: `Expire untagged images after ${untaggedDays} day(s)`,
        selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: untaggedDays },
        action: { type: "expire" },
      },
      {
        rulePriority: 2,
        description: `Keep the ${keepTagged} most recent tagged images`,
        selection: { tagStatus: "tagged", tagPatternList: ["*"], countType: "imageCountMoreThan", countNumber: keepTagged },
        action: { type: "expire" },
      },
    ],
  });
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** What created and existing repositories share: names, image references and grants. */
abstract class EcrRepositoryBase extends Construct implements IEcrRepository {
  abstract readonly repositoryName: string;
  abstract readonly repositoryArn: string;
  abstract readonly registryHost: string;

  get repositoryUrl(): string {
    return `${this.registryHost}/${this.repositoryName}`;
  }

  imageUri(tagOrDigest: string): string {
    if (DIGEST.test(tagOrDigest)) return `${this.repositoryUrl}@${tagOrDigest}`;
    if (TAG.test(tagOrDigest)) return `${this.repositoryUrl}:${tagOrDigest}`;
    throw new Error(`${this.node.path}: "${tagOrDigest}" is neither a Docker tag nor a sha256: digest`);
  }

  grantPull(grantee: Grantee): void {
    grantEcrPull(grantee, this.repositoryArn);
  }

  grantPullPush(grantee: Grantee): void {
    grantEcrPullPush(grantee, this.repositoryArn);
  }
}

export interface PrivateEcrRepositoryProps {
  readonly repositoryName: string;
  readonly accountId: string;
  readonly region: string;
  /** Tagged images to keep; older ones expire. @default 30 */
  readonly keepTaggedImages?: number;
  /** Days after which an untagged image (a layer left by an overwritten build) expires. @default 1 */
  readonly untaggedExpiryDays?: number;
  /** Encryption at rest: AES256 (S3-managed keys) or KMS (the AWS-managed ECR key). @default "AES256" */
  readonly encryption?: "AES256" | "KMS";
  /** Lets `destroy` delete the repository with its images. @default false */
  readonly forceDelete?: boolean;
  /**
   * Tags (ECR wildcard filters) that stay mutable while every other tag is immutable: a BuildKit
   * registry cache (`buildcache*`) moves with each build. @default none
   */
  readonly mutableTags?: readonly string[];
}

/**
 * An ECR repository the stack creates, hardened: immutable tags (a tag always names the same
 * image, which is what a pinned runner image needs), scan on push, encryption at rest, and a
 * lifecycle policy so the repository does not grow without bound.
 */
export class PrivateEcrRepository extends EcrRepositoryBase {
  /** A repository the stack does not manage, by ARN (any account or region of the partition). */
  static fromRepositoryArn(scope: Construct, id: string, repositoryArn: string): IEcrRepository {
    return new ExistingEcrRepository(scope, id, repositoryArn);
  }

  readonly repository: EcrRepository;
  readonly repositoryName: string;
  readonly repositoryArn: string;
  readonly registryHost: string;

  constructor(scope: Construct, id: string, props: PrivateEcrRepositoryProps) {
    super(scope, id);
    const keepTagged = props.keepTaggedImages ?? DEFAULTS.ciImage.keepTaggedImages;
    const untaggedDays = props.untaggedExpiryDays ?? DEFAULTS.ciImage.untaggedExpiryDays;
    this.repositoryName = props.repositoryName;
    // Literal ARN and host (not references): readable in the plan, testable before apply.
    this.repositoryArn = ecrRepositoryArn(props.accountId, props.region, props.repositoryName);
    this.registryHost = ecrRegistryHost(props.accountId, props.region);

    const address = terraformName(props.repositoryName);
    const mutableTags = props.mutableTags ?? [];
    this.repository = new EcrRepository(this, "repository", {
      name: props.repositoryName,
      ...(mutableTags.length === 0
        ? { imageTagMutability: "IMMUTABLE" }
        : {
            imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
            imageTagMutabilityExclusionFilter: mutableTags.map((filter) => ({ filter, filterType: "WILDCARD" })),
          }),
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: [{ encryptionType: props.encryption ?? DEFAULTS.ciImage.encryption }],
      ...(props.forceDelete === true ? { forceDelete: true } : {}),
    });
    this.repository.overrideLogicalId(address);
    if (mutableTags.length > 0) {
      acknowledgeRule(
        this.repository,
        "ecr-immutable-scanned",
        `Build cache tags (${mutableTags.join(", ")}) move with each build; release tags stay immutable`,
      );
    }

    const lifecycle = new EcrLifecyclePolicy(this, "lifecycle", {
      repository: this.repository.name,
      policy: ecrLifecyclePolicy(untaggedDays, keepTagged),
    });
    lifecycle.overrideLogicalId(address);
  }
}

/**
 * An ECR repository the stack does not manage, referenced by ARN; it may live in another account or
 * region. The grants give our roles the right to ask; a repository in another account must also
 * allow our roles in its own repository policy.
 */
export class ExistingEcrRepository extends EcrRepositoryBase {
  readonly repositoryName: string;
  readonly repositoryArn: string;
  readonly registryHost: string;
  readonly accountId: string;
  readonly region: string;

  constructor(scope: Construct, id: string, repositoryArn: string) {
    super(scope, id);
    const location = parseEcrRepositoryArn(repositoryArn);
    if (!location) throw new Error(`${this.node.path}: "${repositoryArn}" is not an ECR repository ARN`);
    this.repositoryArn = repositoryArn;
    this.repositoryName = location.name;
    this.accountId = location.accountId;
    this.region = location.region;
    this.registryHost = ecrRegistryHost(location.accountId, location.region);
  }
}
