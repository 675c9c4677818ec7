import { TerraformBlock } from "./terraform-block";

const POLICY_RESOURCE_TYPES = ["aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy"];

export interface Statement {
  readonly sid: string;
  readonly effect: string;
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  /** NotAction / NotResource: allows everything but the list, which these rules treat as "*". */
  readonly negated: boolean;
}

/**
 * The statements of an IAM policy block (aws_iam_policy and the inline policy resources), or
 * undefined for any other construct. A document that is not literal JSON (it holds a Terraform
 * expression) yields `"not-literal"`: it cannot be checked before apply.
 */
export function policyStatements(block: TerraformBlock): Statement[] | "not-literal" | undefined {
  if (!POLICY_RESOURCE_TYPES.includes(block.resourceType ?? "")) return undefined;
  const text = block.attributes.policy;
  let doc: { Statement?: unknown };
  try {
    doc = JSON.parse(String(text));
  } catch {
    return "not-literal";
  }
  const list = (v: unknown): string[] => (v === undefined ? [] : [v].flat().map(String));
  return [doc.Statement ?? []].flat().map((s: any, i: number) => ({
    sid: typeof s.Sid === "string" ? s.Sid : `#${i}`,
    effect: String(s.Effect),
    actions: s.NotAction !== undefined ? ["*"] : list(s.Action),
    resources: s.NotResource !== undefined ? ["*"] : list(s.Resource),
    negated: s.NotAction !== undefined || s.NotResource !== undefined,
  }));
}

/** Whether an IAM action pattern (with * and ?) matches `action`, case-insensitively like IAM. */
export function actionMatches(pattern: string, action: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    "i",
  );
  return re.test(action);
}
