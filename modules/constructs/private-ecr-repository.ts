import { Construct } from "constructs";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { ecrRegistryHost, ecrRepositoryArn } from "../aws/names";
import { IEcrRepository, grantEcrPull, grantEcrPullPush } from "../iam/ecr-actions";
import { RolePolicy } from "../iam/role-policy";
import { terraformName } from "../support/terraform-names";

export interface PrivateEcrRepositoryProps {
  readonly repositoryName: string;
  readonly accountId: string;
  readonly region: string;
  /**
   * Tagged images to keep; older ones expire.
   * @default 30
   */
  readonly keepTaggedImages?: number;
  /**
   * Days after which an untagged image (a layer left by an overwritten build) expires.
   * @default 1
   */
  readonly untaggedExpiryDays?: number;
  /**
   * Encryption at rest: AES256 (S3-managed keys) or KMS (the AWS-managed ECR key).
   * @default "AES256"
   */
  readonly encryption?: "AES256" | "KMS";
}

/**
 * An ECR repository the stack creates, hardened: immutable tags (a tag always names the same
 * image, which is what a pinned runner image needs), scan on push, encryption at rest, and a
 * lifecycle policy so the repository does not grow without bound.
 */
export class PrivateEcrRepository extends Construct implements IEcrRepository {
  readonly repository: EcrRepository;
  readonly repositoryName: string;
  readonly repositoryArn: string;
  readonly registryHost: string;
  readonly repositoryUrl: string;

  constructor(scope: Construct, id: string, props: PrivateEcrRepositoryProps) {
    super(scope, id);
    const keepTagged = props.keepTaggedImages ?? 30;
    const untaggedDays = props.untaggedExpiryDays ?? 1;
    this.repositoryName = props.repositoryName;
    // Literal ARN and host (not references): readable in the plan, testable before apply.
    this.repositoryArn = ecrRepositoryArn(props.accountId, props.region, props.repositoryName);
    this.registryHost = ecrRegistryHost(props.accountId, props.region);
    this.repositoryUrl = `${this.registryHost}/${props.repositoryName}`;

    const address = terraformName(props.repositoryName);
    this.repository = new EcrRepository(this, "repository", {
      name: props.repositoryName,
      imageTagMutability: "IMMUTABLE",
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: [{ encryptionType: props.encryption ?? "AES256" }],
    });
    this.repository.overrideLogicalId(address);

    const lifecycle = new EcrLifecyclePolicy(this, "lifecycle", {
      repository: this.repository.name,
      policy: JSON.stringify({
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
      }),
    });
    lifecycle.overrideLogicalId(address);
  }

  grantPull(policy: RolePolicy): void {
    grantEcrPull(policy, this.repositoryArn);
  }

  grantPullPush(policy: RolePolicy): void {
    grantEcrPullPush(policy, this.repositoryArn);
  }
}
