/**
 * A fleet's runner registered by the stack: a gitlab_user_runner with the GitLab settings the
 * fleet's grants assume (protected refs only for a fleet that may push, its tags, no untagged jobs),
 * and the SSM SecureString parameter the module reads the runner token from, its value a reference
 * to the runner's token (the token exists only in GitLab, the state and SSM; never in the document).
 */
import { Construct } from "constructs";
import { TerraformProvider, TerraformStack, Token } from "cdktf";
import { GitlabProvider } from "@cdktf/provider-gitlab/lib/provider";
import { UserRunner, UserRunnerConfig } from "@cdktf/provider-gitlab/lib/user-runner";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { terraformName } from "../support/terraform-names";

export type GitlabRunnerScope = "instance" | "group" | "project";

export interface GitlabRegistrationProps {
  readonly scope: GitlabRunnerScope;
  /** The group's or project's numeric id; none for an instance runner. */
  readonly id?: number;
  /** Only jobs of protected branches and tags (access_level ref_protected). */
  readonly protected: boolean;
  readonly tags: readonly string[];
  readonly runUntagged: boolean;
  /** The runner's description in GitLab's runner list. */
  readonly description: string;
  /** Name of the SSM SecureString parameter the stack creates for the token. */
  readonly tokenParameterName: string;
}

/**
 * Whether the GitLab binding is built on the same CDK as this library: @cdktf/provider-gitlab is
 * a cdktf 0.21 binding, so under CDK Terrain (or beside a second copy of cdktf) its provider
 * would be another library's class, which the stack cannot synthesize.
 */
export function gitlabBindingSharesCdk(provider: abstract new (...args: never[]) => unknown = GitlabProvider): boolean {
  return provider.prototype instanceof TerraformProvider;
}

/** gitlab_user_runner's runner_type per scope. */
export const RUNNER_TYPES: Record<GitlabRunnerScope, string> = {
  instance: "instance_type",
  group: "group_type",
  project: "project_type",
};

/** The runner's settings as gitlab_user_runner takes them (type-checked against the provider binding). */
export function userRunnerConfig(props: GitlabRegistrationProps): UserRunnerConfig {
  return {
    runnerType: RUNNER_TYPES[props.scope],
    ...(props.scope === "group" ? { groupId: props.id } : {}),
    ...(props.scope === "project" ? { projectId: props.id } : {}),
    accessLevel: props.protected ? "ref_protected" : "not_protected",
    tagList: [...props.tags],
    untagged: props.runUntagged,
    description: props.description,
  };
}

/**
 * The stack's GitLab provider: base URL from the configuration, the token from GITLAB_TOKEN in the
 * environment of whoever runs Terraform (the provider reads it itself; the document holds none).
 */
export function gitlabProvider(scope: Construct, gitlabUrl: string): GitlabProvider {
  const stack = TerraformStack.of(scope);
  const existing = stack.node.findAll().find((c): c is GitlabProvider => c instanceof GitlabProvider);
  if (existing !== undefined) return existing;
  // The provider's client adds api/v4/ to a base URL without it; a literal gets it written out.
  const baseUrl = Token.isUnresolved(gitlabUrl) ? gitlabUrl : `${gitlabUrl.replace(/\/+$/, "")}/api/v4/`;
  return new GitlabProvider(scope, "gitlab-provider", { baseUrl });
}

export class GitlabRegistration extends Construct {
  readonly runner: UserRunner;
  readonly tokenParameter: SsmParameter;

  constructor(
    scope: Construct,
    id: string,
    props: GitlabRegistrationProps & { readonly gitlabUrl: string; readonly logicalIdPrefix: string },
  ) {
    super(scope, id);
    // The stack's one (default) GitLab provider: Terraform picks it by the resource type's prefix.
    gitlabProvider(scope, props.gitlabUrl);
    this.runner = new UserRunner(this, "runner", userRunnerConfig(props));
    // Addresses from the fleet's name (before any reference to them is taken): gitlab_user_runner.<fleet>, aws_ssm_parameter.<fleet>_runner_token.
    this.runner.overrideLogicalId(terraformName(props.logicalIdPrefix));
    this.tokenParameter = new SsmParameter(this, "token", {
      name: props.tokenParameterName,
      type: "SecureString",
      value: this.runner.token,
      description: `Runner authentication token of ${props.description}, written by Terraform from gitlab_user_runner`,
    });
    this.tokenParameter.overrideLogicalId(terraformName(props.logicalIdPrefix, "runner_token"));
  }
}
