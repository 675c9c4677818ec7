import { Construct } from "constructs";
import { Lazy } from "cdktf";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";

/** A statement's condition block: operator → key → value(s). */
export type PolicyCondition = Readonly<Record<string, Readonly<Record<string, string>>>>;

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow";
  readonly Action: readonly string[];
  readonly Resource: readonly string[];
  readonly Condition?: PolicyCondition;
}

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly PolicyStatement[];
}

/** IAM's limit for a managed policy document, counted without white space. */
export const MANAGED_POLICY_MAX_CHARS = 6144;

/** What a grant (`repository.grantPull(grantee)`) adds its permissions to. */
export interface IGrantee {
  /**
   * Allows `actions` on `resources` under statement `sid`, when `condition` holds; grants with the
   * same Sid share a statement (and must give the same actions and condition).
   */
  allow(sid: string, actions: readonly string[], resources: readonly string[], condition?: PolicyCondition): void;
}

/** A grantee: a policy that collects grants, or an IAM role of your own (which then gets one). */
export type Grantee = IGrantee | IamRole;

export interface ManagedPolicyProps {
  /** Name of the aws_iam_policy. Terraform picks a unique name when left out. */
  readonly policyName?: string;
  /** Whose permissions these are, e.g. "manager" or "workers" (for the description and messages). */
  readonly roleLabel: string;
  /** @default "Least-privilege ECR and cache access of the GitLab runner <roleLabel> role (generated)" */
  readonly description?: string;
}

const rolePolicies = new WeakMap<IamRole, ManagedPolicy>();

/**
 * An `aws_iam_policy` whose permissions are collected from grants (`repo.grantPull(policy)`) and
 * rendered as literal JSON in cdk.tf.json, so reviewers and tests read exactly what IAM will get.
 * Statements are keyed by Sid and rendered sorted, so output is deterministic. Synthesis fails for
 * a policy without statements or over IAM's size limit.
 */
export class ManagedPolicy extends Construct implements IGrantee {
  /** The policy that `role` gets its grants through: created, and attached to it, on first use. */
  static forRole(role: IamRole): ManagedPolicy {
    let policy = rolePolicies.get(role);
    if (policy === undefined) {
      policy = new ManagedPolicy(role, "granted-by-gitlab-runner-ecr", {
        roleLabel: role.node.path,
        description: "Least-privilege access granted by gitlab-runner-ecr constructs (generated)",
      });
      new IamRolePolicyAttachment(role, "granted-by-gitlab-runner-ecr-attachment", { role: role.name, policyArn: policy.policyArn });
      rolePolicies.set(role, policy);
    }
    return policy;
  }

  /** The IGrantee of a grantee: the policy itself, or a role's policy. */
  static of(grantee: Grantee): IGrantee {
    return grantee instanceof IamRole ? ManagedPolicy.forRole(grantee) : grantee;
  }

  readonly policy: IamPolicy;
  readonly policyName?: string;
  readonly roleLabel: string;
  private readonly statements = new Map<string, { actions: Set<string>; resources: Set<string>; condition?: PolicyCondition }>();

  constructor(scope: Construct, id: string, props: ManagedPolicyProps) {
    super(scope, id);
    this.roleLabel = props.roleLabel;
    this.policyName = props.policyName;
    this.policy = new IamPolicy(this, "policy", {
      name: props.policyName,
      description: props.description ?? `Least-privilege ECR and cache access of the GitLab runner ${props.roleLabel} role (generated)`,
      policy: Lazy.stringValue({ produce: () => JSON.stringify(this.document()) }),
    });
    const label = props.policyName ?? this.node.path;
    this.node.addValidation({
      validate: () => {
        if (this.statements.size === 0) return [`${label}: no permission was granted; remove the policy or grant something`];
        const size = JSON.stringify(this.document()).length;
        return size > MANAGED_POLICY_MAX_CHARS
          ? [
              `${label}: policy document is ${size} characters; IAM allows ${MANAGED_POLICY_MAX_CHARS}. Grant fewer repositories to this fleet.`,
            ]
          : [];
      },
    });
  }

  /** ARN of the rendered policy, for a module `policy_arns` list. */
  get policyArn(): string {
    return this.policy.arn;
  }

  allow(sid: string, actions: readonly string[], resources: readonly string[], condition?: PolicyCondition): void {
    const statement = this.statements.get(sid);
    if (statement) {
      const known = [...statement.actions].sort().join(",");
      const given = [...actions].sort().join(",");
      if (known !== given) throw new Error(`statement ${sid} of ${this.node.path} was granted with different actions`);
      if (JSON.stringify(statement.condition) !== JSON.stringify(condition))
        throw new Error(`statement ${sid} of ${this.node.path} was granted with a different condition`);
      resources.forEach((r) => statement.resources.add(r));
    } else {
      this.statements.set(sid, { actions: new Set(actions), resources: new Set(resources), ...(condition ? { condition } : {}) });
    }
  }

  /** The policy document as IAM will receive it. */
  document(): PolicyDocument {
    const Statement = [...this.statements.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([Sid, s]): PolicyStatement => ({
        Sid,
        Effect: "Allow",
        Action: [...s.actions].sort(),
        Resource: [...s.resources].sort(),
        ...(s.condition ? { Condition: s.condition } : {}),
      }));
    return { Version: "2012-10-17", Statement };
  }
}
