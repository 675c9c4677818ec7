import { IConstruct } from "constructs";
import { Aspects, IAspect, TerraformStack } from "cdktf";
import { SECURITY_RULES, SecurityRule } from ".";
import type { RuleId } from "./ids";
import { reasonProblems } from "./acknowledgement-reason";
import { readStackDocument } from "../model/stack-document";
import { terraformBlock } from "./terraform-block";

/**
 * A rule's violation at one construct, and the acknowledgement that accepts it, if any. A rule
 * whose check throws is a finding too: "the rule failed: <error>", never acknowledged.
 */
export interface RuleFinding {
  readonly path: string;
  /** A `RuleId`, or the id of a library user's own rule. */
  readonly ruleId: string;
  readonly message: string;
  readonly acknowledgement?: { readonly path: string; readonly reason: string };
}

const acknowledgements = new WeakMap<IConstruct, Map<string, string>>();

/**
 * What a library user's failed synthesis says instead of cdktf's advice to skip validation (which
 * would turn every rule off): how to accept one finding on purpose.
 */
export const LIBRARY_ACKNOWLEDGE_HINT =
  "Each line names a construct and a security rule. To accept a finding on purpose, acknowledge it with a reason: " +
  "acknowledgeRule(construct, ruleId, reason), or fleets[].acknowledge / repositories[].acknowledge in GitlabRunnerEcr's props. " +
  "The reason is listed in review.md. (skipValidation would turn every rule off.)";

/** Ends the line of a finding that no reason accepts (a rule with `acknowledgeable: false`, or a rule that threw). */
export const NOT_ACKNOWLEDGEABLE = "(not acknowledgeable: change what the finding names)";

/**
 * The advice after a failed synthesis's findings: `hint` (how to acknowledge), unless no finding
 * may be acknowledged, which would send the reader looking for a way that does not exist.
 */
