import { Construct } from "constructs";
import { Lazy } from "cdktf";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow";
  readonly Action: readonly string[];
  readonly Resource: readonly string[];
}

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly PolicyStatement[];
}

/** IAM's limit for a managed policy document, counted without white space. */
export const MANAGED_POLICY_MAX_CHARS = 6144;

export interface RolePolicyProps {
  /** Name of the aws_iam_policy. */
  readonly policyName: string;
  /** Which role of the module this policy is for, e.g. "manager" or "workers" (for docs and errors). */
  readonly roleLabel: string;
}

/**
 * The permissions one role of the module receives, collected from grants (`repo.grantPull(policy)`)
 * and rendered into one `aws_iam_policy` whose document is literal JSON in cdk.tf.json, so reviewers
 * and tests read exactly what IAM will get. Statements are keyed by Sid: grants with the same Sid
 * share the statement's actions and add resources. Rendering is sorted, so output is deterministic.
 *
 * The module takes the policy through a `policy_arns` list, whose length is known at plan time.
 */
export class RolePolicy extends Construct {
  readonly policy: IamPolicy;
  readonly policyName: string;
  readonly roleLabel: string;
  private readonly statements = new Map<string, { actions: Set<string>; resources: Set<string> }>();

  constructor(scope: Construct, id: string, props: RolePolicyProps) {
    super(scope, id);
    this.roleLabel = props.roleLabel;
    this.policyName = props.policyName;
    this.policy = new IamPolicy(this, "policy", {
      name: props.policyName,
      description: `Least-privilege ECR and cache access of the GitLab runner ${props.roleLabel} role (generated)`,
      policy: Lazy.stringValue({ produce: () => JSON.stringify(this.document()) }),
    });
    this.node.addValidation({
      validate: () => {
        if (this.statements.size === 0) return [`${props.policyName}: no permission was granted; remove the policy or grant something`];
        const size = JSON.stringify(this.document()).length;
        return size > MANAGED_POLICY_MAX_CHARS
          ? [`${props.policyName}: policy document is ${size} characters; IAM allows ${MANAGED_POLICY_MAX_CHARS}. Grant fewer repositories to this fleet.`]
          : [];
      },
    });
  }

  /** ARN of the rendered policy, for a module `policy_arns` list. */
  get policyArn(): string {
    return this.policy.arn;
  }

  /** Allows `actions` on `resources` under statement `sid`. */
  allow(sid: string, actions: readonly string[], resources: readonly string[]): void {
    const statement = this.statements.get(sid);
    if (statement) {
      const known = [...statement.actions].sort().join(",");
      const given = [...actions].sort().join(",");
      if (known !== given) throw new Error(`statement ${sid} of ${this.node.path} was granted with different actions`);
      resources.forEach((r) => statement.resources.add(r));
    } else {
      this.statements.set(sid, { actions: new Set(actions), resources: new Set(resources) });
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
      }));
    return { Version: "2012-10-17", Statement };
  }
}
