import { TerraformBlock } from "./terraform-block";

/**
 * One security rule, checked at synthesis on every construct that becomes a Terraform block (see
 * SecurityRules). `check` returns a message per violation in that block; most rules apply to one
 * kind of block and return [] for every other.
 */
export interface SecurityRule {
  /** Stable id used in messages, acknowledgements and the review report, e.g. "ecr-immutable-scanned". */
  readonly id: string;
  /** What the rule demands, one sentence. */
  readonly description: string;
  /** Whether a finding may be accepted with a reason. @default true */
  readonly acknowledgeable?: boolean;
  check(block: TerraformBlock): string[];
}