export function acknowledgeAdvice(findings: string, hint: string): string {
  const lines = findings.split("\n").filter((l) => /^\s*\[/.test(l));
  const fixed = lines.filter((l) => l.endsWith(NOT_ACKNOWLEDGEABLE)).length;
  if (lines.length > 0 && fixed === lines.length)
    return "Each line names a construct and a security rule that cannot be acknowledged: change the stack so that the finding goes.";
  return fixed > 0 ? `${hint} A line marked "not acknowledgeable" must be fixed instead.` : hint;
}

/** A cdktf validation failure with its advice to skip validation replaced by LIBRARY_ACKNOWLEDGE_HINT; any other error as it was. */
export function withAcknowledgeHint(error: unknown): unknown {
  if (!(error instanceof Error) || !error.message.startsWith("Validation failed with the following errors:")) return error;
  const findings = error.message.split("\n\n")[0]!;
  return new Error(`${findings}\n\n${acknowledgeAdvice(findings, LIBRARY_ACKNOWLEDGE_HINT)}\n`);
}

/**
 * Accepts violations of `ruleId` at `construct` and every construct below it, for a written
 * reason. The violation no longer fails synthesis; it is listed, with the reason, in the review
 * report (like a cdk-nag suppression).
 */
export function acknowledgeRule(construct: IConstruct, ruleId: RuleId, reason: string): void {
  const rule = SECURITY_RULES.find((r) => r.id === ruleId);
  if (rule === undefined) {
    throw new Error(`${construct.node.path}: unknown rule "${ruleId}"; the rules are ${SECURITY_RULES.map((r) => r.id).join(", ")}`);
  }
  if (rule.acknowledgeable === false) throw new Error(`${construct.node.path}: ${ruleId} cannot be acknowledged`);
  const problems = reasonProblems(reason);
  if (problems.length > 0) throw new Error(`${construct.node.path}: acknowledging ${ruleId}: the reason ${problems.join("; it ")}`);
  const own = acknowledgements.get(construct) ?? new Map<string, string>();
  own.set(ruleId, reason.trim());
  acknowledgements.set(construct, own);
}

/** acknowledgeRule for each entry of a configuration's `acknowledge` (rule id -> reason). */
export function acknowledgeRules(construct: IConstruct, acknowledge: { readonly [id in RuleId]?: string }): void {
  for (const [ruleId, reason] of Object.entries(acknowledge) as [RuleId, string | undefined][]) {
    if (reason !== undefined) acknowledgeRule(construct, ruleId, reason);
  }
}

function acknowledgementFor(node: IConstruct, ruleId: string): RuleFinding["acknowledgement"] {
  for (const scope of [...node.node.scopes].reverse()) {
    const reason = acknowledgements.get(scope)?.get(ruleId);
    if (reason !== undefined) return { path: scope.node.path, reason };
  }
  return undefined;
}

/**
 * The security rules (this folder) as an Aspect over a construct tree. Each violation that is
 * not acknowledged becomes a validation error of the violating construct, so synthesis fails with
 * "[<construct path>] <rule id>: <what is wrong>" before anything is written. Every finding,
 * acknowledged ones included, stays available for the review report.
 */
export class SecurityRules implements IAspect {
  private readonly all: RuleFinding[] = [];
  private readonly visited = new WeakSet<IConstruct>();

  /**
   * The security rules of a stack: added to it on first use, so one call covers every construct in
   * it (GitlabRunnerEcr's and your own). GitlabRunnerEcr and GitlabRunnerStack call this themselves.
   */
  static of(stack: TerraformStack, rules: readonly SecurityRule<string>[] = SECURITY_RULES): SecurityRules {
    const existing = Aspects.of(stack).all.find((a): a is SecurityRules => a instanceof SecurityRules);
    if (existing) return existing;
    const aspect = new SecurityRules(rules);
    Aspects.of(stack).add(aspect);
    return aspect;
  }

  private constructor(private readonly rules: readonly SecurityRule<string>[]) {}

  visit(node: IConstruct): void {
    if (this.visited.has(node)) return;
    this.visited.add(node);
    if (node instanceof TerraformStack) {
      this.visitStack(node);
      return;
    }
    // Resolved once per construct, for all rules.
    const block = terraformBlock(node);
    if (block === undefined) return;
    for (const rule of this.rules) {
      if (rule.check === undefined) continue;
      const messages = this.guarded(node, rule, () => rule.check!(block));
      for (const message of messages) this.record(node, rule, message);
    }
  }

  /**
   * The stack-wide rules, on the stack's whole resolved document. Aspects visit the stack before
   * its children, when every construct exists; each finding is charged to the construct that wrote
   * the block at fault (or to the stack, for a block no construct of it wrote).
   */
  private visitStack(stack: TerraformStack): void {
    const rules = this.rules.filter((r) => r.checkStack !== undefined);
    if (rules.length === 0) return;
    const document = readStackDocument(stack.toTerraform());
    const byPath = new Map(stack.node.findAll().map((c) => [c.node.path, c] as const));
    for (const rule of rules) {
      const findings = this.guarded(stack, rule, () => rule.checkStack!(document));
      for (const { path, message } of findings) this.record(byPath.get(path) ?? stack, rule, message);
    }
  }

  /**
   * A rule's check, run so that a rule that throws fails synthesis with a finding for that rule and
   * construct (which no acknowledgement accepts: the check did not run) instead of a crash.
   */
  private guarded<T>(node: IConstruct, rule: SecurityRule<string>, check: () => readonly T[]): readonly T[] {
    try {
      return check();
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      this.record(node, rule, `the rule failed, so this construct is unchecked: ${error}`, false);
      return [];
    }
  }

  private record(node: IConstruct, rule: SecurityRule<string>, message: string, acknowledgeable = rule.acknowledgeable !== false): void {
    const acknowledgement = acknowledgeable ? acknowledgementFor(node, rule.id) : undefined;
    this.all.push({ path: node.node.path, ruleId: rule.id, message, acknowledgement });
    const line = `${rule.id}: ${message}${acknowledgeable ? "" : ` ${NOT_ACKNOWLEDGEABLE}`}`;
    if (!acknowledgement) node.node.addValidation({ validate: () => [line] });
  }

  /** Every finding so far, sorted by construct path and rule. */
  get findings(): readonly RuleFinding[] {
    return [...this.all].sort(
      (a, b) => a.path.localeCompare(b.path) || a.ruleId.localeCompare(b.ruleId) || a.message.localeCompare(b.message),
    );
  }
}
