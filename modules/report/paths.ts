/** "Paths between fleets": where one fleet's jobs can write what another fleet runs or reads. */
import { READ_WORDS, writtenWords } from "../model/read-kinds";
import type { ModelPath, ReviewModel } from "../model/review-model";

export function pathsSection(model: ReviewModel): string[] {
  const label = (id: string) => model.resources.find((r) => r.id === id)?.label ?? `\`${id}\``;
  const row = (p: ModelPath) =>
    `| \`${p.from}\` | ${label(p.resource)} | \`${p.to}\` | ${writtenWords(p.write)} | ${p.read.map((r) => READ_WORDS[r]).join("; ")} |`;
  return [
    "## Paths between fleets",
    "",
    "Where the jobs of one fleet can change what another fleet runs or reads: the writer's jobs hold a role that",
    "the tables below allow to write the resource, and the reader runs or pulls it. Computed from the evaluated",
    "policies and each fleet's default image and registry logins, not from the configuration's lists.",
    "",
    ...(model.paths.length === 0
      ? ["None: no fleet's jobs can write anything another fleet runs or reads."]
      : [
          "| from (writes) | resource | to (reads) | how it is written | how it is read |",
          "|---|---|---|---|---|",
          ...model.paths.map(row),
        ]),
    "",
  ];
}
