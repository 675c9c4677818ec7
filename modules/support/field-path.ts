/** Field paths in messages: `fleets[0].manager.instanceType`, with hostile or secret keys made safe to print. */
import { secretIn } from "./secrets";

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_KEY_SHOWN = 60;

/** A key as it appears in a field path: `name`, `["Cost Center"]`, or a placeholder for a secret. */
function pathKey(key: string, first: boolean): string {
  const secret = secretIn(key);
  if (secret !== undefined) return `${first ? "" : "."}<a key that looks like ${secret}>`;
  if (PLAIN_KEY.test(key)) return first ? key : `.${key}`;
  const shown = key.length > MAX_KEY_SHOWN ? `${key.slice(0, MAX_KEY_SHOWN)}…` : key;
  // JSON escapes control characters, so a hostile key cannot reach the terminal raw.
  return `[${JSON.stringify(shown)}]`;
}

/** `fleets[0].manager.instanceType` from a path of keys and indices. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) out += typeof key === "number" ? `[${key}]` : pathKey(String(key), out === "");
  return out === "" ? "(root)" : out;
}
