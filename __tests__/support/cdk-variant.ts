// Which CDK the tests run on: "cdktf", or "cdktn" in the CDK Terrain variant (`npm run check:cdktn`
// rewrites the require below with the rest of the copy's imports).
export const CDK_PACKAGE: string = require("cdktf/package.json").name;

/**
 * Runner registration by the stack synthesizes only on cdktf: @cdktf/provider-gitlab is a cdktf 0.21
 * binding and CDK Terrain has none (docs/cdktn-migration.md). The variant runs the test that says so.
 */
export const GITLAB_BINDING_USABLE = CDK_PACKAGE === "cdktf";
