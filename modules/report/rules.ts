/** The security rules and every acknowledged exception with its reason. */
import type { ReviewModel } from "../model/review-model";

export function rulesSection(model: ReviewModel): string[] {
  const acknowledged = model.findings.filter((f) => f.acknowledgement !== undefined);
  return [
    "## Security rules",
    "",
    "Checked over the construct tree at every synthesis; a violation fails synthesis unless acknowledged.",
    "",
    "| rule | demands | acknowledged exceptions |",
    "|---|---|:-:|",
    ...model.rules.map((r) => `| \`${r.id}\` | ${r.description} | ${acknowledged.filter((f) => f.rule === r.id).length} |`),
    "",
    "### Acknowledged exceptions",
    "",
    ...(acknowledged.length === 0
      ? ["None."]
      : [
          "| construct | rule | finding | reason (acknowledged at) |",
          "|---|---|---|---|",
          ...acknowledged.map(
            (f) => `| \`${f.path}\` | \`${f.rule}\` | ${f.message} | ${f.acknowledgement!.reason} (\`${f.acknowledgement!.path}\`) |`,
          ),
        ]),
    "",
  ];
}
