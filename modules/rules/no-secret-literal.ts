import { TOKEN_PATTERN, formatPath } from "../config";
import { jsonStrings } from "../json-strings";
import { SecurityRule } from "./security-rule";

// What must never be written into cdk.tf.json, where it would sit in the repository, the plan and
// the state: GitLab tokens (the configuration validator refuses them too), AWS access key ids, and
// private keys.
const SECRET_PATTERNS: [RegExp, string][] = [
  [TOKEN_PATTERN, "a GitLab token"],
  [/(^|[^A-Z0-9])(AKIA|ASIA)[A-Z0-9]{16}([^A-Z0-9]|$)/, "an AWS access key id"],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "a private key"],
];

export const NO_SECRET_LITERAL: SecurityRule = {
  id: "no-secret-literal",
  description: "No token, access key or private key appears as a literal anywhere in the synthesized stack.",
  check(block) {
    return jsonStrings(block.json, ["//"]).flatMap(([path, text]) =>
      SECRET_PATTERNS.filter(([re]) => re.test(text)).map(([, what]) => `${formatPath(path)} looks like ${what} (the value is not repeated here)`),
    );
  },
};
