/** The security rules and every acknowledged exception with its reason. */
import { SECURITY_RULES } from "../rules";
import type { RuleFinding } from "../rules/aspect";

export function rulesSection(findings: readonly RuleFinding[]): string[] {
  const acknowledged = findings.filter((f) => f.acknowledgement !== undefined);
  return [
    "## Security rules",
    "",
    "Checked over the construct tree at every synthesis; a violation fails synthesis unless acknowledged.",
    "",
    "| rule | demands | acknowledged exceptions |",
    "|---|---|:-:|",
    ...SECURITY_RULES.map((r) => `| \`${r.id}\` | ${r.description} | ${acknowledged.filter((f) => f.ruleId === r.id).length} |`),
    "",
    "### Acknowledged exceptions",
    "",
    ...(acknowledged.length === 0
      ? ["None."]
      : [
          "| construct | rule | finding | reason (acknowledged at) |",
          "|---|---|---|---|",
          ...acknowledged.map(
            (f) => `| \`${f.path}\` | \`${f.ruleId}\` | ${f.message} | ${f.acknowledgement!.reason} (\`${f.acknowledgement!.path}\`) |`,
          ),
        ]),
    "",
  ];
}
