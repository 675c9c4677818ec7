import { formatPath } from "../support/field-path";
import { jsonTexts } from "../support/json-strings";
import { secretIn } from "../support/secrets";
import { SecurityRule } from "./security-rule";

/**
 * Nothing secret is written into cdk.tf.json, where it would sit in the repository, the plan and
 * the state: every key and value of every block is scanned (modules/support/secrets.ts says what counts).
 */
export const NO_SECRET_LITERAL: SecurityRule = {
  id: "no-secret-literal",
  description:
    "No token, access key, secret key or private key (nor its base64) appears as a key or value anywhere in the synthesized stack.",
  check(block) {
    return jsonTexts(block.json, ["//"]).flatMap(({ path, text, isKey }) => {
      const name = path.at(-1);
      const what = secretIn(text, isKey || typeof name !== "string" ? undefined : name);
      return what === undefined
        ? []
        : [`${formatPath(path)}${isKey ? " (a key)" : ""} looks like ${what} (the value is not repeated here)`];
    });
  },
};
