import { IConstruct } from "constructs";

/**
 * One security rule, checked over the construct tree at synthesis (see SecurityRules). `check`
 * looks at one construct and returns a message per violation it finds there; most rules apply to
 * one kind of Terraform block and return [] for every other construct.
 */
export interface SecurityRule {
  /** Stable id used in messages, acknowledgements and the review report, e.g. "ecr-immutable-scanned". */
  readonly id: string;
  /** What the rule demands, one sentence. */
  readonly description: string;
  check(node: IConstruct): string[];
}
