// The AWS provider requirement each supported binding makes the stack write, stated here rather than
// computed: this project's cdktf binding, and the cdktn one that `npm run check:cdktn` swaps in (its
// import rewrite turns the require below into @cdktn/provider-aws, so these tests check that variant's
// own release there instead of failing on this one's).
const EXPECTED: Record<string, { readonly source: string; readonly version: string }> = {
  // @cdktf/provider-aws 21.22.1 binds the AWS provider 6.25.0 (and would write the short source "aws").
  "@cdktf/provider-aws": { source: "hashicorp/aws", version: ">= 6.25.0, < 7.0.0" },
  // @cdktn/provider-aws 25.7.0 binds 6.66.0.
  "@cdktn/provider-aws": { source: "hashicorp/aws", version: ">= 6.66.0, < 7.0.0" },
};

/** The installed binding's package name. */
export const AWS_BINDING: string = require("@cdktf/provider-aws/package.json").name;

/** required_providers.aws as the installed binding must make the stack write it. */
export function expectedAwsRequirement(): { readonly source: string; readonly version: string } {
  const expected = EXPECTED[AWS_BINDING];
  if (expected === undefined)
    throw new Error(`no expected AWS provider requirement for ${AWS_BINDING}: add it to __tests__/support/aws-binding.ts`);
  return expected;
}
