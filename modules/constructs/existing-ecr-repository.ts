import { Construct } from "constructs";
import { ecrRegistryHost, parseEcrRepositoryArn } from "../aws/names";
import { IEcrRepository, grantEcrPull, grantEcrPullPush } from "../iam/ecr-actions";
import { RolePolicy } from "../iam/role-policy";

/**
 * An ECR repository the stack does not manage, referenced by ARN; it may live in another account or
 * region. The grants here give our roles the right to ask; a repository in another account must
 * also allow our roles in its own repository policy.
 */
export class ExistingEcrRepository extends Construct implements IEcrRepository {
  readonly repositoryName: string;
  readonly repositoryArn: string;
  readonly registryHost: string;
  readonly repositoryUrl: string;
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
    this.repositoryUrl = `${this.registryHost}/${location.name}`;
  }

  grantPull(policy: RolePolicy): void {
    grantEcrPull(policy, this.repositoryArn);
  }

  grantPullPush(policy: RolePolicy): void {
    grantEcrPullPush(policy, this.repositoryArn);
  }
}
