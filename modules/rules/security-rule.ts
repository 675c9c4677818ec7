import type { StackDocument } from "../model/stack-document";
import { TerraformBlock } from "./terraform-block";
import type { RuleId } from "./ids";

/** A finding of a stack-wide rule: the construct at fault (its path) and what is wrong. */
export interface StackFinding {
  readonly path: string;
  readonly message: string;
}

/**
 * One security rule, checked at synthesis (see SecurityRules). A rule checks one block at a time
 * (`check`: a message per violation in that block; most rules apply to one kind of block and return
 * [] for every other), or the whole synthesized document at once (`checkStack`: for invariants
 * that span blocks, such as which roles may write which repositories).
 *
 * The project's rules have a `RuleId` (ids.ts); a library user's own rules, passed to
 * `SecurityRules.of(stack, rules)`, may have any id (`SecurityRule<string>`).
 */
export interface SecurityRule<Id extends string = RuleId> {
  /** Stable id used in messages, acknowledgements and the review report, e.g. "ecr-immutable-scanned". */
  readonly id: Id;
  /** What the rule demands, one sentence. */
  readonly description: string;
  /** Whether a finding may be accepted with a reason. @default true */
  readonly acknowledgeable?: boolean;
  check?(block: TerraformBlock): string[];
  checkStack?(stack: StackDocument): StackFinding[];
}
