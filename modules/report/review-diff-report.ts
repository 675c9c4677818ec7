/** review-diff.md: what a change grants or revokes, broadening first, in the reviewer's words. */
import type { ChangeClass, ReviewDiff } from "../model/review-diff";

const HEADINGS: Record<ChangeClass, string> = {
  broadening: "Broadening: more access, more trust",
  narrowing: "Narrowing: less access",
  neutral: "Neutral: versions and names",
};

/** One line: "2 broadening, 1 narrowing, 1 neutral" or "no change". */
export function diffSummary(diff: ReviewDiff): string {
  const { broadening, narrowing, neutral } = diff.counts;
  if (broadening + narrowing + neutral === 0) return `No change in access or trust between ${diff.base.label} and ${diff.head.label}.`;
  return `${broadening} broadening, ${narrowing} narrowing, ${neutral} neutral change(s) from ${diff.base.label} to ${diff.head.label}.`;
}

export function renderReviewDiff(diff: ReviewDiff): string {
  const lines = [`# Runner access changes: stack \`${diff.head.stack}\``, "", diffSummary(diff), ""];
  for (const cls of ["broadening", "narrowing", "neutral"] as const) {
    const changes = diff.changes.filter((c) => c.class === cls);
    if (changes.length === 0) continue;
    lines.push(`## ${HEADINGS[cls]} (${changes.length})`, "", ...changes.map((c) => `- ${c.text}`), "");
  }
  lines.push(
    "Computed from the two syntheses' review.json: effective permissions re-evaluated on the resources of both, not a text diff.",
    "",
  );
  return lines.join("\n");
}
