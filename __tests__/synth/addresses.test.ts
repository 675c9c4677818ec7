// Terraform addresses come from names, never from list positions: a reorder or an added fleet or
// repository must not rename (destroy and re-create) anything already deployed.
import { DEFAULT_CONFIG } from "../../modules/app/default-config";
import { TerraformJson, configWith, synth } from "../support/helpers";

function addresses(json: TerraformJson): string[] {
  return [
    ...Object.entries(json.resource).flatMap(([type, blocks]) => Object.keys(blocks).map((name) => `${type}.${name}`)),
    ...Object.keys(json.module).map((name) => `module.${name}`),
  ].sort();
}

test("the default configuration's addresses are pinned", () => {
  expect(addresses(synth().json)).toEqual(
    [
      "aws_ecr_lifecycle_policy.apps_example-app",
      "aws_ecr_pull_through_cache_rule.ecr-public",
      "aws_ecr_repository_creation_template.ecr-public",
      "aws_ecr_lifecycle_policy.ci_docker-ecr",
      "aws_ecr_repository.apps_example-app",
      "aws_ecr_repository.ci_docker-ecr",
      "aws_iam_policy.autoscaler_manager",
      "aws_iam_policy.autoscaler_workers",
      "aws_iam_policy.merge-requests_manager",
      "aws_iam_policy.merge-requests_workers",
      "aws_s3_bucket.cache",
      "aws_s3_bucket_lifecycle_configuration.cache",
      "aws_s3_bucket_ownership_controls.cache",
      "aws_s3_bucket_policy.cache",
      "aws_s3_bucket_public_access_block.cache",
      "aws_s3_bucket_server_side_encryption_configuration.cache",
      "module.runner_autoscaler",
      "module.runner_merge-requests",
    ].sort(),
  );
});

test("reordering fleets and repositories, and adding one of each, leaves existing blocks unchanged", () => {
  const before = synth().json;
  const [autoscaler, mergeRequests] = DEFAULT_CONFIG.fleets;
  const after = synth(
    configWith({
      fleets: [
        { name: "extra", executor: "docker-autoscaler", runnerTokenSsmParameter: "/x/token", workers: {} },
        mergeRequests!,
        autoscaler!,
      ],
      ciImage: DEFAULT_CONFIG.ciImage,
      // Pulled by the existing fleets only, so their grants stay as they were.
      repositories: [{ name: "apps/other", pull: ["extra"] }, ...(DEFAULT_CONFIG.repositories ?? [])],
    }),
  ).json;
  const added = addresses(after).filter((a) => !addresses(before).includes(a));
  expect(added.sort()).toEqual([
    "aws_ecr_lifecycle_policy.apps_other",
    "aws_ecr_repository.apps_other",
    "aws_iam_policy.extra_manager",
    "aws_iam_policy.extra_workers",
    "module.runner_extra",
  ]);
  expect(addresses(after)).toEqual(expect.arrayContaining(addresses(before)));
  // Same address, same settings: the old blocks are identical, and so are their policies (the new
  // repository is granted to the new fleet only).
  for (const name of ["runner_autoscaler", "runner_merge-requests"]) {
    const { ["//"]: _a, ...was } = before.module[name]!;
    const { ["//"]: _b, ...is } = after.module[name]!;
    expect(is).toEqual(was);
  }
  expect(after.resource.aws_ecr_repository!["ci_docker-ecr"]).toEqual(before.resource.aws_ecr_repository!["ci_docker-ecr"]);
  for (const name of ["autoscaler_manager", "autoscaler_workers", "merge-requests_manager", "merge-requests_workers"]) {
    expect(after.resource.aws_iam_policy![name]).toEqual(before.resource.aws_iam_policy![name]);
  }
});
