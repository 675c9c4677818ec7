// How a fleet takes in what another fleet's jobs write, with the words review.md and
// review-diff.md use for it. No imports: the diff command reads it without the constructs.

export type ReadKind = "default-job-image" | "job-image" | "job-pull" | "build-cache" | "pull-through" | "cache-objects";

export const READ_WORDS: { readonly [K in ReadKind]: string } = {
  "default-job-image": "runs it as the default image of every job",
  "job-image": "may run it as a job image (`image:`)",
  "job-pull": "jobs may pull it (`FROM`, `docker pull`)",
  "build-cache": "jobs may pull it, build-cache tags included (`--cache-from`)",
  "pull-through": "pulls job images and services through it",
  "cache-objects": "restores its runner cache from it",
};

/** How a writer writes, in words. */
export function writtenWords(write: readonly string[]): string {
  return write
    .map((w) =>
      w === "ecr:BatchImportUpstreamImage"
        ? "makes ECR import any upstream image into it (the content is the upstream's)"
        : w === "signed-url:PUT"
          ? "uploads through URLs its manager signs, in a namespace every fleet shares"
          : `\`${w}\``,
    )
    .join("; ");
}
