import { IConstruct } from "constructs";
import {
  TerraformDataSource,
  TerraformElement,
  TerraformLocal,
  TerraformModule,
  TerraformResource,
  TerraformStack,
  TerraformVariable,
} from "cdktf";
import { formatPath } from "../support/field-path";
import { GitlabRunnerModule } from "../generated/gitlab-runner-module.generated";
import { jsonTexts } from "../support/json-strings";
import { foreignExpression, templateSequences } from "./template-guard";
import { SecurityRule } from "./security-rule";

/** Module inputs that are shell scripts of ours: only the template check applies to them. */
const SCRIPT_INPUTS = new Set([
  "runner_install.pre_install_script",
  "runner_install.post_install_script",
  "runner_install.start_script",
  "runner_worker_docker_autoscaler_instance.start_script",
  "runner_worker_docker_machine_instance.start_script",
]);

/**
 * Characters a shell acts on inside the unquoted heredoc through which the module writes
 * config.toml at boot ($ and backtick substitute, backslash escapes), a double quote (ends the
 * TOML string), and control characters.
 */
const SHELL_ACTIVE = /[$`\\"\p{Cc}]/u;

const declaredByStack = new WeakMap<TerraformStack, Set<string>>();

/** Addresses of every block in the stack of `node`: `var.x`, `module.x`, `aws_s3_bucket.x`, `data.t.x`, `local.x`. */
function declaredAddresses(node: IConstruct): Set<string> {
  const stack = TerraformStack.of(node);
  let declared = declaredByStack.get(stack);
  if (declared === undefined) {
    declared = new Set<string>();
    for (const c of stack.node.findAll()) {
      if (!TerraformElement.isTerraformElement(c)) continue;
      const id = (c as TerraformElement).friendlyUniqueId;
      if (c instanceof TerraformVariable) declared.add(`var.${id}`);
      else if (c instanceof TerraformLocal) declared.add(`local.${id}`);
      else if (c instanceof TerraformModule) declared.add(`module.${id}`);
      else if (c instanceof TerraformDataSource) declared.add(`data.${c.terraformResourceType}.${id}`);
      else if (TerraformResource.isTerraformResource(c)) declared.add(`${(c as TerraformResource).terraformResourceType}.${id}`);
    }
    declaredByStack.set(stack, declared);
  }
  return declared;
}

/**
 * Configuration is data (the guard of template-guard.ts, run on every block at
 * synthesis): every `${…}` is an expression of the stack's own, no `%{…}` directive appears, and
 * runner module inputs other than our scripts carry nothing a shell acts on. Not acknowledgeable.
 */
export const CONFIGURATION_IS_DATA: SecurityRule = {
  id: "configuration-is-data",
  description:
    "Every ${…} in the synthesized document is one of the stack's own references, there is no %{…} directive, and runner module inputs hold no shell syntax.",
  acknowledgeable: false,
  check(block) {
    const declared = declaredAddresses(block.node);
    const isModule = block.node instanceof GitlabRunnerModule;
    return jsonTexts(block.json, ["//"]).flatMap(({ path, text }) => {
      const { interpolations, directives } = templateSequences(text);
      const where = formatPath(path);
      const problems: string[] = [];
      if (directives > 0) problems.push(`${where} holds a Terraform template directive (%{…}), which this stack never writes`);
      for (const expression of interpolations) {
        const why = foreignExpression(expression, (a) => declared.has(a));
        if (why !== undefined) problems.push(`${where} holds a Terraform interpolation that ${why}`);
      }
      // path: module, <name>, <input>, ...
      const input = path
        .slice(2)
        .filter((k) => typeof k === "string")
        .join(".");
      if (isModule && !SCRIPT_INPUTS.has(input)) {
        const outsideInterpolations = interpolations.reduce((t, e) => t.replace(`\${${e}}`, ""), text);
        if (SHELL_ACTIVE.test(outsideInterpolations)) {
          problems.push(
            `${where} holds $, a backtick, a backslash, a double quote or a control character, which the manager's boot script would act on`,
          );
        }
      }
      return problems;
    });
  },
};
