/**
 * Rules for the values that may be left to Terraform input variables. Each rule is written once
 * and rendered twice: as a zod schema (checked at synthesis) and as Terraform `validation` blocks
 * (checked at plan), with the same conditions and the same messages. Patterns must therefore mean
 * the same in JavaScript and in RE2, Terraform's regex engine: anchors, classes, groups and counted
 * repetition under 1000 only.
 */
import { z } from "zod";

export interface PatternCheck {
  readonly pattern: RegExp;
  /** Completes "<field> ...", e.g. "must be a VPC id such as vpc-0123456789abcdef0". */
  readonly message: string;
}

export interface TextRule {
  readonly kind: "text";
  readonly checks: readonly PatternCheck[];
  readonly maxLength?: number;
}

export interface TextListRule {
  readonly kind: "text-list";
  readonly item: TextRule;
  readonly minItems: number;
  readonly minItemsMessage: string;
}

export interface WholeNumberRule {
  readonly kind: "whole-number";
  readonly min: number;
  readonly max: number;
}

export type ValueRule = TextRule | TextListRule | WholeNumberRule;

export const VPC_ID: TextRule = {
  kind: "text",
  checks: [{ pattern: /^vpc-([0-9a-f]{8}|[0-9a-f]{17})$/, message: "must be a VPC id such as vpc-0123456789abcdef0" }],
};

export const SUBNET_ID: TextRule = {
  kind: "text",
  checks: [{ pattern: /^subnet-([0-9a-f]{8}|[0-9a-f]{17})$/, message: "must be a subnet id such as subnet-0123456789abcdef0" }],
};

export const SUBNET_IDS: TextListRule = {
  kind: "text-list",
  item: SUBNET_ID,
  minItems: 1,
  minItemsMessage: "needs at least one subnet",
};

export const GITLAB_URL: TextRule = {
  kind: "text",
  checks: [
    { pattern: /^https:\/\//, message: "must use https:// (the runner token travels over this connection)" },
    {
      // Host, optional port, optional path: no user:password@, ?query or #fragment, and none of
      // $ ` \ " ' { } or white space, since the module writes the URL into config.toml through an
      // unquoted shell heredoc on the manager (template/gitlab-runner.tftpl) at boot.
      pattern: /^[a-z]+:\/\/[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?(\/[A-Za-z0-9._~%\/-]*)?$/,
      message:
        "must be a plain URL such as https://gitlab.example.com: a host, an optional port and a path of letters, digits and . _ ~ % - / only " +
        "(no credentials, query, fragment, quotes, $, backslash or spaces: it goes into a shell script on the manager at boot)",
    },
  ],
};

export const SSM_PARAMETER_NAME: TextRule = {
  kind: "text",
  checks: [
    { pattern: /^[a-zA-Z0-9_.\-/]+$/, message: "must be an SSM parameter name (letters, digits, _ . - /)" },
    {
      // SSM takes a name with / only fully qualified, while IAM's ARN drops the leading / (so
      // "a/b" and "/a/b" would read as one parameter in the grants); 15 levels at most.
      pattern: /^([a-zA-Z0-9_.-]+|(\/[a-zA-Z0-9_.-]+){1,15})$/,
      message: "must be a name without / (runner-token) or a path that starts with / (/team/runner-token): at most 15 levels, none empty",
    },
  ],
  maxLength: 2048,
};

export const INSTANCE_TYPE: TextRule = {
  kind: "text",
  checks: [{ pattern: /^[a-z][a-z0-9-]*\.[a-z0-9]+$/, message: "must be an EC2 instance type such as t3.medium" }],
};

export const INSTANCE_TYPES: TextListRule = {
  kind: "text-list",
  item: INSTANCE_TYPE,
  minItems: 1,
  minItemsMessage: "needs at least one instance type",
};

export const MAX_CONCURRENT_JOBS: WholeNumberRule = { kind: "whole-number", min: 1, max: 1000 };
export const MAX_WORKER_INSTANCES: WholeNumberRule = { kind: "whole-number", min: 1, max: 500 };

function wholeNumberMessage(rule: WholeNumberRule): string {
  return `must be a whole number from ${rule.min} to ${rule.max}`;
}

function maxLengthMessage(max: number): string {
  return `must be at most ${max} characters`;
}

/** The Terraform type of a variable that holds a value of this rule. */
export function terraformType(rule: ValueRule): string {
  return rule.kind === "text" ? "string" : rule.kind === "text-list" ? "list(string)" : "number";
}

/** The zod schema enforcing the rule. */
export function zodSchema(rule: TextRule): z.ZodString;
export function zodSchema(rule: TextListRule): z.ZodArray<z.ZodString>;
export function zodSchema(rule: WholeNumberRule): z.ZodNumber;
export function zodSchema(rule: ValueRule): z.ZodString | z.ZodArray<z.ZodString> | z.ZodNumber {
  switch (rule.kind) {
    case "text": {
      let s = z.string();
      for (const check of rule.checks) s = s.regex(check.pattern, check.message);
      return rule.maxLength === undefined ? s : s.max(rule.maxLength, maxLengthMessage(rule.maxLength));
    }
    case "text-list":
      return z.array(zodSchema(rule.item)).min(rule.minItems, rule.minItemsMessage);
    case "whole-number": {
      const message = wholeNumberMessage(rule);
      return z.number().int(message).min(rule.min, message).max(rule.max, message);
    }
  }
}

export interface TerraformValidation {
  readonly condition: string;
  readonly errorMessage: string;
}

/** An HCL string literal of `text` (JSON's escapes are also HCL's for these characters). */
function hclString(text: string): string {
  return JSON.stringify(text);
}

function textConditions(rule: TextRule, value: string): { condition: string; message: string }[] {
  return [
    ...rule.checks.map((c) => ({ condition: `can(regex(${hclString(c.pattern.source)}, ${value}))`, message: c.message })),
    ...(rule.maxLength === undefined
      ? []
      : [{ condition: `length(${value}) <= ${rule.maxLength}`, message: maxLengthMessage(rule.maxLength) }]),
  ];
}

/**
 * The validation blocks of a variable holding a value of this rule. `subject` names what failed in
 * the message, e.g. "var.vpc_id (network.vpcId)".
 */
export function terraformValidations(rule: ValueRule, variable: string, subject: string): TerraformValidation[] {
  const v = `var.${variable}`;
  const sentence = (message: string) => `${subject} ${message}.`;
  switch (rule.kind) {
    case "text":
      return textConditions(rule, v).map((c) => ({ condition: `\${${c.condition}}`, errorMessage: sentence(c.message) }));
    case "text-list":
      return [
        { condition: `\${length(${v}) >= ${rule.minItems}}`, errorMessage: sentence(rule.minItemsMessage) },
        ...textConditions(rule.item, "item").map((c) => ({
          condition: `\${alltrue([for item in ${v} : ${c.condition}])}`,
          errorMessage: `${subject}: every item ${c.message}.`,
        })),
      ];
    case "whole-number":
      return [
        {
          condition: `\${${v} == floor(${v}) && ${v} >= ${rule.min} && ${v} <= ${rule.max}}`,
          errorMessage: sentence(wholeNumberMessage(rule)),
        },
      ];
  }
}
