/** "Paths between fleets": where one fleet's jobs can write what another fleet runs or reads. */
import type { ModelPath, ReadKind, ReviewModel } from "../model/review-model";

const READ: { readonly [K in ReadKind]: string } = {
  "default-job-image": "runs it as the default image of every job",
  "job-image": "may run it as a job image (`image:`)",
  "job-pull": "jobs may pull it (`FROM`, `docker pull`)",
  "build-cache": "jobs may pull it, build-cache tags included (`--cache-from`)",
  "pull-through": "pulls job images and services through it",
  "cache-objects": "restores its runner cache from it",
};

function written(write: readonly string[]): string {
  return write
    .map((w) =>
      w === "ecr:BatchImportUpstreamImage"
        ? "makes ECR import any upstream image into it (the content is the upstream's)"
        : w === "signed-url:PUT"
          ? "uploads through URLs its manager signs (a namespace shared by every fleet)"
          : `\`${w}\``,
    )
    .join("; ");
}

export function pathsSection(model: ReviewModel): string[] {
  const label = (id: string) => model.resources.find((r) => r.id === id)?.label ?? `\`${id}\``;
  const row = (p: ModelPath) =>
    `| \`${p.from}\` | ${label(p.resource)} | \`${p.to}\` | ${written(p.write)} | ${p.read.map((r) => READ[r]).join("; ")} |`;
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
