import { Construct } from "constructs";
import { LocalBackend, S3Backend, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { RunnerStackConfig, RunnerStackConfigInput, ValidatedConfig } from "../config/parse";
import { GitlabRunnerEcr } from "./gitlab-runner-ecr";
import { unwrapInterpolationOnlyStrings } from "../hcl/hcl-expression";
import { SecurityRules } from "../rules/aspect";

/**
 * The ready-made stack: AWS provider, state backend, and the GitlabRunnerEcr construct. Use
 * GitlabRunnerEcr directly to place the runners in a stack of your own.
 */
export class GitlabRunnerStack extends TerraformStack {
  readonly runners: GitlabRunnerEcr;

  /**
   * `input` as a library user writes it (validated here), or a ValidatedConfig (the app's, taken as
   * it is). A parsed RunnerStackConfig is plain data again and is validated like any input.
   */
  constructor(scope: Construct, id: string, input: RunnerStackConfigInput | RunnerStackConfig | ValidatedConfig) {
    super(scope, id);
    // The rules check the whole stack (provider and backend included), not only the runners.
    SecurityRules.of(this);
    // The runners' part goes on validated, so GitlabRunnerEcr does not parse it again.
    const { runners, backend } = (input instanceof ValidatedConfig ? input : ValidatedConfig.parse(input)).split();
    const config = runners.value;

    const provider = new AwsProvider(this, "aws", {
      region: config.aws.region,
      // ARNs and registry hosts are written as literals from this account id; refuse any other.
      allowedAccountIds: [config.aws.accountId],
      defaultTags: Object.keys(config.tags).length > 0 ? [{ tags: config.tags }] : undefined,
    });
    // The binding pins the provider release it was generated from; a range from there to the next
    // major lets a workspace whose lock file or other modules need a newer 6.x still init. The lock
    // file selects the exact release.
    this.addOverride("terraform.required_providers.aws.version", awsProviderRange(provider));
    // The full address (cdktf 0.21's binding writes "aws", which Terraform reads as the same):
    // what a reviewer of the document or the lock file sees, and what the cdktn binding writes.
    this.addOverride("terraform.required_providers.aws.source", "hashicorp/aws");

    if (backend.type === "s3") {
      new S3Backend(this, {
        bucket: backend.bucket,
        key: backend.key,
        region: backend.region,
        encrypt: true,
        kmsKeyId: backend.kmsKeyId,
      });
      // S3-native state locking (Terraform >= 1.10); cdktf 0.21's S3Backend has no field for it.
      this.addOverride("terraform.backend.s3.use_lockfile", true);
    } else {
      // Relative to the folder Terraform runs in (cdktf.out/stacks/<stack>): the state lands in the
      // project folder, as with cdktf's default, but no absolute path of this machine is written.
      new LocalBackend(this, { path: backend.path ?? `../../../terraform.${id}.tfstate` });
    }

    this.runners = new GitlabRunnerEcr(this, "runners", runners);
  }

  /** `cdktf synth --hcl`: cdktf's HCL, with references written as `terraform fmt` writes them. */
  override toHclTerraform(): { [key: string]: any } {
    const out = super.toHclTerraform();
    return { ...out, hcl: unwrapInterpolationOnlyStrings(out.hcl) };
  }
}

/** `>= <the binding's release>, < <next major>.0.0`, e.g. ">= 6.25.0, < 7.0.0". */
export function awsProviderRange(provider: AwsProvider): string {
  const release = provider.terraformGeneratorMetadata?.providerVersion;
  const major = /^(\d+)\./.exec(release ?? "")?.[1];
  if (release === undefined || major === undefined) throw new Error(`the AWS provider binding names no release (${String(release)})`);
  return `>= ${release}, < ${Number(major) + 1}.0.0`;
}
